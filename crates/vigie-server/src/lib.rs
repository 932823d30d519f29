//! Vigie's HTTP layer: the JSON API under `/api/v1` (described by OpenAPI), the server-rendered pages
//! in the French State design system (DSFR), health and metrics.
//!
//! Handlers are thin: they parse the request, call one engine method with the actor and the request
//! context, and render the answer. None touches storage; the engine applies the policy and the journal.
//! This crate is the only one that knows HTTP, cookies, HTML and JSON wire formats.

pub mod api;
mod assets;
pub mod error;
mod extract;
mod metrics;
mod middleware;
pub mod openapi;
mod pages;
pub mod routes;

use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;
use vigie_engine::Engine;

/// Settings of the HTTP layer.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// Mark the session cookie `Secure` (set when served over HTTPS).
    pub secure_cookies: bool,
    /// Demo mode: the login page lists the demo accounts.
    pub demo_accounts: Vec<(String, String)>,
    /// An external base layer for the map page (e.g. IGN Géoplateforme tiles), for deployments that
    /// reach it; off by default, when the map draws Vigie's own outlines only.
    pub map_tiles: Option<MapTiles>,
}

/// A tile URL template (`https://host/path/{z}/{x}/{y}...`) and the attribution it requires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapTiles {
    pub url: String,
    pub attribution: String,
    /// `https://host[:port]`: the one origin the map page's CSP then allows images from.
    pub origin: String,
}

impl MapTiles {
    /// Checks a template: https, with `{z}`, `{x}` and `{y}`. The error is for the operator, in French.
    pub fn parse(url: &str, attribution: &str) -> Result<MapTiles, String> {
        let rest = url.strip_prefix("https://").ok_or_else(|| {
            format!("fond de carte « {url} » : une adresse https:// est attendue")
        })?;
        let host = rest.split('/').next().unwrap_or_default();
        let host_ok = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
        if !host_ok {
            return Err(format!("fond de carte « {url} » : hôte invalide"));
        }
        for part in ["{z}", "{x}", "{y}"] {
            if !url.contains(part) {
                return Err(format!(
                    "fond de carte « {url} » : {part} manque dans le modèle d'adresse"
                ));
            }
        }
        if url.contains(['"', '\'', ' ', '<', '>']) {
            return Err(format!("fond de carte « {url} » : caractère interdit"));
        }
        Ok(MapTiles {
            url: url.to_owned(),
            attribution: attribution.to_owned(),
            origin: format!("https://{host}"),
        })
    }
}

#[derive(Clone)]
pub struct AppState {
    pub engine: Engine,
    pub config: Arc<ServerConfig>,
    pub metrics: Arc<metrics::HttpMetrics>,
}

/// The whole application router.
pub fn app(engine: Engine, config: ServerConfig) -> Router {
    let state = AppState {
        engine,
        config: Arc::new(config),
        metrics: Arc::new(metrics::HttpMetrics::default()),
    };
    let max_body = state.config.max_body_bytes;
    Router::new()
        .merge(api::router())
        .merge(pages::router())
        .merge(assets::router())
        .merge(metrics::router())
        .merge(openapi::router())
        .fallback(middleware::not_found)
        .method_not_allowed_fallback(middleware::method_not_allowed)
        .layer(axum::middleware::from_fn(middleware::route_policy))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::observe,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(max_body))
        .layer(axum::middleware::from_fn(middleware::security_headers))
        .layer(axum::middleware::from_fn(middleware::request_id))
        .with_state(state)
}

/// Serves until SIGINT or SIGTERM, then drains requests and closes the engine (final checkpoint).
pub async fn serve(
    engine: Engine,
    config: ServerConfig,
    addr: SocketAddr,
    on_ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let router = app(engine.clone(), config);
    let checkpointer = engine.spawn_checkpointer(std::time::Duration::from_secs(10));
    on_ready(local);
    axum::serve(listener, router.into_make_service())
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    checkpointer.abort();
    engine.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested: draining requests");
}

#[cfg(test)]
mod tests {
    use super::MapTiles;

    #[test]
    fn tile_templates_are_checked() {
        let ign = "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&FORMAT=image/png&TILEMATRIXSET=PM&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}";
        let tiles =
            MapTiles::parse(ign, "IGN Géoplateforme").unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(tiles.origin, "https://data.geopf.fr");
        for (bad, why) in [
            ("http://data.geopf.fr/{z}/{x}/{y}.png", "https://"),
            ("https://data.geopf.fr/{z}/{x}.png", "{y} manque"),
            ("https:///{z}/{x}/{y}", "hôte invalide"),
            ("https://a.fr/{z}/{x}/{y}\"onload=", "caractère interdit"),
        ] {
            let error = MapTiles::parse(bad, "x").err().unwrap_or_default();
            assert!(error.contains(why), "{bad}: {error}");
        }
    }
}
