#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what the tests need, checks formatting
# and lints, then runs every test in one `cargo test --workspace` invocation.
# Idempotent: safe to run again; caches live in git-ignored folders of the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

step() { printf '\n==> %s\n' "$*"; }

step "toolchain"
if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo is required (https://rustup.rs)" >&2
  exit 1
fi
rustup component add rustfmt clippy >/dev/null 2>&1 || true
cargo --version

if [ -f scripts/zk-interop/package.json ]; then
  step "npm packages for the snarkjs interop tests"
  command -v node >/dev/null 2>&1 || { echo "node is required for the snarkjs interop tests" >&2; exit 1; }
  (cd scripts/zk-interop && if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi)
fi

step "Chromium for the browser tests"
if ! command -v chromium >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "chromium is missing; install it as root (apt-get install chromium)" >&2; exit 1; }
    SUDO=sudo
  fi
  $SUDO apt-get update
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi
chromium --version

step "schemathesis for the schema fuzzing test"
scripts/schemathesis/setup.sh

step "formatting"
cargo fmt --all -- --check

step "lints"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "tests"
cargo test --workspace --locked
