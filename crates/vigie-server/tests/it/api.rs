//! The JSON API: the journaled consultation path, the error format for bad input, authentication,
//! the route table against OpenAPI and the policy, and the committed OpenAPI document.

use crate::support::*;
use axum::body::Body;
use axum::http::Request;
use serde_json::json;
use vigie_core::org::Role;
use vigie_core::policy::{rule, Action, Relation, Rule};
use vigie_server::routes::{Access, ROUTES};

async fn find_entity(app: &TestApp, token: &str, text: &str) -> String {
    let answer = app
        .call(
            "POST",
            "/api/v1/entities/search",
            Some(token),
            Some(json!({"text": text, "motif": "recherche de test", "limit": 5})),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.body["hits"][0]["id"]
        .as_str()
        .expect("at least one hit")
        .to_owned()
}

#[tokio::test]
async fn an_agent_consults_an_entity_with_a_motif_and_the_auditor_sees_it() {
    let app = app().await;
    let agent = app.login("agent.marseille").await;
    let id = find_entity(&app, &agent, "a").await;

    let without_motif = app
        .call(
            "POST",
            &format!("/api/v1/entities/{id}/consultation"),
            Some(&agent),
            Some(json!({"motif": ""})),
        )
        .await;
    assert_eq!(without_motif.status, 422);
    assert_eq!(without_motif.body["error"]["code"], "VIGIE-VAL-0002");
    assert!(without_motif.body.get("properties").is_none());

    let consulted = app
        .call(
            "POST",
            &format!("/api/v1/entities/{id}/consultation"),
            Some(&agent),
            Some(json!({"motif": "Procédure 2026/77"})),
        )
        .await;
    assert_eq!(consulted.status, 200, "{}", consulted.text);
    assert_eq!(consulted.body["id"], id.as_str());
    let seq = consulted.headers["x-vigie-journal-seq"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(consulted.body["journal_seq"].to_string(), seq);
    assert_eq!(consulted.headers["cache-control"], "no-store");

    let auditor = app.login("auditeur").await;
    let journal = app
        .call(
            "GET",
            &format!("/api/v1/journal?object=entity:{id}&limit=20"),
            Some(&auditor),
            None,
        )
        .await;
    assert_eq!(journal.status, 200, "{}", journal.text);
    let entry = journal.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["seq"].as_u64().map(|n| n.to_string()).as_deref() == Some(seq.as_str()))
        .expect("the consultation's entry");
    assert_eq!(entry["action"], "consult");
    assert_eq!(entry["motif"], "Procédure 2026/77");
    assert_eq!(entry["outcome"], "allow");
    assert!(
        entry["actor_name"]
            .as_str()
            .is_some_and(|name| name.starts_with("agent.marseille (")),
        "{entry}"
    );

    // The auditor reads no intelligence; the agent reads no journal.
    let refused = app
        .call(
            "POST",
            &format!("/api/v1/entities/{id}/consultation"),
            Some(&auditor),
            Some(json!({"motif": "curiosité"})),
        )
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(
        app.call("GET", "/api/v1/journal", Some(&agent), None)
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn hidden_records_answer_404_like_missing_ones() {
    let app = app().await;
    let marseille = app.login("agent.marseille").await;
    let paris = app.login("agent.paris").await;
    // A record only Marseille's service sees (its own unit's, in 13).
    let id = find_entity(&app, &marseille, "a").await;
    let hidden = app
        .call(
            "POST",
            &format!("/api/v1/entities/{id}/consultation"),
            Some(&paris),
            Some(json!({"motif": "curiosité"})),
        )
        .await;
    let missing = app
        .call(
            "POST",
            "/api/v1/entities/00000000-0000-4000-8000-000000000000/consultation",
            Some(&paris),
            Some(json!({"motif": "curiosité"})),
        )
        .await;
    assert_eq!((hidden.status, missing.status), (404, 404));
    assert_eq!(hidden.body, missing.body);
}

#[tokio::test]
async fn bad_input_gets_our_error_format_and_writes_nothing() {
    let app = app().await;
    let agent = app.login("agent.marseille").await;
    let journal_before = app.engine.verify_journal().await.unwrap().entries;

    let raw = |body: Body, content_type: &str| {
        Request::builder()
            .method("POST")
            .uri("/api/v1/entities")
            .header("authorization", format!("Bearer {agent}"))
            .header("content-type", content_type)
            .body(body)
            .unwrap()
    };
    let cases: Vec<(&str, Request<Body>, u16, &str)> = vec![
        ("malformed JSON", raw(Body::from("{\"schema\": "), "application/json"), 400, "VIGIE-REQ-0001"),
        ("deep nesting", raw(Body::from(format!("{}{}", "[".repeat(100_000), "]".repeat(100_000))), "application/json"), 413, "VIGIE-REQ-0004"),
        // Typed bodies stop at the first wrong token, so nesting never recurses deeply.
        ("deep nesting within the size limit", raw(Body::from(format!("{}{}", "[".repeat(5_000), "]".repeat(5_000))), "application/json"), 422, "VIGIE-REQ-0002"),
        (
            "deep nesting inside a field",
            raw(Body::from(format!("{{\"schema\":\"Person\",\"properties\":{{\"name\":{}{}}}}}", "[".repeat(5_000), "]".repeat(5_000))), "application/json"),
            422,
            "VIGIE-REQ-0002",
        ),
        ("unknown field", raw(Body::from(json!({"schema": "Person", "properties": {}, "regime": "judicial", "source": "x", "admin": true}).to_string()), "application/json"), 422, "VIGIE-REQ-0002"),
        ("wrong type", raw(Body::from(json!({"schema": 3, "properties": {}, "regime": "judicial", "source": "x"}).to_string()), "application/json"), 422, "VIGIE-REQ-0002"),
        ("not JSON", raw(Body::from("schema=Person"), "application/x-www-form-urlencoded"), 415, "VIGIE-REQ-0003"),
        ("too large", raw(Body::from(vec![b' '; 200 * 1024]), "application/json"), 413, "VIGIE-REQ-0004"),
        (
            "too large, chunked without Content-Length",
            raw(Body::from_stream(futures_stream(200)), "application/json"),
            413,
            "VIGIE-REQ-0004",
        ),
        ("invalid identifier", raw(Body::from(json!({"schema": "Phone", "properties": {"number": ["12"]}, "regime": "judicial", "source": "x"}).to_string()), "application/json"), 422, "VIGIE-VAL-0001"),
    ];
    for (label, request, status, code) in cases {
        let answer = app.send(request).await;
        assert_eq!(answer.status, status, "{label}: {}", answer.text);
        assert_eq!(
            answer.body["error"]["code"], code,
            "{label}: {}",
            answer.text
        );
        assert!(
            answer.body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{label}"
        );
    }
    let bad_id = app
        .call(
            "POST",
            "/api/v1/entities/not-a-uuid/consultation",
            Some(&agent),
            Some(json!({"motif": "x y z"})),
        )
        .await;
    assert_eq!(
        (bad_id.status, bad_id.body["error"]["code"].as_str()),
        (400, Some("VIGIE-REQ-0005"))
    );
    let unknown = app
        .call("GET", "/api/v1/nothing-here", Some(&agent), None)
        .await;
    assert_eq!(
        (unknown.status, unknown.body["error"]["code"].as_str()),
        (404, Some("VIGIE-NF-0001"))
    );
    let method = app.call("PUT", "/api/v1/me", Some(&agent), None).await;
    assert_eq!(
        (method.status, method.body["error"]["code"].as_str()),
        (405, Some("VIGIE-REQ-0006"))
    );

    // Nothing but the login and the search above reached the journal.
    assert_eq!(
        app.engine.verify_journal().await.unwrap().entries,
        journal_before
    );
}

/// A body stream of `kib` KiB in 1 KiB chunks, so that no Content-Length is sent.
fn futures_stream(
    kib: usize,
) -> impl futures_core::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static {
    tokio_stream::iter((0..kib).map(|_| Ok(vec![b' '; 1024])))
}

#[tokio::test]
async fn authentication_is_required_and_errors_say_so() {
    let app = app().await;
    for (token, label) in [(None, "no token"), (Some("forged-token"), "forged token")] {
        let answer = app.call("GET", "/api/v1/me", token, None).await;
        assert_eq!(answer.status, 401, "{label}");
        assert_eq!(answer.body["error"]["code"], "VIGIE-AUTH-0001");
    }
    let wrong = app
        .call(
            "POST",
            "/api/v1/session",
            None,
            Some(json!({"username": "agent.marseille", "password": "faux"})),
        )
        .await;
    let unknown = app
        .call(
            "POST",
            "/api/v1/session",
            None,
            Some(json!({"username": "personne", "password": "faux"})),
        )
        .await;
    assert_eq!((wrong.status, unknown.status), (401, 401));
    assert_eq!(wrong.body, unknown.body);
    insta::assert_json_snapshot!(wrong.body, @r#"
    {
      "error": {
        "code": "VIGIE-AUTH-0002",
        "message": "Identifiant ou mot de passe incorrect.",
        "status": 401
      }
    }
    "#);
    let token = app.login("agent.marseille").await;
    assert_eq!(
        app.call("DELETE", "/api/v1/session", Some(&token), None)
            .await
            .status,
        204
    );
    assert_eq!(
        app.call("GET", "/api/v1/me", Some(&token), None)
            .await
            .status,
        401
    );
}

/// For routes without an object, each demo role gets 403 exactly when the policy table denies it.
#[tokio::test]
async fn every_role_reaches_exactly_the_routes_the_policy_table_allows() {
    let app = app().await;
    let roles = [
        (Role::Agent, "agent.marseille"),
        (Role::CrossAnalyst, "analyste.cross13"),
        (Role::OfastAnalyst, "analyste.ofast"),
        (Role::HeadOfUnit, "chef.marseille"),
        (Role::Magistrate, "magistrat.jirs"),
        (Role::Auditor, "auditeur"),
        (Role::Inspection, "inspection"),
        (Role::Administrator, "admin"),
        (Role::Partner, "partenaire.bailleur"),
    ];
    let probes: [(&str, &str, Action); 4] = [
        ("GET", "/api/v1/journal", Action::ReadJournal),
        ("GET", "/api/v1/admin/accounts", Action::ManageAccounts),
        ("GET", "/api/v1/admin/units", Action::ManageAccounts),
        ("GET", "/api/v1/me", Action::ReadOwnProfile),
    ];
    for (role, username) in roles {
        let token = app.login(username).await;
        for (method, path, action) in probes {
            let answer = app.call(method, path, Some(&token), None).await;
            let allowed = rule(role, action, Relation::None) != Rule::Deny;
            assert_eq!(
                answer.status == 200,
                allowed,
                "{username} {method} {path}: {}",
                answer.status
            );
            if !allowed {
                assert_eq!(answer.status, 403, "{username} {method} {path}");
            }
        }
        let search = app
            .call(
                "POST",
                "/api/v1/entities/search",
                Some(&token),
                Some(json!({"text": "a", "motif": "contrôle"})),
            )
            .await;
        let may_search = vigie_core::policy::search_reach(role, Action::SearchEntities).is_some();
        assert_eq!(
            search.status == 200,
            may_search,
            "{username} search: {}",
            search.status
        );
    }
}

#[tokio::test]
async fn every_openapi_operation_is_in_the_route_table() {
    let document: serde_json::Value =
        serde_json::from_str(&vigie_server::openapi::document()).unwrap();
    let paths = document["paths"].as_object().unwrap();
    let mut operations = 0;
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            let method = method.to_uppercase();
            assert!(
                vigie_server::routes::lookup(&method, path).is_some(),
                "{method} {path} is served but missing from routes.rs"
            );
            operations += 1;
        }
    }
    let api_routes = ROUTES
        .iter()
        .filter(|r| r.path.starts_with("/api/v1") || r.path == "/healthz")
        .count();
    assert_eq!(
        operations, api_routes,
        "every API route in the table is documented in OpenAPI"
    );
    for route in ROUTES {
        if let Access::Session(action) = route.access {
            assert!(
                Role::ALL.iter().any(|role| [
                    Relation::OwnUnit,
                    Relation::Territory,
                    Relation::Elsewhere
                ]
                .iter()
                .any(|rel| rule(*role, action, *rel) != Rule::Deny)),
                "{} {} performs {:?}, which no role may do",
                route.method,
                route.path,
                action
            );
        }
    }
}

#[tokio::test]
async fn the_committed_openapi_document_matches_the_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../openapi.json");
    let generated = vigie_server::openapi::document();
    if std::env::var_os("VIGIE_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi.json is out of date: run `VIGIE_BLESS=1 cargo test -p vigie-server openapi`"
    );
    // Search terms and motifs never travel in URLs.
    let document: serde_json::Value = serde_json::from_str(&generated).unwrap();
    for (path, item) in document["paths"].as_object().unwrap() {
        for operation in item.as_object().unwrap().values() {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let name = parameter["name"].as_str().unwrap_or_default();
                assert!(
                    !["text", "motif", "q", "name"].contains(&name),
                    "{path} takes {name} in the URL"
                );
            }
        }
    }
}

