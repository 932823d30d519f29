//! Engine integration tests: one binary, one module per concern. Each test opens its own engine on a
//! fresh SQLite file in a temporary directory, with a manual clock.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: a failed unwrap is a failed test.

mod support;

mod accounts;
mod architecture;
mod consultation;
mod demo_reports;
mod exchange;
mod facts;
mod geography;
mod graph;
mod intel;
mod journal_tamper;
mod reports;
mod targets;
mod watches;
mod workflows;
