//! Entities, links and provenance, compatible with the FollowTheMoney (FtM) model.
//!
//! An entity has a schema (Person, Vehicle, Phone...) and FtM-style multi-valued properties. Properties
//! that hold identifiers (plates, phones, IBAN, SIREN/SIRET) are validated and normalised here.
//! Every entity and link carries who recorded it, from which source, when, which unit owns it, where it
//! is (département) and under which legal regime it was collected: the policy reads those.
//! This module does not decide who may see what (see `policy`) and stores nothing.

use crate::identifiers::{Iban, PhoneNumber, Plate, Siren, Siret};
use crate::org::{AccountId, UnitId};
use crate::uuid_id;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::{Date, OffsetDateTime};

uuid_id!(EntityId, "entity");
uuid_id!(LinkId, "link");

/// The kind of entity. FtM names for FtM schemas; `Phone`, `Case`, `DealingPoint` and `Network` are
/// Vigie's own (FtM models phones as a property type, not a schema).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Schema {
    Person,
    Company,
    Organization,
    Vehicle,
    Phone,
    Address,
    BankAccount,
    CryptoWallet,
    Case,
    DealingPoint,
    Network,
}

impl Schema {
    pub const ALL: [Schema; 11] = [
        Schema::Person,
        Schema::Company,
        Schema::Organization,
        Schema::Vehicle,
        Schema::Phone,
        Schema::Address,
        Schema::BankAccount,
        Schema::CryptoWallet,
        Schema::Case,
        Schema::DealingPoint,
        Schema::Network,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Schema::Person => "Person",
            Schema::Company => "Company",
            Schema::Organization => "Organization",
            Schema::Vehicle => "Vehicle",
            Schema::Phone => "Phone",
            Schema::Address => "Address",
            Schema::BankAccount => "BankAccount",
            Schema::CryptoWallet => "CryptoWallet",
            Schema::Case => "Case",
            Schema::DealingPoint => "DealingPoint",
            Schema::Network => "Network",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|schema| schema.as_str() == input)
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            Schema::Person => "Personne",
            Schema::Company => "Société",
            Schema::Organization => "Organisation",
            Schema::Vehicle => "Véhicule",
            Schema::Phone => "Téléphone",
            Schema::Address => "Adresse",
            Schema::BankAccount => "Compte bancaire",
            Schema::CryptoWallet => "Portefeuille de cryptoactifs",
            Schema::Case => "Affaire",
            Schema::DealingPoint => "Point de deal",
            Schema::Network => "Réseau",
        }
    }

    /// The properties this schema accepts, with their kind (FollowTheMoney names where FtM has them).
    pub fn properties(self) -> &'static [(&'static str, PropertyKind)] {
        use PropertyKind::*;
        match self {
            Schema::Person => &[
                ("name", Name),
                ("firstName", Name),
                ("lastName", Name),
                ("alias", Name),
                ("birthDate", DateValue),
                ("birthPlace", Text),
                ("nationality", Text),
                ("notes", Text),
            ],
            Schema::Company => &[
                ("name", Name),
                ("registrationNumber", SirenOrSiret),
                ("address", Text),
                ("notes", Text),
            ],
            Schema::Organization => &[("name", Name), ("notes", Text)],
            Schema::Vehicle => &[
                ("registrationNumber", PlateValue),
                ("model", Text),
                ("color", Text),
                ("notes", Text),
            ],
            Schema::Phone => &[("number", PhoneValue), ("notes", Text)],
            Schema::Address => &[
                ("full", Text),
                ("postalCode", Text),
                ("city", Text),
                ("notes", Text),
            ],
            Schema::BankAccount => &[("iban", IbanValue), ("bankName", Text), ("notes", Text)],
            Schema::CryptoWallet => &[("publicKey", Text), ("currency", Text), ("notes", Text)],
            Schema::Case => &[
                ("name", Name),
                ("procedureNumber", Text),
                ("openedOn", DateValue),
                ("notes", Text),
            ],
            Schema::DealingPoint => &[
                ("name", Name),
                ("address", Text),
                ("city", Text),
                ("notes", Text),
            ],
            Schema::Network => &[("name", Name), ("notes", Text)],
        }
    }

    /// The property whose first value names the entity in lists.
    fn caption_properties(self) -> &'static [&'static str] {
        match self {
            Schema::Person => &["name", "lastName", "alias"],
            Schema::Vehicle => &["registrationNumber", "model"],
            Schema::Phone => &["number"],
            Schema::Address => &["full", "city"],
            Schema::BankAccount => &["iban"],
            Schema::CryptoWallet => &["publicKey"],
            Schema::Case => &["name", "procedureNumber"],
            Schema::Company | Schema::Organization | Schema::DealingPoint | Schema::Network => {
                &["name"]
            }
        }
    }
}

