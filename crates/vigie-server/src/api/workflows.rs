//! What follows a conflict, over the API: planned operations and their overlaps with other units'
//! (event deconfliction), referrals to an arbiter and the arbiter's decision, and the
//! priority-target list (nominations by units; listing, reviews and indicators for OFAST).
//!
//! Each handler is one engine call; the engine applies the policy, journals, and never shows one
//! unit another's label or file: an overlap names the other unit, its contact, the kind of
//! operation and the common window; only the arbiter reads both target summaries.

use crate::api::targets::rfc3339;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiActor, AppJson, AppQuery, Ctx, PathId};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use vigie_core::entity::FieldError;
use vigie_core::org::UnitId;
use vigie_engine::{
    ArbitrationCase, ArbitrationView, EngineError, OperationView, PriorityIndicators, PriorityView,
    TargetSummary,
};
use vigie_targets::operations::{OperationDraft, OperationId};
use vigie_targets::workflow::{ArbitrationId, ArbitrationOutcome, DelistCriterion, PriorityEntry};
use vigie_targets::TargetId;

const DAY_MICROS: i64 = 86_400_000_000;

/// Parses an RFC 3339 instant ("2026-12-01T22:00:00+01:00") into microseconds.
fn instant(field: &str, text: &str, errors: &mut Vec<FieldError>) -> i64 {
    match time::OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339) {
        Ok(at) => vigie_engine::clock::micros(at),
        Err(_) => {
            errors.push(FieldError {
                field: field.to_owned(),
                message: "Date et heure attendues au format RFC 3339, par exemple 2026-12-01T22:00:00+01:00".to_owned(),
            });
            0
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OperationRequest {
    /// `search`, `arrest`, `surveillance`, `controlled_delivery`, `harassment` or `other`.
    pub kind: String,
    /// For the unit's own calendar; never shown to other units.
    pub label: String,
    /// RFC 3339.
    pub starts_at: String,
    /// RFC 3339; at most seven days after the start.
    pub ends_at: String,
    pub lat: f64,
    pub lon: f64,
    /// 10 to 5,000 metres.
    pub radius_m: u32,
    pub contact_name: String,
    pub contact_phone: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OverlapDto {
    pub other_operation: uuid::Uuid,
    pub other_unit: uuid::Uuid,
    pub other_unit_name: String,
    pub contact_name: String,
    pub contact_phone: String,
    /// The other operation's kind (never its label).
    pub other_kind: String,
    /// The common window.
    pub from: String,
    pub to: String,
    pub distance_m: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OperationDto {
    pub id: uuid::Uuid,
    pub kind: String,
    pub label: String,
    pub starts_at: String,
    pub ends_at: String,
    pub lat: f64,
    pub lon: f64,
    pub radius_m: u32,
    /// The commune (or arrondissement) of the centre.
    pub commune: Option<String>,
    pub contact_name: String,
    pub contact_phone: String,
    pub declared_at: String,
    pub overlaps: Vec<OverlapDto>,
}

impl From<&OperationView> for OperationDto {
    fn from(view: &OperationView) -> Self {
        let plan = &view.plan;
        OperationDto {
            id: view.id.0,
            kind: plan.kind.as_str().to_owned(),
            label: plan.label.clone(),
            starts_at: rfc3339(plan.starts_micros),
            ends_at: rfc3339(plan.ends_micros),
            lat: plan.lat,
            lon: plan.lon,
            radius_m: plan.radius_m,
            commune: plan.commune.clone(),
            contact_name: plan.contact_name.clone(),
            contact_phone: plan.contact_phone.clone(),
            declared_at: rfc3339(view.declared_at_micros),
            overlaps: view
                .overlaps
                .iter()
                .map(|overlap| OverlapDto {
                    other_operation: overlap.other_operation.0,
                    other_unit: overlap.other_unit.0,
                    other_unit_name: overlap.other_unit_name.clone(),
                    contact_name: overlap.contact_name.clone(),
                    contact_phone: overlap.contact_phone.clone(),
                    other_kind: overlap.other_kind.as_str().to_owned(),
                    from: rfc3339(overlap.from_micros),
                    to: rfc3339(overlap.to_micros),
                    distance_m: overlap.distance_m.round() as u32,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OperationsResponse {
    pub operations: Vec<OperationDto>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CalendarQuery {
    /// RFC 3339; default: seven days ago.
    pub from: Option<String>,
    /// RFC 3339; default: 90 days after `from`.
    pub to: Option<String>,
}

/// Declares an operation of the caller's unit; the answer lists the other units' operations it
/// meets (time windows overlap and circles touch), which those units see too.
#[utoipa::path(post, path = "/api/v1/operations", tag = "targets", security(("bearer" = [])), request_body = OperationRequest,
    responses((status = 201, body = OperationDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn declare_operation(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    AppJson(request): AppJson<OperationRequest>,
) -> ApiResult<Response> {
    let mut errors = Vec::new();
    let starts_micros = instant("starts_at", &request.starts_at, &mut errors);
    let ends_micros = instant("ends_at", &request.ends_at, &mut errors);
    if !errors.is_empty() {
        return Err(EngineError::Invalid(errors).into());
    }
    let draft = OperationDraft {
        kind: request.kind,
        label: request.label,
        starts_micros,
        ends_micros,
        lat: request.lat,
        lon: request.lon,
        radius_m: request.radius_m,
        contact_name: request.contact_name,
        contact_phone: request.contact_phone,
    };
    let view = state.engine.declare_operation(&actor, draft, &ctx).await?;
    Ok((StatusCode::CREATED, Json(OperationDto::from(&view))).into_response())
}

/// The caller's unit's operations meeting a window, in start order, each with its overlaps.
#[utoipa::path(get, path = "/api/v1/operations", tag = "targets", security(("bearer" = [])), params(CalendarQuery),
    responses((status = 200, body = OperationsResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn operations(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    AppQuery(query): AppQuery<CalendarQuery>,
) -> ApiResult<Json<OperationsResponse>> {
    let mut errors = Vec::new();
    let now = vigie_engine::clock::micros(state.engine.now());
    let from = query.from.as_deref().map_or(now - 7 * DAY_MICROS, |text| {
        instant("from", text, &mut errors)
    });
    let to = query.to.as_deref().map_or(from + 90 * DAY_MICROS, |text| {
        instant("to", text, &mut errors)
    });
    if !errors.is_empty() {
        return Err(EngineError::Invalid(errors).into());
    }
    let views = state.engine.unit_operations(&actor, from, to, &ctx).await?;
    Ok(Json(OperationsResponse {
        operations: views.iter().map(OperationDto::from).collect(),
    }))
}

/// Cancels one of the caller's unit's operations (erased at once).
#[utoipa::path(post, path = "/api/v1/operations/{id}/cancel", tag = "targets", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Operation id")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn cancel_operation(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    PathId(id): PathId,
) -> ApiResult<StatusCode> {
    state
        .engine
        .cancel_operation(&actor, OperationId(id), &ctx)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferralRequest {
    /// The caller's unit's target.
    pub own_target: uuid::Uuid,
    /// The other unit's target it meets (as the notice gives it).
    pub other_target: uuid::Uuid,
    /// The parquet, JIRS or OFAST unit; default: the first competent one.
    pub arbiter: Option<uuid::Uuid>,
    /// Why (10 characters at least).
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ArbitrationDto {
    pub id: uuid::Uuid,
    /// The two targets, the earlier registered first.
    pub first_target: uuid::Uuid,
    pub second_target: uuid::Uuid,
    pub first_unit: uuid::Uuid,
    pub first_unit_name: String,
    pub second_unit: uuid::Uuid,
    pub second_unit_name: String,
    pub arbiter: uuid::Uuid,
    pub arbiter_name: String,
    pub referred_by: uuid::Uuid,
    pub referred_at: String,
    pub reason: String,
    /// `lead_unit`, `co_referral` or `joint_team`, once decided.
    pub outcome: Option<String>,
    /// The lead unit, for `lead_unit`.
    pub lead_unit: Option<uuid::Uuid>,
    /// The decision in French.
    pub decision: Option<String>,
    pub motivation: Option<String>,
    pub decided_at: Option<String>,
}

impl From<&ArbitrationView> for ArbitrationDto {
    fn from(view: &ArbitrationView) -> Self {
        let arbitration = &view.arbitration;
        let decision = arbitration.decision.as_ref();
        ArbitrationDto {
            id: arbitration.id.0,
            first_target: arbitration.first_target.0,
            second_target: arbitration.second_target.0,
            first_unit: arbitration.first_unit.0,
            first_unit_name: view.first_unit_name.clone(),
            second_unit: arbitration.second_unit.0,
            second_unit_name: view.second_unit_name.clone(),
            arbiter: arbitration.arbiter.0,
            arbiter_name: view.arbiter_name.clone(),
            referred_by: arbitration.referred_by.0,
            referred_at: rfc3339(arbitration.referred_at_micros),
            reason: arbitration.reason.clone(),
            outcome: decision.map(|decision| {
                match decision.outcome {
                    ArbitrationOutcome::LeadUnit(_) => "lead_unit",
                    ArbitrationOutcome::CoReferral => "co_referral",
                    ArbitrationOutcome::JointTeam => "joint_team",
                }
                .to_owned()
            }),
            lead_unit: decision.and_then(|decision| match decision.outcome {
                ArbitrationOutcome::LeadUnit(unit) => Some(unit.0),
                _ => None,
            }),
            decision: view.decision_fr(),
            motivation: decision.map(|decision| decision.motivation.clone()),
            decided_at: decision.map(|decision| rfc3339(decision.at_micros)),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ArbitrationsResponse {
    pub arbitrations: Vec<ArbitrationDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TargetSummaryDto {
    pub target: uuid::Uuid,
    pub unit_name: String,
    pub caption: String,
    pub procedure: String,
    pub regime: String,
    pub magistrate: Option<String>,
    pub contact_name: String,
    pub contact_phone: String,
    pub registered_at: String,
    pub identifiers: usize,
    pub renewals: usize,
}

impl From<&TargetSummary> for TargetSummaryDto {
    fn from(summary: &TargetSummary) -> Self {
        TargetSummaryDto {
            target: summary.target.0,
            unit_name: summary.unit_name.clone(),
            caption: summary.caption.clone(),
            procedure: summary.procedure.clone(),
            regime: summary.regime.as_str().to_owned(),
            magistrate: summary.magistrate.clone(),
            contact_name: summary.contact_name.clone(),
            contact_phone: summary.contact_phone.clone(),
            registered_at: rfc3339(summary.registered_at_micros),
            identifiers: summary.identifiers,
            renewals: summary.renewals,
        }
    }
}

/// The arbiter's view: the referral, both summaries, how the targets met.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArbitrationCaseDto {
    pub arbitration: ArbitrationDto,
    pub first: TargetSummaryDto,
    pub second: TargetSummaryDto,
    pub matches: Vec<String>,
}

impl From<&ArbitrationCase> for ArbitrationCaseDto {
    fn from(case: &ArbitrationCase) -> Self {
        ArbitrationCaseDto {
            arbitration: ArbitrationDto::from(&case.view),
            first: TargetSummaryDto::from(&case.first),
            second: TargetSummaryDto::from(&case.second),
            matches: case.matches.iter().map(|kind| kind.as_str()).collect(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    /// `lead_unit`, `co_referral` or `joint_team`.
    pub outcome: String,
    /// For `lead_unit`: one of the two units.
    pub lead_unit: Option<uuid::Uuid>,
    /// Why (10 characters at least).
    pub motivation: String,
}

/// Refers a conflict between one of the caller's targets and another unit's to the competent
/// magistrate (a parquet or JIRS named on either procedure) or, for files that are not judicial, OFAST.
#[utoipa::path(post, path = "/api/v1/arbitrations", tag = "targets", security(("bearer" = [])), request_body = ReferralRequest,
    responses((status = 201, body = ArbitrationDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn refer(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    AppJson(request): AppJson<ReferralRequest>,
) -> ApiResult<Response> {
    let view = state
        .engine
        .refer_arbitration(
            &actor,
            TargetId(request.own_target),
            TargetId(request.other_target),
            request.arbiter.map(UnitId),
            &request.reason,
            &ctx,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(ArbitrationDto::from(&view))).into_response())
}

/// The referrals the caller's unit is party to or, for an arbiter, addressed to it; open first.
#[utoipa::path(get, path = "/api/v1/arbitrations", tag = "targets", security(("bearer" = [])),
    responses((status = 200, body = ArbitrationsResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn arbitrations(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<ArbitrationsResponse>> {
    let views = state.engine.arbitrations(&actor, &ctx).await?;
    Ok(Json(ArbitrationsResponse {
        arbitrations: views.iter().map(ArbitrationDto::from).collect(),
    }))
}

/// A referral addressed to the caller's unit, with both target summaries (arbiters only).
#[utoipa::path(get, path = "/api/v1/arbitrations/{id}", tag = "targets", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Arbitration id")),
    responses((status = 200, body = ArbitrationCaseDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn arbitration(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    PathId(id): PathId,
) -> ApiResult<Json<ArbitrationCaseDto>> {
    let case = state
        .engine
        .arbitration_case(&actor, ArbitrationId(id), &ctx)
        .await?;
    Ok(Json(ArbitrationCaseDto::from(&case)))
}

/// Parses an arbitration outcome as the API and the pages send it.
pub fn outcome(
    kind: &str,
    lead_unit: Option<uuid::Uuid>,
) -> Result<ArbitrationOutcome, EngineError> {
    let invalid = |message: &str| {
        EngineError::Invalid(vec![FieldError {
            field: "outcome".to_owned(),
            message: message.to_owned(),
        }])
    };
    match (kind.trim(), lead_unit) {
        ("lead_unit", Some(unit)) => Ok(ArbitrationOutcome::LeadUnit(UnitId(unit))),
        ("lead_unit", None) => Err(invalid("Précisez l'unité qui dirige")),
        ("co_referral", _) => Ok(ArbitrationOutcome::CoReferral),
        ("joint_team", _) => Ok(ArbitrationOutcome::JointTeam),
        _ => Err(invalid(
            "Décision inconnue : lead_unit, co_referral ou joint_team",
        )),
    }
}

/// The arbiter decides: one unit leads, co-referral, or a joint investigation team; once.
#[utoipa::path(post, path = "/api/v1/arbitrations/{id}/decision", tag = "targets", security(("bearer" = [])), request_body = DecisionRequest,
    params(("id" = uuid::Uuid, Path, description = "Arbitration id")),
    responses((status = 200, body = ArbitrationDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn decide(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    PathId(id): PathId,
    AppJson(request): AppJson<DecisionRequest>,
) -> ApiResult<Json<ArbitrationDto>> {
    let outcome = outcome(&request.outcome, request.lead_unit)?;
    let view = state
        .engine
        .decide_arbitration(
            &actor,
            ArbitrationId(id),
            outcome,
            &request.motivation,
            &ctx,
        )
        .await?;
    Ok(Json(ArbitrationDto::from(&view)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PriorityEventDto {
    pub at: String,
    pub status: String,
    pub reasons: String,
    pub criterion: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PriorityOutcomeDto {
    /// `arrest`, `seizure` or `network_dismantled`.
    pub kind: String,
    pub date: String,
    pub description: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PriorityEntryDto {
    pub target: uuid::Uuid,
    pub unit: uuid::Uuid,
    /// `nominated`, `listed`, `refused` or `delisted`.
    pub status: String,
    pub status_fr: String,
    pub review_due: Option<String>,
    pub history: Vec<PriorityEventDto>,
    pub outcomes: Vec<PriorityOutcomeDto>,
}

impl From<&PriorityEntry> for PriorityEntryDto {
    fn from(entry: &PriorityEntry) -> Self {
        PriorityEntryDto {
            target: entry.target.0,
            unit: entry.unit.0,
            status: entry.status.as_str().to_owned(),
            status_fr: entry.status.label_fr().to_owned(),
            review_due: entry.review_due_micros.map(rfc3339),
            history: entry
                .history
                .iter()
                .map(|event| PriorityEventDto {
                    at: rfc3339(event.at_micros),
                    status: event.status.as_str().to_owned(),
                    reasons: event.reasons.clone(),
                    criterion: event.criterion.map(|c| c.as_str().to_owned()),
                })
                .collect(),
            outcomes: entry
                .outcomes
                .iter()
                .map(|outcome| PriorityOutcomeDto {
                    kind: outcome.kind.clone(),
                    date: outcome.date.clone(),
                    description: outcome.description.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PriorityRowDto {
    pub entry: PriorityEntryDto,
    pub caption: String,
    pub procedure: String,
    pub unit_name: String,
    pub review_overdue: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CountDto {
    pub label: String,
    pub count: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorsDto {
    pub nominated: usize,
    pub listed: usize,
    pub refused: usize,
    pub delisted: usize,
    pub reviews_overdue: usize,
    pub median_days_to_decision: Option<i64>,
    pub outcomes: Vec<CountDto>,
    pub delisted_by_criterion: Vec<CountDto>,
    pub listed_by_unit: Vec<CountDto>,
}

fn counts(rows: &[(String, usize)]) -> Vec<CountDto> {
    rows.iter()
        .map(|(label, count)| CountDto {
            label: label.clone(),
            count: *count,
        })
        .collect()
}

impl From<&PriorityIndicators> for IndicatorsDto {
    fn from(indicators: &PriorityIndicators) -> Self {
        IndicatorsDto {
            nominated: indicators.nominated,
            listed: indicators.listed,
            refused: indicators.refused,
            delisted: indicators.delisted,
            reviews_overdue: indicators.reviews_overdue,
            median_days_to_decision: indicators.median_days_to_decision,
            outcomes: counts(&indicators.outcomes),
            delisted_by_criterion: counts(&indicators.delisted_by_criterion),
            listed_by_unit: counts(&indicators.listed_by_unit),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PriorityListResponse {
    pub entries: Vec<PriorityRowDto>,
    pub indicators: IndicatorsDto,
}

impl PriorityListResponse {
    fn new(views: &[PriorityView], indicators: &PriorityIndicators) -> Self {
        PriorityListResponse {
            entries: views
                .iter()
                .map(|view| PriorityRowDto {
                    entry: PriorityEntryDto::from(&view.entry),
                    caption: view.caption.clone(),
                    procedure: view.procedure.clone(),
                    unit_name: view.unit_name.clone(),
                    review_overdue: view.review_overdue,
                })
                .collect(),
            indicators: IndicatorsDto::from(indicators),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NominationRequest {
    /// One of the caller's unit's targets.
    pub target: uuid::Uuid,
    /// Why it should be listed (10 characters at least).
    pub reasons: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorityDecisionRequest {
    /// `list` or `refuse`.
    pub decision: String,
    pub reasons: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    /// Absent: kept on the list for six more months. Otherwise `dismantled`, `neutralised`,
    /// `inactive`, `procedure_ended` or `other`.
    pub delist: Option<String>,
    pub reasons: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeRequest {
    /// `arrest`, `seizure` or `network_dismantled`.
    pub kind: String,
    /// YYYY-MM-DD.
    pub date: String,
    pub description: String,
}

/// Parses a de-listing criterion as the API and the pages send it (empty: kept on the list).
pub fn criterion(text: Option<&str>) -> Result<Option<DelistCriterion>, EngineError> {
    match text.map(str::trim).filter(|text| !text.is_empty()) {
        None => Ok(None),
        Some(text) => DelistCriterion::parse(text).map(Some).ok_or_else(|| {
            EngineError::Invalid(vec![FieldError {
                field: "delist".to_owned(),
                message: "Critère de retrait inconnu : dismantled, neutralised, inactive, procedure_ended ou other".to_owned(),
            }])
        }),
    }
}

/// Nominates one of the caller's unit's targets for the priority list.
#[utoipa::path(post, path = "/api/v1/priority", tag = "targets", security(("bearer" = [])), request_body = NominationRequest,
    responses((status = 201, body = PriorityEntryDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn nominate(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    AppJson(request): AppJson<NominationRequest>,
) -> ApiResult<Response> {
    let entry = state
        .engine
        .nominate_priority(&actor, TargetId(request.target), &request.reasons, &ctx)
        .await?;
    Ok((StatusCode::CREATED, Json(PriorityEntryDto::from(&entry))).into_response())
}

/// The priority list with its history and indicators (OFAST).
#[utoipa::path(get, path = "/api/v1/priority", tag = "targets", security(("bearer" = [])),
    responses((status = 200, body = PriorityListResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn priority_list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<PriorityListResponse>> {
    let (views, indicators) = state.engine.priority_list(&actor, &ctx).await?;
    Ok(Json(PriorityListResponse::new(&views, &indicators)))
}

/// The committee lists or refuses a nomination (OFAST).
#[utoipa::path(post, path = "/api/v1/priority/{id}/decision", tag = "targets", security(("bearer" = [])), request_body = PriorityDecisionRequest,
    params(("id" = uuid::Uuid, Path, description = "Target id")),
    responses((status = 200, body = PriorityEntryDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn priority_decision(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    PathId(id): PathId,
    AppJson(request): AppJson<PriorityDecisionRequest>,
) -> ApiResult<Json<PriorityEntryDto>> {
    let list = match request.decision.trim() {
        "list" => true,
        "refuse" => false,
        _ => {
            return Err(EngineError::Invalid(vec![FieldError {
                field: "decision".to_owned(),
                message: "Décision : list ou refuse".to_owned(),
            }])
            .into())
        }
    };
    let entry = state
        .engine
        .decide_priority(&actor, TargetId(id), list, &request.reasons, &ctx)
        .await?;
    Ok(Json(PriorityEntryDto::from(&entry)))
}

/// The six-monthly review of a listed target: kept, or de-listed on a criterion (OFAST).
#[utoipa::path(post, path = "/api/v1/priority/{id}/review", tag = "targets", security(("bearer" = [])), request_body = ReviewRequest,
    params(("id" = uuid::Uuid, Path, description = "Target id")),
    responses((status = 200, body = PriorityEntryDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn priority_review(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    PathId(id): PathId,
    AppJson(request): AppJson<ReviewRequest>,
) -> ApiResult<Json<PriorityEntryDto>> {
    let delist = criterion(request.delist.as_deref())?;
    let entry = state
        .engine
        .review_priority(&actor, TargetId(id), delist, &request.reasons, &ctx)
        .await?;
    Ok(Json(PriorityEntryDto::from(&entry)))
}

/// Links an outcome (arrest, seizure, network dismantled) to a listed target: OFAST or the
/// target's unit.
#[utoipa::path(post, path = "/api/v1/priority/{id}/outcomes", tag = "targets", security(("bearer" = [])), request_body = OutcomeRequest,
    params(("id" = uuid::Uuid, Path, description = "Target id")),
    responses((status = 200, body = PriorityEntryDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn priority_outcome(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    PathId(id): PathId,
    AppJson(request): AppJson<OutcomeRequest>,
) -> ApiResult<Json<PriorityEntryDto>> {
    let entry = state
        .engine
        .add_priority_outcome(
            &actor,
            TargetId(id),
            &request.kind,
            &request.date,
            &request.description,
            &ctx,
        )
        .await?;
    Ok(Json(PriorityEntryDto::from(&entry)))
}
