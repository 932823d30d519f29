//! Geography through the engine: an administrator's organisation map is checked when the engine opens,
//! and every role reaches the geography through the policy.

use crate::support::{config_in, demo, login};
use std::sync::Arc;
use time::macros::datetime;
use vigie_engine::{Engine, EngineConfig, EngineError, ManualClock};

#[tokio::test]
async fn a_bad_organisation_map_stops_the_engine_from_opening() {
    let dir = tempfile::tempdir().unwrap();
    let default = include_str!("../../../vigie-geo/data/organisation.toml");
    let config = EngineConfig {
        organisation_toml: Some(default.replace(r#"departements = ["973"]"#, "departements = []")),
        ..config_in(dir.path())
    };
    let clock = Arc::new(ManualClock::new(datetime!(2026-11-23 09:00 UTC)));
    match Engine::open(config, clock).await {
        Err(EngineError::Config(message)) => {
            assert!(
                message.contains("département 973 (Guyane) dans aucune zone"),
                "{message}"
            )
        }
        Err(other) => panic!("unexpected error: {other}"),
        Ok(_) => panic!("an organisation map leaving Guyane out was accepted"),
    }
}

#[tokio::test]
async fn every_role_reaches_the_geography() {
    let fixture = demo().await;
    for username in [
        "agent.marseille",
        "auditeur",
        "admin",
        "partenaire.bailleur",
        "magistrat.jirs",
    ] {
        let (actor, _) = login(&fixture, username).await;
        let geo = fixture.engine.geography(&actor).unwrap();
        let place = geo.locate(43.2990, 5.3845).unwrap().unwrap();
        assert_eq!(place.cross.nom, "CROSS des Bouches-du-Rhône", "{username}");
    }
}
