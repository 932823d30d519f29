//! Dealing points: the places with recurring sales that the CROSS confirm from reports, follow
//! through their lifecycle, and put on the national map (plan measure 5).
//!
//! A point is a workflow record of kind `dealing-point` whose area is its département. Every
//! transition is dated, motivated and journaled; a point keeps its reports, opening hours, prices
//! seen, the operations against it, and the points it moved to or from. The map is read through
//! the policy: a CROSS and the services of a département see their territory, OFAST the whole
//! country, partners nothing.
//!
//! Resurgence is derived, like conflicts: when a CROSS reads its points, a dismantled point (or
//! one under watch) with enough independent reports near it since its dismantling is flagged, and
//! the analyst decides whether to move it to "resurgent". Nothing is stored until they do.
//!
//! What it does not do: create points from reports by itself (an analyst decides), or show a
//! point to a resident.

use crate::auth::Actor;
use crate::error::{EngineError, EngineResult};
use crate::reports::{
    area_of, areas_to_read, invalid, invalid_field, PointCandidate, ReportSummary, NATIONAL_AREA,
};
use crate::{clock, Engine, RequestContext};
use uuid::Uuid;
use vigie_core::entity::LegalRegime;
use vigie_core::journal::{JournalAction, Outcome};
use vigie_core::org::UnitId;
use vigie_core::policy::{decide, search_scope, Action, ObjectMarks};
use vigie_reports::{
    DealingPoint, Pin, PointIndex, PointOperation, PointSite, PointStatus, PriceSeen, Report,
    ReportSighting, ResurgenceRule, TimeSlot, Weekday,
};
use vigie_store::{Mutation, WorkflowRecord, WriteBatch};

pub(crate) const POINT_KIND: &str = "dealing-point";

/// A new dealing point, possibly from the report that revealed it.
#[derive(Clone, Debug)]
pub struct NewPoint {
    pub label: String,
    pub pin: Pin,
    /// A report to attach to it at once (the analyst must be able to triage it).
    pub from_report: Option<Uuid>,
}

/// One change to a point.
#[derive(Clone, Debug)]
pub enum PointChange {
    Status {
        to: PointStatus,
        motivation: String,
    },
    Operation(PointOperation),
    Price(PriceSeen),
    Hours {
        days: Vec<Weekday>,
        slots: Vec<TimeSlot>,
    },
    /// The point moved to another one (displacement after an operation).
    MovedTo {
        to: Uuid,
        motivation: String,
    },
}

/// A point on the map.
#[derive(Clone, Debug)]
pub struct PointMarker {
    pub id: Uuid,
    pub label: String,
    pub pin: Pin,
    pub status: PointStatus,
    pub commune: Option<String>,
    pub departement: Option<String>,
    pub reports: usize,
    /// Dismantled or under watch, with enough independent reports near it since: the analyst
    /// should consider moving it to "resurgent". Only computed for the CROSS's own reports.
    pub resurgence_suspected: bool,
    /// The products of its prices seen, trimmed, distinct without regard to case (the first
    /// spelling kept), sorted case-insensitively: what the map filters on.
    pub products: Vec<String>,
    /// When it entered its current status: its last transition, else its creation (UTC
    /// microseconds).
    pub status_since_micros: i64,
    /// Its latest sign of life: the latest of `status_since_micros`, its operations' days and its
    /// prices' days (a day counts from its midnight UTC; an unreadable day is skipped).
    pub last_activity_micros: i64,
}

/// The products of a point's prices, for [`PointMarker::products`].
fn marker_products(point: &DealingPoint) -> Vec<String> {
    let mut products: Vec<String> = Vec::new();
    for price in &point.prices {
        let product = price.product.trim();
        let folded = product.to_lowercase();
        if !product.is_empty() && !products.iter().any(|seen| seen.to_lowercase() == folded) {
            products.push(product.to_owned());
        }
    }
    products.sort_by_cached_key(|product| product.to_lowercase());
    products
}

