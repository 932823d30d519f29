//! Runs the conformance story on both backends. SQLite always; PostgreSQL when `VIGIE_TEST_PG_URL`
//! is set, and the run fails if `CI=true` and it is not (CI must not silently test only SQLite).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Test code: a failed unwrap is a failed test.

use std::sync::Arc;
use vigie_store::OpenOptions;
use vigie_store_tests::{run_story, test_key};

fn options() -> OpenOptions {
    OpenOptions {
        journal_key: test_key(),
        migrate: true,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn story_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("story.db");
    let store = vigie_store_sqlite::SqliteStore::open(path.to_str().unwrap(), options())
        .await
        .unwrap();
    run_story(Arc::new(store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn story_on_postgres() {
    let Some(url) = std::env::var("VIGIE_TEST_PG_URL")
        .ok()
        .filter(|url| !url.is_empty())
    else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but VIGIE_TEST_PG_URL is not set: CI must run the conformance story on PostgreSQL"
        );
        eprintln!("VIGIE_TEST_PG_URL not set: PostgreSQL story not run (set it to run it locally)");
        return;
    };
    let store = vigie_store_postgres::PostgresStore::open_isolated_for_tests(&url, options())
        .await
        .unwrap();
    run_story(Arc::new(store)).await;
}
