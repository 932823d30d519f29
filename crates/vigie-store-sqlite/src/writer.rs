//! The single writer: one thread owns the only read-write connection and commits requests in groups.
//!
//! Requests arrive over a channel. The thread takes one, then whatever else is already queued (up to
//! [`MAX_GROUP`]), and runs them all in one `BEGIN IMMEDIATE` transaction, each inside its own
//! `SAVEPOINT`: a request that fails is rolled back to its savepoint and gets its own error, the
//! others are unaffected. Journal drafts get their sequence numbers in the order they are applied
//! and are sealed with the journal key before insertion. One `COMMIT` (one WAL fsync with
//! `synchronous=FULL`) then covers the whole group, and only after it returns are the requests
//! answered: an answer means the data and its journal entries are on disk. If the commit fails,
//! every request of the group that had succeeded gets `Unavailable` and nothing of the group remains.
//!
//! The next sequence number is read under the write lock at the start of each group
//! (`MAX(seq) + 1`, an O(log n) look-up), so a second process writing to the same file (an
//! administration command while the server runs) cannot make the numbers collide or leave a gap.
//!
//! The thread also copies new journal entries into the journal's look-up by object, as sorted runs
//! (migration 0006) of about [`REFS_BATCH`] refs (an entry has one for its object and one per object
//! it showed). It keeps the refs of the entries it committed itself; once a run's worth is waiting,
//! it sorts them and appends the run [`REFS_SLICE`] refs at a time inside the next group commits
//! (migration 0009), so that no group waits for a whole run (unless slices fall [`REFS_LAG`] refs
//! behind). A run counts once its last slice is committed; searches scan the entries no complete
//! run covers yet, so they never miss one. When the writer does not hold the refs (entries another
//! process wrote, or after a restart), or no request has come for [`REFS_IDLE`], it appends a run in
//! a transaction of its own, reading the refs back from the journal if need be.
//!
//! This module applies mutations as given: it does not check who may write what (the engine does).

use crate::cache::bump_epoch;
use crate::codec::{
    date_to_sql, id_text, instant_to_sql, properties_to_sql, seq_from_sql, seq_to_sql, Sql,
    CHECKPOINT_COLUMNS,
};
use crate::error::{closed, is_constraint, map};
use rusqlite::{params, Connection, OptionalExtension, ToSql};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Instant;
use tokio::sync::oneshot;
use vigie_core::entity::{Entity, Link};
use vigie_core::journal::{Checkpoint, JournalDraft, JournalEntry, JournalKey};
use vigie_store::{AccountRecord, Mutation, SessionRecord, StoreError, StoreResult, WriteBatch};

/// The most requests committed together.
pub(crate) const MAX_GROUP: usize = 512;

/// How long the writer may wait to fill a group as large as the previous one.
const GATHER_WINDOW: std::time::Duration = std::time::Duration::from_micros(1_000);

/// Refs per run of the look-up by object, and entries per run at most. Each run costs a search one
/// more seek, so runs should be long; but the groups a run delays wait for it (a consultation's
/// entry has about ten refs: a run of 8,192 such entries held the writer for 80 ms), and the tail
/// after the last run is scanned by every search, so they should not be too long either.
const REFS_BATCH: u64 = 8_192;

/// Refs of a run appended inside one group commit: about 0.4 ms of the writer's time. A group of a
/// loaded server brings about 160 new refs, so the slices keep up.
const REFS_SLICE: usize = 512;

/// Refs waiting (the run being appended included) beyond which that run is finished at once.
const REFS_LAG: u64 = 4 * REFS_BATCH;

/// How long the writer waits for a request before indexing a smaller tail.
const REFS_IDLE: std::time::Duration = std::time::Duration::from_millis(200);

pub(crate) enum Request {
    Write {
        batch: WriteBatch,
        reply: oneshot::Sender<StoreResult<Vec<u64>>>,
    },
    Checkpoint {
        checkpoint: Checkpoint,
        frontier: Vec<u8>,
        reply: oneshot::Sender<StoreResult<()>>,
    },
    /// Answered after a (possibly empty) group commit: proof that the writer can commit.
    Ping {
        reply: oneshot::Sender<StoreResult<()>>,
    },
}

