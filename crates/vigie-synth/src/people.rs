//! Person records for testing entity resolution: many synthetic people, some recorded twice or more by
//! different services, with the mistakes real files carry, and the truth kept aside.
//!
//! Names follow a long-tailed distribution (frequent names from the origin pools, drawn with a skew,
//! and a tail of rarer synthetic surnames built from syllables), so that "Martin" is common and most
//! surnames are rare, as in France. Communes and postcodes are real, drawn by population. A duplicate
//! is a copy of a person with one to three corruptions: typos, lost accents and capitals, given name
//! and surname swapped, a married name, day and month swapped, a digit wrong in the date, a move,
//! a new phone, a given-name variant, a particle written apart, missing values. Dates are written in
//! ISO form so that every tool reads them. Deterministic: the same seed gives the same records.

use crate::dice::Dice;
use crate::lists::{self, Origin};

/// One record, as a file would hold it; `person` is the truth (same person, same number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRecord {
    pub id: String,
    pub person: u32,
    pub given_name: String,
    pub surname: String,
    pub birth_date: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub phone: String,
}

/// A commune to live in: name, postcode, population (the draw weight).
pub type Commune<'a> = (&'a str, &'a str, u32);

const ROOTS: &[&str] = &[
    "Bar", "Bel", "Ber", "Bou", "Car", "Chal", "Cor", "Dal", "Dum", "Fer", "Gal", "Gir", "Gou",
    "Jou", "Lam", "Lan", "Mar", "Mor", "Nav", "Pel", "Per", "Pon", "Rav", "Rou", "Sal", "Ser",
    "Tal", "Ter", "Val", "Ver", "Vil", "Bra", "Cha", "Fon", "Gra", "Mal", "Mon", "Pra", "Tour",
    "Bon",
];
const ENDINGS: &[&str] = &[
    "and", "ard", "el", "elle", "ier", "iere", "ot", "otte", "on", "eau", "in", "et", "ette",
    "ais", "oux", "enne", "ac", "as", "y", "ignon",
];
const PREFIXES: &[&str] = &["", "", "", "Le ", "La ", "De ", "Du ", "Des "];

/// Draws an index in `0..n` skewed towards 0 (the first of 144 surnames is drawn 3.6 % of the time).
fn skewed(dice: &mut Dice, n: usize) -> usize {
    let u = dice.below(1_000_000) as f64 / 1_000_000.0;
    (u.powf(1.5) * n as f64) as usize
}

fn origin(dice: &mut Dice) -> Origin {
    let draw = dice.below(100);
    match draw {
        0..=69 => Origin::French,
        70..=81 => Origin::NorthAfrican,
        82..=87 => Origin::WestAfrican,
        88..=92 => Origin::Portuguese,
        93..=94 => Origin::Comorian,
        _ => Origin::Antillean,
    }
}

