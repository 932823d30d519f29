//! What a reporter says: the category of what they saw, where (a commune, a place in words and an
//! optional coarse pin), when (days, time slots, since when), a description, and how many people
//! and which vehicles.
//!
//! `ReportDraft::validate` checks a draft and returns every fault at once, one French message per
//! field, so that the form can show them all beside their fields. This module does not route a
//! report to a département, store it, or decide whether its commune exists: the engine does that
//! with `vigie-geo`.
//!
//! Online sales are refused on purpose: they are reported on PHAROS
//! (internet-signalement.gouv.fr), and this form is for physical places only.

use serde::{Deserialize, Serialize};
use std::fmt;

labelled_enum! {
    /// What the reporter saw.
    pub enum Category ("Catégorie inconnue") {
        /// A regular selling point.
        FixedSale = "fixed_sale", "Point de vente (deal) régulier";
        /// A point that appeared after a police operation moved the dealing.
        MovedAfterOperation = "moved_after_operation", "Nouveau point après une opération de police";
        /// A place where drugs are kept (a "nourrice").
        Stash = "stash", "Lieu de stockage (nourrice)";
        /// Home delivery.
        Delivery = "delivery", "Livraison à domicile";
        /// Lookouts.
        Lookouts = "lookouts", "Guetteurs";
        /// A vehicle used for the trafficking.
        Vehicle = "vehicle", "Véhicule utilisé pour le trafic";
        /// Online or social-network sales: refused here, reported on PHAROS.
        OnlineSale = "online_sale", "Vente en ligne ou sur les réseaux sociaux";
        /// Anything else.
        Other = "other", "Autre";
    }
}

labelled_enum! {
    /// A day of the week on which the activity is seen.
    pub enum Weekday ("Jour inconnu") {
        Monday = "monday", "lundi";
        Tuesday = "tuesday", "mardi";
        Wednesday = "wednesday", "mercredi";
        Thursday = "thursday", "jeudi";
        Friday = "friday", "vendredi";
        Saturday = "saturday", "samedi";
        Sunday = "sunday", "dimanche";
    }
}

labelled_enum! {
    /// A time of day at which the activity is seen (local time, as the reporter says it).
    pub enum TimeSlot ("Créneau horaire inconnu") {
        Morning = "morning", "le matin (6 h – 12 h)";
        Afternoon = "afternoon", "l'après-midi (12 h – 18 h)";
        Evening = "evening", "le soir (18 h – 23 h)";
        Night = "night", "la nuit (23 h – 6 h)";
    }
}

labelled_enum! {
    /// Since when the reporter has seen the activity (`Unknown` when not said).
    #[derive(Default)]
    pub enum Since ("Durée inconnue") {
        Days = "days", "depuis quelques jours";
        Weeks = "weeks", "depuis quelques semaines";
        Months = "months", "depuis quelques mois";
        Years = "years", "depuis plus d'un an";
        #[default]
        Unknown = "unknown", "je ne sais pas";
    }
}

/// Longest place in words, in characters.
pub const MAX_PLACE_CHARS: usize = 300;
/// Shortest description, in characters after trimming.
pub const MIN_DESCRIPTION_CHARS: usize = 10;
/// Longest description, in characters after trimming.
pub const MAX_DESCRIPTION_CHARS: usize = 5000;
/// Largest number of people a reporter may give.
pub const MAX_PEOPLE: u16 = 500;
/// Longest vehicles text, in characters.
pub const MAX_VEHICLES_CHARS: usize = 500;

/// Mean earth radius (IUGG), in metres, used by every distance of this crate.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// A point on the map (WGS 84 degrees). A reporter's pin is coarse: the form does not zoom in
/// further than a street.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pin {
    /// Latitude, degrees, -90..=90.
    pub lat: f64,
    /// Longitude, degrees, -180..=180.
    pub lon: f64,
}

