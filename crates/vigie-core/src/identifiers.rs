//! Typed, validated French identifiers: vehicle plates, phone numbers, IBANs, SIREN and SIRET.
//!
//! Each type can only be built through `parse`, which checks the syntax and any check digits and
//! stores one canonical form, so that two records that spell the same identifier differently
//! (`ab 123 cd` and `AB-123-CD`, `06 12 34 56 78` and `+33612345678`) compare equal. That canonical
//! form is what `as_str`, `Display` (except for the grouped IBAN) and serde use; deserialising goes
//! through `parse`, so an invalid value can never enter the model from JSON either.
//!
//! What this module does not do: it does not know whether an identifier is actually allocated (no
//! registry look-up, no SIV or INSEE access), it does not parse foreign phone numbering plans beyond
//! the E.164 length and country-code rules, and it never guesses: input that is ambiguous or
//! malformed is rejected with an [`IdentifierError`] whose message, in French, is meant for users.
//! Error messages never echo the whole input, since identifiers are personal data that may end up in
//! logs. Parsing never panics, whatever the input (empty, non-ASCII, huge).

#![deny(clippy::indexing_slicing)]

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[cfg(test)]
mod tests;

/// Longest input accepted, in characters, separators included. Real identifiers are at most 34
/// significant characters (IBAN); the bound keeps work and allocations small on hostile input.
pub const MAX_INPUT_CHARS: usize = 64;

/// The kind of identifier an error is about, named in French in messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IdentifierKind {
    /// « Immatriculation »
    Plate,
    /// « Numéro de téléphone »
    PhoneNumber,
    /// « IBAN »
    Iban,
    /// « SIREN »
    Siren,
    /// « SIRET »
    Siret,
}

impl fmt::Display for IdentifierKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Plate => "Immatriculation",
            Self::PhoneNumber => "Numéro de téléphone",
            Self::Iban => "IBAN",
            Self::Siren => "SIREN",
            Self::Siret => "SIRET",
        })
    }
}

