//! The demo's dealing points and reports (`Engine::seed_demo_reports`, run by `vigie serve
//! --demo`): a queue to triage at once, a map of the 13 with points at every stage and one
//! resurgence to decide, the partner's own reports, and the same counts for the same seed.

use crate::support::*;
use std::collections::{BTreeMap, BTreeSet};
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

/// The national layer of the demo (`Engine::seed_national_demo_points`, run by `vigie serve
/// --demo` after the detailed départements): about 4,000 points over the whole country.
async fn national() -> (Fixture, DemoReports, Vec<vigie_engine::PointMarker>) {
    let fixture = demo().await;
    let seeded = fixture.engine.seed_national_demo_points(42).await.unwrap();
    let (ofast, _) = login(&fixture, "analyste.ofast").await;
    let map = fixture
        .engine
        .points_map(&ofast, None, &ctx())
        .await
        .unwrap();
    (fixture, seeded, map)
}

fn counts(map: &[vigie_engine::PointMarker]) -> BTreeMap<(String, PointStatus), usize> {
    let mut counts = BTreeMap::new();
    for point in map {
        let departement = point.departement.clone().unwrap_or_default();
        *counts.entry((departement, point.status)).or_insert(0) += 1;
    }
    counts
}

#[tokio::test]
async fn the_national_layer_covers_the_country_like_reality_and_is_deterministic() {
    let (fixture, seeded, map) = national().await;
    let engine = &fixture.engine;
    assert_eq!(map.len(), seeded.points);
    assert!((3_500..=4_500).contains(&map.len()), "{seeded:?}");
    assert!(
        seeded.reports > 100 && seeded.reports < 300,
        "a modest number of reports: {seeded:?}"
    );

    // Every département, metropolitan and overseas, has points; the big urban ones most.
    let geography = vigie_geo::Geography::france().unwrap();
    let mut per_departement: BTreeMap<String, usize> = BTreeMap::new();
    for point in &map {
        *per_departement
            .entry(point.departement.clone().unwrap_or_default())
            .or_insert(0) += 1;
    }
    for departement in &geography.atlas().departements {
        assert!(
            per_departement.get(&departement.code).copied().unwrap_or(0) >= 1,
            "{} has no point",
            departement.code
        );
    }
    assert!(per_departement["59"] > 5 * per_departement["48"]);
    assert!(per_departement["93"] > per_departement["23"]);
    // Every pin lies in its département, in a real commune.
    for point in map.iter().step_by(7) {
        let location = geography
            .locate(point.pin.lat, point.pin.lon)
            .unwrap()
            .unwrap();
        assert_eq!(
            Some(location.departement.code),
            point.departement,
            "{point:?}"
        );
        assert_eq!(Some(location.commune.code), point.commune);
    }

    // Every status, active points the most.
    let statuses: BTreeMap<PointStatus, usize> =
        map.iter().fold(BTreeMap::new(), |mut acc, point| {
            *acc.entry(point.status).or_insert(0) += 1;
            acc
        });
    for status in PointStatus::ALL {
        assert!(
            statuses.get(&status).copied().unwrap_or(0) > 50,
            "{statuses:?}"
        );
    }
    assert_eq!(
        statuses
            .iter()
            .max_by_key(|(_, count)| **count)
            .map(|(s, _)| *s),
        Some(PointStatus::Active)
    );

    // Operations, prices, hours and displacements, on a sample of points' pages.
    let (ofast, _) = login(&fixture, "analyste.ofast").await;
    let (mut operations, mut prices, mut hours, mut moved, mut moved_from) = (0, 0, 0, 0, 0);
    let mut products = BTreeSet::new();
    let sample = map
        .iter()
        .filter(|point| point.status == PointStatus::Dismantled)
        .take(25)
        .chain(
            map.iter()
                .filter(|point| point.status == PointStatus::Active)
                .take(25),
        );
    for marker in sample {
        let view = engine.point(&ofast, marker.id, &ctx()).await.unwrap();
        let point = &view.point;
        if marker.status == PointStatus::Dismantled {
            assert!(point.dismantled_at_micros.is_some());
            assert!(
                point
                    .operations
                    .iter()
                    .any(|op| op.kind != vigie_reports::OperationKind::Other),
                "a dismantling comes with its operation: {point:?}"
            );
        }
        operations += usize::from(!point.operations.is_empty());
        prices += usize::from(!point.prices.is_empty());
        hours += usize::from(!point.days.is_empty() && !point.slots.is_empty());
        moved += view.moved_to.len();
        moved_from += view.moved_from.len();
        for price in &point.prices {
            assert_eq!(price.validate(), Ok(()));
            products.insert(price.product.clone());
        }
        // Dated over the past two years, in order.
        let now = vigie_engine::clock::micros(engine.now());
        assert!(point.created_at_micros > now - 800 * 86_400_000_000);
        let mut at = point.created_at_micros;
        for transition in &point.history {
            assert!(transition.at_micros >= at && transition.at_micros < now);
            at = transition.at_micros;
        }
    }
    assert!(operations >= 25, "{operations}");
    assert!(prices >= 10, "{prices}");
    assert!(hours >= 10, "{hours}");
    assert!(moved >= 1 && moved_from >= 1, "{moved} {moved_from}");
    assert!(products.len() >= 3, "{products:?}");

    // Resurgences in several départements: points moved back to "resurgent", and dismantled
    // points with residents' reports near them since, which a per-département map flags.
    let resurgent: BTreeSet<String> = map
        .iter()
        .filter(|point| point.status == PointStatus::Resurgent)
        .filter_map(|point| point.departement.clone())
        .collect();
    assert!(resurgent.len() >= 3, "{resurgent:?}");
    let mut suspected = BTreeSet::new();
    for code in vigie_engine::Engine::DEMO_NATIONAL_RESURGENCES {
        let area = engine.points_map(&ofast, Some(code), &ctx()).await.unwrap();
        if area.iter().any(|point| point.resurgence_suspected) {
            suspected.insert(*code);
        }
    }
    assert!(suspected.len() >= 3, "{suspected:?}");

    // Reports: attached to their points, a few left to triage; none in the current hour.
    let queue = engine
        .report_queue(
            &ofast,
            &QueueFilter {
                include_closed: true,
                ..QueueFilter::default()
            },
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(queue.len(), seeded.reports);
    assert!(queue.iter().any(|r| r.status == ReportStatus::Attached));
    assert!(queue.iter().any(|r| r.status == ReportStatus::New));
    assert!(map.iter().filter(|point| point.reports > 0).count() >= 100);

    // The same counts per département and status, and the same places, for the same seed.
    let (_second, again, map_again) = national().await;
    assert_eq!(seeded, again);
    assert_eq!(counts(&map), counts(&map_again));
    let places = |map: &[vigie_engine::PointMarker]| {
        let mut places: Vec<String> = map
            .iter()
            .map(|m| format!("{:.6},{:.6} {}", m.pin.lat, m.pin.lon, m.label))
            .collect();
        places.sort();
        places
    };
    assert_eq!(places(&map), places(&map_again));
}
