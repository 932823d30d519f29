//! Vigie's embedded storage backend: the whole store in one SQLite file, for a single machine.
//!
//! What it does:
//! - opens (and creates, when allowed) the database file, refuses a damaged one (`PRAGMA quick_check`)
//!   or one written by a newer Vigie, and applies the embedded migrations (`migrations/*.sql`);
//! - runs in WAL mode with `synchronous=FULL` and foreign keys on. One writer thread owns the only
//!   read-write connection and commits concurrent requests in groups, each request in its own
//!   savepoint, one fsync per group; a request is answered only once its group is committed, so a
//!   caller that got its sequence numbers knows its journal entries are on disk (module `writer`);
//! - gives journal entries gapless sequence numbers and seals them with the journal key inside the
//!   same transaction; the journal tables are append-only through triggers;
//! - serves reads from a small pool of read-only connections that never wait for the writer
//!   (module `pool`).
//!
//! What it does not do: it applies no access rules (the engine decides who may read or write what
//! and derives the [`Visibility`] of searches), keeps no cache of records, and does not verify the
//! journal's seals when reading (that is `vigie_core::journal::Verifier`'s job). It needs a file:
//! `:memory:` is refused, since the writer and the readers must share one database.

mod cache;
mod codec;
mod error;
mod intel;
mod migrate;
mod pool;
mod targets;
mod writer;

use async_trait::async_trait;
use cache::{epoch_in, CacheKey, Cached, ReadCache};
use codec::{
    id_text, seq_from_sql, Sql, ACCOUNT_COLUMNS, CHECKPOINT_COLUMNS, ENTITY_COLUMNS,
    JOURNAL_COLUMNS, LINK_COLUMNS, SESSION_COLUMNS, UNIT_COLUMNS,
};
use pool::Readers;
use rusqlite::{params, Connection, OpenFlags, Row, ToSql};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;
use vigie_core::entity::{Entity, EntityId, Link};
use vigie_core::journal::{Checkpoint, Frontier, JournalEntry};
use vigie_core::org::{AccountId, Unit, UnitId};
use vigie_intel::ItemId;
use vigie_store::{
    AccountRecord, ConflictRow, Counts, EntityQuery, IntelQuery, IntelRecord, JournalQuery, KeyHit,
    Neighbourhood, OpenOptions, RecordQuery, SessionContext, SessionRecord, Store, StoreError,
    StoreResult, TargetRecord, Visibility, WorkflowRecord, WriteBatch,
};
use vigie_targets::TargetId;
use writer::{Request, Writer};

/// How many read-only connections the pool keeps.
const READERS: usize = 4;

/// The SQLite implementation of [`Store`]. Cheap to share behind an `Arc`; every method is safe to
/// call concurrently.
pub struct SqliteStore {
    path: String,
    writer: Writer,
    readers: Arc<Readers>,
    cache: ReadCache,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens the database at `path` (a file path, as in `sqlite://path`), checks it and migrates it
    /// when `options.migrate` allows. Errors: `InvalidUrl` for an in-memory database, `Corrupt` for a
    /// damaged file or one that is not a database, `Schema` for a newer or foreign schema (or a
    /// missing or outdated one when migrations are disabled), `Unavailable` if the file cannot be
    /// opened.
    pub async fn open(path: &str, options: OpenOptions) -> StoreResult<SqliteStore> {
        let trimmed = path.trim();
        if trimmed.is_empty()
            || trimmed == ":memory:"
            || trimmed.starts_with("file::memory:")
            || trimmed.contains("mode=memory")
        {
            return Err(StoreError::InvalidUrl(
                "an in-memory SQLite database is not supported: the writer and the readers must share a file \
                 (use e.g. sqlite://vigie.db)"
                    .to_owned(),
            ));
        }
        let path = path.to_owned();
        tokio::task::spawn_blocking(move || Self::open_blocking(path, options))
            .await
            .map_err(|error| StoreError::Internal(format!("the opening task failed: {error}")))?
    }

