//! Residents' and partners' reports through the engine: the proof of work, routing to the CROSS,
//! the hour-long batch, the receipt, triage with motivations, dealing points and resurgence, and
//! what each role may see.

use crate::support::*;
use vigie_engine::{
    EngineError, NewPoint, PointChange, Proof, QueueFilter, ReportPurge,
    CLOSED_REPORT_RETENTION_DAYS,
};
use vigie_reports::pow::{self, Challenge};
use vigie_reports::{Category, Pin, PointStatus, ReportDraft, ReportStatus, ReporterStatus};

/// Solves a challenge token as the browser does (the test knows no key: it reads the token).
fn solve(token: &str) -> u64 {
    let parts: Vec<&str> = token.split('.').collect();
    pow::solve(&Challenge {
        nonce: parts[0].to_owned(),
        bits: parts[1].parse().unwrap(),
        expires_at_micros: parts[2].parse().unwrap(),
    })
}

fn proof(fixture: &Fixture) -> Proof {
    let challenge = fixture.engine.report_challenge().unwrap();
    Proof {
        solution: solve(&challenge.token),
        token: challenge.token,
    }
}

fn draft(commune: Option<&str>, pin: Option<(f64, f64)>, text: &str) -> ReportDraft {
    ReportDraft {
        category: Category::FixedSale,
        commune: commune.map(str::to_owned),
        place: "Pied du bâtiment B, cité des Lauriers".to_owned(),
        pin: pin.map(|(lat, lon)| Pin { lat, lon }),
        days: vec![vigie_reports::Weekday::Friday],
        slots: vec![vigie_reports::TimeSlot::Evening],
        since: vigie_reports::Since::Weeks,
        description: text.to_owned(),
        people: Some(4),
        vehicles: String::new(),
    }
}

const LAURIERS: (f64, f64) = (43.3302, 5.4143);

async fn submit(fixture: &Fixture, draft: ReportDraft) -> String {
    fixture
        .engine
        .submit_public_report(proof(fixture), draft, Vec::new(), &ctx())
        .await
        .unwrap()
        .digits()
        .to_owned()
}

fn hour_later(fixture: &Fixture) {
    fixture.clock.advance(time::Duration::minutes(61));
}

