//! Sessions, refresh-token rotation, revoked access tokens, login failures.

use std::sync::Arc;

use honestly_core::ids::{new_id, IdKind};
use honestly_core::store::{NewRefreshToken, RotateOutcome, Store};
use tokio::task::JoinSet;

use crate::support::{is_conflict, new_user, now, user_record};

fn token(user_id: &str, family_id: &str, expires_at: i64) -> NewRefreshToken {
    NewRefreshToken {
        hash: new_id(IdKind::TokenId)[4..].repeat(2),
        family_id: family_id.into(),
        user_id: user_id.into(),
        expires_at,
    }
}

pub async fn session_rotation_then_reuse_revokes_family(store: Arc<dyn Store>) {
    let user = new_user(&store).await;
    let family = new_id(IdKind::Session);
    let first = token(&user.user.id, &family, now() + 3600);
    store.start_session(&first, now()).await.unwrap();
    assert!(store.access_token_active(&user.user.id, &family, "jti_a").await.unwrap());

    let second = token(&user.user.id, &family, now() + 3600);
    let rotated = store.rotate_refresh_token(&first.hash, &second, now()).await.unwrap();
    assert_eq!(rotated, RotateOutcome::Rotated { user_id: user.user.id.clone(), family_id: family.clone() });

    let third = token(&user.user.id, &family, now() + 3600);
    let reused = store.rotate_refresh_token(&first.hash, &third, now()).await.unwrap();
    assert_eq!(reused, RotateOutcome::Reused { family_id: family.clone() });
    // The family is revoked: its live token and its access tokens stop working.
    assert_eq!(
        store.rotate_refresh_token(&second.hash, &third, now()).await.unwrap(),
        RotateOutcome::Invalid
    );
    assert!(!store.access_token_active(&user.user.id, &family, "jti_a").await.unwrap());
}

pub async fn session_expired_unknown_and_disabled_are_invalid(store: Arc<dyn Store>) {
    let user = new_user(&store).await;
    let family = new_id(IdKind::Session);
    let expired = token(&user.user.id, &family, now() - 10);
    store.start_session(&expired, now()).await.unwrap();
    let next = token(&user.user.id, &family, now() + 3600);
    assert_eq!(
        store.rotate_refresh_token(&expired.hash, &next, now()).await.unwrap(),
        RotateOutcome::Invalid
    );
    assert_eq!(
        store.rotate_refresh_token("no-such-token", &next, now()).await.unwrap(),
        RotateOutcome::Invalid
    );

    let disabled = user_record(true, "2026-11-28T06:00:00Z");
    store.create_user(&disabled, &disabled.user.username).await.unwrap();
    let family = new_id(IdKind::Session);
    let live = token(&disabled.user.id, &family, now() + 3600);
    store.start_session(&live, now()).await.unwrap();
    let next = token(&disabled.user.id, &family, now() + 3600);
    assert_eq!(store.rotate_refresh_token(&live.hash, &next, now()).await.unwrap(), RotateOutcome::Invalid);
    assert!(!store.access_token_active(&disabled.user.id, &family, "jti_b").await.unwrap());
}

pub async fn session_for_unknown_user_conflicts(store: Arc<dyn Store>) {
    let t = token("usr_nobody", &new_id(IdKind::Session), now() + 3600);
    assert!(is_conflict(store.start_session(&t, now()).await));
}

pub async fn session_revocations(store: Arc<dyn Store>) {
    let user = new_user(&store).await;
    let uid = &user.user.id;
    let family = new_id(IdKind::Session);
    store.start_session(&token(uid, &family, now() + 3600), now()).await.unwrap();
    let (jti, other) = (new_id(IdKind::TokenId), new_id(IdKind::TokenId));
    store.revoke_access_token(&jti, now() + 600).await.unwrap();
    store.revoke_access_token(&jti, now() + 600).await.unwrap();
    assert!(!store.access_token_active(uid, &family, &jti).await.unwrap());
    assert!(store.access_token_active(uid, &family, &other).await.unwrap());
    // A session of another user or an unknown session is not active for this user.
    assert!(!store.access_token_active(uid, "ses_unknown", &other).await.unwrap());
    assert!(!store.access_token_active("usr_nobody", &family, &other).await.unwrap());

    store.revoke_session(&family, now()).await.unwrap();
    store.revoke_session(&family, now()).await.unwrap();
    assert!(!store.access_token_active(uid, &family, &other).await.unwrap());
}

pub async fn session_concurrent_rotations_one_wins(store: Arc<dyn Store>) {
    let user = new_user(&store).await;
    let family = new_id(IdKind::Session);
    let first = token(&user.user.id, &family, now() + 3600);
    store.start_session(&first, now()).await.unwrap();
    let mut tasks = JoinSet::new();
    for _ in 0..8 {
        let (store, old, new) =
            (Arc::clone(&store), first.hash.clone(), token(&user.user.id, &family, now() + 3600));
        tasks.spawn(async move { store.rotate_refresh_token(&old, &new, now()).await.unwrap() });
    }
    let outcomes = tasks.join_all().await;
    let rotated = outcomes.iter().filter(|o| matches!(o, RotateOutcome::Rotated { .. })).count();
    assert_eq!(rotated, 1, "{outcomes:?}");
    // The first loser finds the token spent and revokes the family; later ones find it revoked.
    assert!(outcomes.iter().any(|o| matches!(o, RotateOutcome::Reused { .. })), "{outcomes:?}");
}

pub async fn login_failures_window(store: Arc<dyn Store>) {
    let key = format!("user:{}|127.0.0.1", new_id(IdKind::User));
    let t = now();
    assert_eq!(store.login_failures_since(&key, t - 60).await.unwrap(), (0, None));
    for at in [t - 120, t - 30, t - 10] {
        store.record_login_failure(&key, at).await.unwrap();
    }
    assert_eq!(store.login_failures_since(&key, t - 60).await.unwrap(), (2, Some(t - 30)));
    assert_eq!(store.login_failures_since(&key, t - 600).await.unwrap(), (3, Some(t - 120)));
    store.clear_login_failures(&key).await.unwrap();
    assert_eq!(store.login_failures_since(&key, t - 600).await.unwrap(), (0, None));
}
