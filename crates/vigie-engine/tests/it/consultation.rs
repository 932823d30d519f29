//! Consultations and searches: motif, journal before data, 404 for hidden records, and the policy
//! table read row by row against the demo data.

use crate::support::*;
use std::sync::Arc;
use time::macros::datetime;
use vigie_core::entity::{Entity, EntityId};
use vigie_core::journal::{JournalAction, Outcome};
use vigie_core::policy::{decide, Action, Decision, ObjectMarks};
use vigie_engine::{EngineError, JournalQuery, SearchRequest};

fn demo_entities() -> Vec<Entity> {
    demo_data().entities
}

fn owned_by(fixture_units: &[vigie_core::org::Unit], code: &str) -> Entity {
    let unit = fixture_units.iter().find(|unit| unit.code == code).unwrap();
    demo_entities()
        .into_iter()
        .find(|entity| entity.owner_unit == unit.id)
        .unwrap()
}

#[tokio::test]
async fn a_consultation_needs_a_motif_and_is_journaled_before_the_answer() {
    let fixture = demo().await;
    let units = fixture.engine.units().await.unwrap();
    let (agent, _) = login(&fixture, "agent.marseille").await;
    let unit = units.iter().find(|unit| unit.code == "SD-13").unwrap();
    // An entity of the agent's unit with links, so that the consultation shows others around it.
    let linked: std::collections::HashSet<EntityId> = demo_data()
        .links
        .iter()
        .flat_map(|link| [link.source, link.target])
        .collect();
    let entity = demo_entities()
        .into_iter()
        .find(|entity| entity.owner_unit == unit.id && linked.contains(&entity.id))
        .unwrap();

    assert!(matches!(
        fixture
            .engine
            .consult_entity(&agent, entity.id, "  ", &ctx())
            .await,
        Err(EngineError::MotifRequired)
    ));
    let view = fixture
        .engine
        .consult_entity(&agent, entity.id, "Procédure 2026/118", &ctx())
        .await
        .unwrap();
    assert_eq!(view.entity.id, entity.id);

    let (auditor, _) = login(&fixture, "auditeur").await;
    let page = fixture
        .engine
        .journal_page(
            &auditor,
            &JournalQuery {
                object: Some(format!("entity:{}", entity.id)),
                limit: 10,
                ..Default::default()
            },
            &ctx(),
        )
        .await
        .unwrap();
    let entry = page
        .entries
        .iter()
        .find(|entry| entry.seq == view.journal_seq)
        .expect("the consultation's journal entry");
    assert_eq!(entry.draft.action, JournalAction::Consult);
    assert_eq!(entry.draft.motif, "Procédure 2026/118");
    assert_eq!(entry.draft.actor, format!("account:{}", agent.account.id));
    assert_eq!(entry.draft.outcome, Outcome::Allow);
    // The one entry names every other entity the answer showed, and a search under any of them
    // finds it.
    assert!(!view.links.is_empty(), "the consulted entity has links");
    let mut shown: Vec<String> = view
        .links
        .iter()
        .map(|link| format!("entity:{}", link.other.id))
        .collect();
    shown.sort();
    shown.dedup();
    let mut named = entry.draft.shown.clone();
    named.sort();
    assert_eq!(named, shown);
    let around = fixture
        .engine
        .journal_page(
            &auditor,
            &JournalQuery {
                object: Some(shown[0].clone()),
                limit: 10,
                ..Default::default()
            },
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(
        around.entries.first().map(|entry| entry.seq),
        Some(view.journal_seq),
        "the consultation is found under an entity it showed"
    );
    // The journal names the object, never its content.
    let caption = view.entity.caption();
    assert!(page
        .entries
        .iter()
        .all(|entry| !format!("{entry:?}").contains(&caption)));
}

#[tokio::test]
async fn hidden_and_missing_records_are_both_not_found_and_the_denial_is_journaled() {
    let fixture = demo().await;
    let units = fixture.engine.units().await.unwrap();
    let (paris_agent, _) = login(&fixture, "agent.paris").await;
    let marseille_record = owned_by(&units, "SD-13");
    let hidden = fixture
        .engine
        .consult_entity(&paris_agent, marseille_record.id, "curiosité", &ctx())
        .await;
    let missing = fixture
        .engine
        .consult_entity(
            &paris_agent,
            EntityId(uuid::Uuid::from_u128(7)),
            "curiosité",
            &ctx(),
        )
        .await;
    assert!(matches!(hidden, Err(EngineError::NotFound)), "{hidden:?}");
    assert!(matches!(missing, Err(EngineError::NotFound)), "{missing:?}");

    let (auditor, _) = login(&fixture, "auditeur").await;
    let page = fixture
        .engine
        .journal_page(
            &auditor,
            &JournalQuery {
                object: Some(format!("entity:{}", marseille_record.id)),
                limit: 10,
                ..Default::default()
            },
            &ctx(),
        )
        .await
        .unwrap();
    assert!(page
        .entries
        .iter()
        .any(|entry| entry.draft.outcome == Outcome::Deny));

    for username in ["auditeur", "admin", "partenaire.bailleur"] {
        let (actor, _) = login(&fixture, username).await;
        let result = fixture
            .engine
            .consult_entity(&actor, marseille_record.id, "motif", &ctx())
            .await;
        assert!(
            matches!(result, Err(EngineError::Forbidden)),
            "{username}: {result:?}"
        );
    }
}

/// Reads the policy table through `decide` for every demo account and a sample of demo entities, and
/// checks that the engine does exactly what the table says.
#[tokio::test]
async fn the_engine_follows_the_policy_table_for_every_demo_account() {
    let fixture = demo().await;
    let units = fixture.engine.units().await.unwrap();
    let entities: Vec<Entity> = demo_entities().into_iter().step_by(7).take(40).collect();
    let usernames = [
        "agent.marseille",
        "agent.gendarmerie",
        "agent.douane",
        "agent.paris",
        "analyste.cross13",
        "analyste.ofast",
        "chef.marseille",
        "magistrat.jirs",
        "auditeur",
        "inspection",
        "admin",
        "partenaire.bailleur",
    ];
    let mut checked = 0;
    let mut allowed = 0;
    for username in usernames {
        let (actor, _) = login(&fixture, username).await;
        let unit = units.iter().find(|unit| unit.id == actor.unit.id).unwrap();
        for entity in &entities {
            let subject = vigie_core::policy::Subject {
                role: actor.account.role,
                unit: unit.id,
                unit_kind: unit.kind,
                territory: &unit.territory,
            };
            let marks = ObjectMarks {
                owner_unit: entity.owner_unit,
                departement: entity.departement.as_deref(),
                regime: entity.regime,
            };
            let expected = decide(&subject, Action::ConsultEntity, Some(marks));
            let got = fixture
                .engine
                .consult_entity(&actor, entity.id, "contrôle de la politique", &ctx())
                .await;
            match (expected, &got) {
                (Decision::Allow | Decision::AllowWithMotif, Ok(view)) => {
                    assert_eq!(view.entity.id, entity.id);
                    allowed += 1;
                }
                (
                    Decision::Deny(vigie_core::policy::DenyReason::Role),
                    Err(EngineError::Forbidden),
                ) => {}
                (Decision::Deny(_), Err(EngineError::NotFound)) => {}
                (expected, got) => panic!(
                    "{username} on {} ({:?}): table says {expected:?}, engine gave {got:?}",
                    entity.id, entity.regime
                ),
            }
            checked += 1;
        }
    }
    assert_eq!(checked, usernames.len() * entities.len());
    assert!(
        allowed > 0 && allowed < checked,
        "the sample must contain both outcomes ({allowed}/{checked})"
    );
}

#[tokio::test]
async fn searches_count_only_what_the_actor_may_see() {
    let fixture = demo().await;
    let (paris_agent, _) = login(&fixture, "agent.paris").await;
    let (ofast, _) = login(&fixture, "analyste.ofast").await;
    let request = |text: &str| SearchRequest {
        text: text.to_owned(),
        schema: None,
        motif: "vérification".to_owned(),
        limit: 200,
    };
    let wide = fixture
        .engine
        .search_entities(&ofast, &request("a"), &ctx())
        .await
        .unwrap();
    let narrow = fixture
        .engine
        .search_entities(&paris_agent, &request("a"), &ctx())
        .await
        .unwrap();
    assert!(narrow.hits.len() < wide.hits.len());
    for hit in &narrow.hits {
        let entity = fixture
            .engine
            .consult_entity(&paris_agent, hit.id, "vérification", &ctx())
            .await;
        assert!(
            entity.is_ok(),
            "a search hit the agent cannot open: {hit:?}"
        );
    }
    // A percent sign is text, not a wildcard.
    let percent = fixture
        .engine
        .search_entities(&ofast, &request("%"), &ctx())
        .await;
    assert!(
        matches!(percent, Err(EngineError::Invalid(_))) || percent.is_ok_and(|r| r.hits.is_empty())
    );
    assert!(matches!(
        fixture
            .engine
            .search_entities(
                &ofast,
                &SearchRequest {
                    motif: String::new(),
                    ..request("a")
                },
                &ctx()
            )
            .await,
        Err(EngineError::MotifRequired)
    ));
    let (auditor, _) = login(&fixture, "auditeur").await;
    assert!(matches!(
        fixture
            .engine
            .search_entities(&auditor, &request("a"), &ctx())
            .await,
        Err(EngineError::Forbidden)
    ));
}

/// A store whose writes fail on demand, to check that consultations fail closed.
struct FailingWrites {
    inner: Arc<dyn vigie_store::Store>,
    fail: std::sync::atomic::AtomicBool,
}

#[async_trait::async_trait]
impl vigie_store::Store for FailingWrites {
    fn backend(&self) -> &'static str {
        "failing"
    }
    async fn write(&self, batch: vigie_store::WriteBatch) -> vigie_store::StoreResult<Vec<u64>> {
        if self.fail.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(vigie_store::StoreError::Unavailable(
                "disk full (simulated)".to_owned(),
            ));
        }
        self.inner.write(batch).await
    }
    async fn unit(
        &self,
        id: vigie_core::org::UnitId,
    ) -> vigie_store::StoreResult<Option<vigie_core::org::Unit>> {
        self.inner.unit(id).await
    }
    async fn units(&self) -> vigie_store::StoreResult<Vec<vigie_core::org::Unit>> {
        self.inner.units().await
    }
    async fn account(
        &self,
        id: vigie_core::org::AccountId,
    ) -> vigie_store::StoreResult<Option<vigie_store::AccountRecord>> {
        self.inner.account(id).await
    }
    async fn account_by_username(
        &self,
        username: &str,
    ) -> vigie_store::StoreResult<Option<vigie_store::AccountRecord>> {
        self.inner.account_by_username(username).await
    }
    async fn accounts(&self) -> vigie_store::StoreResult<Vec<vigie_store::AccountRecord>> {
        self.inner.accounts().await
    }
    async fn session(
        &self,
        token_hash: &str,
    ) -> vigie_store::StoreResult<Option<vigie_store::SessionRecord>> {
        self.inner.session(token_hash).await
    }
    async fn entity(&self, id: EntityId) -> vigie_store::StoreResult<Option<Entity>> {
        self.inner.entity(id).await
    }
    async fn search_entities(
        &self,
        query: &vigie_store::EntityQuery,
    ) -> vigie_store::StoreResult<Vec<Entity>> {
        self.inner.search_entities(query).await
    }
    async fn links_of(
        &self,
        id: EntityId,
    ) -> vigie_store::StoreResult<Vec<vigie_core::entity::Link>> {
        self.inner.links_of(id).await
    }
    async fn target(
        &self,
        id: vigie_targets::TargetId,
    ) -> vigie_store::StoreResult<Option<vigie_store::TargetRecord>> {
        self.inner.target(id).await
    }
    async fn targets_of_unit(
        &self,
        unit: vigie_core::org::UnitId,
        live_at: i64,
    ) -> vigie_store::StoreResult<Vec<vigie_store::TargetRecord>> {
        self.inner.targets_of_unit(unit, live_at).await
    }
    async fn key_hits(
        &self,
        digests: &[[u8; 16]],
        live_at: i64,
    ) -> vigie_store::StoreResult<Vec<vigie_store::KeyHit>> {
        self.inner.key_hits(digests, live_at).await
    }
    async fn shared_digests(
        &self,
        unit: vigie_core::org::UnitId,
        digests: &[[u8; 16]],
        live_at: i64,
    ) -> vigie_store::StoreResult<Vec<[u8; 16]>> {
        self.inner.shared_digests(unit, digests, live_at).await
    }
    async fn conflicts_of_unit(
        &self,
        unit: vigie_core::org::UnitId,
        live_at: i64,
    ) -> vigie_store::StoreResult<Vec<vigie_store::ConflictRow>> {
        self.inner.conflicts_of_unit(unit, live_at).await
    }
    async fn expired_targets(
        &self,
        now: i64,
        limit: u32,
    ) -> vigie_store::StoreResult<Vec<vigie_targets::TargetId>> {
        self.inner.expired_targets(now, limit).await
    }
    async fn record(
        &self,
        kind: &str,
        id: &str,
    ) -> vigie_store::StoreResult<Option<vigie_store::WorkflowRecord>> {
        self.inner.record(kind, id).await
    }
    async fn records(
        &self,
        query: &vigie_store::RecordQuery,
    ) -> vigie_store::StoreResult<Vec<vigie_store::WorkflowRecord>> {
        self.inner.records(query).await
    }
    async fn records_about(
        &self,
        kinds: &[&str],
        key: &str,
    ) -> vigie_store::StoreResult<Vec<vigie_store::WorkflowRecord>> {
        self.inner.records_about(kinds, key).await
    }
    async fn intel_item(
        &self,
        id: vigie_intel::ItemId,
    ) -> vigie_store::StoreResult<Option<vigie_store::IntelRecord>> {
        self.inner.intel_item(id).await
    }
    async fn intel_items(
        &self,
        query: &vigie_store::IntelQuery,
    ) -> vigie_store::StoreResult<Vec<vigie_store::IntelRecord>> {
        self.inner.intel_items(query).await
    }
    async fn journal_len(&self) -> vigie_store::StoreResult<u64> {
        self.inner.journal_len().await
    }
    async fn journal_range(
        &self,
        from_seq: u64,
        limit: u32,
    ) -> vigie_store::StoreResult<Vec<vigie_core::journal::JournalEntry>> {
        self.inner.journal_range(from_seq, limit).await
    }
    async fn journal_search(
        &self,
        query: &vigie_store::JournalQuery,
    ) -> vigie_store::StoreResult<Vec<vigie_core::journal::JournalEntry>> {
        self.inner.journal_search(query).await
    }
    async fn put_checkpoint(
        &self,
        checkpoint: &vigie_core::journal::Checkpoint,
        frontier: &vigie_core::journal::Frontier,
    ) -> vigie_store::StoreResult<()> {
        self.inner.put_checkpoint(checkpoint, frontier).await
    }
    async fn latest_checkpoint(
        &self,
    ) -> vigie_store::StoreResult<
        Option<(
            vigie_core::journal::Checkpoint,
            vigie_core::journal::Frontier,
        )>,
    > {
        self.inner.latest_checkpoint().await
    }
    async fn checkpoints(&self) -> vigie_store::StoreResult<Vec<vigie_core::journal::Checkpoint>> {
        self.inner.checkpoints().await
    }
    async fn counts(&self) -> vigie_store::StoreResult<vigie_store::Counts> {
        self.inner.counts().await
    }
    async fn health(&self) -> vigie_store::StoreResult<()> {
        self.inner.health().await
    }
    async fn integrity_check(&self) -> vigie_store::StoreResult<Vec<String>> {
        self.inner.integrity_check().await
    }
    async fn close(&self) {
        self.inner.close().await
    }
}

