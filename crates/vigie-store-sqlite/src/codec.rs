//! How Vigie's records map to SQLite columns, both ways (the conventions are written at the top of
//! `migrations/0001_initial.sql`).
//!
//! Decoding is strict: a value Vigie would never have written (an unknown enumeration string, a
//! malformed UUID or date, properties that are not JSON) is reported as `Corrupt`, naming the table
//! and column. Nothing here runs a query or decides what a caller may see.

use crate::error::{corrupt_value, map};
use rusqlite::Row;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};
use uuid::Uuid;
use vigie_core::entity::{
    Entity, EntityId, LegalRegime, Link, LinkId, LinkKind, Properties, Provenance, Schema,
};
use vigie_core::journal::{Checkpoint, Hash, JournalAction, JournalDraft, JournalEntry, Outcome};
use vigie_core::org::{Account, AccountId, Role, Territory, Unit, UnitId, UnitKind};
use vigie_store::{AccountRecord, SessionRecord, StoreError, StoreResult};

/// `?` on rusqlite results inside functions that return [`StoreResult`].
pub(crate) trait Sql<T> {
    fn sql(self) -> StoreResult<T>;
}

impl<T> Sql<T> for rusqlite::Result<T> {
    fn sql(self) -> StoreResult<T> {
        self.map_err(map)
    }
}

const DATE_FORMAT: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

pub(crate) fn id_text(id: Uuid) -> String {
    id.hyphenated().to_string()
}

fn uuid(row: &Row<'_>, index: usize, table: &str, column: &str) -> StoreResult<Uuid> {
    let text: String = row.get(index).sql()?;
    Uuid::parse_str(&text).map_err(|_| corrupt_value(table, column, &text))
}

fn optional_uuid(
    row: &Row<'_>,
    index: usize,
    table: &str,
    column: &str,
) -> StoreResult<Option<Uuid>> {
    let text: Option<String> = row.get(index).sql()?;
    text.map(|text| Uuid::parse_str(&text).map_err(|_| corrupt_value(table, column, &text)))
        .transpose()
}

