//! Share links in Neo4j: `(:ShareLink)-[:FOR_DOCUMENT]->(:Document)`. Consuming an access
//! locks the link's node, then checks and increments in the same transaction as the owner's
//! timeline event, so of N concurrent calls on k accesses left exactly min(N, k) succeed.
//! Concurrent calls of one process share that transaction (see `link_access_queue`).

use async_trait::async_trait;
use neo4rs::query;

use super::link_access_group::Call;
use super::link_row::LinkRow;
use super::{in_tx, timeline, Count, Neo4jStore};
use honestly_core::clock::Timestamp;
use honestly_core::ids::{LinkId, ProofId, UserId};
use honestly_core::links::ShareLink;
use honestly_core::store::{LinkStore, StoreError};
use honestly_core::timeline::TimelineEvent;

/// Runs once the document's lock is taken: writes nothing unless the document is the owner's.
const INSERT: &str = "MATCH (d:Document {id: $document_id}) WHERE d.user_id = $user_id \
     MERGE (q:Sequence {name: $seq_name}) ON CREATE SET q.value = 0 \
     SET q.value = q.value + 1 \
     CREATE (l:ShareLink {id: $id, user_id: $user_id, document_id: $document_id, proof_id: $proof_id, \
       access_level: $access_level, token_hash: $token_hash, expires_at: $expires_at, \
       max_accesses: $max_accesses, access_count: $access_count, passphrase_hash: $passphrase_hash, \
       created_at: $created_at, revoked_at: $revoked_at, seq: q.value})-[:FOR_DOCUMENT]->(d) \
     RETURN count(l) AS n";

const COLUMNS: &str =
    "l.id AS id, l.user_id AS user_id, l.document_id AS document_id, l.proof_id AS proof_id, \
     l.access_level AS access_level, l.token_hash AS token_hash, l.expires_at AS expires_at, \
     l.max_accesses AS max_accesses, l.access_count AS access_count, l.passphrase_hash AS passphrase_hash, \
     l.created_at AS created_at, l.revoked_at AS revoked_at";

pub(super) const BY_TOKEN_HASH: &str = "MATCH (l:ShareLink {token_hash: $token_hash}) \
     RETURN l.id AS id, l.user_id AS user_id, l.document_id AS document_id, l.proof_id AS proof_id, \
     l.access_level AS access_level, l.token_hash AS token_hash, l.expires_at AS expires_at, \
     l.max_accesses AS max_accesses, l.access_count AS access_count, l.passphrase_hash AS passphrase_hash, \
     l.created_at AS created_at, l.revoked_at AS revoked_at";

/// Runs after the link's lock is taken, so the conditions read the latest committed state.
pub(super) const CONSUME: &str = "MATCH (l:ShareLink {token_hash: $token_hash}) \
     WHERE l.revoked_at IS NULL AND l.expires_at > $now \
       AND (l.max_accesses IS NULL OR l.access_count < l.max_accesses) \
       AND EXISTS { MATCH (d:Document {id: l.document_id}) } \
     SET l.access_count = l.access_count + 1 \
     RETURN l.id AS id, l.user_id AS user_id, l.document_id AS document_id, l.proof_id AS proof_id, \
     l.access_level AS access_level, l.token_hash AS token_hash, l.expires_at AS expires_at, \
     l.max_accesses AS max_accesses, l.access_count AS access_count, l.passphrase_hash AS passphrase_hash, \
     l.created_at AS created_at, l.revoked_at AS revoked_at";

#[async_trait]
impl LinkStore for Neo4jStore {
    async fn insert_link(&self, l: &ShareLink, event: &TimelineEvent) -> Result<bool, StoreError> {
        in_tx!(self, |tx| {
            // The document's lock orders this write with the document's deletion.
            if !tx.lock("Document", "id", l.document_id.as_str()).await? {
                return Ok(false);
            }
            let created: Option<Count> = tx
                .fetch_one(
                    query(INSERT)
                        .param("seq_name", format!("links:{}", l.user_id))
                        .param("id", l.id.as_str())
                        .param("user_id", l.user_id.as_str())
                        .param("document_id", l.document_id.as_str())
                        .param("proof_id", l.proof_id.as_ref().map(ProofId::as_str))
                        .param("access_level", l.access_level.as_str())
                        .param("token_hash", l.token_hash.as_str())
                        .param("expires_at", l.expires_at.unix())
                        .param("max_accesses", l.max_accesses.map(i64::from))
                        .param("access_count", i64::from(l.access_count))
                        .param("passphrase_hash", l.passphrase_hash.clone())
                        .param("created_at", l.created_at.rfc3339())
                        .param("revoked_at", l.revoked_at.map(Timestamp::unix)),
                )
                .await?;
            if created.is_none_or(|c| c.n != 1) {
                return Ok(false);
            }
            timeline::insert(&mut tx, event).await?;
            Ok(true)
        })
    }

