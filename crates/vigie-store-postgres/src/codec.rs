//! How Vigie's records map to PostgreSQL columns, both ways (the conventions are written at the top
//! of `migrations/0001_initial.sql`, and match the SQLite backend's except for native types).
//!
//! Decoding is strict: a value Vigie would never have written (an unknown enumeration string, a
//! malformed instant, properties of the wrong shape, a hash of the wrong length) is reported as
//! `Corrupt`, naming the table and column. Nothing here runs a query or decides what a caller may see.

use crate::error::{corrupt_value, map, out_of_range};
use sqlx::postgres::PgRow;
use sqlx::Row;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use uuid::Uuid;
use vigie_core::entity::{
    Entity, EntityId, LegalRegime, Link, LinkId, LinkKind, Properties, Provenance, Schema,
};
use vigie_core::journal::{Checkpoint, JournalAction, JournalDraft, JournalEntry, Outcome};
use vigie_core::org::{Account, AccountId, Role, Territory, Unit, UnitId, UnitKind};
use vigie_store::{AccountRecord, SessionRecord, StoreError, StoreResult};

/// `?` on sqlx results inside functions that return [`StoreResult`].
pub(crate) trait Sql<T> {
    fn sql(self) -> StoreResult<T>;
}

impl<T> Sql<T> for Result<T, sqlx::Error> {
    fn sql(self) -> StoreResult<T> {
        self.map_err(map)
    }
}

fn get<'r, T>(row: &'r PgRow, index: usize) -> StoreResult<T>
where
    T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    row.try_get(index).sql()
}