    fn open_blocking(path: String, options: OpenOptions) -> StoreResult<SqliteStore> {
        if !options.migrate && !Path::new(&path).exists() {
            return Err(StoreError::Schema(format!(
                "{path} does not exist, and migrations are disabled so it cannot be created"
            )));
        }
        let mut conn = open_writer(&path).map_err(|error| on_open(&path, error))?;
        migrate::quick_check(&conn, &path).map_err(|error| on_open(&path, error))?;
        migrate::migrate(&mut conn, options.migrate).map_err(|error| on_open(&path, error))?;
        let readers = (0..READERS)
            .map(|_| pool::open_reader(&path))
            .collect::<StoreResult<Vec<_>>>()
            .map_err(|error| on_open(&path, error))?;
        let cache = ReadCache::open(&path).map_err(|error| on_open(&path, error))?;
        let writer = Writer::spawn(conn, Arc::clone(&options.journal_key))?;
        Ok(SqliteStore {
            path,
            writer,
            readers: Arc::new(Readers::new(readers)),
            cache,
        })
    }

    /// The database file's path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The schema version this code creates and expects.
    pub fn schema_version() -> i64 {
        migrate::latest_version()
    }

    async fn read<T, F>(&self, read: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        self.readers.read(read).await
    }

    async fn submit<T>(
        &self,
        request: Request,
        answer: oneshot::Receiver<StoreResult<T>>,
    ) -> StoreResult<T> {
        self.writer.submit(request)?;
        answer.await.map_err(|_| {
            StoreError::Unavailable("the SQLite writer stopped before answering".to_owned())
        })?
    }
}

/// Opens the read-write connection and sets the durability pragmas. The first statement reads the
/// file's header, so a file that is not a database fails here.
fn open_writer(path: &str) -> StoreResult<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags).sql()?;
    conn.busy_timeout(Duration::from_secs(5)).sql()?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
        .sql()?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Unavailable(format!(
            "cannot switch the database to WAL mode (it stays in {mode} mode)"
        )));
    }
    // 64 MiB of page cache for the writer: a bulk registration inserts about two million keys into
    // two B-trees, which thrash the default 2 MiB cache (256 MiB measured no faster).
    conn.execute_batch(
        "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536;",
    )
    .sql()?;
    // Room for every mutation's statements and the journal inserts of each size (writer.rs).
    conn.set_prepared_statement_cache_capacity(128);
    Ok(conn)
}

/// Names the file in errors met while opening it.
fn on_open(path: &str, error: StoreError) -> StoreError {
    match error {
        StoreError::Corrupt(message) if message.contains("not a SQLite database") => {
            StoreError::Corrupt(format!("{path} is not a SQLite database"))
        }
        StoreError::Corrupt(message) if message.starts_with(path) => StoreError::Corrupt(message),
        StoreError::Corrupt(message) => StoreError::Corrupt(format!("{path}: {message}")),
        StoreError::Unavailable(message) => {
            StoreError::Unavailable(format!("cannot open {path}: {message}"))
        }
        StoreError::Schema(message) => StoreError::Schema(format!("{path}: {message}")),
        other => other,
    }
}

/// Runs several reads in one read transaction: one snapshot, and the page cache is checked against
/// the WAL once instead of once per statement.
fn in_read_transaction<T>(
    conn: &Connection,
    read: impl FnOnce(&Connection) -> StoreResult<T>,
) -> StoreResult<T> {
    conn.execute_batch("BEGIN DEFERRED").sql()?;
    let result = read(conn);
    // A read transaction has nothing to keep: ending it cannot lose anything.
    let _ = conn.execute_batch("COMMIT");
    result
}

/// The session behind `token_hash`, its account and the account's unit, in `conn`'s snapshot.
fn session_context_in(conn: &Connection, token_hash: &str) -> StoreResult<Option<SessionContext>> {
    let Some(session) = query_one(
        conn,
        &format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE token_hash = ?1"),
        &[&token_hash],
        codec::session,
    )?
    else {
        return Ok(None);
    };
    let Some(account) = query_one(
        conn,
        &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = ?1"),
        &[&id_text(session.account.0)],
        codec::account,
    )?
    else {
        return Ok(None);
    };
    let Some(unit) = query_one(
        conn,
        &format!("SELECT {UNIT_COLUMNS} FROM units WHERE id = ?1"),
        &[&id_text(account.account.unit.0)],
        codec::unit,
    )?
    else {
        return Ok(None);
    };
    Ok(Some(SessionContext {
        session,
        account,
        unit,
    }))
}

