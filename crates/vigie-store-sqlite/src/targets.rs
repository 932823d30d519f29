//! The target file and workflow records in SQLite: the writer's mutations (`put_targets`,
//! `delete_target`, `put_record`, `delete_record`) and the reads behind the `Store` methods of the
//! same names. Deconfliction is key equality on the `target_keys` digests; this module does not
//! decide who may see a conflict (the engine does).

use crate::codec::{id_text, Sql};
use crate::error::corrupt_value;
use rusqlite::{params, Connection, OptionalExtension, Row};
use uuid::Uuid;
use vigie_core::org::UnitId;
use vigie_store::{
    ConflictRow, KeyHit, KeyRow, RecordQuery, StoreResult, TargetRecord, TargetWrite,
    WorkflowRecord,
};
use vigie_targets::TargetId;

pub(crate) const TARGET_COLUMNS: &str =
    "t.id, t.unit, t.registered_at_micros, t.expires_at_micros, t.ord, t.body";
const RECORD_COLUMNS: &str = "kind, id, target_a, target_b, starts_micros, ends_micros, body, area";

fn uuid_at(row: &Row<'_>, index: usize, table: &str, column: &str) -> StoreResult<Uuid> {
    let text: String = row.get(index).sql()?;
    Uuid::parse_str(&text).map_err(|_| corrupt_value(table, column, &text))
}

fn optional_target(row: &Row<'_>, index: usize, column: &str) -> StoreResult<Option<TargetId>> {
    let text: Option<String> = row.get(index).sql()?;
    text.map(|text| {
        Uuid::parse_str(&text)
            .map(TargetId)
            .map_err(|_| corrupt_value("workflow_records", column, &text))
    })
    .transpose()
}

/// Decodes [`TARGET_COLUMNS`] starting at column `at`.
fn target_at(row: &Row<'_>, at: usize) -> StoreResult<TargetRecord> {
    Ok(TargetRecord {
        id: TargetId(uuid_at(row, at, "targets", "id")?),
        unit: UnitId(uuid_at(row, at + 1, "targets", "unit")?),
        registered_at_micros: row.get(at + 2).sql()?,
        expires_at_micros: row.get(at + 3).sql()?,
        order: row.get(at + 4).sql()?,
        body: row.get(at + 5).sql()?,
    })
}

pub(crate) fn target(row: &Row<'_>) -> StoreResult<TargetRecord> {
    target_at(row, 0)
}

/// Decodes (digest, kind, exact, added_at) starting at column `at`.
fn key_at(row: &Row<'_>, at: usize) -> StoreResult<([u8; 16], KeyRow)> {
    let bytes: Vec<u8> = row.get(at).sql()?;
    let digest: [u8; 16] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| corrupt_value("target_keys", "digest", &hex::encode(&bytes)))?;
    Ok((
        digest,
        KeyRow {
            digest,
            kind: row.get(at + 1).sql()?,
            exact: row.get::<_, i64>(at + 2).sql()? != 0,
            added_at_micros: row.get(at + 3).sql()?,
        },
    ))
}

pub(crate) fn key_hit(row: &Row<'_>) -> StoreResult<KeyHit> {
    let (digest, key) = key_at(row, 0)?;
    Ok(KeyHit {
        digest,
        key,
        target: target_at(row, 4)?,
    })
}

pub(crate) fn conflict(row: &Row<'_>) -> StoreResult<ConflictRow> {
    let own_target = TargetId(uuid_at(row, 0, "targets", "id")?);
    let (_, own_key) = key_at(row, 1)?;
    let (_, other_key) = key_at(row, 5)?;
    Ok(ConflictRow {
        own_target,
        own_key,
        other_key,
        other: target_at(row, 9)?,
    })
}

pub(crate) fn record(row: &Row<'_>) -> StoreResult<WorkflowRecord> {
    Ok(WorkflowRecord {
        kind: row.get(0).sql()?,
        id: row.get(1).sql()?,
        target_a: optional_target(row, 2, "target_a")?,
        target_b: optional_target(row, 3, "target_b")?,
        starts_micros: row.get(4).sql()?,
        ends_micros: row.get(5).sql()?,
        body: row.get(6).sql()?,
        area: row.get(7).sql()?,
    })
}

