//! Engine integration tests: one binary, one module per concern. Each test opens its own engine on a
//! fresh SQLite file in a temporary directory, with a manual clock.

mod support;

mod accounts;
mod consultation;
mod journal_tamper;
