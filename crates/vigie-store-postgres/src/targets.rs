//! The target file and workflow records in PostgreSQL: the writer's mutations and the reads behind
//! the `Store` methods of the same names. Keys name their target by its `ord` and carry its unit
//! (schema 5, `0005_compact_keys.sql`), with no foreign key: this module keeps every key's target
//! in place itself (see [`put_targets`] and [`delete_target`]). Bulk registrations go in with
//! `UNNEST` upserts for the targets and binary `COPY`s for the keys, tens of thousands of rows each.
//! This module does not decide who may see a conflict (the engine does).

use crate::codec::Sql;
use crate::error::{corrupt_value, map};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Row};
use uuid::Uuid;
use vigie_core::org::UnitId;
use vigie_store::{
    ConflictRow, KeyHit, KeyRow, RecordQuery, StoreResult, TargetRecord, TargetWrite,
    WorkflowRecord,
};
use vigie_targets::TargetId;

pub(crate) const TARGET_COLUMNS: &str =
    "t.id, t.unit, t.registered_at_micros, t.expires_at_micros, t.ord, t.body";
pub(crate) const RECORD_COLUMNS: &str =
    "kind, id, target_a, target_b, starts_micros, ends_micros, body, area";

fn get<'r, T>(row: &'r PgRow, index: usize) -> StoreResult<T>
where
    T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    row.try_get(index).sql()
}

fn target_at(row: &PgRow, at: usize) -> StoreResult<TargetRecord> {
    Ok(TargetRecord {
        id: TargetId(get(row, at)?),
        unit: UnitId(get(row, at + 1)?),
        registered_at_micros: get(row, at + 2)?,
        expires_at_micros: get(row, at + 3)?,
        order: get(row, at + 4)?,
        body: get(row, at + 5)?,
    })
}

pub(crate) fn target(row: &PgRow) -> StoreResult<TargetRecord> {
    target_at(row, 0)
}

fn key_at(row: &PgRow, at: usize) -> StoreResult<KeyRow> {
    let bytes: Vec<u8> = get(row, at)?;
    let length = bytes.len();
    let digest: [u8; 16] = bytes
        .try_into()
        .map_err(|_| corrupt_value("target_keys", "digest", &format!("<{length} bytes>")))?;
    Ok(KeyRow {
        digest,
        kind: get(row, at + 1)?,
        exact: get(row, at + 2)?,
        added_at_micros: get(row, at + 3)?,
    })
}

pub(crate) fn key_hit(row: &PgRow) -> StoreResult<KeyHit> {
    let key = key_at(row, 0)?;
    Ok(KeyHit {
        digest: key.digest,
        key,
        target: target_at(row, 4)?,
    })
}

pub(crate) fn conflict(row: &PgRow) -> StoreResult<ConflictRow> {
    Ok(ConflictRow {
        own_target: TargetId(get(row, 0)?),
        own_key: key_at(row, 1)?,
        other_key: key_at(row, 5)?,
        other: target_at(row, 9)?,
    })
}

pub(crate) fn record(row: &PgRow) -> StoreResult<WorkflowRecord> {
    Ok(WorkflowRecord {
        kind: get(row, 0)?,
        id: get(row, 1)?,
        target_a: get::<Option<Uuid>>(row, 2)?.map(TargetId),
        target_b: get::<Option<Uuid>>(row, 3)?.map(TargetId),
        starts_micros: get(row, 4)?,
        ends_micros: get(row, 5)?,
        body: get(row, 6)?,
        area: get(row, 7)?,
    })
}

