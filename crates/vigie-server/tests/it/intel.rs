//! The intelligence repository over the API: an item recorded with its grade and handling codes,
//! refused field by field when wrong, read with a motif by its unit, hidden (404) from the
//! gendarmes while under H2, and reachable through its sanitised copy.

use crate::support::app;
use serde_json::{json, Value};

fn item() -> Value {
    json!({
        "text": "Guetteurs relevés toutes les quatre heures à l'entrée du parking de la tour 4.",
        "observed_on": "2026-11-18",
        "commune": "13214",
        "source": "human_source",
        "source_code": "SH-13-0042",
        "grade_scheme": "europol_4x4",
        "grade": "B2",
        "handling": ["H2"],
        "regime": "administrative"
    })
}

#[tokio::test]
async fn an_item_is_recorded_graded_read_with_a_motif_and_shared_through_its_sanitised_copy() {
    let app = app().await;
    let police = app.login("agent.marseille").await;
    let gendarme = app.login("agent.gendarmerie").await;

    let mut bad = item();
    bad["grade"] = json!("D2");
    bad["handling"] = json!(["H3"]);
    let refused = app
        .call("POST", "/api/v1/intel/items", Some(&police), Some(bad))
        .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    let fields: Vec<&str> = refused.body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|field| field["field"].as_str())
        .collect();
    assert_eq!(fields, ["grade", "handling"], "{}", refused.text);
    assert!(
        refused.text.contains("une lettre A, B, C ou X"),
        "{}",
        refused.text
    );

    let mut unknown = item();
    unknown["cotation"] = json!("B2");
    let rejected = app
        .call("POST", "/api/v1/intel/items", Some(&police), Some(unknown))
        .await;
    assert!([400, 422].contains(&rejected.status), "{}", rejected.text);

    let created = app
        .call("POST", "/api/v1/intel/items", Some(&police), Some(item()))
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["grade"]["label"], json!("Europol 4x4 B2"));
    assert_eq!(created.body["handling"], json!(["H2"]));
    assert_eq!(created.body["source"], json!("Source humaine SH-13-0042"));
    assert_eq!(created.body["departement"], json!("13"));
    let id = created.body["id"].as_str().unwrap().to_owned();

    let path = format!("/api/v1/intel/items/{id}/consultation");
    let hidden = app
        .call(
            "POST",
            &path,
            Some(&gendarme),
            Some(json!({"motif": "recoupement"})),
        )
        .await;
    assert_eq!(hidden.status, 404, "{}", hidden.text);
    let missing = app
        .call(
            "POST",
            "/api/v1/intel/items/00000000-0000-4000-8000-000000000000/consultation",
            Some(&gendarme),
            Some(json!({"motif": "recoupement"})),
        )
        .await;
    assert_eq!(missing.status, 404);
    assert_eq!(
        hidden.body["error"]["code"], missing.body["error"]["code"],
        "hidden looks like missing"
    );

    let copy = app
        .call(
            "POST",
            &format!("/api/v1/intel/items/{id}/sanitised"),
            Some(&police),
            Some(json!({"text": "Dispositif de guet signalé dans le 14e arrondissement."})),
        )
        .await;
    assert_eq!(copy.status, 201, "{}", copy.text);
    assert_eq!(copy.body["source"], json!("Source protégée (copie épurée)"));
    let copy_id = copy.body["id"].as_str().unwrap();
    let read = app
        .call(
            "POST",
            &format!("/api/v1/intel/items/{copy_id}/consultation"),
            Some(&gendarme),
            Some(json!({"motif": "recoupement"})),
        )
        .await;
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(read.body["sanitised_from"], json!(id));
    assert!(!read.text.contains("SH-13-0042"));

    let permitted = app
        .call(
            "POST",
            &format!("/api/v1/intel/items/{id}/permissions"),
            Some(&police),
            Some(json!({"kind": "onward_sharing", "reason": "enquête commune"})),
        )
        .await;
    assert_eq!(permitted.status, 200, "{}", permitted.text);
    let shared = app
        .call(
            "POST",
            &path,
            Some(&gendarme),
            Some(json!({"motif": "enquête commune"})),
        )
        .await;
    assert_eq!(shared.status, 200, "{}", shared.text);
}
