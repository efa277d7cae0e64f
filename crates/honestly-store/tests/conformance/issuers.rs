//! Issuers and their members, and builders of the issuance records the other issuance tests
//! use.

use std::sync::Arc;

use honestly_core::auth::Role;
use honestly_core::clock::Timestamp;
use honestly_core::credentials::IssuerPublicKey;
use honestly_core::ids::{
    CredentialId, CredentialRequestId, DocumentId, IssuerId, SessionId, TokenId, UserId,
};
use honestly_core::issuance::{
    CredentialRequestRecord, Decision, HeldCredential, IssuedCredential, IssuerRecord, RequestStatus,
};
use honestly_core::store::{AccountChange, AccountUpdate, NewRefreshToken, Store};
use honestly_zk::Fr;

use crate::support::{at, from_now, is_conflict, new_user, now, random_hash, sealed, CREATED_AT};

/// A fresh random issuer key.
pub fn random_key() -> IssuerPublicKey {
    IssuerPublicKey { x: Fr::from(rand::random::<u64>()), y: Fr::from(rand::random::<u64>()) }
}

/// An issuer record with a fresh id and name, created at `created_at`.
pub fn issuer_record(created_at: &str) -> IssuerRecord {
    let id = IssuerId::generate();
    IssuerRecord {
        name: format!("Issuer {}", &id.as_str()[4..]),
        id,
        public_key: random_key(),
        sealed_key: sealed("v1", 4),
        revocation_version: 0,
        created_at: at(created_at),
    }
}

/// A fresh issuer (stored).
pub async fn new_issuer(store: &Arc<dyn Store>) -> IssuerRecord {
    let issuer = issuer_record(CREATED_AT);
    store.insert_issuer(&issuer).await.expect("insert issuer");
    issuer
}

/// A pending request of `holder` for `document_id` to `issuer_id`, made at `created_at`.
pub fn request_record(
    holder: &UserId,
    document_id: &DocumentId,
    issuer_id: &IssuerId,
    created_at: Timestamp,
) -> CredentialRequestRecord {
    CredentialRequestRecord {
        id: CredentialRequestId::generate(),
        holder: holder.clone(),
        document_id: document_id.clone(),
        issuer_id: issuer_id.clone(),
        sealed_claims: sealed("v1", 5),
        status: RequestStatus::Pending,
        reason: None,
        credential_id: None,
        decided_by: None,
        created_at,
        decided_at: None,
    }
}

/// A holder's copy of a credential signed with `key`, with a fresh id and serial.
pub fn held_record(holder: &UserId, key: IssuerPublicKey, created_at: Timestamp) -> HeldCredential {
    HeldCredential {
        id: CredentialId::generate(),
        holder: holder.clone(),
        document_id: None,
        issuer_id: None,
        issuer_key: key,
        serial: rand::random::<u128>(),
        valid_until: 20_301_231,
        sealed_json: sealed("v1", 6),
        created_at,
    }
}

/// The approval of `request` by `issuer`: the issuer's record and the holder's copy.
pub fn approval(request: &CredentialRequestRecord, issuer: &IssuerRecord) -> Decision {
    let mut held = held_record(&request.holder, issuer.public_key, at(CREATED_AT));
    held.document_id = Some(request.document_id.clone());
    held.issuer_id = Some(issuer.id.clone());
    let issued = IssuedCredential {
        id: held.id.clone(),
        issuer_id: issuer.id.clone(),
        request_id: request.id.clone(),
        holder: request.holder.clone(),
        serial: held.serial,
        valid_until: held.valid_until,
        issued_at: at(CREATED_AT),
        revoked_at: None,
    };
    Decision::Approve { issued, held }
}

