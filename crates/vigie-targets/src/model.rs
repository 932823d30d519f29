//! What a target is: the person and/or identifiers a unit investigates under one procedure, who to
//! call about it, the magistrate in charge and the legal regime. Drafts (what a form, the API or a CSV
//! line gives) are validated into a [`TargetFile`] with one French message per faulty field.
//!
//! Identifiers come back in one canonical form (E.164 phones, plates without separators, IBAN without
//! spaces, SIREN from a SIRET, folded addresses), so that two units typing the same number differently
//! still meet. This module does not derive deconfliction keys (`keys`) and knows nothing of storage.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use vigie_core::entity::{parse_partial_date, FieldError, LegalRegime};
use vigie_core::identifiers::{Iban, PhoneNumber, Plate, Siren, Siret};
use vigie_core::org::UnitId;
use vigie_core::text::fold;

vigie_core::uuid_id!(TargetId, "target");

/// A target leaves the file this many years after its registration (or last renewal).
pub const TARGET_LIFETIME_YEARS: i32 = 2;

/// The longest free-text field (procedure number, names, places), in characters.
const MAX_TEXT: usize = 200;
/// The most identifiers on one target.
pub const MAX_IDENTIFIERS: usize = 200;

/// The kinds of identifier a target can carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentifierKind {
    Phone,
    Plate,
    Iban,
    /// A company, by SIREN (a SIRET is reduced to its SIREN).
    Siren,
    Address,
    CryptoWallet,
}

impl IdentifierKind {
    pub const ALL: [IdentifierKind; 6] = [
        IdentifierKind::Phone,
        IdentifierKind::Plate,
        IdentifierKind::Iban,
        IdentifierKind::Siren,
        IdentifierKind::Address,
        IdentifierKind::CryptoWallet,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IdentifierKind::Phone => "phone",
            IdentifierKind::Plate => "plate",
            IdentifierKind::Iban => "iban",
            IdentifierKind::Siren => "siren",
            IdentifierKind::Address => "address",
            IdentifierKind::CryptoWallet => "crypto_wallet",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == input)
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            IdentifierKind::Phone => "téléphone",
            IdentifierKind::Plate => "immatriculation",
            IdentifierKind::Iban => "IBAN",
            IdentifierKind::Siren => "société (SIREN)",
            IdentifierKind::Address => "adresse",
            IdentifierKind::CryptoWallet => "portefeuille de cryptoactifs",
        }
    }

    /// Validates `raw` and returns its canonical form, or a French message.
    pub fn canonical(self, raw: &str) -> Result<String, String> {
        let raw = raw.trim();
        match self {
            IdentifierKind::Phone => PhoneNumber::parse(raw)
                .map(|phone| phone.as_str().to_owned())
                .map_err(|error| error.to_string()),
            IdentifierKind::Plate => Plate::parse(raw)
                .map(|plate| plate.as_str().to_owned())
                .map_err(|error| error.to_string()),
            IdentifierKind::Iban => Iban::parse(raw)
                .map(|iban| iban.as_str().to_owned())
                .map_err(|error| error.to_string()),
            IdentifierKind::Siren => {
                let digits: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
                if digits.len() == 14 {
                    Siret::parse(raw)
                        .map(|siret| siret.siren().as_str().to_owned())
                        .map_err(|error| error.to_string())
                } else {
                    Siren::parse(raw)
                        .map(|siren| siren.as_str().to_owned())
                        .map_err(|error| error.to_string())
                }
            }
            IdentifierKind::Address => canonical_address(raw),
            IdentifierKind::CryptoWallet => canonical_wallet(raw),
        }
    }
}

/// Street-type abbreviations expanded so that "12 bd de la Libération" meets "12 boulevard de la
/// libération".
const STREET_ABBREVIATIONS: &[(&str, &str)] = &[
    ("av", "avenue"),
    ("ave", "avenue"),
    ("bd", "boulevard"),
    ("bld", "boulevard"),
    ("boul", "boulevard"),
    ("ch", "chemin"),
    ("chem", "chemin"),
    ("imp", "impasse"),
    ("pl", "place"),
    ("r", "rue"),
    ("rte", "route"),
    ("sq", "square"),
    ("all", "allee"),
    ("crs", "cours"),
    ("fg", "faubourg"),
    ("fbg", "faubourg"),
    ("qu", "quai"),
    ("res", "residence"),
    ("st", "saint"),
    ("ste", "sainte"),
    ("bat", "batiment"),
    ("cite", "cite"),
];

