//! HTTP tests, in process (`tower::ServiceExt::oneshot` on the router): one binary, one module per area.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: a failed unwrap is a failed test.

mod support;

mod api;
mod geo;
mod graph;
mod intel;
mod pages;
mod pages_facts;
mod pages_graph;
mod pages_import;
mod pages_intel;
mod pages_public_reports;
mod pages_reports;
mod pages_watches;
mod pages_workflows;
mod reports_api;
mod targets;
mod watches;
mod workflows;