/// The handle the store keeps on its writer thread.
pub(crate) struct Writer {
    sender: Mutex<Option<mpsc::Sender<Request>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Writer {
    pub(crate) fn spawn(conn: Connection, key: Arc<JournalKey>) -> StoreResult<Self> {
        let (sender, receiver) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("vigie-sqlite-writer".to_owned())
            .spawn(move || run(conn, &key, &receiver))
            .map_err(|error| {
                StoreError::Unavailable(format!("cannot start the SQLite writer thread: {error}"))
            })?;
        Ok(Self {
            sender: Mutex::new(Some(sender)),
            thread: Mutex::new(Some(thread)),
        })
    }

    /// Queues a request; `Unavailable` once the writer is closed or gone.
    pub(crate) fn submit(&self, request: Request) -> StoreResult<()> {
        let sender = self.sender.lock().unwrap_or_else(PoisonError::into_inner);
        let sender = sender.as_ref().ok_or_else(closed)?;
        sender
            .send(request)
            .map_err(|_| StoreError::Unavailable("the SQLite writer thread has stopped".to_owned()))
    }

    /// Stops accepting requests. The thread commits what is already queued, closes the connection
    /// and ends; the returned handle joins it.
    pub(crate) fn close(&self) -> Option<JoinHandle<()>> {
        self.sender
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        self.thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }
}

fn run(conn: Connection, key: &JournalKey, requests: &mpsc::Receiver<Request>) {
    let mut refs = RefsBacklog::read(&conn);
    // `recv` keeps returning queued requests after the sender is dropped, then fails: the queue is
    // drained before the thread ends.
    let mut last_group_len = 1;
    loop {
        let first = if refs.waiting() > 0 {
            match requests.recv_timeout(REFS_IDLE) {
                Ok(request) => request,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    refs.index_now(&conn);
                    continue;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        } else {
            match requests.recv() {
                Ok(request) => request,
                Err(_) => break,
            }
        };
        let mut group = Vec::with_capacity(last_group_len.max(16));
        group.push(first);
        while group.len() < MAX_GROUP {
            match requests.try_recv() {
                Ok(request) => group.push(request),
                Err(_) => break,
            }
        }
        // Under concurrent load, wait a little for the requests that usually come with a group, so
        // that one fsync covers them all (as PostgreSQL's commit_delay). A lone writer never waits.
        if last_group_len > 1 {
            let deadline = Instant::now() + GATHER_WINDOW;
            while group.len() < last_group_len.min(MAX_GROUP) {
                match requests.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                    Ok(request) => group.push(request),
                    Err(_) => break,
                }
            }
        }
        last_group_len = group.len();
        let (committed, slice) = commit_group(&conn, key, group, refs.building.as_ref());
        if let Some(committed) = committed {
            refs.committed(committed);
        }
        refs.slice_done(slice);
        // Groups so large that slices fall behind (a bulk of journaled writes): finish the run now
        // rather than let the tail that every search scans grow without bound.
        if refs.pending_refs >= REFS_LAG {
            refs.finish_run(&conn);
        }
        if refs.building.is_none() && refs.full() && !refs.start_run() {
            refs.index_batch(&conn);
        }
    }
    while refs.waiting() > 0 && refs.index_now(&conn) {}
    // On close SQLite checkpoints the WAL into the main file if this is the last connection.
    let _ = conn.close();
}

/// How far the journal is written and how far the look-up by object has caught up, as this
/// writer last saw them. Only a hint of when to index: each batch re-reads both under the write lock,
/// so another process writing to the file cannot make it skip or repeat entries.
struct RefsBacklog {
    indexed_through: u64,
    written_through: u64,
    /// The groups this writer committed since, as (last sequence number, refs): where a run of
    /// about [`REFS_BATCH`] refs should end. Entries other writers added are not in it; a run
    /// never covers more than [`REFS_BATCH`] entries either way.
    groups: std::collections::VecDeque<(u64, u64)>,
    /// The refs of `groups`.
    pending_refs: u64,
    /// The refs of the entries this writer committed and no run covers yet, in sequence order,
    /// and the sequence numbers they cover without a gap (first, last).
    kept: Vec<(String, u64)>,
    kept_span: Option<(u64, u64)>,
    /// The run being appended a slice per group commit, if any.
    building: Option<RunInProgress>,
}

/// A run of the look-up by object, appended a slice at a time.
struct RunInProgress {
    first_seq: u64,
    last_seq: u64,
    /// Its refs in object order, each once.
    refs: Vec<(String, u64)>,
    /// How many of `refs` are committed; the run is registered once any are.
    appended: usize,
}

/// What became of the slice of a run given to a group commit.
enum SliceOutcome {
    /// No run was being appended, or the group did not commit: nothing changed.
    Unchanged,
    /// `.0` more refs are committed.
    Appended(usize),
    /// The run cannot go on (another process appended the same entries, or a statement failed);
    /// the refs are read back from the journal later.
    Abandoned,
}

/// What one group commit wrote to the journal.
struct CommittedGroup {
    first_seq: u64,
    last_seq: u64,
    /// (object, sequence number): one for each entry's object and one per object it showed.
    refs: Vec<(String, u64)>,
}

impl RefsBacklog {
    fn read(conn: &Connection) -> Self {
        match read_refs_state(conn) {
            Ok((indexed_through, written_through)) => Self {
                indexed_through,
                written_through,
                groups: std::collections::VecDeque::new(),
                pending_refs: 0,
                kept: Vec::new(),
                kept_span: None,
                building: None,
            },
            Err(error) => {
                tracing::warn!(%error, "cannot read how far the journal's object look-up has caught up");
                Self {
                    indexed_through: 0,
                    written_through: 0,
                    groups: std::collections::VecDeque::new(),
                    pending_refs: 0,
                    kept: Vec::new(),
                    kept_span: None,
                    building: None,
                }
            }
        }
    }

    fn waiting(&self) -> u64 {
        self.written_through.saturating_sub(self.indexed_through)
    }

    fn committed(&mut self, group: CommittedGroup) {
        let refs = group.refs.len() as u64;
        self.written_through = self.written_through.max(group.last_seq);
        self.groups.push_back((group.last_seq, refs));
        self.pending_refs += refs;
        // Another process wrote entries in between: what is kept no longer joins up.
        self.kept_span = match self.kept_span {
            Some((first, last)) if last + 1 == group.first_seq => Some((first, group.last_seq)),
            _ => {
                self.kept.clear();
                Some((group.first_seq, group.last_seq))
            }
        };
        self.kept.extend(group.refs);
    }

    fn forget_kept(&mut self) {
        self.kept.clear();
        self.kept_span = None;
    }

    /// Whether a full run is waiting.
    fn full(&self) -> bool {
        self.waiting() >= REFS_BATCH || self.pending_refs >= REFS_BATCH
    }

    /// Where the next run should end: after the groups whose refs fit in [`REFS_BATCH`] (one group
    /// at least), or wherever the entries do when this writer did not write them all.
    fn run_end(&self) -> u64 {
        let mut refs = 0;
        let mut end = None;
        for (last_seq, group_refs) in &self.groups {
            if *last_seq <= self.indexed_through {
                continue;
            }
            refs += group_refs;
            if refs > REFS_BATCH && end.is_some() {
                break;
            }
            end = Some(*last_seq);
        }
        end.unwrap_or(self.written_through)
    }

    /// Takes the kept refs of the next run out of `kept`, to be appended a slice per group commit;
    /// false if this writer does not hold them all.
    fn start_run(&mut self) -> bool {
        let first_seq = self.indexed_through + 1;
        let last_seq = self
            .run_end()
            .clamp(first_seq, self.indexed_through + REFS_BATCH)
            .min(self.written_through);
        match self.kept_span {
            Some((first, last)) if first <= first_seq && last >= last_seq => {}
            _ => return false,
        }
        let end = self.kept.partition_point(|(_, seq)| *seq <= last_seq);
        let mut refs: Vec<(String, u64)> = self
            .kept
            .drain(..end)
            .filter(|(_, seq)| *seq >= first_seq)
            .collect();
        refs.sort_unstable();
        refs.dedup();
        self.kept_span = self
            .kept_span
            .filter(|(_, last)| *last > last_seq)
            .map(|(_, last)| (last_seq + 1, last));
        self.building = Some(RunInProgress {
            first_seq,
            last_seq,
            refs,
            appended: 0,
        });
        true
    }

    /// Records what the last group commit did with the run being appended.
    fn slice_done(&mut self, outcome: SliceOutcome) {
        match outcome {
            SliceOutcome::Unchanged => {}
            SliceOutcome::Appended(count) => {
                let Some(run) = &mut self.building else {
                    return;
                };
                run.appended += count;
                if run.appended >= run.refs.len() {
                    let last_seq = run.last_seq;
                    self.building = None;
                    self.indexed(last_seq, None);
                }
            }
            SliceOutcome::Abandoned => {
                self.building = None;
                self.forget_kept();
            }
        }
    }

