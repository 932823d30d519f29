//! Commune lookup for forms: by name, postcode or INSEE code, French-aware, ranked.
//!
//! Names are compared on a key that forgives what people type: case and accents, hyphens and
//! apostrophes, "St"/"Ste" for "Saint"/"Sainte", and a leading article ("Havre" finds "Le Havre"). A
//! département code or name in the query narrows homonyms ("saint-denis 974"), and every answer carries
//! its département so that the 70-odd "Saint-Denis" can be told apart. A single typo is forgiven when
//! nothing matches exactly.
//!
//! Why a scan rather than a full-text engine: there are 37,500 names; a scan of their short keys takes
//! well under a millisecond, and ranking rules this specific are simpler to state in code than as
//! tantivy scoring.

use crate::atlas::{Atlas, UnitKind};
use serde::Serialize;

#[derive(Debug)]
pub struct CommuneSearch {
    entries: Vec<Entry>,
}

#[derive(Debug)]
struct Entry {
    unit: u32,
    key: String,
}

/// One answer, as a form shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommuneMatch {
    pub code: String,
    pub nom: String,
    pub kind: UnitKind,
    /// For an arrondissement or a former commune: the commune it belongs to now.
    pub commune: Option<String>,
    pub departement: String,
    pub departement_nom: String,
    pub codes_postaux: Vec<String>,
    pub population: u32,
    /// What to show: "Saint-Denis (Seine-Saint-Denis, 93)".
    pub libelle: String,
}

/// How well an entry matched; lower is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Quality {
    Exact,
    Prefix,
    WordPrefix,
    OneTypo,
}

/// The comparison key of a name: folded, "st" expanded, leading article dropped.
pub fn name_key(name: &str) -> String {
    let folded = vigie_core::text::fold(name);
    let mut words: Vec<&str> = folded
        .split(' ')
        .map(|w| match w {
            "st" => "saint",
            "ste" => "sainte",
            "sts" => "saints",
            "stes" => "saintes",
            other => other,
        })
        .collect();
    if words.len() > 1 && matches!(words[0], "le" | "la" | "les" | "l") {
        words.remove(0);
    }
    words.join(" ")
}

impl CommuneSearch {
    pub fn build(atlas: &Atlas) -> CommuneSearch {
        let entries = atlas
            .units
            .iter()
            .enumerate()
            .map(|(i, u)| Entry {
                unit: i as u32,
                key: name_key(&u.name),
            })
            .collect();
        CommuneSearch { entries }
    }

    pub fn search(&self, atlas: &Atlas, query: &str, limit: usize) -> Vec<CommuneMatch> {
        let limit = limit.clamp(1, 100);
        let (words, departements, codes) = split_query(atlas, query);
        let key = name_key(&words.join(" "));
        let in_departement = |unit: usize| {
            departements.is_empty() || departements.contains(&atlas.units[unit].departement)
        };
        let mut found: Vec<(Quality, usize)> = Vec::new();
        if !codes.is_empty() {
            // Forms ask for a postcode: "13001" is Marseille 1er before it is Aix-en-Provence's INSEE code.
            for (i, u) in atlas.units.iter().enumerate() {
                if !in_departement(i) {
                    continue;
                }
                if codes.iter().any(|c| u.postcodes.contains(c)) {
                    found.push((Quality::Exact, i));
                } else if codes.contains(&u.code) {
                    found.push((Quality::Prefix, i));
                }
            }
            if !key.is_empty() {
                found.retain(|&(_, i)| self.entries[i].key.contains(&key));
            }
        } else if !key.is_empty() {
            for e in &self.entries {
                let unit = e.unit as usize;
                if !in_departement(unit) {
                    continue;
                }
                let quality = if e.key == key {
                    Some(Quality::Exact)
                } else if e.key.starts_with(&key) {
                    Some(Quality::Prefix)
                } else if e
                    .key
                    .match_indices(&key)
                    .any(|(at, _)| e.key.as_bytes()[at - 1] == b' ')
                {
                    // `at` > 0 here: a match at 0 is a prefix, caught above.
                    Some(Quality::WordPrefix)
                } else {
                    None
                };
                if let Some(q) = quality {
                    found.push((q, unit));
                }
            }
            if found.is_empty() && key.chars().count() >= 4 {
                for e in &self.entries {
                    let unit = e.unit as usize;
                    if in_departement(unit) && within_one_typo(&key, &e.key) {
                        found.push((Quality::OneTypo, unit));
                    }
                }
            }
        } else if !departements.is_empty() {
            // Only a département: its largest communes.
            for (i, u) in atlas.units.iter().enumerate() {
                if u.kind == UnitKind::Commune && in_departement(i) {
                    found.push((Quality::Exact, i));
                }
            }
        }
        let kind_rank = |k: UnitKind| match k {
            UnitKind::Commune => 0,
            UnitKind::Arrondissement => 1,
            UnitKind::Delegated | UnitKind::Associated => 2,
        };
        found.sort_by(|&(qa, a), &(qb, b)| {
            let (ua, ub) = (&atlas.units[a], &atlas.units[b]);
            qa.cmp(&qb)
                .then(kind_rank(ua.kind).cmp(&kind_rank(ub.kind)))
                .then(ub.population.cmp(&ua.population))
                .then(ua.code.cmp(&ub.code))
        });
        found.truncate(limit);
        found
            .into_iter()
            .map(|(_, unit)| describe(atlas, unit))
            .collect()
    }
}

