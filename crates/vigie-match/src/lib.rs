//! Entity resolution for people records: which records, within one file or across two, are the same
//! person, with a score explained field by field.
//!
//! - [`normalize`]: French names, particles and married names, given-name variants, phonetic keys,
//!   dates, phones, postcodes;
//! - [`record`]: the record as read, and its prepared form;
//! - [`compare`]: field-by-field agreement levels;
//! - [`model`]: Fellegi-Sunter, trained without labels (u from random pairs, m by EM), with
//!   term-frequency adjustment on names;
//! - this module: blocking (several keys, so true pairs meet without comparing everything), scoring,
//!   and clustering at a threshold.
//!
//! No I/O: reading files and writing results belong to the command line. Nothing about a person leaves
//! this crate but the scores and their explanations.

pub mod compare;
pub mod model;
pub mod normalize;
pub mod online;
pub mod record;

use compare::{compare, Field, Levels};
use model::{FieldWeight, Model};
use rand::{Rng, SeedableRng};
use record::{Prepared, Record};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

/// An analyst's judgement on a pair of records, by their ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The same person: linked whatever the score.
    Same,
    /// Not the same person: never linked, and never in the same cluster.
    NotSame,
    /// Unsure: the score decides, and the pair is marked.
    Unsure,
}

impl Verdict {
    /// "meme", "different", "incertain" (and their English names).
    pub fn parse(text: &str) -> Option<Verdict> {
        match vigie_core::text::fold(text).as_str() {
            "meme" | "same" | "oui" => Some(Verdict::Same),
            "different" | "not same" | "non" => Some(Verdict::NotSame),
            "incertain" | "unsure" | "doute" => Some(Verdict::Unsure),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Same => "meme",
            Verdict::NotSame => "different",
            Verdict::Unsure => "incertain",
        }
    }
}

/// A judgement on two records, named by their ids so that it survives re-runs (indices change, ids
/// do not). Taking it out of the list undoes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    pub a: String,
    pub b: String,
    pub verdict: Verdict,
}

/// Settings of a run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Pairs at or above this match probability are links, and join clusters.
    pub threshold: f64,
    /// Random pairs compared to learn u.
    pub random_pairs: usize,
    /// A blocking key shared by more pairs than this is skipped (and counted): it says too little.
    pub max_pairs_per_block: usize,
    pub em_iterations: usize,
    pub seed: u64,
    /// Analysts' judgements, applied over the scores.
    pub judgements: Vec<Judgement>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            threshold: 0.9,
            random_pairs: 100_000,
            max_pairs_per_block: 20_000,
            em_iterations: 25,
            seed: 1,
            judgements: Vec::new(),
        }
    }
}

/// A scored pair of records (indices into the input: in linking, the right file's records follow the
/// left file's).
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredPair {
    pub a: u32,
    pub b: u32,
    pub levels: Levels,
    pub weight: f64,
    /// The model's probability, or 1 / 0 when an analyst judged the pair the same / not the same.
    pub probability: f64,
    pub judgement: Option<Verdict>,
}

/// Counts and timings of a run.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Stats {
    pub records: usize,
    pub bad_dates: usize,
    pub candidate_pairs: usize,
    /// Pairs each blocking rule proposed (before removing the pairs several rules share).
    pub pairs_per_rule: Vec<usize>,
    pub skipped_blocks: usize,
    pub links: usize,
    pub clusters: usize,
    pub judgements_applied: usize,
    /// Judgements naming a record id absent from the input.
    pub judgements_unmatched: usize,
    /// Links not followed because they would have put two records judged different in one cluster.
    pub links_refused_by_judgements: usize,
    pub prepare_s: f64,
    pub block_s: f64,
    pub train_s: f64,
    pub score_s: f64,
    pub cluster_s: f64,
}

/// The result of a run.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Every candidate pair, scored (links are those at or above the threshold).
    pub pairs: Vec<ScoredPair>,
    /// Cluster of each record: the smallest record index in its cluster.
    pub clusters: Vec<u32>,
    pub model: Model,
    pub stats: Stats,
    tf_given: HashMap<String, f64>,
    tf_surname: HashMap<String, f64>,
    prepared: Vec<Prepared>,
}

impl Outcome {
    /// An index answering "who is this new record?" against the records of this run, with its model.
    pub fn into_index(self) -> online::OnlineIndex {
        online::OnlineIndex::new(self.prepared, self.model, self.tf_given, self.tf_surname)
    }

