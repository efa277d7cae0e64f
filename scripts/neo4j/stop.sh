#!/usr/bin/env bash
# Stops the Neo4j server that scripts/neo4j/start.sh DATA_DIR … started (SIGTERM, then waits
# up to 30 s for a clean shutdown before SIGKILL). Does nothing when none runs.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 DATA_DIR" >&2
  exit 2
fi
PID_FILE="$1/neo4j.pid"
[ -f "$PID_FILE" ] || exit 0
pid=$(cat "$PID_FILE")
if kill -0 "$pid" 2>/dev/null; then
  kill -TERM "$pid"
  for _ in $(seq 1 150); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "Neo4j (pid $pid) did not stop within 30 s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
fi
rm -f "$PID_FILE"
