#!/usr/bin/env bash
# Generates the external-circuit fixture used by crates/honestly-zk's tests: a tiny circom
# circuit (compiled with the npm `circom2` package), a local Groth16 setup with snarkjs (a
# throw-away powers-of-tau; fine for a test fixture, never for production), one proof and its
# public signals. Output: crates/honestly-zk/tests/fixtures/circom_multiplier/.
#
# Usage: (cd scripts/zk-interop && npm ci && bash make-circom-fixture.sh [OUT_DIR])
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/../../crates/honestly-zk/tests/fixtures/circom_multiplier}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
snarkjs="node $here/node_modules/snarkjs/build/cli.cjs"
circom="node $here/node_modules/circom2/cli.js"

cat > "$work/multiplier.circom" <<'CIRCOM'
pragma circom 2.0.0;
// Public c, d; private a, b: c = a·b and d = a + b.
template Multiplier() {
    signal input a;
    signal input b;
    signal output c;
    signal output d;
    c <== a * b;
    d <== a + b;
}
component main = Multiplier();
CIRCOM

cd "$work"
$circom multiplier.circom --r1cs --wasm -o . > /dev/null
$snarkjs powersoftau new bn128 4 pot_0.ptau > /dev/null
$snarkjs powersoftau contribute pot_0.ptau pot_1.ptau --name=fixture -e="honestly fixture entropy" > /dev/null
$snarkjs powersoftau prepare phase2 pot_1.ptau pot_final.ptau > /dev/null
$snarkjs groth16 setup multiplier.r1cs pot_final.ptau m_0.zkey > /dev/null
$snarkjs zkey contribute m_0.zkey m_1.zkey --name=fixture -e="more fixture entropy" > /dev/null
$snarkjs zkey export verificationkey m_1.zkey verification_key.json > /dev/null
echo '{"a": "3", "b": "11"}' > input.json
node multiplier_js/generate_witness.js multiplier_js/multiplier.wasm input.json witness.wtns
$snarkjs groth16 prove m_1.zkey witness.wtns proof.json public.json > /dev/null
$snarkjs groth16 verify verification_key.json public.json proof.json

mkdir -p "$out"
cp verification_key.json proof.json public.json multiplier.circom "$out/"
echo "fixture written to $out"
