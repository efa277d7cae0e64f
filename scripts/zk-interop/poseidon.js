// Prints circomlibjs' Poseidon of each input vector, one decimal per line.
// Usage: node poseidon.js '[["1","2"],["3","4","5"]]'
"use strict";
const { buildPoseidon } = require("circomlibjs");

async function main() {
  const inputs = JSON.parse(process.argv[2]);
  const poseidon = await buildPoseidon();
  for (const v of inputs) {
    console.log(poseidon.F.toString(poseidon(v.map((x) => BigInt(x)))));
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(2);
  },
);
