//! Vigie's storage interface: one trait, [`Store`], that both backends (SQLite and PostgreSQL)
//! implement, the records it stores, its errors, and the parsing of store URLs.
//!
//! The store has no rules about content: it does not check who may read or write what. The access
//! policy and the journal are applied by `vigie-engine`, which is the only crate allowed to hold a
//! store. What the store does guarantee, on both backends:
//! - a [`WriteBatch`] (mutations plus journal entries) commits atomically and durably, or not at all;
//! - journal entries get gapless, strictly increasing sequence numbers, sealed with the journal key
//!   (leaf hash and MAC) inside the same transaction;
//! - the journal table is append-only in the database itself (triggers or privileges).

use async_trait::async_trait;
use std::fmt;
use std::sync::Arc;
use vigie_core::entity::{Entity, EntityId, LegalRegime, Link, Schema};
use vigie_core::journal::{
    Checkpoint, Frontier, JournalAction, JournalDraft, JournalEntry, JournalKey,
};
use vigie_core::org::{Account, AccountId, Unit, UnitId};
use vigie_intel::ItemId;
use vigie_targets::TargetId;

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// The store URL is not one Vigie understands.
    #[error("invalid store URL: {0}")]
    InvalidUrl(String),
    /// A uniqueness or version conflict: the write was refused as a whole.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The store cannot be reached or cannot write durably (disk full, I/O error, connection lost).
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// The database file or schema is damaged; Vigie refuses to serve it.
    #[error("store corrupted: {0}")]
    Corrupt(String),
    /// The database was written by a newer Vigie, or its schema is unknown.
    #[error("incompatible schema: {0}")]
    Schema(String),
    #[error("store error: {0}")]
    Internal(String),
}

/// Which backend a URL names. Credentials never appear in `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
pub enum StoreUrl {
    /// `sqlite://relative/path.db`, `sqlite:///absolute/path.db` or `sqlite::memory:`.
    Sqlite { path: String },
    /// `postgres://user:password@host:port/database` (or `postgresql://`).
    Postgres { url: String },
}

impl StoreUrl {
    pub fn parse(input: &str) -> StoreResult<Self> {
        let input = input.trim();
        if input == "sqlite::memory:" {
            return Ok(StoreUrl::Sqlite {
                path: ":memory:".to_owned(),
            });
        }
        if let Some(path) = input.strip_prefix("sqlite://") {
            let path = path.split('?').next().unwrap_or_default();
            if path.is_empty() {
                return Err(StoreError::InvalidUrl(
                    "sqlite:// URL without a file path (e.g. sqlite://vigie.db or sqlite:///var/lib/vigie/vigie.db)".to_owned(),
                ));
            }
            return Ok(StoreUrl::Sqlite {
                path: path.to_owned(),
            });
        }
        if input.starts_with("postgres://") || input.starts_with("postgresql://") {
            let parsed = url::Url::parse(input).map_err(|error| {
                StoreError::InvalidUrl(format!("malformed PostgreSQL URL ({error})"))
            })?;
            if parsed.host_str().unwrap_or_default().is_empty() {
                return Err(StoreError::InvalidUrl(
                    "PostgreSQL URL without a host".to_owned(),
                ));
            }
            return Ok(StoreUrl::Postgres {
                url: input.to_owned(),
            });
        }
        let scheme = input
            .split_once("://")
            .map(|(scheme, _)| scheme)
            .unwrap_or("");
        Err(StoreError::InvalidUrl(if scheme.is_empty() {
            "expected a URL starting with sqlite:// or postgres://".to_owned()
        } else {
            format!("unsupported scheme \"{scheme}\": Vigie stores data in SQLite (sqlite://) or PostgreSQL (postgres://)")
        }))
    }

    /// The URL with any password replaced by `***`, safe for logs.
    pub fn redacted(&self) -> String {
        match self {
            StoreUrl::Sqlite { path } => format!("sqlite://{path}"),
            StoreUrl::Postgres { url } => match url::Url::parse(url) {
                Ok(mut parsed) => {
                    if parsed.password().is_some() {
                        let _ = parsed.set_password(Some("***"));
                    }
                    parsed.set_query(None);
                    parsed.to_string()
                }
                Err(_) => "postgres://***".to_owned(),
            },
        }
    }
}

