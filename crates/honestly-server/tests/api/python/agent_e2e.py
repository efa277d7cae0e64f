"""An AI agent as written against the original system, run by the Rust test suite.

It signs with the production guide's exact snippet and prints one JSON object with the
status and body of each call; the Rust test asserts on it.
Environment: HONESTLY_URL, AI_AGENT_SECRET, PROOF_FILE (JSON: proof_type, proof,
public_signals), CLIENT_DIR (clients/python).
"""

import hashlib
import hmac
import json
import os
import sys
import time

import requests

AI_AGENT_SECRET = os.environ["AI_AGENT_SECRET"]
BASE = os.environ["HONESTLY_URL"]
with open(os.environ["PROOF_FILE"]) as f:
    PROOF = json.load(f)

url = BASE + "/ai/verify-proof"


def send(request_data, flip=False):
    # The production guide's snippet, verbatim.
    payload = json.dumps(request_data, sort_keys=True)
    signature = hmac.new(AI_AGENT_SECRET.encode(), payload.encode(), hashlib.sha256).hexdigest()
    if flip:
        signature = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    response = requests.post(url, json=request_data, headers={"X-AI-Signature": signature})
    return {"status": response.status_code, "body": response.json()}


def parameters(**extra):
    params = {
        "proof_type": PROOF["proof_type"],
        "proof": PROOF["proof"],
        "public_signals": PROOF["public_signals"],
    }
    params.update(extra)
    return params


results = {}
request_data = {
    "agent_id": "my_agent_001",
    "action": "verify_proof",
    "parameters": parameters(),
    "timestamp": time.time(),
}
results["first"] = send(request_data)
results["replayed"] = send(request_data)
results["stale"] = send(dict(request_data, timestamp=time.time() - 3600))
results["flipped"] = send(dict(request_data, timestamp=time.time()), flip=True)
results["expectation"] = send(
    dict(
        request_data,
        parameters=parameters(expected={"min_age": 99}, consume_nullifier=False),
        timestamp=time.time(),
    )
)
proof_data = json.dumps({"proof": PROOF["proof"], "publicSignals": PROOF["public_signals"]})
results["consumed_again"] = send(
    dict(
        request_data,
        parameters={"proof_type": PROOF["proof_type"], "proof_data": proof_data},
        timestamp=time.time(),
    )
)

# The project's client signs the same way.
sys.path.insert(0, os.environ["CLIENT_DIR"])
from honestly_agent import HonestlyAgent  # noqa: E402

agent = HonestlyAgent(BASE, "client_agent \u00e9", AI_AGENT_SECRET)
results["client_bad_id"] = {"body": agent.verify_proof(PROOF["proof_type"], PROOF["proof"], PROOF["public_signals"])}
agent = HonestlyAgent(BASE, "client_agent", AI_AGENT_SECRET)
results["client_peek"] = {
    "body": agent.verify_proof(
        PROOF["proof_type"], PROOF["proof"], PROOF["public_signals"], consume_nullifier=False
    )
}
results["client_health"] = {"body": agent.health()}
print(json.dumps(results))