    /// Appends what is left of the run being appended in a transaction of its own; false if it
    /// failed (the run is then abandoned).
    fn finish_run(&mut self, conn: &Connection) -> bool {
        let Some(run) = &self.building else {
            return true;
        };
        let outcome = exec(conn, "BEGIN IMMEDIATE")
            .sql()
            .and_then(|()| append_slice(conn, run, usize::MAX))
            .and_then(|count| exec(conn, "COMMIT").sql().map(|()| count));
        match outcome {
            Ok(count) => {
                self.slice_done(SliceOutcome::Appended(count));
                true
            }
            Err(error) => {
                rollback(conn);
                tracing::warn!(%error, "appending a run of the journal's object look-up failed; searches scan the tail");
                self.slice_done(SliceOutcome::Abandoned);
                false
            }
        }
    }

    /// Appends the next run in a transaction of its own (the writer is idle, or stopping): the run
    /// being appended, else one from the kept refs, else one read back from the journal.
    fn index_now(&mut self, conn: &Connection) -> bool {
        if self.building.is_some() || self.start_run() {
            self.finish_run(conn)
        } else {
            self.index_batch(conn)
        }
    }

    /// The entries through `indexed_through` are covered by complete runs.
    fn indexed(&mut self, indexed_through: u64, written_through: Option<u64>) {
        self.indexed_through = indexed_through;
        if let Some(written_through) = written_through {
            self.written_through = written_through;
        }
        let covered = self
            .kept
            .partition_point(|(_, seq)| *seq <= indexed_through);
        self.kept.drain(..covered);
        self.kept_span = match self.kept_span {
            Some((first, last)) if last > indexed_through => {
                Some((first.max(indexed_through + 1), last))
            }
            _ => None,
        };
        while let Some(&(last_seq, refs)) = self.groups.front() {
            if last_seq > indexed_through {
                break;
            }
            self.groups.pop_front();
            self.pending_refs -= refs;
        }
    }

