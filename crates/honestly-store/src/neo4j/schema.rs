//! Constraints and indexes, created at start when missing (`IF NOT EXISTS`: idempotent and
//! safe from several replicas at once), and the list of hot-path queries whose plans must
//! seek an index.

use std::time::Duration;

use super::Neo4jStore;
use honestly_core::store::StoreError;

/// Uniqueness constraints (each also backs an index).
const CONSTRAINTS: &[(&str, &str, &str)] = &[
    ("user_id", "User", "id"),
    ("user_username", "User", "username_canonical"),
    ("session_id", "Session", "id"),
    ("refresh_token_hash", "RefreshToken", "hash"),
    ("revoked_access_token_jti", "RevokedAccessToken", "jti"),
    ("document_id", "Document", "id"),
    ("proof_id", "Proof", "id"),
    ("share_link_id", "ShareLink", "id"),
    ("share_link_token_hash", "ShareLink", "token_hash"),
    ("timeline_event_id", "TimelineEvent", "id"),
    ("audit_event_seq", "AuditEvent", "seq"),
    ("audit_event_id", "AuditEvent", "id"),
    ("audit_head_name", "AuditHead", "name"),
    ("agent_id", "Agent", "id"),
    ("nullifier_key", "Nullifier", "key"),
    ("signed_request_digest", "SignedRequest", "digest"),
    ("registry_leaf_idx", "RegistryLeaf", "idx"),
    ("registry_root_epoch", "RegistryRoot", "epoch"),
    ("registry_head_name", "RegistryHead", "name"),
    ("sequence_name", "Sequence", "name"),
    ("data_fix_name", "DataFix", "name"),
    ("admin_guard_name", "AdminGuard", "name"),
    ("issuer_id", "Issuer", "id"),
    ("issuer_name", "Issuer", "name"),
    ("credential_request_id", "CredentialRequest", "id"),
    ("issued_credential_id", "IssuedCredential", "id"),
    ("held_credential_id", "HeldCredential", "id"),
    ("held_credential_dedup", "HeldCredential", "dedup"),
    ("holder_secret_user", "HolderSecret", "user_id"),
    ("proof_request_id", "ProofRequest", "id"),
    ("proof_request_token_hash", "ProofRequest", "token_hash"),
    ("proof_request_answer_key", "ProofRequestAnswer", "key"),
    ("webhook_secret_id", "WebhookSecret", "id"),
    ("webhook_event_id", "WebhookEvent", "id"),
];

/// Range indexes: `(name, label, properties)`.
const INDEXES: &[(&str, &str, &str)] = &[
    ("webhook_secret_owner", "WebhookSecret", "n.owner"),
    ("webhook_secret_key_version", "WebhookSecret", "n.key_version"),
    ("webhook_event_due", "WebhookEvent", "n.status, n.next_attempt_ms"),
    ("webhook_event_subject", "WebhookEvent", "n.owner, n.subject"),
    ("refresh_token_expires", "RefreshToken", "n.expires_at"),
    ("refresh_token_session", "RefreshToken", "n.session_id"),
    ("session_user", "Session", "n.user_id"),
    ("revoked_access_token_expires", "RevokedAccessToken", "n.expires_at"),
    ("login_failure_key_at", "LoginFailure", "n.key, n.at"),
    ("login_failure_at", "LoginFailure", "n.at"),
    ("document_user_seq", "Document", "n.user_id, n.seq"),
    ("document_sha256", "Document", "n.sha256"),
    ("document_key_version", "Document", "n.key_version"),
    ("proof_user_seq", "Proof", "n.user_id, n.seq"),
    ("proof_document", "Proof", "n.document_id"),
    ("share_link_user_seq", "ShareLink", "n.user_id, n.seq"),
    ("share_link_document", "ShareLink", "n.document_id"),
    ("timeline_user_seq", "TimelineEvent", "n.user_id, n.seq"),
    ("timeline_user_document_seq", "TimelineEvent", "n.user_id, n.document_id, n.seq"),
    ("agent_user_seq", "Agent", "n.user_id, n.seq"),
    ("signed_request_expires", "SignedRequest", "n.expires_at"),
    ("credential_request_by_holder", "CredentialRequest", "n.holder"),
    ("credential_request_by_issuer", "CredentialRequest", "n.issuer_id"),
    ("credential_request_document", "CredentialRequest", "n.document_id"),
    ("credential_request_key_version", "CredentialRequest", "n.key_version"),
    ("issued_credential_by_issuer", "IssuedCredential", "n.issuer_id"),
    ("held_credential_by_holder", "HeldCredential", "n.holder"),
    ("held_credential_document", "HeldCredential", "n.document_id"),
    ("held_credential_key_version", "HeldCredential", "n.key_version"),
    ("issuer_key_version", "Issuer", "n.key_version"),
    ("issuer_public_key", "Issuer", "n.public_key_x, n.public_key_y"),
    ("proof_request_owner_seq", "ProofRequest", "n.owner, n.seq"),
    ("proof_request_due", "ProofRequest", "n.status, n.expires_at"),
    ("proof_request_answer_owner", "ProofRequestAnswer", "n.owner"),
];

