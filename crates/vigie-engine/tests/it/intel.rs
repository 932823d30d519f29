//! The intelligence repository through the engine: recording checks every field and every entity,
//! reads need a motif and pass the policy then the handling codes, hidden items are `NotFound`,
//! sanitised copies travel where their original may not, and the owner's permissions open the gates.

use crate::support::{ctx, demo, login};
use vigie_core::entity::Schema;
use vigie_core::journal::{JournalAction, Outcome};
use vigie_engine::{EngineError, JournalQuery, SearchRequest};
use vigie_intel::{IntelItemDraft, PermissionKind, SanitisedDraft, SourceKind};

fn draft(entities: Vec<vigie_core::entity::EntityId>) -> IntelItemDraft {
    IntelItemDraft {
        text: "Point de deal actif au pied de la tour 4, guetteurs à l'entrée du parking, livraisons le mardi soir par un utilitaire blanc.".to_owned(),
        observed_on: "2026-11-17".to_owned(),
        observed_until: Some("2026-11-20".to_owned()),
        place: Some("parking de la tour 4".to_owned()),
        commune: Some("13214".to_owned()),
        entities,
        source: "human_source".to_owned(),
        source_code: Some("SH-13-0042".to_owned()),
        grade_scheme: "europol_4x4".to_owned(),
        grade: "B2".to_owned(),
        handling: vec!["H2".to_owned()],
        restrictions: None,
        regime: "administrative".to_owned(),
    }
}

