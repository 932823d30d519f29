//! Translation of sqlx/PostgreSQL errors into [`StoreError`]s.
//!
//! Integrity-constraint violations (SQLSTATE class 23: unique, foreign key, check, and the journal's
//! append-only triggers, which raise 23001) are `Conflict`, naming the constraint. Lost or refused
//! connections, pool timeouts, statement and lock timeouts, a read-only server (a replica), a full disk
//! or an administrator's shutdown are `Unavailable`: the caller may retry later. A data-corruption
//! report from the server (XX001, XX002) is `Corrupt`. Everything else is `Internal`.
//!
//! This module does not log and does not retry. Its messages never carry the connection URL: sqlx's
//! errors do not contain it, and nothing here formats it.

use vigie_store::StoreError;

/// Maps an sqlx error to the store's error kinds.
pub(crate) fn map(error: sqlx::Error) -> StoreError {
    match &error {
        sqlx::Error::Database(db) => {
            let code = db.code().map(|code| code.into_owned()).unwrap_or_default();
            let message = db.message().to_owned();
            from_sqlstate(&code, &message, db.constraint())
        }
        sqlx::Error::PoolTimedOut => StoreError::Unavailable(
            "no PostgreSQL connection became free in time (pool timeout)".to_owned(),
        ),
        sqlx::Error::PoolClosed => closed(),
        sqlx::Error::Io(io) => {
            StoreError::Unavailable(format!("PostgreSQL connection failed: {io}"))
        }
        sqlx::Error::Tls(tls) => StoreError::Unavailable(format!("PostgreSQL TLS failure: {tls}")),
        sqlx::Error::Protocol(text) => {
            StoreError::Unavailable(format!("PostgreSQL protocol error: {text}"))
        }
        sqlx::Error::WorkerCrashed => {
            StoreError::Unavailable("the PostgreSQL connection worker stopped".to_owned())
        }
        sqlx::Error::Configuration(_) => {
            // The configuration error may quote the URL it could not parse: never repeat it.
            StoreError::InvalidUrl("the PostgreSQL connection settings are invalid".to_owned())
        }
        sqlx::Error::ColumnDecode { index, source } => StoreError::Corrupt(format!(
            "column {index} holds a value Vigie cannot decode ({source})"
        )),
        sqlx::Error::Decode(source) => {
            StoreError::Corrupt(format!("a stored value cannot be decoded ({source})"))
        }
        other => StoreError::Internal(other.to_string()),
    }
}

fn from_sqlstate(code: &str, message: &str, constraint: Option<&str>) -> StoreError {
    let class = code.get(..2).unwrap_or_default();
    match (class, code) {
        ("23", _) => StoreError::Conflict(match constraint {
            Some(name) => format!("{} ({message})", describe_constraint(name)),
            None => message.to_owned(),
        }),
        // Connection exceptions, insufficient resources (disk full, out of memory, too many
        // connections), operator intervention (shutdown, statement timeout = 57014), lock timeouts,
        // deadlocks and serialization failures (retryable), a read-only transaction (standby), and
        // invalid authorisation (wrong password: the message names the user, never the password).
        ("08" | "53" | "57" | "28" | "40", _) | (_, "55P03" | "25006" | "58030") => {
            StoreError::Unavailable(format!("PostgreSQL: {message} (SQLSTATE {code})"))
        }
        (_, "XX001" | "XX002") => {
            StoreError::Corrupt(format!("PostgreSQL: {message} (SQLSTATE {code})"))
        }
        ("22", _) => StoreError::Internal(format!(
            "PostgreSQL refused a value: {message} (SQLSTATE {code})"
        )),
        _ => StoreError::Internal(format!("PostgreSQL: {message} (SQLSTATE {code})")),
    }
}

/// A readable description of what a constraint protects.
fn describe_constraint(name: &str) -> String {
    match name {
        "units_pkey" => "a unit with this id already exists".to_owned(),
        "units_code_key" => "another unit already has this code".to_owned(),
        "accounts_pkey" => "an account with this id already exists".to_owned(),
        "accounts_username_key" => "another account already has this username".to_owned(),
        "accounts_unit_fkey" => "the account's unit does not exist".to_owned(),
        "sessions_pkey" => "a session with this token already exists".to_owned(),
        "sessions_account_fkey" => "the session's account does not exist".to_owned(),
        "entities_pkey" => "an entity with this id already exists".to_owned(),
        "links_pkey" => "a link with this id already exists".to_owned(),
        "links_source_fkey" => "the link's source entity does not exist".to_owned(),
        "links_target_fkey" => "the link's target entity does not exist".to_owned(),
        "journal_pkey" => "a journal entry with this sequence number already exists".to_owned(),
        "journal_checkpoints_pkey" => {
            "a different checkpoint of this size already exists".to_owned()
        }
        other => format!("constraint {other} violated"),
    }
}

/// The error every call gets once the store is closed.
pub(crate) fn closed() -> StoreError {
    StoreError::Unavailable("the PostgreSQL store is closed".to_owned())
}

/// A stored value that cannot be decoded: the database holds something Vigie never writes.
pub(crate) fn corrupt_value(table: &str, column: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{table}.{column} holds an invalid value {value:?}"))
}

/// A number that does not fit the other side's integer type.
pub(crate) fn out_of_range(what: &str, value: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(format!("{what} {value} is out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlstates_map_to_kinds() {
        assert!(
            matches!(from_sqlstate("23505", "dup", Some("units_code_key")), StoreError::Conflict(m) if m.contains("code"))
        );
        assert!(matches!(
            from_sqlstate("23001", "append-only", None),
            StoreError::Conflict(_)
        ));
        assert!(matches!(
            from_sqlstate(
                "57014",
                "canceling statement due to statement timeout",
                None
            ),
            StoreError::Unavailable(_)
        ));
        assert!(matches!(
            from_sqlstate(
                "53100",
                "could not extend file: No space left on device",
                None
            ),
            StoreError::Unavailable(_)
        ));
        assert!(matches!(
            from_sqlstate("25006", "read-only", None),
            StoreError::Unavailable(_)
        ));
        assert!(matches!(
            from_sqlstate(
                "28P01",
                "password authentication failed for user \"vigie\"",
                None
            ),
            StoreError::Unavailable(_)
        ));
        assert!(matches!(
            from_sqlstate("XX001", "invalid page", None),
            StoreError::Corrupt(_)
        ));
        assert!(matches!(
            from_sqlstate("42P01", "relation does not exist", None),
            StoreError::Internal(_)
        ));
        assert!(matches!(
            map(sqlx::Error::PoolTimedOut),
            StoreError::Unavailable(_)
        ));
        assert!(
            matches!(map(sqlx::Error::Configuration("postgres://u:secret@h/d".into())), StoreError::InvalidUrl(m) if !m.contains("secret"))
        );
    }
}