/// A `YYYY-MM-DD` day at midnight UTC, in microseconds.
fn day_micros(day: &str) -> Option<i64> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(day.trim(), format).ok()?;
    Some(date.midnight().assume_utc().unix_timestamp() * 1_000_000)
}

/// [`PointMarker::status_since_micros`] and [`PointMarker::last_activity_micros`].
fn marker_dates(point: &DealingPoint) -> (i64, i64) {
    let since = point
        .history
        .iter()
        .map(|transition| transition.at_micros)
        .max()
        .unwrap_or(point.created_at_micros);
    let last = point
        .operations
        .iter()
        .filter_map(|operation| day_micros(&operation.date))
        .chain(
            point
                .prices
                .iter()
                .filter_map(|price| day_micros(&price.seen_on)),
        )
        .fold(since, i64::max);
    (since, last)
}

/// A point as its page shows it.
#[derive(Clone, Debug)]
pub struct PointView {
    pub point: DealingPoint,
    pub commune_name: Option<String>,
    /// Its reports the reader may triage (the others are counted in `point.reports`).
    pub reports: Vec<ReportSummary>,
    pub moved_to: Vec<(Uuid, String)>,
    pub moved_from: Vec<(Uuid, String)>,
    pub resurgence_suspected: bool,
    /// Whether the reader may change it.
    pub can_manage: bool,
}

pub(crate) fn point_marks(point: &DealingPoint) -> ObjectMarks<'_> {
    ObjectMarks {
        owner_unit: UnitId(Uuid::nil()),
        departement: point.departement.as_deref(),
        regime: LegalRegime::Administrative,
    }
}

pub(crate) fn point_record(point: &DealingPoint) -> EngineResult<WorkflowRecord> {
    Ok(WorkflowRecord {
        kind: POINT_KIND.to_owned(),
        id: point.id.to_string(),
        target_a: None,
        target_b: None,
        starts_micros: point.created_at_micros,
        ends_micros: i64::MAX,
        area: Some(area_of(point.departement.as_deref())),
        body: serde_json::to_string(point)
            .map_err(|error| EngineError::Internal(error.to_string()))?,
    })
}

pub(crate) fn parse_point(record: &WorkflowRecord) -> EngineResult<DealingPoint> {
    serde_json::from_str(&record.body)
        .map_err(|error| EngineError::Corrupt(format!("dealing point {}: {error}", record.id)))
}

/// A refused point transition, named at the field the user must correct.
fn point_status_error(error: vigie_reports::PointStatusError) -> EngineError {
    let field = match error {
        vigie_reports::PointStatusError::MotivationRequired
        | vigie_reports::PointStatusError::MotivationTooLong => "motivation",
        vigie_reports::PointStatusError::NotAllowed { .. } => "status",
    };
    invalid_field(field, error.to_string())
}

pub(crate) fn suspected(
    rule: &ResurgenceRule,
    point: &DealingPoint,
    sightings: &[ReportSighting],
) -> bool {
    matches!(
        point.status,
        PointStatus::Dismantled | PointStatus::UnderWatch
    ) && vigie_reports::point::is_resurgent(rule, point, sightings)
}

impl Engine {
    fn allowed_on_point(&self, actor: &Actor, action: Action, point: &DealingPoint) -> bool {
        decide(&actor.subject(), action, Some(point_marks(point))).is_allowed()
    }

    /// The points of the areas the actor may read for `action`, or of one area.
    pub(crate) async fn points_for(
        &self,
        actor: &Actor,
        action: Action,
        area: Option<&str>,
    ) -> EngineResult<Vec<DealingPoint>> {
        let queries = areas_to_read(actor, action, area)?;
        let mut points = Vec::new();
        for area in queries {
            for record in self.records_in(POINT_KIND, area).await? {
                let point = parse_point(&record)?;
                if self.allowed_on_point(actor, action, &point) {
                    points.push(point);
                }
            }
        }
        Ok(points)
    }

