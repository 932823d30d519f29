//! Reverse geocoding: which commune (or arrondissement) contains a point, exactly, millions of times a second.
//!
//! Why hand-written rather than an R-tree plus point-in-polygon (rstar + geo): the benchmark target is ten
//! times what GEOS's STRtree does, and a uniform grid built for this one job gets there. Each territory
//! (metropolitan France, and each overseas département) has a grid of square cells:
//!
//! - a cell no border crosses belongs wholly to one commune, or to no commune (sea, abroad): the answer is
//!   one array read;
//! - a cell some border crosses keeps a reference point whose commune is known, and the border edges that
//!   touch the cell, grouped by commune. A point's commune follows from the parity of crossings between
//!   the segment point→reference and each commune's edges: both ends are in the convex cell, so every
//!   edge the segment can cross is in the cell's list.
//!
//! The answer is exact for the shipped polygons (even-odd rule), as GEOS's `intersects` is, except for
//! points lying exactly on a border, which belong to one of the two neighbours. Vertex degeneracies use a
//! half-open rule (a vertex on the segment's line counts on the positive side), so that parity stays
//! right when the segment passes through a vertex.
//!
//! This module knows units and polygons only; names, départements and the organisation map are added by
//! [`crate::Geography`].

use crate::atlas::{Atlas, Point};

/// log2 of the cell size in micro-degrees: 2^13 µ° ≈ 0.008° ≈ 900 m of latitude.
const DEFAULT_CELL_SHIFT: u32 = 13;
/// Edges are assigned to cells grown by this margin (µ°), so that rounding a query point into a cell can
/// never miss an edge that touches it.
const MARGIN: f64 = 1.0;
const MIXED: u32 = 1 << 31;
/// A cell value: 0 = no unit; `u + 1` = wholly inside unit `u`; `MIXED | i` = mixed cell `i`.
type Cell = u32;

#[derive(Debug, Clone, Copy)]
struct MixedCell {
    /// Reference point, in micro-degrees.
    rx: f64,
    ry: f64,
    /// Unit containing the reference point, plus one (0: none).
    ref_unit: u32,
    groups_start: u32,
    groups_end: u32,
}

#[derive(Debug, Clone, Copy)]
struct Group {
    /// Unit plus one.
    unit: u32,
    edges_start: u32,
    edges_end: u32,
}

/// An edge `[ax, ay, bx, by]` in micro-degrees.
type Edge = [i32; 4];

#[derive(Debug)]
struct Grid {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
    cell: f64,
    inv_cell: f64,
    cols: usize,
    rows: usize,
    cells: Vec<Cell>,
    mixed: Vec<MixedCell>,
    groups: Vec<Group>,
    edges: Vec<Edge>,
}

/// The reverse-geocoding index over every locatable unit of an [`Atlas`].
#[derive(Debug)]
pub struct LocateIndex {
    grids: Vec<Grid>,
}

/// Figures about an index, for the benchmark and the memory budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct IndexStats {
    pub grids: usize,
    pub cells: usize,
    pub mixed_cells: usize,
    pub edges: usize,
    pub bytes: usize,
}

impl LocateIndex {
    /// Builds the index: one grid for metropolitan France and one per overseas département.
    pub fn build(atlas: &Atlas) -> LocateIndex {
        LocateIndex::build_with_cell_shift(atlas, DEFAULT_CELL_SHIFT)
    }

    pub fn build_with_cell_shift(atlas: &Atlas, cell_shift: u32) -> LocateIndex {
        let mut territories: Vec<(String, Vec<usize>)> = Vec::new();
        for unit in atlas.locatable_units() {
            let dep = &atlas.departements[atlas.units[unit].departement];
            let key = if dep.is_overseas() {
                dep.code.clone()
            } else {
                "metropole".to_owned()
            };
            match territories.iter_mut().find(|(k, _)| *k == key) {
                Some((_, units)) => units.push(unit),
                None => territories.push((key, vec![unit])),
            }
        }
        let grids = territories
            .iter()
            .map(|(_, units)| Grid::build(atlas, units, f64::from(1u32 << cell_shift)))
            .collect();
        LocateIndex { grids }
    }

