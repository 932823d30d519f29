//! Possible duplicates, shown to analysts only: the known dealing points near a new report
//! (`PointIndex::candidates`), and the pairs of reports that are close to each other
//! (`nearby_reports`), each with how alike their words are (`similarity`).
//!
//! Nothing here merges, attaches or decides: an analyst reads the candidates and chooses. The
//! reporter is never told that others reported the same place (it would tell a trafficker testing
//! the form what is already known).
//!
//! Both searches use an R-tree (`rstar`) over longitude and latitude in degrees: a query takes a
//! bounding box that is guaranteed to contain the whole circle (wider in longitude towards the
//! poles, split in two across the antimeridian, which Wallis-et-Futuna is close to), then keeps
//! what the exact haversine distance puts within the radius. This is exact at any latitude, from
//! Dunkirk to the Kerguelen, with no projection.

use crate::model::{Pin, EARTH_RADIUS_M};
use rstar::primitives::GeomWithData;
use rstar::{RTree, AABB};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use vigie_core::text::fold;

/// Default radius of the search for points near a report, in metres.
pub const CANDIDATE_RADIUS_M: f64 = 150.0;

/// Weight of proximity in a candidate's score (the words weigh the rest).
const DISTANCE_WEIGHT: f64 = 0.7;
const SIMILARITY_WEIGHT: f64 = 0.3;

/// Short French words that say nothing of a place (folded, three letters or more: shorter words
/// are dropped anyway).
const STOP_WORDS: &[&str] = &[
    "aux", "avec", "avait", "avoir", "ces", "cet", "cette", "chez", "comme", "dans", "des", "deja",
    "elle", "elles", "entre", "est", "ete", "etre", "fait", "font", "ils", "leur", "leurs", "les",
    "lui", "mais", "meme", "nos", "notre", "nous", "ont", "par", "pas", "plus", "pour", "que",
    "qui", "quand", "sans", "ses", "son", "sont", "sous", "sur", "tous", "tout", "toute", "toutes",
    "tres", "une", "vers", "vos", "votre", "vous",
];

/// The distinct meaningful words of an already folded text, sorted.
fn word_slices(folded: &str) -> Vec<&str> {
    let mut words: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| word.chars().count() >= 3 && !STOP_WORDS.contains(word))
        .collect();
    words.sort_unstable();
    words.dedup();
    words
}

/// The distinct meaningful words of `text`, folded and sorted.
fn words(text: &str) -> Vec<String> {
    word_slices(&fold(text))
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// Jaccard index of two sorted, deduplicated word lists; 0.0 when both are empty.
fn jaccard<A: AsRef<str>, B: AsRef<str>>(a: &[A], b: &[B]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0_usize);
    while i < a.len() && j < b.len() {
        match a[i].as_ref().cmp(b[j].as_ref()) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - common;
    common as f64 / union as f64
}

/// How alike two texts are, from 0.0 to 1.0: the Jaccard index of their sets of words (folded
/// with `vigie_core::text::fold`, split on anything not a letter or digit, three letters or more,
/// common French words left out). 0.0 when neither has such a word.
pub fn similarity(a: &str, b: &str) -> f64 {
    jaccard(&words(a), &words(b))
}

/// A known dealing point, as the search sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PointSite {
    pub id: Uuid,
    pub pin: Pin,
    /// Its label and description, for the word similarity.
    pub text: String,
}

/// A point near a report.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub id: Uuid,
    pub distance_m: f64,
    /// `similarity` of the report's text and the point's.
    pub similarity: f64,
    /// `(1 - distance / radius) * 0.7 + similarity * 0.3`, from 0.0 to 1.0.
    pub score: f64,
}

type Entry = GeomWithData<[f64; 2], usize>;

