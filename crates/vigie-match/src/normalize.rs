//! Normalisation of what people records hold: names, dates, phones, postcodes, identifiers.
//!
//! Names are folded (case, accents, punctuation), particles are glued to the name they introduce
//! ("BEN SALAH" and "Bensalah" give the same key), married and birth names are split ("LE GOFF épouse
//! MARTIN" gives two surnames), common given-name variants and transliterations collapse to one form
//! ("Mohammed", "Muhammad" → "mohamed"), and a French-oriented phonetic key groups spellings that sound
//! alike. Every function is idempotent on its own output; nothing here merges records: that is the
//! model's job, and distinct identifiers keep distinct keys.

use vigie_core::text::fold;

/// Particles glued to the following word in surnames.
const PARTICLES: &[&str] = &[
    "de", "du", "des", "d", "la", "le", "les", "l", "van", "von", "der", "den", "ben", "bin",
    "ibn", "bou", "abou", "abu", "el", "al", "ait", "mac", "mc", "da", "dos", "di", "del", "della",
];

/// Markers of a married, birth or former name inside a surname field.
const NAME_MARKERS: &[&str] = &[
    "epouse", "ep", "epse", "nee", "ne", "veuve", "vve", "divorcee", "dite", "dit", "alias",
];

/// Given-name variants and transliterations, to one canonical spelling. Kept short and checked: a
/// wrong entry merges different people's first names.
const GIVEN_VARIANTS: &[(&str, &[&str])] = &[
    (
        "mohamed",
        &[
            "mohammed",
            "muhammad",
            "mohamad",
            "mohammad",
            "mouhamed",
            "mouhammad",
            "mohamet",
            "muhamed",
            "mhamed",
        ],
    ),
    ("ahmed", &["ahmad", "ahmet", "hamed"]),
    (
        "youssef",
        &["yousef", "youcef", "yusuf", "youssouf", "yousuf", "joseph"],
    ),
    ("abdelkader", &["abdelqader", "abdel kader", "abdulkadir"]),
    ("karim", &["kareem", "kerim"]),
    ("mehdi", &["mahdi"]),
    ("rachid", &["rashid", "rachide"]),
    ("said", &["saeed", "saied"]),
    ("mustapha", &["mustafa", "moustapha", "moustafa"]),
    ("ibrahim", &["ibrahima", "brahim", "ebrahim"]),
    ("fatima", &["fatma", "fatimah", "fatoumata"]),
    ("aicha", &["aisha", "aiche", "aissa"]),
    ("khadija", &["khadidja", "kadija", "khadidia"]),
    ("nicolas", &["nico"]),
    ("alexandre", &["alex"]),
    ("christophe", &["chris"]),
    ("frederic", &["fred"]),
    ("jeanbaptiste", &["jb"]),
    ("mariehelene", &["marie helene"]),
    ("dominique", &["dom"]),
    ("catherine", &["cathy", "cath"]),
    ("isabelle", &["isa"]),
    ("elisabeth", &["elizabeth", "lisa", "babeth"]),
    ("stephane", &["stefan", "steph"]),
];

