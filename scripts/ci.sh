#!/usr/bin/env bash
# The whole test suite, from a fresh machine: checks formatting and lints first (they fail
# fast), installs what the tests need (scripts/install-test-deps.sh), checks the deployment
# files, starts Neo4j, then runs every test in one `cargo test --workspace` invocation.
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

step "formatting"
cargo fmt --all -- --check

step "lints"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "what the tests need (scripts/install-test-deps.sh)"
bash scripts/install-test-deps.sh

step "deployment files: Kubernetes schemas and rules, hadolint (offline)"
bash scripts/validate-deploy.sh

step "Neo4j for the store conformance tests"
# A fresh database each run, on a free port, with a random password; stopped on exit.
NEO4J_DATA="$ROOT/.cache/neo4j-data"
scripts/neo4j/stop.sh "$NEO4J_DATA"
rm -rf "$NEO4J_DATA"
NEO4J_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
NEO4J_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
trap 'scripts/neo4j/stop.sh "$NEO4J_DATA"' EXIT
scripts/neo4j/start.sh "$NEO4J_DATA" "$NEO4J_PORT" "$NEO4J_PASSWORD"
export HONESTLY_TEST_NEO4J_URL="bolt://127.0.0.1:$NEO4J_PORT"
export HONESTLY_TEST_NEO4J_PASS="$NEO4J_PASSWORD"

step "tests"
cargo test --workspace --locked
