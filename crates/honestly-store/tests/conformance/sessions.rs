//! Sessions, refresh-token rotation, revoked access tokens, login failures.

use std::sync::Arc;

use std::time::Duration;

use honestly_core::auth::Role;
use honestly_core::clock::Timestamp;
use honestly_core::ids::{SessionId, TokenId, UserId};
use honestly_core::store::{
    AccountChange, LiveSession, NewRefreshToken, NextRefreshToken, RotateOutcome, Store,
};
use tokio::task::JoinSet;

use crate::support::{from_now, is_conflict, new_user, now, random_hash, user_record, CREATED_AT};

/// The first refresh token of a session.
fn token(user_id: &UserId, family_id: &SessionId, expires_at: Timestamp) -> NewRefreshToken {
    NewRefreshToken {
        hash: random_hash(),
        family_id: family_id.clone(),
        user_id: user_id.clone(),
        expires_at,
    }
}

/// A token to replace a spent one.
fn next(expires_at: Timestamp) -> NextRefreshToken {
    NextRefreshToken { hash: random_hash(), expires_at }
}

pub async fn session_rotation_then_reuse_revokes_family(store: Arc<dyn Store>) {
    let user = new_user(&store).await;
    let family = SessionId::generate();
    let jti = TokenId::generate();
    let first = token(&user.user.id, &family, from_now(3600));
    store.start_session(&first, now()).await.unwrap();
    assert!(store.access_token_role(&user.user.id, &family, &jti).await.unwrap().is_some());

    let second = next(from_now(3600));
    let rotated = store.rotate_refresh_token(&first.hash, &second, now()).await.unwrap();
    assert_eq!(rotated, RotateOutcome::Rotated { user_id: user.user.id.clone(), family_id: family.clone() });

    let third = next(from_now(3600));
    let reused = store.rotate_refresh_token(&first.hash, &third, now()).await.unwrap();
    assert_eq!(reused, RotateOutcome::Reused { family_id: family.clone() });
    // The family is revoked: its live token and its access tokens stop working.
    assert_eq!(
        store.rotate_refresh_token(&second.hash, &third, now()).await.unwrap(),
        RotateOutcome::Invalid
    );
    assert!(store.access_token_role(&user.user.id, &family, &jti).await.unwrap().is_none());
}

pub async fn session_expired_unknown_and_disabled_are_invalid(store: Arc<dyn Store>) {
    let user = new_user(&store).await;
    let family = SessionId::generate();
    let expired = token(&user.user.id, &family, from_now(-10));
    store.start_session(&expired, now()).await.unwrap();
    let replacement = next(from_now(3600));
    assert_eq!(
        store.rotate_refresh_token(&expired.hash, &replacement, now()).await.unwrap(),
        RotateOutcome::Invalid
    );
    assert_eq!(
        store.rotate_refresh_token("no-such-token", &replacement, now()).await.unwrap(),
        RotateOutcome::Invalid
    );

    let disabled = user_record(true, CREATED_AT);
    store.create_user(&disabled, &disabled.user.username).await.unwrap();
    let family = SessionId::generate();
    let live = token(&disabled.user.id, &family, from_now(3600));
    store.start_session(&live, now()).await.unwrap();
    let replacement = next(from_now(3600));
    assert_eq!(
        store.rotate_refresh_token(&live.hash, &replacement, now()).await.unwrap(),
        RotateOutcome::Invalid
    );
    assert!(store
        .access_token_role(&disabled.user.id, &family, &TokenId::generate())
        .await
        .unwrap()
        .is_none());
}

pub async fn session_for_unknown_user_conflicts(store: Arc<dyn Store>) {
    let t = token(&UserId::generate(), &SessionId::generate(), from_now(3600));
    assert!(is_conflict(store.start_session(&t, now()).await));
}

pub async fn session_revocations(store: Arc<dyn Store>) {
    let user = new_user(&store).await;
    let uid = &user.user.id;
    let family = SessionId::generate();
    store.start_session(&token(uid, &family, from_now(3600)), now()).await.unwrap();
    let (jti, other) = (TokenId::generate(), TokenId::generate());
    store.revoke_access_token(&jti, from_now(600)).await.unwrap();
    store.revoke_access_token(&jti, from_now(600)).await.unwrap();
    assert!(store.access_token_role(uid, &family, &jti).await.unwrap().is_none());
    assert!(store.access_token_role(uid, &family, &other).await.unwrap().is_some());
    // A session of another user or an unknown session is not active for this user.
    assert!(store.access_token_role(uid, &SessionId::generate(), &other).await.unwrap().is_none());
    assert!(store.access_token_role(&UserId::generate(), &family, &other).await.unwrap().is_none());

    store.revoke_session(&family, now()).await.unwrap();
    store.revoke_session(&family, now()).await.unwrap();
    assert!(store.access_token_role(uid, &family, &other).await.unwrap().is_none());
}

pub async fn session_concurrent_rotations_one_wins(store: Arc<dyn Store>) {
    let user = new_user(&store).await;
    let family = SessionId::generate();
    let first = token(&user.user.id, &family, from_now(3600));
    store.start_session(&first, now()).await.unwrap();
    let mut tasks = JoinSet::new();
    for _ in 0..8 {
        let (store, old, new) = (Arc::clone(&store), first.hash.clone(), next(from_now(3600)));
        tasks.spawn(async move { store.rotate_refresh_token(&old, &new, now()).await.unwrap() });
    }
    let outcomes = tasks.join_all().await;
    let rotated = outcomes.iter().filter(|o| matches!(o, RotateOutcome::Rotated { .. })).count();
    assert_eq!(rotated, 1, "{outcomes:?}");
    // The first loser finds the token spent and revokes the family; later ones find it revoked.
    assert!(outcomes.iter().any(|o| matches!(o, RotateOutcome::Reused { .. })), "{outcomes:?}");
}

