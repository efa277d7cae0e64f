"""Schemathesis hooks: sign the generated `/ai/*` envelopes so fuzzing reaches the handlers.

Without a signature every signed `/ai/*` call stops at `INVALID_SIGNATURE`. For a generated
envelope (a JSON object with the four envelope members) this hook makes it the seeded
delegated agent's, for the route's action, timestamped now, and signs it as docs/signing.md says:
hex HMAC-SHA256 of `json.dumps(envelope, sort_keys=True)` with the agent's secret. The
`parameters` stay as generated. Anything else is sent as generated, unsigned.

Environment (from seed.py): HONESTLY_FUZZ_AGENT, HONESTLY_FUZZ_AGENT_SECRET.
"""

import hashlib
import hmac
import json
import os
import time

import schemathesis

ACTIONS = {
    "/ai/verify-proof": "verify_proof",
    "/ai/verify-proofs-batch": "verify_proofs_batch",
    "/ai/get-document-hash": "get_document_hash",
    "/ai/create-share-link": "create_share_link",
    "/ai/create-proof-request": "create_proof_request",
}
ENVELOPE = {"agent_id", "action", "parameters", "timestamp"}


@schemathesis.hook
def before_call(context, case, kwargs):
    action = ACTIONS.get(case.operation.path)
    body = case.body
    if action is None or not isinstance(body, dict) or set(body) != ENVELOPE:
        return
    envelope = dict(body, agent_id=os.environ["HONESTLY_FUZZ_AGENT"], action=action, timestamp=time.time())
    secret = os.environ["HONESTLY_FUZZ_AGENT_SECRET"].encode()
    signature = hmac.new(secret, json.dumps(envelope, sort_keys=True).encode(), hashlib.sha256).hexdigest()
    case.body = envelope
    case.headers = dict(case.headers or {}, **{"X-AI-Signature": signature})
