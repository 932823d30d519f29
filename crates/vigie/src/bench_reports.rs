//! `vigie bench reports`: residents' reports and dealing points, against the targets.
//!
//! On a fresh SQLite store (like the deconfliction bench): the synthetic units and accounts, then
//! (a) dealing points created through `create_point` as analyste.ofast, spread over the communes
//! of the synthetic départements (`vigie_engine::demo_sites`), a few in the 13 dismantled;
//! (b) the national map's data (`points_map` for OFAST, every point, journal entry included) and a
//! département's (the 13 for its CROSS, resurgence derivation included), timed over rounds;
//! (c) residents' reports through `submit_public_report`, each timed from the call to its answer:
//! validation, routing, the receipt's Argon2id key, the durable commit with its journal entry
//! (the proofs of work are solved before the timer starts, the reports carry no photo);
//! (d) in memory, synthetic report pins and texts matched against every point with
//! `vigie_reports::PointIndex::candidates` (150 m), as an analyst's screen does one at a time.
//! Each figure is printed next to its target with OK or NOT MET. `bench/reports.sh` runs it.

use anyhow::{Context, Result};
use std::time::{Duration, Instant};
use tokio::task::JoinSet;
use vigie_engine::{Engine, NewPoint, PointChange, Proof, RequestContext};
use vigie_reports::pow::{self, Challenge};
use vigie_reports::{Pin, PointIndex, PointSite, PointStatus, CANDIDATE_RADIUS_M};

pub struct BenchReportsArgs {
    /// Dealing points to create (4,000 in the issue).
    pub points: usize,
    /// Residents' reports to submit, one at a time.
    pub submissions: usize,
    /// Reports matched in memory against the points.
    pub matches: usize,
    /// Timed map reads (national, and the 13's).
    pub rounds: usize,
    pub seed: u64,
}

/// Targets of the issue.
const SUBMIT_P99_MS: f64 = 20.0;
const MAP_MS: f64 = 50.0;
const MATCH_S: f64 = 5.0;
/// Points created concurrently (the store's writer groups their commits).
const IN_FLIGHT: usize = 32;

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1e3
}

/// "p50 … p99 … max …" of `times`, and the p99 in milliseconds.
fn summary(times: &mut [Duration]) -> (String, f64) {
    times.sort();
    let p99 = percentile(times, 99.0);
    (
        format!(
            "n={} p50={:.2} ms p99={:.2} ms max={:.2} ms",
            times.len(),
            percentile(times, 50.0),
            p99,
            times.last().map_or(0.0, |max| max.as_secs_f64() * 1e3)
        ),
        p99,
    )
}

fn verdict(met: bool) -> &'static str {
    if met {
        "OK"
    } else {
        "NOT MET"
    }
}

/// SplitMix64, for deterministic draws without a generator's state.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn unit_interval(key: u64) -> f64 {
    (mix(key) >> 11) as f64 / (1u64 << 53) as f64
}

/// `pin` moved `metres` towards `bearing` (radians from north), locally flat.
fn offset(pin: Pin, metres: f64, bearing: f64) -> Pin {
    let per_degree = vigie_reports::model::EARTH_RADIUS_M.to_radians();
    Pin {
        lat: pin.lat + metres * bearing.cos() / per_degree,
        lon: pin.lon + metres * bearing.sin() / (per_degree * pin.lat.to_radians().cos()),
    }
}

