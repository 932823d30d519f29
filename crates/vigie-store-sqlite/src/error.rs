//! Translation of SQLite errors into [`StoreError`]s.
//!
//! Disk full, I/O errors, locks that did not clear and closed connections are `Unavailable` (the
//! caller may retry later); constraint violations are `Conflict`; a damaged file or something that
//! is not a database is `Corrupt`. Everything else is `Internal`. This module does not log or retry.

use rusqlite::ErrorCode;
use vigie_store::StoreError;

/// Maps a rusqlite error to the store's error kinds.
pub(crate) fn map(error: rusqlite::Error) -> StoreError {
    match &error {
        rusqlite::Error::SqliteFailure(failure, message) => {
            let text = message.clone().unwrap_or_else(|| failure.to_string());
            match failure.code {
                ErrorCode::ConstraintViolation => StoreError::Conflict(text),
                ErrorCode::DatabaseCorrupt => StoreError::Corrupt(text),
                ErrorCode::NotADatabase => {
                    StoreError::Corrupt(format!("the file is not a SQLite database ({text})"))
                }
                ErrorCode::DiskFull
                | ErrorCode::SystemIoFailure
                | ErrorCode::CannotOpen
                | ErrorCode::DatabaseBusy
                | ErrorCode::DatabaseLocked
                | ErrorCode::ReadOnly
                | ErrorCode::PermissionDenied
                | ErrorCode::OutOfMemory
                | ErrorCode::FileLockingProtocolFailed
                | ErrorCode::NoLargeFileSupport
                | ErrorCode::OperationInterrupted => StoreError::Unavailable(text),
                _ => StoreError::Internal(text),
            }
        }
        other => StoreError::Internal(other.to_string()),
    }
}

/// Whether `error` is a constraint violation (unique key, foreign key, check, trigger).
pub(crate) fn is_constraint(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(ErrorCode::ConstraintViolation)
    )
}

/// A stored value that cannot be decoded: the database holds something Vigie never writes.
pub(crate) fn corrupt_value(table: &str, column: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{table}.{column} holds an invalid value {value:?}"))
}

/// The error every call gets once the store is closed.
pub(crate) fn closed() -> StoreError {
    StoreError::Unavailable("the SQLite store is closed".to_owned())
}
