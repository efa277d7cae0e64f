//! Account changes and erasure in Neo4j, each one transaction that first takes the write lock
//! of the `(:User)` node and then of the `(:AdminGuard)` singleton, so two changes that would
//! each leave another administrator cannot both pass and leave none.

use neo4rs::query;
use serde::Deserialize;

use super::{Count, Tx};
use crate::stored::text;
use honestly_core::auth::model::User;
use honestly_core::auth::Role;
use honestly_core::clock::Timestamp;
use honestly_core::ids::UserId;
use honestly_core::store::{AccountChange, AccountUpdate, ErasedCounts, Erasure, StoreError};

const GUARD: &str = "MERGE (g:AdminGuard {name: 'admins'}) SET g._lock = true REMOVE g._lock";

const CURRENT: &str = "MATCH (u:User {id: $id}) \
     RETURN u.id AS id, u.username AS username, u.role AS role, u.created_at AS created_at, \
       u.disabled AS disabled, u.username_canonical AS canonical";

const OTHER_ADMINS: &str = "MATCH (u:User) WHERE u.role = 'admin' AND NOT coalesce(u.disabled, false) \
     AND u.id <> $id RETURN count(u) AS n";

const UPDATE: &str = "MATCH (u:User {id: $id}) SET u.role = $role, u.disabled = $disabled";

const REVOKE_SESSIONS: &str =
    "MATCH (s:Session {user_id: $id}) WHERE s.revoked_at IS NULL SET s.revoked_at = $now";

#[derive(Deserialize)]
struct CurrentRow {
    id: String,
    username: String,
    role: String,
    created_at: String,
    disabled: Option<bool>,
    canonical: String,
}

/// The account and its canonical username, under its lock; `None` when it does not exist.
async fn current(tx: &mut Tx, id: &UserId) -> Result<Option<(User, String)>, StoreError> {
    if !tx.lock("User", "id", id.as_str()).await? {
        return Ok(None);
    }
    tx.run(query(GUARD)).await?;
    let Some(row) = tx.fetch_one::<CurrentRow>(query(CURRENT).param("id", id.as_str())).await? else {
        return Ok(None);
    };
    let user = User {
        id: text("User.id", &row.id)?,
        username: row.username,
        role: text("User.role", &row.role)?,
        created_at: text("User.created_at", &row.created_at)?,
        disabled: row.disabled.unwrap_or(false),
    };
    Ok(Some((user, row.canonical)))
}

async fn is_last_admin(tx: &mut Tx, user: &User) -> Result<bool, StoreError> {
    if user.role != Role::Admin || user.disabled {
        return Ok(false);
    }
    let others: Option<Count> = tx.fetch_one(query(OTHER_ADMINS).param("id", user.id.as_str())).await?;
    Ok(others.is_none_or(|c| c.n == 0))
}

/// Applies `change` and revokes the account's sessions.
pub(super) async fn update(
    tx: &mut Tx,
    id: &UserId,
    change: AccountChange,
    now: Timestamp,
) -> Result<AccountUpdate, StoreError> {
    let Some((mut user, _)) = current(tx, id).await? else { return Ok(AccountUpdate::NotFound) };
    let role = change.role.unwrap_or(user.role);
    let disabled = change.disabled.unwrap_or(user.disabled);
    if (role != Role::Admin || disabled) && is_last_admin(tx, &user).await? {
        return Ok(AccountUpdate::LastAdmin);
    }
    tx.run(query(UPDATE).param("id", id.as_str()).param("role", role.as_str()).param("disabled", disabled))
        .await?;
    tx.run(query(REVOKE_SESSIONS).param("id", id.as_str()).param("now", now.unix())).await?;
    user.role = role;
    user.disabled = disabled;
    Ok(AccountUpdate::Changed(user))
}

