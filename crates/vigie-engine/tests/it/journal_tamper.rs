//! Tampering with the journal in the database file itself, and `verify_journal` naming the first bad
//! entry. Each attack runs on a copy of the same journal, with the database triggers dropped first
//! (as an attacker with write access to the file would).

use crate::support::*;
use std::sync::Arc;
use time::macros::datetime;
use vigie_core::journal::{
    canonical_bytes, leaf_hash, JournalAction, JournalDraft, Outcome, Tamper,
};
use vigie_engine::{Engine, EngineConfig, ManualClock};

/// Builds a demo journal with consultations and a final signed checkpoint; returns its directory and size.
async fn journal_dir() -> (tempfile::TempDir, u64) {
    let fixture = demo().await;
    let (agent, _) = login(&fixture, "analyste.ofast").await;
    let entities = vigie_synth::generate(&vigie_synth::SynthOptions {
        seed: 42,
        people: 60,
        recorded_at: datetime!(2026-11-23 09:00 UTC),
    })
    .entities;
    for entity in entities.iter().take(10) {
        fixture
            .engine
            .consult_entity(&agent, entity.id, "analyse de réseau", &ctx())
            .await
            .unwrap();
    }
    fixture.engine.checkpoint().await.unwrap();
    let outcome = fixture.engine.verify_journal().await.unwrap();
    assert_eq!(outcome.result, Ok(()));
    fixture.engine.close_without_checkpoint().await;
    let Fixture { dir, .. } = fixture;
    (dir, outcome.entries)
}

fn copy_dir(from: &std::path::Path) -> tempfile::TempDir {
    let to = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.path().join(entry.file_name())).unwrap();
    }
    to
}

fn attacker_connection(dir: &std::path::Path) -> rusqlite::Connection {
    let connection = rusqlite::Connection::open(dir.join("vigie.db")).unwrap();
    let triggers: Vec<String> = connection
        .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for trigger in triggers {
        connection
            .execute(&format!("DROP TRIGGER \"{trigger}\""), [])
            .unwrap();
    }
    connection
}

fn read_draft(connection: &rusqlite::Connection, seq: u64) -> JournalDraft {
    connection
        .query_row(
            "SELECT at_micros, actor, unit, action, object, motif, outcome, request_id FROM journal WHERE seq = ?1",
            [seq as i64],
            |row| {
                Ok(JournalDraft {
                    at_micros: row.get(0)?,
                    actor: row.get(1)?,
                    unit: row.get(2)?,
                    action: JournalAction::parse(&row.get::<_, String>(3)?).unwrap(),
                    object: row.get(4)?,
                    motif: row.get(5)?,
                    outcome: Outcome::parse(&row.get::<_, String>(6)?).unwrap(),
                    request_id: row.get(7)?,
                    shown: Vec::new(),
                })
            },
        )
        .unwrap()
}

async fn verify(dir: &std::path::Path) -> Result<(), Tamper> {
    let config = EngineConfig {
        create_journal_key: false,
        migrate: false,
        ..config_in(dir)
    };
    let engine = Engine::open(
        config,
        Arc::new(ManualClock::new(datetime!(2026-11-24 09:00 UTC))),
    )
    .await
    .unwrap();
    let outcome = engine.verify_journal().await.unwrap();
    engine.close_without_checkpoint().await;
    outcome.result
}

/// Applies `attack` to a copy of the journal and checks what `verify_journal` reports.
async fn check(
    original: &std::path::Path,
    attack: impl FnOnce(&rusqlite::Connection),
    expected: Tamper,
) {
    let copy = copy_dir(original);
    {
        let connection = attacker_connection(copy.path());
        attack(&connection);
    }
    assert_eq!(verify(copy.path()).await, Err(expected));
}

#[tokio::test]
async fn every_tampering_is_detected_and_names_the_first_bad_entry() {
    let (dir, size) = journal_dir().await;
    let original = dir.path();
    assert_eq!(verify(original).await, Ok(()));
    assert!(size > 100);

    // An edited entry.
    check(
        original,
        |db| {
            db.execute("UPDATE journal SET motif = 'rien' WHERE seq = 5", [])
                .unwrap();
        },
        Tamper::Altered { seq: 5 },
    )
    .await;

    // A deleted entry.
    check(
        original,
        |db| {
            db.execute("DELETE FROM journal WHERE seq = 7", []).unwrap();
        },
        Tamper::Missing {
            expected: 7,
            found: 8,
        },
    )
    .await;

    // Two entries swapped (contents exchanged, sequence numbers in place).
    check(
        original,
        |db| {
            let columns = "at_micros, actor, unit, action, object, motif, outcome, request_id, leaf_hash, mac";
            db.execute(&format!("CREATE TEMP TABLE swap AS SELECT seq, {columns} FROM journal WHERE seq IN (3, 4)"), []).unwrap();
            for (target, source) in [(3, 4), (4, 3)] {
                let sets = columns.split(", ").map(|c| format!("{c} = (SELECT {c} FROM swap WHERE seq = {source})")).collect::<Vec<_>>().join(", ");
                db.execute(&format!("UPDATE journal SET {sets} WHERE seq = {target}"), []).unwrap();
            }
        },
        Tamper::Altered { seq: 3 },
    )
    .await;

    // A forged entry appended, with a correct leaf hash but no knowledge of the key.
    check(
        original,
        |db| {
            let mut draft = read_draft(db, size);
            draft.object = "entity:00000000-0000-0000-0000-000000000001".to_owned();
            let seq = size + 1;
            let leaf = leaf_hash(&canonical_bytes(seq, &draft));
            db.execute(
                "INSERT INTO journal (seq, at_micros, actor, unit, action, object, motif, outcome, request_id, leaf_hash, mac) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                rusqlite::params![seq as i64, draft.at_micros, draft.actor, draft.unit, draft.action.as_str(), draft.object, draft.motif, draft.outcome.as_str(), draft.request_id, leaf.to_vec(), vec![0u8; 32]],
            )
            .unwrap();
        },
        Tamper::Forged { seq: size + 1 },
    )
    .await;

    // The tail truncated, and the checkpoints in the database deleted too: the external log remembers.
    check(
        original,
        |db| {
            db.execute(&format!("DELETE FROM journal WHERE seq > {}", size - 3), [])
                .unwrap();
            db.execute("DELETE FROM journal_checkpoints", []).unwrap();
        },
        Tamper::Truncated {
            present: size - 3,
            checkpoint_size: size,
        },
    )
    .await;

    // The whole chain rewritten from entry 10 with recomputed hashes.
    check(
        original,
        |db| {
            for seq in 10..=size {
                let mut draft = read_draft(db, seq);
                draft.motif = "réécrit".to_owned();
                let leaf = leaf_hash(&canonical_bytes(seq, &draft));
                db.execute(
                    "UPDATE journal SET motif = ?1, leaf_hash = ?2 WHERE seq = ?3",
                    rusqlite::params![draft.motif, leaf.to_vec(), seq as i64],
                )
                .unwrap();
            }
        },
        Tamper::Forged { seq: 10 },
    )
    .await;
}

#[tokio::test]
async fn the_database_refuses_to_change_the_journal() {
    let (dir, _) = journal_dir().await;
    let connection = rusqlite::Connection::open(dir.path().join("vigie.db")).unwrap();
    assert!(connection
        .execute("UPDATE journal SET motif = 'x' WHERE seq = 1", [])
        .is_err());
    assert!(connection
        .execute("DELETE FROM journal WHERE seq = 1", [])
        .is_err());
    assert!(connection
        .execute("DELETE FROM journal_checkpoints", [])
        .is_err());
}