    /// The unit (an index into [`Atlas::units`]) containing the point, or `None` outside France.
    /// Coordinates are in degrees; validation (ranges, NaN) belongs to the caller.
    #[inline]
    pub fn locate(&self, lon: f64, lat: f64) -> Option<usize> {
        let (x, y) = (lon * crate::atlas::QUANTUM, lat * crate::atlas::QUANTUM);
        for grid in &self.grids {
            if x >= grid.x0 && x < grid.x1 && y >= grid.y0 && y < grid.y1 {
                return grid.locate(x, y).map(|u| u as usize);
            }
        }
        None
    }

    pub fn stats(&self) -> IndexStats {
        let mut s = IndexStats {
            grids: self.grids.len(),
            cells: 0,
            mixed_cells: 0,
            edges: 0,
            bytes: 0,
        };
        for g in &self.grids {
            s.cells += g.cells.len();
            s.mixed_cells += g.mixed.len();
            s.edges += g.edges.len();
            s.bytes += g.cells.len() * std::mem::size_of::<Cell>()
                + g.mixed.len() * std::mem::size_of::<MixedCell>()
                + g.groups.len() * std::mem::size_of::<Group>()
                + g.edges.len() * std::mem::size_of::<Edge>();
        }
        s
    }
}

impl Grid {
    fn build(atlas: &Atlas, units: &[usize], cell: f64) -> Grid {
        let (mut minx, mut miny, mut maxx, mut maxy) = (i32::MAX, i32::MAX, i32::MIN, i32::MIN);
        for &u in units {
            for ring in atlas.unit_rings(u) {
                for p in atlas.ring(ring) {
                    minx = minx.min(p[0]);
                    miny = miny.min(p[1]);
                    maxx = maxx.max(p[0]);
                    maxy = maxy.max(p[1]);
                }
            }
        }
        // One empty cell of padding all round: the left column starts every row outside any unit.
        let x0 = (f64::from(minx) / cell).floor() * cell - cell;
        let y0 = (f64::from(miny) / cell).floor() * cell - cell;
        let cols = ((f64::from(maxx) - x0) / cell).floor() as usize + 2;
        let rows = ((f64::from(maxy) - y0) / cell).floor() as usize + 2;
        let mut grid = Grid {
            x0,
            y0,
            x1: x0 + cols as f64 * cell,
            y1: y0 + rows as f64 * cell,
            cell,
            inv_cell: 1.0 / cell,
            cols,
            rows,
            cells: vec![0; cols * rows],
            mixed: Vec::new(),
            groups: Vec::new(),
            edges: Vec::new(),
        };

        // 1. Every edge goes to every cell it touches (cells grown by MARGIN), grouped by unit.
        let mut touching: Vec<(u32, u32, Edge)> = Vec::new();
        for &u in units {
            let unit = u as u32 + 1;
            for ring in atlas.unit_rings(u) {
                let pts = atlas.ring(ring);
                for (i, a) in pts.iter().enumerate() {
                    let b = &pts[(i + 1) % pts.len()];
                    let edge = [a[0], a[1], b[0], b[1]];
                    grid.for_each_cell_touching(a, b, |cell| touching.push((cell, unit, edge)));
                }
            }
        }
        touching.sort_unstable();
        touching.dedup();

        // 2. Mixed cells, with their groups of edges; reference points are placed now and located in 3.
        let mut at = 0;
        while at < touching.len() {
            let cell = touching[at].0;
            let groups_start = grid.groups.len() as u32;
            while at < touching.len() && touching[at].0 == cell {
                let unit = touching[at].1;
                let edges_start = grid.edges.len() as u32;
                while at < touching.len() && touching[at].0 == cell && touching[at].1 == unit {
                    grid.edges.push(touching[at].2);
                    at += 1;
                }
                grid.groups.push(Group {
                    unit,
                    edges_start,
                    edges_end: grid.edges.len() as u32,
                });
            }
            let (col, row) = (cell as usize % grid.cols, cell as usize / grid.cols);
            let (rx, ry) = grid.reference_point(col, row, groups_start);
            grid.cells[cell as usize] = MIXED | grid.mixed.len() as u32;
            grid.mixed.push(MixedCell {
                rx,
                ry,
                ref_unit: 0,
                groups_start,
                groups_end: grid.groups.len() as u32,
            });
        }

        // 3. Walk each row from the empty left column, carrying the answer from cell to cell: the segment
        // between two points of adjacent cells stays in those two cells, so their edges decide it.
        for row in 0..grid.rows {
            // (point, its unit + 1, mixed cell it lies in, if any)
            let mut prev: (f64, f64, u32, Option<usize>) =
                (grid.x0 + grid.cell / 2.0, 0.0, 0, None);
            prev.1 = grid.y0 + (row as f64 + 0.5) * grid.cell;
            for col in 0..grid.cols {
                let index = row * grid.cols + col;
                let value = grid.cells[index];
                if value & MIXED == 0 {
                    let (cx, cy) = grid.centre(col, row);
                    let unit = match prev.3 {
                        None => prev.2,
                        Some(m) => grid.parity_locate(cx, cy, prev.0, prev.1, prev.2, &[m]),
                    };
                    grid.cells[index] = unit;
                    prev = (cx, cy, unit, None);
                } else {
                    let m = (value & !MIXED) as usize;
                    let (rx, ry) = (grid.mixed[m].rx, grid.mixed[m].ry);
                    let from: Vec<usize> = match prev.3 {
                        None => vec![m],
                        Some(p) => vec![p, m],
                    };
                    let unit = grid.parity_locate(rx, ry, prev.0, prev.1, prev.2, &from);
                    grid.mixed[m].ref_unit = unit;
                    prev = (rx, ry, unit, Some(m));
                }
            }
        }
        grid
    }

