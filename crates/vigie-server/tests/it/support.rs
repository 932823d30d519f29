//! Shared fixtures: an app on a temporary SQLite store with the demo data (and, on demand, the demo's
//! synthetic intelligence items), and request helpers.

use axum::body::Body;
use axum::http::{Request, Response};
use http_body_util::BodyExt;
use std::sync::Arc;
use time::macros::datetime;
use tower::ServiceExt;
use vigie_engine::{Engine, EngineConfig, ManualClock};
use vigie_server::ServerConfig;

pub const PASSWORD: &str = "vigie-demo-2026";

pub struct TestApp {
    pub router: axum::Router,
    pub engine: Engine,
    /// The engine's clock, fixed until a test advances it.
    pub clock: Arc<ManualClock>,
    pub _dir: tempfile::TempDir,
}

pub async fn app() -> TestApp {
    app_with_intel(0).await
}

/// The app with `items` synthetic intelligence items as well, as the demo seeds them.
pub async fn app_with_intel(items: usize) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let config = EngineConfig {
        store_url: format!("sqlite://{}", dir.path().join("vigie.db").display()),
        journal_key_path: dir.path().join("journal.key"),
        checkpoint_log_path: dir.path().join("checkpoints.log"),
        create_journal_key: true,
        migrate: true,
        session_ttl: time::Duration::hours(10),
        organisation_toml: None,
        resurgence: Default::default(),
    };
    let clock = Arc::new(ManualClock::new(datetime!(2026-11-23 09:00 UTC)));
    let engine = Engine::open(config, clock.clone()).await.unwrap();
    let seeded = engine.seed_synthetic(42, 50, &|_, _| {}).await.unwrap();
    if items > 0 {
        let written = engine
            .seed_intel(42, &seeded.data, items, &|_, _| {})
            .await
            .unwrap();
        assert_eq!(written, items);
    }
    let demo_accounts = seeded
        .data
        .accounts
        .iter()
        .map(|a| (a.account.username.clone(), a.password.clone()))
        .collect();
    let router = vigie_server::app(
        engine.clone(),
        ServerConfig {
            max_body_bytes: 64 * 1024,
            secure_cookies: false,
            demo_accounts,
            map_tiles: None,
        },
    );
    TestApp {
        router,
        engine,
        clock,
        _dir: dir,
    }
}

pub struct Answer {
    pub status: u16,
    pub headers: axum::http::HeaderMap,
    pub body: serde_json::Value,
    pub text: String,
}

pub async fn read(response: Response<Body>) -> Answer {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let body = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    Answer {
        status,
        headers,
        body,
        text,
    }
}

impl TestApp {
    pub async fn send(&self, request: Request<Body>) -> Answer {
        read(self.router.clone().oneshot(request).await.unwrap()).await
    }

    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> Answer {
        let mut builder = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            builder = builder.header("authorization", format!("Bearer {token}"));
        }
        let request = match body {
            Some(body) => builder
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
            None => builder.body(Body::empty()).unwrap(),
        };
        self.send(request).await
    }

    pub async fn login(&self, username: &str) -> String {
        let answer = self
            .call(
                "POST",
                "/api/v1/session",
                None,
                Some(serde_json::json!({"username": username, "password": PASSWORD})),
            )
            .await;
        assert_eq!(answer.status, 201, "{username}: {}", answer.text);
        answer.body["token"].as_str().unwrap().to_owned()
    }
}
