//! Standing watches' pages, as users see them: a search followed from the intelligence results, an
//! entity followed from its page, what is new counted on `/veilles` and on the home page until the
//! watch is marked as seen, its saved search run again through the search form, deletion; a watch
//! is its owner's alone.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::pages::{element, follow, sign_in, Browser};
use crate::support::*;
use serde_json::json;

const MOTIF: &str = "Enquête stupéfiants 2026/118";

/// What askama writes for `text`.
fn escaped(text: &str) -> String {
    text.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

fn unescaped(text: &str) -> String {
    text.replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#38;", "&")
}

/// The hidden fields of a form (the anti-forgery token aside), as posted.
fn hidden_fields(form: &str) -> Vec<(String, String)> {
    let marker = "<input type=\"hidden\" name=\"";
    form.match_indices(marker)
        .map(|(at, _)| {
            let rest = &form[at + marker.len()..];
            let name = &rest[..rest.find('"').unwrap()];
            let value_at = rest.find("value=\"").unwrap() + "value=\"".len();
            let value = &rest[value_at..value_at + rest[value_at..].find('"').unwrap()];
            (name.to_owned(), unescaped(value))
        })
        .filter(|(name, _)| name != "csrf")
        .collect()
}

/// The value of the input `id` of a form.
fn input_value(form: &str, id: &str) -> String {
    let at = form.find(&format!("id=\"{id}\"")).expect("the input");
    let rest = &form[at..];
    let value_at = rest.find("value=\"").unwrap() + "value=\"".len();
    unescaped(&rest[value_at..value_at + rest[value_at..].find('"').unwrap()])
}

fn as_refs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect()
}

/// The ids of the watches listed, in order.
fn watch_ids(html: &str) -> Vec<String> {
    let marker = "id=\"veille-";
    html.match_indices(marker)
        .map(|(at, _)| html[at + marker.len()..at + marker.len() + 36].to_owned())
        .collect()
}

/// Records an item through the recording form (as its author's browser) and checks it is recorded.
async fn record(browser: &Browser<'_>, text: &str, commune: &str, entities: &str) {
    let fields = [
        ("texte", text),
        ("observe_le", "2026-11-18"),
        ("observe_jusqu_au", ""),
        ("lieu", "hall du bâtiment C"),
        ("commune", commune),
        ("entites", entities),
        ("source", "technical"),
        ("code_source", ""),
        ("bareme", "europol_4x4"),
        ("cotation", "B2"),
        ("restrictions", ""),
        ("regime", "administrative"),
        ("traitement", "H0"),
    ];
    let answer = browser.post("/renseignement/nouveau", &fields).await;
    assert_eq!(answer.status, 201, "{}", answer.text);
}

