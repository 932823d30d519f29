//! Dealing points and their lifecycle: the statuses of a point and the table of allowed moves,
//! the police operations and prices seen there, and resurgence, when reports come back to a point
//! after it was dismantled.
//!
//! A point gathers reports (`reports`), its usual days and hours, and the points it moved to or
//! from after an operation (`moved_to`, `moved_from`). `DealingPoint::apply` checks and records a
//! move like `Report::apply`. `is_resurgent` says when recent reports around a dismantled point are
//! numerous and independent enough to call it resurgent; the engine then proposes the move to an
//! analyst, it never makes it on its own. This module does not store, does not decide who may
//! see a point (the access policy does), and keeps no personal data: a point is a place.

use crate::model::{FieldError, Pin, TimeSlot, Weekday};
use crate::report::{Channel, Report};
use crate::status::{check_motivation, MotivationFault, ReportStatus, MAX_MOTIVATION_CHARS};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use uuid::Uuid;

labelled_enum! {
    /// Where a dealing point stands.
    pub enum PointStatus ("Statut de point de deal inconnu") {
        /// Known from reports only.
        Reported = "reported", "Signalé";
        /// Confirmed by a service (observation, investigation).
        Confirmed = "confirmed", "Confirmé";
        /// Confirmed and currently selling.
        Active = "active", "Actif";
        /// Dismantled by an operation (`DealingPoint::dismantled_at_micros`).
        Dismantled = "dismantled", "Démantelé";
        /// Retaken, and watched for a return of the dealing.
        UnderWatch = "under_watch", "Sous surveillance après reconquête";
        /// Dealing came back after the dismantling.
        Resurgent = "resurgent", "Résurgent";
        /// Closed for good (a mistake, a demolished building, a long quiet).
        Closed = "closed", "Fermé";
    }
}

impl PointStatus {
    /// Whether dealing is known to go on there: confirmed, active or resurgent (a point only
    /// reported is not known yet; dismantled, watched and closed ones are not live).
    pub fn is_live(self) -> bool {
        matches!(
            self,
            PointStatus::Confirmed | PointStatus::Active | PointStatus::Resurgent
        )
    }
}

/// Whether a point may move from `from` to `to`.
///
/// | from          | allowed to                              |
/// |---------------|-----------------------------------------|
/// | `Reported`    | `Confirmed`, `Closed`                   |
/// | `Confirmed`   | `Active`, `Dismantled`, `Closed`        |
/// | `Active`      | `Dismantled`, `Closed`                  |
/// | `Dismantled`  | `UnderWatch`, `Resurgent`, `Closed`     |
/// | `UnderWatch`  | `Resurgent`, `Closed`                   |
/// | `Resurgent`   | `Active`, `Dismantled`, `Closed`        |
/// | `Closed`      | nothing: a point that comes back is a new point, linked by `moved_from` |
///
/// No status moves to itself.
pub fn can_move(from: PointStatus, to: PointStatus) -> bool {
    use PointStatus::*;
    match from {
        Reported => matches!(to, Confirmed | Closed),
        Confirmed => matches!(to, Active | Dismantled | Closed),
        Active => matches!(to, Dismantled | Closed),
        Dismantled => matches!(to, UnderWatch | Resurgent | Closed),
        UnderWatch => matches!(to, Resurgent | Closed),
        Resurgent => matches!(to, Active | Dismantled | Closed),
        Closed => false,
    }
}

/// One recorded move of a point.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointTransition {
    pub from: PointStatus,
    pub to: PointStatus,
    pub at_micros: i64,
    pub by: String,
    /// Why, trimmed.
    pub motivation: String,
}

/// Why a move of a point was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PointStatusError {
    #[error("On ne peut pas passer de « {} » à « {} ».", .from.label(), .to.label())]
    NotAllowed { from: PointStatus, to: PointStatus },
    #[error("Une motivation est obligatoire pour changer le statut.")]
    MotivationRequired,
    #[error("La motivation ne doit pas dépasser {MAX_MOTIVATION_CHARS} caractères.")]
    MotivationTooLong,
}

