//! Cache invalidation between replicas: a replica that revokes a link or deletes a document
//! publishes `link:<id>` / `doc:<id>` on [`INVALIDATION_CHANNEL`]; every replica (itself
//! included) drops its cached copy. After a lost subscription every cache is cleared, since
//! messages may have been missed meanwhile.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use honestly_core::ids::{DocumentId, LinkId};
use tokio::sync::mpsc;

use super::RedisLink;

/// The pub/sub channel.
pub const INVALIDATION_CHANNEL: &str = "honestly:invalidate";

/// What to forget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalidation {
    /// A share link's cached target.
    Link(LinkId),
    /// A document's cached metadata.
    Document(DocumentId),
    /// Everything (messages may have been missed).
    All,
}

impl Invalidation {
    fn encode(&self) -> String {
        match self {
            Invalidation::Link(id) => format!("link:{id}"),
            Invalidation::Document(id) => format!("doc:{id}"),
            Invalidation::All => "*".into(),
        }
    }

    fn decode(text: &str) -> Option<Self> {
        if text == "*" {
            return Some(Invalidation::All);
        }
        let (kind, id) = text.split_once(':')?;
        match kind {
            "link" => LinkId::parse(id).ok().map(Invalidation::Link),
            "doc" => DocumentId::parse(id).ok().map(Invalidation::Document),
            _ => None,
        }
    }
}

impl RedisLink {
    /// Tells every replica to forget `what` (best effort: a replica that misses it clears its
    /// caches when it resubscribes, and cached entries expire with their TTL anyway).
    pub async fn publish(&self, what: &Invalidation) {
        let message = what.encode();
        let sent = self
            .run(|mut conn| async move {
                redis::cmd("PUBLISH")
                    .arg(INVALIDATION_CHANNEL)
                    .arg(message)
                    .query_async::<i64>(&mut conn)
                    .await
            })
            .await;
        if sent.is_none() {
            tracing::debug!("invalidation not published: redis unreachable");
        }
    }

    /// Invalidation messages from every replica, for as long as the receiver lives. Reconnects
    /// by itself; each resubscription after the first yields [`Invalidation::All`].
    pub fn subscribe(self: &Arc<Self>) -> mpsc::Receiver<Invalidation> {
        let (tx, rx) = mpsc::channel(1024);
        let client = self.client().clone();
        tokio::spawn(async move {
            let mut first = true;
            while !tx.is_closed() {
                let subscribed = async {
                    let mut pubsub = client.get_async_pubsub().await?;
                    pubsub.subscribe(INVALIDATION_CHANNEL).await?;
                    Ok::<_, redis::RedisError>(pubsub)
                };
                let Ok(Ok(mut pubsub)) = tokio::time::timeout(super::OPERATION_TIMEOUT, subscribed).await
                else {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                };
                if !first && tx.send(Invalidation::All).await.is_err() {
                    return;
                }
                first = false;
                let mut messages = pubsub.on_message();
                while let Some(message) = messages.next().await {
                    let Ok(text) = message.get_payload::<String>() else { continue };
                    if let Some(what) = Invalidation::decode(&text) {
                        if tx.send(what).await.is_err() {
                            return;
                        }
                    }
                }
                tracing::warn!("redis invalidation subscription lost; reconnecting");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
        rx
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip() {
        for what in [
            Invalidation::Link(LinkId::generate()),
            Invalidation::Document(DocumentId::generate()),
            Invalidation::All,
        ] {
            assert_eq!(Invalidation::decode(&what.encode()), Some(what));
        }
        assert_eq!(Invalidation::decode("other:1"), None);
        assert_eq!(Invalidation::decode("nothing"), None);
        assert_eq!(Invalidation::decode("link:lnk_1"), None, "not an id: ignored");
    }
}
