//! Vigie's PostgreSQL storage backend, for national deployments where several Vigie nodes share one
//! PostgreSQL cluster.
//!
//! [`PostgresStore`] implements [`Store`] with a pool of connections for reads and one writer task
//! per node that group-commits every [`WriteBatch`] (see `writer`). Journal sequence numbers come
//! from the single-row `journal_head` table, updated in the same transaction as the entries, so they
//! stay gapless and unique across nodes; the journal tables are append-only through triggers (see
//! `migrations/0001_initial.sql`, which also says which privileges production should grant).
//!
//! Connections are bounded in time: 5 s to get one from the pool (or open one), 5 s per statement,
//! 5 s to wait for a lock; past those, calls fail with `Unavailable`. Every connection names itself
//! `application_name = 'vigie'` (a test store: its schema's name). Credentials never appear in errors: the URL is only ever shown
//! through [`StoreUrl::redacted`].
//!
//! This crate does not decide who may read or write what (the engine does), does not retry failed
//! writes, does not speak TLS (the workspace's sqlx build has no TLS feature), and keeps no state
//! that another node would need: everything is in the database.

mod codec;
mod error;
mod intel;
mod migrate;
mod targets;
mod writer;

use crate::codec::{
    account, checkpoint, entity, journal_entry, link, seq_to_sql, session, unit, Sql,
    ACCOUNT_COLUMNS, CHECKPOINT_COLUMNS, ENTITY_COLUMNS, JOURNAL_COLUMNS, LINK_COLUMNS,
    SESSION_COLUMNS, UNIT_COLUMNS,
};
use crate::error::{closed, out_of_range};
use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Executor, PgPool, Row};
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use vigie_core::entity::{Entity, EntityId, Link};
use vigie_core::journal::{Checkpoint, Frontier, JournalEntry};
use vigie_core::org::{AccountId, Unit, UnitId};
use vigie_intel::ItemId;
use vigie_store::{
    AccountRecord, ConflictRow, Counts, EntityQuery, IntelQuery, IntelRecord, JournalQuery, KeyHit,
    OpenOptions, RecordQuery, SessionRecord, Store, StoreError, StoreResult, StoreUrl,
    TargetRecord, WorkflowRecord, WriteBatch,
};
use vigie_targets::TargetId;

/// Connections in the pool (the writer uses one at a time; readers share the rest).
const MAX_CONNECTIONS: u32 = 10;
/// Longest wait for a pooled connection, or to open a new one.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
/// `statement_timeout` and `lock_timeout` of every connection, in milliseconds.
const STATEMENT_TIMEOUT_MS: &str = "5000";
/// Requests waiting for the writer before `write` callers wait for room.
const QUEUE_CAPACITY: usize = 8192;

