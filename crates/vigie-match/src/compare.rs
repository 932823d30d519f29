//! Field-by-field comparison of two prepared records into agreement levels.
//!
//! Each field has a short ladder of levels, from "identical" down to "different", plus level 0 for
//! "missing on one side" (which weighs nothing). The model learns how much each level says; this module
//! only decides which level a pair is on. Levels are small integers so that millions of compared pairs
//! fit in memory as 8 bytes each.

use crate::record::Prepared;
use strsim::osa_distance;

/// Jaro-Winkler (prefix scale 0.1, up to 4 letters, when Jaro exceeds 0.7), as `strsim::jaro_winkler` computes it but without
/// allocating, for ASCII strings up to 64 bytes (matched letters kept in two 64-bit masks): millions of
/// pairs are compared and strsim's version allocates twice per call (measured: a third of the run).
/// Other strings go to strsim. Below 0.7 the value may be reported as 0 (see the bound inside).
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if !a.is_ascii() || !b.is_ascii() || x.len() > 64 || y.len() > 64 {
        return strsim::jaro_winkler(a, b);
    }
    if x.is_empty() && y.is_empty() {
        return 1.0;
    }
    if x.is_empty() || y.is_empty() {
        return 0.0;
    }
    // Most compared pairs are far apart: when the letters they share cannot lift Jaro-Winkler to 0.7
    // (the lowest threshold the ladders use), say 0 without the quadratic scan.
    if x.len() >= 6 || y.len() >= 6 {
        let mut counts = [0i16; 128];
        for &c in x {
            counts[usize::from(c)] += 1;
        }
        let mut common = 0usize;
        for &c in y {
            let slot = &mut counts[usize::from(c)];
            if *slot > 0 {
                *slot -= 1;
                common += 1;
            }
        }
        let m = common as f64;
        let jaro_bound = (m / x.len() as f64 + m / y.len() as f64 + 1.0) / 3.0;
        if jaro_bound + 0.4 * (1.0 - jaro_bound) < 0.7 {
            return 0.0;
        }
    }
    let window = (x.len().max(y.len()) / 2).saturating_sub(1);
    let (mut x_matched, mut y_matched) = (0u64, 0u64);
    let mut matches = 0usize;
    for (i, &c) in x.iter().enumerate() {
        let low = i.saturating_sub(window);
        let high = (i + window + 1).min(y.len());
        for (j, &d) in y.iter().enumerate().take(high).skip(low) {
            if y_matched >> j & 1 == 0 && d == c {
                x_matched |= 1 << i;
                y_matched |= 1 << j;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut k = 0usize;
    for (i, &c) in x.iter().enumerate() {
        if x_matched >> i & 1 == 1 {
            while y_matched >> k & 1 == 0 {
                k += 1;
            }
            if y[k] != c {
                transpositions += 1;
            }
            k += 1;
        }
    }
    let m = matches as f64;
    let jaro =
        (m / x.len() as f64 + m / y.len() as f64 + (m - (transpositions / 2) as f64) / m) / 3.0;
    if jaro <= 0.7 {
        return jaro; // Winkler's prefix boost applies to close strings only
    }
    let prefix = x
        .iter()
        .zip(y.iter())
        .take(4)
        .take_while(|(p, q)| p == q)
        .count() as f64;
    jaro + 0.1 * prefix * (1.0 - jaro)
}

/// At most one edit apart (a changed, added or removed character, or two neighbours swapped), for
/// short ASCII identifiers and postcodes, without allocating.
fn within_one_edit(a: &str, b: &str) -> bool {
    if !a.is_ascii() || !b.is_ascii() {
        return osa_distance(a, b) <= 1;
    }
    let (x, y) = (a.as_bytes(), b.as_bytes());
    let prefix = x.iter().zip(y.iter()).take_while(|(p, q)| p == q).count();
    let (x, y) = (&x[prefix..], &y[prefix..]);
    match (x.len(), y.len()) {
        (0, 0) => true,
        (n, m) if n == m => {
            x[1..] == y[1..] || (n >= 2 && x[0] == y[1] && x[1] == y[0] && x[2..] == y[2..])
        }
        (n, m) if n + 1 == m => x == &y[1..],
        (n, m) if n == m + 1 => &x[1..] == y,
        _ => false,
    }
}

/// The compared fields, in the order of a [`Levels`] array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Given,
    Surname,
    Birth,
    Street,
    /// Postcode and commune together: a move changes both, and counting it twice would make one move
    /// outweigh a name.
    Place,
    Phone,
    Identifier,
}

pub const N_FIELDS: usize = 7;

pub const FIELDS: [Field; N_FIELDS] = [
    Field::Given,
    Field::Surname,
    Field::Birth,
    Field::Street,
    Field::Place,
    Field::Phone,
    Field::Identifier,
];

/// One level per field; 0 means missing on one side.
pub type Levels = [u8; N_FIELDS];

impl Field {
    pub fn name(self) -> &'static str {
        match self {
            Field::Given => "prenom",
            Field::Surname => "nom",
            Field::Birth => "naissance",
            Field::Street => "adresse",
            Field::Place => "lieu",
            Field::Phone => "telephone",
            Field::Identifier => "identifiant",
        }
    }

    /// Names of the levels 1..; level 0 is "absent".
    pub fn levels(self) -> &'static [&'static str] {
        match self {
            Field::Given => &[
                "identique",
                "inverse_avec_nom",
                "tres_proche",
                "proche",
                "different",
            ],
            Field::Surname => &["identique", "tres_proche", "proche", "different"],
            Field::Birth => &[
                "identique",
                "compatible_partielle",
                "une_faute",
                "jour_mois_inverses",
                "meme_annee",
                "different",
            ],
            Field::Street => &[
                "identique",
                "tres_proche",
                "meme_numero_proche",
                "different",
            ],
            Field::Place => &[
                "identique",
                "meme_code_postal",
                "meme_commune",
                "une_faute",
                "meme_departement",
                "different",
            ],
            Field::Phone => &["identique", "memes_8_derniers_chiffres", "different"],
            Field::Identifier => &["identique", "une_faute", "different"],
        }
    }

    pub fn level_name(self, level: u8) -> &'static str {
        if level == 0 {
            return "absent";
        }
        self.levels()
            .get(usize::from(level) - 1)
            .copied()
            .unwrap_or("?")
    }
}

