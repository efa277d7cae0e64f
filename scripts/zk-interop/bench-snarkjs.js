// Times snarkjs on one Groth16 proof: in-process `snarkjs.groth16.verify` and the
// `snarkjs groth16 verify` CLI (a fresh node process per run, as an operator would use it).
// Usage: node bench-snarkjs.js DIR [IN_PROCESS_RUNS] [CLI_RUNS]
//   DIR holds verification_key.json, proof.json, public.json.
// Prints one JSON line: {"in_process_ms": …, "cli_ms": …, "valid": true}.
"use strict";
const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");
const snarkjs = require("snarkjs");

async function main() {
  const dir = process.argv[2];
  const inRuns = Number(process.argv[3] || 30);
  const cliRuns = Number(process.argv[4] || 5);
  const read = (n) => JSON.parse(fs.readFileSync(path.join(dir, n), "utf8"));
  const vk = read("verification_key.json");
  const proof = read("proof.json");
  const pub = read("public.json");

  // Warm-up: builds the curve (WASM) once, as a long-running verifier would.
  const valid = await snarkjs.groth16.verify(vk, pub, proof);
  if (!valid) throw new Error("snarkjs says the proof is invalid");
  let t0 = process.hrtime.bigint();
  for (let i = 0; i < inRuns; i++) {
    if (!(await snarkjs.groth16.verify(vk, pub, proof))) throw new Error("invalid");
  }
  const inProcessMs = Number(process.hrtime.bigint() - t0) / 1e6 / inRuns;

  const cli = path.join(__dirname, "node_modules", "snarkjs", "build", "cli.cjs");
  const args = [cli, "groth16", "verify", ...["verification_key.json", "public.json", "proof.json"].map((n) => path.join(dir, n))];
  t0 = process.hrtime.bigint();
  for (let i = 0; i < cliRuns; i++) {
    execFileSync(process.execPath, args, { stdio: "pipe" });
  }
  const cliMs = Number(process.hrtime.bigint() - t0) / 1e6 / cliRuns;
  console.log(JSON.stringify({ in_process_ms: inProcessMs, cli_ms: cliMs, valid, in_process_runs: inRuns, cli_runs: cliRuns }));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(2);
  },
);
