//! `GET /carte`: the map of France drawn from Vigie's own outlines (no tile server), with the commune,
//! département, CROSS, OFAST antenna and defence zone of any point clicked. The page is a shell; its
//! script (`static/carte.js`) reads the geography API with the session cookie. When the deployment
//! configures an external base layer (IGN Géoplateforme tiles), the page draws it beneath and its CSP
//! allows images from that one origin.

use super::session::PageSession;
use super::view::MapPage;
use super::{render, PageResult};
use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use vigie_core::policy::Action;

pub async fn map(State(state): State<AppState>, session: PageSession) -> PageResult {
    session.require(Action::ReadGeography)?;
    let geo = state
        .engine
        .geography(&session.actor)
        .map_err(|e| session.fail(e))?;
    let tiles = state.config.map_tiles.as_ref();
    let page = MapPage {
        layout: session.layout("Carte", "/carte"),
        leaflet_version: vigie_assets::leaflet_version(),
        organisation_version: geo.organisation().version.clone(),
        attribution: geo.atlas().attribution.clone(),
        tiles_url: tiles.map(|t| t.url.clone()).unwrap_or_default(),
        tiles_attribution: tiles.map(|t| t.attribution.clone()).unwrap_or_default(),
    };
    let mut response = render(StatusCode::OK, &page).into_response();
    if let Some(tiles) = tiles {
        // Images from the base layer's origin, on this page only.
        let csp = crate::middleware::CSP.replace(
            "img-src 'self' data:",
            &format!("img-src 'self' data: {}", tiles.origin),
        );
        if let Ok(value) = HeaderValue::from_str(&csp) {
            response
                .headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, value);
        }
    }
    Ok(response)
}
