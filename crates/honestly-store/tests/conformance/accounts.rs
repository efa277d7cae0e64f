//! Account changes (role, disabled) that end sessions at once, the last administrator rule,
//! and erasure of an account with everything it owns.

use std::sync::Arc;

use honestly_core::auth::Role;
use honestly_core::ids::{SessionId, TokenId, UserId};
use honestly_core::store::{
    AccountChange, AccountUpdate, ErasedCounts, Erasure, NewRefreshToken, NextRefreshToken, RotateOutcome,
    Store,
};
use honestly_core::timeline::{TimelineEvent, TimelineKind};

use crate::proofs::proof;
use crate::support::{from_now, insert_document, new_agent, new_link, new_user, now, random_hash};

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
    assert_eq!(store.erase_user(&first, now()).await.unwrap(), Erasure::LastAdmin);
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

    // Whichever is still admin may be erased once another admin exists.
    let third = user_with_role(&store, Role::Admin).await;
    let remaining = if matches!(outcomes[0], AccountUpdate::Changed(_)) { second } else { first };
    assert!(matches!(store.erase_user(&remaining, now()).await.unwrap(), Erasure::Erased(_)));
    assert_eq!(store.update_user(&third, disabled(true), now()).await.unwrap(), AccountUpdate::LastAdmin);
}

pub async fn account_erasure_takes_everything_it_owns(store: Arc<dyn Store>) {
    let owner = new_user(&store).await.user;
    let other = new_user(&store).await.user;
    let uid = &owner.id;
    let docs = [insert_document(&store, uid).await, insert_document(&store, uid).await];
    let kept = insert_document(&store, &other.id).await;
    let p = proof(uid, &docs[0].meta.id);
    let event = TimelineEvent::new(uid, TimelineKind::ProofCreated).proof(&p.id);
    assert!(store.insert_proof(&p, &event).await.unwrap());
    let links = [new_link(uid, &docs[0].meta.id, None, 0), new_link(uid, &docs[1].meta.id, Some(3), 0)];
    for l in &links {
        assert!(store
            .insert_link(l, &TimelineEvent::new(uid, TimelineKind::LinkCreated).link(&l.id))
            .await
            .unwrap());
    }
    let theirs = new_link(&other.id, &kept.meta.id, None, 0);
    assert!(store
        .insert_link(&theirs, &TimelineEvent::new(&other.id, TimelineKind::LinkCreated))
        .await
        .unwrap());
    let agent = new_agent(uid, "helper");
    assert!(store.insert_agent(&agent, 3).await.unwrap());
    let (family, refresh) = session(&store, uid).await;
    session(&store, uid).await;
    let failures_key = format!("{}|127.0.0.1", owner.username.to_ascii_lowercase());
    store.record_login_failure(&failures_key, now()).await.unwrap();
    let leaves = store.registry_leaves().await.unwrap();
    let roots = store.registry_roots().await.unwrap();

    let erased = store.erase_user(uid, now()).await.unwrap();
    let expected =
        ErasedCounts { documents: 2, proofs: 1, links: 2, agents: 1, sessions: 2, timeline_events: 5 };
    assert_eq!(erased, Erasure::Erased(expected));

    assert_eq!(store.user_by_id(uid).await.unwrap(), None);
    assert!(store.user_by_username(&owner.username.to_ascii_lowercase()).await.unwrap().is_none());
    for d in &docs {
        assert_eq!(store.document(uid, &d.meta.id).await.unwrap(), None);
        assert!(store.document_sealed(uid, &d.meta.id).await.unwrap().is_none());
        assert_eq!(store.document_by_sha256(&d.meta.sha256).await.unwrap(), None);
    }
    assert_eq!(store.proof(uid, &p.id).await.unwrap(), None);
    assert!(store.list_proofs(uid, 10).await.unwrap().is_empty());
    for l in &links {
        assert_eq!(store.link_by_token_hash(&l.token_hash).await.unwrap(), None);
    }
    assert!(store.links_of_user(uid, 10).await.unwrap().is_empty());
    assert!(store.active_agent(&agent.id).await.unwrap().is_none());
    assert!(store.timeline(uid, 10).await.unwrap().is_empty());
    assert_eq!(store.access_token_role(uid, &family, &TokenId::generate()).await.unwrap(), None);
    let next = NextRefreshToken { hash: random_hash(), expires_at: from_now(3600) };
    assert_eq!(store.rotate_refresh_token(&refresh, &next, now()).await.unwrap(), RotateOutcome::Invalid);
    assert_eq!(store.login_failures_since(&failures_key, from_now(-60)).await.unwrap().0, 0);
    // The registry keeps every leaf and root: other proofs still verify against them.
    assert_eq!(store.registry_leaves().await.unwrap(), leaves);
    assert_eq!(store.registry_roots().await.unwrap(), roots);

    // Nobody else's data moved.
    assert!(store.document(&other.id, &kept.meta.id).await.unwrap().is_some());
    assert!(store.link_by_token_hash(&theirs.token_hash).await.unwrap().is_some());
    assert!(store.user_by_id(&other.id).await.unwrap().is_some());

    assert_eq!(store.erase_user(uid, now()).await.unwrap(), Erasure::NotFound);
}