#[tokio::test]
async fn a_residents_report_needs_a_solved_unused_proof_of_work() {
    let fixture = demo().await;
    let engine = &fixture.engine;
    let text = "Vente tous les soirs devant le hall, guetteurs à l'entrée.";
    let challenge = engine.report_challenge().unwrap();
    assert_eq!(challenge.bits, 16, "no flood: the base difficulty");
    let unsolved = (0..)
        .find(|n| !pow::check(&parse(&challenge.token), *n))
        .unwrap();
    let refused = engine
        .submit_public_report(
            Proof {
                token: challenge.token.clone(),
                solution: unsolved,
            },
            draft(Some("13055"), None, text),
            Vec::new(),
            &ctx(),
        )
        .await;
    assert!(
        matches!(&refused, Err(EngineError::ProofOfWork(message)) if message.contains("pas résolue")),
        "{refused:?}"
    );
    let forged = engine
        .submit_public_report(
            Proof {
                token: challenge.token.replace(".16.", ".1."),
                solution: 0,
            },
            draft(Some("13055"), None, text),
            Vec::new(),
            &ctx(),
        )
        .await;
    assert!(
        matches!(forged, Err(EngineError::ProofOfWork(_))),
        "{forged:?}"
    );

    let solved = Proof {
        solution: solve(&challenge.token),
        token: challenge.token,
    };
    let code = engine
        .submit_public_report(
            solved.clone(),
            draft(Some("13055"), None, text),
            Vec::new(),
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(code.digits().len(), 16);
    let again = engine
        .submit_public_report(solved, draft(Some("13055"), None, text), Vec::new(), &ctx())
        .await;
    assert!(
        matches!(&again, Err(EngineError::ProofOfWork(message)) if message.contains("invalide")),
        "a proof is spent once: {again:?}"
    );

    // Expired after ten minutes.
    let late = proof(&fixture);
    fixture.clock.advance(time::Duration::minutes(11));
    let expired = engine
        .submit_public_report(late, draft(Some("13055"), None, text), Vec::new(), &ctx())
        .await;
    assert!(
        matches!(&expired, Err(EngineError::ProofOfWork(message)) if message.contains("expiré")),
        "{expired:?}"
    );
}

fn parse(token: &str) -> Challenge {
    let parts: Vec<&str> = token.split('.').collect();
    Challenge {
        nonce: parts[0].to_owned(),
        bits: parts[1].parse().unwrap(),
        expires_at_micros: parts[2].parse().unwrap(),
    }
}

#[tokio::test]
async fn bad_reports_are_refused_field_by_field_and_nothing_is_written() {
    let fixture = demo().await;
    let engine = &fixture.engine;
    let before = engine.check().await.unwrap();
    let mut bad = draft(None, None, "court");
    bad.category = Category::OnlineSale;
    let refused = engine
        .submit_public_report(proof(&fixture), bad, Vec::new(), &ctx())
        .await;
    let Err(EngineError::Invalid(errors)) = refused else {
        panic!("{refused:?}");
    };
    let fields: Vec<&str> = errors.iter().map(|error| error.field.as_str()).collect();
    assert!(fields.contains(&"category"), "{fields:?}");
    assert!(fields.contains(&"commune"), "{fields:?}");
    assert!(fields.contains(&"description"), "{fields:?}");
    assert!(errors.iter().any(|error| error.message.contains("PHAROS")));

    let unknown = engine
        .submit_public_report(
            proof(&fixture),
            draft(Some("99999"), None, "Un point de vente très actif le soir."),
            Vec::new(),
            &ctx(),
        )
        .await;
    assert!(
        matches!(&unknown, Err(EngineError::Invalid(errors)) if errors[0].field == "commune"),
        "{unknown:?}"
    );
    let photo = engine
        .submit_public_report(
            proof(&fixture),
            draft(Some("13055"), None, "Un point de vente très actif le soir."),
            vec![b"not a photo".to_vec()],
            &ctx(),
        )
        .await;
    assert!(
        matches!(&photo, Err(EngineError::Invalid(errors)) if errors[0].field == "photos[0]"),
        "{photo:?}"
    );
    assert_eq!(engine.check().await.unwrap().counts, before.counts);
}

#[tokio::test]
async fn a_report_reaches_its_cross_after_its_hour_and_no_one_else() {
    let fixture = demo().await;
    let engine = &fixture.engine;
    let (cross13, _) = login(&fixture, "analyste.cross13").await;
    let (cross75, _) = login(&fixture, "analyste.cross-75").await;
    let (ofast, _) = login(&fixture, "analyste.ofast").await;
    let (police, _) = login(&fixture, "agent.marseille").await;
    let (partner, _) = login(&fixture, "partenaire.bailleur").await;
    submit(
        &fixture,
        draft(
            None,
            Some(LAURIERS),
            "Vente de résine devant le hall B tous les soirs.",
        ),
    )
    .await;
    let queue = |actor| async move {
        engine
            .report_queue(actor, &QueueFilter::default(), &ctx())
            .await
    };
    assert!(
        queue(&cross13).await.unwrap().is_empty(),
        "held until the end of its hour"
    );
    hour_later(&fixture);
    let seen = queue(&cross13).await.unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].departement.as_deref(), Some("13"));
    assert_eq!(seen[0].commune_name.as_deref(), Some("Marseille"));
    assert_eq!(
        seen[0].received_at.minute(),
        0,
        "only the hour is kept: {}",
        seen[0].received_at
    );
    assert_eq!(queue(&ofast).await.unwrap().len(), 1);
    assert!(queue(&cross75).await.unwrap().is_empty());
    assert!(matches!(queue(&police).await, Err(EngineError::Forbidden)));
    assert!(matches!(queue(&partner).await, Err(EngineError::Forbidden)));
    let id = seen[0].id;
    assert!(matches!(
        engine.report(&cross75, id, "vérification", &ctx()).await,
        Err(EngineError::NotFound)
    ));
    assert!(matches!(
        engine.report(&cross13, id, "", &ctx()).await,
        Err(EngineError::MotifRequired)
    ));
    let detail = engine
        .report(&cross13, id, "qualification du signalement", &ctx())
        .await
        .unwrap();
    assert!(detail.report.draft.description.contains("résine"));
    let journal = engine
        .journal_page(
            &login(&fixture, "auditeur").await.0,
            &vigie_engine::JournalQuery {
                object: Some(format!("report:{id}")),
                limit: 10,
                ..Default::default()
            },
            &ctx(),
        )
        .await
        .unwrap();
    assert!(journal
        .entries
        .iter()
        .any(|entry| entry.draft.motif == "qualification du signalement"));
}

