// EdDSA-Poseidon interop for crates/honestly-zk (circomlibjs and @zk-kit/eddsa-poseidon); the
// `verify` mode also checks the credentials and revocation states `honestly issuer` signs
// (crates/honestly-cli/tests/cli/issuer.rs).
// Usage:
//   node eddsa.js vectors   prints known-answer vectors as JSON (private key → public key,
//                           message → signature); fails unless both libraries agree
//   node eddsa.js verify    reads [{publicKey: {x, y}, message, signature: {R8x, R8y, S}}]
//                           as JSON on stdin and prints, one line each, "true" when both
//                           circomlibjs' verifyPoseidon and @zk-kit's verifySignature accept
//                           it, "false" when both refuse; fails when they disagree
"use strict";
const crypto = require("crypto");
const { buildEddsa } = require("circomlibjs");
const zk = require("@zk-kit/eddsa-poseidon");

const P = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

function keys() {
  const out = [Buffer.alloc(32, 0), Buffer.alloc(32, 0xff), Buffer.from([...Array(32).keys()].map((i) => i + 1))];
  for (let i = 0; i < 5; i++) {
    out.push(crypto.createHash("sha256").update(`honestly eddsa vector ${i}`).digest());
  }
  return out;
}

function messages(i) {
  const h = BigInt("0x" + crypto.createHash("sha256").update(`message ${i}`).digest("hex")) % P;
  return [0n, 1n, P - 1n, 19450509n, h];
}

async function vectors() {
  const eddsa = await buildEddsa();
  const F = eddsa.babyJub.F;
  const out = [];
  keys().forEach((prv, i) => {
    const a = eddsa.prv2pub(prv);
    const publicKey = { x: F.toObject(a[0]).toString(), y: F.toObject(a[1]).toString() };
    const theirs = zk.derivePublicKey(prv);
    if (theirs[0].toString() !== publicKey.x || theirs[1].toString() !== publicKey.y) {
      throw new Error(`public keys differ for key ${i}`);
    }
    const signatures = messages(i).map((m) => {
      const s = eddsa.signPoseidon(prv, F.e(m));
      const signature = { R8x: F.toObject(s.R8[0]).toString(), R8y: F.toObject(s.R8[1]).toString(), S: s.S.toString() };
      const z = zk.signMessage(prv, m);
      if (z.R8[0].toString() !== signature.R8x || z.R8[1].toString() !== signature.R8y || z.S.toString() !== signature.S) {
        throw new Error(`signatures differ for key ${i}, message ${m}`);
      }
      return { message: m.toString(), signature };
    });
    out.push({ privateKey: prv.toString("hex"), publicKey, signatures });
  });
  console.log(JSON.stringify({ generator: "scripts/zk-interop/eddsa.js vectors", vectors: out }, null, 2));
}

async function verify() {
  const eddsa = await buildEddsa();
  const F = eddsa.babyJub.F;
  const items = JSON.parse(require("fs").readFileSync(0, "utf8"));
  for (const { publicKey, message, signature } of items) {
    const a = [BigInt(publicKey.x), BigInt(publicKey.y)];
    const r8 = [BigInt(signature.R8x), BigInt(signature.R8y)];
    const s = BigInt(signature.S);
    const m = BigInt(message);
    const circom = eddsa.verifyPoseidon(F.e(m), { R8: r8.map((v) => F.e(v)), S: s }, a.map((v) => F.e(v)));
    const kit = zk.verifySignature(m, { R8: r8, S: s }, a);
    if (circom !== kit) throw new Error(`circomlibjs says ${circom}, @zk-kit says ${kit} for ${JSON.stringify(signature)}`);
    console.log(String(circom));
  }
}

const commands = { vectors, verify };
const command = commands[process.argv[2]];
if (!command) {
  console.error("usage: node eddsa.js vectors | verify < items.json");
  process.exit(1);
}
command().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(2);
  },
);
