//! Facts with their basis and grade, and merges of duplicate entities, through the engine: every
//! value says where it comes from, contradictory values stay side by side, a fact never shows an
//! item its reader could not open, and a merge is decided by an analyst, shows both records as one,
//! and is taken back without a trace left on either record.

use crate::support::{ctx, demo, login};
use vigie_core::entity::{Entity, EntityId, LegalRegime, LinkKind, Properties, Schema};
use vigie_core::journal::JournalAction;
use vigie_engine::{
    Actor, Engine, EngineError, EntityView, JournalQuery, NewEntity, NewLink, ValueSource,
};
use vigie_intel::fact::{BasisDraft, Claim, FactBasis, FactDraft};
use vigie_intel::IntelItemDraft;

async fn person(engine: &Engine, actor: &Actor, values: &[(&str, &str)]) -> Entity {
    let mut properties = Properties::new();
    for (name, value) in values {
        properties
            .entry((*name).to_owned())
            .or_default()
            .push((*value).to_owned());
    }
    engine
        .create_entity(
            actor,
            NewEntity {
                schema: Schema::Person,
                properties,
                departement: Some("13".to_owned()),
                regime: LegalRegime::Judicial,
                source: "PV d'audition 2026/881".to_owned(),
            },
            &ctx(),
        )
        .await
        .unwrap()
}

fn record_basis(reference: &str, grade: &str) -> BasisDraft {
    BasisDraft {
        item: None,
        reference: Some(reference.to_owned()),
        grade_scheme: Some("europol_4x4".to_owned()),
        grade: Some(grade.to_owned()),
    }
}

fn fact(property: &str, value: &str, basis: BasisDraft) -> FactDraft {
    FactDraft {
        property: property.to_owned(),
        value: value.to_owned(),
        basis,
        observed_on: Some("2026-11-02".to_owned()),
    }
}

fn item_about(entities: Vec<EntityId>, handling: &[&str]) -> IntelItemDraft {
    IntelItemDraft {
        text: "Le surnommé « Tonton » est vu chaque soir au pied du bâtiment B, il dirige les guetteurs.".to_owned(),
        observed_on: "2026-11-10".to_owned(),
        observed_until: None,
        place: None,
        commune: Some("13214".to_owned()),
        entities,
        source: "technical".to_owned(),
        source_code: None,
        grade_scheme: "europol_4x4".to_owned(),
        grade: "B2".to_owned(),
        handling: handling.iter().map(|code| (*code).to_owned()).collect(),
        restrictions: None,
        regime: "judicial".to_owned(),
    }
}

async fn consult(engine: &Engine, actor: &Actor, id: EntityId) -> EntityView {
    engine
        .consult_entity(actor, id, "procédure 2026/77", &ctx())
        .await
        .unwrap()
}

/// The values of one property as "value (where, grade)", in the view's order.
fn values_of(view: &EntityView, property: &str) -> Vec<String> {
    view.values
        .iter()
        .filter(|value| value.property == property)
        .map(|value| {
            let from = match &value.source {
                ValueSource::Record { merged: false, .. } => "fiche".to_owned(),
                ValueSource::Record { merged: true, .. } => "fiche fusionnée".to_owned(),
                ValueSource::Fact(fact) => match &fact.basis {
                    FactBasis::Item { .. } => format!("élément {}", fact.grade.code()),
                    FactBasis::Record { reference } => format!("{reference} {}", fact.grade.code()),
                },
            };
            format!("{} ({from})", value.value)
        })
        .collect()
}

