// A small client of the main operations, written against the types openapi-typescript makes
// from the server's /openapi.json (generated/schema.d.ts, made by check.sh). It is never run:
// `tsc --noEmit` type-checking it is the test that the document describes what a client needs
// (paths, parameters, request bodies, response bodies) precisely enough for a generator.

import createClient from "openapi-fetch";

import type { components, operations, paths } from "./generated/schema";

type Document = components["schemas"]["DocumentView"];
type Link = components["schemas"]["LinkView"];
type Proof = components["schemas"]["ProofView"];

const api = createClient<paths>({ baseUrl: "http://127.0.0.1:8000" });

export async function signUpAndIn(username: string, password: string): Promise<string> {
  const created = await api.POST("/auth/register", { body: { username, password } });
  const id: string | undefined = created.data?.user.id;
  const login = await api.POST("/auth/login", { body: { username, password } });
  if (!login.data) {
    throw new Error(`login failed for ${id ?? username}: ${login.error?.error.code}`);
  }
  const tokenType: string = login.data.token_type;
  const expiresIn: number = login.data.expires_in;
  void tokenType;
  void expiresIn;
  return login.data.access_token;
}

function bearer(token: string) {
  return { Authorization: `Bearer ${token}` };
}

export async function upload(token: string, bytes: Blob): Promise<Document | undefined> {
  const stored = await api.POST("/vault/documents", {
    headers: bearer(token),
    body: { file: "", document_type: "identity", metadata: '{"country": "FR"}' },
    bodySerializer() {
      const form = new FormData();
      form.append("file", bytes, "passport.pdf");
      form.append("document_type", "identity");
      return form;
    },
  });
  return stored.data?.document;
}

export async function firstPage(token: string): Promise<string[]> {
  const page = await api.GET("/vault/documents", { headers: bearer(token), params: { query: { limit: 20 } } });
  const cursor: string | null | undefined = page.data?.next_cursor;
  void cursor;
  return (page.data?.documents ?? []).map((d) => `${d.id} ${d.sha256} ${d.size_bytes}`);
}

export async function proveAge(token: string, documentId: string): Promise<Proof | undefined> {
  const made = await api.POST("/vault/documents/{id}/proofs", {
    headers: bearer(token),
    params: { path: { id: documentId } },
    body: { proof_type: "age_proof", birth_date: "1990-05-17", min_age: 18 },
  });
  if (made.response.status === 422) {
    return undefined;
  }
  return made.data?.proof;
}

export async function share(token: string, documentId: string, proofId: string): Promise<Link | undefined> {
  const made = await api.POST("/vault/share-links", {
    headers: bearer(token),
    body: { document_id: documentId, proof_id: proofId, access_level: "proof_only", expires_in_hours: 24, max_accesses: 3 },
  });
  const url: string | undefined = made.data?.link.url ?? undefined;
  void url;
  return made.data?.link;
}

export async function verifyAsAnyone(made: Proof): Promise<boolean> {
  const verdict = await api.POST("/zkp/verify", {
    body: {
      proof_type: made.proof_type,
      proof: made.proof,
      public_signals: made.public_signals,
      expected: { min_age: 18, max_proof_age_seconds: 600 },
    },
  });
  const minAge: string | undefined = made.public_inputs["minAge"];
  void minAge;
  // The answer lists what it checked and what it did not; rely only on what was checked.
  const unchecked: string[] = verdict.data?.unchecked ?? [];
  const checked: string[] = verdict.data?.checked ?? [];
  return (verdict.data?.verified ?? false) && checked.includes("min_age") && !unchecked.includes("min_age");
}

export async function circuitNames(): Promise<string[]> {
  const circuits = await api.GET("/zkp/circuits");
  return (circuits.data ?? []).map((c) => `${c.name}/${c.n_public}`);
}

export async function whoAmI(token: string): Promise<string | undefined> {
  const me = await api.GET("/auth/me", { headers: bearer(token) });
  return me.data?.user.role;
}

export async function revoke(token: string, linkId: string): Promise<boolean> {
  const gone = await api.DELETE("/vault/share-links/{id}", { headers: bearer(token), params: { path: { id: linkId } } });
  return gone.response.status === 204;
}

// Every operation has a unique name a generator can use as a function name.
export type OperationNames = keyof operations;
const named: OperationNames[] = ["register", "login", "uploadDocument", "listDocuments", "createProof", "verifyProof"];
void named;