/// Splits a query into name words, département filters ("93", "2A", "974", "Seine-Saint-Denis" is left
/// as a name) and 5-digit codes (postcode or INSEE code).
fn split_query(atlas: &Atlas, query: &str) -> (Vec<String>, Vec<usize>, Vec<String>) {
    let mut words = Vec::new();
    let mut departements = Vec::new();
    let mut codes = Vec::new();
    let cleaned: String = query
        .chars()
        .map(|c| {
            if matches!(c, '(' | ')' | ',' | ';') {
                ' '
            } else {
                c
            }
        })
        .collect();
    for token in cleaned.split_whitespace() {
        let upper = token.to_uppercase();
        let is_code = upper.len() == 5
            && upper
                .chars()
                .enumerate()
                .all(|(i, c)| c.is_ascii_digit() || (i == 1 && matches!(c, 'A' | 'B')));
        if is_code {
            codes.push(upper);
        } else if let Some(d) = (upper.len() <= 3)
            .then(|| atlas.departement_index(&upper))
            .flatten()
        {
            departements.push(d);
        } else {
            words.push(token.to_owned());
        }
    }
    (words, departements, codes)
}

fn describe(atlas: &Atlas, unit: usize) -> CommuneMatch {
    let u = &atlas.units[unit];
    let dep = &atlas.departements[u.departement];
    let commune =
        (u.kind != UnitKind::Commune).then(|| atlas.units[atlas.commune_of(unit)].name.clone());
    let libelle = match (&commune, u.kind) {
        (Some(c), UnitKind::Delegated | UnitKind::Associated) => {
            format!(
                "{} (commune déléguée de {c}, {}, {})",
                u.name, dep.name, dep.code
            )
        }
        _ => format!("{} ({}, {})", u.name, dep.name, dep.code),
    };
    CommuneMatch {
        code: u.code.clone(),
        nom: u.name.clone(),
        kind: u.kind,
        commune,
        departement: dep.code.clone(),
        departement_nom: dep.name.clone(),
        codes_postaux: u.postcodes.clone(),
        population: u.population,
        libelle,
    }
}

/// Is `key` within one edit (substitution, insertion, deletion, or swap of neighbours) of `candidate`,
/// or of the start of it (the user may still be typing)?
fn within_one_typo(key: &str, candidate: &str) -> bool {
    let a: Vec<char> = key.chars().collect();
    let b: Vec<char> = candidate.chars().collect();
    std::iter::once(b.len())
        .chain(a.len().saturating_sub(1)..=a.len() + 1)
        .filter(|&len| len <= b.len())
        .any(|len| edit_distance(&a, &b[..len]) <= 1)
}

