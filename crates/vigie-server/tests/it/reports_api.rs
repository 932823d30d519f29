//! Reports over the API, as clients see them: a resident solves the proof of work, reports with no
//! session and follows the report with the receipt code; the CROSS gets it once its hour is over,
//! reads it with a motif, moves it with a motivation, makes a dealing point of it; partners report
//! and follow their own reports but reach neither the queue nor the points.

use crate::support::*;
use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

/// A 1×1 PNG: the photo is re-encoded as JPEG before it is stored.
const PNG: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

/// Asks for a challenge and solves it as the browser does.
async fn proof(app: &TestApp) -> Value {
    let answer = app
        .call("GET", "/api/v1/public/reports/challenge", None, None)
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let token = answer.body["token"].as_str().unwrap().to_owned();
    let bits = answer.body["bits"].as_u64().unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 4, "{token}");
    assert_eq!(parts[1], bits.to_string());
    let challenge = vigie_reports::Challenge {
        nonce: parts[0].to_owned(),
        bits: parts[1].parse().unwrap(),
        expires_at_micros: parts[2].parse().unwrap(),
    };
    let solution = vigie_reports::pow::solve(&challenge);
    json!({"token": token, "solution": solution})
}

fn draft() -> Value {
    json!({
        "category": "fixed_sale",
        "commune": "13055",
        "place": "Devant le hall du bâtiment B, près du city stade",
        "lat": 43.3205,
        "lon": 5.4101,
        "days": ["friday", "saturday"],
        "slots": ["evening"],
        "since": "months",
        "description": "Des jeunes vendent devant le hall tous les soirs, avec des guetteurs.",
        "people": 4,
    })
}

