//! The target file's part of the story: registration order, key look-ups, conflicts derived from
//! shared digests, renewals, the refusal of another unit's target, expiry, workflow records and
//! their erasure with their targets, and N units registering the same target at the same instant.

use super::*;
use std::time::Duration;
use vigie_core::org::UnitId;
use vigie_store::{KeyRow, RecordQuery, TargetRecord, TargetWrite, WorkflowRecord};
use vigie_targets::TargetId;

/// Units of the concurrency rounds (they need not exist as unit rows: the store does not check).
const ROUND_UNITS: u128 = 8;
const ROUNDS: u128 = 12;

fn target_id(n: u128) -> TargetId {
    TargetId(uuid::Uuid::from_u128(0x5000 + n))
}

fn digest(n: u8) -> [u8; 16] {
    [n; 16]
}

fn key(n: u8, kind: &str, exact: bool) -> KeyRow {
    KeyRow {
        digest: digest(n),
        kind: kind.to_owned(),
        exact,
        added_at_micros: T0,
    }
}

fn write(id: TargetId, unit: UnitId, expires: i64, body: &str, keys: Vec<KeyRow>) -> TargetWrite {
    TargetWrite {
        target: TargetRecord {
            id,
            unit,
            registered_at_micros: T0,
            expires_at_micros: expires,
            order: 0,
            body: body.to_owned(),
        },
        keys,
    }
}

const YEAR: i64 = 365 * 24 * 3_600 * 1_000_000;

impl Story {
    async fn put(&mut self, writes: Vec<TargetWrite>) {
        self.store
            .write(WriteBatch {
                mutations: vec![Mutation::PutTargets(writes)],
                journal: vec![admin_draft("target", "req-target")],
            })
            .await
            .unwrap();
        self.journal_len += 1;
    }

