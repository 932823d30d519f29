//! The SQLite backend's tests: the shared conformance story, then what only SQLite guarantees
//! (append-only triggers, corruption and schema checks on open, group commit isolating failures,
//! close draining the queue). The throughput figures are a benchmark: `benches/throughput.rs`.

// Test code: helpers outside #[test] functions may fail loudly too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::sync::Arc;
use time::macros::datetime;
use vigie_core::entity::{
    Entity, EntityId, LegalRegime, Link, LinkId, LinkKind, Provenance, Schema,
};
use vigie_core::journal::{Frontier, JournalAction, JournalDraft, Outcome, Verifier};
use vigie_core::org::{Account, AccountId, Role, Territory, Unit, UnitId, UnitKind};
use vigie_store::{AccountRecord, Mutation, OpenOptions, Store, StoreError, WriteBatch};
use vigie_store_sqlite::SqliteStore;
use vigie_store_tests::{run_story, test_key};

fn options() -> OpenOptions {
    OpenOptions {
        journal_key: test_key(),
        migrate: true,
    }
}

fn db_path(dir: &tempfile::TempDir, name: &str) -> String {
    dir.path().join(name).to_str().unwrap().to_owned()
}

async fn open(path: &str) -> SqliteStore {
    SqliteStore::open(path, options()).await.unwrap()
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

fn journal_only(drafts: usize, offset: usize) -> WriteBatch {
    WriteBatch {
        mutations: vec![],
        journal: (0..drafts).map(|i| draft(offset + i)).collect(),
    }
}

fn unit(n: u128, code: &str) -> Unit {
    Unit {
        id: UnitId(uuid::Uuid::from_u128(n)),
        code: code.to_owned(),
        name: format!("Unité {code}"),
        kind: UnitKind::Police,
        territory: Territory::departements(["13"]),
        parent: None,
    }
}

fn account(n: u128, username: &str, unit: UnitId) -> AccountRecord {
    AccountRecord {
        account: Account {
            id: AccountId(uuid::Uuid::from_u128(n)),
            username: username.to_owned(),
            display_name: username.to_owned(),
            role: Role::Agent,
            unit,
            disabled: false,
        },
        password_hash: "$argon2id$test".to_owned(),
    }
}

fn person(n: u128, name: &str, unit: UnitId) -> Entity {
    let mut properties = vigie_core::entity::Properties::new();
    properties.insert("name".to_owned(), vec![name.to_owned()]);
    Entity {
        id: EntityId(uuid::Uuid::from_u128(n)),
        schema: Schema::Person,
        properties,
        owner_unit: unit,
        departement: Some("13".to_owned()),
        regime: LegalRegime::Judicial,
        provenance: Provenance {
            recorded_by: AccountId(uuid::Uuid::from_u128(0x2001)),
            unit,
            source: "test".to_owned(),
            recorded_at: datetime!(2024-03-12 09:40 UTC),
        },
        version: 1,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_story() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&db_path(&dir, "story.db")).await;
    run_story(Arc::new(store)).await;
}

#[tokio::test]
async fn in_memory_databases_are_refused() {
    for path in [":memory:", "file::memory:?cache=shared", ""] {
        match SqliteStore::open(path, options()).await {
            Err(StoreError::InvalidUrl(message)) => assert!(message.contains("file"), "{message}"),
            other => panic!("{path:?}: {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_journal_is_append_only_in_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir, "append-only.db");
    let store = open(&path).await;
    store.write(journal_only(3, 0)).await.unwrap();
    let key = test_key();
    let mut frontier = Frontier::new();
    for entry in store.journal_range(1, 10).await.unwrap() {
        frontier.push(entry.leaf_hash);
    }
    store
        .put_checkpoint(&key.sign_checkpoint(3, frontier.root()), &frontier)
        .await
        .unwrap();

    // A separate connection, as an intruder with the file would have, while the store is open.
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    for sql in [
        "UPDATE journal SET motif = 'rien à voir' WHERE seq = 2",
        "DELETE FROM journal WHERE seq = 3",
        "DELETE FROM journal",
        "UPDATE journal_checkpoints SET size = 2",
        "DELETE FROM journal_checkpoints",
        "INSERT OR REPLACE INTO journal (seq, at_micros, actor, unit, action, object, motif, outcome, request_id, leaf_hash, mac)
         SELECT seq, at_micros, actor, unit, action, object, 'réécrit', outcome, request_id, leaf_hash, mac FROM journal WHERE seq = 1",
    ] {
        let error = raw.execute(sql, []).expect_err(sql);
        assert!(error.to_string().contains("journal is append-only"), "{sql}: {error}");
    }
    drop(raw);
    // Nothing changed: the journal still verifies against its checkpoint.
    let entries = store.journal_range(1, 10).await.unwrap();
    assert_eq!(entries.len(), 3);
    let mut verifier = Verifier::new(&key, store.checkpoints().await.unwrap());
    assert!(entries.iter().all(|entry| verifier.push(entry)));
    assert_eq!(verifier.finish(), Ok(3));
    store.close().await;

    // And after the store is closed.
    let raw = rusqlite::Connection::open(&path).unwrap();
    assert!(raw.execute("DELETE FROM journal", []).is_err());
    let count: i64 = raw
        .query_row("SELECT COUNT(*) FROM journal", [], |row| row.get(0))
        .unwrap();
    assert_eq!(count, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_trigger_is_an_integrity_problem() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir, "trigger.db");
    let store = open(&path).await;
    assert_eq!(store.integrity_check().await.unwrap(), Vec::<String>::new());
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute_batch("DROP TRIGGER journal_no_delete").unwrap();
    drop(raw);
    let problems = store.integrity_check().await.unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("journal_no_delete"), "{problems:?}");
    store.close().await;
}

/// Writes a store with some content and closes it, so that the file holds everything (no WAL).
async fn write_some(path: &str) {
    let store = open(path).await;
    let marseille = unit(0x1001, "SR-MARSEILLE");
    let mut mutations = vec![Mutation::PutUnit(marseille.clone())];
    for n in 0..200u128 {
        mutations.push(Mutation::InsertEntity(person(
            0x3000 + n,
            &format!("Personne fictive numéro {n}"),
            marseille.id,
        )));
    }
    store
        .write(WriteBatch {
            mutations,
            journal: (0..300).map(draft).collect(),
        })
        .await
        .unwrap();
    store.close().await;
    assert!(
        !Path::new(&format!("{path}-wal")).exists(),
        "closing checkpoints and removes the WAL"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_page_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir, "damaged.db");
    write_some(&path).await;
    // Reopening an intact file works.
    open(&path).await.close().await;

    let mut bytes = std::fs::read(&path).unwrap();
    assert!(
        bytes.len() > 16 * 4096,
        "the file has pages to damage ({} bytes)",
        bytes.len()
    );
    // Page 3 (4 KiB pages: bytes 8192..12288) gets overwritten with a pattern.
    for (index, byte) in bytes[8192..12288].iter_mut().enumerate() {
        *byte = (index * 7 + 13) as u8;
    }
    std::fs::write(&path, &bytes).unwrap();
    match SqliteStore::open(&path, options()).await {
        Err(StoreError::Corrupt(message)) => assert!(message.contains(&path), "{message}"),
        other => panic!("a damaged file must be refused as corrupt: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_table_page_is_reported_by_quick_check() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir, "damaged-table.db");
    write_some(&path).await;
    // Damage the root page of the entities table, well past the schema: the header opens,
    // quick_check finds it. (A page picked at random might be on the free list, which no check reads.)
    let root: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row(
            "SELECT rootpage FROM sqlite_schema WHERE type = 'table' AND name = 'entities'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert!(root > 2, "the entities table lies past the schema page");
    let mut bytes = std::fs::read(&path).unwrap();
    let start = (root as usize - 1) * 4096;
    for byte in &mut bytes[start..start + 4096] {
        *byte = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();
    match SqliteStore::open(&path, options()).await {
        Err(StoreError::Corrupt(message)) => assert!(message.contains(&path), "{message}"),
        other => panic!("a damaged file must be refused as corrupt: {other:?}"),
    }
}

#[tokio::test]
async fn random_bytes_are_not_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir, "random.db");
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes: Vec<u8> = (0..65_536)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect();
    std::fs::write(&path, bytes).unwrap();
    match SqliteStore::open(&path, options()).await {
        Err(StoreError::Corrupt(message)) => {
            assert_eq!(message, format!("{path} is not a SQLite database"));
        }
        other => panic!("random bytes must be refused as corrupt: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_versions_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    // Migrations disabled: a missing file is not created.
    let missing = db_path(&dir, "missing.db");
    let no_migrate = OpenOptions {
        journal_key: test_key(),
        migrate: false,
    };
    assert!(matches!(
        SqliteStore::open(&missing, no_migrate.clone()).await,
        Err(StoreError::Schema(_))
    ));
    assert!(!Path::new(&missing).exists());

    // An up-to-date database opens without migrating.
    let path = db_path(&dir, "versions.db");
    open(&path).await.close().await;
    SqliteStore::open(&path, no_migrate.clone())
        .await
        .unwrap()
        .close()
        .await;
    let raw = rusqlite::Connection::open(&path).unwrap();
    let (version, name): (i64, String) = raw
        .query_row(
            "SELECT version, name FROM schema_migrations ORDER BY version DESC LIMIT 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (version, name.as_str()),
        (
            SqliteStore::schema_version(),
            "0009_journal_ref_runs_in_slices"
        )
    );

    // A newer schema is refused.
    raw.execute(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, '0099_future', 'x')",
        [],
    )
    .unwrap();
    drop(raw);
    match SqliteStore::open(&path, options()).await {
        Err(StoreError::Schema(message)) => assert!(message.contains("newer"), "{message}"),
        other => panic!("{other:?}"),
    }

    // A database Vigie did not create is refused.
    let foreign = db_path(&dir, "foreign.db");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE clients (id INTEGER PRIMARY KEY)")
        .unwrap();
    match SqliteStore::open(&foreign, options()).await {
        Err(StoreError::Schema(message)) => {
            assert!(message.contains("schema_migrations"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    // An empty one with migrations disabled too.
    let empty = db_path(&dir, "empty.db");
    std::fs::write(&empty, b"").unwrap();
    assert!(matches!(
        SqliteStore::open(&empty, no_migrate).await,
        Err(StoreError::Schema(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reopening_continues_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir, "reopen.db");
    let store = open(&path).await;
    assert_eq!(
        store.write(journal_only(3, 0)).await.unwrap(),
        vec![1, 2, 3]
    );
    store.close().await;
    let store = open(&path).await;
    assert_eq!(store.journal_len().await.unwrap(), 3);
    assert_eq!(store.write(journal_only(2, 3)).await.unwrap(), vec![4, 5]);
    let key = test_key();
    let mut verifier = Verifier::new(&key, vec![]);
    for entry in store.journal_range(1, 100).await.unwrap() {
        assert!(verifier.push(&entry));
    }
    assert_eq!(verifier.finish(), Ok(5));
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_request_does_not_spoil_its_group() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(open(&db_path(&dir, "groups.db")).await);
    let marseille = unit(0x1001, "SR-MARSEILLE");
    store
        .write(WriteBatch {
            mutations: vec![
                Mutation::PutUnit(marseille.clone()),
                Mutation::PutAccount(account(0x2000, "taken", marseille.id)),
            ],
            journal: vec![],
        })
        .await
        .unwrap();
    // 300 concurrent requests, every tenth of which reuses a taken username: those fail alone.
    let tasks: Vec<_> = (0..300u128)
        .map(|n| {
            let store = Arc::clone(&store);
            let username = if n % 10 == 7 {
                "taken".to_owned()
            } else {
                format!("agent{n}")
            };
            let batch = WriteBatch {
                mutations: vec![Mutation::PutAccount(account(
                    0x2100 + n,
                    &username,
                    marseille.id,
                ))],
                journal: vec![draft(n as usize), draft(1000 + n as usize)],
            };
            tokio::spawn(async move { (n, store.write(batch).await) })
        })
        .collect();
    let mut seqs = Vec::new();
    for task in tasks {
        let (n, result) = task.await.unwrap();
        match result {
            Ok(given) if n % 10 != 7 => {
                assert_eq!(given.len(), 2);
                assert_eq!(
                    given[1],
                    given[0] + 1,
                    "a request's entries are consecutive"
                );
                seqs.extend(given);
            }
            Err(StoreError::Conflict(message)) if n % 10 == 7 => {
                assert!(
                    message.contains("username \"taken\""),
                    "the conflict names the username: {message}"
                );
            }
            other => panic!("request {n}: {other:?}"),
        }
    }
    seqs.sort_unstable();
    assert_eq!(
        seqs,
        (1..=540).collect::<Vec<u64>>(),
        "the failures left no gap"
    );
    assert_eq!(store.accounts().await.unwrap().len(), 1 + 270);
    assert_eq!(store.journal_len().await.unwrap(), 540);
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conflicts_name_what_conflicted() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&db_path(&dir, "conflicts.db")).await;
    let marseille = unit(0x1001, "SR-MARSEILLE");
    let helene = person(0x3001, "Hélène Fictive", marseille.id);
    store
        .write(WriteBatch {
            mutations: vec![
                Mutation::PutUnit(marseille.clone()),
                Mutation::InsertEntity(helene.clone()),
            ],
            journal: vec![],
        })
        .await
        .unwrap();
    let conflict = |result: Result<Vec<u64>, StoreError>| match result {
        Err(StoreError::Conflict(message)) => message,
        other => panic!("expected a conflict: {other:?}"),
    };
    let message = conflict(
        store
            .write(WriteBatch {
                mutations: vec![Mutation::PutUnit(unit(0x1002, "SR-MARSEILLE"))],
                journal: vec![],
            })
            .await,
    );
    assert!(message.contains("unit code \"SR-MARSEILLE\""), "{message}");
    let message = conflict(
        store
            .write(WriteBatch {
                mutations: vec![Mutation::InsertEntity(helene.clone())],
                journal: vec![],
            })
            .await,
    );
    assert!(
        message.contains(&format!("entity {} already exists", helene.id)),
        "{message}"
    );
    let mut v2 = helene.clone();
    v2.version = 2;
    store
        .write(WriteBatch {
            mutations: vec![Mutation::UpdateEntity {
                entity: v2.clone(),
                expected_version: 1,
            }],
            journal: vec![],
        })
        .await
        .unwrap();
    let message = conflict(
        store
            .write(WriteBatch {
                mutations: vec![Mutation::UpdateEntity {
                    entity: v2,
                    expected_version: 1,
                }],
                journal: vec![],
            })
            .await,
    );
    assert!(
        message.contains("its version is 2, the update expected 1"),
        "{message}"
    );
    let mut ghost = person(0x3999, "Personne", marseille.id);
    ghost.version = 2;
    let message = conflict(
        store
            .write(WriteBatch {
                mutations: vec![Mutation::UpdateEntity {
                    entity: ghost,
                    expected_version: 1,
                }],
                journal: vec![],
            })
            .await,
    );
    assert!(message.contains("does not exist"), "{message}");
    // A link to an entity that does not exist.
    let link = Link {
        id: LinkId(uuid::Uuid::from_u128(0x4001)),
        kind: LinkKind::Associate,
        source: helene.id,
        target: EntityId(uuid::Uuid::from_u128(0x3998)),
        start: None,
        end: None,
        owner_unit: marseille.id,
        departement: None,
        regime: LegalRegime::Judicial,
        provenance: helene.provenance.clone(),
    };
    let message = conflict(
        store
            .write(WriteBatch {
                mutations: vec![Mutation::InsertLink(link)],
                journal: vec![],
            })
            .await,
    );
    assert!(message.contains("does not exist"), "{message}");
    // A different checkpoint for a size already stored; the same one again is fine.
    store.write(journal_only(2, 0)).await.unwrap();
    let key = test_key();
    let mut frontier = Frontier::new();
    for entry in store.journal_range(1, 10).await.unwrap() {
        frontier.push(entry.leaf_hash);
    }
    let checkpoint = key.sign_checkpoint(2, frontier.root());
    store.put_checkpoint(&checkpoint, &frontier).await.unwrap();
    store.put_checkpoint(&checkpoint, &frontier).await.unwrap();
    let mut other = Frontier::new();
    other.push([1; 32]);
    other.push([2; 32]);
    match store
        .put_checkpoint(&key.sign_checkpoint(2, other.root()), &other)
        .await
    {
        Err(StoreError::Conflict(message)) => assert!(message.contains("size 2"), "{message}"),
        other => panic!("{other:?}"),
    }
    // A checkpoint that does not match its frontier is refused before reaching the database.
    assert!(matches!(
        store.put_checkpoint(&checkpoint, &other).await,
        Err(StoreError::Internal(_))
    ));
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instants_keep_their_offset_and_precision() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&db_path(&dir, "instants.db")).await;
    let unit_id = UnitId(uuid::Uuid::from_u128(0x1001));
    let mut entity = person(0x3001, "Personne", unit_id);
    entity.provenance.recorded_at = datetime!(2024-03-12 11:40:00.123456789 +02:00);
    store
        .write(WriteBatch {
            mutations: vec![Mutation::InsertEntity(entity.clone())],
            journal: vec![],
        })
        .await
        .unwrap();
    let back = store.entity(entity.id).await.unwrap().unwrap();
    assert_eq!(back, entity);
    assert_eq!(
        back.provenance.recorded_at.offset(),
        entity.provenance.recorded_at.offset()
    );
    assert_eq!(back.provenance.recorded_at.nanosecond(), 123_456_789);
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_commits_what_was_queued_and_loses_no_answered_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir, "close.db");
    let store = Arc::new(open(&path).await);
    let tasks: Vec<_> = (0..200)
        .map(|n| {
            let store = Arc::clone(&store);
            tokio::spawn(async move { store.write(journal_only(1, n)).await })
        })
        .collect();
    for _ in 0..20 {
        tokio::task::yield_now().await;
    }
    store.close().await;
    let mut answered = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(seqs) => {
                assert_eq!(seqs.len(), 1);
                answered += 1;
            }
            Err(StoreError::Unavailable(_)) => {}
            other => panic!("{other:?}"),
        }
    }
    let store = open(&path).await;
    assert_eq!(
        store.journal_len().await.unwrap(),
        answered,
        "every answered write is on disk, nothing else"
    );
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_see_only_committed_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir, "visible.db");
    let store = open(&path).await;
    let seqs = store.write(journal_only(1, 0)).await.unwrap();
    // As soon as the write is answered, another connection (another process) sees it.
    let raw = rusqlite::Connection::open(&path).unwrap();
    let last: i64 = raw
        .query_row("SELECT MAX(seq) FROM journal", [], |row| row.get(0))
        .unwrap();
    assert_eq!(last as u64, seqs[0]);
    drop(raw);
    store.health().await.unwrap();
    store.close().await;
}

#[tokio::test]
async fn keys_written_by_schema_2_are_kept_by_the_compact_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir, "v2.db");
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute_batch(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL);",
    )
    .unwrap();
    raw.execute_batch(include_str!("../../migrations/0001_initial.sql"))
        .unwrap();
    raw.execute_batch(include_str!("../../migrations/0002_targets.sql"))
        .unwrap();
    let unit_a = "00000000-0000-4000-8000-00000000000a";
    let unit_b = "00000000-0000-4000-8000-00000000000b";
    let target_a = "00000000-0000-4000-8000-0000000000a1";
    let target_b = "00000000-0000-4000-8000-0000000000b1";
    raw.execute_batch(&format!(
        "INSERT INTO schema_migrations VALUES (1, '0001_initial', 'x'), (2, '0002_targets', 'x');
         INSERT INTO targets VALUES ('{target_a}', 1, '{unit_a}', 10, 9000000000000000, '{{}}'),
                                    ('{target_b}', 2, '{unit_b}', 20, 9000000000000000, '{{}}');
         INSERT INTO target_keys VALUES (x'0102030405060708090a0b0c0d0e0f10', '{target_a}', '{unit_a}', 'phone', 1, 10),
                                        (x'0102030405060708090a0b0c0d0e0f10', '{target_b}', '{unit_b}', 'phone', 1, 20),
                                        (x'ffffffffffffffffffffffffffffffff', '{target_b}', '{unit_b}', 'plate', 1, 20);"
    ))
    .unwrap();
    drop(raw);

    let store = open(&path).await;
    let shared = [1u8, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
    let hits = store.key_hits(&[shared, [0xff; 16]], 100).await.unwrap();
    let mut found: Vec<(String, String)> = hits
        .iter()
        .map(|hit| (hit.target.id.to_string(), hit.key.kind.clone()))
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            (target_a.to_owned(), "phone".to_owned()),
            (target_b.to_owned(), "phone".to_owned()),
            (target_b.to_owned(), "plate".to_owned()),
        ]
    );
    let unit = UnitId(uuid::Uuid::parse_str(unit_a).unwrap());
    let conflicts = store.conflicts_of_unit(unit, 100).await.unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].own_target.to_string(), target_a);
    assert_eq!(conflicts[0].other.id.to_string(), target_b);
    store.close().await;
}

/// How far `journal_object_refs` has caught up, read beside the store.
fn refs_frontier(path: &str) -> (i64, i64) {
    let raw = rusqlite::Connection::open(path).unwrap();
    raw.query_row(
        "SELECT (SELECT COALESCE(MAX(last_seq), 0) FROM journal_ref_runs), \
                (SELECT COUNT(*) FROM journal_object_refs)",
        [],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
    .unwrap()
}

async fn entries_of(store: &SqliteStore, object: &str) -> Vec<u64> {
    store
        .journal_search(&vigie_store::JournalQuery {
            object: Some(object.to_owned()),
            limit: 500,
            ..Default::default()
        })
        .await
        .unwrap()
        .iter()
        .map(|entry| entry.seq)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn searches_by_object_see_entries_before_and_after_the_writer_indexes_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir, "refs.db");
    let store = open(&path).await;
    // Entries 1..=40 name objects 0..=9 in turn (draft(i) names object i): object 3 is the object
    // of 4 of them; and those naming object 7 also showed objects 3 and 5.
    let object = "entity:00000000-0000-0000-0000-000000003003";
    let journal = (0..40)
        .map(|i| {
            let mut entry = draft(i % 10);
            if i % 10 == 7 {
                entry.shown = vec![
                    object.to_owned(),
                    "entity:00000000-0000-0000-0000-000000003005".to_owned(),
                ];
            }
            entry
        })
        .collect();
    let batch = WriteBatch {
        mutations: vec![],
        journal,
    };
    store.write(batch).await.unwrap();
    let found = vec![38, 34, 28, 24, 18, 14, 8, 4];
    // Straight after the commit the writer has not indexed them yet: the tail is scanned.
    assert_eq!(entries_of(&store, object).await, found);
    // Once no request has come for a while, the writer copies the tail into the refs.
    let mut waited = 0;
    while refs_frontier(&path).0 < 40 {
        assert!(waited < 100, "the writer never indexed the idle tail");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        waited += 1;
    }
    // One ref per entry, and one per object shown (4 entries showed 2).
    assert_eq!(refs_frontier(&path), (40, 48));
    assert_eq!(entries_of(&store, object).await, found);
    let shown_only = entries_of(&store, "entity:00000000-0000-0000-0000-000000003005").await;
    assert_eq!(shown_only, vec![38, 36, 28, 26, 18, 16, 8, 6]);
    // New entries after the frontier are found together with the indexed ones, newest first.
    store.write(journal_only(1, 3)).await.unwrap();
    assert_eq!(
        entries_of(&store, object).await,
        vec![41, 38, 34, 28, 24, 18, 14, 8, 4]
    );
    let paged = store
        .journal_search(&vigie_store::JournalQuery {
            object: Some(object.to_owned()),
            before_seq: Some(34),
            limit: 2,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        paged.iter().map(|entry| entry.seq).collect::<Vec<_>>(),
        vec![28, 24]
    );
    assert_eq!(store.integrity_check().await.unwrap(), Vec::<String>::new());
    store.close().await;
    // Closing indexes what is left.
    assert_eq!(refs_frontier(&path), (41, 49));

    // Two runs ([1, 40] and [41]) and a new tail: a search that takes from all three, page by
    // page, finds each entry once, newest first; and a limit cut inside the tail stops there.
    let store = open(&path).await;
    store.write(journal_only(1, 3)).await.unwrap();
    let everything = vec![42, 41, 38, 34, 28, 24, 18, 14, 8, 4];
    assert_eq!(entries_of(&store, object).await, everything);
    for limit in [1, 2, 3, 4] {
        let mut paged = Vec::new();
        loop {
            let page = store
                .journal_search(&vigie_store::JournalQuery {
                    object: Some(object.to_owned()),
                    before_seq: paged.last().copied(),
                    limit,
                    ..Default::default()
                })
                .await
                .unwrap();
            assert!(page.len() <= limit as usize);
            let done = page.len() < limit as usize;
            paged.extend(page.iter().map(|entry| entry.seq));
            if done {
                break;
            }
        }
        assert_eq!(paged, everything, "paged by {limit}");
    }
    // The same actor named all of them: the actor's filter keeps them all, another actor's none.
    for (actor, expected) in [
        (
            "account:00000000-0000-0000-0000-000000002001",
            everything.clone(),
        ),
        ("account:00000000-0000-0000-0000-000000002002", vec![]),
    ] {
        let found = store
            .journal_search(&vigie_store::JournalQuery {
                object: Some(object.to_owned()),
                actor: Some(actor.to_owned()),
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap();
        let found: Vec<u64> = found.iter().map(|entry| entry.seq).collect();
        assert_eq!(found, expected, "{actor}");
    }
    store.close().await;

    // A ref removed behind Vigie's back is an integrity problem: searches would miss its entry.
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute("DELETE FROM journal_object_refs WHERE seq = 14", [])
        .unwrap();
    drop(raw);
    let store = open(&path).await;
    let problems = store.integrity_check().await.unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("journal_object_refs"), "{problems:?}");
    store.close().await;
}

fn data_epoch(path: &str) -> i64 {
    rusqlite::Connection::open(path)
        .unwrap()
        .query_row("SELECT epoch FROM data_epoch", [], |row| row.get(0))
        .unwrap()
}

/// The read cache (src/cache.rs) may only answer what a fresh read would: every change made by
/// any writer on the file, this store's or another's (as an administration command in another
/// process would), is seen at the next read; journal entries alone leave cached answers valid.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cached_reads_see_every_change_even_from_another_writer() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir, "cache.db");
    let server = open(&path).await;
    let marseille = unit(0x1001, "SIPJ-13");
    let mut dupont = account(0x2001, "dupont", marseille.id);
    let suspect = person(0x3001, "Karim B.", marseille.id);
    let session = vigie_store::SessionRecord {
        token_hash: "a".repeat(64),
        account: dupont.account.id,
        unit: marseille.id,
        created_at_micros: 1_710_236_400_000_000,
        expires_at_micros: 1_710_236_400_000_000 + 8 * 3_600_000_000,
    };
    server
        .write(WriteBatch {
            mutations: vec![
                Mutation::PutUnit(marseille.clone()),
                Mutation::PutAccount(dupont.clone()),
                Mutation::PutSession(session.clone()),
                Mutation::InsertEntity(suspect.clone()),
            ],
            journal: vec![draft(0)],
        })
        .await
        .unwrap();
    let context = server.session_context(&session.token_hash).await.unwrap();
    assert!(!context.unwrap().account.account.disabled);
    let shown = server.entity_with_neighbours(suspect.id, 10).await.unwrap();
    assert_eq!(shown.unwrap().entity, suspect);

    // Consultations write journal entries only: the epoch stays, answers are the same.
    let epoch = data_epoch(&path);
    server.write(journal_only(20, 1)).await.unwrap();
    assert_eq!(
        data_epoch(&path),
        epoch,
        "journal entries do not move the epoch"
    );
    let again = server.session_context(&session.token_hash).await.unwrap();
    assert!(!again.unwrap().account.account.disabled);

    // Another writer on the same file disables the account and renames the suspect.
    let admin = open(&path).await;
    dupont.account.disabled = true;
    let mut renamed = suspect.clone();
    renamed
        .properties
        .insert("name".to_owned(), vec!["Karim BENALI".to_owned()]);
    renamed.version = 2;
    admin
        .write(WriteBatch {
            mutations: vec![
                Mutation::PutAccount(dupont.clone()),
                Mutation::UpdateEntity {
                    entity: renamed.clone(),
                    expected_version: 1,
                },
            ],
            journal: vec![draft(100)],
        })
        .await
        .unwrap();
    assert_eq!(
        data_epoch(&path),
        epoch + 1,
        "a change moves the epoch once"
    );
    let context = server.session_context(&session.token_hash).await.unwrap();
    assert!(
        context.unwrap().account.account.disabled,
        "the disabled account is seen at once"
    );
    let shown = server.entity_with_neighbours(suspect.id, 10).await.unwrap();
    assert_eq!(shown.unwrap().entity, renamed);

    // And this store's own changes too: the session is closed.
    server
        .write(WriteBatch {
            mutations: vec![Mutation::DeleteSession {
                token_hash: session.token_hash.clone(),
            }],
            journal: vec![draft(101)],
        })
        .await
        .unwrap();
    assert_eq!(
        server.session_context(&session.token_hash).await.unwrap(),
        None
    );
    admin.close().await;
    server.close().await;
}
