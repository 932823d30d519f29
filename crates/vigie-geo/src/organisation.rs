//! The organisation map: which CROSS, OFAST antenna and defence and security zone each département
//! belongs to.
//!
//! The default ships as `data/organisation.toml` (readable, versioned, with its sources); an administrator
//! may supply another file. Loading validates it against the atlas: every département in exactly one zone
//! and one antenna, no unknown code, no duplicate. Errors are collected, in French, all at once, so that
//! whoever edits the file sees every mistake in one go.

use crate::atlas::Atlas;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The default map Vigie ships.
pub static DEFAULT_ORGANISATION: &str = include_str!("../data/organisation.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: String,
    #[serde(default)]
    cross: CrossSection,
    #[serde(default)]
    zone: Vec<Area>,
    #[serde(default)]
    antenne: Vec<Area>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CrossSection {
    #[serde(default)]
    noms: BTreeMap<String, String>,
}

/// A zone or an antenna: a named group of départements with a seat.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Area {
    pub code: String,
    pub nom: String,
    pub siege: String,
    pub departements: Vec<String>,
}

/// The CROSS of one département.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Cross {
    pub departement: String,
    pub nom: String,
}

/// A validated organisation map, indexed by département (same order as [`Atlas::departements`]).
#[derive(Debug, Clone)]
pub struct Organisation {
    pub version: String,
    pub zones: Vec<Area>,
    pub antennas: Vec<Area>,
    pub cross: Vec<Cross>,
    zone_of: Vec<usize>,
    antenna_of: Vec<usize>,
}

/// Every mistake found in an organisation file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("carte de l'organisation invalide :\n- {}", .0.join("\n- "))]
pub struct OrganisationErrors(pub Vec<String>);

impl Organisation {
    /// Parses and validates an organisation file against the atlas.
    pub fn parse(text: &str, atlas: &Atlas) -> Result<Organisation, OrganisationErrors> {
        let file: File = toml::from_str(text).map_err(|e| {
            let place = e
                .span()
                .map(|span| format!(" (ligne {})", line_of(text, span.start)))
                .unwrap_or_default();
            OrganisationErrors(vec![format!(
                "fichier TOML illisible{place} : {}",
                e.message()
            )])
        })?;
        let mut errors = Vec::new();
        let zone_of = assign(&file.zone, "zone", atlas, &mut errors);
        let antenna_of = assign(&file.antenne, "antenne", atlas, &mut errors);
        for code in file.cross.noms.keys() {
            if atlas.departement_index(code).is_none() {
                errors.push(format!("[cross.noms] : département « {code} » inconnu"));
            }
        }
        if file.version.trim().is_empty() {
            errors.push("la version est vide".into());
        }
        let (Some(zone_of), Some(antenna_of)) = (zone_of, antenna_of) else {
            return Err(OrganisationErrors(errors));
        };
        if !errors.is_empty() {
            return Err(OrganisationErrors(errors));
        }
        let cross = atlas
            .departements
            .iter()
            .map(|d| Cross {
                departement: d.code.clone(),
                nom: file
                    .cross
                    .noms
                    .get(&d.code)
                    .cloned()
                    .unwrap_or_else(|| format!("CROSS {}", d.name_with_of())),
            })
            .collect();
        Ok(Organisation {
            version: file.version,
            zones: file.zone,
            antennas: file.antenne,
            cross,
            zone_of,
            antenna_of,
        })
    }

    pub fn default_for(atlas: &Atlas) -> Result<Organisation, OrganisationErrors> {
        Organisation::parse(DEFAULT_ORGANISATION, atlas)
    }

    /// The zone of a département (by atlas index).
    pub fn zone(&self, departement: usize) -> &Area {
        &self.zones[self.zone_of[departement]]
    }

    pub fn antenna(&self, departement: usize) -> &Area {
        &self.antennas[self.antenna_of[departement]]
    }

    pub fn cross(&self, departement: usize) -> &Cross {
        &self.cross[departement]
    }
}

