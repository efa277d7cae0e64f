//! How requests end. Completion, decline and expiry all pass through
//! [`ProofRequestService::finish`] (one request) or [`ProofRequestService::expire_due`] (the
//! sweep), and every request that ended — exactly once, whichever replica ended it — is handed
//! to [`ProofRequestService::ended`].

use super::model::{Finish, FinishOutcome, ProofRequestRecord, ProofRequestStatus};
use super::service::{ProofRequestService, EXPIRE_BATCH};
use crate::audit::{Actor, AuditEvent, Outcome};
use crate::clock::Timestamp;
use crate::ids::ProofRequestId;
use crate::store::StoreError;
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
        let outcome = self.store.finish_proof_request(id, finish, Timestamp::now()).await?;
        if let FinishOutcome::Done(request) = &outcome {
            self.ended(request, actor).await;
        }
        Ok(outcome)
    }

    /// Marks expired the requests pending past their expiry (at most one batch); returns how
    /// many ended now. Run by every replica's sweeper; each request ends once.
    pub async fn expire_due(&self) -> Result<usize, StoreError> {
        let expired = self.store.expire_due_proof_requests(Timestamp::now(), EXPIRE_BATCH).await?;
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

    /// A request that has just ended (completed, declined or expired): called exactly once
    /// per request, after the store committed the end. It is audited and, with a callback
    /// URL, its event goes to the webhook outbox (idempotent per request and event type). The
    /// verifier's timeline records the end; a holder's answer goes into the holder's timeline.
    async fn ended(&self, request: &ProofRequestRecord, actor: Actor) {
        let (action, kind) = match request.status {
            ProofRequestStatus::Completed => ("proof_request.completed", TimelineKind::ProofRequestCompleted),
            ProofRequestStatus::Declined => ("proof_request.declined", TimelineKind::ProofRequestDeclined),
            ProofRequestStatus::Expired => ("proof_request.expired", TimelineKind::ProofRequestExpired),
            ProofRequestStatus::Pending => return,
        };
        if let Actor::User(holder) = &actor {
            self.note(TimelineEvent::new(holder, TimelineKind::ProofRequestAnswered).request(&request.id))
                .await;
        }
        self.note(TimelineEvent::new(&request.owner, kind).request(&request.id)).await;
        self.audit.record(AuditEvent::new(actor, action, Outcome::Success).target(request.id.as_str()));
        tracing::info!(request_id = %request.id, status = %request.status, "proof request ended");
        let Some(url) = &request.spec.callback_url else { return };
        let event = NewEvent {
            owner: request.owner.clone(),
            subject: request.id.to_string(),
            event_type: action.to_owned(),
            url: url.clone(),
            payload: event_data(request),
        };
        if let Err(e) = self.webhooks.enqueue(event).await {
            tracing::error!(request_id = %request.id, error = %e, "the proof request's webhook event was not stored");
        }
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
