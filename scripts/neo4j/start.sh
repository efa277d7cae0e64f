#!/usr/bin/env bash
# Starts an embedded Neo4j Community server for the tests, in the background:
#
#   scripts/neo4j/start.sh DATA_DIR PORT PASSWORD
#
# Builds the launcher once (Maven, dependencies cached in .cache/m2, output in
# scripts/neo4j/target, both git-ignored), starts it on 127.0.0.1:PORT with authentication
# enabled (user neo4j, the given password), waits until Bolt accepts connections (at most
# NEO4J_START_TIMEOUT seconds, 90 by default), and writes DATA_DIR/neo4j.pid. The server's
# output goes to DATA_DIR/neo4j.log. Stop it with scripts/neo4j/stop.sh DATA_DIR.
# Idempotent: when DATA_DIR/neo4j.pid names a live server, it says so and exits 0.
set -euo pipefail

if [ $# -ne 3 ]; then
  echo "usage: $0 DATA_DIR PORT PASSWORD" >&2
  exit 2
fi
DATA_DIR=$1
PORT=$2
PASSWORD=$3
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TIMEOUT=${NEO4J_START_TIMEOUT:-90}

command -v java >/dev/null 2>&1 || { echo "java (17 or newer) is required" >&2; exit 1; }
command -v mvn >/dev/null 2>&1 || { echo "mvn (Maven) is required" >&2; exit 1; }

mkdir -p "$DATA_DIR"
DATA_DIR=$(cd "$DATA_DIR" && pwd)
PID_FILE="$DATA_DIR/neo4j.pid"
LOG="$DATA_DIR/neo4j.log"

if [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
  echo "Neo4j already running (pid $(cat "$PID_FILE")); see $LOG"
  exit 0
fi

# Build once; rebuild only when the sources change.
STAMP="$HERE/target/.built"
if [ ! -f "$STAMP" ] || [ -n "$(find "$HERE/pom.xml" "$HERE/src" -newer "$STAMP" -print -quit)" ]; then
  echo "building the Neo4j launcher (first time: downloads Neo4j from Maven Central)"
  (cd "$HERE" && mvn -q -B -Dmaven.repo.local="$ROOT/.cache/m2" package)
  touch "$STAMP"
fi

started=$(date +%s)
NEO4J_PASSWORD=$PASSWORD nohup java -Xms256m -Xmx1g -XX:+UseSerialGC \
  --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
  -cp "$HERE/target/classes:$HERE/target/lib/*" dev.honestly.neo4j.Launcher "$DATA_DIR/db" "$PORT" \
  >"$LOG" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$PID_FILE"

while ! grep -q "^READY " "$LOG" 2>/dev/null; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "Neo4j exited before it was ready; its log ($LOG) ends with:" >&2
    tail -n 30 "$LOG" >&2
    rm -f "$PID_FILE"
    exit 1
  fi
  if [ $(($(date +%s) - started)) -ge "$TIMEOUT" ]; then
    echo "Neo4j was not ready within ${TIMEOUT}s; its log ($LOG) ends with:" >&2
    tail -n 30 "$LOG" >&2
    kill "$pid" 2>/dev/null || true
    rm -f "$PID_FILE"
    exit 1
  fi
  sleep 0.2
done
echo "Neo4j ready at bolt://127.0.0.1:$PORT (pid $pid, $(($(date +%s) - started))s)"