pub(crate) fn put_targets(conn: &Connection, writes: &[TargetWrite]) -> StoreResult<()> {
    let mut ids = std::collections::HashSet::new();
    if !writes.iter().all(|write| ids.insert(write.target.id)) {
        return Err(vigie_store::StoreError::Conflict(
            "the same target appears twice in one registration".to_owned(),
        ));
    }
    let first_ord: i64 = conn
        .query_row("SELECT COALESCE(MAX(ord), 0) + 1 FROM targets", [], |row| {
            row.get(0)
        })
        .sql()?;
    // The order of a target already stored is kept (a renewal or added identifiers): RETURNING
    // gives the order the row has after the upsert.
    let mut upsert = conn
        .prepare_cached(
            "INSERT INTO targets (id, ord, unit, registered_at_micros, expires_at_micros, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (id) DO UPDATE SET expires_at_micros = excluded.expires_at_micros, body = excluded.body
             WHERE targets.unit = excluded.unit
             RETURNING ord",
        )
        .sql()?;
    let mut insert_key = conn
        .prepare_cached(
            "INSERT INTO target_keys (digest, ord, kind, exact, added_at_micros)
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
        )
        .sql()?;
    // Targets first, then every key in digest order: the keys' B-tree fills front to back.
    let mut keys: Vec<(&KeyRow, i64)> = Vec::new();
    for (next_ord, write) in (first_ord..).zip(writes) {
        let target = &write.target;
        let stored_ord: Option<i64> = upsert
            .query_row(
                params![
                    id_text(target.id.0),
                    next_ord,
                    id_text(target.unit.0),
                    target.registered_at_micros,
                    target.expires_at_micros,
                    target.body
                ],
                |row| row.get(0),
            )
            .optional()
            .sql()?;
        let Some(ord) = stored_ord else {
            return Err(vigie_store::StoreError::Conflict(
                "a target of this registration belongs to another unit".to_owned(),
            ));
        };
        for key in &write.keys {
            keys.push((key, ord));
        }
    }
    keys.sort_unstable_by_key(|key| (key.0.digest, key.1));
    for (key, ord) in keys {
        insert_key
            .execute(params![
                key.digest.as_slice(),
                ord,
                key.kind,
                i64::from(key.exact),
                key.added_at_micros
            ])
            .sql()?;
    }
    Ok(())
}

pub(crate) fn delete_target(conn: &Connection, id: TargetId) -> StoreResult<()> {
    let id = id_text(id.0);
    conn.prepare_cached("DELETE FROM workflow_records WHERE target_a = ?1 OR target_b = ?1")
        .and_then(|mut statement| statement.execute(params![id]))
        .sql()?;
    conn.prepare_cached(
        "DELETE FROM target_keys WHERE ord = (SELECT ord FROM targets WHERE id = ?1)",
    )
    .and_then(|mut statement| statement.execute(params![id]))
    .sql()?;
    conn.prepare_cached("DELETE FROM targets WHERE id = ?1")
        .and_then(|mut statement| statement.execute(params![id]))
        .sql()?;
    Ok(())
}

pub(crate) fn put_record(conn: &Connection, record: &WorkflowRecord) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO workflow_records (kind, id, target_a, target_b, starts_micros, ends_micros, body, area)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (kind, id) DO UPDATE SET target_a = excluded.target_a, target_b = excluded.target_b,
             starts_micros = excluded.starts_micros, ends_micros = excluded.ends_micros, body = excluded.body,
             area = excluded.area",
    )
    .and_then(|mut statement| {
        statement.execute(params![
            record.kind,
            record.id,
            record.target_a.map(|id| id_text(id.0)),
            record.target_b.map(|id| id_text(id.0)),
            record.starts_micros,
            record.ends_micros,
            record.body,
            record.area
        ])
    })
    .sql()?;
    Ok(())
}

/// See `Mutation::PutRecordIf`.
pub(crate) fn put_record_if(
    conn: &Connection,
    record: &WorkflowRecord,
    read: Option<&str>,
) -> StoreResult<()> {
    let target_a = record.target_a.map(|id| id_text(id.0));
    let target_b = record.target_b.map(|id| id_text(id.0));
    let written = match read {
        None => conn
            .prepare_cached(
                "INSERT INTO workflow_records (kind, id, target_a, target_b, starts_micros, ends_micros, body, area)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (kind, id) DO NOTHING",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    record.kind,
                    record.id,
                    target_a,
                    target_b,
                    record.starts_micros,
                    record.ends_micros,
                    record.body,
                    record.area
                ])
            }),
        Some(body) => conn
            .prepare_cached(
                "UPDATE workflow_records SET target_a = ?3, target_b = ?4, starts_micros = ?5, ends_micros = ?6,
                     body = ?7, area = ?9
                 WHERE kind = ?1 AND id = ?2 AND body = ?8",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    record.kind,
                    record.id,
                    target_a,
                    target_b,
                    record.starts_micros,
                    record.ends_micros,
                    record.body,
                    body,
                    record.area
                ])
            }),
    }
    .sql()?;
    if written == 1 {
        Ok(())
    } else {
        Err(vigie_store::StoreError::Conflict(
            vigie_store::changed_meanwhile(record, read),
        ))
    }
}