/// Folds and splits a name field into words.
fn words(raw: &str) -> Vec<String> {
    fold(raw)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Glues particles to the word they introduce and concatenates: "ben salah" → "bensalah",
/// "le goff" → "legoff", "de la fontaine" → "delafontaine".
fn glue(words: &[String]) -> String {
    words.concat()
}

/// The surnames a surname field holds: the usual one, and the birth or married one after a marker.
/// "LE GOFF épouse MARTIN" → ["legoff", "martin"]; "MARTIN née LE GOFF" → ["martin", "legoff"].
/// A field of markers alone is a name, not a marker: "E. P." → ["ep"], and "ep" again → ["ep"].
pub fn surnames(raw: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current: Vec<String> = Vec::new();
    let words = words(raw);
    if words.iter().all(|w| NAME_MARKERS.contains(&w.as_str())) {
        return if words.is_empty() {
            Vec::new()
        } else {
            vec![glue(&words)]
        };
    }
    for w in words {
        if NAME_MARKERS.contains(&w.as_str()) {
            if !current.is_empty() {
                out.push(glue(&current));
                current.clear();
            }
        } else {
            current.push(w);
        }
    }
    if !current.is_empty() {
        out.push(glue(&current));
    }
    out.dedup();
    out
}

/// Whether a word is a particle (for callers that split names themselves).
pub fn is_particle(word: &str) -> bool {
    PARTICLES.contains(&word)
}

/// The given names of a field, each in its canonical spelling; a compound name ("Marie-Hélène") stays
/// one name. "Mohammed Ali" → ["mohamed", "ali"]; "Marie-Hélène" → ["mariehelene"].
pub fn given_names(raw: &str) -> Vec<String> {
    // Hyphens join compound given names; spaces separate names.
    let compound: Vec<String> = raw
        .split([' ', ',', ';', '/'])
        .map(|part| fold(part).replace(' ', ""))
        .filter(|p| !p.is_empty())
        .collect();
    compound.into_iter().map(|g| canonical_given(&g)).collect()
}

/// One given name to its canonical spelling (itself when no variant is known).
pub fn canonical_given(name: &str) -> String {
    static VARIANTS: std::sync::OnceLock<std::collections::HashMap<String, &'static str>> =
        std::sync::OnceLock::new();
    let variants = VARIANTS.get_or_init(|| {
        let mut map = std::collections::HashMap::new();
        for (canonical, spellings) in GIVEN_VARIANTS {
            map.insert((*canonical).to_owned(), *canonical);
            for spelling in *spellings {
                map.insert(spelling.replace(' ', ""), *canonical);
            }
        }
        map
    });
    let key = name.replace(' ', "");
    match variants.get(&key) {
        Some(canonical) => (*canonical).to_owned(),
        None => key,
    }
}

/// A phonetic key for French (and transliterated) names: spellings that sound alike share it
/// ("Bensalah"/"Ben Salah"/"Bensallah", "Philippe"/"Filipe", "Mohamed"/"Muhamed"). The key is a fixed
/// point of the rules below, so that keying a key changes nothing.
pub fn phonetic(name: &str) -> String {
    let mut key: Vec<u8> = fold(name).bytes().filter(u8::is_ascii_lowercase).collect();
    for _ in 0..8 {
        let next = phonetic_pass(&key);
        if next == key {
            break;
        }
        key = next;
    }
    String::from_utf8(key).unwrap_or_default()
}

/// Sound rules, longest first at each position; then the first letter and the consonants, doubled
/// letters and a silent final s, t, x or d dropped.
fn phonetic_pass(s: &[u8]) -> Vec<u8> {
    const RULES: &[(&[u8], &[u8])] = &[
        (b"sch", b"s"),
        (b"eau", b"o"),
        (b"ph", b"f"),
        (b"qu", b"k"),
        (b"ck", b"k"),
        (b"gu", b"g"),
        (b"ch", b"s"),
        (b"sh", b"s"),
        (b"kh", b"k"),
        (b"th", b"t"),
        (b"dj", b"j"),
        (b"au", b"o"),
        (b"ou", b"u"),
        (b"oo", b"u"),
        (b"ai", b"e"),
        (b"ei", b"e"),
        (b"ae", b"e"),
        (b"ce", b"se"),
        (b"ci", b"si"),
        (b"cy", b"si"),
        (b"c", b"k"),
        (b"q", b"k"),
        (b"w", b"v"),
        (b"z", b"s"),
        (b"y", b"i"),
        (b"h", b""),
    ];
    let mut sound = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match RULES.iter().find(|(from, _)| s[i..].starts_with(from)) {
            Some((from, to)) => {
                sound.extend_from_slice(to);
                i += from.len();
            }
            None => {
                sound.push(s[i]);
                i += 1;
            }
        }
    }
    let mut out: Vec<u8> = Vec::with_capacity(sound.len());
    for (i, &c) in sound.iter().enumerate() {
        let vowel = matches!(c, b'a' | b'e' | b'i' | b'o' | b'u');
        if (i > 0 && vowel) || out.last() == Some(&c) {
            continue;
        }
        out.push(c);
    }
    while out.len() > 2 && matches!(out.last(), Some(b's' | b't' | b'x' | b'd')) {
        out.pop();
    }
    out
}

/// A date, possibly partial.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    pub year: u16,
    /// 0 when unknown.
    pub month: u8,
    /// 0 when unknown.
    pub day: u8,
}

impl Date {
    /// "YYYYMMDD" (for comparing as text).
    pub fn compact(&self) -> String {
        format!("{:04}{:02}{:02}", self.year, self.month, self.day)
    }

