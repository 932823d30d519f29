//! Online matching: one new record against the records already resolved, in about a millisecond.
//!
//! The index keeps each record's prepared form and, per blocking rule, its keys sorted (binary search;
//! 16 bytes per record and rule, where hash maps of vectors weighed several times more). A query
//! prepares the new record, gathers the records sharing a key with it, compares and scores them with
//! the run's model (term frequencies included), and returns the best candidates with their per-field
//! explanation. A block larger than the limit is skipped, as in batch runs.

use crate::compare::{compare, Field};
use crate::model::{FieldWeight, Model};
use crate::record::{Prepared, Record};
use crate::{keys, score, sorted_keys, tf_of};
use std::collections::HashMap;

/// Records sharing one key beyond this are not compared (the key says too little).
const MAX_BLOCK: usize = 5_000;

pub struct OnlineIndex {
    prepared: Vec<Prepared>,
    model: Model,
    tf_given: HashMap<String, f64>,
    tf_surname: HashMap<String, f64>,
    /// Per rule, (key, record) sorted by key.
    rules: Vec<Vec<(u64, u32)>>,
}

/// A record of the index that may be the same person as the query.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Index of the record in the run's input.
    pub record: u32,
    pub probability: f64,
    pub weight: f64,
    pub explanation: Vec<FieldWeight>,
}

impl OnlineIndex {
    pub(crate) fn new(
        prepared: Vec<Prepared>,
        model: Model,
        tf_given: HashMap<String, f64>,
        tf_surname: HashMap<String, f64>,
    ) -> OnlineIndex {
        let rules = sorted_keys(&prepared);
        OnlineIndex {
            prepared,
            model,
            tf_given,
            tf_surname,
            rules,
        }
    }

    pub fn len(&self) -> usize {
        self.prepared.len()
    }

    pub fn is_empty(&self) -> bool {
        self.prepared.is_empty()
    }

    /// The `limit` best candidates for a new record, most likely first.
    pub fn query(&self, record: &Record, limit: usize) -> Vec<Candidate> {
        let (query, _) = Prepared::new(record);
        let query_keys = keys(&query);
        let mut found: Vec<u32> = Vec::new();
        for (rule, &key) in query_keys.iter().enumerate() {
            if key == 0 {
                continue;
            }
            let entries = &self.rules[rule];
            let start = entries.partition_point(|e| e.0 < key);
            let end = entries[start..].partition_point(|e| e.0 == key) + start;
            if end - start <= MAX_BLOCK {
                found.extend(entries[start..end].iter().map(|e| e.1));
            }
        }
        found.sort_unstable();
        found.dedup();
        let mut scored: Vec<(u32, crate::compare::Levels, f64)> = found
            .into_iter()
            .map(|i| {
                let other = &self.prepared[i as usize];
                let levels = compare(&query, other);
                (
                    i,
                    levels,
                    score(
                        &self.model,
                        &levels,
                        &query,
                        other,
                        &self.tf_given,
                        &self.tf_surname,
                    ),
                )
            })
            .collect();
        scored.sort_by(|a, b| b.2.total_cmp(&a.2));
        scored.truncate(limit);
        // Explanations for the few returned only.
        scored
            .into_iter()
            .map(|(i, levels, weight)| {
                let other = &self.prepared[i as usize];
                let explanation = self.model.explain(&levels, |field: Field| {
                    tf_of(field, &query, other, &self.tf_given, &self.tf_surname)
                });
                Candidate {
                    record: i,
                    probability: self.model.probability(weight),
                    weight,
                    explanation,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::{dedupe, Options};

    fn record(id: &str, given: &str, surname: &str, birth: &str, postcode: &str) -> Record {
        Record {
            id: id.into(),
            given_name: given.into(),
            surname: surname.into(),
            birth_date: birth.into(),
            postcode: postcode.into(),
            ..Record::default()
        }
    }

    #[test]
    fn a_new_record_finds_its_person_with_an_explanation() {
        let given = [
            "Pierre", "Marie", "Sophie", "Karim", "Lucas", "Emma", "Nadia", "Hugo",
        ];
        let surnames = [
            "Durand", "Martin", "Bensalah", "Le Goff", "Nguyen", "Moreau", "Faure", "Roussel",
        ];
        let mut records = Vec::new();
        for (i, g) in given.iter().enumerate() {
            for (j, s) in surnames.iter().enumerate() {
                let birth = format!("19{:02}-{:02}-{:02}", 50 + i * 5 + j, 1 + j, 1 + i * 3);
                records.push(record(
                    &format!("R{i}{j}"),
                    g,
                    s,
                    &birth,
                    &format!("{:05}", 13001 + i * 100 + j),
                ));
            }
        }
        let index = dedupe(&records, &Options::default()).into_index();
        assert_eq!(index.len(), 64);
        // Karim BEN SALAH, born 1967-03-10 (i = 3, j = 2), typed differently by another service.
        let query = record("Q", "KARIM", "BEN SALAH", "10/03/1967", "13303");
        let found = index.query(&query, 3);
        assert_eq!(records[found[0].record as usize].id, "R32", "{found:?}");
        // No duplicates to learn from here, so the probability stays low; the evidence is strong.
        assert!(found[0].weight > 20.0, "{found:?}");
        assert!(found.iter().skip(1).all(|c| c.weight < found[0].weight));
        let surname = found[0]
            .explanation
            .iter()
            .find(|w| w.field == "nom")
            .unwrap();
        assert_eq!(surname.level, "identique");
        assert!(index
            .query(&record("Q2", "Zoé", "Xylander", "2001-02-03", "97400"), 3)
            .is_empty());
    }
}