    /// The per-field explanation of a pair's score.
    pub fn explain(&self, pair: &ScoredPair) -> Vec<FieldWeight> {
        let (a, b) = (
            &self.prepared[pair.a as usize],
            &self.prepared[pair.b as usize],
        );
        self.model.explain(&pair.levels, |field| {
            tf_of(field, a, b, &self.tf_given, &self.tf_surname)
        })
    }

    pub fn links(&self, threshold: f64) -> impl Iterator<Item = &ScoredPair> {
        self.pairs
            .iter()
            .filter(move |p| p.probability >= threshold)
    }
}

/// Deduplicates one file.
pub fn dedupe(records: &[Record], options: &Options) -> Outcome {
    run(records, None, options, &|_| {})
}

/// Links two files: pairs always join a record of `left` and one of `right`.
pub fn link(left: &[Record], right: &[Record], options: &Options) -> Outcome {
    let all: Vec<Record> = left.iter().chain(right.iter()).cloned().collect();
    run(&all, Some(left.len()), options, &|_| {})
}

/// The steps of a run, reported as they start (for a progress bar).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Normalise,
    Block,
    Train,
    Score,
    Cluster,
}

impl Step {
    pub const COUNT: u64 = 5;

    pub fn index(self) -> u64 {
        self as u64
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            Step::Normalise => "normalisation",
            Step::Block => "blocage",
            Step::Train => "comparaisons et apprentissage",
            Step::Score => "scores et jugements",
            Step::Cluster => "groupes",
        }
    }
}

/// [`dedupe`] (no `split`) or [`link`] (`split` = the left file's length over the concatenated
/// records), reporting each step as it starts.
pub fn run_with_progress(
    records: &[Record],
    split: Option<usize>,
    options: &Options,
    progress: &dyn Fn(Step),
) -> Outcome {
    run(records, split, options, progress)
}

fn run(
    records: &[Record],
    split: Option<usize>,
    options: &Options,
    progress: &dyn Fn(Step),
) -> Outcome {
    progress(Step::Normalise);
    let mut stats = Stats {
        records: records.len(),
        ..Stats::default()
    };
    let clock = std::time::Instant::now();
    let mut prepared = Vec::with_capacity(records.len());
    for (p, bad_date) in parallel_map(records, Prepared::new) {
        stats.bad_dates += usize::from(bad_date);
        prepared.push(p);
    }
    let tf_given = frequencies(prepared.iter().map(|p| p.first_given()));
    let tf_surname = frequencies(
        prepared
            .iter()
            .flat_map(|p| p.surnames.iter().map(String::as_str)),
    );
    stats.prepare_s = clock.elapsed().as_secs_f64();
    progress(Step::Block);

    let clock = std::time::Instant::now();
    let (candidates, skipped, per_rule) = block(&prepared, split, options.max_pairs_per_block);
    stats.pairs_per_rule = per_rule;
    stats.candidate_pairs = candidates.len();
    stats.skipped_blocks = skipped;
    stats.block_s = clock.elapsed().as_secs_f64();
    progress(Step::Train);

    let clock = std::time::Instant::now();
    let levels: Vec<Levels> = parallel_map(&candidates, |&pair| {
        compare(
            &prepared[(pair >> 32) as usize],
            &prepared[(pair & 0xffff_ffff) as usize],
        )
    });
    let random = random_levels(&prepared, split, options);
    let n = records.len() as f64;
    let total_pairs = match split {
        Some(left) => left as f64 * (n - left as f64),
        None => n * (n - 1.0) / 2.0,
    };
    // Training sessions: pairs born on the same day learn m for every other field; pairs with the same
    // given name and surname learn it for the birth date and the rest.
    let (given, surname, birth) = (
        Field::Given as usize,
        Field::Surname as usize,
        Field::Birth as usize,
    );
    let same_birth: Vec<Levels> = levels.iter().filter(|l| l[birth] == 1).copied().collect();
    let same_names: Vec<Levels> = levels
        .iter()
        .filter(|l| l[given] == 1 && l[surname] == 1)
        .copied()
        .collect();
    let sessions = [
        model::Session {
            pairs: &same_birth,
            fixed: &[Field::Birth],
        },
        model::Session {
            pairs: &same_names,
            fixed: &[Field::Given, Field::Surname],
        },
    ];
    let model = Model::train(
        &random,
        &sessions,
        &levels,
        total_pairs,
        options.em_iterations,
    );
    stats.train_s = clock.elapsed().as_secs_f64();
    progress(Step::Score);

    let clock = std::time::Instant::now();
    let pairs: Vec<ScoredPair> = candidates
        .iter()
        .zip(levels.iter())
        .map(|(&pair, levels)| {
            let (a, b) = ((pair >> 32) as u32, (pair & 0xffff_ffff) as u32);
            let (pa, pb) = (&prepared[a as usize], &prepared[b as usize]);
            let weight = score(&model, levels, pa, pb, &tf_given, &tf_surname);
            ScoredPair {
                a,
                b,
                levels: *levels,
                weight,
                probability: model.probability(weight),
                judgement: None,
            }
        })
        .collect();
    let mut pairs = pairs;
    let cannot_link = apply_judgements(
        &mut pairs,
        records,
        &prepared,
        &model,
        &options.judgements,
        &mut stats,
    );
    stats.score_s = clock.elapsed().as_secs_f64();
    progress(Step::Cluster);

    let clock = std::time::Instant::now();
    let mut links: Vec<&ScoredPair> = pairs
        .iter()
        .filter(|p| p.probability >= options.threshold)
        .collect();
    // The surest links first, so that a judgement "different" cuts the weakest chain.
    links.sort_by(|x, y| {
        y.probability
            .total_cmp(&x.probability)
            .then(y.weight.total_cmp(&x.weight))
    });
    let (clusters, refused) = cluster_with(records.len(), links.into_iter(), &cannot_link);
    stats.links_refused_by_judgements = refused;
    stats.links = pairs
        .iter()
        .filter(|p| p.probability >= options.threshold)
        .count();
    stats.clusters = clusters
        .iter()
        .enumerate()
        .filter(|(i, &c)| *i as u32 == c)
        .count();
    stats.cluster_s = clock.elapsed().as_secs_f64();
    Outcome {
        pairs,
        clusters,
        model,
        stats,
        tf_given,
        tf_surname,
        prepared,
    }
}

