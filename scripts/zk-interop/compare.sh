#!/usr/bin/env bash
# One run that yields both sides of the comparison: criterion benchmarks of honestly-zk (which
# also export the benchmarked age proof as snarkjs files), then snarkjs timed on that very
# proof, then the ratios.
#
# Usage: scripts/zk-interop/compare.sh [extra criterion args]
#   default criterion args: --warm-up-time 1 --measurement-time 3 (a quick run)
# Needs: cargo, node, `npm ci` in scripts/zk-interop.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
export HONESTLY_ZK_BENCH_OUT="${HONESTLY_ZK_BENCH_OUT:-$(mktemp -d)}"
target="${CARGO_TARGET_DIR:-$root/target}"
crit_args=("$@")
[ ${#crit_args[@]} -eq 0 ] && crit_args=(--warm-up-time 1 --measurement-time 3)

(cd "$root" && cargo bench -p honestly-zk --bench zk -- "${crit_args[@]}")

mean_ms() { # criterion estimate (ns) → ms
  node -e 'const e=require(process.argv[1]); console.log((e.mean.point_estimate/1e6).toFixed(4))' \
    "$target/criterion/$1/new/estimates.json"
}
verify_ms="$(mean_ms verify_prepared_age)"
batch_ms="$(mean_ms batch_verify/32)"
age_ms="$(mean_ms prove/age)"
auth_ms="$(mean_ms prove/authenticity)"
poseidon_us="$(node -e 'const e=require(process.argv[1]); console.log((e.mean.point_estimate/1e3).toFixed(2))' "$target/criterion/poseidon_native_2/new/estimates.json")"

snark="$(node "$here/bench-snarkjs.js" "$HONESTLY_ZK_BENCH_OUT")"
echo
echo "== honestly-zk (criterion means) =="
echo "verify, prepared key        : $verify_ms ms / proof"
echo "batch of 32                 : $batch_ms ms total, $(node -e "console.log(($batch_ms/32).toFixed(4))") ms / proof"
echo "prove age_proof             : $age_ms ms"
echo "prove authenticity_proof    : $auth_ms ms"
echo "poseidon native (2 inputs)  : $poseidon_us µs"
echo "== snarkjs on the same proof =="
node -e '
const s = JSON.parse(process.argv[1]); const v = Number(process.argv[2]); const b = Number(process.argv[3]) / 32;
console.log(`snarkjs.groth16.verify      : ${s.in_process_ms.toFixed(3)} ms / proof (${(s.in_process_ms / v).toFixed(1)}x ours, ${(s.in_process_ms / b).toFixed(1)}x our batch)`);
console.log(`snarkjs groth16 verify (CLI): ${s.cli_ms.toFixed(1)} ms / run (${(s.cli_ms / v).toFixed(0)}x ours)`);
' "$snark" "$verify_ms" "$batch_ms"
