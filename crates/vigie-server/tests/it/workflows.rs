//! What follows a conflict, over the API: two units declare operations the same night in the same
//! building and both are told (without the other's label); a referral reaches the JIRS, whose
//! magistrate reads both summaries and decides; the priority list is OFAST's alone.

use crate::support::app;
use serde_json::{json, Value};

fn operation(label: &str, lat: f64, starts_at: &str, ends_at: &str) -> Value {
    json!({
        "kind": "arrest",
        "label": label,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "lat": lat,
        "lon": 5.3589,
        "radius_m": 150,
        "contact_name": "Commandant Viala",
        "contact_phone": "04 91 00 00 03"
    })
}

#[tokio::test]
async fn overlapping_operations_are_told_to_both_units_without_their_labels() {
    let app = app().await;
    let police = app.login("agent.marseille").await;
    let gendarme = app.login("agent.gendarmerie").await;
    let first = app
        .call(
            "POST",
            "/api/v1/operations",
            Some(&police),
            Some(operation(
                "Coup de filet bât. H",
                43.3736,
                "2026-11-23T21:00:00+01:00",
                "2026-11-24T03:00:00+01:00",
            )),
        )
        .await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(first.body["overlaps"], json!([]));

    let second = app
        .call(
            "POST",
            "/api/v1/operations",
            Some(&gendarme),
            Some(operation(
                "Interpellation SR",
                43.3742,
                "2026-11-24T01:00:00Z",
                "2026-11-24T05:00:00Z",
            )),
        )
        .await;
    assert_eq!(second.status, 201, "{}", second.text);
    let overlap = &second.body["overlaps"][0];
    assert_eq!(overlap["contact_name"], json!("Commandant Viala"));
    assert_eq!(overlap["other_kind"], json!("arrest"));
    assert_eq!(overlap["from"], json!("2026-11-24T01:00:00Z"));
    assert_eq!(overlap["to"], json!("2026-11-24T02:00:00Z"));
    assert!(!second.text.contains("Coup de filet"), "{}", second.text);

    let calendar = app
        .call("GET", "/api/v1/operations", Some(&police), None)
        .await;
    assert_eq!(calendar.status, 200);
    let gendarmerie = app.call("GET", "/api/v1/me", Some(&gendarme), None).await;
    assert_eq!(
        calendar.body["operations"][0]["overlaps"][0]["other_unit_name"],
        gendarmerie.body["unit"]["name"]
    );
    assert!(!calendar.text.contains("Interpellation SR"));
    assert_eq!(
        calendar.body["operations"][0]["overlaps"][0]["contact_name"],
        json!("Commandant Viala")
    );

    // A date that is not RFC 3339 is a 422 naming the field; a magistrate cannot plan.
    let bad = app
        .call(
            "POST",
            "/api/v1/operations",
            Some(&police),
            Some(operation("x", 43.37, "demain soir", "2026-11-24T05:00:00Z")),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.body["error"]["details"][0]["field"], json!("starts_at"));
    let magistrate = app.login("magistrat.jirs").await;
    let refused = app
        .call("GET", "/api/v1/operations", Some(&magistrate), None)
        .await;
    assert_eq!(refused.status, 403);
}

fn target(procedure: &str, magistrate_unit: Option<&str>) -> Value {
    json!({
        "procedure": procedure,
        "regime": "judicial",
        "magistrate_unit": magistrate_unit,
        "magistrate_name": "Mme Castel",
        "contact_name": "Adjudant Morel",
        "contact_phone": "04 91 00 00 02",
        "identifiers": [{"kind": "plate", "value": "GH-456-JK"}]
    })
}