/// Inserts or updates the targets and adds their keys. Returns false, having written nothing that
/// will be kept, if a target id belongs to another unit (the caller refuses the request, which rolls
/// back to its savepoint).
///
/// The targets go in with `UNNEST` upserts of [`TARGETS_PER_STATEMENT`] rows, which give back each
/// target's `ord`; the keys then go in with binary `COPY`s of [`KEYS_PER_COPY`] rows, in
/// (digest, ord) order so that each COPY fills neighbouring pages of the primary key. A key already
/// there is kept, as before: COPY cannot skip a row, so the (digest, ord) pairs are made unique here
/// and those the targets already hold are left out. Reading those is race-free: this transaction
/// now holds every one of these targets' rows (it has just inserted or updated them), and a target's
/// keys are only written by a transaction holding its row, so nobody else can add one before we
/// commit. For new targets the look-up finds nothing.
pub(crate) async fn put_targets(
    conn: &mut PgConnection,
    writes: &[TargetWrite],
) -> Result<bool, sqlx::Error> {
    let mut ords: Vec<i64> = Vec::with_capacity(writes.len());
    for chunk in writes.chunks(TARGETS_PER_STATEMENT) {
        match upsert_targets(conn, chunk).await? {
            Some(chunk_ords) => ords.extend(chunk_ords),
            None => return Ok(false),
        }
    }
    let mut keys: Vec<([u8; 16], i64, &KeyRow, Uuid)> = writes
        .iter()
        .zip(&ords)
        .flat_map(|(write, ord)| {
            write
                .keys
                .iter()
                .map(move |key| (key.digest, *ord, key, write.target.unit.0))
        })
        .collect();
    // Stable: of two keys with the same digest on one target, the first given is kept.
    keys.sort_by_key(|(digest, ord, _, _)| (*digest, *ord));
    keys.dedup_by_key(|(digest, ord, _, _)| (*digest, *ord));
    let held = held_keys(conn, &ords).await?;
    if !held.is_empty() {
        keys.retain(|(digest, ord, _, _)| !held.contains(&(*digest, *ord)));
    }
    let mut buffer = Vec::new();
    for chunk in keys.chunks(KEYS_PER_COPY) {
        copy_keys(conn, chunk, &mut buffer).await?;
    }
    Ok(true)
}

/// Rows per statement in a bulk registration: each statement must finish well within the
/// connection's statement timeout (5 s), whatever the size of the bulk. 100,000 targets of the
/// benchmark carry about 700,000 distinct keys; as one `UNNEST` statement they passed the timeout.
/// A COPY of [`KEYS_PER_COPY`] keys, or an upsert of [`TARGETS_PER_STATEMENT`] targets, takes a
/// few hundred milliseconds on the benchmark's machine (bench/RESULTS.md).
const TARGETS_PER_STATEMENT: usize = 20_000;
const KEYS_PER_COPY: usize = 50_000;

/// Inserts or renews targets and returns their `ord`s, in the order of `writes`; `None` if one of
/// them belongs to another unit.
async fn upsert_targets(
    conn: &mut PgConnection,
    writes: &[TargetWrite],
) -> Result<Option<Vec<i64>>, sqlx::Error> {
    let mut ids = Vec::with_capacity(writes.len());
    let mut units = Vec::with_capacity(writes.len());
    let mut registered = Vec::with_capacity(writes.len());
    let mut expires = Vec::with_capacity(writes.len());
    let mut bodies = Vec::with_capacity(writes.len());
    for write in writes {
        let target = &write.target;
        ids.push(target.id.0);
        units.push(target.unit.0);
        registered.push(target.registered_at_micros);
        expires.push(target.expires_at_micros);
        bodies.push(target.body.as_str());
    }
    // A target already stored keeps its order (a renewal or added identifiers): RETURNING gives the
    // order the row has after the upsert. Another unit's target is not updated, hence not returned.
    let rows = sqlx::query(
        "INSERT INTO targets (id, unit, registered_at_micros, expires_at_micros, body)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::int8[], $4::int8[], $5::text[])
         ON CONFLICT (id) DO UPDATE SET expires_at_micros = EXCLUDED.expires_at_micros, body = EXCLUDED.body
         WHERE targets.unit = EXCLUDED.unit
         RETURNING id, ord",
    )
    .bind(&ids)
    .bind(&units)
    .bind(&registered)
    .bind(&expires)
    .bind(&bodies)
    .fetch_all(&mut *conn)
    .await?;
    if rows.len() != writes.len() {
        return Ok(None);
    }
    let mut ord_of = std::collections::HashMap::with_capacity(rows.len());
    for row in &rows {
        ord_of.insert(row.try_get::<Uuid, _>(0)?, row.try_get::<i64, _>(1)?);
    }
    Ok(ids.iter().map(|id| ord_of.get(id).copied()).collect())
}

