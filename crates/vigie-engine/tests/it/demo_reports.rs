//! The demo's dealing points and reports (`Engine::seed_demo_reports`, run by `vigie serve
//! --demo`): a queue to triage at once, a map of the 13 with points at every stage and one
//! resurgence to decide, the partner's own reports, and the same counts for the same seed.

use crate::support::*;
use std::collections::BTreeSet;
use vigie_engine::{demo_sites, DemoReports, QueueFilter, DEMO_POINTS_PER_DEPARTEMENT};
use vigie_reports::{PointStatus, ReportStatus};

async fn seeded() -> (Fixture, DemoReports) {
    let fixture = demo().await;
    let seeded = fixture.engine.seed_demo_reports(42).await.unwrap();
    (fixture, seeded)
}

#[tokio::test]
async fn the_demo_has_a_queue_a_map_with_a_resurgence_and_partner_reports() {
    let (fixture, seeded) = seeded().await;
    let engine = &fixture.engine;
    let departements = vigie_synth::demo_departements();
    assert_eq!(
        seeded.points,
        DEMO_POINTS_PER_DEPARTEMENT * departements.len()
    );
    assert!(seeded.reports >= 40, "{seeded:?}");

    let (cross, _) = login(&fixture, "analyste.cross13").await;
    let queue = engine
        .report_queue(&cross, &QueueFilter::default(), &ctx())
        .await
        .unwrap();
    assert!(
        queue
            .iter()
            .any(|r| r.status == ReportStatus::New && r.public),
        "residents' reports wait in the queue at the demo's start"
    );
    assert!(queue.iter().all(|r| r.departement.as_deref() == Some("13")));
    let all = engine
        .report_queue(
            &cross,
            &QueueFilter {
                include_closed: true,
                ..QueueFilter::default()
            },
            &ctx(),
        )
        .await
        .unwrap();
    let statuses: BTreeSet<ReportStatus> = all.iter().map(|r| r.status).collect();
    for status in [
        ReportStatus::New,
        ReportStatus::ToQualify,
        ReportStatus::Qualified,
        ReportStatus::Attached,
        ReportStatus::NoFurtherAction,
        ReportStatus::SuspectedMalicious,
        ReportStatus::PassedToService,
    ] {
        assert!(statuses.contains(&status), "{status:?} in {statuses:?}");
    }
    assert!(all.iter().any(|r| !r.public), "partner reports are there");

    let map = engine.points_map(&cross, Some("13"), &ctx()).await.unwrap();
    assert_eq!(map.len(), DEMO_POINTS_PER_DEPARTEMENT);
    assert!(map
        .iter()
        .all(|point| point.departement.as_deref() == Some("13")));
    let statuses: BTreeSet<PointStatus> = map.iter().map(|point| point.status).collect();
    assert!(statuses.len() >= 5, "{statuses:?}");
    let suspected: Vec<_> = map
        .iter()
        .filter(|point| point.resurgence_suspected)
        .collect();
    assert_eq!(suspected.len(), 1, "{suspected:?}");
    assert_eq!(suspected[0].status, PointStatus::Dismantled);
    let view = engine.point(&cross, suspected[0].id, &ctx()).await.unwrap();
    assert!(view.resurgence_suspected);
    assert!(!view.point.operations.is_empty());
    assert_eq!(
        view.reports.len(),
        1,
        "the report attached before the dismantling"
    );
    assert!(map.iter().any(|point| point.reports > 0));
    // One point moved to another, both keep the link.
    let (mut moved_to, mut moved_from) = (0, 0);
    for point in &map {
        let view = engine.point(&cross, point.id, &ctx()).await.unwrap();
        moved_to += view.moved_to.len();
        moved_from += view.moved_from.len();
    }
    assert_eq!((moved_to, moved_from), (1, 1));

    // The national map for OFAST: every département's points.
    let (ofast, _) = login(&fixture, "analyste.ofast").await;
    let national = engine.points_map(&ofast, None, &ctx()).await.unwrap();
    assert_eq!(national.len(), seeded.points);
    let areas: BTreeSet<String> = national
        .iter()
        .filter_map(|point| point.departement.clone())
        .collect();
    assert_eq!(
        areas,
        departements.iter().map(|code| (*code).to_owned()).collect()
    );

    // The partner follows its own reports, and sees the CROSS's message on one.
    let (partner, _) = login(&fixture, "partenaire.bailleur").await;
    let own = engine.partner_reports(&partner, &ctx()).await.unwrap();
    assert_eq!(own.len(), 4);
    assert!(own.iter().any(|report| !report.messages.is_empty()));

    // The residents' reports of this hour reach the queue once it is over.
    let before = queue.len();
    fixture.clock.advance(time::Duration::minutes(61));
    let later = engine
        .report_queue(&cross, &QueueFilter::default(), &ctx())
        .await
        .unwrap();
    assert_eq!(later.len(), before + 2);
}

#[tokio::test]
async fn seeding_is_deterministic_in_counts_and_places() {
    let (first, a) = seeded().await;
    let (second, b) = seeded().await;
    assert_eq!(a, b);
    let (ofast_a, _) = login(&first, "analyste.ofast").await;
    let (ofast_b, _) = login(&second, "analyste.ofast").await;
    let key = |markers: Vec<vigie_engine::PointMarker>| {
        let mut keys: Vec<(String, String, String)> = markers
            .into_iter()
            .map(|m| {
                (
                    format!("{:.6},{:.6}", m.pin.lat, m.pin.lon),
                    m.label,
                    m.status.as_str().to_owned(),
                )
            })
            .collect();
        keys.sort();
        keys
    };
    let map_a = first
        .engine
        .points_map(&ofast_a, None, &ctx())
        .await
        .unwrap();
    let map_b = second
        .engine
        .points_map(&ofast_b, None, &ctx())
        .await
        .unwrap();
    assert_eq!(key(map_a), key(map_b));
    let geography = vigie_geo::Geography::france().unwrap();
    for code in vigie_synth::demo_departements() {
        let sites = demo_sites(&geography, code, 30, 42);
        assert_eq!(sites.len(), 30, "{code}");
        assert_eq!(sites, demo_sites(&geography, code, 30, 42));
        for site in &sites {
            let location = geography
                .locate(site.pin.lat, site.pin.lon)
                .unwrap()
                .unwrap();
            assert_eq!(location.departement.code, code);
            let unit = location
                .arrondissement
                .map(|place| place.code)
                .unwrap_or(location.commune.code);
            assert_eq!(unit, site.unit);
        }
    }
}
