//! Shared fixtures: an engine on a temporary SQLite store seeded with the demo data, and log-in helpers.

use std::sync::Arc;
use time::macros::datetime;
use vigie_engine::{Actor, Engine, EngineConfig, ManualClock, RequestContext};

pub struct Fixture {
    pub engine: Engine,
    pub clock: Arc<ManualClock>,
    pub dir: tempfile::TempDir,
}

pub fn config_in(dir: &std::path::Path) -> EngineConfig {
    EngineConfig {
        store_url: format!("sqlite://{}", dir.join("vigie.db").display()),
        journal_key_path: dir.join("journal.key"),
        checkpoint_log_path: dir.join("checkpoints.log"),
        create_journal_key: true,
        migrate: true,
        session_ttl: time::Duration::hours(10),
        organisation_toml: None,
        resurgence: Default::default(),
    }
}

pub fn ctx() -> RequestContext {
    RequestContext {
        request_id: "test".to_owned(),
    }
}

/// An engine on the demo data (seed 42, 60 people).
pub async fn demo() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(datetime!(2026-11-23 09:00 UTC)));
    let engine = Engine::open(config_in(dir.path()), clock.clone())
        .await
        .unwrap();
    engine.seed_synthetic(42, 60, &|_, _| {}).await.unwrap();
    Fixture { engine, clock, dir }
}

/// The synthetic data the demo fixture is seeded with.
pub fn demo_data() -> vigie_synth::SynthData {
    vigie_synth::generate(&vigie_synth::SynthOptions {
        seed: 42,
        people: 60,
        recorded_at: datetime!(2026-11-23 09:00 UTC),
    })
}

pub const DEMO_PASSWORD_OF: fn(&str) -> String = |username| {
    demo_data()
        .accounts
        .into_iter()
        .find(|demo| demo.account.username == username)
        .map(|demo| demo.password)
        .unwrap_or_default()
};

pub async fn login(fixture: &Fixture, username: &str) -> (Actor, String) {
    let grant = fixture
        .engine
        .login(username, &DEMO_PASSWORD_OF(username), &ctx())
        .await
        .unwrap();
    let actor = fixture.engine.authenticate(&grant.token).await.unwrap();
    (actor, grant.token)
}