#[tokio::test]
async fn an_unlocatable_report_goes_to_the_national_queue() {
    let fixture = demo().await;
    let engine = &fixture.engine;
    submit(
        &fixture,
        draft(
            None,
            Some((43.0, 5.0)),
            "Un bateau décharge des colis la nuit au large.",
        ),
    )
    .await;
    hour_later(&fixture);
    let (cross13, _) = login(&fixture, "analyste.cross13").await;
    let (ofast, _) = login(&fixture, "analyste.ofast").await;
    let all = QueueFilter::default();
    assert!(engine
        .report_queue(&cross13, &all, &ctx())
        .await
        .unwrap()
        .is_empty());
    let national = QueueFilter {
        area: Some(vigie_engine::NATIONAL_AREA.to_owned()),
        ..QueueFilter::default()
    };
    let seen = engine
        .report_queue(&ofast, &national, &ctx())
        .await
        .unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].departement, None);
}

#[tokio::test]
async fn the_receipt_shows_a_coarse_status_and_the_cross_messages_never_the_text() {
    let fixture = demo().await;
    let engine = &fixture.engine;
    let code = submit(
        &fixture,
        draft(
            Some("13055"),
            None,
            "Vente de cocaïne au 3e étage, porte de gauche.",
        ),
    )
    .await;
    let grouped = format!(
        "{} {} {} {}",
        &code[0..4],
        &code[4..8],
        &code[8..12],
        &code[12..16]
    );
    let view = engine.receipt_status(&grouped, &ctx()).await.unwrap();
    assert_eq!(view.status, ReporterStatus::Received);
    assert!(view.messages.is_empty());

    hour_later(&fixture);
    let (cross13, _) = login(&fixture, "analyste.cross13").await;
    let id = engine
        .report_queue(&cross13, &QueueFilter::default(), &ctx())
        .await
        .unwrap()[0]
        .id;
    let refused = engine
        .change_report_status(&cross13, id, ReportStatus::ToQualify, "  ", None, &ctx())
        .await;
    assert!(
        matches!(refused, Err(EngineError::Invalid(_))),
        "{refused:?}"
    );
    engine
        .change_report_status(
            &cross13,
            id,
            ReportStatus::ToQualify,
            "Adresse précise, à recouper avec la SD",
            None,
            &ctx(),
        )
        .await
        .unwrap();
    engine
        .add_report_note(
            &cross13,
            id,
            "Peut-être le même que le point des Lauriers",
            &ctx(),
        )
        .await
        .unwrap();
    engine
        .send_report_message(
            &cross13,
            id,
            "Merci. Les ventes ont-elles lieu le week-end ?",
            &ctx(),
        )
        .await
        .unwrap();

    let view = engine.receipt_status(&code, &ctx()).await.unwrap();
    assert_eq!(view.status, ReporterStatus::InProgress);
    assert_eq!(view.messages.len(), 1);
    assert!(view.messages[0].1.contains("week-end"));
    engine
        .add_to_report(&code, "Oui, surtout le samedi soir.", &ctx())
        .await
        .unwrap();
    let view = engine.receipt_status(&code, &ctx()).await.unwrap();
    assert_eq!(view.additions, 1);
    assert_eq!(
        view.messages.len(),
        1,
        "the reporter's own text is not shown back"
    );

    let detail = engine
        .report(&cross13, id, "lecture du complément", &ctx())
        .await
        .unwrap();
    assert_eq!(detail.report.history.len(), 1);
    assert_eq!(detail.report.history[0].by, "analyste.cross13");
    assert_eq!(detail.report.notes.len(), 1);
    assert_eq!(detail.report.messages.len(), 2);

    let wrong = engine.receipt_status("0000 0000 0000 0000", &ctx()).await;
    assert!(matches!(wrong, Err(EngineError::NotFound)), "{wrong:?}");
    let malformed = engine.receipt_status("1234", &ctx()).await;
    assert!(
        matches!(malformed, Err(EngineError::Invalid(_))),
        "{malformed:?}"
    );

    // Access ends 90 days after the last use.
    fixture.clock.advance(time::Duration::days(91));
    let expired = engine.receipt_status(&code, &ctx()).await;
    assert!(matches!(expired, Err(EngineError::NotFound)), "{expired:?}");
}

