//! The read cache: what every consultation reads again (the session behind a token, an entity with
//! its neighbours, the workflow records about a key), kept decoded in memory.
//!
//! Correctness rests on the data epoch (migration 0007): the writer adds one to it in every
//! transaction that changes anything but the journal, in whatever process that writer runs. An entry
//! keeps the epoch of the snapshot it was read in and is served only while the database's epoch is
//! still that one, so a hit returns what a fresh read would: an account disabled or moved, by this
//! process or by an administration command in another, is refused at its very next request.
//!
//! Checking the epoch is one small read on a connection of its own, run in place rather than in a
//! blocking task, with no busy wait (a busy database is a miss). It is cheap where the reads it
//! replaces are not: under a stream of journal commits, every pooled read transaction starts by
//! dropping its page cache and its memory map (measured: bench/RESULTS.md, session 20).
//!
//! It caches nothing else (not the journal, not searches), and any error on the way is a miss.

use crate::codec::Sql;
use lru::LruCache;
use rusqlite::{Connection, OpenFlags};
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, PoisonError};
use vigie_core::entity::EntityId;
use vigie_store::{Neighbourhood, SessionContext, StoreResult, WorkflowRecord};

/// How many answers are kept; the least recently used goes first.
const CAPACITY: NonZeroUsize = match NonZeroUsize::new(4_096) {
    Some(capacity) => capacity,
    None => NonZeroUsize::MIN,
};

/// What a cached answer answers.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum CacheKey {
    /// `session_context(token_hash)`.
    Session(String),
    /// `entity_with_neighbours(id, max_links)`.
    Neighbourhood(EntityId, usize),
    /// `records_about(kinds as JSON, key)`.
    Records(String, String),
}

/// A cached answer, as the store method returns it.
#[derive(Clone, Debug)]
pub(crate) enum Cached {
    Session(Option<Arc<SessionContext>>),
    /// Shared: a hit hands out the same neighbourhood, whose entities are costly to copy.
    Neighbourhood(Option<Arc<Neighbourhood>>),
    Records(Vec<WorkflowRecord>),
}

pub(crate) struct ReadCache {
    epoch_reader: Mutex<Connection>,
    entries: Mutex<LruCache<CacheKey, (i64, Arc<Cached>)>>,
}

impl ReadCache {
    /// Opens the cache's own read-only connection to `path`.
    pub(crate) fn open(path: &str) -> StoreResult<Self> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(path, flags).sql()?;
        // No memory map: this connection reads two pages, and a map would be dropped at each commit.
        conn.execute_batch("PRAGMA mmap_size = 0;").sql()?;
        Ok(Self {
            epoch_reader: Mutex::new(conn),
            entries: Mutex::new(LruCache::new(CAPACITY)),
        })
    }

    /// The answer kept under `key`, if the data has not changed since it was read.
    pub(crate) fn hit(&self, key: &CacheKey) -> Option<Cached> {
        let epoch = self.current_epoch()?;
        let kept = {
            let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
            match entries.get(key) {
                Some((read_at, value)) if *read_at == epoch => Arc::clone(value),
                _ => return None,
            }
        };
        Some(Cached::clone(&kept))
    }

    /// Keeps `value`, read in a snapshot at `epoch`, unless a newer answer is already kept.
    pub(crate) fn keep(&self, key: CacheKey, epoch: i64, value: Cached) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if matches!(entries.peek(&key), Some((kept_at, _)) if *kept_at > epoch) {
            return;
        }
        entries.put(key, (epoch, Arc::new(value)));
    }

    fn current_epoch(&self) -> Option<i64> {
        let conn = self
            .epoch_reader
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        epoch_in(&conn).ok()
    }
}

/// The data epoch as `conn` sees it: in its current snapshot when a transaction is open.
pub(crate) fn epoch_in(conn: &Connection) -> StoreResult<i64> {
    conn.prepare_cached("SELECT epoch FROM data_epoch WHERE id = 1")
        .and_then(|mut statement| statement.query_row([], |row| row.get(0)))
        .sql()
}

/// Moves the data epoch on; the writer calls it in every transaction that changes data.
pub(crate) fn bump_epoch(conn: &Connection) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE data_epoch SET epoch = epoch + 1 WHERE id = 1")?
        .execute([])
        .map(|_| ())
}
