//! Prometheus metrics at `/metrics`: request counts and latencies per route, and the engine's journal
//! and consultation counters. Labels carry routes (templates), never ids or personal data.

use crate::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::sync::atomic::Ordering;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

pub struct HttpMetrics {
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
}

fn latency_histogram() -> Histogram {
    Histogram::new(
        [
            0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
        ]
        .into_iter(),
    )
}

impl Default for HttpMetrics {
    fn default() -> Self {
        Self {
            requests: Family::default(),
            latency: Family::new_with_constructor(latency_histogram as fn() -> Histogram),
        }
    }
}

impl HttpMetrics {
    pub fn record(&self, method: &str, route: &str, status: u16, elapsed: std::time::Duration) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.to_owned(),
                route: route.to_owned(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                route: route.to_owned(),
            })
            .observe(elapsed.as_secs_f64());
    }
}

pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics))
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let mut registry = Registry::with_prefix("vigie");
    registry.register(
        "http_requests",
        "HTTP requests by route and status",
        state.metrics.requests.clone(),
    );
    registry.register(
        "http_request_duration_seconds",
        "HTTP request latency by route",
        state.metrics.latency.clone(),
    );
    let engine = state.engine.metrics();
    let gauge = |value: u64| {
        let counter: Counter = Counter::default();
        counter.inc_by(value);
        counter
    };
    registry.register(
        "journal_entries_written",
        "Journal entries written durably",
        gauge(engine.journal_entries_written.load(Ordering::Relaxed)),
    );
    registry.register(
        "journal_write_failures",
        "Journaled writes refused because the store failed",
        gauge(engine.journal_write_failures.load(Ordering::Relaxed)),
    );
    registry.register(
        "consultations",
        "Entity consultations served",
        gauge(engine.consultations.load(Ordering::Relaxed)),
    );
    registry.register(
        "denials",
        "Consultations refused by the policy",
        gauge(engine.denials.load(Ordering::Relaxed)),
    );
    registry.register(
        "logins_failed",
        "Failed logins",
        gauge(engine.logins_failed.load(Ordering::Relaxed)),
    );
    let mut body = String::new();
    if encode(&mut body, &registry).is_err() {
        body.clear();
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        body,
    )
}