#[tokio::test]
async fn health_metrics_and_security_headers() {
    let app = app().await;
    let health = app.call("GET", "/healthz", None, None).await;
    assert_eq!(health.status, 200);
    assert_eq!(health.body["backend"], "sqlite");
    let token = app.login("agent.marseille").await;
    find_entity(&app, &token, "a").await;
    let metrics = app.call("GET", "/metrics", None, None).await;
    assert_eq!(metrics.status, 200);
    assert!(
        metrics.text.contains("vigie_http_requests_total"),
        "{}",
        metrics.text
    );
    assert!(metrics.text.contains("vigie_journal_entries_written_total"));
    for header in [
        "content-security-policy",
        "x-content-type-options",
        "referrer-policy",
        "x-frame-options",
        "permissions-policy",
        "x-request-id",
    ] {
        assert!(health.headers.contains_key(header), "missing {header}");
    }
    assert!(!health.headers.contains_key("server"));
    let css = app
        .call("GET", "/assets/dsfr/dsfr.min.css", None, None)
        .await;
    assert_eq!(css.status, 200);
    assert!(css.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
}

#[tokio::test]
async fn repeated_wrong_passwords_get_a_429_in_our_format() {
    let app = app().await;
    let body = json!({"username": "agent.marseille", "password": "pas le bon"});
    for _ in 0..5 {
        assert_eq!(
            app.call("POST", "/api/v1/session", None, Some(body.clone()))
                .await
                .status,
            401
        );
    }
    let right = json!({"username": "agent.marseille", "password": crate::support::PASSWORD});
    let answer = app.call("POST", "/api/v1/session", None, Some(right)).await;
    assert_eq!(answer.status, 429, "{}", answer.text);
    assert_eq!(answer.body["error"]["code"], "VIGIE-AUTH-0005");
    assert_eq!(
        answer.body["error"]["message"],
        "Trop de tentatives de connexion : réessayez dans 1 minute(s)."
    );
}