fn parsed<T>(
    row: &Row<'_>,
    index: usize,
    table: &str,
    column: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> StoreResult<T> {
    let text: String = row.get(index).sql()?;
    parse(&text).ok_or_else(|| corrupt_value(table, column, &text))
}

pub(crate) fn seq_to_sql(seq: u64) -> StoreResult<i64> {
    i64::try_from(seq)
        .map_err(|_| StoreError::Internal(format!("sequence number {seq} is out of range")))
}

pub(crate) fn seq_from_sql(value: i64, table: &str) -> StoreResult<u64> {
    u64::try_from(value).map_err(|_| corrupt_value(table, "seq", &value.to_string()))
}

pub(crate) fn instant_to_sql(instant: OffsetDateTime) -> StoreResult<String> {
    instant.format(&Rfc3339).map_err(|error| {
        StoreError::Internal(format!("cannot store the instant {instant}: {error}"))
    })
}

fn instant(row: &Row<'_>, index: usize, table: &str) -> StoreResult<OffsetDateTime> {
    let text: String = row.get(index).sql()?;
    OffsetDateTime::parse(&text, &Rfc3339).map_err(|_| corrupt_value(table, "recorded_at", &text))
}

pub(crate) fn date_to_sql(date: Option<Date>) -> StoreResult<Option<String>> {
    date.map(|date| {
        date.format(DATE_FORMAT)
            .map_err(|error| StoreError::Internal(format!("cannot store the date {date}: {error}")))
    })
    .transpose()
}

fn date(row: &Row<'_>, index: usize, table: &str, column: &str) -> StoreResult<Option<Date>> {
    let text: Option<String> = row.get(index).sql()?;
    text.map(|text| {
        Date::parse(&text, DATE_FORMAT).map_err(|_| corrupt_value(table, column, &text))
    })
    .transpose()
}

fn hash<const N: usize>(
    row: &Row<'_>,
    index: usize,
    table: &str,
    column: &str,
) -> StoreResult<[u8; N]> {
    let bytes: Vec<u8> = row.get(index).sql()?;
    let length = bytes.len();
    bytes
        .try_into()
        .map_err(|_| corrupt_value(table, column, &format!("<{length} bytes>")))
}

pub(crate) fn properties_to_sql(properties: &Properties) -> StoreResult<String> {
    serde_json::to_string(properties)
        .map_err(|error| StoreError::Internal(format!("cannot serialise properties: {error}")))
}

pub(crate) const UNIT_COLUMNS: &str = "id, code, name, kind, territory, parent";

pub(crate) fn unit(row: &Row<'_>) -> StoreResult<Unit> {
    Ok(Unit {
        id: UnitId(uuid(row, 0, "units", "id")?),
        code: row.get(1).sql()?,
        name: row.get(2).sql()?,
        kind: parsed(row, 3, "units", "kind", UnitKind::parse)?,
        territory: Territory::from_storage(&row.get::<_, String>(4).sql()?),
        parent: optional_uuid(row, 5, "units", "parent")?.map(UnitId),
    })
}

pub(crate) const ACCOUNT_COLUMNS: &str =
    "id, username, display_name, role, unit, disabled, password_hash";

pub(crate) fn account(row: &Row<'_>) -> StoreResult<AccountRecord> {
    Ok(AccountRecord {
        account: Account {
            id: AccountId(uuid(row, 0, "accounts", "id")?),
            username: row.get(1).sql()?,
            display_name: row.get(2).sql()?,
            role: parsed(row, 3, "accounts", "role", Role::parse)?,
            unit: UnitId(uuid(row, 4, "accounts", "unit")?),
            disabled: row.get(5).sql()?,
        },
        password_hash: row.get(6).sql()?,
    })
}

pub(crate) const SESSION_COLUMNS: &str =
    "token_hash, account, unit, created_at_micros, expires_at_micros";

pub(crate) fn session(row: &Row<'_>) -> StoreResult<SessionRecord> {
    Ok(SessionRecord {
        token_hash: row.get(0).sql()?,
        account: AccountId(uuid(row, 1, "sessions", "account")?),
        unit: UnitId(uuid(row, 2, "sessions", "unit")?),
        created_at_micros: row.get(3).sql()?,
        expires_at_micros: row.get(4).sql()?,
    })
}

pub(crate) const ENTITY_COLUMNS: &str =
    "id, schema, properties, owner_unit, departement, regime, recorded_by, \
     provenance_unit, provenance_source, recorded_at, version";

pub(crate) fn entity(row: &Row<'_>) -> StoreResult<Entity> {
    let properties: String = row.get(2).sql()?;
    Ok(Entity {
        id: EntityId(uuid(row, 0, "entities", "id")?),
        schema: parsed(row, 1, "entities", "schema", Schema::parse)?,
        properties: serde_json::from_str(&properties)
            .map_err(|_| corrupt_value("entities", "properties", &properties))?,
        owner_unit: UnitId(uuid(row, 3, "entities", "owner_unit")?),
        departement: row.get(4).sql()?,
        regime: parsed(row, 5, "entities", "regime", LegalRegime::parse)?,
        provenance: Provenance {
            recorded_by: AccountId(uuid(row, 6, "entities", "recorded_by")?),
            unit: UnitId(uuid(row, 7, "entities", "provenance_unit")?),
            source: row.get(8).sql()?,
            recorded_at: instant(row, 9, "entities")?,
        },
        version: row.get(10).sql()?,
    })
}

pub(crate) const LINK_COLUMNS: &str =
    "id, kind, source, target, start_date, end_date, owner_unit, departement, \
     regime, recorded_by, provenance_unit, provenance_source, recorded_at";

pub(crate) fn link(row: &Row<'_>) -> StoreResult<Link> {
    Ok(Link {
        id: LinkId(uuid(row, 0, "links", "id")?),
        kind: parsed(row, 1, "links", "kind", LinkKind::parse)?,
        source: EntityId(uuid(row, 2, "links", "source")?),
        target: EntityId(uuid(row, 3, "links", "target")?),
        start: date(row, 4, "links", "start_date")?,
        end: date(row, 5, "links", "end_date")?,
        owner_unit: UnitId(uuid(row, 6, "links", "owner_unit")?),
        departement: row.get(7).sql()?,
        regime: parsed(row, 8, "links", "regime", LegalRegime::parse)?,
        provenance: Provenance {
            recorded_by: AccountId(uuid(row, 9, "links", "recorded_by")?),
            unit: UnitId(uuid(row, 10, "links", "provenance_unit")?),
            source: row.get(11).sql()?,
            recorded_at: instant(row, 12, "links")?,
        },
    })
}

pub(crate) const JOURNAL_COLUMNS: &str =
    "seq, at_micros, actor, unit, action, object, motif, outcome, request_id, leaf_hash, mac, shown";

pub(crate) fn journal_entry(row: &Row<'_>) -> StoreResult<JournalEntry> {
    Ok(JournalEntry {
        seq: seq_from_sql(row.get(0).sql()?, "journal")?,
        draft: JournalDraft {
            at_micros: row.get(1).sql()?,
            actor: row.get(2).sql()?,
            unit: row.get(3).sql()?,
            action: parsed(row, 4, "journal", "action", JournalAction::parse)?,
            object: row.get(5).sql()?,
            motif: row.get(6).sql()?,
            outcome: parsed(row, 7, "journal", "outcome", Outcome::parse)?,
            request_id: row.get(8).sql()?,
            shown: vigie_store::shown_from_json(row.get(11).sql()?)?,
        },
        leaf_hash: hash::<32>(row, 9, "journal", "leaf_hash")?,
        mac: hash::<32>(row, 10, "journal", "mac")?,
    })
}

pub(crate) const CHECKPOINT_COLUMNS: &str = "size, root, signature, frontier";

/// A checkpoint row: the checkpoint and its serialised frontier.
pub(crate) fn checkpoint(row: &Row<'_>) -> StoreResult<(Checkpoint, Vec<u8>)> {
    let root: Hash = hash::<32>(row, 1, "journal_checkpoints", "root")?;
    Ok((
        Checkpoint {
            size: seq_from_sql(row.get(0).sql()?, "journal_checkpoints")?,
            root,
            signature: hash::<64>(row, 2, "journal_checkpoints", "signature")?,
        },
        row.get(3).sql()?,
    ))
}