    /// The sightings (located reports) the actor may triage in `area`, for resurgence.
    async fn sightings(&self, actor: &Actor, area: &str) -> EngineResult<Vec<ReportSighting>> {
        if search_scope(&actor.subject(), Action::TriageReports).is_none() {
            return Ok(Vec::new());
        }
        Ok(self
            .triage_reports(actor, Some(area))
            .await?
            .iter()
            .filter_map(ReportSighting::from_report)
            .collect())
    }

    /// The map: the points the actor may see, of one area (a département code or "national") or
    /// of all. One journal entry per read.
    pub async fn points_map(
        &self,
        actor: &Actor,
        area: Option<&str>,
        ctx: &RequestContext,
    ) -> EngineResult<Vec<PointMarker>> {
        let points = self
            .points_for(actor, Action::ReadDealingPoints, area)
            .await?;
        // Resurgence is derived from reports, which only a CROSS (or OFAST) reads, one area at
        // a time: the national map shows the statuses as decided.
        let rule = self.inner.config.resurgence;
        let sightings = match area {
            Some(area)
                if points.iter().any(|point| {
                    matches!(
                        point.status,
                        PointStatus::Dismantled | PointStatus::UnderWatch
                    )
                }) =>
            {
                self.sightings(actor, area).await?
            }
            _ => Vec::new(),
        };
        let markers: Vec<PointMarker> = points
            .into_iter()
            .map(|point| {
                let (status_since_micros, last_activity_micros) = marker_dates(&point);
                PointMarker {
                    resurgence_suspected: suspected(&rule, &point, &sightings),
                    products: marker_products(&point),
                    status_since_micros,
                    last_activity_micros,
                    id: point.id,
                    label: point.label,
                    pin: point.pin,
                    status: point.status,
                    commune: point.commune,
                    departement: point.departement,
                    reports: point.reports.len(),
                }
            })
            .collect();
        let draft = self.draft(
            Some(actor),
            JournalAction::Search,
            format!(
                "dealing-point-map:{}:{}",
                area.unwrap_or("all"),
                markers.len()
            ),
            "carte des points de deal",
            Outcome::Allow,
            ctx,
        );
        self.journal_only(vec![draft]).await?;
        Ok(markers)
    }

    /// Creates a point (status "reported") where the pin lies; with `from_report`, attaches that
    /// report to it in the same transaction.
    pub async fn create_point(
        &self,
        actor: &Actor,
        new: NewPoint,
        ctx: &RequestContext,
    ) -> EngineResult<Uuid> {
        if search_scope(&actor.subject(), Action::ManageDealingPoints).is_none() {
            return Err(EngineError::Forbidden);
        }
        if vigie_geo::check_coordinates(new.pin.lat, new.pin.lon).is_err() {
            return Err(invalid_field("pin", "Coordonnées invalides."));
        }
        let (commune, departement) = match self.inner.geography.locate(new.pin.lat, new.pin.lon) {
            Ok(Some(location)) => (Some(location.commune.code), Some(location.departement.code)),
            _ => (None, None),
        };
        let now = clock::micros(self.inner.clock.now());
        let mut point = DealingPoint::new(
            Uuid::new_v4(),
            &new.label,
            new.pin,
            commune,
            departement,
            now,
        )
        .map_err(|error| invalid(vec![error]))?;
        if !self.allowed_on_point(actor, Action::ManageDealingPoints, &point) {
            return Err(invalid_field(
                "pin",
                "Ce lieu est hors de votre territoire.",
            ));
        }
        let mut mutations = Vec::new();
        let mut journal = vec![self.draft(
            Some(actor),
            JournalAction::Collect,
            format!("dealing-point:{}", point.id),
            "création d'un point de deal",
            Outcome::Allow,
            ctx,
        )];
        if let Some(report_id) = new.from_report {
            let (record, mut report) = self.triage_read(actor, report_id).await?;
            report
                .apply(
                    vigie_reports::ReportStatus::Attached,
                    &actor.account.username,
                    "Point de deal créé à partir de ce signalement",
                    now,
                    Some(point.id),
                )
                .map_err(crate::reports::status_error)?;
            point.reports.push(report.id);
            mutations.push(Mutation::PutRecordIf {
                record: crate::reports::report_record(&report)?,
                read: Some(record.body),
            });
            journal.push(self.draft(
                Some(actor),
                JournalAction::Modify,
                format!("report:{report_id}"),
                "rattachement à un nouveau point de deal",
                Outcome::Allow,
                ctx,
            ));
        }
        mutations.insert(
            0,
            Mutation::PutRecordIf {
                record: point_record(&point)?,
                read: None,
            },
        );
        self.commit(WriteBatch { mutations, journal }).await?;
        Ok(point.id)
    }