#[tokio::test]
async fn partners_follow_their_own_reports_and_read_a_digest_with_small_counts_withheld() {
    let fixture = demo().await;
    let engine = &fixture.engine;
    let (partner, _) = login(&fixture, "partenaire.bailleur").await;
    let (cross13, _) = login(&fixture, "analyste.cross13").await;
    let id = engine
        .submit_partner_report(
            &partner,
            draft(
                Some("13055"),
                Some(LAURIERS),
                "Squat au rez-de-chaussée utilisé comme nourrice.",
            ),
            Vec::new(),
            &ctx(),
        )
        .await
        .unwrap();
    let own = engine.partner_reports(&partner, &ctx()).await.unwrap();
    assert_eq!(own.len(), 1);
    assert_eq!(own[0].status, ReporterStatus::Received);
    // A partner's report is in the queue at once (the partner is identified anyway).
    let queue = engine
        .report_queue(&cross13, &QueueFilter::default(), &ctx())
        .await
        .unwrap();
    assert_eq!(queue.iter().filter(|summary| summary.id == id).count(), 1);
    assert!(!queue[0].public);
    engine
        .change_report_status(
            &cross13,
            id,
            ReportStatus::PassedToService,
            "Transmis à la SD 13",
            None,
            &ctx(),
        )
        .await
        .unwrap();
    engine
        .send_report_message(&cross13, id, "Transmis au service compétent.", &ctx())
        .await
        .unwrap();
    let own = engine.partner_reports(&partner, &ctx()).await.unwrap();
    assert_eq!(own[0].status, ReporterStatus::Processed);
    assert_eq!(own[0].messages.len(), 1);

    let digest = engine.partner_digest(&partner, &ctx()).await.unwrap();
    let marseille = digest.iter().find(|row| row.commune == "13055").unwrap();
    assert_eq!(marseille.reports.to_string(), "moins de 5");
    assert_eq!(marseille.points.to_string(), "moins de 5");

    // Live dealing points are counted per commune once there are five, never placed.
    let marseille_points = |digest: &[vigie_engine::DigestRow]| {
        digest
            .iter()
            .find(|row| row.commune == "13055")
            .unwrap()
            .points
            .to_string()
    };
    for n in 0..5 {
        let point = engine
            .create_point(
                &cross13,
                NewPoint {
                    label: format!("Point {n}"),
                    pin: Pin {
                        lat: LAURIERS.0 + 0.002 * f64::from(n),
                        lon: LAURIERS.1,
                    },
                    from_report: None,
                },
                &ctx(),
            )
            .await
            .unwrap();
        let digest = engine.partner_digest(&partner, &ctx()).await.unwrap();
        assert_eq!(
            marseille_points(&digest),
            "moins de 5",
            "{n} confirmed, one reported"
        );
        engine
            .update_point(
                &cross13,
                point,
                PointChange::Status {
                    to: PointStatus::Confirmed,
                    motivation: "Observation".to_owned(),
                },
                &ctx(),
            )
            .await
            .unwrap();
    }
    let digest = engine.partner_digest(&partner, &ctx()).await.unwrap();
    assert_eq!(marseille_points(&digest), "5");
    assert!(matches!(
        engine.report(&partner, id, "curiosité", &ctx()).await,
        Err(EngineError::Forbidden)
    ));
    assert!(matches!(
        engine.points_map(&partner, None, &ctx()).await,
        Err(EngineError::Forbidden)
    ));
}

