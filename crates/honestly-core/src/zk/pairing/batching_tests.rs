//! Single verifications batched across requests answer exactly what one-by-one
//! verification answers: 1,000 concurrent pairing checks (age and authenticity proofs, 5 %
//! of them invalid in several ways) against the same inputs checked one at a time with
//! batching off, and a batch holding one bad proof falls back once and still answers each
//! proof exactly.

use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use honestly_zk::snarkjs::{proof_to_value, public_signals_to_value};
use honestly_zk::{
    prove_age, prove_authenticity, sha256_field, AgeClaim, AuthenticityClaim, CircuitId, Fr, ParseError,
    RegistryTree,
};
use serde_json::Value;
use tokio::sync::OnceCell;

use super::*;
use crate::zk::batcher::BatchSettings;
use crate::zk::service::ZkService;

/// What the pairing stage said, in a form that compares: the parsed signals and the check,
/// or the reason it could not be checked.
type Summary = Result<(Vec<Fr>, Result<bool, ParseError>), Option<VerifyReason>>;

fn summary(checked: Checked) -> Summary {
    checked.map(|(prepared, valid)| (prepared.signals, valid)).map_err(|outcome| outcome.reason)
}

/// One request: proof type, proof and public signals.
#[derive(Clone)]
struct Request {
    proof_type: &'static str,
    proof: Value,
    signals: Value,
}

/// The keys of every built-in circuit, made once for this module's tests.
async fn keys() -> &'static std::path::Path {
    static DIR: OnceCell<std::path::PathBuf> = OnceCell::const_new();
    DIR.get_or_init(|| async {
        let dir = tempfile::tempdir().unwrap().keep();
        let zk = ZkService::new(dir.join("keys"), dir.join("external"), CpuPool::for_this_machine());
        zk.initialise().await.unwrap();
        dir
    })
    .await
}

/// A service on the shared keys: `permits` places, callers waiting as long as it takes.
async fn service(permits: usize, settings: BatchSettings) -> Arc<ZkService> {
    let dir = keys().await;
    let cpu = CpuPool::new(permits, Duration::from_secs(600));
    let zk = ZkService::new(dir.join("keys"), dir.join("external"), cpu).with_batching(settings);
    zk.initialise().await.unwrap();
    Arc::new(zk)
}

/// Two valid age proofs and two valid authenticity proofs.
async fn valid_requests(zk: &ZkService) -> Vec<Request> {
    let age_pk = zk.proving_key(CircuitId::Age).await.unwrap();
    let auth_pk = zk.proving_key(CircuitId::Authenticity).await.unwrap();
    let docs: Vec<Fr> = (0..5u8).map(|i| sha256_field(&[i; 10])).collect();
    let tree = RegistryTree::from_leaves(docs.clone()).unwrap();
    let mut requests = Vec::new();
    for salt in [11u64, 12] {
        let claim = AgeClaim {
            birth_ts: 631_152_000,
            salt: Fr::from(salt),
            epoch: 3,
            min_age: 18,
            reference_ts: 1_764_000_000,
            document_hash: sha256_field(b"passport scan"),
        };
        let (proof, public) = prove_age(&age_pk, &claim).unwrap();
        requests.push(Request {
            proof_type: "age_proof",
            proof: proof_to_value(&proof),
            signals: public_signals_to_value(&public.to_signals()),
        });
        let claim = AuthenticityClaim {
            leaf: docs[2],
            path: tree.path(2).unwrap(),
            root: tree.root(),
            epoch: tree.len() as u64,
            salt: Fr::from(salt),
        };
        let (proof, public) = prove_authenticity(&auth_pk, &claim).unwrap();
        requests.push(Request {
            proof_type: "authenticity_proof",
            proof: proof_to_value(&proof),
            signals: public_signals_to_value(&public.to_signals()),
        });
    }
    requests
}

/// `request` made invalid in the way numbered `how`: a changed public signal, a point of
/// another proof, two points swapped, a point off the curve, a signal missing.
fn spoil(request: &Request, other: &Request, how: usize) -> Request {
    let mut bad = request.clone();
    match how % 5 {
        0 => {
            let first = bad.signals[0].as_str().unwrap().parse::<u64>().unwrap_or(1);
            bad.signals[0] = Value::String((first + 1).to_string());
        }
        1 => bad.proof["pi_a"] = other.proof["pi_a"].clone(),
        2 => {
            let a = bad.proof["pi_a"].clone();
            bad.proof["pi_a"] = bad.proof["pi_c"].clone();
            bad.proof["pi_c"] = a;
        }
        3 => bad.proof["pi_a"][0] = Value::String("1".into()),
        _ => {
            bad.signals.as_array_mut().unwrap().pop();
        }
    }
    bad
}