/// The bounding boxes (longitude, latitude in degrees) that together contain every point within
/// `radius_m` of `pin`: one box, or two across the antimeridian.
fn search_boxes(pin: Pin, radius_m: f64) -> (AABB<[f64; 2]>, Option<AABB<[f64; 2]>>) {
    const MARGIN: f64 = 1.0 + 1e-9;
    const SLACK_DEG: f64 = 1e-9;
    let angle = radius_m / EARTH_RADIUS_M;
    // The great-circle distance is at least the difference of latitudes.
    let dlat = angle.to_degrees() * MARGIN + SLACK_DEG;
    let (lat_lo, lat_hi) = (pin.lat - dlat, pin.lat + dlat);
    let full =
        |lat_lo: f64, lat_hi: f64| (AABB::from_corners([-180.0, lat_lo], [180.0, lat_hi]), None);
    if lat_lo <= -90.0 || lat_hi >= 90.0 {
        return full(lat_lo.max(-90.0), lat_hi.min(90.0));
    }
    // hav(d) >= cos(lat1) cos(lat2) hav(dlon) >= cos²(highest |lat| of the box) hav(dlon), so
    // d <= radius implies sin(dlon / 2) <= sin(radius / 2) / cos(highest |lat|).
    let cos_max = lat_lo.abs().max(lat_hi.abs()).to_radians().cos();
    let sine = (angle / 2.0).sin() / cos_max;
    if sine.is_nan() || sine >= 1.0 {
        return full(lat_lo, lat_hi);
    }
    let dlon = (2.0 * sine.asin()).to_degrees() * MARGIN + SLACK_DEG;
    if dlon >= 180.0 {
        return full(lat_lo, lat_hi);
    }
    let (lon_lo, lon_hi) = (pin.lon - dlon, pin.lon + dlon);
    if lon_lo < -180.0 {
        (
            AABB::from_corners([lon_lo + 360.0, lat_lo], [180.0, lat_hi]),
            Some(AABB::from_corners([-180.0, lat_lo], [lon_hi, lat_hi])),
        )
    } else if lon_hi > 180.0 {
        (
            AABB::from_corners([lon_lo, lat_lo], [180.0, lat_hi]),
            Some(AABB::from_corners(
                [-180.0, lat_lo],
                [lon_hi - 360.0, lat_hi],
            )),
        )
    } else {
        (AABB::from_corners([lon_lo, lat_lo], [lon_hi, lat_hi]), None)
    }
}

/// Appends to `out` every entry of `tree` within `radius_m` of `pin`, with its distance.
fn within(tree: &RTree<Entry>, pins: &[Pin], pin: Pin, radius_m: f64, out: &mut Vec<(usize, f64)>) {
    let (first, second) = search_boxes(pin, radius_m);
    for envelope in std::iter::once(first).chain(second) {
        for entry in tree.locate_in_envelope(&envelope) {
            let distance = pin.distance_m(&pins[entry.data]);
            if distance <= radius_m {
                out.push((entry.data, distance));
            }
        }
    }
}

fn tree_of(pins: &[Pin]) -> RTree<Entry> {
    RTree::bulk_load(
        pins.iter()
            .enumerate()
            .filter(|(_, pin)| pin.is_valid())
            .map(|(index, pin)| GeomWithData::new([pin.lon, pin.lat], index))
            .collect(),
    )
}

/// Known points, indexed for `candidates`. Built once per département or per process and
/// reused for every report.
pub struct PointIndex {
    ids: Vec<Uuid>,
    pins: Vec<Pin>,
    words: Vec<Vec<String>>,
    tree: RTree<Entry>,
}

impl PointIndex {
    /// Indexes `sites`; a site whose pin is invalid (not finite, out of range) is left out.
    pub fn new(sites: Vec<PointSite>) -> PointIndex {
        let pins: Vec<Pin> = sites.iter().map(|site| site.pin).collect();
        let tree = tree_of(&pins);
        let words = sites.iter().map(|site| words(&site.text)).collect();
        let ids = sites.into_iter().map(|site| site.id).collect();
        PointIndex {
            ids,
            pins,
            words,
            tree,
        }
    }