/// The (digest, ord) pairs already stored for these targets. The orders are looked up as runs of
/// consecutive values, each an index range scan: a bulk of new targets is a handful of runs (its
/// orders come from one sequence), found empty at once.
async fn held_keys(
    conn: &mut PgConnection,
    ords: &[i64],
) -> Result<std::collections::HashSet<([u8; 16], i64)>, sqlx::Error> {
    let mut sorted = ords.to_vec();
    sorted.sort_unstable();
    let mut runs: Vec<(i64, i64)> = Vec::new();
    for ord in sorted {
        match runs.last_mut() {
            Some((_, last)) if ord <= last.saturating_add(1) => *last = ord,
            _ => runs.push((ord, ord)),
        }
    }
    let mut held = std::collections::HashSet::new();
    for chunk in runs.chunks(TARGETS_PER_STATEMENT) {
        let (firsts, lasts): (Vec<i64>, Vec<i64>) = chunk.iter().copied().unzip();
        // `OFFSET 0` keeps the lateral subquery apart (see `shared_digests`): one index scan per run.
        let rows = sqlx::query(
            "SELECT k.digest, k.ord FROM UNNEST($1::int8[], $2::int8[]) AS run(first, last)
             CROSS JOIN LATERAL (
                 SELECT digest, ord FROM target_keys WHERE ord BETWEEN run.first AND run.last OFFSET 0
             ) AS k",
        )
        .bind(&firsts)
        .bind(&lasts)
        .fetch_all(&mut *conn)
        .await?;
        for row in &rows {
            held.insert((row.try_get::<[u8; 16], _>(0)?, row.try_get::<i64, _>(1)?));
        }
    }
    Ok(held)
}

/// Writes keys with one `COPY … (FORMAT binary)`; `buffer` is reused from chunk to chunk.
async fn copy_keys(
    conn: &mut PgConnection,
    keys: &[([u8; 16], i64, &KeyRow, Uuid)],
    buffer: &mut Vec<u8>,
) -> Result<(), sqlx::Error> {
    buffer.clear();
    // The binary format: a signature, flags and header-extension length (both 0), then per row the
    // number of fields and each field as a length and its bytes (big-endian numbers), then -1.
    buffer.extend_from_slice(b"PGCOPY\n\xff\r\n\0");
    buffer.extend_from_slice(&0_i32.to_be_bytes());
    buffer.extend_from_slice(&0_i32.to_be_bytes());
    for (digest, ord, key, unit) in keys {
        let kind = key.kind.as_bytes();
        let kind_length = i32::try_from(kind.len()).map_err(|_| {
            sqlx::Error::Encode(format!("a key kind of {} bytes", kind.len()).into())
        })?;
        buffer.extend_from_slice(&6_i16.to_be_bytes());
        buffer.extend_from_slice(&8_i32.to_be_bytes());
        buffer.extend_from_slice(&ord.to_be_bytes());
        buffer.extend_from_slice(&8_i32.to_be_bytes());
        buffer.extend_from_slice(&key.added_at_micros.to_be_bytes());
        buffer.extend_from_slice(&16_i32.to_be_bytes());
        buffer.extend_from_slice(unit.as_bytes());
        buffer.extend_from_slice(&16_i32.to_be_bytes());
        buffer.extend_from_slice(digest);
        buffer.extend_from_slice(&1_i32.to_be_bytes());
        buffer.push(u8::from(key.exact));
        buffer.extend_from_slice(&kind_length.to_be_bytes());
        buffer.extend_from_slice(kind);
    }
    buffer.extend_from_slice(&(-1_i16).to_be_bytes());
    let mut copy = conn
        .copy_in_raw(
            "COPY target_keys (ord, added_at_micros, unit, digest, exact, kind) FROM STDIN (FORMAT binary)",
        )
        .await?;
    copy.send(buffer.as_slice()).await?;
    copy.finish().await?;
    Ok(())
}

