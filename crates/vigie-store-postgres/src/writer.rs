//! The writer task: every [`WriteBatch`] of one Vigie node goes through it, and it commits them in
//! groups (group commit).
//!
//! The task receives `(batch, reply)` requests over a channel, takes what is queued (at most
//! [`MAX_GROUP`] requests), and commits the group in **one** transaction:
//! 1. if the group both changes rows and appends to the journal, it first locks the single
//!    `journal_head` row (`SELECT … FOR UPDATE`): every appender of every node takes that lock before
//!    any row lock, so appenders are serialised until they commit and cannot deadlock with each other
//!    on the rows they change (a group that only appends takes the same lock with step 3's UPDATE);
//! 2. each request's mutations run inside their own SAVEPOINT: a request that fails (a uniqueness or
//!    version conflict...) is rolled back to its savepoint, and it alone gets the error;
//! 3. the surviving requests' journal entries then get their sequence numbers from
//!    `UPDATE journal_head SET last_seq = last_seq + n RETURNING last_seq`, are sealed with the journal
//!    key (leaf hash and MAC), and are inserted with a single multi-row INSERT;
//! 4. one COMMIT; only once it has returned (the server runs with synchronous_commit = on) does each
//!    request get its answer: its sequence numbers, or its error.
//!
//! If the multi-row journal INSERT itself fails (a value PostgreSQL refuses), the whole group is rolled
//! back and committed again in the slow, isolated way: the head's lock first, then each request's
//! mutations *and* journal entries inside its own savepoint, so that only the faulty request fails.
//! If the append fails for want of time (lock or statement timeout, deadlock), the group fails with
//! `Unavailable` at once: a second pass would only wait again. If the connection fails or COMMIT
//! fails, every request of the group gets `Unavailable` (when COMMIT's answer was lost, the outcome is
//! unknown; the message says so).
//!
//! This module does not retry on its own, does not decide who may write what, and does not order
//! requests beyond "in the order they were queued": a caller that drops its future still has its
//! request committed if it was already queued.

use crate::codec::{instant_to_sql, properties_to_sql, storable, Sql};
use crate::error::map;
use sqlx::{Connection, PgConnection, PgPool};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};
use vigie_core::entity::{Entity, Link};
use vigie_core::journal::{JournalDraft, JournalKey};
use vigie_store::{Mutation, StoreError, StoreResult, WriteBatch};

/// The most requests committed in one transaction.
pub(crate) const MAX_GROUP: usize = 512;

/// The most times the writer yields while gathering one group.
const MAX_YIELDS: usize = 4;

/// One caller's batch and where to send its answer.
pub(crate) struct Request {
    pub(crate) batch: WriteBatch,
    pub(crate) reply: oneshot::Sender<StoreResult<Vec<u64>>>,
}

/// Runs until every sender of `requests` is dropped and the queue is empty.
pub(crate) async fn run(pool: PgPool, key: Arc<JournalKey>, mut requests: mpsc::Receiver<Request>) {
    while let Some(first) = requests.recv().await {
        let mut batches = Vec::with_capacity(MAX_GROUP);
        let mut replies = Vec::with_capacity(MAX_GROUP);
        batches.push(first.batch);
        replies.push(first.reply);
        // Take what is queued; then yield to the scheduler, so that callers just answered by the
        // previous group (and about to write again) make it into this one. A yield costs microseconds,
        // against milliseconds for the COMMIT's flush; gathering stops at the first yield that brings
        // nothing new (so an idle store pays one yield), or after MAX_YIELDS.
        let mut yields = 0;
        loop {
            while batches.len() < MAX_GROUP {
                match requests.try_recv() {
                    Ok(request) => {
                        batches.push(request.batch);
                        replies.push(request.reply);
                    }
                    Err(_) => break,
                }
            }
            if batches.len() >= MAX_GROUP || yields >= MAX_YIELDS {
                break;
            }
            yields += 1;
            tokio::task::yield_now().await;
            if requests.is_empty() {
                break;
            }
        }
        let results = commit_group(&pool, &key, &batches).await;
        for (reply, result) in replies.into_iter().zip(results) {
            // The caller may have gone away; its batch is committed all the same.
            let _ = reply.send(result);
        }
    }
}

/// How a failure inside the group's transaction affects the group.
enum Failure {
    /// This request alone fails: roll back to its savepoint and go on.
    Request(StoreError),
    /// The transaction or the connection is lost: the whole group fails with this error.
    Group(StoreError),
}

