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
//! The texts come from `vigie_synth::reports`; counts and places are deterministic for a seed
//! (ids and receipt codes are random, as in real use). Nothing here runs outside demo mode.

use crate::auth::Actor;
use crate::error::{EngineError, EngineResult};
use crate::points::{NewPoint, PointChange};
use crate::reports::Proof;
use crate::{clock, Engine, RequestContext};
use uuid::Uuid;
use vigie_geo::Geography;
use vigie_reports::pow::{self, Challenge};
use vigie_reports::{
    OperationKind, Pin, PointOperation, PointStatus, PriceSeen, ReportStatus, TimeSlot, Weekday,
};
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
    let located = |pin: Pin, unit: usize| {
        vigie_geo::check_coordinates(pin.lat, pin.lon).is_ok()
            && geography.index().locate(pin.lon, pin.lat) == Some(unit)
    };
    let anchors: Vec<(usize, Pin)> = units
        .into_iter()
        .filter_map(|unit| {
            let polygons = atlas.units[unit].polygons.clone();
            polygons
                .filter_map(|polygon| atlas.polygons[polygon as usize].clone().next())
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
                    located(pin, unit).then_some(pin)
                })
                .map(|pin| (unit, pin))
        })
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
                .find(|pin| located(*pin, unit))
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

/// Reads a challenge token as the browser does (the nonce, the bits and the expiry are in clear).
fn parse_challenge(token: &str) -> Option<Challenge> {
    let mut parts = token.split('.');
    Some(Challenge {
        nonce: parts.next()?.to_owned(),
        bits: parts.next()?.parse().ok()?,
        expires_at_micros: parts.next()?.parse().ok()?,
    })
}
