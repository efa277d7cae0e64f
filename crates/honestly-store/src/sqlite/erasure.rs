//! Account changes and erasure in SQLite, each one transaction on the writer connection.
//! Deleted content is zeroed in place (`secure_delete`, set on every connection) and the
//! indexes keyed by usernames or document hashes are rebuilt; after an erasure the
//! write-ahead log, which still holds the pages as they were, is copied back and emptied
//! ([`super::checkpoint::truncate_log_until_done`]).

use rusqlite::{params, Connection, OptionalExtension};

use super::columns::text;
use honestly_core::auth::model::User;
use honestly_core::auth::Role;
use honestly_core::clock::Timestamp;
use honestly_core::ids::UserId;
use honestly_core::store::{AccountChange, AccountUpdate, ErasedCounts, Erasure};

/// What the account rules need of the row.
struct Current {
    user: User,
    canonical: String,
}

fn current(tx: &Connection, id: &UserId) -> rusqlite::Result<Option<Current>> {
    tx.query_row(
        "SELECT id, username, role, created_at, disabled, username_canonical FROM users WHERE id = ?1",
        [id.as_str()],
        |r| {
            Ok(Current {
                user: User {
                    id: text(r, 0)?,
                    username: r.get(1)?,
                    role: text(r, 2)?,
                    created_at: text(r, 3)?,
                    disabled: r.get::<_, i64>(4)? != 0,
                },
                canonical: r.get(5)?,
            })
        },
    )
    .optional()
}

/// Whether `user` is an enabled administrator and no other enabled administrator exists.
fn is_last_admin(tx: &Connection, user: &User) -> rusqlite::Result<bool> {
    if user.role != Role::Admin || user.disabled {
        return Ok(false);
    }
    let others: i64 = tx.query_row(
        "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0 AND id <> ?1",
        [user.id.as_str()],
        |r| r.get(0),
    )?;
    Ok(others == 0)
}

fn revoke_sessions(tx: &Connection, id: &UserId, now: Timestamp) -> rusqlite::Result<usize> {
    tx.execute(
        "UPDATE sessions SET revoked_at = ?1 WHERE user_id = ?2 AND revoked_at IS NULL",
        params![now.unix(), id.as_str()],
    )
}

/// Applies `change` and revokes the account's sessions.
pub(super) fn update(
    tx: &Connection,
    id: &UserId,
    change: AccountChange,
    now: Timestamp,
) -> rusqlite::Result<AccountUpdate> {
    let Some(Current { mut user, .. }) = current(tx, id)? else { return Ok(AccountUpdate::NotFound) };
    let role = change.role.unwrap_or(user.role);
    let disabled = change.disabled.unwrap_or(user.disabled);
    if (role != Role::Admin || disabled) && is_last_admin(tx, &user)? {
        return Ok(AccountUpdate::LastAdmin);
    }
    tx.execute(
        "UPDATE users SET role = ?1, disabled = ?2 WHERE id = ?3",
        params![role.as_str(), i64::from(disabled), id.as_str()],
    )?;
    revoke_sessions(tx, id, now)?;
    user.role = role;
    user.disabled = disabled;
    Ok(AccountUpdate::Changed(user))
}

/// Deletes the account and everything it owns (see `UserStore::erase_user`).
pub(super) fn erase(tx: &Connection, id: &UserId) -> rusqlite::Result<Erasure> {
    let Some(Current { user, canonical }) = current(tx, id)? else { return Ok(Erasure::NotFound) };
    if is_last_admin(tx, &user)? {
        return Ok(Erasure::LastAdmin);
    }
    let id = id.as_str();
    let count = |n: usize| n as u64;
    // The registry keeps each leaf (its roots depend on it) but forgets whose it was.
    tx.execute(
        "UPDATE registry_leaves SET document_id = ''
         WHERE idx IN (SELECT registry_index FROM documents WHERE user_id = ?1)",
        [id],
    )?;
    let proofs = count(tx.execute("DELETE FROM proofs WHERE user_id = ?1", [id])?);
    let links = count(tx.execute("DELETE FROM share_links WHERE user_id = ?1", [id])?);
    let documents = count(tx.execute("DELETE FROM documents WHERE user_id = ?1", [id])?);
    let agents = count(tx.execute("DELETE FROM agents WHERE user_id = ?1", [id])?);
    // Issuance: the holder's copies, requests, secret and membership go; the issuers' records
    // of what they issued stay (nothing personal: the holder id only).
    tx.execute("DELETE FROM held_credentials WHERE holder = ?1", [id])?;
    tx.execute("DELETE FROM credential_requests WHERE holder = ?1", [id])?;
    tx.execute("DELETE FROM holder_secrets WHERE user_id = ?1", [id])?;
    tx.execute("DELETE FROM issuer_members WHERE user_id = ?1", [id])?;
    // The verifier's proof requests and the record of who answered them.
    tx.execute("DELETE FROM proof_request_answers WHERE owner = ?1", [id])?;
    tx.execute("DELETE FROM proof_requests WHERE owner = ?1", [id])?;
    // Webhooks: the secrets, the events (their attempts cascade) and nothing else.
    tx.execute("DELETE FROM webhook_secrets WHERE owner = ?1", [id])?;
    tx.execute(
        "DELETE FROM webhook_attempts WHERE event_id IN (SELECT id FROM webhook_events WHERE owner = ?1)",
        [id],
    )?;
    tx.execute("DELETE FROM webhook_events WHERE owner = ?1", [id])?;
    let timeline_events = count(tx.execute("DELETE FROM timeline_events WHERE user_id = ?1", [id])?);
    tx.execute(
        "DELETE FROM refresh_tokens WHERE session_id IN (SELECT id FROM sessions WHERE user_id = ?1)",
        [id],
    )?;
    let sessions = count(tx.execute("DELETE FROM sessions WHERE user_id = ?1", [id])?);
    // Failed logins are keyed `username|client`: a range over the index, no LIKE patterns.
    tx.execute(
        "DELETE FROM login_failures WHERE key >= ?1 AND key < ?2",
        params![format!("{canonical}|"), format!("{canonical}}}")],
    )?;
    tx.execute("DELETE FROM users WHERE id = ?1", [id])?;
    // An index page above the leaves may keep a deleted key as a divider. The indexes whose
    // keys are usernames or document hashes are rebuilt, so no copy survives (the pages they
    // leave are zeroed like any deleted content).
    tx.execute_batch("REINDEX users; REINDEX login_failures; REINDEX documents_sha256;")?;
    Ok(Erasure::Erased(ErasedCounts { documents, proofs, links, agents, sessions, timeline_events }))
}