#[tokio::test]
async fn a_followed_search_counts_new_items_until_marked_seen() {
    let app = app().await;
    let analyst = sign_in(&app, "analyste.cross13").await;
    let home = analyst.get("/").await;
    assert!(home.text.contains("href=\"/veilles\""), "in the navigation");
    assert!(!home.text.contains("carte-veilles"), "no watch, no card");
    let empty = analyst.get("/veilles").await;
    assert_eq!(empty.status, 200);
    assert!(empty.text.contains("<h1>Mes veilles</h1>"));
    let hint = element(&empty.text, "aucune-veille", "div");
    assert!(hint.contains("Suivre cette recherche") && hint.contains("Suivre cette entité"));

    // The results page offers to follow the search: its words and filters as hidden fields (the
    // motif is not kept), the name prefilled with the words.
    let results = analyst
        .post(
            "/renseignement",
            &[
                ("motif", MOTIF),
                ("mots", "guetteurs"),
                ("departement", "13"),
                ("tri", "recent"),
            ],
        )
        .await;
    assert_eq!(results.status, 200, "{}", results.text);
    let form = element(&results.text, "formulaire-suivre", "form");
    assert!(form.starts_with("id=\"formulaire-suivre\""));
    assert!(results
        .text
        .contains("<form method=\"post\" action=\"/veilles\" id=\"formulaire-suivre\""));
    assert!(form.contains("Suivre cette recherche"));
    let follow_fields = hidden_fields(form);
    assert_eq!(
        follow_fields,
        vec![
            ("mots".to_owned(), "guetteurs".to_owned()),
            ("departement".to_owned(), "13".to_owned()),
        ]
    );
    assert_eq!(input_value(form, "libelle"), "guetteurs");

    // A name too short: the page again, the error under the name, the search kept.
    let mut fields = as_refs(&follow_fields);
    fields.push(("libelle", "gu"));
    let refused = analyst.post("/veilles", &fields).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    let again = element(&refused.text, "formulaire-veille", "form");
    assert!(element(again, "libelle-messages", "div")
        .contains("Nommez la veille (de 3 à 120 caractères)"));
    assert_eq!(hidden_fields(again), follow_fields);
    assert!(refused.text.contains("Recherche : &#34;guetteurs&#34;"));

    let mut fields = as_refs(&follow_fields);
    fields.push(("libelle", "Guetteurs des Bouches-du-Rhône"));
    let created = analyst.post("/veilles", &fields).await;
    assert_eq!(created.status, 303, "{}", created.text);
    assert_eq!(created.headers["location"], "/veilles?avis=creee");
    let page = follow(&analyst, &created).await;
    assert_eq!(page.status, 200);
    assert!(element(&page.text, "avis", "div").contains("Veille créée"));
    let ids = watch_ids(&page.text);
    assert_eq!(ids.len(), 1);
    let id = &ids[0];
    let row = element(&page.text, &format!("veille-{id}"), "article");
    assert!(row.contains("Guetteurs des Bouches-du-Rhône"));
    assert!(row.contains("Recherche : &#34;guetteurs&#34;"), "{row}");
    assert!(row.contains("Département : Bouches-du-Rhône (13)"), "{row}");
    // 09:00 UTC is 10:00 in Paris in November.
    assert!(row.contains("Créée le 23/11/2026 à 10:00"), "{row}");
    assert!(
        row.contains("Nouveautés depuis le 23/11/2026 à 10:00"),
        "{row}"
    );
    assert!(element(row, &format!("nouveautes-{id}"), "ul").contains("Rien de nouveau"));

    // « Voir les résultats » posts the saved search back to the search form, which takes it whole:
    // its own follow form carries the same words and filters.
    let run_again = element(row, &format!("resultats-{id}"), "form");
    assert!(run_again.contains("action=\"/renseignement\""));
    let saved = hidden_fields(run_again);
    assert_eq!(saved, follow_fields);
    let mut fields = as_refs(&saved);
    fields.push(("motif", MOTIF));
    let rerun = analyst.post("/renseignement", &fields).await;
    assert_eq!(rerun.status, 200, "{}", rerun.text);
    assert_eq!(
        hidden_fields(element(&rerun.text, "formulaire-suivre", "form")),
        follow_fields
    );
    assert!(element(&rerun.text, "filtres", "ul").contains("Bouches-du-Rhône (13)"));
    // Without a motif, the search form says so under its field.
    let no_motif = analyst.post("/renseignement", &as_refs(&saved)).await;
    assert_eq!(no_motif.status, 422);
    assert!(no_motif.text.contains("id=\"motif-erreur\""));

    let home = analyst.get("/").await;
    let card = element(&home.text, "carte-veilles", "div");
    assert!(home.text.contains("Vos veilles"));
    assert!(card.contains("1 veille"));
    assert!(home.text.contains("Rien de nouveau"));

    // An item recorded later by another unit of the département, matching the words and the
    // filter, is new; one elsewhere is not.
    app.clock.advance(time::Duration::minutes(5));
    let agent = sign_in(&app, "agent.marseille").await;
    record(
        &agent,
        "Deux guetteurs postés à l'entrée de la cité depuis lundi.",
        "13214",
        "",
    )
    .await;
    record(
        &agent,
        "Des guetteurs signalés près du port de Toulon.",
        "83137",
        "",
    )
    .await;
    let page = analyst.get("/veilles").await;
    let row = element(&page.text, &format!("veille-{id}"), "article");
    assert!(
        element(row, &format!("nouveautes-{id}"), "ul").contains("1 nouvel élément"),
        "{row}"
    );
    let home = analyst.get("/").await;
    assert!(element(&home.text, "veilles-nouveautes", "p").contains("1 nouveauté"));

    // Another account sees none of it, and may not mark it as seen nor delete it.
    let theirs = agent.get("/veilles").await;
    assert!(theirs.text.contains("id=\"aucune-veille\""));
    assert!(!theirs.text.contains(id.as_str()));
    let seen_action = format!("/veilles/{id}/vu");
    let delete_action = format!("/veilles/{id}/suppression");
    assert_eq!(agent.post(&seen_action, &[]).await.status, 404);
    assert_eq!(agent.post(&delete_action, &[]).await.status, 404);
    // A form without this session's token is refused.
    assert_eq!(
        analyst
            .post(&seen_action, &[("csrf", "0".repeat(64).as_str())])
            .await
            .status,
        403
    );

    // Marked as seen: nothing new any more.
    assert!(row.contains(&format!("action=\"{seen_action}\"")));
    let seen = analyst.post(&seen_action, &[]).await;
    assert_eq!(seen.status, 303);
    let page = follow(&analyst, &seen).await;
    assert!(element(&page.text, "avis", "div").contains("Veille marquée comme vue"));
    let row = element(&page.text, &format!("veille-{id}"), "article");
    assert!(element(row, &format!("nouveautes-{id}"), "ul").contains("Rien de nouveau"));
    assert!(
        row.contains("Nouveautés depuis le 23/11/2026 à 10:05"),
        "{row}"
    );

    // Deleted.
    assert!(row.contains(&format!("action=\"{delete_action}\"")));
    let deleted = analyst.post(&delete_action, &[]).await;
    assert_eq!(deleted.status, 303);
    let page = follow(&analyst, &deleted).await;
    assert!(element(&page.text, "avis", "div").contains("Veille supprimée"));
    assert!(page.text.contains("id=\"aucune-veille\""));
    assert!(watch_ids(&page.text).is_empty());
    assert_eq!(analyst.post(&seen_action, &[]).await.status, 404);
    let home = analyst.get("/").await;
    assert!(!home.text.contains("carte-veilles"));
}