/// An address in words, folded, abbreviations expanded. It must hold a number and a word.
fn canonical_address(raw: &str) -> Result<String, String> {
    if raw.chars().count() > MAX_TEXT {
        return Err(format!(
            "Adresse invalide : la saisie dépasse {MAX_TEXT} caractères"
        ));
    }
    let words: Vec<String> = fold(raw)
        .split(' ')
        .filter(|word| !word.is_empty())
        .map(|word| {
            STREET_ABBREVIATIONS
                .iter()
                .find(|(short, _)| *short == word)
                .map(|(_, long)| (*long).to_owned())
                .unwrap_or_else(|| word.to_owned())
        })
        .collect();
    let has_number = words
        .iter()
        .any(|word| word.chars().next().is_some_and(|c| c.is_ascii_digit()));
    let has_word = words
        .iter()
        .any(|word| word.chars().count() >= 3 && word.chars().all(char::is_alphabetic));
    if !has_number || !has_word {
        return Err(
            "Adresse invalide : indiquez au moins un numéro et une voie (ex. 12 rue de la République, Marseille)"
                .to_owned(),
        );
    }
    Ok(words.join(" "))
}

const BASE58: &str = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const BECH32: &str = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/// Bitcoin (legacy, P2SH, bech32), Ethereum-style and Tron addresses, checked by shape: alphabet and
/// length. Ethereum addresses are lower-cased (their mixed case is only a checksum).
fn canonical_wallet(raw: &str) -> Result<String, String> {
    let value: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    let error = || {
        "Portefeuille invalide : adresse Bitcoin (1…, 3…, bc1…), Ethereum (0x suivi de 40 caractères hexadécimaux) ou Tron (T…) attendue"
            .to_owned()
    };
    if let Some(hex) = value
        .strip_prefix("0x")
        .or_else(|| value.strip_prefix("0X"))
    {
        if hex.len() == 40 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Ok(format!("0x{}", hex.to_ascii_lowercase()));
        }
        return Err(error());
    }
    let lower = value.to_ascii_lowercase();
    if let Some(data) = lower.strip_prefix("bc1") {
        if (11..=71).contains(&data.len()) && data.chars().all(|c| BECH32.contains(c)) {
            return Ok(lower);
        }
        return Err(error());
    }
    let base58 = value.chars().all(|c| BASE58.contains(c));
    let ok = base58
        && match value.chars().next() {
            Some('1') | Some('3') => (26..=35).contains(&value.len()),
            Some('T') => value.len() == 34,
            _ => false,
        };
    if ok {
        Ok(value)
    } else {
        Err(error())
    }
}

/// One identifier on a target, canonical, with when it was added (later additions are deconflicted
/// as they come).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetIdentifier {
    pub kind: IdentifierKind,
    pub value: String,
    pub added_at_micros: i64,
}

/// Who a target is, as far as the investigating unit knows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonIdentity {
    /// Surname as typed (compound and married names allowed: "MARTIN-DURAND", "LE GOFF épouse MARTIN").
    pub surname: String,
    pub given_names: String,
    /// Nicknames and other names used; shown, never matched on (too many share them).
    pub aliases: Vec<String>,
    /// "YYYY-MM-DD"; without it a person is not matched on identity (names alone collide too often).
    pub birth_date: Option<String>,
    pub birth_place: Option<String>,
}

impl PersonIdentity {
    /// "MARTIN Jean, né(e) le 03/05/1990".
    pub fn caption(&self) -> String {
        let mut caption = format!(
            "{} {}",
            self.surname.trim().to_uppercase(),
            self.given_names.trim()
        );
        if let Some(date) = &self.birth_date {
            if let Some(shown) = french_date(date) {
                caption.push_str(&format!(", né(e) le {shown}"));
            }
        }
        caption.trim().to_owned()
    }
}

/// "1990-05-03" → "03/05/1990".
pub fn french_date(iso: &str) -> Option<String> {
    let mut parts = iso.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    Some(format!("{day}/{month}/{year}"))
}

/// The magistrate (or parquet, JIRS) in charge of the procedure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Magistrate {
    /// The parquet or JIRS unit in Vigie, when it has one: its magistrates arbitrate conflicts.
    pub unit: Option<UnitId>,
    /// As the investigators name it: "Mme X, JIRS de Marseille".
    pub name: String,
}

