//! Verifications batched across requests answer exactly what one-by-one verification
//! answers: concurrent `/zkp/verify` calls with good and bad proofs against the same calls
//! made one at a time on a server with batching off, 1,000 concurrent settlements with
//! replayed nullifiers, a full queue answered 503 with `Retry-After` and recovering, and a
//! lone request verified at once.

use std::time::Duration;

use futures::future::join_all;
use honestly_core::clock::Timestamp;
use honestly_core::zk::{Expected, NullifierUse, Submission, Verifier, VerifyInput, VerifyOutcome};
use serde_json::{json, Value};

use crate::agent_support::{proven_document, Proven};
use crate::helpers::TestApp;

const NO_LIMITS: (&str, &str) = ("RATE_LIMIT_ENABLED", "false");

async fn authenticity_proof(app: &TestApp, p: &Proven) -> Value {
    let created = app
        .client
        .post(app.url(&format!("/vault/documents/{}/proofs", p.document_id)))
        .bearer_auth(&p.token)
        .json(&json!({"proof_type": "authenticity_proof"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    created.json::<Value>().await.unwrap()["proof"].clone()
}

/// `body` made invalid in the way numbered `how`.
fn spoil(body: &Value, how: usize) -> Value {
    let mut bad = body.clone();
    match how % 6 {
        // A public signal changed.
        0 => bad["public_signals"][1] = json!("12345"),
        // Two points swapped: on the curve, but not this proof.
        1 => {
            let a = bad["proof"]["pi_a"].clone();
            bad["proof"]["pi_a"] = bad["proof"]["pi_c"].clone();
            bad["proof"]["pi_c"] = a;
        }
        // A point off the curve.
        2 => bad["proof"]["pi_a"][0] = json!("1"),
        // A valid proof for another document.
        3 => bad["expected"] = json!({"document_sha256": "00".repeat(32)}),
        // A signal missing.
        4 => {
            bad["public_signals"].as_array_mut().unwrap().pop();
        }
        _ => bad["proof_type"] = json!("no_such_circuit"),
    }
    bad
}

async fn verify(app: &TestApp, body: &Value) -> (u16, Value) {
    let response = app.post_json("/zkp/verify", body).await;
    (response.status().as_u16(), response.json().await.unwrap())
}

/// Concurrent `/zkp/verify` calls (age and authenticity proofs, one in twenty spoiled)
/// answer exactly what the same calls answer one at a time with batching off.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_zkp_verify_answers_as_one_by_one() {
    let app = TestApp::spawn_env(&[NO_LIMITS]).await;
    let p = proven_document(&app, "alice").await;
    let auth = authenticity_proof(&app, &p).await;
    let good = [
        json!({"proof_type": "age_proof_v2", "proof": p.proof, "public_signals": p.public_signals,
               "expected": {"min_age": 18, "document_sha256": p.sha256}}),
        json!({"proof_type": "authenticity_proof", "proof": auth["proof"], "public_signals": auth["public_signals"],
               "expected": {"document_sha256": p.sha256}}),
    ];
    let bodies: Vec<Value> = (0..240)
        .map(|i| if i % 20 == 3 { spoil(&good[i % 2], i / 20) } else { good[i % 2].clone() })
        .collect();

    // One at a time, batching off, on the same store (same registry).
    let off = TestApp::spawn_in(app.data_dir(), &[NO_LIMITS, ("VERIFY_BATCHING", "false")]).await;
    let mut expected = Vec::new();
    for body in &bodies {
        expected.push(verify(&off, body).await);
    }
    let verified = expected.iter().filter(|(_, v)| v["verified"] == true).count();
    assert_eq!(verified, 228, "the one-by-one answers: 228 valid, 12 spoiled");
    assert!(expected.iter().any(|(_, v)| v["reason"] == "invalid_proof"));
    assert!(expected.iter().any(|(_, v)| v["reason"] == "malformed"));
    assert!(expected.iter().any(|(_, v)| v["reason"] == "expectation_failed"));
    assert_eq!(off.state.zk.batch_stats().immediate, 0, "batching off never counts");

    let concurrent = join_all(bodies.iter().map(|body| verify(&app, body))).await;
    for (i, (one, batched)) in expected.iter().zip(&concurrent).enumerate() {
        assert_eq!(one, batched, "request {i}");
    }
    let stats = app.state.zk.batch_stats();
    assert!(stats.immediate + stats.queued >= 240, "{stats:?}");
    assert_eq!(stats.queue_depth, 0);
}

/// What a settlement said, in a form that compares.
fn summary(outcome: &VerifyOutcome) -> (bool, Option<&'static str>, Option<String>, usize) {
    (outcome.verified, outcome.reason.map(|r| r.as_str()), outcome.nullifier.clone(), outcome.signals.len())
}

fn input<'a>(body: &'a Value, expected: &'a Expected) -> VerifyInput<'a> {
    VerifyInput {
        proof_type: body["proof_type"].as_str().unwrap(),
        proof: &body["proof"],
        public_signals: &body["public_signals"],
        expected,
    }
}

/// 1,000 concurrent settlements (5 % invalid: changed signals, tampered points, nullifiers
/// consumed before) answer exactly what settling them one by one with batching off answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_settlements_with_replayed_nullifiers_answer_as_one_by_one() {
    let app = TestApp::spawn_env(&[NO_LIMITS]).await;
    let p = proven_document(&app, "bob").await;
    let auth = authenticity_proof(&app, &p).await;
    let fresh = json!({"proof_type": "age_proof_v2", "proof": p.proof, "public_signals": p.public_signals});
    let replayed = json!({"proof_type": "authenticity_proof", "proof": auth["proof"], "public_signals": auth["public_signals"]});
    let none = Expected::default();
    // The authenticity proof's nullifier is used once, before the run: every later use of it
    // is a replay.
    let first = app
        .state
        .verifier
        .settle_one(
            Submission { input: input(&replayed, &none), nullifier: NullifierUse::Consume },
            "test",
            Timestamp::now(),
        )
        .await
        .unwrap();
    assert!(first.verified);

    // One in twenty: a replay (consumed or looked up), a changed signal, or tampered points.
    // The others look their fresh nullifier up, which changes nothing.
    let requests: Vec<(Value, NullifierUse)> = (0..1000)
        .map(|i| match (i % 20 == 11).then_some(i / 20 % 5) {
            Some(0) => (replayed.clone(), NullifierUse::Consume),
            Some(1) => (replayed.clone(), NullifierUse::LookUp),
            // A changed signal, swapped points, a point off the curve.
            Some(how) => (spoil(&fresh, how - 2), NullifierUse::Consume),
            None => (fresh.clone(), NullifierUse::LookUp),
        })
        .collect();
    let settle = |verifier: std::sync::Arc<Verifier>, body: Value, use_: NullifierUse| async move {
        let none = Expected::default();
        let submission = Submission { input: input(&body, &none), nullifier: use_ };
        let outcome = verifier.settle_one(submission, "test", Timestamp::now()).await.unwrap();
        summary(&outcome)
    };

    let off = TestApp::spawn_in(app.data_dir(), &[NO_LIMITS, ("VERIFY_BATCHING", "false")]).await;
    let mut expected = Vec::new();
    for (body, use_) in &requests {
        expected.push(settle(off.state.verifier.clone(), body.clone(), *use_).await);
    }
    assert_eq!(expected.iter().filter(|s| s.0).count(), 950, "950 fresh, 50 refused");
    assert_eq!(expected.iter().filter(|s| s.1 == Some("nullifier_used")).count(), 20);
    assert!(expected.iter().any(|s| s.1 == Some("invalid_proof")));
    assert!(expected.iter().any(|s| s.1 == Some("malformed")));

    let tasks: Vec<_> = requests
        .into_iter()
        .map(|(body, use_)| tokio::spawn(settle(app.state.verifier.clone(), body, use_)))
        .collect();
    let concurrent: Vec<_> = join_all(tasks).await.into_iter().map(Result::unwrap).collect();
    for (i, (one, batched)) in expected.iter().zip(&concurrent).enumerate() {
        assert_eq!(one, batched, "request {i}");
    }
    let stats = app.state.zk.batch_stats();
    assert_eq!(stats.immediate + stats.queued, 1000 + 1, "{stats:?}");
    assert!(stats.batches > 0, "1,000 at once never queued: {stats:?}");
}

/// With every place of the CPU pool taken and a queue of one, a second verification is
/// refused at once with 503 and `Retry-After`; once the pool frees, verification works again.
#[tokio::test]
async fn a_full_queue_answers_503_with_retry_after_and_recovers() {
    let app = TestApp::spawn_env(&[NO_LIMITS, ("VERIFY_QUEUE_MAX", "1")]).await;
    let p = proven_document(&app, "carol").await;
    let body = json!({"proof_type": "age_proof_v2", "proof": p.proof, "public_signals": p.public_signals});

    let cpu = app.state.zk.cpu();
    let held: Vec<_> = (0..cpu.capacity()).map(|_| cpu.try_slot().expect("an idle pool")).collect();
    let queued = {
        let (client, url, body) = (app.client.clone(), app.url("/zkp/verify"), body.clone());
        tokio::spawn(async move { client.post(url).json(&body).send().await.unwrap() })
    };
    while app.state.zk.batch_stats().queue_depth < 1 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let refused = app.post_json("/zkp/verify", &body).await;
    assert_eq!(refused.status(), 503);
    assert_eq!(refused.headers()["retry-after"], "1");
    let error: Value = refused.json().await.unwrap();
    assert_eq!(error["error"]["code"], "SERVICE_UNAVAILABLE", "{error}");
    assert_eq!(app.state.zk.batch_stats().queue_full, 1);

    drop(held);
    // The queued call is answered: verified, or busy if it waited longer than the pool allows.
    let queued = queued.await.unwrap();
    let status = queued.status().as_u16();
    let answer: Value = queued.json().await.unwrap();
    assert!(status == 503 || (status == 200 && answer["verified"] == true), "{status} {answer}");
    let (status, answer) = verify(&app, &body).await;
    assert_eq!((status, &answer["verified"]), (200, &json!(true)), "{answer}");
}

/// A lone request is verified at once, never through the queue; the metrics say so.
#[tokio::test]
async fn a_lone_request_is_verified_at_once() {
    let app = TestApp::spawn_env(&[NO_LIMITS]).await;
    let p = proven_document(&app, "dave").await;
    let body = json!({"proof_type": "age_proof_v2", "proof": p.proof, "public_signals": p.public_signals});
    let (status, answer) = verify(&app, &body).await;
    assert_eq!((status, &answer["verified"]), (200, &json!(true)), "{answer}");
    let metrics: Value = app.get("/monitoring/metrics").await.json().await.unwrap();
    let batching = &metrics["verification_batching"];
    assert_eq!(batching["enabled"], true, "{metrics}");
    assert_eq!(batching["immediate"], 1, "{batching}");
    assert_eq!((&batching["queued"], &batching["batches"]), (&json!(0), &json!(0)), "{batching}");
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(text.contains("honestly_verify_immediate_total 1\n"), "{text}");
    assert!(text.contains("honestly_verify_batch_size_count 0\n"), "{text}");

    // The metrics' schema is in the OpenAPI document, its buckets with it.
    let openapi: Value = app.get("/openapi.json").await.json().await.unwrap();
    let schemas = &openapi["components"]["schemas"];
    assert!(schemas["MetricsResponse"]["properties"]["verification_batching"].is_object(), "{schemas}");
    assert!(schemas["VerificationBatching"]["properties"]["batch_sizes"].is_object(), "{schemas}");
    assert!(schemas["BatchSizeBucket"]["properties"]["up_to"].is_object(), "{schemas}");
}