    fn centre(&self, col: usize, row: usize) -> (f64, f64) {
        (
            self.x0 + (col as f64 + 0.5) * self.cell,
            self.y0 + (row as f64 + 0.5) * self.cell,
        )
    }

    /// A point near the cell's centre that lies on none of its edges (so its answer is unambiguous).
    fn reference_point(&self, col: usize, row: usize, groups_start: u32) -> (f64, f64) {
        let (cx, cy) = self.centre(col, row);
        let offsets = [
            (0.313_709, 0.271_307),
            (-0.141_421, 0.173_205),
            (0.223_606, -0.264_575),
        ];
        let candidates = offsets.iter().map(|(dx, dy)| (cx + dx, cy + dy));
        let mut last = (cx, cy);
        for (rx, ry) in candidates {
            last = (rx, ry);
            let on_an_edge = self.groups[groups_start as usize..].iter().any(|g| {
                self.edges[g.edges_start as usize..g.edges_end as usize]
                    .iter()
                    .any(|e| on_segment(rx, ry, e))
            });
            if !on_an_edge {
                break;
            }
        }
        last
    }

    /// Cells whose square, grown by MARGIN, the segment a–b touches (Liang–Barsky clipping).
    fn for_each_cell_touching(&self, a: &Point, b: &Point, mut f: impl FnMut(u32)) {
        let (ax, ay, bx, by) = (
            f64::from(a[0]),
            f64::from(a[1]),
            f64::from(b[0]),
            f64::from(b[1]),
        );
        let col_of =
            |x: f64| (((x - self.x0) * self.inv_cell).floor().max(0.0) as usize).min(self.cols - 1);
        let row_of =
            |y: f64| (((y - self.y0) * self.inv_cell).floor().max(0.0) as usize).min(self.rows - 1);
        let (c0, c1) = (col_of(ax.min(bx) - MARGIN), col_of(ax.max(bx) + MARGIN));
        let (r0, r1) = (row_of(ay.min(by) - MARGIN), row_of(ay.max(by) + MARGIN));
        for row in r0..=r1 {
            for col in c0..=c1 {
                let xmin = self.x0 + col as f64 * self.cell - MARGIN;
                let ymin = self.y0 + row as f64 * self.cell - MARGIN;
                let (xmax, ymax) = (
                    xmin + self.cell + 2.0 * MARGIN,
                    ymin + self.cell + 2.0 * MARGIN,
                );
                if segment_touches_box(ax, ay, bx, by, xmin, ymin, xmax, ymax) {
                    f((row * self.cols + col) as u32);
                }
            }
        }
    }