    /// How many points are indexed (invalid pins excluded).
    pub fn len(&self) -> usize {
        self.tree.size()
    }

    /// Whether no point is indexed.
    pub fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }

    /// The points within `radius_m` of `pin` (inclusive), best score first, then by id. Empty if
    /// the pin is invalid or the radius is not a positive finite number.
    pub fn candidates(&self, pin: Pin, text: &str, radius_m: f64) -> Vec<Candidate> {
        if !(pin.is_valid() && radius_m.is_finite() && radius_m > 0.0) {
            return Vec::new();
        }
        let mut found = Vec::new();
        within(&self.tree, &self.pins, pin, radius_m, &mut found);
        if found.is_empty() {
            return Vec::new();
        }
        let folded = fold(text);
        let query = word_slices(&folded);
        let mut candidates: Vec<Candidate> = found
            .into_iter()
            .map(|(index, distance_m)| {
                let similarity = jaccard(&query, &self.words[index]);
                Candidate {
                    id: self.ids[index],
                    distance_m,
                    similarity,
                    score: (1.0 - distance_m / radius_m) * DISTANCE_WEIGHT
                        + similarity * SIMILARITY_WEIGHT,
                }
            })
            .collect();
        candidates.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        candidates
    }
}

/// The pairs of reports within `radius_m` of each other (inclusive) whose texts have a
/// `similarity` of at least `min_similarity` (0.0 keeps every close pair), as
/// `(first, second, distance in metres)`. Each pair appears once, the report that comes first in
/// `reports` first; pairs are in the order of `reports` (by first, then by second). Reports with
/// an invalid pin are left out.
pub fn nearby_reports(
    reports: &[(Uuid, Pin, &str)],
    radius_m: f64,
    min_similarity: f64,
) -> Vec<(Uuid, Uuid, f64)> {
    if !(radius_m.is_finite() && radius_m >= 0.0) {
        return Vec::new();
    }
    let pins: Vec<Pin> = reports.iter().map(|(_, pin, _)| *pin).collect();
    let tree = tree_of(&pins);
    let mut pairs: Vec<(usize, usize, f64)> = Vec::new();
    let mut found = Vec::new();
    for (first, pin) in pins.iter().enumerate() {
        if !pin.is_valid() {
            continue;
        }
        found.clear();
        within(&tree, &pins, *pin, radius_m, &mut found);
        found.retain(|(second, _)| *second > first);
        found.sort_unstable_by_key(|(second, _)| *second);
        pairs.extend(
            found
                .iter()
                .map(|(second, distance)| (first, *second, *distance)),
        );
    }
    if min_similarity > 0.0 {
        // Words only of the reports that have a close neighbour, each computed once.
        let mut words_of: Vec<Option<Vec<String>>> = vec![None; reports.len()];
        pairs.retain(|(first, second, _)| {
            for index in [*first, *second] {
                if words_of[index].is_none() {
                    words_of[index] = Some(words(reports[index].2));
                }
            }
            match (&words_of[*first], &words_of[*second]) {
                (Some(a), Some(b)) => jaccard(a, b) >= min_similarity,
                _ => false,
            }
        });
    }
    pairs
        .into_iter()
        .map(|(first, second, distance)| (reports[first].0, reports[second].0, distance))
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[track_caller]
    fn check_similarity(a: &str, b: &str, expected: f64) {
        let got = similarity(a, b);
        assert!((got - expected).abs() < 1e-12, "{a:?} / {b:?}: {got}");
        assert!((similarity(b, a) - got).abs() < 1e-12, "symmetric");
    }

    #[test]
    fn similarity_table() {
        check_similarity("", "", 0.0);
        check_similarity("les des une", "sur pour avec", 0.0);
        check_similarity("Hall du bâtiment B", "hall du batiment b", 1.0);
        check_similarity("Vente devant le hall", "vente hall", 2.0 / 3.0);
        check_similarity("Guetteurs au rond-point", "", 0.0);
        check_similarity("Guetteurs au rond-point", "Livraison en scooter", 0.0);
        // Words under three letters and stop words are ignored, repeats count once.
        check_similarity(
            "Il y a des guetteurs, des guetteurs partout !",
            "guetteurs partout",
            1.0,
        );
        check_similarity("Œuvre ÉTÉ", "oeuvre", 1.0);
    }

    /// A deterministic pseudo-random generator (Knuth's MMIX LCG) for the tests.
    struct Lcg(u64);

    impl Lcg {
        fn next_f64(&mut self) -> f64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 11) as f64 / (1_u64 << 53) as f64
        }

        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[((self.next_f64() * items.len() as f64) as usize).min(items.len() - 1)]
        }
    }

    const WORDS: &[&str] = &[
        "hall",
        "parking",
        "tour",
        "vente",
        "guetteurs",
        "scooter",
        "cave",
        "escalier",
        "nuit",
        "city",
        "stade",
        "boulangerie",
        "ecole",
    ];

    /// Pins scattered within about a kilometre around `centre`.
    fn scatter(
        rng: &mut Lcg,
        centre: Pin,
        count: usize,
        spread_deg: f64,
    ) -> Vec<(Uuid, Pin, String)> {
        (0..count)
            .map(|i| {
                let pin = Pin {
                    lat: (centre.lat + (rng.next_f64() - 0.5) * spread_deg).clamp(-90.0, 90.0),
                    lon: {
                        let lon = centre.lon + (rng.next_f64() - 0.5) * spread_deg;
                        if lon > 180.0 {
                            lon - 360.0
                        } else if lon < -180.0 {
                            lon + 360.0
                        } else {
                            lon
                        }
                    },
                };
                let text = format!(
                    "{} {} {}",
                    rng.pick(WORDS),
                    rng.pick(WORDS),
                    rng.pick(WORDS)
                );
                (Uuid::from_u128(i as u128 + 1), pin, text)
            })
            .collect()
    }

    /// Places where the geometry is awkward: mainland France, the far north of it, Réunion, Saint-
    /// Pierre-et-Miquelon, Wallis-et-Futuna (near the antimeridian), the Kerguelen, near a pole.
    const CENTRES: &[Pin] = &[
        Pin {
            lat: 43.30,
            lon: 5.40,
        },
        Pin {
            lat: 51.03,
            lon: 2.37,
        },
        Pin {
            lat: -21.11,
            lon: 55.53,
        },
        Pin {
            lat: 46.78,
            lon: -56.18,
        },
        Pin {
            lat: -13.28,
            lon: -179.999,
        },
        Pin {
            lat: -13.28,
            lon: 179.999,
        },
        Pin {
            lat: -49.35,
            lon: 70.22,
        },
        Pin {
            lat: 89.999,
            lon: 10.0,
        },
    ];

    #[test]
    fn candidates_match_brute_force() {
        let mut rng = Lcg(42);
        for centre in CENTRES {
            let sites: Vec<PointSite> = scatter(&mut rng, *centre, 300, 0.02)
                .into_iter()
                .map(|(id, pin, text)| PointSite { id, pin, text })
                .collect();
            let index = PointIndex::new(sites.clone());
            assert_eq!(index.len(), sites.len());
            for (_, pin, text) in scatter(&mut rng, *centre, 40, 0.02) {
                for radius in [CANDIDATE_RADIUS_M, 600.0] {
                    let got = index.candidates(pin, &text, radius);
                    let mut expected: Vec<(Uuid, f64)> = sites
                        .iter()
                        .filter_map(|site| {
                            let d = pin.distance_m(&site.pin);
                            (d <= radius).then_some((site.id, d))
                        })
                        .collect();
                    expected.sort_by_key(|(id, _)| *id);
                    let mut ids: Vec<(Uuid, f64)> =
                        got.iter().map(|c| (c.id, c.distance_m)).collect();
                    ids.sort_by_key(|(id, _)| *id);
                    assert_eq!(ids, expected, "around {centre:?}, radius {radius}");
                    for pair in got.windows(2) {
                        assert!(
                            pair[0].score > pair[1].score
                                || (pair[0].score == pair[1].score && pair[0].id < pair[1].id)
                        );
                    }
                    for candidate in &got {
                        let site = sites.iter().find(|s| s.id == candidate.id).unwrap();
                        let similarity = similarity(&text, &site.text);
                        assert!((candidate.similarity - similarity).abs() < 1e-12);
                        let score = (1.0 - candidate.distance_m / radius) * 0.7 + similarity * 0.3;
                        assert!((candidate.score - score).abs() < 1e-12);
                        assert!((0.0..=1.0).contains(&candidate.score));
                    }
                }
            }
        }
    }

    #[test]
    fn nearby_reports_match_brute_force() {
        let mut rng = Lcg(7);
        for centre in CENTRES {
            let owned = scatter(&mut rng, *centre, 300, 0.01);
            let reports: Vec<(Uuid, Pin, &str)> = owned
                .iter()
                .map(|(id, pin, text)| (*id, *pin, text.as_str()))
                .collect();
            for (radius, min_similarity) in [(150.0, 0.0), (300.0, 0.2), (300.0, 1.0)] {
                let got = nearby_reports(&reports, radius, min_similarity);
                let mut expected = Vec::new();
                for (i, a) in reports.iter().enumerate() {
                    for b in &reports[i + 1..] {
                        let d = a.1.distance_m(&b.1);
                        if d <= radius && similarity(a.2, b.2) >= min_similarity {
                            expected.push((a.0, b.0, d));
                        }
                    }
                }
                assert_eq!(
                    got, expected,
                    "around {centre:?}, {radius} m, {min_similarity}"
                );
                if min_similarity == 0.0 {
                    assert!(
                        !got.is_empty(),
                        "the test should find pairs around {centre:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn scoring_and_order() {
        let here = Pin {
            lat: 48.85,
            lon: 2.35,
        };
        let north = |m: f64| Pin {
            lat: here.lat + m / EARTH_RADIUS_M.to_radians(),
            lon: here.lon,
        };
        let index = PointIndex::new(vec![
            PointSite {
                id: Uuid::from_u128(3),
                pin: north(100.0),
                text: "Hall de la tour Pasteur".into(),
            },
            PointSite {
                id: Uuid::from_u128(2),
                pin: north(0.0),
                text: "Parking Leclerc".into(),
            },
            PointSite {
                id: Uuid::from_u128(1),
                pin: north(0.0),
                text: "Parking Leclerc".into(),
            },
            PointSite {
                id: Uuid::from_u128(4),
                pin: north(200.0),
                text: "Hall de la tour Pasteur".into(),
            },
            PointSite {
                id: Uuid::from_u128(5),
                pin: Pin {
                    lat: f64::NAN,
                    lon: 0.0,
                },
                text: String::new(),
            },
        ]);
        assert_eq!(index.len(), 4);
        let got = index.candidates(
            here,
            "vente dans le hall de la tour pasteur",
            CANDIDATE_RADIUS_M,
        );
        let ids: Vec<u128> = got.iter().map(|c| c.id.as_u128()).collect();
        assert_eq!(ids, [1, 2, 3]);
        assert!((got[0].score - 0.7).abs() < 1e-9);
        assert!((got[2].similarity - 3.0 / 4.0).abs() < 1e-12, "{got:?}");
        assert!(index.candidates(here, "", 0.0).is_empty());
        assert!(index.candidates(here, "", f64::NAN).is_empty());
        assert!(index
            .candidates(
                Pin {
                    lat: 91.0,
                    lon: 0.0
                },
                "",
                150.0
            )
            .is_empty());
        assert!(PointIndex::new(Vec::new()).is_empty());
    }
}
