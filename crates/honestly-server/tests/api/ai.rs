//! The signed AI-agent API: envelopes, signatures, replay and freshness, service versus
//! delegated agents, batches, nullifiers, rate limits and monitoring.

use serde_json::{json, Value};

use crate::agent_support::{
    ai_app, assert_refused, proven_document, unix_now, Agent, OLD_SERVICE_SECRET, SERVICE_SECRET,
};
use crate::helpers::MONITORING_TOKEN;

fn proof_params(p: &crate::agent_support::Proven) -> Value {
    json!({"proof_type": "age_proof_v2", "proof": p.proof, "public_signals": p.public_signals})
}

#[tokio::test]
async fn envelopes_and_signatures_are_checked_and_every_answer_is_enveloped() {
    let app = ai_app(&[]).await;
    let agent = Agent::service("checker-1");
    let url = app.url("/ai/verify-proof");
    let params = json!({"proof_type": "age_proof", "proof": {}, "public_signals": []});

    // Not JSON: 400 in the envelope.
    let r = app
        .client
        .post(&url)
        .header("X-AI-Signature", "00".repeat(32))
        .header("Content-Type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    crate::helpers::assert_security_headers(&r);
    assert_refused(status, &r.json().await.unwrap(), 400, "VALIDATION_FAILED");

    // An unknown envelope member: 400 naming it.
    let mut body = agent.envelope("verify_proof", params.clone());
    body["extra"] = json!(1);
    let r = agent.post(&app, "/ai/verify-proof", &body).await;
    let (status, body) = (r.status().as_u16(), r.json::<Value>().await.unwrap());
    assert_refused(status, &body, 400, "VALIDATION_FAILED");
    assert_eq!(body["error"]["fields"]["extra"], "unknown field");

    // No signature, a malformed one, a wrong secret: 401 INVALID_SIGNATURE.
    let envelope = agent.envelope("verify_proof", params.clone());
    let r = app.client.post(&url).json(&envelope).send().await.unwrap();
    let status = r.status().as_u16();
    let body: Value = r.json().await.unwrap();
    assert_refused(status, &body, 401, "INVALID_SIGNATURE");
    assert_eq!(body["metadata"]["agent_id"], "checker-1", "the claimed agent is reported");
    let r = app.client.post(&url).header("X-AI-Signature", "xyz").json(&envelope).send().await.unwrap();
    let status = r.status().as_u16();
    assert_refused(status, &r.json().await.unwrap(), 401, "INVALID_SIGNATURE");
    let impostor = Agent { id: "checker-1".into(), secret: "not the secret".into() };
    let (status, body) = impostor.call(&app, "/ai/verify-proof", "verify_proof", params.clone()).await;
    assert_refused(status, &body, 401, "INVALID_SIGNATURE");

    // The action must match the route.
    let (status, body) = agent.call(&app, "/ai/verify-proof", "get_document_hash", params.clone()).await;
    assert_refused(status, &body, 400, "VALIDATION_FAILED");
    assert!(body["error"]["fields"]["action"].is_string());

    // Accepted: canonical signature with the current secret, then with the older one, and a
    // signature over the raw body bytes.
    let (status, body) = agent.call(&app, "/ai/verify-proof", "verify_proof", params.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["success"], true);
    assert_eq!(body["error"], Value::Null);
    assert_eq!(body["data"]["verified"], false);
    assert_eq!(body["data"]["reason"], "malformed");
    assert_eq!(body["metadata"]["agent_id"], "checker-1");
    assert!(body["metadata"]["timestamp"].as_str().is_some_and(|t| t.ends_with('Z')));
    let old = Agent { id: "checker-1".into(), secret: OLD_SERVICE_SECRET.into() };
    let (status, _) = old.call(&app, "/ai/verify-proof", "verify_proof", params.clone()).await;
    assert_eq!(status, 200, "a rotated-out secret still in the list verifies");
    let raw = serde_json::to_vec(&agent.envelope("verify_proof", params.clone())).unwrap();
    let signature = honestly_core::agents::signature::sign_hex(SERVICE_SECRET.as_bytes(), &raw);
    let r = app
        .client
        .post(&url)
        .header("X-AI-Signature", signature)
        .header("Content-Type", "application/json; charset=utf-8")
        .body(raw)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "a signature over the raw body verifies");

    // A delegated-agent id cannot be claimed with the service secret.
    let fake = Agent::service("agt_0123456789abcdef0123456789abcdef");
    let (status, body) = fake.call(&app, "/ai/verify-proof", "verify_proof", params.clone()).await;
    assert_refused(status, &body, 401, "INVALID_SIGNATURE");

    // Missing parameters: 400; unknown /ai route: 404 in the envelope; health unsigned.
    let (status, body) =
        agent.call(&app, "/ai/verify-proof", "verify_proof", json!({"proof_type": "age_proof"})).await;
    assert_refused(status, &body, 400, "VALIDATION_FAILED");
    let r = app.get("/ai/nothing-here").await;
    let status = r.status().as_u16();
    assert_refused(status, &r.json().await.unwrap(), 404, "NOT_FOUND");
    let r = app.get("/ai/health").await;
    assert_eq!(r.status(), 200);
    let health: Value = r.json().await.unwrap();
    assert_eq!(health["success"], true);
    assert_eq!(health["data"]["status"], "healthy");
    assert_eq!(health["metadata"]["agent_id"], Value::Null);
}

