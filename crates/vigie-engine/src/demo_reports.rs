//! The reports part of the demo (`vigie serve --demo`): dealing points in every demo département,
//! placed at real coordinates inside real communes and taken through their lifecycle, and
//! residents' and partners' reports triaged against them, so that the queue, the map and a point's
//! page have something to show from the first minute.
//!
//! Everything goes through the engine's own paths, acting as the demo accounts (analyste.cross13
//! in the Bouches-du-Rhône, analyste.ofast elsewhere, partenaire.bailleur for the partner's
//! reports), so it is checked by the policy and journaled like the rest: `create_point`,
//! `update_point` with motivations, `submit_partner_report`, `submit_public_report` with its proof
//! of work solved here, `change_report_status` and `send_report_message`. Two things cannot be
//! done at the system clock's "now" and have a seed-only path each:
//! - a resident's report is hidden from the queue until its hour is over, so most residents'
//!   reports are written received hours to weeks ago (`submit_public_report_received_at`, the same
//!   record, area, receipt and journal entry as the public form);
//! - resurgence counts reports received after a point's dismantling, so one point of the 13 is
//!   dismantled, then its dates are moved a month back (`backdate_point_for_demo`), and two
//!   residents' reports on different days since then lie near it: the CROSS's map flags it.
//!
//! Then the national map (`seed_national_demo_points`, run by `vigie serve --demo` only, so that
//! tests of the detailed scenario stay small): points in every département, metropolitan and
//! overseas, 4,000 in all with the detailed ones, about the national count. Each département
//! gets a floor of five and a share by population; inside it, its sixty most populous communes
//! share its points as their population to the power 1.3, so they gather in the towns. Each
//! point gets a final status (active the most, then confirmed, reported, dismantled, closed,
//! resurgent, under watch) and the moves that lead there dated over the past two years, an
//! operation for each dismantling (arrests, seizures, harassment) and harassment at some live
//! points, prices seen (resin, grass, cocaine, crack around Paris, Marseille and overseas,
//! heroin in the north and east, MDMA, ketamine), hours, and for some dismantled points a
//! displacement to the nearest live point. At that size, thousands of `create_point` and
//! `update_point` calls would take minutes; the points are built whole and written in
//! transactions of 500, one journal entry per point ("données de démonstration"), as the
//! manager of the département (analyste.cross13 in the 13, analyste.ofast elsewhere), after the
//! same policy check as `create_point`. About 150 residents' reports go through the seed-only
//! lane as above, a few at a time: one attached to a live point for every forty points, one left
//! to triage in the larger départements, and in six départements two or three on different days
//! near a point dismantled weeks ago, so the CROSS's map of each flags a resurgence.
//!
//! The texts come from `vigie_synth::reports`; counts and places are deterministic for a seed
//! (ids and receipt codes are random, as in real use). Nothing here runs outside demo mode.

use crate::auth::Actor;
use crate::error::{EngineError, EngineResult};
use crate::points::{point_marks, point_record, NewPoint, PointChange};
use crate::reports::Proof;
use crate::{clock, Engine, RequestContext};
use uuid::Uuid;
use vigie_core::journal::{JournalAction, Outcome};
use vigie_core::policy::{decide, Action};
use vigie_geo::Geography;
use vigie_reports::pow::{self, Challenge};
use vigie_reports::{
    DealingPoint, OperationKind, Pin, PointOperation, PointStatus, PriceSeen, ReportStatus,
    TimeSlot, Weekday,
};
use vigie_store::{Mutation, WriteBatch};
use vigie_synth::reports::{point_label, reports, SynthReport};

const HOUR: i64 = 3_600_000_000;
const DAY: i64 = 24 * HOUR;
/// Dealing points per demo département.
pub const DEMO_POINTS_PER_DEPARTEMENT: usize = 12;
/// How far back the resurgence demo's point was dismantled.
const RESURGENCE_DISMANTLED_DAYS: i64 = 30;

/// What the demo seeded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DemoReports {
    pub points: usize,
    pub reports: usize,
}

/// A place for a dealing point: a pin inside a commune (or a municipal arrondissement).
#[derive(Clone, Debug, PartialEq)]
pub struct DemoSite {
    pub pin: Pin,
    /// The INSEE code of the commune or arrondissement the pin lies in.
    pub unit: String,
}

/// SplitMix64: a few well-mixed bits from a counter, for deterministic offsets.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// A number in [0, 1) from `key`.
fn unit_interval(key: u64) -> f64 {
    (mix(key) >> 11) as f64 / (1u64 << 53) as f64
}

/// `pin` moved `metres` in the direction `bearing` (radians from north), on a local flat earth
/// (fine for a few hundred metres).
fn offset(pin: Pin, metres: f64, bearing: f64) -> Pin {
    let metres_per_degree = vigie_reports::model::EARTH_RADIUS_M.to_radians();
    let dlat = metres * bearing.cos() / metres_per_degree;
    let dlon = metres * bearing.sin() / (metres_per_degree * pin.lat.to_radians().cos());
    Pin {
        lat: pin.lat + dlat,
        lon: pin.lon + dlon,
    }
}

/// Whether `pin` is valid and lies in `unit` (a locatable unit of the atlas).
fn located(geography: &Geography, pin: Pin, unit: usize) -> bool {
    vigie_geo::check_coordinates(pin.lat, pin.lon).is_ok()
        && geography.index().locate(pin.lon, pin.lat) == Some(unit)
}

/// A unit's anchor for demo places: the average of the vertices of the first of its outer rings
/// whose average the geography locates in that same unit, with half the smaller side of that
/// ring's bounding box, in metres (how far places may spread around it). `None` when no ring
/// qualifies.
fn anchor(geography: &Geography, unit: usize) -> Option<(Pin, f64)> {
    let atlas = geography.atlas();
    let polygons = atlas.units.get(unit)?.polygons.clone();
    polygons
        .filter_map(|polygon| atlas.polygons.get(polygon as usize)?.clone().next())
        .find_map(|ring| {
            let vertices = atlas.ring(ring);
            if vertices.is_empty() {
                return None;
            }
            let n = vertices.len() as f64;
            let (lon, lat) = vertices.iter().fold((0.0, 0.0), |(x, y), [vx, vy]| {
                (x + f64::from(*vx), y + f64::from(*vy))
            });
            let pin = Pin {
                lat: lat / n / vigie_geo::atlas::QUANTUM,
                lon: lon / n / vigie_geo::atlas::QUANTUM,
            };
            if !located(geography, pin, unit) {
                return None;
            }
            let (mut low, mut high) = ([i64::MAX; 2], [i64::MIN; 2]);
            for [x, y] in vertices {
                low = [low[0].min(i64::from(*x)), low[1].min(i64::from(*y))];
                high = [high[0].max(i64::from(*x)), high[1].max(i64::from(*y))];
            }
            let metres_per_degree = vigie_reports::model::EARTH_RADIUS_M.to_radians();
            let degrees = |micro: i64| micro as f64 / vigie_geo::atlas::QUANTUM;
            let width = degrees(high[0] - low[0]) * metres_per_degree * pin.lat.to_radians().cos();
            let height = degrees(high[1] - low[1]) * metres_per_degree;
            Some((pin, width.min(height) / 2.0))
        })
}