/// The PostgreSQL store. Cheap to share behind an `Arc`; every method is safe to call concurrently.
pub struct PostgresStore {
    pool: PgPool,
    /// `None` once closed.
    sender: Mutex<Option<mpsc::Sender<writer::Request>>>,
    writer: tokio::sync::Mutex<Option<JoinHandle<()>>>,
    /// The URL without its password, for messages.
    url: String,
    /// The schema made by [`PostgresStore::open_isolated_for_tests`].
    isolated_schema: Option<String>,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user:password@host:port/database`), checks the schema (and
    /// migrates it when `options.migrate`), and starts the writer task. Must run inside a Tokio runtime.
    pub async fn open(url: &str, options: OpenOptions) -> StoreResult<PostgresStore> {
        Self::open_in(url, options, None).await
    }

    /// For tests: like [`open`](Self::open), but inside a new schema with a unique name
    /// (`vigie_test_<uuid>`), set as the `search_path` of every pooled connection, so that concurrent
    /// and repeated test runs on one database never see each other's data. Test schemas more than a
    /// day old (by the server's clock) are dropped on the way.
    pub async fn open_isolated_for_tests(
        url: &str,
        options: OpenOptions,
    ) -> StoreResult<PostgresStore> {
        let schema = format!("vigie_test_{}", uuid::Uuid::new_v4().simple());
        Self::open_in(url, options, Some(schema)).await
    }

    async fn open_in(
        url: &str,
        options: OpenOptions,
        schema: Option<String>,
    ) -> StoreResult<PostgresStore> {
        let redacted = match StoreUrl::parse(url)? {
            parsed @ StoreUrl::Postgres { .. } => parsed.redacted(),
            StoreUrl::Sqlite { .. } => {
                return Err(StoreError::InvalidUrl(
                    "the PostgreSQL backend needs a postgres:// URL".to_owned(),
                ))
            }
        };
        let connect = PgConnectOptions::from_str(url)
            .map_err(|_| {
                StoreError::InvalidUrl(format!("cannot read the PostgreSQL URL {redacted}"))
            })?
            // Isolated test stores name themselves after their schema, so that a test can find (and
            // kill) its own store's connections without touching its neighbours'.
            .application_name(schema.as_deref().unwrap_or("vigie"))
            .options([
                ("statement_timeout", STATEMENT_TIMEOUT_MS),
                ("lock_timeout", STATEMENT_TIMEOUT_MS),
                ("idle_in_transaction_session_timeout", "60000"),
                // Vigie's statements are short. When the planner overestimates one (its statistics
                // lagging behind a bulk), JIT compiling it took 57 ms, for a 9 ms query, and starting
                // parallel workers for a one-key look-up about 10 ms, for 0.1 ms of work.
                ("jit", "off"),
                ("max_parallel_workers_per_gather", "0"),
            ]);
        let hook_schema = schema.clone();
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .min_connections(0)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .idle_timeout(Some(Duration::from_secs(300)))
            .after_connect(move |conn, _meta| {
                let schema = hook_schema.clone();
                Box::pin(async move {
                    if let Some(schema) = schema {
                        conn.execute(
                            format!("SET search_path TO {}", quote_ident(&schema)).as_str(),
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(connect)
            .await
            .map_err(|error| with_context(error::map(error), &redacted))?;
        let store = async {
            let mut conn = pool.acquire().await.sql()?;
            if let Some(schema) = &schema {
                prepare_test_schema(&mut conn, schema).await?;
            }
            migrate::migrate(&mut conn, options.migrate).await
        }
        .await;
        if let Err(error) = store {
            pool.close().await;
            return Err(with_context(error, &redacted));
        }
        let (sender, receiver) = mpsc::channel(QUEUE_CAPACITY);
        let handle = tokio::spawn(writer::run(
            pool.clone(),
            Arc::clone(&options.journal_key),
            receiver,
        ));
        Ok(PostgresStore {
            pool,
            sender: Mutex::new(Some(sender)),
            writer: tokio::sync::Mutex::new(Some(handle)),
            url: redacted,
            isolated_schema: schema,
        })
    }

    /// The schema [`open_isolated_for_tests`](Self::open_isolated_for_tests) created (`None` for a
    /// store opened with [`open`](Self::open)), so that tests can reach it with their own connections.
    pub fn isolated_schema(&self) -> Option<&str> {
        self.isolated_schema.as_deref()
    }

    fn sender(&self) -> MutexGuard<'_, Option<mpsc::Sender<writer::Request>>> {
        self.sender
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn ensure_open(&self) -> StoreResult<()> {
        if self.sender().is_some() {
            Ok(())
        } else {
            Err(closed())
        }
    }
}

/// Adds which server could not be reached to connection failures (password hidden).
fn with_context(error: StoreError, redacted: &str) -> StoreError {
    match error {
        StoreError::Unavailable(message) => {
            StoreError::Unavailable(format!("{redacted}: {message}"))
        }
        other => other,
    }
}

/// `"name"` with inner quotes doubled.
fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Creates the test schema (the connection's search_path already names it), dropping stale ones.
async fn prepare_test_schema(conn: &mut sqlx::PgConnection, schema: &str) -> StoreResult<()> {
    sqlx::raw_sql(
        r"DO $$
        DECLARE stale record;
        BEGIN
            FOR stale IN
                SELECT n.nspname FROM pg_namespace n
                WHERE n.nspname LIKE 'vigie\_test\_%'
                  AND obj_description(n.oid, 'pg_namespace') ~ '^vigie test schema created at [0-9]+$'
                  AND substring(obj_description(n.oid, 'pg_namespace') FROM '[0-9]+$')::bigint
                      < extract(epoch FROM now())::bigint - 86400
            LOOP
                BEGIN
                    EXECUTE format('DROP SCHEMA %I CASCADE', stale.nspname);
                EXCEPTION WHEN others THEN
                    NULL; -- another run is dropping it, or it is in use: leave it
                END;
            END LOOP;
        END $$",
    )
    .execute(&mut *conn)
    .await
    .sql()?;
    let now: i64 = sqlx::query_scalar("SELECT extract(epoch FROM now())::bigint")
        .fetch_one(&mut *conn)
        .await
        .sql()?;
    sqlx::raw_sql(&format!(
        "CREATE SCHEMA {name}; COMMENT ON SCHEMA {name} IS 'vigie test schema created at {now}'",
        name = quote_ident(schema)
    ))
    .execute(&mut *conn)
    .await
    .sql()?;
    Ok(())
}

fn limit(limit: u32) -> i64 {
    i64::from(limit)
}

#[async_trait]
impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn write(&self, batch: WriteBatch) -> StoreResult<Vec<u64>> {
        let sender = self.sender().clone().ok_or_else(closed)?;
        if batch.mutations.is_empty() && batch.journal.is_empty() {
            return Ok(Vec::new());
        }
        let (reply, answer) = oneshot::channel();
        sender
            .send(writer::Request { batch, reply })
            .await
            .map_err(|_| closed())?;
        drop(sender);
        answer.await.map_err(|_| {
            StoreError::Unavailable("the PostgreSQL writer stopped before answering".to_owned())
        })?
    }

    async fn unit(&self, id: UnitId) -> StoreResult<Option<Unit>> {
        self.ensure_open()?;
        let row = sqlx::query(&format!("SELECT {UNIT_COLUMNS} FROM units WHERE id = $1"))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .sql()?;
        row.as_ref().map(unit).transpose()
    }

    async fn units(&self) -> StoreResult<Vec<Unit>> {
        self.ensure_open()?;
        let rows = sqlx::query(&format!("SELECT {UNIT_COLUMNS} FROM units ORDER BY code"))
            .fetch_all(&self.pool)
            .await
            .sql()?;
        rows.iter().map(unit).collect()
    }

    async fn account(&self, id: AccountId) -> StoreResult<Option<AccountRecord>> {
        self.ensure_open()?;
        let row = sqlx::query(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .sql()?;
        row.as_ref().map(account).transpose()
    }

    async fn account_by_username(&self, username: &str) -> StoreResult<Option<AccountRecord>> {
        self.ensure_open()?;
        let row = sqlx::query(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE username = $1"
        ))
        .bind(username)
        .fetch_optional(&self.pool)
        .await
        .sql()?;
        row.as_ref().map(account).transpose()
    }

    async fn accounts(&self) -> StoreResult<Vec<AccountRecord>> {
        self.ensure_open()?;
        let rows = sqlx::query(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY username"
        ))
        .fetch_all(&self.pool)
        .await
        .sql()?;
        rows.iter().map(account).collect()
    }

    async fn session(&self, token_hash: &str) -> StoreResult<Option<SessionRecord>> {
        self.ensure_open()?;
        let row = sqlx::query(&format!(
            "SELECT {SESSION_COLUMNS} FROM sessions WHERE token_hash = $1"
        ))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .sql()?;
        row.as_ref().map(session).transpose()
    }

    async fn entity(&self, id: EntityId) -> StoreResult<Option<Entity>> {
        self.ensure_open()?;
        let row = sqlx::query(&format!(
            "SELECT {ENTITY_COLUMNS} FROM entities WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .sql()?;
        row.as_ref().map(entity).transpose()
    }

    /// Every term must occur in `search_key` (`strpos`, so '%' and '_' are plain characters); the
    /// visibility filter is applied in SQL, so nothing hidden is ever returned or counted.
    async fn search_entities(&self, query: &EntityQuery) -> StoreResult<Vec<Entity>> {
        self.ensure_open()?;
        let regimes: Vec<&str> = query
            .visibility
            .open_regimes
            .iter()
            .map(|regime| regime.as_str())
            .collect();
        let rows = sqlx::query(&format!(
            "SELECT {ENTITY_COLUMNS} FROM entities
             WHERE ($1::text IS NULL OR schema = $1)
               AND NOT EXISTS (SELECT 1 FROM unnest($2::text[]) AS term WHERE strpos(search_key, term) = 0)
               AND (owner_unit = $3
                    OR (($4::text[] IS NULL OR departement = ANY($4::text[])) AND regime = ANY($5::text[])))
             ORDER BY changed DESC
             LIMIT $6"
        ))
        .bind(query.schema.map(|schema| schema.as_str()))
        .bind(&query.terms)
        .bind(query.visibility.own_unit.0)
        .bind(&query.visibility.departements)
        .bind(regimes)
        .bind(limit(query.limit))
        .fetch_all(&self.pool)
        .await
        .sql()?;
        rows.iter().map(entity).collect()
    }

    async fn links_of(&self, id: EntityId) -> StoreResult<Vec<Link>> {
        self.ensure_open()?;
        let rows = sqlx::query(&format!(
            "SELECT {LINK_COLUMNS} FROM links WHERE source = $1 OR target = $1 ORDER BY id"
        ))
        .bind(id.0)
        .fetch_all(&self.pool)
        .await
        .sql()?;
        rows.iter().map(link).collect()
    }

    async fn journal_len(&self) -> StoreResult<u64> {
        self.ensure_open()?;
        let last: i64 = sqlx::query_scalar("SELECT last_seq FROM journal_head")
            .fetch_one(&self.pool)
            .await
            .sql()?;
        codec::seq_from_sql(last, "journal_head", "last_seq")
    }

    async fn journal_range(&self, from_seq: u64, limit: u32) -> StoreResult<Vec<JournalEntry>> {
        self.ensure_open()?;
        let from = seq_to_sql(from_seq).unwrap_or(i64::MAX);
        let rows = sqlx::query(&format!(
            "SELECT {JOURNAL_COLUMNS} FROM journal WHERE seq >= $1 ORDER BY seq LIMIT $2"
        ))
        .bind(from)
        .bind(self::limit(limit))
        .fetch_all(&self.pool)
        .await
        .sql()?;
        rows.iter().map(journal_entry).collect()
    }

    async fn journal_search(&self, query: &JournalQuery) -> StoreResult<Vec<JournalEntry>> {
        self.ensure_open()?;
        // Only the filters given appear in the SQL, so that the planner can use the matching index.
        let mut conditions = Vec::new();
        let mut index = 0;
        let mut next = || {
            index += 1;
            index
        };
        if query.actor.is_some() {
            conditions.push(format!("actor = ${}", next()));
        }
        let object_at = query.object.as_ref().map(|_| next());
        if query.action.is_some() {
            conditions.push(format!("action = ${}", next()));
        }
        let before = query
            .before_seq
            .map(|seq| seq_to_sql(seq).unwrap_or(i64::MAX));
        if before.is_some() {
            conditions.push(format!("seq < ${}", next()));
        }
        let limit_param = next();
        let filter = |extra: Option<String>| {
            let all: Vec<&str> = extra
                .iter()
                .map(String::as_str)
                .chain(conditions.iter().map(String::as_str))
                .collect();
            if all.is_empty() {
                String::new()
            } else {
                format!("WHERE {}", all.join(" AND "))
            }
        };
        let sql = match object_at {
            None => format!(
                "SELECT {JOURNAL_COLUMNS} FROM journal {} ORDER BY seq DESC LIMIT ${limit_param}",
                filter(None)
            ),
            // An entry is found under its object and under each object it showed (schema 6), in two
            // branches rather than one OR, each newest first and cut at the limit: with the OR,
            // PostgreSQL collected every entry of the actor and sorted them (12 ms for 20,000
            // deconfliction checks). The shown branch is a materialised CTE that asks the GIN index
            // alone, the other filters applied to what it found: otherwise, with statistics older
            // than a burst of checks, PostgreSQL walked the actor's entries (10 ms) or the whole
            // journal (45 ms) looking for one that showed the object.
            Some(at) => format!(
                "WITH showed AS MATERIALIZED (
                   SELECT * FROM journal WHERE shown @> jsonb_build_array(${at}::text)
                 )
                 SELECT {JOURNAL_COLUMNS} FROM (
                   (SELECT * FROM journal {} ORDER BY seq DESC LIMIT ${limit_param})
                   UNION ALL
                   (SELECT * FROM showed {} ORDER BY seq DESC LIMIT ${limit_param})
                 ) AS found ORDER BY seq DESC LIMIT ${limit_param}",
                filter(Some(format!("object = ${at}"))),
                filter(Some(format!("object <> ${at}"))),
            ),
        };
        let mut statement = sqlx::query(&sql);
        if let Some(actor) = &query.actor {
            statement = statement.bind(actor);
        }
        if let Some(object) = &query.object {
            statement = statement.bind(object);
        }
        if let Some(action) = query.action {
            statement = statement.bind(action.as_str());
        }
        if let Some(before) = before {
            statement = statement.bind(before);
        }
        let rows = statement
            .bind(limit(query.limit))
            .fetch_all(&self.pool)
            .await
            .sql()?;
        rows.iter().map(journal_entry).collect()
    }

    /// Idempotent: storing the same checkpoint again is fine (two nodes may sign the same size);
    /// a *different* checkpoint of an already stored size is a `Conflict`.
    async fn put_checkpoint(
        &self,
        checkpoint: &Checkpoint,
        frontier: &Frontier,
    ) -> StoreResult<()> {
        self.ensure_open()?;
        if frontier.size() != checkpoint.size || frontier.root() != checkpoint.root {
            return Err(StoreError::Internal(format!(
                "the checkpoint at size {} was not computed from the frontier given with it (size {})",
                checkpoint.size,
                frontier.size()
            )));
        }
        let size = seq_to_sql(checkpoint.size)?;
        let frontier_bytes = frontier.to_bytes();
        let inserted = sqlx::query(
            "INSERT INTO journal_checkpoints (size, root, signature, frontier) VALUES ($1, $2, $3, $4)
             ON CONFLICT (size) DO NOTHING",
        )
        .bind(size)
        .bind(checkpoint.root.as_slice())
        .bind(checkpoint.signature.as_slice())
        .bind(frontier_bytes.as_slice())
        .execute(&self.pool)
        .await
        .sql()?;
        if inserted.rows_affected() == 1 {
            return Ok(());
        }
        let row = sqlx::query(&format!(
            "SELECT {CHECKPOINT_COLUMNS} FROM journal_checkpoints WHERE size = $1"
        ))
        .bind(size)
        .fetch_one(&self.pool)
        .await
        .sql()?;
        let (stored, stored_frontier) = codec::checkpoint(&row)?;
        if stored == *checkpoint && stored_frontier == frontier_bytes {
            Ok(())
        } else {
            Err(StoreError::Conflict(format!(
                "a different checkpoint of size {} is already stored",
                checkpoint.size
            )))
        }
    }

    async fn latest_checkpoint(&self) -> StoreResult<Option<(Checkpoint, Frontier)>> {
        self.ensure_open()?;
        let row = sqlx::query(&format!(
            "SELECT {CHECKPOINT_COLUMNS} FROM journal_checkpoints ORDER BY size DESC LIMIT 1"
        ))
        .fetch_optional(&self.pool)
        .await
        .sql()?;
        let Some(row) = row else {
            return Ok(None);
        };
        let (checkpoint, bytes) = checkpoint(&row)?;
        let frontier = Frontier::from_bytes(&bytes)
            .filter(|frontier| frontier.size() == checkpoint.size)
            .ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "the frontier stored with checkpoint {} is invalid",
                    checkpoint.size
                ))
            })?;
        Ok(Some((checkpoint, frontier)))
    }

    async fn checkpoints(&self) -> StoreResult<Vec<Checkpoint>> {
        self.ensure_open()?;
        let rows = sqlx::query(&format!(
            "SELECT {CHECKPOINT_COLUMNS} FROM journal_checkpoints ORDER BY size"
        ))
        .fetch_all(&self.pool)
        .await
        .sql()?;
        rows.iter()
            .map(|row| checkpoint(row).map(|(checkpoint, _)| checkpoint))
            .collect()
    }

    async fn intel_item(&self, id: ItemId) -> StoreResult<Option<IntelRecord>> {
        self.ensure_open()?;
        intel::intel_item(&self.pool, id).await
    }

    async fn intel_items(&self, query: &IntelQuery) -> StoreResult<Vec<IntelRecord>> {
        self.ensure_open()?;
        intel::intel_items(&self.pool, query).await
    }

    async fn target(&self, id: TargetId) -> StoreResult<Option<TargetRecord>> {
        self.ensure_open()?;
        let row = sqlx::query(&format!(
            "SELECT {} FROM targets t WHERE t.id = $1",
            targets::TARGET_COLUMNS
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .sql()?;
        row.as_ref().map(targets::target).transpose()
    }

    async fn targets_of_unit(&self, unit: UnitId, live_at: i64) -> StoreResult<Vec<TargetRecord>> {
        self.ensure_open()?;
        let rows = sqlx::query(&format!(
            "SELECT {} FROM targets t WHERE t.unit = $1 AND t.expires_at_micros > $2 ORDER BY t.ord DESC",
            targets::TARGET_COLUMNS
        ))
        .bind(unit.0)
        .bind(live_at)
        .fetch_all(&self.pool)
        .await
        .sql()?;
        rows.iter().map(targets::target).collect()
    }

    async fn key_hits(&self, digests: &[[u8; 16]], live_at: i64) -> StoreResult<Vec<KeyHit>> {
        self.ensure_open()?;
        targets::key_hits(&self.pool, digests, live_at).await
    }

    async fn shared_digests(
        &self,
        unit: UnitId,
        digests: &[[u8; 16]],
        live_at: i64,
    ) -> StoreResult<Vec<[u8; 16]>> {
        self.ensure_open()?;
        targets::shared_digests(&self.pool, unit, digests, live_at).await
    }

    async fn conflicts_of_unit(&self, unit: UnitId, live_at: i64) -> StoreResult<Vec<ConflictRow>> {
        self.ensure_open()?;
        let rows = sqlx::query(targets::CONFLICTS_SQL)
            .bind(unit.0)
            .bind(live_at)
            .fetch_all(&self.pool)
            .await
            .sql()?;
        rows.iter().map(targets::conflict).collect()
    }

    async fn expired_targets(&self, now: i64, limit: u32) -> StoreResult<Vec<TargetId>> {
        self.ensure_open()?;
        let rows = sqlx::query(
            "SELECT id FROM targets WHERE expires_at_micros <= $1 ORDER BY expires_at_micros, ord LIMIT $2",
        )
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .sql()?;
        rows.iter()
            .map(|row| row.try_get::<uuid::Uuid, _>(0).sql().map(TargetId))
            .collect()
    }

    async fn record(&self, kind: &str, id: &str) -> StoreResult<Option<WorkflowRecord>> {
        self.ensure_open()?;
        let row = sqlx::query(&format!(
            "SELECT {} FROM workflow_records WHERE kind = $1 AND id = $2",
            targets::RECORD_COLUMNS
        ))
        .bind(kind)
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .sql()?;
        row.as_ref().map(targets::record).transpose()
    }

    async fn records(&self, query: &RecordQuery) -> StoreResult<Vec<WorkflowRecord>> {
        self.ensure_open()?;
        targets::records(&self.pool, query).await
    }

    async fn records_about(&self, kinds: &[&str], key: &str) -> StoreResult<Vec<WorkflowRecord>> {
        self.ensure_open()?;
        let rows = sqlx::query(&format!(
            "SELECT {} FROM workflow_records WHERE kind = ANY($1) AND (area = $2 OR id = $2) \
             ORDER BY kind, id",
            targets::RECORD_COLUMNS
        ))
        .bind(kinds)
        .bind(key)
        .fetch_all(&self.pool)
        .await
        .sql()?;
        rows.iter().map(targets::record).collect()
    }

    async fn counts(&self) -> StoreResult<Counts> {
        self.ensure_open()?;
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM units), (SELECT COUNT(*) FROM accounts), (SELECT COUNT(*) FROM entities),
                    (SELECT COUNT(*) FROM links), (SELECT last_seq FROM journal_head), (SELECT COUNT(*) FROM targets)",
        )
        .fetch_one(&self.pool)
        .await
        .sql()?;
        let count = |index: usize| -> StoreResult<u64> {
            let value: Option<i64> = row.try_get(index).sql()?;
            let value = value
                .ok_or_else(|| StoreError::Corrupt("the journal_head row is missing".to_owned()))?;
            u64::try_from(value).map_err(|_| out_of_range("count", value))
        };
        Ok(Counts {
            units: count(0)?,
            accounts: count(1)?,
            entities: count(2)?,
            links: count(3)?,
            journal: count(4)?,
            targets: count(5)?,
        })
    }

    /// Reads the journal head, and proves the server would accept a write: it must not be a standby
    /// (nor read-only), and must hand out a transaction id (which it refuses in recovery or when it
    /// protects itself from wraparound). The writer task must still be running.
    async fn health(&self) -> StoreResult<()> {
        self.ensure_open()?;
        if self
            .writer
            .lock()
            .await
            .as_ref()
            .is_none_or(JoinHandle::is_finished)
        {
            return Err(StoreError::Unavailable(
                "the PostgreSQL writer task has stopped".to_owned(),
            ));
        }
        let mut tx = self.pool.begin().await.sql()?;
        let row = sqlx::query(
            "SELECT (SELECT last_seq FROM journal_head), pg_is_in_recovery(),
                    current_setting('transaction_read_only') = 'on', pg_current_xact_id()::text",
        )
        .fetch_one(&mut *tx)
        .await
        .sql()?;
        tx.rollback().await.sql()?;
        let head: Option<i64> = row.try_get(0).sql()?;
        let recovering: bool = row.try_get(1).sql()?;
        let read_only: bool = row.try_get(2).sql()?;
        if head.is_none() {
            return Err(StoreError::Corrupt(
                "the journal_head row is missing".to_owned(),
            ));
        }
        if recovering || read_only {
            return Err(StoreError::Unavailable(format!(
                "{} is read-only (a standby?)",
                self.url
            )));
        }
        Ok(())
    }

    /// See `migrate::integrity_problems` for what is checked.
    async fn integrity_check(&self) -> StoreResult<Vec<String>> {
        self.ensure_open()?;
        let mut tx = self.pool.begin().await.sql()?;
        // Counting a long journal may take longer than the usual statement timeout.
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await
            .sql()?;
        sqlx::query("SET LOCAL statement_timeout = '10min'")
            .execute(&mut *tx)
            .await
            .sql()?;
        let problems = migrate::integrity_problems(&mut tx).await?;
        tx.rollback().await.sql()?;
        Ok(problems)
    }

    /// Stops accepting writes, lets the writer commit what was already queued, waits for it, then
    /// closes the pool. Later calls fail with `Unavailable`.
    async fn close(&self) {
        drop(self.sender().take());
        let handle = self.writer.lock().await.take();
        if let Some(handle) = handle {
            let _ = handle.await;
        }
        self.pool.close().await;
    }
}