/// A renewal of the target's two years, with its reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Renewal {
    pub at_micros: i64,
    /// Journal reference of the account that renewed.
    pub by: String,
    pub motivation: String,
}

/// A validated target, as the engine stores it (the registering unit, registration time, expiry and
/// registration order are kept beside it by the store).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetFile {
    /// The procedure number the target is registered under.
    pub procedure: String,
    pub regime: LegalRegime,
    pub magistrate: Option<Magistrate>,
    /// The investigator to call.
    pub contact_name: String,
    pub contact_phone: String,
    pub person: Option<PersonIdentity>,
    pub identifiers: Vec<TargetIdentifier>,
    pub renewals: Vec<Renewal>,
}

impl TargetFile {
    /// A short label for lists: the person, or the first identifiers.
    pub fn caption(&self) -> String {
        if let Some(person) = &self.person {
            return person.caption();
        }
        let shown: Vec<String> = self
            .identifiers
            .iter()
            .take(2)
            .map(|identifier| format!("{} {}", identifier.kind.label_fr(), identifier.value))
            .collect();
        let more = self.identifiers.len().saturating_sub(2);
        if more > 0 {
            format!("{} (+{more})", shown.join(", "))
        } else {
            shown.join(", ")
        }
    }
}

/// A person as a form or a CSV line gives it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonDraft {
    pub surname: String,
    pub given_names: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub birth_date: Option<String>,
    pub birth_place: Option<String>,
}

/// An identifier as typed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentifierDraft {
    pub kind: String,
    pub value: String,
}

/// A target as typed, before validation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetDraft {
    pub procedure: String,
    /// `judicial`, `administrative` or `customs`.
    pub regime: String,
    pub magistrate_unit: Option<UnitId>,
    pub magistrate_name: Option<String>,
    pub contact_name: String,
    pub contact_phone: String,
    pub person: Option<PersonDraft>,
    pub identifiers: Vec<IdentifierDraft>,
}

fn field_error(field: impl Into<String>, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

/// A required, bounded text field.
fn required_text(
    errors: &mut Vec<FieldError>,
    field: &str,
    label: &str,
    value: &str,
) -> Option<String> {
    let value = value.trim();
    if value.is_empty() {
        errors.push(field_error(field, format!("{label} : champ obligatoire")));
        None
    } else if value.chars().count() > MAX_TEXT {
        errors.push(field_error(
            field,
            format!("{label} : {MAX_TEXT} caractères au plus"),
        ));
        None
    } else if value.chars().any(char::is_control) {
        errors.push(field_error(
            field,
            format!("{label} : caractère de contrôle interdit"),
        ));
        None
    } else {
        Some(value.to_owned())
    }
}

/// Validates identifiers drafts into canonical identifiers (duplicates folded), naming each faulty one
/// as `{prefix}[i]`.
pub fn validate_identifiers(
    drafts: &[IdentifierDraft],
    prefix: &str,
    now_micros: i64,
    errors: &mut Vec<FieldError>,
) -> Vec<TargetIdentifier> {
    let mut identifiers: Vec<TargetIdentifier> = Vec::new();
    if drafts.len() > MAX_IDENTIFIERS {
        errors.push(field_error(
            prefix,
            format!("{MAX_IDENTIFIERS} identifiants au plus par objectif"),
        ));
        return identifiers;
    }
    for (index, draft) in drafts.iter().enumerate() {
        let Some(kind) = IdentifierKind::parse(draft.kind.trim()) else {
            errors.push(field_error(
                format!("{prefix}[{index}].kind"),
                format!(
                    "Type d'identifiant inconnu « {} » : phone, plate, iban, siren, address ou crypto_wallet",
                    draft.kind.trim()
                ),
            ));
            continue;
        };
        match kind.canonical(&draft.value) {
            Ok(value) => {
                if !identifiers
                    .iter()
                    .any(|known| known.kind == kind && known.value == value)
                {
                    identifiers.push(TargetIdentifier {
                        kind,
                        value,
                        added_at_micros: now_micros,
                    });
                }
            }
            Err(message) => errors.push(field_error(format!("{prefix}[{index}].value"), message)),
        }
    }
    identifiers
}

fn validate_person(draft: &PersonDraft, errors: &mut Vec<FieldError>) -> Option<PersonIdentity> {
    let surname = required_text(errors, "person.surname", "Nom", &draft.surname);
    let given_names = required_text(errors, "person.given_names", "Prénoms", &draft.given_names);
    let birth_date = match draft.birth_date.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(value) => match parse_partial_date(value) {
            Ok(date) if date.len() == 10 => Some(date),
            Ok(_) => {
                errors.push(field_error(
                    "person.birth_date",
                    "Date de naissance : date complète attendue (AAAA-MM-JJ)",
                ));
                None
            }
            Err(message) => {
                errors.push(field_error("person.birth_date", message));
                None
            }
        },
    };
    let birth_place = match draft.birth_place.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(value) => required_text(errors, "person.birth_place", "Lieu de naissance", value),
    };
    let mut aliases = Vec::new();
    for (index, alias) in draft.aliases.iter().enumerate() {
        if alias.trim().is_empty() {
            continue;
        }
        if let Some(alias) =
            required_text(errors, &format!("person.aliases[{index}]"), "Surnom", alias)
        {
            aliases.push(alias);
        }
    }
    Some(PersonIdentity {
        surname: surname?,
        given_names: given_names?,
        aliases,
        birth_date,
        birth_place,
    })
}