fn parsed<T>(
    row: &PgRow,
    index: usize,
    table: &str,
    column: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> StoreResult<T> {
    let text: String = get(row, index)?;
    parse(&text).ok_or_else(|| corrupt_value(table, column, &text))
}

fn bytes<const N: usize>(
    row: &PgRow,
    index: usize,
    table: &str,
    column: &str,
) -> StoreResult<[u8; N]> {
    let bytes: Vec<u8> = get(row, index)?;
    let length = bytes.len();
    bytes
        .try_into()
        .map_err(|_| corrupt_value(table, column, &format!("<{length} bytes>")))
}

pub(crate) fn seq_to_sql(seq: u64) -> StoreResult<i64> {
    i64::try_from(seq).map_err(|_| out_of_range("sequence number", seq))
}

pub(crate) fn seq_from_sql(value: i64, table: &str, column: &str) -> StoreResult<u64> {
    u64::try_from(value).map_err(|_| corrupt_value(table, column, &value.to_string()))
}

pub(crate) fn instant_to_sql(instant: OffsetDateTime) -> StoreResult<String> {
    instant.format(&Rfc3339).map_err(|error| {
        StoreError::Internal(format!("cannot store the instant {instant}: {error}"))
    })
}

fn instant(row: &PgRow, index: usize, table: &str) -> StoreResult<OffsetDateTime> {
    let text: String = get(row, index)?;
    OffsetDateTime::parse(&text, &Rfc3339).map_err(|_| corrupt_value(table, "recorded_at", &text))
}

pub(crate) fn properties_to_sql(properties: &Properties) -> StoreResult<String> {
    serde_json::to_string(properties)
        .map_err(|error| StoreError::Internal(format!("cannot serialise properties: {error}")))
}

/// Whether `text` can be stored in a PostgreSQL TEXT column (which refuses the NUL character).
pub(crate) fn storable(text: &str) -> bool {
    !text.contains('\0')
}

pub(crate) const UNIT_COLUMNS: &str = "id, code, name, kind, territory, parent";

pub(crate) fn unit(row: &PgRow) -> StoreResult<Unit> {
    Ok(Unit {
        id: UnitId(get(row, 0)?),
        code: get(row, 1)?,
        name: get(row, 2)?,
        kind: parsed(row, 3, "units", "kind", UnitKind::parse)?,
        territory: Territory::from_storage(&get::<String>(row, 4)?),
        parent: get::<Option<Uuid>>(row, 5)?.map(UnitId),
    })
}

pub(crate) const ACCOUNT_COLUMNS: &str =
    "id, username, display_name, role, unit, disabled, password_hash";

pub(crate) fn account(row: &PgRow) -> StoreResult<AccountRecord> {
    Ok(AccountRecord {
        account: Account {
            id: AccountId(get(row, 0)?),
            username: get(row, 1)?,
            display_name: get(row, 2)?,
            role: parsed(row, 3, "accounts", "role", Role::parse)?,
            unit: UnitId(get(row, 4)?),
            disabled: get(row, 5)?,
        },
        password_hash: get(row, 6)?,
    })
}

pub(crate) const SESSION_COLUMNS: &str =
    "token_hash, account, unit, created_at_micros, expires_at_micros";

pub(crate) fn session(row: &PgRow) -> StoreResult<SessionRecord> {
    Ok(SessionRecord {
        token_hash: get(row, 0)?,
        account: AccountId(get(row, 1)?),
        unit: UnitId(get(row, 2)?),
        created_at_micros: get(row, 3)?,
        expires_at_micros: get(row, 4)?,
    })
}

/// `properties` is read as text (`properties::text`) and parsed here.
pub(crate) const ENTITY_COLUMNS: &str =
    "id, schema, properties::text, owner_unit, departement, regime, \
     recorded_by, provenance_unit, provenance_source, recorded_at, version";

pub(crate) fn entity(row: &PgRow) -> StoreResult<Entity> {
    let properties: String = get(row, 2)?;
    Ok(Entity {
        id: EntityId(get(row, 0)?),
        schema: parsed(row, 1, "entities", "schema", Schema::parse)?,
        properties: serde_json::from_str(&properties)
            .map_err(|_| corrupt_value("entities", "properties", &properties))?,
        owner_unit: UnitId(get(row, 3)?),
        departement: get(row, 4)?,
        regime: parsed(row, 5, "entities", "regime", LegalRegime::parse)?,
        provenance: Provenance {
            recorded_by: AccountId(get(row, 6)?),
            unit: UnitId(get(row, 7)?),
            source: get(row, 8)?,
            recorded_at: instant(row, 9, "entities")?,
        },
        version: get(row, 10)?,
    })
}

pub(crate) const LINK_COLUMNS: &str =
    "id, kind, source, target, start_date, end_date, owner_unit, departement, \
     regime, recorded_by, provenance_unit, provenance_source, recorded_at";

pub(crate) fn link(row: &PgRow) -> StoreResult<Link> {
    Ok(Link {
        id: LinkId(get(row, 0)?),
        kind: parsed(row, 1, "links", "kind", LinkKind::parse)?,
        source: EntityId(get(row, 2)?),
        target: EntityId(get(row, 3)?),
        start: get(row, 4)?,
        end: get(row, 5)?,
        owner_unit: UnitId(get(row, 6)?),
        departement: get(row, 7)?,
        regime: parsed(row, 8, "links", "regime", LegalRegime::parse)?,
        provenance: Provenance {
            recorded_by: AccountId(get(row, 9)?),
            unit: UnitId(get(row, 10)?),
            source: get(row, 11)?,
            recorded_at: instant(row, 12, "links")?,
        },
    })
}

pub(crate) const JOURNAL_COLUMNS: &str =
    "seq, at_micros, actor, unit, action, object, motif, outcome, request_id, leaf_hash, mac, shown::text";

pub(crate) fn journal_entry(row: &PgRow) -> StoreResult<JournalEntry> {
    Ok(JournalEntry {
        seq: seq_from_sql(get(row, 0)?, "journal", "seq")?,
        draft: JournalDraft {
            at_micros: get(row, 1)?,
            actor: get(row, 2)?,
            unit: get(row, 3)?,
            action: parsed(row, 4, "journal", "action", JournalAction::parse)?,
            object: get(row, 5)?,
            motif: get(row, 6)?,
            outcome: parsed(row, 7, "journal", "outcome", Outcome::parse)?,
            request_id: get(row, 8)?,
            shown: vigie_store::shown_from_json(get(row, 11)?)?,
        },
        leaf_hash: bytes::<32>(row, 9, "journal", "leaf_hash")?,
        mac: bytes::<32>(row, 10, "journal", "mac")?,
    })
}

pub(crate) const CHECKPOINT_COLUMNS: &str = "size, root, signature, frontier";

/// A checkpoint row: the checkpoint and its serialised frontier.
pub(crate) fn checkpoint(row: &PgRow) -> StoreResult<(Checkpoint, Vec<u8>)> {
    Ok((
        Checkpoint {
            size: seq_from_sql(get(row, 0)?, "journal_checkpoints", "size")?,
            root: bytes::<32>(row, 1, "journal_checkpoints", "root")?,
            signature: bytes::<64>(row, 2, "journal_checkpoints", "signature")?,
        },
        get(row, 3)?,
    ))
}
