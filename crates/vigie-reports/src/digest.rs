//! What a partner (a town, a landlord) may see of the reports and dealing points in its communes:
//! per commune, how many reports, how many were processed, and how many live dealing points are
//! known there (never where), each count suppressed below 5.
//!
//! A small count could point at a person ("one report in this street, and only the caretaker saw
//! it"), so every count from 0 to 4 reads "fewer than 5". Zero is suppressed too: if zero showed
//! as 0, "fewer than 5" would mean "1 to 4", and a partner could tell a commune where someone
//! reported from one where nobody did. For the same reason, `digest_communes` lists every commune
//! of the partner, reported or not: a commune missing from the table would also betray a zero.
//!
//! This module only counts what it is given: which communes a partner may see, and which reports
//! and points count, are the engine's. The partner never sees a report or a point itself here.
//!
//! In JSON a count is a number when it is 5 or more, and the string `"fewer_than_5"` otherwise.

use crate::status::ReporterStatus;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;

/// Counts below this are suppressed.
pub const SUPPRESSION_THRESHOLD: u64 = 5;

/// A count as a partner sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Count {
    /// 5 or more, exactly.
    AtLeast5(u64),
    /// From 0 to 4.
    FewerThan5,
}

/// The JSON text of `Count::FewerThan5`.
const FEWER_THAN_5: &str = "fewer_than_5";

/// `n` as a partner may see it: 0 to 4 are all `FewerThan5`.
pub fn suppressed(n: u64) -> Count {
    if n < SUPPRESSION_THRESHOLD {
        Count::FewerThan5
    } else {
        Count::AtLeast5(n)
    }
}

impl fmt::Display for Count {
    /// "moins de 5", or the number.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Count::AtLeast5(n) => write!(f, "{n}"),
            Count::FewerThan5 => f.write_str("moins de 5"),
        }
    }
}

impl Serialize for Count {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Count::AtLeast5(n) => serializer.serialize_u64(*n),
            Count::FewerThan5 => serializer.serialize_str(FEWER_THAN_5),
        }
    }
}

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Number(u64),
            Text(String),
        }
        match Repr::deserialize(deserializer)? {
            Repr::Number(n) if n >= SUPPRESSION_THRESHOLD => Ok(Count::AtLeast5(n)),
            Repr::Number(n) => Err(serde::de::Error::custom(format!(
                "a count of {n} must be written \"{FEWER_THAN_5}\""
            ))),
            Repr::Text(text) if text == FEWER_THAN_5 => Ok(Count::FewerThan5),
            Repr::Text(text) => Err(serde::de::Error::custom(format!("unknown count {text:?}"))),
        }
    }
}

/// One commune's line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommuneDigest {
    /// INSEE code.
    pub commune: String,
    pub reports: Count,
    /// Reports the reporter would see as processed.
    pub processed: Count,
    /// Dealing points known to be live there (confirmed, active or resurgent): the aggregate a
    /// mayor may know, never where they are.
    #[serde(default = "fewer_than_5")]
    pub points: Count,
}

fn fewer_than_5() -> Count {
    Count::FewerThan5
}

/// The raw counts of one commune, before suppression.
#[derive(Clone, Copy, Default)]
struct Tally {
    reports: u64,
    processed: u64,
    points: u64,
}

fn lines(counts: BTreeMap<&str, Tally>) -> Vec<CommuneDigest> {
    counts
        .into_iter()
        .map(|(commune, tally)| CommuneDigest {
            commune: commune.to_owned(),
            reports: suppressed(tally.reports),
            processed: suppressed(tally.processed),
            points: suppressed(tally.points),
        })
        .collect()
}

fn tally_report(counts: &mut BTreeMap<&str, Tally>, commune: &str, status: ReporterStatus) {
    if let Some(tally) = counts.get_mut(commune) {
        tally.reports += 1;
        if status == ReporterStatus::Processed {
            tally.processed += 1;
        }
    }
}

/// One line per commune present in `rows` (one row per report: its commune and what its reporter
/// sees of its status), sorted by commune. Communes without reports do not appear, and no points
/// are counted: prefer `digest_communes` for what a partner sees.
pub fn digest(rows: &[(String, ReporterStatus)]) -> Vec<CommuneDigest> {
    let mut counts: BTreeMap<&str, Tally> = BTreeMap::new();
    for (commune, status) in rows {
        counts.entry(commune.as_str()).or_default();
        tally_report(&mut counts, commune, *status);
    }
    lines(counts)
}