    /// Appends a run of up to [`REFS_BATCH`] entries read back from the journal, in a transaction of
    /// its own; false if it failed (searches stay right, scanning a longer tail, and the next batch
    /// tries again).
    fn index_batch(&mut self, conn: &Connection) -> bool {
        match index_refs(conn, self.run_end()) {
            Ok((indexed_through, written_through)) => {
                self.indexed(indexed_through, Some(written_through));
                true
            }
            Err(error) => {
                rollback(conn);
                tracing::warn!(%error, "indexing the journal by object failed; searches scan the tail");
                // Wait for the next commit before trying again.
                self.indexed_through = self.written_through;
                self.groups.clear();
                self.pending_refs = 0;
                self.forget_kept();
                false
            }
        }
    }
}

/// The last entry the complete runs of the look-up by object cover (0 if none): searches scan the
/// journal itself after it, and a run being appended starts after it.
pub(crate) const INDEXED_THROUGH: &str =
    "SELECT COALESCE(MAX(last_seq), 0) FROM journal_ref_runs WHERE complete = 1";

/// (indexed through, written through), from the database: the end of the last complete run, and the
/// last entry.
fn read_refs_state(conn: &Connection) -> StoreResult<(u64, u64)> {
    let (indexed, written): (i64, i64) = conn
        .prepare_cached(&format!(
            "SELECT ({INDEXED_THROUGH}), (SELECT COALESCE(MAX(seq), 0) FROM journal)"
        ))
        .and_then(|mut statement| statement.query_row([], |row| Ok((row.get(0)?, row.get(1)?))))
        .sql()?;
    Ok((
        seq_from_sql(indexed, "journal_ref_runs")?,
        seq_from_sql(written, "journal")?,
    ))
}

/// One run: the entries after the last run up to `end` (but at least one, and at most
/// [`REFS_BATCH`]), read back from the journal in object order and appended under a new run.
/// Parsing the entries' `shown` back makes it dearer than a run from the writer's kept refs (8,192
/// refs: p50 9.6 ms against about 7 ms, session 22 in bench/RESULTS.md); it serves for entries
/// another process wrote, and after a restart.
fn index_refs(conn: &Connection, end: u64) -> StoreResult<(u64, u64)> {
    exec(conn, "BEGIN IMMEDIATE").sql()?;
    let (indexed, written) = read_refs_state(conn)?;
    drop_incomplete_runs(conn, indexed)?;
    let through = written.min(end.clamp(indexed + 1, indexed + REFS_BATCH));
    if through > indexed {
        let (first, last) = (seq_to_sql(indexed + 1)?, seq_to_sql(through)?);
        conn.prepare_cached("INSERT INTO journal_ref_runs (first_seq, last_seq) VALUES (?1, ?2)")
            .and_then(|mut statement| statement.execute(params![first, last]))
            .sql()?;
        conn.prepare_cached(
            "INSERT INTO journal_object_refs (run, object, seq) \
             SELECT ?1, object, seq FROM journal WHERE seq >= ?1 AND seq <= ?2 \
             UNION SELECT ?1, shown.value, journal.seq FROM journal, json_each(journal.shown) AS shown \
             WHERE journal.seq >= ?1 AND journal.seq <= ?2 AND journal.shown IS NOT NULL \
             ORDER BY 2, 3",
        )
        .and_then(|mut statement| statement.execute(params![first, last]))
        .sql()?;
    }
    exec(conn, "COMMIT").sql()?;
    Ok((through, written))
}

/// Deletes a run left incomplete after `indexed` (by a crash, or by a writer another process has
/// just overtaken): a new run starts there.
fn drop_incomplete_runs(conn: &Connection, indexed: u64) -> StoreResult<()> {
    let indexed = seq_to_sql(indexed)?;
    conn.prepare_cached("DELETE FROM journal_object_refs WHERE run > ?1")
        .and_then(|mut statement| statement.execute(params![indexed]))
        .and_then(|_| conn.prepare_cached("DELETE FROM journal_ref_runs WHERE first_seq > ?1"))
        .and_then(|mut statement| statement.execute(params![indexed]))
        .sql()?;
    Ok(())
}

/// Appends up to `limit` more refs of `run` in the open transaction, registering the run first and
/// marking it complete with its last refs; how many it appended. Fails if the run cannot go on:
/// another writer registered a run there, or the entries before it are no longer all indexed.
fn append_slice(conn: &Connection, run: &RunInProgress, limit: usize) -> StoreResult<usize> {
    let first = seq_to_sql(run.first_seq)?;
    if run.appended == 0 {
        let (indexed, _) = read_refs_state(conn)?;
        if indexed + 1 != run.first_seq {
            return Err(StoreError::Unavailable(format!(
                "the journal's object look-up ends at entry {indexed}, not where run {first} starts"
            )));
        }
        drop_incomplete_runs(conn, indexed)?;
        let last = seq_to_sql(run.last_seq)?;
        conn.prepare_cached(
            "INSERT INTO journal_ref_runs (first_seq, last_seq, complete) VALUES (?1, ?2, 0)",
        )
        .and_then(|mut statement| statement.execute(params![first, last]))
        .sql()?;
    } else {
        let ours: Option<i64> = conn
            .prepare_cached("SELECT complete FROM journal_ref_runs WHERE first_seq = ?1")
            .and_then(|mut statement| {
                statement
                    .query_row(params![first], |row| row.get(0))
                    .optional()
            })
            .sql()?;
        if ours != Some(0) {
            return Err(StoreError::Unavailable(format!(
                "run {first} of the journal's object look-up was taken over by another writer"
            )));
        }
    }
    let slice = run
        .refs
        .get(run.appended..)
        .unwrap_or_default()
        .iter()
        .take(limit)
        .map(|(object, seq)| (object.as_str(), *seq))
        .collect::<Vec<_>>();
    insert_refs(conn, first, &slice)?;
    if run.appended + slice.len() >= run.refs.len() {
        conn.prepare_cached("UPDATE journal_ref_runs SET complete = 1 WHERE first_seq = ?1")
            .and_then(|mut statement| statement.execute(params![first]))
            .sql()?;
    }
    Ok(slice.len())
}

/// Refs inserted by one statement when a run comes from memory.
const REFS_PER_INSERT: usize = 256;

/// Inserts `refs`, in object order and each once, under run `run`.
fn insert_refs(conn: &Connection, run: i64, refs: &[(&str, u64)]) -> StoreResult<()> {
    for chunk in refs.chunks(REFS_PER_INSERT) {
        let seqs = chunk
            .iter()
            .map(|(_, seq)| seq_to_sql(*seq))
            .collect::<StoreResult<Vec<i64>>>()?;
        let mut values: Vec<&dyn ToSql> = Vec::with_capacity(chunk.len() * 3);
        for ((object, _), seq) in chunk.iter().zip(&seqs) {
            values.extend([&run as &dyn ToSql, object as &dyn ToSql, seq as &dyn ToSql]);
        }
        let rows = vec!["(?, ?, ?)"; chunk.len()].join(", ");
        conn.prepare_cached(&format!(
            "INSERT INTO journal_object_refs (run, object, seq) VALUES {rows}"
        ))
        .and_then(|mut insert| insert.execute(values.as_slice()))
        .sql()?;
    }
    Ok(())
}

enum Work {
    Write(WriteBatch),
    Checkpoint(Checkpoint, Vec<u8>),
    Ping,
}

enum Reply {
    Seqs(oneshot::Sender<StoreResult<Vec<u64>>>),
    Done(oneshot::Sender<StoreResult<()>>),
}

/// Commits `group`, with the next slice of `run` if one is being appended, and answers its requests;
/// what it wrote to the journal, if anything, and what became of the slice.
fn commit_group(
    conn: &Connection,
    key: &JournalKey,
    group: Vec<Request>,
    run: Option<&RunInProgress>,
) -> (Option<CommittedGroup>, SliceOutcome) {
    let mut works = Vec::with_capacity(group.len());
    let mut replies = Vec::with_capacity(group.len());
    for request in group {
        match request {
            Request::Write { batch, reply } => {
                works.push(Work::Write(batch));
                replies.push(Reply::Seqs(reply));
            }
            Request::Checkpoint {
                checkpoint,
                frontier,
                reply,
            } => {
                works.push(Work::Checkpoint(checkpoint, frontier));
                replies.push(Reply::Done(reply));
            }
            Request::Ping { reply } => {
                works.push(Work::Ping);
                replies.push(Reply::Done(reply));
            }
        }
    }
    let mut refs = Vec::new();
    let (outcomes, slice) = run_transaction(conn, key, works, &mut refs, run);
    let written = || {
        outcomes
            .iter()
            .filter_map(|outcome| outcome.as_ref().ok())
            .flatten()
    };
    let committed = written()
        .min()
        .zip(written().max())
        .map(|(&first_seq, &last_seq)| CommittedGroup {
            first_seq,
            last_seq,
            refs,
        });
    for (reply, outcome) in replies.into_iter().zip(outcomes) {
        // A caller that stopped waiting (its task was cancelled) is not an error: what it asked for
        // is committed all the same.
        match reply {
            Reply::Seqs(reply) => drop(reply.send(outcome)),
            Reply::Done(reply) => drop(reply.send(outcome.map(|_| ()))),
        }
    }
    (committed, slice)
}

fn exec(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(|_| ())
}

fn unavailable(what: &str, error: rusqlite::Error) -> StoreError {
    match map(error) {
        StoreError::Corrupt(message) => StoreError::Corrupt(format!("{what}: {message}")),
        other => StoreError::Unavailable(format!("{what}: {other}")),
    }
}

fn rollback(conn: &Connection) {
    if !conn.is_autocommit() {
        let _ = exec(conn, "ROLLBACK");
    }
}

/// Runs one group in one transaction, then the next slice of `run` (in a savepoint: a failed slice
/// does not fail the group); one outcome per work, in order, and what became of the slice. `refs`
/// receives the refs of the journal entries committed (none if the commit failed).
fn run_transaction(
    conn: &Connection,
    key: &JournalKey,
    works: Vec<Work>,
    refs: &mut Vec<(String, u64)>,
    run: Option<&RunInProgress>,
) -> (Vec<StoreResult<Vec<u64>>>, SliceOutcome) {
    let count = works.len();
    if let Err(error) = exec(conn, "BEGIN IMMEDIATE") {
        let error = unavailable("cannot start a write transaction", error);
        rollback(conn);
        return (vec![Err(error); count], SliceOutcome::Unchanged);
    }
    let mut next_seq = match next_seq(conn) {
        Ok(next) => next,
        Err(error) => {
            rollback(conn);
            return (vec![Err(error); count], SliceOutcome::Unchanged);
        }
    };
    let changes_data = works
        .iter()
        .any(|work| matches!(work, Work::Write(batch) if !batch.mutations.is_empty()));
    let mut outcomes: Vec<StoreResult<Vec<u64>>> = Vec::with_capacity(count);
    let mut lost: Option<StoreError> = None;
    for work in works {
        if let Some(error) = &lost {
            outcomes.push(Err(error.clone()));
            continue;
        }
        // A batch of journal entries alone cannot fail on its own (no constraint to break): skip the
        // savepoint, whose page copies cost more than the inserts; any error then loses the group.
        let refs_before = refs.len();
        let (outcome, sound) = if is_journal_only(&work) {
            let outcome = apply(conn, key, next_seq, work, refs);
            let sound = outcome.is_ok();
            (outcome, sound)
        } else {
            in_savepoint(conn, |conn| apply(conn, key, next_seq, work, refs))
        };
        match &outcome {
            Ok(seqs) => next_seq += seqs.len() as u64,
            Err(_) => refs.truncate(refs_before),
        }
        if !sound {
            let reason = outcome
                .as_ref()
                .err()
                .map(ToString::to_string)
                .unwrap_or_default();
            lost = Some(StoreError::Unavailable(format!(
                "the write transaction was lost: {reason}"
            )));
        }
        outcomes.push(outcome);
    }
    // The read cache serves an answer only while the epoch has not moved (src/cache.rs): a group
    // that changes data must move it, or fail as a whole.
    if changes_data && lost.is_none() {
        if let Err(error) = bump_epoch(conn) {
            lost = Some(unavailable("cannot move the data epoch", error));
        }
    }
    let mut slice = SliceOutcome::Unchanged;
    if let (Some(run), None) = (run, &lost) {
        match in_savepoint(conn, |conn| append_slice(conn, run, REFS_SLICE)) {
            (Ok(appended), _) => slice = SliceOutcome::Appended(appended),
            (Err(error), sound) => {
                tracing::warn!(%error, "appending a run of the journal's object look-up failed; searches scan the tail");
                slice = SliceOutcome::Abandoned;
                if !sound {
                    lost = Some(StoreError::Unavailable(format!(
                        "the write transaction was lost: {error}"
                    )));
                }
            }
        }
    }
    let failure = match lost {
        Some(error) => {
            rollback(conn);
            Some(error)
        }
        None => match exec(conn, "COMMIT") {
            Ok(()) => None,
            Err(error) => {
                rollback(conn);
                Some(unavailable(
                    "the commit failed, nothing of this write was kept",
                    error,
                ))
            }
        },
    };
    match failure {
        None => (outcomes, slice),
        // What had succeeded is gone; what had failed keeps its own error (it was not written either).
        // A slice that failed is abandoned all the same; one that had succeeded is simply not there.
        Some(error) => {
            refs.clear();
            let slice = match slice {
                SliceOutcome::Abandoned => SliceOutcome::Abandoned,
                SliceOutcome::Unchanged | SliceOutcome::Appended(_) => SliceOutcome::Unchanged,
            };
            let outcomes = outcomes
                .into_iter()
                .map(|outcome| outcome.and_then(|_| Err(error.clone())))
                .collect();
            (outcomes, slice)
        }
    }
}

fn is_journal_only(work: &Work) -> bool {
    matches!(work, Work::Write(batch) if batch.mutations.is_empty())
}

fn next_seq(conn: &Connection) -> StoreResult<u64> {
    let last: i64 = conn
        .prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM journal")
        .and_then(|mut statement| statement.query_row([], |row| row.get(0)))
        .sql()?;
    Ok(seq_from_sql(last, "journal")? + 1)
}

/// Runs `work` inside a savepoint, rolled back if it fails. The flag is false when the enclosing
/// transaction is no longer usable (SQLite rolled it back, or the savepoint could not be undone).
fn in_savepoint<T>(
    conn: &Connection,
    work: impl FnOnce(&Connection) -> StoreResult<T>,
) -> (StoreResult<T>, bool) {
    if let Err(error) = exec(conn, "SAVEPOINT request") {
        return (Err(unavailable("cannot open a savepoint", error)), false);
    }
    match work(conn) {
        Ok(value) => match exec(conn, "RELEASE request") {
            Ok(()) => (Ok(value), true),
            Err(error) => (Err(unavailable("cannot release a savepoint", error)), false),
        },
        Err(error) => {
            if conn.is_autocommit() {
                return (Err(error), false);
            }
            let undone =
                exec(conn, "ROLLBACK TO request").and_then(|()| exec(conn, "RELEASE request"));
            (Err(error), undone.is_ok())
        }
    }
}

fn apply(
    conn: &Connection,
    key: &JournalKey,
    first_seq: u64,
    work: Work,
    refs: &mut Vec<(String, u64)>,
) -> StoreResult<Vec<u64>> {
    match work {
        Work::Write(batch) => {
            for mutation in &batch.mutations {
                apply_mutation(conn, mutation)?;
            }
            insert_entries(conn, key, first_seq, batch.journal, refs)
        }
        Work::Checkpoint(checkpoint, frontier) => {
            put_checkpoint(conn, &checkpoint, &frontier)?;
            Ok(Vec::new())
        }
        Work::Ping => Ok(Vec::new()),
    }
}

/// Journal entries inserted by one statement. The table's `BEFORE INSERT` trigger (no `REPLACE`
/// over an entry) makes SQLite copy every page an insert touches into a statement journal; one
/// statement for many entries copies each page once (measured: bench/RESULTS.md, session 20).
const ENTRIES_PER_INSERT: usize = 16;

/// Seals `drafts` as entries `first_seq`, `first_seq + 1`... and inserts them; their refs (object
/// and objects shown) go to `refs`.
fn insert_entries(
    conn: &Connection,
    key: &JournalKey,
    first_seq: u64,
    drafts: Vec<JournalDraft>,
    refs: &mut Vec<(String, u64)>,
) -> StoreResult<Vec<u64>> {
    let mut seqs = Vec::with_capacity(drafts.len());
    let mut drafts = drafts.into_iter();
    loop {
        let next = first_seq + seqs.len() as u64;
        let entries: Vec<JournalEntry> = drafts
            .by_ref()
            .take(ENTRIES_PER_INSERT)
            .enumerate()
            .map(|(offset, draft)| key.seal(next + offset as u64, draft))
            .collect();
        let Some(last) = entries.last().map(|entry| entry.seq) else {
            return Ok(seqs);
        };
        let seq_values = entries
            .iter()
            .map(|entry| seq_to_sql(entry.seq))
            .collect::<StoreResult<Vec<i64>>>()?;
        let labels: Vec<[&str; 2]> = entries
            .iter()
            .map(|entry| [entry.draft.action.as_str(), entry.draft.outcome.as_str()])
            .collect();
        let shown = entries
            .iter()
            .map(|entry| vigie_store::shown_to_json(&entry.draft.shown))
            .collect::<StoreResult<Vec<Option<String>>>>()?;
        let mut values: Vec<&dyn ToSql> = Vec::with_capacity(entries.len() * 12);
        for (((entry, seq), [action, outcome]), shown) in
            entries.iter().zip(&seq_values).zip(&labels).zip(&shown)
        {
            let draft = &entry.draft;
            values.extend([
                seq as &dyn ToSql,
                &draft.at_micros,
                &draft.actor,
                &draft.unit,
                action,
                &draft.object,
                &draft.motif,
                outcome,
                &draft.request_id,
                &entry.leaf_hash,
                &entry.mac,
                shown,
            ]);
        }
        let rows = vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"; entries.len()].join(", ");
        conn.prepare_cached(&format!(
            "INSERT INTO journal (seq, at_micros, actor, unit, action, object, motif, outcome, request_id, leaf_hash, mac, shown) \
             VALUES {rows}"
        ))
        .and_then(|mut insert| insert.execute(values.as_slice()))
        .map_err(|error| {
            in_context(error, |message| {
                format!("journal entries {next} to {last}: {message}")
            })
        })?;
        for entry in entries {
            seqs.push(entry.seq);
            refs.push((entry.draft.object, entry.seq));
            refs.extend(
                entry
                    .draft
                    .shown
                    .into_iter()
                    .map(|object| (object, entry.seq)),
            );
        }
    }
}

/// A constraint violation becomes a `Conflict` described by `describe` (given SQLite's message);
/// anything else is mapped as usual.
fn in_context(error: rusqlite::Error, describe: impl FnOnce(&str) -> String) -> StoreError {
    if is_constraint(&error) {
        let message = match &error {
            rusqlite::Error::SqliteFailure(failure, message) => {
                message.clone().unwrap_or_else(|| failure.to_string())
            }
            other => other.to_string(),
        };
        StoreError::Conflict(describe(&message))
    } else {
        map(error)
    }
}

fn apply_mutation(conn: &Connection, mutation: &Mutation) -> StoreResult<()> {
    match mutation {
        Mutation::PutUnit(unit) => {
            conn.prepare_cached(
                "INSERT INTO units (id, code, name, kind, territory, parent) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (id) DO UPDATE SET code = excluded.code, name = excluded.name, kind = excluded.kind,
                     territory = excluded.territory, parent = excluded.parent",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    id_text(unit.id.0),
                    unit.code,
                    unit.name,
                    unit.kind.as_str(),
                    unit.territory.to_storage(),
                    unit.parent.map(|parent| id_text(parent.0)),
                ])
            })
            .map_err(|error| {
                in_context(error, |message| {
                    if message.contains("units.code") {
                        format!("unit code {:?} is already used by another unit", unit.code)
                    } else {
                        format!("unit {} ({}): {message}", unit.code, unit.id)
                    }
                })
            })?;
        }
        Mutation::PutAccount(record) => put_account(conn, record)?,
        Mutation::InsertEntity(entity) => insert_entity(conn, entity)?,
        Mutation::UpdateEntity {
            entity,
            expected_version,
        } => update_entity(conn, entity, *expected_version)?,
        Mutation::InsertLink(link) => insert_link(conn, link)?,
        Mutation::PutSession(session) => put_session(conn, session)?,
        Mutation::DeleteSession { token_hash } => {
            conn.prepare_cached("DELETE FROM sessions WHERE token_hash = ?1")
                .and_then(|mut statement| statement.execute(params![token_hash]))
                .sql()?;
        }
        Mutation::DeleteSessionsOf { account } => {
            conn.prepare_cached("DELETE FROM sessions WHERE account = ?1")
                .and_then(|mut statement| statement.execute(params![id_text(account.0)]))
                .sql()?;
        }
        Mutation::PutTargets(writes) => crate::targets::put_targets(conn, writes)?,
        Mutation::DeleteTarget { id } => crate::targets::delete_target(conn, *id)?,
        Mutation::PutRecord(record) => crate::targets::put_record(conn, record)?,
        Mutation::PutRecordIf { record, read } => {
            crate::targets::put_record_if(conn, record, read.as_deref())?
        }
        Mutation::DeleteRecord { kind, id } => crate::targets::delete_record(conn, kind, id)?,
        Mutation::PutIntelItem(record) => crate::intel::put_intel_item(conn, record)?,
    }
    Ok(())
}