impl fmt::Debug for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Display for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// An account with its password hash (Argon2id PHC string), as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountRecord {
    pub account: Account,
    pub password_hash: String,
}

/// A server-side session. The store keeps only the SHA-256 of the session token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRecord {
    /// Hex SHA-256 of the token the browser holds.
    pub token_hash: String,
    pub account: AccountId,
    /// The account's unit when the session opened: a move revokes the session.
    pub unit: UnitId,
    pub created_at_micros: i64,
    pub expires_at_micros: i64,
}

/// What authenticating a session needs: the session, its account, the account's unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionContext {
    pub session: SessionRecord,
    pub account: AccountRecord,
    pub unit: Unit,
}

/// An entity, and each link from or to it with the entity at its other end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Neighbourhood {
    pub entity: Entity,
    pub neighbours: Vec<(Link, Entity)>,
}

/// One change inside a [`WriteBatch`].
#[derive(Clone, Debug, PartialEq)]
pub enum Mutation {
    /// Insert or replace a unit (by id; the code is unique).
    PutUnit(Unit),
    /// Insert or replace an account (by id; the username is unique).
    PutAccount(AccountRecord),
    InsertEntity(Entity),
    /// Replace an entity if its stored version is `expected_version` (the new one carries version + 1).
    UpdateEntity {
        entity: Entity,
        expected_version: i64,
    },
    InsertLink(Link),
    PutSession(SessionRecord),
    DeleteSession {
        token_hash: String,
    },
    DeleteSessionsOf {
        account: AccountId,
    },
    /// Inserts targets (giving each new one the next registration order) or, for a target already
    /// stored, replaces its body and expiry; adds its deconfliction keys (keys already held are kept).
    PutTargets(Vec<TargetWrite>),
    /// Erases a target, its keys and every workflow record that refers to it.
    DeleteTarget {
        id: TargetId,
    },
    /// Inserts or replaces a workflow record (by kind and id).
    PutRecord(WorkflowRecord),
    /// Writes a workflow record only if it is still as the caller read it: absent when `read` is
    /// `None`, with exactly that body otherwise. If not, the whole batch is refused with `Conflict`,
    /// so that of two decisions taken at once on one record, one is kept and the other is told.
    PutRecordIf {
        record: WorkflowRecord,
        read: Option<String>,
    },
    DeleteRecord {
        kind: String,
        id: String,
    },
    /// Inserts or replaces an intelligence item (by id) and the list of entities it is about; the
    /// store gives it the next change order.
    PutIntelItem(IntelRecord),
}

/// A journal entry's `shown` list as both backends store it: a JSON array of object references, or
/// nothing (NULL) when the entry showed no other object.
pub fn shown_to_json(shown: &[String]) -> StoreResult<Option<String>> {
    if shown.is_empty() {
        return Ok(None);
    }
    serde_json::to_string(shown)
        .map(Some)
        .map_err(|error| StoreError::Internal(format!("journal shown objects: {error}")))
}

/// Reads back what [`shown_to_json`] stored; anything else is `Corrupt`.
pub fn shown_from_json(text: Option<String>) -> StoreResult<Vec<String>> {
    match text {
        None => Ok(Vec::new()),
        Some(text) => serde_json::from_str(&text).map_err(|error| {
            StoreError::Corrupt(format!(
                "journal.shown is not a list of references: {error}"
            ))
        }),
    }
}

/// The `Conflict` message of a refused `Mutation::PutRecordIf`.
pub fn changed_meanwhile(record: &WorkflowRecord, read: Option<&str>) -> String {
    match read {
        None => format!(
            "workflow record {}/{} was created meanwhile",
            record.kind, record.id
        ),
        Some(_) => format!(
            "workflow record {}/{} was changed or erased meanwhile",
            record.kind, record.id
        ),
    }
}

/// A target as stored. The store filters on the unit and the expiry; the body is the engine's
/// `TargetFile` as JSON, opaque here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetRecord {
    pub id: TargetId,
    pub unit: UnitId,
    pub registered_at_micros: i64,
    pub expires_at_micros: i64,
    /// Registration order, given by the store on first insert (ignored when writing): of two targets,
    /// the one with the smaller order was registered first, on every node.
    pub order: i64,
    pub body: String,
}

