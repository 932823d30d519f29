//! FollowTheMoney imports: all or nothing, the policy on existing link ends, provenance and the
//! journal; and a chart exported as FtM reads back into the same records.

use crate::support::*;
use time::macros::datetime;
use vigie_core::entity::{EntityId, LegalRegime};
use vigie_core::journal::JournalAction;
use vigie_core::policy::{decide, Action, ObjectMarks, Subject};
use vigie_engine::{
    EngineError, GraphRequest, GraphSeed, ImportOptions, JournalQuery, SearchRequest,
};
use vigie_intel::ftm_entities::read_ftm;

fn options() -> ImportOptions {
    ImportOptions {
        regime: LegalRegime::Judicial,
        departement: Some("13".to_owned()),
        source: "Export Aleph du 12/11/2026".to_owned(),
    }
}

fn demo_world() -> vigie_synth::SynthData {
    vigie_synth::generate(&vigie_synth::SynthOptions {
        seed: 42,
        people: 60,
        recorded_at: datetime!(2026-11-23 09:00 UTC),
    })
}

/// A demo entity the actor may (or may not) link to.
fn demo_entity(actor: &vigie_engine::Actor, linkable: bool) -> EntityId {
    let subject = Subject {
        role: actor.account.role,
        unit: actor.unit.id,
        unit_kind: actor.unit.kind,
        territory: &actor.unit.territory,
    };
    demo_world()
        .entities
        .iter()
        .find(|e| {
            let marks = ObjectMarks {
                owner_unit: e.owner_unit,
                departement: e.departement.as_deref(),
                regime: e.regime,
            };
            decide(&subject, Action::CreateLink, Some(marks)).is_allowed() == linkable
        })
        .map(|e| e.id)
        .unwrap()
}

fn file(existing: EntityId) -> String {
    [
        r#"{"id": "p1", "schema": "Person", "properties": {"name": ["Zébulon IMPORTÉ"], "nationality": ["fr"], "gender": ["male"]}}"#.to_owned(),
        r#"{"id": "t1", "schema": "Phone", "properties": {"number": ["06 12 34 56 78"]}}"#.to_owned(),
        r#"{"id": "l1", "schema": "UnknownLink", "properties": {"subject": ["p1"], "object": ["t1"], "role": ["phone_user"], "startDate": ["2025-03"]}}"#.to_owned(),
        format!(r#"{{"id": "l2", "schema": "Associate", "properties": {{"person": ["p1"], "associate": ["vigie-entity-{}"]}}}}"#, existing.0),
    ]
    .join("\n")
}

async fn hits(fixture: &Fixture, actor: &vigie_engine::Actor, text: &str) -> usize {
    fixture
        .engine
        .search_entities(
            actor,
            &SearchRequest {
                text: text.to_owned(),
                schema: None,
                motif: "vérification import".to_owned(),
                limit: 50,
            },
            &ctx(),
        )
        .await
        .unwrap()
        .hits
        .len()
}

#[tokio::test]
async fn an_import_writes_every_entity_and_link_with_its_provenance_and_journal() {
    let fixture = demo().await;
    let (agent, _) = login(&fixture, "agent.marseille").await;
    let existing = demo_entity(&agent, true);
    let batch = read_ftm(&file(existing)).unwrap();
    let report = fixture
        .engine
        .import_ftm(&agent, batch, &options(), &ctx())
        .await
        .unwrap();
    assert_eq!((report.entities, report.links), (2, 2));
    assert_eq!(report.ignored.get("Person.gender"), Some(&1));

    let person = report.ids["p1"];
    let view = fixture
        .engine
        .consult_entity(&agent, person, "vérification import", &ctx())
        .await
        .unwrap();
    assert_eq!(view.entity.properties["name"], vec!["Zébulon IMPORTÉ"]);
    assert_eq!(view.entity.owner_unit, agent.unit.id);
    assert_eq!(view.entity.departement.as_deref(), Some("13"));
    assert_eq!(view.entity.provenance.source, "Export Aleph du 12/11/2026");
    let mut others: Vec<EntityId> = view.links.iter().map(|l| l.other.id).collect();
    others.sort();
    let mut expected = vec![report.ids["t1"], existing];
    expected.sort();
    assert_eq!(others, expected);

    let (auditor, _) = login(&fixture, "auditeur").await;
    let page = fixture
        .engine
        .journal_page(
            &auditor,
            &JournalQuery {
                object: Some(format!("entity:{person}")),
                action: Some(JournalAction::Collect),
                limit: 10,
                ..Default::default()
            },
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(page.entries.len(), 1);
}

#[tokio::test]
async fn a_file_with_one_bad_link_end_writes_nothing() {
    let fixture = demo().await;
    let (agent, _) = login(&fixture, "agent.marseille").await;
    let hidden = demo_entity(&agent, false);
    let missing = EntityId(uuid::Uuid::new_v4());
    for end in [hidden, missing] {
        let batch = read_ftm(&file(end)).unwrap();
        let refused = fixture
            .engine
            .import_ftm(&agent, batch, &options(), &ctx())
            .await;
        let Err(EngineError::Invalid(errors)) = refused else {
            panic!("a link to a hidden or missing entity is refused: {refused:?}");
        };
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "lines[4].properties");
        // The same words for a hidden entity and a missing one.
        assert_eq!(
            errors[0].message,
            format!(
                "ligne 4, properties : entité {} inconnue ou inaccessible",
                end.0
            )
        );
    }
    assert_eq!(
        hits(&fixture, &agent, "Zébulon").await,
        0,
        "nothing was written"
    );

    let bad = ImportOptions {
        departement: Some("20".to_owned()),
        source: " ".to_owned(),
        ..options()
    };
    let batch = read_ftm(&file(demo_entity(&agent, true))).unwrap();
    let refused = fixture
        .engine
        .import_ftm(&agent, batch.clone(), &bad, &ctx())
        .await;
    let Err(EngineError::Invalid(errors)) = refused else {
        panic!("bad options are refused: {refused:?}");
    };
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, vec!["source", "departement"]);

    let (auditor, _) = login(&fixture, "auditeur").await;
    let refused = fixture
        .engine
        .import_ftm(&auditor, batch, &options(), &ctx())
        .await;
    assert!(
        matches!(refused, Err(EngineError::Forbidden)),
        "{refused:?}"
    );
    assert_eq!(hits(&fixture, &agent, "Zébulon").await, 0);
}