/// The 1,000 requests: every twentieth spoiled (5 %), the others valid proofs repeated.
fn thousand(valid: &[Request]) -> Vec<Request> {
    (0..1000)
        .map(|i| {
            let request = &valid[i % valid.len()];
            if i % 20 == 7 {
                // The other proof of the same circuit, for a point that is valid but not its own.
                spoil(request, &valid[(i + 2) % valid.len()], i / 20)
            } else {
                request.clone()
            }
        })
        .collect()
}

async fn check(zk: &ZkService, request: &Request) -> Summary {
    let expected = Expected::default();
    let input = VerifyInput {
        proof_type: request.proof_type,
        proof: &request.proof,
        public_signals: &request.signals,
        expected: &expected,
    };
    let owned = OwnedInput::new(zk.circuit(input.proof_type), &input);
    let key = owned.circuit.as_ref().map_or(0, |c| Arc::as_ptr(c) as usize);
    summary(zk.pairings().run(key, owned).await.expect("never busy: callers wait as long as it takes"))
}

/// 1,000 concurrent verifications, 5 % invalid, answer exactly what one-by-one checks with
/// batching off answer; most of them went through batches.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_verifications_answer_as_one_by_one() {
    let off = service(2, BatchSettings { enabled: false, ..BatchSettings::default() }).await;
    let on = service(2, BatchSettings::default()).await;
    let requests = thousand(&valid_requests(&off).await);

    let mut expected = Vec::with_capacity(requests.len());
    for request in &requests {
        expected.push(check(&off, request).await);
    }
    let valid = expected.iter().filter(|s| matches!(s, Ok((_, Ok(true))))).count();
    assert_eq!(valid, 950, "the one-by-one answers: 950 valid, 50 spoiled");
    assert!(expected.iter().any(|s| matches!(s, Ok((_, Ok(false))))));
    assert!(expected.contains(&Err(Some(VerifyReason::Malformed))));

    let tasks: Vec<_> = requests
        .iter()
        .cloned()
        .map(|request| {
            let on = Arc::clone(&on);
            tokio::spawn(async move { check(&on, &request).await })
        })
        .collect();
    let mut concurrent = Vec::with_capacity(tasks.len());
    for task in tasks {
        concurrent.push(task.await.unwrap());
    }
    for (i, (one, batched)) in expected.iter().zip(&concurrent).enumerate() {
        assert_eq!(one, batched, "request {i}");
    }
    let stats = on.batch_stats();
    assert_eq!(stats.immediate + stats.queued, 1000, "{stats:?}");
    assert_eq!(stats.batched_jobs, stats.queued, "{stats:?}");
    assert!(stats.batches > 0 && stats.batched_jobs > stats.batches, "no batch of two or more: {stats:?}");
    assert_eq!(stats.queue_depth, 0);
    assert_eq!(off.batch_stats().batches, 0);
}

/// A batch holding one bad proof fails its combined check once, falls back to one-by-one
/// checks, and every proof gets its own exact answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_proof_costs_its_batch_one_fallback_pass_only() {
    let zk = service(1, BatchSettings::default()).await;
    let valid = valid_requests(&zk).await;
    let age = [&valid[0], &valid[2]];
    let mut requests: Vec<Request> = (0..8).map(|i| age[i % 2].clone()).collect();
    requests[5] = spoil(&valid[0], &valid[2], 0);

    // Hold the only place so that all eight queue, then let them go as one batch.
    let slot = zk.cpu().try_slot().expect("the pool is free");
    let (release, wait) = mpsc::channel::<()>();
    tokio::spawn(CpuPool::run_in(slot, move || {
        let _ = wait.recv();
    }));
    let tasks: Vec<_> = requests
        .iter()
        .cloned()
        .map(|request| {
            let zk = Arc::clone(&zk);
            tokio::spawn(async move { check(&zk, &request).await })
        })
        .collect();
    while zk.batch_stats().queue_depth < 8 {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    release.send(()).unwrap();
    for (i, task) in tasks.into_iter().enumerate() {
        let answer = task.await.unwrap();
        let valid = matches!(answer, Ok((_, Ok(true))));
        assert_eq!(valid, i != 5, "request {i}: {answer:?}");
        if i == 5 {
            assert!(matches!(answer, Ok((_, Ok(false)))), "{answer:?}");
        }
    }
    let stats = zk.batch_stats();
    assert_eq!((stats.batches, stats.batched_jobs, stats.fallbacks), (1, 8, 1), "{stats:?}");
    assert_eq!(stats.batch_sizes[3], 1, "one batch of 5 to 8: {stats:?}");
}