/// Why an identifier was rejected. Messages are in French, for users.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    #[error("{kind} invalide : la valeur est vide")]
    Empty { kind: IdentifierKind },
    #[error("{kind} invalide : la saisie dépasse {max} caractères")]
    TooLong { kind: IdentifierKind, max: usize },
    #[error("{kind} invalide : le caractère {} n'est pas autorisé", ShowChar(*.character))]
    InvalidCharacter {
        kind: IdentifierKind,
        character: char,
    },
    #[error("{kind} invalide : {} au lieu de {expected}", Count(*.found, "chiffre"))]
    WrongDigitCount {
        kind: IdentifierKind,
        found: usize,
        expected: usize,
    },
    #[error("{kind} invalide : la clé de contrôle ne correspond pas")]
    Checksum { kind: IdentifierKind },
    #[error("{kind} invalide : un numéro composé uniquement de zéros n'est pas attribué")]
    AllZeros { kind: IdentifierKind },

    #[error("Immatriculation invalide : format non reconnu (attendu AB-123-CD ou 123 ABC 75)")]
    PlateFormat,
    #[error("Immatriculation invalide : les lettres I, O et U ne sont pas utilisées")]
    PlateForbiddenLetters,
    #[error("Immatriculation invalide : le bloc de lettres {block} n'est pas utilisé")]
    PlateForbiddenBlock { block: &'static str },
    #[error("Immatriculation invalide : le numéro 000 n'est pas attribué")]
    PlateZeroNumber,
    #[error("Immatriculation invalide : le numéro d'ordre doit être compris entre 1 et 9999, sans zéro initial")]
    PlateFniNumber,
    #[error("Immatriculation invalide : « {code} » n'est pas un code de département")]
    PlateDepartment { code: String },

    #[error("Numéro de téléphone invalide : il doit commencer par 0, par + ou par 00")]
    PhoneMissingPrefix,
    #[error("Numéro de téléphone invalide : l'indicatif pays ne peut pas commencer par 0")]
    PhoneCountryCode,
    #[error("Numéro de téléphone invalide : {}, un numéro international en compte de 7 à 15", Count(*.found, "chiffre"))]
    PhoneInternationalLength { found: usize },
    #[error("Numéro de téléphone invalide : {} après l'indicatif +{country_code} au lieu de 9", Count(*.found, "chiffre"))]
    PhoneDigitsAfterCountryCode {
        country_code: &'static str,
        found: usize,
    },
    #[error("Numéro de téléphone invalide : après l'indicatif +{country_code}, le numéro ne peut pas commencer par 0")]
    PhoneZeroAfterCountryCode { country_code: &'static str },

    #[error("IBAN invalide : le code pays doit être composé de deux lettres")]
    IbanCountryCode,
    #[error("IBAN invalide : la clé de contrôle doit être composée de deux chiffres")]
    IbanCheckDigits,
    #[error("IBAN invalide : {} au lieu de {expected} pour le pays {country}", Count(*.found, "caractère"))]
    IbanCountryLength {
        country: String,
        found: usize,
        expected: usize,
    },
    #[error("IBAN invalide : {}, un IBAN en compte de 15 à 34", Count(*.found, "caractère"))]
    IbanLength { found: usize },

    #[error("SIRET invalide : le SIREN qu'il contient n'est pas valide")]
    SiretSiren,
}

impl IdentifierError {
    /// The kind of identifier that was rejected.
    pub fn kind(&self) -> IdentifierKind {
        match self {
            Self::Empty { kind }
            | Self::TooLong { kind, .. }
            | Self::InvalidCharacter { kind, .. }
            | Self::WrongDigitCount { kind, .. }
            | Self::Checksum { kind }
            | Self::AllZeros { kind } => *kind,
            Self::PlateFormat
            | Self::PlateForbiddenLetters
            | Self::PlateForbiddenBlock { .. }
            | Self::PlateZeroNumber
            | Self::PlateFniNumber
            | Self::PlateDepartment { .. } => IdentifierKind::Plate,
            Self::PhoneMissingPrefix
            | Self::PhoneCountryCode
            | Self::PhoneInternationalLength { .. }
            | Self::PhoneDigitsAfterCountryCode { .. }
            | Self::PhoneZeroAfterCountryCode { .. } => IdentifierKind::PhoneNumber,
            Self::IbanCountryCode
            | Self::IbanCheckDigits
            | Self::IbanCountryLength { .. }
            | Self::IbanLength { .. } => IdentifierKind::Iban,
            Self::SiretSiren => IdentifierKind::Siret,
        }
    }
}

/// Shows a rejected character readably: quoted when printable, as `U+XXXX` otherwise.
struct ShowChar(char);

impl fmt::Display for ShowChar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_control() || self.0.is_whitespace() {
            write!(f, "U+{:04X}", u32::from(self.0))
        } else {
            write!(f, "« {} »", self.0)
        }
    }
}

/// A count with its noun, singular for 0 and 1 as in French.
struct Count(usize, &'static str);

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = if self.0 > 1 { "s" } else { "" };
        write!(f, "{} {}{plural}", self.0, self.1)
    }
}

/// Rejects empty and oversized input before any allocation.
fn check_bounds(kind: IdentifierKind, input: &str) -> Result<(), IdentifierError> {
    if input.chars().nth(MAX_INPUT_CHARS).is_some() {
        return Err(IdentifierError::TooLong {
            kind,
            max: MAX_INPUT_CHARS,
        });
    }
    if input.trim().is_empty() {
        return Err(IdentifierError::Empty { kind });
    }
    Ok(())
}

/// Hyphen-like characters that people and word processors put between blocks.
fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'
            | '\u{2011}'
            | '\u{2012}'
            | '\u{2013}'
            | '\u{2014}'
            | '\u{2015}'
            | '\u{2212}'
    )
}