    #[inline]
    fn locate(&self, x: f64, y: f64) -> Option<u32> {
        let col = (((x - self.x0) * self.inv_cell) as usize).min(self.cols - 1);
        let row = (((y - self.y0) * self.inv_cell) as usize).min(self.rows - 1);
        let value = self.cells[row * self.cols + col];
        let unit = if value & MIXED == 0 {
            value
        } else {
            let m = &self.mixed[(value & !MIXED) as usize];
            self.parity_locate_in(x, y, m)
        };
        unit.checked_sub(1)
    }

    /// Locates (x, y) in mixed cell `m` from its reference point.
    #[inline]
    fn parity_locate_in(&self, x: f64, y: f64, m: &MixedCell) -> u32 {
        let (px, py) = (x - m.rx, y - m.ry);
        let mut entered = 0;
        let mut left_reference = false;
        for g in &self.groups[m.groups_start as usize..m.groups_end as usize] {
            let edges = &self.edges[g.edges_start as usize..g.edges_end as usize];
            let mut odd = false;
            for e in edges {
                odd ^= crosses(px, py, m.rx, m.ry, e);
            }
            if odd {
                if g.unit == m.ref_unit {
                    left_reference = true;
                } else {
                    entered = g.unit;
                }
            }
        }
        if entered != 0 {
            entered
        } else if left_reference {
            0
        } else {
            m.ref_unit
        }
    }

    /// Build-time variant: locates (x, y) from a point (rx, ry) of known unit, with the edges of the
    /// given mixed cells (deduplicated, since neighbouring cells share edges).
    fn parity_locate(
        &self,
        x: f64,
        y: f64,
        rx: f64,
        ry: f64,
        ref_unit: u32,
        cells: &[usize],
    ) -> u32 {
        let mut edges: Vec<(u32, Edge)> = Vec::new();
        for &m in cells {
            let cell = &self.mixed[m];
            for g in &self.groups[cell.groups_start as usize..cell.groups_end as usize] {
                for e in &self.edges[g.edges_start as usize..g.edges_end as usize] {
                    edges.push((g.unit, *e));
                }
            }
        }
        edges.sort_unstable();
        edges.dedup();
        let (px, py) = (x - rx, y - ry);
        let mut odd_units: Vec<u32> = Vec::new();
        let mut i = 0;
        while i < edges.len() {
            let unit = edges[i].0;
            let mut odd = false;
            while i < edges.len() && edges[i].0 == unit {
                odd ^= crosses(px, py, rx, ry, &edges[i].1);
                i += 1;
            }
            if odd {
                odd_units.push(unit);
            }
        }
        match odd_units.iter().find(|&&u| u != ref_unit) {
            Some(&u) => u,
            None if odd_units.contains(&ref_unit) => 0,
            None => ref_unit,
        }
    }
}

/// Does the segment from the reference point r (the origin; (px, py) is p − r) to p cross edge e?
/// Half-open on the segment's line, so that a vertex lying on it is counted once across its two edges.
#[inline(always)]
fn crosses(px: f64, py: f64, rx: f64, ry: f64, e: &Edge) -> bool {
    let (ax, ay) = (f64::from(e[0]) - rx, f64::from(e[1]) - ry);
    let (bx, by) = (f64::from(e[2]) - rx, f64::from(e[3]) - ry);
    let side_a = px * ay - py * ax >= 0.0;
    let side_b = px * by - py * bx >= 0.0;
    if side_a == side_b {
        return false;
    }
    let (ex, ey) = (bx - ax, by - ay);
    // r is the origin: cross(b − a, r − a) and cross(b − a, p − a).
    let r_side = ex * (-ay) - ey * (-ax) > 0.0;
    let p_side = ex * (py - ay) - ey * (px - ax) > 0.0;
    r_side != p_side
}