fn put_account(conn: &Connection, record: &AccountRecord) -> StoreResult<()> {
    let account = &record.account;
    conn.prepare_cached(
        "INSERT INTO accounts (id, username, display_name, role, unit, disabled, password_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (id) DO UPDATE SET username = excluded.username, display_name = excluded.display_name,
             role = excluded.role, unit = excluded.unit, disabled = excluded.disabled,
             password_hash = excluded.password_hash",
    )
    .and_then(|mut statement| {
        statement.execute(params![
            id_text(account.id.0),
            account.username,
            account.display_name,
            account.role.as_str(),
            id_text(account.unit.0),
            account.disabled,
            record.password_hash,
        ])
    })
    .map_err(|error| {
        in_context(error, |message| {
            if message.contains("accounts.username") {
                format!("username {:?} is already taken by another account", account.username)
            } else if message.contains("FOREIGN KEY") {
                format!("account {:?}: its unit {} does not exist", account.username, account.unit)
            } else {
                format!("account {:?}: {message}", account.username)
            }
        })
    })?;
    Ok(())
}

/// The entity's columns after `id`, as parameters ?2..?12.
fn entity_params(entity: &Entity) -> StoreResult<[Box<dyn rusqlite::ToSql>; 12]> {
    let provenance = &entity.provenance;
    Ok([
        Box::new(id_text(entity.id.0)),
        Box::new(entity.schema.as_str()),
        Box::new(properties_to_sql(&entity.properties)?),
        Box::new(id_text(entity.owner_unit.0)),
        Box::new(entity.departement.clone()),
        Box::new(entity.regime.as_str()),
        Box::new(id_text(provenance.recorded_by.0)),
        Box::new(id_text(provenance.unit.0)),
        Box::new(provenance.source.clone()),
        Box::new(instant_to_sql(provenance.recorded_at)?),
        Box::new(entity.version),
        Box::new(entity.search_key()),
    ])
}