/// One deconfliction key of a target (see `vigie_targets::keys`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRow {
    pub digest: [u8; 16],
    /// `KeyKind::as_str`: "phone", "person"...
    pub kind: String,
    pub exact: bool,
    pub added_at_micros: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetWrite {
    pub target: TargetRecord,
    pub keys: Vec<KeyRow>,
}

/// A live target holding one of the digests asked about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyHit {
    pub digest: [u8; 16],
    pub key: KeyRow,
    pub target: TargetRecord,
}

/// One shared digest between a live target of the unit and a live target of another unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConflictRow {
    pub own_target: TargetId,
    pub own_key: KeyRow,
    pub other_key: KeyRow,
    pub other: TargetRecord,
}

/// A small document of the deconfliction workflows (arbitrations, planned operations, priority-list
/// entries, alerts...), typed and serialised by the engine. `targets` name the targets it refers
/// to (erased with them); `starts`/`ends` are the time window overlap queries use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkflowRecord {
    pub kind: String,
    pub id: String,
    pub target_a: Option<TargetId>,
    pub target_b: Option<TargetId>,
    pub starts_micros: i64,
    pub ends_micros: i64,
    /// Where the record is routed, for the workflows that have one: a département code or
    /// "national" (reports, dealing points), a unit (partners' report index), or the entity a fact
    /// or a merge belongs to; lists can be narrowed to one area.
    pub area: Option<String>,
    pub body: String,
}

/// Which workflow records to read: all of `kind`, narrowed to those referring to one of `targets`,
/// whose window overlaps `window` (start inclusive, end exclusive), and/or routed to `area`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordQuery {
    pub kind: String,
    pub targets: Option<Vec<TargetId>>,
    pub window: Option<(i64, i64)>,
    pub area: Option<String>,
}

/// An intelligence item as stored: what the policy and the lists filter on in columns, the item
/// itself (`vigie_intel::IntelItem` as JSON) in an opaque body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntelRecord {
    pub id: ItemId,
    pub owner_unit: UnitId,
    pub departement: Option<String>,
    pub regime: LegalRegime,
    pub recorded_at_micros: i64,
    pub sanitised_from: Option<ItemId>,
    /// The entities the item is about.
    pub entities: Vec<EntityId>,
    /// The order of its last write, given by the store (ignored when writing): the search index
    /// follows items by it.
    pub changed: i64,
    pub body: String,
}

/// Which intelligence items to read, by change order: those about an entity, the sanitised copies
/// of an item, or every item changed after an order (the index's feed); at most `limit`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IntelQuery {
    pub about: Option<EntityId>,
    pub copies_of: Option<ItemId>,
    pub changed_after: Option<i64>,
    pub limit: u32,
}

/// Mutations and journal entries committed together, atomically.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WriteBatch {
    pub mutations: Vec<Mutation>,
    pub journal: Vec<JournalDraft>,
}

