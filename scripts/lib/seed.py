"""Seeds a running server for the load scripts (bench.sh, soak.sh): one user, one 4 KiB
document, one age proof of it and one unbounded share link; writes what the scripts need.

    python3 scripts/lib/seed.py BASE_URL USERNAME OUT.json

OUT.json holds: creds, token (access token), doc_id, proof ({id, proof, public_signals}),
link_token. The module's `call` and `multipart` helpers are importable too.
"""

import json
import sys
import urllib.request

PASSWORD = "correct horse battery staple"
BOUNDARY = "honestlyload"


def call(base, method, path, body=None, token=None, raw=None, ctype="application/json"):
    """One request; the parsed JSON answer (raises on a non-2xx status)."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("content-type", ctype)
    if token:
        req.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"null")


def multipart(file_name, content, document_type="identity"):
    """A document upload body for BOUNDARY."""
    head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"document_type\"\r\n\r\n{document_type}\r\n"
            f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n").encode()
    return head + content + f"\r\n--{BOUNDARY}--\r\n".encode()


MULTIPART_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


def seed(base, username):
    creds = {"username": username, "password": PASSWORD}
    call(base, "POST", "/auth/register", creds)
    token = call(base, "POST", "/auth/login", creds)["access_token"]
    doc = call(base, "POST", "/vault/documents", raw=multipart("id.pdf", b"x" * 4096), token=token,
               ctype=MULTIPART_TYPE)
    doc_id = doc["document"]["id"]
    proof = call(base, "POST", f"/vault/documents/{doc_id}/proofs",
                 {"proof_type": "age_proof", "birth_date": "1990-05-17", "min_age": 18}, token)["proof"]
    link = call(base, "POST", "/vault/share-links",
                {"document_id": doc_id, "proof_id": proof["id"], "access_level": "proof_only",
                 "expires_in_hours": 24}, token)["link"]
    return {
        "creds": creds,
        "token": token,
        "doc_id": doc_id,
        "proof": {"id": proof["id"], "proof": proof["proof"], "public_signals": proof["public_signals"]},
        "link_token": link["token"],
    }


if __name__ == "__main__":
    base_url, user, out = sys.argv[1:4]
    with open(out, "w") as f:
        json.dump(seed(base_url, user), f)