/// How a property value is validated and normalised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PropertyKind {
    Text,
    Name,
    /// ISO date, possibly partial: "1990-04-12", "1990-04", "1990".
    DateValue,
    PlateValue,
    PhoneValue,
    IbanValue,
    SirenOrSiret,
}

/// The legal framework a record was collected under. It decides who may see the record, what may go
/// into a court file, and how long it is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalRegime {
    /// Police judiciaire under a magistrate's authority.
    Judicial,
    /// Administrative intelligence.
    Administrative,
    /// Customs powers (code des douanes).
    Customs,
    /// Municipal police.
    MunicipalPolice,
    /// Information from a private partner (social landlord, transport operator).
    Partner,
}

impl LegalRegime {
    pub const ALL: [LegalRegime; 5] = [
        LegalRegime::Judicial,
        LegalRegime::Administrative,
        LegalRegime::Customs,
        LegalRegime::MunicipalPolice,
        LegalRegime::Partner,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LegalRegime::Judicial => "judicial",
            LegalRegime::Administrative => "administrative",
            LegalRegime::Customs => "customs",
            LegalRegime::MunicipalPolice => "municipal_police",
            LegalRegime::Partner => "partner",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|regime| regime.as_str() == input)
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            LegalRegime::Judicial => "Judiciaire",
            LegalRegime::Administrative => "Administratif",
            LegalRegime::Customs => "Douanier",
            LegalRegime::MunicipalPolice => "Police municipale",
            LegalRegime::Partner => "Partenaire",
        }
    }
}

/// Who recorded a fact, from which source, when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    pub recorded_by: AccountId,
    pub unit: UnitId,
    /// Free description of the source: "PV 2024/123 du 12/03", "import FtM", "synthétique". Never a
    /// human source's name (sources are referenced by code).
    pub source: String,
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
}

pub type Properties = BTreeMap<String, Vec<String>>;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    pub id: EntityId,
    pub schema: Schema,
    pub properties: Properties,
    /// The unit that owns the record (decides "own unit" in the policy).
    pub owner_unit: UnitId,
    /// Where the record is located, as a département code, when known.
    pub departement: Option<String>,
    pub regime: LegalRegime,
    pub provenance: Provenance,
    /// Incremented on every change, for optimistic concurrency.
    pub version: i64,
}

impl Entity {
    /// The name shown in lists: the first value of the schema's caption properties.
    pub fn caption(&self) -> String {
        caption_of(self.schema, &self.properties)
    }

    /// The folded text the store indexes for the simple search (names, identifiers, caption).
    pub fn search_key(&self) -> String {
        let mut key = String::new();
        for (name, kind) in self.schema.properties() {
            if matches!(kind, PropertyKind::Text) && *name == "notes" {
                continue;
            }
            for value in self.properties.get(*name).into_iter().flatten() {
                key.push_str(&crate::text::fold(value));
                key.push(' ');
                // Identifiers are also indexed without separators so that "AB123CD" finds "AB-123-CD".
                if !matches!(kind, PropertyKind::Text | PropertyKind::Name) {
                    key.extend(
                        value
                            .chars()
                            .filter(|c| c.is_ascii_alphanumeric())
                            .map(|c| c.to_ascii_lowercase()),
                    );
                    key.push(' ');
                }
            }
        }
        key.trim_end().to_owned()
    }
}