/// The weight of a compared pair, with the term-frequency adjustment: for names that agree exactly,
/// the value's own rarity replaces u.
fn score(
    model: &Model,
    levels: &Levels,
    a: &Prepared,
    b: &Prepared,
    tf_given: &HashMap<String, f64>,
    tf_surname: &HashMap<String, f64>,
) -> f64 {
    let mut weight = model.weight(levels);
    for field in [Field::Given, Field::Surname] {
        let f = field as usize;
        if levels[f] == 1 {
            if let Some(freq) = tf_of(field, a, b, tf_given, tf_surname) {
                weight += (model.u[f][1].max(1e-6) / freq.max(1e-6)).log2();
            }
        }
    }
    weight
}

fn frequencies<'a>(values: impl Iterator<Item = &'a str>) -> HashMap<String, f64> {
    let mut counts: HashMap<&str, u32> = HashMap::new();
    let mut total = 0u32;
    for v in values.filter(|v| !v.is_empty()) {
        *counts.entry(v).or_default() += 1;
        total += 1;
    }
    counts
        .into_iter()
        .map(|(k, n)| (k.to_owned(), f64::from(n) / f64::from(total.max(1))))
        .collect()
}

/// The frequency of the value two records agree on, for the name fields.
fn tf_of(
    field: Field,
    a: &Prepared,
    b: &Prepared,
    given: &HashMap<String, f64>,
    surname: &HashMap<String, f64>,
) -> Option<f64> {
    match field {
        Field::Given if !a.given.is_empty() && a.first_given() == b.first_given() => {
            given.get(a.first_given()).copied()
        }
        Field::Surname => a
            .surnames
            .iter()
            .filter(|s| b.surnames.contains(s))
            .filter_map(|s| surname.get(s).copied())
            .reduce(f64::max),
        _ => None,
    }
}

