//! The schema's migrations, and the catalog checks behind `integrity_check`.
//!
//! Migrations are the numbered files of `migrations/` (the SQLite backend's tables, numbered in this
//! backend's own order: its compact deconfliction keys came third there, fifth here), embedded
//! in the binary and applied in order inside one transaction that first takes
//! `pg_advisory_xact_lock`, so that several Vigie nodes starting at once neither race nor apply a
//! migration twice: the second waits, then finds the work done. Each applied migration gets its row
//! in `schema_migrations`. A database whose version is newer than this code's, or whose schema has
//! tables but no `schema_migrations`, is refused with `StoreError::Schema`; so is one that needs
//! migrating when the caller did not allow it. Migrations only go forward: there is no down-migration.
//!
//! Everything is looked up in the connection's current schema (the first of its `search_path`),
//! which is how the tests' isolated schemas stay apart.

use crate::codec::Sql;
use sqlx::{PgConnection, Row};
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
    ("0003_intel", include_str!("../migrations/0003_intel.sql")),
    (
        "0004_record_area",
        include_str!("../migrations/0004_record_area.sql"),
    ),
    (
        "0005_compact_keys",
        include_str!("../migrations/0005_compact_keys.sql"),
    ),
    (
        "0006_journal_shown",
        include_str!("../migrations/0006_journal_shown.sql"),
    ),
    (
        "0007_journal_lookups",
        include_str!("../migrations/0007_journal_lookups.sql"),
    ),
];

/// The schema version this code writes.
pub(crate) fn latest_version() -> i64 {
    i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
}

/// First key of the migration advisory lock ("VIGE"); the second is a hash of the current schema.
const MIGRATION_LOCK: i32 = 0x5649_4745;

/// The version recorded in `schema_migrations` (0 for an empty schema).
pub(crate) async fn current_version(conn: &mut PgConnection) -> StoreResult<i64> {
    if table_exists(conn, "schema_migrations").await? {
        return sqlx::query_scalar(
            "SELECT COALESCE(MAX(version), 0)::bigint FROM schema_migrations",
        )
        .fetch_one(&mut *conn)
        .await
        .sql();
    }
    let tables: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')",
    )
    .fetch_one(&mut *conn)
    .await
    .sql()?;
    if tables > 0 {
        return Err(StoreError::Schema(
            "the database schema has tables but no schema_migrations table: it was not created by Vigie".to_owned(),
        ));
    }
    Ok(0)
}

/// Whether `table` exists in the current schema (not merely somewhere on the search_path).
async fn table_exists(conn: &mut PgConnection, table: &str) -> StoreResult<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = current_schema() AND c.relname = $1 AND c.relkind IN ('r', 'p'))",
    )
    .bind(table)
    .fetch_one(&mut *conn)
    .await
    .sql()
}

/// Brings the schema to [`latest_version`], or refuses the database.
pub(crate) async fn migrate(conn: &mut PgConnection, allowed: bool) -> StoreResult<()> {
    let has_schema: bool = sqlx::query_scalar("SELECT current_schema() IS NOT NULL")
        .fetch_one(&mut *conn)
        .await
        .sql()?;
    if !has_schema {
        return Err(StoreError::Schema(
            "no schema of the search_path exists: create it, or fix the role's search_path"
                .to_owned(),
        ));
    }
    let latest = latest_version();
    let current = check_version(current_version(conn).await?, latest, allowed)?;
    if current == latest {
        return Ok(());
    }
    let mut transaction = sqlx::Connection::begin(&mut *conn).await.sql()?;
    // Migrations may be slow on a big database, and may wait for another node's: lift the timeouts
    // for this transaction only.
    sqlx::query("SET LOCAL statement_timeout = 0")
        .execute(&mut *transaction)
        .await
        .sql()?;
    sqlx::query("SET LOCAL lock_timeout = '120s'")
        .execute(&mut *transaction)
        .await
        .sql()?;
    sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))")
        .bind(MIGRATION_LOCK)
        .execute(&mut *transaction)
        .await
        .sql()?;
    // Read again under the lock: another node may have migrated meanwhile.
    let applied = check_version(current_version(&mut transaction).await?, latest, allowed)?;
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    INTEGER PRIMARY KEY,
             name       TEXT NOT NULL,
             applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
         )",
    )
    .execute(&mut *transaction)
    .await
    .sql()?;
    for (index, (name, sql)) in MIGRATIONS.iter().enumerate() {
        let version = i64::try_from(index).unwrap_or(i64::MAX).saturating_add(1);
        if applied >= version {
            continue;
        }
        sqlx::raw_sql(sql)
            .execute(&mut *transaction)
            .await
            .map_err(|error| StoreError::Schema(format!("migration {name} failed: {error}")))?;
        sqlx::query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)")
            .bind(i32::try_from(version).unwrap_or(i32::MAX))
            .bind(*name)
            .execute(&mut *transaction)
            .await
            .sql()?;
    }
    transaction.commit().await.sql()
}