/// Entity `id` and up to `max_links` of its links with the entity at their other end.
fn neighbourhood_in(
    conn: &Connection,
    id: EntityId,
    max_links: usize,
) -> StoreResult<Option<Neighbourhood>> {
    let id_value = id_text(id.0);
    let entity_sql = format!("SELECT {ENTITY_COLUMNS} FROM entities WHERE id = ?1");
    let Some(entity) = query_one(conn, &entity_sql, &[&id_value], codec::entity)? else {
        return Ok(None);
    };
    let links = query_all(
        conn,
        &format!("SELECT {LINK_COLUMNS} FROM links WHERE source = ?1 OR target = ?1 ORDER BY id"),
        &[&id_value],
        codec::link,
    )?;
    let mut neighbours = Vec::with_capacity(links.len().min(max_links));
    for link in links.into_iter().take(max_links) {
        let other_id = if link.source == id {
            link.target
        } else {
            link.source
        };
        if let Some(other) = query_one(conn, &entity_sql, &[&id_text(other_id.0)], codec::entity)? {
            neighbours.push((link, other));
        }
    }
    Ok(Some(Neighbourhood { entity, neighbours }))
}

/// The records of `kinds` (a JSON array) routed to `key` or named `key`.
fn records_about_in(conn: &Connection, kinds: &str, key: &str) -> StoreResult<Vec<WorkflowRecord>> {
    let columns = targets::record_columns();
    query_all(
        conn,
        &format!(
            "SELECT {columns} FROM workflow_records \
             WHERE kind IN (SELECT value FROM json_each(?1)) AND area = ?2 \
             UNION SELECT {columns} FROM workflow_records \
             WHERE kind IN (SELECT value FROM json_each(?1)) AND id = ?2 \
             ORDER BY kind, id"
        ),
        &[&kinds, &key],
        targets::record,
    )
}

fn query_one<T>(
    conn: &Connection,
    sql: &str,
    values: &[&dyn ToSql],
    decode: fn(&Row<'_>) -> StoreResult<T>,
) -> StoreResult<Option<T>> {
    let mut statement = conn.prepare_cached(sql).sql()?;
    let mut rows = statement.query(values).sql()?;
    match rows.next().sql()? {
        Some(row) => decode(row).map(Some),
        None => Ok(None),
    }
}

fn query_all<T>(
    conn: &Connection,
    sql: &str,
    values: &[&dyn ToSql],
    decode: fn(&Row<'_>) -> StoreResult<T>,
) -> StoreResult<Vec<T>> {
    let mut statement = conn.prepare_cached(sql).sql()?;
    let mut rows = statement.query(values).sql()?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().sql()? {
        out.push(decode(row)?);
    }
    Ok(out)
}

/// A JSON array of strings, for `json_each(?)` parameters.
fn json_array<S: AsRef<str>>(items: &[S]) -> String {
    serde_json::Value::Array(
        items
            .iter()
            .map(|item| serde_json::Value::from(item.as_ref()))
            .collect(),
    )
    .to_string()
}

/// The WHERE clause of a search, with parameters ?1 (terms), ?2 (own unit), ?3 (départements or
/// NULL), ?4 (open regimes), ?5 (limit) and ?6 (schema, only in the schema variant).
const SEARCH_WHERE: &str = "NOT EXISTS (SELECT 1 FROM json_each(?1) AS term WHERE instr(entities.search_key, term.value) = 0)
       AND (owner_unit = ?2
            OR ((?3 IS NULL OR departement IN (SELECT value FROM json_each(?3)))
                AND regime IN (SELECT value FROM json_each(?4))))";

fn search(conn: &Connection, query: &EntityQuery) -> StoreResult<Vec<Entity>> {
    let Visibility {
        own_unit,
        departements,
        open_regimes,
    } = &query.visibility;
    let terms = json_array(&query.terms);
    let departements = departements.as_deref().map(json_array);
    let regimes = json_array(
        &open_regimes
            .iter()
            .map(|regime| regime.as_str())
            .collect::<Vec<_>>(),
    );
    let own_unit = id_text(own_unit.0);
    let limit = i64::from(query.limit);
    match query.schema {
        Some(schema) => query_all(
            conn,
            &format!("SELECT {ENTITY_COLUMNS} FROM entities WHERE schema = ?6 AND {SEARCH_WHERE} ORDER BY changed DESC LIMIT ?5"),
            &[&terms, &own_unit, &departements, &regimes, &limit, &schema.as_str()],
            codec::entity,
        ),
        None => query_all(
            conn,
            &format!("SELECT {ENTITY_COLUMNS} FROM entities WHERE {SEARCH_WHERE} ORDER BY changed DESC LIMIT ?5"),
            &[&terms, &own_unit, &departements, &regimes, &limit],
            codec::entity,
        ),
    }
}

/// [`JOURNAL_COLUMNS`] prefixed with `journal.`, for the join with the refs (which have an `object`
/// and a `seq` of their own).
static QUALIFIED_JOURNAL_COLUMNS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    JOURNAL_COLUMNS
        .split(", ")
        .map(|column| format!("journal.{column}"))
        .collect::<Vec<_>>()
        .join(", ")
});

