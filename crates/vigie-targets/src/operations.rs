//! Planned operations and event deconfliction: two operations of different units conflict when their
//! time windows overlap and their circles (place and radius) touch, so that two teams are not in the
//! same stairwell the same night. The engine finds the candidates; this module validates a plan and
//! decides whether two plans meet.

use serde::{Deserialize, Serialize};
use vigie_core::entity::FieldError;

vigie_core::uuid_id!(OperationId, "operation");

/// Smallest and largest radius an operation may declare, in metres.
pub const RADIUS_RANGE_M: (u32, u32) = (10, 5_000);
/// Longest time window of one declaration.
pub const MAX_WINDOW_HOURS: i64 = 7 * 24;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OperationKind {
    Search,
    Arrest,
    Surveillance,
    ControlledDelivery,
    /// Opération de harcèlement ("pilonnage") of a dealing point.
    Harassment,
    Other,
}

impl OperationKind {
    pub const ALL: [OperationKind; 6] = [
        OperationKind::Search,
        OperationKind::Arrest,
        OperationKind::Surveillance,
        OperationKind::ControlledDelivery,
        OperationKind::Harassment,
        OperationKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OperationKind::Search => "search",
            OperationKind::Arrest => "arrest",
            OperationKind::Surveillance => "surveillance",
            OperationKind::ControlledDelivery => "controlled_delivery",
            OperationKind::Harassment => "harassment",
            OperationKind::Other => "other",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == input)
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            OperationKind::Search => "Perquisition",
            OperationKind::Arrest => "Interpellation",
            OperationKind::Surveillance => "Surveillance",
            OperationKind::ControlledDelivery => "Livraison surveillée",
            OperationKind::Harassment => "Opération de harcèlement",
            OperationKind::Other => "Autre opération",
        }
    }
}

/// A validated plan, as stored (the declaring unit and the id are kept beside it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OperationPlan {
    pub kind: OperationKind,
    /// A short label for the unit's own calendar; never shown to other units.
    pub label: String,
    pub starts_micros: i64,
    pub ends_micros: i64,
    pub lat: f64,
    pub lon: f64,
    pub radius_m: u32,
    pub contact_name: String,
    pub contact_phone: String,
    /// The commune the centre lies in, filled by the engine ("13201 Marseille 1er").
    pub commune: Option<String>,
}

/// A plan as typed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OperationDraft {
    pub kind: String,
    pub label: String,
    pub starts_micros: i64,
    pub ends_micros: i64,
    pub lat: f64,
    pub lon: f64,
    pub radius_m: u32,
    pub contact_name: String,
    pub contact_phone: String,
}

impl OperationDraft {
    /// Validates a plan; `now_micros` refuses windows already over.
    pub fn validate(&self, now_micros: i64) -> Result<OperationPlan, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut error = |field: &str, message: String| {
            errors.push(FieldError {
                field: field.to_owned(),
                message,
            })
        };
        let kind = OperationKind::parse(self.kind.trim());
        if kind.is_none() {
            error(
                "kind",
                "Type d'opération inconnu : search, arrest, surveillance, controlled_delivery, harassment ou other".to_owned(),
            );
        }
        let label = self.label.trim().to_owned();
        if label.is_empty() || label.chars().count() > 200 {
            error(
                "label",
                "Intitulé : obligatoire, 200 caractères au plus".to_owned(),
            );
        }
        if self.ends_micros <= self.starts_micros {
            error("ends_at", "La fin doit suivre le début".to_owned());
        } else if self.ends_micros - self.starts_micros > MAX_WINDOW_HOURS * 3_600_000_000 {
            error(
                "ends_at",
                format!(
                    "Une déclaration couvre {} jours au plus",
                    MAX_WINDOW_HOURS / 24
                ),
            );
        }
        if self.ends_micros <= now_micros {
            error(
                "ends_at",
                "Cette opération est déjà terminée : seules les opérations à venir ou en cours se déclarent"
                    .to_owned(),
            );
        }
        if !(-90.0..=90.0).contains(&self.lat) || !(-180.0..=180.0).contains(&self.lon) {
            error(
                "lat",
                "Coordonnées invalides (latitude -90 à 90, longitude -180 à 180)".to_owned(),
            );
        }
        if !(RADIUS_RANGE_M.0..=RADIUS_RANGE_M.1).contains(&self.radius_m) {
            error(
                "radius_m",
                format!(
                    "Rayon : entre {} et {} mètres",
                    RADIUS_RANGE_M.0, RADIUS_RANGE_M.1
                ),
            );
        }
        let contact_name = self.contact_name.trim().to_owned();
        if contact_name.is_empty() {
            error(
                "contact_name",
                "Responsable à contacter : champ obligatoire".to_owned(),
            );
        }
        let contact_phone =
            match vigie_core::identifiers::PhoneNumber::parse(self.contact_phone.trim()) {
                Ok(phone) => phone.as_str().to_owned(),
                Err(problem) => {
                    error("contact_phone", problem.to_string());
                    String::new()
                }
            };
        match kind {
            Some(kind) if errors.is_empty() => Ok(OperationPlan {
                kind,
                label,
                starts_micros: self.starts_micros,
                ends_micros: self.ends_micros,
                lat: self.lat,
                lon: self.lon,
                radius_m: self.radius_m,
                contact_name,
                contact_phone,
                commune: None,
            }),
            _ => Err(errors),
        }
    }
}

