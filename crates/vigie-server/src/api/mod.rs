//! The JSON API under `/api/v1`. Each handler maps its request to one engine call and the answer to a
//! wire type; the wire types here are the only `Serialize` forms of Vigie's model. Requests reject
//! unknown fields. Search terms and motifs travel in request bodies, never in URLs.

mod dto;
pub mod facts;
pub mod geo;
pub mod graph;
pub mod intel;
pub mod reports;
pub mod targets;
pub mod watches;
pub mod workflows;

pub use dto::*;

use crate::error::{ApiError, ApiResult, ErrorBody, ErrorCode};
use crate::extract::{ApiActor, AppJson, Ctx, PathId};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use vigie_core::entity::{EntityId, LegalRegime, LinkKind, Schema};
use vigie_core::journal::JournalAction;
use vigie_core::org::{AccountId, Role, Territory, UnitId, UnitKind};
use vigie_engine::{JournalQuery, NewAccount, NewEntity, NewLink, NewUnit, SearchRequest};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(health))
        .route("/api/v1/session", post(login).delete(logout))
        .route("/api/v1/me", get(me))
        .route("/api/v1/entities/search", post(search))
        .route("/api/v1/entities", post(create_entity))
        .route("/api/v1/entities/{id}/consultation", post(consult))
        .route("/api/v1/entities/graph", post(graph::graph))
        .route("/api/v1/entities/graph/anx", post(graph::anx))
        .route("/api/v1/entities/graph/ftm", post(graph::ftm))
        .route("/api/v1/entities/graph/csv", post(graph::csv))
        .route(
            "/api/v1/entities/import",
            post(graph::import).layer(axum::extract::DefaultBodyLimit::max(
                graph::MAX_IMPORT_BYTES,
            )),
        )
        .route("/api/v1/links", post(create_link))
        .route("/api/v1/journal", get(journal))
        .route("/api/v1/admin/units", get(list_units).post(create_unit))
        .route(
            "/api/v1/admin/accounts",
            get(list_accounts).post(create_account),
        )
        .route("/api/v1/admin/accounts/{id}/disable", post(disable_account))
        .route("/api/v1/admin/accounts/{id}/enable", post(enable_account))
        .route("/api/v1/admin/accounts/{id}/move", post(move_account))
        .route("/api/v1/geo/locate", post(geo::locate))
        .route("/api/v1/geo/locate/batch", post(geo::locate_batch))
        .route("/api/v1/geo/communes/search", post(geo::communes))
        .route("/api/v1/geo/organisation", get(geo::organisation))
        .route(
            "/api/v1/geo/layers/departements",
            get(geo::departements_layer),
        )
        .route("/api/v1/geo/layers/communes", get(geo::communes_layer))
        .route(
            "/api/v1/targets",
            get(targets::list).post(targets::register),
        )
        .route("/api/v1/targets/bulk", post(targets::register_bulk))
        .route("/api/v1/targets/{id}", get(targets::show))
        .route(
            "/api/v1/targets/{id}/identifiers",
            post(targets::add_identifiers),
        )
        .route("/api/v1/targets/{id}/renewal", post(targets::renew))
        .route("/api/v1/targets/{id}/end", post(targets::end))
        .route("/api/v1/deconfliction/notices", get(targets::notices))
        .route("/api/v1/deconfliction/check", post(targets::check))
        .route("/api/v1/entities/{id}/facts", post(facts::add_fact))
        .route(
            "/api/v1/entities/{id}/merge-suggestions",
            post(facts::suggestions),
        )
        .route("/api/v1/entities/{id}/merges", post(facts::merge))
        .route("/api/v1/entities/{id}/unmerge", post(facts::unmerge))
        .route("/api/v1/intel/items", post(intel::record))
        .route("/api/v1/intel/search", post(intel::search))
        .route("/api/v1/intel/export", post(intel::export))
        .route("/api/v1/intel/export/csv", post(intel::export_csv))
        .route(
            "/api/v1/intel/items/{id}/consultation",
            post(intel::consult),
        )
        .route("/api/v1/intel/items/{id}/sanitised", post(intel::sanitise))
        .route("/api/v1/intel/items/{id}/permissions", post(intel::permit))
        .route("/api/v1/deconfliction/alerts", get(targets::alerts))
        .route("/api/v1/watches", get(watches::list).post(watches::create))
        .route("/api/v1/watches/{id}/seen", post(watches::seen))
        // Reports API.
        .route(
            "/api/v1/public/reports/challenge",
            get(reports::public_challenge),
        )
        .route(
            "/api/v1/public/reports",
            post(reports::public_submit).layer(axum::extract::DefaultBodyLimit::max(
                reports::MAX_REPORT_BYTES,
            )),
        )
        .route(
            "/api/v1/public/receipts/status",
            post(reports::receipt_status),
        )
        .route(
            "/api/v1/public/receipts/messages",
            post(reports::receipt_message),
        )
        .route(
            "/api/v1/public/communes/search",
            post(reports::public_communes),
        )
        .route(
            "/api/v1/reports",
            post(reports::partner_submit).layer(axum::extract::DefaultBodyLimit::max(
                reports::MAX_REPORT_BYTES,
            )),
        )
        .route("/api/v1/reports/mine", get(reports::partner_reports))
        .route("/api/v1/reports/digest", get(reports::partner_digest))
        .route("/api/v1/reports/queue", post(reports::queue))
        .route("/api/v1/reports/{id}/consultation", post(reports::consult))
        .route("/api/v1/reports/{id}/status", post(reports::change_status))
        .route("/api/v1/reports/{id}/notes", post(reports::add_note))
        .route("/api/v1/reports/{id}/messages", post(reports::send_message))
        .route("/api/v1/reports/{id}/photos/{photo}", get(reports::photo))
        .route(
            "/api/v1/dealing-points",
            get(reports::points).post(reports::create_point),
        )
        .route("/api/v1/dealing-points/{id}", get(reports::point))
        .route(
            "/api/v1/dealing-points/{id}/changes",
            post(reports::change_point),
        )
        .route(
            "/api/v1/watches/{id}",
            axum::routing::delete(watches::delete),
        )
        .route(
            "/api/v1/operations",
            get(workflows::operations).post(workflows::declare_operation),
        )
        .route(
            "/api/v1/operations/{id}/cancel",
            post(workflows::cancel_operation),
        )
        .route(
            "/api/v1/arbitrations",
            get(workflows::arbitrations).post(workflows::refer),
        )
        .route("/api/v1/arbitrations/{id}", get(workflows::arbitration))
        .route(
            "/api/v1/arbitrations/{id}/decision",
            post(workflows::decide),
        )
        .route(
            "/api/v1/priority",
            get(workflows::priority_list).post(workflows::nominate),
        )
        .route(
            "/api/v1/priority/{id}/decision",
            post(workflows::priority_decision),
        )
        .route(
            "/api/v1/priority/{id}/review",
            post(workflows::priority_review),
        )
        .route(
            "/api/v1/priority/{id}/outcomes",
            post(workflows::priority_outcome),
        )
}

