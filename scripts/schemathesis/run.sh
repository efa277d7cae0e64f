#!/usr/bin/env bash
# Fuzzes every operation of the OpenAPI document with schemathesis: every response must be
# a documented status with a documented media type and match its schema, and nothing may be
# a 5xx.
#
#   scripts/schemathesis/run.sh [MAX_EXAMPLES] [extra `st run` options, e.g. --seed 42]
#
# MAX_EXAMPLES is the number of generated cases per operation and phase (default 25; 1000
# for a release). To fuzz a server that is already running (ENVIRONMENT=development,
# RATE_LIMIT_ENABLED=false, AI_AGENT_RATE_LIMIT=1000000, AI_HASH_LOOKUP_RATE_LIMIT=1000000, with
# an admin account), set HONESTLY_URL, HONESTLY_ADMIN_USERNAME and HONESTLY_ADMIN_PASSWORD.
# Without HONESTLY_URL the script starts one itself from HONESTLY_BIN (default
# target/release/honestly) in a fresh data directory, and stops it at the end.
#
# The virtual environment is made by setup.sh when missing. Schemathesis works in
# .cache/schemathesis (its example database, so `st replay` finds earlier failures there).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VENV="${SCHEMATHESIS_VENV:-$ROOT/.cache/venv-schemathesis}"
MAX_EXAMPLES="${1:-25}"
shift || true

[ -x "$VENV/bin/st" ] || "$HERE/setup.sh"

SERVER_PID=""
SCRATCH=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [ -n "$SCRATCH" ]; then rm -rf "$SCRATCH"; fi
}
trap cleanup EXIT

if [ -z "${HONESTLY_URL:-}" ]; then
  BIN="${HONESTLY_BIN:-$ROOT/target/release/honestly}"
  [ -x "$BIN" ] || { echo "no server binary at $BIN: run \`cargo build --release -p honestly-cli\` or set HONESTLY_BIN" >&2; exit 1; }
  SCRATCH="$(mktemp -d)"
  export HONESTLY_ADMIN_USERNAME=fuzz-admin HONESTLY_ADMIN_PASSWORD="fuzz admin $(date +%s%N)"
  printf '%s\n' "$HONESTLY_ADMIN_PASSWORD" |
    env -i PATH="$PATH" DATA_DIR="$SCRATCH/data" "$BIN" user create --username "$HONESTLY_ADMIN_USERNAME" --role admin
  env -i PATH="$PATH" DATA_DIR="$SCRATCH/data" PORT=0 LOG_FORMAT=json RATE_LIMIT_ENABLED=false AI_AGENT_RATE_LIMIT=1000000 \
    AI_HASH_LOOKUP_RATE_LIMIT=1000000 "$BIN" serve >/dev/null 2>"$SCRATCH/server.log" &
  SERVER_PID=$!
  for _ in $(seq 600); do
    ADDRESS="$(sed -n 's/.*"address":"\([^"]*\)".*/\1/p' "$SCRATCH/server.log" | head -n 1)"
    [ -n "$ADDRESS" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$SCRATCH/server.log" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$ADDRESS" ] || { echo "the server did not report its address" >&2; exit 1; }
  export HONESTLY_URL="http://$ADDRESS"
  # The first start makes the circuits' keys: wait until they are loaded.
  for _ in $(seq 600); do
    "$VENV/bin/python" -c 'import os, sys, requests; sys.exit(requests.get(os.environ["HONESTLY_URL"] + "/monitoring/ready", timeout=5).status_code != 200)' && break
    sleep 0.5
  done
fi

eval "$("$VENV/bin/python" "$HERE/seed.py")"

mkdir -p "$ROOT/.cache/schemathesis"
cd "$ROOT/.cache/schemathesis"
export SCHEMATHESIS_HOOKS="$HERE/hooks.py"
"$VENV/bin/st" --config-file "$HERE/schemathesis.toml" run "$HONESTLY_URL/openapi.json" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --max-examples "$MAX_EXAMPLES" \
  --no-color \
  "$@"
