"""Times proof requests end to end on a running, seeded server (scripts/bench.sh runs it).

    python3 scripts/lib/request_latency.py BASE_URL WORK_DIR COUNT

WORK_DIR holds what bench.sh seeded: `verifier` (a verifier's access token), `access` (the
holder's), `credential_id` (the holder's credential) and `proof_request.json` (the request's
body). A receiver on 127.0.0.1 (a development server allows loopback callbacks) takes the
webhooks. One request at a time: the verifier creates it with the receiver as callback, the
holder answers it with the credential, and the receiver notes when the event arrives. Prints
p50 and p99 of: consent → answer (the holder's request: proving and verifying on the server),
answer → webhook (the outbox), consent → webhook (what the verifier's backend waits).
"""

import json
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, "scripts/lib")
from seed import call  # noqa: E402

WEBHOOK_WAIT_SECONDS = 30


class Arrivals:
    """When each request's event arrived (monotonic seconds), by request id."""

    def __init__(self):
        self.lock = threading.Condition()
        self.times = {}

    def note(self, request_id):
        with self.lock:
            self.times.setdefault(request_id, time.monotonic())
            self.lock.notify_all()

    def wait(self, request_id):
        deadline = time.monotonic() + WEBHOOK_WAIT_SECONDS
        with self.lock:
            while request_id not in self.times:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise SystemExit(f"no webhook for {request_id} within {WEBHOOK_WAIT_SECONDS} s")
                self.lock.wait(left)
            return self.times[request_id]


def receiver(arrivals):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            arrivals.note(json.loads(body)["data"]["id"])
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    base, work, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    read = lambda name: open(f"{work}/{name}").read().strip()  # noqa: E731
    verifier, holder, credential = read("verifier"), read("access"), read("credential_id")
    body = json.load(open(f"{work}/proof_request.json"))
    arrivals = Arrivals()
    server = receiver(arrivals)
    body["callback_url"] = f"http://127.0.0.1:{server.server_address[1]}/hook"
    answer_ms, outbox_ms, total_ms = [], [], []
    for _ in range(count):
        created = call(base, "POST", "/verifier/requests", body, verifier)
        request = created["request"]
        token = request["request_uri"].rsplit("/", 1)[1]
        consent = time.monotonic()
        answered = call(base, "POST", f"/requests/{token}/respond", {"credential_id": credential}, holder)
        done = time.monotonic()
        status = answered.get("request", answered).get("status")
        if status != "completed":
            raise SystemExit(f"the request ended {status!r}, not completed: {answered}")
        arrived = arrivals.wait(request["id"])
        answer_ms.append((done - consent) * 1000)
        outbox_ms.append((arrived - done) * 1000)
        total_ms.append((arrived - consent) * 1000)
    server.shutdown()
    print(f"{'proof request (one at a time)':<36} {'n':>5} {'p50_ms':>9} {'p99_ms':>9}")
    for name, values in (("consent → answer", answer_ms), ("answer → webhook", outbox_ms),
                         ("consent → webhook", total_ms)):
        print(f"{name:<36} {len(values):>5} {percentile(values, 50):>9.1f} {percentile(values, 99):>9.1f}")


if __name__ == "__main__":
    main()
