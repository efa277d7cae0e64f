#!/usr/bin/env bash
# Load benchmark of the release server on the embedded default (SQLite), on this machine.
# Starts `honestly serve` on a free port with a fresh data directory, seeds a user, a
# document, an age proof, an unbounded share link, a hosted issuer's credential of the
# document and a verifier, then drives load with wrk (Debian's
# package, installed if missing) and prints one table: route, connections, requests/s, p50,
# p99, errors. Signed AI-agent requests are made in advance (each signature is good once), as
# a Python agent signs them. Rows "@R/s (fixed rate)" hold R requests/s with vegeta (wrk has
# no fixed-rate mode; vegeta is built once into .cache/bin): their latencies are those of an
# open system at that rate, where wrk's rows give the peak a closed loop of N connections reaches.
# Then proof requests are answered one at a time and timed from the holder's consent to the
# verifier's webhook (scripts/lib/request_latency.py).
#
#   scripts/bench.sh              # default: 10 s per run
#   BENCH_SECONDS=30 scripts/bench.sh
#   BENCH_ONLY='bundle|/ai/' scripts/bench.sh   # only the routes matching an extended regex
#   BENCH_CONNS='1 32' scripts/bench.sh          # only the rows with these connection counts
#   BENCH_BIN=/path/to/honestly scripts/bench.sh  # another build, e.g. for an A/B comparison
#   BENCH_CONSENTS=100 scripts/bench.sh          # proof requests answered for the consent-to-webhook times (default 40)
#   VERIFY_BATCHING=false scripts/bench.sh   # single verifications not batched across requests (A/B)
#
# The general per-IP rate limit is switched off for the run (every request comes from
# 127.0.0.1) and the per-agent limit raised; everything else is the default configuration.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SECONDS_PER_RUN=${BENCH_SECONDS:-10}
if ! command -v wrk >/dev/null 2>&1; then
  echo "installing the wrk load generator (Debian package)…" >&2
  apt-get install -y wrk >&2 || { apt-get update >&2 && apt-get install -y wrk >&2; }
fi
# vegeta holds a fixed request rate (wrk cannot): built once from the Go module proxy into
# the repository's ignored .cache/bin.
VEGETA_VERSION=v12.13.0
VEGETA="$ROOT/.cache/bin/vegeta"
if [ ! -x "$VEGETA" ]; then
  echo "building the vegeta load generator $VEGETA_VERSION (Go module)…" >&2
  GOBIN="$ROOT/.cache/bin" GOPATH="$ROOT/.cache/go" GOFLAGS=-modcacherw \
    go install "github.com/tsenart/vegeta/v12@$VEGETA_VERSION" >&2
fi

# BENCH_BIN runs another build of the server (e.g. the previous commit's, for an A/B run).
if [ -n "${BENCH_BIN:-}" ]; then
  BIN=$BENCH_BIN
else
  cargo build --release -p honestly-cli >&2
  BIN="$ROOT/target/release/honestly"
fi

WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
cleanup() { [ -n "${PID:-}" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

start_ns=$(date +%s%N)
AI_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
# BENCH_DATABASE_URL (with BENCH_NEO4J_PASS) runs the same table on another store, e.g. Neo4j.
serve() {
  DATA_DIR="$WORK/data" PORT=$PORT RATE_LIMIT_ENABLED=false AI_AGENT_RATE_LIMIT=1000000 AI_AGENT_SECRET="$AI_SECRET" \
    DATABASE_URL="${BENCH_DATABASE_URL:-}" NEO4J_PASS="${BENCH_NEO4J_PASS:-}" \
    LOG_LEVEL=warn "$BIN" serve 2>>"$WORK/server.log" &
  PID=$!
}
serve
until curl -sf "$BASE/monitoring/ready" >/dev/null; do sleep 0.01; done
first_ready_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))

python3 scripts/lib/seed.py "$BASE" bench "$WORK/seed.json"
python3 - "$WORK" <<'PY'
import json, sys
sys.path.insert(0, "scripts/lib")
from seed import multipart
work = sys.argv[1]
seeded = json.load(open(f"{work}/seed.json"))
open(f"{work}/token", "w").write(seeded["link_token"])
json.dump({"proof_type": "age_proof_v2", "proof": seeded["proof"]["proof"],
           "public_signals": seeded["proof"]["public_signals"]}, open(f"{work}/verify.json", "w"))
