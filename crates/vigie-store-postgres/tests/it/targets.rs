//! The deconfliction keys of schema 5 (`0005_compact_keys.sql`): keys name their target by `ord`
//! with no foreign key, and are written by COPY, which cannot skip a row. So this backend itself
//! keeps a key already held (renewals, a digest given twice), makes several nodes renewing or
//! deleting one target at once leave no key without its target, and the migration carries the old
//! keys and their privileges over.

use super::*;
use vigie_store::{KeyRow, TargetRecord, TargetWrite};
use vigie_targets::TargetId;

const YEAR: i64 = 365 * 24 * 3_600 * 1_000_000;

fn target_id(n: u128) -> TargetId {
    TargetId(Uuid::from_u128(0x5000 + n))
}

fn digest(n: u32) -> [u8; 16] {
    let mut digest = [0xd0; 16];
    digest[..4].copy_from_slice(&n.to_be_bytes());
    digest
}

fn key_row(n: u32, kind: &str) -> KeyRow {
    KeyRow {
        digest: digest(n),
        kind: kind.to_owned(),
        exact: n % 2 == 0,
        added_at_micros: T0 + i64::from(n),
    }
}

fn target_write(id: TargetId, unit: UnitId, body: &str, keys: Vec<KeyRow>) -> TargetWrite {
    TargetWrite {
        target: TargetRecord {
            id,
            unit,
            registered_at_micros: T0,
            expires_at_micros: T0 + YEAR,
            order: 0,
            body: body.to_owned(),
        },
        keys,
    }
}

/// Without a journal entry, so that several nodes' registrations are not serialised by the journal
/// head's lock and really run at once.
fn put(writes: Vec<TargetWrite>) -> WriteBatch {
    WriteBatch {
        mutations: vec![Mutation::PutTargets(writes)],
        journal: Vec::new(),
    }
}

/// (digest, kind, added_at) of each key of the target, by digest.
async fn stored_keys(conn: &mut PgConnection, id: TargetId) -> Vec<(Vec<u8>, String, i64)> {
    sqlx::query_as(
        "SELECT k.digest, k.kind, k.added_at_micros FROM target_keys k
         JOIN targets t ON t.ord = k.ord WHERE t.id = $1 ORDER BY k.digest",
    )
    .bind(id.0)
    .fetch_all(conn)
    .await
    .unwrap()
}