fn on_segment(x: f64, y: f64, e: &Edge) -> bool {
    let (ax, ay, bx, by) = (
        f64::from(e[0]),
        f64::from(e[1]),
        f64::from(e[2]),
        f64::from(e[3]),
    );
    let cross = (bx - ax) * (y - ay) - (by - ay) * (x - ax);
    cross == 0.0 && x >= ax.min(bx) && x <= ax.max(bx) && y >= ay.min(by) && y <= ay.max(by)
}

#[allow(clippy::too_many_arguments)]
fn segment_touches_box(
    ax: f64,
    ay: f64,
    bx: f64,
    by: f64,
    xmin: f64,
    ymin: f64,
    xmax: f64,
    ymax: f64,
) -> bool {
    let (dx, dy) = (bx - ax, by - ay);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-dx, ax - xmin),
        (dx, xmax - ax),
        (-dy, ay - ymin),
        (dy, ymax - ay),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return false;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
            if t0 > t1 {
                return false;
            }
        }
    }
    true
}

/// Even-odd point-in-polygon over all rings of a unit, the slow textbook way: the oracle the grid is
/// tested against.
pub fn unit_contains(atlas: &Atlas, unit: usize, lon: f64, lat: f64) -> bool {
    let (x, y) = (lon * crate::atlas::QUANTUM, lat * crate::atlas::QUANTUM);
    atlas.unit_rings(unit).fold(false, |inside, ring| {
        inside ^ crate::atlas::ring_contains(atlas.ring(ring), x, y)
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::atlas::{Atlas, Unit, UnitKind};
    use rand::{Rng, SeedableRng};

    fn square_atlas() -> Atlas {
        // Two unit squares side by side (A: x 0..10, B: x 10..20) and C, an enclave hole in A.
        let unit = |code: &str, polygons: std::ops::Range<u32>| Unit {
            code: code.into(),
            name: code.into(),
            article: crate::atlas::tests_support::article(),
            kind: UnitKind::Commune,
            departement: 0,
            parent: None,
            population: 0,
            postcodes: vec![],
            polygons,
        };
        let m = 1_000_000;
        Atlas {
            attribution: String::new(),
            source: String::new(),
            regions: vec![],
            departements: vec![crate::atlas::tests_support::departement("01")],
            units: vec![unit("A", 0..1), unit("B", 1..2), unit("C", 2..3)],
            polygons: vec![0..2, 2..3, 3..4],
            rings: vec![0..4, 4..8, 8..12, 12..16],
            points: vec![
                [0, 0],
                [10 * m, 0],
                [10 * m, 10 * m],
                [0, 10 * m],
                // hole in A
                [2 * m, 2 * m],
                [2 * m, 4 * m],
                [4 * m, 4 * m],
                [4 * m, 2 * m],
                [10 * m, 0],
                [20 * m, 0],
                [20 * m, 10 * m],
                [10 * m, 10 * m],
                // C fills the hole
                [2 * m, 2 * m],
                [4 * m, 2 * m],
                [4 * m, 4 * m],
                [2 * m, 4 * m],
            ],
        }
    }

    #[test]
    fn squares_holes_and_enclaves() {
        let atlas = square_atlas();
        for shift in [16, 19, 22] {
            let index = LocateIndex::build_with_cell_shift(&atlas, shift);
            let check = |lon: f64, lat: f64, expected: Option<usize>| {
                assert_eq!(
                    index.locate(lon, lat),
                    expected,
                    "({lon}, {lat}) with cell shift {shift}"
                );
            };
            check(5.0, 5.0, Some(0));
            check(15.0, 5.0, Some(1));
            check(3.0, 3.0, Some(2));
            check(1.0, 3.0, Some(0));
            check(-1.0, 5.0, None);
            check(25.0, 5.0, None);
            check(5.0, 10.5, None);
            check(19.999, 9.999, Some(1));
        }
    }

    #[test]
    fn the_grid_agrees_with_textbook_point_in_polygon_on_real_communes() {
        let atlas = Atlas::france().unwrap();
        let index = LocateIndex::build(&atlas);
        // The oracle only needs the units whose bounding box holds the point.
        let bbox = |u: usize| {
            let pts: Vec<_> = atlas
                .unit_rings(u)
                .flat_map(|r| atlas.ring(r).iter().copied())
                .collect();
            let lon = |p: &[i32; 2]| f64::from(p[0]) / 1e6;
            let lat = |p: &[i32; 2]| f64::from(p[1]) / 1e6;
            let min_lon = pts.iter().map(lon).fold(f64::MAX, f64::min);
            let max_lon = pts.iter().map(lon).fold(f64::MIN, f64::max);
            let min_lat = pts.iter().map(lat).fold(f64::MAX, f64::min);
            let max_lat = pts.iter().map(lat).fold(f64::MIN, f64::max);
            (u, min_lon, max_lon, min_lat, max_lat)
        };
        let units: Vec<_> = atlas.locatable_units().into_iter().map(bbox).collect();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        // Points near the Marseille/Aubagne/Allauch borders and in the Réunion grid.
        for (lon0, lat0, span) in [(5.45, 43.3, 0.2), (55.5, -21.1, 0.4), (2.35, 48.86, 0.05)] {
            for _ in 0..3_000 {
                let lon = lon0 + rng.gen_range(-span..span);
                let lat = lat0 + rng.gen_range(-span..span);
                let found = index.locate(lon, lat);
                let truth: Vec<usize> = units
                    .iter()
                    .filter(|b| lon >= b.1 && lon <= b.2 && lat >= b.3 && lat <= b.4)
                    .map(|b| b.0)
                    .filter(|&u| unit_contains(&atlas, u, lon, lat))
                    .collect();
                match found {
                    Some(u) => assert_eq!(truth, vec![u], "({lon}, {lat})"),
                    None => assert!(truth.is_empty(), "({lon}, {lat}) missed {truth:?}"),
                }
            }
        }
    }

    #[test]
    fn known_places() {
        let atlas = Atlas::france().unwrap();
        let index = LocateIndex::build(&atlas);
        let code = |lon: f64, lat: f64| index.locate(lon, lat).map(|u| atlas.units[u].code.clone());
        assert_eq!(
            code(2.2945, 48.8584).as_deref(),
            Some("75107"),
            "Tour Eiffel, Paris 7e"
        );
        assert_eq!(
            code(5.3845, 43.2990).as_deref(),
            Some("13201"),
            "Les Réformés, Marseille 1er"
        );
        assert_eq!(code(4.8357, 45.7640).as_deref(), Some("69382"), "Lyon 2e");
        assert_eq!(code(9.4509, 42.7026).as_deref(), Some("2B033"), "Bastia");
        assert_eq!(
            code(-61.5331, 16.2412).as_deref(),
            Some("97120"),
            "Pointe-à-Pitre"
        );
        assert_eq!(
            code(55.4504, -20.8823).as_deref(),
            Some("97411"),
            "Saint-Denis de La Réunion"
        );
        assert_eq!(
            code(45.2279, -12.7806).as_deref(),
            Some("97611"),
            "Mamoudzou"
        );
        assert_eq!(code(-52.3260, 4.9224).as_deref(), Some("97302"), "Cayenne");
        assert_eq!(code(-3.5, 47.0), None, "Atlantic, off Belle-Île");
        assert_eq!(code(7.0, 43.0), None, "Mediterranean");
        assert_eq!(code(4.35, 50.85), None, "Brussels");
        assert_eq!(
            code(48.0, 3.0),
            None,
            "Gulf of Guinea... well, Somalia: a swapped Paris"
        );
    }
}