pub async fn login_failures_window(store: Arc<dyn Store>) {
    let key = format!("user:{}|127.0.0.1", UserId::generate());
    let t = now();
    let ago = |secs| t.minus(Duration::from_secs(secs));
    assert_eq!(store.login_failures_since(&key, ago(60)).await.unwrap(), (0, None));
    for at in [ago(120), ago(30), ago(10)] {
        store.record_login_failure(&key, at).await.unwrap();
    }
    assert_eq!(store.login_failures_since(&key, ago(60)).await.unwrap(), (2, Some(ago(30))));
    assert_eq!(store.login_failures_since(&key, ago(600)).await.unwrap(), (3, Some(ago(120))));
    store.clear_login_failures(&key).await.unwrap();
    assert_eq!(store.login_failures_since(&key, ago(600)).await.unwrap(), (0, None));
}

pub async fn session_read_by_token_lists_and_ends_everywhere(store: Arc<dyn Store>) {
    let user = new_user(&store).await;
    let uid = &user.user.id;
    let (older, newer) = (SessionId::generate(), SessionId::generate());
    let first = token(uid, &older, from_now(3600));
    store.start_session(&first, now().minus(Duration::from_secs(60))).await.unwrap();
    let second = token(uid, &newer, from_now(3600));
    store.start_session(&second, now()).await.unwrap();
    // An expired session and another account's session are not listed.
    store.start_session(&token(uid, &SessionId::generate(), from_now(-10)), now()).await.unwrap();
    let stranger = new_user(&store).await;
    let theirs = SessionId::generate();
    store.start_session(&token(&stranger.user.id, &theirs, from_now(3600)), now()).await.unwrap();

    let live = store.live_session_by_token(&first.hash, now()).await.unwrap();
    assert_eq!(live, Some(LiveSession { user_id: uid.clone(), family_id: older.clone(), role: Role::User }));
    // Reading does not spend: the token still reads, and still rotates.
    assert!(store.live_session_by_token(&first.hash, now()).await.unwrap().is_some());
    assert_eq!(store.live_session_by_token("no-such-token", now()).await.unwrap(), None);
    let ids: Vec<_> = store.live_sessions(uid, now(), 10).await.unwrap().into_iter().map(|s| s.id).collect();
    assert_eq!(ids, vec![newer.clone(), older.clone()], "newest first, live only");
    assert_eq!(store.live_sessions(uid, now(), 1).await.unwrap().len(), 1, "the limit holds");

    // The role is the store's current one.
    let change = AccountChange { role: Some(Role::Verifier), disabled: None };
    store.update_user(uid, change, now()).await.unwrap();
    assert_eq!(
        store.live_session_by_token(&first.hash, now()).await.unwrap(),
        None,
        "a change ends sessions"
    );
    let third = token(uid, &SessionId::generate(), from_now(3600));
    store.start_session(&third, now()).await.unwrap();
    let read = store.live_session_by_token(&third.hash, now()).await.unwrap().unwrap();
    assert_eq!(read.role, Role::Verifier);

    // A spent token no longer reads.
    let rotated = next(from_now(3600));
    store.rotate_refresh_token(&third.hash, &rotated, now()).await.unwrap();
    assert_eq!(store.live_session_by_token(&third.hash, now()).await.unwrap(), None);
    assert!(store.live_session_by_token(&rotated.hash, now()).await.unwrap().is_some());

    // Everywhere: every session of the account ends, the stranger's stays.
    assert_eq!(store.revoke_user_sessions(uid, now()).await.unwrap(), 1);
    assert_eq!(store.live_session_by_token(&rotated.hash, now()).await.unwrap(), None);
    assert!(store.live_sessions(uid, now(), 10).await.unwrap().is_empty());
    assert_eq!(store.live_sessions(&stranger.user.id, now(), 10).await.unwrap().len(), 1);
    assert!(store
        .access_token_role(&stranger.user.id, &theirs, &TokenId::generate())
        .await
        .unwrap()
        .is_some());
}

pub async fn session_password_change_keeps_only_the_current_session(store: Arc<dyn Store>) {
    let user = new_user(&store).await;
    let uid = &user.user.id;
    let (kept, other) = (SessionId::generate(), SessionId::generate());
    let kept_token = token(uid, &kept, from_now(3600));
    store.start_session(&kept_token, now()).await.unwrap();
    let other_token = token(uid, &other, from_now(3600));
    store.start_session(&other_token, now()).await.unwrap();
    let stranger = new_user(&store).await;
    let theirs = token(&stranger.user.id, &SessionId::generate(), from_now(3600));
    store.start_session(&theirs, now()).await.unwrap();

    assert!(store.set_password_hash(uid, "new-hash", &kept, now()).await.unwrap());
    let record = store.user_by_username(&user.user.username).await.unwrap().unwrap();
    assert_eq!(record.password_hash, "new-hash");
    assert!(store.live_session_by_token(&kept_token.hash, now()).await.unwrap().is_some(), "kept");
    assert_eq!(store.live_session_by_token(&other_token.hash, now()).await.unwrap(), None, "ended");
    assert!(store.live_session_by_token(&theirs.hash, now()).await.unwrap().is_some(), "not theirs");
    let stranger_record = store.user_by_username(&stranger.user.username).await.unwrap().unwrap();
    assert_eq!(stranger_record.password_hash, stranger.password_hash, "only this account changes");

    assert!(!store.set_password_hash(&UserId::generate(), "x", &kept, now()).await.unwrap());
}