#[tokio::test]
async fn points_are_created_from_reports_followed_through_their_lifecycle_and_flagged_resurgent() {
    let fixture = demo().await;
    let engine = &fixture.engine;
    let (cross13, _) = login(&fixture, "analyste.cross13").await;
    let (police, _) = login(&fixture, "agent.marseille").await;
    let (customs, _) = login(&fixture, "agent.douane").await;
    submit(
        &fixture,
        draft(
            None,
            Some(LAURIERS),
            "Vente de résine devant le hall B le soir.",
        ),
    )
    .await;
    hour_later(&fixture);
    let first = engine
        .report_queue(&cross13, &QueueFilter::default(), &ctx())
        .await
        .unwrap()[0]
        .id;
    let point = engine
        .create_point(
            &cross13,
            NewPoint {
                label: "Cité des Lauriers, hall B".to_owned(),
                pin: Pin {
                    lat: LAURIERS.0,
                    lon: LAURIERS.1,
                },
                from_report: Some(first),
            },
            &ctx(),
        )
        .await
        .unwrap();
    let detail = engine
        .report(&cross13, first, "suivi", &ctx())
        .await
        .unwrap();
    assert_eq!(detail.report.status, ReportStatus::Attached);
    assert_eq!(detail.report.point, Some(point));

    // A second report 60 m away proposes the point as a candidate.
    submit(
        &fixture,
        draft(
            None,
            Some((43.3307, 5.4146)),
            "Guetteurs et vente au hall B des Lauriers.",
        ),
    )
    .await;
    hour_later(&fixture);
    let second = engine
        .report_queue(&cross13, &QueueFilter::default(), &ctx())
        .await
        .unwrap()
        .into_iter()
        .find(|summary| summary.id != first)
        .unwrap()
        .id;
    let detail = engine
        .report(&cross13, second, "qualification", &ctx())
        .await
        .unwrap();
    assert_eq!(detail.candidates.len(), 1);
    assert_eq!(detail.candidates[0].id, point);
    assert!(detail.candidates[0].distance_m.unwrap() < 100.0);
    assert!(detail.nearby.iter().any(|nearby| nearby.id == first));

    let map = engine.points_map(&police, None, &ctx()).await.unwrap();
    assert_eq!(
        map.len(),
        1,
        "the services of the département see its points"
    );
    assert!(engine
        .points_map(&customs, None, &ctx())
        .await
        .unwrap()
        .is_empty());
    assert!(matches!(
        engine
            .update_point(
                &police,
                point,
                PointChange::Status {
                    to: PointStatus::Confirmed,
                    motivation: "vu".to_owned()
                },
                &ctx()
            )
            .await,
        Err(EngineError::Forbidden)
    ));

    for (to, why) in [
        (
            PointStatus::Confirmed,
            "Surveillance du 20/11 : ventes constatées",
        ),
        (PointStatus::Active, "Ventes quotidiennes"),
        (
            PointStatus::Dismantled,
            "Opération du 24/11 : 6 interpellations",
        ),
    ] {
        engine
            .update_point(
                &cross13,
                point,
                PointChange::Status {
                    to,
                    motivation: why.to_owned(),
                },
                &ctx(),
            )
            .await
            .unwrap();
    }
    let refused = engine
        .update_point(
            &cross13,
            point,
            PointChange::Status {
                to: PointStatus::Reported,
                motivation: "retour".to_owned(),
            },
            &ctx(),
        )
        .await;
    assert!(
        matches!(refused, Err(EngineError::Invalid(_))),
        "{refused:?}"
    );

    // Two independent reports (different days) near the dismantled point: flagged, not moved.
    fixture.clock.advance(time::Duration::days(3));
    submit(
        &fixture,
        draft(
            None,
            Some((43.3300, 5.4140)),
            "Ça revend au hall B depuis hier.",
        ),
    )
    .await;
    hour_later(&fixture);
    let map = engine
        .points_map(&cross13, Some("13"), &ctx())
        .await
        .unwrap();
    assert!(!map[0].resurgence_suspected, "one report is not enough");
    fixture.clock.advance(time::Duration::days(1));
    submit(
        &fixture,
        draft(
            None,
            Some((43.3304, 5.4147)),
            "De nouveau des guetteurs le soir.",
        ),
    )
    .await;
    hour_later(&fixture);
    let map = engine
        .points_map(&cross13, Some("13"), &ctx())
        .await
        .unwrap();
    assert!(map[0].resurgence_suspected);
    let view = engine.point(&cross13, point, &ctx()).await.unwrap();
    assert_eq!(view.point.status, PointStatus::Dismantled);
    assert!(view.resurgence_suspected);
    assert_eq!(view.point.history.len(), 3);

    // The CROSS of the 13 and OFAST are told on their overview; the CROSS of the 75 is not, and
    // an agent has no overview.
    let overview = engine.triage_overview(&cross13, &ctx()).await.unwrap();
    assert_eq!(
        overview
            .resurgences
            .iter()
            .map(|alert| alert.point)
            .collect::<Vec<_>>(),
        vec![point]
    );
    assert_eq!(overview.resurgences[0].departement.as_deref(), Some("13"));
    assert!(overview.resurgences[0].dismantled_at_micros.is_some());
    assert_eq!(
        overview.new_reports, 3,
        "the second report and the two since the dismantling, still new"
    );
    let (ofast, _) = login(&fixture, "analyste.ofast").await;
    let national = engine.triage_overview(&ofast, &ctx()).await.unwrap();
    assert_eq!(national.resurgences.len(), 1);
    let (cross75, _) = login(&fixture, "analyste.cross-75").await;
    let paris = engine.triage_overview(&cross75, &ctx()).await.unwrap();
    assert!(paris.resurgences.is_empty());
    assert_eq!(paris.new_reports, 0);
    let (agent, _) = login(&fixture, "agent.marseille").await;
    assert!(matches!(
        engine.triage_overview(&agent, &ctx()).await,
        Err(EngineError::Forbidden)
    ));
}