/// Compares two prepared records, field by field.
pub fn compare(a: &Prepared, b: &Prepared) -> Levels {
    [
        given(a, b),
        surname(a, b),
        birth(a, b),
        street(a, b),
        place(a, b),
        phone(a, b),
        identifier(a, b),
    ]
}

fn best_jw(xs: &[String], ys: &[String]) -> f64 {
    let mut best = 0.0f64;
    for x in xs {
        for y in ys {
            best = best.max(jaro_winkler(x, y));
        }
    }
    best
}

fn given(a: &Prepared, b: &Prepared) -> u8 {
    if a.given.is_empty() || b.given.is_empty() {
        return 0;
    }
    if a.given[0] == b.given[0] {
        return 1;
    }
    // Given name and surname written in each other's place.
    if b.surnames.contains(&a.given[0]) && a.surnames.contains(&b.given[0]) {
        return 2;
    }
    let jw = best_jw(&a.given[..1], &b.given);
    if jw >= 0.92 || (a.given_phonetic == b.given_phonetic && a.given_phonetic.len() >= 2) {
        3
    } else if jw >= 0.80 || a.given.iter().any(|g| b.given.contains(g)) {
        4
    } else {
        5
    }
}

fn surname(a: &Prepared, b: &Prepared) -> u8 {
    if a.surnames.is_empty() || b.surnames.is_empty() {
        return 0;
    }
    if a.surnames.iter().any(|s| b.surnames.contains(s)) {
        return 1;
    }
    let jw = best_jw(&a.surnames, &b.surnames);
    if jw >= 0.92 {
        2
    } else if jw >= 0.80
        || (a.surname_phonetic == b.surname_phonetic && a.surname_phonetic.len() >= 2)
    {
        3
    } else {
        4
    }
}