fn classify(error: sqlx::Error) -> Failure {
    match error {
        // The server refused the statement; the connection and the transaction (up to the request's
        // savepoint) are still usable. If they are not (the server is shutting down), rolling back to
        // the savepoint fails and the group fails then.
        sqlx::Error::Database(_) => Failure::Request(map(error)),
        other => Failure::Group(map(other)),
    }
}

/// Names the record in a conflict's message: "unit CROSS-13 (<id>): another unit already has this code".
fn about(what: impl std::fmt::Display) -> impl FnOnce(Failure) -> Failure {
    move |failure| match failure {
        Failure::Request(StoreError::Conflict(message)) => {
            Failure::Request(StoreError::Conflict(format!("{what}: {message}")))
        }
        other => other,
    }
}

/// How the group's journal entries are appended.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// All journal entries of the group in one INSERT after every request's mutations (fast path).
    Together,
    /// Each request's journal entries inside its own savepoint (after the fast path failed).
    Isolated,
}

/// Commits the group; one result per batch, in order.
async fn commit_group(
    pool: &PgPool,
    key: &JournalKey,
    batches: &[WriteBatch],
) -> Vec<StoreResult<Vec<u64>>> {
    let checked: Vec<Option<StoreResult<Vec<u64>>>> = batches
        .iter()
        .map(|batch| precheck(batch).map(Err))
        .collect();
    let mut results = checked.clone();
    let mut outcome = attempt(pool, key, batches, &mut results, Mode::Together).await;
    if let Err(Retry::Isolated) = outcome {
        results = checked;
        outcome = attempt(pool, key, batches, &mut results, Mode::Isolated).await;
    }
    let failure = match outcome {
        Ok(()) => None,
        Err(Retry::Isolated) => Some(StoreError::Internal(
            "the journal entries could not be appended".to_owned(),
        )),
        Err(Retry::No(error)) => Some(error),
    };
    results
        .into_iter()
        .map(|result| match (result, &failure) {
            // What had failed keeps its own error (it was not written either); what had succeeded, or
            // was not reached, is gone with the transaction.
            (Some(Err(error)), _) => Err(error),
            (_, Some(error)) => Err(error.clone()),
            (result, None) => result.unwrap_or_else(|| Ok(Vec::new())),
        })
        .collect()
}

/// Refuses, before any SQL, a batch PostgreSQL could not store as given.
fn precheck(batch: &WriteBatch) -> Option<StoreError> {
    let bad = batch.journal.iter().any(|draft| {
        ![
            &draft.actor,
            &draft.unit,
            &draft.object,
            &draft.motif,
            &draft.request_id,
        ]
        .iter()
        .all(|text| storable(text))
    });
    bad.then(|| {
        StoreError::Internal(
            "a journal entry contains a NUL character, which PostgreSQL cannot store".to_owned(),
        )
    })
}

enum Retry {
    /// The fast path's journal INSERT failed: commit again with [`Mode::Isolated`].
    Isolated,
    /// The group failed with this error.
    No(StoreError),
}

