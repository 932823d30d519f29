//! The target file and workflow records in PostgreSQL: the writer's mutations and the reads behind
//! the `Store` methods of the same names. Bulk registrations go in with `UNNEST` statements of a
//! few tens of thousands of rows, so that 100,000 targets are a few dozen round trips. This module
//! does not decide who may see a conflict (the engine does).

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

/// Inserts or updates the targets and adds their keys: two statements whatever the number. Returns
/// false, having written nothing that will be kept, if a target id belongs to another unit (the
/// caller refuses the request, which rolls back to its savepoint).
pub(crate) async fn put_targets(
    conn: &mut PgConnection,
    writes: &[TargetWrite],
) -> Result<bool, sqlx::Error> {
    for chunk in writes.chunks(TARGETS_PER_STATEMENT) {
        if !insert_targets(conn, chunk).await? {
            return Ok(false);
        }
    }
    let mut keys: Vec<(&KeyRow, &TargetRecord)> = writes
        .iter()
        .flat_map(|write| write.keys.iter().map(move |key| (key, &write.target)))
        .collect();
    // In digest order, each statement fills neighbouring index pages instead of random ones.
    keys.sort_unstable_by_key(|(key, _)| key.digest);
    for chunk in keys.chunks(KEYS_PER_STATEMENT) {
        insert_keys(conn, chunk).await?;
    }
    Ok(true)
}

/// Rows per `UNNEST` statement in a bulk registration: each statement must finish well within the
/// connection's statement timeout, whatever the size of the bulk (100,000 targets carry about
/// 1,900,000 keys, which in one statement passed the 5 s timeout).
const TARGETS_PER_STATEMENT: usize = 20_000;
const KEYS_PER_STATEMENT: usize = 50_000;

/// Inserts or renews targets; false if one of them belongs to another unit.
async fn insert_targets(
    conn: &mut PgConnection,
    writes: &[TargetWrite],
) -> Result<bool, sqlx::Error> {
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
    let changed = sqlx::query(
        "INSERT INTO targets (id, unit, registered_at_micros, expires_at_micros, body)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::int8[], $4::int8[], $5::text[])
         ON CONFLICT (id) DO UPDATE SET expires_at_micros = EXCLUDED.expires_at_micros, body = EXCLUDED.body
         WHERE targets.unit = EXCLUDED.unit",
    )
    .bind(&ids)
    .bind(&units)
    .bind(&registered)
    .bind(&expires)
    .bind(&bodies)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(changed == writes.len() as u64)
}

/// Inserts deconfliction keys, each with the target it belongs to; a key already there is kept.
async fn insert_keys(
    conn: &mut PgConnection,
    keys: &[(&KeyRow, &TargetRecord)],
) -> Result<(), sqlx::Error> {
    let mut digests: Vec<&[u8]> = Vec::with_capacity(keys.len());
    let mut targets = Vec::with_capacity(keys.len());
    let mut units = Vec::with_capacity(keys.len());
    let mut kinds = Vec::with_capacity(keys.len());
    let mut exact = Vec::with_capacity(keys.len());
    let mut added = Vec::with_capacity(keys.len());
    for (key, target) in keys {
        digests.push(&key.digest);
        targets.push(target.id.0);
        units.push(target.unit.0);
        kinds.push(key.kind.as_str());
        exact.push(key.exact);
        added.push(key.added_at_micros);
    }
    sqlx::query(
        "INSERT INTO target_keys (digest, target, unit, kind, exact, added_at_micros)
         SELECT * FROM UNNEST($1::bytea[], $2::uuid[], $3::uuid[], $4::text[], $5::bool[], $6::int8[])
         ON CONFLICT DO NOTHING",
    )
    .bind(&digests)
    .bind(&targets)
    .bind(&units)
    .bind(&kinds)
    .bind(&exact)
    .bind(&added)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(crate) async fn delete_target(
    conn: &mut PgConnection,
    id: TargetId,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM workflow_records WHERE target_a = $1 OR target_b = $1")
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM target_keys WHERE target = $1")
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM targets WHERE id = $1")
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
         FROM target_keys k JOIN targets t ON t.id = k.target
         WHERE k.digest = ANY($1::bytea[]) AND t.expires_at_micros > $2"
    ))
    .bind(&digests)
    .bind(live_at)
    .fetch_all(pool)
    .await
    .map_err(map)?;
    rows.iter().map(key_hit).collect()
}

pub(crate) async fn shared_digests(
    pool: &PgPool,
    unit: UnitId,
    digests: &[[u8; 16]],
    live_at: i64,
) -> StoreResult<Vec<[u8; 16]>> {
    let digests: Vec<Vec<u8>> = digests.iter().map(|digest| digest.to_vec()).collect();
    let rows = sqlx::query(
        "SELECT DISTINCT k.digest FROM target_keys k JOIN targets t ON t.id = k.target
         WHERE k.digest = ANY($1::bytea[]) AND k.unit <> $2 AND t.expires_at_micros > $3",
    )
    .bind(&digests)
    .bind(unit.0)
    .bind(live_at)
    .fetch_all(pool)
    .await
    .map_err(map)?;
    rows.iter()
        .map(|row| {
            let bytes: Vec<u8> = row.try_get(0).map_err(map)?;
            bytes.as_slice().try_into().map_err(|_| {
                vigie_store::StoreError::Corrupt(format!(
                    "target_keys.digest has {} bytes instead of 16",
                    bytes.len()
                ))
            })
        })
        .collect()
}

pub(crate) const CONFLICTS_SQL: &str =
    "SELECT a.target, a.digest, a.kind, a.exact, a.added_at_micros,
        b.digest, b.kind, b.exact, b.added_at_micros,
        t.id, t.unit, t.registered_at_micros, t.expires_at_micros, t.ord, t.body
     FROM target_keys a
     JOIN targets o ON o.id = a.target
     JOIN target_keys b ON b.digest = a.digest AND b.unit <> a.unit
     JOIN targets t ON t.id = b.target
     WHERE a.unit = $1 AND o.expires_at_micros > $2 AND t.expires_at_micros > $2
     ORDER BY t.ord, a.target";

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
