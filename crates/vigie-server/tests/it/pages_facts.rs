//! Facts and merges as users see them: the values table says where each value comes from and its
//! grade, a contradiction is flagged and kept, a bad form comes back with its error under the
//! field; an analyst sees possible duplicates, merges one, sees both records as one, and takes
//! it back; an agent does neither. The same through the JSON API, errors in its format.

use crate::pages::sign_in;
use crate::support::*;
use serde_json::json;

const MOTIF: &str = "Procédure 2026/77";

/// A person recorded by agent.marseille through the API, its id.
async fn person(app: &TestApp, properties: serde_json::Value) -> String {
    let token = app.login("agent.marseille").await;
    let answer = app
        .call(
            "POST",
            "/api/v1/entities",
            Some(&token),
            Some(json!({
                "schema": "Person",
                "properties": properties,
                "departement": "13",
                "regime": "judicial",
                "source": "PV d'audition 2026/881",
            })),
        )
        .await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    answer.body["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_value_shows_its_origin_and_grade_and_a_contradiction_is_kept_and_flagged() {
    let app = app().await;
    let id = person(
        &app,
        json!({"firstName": ["Karim"], "lastName": ["Dupont"], "birthDate": ["1990-04-12"]}),
    )
    .await;
    let agent = sign_in(&app, "agent.marseille").await;
    let page = agent
        .post(&format!("/entites/{id}"), &[("motif", MOTIF)])
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("id=\"informations-table\""));
    assert!(page.text.contains("Fiche · PV d&#39;audition 2026/881"));
    assert!(page.text.contains("Non cotée"));
    assert!(page.text.contains("Ajouter une information"));
    assert!(!page.text.contains("id=\"informations-divergentes\""));
    // An agent merges nothing and is offered no duplicates.
    assert!(!page.text.contains("Doublons possibles"));

    let fields = |value: &'static str, grade: &'static str| {
        vec![
            ("motif", MOTIF),
            ("propriete", "birthDate"),
            ("valeur", value),
            ("origine", "piece"),
            ("reference", "Fiche TAJ du 02/11"),
            ("bareme", "europol_4x4"),
            ("cotation", grade),
            ("observe_le", "2026-11-02"),
        ]
    };
    let bad = agent
        .post(
            &format!("/entites/{id}/informations"),
            &fields("1990-12-04", "Z9"),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(bad.text.contains("id=\"cotation-messages\"") || bad.text.contains("fait-cotation"));
    assert!(bad.text.contains("fr-input-group--error"));
    assert!(bad
        .text
        .contains("<details class=\"fr-mb-3w\" id=\"ajout-information\" open>"));
    assert!(
        !bad.text.contains("Fiche TAJ du 02/11</span>"),
        "nothing was added"
    );

    let added = agent
        .post(
            &format!("/entites/{id}/informations"),
            &fields("1990-12-04", "C3"),
        )
        .await;
    assert_eq!(added.status, 200, "{}", added.text);
    assert!(added
        .text
        .contains("Information ajoutée avec la cotation Europol 4x4 C3"));
    assert!(added.text.contains("id=\"informations-divergentes\""));
    assert!(added
        .text
        .contains("Informations divergentes : Date de naissance"));
    assert!(added.text.contains("Fiche TAJ du 02/11"));
    assert!(added.text.contains("observée le 02/11/2026"));
    // Both dates are there, and the new one is in the chronology on the day it was observed.
    assert!(added.text.contains("12/04/1990") && added.text.contains("04/12/1990"));
    let chronology = &added.text[added.text.find("id=\"chronologie-liste\"").unwrap()..];
    assert!(chronology.contains("<time datetime=\"2026-11-02\">02/11/2026</time>"));
    assert!(chronology.contains("Date de naissance : 04/12/1990"));
    assert!(chronology.contains("Fiche TAJ du 02/11 · Europol 4x4 C3"));
}

#[tokio::test]
async fn an_analyst_merges_a_suggested_duplicate_and_takes_it_back() {
    let app = app().await;
    let kept = person(
        &app,
        json!({"firstName": ["Karim"], "lastName": ["Dupont"], "birthDate": ["1990-04-12"]}),
    )
    .await;
    let twin = person(
        &app,
        json!({"firstName": ["Karim"], "lastName": ["Dupond"], "birthDate": ["1990-12-04"], "alias": ["Tonton"]}),
    )
    .await;
    let analyst = sign_in(&app, "analyste.cross13").await;
    let page = analyst
        .post(&format!("/entites/{kept}"), &[("motif", MOTIF)])
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("Doublons possibles"));
    assert!(page
        .text
        .contains(&format!("name=\"fiche\" value=\"{twin}\"")));
    assert!(page
        .text
        .contains("Date de naissance : jour et mois inversés"));

    let short = analyst
        .post(
            &format!("/entites/{kept}/fusions"),
            &[("motif", MOTIF), ("fiche", &twin), ("motivation", "oui")],
        )
        .await;
    assert_eq!(short.status, 422);
    assert!(short.text.contains("id=\"fusion-erreur\""));

    let merged = analyst
        .post(
            &format!("/entites/{kept}/fusions"),
            &[
                ("motif", MOTIF),
                ("fiche", &twin),
                (
                    "motivation",
                    "Même personne, date inversée dans la procédure",
                ),
            ],
        )
        .await;
    assert_eq!(merged.status, 200, "{}", merged.text);
    assert!(merged.text.contains("Fiche fusionnée dans celle-ci"));
    assert!(merged.text.contains("Fiches fusionnées dans celle-ci"));
    assert!(merged.text.contains("Tonton"));
    assert!(merged.text.contains("Fiche fusionnée « Karim DUPOND »"));

    // The twin's page sends to the kept record.
    let twin_page = analyst
        .post(&format!("/entites/{twin}"), &[("motif", MOTIF)])
        .await;
    assert!(twin_page.text.contains("id=\"fiche-fusionnee\""));

    // An agent may not merge, nor undo.
    let agent = sign_in(&app, "agent.marseille").await;
    let refused = agent
        .post(
            &format!("/entites/{kept}/defusion"),
            &[
                ("motif", MOTIF),
                ("fiche", &twin),
                ("motivation", "je défais"),
            ],
        )
        .await;
    assert_eq!(refused.status, 403);

    let undone = analyst
        .post(
            &format!("/entites/{kept}/defusion"),
            &[
                ("motif", MOTIF),
                ("fiche", &twin),
                ("motivation", "Erreur : deux frères"),
            ],
        )
        .await;
    assert_eq!(undone.status, 200, "{}", undone.text);
    assert!(undone
        .text
        .contains("Fusion annulée : les deux fiches sont de nouveau distinctes."));
    assert!(!undone.text.contains("Fiche fusionnée « Karim DUPOND »"));
    assert!(undone.text.contains("Fusion annulée le"));
}