#[tokio::test]
async fn an_item_under_h2_stays_with_its_unit_and_its_sanitised_copy_travels() {
    let fixture = demo().await;
    let engine = &fixture.engine;
    let (police, _) = login(&fixture, "agent.marseille").await;
    let (gendarme, _) = login(&fixture, "agent.gendarmerie").await;
    let (douanier, _) = login(&fixture, "agent.douane").await;
    let (auditor, _) = login(&fixture, "auditeur").await;

    let people = engine
        .search_entities(
            &police,
            &SearchRequest {
                text: "a".to_owned(),
                schema: Some(Schema::Person),
                motif: "préparation d'une note".to_owned(),
                limit: 2,
            },
            &ctx(),
        )
        .await
        .unwrap();
    let about: Vec<_> = people.hits.iter().map(|hit| hit.id).collect();
    assert!(!about.is_empty());

    // Refusals name their fields; an entity the agent cannot see is reported as unknown.
    let mut bad = draft(vec![vigie_core::entity::EntityId(uuid::Uuid::from_u128(9))]);
    bad.commune = Some("99999".to_owned());
    bad.grade = "B9".to_owned();
    match engine.record_intel(&police, bad, &ctx()).await {
        Err(EngineError::Invalid(errors)) => {
            let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, ["grade", "commune", "entities"], "{errors:?}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        engine.record_intel(&auditor, draft(vec![]), &ctx()).await,
        Err(EngineError::Forbidden)
    ));

    let recorded = engine
        .record_intel(&police, draft(about.clone()), &ctx())
        .await
        .unwrap();
    assert!(recorded.own);
    let item = recorded.item;
    assert_eq!(item.departement.as_deref(), Some("13"));
    assert_eq!(item.owner_unit, police.unit.id);
    assert_eq!(
        item.source,
        SourceKind::HumanSource {
            code: "SH-13-0042".to_owned()
        }
    );

    // Its own unit reads it with a motif; without one, nothing is looked up.
    assert!(matches!(
        engine.consult_intel(&police, item.id, "", &ctx()).await,
        Err(EngineError::MotifRequired)
    ));
    let view = engine
        .consult_intel(&police, item.id, "rédaction d'une synthèse", &ctx())
        .await
        .unwrap();
    assert!(view.own);
    assert_eq!(
        view.commune_name.as_deref(),
        Some("Marseille 14e Arrondissement")
    );
    assert!(view.judicial_use.is_ok(), "no H1");

    // H2: the gendarmes of the same département do not see it, as if it did not exist; customs
    // do not see administrative intelligence at all; the auditor may not read items.
    for (other, motif) in [(&gendarme, "recoupement"), (&douanier, "recoupement")] {
        assert!(matches!(
            engine.consult_intel(other, item.id, motif, &ctx()).await,
            Err(EngineError::NotFound)
        ));
    }
    assert!(matches!(
        engine
            .consult_intel(&auditor, item.id, "contrôle", &ctx())
            .await,
        Err(EngineError::Forbidden)
    ));

    // A sanitised copy goes where the original may not.
    let sanitised = |text: &str| SanitisedDraft {
        text: text.to_owned(),
        place: None,
        handling: vec![],
        restrictions: None,
    };
    assert!(matches!(
        engine
            .sanitise_intel(&gendarme, item.id, sanitised("copie"), &ctx())
            .await,
        Err(EngineError::NotFound)
    ));
    let copy = engine
        .sanitise_intel(
            &police,
            item.id,
            sanitised(
                "Trafic de résine signalé dans le 14e arrondissement, livraisons hebdomadaires.",
            ),
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(copy.item.source, SourceKind::Protected);
    let seen = engine
        .consult_intel(&gendarme, copy.item.id, "recoupement", &ctx())
        .await
        .unwrap();
    assert!(!seen.own);
    assert!(!seen.item.text.contains("SH-13"));
    let original = engine
        .consult_intel(&police, item.id, "suivi", &ctx())
        .await
        .unwrap();
    assert_eq!(original.copies, [copy.item.id]);

    // The owner permits a share to the gendarmes: they now read the original.
    let refused = engine
        .permit_intel(
            &police,
            item.id,
            PermissionKind::JudicialUse,
            None,
            "pour la procédure",
            &ctx(),
        )
        .await;
    assert!(matches!(refused, Err(EngineError::Invalid(errors)) if errors[0].field == "kind"));
    engine
        .permit_intel(
            &police,
            item.id,
            PermissionKind::OnwardSharing,
            Some(gendarme.unit.id),
            "enquête commune sur le point de deal",
            &ctx(),
        )
        .await
        .unwrap();
    let shared = engine
        .consult_intel(&gendarme, item.id, "enquête commune", &ctx())
        .await
        .unwrap();
    assert_eq!(shared.item.id, item.id);
    assert!(
        matches!(
            engine
                .consult_intel(&douanier, item.id, "recoupement", &ctx())
                .await,
            Err(EngineError::NotFound)
        ),
        "the permission names one unit, and the regime still closes it to customs"
    );

    // Every read was journaled, the refused ones as denials.
    let entries = engine
        .journal_page(
            &auditor,
            &JournalQuery {
                object: Some(format!("intel:{}", item.id)),
                limit: 50,
                ..JournalQuery::default()
            },
            &ctx(),
        )
        .await
        .unwrap()
        .entries;
    let consults = |outcome: Outcome| {
        entries
            .iter()
            .filter(|e| e.draft.action == JournalAction::Consult && e.draft.outcome == outcome)
            .count()
    };
    assert_eq!(
        consults(Outcome::Allow),
        3,
        "police twice, the gendarme once shared"
    );
    assert_eq!(
        consults(Outcome::Deny),
        4,
        "gendarme and customs before, auditor, customs after"
    );
    assert!(entries
        .iter()
        .any(|e| e.draft.action == JournalAction::Collect));
    assert!(entries
        .iter()
        .any(|e| e.draft.action == JournalAction::Modify));
}

/// Searches `query` as `actor` with a motif and returns (total, ids of hits).
async fn search_ids(
    engine: &vigie_engine::Engine,
    actor: &vigie_engine::Actor,
    query: &str,
) -> (usize, Vec<vigie_intel::ItemId>) {
    let found = engine
        .search_intel(
            actor,
            &vigie_search::SearchRequest {
                query: query.to_owned(),
                limit: 50,
                ..vigie_search::SearchRequest::default()
            },
            "analyse du secteur",
            &ctx(),
        )
        .await
        .unwrap();
    (
        found.total,
        found.hits.iter().map(|hit| hit.item.id).collect(),
    )
}

#[tokio::test]
async fn search_finds_inflections_counts_only_what_the_reader_may_see_and_is_journaled() {
    let fixture = demo().await;
    let engine = &fixture.engine;
    let (police, _) = login(&fixture, "agent.marseille").await;
    let (gendarme, _) = login(&fixture, "agent.gendarmerie").await;
    let (auditor, _) = login(&fixture, "auditeur").await;

    let mut open = draft(vec![]);
    open.text = "Le réseau Zanzibar a livré de la cocaïne au bâtiment B.".to_owned();
    open.handling = vec![];
    open.regime = "judicial".to_owned();
    let open = engine
        .record_intel(&police, open, &ctx())
        .await
        .unwrap()
        .item;
    let mut kept = draft(vec![]);
    kept.text = "Zanzibar : livraisons de cocaïne prévues, source à protéger.".to_owned();
    kept.regime = "judicial".to_owned();
    let kept = engine
        .record_intel(&police, kept, &ctx())
        .await
        .unwrap()
        .item;

    // The owner finds both through inflections and without accents; another unit of the
    // territory finds only the one without H2, and its count says 1, not 2.
    let (total, ids) = search_ids(engine, &police, "zanzibar livrées cocaine").await;
    assert_eq!((total, ids.len()), (1, 1), "only the first says « livré »");
    let (total, mut ids) = search_ids(engine, &police, "zanzibar cocaine").await;
    ids.sort();
    let mut both = vec![open.id, kept.id];
    both.sort();
    assert_eq!((total, ids), (2, both));
    let (total, ids) = search_ids(engine, &gendarme, "zanzibar").await;
    assert_eq!((total, ids), (1, vec![open.id]));

    // The owner's permission to share reaches the index before the next search.
    engine
        .permit_intel(
            &police,
            kept.id,
            PermissionKind::OnwardSharing,
            Some(gendarme.unit.id),
            "enquête commune",
            &ctx(),
        )
        .await
        .unwrap();
    let (total, _) = search_ids(engine, &gendarme, "zanzibar").await;
    assert_eq!(total, 2);

    // Facets count the same items as the total, with French labels.
    let found = engine
        .search_intel(
            &gendarme,
            &vigie_search::SearchRequest {
                query: "zanzibar".to_owned(),
                limit: 20,
                ..vigie_search::SearchRequest::default()
            },
            "analyse du secteur",
            &ctx(),
        )
        .await
        .unwrap();
    let departements = &found.facets["departement"];
    assert_eq!(departements.len(), 1);
    assert_eq!(departements[0].count, 2);
    assert_eq!(departements[0].label, "Bouches-du-Rhône (13)");
    assert_eq!(found.facets["regime"][0].label, "Judiciaire");
    assert!(found.hits[0].excerpt.text.contains("Zanzibar"));
    assert!(!found.hits[0].excerpt.highlighted.is_empty());

    // No motif, no search; a role that reads no intelligence cannot search it at all.
    let request = vigie_search::SearchRequest {
        query: "zanzibar".to_owned(),
        ..vigie_search::SearchRequest::default()
    };
    assert!(matches!(
        engine.search_intel(&police, &request, " ", &ctx()).await,
        Err(EngineError::MotifRequired)
    ));
    assert!(matches!(
        engine
            .search_intel(&auditor, &request, "contrôle", &ctx())
            .await,
        Err(EngineError::Forbidden)
    ));

    // Each search is journaled with its motif and its count, never its words.
    let entries = engine
        .journal_page(
            &auditor,
            &JournalQuery {
                actor: Some(format!("account:{}", gendarme.account.id)),
                action: Some(JournalAction::Search),
                limit: 50,
                ..JournalQuery::default()
            },
            &ctx(),
        )
        .await
        .unwrap()
        .entries;
    let objects: Vec<&str> = entries.iter().map(|e| e.draft.object.as_str()).collect();
    assert_eq!(
        objects,
        ["intel-search:2", "intel-search:2", "intel-search:1"]
    );
    assert!(entries
        .iter()
        .all(|e| e.draft.motif == "analyse du secteur"));
    assert!(entries.iter().all(|e| !e.draft.object.contains("zanzibar")));
}

#[tokio::test]
async fn the_demo_seeds_synthetic_items_once_journaled_and_searchable_within_reach() {
    let fixture = demo().await;
    let engine = &fixture.engine;
    let data = vigie_synth::generate(&vigie_synth::SynthOptions {
        seed: 42,
        people: 60,
        recorded_at: time::macros::datetime!(2026-11-23 09:00 UTC),
    });
    let written = engine.seed_intel(42, &data, 300, &|_, _| {}).await.unwrap();
    assert_eq!(written, 300);
    assert_eq!(
        engine.seed_intel(42, &data, 300, &|_, _| {}).await.unwrap(),
        0,
        "a store that holds items is not seeded again"
    );

    // Each item is journaled as collected by the system; the ids are the generator's.
    let (auditor, _) = login(&fixture, "auditeur").await;
    let first = vigie_synth::intel::item_id(42, 0);
    let entries = engine
        .journal_page(
            &auditor,
            &JournalQuery {
                object: Some(format!("intel:{first}")),
                limit: 5,
                ..JournalQuery::default()
            },
            &ctx(),
        )
        .await
        .unwrap()
        .entries;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].draft.actor, "system");
    assert_eq!(entries[0].draft.action, JournalAction::Collect);

    // OFAST reads every département; a Marseille agent fewer, and never more than OFAST.
    let (ofast, _) = login(&fixture, "analyste.ofast").await;
    let (police, _) = login(&fixture, "agent.marseille").await;
    let (national, _) = search_ids(engine, &ofast, "").await;
    let (local, ids) = search_ids(engine, &police, "").await;
    assert!(national > 0 && national <= 300, "{national}");
    assert!(local > 0 && local < national, "{local} of {national}");
    assert!(!ids.is_empty());
}

