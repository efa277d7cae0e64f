//! How requests end. Completion, decline and expiry all pass through
//! [`ProofRequestService::finish`] (one request) or [`ProofRequestService::expire_due`] (the
//! sweep), and every request that ended — exactly once, whichever replica ended it — is handed
//! to [`ProofRequestService::ended`]. A request with a callback URL announces its end by a
//! webhook event that the store writes in the same transaction as the end: a crash cannot
//! separate them.

use std::sync::Arc;

use super::model::{Finish, FinishOutcome, ProofRequestRecord, ProofRequestStatus};
use super::service::{ProofRequestService, EXPIRE_BATCH};
use crate::audit::{Actor, AuditEvent, Outcome};
use crate::clock::Timestamp;
use crate::ids::ProofRequestId;
use crate::store::{Announcement, StoreError};
use crate::timeline::{TimelineEvent, TimelineKind};
use crate::webhooks::NewEvent;

impl ProofRequestService {
    /// Ends request `id` with `finish` at the current time, by `actor`; a request that ended
    /// now is handed to [`Self::ended`].
    pub async fn finish(
        &self,
        id: &ProofRequestId,
        finish: &Finish,
        actor: Actor,
    ) -> Result<FinishOutcome, StoreError> {
        let outcome =
            self.store.finish_proof_request(id, finish, Timestamp::now(), self.announcement()).await?;
        if let FinishOutcome::Done(request) = &outcome {
            self.ended(request, actor).await;
        }
        Ok(outcome)
    }

    /// Marks expired the requests pending past their expiry (at most one batch); returns how
    /// many ended now. Run by every replica's sweeper; each request ends once.
    pub async fn expire_due(&self) -> Result<usize, StoreError> {
        let expired =
            self.store.expire_due_proof_requests(Timestamp::now(), EXPIRE_BATCH, self.announcement()).await?;
        for request in &expired {
            self.ended(request, Actor::Anonymous).await;
        }
        Ok(expired.len())
    }

    /// Marks one due request expired; the request as it now is (`None` when it is gone).
    pub(super) async fn expire(&self, id: &ProofRequestId) -> Result<Option<ProofRequestRecord>, StoreError> {
        Ok(match self.finish(id, &Finish::Expire, Actor::Anonymous).await? {
            FinishOutcome::Done(request)
            | FinishOutcome::NotPending(request)
            | FinishOutcome::TooLate(request) => Some(request),
            FinishOutcome::AlreadyAnswered | FinishOutcome::NotFound => None,
        })
    }

    /// The webhook event of a request as it ends, for the store to write with the end: of
    /// the type that names how it ended, sent to its callback URL; none without one.
    fn announcement(&self) -> Arc<Announcement> {
        let webhooks = Arc::clone(&self.webhooks);
        Arc::new(move |request: &ProofRequestRecord| {
            let (event_type, _) = ended_as(request.status)?;
            let url = request.spec.callback_url.as_ref()?;
            let event = NewEvent {
                owner: request.owner.clone(),
                subject: request.id.to_string(),
                event_type: event_type.to_owned(),
                url: url.clone(),
                payload: event_data(request),
            };
            match webhooks.prepare(event) {
                Ok(event) => Some(event),
                Err(e) => {
                    tracing::error!(request_id = %request.id, error = %e, "the proof request's webhook event could not be made");
                    None
                }
            }
        })
    }

    /// A request that has just ended (completed, declined or expired): called exactly once
    /// per request, after the store committed the end (and, with a callback URL, its webhook
    /// event: the delivery workers are woken). It is audited; the verifier's timeline records
    /// the end; a holder's answer goes into the holder's timeline.
    async fn ended(&self, request: &ProofRequestRecord, actor: Actor) {
        let Some((action, kind)) = ended_as(request.status) else { return };
        if let Actor::User(holder) = &actor {
            self.note(TimelineEvent::new(holder, TimelineKind::ProofRequestAnswered).request(&request.id))
                .await;
        }
        self.note(TimelineEvent::new(&request.owner, kind).request(&request.id)).await;
        self.audit.record(AuditEvent::new(actor, action, Outcome::Success).target(request.id.as_str()));
        tracing::info!(request_id = %request.id, status = %request.status, "proof request ended");
        if request.spec.callback_url.is_some() {
            self.webhooks.stored_elsewhere();
        }
    }
}

/// The audit action and webhook event type of an ended request, and its timeline kind for
/// the verifier; `None` while pending.
fn ended_as(status: ProofRequestStatus) -> Option<(&'static str, TimelineKind)> {
    match status {
        ProofRequestStatus::Completed => {
            Some(("proof_request.completed", TimelineKind::ProofRequestCompleted))
        }
        ProofRequestStatus::Declined => Some(("proof_request.declined", TimelineKind::ProofRequestDeclined)),
        ProofRequestStatus::Expired => Some(("proof_request.expired", TimelineKind::ProofRequestExpired)),
        ProofRequestStatus::Pending => None,
    }
}

/// The `data` of a request's webhook event: the request as its verifier reads it (without
/// the holder's token).
fn event_data(request: &ProofRequestRecord) -> serde_json::Value {
    serde_json::json!({
        "id": request.id.to_string(),
        "status": request.status.to_string(),
        "purpose": request.spec.purpose,
        "scope": request.spec.scope,
        "nonce": request.spec.nonce,
        "created_at": request.created_at,
        "expires_at": request.expires_at,
        "finished_at": request.finished_at,
        "result": request.result,
    })
}