/// Checks a move of a point: allowed by `can_move`, then a motivation of 1 to 2000 characters.
pub fn check_transition(
    from: PointStatus,
    to: PointStatus,
    motivation: &str,
) -> Result<(), PointStatusError> {
    if !can_move(from, to) {
        return Err(PointStatusError::NotAllowed { from, to });
    }
    match check_motivation(motivation) {
        Ok(_) => Ok(()),
        Err(MotivationFault::Required) => Err(PointStatusError::MotivationRequired),
        Err(MotivationFault::TooLong) => Err(PointStatusError::MotivationTooLong),
    }
}

labelled_enum! {
    /// What kind of police operation took place at a point.
    pub enum OperationKind ("Type d'opération inconnu") {
        Harassment = "harassment", "Opération de harcèlement";
        Arrests = "arrests", "Interpellations";
        Seizure = "seizure", "Saisie";
        Other = "other", "Autre";
    }
}

/// Longest label of a point, in characters.
pub const MAX_LABEL_CHARS: usize = 200;
/// Longest note of an operation, in characters.
pub const MAX_OPERATION_NOTE_CHARS: usize = 2000;
/// Longest product name of a price, in characters.
pub const MAX_PRODUCT_CHARS: usize = 100;
/// Longest unit of a price, in characters.
pub const MAX_UNIT_CHARS: usize = 30;
/// Highest price, in euros.
pub const MAX_PRICE_EUR: f64 = 100_000.0;

/// A police operation at a point.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointOperation {
    /// The day, `YYYY-MM-DD`.
    pub date: String,
    pub kind: OperationKind,
    #[serde(default)]
    pub note: String,
}

impl PointOperation {
    /// Checks the date and the length of the note.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut faults = Vec::new();
        if let Err(fault) = validate_date("date", &self.date) {
            faults.push(fault);
        }
        if self.note.trim().chars().count() > MAX_OPERATION_NOTE_CHARS {
            faults.push(FieldError::new(
                "note",
                format!("La note ne doit pas dépasser {MAX_OPERATION_NOTE_CHARS} caractères."),
            ));
        }
        if faults.is_empty() {
            Ok(())
        } else {
            Err(faults)
        }
    }
}

/// A price seen at a point ("10 € le gramme de résine le 2024-05-12").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PriceSeen {
    pub product: String,
    /// The price in euros, when known.
    pub price_eur: Option<f64>,
    /// The unit of the price: "g", "barrette", "pochon"...
    #[serde(default)]
    pub unit: String,
    /// The day, `YYYY-MM-DD`.
    pub seen_on: String,
}

impl PriceSeen {
    /// Checks the product, the price (positive, finite, at most 100 000 €), the unit (needed with
    /// a price) and the day.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut faults = Vec::new();
        let product = self.product.trim().chars().count();
        if product == 0 {
            faults.push(FieldError::new(
                "product",
                "Indiquez le produit (résine de cannabis, herbe, cocaïne...).",
            ));
        } else if product > MAX_PRODUCT_CHARS {
            faults.push(FieldError::new(
                "product",
                format!("Le produit ne doit pas dépasser {MAX_PRODUCT_CHARS} caractères."),
            ));
        }
        if let Some(price) = self.price_eur {
            if !(price.is_finite() && price > 0.0 && price <= MAX_PRICE_EUR) {
                faults.push(FieldError::new(
                    "price_eur",
                    "Le prix doit être un montant positif en euros, de 100 000 € au plus.",
                ));
            }
        }
        let unit = self.unit.trim().chars().count();
        if unit > MAX_UNIT_CHARS {
            faults.push(FieldError::new(
                "unit",
                format!("L'unité ne doit pas dépasser {MAX_UNIT_CHARS} caractères."),
            ));
        } else if unit == 0 && self.price_eur.is_some() {
            faults.push(FieldError::new(
                "unit",
                "Indiquez l'unité du prix (g, barrette, pochon...).",
            ));
        }
        if let Err(fault) = validate_date("seen_on", &self.seen_on) {
            faults.push(fault);
        }
        if faults.is_empty() {
            Ok(())
        } else {
            Err(faults)
        }
    }
}