    async fn read_point(&self, id: Uuid) -> EngineResult<(WorkflowRecord, DealingPoint)> {
        let Some(record) = self.inner.store.record(POINT_KIND, &id.to_string()).await? else {
            return Err(EngineError::NotFound);
        };
        let point = parse_point(&record)?;
        Ok((record, point))
    }

    /// A point's page. NotFound when the actor may not read it.
    pub async fn point(
        &self,
        actor: &Actor,
        id: Uuid,
        ctx: &RequestContext,
    ) -> EngineResult<PointView> {
        let (_, point) = self.read_point(id).await?;
        if !self.allowed_on_point(actor, Action::ReadDealingPoints, &point) {
            return Err(EngineError::NotFound);
        }
        let draft = self.draft(
            Some(actor),
            JournalAction::Consult,
            format!("dealing-point:{id}"),
            "fiche d'un point de deal",
            Outcome::Allow,
            ctx,
        );
        self.journal_only(vec![draft]).await?;
        let area = area_of(point.departement.as_deref());
        let triage = search_scope(&actor.subject(), Action::TriageReports).is_some();
        let mut reports = Vec::new();
        let mut sightings = Vec::new();
        if triage {
            for report in self.triage_reports(actor, Some(&area)).await? {
                if let Some(sighting) = ReportSighting::from_report(&report) {
                    sightings.push(sighting);
                }
                if point.reports.contains(&report.id) {
                    reports.push(self.summary_of(&report));
                }
            }
        }
        let labels = |ids: &[Uuid]| {
            let ids = ids.to_vec();
            async move {
                let mut out = Vec::new();
                for other in ids {
                    if let Ok((_, found)) = self.read_point(other).await {
                        if self.allowed_on_point(actor, Action::ReadDealingPoints, &found) {
                            out.push((other, found.label));
                        }
                    }
                }
                out
            }
        };
        let moved_to = labels(&point.moved_to).await;
        let moved_from = labels(&point.moved_from).await;
        Ok(PointView {
            resurgence_suspected: suspected(&self.inner.config.resurgence, &point, &sightings),
            commune_name: self.commune_name(point.commune.as_deref()),
            can_manage: self.allowed_on_point(actor, Action::ManageDealingPoints, &point),
            reports,
            moved_to,
            moved_from,
            point,
        })
    }