pub fn caption_of(schema: Schema, properties: &Properties) -> String {
    if schema == Schema::Person && !properties.contains_key("name") {
        let first = properties.get("firstName").and_then(|v| v.first());
        let last = properties.get("lastName").and_then(|v| v.first());
        match (first, last) {
            (Some(first), Some(last)) => return format!("{first} {}", last.to_uppercase()),
            (None, Some(last)) => return last.to_uppercase(),
            _ => {}
        }
    }
    schema
        .caption_properties()
        .iter()
        .find_map(|name| {
            properties
                .get(*name)
                .and_then(|values| values.first())
                .cloned()
        })
        .unwrap_or_else(|| schema.label_fr().to_owned())
}

/// A problem with one property of an entity, in French for the user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Validates and normalises `properties` for `schema`: unknown properties, empty values and invalid
/// identifiers are reported, one error per field. Identifier values come back in normal form.
pub fn validate_properties(
    schema: Schema,
    properties: &Properties,
) -> Result<Properties, Vec<FieldError>> {
    let mut normalised = Properties::new();
    let mut errors = Vec::new();
    for (name, values) in properties {
        let Some((_, kind)) = schema.properties().iter().find(|(known, _)| known == name) else {
            errors.push(FieldError {
                field: name.clone(),
                message: format!("Propriété inconnue pour le type « {} »", schema.label_fr()),
            });
            continue;
        };
        let mut clean = Vec::with_capacity(values.len());
        for value in values {
            match normalise_value(*kind, value) {
                Ok(Some(value)) => {
                    if !clean.contains(&value) {
                        clean.push(value);
                    }
                }
                Ok(None) => {}
                Err(message) => errors.push(FieldError {
                    field: name.clone(),
                    message,
                }),
            }
        }
        if !clean.is_empty() {
            normalised.insert(name.clone(), clean);
        }
    }
    if normalised.is_empty() && errors.is_empty() {
        errors.push(FieldError {
            field: String::new(),
            message: "L'entité ne contient aucune propriété renseignée".to_owned(),
        });
    }
    if errors.is_empty() {
        Ok(normalised)
    } else {
        Err(errors)
    }
}

const MAX_VALUE_CHARS: usize = 2_000;

fn normalise_value(kind: PropertyKind, raw: &str) -> Result<Option<String>, String> {
    let value = raw.trim();
    if value.is_empty() {
        return Ok(None);
    }
    if value.chars().count() > MAX_VALUE_CHARS {
        return Err(format!(
            "Valeur trop longue (plus de {MAX_VALUE_CHARS} caractères)"
        ));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err("La valeur contient des caractères de contrôle".to_owned());
    }
    let normal = match kind {
        PropertyKind::Text | PropertyKind::Name => value.to_owned(),
        PropertyKind::DateValue => parse_partial_date(value)?,
        PropertyKind::PlateValue => Plate::parse(value).map_err(|e| e.to_string())?.to_string(),
        PropertyKind::PhoneValue => PhoneNumber::parse(value)
            .map_err(|e| e.to_string())?
            .to_string(),
        PropertyKind::IbanValue => Iban::parse(value)
            .map_err(|e| e.to_string())?
            .as_str()
            .to_owned(),
        PropertyKind::SirenOrSiret => {
            let digits: String = value.chars().filter(|c| !c.is_whitespace()).collect();
            if digits.len() == 14 {
                Siret::parse(&digits)
                    .map_err(|e| e.to_string())?
                    .to_string()
            } else {
                Siren::parse(&digits)
                    .map_err(|e| e.to_string())?
                    .to_string()
            }
        }
    };
    Ok(Some(normal))
}

