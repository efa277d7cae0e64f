//! Holders' secrets (made once), the compare and swap of every sealed thing of the issuance
//! area, and the erasure of an account's issuance data.

use std::sync::Arc;

use honestly_core::crypto::vault::Sealed;
use honestly_core::ids::UserId;
use honestly_core::issuance::{Decision, DecisionOutcome, SealedKind};
use honestly_core::store::{Erasure, Store};
use tokio::task::JoinSet;

use crate::issuers::{approval, held_record, new_issuer, random_key, request_record};
use crate::support::{at, insert_document, new_user, now, sealed, CREATED_AT};

pub async fn holder_secret_set_once(store: Arc<dyn Store>) {
    let user = new_user(&store).await.user.id;
    assert_eq!(store.holder_secret(&user).await.unwrap(), None);
    let first = sealed("v1", 1);
    assert_eq!(store.set_holder_secret_if_absent(&user, &first).await.unwrap(), Some(first.clone()));
    assert_eq!(
        store.set_holder_secret_if_absent(&user, &sealed("v1", 2)).await.unwrap(),
        Some(first.clone())
    );
    assert_eq!(store.holder_secret(&user).await.unwrap(), Some(first));
    assert_eq!(store.set_holder_secret_if_absent(&UserId::generate(), &sealed("v1", 3)).await.unwrap(), None);
}

pub async fn holder_secret_concurrent_callers_get_the_same(store: Arc<dyn Store>) {
    let user = new_user(&store).await.user.id;
    let mut tasks = JoinSet::new();
    for i in 0..8u8 {
        let (store, user) = (Arc::clone(&store), user.clone());
        tasks.spawn(async move { store.set_holder_secret_if_absent(&user, &sealed("v1", i)).await.unwrap() });
    }
    let answers = tasks.join_all().await;
    let stored = store.holder_secret(&user).await.unwrap().expect("made");
    assert!(answers.iter().all(|a| a.as_ref() == Some(&stored)), "{answers:?}");
}

pub async fn issuance_sealed_items_compare_and_swap(store: Arc<dyn Store>) {
    let issuer = new_issuer(&store).await;
    let holder = new_user(&store).await.user.id;
    let doc = insert_document(&store, &holder).await.meta.id;
    let request = request_record(&holder, &doc, &issuer.id, at(CREATED_AT));
    assert!(store.insert_credential_request(&request, 10).await.unwrap());
    let held = held_record(&holder, random_key(), at(CREATED_AT));
    assert!(store.insert_held_credential(&held, 10).await.unwrap());
    let secret = store.set_holder_secret_if_absent(&holder, &sealed("v1", 9)).await.unwrap().expect("made");
    let webhook_secret = crate::webhooks::secret_record(&holder, sealed("v1", 10));
    assert_eq!(store.insert_webhook_secret_if_absent(&webhook_secret).await.unwrap(), Some(true));

    let things = [
        (
            SealedKind::IssuerKey,
            issuer.id.as_str().to_string(),
            issuer.id.as_str().to_string(),
            issuer.sealed_key,
        ),
        (
            SealedKind::RequestClaims,
            request.id.as_str().to_string(),
            holder.as_str().to_string(),
            request.sealed_claims,
        ),
        (
            SealedKind::HeldCredential,
            held.id.as_str().to_string(),
            holder.as_str().to_string(),
            held.sealed_json,
        ),
        (SealedKind::HolderSecret, holder.as_str().to_string(), holder.as_str().to_string(), secret),
        (
            SealedKind::WebhookSecret,
            webhook_secret.id.clone(),
            holder.as_str().to_string(),
            webhook_secret.sealed,
        ),
    ];
    let target = format!("v-{}", holder.as_str());
    for (kind, id, owner, old) in things {
        let pending = store.sealed_items_not_under(kind, &target, 100_000).await.unwrap();
        let item = pending.iter().find(|i| i.id == id).unwrap_or_else(|| panic!("{kind:?} {id} pending"));
        assert_eq!((&item.owner, &item.sealed), (&owner, &old), "{kind:?}");

        let resealed = Sealed {
            key_version: target.clone(),
            nonce: vec![8; 12],
            ciphertext: kind.as_str().as_bytes().to_vec(),
        };
        let stale = "not-the-version";
        assert!(!store.replace_sealed_item(kind, &id, stale, &resealed).await.unwrap(), "{kind:?} stale");
        assert!(store.replace_sealed_item(kind, &id, &old.key_version, &resealed).await.unwrap(), "{kind:?}");
        assert!(
            !store.replace_sealed_item(kind, &id, &old.key_version, &resealed).await.unwrap(),
            "{kind:?} swapped"
        );
        assert!(!store.replace_sealed_item(kind, "nothing", &old.key_version, &resealed).await.unwrap());
        let pending = store.sealed_items_not_under(kind, &target, 100_000).await.unwrap();
        assert!(!pending.iter().any(|i| i.id == id), "{kind:?} done");
        let now_stored = match kind {
            SealedKind::IssuerKey => store.issuer(&issuer.id).await.unwrap().unwrap().sealed_key,
            SealedKind::RequestClaims => {
                store.credential_request(&request.id).await.unwrap().unwrap().sealed_claims
            }
            SealedKind::HeldCredential => {
                store.held_credential(&holder, &held.id).await.unwrap().unwrap().sealed_json
            }
            SealedKind::HolderSecret => store.holder_secret(&holder).await.unwrap().unwrap(),
            SealedKind::WebhookSecret => store.webhook_secrets(&holder).await.unwrap().remove(0).sealed,
        };
        assert_eq!(now_stored, resealed, "{kind:?}");
    }
    new_issuer(&store).await;
    new_issuer(&store).await;
    assert_eq!(
        store.sealed_items_not_under(SealedKind::IssuerKey, &target, 1).await.unwrap().len(),
        1,
        "limit"
    );
}

