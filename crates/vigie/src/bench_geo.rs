//! `vigie bench geo`: reverse geocoding throughput, single thread, against shapely 2 on the same input.
//!
//! Two sets of deterministic points: N that fall on land in metropolitan France, and N uniform in its
//! bounding box (most at sea or abroad). Vigie's index locates each set (best of three passes); then, when
//! a Python with shapely is given, `bench/geo_shapely.py` runs `STRtree.query(points, "intersects")` on the
//! same polygons and points, and the answers are compared point by point. Every disagreement is either
//! explained by the point lying on a border (within 1e-9 degree of an edge of either answer) or counted
//! as unexplained. The figures are printed; `bench/geo.sh` sets up shapely and runs this.

use anyhow::{bail, Context, Result};
use rand::{Rng, SeedableRng};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;
use vigie_geo::atlas::{Atlas, QUANTUM};
use vigie_geo::Geography;

/// Metropolitan France's bounding box, Corsica included: west, south, east, north.
const METROPOLE: [f64; 4] = [-5.2, 41.3, 9.6, 51.1];

pub struct BenchGeoArgs {
    pub points: usize,
    pub seed: u64,
    pub python: Option<PathBuf>,
    pub work_dir: PathBuf,
}

pub fn run(args: &BenchGeoArgs) -> Result<()> {
    println!("Machine: {} CPU(s) visible, {}", cpus(), cpu_model());
    let t = Instant::now();
    let geo = Geography::france().map_err(|e| anyhow::anyhow!("{e}"))?;
    geo.warm();
    let build = t.elapsed();
    let stats = geo.index().stats();
    println!(
        "Index: built in {:.2} s (atlas decoded, index and name search built), {} grids, {} cells ({} mixed), {} edge copies, {:.1} MB; process RSS {:.1} MB",
        build.as_secs_f64(),
        stats.grids,
        stats.cells,
        stats.mixed_cells,
        stats.edges,
        stats.bytes as f64 / 1e6,
        rss_mb()
    );

    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(args.seed);
    let uniform: Vec<[f64; 2]> = (0..args.points).map(|_| random_in_box(&mut rng)).collect();
    let mut on_land = Vec::with_capacity(args.points);
    while on_land.len() < args.points {
        let p = random_in_box(&mut rng);
        if let Some(unit) = geo.index().locate(p[0], p[1]) {
            if !geo.atlas().departements[geo.atlas().units[unit].departement].is_overseas() {
                on_land.push(p);
            }
        }
    }

    std::fs::create_dir_all(&args.work_dir)
        .with_context(|| format!("cannot create {}", args.work_dir.display()))?;
    let polygons_path = args.work_dir.join("polygons.wkb");
    let units = geo.atlas().locatable_units();
    if args.python.is_some() {
        write_polygons(geo.atlas(), &units, &polygons_path)?;
    }

    let mut unexplained_total = 0;
    for (name, points) in [
        ("on land (metropolitan)", &on_land),
        ("uniform in the bounding box", &uniform),
    ] {
        let mut answers = vec![None; points.len()];
        let mut best = f64::INFINITY;
        for _ in 0..3 {
            let t = Instant::now();
            for (answer, p) in answers.iter_mut().zip(points.iter()) {
                *answer = geo.index().locate(p[0], p[1]);
            }
            best = best.min(t.elapsed().as_secs_f64());
        }
        let located = answers.iter().filter(|a| a.is_some()).count();
        let vigie_rate = points.len() as f64 / best;
        println!(
            "\n{name}: {} points, {located} in France\n  vigie   {:>12.0} points/s  ({:.1} ns/point, best of 3)",
            points.len(),
            vigie_rate,
            best * 1e9 / points.len() as f64
        );
        let Some(python) = &args.python else { continue };
        let points_path = args.work_dir.join("points.bin");
        let pairs_path = args.work_dir.join("pairs.bin");
        let mut bytes = Vec::with_capacity(points.len() * 16);
        for p in points.iter() {
            bytes.extend_from_slice(&p[0].to_le_bytes());
            bytes.extend_from_slice(&p[1].to_le_bytes());
        }
        std::fs::write(&points_path, bytes)?;
        let output = std::process::Command::new(python)
            .arg(Path::new("bench").join("geo_shapely.py"))
            .args([&polygons_path, &points_path, &pairs_path])
            .output()
            .with_context(|| format!("cannot run {}", python.display()))?;
        if !output.status.success() {
            bail!(
                "shapely run failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let report: serde_json::Value = serde_json::from_slice(&output.stdout)?;
        let query_s = report["query_s"].as_f64().unwrap_or(f64::NAN);
        let shapely_rate = points.len() as f64 / query_s;
        println!(
            "  shapely {:>12.0} points/s  (query {:.2} s; building the point objects {:.2} s more; shapely {}, GEOS {})",
            shapely_rate,
            query_s,
            report["make_points_s"].as_f64().unwrap_or(f64::NAN),
            report["shapely"].as_str().unwrap_or("?"),
            report["geos"].as_str().unwrap_or("?"),
        );
        println!("  ratio   {:.1} × shapely", vigie_rate / shapely_rate);
        let unexplained = compare(
            geo.atlas(),
            &units,
            points,
            &answers,
            &std::fs::read(&pairs_path)?,
        );
        unexplained_total += unexplained;
    }
    if unexplained_total > 0 {
        bail!("{unexplained_total} disagreements with shapely not explained by a border");
    }
    Ok(())
}

fn random_in_box(rng: &mut impl Rng) -> [f64; 2] {
    [
        rng.gen_range(METROPOLE[0]..METROPOLE[2]),
        rng.gen_range(METROPOLE[1]..METROPOLE[3]),
    ]
}

/// Compares Vigie's answers with shapely's pairs; prints agreement; returns the unexplained count.
fn compare(
    atlas: &Atlas,
    units: &[usize],
    points: &[[f64; 2]],
    answers: &[Option<usize>],
    pairs: &[u8],
) -> usize {
    let mut hits: Vec<Vec<usize>> = vec![Vec::new(); points.len()];
    for chunk in pairs.chunks_exact(16) {
        let (mut a, mut b) = ([0u8; 8], [0u8; 8]);
        a.copy_from_slice(&chunk[..8]);
        b.copy_from_slice(&chunk[8..]);
        let (point, polygon) = (
            i64::from_le_bytes(a) as usize,
            i64::from_le_bytes(b) as usize,
        );
        if let (Some(h), Some(&unit)) = (hits.get_mut(point), units.get(polygon)) {
            h.push(unit);
        }
    }
    let (mut agree, mut border, mut unexplained) = (0usize, 0usize, 0usize);
    for (i, p) in points.iter().enumerate() {
        let theirs = &hits[i];
        let same = match answers[i] {
            Some(u) => theirs.len() == 1 && theirs[0] == u,
            None => theirs.is_empty(),
        };
        if same {
            agree += 1;
            continue;
        }
        let involved: Vec<usize> = theirs.iter().copied().chain(answers[i]).collect();
        if involved
            .iter()
            .any(|&u| distance_to_outline(atlas, u, *p) < 1e-9)
        {
            border += 1;
        } else {
            unexplained += 1;
            if unexplained <= 5 {
                println!(
                    "  DISAGREE at ({}, {}): vigie {:?}, shapely {:?}",
                    p[0], p[1], answers[i], theirs
                );
            }
        }
    }
    println!(
        "  agreement {:.4} % ({agree} identical, {border} on a border, {unexplained} unexplained)",
        100.0 * agree as f64 / points.len() as f64
    );
    unexplained
}

/// Distance in degrees from a point to the nearest edge of a unit's outline.
fn distance_to_outline(atlas: &Atlas, unit: usize, p: [f64; 2]) -> f64 {
    let mut best = f64::INFINITY;
    for ring in atlas.unit_rings(unit) {
        let pts = atlas.ring(ring);
        for (i, a) in pts.iter().enumerate() {
            let b = pts[(i + 1) % pts.len()];
            let (ax, ay) = (f64::from(a[0]) / QUANTUM, f64::from(a[1]) / QUANTUM);
            let (bx, by) = (f64::from(b[0]) / QUANTUM, f64::from(b[1]) / QUANTUM);
            let (dx, dy) = (bx - ax, by - ay);
            let len2 = dx * dx + dy * dy;
            let t = if len2 == 0.0 {
                0.0
            } else {
                (((p[0] - ax) * dx + (p[1] - ay) * dy) / len2).clamp(0.0, 1.0)
            };
            let (cx, cy) = (ax + t * dx, ay + t * dy);
            best = best.min(((p[0] - cx).powi(2) + (p[1] - cy).powi(2)).sqrt());
        }
    }
    best
}

/// The same polygons the index holds, as WKB MultiPolygons in degrees, for shapely.
fn write_polygons(atlas: &Atlas, units: &[usize], path: &Path) -> Result<()> {
    let mut out = Vec::new();
    out.extend_from_slice(&(units.len() as u32).to_le_bytes());
    for &u in units {
        let mut wkb = vec![1u8];
        wkb.extend_from_slice(&6u32.to_le_bytes());
        let polygons = atlas.units[u].polygons.clone();
        wkb.extend_from_slice(&(polygons.len() as u32).to_le_bytes());
        for p in polygons {
            wkb.push(1);
            wkb.extend_from_slice(&3u32.to_le_bytes());
            let rings = atlas.polygons[p as usize].clone();
            wkb.extend_from_slice(&(rings.len() as u32).to_le_bytes());
            for r in rings {
                let pts = atlas.ring(r);
                wkb.extend_from_slice(&(pts.len() as u32 + 1).to_le_bytes());
                for q in pts.iter().chain(pts.first()) {
                    wkb.extend_from_slice(&(f64::from(q[0]) / QUANTUM).to_le_bytes());
                    wkb.extend_from_slice(&(f64::from(q[1]) / QUANTUM).to_le_bytes());
                }
            }
        }
        out.extend_from_slice(&(wkb.len() as u32).to_le_bytes());
        out.extend_from_slice(&wkb);
    }
    let mut file =
        std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    file.write_all(&out)?;
    Ok(())
}

fn cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
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

fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|kb| kb.parse::<f64>().ok())
            })
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}
