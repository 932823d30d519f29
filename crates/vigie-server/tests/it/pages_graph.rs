//! The entity page's link chart, chronology and intelligence items, as the server renders them: the
//! chart's container carries the entity and the motif for its script (no inline script), the
//! link-kind filter lists every kind, the chronology shows the links' start dates newest first, the
//! items about the entity are listed for an analyst (the search journaled with the consultation's
//! motif), and the chart's scripts and style are served by Vigie itself.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::pages::{element, sign_in};
use crate::support::*;
use serde_json::{json, Value};

const MOTIF: &str = "Enquête « Lauriers » 2026/204";

/// The link kinds and their French labels, as the filter must list them.
const KINDS: [(&str, &str); 10] = [
    ("associate", "Relation"),
    ("family", "Famille"),
    ("owner", "Propriétaire / utilisateur"),
    ("phone_user", "Utilise la ligne"),
    ("resident", "Domicilié à"),
    ("director", "Dirigeant"),
    ("member", "Membre"),
    ("involved", "Mis en cause dans"),
    ("operates", "Tient le point de deal"),
    ("payment", "Virement"),
];

/// What askama writes for `text`.
fn escaped(text: &str) -> String {
    text.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

/// "2023-04-01" → "01/04/2023".
fn french(day: &str) -> String {
    let parts: Vec<&str> = day.split('-').collect();
    format!("{}/{}/{}", parts[2], parts[1], parts[0])
}

/// An entity the analyst may consult that has both intelligence items about it and a dated link:
/// (entity id, its consultation through the API, total of items about it).
async fn entity_with_items_and_dated_link(app: &TestApp, token: &str) -> (String, Value, u64) {
    let found = app
        .call(
            "POST",
            "/api/v1/entities/search",
            Some(token),
            Some(json!({"text": "a", "schema": "Person", "motif": "préparation du test", "limit": 50})),
        )
        .await;
    assert_eq!(found.status, 200, "{}", found.text);
    for hit in found.body["hits"].as_array().unwrap() {
        let id = hit["id"].as_str().unwrap();
        let items = app
            .call(
                "POST",
                "/api/v1/intel/search",
                Some(token),
                Some(json!({"motif": "préparation du test", "query": "", "filters": {"about": id}, "limit": 1})),
            )
            .await;
        assert_eq!(items.status, 200, "{}", items.text);
        let total = items.body["total"].as_u64().unwrap();
        if total == 0 {
            continue;
        }
        let consulted = app
            .call(
                "POST",
                &format!("/api/v1/entities/{id}/consultation"),
                Some(token),
                Some(json!({"motif": "préparation du test"})),
            )
            .await;
        assert_eq!(consulted.status, 200, "{}", consulted.text);
        let dated = consulted.body["links"]
            .as_array()
            .unwrap()
            .iter()
            .any(|link| link["link"]["start"].is_string());
        if dated {
            return (id.to_owned(), consulted.body, total);
        }
    }
    panic!("no person with intelligence items and a dated link in the demo data");
}

#[tokio::test]
async fn the_entity_page_has_the_chart_its_filters_the_chronology_and_the_items_about_it() {
    let app = app_with_intel(400).await;
    let token = app.login("analyste.cross13").await;
    let (id, consulted, total) = entity_with_items_and_dated_link(&app, &token).await;

    let browser = sign_in(&app, "analyste.cross13").await;
    let page = browser
        .post(&format!("/entites/{id}"), &[("motif", MOTIF)])
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    let html = &page.text;

    // The chart: its container names the entity and the motif for the script; no inline script.
    let chart = element(html, "schema-graphe", "div");
    assert!(chart.contains(&format!("data-entite=\"{id}\"")), "{chart}");
    assert!(
        chart.contains(&format!("data-motif=\"{}\"", escaped(MOTIF))),
        "{chart}"
    );
    assert!(chart.contains("data-etat=\"chargement\""), "{chart}");
    assert!(html.contains("<script src=\"/assets/cytoscape/cytoscape.min.js\"></script>"));
    assert!(html.contains("<script src=\"/assets/vigie/graphe.js\"></script>"));
    assert!(html.contains("href=\"/assets/vigie/graphe.css\""));
    assert!(html.contains("Schéma relationnel"));
    assert!(
        html.contains("<option value=\"2\" selected>"),
        "depth 2 first"
    );
    assert!(
        element(html, "schema-liste", "details").contains("Liste des entités et liens du schéma")
    );
    assert!(html.contains("id=\"schema-statut\" aria-live=\"polite\""));
    assert!(html.contains("Exporter en PNG"));
    assert!(html.contains("Exporter pour Analyst's Notebook (ANX)"));
    assert!(element(html, "schema-journal", "p").contains("enregistrée au journal"));

    // Every link kind is a checked box of the filter, with its French label.
    let kinds = element(html, "schema-types", "fieldset");
    assert_eq!(kinds.matches("type=\"checkbox\"").count(), KINDS.len());
    for (value, label) in KINDS {
        assert!(
            kinds.contains(&format!(
                "id=\"schema-type-{value}\" name=\"type-lien\" value=\"{value}\" checked>"
            )),
            "{value}: {kinds}"
        );
        assert!(
            kinds.contains(&format!(">{}</label>", escaped(label))),
            "{label}"
        );
    }
    assert!(html.contains("id=\"schema-du\"") && html.contains("id=\"schema-au\""));

    // The chronology: each dated link's start, newest first, and the recording.
    let chronology = element(html, "chronologie-liste", "ol");
    for linked in consulted["links"].as_array().unwrap() {
        let Some(start) = linked["link"]["start"].as_str() else {
            continue;
        };
        let kind = linked["link"]["kind"].as_str().unwrap();
        let caption = escaped(linked["other"]["caption"].as_str().unwrap());
        let time = format!("<time datetime=\"{start}\">{}</time>", french(start));
        assert!(chronology.contains(&time), "{time}: {chronology}");
        assert!(chronology.contains(&caption), "{caption}: {chronology}");
        if kind == "family" {
            assert!(chronology.contains(&format!("Famille avec {caption}")));
        }
    }
    assert!(chronology.contains(">Début</span>"));
    assert!(chronology.contains("Fiche enregistrée par "));
    let days: Vec<&str> = chronology
        .match_indices("datetime=\"")
        .map(|(at, marker)| &chronology[at + marker.len()..at + marker.len() + 10])
        .collect();
    assert!(days.len() >= 2, "{days:?}");
    assert!(
        days.windows(2).all(|pair| pair[0] >= pair[1]),
        "newest first: {days:?}"
    );

    // The links' table tells each link's source, grade and recording unit.
    assert!(html.contains(
        "<th scope=\"col\">Source</th><th scope=\"col\">Cotation</th><th scope=\"col\">Enregistré par</th>"
    ));

    // The items about the entity, with their journal entry.
    let items = element(html, "renseignements", "section");
    assert!(items.contains("Renseignements sur cette entité"));
    assert!(
        items.contains("Recherche enregistrée au journal (n° "),
        "{items}"
    );
    let rows = items.matches("href=\"/renseignement/elements/").count();
    assert_eq!(rows as u64, total.min(20), "{items}");
    assert!(
        items.contains("Europol 4x4") || items.contains("3x5x2"),
        "{items}"
    );
    if total == 1 {
        assert!(items.contains("1 élément de renseignement accessible concerne cette entité."));
    } else {
        assert!(items.contains(&format!(
            "{total} éléments de renseignement accessibles concernent cette entité."
        )));
    }
    assert!(
        chronology.contains(">Renseignement</span>"),
        "the items are in the chronology too"
    );
}

#[tokio::test]
async fn the_chart_scripts_and_style_are_served_by_vigie() {
    let app = app().await;
    for (path, content_type) in [
        (
            "/assets/cytoscape/cytoscape.min.js",
            "text/javascript; charset=utf-8",
        ),
        ("/assets/vigie/graphe.js", "text/javascript; charset=utf-8"),
        ("/assets/vigie/graphe.css", "text/css; charset=utf-8"),
    ] {
        let answer = app.call("GET", path, None, None).await;
        assert_eq!(answer.status, 200, "{path}");
        assert_eq!(answer.headers["content-type"], content_type, "{path}");
        assert!(!answer.text.is_empty(), "{path}");
    }
    let etag = app
        .call("GET", "/assets/cytoscape/cytoscape.min.js", None, None)
        .await
        .headers["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        etag,
        format!(
            "\"{}\"",
            vigie_assets::cytoscape("cytoscape.min.js").unwrap().etag
        )
    );
    for missing in [
        "/assets/cytoscape/cytoscape.umd.js",
        "/assets/cytoscape/../package.json",
        "/assets/vigie/nope.js",
    ] {
        assert_eq!(
            app.call("GET", missing, None, None).await.status,
            404,
            "{missing}"
        );
    }
    // Cytoscape.js finds its container rule in graphe.css rather than inserting a <style>.
    let css = app
        .call("GET", "/assets/vigie/graphe.css", None, None)
        .await;
    assert!(css
        .text
        .contains(".__________cytoscape_container { position: relative; }"));
}

#[tokio::test]
async fn an_agent_gets_the_items_section_too() {
    // Every role that may consult an entity may consult intelligence today (policy table); the
    // section's absence for other roles is checked on the page model (pages::entities tests).
    let app = app_with_intel(200).await;
    let token = app.login("agent.marseille").await;
    let found = app
        .call(
            "POST",
            "/api/v1/entities/search",
            Some(&token),
            Some(json!({"text": "a", "motif": "préparation du test", "limit": 1})),
        )
        .await;
    let id = found.body["hits"][0]["id"].as_str().unwrap().to_owned();
    let browser = sign_in(&app, "agent.marseille").await;
    let page = browser
        .post(&format!("/entites/{id}"), &[("motif", MOTIF)])
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    let items = element(&page.text, "renseignements", "section");
    assert!(
        items.contains("Recherche enregistrée au journal"),
        "{items}"
    );
}

/// The chart's CSV export: a type per option, each carrying its default columns for the script,
/// the field prefilled with the people's.
#[tokio::test]
async fn the_chart_offers_a_csv_export_with_each_types_default_columns() {
    let app = app().await;
    let token = app.login("analyste.cross13").await;
    let found = app
        .call(
            "POST",
            "/api/v1/entities/search",
            Some(&token),
            Some(json!({"text": "a", "schema": "Person", "motif": "préparation du test", "limit": 1})),
        )
        .await;
    let id = found.body["hits"][0]["id"].as_str().unwrap().to_owned();
    let analyst = sign_in(&app, "analyste.cross13").await;
    let page = analyst
        .post(&format!("/entites/{id}"), &[("motif", MOTIF)])
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    let select = element(&page.text, "schema-csv-type", "select");
    assert!(select.contains(
        "<option value=\"Person\" data-correspondance=\"name=NAME,firstName=FIRST_NAME,\
         lastName=LAST_NAME,alias=ALIAS,birthDate=BIRTH_DATE,birthPlace=BIRTH_PLACE,\
         nationality=NATIONALITY,notes=NOTES\" selected>Personne</option>"
    ));
    assert!(select.contains(
        "data-correspondance=\"registrationNumber=REGISTRATION_NUMBER,model=MODEL,color=COLOR,notes=NOTES\""
    ));
    assert!(page.text.contains(
        "id=\"schema-csv-correspondance\" autocomplete=\"off\" spellcheck=\"false\" value=\"name=NAME,"
    ));
    assert!(page
        .text
        .contains("id=\"schema-csv-exporter\">Exporter en CSV</button>"));
    let script = app
        .send(
            axum::http::Request::builder()
                .uri("/assets/vigie/graphe.js")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert!(script.text.contains("'/api/v1/entities/graph/csv'"));
}