#[tokio::test]
async fn signed_routes_require_a_json_content_type() {
    let app = ai_app(&[]).await;
    let agent = Agent::service("typed-bot");
    let p = proven_document(&app, "lena").await;
    let calls = [
        (
            "/ai/verify-proof",
            "verify_proof",
            json!({"proof_type": "age_proof", "proof": {}, "public_signals": []}),
        ),
        ("/ai/verify-proofs-batch", "verify_proofs_batch", json!({"proofs": []})),
        ("/ai/get-document-hash", "get_document_hash", json!({"document_sha256": p.sha256})),
        ("/ai/create-share-link", "create_share_link", json!({"document_id": p.document_id})),
    ];
    for (path, action, parameters) in calls {
        let body = agent.envelope(action, parameters);
        let bytes = serde_json::to_vec(&body).unwrap();
        for content_type in [None, Some("text/plain"), Some("application/x-www-form-urlencoded")] {
            let mut request = app
                .client
                .post(app.url(path))
                .header("X-AI-Signature", agent.sign(&body))
                .body(bytes.clone());
            if let Some(content_type) = content_type {
                request = request.header("Content-Type", content_type);
            }
            let r = request.send().await.unwrap();
            let status = r.status().as_u16();
            let answer: Value = r.json().await.unwrap();
            assert_refused(status, &answer, 415, "UNSUPPORTED_MEDIA_TYPE");
            assert_eq!(answer["error"]["message"], "Expected Content-Type: application/json");
        }
        // Refused before the signature was accepted: the same request, well typed, still
        // passes (it was not remembered as used).
        let r = agent.post(&app, path, &body).await;
        assert_ne!(r.status().as_u16(), 415, "{path}");
        assert_ne!(r.status().as_u16(), 409, "{path}: a refused request is not remembered");
    }
}

