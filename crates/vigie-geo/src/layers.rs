//! Map layers Vigie serves itself, so that maps work with no tile server: département outlines for the
//! national view, commune outlines for a view when zoomed in, as GeoJSON simplified for the zoom level.
//!
//! Simplification snaps vertices to a grid of about one screen pixel at the requested zoom, then drops
//! repeated, back-tracking and collinear vertices. Snapping is the same for every polygon, so borders
//! shared by two communes stay shared: no slivers, no gaps (the way TopoJSON quantises).
//!
//! Département outlines are built from their communes: a border edge that appears an even number of
//! times inside one département is internal and cancels; the edges left are chained into rings, and the
//! rings sorted into outer rings and holes (the Drôme has one: the Enclave des papes, in Vaucluse).
//!
//! Not here: tiles, styling, and any data about people (layers of reports or dealing points belong to
//! the engine, behind the access policy).

use crate::atlas::{Atlas, Point};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, OnceLock};

/// Zoom levels are clamped to this range (Leaflet's are 0 to about 20).
pub const MAX_ZOOM: u8 = 18;
/// Below this zoom, commune outlines are not served: the view would hold thousands of them.
pub const MIN_COMMUNES_ZOOM: u8 = 10;
/// Beyond this zoom, the whole of France would weigh more than 1 MB: views ask for their part.
pub const MAX_NATIONAL_ZOOM: u8 = 8;
/// Largest view (degrees) for which commune outlines are served.
const MAX_COMMUNES_SPAN: f64 = 6.0;

/// A view: west, south, east, north, in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bbox {
    pub west: f64,
    pub south: f64,
    pub east: f64,
    pub north: f64,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LayerError {
    #[error("emprise invalide : {0}")]
    BadBbox(String),
    #[error("les contours des communes sont servis à partir du zoom {MIN_COMMUNES_ZOOM} (demandé : {0})")]
    ZoomTooLow(u8),
    #[error("emprise trop grande pour les contours des communes ({0:.1}° ; au plus {MAX_COMMUNES_SPAN}°)")]
    TooLarge(f64),
}

impl Bbox {
    /// Does the view meet a box `[west, south, east, north]` in micro-degrees?
    fn meets(&self, b: [i32; 4]) -> bool {
        let q = |v: f64| (v * crate::atlas::QUANTUM) as i64;
        !(i64::from(b[2]) < q(self.west)
            || i64::from(b[0]) > q(self.east)
            || i64::from(b[3]) < q(self.south)
            || i64::from(b[1]) > q(self.north))
    }

    /// Parses "west,south,east,north".
    pub fn parse(text: &str) -> Result<Bbox, LayerError> {
        let parts: Vec<f64> = text
            .split(',')
            .map(|p| p.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .map_err(|_| LayerError::BadBbox(format!("« {text} » n'est pas ouest,sud,est,nord")))?;
        let [west, south, east, north] = parts[..] else {
            return Err(LayerError::BadBbox(format!(
                "« {text} » : quatre nombres attendus"
            )));
        };
        let b = Bbox {
            west,
            south,
            east,
            north,
        };
        if parts.iter().any(|v| !v.is_finite()) {
            return Err(LayerError::BadBbox("coordonnée non numérique".into()));
        }
        if !(-180.0..=180.0).contains(&west) || !(-180.0..=180.0).contains(&east) {
            return Err(LayerError::BadBbox("longitude hors de [-180, 180]".into()));
        }
        if !(-90.0..=90.0).contains(&south) || !(-90.0..=90.0).contains(&north) {
            return Err(LayerError::BadBbox("latitude hors de [-90, 90]".into()));
        }
        if west >= east || south >= north {
            return Err(LayerError::BadBbox(
                "l'ouest doit précéder l'est, le sud le nord".into(),
            ));
        }
        Ok(b)
    }
}

type Ring = Vec<Point>;
type Polygon = Vec<Ring>;

/// Built lazily, once: outlines of the départements, per-zoom GeoJSON, bounding boxes of units.
#[derive(Debug, Default)]
pub struct Layers {
    departement_outlines: OnceLock<Vec<Vec<Polygon>>>,
    departements_by_zoom: [OnceLock<Arc<String>>; MAX_ZOOM as usize + 1],
    unit_bboxes: OnceLock<Vec<(usize, [i32; 4])>>,
}

impl Layers {
    /// All départements as a GeoJSON FeatureCollection, simplified for `zoom` (at most
    /// [`MAX_NATIONAL_ZOOM`]: closer views ask for their view with [`Layers::departements_in`]); cached.
    pub fn departements(&self, atlas: &Atlas, zoom: u8) -> Arc<String> {
        let zoom = zoom.min(MAX_NATIONAL_ZOOM);
        self.departements_by_zoom[zoom as usize]
            .get_or_init(|| Arc::new(self.departements_matching(atlas, zoom, None)))
            .clone()
    }

