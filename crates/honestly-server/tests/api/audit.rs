//! The audit trail over HTTP: every request and every security decision is an event with its
//! request id and actor; the chain verifies, and an edit of one stored row is caught at its seq.

use honestly_core::audit::{verify_chain, AuditEvent, BreakReason, Outcome, VerifyError};
use serde_json::json;

use crate::helpers::{TestApp, PASSWORD};

async fn all_events(app: &TestApp) -> Vec<AuditEvent> {
    app.state.audit.flush().await.expect("audit writer running");
    app.state.store.audit_events_after(0, 10_000).await.unwrap()
}

fn find<'a>(events: &'a [AuditEvent], action: &str, request_id: &str) -> &'a AuditEvent {
    events
        .iter()
        .find(|e| e.action == action && e.request_id.as_deref() == Some(request_id))
        .unwrap_or_else(|| panic!("no {action} event for {request_id}: {events:#?}"))
}

#[tokio::test]
async fn requests_and_decisions_are_chained_and_an_edited_event_is_caught() {
    let app = TestApp::spawn().await;
    let login = app.register_and_login("auditee").await;
    let access = login["access_token"].as_str().unwrap();
    let refresh = login["refresh_token"].as_str().unwrap();
    let user_id = login["user"]["id"].as_str().unwrap();

    let me = app
        .client
        .get(app.url("/auth/me"))
        .bearer_auth(access)
        .header("x-request-id", "audit-me-1")
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let wrong_password = "not the password, 1234";
    let failed = app
        .client
        .post(app.url("/auth/login"))
        .header("x-request-id", "audit-bad-login")
        .json(&json!({"username": "auditee", "password": wrong_password}))
        .send()
        .await
        .unwrap();
    assert_eq!(failed.status(), 401);
    let missing = app.client.get(app.url("/no/such/route")).header("x-request-id", "audit-404").send().await;
    assert_eq!(missing.unwrap().status(), 404);

    let events = all_events(&app).await;

    // The authenticated request: route template, actor, request id, client address.
    let me = find(&events, "http GET /auth/me", "audit-me-1");
    assert_eq!(me.actor, format!("user:{user_id}"));
    assert_eq!(me.outcome, Outcome::Success);
    assert_eq!(me.client_ip.as_deref(), Some("127.0.0.1"));
    assert!(me.id.as_str().starts_with("evt_") && me.at.rfc3339().ends_with('Z'), "{me:?}");

    // The failed login: the decision and the request, both with the request id.
    let decision = find(&events, "auth.login.failed", "audit-bad-login");
    assert_eq!(decision.actor, "anonymous");
    assert_eq!(decision.outcome, Outcome::Denied);
    assert_eq!(decision.target.as_deref(), Some(user_id));
    assert_eq!(decision.reason.as_deref(), Some("invalid_credentials"));
    assert_eq!(decision.client_ip.as_deref(), Some("127.0.0.1"));
    let request = find(&events, "http POST /auth/login", "audit-bad-login");
    assert_eq!((request.outcome, request.reason.as_deref()), (Outcome::Denied, Some("status 401")));
    assert!(decision.seq < request.seq, "the decision is recorded before the request completes");

    // An unknown route is recorded under no raw path.
    let unmatched = events.iter().find(|e| e.request_id.as_deref() == Some("audit-404")).unwrap();
    assert!(!unmatched.action.contains("/no/such/route"), "{unmatched:?}");
    assert_eq!(unmatched.outcome, Outcome::Denied);

    // Registration and the successful login are there too; every event has a request id.
    assert!(events.iter().any(|e| e.action == "auth.register" && e.target.as_deref() == Some(user_id)));
    assert!(events
        .iter()
        .any(|e| e.action == "auth.login.succeeded" && e.actor == format!("user:{user_id}")));
    assert!(events.iter().all(|e| e.request_id.is_some()), "{events:#?}");

    // No secret in any field.
    for event in &events {
        let text = format!("{event:?}");
        for secret in [PASSWORD, wrong_password, access, refresh] {
            assert!(!text.contains(secret), "secret in {text}");
        }
    }

    // The chain verifies.
    let report = verify_chain(&*app.state.store).await.expect("untouched chain verifies");
    assert_eq!(report.events, events.len() as u64);
    assert_eq!(report.last_hash, events.last().unwrap().hash);

    // Someone turns the failed login into a success, directly in the database file.
    let db = rusqlite::Connection::open(app.data_dir().join("honestly.db")).unwrap();
    db.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    let changed = db
        .execute("UPDATE audit_events SET outcome = 'success' WHERE seq = ?1", [decision.seq as i64])
        .unwrap();
    assert_eq!(changed, 1);
    match verify_chain(&*app.state.store).await {
        Err(VerifyError::Broken(broken)) => {
            assert_eq!(broken.seq, decision.seq);
            assert_eq!(broken.id, decision.id);
            assert_eq!(broken.reason, BreakReason::HashMismatch);
        }
        other => panic!("tampering not detected: {other:?}"),
    }
}