#[tokio::test]
async fn replays_and_stale_timestamps_are_refused_and_nullifiers_are_consumed_once() {
    let app = ai_app(&[]).await;
    let p = proven_document(&app, "alice").await;
    let agent = Agent::service("verifier-7");

    let envelope = agent.envelope("verify_proof", proof_params(&p));
    let first = agent.post(&app, "/ai/verify-proof", &envelope).await;
    assert_eq!(first.status(), 200);
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["data"]["verified"], true, "{first}");
    assert_eq!(first["data"]["proof_type"], "age_proof_v2");
    assert_eq!(first["data"]["attestation"], "self_declared");
    assert_eq!(first["data"]["public_inputs"]["minAge"], "18");
    assert_eq!(first["data"]["nullifier"], p.public_signals[4]);
    assert!(first["data"]["verification_time_ms"].as_f64().is_some_and(|t| t > 0.0));

    let again = agent.post(&app, "/ai/verify-proof", &envelope).await;
    let status = again.status().as_u16();
    assert_refused(status, &again.json().await.unwrap(), 409, "REPLAYED_REQUEST");

    for skew in [-400.0, 400.0] {
        let mut stale = agent.envelope("verify_proof", proof_params(&p));
        stale["timestamp"] = json!(unix_now() + skew);
        let r = agent.post(&app, "/ai/verify-proof", &stale).await;
        let status = r.status().as_u16();
        assert_refused(status, &r.json().await.unwrap(), 401, "STALE_REQUEST");
    }
    // An integer timestamp is fine.
    let mut integer = agent.envelope("verify_proof", proof_params(&p));
    integer["timestamp"] = json!(unix_now() as u64);
    integer["parameters"]["consume_nullifier"] = json!(false);
    let r = agent.post(&app, "/ai/verify-proof", &integer).await;
    assert_eq!(r.status(), 200);
    let peek: Value = r.json().await.unwrap();
    assert_eq!(peek["data"]["verified"], false, "a consumed nullifier shows even without consuming");
    assert_eq!(peek["data"]["reason"], "nullifier_used");

    // A fresh proof of another user: eight concurrent consumptions, exactly one wins.
    let q = proven_document(&app, "bob").await;
    let calls = (0..8).map(|_| agent.call(&app, "/ai/verify-proof", "verify_proof", proof_params(&q)));
    let answers = futures::future::join_all(calls).await;
    let verified = answers.iter().filter(|(s, b)| *s == 200 && b["data"]["verified"] == true).count();
    let used = answers.iter().filter(|(_, b)| b["data"]["reason"] == "nullifier_used").count();
    assert_eq!((verified, used), (1, 7), "{answers:?}");

    // The original system's proof_data string form.
    let r = proven_document(&app, "carol").await;
    let proof_data = json!({"proof": r.proof, "publicSignals": r.public_signals}).to_string();
    let params = json!({"proof_type": "age_proof_v2", "proof_data": proof_data, "expected": {"min_age": 18}});
    let (status, body) = agent.call(&app, "/ai/verify-proof", "verify_proof", params.clone()).await;
    assert_eq!((status, &body["data"]["verified"]), (200, &json!(true)), "{body}");
    let (_, body) = agent.call(&app, "/ai/verify-proof", "verify_proof", params).await;
    assert_eq!(body["data"]["reason"], "nullifier_used");
    let bad = json!({"proof_type": "age_proof", "proof_data": "not json"});
    let (_, body) = agent.call(&app, "/ai/verify-proof", "verify_proof", bad).await;
    assert_eq!(body["data"]["reason"], "malformed");
}