pub(crate) fn delete_record(conn: &Connection, kind: &str, id: &str) -> StoreResult<()> {
    conn.prepare_cached("DELETE FROM workflow_records WHERE kind = ?1 AND id = ?2")
        .and_then(|mut statement| statement.execute(params![kind, id]))
        .sql()?;
    Ok(())
}

pub(crate) fn key_hits(
    conn: &Connection,
    digests: &[[u8; 16]],
    live_at: i64,
) -> StoreResult<Vec<KeyHit>> {
    let mut statement = conn
        .prepare_cached(&format!(
            "SELECT k.digest, k.kind, k.exact, k.added_at_micros, {TARGET_COLUMNS}
             FROM target_keys k JOIN targets t ON t.ord = k.ord
             WHERE k.digest = ?1 AND t.expires_at_micros > ?2"
        ))
        .sql()?;
    let mut out = Vec::new();
    for digest in digests {
        let mut rows = statement.query(params![digest.as_slice(), live_at]).sql()?;
        while let Some(row) = rows.next().sql()? {
            out.push(key_hit(row)?);
        }
    }
    Ok(out)
}

pub(crate) fn shared_digests(
    conn: &Connection,
    unit: UnitId,
    digests: &[[u8; 16]],
    live_at: i64,
) -> StoreResult<Vec<[u8; 16]>> {
    // `targets_ord_live` covers the join: no target row (nor its body) is read.
    let mut statement = conn
        .prepare_cached(
            "SELECT 1 FROM target_keys k JOIN targets t ON t.ord = k.ord
             WHERE k.digest = ?1 AND t.unit <> ?2 AND t.expires_at_micros > ?3 LIMIT 1",
        )
        .sql()?;
    let unit = id_text(unit.0);
    let mut out = Vec::new();
    let mut asked = std::collections::HashSet::new();
    for digest in digests {
        if asked.insert(*digest)
            && statement
                .exists(params![digest.as_slice(), unit, live_at])
                .sql()?
        {
            out.push(*digest);
        }
    }
    Ok(out)
}

pub(crate) const CONFLICTS_SQL: &str = "SELECT o.id, a.digest, a.kind, a.exact, a.added_at_micros,
        b.digest, b.kind, b.exact, b.added_at_micros,
        t.id, t.unit, t.registered_at_micros, t.expires_at_micros, t.ord, t.body
     FROM targets o
     JOIN target_keys a ON a.ord = o.ord
     JOIN target_keys b ON b.digest = a.digest AND b.ord <> a.ord
     JOIN targets t ON t.ord = b.ord AND t.unit <> o.unit
     WHERE o.unit = ?1 AND o.expires_at_micros > ?2 AND t.expires_at_micros > ?2
     ORDER BY t.ord, o.id";

pub(crate) fn records(conn: &Connection, query: &RecordQuery) -> StoreResult<Vec<WorkflowRecord>> {
    let targets = query.targets.as_ref().map(|targets| {
        serde_json::Value::Array(
            targets
                .iter()
                .map(|id| serde_json::Value::from(id_text(id.0)))
                .collect(),
        )
        .to_string()
    });
    let (from, to) = query.window.unwrap_or((i64::MIN, i64::MAX));
    let mut statement = conn
        .prepare_cached(&format!(
            "SELECT {RECORD_COLUMNS} FROM workflow_records
             WHERE kind = ?1
               AND (?2 IS NULL OR target_a IN (SELECT value FROM json_each(?2)) OR target_b IN (SELECT value FROM json_each(?2)))
               AND starts_micros < ?4 AND ends_micros > ?3
               AND (?5 IS NULL OR area = ?5)
             ORDER BY starts_micros, id"
        ))
        .sql()?;
    let mut rows = statement
        .query(params![query.kind, targets, from, to, query.area])
        .sql()?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().sql()? {
        out.push(record(row)?);
    }
    Ok(out)
}

pub(crate) fn record_columns() -> &'static str {
    RECORD_COLUMNS
}