/// Accepts "YYYY", "YYYY-MM" and "YYYY-MM-DD" (a full date must exist in the calendar).
pub fn parse_partial_date(value: &str) -> Result<String, String> {
    let error =
        || format!("Date invalide « {value} » : formats acceptés AAAA, AAAA-MM ou AAAA-MM-JJ");
    let parts: Vec<&str> = value.split('-').collect();
    let numbers: Option<Vec<u32>> = parts
        .iter()
        .map(|part| {
            if part.chars().all(|c| c.is_ascii_digit()) {
                part.parse().ok()
            } else {
                None
            }
        })
        .collect();
    let numbers = numbers.ok_or_else(error)?;
    match (parts.as_slice(), numbers.as_slice()) {
        ([y], [year]) if y.len() == 4 && (1800..=2200).contains(year) => Ok(value.to_owned()),
        ([y, m], [year, month])
            if y.len() == 4
                && m.len() == 2
                && (1800..=2200).contains(year)
                && (1..=12).contains(month) =>
        {
            Ok(value.to_owned())
        }
        ([y, m, d], [year, month, day]) if y.len() == 4 && m.len() == 2 && d.len() == 2 => {
            let month = u8::try_from(*month)
                .ok()
                .and_then(|m| time::Month::try_from(m).ok())
                .ok_or_else(error)?;
            let day = u8::try_from(*day).map_err(|_| error())?;
            let year = i32::try_from(*year).map_err(|_| error())?;
            Date::from_calendar_date(year, month, day).map_err(|_| error())?;
            Ok(value.to_owned())
        }
        _ => Err(error()),
    }
}

/// The kinds of typed link between two entities.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// Known associate.
    Associate,
    Family,
    /// Owns or uses a vehicle, company, account, wallet.
    Owner,
    /// Uses a phone line.
    PhoneUser,
    /// Lives or is domiciled at an address.
    Resident,
    /// Director or manager of a company.
    Director,
    /// Member of a network.
    Member,
    /// Involved in a case.
    Involved,
    /// Operates or supplies a dealing point.
    Operates,
    /// Money transfer between accounts.
    Payment,
}

impl LinkKind {
    pub const ALL: [LinkKind; 10] = [
        LinkKind::Associate,
        LinkKind::Family,
        LinkKind::Owner,
        LinkKind::PhoneUser,
        LinkKind::Resident,
        LinkKind::Director,
        LinkKind::Member,
        LinkKind::Involved,
        LinkKind::Operates,
        LinkKind::Payment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Associate => "associate",
            LinkKind::Family => "family",
            LinkKind::Owner => "owner",
            LinkKind::PhoneUser => "phone_user",
            LinkKind::Resident => "resident",
            LinkKind::Director => "director",
            LinkKind::Member => "member",
            LinkKind::Involved => "involved",
            LinkKind::Operates => "operates",
            LinkKind::Payment => "payment",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == input)
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            LinkKind::Associate => "Relation",
            LinkKind::Family => "Famille",
            LinkKind::Owner => "Propriétaire / utilisateur",
            LinkKind::PhoneUser => "Utilise la ligne",
            LinkKind::Resident => "Domicilié à",
            LinkKind::Director => "Dirigeant",
            LinkKind::Member => "Membre",
            LinkKind::Involved => "Mis en cause dans",
            LinkKind::Operates => "Tient le point de deal",
            LinkKind::Payment => "Virement",
        }
    }
}

/// A dated, typed link from one entity to another.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub id: LinkId,
    pub kind: LinkKind,
    pub source: EntityId,
    pub target: EntityId,
    pub start: Option<Date>,
    pub end: Option<Date>,
    pub owner_unit: UnitId,
    pub departement: Option<String>,
    pub regime: LegalRegime,
    pub provenance: Provenance,
}

#[cfg(test)]
mod tests;
