//! Link charts: the walk equals a breadth-first search over the demo world through what the policy
//! lets the reader see; filters, the cap, the journal, refusals, and the ANX export.

use crate::support::*;
use std::collections::{BTreeSet, HashMap, VecDeque};
use time::macros::{date, datetime};
use vigie_core::entity::{Entity, EntityId, Link, LinkKind};
use vigie_core::journal::{JournalAction, Outcome};
use vigie_core::policy::{decide, Action, ObjectMarks, Subject};
use vigie_engine::{Actor, EngineError, GraphRequest, GraphSeed, JournalQuery};

fn world() -> vigie_synth::SynthData {
    vigie_synth::generate(&vigie_synth::SynthOptions {
        seed: 42,
        people: 60,
        recorded_at: datetime!(2026-11-23 09:00 UTC),
    })
}

fn subject(actor: &Actor) -> Subject<'_> {
    Subject {
        role: actor.account.role,
        unit: actor.unit.id,
        unit_kind: actor.unit.kind,
        territory: &actor.unit.territory,
    }
}

fn visible(
    actor: &Actor,
    owner: vigie_core::org::UnitId,
    departement: Option<&str>,
    regime: vigie_core::entity::LegalRegime,
) -> bool {
    decide(
        &subject(actor),
        Action::ConsultEntity,
        Some(ObjectMarks {
            owner_unit: owner,
            departement,
            regime,
        }),
    )
    .is_allowed()
}

/// The expected chart, computed from the generator's output and the policy alone.
fn expected(
    actor: &Actor,
    world: &vigie_synth::SynthData,
    seed: EntityId,
    hops: u8,
    follows: &dyn Fn(&Link) -> bool,
) -> (BTreeSet<EntityId>, BTreeSet<vigie_core::entity::LinkId>) {
    let entities: HashMap<EntityId, &Entity> = world.entities.iter().map(|e| (e.id, e)).collect();
    let sees = |e: &Entity| visible(actor, e.owner_unit, e.departement.as_deref(), e.regime);
    let mut nodes = BTreeSet::from([seed]);
    let mut edges = BTreeSet::new();
    let mut queue = VecDeque::from([(seed, 0u8)]);
    while let Some((id, depth)) = queue.pop_front() {
        if depth == hops {
            continue;
        }
        for link in world
            .links
            .iter()
            .filter(|l| l.source == id || l.target == id)
        {
            let other = if link.source == id {
                link.target
            } else {
                link.source
            };
            let Some(other_entity) = entities.get(&other) else {
                continue;
            };
            if !follows(link)
                || !visible(
                    actor,
                    link.owner_unit,
                    link.departement.as_deref(),
                    link.regime,
                )
                || !sees(other_entity)
            {
                continue;
            }
            edges.insert(link.id);
            if nodes.insert(other) {
                queue.push_back((other, depth + 1));
            }
        }
    }
    (nodes, edges)
}

fn request(seed: EntityId, hops: u8) -> GraphRequest {
    GraphRequest {
        seeds: vec![GraphSeed { id: seed, hops }],
        max_nodes: Some(500),
        ..Default::default()
    }
}

/// Demo entities the actor sees, most linked first.
fn visible_hubs(actor: &Actor, world: &vigie_synth::SynthData) -> Vec<EntityId> {
    let mut hubs: Vec<(usize, EntityId)> = world
        .entities
        .iter()
        .filter(|e| visible(actor, e.owner_unit, e.departement.as_deref(), e.regime))
        .map(|e| {
            let degree = world
                .links
                .iter()
                .filter(|l| l.source == e.id || l.target == e.id)
                .count();
            (degree, e.id)
        })
        .collect();
    hubs.sort_by(|a, b| b.cmp(a));
    hubs.into_iter().map(|(_, id)| id).collect()
}