    /// Changes a point: its status (motivated), an operation, a price seen, its hours, or its
    /// displacement to another point (both keep the link).
    pub async fn update_point(
        &self,
        actor: &Actor,
        id: Uuid,
        change: PointChange,
        ctx: &RequestContext,
    ) -> EngineResult<DealingPoint> {
        let (record, mut point) = self.read_point(id).await?;
        if !self.allowed_on_point(actor, Action::ReadDealingPoints, &point)
            && !self.allowed_on_point(actor, Action::ManageDealingPoints, &point)
        {
            return Err(EngineError::NotFound);
        }
        if !self.allowed_on_point(actor, Action::ManageDealingPoints, &point) {
            return Err(EngineError::Forbidden);
        }
        let now = clock::micros(self.inner.clock.now());
        let mut mutations = Vec::new();
        let motif = match change {
            PointChange::Status { to, motivation } => {
                point
                    .apply(to, &actor.account.username, &motivation, now)
                    .map_err(point_status_error)?;
                format!("statut : {}", to.label())
            }
            PointChange::Operation(operation) => {
                operation.validate().map_err(invalid)?;
                point.operations.push(operation);
                "opération".to_owned()
            }
            PointChange::Price(price) => {
                price.validate().map_err(invalid)?;
                point.prices.push(price);
                "prix relevé".to_owned()
            }
            PointChange::Hours { days, slots } => {
                point.days = days;
                point.slots = slots;
                "horaires".to_owned()
            }
            PointChange::MovedTo { to, motivation } => {
                if to == id {
                    return Err(invalid_field(
                        "to",
                        "Un point ne peut pas se déplacer vers lui-même.",
                    ));
                }
                if motivation.trim().is_empty() {
                    return Err(invalid_field(
                        "motivation",
                        "Une motivation est obligatoire.",
                    ));
                }
                if motivation.chars().count() > 1500 {
                    return Err(invalid_field(
                        "motivation",
                        "La motivation doit tenir en 1 500 caractères.",
                    ));
                }
                let (other_record, mut other) = self
                    .read_point(to)
                    .await
                    .map_err(|_| invalid_field("to", "Point de destination introuvable."))?;
                if !self.allowed_on_point(actor, Action::ManageDealingPoints, &other) {
                    return Err(invalid_field("to", "Point de destination introuvable."));
                }
                if !point.moved_to.contains(&to) {
                    point.moved_to.push(to);
                }
                if !other.moved_from.contains(&id) {
                    other.moved_from.push(id);
                }
                // The motivation is kept on the point, as an operation of the day; the journal
                // names the two points only.
                let day = self.inner.clock.now().date();
                point.operations.push(PointOperation {
                    date: format!(
                        "{:04}-{:02}-{:02}",
                        day.year(),
                        u8::from(day.month()),
                        day.day()
                    ),
                    kind: vigie_reports::OperationKind::Other,
                    note: format!("Déplacé vers « {} » : {}", other.label, motivation.trim()),
                });
                mutations.push(Mutation::PutRecordIf {
                    record: point_record(&other)?,
                    read: Some(other_record.body),
                });
                format!("déplacement vers dealing-point:{to}")
            }
        };
        mutations.insert(
            0,
            Mutation::PutRecordIf {
                record: point_record(&point)?,
                read: Some(record.body),
            },
        );
        let journal = vec![self.draft(
            Some(actor),
            JournalAction::Modify,
            format!("dealing-point:{id}"),
            &motif,
            Outcome::Allow,
            ctx,
        )];
        self.commit(WriteBatch { mutations, journal }).await?;
        Ok(point)
    }