/// Runs the group in one transaction, filling `results` (`None`: not failed so far). On `Ok`, the
/// transaction is committed and every `None` left means success with no journal entry.
async fn attempt(
    pool: &PgPool,
    key: &JournalKey,
    batches: &[WriteBatch],
    results: &mut [Option<StoreResult<Vec<u64>>>],
    mode: Mode,
) -> Result<(), Retry> {
    let mut conn = pool
        .acquire()
        .await
        .map_err(|error| Retry::No(map(error)))?;
    let mut tx = conn.begin().await.map_err(|error| Retry::No(map(error)))?;
    let pending: Vec<bool> = results.iter().map(Option::is_none).collect();
    let pending = |index: usize| pending.get(index).copied().unwrap_or(false);

    // 1. The journal head's lock first, whenever this transaction will both change rows and append to
    //    the journal: every node then takes its locks in the same order (head, then rows), so two
    //    nodes cannot deadlock. A group that only appends takes the lock with its UPDATE below.
    let journaled = batches
        .iter()
        .enumerate()
        .any(|(index, batch)| pending(index) && !batch.journal.is_empty());
    let mutating = batches
        .iter()
        .enumerate()
        .any(|(index, batch)| pending(index) && !batch.mutations.is_empty());
    if journaled && (mutating || mode == Mode::Isolated) {
        let head: Option<i64> = sqlx::query_scalar("SELECT last_seq FROM journal_head FOR UPDATE")
            .fetch_optional(&mut *tx)
            .await
            .map_err(|error| Retry::No(map(error)))?;
        if head.is_none() {
            return Err(Retry::No(StoreError::Corrupt(
                "the journal_head row is missing".to_owned(),
            )));
        }
    }

    // 2. Each request in its savepoint.
    for (index, batch) in batches.iter().enumerate() {
        if !pending(index) {
            continue;
        }
        let journal_here = mode == Mode::Isolated && !batch.journal.is_empty();
        if batch.mutations.is_empty() && !journal_here {
            continue;
        }
        exec(&mut tx, "SAVEPOINT request")
            .await
            .map_err(Retry::No)?;
        let outcome = async {
            for mutation in &batch.mutations {
                apply(&mut tx, mutation).await?;
            }
            if journal_here {
                let drafts: Vec<&JournalDraft> = batch.journal.iter().collect();
                return append(&mut tx, key, &drafts).await;
            }
            Ok(Vec::new())
        }
        .await;
        match outcome {
            Ok(seqs) => {
                exec(&mut tx, "RELEASE SAVEPOINT request")
                    .await
                    .map_err(Retry::No)?;
                if let Some(slot) = results.get_mut(index) {
                    *slot = Some(Ok(seqs));
                }
            }
            Err(Failure::Request(error)) => {
                exec(&mut tx, "ROLLBACK TO SAVEPOINT request")
                    .await
                    .map_err(Retry::No)?;
                if let Some(slot) = results.get_mut(index) {
                    *slot = Some(Err(error));
                }
            }
            Err(Failure::Group(error)) => return Err(Retry::No(error)),
        }
    }

    // 3. The fast path's journal entries, all together.
    if mode == Mode::Together {
        let mut owners = Vec::new();
        let mut drafts: Vec<&JournalDraft> = Vec::new();
        for (index, batch) in batches.iter().enumerate() {
            let succeeded = match results.get(index) {
                Some(Some(result)) => result.is_ok(),
                Some(None) => pending(index),
                None => false,
            };
            if succeeded {
                for draft in &batch.journal {
                    owners.push(index);
                    drafts.push(draft);
                }
            }
        }
        let mut seqs_of: Vec<Vec<u64>> = vec![Vec::new(); batches.len()];
        if !drafts.is_empty() {
            let seqs = match append(&mut tx, key, &drafts).await {
                Ok(seqs) => seqs,
                // A lock or statement timeout, a deadlock: trying again request by request would
                // only wait again. The group fails, within the timeouts.
                Err(Failure::Request(error @ StoreError::Unavailable(_))) => {
                    return Err(Retry::No(error))
                }
                // A value refused: dropping `tx` rolls the whole group back, and the isolated pass
                // finds the culprit.
                Err(Failure::Request(_)) => return Err(Retry::Isolated),
                Err(Failure::Group(error)) => return Err(Retry::No(error)),
            };
            for (owner, seq) in owners.into_iter().zip(seqs) {
                if let Some(list) = seqs_of.get_mut(owner) {
                    list.push(seq);
                }
            }
        }
        for (index, seqs) in seqs_of.into_iter().enumerate() {
            if let Some(slot) = results.get_mut(index) {
                match slot {
                    Some(Err(_)) => {}
                    _ => *slot = Some(Ok(seqs)),
                }
            }
        }
    }

    // 4. One commit, then the answers.
    tx.commit().await.map_err(|error| {
        Retry::No(match map(error) {
            StoreError::Unavailable(message) => StoreError::Unavailable(format!(
                "COMMIT failed ({message}); if the connection was lost, the batch may or may not have been written"
            )),
            other => other,
        })
    })?;
    Ok(())
}

async fn exec(conn: &mut PgConnection, sql: &str) -> StoreResult<()> {
    sqlx::query(sql).execute(&mut *conn).await.sql().map(|_| ())
}

