//! Ownership checks shared by the writes that must refuse another user's document.

use honestly_core::ids::{DocumentId, UserId};
use rusqlite::{params, Connection};

/// Whether `document_id` exists and belongs to `user_id` (inside the writer's transaction, so
/// the answer holds until it commits).
pub(super) fn owns_document(
    tx: &Connection,
    user_id: &UserId,
    document_id: &DocumentId,
) -> rusqlite::Result<bool> {
    tx.prepare_cached("SELECT EXISTS (SELECT 1 FROM documents WHERE id = ?1 AND user_id = ?2)")?
        .query_row(params![document_id.as_str(), user_id.as_str()], |r| r.get(0))
}