#[tokio::test]
async fn a_consultation_whose_journal_entry_cannot_be_written_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let key = vigie_store_tests::test_key();
    let sqlite = vigie_store_sqlite::SqliteStore::open(
        dir.path().join("v.db").to_str().unwrap(),
        vigie_store::OpenOptions {
            journal_key: key.clone(),
            migrate: true,
        },
    )
    .await
    .unwrap();
    let failing = Arc::new(FailingWrites {
        inner: Arc::new(sqlite),
        fail: std::sync::atomic::AtomicBool::new(false),
    });
    let clock = Arc::new(vigie_engine::ManualClock::new(
        datetime!(2026-11-23 09:00 UTC),
    ));
    let engine =
        vigie_engine::Engine::with_store(failing.clone(), key, config_in(dir.path()), clock)
            .await
            .unwrap();
    engine.seed_synthetic(42, 60, &|_, _| {}).await.unwrap();
    let grant = engine
        .login(
            "agent.marseille",
            &DEMO_PASSWORD_OF("agent.marseille"),
            &ctx(),
        )
        .await
        .unwrap();
    let agent = engine.authenticate(&grant.token).await.unwrap();
    let entity = demo_entities()
        .into_iter()
        .find(|entity| entity.owner_unit == agent.unit.id)
        .unwrap();
    assert!(engine
        .consult_entity(&agent, entity.id, "avant la panne", &ctx())
        .await
        .is_ok());

    failing
        .fail
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let refused = engine
        .consult_entity(&agent, entity.id, "pendant la panne", &ctx())
        .await;
    assert!(
        matches!(refused, Err(EngineError::JournalUnavailable(_))),
        "{refused:?}"
    );
    let search = engine
        .search_entities(
            &agent,
            &SearchRequest {
                text: "a".to_owned(),
                schema: None,
                motif: "pendant la panne".to_owned(),
                limit: 10,
            },
            &ctx(),
        )
        .await;
    assert!(
        matches!(search, Err(EngineError::JournalUnavailable(_))),
        "{search:?}"
    );
    assert!(
        engine.health().await.is_err(),
        "health must report the unwritable journal"
    );

    failing
        .fail
        .store(false, std::sync::atomic::Ordering::SeqCst);
    assert!(engine.health().await.is_ok(), "health recovers by itself");
    assert!(engine
        .consult_entity(&agent, entity.id, "après la panne", &ctx())
        .await
        .is_ok());
}