    pub(crate) async fn targets(&mut self) {
        let store = Arc::clone(&self.store);
        let (sr, douane, ofast) = (
            unit_id(UNIT_SR_MARSEILLE),
            unit_id(UNIT_DOUANE),
            unit_id(UNIT_OFAST),
        );
        assert_eq!(store.target(target_id(1)).await.unwrap(), None);
        assert!(store.key_hits(&[digest(1)], T0).await.unwrap().is_empty());

        // The SR registers a target with two keys; then customs one sharing the phone key; then the
        // SR another target with no shared key.
        self.put(vec![write(
            target_id(1),
            sr,
            T0 + 2 * YEAR,
            "{\"a\":1}",
            vec![key(1, "phone", true), key(2, "person", true)],
        )])
        .await;
        self.put(vec![write(
            target_id(2),
            douane,
            T0 + 2 * YEAR,
            "{\"b\":2}",
            vec![key(1, "phone", true), key(3, "person", false)],
        )])
        .await;
        self.put(vec![write(
            target_id(3),
            sr,
            T0 + 2 * YEAR,
            "{}",
            vec![key(4, "plate", true)],
        )])
        .await;
        let first = store.target(target_id(1)).await.unwrap().expect("stored");
        let second = store.target(target_id(2)).await.unwrap().expect("stored");
        let third = store.target(target_id(3)).await.unwrap().expect("stored");
        assert!(
            first.order < second.order && second.order < third.order,
            "registration order"
        );
        assert_eq!((first.unit, first.body.as_str()), (sr, "{\"a\":1}"));

        let mine: Vec<TargetId> = store
            .targets_of_unit(sr, T0)
            .await
            .unwrap()
            .iter()
            .map(|target| target.id)
            .collect();
        assert_eq!(mine, [target_id(3), target_id(1)], "latest first");

        let mut hits = store.key_hits(&[digest(1), digest(9)], T0).await.unwrap();
        hits.sort_by_key(|hit| hit.target.order);
        assert_eq!(hits.len(), 2);
        assert_eq!(
            (hits[0].target.id, hits[1].target.id),
            (target_id(1), target_id(2))
        );
        assert_eq!(hits[1].key, key(1, "phone", true));

        // Conflicts are seen from both sides, with both keys.
        let sr_conflicts = store.conflicts_of_unit(sr, T0).await.unwrap();
        assert_eq!(sr_conflicts.len(), 1);
        assert_eq!(sr_conflicts[0].own_target, target_id(1));
        assert_eq!(sr_conflicts[0].other.id, target_id(2));
        assert_eq!(sr_conflicts[0].other_key.kind, "phone");
        let customs_conflicts = store.conflicts_of_unit(douane, T0).await.unwrap();
        assert_eq!(customs_conflicts.len(), 1);
        assert_eq!(customs_conflicts[0].other.id, target_id(1));
        assert!(store.conflicts_of_unit(ofast, T0).await.unwrap().is_empty());
        // Which digests another unit's live target holds: the shared phone, seen from each side;
        // a unit's own digests and unknown ones are not listed.
        let asked = [digest(1), digest(9), digest(1)];
        let shared = |unit| store.shared_digests(unit, &asked, T0);
        assert_eq!(shared(sr).await.unwrap(), [digest(1)]);
        assert_eq!(shared(douane).await.unwrap(), [digest(1)]);
        assert_eq!(
            shared(ofast).await.unwrap().len(),
            1,
            "any other unit's target counts"
        );

        // A renewal replaces body and expiry, keeps the order, adds keys, keeps the old ones.
        self.put(vec![write(
            target_id(1),
            sr,
            T0 + 3 * YEAR,
            "{\"a\":2}",
            vec![key(1, "phone", true), key(5, "iban", true)],
        )])
        .await;
        let renewed = store.target(target_id(1)).await.unwrap().expect("stored");
        assert_eq!(renewed.order, first.order);
        assert_eq!(
            (renewed.expires_at_micros, renewed.body.as_str()),
            (T0 + 3 * YEAR, "{\"a\":2}")
        );
        assert_eq!(
            store
                .key_hits(&[digest(2), digest(5)], T0)
                .await
                .unwrap()
                .len(),
            2
        );

        // Another unit cannot overwrite a target; a registration naming one target twice is refused.
        let before = self.journal_len;
        expect_conflict(
            store
                .write(WriteBatch {
                    mutations: vec![Mutation::PutTargets(vec![write(
                        target_id(1),
                        douane,
                        T0,
                        "{}",
                        vec![],
                    )])],
                    journal: vec![admin_draft("target", "req-steal")],
                })
                .await,
            "another unit's target",
        );
        expect_conflict(
            store
                .write(WriteBatch {
                    mutations: vec![Mutation::PutTargets(vec![
                        write(target_id(7), douane, T0 + YEAR, "{}", vec![]),
                        write(target_id(7), douane, T0 + YEAR, "{}", vec![]),
                    ])],
                    journal: vec![admin_draft("target", "req-twice")],
                })
                .await,
            "a target twice",
        );
        assert_eq!(
            store.target(target_id(7)).await.unwrap(),
            None,
            "nothing written"
        );
        assert_eq!(store.journal_len().await.unwrap(), before);

        // Workflow records: by target, by window; erased with their target.
        let record =
            |id: &str, a: Option<TargetId>, b: Option<TargetId>, starts: i64, ends: i64| {
                WorkflowRecord {
                    kind: "test".to_owned(),
                    id: id.to_owned(),
                    target_a: a,
                    target_b: b,
                    starts_micros: starts,
                    ends_micros: ends,
                    area: None,
                    body: format!("{{\"id\":\"{id}\"}}"),
                }
            };
        for put in [
            record("r1", Some(target_id(1)), Some(target_id(2)), 10, 20),
            record("r2", Some(target_id(3)), None, 15, 30),
            record("r3", None, None, 40, 50),
        ] {
            store
                .write(WriteBatch {
                    mutations: vec![Mutation::PutRecord(put)],
                    journal: Vec::new(),
                })
                .await
                .unwrap();
        }
        let ids = |records: Vec<WorkflowRecord>| -> Vec<String> {
            records.into_iter().map(|r| r.id).collect()
        };
        let query = |targets: Option<Vec<TargetId>>, window: Option<(i64, i64)>| RecordQuery {
            area: None,
            kind: "test".to_owned(),
            targets,
            window,
        };
        assert_eq!(
            ids(store.records(&query(None, None)).await.unwrap()),
            ["r1", "r2", "r3"]
        );
        assert_eq!(
            ids(store
                .records(&query(Some(vec![target_id(2)]), None))
                .await
                .unwrap()),
            ["r1"]
        );
        assert_eq!(
            ids(store.records(&query(None, Some((20, 41)))).await.unwrap()),
            ["r2", "r3"]
        );
        assert_eq!(
            ids(store.records(&query(None, Some((30, 40)))).await.unwrap()),
            Vec::<String>::new()
        );
        // By area: a CROSS reads its own département's records, kept as written, updates included.
        for (id, area) in [
            ("a13", Some("13")),
            ("a84", Some("84")),
            ("a13b", Some("13")),
            ("anone", None),
        ] {
            store
                .write(WriteBatch {
                    mutations: vec![Mutation::PutRecord(WorkflowRecord {
                        kind: "test-area".to_owned(),
                        area: area.map(str::to_owned),
                        ..record(id, None, None, 5, 6)
                    })],
                    journal: Vec::new(),
                })
                .await
                .unwrap();
        }
        let in_area = |area: Option<&str>| RecordQuery {
            kind: "test-area".to_owned(),
            area: area.map(str::to_owned),
            ..RecordQuery::default()
        };
        assert_eq!(
            ids(store.records(&in_area(Some("13"))).await.unwrap()),
            ["a13", "a13b"]
        );
        assert_eq!(
            ids(store.records(&in_area(None)).await.unwrap()),
            ["a13", "a13b", "a84", "anone"]
        );
        assert_eq!(
            store
                .record("test-area", "a84")
                .await
                .unwrap()
                .and_then(|r| r.area),
            Some("84".to_owned())
        );
        let moved = WorkflowRecord {
            kind: "test-area".to_owned(),
            area: Some("84".to_owned()),
            ..record("a13b", None, None, 5, 6)
        };
        store
            .write(WriteBatch {
                mutations: vec![Mutation::PutRecordIf {
                    read: Some("{\"id\":\"a13b\"}".to_owned()),
                    record: moved,
                }],
                journal: Vec::new(),
            })
            .await
            .unwrap();
        assert_eq!(
            ids(store.records(&in_area(Some("84"))).await.unwrap()),
            ["a13b", "a84"]
        );
        assert_eq!(
            store.record("test", "r3").await.unwrap().map(|r| r.body),
            Some("{\"id\":\"r3\"}".to_owned())
        );
        // What hangs off one key, in one read: the records in its area and the one named after it,
        // of the kinds asked for only, once each.
        for (kind, id, area) in [
            ("test-about", "84", Some("13")),
            ("test-about", "x1", Some("84")),
            ("test-about-2", "x2", Some("84")),
            ("test-about-2", "84", Some("84")),
        ] {
            store
                .write(WriteBatch {
                    mutations: vec![Mutation::PutRecord(WorkflowRecord {
                        kind: kind.to_owned(),
                        area: area.map(str::to_owned),
                        ..record(id, None, None, 5, 6)
                    })],
                    journal: Vec::new(),
                })
                .await
                .unwrap();
        }
        let about = |kinds: &'static [&'static str]| {
            let store = Arc::clone(&store);
            async move {
                store
                    .records_about(kinds, "84")
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|r| format!("{}/{}", r.kind, r.id))
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(
            about(&["test-about", "test-about-2"]).await,
            [
                "test-about/84",
                "test-about/x1",
                "test-about-2/84",
                "test-about-2/x2"
            ]
        );
        assert_eq!(
            about(&["test-about"]).await,
            ["test-about/84", "test-about/x1"]
        );
        assert_eq!(
            about(&["test-area"]).await,
            ["test-area/a13b", "test-area/a84"]
        );
        assert_eq!(about(&[]).await, Vec::<String>::new());

        // Conditional writes: only over what was read; a refused one writes nothing, journal
        // included; of two at once over the same read, exactly one is kept.
        let decided = |id: &str, body: &str| WorkflowRecord {
            area: None,
            kind: "test-if".to_owned(),
            id: id.to_owned(),
            target_a: None,
            target_b: None,
            starts_micros: 0,
            ends_micros: 0,
            body: body.to_owned(),
        };
        let put_if = |record: WorkflowRecord, read: Option<&str>, request: &str| WriteBatch {
            mutations: vec![Mutation::PutRecordIf {
                record,
                read: read.map(str::to_owned),
            }],
            journal: vec![admin_draft("record", request)],
        };
        store
            .write(put_if(decided("d1", "open"), None, "req-if-1"))
            .await
            .unwrap();
        let before = store.journal_len().await.unwrap();
        expect_conflict(
            store
                .write(put_if(decided("d1", "other"), None, "req-if-2"))
                .await,
            "created when it already exists",
        );
        expect_conflict(
            store
                .write(put_if(decided("d1", "other"), Some("stale"), "req-if-3"))
                .await,
            "written over a body that is not the one read",
        );
        expect_conflict(
            store
                .write(put_if(decided("d9", "other"), Some("open"), "req-if-4"))
                .await,
            "written over a record that does not exist",
        );
        assert_eq!(
            store.journal_len().await.unwrap(),
            before,
            "nothing journaled"
        );
        assert_eq!(
            store.record("test-if", "d1").await.unwrap().map(|r| r.body),
            Some("open".to_owned())
        );
        let (first, second) = tokio::join!(
            store.write(put_if(decided("d1", "lead:A"), Some("open"), "req-if-5")),
            store.write(put_if(decided("d1", "lead:B"), Some("open"), "req-if-6")),
        );
        let kept = match (first, second) {
            (Ok(_), Err(StoreError::Conflict(_))) => "lead:A",
            (Err(StoreError::Conflict(_)), Ok(_)) => "lead:B",
            other => panic!("two decisions over one read: expected one kept, got {other:?}"),
        };
        assert_eq!(
            store.record("test-if", "d1").await.unwrap().map(|r| r.body),
            Some(kept.to_owned())
        );
        assert_eq!(store.journal_len().await.unwrap(), before + 1);
        self.journal_len += 2;

        // Expiry: listed, then invisible to reads at that instant, erased with records and keys.
        assert_eq!(
            store.expired_targets(T0 + 2 * YEAR, 10).await.unwrap(),
            [target_id(2), target_id(3)]
        );
        assert_eq!(
            store.expired_targets(T0 + 2 * YEAR, 1).await.unwrap().len(),
            1
        );
        assert!(
            store
                .conflicts_of_unit(sr, T0 + 2 * YEAR)
                .await
                .unwrap()
                .is_empty(),
            "expired targets do not conflict"
        );
        assert!(store
            .key_hits(&[digest(4)], T0 + 2 * YEAR)
            .await
            .unwrap()
            .is_empty());
        assert!(store
            .shared_digests(ofast, &[digest(4)], T0 + 2 * YEAR)
            .await
            .unwrap()
            .is_empty());
        store
            .write(WriteBatch {
                mutations: vec![
                    Mutation::DeleteTarget { id: target_id(2) },
                    Mutation::DeleteTarget { id: target_id(3) },
                    Mutation::DeleteRecord {
                        kind: "test".to_owned(),
                        id: "r3".to_owned(),
                    },
                ],
                journal: vec![admin_draft("target", "req-expire")],
            })
            .await
            .unwrap();
        self.journal_len += 1;
        assert_eq!(store.target(target_id(2)).await.unwrap(), None);
        assert!(
            store.records(&query(None, None)).await.unwrap().is_empty(),
            "records erased with their targets"
        );
        assert!(store.conflicts_of_unit(sr, T0).await.unwrap().is_empty());
        assert!(
            store
                .key_hits(&[digest(3), digest(4)], T0)
                .await
                .unwrap()
                .is_empty(),
            "keys erased"
        );

        self.simultaneous_registrations().await;

        store
            .write(WriteBatch {
                mutations: vec![Mutation::DeleteTarget { id: target_id(1) }],
                journal: Vec::new(),
            })
            .await
            .unwrap();
        assert_eq!(store.counts().await.unwrap().targets, 0);
    }

