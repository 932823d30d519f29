//! Write throughput of the SQLite store: group commit (20,000 single-entry journaled writes from
//! `VIGIE_BENCH_TASKS` concurrent tasks, 64 by default), then one writer task (one commit, one
//! fsync per request, through the whole stack), then raw rusqlite with one transaction per row
//! (WAL, synchronous=FULL) on the same disk and table.
//!
//! Run with `cargo bench -p vigie-store-sqlite --bench throughput` (or `bench/store-throughput.sh`).
//! The files go to `VIGIE_BENCH_DIR`, or the target directory, which is on the project's disk (a
//! tmpfs would make fsync free and the figures meaningless).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Benchmark code: a failure aborts the run.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;
use vigie_core::journal::{JournalAction, JournalDraft, Outcome};
use vigie_store::{OpenOptions, Store, WriteBatch};
use vigie_store_sqlite::SqliteStore;
use vigie_store_tests::test_key;

fn db_path(dir: &tempfile::TempDir, name: &str) -> String {
    dir.path().join(name).to_str().unwrap().to_owned()
}

async fn open(path: &str) -> SqliteStore {
    let options = OpenOptions {
        journal_key: test_key(),
        migrate: true,
    };
    SqliteStore::open(path, options).await.unwrap()
}

fn draft(index: usize) -> JournalDraft {
    JournalDraft {
        at_micros: 1_710_236_400_000_000 + index as i64,
        actor: "account:00000000-0000-0000-0000-000000002001".to_owned(),
        unit: "unit:00000000-0000-0000-0000-000000001001".to_owned(),
        action: JournalAction::Consult,
        object: format!("entity:{}", uuid::Uuid::from_u128(0x3000 + index as u128)),
        motif: "Enquête 2024/117".to_owned(),
        outcome: Outcome::Allow,
        request_id: format!("req-{index}"),
        shown: Vec::new(),
    }
}

fn journal_one(index: usize) -> WriteBatch {
    WriteBatch {
        mutations: vec![],
        journal: vec![draft(index)],
    }
}

fn main() {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(run());
}

async fn run() {
    let base = std::env::var("VIGIE_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_TARGET_TMPDIR")));
    std::fs::create_dir_all(&base).unwrap();
    let dir = tempfile::tempdir_in(&base).unwrap();
    println!("files in {}", dir.path().display());

    // Group commit: 20,000 single-entry writes from 64 concurrent tasks.
    let store = Arc::new(open(&db_path(&dir, "group.db")).await);
    let total = 20_000usize;
    let tasks: usize = std::env::var("VIGIE_BENCH_TASKS")
        .ok()
        .and_then(|tasks| tasks.parse().ok())
        .unwrap_or(64);
    let started = Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|task| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                for i in (task..total).step_by(tasks) {
                    store.write(journal_one(i)).await.unwrap();
                }
            })
        })
        .collect();
    for handle in handles {
        handle.await.unwrap();
    }
    let elapsed = started.elapsed();
    assert_eq!(store.journal_len().await.unwrap(), total as u64);
    println!(
        "group commit: {total} journaled writes from {tasks} tasks in {:.2} s = {:.0} writes/s",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64()
    );
    store.close().await;

    // The same store, one task: one commit (one fsync) per request, through the whole stack.
    let store = open(&db_path(&dir, "single.db")).await;
    let count = 3_000;
    let started = Instant::now();
    for i in 0..count {
        store.write(journal_one(i)).await.unwrap();
    }
    let elapsed = started.elapsed();
    println!(
        "store, one writer task: {count} writes in {:.2} s = {:.0} writes/s",
        elapsed.as_secs_f64(),
        count as f64 / elapsed.as_secs_f64()
    );
    store.close().await;

    // Raw SQLite, one transaction per row, WAL + synchronous=FULL, same disk, same table.
    let path = db_path(&dir, "raw.db");
    open(&path).await.close().await;
    let raw = rusqlite::Connection::open(&path).unwrap();
    let mode: String = raw
        .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    raw.execute_batch("PRAGMA synchronous = FULL").unwrap();
    let key = test_key();
    let started = Instant::now();
    for i in 0..count {
        let entry = key.seal(i as u64 + 1, draft(i));
        raw.execute_batch("BEGIN IMMEDIATE").unwrap();
        raw.prepare_cached(
            "INSERT INTO journal (seq, at_micros, actor, unit, action, object, motif, outcome, request_id, leaf_hash, mac)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )
        .unwrap()
        .execute(rusqlite::params![
            entry.seq as i64,
            entry.draft.at_micros,
            entry.draft.actor,
            entry.draft.unit,
            entry.draft.action.as_str(),
            entry.draft.object,
            entry.draft.motif,
            entry.draft.outcome.as_str(),
            entry.draft.request_id,
            &entry.leaf_hash[..],
            &entry.mac[..],
        ])
        .unwrap();
        raw.execute_batch("COMMIT").unwrap();
    }
    let elapsed = started.elapsed();
    println!(
        "raw SQLite, one commit per row (synchronous=FULL): {count} rows in {:.2} s = {:.0} rows/s",
        elapsed.as_secs_f64(),
        count as f64 / elapsed.as_secs_f64()
    );
}