/// The locatable units (communes, or arrondissements for Paris, Lyon and Marseille) of the
/// département at `dep` in the atlas, the most populous first (then by code).
fn units_by_population(geography: &Geography, dep: usize) -> Vec<usize> {
    let atlas = geography.atlas();
    let mut units: Vec<usize> = atlas
        .locatable_units()
        .into_iter()
        .filter(|&unit| atlas.units[unit].departement == dep)
        .collect();
    units.sort_by(|&a, &b| {
        atlas.units[b]
            .population
            .cmp(&atlas.units[a].population)
            .then_with(|| atlas.units[a].code.cmp(&atlas.units[b].code))
    });
    units
}

/// `count` places in `departement`, inside its communes (municipal arrondissements for Paris,
/// Lyon and Marseille), the most populous first, cycling through them when `count` is larger.
/// Each commune's anchor is the average of the vertices of one of its outer rings, kept only if
/// the geography locates it in that same commune; the places are spread around it, up to a few
/// hundred metres, each checked the same way (the anchor itself when no spread place is). Empty
/// for an unknown département. Deterministic for (departement, count, seed).
pub fn demo_sites(
    geography: &Geography,
    departement: &str,
    count: usize,
    seed: u64,
) -> Vec<DemoSite> {
    let atlas = geography.atlas();
    let Some(dep) = atlas.departement_index(departement) else {
        return Vec::new();
    };
    let anchors: Vec<(usize, Pin)> = units_by_population(geography, dep)
        .into_iter()
        .filter_map(|unit| anchor(geography, unit).map(|(pin, _)| (unit, pin)))
        .collect();
    if anchors.is_empty() {
        return Vec::new();
    }
    let salt = salt(seed, departement);
    (0..count)
        .map(|index| {
            let (unit, anchor) = anchors[index % anchors.len()];
            let key = mix(salt ^ index as u64);
            let pin = (0..8u64)
                .map(|attempt| {
                    let metres = 40.0 + 360.0 * unit_interval(key ^ (attempt << 40));
                    let bearing =
                        std::f64::consts::TAU * unit_interval(key ^ (attempt << 40) ^ 0x5555);
                    offset(anchor, metres / (1.0 + attempt as f64), bearing)
                })
                .find(|pin| located(geography, *pin, unit))
                .unwrap_or(anchor);
            DemoSite {
                pin,
                unit: atlas.units[unit].code.clone(),
            }
        })
        .collect()
}

/// The demo account `username` as an actor (no session: the demo acts on its own behalf).
async fn actor(engine: &Engine, username: &str) -> EngineResult<Actor> {
    let store = &engine.inner.store;
    let record = store
        .account_by_username(username)
        .await?
        .ok_or_else(|| EngineError::Config(format!("demo account {username} is missing")))?;
    let unit = store
        .unit(record.account.unit)
        .await?
        .ok_or_else(|| EngineError::Config(format!("unit of {username} is missing")))?;
    Ok(Actor {
        account: record.account,
        unit,
        session_hash: String::new(),
    })
}

/// The day of `micros`, `YYYY-MM-DD`.
fn day_of(micros: i64) -> String {
    let date = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .date();
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// A key for what is drawn about `code` (a département), from the seed.
fn salt(seed: u64, code: &str) -> u64 {
    code.bytes()
        .fold(seed, |acc, byte| mix(acc ^ u64::from(byte)))
}

/// How a demo report comes in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lane {
    /// A resident, received `days` days ago (the seed-only path, so that it is in the queue).
    ResidentPast { days: i64 },
    /// A resident through the public form now, proof of work solved: in the queue next hour.
    ResidentNow,
    /// The partner unit, now (a partner's report is in the queue at once).
    Partner,
}

/// Where a demo report is: near one of the département's points, or by its commune only.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Near {
    /// `metres` from point `index`.
    Point { index: usize, metres: u32 },
    /// The commune of point `index`, no pin.
    Commune { index: usize },
}

/// What the CROSS does with a demo report.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Triage {
    Untouched,
    To(ReportStatus, &'static str),
    /// Attached to point `index`.
    Attach(usize),
}

struct Plan {
    lane: Lane,
    near: Near,
    triage: Triage,
    /// A message from the CROSS to the reporter.
    message: Option<&'static str>,
}

const fn plan(lane: Lane, near: Near, triage: Triage, message: Option<&'static str>) -> Plan {
    Plan {
        lane,
        near,
        triage,
        message,
    }
}

const fn past(days: i64) -> Lane {
    Lane::ResidentPast { days }
}

const fn at(index: usize, metres: u32) -> Near {
    Near::Point { index, metres }
}

const ASK_HOURS: &str =
    "Merci pour votre signalement. Pouvez-vous préciser à quelles heures l'activité est la plus forte ?";
const THANKS: &str = "Merci pour votre signalement, il a bien été pris en compte par nos services.";