    /// N units register the same target at the same instant, in rounds, with staggered starts:
    /// exactly one is first, and every pair of units sees each other once, so the first sees one
    /// conflict per later unit and each later unit sees the first.
    async fn simultaneous_registrations(&mut self) {
        for round in 0..ROUNDS {
            let shared = 100 + round as u8;
            let tasks: Vec<_> = (0..ROUND_UNITS)
                .map(|n| {
                    let store = Arc::clone(&self.store);
                    let unit = UnitId(uuid::Uuid::from_u128(0x6000 + n));
                    let id = target_id(1_000 + round * 100 + n);
                    // A fixed, varied stagger (0 to 3 ms): the interleaving differs from round to round.
                    let delay = Duration::from_micros(((round * 7 + n * 13) % 4 * 1000) as u64);
                    tokio::spawn(async move {
                        tokio::time::sleep(delay).await;
                        store
                            .write(WriteBatch {
                                mutations: vec![Mutation::PutTargets(vec![write(
                                    id,
                                    unit,
                                    T0 + YEAR,
                                    "{}",
                                    vec![key(shared, "phone", true)],
                                )])],
                                journal: vec![admin_draft("target", "req-race")],
                            })
                            .await
                            .map(|_| (unit, id))
                    })
                })
                .collect();
            let mut registered = Vec::new();
            for task in tasks {
                registered.push(task.await.expect("task").expect("registration written"));
                self.journal_len += 1;
            }
            let mut orders = BTreeMap::new();
            for (_, id) in &registered {
                let order = self.store.target(*id).await.unwrap().expect("stored").order;
                orders.insert(order, *id);
            }
            assert_eq!(
                orders.len(),
                registered.len(),
                "round {round}: orders are distinct"
            );
            let first = *orders.values().next().expect("one first");
            for (unit, id) in &registered {
                let conflicts = self.store.conflicts_of_unit(*unit, T0).await.unwrap();
                let others: BTreeSet<TargetId> = conflicts.iter().map(|c| c.other.id).collect();
                assert_eq!(
                    conflicts.len(),
                    registered.len() - 1,
                    "round {round}: one row per other unit"
                );
                assert_eq!(
                    others.len(),
                    registered.len() - 1,
                    "round {round}: each other unit once"
                );
                assert!(!others.contains(id));
                if *id == first {
                    let own = self.store.target(*id).await.unwrap().expect("stored").order;
                    assert!(
                        conflicts.iter().all(|c| c.other.order > own),
                        "the first sees only later units"
                    );
                } else {
                    assert!(
                        others.contains(&first),
                        "round {round}: a later unit sees the first"
                    );
                }
            }
            let mutations = registered
                .iter()
                .map(|(_, id)| Mutation::DeleteTarget { id: *id })
                .collect();
            self.store
                .write(WriteBatch {
                    mutations,
                    journal: Vec::new(),
                })
                .await
                .unwrap();
        }
    }
}