#[tokio::test]
async fn a_chart_is_the_walk_through_what_the_reader_may_see() {
    let fixture = demo().await;
    let world = world();
    let mut hidden_somewhere = false;
    for username in [
        "agent.marseille",
        "agent.gendarmerie",
        "analyste.cross13",
        "analyste.ofast",
    ] {
        let (actor, _) = login(&fixture, username).await;
        for seed in visible_hubs(&actor, &world).into_iter().take(6) {
            for hops in [1, 2] {
                let graph = fixture
                    .engine
                    .entity_graph(&actor, &request(seed, hops), "Procédure 2026/118", &ctx())
                    .await
                    .unwrap();
                assert!(
                    !graph.truncated,
                    "{username}: a demo chart fits in 500 entities"
                );
                let nodes: BTreeSet<EntityId> = graph.nodes.iter().map(|n| n.entity.id).collect();
                let edges: BTreeSet<_> = graph.edges.iter().map(|l| l.id).collect();
                let (want_nodes, want_edges) = expected(&actor, &world, seed, hops, &|_| true);
                assert_eq!(
                    nodes, want_nodes,
                    "{username}: entities around {seed}, {hops} hops"
                );
                // The walk does not read the links between two entities of the last hop.
                assert!(
                    edges.is_subset(&want_edges),
                    "{username}: links around {seed}"
                );
                assert_eq!(graph.nodes.len(), nodes.len(), "each entity once");
                assert!(graph.nodes.iter().all(|n| n.hop <= hops));
                assert_eq!(graph.nodes.iter().filter(|n| n.seed).count(), 1);
                // Did this chart have a hidden neighbour to leave out?
                hidden_somewhere |= world
                    .links
                    .iter()
                    .filter(|l| nodes.contains(&l.source) || nodes.contains(&l.target))
                    .flat_map(|l| [l.source, l.target])
                    .filter_map(|id| world.entities.iter().find(|e| e.id == id))
                    .any(|e| !visible(&actor, e.owner_unit, e.departement.as_deref(), e.regime));
            }
        }
    }
    assert!(
        hidden_somewhere,
        "the demo world must put hidden entities next to visible ones for this test to mean anything"
    );
}

#[tokio::test]
async fn filters_keep_only_the_kinds_and_period_asked_for() {
    let fixture = demo().await;
    let world = world();
    let (actor, _) = login(&fixture, "analyste.ofast").await;
    let seed = visible_hubs(&actor, &world)[0];
    let kinds = vec![LinkKind::Associate, LinkKind::Family];
    let graph = fixture
        .engine
        .entity_graph(
            &actor,
            &GraphRequest {
                kinds: kinds.clone(),
                ..request(seed, 2)
            },
            "Procédure 2026/118",
            &ctx(),
        )
        .await
        .unwrap();
    assert!(graph.edges.iter().all(|l| kinds.contains(&l.kind)));
    let (want, _) = expected(&actor, &world, seed, 2, &|l| kinds.contains(&l.kind));
    let got: BTreeSet<EntityId> = graph.nodes.iter().map(|n| n.entity.id).collect();
    assert_eq!(got, want);

    let (from, to) = (date!(2025 - 01 - 01), date!(2025 - 12 - 31));
    let in_period = |l: &Link| l.start.is_none_or(|s| s <= to) && l.end.is_none_or(|e| e >= from);
    let graph = fixture
        .engine
        .entity_graph(
            &actor,
            &GraphRequest {
                from: Some(from),
                to: Some(to),
                ..request(seed, 2)
            },
            "Procédure 2026/118",
            &ctx(),
        )
        .await
        .unwrap();
    assert!(graph.edges.iter().all(in_period));
    let (want, _) = expected(&actor, &world, seed, 2, &in_period);
    let got: BTreeSet<EntityId> = graph.nodes.iter().map(|n| n.entity.id).collect();
    assert_eq!(got, want);

    let refused = fixture
        .engine
        .entity_graph(
            &actor,
            &GraphRequest {
                from: Some(to),
                to: Some(from),
                ..request(seed, 4)
            },
            "Procédure 2026/118",
            &ctx(),
        )
        .await;
    let Err(EngineError::Invalid(errors)) = refused else {
        panic!("an inverted period and 4 hops are refused: {refused:?}");
    };
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, vec!["hops", "to"]);
}