/// Validates what a target is about (a person and/or identifiers), as registering and checking both
/// need it: a person counts once any of its fields is typed, and then needs a name; at least a
/// person or an identifier must be given. Errors go to `errors`, named `person.*` and `identifiers[i].*`.
pub fn validate_subject(
    person: Option<&PersonDraft>,
    identifiers: &[IdentifierDraft],
    now_micros: i64,
    errors: &mut Vec<FieldError>,
) -> (Option<PersonIdentity>, Vec<TargetIdentifier>) {
    let typed = |value: &str| !value.trim().is_empty();
    let person = person.filter(|person| {
        typed(&person.surname)
            || typed(&person.given_names)
            || person.aliases.iter().any(|alias| typed(alias))
            || person.birth_date.as_deref().is_some_and(typed)
            || person.birth_place.as_deref().is_some_and(typed)
    });
    let person = match person {
        // Something about a person was typed, but no name: say so rather than drop it.
        Some(person) if !typed(&person.surname) && !typed(&person.given_names) => {
            errors.push(field_error(
                "person.surname",
                "Nom : champ obligatoire dès qu'une information sur la personne est saisie",
            ));
            None
        }
        Some(person) => validate_person(person, errors),
        None => None,
    };
    let identifiers = validate_identifiers(identifiers, "identifiers", now_micros, errors);
    if person.is_none()
        && identifiers.is_empty()
        && !errors.iter().any(|error| {
            error.field.starts_with("identifiers") || error.field.starts_with("person")
        })
    {
        errors.push(field_error(
            "identifiers",
            "Indiquez une personne ou au moins un identifiant (téléphone, immatriculation, IBAN…)",
        ));
    }
    (person, identifiers)
}

impl TargetDraft {
    /// Validates the draft: every faulty field is reported, in French, by its name. A target needs a
    /// person or at least one identifier; a judicial procedure needs its magistrate.
    pub fn validate(&self, now_micros: i64) -> Result<TargetFile, Vec<FieldError>> {
        let mut errors = Vec::new();
        let procedure = required_text(
            &mut errors,
            "procedure",
            "Numéro de procédure",
            &self.procedure,
        );
        let regime = match LegalRegime::parse(self.regime.trim()) {
            Some(
                regime @ (LegalRegime::Judicial
                | LegalRegime::Administrative
                | LegalRegime::Customs),
            ) => Some(regime),
            Some(_) => {
                errors.push(field_error(
                    "regime",
                    "Régime : un objectif relève d'un cadre judiciaire, administratif ou douanier",
                ));
                None
            }
            None => {
                errors.push(field_error(
                    "regime",
                    "Régime inconnu : judicial, administrative ou customs",
                ));
                None
            }
        };
        let magistrate_name = self
            .magistrate_name
            .as_deref()
            .map(str::trim)
            .filter(|name| !name.is_empty());
        let magistrate = match magistrate_name {
            Some(name) => {
                required_text(&mut errors, "magistrate_name", "Magistrat", name).map(|name| {
                    Magistrate {
                        unit: self.magistrate_unit,
                        name,
                    }
                })
            }
            None if self.magistrate_unit.is_some() => Some(Magistrate {
                unit: self.magistrate_unit,
                name: String::new(),
            }),
            None => None,
        };
        if regime == Some(LegalRegime::Judicial) && magistrate.is_none() {
            errors.push(field_error(
                "magistrate_name",
                "Magistrat : obligatoire pour une procédure judiciaire (parquet, JIRS ou juge d'instruction)",
            ));
        }
        let contact_name = required_text(
            &mut errors,
            "contact_name",
            "Enquêteur à contacter",
            &self.contact_name,
        );
        let contact_phone = match PhoneNumber::parse(self.contact_phone.trim()) {
            Ok(phone) => Some(phone.as_str().to_owned()),
            Err(error) => {
                errors.push(field_error("contact_phone", error.to_string()));
                None
            }
        };
        let (person, identifiers) = validate_subject(
            self.person.as_ref(),
            &self.identifiers,
            now_micros,
            &mut errors,
        );
        match (procedure, regime, contact_name, contact_phone) {
            (Some(procedure), Some(regime), Some(contact_name), Some(contact_phone))
                if errors.is_empty() =>
            {
                Ok(TargetFile {
                    procedure,
                    regime,
                    magistrate,
                    contact_name,
                    contact_phone,
                    person,
                    identifiers,
                    renewals: Vec::new(),
                })
            }
            _ => Err(errors),
        }
    }
}

