//! Account changes in SQLite, each one transaction on the writer connection.

use rusqlite::{params, Connection, OptionalExtension};

use super::columns::text;
use honestly_core::auth::model::User;
use honestly_core::auth::Role;
use honestly_core::clock::Timestamp;
use honestly_core::ids::UserId;
use honestly_core::store::{AccountChange, AccountUpdate};

/// What the account rules need of the row.
struct Current {
    user: User,
}

fn current(tx: &Connection, id: &UserId) -> rusqlite::Result<Option<Current>> {
    tx.query_row(
        "SELECT id, username, role, created_at, disabled FROM users WHERE id = ?1",
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
    let Some(Current { mut user }) = current(tx, id)? else { return Ok(AccountUpdate::NotFound) };
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