#[tokio::test]
async fn exports_are_followthemoney_lines_and_hold_back_what_handling_codes_forbid() {
    let fixture = demo().await;
    let engine = &fixture.engine;
    let (police, _) = login(&fixture, "agent.marseille").await;
    let (gendarme, _) = login(&fixture, "agent.gendarmerie").await;
    let mut ids = Vec::new();
    for (text, handling, regime) in [
        (
            "Opération Tombouctou : stock de résine dans un box.",
            vec![],
            "judicial",
        ),
        (
            "Tombouctou : renseignement d'une source, à ne pas verser en procédure.",
            vec!["H1".to_owned()],
            "administrative",
        ),
        (
            "Tombouctou : ne pas diffuser hors du service.",
            vec!["H2".to_owned()],
            "judicial",
        ),
    ] {
        let mut item = draft(vec![]);
        item.text = text.to_owned();
        item.handling = handling;
        item.regime = regime.to_owned();
        ids.push(
            engine
                .record_intel(&police, item, &ctx())
                .await
                .unwrap()
                .item
                .id,
        );
    }
    let request = vigie_search::SearchRequest {
        query: "tombouctou".to_owned(),
        ..vigie_search::SearchRequest::default()
    };
    let export = |purpose| {
        let request = request.clone();
        let police = police.clone();
        async move {
            engine
                .export_intel(
                    &police,
                    &request,
                    "transmission au parquet",
                    purpose,
                    &ctx(),
                )
                .await
                .unwrap()
        }
    };

    // Into a judicial file: the H1 item is held back, with the reason.
    let judicial = export(vigie_engine::ExportPurpose::JudicialFile).await;
    assert_eq!(judicial.lines.len(), 2);
    assert_eq!(judicial.withheld.len(), 1);
    assert_eq!(judicial.withheld[0].0, ids[1]);
    assert!(
        judicial.withheld[0].1.starts_with("H1"),
        "{:?}",
        judicial.withheld
    );
    let line: serde_json::Value = serde_json::from_str(&judicial.lines[0]).unwrap();
    assert_eq!(line["schema"], "Note");
    assert!(line["id"].as_str().unwrap().starts_with("vigie-intel-"));
    assert!(line["properties"]["description"][0]
        .as_str()
        .unwrap()
        .contains("Tombouctou"));
    // The code of a human source never leaves Vigie; its kind does.
    assert!(!judicial
        .lines
        .iter()
        .any(|line| line.contains("SH-13-0042")));
    assert!(judicial
        .lines
        .iter()
        .all(|line| line.contains("Source humaine")));

    // To the gendarmes: the H2 item stays, until its owner permits the share.
    let share = vigie_engine::ExportPurpose::Share {
        to_unit: gendarme.unit.id,
    };
    let shared = export(share).await;
    assert_eq!((shared.lines.len(), shared.withheld.len()), (2, 1));
    assert_eq!(shared.withheld[0].0, ids[2]);
    engine
        .permit_intel(
            &police,
            ids[2],
            PermissionKind::OnwardSharing,
            Some(gendarme.unit.id),
            "enquête commune",
            &ctx(),
        )
        .await
        .unwrap();
    let shared = export(share).await;
    assert_eq!((shared.lines.len(), shared.withheld.len()), (3, 0));

    // Each exported item is journaled as read, with the purpose and the motif.
    let entries = engine
        .journal_page(
            &login(&fixture, "auditeur").await.0,
            &JournalQuery {
                object: Some(format!("intel:{}", ids[0])),
                action: Some(JournalAction::Consult),
                limit: 50,
                ..JournalQuery::default()
            },
            &ctx(),
        )
        .await
        .unwrap()
        .entries;
    assert_eq!(entries.len(), 3, "three exports included it");
    assert!(entries
        .iter()
        .any(|e| e.draft.motif
            == "exportation vers une procédure judiciaire : transmission au parquet"));
}