/// The instant a target registered (or renewed) at `from` leaves the file: the same calendar day two
/// years later (29 February gives 1 March).
pub fn expiry_after(from: OffsetDateTime) -> OffsetDateTime {
    let date = from.date();
    let year = date.year() + TARGET_LIFETIME_YEARS;
    let target_date = Date::from_calendar_date(year, date.month(), date.day())
        .or_else(|_| Date::from_calendar_date(year, time::Month::March, 1))
        .unwrap_or(date);
    from.replace_date(target_date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_identifier(kind: IdentifierKind, raw: &str, expected: Result<&str, &str>) {
        match (kind.canonical(raw), expected) {
            (Ok(got), Ok(want)) => assert_eq!(got, want, "{raw}"),
            (Err(got), Err(fragment)) => {
                assert!(got.contains(fragment), "{got:?} lacks {fragment:?}")
            }
            (got, want) => panic!("{raw:?}: got {got:?}, want {want:?}"),
        }
    }

    #[test]
    fn identifiers_are_canonical() {
        use IdentifierKind::*;
        check_identifier(Phone, "06 12 34 56 78", Ok("+33612345678"));
        check_identifier(Phone, "+33 6 12 34 56 78", Ok("+33612345678"));
        check_identifier(Phone, "bonjour", Err("Numéro de téléphone invalide"));
        check_identifier(Plate, "ab-123-cd", Ok("AB-123-CD"));
        check_identifier(Plate, "AB-123-OU", Err("Immatriculation invalide"));
        check_identifier(
            Iban,
            "FR76 3000 6000 0112 3456 7890 189",
            Ok("FR7630006000011234567890189"),
        );
        check_identifier(
            Iban,
            "FR76 3000 6000 0112 3456 7890 188",
            Err("clé de contrôle"),
        );
        check_identifier(Siren, "732 829 320", Ok("732829320"));
        check_identifier(Siren, "732 829 320 00074", Ok("732829320"));
        check_identifier(
            Address,
            "12 Bd de la Libération, Marseille",
            Ok("12 boulevard de la liberation marseille"),
        );
        check_identifier(Address, "Marseille", Err("au moins un numéro"));
        check_identifier(
            CryptoWallet,
            "0xAbCdEf0123456789abcdef0123456789ABCDEF01",
            Ok("0xabcdef0123456789abcdef0123456789abcdef01"),
        );
        check_identifier(
            CryptoWallet,
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
            Ok("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"),
        );
        check_identifier(
            CryptoWallet,
            "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
            Ok("1BoatSLRHtKNngkdXEeobR76b53LETtpyT"),
        );
        check_identifier(
            CryptoWallet,
            "1BoatSLRHtKNngkdXEeobR76b53LETtpy0",
            Err("Portefeuille invalide"),
        );
    }

    fn draft() -> TargetDraft {
        TargetDraft {
            procedure: "2026/123".to_owned(),
            regime: "judicial".to_owned(),
            magistrate_unit: None,
            magistrate_name: Some("JIRS de Marseille".to_owned()),
            contact_name: "Capitaine Durand".to_owned(),
            contact_phone: "04 91 00 00 00".to_owned(),
            person: Some(PersonDraft {
                surname: "Martin-Durand".to_owned(),
                given_names: "Jean Pierre".to_owned(),
                aliases: vec!["le Grand".to_owned()],
                birth_date: Some("1990-05-03".to_owned()),
                birth_place: None,
            }),
            identifiers: vec![
                IdentifierDraft {
                    kind: "phone".to_owned(),
                    value: "0612345678".to_owned(),
                },
                IdentifierDraft {
                    kind: "phone".to_owned(),
                    value: "+33 6 12 34 56 78".to_owned(),
                },
            ],
        }
    }

    #[test]
    fn a_valid_draft_gives_a_file_with_duplicates_folded() {
        let file = draft().validate(7).unwrap();
        assert_eq!(file.identifiers.len(), 1);
        assert_eq!(file.identifiers[0].value, "+33612345678");
        assert_eq!(file.identifiers[0].added_at_micros, 7);
        assert_eq!(file.contact_phone, "+33491000000");
        assert_eq!(
            file.caption(),
            "MARTIN-DURAND Jean Pierre, né(e) le 03/05/1990"
        );
    }

    #[track_caller]
    fn check_errors(change: impl FnOnce(&mut TargetDraft), expected: &[(&str, &str)]) {
        let mut target = draft();
        change(&mut target);
        let errors = target.validate(0).unwrap_err();
        let got: Vec<(&str, &str)> = errors
            .iter()
            .map(|error| (error.field.as_str(), error.message.as_str()))
            .collect();
        assert_eq!(got.len(), expected.len(), "{got:?}");
        for ((field, message), (want_field, want_fragment)) in got.iter().zip(expected) {
            assert_eq!(field, want_field);
            assert!(
                message.contains(want_fragment),
                "{message:?} lacks {want_fragment:?}"
            );
        }
    }

    #[test]
    fn faulty_fields_are_named() {
        check_errors(
            |t| t.identifiers[1].value = "FR76 0000".to_owned(),
            &[("identifiers[1].value", "Numéro de téléphone invalide")],
        );
        check_errors(
            |t| {
                t.identifiers.push(IdentifierDraft {
                    kind: "iban".to_owned(),
                    value: "FR76 3000 6000 0112 3456 7890 188".to_owned(),
                })
            },
            &[("identifiers[2].value", "IBAN invalide : la clé de contrôle")],
        );
        check_errors(
            |t| t.identifiers[0].kind = "fax".to_owned(),
            &[("identifiers[0].kind", "Type d'identifiant inconnu « fax »")],
        );
        check_errors(
            |t| t.magistrate_name = None,
            &[(
                "magistrate_name",
                "obligatoire pour une procédure judiciaire",
            )],
        );
        check_errors(
            |t| t.regime = "partner".to_owned(),
            &[("regime", "judiciaire, administratif ou douanier")],
        );
        check_errors(
            |t| {
                t.person = None;
                t.identifiers.clear();
            },
            &[("identifiers", "une personne ou au moins un identifiant")],
        );
        check_errors(
            |t| {
                if let Some(person) = t.person.as_mut() {
                    person.birth_date = Some("1990-02-30".to_owned());
                }
            },
            &[("person.birth_date", "Date invalide")],
        );
        check_errors(
            |t| t.contact_phone = "?".to_owned(),
            &[("contact_phone", "Numéro de téléphone invalide")],
        );
        check_errors(
            |t| {
                if let Some(person) = t.person.as_mut() {
                    person.surname.clear();
                    person.given_names.clear();
                }
            },
            &[("person.surname", "dès qu'une information sur la personne")],
        );
    }

    #[test]
    fn an_administrative_target_needs_no_magistrate() {
        let mut target = draft();
        target.regime = "administrative".to_owned();
        target.magistrate_name = None;
        assert!(target.validate(0).unwrap().magistrate.is_none());
    }

    #[test]
    fn targets_expire_two_years_later() {
        use time::macros::datetime;
        assert_eq!(
            expiry_after(datetime!(2026-11-23 10:00 UTC)),
            datetime!(2028-11-23 10:00 UTC)
        );
        assert_eq!(
            expiry_after(datetime!(2028-02-29 08:00 UTC)),
            datetime!(2030-03-01 08:00 UTC)
        );
    }
}