#[tokio::test]
async fn the_jirs_arbitrates_and_the_priority_list_is_ofasts() {
    let app = app().await;
    let gendarme = app.login("agent.gendarmerie").await;
    let douane = app.login("agent.douane").await;
    let magistrate = app.login("magistrat.jirs").await;
    let ofast = app.login("analyste.ofast").await;
    let me = app.call("GET", "/api/v1/me", Some(&magistrate), None).await;
    let jirs = me.body["unit"]["id"].as_str().unwrap().to_owned();

    let first = app
        .call(
            "POST",
            "/api/v1/targets",
            Some(&gendarme),
            Some(target("SR-44", Some(&jirs))),
        )
        .await;
    assert_eq!(first.status, 201, "{}", first.text);
    let second = app
        .call(
            "POST",
            "/api/v1/targets",
            Some(&douane),
            Some(target("DNRED-3", None)),
        )
        .await;
    let own = second.body["target"]["id"].as_str().unwrap().to_owned();
    let other = first.body["target"]["id"].as_str().unwrap().to_owned();

    let referral = app
        .call(
            "POST",
            "/api/v1/arbitrations",
            Some(&douane),
            Some(json!({"own_target": own, "other_target": other, "reason": "Qui mène l'enquête sur ce véhicule ?"})),
        )
        .await;
    assert_eq!(referral.status, 201, "{}", referral.text);
    assert_eq!(referral.body["arbiter"], json!(jirs));
    let id = referral.body["id"].as_str().unwrap().to_owned();
    let again = app
        .call(
            "POST",
            "/api/v1/arbitrations",
            Some(&douane),
            Some(json!({"own_target": own, "other_target": other, "reason": "Qui mène l'enquête sur ce véhicule ?"})),
        )
        .await;
    assert_eq!(again.status, 409, "{}", again.text);

    // The units cannot read the case; the magistrate reads both summaries.
    let denied = app
        .call(
            "GET",
            &format!("/api/v1/arbitrations/{id}"),
            Some(&gendarme),
            None,
        )
        .await;
    assert_eq!(denied.status, 403);
    let case = app
        .call(
            "GET",
            &format!("/api/v1/arbitrations/{id}"),
            Some(&magistrate),
            None,
        )
        .await;
    assert_eq!(case.status, 200, "{}", case.text);
    assert_eq!(case.body["first"]["procedure"], json!("SR-44"));
    assert_eq!(case.body["second"]["procedure"], json!("DNRED-3"));
    assert_eq!(case.body["matches"], json!(["plate"]));
    let lead = case.body["arbitration"]["first_unit"].clone();
    let decided = app
        .call(
            "POST",
            &format!("/api/v1/arbitrations/{id}/decision"),
            Some(&magistrate),
            Some(json!({"outcome": "lead_unit", "lead_unit": lead, "motivation": "La SR a ouvert la procédure la première"})),
        )
        .await;
    assert_eq!(decided.status, 200, "{}", decided.text);
    let listed = app
        .call("GET", "/api/v1/arbitrations", Some(&douane), None)
        .await;
    assert!(listed.body["arbitrations"][0]["decision"]
        .as_str()
        .unwrap()
        .starts_with("Direction confiée à"));

    // Priority list: nominated by the unit, decided by OFAST, hidden from the unit.
    let nominated = app
        .call(
            "POST",
            "/api/v1/priority",
            Some(&gendarme),
            Some(json!({"target": other, "reasons": "Logisticien du réseau, 4 départements"})),
        )
        .await;
    assert_eq!(nominated.status, 201, "{}", nominated.text);
    assert_eq!(nominated.body["status"], json!("nominated"));
    let hidden = app
        .call("GET", "/api/v1/priority", Some(&gendarme), None)
        .await;
    assert_eq!(hidden.status, 403);
    let decision = app
        .call(
            "POST",
            &format!("/api/v1/priority/{other}/decision"),
            Some(&ofast),
            Some(json!({"decision": "list", "reasons": "Validé en comité"})),
        )
        .await;
    assert_eq!(decision.status, 200, "{}", decision.text);
    assert_eq!(decision.body["status_fr"], json!("Inscrit"));
    let bad_review = app
        .call(
            "POST",
            &format!("/api/v1/priority/{other}/review"),
            Some(&ofast),
            Some(json!({"delist": "bored", "reasons": "plus d'intérêt pour nous"})),
        )
        .await;
    assert_eq!(bad_review.status, 422);
    assert_eq!(
        bad_review.body["error"]["details"][0]["field"],
        json!("delist")
    );
    let list = app
        .call("GET", "/api/v1/priority", Some(&ofast), None)
        .await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body["indicators"]["listed"], json!(1));
    assert_eq!(list.body["entries"][0]["procedure"], json!("SR-44"));
}