/// The Bouches-du-Rhône: the full scenario, resurgence included (point 7 is the one dismantled a
/// month ago; reports 10 and 11 came since, on different days).
const PLAN_13: &[Plan] = &[
    plan(past(1), at(4, 40), Triage::Untouched, None),
    plan(past(2), at(5, 60), Triage::Untouched, None),
    plan(past(3), Near::Commune { index: 0 }, Triage::Untouched, None),
    plan(
        past(4),
        at(2, 50),
        Triage::To(
            ReportStatus::ToQualify,
            "Lieu imprécis, horaires à confirmer auprès du déclarant",
        ),
        Some(ASK_HOURS),
    ),
    plan(
        past(6),
        at(3, 30),
        Triage::To(
            ReportStatus::Qualified,
            "Description précise, cohérente avec les observations de la BAC",
        ),
        None,
    ),
    plan(past(8), at(4, 25), Triage::Attach(4), None),
    plan(past(10), at(6, 45), Triage::Attach(6), Some(THANKS)),
    plan(past(35), at(7, 35), Triage::Attach(7), None),
    plan(
        past(9),
        at(1, 40),
        Triage::To(
            ReportStatus::NoFurtherAction,
            "Lieu fermé depuis la démolition du bâtiment, rien à ajouter",
        ),
        None,
    ),
    plan(
        past(5),
        at(11, 70),
        Triage::To(
            ReportStatus::SuspectedMalicious,
            "Série de signalements le même jour visant un commerce, conflit de voisinage probable",
        ),
        None,
    ),
    plan(past(12), at(7, 60), Triage::Untouched, None),
    plan(past(5), at(7, 120), Triage::Untouched, None),
    plan(Lane::ResidentNow, at(0, 50), Triage::Untouched, None),
    plan(
        Lane::ResidentNow,
        Near::Commune { index: 3 },
        Triage::Untouched,
        None,
    ),
    plan(Lane::Partner, at(4, 30), Triage::Attach(4), Some(THANKS)),
    plan(
        Lane::Partner,
        at(8, 50),
        Triage::To(
            ReportStatus::Qualified,
            "Signalement du bailleur, gardien témoin direct",
        ),
        None,
    ),
    plan(
        Lane::Partner,
        Near::Commune { index: 5 },
        Triage::Untouched,
        None,
    ),
    plan(
        Lane::Partner,
        at(6, 40),
        Triage::To(
            ReportStatus::PassedToService,
            "Transmis au commissariat de secteur pour une action de voie publique",
        ),
        None,
    ),
];

/// The other départements: a few reports each, triaged by OFAST.
const PLAN_OTHER: &[Plan] = &[
    plan(past(1), at(4, 40), Triage::Untouched, None),
    plan(past(3), at(5, 30), Triage::Attach(5), None),
    plan(past(7), at(6, 50), Triage::Attach(6), None),
    plan(
        past(2),
        Near::Commune { index: 2 },
        Triage::To(
            ReportStatus::Qualified,
            "Signalement circonstancié, à rapprocher des points connus de la commune",
        ),
        Some(ASK_HOURS),
    ),
    plan(past(4), at(2, 60), Triage::Untouched, None),
];

/// The Seine-Saint-Denis also gets one report through the public form now.
const PLAN_93_NOW: &[Plan] = &[plan(Lane::ResidentNow, at(0, 40), Triage::Untouched, None)];

impl Engine {
    /// Seeds the demo's dealing points and reports (see the module doc); returns how many.
    pub async fn seed_demo_reports(&self, seed: u64) -> EngineResult<DemoReports> {
        let ctx = RequestContext {
            request_id: format!("demo-reports-{seed}"),
        };
        let cross = actor(self, "analyste.cross13").await?;
        let ofast = actor(self, "analyste.ofast").await?;
        let partner = actor(self, "partenaire.bailleur").await?;
        let departements = vigie_synth::demo_departements();
        let texts = reports(seed, 256, &departements);
        let mut texts = texts.iter();
        let mut done = DemoReports::default();
        for code in &departements {
            let sites = demo_sites(
                &self.inner.geography,
                code,
                DEMO_POINTS_PER_DEPARTEMENT,
                seed,
            );
            if sites.len() < DEMO_POINTS_PER_DEPARTEMENT {
                continue;
            }
            let manager = if *code == "13" { &cross } else { &ofast };
            let mut points = Vec::with_capacity(sites.len());
            for (index, site) in sites.iter().enumerate() {
                let id = self
                    .create_point(
                        manager,
                        NewPoint {
                            label: point_label(seed, code, index),
                            pin: site.pin,
                            from_report: None,
                        },
                        &ctx,
                    )
                    .await?;
                points.push(id);
            }
            done.points += points.len();

            let plans: Vec<&Plan> = match *code {
                "13" => PLAN_13.iter().collect(),
                "93" => PLAN_OTHER.iter().chain(PLAN_93_NOW).collect(),
                _ => PLAN_OTHER.iter().collect(),
            };
            for (index, plan) in plans.into_iter().enumerate() {
                let Some(text) = texts.next() else {
                    break;
                };
                let key = mix(salt(seed, code) ^ index as u64);
                self.seed_report(plan, text, &sites, &points, key, manager, &partner, &ctx)
                    .await?;
                done.reports += 1;
            }

            self.seed_lifecycle(code, &points, manager, &ctx).await?;
        }
        Ok(done)
    }

    /// Writes one demo report by its lane, then triages it.
    #[allow(clippy::too_many_arguments)]
    async fn seed_report(
        &self,
        plan: &Plan,
        text: &SynthReport,
        sites: &[DemoSite],
        points: &[Uuid],
        key: u64,
        manager: &Actor,
        partner: &Actor,
        ctx: &RequestContext,
    ) -> EngineResult<()> {
        let now = clock::micros(self.inner.clock.now());
        let site = |index: usize| sites.get(index).or_else(|| sites.first());
        let draft = match plan.near {
            Near::Point { index, metres } => {
                let Some(site) = site(index) else {
                    return Ok(());
                };
                let pin = offset(
                    site.pin,
                    f64::from(metres),
                    std::f64::consts::TAU * unit_interval(key),
                );
                // Some residents also choose the commune, others only place the pin.
                let commune = (!key.is_multiple_of(3)).then_some(site.unit.as_str());
                text.draft(commune, Some(pin))
            }
            Near::Commune { index } => {
                let Some(site) = site(index) else {
                    return Ok(());
                };
                text.draft(Some(&site.unit), None)
            }
        };
        let id = match plan.lane {
            Lane::ResidentPast { days } => {
                // An hour of the day, spread by the key, some `days` days back.
                let hour = i64::try_from(key % 14).unwrap_or(0) + 8;
                let day_start = now - now.rem_euclid(DAY) - days * DAY;
                let received = (day_start + hour * HOUR).min(now - 2 * HOUR);
                Some(
                    self.submit_public_report_received_at(draft, received, ctx)
                        .await?
                        .0,
                )
            }
            Lane::ResidentNow => {
                let challenge = self.report_challenge()?;
                let token = challenge.token.clone();
                let solution = tokio::task::spawn_blocking(move || {
                    parse_challenge(&token).map(|challenge| pow::solve(&challenge))
                })
                .await
                .map_err(|error| EngineError::Internal(error.to_string()))?
                .ok_or_else(|| EngineError::Internal("malformed challenge".into()))?;
                self.submit_public_report(
                    Proof {
                        token: challenge.token,
                        solution,
                    },
                    draft,
                    Vec::new(),
                    ctx,
                )
                .await?;
                // Hidden until its hour is over: nobody can triage it yet.
                None
            }
            Lane::Partner => Some(
                self.submit_partner_report(partner, draft, Vec::new(), ctx)
                    .await?,
            ),
        };
        let Some(id) = id else {
            return Ok(());
        };
        match plan.triage {
            Triage::Untouched => {}
            Triage::To(status, motivation) => {
                self.change_report_status(manager, id, status, motivation, None, ctx)
                    .await?;
            }
            Triage::Attach(index) => {
                if let Some(point) = points.get(index) {
                    self.change_report_status(
                        manager,
                        id,
                        ReportStatus::Attached,
                        "Même lieu et mêmes horaires que le point de deal connu",
                        Some(*point),
                        ctx,
                    )
                    .await?;
                }
            }
        }
        if let Some(message) = plan.message {
            self.send_report_message(manager, id, message, ctx).await?;
        }
        Ok(())
    }