/// Adds `X-Vigie-Journal-Seq`: the journal entry that recorded this response's consultation.
fn with_journal_seq(seq: u64, body: impl IntoResponse) -> Response {
    let mut response = body.into_response();
    if let Ok(value) = HeaderValue::from_str(&seq.to_string()) {
        response
            .headers_mut()
            .insert(HeaderName::from_static("x-vigie-journal-seq"), value);
    }
    response
}

fn invalid_field(field: &str, message: &str) -> ApiError {
    ApiError {
        code: ErrorCode::Validation,
        message: None,
        details: vec![vigie_core::entity::FieldError {
            field: field.to_owned(),
            message: message.to_owned(),
        }],
    }
}

/// Store reachable and journal writable.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, body = HealthDto), (status = 503, body = ErrorBody)))]
pub async fn health(State(state): State<AppState>) -> ApiResult<Json<HealthDto>> {
    state.engine.health().await?;
    Ok(Json(HealthDto {
        status: "ok".to_owned(),
        backend: state.engine.backend().to_owned(),
    }))
}

/// Opens a session with a username and password; the token goes in `Authorization: Bearer`.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = LoginRequest,
    responses((status = 201, body = LoginResponse), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    AppJson(request): AppJson<LoginRequest>,
) -> ApiResult<Response> {
    let grant = state
        .engine
        .login(&request.username, &request.password, &ctx)
        .await?;
    let body = LoginResponse {
        token: grant.token,
        expires_at: grant
            .expires_at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        account: AccountDto::from(&grant.account),
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Closes the current session.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
) -> ApiResult<StatusCode> {
    state.engine.logout(&actor, &ctx).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The current account and its unit.
#[utoipa::path(get, path = "/api/v1/me", tag = "session", security(("bearer" = [])),
    responses((status = 200, body = MeResponse), (status = 401, body = ErrorBody)))]
pub async fn me(ApiActor(actor): ApiActor) -> Json<MeResponse> {
    Json(MeResponse {
        account: AccountDto::from(&actor.account),
        unit: UnitDto::from(&actor.unit),
    })
}