/// `count` records (originals and duplicates mixed) over `communes`; about `duplicates_per_mille` of
/// them are duplicates of another record's person.
pub fn person_records(
    seed: u64,
    count: usize,
    duplicates_per_mille: u32,
    communes: &[Commune<'_>],
) -> Vec<PersonRecord> {
    let mut dice = Dice::new(seed, 7_000);
    let cumulative: Vec<u64> = communes
        .iter()
        .scan(0u64, |sum, c| {
            *sum += u64::from(c.2.max(1));
            Some(*sum)
        })
        .collect();
    let total_population = cumulative.last().copied().unwrap_or(0);
    let mut pick_commune = |dice: &mut Dice| -> (String, String) {
        let draw =
            u64::try_from(dice.below(usize::try_from(total_population).unwrap_or(0))).unwrap_or(0);
        let i = cumulative.partition_point(|&c| c <= draw);
        communes
            .get(i)
            .map(|c| (c.0.to_owned(), c.1.to_owned()))
            .unwrap_or_default()
    };
    let originals = count * 1000 / (1000 + duplicates_per_mille as usize);
    let mut records: Vec<PersonRecord> = Vec::with_capacity(count);
    for person in 0..originals {
        let pool = lists::pool(origin(&mut dice));
        let female = dice.chance(500);
        let given_list = if female { pool.female } else { pool.male };
        let given = given_list
            .get(skewed(&mut dice, given_list.len()))
            .copied()
            .unwrap_or("Camille")
            .to_owned();
        let surname = if dice.chance(450) {
            pool.surnames
                .get(skewed(&mut dice, pool.surnames.len()))
                .copied()
                .unwrap_or("Martin")
                .to_owned()
        } else {
            format!(
                "{}{}{}",
                dice.pick(PREFIXES),
                dice.pick(ROOTS),
                dice.pick(ENDINGS)
            )
        };
        let year = dice.range(1940, 2007);
        let month = dice.range(1, 12);
        let day = dice.range(1, 28);
        let (city, postcode) = pick_commune(&mut dice);
        let street = format!(
            "{} {} {}",
            dice.range(1, 180),
            dice.pick(lists::STREET_TYPES),
            dice.pick(lists::STREET_NAMES)
        );
        let phone = if dice.chance(600) {
            format!("0{}{}", dice.range(6, 7), dice.digits(8))
        } else {
            String::new()
        };
        records.push(PersonRecord {
            id: String::new(),
            person: person as u32,
            given_name: given,
            surname,
            birth_date: format!("{year:04}-{month:02}-{day:02}"),
            street,
            postcode,
            city,
            phone,
        });
    }
    while originals > 0 && records.len() < count {
        let original = records[dice.below(originals)].clone();
        let mut copy = original;
        for _ in 0..dice.range(1, 3) {
            corrupt(&mut dice, &mut copy, &mut pick_commune);
        }
        records.push(copy);
    }
    // Shuffle (Fisher-Yates) so that duplicates are not next to their originals, then number.
    for i in (1..records.len()).rev() {
        let j = dice.below(i + 1);
        records.swap(i, j);
    }
    for (i, r) in records.iter_mut().enumerate() {
        r.id = format!("R{i:07}");
    }
    records
}

fn corrupt(
    dice: &mut Dice,
    r: &mut PersonRecord,
    pick_commune: &mut impl FnMut(&mut Dice) -> (String, String),
) {
    match dice.below(12) {
        0 => r.surname = typo(dice, &r.surname),
        1 => r.given_name = typo(dice, &r.given_name),
        2 => {
            r.surname = vigie_core::text::fold(&r.surname).to_uppercase();
            r.given_name = vigie_core::text::fold(&r.given_name);
        }
        3 => std::mem::swap(&mut r.surname, &mut r.given_name),
        4 => {
            let married = format!(
                "{}{}{}",
                dice.pick(PREFIXES),
                dice.pick(ROOTS),
                dice.pick(ENDINGS)
            );
            r.surname = if dice.chance(500) {
                format!("{} épouse {married}", r.surname)
            } else {
                married
            };
        }
        5 => {
            // Day and month swapped (when the day can be a month).
            let parts: Vec<&str> = r.birth_date.split('-').collect();
            if let [y, m, d] = parts.as_slice() {
                if d.parse::<u32>().is_ok_and(|d| d <= 12) {
                    r.birth_date = format!("{y}-{d}-{m}");
                }
            }
        }
        6 if r.birth_date.len() == 10 => {
            // One digit of the date wrong (kept a valid date).
            let mut bytes = r.birth_date.clone().into_bytes();
            let at = [2usize, 3, 6, 9][dice.below(4)];
            bytes[at] = b'0' + dice.below(10) as u8;
            let candidate = String::from_utf8(bytes).unwrap_or_default();
            let day_ok = candidate
                .get(8..10)
                .and_then(|d| d.parse::<u32>().ok())
                .is_some_and(|d| (1..=28).contains(&d));
            let month_ok = candidate
                .get(5..7)
                .and_then(|m| m.parse::<u32>().ok())
                .is_some_and(|m| (1..=12).contains(&m));
            if day_ok && month_ok {
                r.birth_date = candidate;
            }
        }
        7 => {
            let (city, postcode) = pick_commune(dice);
            r.city = city;
            r.postcode = postcode;
            r.street = format!(
                "{} {} {}",
                dice.range(1, 180),
                dice.pick(lists::STREET_TYPES),
                dice.pick(lists::STREET_NAMES)
            );
        }
        8 => r.phone = format!("0{}{}", dice.range(6, 7), dice.digits(8)),
        9 => {
            r.given_name = match r.given_name.as_str() {
                "Mohamed" => "Mohammed".to_owned(),
                "Youssef" => "Youcef".to_owned(),
                "Mehdi" => "Mahdi".to_owned(),
                other => typo(dice, other),
            }
        }
        10 => {
            // A particle written apart or glued.
            r.surname = if let Some(rest) = r.surname.strip_prefix("Ben") {
                format!("Ben {}", rest.trim_start())
            } else if r.surname.contains(' ') {
                r.surname.replace(' ', "")
            } else {
                typo(dice, &r.surname)
            };
        }
        _ => match dice.below(4) {
            0 => r.birth_date.clear(),
            1 => r.phone.clear(),
            2 => r.street.clear(),
            _ => r.given_name.clear(),
        },
    }
}

/// One keyboard slip: a letter changed, dropped, doubled, or two neighbours swapped.
fn typo(dice: &mut Dice, text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    if chars.len() < 4 {
        return text.to_owned();
    }
    let at = 1 + dice.below(chars.len() - 2);
    match dice.below(4) {
        0 => chars[at] = char::from(b'a' + dice.below(26) as u8),
        1 => {
            chars.remove(at);
        }
        2 => chars.insert(at, chars[at]),
        _ => chars.swap(at, at + 1),
    }
    chars.into_iter().collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    const COMMUNES: &[Commune<'static>] = &[
        ("Marseille", "13001", 870_000),
        ("Brest", "29200", 140_000),
        ("Lille", "59000", 235_000),
    ];

    #[test]
    fn records_are_deterministic_with_a_tenth_of_duplicates_and_the_truth_aside() {
        let a = person_records(7, 5_000, 100, COMMUNES);
        assert_eq!(
            a,
            person_records(7, 5_000, 100, COMMUNES),
            "same seed, same records"
        );
        assert_ne!(a, person_records(8, 5_000, 100, COMMUNES));
        assert_eq!(a.len(), 5_000);
        let people: std::collections::HashSet<u32> = a.iter().map(|r| r.person).collect();
        let duplicates = a.len() - people.len();
        assert!((400..=500).contains(&duplicates), "{duplicates} duplicates");
        let ids: std::collections::HashSet<&str> = a.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids.len(), a.len(), "ids are unique");
        // Duplicates differ from their original somewhere (they carry corruptions).
        let mut by_person: std::collections::HashMap<u32, Vec<&PersonRecord>> =
            std::collections::HashMap::new();
        for r in &a {
            by_person.entry(r.person).or_default().push(r);
        }
        let changed = by_person
            .values()
            .filter(|g| g.len() > 1)
            .filter(|g| {
                g.windows(2).any(|w| {
                    (
                        &w[0].surname,
                        &w[0].given_name,
                        &w[0].birth_date,
                        &w[0].postcode,
                    ) != (
                        &w[1].surname,
                        &w[1].given_name,
                        &w[1].birth_date,
                        &w[1].postcode,
                    )
                })
            })
            .count();
        assert!(changed > 300, "{changed} groups with visible corruptions");
        assert!(a
            .iter()
            .all(|r| ["13001", "29200", "59000"].contains(&r.postcode.as_str())));
    }
}