#[tokio::test]
async fn facts_and_merges_over_the_api_answer_in_the_error_format() {
    let app = app().await;
    let kept = person(
        &app,
        json!({"name": ["Karim DUPONT"], "birthDate": ["1990-04-12"]}),
    )
    .await;
    let twin = person(
        &app,
        json!({"name": ["Karim DUPOND"], "birthDate": ["1990-04-12"]}),
    )
    .await;
    let agent = app.login("agent.marseille").await;
    let analyst = app.login("analyste.cross13").await;

    let added = app
        .call(
            "POST",
            &format!("/api/v1/entities/{kept}/facts"),
            Some(&agent),
            Some(json!({
                "property": "alias",
                "value": "Tonton",
                "basis": {"reference": "PV 2026/123", "grade_scheme": "uk_3x5x2", "grade": "2BP"},
            })),
        )
        .await;
    assert_eq!(added.status, 201, "{}", added.text);
    assert_eq!(added.body["grade"]["label"], "3x5x2 (Royaume-Uni) 2BP");
    assert_eq!(added.body["reference"], "PV 2026/123");

    let bad = app
        .call(
            "POST",
            &format!("/api/v1/entities/{kept}/facts"),
            Some(&agent),
            Some(json!({"property": "iban", "value": "x", "basis": {}})),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert_eq!(bad.body["error"]["code"], "VIGIE-VAL-0001");
    let fields: Vec<&str> = bad.body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["property", "reference"]);

    let found = app
        .call(
            "POST",
            &format!("/api/v1/entities/{kept}/merge-suggestions"),
            Some(&analyst),
            Some(json!({"motif": MOTIF})),
        )
        .await;
    assert_eq!(found.status, 200, "{}", found.text);
    assert_eq!(found.body["suggestions"][0]["candidate"]["id"], twin);
    assert_eq!(found.body["suggestions"][0]["strong"], true);

    let forbidden = app
        .call(
            "POST",
            &format!("/api/v1/entities/{kept}/merges"),
            Some(&agent),
            Some(json!({"merged": twin, "reason": "même personne"})),
        )
        .await;
    assert_eq!(forbidden.status, 403);
    let merged = app
        .call(
            "POST",
            &format!("/api/v1/entities/{kept}/merges"),
            Some(&analyst),
            Some(json!({"merged": twin, "reason": "même personne"})),
        )
        .await;
    assert_eq!(merged.status, 204, "{}", merged.text);
    let view = app
        .call(
            "POST",
            &format!("/api/v1/entities/{kept}/consultation"),
            Some(&agent),
            Some(json!({"motif": MOTIF})),
        )
        .await;
    assert_eq!(view.status, 200, "{}", view.text);
    assert_eq!(view.body["merges"][0]["entity"]["id"], twin);
    assert_eq!(view.body["merges"][0]["active"], true);
    let merged_names: Vec<&str> = view.body["values"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["merged"] == true)
        .map(|v| v["value"].as_str().unwrap())
        .collect();
    assert!(merged_names.contains(&"Karim DUPOND"), "{merged_names:?}");

    let undone = app
        .call(
            "POST",
            &format!("/api/v1/entities/{twin}/unmerge"),
            Some(&analyst),
            Some(json!({"reason": "erreur de saisie"})),
        )
        .await;
    assert_eq!(undone.status, 204, "{}", undone.text);
    let again = app
        .call(
            "POST",
            &format!("/api/v1/entities/{twin}/unmerge"),
            Some(&analyst),
            Some(json!({"reason": "erreur de saisie"})),
        )
        .await;
    assert_eq!(again.status, 422);
}
