//! Group-commit throughput of the PostgreSQL store: 20,000 single-entry journal writes from 64
//! concurrent tasks, in a fresh schema on the server named by `VIGIE_TEST_PG_URL`, then a check that
//! the whole journal verifies.
//!
//! Run with `source .ci/postgres.sh && cargo bench -p vigie-store-postgres --bench group_commit`
//! (or `bench/store-throughput.sh`). Without `VIGIE_TEST_PG_URL` it exits with an error.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Benchmark code: a failure aborts the run.

use std::sync::Arc;
use std::time::Instant;
use uuid::Uuid;
use vigie_core::journal::{JournalAction, JournalDraft, JournalKey, Outcome, Verifier};
use vigie_core::org::{Account, AccountId, Role, Territory, Unit, UnitId, UnitKind};
use vigie_store::{AccountRecord, Mutation, OpenOptions, Store, WriteBatch};
use vigie_store_postgres::PostgresStore;

const WRITES: usize = 20_000;
const TASKS: usize = 64;
const T0: i64 = 1_735_689_600_000_000; // 2025-01-01T00:00:00Z in microseconds

fn key() -> Arc<JournalKey> {
    Arc::new(JournalKey::from_seed([7; 32]))
}

fn draft(index: usize, motif: &str) -> JournalDraft {
    JournalDraft {
        at_micros: T0 + i64::try_from(index).unwrap(),
        actor: format!("account:{}", Uuid::from_u128(0x2001)),
        unit: format!("unit:{}", Uuid::from_u128(0x1001)),
        action: if index % 2 == 0 {
            JournalAction::Consult
        } else {
            JournalAction::Search
        },
        object: format!("entity:{}", Uuid::from_u128(0x3000 + (index % 5) as u128)),
        motif: motif.to_owned(),
        outcome: if index % 7 == 0 {
            Outcome::Deny
        } else {
            Outcome::Allow
        },
        request_id: format!("req-{index}"),
        shown: Vec::new(),
    }
}

/// Sets up one unit and one account, as the tests do.
async fn seed(store: &PostgresStore) {
    let unit = Unit {
        id: UnitId(Uuid::from_u128(0x1001)),
        code: "CROSS-13".to_owned(),
        name: "Unité CROSS-13".to_owned(),
        kind: UnitKind::Cross,
        territory: Territory::departements(["13", "84"]),
        parent: None,
    };
    let account = AccountRecord {
        account: Account {
            id: AccountId(Uuid::from_u128(0x2001)),
            username: "a.martin".to_owned(),
            display_name: "Agent a.martin".to_owned(),
            role: Role::CrossAnalyst,
            unit: unit.id,
            disabled: false,
        },
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2VsJA$aGFzaA".to_owned(),
    };
    store
        .write(WriteBatch {
            mutations: vec![Mutation::PutUnit(unit), Mutation::PutAccount(account)],
            journal: vec![draft(0, "mise en place")],
        })
        .await
        .unwrap();
}

/// Checks the whole journal: numbered 1..=len, and every seal verifies with the key.
async fn verify_journal(store: &PostgresStore) -> u64 {
    let len = store.journal_len().await.unwrap();
    let key = key();
    let mut verifier = Verifier::new(&key, Vec::new());
    let mut next = 1;
    loop {
        let page = store.journal_range(next, 500).await.unwrap();
        let Some(last) = page.last() else { break };
        next = last.seq + 1;
        for entry in &page {
            assert!(verifier.push(entry), "entry {} does not verify", entry.seq);
        }
    }
    assert_eq!(verifier.finish(), Ok(len), "the journal verifies");
    len
}

fn main() {
    let Some(url) = std::env::var("VIGIE_TEST_PG_URL")
        .ok()
        .filter(|url| !url.is_empty())
    else {
        eprintln!("VIGIE_TEST_PG_URL is not set: source .ci/postgres.sh first (or point it at a PostgreSQL database)");
        std::process::exit(2);
    };
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(run(&url));
}

async fn run(url: &str) {
    let options = OpenOptions {
        journal_key: key(),
        migrate: true,
    };
    let store = Arc::new(
        PostgresStore::open_isolated_for_tests(url, options)
            .await
            .unwrap(),
    );
    seed(&store).await;
    let started = Instant::now();
    let tasks: Vec<_> = (0..TASKS)
        .map(|task| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                for index in (task..WRITES).step_by(TASKS) {
                    let batch = WriteBatch {
                        mutations: Vec::new(),
                        journal: vec![draft(index, "Enquête 2025/117 — vérification")],
                    };
                    store.write(batch).await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let elapsed = started.elapsed();
    println!(
        "{WRITES} single-entry journal writes from {TASKS} tasks in {:.2} s: {:.0} writes/s",
        elapsed.as_secs_f64(),
        WRITES as f64 / elapsed.as_secs_f64()
    );
    assert_eq!(verify_journal(&store).await, 1 + WRITES as u64);
    store.close().await;
}
