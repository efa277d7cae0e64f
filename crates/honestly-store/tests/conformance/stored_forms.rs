//! The SQLite backend keeps the storage format existing databases have: ids as their text,
//! RFC 3339 text in the columns that always held text, Unix seconds in those that held numbers;
//! and a stored value that does not parse is an internal error naming its column.

use std::sync::Arc;

use honestly_core::clock::Timestamp;
use honestly_core::ids::{SessionId, TokenId};
use honestly_core::store::{NewRefreshToken, Store, StoreError};
use honestly_core::timeline::{TimelineEvent, TimelineKind};
use honestly_store::sqlite::SqliteStore;

use crate::support::{at, from_now, insert_document, new_link, random_hash, user_record, CREATED_AT};

async fn store() -> (tempfile::TempDir, Arc<SqliteStore>) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("honestly.db")).await.unwrap();
    (dir, Arc::new(store))
}

/// `typeof(column)` and the value as text, of the one row `sql` selects.
async fn stored(store: &SqliteStore, sql: &'static str, id: &str) -> (String, String) {
    let id = id.to_string();
    store
        .read(move |conn| {
            Ok(conn.query_row(&format!("SELECT typeof(v), CAST(v AS TEXT) FROM ({sql})"), [id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?)
        })
        .await
        .unwrap()
}

fn text(value: &str) -> (String, String) {
    ("text".into(), value.into())
}

fn integer(at: Timestamp) -> (String, String) {
    ("integer".into(), at.unix().to_string())
}

#[tokio::test]
async fn sqlite_keeps_the_stored_form_of_every_id_and_time() {
    let (_dir, sqlite) = store().await;
    let store: Arc<dyn Store> = sqlite.clone();
    let created = at(CREATED_AT);
    // In the future, so no housekeeping forgets what it stamps.
    let later = from_now(3600);

    let user = user_record(false, CREATED_AT);
    let uid = &user.user.id;
    store.create_user(&user, &user.user.username).await.unwrap();
    let family = SessionId::generate();
    let token = NewRefreshToken {
        hash: random_hash(),
        family_id: family.clone(),
        user_id: uid.clone(),
        expires_at: later,
    };
    store.start_session(&token, created).await.unwrap();
    let jti = TokenId::generate();
    store.revoke_access_token(&jti, later).await.unwrap();
    store.record_login_failure("stored-forms", later).await.unwrap();
    let doc = insert_document(&store, uid).await;
    let mut link = new_link(uid, &doc.meta.id, None, 0);
    link.expires_at = later;
    let event = TimelineEvent::new(uid, TimelineKind::LinkCreated).link(&link.id);
    assert!(store.insert_link(&link, &event).await.unwrap());
    store
        .revoke_link(uid, &link.id, later, &TimelineEvent::new(uid, TimelineKind::LinkRevoked))
        .await
        .unwrap();

    let (uid, session, document, link_id) =
        (uid.as_str(), family.as_str(), doc.meta.id.as_str(), link.id.as_str());
    let expectations: [(&'static str, &str, (String, String)); 16] = [
        ("SELECT id AS v FROM users WHERE id = ?1", uid, text(uid)),
        ("SELECT created_at AS v FROM users WHERE id = ?1", uid, text(CREATED_AT)),
        ("SELECT role AS v FROM users WHERE id = ?1", uid, text("user")),
        ("SELECT created_at AS v FROM sessions WHERE id = ?1", session, integer(created)),
        ("SELECT expires_at AS v FROM refresh_tokens WHERE session_id = ?1", session, integer(later)),
        ("SELECT expires_at AS v FROM revoked_access_tokens WHERE jti = ?1", jti.as_str(), integer(later)),
        ("SELECT at AS v FROM login_failures WHERE key = ?1", "stored-forms", integer(later)),
        ("SELECT created_at AS v FROM documents WHERE id = ?1", document, text(CREATED_AT)),
        ("SELECT document_type AS v FROM documents WHERE id = ?1", document, text("identity")),
        (
            "SELECT r.created_at AS v FROM registry_roots r \
             JOIN registry_leaves l ON r.epoch = l.idx + 1 WHERE l.document_id = ?1",
            document,
            text(CREATED_AT),
        ),
        ("SELECT created_at AS v FROM share_links WHERE id = ?1", link_id, text(CREATED_AT)),
        ("SELECT expires_at AS v FROM share_links WHERE id = ?1", link_id, integer(later)),
        ("SELECT revoked_at AS v FROM share_links WHERE id = ?1", link_id, integer(later)),
        ("SELECT access_level AS v FROM share_links WHERE id = ?1", link_id, text("metadata")),
        ("SELECT kind AS v FROM timeline_events WHERE link_id = ?1", link_id, text("link_created")),
        ("SELECT at AS v FROM timeline_events WHERE link_id = ?1", link_id, text(&event.at.rfc3339())),
    ];
    for (sql, id, expected) in expectations {
        assert_eq!(stored(&sqlite, sql, id).await, expected, "{sql}");
    }
}

#[tokio::test]
async fn a_stored_value_that_does_not_parse_is_an_internal_error_naming_its_column() {
    let (_dir, sqlite) = store().await;
    let store: Arc<dyn Store> = sqlite.clone();
    let user = user_record(false, CREATED_AT);
    store.create_user(&user, &user.user.username).await.unwrap();
    let id = user.user.id.as_str().to_string();
    sqlite
        .write(move |tx| Ok(tx.execute("UPDATE users SET created_at = 'yesterday' WHERE id = ?1", [id])?))
        .await
        .unwrap();
    let refused = store.user_by_id(&user.user.id).await.unwrap_err();
    assert!(matches!(refused, StoreError::Internal(_)), "{refused:?}");
    let words = honestly_core::error::chain(&refused);
    assert!(words.contains("stored created_at \"yesterday\" does not parse"), "{words}");
    // Listing refuses the same row the same way rather than skipping or defaulting it.
    assert!(matches!(store.list_users(10).await, Err(StoreError::Internal(_))));
}