/// One line for each of `communes` (the partner's, duplicates merged), sorted, counting only the
/// reports (`rows`) and live points (`points`: one commune code per point) of those communes: a
/// commune without any appears with "fewer than 5".
pub fn digest_communes(
    communes: &[String],
    rows: &[(String, ReporterStatus)],
    points: &[String],
) -> Vec<CommuneDigest> {
    let mut counts: BTreeMap<&str, Tally> = communes
        .iter()
        .map(|commune| (commune.as_str(), Tally::default()))
        .collect();
    for (commune, status) in rows {
        tally_report(&mut counts, commune, *status);
    }
    for commune in points {
        if let Some(tally) = counts.get_mut(commune.as_str()) {
            tally.points += 1;
        }
    }
    lines(counts)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use ReporterStatus::*;

    #[test]
    fn suppression_table() {
        for (n, expected, shown) in [
            (0, Count::FewerThan5, "moins de 5"),
            (1, Count::FewerThan5, "moins de 5"),
            (4, Count::FewerThan5, "moins de 5"),
            (5, Count::AtLeast5(5), "5"),
            (1234, Count::AtLeast5(1234), "1234"),
        ] {
            assert_eq!(suppressed(n), expected, "{n}");
            assert_eq!(suppressed(n).to_string(), shown);
        }
    }

    #[test]
    fn json() {
        assert_eq!(serde_json::to_value(Count::AtLeast5(7)).unwrap(), 7);
        assert_eq!(
            serde_json::to_value(Count::FewerThan5).unwrap(),
            "fewer_than_5"
        );
        assert_eq!(
            serde_json::from_value::<Count>(serde_json::json!(7)).unwrap(),
            Count::AtLeast5(7)
        );
        assert_eq!(
            serde_json::from_value::<Count>(serde_json::json!("fewer_than_5")).unwrap(),
            Count::FewerThan5
        );
        assert!(serde_json::from_value::<Count>(serde_json::json!(3)).is_err());
        assert!(serde_json::from_value::<Count>(serde_json::json!("3")).is_err());
    }

    fn rows(spec: &[(&str, ReporterStatus, usize)]) -> Vec<(String, ReporterStatus)> {
        spec.iter()
            .flat_map(|(commune, status, n)| {
                std::iter::repeat_n(((*commune).to_owned(), *status), *n)
            })
            .collect()
    }

    #[test]
    fn digest_counts_and_sorts() {
        let rows = rows(&[
            ("93066", Processed, 4),
            ("13055", Received, 2),
            ("93066", InProgress, 3),
            ("13055", Processed, 1),
            ("2A004", Processed, 6),
        ]);
        let got = digest(&rows);
        assert_eq!(
            got,
            [
                CommuneDigest {
                    commune: "13055".into(),
                    reports: Count::FewerThan5,
                    processed: Count::FewerThan5,
                    points: Count::FewerThan5
                },
                CommuneDigest {
                    commune: "2A004".into(),
                    reports: Count::AtLeast5(6),
                    processed: Count::AtLeast5(6),
                    points: Count::FewerThan5
                },
                CommuneDigest {
                    commune: "93066".into(),
                    reports: Count::AtLeast5(7),
                    processed: Count::FewerThan5,
                    points: Count::FewerThan5
                },
            ]
        );
        assert!(digest(&[]).is_empty());
    }

    #[test]
    fn live_points_are_counted_per_commune_and_suppressed_below_five() {
        let communes = vec!["13201".to_owned(), "13203".to_owned()];
        let points: Vec<String> = std::iter::repeat_n("13203".to_owned(), 6)
            .chain(std::iter::repeat_n("13201".to_owned(), 4))
            .chain(std::iter::once("75056".to_owned()))
            .collect();
        let got = digest_communes(&communes, &[], &points);
        assert_eq!(
            got.iter()
                .map(|line| (line.commune.as_str(), line.points))
                .collect::<Vec<_>>(),
            [("13201", Count::FewerThan5), ("13203", Count::AtLeast5(6))],
            "a commune outside the partner's is not listed"
        );
    }

    #[test]
    fn digest_of_a_partner_lists_every_commune() {
        let rows = rows(&[("93066", Processed, 5), ("75056", Processed, 9)]);
        let communes = vec!["93066".to_owned(), "93008".to_owned(), "93066".to_owned()];
        let got = digest_communes(&communes, &rows, &[]);
        assert_eq!(
            got,
            [
                CommuneDigest {
                    commune: "93008".into(),
                    reports: Count::FewerThan5,
                    processed: Count::FewerThan5,
                    points: Count::FewerThan5
                },
                CommuneDigest {
                    commune: "93066".into(),
                    reports: Count::AtLeast5(5),
                    processed: Count::AtLeast5(5),
                    points: Count::FewerThan5
                },
            ]
        );
    }
}