#[tokio::test]
async fn facts_keep_their_source_and_grade_and_contradictions_coexist() {
    let fixture = demo().await;
    let engine = &fixture.engine;
    let (police, _) = login(&fixture, "agent.marseille").await;
    let (gendarme, _) = login(&fixture, "agent.gendarmerie").await;
    let (auditor, _) = login(&fixture, "auditeur").await;
    let dupont = person(
        engine,
        &police,
        &[("name", "Karim DUPONT"), ("birthDate", "1990-04-12")],
    )
    .await;

    // A record's reference and its grade; a second birth date contradicting the first is kept.
    engine
        .add_fact(
            &police,
            dupont.id,
            fact(
                "alias",
                "Tonton",
                record_basis("PV 2026/123 du 12/03", "B2"),
            ),
            &ctx(),
        )
        .await
        .unwrap();
    engine
        .add_fact(
            &gendarme,
            dupont.id,
            fact("birthDate", "1990-12-04", record_basis("Fiche TAJ", "C3")),
            &ctx(),
        )
        .await
        .unwrap();
    let view = consult(engine, &police, dupont.id).await;
    assert_eq!(
        values_of(&view, "birthDate"),
        ["1990-04-12 (fiche)", "1990-12-04 (Fiche TAJ C3)"]
    );
    assert_eq!(
        values_of(&view, "alias"),
        ["Tonton (PV 2026/123 du 12/03 B2)"]
    );
    assert!(vigie_intel::fact::divergent(
        Schema::Person,
        "birthDate",
        &["1990-04-12", "1990-12-04"]
    ));

    // Refusals name their field; nothing is written.
    for (draft, field) in [
        (
            fact("birthDate", "1990-02-31", record_basis("PV 1", "B2")),
            "value",
        ),
        (fact("iban", "FR76", record_basis("PV 1", "B2")), "property"),
        (
            fact("alias", "Le Grand", BasisDraft::default()),
            "reference",
        ),
        (
            fact("alias", "Le Grand", record_basis("PV 1", "B7")),
            "grade",
        ),
    ] {
        match engine.add_fact(&police, dupont.id, draft, &ctx()).await {
            Err(EngineError::Invalid(errors)) => assert_eq!(errors[0].field, field, "{errors:?}"),
            other => panic!("{field}: {other:?}"),
        }
    }
    // The name, the first birth date, the alias, the second birth date: nothing more.
    assert_eq!(consult(engine, &police, dupont.id).await.values.len(), 4);
    // Roles that never record facts, and entities out of reach.
    assert!(matches!(
        engine
            .add_fact(
                &auditor,
                dupont.id,
                fact("alias", "X", record_basis("PV 1", "B2")),
                &ctx()
            )
            .await,
        Err(EngineError::Forbidden)
    ));
    let (paris, _) = login(&fixture, "agent.paris").await;
    assert!(matches!(
        engine
            .add_fact(
                &paris,
                dupont.id,
                fact("alias", "X", record_basis("PV 1", "B2")),
                &ctx()
            )
            .await,
        Err(EngineError::NotFound)
    ));

    // The journal names the entity and the fact, never the value.
    let entries = engine
        .journal_page(
            &auditor,
            &JournalQuery {
                action: Some(JournalAction::Collect),
                limit: 50,
                ..JournalQuery::default()
            },
            &ctx(),
        )
        .await
        .unwrap();
    let facts: Vec<_> = entries
        .entries
        .iter()
        .filter(|entry| entry.draft.object.contains(":fact:"))
        .collect();
    assert_eq!(facts.len(), 2);
    assert!(facts.iter().all(|entry| entry
        .draft
        .object
        .starts_with(&format!("entity:{}:fact:", dupont.id))
        && !entry.draft.object.contains("Tonton")));
}