    /// Takes the département's twelve points through their lifecycle: two left as reported or
    /// closed, confirmed ones, active ones with hours and prices, dismantled ones with their
    /// operation, one under watch, one resurgent... and one that moved to another. In the 13,
    /// point 7's dismantling is moved a month back (resurgence demo).
    async fn seed_lifecycle(
        &self,
        code: &str,
        points: &[Uuid],
        manager: &Actor,
        ctx: &RequestContext,
    ) -> EngineResult<()> {
        let now = clock::micros(self.inner.clock.now());
        let status = |to: PointStatus, motivation: &str| PointChange::Status {
            to,
            motivation: motivation.to_owned(),
        };
        for (index, &point) in points.iter().enumerate() {
            let mut changes = Vec::new();
            if index == 1 {
                changes.push(status(
                    PointStatus::Closed,
                    "Bâtiment démoli dans le cadre de la rénovation urbaine",
                ));
            }
            if index >= 2 {
                changes.push(status(
                    PointStatus::Confirmed,
                    "Vente constatée lors d'une surveillance de la BAC",
                ));
            }
            if index >= 4 {
                changes.push(status(
                    PointStatus::Active,
                    "Activité quotidienne, file de clients et guetteurs en place",
                ));
            }
            if matches!(index, 4 | 6 | 11) {
                changes.push(PointChange::Hours {
                    days: Weekday::ALL.to_vec(),
                    slots: vec![TimeSlot::Afternoon, TimeSlot::Evening],
                });
            }
            if matches!(index, 4 | 5 | 11) {
                changes.push(PointChange::Price(PriceSeen {
                    product: if index == 5 {
                        "herbe de cannabis".to_owned()
                    } else {
                        "résine de cannabis".to_owned()
                    },
                    price_eur: Some(if index == 5 { 20.0 } else { 10.0 }),
                    unit: if index == 5 { "pochon" } else { "barrette" }.to_owned(),
                    seen_on: day_of(now - 3 * DAY),
                }));
            }
            let backdate = (code == "13" && index == 7).then_some(RESURGENCE_DISMANTLED_DAYS);
            if (7..=10).contains(&index) {
                let (kind, note) = match index {
                    7 => (
                        OperationKind::Arrests,
                        "Interpellation de trois vendeurs, saisie de résine",
                    ),
                    8 => (OperationKind::Seizure, "Saisie dans une cave du bâtiment"),
                    9 => (
                        OperationKind::Harassment,
                        "Présence policière quotidienne pendant trois semaines",
                    ),
                    _ => (OperationKind::Arrests, "Interpellations au pied de la tour"),
                };
                let days_ago = backdate.unwrap_or(index as i64 - 5);
                changes.push(PointChange::Operation(PointOperation {
                    date: day_of(now - days_ago * DAY),
                    kind,
                    note: note.to_owned(),
                }));
                changes.push(status(
                    PointStatus::Dismantled,
                    "Point démantelé après l'opération",
                ));
            }
            if index == 8 {
                changes.push(status(
                    PointStatus::Resurgent,
                    "Les vendeurs sont revenus une semaine après l'opération",
                ));
            }
            if index == 9 {
                changes.push(status(
                    PointStatus::UnderWatch,
                    "Lieu reconquis, surveillance renforcée avec le bailleur",
                ));
            }
            if index == 10 {
                if let Some(&to) = points.get(11) {
                    changes.push(PointChange::MovedTo {
                        to,
                        motivation: "Le trafic s'est reporté sur le point voisin après l'opération"
                            .to_owned(),
                    });
                }
            }
            for change in changes {
                self.update_point(manager, point, change, ctx).await?;
            }
            if let Some(days) = backdate {
                self.backdate_point_for_demo(point, days * DAY, ctx).await?;
            }
        }
        Ok(())
    }
}

// The national layer (`Engine::seed_national_demo_points`): about 4,000 points over every
// département, written in a few large transactions.

/// Dealing points on the demo's national map, the detailed départements' included: about the
/// number of points the police count in France.
pub const DEMO_NATIONAL_POINTS: usize = 4_000;
/// Départements where the national layer leaves a point dismantled a few weeks ago with
/// residents' reports near it since, on different days: resurgence to decide.
pub const DEMO_NATIONAL_RESURGENCES: &[&str] = &["59", "33", "31", "67", "974", "76"];
/// The fewest points a département has on the national map.
const NATIONAL_FLOOR: usize = 5;
/// The most communes (or arrondissements) of a département that get points, the most populous.
const NATIONAL_COMMUNES: usize = 60;
/// How strongly points gather in the larger communes of a département: a commune's share goes as
/// its population to this power.
const NATIONAL_URBAN_EXPONENT: f64 = 1.3;
/// Points written per transaction.
const NATIONAL_BATCH: usize = 500;
/// Residents' reports written at once (each takes a receipt hash and a commit).
const NATIONAL_REPORTS_IN_FLIGHT: usize = 8;
/// One report attached to a live point for every this many points of a département (at least
/// one per département).
const NATIONAL_POINTS_PER_REPORT: usize = 40;
/// Départements with at least this many points also get one untriaged report near a point.
const NATIONAL_NEW_REPORT_FROM: usize = 60;
/// Salt of the national layer's draws, apart from the detailed demo's.
const NATIONAL_SALT: u64 = 0x6e61_7469_6f6e_616c;