impl Pin {
    /// Great-circle distance in metres (haversine on a sphere of radius `EARTH_RADIUS_M`).
    pub fn distance_m(&self, other: &Pin) -> f64 {
        let (phi1, phi2) = (self.lat.to_radians(), other.lat.to_radians());
        let d_phi = phi2 - phi1;
        let d_lambda = (other.lon - self.lon).to_radians();
        let h =
            (d_phi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (d_lambda / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
    }

    /// Whether both coordinates are finite and within their ranges.
    pub fn is_valid(&self) -> bool {
        self.lat.is_finite()
            && self.lon.is_finite()
            && (-90.0..=90.0).contains(&self.lat)
            && (-180.0..=180.0).contains(&self.lon)
    }
}

/// Whether `code` is written like an INSEE commune code: five ASCII digits, or "2A"/"2B" followed
/// by three digits for Corsica ("13055", "2A004"). Whether the commune exists is `vigie-geo`'s.
pub fn is_commune_code(code: &str) -> bool {
    let bytes = code.as_bytes();
    match bytes {
        [b'2', b'A' | b'B', rest @ ..] => rest.len() == 3 && rest.iter().all(u8::is_ascii_digit),
        _ => bytes.len() == 5 && bytes.iter().all(u8::is_ascii_digit),
    }
}

/// What a reporter says, as the form sends it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportDraft {
    pub category: Category,
    /// INSEE code of the commune (5 characters), when the reporter chose one.
    #[serde(default)]
    pub commune: Option<String>,
    /// The address or the place in words ("devant le hall du 12, près du city stade").
    #[serde(default)]
    pub place: String,
    /// An optional coarse pin on the map.
    #[serde(default)]
    pub pin: Option<Pin>,
    #[serde(default)]
    pub days: Vec<Weekday>,
    #[serde(default)]
    pub slots: Vec<TimeSlot>,
    #[serde(default)]
    pub since: Since,
    /// What the reporter saw, in their words.
    pub description: String,
    /// How many people, if the reporter counted them.
    #[serde(default)]
    pub people: Option<u16>,
    /// Vehicles seen (free text, optional).
    #[serde(default)]
    pub vehicles: String,
}

impl ReportDraft {
    /// The commune code, trimmed, if one was given (an empty text counts as none).
    pub fn commune_code(&self) -> Option<&str> {
        self.commune
            .as_deref()
            .map(str::trim)
            .filter(|code| !code.is_empty())
    }

    /// Checks the draft and returns every fault, in the order of the form's fields.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut faults = Vec::new();
        if self.category == Category::OnlineSale {
            faults.push(FieldError::new(
                "category",
                "Les ventes en ligne ou sur les réseaux sociaux se signalent sur \
                 internet-signalement.gouv.fr (PHAROS) : ce formulaire concerne les lieux physiques.",
            ));
        }
        match self.commune_code() {
            None if self.pin.is_none() => faults.push(FieldError::new(
                "commune",
                "Indiquez la commune, ou placez le point sur la carte.",
            )),
            Some(code) if !is_commune_code(code) => faults.push(FieldError::new(
                "commune",
                "Le code commune comporte 5 caractères : 5 chiffres, ou 2A ou 2B suivis de \
                 3 chiffres en Corse (par exemple 13055 ou 2A004).",
            )),
            _ => {}
        }
        if self.place.trim().chars().count() > MAX_PLACE_CHARS {
            faults.push(FieldError::new(
                "place",
                format!("Le lieu ne doit pas dépasser {MAX_PLACE_CHARS} caractères."),
            ));
        }
        if let Some(pin) = &self.pin {
            if !pin.is_valid() {
                faults.push(FieldError::new(
                    "pin",
                    "Le point placé sur la carte est invalide : la latitude va de -90 à 90 et la \
                     longitude de -180 à 180.",
                ));
            }
        }
        let description = self.description.trim().chars().count();
        if description < MIN_DESCRIPTION_CHARS {
            faults.push(FieldError::new(
                "description",
                "Décrivez ce que vous avez observé (10 caractères au moins).",
            ));
        } else if description > MAX_DESCRIPTION_CHARS {
            faults.push(FieldError::new(
                "description",
                format!(
                    "La description ne doit pas dépasser {MAX_DESCRIPTION_CHARS} caractères \
                     (elle en compte {description})."
                ),
            ));
        }
        if self.people.is_some_and(|people| people > MAX_PEOPLE) {
            faults.push(FieldError::new(
                "people",
                format!("Le nombre de personnes ne peut pas dépasser {MAX_PEOPLE}."),
            ));
        }
        if self.vehicles.trim().chars().count() > MAX_VEHICLES_CHARS {
            faults.push(FieldError::new(
                "vehicles",
                format!("La description des véhicules ne doit pas dépasser {MAX_VEHICLES_CHARS} caractères."),
            ));
        }
        if faults.is_empty() {
            Ok(())
        } else {
            Err(faults)
        }
    }
}