/// Checks a point's label (1 to 200 characters once trimmed) and returns it trimmed.
pub fn validate_label(label: &str) -> Result<String, FieldError> {
    let label = label.trim();
    let count = label.chars().count();
    if count == 0 {
        Err(FieldError::new(
            "label",
            "Donnez un nom au point de deal (par exemple « Hall du 12, cité des Fleurs »).",
        ))
    } else if count > MAX_LABEL_CHARS {
        Err(FieldError::new(
            "label",
            format!("Le nom du point ne doit pas dépasser {MAX_LABEL_CHARS} caractères."),
        ))
    } else {
        Ok(label.to_owned())
    }
}

/// Checks that `text` is a day written `YYYY-MM-DD` that exists (years 1900 to 2999), at `field`.
pub fn validate_date(field: &'static str, text: &str) -> Result<(), FieldError> {
    if parse_date(text.trim()).is_some() {
        Ok(())
    } else {
        Err(FieldError::new(
            field,
            "La date doit être écrite AAAA-MM-JJ et exister (par exemple 2024-06-01).",
        ))
    }
}

/// Reads `YYYY-MM-DD` into (year, month, day) if the day exists.
fn parse_date(text: &str) -> Option<(u32, u32, u32)> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = text.get(range)?;
        if part.bytes().all(|b| b.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    ((1900..=2999).contains(&year) && (1..=days_in_month).contains(&day))
        .then_some((year, month, day))
}

/// A dealing point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DealingPoint {
    pub id: Uuid,
    /// A short name ("Hall du 12, cité des Fleurs").
    pub label: String,
    pub commune: Option<String>,
    pub departement: Option<String>,
    pub pin: Pin,
    pub status: PointStatus,
    pub history: Vec<PointTransition>,
    pub created_at_micros: i64,
    /// When it was last dismantled (set on every entry into `Dismantled`).
    pub dismantled_at_micros: Option<i64>,
    /// The reports attached to it.
    #[serde(default)]
    pub reports: Vec<Uuid>,
    #[serde(default)]
    pub days: Vec<Weekday>,
    #[serde(default)]
    pub slots: Vec<TimeSlot>,
    #[serde(default)]
    pub prices: Vec<PriceSeen>,
    #[serde(default)]
    pub operations: Vec<PointOperation>,
    /// Points the dealing moved to after an operation here.
    #[serde(default)]
    pub moved_to: Vec<Uuid>,
    /// Points the dealing came from.
    #[serde(default)]
    pub moved_from: Vec<Uuid>,
}

impl DealingPoint {
    /// A new point, status `Reported`, its label checked and trimmed.
    pub fn new(
        id: Uuid,
        label: &str,
        pin: Pin,
        commune: Option<String>,
        departement: Option<String>,
        created_at_micros: i64,
    ) -> Result<DealingPoint, FieldError> {
        Ok(DealingPoint {
            id,
            label: validate_label(label)?,
            commune,
            departement,
            pin,
            status: PointStatus::Reported,
            history: Vec::new(),
            created_at_micros,
            dismantled_at_micros: None,
            reports: Vec::new(),
            days: Vec::new(),
            slots: Vec::new(),
            prices: Vec::new(),
            operations: Vec::new(),
            moved_to: Vec::new(),
            moved_from: Vec::new(),
        })
    }