/// Maps each département to the one area that lists it; records every gap, doubling and unknown code.
fn assign(
    areas: &[Area],
    what: &str,
    atlas: &Atlas,
    errors: &mut Vec<String>,
) -> Option<Vec<usize>> {
    let before = errors.len();
    let mut owner: Vec<Option<usize>> = vec![None; atlas.departements.len()];
    let mut codes = std::collections::BTreeSet::new();
    for (i, area) in areas.iter().enumerate() {
        if !codes.insert(area.code.as_str()) {
            errors.push(format!("{what} « {} » : code en double", area.code));
        }
        for code in &area.departements {
            match atlas.departement_index(code) {
                None => errors.push(format!(
                    "{what} « {} » : département « {code} » inconnu",
                    area.code
                )),
                Some(d) => match owner[d] {
                    Some(other) => errors.push(format!(
                        "département {code} dans deux {what}s : « {} » et « {} »",
                        areas[other].code, area.code
                    )),
                    None => owner[d] = Some(i),
                },
            }
        }
    }
    for (d, o) in owner.iter().enumerate() {
        if o.is_none() {
            let dep = &atlas.departements[d];
            errors.push(format!(
                "département {} ({}) dans aucune {what}",
                dep.code, dep.name
            ));
        }
    }
    if errors.len() > before {
        return None;
    }
    owner.into_iter().collect()
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).map_or(0, |t| t.matches('\n').count()) + 1
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn the_default_map_covers_every_departement_once() {
        let atlas = Atlas::france().unwrap();
        let org = Organisation::default_for(&atlas).unwrap();
        assert_eq!(org.zones.len(), 10);
        assert_eq!(org.antennas.len(), 13, "OFAST has 13 antennas");
        let bdr = atlas.departement_index("13").unwrap();
        assert_eq!(org.cross(bdr).nom, "CROSS des Bouches-du-Rhône");
        assert_eq!(org.zone(bdr).code, "sud");
        assert_eq!(org.antenna(bdr).code, "marseille");
        let mayotte = atlas.departement_index("976").unwrap();
        assert_eq!(org.zone(mayotte).code, "sud-ocean-indien");
        assert_eq!(
            org.cross(atlas.departement_index("01").unwrap()).nom,
            "CROSS de l'Ain"
        );
    }

    fn errors_of(edit: impl Fn(&str) -> String) -> Vec<String> {
        let atlas = Atlas::france().unwrap();
        Organisation::parse(&edit(DEFAULT_ORGANISATION), &atlas)
            .unwrap_err()
            .0
    }

    #[test]
    fn mistakes_are_all_reported_in_french() {
        // Corsica moved to the Sud-Est zone too, and Mayotte forgotten.
        let errors = errors_of(|t| {
            t.replace(
                r#"["01", "03", "07", "15""#,
                r#"["2A", "01", "03", "07", "15""#,
            )
            .replace(
                r#"departements = ["974", "976"]"#,
                r#"departements = ["974"]"#,
            )
        });
        assert!(
            errors.contains(&"département 2A dans deux zones : « sud » et « sud-est »".into()),
            "{errors:?}"
        );
        assert!(
            errors.contains(&"département 976 (Mayotte) dans aucune zone".into()),
            "{errors:?}"
        );
        assert!(
            errors.contains(&"département 976 (Mayotte) dans aucune antenne".into()),
            "{errors:?}"
        );

        let errors = errors_of(|t| t.replace(r#""75", "77""#, r#""75", "7S", "77""#));
        assert!(
            errors
                .iter()
                .any(|e| e.contains("département « 7S » inconnu")),
            "{errors:?}"
        );

        let errors = errors_of(|t| {
            t.replace(
                "siege = \"Lille\"\ndepartements",
                "siege = Lille\ndepartements",
            )
        });
        assert!(
            errors[0].starts_with("fichier TOML illisible (ligne "),
            "{errors:?}"
        );

        let errors =
            errors_of(|t| t.replace("noms = {}", r#"noms = { "99" = "CROSS de nulle part" }"#));
        assert_eq!(
            errors,
            vec!["[cross.noms] : département « 99 » inconnu".to_string()]
        );
    }
}