#[tokio::test]
async fn closed_reports_receipts_and_spent_proofs_are_erased_when_their_time_is_up() {
    let fixture = demo().await;
    let engine = &fixture.engine;
    let (cross13, _) = login(&fixture, "analyste.cross13").await;
    let replayed = proof(&fixture);
    let mut codes = Vec::new();
    for (n, text) in [
        "Vente devant l'école le mercredi.",
        "Mon voisin deale, c'est sûr, il a une grosse voiture.",
        "Guetteurs au rond-point tous les soirs.",
    ]
    .into_iter()
    .enumerate()
    {
        let proof = if n == 0 {
            replayed.clone()
        } else {
            proof(&fixture)
        };
        codes.push(
            engine
                .submit_public_report(proof, draft(Some("13055"), None, text), Vec::new(), &ctx())
                .await
                .unwrap()
                .digits()
                .to_owned(),
        );
    }
    hour_later(&fixture);
    let queue = engine
        .report_queue(&cross13, &QueueFilter::default(), &ctx())
        .await
        .unwrap();
    assert_eq!(queue.len(), 3);
    let mut texts = Vec::new();
    for summary in &queue {
        let detail = engine
            .report(&cross13, summary.id, "qualification", &ctx())
            .await
            .unwrap();
        texts.push((detail.report.draft.description.clone(), summary.id));
    }
    let id_of = |word: &str| {
        texts
            .iter()
            .find(|(text, _)| text.contains(word))
            .unwrap()
            .1
    };
    let (school, neighbour, roundabout) = (id_of("école"), id_of("voisin"), id_of("rond-point"));
    for (id, to, why) in [
        (
            school,
            ReportStatus::NoFurtherAction,
            "Aucune vente constatée",
        ),
        (
            neighbour,
            ReportStatus::SuspectedMalicious,
            "Conflit de voisinage",
        ),
        (roundabout, ReportStatus::ToQualify, "À vérifier sur place"),
    ] {
        engine
            .change_report_status(&cross13, id, to, why, None, &ctx())
            .await
            .unwrap();
    }

    // An hour on: the challenges have expired, so their spent nonces go; nothing else does, and
    // a replayed proof is still refused.
    let purge = engine.expire_reports().await.unwrap();
    assert_eq!(
        purge,
        ReportPurge {
            nonces: 3,
            ..ReportPurge::default()
        }
    );
    let replay = engine
        .submit_public_report(
            replayed,
            draft(Some("13055"), None, "encore"),
            Vec::new(),
            &ctx(),
        )
        .await;
    assert!(
        matches!(replay, Err(EngineError::ProofOfWork(_))),
        "{replay:?}"
    );

    // 91 days without use: the receipts no longer open anything and are erased.
    fixture.clock.advance(time::Duration::days(91));
    let purge = engine.expire_reports().await.unwrap();
    assert_eq!((purge.receipts, purge.reports), (3, 0));
    assert!(matches!(
        engine.receipt_status(&codes[2], &ctx()).await,
        Err(EngineError::NotFound)
    ));

    // A year after their closing, the two reports closed without follow-up are erased; the one
    // still being qualified stays, and each erasure is journaled.
    fixture
        .clock
        .advance(time::Duration::days(CLOSED_REPORT_RETENTION_DAYS - 91 + 1));
    let purge = engine.expire_reports().await.unwrap();
    assert_eq!(purge.reports, 2);
    let all = QueueFilter {
        include_closed: true,
        ..QueueFilter::default()
    };
    let left: Vec<_> = engine
        .report_queue(&cross13, &all, &ctx())
        .await
        .unwrap()
        .into_iter()
        .map(|summary| summary.id)
        .collect();
    assert_eq!(left, vec![roundabout]);
    assert!(matches!(
        engine
            .report(&cross13, school, "vérification", &ctx())
            .await,
        Err(EngineError::NotFound)
    ));
    let (auditor, _) = login(&fixture, "auditeur").await;
    let erased = engine
        .journal_page(
            &auditor,
            &vigie_engine::JournalQuery {
                action: Some(vigie_core::journal::JournalAction::Erase),
                limit: 50,
                ..Default::default()
            },
            &ctx(),
        )
        .await
        .unwrap();
    let objects: Vec<&str> = erased
        .entries
        .iter()
        .map(|entry| entry.draft.object.as_str())
        .collect();
    assert!(
        objects.contains(&format!("report:{school}").as_str()),
        "{objects:?}"
    );
    assert!(objects.contains(&format!("report:{neighbour}").as_str()));
    assert!(objects.contains(&"pow-spent:3") && objects.contains(&"report-receipts:3"));
    assert!(engine.expire_reports().await.unwrap().is_empty());
}