#[tokio::test]
async fn an_entity_is_followed_from_its_page() {
    let app = app().await;
    let analyst = sign_in(&app, "analyste.cross13").await;
    let token = app.login("agent.marseille").await;
    let found = app
        .call(
            "POST",
            "/api/v1/entities/search",
            Some(&token),
            Some(json!({"text": "a", "motif": "préparation du test", "limit": 20})),
        )
        .await;
    assert_eq!(found.status, 200, "{}", found.text);
    // The first entity of the agent's that the analyst may consult too.
    let mut consulted = None;
    for hit in found.body["hits"].as_array().unwrap() {
        let id = hit["id"].as_str().unwrap().to_owned();
        let page = analyst
            .post(&format!("/entites/{id}"), &[("motif", MOTIF)])
            .await;
        if page.status == 200 {
            consulted = Some((id, hit["caption"].as_str().unwrap().to_owned(), page));
            break;
        }
    }
    let (id, caption, page) = consulted.expect("an entity both may consult");
    let form = element(&page.text, "formulaire-suivre", "form");
    assert!(form.contains("Suivre cette entité"));
    assert_eq!(hidden_fields(form), vec![("entite".to_owned(), id.clone())]);
    assert_eq!(input_value(form, "libelle"), caption);

    let created = analyst
        .post("/veilles", &[("entite", &id), ("libelle", &caption)])
        .await;
    assert_eq!(created.status, 303, "{}", created.text);
    let page = follow(&analyst, &created).await;
    let ids = watch_ids(&page.text);
    assert_eq!(ids.len(), 1);
    let row = element(&page.text, &format!("veille-{}", ids[0]), "article");
    assert!(row.contains(&escaped(&caption)));
    assert!(row.contains("Entité :"));
    assert!(row.contains(&format!("href=\"/entites/{id}\"")));
    assert!(row.contains("Rien de nouveau"));
    assert!(
        !row.contains("Voir les résultats"),
        "the entity's page asks for its own motif"
    );

    // An item about the entity, recorded later, is new for the watch.
    app.clock.advance(time::Duration::minutes(1));
    let agent = sign_in(&app, "agent.marseille").await;
    record(&agent, "Vu au volant près du point de deal.", "13214", &id).await;
    let page = analyst.get("/veilles").await;
    assert!(
        element(&page.text, &format!("nouveautes-{}", ids[0]), "ul").contains("1 nouvel élément")
    );

    // A made-up entity, and an unreadable id, are not found.
    let missing = analyst
        .post(
            "/veilles",
            &[
                ("entite", "00000000-0000-4000-8000-000000000000"),
                ("libelle", "Inconnue"),
            ],
        )
        .await;
    assert_eq!(missing.status, 404);
    let unreadable = analyst
        .post(
            "/veilles",
            &[("entite", "pas-un-id"), ("libelle", "Inconnue")],
        )
        .await;
    assert_eq!(unreadable.status, 404);
}
