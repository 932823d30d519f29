//! Standing watches over the API: an intelligence search or an entity saved by the caller, with
//! what is new since it was last marked as seen (counted through the caller's access scope).
//! Watches are the caller's alone: another account's watch is `404`.

use super::intel::{search_request, IntelFiltersDto, IntelSortDto};
use crate::api::targets::rfc3339;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiActor, AppJson, Ctx, PathId};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use vigie_core::entity::{EntityId, FieldError};
use vigie_engine::{EngineError, WatchSubject, WatchView};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WatchSearchDto {
    #[serde(default)]
    pub query: String,
    #[serde(default)]
    pub filters: IntelFiltersDto,
}

/// A new watch: exactly one of `search` and `entity`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWatchBody {
    /// The name the analyst gives it (3 to 120 characters).
    pub label: String,
    /// An intelligence search to watch: new items matching it.
    pub search: Option<WatchSearchDto>,
    /// An entity to watch: new links to it and new items about it.
    pub entity: Option<uuid::Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WatchNewsDto {
    /// New intelligence items (matching the search, or about the entity).
    pub items: u64,
    /// New links to the entity.
    pub links: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WatchDto {
    pub id: uuid::Uuid,
    pub label: String,
    /// `search` or `entity`.
    pub kind: String,
    /// The watched search's words.
    pub query: Option<String>,
    /// The watched search's filters.
    #[schema(value_type = Object)]
    pub filters: Option<serde_json::Value>,
    pub entity: Option<uuid::Uuid>,
    pub created_at: String,
    /// News are counted from this instant.
    pub seen_at: String,
    pub news: WatchNewsDto,
    /// The watched entity can no longer be seen: nothing is counted.
    pub unavailable: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WatchesResponse {
    pub watches: Vec<WatchDto>,
}

impl From<&WatchView> for WatchDto {
    fn from(view: &WatchView) -> Self {
        let (kind, query, filters, entity) = match &view.subject {
            WatchSubject::Search(request) => (
                "search",
                Some(request.query.clone()),
                serde_json::to_value(&request.filters).ok(),
                None,
            ),
            WatchSubject::Entity(id) => ("entity", None, None, Some(id.0)),
        };
        Self {
            id: view.id,
            label: view.label.clone(),
            kind: kind.to_owned(),
            query,
            filters,
            entity,
            created_at: rfc3339(vigie_engine::clock::micros(view.created_at)),
            seen_at: rfc3339(vigie_engine::clock::micros(view.seen_at)),
            news: WatchNewsDto {
                items: view.news.items,
                links: view.news.links,
            },
            unavailable: view.unavailable,
        }
    }
}

/// The caller's watches, newest first, each with what is new since it was last seen.
#[utoipa::path(get, path = "/api/v1/watches", tag = "intel", security(("bearer" = [])),
    responses((status = 200, body = WatchesResponse), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<WatchesResponse>> {
    let views = state.engine.watches(&actor, &ctx).await?;
    Ok(Json(WatchesResponse {
        watches: views.iter().map(WatchDto::from).collect(),
    }))
}

/// Saves a watch on an intelligence search or on an entity the caller may consult.
#[utoipa::path(post, path = "/api/v1/watches", tag = "intel", security(("bearer" = [])), request_body = NewWatchBody,
    responses((status = 201, body = WatchDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    AppJson(body): AppJson<NewWatchBody>,
) -> ApiResult<Response> {
    let subject = match (body.search, body.entity) {
        (Some(search), None) => WatchSubject::Search(
            search_request(search.query, search.filters, IntelSortDto::Relevance, 1, 0)
                .map_err(EngineError::Invalid)?,
        ),
        (None, Some(entity)) => WatchSubject::Entity(EntityId(entity)),
        _ => {
            return Err(EngineError::Invalid(vec![FieldError {
                field: "search".to_owned(),
                message: "Une veille porte soit sur une recherche, soit sur une entité".to_owned(),
            }])
            .into())
        }
    };
    let view = state
        .engine
        .create_watch(&actor, &body.label, subject, &ctx)
        .await?;
    Ok((StatusCode::CREATED, Json(WatchDto::from(&view))).into_response())
}

/// Marks a watch as seen: its news are counted again from now.
#[utoipa::path(post, path = "/api/v1/watches/{id}/seen", tag = "intel", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Watch id")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn seen(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    PathId(id): PathId,
) -> ApiResult<StatusCode> {
    state.engine.mark_watch_seen(&actor, id, &ctx).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes one of the caller's watches.
#[utoipa::path(delete, path = "/api/v1/watches/{id}", tag = "intel", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Watch id")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiActor(actor): ApiActor,
    PathId(id): PathId,
) -> ApiResult<StatusCode> {
    state.engine.delete_watch(&actor, id, &ctx).await?;
    Ok(StatusCode::NO_CONTENT)
}