/// Gives `drafts` the next sequence numbers, seals them, inserts them; returns their numbers.
async fn append(
    conn: &mut PgConnection,
    key: &JournalKey,
    drafts: &[&JournalDraft],
) -> Result<Vec<u64>, Failure> {
    let count = i64::try_from(drafts.len()).map_err(|_| {
        Failure::Request(StoreError::Internal(
            "too many journal entries in one batch".to_owned(),
        ))
    })?;
    let last: Option<i64> =
        sqlx::query_scalar("UPDATE journal_head SET last_seq = last_seq + $1 RETURNING last_seq")
            .bind(count)
            .fetch_optional(&mut *conn)
            .await
            .map_err(classify)?;
    let last = last.ok_or_else(|| {
        Failure::Group(StoreError::Corrupt(
            "the journal_head row is missing".to_owned(),
        ))
    })?;
    let first = last - count + 1;
    let mut columns = JournalColumns::with_capacity(drafts.len());
    let mut seqs = Vec::with_capacity(drafts.len());
    for (offset, draft) in (0..count).zip(drafts) {
        let seq_sql = first + offset;
        let seq = u64::try_from(seq_sql).map_err(|_| {
            Failure::Group(StoreError::Corrupt(format!(
                "journal_head gave sequence number {seq_sql}"
            )))
        })?;
        let entry = key.seal(seq, (*draft).clone());
        columns.seq.push(seq_sql);
        columns.at_micros.push(entry.draft.at_micros);
        columns.actor.push(entry.draft.actor);
        columns.unit.push(entry.draft.unit);
        columns.action.push(entry.draft.action.as_str());
        columns.object.push(entry.draft.object);
        columns.motif.push(entry.draft.motif);
        columns.outcome.push(entry.draft.outcome.as_str());
        columns.request_id.push(entry.draft.request_id);
        columns.leaf_hash.push(entry.leaf_hash.to_vec());
        columns.mac.push(entry.mac.to_vec());
        columns
            .shown
            .push(vigie_store::shown_to_json(&entry.draft.shown).map_err(Failure::Group)?);
        seqs.push(seq);
    }
    sqlx::query(
        "INSERT INTO journal (seq, at_micros, actor, unit, action, object, motif, outcome, request_id, leaf_hash, mac, shown)
         SELECT seq, at_micros, actor, unit, action, object, motif, outcome, request_id, leaf_hash, mac, shown::jsonb
         FROM UNNEST($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[],
                     $7::text[], $8::text[], $9::text[], $10::bytea[], $11::bytea[], $12::text[])
              AS rows (seq, at_micros, actor, unit, action, object, motif, outcome, request_id, leaf_hash, mac, shown)",
    )
    .bind(columns.seq)
    .bind(columns.at_micros)
    .bind(columns.actor)
    .bind(columns.unit)
    .bind(columns.action)
    .bind(columns.object)
    .bind(columns.motif)
    .bind(columns.outcome)
    .bind(columns.request_id)
    .bind(columns.leaf_hash)
    .bind(columns.mac)
    .bind(columns.shown)
    .execute(&mut *conn)
    .await
    .map_err(classify)?;
    Ok(seqs)
}

/// The journal rows to insert, column by column (bound as arrays and UNNESTed).
struct JournalColumns {
    seq: Vec<i64>,
    at_micros: Vec<i64>,
    actor: Vec<String>,
    unit: Vec<String>,
    action: Vec<&'static str>,
    object: Vec<String>,
    motif: Vec<String>,
    outcome: Vec<&'static str>,
    request_id: Vec<String>,
    leaf_hash: Vec<Vec<u8>>,
    mac: Vec<Vec<u8>>,
    shown: Vec<Option<String>>,
}

impl JournalColumns {
    fn with_capacity(capacity: usize) -> Self {
        Self {
            seq: Vec::with_capacity(capacity),
            at_micros: Vec::with_capacity(capacity),
            actor: Vec::with_capacity(capacity),
            unit: Vec::with_capacity(capacity),
            action: Vec::with_capacity(capacity),
            object: Vec::with_capacity(capacity),
            motif: Vec::with_capacity(capacity),
            outcome: Vec::with_capacity(capacity),
            request_id: Vec::with_capacity(capacity),
            leaf_hash: Vec::with_capacity(capacity),
            mac: Vec::with_capacity(capacity),
            shown: Vec::with_capacity(capacity),
        }
    }
}

