//! Facts about an entity, each with where it came from and its grade.
//!
//! A fact is one value of one property of an entity ("this person was born on 1990-04-12"), or the
//! basis of one link ("these two people are associates, says this item"). It is asserted either by
//! an intelligence item, whose grade and regime it then takes, or by a record named by its
//! reference ("PV 2026/123 du 12/03"), graded by whoever records it in one typed scheme. Facts never
//! overwrite each other: two items that disagree on a birth date give two facts, both shown with
//! their grades, and [`divergent`] says which properties disagree.
//!
//! What this module does not do: store, read the clock, or check that an item exists, is readable
//! by the recorder and is about the entity. The engine does, and passes identities and instants in.

use crate::grade::{Grade, GradeCode, Scheme};
use crate::item::ItemId;
use serde::{Deserialize, Serialize};
use std::fmt;
use time::macros::format_description;
use time::Date;
use uuid::Uuid;
use vigie_core::entity::{
    validate_properties, EntityId, FieldError, LegalRegime, LinkId, LinkKind, Properties,
    PropertyKind, Schema,
};
use vigie_core::org::UnitId;

/// A fact's identifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FactId(pub Uuid);

impl fmt::Display for FactId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Shortest and longest reference of a record ("PV 2026/123").
const REFERENCE_CHARS: std::ops::RangeInclusive<usize> = 3..=200;

/// Where a fact comes from, as a user submits it: an item, or a record's reference with a grade.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasisDraft {
    #[serde(default)]
    pub item: Option<ItemId>,
    #[serde(default)]
    pub reference: Option<String>,
    #[serde(default)]
    pub grade_scheme: Option<String>,
    #[serde(default)]
    pub grade: Option<String>,
}

/// What a user submits to add a value to an entity.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactDraft {
    pub property: String,
    pub value: String,
    #[serde(default)]
    pub basis: BasisDraft,
    /// The day the fact was observed (AAAA-MM-JJ), when known.
    #[serde(default)]
    pub observed_on: Option<String>,
}

/// Where a fact comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FactBasis {
    /// An intelligence item about the entity.
    Item { item: ItemId },
    /// A record outside Vigie, by its reference (a procedure's act, a register's extract).
    Record { reference: String },
}

/// A checked basis. `grade` is `None` for an item: the fact takes the item's grade, read by the
/// engine, so that a fact never claims more than its item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidBasis {
    pub basis: FactBasis,
    pub grade: Option<Grade>,
}

/// What a fact asserts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Claim {
    /// One value of one property, in normal form (a plate "AB-123-CD", a phone "+33…").
    Value { property: String, value: String },
    /// The basis of a link from or to the entity; `other` is the entity at its other end.
    Link {
        link: LinkId,
        link_kind: LinkKind,
        other: EntityId,
    },
}

/// A fact as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    pub id: FactId,
    pub entity: EntityId,
    pub claim: Claim,
    pub basis: FactBasis,
    pub grade: Grade,
    pub observed_on: Option<Date>,
    /// The recorder's unit: the policy reads it as the fact's owner.
    pub owner_unit: UnitId,
    pub recorded_by: String,
    pub recorded_at_micros: i64,
    pub regime: LegalRegime,
    pub departement: Option<String>,
}

fn error(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.to_owned(),
        message: message.into(),
    }
}

fn filled(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|text| !text.is_empty())
}

/// Checks a basis: exactly one of an item or a reference; a reference needs a grade in a scheme
/// open to new grades; an item brings its own grade, so none may be given with it.
pub fn validate_basis(draft: &BasisDraft) -> Result<ValidBasis, Vec<FieldError>> {
    let scheme = filled(draft.grade_scheme.as_deref());
    let code = filled(draft.grade.as_deref());
    let reference = filled(draft.reference.as_deref());
    match (draft.item, reference) {
        (Some(_), Some(_)) => Err(vec![error(
            "reference",
            "Indiquez soit un élément de renseignement, soit la référence d'une pièce, pas les deux",
        )]),
        (None, None) => Err(vec![error(
            "reference",
            "Indiquez d'où vient cette information : un élément de renseignement ou la référence d'une pièce (PV, extrait de registre…)",
        )]),
        (Some(item), None) => {
            if scheme.is_some() || code.is_some() {
                return Err(vec![error(
                    "grade",
                    "Une information tirée d'un élément de renseignement prend la cotation de cet élément : n'en indiquez pas d'autre",
                )]);
            }
            Ok(ValidBasis {
                basis: FactBasis::Item { item },
                grade: None,
            })
        }
        (None, Some(reference)) => {
            let mut errors = Vec::new();
            let length = reference.chars().count();
            if !REFERENCE_CHARS.contains(&length) {
                errors.push(error(
                    "reference",
                    format!(
                        "La référence compte de {} à {} caractères",
                        REFERENCE_CHARS.start(),
                        REFERENCE_CHARS.end()
                    ),
                ));
            } else if reference.chars().any(char::is_control) {
                errors.push(error(
                    "reference",
                    "La référence ne peut pas contenir de caractère de contrôle",
                ));
            }
            let grade = match (scheme, code) {
                (None, _) => {
                    errors.push(error(
                        "grade_scheme",
                        "Choisissez le barème de la cotation (Europol 4x4 ou 3x5x2)",
                    ));
                    None
                }
                (Some(_), None) => {
                    errors.push(error("grade", "Indiquez la cotation de cette information"));
                    None
                }
                (Some(scheme), Some(code)) => match Scheme::parse(scheme) {
                    Ok(scheme) if !scheme.open_to_new_items() => {
                        errors.push(error(
                            "grade_scheme",
                            "Le barème 5x5x5 n'est plus en usage : cotez en Europol 4x4 ou en 3x5x2",
                        ));
                        None
                    }
                    Ok(_) => match Grade::try_from(GradeCode {
                        scheme: scheme.to_owned(),
                        code: code.to_owned(),
                    }) {
                        Ok(grade) => Some(grade),
                        Err(e) => {
                            errors.push(error("grade", e.to_string()));
                            None
                        }
                    },
                    Err(e) => {
                        errors.push(error("grade_scheme", e.to_string()));
                        None
                    }
                },
            };
            match grade {
                Some(grade) if errors.is_empty() => Ok(ValidBasis {
                    basis: FactBasis::Record {
                        reference: reference.to_owned(),
                    },
                    grade: Some(grade),
                }),
                _ => Err(errors),
            }
        }
    }
}

