//! Extractors that give bad input our error format: JSON bodies (malformed, unknown fields, too
//! large), path ids, the request context, and the authenticated actor (Bearer token or session cookie).

use crate::error::{ApiError, ErrorCode};
use crate::middleware::RequestId;
use crate::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;
use vigie_engine::{Actor, RequestContext};

pub const SESSION_COOKIE: &str = "vigie_session";

/// A JSON body; every failure becomes an [`ApiError`].
pub struct AppJson<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequest<AppState> for AppJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(AppJson(value)),
            Err(rejection) => Err(json_rejection(&rejection)),
        }
    }
}

/// A UTF-8 text body (JSON lines, CSV); too large is 413, anything else unreadable 400, in our format.
pub struct AppText(pub String);

impl FromRequest<AppState> for AppText {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        match String::from_request(request, state).await {
            Ok(text) => Ok(AppText(text)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError::new(ErrorCode::PayloadTooLarge))
            }
            Err(_) => Err(ApiError::new(ErrorCode::MalformedBody)),
        }
    }
}

fn json_rejection(rejection: &JsonRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::new(ErrorCode::PayloadTooLarge);
    }
    match rejection {
        JsonRejection::JsonDataError(error) => {
            // serde's message names the field and the expected type; it never echoes whole values.
            let detail = error.body_text();
            let detail = detail
                .rsplit_once(": ")
                .map(|(_, tail)| tail.to_owned())
                .unwrap_or(detail);
            ApiError::with_message(
                ErrorCode::InvalidJson,
                format!(
                    "{} ({})",
                    ErrorCode::InvalidJson.message(),
                    truncate(&detail, 200)
                ),
            )
        }
        JsonRejection::JsonSyntaxError(_) => ApiError::new(ErrorCode::MalformedJson),
        JsonRejection::MissingJsonContentType(_) => ApiError::new(ErrorCode::UnsupportedMediaType),
        _ => ApiError::new(ErrorCode::MalformedJson),
    }
}

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// The request context the engine journals with.
pub struct Ctx(pub RequestContext);

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let request_id = parts
            .extensions
            .get::<RequestId>()
            .map(|id| id.0.clone())
            .unwrap_or_default();
        Ok(Ctx(RequestContext { request_id }))
    }
}

/// The session token from `Authorization: Bearer` or from the session cookie.
pub fn session_token(parts: &Parts) -> Option<String> {
    if let Some(value) = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        return value
            .strip_prefix("Bearer ")
            .map(|token| token.trim().to_owned());
    }
    cookie(parts, SESSION_COOKIE)
}

pub fn cookie(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// An authenticated actor for the JSON API (401 in our format otherwise).
pub struct ApiActor(pub Actor);

impl FromRequestParts<AppState> for ApiActor {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token =
            session_token(parts).ok_or_else(|| ApiError::new(ErrorCode::Unauthenticated))?;
        Ok(ApiActor(state.engine.authenticate(&token).await?))
    }
}

/// A path parameter that must be a UUID.
pub struct PathId(pub uuid::Uuid);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(raw) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|_| ApiError::new(ErrorCode::InvalidParameter))?;
        uuid::Uuid::parse_str(&raw).map(PathId).map_err(|_| {
            ApiError::with_message(
                ErrorCode::InvalidParameter,
                "Identifiant invalide : un UUID est attendu.",
            )
        })
    }
}

/// Query parameters; a missing or malformed one becomes a 400 in our error format, naming it.
pub struct AppQuery<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for AppQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(AppQuery(value)),
            Err(rejection) => {
                // serde_urlencoded names the parameter and the problem ("missing field `bbox`").
                let detail = rejection.body_text();
                let detail = detail
                    .rsplit_once(": ")
                    .map_or(detail.as_str(), |(_, tail)| tail);
                Err(ApiError::with_message(
                    ErrorCode::InvalidParameter,
                    format!(
                        "{} ({})",
                        ErrorCode::InvalidParameter.message(),
                        truncate(detail, 200)
                    ),
                ))
            }
        }
    }
}