    /// Candidate points for a report, among its area's points: by distance and words when it has
    /// a pin, by commune and words otherwise. Computed for the analyst only.
    pub(crate) async fn point_candidates(
        &self,
        report: &Report,
        area: &str,
    ) -> EngineResult<Vec<PointCandidate>> {
        if area == NATIONAL_AREA {
            return Ok(Vec::new());
        }
        let points: Vec<DealingPoint> = self
            .records_in(POINT_KIND, Some(area.to_owned()))
            .await?
            .iter()
            .map(parse_point)
            .collect::<EngineResult<_>>()?;
        let describe = |point: &DealingPoint| {
            format!(
                "{} {}",
                point.label,
                point.commune.clone().unwrap_or_default()
            )
        };
        let text = format!("{} {}", report.draft.place, report.draft.description);
        let mut candidates = Vec::new();
        match report.draft.pin {
            Some(pin) => {
                let index = PointIndex::new(
                    points
                        .iter()
                        .map(|point| PointSite {
                            id: point.id,
                            pin: point.pin,
                            text: describe(point),
                        })
                        .collect(),
                );
                for candidate in index.candidates(pin, &text, vigie_reports::CANDIDATE_RADIUS_M) {
                    if let Some(point) = points.iter().find(|point| point.id == candidate.id) {
                        candidates.push(PointCandidate {
                            id: point.id,
                            label: point.label.clone(),
                            status: point.status,
                            distance_m: Some(candidate.distance_m),
                            similarity: candidate.similarity,
                            score: candidate.score,
                        });
                    }
                }
            }
            None => {
                for point in points
                    .iter()
                    .filter(|point| report.commune.is_some() && point.commune == report.commune)
                {
                    let similarity = vigie_reports::nearby::similarity(&text, &describe(point));
                    candidates.push(PointCandidate {
                        id: point.id,
                        label: point.label.clone(),
                        status: point.status,
                        distance_m: None,
                        similarity,
                        score: similarity,
                    });
                }
                candidates.sort_by(|a, b| b.score.total_cmp(&a.score));
            }
        }
        candidates.truncate(10);
        Ok(candidates)
    }

    /// The write that adds a report to a point's list (the actor must manage the point).
    pub(crate) async fn attach_to_point(
        &self,
        actor: &Actor,
        id: Uuid,
        report: &Report,
    ) -> EngineResult<Mutation> {
        let (record, mut point) = self
            .read_point(id)
            .await
            .map_err(|_| invalid_field("point", "Point de deal introuvable."))?;
        if !self.allowed_on_point(actor, Action::ManageDealingPoints, &point) {
            return Err(invalid_field("point", "Point de deal introuvable."));
        }
        if !point.reports.contains(&report.id) {
            point.reports.push(report.id);
        }
        Ok(Mutation::PutRecordIf {
            record: point_record(&point)?,
            read: Some(record.body),
        })
    }

    /// The write that takes a report off a point's list, if the point still has it.
    pub(crate) async fn detach_from_point(
        &self,
        id: Uuid,
        report: Uuid,
    ) -> EngineResult<Option<Mutation>> {
        let Ok((record, mut point)) = self.read_point(id).await else {
            return Ok(None);
        };
        if !point.reports.contains(&report) {
            return Ok(None);
        }
        point.reports.retain(|other| *other != report);
        Ok(Some(Mutation::PutRecordIf {
            record: point_record(&point)?,
            read: Some(record.body),
        }))
    }
}

// Demo seeding only (`crate::demo_reports`, `vigie serve --demo`): never reachable from a request.
impl Engine {
    /// Demo seeding only: moves a point's dates `by_micros` into the past (its creation, every
    /// recorded move, its dismantling), so that the demo can show a point dismantled weeks ago
    /// with reports since: resurgence compares the reports' hours with the dismantling, and the
    /// system clock of `vigie serve --demo` cannot be set back. Journaled as the system.
    pub(crate) async fn backdate_point_for_demo(
        &self,
        id: Uuid,
        by_micros: i64,
        ctx: &RequestContext,
    ) -> EngineResult<()> {
        let (record, mut point) = self.read_point(id).await?;
        point.created_at_micros = point.created_at_micros.saturating_sub(by_micros);
        for transition in &mut point.history {
            transition.at_micros = transition.at_micros.saturating_sub(by_micros);
        }
        if let Some(at) = point.dismantled_at_micros.as_mut() {
            *at = at.saturating_sub(by_micros);
        }
        let mut draft = self.draft(
            None,
            JournalAction::Modify,
            format!("dealing-point:{id}"),
            "données de démonstration : dates antérieures",
            Outcome::Allow,
            ctx,
        );
        draft.actor = "system".to_owned();
        self.commit(WriteBatch {
            mutations: vec![Mutation::PutRecordIf {
                record: point_record(&point)?,
                read: Some(record.body),
            }],
            journal: vec![draft],
        })
        .await?;
        Ok(())
    }
}