/// A checked value fact, before the engine gives it an identity and a grade.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidFact {
    pub property: String,
    pub value: String,
    pub basis: ValidBasis,
    pub observed_on: Option<Date>,
}

/// Checks a value fact for an entity of `schema`, observed no later than `today`. The value is
/// validated and normalised as a property of the schema (a plate in a French format, an IBAN with
/// its checksum...). Every error names its field.
pub fn validate_fact(
    schema: Schema,
    draft: &FactDraft,
    today: Date,
) -> Result<ValidFact, Vec<FieldError>> {
    let mut errors = Vec::new();
    let property = draft.property.trim();
    let value = if schema
        .properties()
        .iter()
        .any(|(name, _)| *name == property)
    {
        let mut one = Properties::new();
        one.insert(property.to_owned(), vec![draft.value.clone()]);
        match validate_properties(schema, &one) {
            Ok(mut valid) => valid.remove(property).and_then(|mut values| values.pop()),
            Err(faults) => {
                errors.extend(faults.into_iter().map(|fault| {
                    let message = if fault.field.is_empty() {
                        "Saisissez la valeur de cette information".to_owned()
                    } else {
                        fault.message
                    };
                    error("value", message)
                }));
                None
            }
        }
    } else {
        errors.push(error(
            "property",
            format!(
                "Information « {property} » inconnue pour le type « {} »",
                schema.label_fr()
            ),
        ));
        None
    };
    let basis = match validate_basis(&draft.basis) {
        Ok(basis) => Some(basis),
        Err(faults) => {
            errors.extend(faults);
            None
        }
    };
    let observed_on = match filled(draft.observed_on.as_deref()) {
        None => None,
        Some(text) => match Date::parse(text, format_description!("[year]-[month]-[day]")) {
            Ok(day) if day > today => {
                errors.push(error("observed_on", "Date d'observation dans le futur"));
                None
            }
            Ok(day) => Some(day),
            Err(_) => {
                errors.push(error(
                    "observed_on",
                    format!("Date « {text} » invalide : attendu AAAA-MM-JJ"),
                ));
                None
            }
        },
    };
    match (value, basis) {
        (Some(value), Some(basis)) if errors.is_empty() => Ok(ValidFact {
            property: property.to_owned(),
            value,
            basis,
            observed_on,
        }),
        _ => Err(errors),
    }
}

/// Whether a property holds one value at a time, so that two different values contradict each
/// other (two birth dates do; two aliases do not).
pub fn single_valued(schema: Schema, property: &str) -> bool {
    matches!(
        (schema, property),
        (Schema::Person, "birthDate" | "birthPlace")
            | (Schema::Company, "registrationNumber")
            | (Schema::Vehicle, "registrationNumber" | "model" | "color")
            | (Schema::Phone, "number")
            | (Schema::BankAccount, "iban")
            | (Schema::CryptoWallet, "publicKey" | "currency")
            | (Schema::Case, "procedureNumber" | "openedOn")
    )
}

/// Whether `values` of one property contradict each other: the property is single-valued and two
/// values differ. Partial dates that agree as far as they go ("1990-04" and "1990-04-12") do not
/// contradict, and neither do texts that differ only in case or accents.
pub fn divergent(schema: Schema, property: &str, values: &[&str]) -> bool {
    if !single_valued(schema, property) {
        return false;
    }
    let is_date = schema
        .properties()
        .iter()
        .any(|(name, kind)| *name == property && *kind == PropertyKind::DateValue);
    let agree = |a: &str, b: &str| {
        if is_date {
            a.starts_with(b) || b.starts_with(a)
        } else {
            vigie_core::text::fold(a) == vigie_core::text::fold(b)
        }
    };
    values
        .iter()
        .enumerate()
        .any(|(i, a)| values[i + 1..].iter().any(|b| !agree(a, b)))
}