fn search_journal(conn: &Connection, query: &JournalQuery) -> StoreResult<Vec<JournalEntry>> {
    // The filters other than the object, on the `journal` table's columns.
    let mut filters = String::new();
    let mut values: Vec<Box<dyn ToSql>> = Vec::new();
    let mut bind = |value: Box<dyn ToSql>| {
        values.push(value);
        values.len()
    };
    if let Some(actor) = &query.actor {
        filters.push_str(&format!(
            " AND journal.actor = ?{}",
            bind(Box::new(actor.clone()))
        ));
    }
    if let Some(action) = query.action {
        filters.push_str(&format!(
            " AND journal.action = ?{}",
            bind(Box::new(action.as_str()))
        ));
    }
    if let Some(before) = query.before_seq {
        let before = i64::try_from(before).unwrap_or(i64::MAX);
        filters.push_str(&format!(" AND journal.seq < ?{}", bind(Box::new(before))));
    }
    let limit = i64::from(query.limit);
    let limit_at = bind(Box::new(limit));
    let Some(object) = &query.object else {
        let sql = format!(
            "SELECT {JOURNAL_COLUMNS} FROM journal WHERE 1 = 1{filters} ORDER BY seq DESC LIMIT ?{limit_at}"
        );
        let values: Vec<&dyn ToSql> = values.iter().map(|value| value.as_ref()).collect();
        return query_all(conn, &sql, &values, codec::journal_entry);
    };
    // By object: first the short tail of entries no sorted run of refs covers yet, then the runs
    // (see migrations/0006_journal_object_refs.sql), newest first, until the limit. Runs are never
    // rewritten and the tail is read with the frontier read before it, so the two reads neither miss
    // nor repeat an entry even if a run is appended between them; a run still being appended lies
    // after the frontier (migration 0009). An entry is found under its object and under each object
    // it showed (migration 0008).
    let object_at = bind(Box::new(object.clone()));
    let frontier: i64 = conn
        .prepare_cached(writer::INDEXED_THROUGH)
        .and_then(|mut statement| statement.query_row([], |row| row.get(0)))
        .sql()?;
    let frontier_at = bind(Box::new(frontier));
    let values: Vec<&dyn ToSql> = values.iter().map(|value| value.as_ref()).collect();
    let tail = format!(
        "SELECT {JOURNAL_COLUMNS} FROM journal WHERE seq > ?{frontier_at}{filters} \
         AND (object = ?{object_at} OR (shown IS NOT NULL AND EXISTS \
              (SELECT 1 FROM json_each(shown) WHERE value = ?{object_at}))) \
         ORDER BY seq DESC LIMIT ?{limit_at}"
    );
    let mut found = query_all(conn, &tail, &values, codec::journal_entry)?;
    if found.len() >= usize::try_from(limit).unwrap_or(usize::MAX) {
        return Ok(found);
    }
    // The loops' order (runs newest first, each run's refs of the object newest first) is the
    // ORDER BY, so SQLite needs no sort and stops at the limit; CROSS JOIN keeps that order (left
    // to itself, the planner scanned every ref). What the tail found counts against the limit.
    let left = limit - i64::try_from(found.len()).unwrap_or(limit);
    let mut values = values;
    values.push(&left);
    let left_at = values.len();
    let runs = format!(
        "SELECT {} FROM journal_ref_runs b \
         CROSS JOIN journal_object_refs r ON r.run = b.first_seq AND r.object = ?{object_at} \
         CROSS JOIN journal ON journal.seq = r.seq \
         WHERE b.last_seq <= ?{frontier_at}{filters} \
         ORDER BY b.first_seq DESC, r.seq DESC LIMIT ?{left_at}",
        *QUALIFIED_JOURNAL_COLUMNS
    );
    found.extend(query_all(conn, &runs, &values, codec::journal_entry)?);
    Ok(found)
}