fn insert_entity(conn: &Connection, entity: &Entity) -> StoreResult<()> {
    let values = entity_params(entity)?;
    conn.prepare_cached(
        "INSERT INTO entities (id, schema, properties, owner_unit, departement, regime, recorded_by, provenance_unit,
             provenance_source, recorded_at, version, search_key, changed)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, (SELECT COALESCE(MAX(changed), 0) + 1 FROM entities))",
    )
    .and_then(|mut statement| statement.execute(rusqlite::params_from_iter(values.iter())))
    .map_err(|error| {
        in_context(error, |message| {
            if message.contains("entities.id") {
                format!("entity {} already exists", entity.id)
            } else {
                format!("entity {}: {message}", entity.id)
            }
        })
    })?;
    Ok(())
}

fn update_entity(conn: &Connection, entity: &Entity, expected_version: i64) -> StoreResult<()> {
    if Some(entity.version) != expected_version.checked_add(1) {
        return Err(StoreError::Internal(format!(
            "update of entity {}: the new version must be {expected_version} + 1, got {}",
            entity.id, entity.version
        )));
    }
    let values = entity_params(entity)?;
    let changed = conn
        .prepare_cached(
            "UPDATE entities SET schema = ?2, properties = ?3, owner_unit = ?4, departement = ?5, regime = ?6,
                 recorded_by = ?7, provenance_unit = ?8, provenance_source = ?9, recorded_at = ?10, version = ?11,
                 search_key = ?12, changed = (SELECT MAX(changed) + 1 FROM entities)
             WHERE id = ?1 AND version = ?13",
        )
        .and_then(|mut statement| {
            let expected: Box<dyn rusqlite::ToSql> = Box::new(expected_version);
            statement.execute(rusqlite::params_from_iter(values.iter().chain(std::iter::once(&expected))))
        })
        .map_err(|error| in_context(error, |message| format!("entity {}: {message}", entity.id)))?;
    if changed == 1 {
        return Ok(());
    }
    let stored: Option<i64> = conn
        .prepare_cached("SELECT version FROM entities WHERE id = ?1")
        .and_then(|mut statement| {
            statement
                .query_row(params![id_text(entity.id.0)], |row| row.get(0))
                .optional()
        })
        .sql()?;
    Err(StoreError::Conflict(match stored {
        None => format!("entity {} does not exist: nothing to update", entity.id),
        Some(version) => format!(
            "entity {} was changed meanwhile: its version is {version}, the update expected {expected_version}",
            entity.id
        ),
    }))
}