    async fn links_of_user(&self, user_id: &UserId, limit: u32) -> Result<Vec<ShareLink>, StoreError> {
        let rows: Vec<LinkRow> = self
            .fetch(
                query(&format!(
                    "MATCH (l:ShareLink {{user_id: $user_id}}) WHERE l.seq > 0 \
                     RETURN {COLUMNS} ORDER BY l.seq DESC LIMIT $limit"
                ))
                .param("user_id", user_id.as_str())
                .param("limit", i64::from(limit)),
            )
            .await?;
        rows.into_iter().map(ShareLink::try_from).collect()
    }

    async fn links_page(
        &self,
        user_id: &UserId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<(i64, ShareLink)>, StoreError> {
        let rows: Vec<LinkRow> = self
            .fetch(
                query(&format!(
                    "MATCH (l:ShareLink {{user_id: $user_id}}) WHERE l.seq < $before \
                     RETURN l.seq AS seq, {COLUMNS} ORDER BY l.seq DESC LIMIT $limit"
                ))
                .param("user_id", user_id.as_str())
                .param("before", before.unwrap_or(i64::MAX))
                .param("limit", i64::from(limit)),
            )
            .await?;
        rows.into_iter().map(|r| Ok((r.seq, ShareLink::try_from(r)?))).collect()
    }

    async fn revoke_link(
        &self,
        user_id: &UserId,
        id: &LinkId,
        now: Timestamp,
        event: &TimelineEvent,
    ) -> Result<bool, StoreError> {
        in_tx!(self, |tx| {
            if !tx.lock("ShareLink", "id", id.as_str()).await? {
                return Ok(false);
            }
            let changed: Option<Count> = tx
                .fetch_one(
                    query(
                        "MATCH (l:ShareLink {id: $id}) WHERE l.user_id = $user_id AND l.revoked_at IS NULL \
                         SET l.revoked_at = $now RETURN count(l) AS n",
                    )
                    .param("id", id.as_str())
                    .param("user_id", user_id.as_str())
                    .param("now", now.unix()),
                )
                .await?;
            let changed = changed.is_some_and(|c| c.n == 1);
            if changed {
                timeline::insert(&mut tx, event).await?;
            }
            Ok(changed)
        })
    }

    async fn link_by_token_hash(&self, token_hash: &str) -> Result<Option<ShareLink>, StoreError> {
        let row: Option<LinkRow> =
            self.fetch_one(query(BY_TOKEN_HASH).param("token_hash", token_hash)).await?;
        row.map(ShareLink::try_from).transpose()
    }

    async fn consume_link_access(
        &self,
        token_hash: &str,
        now: Timestamp,
        event: &TimelineEvent,
    ) -> Result<Option<ShareLink>, StoreError> {
        let Some(queue) = &self.access_queue else {
            return self.consume_link_access_alone(token_hash, now, event).await;
        };
        let call = Call { token_hash: token_hash.to_owned(), now, event: event.clone() };
        self.bounded(queue.consume(call)).await
    }
}

impl Neo4jStore {
    /// Consumes one access in a transaction of its own: the path of a call whose group failed.
    pub(super) async fn consume_link_access_alone(
        &self,
        token_hash: &str,
        now: Timestamp,
        event: &TimelineEvent,
    ) -> Result<Option<ShareLink>, StoreError> {
        in_tx!(self, |tx| {
            if !tx.lock("ShareLink", "token_hash", token_hash).await? {
                return Ok(None);
            }
            let row: Option<LinkRow> =
                tx.fetch_one(query(CONSUME).param("token_hash", token_hash).param("now", now.unix())).await?;
            let Some(link) = row.map(ShareLink::try_from).transpose()? else { return Ok(None) };
            let mut event = event.clone();
            event.user_id = link.user_id.clone();
            event.link_id = Some(link.id.clone());
            event.document_id = Some(link.document_id.clone());
            timeline::insert(&mut tx, &event).await?;
            Ok(Some(link))
        })
    }
}