/// The final status of a national point, with its weight in percent.
const FINAL_STATUSES: &[(PointStatus, f64)] = &[
    (PointStatus::Reported, 12.0),
    (PointStatus::Confirmed, 14.0),
    (PointStatus::Active, 36.0),
    (PointStatus::Dismantled, 11.0),
    (PointStatus::UnderWatch, 8.0),
    (PointStatus::Resurgent, 9.0),
    (PointStatus::Closed, 10.0),
];

/// `total` shared in proportion to `weights` by largest remainders (ties to the first); evenly
/// when no weight is positive.
fn largest_remainder(total: usize, weights: &[f64]) -> Vec<usize> {
    if weights.is_empty() {
        return Vec::new();
    }
    let sum: f64 = weights.iter().filter(|w| w.is_finite() && **w > 0.0).sum();
    let exact: Vec<f64> = weights
        .iter()
        .map(|w| {
            if sum > 0.0 {
                if w.is_finite() && *w > 0.0 {
                    total as f64 * w / sum
                } else {
                    0.0
                }
            } else {
                total as f64 / weights.len() as f64
            }
        })
        .collect();
    let mut shares: Vec<usize> = exact.iter().map(|e| e.floor() as usize).collect();
    let given: usize = shares.iter().sum();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        (exact[b] - exact[b].floor())
            .total_cmp(&(exact[a] - exact[a].floor()))
            .then(a.cmp(&b))
    });
    for &index in order.iter().cycle().take(total.saturating_sub(given)) {
        shares[index] += 1;
    }
    shares
}

/// How many points the national layer puts in each département (code, count), in the atlas's
/// order: [`DEMO_NATIONAL_POINTS`] shared by population with a floor of a few per département,
/// less the detailed demo's points in its six départements. Pure, from the atlas.
pub fn national_quotas(geography: &Geography) -> Vec<(String, usize)> {
    let atlas = geography.atlas();
    let mut population = vec![0.0f64; atlas.departements.len()];
    for unit in atlas.locatable_units() {
        let unit = &atlas.units[unit];
        if let Some(total) = population.get_mut(unit.departement) {
            *total += f64::from(unit.population);
        }
    }
    let free = DEMO_NATIONAL_POINTS.saturating_sub(NATIONAL_FLOOR * atlas.departements.len());
    let detailed = vigie_synth::demo_departements();
    atlas
        .departements
        .iter()
        .zip(largest_remainder(free, &population))
        .map(|(departement, share)| {
            let mut quota = NATIONAL_FLOOR + share;
            if detailed.contains(&departement.code.as_str()) {
                quota = quota
                    .saturating_sub(DEMO_POINTS_PER_DEPARTEMENT)
                    .max(NATIONAL_FLOOR);
            }
            (departement.code.clone(), quota)
        })
        .collect()
}

/// `count` places in `departement` for the national map. Its most populous communes
/// (arrondissements in Paris, Lyon and Marseille), up to sixty, share them as their population
/// to the power 1.3, so that points gather in the towns and the larger communes; each place is
/// drawn in a disc around its commune's anchor (see [`demo_sites`]), of a radius that grows with
/// the commune (150 m to 2.5 km), and checked to lie in that commune (the anchor itself when no
/// draw does). Grouped by commune, the largest first. Empty for an unknown département.
/// Deterministic for (departement, count, seed).
pub fn national_sites(
    geography: &Geography,
    departement: &str,
    count: usize,
    seed: u64,
) -> Vec<DemoSite> {
    let atlas = geography.atlas();
    let Some(dep) = atlas.departement_index(departement) else {
        return Vec::new();
    };
    let anchors: Vec<(usize, Pin, f64)> = units_by_population(geography, dep)
        .into_iter()
        .filter_map(|unit| anchor(geography, unit).map(|(pin, extent)| (unit, pin, extent)))
        .take(NATIONAL_COMMUNES)
        .collect();
    let weights: Vec<f64> = anchors
        .iter()
        .map(|(unit, _, _)| {
            f64::from(atlas.units[*unit].population.max(1)).powf(NATIONAL_URBAN_EXPONENT)
        })
        .collect();
    let salt = salt(seed ^ NATIONAL_SALT ^ 0x7369_7465, departement);
    let mut sites = Vec::with_capacity(count);
    for ((unit, anchor, extent), share) in anchors.iter().zip(largest_remainder(count, &weights)) {
        let radius = (extent * 0.6).clamp(150.0, 2_500.0);
        for _ in 0..share {
            let key = mix(salt ^ sites.len() as u64);
            let pin = (0..12u64)
                .map(|attempt| {
                    let draw = key ^ (attempt << 40);
                    let metres = radius * unit_interval(draw).sqrt();
                    let bearing = std::f64::consts::TAU * unit_interval(draw ^ 0x5555);
                    offset(*anchor, metres, bearing)
                })
                .find(|pin| located(geography, *pin, *unit))
                .unwrap_or(*anchor);
            sites.push(DemoSite {
                pin,
                unit: atlas.units[*unit].code.clone(),
            });
        }
    }
    sites
}

/// A point of the national layer while it is built.
struct Built {
    point: DealingPoint,
    /// The commune or arrondissement of its site.
    unit: String,
    /// When its dealing moved to another point, after its dismantling.
    displaced_at: Option<i64>,
}

/// Whether dealing goes on at a point with this status (reports may still come and be attached).
fn live(status: PointStatus) -> bool {
    matches!(
        status,
        PointStatus::Reported
            | PointStatus::Confirmed
            | PointStatus::Active
            | PointStatus::Resurgent
    )
}

/// The draws of national point `index` of `code`: `draw(n)` is a number in [0, 1) for each `n`.
struct Draws(u64);

impl Draws {
    fn new(seed: u64, code: &str, index: usize) -> Draws {
        Draws(mix(
            salt(seed ^ NATIONAL_SALT, code) ^ (index as u64).wrapping_mul(0x0100_0000_01b3)
        ))
    }

    fn key(&self, n: u64) -> u64 {
        mix(self.0 ^ n.wrapping_mul(0x9e37_79b9_7f4a_7c15))
    }

    fn draw(&self, n: u64) -> f64 {
        unit_interval(self.key(n))
    }

    /// A number in [low, high).
    fn between(&self, n: u64, low: f64, high: f64) -> f64 {
        low + (high - low) * self.draw(n)
    }
}

