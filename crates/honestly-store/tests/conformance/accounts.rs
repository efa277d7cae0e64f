//! Account changes (role, disabled) that end sessions at once, and the last administrator
//! rule.

use std::sync::Arc;

use honestly_core::auth::Role;
use honestly_core::ids::{SessionId, TokenId, UserId};
use honestly_core::store::{
    AccountChange, AccountUpdate, NewRefreshToken, NextRefreshToken, RotateOutcome, Store,
};

use crate::support::{from_now, new_user, now, random_hash};

/// Starts a session for `user_id`: its id and its first refresh token's hash.
async fn session(store: &Arc<dyn Store>, user_id: &UserId) -> (SessionId, String) {
    let family = SessionId::generate();
    let token = NewRefreshToken {
        hash: random_hash(),
        family_id: family.clone(),
        user_id: user_id.clone(),
        expires_at: from_now(3600),
    };
    store.start_session(&token, now()).await.unwrap();
    (family, token.hash)
}

fn role(role: Role) -> AccountChange {
    AccountChange { role: Some(role), disabled: None }
}

fn disabled(disabled: bool) -> AccountChange {
    AccountChange { role: None, disabled: Some(disabled) }
}

/// A fresh user with `role`.
async fn user_with_role(store: &Arc<dyn Store>, r: Role) -> UserId {
    let user = new_user(store).await.user;
    if r != Role::User {
        let changed = store.update_user(&user.id, role(r), now()).await.unwrap();
        assert!(matches!(changed, AccountUpdate::Changed(ref u) if u.role == r), "{changed:?}");
    }
    user.id
}

/// Makes `keep` the only enabled administrators: every other one is disabled.
async fn only_admins(store: &Arc<dyn Store>, keep: &[&UserId]) {
    for u in store.list_users(100_000).await.unwrap() {
        if u.role == Role::Admin && !u.disabled && !keep.contains(&&u.id) {
            let changed = store.update_user(&u.id, disabled(true), now()).await.unwrap();
            assert!(matches!(changed, AccountUpdate::Changed(_)), "{changed:?}");
        }
    }
}

pub async fn account_changes_apply_and_end_sessions(store: Arc<dyn Store>) {
    let user = new_user(&store).await.user;
    let (family, refresh) = session(&store, &user.id).await;
    let jti = TokenId::generate();
    assert_eq!(store.access_token_role(&user.id, &family, &jti).await.unwrap(), Some(Role::User));

    // A new role takes effect on the next request: the session is over.
    let changed = store.update_user(&user.id, role(Role::Verifier), now()).await.unwrap();
    let AccountUpdate::Changed(after) = changed else { panic!("{changed:?}") };
    assert_eq!((after.role, after.disabled, &after.username), (Role::Verifier, false, &user.username));
    assert_eq!(store.user_by_id(&user.id).await.unwrap().unwrap().role, Role::Verifier);
    assert_eq!(store.access_token_role(&user.id, &family, &jti).await.unwrap(), None);
    let next = NextRefreshToken { hash: random_hash(), expires_at: from_now(3600) };
    assert_eq!(store.rotate_refresh_token(&refresh, &next, now()).await.unwrap(), RotateOutcome::Invalid);
    let (family, _) = session(&store, &user.id).await;
    assert_eq!(store.access_token_role(&user.id, &family, &jti).await.unwrap(), Some(Role::Verifier));

    // Disabling ends sessions too; enabling does not bring them back.
    let changed = store.update_user(&user.id, disabled(true), now()).await.unwrap();
    assert!(matches!(changed, AccountUpdate::Changed(ref u) if u.disabled && u.role == Role::Verifier));
    assert_eq!(store.access_token_role(&user.id, &family, &jti).await.unwrap(), None);
    let changed = store.update_user(&user.id, disabled(false), now()).await.unwrap();
    assert!(matches!(changed, AccountUpdate::Changed(ref u) if !u.disabled));
    assert_eq!(store.access_token_role(&user.id, &family, &jti).await.unwrap(), None);

    let both = AccountChange { role: Some(Role::User), disabled: Some(true) };
    let changed = store.update_user(&user.id, both, now()).await.unwrap();
    assert!(matches!(changed, AccountUpdate::Changed(ref u) if u.disabled && u.role == Role::User));
    assert_eq!(
        store.update_user(&UserId::generate(), disabled(true), now()).await.unwrap(),
        AccountUpdate::NotFound
    );
}

pub async fn account_last_admin_is_kept(store: Arc<dyn Store>) {
    let first = user_with_role(&store, Role::Admin).await;
    only_admins(&store, &[&first]).await;
    for change in [role(Role::User), role(Role::Verifier), disabled(true)] {
        assert_eq!(store.update_user(&first, change, now()).await.unwrap(), AccountUpdate::LastAdmin);
    }
    let still = store.user_by_id(&first).await.unwrap().unwrap();
    assert_eq!((still.role, still.disabled), (Role::Admin, false));
    // Keeping the role is no removal.
    assert!(matches!(
        store.update_user(&first, role(Role::Admin), now()).await.unwrap(),
        AccountUpdate::Changed(_)
    ));

    // With a second admin either may go, but of two demotions at once only one passes.
    let second = user_with_role(&store, Role::Admin).await;
    let (a, b) = (Arc::clone(&store), Arc::clone(&store));
    let (f, s) = (first.clone(), second.clone());
    let (ra, rb) = tokio::join!(
        tokio::spawn(async move { a.update_user(&f, role(Role::User), now()).await.unwrap() }),
        tokio::spawn(async move { b.update_user(&s, role(Role::User), now()).await.unwrap() }),
    );
    let outcomes = [ra.unwrap(), rb.unwrap()];
    assert_eq!(outcomes.iter().filter(|o| matches!(o, AccountUpdate::Changed(_))).count(), 1, "{outcomes:?}");
    assert_eq!(outcomes.iter().filter(|o| **o == AccountUpdate::LastAdmin).count(), 1, "{outcomes:?}");
}