#[tokio::test]
async fn a_capped_chart_says_it_was_cut_and_one_entry_journals_every_entity_shown() {
    let fixture = demo().await;
    let world = world();
    let (actor, _) = login(&fixture, "analyste.ofast").await;
    let seed = visible_hubs(&actor, &world)[0];
    let graph = fixture
        .engine
        .entity_graph(
            &actor,
            &GraphRequest {
                max_nodes: Some(3),
                ..request(seed, 2)
            },
            "Procédure 2026/118",
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(graph.nodes.len(), 3);
    assert!(graph.truncated);
    let ids: BTreeSet<EntityId> = graph.nodes.iter().map(|n| n.entity.id).collect();
    assert!(graph
        .edges
        .iter()
        .all(|l| ids.contains(&l.source) && ids.contains(&l.target)));

    // One entry for the chart, found under each entity on it: the seed is its object, the others
    // are listed as shown with it.
    let (auditor, _) = login(&fixture, "auditeur").await;
    let mut entries = BTreeSet::new();
    for node in &graph.nodes {
        let page = fixture
            .engine
            .journal_page(
                &auditor,
                &JournalQuery {
                    object: Some(format!("entity:{}", node.entity.id)),
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
            .find(|e| e.draft.actor == format!("account:{}", actor.account.id))
            .expect("the chart's entry is found under every entity on it");
        assert_eq!(entry.draft.action, JournalAction::Consult);
        assert_eq!(entry.draft.outcome, Outcome::Allow);
        assert_eq!(entry.draft.motif, "Procédure 2026/118");
        assert_eq!(entry.draft.object, format!("entity:{seed}"));
        let mut named: BTreeSet<String> = entry.draft.shown.iter().cloned().collect();
        named.insert(entry.draft.object.clone());
        let on_chart: BTreeSet<String> = ids.iter().map(|id| format!("entity:{id}")).collect();
        assert_eq!(named, on_chart);
        assert_eq!(entry.draft.shown.len(), graph.nodes.len() - 1);
        entries.insert(entry.seq);
    }
    assert_eq!(
        entries.len(),
        1,
        "one entry for the whole chart: {entries:?}"
    );
    assert_eq!(entries.first(), Some(&graph.journal_seq));
}

#[tokio::test]
async fn a_hidden_seed_is_not_found_and_a_role_without_consultation_is_refused() {
    let fixture = demo().await;
    let world = world();
    let (agent, _) = login(&fixture, "agent.marseille").await;
    let hidden = world
        .entities
        .iter()
        .find(|e| !visible(&agent, e.owner_unit, e.departement.as_deref(), e.regime))
        .expect("an entity the Marseille agent may not see");
    let seen = visible_hubs(&agent, &world)[0];
    let mut both = request(seen, 1);
    both.seeds.push(GraphSeed {
        id: hidden.id,
        hops: 1,
    });
    for req in [
        request(hidden.id, 1),
        request(EntityId(uuid::Uuid::new_v4()), 1),
        both,
    ] {
        let answer = fixture
            .engine
            .entity_graph(&agent, &req, "Procédure 2026/118", &ctx())
            .await;
        assert!(matches!(answer, Err(EngineError::NotFound)), "{answer:?}");
    }
    let (auditor, _) = login(&fixture, "auditeur").await;
    let answer = fixture
        .engine
        .entity_graph(&auditor, &request(seen, 1), "Procédure 2026/118", &ctx())
        .await;
    assert!(matches!(answer, Err(EngineError::Forbidden)), "{answer:?}");
    let answer = fixture
        .engine
        .entity_graph(&agent, &request(seen, 1), " ", &ctx())
        .await;
    assert!(
        matches!(answer, Err(EngineError::MotifRequired)),
        "{answer:?}"
    );

    let page = fixture
        .engine
        .journal_page(
            &auditor,
            &JournalQuery {
                object: Some(format!("entity:{}", hidden.id)),
                limit: 10,
                ..Default::default()
            },
            &ctx(),
        )
        .await
        .unwrap();
    assert!(page.entries.iter().any(|e| e.draft.outcome == Outcome::Deny
        && e.draft.actor.contains(&agent.account.id.to_string())));
}

#[tokio::test]
async fn an_anx_export_holds_the_chart_and_is_journaled_as_an_export() {
    let fixture = demo().await;
    let world = world();
    let (actor, _) = login(&fixture, "analyste.cross13").await;
    let seed = visible_hubs(&actor, &world)[0];
    let graph = fixture
        .engine
        .entity_graph(&actor, &request(seed, 2), "Procédure 2026/118", &ctx())
        .await
        .unwrap();
    let positions = HashMap::from([(seed, (123.0, -45.0))]);
    let anx = fixture
        .engine
        .export_graph_anx(
            &actor,
            &request(seed, 2),
            &positions,
            "Procédure 2026/118",
            &ctx(),
        )
        .await
        .unwrap();
    assert!(anx.starts_with("<?xml"));
    for node in &graph.nodes {
        assert!(anx.contains(&format!("EntityId=\"{}\"", node.entity.id)));
    }
    assert_eq!(anx.matches("<Link ").count(), graph.edges.len());
    assert!(anx.contains("XPosition=\"123\""));

    let (auditor, _) = login(&fixture, "auditeur").await;
    let page = fixture
        .engine
        .journal_page(
            &auditor,
            &JournalQuery {
                object: Some(format!("entity:{seed}")),
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
        .any(|e| e.draft.motif == "exportation ANX : Procédure 2026/118"));
}

#[tokio::test]
async fn a_csv_export_holds_the_charts_entities_of_one_schema_and_reads_back() {
    use vigie_core::entity::{Properties, Schema};
    use vigie_intel::csv_entities::{default_mapping, parse_mapping, read_csv};
    let fixture = demo().await;
    let world = world();
    let (actor, _) = login(&fixture, "analyste.cross13").await;
    let seed = visible_hubs(&actor, &world)[0];
    let motif = "Procédure 2026/118";
    let graph = fixture
        .engine
        .entity_graph(&actor, &request(seed, 2), motif, &ctx())
        .await
        .unwrap();
    let stored: HashMap<EntityId, &Entity> = world.entities.iter().map(|e| (e.id, e)).collect();
    let mut expected: Vec<Properties> = graph
        .nodes
        .iter()
        .filter(|node| node.entity.schema == Schema::Person)
        .map(|node| stored[&node.entity.id].properties.clone())
        .collect();
    assert!(
        expected.len() >= 2,
        "{} people on the chart",
        expected.len()
    );

    let mapping = default_mapping(Schema::Person);
    let csv = fixture
        .engine
        .export_graph_csv(
            &actor,
            &request(seed, 2),
            Schema::Person,
            &mapping,
            motif,
            &ctx(),
        )
        .await
        .unwrap();
    assert!(
        csv.starts_with("\u{feff}\"NAME\";\"FIRST_NAME\";\"LAST_NAME\""),
        "{csv}"
    );
    // Read back with the same mapping: the chart's people, property for property.
    let read = read_csv(&csv, Schema::Person, &parse_mapping(&mapping).unwrap()).unwrap();
    let mut got: Vec<Properties> = read.entities.into_iter().map(|e| e.properties).collect();
    expected.sort();
    got.sort();
    assert_eq!(got, expected);

    // Another schema: only its entities.
    let vehicles = graph
        .nodes
        .iter()
        .filter(|node| node.entity.schema == Schema::Vehicle)
        .count();
    let csv = fixture
        .engine
        .export_graph_csv(
            &actor,
            &request(seed, 2),
            Schema::Vehicle,
            "registrationNumber=PLAQUE",
            motif,
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(csv.lines().count(), 1 + vehicles, "{csv}");

    // A mapping that does not fit the schema is refused, each fault named, nothing journaled.
    match fixture
        .engine
        .export_graph_csv(
            &actor,
            &request(seed, 2),
            Schema::Vehicle,
            "colour=COULEUR,model=A,notes=a",
            motif,
            &ctx(),
        )
        .await
    {
        Err(EngineError::Invalid(errors)) => {
            assert_eq!(errors.len(), 2, "{errors:?}");
            assert!(errors.iter().all(|e| e.field == "mapping"));
            assert!(errors[0].message.contains("propriété « colour » inconnue"));
            assert!(errors[1]
                .message
                .contains("colonne « a » indiquée deux fois"));
        }
        other => panic!("{other:?}"),
    }

    // Every entity of the chart is journaled as exported, with the motif.
    let (auditor, _) = login(&fixture, "auditeur").await;
    let page = fixture
        .engine
        .journal_page(
            &auditor,
            &JournalQuery {
                object: Some(format!("entity:{seed}")),
                limit: 20,
                ..Default::default()
            },
            &ctx(),
        )
        .await
        .unwrap();
    let exports = page
        .entries
        .iter()
        .filter(|e| e.draft.motif == "exportation CSV : Procédure 2026/118")
        .count();
    assert_eq!(exports, 2, "two CSV exports of the chart");
}