fn check_version(current: i64, latest: i64, allowed: bool) -> StoreResult<i64> {
    if current > latest {
        return Err(StoreError::Schema(format!(
            "the database has schema version {current}, newer than this Vigie's ({latest}): upgrade Vigie"
        )));
    }
    if current < latest && !allowed {
        return Err(StoreError::Schema(format!(
            "the database has schema version {current} and this Vigie needs {latest}: open it with migrations enabled"
        )));
    }
    Ok(current)
}

/// The tables the schema must have.
pub(crate) const TABLES: [&str; 9] = [
    "schema_migrations",
    "units",
    "accounts",
    "sessions",
    "entities",
    "links",
    "journal",
    "journal_head",
    "journal_checkpoints",
];

/// The triggers that make the journal append-only, with their table; their absence (or their being
/// disabled) is an integrity problem.
pub(crate) const APPEND_ONLY_TRIGGERS: [(&str, &str); 9] = [
    ("journal", "journal_no_update"),
    ("journal", "journal_no_delete"),
    ("journal", "journal_no_truncate"),
    ("journal_checkpoints", "journal_checkpoints_no_update"),
    ("journal_checkpoints", "journal_checkpoints_no_delete"),
    ("journal_checkpoints", "journal_checkpoints_no_truncate"),
    ("journal_head", "journal_head_forward"),
    ("journal_head", "journal_head_no_delete"),
    ("journal_head", "journal_head_no_truncate"),
];

/// The catalog and consistency checks of `Store::integrity_check`, one line per problem found:
/// - the schema version is the one this code knows;
/// - every expected table exists in the current schema;
/// - every append-only trigger exists on its table and is enabled (`tgenabled` is not 'D');
/// - `journal_head` has exactly one row, and the journal holds exactly `last_seq` entries numbered
///   1..=last_seq (count, min and max agree: no gap, no extra row);
/// - every checkpoint's size is at most the journal's length;
/// - the server has recorded no data-checksum failure for this database (`pg_stat_database`; the
///   figure is absent, and the check moot, when the cluster runs without data checksums).
///
/// It does not verify the journal's hashes and MACs (that is the journal verifier's job, with the
/// key) nor read every page of every table (use `pg_amcheck` for that).
pub(crate) async fn integrity_problems(conn: &mut PgConnection) -> StoreResult<Vec<String>> {
    let mut problems = Vec::new();
    let version = current_version(conn).await?;
    if version != latest_version() {
        problems.push(format!(
            "schema version is {version}, expected {}",
            latest_version()
        ));
    }
    for table in TABLES {
        if !table_exists(conn, table).await? {
            problems.push(format!("table {table} is missing"));
        }
    }
    for (table, trigger) in APPEND_ONLY_TRIGGERS {
        let state: Option<String> = sqlx::query_scalar(
            "SELECT t.tgenabled::text FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = current_schema() AND c.relname = $1 AND t.tgname = $2",
        )
        .bind(table)
        .bind(trigger)
        .fetch_optional(&mut *conn)
        .await
        .sql()?;
        match state.as_deref() {
            None => problems.push(format!(
                "append-only trigger {trigger} on {table} is missing"
            )),
            Some("D") => problems.push(format!(
                "append-only trigger {trigger} on {table} is disabled"
            )),
            Some(_) => {}
        }
    }
    if !problems.is_empty() {
        // The row checks below would only fail on the missing pieces.
        return Ok(problems);
    }
    let heads: Vec<i64> = sqlx::query_scalar("SELECT last_seq FROM journal_head")
        .fetch_all(&mut *conn)
        .await
        .sql()?;
    let row =
        sqlx::query("SELECT COUNT(*), COALESCE(MIN(seq), 0), COALESCE(MAX(seq), 0) FROM journal")
            .fetch_one(&mut *conn)
            .await
            .sql()?;
    let (count, min, max): (i64, i64, i64) = (
        row.try_get(0).sql()?,
        row.try_get(1).sql()?,
        row.try_get(2).sql()?,
    );
    match heads.as_slice() {
        [last] => {
            let expected_min = if *last == 0 { 0 } else { 1 };
            if count != *last || max != *last || min != expected_min {
                problems.push(format!(
                    "journal_head says {last} entries but the journal holds {count} (sequence numbers {min} to {max})"
                ));
            }
            let beyond: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM journal_checkpoints WHERE size > $1")
                    .bind(*last)
                    .fetch_one(&mut *conn)
                    .await
                    .sql()?;
            if beyond > 0 {
                problems.push(format!(
                    "{beyond} checkpoint(s) cover more entries than the journal's {last}"
                ));
            }
        }
        other => problems.push(format!(
            "journal_head has {} rows, expected exactly 1",
            other.len()
        )),
    }
    let checksum_failures: Option<i64> = sqlx::query_scalar(
        "SELECT checksum_failures FROM pg_stat_database WHERE datname = current_database()",
    )
    .fetch_optional(&mut *conn)
    .await
    .sql()?
    .flatten();
    if let Some(failures) = checksum_failures.filter(|failures| *failures > 0) {
        problems.push(format!(
            "PostgreSQL has recorded {failures} data checksum failure(s) in this database"
        ));
    }
    Ok(problems)
}