json.dump(seeded["creds"], open(f"{work}/login.json", "w"))
json.dump({"proof_type": "age_proof", "birth_date": "1990-05-17", "min_age": 18}, open(f"{work}/prove.json", "w"))
open(f"{work}/doc_id", "w").write(seeded["doc_id"])
open(f"{work}/access", "w").write(seeded["token"])
open(f"{work}/upload.bin", "wb").write(multipart("big.pdf", b"y" * (1024 * 1024)))
PY
DOC_ID=$(cat "$WORK/doc_id")
ACCESS=$(cat "$WORK/access")

# A hosted issuer with one member vouches for the seeded document: the credential the
# credential-proof rows prove from.
cli() { DATA_DIR="$WORK/data" DATABASE_URL="${BENCH_DATABASE_URL:-}" NEO4J_PASS="${BENCH_NEO4J_PASS:-}" LOG_LEVEL=warn "$BIN" "$@"; }
ISSUER_ID=$(cli issuer create --name "Bench Registry Office" | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
echo "correct horse battery staple" | cli user create --username bench-registrar --role issuer --issuer "$ISSUER_ID" >/dev/null
python3 - "$BASE" "$WORK" "$ISSUER_ID" <<'PY'
import json, sys
sys.path.insert(0, "scripts/lib")
from seed import PASSWORD, call
base, work, issuer = sys.argv[1], sys.argv[2], sys.argv[3]
holder, doc = open(f"{work}/access").read(), open(f"{work}/doc_id").read()
claims = {"birth_date": "1990-05-17", "nationality": "DEU", "document_expiry": "2031-06-30"}
asked = call(base, "POST", f"/vault/documents/{doc}/credential-requests", {"issuer_id": issuer, "claims": claims}, holder)
member = call(base, "POST", "/auth/login", {"username": "bench-registrar", "password": PASSWORD})["access_token"]
approved = call(base, "POST", f"/issuer/requests/{asked['request']['id']}/approve", {}, member)
open(f"{work}/credential_id", "w").write(approved["request"]["credential_id"])
json.dump({"query": {"min_age": 18, "not_expired": True}, "scope": "bench", "nonce": "bench-1"},
          open(f"{work}/credential_prove.json", "w"))
PY
CREDENTIAL_ID=$(cat "$WORK/credential_id")
echo "$ISSUER_ID" >"$WORK/issuer_id"
# A verifier asking for that credential: the proof-request rows.
echo "correct horse battery staple" | cli user create --username bench-verifier --role verifier >/dev/null
python3 - "$BASE" "$WORK" <<'PY'
import json, sys
sys.path.insert(0, "scripts/lib")
from seed import PASSWORD, call
base, work = sys.argv[1], sys.argv[2]
token = call(base, "POST", "/auth/login", {"username": "bench-verifier", "password": PASSWORD})["access_token"]
open(f"{work}/verifier", "w").write(token)
json.dump({"purpose": "Bench entry", "query": {"min_age": 18},
           "trusted_issuers": [open(f"{work}/issuer_id").read().strip()], "unique_per_holder": False},
          open(f"{work}/proof_request.json", "w"))
PY
VERIFIER=$(cat "$WORK/verifier")

# Signed envelopes, one per line as "signature<TAB>body", each good once (unique timestamps).
sign_requests() { # action count batch_size out
  python3 - "$AI_SECRET" "$WORK/verify.json" "$@" <<'PY'
import hashlib, hmac, json, sys, time
secret, verify, action, count, batch, out = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
proof = dict(json.load(open(verify)), consume_nullifier=False)
parameters = {"proofs": [proof] * batch} if batch else proof
base = time.time()
with open(out, "w") as f:
    for i in range(count):
        request_data = {"agent_id": "bench_agent", "action": action, "parameters": parameters,
                        "timestamp": base + i / 1e6}
        payload = json.dumps(request_data, sort_keys=True)
        signature = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
        f.write(signature + "\t" + json.dumps(request_data) + "\n")
PY
}
TOKEN=$(cat "$WORK/token")
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$PID/status"; }
seeded_rss=$(rss_kb)

# Start to ready with existing keys and data, and the idle footprint of a fresh process.
kill "$PID"; wait "$PID" 2>/dev/null || true
start_ns=$(date +%s%N)
serve
until curl -sf "$BASE/monitoring/ready" >/dev/null; do sleep 0.005; done
ready_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
sleep 1
idle_rss=$(rss_kb)

# route|connections|kind|path|argument
#   get: plain GET; json: POST a JSON file; bearer: POST a file with the access token (content
#   type in the argument's second field); signed: POST pre-signed envelopes (action:batch size);
#   fixed: vegeta at a fixed rate (argument: requests/s, or requests/s:JSON file to POST).
RUNS=(
  "GET /vault/share/{token}/bundle|8|get|/vault/share/$TOKEN/bundle|"
  "GET /vault/share/{token}/bundle|32|get|/vault/share/$TOKEN/bundle|"
  "bundle @500/s (fixed rate)|-|fixed|/vault/share/$TOKEN/bundle|500"
  "bundle @2000/s (fixed rate)|-|fixed|/vault/share/$TOKEN/bundle|2000"
  "POST /zkp/verify|4|json|/zkp/verify|$WORK/verify.json"
  "POST /zkp/verify|1|json|/zkp/verify|$WORK/verify.json"
  "POST /zkp/verify|16|json|/zkp/verify|$WORK/verify.json"
  "POST /zkp/verify|32|json|/zkp/verify|$WORK/verify.json"
  "/zkp/verify @1000/s (fixed rate)|-|fixed|/zkp/verify|1000:$WORK/verify.json"
  "POST /ai/verify-proof (signed)|1|signed|/ai/verify-proof|verify_proof:0"
  "POST /ai/verify-proof (signed)|4|signed|/ai/verify-proof|verify_proof:0"
  "POST /ai/verify-proof (signed)|16|signed|/ai/verify-proof|verify_proof:0"
  "POST /ai/verify-proof (signed)|32|signed|/ai/verify-proof|verify_proof:0"
  "POST /ai/verify-proofs-batch (32)|1|signed|/ai/verify-proofs-batch|verify_proofs_batch:32"
  "POST /ai/verify-proofs-batch (32)|2|signed|/ai/verify-proofs-batch|verify_proofs_batch:32"
  "POST /vault/documents (1 MiB)|2|bearer|/vault/documents|$WORK/upload.bin:multipart/form-data; boundary=honestlyload"
  "POST …/proofs (age proof)|1|bearer|/vault/documents/$DOC_ID/proofs|$WORK/prove.json:application/json"
  "POST …/proofs (age proof)|2|bearer|/vault/documents/$DOC_ID/proofs|$WORK/prove.json:application/json"
  "POST …/credentials/{id}/proofs|1|bearer|/vault/credentials/$CREDENTIAL_ID/proofs|$WORK/credential_prove.json:application/json"
  "POST …/credentials/{id}/proofs|2|bearer|/vault/credentials/$CREDENTIAL_ID/proofs|$WORK/credential_prove.json:application/json"
  "POST /verifier/requests|1|verifier|/verifier/requests|$WORK/proof_request.json:application/json"
  "POST /verifier/requests|4|verifier|/verifier/requests|$WORK/proof_request.json:application/json"
  "POST /auth/login|4|json|/auth/login|$WORK/login.json"
)
printf '\n%-36s %5s %10s %9s %9s %7s\n' route conns req/s p50_ms p99_ms errors
for run in "${RUNS[@]}"; do
  IFS='|' read -r name conns kind path arg <<<"$run"
  if [ -n "${BENCH_ONLY:-}" ] && ! grep -Eq -- "$BENCH_ONLY" <<<"$name"; then continue; fi
  if [ -n "${BENCH_CONNS:-}" ] && ! grep -qw -- "$conns" <<<"$BENCH_CONNS"; then continue; fi
  if [ "$kind" = fixed ]; then
    rate=${arg%%:*}
    if [ "$rate" = "$arg" ]; then
      printf 'GET %s\n' "$BASE$path" >"$WORK/targets.txt"
    else
      printf 'POST %s\nContent-Type: application/json\n@%s\n' "$BASE$path" "${arg#*:}" >"$WORK/targets.txt"
    fi
    "$VEGETA" attack -targets="$WORK/targets.txt" -rate="$rate" -duration="${SECONDS_PER_RUN}s" -timeout=10s \
      -max-workers=512 | "$VEGETA" report -type=json >"$WORK/out.json"
    python3 - "$name" "$rate" "$WORK/out.json" <<'PY'
import json, sys
name, rate, path = sys.argv[1:4]
r = json.load(open(path))
errors = r["requests"] - sum(n for code, n in r["status_codes"].items() if code.startswith("2"))
ms = lambda q: r["latencies"][q] / 1e6
print(f"{name:<36} {'@' + rate:>5} {r['throughput']:>10.0f} {ms('50th'):>9.2f} {ms('99th'):>9.2f} {errors:>7}")
PY
    continue
  fi
  threads=$(( conns < 2 ? 1 : 2 ))
  script="$WORK/request.lua"
  case "$kind" in
    get) printf 'wrk.method = "GET"\n' >"$script" ;;
    json)
      printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nlocal f = io.open("%s", "rb")\nwrk.body = f:read("*a")\nf:close()\n' \
        "$arg" >"$script" ;;
    bearer|verifier)
      file=${arg%%:*}; ctype=${arg#*:}
      token=$ACCESS; [ "$kind" = verifier ] && token=$VERIFIER
      printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "%s"\nwrk.headers["Authorization"] = "Bearer %s"\nlocal f = io.open("%s", "rb")\nwrk.body = f:read("*a")\nf:close()\n' \
        "$ctype" "$token" "$file" >"$script" ;;
    signed)
      action=${arg%%:*}; batch=${arg#*:}
      count=$(( batch > 0 ? 400 * SECONDS_PER_RUN : 4000 * SECONDS_PER_RUN ))
      sign_requests "$action" "$count" "$batch" "$WORK/signed.txt"
      cat >"$script" <<LUA
local next_id = 0
function setup(thread) thread:set("id", next_id); next_id = next_id + 1 end
local requests, i = {}, 0
function init(args)
  local n = 0
  for line in io.lines("$WORK/signed.txt") do
    if n % $threads == id then
      local sig, body = line:match("^(%x+)\t(.*)$")
      requests[#requests + 1] = wrk.format("POST", nil, {["Content-Type"] = "application/json", ["X-AI-Signature"] = sig}, body)
    end
    n = n + 1
  end
end
function request() i = i % #requests + 1; return requests[i] end
LUA
      ;;
  esac
  wrk -t"$threads" -c"$conns" -d"${SECONDS_PER_RUN}s" --timeout 10s --latency -s "$script" "$BASE$path" >"$WORK/out.txt" 2>&1
  python3 - "$name" "$conns" "$WORK/out.txt" <<'PY'
import sys
sys.path.insert(0, "scripts/lib")
import wrk_summary
name, conns, path = sys.argv[1:4]
try:
    w = wrk_summary.read(path)
except ValueError as e:
    sys.exit(f"wrk failed for {name}: {e}")
print(f"{name:<36} {conns:>5} {w.rps:>10.0f} {w.ms('50'):>9.2f} {w.ms('99'):>9.2f} {w.errors:>7}")
PY
done
# From the holder's consent to the verifier's webhook, one request at a time.
if [ -z "${BENCH_ONLY:-}" ] || grep -Eq -- "$BENCH_ONLY" <<<"consent to webhook"; then
  echo
  python3 scripts/lib/request_latency.py "$BASE" "$WORK" "${BENCH_CONSENTS:-40}"
fi
loaded_rss=$(rss_kb)
# How the verifications of the whole run were scheduled (at once, or queued into batches).
batching=$(curl -sf "$BASE/monitoring/metrics" | python3 -c '
import json, sys
b = json.load(sys.stdin)["verification_batching"]
now, queued, batches, batched, fallbacks, full = (
    b[k] for k in ("immediate", "queued", "batches", "batched", "fallbacks", "queue_full"))
size = batched / batches if batches else 0
print(f"{now} at once, {queued} queued into {batches} batches (mean size {size:.1f}), "
      f"{fallbacks} fallbacks, {full} refused (queue full)")' 2>/dev/null || echo unknown)
kill "$PID"; wait "$PID" 2>/dev/null || true

# Start to ready again, after the load runs left a large database behind.
start_ns=$(date +%s%N)
serve
until curl -sf "$BASE/monitoring/ready" >/dev/null; do sleep 0.005; done
ready_after_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))

echo
echo "store: ${BENCH_DATABASE_URL:-sqlite (embedded default)}"
echo "verification batching: ${VERIFY_BATCHING:-true} (max ${VERIFY_BATCH_MAX:-32}, wait ${VERIFY_BATCH_WAIT_US:-0} µs); verifications: $batching"
echo "start to ready: ${ready_ms} ms with existing keys (${first_ready_ms} ms on the first start, generating keys; ${ready_after_ms} ms after the load runs, database $(du -sh "$WORK/data" | cut -f1))"
echo "RSS: idle $((idle_rss / 1024)) MiB (fresh process), $((seeded_rss / 1024)) MiB after seeding (proving key loaded), $((loaded_rss / 1024)) MiB after the load runs"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg)"