/// Builds national point `index` of `code` at `site`: a final status drawn from
/// [`FINAL_STATUSES`], the moves that lead there dated over the past two years, the operations
/// of its dismantlings (and harassment at some live points), prices seen, hours, and whether its
/// dealing moved elsewhere afterwards. With `resurgence`, a point dismantled 20 to 50 days ago.
#[allow(clippy::too_many_arguments)]
fn national_point(
    geography: &Geography,
    seed: u64,
    code: &str,
    index: usize,
    site: &DemoSite,
    now: i64,
    by: &str,
    resurgence: bool,
) -> EngineResult<Built> {
    use PointStatus::*;
    let draws = Draws::new(seed, code, index);
    let final_status = if resurgence {
        Dismantled
    } else {
        let mut left = draws.draw(1) * 100.0;
        FINAL_STATUSES
            .iter()
            .find(|(_, weight)| {
                left -= weight;
                left < 0.0
            })
            .map_or(Active, |(status, _)| *status)
    };
    // The moves, each after a gap in days.
    let mut steps: Vec<(PointStatus, f64)> = Vec::new();
    let dismantling = |steps: &mut Vec<(PointStatus, f64)>| {
        steps.push((Confirmed, draws.between(10, 3.0, 30.0)));
        if resurgence || draws.draw(11) < 0.8 {
            steps.push((Active, draws.between(12, 1.0, 30.0)));
        }
        steps.push((Dismantled, draws.between(13, 30.0, 300.0)));
    };
    match final_status {
        Reported => {}
        Confirmed => steps.push((Confirmed, draws.between(10, 3.0, 30.0))),
        Active => {
            steps.push((Confirmed, draws.between(10, 3.0, 30.0)));
            steps.push((Active, draws.between(12, 1.0, 30.0)));
            if draws.draw(20) < 0.15 {
                // Dismantled once, came back, and sells again.
                steps.push((Dismantled, draws.between(13, 40.0, 200.0)));
                steps.push((Resurgent, draws.between(14, 15.0, 90.0)));
                steps.push((Active, draws.between(15, 2.0, 20.0)));
            }
        }
        Dismantled => dismantling(&mut steps),
        UnderWatch => {
            dismantling(&mut steps);
            steps.push((UnderWatch, draws.between(16, 1.0, 14.0)));
        }
        Resurgent => {
            dismantling(&mut steps);
            if draws.draw(21) < 0.4 {
                steps.push((UnderWatch, draws.between(16, 1.0, 14.0)));
            }
            steps.push((Resurgent, draws.between(14, 10.0, 120.0)));
        }
        Closed => {
            let how = draws.draw(22);
            if how < 0.3 {
                steps.push((Closed, draws.between(17, 20.0, 120.0)));
            } else if how < 0.6 {
                steps.push((Confirmed, draws.between(10, 3.0, 30.0)));
                steps.push((Active, draws.between(12, 1.0, 30.0)));
                steps.push((Closed, draws.between(17, 60.0, 400.0)));
            } else {
                dismantling(&mut steps);
                if draws.draw(23) < 0.5 {
                    steps.push((UnderWatch, draws.between(16, 1.0, 14.0)));
                }
                steps.push((Closed, draws.between(17, 90.0, 250.0)));
            }
        }
    }
    // Created up to two years ago (a point left "reported" is recent); the moves fit before now.
    let age_days = if final_status == Reported {
        draws.between(2, 2.0, 150.0)
    } else if resurgence {
        draws.between(2, 150.0, 400.0)
    } else {
        draws.between(2, 60.0, 730.0)
    };
    let created = now - (age_days * DAY as f64) as i64;
    let total: f64 = steps.iter().map(|(_, gap)| gap).sum();
    let room = age_days - 0.5;
    let scale = if total > room { room / total } else { 1.0 };
    let mut at = created;
    let mut times = Vec::with_capacity(steps.len());
    for (_, gap) in &steps {
        at += (gap * scale * DAY as f64) as i64;
        times.push(at.min(now - HOUR));
    }
    if resurgence {
        if let Some(last) = times.last_mut() {
            *last = now - (draws.between(18, 20.0, 50.0) * DAY as f64) as i64;
        }
    }

    let (commune, departement) = match geography.locate(site.pin.lat, site.pin.lon) {
        Ok(Some(location)) => (Some(location.commune.code), Some(location.departement.code)),
        _ => (None, Some(code.to_owned())),
    };
    let label = vigie_synth::reports::national_point_label(seed, code, index);
    let mut point = DealingPoint::new(
        Uuid::new_v4(),
        &label,
        site.pin,
        commune,
        departement,
        created,
    )
    .map_err(|error| EngineError::Internal(format!("demo point: {}", error.message)))?;
    let mut confirmed_at = None;
    let mut dismantled_at = None;
    for (step, ((to, _), at)) in steps.iter().zip(&times).enumerate() {
        let motivation =
            vigie_synth::reports::point_motivation(point.status, *to, draws.key(100 + step as u64));
        point
            .apply(*to, by, motivation, *at)
            .map_err(|error| EngineError::Internal(format!("demo point: {error}")))?;
        if *to == Confirmed {
            confirmed_at = Some(*at);
        }
        if *to == Dismantled {
            dismantled_at = Some(*at);
            let roll = draws.draw(200 + step as u64);
            let kind = if roll < 0.45 {
                OperationKind::Arrests
            } else if roll < 0.8 {
                OperationKind::Seizure
            } else {
                OperationKind::Harassment
            };
            point.operations.push(PointOperation {
                date: day_of(*at),
                kind,
                note: vigie_synth::reports::operation_note(kind, draws.key(300 + step as u64))
                    .to_owned(),
            });
            if kind == OperationKind::Arrests && draws.draw(400 + step as u64) < 0.3 {
                point.operations.push(PointOperation {
                    date: day_of(*at),
                    kind: OperationKind::Seizure,
                    note: vigie_synth::reports::operation_note(
                        OperationKind::Seizure,
                        draws.key(500 + step as u64),
                    )
                    .to_owned(),
                });
            }
        }
    }
    // Harassment at some points that still sell.
    if let Some(since) = confirmed_at.filter(|_| live(final_status) && draws.draw(30) < 0.3) {
        let at = since + ((now - since) as f64 * draws.draw(31)) as i64;
        point.operations.push(PointOperation {
            date: day_of(at.min(now - HOUR)),
            kind: OperationKind::Harassment,
            note: vigie_synth::reports::operation_note(OperationKind::Harassment, draws.key(32))
                .to_owned(),
        });
    }
    // Prices seen between the confirmation and the end of the dealing.
    if let Some(since) = confirmed_at.filter(|_| draws.draw(40) < 0.65) {
        let until = match final_status {
            Dismantled | UnderWatch | Closed => times.last().copied().unwrap_or(now),
            _ => now - DAY,
        }
        .max(since);
        for (k, price) in vigie_synth::reports::point_prices(seed, code, index)
            .into_iter()
            .enumerate()
        {
            let at = since + ((until - since) as f64 * draws.draw(41 + k as u64)) as i64;
            point.prices.push(PriceSeen {
                product: price.product.to_owned(),
                price_eur: Some(price.price_eur),
                unit: price.unit.to_owned(),
                seen_on: day_of(at),
            });
        }
    }
    // Opening hours, known for most confirmed points and some reported ones.
    let hours_known = if final_status == Reported { 0.25 } else { 0.75 };
    if draws.draw(50) < hours_known {
        point.days = match draws.draw(51) {
            d if d < 0.55 => Weekday::ALL.to_vec(),
            d if d < 0.8 => Weekday::ALL[..6].to_vec(),
            _ => vec![
                Weekday::Wednesday,
                Weekday::Friday,
                Weekday::Saturday,
                Weekday::Sunday,
            ],
        };
        point.slots = match draws.draw(52) {
            d if d < 0.45 => vec![TimeSlot::Afternoon, TimeSlot::Evening],
            d if d < 0.65 => vec![TimeSlot::Evening, TimeSlot::Night],
            d if d < 0.85 => vec![TimeSlot::Morning, TimeSlot::Afternoon, TimeSlot::Evening],
            d if d < 0.95 => vec![TimeSlot::Afternoon],
            _ => TimeSlot::ALL.to_vec(),
        };
    }
    point.operations.sort_by(|a, b| a.date.cmp(&b.date));
    // After some dismantlings the dealing moves to a neighbouring point.
    let displaced_at = dismantled_at
        .filter(|_| {
            !resurgence
                && matches!(final_status, Dismantled | UnderWatch | Closed)
                && draws.draw(60) < 0.3
        })
        .map(|at| (at + (draws.between(61, 2.0, 20.0) * DAY as f64) as i64).min(now - HOUR));
    Ok(Built {
        point,
        unit: site.unit.clone(),
        displaced_at,
    })
}