    /// The eight digits of [`Date::compact`], without allocating.
    pub fn digits(&self) -> [u8; 8] {
        let (y, m, d) = (self.year, u16::from(self.month), u16::from(self.day));
        [
            (y / 1000 % 10) as u8,
            (y / 100 % 10) as u8,
            (y / 10 % 10) as u8,
            (y % 10) as u8,
            (m / 10) as u8,
            (m % 10) as u8,
            (d / 10) as u8,
            (d % 10) as u8,
        ]
    }
}

/// Parses the dates French and other files write: "1987-03-14", "14/03/1987", "14.03.1987",
/// "14-03-1987", "19870314", partial "03/1987" and "1987". `None` for anything else (the caller
/// counts it as a warning); never guesses between day and month.
pub fn parse_date(raw: &str) -> Option<Date> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    let valid = |year: u32, month: u32, day: u32| -> Option<Date> {
        let ok_year = (1850..=2100).contains(&year);
        let ok_month = month <= 12;
        let ok_day = day <= 31 && (day == 0 || month != 0);
        (ok_year && ok_month && ok_day).then_some(Date {
            year: year as u16,
            month: month as u8,
            day: day as u8,
        })
    };
    if s.len() == 8 && s.chars().all(|c| c.is_ascii_digit()) {
        let n = |r: std::ops::Range<usize>| s[r].parse::<u32>().ok();
        return valid(n(0..4)?, n(4..6)?, n(6..8)?).filter(|d| d.month > 0 && d.day > 0);
    }
    if s.len() == 4 && s.chars().all(|c| c.is_ascii_digit()) {
        return valid(s.parse().ok()?, 0, 0);
    }
    let parts: Vec<&str> = s
        .split(['/', '-', '.', ' '])
        .filter(|p| !p.is_empty())
        .collect();
    let num = |p: &str| p.parse::<u32>().ok();
    match parts.as_slice() {
        [a, b, c] if a.len() == 4 => {
            valid(num(a)?, num(b)?, num(c)?).filter(|d| d.month > 0 && d.day > 0)
        }
        [a, b, c] if c.len() == 4 => {
            valid(num(c)?, num(b)?, num(a)?).filter(|d| d.month > 0 && d.day > 0)
        }
        [m, y] if y.len() == 4 => valid(num(y)?, num(m)?, 0).filter(|d| d.month > 0),
        _ => None,
    }
}

/// Digits only (identifiers, postcodes, street numbers).
pub fn digits(raw: &str) -> String {
    raw.chars().filter(char::is_ascii_digit).collect()
}

/// A phone number to E.164 when Vigie's parser knows it (French numbers, overseas included), else
/// its digits.
pub fn phone(raw: &str) -> String {
    match vigie_core::identifiers::PhoneNumber::parse(raw) {
        Ok(p) => p.as_str().to_owned(),
        Err(_) => digits(raw),
    }
}