/// Keeps ASCII digits only, skipping whitespace; anything else is an error.
fn digits_only(kind: IdentifierKind, input: &str) -> Result<String, IdentifierError> {
    check_bounds(kind, input)?;
    let mut out = String::with_capacity(16);
    for c in input.chars() {
        if c.is_ascii_digit() {
            out.push(c);
        } else if !c.is_whitespace() {
            return Err(IdentifierError::InvalidCharacter { kind, character: c });
        }
    }
    Ok(out)
}

fn digit_value(c: char) -> u32 {
    c.to_digit(10).unwrap_or(0)
}

/// Luhn check on a string of ASCII digits.
fn luhn_ok(digits: &str) -> bool {
    let sum: u32 = digits
        .chars()
        .rev()
        .enumerate()
        .map(|(i, c)| {
            let d = digit_value(c);
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Implements the conversions every identifier shares, all through `parse`.
macro_rules! common_impls {
    ($ty:ident) => {
        impl FromStr for $ty {
            type Err = IdentifierError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $ty {
            type Error = IdentifierError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl TryFrom<&str> for $ty {
            type Error = IdentifierError;
            fn try_from(value: &str) -> Result<Self, Self::Error> {
                Self::parse(value)
            }
        }

        impl From<$ty> for String {
            fn from(value: $ty) -> Self {
                value.value
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }
    };
}

// ---------------------------------------------------------------------------------------------
// Vehicle registration plates
// ---------------------------------------------------------------------------------------------

/// The two French registration schemes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PlateFormat {
    /// Système d'immatriculation des véhicules, since 2009: `AB-123-CD`.
    Siv,
    /// Fichier national des immatriculations, before 2009: `123 ABC 75`.
    Fni,
}

/// A French vehicle registration, normalised to `AB-123-CD` (SIV) or `123 ABC 75` (FNI).
///
/// Accepts lower case, spaces and any or no dashes between blocks. SIV rules enforced: letters I, O
/// and U are never used, `SS` is never used as first or last block (`WW`, the temporary series, is
/// valid), and number `000` is not allocated. FNI: 1 to 4 digits without leading zero, 1 to 3
/// letters, then a département (01-95, 2A, 2B, 971-976).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Plate {
    value: String,
    format: PlateFormat,
}

impl Plate {
    /// Validates `input` and normalises it to the canonical form described above.
    pub fn parse(input: &str) -> Result<Self, IdentifierError> {
        const KIND: IdentifierKind = IdentifierKind::Plate;
        check_bounds(KIND, input)?;
        let mut compact = String::with_capacity(12);
        for c in input.chars() {
            if c.is_ascii_alphanumeric() {
                compact.push(c.to_ascii_uppercase());
            } else if !(c.is_whitespace() || is_dash(c)) {
                return Err(IdentifierError::InvalidCharacter {
                    kind: KIND,
                    character: c,
                });
            }
        }
        match compact.chars().next() {
            None => Err(IdentifierError::Empty { kind: KIND }),
            Some(c) if c.is_ascii_digit() => Self::parse_fni(&compact),
            Some(_) => Self::parse_siv(&compact),
        }
    }

    /// `compact` is upper-case ASCII alphanumerics starting with a letter.
    fn parse_siv(compact: &str) -> Result<Self, IdentifierError> {
        let (left, rest) = compact
            .split_at_checked(2)
            .ok_or(IdentifierError::PlateFormat)?;
        let (number, right) = rest
            .split_at_checked(3)
            .ok_or(IdentifierError::PlateFormat)?;
        let letters = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase());
        if !letters(left) || !letters(right) || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdentifierError::PlateFormat);
        }
        // Excluded because they read as 1, 0 and V.
        if left
            .chars()
            .chain(right.chars())
            .any(|c| matches!(c, 'I' | 'O' | 'U'))
        {
            return Err(IdentifierError::PlateForbiddenLetters);
        }
        if left == "SS" || right == "SS" {
            return Err(IdentifierError::PlateForbiddenBlock { block: "SS" });
        }
        if number == "000" {
            return Err(IdentifierError::PlateZeroNumber);
        }
        Ok(Self {
            value: format!("{left}-{number}-{right}"),
            format: PlateFormat::Siv,
        })
    }

    /// `compact` is upper-case ASCII alphanumerics starting with a digit.
    fn parse_fni(compact: &str) -> Result<Self, IdentifierError> {
        let number_len = compact.bytes().take_while(u8::is_ascii_digit).count();
        let (number, rest) = compact
            .split_at_checked(number_len)
            .ok_or(IdentifierError::PlateFormat)?;
        let letters_len = rest.bytes().take_while(u8::is_ascii_uppercase).count();
        let (letters, department) = rest
            .split_at_checked(letters_len)
            .ok_or(IdentifierError::PlateFormat)?;
        if !(1..=4).contains(&number.len()) || !(1..=3).contains(&letters.len()) {
            return Err(IdentifierError::PlateFormat);
        }
        if department.is_empty() {
            return Err(IdentifierError::PlateFormat);
        }
        if number.starts_with('0') {
            return Err(IdentifierError::PlateFniNumber);
        }
        if !is_fni_department(department) {
            return Err(IdentifierError::PlateDepartment {
                code: department.to_owned(),
            });
        }
        Ok(Self {
            value: format!("{number} {letters} {department}"),
            format: PlateFormat::Fni,
        })
    }

    /// The canonical form: `AB-123-CD` or `123 ABC 75`.
    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// Which scheme the plate belongs to.
    pub fn format(&self) -> PlateFormat {
        self.format
    }
}

fn is_fni_department(code: &str) -> bool {
    match code {
        "2A" | "2B" => true,
        _ if !code.bytes().all(|b| b.is_ascii_digit()) => false,
        _ => match (code.len(), code.parse::<u16>()) {
            (2, Ok(n)) => (1..=95).contains(&n),
            (3, Ok(n)) => (971..=976).contains(&n),
            _ => false,
        },
    }
}

impl fmt::Display for Plate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)
    }
}

