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
