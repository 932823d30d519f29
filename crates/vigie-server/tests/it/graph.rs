//! Link charts over the API: the chart's JSON, the ANX download, and bad requests answered in our
//! error format with the field named.

use crate::support::*;
use serde_json::json;

async fn hub(app: &TestApp, token: &str) -> String {
    let answer = app
        .call(
            "POST",
            "/api/v1/entities/search",
            Some(token),
            Some(
                json!({"text": "a", "schema": "Person", "motif": "recherche de test", "limit": 50}),
            ),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    // The person with the most neighbours one hop away.
    let mut best = (0, String::new());
    for hit in answer.body["hits"].as_array().unwrap() {
        let id = hit["id"].as_str().unwrap().to_owned();
        let chart = app
            .call(
                "POST",
                "/api/v1/entities/graph",
                Some(token),
                Some(json!({"motif": "recherche de test", "seeds": [{"id": id, "hops": 1}]})),
            )
            .await;
        let size = chart.body["nodes"].as_array().map_or(0, Vec::len);
        if size > best.0 {
            best = (size, id);
        }
    }
    assert!(best.0 > 2, "a demo person has at least two neighbours");
    best.1
}

#[tokio::test]
async fn a_chart_comes_back_as_nodes_and_edges_and_grows_with_depth() {
    let app = app().await;
    let token = app.login("analyste.cross13").await;
    let id = hub(&app, &token).await;
    let chart = |hops: u8| {
        let (app, token, id) = (&app, &token, &id);
        async move {
            app.call(
                "POST",
                "/api/v1/entities/graph",
                Some(token),
                Some(json!({"motif": "Procédure 2026/118", "seeds": [{"id": id, "hops": hops}]})),
            )
            .await
        }
    };
    let one = chart(1).await;
    assert_eq!(one.status, 200, "{}", one.text);
    let two = chart(2).await;
    let nodes = |a: &Answer| a.body["nodes"].as_array().unwrap().len();
    assert!(nodes(&two) > nodes(&one), "two hops reach further than one");
    assert_eq!(
        one.headers["x-vigie-journal-seq"].to_str().unwrap(),
        one.body["journal_seq"].to_string()
    );
    let root = &one.body["nodes"][0];
    assert_eq!(root["id"], id.as_str());
    assert_eq!(root["seed"], true);
    assert_eq!(root["hop"], 0);
    assert_eq!(root["schema"], "Person");
    assert_eq!(root["schema_label"], "Personne");
    let ids: Vec<&str> = one.body["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    for edge in one.body["edges"].as_array().unwrap() {
        assert!(ids.contains(&edge["source"].as_str().unwrap()));
        assert!(ids.contains(&edge["target"].as_str().unwrap()));
        assert!(!edge["kind_label"].as_str().unwrap().is_empty());
    }
    assert_eq!(one.body["truncated"], false);
}

#[tokio::test]
async fn the_anx_download_is_an_analysts_notebook_document() {
    let app = app().await;
    let token = app.login("analyste.cross13").await;
    let id = hub(&app, &token).await;
    let answer = app
        .call(
            "POST",
            "/api/v1/entities/graph/anx",
            Some(&token),
            Some(json!({
                "motif": "Procédure 2026/118",
                "seeds": [{"id": id, "hops": 1}],
                "positions": {id.clone(): {"x": 40.0, "y": 80.0}}
            })),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(
        answer.headers["content-type"].to_str().unwrap(),
        "application/xml; charset=utf-8"
    );
    assert!(answer.headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains("schema-relationnel.anx"));
    assert!(answer.text.starts_with("<?xml"));
    assert!(answer.text.contains(&format!("EntityId=\"{id}\"")));
    assert!(answer.text.contains("XPosition=\"40\""));

    // The ANX body is the chart's plus the positions: an unknown field is refused all the same.
    let unknown = app
        .call(
            "POST",
            "/api/v1/entities/graph/anx",
            Some(&token),
            Some(json!({"motif": "Procédure 2026/118", "seeds": [{"id": id, "hops": 1}], "depth": 2})),
        )
        .await;
    assert_eq!(unknown.status, 422, "{}", unknown.text);
    assert_eq!(unknown.body["error"]["code"], "VIGIE-REQ-0002");
}

#[tokio::test]
async fn bad_chart_requests_name_the_field_and_hidden_seeds_are_not_found() {
    let app = app().await;
    let token = app.login("agent.marseille").await;
    let id = hub(&app, &token).await;
    let bad = app
        .call(
            "POST",
            "/api/v1/entities/graph",
            Some(&token),
            Some(
                json!({"motif": "Procédure 2026/118", "seeds": [{"id": id, "hops": 9}],
                "kinds": ["cousin"], "from": "2025-13-01"}),
            ),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    let fields: Vec<&str> = bad.body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["kinds", "from"]);
    let deep = app
        .call(
            "POST",
            "/api/v1/entities/graph",
            Some(&token),
            Some(json!({"motif": "Procédure 2026/118", "seeds": [{"id": id, "hops": 9}]})),
        )
        .await;
    assert_eq!(deep.status, 422);
    assert_eq!(deep.body["error"]["details"][0]["field"], "hops");
    let unknown_field = app
        .call(
            "POST",
            "/api/v1/entities/graph",
            Some(&token),
            Some(json!({"motif": "Procédure 2026/118", "seeds": [{"id": id, "hops": 1}], "depth": 2})),
        )
        .await;
    assert_eq!(unknown_field.status, 422, "{}", unknown_field.text);
    assert_eq!(unknown_field.body["error"]["code"], "VIGIE-REQ-0002");
    let missing = app
        .call(
            "POST",
            "/api/v1/entities/graph",
            Some(&token),
            Some(json!({"motif": "Procédure 2026/118",
                "seeds": [{"id": uuid::Uuid::new_v4(), "hops": 1}]})),
        )
        .await;
    assert_eq!(missing.status, 404, "{}", missing.text);
    let auditor = app.login("auditeur").await;
    let refused = app
        .call(
            "POST",
            "/api/v1/entities/graph",
            Some(&auditor),
            Some(json!({"motif": "Procédure 2026/118", "seeds": [{"id": id, "hops": 1}]})),
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text);
}

async fn import(app: &TestApp, token: &str, query: &str, body: Vec<u8>) -> Answer {
    let request = axum::http::Request::builder()
        .method("POST")
        .uri(format!("/api/v1/entities/import?{query}"))
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/x-ndjson")
        .body(axum::body::Body::from(body))
        .unwrap();
    app.send(request).await
}

#[tokio::test]
async fn ftm_and_csv_files_import_all_or_nothing_with_faults_by_line() {
    let app = app().await;
    let token = app.login("agent.marseille").await;
    let query = "regime=judicial&departement=13&source=Export%20Aleph";
    let good = [
        r#"{"id": "p1", "schema": "Person", "properties": {"name": ["Zébulon IMPORTÉ"], "gender": ["male"]}}"#,
        r#"{"id": "v1", "schema": "Vehicle", "properties": {"registrationNumber": ["ab-123-cd"]}}"#,
        r#"{"id": "o1", "schema": "Ownership", "properties": {"owner": ["p1"], "asset": ["v1"]}}"#,
    ];
    // Padded past the test server's 64 KiB default limit: the import route takes larger files.
    let mut body = good.join("\n");
    body.push_str(&"\n".repeat(100 * 1024));
    let answer = import(&app, &token, query, body.into_bytes()).await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    assert_eq!(answer.body["entities"], 2);
    assert_eq!(answer.body["links"], 1);
    assert_eq!(answer.body["ignored"]["Person.gender"], 1);
    assert!(answer.body["ids"]["p1"].is_string());

    let bad = [good[0], r#"{"id": "x", "schema": "Airplane"}"#, "{oops"].join("\n");
    let answer = import(&app, &token, query, bad.into_bytes()).await;
    assert_eq!(answer.status, 422, "{}", answer.text);
    assert_eq!(answer.body["error"]["code"], "VIGIE-VAL-0001");
    let fields: Vec<&str> = answer.body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["lines[2].schema", "lines[3]"]);

    let answer = import(
        &app,
        &token,
        "regime=martial&source=x",
        good.join("\n").into_bytes(),
    )
    .await;
    assert_eq!(answer.status, 422);
    assert_eq!(answer.body["error"]["details"][0]["field"], "regime");
    let answer = import(&app, &token, "departement=13", good.join("\n").into_bytes()).await;
    assert_eq!(answer.status, 400, "{}", answer.text);
    assert_eq!(answer.body["error"]["code"], "VIGIE-REQ-0005");
    let answer = import(&app, &token, query, vec![0xff, 0xfe, b'{']).await;
    assert_eq!(answer.status, 400, "{}", answer.text);
    assert_eq!(answer.body["error"]["code"], "VIGIE-REQ-0007");
    let csv = "NOM;PRENOM;SURNOMS\nIMPORTÉ;Zoé;La Fouine|ZZ\nMARTIN;;\n";
    let answer = import(
        &app,
        &token,
        &format!("{query}&format=csv&schema=Person&mapping=lastName%3DNOM,firstName%3DPRENOM,alias%3DSURNOMS"),
        csv.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    assert_eq!(answer.body["entities"], 2);
    assert!(answer.body["ids"]["line-2"].is_string());
    let answer = import(
        &app,
        &token,
        &format!("{query}&format=csv&schema=Person&mapping=birthDate%3DNOM"),
        csv.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(answer.status, 422, "{}", answer.text);
    assert_eq!(answer.body["error"]["details"][0]["field"], "lines[2].NOM");
    let answer = import(
        &app,
        &token,
        &format!("{query}&format=csv"),
        csv.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(answer.body["error"]["details"][0]["field"], "schema");

    let auditor = app.login("auditeur").await;
    let answer = import(&app, &auditor, query, good.join("\n").into_bytes()).await;
    assert_eq!(answer.status, 403, "{}", answer.text);
}

#[tokio::test]
async fn a_chart_downloads_as_ftm_lines_that_import_back() {
    let app = app().await;
    let token = app.login("analyste.cross13").await;
    let id = hub(&app, &token).await;
    let answer = app
        .call(
            "POST",
            "/api/v1/entities/graph/ftm",
            Some(&token),
            Some(json!({"motif": "Procédure 2026/118", "seeds": [{"id": id, "hops": 1}]})),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.headers["content-type"], "application/x-ndjson");
    let lines: Vec<serde_json::Value> = answer
        .text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines[0]["id"], format!("vigie-entity-{id}"));
    assert_eq!(lines[0]["schema"], "Person");
    let agent = app.login("agent.marseille").await;
    let back = import(
        &app,
        &agent,
        "regime=judicial&source=Copie%20du%20sch%C3%A9ma",
        answer.text.clone().into_bytes(),
    )
    .await;
    assert_eq!(back.status, 201, "{}", back.text);
    let total = back.body["entities"].as_u64().unwrap() + back.body["links"].as_u64().unwrap();
    assert_eq!(total as usize, lines.len());
}

#[tokio::test]
async fn a_chart_downloads_as_csv_that_imports_back_with_the_same_mapping() {
    let app = app().await;
    let token = app.login("analyste.cross13").await;
    let id = hub(&app, &token).await;
    let chart = |schema: &str, mapping: Option<&str>| {
        let mut body = json!({
            "motif": "Procédure 2026/118",
            "seeds": [{"id": id, "hops": 1}],
            "schema": schema,
        });
        if let Some(mapping) = mapping {
            body["mapping"] = json!(mapping);
        }
        let (app, token) = (&app, &token);
        async move {
            app.call(
                "POST",
                "/api/v1/entities/graph/csv",
                Some(token),
                Some(body),
            )
            .await
        }
    };
    let graph = app
        .call(
            "POST",
            "/api/v1/entities/graph",
            Some(&token),
            Some(json!({"motif": "Procédure 2026/118", "seeds": [{"id": id, "hops": 1}]})),
        )
        .await;
    let people = graph.body["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|node| node["schema"] == "Person")
        .count();

    let answer = chart("Person", None).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.headers["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        answer.headers["content-disposition"],
        "attachment; filename=\"schema-relationnel-person.csv\""
    );
    assert!(answer
        .text
        .starts_with("\u{feff}\"NAME\";\"FIRST_NAME\";\"LAST_NAME\";\"ALIAS\""));
    // Read back through the import with the default mapping: one person per row.
    let agent = app.login("agent.marseille").await;
    let mapping = "name=NAME,firstName=FIRST_NAME,lastName=LAST_NAME,alias=ALIAS,\
                   birthDate=BIRTH_DATE,birthPlace=BIRTH_PLACE,nationality=NATIONALITY,notes=NOTES";
    let query = format!(
        "regime=judicial&source=Copie%20du%20sch%C3%A9ma&format=csv&schema=Person&mapping={}",
        mapping.replace(',', "%2C").replace('=', "%3D")
    );
    let back = import(&app, &agent, &query, answer.text.clone().into_bytes()).await;
    assert_eq!(back.status, 201, "{}", back.text);
    assert_eq!(back.body["entities"].as_u64().unwrap() as usize, people);

    // A mapping that does not fit the schema: 422, each fault named on `mapping`.
    let refused = chart("Vehicle", Some("colour=COULEUR,model=A,notes=a")).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(refused.body["error"]["code"], "VIGIE-VAL-0001");
    let details = refused.body["error"]["details"].as_array().unwrap();
    assert_eq!(details.len(), 2, "{}", refused.text);
    assert!(details.iter().all(|d| d["field"] == "mapping"));
    assert!(details[0]["message"]
        .as_str()
        .unwrap()
        .contains("propriété « colour » inconnue pour le type « Véhicule »"));
    let unknown = chart("Licorne", None).await;
    assert_eq!(unknown.status, 422);
    assert_eq!(unknown.body["error"]["details"][0]["field"], "schema");
}