#[tokio::test]
async fn a_chart_exported_as_ftm_imports_back_as_the_same_records() {
    let fixture = demo().await;
    let (analyst, _) = login(&fixture, "analyste.cross13").await;
    let seed = demo_entity(&analyst, true);
    let request = GraphRequest {
        seeds: vec![GraphSeed { id: seed, hops: 2 }],
        ..Default::default()
    };
    let graph = fixture
        .engine
        .entity_graph(&analyst, &request, "Procédure 2026/118", &ctx())
        .await
        .unwrap();
    let lines = fixture
        .engine
        .export_graph_ftm(&analyst, &request, "Procédure 2026/118", &ctx())
        .await
        .unwrap();
    assert_eq!(lines.len(), graph.nodes.len() + graph.edges.len());
    let batch = read_ftm(&lines.join("\n")).unwrap();
    assert_eq!(batch.entities.len(), graph.nodes.len());
    assert_eq!(batch.links.len(), graph.edges.len());
    let (agent, _) = login(&fixture, "agent.marseille").await;
    let report = fixture
        .engine
        .import_ftm(&agent, batch, &options(), &ctx())
        .await
        .unwrap();
    assert_eq!(report.entities, graph.nodes.len());
    assert_eq!(report.links, graph.edges.len());
    // The copy is the agent's unit's own, with the same shape.
    let copy_root = report.ids[&format!("vigie-entity-{}", seed.0)];
    let copy = fixture
        .engine
        .entity_graph(
            &agent,
            &GraphRequest {
                seeds: vec![GraphSeed {
                    id: copy_root,
                    hops: 2,
                }],
                max_nodes: Some(500),
                ..Default::default()
            },
            "Procédure 2026/118",
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(copy.nodes.len(), graph.nodes.len());
    assert_eq!(copy.edges.len(), graph.edges.len());
}