common_impls!(Plate);

// ---------------------------------------------------------------------------------------------
// Phone numbers
// ---------------------------------------------------------------------------------------------

/// Overseas départements with their own country code, by French national prefix (trunk 0
/// included). Every other French national number maps to +33.
const OVERSEAS_PREFIXES: [(&str, &str); 14] = [
    ("0590", "590"), // Guadeloupe (also Saint-Martin, Saint-Barthélemy)
    ("0690", "590"),
    ("0691", "590"),
    ("0596", "596"), // Martinique
    ("0696", "596"),
    ("0697", "596"),
    ("0594", "594"), // Guyane
    ("0694", "594"),
    ("0262", "262"), // La Réunion
    ("0263", "262"),
    ("0692", "262"),
    ("0693", "262"),
    ("0269", "262"), // Mayotte (shares +262 with La Réunion)
    ("0639", "262"),
];

/// Country codes that use the French 9-digit national significant number.
const FRENCH_PLAN_CODES: [&str; 5] = ["33", "262", "590", "594", "596"];

/// Mobile prefixes in E.164 form: metropolitan 06 and 07, and the overseas mobile ranges.
const MOBILE_PREFIXES: [&str; 10] = [
    "+336", "+337", "+590690", "+590691", "+596696", "+596697", "+594694", "+262692", "+262693",
    "+262639",
];

/// A phone number in E.164 form (`+33612345678`).
///
/// Accepts French national numbers (10 digits, `0` then 1-9) with spaces, dots, dashes, slashes or
/// parentheses, `+33 (0)6 …`, `0033 6 …`, and any international number `+<country><digits>` of 7 to
/// 15 digits whose country code does not start with 0. French overseas numbers get their own country
/// code (`0690 12 34 56` becomes `+590690123456`). A French number written with `+33` and an
/// overseas prefix is moved to that overseas code too, so both spellings match. Foreign numbers are
/// only checked for length: their national plans are not modelled.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber {
    value: String,
}

