#!/usr/bin/env bash
# Soak run of the release server on the embedded default (SQLite), on this machine.
# Starts `honestly serve` on a free port with a fresh data directory, seeds a user, a document,
# an age proof and an unbounded share link, then sends mixed traffic at a steady rate with wrk
# (Debian's package, installed if missing) while sampling the server's RSS. At the end it
# prints the error count, the achieved rate and latencies, and the RSS series, and fails
# (exit 1) when
#   - any request failed: a non-2xx/3xx answer or a socket error (connect, read, write,
#     timeout), or the server died;
#   - RSS does not level off. With samples every SOAK_SAMPLE_SECONDS, first-half growth is
#     the first half's highest sample minus the first sample, second-half growth is the
#     second half's highest sample minus the first half's highest; RSS levels off when the
#     second-half growth is at most half the first-half growth or at most SOAK_RSS_SLACK_MIB
#     (default 4 MiB). A leak keeps setting new highs in both halves; a warm-up grows in the
#     first half only. High-water marks, not single samples, so a dip (memory returned to
#     the system) does not look like growth afterwards.
#
#   scripts/soak.sh                     # 5 minutes at 100 requests/s
#   SOAK_SECONDS=60 SOAK_RATE=200 scripts/soak.sh
#
# Knobs: SOAK_SECONDS (300), SOAK_RATE (100 requests/s in total), SOAK_CONNECTIONS (16),
# SOAK_SAMPLE_SECONDS (10), SOAK_RSS_SLACK_MIB (4); SOAK_KEEP=1 keeps the work directory (server
# log, wrk output, the generated Lua script) for a look afterwards.
#
# wrk has no fixed-rate mode: each connection waits SOAK_CONNECTIONS / SOAK_RATE seconds
# before each request (wrk's Lua `delay`), so the rate holds as long as responses are much
# faster than that wait; the achieved rate is printed next to the target.
#
# The mix, per 16 requests: 5 share-bundle GETs, 2 share-link views, 2 /zkp/verify, 2 document
# downloads, 1 document list, 1 timeline, 1 health, 1 login (argon2id) and 1 share-link
# creation (a durable write). The general per-IP rate limit is switched off (every request
# comes from 127.0.0.1); everything else is the default configuration.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DURATION=${SOAK_SECONDS:-300}
RATE=${SOAK_RATE:-100}
CONNECTIONS=${SOAK_CONNECTIONS:-16}
SAMPLE=${SOAK_SAMPLE_SECONDS:-10}
SLACK_MIB=${SOAK_RSS_SLACK_MIB:-4}
if ! command -v wrk >/dev/null 2>&1; then
  echo "installing the wrk load generator (Debian package)…" >&2
  apt-get install -y wrk >&2 || { apt-get update >&2 && apt-get install -y wrk >&2; }
fi

cargo build --release -p honestly-cli >&2
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/honestly"

WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
cleanup() { [ -n "${PID:-}" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; if [ -n "${SOAK_KEEP:-}" ]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi; }
trap cleanup EXIT

# Access tokens must outlive the run.
EXPIRY=$((DURATION + 3600))
DATA_DIR="$WORK/data" PORT=$PORT RATE_LIMIT_ENABLED=false LOG_LEVEL=warn JWT_ACCESS_EXPIRY=$EXPIRY \
  "$BIN" serve 2>"$WORK/server.log" &
PID=$!
until curl -sf "$BASE/monitoring/ready" >/dev/null; do
  kill -0 "$PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.01
done

python3 scripts/lib/seed.py "$BASE" soak "$WORK/seed.json"
python3 - "$WORK" "$CONNECTIONS" "$RATE" <<'PY'
import json, sys
work, connections, rate = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
seeded = json.load(open(f"{work}/seed.json"))
creds, token, doc_id, proof = seeded["creds"], seeded["token"], seeded["doc_id"], seeded["proof"]
link = {"token": seeded["link_token"]}
verify = {"proof_type": "age_proof_v2", "proof": proof["proof"], "public_signals": proof["public_signals"]}
new_link = {"document_id": doc_id, "access_level": "metadata", "expires_in_hours": 1}
json_h = {"Content-Type": "application/json"}
auth_h = {"Authorization": "Bearer " + token}
# (count per 16 requests, method, path, headers, body)
mix = [
    (5, "GET", f"/vault/share/{link['token']}/bundle", {}, None),
    (2, "GET", f"/vault/share/{link['token']}", {}, None),
    (2, "POST", "/zkp/verify", json_h, json.dumps(verify)),
    (2, "GET", f"/vault/documents/{doc_id}/content", auth_h, None),
    (1, "GET", "/vault/documents", auth_h, None),
    (1, "GET", "/vault/timeline", auth_h, None),
    (1, "GET", "/monitoring/health", {}, None),
    (1, "POST", "/auth/login", json_h, json.dumps(creds)),
    (1, "POST", "/vault/share-links", {**json_h, **auth_h}, json.dumps(new_link)),
]
assert sum(m[0] for m in mix) == 16
def lua(value):
    if value is None:
        return "nil"
    if isinstance(value, dict):
        return "{" + ", ".join(f"[ {lua(k)} ] = {lua(v)}" for k, v in value.items()) + "}"
    return "[==[" + value + "]==]"
# Interleave so that the heavy requests are spread out rather than back to back.
slots = []
for count, *req in mix:
    slots += [(i / count, req) for i in range(count)]
slots.sort(key=lambda s: s[0])
entries = ",\n".join("  {" + ", ".join(lua(v) for v in req) + "}" for _, req in slots)
delay_ms = 1000.0 * connections / rate
open(f"{work}/soak.lua", "w").write(f"""-- generated by scripts/soak.sh
local mix = {{
{entries}
}}
local formatted = {{}}
local i = 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("offset", threads * 5)
end
function init(args)
  for k, r in ipairs(mix) do formatted[k] = wrk.format(r[1], r[2], r[3], r[4]) end
  i = offset or 0
end
function request()
  i = i + 1
  return formatted[(i % #formatted) + 1]
end
function delay()
  return {delay_ms:.1f}
end
""")
PY

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$PID/status" 2>/dev/null || echo 0; }
echo "soak: ${DURATION} s at ${RATE} requests/s over ${CONNECTIONS} connections, RSS every ${SAMPLE} s" >&2
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s --latency -s "$WORK/soak.lua" "$BASE" \
  >"$WORK/wrk.txt" 2>&1 &
WRK=$!
t=0
: >"$WORK/rss.txt"
while :; do
  echo "$t $(rss_kb)" >>"$WORK/rss.txt"
  [ "$t" -ge "$DURATION" ] && break
  step=$(( DURATION - t < SAMPLE ? DURATION - t : SAMPLE ))
  sleep "$step"
  t=$((t + step))
done
wait "$WRK" || true
if grep -q "soak.lua:" "$WORK/wrk.txt"; then
  cat "$WORK/wrk.txt" >&2
  echo "SOAK FAILED: the wrk script did not load" >&2
  exit 1
fi
alive=yes
kill -0 "$PID" 2>/dev/null || alive=no

python3 - "$WORK/wrk.txt" "$WORK/rss.txt" "$RATE" "$DURATION" "$SLACK_MIB" "$alive" <<'PY'
import sys
sys.path.insert(0, "scripts/lib")
import wrk_summary
wrk_path, rss_path, rate, duration, slack_mib, alive = sys.argv[1:7]
rate, duration, slack = float(rate), float(duration), float(slack_mib) * 1024
try:
    w = wrk_summary.read(wrk_path)
except ValueError as e:
    sys.exit(str(e))
errors = w.errors
print(f"requests: {w.total} in {duration:.0f} s, {w.rps:.1f}/s (target {rate:.0f}/s)")
print(f"latency: p50 {w.ms('50'):.2f} ms, p90 {w.ms('90'):.2f} ms, p99 {w.ms('99'):.2f} ms")
print(f"errors: {errors} ({w.non2xx} non-2xx/3xx, {w.socket_errors} socket errors)")
samples = [tuple(int(v) for v in line.split()) for line in open(rss_path) if line.strip()]
print("RSS (MiB) at t(s): " + ", ".join(f"{t}:{kb / 1024:.1f}" for t, kb in samples))
failed = []
if alive != "yes":
    failed.append("the server died")
if errors:
    failed.append(f"{errors} failed requests")
if len(samples) < 3:
    failed.append("fewer than 3 RSS samples: run longer than two sample intervals")
else:
    half = duration / 2
    first_half = [kb for t, kb in samples if t <= half]
    second_half = [kb for t, kb in samples if t > half]
    g1 = max(first_half) - samples[0][1]
    g2 = max(second_half) - max(first_half)
    levels_off = g2 <= max(g1 / 2, slack)
    print(f"RSS growth (high-water marks): first half {g1 / 1024:+.1f} MiB, second half {g2 / 1024:+.1f} MiB "
          f"(levels off when the second is at most max(half the first, {slack / 1024:.0f} MiB)): "
          + ("levels off" if levels_off else "KEEPS GROWING"))
    if not levels_off:
        failed.append("RSS keeps growing")
if failed:
    print("SOAK FAILED: " + "; ".join(failed))
    sys.exit(1)
print("SOAK OK")
PY
