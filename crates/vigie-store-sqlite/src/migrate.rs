//! The schema's migrations, and the checks a database passes before Vigie serves it.
//!
//! Migrations are the numbered files of `migrations/`, embedded in the binary and applied in order,
//! each inside its own transaction together with its row in `schema_migrations`. A database whose
//! version is newer than this code's, or that has tables but no `schema_migrations`, is refused with
//! `StoreError::Schema`; so is one that needs migrating when the caller did not allow it.
//! Migrations only go forward: there is no down-migration.

use crate::codec::Sql;
use rusqlite::{Connection, TransactionBehavior};
use vigie_store::{StoreError, StoreResult};

/// The migrations, in order; the version of `MIGRATIONS[i]` is `i + 1`.
pub(crate) const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_initial",
        include_str!("../migrations/0001_initial.sql"),
    ),
    (
        "0002_targets",
        include_str!("../migrations/0002_targets.sql"),
    ),
    (
        "0003_compact_keys",
        include_str!("../migrations/0003_compact_keys.sql"),
    ),
    ("0004_intel", include_str!("../migrations/0004_intel.sql")),
    (
        "0005_record_area",
        include_str!("../migrations/0005_record_area.sql"),
    ),
    (
        "0006_journal_object_refs",
        include_str!("../migrations/0006_journal_object_refs.sql"),
    ),
    (
        "0007_data_epoch",
        include_str!("../migrations/0007_data_epoch.sql"),
    ),
    (
        "0008_journal_shown",
        include_str!("../migrations/0008_journal_shown.sql"),
    ),
    (
        "0009_journal_ref_runs_in_slices",
        include_str!("../migrations/0009_journal_ref_runs_in_slices.sql"),
    ),
];

/// The schema version this code writes.
pub(crate) fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// Runs `PRAGMA quick_check`: `Corrupt` with the first lines of the report unless it says "ok".
pub(crate) fn quick_check(conn: &Connection, path: &str) -> StoreResult<()> {
    let report = pragma_report(conn, "quick_check").map_err(|error| match error {
        StoreError::Corrupt(message) => StoreError::Corrupt(format!("{path}: {message}")),
        other => other,
    })?;
    if report.is_empty() {
        return Ok(());
    }
    // A row may hold several lines, headed "*** in database main ***": keep the problems themselves.
    let lines: Vec<&str> = report
        .iter()
        .flat_map(|row| row.lines())
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("***"))
        .collect();
    let shown = &lines[..lines.len().min(5)];
    let more = if lines.len() > shown.len() {
        format!(" (and {} more)", lines.len() - shown.len())
    } else {
        String::new()
    };
    Err(StoreError::Corrupt(format!(
        "{path} failed SQLite's quick_check: {}{more}",
        shown.join("; ")
    )))
}

/// The problems an integrity pragma reports; empty when it answers "ok".
pub(crate) fn pragma_report(conn: &Connection, pragma: &str) -> StoreResult<Vec<String>> {
    let mut statement = conn.prepare(&format!("PRAGMA {pragma}")).sql()?;
    let mut rows = statement.query([]).sql()?;
    let mut lines = Vec::new();
    while let Some(row) = rows.next().sql()? {
        lines.push(row.get::<_, String>(0).sql()?);
    }
    if lines.len() == 1 && lines.first().map(String::as_str) == Some("ok") {
        lines.clear();
    }
    Ok(lines)
}

/// The version recorded in `schema_migrations` (0 for an empty database).
pub(crate) fn current_version(conn: &Connection) -> StoreResult<i64> {
    let tracked: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations')",
            [],
            |row| row.get(0),
        )
        .sql()?;
    if tracked {
        return conn
            .query_row(
                "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                [],
                |row| row.get(0),
            )
            .sql();
    }
    let tables: i64 = conn
        .query_row("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'", [], |row| {
            row.get(0)
        })
        .sql()?;
    if tables > 0 {
        return Err(StoreError::Schema(
            "the database has tables but no schema_migrations table: it was not created by Vigie"
                .to_owned(),
        ));
    }
    Ok(0)
}

/// Brings the schema to [`latest_version`], or refuses the database.
pub(crate) fn migrate(conn: &mut Connection, allowed: bool) -> StoreResult<()> {
    let latest = latest_version();
    let current = current_version(conn)?;
    if current > latest {
        return Err(StoreError::Schema(format!(
            "the database has schema version {current}, newer than this Vigie's ({latest}): upgrade Vigie"
        )));
    }
    if current == latest {
        return Ok(());
    }
    if !allowed {
        return Err(StoreError::Schema(format!(
            "the database has schema version {current} and this Vigie needs {latest}: open it with migrations enabled"
        )));
    }
    for (index, (name, sql)) in MIGRATIONS.iter().enumerate() {
        let version = index as i64 + 1;
        let transaction = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .sql()?;
        // Read again under the write lock: another process may have migrated meanwhile.
        let applied = current_version(&transaction)?;
        if applied >= version {
            continue;
        }
        transaction
            .execute_batch(
                "CREATE TABLE IF NOT EXISTS schema_migrations (
                     version    INTEGER PRIMARY KEY NOT NULL,
                     name       TEXT NOT NULL,
                     applied_at TEXT NOT NULL
                 ) STRICT;",
            )
            .sql()?;
        transaction
            .execute_batch(sql)
            .map_err(|error| StoreError::Schema(format!("migration {name} failed: {error}")))?;
        transaction
            .execute(
                "INSERT INTO schema_migrations (version, name, applied_at)
                 VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                rusqlite::params![version, name],
            )
            .sql()?;
        transaction.commit().sql()?;
    }
    Ok(())
}

/// The triggers that make the journal append-only; their absence is an integrity problem.
pub(crate) const APPEND_ONLY_TRIGGERS: [&str; 6] = [
    "journal_no_update",
    "journal_no_delete",
    "journal_no_replace",
    "journal_checkpoints_no_update",
    "journal_checkpoints_no_delete",
    "journal_checkpoints_no_replace",
];
