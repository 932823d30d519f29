//! Blind deconfliction keys: what two targets must share to be told about each other.
//!
//! Each canonical identifier gives one key. A person with a birth date gives one key per plausible
//! way another unit may have typed the same identity: accents and case folded, particles glued ("Ben
//! Salah" = "BENSALAH"), each part of a compound or married surname, each given name (so swapped or
//! partial given names meet), surname and given name swapped between fields, and the birth date with
//! day and month swapped. The key built from the identity exactly as typed is marked `exact`, so a
//! notice can say whether the match is exact or a variant.
//!
//! A key is the first 16 bytes of a SHA-256 over a versioned, kind-separated encoding: the index
//! holds no readable identifier, and keys of different kinds can never collide by construction. This
//! module does not look keys up; the store does, by equality.

use crate::model::{IdentifierKind, PersonIdentity, TargetFile, TargetIdentifier};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use vigie_core::text::fold;
use vigie_match::normalize::{given_names, is_particle, surnames};

/// The digest two targets share when they conflict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyDigest(pub [u8; 16]);

/// What a key was derived from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    Identifier(IdentifierKind),
    Person,
}

impl KeyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::Identifier(kind) => kind.as_str(),
            KeyKind::Person => "person",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        if input == "person" {
            return Some(KeyKind::Person);
        }
        IdentifierKind::parse(input).map(KeyKind::Identifier)
    }
}

/// One key of a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DeconflictionKey {
    pub digest: KeyDigest,
    pub kind: KeyKind,
    /// Built from the value exactly as registered (not a spelling or date variant).
    pub exact: bool,
}

/// How two targets met, as a notice says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The same identifier (phone, plate...).
    Identifier(IdentifierKind),
    /// The same person, identity as typed on both sides.
    PersonExact,
    /// The same person under a spelling or birth-date variant.
    PersonVariant,
}

impl MatchKind {
    /// The match between two keys sharing a digest.
    pub fn of(kind: KeyKind, exact_here: bool, exact_there: bool) -> MatchKind {
        match kind {
            KeyKind::Identifier(kind) => MatchKind::Identifier(kind),
            KeyKind::Person if exact_here && exact_there => MatchKind::PersonExact,
            KeyKind::Person => MatchKind::PersonVariant,
        }
    }

    pub fn label_fr(self) -> String {
        match self {
            MatchKind::Identifier(kind) => format!("même {}", kind.label_fr()),
            MatchKind::PersonExact => "même personne (identité identique)".to_owned(),
            MatchKind::PersonVariant => {
                "même personne probable (variante d'orthographe ou de date de naissance)".to_owned()
            }
        }
    }

    pub fn as_str(self) -> String {
        match self {
            MatchKind::Identifier(kind) => kind.as_str().to_owned(),
            MatchKind::PersonExact => "person_exact".to_owned(),
            MatchKind::PersonVariant => "person_variant".to_owned(),
        }
    }
}

fn digest(kind: KeyKind, material: &str) -> KeyDigest {
    let mut hasher = Sha256::new();
    hasher.update(b"vigie/deconfliction/v1\0");
    hasher.update(kind.as_str().as_bytes());
    hasher.update([0]);
    hasher.update(material.as_bytes());
    let full = hasher.finalize();
    let mut out = [0u8; 16];
    out.copy_from_slice(&full[..16]);
    KeyDigest(out)
}

/// The key of one canonical identifier.
pub fn identifier_key(kind: IdentifierKind, canonical: &str) -> DeconflictionKey {
    let kind = KeyKind::Identifier(kind);
    DeconflictionKey {
        digest: digest(kind, canonical),
        kind,
        exact: true,
    }
}

fn push_unique(list: &mut Vec<String>, value: String) {
    if value.len() >= 2 && !list.contains(&value) {
        list.push(value);
    }
}

/// Surname variants: the glued forms (usual, birth, married), then each significant part.
fn surname_variants(raw: &str) -> Vec<String> {
    let mut out = Vec::new();
    for surname in surnames(raw) {
        push_unique(&mut out, surname);
    }
    for part in fold(raw).split(' ') {
        if !is_particle(part)
            && !matches!(
                part,
                "epouse" | "ep" | "nee" | "ne" | "veuve" | "dit" | "dite"
            )
        {
            push_unique(&mut out, part.to_owned());
        }
    }
    out
}

/// Given-name variants: each name in canonical spelling, compound names whole and in parts.
fn given_variants(raw: &str) -> Vec<String> {
    let mut out = Vec::new();
    for name in given_names(raw) {
        push_unique(&mut out, name);
    }
    for name in given_names(&raw.replace('-', " ")) {
        push_unique(&mut out, name);
    }
    out
}

/// "1990-05-03" and, when day and month can be swapped, "1990-03-05".
fn date_variants(date: &str) -> Vec<String> {
    let mut out = vec![date.to_owned()];
    let parts: Vec<&str> = date.split('-').collect();
    if let [year, month, day] = parts.as_slice() {
        if day != month && day.parse::<u8>().is_ok_and(|day| (1..=12).contains(&day)) {
            out.push(format!("{year}-{day}-{month}"));
        }
    }
    out
}

fn person_material(surname: &str, given: &str, date: &str) -> String {
    // Sorted, so that a surname typed as a given name (and the reverse) still meets.
    let (first, second) = if surname <= given {
        (surname, given)
    } else {
        (given, surname)
    };
    format!("{first}\0{second}\0{date}")
}

