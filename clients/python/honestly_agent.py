"""A small client for the Honestly AI-agent API.

It signs exactly like agents written against the original system:

    payload = json.dumps(request_data, sort_keys=True)
    signature = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
    requests.post(url, json=request_data, headers={"X-AI-Signature": signature})

Only dependency: ``requests``. Service agents sign with the deployment's ``AI_AGENT_SECRET``
(any agent id); delegated agents use the ``agt_...`` id and the secret shown once when their user
created them (``POST /ai/agents``).

    agent = HonestlyAgent("https://vault.example", "my_agent_001", os.environ["AI_AGENT_SECRET"])
    result = agent.verify_proof("age_proof_v2", proof, public_signals, expected={"min_age": 18})
    if result["success"] and result["data"]["verified"]:
        ...
"""

import hashlib
import hmac
import json
import time

import requests

__all__ = ["HonestlyAgent", "sign"]


def sign(secret, request_data):
    """The hex HMAC-SHA256 of ``json.dumps(request_data, sort_keys=True)`` under ``secret``."""
    payload = json.dumps(request_data, sort_keys=True)
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


class HonestlyAgent:
    """Signs envelopes and calls the ``/ai`` routes; every call returns the response envelope
    ``{"success", "data", "error", "metadata"}`` as a dict (also for refusals: check
    ``success`` and ``error["code"]``)."""

    def __init__(self, base_url, agent_id, secret, timeout=10.0, session=None):
        self.base_url = base_url.rstrip("/")
        self.agent_id = agent_id
        self._secret = secret
        self.timeout = timeout
        self.session = session or requests.Session()

    def __repr__(self):
        # Never show the secret.
        return "HonestlyAgent(%r, %r)" % (self.base_url, self.agent_id)

    def envelope(self, action, parameters, timestamp=None):
        """The request body for ``action``, stamped with the current time."""
        return {
            "agent_id": self.agent_id,
            "action": action,
            "parameters": parameters,
            "timestamp": time.time() if timestamp is None else timestamp,
        }

    def send(self, path, request_data):
        """Signs ``request_data`` and posts it to ``path``; returns the ``requests`` response."""
        signature = sign(self._secret, request_data)
        return self.session.post(
            self.base_url + path,
            json=request_data,
            headers={"X-AI-Signature": signature},
            timeout=self.timeout,
        )

    def call(self, path, action, parameters):
        """One signed call; the parsed response envelope."""
        return self.send(path, self.envelope(action, parameters)).json()

    def verify_proof(self, proof_type, proof, public_signals, expected=None, consume_nullifier=True):
        """Verifies one proof (its nullifier is consumed unless ``consume_nullifier`` is false)."""
        parameters = {
            "proof_type": proof_type,
            "proof": proof,
            "public_signals": public_signals,
            "consume_nullifier": consume_nullifier,
        }
        if expected:
            parameters["expected"] = expected
        return self.call("/ai/verify-proof", "verify_proof", parameters)

    def verify_proof_data(self, proof_type, proof_data, expected=None, consume_nullifier=True):
        """Verifies one proof given as the original system's ``proof_data`` JSON string."""
        parameters = {"proof_type": proof_type, "proof_data": proof_data, "consume_nullifier": consume_nullifier}
        if expected:
            parameters["expected"] = expected
        return self.call("/ai/verify-proof", "verify_proof", parameters)

    def verify_proofs_batch(self, proofs):
        """Verifies 1-100 proofs (each a dict of ``verify_proof`` parameters) at once."""
        return self.call("/ai/verify-proofs-batch", "verify_proofs_batch", {"proofs": proofs})

    def get_document_hash(self, document_id=None, document_sha256=None):
        """Looks a registered document up by id (delegated agents) or by SHA-256."""
        parameters = {}
        if document_id is not None:
            parameters["document_id"] = document_id
        if document_sha256 is not None:
            parameters["document_sha256"] = document_sha256
        return self.call("/ai/get-document-hash", "get_document_hash", parameters)

    def create_share_link(self, **link):
        """Creates a share link for the delegated agent's user (fields of POST /vault/share-links)."""
        return self.call("/ai/create-share-link", "create_share_link", link)

    def create_proof_request(self, **request):
        """Asks holders for a proof for the delegated agent's user (fields of POST /verifier/requests)."""
        return self.call("/ai/create-proof-request", "create_proof_request", request)

    def health(self):
        """The unsigned health check."""
        return self.session.get(self.base_url + "/ai/health", timeout=self.timeout).json()