pub async fn issuer_insert_get_list_and_name_conflict(store: Arc<dyn Store>) {
    let first = issuer_record("2020-01-01T00:00:00Z");
    let second = issuer_record("2020-01-01T00:00:01Z");
    store.insert_issuer(&second).await.unwrap();
    store.insert_issuer(&first).await.unwrap();
    assert_eq!(store.issuer(&first.id).await.unwrap().as_ref(), Some(&first));
    assert_eq!(store.issuer(&second.id).await.unwrap().as_ref(), Some(&second));
    assert!(store.issuer(&IssuerId::generate()).await.unwrap().is_none());

    let listed = store.list_issuers(100_000).await.unwrap();
    let position = |id: &IssuerId| listed.iter().position(|i| &i.id == id).expect("listed");
    assert!(position(&first.id) < position(&second.id), "oldest first");
    assert_eq!(listed[position(&first.id)], first);
    assert_eq!(store.list_issuers(1).await.unwrap().len(), 1);

    // By public key: the issuer that has it, the oldest when two share it, none for a stranger.
    assert_eq!(store.issuer_by_key(&first.public_key).await.unwrap().as_ref(), Some(&first));
    assert_eq!(store.issuer_by_key(&second.public_key).await.unwrap().as_ref(), Some(&second));
    assert!(store.issuer_by_key(&random_key()).await.unwrap().is_none());
    let swapped = IssuerPublicKey { x: first.public_key.y, y: first.public_key.x };
    assert!(store.issuer_by_key(&swapped).await.unwrap().is_none(), "both coordinates count");
    let mut newer_twin = issuer_record("2020-01-01T00:00:02Z");
    newer_twin.public_key = first.public_key;
    store.insert_issuer(&newer_twin).await.unwrap();
    assert_eq!(store.issuer_by_key(&first.public_key).await.unwrap().map(|i| i.id), Some(first.id.clone()));

    // Names are unique, compared exactly; nothing is written on a conflict.
    let mut same_name = issuer_record(CREATED_AT);
    same_name.name = first.name.clone();
    assert!(is_conflict(store.insert_issuer(&same_name).await));
    assert!(store.issuer(&same_name.id).await.unwrap().is_none());
    let mut other_case = issuer_record(CREATED_AT);
    other_case.name = first.name.to_uppercase();
    store.insert_issuer(&other_case).await.unwrap();
    assert!(is_conflict(store.insert_issuer(&first).await), "same id");
}

/// Starts a session for `user_id`: its id.
async fn session(store: &Arc<dyn Store>, user_id: &UserId) -> SessionId {
    let family = SessionId::generate();
    let token = NewRefreshToken {
        hash: random_hash(),
        family_id: family.clone(),
        user_id: user_id.clone(),
        expires_at: from_now(3600),
    };
    store.start_session(&token, now()).await.unwrap();
    family
}

pub async fn issuer_membership_sets_role_and_ends_sessions(store: Arc<dyn Store>) {
    let issuer = new_issuer(&store).await;
    let other = new_issuer(&store).await;
    let member = new_user(&store).await.user;
    let family = session(&store, &member.id).await;
    let jti = TokenId::generate();
    assert_eq!(store.access_token_role(&member.id, &family, &jti).await.unwrap(), Some(Role::User));
    assert!(store.issuer_of_member(&member.id).await.unwrap().is_none());

    assert!(store.add_issuer_member(&issuer.id, &member.id).await.unwrap());
    assert_eq!(store.user_by_id(&member.id).await.unwrap().unwrap().role, Role::Issuer);
    assert_eq!(store.access_token_role(&member.id, &family, &jti).await.unwrap(), None, "sessions end");
    assert_eq!(store.issuer_of_member(&member.id).await.unwrap(), Some(issuer.id.clone()));

    // One issuer at most: a new membership replaces the earlier one.
    assert!(store.add_issuer_member(&other.id, &member.id).await.unwrap());
    assert_eq!(store.issuer_of_member(&member.id).await.unwrap(), Some(other.id.clone()));

    // Unknown issuer or account: nothing changes.
    let bystander = new_user(&store).await.user;
    assert!(!store.add_issuer_member(&IssuerId::generate(), &bystander.id).await.unwrap());
    assert_eq!(store.user_by_id(&bystander.id).await.unwrap().unwrap().role, Role::User);
    assert!(!store.add_issuer_member(&issuer.id, &UserId::generate()).await.unwrap());

    // The whole listing in one read: the member once, with its current issuer; the bounds hold.
    let listed = store.issuer_memberships(100_000).await.unwrap();
    let of = |id: &UserId| listed.iter().filter(|(u, _)| u == id).map(|(_, i)| i.clone()).collect::<Vec<_>>();
    assert_eq!(of(&member.id), vec![other.id.clone()]);
    assert!(of(&bystander.id).is_empty());
    assert!(store.issuer_memberships(0).await.unwrap().is_empty());

    // The membership counts while the account has the issuer role.
    let back = AccountChange { role: Some(Role::User), disabled: None };
    assert!(matches!(store.update_user(&member.id, back, now()).await.unwrap(), AccountUpdate::Changed(_)));
    assert!(store.issuer_of_member(&member.id).await.unwrap().is_none());
    let listed = store.issuer_memberships(100_000).await.unwrap();
    assert!(listed.iter().all(|(u, _)| u != &member.id), "a former member is not listed");
}
