//! Server-rendered pages in French, in the DSFR design system (askama templates under `templates/`).
//! Pages call the engine exactly as the API does; they add the session cookie, forms and CSRF tokens.

use crate::AppState;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
}

pub fn not_found_page() -> Response {
    (StatusCode::NOT_FOUND, Html("<!doctype html><html lang=\"fr\"><title>Page introuvable</title><p>Page introuvable.</p></html>")).into_response()
}
