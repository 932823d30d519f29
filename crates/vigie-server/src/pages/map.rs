//! `GET /carte`: the map of France drawn from Vigie's own outlines (no tile server), with the commune,
//! département, CROSS, OFAST antenna and defence zone of any point clicked. The page is a shell; its
//! script (`static/carte.js`) reads the geography API with the session cookie.

use super::session::PageSession;
use super::view::MapPage;
use super::{render, PageResult};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use vigie_core::policy::Action;

pub async fn map(State(state): State<AppState>, session: PageSession) -> PageResult {
    session.require(Action::ReadGeography)?;
    let geo = state
        .engine
        .geography(&session.actor)
        .map_err(|e| session.fail(e))?;
    let page = MapPage {
        layout: session.layout("Carte", "/carte"),
        leaflet_version: vigie_assets::leaflet_version(),
        organisation_version: geo.organisation().version.clone(),
        attribution: geo.atlas().attribution.clone(),
    };
    Ok(render(StatusCode::OK, &page))
}
