//! Standing watches over the API: create, list with news, mark as seen, delete; another account's
//! watch is 404; a watch is a search or an entity, never both.

use crate::support::*;
use serde_json::json;

#[tokio::test]
async fn a_watch_is_created_listed_marked_seen_and_deleted_by_its_owner_only() {
    let app = app_with_intel(200).await;
    let analyst = app.login("analyste.cross13").await;
    let created = app
        .call(
            "POST",
            "/api/v1/watches",
            Some(&analyst),
            Some(json!({"label": "Guetteurs", "search": {"query": "guetteurs", "filters": {"departements": ["13"]}}})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["kind"], "search");
    assert_eq!(created.body["query"], "guetteurs");
    assert_eq!(created.body["filters"]["departements"][0], "13");
    assert_eq!(created.body["news"]["items"], 0);
    let id = created.body["id"].as_str().unwrap().to_owned();

    let listed = app
        .call("GET", "/api/v1/watches", Some(&analyst), None)
        .await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    assert_eq!(listed.body["watches"].as_array().unwrap().len(), 1);

    let agent = app.login("agent.marseille").await;
    let theirs = app.call("GET", "/api/v1/watches", Some(&agent), None).await;
    assert_eq!(theirs.body["watches"].as_array().unwrap().len(), 0);
    let seen = app
        .call(
            "POST",
            &format!("/api/v1/watches/{id}/seen"),
            Some(&agent),
            None,
        )
        .await;
    assert_eq!(seen.status, 404);
    let seen = app
        .call(
            "POST",
            &format!("/api/v1/watches/{id}/seen"),
            Some(&analyst),
            None,
        )
        .await;
    assert_eq!(seen.status, 204, "{}", seen.text);

    let both = app
        .call(
            "POST",
            "/api/v1/watches",
            Some(&analyst),
            Some(json!({"label": "Les deux", "search": {"query": "x"}, "entity": uuid::Uuid::new_v4()})),
        )
        .await;
    assert_eq!(both.status, 422);
    assert_eq!(both.body["error"]["details"][0]["field"], "search");
    let missing = app
        .call(
            "POST",
            "/api/v1/watches",
            Some(&analyst),
            Some(json!({"label": "Inconnue", "entity": uuid::Uuid::new_v4()})),
        )
        .await;
    assert_eq!(missing.status, 404, "{}", missing.text);

    let deleted = app
        .call(
            "DELETE",
            &format!("/api/v1/watches/{id}"),
            Some(&analyst),
            None,
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    let listed = app
        .call("GET", "/api/v1/watches", Some(&analyst), None)
        .await;
    assert!(listed.body["watches"].as_array().unwrap().is_empty());
}