    /// Moves the point to `to` and records the move; entering `Dismantled` sets
    /// `dismantled_at_micros` to `at_micros`. On error nothing changes.
    pub fn apply(
        &mut self,
        to: PointStatus,
        by: &str,
        motivation: &str,
        at_micros: i64,
    ) -> Result<(), PointStatusError> {
        check_transition(self.status, to, motivation)?;
        if to == PointStatus::Dismantled {
            self.dismantled_at_micros = Some(at_micros);
        }
        self.history.push(PointTransition {
            from: self.status,
            to,
            at_micros,
            by: by.to_owned(),
            motivation: motivation.trim().to_owned(),
        });
        self.status = to;
        Ok(())
    }
}

/// One day in microseconds.
pub const DAY_MICROS: i64 = 86_400_000_000;

/// When recent reports around a dismantled point make it resurgent.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResurgenceRule {
    /// How far from the point a report may be, in metres (default 300).
    pub radius_m: f64,
    /// How long after the dismantling reports count, in days (default 90).
    pub within_days: u32,
    /// How many independent sources are needed (default 2; 0 counts as 1).
    pub min_reports: usize,
}

impl Default for ResurgenceRule {
    fn default() -> Self {
        ResurgenceRule {
            radius_m: 300.0,
            within_days: 90,
            min_reports: 2,
        }
    }
}

/// A located report, as resurgence sees it.
///
/// `source` is the report's independence key: `"public:<day>"` for a report of the public form
/// (`<day>` is the number of days since the Unix epoch, UTC, of its receipt) and
/// `"partner:<unit>"` for a partner's report (`<unit>` is the partner unit's identifier).
/// Public reports are anonymous: one resident, or one trafficker wanting to send the police
/// where the dealing is not, can send many in a row, so all public reports of one day count as
/// one source. A partner unit speaks with one voice, whichever of its accounts writes, so all its
/// reports count as one source. Resurgence then needs reports from different days or different
/// partners, which one insistent person alone cannot produce in an afternoon.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportSighting {
    pub pin: Pin,
    pub at_micros: i64,
    pub source: String,
}

impl ReportSighting {
    /// The independence key of a report that came in by `channel` at `at_micros`.
    pub fn source_of(channel: &Channel, at_micros: i64) -> String {
        match channel {
            Channel::Public => format!("public:{}", at_micros.div_euclid(DAY_MICROS)),
            Channel::Partner { unit, .. } => format!("partner:{unit}"),
        }
    }

    /// The sighting of a stored report: `None` when it has no pin (a commune alone is too coarse
    /// to be near a point) or when it is suspected of being malicious.
    pub fn from_report(report: &Report) -> Option<ReportSighting> {
        if report.status == ReportStatus::SuspectedMalicious {
            return None;
        }
        let pin = report.draft.pin?;
        Some(ReportSighting {
            pin,
            at_micros: report.received_hour_micros,
            source: ReportSighting::source_of(&report.channel, report.received_hour_micros),
        })
    }
}

