//! HTTP tests, in process (`tower::ServiceExt::oneshot` on the router): one binary, one module per area.

mod support;

mod api;
mod pages;