#[tokio::test]
async fn without_javascript_a_resident_waits_instead_of_computing() {
    let fixture = demo().await;
    let engine = &fixture.engine;
    let text = "Vente le soir sous le porche, deux guetteurs.";
    let waited = |token: String| async move {
        engine
            .submit_public_report_waited(
                &token,
                draft(Some("13055"), None, text),
                Vec::new(),
                &ctx(),
            )
            .await
    };
    let challenge = engine.report_challenge().unwrap();
    let early = waited(challenge.token.clone()).await;
    assert!(
        matches!(&early, Err(EngineError::ProofOfWork(message)) if message.contains("30 secondes")),
        "{early:?}"
    );
    fixture.clock.advance(time::Duration::seconds(31));
    let code = waited(challenge.token.clone()).await.unwrap();
    assert_eq!(code.digits().len(), 16);
    let again = waited(challenge.token.clone()).await;
    assert!(
        matches!(&again, Err(EngineError::ProofOfWork(message)) if message.contains("invalide")),
        "a token is spent once, whichever the lane: {again:?}"
    );
    // The lanes share the token: one waited cannot then be solved, nor the reverse.
    let solved_then_waited = proof(&fixture);
    engine
        .submit_public_report(
            solved_then_waited.clone(),
            draft(Some("13055"), None, text),
            Vec::new(),
            &ctx(),
        )
        .await
        .unwrap();
    fixture.clock.advance(time::Duration::seconds(31));
    assert!(matches!(
        waited(solved_then_waited.token.clone()).await,
        Err(EngineError::ProofOfWork(_))
    ));
}

