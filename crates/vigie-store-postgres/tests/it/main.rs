//! PostgreSQL-specific tests of `PostgresStore`, on the server named by `VIGIE_TEST_PG_URL` (see
//! `.ci/postgres.sh`). The shared conformance story runs in `vigie-store-tests`; these tests cover what
//! only this backend promises: the append-only triggers, group commit with per-request failures,
//! several nodes sharing one journal, concurrent migrations, schema versions, bounded and
//! password-free connection errors, exact round trips of PostgreSQL-typed values.
//!
//! Without `VIGIE_TEST_PG_URL` every test is skipped with a message, except under `CI=true`, where
//! they fail: CI must not silently skip PostgreSQL. Each test works in its own fresh schema.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sqlx::{Connection, PgConnection};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use time::macros::{date, datetime};
use uuid::Uuid;
use vigie_core::entity::{
    Entity, EntityId, LegalRegime, Link, LinkId, LinkKind, Properties, Provenance, Schema,
};
use vigie_core::journal::{Frontier, JournalAction, JournalDraft, JournalKey, Outcome, Verifier};
use vigie_core::org::{Account, AccountId, Role, Territory, Unit, UnitId, UnitKind};
use vigie_store::{
    AccountRecord, Counts, EntityQuery, JournalQuery, Mutation, OpenOptions, SessionRecord, Store,
    StoreError, Visibility, WriteBatch,
};
use vigie_store_postgres::PostgresStore;

mod targets;

fn pg_url() -> Option<String> {
    match std::env::var("VIGIE_TEST_PG_URL")
        .ok()
        .filter(|url| !url.is_empty())
    {
        Some(url) => Some(url),
        None => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but VIGIE_TEST_PG_URL is not set: source .ci/postgres.sh first"
            );
            eprintln!("VIGIE_TEST_PG_URL not set: PostgreSQL test skipped (source .ci/postgres.sh to run it)");
            None
        }
    }
}

fn key() -> Arc<JournalKey> {
    Arc::new(JournalKey::from_seed([7; 32]))
}

fn options() -> OpenOptions {
    OpenOptions {
        journal_key: key(),
        migrate: true,
    }
}

async fn isolated(url: &str) -> Arc<PostgresStore> {
    Arc::new(
        PostgresStore::open_isolated_for_tests(url, options())
            .await
            .unwrap(),
    )
}

/// A connection of our own to the store's schema, as an operator (or an attacker) would have.
async fn raw(url: &str, schema: &str) -> PgConnection {
    let mut conn = PgConnection::connect(url).await.unwrap();
    sqlx::query(&format!("SET search_path TO \"{schema}\""))
        .execute(&mut conn)
        .await
        .unwrap();
    conn
}

/// The URL of a second "node" working in `schema` (as production would through the role's search_path).
fn url_in_schema(url: &str, schema: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}options[search_path]={schema}")
}

const T0: i64 = 1_735_689_600_000_000; // 2025-01-01T00:00:00Z in microseconds

fn unit(n: u128, code: &str) -> Unit {
    Unit {
        id: UnitId(Uuid::from_u128(0x1000 + n)),
        code: code.to_owned(),
        name: format!("Unité {code}"),
        kind: UnitKind::Cross,
        territory: Territory::departements(["13", "84"]),
        parent: None,
    }
}

fn account(n: u128, username: &str, unit: &Unit) -> AccountRecord {
    AccountRecord {
        account: Account {
            id: AccountId(Uuid::from_u128(0x2000 + n)),
            username: username.to_owned(),
            display_name: format!("Agent {username}"),
            role: Role::CrossAnalyst,
            unit: unit.id,
            disabled: false,
        },
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2VsJA$aGFzaA".to_owned(),
    }
}