impl PhoneNumber {
    /// Validates `input` and normalises it to the canonical form described above.
    pub fn parse(input: &str) -> Result<Self, IdentifierError> {
        const KIND: IdentifierKind = IdentifierKind::PhoneNumber;
        check_bounds(KIND, input)?;
        let mut plus = false;
        // Digits and parentheses; parentheses are kept for now to spot the "(0)" trunk marker.
        let mut compact = String::with_capacity(20);
        for c in input.chars() {
            if c.is_ascii_digit() || c == '(' || c == ')' {
                compact.push(c);
            } else if c == '+' && !plus && !compact.bytes().any(|b| b.is_ascii_digit()) {
                plus = true;
            } else if !(c.is_whitespace() || is_dash(c) || c == '.' || c == '/') {
                return Err(IdentifierError::InvalidCharacter {
                    kind: KIND,
                    character: c,
                });
            }
        }
        let international = plus || compact.trim_start_matches('(').starts_with("00");
        if international {
            // "+33 (0)6…": the bracketed 0 is the trunk prefix, dropped when dialling from abroad.
            compact = compact.replacen("(0)", "", 1);
        }
        let digits: String = compact.chars().filter(char::is_ascii_digit).collect();
        if digits.is_empty() {
            return Err(IdentifierError::Empty { kind: KIND });
        }
        if international {
            let digits = if plus {
                digits.as_str()
            } else {
                digits.strip_prefix("00").unwrap_or(&digits)
            };
            Self::from_international(digits)
        } else {
            match digits.strip_prefix('0') {
                Some(nsn) => Self::from_french(nsn).map_err(|error| match error {
                    // Count digits as the user typed them, trunk 0 included.
                    IdentifierError::PhoneDigitsAfterCountryCode { found, .. } => {
                        IdentifierError::WrongDigitCount {
                            kind: KIND,
                            found: found + 1,
                            expected: 10,
                        }
                    }
                    other => other,
                }),
                None => Err(IdentifierError::PhoneMissingPrefix),
            }
        }
    }

    /// `digits` follow the `+` or `00`.
    fn from_international(digits: &str) -> Result<Self, IdentifierError> {
        if !(7..=15).contains(&digits.len()) {
            return Err(IdentifierError::PhoneInternationalLength {
                found: digits.len(),
            });
        }
        if digits.starts_with('0') {
            return Err(IdentifierError::PhoneCountryCode);
        }
        for code in FRENCH_PLAN_CODES {
            let Some(rest) = digits.strip_prefix(code) else {
                continue;
            };
            // Tolerate a trunk 0 kept after the country code ("+33 06…").
            let nsn = match rest.strip_prefix('0') {
                Some(stripped) if rest.len() == 10 => stripped,
                _ => rest,
            };
            if nsn.len() != 9 {
                return Err(IdentifierError::PhoneDigitsAfterCountryCode {
                    country_code: code,
                    found: nsn.len(),
                });
            }
            if nsn.starts_with('0') {
                return Err(IdentifierError::PhoneZeroAfterCountryCode { country_code: code });
            }
            if code == "33" {
                return Self::from_french(nsn);
            }
            return Ok(Self {
                value: format!("+{code}{nsn}"),
            });
        }
        Ok(Self {
            value: format!("+{digits}"),
        })
    }

    /// `nsn` is the French national number without its trunk 0.
    fn from_french(nsn: &str) -> Result<Self, IdentifierError> {
        if nsn.len() != 9 {
            return Err(IdentifierError::PhoneDigitsAfterCountryCode {
                country_code: "33",
                found: nsn.len(),
            });
        }
        if nsn.starts_with('0') {
            return Err(IdentifierError::PhoneZeroAfterCountryCode { country_code: "33" });
        }
        let head = nsn.get(..3).unwrap_or_default();
        let country_code = OVERSEAS_PREFIXES
            .iter()
            .find(|(prefix, _)| prefix.strip_prefix('0') == Some(head))
            .map_or("33", |(_, code)| code);
        Ok(Self {
            value: format!("+{country_code}{nsn}"),
        })
    }