/// How two plans meet.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Overlap {
    /// Between the two centres.
    pub distance_m: f64,
    /// The common time window.
    pub from_micros: i64,
    pub to_micros: i64,
}

/// Great-circle distance in metres (haversine; plenty for a few kilometres).
pub fn distance_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    const EARTH_RADIUS_M: f64 = 6_371_008.8;
    let (phi1, phi2) = (lat1.to_radians(), lat2.to_radians());
    let d_phi = (lat2 - lat1).to_radians();
    let d_lambda = (lon2 - lon1).to_radians();
    let a = (d_phi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (d_lambda / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
}

impl OperationPlan {
    /// Whether two plans meet: windows overlap (touching ends do not) and circles touch.
    pub fn overlap(&self, other: &OperationPlan) -> Option<Overlap> {
        let start = self.starts_micros.max(other.starts_micros);
        let end = self.ends_micros.min(other.ends_micros);
        if end <= start {
            return None;
        }
        let distance = distance_m(self.lat, self.lon, other.lat, other.lon);
        if distance > f64::from(self.radius_m) + f64::from(other.radius_m) {
            return None;
        }
        Some(Overlap {
            distance_m: distance,
            from_micros: start,
            to_micros: end,
        })
    }

    /// A bounding box (min lat, min lon, max lat, max lon) that holds every centre of a plan that could
    /// meet this one, given the largest radius allowed.
    pub fn search_box(&self) -> (f64, f64, f64, f64) {
        let reach_m = f64::from(self.radius_m) + f64::from(RADIUS_RANGE_M.1);
        let d_lat = reach_m / 111_000.0;
        let d_lon = reach_m / (111_000.0 * self.lat.to_radians().cos().abs().max(0.01));
        (
            self.lat - d_lat,
            self.lon - d_lon,
            self.lat + d_lat,
            self.lon + d_lon,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000_000;

    fn plan(lat: f64, lon: f64, radius_m: u32, start_h: i64, end_h: i64) -> OperationPlan {
        OperationPlan {
            kind: OperationKind::Search,
            label: "test".to_owned(),
            starts_micros: start_h * HOUR,
            ends_micros: end_h * HOUR,
            lat,
            lon,
            radius_m,
            contact_name: "x".to_owned(),
            contact_phone: "+33491000000".to_owned(),
            commune: None,
        }
    }

    #[track_caller]
    fn check(a: OperationPlan, b: OperationPlan, meets: bool) {
        assert_eq!(a.overlap(&b).is_some(), meets, "{a:?} / {b:?}");
        if let Some(overlap) = a.overlap(&b) {
            assert!(overlap.from_micros < overlap.to_micros);
            assert!(overlap.from_micros >= a.starts_micros.max(b.starts_micros));
        }
        assert_eq!(b.overlap(&a).is_some(), meets, "symmetric");
        if meets {
            let (min_lat, min_lon, max_lat, max_lon) = a.search_box();
            assert!((min_lat..=max_lat).contains(&b.lat) && (min_lon..=max_lon).contains(&b.lon));
        }
    }

    #[test]
    fn operations_meet_in_time_and_space() {
        // Vieux-Port, Marseille; 0.001° of latitude is about 111 m.
        let here = plan(43.2950, 5.3740, 100, 20, 26);
        check(here.clone(), plan(43.2950, 5.3740, 100, 22, 23), true);
        check(here.clone(), plan(43.2967, 5.3740, 100, 22, 23), true); // ~189 m apart, radii 100 + 100
        check(here.clone(), plan(43.2970, 5.3740, 100, 22, 23), false); // ~222 m apart
        check(here.clone(), plan(43.2950, 5.3740, 100, 26, 30), false); // starts as the other ends
        check(here.clone(), plan(43.2950, 5.3740, 100, 25, 30), true);
        check(here, plan(43.3000, 5.3800, 1_000, 0, 21), true);
    }

    #[test]
    fn plans_are_validated() {
        let draft = OperationDraft {
            kind: "raid".to_owned(),
            label: " ".to_owned(),
            starts_micros: 10 * HOUR,
            ends_micros: 9 * HOUR,
            lat: 5.37,
            lon: 143.29,
            radius_m: 5,
            contact_name: "Lt Martin".to_owned(),
            contact_phone: "0491000000".to_owned(),
        };
        let errors = draft.validate(0).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|error| error.field.as_str()).collect();
        assert_eq!(fields, ["kind", "label", "ends_at", "radius_m"]);
        let good = OperationDraft {
            kind: "search".to_owned(),
            label: "Perquisition bât. B".to_owned(),
            ends_micros: 12 * HOUR,
            radius_m: 150,
            ..draft
        };
        assert_eq!(good.validate(0).unwrap().contact_phone, "+33491000000");
        let over = good.validate(13 * HOUR).unwrap_err();
        assert!(over[0].message.contains("déjà terminée"));
    }
}