fn integrity_problems(conn: &Connection) -> StoreResult<Vec<String>> {
    let mut problems = migrate::pragma_report(conn, "integrity_check")?;
    let mut statement = conn.prepare("PRAGMA foreign_key_check").sql()?;
    let mut rows = statement.query([]).sql()?;
    while let Some(row) = rows.next().sql()? {
        let table: String = row.get(0).sql()?;
        let rowid: Option<i64> = row.get(1).sql()?;
        let parent: String = row.get(2).sql()?;
        problems.push(format!(
            "{table} row {} refers to a missing row of {parent}",
            rowid.map_or_else(|| "?".to_owned(), |rowid| rowid.to_string())
        ));
    }
    for trigger in migrate::APPEND_ONLY_TRIGGERS {
        let present: bool = conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'trigger' AND name = ?1)",
                params![trigger],
                |row| row.get(0),
            )
            .sql()?;
        if !present {
            problems.push(format!("the trigger {trigger} is missing: the journal is no longer append-only in the database"));
        }
    }
    // The refs of the indexed entries (gapless from 1 to the last complete run's end) are each
    // entry's object and the objects it showed, once each; a run still being appended starts after.
    let count_refs = format!(
        "WITH frontier (last) AS ({}) \
         SELECT (SELECT COUNT(*) FROM journal_object_refs, frontier WHERE run <= last), \
                (SELECT COUNT(*) FROM (SELECT object, seq FROM journal, frontier WHERE seq <= last \
                 UNION SELECT shown.value, journal.seq FROM frontier, journal, json_each(journal.shown) AS shown \
                 WHERE journal.seq <= last AND journal.shown IS NOT NULL)), \
                (SELECT last FROM frontier)",
        writer::INDEXED_THROUGH
    );
    let (refs, expected, indexed_through): (i64, i64, i64) = conn
        .query_row(&count_refs, [], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })
        .sql()?;
    if refs != expected {
        problems.push(format!(
            "journal_object_refs holds {refs} rows where the {indexed_through} indexed entries \
             name {expected} objects: searches of the journal by object would miss entries"
        ));
    }
    let version = migrate::current_version(conn)?;
    if version != migrate::latest_version() {
        problems.push(format!(
            "schema version {version}, expected {}",
            migrate::latest_version()
        ));
    }
    Ok(problems)
}

