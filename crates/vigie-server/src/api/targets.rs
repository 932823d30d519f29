//! The national target file and blind deconfliction over the API: register targets (one, or up to
//! [`MAX_API_BULK`] at once, all or nothing), list the unit's targets, read one with its notices, add
//! identifiers, renew, end; the conflict inbox; standalone checks; the probing alerts for the
//! inspection. Identifiers travel in request bodies, never in URLs.
//!
//! Each handler is one engine call; the engine applies the policy (investigating units only),
//! journals, and never returns another unit's file: a notice names the other unit, whom to call,
//! the magistrate, since when and how the targets met.

use crate::error::{ApiError, ApiResult, ErrorBody, ErrorCode};
use crate::extract::{ApiActor, AppJson, Ctx, PathId};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use vigie_engine::{Notice, ProbeAlert, TargetView};
use vigie_targets::{IdentifierDraft, PersonDraft, TargetDraft, TargetId};

/// Most targets in one bulk request (the command line imports more).
pub const MAX_API_BULK: usize = 10_000;

pub(crate) fn rfc3339(micros: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1_000)
        .ok()
        .and_then(|at| {
            at.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentifierDto {
    /// `phone`, `plate`, `iban`, `siren` (a SIRET is reduced to its SIREN), `address` or `crypto_wallet`.
    pub kind: String,
    pub value: String,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonDto {
    pub surname: String,
    pub given_names: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// "YYYY-MM-DD"; without it the person is not matched on identity.
    pub birth_date: Option<String>,
    pub birth_place: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetRequest {
    /// The procedure number.
    pub procedure: String,
    /// `judicial`, `administrative` or `customs`.
    pub regime: String,
    /// The parquet or JIRS unit in charge, when it is in Vigie.
    pub magistrate_unit: Option<uuid::Uuid>,
    /// Required for a judicial procedure.
    pub magistrate_name: Option<String>,
    pub contact_name: String,
    pub contact_phone: String,
    pub person: Option<PersonDto>,
    #[serde(default)]
    pub identifiers: Vec<IdentifierDto>,
}

fn person_draft(person: PersonDto) -> PersonDraft {
    PersonDraft {
        surname: person.surname,
        given_names: person.given_names,
        aliases: person.aliases,
        birth_date: person.birth_date,
        birth_place: person.birth_place,
    }
}

fn identifier_drafts(identifiers: Vec<IdentifierDto>) -> Vec<IdentifierDraft> {
    identifiers
        .into_iter()
        .map(|identifier| IdentifierDraft {
            kind: identifier.kind,
            value: identifier.value,
        })
        .collect()
}

impl From<TargetRequest> for TargetDraft {
    fn from(request: TargetRequest) -> Self {
        TargetDraft {
            procedure: request.procedure,
            regime: request.regime,
            magistrate_unit: request.magistrate_unit.map(vigie_core::org::UnitId),
            magistrate_name: request.magistrate_name,
            contact_name: request.contact_name,
            contact_phone: request.contact_phone,
            person: request.person.map(person_draft),
            identifiers: identifier_drafts(request.identifiers),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkTargetsRequest {
    /// At most 10,000 targets; all are registered or none.
    pub targets: Vec<TargetRequest>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BulkTargetsResponse {
    pub registered: usize,
    /// Targets of this request that meet another unit's target (see the inbox).
    pub with_conflicts: usize,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentifiersRequest {
    pub identifiers: Vec<IdentifierDto>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MotivationRequest {
    /// Why (renewal: at least 10 characters).
    pub motivation: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    pub person: Option<PersonDto>,
    #[serde(default)]
    pub identifiers: Vec<IdentifierDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TargetDto {
    pub id: uuid::Uuid,
    pub caption: String,
    pub procedure: String,
    pub regime: String,
    pub magistrate: Option<String>,
    pub contact_name: String,
    pub contact_phone: String,
    pub person: Option<PersonDto>,
    /// Canonical forms (E.164 phones, plates as AB-123-CD, IBAN without spaces...).
    pub identifiers: Vec<IdentifierDto>,
    pub registered_at: String,
    pub expires_at: String,
    pub renewals: usize,
    /// Other units' targets it meets now.
    pub conflicts: usize,
}

impl From<&TargetView> for TargetDto {
    fn from(view: &TargetView) -> Self {
        let file = &view.file;
        TargetDto {
            id: view.id.0,
            caption: file.caption(),
            procedure: file.procedure.clone(),
            regime: file.regime.as_str().to_owned(),
            magistrate: file.magistrate.as_ref().map(|m| m.name.clone()),
            contact_name: file.contact_name.clone(),
            contact_phone: file.contact_phone.clone(),
            person: file.person.as_ref().map(|person| PersonDto {
                surname: person.surname.clone(),
                given_names: person.given_names.clone(),
                aliases: person.aliases.clone(),
                birth_date: person.birth_date.clone(),
                birth_place: person.birth_place.clone(),
            }),
            identifiers: file
                .identifiers
                .iter()
                .map(|identifier| IdentifierDto {
                    kind: identifier.kind.as_str().to_owned(),
                    value: identifier.value.clone(),
                })
                .collect(),
            registered_at: rfc3339(view.registered_at_micros),
            expires_at: rfc3339(view.expires_at_micros),
            renewals: file.renewals.len(),
            conflicts: view.conflicts,
        }
    }
}

/// What a unit is told about another unit's target: never its content.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeDto {
    /// The caller's target concerned (absent for a standalone check).
    pub own_target: Option<uuid::Uuid>,
    pub other_unit: uuid::Uuid,
    pub other_unit_name: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub magistrate: Option<String>,
    /// When the other unit registered its target.
    pub other_registered_at: String,
    pub other_is_earlier: bool,
    /// When the two targets first met.
    pub since: String,
    /// `phone`, `plate`, `iban`, `siren`, `address`, `crypto_wallet`, `person_exact`, `person_variant`.
    pub matches: Vec<String>,
    /// The same, in French.
    pub matches_fr: String,
}

impl From<&Notice> for NoticeDto {
    fn from(notice: &Notice) -> Self {
        NoticeDto {
            own_target: notice.own_target.map(|id| id.0),
            other_unit: notice.other_unit.0,
            other_unit_name: notice.other_unit_name.clone(),
            contact_name: notice.contact_name.clone(),
            contact_phone: notice.contact_phone.clone(),
            magistrate: notice.magistrate.clone(),
            other_registered_at: rfc3339(notice.other_registered_at_micros),
            other_is_earlier: notice.other_is_earlier,
            since: rfc3339(notice.since_micros),
            matches: notice.matches.iter().map(|kind| kind.as_str()).collect(),
            matches_fr: notice.matches_fr(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationResponse {
    pub target: TargetDto,
    pub notices: Vec<NoticeDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TargetsResponse {
    pub targets: Vec<TargetDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoticesResponse {
    pub notices: Vec<NoticeDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AlertDto {
    pub account: String,
    pub unit: String,
    pub hour_start: String,
    pub checks: usize,
}

impl From<&ProbeAlert> for AlertDto {
    fn from(alert: &ProbeAlert) -> Self {
        AlertDto {
            account: alert.account.clone(),
            unit: alert.unit.clone(),
            hour_start: rfc3339(alert.hour_start_micros),
            checks: alert.checks,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AlertsResponse {
    pub alerts: Vec<AlertDto>,
}

fn registration(registration: &vigie_engine::Registration) -> RegistrationResponse {
    RegistrationResponse {
        target: TargetDto::from(&registration.target),
        notices: registration.notices.iter().map(NoticeDto::from).collect(),
    }
}

/// Registers a target for the caller's unit; the answer carries the notices it raised (another unit
/// works on the same person or identifiers), which that unit receives too.
#[utoipa::path(post, path = "/api/v1/targets", tag = "targets", security(("bearer" = [])), request_body = TargetRequest,
    responses((status = 201, body = RegistrationResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn register(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    AppJson(request): AppJson<TargetRequest>,
) -> ApiResult<Response> {
    let done = state
        .engine
        .register_target(&actor, request.into(), &ctx)
        .await?;
    Ok((StatusCode::CREATED, Json(registration(&done))).into_response())
}

/// Registers up to 10,000 targets at once, all or nothing; errors name the target's index.
#[utoipa::path(post, path = "/api/v1/targets/bulk", tag = "targets", security(("bearer" = [])), request_body = BulkTargetsRequest,
    responses((status = 201, body = BulkTargetsResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn register_bulk(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    AppJson(request): AppJson<BulkTargetsRequest>,
) -> ApiResult<Response> {
    if request.targets.len() > MAX_API_BULK {
        return Err(ApiError::with_message(
            ErrorCode::Validation,
            "10 000 objectifs au plus par requête : utilisez `vigie targets import` pour davantage.",
        ));
    }
    let drafts = request.targets.into_iter().map(TargetDraft::from).collect();
    let done = state
        .engine
        .register_targets_bulk(&actor, drafts, &ctx)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(BulkTargetsResponse {
            registered: done.registered,
            with_conflicts: done.with_conflicts,
        }),
    )
        .into_response())
}

/// The caller's unit's live targets, latest first, with their number of conflicts.
#[utoipa::path(get, path = "/api/v1/targets", tag = "targets", security(("bearer" = [])),
    responses((status = 200, body = TargetsResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<TargetsResponse>> {
    let targets = state.engine.unit_targets(&actor, &ctx).await?;
    Ok(Json(TargetsResponse {
        targets: targets.iter().map(TargetDto::from).collect(),
    }))
}

/// One of the caller's unit's targets with its notices (another unit's target is 404).
#[utoipa::path(get, path = "/api/v1/targets/{id}", tag = "targets", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Target id")),
    responses((status = 200, body = RegistrationResponse), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    PathId(id): PathId,
) -> ApiResult<Json<RegistrationResponse>> {
    let (view, notices) = state.engine.unit_target(&actor, TargetId(id), &ctx).await?;
    Ok(Json(RegistrationResponse {
        target: TargetDto::from(&view),
        notices: notices.iter().map(NoticeDto::from).collect(),
    }))
}

/// Adds identifiers to a target; they are deconflicted at once.
#[utoipa::path(post, path = "/api/v1/targets/{id}/identifiers", tag = "targets", security(("bearer" = [])), request_body = IdentifiersRequest,
    params(("id" = uuid::Uuid, Path, description = "Target id")),
    responses((status = 200, body = RegistrationResponse), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_identifiers(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    PathId(id): PathId,
    AppJson(request): AppJson<IdentifiersRequest>,
) -> ApiResult<Json<RegistrationResponse>> {
    let done = state
        .engine
        .add_target_identifiers(
            &actor,
            TargetId(id),
            identifier_drafts(request.identifiers),
            &ctx,
        )
        .await?;
    Ok(Json(registration(&done)))
}

/// Renews a target for two years from now, with a motivation.
#[utoipa::path(post, path = "/api/v1/targets/{id}/renewal", tag = "targets", security(("bearer" = [])), request_body = MotivationRequest,
    params(("id" = uuid::Uuid, Path, description = "Target id")),
    responses((status = 200, body = RegistrationResponse), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn renew(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    PathId(id): PathId,
    AppJson(request): AppJson<MotivationRequest>,
) -> ApiResult<Json<RegistrationResponse>> {
    let done = state
        .engine
        .renew_target(&actor, TargetId(id), &request.motivation, &ctx)
        .await?;
    Ok(Json(registration(&done)))
}

/// Ends a target (the procedure is over): erased at once from the file and from deconfliction.
#[utoipa::path(post, path = "/api/v1/targets/{id}/end", tag = "targets", security(("bearer" = [])), request_body = MotivationRequest,
    params(("id" = uuid::Uuid, Path, description = "Target id")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn end(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    PathId(id): PathId,
    AppJson(request): AppJson<MotivationRequest>,
) -> ApiResult<StatusCode> {
    state
        .engine
        .end_target(&actor, TargetId(id), &request.motivation, &ctx)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The unit's conflict inbox: one notice per pair of targets, newest first.
#[utoipa::path(get, path = "/api/v1/deconfliction/notices", tag = "targets", security(("bearer" = [])),
    responses((status = 200, body = NoticesResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn notices(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<NoticesResponse>> {
    let notices = state.engine.deconfliction_notices(&actor, &ctx).await?;
    Ok(Json(NoticesResponse {
        notices: notices.iter().map(NoticeDto::from).collect(),
    }))
}

/// Checks a person and/or identifiers against other units' targets without registering them.
/// Journaled; more than 30 checks in an hour alert the inspection.
#[utoipa::path(post, path = "/api/v1/deconfliction/check", tag = "targets", security(("bearer" = [])), request_body = CheckRequest,
    responses((status = 200, body = NoticesResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn check(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    AppJson(request): AppJson<CheckRequest>,
) -> ApiResult<Json<NoticesResponse>> {
    let outcome = state
        .engine
        .check_deconfliction(
            &actor,
            request.person.map(person_draft),
            identifier_drafts(request.identifiers),
            &ctx,
        )
        .await?;
    Ok(Json(NoticesResponse {
        notices: outcome.notices.iter().map(NoticeDto::from).collect(),
    }))
}

/// Alerts raised by repeated checks, for auditors and the inspection.
#[utoipa::path(get, path = "/api/v1/deconfliction/alerts", tag = "targets", security(("bearer" = [])),
    responses((status = 200, body = AlertsResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn alerts(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<AlertsResponse>> {
    let alerts = state.engine.probe_alerts(&actor, &ctx).await?;
    Ok(Json(AlertsResponse {
        alerts: alerts.iter().map(AlertDto::from).collect(),
    }))
}