/// The CSV export of a search keeps exactly the FtM export's gates: an item under H2 (with or
/// without H3) is in no other unit's file, whether that unit exports or the owner shares with it,
/// until the owner permits the share; held-back items are counted; a bad mapping names its fault.
#[tokio::test]
async fn csv_exports_follow_the_handling_codes_and_their_mapping() {
    let fixture = demo().await;
    let engine = &fixture.engine;
    let (police, _) = login(&fixture, "agent.marseille").await;
    let (gendarme, _) = login(&fixture, "agent.gendarmerie").await;
    let mut ids = Vec::new();
    for (text, handling, restrictions) in [
        ("Opération Valparaiso : guetteurs au parking.", vec![], None),
        (
            "Valparaiso : ne pas diffuser hors du service.",
            vec!["H2"],
            None,
        ),
        (
            "Valparaiso : ni diffusion, ni communication au bailleur.",
            vec!["H2", "H3"],
            Some("ne pas communiquer au bailleur"),
        ),
        (
            "Valparaiso : communication au bailleur exclue.",
            vec!["H3"],
            Some("ne pas communiquer au bailleur"),
        ),
    ] {
        let mut item = draft(vec![]);
        item.text = text.to_owned();
        item.handling = handling.into_iter().map(str::to_owned).collect();
        item.restrictions = restrictions.map(str::to_owned);
        ids.push(
            engine
                .record_intel(&police, item, &ctx())
                .await
                .unwrap()
                .item
                .id,
        );
    }
    let request = vigie_search::SearchRequest {
        query: "valparaiso".to_owned(),
        ..vigie_search::SearchRequest::default()
    };
    let mapping = vigie_intel::csv_entities::DEFAULT_ITEM_MAPPING;
    let export = |actor: vigie_engine::Actor, purpose, mapping: &'static str| {
        let request = request.clone();
        async move {
            engine
                .export_intel_csv(
                    &actor,
                    &request,
                    mapping,
                    "transmission à la gendarmerie",
                    purpose,
                    &ctx(),
                )
                .await
        }
    };
    // The rows after the header, cells unquoted: enough for these texts (no quote, `;` or line
    // break in them), every cell being quoted.
    let rows = |csv: &str| -> Vec<Vec<String>> {
        csv.lines()
            .skip(1)
            .map(|line| {
                let line = line.trim_start_matches('"').trim_end_matches('"');
                line.split("\";\"").map(str::to_owned).collect()
            })
            .collect()
    };
    let to_gendarmes = vigie_engine::ExportPurpose::Share {
        to_unit: gendarme.unit.id,
    };

    // The gendarmes' own export: the H2 items are not theirs to read, so neither in the file nor
    // counted as held back.
    let theirs = export(gendarme.clone(), to_gendarmes, mapping)
        .await
        .unwrap();
    assert_eq!((theirs.exported, theirs.withheld.len()), (2, 0));
    // The owner's share with the gendarmes: the H2 items are held back and counted, with the reason.
    let shared = export(police.clone(), to_gendarmes, mapping).await.unwrap();
    assert_eq!(shared.exported, 2);
    let mut withheld: Vec<_> = shared.withheld.iter().map(|(id, _)| *id).collect();
    withheld.sort();
    let mut h2 = vec![ids[1], ids[2]];
    h2.sort();
    assert_eq!(withheld, h2);
    assert!(shared.withheld.iter().all(|(_, why)| why.starts_with("H2")));
    for csv in [&theirs.csv, &shared.csv] {
        assert!(
            csv.starts_with("\u{feff}\"REFERENCE\";\"DATE_OBSERVATION\""),
            "{csv}"
        );
        let rows = rows(csv);
        assert_eq!(rows.len(), 2);
        let references: Vec<&str> = rows.iter().map(|row| row[0].as_str()).collect();
        assert!(references.contains(&ids[0].to_string().as_str()));
        assert!(references.contains(&ids[3].to_string().as_str()));
        for hidden in [ids[1], ids[2]] {
            assert!(!csv.contains(&hidden.to_string()), "{csv}");
        }
        assert!(!csv.contains("ne pas diffuser") && !csv.contains("ni diffusion"));
        // A human source's kind leaves, never its code; H3 travels with its restrictions.
        assert!(!csv.contains("SH-13-0042"));
        assert!(rows
            .iter()
            .all(|row| row.contains(&"Source humaine".to_owned())));
        assert!(rows.iter().any(|row| row.contains(&"H3".to_owned())
            && row.contains(&"ne pas communiquer au bailleur".to_owned())));
    }
    // The owner permits the share of one H2 item: it goes, the other stays back.
    engine
        .permit_intel(
            &police,
            ids[1],
            PermissionKind::OnwardSharing,
            Some(gendarme.unit.id),
            "enquête commune",
            &ctx(),
        )
        .await
        .unwrap();
    let shared = export(police.clone(), to_gendarmes, mapping).await.unwrap();
    assert_eq!((shared.exported, shared.withheld.len()), (3, 1));
    assert!(shared.csv.contains(&ids[1].to_string()));
    assert!(!shared.csv.contains(&ids[2].to_string()));

    // Another mapping: its columns, in its order.
    let two = export(police.clone(), to_gendarmes, "text=Texte,observed_on=Le")
        .await
        .unwrap();
    assert!(
        two.csv.starts_with("\u{feff}\"Texte\";\"Le\"\n"),
        "{}",
        two.csv
    );
    assert!(rows(&two.csv).iter().all(|row| row[1] == "2026-11-17"));

    // A mapping that cannot be used is refused before anything is searched, every fault named.
    for (bad, expected) in [
        ("text", "mal formée"),
        ("texte=TEXTE", "champ « texte » inconnu"),
        ("text=A,grade=a", "colonne « a » indiquée deux fois"),
    ] {
        match export(police.clone(), to_gendarmes, bad).await {
            Err(EngineError::Invalid(errors)) => {
                assert_eq!(errors[0].field, "mapping");
                assert!(errors[0].message.contains(expected), "{errors:?}");
            }
            other => panic!("{bad}: {other:?}"),
        }
    }

    // Each exported item is journaled with the purpose and the motif, and the export itself.
    let entries = engine
        .journal_page(
            &login(&fixture, "auditeur").await.0,
            &JournalQuery {
                object: Some(format!("intel:{}", ids[3])),
                action: Some(JournalAction::Consult),
                limit: 50,
                ..JournalQuery::default()
            },
            &ctx(),
        )
        .await
        .unwrap()
        .entries;
    assert_eq!(entries.len(), 4, "four exports included it");
    assert!(entries
        .iter()
        .all(|e| e.draft.motif == "exportation pour diffusion : transmission à la gendarmerie"));
}
