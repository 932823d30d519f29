//! The target file through the engine: registration by investigating units only, notices to both
//! sides that name the other unit and its contact but never the other file, variants of a person,
//! identifiers added later, checks and the probing alert, bulk registration all or nothing, expiry.

use crate::support::{ctx, demo, login};
use vigie_engine::{EngineError, PROBE_LIMIT_PER_HOUR};
use vigie_targets::{IdentifierDraft, MatchKind, PersonDraft, TargetDraft};

fn identifier(kind: &str, value: &str) -> IdentifierDraft {
    IdentifierDraft {
        kind: kind.to_owned(),
        value: value.to_owned(),
    }
}

fn target(
    procedure: &str,
    person: Option<(&str, &str, &str)>,
    identifiers: Vec<IdentifierDraft>,
) -> TargetDraft {
    TargetDraft {
        procedure: procedure.to_owned(),
        regime: "judicial".to_owned(),
        magistrate_unit: None,
        magistrate_name: Some("JIRS de Marseille, Mme Roche".to_owned()),
        contact_name: "Capitaine Roux".to_owned(),
        contact_phone: "04 91 00 00 01".to_owned(),
        person: person.map(|(surname, given, date)| PersonDraft {
            surname: surname.to_owned(),
            given_names: given.to_owned(),
            aliases: vec!["le Boss".to_owned()],
            birth_date: Some(date.to_owned()),
            birth_place: Some("Marseille".to_owned()),
        }),
        identifiers,
    }
}