#[tokio::test]
async fn refresh_reuse_lockout_and_logout_are_audited() {
    let app = TestApp::spawn().await;
    let login = app.register_and_login("watched").await;
    let user_id = login["user"]["id"].as_str().unwrap().to_string();
    let first = login["refresh_token"].clone();
    let rotated: serde_json::Value =
        app.post_json("/auth/refresh", &json!({"refresh_token": first})).await.json().await.unwrap();
    let replay = app
        .client
        .post(app.url("/auth/refresh"))
        .header("x-request-id", "audit-replay")
        .json(&json!({"refresh_token": first}))
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 401);

    let fresh = app.post_json("/auth/login", &json!({"username": "watched", "password": PASSWORD})).await;
    let fresh: serde_json::Value = fresh.json().await.unwrap();
    let out = app
        .client
        .post(app.url("/auth/logout"))
        .bearer_auth(fresh["access_token"].as_str().unwrap())
        .header("x-request-id", "audit-logout")
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);

    for _ in 0..5 {
        let bad =
            app.post_json("/auth/login", &json!({"username": "ghost", "password": "wrong password!!"})).await;
        assert_eq!(bad.status(), 401);
    }
    let locked = app
        .client
        .post(app.url("/auth/login"))
        .header("x-request-id", "audit-locked")
        .json(&json!({"username": "ghost", "password": "wrong password!!"}))
        .send()
        .await
        .unwrap();
    assert_eq!(locked.status(), 429);

    let events = all_events(&app).await;
    let reuse = find(&events, "auth.refresh.reuse", "audit-replay");
    assert_eq!(reuse.outcome, Outcome::Denied);
    assert!(reuse.target.as_deref().is_some_and(|t| t.starts_with("ses_")), "{reuse:?}");

    let logout = find(&events, "auth.logout", "audit-logout");
    assert_eq!(logout.actor, format!("user:{user_id}"));
    let logout_request = find(&events, "http POST /auth/logout", "audit-logout");
    assert_eq!(
        (logout_request.actor.as_str(), logout_request.outcome),
        (logout.actor.as_str(), Outcome::Success)
    );

    // Unknown user: no target, and the typed username is nowhere.
    let failures: Vec<_> = events.iter().filter(|e| e.action == "auth.login.failed").collect();
    assert_eq!(failures.len(), 5);
    assert!(failures.iter().all(|e| e.target.is_none()));
    assert!(events.iter().all(|e| !format!("{e:?}").contains("ghost")));
    let locked = find(&events, "auth.login.locked", "audit-locked");
    assert_eq!(locked.outcome, Outcome::Denied);
    assert!(rotated["access_token"].is_string());

    assert_eq!(verify_chain(&*app.state.store).await.unwrap().events, events.len() as u64);
}

#[tokio::test]
async fn deleting_an_event_in_the_middle_is_caught() {
    let app = TestApp::spawn().await;
    for _ in 0..5 {
        assert_eq!(app.get("/zkp/circuits").await.status(), 200);
    }
    // Probes are not audited.
    assert_eq!(app.get("/monitoring/live").await.status(), 200);
    let events = all_events(&app).await;
    assert!(events.len() >= 5);
    assert!(events.iter().all(|e| !e.action.contains("/monitoring/live")));
    let db = rusqlite::Connection::open(app.data_dir().join("honestly.db")).unwrap();
    db.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    db.execute("DELETE FROM audit_events WHERE seq = 3", []).unwrap();
    match verify_chain(&*app.state.store).await {
        Err(VerifyError::Broken(broken)) => {
            assert_eq!((broken.seq, broken.reason), (4, BreakReason::MissingEvents { expected: 3 }));
        }
        other => panic!("deletion not detected: {other:?}"),
    }
}
