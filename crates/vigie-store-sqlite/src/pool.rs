//! A small pool of read-only connections, used from async code through `spawn_blocking`.
//!
//! In WAL mode readers see the last committed state and never wait for the writer, nor the writer
//! for them. A semaphore with one permit per connection bounds how many blocking tasks read at once,
//! so a burst of reads queues in async land instead of piling up blocking threads. The pool does not
//! retry failed reads and cannot write: its connections are opened read-only.

use crate::codec::Sql;
use crate::error::closed;
use rusqlite::{Connection, OpenFlags};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::Semaphore;
use vigie_store::{StoreError, StoreResult};

pub(crate) struct Readers {
    idle: Mutex<Vec<Connection>>,
    permits: Arc<Semaphore>,
    closed: AtomicBool,
}

/// Opens one read-only connection to `path`.
pub(crate) fn open_reader(path: &str) -> StoreResult<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags).sql()?;
    conn.busy_timeout(Duration::from_secs(5)).sql()?;
    conn.set_prepared_statement_cache_capacity(64);
    // Every commit of the writer invalidates a reader's page cache; memory-mapping the file lets a
    // reader see the pages again without a read() and a copy each time (measured: bench/RESULTS.md).
    conn.execute_batch("PRAGMA mmap_size = 1073741824;").sql()?;
    Ok(conn)
}

impl Readers {
    pub(crate) fn new(connections: Vec<Connection>) -> Self {
        let permits = Arc::new(Semaphore::new(connections.len()));
        Self {
            idle: Mutex::new(connections),
            permits,
            closed: AtomicBool::new(false),
        }
    }

    /// Runs `read` on an idle connection in a blocking task.
    pub(crate) async fn read<T, F>(self: &Arc<Self>, read: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        if self.closed.load(Ordering::Acquire) {
            return Err(closed());
        }
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| closed())?;
        let readers = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let conn = readers
                .idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop()
                .ok_or_else(closed)?;
            let result = read(&conn);
            if !readers.closed.load(Ordering::Acquire) {
                readers
                    .idle
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(conn);
            }
            result
        })
        .await
        .map_err(|error| StoreError::Internal(format!("a read task failed: {error}")))?
    }

    /// Closes the idle connections; those in use close when their read ends. Later reads fail.
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Release);
        self.permits.close();
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}
