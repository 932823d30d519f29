//! The Fellegi-Sunter model: for each field and level, m (how often true matches are on it) and u (how
//! often non-matches are), learned without labels; u from random pairs, m and the match rate by
//! expectation-maximisation over the blocked pairs. A score is the sum of log2(m/u) over fields, with a
//! term-frequency adjustment for names that agree exactly (a rare surname says more than "Martin").
//!
//! Every score can be explained field by field, and carries the model's version: a hash of its
//! parameters, so that a score can be traced to the model that gave it.

use crate::compare::{Field, Levels, FIELDS, N_FIELDS};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Levels per field, "absent" (0) included; the widest ladder has 6 levels.
const MAX_LEVELS: usize = 7;
/// Floor of every probability, so that a level never seen does not give an infinite weight.
const FLOOR: f64 = 1e-6;

#[derive(Debug, Clone, Serialize)]
pub struct Model {
    /// m[field][level]
    pub m: [[f64; MAX_LEVELS]; N_FIELDS],
    /// u[field][level]
    pub u: [[f64; MAX_LEVELS]; N_FIELDS],
    /// Prior probability that two records taken at random are the same person.
    pub lambda: f64,
    pub em_iterations: usize,
}

/// A training session: blocked pairs that all agree exactly on `fixed`.
pub struct Session<'a> {
    pub pairs: &'a [Levels],
    pub fixed: &'a [Field],
}

/// One field's part of a score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldWeight {
    pub field: &'static str,
    pub level: &'static str,
    /// log2(m/u), term-frequency adjustment included.
    pub weight: f64,
}