fn insert_link(conn: &Connection, link: &Link) -> StoreResult<()> {
    let provenance = &link.provenance;
    conn.prepare_cached(
        "INSERT INTO links (id, kind, source, target, start_date, end_date, owner_unit, departement, regime,
             recorded_by, provenance_unit, provenance_source, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )
    .and_then(|mut statement| {
        statement.execute(params![
            id_text(link.id.0),
            link.kind.as_str(),
            id_text(link.source.0),
            id_text(link.target.0),
            date_to_sql(link.start).map_err(to_sql_error)?,
            date_to_sql(link.end).map_err(to_sql_error)?,
            id_text(link.owner_unit.0),
            link.departement,
            link.regime.as_str(),
            id_text(provenance.recorded_by.0),
            id_text(provenance.unit.0),
            provenance.source,
            instant_to_sql(provenance.recorded_at).map_err(to_sql_error)?,
        ])
    })
    .map_err(|error| {
        in_context(error, |message| {
            if message.contains("links.id") {
                format!("link {} already exists", link.id)
            } else if message.contains("FOREIGN KEY") {
                format!("link {}: entity {} or {} does not exist", link.id, link.source, link.target)
            } else {
                format!("link {}: {message}", link.id)
            }
        })
    })?;
    Ok(())
}

fn to_sql_error(error: StoreError) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(error))
}

fn put_session(conn: &Connection, session: &SessionRecord) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO sessions (token_hash, account, unit, created_at_micros, expires_at_micros)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (token_hash) DO UPDATE SET account = excluded.account, unit = excluded.unit,
             created_at_micros = excluded.created_at_micros, expires_at_micros = excluded.expires_at_micros",
    )
    .and_then(|mut statement| {
        statement.execute(params![
            session.token_hash,
            id_text(session.account.0),
            id_text(session.unit.0),
            session.created_at_micros,
            session.expires_at_micros,
        ])
    })
    .map_err(|error| {
        in_context(error, |message| {
            if message.contains("FOREIGN KEY") {
                format!("session: account {} does not exist", session.account)
            } else {
                format!("session: {message}")
            }
        })
    })?;
    Ok(())
}

