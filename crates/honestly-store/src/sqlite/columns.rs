//! Reading typed values out of a row: each stored id, time, enum word or JSON value is parsed
//! once by its core parser (see [`crate::stored`]). A refused value becomes
//! `FromSqlConversionFailure` naming the column, which [`super::classify`] reports as an
//! internal error with that failure as its source.

use rusqlite::types::FromSql;
use rusqlite::Row;

use crate::stored::{self, FromText, Unparsable};
use honestly_core::clock::Timestamp;

/// Column `idx` of `row`, read in its stored form `R` and handed to `parse` with the column's
/// name.
fn parsed<R: FromSql, T>(
    row: &Row<'_>,
    idx: usize,
    parse: impl FnOnce(&str, R) -> Result<T, Unparsable>,
) -> rusqlite::Result<T> {
    let raw: R = row.get(idx)?;
    let column = row.as_ref().column_name(idx).unwrap_or("?");
    parse(column, raw).map_err(|refused| {
        let stored_as = row.get_ref(idx).map_or(rusqlite::types::Type::Null, |v| v.data_type());
        rusqlite::Error::FromSqlConversionFailure(idx, stored_as, Box::new(refused))
    })
}

/// A value stored as text (id, enum word, RFC 3339 time, JSON).
pub(super) fn text<T: FromText>(row: &Row<'_>, idx: usize) -> rusqlite::Result<T> {
    parsed(row, idx, |column, raw: String| stored::text(column, &raw))
}

/// A value stored as text, or NULL.
pub(super) fn text_opt<T: FromText>(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<T>> {
    parsed(row, idx, |column, raw: Option<String>| stored::text_opt(column, raw.as_deref()))
}

/// A time stored as Unix seconds.
pub(super) fn unix(row: &Row<'_>, idx: usize) -> rusqlite::Result<Timestamp> {
    parsed(row, idx, stored::unix)
}

/// A time stored as Unix seconds, or NULL.
pub(super) fn unix_opt(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<Timestamp>> {
    parsed(row, idx, stored::unix_opt)
}

/// A count or position stored as an integer, in its domain type (`u64`, `u32`).
pub(super) fn number<T: TryFrom<i64, Error = std::num::TryFromIntError>>(
    row: &Row<'_>,
    idx: usize,
) -> rusqlite::Result<T> {
    parsed(row, idx, stored::number)
}

#[cfg(test)]
mod tests {
    use honestly_core::auth::model::Role;
    use honestly_core::ids::UserId;
    use honestly_core::store::StoreError;
    use rusqlite::Connection;

    use super::*;

    fn read<T>(sql: &str, f: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>) -> rusqlite::Result<T> {
        Connection::open_in_memory().unwrap().query_row(sql, [], f)
    }

    #[test]
    fn stored_forms_are_read_with_the_core_parsers() {
        let at = Timestamp::parse_rfc3339("2026-11-28T06:00:00Z").unwrap();
        let sql = "SELECT 'admin', '2026-11-28T06:00:00Z', 1795845600, NULL, NULL, 7";
        let row = read(sql, |r| {
            Ok((
                text::<Role>(r, 0)?,
                text::<Timestamp>(r, 1)?,
                unix(r, 2)?,
                text_opt::<UserId>(r, 3)?,
                unix_opt(r, 4)?,
                number::<u64>(r, 5)?,
            ))
        })
        .unwrap();
        assert_eq!(row, (Role::Admin, at, at, None, None, 7));
    }

    /// What the store's caller hears when `read_one` refuses the row `sql` selects.
    fn refused<T: std::fmt::Debug>(
        sql: &str,
        read_one: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
    ) -> String {
        let refused = read(sql, read_one).unwrap_err();
        assert!(matches!(refused, rusqlite::Error::FromSqlConversionFailure(0, _, _)), "{refused:?}");
        let error = super::super::classify(refused);
        assert!(matches!(error, StoreError::Internal(_)), "{error:?}");
        honestly_core::error::chain(&error)
    }

    #[test]
    fn a_value_that_does_not_parse_is_an_internal_error_naming_its_column() {
        let role = refused("SELECT 'root' AS role", |r| text::<Role>(r, 0));
        assert!(role.contains("stored role \"root\" does not parse: expected one of admin"), "{role}");
        let id = refused("SELECT 'usr_x' AS user_id", |r| text::<UserId>(r, 0));
        assert!(id.contains("stored user_id \"usr_x\" does not parse: not a valid user id"), "{id}");
        let time = refused("SELECT 'yesterday' AS created_at", |r| text::<Timestamp>(r, 0));
        assert!(time.contains("stored created_at \"yesterday\" does not parse"), "{time}");
        let secs = refused("SELECT 253402300800 AS expires_at", |r| unix(r, 0));
        assert!(secs.contains("stored expires_at \"253402300800\" does not parse"), "{secs}");
        let size = refused("SELECT -1 AS size_bytes", |r| number::<u64>(r, 0));
        assert!(size.contains("stored size_bytes \"-1\" does not parse"), "{size}");
    }
}