#[tokio::test]
async fn the_resurgence_rule_is_the_deployments_own() {
    // One source is enough here (the default asks for two: see the lifecycle test above).
    let dir = tempfile::tempdir().unwrap();
    let clock = std::sync::Arc::new(vigie_engine::ManualClock::new(
        time::macros::datetime!(2026-11-23 09:00 UTC),
    ));
    let config = vigie_engine::EngineConfig {
        resurgence: vigie_reports::ResurgenceRule {
            radius_m: 300.0,
            within_days: 30,
            min_reports: 1,
        },
        ..config_in(dir.path())
    };
    let engine = vigie_engine::Engine::open(config, clock.clone())
        .await
        .unwrap();
    engine.seed_synthetic(42, 60, &|_, _| {}).await.unwrap();
    let fixture = Fixture { engine, clock, dir };
    let engine = &fixture.engine;
    let (cross13, _) = login(&fixture, "analyste.cross13").await;
    let point = engine
        .create_point(
            &cross13,
            NewPoint {
                label: "Cité des Lauriers, hall B".to_owned(),
                pin: Pin {
                    lat: LAURIERS.0,
                    lon: LAURIERS.1,
                },
                from_report: None,
            },
            &ctx(),
        )
        .await
        .unwrap();
    for to in [PointStatus::Confirmed, PointStatus::Dismantled] {
        engine
            .update_point(
                &cross13,
                point,
                PointChange::Status {
                    to,
                    motivation: "Opération".to_owned(),
                },
                &ctx(),
            )
            .await
            .unwrap();
    }
    // 31 days on, past this deployment's delay: one report is not counted.
    fixture.clock.advance(time::Duration::days(31));
    submit(
        &fixture,
        draft(None, Some((43.3300, 5.4140)), "Ça revend au hall B."),
    )
    .await;
    hour_later(&fixture);
    let map = engine
        .points_map(&cross13, Some("13"), &ctx())
        .await
        .unwrap();
    assert!(!map[0].resurgence_suspected, "past the 30 days");
    // The same within the delay of a new dismantling: one source is enough.
    for to in [
        PointStatus::UnderWatch,
        PointStatus::Resurgent,
        PointStatus::Dismantled,
    ] {
        engine
            .update_point(
                &cross13,
                point,
                PointChange::Status {
                    to,
                    motivation: "Suivi".to_owned(),
                },
                &ctx(),
            )
            .await
            .unwrap();
    }
    fixture.clock.advance(time::Duration::days(2));
    submit(
        &fixture,
        draft(None, Some((43.3304, 5.4147)), "De nouveau des guetteurs."),
    )
    .await;
    hour_later(&fixture);
    let map = engine
        .points_map(&cross13, Some("13"), &ctx())
        .await
        .unwrap();
    assert!(map[0].resurgence_suspected);
    let overview = engine.triage_overview(&cross13, &ctx()).await.unwrap();
    assert_eq!(overview.resurgences.len(), 1);
}