/// Reads a challenge token as the browser does.
fn parse_challenge(token: &str) -> Option<Challenge> {
    let mut parts = token.split('.');
    Some(Challenge {
        nonce: parts.next()?.to_owned(),
        bits: parts.next()?.parse().ok()?,
        expires_at_micros: parts.next()?.parse().ok()?,
    })
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

pub async fn run(args: &BenchReportsArgs, engine: Engine) -> Result<()> {
    let err = |error: vigie_engine::EngineError| anyhow::anyhow!("{error}");
    println!(
        "reports bench: backend={} points={} submissions={} matches={} rounds={} cpus={} ({}) date={}",
        engine.backend(),
        args.points,
        args.submissions,
        args.matches,
        args.rounds,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        cpu_model(),
        engine.now().date()
    );
    engine
        .seed_synthetic(42, 60, &|_, _| {})
        .await
        .map_err(err)?;
    let ctx = RequestContext {
        request_id: "bench-reports".to_owned(),
    };
    let login = |username: &'static str| {
        let engine = engine.clone();
        let ctx = ctx.clone();
        async move {
            let grant = engine
                .login(username, vigie_synth::DEMO_PASSWORD, &ctx)
                .await
                .map_err(|error| anyhow::anyhow!("{username}: {error}"))?;
            engine
                .authenticate(&grant.token)
                .await
                .map_err(|error| anyhow::anyhow!("{error}"))
        }
    };
    let ofast = login("analyste.ofast").await?;
    let cross = login("analyste.cross13").await?;

    // (a) Points spread over the synthetic départements' communes.
    let geography = vigie_geo::Geography::france().map_err(|e| anyhow::anyhow!("{e}"))?;
    geography.warm();
    let departements = vigie_synth::demo_departements();
    let per_departement = args.points.div_ceil(departements.len().max(1));
    let mut planned = Vec::with_capacity(args.points);
    for code in &departements {
        for (index, site) in vigie_engine::demo_sites(&geography, code, per_departement, args.seed)
            .into_iter()
            .enumerate()
        {
            planned.push((
                (*code).to_owned(),
                site,
                vigie_synth::reports::point_label(args.seed, code, index),
            ));
        }
    }
    planned.truncate(args.points);
    let communes: std::collections::BTreeSet<&str> = planned
        .iter()
        .map(|(_, site, _)| site.unit.as_str())
        .collect();
    println!(
        "(a) placing {} points in {} communes or arrondissements of {} départements",
        planned.len(),
        communes.len(),
        departements.len()
    );
    let started = Instant::now();
    let mut created: Vec<(String, uuid::Uuid, vigie_engine::DemoSite)> =
        Vec::with_capacity(planned.len());
    let mut tasks = JoinSet::new();
    for (code, site, label) in planned.iter().cloned() {
        if tasks.len() >= IN_FLIGHT {
            if let Some(done) = tasks.join_next().await {
                created.push(done??);
            }
        }
        let engine = engine.clone();
        let ofast = ofast.clone();
        let ctx = ctx.clone();
        tasks.spawn(async move {
            let id = engine
                .create_point(
                    &ofast,
                    NewPoint {
                        label,
                        pin: site.pin,
                        from_report: None,
                    },
                    &ctx,
                )
                .await
                .map_err(|error| anyhow::anyhow!("{error}"))?;
            Ok::<_, anyhow::Error>((code, id, site))
        });
    }
    while let Some(done) = tasks.join_next().await {
        created.push(done??);
    }
    let elapsed = started.elapsed();
    println!(
        "    created {} points through create_point in {:.2} s ({:.0} points/s, {IN_FLIGHT} in flight)",
        created.len(),
        elapsed.as_secs_f64(),
        created.len() as f64 / elapsed.as_secs_f64()
    );
    // A few of the 13's points dismantled, so that its map derives resurgence from the reports.
    let mut dismantled = 0;
    for (_, id, _) in created
        .iter()
        .filter(|(code, _, _)| code == "13")
        .step_by(20)
    {
        for (to, motivation) in [
            (PointStatus::Confirmed, "Vente constatée"),
            (PointStatus::Dismantled, "Opération de police"),
        ] {
            engine
                .update_point(
                    &cross,
                    *id,
                    PointChange::Status {
                        to,
                        motivation: motivation.to_owned(),
                    },
                    &ctx,
                )
                .await
                .map_err(err)?;
        }
        dismantled += 1;
    }
    println!("    {dismantled} points of the 13 dismantled");

    // (b) The maps.
    let mut national_count = 0;
    let mut national = Vec::with_capacity(args.rounds);
    for round in 0..args.rounds + 3 {
        let started = Instant::now();
        let markers = engine.points_map(&ofast, None, &ctx).await.map_err(err)?;
        if round >= 3 {
            national.push(started.elapsed());
        }
        national_count = markers.len();
    }
    let (text, p99) = summary(&mut national);
    println!(
        "(b) national map (OFAST, {national_count} points, journaled): {text} — target ≤ {MAP_MS} ms: {}",
        verdict(p99 <= MAP_MS)
    );
    let mut local_count = 0;
    let mut local = Vec::with_capacity(args.rounds);
    for round in 0..args.rounds + 3 {
        let started = Instant::now();
        let markers = engine
            .points_map(&cross, Some("13"), &ctx)
            .await
            .map_err(err)?;
        if round >= 3 {
            local.push(started.elapsed());
        }
        local_count = markers.len();
    }
    let (text, _) = summary(&mut local);
    println!("    map of the 13 (CROSS 13, {local_count} points, resurgence derived): {text}");

    // (c) Residents' reports, proofs solved before the timer.
    let drafts_of = vigie_synth::reports::reports(args.seed, args.submissions, &departements);
    let mut challenges = Vec::with_capacity(args.submissions);
    for _ in 0..args.submissions {
        challenges.push(engine.report_challenge().map_err(err)?.token);
    }
    let bits = challenges
        .first()
        .and_then(|token| parse_challenge(token))
        .map_or(0, |challenge| challenge.bits);
    let started = Instant::now();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let proofs: Vec<Proof> = tokio::task::spawn_blocking(move || {
        let chunk = challenges.len().div_ceil(threads.max(1)).max(1);
        std::thread::scope(|scope| {
            let handles: Vec<_> = challenges
                .chunks(chunk)
                .map(|tokens| {
                    scope.spawn(move || {
                        tokens
                            .iter()
                            .map(|token| Proof {
                                token: token.clone(),
                                solution: parse_challenge(token)
                                    .map_or(0, |challenge| pow::solve(&challenge)),
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|handle| handle.join().unwrap_or_default())
                .collect()
        })
    })
    .await?;
    println!(
        "(c) {} proofs of work ({bits} bits) solved in {:.1} s on {threads} threads, before the timer",
        proofs.len(),
        started.elapsed().as_secs_f64()
    );
    let mut submit = Vec::with_capacity(proofs.len());
    for (index, (proof, text)) in proofs.into_iter().zip(&drafts_of).enumerate() {
        let (_, _, site) = created
            .get(mix(args.seed ^ index as u64) as usize % created.len().max(1))
            .context("no point was created")?;
        let key = mix(args.seed.wrapping_add(1) ^ index as u64);
        let pin = offset(
            site.pin,
            300.0 * unit_interval(key),
            std::f64::consts::TAU * unit_interval(key ^ 1),
        );
        let commune = (!key.is_multiple_of(3)).then_some(site.unit.as_str());
        let draft = text.draft(commune, Some(pin));
        let started = Instant::now();
        engine
            .submit_public_report(proof, draft, Vec::new(), &ctx)
            .await
            .map_err(err)?;
        submit.push(started.elapsed());
    }
    let (text, p99) = summary(&mut submit);
    println!(
        "    submit-to-routed (validation, routing, receipt Argon2id, durable commit): {text} — target p99 ≤ {SUBMIT_P99_MS} ms: {}",
        verdict(p99 <= SUBMIT_P99_MS)
    );

    // (d) Matching in memory.
    let markers = engine.points_map(&ofast, None, &ctx).await.map_err(err)?;
    let texts = vigie_synth::reports::reports(args.seed ^ 0x5eed, args.matches, &departements);
    let queries: Vec<(Pin, String)> = texts
        .iter()
        .enumerate()
        .map(|(index, report)| {
            let key = mix(args.seed ^ 0xd ^ ((index as u64) << 1));
            let marker = &markers[mix(key) as usize % markers.len().max(1)];
            // Most within a few hundred metres of a point, some right on it, some further.
            let metres = 600.0 * unit_interval(key ^ 2).powi(2);
            let pin = offset(
                marker.pin,
                metres,
                std::f64::consts::TAU * unit_interval(key ^ 3),
            );
            (pin, format!("{} {}", report.place, report.description))
        })
        .collect();
    let started = Instant::now();
    let index = PointIndex::new(
        markers
            .iter()
            .map(|marker| PointSite {
                id: marker.id,
                pin: marker.pin,
                text: format!(
                    "{} {}",
                    marker.label,
                    marker.commune.clone().unwrap_or_default()
                ),
            })
            .collect(),
    );
    let built = started.elapsed();
    let mut candidates = 0usize;
    let mut with_candidate = 0usize;
    for (pin, text) in &queries {
        let found = index.candidates(*pin, text, CANDIDATE_RADIUS_M);
        candidates += found.len();
        with_candidate += usize::from(!found.is_empty());
    }
    let total = started.elapsed();
    println!(
        "(d) {} reports against {} points ({} m): {:.3} s in all (index built in {:.1} ms), {candidates} candidates, {with_candidate} reports with at least one — target ≤ {MATCH_S} s: {}",
        queries.len(),
        index.len(),
        CANDIDATE_RADIUS_M,
        total.as_secs_f64(),
        built.as_secs_f64() * 1e3,
        verdict(total.as_secs_f64() <= MATCH_S)
    );
    engine.close().await;
    Ok(())
}