async fn orphan_keys(conn: &mut PgConnection) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM target_keys k WHERE NOT EXISTS (SELECT 1 FROM targets t WHERE t.ord = k.ord)",
    )
    .fetch_one(conn)
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_already_held_are_kept_and_none_outlives_its_target() {
    let Some(url) = pg_url() else { return };
    let store = isolated(&url).await;
    let schema = store.isolated_schema().unwrap().to_owned();
    let mut conn = raw(&url, &schema).await;
    let unit = UnitId(Uuid::from_u128(0x1001));

    // A digest given twice for one target is stored once, as first given.
    store
        .write(put(vec![target_write(
            target_id(1),
            unit,
            "{}",
            vec![
                key_row(1, "phone"),
                key_row(2, "plate"),
                key_row(1, "person"),
            ],
        )]))
        .await
        .unwrap();
    // A renewal naming a key already held keeps the stored one and adds the new.
    store
        .write(put(vec![target_write(
            target_id(1),
            unit,
            "{\"renewed\":true}",
            vec![
                KeyRow {
                    added_at_micros: T0 + YEAR,
                    ..key_row(1, "iban")
                },
                key_row(3, "iban"),
            ],
        )]))
        .await
        .unwrap();
    let kinds: Vec<(u32, String, i64)> = stored_keys(&mut conn, target_id(1))
        .await
        .into_iter()
        .map(|(digest, kind, added)| {
            (
                u32::from_be_bytes(digest[..4].try_into().unwrap()),
                kind,
                added,
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            (1, "phone".to_owned(), T0 + 1),
            (2, "plate".to_owned(), T0 + 2),
            (3, "iban".to_owned(), T0 + 3)
        ]
    );

    // A bulk larger than one statement's worth of targets and one COPY's worth of keys, then its
    // renewal with every key again plus one.
    let bulk = |extra: bool| -> Vec<TargetWrite> {
        (0..25_000u32)
            .map(|n| {
                let mut keys: Vec<KeyRow> = (0..5)
                    .map(|k| key_row(1_000 + n * 8 + k, "phone"))
                    .collect();
                if extra {
                    keys.push(key_row(1_000 + n * 8 + 5, "plate"));
                }
                target_write(target_id(100 + u128::from(n)), unit, "{}", keys)
            })
            .collect()
    };
    store.write(put(bulk(false))).await.unwrap();
    store.write(put(bulk(true))).await.unwrap();
    let keys: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM target_keys")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(keys, 3 + 25_000 * 6);
    assert_eq!(
        store
            .key_hits(&[digest(1_000 + 8 * 24_999 + 5)], T0)
            .await
            .unwrap()
            .len(),
        1
    );

    // Several nodes renew one target at once, each adding keys others add too; then some delete it
    // while others renew it. Every registration succeeds, and no key is left without its target.
    let nodes: Vec<Arc<PostgresStore>> = {
        let node_url = url_in_schema(&url, &schema);
        let mut nodes = Vec::new();
        for _ in 0..3 {
            nodes.push(Arc::new(
                PostgresStore::open(&node_url, options()).await.unwrap(),
            ));
        }
        nodes
    };
    for round in 0..6u32 {
        let tasks: Vec<_> = (0..9u32)
            .map(|n| {
                let node = Arc::clone(&nodes[n as usize % nodes.len()]);
                tokio::spawn(async move {
                    let batch = if round % 2 == 1 && n % 3 == 0 {
                        WriteBatch {
                            mutations: vec![Mutation::DeleteTarget { id: target_id(1) }],
                            journal: Vec::new(),
                        }
                    } else {
                        let keys = (0..4)
                            .map(|k| key_row(500 + round * 10 + (n + k) % 6, "phone"))
                            .collect();
                        put(vec![target_write(target_id(1), unit, "{}", keys)])
                    };
                    node.write(batch).await
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert_eq!(orphan_keys(&mut conn).await, 0, "round {round}");
    }
    for node in nodes {
        node.close().await;
    }
    store
        .write(WriteBatch {
            mutations: vec![Mutation::DeleteTarget { id: target_id(1) }],
            journal: Vec::new(),
        })
        .await
        .unwrap();
    assert!(stored_keys(&mut conn, target_id(1)).await.is_empty());
    assert_eq!(orphan_keys(&mut conn).await, 0);
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_compact_keys_migration_keeps_keys_and_privileges() {
    let Some(url) = pg_url() else { return };
    let first = isolated(&url).await;
    let schema = first.isolated_schema().unwrap().to_owned();
    first.close().await;
    let mut conn = raw(&url, &schema).await;
    // The schema as version 4 left it, with keys in the old layout and privileges granted on them.
    sqlx::raw_sql(&format!(
        "DROP SCHEMA \"{schema}\" CASCADE; CREATE SCHEMA \"{schema}\"; SET search_path TO \"{schema}\";
         CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,
             applied_at TIMESTAMPTZ NOT NULL DEFAULT now());"
    ))
    .execute(&mut conn)
    .await
    .unwrap();
    for (version, (name, sql)) in [
        (
            "0001_initial",
            include_str!("../../migrations/0001_initial.sql"),
        ),
        (
            "0002_targets",
            include_str!("../../migrations/0002_targets.sql"),
        ),
        (
            "0003_intel",
            include_str!("../../migrations/0003_intel.sql"),
        ),
        (
            "0004_record_area",
            include_str!("../../migrations/0004_record_area.sql"),
        ),
    ]
    .into_iter()
    .enumerate()
    {
        sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
        sqlx::query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)")
            .bind(i32::try_from(version).unwrap() + 1)
            .bind(name)
            .execute(&mut conn)
            .await
            .unwrap();
    }
    let (sr, douane) = (
        UnitId(Uuid::from_u128(0x1001)),
        UnitId(Uuid::from_u128(0x1002)),
    );
    for (n, unit) in [(1, sr), (2, douane)] {
        sqlx::query(
            "INSERT INTO targets (id, unit, registered_at_micros, expires_at_micros, body)
             VALUES ($1, $2, $3, $4, '{}')",
        )
        .bind(target_id(n).0)
        .bind(unit.0)
        .bind(T0)
        .bind(T0 + YEAR)
        .execute(&mut conn)
        .await
        .unwrap();
    }
    for (n, unit, digest_n, kind) in [
        (1, sr, 7, "phone"),
        (1, sr, 8, "person"),
        (2, douane, 7, "phone"),
    ] {
        sqlx::query(
            "INSERT INTO target_keys (digest, target, unit, kind, exact, added_at_micros)
             VALUES ($1, $2, $3, $4, true, $5)",
        )
        .bind(digest(digest_n).to_vec())
        .bind(target_id(n).0)
        .bind(unit.0)
        .bind(kind)
        .bind(T0)
        .execute(&mut conn)
        .await
        .unwrap();
    }
    sqlx::query("GRANT SELECT, INSERT, DELETE ON target_keys TO PUBLIC")
        .execute(&mut conn)
        .await
        .unwrap();

    let store = PostgresStore::open(&url_in_schema(&url, &schema), options())
        .await
        .unwrap();
    assert!(store.integrity_check().await.unwrap().is_empty());
    let conflicts = store.conflicts_of_unit(sr, T0).await.unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(
        (conflicts[0].own_target, conflicts[0].other.id),
        (target_id(1), target_id(2))
    );
    assert_eq!(conflicts[0].own_key.kind, "phone");
    assert_eq!(store.key_hits(&[digest(8)], T0).await.unwrap().len(), 1);
    assert_eq!(
        store
            .shared_digests(sr, &[digest(7), digest(8)], T0)
            .await
            .unwrap(),
        [digest(7)]
    );
    let privileges: Vec<bool> = sqlx::query_scalar(
        "SELECT has_table_privilege('public', 'target_keys', privilege)
         FROM UNNEST(ARRAY['SELECT', 'INSERT', 'DELETE', 'UPDATE']) AS privilege",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert_eq!(
        privileges,
        [true, true, true, false],
        "privileges carried over"
    );
    store.close().await;
    sqlx::query(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
        .execute(&mut conn)
        .await
        .unwrap();
}