    /// The E.164 form, e.g. `+33612345678`.
    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// Whether this is a French mobile number: metropolitan 06 and 07, and the overseas mobile
    /// ranges (0690, 0691, 0696, 0697, 0694, 0692, 0693, 0639). Always false for foreign numbers,
    /// whose plans are not modelled.
    pub fn is_mobile(&self) -> bool {
        MOBILE_PREFIXES
            .iter()
            .any(|prefix| self.value.starts_with(prefix))
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)
    }
}

common_impls!(PhoneNumber);

// ---------------------------------------------------------------------------------------------
// IBAN
// ---------------------------------------------------------------------------------------------

/// IBAN lengths from the SWIFT IBAN registry for France's neighbours and the EU/EEA. Other
/// countries are held to the general 15..=34 range.
const IBAN_LENGTHS: [(&str, usize); 38] = [
    ("AD", 24),
    ("AT", 20),
    ("BE", 16),
    ("BG", 22),
    ("CH", 21),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DK", 18),
    ("EE", 20),
    ("ES", 24),
    ("FI", 18),
    ("FR", 27),
    ("GB", 22),
    ("GI", 23),
    ("GR", 27),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IS", 26),
    ("IT", 27),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("MC", 27),
    ("MT", 31),
    ("NL", 18),
    ("NO", 15),
    ("PL", 28),
    ("PT", 25),
    ("RO", 24),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("TN", 24),
    ("TR", 26),
];

/// An International Bank Account Number, stored compact and upper-case.
///
/// Checks the country code letters, the length for the country (see the table above; 15 to 34
/// elsewhere) and the ISO 13616 mod-97 check digits. It does not check national account structure
/// (such as the French RIB key) nor whether the account exists.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Iban {
    value: String,
}

impl Iban {
    /// Validates `input` and normalises it to the canonical form described above.
    pub fn parse(input: &str) -> Result<Self, IdentifierError> {
        const KIND: IdentifierKind = IdentifierKind::Iban;
        check_bounds(KIND, input)?;
        let mut value = String::with_capacity(34);
        for c in input.chars() {
            if c.is_ascii_alphanumeric() {
                value.push(c.to_ascii_uppercase());
            } else if !c.is_whitespace() {
                return Err(IdentifierError::InvalidCharacter {
                    kind: KIND,
                    character: c,
                });
            }
        }
        let country = value.get(..2).ok_or(IdentifierError::IbanCountryCode)?;
        if !country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(IdentifierError::IbanCountryCode);
        }
        let found = value.len();
        match IBAN_LENGTHS.iter().find(|(code, _)| *code == country) {
            Some(&(_, expected)) if found != expected => {
                return Err(IdentifierError::IbanCountryLength {
                    country: country.to_owned(),
                    found,
                    expected,
                });
            }
            None if !(15..=34).contains(&found) => {
                return Err(IdentifierError::IbanLength { found });
            }
            _ => {}
        }
        let (head, bban) = value
            .split_at_checked(4)
            .ok_or(IdentifierError::IbanLength { found })?;
        let check = head.get(2..).unwrap_or_default();
        if !check.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdentifierError::IbanCheckDigits);
        }
        // 00, 01 and 99 are never produced by the algorithm but 99 and 01 would pass mod 97 in
        // place of 02 and 98.
        if matches!(check, "00" | "01" | "99") || mod97(bban.chars().chain(head.chars())) != 1 {
            return Err(IdentifierError::Checksum { kind: KIND });
        }
        Ok(Self { value })
    }

    /// The compact form, e.g. `FR7630006000011234567890189`.
    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// The two-letter ISO country code, e.g. `FR`.
    pub fn country_code(&self) -> &str {
        self.value.get(..2).unwrap_or_default()
    }
}