#[tokio::test]
async fn two_units_on_the_same_person_are_both_told_without_seeing_each_other() {
    let fixture = demo().await;
    let engine = &fixture.engine;
    let (gendarme, _) = login(&fixture, "agent.gendarmerie").await;
    let (douanier, _) = login(&fixture, "agent.douane").await;
    let (police, _) = login(&fixture, "agent.marseille").await;

    let first = engine
        .register_target(
            &gendarme,
            target(
                "SR-2026-041",
                Some(("Ben Salah", "Mohammed", "1991-04-07")),
                vec![identifier("phone", "06 11 22 33 44")],
            ),
            &ctx(),
        )
        .await
        .unwrap();
    assert!(first.notices.is_empty(), "nobody else works on it yet");

    // Customs registers the same man, spelled differently, day and month swapped, and another phone.
    fixture.clock.advance(time::Duration::hours(2));
    let second = engine
        .register_target(
            &douanier,
            target(
                "DNRED-77",
                Some(("BENSALAH", "Mohamed", "1991-07-04")),
                vec![identifier("phone", "+33 7 00 00 00 01")],
            ),
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(second.notices.len(), 1);
    let notice = &second.notices[0];
    assert_eq!(notice.other_unit, gendarme.unit.id);
    assert_eq!(notice.contact_name, "Capitaine Roux");
    assert_eq!(notice.contact_phone, "+33491000001");
    assert_eq!(
        notice.magistrate.as_deref(),
        Some("JIRS de Marseille, Mme Roche")
    );
    assert!(notice.other_is_earlier);
    assert_eq!(notice.matches, [MatchKind::PersonVariant]);
    let shown = format!("{notice:?}");
    assert!(
        !shown.contains("06 11")
            && !shown.contains("+33611223344")
            && !shown.contains("SR-2026-041"),
        "{shown}"
    );

    // The gendarmes see the later unit in their inbox, and on their target's page.
    let inbox = engine
        .deconfliction_notices(&gendarme, &ctx())
        .await
        .unwrap();
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].other_unit, douanier.unit.id);
    assert!(!inbox[0].other_is_earlier);
    assert_eq!(inbox[0].own_target, Some(first.target.id));
    let (_, notices) = engine
        .unit_target(&gendarme, first.target.id, &ctx())
        .await
        .unwrap();
    assert_eq!(notices.len(), 1);

    // Another unit's target is as missing as a made-up one.
    assert!(matches!(
        engine.unit_target(&police, first.target.id, &ctx()).await,
        Err(EngineError::NotFound)
    ));

    // Customs adds the gendarmes' phone later: the notice now names both ways of meeting.
    fixture.clock.advance(time::Duration::hours(1));
    let added = engine
        .add_target_identifiers(
            &douanier,
            second.target.id,
            vec![identifier("phone", "0611223344")],
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(added.notices.len(), 1);
    assert_eq!(
        added.notices[0].matches,
        [
            MatchKind::Identifier(vigie_targets::IdentifierKind::Phone),
            MatchKind::PersonVariant
        ]
    );

    // The unit list counts conflicts per target.
    let listed = engine.unit_targets(&gendarme, &ctx()).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].conflicts, 1);

    // Ending the procedure erases the target: both inboxes empty.
    engine
        .end_target(&douanier, second.target.id, "procédure clôturée", &ctx())
        .await
        .unwrap();
    assert!(engine
        .deconfliction_notices(&gendarme, &ctx())
        .await
        .unwrap()
        .is_empty());
    assert!(engine
        .unit_targets(&douanier, &ctx())
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn only_investigating_units_use_the_target_file() {
    let fixture = demo().await;
    for username in [
        "analyste.cross",
        "magistrat.jirs",
        "auditeur",
        "admin",
        "partenaire.bailleur",
    ] {
        let Some(password) =
            Some(crate::support::DEMO_PASSWORD_OF(username)).filter(|p| !p.is_empty())
        else {
            continue;
        };
        let grant = fixture
            .engine
            .login(username, &password, &ctx())
            .await
            .unwrap();
        let actor = fixture.engine.authenticate(&grant.token).await.unwrap();
        assert!(
            matches!(
                fixture
                    .engine
                    .register_target(
                        &actor,
                        target("X", None, vec![identifier("plate", "AB-123-CD")]),
                        &ctx()
                    )
                    .await,
                Err(EngineError::Forbidden)
            ),
            "{username}"
        );
        assert!(matches!(
            fixture.engine.deconfliction_notices(&actor, &ctx()).await,
            Err(EngineError::Forbidden)
        ));
    }
}

#[tokio::test]
async fn bad_targets_are_refused_by_field_and_bulk_is_all_or_nothing() {
    let fixture = demo().await;
    let engine = &fixture.engine;
    let (police, _) = login(&fixture, "agent.marseille").await;
    match engine
        .register_target(
            &police,
            target(
                "P-1",
                None,
                vec![identifier("iban", "FR76 3000 6000 0112 3456 7890 188")],
            ),
            &ctx(),
        )
        .await
    {
        Err(EngineError::Invalid(errors)) => {
            assert_eq!(errors[0].field, "identifiers[0].value");
            assert!(
                errors[0].message.contains("IBAN invalide"),
                "{}",
                errors[0].message
            );
        }
        other => panic!("{other:?}"),
    }
    let good = target("P-2", None, vec![identifier("plate", "AB-123-CD")]);
    let bad = target("P-3", None, vec![identifier("plate", "AB-123-OU")]);
    match engine
        .register_targets_bulk(&police, vec![good.clone(), bad], &ctx())
        .await
    {
        Err(EngineError::Invalid(errors)) => {
            assert_eq!(errors[0].field, "[1].identifiers[0].value")
        }
        other => panic!("{other:?}"),
    }
    assert!(
        engine
            .unit_targets(&police, &ctx())
            .await
            .unwrap()
            .is_empty(),
        "nothing written"
    );
    let done = engine
        .register_targets_bulk(&police, vec![good.clone(), good], &ctx())
        .await
        .unwrap();
    assert_eq!(done.registered, 2);
    assert_eq!(
        done.with_conflicts, 0,
        "a unit does not conflict with itself"
    );
    assert_eq!(engine.unit_targets(&police, &ctx()).await.unwrap().len(), 2);
}

#[tokio::test]
async fn checks_find_without_registering_and_probing_alerts_the_inspection() {
    let fixture = demo().await;
    let engine = &fixture.engine;
    let (gendarme, _) = login(&fixture, "agent.gendarmerie").await;
    let (police, _) = login(&fixture, "agent.marseille").await;
    let (auditor, _) = login(&fixture, "auditeur").await;
    engine
        .register_target(
            &gendarme,
            target("SR-1", None, vec![identifier("plate", "GH-456-JK")]),
            &ctx(),
        )
        .await
        .unwrap();
    let hit = engine
        .check_deconfliction(&police, None, vec![identifier("plate", "gh456jk")], &ctx())
        .await
        .unwrap();
    assert_eq!(hit.notices.len(), 1);
    assert_eq!(hit.notices[0].other_unit, gendarme.unit.id);
    assert!(
        engine
            .unit_targets(&police, &ctx())
            .await
            .unwrap()
            .is_empty(),
        "a check registers nothing"
    );

    assert!(engine
        .probe_alerts(&auditor, &ctx())
        .await
        .unwrap()
        .is_empty());
    // One check above; the limit is reached exactly, then passed by one.
    let request = ctx();
    let check = |n: usize| {
        engine.check_deconfliction(
            &police,
            None,
            vec![identifier(
                "phone",
                &format!("06 00 00 {:02} {:02}", n / 100, n % 100),
            )],
            &request,
        )
    };
    for n in 1..PROBE_LIMIT_PER_HOUR {
        check(n).await.unwrap();
    }
    assert!(
        engine
            .probe_alerts(&auditor, &ctx())
            .await
            .unwrap()
            .is_empty(),
        "{PROBE_LIMIT_PER_HOUR} checks in an hour are allowed"
    );
    check(PROBE_LIMIT_PER_HOUR).await.unwrap();
    check(PROBE_LIMIT_PER_HOUR + 1).await.unwrap();
    let alerts = engine.probe_alerts(&auditor, &ctx()).await.unwrap();
    assert_eq!(alerts.len(), 1, "one alert per account and hour");
    assert_eq!(alerts[0].account, format!("account:{}", police.account.id));
    assert_eq!(alerts[0].checks, PROBE_LIMIT_PER_HOUR + 1);
    assert!(matches!(
        engine.probe_alerts(&police, &ctx()).await,
        Err(EngineError::Forbidden)
    ));
}

#[tokio::test]
async fn targets_expire_after_two_years_unless_renewed() {
    let fixture = demo().await;
    let engine = &fixture.engine;
    let (gendarme, _) = login(&fixture, "agent.gendarmerie").await;
    let (douanier, _) = login(&fixture, "agent.douane").await;
    let kept = engine
        .register_target(
            &gendarme,
            target("SR-9", None, vec![identifier("phone", "0612121212")]),
            &ctx(),
        )
        .await
        .unwrap();
    let dropped = engine
        .register_target(
            &douanier,
            target("D-9", None, vec![identifier("phone", "0612121212")]),
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(dropped.notices.len(), 1);
    fixture.clock.advance(time::Duration::days(700));
    assert!(matches!(
        engine
            .renew_target(&gendarme, kept.target.id, "court", &ctx())
            .await,
        Err(EngineError::Invalid(_))
    ));
    engine
        .renew_target(
            &gendarme,
            kept.target.id,
            "Commission rogatoire prolongée",
            &ctx(),
        )
        .await
        .unwrap();
    fixture.clock.advance(time::Duration::days(31));
    assert_eq!(engine.expire_targets(1_000).await.unwrap(), 1);
    assert!(engine
        .unit_targets(&douanier, &ctx())
        .await
        .unwrap()
        .is_empty());
    let (view, notices) = engine
        .unit_target(&gendarme, kept.target.id, &ctx())
        .await
        .unwrap();
    assert!(
        notices.is_empty(),
        "the expired target no longer meets anyone"
    );
    assert_eq!(view.file.renewals.len(), 1);
}
