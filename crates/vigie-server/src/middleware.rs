//! Cross-cutting layers: request ids, security headers, the route policy gate, metrics, and our error
//! format for unknown routes and methods.

use crate::error::{ApiError, ErrorCode};
use crate::routes;
use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The request id of the current request (random, never derived from the client).
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

pub async fn request_id(mut request: Request, next: Next) -> Response {
    let id = uuid::Uuid::new_v4().simple().to_string();
    request.extensions_mut().insert(RequestId(id.clone()));
    let mut response = next.run(request).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; \
connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'";

pub async fn security_headers(request: Request, next: Next) -> Response {
    let is_asset = request.uri().path().starts_with("/assets/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    // A page that needs more (the map with an external base layer) sets its own, stricter-than-none CSP.
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("geolocation=(), camera=(), microphone=()"),
    );
    // Pages and API answers are not stored, unless a handler chose otherwise for reference data
    // (map outlines); assets carry their own caching.
    if !is_asset && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Refuses any matched route that is missing from the route policy table (fail closed): a method the
/// table does not list for a known path answers 405 without reaching a handler; an unknown path, 500.
pub async fn route_policy(request: Request, next: Next) -> Response {
    if let Some(matched) = request.extensions().get::<MatchedPath>() {
        let path = matched.as_str();
        if routes::lookup(request.method().as_str(), path).is_none() {
            if routes::ROUTES.iter().any(|spec| spec.path == path) {
                return ApiError::new(ErrorCode::MethodNotAllowed).into_response();
            }
            tracing::error!(method = %request.method(), route = path, "route missing from the route policy table");
            return ApiError::new(ErrorCode::RouteNotInPolicy).into_response();
        }
    }
    next.run(request).await
}

pub async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = request.method().as_str().to_owned();
    let response = next.run(request).await;
    state.metrics.record(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

pub async fn not_found(request: Request) -> Response {
    if wants_html(&request) {
        return crate::pages::not_found_page().into_response();
    }
    ApiError::new(ErrorCode::NotFound).into_response()
}

pub async fn method_not_allowed() -> Response {
    ApiError::new(ErrorCode::MethodNotAllowed).into_response()
}

fn wants_html(request: &Request) -> bool {
    !request.uri().path().starts_with("/api/")
        && request
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    async fn status_of(router: axum::Router, method: &str, path: &str) -> (u16, String) {
        let request = axum::http::Request::builder()
            .method(method)
            .uri(path)
            .body(Body::empty())
            .unwrap();
        let response = router.oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let bytes = http_body_util::BodyExt::collect(response.into_body())
            .await
            .unwrap()
            .to_bytes();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    #[tokio::test]
    async fn a_route_missing_from_the_table_is_refused_before_its_handler() {
        let router = axum::Router::new()
            .route("/api/v1/unlisted", get(|| async { "secret" }))
            .route(
                "/api/v1/me",
                get(|| async { "listed" }).post(|| async { "unlisted method" }),
            )
            .layer(axum::middleware::from_fn(route_policy));
        let (status, body) = status_of(router.clone(), "GET", "/api/v1/unlisted").await;
        assert_eq!(status, 500);
        assert!(body.contains("VIGIE-INT-0002") && !body.contains("secret"));
        let (status, body) = status_of(router.clone(), "POST", "/api/v1/me").await;
        assert_eq!(status, 405);
        assert!(!body.contains("unlisted method"));
        assert_eq!(
            status_of(router, "GET", "/api/v1/me").await,
            (200, "listed".to_owned())
        );
    }
}