/// Which records a search may return: the actor's own unit's, plus those inside `departements`
/// (`None`: everywhere) whose regime is in `open_regimes`. Derived from the policy by the engine,
/// so that nothing hidden is ever counted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Visibility {
    pub own_unit: UnitId,
    pub departements: Option<Vec<String>>,
    pub open_regimes: Vec<LegalRegime>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntityQuery {
    /// Folded words (see `vigie_core::text::fold`); every one must occur in the entity's search key.
    pub terms: Vec<String>,
    pub schema: Option<Schema>,
    pub visibility: Visibility,
    pub limit: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JournalQuery {
    pub actor: Option<String>,
    pub object: Option<String>,
    pub action: Option<JournalAction>,
    /// Only entries with a smaller sequence number (paging backwards).
    pub before_seq: Option<u64>,
    pub limit: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub units: u64,
    pub accounts: u64,
    pub entities: u64,
    pub links: u64,
    pub journal: u64,
    pub targets: u64,
}

/// The storage interface. Every method is atomic on its own; `write` is the only way to change data.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// "sqlite" or "postgres".
    fn backend(&self) -> &'static str;

    /// Applies every mutation and appends every journal entry in one durable transaction; returns the
    /// journal sequence numbers given to the entries, in order. On error nothing is written.
    async fn write(&self, batch: WriteBatch) -> StoreResult<Vec<u64>>;

    async fn unit(&self, id: UnitId) -> StoreResult<Option<Unit>>;
    async fn units(&self) -> StoreResult<Vec<Unit>>;
    async fn account(&self, id: AccountId) -> StoreResult<Option<AccountRecord>>;
    async fn account_by_username(&self, username: &str) -> StoreResult<Option<AccountRecord>>;
    async fn accounts(&self) -> StoreResult<Vec<AccountRecord>>;
    async fn session(&self, token_hash: &str) -> StoreResult<Option<SessionRecord>>;

    /// The session, its account and the account's current unit, read together (one snapshot where
    /// the backend can). `None` if any of the three is missing.
    async fn session_context(&self, token_hash: &str) -> StoreResult<Option<SessionContext>> {
        let Some(session) = self.session(token_hash).await? else {
            return Ok(None);
        };
        let Some(account) = self.account(session.account).await? else {
            return Ok(None);
        };
        let Some(unit) = self.unit(account.account.unit).await? else {
            return Ok(None);
        };
        Ok(Some(SessionContext {
            session,
            account,
            unit,
        }))
    }

    async fn entity(&self, id: EntityId) -> StoreResult<Option<Entity>>;
    /// Entities matching the query, most recently changed first, at most `limit`.
    async fn search_entities(&self, query: &EntityQuery) -> StoreResult<Vec<Entity>>;
    /// Links from or to the entity.
    async fn links_of(&self, id: EntityId) -> StoreResult<Vec<Link>>;

    /// An entity with its links (at most `max_links`, in `links_of` order) and the entity at the other
    /// end of each, read together (one snapshot where the backend can). Shared, because a backend
    /// may hand the same answer to many readers.
    async fn entity_with_neighbours(
        &self,
        id: EntityId,
        max_links: usize,
    ) -> StoreResult<Option<Arc<Neighbourhood>>> {
        let Some(entity) = self.entity(id).await? else {
            return Ok(None);
        };
        let mut neighbours = Vec::new();
        for link in self.links_of(id).await?.into_iter().take(max_links) {
            let other_id = if link.source == id {
                link.target
            } else {
                link.source
            };
            if let Some(other) = self.entity(other_id).await? {
                neighbours.push((link, other));
            }
        }
        Ok(Some(Arc::new(Neighbourhood { entity, neighbours })))
    }

    async fn target(&self, id: TargetId) -> StoreResult<Option<TargetRecord>>;
    /// The unit's targets alive at `live_at` (expiry after it), latest registered first.
    async fn targets_of_unit(&self, unit: UnitId, live_at: i64) -> StoreResult<Vec<TargetRecord>>;
    /// Every live target (any unit) holding one of `digests`, one row per (digest, target).
    async fn key_hits(&self, digests: &[[u8; 16]], live_at: i64) -> StoreResult<Vec<KeyHit>>;
    /// Which of `digests` a live target of a unit other than `unit` holds, each once, in any
    /// order. Cheaper than `key_hits` when only the fact of a conflict matters (bulk registration).
    async fn shared_digests(
        &self,
        unit: UnitId,
        digests: &[[u8; 16]],
        live_at: i64,
    ) -> StoreResult<Vec<[u8; 16]>>;
    /// Every digest a live target of `unit` shares with a live target of another unit.
    async fn conflicts_of_unit(&self, unit: UnitId, live_at: i64) -> StoreResult<Vec<ConflictRow>>;
    /// Targets whose expiry is at or before `now`, at most `limit`.
    async fn expired_targets(&self, now: i64, limit: u32) -> StoreResult<Vec<TargetId>>;
    async fn record(&self, kind: &str, id: &str) -> StoreResult<Option<WorkflowRecord>>;
    /// Records matching the query, by window start then id.
    async fn records(&self, query: &RecordQuery) -> StoreResult<Vec<WorkflowRecord>>;
    /// The records of `kinds` that hang off `key`: those whose `area` is `key` and the one whose
    /// `id` is `key`, in one read (an entity's facts, the merges into it and its own merge, read
    /// while it is consulted). By kind, then id.
    async fn records_about(&self, kinds: &[&str], key: &str) -> StoreResult<Vec<WorkflowRecord>>;

    async fn intel_item(&self, id: ItemId) -> StoreResult<Option<IntelRecord>>;
    /// Items matching the query, by change order (all filters given must hold).
    async fn intel_items(&self, query: &IntelQuery) -> StoreResult<Vec<IntelRecord>>;

    /// Number of journal entries (= the last sequence number).
    async fn journal_len(&self) -> StoreResult<u64>;
    /// Entries with `from_seq <= seq`, in order, at most `limit`.
    async fn journal_range(&self, from_seq: u64, limit: u32) -> StoreResult<Vec<JournalEntry>>;
    /// Entries matching the query, newest first.
    async fn journal_search(&self, query: &JournalQuery) -> StoreResult<Vec<JournalEntry>>;
    /// Stores a signed checkpoint with the frontier it was computed from.
    async fn put_checkpoint(&self, checkpoint: &Checkpoint, frontier: &Frontier)
        -> StoreResult<()>;
    /// The checkpoint with the largest size, and its frontier.
    async fn latest_checkpoint(&self) -> StoreResult<Option<(Checkpoint, Frontier)>>;
    async fn checkpoints(&self) -> StoreResult<Vec<Checkpoint>>;

    async fn counts(&self) -> StoreResult<Counts>;
    /// A quick liveness check (a read and, when `writable`, proof that a write can be made).
    async fn health(&self) -> StoreResult<()>;
    /// Full integrity check of the database (SQLite `integrity_check`; PostgreSQL catalog checks).
    async fn integrity_check(&self) -> StoreResult<Vec<String>>;
    /// Stops the writer and closes connections; later calls fail with `Unavailable`.
    async fn close(&self);
}