/// Remainder modulo 97 of the number formed by the characters, letters counting A=10 … Z=35.
fn mod97(chars: impl Iterator<Item = char>) -> u32 {
    chars.fold(0, |acc, c| match c.to_digit(36) {
        Some(v) if v < 10 => (acc * 10 + v) % 97,
        Some(v) => (acc * 100 + v) % 97,
        None => acc,
    })
}

impl fmt::Display for Iban {
    /// Groups of four separated by spaces, the printed form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, c) in self.value.chars().enumerate() {
            if i > 0 && i.is_multiple_of(4) {
                f.write_str(" ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

common_impls!(Iban);

// ---------------------------------------------------------------------------------------------
// SIREN and SIRET
// ---------------------------------------------------------------------------------------------

/// La Poste's SIREN: its establishments' SIRETs use a digit-sum rule instead of Luhn.
const LA_POSTE_SIREN: &str = "356000000";

/// A company identifier from the INSEE Sirene register: 9 digits with a Luhn check digit. Spaces
/// are accepted in input; the canonical form is compact.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Siren {
    value: String,
}

impl Siren {
    /// Validates `input` and normalises it to the canonical form described above.
    pub fn parse(input: &str) -> Result<Self, IdentifierError> {
        const KIND: IdentifierKind = IdentifierKind::Siren;
        let value = digits_only(KIND, input)?;
        if value.len() != 9 {
            return Err(IdentifierError::WrongDigitCount {
                kind: KIND,
                found: value.len(),
                expected: 9,
            });
        }
        // Luhn accepts all zeros, a common placeholder in forms, never allocated.
        if value.bytes().all(|b| b == b'0') {
            return Err(IdentifierError::AllZeros { kind: KIND });
        }
        if !luhn_ok(&value) {
            return Err(IdentifierError::Checksum { kind: KIND });
        }
        Ok(Self { value })
    }

    /// The 9 digits, compact.
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

impl fmt::Display for Siren {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)
    }
}

common_impls!(Siren);

/// An establishment identifier: the 9-digit SIREN then a 5-digit NIC, 14 digits under a Luhn check.
/// La Poste's establishments (SIREN 356000000) are also valid when their digits sum to a multiple
/// of 5, which is how INSEE numbers them.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Siret {
    value: String,
}

impl Siret {
    /// Validates `input` and normalises it to the canonical form described above.
    pub fn parse(input: &str) -> Result<Self, IdentifierError> {
        const KIND: IdentifierKind = IdentifierKind::Siret;
        let value = digits_only(KIND, input)?;
        if value.len() != 14 {
            return Err(IdentifierError::WrongDigitCount {
                kind: KIND,
                found: value.len(),
                expected: 14,
            });
        }
        let siren = value.get(..9).unwrap_or_default();
        if siren.bytes().all(|b| b == b'0') {
            return Err(IdentifierError::AllZeros { kind: KIND });
        }
        if !luhn_ok(siren) {
            return Err(IdentifierError::SiretSiren);
        }
        // The head office 35600000000048 passes Luhn, the other establishments the digit sum.
        let la_poste = siren == LA_POSTE_SIREN
            && value
                .chars()
                .map(digit_value)
                .sum::<u32>()
                .is_multiple_of(5);
        if !(la_poste || luhn_ok(&value)) {
            return Err(IdentifierError::Checksum { kind: KIND });
        }
        Ok(Self { value })
    }

    /// The 14 digits, compact.
    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// The SIREN of the company this establishment belongs to (the first 9 digits).
    pub fn siren(&self) -> Siren {
        Siren {
            value: self.value.get(..9).unwrap_or_default().to_owned(),
        }
    }
}

impl fmt::Display for Siret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)
    }
}

common_impls!(Siret);
