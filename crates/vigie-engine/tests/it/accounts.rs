//! Login, sessions, revocation, and what each role may reach.

use crate::support::*;
use vigie_core::journal::JournalAction;
use vigie_core::org::Role;
use vigie_engine::{EngineError, JournalQuery, NewAccount};

#[tokio::test]
async fn wrong_password_and_unknown_account_fail_alike_and_are_journaled() {
    let fixture = demo().await;
    let wrong = fixture
        .engine
        .login("agent.marseille", "not the password", &ctx())
        .await;
    let unknown = fixture
        .engine
        .login("nobody.here", "not the password", &ctx())
        .await;
    assert!(matches!(wrong, Err(EngineError::BadCredentials)));
    assert!(matches!(unknown, Err(EngineError::BadCredentials)));
    let (auditor, _) = login(&fixture, "auditeur").await;
    let page = fixture
        .engine
        .journal_page(
            &auditor,
            &JournalQuery {
                action: Some(JournalAction::LoginFailed),
                limit: 10,
                ..Default::default()
            },
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(page.entries.len(), 2);
    assert!(page
        .entries
        .iter()
        .any(|entry| entry.draft.object == "account:unknown"));
}

#[tokio::test]
async fn sessions_expire_and_are_revoked_when_an_account_is_disabled_or_moved() {
    let fixture = demo().await;
    let (_, token) = login(&fixture, "agent.marseille").await;
    fixture.clock.advance(time::Duration::hours(9));
    assert!(fixture.engine.authenticate(&token).await.is_ok());
    fixture.clock.advance(time::Duration::hours(2));
    assert!(matches!(
        fixture.engine.authenticate(&token).await,
        Err(EngineError::Unauthenticated)
    ));

    let (admin, _) = login(&fixture, "admin").await;
    let (agent, token) = login(&fixture, "agent.marseille").await;
    fixture
        .engine
        .set_account_disabled(&admin, agent.account.id, true, &ctx())
        .await
        .unwrap();
    assert!(matches!(
        fixture.engine.authenticate(&token).await,
        Err(EngineError::Unauthenticated)
    ));
    assert!(matches!(
        fixture
            .engine
            .login(
                "agent.marseille",
                &DEMO_PASSWORD_OF("agent.marseille"),
                &ctx()
            )
            .await,
        Err(EngineError::BadCredentials)
    ));
    fixture
        .engine
        .set_account_disabled(&admin, agent.account.id, false, &ctx())
        .await
        .unwrap();

    let (agent, token) = login(&fixture, "agent.marseille").await;
    let paris = fixture
        .engine
        .units()
        .await
        .unwrap()
        .into_iter()
        .find(|unit| unit.code == "SD-75")
        .unwrap();
    fixture
        .engine
        .move_account(&admin, agent.account.id, paris.id, &ctx())
        .await
        .unwrap();
    assert!(matches!(
        fixture.engine.authenticate(&token).await,
        Err(EngineError::Unauthenticated)
    ));
}

#[tokio::test]
async fn only_administrators_manage_accounts_and_passwords_are_checked() {
    let fixture = demo().await;
    let (admin, _) = login(&fixture, "admin").await;
    let (agent, _) = login(&fixture, "agent.marseille").await;
    let unit = agent.unit.id;
    let new = |password: &str| NewAccount {
        username: "nouvel.agent".to_owned(),
        display_name: "Nouvel Agent".to_owned(),
        role: Role::Agent,
        unit,
        password: password.to_owned(),
    };
    assert!(matches!(
        fixture
            .engine
            .create_account(&agent, new("un mot de passe long"), &ctx())
            .await,
        Err(EngineError::Forbidden)
    ));
    assert!(matches!(
        fixture
            .engine
            .create_account(&admin, new("court"), &ctx())
            .await,
        Err(EngineError::Invalid(_))
    ));
    fixture
        .engine
        .create_account(&admin, new("un mot de passe long"), &ctx())
        .await
        .unwrap();
    assert!(matches!(
        fixture
            .engine
            .create_account(&admin, new("un mot de passe long"), &ctx())
            .await,
        Err(EngineError::Conflict(_))
    ));
    let grant = fixture
        .engine
        .login("Nouvel.Agent", "un mot de passe long", &ctx())
        .await
        .unwrap();
    assert_eq!(grant.account.role, Role::Agent);
    assert!(matches!(
        fixture.engine.accounts(&agent).await,
        Err(EngineError::Forbidden)
    ));
}

#[tokio::test]
async fn the_first_administrator_is_bootstrapped_once_and_no_account_exists_before() {
    let dir = tempfile::tempdir().unwrap();
    let clock = std::sync::Arc::new(vigie_engine::ManualClock::new(
        time::macros::datetime!(2026-11-23 09:00 UTC),
    ));
    let engine = vigie_engine::Engine::open(config_in(dir.path()), clock)
        .await
        .unwrap();
    // A fresh store has no account: nobody can log in, not even with a classic default.
    for (username, password) in [
        ("admin", "admin"),
        ("admin", "vigie-demo-2026"),
        ("root", "root"),
    ] {
        assert!(matches!(
            engine.login(username, password, &ctx()).await,
            Err(EngineError::BadCredentials)
        ));
    }
    assert!(matches!(
        engine
            .bootstrap_administrator("chef.admin", "Cheffe Admin", "court", &ctx())
            .await,
        Err(EngineError::Invalid(_))
    ));
    let account = engine
        .bootstrap_administrator(
            "chef.admin",
            "Cheffe Admin",
            "une phrase de passe solide",
            &ctx(),
        )
        .await
        .unwrap();
    assert_eq!(account.role, Role::Administrator);
    let grant = engine
        .login("chef.admin", "une phrase de passe solide", &ctx())
        .await
        .unwrap();
    let admin = engine.authenticate(&grant.token).await.unwrap();
    assert_eq!(admin.unit.code, "ADMIN-VIGIE");
    assert!(matches!(
        engine
            .bootstrap_administrator(
                "second.admin",
                "Second",
                "une phrase de passe solide",
                &ctx()
            )
            .await,
        Err(EngineError::Conflict(_))
    ));
    assert_eq!(engine.verify_journal().await.unwrap().result, Ok(()));
}

#[tokio::test]
async fn five_failures_make_a_username_wait_whether_or_not_it_exists() {
    let fixture = demo().await;
    for username in ["agent.marseille", "nobody.here"] {
        for _ in 0..5 {
            let answer = fixture
                .engine
                .login(username, "not the password", &ctx())
                .await;
            assert!(
                matches!(answer, Err(EngineError::BadCredentials)),
                "{username}"
            );
        }
        // Now even the right password waits: the answer is the same for a real and a made-up name.
        let answer = fixture
            .engine
            .login(username, &DEMO_PASSWORD_OF(username), &ctx())
            .await;
        assert!(
            matches!(answer, Err(EngineError::TooManyAttempts { minutes: 1 })),
            "{username}: {answer:?}"
        );
    }
    // Other accounts are not affected.
    assert!(fixture
        .engine
        .login("auditeur", &DEMO_PASSWORD_OF("auditeur"), &ctx())
        .await
        .is_ok());
    // A minute later, the right password works, and clears the count.
    fixture.clock.advance(time::Duration::seconds(61));
    assert!(fixture
        .engine
        .login(
            "agent.marseille",
            &DEMO_PASSWORD_OF("agent.marseille"),
            &ctx()
        )
        .await
        .is_ok());
    let answer = fixture
        .engine
        .login("agent.marseille", "not the password", &ctx())
        .await;
    assert!(matches!(answer, Err(EngineError::BadCredentials)));
}

/// Timing must not tell whether an account exists: an unknown username is checked against a dummy
/// hash at the same cost as a real one. Logins alternate between a real account with a wrong
/// password and an unknown one (each username tried at most twice, under the throttle's limit), and
/// the medians are compared. Without the dummy hash an unknown username would answer about a
/// hundred times sooner, far outside the band.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_login_takes_as_long_whether_or_not_the_account_exists() {
    let fixture = demo().await;
    let known = [
        "agent.marseille",
        "agent.gendarmerie",
        "agent.douane",
        "agent.paris",
        "analyste.ofast",
        "analyste.cross13",
    ];
    let mut known_times = Vec::new();
    let mut unknown_times = Vec::new();
    for round in 0..12 {
        let username = known[round % known.len()];
        let started = std::time::Instant::now();
        let outcome = fixture.engine.login(username, "pas le bon", &ctx()).await;
        known_times.push(started.elapsed());
        assert!(matches!(outcome, Err(EngineError::BadCredentials)));

        let started = std::time::Instant::now();
        let outcome = fixture
            .engine
            .login(&format!("inconnu.{round}"), "pas le bon", &ctx())
            .await;
        unknown_times.push(started.elapsed());
        assert!(matches!(outcome, Err(EngineError::BadCredentials)));
    }
    known_times.sort();
    unknown_times.sort();
    let (known, unknown) = (known_times[6], unknown_times[6]);
    let ratio = unknown.as_secs_f64() / known.as_secs_f64();
    assert!(
        (0.67..1.5).contains(&ratio),
        "median failed login: {known:?} for an existing account, {unknown:?} for an unknown one"
    );
}
