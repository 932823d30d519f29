//! The geography API as a client sees it: every role may use it, answers carry the places that answer
//! for a point, and bad coordinates get our error format with the point named.

use crate::support::{app, TestApp};
use serde_json::{json, Value};

/// One request, its status and, when given, a JSON pointer and the value expected there.
async fn check(
    app: &TestApp,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
    status: u16,
    expect: &[(&str, Value)],
) {
    let answer = app.call(method, path, Some(token), body.clone()).await;
    assert_eq!(
        answer.status, status,
        "{method} {path} {body:?}: {}",
        answer.text
    );
    for (pointer, value) in expect {
        assert_eq!(
            answer.body.pointer(pointer),
            Some(value),
            "{method} {path} {body:?} at {pointer}: {}",
            answer.text
        );
    }
}

#[tokio::test]
async fn locating_points() {
    let app = app().await;
    let token = app.login("partenaire.bailleur").await; // the most restricted role still may
    let locate = "/api/v1/geo/locate";
    check(
        &app,
        &token,
        "POST",
        locate,
        Some(json!({"lat": 43.2990, "lon": 5.3845})),
        200,
        &[
            ("/in_france", json!(true)),
            ("/location/commune/code", json!("13055")),
            (
                "/location/arrondissement/name",
                json!("Marseille 1er Arrondissement"),
            ),
            ("/location/cross/name", json!("CROSS des Bouches-du-Rhône")),
            ("/location/antenna/code", json!("marseille")),
            ("/location/zone/code", json!("sud")),
        ],
    )
    .await;
    check(
        &app,
        &token,
        "POST",
        locate,
        Some(json!({"lat": -12.7806, "lon": 45.2279})),
        200,
        &[
            ("/location/commune/name", json!("Mamoudzou")),
            ("/location/zone/code", json!("sud-ocean-indien")),
        ],
    )
    .await;
    check(
        &app,
        &token,
        "POST",
        locate,
        Some(json!({"lat": 46.0, "lon": -10.0})),
        200,
        &[("/in_france", json!(false)), ("/location", Value::Null)],
    )
    .await;
    // Bad input: out of range, swapped, wrong shape.
    check(
        &app,
        &token,
        "POST",
        locate,
        Some(json!({"lat": 91, "lon": 2})),
        422,
        &[
            ("/error/code", json!("VIGIE-GEO-0001")),
            ("/error/details/0/field", json!("lat")),
        ],
    )
    .await;
    check(
        &app,
        &token,
        "POST",
        locate,
        Some(json!({"lat": 5.37, "lon": 43.30})),
        422,
        &[("/error/code", json!("VIGIE-GEO-0002"))],
    )
    .await;
    check(
        &app,
        &token,
        "POST",
        locate,
        Some(json!({"lat": "43", "lon": 5})),
        422,
        &[("/error/code", json!("VIGIE-REQ-0002"))],
    )
    .await;
    check(
        &app,
        &token,
        "POST",
        locate,
        Some(json!({"lat": 43, "lon": 5, "alt": 0})),
        422,
        &[("/error/code", json!("VIGIE-REQ-0002"))],
    )
    .await;
    let anonymous = app
        .call(
            "POST",
            locate,
            None,
            Some(json!({"lat": 43.3, "lon": 5.38})),
        )
        .await;
    assert_eq!(anonymous.status, 401);
}

#[tokio::test]
async fn batches_are_all_or_nothing() {
    let app = app().await;
    let token = app.login("analyste.cross13").await;
    let batch = "/api/v1/geo/locate/batch";
    check(&app, &token, "POST", batch, Some(json!({"points": [
        {"lat": 48.8584, "lon": 2.2945}, {"lat": 46.0, "lon": -10.0}, {"lat": 42.7026, "lon": 9.4509}
    ]})), 200, &[
        ("/results/0/location/arrondissement/code", json!("75107")),
        ("/results/1/in_france", json!(false)),
        ("/results/2/location/departement/code", json!("2B")),
    ]).await;
    check(&app, &token, "POST", batch, Some(json!({"points": [
        {"lat": 48.8584, "lon": 2.2945}, {"lat": 48.0, "lon": 200.0}, {"lat": 2.35, "lon": 48.86}
    ]})), 422, &[
        ("/error/code", json!("VIGIE-GEO-0001")),
        ("/error/details/0/field", json!("points[1].lon")),
        ("/error/details/1/field", json!("points[2]")),
    ]).await;
    // Over 10,000 points is refused (the 64 KiB test body limit answers first: 413 either way).
    let many: Vec<Value> = (0..10_001).map(|_| json!({"lat": 1, "lon": 1})).collect();
    check(
        &app,
        &token,
        "POST",
        batch,
        Some(json!({"points": many})),
        413,
        &[("/error/code", json!("VIGIE-REQ-0004"))],
    )
    .await;
}

#[tokio::test]
async fn commune_lookup_organisation_and_layers() {
    let app = app().await;
    let token = app.login("admin").await; // administrators manage accounts, and may still use a map
    let search = "/api/v1/geo/communes/search";
    check(
        &app,
        &token,
        "POST",
        search,
        Some(json!({"q": "st denis 974"})),
        200,
        &[
            ("/communes/0/label", json!("Saint-Denis (La Réunion, 974)")),
            ("/communes/0/postcodes/0", json!("97400")),
        ],
    )
    .await;
    check(
        &app,
        &token,
        "POST",
        search,
        Some(json!({"q": "x".repeat(101)})),
        422,
        &[("/error/details/0/field", json!("q"))],
    )
    .await;
    check(
        &app,
        &token,
        "GET",
        "/api/v1/geo/organisation",
        None,
        200,
        &[
            ("/antennas/12/code", json!("ocean-indien")),
            ("/cross/0/name", json!("CROSS de l'Ain")),
        ],
    )
    .await;

    let deps = app
        .call(
            "GET",
            "/api/v1/geo/layers/departements?zoom=6",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(deps.status, 200);
    assert_eq!(deps.headers["content-type"], "application/geo+json");
    assert_eq!(deps.headers["cache-control"], "private, max-age=3600");
    assert_eq!(deps.body["features"].as_array().unwrap().len(), 101);
    assert!(deps.text.len() < 1_000_000);

    let near = app
        .call(
            "GET",
            "/api/v1/geo/layers/departements?zoom=12&bbox=5.3,43.25,5.45,43.35",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(near.status, 200, "{}", near.text);
    let codes: Vec<&str> = near.body["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"13") && codes.len() < 5, "{codes:?}");

    let communes = app
        .call(
            "GET",
            "/api/v1/geo/layers/communes?zoom=12&bbox=5.3,43.25,5.45,43.35",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(communes.status, 200, "{}", communes.text);
    assert!(communes.body["features"].as_array().unwrap().len() >= 10);
    for bad in [
        "zoom=12&bbox=5,43,4,44",
        "zoom=8&bbox=5,43,5.2,43.2",
        "zoom=12",
        "zoom=x&bbox=5,43,5.2,43.2",
    ] {
        let answer = app
            .call(
                "GET",
                &format!("/api/v1/geo/layers/communes?{bad}"),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(answer.status, 400, "{bad}: {}", answer.text);
        assert_eq!(answer.body["error"]["code"], "VIGIE-REQ-0005", "{bad}");
    }
}