fn birth(a: &Prepared, b: &Prepared) -> u8 {
    let (Some(x), Some(y)) = (a.birth, b.birth) else {
        return 0;
    };
    let full = |d: crate::normalize::Date| d.month > 0 && d.day > 0;
    if x == y && full(x) {
        return 1;
    }
    if !full(x) || !full(y) {
        let compatible = x.year == y.year
            && (x.month == 0 || y.month == 0 || x.month == y.month)
            && (x.day == 0 || y.day == 0 || x.day == y.day);
        return if compatible {
            2
        } else if x.year == y.year {
            5
        } else {
            6
        };
    }
    if one_typo_apart(&x.digits(), &y.digits()) {
        3
    } else if x.year == y.year && x.month == y.day && x.day == y.month {
        4
    } else if x.year == y.year {
        5
    } else {
        6
    }
}

fn street(a: &Prepared, b: &Prepared) -> u8 {
    if a.street.is_empty() || b.street.is_empty() {
        return 0;
    }
    if a.street == b.street {
        return 1;
    }
    let jw = jaro_winkler(&a.street, &b.street);
    if jw >= 0.90 {
        2
    } else if !a.street_number.is_empty() && a.street_number == b.street_number && jw >= 0.70 {
        3
    } else {
        4
    }
}

fn place(a: &Prepared, b: &Prepared) -> u8 {
    let postcodes = !a.postcode.is_empty() && !b.postcode.is_empty();
    let cities = !a.city.is_empty() && !b.city.is_empty();
    if !postcodes && !cities {
        return 0;
    }
    let same_postcode = postcodes && a.postcode == b.postcode;
    let same_city = cities && (a.city == b.city || jaro_winkler(&a.city, &b.city) >= 0.90);
    match (same_postcode, same_city) {
        (true, true) => 1,
        (true, false) if !cities => 1,
        (false, true) if !postcodes => 1,
        (true, false) => 2,
        (false, true) => 3,
        _ if postcodes && within_one_edit(&a.postcode, &b.postcode) => 4,
        _ if postcodes
            && a.postcode.len() >= 2
            && b.postcode.len() >= 2
            && a.postcode[..2] == b.postcode[..2] =>
        {
            5
        }
        _ => 6,
    }
}

fn phone(a: &Prepared, b: &Prepared) -> u8 {
    if a.phone.is_empty() || b.phone.is_empty() {
        return 0;
    }
    let tail = |p: &str| p.get(p.len().saturating_sub(8)..).unwrap_or("").to_owned();
    if a.phone == b.phone {
        1
    } else if a.phone.len() >= 8 && b.phone.len() >= 8 && tail(&a.phone) == tail(&b.phone) {
        2
    } else {
        3
    }
}

fn identifier(a: &Prepared, b: &Prepared) -> u8 {
    if a.identifier.is_empty() || b.identifier.is_empty() {
        return 0;
    }
    if a.identifier == b.identifier {
        1
    } else if within_one_edit(&a.identifier, &b.identifier) {
        2
    } else {
        3
    }
}

/// Two 8-digit dates one typo apart: one digit changed, or two neighbours swapped.
fn one_typo_apart(a: &[u8; 8], b: &[u8; 8]) -> bool {
    let diff: Vec<usize> = (0..8).filter(|&i| a[i] != b[i]).collect();
    match diff.as_slice() {
        [_] => true,
        [i, j] => *j == i + 1 && a[*i] == b[*j] && a[*j] == b[*i],
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn our_jaro_winkler_is_strsims_from_0_7(a in "[a-f]{0,12}", b in "[a-f]{0,12}") {
            let (ours, theirs) = (jaro_winkler(&a, &b), strsim::jaro_winkler(&a, &b));
            if theirs >= 0.7 {
                prop_assert!((ours - theirs).abs() < 1e-12, "{} {}: {} vs {}", a, b, ours, theirs);
            } else {
                prop_assert!(ours < 0.7, "{} {}: {} vs {}", a, b, ours, theirs);
            }
        }

        #[test]
        fn one_edit_is_osa_distance_one(a in "[0-3]{0,7}", b in "[0-3]{0,7}") {
            prop_assert_eq!(within_one_edit(&a, &b), osa_distance(&a, &b) <= 1, "{} {}", a, b);
        }
    }
}