/// Erases a target with its keys and the workflow records that name it. The target's row goes
/// first: that waits for any transaction still adding keys to it (it holds the row), and the keys'
/// deletion, a later statement, then sees those keys too.
pub(crate) async fn delete_target(
    conn: &mut PgConnection,
    id: TargetId,
) -> Result<(), sqlx::Error> {
    let ord: Option<i64> = sqlx::query_scalar("DELETE FROM targets WHERE id = $1 RETURNING ord")
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(ord) = ord {
        sqlx::query("DELETE FROM target_keys WHERE ord = $1")
            .bind(ord)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("DELETE FROM workflow_records WHERE target_a = $1 OR target_b = $1")
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(crate) async fn put_record(
    conn: &mut PgConnection,
    record: &WorkflowRecord,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO workflow_records (kind, id, target_a, target_b, starts_micros, ends_micros, body, area)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (kind, id) DO UPDATE SET target_a = EXCLUDED.target_a, target_b = EXCLUDED.target_b,
             starts_micros = EXCLUDED.starts_micros, ends_micros = EXCLUDED.ends_micros, body = EXCLUDED.body,
             area = EXCLUDED.area",
    )
    .bind(&record.kind)
    .bind(&record.id)
    .bind(record.target_a.map(|id| id.0))
    .bind(record.target_b.map(|id| id.0))
    .bind(record.starts_micros)
    .bind(record.ends_micros)
    .bind(&record.body)
    .bind(&record.area)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// See `Mutation::PutRecordIf`; false if the record was not as read (nothing written).
pub(crate) async fn put_record_if(
    conn: &mut PgConnection,
    record: &WorkflowRecord,
    read: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let query = match read {
        None => sqlx::query(
            "INSERT INTO workflow_records (kind, id, target_a, target_b, starts_micros, ends_micros, body, area)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (kind, id) DO NOTHING",
        ),
        Some(_) => sqlx::query(
            "UPDATE workflow_records SET target_a = $3, target_b = $4, starts_micros = $5, ends_micros = $6,
                 body = $7, area = $8
             WHERE kind = $1 AND id = $2 AND body = $9",
        ),
    };
    let mut query = query
        .bind(&record.kind)
        .bind(&record.id)
        .bind(record.target_a.map(|id| id.0))
        .bind(record.target_b.map(|id| id.0))
        .bind(record.starts_micros)
        .bind(record.ends_micros)
        .bind(&record.body)
        .bind(&record.area);
    if let Some(body) = read {
        query = query.bind(body);
    }
    let written = query.execute(&mut *conn).await?.rows_affected();
    Ok(written == 1)
}

pub(crate) async fn delete_record(
    conn: &mut PgConnection,
    kind: &str,
    id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM workflow_records WHERE kind = $1 AND id = $2")
        .bind(kind)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(crate) async fn key_hits(
    pool: &PgPool,
    digests: &[[u8; 16]],
    live_at: i64,
) -> StoreResult<Vec<KeyHit>> {
    let digests: Vec<Vec<u8>> = digests.iter().map(|digest| digest.to_vec()).collect();
    let rows = sqlx::query(&format!(
        "SELECT k.digest, k.kind, k.exact, k.added_at_micros, {TARGET_COLUMNS}
         FROM target_keys k JOIN targets t ON t.ord = k.ord
         WHERE k.digest = ANY($1::bytea[]) AND t.expires_at_micros > $2"
    ))
    .bind(&digests)
    .bind(live_at)
    .fetch_all(pool)
    .await
    .map_err(map)?;
    rows.iter().map(key_hit).collect()
}

/// Each digest is looked up on its own: its keys of other units by the primary key, then each such
/// key's target by its order. Both lookups are lateral subqueries fenced with `OFFSET 0`, so that the
/// planner cannot merge them into one join and start it from the other end. Right after a bulk
/// registration the statistics still describe the file before it; the planner then took every
/// target for another unit's and chose to walk the targets (or the whole key table) for each digest,
/// which passed the statement timeout. The keys carry their unit, so a digest held only by the
/// caller's own targets never reaches the targets table, whose new rows are dear to visit until
/// vacuum has seen them.
pub(crate) async fn shared_digests(
    pool: &PgPool,
    unit: UnitId,
    digests: &[[u8; 16]],
    live_at: i64,
) -> StoreResult<Vec<[u8; 16]>> {
    let mut asked: Vec<[u8; 16]> = digests.to_vec();
    asked.sort_unstable();
    asked.dedup();
    let mut shared = Vec::new();
    // By chunks, like the bulk's writes: after a bulk of 100,000 targets (about 1.9 M digests) one
    // statement could pass the connection's statement timeout on a busy machine.
    for chunk in asked.chunks(DIGESTS_PER_STATEMENT) {
        shared.extend(shared_in(pool, unit, chunk, live_at).await?);
    }
    // A digest held by several of another unit's targets comes once per target.
    shared.sort_unstable();
    shared.dedup();
    Ok(shared)
}

const DIGESTS_PER_STATEMENT: usize = 200_000;

async fn shared_in(
    pool: &PgPool,
    unit: UnitId,
    asked: &[[u8; 16]],
    live_at: i64,
) -> StoreResult<Vec<[u8; 16]>> {
    let rows = sqlx::query(
        "SELECT asked.digest FROM UNNEST($1::bytea[]) AS asked(digest)
         CROSS JOIN LATERAL (
             SELECT ord FROM target_keys WHERE digest = asked.digest AND unit <> $2 OFFSET 0
         ) AS k
         CROSS JOIN LATERAL (
             SELECT 1 FROM targets WHERE ord = k.ord AND unit <> $2 AND expires_at_micros > $3 OFFSET 0
         ) AS t",
    )
    .bind(asked)
    .bind(unit.0)
    .bind(live_at)
    .fetch_all(pool)
    .await
    .map_err(map)?;
    rows.iter()
        .map(|row| row.try_get::<[u8; 16], _>(0).map_err(map))
        .collect()
}

pub(crate) const CONFLICTS_SQL: &str = "SELECT o.id, a.digest, a.kind, a.exact, a.added_at_micros,
        b.digest, b.kind, b.exact, b.added_at_micros,
        t.id, t.unit, t.registered_at_micros, t.expires_at_micros, t.ord, t.body
     FROM targets o
     JOIN target_keys a ON a.ord = o.ord
     JOIN target_keys b ON b.digest = a.digest AND b.ord <> a.ord
     JOIN targets t ON t.ord = b.ord AND t.unit <> o.unit
     WHERE o.unit = $1 AND o.expires_at_micros > $2 AND t.expires_at_micros > $2
     ORDER BY t.ord, o.id";

pub(crate) async fn records(
    pool: &PgPool,
    query: &RecordQuery,
) -> StoreResult<Vec<WorkflowRecord>> {
    let targets: Option<Vec<Uuid>> = query
        .targets
        .as_ref()
        .map(|targets| targets.iter().map(|id| id.0).collect());
    let (from, to) = query.window.unwrap_or((i64::MIN, i64::MAX));
    let rows = sqlx::query(&format!(
        "SELECT {RECORD_COLUMNS} FROM workflow_records
         WHERE kind = $1
           AND ($2::uuid[] IS NULL OR target_a = ANY($2::uuid[]) OR target_b = ANY($2::uuid[]))
           AND starts_micros < $4 AND ends_micros > $3
           AND ($5::text IS NULL OR area = $5)
         ORDER BY starts_micros, id"
    ))
    .bind(&query.kind)
    .bind(targets)
    .bind(from)
    .bind(to)
    .bind(&query.area)
    .fetch_all(pool)
    .await
    .map_err(map)?;
    rows.iter().map(record).collect()
}
