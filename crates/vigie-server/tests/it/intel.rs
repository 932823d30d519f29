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

#[tokio::test]
async fn search_takes_its_words_in_the_body_and_counts_only_what_the_caller_may_read() {
    let app = app().await;
    let police = app.login("agent.marseille").await;
    let gendarme = app.login("agent.gendarmerie").await;
    for (text, handling) in [
        (
            "Réseau Kilimandjaro : guetteurs relevés au parking.",
            json!([]),
        ),
        (
            "Kilimandjaro : le guetteur principal serait mineur.",
            json!(["H2"]),
        ),
    ] {
        let mut body = item();
        body["text"] = json!(text);
        body["handling"] = handling;
        let created = app
            .call("POST", "/api/v1/intel/items", Some(&police), Some(body))
            .await;
        assert_eq!(created.status, 201, "{}", created.text);
    }
    let search = |query: &str| json!({"motif": "analyse du secteur", "query": query, "filters": {"departements": ["13"]}});
    let own = app
        .call(
            "POST",
            "/api/v1/intel/search",
            Some(&police),
            Some(search("kilimandjaro guetteurs")),
        )
        .await;
    assert_eq!(own.status, 200, "{}", own.text);
    assert_eq!(own.body["total"], json!(2), "{}", own.text);
    let other = app
        .call(
            "POST",
            "/api/v1/intel/search",
            Some(&gendarme),
            Some(search("kilimandjaro")),
        )
        .await;
    assert_eq!(other.status, 200, "{}", other.text);
    assert_eq!(other.body["total"], json!(1), "{}", other.text);
    let hit = &other.body["hits"][0];
    assert_eq!(hit["grade"], json!("Europol 4x4 B2"));
    let excerpt = hit["excerpt"]["text"].as_str().unwrap();
    let [start, end] =
        [0, 1].map(|i| hit["excerpt"]["highlighted"][0][i].as_u64().unwrap() as usize);
    assert_eq!(&excerpt[start..end], "Kilimandjaro");
    let departements = &other.body["facets"]["departement"];
    assert_eq!(departements[0]["count"], json!(1), "{}", other.text);
    assert_eq!(departements[0]["label"], json!("Bouches-du-Rhône (13)"));

    // Bad filters name their field; no session, no search; no motif, no search.
    let bad = app
        .call(
            "POST",
            "/api/v1/intel/search",
            Some(&police),
            Some(json!({"motif": "analyse", "filters": {"regimes": ["secret"], "observed_from": "hier"}, "limit": 500})),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    let fields: Vec<&str> = bad.body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|field| field["field"].as_str())
        .collect();
    assert_eq!(
        fields,
        ["filters.regimes", "filters.observed_from"],
        "{}",
        bad.text
    );
    let too_many = app
        .call(
            "POST",
            "/api/v1/intel/search",
            Some(&police),
            Some(json!({"motif": "analyse", "limit": 500})),
        )
        .await;
    assert_eq!(too_many.status, 422, "{}", too_many.text);
    assert!(
        too_many.text.contains("Entre 1 et 100"),
        "{}",
        too_many.text
    );
    let anonymous = app
        .call(
            "POST",
            "/api/v1/intel/search",
            None,
            Some(search("kilimandjaro")),
        )
        .await;
    assert_eq!(anonymous.status, 401);
    let no_motif = app
        .call(
            "POST",
            "/api/v1/intel/search",
            Some(&police),
            Some(json!({"query": "kilimandjaro", "motif": ""})),
        )
        .await;
    assert!([400, 422].contains(&no_motif.status), "{}", no_motif.text);
}

#[tokio::test]
async fn an_export_is_a_followthemoney_file_and_says_how_many_items_were_held_back() {
    let app = app().await;
    let police = app.login("agent.marseille").await;
    for handling in [json!([]), json!(["H1"])] {
        let mut body = item();
        body["text"] = json!("Réseau Ouagadougou : relève des guetteurs à 14 h.");
        body["handling"] = handling;
        let created = app
            .call("POST", "/api/v1/intel/items", Some(&police), Some(body))
            .await;
        assert_eq!(created.status, 201, "{}", created.text);
    }
    let exported = app
        .call(
            "POST",
            "/api/v1/intel/export",
            Some(&police),
            Some(json!({"motif": "transmission au parquet", "purpose": "judicial_file", "query": "ouagadougou"})),
        )
        .await;
    assert_eq!(exported.status, 200, "{}", exported.text);
    assert_eq!(exported.headers["content-type"], "application/x-ndjson");
    assert_eq!(exported.headers["vigie-withheld"], "1");
    let lines: Vec<Value> = exported
        .text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["schema"], json!("Note"));
    let share_without_unit = app
        .call(
            "POST",
            "/api/v1/intel/export",
            Some(&police),
            Some(json!({"motif": "diffusion", "purpose": "share"})),
        )
        .await;
    assert_eq!(
        share_without_unit.status, 422,
        "{}",
        share_without_unit.text
    );
    assert!(share_without_unit.text.contains("to_unit"));
}