/// Stores a checkpoint. Storing the same checkpoint again is accepted (signatures are deterministic);
/// a different one for a size already stored is a `Conflict`. (The look-up comes first: the
/// append-only trigger refuses any insert of an existing size, even one that would do nothing.)
fn put_checkpoint(conn: &Connection, checkpoint: &Checkpoint, frontier: &[u8]) -> StoreResult<()> {
    let size = seq_to_sql(checkpoint.size)?;
    let stored = conn
        .prepare_cached(&format!(
            "SELECT {CHECKPOINT_COLUMNS} FROM journal_checkpoints WHERE size = ?1"
        ))
        .sql()?
        .query_row(params![size], |row| Ok(crate::codec::checkpoint(row)))
        .optional()
        .sql()?
        .transpose()?;
    match stored {
        Some((stored, stored_frontier)) if stored == *checkpoint && stored_frontier == frontier => {
            Ok(())
        }
        Some(_) => Err(StoreError::Conflict(format!(
            "a different checkpoint is already stored for journal size {}",
            checkpoint.size
        ))),
        None => {
            conn.prepare_cached("INSERT INTO journal_checkpoints (size, root, signature, frontier) VALUES (?1, ?2, ?3, ?4)")
                .and_then(|mut statement| {
                    statement.execute(params![size, &checkpoint.root[..], &checkpoint.signature[..], frontier])
                })
                .map_err(|error| {
                    in_context(error, |message| format!("checkpoint at journal size {}: {message}", checkpoint.size))
                })?;
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_core::journal::{JournalAction, Outcome};

    fn object(n: u128) -> String {
        format!("entity:{}", uuid::Uuid::from_u128(0x3000 + n))
    }

    /// Entry `i` names object `i % 7` and shows objects `i % 5` and `i % 3` (so some entries show
    /// their own object, or the same object twice).
    fn draft(i: usize) -> JournalDraft {
        JournalDraft {
            at_micros: 1_710_236_400_000_000 + i as i64,
            actor: "account:00000000-0000-0000-0000-000000002001".to_owned(),
            unit: "unit:00000000-0000-0000-0000-000000001001".to_owned(),
            action: JournalAction::Consult,
            object: object((i % 7) as u128),
            motif: "Enquête 2024/117".to_owned(),
            outcome: Outcome::Allow,
            request_id: format!("req-{i}"),
            shown: if i.is_multiple_of(4) {
                Vec::new()
            } else {
                vec![object((i % 5) as u128), object((i % 3) as u128)]
            },
        }
    }

    fn database() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::migrate::migrate(&mut conn, true).unwrap();
        conn
    }

    /// Commits `groups` (each a number of entries) as separate group commits; their refs, in order.
    fn commit(conn: &Connection, groups: &[usize]) -> Vec<CommittedGroup> {
        let key = JournalKey::from_seed([7; 32]);
        let mut next = 0;
        groups
            .iter()
            .map(|&count| {
                let batch = WriteBatch {
                    mutations: vec![],
                    journal: (next..next + count).map(draft).collect(),
                };
                next += count;
                let mut refs = Vec::new();
                let (outcomes, _) =
                    run_transaction(conn, &key, vec![Work::Write(batch)], &mut refs, None);
                let seqs = outcomes.into_iter().next().unwrap().unwrap();
                CommittedGroup {
                    first_seq: seqs[0],
                    last_seq: *seqs.last().unwrap(),
                    refs,
                }
            })
            .collect()
    }

    fn runs(conn: &Connection) -> Vec<(i64, String, i64)> {
        let mut statement = conn
            .prepare("SELECT run, object, seq FROM journal_object_refs ORDER BY run, object, seq")
            .unwrap();
        let rows = statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .unwrap();
        rows.map(Result::unwrap).collect()
    }

    #[test]
    fn a_run_from_kept_refs_holds_what_a_run_read_back_from_the_journal_holds() {
        let (kept, read_back) = (database(), database());
        let mut backlog = RefsBacklog::read(&kept);
        for group in commit(&kept, &[5, 12, 3]) {
            backlog.committed(group);
        }
        commit(&read_back, &[5, 12, 3]);
        assert!(backlog.start_run());
        assert!(backlog.finish_run(&kept));
        assert_eq!(backlog.indexed_through, 20);
        assert!(backlog.kept.is_empty());
        index_refs(&read_back, 20).unwrap();
        let rows = runs(&kept);
        assert_eq!(rows, runs(&read_back));
        // Each entry once under its object and once per other object shown.
        let expected: usize = (0..20)
            .map(|i| {
                let mut objects = vec![i % 7];
                if i % 4 != 0 {
                    objects.extend([i % 5, i % 3]);
                }
                objects.sort_unstable();
                objects.dedup();
                objects.len()
            })
            .sum();
        assert_eq!(rows.len(), expected);
    }

    #[test]
    fn refs_kept_across_a_gap_are_not_used_for_entries_another_process_wrote() {
        let conn = database();
        let mut backlog = RefsBacklog::read(&conn);
        let mut groups = commit(&conn, &[4, 3, 5]).into_iter();
        // This writer committed entries 1–4, another process 5–7, this writer 8–12.
        backlog.committed(groups.next().unwrap());
        groups.next();
        backlog.committed(groups.next().unwrap());
        assert_eq!(backlog.kept_span, Some((8, 12)));
        assert!(backlog.kept.iter().all(|(_, seq)| (8..=12).contains(seq)));
        // No run from memory: the run of entries 1–12 reads them back from the journal, and its
        // refs are complete.
        assert!(!backlog.start_run());
        assert!(backlog.index_now(&conn));
        assert_eq!(backlog.indexed_through, 12);
        let indexed: std::collections::BTreeSet<i64> =
            runs(&conn).iter().map(|row| row.2).collect();
        assert_eq!(indexed, (1..=12).collect());
        assert!(backlog.kept.is_empty());
        assert_eq!(backlog.kept_span, None);
    }

    /// Appends the next `limit` refs of the run being built, as a group commit would.
    fn append(conn: &Connection, backlog: &mut RefsBacklog, limit: usize) -> SliceOutcome {
        let run = backlog.building.as_ref().unwrap();
        exec(conn, "BEGIN IMMEDIATE").unwrap();
        let outcome = match append_slice(conn, run, limit) {
            Ok(count) => SliceOutcome::Appended(count),
            Err(_) => SliceOutcome::Abandoned,
        };
        exec(conn, "COMMIT").unwrap();
        outcome
    }

    /// How many entries a search of the journal by `object` finds.
    fn found_under(conn: &Connection, object: &str) -> usize {
        let query = vigie_store::JournalQuery {
            object: Some(object.to_owned()),
            limit: 1_000,
            ..vigie_store::JournalQuery::default()
        };
        crate::search_journal(conn, &query).unwrap().len()
    }

    #[test]
    fn a_run_appended_in_slices_counts_once_complete_and_searches_never_miss_an_entry() {
        let (sliced, whole) = (database(), database());
        let mut backlog = RefsBacklog::read(&sliced);
        for group in commit(&sliced, &[30, 30]) {
            backlog.committed(group);
        }
        commit(&whole, &[30, 30]);
        let before: Vec<usize> = (0..7).map(|n| found_under(&sliced, &object(n))).collect();
        assert!(backlog.start_run());
        let refs = backlog.building.as_ref().unwrap().refs.len();
        assert!(refs > 100, "{refs} refs");
        let mut slices = 0;
        while backlog.building.is_some() {
            let outcome = append(&sliced, &mut backlog, 40);
            assert!(matches!(outcome, SliceOutcome::Appended(_)));
            backlog.slice_done(outcome);
            slices += 1;
            let complete = backlog.building.is_none();
            // Until its last slice the run does not count: the frontier stays before it, the
            // search scans the entries as a tail, and the check finds nothing wrong.
            assert_eq!(
                read_refs_state(&sliced).unwrap().0,
                if complete { 60 } else { 0 }
            );
            let now: Vec<usize> = (0..7).map(|n| found_under(&sliced, &object(n))).collect();
            assert_eq!(now, before, "after slice {slices}");
            assert_eq!(
                crate::integrity_problems(&sliced).unwrap(),
                Vec::<String>::new()
            );
        }
        assert_eq!(slices, refs.div_ceil(40));
        assert_eq!(backlog.indexed_through, 60);
        assert_eq!(backlog.pending_refs, 0);
        index_refs(&whole, 60).unwrap();
        assert_eq!(runs(&sliced), runs(&whole));
    }

    #[test]
    fn a_run_left_incomplete_is_replaced_by_the_next_writer_and_its_owner_gives_up() {
        let conn = database();
        let mut first = RefsBacklog::read(&conn);
        for group in commit(&conn, &[30, 30]) {
            first.committed(group);
        }
        assert!(first.start_run());
        let outcome = append(&conn, &mut first, 40);
        first.slice_done(outcome);
        assert!(first.building.is_some());
        // Another process (or this one after a crash) indexes the same entries from the journal.
        let mut second = RefsBacklog::read(&conn);
        assert_eq!(second.waiting(), 60);
        assert!(second.index_batch(&conn));
        assert_eq!(second.indexed_through, 60);
        // The first writer finds its run gone and stops; the refs are those of one complete run.
        let outcome = append(&conn, &mut first, 40);
        assert!(matches!(outcome, SliceOutcome::Abandoned));
        first.slice_done(outcome);
        assert!(first.building.is_none());
        assert_eq!(
            crate::integrity_problems(&conn).unwrap(),
            Vec::<String>::new()
        );
        let run_starts: std::collections::BTreeSet<i64> =
            runs(&conn).iter().map(|row| row.0).collect();
        assert_eq!(run_starts.into_iter().collect::<Vec<_>>(), vec![1]);
        let complete: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM journal_ref_runs WHERE complete = 1",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(complete, 1);
    }
}