pub async fn issuance_erasure_removes_holder_data(store: Arc<dyn Store>) {
    let issuer = new_issuer(&store).await;
    let member = new_user(&store).await.user.id;
    assert!(store.add_issuer_member(&issuer.id, &member).await.unwrap());
    let holder = new_user(&store).await.user.id;
    let doc = insert_document(&store, &holder).await.meta.id;
    let approved = request_record(&holder, &doc, &issuer.id, at(CREATED_AT));
    let pending = request_record(&holder, &doc, &issuer.id, at(CREATED_AT));
    for r in [&approved, &pending] {
        assert!(store.insert_credential_request(r, 10).await.unwrap());
    }
    let approve = approval(&approved, &issuer);
    let done =
        store.decide_credential_request(&issuer.id, &approved.id, &member, &approve, now()).await.unwrap();
    assert!(matches!(done, DecisionOutcome::Done(_)));
    let Decision::Approve { issued, held } = approve else { unreachable!() };
    let imported = held_record(&holder, random_key(), at(CREATED_AT));
    assert!(store.insert_held_credential(&imported, 10).await.unwrap());
    store.set_holder_secret_if_absent(&holder, &sealed("v1", 1)).await.unwrap().expect("made");
    let keeper = new_user(&store).await.user.id;
    let kept = held_record(&keeper, random_key(), at(CREATED_AT));
    assert!(store.insert_held_credential(&kept, 10).await.unwrap());

    assert!(matches!(store.erase_user(&holder, now()).await.unwrap(), Erasure::Erased(_)));
    assert!(store.held_credentials(&holder, 10).await.unwrap().is_empty());
    assert!(store.held_credential(&holder, &held.id).await.unwrap().is_none());
    assert!(store.credential_requests_of_holder(&holder, 10).await.unwrap().is_empty());
    for r in [&approved, &pending] {
        assert!(store.credential_request(&r.id).await.unwrap().is_none());
    }
    assert!(store.credential_requests_for_issuer(&issuer.id, None, None, 10).await.unwrap().is_empty());
    assert_eq!(store.holder_secret(&holder).await.unwrap(), None);
    // The issuer's record stays: it names the holder by id only.
    assert_eq!(store.issued_credential(&issuer.id, &issued.id).await.unwrap(), Some(issued));
    assert_eq!(store.held_credential(&keeper, &kept.id).await.unwrap(), Some(kept));

    // An erased member no longer acts for the issuer.
    assert!(matches!(store.erase_user(&member, now()).await.unwrap(), Erasure::Erased(_)));
    assert_eq!(store.issuer_of_member(&member).await.unwrap(), None);
    assert_eq!(store.issuer(&issuer.id).await.unwrap().map(|i| i.id), Some(issuer.id));
}