/// Links the points of one département whose dealing moved: each to the nearest live point
/// within 3 km, preferring one first reported after (or shortly before) the move, as
/// `update_point` records a move (both points keep the link, an operation of the day with the
/// motivation on the one left).
fn link_displacements(points: &mut [Built], seed: u64) {
    for from in 0..points.len() {
        let Some(at) = points[from].displaced_at else {
            continue;
        };
        let origin = points[from].point.pin;
        let id = points[from].point.id;
        let target = points
            .iter()
            .enumerate()
            .filter(|(to, built)| {
                *to != from
                    && live(built.point.status)
                    && !built.point.moved_to.contains(&id)
                    && origin.distance_m(&built.point.pin) <= 3_000.0
            })
            .min_by(|(_, a), (_, b)| {
                let recent = |built: &Built| built.point.created_at_micros >= at - 30 * DAY;
                recent(b).cmp(&recent(a)).then(
                    origin
                        .distance_m(&a.point.pin)
                        .total_cmp(&origin.distance_m(&b.point.pin)),
                )
            })
            .map(|(to, _)| to);
        let Some(to) = target else {
            continue;
        };
        let (to_id, to_label) = (points[to].point.id, points[to].point.label.clone());
        let motivation =
            vigie_synth::reports::displacement_motivation(mix(seed ^ NATIONAL_SALT ^ from as u64));
        let point = &mut points[from].point;
        point.moved_to.push(to_id);
        point.operations.push(PointOperation {
            date: day_of(at),
            kind: OperationKind::Other,
            note: format!("Déplacé vers « {to_label} » : {motivation}"),
        });
        point.operations.sort_by(|a, b| a.date.cmp(&b.date));
        points[to].point.moved_from.push(id);
    }
}

/// A resident's report of the national layer, before its text is drawn.
struct NationalReport {
    departement: String,
    /// The commune or arrondissement named, if the resident chose it.
    commune: Option<String>,
    pin: Pin,
    received: i64,
    /// The point an analyst attaches it to, and who.
    attach: Option<(Uuid, Actor)>,
}