/// A free-text field (city, street) to folded words, with the usual street abbreviations expanded.
pub fn place(raw: &str) -> String {
    words(raw)
        .into_iter()
        .map(|w| match w.as_str() {
            "st" => "saint".to_owned(),
            "ste" => "sainte".to_owned(),
            "av" => "avenue".to_owned(),
            "bd" | "bld" | "boul" => "boulevard".to_owned(),
            "ch" | "chem" => "chemin".to_owned(),
            "imp" => "impasse".to_owned(),
            "pl" => "place".to_owned(),
            "rte" => "route".to_owned(),
            "r" => "rue".to_owned(),
            "all" => "allee".to_owned(),
            _ => w,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn surnames_as_files_write_them() {
        let cases: &[(&str, &[&str])] = &[
            ("BEN SALAH", &["bensalah"]),
            ("Bensalah", &["bensalah"]),
            ("LE GOFF épouse MARTIN", &["legoff", "martin"]),
            ("Martin née Le Goff", &["martin", "legoff"]),
            ("DUPONT veuve DURAND", &["dupont", "durand"]),
            ("de la Fontaine", &["delafontaine"]),
            ("N'DIAYE", &["ndiaye"]),
            ("", &[]),
        ];
        for (raw, expected) in cases {
            assert_eq!(surnames(raw), *expected, "{raw}");
        }
    }

    #[test]
    fn given_names_and_their_variants() {
        let cases: &[(&str, &[&str])] = &[
            ("Mohammed", &["mohamed"]),
            ("MUHAMMAD Ali", &["mohamed", "ali"]),
            ("Marie-Hélène", &["mariehelene"]),
            ("Youcef", &["youssef"]),
            ("Jean Pierre", &["jean", "pierre"]),
        ];
        for (raw, expected) in cases {
            assert_eq!(given_names(raw), *expected, "{raw}");
        }
    }

    #[test]
    fn phonetic_keys_group_spellings_that_sound_alike() {
        for group in [
            &["Bensalah", "Ben Salah", "Bensallah"][..],
            &["Philippe", "Filipe", "Phillipe"],
            &["Mohamed", "Muhamed", "Mouhamed"],
            &["Chevalier", "Schevalier"],
            &["Lefèvre", "Lefevre", "LEFEVRE"],
        ] {
            let keys: Vec<String> = group.iter().map(|n| phonetic(n)).collect();
            assert!(
                keys.windows(2).all(|w| w[0] == w[1]),
                "{group:?} → {keys:?}"
            );
        }
        assert_ne!(phonetic("Martin"), phonetic("Bernard"));
    }

    #[test]
    fn dates_in_every_common_shape_and_nothing_guessed() {
        let d = |y, m, day| {
            Some(Date {
                year: y,
                month: m,
                day,
            })
        };
        assert_eq!(parse_date("1987-03-14"), d(1987, 3, 14));
        assert_eq!(parse_date("14/03/1987"), d(1987, 3, 14));
        assert_eq!(parse_date("14.03.1987"), d(1987, 3, 14));
        assert_eq!(parse_date("19870314"), d(1987, 3, 14));
        assert_eq!(parse_date("03/1987"), d(1987, 3, 0));
        assert_eq!(parse_date("1987"), d(1987, 0, 0));
        for bad in [
            "14/13/1987",
            "32/01/1987",
            "1987-00-10",
            "hier",
            "12/03/87",
            "",
            "19871314",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_surname_spelled_like_a_marker_is_kept() {
        assert_eq!(surnames("è P"), vec!["ep".to_owned()]);
        assert_eq!(surnames("ep"), vec!["ep".to_owned()]);
        assert_eq!(surnames("Née"), vec!["nee".to_owned()]);
        assert_eq!(surnames("MARTIN née"), vec!["martin".to_owned()]);
        assert_eq!(surnames(" "), Vec::<String>::new());
    }

    #[test]
    fn phones_to_e164() {
        assert_eq!(phone("06 12 34 56 78"), "+33612345678");
        assert_eq!(phone("+33 6 12 34 56 78"), "+33612345678");
        assert_eq!(phone("0262 12 34 56"), phone("+262 262 12 34 56"));
    }

    proptest! {
        #[test]
        fn normalising_twice_changes_nothing(raw in "[A-Za-zÉéèÀàç' -]{0,30}") {
            let once = surnames(&raw);
            for s in &once {
                prop_assert_eq!(surnames(s), vec![s.clone()]);
            }
            let given = given_names(&raw);
            for g in &given {
                prop_assert_eq!(given_names(g), vec![g.clone()]);
            }
            let key = phonetic(&raw);
            prop_assert_eq!(phonetic(&key), key.clone());
        }

        #[test]
        fn distinct_identifiers_keep_distinct_keys(a in "[0-9]{9,13}", b in "[0-9]{9,13}") {
            prop_assume!(a != b);
            prop_assert_ne!(digits(&a), digits(&b));
        }

        #[test]
        fn distinct_phones_are_never_forced_together(a in "0[67][0-9]{8}", b in "0[67][0-9]{8}", spaced in proptest::bool::ANY) {
            prop_assume!(a != b);
            let written = if spaced { a.as_bytes().chunks(2).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ") } else { a.clone() };
            prop_assert_eq!(phone(&written), phone(&a), "formatting changes nothing");
            prop_assert_ne!(phone(&a), phone(&b));
        }

        #[test]
        fn distinct_plates_and_ids_are_never_forced_together(a in "[A-Z]{2}-[0-9]{3}-[A-Z]{2}", b in "[A-Z]{2}-[0-9]{3}-[A-Z]{2}") {
            prop_assume!(a != b);
            let key = |raw: &str| {
                let record = crate::record::Record { id: "x".into(), identifier: raw.into(), ..Default::default() };
                crate::record::Prepared::new(&record).0.identifier
            };
            prop_assert_eq!(key(&a), key(&a.replace('-', " ").to_lowercase()), "separators and case change nothing");
            prop_assert_ne!(key(&a), key(&b));
        }
    }
}