    /// The départements whose outline meets a view, simplified for `zoom` (any zoom).
    pub fn departements_in(
        &self,
        atlas: &Atlas,
        bbox: Bbox,
        zoom: u8,
    ) -> Result<String, LayerError> {
        let span = (bbox.east - bbox.west).max(bbox.north - bbox.south);
        if span > MAX_COMMUNES_SPAN {
            return Err(LayerError::TooLarge(span));
        }
        Ok(self.departements_matching(atlas, zoom.min(MAX_ZOOM), Some(bbox)))
    }

    fn departements_matching(&self, atlas: &Atlas, zoom: u8, bbox: Option<Bbox>) -> String {
        let outlines = self
            .departement_outlines
            .get_or_init(|| departement_outlines(atlas));
        let mut out = FeatureWriter::new(zoom);
        for (d, polygons) in outlines.iter().enumerate() {
            if let Some(view) = bbox {
                let b = polygons.iter().flat_map(|p| p.iter().flatten()).fold(
                    [i32::MAX, i32::MAX, i32::MIN, i32::MIN],
                    |b, p| {
                        [
                            b[0].min(p[0]),
                            b[1].min(p[1]),
                            b[2].max(p[0]),
                            b[3].max(p[1]),
                        ]
                    },
                );
                if !view.meets(b) {
                    continue;
                }
            }
            let dep = &atlas.departements[d];
            out.feature(
                &[("code", &dep.code), ("nom", &dep.name)],
                polygons.iter().map(|p| p.as_slice()),
            );
        }
        out.finish()
    }