fn fields(answer: &Answer) -> Vec<String> {
    answer.body["error"]["details"]
        .as_array()
        .map(|details| {
            details
                .iter()
                .map(|detail| detail["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[track_caller]
fn assert_error(answer: &Answer, status: u16, code: &str) {
    assert_eq!(answer.status, status, "{}", answer.text);
    assert_eq!(answer.body["error"]["code"], code, "{}", answer.text);
}

/// A raw GET returning the status, content type and bytes.
async fn get_bytes(app: &TestApp, path: &str, token: &str) -> (u16, String, Vec<u8>) {
    let request = Request::builder()
        .method("GET")
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, content_type, bytes.to_vec())
}

#[tokio::test]
async fn a_resident_reports_and_the_cross_triages_it_into_a_dealing_point() {
    let app = app().await;

    // The resident: a proof of work, a report with a photo, a receipt shown once, no cookie.
    let body = json!({"proof": proof(&app).await, "report": draft(), "photos": [PNG]});
    let sent = app
        .call("POST", "/api/v1/public/reports", None, Some(body.clone()))
        .await;
    assert_eq!(sent.status, 201, "{}", sent.text);
    assert!(sent.headers.get("set-cookie").is_none());
    let receipt = sent.body["receipt"].as_str().unwrap().to_owned();
    let groups: Vec<&str> = receipt.split(' ').collect();
    assert_eq!(groups.len(), 4, "{receipt}");
    assert!(groups
        .iter()
        .all(|group| group.len() == 4 && group.bytes().all(|b| b.is_ascii_digit())));
    assert_eq!(
        sent.body["message"],
        "Signalement transmis. Conservez ce code : il ne sera plus affiché."
    );

    // The same proof twice is refused.
    let again = app
        .call("POST", "/api/v1/public/reports", None, Some(body))
        .await;
    assert_error(&again, 422, "VIGIE-REPORT-0001");

    // A forged token too.
    let forged = app
        .call(
            "POST",
            "/api/v1/public/reports",
            None,
            Some(json!({"proof": {"token": "a.b.c.d", "solution": 0}, "report": draft()})),
        )
        .await;
    assert_error(&forged, 422, "VIGIE-REPORT-0001");

    // The receipt opens a coarse status; the code may be typed without spaces.
    let status = app
        .call(
            "POST",
            "/api/v1/public/receipts/status",
            None,
            Some(json!({"code": receipt.replace(' ', "")})),
        )
        .await;
    assert_eq!(status.status, 200, "{}", status.text);
    assert_eq!(status.body["status"], "received");
    assert_eq!(status.body["status_label"], "Reçu");
    assert_eq!(status.body["received_on"], "2026-11-23");
    assert_eq!(status.body["messages"], json!([]));
    assert_eq!(status.body["additions"], 0);
    assert!(status.headers.get("set-cookie").is_none());
    let added = app
        .call(
            "POST",
            "/api/v1/public/receipts/messages",
            None,
            Some(json!({"code": receipt, "text": "Ils sont aussi là le dimanche midi."})),
        )
        .await;
    assert_eq!(added.status, 204, "{}", added.text);
    let unknown = app
        .call(
            "POST",
            "/api/v1/public/receipts/status",
            None,
            Some(json!({"code": "0000 0000 0000 0000"})),
        )
        .await;
    assert_error(&unknown, 404, "VIGIE-NF-0001");
    let malformed = app
        .call(
            "POST",
            "/api/v1/public/receipts/status",
            None,
            Some(json!({"code": "12"})),
        )
        .await;
    assert_error(&malformed, 422, "VIGIE-VAL-0001");
    assert_eq!(fields(&malformed), ["code"]);

    // The CROSS sees it only once its hour is over.
    let analyst = app.login("analyste.cross13").await;
    let queue = app
        .call(
            "POST",
            "/api/v1/reports/queue",
            Some(&analyst),
            Some(json!({})),
        )
        .await;
    assert_eq!(queue.status, 200, "{}", queue.text);
    assert_eq!(queue.body["reports"], json!([]));
    app.clock.advance(time::Duration::minutes(61));
    let queue = app
        .call(
            "POST",
            "/api/v1/reports/queue",
            Some(&analyst),
            Some(json!({"area": "13", "status": "new"})),
        )
        .await;
    assert_eq!(queue.status, 200, "{}", queue.text);
    let reports = queue.body["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 1, "{}", queue.text);
    let summary = &reports[0];
    assert_eq!(summary["public"], true);
    assert_eq!(summary["category"], "fixed_sale");
    assert_eq!(summary["category_label"], "Point de vente (deal) régulier");
    assert_eq!(summary["commune"], "13055");
    assert_eq!(summary["departement"], "13");
    assert_eq!(summary["status"], "new");
    assert_eq!(summary["status_label"], "Nouveau");
    assert_eq!(summary["photos"], 1);
    assert_eq!(summary["reporter_messages"], 1);
    assert_eq!(summary["received_at"], "2026-11-23T09:00:00Z");
    let id = summary["id"].as_str().unwrap().to_owned();
    let bad_status = app
        .call(
            "POST",
            "/api/v1/reports/queue",
            Some(&analyst),
            Some(json!({"status": "lost"})),
        )
        .await;
    assert_error(&bad_status, 422, "VIGIE-VAL-0001");
    assert_eq!(fields(&bad_status), ["status"]);

    // Reading it needs a motif.
    let consultation = format!("/api/v1/reports/{id}/consultation");
    let no_motif = app
        .call(
            "POST",
            &consultation,
            Some(&analyst),
            Some(json!({"motif": " "})),
        )
        .await;
    assert_error(&no_motif, 422, "VIGIE-VAL-0002");
    let detail = app
        .call(
            "POST",
            &consultation,
            Some(&analyst),
            Some(json!({"motif": "tri de la file du CROSS"})),
        )
        .await;
    assert_eq!(detail.status, 200, "{}", detail.text);
    assert_eq!(detail.body["id"], id.as_str());
    assert_eq!(detail.body["partner"], Value::Null);
    assert_eq!(
        detail.body["description"],
        "Des jeunes vendent devant le hall tous les soirs, avec des guetteurs."
    );
    assert_eq!(detail.body["days"][0]["code"], "friday");
    assert_eq!(detail.body["days"][0]["label"], "vendredi");
    assert_eq!(detail.body["since"]["code"], "months");
    assert_eq!(detail.body["lat"], 43.3205);
    assert_eq!(detail.body["people"], 4);
    assert_eq!(detail.body["messages"][0]["from"], "reporter");
    assert_eq!(detail.body["candidates"], json!([]));
    let photos = detail.body["photos"].as_array().unwrap();
    assert_eq!(photos.len(), 1);
    let photo = photos[0].as_str().unwrap();
    let (status, content_type, bytes) = get_bytes(
        &app,
        &format!("/api/v1/reports/{id}/photos/{photo}"),
        &analyst,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "image/jpeg");
    assert_eq!(&bytes[..2], &[0xFF, 0xD8], "a JPEG");
    let bad_photo = app
        .call(
            "GET",
            &format!("/api/v1/reports/{id}/photos/not-a-uuid"),
            Some(&analyst),
            None,
        )
        .await;
    assert_error(&bad_photo, 400, "VIGIE-REQ-0005");
    let other_photo = app
        .call(
            "GET",
            &format!("/api/v1/reports/{id}/photos/{}", uuid::Uuid::new_v4()),
            Some(&analyst),
            None,
        )
        .await;
    assert_error(&other_photo, 404, "VIGIE-NF-0001");

    // Moving it needs a motivation.
    let status_path = format!("/api/v1/reports/{id}/status");
    let unmotivated = app
        .call(
            "POST",
            &status_path,
            Some(&analyst),
            Some(json!({"status": "to_qualify", "motivation": "  "})),
        )
        .await;
    assert_error(&unmotivated, 422, "VIGIE-VAL-0001");
    let moved = app
        .call(
            "POST",
            &status_path,
            Some(&analyst),
            Some(json!({"status": "to_qualify", "motivation": "À recouper avec la police municipale"})),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(moved.body["status"], "to_qualify");
    assert_eq!(moved.body["status_label"], "À qualifier");
    let note = app
        .call(
            "POST",
            &format!("/api/v1/reports/{id}/notes"),
            Some(&analyst),
            Some(json!({"text": "Même hall que le signalement de septembre."})),
        )
        .await;
    assert_eq!(note.status, 204, "{}", note.text);
    let message = app
        .call(
            "POST",
            &format!("/api/v1/reports/{id}/messages"),
            Some(&analyst),
            Some(json!({"text": "Merci. À quelle heure commencent-ils ?"})),
        )
        .await;
    assert_eq!(message.status, 204, "{}", message.text);
    let empty = app
        .call(
            "POST",
            &format!("/api/v1/reports/{id}/messages"),
            Some(&analyst),
            Some(json!({"text": ""})),
        )
        .await;
    assert_error(&empty, 422, "VIGIE-VAL-0001");
    assert_eq!(fields(&empty), ["text"]);

    // The resident sees the message and a coarse status, never the note.
    let status = app
        .call(
            "POST",
            "/api/v1/public/receipts/status",
            None,
            Some(json!({"code": receipt})),
        )
        .await;
    assert_eq!(status.body["status"], "in_progress", "{}", status.text);
    assert_eq!(
        status.body["messages"][0]["text"],
        "Merci. À quelle heure commencent-ils ?"
    );
    assert_eq!(status.body["additions"], 1);
    assert!(!status.text.contains("septembre"));

    // A dealing point from the report.
    let created = app
        .call(
            "POST",
            "/api/v1/dealing-points",
            Some(&analyst),
            Some(json!({"label": "Hall B, city stade", "lat": 43.3205, "lon": 5.4101, "from_report": id})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let point = created.body["id"].as_str().unwrap().to_owned();
    let detail = app
        .call(
            "POST",
            &consultation,
            Some(&analyst),
            Some(json!({"motif": "vérification du rattachement"})),
        )
        .await;
    assert_eq!(detail.body["status"], "attached", "{}", detail.text);
    assert_eq!(detail.body["point"], point.as_str());
    assert_eq!(detail.body["notes"][0]["by"], "analyste.cross13");
    assert_eq!(detail.body["history"].as_array().unwrap().len(), 2);

    let map = app
        .call(
            "GET",
            "/api/v1/dealing-points?area=13",
            Some(&analyst),
            None,
        )
        .await;
    assert_eq!(map.status, 200, "{}", map.text);
    let points = map.body["points"].as_array().unwrap();
    assert_eq!(points.len(), 1, "{}", map.text);
    assert_eq!(points[0]["id"], point.as_str());
    assert_eq!(points[0]["label"], "Hall B, city stade");
    assert_eq!(points[0]["status"], "reported");
    assert_eq!(points[0]["status_label"], "Signalé");
    assert_eq!(points[0]["departement"], "13");
    assert_eq!(points[0]["reports"], 1);
    assert_eq!(points[0]["resurgence_suspected"], false);
    let all = app
        .call("GET", "/api/v1/dealing-points", Some(&analyst), None)
        .await;
    assert_eq!(all.body["points"].as_array().unwrap().len(), 1);
    let elsewhere = app
        .call(
            "GET",
            "/api/v1/dealing-points?area=75",
            Some(&analyst),
            None,
        )
        .await;
    assert_eq!(elsewhere.body["points"], json!([]));

    let view = app
        .call(
            "GET",
            &format!("/api/v1/dealing-points/{point}"),
            Some(&analyst),
            None,
        )
        .await;
    assert_eq!(view.status, 200, "{}", view.text);
    assert_eq!(view.body["point"]["reports"][0], id.as_str());
    assert_eq!(view.body["reports"][0]["id"], id.as_str());
    assert_eq!(view.body["can_manage"], true);

    // Changes, one kind at a time.
    let changes = format!("/api/v1/dealing-points/{point}/changes");
    let confirmed = app
        .call(
            "POST",
            &changes,
            Some(&analyst),
            Some(json!({"status": {"to": "confirmed", "motivation": "Observation de la BST"}})),
        )
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text);
    assert_eq!(confirmed.body["status"], "confirmed");
    assert_eq!(confirmed.body["history"][0]["by"], "analyste.cross13");
    let operation = app
        .call(
            "POST",
            &changes,
            Some(&analyst),
            Some(json!({"operation": {"date": "2026-11-20", "kind": "arrests", "note": "Trois interpellations"}})),
        )
        .await;
    assert_eq!(operation.status, 200, "{}", operation.text);
    assert_eq!(
        operation.body["operations"][0]["kind_label"],
        "Interpellations"
    );
    let price = app
        .call(
            "POST",
            &changes,
            Some(&analyst),
            Some(json!({"price": {"product": "résine de cannabis", "price_eur": 10.0, "unit": "g", "seen_on": "2026-11-19"}})),
        )
        .await;
    assert_eq!(price.status, 200, "{}", price.text);
    assert_eq!(price.body["prices"][0]["unit"], "g");
    let hours = app
        .call(
            "POST",
            &changes,
            Some(&analyst),
            Some(json!({"hours": {"days": ["friday"], "slots": ["evening", "night"]}})),
        )
        .await;
    assert_eq!(hours.status, 200, "{}", hours.text);
    assert_eq!(hours.body["slots"][1]["code"], "night");
    let bad_hours = app
        .call(
            "POST",
            &changes,
            Some(&analyst),
            Some(json!({"hours": {"days": ["friday", "someday"], "slots": ["dawn"]}})),
        )
        .await;
    assert_error(&bad_hours, 422, "VIGIE-VAL-0001");
    assert_eq!(fields(&bad_hours), ["days[1]", "slots[0]"]);
    let not_allowed = app
        .call(
            "POST",
            &changes,
            Some(&analyst),
            Some(json!({"status": {"to": "reported", "motivation": "Retour"}})),
        )
        .await;
    assert_error(&not_allowed, 422, "VIGIE-VAL-0001");
    let two_kinds = app
        .call(
            "POST",
            &changes,
            Some(&analyst),
            Some(json!({"status": {"to": "active", "motivation": "x"}, "hours": {}})),
        )
        .await;
    assert_error(&two_kinds, 422, "VIGIE-REQ-0002");
    assert!(
        two_kinds.text.contains("une seule modification"),
        "{}",
        two_kinds.text
    );
    let none = app
        .call("POST", &changes, Some(&analyst), Some(json!({})))
        .await;
    assert_error(&none, 422, "VIGIE-REQ-0002");
    let moved_to_itself = app
        .call(
            "POST",
            &changes,
            Some(&analyst),
            Some(json!({"moved_to": {"to": point, "motivation": "Déplacement"}})),
        )
        .await;
    assert_error(&moved_to_itself, 422, "VIGIE-VAL-0001");
    assert_eq!(fields(&moved_to_itself), ["to"]);
}

#[tokio::test]
async fn bad_reports_are_refused_field_by_field() {
    let app = app().await;
    let bad = json!({
        "category": "drone",
        "commune": "13055",
        "lat": 43.3,
        "days": ["monday", "blursday"],
        "slots": ["evening"],
        "since": "forever",
        "description": "court",
    });
    let answer = app
        .call(
            "POST",
            "/api/v1/public/reports",
            None,
            Some(json!({"proof": proof(&app).await, "report": bad, "photos": [PNG, "pas du base64 !"]})),
        )
        .await;
    assert_error(&answer, 422, "VIGIE-VAL-0001");
    assert_eq!(
        fields(&answer),
        [
            "category",
            "pin",
            "days[1]",
            "since",
            "description",
            "photos[1]"
        ]
    );
    assert!(answer.headers.get("set-cookie").is_none());

    // The refused report did not spend the proof; codes are fine but the text is too short.
    let mut short = draft();
    short["description"] = json!("court");
    short["category"] = json!("online_sale");
    let answer = app
        .call(
            "POST",
            "/api/v1/public/reports",
            None,
            Some(json!({"proof": proof(&app).await, "report": short})),
        )
        .await;
    assert_error(&answer, 422, "VIGIE-VAL-0001");
    assert_eq!(fields(&answer), ["category", "description"]);
    assert!(answer.text.contains("PHAROS"), "{}", answer.text);

    let four = app
        .call(
            "POST",
            "/api/v1/public/reports",
            None,
            Some(json!({"proof": proof(&app).await, "report": draft(), "photos": [PNG, PNG, PNG, PNG]})),
        )
        .await;
    assert_error(&four, 422, "VIGIE-VAL-0001");
    assert_eq!(fields(&four), ["photos"]);

    let unknown_commune = {
        let mut report = draft();
        report["commune"] = json!("99999");
        app.call(
            "POST",
            "/api/v1/public/reports",
            None,
            Some(json!({"proof": proof(&app).await, "report": report})),
        )
        .await
    };
    assert_error(&unknown_commune, 422, "VIGIE-VAL-0001");
    assert_eq!(fields(&unknown_commune), ["commune"]);

    let extra = app
        .call(
            "POST",
            "/api/v1/public/reports",
            None,
            Some(json!({"proof": proof(&app).await, "report": draft(), "email": "a@b.fr"})),
        )
        .await;
    assert_error(&extra, 422, "VIGIE-REQ-0002");
    let no_proof = app
        .call(
            "POST",
            "/api/v1/public/reports",
            None,
            Some(json!({"report": draft()})),
        )
        .await;
    assert_error(&no_proof, 422, "VIGIE-REQ-0002");

    // The public commune search, no session.
    let communes = app
        .call(
            "POST",
            "/api/v1/public/communes/search",
            None,
            Some(json!({"query": "Aubagne"})),
        )
        .await;
    assert_eq!(communes.status, 200, "{}", communes.text);
    let found = communes.body["communes"].as_array().unwrap();
    assert!(!found.is_empty() && found.len() <= 10, "{}", communes.text);
    assert_eq!(found[0]["nom"], "Aubagne");
    assert_eq!(found[0]["code"], "13005");
    assert_eq!(found[0]["departement"], "13");
    assert!(found[0]["label"].as_str().unwrap().contains("Aubagne"));
    let empty = app
        .call(
            "POST",
            "/api/v1/public/communes/search",
            None,
            Some(json!({"query": ""})),
        )
        .await;
    assert_eq!(empty.body["communes"], json!([]));
    let long = app
        .call(
            "POST",
            "/api/v1/public/communes/search",
            None,
            Some(json!({"query": "a".repeat(101)})),
        )
        .await;
    assert_error(&long, 422, "VIGIE-VAL-0001");
}

#[tokio::test]
async fn partners_report_and_follow_their_own_but_reach_no_queue_and_no_point() {
    let app = app().await;
    let partner = app.login("partenaire.bailleur").await;
    for (method, path, body) in [
        ("POST", "/api/v1/reports/queue", Some(json!({}))),
        ("GET", "/api/v1/dealing-points", None),
        ("GET", "/api/v1/dealing-points?area=13", None),
        (
            "POST",
            "/api/v1/dealing-points",
            Some(json!({"label": "Hall", "lat": 43.3, "lon": 5.4})),
        ),
    ] {
        let answer = app.call(method, path, Some(&partner), body).await;
        assert_error(&answer, 403, "VIGIE-AUTH-0003");
    }

    let sent = app
        .call(
            "POST",
            "/api/v1/reports",
            Some(&partner),
            Some(json!({"report": draft()})),
        )
        .await;
    assert_eq!(sent.status, 201, "{}", sent.text);
    let id = sent.body["id"].as_str().unwrap().to_owned();
    let mine = app
        .call("GET", "/api/v1/reports/mine", Some(&partner), None)
        .await;
    assert_eq!(mine.status, 200, "{}", mine.text);
    let reports = mine.body["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0]["id"], id.as_str());
    assert_eq!(reports[0]["status"], "received");
    assert_eq!(reports[0]["status_label"], "Reçu");
    assert_eq!(reports[0]["commune"], "13055");
    let digest = app
        .call("GET", "/api/v1/reports/digest", Some(&partner), None)
        .await;
    assert_eq!(digest.status, 200, "{}", digest.text);
    let rows = digest.body["communes"].as_array().unwrap();
    let marseille = rows
        .iter()
        .find(|row| row["commune"] == "13055")
        .expect("Marseille in the digest");
    assert_eq!(marseille["reports"], "moins de 5");
    assert_eq!(marseille["processed"], "moins de 5");

    // A partner's report reaches the CROSS at once (no hour to wait), with the unit's name.
    let analyst = app.login("analyste.cross13").await;
    let queue = app
        .call(
            "POST",
            "/api/v1/reports/queue",
            Some(&analyst),
            Some(json!({})),
        )
        .await;
    let listed = queue.body["reports"].as_array().unwrap();
    assert_eq!(listed.len(), 1, "{}", queue.text);
    assert_eq!(listed[0]["public"], false);
    let detail = app
        .call(
            "POST",
            &format!("/api/v1/reports/{id}/consultation"),
            Some(&analyst),
            Some(json!({"motif": "tri"})),
        )
        .await;
    assert_eq!(detail.status, 200, "{}", detail.text);
    assert!(detail.body["partner"].is_string(), "{}", detail.text);

    // A partner cannot triage, even its own report; others may not report as a partner.
    let own = app
        .call(
            "POST",
            &format!("/api/v1/reports/{id}/consultation"),
            Some(&partner),
            Some(json!({"motif": "suivi"})),
        )
        .await;
    assert_error(&own, 403, "VIGIE-AUTH-0003");
    let not_partner = app
        .call(
            "POST",
            "/api/v1/reports",
            Some(&analyst),
            Some(json!({"report": draft()})),
        )
        .await;
    assert_error(&not_partner, 403, "VIGIE-AUTH-0003");
    let mine = app
        .call("GET", "/api/v1/reports/mine", Some(&analyst), None)
        .await;
    assert_error(&mine, 403, "VIGIE-AUTH-0003");

    // Without a session.
    for (method, path) in [
        ("POST", "/api/v1/reports/queue"),
        ("GET", "/api/v1/reports/mine"),
        ("GET", "/api/v1/dealing-points"),
    ] {
        let body = (method == "POST").then(|| json!({}));
        let answer = app.call(method, path, None, body).await;
        assert_error(&answer, 401, "VIGIE-AUTH-0001");
    }
}

#[tokio::test]
async fn oversize_bodies_get_413_in_our_format() {
    let app = app().await;
    let raw = |path: &str, bytes: Vec<u8>| {
        Request::builder()
            .method("POST")
            .uri(path)
            .header("content-type", "application/json")
            .body(Body::from(bytes))
            .unwrap()
    };
    // Over the 48 MiB of the submit routes.
    let photo = "A".repeat(49 * 1024 * 1024);
    let huge =
        json!({"proof": {"token": "x", "solution": 0}, "report": draft(), "photos": [photo]})
            .to_string()
            .into_bytes();
    let answer = app.send(raw("/api/v1/public/reports", huge.clone())).await;
    assert_error(&answer, 413, "VIGIE-REQ-0004");
    let partner = app.login("partenaire.bailleur").await;
    let mut request = raw("/api/v1/reports", huge);
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {partner}").parse().unwrap(),
    );
    assert_error(&app.send(request).await, 413, "VIGIE-REQ-0004");

    // Under it, a report with photos is read (here: refused for its photos, not for its size).
    let photo = "A".repeat(1024 * 1024);
    let big = json!({"proof": {"token": "x", "solution": 0}, "report": draft(), "photos": [photo]})
        .to_string()
        .into_bytes();
    let answer = app.send(raw("/api/v1/public/reports", big)).await;
    assert_eq!(answer.status, 422, "{}", answer.text);

    // Every other route keeps the server's limit.
    let padded = format!("{{\"code\": \"{}\"}}", " ".repeat(200 * 1024)).into_bytes();
    let answer = app
        .send(raw("/api/v1/public/receipts/status", padded))
        .await;
    assert_error(&answer, 413, "VIGIE-REQ-0004");
}

async fn first_marker(app: &TestApp, token: &str) -> Value {
    let map = app
        .call("GET", "/api/v1/dealing-points?area=13", Some(token), None)
        .await;
    assert_eq!(map.status, 200, "{}", map.text);
    map.body["points"][0].clone()
}

/// A map marker says which products were seen there, since when the point is in its status and
/// when it last showed signs of life, for clients that filter the map.
#[tokio::test]
async fn map_markers_carry_products_and_dates() {
    let app = app().await;
    let analyst = app.login("analyste.cross13").await;
    let created = app
        .call(
            "POST",
            "/api/v1/dealing-points",
            Some(&analyst),
            Some(json!({"label": "Parking du stade", "lat": 43.3205, "lon": 5.4101})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let point = created.body["id"].as_str().unwrap().to_owned();
    let fresh = first_marker(&app, &analyst).await;
    assert_eq!(fresh["products"], json!([]));
    assert_eq!(
        fresh["status_since"], "2026-11-23T09:00:00Z",
        "its creation"
    );
    assert_eq!(fresh["last_activity"], "2026-11-23T09:00:00Z");

    app.clock.advance(time::Duration::days(2));
    let analyst = app.login("analyste.cross13").await; // the session ended meanwhile
    let changes = format!("/api/v1/dealing-points/{point}/changes");
    for change in [
        json!({"status": {"to": "confirmed", "motivation": "Observation de la BST"}}),
        json!({"price": {"product": "Résine", "price_eur": 10.0, "unit": "g", "seen_on": "2026-11-26"}}),
        json!({"price": {"product": "résine", "price_eur": 12.0, "unit": "g", "seen_on": "2026-11-20"}}),
        json!({"price": {"product": "Cocaïne", "price_eur": 60.0, "unit": "g", "seen_on": "2026-11-21"}}),
        json!({"operation": {"date": "2026-11-24", "kind": "arrests", "note": ""}}),
    ] {
        let answer = app
            .call("POST", &changes, Some(&analyst), Some(change))
            .await;
        assert_eq!(answer.status, 200, "{}", answer.text);
    }
    let marker = first_marker(&app, &analyst).await;
    assert_eq!(marker["id"], point.as_str());
    assert_eq!(marker["products"], json!(["Cocaïne", "Résine"]));
    assert_eq!(marker["status_since"], "2026-11-25T09:00:00Z");
    assert_eq!(
        marker["last_activity"], "2026-11-26T00:00:00Z",
        "the latest price's day"
    );
}
