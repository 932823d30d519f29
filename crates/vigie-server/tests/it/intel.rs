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

#[tokio::test]
async fn a_csv_export_has_the_columns_asked_for_and_refuses_a_bad_mapping() {
    let app = app().await;
    let police = app.login("agent.marseille").await;
    let gendarme = app.login("agent.gendarmerie").await;
    let gendarmerie = app
        .call("GET", "/api/v1/me", Some(&gendarme), None)
        .await
        .body["unit"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (text, handling) in [
        (
            "Réseau Antananarivo : relève des guetteurs à 14 h.",
            json!([]),
        ),
        (
            "Réseau Antananarivo : le chef serait mineur.",
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
    let export = |mapping: Option<&str>| {
        let mut body = json!({
            "motif": "transmission à la gendarmerie",
            "purpose": "share",
            "to_unit": gendarmerie,
            "query": "antananarivo",
        });
        if let Some(mapping) = mapping {
            body["mapping"] = json!(mapping);
        }
        let (app, police) = (&app, &police);
        async move {
            app.call("POST", "/api/v1/intel/export/csv", Some(police), Some(body))
                .await
        }
    };

    // The default columns; the H2 item is held back and counted.
    let answer = export(None).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.headers["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        answer.headers["content-disposition"],
        "attachment; filename=\"vigie-renseignement.csv\""
    );
    assert_eq!(answer.headers["vigie-withheld"], "1");
    assert!(
        answer.text.starts_with(
            "\u{feff}\"REFERENCE\";\"DATE_OBSERVATION\";\"FIN_OBSERVATION\";\"TEXTE\""
        ),
        "{}",
        answer.text
    );
    assert_eq!(answer.text.lines().count(), 2, "{}", answer.text);
    assert!(answer.text.contains("relève des guetteurs"));
    assert!(!answer.text.contains("serait mineur"));
    assert!(!answer.text.contains("SH-13-0042"), "never a source's code");

    // Chosen columns, in order.
    let answer = export(Some("text=Texte, source=Source ,grade=Cotation")).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(
        answer.text,
        "\u{feff}\"Texte\";\"Source\";\"Cotation\"\n\
         \"Réseau Antananarivo : relève des guetteurs à 14 h.\";\"Source humaine\";\"Europol 4x4 B2\"\n"
    );

    // A bad mapping: 422 in the error format, each fault named on the field `mapping`.
    let refused = export(Some("texte=TEXTE,text=A,grade=a")).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(refused.body["error"]["code"], "VIGIE-VAL-0001");
    let details = refused.body["error"]["details"].as_array().unwrap();
    assert_eq!(details.len(), 2, "{}", refused.text);
    assert!(details.iter().all(|d| d["field"] == "mapping"));
    assert!(details[0]["message"]
        .as_str()
        .unwrap()
        .contains("champ « texte » inconnu pour un élément de renseignement"));
    assert!(details[1]["message"]
        .as_str()
        .unwrap()
        .contains("colonne « a » indiquée deux fois"));
    let malformed = export(Some("TEXTE")).await;
    assert_eq!(malformed.status, 422);
    assert!(malformed.text.contains("mal formée"), "{}", malformed.text);
    // A share names its unit; the words never go in the URL (the body is refused with an unknown field).
    let no_unit = app
        .call(
            "POST",
            "/api/v1/intel/export/csv",
            Some(&police),
            Some(json!({"motif": "diffusion", "purpose": "share"})),
        )
        .await;
    assert_eq!(no_unit.status, 422);
    assert_eq!(no_unit.body["error"]["details"][0]["field"], "to_unit");
    let auditor = app.login("auditeur").await;
    let forbidden = app
        .call(
            "POST",
            "/api/v1/intel/export/csv",
            Some(&auditor),
            Some(json!({"motif": "contrôle", "purpose": "judicial_file"})),
        )
        .await;
    assert_eq!(forbidden.status, 403, "{}", forbidden.text);
}