    /// Communes (arrondissements in Paris, Lyon and Marseille) whose outline meets the view.
    pub fn communes(&self, atlas: &Atlas, bbox: Bbox, zoom: u8) -> Result<String, LayerError> {
        if zoom < MIN_COMMUNES_ZOOM {
            return Err(LayerError::ZoomTooLow(zoom));
        }
        let span = (bbox.east - bbox.west).max(bbox.north - bbox.south);
        if span > MAX_COMMUNES_SPAN {
            return Err(LayerError::TooLarge(span));
        }
        let bboxes = self.unit_bboxes.get_or_init(|| unit_bboxes(atlas));
        let q = |v: f64| (v * crate::atlas::QUANTUM) as i64;
        let (w, s, e, n) = (q(bbox.west), q(bbox.south), q(bbox.east), q(bbox.north));
        let mut out = FeatureWriter::new(zoom.min(MAX_ZOOM));
        for (unit, b) in bboxes {
            if i64::from(b[2]) < w
                || i64::from(b[0]) > e
                || i64::from(b[3]) < s
                || i64::from(b[1]) > n
            {
                continue;
            }
            let u = &atlas.units[*unit];
            let dep = &atlas.departements[u.departement].code;
            let polygons: Vec<Polygon> = u
                .polygons
                .clone()
                .map(|p| {
                    atlas.polygons[p as usize]
                        .clone()
                        .map(|r| atlas.ring(r).to_vec())
                        .collect()
                })
                .collect();
            out.feature(
                &[("code", &u.code), ("nom", &u.name), ("departement", dep)],
                polygons.iter().map(|p| p.as_slice()),
            );
        }
        Ok(out.finish())
    }
}

fn unit_bboxes(atlas: &Atlas) -> Vec<(usize, [i32; 4])> {
    atlas
        .locatable_units()
        .into_iter()
        .map(|u| {
            let mut b = [i32::MAX, i32::MAX, i32::MIN, i32::MIN];
            for r in atlas.unit_rings(u) {
                for p in atlas.ring(r) {
                    b = [
                        b[0].min(p[0]),
                        b[1].min(p[1]),
                        b[2].max(p[0]),
                        b[3].max(p[1]),
                    ];
                }
            }
            (u, b)
        })
        .collect()
}

/// The outline of each département (atlas order) as polygons, from the edges of its communes.
fn departement_outlines(atlas: &Atlas) -> Vec<Vec<Polygon>> {
    let mut edges_by_dep: Vec<HashMap<(Point, Point), u32>> =
        vec![HashMap::new(); atlas.departements.len()];
    for unit in atlas.locatable_units() {
        let edges = &mut edges_by_dep[atlas.units[unit].departement];
        for r in atlas.unit_rings(unit) {
            let pts = atlas.ring(r);
            for (i, &a) in pts.iter().enumerate() {
                let b = pts[(i + 1) % pts.len()];
                *edges
                    .entry(if a < b { (a, b) } else { (b, a) })
                    .or_default() += 1;
            }
        }
    }
    edges_by_dep
        .into_iter()
        .map(|edges| rings_to_polygons(chain(edges)))
        .collect()
}

/// Chains the edges seen an odd number of times into closed rings.
fn chain(edges: HashMap<(Point, Point), u32>) -> Vec<Ring> {
    let mut kept: Vec<(Point, Point)> = edges
        .into_iter()
        .filter(|(_, n)| n % 2 == 1)
        .map(|(e, _)| e)
        .collect();
    kept.sort_unstable(); // HashMap order is random; outlines must not be.
    let mut at: HashMap<Point, Vec<usize>> = HashMap::new();
    for (i, (a, b)) in kept.iter().enumerate() {
        at.entry(*a).or_default().push(i);
        at.entry(*b).or_default().push(i);
    }
    let mut used = vec![false; kept.len()];
    let mut rings = Vec::new();
    for first in 0..kept.len() {
        if used[first] {
            continue;
        }
        used[first] = true;
        let (start, mut current) = kept[first];
        let mut ring = vec![start];
        while current != start {
            ring.push(current);
            let next = at
                .get(&current)
                .and_then(|es| es.iter().copied().find(|&e| !used[e]));
            let Some(e) = next else { break }; // an open chain: source topology broken here; keep what we have
            used[e] = true;
            let (a, b) = kept[e];
            current = if a == current { b } else { a };
        }
        if ring.len() >= 3 {
            rings.push(ring);
        }
    }
    rings
}

/// Sorts rings into polygons: a ring inside an even number of others is an outer ring, inside an odd
/// number a hole of the smallest outer ring around it.
fn rings_to_polygons(rings: Vec<Ring>) -> Vec<Polygon> {
    let bbox = |r: &Ring| {
        r.iter()
            .fold([i32::MAX, i32::MAX, i32::MIN, i32::MIN], |b, p| {
                [
                    b[0].min(p[0]),
                    b[1].min(p[1]),
                    b[2].max(p[0]),
                    b[3].max(p[1]),
                ]
            })
    };
    let boxes: Vec<[i32; 4]> = rings.iter().map(bbox).collect();
    let inside = |i: usize, j: usize| {
        // Is ring i inside ring j? Test one vertex of i (rings do not cross).
        let (bi, bj) = (boxes[i], boxes[j]);
        i != j
            && bi[0] >= bj[0]
            && bi[1] >= bj[1]
            && bi[2] <= bj[2]
            && bi[3] <= bj[3]
            && crate::atlas::ring_contains(
                &rings[j],
                f64::from(rings[i][0][0]),
                f64::from(rings[i][0][1]),
            )
    };
    let depth: Vec<usize> = (0..rings.len())
        .map(|i| (0..rings.len()).filter(|&j| inside(i, j)).count())
        .collect();
    let area =
        |b: [i32; 4]| (i64::from(b[2]) - i64::from(b[0])) * (i64::from(b[3]) - i64::from(b[1]));
    let mut polygons: Vec<(usize, Polygon)> = Vec::new();
    for i in (0..rings.len()).filter(|&i| depth[i].is_multiple_of(2)) {
        polygons.push((i, vec![rings[i].clone()]));
    }
    for i in (0..rings.len()).filter(|&i| depth[i] % 2 == 1) {
        let owner = polygons
            .iter_mut()
            .filter(|(o, _)| depth[*o] + 1 == depth[i] && inside(i, *o))
            .min_by_key(|(o, _)| area(boxes[*o]));
        if let Some((_, polygon)) = owner {
            polygon.push(rings[i].clone());
        }
    }
    polygons.into_iter().map(|(_, p)| p).collect()
}

/// Snaps a ring to the grid and drops repeated, back-tracking and collinear vertices.
fn simplify(ring: &[Point], grid: i32) -> Ring {
    let snap = |v: i32| (f64::from(v) / f64::from(grid)).round() as i32;
    let mut out: Ring = Vec::with_capacity(ring.len() / 2);
    for p in ring {
        let s = [snap(p[0]), snap(p[1])];
        if out.last() == Some(&s) {
            continue;
        }
        if out.len() >= 2 && out[out.len() - 2] == s {
            out.pop(); // A → B → A: a spike collapsed by snapping
            continue;
        }
        out.push(s);
    }
    while out.len() > 1 && out.first() == out.last() {
        out.pop();
    }
    // Collinear vertices add nothing to the drawing (snapped coordinates are small integers: exact).
    let mut i = 0;
    while out.len() >= 3 && i < out.len() {
        let n = out.len();
        let (a, b, c) = (out[(i + n - 1) % n], out[i], out[(i + 1) % n]);
        let cross = i64::from(b[0] - a[0]) * i64::from(c[1] - a[1])
            - i64::from(b[1] - a[1]) * i64::from(c[0] - a[0]);
        if cross == 0 {
            out.remove(i);
            i = i.saturating_sub(1);
        } else {
            i += 1;
        }
    }
    out
}

/// Writes a GeoJSON FeatureCollection of MultiPolygons, coordinates simplified for one zoom level.
struct FeatureWriter {
    out: String,
    first: bool,
    /// Grid size in micro-degrees: about one pixel at this zoom.
    grid: i32,
    decimals: usize,
}

impl FeatureWriter {
    fn new(zoom: u8) -> FeatureWriter {
        // One 256-pixel tile spans 360° at zoom 0.
        let pixel = 360.0 * crate::atlas::QUANTUM / (256.0 * f64::from(1u32 << zoom));
        let grid = pixel.max(1.0) as i32;
        let decimals =
            ((crate::atlas::QUANTUM / f64::from(grid)).log10().ceil() as usize).clamp(1, 6);
        FeatureWriter {
            out: String::from(r#"{"type":"FeatureCollection","features":["#),
            first: true,
            grid,
            decimals,
        }
    }

    fn feature<'a>(
        &mut self,
        properties: &[(&str, &str)],
        polygons: impl Iterator<Item = &'a [Ring]>,
    ) {
        let mut coords = String::new();
        let mut polygon_count = 0;
        for polygon in polygons {
            let rings: Vec<Ring> = polygon
                .iter()
                .map(|r| simplify(r, self.grid))
                .filter(|r| r.len() >= 3)
                .collect();
            // A polygon whose outer ring vanished at this zoom is too small to draw.
            if rings.is_empty() || simplify(&polygon[0], self.grid).len() < 3 {
                continue;
            }
            coords.push_str(if polygon_count == 0 { "[" } else { ",[" });
            polygon_count += 1;
            for (k, ring) in rings.iter().enumerate() {
                coords.push_str(if k == 0 { "[" } else { ",[" });
                for (j, p) in ring.iter().chain(ring.first()).enumerate() {
                    let scale = f64::from(self.grid) / crate::atlas::QUANTUM;
                    let (lon, lat) = (f64::from(p[0]) * scale, f64::from(p[1]) * scale);
                    let sep = if j == 0 { "" } else { "," };
                    let _ = write!(
                        coords,
                        "{sep}[{lon:.prec$},{lat:.prec$}]",
                        prec = self.decimals
                    );
                }
                coords.push(']');
            }
            coords.push(']');
        }
        if polygon_count == 0 {
            return;
        }
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        self.out.push_str(r#"{"type":"Feature","properties":{"#);
        for (i, (k, v)) in properties.iter().enumerate() {
            let sep = if i == 0 { "" } else { "," };
            let value = serde_json::Value::String((*v).to_owned());
            let _ = write!(self.out, r#"{sep}"{k}":{value}"#);
        }
        let _ = write!(
            self.out,
            r#"}},"geometry":{{"type":"MultiPolygon","coordinates":[{coords}]}}}}"#
        );
    }

    fn finish(mut self) -> String {
        self.out.push_str("]}");
        self.out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn features(json: &str) -> Vec<serde_json::Value> {
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        v["features"].as_array().unwrap().clone()
    }

    #[test]
    fn departement_outlines_are_whole_and_small_enough_to_draw() {
        let geo = crate::tests::france();
        for zoom in [5, 6, 7, 8] {
            let json = geo.departements_layer(zoom);
            assert!(json.len() < 1_000_000, "zoom {zoom}: {} bytes", json.len());
            let features = features(&json);
            assert_eq!(features.len(), 101, "zoom {zoom}");
        }
        // Closer views ask for their part: the Drôme keeps its hole (Enclave des papes, Vaucluse).
        let view = Bbox::parse("4.6,44.1,5.5,45.4").unwrap();
        let json = geo.departements_layer_in(view, 11).unwrap();
        assert!(json.len() < 1_000_000, "{} bytes", json.len());
        let nearby = features(&json);
        assert!(
            nearby.len() < 10,
            "{} départements in a small view",
            nearby.len()
        );
        let drome = nearby
            .iter()
            .find(|f| f["properties"]["code"] == "26")
            .unwrap();
        let polygons = drome["geometry"]["coordinates"].as_array().unwrap();
        assert!(
            polygons.iter().any(|p| p.as_array().unwrap().len() >= 2),
            "no hole in the Drôme"
        );
        // Mainland Finistère is one ring, plus its islands.
        let national = features(&geo.departements_layer(8));
        let finistere = national
            .iter()
            .find(|f| f["properties"]["code"] == "29")
            .unwrap();
        assert!(
            finistere["geometry"]["coordinates"]
                .as_array()
                .unwrap()
                .len()
                > 1
        );
    }

    #[test]
    fn commune_outlines_for_a_view() {
        let geo = crate::tests::france();
        let marseille = Bbox::parse("5.2,43.15,5.6,43.45").unwrap();
        for zoom in [10, 12, 14] {
            let json = geo.communes_layer(marseille, zoom).unwrap();
            assert!(json.len() < 1_000_000, "zoom {zoom}: {} bytes", json.len());
            let features = features(&json);
            let codes: Vec<&str> = features
                .iter()
                .map(|f| f["properties"]["code"].as_str().unwrap())
                .collect();
            assert!(
                codes.contains(&"13201") && codes.contains(&"13005"),
                "{codes:?}"
            );
        }
        assert_eq!(
            geo.communes_layer(marseille, 8),
            Err(LayerError::ZoomTooLow(8))
        );
        let france = Bbox::parse("-5,41,10,51").unwrap();
        assert_eq!(
            geo.communes_layer(france, 12),
            Err(LayerError::TooLarge(15.0))
        );
    }

    #[test]
    fn views_are_checked() {
        assert!(Bbox::parse("1,2,3").is_err());
        assert!(Bbox::parse("a,b,c,d").is_err());
        assert!(Bbox::parse("5,43,4,44").is_err());
        assert!(Bbox::parse("5,43,6,95").is_err());
        assert!(Bbox::parse("NaN,43,6,44").is_err());
        assert_eq!(
            Bbox::parse("5, 43, 6, 44").unwrap(),
            Bbox {
                west: 5.0,
                south: 43.0,
                east: 6.0,
                north: 44.0
            }
        );
    }

    #[test]
    fn snapping_keeps_shared_borders_shared() {
        let a = vec![[0, 0], [1000, 0], [1000, 1000], [0, 1000]];
        let b = vec![[1000, 0], [2000, 0], [2000, 1000], [1000, 1000]];
        let (sa, sb) = (simplify(&a, 300), simplify(&b, 300));
        assert!(sa.contains(&[3, 0]) && sa.contains(&[3, 3]));
        assert!(sb.contains(&[3, 0]) && sb.contains(&[3, 3]));
        assert_eq!(
            simplify(&[[0, 0], [1, 1], [2, 2], [0, 5]], 1),
            vec![[0, 0], [2, 2], [0, 5]]
        );
        assert!(
            simplify(&[[0, 0], [10, 0], [10, 10]], 100).len() < 3,
            "a tiny triangle vanishes"
        );
    }
}