/// What a backend needs to open a store.
#[derive(Clone)]
pub struct OpenOptions {
    /// Seals journal entries (leaf hash and MAC) as they get their sequence numbers.
    pub journal_key: Arc<JournalKey>,
    /// Create the schema if the database is empty; apply pending migrations.
    pub migrate: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(input: &str, expected: Result<&str, &str>) {
        match (StoreUrl::parse(input), expected) {
            (Ok(url), Ok(redacted)) => assert_eq!(url.redacted(), redacted),
            (Err(StoreError::InvalidUrl(message)), Err(fragment)) => {
                assert!(message.contains(fragment), "{message:?} lacks {fragment:?}");
            }
            (got, want) => panic!("{input:?}: got {got:?}, want {want:?}"),
        }
    }

    #[test]
    fn store_urls() {
        check("sqlite://vigie.db", Ok("sqlite://vigie.db"));
        check(
            "sqlite:///var/lib/vigie.db",
            Ok("sqlite:///var/lib/vigie.db"),
        );
        check("sqlite::memory:", Ok("sqlite://:memory:"));
        check(
            "postgres://vigie:s3cret@127.0.0.1:5432/vigie",
            Ok("postgres://vigie:***@127.0.0.1:5432/vigie"),
        );
        check(
            "postgresql://vigie@db/vigie?password=s3cret",
            Ok("postgresql://vigie@db/vigie"),
        );
        check(
            "mysql://root@localhost/vigie",
            Err("unsupported scheme \"mysql\""),
        );
        check("vigie.db", Err("sqlite:// or postgres://"));
        check("sqlite://", Err("without a file path"));
        check("postgres://", Err("PostgreSQL"));
    }

    #[test]
    fn debug_never_shows_the_password() {
        let url = StoreUrl::parse("postgres://vigie:s3cret@localhost/vigie").unwrap();
        assert!(!format!("{url:?} {url}").contains("s3cret"));
    }

    #[test]
    fn shown_lists_round_trip_and_nothing_else_is_read_back() {
        assert_eq!(shown_to_json(&[]).ok(), Some(None), "no list, no value");
        let shown = vec!["entity:a".to_owned(), "entity:\"b\"".to_owned()];
        let stored = shown_to_json(&shown).ok().flatten();
        assert_eq!(shown_from_json(stored).ok(), Some(shown));
        assert_eq!(shown_from_json(None).ok(), Some(Vec::new()));
        assert!(matches!(
            shown_from_json(Some("{\"entity\": 1}".to_owned())),
            Err(StoreError::Corrupt(_))
        ));
    }
}