/// The blocking keys of a record, one per rule (`None` when the rule does not apply). Each rule is
/// specific enough that its blocks stay small on a million records, and together they cover the
/// usual corruptions: a name pair in either order (swapped given name and surname), the birth date
/// with one of the names (a typo in the other, a married name), a place (a birth date typed wrong), a
/// phone, an address.
pub(crate) fn keys(p: &Prepared) -> [u64; RULES] {
    // Keys are hashed as they are built (no string per key: ten per record on a million records
    // weighed 600 MB). 0 means "the rule does not apply".
    let year = p.birth.map(|d| d.year.to_string()).unwrap_or_default();
    let full_birth = p
        .birth
        .filter(|d| d.month > 0 && d.day > 0)
        .map(|d| d.compact())
        .unwrap_or_default();
    let (low, high) = if p.given_phonetic <= p.surname_phonetic {
        (p.given_phonetic.as_str(), p.surname_phonetic.as_str())
    } else {
        (p.surname_phonetic.as_str(), p.given_phonetic.as_str())
    };
    let (surname_initial, given_initial) = (initial(p.first_surname()), initial(p.first_given()));
    [
        key(&[rule(0), low, high, &year]),
        key(&[rule(1), low, high, &p.postcode]),
        key(&[rule(2), &full_birth, &p.surname_phonetic]),
        key(&[rule(3), &p.identifier]),
        key(&[rule(4), &full_birth, &p.given_phonetic]),
        key(&[rule(5), &p.street_number, &p.postcode, surname_initial]),
        key(&[rule(6), &p.phone]),
        key(&[rule(7), &p.street, &p.city]),
        key(&[rule(8), &p.surname_phonetic, &p.postcode, given_initial]),
        // Both names typed wrong: the birth date and the place still meet.
        key(&[rule(9), &full_birth, &p.postcode]),
    ]
}

fn initial(s: &str) -> &str {
    s.get(..s.chars().next().map_or(0, char::len_utf8))
        .unwrap_or("")
}

fn rule(n: usize) -> &'static str {
    ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]
        .get(n)
        .copied()
        .unwrap_or("")
}

/// The hash of a key made of parts, or 0 when a part (beyond the rule number) is empty.
fn key(parts: &[&str]) -> u64 {
    if parts.iter().skip(1).any(|p| p.is_empty()) {
        return 0;
    }
    // SipHash with fixed keys: the same key hashes the same in every run.
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for part in parts {
        part.hash(&mut h);
    }
    h.finish().max(1)
}

/// How many blocking rules [`keys`] applies.
pub(crate) const RULES: usize = 10;

/// Per blocking rule, every record's key with the record, sorted by key (records the rule does not
/// apply to are left out).
pub(crate) fn sorted_keys(prepared: &[Prepared]) -> Vec<Vec<(u64, u32)>> {
    let all_keys: Vec<[u64; RULES]> = parallel_map(prepared, keys);
    (0..RULES)
        .map(|rule| {
            let mut entries: Vec<(u64, u32)> = all_keys
                .iter()
                .enumerate()
                .filter(|(_, k)| k[rule] != 0)
                .map(|(i, k)| (k[rule], i as u32))
                .collect();
            entries.sort_unstable();
            entries
        })
        .collect()
}

/// Candidate pairs (a << 32 | b, a < b), deduplicated, and the number of blocks skipped as too large.
fn block(
    prepared: &[Prepared],
    split: Option<usize>,
    max_pairs: usize,
) -> (Vec<u64>, usize, Vec<usize>) {
    let mut pairs: Vec<u64> = Vec::new();
    let mut skipped = 0;
    let mut per_rule = Vec::with_capacity(RULES);
    for entries in sorted_keys(prepared) {
        let before = pairs.len();
        for run in entries.chunk_by(|x, y| x.0 == y.0) {
            if run.len() < 2 {
                continue;
            }
            let members: Vec<u32> = run.iter().map(|e| e.1).collect();
            match split {
                None => {
                    if members.len() * (members.len() - 1) / 2 > max_pairs {
                        skipped += 1;
                        continue;
                    }
                    for (i, &a) in members.iter().enumerate() {
                        for &b in &members[i + 1..] {
                            pairs.push(u64::from(a) << 32 | u64::from(b));
                        }
                    }
                }
                Some(split) => {
                    let (left, right): (Vec<u32>, Vec<u32>) =
                        members.iter().partition(|&&m| (m as usize) < split);
                    if left.len() * right.len() > max_pairs {
                        skipped += 1;
                        continue;
                    }
                    for &a in &left {
                        for &b in &right {
                            pairs.push(u64::from(a) << 32 | u64::from(b));
                        }
                    }
                }
            }
        }
        per_rule.push(pairs.len() - before);
    }
    pairs.sort_unstable();
    pairs.dedup();
    (pairs, skipped, per_rule)
}