/// Corrections of stored data, each applied once per database (after the schema, before the
/// store serves): `(name, statements)`. The statements are idempotent, so replicas starting at
/// once may both run them; the `(:DataFix {name})` node written afterwards skips them on later
/// starts.
const DATA_FIXES: &[(&str, &[&str])] = &[(
    // Deleting a document deletes its proofs and share links; those left behind by deletions
    // before that go now.
    "orphans-of-deleted-documents",
    &[
        "MATCH (p:Proof) WHERE NOT EXISTS { MATCH (d:Document {id: p.document_id}) } DETACH DELETE p",
        "MATCH (l:ShareLink) WHERE NOT EXISTS { MATCH (d:Document {id: l.document_id}) } DETACH DELETE l",
    ],
)];

/// How long schema creation may take at start (index population on a large database).
const SCHEMA_TIMEOUT: Duration = Duration::from_secs(120);

/// Creates what is missing and waits until every index is online. Replicas starting at once
/// may race on the same `CREATE … IF NOT EXISTS`; a failed attempt is retried.
pub(super) async fn create(store: &Neo4jStore) -> Result<(), StoreError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match create_once(store).await {
            Err(e) if attempt < 3 => {
                tracing::warn!(error = %e, "creating the neo4j schema failed; retrying");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            other => return other,
        }
    }
}

async fn create_once(store: &Neo4jStore) -> Result<(), StoreError> {
    let mut statements = Vec::new();
    for (name, label, property) in CONSTRAINTS {
        statements.push(format!(
            "CREATE CONSTRAINT {name} IF NOT EXISTS FOR (n:{label}) REQUIRE n.{property} IS UNIQUE"
        ));
    }
    for (name, label, properties) in INDEXES {
        statements.push(format!("CREATE INDEX {name} IF NOT EXISTS FOR (n:{label}) ON ({properties})"));
    }
    statements.push("CALL db.awaitIndexes(110)".into());
    // The singleton account changes lock (see `erasure`), made before anyone needs it so
    // that concurrent first uses never race to create it.
    statements.push("MERGE (:AdminGuard {name: 'admins'})".into());
    let all = async {
        for statement in statements {
            store.graph.run(neo4rs::query(&statement)).await.map_err(super::from_neo4j)?;
        }
        apply_data_fixes(store).await
    };
    match tokio::time::timeout(SCHEMA_TIMEOUT, all).await {
        Ok(result) => result,
        Err(_) => Err(StoreError::unavailable(format!("neo4j schema not ready within {SCHEMA_TIMEOUT:?}"))),
    }
}

/// Runs each of [`DATA_FIXES`] not yet recorded in the database, then records it.
async fn apply_data_fixes(store: &Neo4jStore) -> Result<(), StoreError> {
    for (name, statements) in DATA_FIXES {
        let done: Option<super::Count> = store
            .fetch_one(
                neo4rs::query("MATCH (f:DataFix {name: $name}) RETURN count(f) AS n").param("name", *name),
            )
            .await?;
        if done.is_some_and(|c| c.n > 0) {
            continue;
        }
        for statement in *statements {
            store.graph.run(neo4rs::query(statement)).await.map_err(super::from_neo4j)?;
        }
        store
            .graph
            .run(
                neo4rs::query("MERGE (f:DataFix {name: $name}) ON CREATE SET f.applied_at = $at")
                    .param("name", *name)
                    .param("at", honestly_core::clock::Timestamp::now().rfc3339()),
            )
            .await
            .map_err(super::from_neo4j)?;
    }
    Ok(())
}

/// The queries on the hot paths of requests, by name, exactly as the store runs them. Each
/// must be planned as an index seek, never a label or full scan.
pub fn hot_path_queries() -> Vec<(&'static str, &'static str)> {
    vec![
        ("user by canonical username", super::users::BY_USERNAME),
        ("user by id", super::users::BY_ID),
        ("refresh token by hash", super::sessions::ROTATE_READ),
        ("access token active", super::sessions::ACCESS_ACTIVE),
        ("document by id and owner", super::documents::BY_ID),
        ("documents of owner", super::documents::LIST),
        ("document by sha256", super::documents::BY_SHA256),
        ("document of owner by sha256", super::documents::BY_SHA256_OF_USER),
        ("share link by token hash", super::links::BY_TOKEN_HASH),
        ("consume share link access", super::links::CONSUME),
        ("consume share link accesses in a group", super::link_access_group::CONSUME_GROUP),
        ("append grouped timeline events", super::link_access_group::APPEND_EVENTS),
        ("nullifier consumed", super::nullifiers::CONSUMED),
        ("nullifier consume", super::nullifiers::CONSUME),
        ("agent by id", super::agents::ACTIVE),
        ("signed request remember", super::replay::REMEMBER),
        ("signed request renew", super::replay::RENEW_EXPIRED),
        ("signed requests expired", super::replay::FORGET_EXPIRED),
        ("timeline of user", super::timeline::LIST),
        ("timeline of a document", super::timeline::DOCUMENT_LIST),
        ("issuer of member", super::issuers::MEMBER_OF),
        ("issuer by public key", super::issuers::BY_KEY),
        ("holder secret", super::holder_secrets::SECRET),
        ("proof request by id", super::proof_requests::BY_ID),
        ("proof request by token hash", super::proof_requests::BY_TOKEN_HASH),
    ]
}