fn frontier_of(size: u64, bytes: &[u8]) -> StoreResult<Frontier> {
    Frontier::from_bytes(bytes)
        .filter(|frontier| frontier.size() == size)
        .ok_or_else(|| {
            StoreError::Corrupt(format!(
                "journal_checkpoints.frontier at size {size} is not a valid frontier"
            ))
        })
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn write(&self, batch: WriteBatch) -> StoreResult<Vec<u64>> {
        let (reply, answer) = oneshot::channel();
        self.submit(Request::Write { batch, reply }, answer).await
    }

    async fn unit(&self, id: UnitId) -> StoreResult<Option<Unit>> {
        self.read(move |conn| {
            query_one(
                conn,
                &format!("SELECT {UNIT_COLUMNS} FROM units WHERE id = ?1"),
                &[&id_text(id.0)],
                codec::unit,
            )
        })
        .await
    }

    async fn units(&self) -> StoreResult<Vec<Unit>> {
        self.read(|conn| {
            query_all(
                conn,
                &format!("SELECT {UNIT_COLUMNS} FROM units ORDER BY code"),
                &[],
                codec::unit,
            )
        })
        .await
    }

    async fn account(&self, id: AccountId) -> StoreResult<Option<AccountRecord>> {
        self.read(move |conn| {
            query_one(
                conn,
                &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = ?1"),
                &[&id_text(id.0)],
                codec::account,
            )
        })
        .await
    }

    async fn account_by_username(&self, username: &str) -> StoreResult<Option<AccountRecord>> {
        let username = username.to_owned();
        self.read(move |conn| {
            query_one(
                conn,
                &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE username = ?1"),
                &[&username],
                codec::account,
            )
        })
        .await
    }

    async fn accounts(&self) -> StoreResult<Vec<AccountRecord>> {
        self.read(|conn| {
            query_all(
                conn,
                &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY username"),
                &[],
                codec::account,
            )
        })
        .await
    }

    async fn session(&self, token_hash: &str) -> StoreResult<Option<SessionRecord>> {
        let token_hash = token_hash.to_owned();
        self.read(move |conn| {
            query_one(
                conn,
                &format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE token_hash = ?1"),
                &[&token_hash],
                codec::session,
            )
        })
        .await
    }

    async fn entity(&self, id: EntityId) -> StoreResult<Option<Entity>> {
        self.read(move |conn| {
            query_one(
                conn,
                &format!("SELECT {ENTITY_COLUMNS} FROM entities WHERE id = ?1"),
                &[&id_text(id.0)],
                codec::entity,
            )
        })
        .await
    }

    async fn session_context(&self, token_hash: &str) -> StoreResult<Option<SessionContext>> {
        let key = CacheKey::Session(token_hash.to_owned());
        if let Some(Cached::Session(hit)) = self.cache.hit(&key) {
            return Ok(hit.map(Arc::unwrap_or_clone));
        }
        let token_hash = token_hash.to_owned();
        let (epoch, found) = self
            .read(move |conn| {
                in_read_transaction(conn, |conn| {
                    Ok((epoch_in(conn)?, session_context_in(conn, &token_hash)?))
                })
            })
            .await?;
        self.cache
            .keep(key, epoch, Cached::Session(found.clone().map(Arc::new)));
        Ok(found)
    }

    async fn entity_with_neighbours(
        &self,
        id: EntityId,
        max_links: usize,
    ) -> StoreResult<Option<Arc<Neighbourhood>>> {
        let key = CacheKey::Neighbourhood(id, max_links);
        if let Some(Cached::Neighbourhood(hit)) = self.cache.hit(&key) {
            return Ok(hit);
        }
        let (epoch, found) = self
            .read(move |conn| {
                in_read_transaction(conn, |conn| {
                    Ok((epoch_in(conn)?, neighbourhood_in(conn, id, max_links)?))
                })
            })
            .await?;
        let found = found.map(Arc::new);
        self.cache
            .keep(key, epoch, Cached::Neighbourhood(found.clone()));
        Ok(found)
    }

    async fn search_entities(&self, query: &EntityQuery) -> StoreResult<Vec<Entity>> {
        let query = query.clone();
        self.read(move |conn| search(conn, &query)).await
    }

    async fn links_of(&self, id: EntityId) -> StoreResult<Vec<Link>> {
        self.read(move |conn| {
            query_all(
                conn,
                &format!(
                    "SELECT {LINK_COLUMNS} FROM links WHERE source = ?1 OR target = ?1 ORDER BY id"
                ),
                &[&id_text(id.0)],
                codec::link,
            )
        })
        .await
    }

    async fn target(&self, id: TargetId) -> StoreResult<Option<TargetRecord>> {
        self.read(move |conn| {
            query_one(
                conn,
                &format!(
                    "SELECT {} FROM targets t WHERE t.id = ?1",
                    targets::TARGET_COLUMNS
                ),
                &[&id_text(id.0)],
                targets::target,
            )
        })
        .await
    }

    async fn targets_of_unit(&self, unit: UnitId, live_at: i64) -> StoreResult<Vec<TargetRecord>> {
        self.read(move |conn| {
            query_all(
                conn,
                &format!(
                    "SELECT {} FROM targets t WHERE t.unit = ?1 AND t.expires_at_micros > ?2 ORDER BY t.ord DESC",
                    targets::TARGET_COLUMNS
                ),
                &[&id_text(unit.0), &live_at],
                targets::target,
            )
        })
        .await
    }

    async fn key_hits(&self, digests: &[[u8; 16]], live_at: i64) -> StoreResult<Vec<KeyHit>> {
        let digests = digests.to_vec();
        self.read(move |conn| {
            in_read_transaction(conn, |conn| targets::key_hits(conn, &digests, live_at))
        })
        .await
    }

    async fn shared_digests(
        &self,
        unit: UnitId,
        digests: &[[u8; 16]],
        live_at: i64,
    ) -> StoreResult<Vec<[u8; 16]>> {
        let digests = digests.to_vec();
        self.read(move |conn| {
            in_read_transaction(conn, |conn| {
                targets::shared_digests(conn, unit, &digests, live_at)
            })
        })
        .await
    }

    async fn conflicts_of_unit(&self, unit: UnitId, live_at: i64) -> StoreResult<Vec<ConflictRow>> {
        self.read(move |conn| {
            query_all(
                conn,
                targets::CONFLICTS_SQL,
                &[&id_text(unit.0), &live_at],
                targets::conflict,
            )
        })
        .await
    }

    async fn expired_targets(&self, now: i64, limit: u32) -> StoreResult<Vec<TargetId>> {
        self.read(move |conn| {
            query_all(
                conn,
                "SELECT t.id FROM targets t WHERE t.expires_at_micros <= ?1 ORDER BY t.expires_at_micros, t.ord LIMIT ?2",
                &[&now, &limit],
                |row| {
                    let text: String = row.get(0).sql()?;
                    uuid::Uuid::parse_str(&text)
                        .map(TargetId)
                        .map_err(|_| error::corrupt_value("targets", "id", &text))
                },
            )
        })
        .await
    }

    async fn record(&self, kind: &str, id: &str) -> StoreResult<Option<WorkflowRecord>> {
        let (kind, id) = (kind.to_owned(), id.to_owned());
        self.read(move |conn| {
            query_one(
                conn,
                &format!(
                    "SELECT {} FROM workflow_records WHERE kind = ?1 AND id = ?2",
                    targets::record_columns()
                ),
                &[&kind, &id],
                targets::record,
            )
        })
        .await
    }

    async fn records(&self, query: &RecordQuery) -> StoreResult<Vec<WorkflowRecord>> {
        let query = query.clone();
        self.read(move |conn| targets::records(conn, &query)).await
    }

    async fn records_about(&self, kinds: &[&str], key: &str) -> StoreResult<Vec<WorkflowRecord>> {
        let kinds = serde_json::Value::from(kinds.to_vec()).to_string();
        let cache_key = CacheKey::Records(kinds.clone(), key.to_owned());
        if let Some(Cached::Records(hit)) = self.cache.hit(&cache_key) {
            return Ok(hit);
        }
        let key = key.to_owned();
        let (epoch, found) = self
            .read(move |conn| {
                in_read_transaction(conn, |conn| {
                    Ok((epoch_in(conn)?, records_about_in(conn, &kinds, &key)?))
                })
            })
            .await?;
        self.cache
            .keep(cache_key, epoch, Cached::Records(found.clone()));
        Ok(found)
    }

    async fn intel_item(&self, id: ItemId) -> StoreResult<Option<IntelRecord>> {
        self.read(move |conn| {
            query_one(
                conn,
                &format!(
                    "SELECT {} FROM intel_items i WHERE i.id = ?1",
                    intel::INTEL_COLUMNS
                ),
                &[&id_text(id.0)],
                intel::intel,
            )
        })
        .await
    }

    async fn intel_items(&self, query: &IntelQuery) -> StoreResult<Vec<IntelRecord>> {
        let query = query.clone();
        self.read(move |conn| intel::intel_items(conn, &query))
            .await
    }

    async fn journal_len(&self) -> StoreResult<u64> {
        self.read(|conn| {
            let last: i64 = conn
                .prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM journal")
                .and_then(|mut statement| statement.query_row([], |row| row.get(0)))
                .sql()?;
            seq_from_sql(last, "journal")
        })
        .await
    }

    async fn journal_range(&self, from_seq: u64, limit: u32) -> StoreResult<Vec<JournalEntry>> {
        let Ok(from) = i64::try_from(from_seq) else {
            return Ok(Vec::new());
        };
        self.read(move |conn| {
            query_all(
                conn,
                &format!(
                    "SELECT {JOURNAL_COLUMNS} FROM journal WHERE seq >= ?1 ORDER BY seq LIMIT ?2"
                ),
                &[&from, &i64::from(limit)],
                codec::journal_entry,
            )
        })
        .await
    }

    async fn journal_search(&self, query: &JournalQuery) -> StoreResult<Vec<JournalEntry>> {
        let query = query.clone();
        self.read(move |conn| search_journal(conn, &query)).await
    }

    async fn put_checkpoint(
        &self,
        checkpoint: &Checkpoint,
        frontier: &Frontier,
    ) -> StoreResult<()> {
        if frontier.size() != checkpoint.size || frontier.root() != checkpoint.root {
            return Err(StoreError::Internal(format!(
                "the checkpoint at size {} was not computed from the frontier given with it (size {})",
                checkpoint.size,
                frontier.size()
            )));
        }
        let (reply, answer) = oneshot::channel();
        let request = Request::Checkpoint {
            checkpoint: checkpoint.clone(),
            frontier: frontier.to_bytes(),
            reply,
        };
        self.submit(request, answer).await
    }

    async fn latest_checkpoint(&self) -> StoreResult<Option<(Checkpoint, Frontier)>> {
        let row = self
            .read(|conn| {
                query_one(
                    conn,
                    &format!("SELECT {CHECKPOINT_COLUMNS} FROM journal_checkpoints ORDER BY size DESC LIMIT 1"),
                    &[],
                    codec::checkpoint,
                )
            })
            .await?;
        match row {
            None => Ok(None),
            Some((checkpoint, bytes)) => {
                let frontier = frontier_of(checkpoint.size, &bytes)?;
                Ok(Some((checkpoint, frontier)))
            }
        }
    }

    async fn checkpoints(&self) -> StoreResult<Vec<Checkpoint>> {
        let rows = self
            .read(|conn| {
                query_all(
                    conn,
                    &format!("SELECT {CHECKPOINT_COLUMNS} FROM journal_checkpoints ORDER BY size"),
                    &[],
                    codec::checkpoint,
                )
            })
            .await?;
        Ok(rows.into_iter().map(|(checkpoint, _)| checkpoint).collect())
    }

    async fn counts(&self) -> StoreResult<Counts> {
        self.read(|conn| {
            let (units, accounts, entities, links, journal, targets): (i64, i64, i64, i64, i64, i64) = conn
                .prepare_cached(
                    "SELECT (SELECT COUNT(*) FROM units), (SELECT COUNT(*) FROM accounts), (SELECT COUNT(*) FROM entities),
                            (SELECT COUNT(*) FROM links), (SELECT COALESCE(MAX(seq), 0) FROM journal),
                            (SELECT COUNT(*) FROM targets)",
                )
                .and_then(|mut statement| {
                    statement.query_row([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?)))
                })
                .sql()?;
            let count = |value: i64| u64::try_from(value).unwrap_or(0);
            Ok(Counts {
                units: count(units),
                accounts: count(accounts),
                entities: count(entities),
                links: count(links),
                journal: count(journal),
                targets: count(targets),
            })
        })
        .await
    }

    async fn health(&self) -> StoreResult<()> {
        self.read(|conn| {
            conn.query_row("SELECT COUNT(*) FROM schema_migrations", [], |row| {
                row.get::<_, i64>(0)
            })
            .sql()
        })
        .await?;
        let (reply, answer) = oneshot::channel();
        self.submit(Request::Ping { reply }, answer).await
    }

    async fn integrity_check(&self) -> StoreResult<Vec<String>> {
        self.read(integrity_problems).await
    }

    async fn close(&self) {
        self.readers.close();
        if let Some(thread) = self.writer.close() {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }
}
