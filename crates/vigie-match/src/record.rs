//! A person record as files hold it, and the prepared form the model compares.
//!
//! Every field is optional: files miss values, and a missing value neither helps nor hurts a match.

use crate::normalize::{self, Date};

/// The fields Vigie compares, raw as read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    pub id: String,
    pub given_name: String,
    pub surname: String,
    pub birth_date: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub phone: String,
    /// Another identifier of the person (a national number, a file number...), compared exactly.
    pub identifier: String,
}

/// A record ready to compare: normalised values and keys, computed once.
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    pub given: Vec<String>,
    pub surnames: Vec<String>,
    pub given_phonetic: String,
    pub surname_phonetic: String,
    pub birth: Option<Date>,
    pub street: String,
    /// The street number, when the street starts with one.
    pub street_number: String,
    pub postcode: String,
    pub city: String,
    pub phone: String,
    pub identifier: String,
}

impl Prepared {
    /// Prepares a record; `bad_date` is set when a birth date was given but could not be read.
    pub fn new(record: &Record) -> (Prepared, bool) {
        let given = normalize::given_names(&record.given_name);
        let surnames = normalize::surnames(&record.surname);
        let birth = normalize::parse_date(&record.birth_date);
        let bad_date = birth.is_none() && !record.birth_date.trim().is_empty();
        let street = normalize::place(&record.street);
        let street_number: String = street
            .split(' ')
            .next()
            .filter(|w| w.chars().all(|c| c.is_ascii_digit()))
            .unwrap_or("")
            .to_owned();
        let prepared = Prepared {
            given_phonetic: given
                .first()
                .map(|g| normalize::phonetic(g))
                .unwrap_or_default(),
            surname_phonetic: surnames
                .first()
                .map(|s| normalize::phonetic(s))
                .unwrap_or_default(),
            given,
            surnames,
            birth,
            street,
            street_number,
            postcode: normalize::digits(&record.postcode),
            city: normalize::place(&record.city),
            phone: if record.phone.trim().is_empty() {
                String::new()
            } else {
                normalize::phone(&record.phone)
            },
            identifier: record
                .identifier
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_uppercase(),
        };
        (prepared, bad_date)
    }

    pub fn first_given(&self) -> &str {
        self.given.first().map_or("", String::as_str)
    }

    pub fn first_surname(&self) -> &str {
        self.surnames.first().map_or("", String::as_str)
    }
}
