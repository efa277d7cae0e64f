"""Seeds a running `honestly serve` so schemathesis can reach real objects.

Logs the admin in (twice: one session is spent by the fuzzed `POST /auth/logout`), uploads
documents, makes a proof, creates share links (and reads one's signed content URL),
registers an external circuit and creates delegated agents. Prints `export NAME=value` lines for `run.sh` to evaluate; the names are
the `${…}` placeholders of `schemathesis.toml`.

Environment: HONESTLY_URL, HONESTLY_ADMIN_USERNAME, HONESTLY_ADMIN_PASSWORD.
"""

import os
import shlex
import sys
from urllib.parse import parse_qs, urlsplit

import requests

BASE = os.environ["HONESTLY_URL"].rstrip("/")
CREDENTIALS = {
    "username": os.environ["HONESTLY_ADMIN_USERNAME"],
    "password": os.environ["HONESTLY_ADMIN_PASSWORD"],
}
TIMEOUT = 120


def call(method, path, expected, token=None, **kwargs):
    headers = kwargs.pop("headers", {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    response = requests.request(method, BASE + path, headers=headers, timeout=TIMEOUT, **kwargs)
    if response.status_code != expected:
        sys.exit(f"seed: {method} {path} answered {response.status_code}, expected {expected}: {response.text}")
    return response.json() if response.content else None


def login():
    return call("POST", "/auth/login", 200, json=CREDENTIALS)


def upload(token, name, content):
    files = {"file": (name, content, "application/pdf")}
    data = {"document_type": "identity", "metadata": '{"issuer": "fuzz"}'}
    return call("POST", "/vault/documents", 201, token, files=files, data=data)["document"]["id"]


def link(token, document_id, **extra):
    body = {"document_id": document_id, "access_level": "full", **extra}
    return call("POST", "/vault/share-links", 201, token, json=body)["link"]


def main():
    session = login()
    token = session["access_token"]
    logout_token = login()["access_token"]

    document = upload(token, "passport.pdf", b"fuzzing passport")
    doomed_document = upload(token, "old.pdf", b"a document the fuzzer may delete")
    proof = call(
        "POST",
        f"/vault/documents/{document}/proofs",
        201,
        token,
        json={"proof_type": "age_proof", "birth_date": "1990-05-17", "min_age": 18},
    )["proof"]["id"]
    shared = link(token, document, proof_id=proof)
    guarded = link(token, document, proof_id=proof, passphrase="fuzz passphrase")
    doomed_link = link(token, document)["id"]
    # The view of a `full` link carries a signed content URL, valid for 5 minutes.
    content_url = call("GET", f"/vault/share/{shared['token']}", 200)["content_url"]
    content_query = {name: values[0] for name, values in parse_qs(urlsplit(content_url).query).items()}

    vk = call("GET", "/zkp/artifacts/age_proof/verification_key.json", 200)
    call("POST", "/zkp/circuits", 201, token, json={"name": "fuzz_external", "verification_key": vk})

    agent = call("POST", "/ai/agents", 201, token, json={"name": "fuzz"})["data"]
    doomed_agent = call("POST", "/ai/agents", 201, token, json={"name": "doomed"})["data"]["agent_id"]

    values = {
        "HONESTLY_FUZZ_TOKEN": token,
        "HONESTLY_FUZZ_REFRESH_TOKEN": session["refresh_token"],
        "HONESTLY_FUZZ_LOGOUT_TOKEN": logout_token,
        "HONESTLY_FUZZ_DOCUMENT": document,
        "HONESTLY_FUZZ_DOOMED_DOCUMENT": doomed_document,
        "HONESTLY_FUZZ_PROOF": proof,
        "HONESTLY_FUZZ_LINK_TOKEN": shared["token"],
        "HONESTLY_FUZZ_CONTENT_EXPIRES": content_query["expires"],
        "HONESTLY_FUZZ_CONTENT_SIG": content_query["sig"],
        "HONESTLY_FUZZ_GUARDED_LINK_TOKEN": guarded["token"],
        "HONESTLY_FUZZ_DOOMED_LINK": doomed_link,
        "HONESTLY_FUZZ_CIRCUIT": "fuzz_external",
        "HONESTLY_FUZZ_AGENT": agent["agent_id"],
        "HONESTLY_FUZZ_AGENT_SECRET": agent["secret"],
        "HONESTLY_FUZZ_DOOMED_AGENT": doomed_agent,
    }
    for name, value in values.items():
        print(f"export {name}={shlex.quote(value)}")


if __name__ == "__main__":
    main()
