//! Intelligence items in PostgreSQL: the writer's mutation and the reads behind `Store::intel_item`
//! and `Store::intel_items`. The item's body is opaque here; this module does not decide who may
//! read it.

use crate::codec::Sql;
use crate::error::corrupt_value;
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Row};
use uuid::Uuid;
use vigie_core::entity::{EntityId, LegalRegime};
use vigie_core::org::UnitId;
use vigie_intel::ItemId;
use vigie_store::{IntelQuery, IntelRecord, StoreResult};

pub(crate) const INTEL_COLUMNS: &str = "i.id, i.owner_unit, i.departement, i.regime, \
     i.recorded_at_micros, i.sanitised_from, i.entities, i.changed, i.body";

fn get<'r, T>(row: &'r PgRow, index: usize) -> StoreResult<T>
where
    T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    row.try_get(index).sql()
}

pub(crate) fn intel(row: &PgRow) -> StoreResult<IntelRecord> {
    let regime: String = get(row, 3)?;
    let entities: Vec<Uuid> = get(row, 6)?;
    Ok(IntelRecord {
        id: ItemId(get(row, 0)?),
        owner_unit: UnitId(get(row, 1)?),
        departement: get(row, 2)?,
        regime: LegalRegime::parse(&regime)
            .ok_or_else(|| corrupt_value("intel_items", "regime", &regime))?,
        recorded_at_micros: get(row, 4)?,
        sanitised_from: get::<Option<Uuid>>(row, 5)?.map(ItemId),
        entities: entities.into_iter().map(EntityId).collect(),
        changed: get(row, 7)?,
        body: get(row, 8)?,
    })
}

pub(crate) async fn put_intel_item(
    conn: &mut PgConnection,
    record: &IntelRecord,
) -> Result<(), sqlx::Error> {
    let entities: Vec<Uuid> = record.entities.iter().map(|entity| entity.0).collect();
    // The item's previous entity rows, found by key from the entities it listed: the table's key
    // starts with the entity, so a delete by item alone would read the whole table.
    sqlx::query(
        "DELETE FROM intel_item_entities e USING intel_items i
         WHERE i.id = $1 AND e.item = $1 AND e.entity = ANY (i.entities)",
    )
    .bind(record.id.0)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO intel_items (id, owner_unit, departement, regime, recorded_at_micros,
             sanitised_from, entities, changed, body)
         VALUES ($1, $2, $3, $4, $5, $6, $7, nextval('intel_changes'), $8)
         ON CONFLICT (id) DO UPDATE SET owner_unit = EXCLUDED.owner_unit,
             departement = EXCLUDED.departement, regime = EXCLUDED.regime,
             sanitised_from = EXCLUDED.sanitised_from, entities = EXCLUDED.entities,
             changed = EXCLUDED.changed, body = EXCLUDED.body",
    )
    .bind(record.id.0)
    .bind(record.owner_unit.0)
    .bind(&record.departement)
    .bind(record.regime.as_str())
    .bind(record.recorded_at_micros)
    .bind(record.sanitised_from.map(|from| from.0))
    .bind(&entities)
    .bind(&record.body)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO intel_item_entities (entity, item)
         SELECT DISTINCT e, $2 FROM UNNEST($1::uuid[]) AS e",
    )
    .bind(&entities)
    .bind(record.id.0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(crate) async fn intel_item(pool: &PgPool, id: ItemId) -> StoreResult<Option<IntelRecord>> {
    let row = sqlx::query(&format!(
        "SELECT {INTEL_COLUMNS} FROM intel_items i WHERE i.id = $1"
    ))
    .bind(id.0)
    .fetch_optional(pool)
    .await
    .sql()?;
    row.as_ref().map(intel).transpose()
}

pub(crate) async fn intel_items(
    pool: &PgPool,
    query: &IntelQuery,
) -> StoreResult<Vec<IntelRecord>> {
    let rows = sqlx::query(&format!(
        "SELECT {INTEL_COLUMNS} FROM intel_items i
         WHERE ($1::uuid IS NULL OR i.id IN (SELECT item FROM intel_item_entities WHERE entity = $1))
           AND ($2::uuid IS NULL OR i.sanitised_from = $2)
           AND ($3::bigint IS NULL OR i.changed > $3)
         ORDER BY i.changed LIMIT $4"
    ))
    .bind(query.about.map(|entity| entity.0))
    .bind(query.copies_of.map(|item| item.0))
    .bind(query.changed_after)
    .bind(i64::from(query.limit))
    .fetch_all(pool)
    .await
    .sql()?;
    rows.iter().map(intel).collect()
}