fn entity(n: u128, unit: &Unit, recorder: &AccountRecord, name: &str) -> Entity {
    let mut properties = Properties::new();
    properties.insert("name".to_owned(), vec![name.to_owned()]);
    Entity {
        id: EntityId(Uuid::from_u128(0x3000 + n)),
        schema: Schema::Person,
        properties,
        owner_unit: unit.id,
        departement: Some("13".to_owned()),
        regime: LegalRegime::Judicial,
        provenance: Provenance {
            recorded_by: recorder.account.id,
            unit: unit.id,
            source: "PV 2025/001".to_owned(),
            recorded_at: datetime!(2025-01-01 10:00:00 UTC),
        },
        version: 1,
    }
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

fn journal_only(drafts: Vec<JournalDraft>) -> WriteBatch {
    WriteBatch {
        mutations: Vec::new(),
        journal: drafts,
    }
}

/// Sets up one unit and one account; returns them.
async fn seed(store: &PostgresStore) -> (Unit, AccountRecord) {
    let unit = unit(1, "CROSS-13");
    let account = account(1, "a.martin", &unit);
    store
        .write(WriteBatch {
            mutations: vec![
                Mutation::PutUnit(unit.clone()),
                Mutation::PutAccount(account.clone()),
            ],
            journal: vec![draft(0, "mise en place")],
        })
        .await
        .unwrap();
    (unit, account)
}

/// Checks the whole journal: numbered 1..=len, and every seal verifies with the key.
async fn verify_journal(store: &PostgresStore) -> u64 {
    let len = store.journal_len().await.unwrap();
    let key = key();
    let mut verifier = Verifier::new(&key, Vec::new());
    let mut next = 1;
    loop {
        let page = store.journal_range(next, 500).await.unwrap();
        if page.is_empty() {
            break;
        }
        for entry in &page {
            assert!(verifier.push(entry), "entry {} does not verify", entry.seq);
        }
        next = page.last().unwrap().seq + 1;
    }
    assert_eq!(
        verifier.finish(),
        Ok(len),
        "the journal verifies and holds journal_len entries"
    );
    len
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn values_round_trip_exactly() {
    let Some(url) = pg_url() else { return };
    let store = isolated(&url).await;
    assert_eq!(store.backend(), "postgres");
    let (unit, account) = seed(&store).await;
    let mut child = self::unit(2, "ANTENNE-\"MARSEILLE\"");
    child.parent = Some(unit.id);
    child.territory = Territory::national();

    // Sub-microsecond instants with an offset, JSON-hostile text, long values, optional dates.
    let mut person = entity(
        1,
        &unit,
        &account,
        "Hélène « La Chouette » O'Brien \\ \"guillemets\" 🦉",
    );
    person.provenance.recorded_at = datetime!(2024-03-31 02:30:00.123456789 +02:00);
    person.properties.insert(
        "alias".to_owned(),
        vec!["x".repeat(2000), "{\"json\": [1, 2]}".to_owned()],
    );
    person
        .properties
        .insert("notes".to_owned(), vec!["ligne 1\nligne 2\ttab".to_owned()]);
    person.departement = None;
    let other = entity(2, &unit, &account, "Théo Garnier");
    let link = Link {
        id: LinkId(Uuid::from_u128(0x4001)),
        kind: LinkKind::Associate,
        source: person.id,
        target: other.id,
        start: Some(date!(1999 - 12 - 31)),
        end: None,
        owner_unit: unit.id,
        departement: Some("2A".to_owned()),
        regime: LegalRegime::Administrative,
        provenance: Provenance {
            recorded_by: account.account.id,
            unit: unit.id,
            source: "note".to_owned(),
            recorded_at: datetime!(2025-06-01 12:00:00.5 -05:00),
        },
    };
    let session = SessionRecord {
        token_hash: "ab".repeat(32),
        account: account.account.id,
        unit: unit.id,
        created_at_micros: T0,
        expires_at_micros: i64::MAX,
    };
    let seqs = store
        .write(WriteBatch {
            mutations: vec![
                Mutation::PutUnit(child.clone()),
                Mutation::InsertEntity(person.clone()),
                Mutation::InsertEntity(other.clone()),
                Mutation::InsertLink(link.clone()),
                Mutation::PutSession(session.clone()),
            ],
            journal: vec![draft(1, "motif « accentué » — ✓"), draft(2, "")],
        })
        .await
        .unwrap();
    assert_eq!(seqs, vec![2, 3]);
    assert_eq!(store.unit(child.id).await.unwrap(), Some(child));
    assert_eq!(
        store.account(account.account.id).await.unwrap(),
        Some(account.clone())
    );
    assert_eq!(store.entity(person.id).await.unwrap(), Some(person.clone()));
    assert_eq!(
        store
            .entity(person.id)
            .await
            .unwrap()
            .unwrap()
            .provenance
            .recorded_at
            .offset(),
        person.provenance.recorded_at.offset(),
        "the offset itself comes back, not only the instant"
    );
    assert_eq!(store.links_of(person.id).await.unwrap(), vec![link.clone()]);
    assert_eq!(store.links_of(other.id).await.unwrap(), vec![link]);
    assert_eq!(
        store.session(&session.token_hash).await.unwrap(),
        Some(session)
    );
    let entries = store.journal_range(1, 10).await.unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[1].draft, draft(1, "motif « accentué » — ✓"));
    assert_eq!(entries[2].draft.motif, "");

    // Search: strpos, never a pattern; visibility in SQL.
    let visibility = Visibility {
        own_unit: UnitId(Uuid::from_u128(0xdead)),
        departements: Some(vec!["13".to_owned()]),
        open_regimes: vec![LegalRegime::Judicial],
    };
    let find = |terms: &[&str], visibility: &Visibility| EntityQuery {
        terms: terms.iter().map(|term| (*term).to_owned()).collect(),
        schema: Some(Schema::Person),
        visibility: visibility.clone(),
        limit: 10,
    };
    let found = store
        .search_entities(&find(&["theo"], &visibility))
        .await
        .unwrap();
    assert_eq!(found, vec![other.clone()]);
    assert!(
        store
            .search_entities(&find(&["helene"], &visibility))
            .await
            .unwrap()
            .is_empty(),
        "no département"
    );
    for pattern in ["%", "_", "%helene%", "h_lene"] {
        let national = Visibility {
            departements: None,
            ..visibility.clone()
        };
        assert!(
            store
                .search_entities(&find(&[pattern], &national))
                .await
                .unwrap()
                .is_empty(),
            "{pattern:?}"
        );
    }
    let own = Visibility {
        own_unit: unit.id,
        departements: Some(vec![]),
        open_regimes: vec![],
    };
    let mine = store.search_entities(&find(&[], &own)).await.unwrap();
    assert_eq!(
        mine.iter().map(|entity| entity.id).collect::<Vec<_>>(),
        vec![other.id, person.id],
        "newest first"
    );

    // Checkpoints, with their frontier; the same one twice is fine, a different one is a conflict.
    let mut frontier = Frontier::new();
    for entry in &entries {
        frontier.push(entry.leaf_hash);
    }
    let checkpoint = key().sign_checkpoint(3, frontier.root());
    store.put_checkpoint(&checkpoint, &frontier).await.unwrap();
    store.put_checkpoint(&checkpoint, &frontier).await.unwrap();
    let mut forged = checkpoint.clone();
    forged.signature[0] ^= 1;
    assert!(matches!(
        store.put_checkpoint(&forged, &frontier).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store.latest_checkpoint().await.unwrap(),
        Some((checkpoint.clone(), frontier))
    );
    assert_eq!(store.checkpoints().await.unwrap(), vec![checkpoint]);
    assert_eq!(
        store.counts().await.unwrap(),
        Counts {
            units: 2,
            accounts: 1,
            entities: 2,
            links: 1,
            journal: 3,
            targets: 0,
        }
    );
    store.health().await.unwrap();
    assert_eq!(store.integrity_check().await.unwrap(), Vec::<String>::new());
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conflicts_leave_nothing_written() {
    let Some(url) = pg_url() else { return };
    let store = isolated(&url).await;
    let (unit, account) = seed(&store).await;
    let person = entity(1, &unit, &account, "Hélène Vasseur");
    store
        .write(WriteBatch {
            mutations: vec![Mutation::InsertEntity(person.clone())],
            journal: vec![],
        })
        .await
        .unwrap();
    let counts = store.counts().await.unwrap();

    let cases: Vec<(&str, Vec<Mutation>)> = vec![
        (
            "duplicate unit code",
            vec![
                Mutation::PutUnit(self::unit(9, "AUTRE")),
                Mutation::PutUnit(self::unit(8, "CROSS-13")),
            ],
        ),
        (
            "duplicate username",
            vec![
                Mutation::PutUnit(self::unit(9, "AUTRE")),
                Mutation::PutAccount(self::account(9, "a.martin", &unit)),
            ],
        ),
        (
            "account in a missing unit",
            vec![Mutation::PutAccount(self::account(
                9,
                "x",
                &self::unit(77, "NOPE"),
            ))],
        ),
        (
            "duplicate entity",
            vec![
                Mutation::InsertEntity(entity(5, &unit, &account, "new")),
                Mutation::InsertEntity(person.clone()),
            ],
        ),
        (
            "stale version",
            vec![Mutation::UpdateEntity {
                entity: Entity {
                    version: 3,
                    ..person.clone()
                },
                expected_version: 2,
            }],
        ),
        (
            "missing entity",
            vec![Mutation::UpdateEntity {
                entity: entity(6, &unit, &account, "ghost"),
                expected_version: 0,
            }],
        ),
        (
            "link to a missing entity",
            vec![Mutation::InsertLink(Link {
                id: LinkId(Uuid::from_u128(0x4009)),
                kind: LinkKind::Family,
                source: person.id,
                target: EntityId(Uuid::from_u128(0xdead)),
                start: None,
                end: None,
                owner_unit: unit.id,
                departement: None,
                regime: LegalRegime::Judicial,
                provenance: person.provenance.clone(),
            })],
        ),
    ];
    for (what, mutations) in cases {
        let result = store
            .write(WriteBatch {
                mutations,
                journal: vec![draft(1, what), draft(2, what)],
            })
            .await;
        match result {
            Err(StoreError::Conflict(message)) => eprintln!("{what}: {message}"),
            other => panic!("{what}: expected a conflict, got {other:?}"),
        }
        assert_eq!(
            store.counts().await.unwrap(),
            counts,
            "{what}: nothing written"
        );
        assert_eq!(
            store.journal_len().await.unwrap(),
            1,
            "{what}: no journal entry, no sequence number used"
        );
    }
    // A version that does not follow the expected one is refused before any SQL.
    let skipping = Mutation::UpdateEntity {
        entity: Entity {
            version: 5,
            ..person.clone()
        },
        expected_version: 1,
    };
    assert!(matches!(
        store
            .write(WriteBatch {
                mutations: vec![skipping],
                journal: vec![]
            })
            .await,
        Err(StoreError::Internal(_))
    ));
    // The right version goes through, and the next number follows without a gap.
    let renamed = Entity {
        version: 2,
        ..entity(1, &unit, &account, "Hélène Vasseur-Ferrand")
    };
    let seqs = store
        .write(WriteBatch {
            mutations: vec![Mutation::UpdateEntity {
                entity: renamed.clone(),
                expected_version: 1,
            }],
            journal: vec![draft(3, "modification")],
        })
        .await
        .unwrap();
    assert_eq!(seqs, vec![2]);
    assert_eq!(store.entity(person.id).await.unwrap(), Some(renamed));
    verify_journal(&store).await;
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writes_get_gapless_sequence_numbers() {
    let Some(url) = pg_url() else { return };
    let store = isolated(&url).await;
    let (unit, account) = seed(&store).await;
    let tasks: Vec<_> = (0..200usize)
        .map(|index| {
            let store = Arc::clone(&store);
            let mutations = if index % 4 == 0 {
                vec![Mutation::InsertEntity(entity(
                    index as u128,
                    &unit,
                    &account,
                    &format!("personne {index}"),
                ))]
            } else {
                Vec::new()
            };
            let journal = (0..index % 3 + 1)
                .map(|part| draft(index * 10 + part, &format!("écriture {index}")))
                .collect();
            tokio::spawn(
                async move { (index, store.write(WriteBatch { mutations, journal }).await) },
            )
        })
        .collect();
    let mut given = BTreeMap::new();
    for task in tasks {
        let (index, result) = task.await.unwrap();
        let seqs = result.unwrap();
        assert_eq!(seqs.len(), index % 3 + 1);
        assert!(
            seqs.windows(2).all(|pair| pair[1] == pair[0] + 1),
            "one write's numbers are consecutive"
        );
        for seq in seqs {
            assert!(given.insert(seq, index).is_none(), "{seq} given twice");
        }
    }
    let len = store.journal_len().await.unwrap();
    assert_eq!(
        given.keys().copied().collect::<Vec<_>>(),
        (2..=len).collect::<Vec<_>>(),
        "no gap"
    );
    assert_eq!(verify_journal(&store).await, len);
    assert_eq!(store.counts().await.unwrap().entities, 50);
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_request_fails_alone_in_its_group() {
    let Some(url) = pg_url() else { return };
    let store = isolated(&url).await;
    let (unit, account) = seed(&store).await;
    let schema = store.isolated_schema().unwrap().to_owned();
    // A rule the store does not know, so that the group's single journal INSERT fails and the writer
    // has to find the culprit request by request.
    let mut conn = raw(&url, &schema).await;
    sqlx::query("ALTER TABLE journal ADD CONSTRAINT test_no_poison CHECK (motif <> 'poison')")
        .execute(&mut conn)
        .await
        .unwrap();
    let duplicate = entity(999, &unit, &account, "déjà là");
    store
        .write(WriteBatch {
            mutations: vec![Mutation::InsertEntity(duplicate.clone())],
            journal: vec![],
        })
        .await
        .unwrap();

    for round in 0..5 {
        let tasks: Vec<_> = (0..120usize)
            .map(|index| {
                let store = Arc::clone(&store);
                let (mutations, motif) = match index % 10 {
                    3 => (Vec::new(), "poison".to_owned()),
                    7 => (
                        vec![Mutation::InsertEntity(duplicate.clone())],
                        "doublon".to_owned(),
                    ),
                    _ => (Vec::new(), format!("round {round} write {index}")),
                };
                let journal = vec![draft(index, "avant"), draft(index, &motif)];
                tokio::spawn(async move {
                    (index, store.write(WriteBatch { mutations, journal }).await)
                })
            })
            .collect();
        for task in tasks {
            let (index, result) = task.await.unwrap();
            match index % 10 {
                3 => assert!(
                    matches!(result, Err(StoreError::Conflict(_))),
                    "poisoned write {index}: {result:?}"
                ),
                7 => assert!(
                    matches!(result, Err(StoreError::Conflict(_))),
                    "duplicate write {index}: {result:?}"
                ),
                _ => assert_eq!(
                    result.unwrap().len(),
                    2,
                    "write {index} succeeds beside failing ones"
                ),
            }
        }
    }
    let len = verify_journal(&store).await;
    assert_eq!(
        len,
        1 + 5 * 96 * 2,
        "exactly the successful writes' entries"
    );
    let poisoned = store
        .journal_search(&JournalQuery {
            object: None,
            limit: 10_000,
            ..JournalQuery::default()
        })
        .await
        .unwrap()
        .into_iter()
        .filter(|entry| entry.draft.motif == "poison" || entry.draft.motif == "doublon")
        .count();
    assert_eq!(poisoned, 0);
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nul_characters_are_refused_cleanly() {
    let Some(url) = pg_url() else { return };
    let store = isolated(&url).await;
    seed(&store).await;
    let result = store.write(journal_only(vec![draft(1, "a\0b")])).await;
    assert!(
        matches!(result, Err(StoreError::Internal(ref message)) if message.contains("NUL")),
        "{result:?}"
    );
    let mut bad_unit = unit(5, "NUL");
    bad_unit.name = "a\0b".to_owned();
    let result = store
        .write(WriteBatch {
            mutations: vec![Mutation::PutUnit(bad_unit)],
            journal: vec![draft(2, "ok")],
        })
        .await;
    assert!(matches!(result, Err(StoreError::Internal(_))), "{result:?}");
    assert_eq!(store.journal_len().await.unwrap(), 1);
    assert_eq!(
        store
            .write(journal_only(vec![draft(3, "ok")]))
            .await
            .unwrap(),
        vec![2]
    );
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_journal_is_append_only_in_the_database() {
    let Some(url) = pg_url() else { return };
    let store = isolated(&url).await;
    seed(&store).await;
    store
        .write(journal_only(vec![
            draft(1, "consultation"),
            draft(2, "recherche"),
        ]))
        .await
        .unwrap();
    let entries = store.journal_range(1, 10).await.unwrap();
    let mut frontier = Frontier::new();
    for entry in &entries {
        frontier.push(entry.leaf_hash);
    }
    store
        .put_checkpoint(&key().sign_checkpoint(3, frontier.root()), &frontier)
        .await
        .unwrap();

    let schema = store.isolated_schema().unwrap().to_owned();
    let mut conn = raw(&url, &schema).await;
    for statement in [
        "UPDATE journal SET motif = 'réécrit' WHERE seq = 2",
        "UPDATE journal SET seq = seq + 100",
        "DELETE FROM journal WHERE seq = 3",
        "DELETE FROM journal",
        "TRUNCATE journal",
        "UPDATE journal_checkpoints SET size = 1",
        "DELETE FROM journal_checkpoints",
        "TRUNCATE journal_checkpoints",
        "UPDATE journal_head SET last_seq = 1",
        "DELETE FROM journal_head",
        "TRUNCATE journal_head",
        "TRUNCATE journal, journal_checkpoints, journal_head",
    ] {
        let error = sqlx::query(statement)
            .execute(&mut conn)
            .await
            .expect_err(statement);
        let code = error
            .as_database_error()
            .and_then(|db| db.code())
            .map(|code| code.into_owned());
        assert_eq!(code.as_deref(), Some("23001"), "{statement}: {error}");
    }
    assert_eq!(
        store.journal_range(1, 10).await.unwrap(),
        entries,
        "the journal is unchanged"
    );
    assert_eq!(store.checkpoints().await.unwrap().len(), 1);
    assert_eq!(store.journal_len().await.unwrap(), 3);
    // Moving the head forward is allowed (that is how entries are appended)...
    sqlx::query("UPDATE journal_head SET last_seq = last_seq")
        .execute(&mut conn)
        .await
        .unwrap();
    // ...and the triggers are part of the integrity check: disabling one is reported.
    assert_eq!(store.integrity_check().await.unwrap(), Vec::<String>::new());
    sqlx::query("ALTER TABLE journal DISABLE TRIGGER journal_no_delete")
        .execute(&mut conn)
        .await
        .unwrap();
    let problems = store.integrity_check().await.unwrap();
    assert_eq!(
        problems,
        vec!["append-only trigger journal_no_delete on journal is disabled".to_owned()]
    );
    sqlx::query("DELETE FROM journal WHERE seq = 3")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("ALTER TABLE journal ENABLE TRIGGER journal_no_delete")
        .execute(&mut conn)
        .await
        .unwrap();
    let problems = store.integrity_check().await.unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("journal_head says 3 entries but the journal holds 2"),
        "{problems:?}"
    );
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_nodes_share_one_journal() {
    let Some(url) = pg_url() else { return };
    // A fresh schema that three "nodes" open at the same moment, each migrating.
    let first = isolated(&url).await;
    let schema = first.isolated_schema().unwrap().to_owned();
    first.close().await;
    let mut conn = raw(&url, &schema).await;
    sqlx::raw_sql(&format!(
        "DROP SCHEMA \"{schema}\" CASCADE; CREATE SCHEMA \"{schema}\""
    ))
    .execute(&mut conn)
    .await
    .unwrap();
    let node_url = url_in_schema(&url, &schema);
    let opened = futures_join(&node_url).await;
    let nodes: Vec<Arc<PostgresStore>> = opened
        .into_iter()
        .map(|store| Arc::new(store.unwrap()))
        .collect();
    let migrations: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM schema_migrations")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(migrations, 7, "each migration ran once");
    seed(&nodes[0]).await;

    let tasks: Vec<_> = (0..300usize)
        .map(|index| {
            let node = Arc::clone(&nodes[index % nodes.len()]);
            tokio::spawn(async move {
                let journal = (0..index % 2 + 1)
                    .map(|part| draft(index * 10 + part, "multi-nœud"))
                    .collect();
                node.write(journal_only(journal)).await.unwrap()
            })
        })
        .collect();
    let mut seqs = Vec::new();
    for task in tasks {
        seqs.extend(task.await.unwrap());
    }
    seqs.sort_unstable();
    let len = nodes[1].journal_len().await.unwrap();
    assert_eq!(
        seqs,
        (2..=len).collect::<Vec<_>>(),
        "gapless and unique across nodes"
    );
    assert_eq!(verify_journal(&nodes[2]).await, len);
    for node in &nodes {
        assert_eq!(node.integrity_check().await.unwrap(), Vec::<String>::new());
        node.close().await;
    }
}

/// Opens three stores on `url` at once.
async fn futures_join(url: &str) -> Vec<Result<PostgresStore, StoreError>> {
    let (a, b, c) = tokio::join!(
        PostgresStore::open(url, options()),
        PostgresStore::open(url, options()),
        PostgresStore::open(url, options())
    );
    vec![a, b, c]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_versions_are_checked() {
    let Some(url) = pg_url() else { return };
    let store = isolated(&url).await;
    let schema = store.isolated_schema().unwrap().to_owned();
    store.close().await;
    let node_url = url_in_schema(&url, &schema);
    // Up to date: opens without migrating.
    let again = PostgresStore::open(
        &node_url,
        OpenOptions {
            journal_key: key(),
            migrate: false,
        },
    )
    .await
    .unwrap();
    again.close().await;
    // Written by a newer Vigie.
    let mut conn = raw(&url, &schema).await;
    sqlx::query("INSERT INTO schema_migrations (version, name) VALUES (99, '0099_future')")
        .execute(&mut conn)
        .await
        .unwrap();
    for migrate in [true, false] {
        let error = PostgresStore::open(
            &node_url,
            OpenOptions {
                journal_key: key(),
                migrate,
            },
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&error, StoreError::Schema(message) if message.contains("newer")),
            "{error:?}"
        );
    }
    // An empty schema without migrations allowed; then a foreign schema.
    sqlx::raw_sql(&format!(
        "DROP SCHEMA \"{schema}\" CASCADE; CREATE SCHEMA \"{schema}\""
    ))
    .execute(&mut conn)
    .await
    .unwrap();
    let error = PostgresStore::open(
        &node_url,
        OpenOptions {
            journal_key: key(),
            migrate: false,
        },
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&error, StoreError::Schema(message) if message.contains("version 0")),
        "{error:?}"
    );
    sqlx::query("CREATE TABLE something_else (id INT)")
        .execute(&mut conn)
        .await
        .unwrap();
    let error = PostgresStore::open(&node_url, options()).await.unwrap_err();
    assert!(
        matches!(&error, StoreError::Schema(message) if message.contains("not created by Vigie")),
        "{error:?}"
    );
    sqlx::query(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
        .execute(&mut conn)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_drains_the_queue_then_refuses() {
    let Some(url) = pg_url() else { return };
    let store = isolated(&url).await;
    seed(&store).await;
    let tasks: Vec<_> = (0..300usize)
        .map(|index| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                store
                    .write(journal_only(vec![draft(index, "avant fermeture")]))
                    .await
            })
        })
        .collect();
    tokio::task::yield_now().await;
    store.close().await;
    let mut acknowledged = 0u64;
    for task in tasks {
        match task.await.unwrap() {
            Ok(seqs) => acknowledged += seqs.len() as u64,
            Err(StoreError::Unavailable(_)) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert!(matches!(
        store.write(journal_only(vec![draft(1, "après")])).await,
        Err(StoreError::Unavailable(_))
    ));
    assert!(matches!(
        store.journal_len().await,
        Err(StoreError::Unavailable(_))
    ));
    assert!(matches!(
        store.health().await,
        Err(StoreError::Unavailable(_))
    ));
    store.close().await;
    // Every acknowledged write is there, and nothing else.
    let reopened = PostgresStore::open(
        &url_in_schema(&url, store.isolated_schema().unwrap()),
        options(),
    )
    .await
    .unwrap();
    assert_eq!(reopened.journal_len().await.unwrap(), 1 + acknowledged);
    assert_eq!(verify_journal(&reopened).await, 1 + acknowledged);
    reopened.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_errors_are_bounded_and_hide_the_password() {
    let Some(url) = pg_url() else { return };
    let parsed = url::Url::parse(&url).unwrap();
    let password = parsed.password().unwrap_or("none").to_owned();

    let mut wrong = parsed.clone();
    wrong.set_password(Some("not-the-password-x9")).unwrap();
    let started = Instant::now();
    let error = PostgresStore::open(wrong.as_str(), options())
        .await
        .unwrap_err();
    let text = format!("{error} {error:?}");
    assert!(matches!(error, StoreError::Unavailable(_)), "{text}");
    assert!(
        !text.contains("not-the-password-x9") && !text.contains(&password),
        "{text}"
    );
    assert!(text.contains("***"), "the URL is named, redacted: {text}");

    // Nothing listens on port 1: refused at once, and in any case within the acquire timeout.
    let mut closed = parsed.clone();
    closed.set_port(Some(1)).unwrap();
    let error = PostgresStore::open(closed.as_str(), options())
        .await
        .unwrap_err();
    let text = format!("{error} {error:?}");
    assert!(matches!(error, StoreError::Unavailable(_)), "{text}");
    assert!(!text.contains(&password), "{text}");
    assert!(
        started.elapsed() < Duration::from_secs(12),
        "connection errors take at most the 5 s timeouts"
    );

    assert!(matches!(
        PostgresStore::open("sqlite://x.db", options()).await,
        Err(StoreError::InvalidUrl(_))
    ));
    let debug = format!("{:?}", isolated(&url).await);
    assert!(!debug.contains(&password), "{debug}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_journal_lock_makes_writes_fail_in_bounded_time() {
    let Some(url) = pg_url() else { return };
    let store = isolated(&url).await;
    seed(&store).await;
    let mut conn = raw(&url, store.isolated_schema().unwrap()).await;
    // Another "node" stuck in the middle of an append, holding the head's lock.
    let mut stuck = conn.begin().await.unwrap();
    sqlx::query("SELECT last_seq FROM journal_head FOR UPDATE")
        .execute(&mut *stuck)
        .await
        .unwrap();
    let started = Instant::now();
    let result = store.write(journal_only(vec![draft(1, "bloqué")])).await;
    let waited = started.elapsed();
    assert!(
        matches!(result, Err(StoreError::Unavailable(_))),
        "{result:?}"
    );
    assert!(
        waited >= Duration::from_secs(4) && waited < Duration::from_secs(8),
        "lock_timeout is 5 s: {waited:?}"
    );
    // Reads do not wait for the lock.
    assert_eq!(store.journal_len().await.unwrap(), 1);
    stuck.rollback().await.unwrap();
    assert_eq!(
        store
            .write(journal_only(vec![draft(2, "débloqué")]))
            .await
            .unwrap(),
        vec![2],
        "no gap"
    );
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_connections_are_replaced() {
    let Some(url) = pg_url() else { return };
    let store = isolated(&url).await;
    seed(&store).await;
    let schema = store.isolated_schema().unwrap().to_owned();
    let mut conn = raw(&url, &schema).await;
    for round in 0..3 {
        store
            .write(journal_only(vec![draft(round, "avant")]))
            .await
            .unwrap();
        store.journal_len().await.unwrap();
        let killed: Vec<bool> = sqlx::query_scalar(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
        )
        .bind(&schema)
        .fetch_all(&mut conn)
        .await
        .unwrap();
        assert!(
            !killed.is_empty(),
            "the store's connections are found by their application_name"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
        // The pool checks a connection before handing it out, so no request sees the dead ones.
        store
            .write(journal_only(vec![draft(round, "après")]))
            .await
            .unwrap();
        store.entity(EntityId(Uuid::from_u128(1))).await.unwrap();
    }
    assert_eq!(verify_journal(&store).await, 7);
    store.close().await;
}