/// Applies one mutation.
async fn apply(conn: &mut PgConnection, mutation: &Mutation) -> Result<(), Failure> {
    match mutation {
        Mutation::PutUnit(unit) => {
            sqlx::query(
                "INSERT INTO units (id, code, name, kind, territory, parent) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (id) DO UPDATE SET code = EXCLUDED.code, name = EXCLUDED.name, kind = EXCLUDED.kind,
                     territory = EXCLUDED.territory, parent = EXCLUDED.parent",
            )
            .bind(unit.id.0)
            .bind(&unit.code)
            .bind(&unit.name)
            .bind(unit.kind.as_str())
            .bind(unit.territory.to_storage())
            .bind(unit.parent.map(|parent| parent.0))
            .execute(&mut *conn)
            .await
            .map_err(classify)
            .map_err(about(format_args!("unit {} ({})", unit.code, unit.id)))?;
        }
        Mutation::PutAccount(record) => {
            let account = &record.account;
            sqlx::query(
                "INSERT INTO accounts (id, username, display_name, role, unit, disabled, password_hash)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (id) DO UPDATE SET username = EXCLUDED.username, display_name = EXCLUDED.display_name,
                     role = EXCLUDED.role, unit = EXCLUDED.unit, disabled = EXCLUDED.disabled,
                     password_hash = EXCLUDED.password_hash",
            )
            .bind(account.id.0)
            .bind(&account.username)
            .bind(&account.display_name)
            .bind(account.role.as_str())
            .bind(account.unit.0)
            .bind(account.disabled)
            .bind(&record.password_hash)
            .execute(&mut *conn)
            .await
            .map_err(classify)
            .map_err(about(format_args!("account {:?} ({})", account.username, account.id)))?;
        }
        Mutation::InsertEntity(entity) => {
            let columns = EntityColumns::of(entity)?;
            bind_entity(sqlx::query(
                "INSERT INTO entities (id, schema, properties, owner_unit, departement, regime, recorded_by,
                     provenance_unit, provenance_source, recorded_at, version, search_key, changed)
                 VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7, $8, $9, $10, $11, $12, nextval('entity_changes'))",
            ), entity, columns)
            .execute(&mut *conn)
            .await
            .map_err(classify)
            .map_err(about(format_args!("entity {}", entity.id)))?;
        }
        Mutation::UpdateEntity {
            entity,
            expected_version,
        } => {
            if Some(entity.version) != expected_version.checked_add(1) {
                return Err(Failure::Request(StoreError::Internal(format!(
                    "update of entity {}: the new version must be {expected_version} + 1, got {}",
                    entity.id, entity.version
                ))));
            }
            let columns = EntityColumns::of(entity)?;
            let updated = bind_entity(sqlx::query(
                "UPDATE entities SET schema = $2, properties = $3::jsonb, owner_unit = $4, departement = $5,
                     regime = $6, recorded_by = $7, provenance_unit = $8, provenance_source = $9, recorded_at = $10,
                     version = $11, search_key = $12, changed = nextval('entity_changes')
                 WHERE id = $1 AND version = $13",
            ), entity, columns)
            .bind(expected_version)
            .execute(&mut *conn)
            .await
            .map_err(classify)
            .map_err(about(format_args!("entity {}", entity.id)))?;
            if updated.rows_affected() == 0 {
                let stored: Option<i64> =
                    sqlx::query_scalar("SELECT version FROM entities WHERE id = $1")
                        .bind(entity.id.0)
                        .fetch_optional(&mut *conn)
                        .await
                        .map_err(classify)?;
                return Err(Failure::Request(StoreError::Conflict(match stored {
                    Some(version) => format!(
                        "entity {} was changed meanwhile: its version is {version}, the update expected {expected_version}",
                        entity.id
                    ),
                    None => format!("entity {} does not exist: nothing to update", entity.id),
                })));
            }
        }
        Mutation::InsertLink(link) => insert_link(conn, link).await?,
        Mutation::PutSession(session) => {
            sqlx::query(
                "INSERT INTO sessions (token_hash, account, unit, created_at_micros, expires_at_micros)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (token_hash) DO UPDATE SET account = EXCLUDED.account, unit = EXCLUDED.unit,
                     created_at_micros = EXCLUDED.created_at_micros, expires_at_micros = EXCLUDED.expires_at_micros",
            )
            .bind(&session.token_hash)
            .bind(session.account.0)
            .bind(session.unit.0)
            .bind(session.created_at_micros)
            .bind(session.expires_at_micros)
            .execute(&mut *conn)
            .await
            .map_err(classify)
            .map_err(about(format_args!("session of account {}", session.account)))?;
        }
        Mutation::DeleteSession { token_hash } => {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(token_hash)
                .execute(&mut *conn)
                .await
                .map_err(classify)?;
        }
        Mutation::DeleteSessionsOf { account } => {
            sqlx::query("DELETE FROM sessions WHERE account = $1")
                .bind(account.0)
                .execute(&mut *conn)
                .await
                .map_err(classify)?;
        }
        Mutation::PutTargets(writes) => {
            let mut ids = std::collections::HashSet::new();
            if !writes.iter().all(|write| ids.insert(write.target.id)) {
                return Err(Failure::Request(StoreError::Conflict(
                    "the same target appears twice in one registration".to_owned(),
                )));
            }
            if !crate::targets::put_targets(conn, writes)
                .await
                .map_err(classify)?
            {
                return Err(Failure::Request(StoreError::Conflict(
                    "a target of this registration belongs to another unit".to_owned(),
                )));
            }
        }
        Mutation::DeleteTarget { id } => crate::targets::delete_target(conn, *id)
            .await
            .map_err(classify)?,
        Mutation::PutRecord(record) => crate::targets::put_record(conn, record)
            .await
            .map_err(classify)?,
        Mutation::PutRecordIf { record, read } => {
            if !crate::targets::put_record_if(conn, record, read.as_deref())
                .await
                .map_err(classify)?
            {
                return Err(Failure::Request(StoreError::Conflict(
                    vigie_store::changed_meanwhile(record, read.as_deref()),
                )));
            }
        }
        Mutation::DeleteRecord { kind, id } => crate::targets::delete_record(conn, kind, id)
            .await
            .map_err(classify)?,
        Mutation::PutIntelItem(record) => crate::intel::put_intel_item(conn, record)
            .await
            .map_err(classify)?,
    }
    Ok(())
}