/// Whether `point` is resurgent under `rule`: it is `Dismantled` or `UnderWatch`, and at least
/// `rule.min_reports` sightings with distinct sources lie within `rule.radius_m` of it, strictly
/// after its dismantling and at most `rule.within_days` days after it.
pub fn is_resurgent(
    rule: &ResurgenceRule,
    point: &DealingPoint,
    reports: &[ReportSighting],
) -> bool {
    if !matches!(
        point.status,
        PointStatus::Dismantled | PointStatus::UnderWatch
    ) {
        return false;
    }
    let Some(dismantled) = point.dismantled_at_micros else {
        return false;
    };
    let until = dismantled.saturating_add(i64::from(rule.within_days).saturating_mul(DAY_MICROS));
    let needed = rule.min_reports.max(1);
    let mut sources: HashSet<&str> = HashSet::new();
    for sighting in reports {
        if sighting.at_micros > dismantled
            && sighting.at_micros <= until
            && sighting.pin.is_valid()
            && point.pin.distance_m(&sighting.pin) <= rule.radius_m
        {
            sources.insert(&sighting.source);
            if sources.len() >= needed {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::PointStatus::*;
    use super::*;

    #[test]
    fn transition_table() {
        let allowed: &[(PointStatus, &[PointStatus])] = &[
            (Reported, &[Confirmed, Closed]),
            (Confirmed, &[Active, Dismantled, Closed]),
            (Active, &[Dismantled, Closed]),
            (Dismantled, &[UnderWatch, Resurgent, Closed]),
            (UnderWatch, &[Resurgent, Closed]),
            (Resurgent, &[Active, Dismantled, Closed]),
            (Closed, &[]),
        ];
        assert_eq!(allowed.len(), PointStatus::ALL.len());
        for (from, targets) in allowed {
            for to in PointStatus::ALL {
                assert_eq!(
                    can_move(*from, to),
                    targets.contains(&to),
                    "{from:?} -> {to:?}"
                );
            }
        }
    }

    const PIN: Pin = Pin {
        lat: 43.3390,
        lon: 5.4030,
    };

    fn point() -> DealingPoint {
        DealingPoint::new(Uuid::from_u128(1), "  Hall du 12  ", PIN, None, None, 0).unwrap()
    }

    #[test]
    fn apply_records_and_dates_the_dismantling() {
        let mut point = point();
        assert_eq!(point.label, "Hall du 12");
        assert_eq!(
            point.apply(Dismantled, "chef", "Opération", 5),
            Err(PointStatusError::NotAllowed {
                from: Reported,
                to: Dismantled
            })
        );
        point.apply(Confirmed, "chef", "Observation", 10).unwrap();
        point.apply(Active, "chef", "Vente vue", 20).unwrap();
        assert_eq!(
            point.apply(Dismantled, "chef", "  ", 30),
            Err(PointStatusError::MotivationRequired)
        );
        assert_eq!(point.dismantled_at_micros, None);
        point
            .apply(Dismantled, "chef", " Opération du 3 juin ", 30)
            .unwrap();
        assert_eq!(point.dismantled_at_micros, Some(30));
        point.apply(Resurgent, "chef", "Retour", 40).unwrap();
        point
            .apply(Dismantled, "chef", "Seconde opération", 50)
            .unwrap();
        assert_eq!(point.dismantled_at_micros, Some(50));
        point.apply(Closed, "chef", "Immeuble démoli", 60).unwrap();
        assert_eq!(point.history.len(), 6);
        assert_eq!(point.history[2].motivation, "Opération du 3 juin");
        assert_eq!(
            point
                .apply(Active, "chef", "x", 70)
                .unwrap_err()
                .to_string(),
            "On ne peut pas passer de « Fermé » à « Actif »."
        );
        let error = point.apply(Active, "chef", &"x".repeat(2001), 70);
        assert!(error.is_err());
        let mut fresh = self::point();
        assert_eq!(
            fresh.apply(Confirmed, "chef", &"x".repeat(2001), 70),
            Err(PointStatusError::MotivationTooLong)
        );
    }

    #[track_caller]
    fn check_date(text: &str, ok: bool) {
        assert_eq!(validate_date("date", text).is_ok(), ok, "{text:?}");
    }

    #[test]
    fn dates() {
        check_date("2024-06-01", true);
        check_date(" 2024-06-01 ", true);
        check_date("2024-02-29", true);
        check_date("2000-02-29", true);
        check_date("1900-02-29", false);
        check_date("2023-02-29", false);
        check_date("2024-04-31", false);
        check_date("2024-13-01", false);
        check_date("2024-00-10", false);
        check_date("2024-01-00", false);
        check_date("2024-1-01", false);
        check_date("01/06/2024", false);
        check_date("2024-06-+1", false);
        check_date("1899-12-31", false);
        check_date("", false);
        check_date("2024-06-0é", false);
    }

    #[test]
    fn labels_operations_and_prices() {
        assert!(validate_label("").is_err());
        assert!(validate_label(&"é".repeat(200)).is_ok());
        assert_eq!(validate_label(&"é".repeat(201)).unwrap_err().field, "label");
        let operation = PointOperation {
            date: "2024-06-31".to_owned(),
            kind: OperationKind::Seizure,
            note: "x".repeat(2001),
        };
        let fields: Vec<&str> = operation
            .validate()
            .unwrap_err()
            .iter()
            .map(|f| f.field)
            .collect();
        assert_eq!(fields, ["date", "note"]);

        #[track_caller]
        fn check_price(
            product: &str,
            price: Option<f64>,
            unit: &str,
            seen_on: &str,
            expected: &[&str],
        ) {
            let price = PriceSeen {
                product: product.to_owned(),
                price_eur: price,
                unit: unit.to_owned(),
                seen_on: seen_on.to_owned(),
            };
            let fields: Vec<&str> = match price.validate() {
                Ok(()) => Vec::new(),
                Err(faults) => faults.iter().map(|f| f.field).collect(),
            };
            assert_eq!(fields, expected, "{price:?}");
        }
        check_price("résine", Some(10.0), "g", "2024-05-12", &[]);
        check_price("résine", None, "", "2024-05-12", &[]);
        check_price("", Some(10.0), "g", "2024-05-12", &["product"]);
        check_price("résine", Some(0.0), "g", "2024-05-12", &["price_eur"]);
        check_price("résine", Some(-5.0), "g", "2024-05-12", &["price_eur"]);
        check_price("résine", Some(f64::NAN), "g", "2024-05-12", &["price_eur"]);
        check_price("résine", Some(100_001.0), "g", "2024-05-12", &["price_eur"]);
        check_price("résine", Some(10.0), "", "2024-05-12", &["unit"]);
        check_price(
            "résine",
            Some(10.0),
            &"u".repeat(31),
            "2024-05-12",
            &["unit"],
        );
        check_price("résine", Some(10.0), "g", "hier", &["seen_on"]);
    }

    /// A pin about `north_m` metres north of `PIN`.
    fn north(north_m: f64) -> Pin {
        Pin {
            lat: PIN.lat + north_m / crate::model::EARTH_RADIUS_M.to_radians(),
            lon: PIN.lon,
        }
    }

    fn sighting(north_m: f64, at_micros: i64, source: &str) -> ReportSighting {
        ReportSighting {
            pin: north(north_m),
            at_micros,
            source: source.to_owned(),
        }
    }

    #[test]
    fn resurgence() {
        let rule = ResurgenceRule::default();
        let day = DAY_MICROS;
        let mut point = point();
        point.apply(Confirmed, "c", "m", 0).unwrap();
        let dismantled = 100 * day;
        point.apply(Dismantled, "c", "m", dismantled).unwrap();

        #[track_caller]
        fn check(
            rule: &ResurgenceRule,
            point: &DealingPoint,
            sightings: &[ReportSighting],
            expected: bool,
        ) {
            assert_eq!(
                is_resurgent(rule, point, sightings),
                expected,
                "{sightings:?}"
            );
        }
        let after = dismantled + day;
        // Two independent sources nearby, after: resurgent.
        check(
            &rule,
            &point,
            &[
                sighting(50.0, after, "public:101"),
                sighting(250.0, after, "partner:x"),
            ],
            true,
        );
        // The same source twice is one source.
        check(
            &rule,
            &point,
            &[
                sighting(50.0, after, "public:101"),
                sighting(60.0, after, "public:101"),
            ],
            false,
        );
        // Too far.
        check(
            &rule,
            &point,
            &[sighting(50.0, after, "a"), sighting(310.0, after, "b")],
            false,
        );
        // Before or at the dismantling.
        check(
            &rule,
            &point,
            &[sighting(50.0, after, "a"), sighting(50.0, dismantled, "b")],
            false,
        );
        // Within 90 days, inclusive, and not after.
        check(
            &rule,
            &point,
            &[
                sighting(50.0, after, "a"),
                sighting(50.0, dismantled + 90 * day, "b"),
            ],
            true,
        );
        check(
            &rule,
            &point,
            &[
                sighting(50.0, after, "a"),
                sighting(50.0, dismantled + 90 * day + 1, "b"),
            ],
            false,
        );
        // Invalid pins do not count.
        let mut bad = sighting(0.0, after, "b");
        bad.pin.lat = f64::NAN;
        check(&rule, &point, &[sighting(50.0, after, "a"), bad], false);
        // A stricter rule.
        let strict = ResurgenceRule {
            min_reports: 3,
            ..rule
        };
        check(
            &strict,
            &point,
            &[sighting(50.0, after, "a"), sighting(50.0, after, "b")],
            false,
        );
        // Only dismantled or watched points can be resurgent.
        let two = [sighting(50.0, after, "a"), sighting(50.0, after, "b")];
        point.apply(UnderWatch, "c", "m", dismantled + 1).unwrap();
        check(&rule, &point, &two, true);
        point.apply(Resurgent, "c", "m", dismantled + 2).unwrap();
        check(&rule, &point, &two, false);
        let mut active = self::point();
        active.dismantled_at_micros = Some(dismantled);
        check(&rule, &active, &two, false);
    }

    #[test]
    fn independence_keys() {
        let unit = Uuid::from_u128(9);
        let partner = Channel::Partner {
            unit,
            account: Uuid::from_u128(10),
        };
        assert_eq!(ReportSighting::source_of(&Channel::Public, 0), "public:0");
        assert_eq!(
            ReportSighting::source_of(&Channel::Public, DAY_MICROS - 1),
            "public:0"
        );
        assert_eq!(
            ReportSighting::source_of(&Channel::Public, DAY_MICROS),
            "public:1"
        );
        assert_eq!(ReportSighting::source_of(&Channel::Public, -1), "public:-1");
        assert_eq!(
            ReportSighting::source_of(&partner, 5),
            format!("partner:{unit}")
        );
    }

    #[test]
    fn sighting_of_a_stored_report() {
        use crate::model::{Category, ReportDraft, Since};
        let draft = ReportDraft {
            category: Category::MovedAfterOperation,
            commune: None,
            place: String::new(),
            pin: Some(north(20.0)),
            days: Vec::new(),
            slots: Vec::new(),
            since: Since::Days,
            description: "Le point s'est déplacé au parking.".to_owned(),
            people: None,
            vehicles: String::new(),
        };
        let at = 3 * DAY_MICROS + 5 * crate::report::HOUR_MICROS + 17;
        let mut report = Report::new(Uuid::from_u128(5), Channel::Public, at, draft, None, None);
        let sighting = ReportSighting::from_report(&report).unwrap();
        assert_eq!(sighting.source, "public:3");
        assert_eq!(
            sighting.at_micros,
            3 * DAY_MICROS + 5 * crate::report::HOUR_MICROS
        );
        assert_eq!(sighting.pin, north(20.0));
        report
            .apply(
                ReportStatus::SuspectedMalicious,
                "a",
                "Conflit de voisinage",
                1,
                None,
            )
            .unwrap();
        assert_eq!(ReportSighting::from_report(&report), None);
        report.status = ReportStatus::New;
        report.draft.pin = None;
        assert_eq!(ReportSighting::from_report(&report), None);
    }

    #[test]
    fn point_json_round_trip() {
        let mut point = point();
        point.prices.push(PriceSeen {
            product: "herbe".to_owned(),
            price_eur: Some(10.0),
            unit: "g".to_owned(),
            seen_on: "2024-05-12".to_owned(),
        });
        point.operations.push(PointOperation {
            date: "2024-06-03".to_owned(),
            kind: OperationKind::Harassment,
            note: String::new(),
        });
        let json = serde_json::to_string(&point).unwrap();
        assert!(json.contains("\"status\":\"reported\""));
        assert!(json.contains("\"kind\":\"harassment\""));
        assert_eq!(serde_json::from_str::<DealingPoint>(&json).unwrap(), point);
    }
}