/// Optimal string alignment distance (Levenshtein plus swaps of neighbours), on short names.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[n][m]
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn check(query: &str, expected_first: &[&str]) {
        let geo = crate::tests::france();
        let got: Vec<String> = geo
            .search_communes(query, 10)
            .into_iter()
            .map(|m| m.libelle)
            .collect();
        let first: Vec<&str> = got
            .iter()
            .map(String::as_str)
            .take(expected_first.len())
            .collect();
        assert_eq!(first, expected_first, "query {query:?} gave {got:#?}");
    }

    #[test]
    fn keys_forgive_what_people_type() {
        assert_eq!(
            name_key("Saint-Étienne-du-Rouvray"),
            "saint etienne du rouvray"
        );
        assert_eq!(
            name_key("St Etienne du rouvray"),
            "saint etienne du rouvray"
        );
        assert_eq!(name_key("Le Havre"), "havre");
        assert_eq!(name_key("L'Haÿ-les-Roses"), "hay les roses");
        assert_eq!(name_key("Ste-Maxime"), "sainte maxime");
        assert_eq!(name_key("Les"), "les");
    }

    #[test]
    fn lookups_rank_as_a_form_needs() {
        check("marseille", &["Marseille (Bouches-du-Rhône, 13)"]);
        check("st denis 974", &["Saint-Denis (La Réunion, 974)"]);
        check("Saint-Denis (93)", &["Saint-Denis (Seine-Saint-Denis, 93)"]);
        check(
            "saint denis",
            &[
                // The larger first: Saint-Denis de La Réunion has more inhabitants.
                "Saint-Denis (La Réunion, 974)",
                "Saint-Denis (Seine-Saint-Denis, 93)",
            ],
        );
        check("havre", &["Le Havre (Seine-Maritime, 76)"]);
        check("l'hay les roses", &["L'Haÿ-les-Roses (Val-de-Marne, 94)"]);
        check(
            "13001",
            &[
                "Marseille 1er Arrondissement (Bouches-du-Rhône, 13)",
                "Aix-en-Provence (Bouches-du-Rhône, 13)",
            ],
        );
        check("2A004", &["Ajaccio (Corse-du-Sud, 2A)"]);
        check("97400", &["Saint-Denis (La Réunion, 974)"]);
        check("Marseile", &["Marseille (Bouches-du-Rhône, 13)"]);
        check("Tolouse", &["Toulouse (Haute-Garonne, 31)"]);
    }

    #[test]
    fn homonyms_carry_their_departement() {
        let geo = crate::tests::france();
        let all = geo.search_communes("saint-denis", 100);
        let exact: Vec<_> = all.iter().filter(|m| m.nom == "Saint-Denis").collect();
        assert!(exact.len() >= 5, "{exact:?}");
        let mut labels: Vec<_> = exact.iter().map(|m| &m.libelle).collect();
        labels.dedup();
        assert_eq!(
            labels.len(),
            exact.len(),
            "two Saint-Denis with the same label"
        );
    }

    #[test]
    fn former_communes_lead_to_their_commune_nouvelle() {
        let geo = crate::tests::france();
        let m = geo.search_communes("Drain", 5);
        let drain = m.iter().find(|m| m.nom == "Drain").unwrap();
        assert_eq!(drain.commune.as_deref(), Some("Orée d'Anjou"));
        assert!(
            drain.libelle.contains("commune déléguée de Orée d'Anjou"),
            "{}",
            drain.libelle
        );
    }

    #[test]
    fn typos() {
        assert!(within_one_typo("marseile", "marseille"));
        assert!(within_one_typo("tolouse", "toulouse"));
        assert!(within_one_typo("luon", "lyon"));
        assert!(within_one_typo("lyno", "lyon"));
        assert!(!within_one_typo("paris", "lyon"));
        assert!(within_one_typo("bordaux", "bordeaux saint clair"));
    }
}
