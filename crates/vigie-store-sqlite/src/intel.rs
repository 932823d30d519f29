//! Intelligence items in SQLite: the writer's mutation and the reads behind `Store::intel_item` and
//! `Store::intel_items`. The item's body is opaque here; this module does not decide who may read it.

use crate::codec::{id_text, Sql};
use crate::error::corrupt_value;
use rusqlite::types::ToSql;
use rusqlite::{params, Connection, OptionalExtension, Row};
use uuid::Uuid;
use vigie_core::entity::{EntityId, LegalRegime};
use vigie_core::org::UnitId;
use vigie_intel::ItemId;
use vigie_store::{IntelQuery, IntelRecord, StoreResult};

pub(crate) const INTEL_COLUMNS: &str = "i.id, i.owner_unit, i.departement, i.regime, \
     i.recorded_at_micros, i.sanitised_from, i.entities, i.changed, i.body";

fn uuid_of(text: &str, column: &str) -> StoreResult<Uuid> {
    Uuid::parse_str(text).map_err(|_| corrupt_value("intel_items", column, text))
}

pub(crate) fn intel(row: &Row<'_>) -> StoreResult<IntelRecord> {
    let id: String = row.get(0).sql()?;
    let owner: String = row.get(1).sql()?;
    let regime: String = row.get(3).sql()?;
    let sanitised_from: Option<String> = row.get(5).sql()?;
    let entities: String = row.get(6).sql()?;
    Ok(IntelRecord {
        id: ItemId(uuid_of(&id, "id")?),
        owner_unit: UnitId(uuid_of(&owner, "owner_unit")?),
        departement: row.get(2).sql()?,
        regime: LegalRegime::parse(&regime)
            .ok_or_else(|| corrupt_value("intel_items", "regime", &regime))?,
        recorded_at_micros: row.get(4).sql()?,
        sanitised_from: sanitised_from
            .map(|text| uuid_of(&text, "sanitised_from").map(ItemId))
            .transpose()?,
        entities: entities
            .split_whitespace()
            .map(|text| uuid_of(text, "entities").map(EntityId))
            .collect::<StoreResult<_>>()?,
        changed: row.get(7).sql()?,
        body: row.get(8).sql()?,
    })
}

pub(crate) fn put_intel_item(conn: &Connection, record: &IntelRecord) -> StoreResult<()> {
    let id = id_text(record.id.0);
    let entities: Vec<String> = record.entities.iter().map(|e| id_text(e.0)).collect();
    // The entities of the item being replaced, if any, from its row: removing them by their key is
    // a look-up each, where removing "every row of this item" would scan the whole table.
    let previous: Option<String> = conn
        .prepare_cached("SELECT entities FROM intel_items WHERE id = ?1")
        .and_then(|mut statement| {
            statement
                .query_row(params![id], |row| row.get(0))
                .optional()
        })
        .sql()?;
    conn.prepare_cached(
        "INSERT INTO intel_items (id, owner_unit, departement, regime, recorded_at_micros,
             sanitised_from, entities, changed, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, (SELECT COALESCE(MAX(changed), 0) + 1 FROM intel_items), ?8)
         ON CONFLICT (id) DO UPDATE SET owner_unit = excluded.owner_unit,
             departement = excluded.departement, regime = excluded.regime,
             sanitised_from = excluded.sanitised_from, entities = excluded.entities,
             changed = excluded.changed, body = excluded.body",
    )
    .and_then(|mut statement| {
        statement.execute(params![
            id,
            id_text(record.owner_unit.0),
            record.departement,
            record.regime.as_str(),
            record.recorded_at_micros,
            record.sanitised_from.map(|from| id_text(from.0)),
            entities.join(" "),
            record.body,
        ])
    })
    .sql()?;
    if let Some(previous) = previous {
        let mut delete = conn
            .prepare_cached("DELETE FROM intel_item_entities WHERE entity = ?1 AND item = ?2")
            .sql()?;
        for entity in previous.split_whitespace() {
            delete.execute(params![entity, id]).sql()?;
        }
    }
    let mut insert = conn
        .prepare_cached("INSERT OR IGNORE INTO intel_item_entities (entity, item) VALUES (?1, ?2)")
        .sql()?;
    for entity in &entities {
        insert.execute(params![entity, id]).sql()?;
    }
    Ok(())
}

pub(crate) fn intel_items(conn: &Connection, query: &IntelQuery) -> StoreResult<Vec<IntelRecord>> {
    // One SQL text per combination of filters, so that each uses its index.
    let mut sql = format!("SELECT {INTEL_COLUMNS} FROM intel_items i");
    let mut conditions = Vec::new();
    let mut values: Vec<Box<dyn ToSql>> = Vec::new();
    if let Some(entity) = query.about {
        sql.push_str(" JOIN intel_item_entities e ON e.item = i.id");
        values.push(Box::new(id_text(entity.0)));
        conditions.push(format!("e.entity = ?{}", values.len()));
    }
    if let Some(original) = query.copies_of {
        values.push(Box::new(id_text(original.0)));
        conditions.push(format!("i.sanitised_from = ?{}", values.len()));
    }
    if let Some(after) = query.changed_after {
        values.push(Box::new(after));
        conditions.push(format!("i.changed > ?{}", values.len()));
    }
    if !conditions.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&conditions.join(" AND "));
    }
    values.push(Box::new(i64::from(query.limit)));
    sql.push_str(&format!(" ORDER BY i.changed LIMIT ?{}", values.len()));
    let mut statement = conn.prepare_cached(&sql).sql()?;
    let mut rows = statement
        .query(rusqlite::params_from_iter(values.iter()))
        .sql()?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().sql()? {
        out.push(intel(row)?);
    }
    Ok(out)
}