/// Every field name a `FieldError` of this crate may carry (a stored error is read back only with
/// one of these names).
pub const FIELD_NAMES: &[&str] = &[
    "category",
    "commune",
    "place",
    "pin",
    "description",
    "people",
    "vehicles",
    "text",
    "label",
    "date",
    "note",
    "product",
    "price_eur",
    "unit",
    "seen_on",
];

/// One fault of a form, at its field, with a French message. In JSON, `{"field": "commune",
/// "message": "..."}`; it is read back only with a field name of `FIELD_NAMES`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's name in the form (one of `FIELD_NAMES`).
    pub field: &'static str,
    pub message: String,
}

impl FieldError {
    pub(crate) fn new(field: &'static str, message: impl Into<String>) -> Self {
        FieldError {
            field,
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} : {}", self.field, self.message)
    }
}

impl std::error::Error for FieldError {}

impl<'de> Deserialize<'de> for FieldError {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Stored {
            field: String,
            message: String,
        }
        let stored = Stored::deserialize(deserializer)?;
        let field = FIELD_NAMES
            .iter()
            .find(|known| **known == stored.field)
            .copied()
            .ok_or_else(|| {
                serde::de::Error::custom(format!("unknown field name {:?}", stored.field))
            })?;
        Ok(FieldError {
            field,
            message: stored.message,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn draft() -> ReportDraft {
        ReportDraft {
            category: Category::FixedSale,
            commune: Some("13055".to_owned()),
            place: "Devant le hall du bâtiment B".to_owned(),
            pin: None,
            days: vec![Weekday::Friday, Weekday::Saturday],
            slots: vec![TimeSlot::Evening],
            since: Since::Months,
            description: "Des jeunes vendent devant le hall tous les soirs.".to_owned(),
            people: Some(4),
            vehicles: String::new(),
        }
    }

    /// Applies `change` to a valid draft and checks the fields in fault.
    #[track_caller]
    fn check(change: impl FnOnce(&mut ReportDraft), expected: &[&str]) {
        let mut draft = draft();
        change(&mut draft);
        let fields: Vec<&str> = match draft.validate() {
            Ok(()) => Vec::new(),
            Err(faults) => faults.iter().map(|fault| fault.field).collect(),
        };
        assert_eq!(fields, expected, "{draft:?}");
    }

    #[test]
    fn validation_table() {
        check(|_| {}, &[]);
        check(|d| d.category = Category::OnlineSale, &["category"]);
        check(|d| d.commune = None, &["commune"]);
        check(|d| d.commune = Some("   ".to_owned()), &["commune"]);
        check(
            |d| {
                d.commune = None;
                d.pin = Some(Pin {
                    lat: 43.3,
                    lon: 5.4,
                });
            },
            &[],
        );
        check(|d| d.commune = Some("2A004".to_owned()), &[]);
        check(|d| d.commune = Some("2B033".to_owned()), &[]);
        check(|d| d.commune = Some(" 97411 ".to_owned()), &[]);
        check(|d| d.commune = Some("1305".to_owned()), &["commune"]);
        check(|d| d.commune = Some("130555".to_owned()), &["commune"]);
        check(|d| d.commune = Some("2C004".to_owned()), &["commune"]);
        check(|d| d.commune = Some("2A0O4".to_owned()), &["commune"]);
        check(|d| d.commune = Some("１３０５５".to_owned()), &["commune"]);
        check(|d| d.place = "é".repeat(300), &[]);
        check(|d| d.place = "é".repeat(301), &["place"]);
        check(|d| d.description = "  court  ".to_owned(), &["description"]);
        check(|d| d.description = "  dix lettre ".to_owned(), &[]);
        check(|d| d.description = "é".repeat(5000), &[]);
        check(|d| d.description = "é".repeat(5001), &["description"]);
        for (lat, lon, ok) in [
            (90.0, 180.0, true),
            (-90.0, -180.0, true),
            (90.1, 0.0, false),
            (0.0, -180.5, false),
            (f64::NAN, 0.0, false),
            (0.0, f64::INFINITY, false),
        ] {
            check(
                |d| d.pin = Some(Pin { lat, lon }),
                if ok { &[] } else { &["pin"] },
            );
        }
        check(|d| d.people = Some(500), &[]);
        check(|d| d.people = Some(501), &["people"]);
        check(|d| d.vehicles = "x".repeat(500), &[]);
        check(|d| d.vehicles = "x".repeat(501), &["vehicles"]);
    }

    #[test]
    fn every_fault_is_collected_in_form_order() {
        let draft = ReportDraft {
            category: Category::OnlineSale,
            commune: None,
            place: "x".repeat(301),
            pin: None,
            days: Vec::new(),
            slots: Vec::new(),
            since: Since::Unknown,
            description: String::new(),
            people: Some(1000),
            vehicles: "x".repeat(501),
        };
        let faults = draft.validate().unwrap_err();
        let fields: Vec<&str> = faults.iter().map(|fault| fault.field).collect();
        assert_eq!(
            fields,
            [
                "category",
                "commune",
                "place",
                "description",
                "people",
                "vehicles"
            ]
        );
        assert!(faults[0].message.contains("PHAROS"));
        assert_eq!(
            faults[1].to_string(),
            "commune : Indiquez la commune, ou placez le point sur la carte."
        );
        assert_eq!(
            faults[3].message,
            "Décrivez ce que vous avez observé (10 caractères au moins)."
        );
        for fault in &faults {
            assert!(FIELD_NAMES.contains(&fault.field));
        }
    }

    #[test]
    fn too_long_description_states_the_limit() {
        let mut draft = draft();
        draft.description = "a".repeat(5001);
        let faults = draft.validate().unwrap_err();
        assert!(faults[0].message.contains("5000"), "{}", faults[0]);
    }

    #[test]
    fn field_error_round_trips_through_json() {
        let error = FieldError::new("commune", "Indiquez la commune.");
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"field": "commune", "message": "Indiquez la commune."})
        );
        assert_eq!(serde_json::from_value::<FieldError>(json).unwrap(), error);
        assert!(serde_json::from_value::<FieldError>(
            serde_json::json!({"field": "password", "message": "x"})
        )
        .is_err());
    }

    #[test]
    fn draft_reads_from_minimal_json() {
        let draft: ReportDraft = serde_json::from_value(serde_json::json!({
            "category": "stash",
            "commune": "2B033",
            "description": "Des sacs déposés dans la cave chaque soir.",
        }))
        .unwrap();
        assert_eq!(draft.category, Category::Stash);
        assert_eq!(draft.since, Since::Unknown);
        assert!(draft.validate().is_ok());
        let back: ReportDraft =
            serde_json::from_str(&serde_json::to_string(&draft).unwrap()).unwrap();
        assert_eq!(back, draft);
    }

    #[test]
    fn haversine_distances() {
        let paris = Pin {
            lat: 48.8566,
            lon: 2.3522,
        };
        let marseille = Pin {
            lat: 43.2965,
            lon: 5.3698,
        };
        let d = paris.distance_m(&marseille);
        assert!((d - 660_800.0).abs() < 2_000.0, "{d}");
        assert_eq!(paris.distance_m(&paris), 0.0);
        assert!((paris.distance_m(&marseille) - marseille.distance_m(&paris)).abs() < 1e-6);
        // One degree of latitude is R * pi / 180.
        let a = Pin { lat: 0.0, lon: 0.0 };
        let b = Pin { lat: 1.0, lon: 0.0 };
        assert!((a.distance_m(&b) - EARTH_RADIUS_M.to_radians()).abs() < 1e-6);
        // Across the antimeridian (Wallis-et-Futuna is near it).
        let west = Pin {
            lat: -13.3,
            lon: 179.999,
        };
        let east = Pin {
            lat: -13.3,
            lon: -179.999,
        };
        assert!(west.distance_m(&east) < 250.0);
        // Antipodes stay finite.
        let antipode = Pin {
            lat: -48.8566,
            lon: 2.3522 - 180.0,
        };
        let half = std::f64::consts::PI * EARTH_RADIUS_M;
        assert!((paris.distance_m(&antipode) - half).abs() < 1.0);
    }
}
