//! What follows a conflict, through the engine: event deconfliction (two units planning the same
//! night in the same building are both told), arbitration by the competent magistrate or OFAST,
//! and the priority-target list with its committee, reviews, outcomes and indicators.

use crate::support::{ctx, demo, login, Fixture};
use vigie_core::org::UnitId;
use vigie_engine::{Actor, EngineError};
use vigie_targets::operations::{OperationDraft, OperationKind};
use vigie_targets::workflow::{ArbitrationOutcome, DelistCriterion, PriorityStatus};
use vigie_targets::{IdentifierDraft, TargetDraft, TargetId};

const HOUR: i64 = 3_600_000_000;
/// 2026-11-23 09:00 UTC, the fixture's clock.
const NOW: i64 = 1_795_424_400_000_000;

fn operation(label: &str, lat: f64, lon: f64, start_h: i64, end_h: i64) -> OperationDraft {
    OperationDraft {
        kind: "search".to_owned(),
        label: label.to_owned(),
        starts_micros: NOW + start_h * HOUR,
        ends_micros: NOW + end_h * HOUR,
        lat,
        lon,
        radius_m: 100,
        contact_name: "Lieutenant Garcia".to_owned(),
        contact_phone: "04 91 00 00 09".to_owned(),
    }
}

#[tokio::test]
async fn two_units_planning_the_same_night_in_the_same_building_are_both_told() {
    let fixture = demo().await;
    let engine = &fixture.engine;
    let (police, _) = login(&fixture, "agent.marseille").await;
    let (gendarme, _) = login(&fixture, "agent.gendarmerie").await;

    // Cité de la Castellane, Marseille 15e.
    let first = engine
        .declare_operation(
            &police,
            operation(
                "Perquisition bât. H, réseau du Mistral",
                43.3736,
                5.3589,
                20,
                26,
            ),
            &ctx(),
        )
        .await
        .unwrap();
    assert!(first.overlaps.is_empty());
    assert_eq!(
        first.plan.commune.as_deref(),
        Some("13215 Marseille 15e Arrondissement")
    );

    let second = engine
        .declare_operation(
            &gendarme,
            operation("Interpellation SR", 43.3740, 5.3592, 23, 28),
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(second.overlaps.len(), 1);
    let overlap = &second.overlaps[0];
    assert_eq!(overlap.other_unit, police.unit.id);
    assert_eq!(overlap.contact_name, "Lieutenant Garcia");
    assert_eq!(overlap.contact_phone, "+33491000009");
    assert_eq!(overlap.other_kind, OperationKind::Search);
    assert_eq!(
        (overlap.from_micros, overlap.to_micros),
        (NOW + 23 * HOUR, NOW + 26 * HOUR)
    );
    assert!(overlap.distance_m < 100.0, "{}", overlap.distance_m);

    // The first unit sees it too, in its calendar; a far or later operation meets nobody.
    engine
        .declare_operation(
            &gendarme,
            operation("Surveillance Noailles", 43.2965, 5.3810, 20, 26),
            &ctx(),
        )
        .await
        .unwrap();
    engine
        .declare_operation(
            &gendarme,
            operation("Retour Castellane", 43.3736, 5.3589, 26, 30),
            &ctx(),
        )
        .await
        .unwrap();
    let calendar = engine
        .unit_operations(&police, NOW, NOW + 48 * HOUR, &ctx())
        .await
        .unwrap();
    assert_eq!(calendar.len(), 1);
    assert_eq!(calendar[0].overlaps.len(), 1);
    assert_eq!(calendar[0].overlaps[0].other_operation, second.id);
    let gendarmerie_calendar = engine
        .unit_operations(&gendarme, NOW, NOW + 48 * HOUR, &ctx())
        .await
        .unwrap();
    let with_overlaps: Vec<usize> = gendarmerie_calendar
        .iter()
        .map(|view| view.overlaps.len())
        .collect();
    // Noailles (20 h), the Castellane arrest (23 h), the return (26 h): in start order.
    assert_eq!(with_overlaps, [0, 1, 0]);

    // Only the declaring unit cancels; a magistrate does not plan operations.
    assert!(matches!(
        engine.cancel_operation(&police, second.id, &ctx()).await,
        Err(EngineError::NotFound)
    ));
    let (magistrate, _) = login(&fixture, "magistrat.jirs").await;
    assert!(matches!(
        engine
            .declare_operation(&magistrate, operation("x", 43.37, 5.36, 1, 2), &ctx())
            .await,
        Err(EngineError::Forbidden)
    ));
    engine
        .cancel_operation(&gendarme, second.id, &ctx())
        .await
        .unwrap();
    let calendar = engine
        .unit_operations(&police, NOW, NOW + 48 * HOUR, &ctx())
        .await
        .unwrap();
    assert!(calendar[0].overlaps.is_empty());

    // An operation already over is refused; past ones are erased 90 days after they end.
    let late = engine
        .declare_operation(&police, operation("x", 43.37, 5.36, -5, -1), &ctx())
        .await;
    assert!(matches!(late, Err(EngineError::Invalid(errors)) if errors[0].field == "ends_at"));
    fixture.clock.advance(time::Duration::days(90));
    assert_eq!(engine.expire_operations().await.unwrap(), 0);
    fixture.clock.advance(time::Duration::days(2));
    assert_eq!(engine.expire_operations().await.unwrap(), 3);
}

fn target(procedure: &str, regime: &str, magistrate_unit: Option<UnitId>) -> TargetDraft {
    TargetDraft {
        procedure: procedure.to_owned(),
        regime: regime.to_owned(),
        magistrate_unit,
        magistrate_name: Some("Mme Castel, JIRS de Marseille".to_owned()),
        contact_name: "Capitaine Roux".to_owned(),
        contact_phone: "04 91 00 00 01".to_owned(),
        person: None,
        identifiers: vec![IdentifierDraft {
            kind: "phone".to_owned(),
            value: "06 12 34 56 78".to_owned(),
        }],
    }
}

async fn unit_id(fixture: &Fixture, code: &str) -> UnitId {
    fixture
        .engine
        .units()
        .await
        .unwrap()
        .into_iter()
        .find(|unit| unit.code == code)
        .unwrap()
        .id
}

async fn register(fixture: &Fixture, actor: &Actor, draft: TargetDraft) -> TargetId {
    fixture
        .engine
        .register_target(actor, draft, &ctx())
        .await
        .unwrap()
        .target
        .id
}

#[tokio::test]
async fn the_magistrate_named_on_the_procedure_arbitrates_and_both_units_read_the_decision() {
    let fixture = demo().await;
    let engine = &fixture.engine;
    let jirs = unit_id(&fixture, "JIRS-MARSEILLE").await;
    let (gendarme, _) = login(&fixture, "agent.gendarmerie").await;
    let (douanier, _) = login(&fixture, "agent.douane").await;
    let (police, _) = login(&fixture, "agent.marseille").await;
    let (magistrate, _) = login(&fixture, "magistrat.jirs").await;

    let first = register(
        &fixture,
        &gendarme,
        target("SR-2026-12", "judicial", Some(jirs)),
    )
    .await;
    fixture.clock.advance(time::Duration::hours(1));
    let second = register(&fixture, &douanier, target("DNRED-9", "customs", None)).await;

    // A unit whose target does not meet the other's cannot refer, nor learn it exists.
    let unrelated = register(&fixture, &police, {
        let mut draft = target("SD-1", "judicial", Some(jirs));
        draft.identifiers[0].value = "06 99 99 99 99".to_owned();
        draft
    })
    .await;
    assert!(matches!(
        engine
            .refer_arbitration(&police, unrelated, first, None, "qui dirige ?", &ctx())
            .await,
        Err(EngineError::NotFound)
    ));

    let arbiters = engine.arbiters_for(&douanier, second, first).await.unwrap();
    assert_eq!(arbiters.len(), 1);
    assert_eq!(arbiters[0].unit, jirs);
    let short = engine
        .refer_arbitration(&douanier, second, first, None, "court", &ctx())
        .await;
    assert!(matches!(short, Err(EngineError::Invalid(errors)) if errors[0].field == "reason"));
    // Both units refer the same pair at once: each checked that none was open, exactly one
    // referral is created and the other unit is told one is under way.
    let request = ctx();
    let (from_customs, from_gendarmerie) = tokio::join!(
        engine.refer_arbitration(
            &douanier,
            second,
            first,
            None,
            "Les deux services préparent une interpellation : qui dirige ?",
            &request,
        ),
        engine.refer_arbitration(
            &gendarme,
            first,
            second,
            None,
            "Interpellation prévue des deux côtés : qui dirige ?",
            &request,
        ),
    );
    let referral = match (from_customs, from_gendarmerie) {
        (Ok(referral), Err(EngineError::Conflict(message)))
        | (Err(EngineError::Conflict(message)), Ok(referral)) => {
            assert!(message.contains("déjà en cours"), "{message}");
            referral
        }
        other => panic!("two referrals of one pair at once: expected one, got {other:?}"),
    };
    assert_eq!(
        engine.arbitrations(&gendarme, &ctx()).await.unwrap().len(),
        1
    );
    let id = referral.arbitration.id;
    assert_eq!(referral.arbitration.first_target, first, "earlier first");
    assert!(referral.arbiter_name.starts_with("JIRS de Marseille"));
    assert!(matches!(
        engine
            .refer_arbitration(
                &gendarme,
                first,
                second,
                None,
                "nous aussi, qui dirige ?",
                &ctx()
            )
            .await,
        Err(EngineError::Conflict(_))
    ));

    // The units cannot open the case; another arbiter finds nothing.
    assert!(matches!(
        engine.arbitration_case(&gendarme, id, &ctx()).await,
        Err(EngineError::Forbidden)
    ));
    let (ofast, _) = login(&fixture, "analyste.ofast").await;
    assert!(matches!(
        engine.arbitration_case(&ofast, id, &ctx()).await,
        Err(EngineError::NotFound)
    ));

    let case = engine
        .arbitration_case(&magistrate, id, &ctx())
        .await
        .unwrap();
    assert_eq!(case.first.procedure, "SR-2026-12");
    assert_eq!(case.second.procedure, "DNRED-9");
    assert_eq!(case.second.unit_name, douanier.unit.name);
    assert_eq!(
        case.matches,
        [vigie_targets::MatchKind::Identifier(
            vigie_targets::IdentifierKind::Phone
        )]
    );
    let journal = engine
        .journal_page(
            &login(&fixture, "auditeur").await.0,
            &vigie_engine::JournalQuery {
                actor: Some(format!("account:{}", magistrate.account.id)),
                limit: 10,
                ..Default::default()
            },
            &ctx(),
        )
        .await
        .unwrap();
    let objects: Vec<&str> = journal
        .entries
        .iter()
        .map(|entry| entry.draft.object.as_str())
        .collect();
    assert!(
        objects.contains(&format!("target:{first}").as_str()),
        "{objects:?}"
    );
    assert!(
        objects.contains(&format!("target:{second}").as_str()),
        "{objects:?}"
    );

    // The lead goes to one of the two units only, once.
    let elsewhere = engine
        .decide_arbitration(
            &magistrate,
            id,
            ArbitrationOutcome::LeadUnit(police.unit.id),
            "La SD est mieux placée",
            &ctx(),
        )
        .await;
    assert!(matches!(elsewhere, Err(EngineError::Invalid(errors)) if errors[0].field == "outcome"));
    // Two decisions sent at once (two magistrates of the JIRS, or a double click): both read the
    // open referral, one is kept, the other is refused instead of silently replacing it.
    let request = ctx();
    let (lead, joint) = tokio::join!(
        engine.decide_arbitration(
            &magistrate,
            id,
            ArbitrationOutcome::LeadUnit(gendarme.unit.id),
            "La SR a la procédure la plus ancienne et la plus avancée",
            &request,
        ),
        engine.decide_arbitration(
            &magistrate,
            id,
            ArbitrationOutcome::JointTeam,
            "Équipe commune d'enquête",
            &request,
        ),
    );
    let decided = match (lead, joint) {
        (Ok(decided), Err(EngineError::Conflict(message)))
        | (Err(EngineError::Conflict(message)), Ok(decided)) => {
            assert!(message.contains("rechargez la page"), "{message}");
            decided
        }
        other => panic!("two decisions at once: expected one kept, got {other:?}"),
    };
    let stored = engine.arbitrations(&gendarme, &ctx()).await.unwrap();
    assert_eq!(
        stored[0].decision_fr(),
        decided.decision_fr(),
        "the decision kept is the one answered"
    );
    assert!(matches!(
        engine
            .decide_arbitration(
                &magistrate,
                id,
                ArbitrationOutcome::JointTeam,
                "changement d'avis",
                &ctx()
            )
            .await,
        Err(EngineError::Conflict(_))
    ));
    for party in [&gendarme, &douanier] {
        let list = engine.arbitrations(party, &ctx()).await.unwrap();
        assert_eq!(list.len(), 1);
        assert!(list[0].arbitration.decision.is_some());
    }
    assert!(engine
        .arbitrations(&police, &ctx())
        .await
        .unwrap()
        .is_empty());
    // Once decided, the pair can be referred again (a new development, a new disagreement).
    engine
        .refer_arbitration(
            &gendarme,
            first,
            second,
            None,
            "Fait nouveau : la douane prépare une livraison surveillée",
            &ctx(),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn files_that_are_not_judicial_go_to_ofast() {
    let fixture = demo().await;
    let engine = &fixture.engine;
    let (police, _) = login(&fixture, "agent.marseille").await;
    let (douanier, _) = login(&fixture, "agent.douane").await;
    let (ofast, _) = login(&fixture, "analyste.ofast").await;
    let first = register(&fixture, &police, target("ADM-1", "administrative", None)).await;
    let second = register(&fixture, &douanier, target("DOU-2", "customs", None)).await;
    let referral = engine
        .refer_arbitration(
            &police,
            first,
            second,
            None,
            "Deux enquêtes administratives",
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(referral.arbitration.arbiter, ofast.unit.id);
    let decided = engine
        .decide_arbitration(
            &ofast,
            referral.arbitration.id,
            ArbitrationOutcome::JointTeam,
            "Une équipe commune s'impose",
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(decided.decision_fr().unwrap(), "Équipe commune d'enquête");
}

#[tokio::test]
async fn the_priority_list_from_nomination_to_delisting_with_its_indicators() {
    let fixture = demo().await;
    let engine = &fixture.engine;
    let (gendarme, _) = login(&fixture, "agent.gendarmerie").await;
    let (ofast, _) = login(&fixture, "analyste.ofast").await;
    let (police, _) = login(&fixture, "agent.marseille").await;
    let target_id = register(&fixture, &gendarme, target("SR-7", "judicial", None)).await;
    let other = register(&fixture, &police, {
        let mut draft = target("SD-8", "judicial", None);
        draft.identifiers[0].value = "07 11 11 11 11".to_owned();
        draft
    })
    .await;

    // Only the owning unit nominates its target; only OFAST reads the list.
    assert!(matches!(
        engine
            .nominate_priority(&police, target_id, "Tête de réseau, trois points", &ctx())
            .await,
        Err(EngineError::NotFound)
    ));
    engine
        .nominate_priority(&gendarme, target_id, "Tête de réseau, trois points", &ctx())
        .await
        .unwrap();
    engine
        .nominate_priority(&police, other, "Grossiste du 3e arrondissement", &ctx())
        .await
        .unwrap();
    assert!(matches!(
        engine
            .nominate_priority(&gendarme, target_id, "une seconde fois", &ctx())
            .await,
        Err(EngineError::Conflict(_))
    ));
    assert!(matches!(
        engine.priority_list(&gendarme, &ctx()).await,
        Err(EngineError::Forbidden)
    ));
    let (list, indicators) = engine.priority_list(&ofast, &ctx()).await.unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(indicators.nominated, 2);

    fixture.clock.advance(time::Duration::days(10));
    let (ofast, _) = login(&fixture, "analyste.ofast").await;
    let (gendarme, _) = login(&fixture, "agent.gendarmerie").await;
    engine
        .decide_priority(
            &ofast,
            target_id,
            true,
            "Validé par le comité du 3 décembre",
            &ctx(),
        )
        .await
        .unwrap();
    engine
        .decide_priority(
            &ofast,
            other,
            false,
            "Éléments insuffisants à ce stade",
            &ctx(),
        )
        .await
        .unwrap();
    // An outcome recorded by the owning unit, seen on its target and by OFAST.
    engine
        .add_priority_outcome(
            &gendarme,
            target_id,
            "seizure",
            "2026-12-20",
            "40 kg de résine",
            &ctx(),
        )
        .await
        .unwrap();
    let bad = engine
        .add_priority_outcome(&gendarme, target_id, "seizure", "20/12/2026", "x", &ctx())
        .await;
    assert!(matches!(bad, Err(EngineError::Invalid(errors)) if errors[0].field == "date"));
    let entry = engine
        .target_priority(&gendarme, target_id, &ctx())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(entry.status, PriorityStatus::Listed);
    assert_eq!(entry.outcomes.len(), 1);

    // Six months later the review is overdue; the committee de-lists on a criterion.
    fixture.clock.advance(time::Duration::days(184));
    let (ofast, _) = login(&fixture, "analyste.ofast").await;
    let (list, indicators) = engine.priority_list(&ofast, &ctx()).await.unwrap();
    assert_eq!(list[0].entry.target, target_id, "listed before refused");
    assert!(list[0].review_overdue);
    assert_eq!(
        (
            indicators.listed,
            indicators.refused,
            indicators.reviews_overdue
        ),
        (1, 1, 1)
    );
    assert_eq!(indicators.median_days_to_decision, Some(10));
    assert_eq!(indicators.outcomes[1], ("Saisie".to_owned(), 1));
    assert_eq!(indicators.listed_by_unit, [(gendarme.unit.name.clone(), 1)]);
    engine
        .review_priority(
            &ofast,
            target_id,
            Some(DelistCriterion::Dismantled),
            "Réseau démantelé en mai, 9 interpellations",
            &ctx(),
        )
        .await
        .unwrap();
    let (_, indicators) = engine.priority_list(&ofast, &ctx()).await.unwrap();
    assert_eq!((indicators.listed, indicators.delisted), (0, 1));
    assert_eq!(
        indicators.delisted_by_criterion,
        [("Réseau démantelé".to_owned(), 1)]
    );
}

#[tokio::test]
async fn the_demo_has_conflicts_a_referral_operations_and_a_priority_list_to_show() {
    let fixture = demo().await;
    let engine = &fixture.engine;
    let seeded = engine.seed_demo_workflows(42).await.unwrap();
    assert_eq!(
        seeded,
        vigie_engine::DemoWorkflows {
            targets: 4,
            operations: 2,
            arbitrations: 1,
            priority_entries: 2
        }
    );
    let (gendarme, _) = login(&fixture, "agent.gendarmerie").await;
    let notices = engine
        .deconfliction_notices(&gendarme, &ctx())
        .await
        .unwrap();
    let units: std::collections::BTreeSet<String> = notices
        .iter()
        .map(|notice| notice.other_unit_name.clone())
        .collect();
    assert_eq!(
        units.len(),
        2,
        "customs and the police meet the gendarmes: {units:?}"
    );
    let (magistrate, _) = login(&fixture, "magistrat.jirs").await;
    let referrals = engine.arbitrations(&magistrate, &ctx()).await.unwrap();
    assert_eq!(referrals.len(), 1);
    assert!(referrals[0].arbitration.decision.is_none());
    let calendar = engine
        .unit_operations(&gendarme, NOW, NOW + 72 * HOUR, &ctx())
        .await
        .unwrap();
    assert_eq!(calendar[0].overlaps.len(), 1);
    let (ofast, _) = login(&fixture, "analyste.ofast").await;
    let (_, indicators) = engine.priority_list(&ofast, &ctx()).await.unwrap();
    assert_eq!((indicators.listed, indicators.nominated), (1, 1));
}
