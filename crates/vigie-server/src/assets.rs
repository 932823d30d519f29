//! Static files, embedded in the binary and served with caching: the design system (DSFR), Leaflet
//! and its plugins Leaflet.markercluster and Leaflet.heat, and Cytoscape.js, from npm through
//! `vigie-assets` (strong ETags), and Vigie's own page scripts
//! and styles (under `static/`, short caching). Nothing here is fetched from a third party.

use crate::AppState;
use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assets/dsfr/{*path}", get(dsfr))
        .route("/assets/leaflet/{*path}", get(leaflet))
        .route(
            "/assets/leaflet-markercluster/{*path}",
            get(leaflet_markercluster),
        )
        .route("/assets/leaflet-heat/{*path}", get(leaflet_heat))
        .route("/assets/cytoscape/{*path}", get(cytoscape))
        .route("/assets/vigie/{*path}", get(own))
}

/// Vigie's own scripts and styles (pages carry no inline script or style, for the CSP).
const OWN: &[(&str, &str, &[u8])] = &[
    (
        "carte.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/carte.js"),
    ),
    (
        "carte.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/carte.css"),
    ),
    (
        "graphe.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/graphe.js"),
    ),
    (
        "graphe.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/graphe.css"),
    ),
    (
        "fond-carte.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/fond-carte.js"),
    ),
    (
        "operations.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/operations.js"),
    ),
    (
        "operations.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/operations.css"),
    ),
    (
        "points.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/points.js"),
    ),
    (
        "points.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/points.css"),
    ),
    (
        "signaler.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/signaler.js"),
    ),
    (
        "signaler.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/signaler.css"),
    ),
];

async fn own(Path(path): Path<String>) -> Response {
    let Some((_, content_type, bytes)) = OWN.iter().find(|(name, _, _)| *name == path) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    response
}

async fn dsfr(Path(path): Path<String>, headers: HeaderMap) -> Response {
    serve(vigie_assets::dsfr(&path), &headers)
}

async fn leaflet(Path(path): Path<String>, headers: HeaderMap) -> Response {
    serve(vigie_assets::leaflet(&path), &headers)
}

async fn leaflet_markercluster(Path(path): Path<String>, headers: HeaderMap) -> Response {
    serve(vigie_assets::leaflet_markercluster(&path), &headers)
}

async fn leaflet_heat(Path(path): Path<String>, headers: HeaderMap) -> Response {
    serve(vigie_assets::leaflet_heat(&path), &headers)
}

async fn cytoscape(Path(path): Path<String>, headers: HeaderMap) -> Response {
    serve(vigie_assets::cytoscape(&path), &headers)
}

fn serve(asset: Option<vigie_assets::Asset>, headers: &HeaderMap) -> Response {
    let Some(asset) = asset else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let etag = format!("\"{}\"", asset.etag);
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(etag.as_str())
    {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let mut response = asset.bytes.into_response();
    let response_headers = response.headers_mut();
    response_headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    response_headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    if let Ok(value) = HeaderValue::from_str(&etag) {
        response_headers.insert(header::ETAG, value);
    }
    response
}
