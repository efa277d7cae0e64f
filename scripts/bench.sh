#!/usr/bin/env bash
# Load benchmark of the release server on the embedded default (SQLite), on this machine.
# Starts `honestly serve` on a free port with a fresh data directory, seeds a user, a
# document, an age proof and an unbounded share link, then drives load with wrk (Debian's
# package, installed if missing) and prints one table: route, connections, requests/s, p50,
# p99, errors.
#
#   scripts/bench.sh              # default: 10 s per run
#   BENCH_SECONDS=30 scripts/bench.sh
#
# The general per-IP rate limit is switched off for the run (every request comes from
# 127.0.0.1); everything else is the default configuration.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SECONDS_PER_RUN=${BENCH_SECONDS:-10}
if ! command -v wrk >/dev/null 2>&1; then
  echo "installing the wrk load generator (Debian package)…" >&2
  apt-get install -y wrk >&2 || { apt-get update >&2 && apt-get install -y wrk >&2; }
fi

cargo build --release -p honestly-cli >&2
BIN="$ROOT/target/release/honestly"

WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
cleanup() { [ -n "${PID:-}" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

start_ns=$(date +%s%N)
DATA_DIR="$WORK/data" PORT=$PORT RATE_LIMIT_ENABLED=false LOG_LEVEL=warn "$BIN" serve 2>"$WORK/server.log" &
PID=$!
until curl -sf "$BASE/monitoring/ready" >/dev/null; do sleep 0.01; done
first_ready_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))

python3 - "$BASE" "$WORK" <<'PY'
import json, sys, urllib.request
base, work = sys.argv[1], sys.argv[2]
def call(method, path, body=None, token=None, raw=None, ctype="application/json"):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("content-type", ctype)
    if token:
        req.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"null")
creds = {"username": "bench", "password": "correct horse battery staple"}
call("POST", "/auth/register", creds)
token = call("POST", "/auth/login", creds)["access_token"]
boundary = "honestlybench"
body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"document_type\"\r\n\r\nidentity\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"id.pdf\"\r\n"
        f"Content-Type: application/pdf\r\n\r\n").encode() + b"x" * 4096 + f"\r\n--{boundary}--\r\n".encode()
doc = call("POST", "/vault/documents", raw=body, token=token, ctype=f"multipart/form-data; boundary={boundary}")
doc_id = doc["document"]["id"]
proof = call("POST", f"/vault/documents/{doc_id}/proofs",
             {"proof_type": "age_proof", "birth_date": "1990-05-17", "min_age": 18}, token)["proof"]
link = call("POST", "/vault/share-links",
            {"document_id": doc_id, "proof_id": proof["id"], "access_level": "proof_only", "expires_in_hours": 24},
            token)["link"]
open(f"{work}/token", "w").write(link["token"])
json.dump({"proof_type": "age_proof", "proof": proof["proof"], "public_signals": proof["public_signals"]},
          open(f"{work}/verify.json", "w"))
json.dump(creds, open(f"{work}/login.json", "w"))
PY
TOKEN=$(cat "$WORK/token")
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$PID/status"; }
idle_rss=$(rss_kb)

# route|connections|method|path|body file
RUNS=(
  "GET /vault/share/{token}/bundle|8|GET|/vault/share/$TOKEN/bundle|"
  "GET /vault/share/{token}/bundle|32|GET|/vault/share/$TOKEN/bundle|"
  "POST /zkp/verify|4|POST|/zkp/verify|$WORK/verify.json"
  "POST /zkp/verify|16|POST|/zkp/verify|$WORK/verify.json"
  "POST /auth/login|4|POST|/auth/login|$WORK/login.json"
)
printf '\n%-34s %5s %10s %9s %9s %7s\n' route conns req/s p50_ms p99_ms errors
for run in "${RUNS[@]}"; do
  IFS='|' read -r name conns method path body <<<"$run"
  script="$WORK/request.lua"
  if [ -n "$body" ]; then
    printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [==[%s]==]\n' "$(cat "$body")" >"$script"
  else
    printf 'wrk.method = "GET"\n' >"$script"
  fi
  wrk -t2 -c"$conns" -d"${SECONDS_PER_RUN}s" --latency -s "$script" "$BASE$path" >"$WORK/out.txt" 2>&1
  python3 - "$name" "$conns" "$WORK/out.txt" <<'PY'
import re, sys
name, conns, path = sys.argv[1:4]
text = open(path).read()
def ms(label):
    m = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    if not m:
        return float("nan")
    return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(int(g) for g in sock.groups()) if sock else 0)
print(f"{name:<34} {conns:>5} {rps:>10.0f} {ms('50'):>9.2f} {ms('99'):>9.2f} {errors:>7}")
PY
done
loaded_rss=$(rss_kb)
kill "$PID"; wait "$PID" 2>/dev/null || true

# Start to ready with existing keys (the first start above generated them).
start_ns=$(date +%s%N)
DATA_DIR="$WORK/data" PORT=$PORT LOG_LEVEL=warn "$BIN" serve 2>>"$WORK/server.log" &
PID=$!
until curl -sf "$BASE/monitoring/ready" >/dev/null; do sleep 0.005; done
ready_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))

echo
echo "start to ready: ${ready_ms} ms with existing keys (${first_ready_ms} ms on the first start, generating keys)"
echo "RSS: idle $((idle_rss / 1024)) MiB after seeding, $((loaded_rss / 1024)) MiB after the load runs"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
