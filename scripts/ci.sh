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

step "redis-server for the shared-state tests"
if ! command -v redis-server >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server
fi
redis-server --version

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

step "python3 and requests for the AI-agent tests"
command -v python3 >/dev/null 2>&1 || { echo "python3 is required (canonical JSON oracle, AI-agent client)" >&2; exit 1; }
if ! python3 -c 'import requests' >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check requests \
    || python3 -m pip install --quiet --disable-pip-version-check --user requests \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages requests
fi
python3 -c 'import requests, sys; print("python", sys.version.split()[0], "requests", requests.__version__)'

step "deployment files: Kubernetes schemas and rules, hadolint (offline)"
bash scripts/validate-deploy.sh

step "schemathesis for the schema fuzzing test"
scripts/schemathesis/setup.sh

step "formatting"
cargo fmt --all -- --check

step "lints"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "Neo4j for the store conformance tests"
command -v java >/dev/null 2>&1 || { echo "java (17 or newer) is required for the Neo4j tests" >&2; exit 1; }
if ! command -v mvn >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "mvn is missing; install it as root (apt-get install maven)" >&2; exit 1; }
    SUDO=sudo
  fi
  $SUDO apt-get update
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y maven
fi
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