/// Searches entities the caller may see; needs a motif; journaled.
#[utoipa::path(post, path = "/api/v1/entities/search", tag = "entities", security(("bearer" = [])), request_body = SearchRequestDto,
    responses((status = 200, body = SearchResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    AppJson(request): AppJson<SearchRequestDto>,
) -> ApiResult<Response> {
    let schema = match request.schema.as_deref() {
        None | Some("") => None,
        Some(name) => Some(
            Schema::parse(name).ok_or_else(|| invalid_field("schema", "Type d'entité inconnu"))?,
        ),
    };
    let results = state
        .engine
        .search_entities(
            &actor,
            &SearchRequest {
                text: request.text,
                schema,
                motif: request.motif,
                limit: request.limit.unwrap_or(50),
            },
            &ctx,
        )
        .await?;
    let body = SearchResponse {
        hits: results.hits.iter().map(EntitySummaryDto::from).collect(),
        journal_seq: results.journal_seq,
    };
    Ok(with_journal_seq(results.journal_seq, Json(body)))
}

/// Opens an entity after stating a motif; the consultation is journaled before the answer.
#[utoipa::path(post, path = "/api/v1/entities/{id}/consultation", tag = "entities", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Entity id")), request_body = ConsultRequest,
    responses((status = 200, body = EntityDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn consult(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    PathId(id): PathId,
    AppJson(request): AppJson<ConsultRequest>,
) -> ApiResult<Response> {
    let view = state
        .engine
        .consult_entity(&actor, EntityId(id), &request.motif, &ctx)
        .await?;
    let seq = view.journal_seq;
    Ok(with_journal_seq(seq, Json(EntityDto::from(&view))))
}

/// Records a new entity for the caller's unit.
#[utoipa::path(post, path = "/api/v1/entities", tag = "entities", security(("bearer" = [])), request_body = CreateEntityRequest,
    responses((status = 201, body = EntityDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_entity(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    AppJson(request): AppJson<CreateEntityRequest>,
) -> ApiResult<Response> {
    let schema = Schema::parse(&request.schema)
        .ok_or_else(|| invalid_field("schema", "Type d'entité inconnu"))?;
    let regime = LegalRegime::parse(&request.regime)
        .ok_or_else(|| invalid_field("regime", "Régime juridique inconnu"))?;
    let entity = state
        .engine
        .create_entity(
            &actor,
            NewEntity {
                schema,
                properties: request.properties,
                departement: request.departement,
                regime,
                source: request.source,
            },
            &ctx,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(EntityDto::from_entity(&entity, Vec::new(), 0)),
    )
        .into_response())
}

/// Records a link between two entities the caller can see.
#[utoipa::path(post, path = "/api/v1/links", tag = "entities", security(("bearer" = [])), request_body = CreateLinkRequest,
    responses((status = 201, body = LinkDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_link(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    AppJson(request): AppJson<CreateLinkRequest>,
) -> ApiResult<Response> {
    let kind = LinkKind::parse(&request.kind)
        .ok_or_else(|| invalid_field("kind", "Type de lien inconnu"))?;
    let parse_date = |field: &str, value: &Option<String>| -> ApiResult<Option<time::Date>> {
        match value.as_deref() {
            None | Some("") => Ok(None),
            Some(text) => {
                time::Date::parse(text, &time::format_description::well_known::Iso8601::DATE)
                    .map(Some)
                    .map_err(|_| invalid_field(field, "Date invalide (format AAAA-MM-JJ)"))
            }
        }
    };
    let new = NewLink {
        kind,
        source: EntityId(request.source),
        target: EntityId(request.target),
        start: parse_date("start", &request.start)?,
        end: parse_date("end", &request.end)?,
        source_note: request.source_note.unwrap_or_default(),
        basis: request.basis.map(Into::into),
    };
    let link = state.engine.create_link(&actor, new, &ctx).await?;
    Ok((StatusCode::CREATED, Json(LinkDto::from(&link))).into_response())
}

/// The journal, newest first (auditors and inspection). Reading it is journaled.
#[utoipa::path(get, path = "/api/v1/journal", tag = "journal", security(("bearer" = [])), params(JournalParams),
    responses((status = 200, body = JournalResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn journal(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    params: Result<Query<JournalParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Response> {
    let Query(params) = params.map_err(|_| ApiError::new(ErrorCode::InvalidParameter))?;
    let action = match params.action.as_deref() {
        None | Some("") => None,
        Some(name) => Some(JournalAction::parse(name).ok_or_else(|| {
            ApiError::with_message(ErrorCode::InvalidParameter, "Action de journal inconnue.")
        })?),
    };
    let query = JournalQuery {
        actor: params.actor.filter(|v| !v.is_empty()),
        object: params.object.filter(|v| !v.is_empty()),
        action,
        before_seq: params.before,
        limit: params.limit.unwrap_or(100),
    };
    let page = state.engine.journal_page(&actor, &query, &ctx).await?;
    let next_before = if page.entries.len() as u32 >= query.limit.clamp(1, 500) {
        page.entries.last().map(|e| e.seq)
    } else {
        None
    };
    let body = JournalResponse {
        entries: page
            .entries
            .iter()
            .map(|entry| JournalEntryDto::with_names(entry, &page.actor_names))
            .collect(),
        next_before,
    };
    Ok(with_journal_seq(page.journal_seq, Json(body)))
}

/// Every unit (administrators).
#[utoipa::path(get, path = "/api/v1/admin/units", tag = "administration", security(("bearer" = [])),
    responses((status = 200, body = [UnitDto]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_units(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<Vec<UnitDto>>> {
    // Listing goes through the same permission as managing: only administrators see this screen.
    state.engine.accounts(&actor).await?;
    Ok(Json(
        state
            .engine
            .units()
            .await?
            .iter()
            .map(UnitDto::from)
            .collect(),
    ))
}

/// Creates a unit (administrators).
#[utoipa::path(post, path = "/api/v1/admin/units", tag = "administration", security(("bearer" = [])), request_body = CreateUnitRequest,
    responses((status = 201, body = UnitDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_unit(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    AppJson(request): AppJson<CreateUnitRequest>,
) -> ApiResult<Response> {
    let kind = UnitKind::parse(&request.kind)
        .ok_or_else(|| invalid_field("kind", "Type d'unité inconnu"))?;
    let new = NewUnit {
        code: request.code,
        name: request.name,
        kind,
        territory: Territory::departements(request.territory),
        parent: request.parent.map(UnitId),
    };
    let unit = state.engine.create_unit(&actor, new, &ctx).await?;
    Ok((StatusCode::CREATED, Json(UnitDto::from(&unit))).into_response())
}

/// Every account (administrators).
#[utoipa::path(get, path = "/api/v1/admin/accounts", tag = "administration", security(("bearer" = [])),
    responses((status = 200, body = [AccountDto]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_accounts(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<Vec<AccountDto>>> {
    Ok(Json(
        state
            .engine
            .accounts(&actor)
            .await?
            .iter()
            .map(AccountDto::from)
            .collect(),
    ))
}

/// Creates an account (administrators).
#[utoipa::path(post, path = "/api/v1/admin/accounts", tag = "administration", security(("bearer" = [])), request_body = CreateAccountRequest,
    responses((status = 201, body = AccountDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_account(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    AppJson(request): AppJson<CreateAccountRequest>,
) -> ApiResult<Response> {
    let role = Role::parse(&request.role).ok_or_else(|| invalid_field("role", "Rôle inconnu"))?;
    let new = NewAccount {
        username: request.username,
        display_name: request.display_name,
        role,
        unit: UnitId(request.unit),
        password: request.password,
    };
    let account = state.engine.create_account(&actor, new, &ctx).await?;
    Ok((StatusCode::CREATED, Json(AccountDto::from(&account))).into_response())
}

/// Disables an account; its sessions end at once.
#[utoipa::path(post, path = "/api/v1/admin/accounts/{id}/disable", tag = "administration", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Account id")),
    responses((status = 200, body = AccountDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn disable_account(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    PathId(id): PathId,
) -> ApiResult<Json<AccountDto>> {
    let account = state
        .engine
        .set_account_disabled(&actor, AccountId(id), true, &ctx)
        .await?;
    Ok(Json(AccountDto::from(&account)))
}

/// Re-enables an account.
#[utoipa::path(post, path = "/api/v1/admin/accounts/{id}/enable", tag = "administration", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Account id")),
    responses((status = 200, body = AccountDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn enable_account(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    PathId(id): PathId,
) -> ApiResult<Json<AccountDto>> {
    let account = state
        .engine
        .set_account_disabled(&actor, AccountId(id), false, &ctx)
        .await?;
    Ok(Json(AccountDto::from(&account)))
}

/// Moves an account to another unit; its sessions end at once.
#[utoipa::path(post, path = "/api/v1/admin/accounts/{id}/move", tag = "administration", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Account id")), request_body = MoveAccountRequest,
    responses((status = 200, body = AccountDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn move_account(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    PathId(id): PathId,
    AppJson(request): AppJson<MoveAccountRequest>,
) -> ApiResult<Json<AccountDto>> {
    let account = state
        .engine
        .move_account(&actor, AccountId(id), UnitId(request.unit), &ctx)
        .await?;
    Ok(Json(AccountDto::from(&account)))
}
