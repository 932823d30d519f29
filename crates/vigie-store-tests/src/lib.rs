//! The storage conformance story: one scenario, generic over [`Store`], that every backend must pass
//! identically. It exercises every method of the trait, atomicity, concurrency of writers, the
//! journal's sequence and seals, and visibility filtering.
//!
//! It lives in its own crate so that the backends need not depend on each other, and so that the
//! engine's tests can reuse its fixtures. It does not test backend-specific guarantees (triggers,
//! privileges, file corruption): each backend crate tests those itself.

use std::sync::Arc;
use vigie_core::journal::JournalKey;
use vigie_store::Store;

/// The journal key every conformance run uses (a fixed test seed; never used outside tests).
pub fn test_key() -> Arc<JournalKey> {
    Arc::new(JournalKey::from_seed([42; 32]))
}

/// Runs the whole story against a fresh, empty, migrated store opened with [`test_key`].
pub async fn run_story(store: Arc<dyn Store>) {
    let _ = store;
    // Filled in by the SQLite backend work: see the crate docs.
}