#[tokio::test]
async fn a_fact_from_an_item_takes_its_grade_and_stays_hidden_with_it() {
    let fixture = demo().await;
    let engine = &fixture.engine;
    let (police, _) = login(&fixture, "agent.marseille").await;
    let (gendarme, _) = login(&fixture, "agent.gendarmerie").await;
    let dupont = person(engine, &police, &[("name", "Karim DUPONT")]).await;
    let other = person(engine, &police, &[("name", "Lucas MARTIN")]).await;

    // Under H2 the item stays with the police: so does the fact drawn from it.
    let item = engine
        .record_intel(&police, item_about(vec![dupont.id], &["H2"]), &ctx())
        .await
        .unwrap()
        .item;
    let from_item = BasisDraft {
        item: Some(item.id),
        ..BasisDraft::default()
    };
    let added = engine
        .add_fact(
            &police,
            dupont.id,
            fact("alias", "Tonton", from_item.clone()),
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(added.grade, item.grade);
    assert_eq!(added.regime, LegalRegime::Judicial);
    assert_eq!(
        values_of(&consult(engine, &police, dupont.id).await, "alias"),
        ["Tonton (élément B2)"]
    );
    assert!(values_of(&consult(engine, &gendarme, dupont.id).await, "alias").is_empty());

    // The gendarmes cannot lean on an item they cannot read: it is "not found", like a missing one.
    match engine
        .add_fact(
            &gendarme,
            dupont.id,
            fact("alias", "T", from_item.clone()),
            &ctx(),
        )
        .await
    {
        Err(EngineError::Invalid(errors)) => {
            assert_eq!(errors[0].field, "item");
            assert!(errors[0].message.contains("introuvable"), "{errors:?}");
        }
        other => panic!("{other:?}"),
    }
    // An item about someone else is no basis for this entity; nor is a grade given beside an item.
    match engine
        .add_fact(
            &police,
            other.id,
            fact("alias", "T", from_item.clone()),
            &ctx(),
        )
        .await
    {
        Err(EngineError::Invalid(errors)) => {
            assert!(errors[0].message.contains("ne concerne pas cette entité"))
        }
        other => panic!("{other:?}"),
    }
    let mut graded = from_item.clone();
    graded.grade_scheme = Some("europol_4x4".to_owned());
    graded.grade = Some("A1".to_owned());
    assert!(matches!(
        engine
            .add_fact(&police, dupont.id, fact("alias", "T", graded), &ctx())
            .await,
        Err(EngineError::Invalid(_))
    ));

    // A link's basis is read from both ends, with its grade; an open item is seen by the gendarmes.
    let open = engine
        .record_intel(&police, item_about(vec![dupont.id, other.id], &[]), &ctx())
        .await
        .unwrap()
        .item;
    let link = engine
        .create_link(
            &police,
            NewLink {
                kind: LinkKind::Associate,
                source: dupont.id,
                target: other.id,
                start: None,
                end: None,
                source_note: "Surveillance du 10/11".to_owned(),
                basis: Some(BasisDraft {
                    item: Some(open.id),
                    ..BasisDraft::default()
                }),
            },
            &ctx(),
        )
        .await
        .unwrap();
    for (reader, end) in [(&police, dupont.id), (&gendarme, other.id)] {
        let view = consult(engine, reader, end).await;
        let shown = view
            .links
            .iter()
            .find(|view| view.link.id == link.id)
            .unwrap();
        assert_eq!(shown.bases.len(), 1);
        assert_eq!(shown.bases[0].grade.code(), "B2");
        assert!(matches!(
            shown.bases[0].claim,
            Claim::Link { link: id, .. } if id == link.id
        ));
    }
}

#[tokio::test]
async fn an_analyst_merges_duplicates_sees_them_as_one_and_can_take_it_back() {
    let fixture = demo().await;
    let engine = &fixture.engine;
    let (police, _) = login(&fixture, "agent.marseille").await;
    let (analyst, _) = login(&fixture, "analyste.cross13").await;
    let (paris, _) = login(&fixture, "analyste.cross-75").await;
    let (auditor, _) = login(&fixture, "auditeur").await;
    let kept = person(
        engine,
        &police,
        &[
            ("firstName", "Karim"),
            ("lastName", "Dupont"),
            ("birthDate", "1990-04-12"),
        ],
    )
    .await;
    let twin = person(
        engine,
        &police,
        &[
            ("firstName", "Karim"),
            ("lastName", "Dupond"),
            ("birthDate", "1990-12-04"),
            ("alias", "Tonton"),
        ],
    )
    .await;
    let stranger = person(
        engine,
        &police,
        &[
            ("firstName", "Sofia"),
            ("lastName", "Dupont"),
            ("birthDate", "1971-01-30"),
        ],
    )
    .await;
    let phone = engine
        .create_entity(
            &police,
            NewEntity {
                schema: Schema::Phone,
                properties: Properties::from([(
                    "number".to_owned(),
                    vec!["06 12 34 56 78".to_owned()],
                )]),
                departement: Some("13".to_owned()),
                regime: LegalRegime::Judicial,
                source: "Réquisition opérateur".to_owned(),
            },
            &ctx(),
        )
        .await
        .unwrap();
    engine
        .create_link(
            &police,
            NewLink {
                kind: LinkKind::PhoneUser,
                source: twin.id,
                target: phone.id,
                start: None,
                end: None,
                source_note: "Réquisition".to_owned(),
                basis: None,
            },
            &ctx(),
        )
        .await
        .unwrap();

    // The matching engine suggests the twin (day and month swapped), not the namesake.
    let found = engine
        .merge_suggestions(&analyst, kept.id, "recherche de doublons", &ctx())
        .await
        .unwrap();
    let candidates: Vec<EntityId> = found.suggestions.iter().map(|s| s.candidate.id).collect();
    assert!(candidates.contains(&twin.id), "{:?}", found.suggestions);
    assert!(
        !candidates.contains(&stranger.id),
        "{:?}",
        found.suggestions
    );
    let reasons = &found.suggestions[0].reasons;
    assert!(
        reasons
            .iter()
            .any(|r| r == "Date de naissance : jour et mois inversés"),
        "{reasons:?}"
    );
    // Agents do not merge; an analyst elsewhere does not even see the records.
    assert!(matches!(
        engine
            .merge_entities(&police, kept.id, twin.id, "même personne", &ctx())
            .await,
        Err(EngineError::Forbidden)
    ));
    assert!(matches!(
        engine
            .merge_entities(&paris, kept.id, twin.id, "même personne", &ctx())
            .await,
        Err(EngineError::NotFound)
    ));
    for (a, b, field) in [(kept.id, kept.id, "merged"), (kept.id, phone.id, "merged")] {
        match engine
            .merge_entities(&analyst, a, b, "même personne", &ctx())
            .await
        {
            Err(EngineError::Invalid(errors)) => assert_eq!(errors[0].field, field),
            other => panic!("{other:?}"),
        }
    }
    match engine
        .merge_entities(&analyst, kept.id, twin.id, "ok", &ctx())
        .await
    {
        Err(EngineError::Invalid(errors)) => assert_eq!(errors[0].field, "reason"),
        other => panic!("{other:?}"),
    }

    engine
        .merge_entities(
            &analyst,
            kept.id,
            twin.id,
            "Même personne : date de naissance inversée dans la procédure 2026/881",
            &ctx(),
        )
        .await
        .unwrap();
    // Shown as one, each value saying which record it came from; the twin's phone is the kept
    // one's now; the twin's page says where it went.
    let view = consult(engine, &police, kept.id).await;
    assert_eq!(
        values_of(&view, "birthDate"),
        ["1990-04-12 (fiche)", "1990-12-04 (fiche fusionnée)"]
    );
    assert_eq!(values_of(&view, "alias"), ["Tonton (fiche fusionnée)"]);
    assert_eq!(view.merges.len(), 1);
    assert!(view.merges[0].active);
    let via_twin = view.links.iter().find(|l| l.other.id == phone.id).unwrap();
    assert_eq!(via_twin.via, Some(twin.id));
    let twin_view = consult(engine, &police, twin.id).await;
    assert_eq!(twin_view.merged_into.as_ref().map(|k| k.id), Some(kept.id));
    // No second merge of the same record, nor into a merged one; no more suggestion of it.
    match engine
        .merge_entities(&analyst, stranger.id, twin.id, "autre essai", &ctx())
        .await
    {
        Err(EngineError::Invalid(errors)) => assert!(errors[0].message.contains("déjà fusionnée")),
        other => panic!("{other:?}"),
    }
    match engine
        .merge_entities(&analyst, twin.id, stranger.id, "autre essai", &ctx())
        .await
    {
        Err(EngineError::Invalid(errors)) => assert_eq!(errors[0].field, "kept"),
        other => panic!("{other:?}"),
    }
    let again = engine
        .merge_suggestions(&analyst, kept.id, "recherche de doublons", &ctx())
        .await
        .unwrap();
    assert!(again.suggestions.iter().all(|s| s.candidate.id != twin.id));

    // Taken back: apart again, exactly as before, with both decisions in the history.
    engine
        .undo_merge(
            &analyst,
            twin.id,
            "Erreur : deux frères, cf. état civil",
            &ctx(),
        )
        .await
        .unwrap();
    let view = consult(engine, &police, kept.id).await;
    assert_eq!(values_of(&view, "birthDate"), ["1990-04-12 (fiche)"]);
    assert!(view.links.iter().all(|l| l.other.id != phone.id));
    assert_eq!(view.merges.len(), 1);
    assert!(!view.merges[0].active);
    assert_eq!(
        view.merges[0]
            .history
            .iter()
            .map(|e| e.merged)
            .collect::<Vec<_>>(),
        [true, false]
    );
    assert!(consult(engine, &police, twin.id)
        .await
        .merged_into
        .is_none());
    assert!(matches!(
        engine
            .undo_merge(&analyst, twin.id, "encore une fois", &ctx())
            .await,
        Err(EngineError::Invalid(_))
    ));

    // Both decisions are journaled, naming the two records.
    let entries = engine
        .journal_page(
            &auditor,
            &JournalQuery {
                action: Some(JournalAction::Modify),
                limit: 20,
                ..JournalQuery::default()
            },
            &ctx(),
        )
        .await
        .unwrap();
    let objects: Vec<&str> = entries
        .entries
        .iter()
        .map(|e| e.draft.object.as_str())
        .collect();
    assert!(objects.contains(&format!("entity:{}:merged-into:{}", twin.id, kept.id).as_str()));
    assert!(objects.contains(&format!("entity:{}:unmerged-from:{}", twin.id, kept.id).as_str()));
}

#[tokio::test]
async fn the_demo_shows_a_graded_alias_a_contradiction_and_a_duplicate_to_merge() {
    let fixture = demo().await;
    let engine = &fixture.engine;
    let data = vigie_synth::generate(&vigie_synth::SynthOptions {
        seed: 42,
        people: 60,
        recorded_at: time::macros::datetime!(2026-11-23 09:00 UTC),
    });
    engine.seed_intel(42, &data, 300, &|_, _| {}).await.unwrap();
    let seeded = engine.seed_demo_facts(42).await.unwrap();
    assert_eq!(seeded.facts, 2);
    let (person, duplicate) = (seeded.person.unwrap(), seeded.duplicate.unwrap());

    let (police, _) = login(&fixture, "agent.marseille").await;
    let view = consult(engine, &police, person).await;
    let alias = values_of(&view, "alias");
    assert!(
        alias
            .iter()
            .any(|a| a.starts_with("Le Comptable (élément ")),
        "{alias:?}"
    );
    let births = values_of(&view, "birthDate");
    assert_eq!(births.len(), 2, "{births:?}");
    assert!(births[1].ends_with("(Fiche de signalement BR Aubagne 2026/4411 C3)"));

    let (analyst, _) = login(&fixture, "analyste.cross13").await;
    let found = engine
        .merge_suggestions(&analyst, person, "revue des doublons", &ctx())
        .await
        .unwrap();
    let suggestion = found
        .suggestions
        .iter()
        .find(|s| s.candidate.id == duplicate)
        .expect("the duplicate is suggested");
    assert!(suggestion.strong, "{suggestion:?}");
}