impl Model {
    /// Learns the model without labels, as Splink does. `u` comes from the levels of random pairs.
    /// `m` comes from expectation-maximisation in sessions: each session is a set of blocked pairs that
    /// agree exactly on some fields (the same birth date; the same names), and learns m for the other
    /// fields only, so that "the same place" cannot pass for "the same person" (EM on all blocked pairs
    /// at once settles on whatever the blocks have in common). Then λ, the chance that two records taken
    /// at random are the same person, by EM over all blocked pairs with m and u fixed; `total_pairs` is
    /// the number of pairs there are in all (u comes from random pairs, so a prior taken over blocked
    /// pairs only would count the blocking's evidence twice).
    pub fn train(
        random_pairs: &[Levels],
        sessions: &[Session<'_>],
        blocked_pairs: &[Levels],
        total_pairs: f64,
        max_iterations: usize,
    ) -> Model {
        let mut u = [[0.0; MAX_LEVELS]; N_FIELDS];
        for (f, row) in u.iter_mut().enumerate() {
            *row = distribution(random_pairs.iter().map(|l| l[f]), |_| 1.0);
        }
        // Start: matches mostly agree (level 1), decreasingly less on lower levels.
        let mut m = [[0.0; MAX_LEVELS]; N_FIELDS];
        for (f, row) in m.iter_mut().enumerate() {
            let n = FIELDS[f].levels().len();
            for (l, value) in row.iter_mut().enumerate().take(n + 1).skip(1) {
                *value = if l == 1 {
                    0.9
                } else {
                    0.1 / (n - 1).max(1) as f64
                };
            }
        }
        let initial = m;
        let mut model = Model {
            m,
            u,
            lambda: 1e-6,
            em_iterations: 0,
        };
        // Per field, the sum of the session estimates and their number.
        let mut sums = [[0.0; MAX_LEVELS]; N_FIELDS];
        let mut counts = [0usize; N_FIELDS];
        for session in sessions.iter().filter(|s| !s.pairs.is_empty()) {
            let mut local = Model {
                m: initial,
                u,
                lambda: 0.3,
                em_iterations: 0,
            };
            for _ in 0..max_iterations {
                let mut m_new = [[0.0; MAX_LEVELS]; N_FIELDS];
                let mut total = 0.0;
                for levels in session.pairs {
                    let w: f64 = levels
                        .iter()
                        .enumerate()
                        .filter(|(f, &l)| l != 0 && !session.fixed.contains(&FIELDS[*f]))
                        .map(|(f, &l)| {
                            (local.m[f][usize::from(l)].max(FLOOR)
                                / local.u[f][usize::from(l)].max(FLOOR))
                            .log2()
                        })
                        .sum();
                    let p = local.probability(w);
                    total += p;
                    for (f, &l) in levels.iter().enumerate() {
                        m_new[f][usize::from(l)] += p;
                    }
                }
                let lambda = (total / session.pairs.len() as f64).clamp(1e-9, 1.0 - 1e-9);
                let mut change = (lambda - local.lambda).abs();
                for (new_row, row) in m_new.iter().zip(local.m.iter_mut()) {
                    let present: f64 = new_row[1..].iter().sum();
                    for (new_value, value) in new_row.iter().zip(row.iter_mut()).skip(1) {
                        let next = if present > 0.0 {
                            (new_value / present).max(FLOOR)
                        } else {
                            *value
                        };
                        change = change.max((next - *value).abs());
                        *value = next;
                    }
                }
                local.lambda = lambda;
                model.em_iterations += 1;
                if change < 1e-5 {
                    break;
                }
            }
            for (f, field) in FIELDS.iter().enumerate() {
                if !session.fixed.contains(field) {
                    for (sum, value) in sums[f].iter_mut().zip(local.m[f].iter()).skip(1) {
                        *sum += value;
                    }
                    counts[f] += 1;
                }
            }
        }
        for ((row, sum), &count) in model.m.iter_mut().zip(sums.iter()).zip(counts.iter()) {
            if count > 0 {
                for (value, total) in row.iter_mut().zip(sum.iter()).skip(1) {
                    *value = total / count as f64;
                }
            }
        }
        // λ with m and u fixed; pairs outside the blocks count as non-matches.
        let total_pairs = total_pairs.max(blocked_pairs.len() as f64).max(1.0);
        model.lambda = (0.1 * blocked_pairs.len() as f64 / total_pairs).clamp(1e-12, 0.5);
        let weights: Vec<f64> = blocked_pairs.iter().map(|l| model.weight(l)).collect();
        for _ in 0..max_iterations {
            let expected: f64 = weights.iter().map(|&w| model.probability(w)).sum();
            let lambda = (expected / total_pairs).clamp(1e-12, 1.0 - 1e-9);
            let change = (lambda - model.lambda).abs() / model.lambda;
            model.lambda = lambda;
            if change < 1e-4 {
                break;
            }
        }
        model
    }

    /// log2(m/u) summed over fields present on both sides (no term-frequency adjustment).
    #[inline]
    pub fn weight(&self, levels: &Levels) -> f64 {
        let mut w = 0.0;
        for (f, &l) in levels.iter().enumerate() {
            if l != 0 {
                let l = usize::from(l);
                w += (self.m[f][l].max(FLOOR) / self.u[f][l].max(FLOOR)).log2();
            }
        }
        w
    }

    /// The match probability of a weight, given the prior.
    #[inline]
    pub fn probability(&self, weight: f64) -> f64 {
        let prior = (self.lambda / (1.0 - self.lambda)).log2();
        1.0 / (1.0 + (-(weight + prior)).exp2())
    }

    /// The per-field weights of a pair; `tf` gives, for the name fields that agree exactly, the share of
    /// records carrying that value (replacing u for that level).
    pub fn explain(&self, levels: &Levels, tf: impl Fn(Field) -> Option<f64>) -> Vec<FieldWeight> {
        FIELDS
            .iter()
            .zip(levels.iter())
            .map(|(&field, &l)| {
                let f = field as usize;
                let weight = if l == 0 {
                    0.0
                } else {
                    let li = usize::from(l);
                    let u = match (l, tf(field)) {
                        (1, Some(freq)) => freq.max(FLOOR),
                        _ => self.u[f][li].max(FLOOR),
                    };
                    (self.m[f][li].max(FLOOR) / u).log2()
                };
                FieldWeight {
                    field: field.name(),
                    level: field.level_name(l),
                    weight,
                }
            })
            .collect()
    }

    /// A short, stable name of this model's parameters: "fs1-" + 12 hex digits of their hash.
    pub fn version(&self) -> String {
        let mut hasher = Sha256::new();
        for row in self.m.iter().chain(self.u.iter()) {
            for v in row {
                hasher.update(v.to_le_bytes());
            }
        }
        hasher.update(self.lambda.to_le_bytes());
        let digest = hasher.finalize();
        let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
        format!("fs1-{hex}")
    }
}

/// The share of each level among present values (level 0 excluded), weighted.
fn distribution(levels: impl Iterator<Item = u8>, weight: impl Fn(u8) -> f64) -> [f64; MAX_LEVELS] {
    let mut counts = [0.0; MAX_LEVELS];
    for l in levels {
        counts[usize::from(l)] += weight(l);
    }
    let present: f64 = counts[1..].iter().sum();
    let mut out = [0.0; MAX_LEVELS];
    for l in 1..MAX_LEVELS {
        // Add-one smoothing: a level never seen among random pairs is rare, not impossible.
        out[l] = (counts[l] + 1.0) / (present + MAX_LEVELS as f64);
    }
    out
}