/// The identity keys of a person; none without a full birth date.
pub fn person_keys(person: &PersonIdentity) -> Vec<DeconflictionKey> {
    let Some(date) = person.birth_date.as_deref().filter(|date| date.len() == 10) else {
        return Vec::new();
    };
    let surnames = surname_variants(&person.surname);
    let givens = given_variants(&person.given_names);
    let (Some(first_surname), Some(first_given)) = (surnames.first(), givens.first()) else {
        return Vec::new();
    };
    let exact = digest(
        KeyKind::Person,
        &person_material(first_surname, first_given, date),
    );
    let mut keys: Vec<DeconflictionKey> = Vec::new();
    for date in date_variants(date) {
        for surname in &surnames {
            for given in &givens {
                let key = digest(KeyKind::Person, &person_material(surname, given, &date));
                if !keys.iter().any(|known| known.digest == key) {
                    keys.push(DeconflictionKey {
                        digest: key,
                        kind: KeyKind::Person,
                        exact: key == exact,
                    });
                }
            }
        }
    }
    keys
}

/// Every key of a target: its person's and its identifiers', each digest once.
pub fn target_keys(file: &TargetFile) -> Vec<DeconflictionKey> {
    subject_keys(file.person.as_ref(), &file.identifiers)
}

/// The keys of a person and identifiers (a target's, or what a check asks about), each digest once.
pub fn subject_keys(
    person: Option<&PersonIdentity>,
    identifiers: &[TargetIdentifier],
) -> Vec<DeconflictionKey> {
    let mut keys: Vec<DeconflictionKey> = person.map(person_keys).unwrap_or_default();
    for identifier in identifiers {
        let key = identifier_key(identifier.kind, &identifier.value);
        if !keys.iter().any(|known| known.digest == key.digest) {
            keys.push(key);
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(surname: &str, given: &str, date: &str) -> PersonIdentity {
        PersonIdentity {
            surname: surname.to_owned(),
            given_names: given.to_owned(),
            birth_date: Some(date.to_owned()),
            ..PersonIdentity::default()
        }
    }

    /// Whether two identities share a key, and whether that key is exact on both sides.
    fn meet(a: &PersonIdentity, b: &PersonIdentity) -> Option<MatchKind> {
        let b_keys = person_keys(b);
        person_keys(a)
            .iter()
            .filter_map(|key| {
                b_keys
                    .iter()
                    .find(|other| other.digest == key.digest)
                    .map(|other| MatchKind::of(KeyKind::Person, key.exact, other.exact))
            })
            .min()
    }

    #[track_caller]
    fn check(a: (&str, &str, &str), b: (&str, &str, &str), expected: Option<MatchKind>) {
        let a = person(a.0, a.1, a.2);
        let b = person(b.0, b.1, b.2);
        assert_eq!(meet(&a, &b), expected, "{a:?} / {b:?}");
        assert_eq!(meet(&b, &a), expected, "symmetric: {b:?} / {a:?}");
    }

    #[test]
    fn spelling_variants_of_one_person_meet() {
        let exact = Some(MatchKind::PersonExact);
        let variant = Some(MatchKind::PersonVariant);
        let base = ("Martin", "Jean", "1990-05-03");
        check(base, ("MARTIN", "jean", "1990-05-03"), exact);
        check(
            ("Lefèvre", "Hélène", "1985-01-20"),
            ("LEFEVRE", "HELENE", "1985-01-20"),
            exact,
        );
        check(
            ("Ben Salah", "Karim", "1992-07-14"),
            ("BENSALAH", "Karim", "1992-07-14"),
            exact,
        );
        check(
            ("Ben Salah", "Mohammed", "1992-07-14"),
            ("Bensalah", "Mohamed", "1992-07-14"),
            exact,
        );
        // Compound surname, one part only on the other side.
        check(("Martin-Durand", "Jean", "1990-05-03"), base, variant);
        // Given names swapped or partial.
        check(
            ("Martin", "Jean Pierre", "1990-05-03"),
            ("Martin", "Pierre Jean", "1990-05-03"),
            variant,
        );
        check(
            ("Martin", "Jean-Pierre", "1990-05-03"),
            ("Martin", "Pierre", "1990-05-03"),
            variant,
        );
        // Surname and given name in the wrong fields.
        check(("Jean", "Martin", "1990-05-03"), base, exact);
        // Day and month swapped.
        check(("Martin", "Jean", "1990-03-05"), base, variant);
        // Married name.
        check(
            ("LE GOFF épouse MARTIN", "Anne", "1970-12-01"),
            ("Martin", "Anne", "1970-12-01"),
            variant,
        );
    }

    #[test]
    fn different_people_do_not_meet() {
        let base = ("Martin", "Jean", "1990-05-03");
        check(("Martin", "Paul", "1990-05-03"), base, None);
        check(("Martin", "Jean", "1990-05-04"), base, None);
        check(("Durand", "Jean", "1990-05-03"), base, None);
        // A day above 12 cannot be a swapped month.
        assert_eq!(date_variants("1990-05-13"), ["1990-05-13"]);
        assert_eq!(date_variants("1990-05-05"), ["1990-05-05"]);
        // Without a birth date there is no identity key at all.
        let mut undated = person("Martin", "Jean", "");
        undated.birth_date = None;
        assert!(person_keys(&undated).is_empty());
    }

    #[test]
    fn identifier_kinds_never_collide() {
        let phone = identifier_key(IdentifierKind::Phone, "123456789");
        let siren = identifier_key(IdentifierKind::Siren, "123456789");
        assert_ne!(phone.digest, siren.digest);
        assert_eq!(phone, identifier_key(IdentifierKind::Phone, "123456789"));
    }

    #[test]
    fn one_exact_key_per_dated_person() {
        let keys = person_keys(&person("Martin-Durand", "Jean Pierre", "1990-05-03"));
        assert_eq!(keys.iter().filter(|key| key.exact).count(), 1);
        // 3 surname forms x 2 given names x 2 dates.
        assert_eq!(keys.len(), 12);
    }
}