impl Engine {
    /// Dealing points on the demo's national map, the detailed départements' included
    /// ([`DEMO_NATIONAL_POINTS`]).
    pub const DEMO_NATIONAL_POINTS: usize = DEMO_NATIONAL_POINTS;
    /// Départements where the national layer leaves a resurgence to decide
    /// ([`DEMO_NATIONAL_RESURGENCES`]).
    pub const DEMO_NATIONAL_RESURGENCES: &'static [&'static str] = DEMO_NATIONAL_RESURGENCES;

    /// Seeds the national layer of the demo (`vigie serve --demo`, after
    /// [`Engine::seed_demo_reports`]): about [`DEMO_NATIONAL_POINTS`] dealing points over every
    /// département, and a modest number of residents' reports about some of them (see the
    /// module doc). The points are built with their whole history and written in a few large
    /// transactions, one journal entry per point, so that the demo starts in seconds. Counts,
    /// places, labels and statuses are deterministic for a seed.
    pub async fn seed_national_demo_points(&self, seed: u64) -> EngineResult<DemoReports> {
        let ctx = RequestContext {
            request_id: format!("demo-national-{seed}"),
        };
        let cross = actor(self, "analyste.cross13").await?;
        let ofast = actor(self, "analyste.ofast").await?;
        let geography = &self.inner.geography;
        let now = clock::micros(self.inner.clock.now());
        let mut written = Vec::new();
        let mut reports = Vec::new();
        for (code, quota) in national_quotas(geography) {
            let manager = if code == "13" { &cross } else { &ofast };
            let resurgence = DEMO_NATIONAL_RESURGENCES.contains(&code.as_str());
            let sites = national_sites(geography, &code, quota, seed);
            let mut built = sites
                .iter()
                .enumerate()
                .map(|(index, site)| {
                    national_point(
                        geography,
                        seed,
                        &code,
                        index,
                        site,
                        now,
                        &manager.account.username,
                        resurgence && index == 0,
                    )
                })
                .collect::<EngineResult<Vec<Built>>>()?;
            link_displacements(&mut built, seed);
            built.retain(|built| {
                decide(
                    &manager.subject(),
                    Action::ManageDealingPoints,
                    Some(point_marks(&built.point)),
                )
                .is_allowed()
            });
            self.plan_national_reports(&code, &built, manager, resurgence, seed, now, &mut reports);
            written.extend(built.into_iter().map(|built| (built.point, manager)));
        }

        let points = written.len();
        for chunk in written.chunks(NATIONAL_BATCH) {
            let mut mutations = Vec::with_capacity(chunk.len());
            let mut journal = Vec::with_capacity(chunk.len());
            for (point, manager) in chunk {
                mutations.push(Mutation::PutRecordIf {
                    record: point_record(point)?,
                    read: None,
                });
                journal.push(self.draft(
                    Some(manager),
                    JournalAction::Collect,
                    format!("dealing-point:{}", point.id),
                    "données de démonstration : point de deal et son historique",
                    Outcome::Allow,
                    &ctx,
                ));
            }
            self.commit(WriteBatch { mutations, journal }).await?;
        }
        let reports = self.write_national_reports(reports, seed, &ctx).await?;
        Ok(DemoReports { points, reports })
    }

    /// The residents' reports of one département's national points: one attached to a live
    /// point for every forty points (at least one), one left to triage in the larger
    /// départements, and, with `resurgence`, two or three on different days near its first
    /// point since its dismantling.
    #[allow(clippy::too_many_arguments)]
    fn plan_national_reports(
        &self,
        code: &str,
        built: &[Built],
        manager: &Actor,
        resurgence: bool,
        seed: u64,
        now: i64,
        out: &mut Vec<NationalReport>,
    ) {
        let key = salt(seed ^ NATIONAL_SALT ^ 0x7265_706f, code);
        let near = |built: &Built, metres: f64, n: u64| {
            let pin = (0..4u64)
                .map(|attempt| {
                    let bearing = std::f64::consts::TAU * unit_interval(key ^ (n << 16) ^ attempt);
                    offset(built.point.pin, metres / (1.0 + attempt as f64), bearing)
                })
                .find(|pin| {
                    matches!(self.inner.geography.locate(pin.lat, pin.lon),
                        Ok(Some(location)) if location.departement.code == code)
                })
                .unwrap_or(built.point.pin);
            let commune = (!mix(key ^ n).is_multiple_of(3)).then(|| built.unit.clone());
            (pin, commune)
        };
        // Hours of the day, some days back: never the current hour (not yet in the queue).
        let received = |days: f64, n: u64| {
            let hour = i64::try_from(mix(key ^ n ^ 0x68) % 14).unwrap_or(0) + 8;
            let day_start = now - now.rem_euclid(DAY) - (days as i64) * DAY;
            (day_start + hour * HOUR).min(now - 2 * HOUR)
        };
        let mut order: Vec<usize> = (0..built.len())
            .filter(|&index| !(resurgence && index == 0) && live(built[index].point.status))
            .collect();
        order.sort_by_key(|&index| mix(key ^ index as u64));
        let attached = (built.len() / NATIONAL_POINTS_PER_REPORT).max(1);
        for (n, &index) in order.iter().take(attached).enumerate() {
            let n = n as u64;
            let (pin, commune) = near(&built[index], 20.0 + 60.0 * unit_interval(key ^ n), n);
            out.push(NationalReport {
                departement: code.to_owned(),
                commune,
                pin,
                received: received(1.0 + 44.0 * unit_interval(key ^ n ^ 0x72), n),
                attach: Some((built[index].point.id, manager.clone())),
            });
        }
        if built.len() >= NATIONAL_NEW_REPORT_FROM {
            if let Some(&index) = order.get(attached) {
                let n = 1_000;
                let (pin, commune) = near(&built[index], 50.0, n);
                out.push(NationalReport {
                    departement: code.to_owned(),
                    commune,
                    pin,
                    received: received(1.0 + 9.0 * unit_interval(key ^ n), n),
                    attach: None,
                });
            }
        }
        if let Some(first) = built.first().filter(|_| resurgence) {
            let Some(dismantled) = first.point.dismantled_at_micros else {
                return;
            };
            let since = ((now - dismantled) / DAY).max(2);
            let count = 2 + usize::from(mix(key ^ 0x3).is_multiple_of(2));
            for k in 0..count as i64 {
                // On different days after the dismantling, the last one days ago at most.
                let days_after = 1 + (since - 1) * (k + 1) / (count as i64 + 1);
                let n = 2_000 + k as u64;
                let (pin, commune) = near(first, 40.0 + 100.0 * unit_interval(key ^ n), n);
                out.push(NationalReport {
                    departement: code.to_owned(),
                    commune,
                    pin,
                    received: received((since - days_after) as f64, n),
                    attach: None,
                });
            }
        }
    }

    /// Writes the national layer's reports through the residents' lane (received in the past,
    /// receipts and all), a few at a time, and attaches those meant for a point. Returns how many.
    async fn write_national_reports(
        &self,
        planned: Vec<NationalReport>,
        seed: u64,
        ctx: &RequestContext,
    ) -> EngineResult<usize> {
        let codes: Vec<&str> = planned.iter().map(|r| r.departement.as_str()).collect();
        let texts = reports(seed ^ NATIONAL_SALT, planned.len(), &codes);
        let mut tasks = tokio::task::JoinSet::new();
        let mut done = 0;
        let mut finished = |result: Result<EngineResult<()>, tokio::task::JoinError>| {
            result.map_err(|error| EngineError::Internal(error.to_string()))??;
            done += 1;
            Ok::<(), EngineError>(())
        };
        for (report, text) in planned.into_iter().zip(texts) {
            while tasks.len() >= NATIONAL_REPORTS_IN_FLIGHT {
                if let Some(result) = tasks.join_next().await {
                    finished(result)?;
                }
            }
            let engine = self.clone();
            let ctx = ctx.clone();
            tasks.spawn(async move {
                let draft = text.draft(report.commune.as_deref(), Some(report.pin));
                let (id, _) = engine
                    .submit_public_report_received_at(draft, report.received, &ctx)
                    .await?;
                if let Some((point, manager)) = report.attach {
                    engine
                        .change_report_status(
                            &manager,
                            id,
                            ReportStatus::Attached,
                            "Même lieu et mêmes horaires que le point de deal connu",
                            Some(point),
                            &ctx,
                        )
                        .await?;
                }
                Ok(())
            });
        }
        while let Some(result) = tasks.join_next().await {
            finished(result)?;
        }
        Ok(done)
    }
}

/// Reads a challenge token as the browser does (the nonce, the bits and the expiry are in clear).
fn parse_challenge(token: &str) -> Option<Challenge> {
    let mut parts = token.split('.');
    Some(Challenge {
        nonce: parts.next()?.to_owned(),
        bits: parts.next()?.parse().ok()?,
        expires_at_micros: parts.next()?.parse().ok()?,
    })
}
