//! The target file over the API: a gendarmerie unit and a customs team register the same man; both
//! are told who to call, neither sees the other's file; bad identifiers get a 422 naming the field;
//! bulk registration is all or nothing; units that do not investigate get 403.

use crate::support::app;
use serde_json::{json, Value};

fn target(procedure: &str, surname: &str, phone: &str) -> Value {
    json!({
        "procedure": procedure,
        "regime": "judicial",
        "magistrate_name": "JIRS de Marseille",
        "contact_name": "Adjudant Morel",
        "contact_phone": "04 91 00 00 02",
        "person": {"surname": surname, "given_names": "Karim", "birth_date": "1990-02-11"},
        "identifiers": [{"kind": "phone", "value": phone}]
    })
}

#[tokio::test]
async fn both_units_are_told_and_neither_sees_the_other_file() {
    let app = app().await;
    let gendarme = app.login("agent.gendarmerie").await;
    let douane = app.login("agent.douane").await;
    let first = app
        .call(
            "POST",
            "/api/v1/targets",
            Some(&gendarme),
            Some(target("SR-1", "Haddad", "0611111111")),
        )
        .await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(first.body["notices"], json!([]));
    assert_eq!(
        first.body["target"]["identifiers"][0]["value"],
        json!("+33611111111")
    );

    let second = app
        .call(
            "POST",
            "/api/v1/targets",
            Some(&douane),
            Some(target("D-7", "HADDAD", "07 22 22 22 22")),
        )
        .await;
    assert_eq!(second.status, 201, "{}", second.text);
    let notice = &second.body["notices"][0];
    assert_eq!(notice["contact_name"], json!("Adjudant Morel"));
    assert_eq!(notice["other_is_earlier"], json!(true));
    assert_eq!(notice["matches"], json!(["person_exact"]));
    assert!(
        !second.text.contains("SR-1") && !second.text.contains("+33611111111"),
        "{}",
        second.text
    );

    let inbox = app
        .call(
            "GET",
            "/api/v1/deconfliction/notices",
            Some(&gendarme),
            None,
        )
        .await;
    assert_eq!(inbox.status, 200, "{}", inbox.text);
    assert_eq!(inbox.body["notices"].as_array().map(Vec::len), Some(1));
    assert_eq!(inbox.body["notices"][0]["other_is_earlier"], json!(false));

    // The customs target is invisible to the gendarmes, as if it did not exist.
    let id = second.body["target"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let hidden = app
        .call(
            "GET",
            &format!("/api/v1/targets/{id}"),
            Some(&gendarme),
            None,
        )
        .await;
    assert_eq!(hidden.status, 404, "{}", hidden.text);
    let own = app
        .call("GET", &format!("/api/v1/targets/{id}"), Some(&douane), None)
        .await;
    assert_eq!(own.status, 200, "{}", own.text);
    assert_eq!(own.body["target"]["conflicts"], json!(1));
}

#[tokio::test]
async fn bad_input_is_refused_by_field_and_bulk_writes_all_or_nothing() {
    let app = app().await;
    let police = app.login("agent.marseille").await;
    let mut bad = target("P-1", "Martin", "0633333333");
    bad["identifiers"] = json!([{"kind": "iban", "value": "FR76 3000 6000 0112 3456 7890 188"}]);
    let refused = app
        .call("POST", "/api/v1/targets", Some(&police), Some(bad.clone()))
        .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(
        refused.body["error"]["details"][0]["field"],
        json!("identifiers[0].value")
    );
    assert!(refused.text.contains("IBAN invalide"), "{}", refused.text);

    let bulk = app
        .call(
            "POST",
            "/api/v1/targets/bulk",
            Some(&police),
            Some(json!({"targets": [target("P-2", "Martin", "0644444444"), bad]})),
        )
        .await;
    assert_eq!(bulk.status, 422, "{}", bulk.text);
    assert_eq!(
        bulk.body["error"]["details"][0]["field"],
        json!("[1].identifiers[0].value")
    );
    let listed = app
        .call("GET", "/api/v1/targets", Some(&police), None)
        .await;
    assert_eq!(listed.body["targets"], json!([]), "nothing written");

    let ok = app
        .call("POST", "/api/v1/targets/bulk", Some(&police), Some(json!({"targets": [target("P-2", "Martin", "0644444444"), target("P-3", "Durand", "0655555555")]})))
        .await;
    assert_eq!(ok.status, 201, "{}", ok.text);
    assert_eq!(ok.body["registered"], json!(2));
}

#[tokio::test]
async fn units_that_do_not_investigate_get_403() {
    let app = app().await;
    for username in ["analyste.cross13", "magistrat.jirs", "auditeur"] {
        let token = app.login(username).await;
        let answer = app.call("GET", "/api/v1/targets", Some(&token), None).await;
        assert_eq!(answer.status, 403, "{username}: {}", answer.text);
        let check = app
            .call(
                "POST",
                "/api/v1/deconfliction/check",
                Some(&token),
                Some(json!({"identifiers": [{"kind": "plate", "value": "AB-123-CD"}]})),
            )
            .await;
        assert_eq!(check.status, 403, "{username}: {}", check.text);
    }
    let auditor = app.login("auditeur").await;
    let alerts = app
        .call("GET", "/api/v1/deconfliction/alerts", Some(&auditor), None)
        .await;
    assert_eq!(alerts.status, 200, "{}", alerts.text);
}