#[tokio::test]
async fn a_batch_of_50_with_two_bad_proofs_reports_exactly_those_two() {
    let app = ai_app(&[]).await;
    let mut proofs = Vec::new();
    for user in ["dana", "erin", "fay", "gus", "hal"] {
        proofs.push(proven_document(&app, user).await);
    }
    let mut items: Vec<Value> = (0..50)
        .map(|i| {
            let mut item = proof_params(&proofs[i % proofs.len()]);
            item["consume_nullifier"] = json!(false);
            item
        })
        .collect();
    items[7]["public_signals"][0] = json!("21");
    items[31]["proof"]["pi_a"] = json!(["1", "2"]);
    let agent = Agent::service("batcher");
    let (status, body) =
        agent.call(&app, "/ai/verify-proofs-batch", "verify_proofs_batch", json!({"proofs": items})).await;
    assert_eq!(status, 200, "{body}");
    let results = body["data"]["results"].as_array().unwrap();
    assert_eq!(results.len(), 50);
    let failed: Vec<(u64, &str)> = results
        .iter()
        .filter(|r| r["verified"] == false)
        .map(|r| (r["index"].as_u64().unwrap(), r["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(failed, [(7, "invalid_proof"), (31, "malformed")]);
    assert!(results.iter().enumerate().all(|(i, r)| r["index"] == i));
    assert_eq!(body["data"]["summary"]["total"], 50);
    assert_eq!(body["data"]["summary"]["verified"], 48);
    assert_eq!(body["data"]["summary"]["failed"], 2);

    // Consuming within a batch: a repeated nullifier counts once.
    let twice = json!({"proofs": [proof_params(&proofs[0]), proof_params(&proofs[0])]});
    let (_, body) = agent.call(&app, "/ai/verify-proofs-batch", "verify_proofs_batch", twice).await;
    assert_eq!(body["data"]["results"][0]["verified"], true, "{body}");
    assert_eq!(body["data"]["results"][1]["reason"], "nullifier_used");

    // Lookups and consumptions in one batch answer as they would one by one, in order.
    let lookup = |p: &crate::agent_support::Proven| {
        let mut item = proof_params(p);
        item["consume_nullifier"] = json!(false);
        item
    };
    let mixed = json!({"proofs": [lookup(&proofs[2]), proof_params(&proofs[2]), lookup(&proofs[2]), lookup(&proofs[0])]});
    let (_, body) = agent.call(&app, "/ai/verify-proofs-batch", "verify_proofs_batch", mixed).await;
    let answers: Vec<(bool, Option<&str>)> = body["data"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["verified"] == true, r["reason"].as_str()))
        .collect();
    assert_eq!(
        answers,
        [(true, None), (true, None), (false, Some("nullifier_used")), (false, Some("nullifier_used"))],
        "{body}"
    );

    for n in [0usize, 101] {
        let items = vec![proof_params(&proofs[1]); n];
        let (status, body) = agent
            .call(&app, "/ai/verify-proofs-batch", "verify_proofs_batch", json!({"proofs": items}))
            .await;
        assert_refused(status, &body, 400, "VALIDATION_FAILED");
    }
}

#[tokio::test]
async fn service_agents_check_hashes_but_cannot_act_on_documents() {
    let app = ai_app(&[]).await;
    let p = proven_document(&app, "ivy").await;
    let agent = Agent::service("service-bot");

    let (status, body) = agent
        .call(&app, "/ai/get-document-hash", "get_document_hash", json!({"document_sha256": p.sha256}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["sha256"], p.sha256);
    assert_eq!(body["data"]["document_type"], "identity");
    assert_eq!(body["data"]["registered"], true);
    assert!(body["data"].get("document_id").is_none(), "a service agent never learns document ids");
    let (status, body) = agent
        .call(&app, "/ai/get-document-hash", "get_document_hash", json!({"document_sha256": "ab".repeat(32)}))
        .await;
    assert_refused(status, &body, 404, "NOT_FOUND");

    let (status, body) = agent
        .call(&app, "/ai/get-document-hash", "get_document_hash", json!({"document_id": p.document_id}))
        .await;
    assert_refused(status, &body, 403, "FORBIDDEN");
    let link = json!({"document_id": p.document_id, "access_level": "proof_only"});
    let (status, body) = agent.call(&app, "/ai/create-share-link", "create_share_link", link).await;
    assert_refused(status, &body, 403, "FORBIDDEN");
}

async fn create_agent(app: &crate::helpers::TestApp, token: &str, name: &str) -> Agent {
    let r =
        app.client.post(app.url("/ai/agents")).bearer_auth(token).json(&json!({"name": name})).send().await;
    let r = r.unwrap();
    assert_eq!(r.status(), 201);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["success"], true);
    let id = body["data"]["agent_id"].as_str().unwrap().to_string();
    assert!(id.starts_with("agt_"));
    assert_eq!(body["data"]["name"], name);
    Agent { id, secret: body["data"]["secret"].as_str().unwrap().to_string() }
}

#[tokio::test]
async fn delegated_agents_act_for_their_user_only_and_stop_when_deleted() {
    let app = ai_app(&[]).await;
    let mine = proven_document(&app, "judy").await;
    let theirs = proven_document(&app, "karl").await;
    let agent = create_agent(&app, &mine.token, "judy's assistant").await;

    // Listed without its secret; the secret is not stored in plaintext.
    let listed: Value = app.get_bearer("/ai/agents", &mine.token).await.json().await.unwrap();
    assert_eq!(listed["data"]["agents"][0]["agent_id"], agent.id.as_str());
    assert!(!listed.to_string().contains(&agent.secret));
    let one = app.get_bearer(&format!("/ai/agents/{}", agent.id), &mine.token).await;
    assert_eq!(one.status(), 200);
    assert!(!one.text().await.unwrap().contains(&agent.secret));
    let other_user = app.get_bearer(&format!("/ai/agents/{}", agent.id), &theirs.token).await;
    let status = other_user.status().as_u16();
    assert_refused(status, &other_user.json().await.unwrap(), 404, "NOT_FOUND");
    let db = std::fs::read(app.data_dir().join("honestly.db")).unwrap_or_default();
    let wal = std::fs::read(app.data_dir().join("honestly.db-wal")).unwrap_or_default();
    assert!(!db.is_empty() || !wal.is_empty(), "the database file is where the test expects it");
    let needle = agent.secret.as_bytes();
    for bytes in [&db, &wal] {
        assert!(!bytes.windows(needle.len()).any(|w| w == needle), "agent secret stored in plaintext");
    }

    // Its own user's document by id; someone else's is a 404 like a missing one.
    let (status, body) = agent
        .call(&app, "/ai/get-document-hash", "get_document_hash", json!({"document_id": mine.document_id}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["document_id"], mine.document_id.as_str());
    assert_eq!(body["metadata"]["agent_id"], agent.id.as_str());
    let (status, body) = agent
        .call(&app, "/ai/get-document-hash", "get_document_hash", json!({"document_id": theirs.document_id}))
        .await;
    assert_refused(status, &body, 404, "NOT_FOUND");
    let (status, body) = agent
        .call(&app, "/ai/get-document-hash", "get_document_hash", json!({"document_sha256": theirs.sha256}))
        .await;
    assert_refused(status, &body, 404, "NOT_FOUND");

    // Share links for its user's documents only; the link works.
    let link = json!({"document_id": mine.document_id, "access_level": "proof_only", "max_accesses": 2});
    let (status, body) = agent.call(&app, "/ai/create-share-link", "create_share_link", link).await;
    assert_eq!(status, 201, "{body}");
    let token = body["data"]["link"]["token"].as_str().unwrap();
    assert_eq!(app.get(&format!("/vault/share/{token}")).await.status(), 200);
    let link = json!({"document_id": theirs.document_id, "access_level": "proof_only"});
    let (status, body) = agent.call(&app, "/ai/create-share-link", "create_share_link", link).await;
    assert_refused(status, &body, 404, "NOT_FOUND");

    // Deleted: its very next signature fails; deleting again is a 404.
    let deleted =
        app.client.delete(app.url(&format!("/ai/agents/{}", agent.id))).bearer_auth(&mine.token).send().await;
    assert_eq!(deleted.unwrap().status(), 200);
    let (status, body) = agent
        .call(&app, "/ai/get-document-hash", "get_document_hash", json!({"document_id": mine.document_id}))
        .await;
    assert_refused(status, &body, 401, "INVALID_SIGNATURE");
    let again =
        app.client.delete(app.url(&format!("/ai/agents/{}", agent.id))).bearer_auth(&mine.token).send().await;
    assert_eq!(again.unwrap().status(), 404);

    // Managing agents needs a login.
    let r = app.client.post(app.url("/ai/agents")).json(&json!({})).send().await.unwrap();
    let status = r.status().as_u16();
    assert_refused(status, &r.json().await.unwrap(), 401, "UNAUTHORIZED");
}

#[tokio::test]
async fn hash_look_ups_are_scoped_to_the_delegated_agents_user_and_limited_apart() {
    let app = ai_app(&[("AI_HASH_LOOKUP_RATE_LIMIT", "3")]).await;
    let mine = proven_document(&app, "quinn").await;
    let theirs = proven_document(&app, "rosa").await;
    let agent = create_agent(&app, &mine.token, "quinn's assistant").await;
    let by_hash = |sha256: &str| json!({"document_sha256": sha256});

    // Its own user's document by hash: found, with its id (any case of the hex digits).
    let (status, body) = agent
        .call(&app, "/ai/get-document-hash", "get_document_hash", by_hash(&mine.sha256.to_uppercase()))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["document_id"], mine.document_id.as_str());
    // Another user's document: not found, exactly as a hash nobody registered.
    let (status, body) =
        agent.call(&app, "/ai/get-document-hash", "get_document_hash", by_hash(&theirs.sha256)).await;
    assert_refused(status, &body, 404, "NOT_FOUND");

    // The same content in both vaults, the other user's upload the more recent: the agent
    // finds its own user's copy.
    let content = b"a contract both signed".to_vec();
    let own: Value =
        app.upload(&mine.token, "contract.pdf", content.clone(), "other").await.json().await.unwrap();
    let other: Value =
        app.upload(&theirs.token, "contract.pdf", content, "other").await.json().await.unwrap();
    assert_eq!(own["document"]["sha256"], other["document"]["sha256"]);
    let shared = own["document"]["sha256"].as_str().unwrap().to_string();
    let (status, body) =
        agent.call(&app, "/ai/get-document-hash", "get_document_hash", by_hash(&shared)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["document_id"], own["document"]["id"]);

    // Three look-ups by hash a minute for this credential, the fourth is refused; look-ups by
    // id are not counted, nor is anything else.
    let r = agent
        .post(&app, "/ai/get-document-hash", &agent.envelope("get_document_hash", by_hash(&shared)))
        .await;
    assert_eq!(r.headers()["x-ratelimit-limit"], "3");
    assert!(r.headers().get("retry-after").is_some());
    let status = r.status().as_u16();
    assert_refused(status, &r.json().await.unwrap(), 429, "RATE_LIMITED");
    let (status, _) = agent
        .call(&app, "/ai/get-document-hash", "get_document_hash", json!({"document_id": mine.document_id}))
        .await;
    assert_eq!(status, 200, "look-ups by id are not counted");
    let params = json!({"proof_type": "age_proof", "proof": {}, "public_signals": []});
    let (status, _) = agent.call(&app, "/ai/verify-proof", "verify_proof", params).await;
    assert_eq!(status, 200, "other actions are not counted");

    // A second agent of the same user has its own look-ups: it finds its user's copy.
    let second = create_agent(&app, &mine.token, "second").await;
    let (status, body) =
        second.call(&app, "/ai/get-document-hash", "get_document_hash", by_hash(&shared)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["document_id"], own["document"]["id"]);

    // Service agents check existence in every vault (never learning ids), within their own
    // look-up quota, whatever agent_id they claim.
    for (i, sha256) in [&theirs.sha256, &mine.sha256, &shared].into_iter().enumerate() {
        let service = Agent::service(&format!("auditor-{i}"));
        let (status, body) =
            service.call(&app, "/ai/get-document-hash", "get_document_hash", by_hash(sha256)).await;
        assert_eq!(status, 200, "{body}");
        assert!(body["data"].get("document_id").is_none());
    }
    let service = Agent::service("auditor-3");
    let (status, body) =
        service.call(&app, "/ai/get-document-hash", "get_document_hash", by_hash(&theirs.sha256)).await;
    assert_refused(status, &body, 429, "RATE_LIMITED");
}

#[tokio::test]
async fn each_agent_is_rate_limited_and_every_call_is_audited_and_monitored() {
    let app = ai_app(&[("AI_AGENT_RATE_LIMIT", "3")]).await;
    let busy = Agent::service("busy-bot");
    let params = json!({"document_sha256": "cd".repeat(32)});
    for _ in 0..3 {
        let (status, _) = busy.call(&app, "/ai/get-document-hash", "get_document_hash", params.clone()).await;
        assert_eq!(status, 404);
    }
    let r =
        busy.post(&app, "/ai/get-document-hash", &busy.envelope("get_document_hash", params.clone())).await;
    assert!(r.headers().get("retry-after").is_some_and(|v| v.to_str().unwrap().parse::<u64>().unwrap() >= 1));
    assert_eq!(r.headers()["x-ratelimit-limit"], "3");
    let status = r.status().as_u16();
    assert_refused(status, &r.json().await.unwrap(), 429, "RATE_LIMITED");
    // Another secret of AI_AGENT_SECRET is another credential, with its own quota.
    let calm = Agent { id: "calm-bot".into(), secret: OLD_SERVICE_SECRET.into() };
    let (status, _) = calm.call(&app, "/ai/get-document-hash", "get_document_hash", params.clone()).await;
    assert_eq!(status, 404, "another credential has its own quota");
    let unsigned =
        app.client.post(app.url("/ai/get-document-hash")).json(&calm.envelope("x", json!({}))).send();
    assert_eq!(unsigned.await.unwrap().status(), 401);

    let seen: Value = app.get("/monitoring/ai-interactions?limit=3").await.json().await.unwrap();
    let list = seen["interactions"].as_array().unwrap();
    assert_eq!(list.len(), 3);
    assert_eq!(seen["total"], 6);
    assert_eq!(list[0]["error"], "INVALID_SIGNATURE", "newest first: {seen}");
    assert_eq!(list[0]["agent_id"], "calm-bot");
    assert_eq!(list[1]["agent_id"], "calm-bot");
    assert_eq!(list[2]["error"], "RATE_LIMITED");
    assert_eq!(list[2]["success"], false);
    assert!(list[2]["duration_ms"].as_f64().is_some());
    let busy_only: Value =
        app.get("/monitoring/ai-interactions?agent_id=busy-bot").await.json().await.unwrap();
    assert_eq!(busy_only["total"], 4);
    assert!(busy_only["interactions"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["agent_id"] == "busy-bot" && i["action"] == "get_document_hash"));
    assert_eq!(app.get("/monitoring/ai-interactions?limit=0").await.status(), 400);

    app.state.audit.flush().await.unwrap();
    let events = app.state.store.audit_events_after(0, 10_000).await.unwrap();
    let ai: Vec<_> = events.iter().filter(|e| e.action == "http POST /ai/get-document-hash").collect();
    assert_eq!(ai.len(), 6);
    assert_eq!(ai.iter().filter(|e| e.actor == "agent:busy-bot").count(), 4);
    assert!(ai.iter().any(|e| e.reason.as_deref() == Some("RATE_LIMITED (agent busy-bot)")), "{ai:?}");
    assert!(
        ai.iter()
            .any(|e| e.actor == "anonymous"
                && e.reason.as_deref() == Some("INVALID_SIGNATURE (agent calm-bot)"))
    );
}

#[tokio::test]
async fn the_agent_rate_limit_counts_the_credential_not_the_claimed_id() {
    let app = ai_app(&[("AI_AGENT_RATE_LIMIT", "3")]).await;
    let params = json!({"document_sha256": "ce".repeat(32)});
    // Three calls with the service secret, each under a new agent_id, use up its quota...
    for i in 0..3 {
        let agent = Agent::service(&format!("rotating-{i}"));
        let (status, body) =
            agent.call(&app, "/ai/get-document-hash", "get_document_hash", params.clone()).await;
        assert_eq!(status, 404, "{body}");
    }
    // ...so a fourth id is refused, on every signed route.
    for (i, (path, action, parameters)) in [
        ("/ai/get-document-hash", "get_document_hash", params.clone()),
        (
            "/ai/verify-proof",
            "verify_proof",
            json!({"proof_type": "age_proof", "proof": {}, "public_signals": []}),
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let agent = Agent::service(&format!("never-seen-{i}"));
        let (status, body) = agent.call(&app, path, action, parameters).await;
        assert_refused(status, &body, 429, "RATE_LIMITED");
        assert_eq!(body["metadata"]["agent_id"], format!("never-seen-{i}"));
    }

    // A delegated agent has its own quota, and so does each of its peers.
    let p = proven_document(&app, "nina").await;
    let first = create_agent(&app, &p.token, "first").await;
    let second = create_agent(&app, &p.token, "second").await;
    for _ in 0..3 {
        let (status, _) =
            first.call(&app, "/ai/get-document-hash", "get_document_hash", params.clone()).await;
        assert_eq!(status, 404);
    }
    let (status, body) = first.call(&app, "/ai/get-document-hash", "get_document_hash", params.clone()).await;
    assert_refused(status, &body, 429, "RATE_LIMITED");
    let (status, _) = second.call(&app, "/ai/get-document-hash", "get_document_hash", params).await;
    assert_eq!(status, 404, "another delegated agent is another credential");
}

#[tokio::test]
async fn agent_interactions_need_the_monitoring_token_in_production() {
    let app = crate::helpers::TestApp::spawn_with(crate::helpers::Options {
        env: vec![("AI_AGENT_SECRET", SERVICE_SECRET.to_string())],
        production: true,
    })
    .await;
    assert_eq!(app.get("/monitoring/ai-interactions").await.status(), 401);
    let r = app.get_bearer("/monitoring/ai-interactions", MONITORING_TOKEN).await;
    assert_eq!(r.status(), 200);
}