/// Levels of random pairs (across the two files when linking), to learn u.
fn random_levels(prepared: &[Prepared], split: Option<usize>, options: &Options) -> Vec<Levels> {
    let n = prepared.len();
    if n < 2 {
        return Vec::new();
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(options.seed);
    let pairs: Vec<(usize, usize)> = (0..options.random_pairs)
        .map(|_| match split {
            Some(s) if s > 0 && s < n => (rng.gen_range(0..s), rng.gen_range(s..n)),
            _ => (rng.gen_range(0..n), rng.gen_range(0..n)),
        })
        .filter(|(a, b)| a != b)
        .collect();
    parallel_map(&pairs, |&(a, b)| compare(&prepared[a], &prepared[b]))
}

/// `items.iter().map(f).collect()` on every core, order kept. Comparisons dominate a run and are
/// independent; scoped threads over contiguous chunks are all it takes (no work stealing needed).
pub(crate) fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || items.len() < 4096 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        let mut out = Vec::with_capacity(items.len());
        for handle in handles {
            match handle.join() {
                Ok(part) => out.extend(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}

/// Applies analysts' judgements to the scored pairs: "same" forces a link (adding the pair if
/// blocking never proposed it), "different" forbids one, "unsure" only marks the pair. Returns the
/// pairs that must never share a cluster.
fn apply_judgements(
    pairs: &mut Vec<ScoredPair>,
    records: &[Record],
    prepared: &[Prepared],
    model: &Model,
    judgements: &[Judgement],
    stats: &mut Stats,
) -> Vec<(u32, u32)> {
    if judgements.is_empty() {
        return Vec::new();
    }
    let index: HashMap<&str, u32> = records
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i as u32))
        .collect();
    let mut cannot_link = Vec::new();
    for j in judgements {
        let (Some(&x), Some(&y)) = (index.get(j.a.as_str()), index.get(j.b.as_str())) else {
            stats.judgements_unmatched += 1;
            continue;
        };
        if x == y {
            stats.judgements_unmatched += 1;
            continue;
        }
        let (a, b) = (x.min(y), x.max(y));
        let at = match pairs.binary_search_by(|p| (p.a, p.b).cmp(&(a, b))) {
            Ok(at) => at,
            Err(at) => {
                let levels = compare(&prepared[a as usize], &prepared[b as usize]);
                let weight = model.weight(&levels);
                let probability = model.probability(weight);
                pairs.insert(
                    at,
                    ScoredPair {
                        a,
                        b,
                        levels,
                        weight,
                        probability,
                        judgement: None,
                    },
                );
                at
            }
        };
        let pair = &mut pairs[at];
        pair.judgement = Some(j.verdict);
        match j.verdict {
            Verdict::Same => pair.probability = 1.0,
            Verdict::NotSame => {
                pair.probability = 0.0;
                cannot_link.push((a, b));
            }
            Verdict::Unsure => {}
        }
        stats.judgements_applied += 1;
    }
    cannot_link
}

/// Connected components of the links (union-find), never joining two records judged different; each
/// record's cluster is the smallest index in it. Returns the clusters and the links refused.
pub fn cluster_with<'a>(
    n: usize,
    links: impl Iterator<Item = &'a ScoredPair>,
    cannot_link: &[(u32, u32)],
) -> (Vec<u32>, usize) {
    let mut parent: Vec<u32> = (0..n as u32).collect();
    fn find(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            parent[x as usize] = parent[parent[x as usize] as usize];
            x = parent[x as usize];
        }
        x
    }
    // For each root, the records its cluster must not meet (few: only judged pairs).
    let mut forbidden: HashMap<u32, Vec<u32>> = HashMap::new();
    for &(a, b) in cannot_link {
        forbidden.entry(a).or_default().push(b);
        forbidden.entry(b).or_default().push(a);
    }
    let mut refused = 0;
    for pair in links {
        let (ra, rb) = (find(&mut parent, pair.a), find(&mut parent, pair.b));
        if ra == rb {
            continue;
        }
        let clash = forbidden
            .get(&ra)
            .is_some_and(|others| others.iter().any(|&o| find(&mut parent, o) == rb));
        if clash {
            refused += 1;
            continue;
        }
        let (low, high) = if ra < rb { (ra, rb) } else { (rb, ra) };
        parent[high as usize] = low;
        if let Some(moved) = forbidden.remove(&high) {
            forbidden.entry(low).or_default().extend(moved);
        }
    }
    (
        (0..n as u32).map(|i| find(&mut parent, i)).collect(),
        refused,
    )
}

/// Connected components of the links (union-find); each record's cluster is the smallest index in it.
pub fn cluster<'a>(n: usize, links: impl Iterator<Item = &'a ScoredPair>) -> Vec<u32> {
    cluster_with(n, links, &[]).0
}