async fn insert_link(conn: &mut PgConnection, link: &Link) -> Result<(), Failure> {
    let recorded_at = instant_to_sql(link.provenance.recorded_at).map_err(Failure::Request)?;
    sqlx::query(
        "INSERT INTO links (id, kind, source, target, start_date, end_date, owner_unit, departement, regime,
             recorded_by, provenance_unit, provenance_source, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(link.id.0)
    .bind(link.kind.as_str())
    .bind(link.source.0)
    .bind(link.target.0)
    .bind(link.start)
    .bind(link.end)
    .bind(link.owner_unit.0)
    .bind(&link.departement)
    .bind(link.regime.as_str())
    .bind(link.provenance.recorded_by.0)
    .bind(link.provenance.unit.0)
    .bind(&link.provenance.source)
    .bind(recorded_at)
    .execute(&mut *conn)
    .await
    .map_err(classify)
    .map_err(about(format_args!("link {} ({} -> {})", link.id, link.source, link.target)))?;
    Ok(())
}

/// The entity columns computed on the Rust side.
/// Binds $1 to $12 of an entity row, in the column order both the insert and the update use.
fn bind_entity<'q>(
    query: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    entity: &'q Entity,
    columns: EntityColumns,
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    query
        .bind(entity.id.0)
        .bind(entity.schema.as_str())
        .bind(columns.properties)
        .bind(entity.owner_unit.0)
        .bind(&entity.departement)
        .bind(entity.regime.as_str())
        .bind(entity.provenance.recorded_by.0)
        .bind(entity.provenance.unit.0)
        .bind(&entity.provenance.source)
        .bind(columns.recorded_at)
        .bind(entity.version)
        .bind(columns.search_key)
}

struct EntityColumns {
    properties: String,
    recorded_at: String,
    search_key: String,
}

impl EntityColumns {
    fn of(entity: &Entity) -> Result<Self, Failure> {
        Ok(Self {
            properties: properties_to_sql(&entity.properties).map_err(Failure::Request)?,
            recorded_at: instant_to_sql(entity.provenance.recorded_at).map_err(Failure::Request)?,
            search_key: entity.search_key(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_characters_are_refused_before_any_sql() {
        let draft = JournalDraft {
            at_micros: 1,
            actor: "system".to_owned(),
            unit: String::new(),
            action: vigie_core::journal::JournalAction::Consult,
            object: "entity:x".to_owned(),
            motif: "a\0b".to_owned(),
            outcome: vigie_core::journal::Outcome::Allow,
            request_id: "r".to_owned(),
            shown: Vec::new(),
        };
        let batch = WriteBatch {
            mutations: Vec::new(),
            journal: vec![draft],
        };
        assert!(matches!(precheck(&batch), Some(StoreError::Internal(_))));
        assert!(precheck(&WriteBatch::default()).is_none());
        assert!(matches!(
            classify(sqlx::Error::PoolTimedOut),
            Failure::Group(StoreError::Unavailable(_))
        ));
    }
}
