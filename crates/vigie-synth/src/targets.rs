//! Synthetic targets for the national target file: a person (from [`crate::people`]) and a number of
//! identifiers (mobile phones, plates, IBANs with valid keys, SIRENs), deterministic from the seed.
//! Used by the deconfliction benchmark and the tests; nothing here is real.

use crate::dice::Dice;
use crate::idents::{iban, mobile, plate, siren, MobileArea};
use crate::people::person_records;

/// One synthetic target's identity and identifiers, in the forms a unit would type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthTarget {
    pub surname: String,
    pub given_name: String,
    pub birth_date: String,
    /// (kind, value) with kind `phone`, `plate`, `iban` or `siren`.
    pub identifiers: Vec<(&'static str, String)>,
}

/// `count` targets with `identifiers` identifiers each (phones first, then a plate, an IBAN, a
/// SIREN, and phones again).
pub fn targets(seed: u64, count: usize, identifiers: usize) -> Vec<SynthTarget> {
    let people = person_records(seed, count, 0, &[("Marseille", "13001", 1)]);
    let mut dice = Dice::new(seed, 9_000);
    people
        .into_iter()
        .map(|person| {
            let identifiers = (0..identifiers)
                .map(|index| match index % 5 {
                    0 | 1 => ("phone", mobile(&mut dice, MobileArea::Metropolitan)),
                    2 => ("plate", plate(&mut dice)),
                    3 => ("iban", iban(&mut dice, false).0),
                    _ => ("siren", siren(&mut dice)),
                })
                .collect();
            SynthTarget {
                surname: person.surname,
                given_name: person.given_name,
                birth_date: person.birth_date,
                identifiers,
            }
        })
        .collect()
}