/// `(label, statement)`: each deletes what the account owns of one kind and returns how many.
const ERASE: &[(&str, &str)] = &[
    // The registry keeps each leaf (its roots depend on it) but forgets whose it was.
    (
        "leaves",
        "MATCH (d:Document {user_id: $id}) OPTIONAL MATCH (l:RegistryLeaf)-[:LEAF_OF]->(d) \
         REMOVE l.document_id RETURN count(l) AS n",
    ),
    ("proofs", "MATCH (p:Proof {user_id: $id}) DETACH DELETE p RETURN count(p) AS n"),
    ("links", "MATCH (l:ShareLink {user_id: $id}) DETACH DELETE l RETURN count(l) AS n"),
    ("documents", "MATCH (d:Document {user_id: $id}) DETACH DELETE d RETURN count(d) AS n"),
    ("agents", "MATCH (a:Agent {user_id: $id}) DETACH DELETE a RETURN count(a) AS n"),
    // Issuance: the holder's copies, requests and secret go (the membership goes with the
    // user node); the issuers' records of what they issued stay, with the holder id only.
    ("held credentials", "MATCH (c:HeldCredential {holder: $id}) DETACH DELETE c RETURN count(c) AS n"),
    ("requests", "MATCH (r:CredentialRequest {holder: $id}) DETACH DELETE r RETURN count(r) AS n"),
    ("holder secret", "MATCH (s:HolderSecret {user_id: $id}) DETACH DELETE s RETURN count(s) AS n"),
    // The verifier's proof requests and the record of who answered them.
    ("proof requests", "MATCH (r:ProofRequest {owner: $id}) DETACH DELETE r RETURN count(r) AS n"),
    (
        "proof request answers",
        "MATCH (a:ProofRequestAnswer {owner: $id}) DETACH DELETE a RETURN count(a) AS n",
    ),
    ("webhook secrets", "MATCH (s:WebhookSecret {owner: $id}) DETACH DELETE s RETURN count(s) AS n"),
    ("webhook events", "MATCH (e:WebhookEvent {owner: $id}) DETACH DELETE e RETURN count(e) AS n"),
    ("timeline", "MATCH (e:TimelineEvent {user_id: $id}) DETACH DELETE e RETURN count(e) AS n"),
    (
        "tokens",
        "MATCH (s:Session {user_id: $id}) MATCH (t:RefreshToken {session_id: s.id}) \
         DETACH DELETE t RETURN count(t) AS n",
    ),
    ("sessions", "MATCH (s:Session {user_id: $id}) DETACH DELETE s RETURN count(s) AS n"),
    ("sequences", "MATCH (q:Sequence) WHERE q.name IN $sequences DETACH DELETE q RETURN count(q) AS n"),
    (
        "failures",
        "MATCH (f:LoginFailure) WHERE f.key STARTS WITH $failure_prefix DELETE f RETURN count(f) AS n",
    ),
    ("user", "MATCH (u:User {id: $id}) DETACH DELETE u RETURN count(u) AS n"),
];

/// Deletes the account and everything it owns (see `UserStore::erase_user`).
pub(super) async fn erase(tx: &mut Tx, id: &UserId) -> Result<Erasure, StoreError> {
    let Some((user, canonical)) = current(tx, id).await? else { return Ok(Erasure::NotFound) };
    if is_last_admin(tx, &user).await? {
        return Ok(Erasure::LastAdmin);
    }
    let sequences: Vec<String> =
        ["links", "proofs", "timeline"].iter().map(|kind| format!("{kind}:{id}")).collect();
    let mut counts = ErasedCounts::default();
    for (label, statement) in ERASE {
        let q = query(statement)
            .param("id", id.as_str())
            .param("sequences", sequences.clone())
            .param("failure_prefix", format!("{canonical}|"));
        let n = tx.fetch_one::<Count>(q).await?.map_or(0, |c| u64::try_from(c.n).unwrap_or(0));
        match *label {
            "proofs" => counts.proofs = n,
            "links" => counts.links = n,
            "documents" => counts.documents = n,
            "agents" => counts.agents = n,
            "timeline" => counts.timeline_events = n,
            "sessions" => counts.sessions = n,
            _ => {}
        }
    }
    Ok(Erasure::Erased(counts))
}
