//! The intelligence repository's pages, as users see them: the search (by POST only) lists the
//! demo's items with their matched words marked, counts and facets only what the reader may see,
//! pages by twenty; an item is read with a motif; the recording form shows each error by its field
//! and, once the item is recorded, shows it to its author.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::pages::{element, sign_in, Browser};
use crate::support::*;
use serde_json::json;

const MISSING_ID: &str = "00000000-0000-4000-8000-000000000000";
const MOTIF: &str = "Enquête stupéfiants 2026/118";

/// What askama writes for `text`.
fn escaped(text: &str) -> String {
    text.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

/// "1 élément", "2 431 éléments", as the page writes a total.
fn total_label(total: u64) -> String {
    let digits = total.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('\u{202f}');
        }
        grouped.push(c);
    }
    match total {
        0 => "Aucun élément".to_owned(),
        1 => "1 élément".to_owned(),
        _ => format!("{grouped} éléments"),
    }
}

/// The values of every `name="..."` attribute of the page (`href`, `action`...).
fn attributes<'t>(html: &'t str, name: &str) -> Vec<&'t str> {
    let marker = format!("{name}=\"");
    html.match_indices(&marker)
        .filter_map(|(at, _)| {
            let rest = &html[at + marker.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

/// The texts inside `<mark>` elements.
fn marks(html: &str) -> Vec<&str> {
    html.match_indices("<mark>")
        .filter_map(|(at, _)| {
            let rest = &html[at + "<mark>".len()..];
            rest.find("</mark>").map(|end| &rest[..end])
        })
        .collect()
}

/// The search as the first page's form posts it.
async fn search(browser: &Browser<'_>, words: &str, extra: &[(&str, &str)]) -> Answer {
    let mut fields = vec![("motif", MOTIF), ("mots", words)];
    fields.extend_from_slice(extra);
    browser.post("/renseignement", &fields).await
}

/// The fields of a valid recording form.
fn item_form<'a>(text: &'a str, handling: &[&'a str]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("texte", text),
        ("observe_le", "2026-11-18"),
        ("observe_jusqu_au", ""),
        ("lieu", "parking de la tour 4"),
        ("commune", "13214"),
        ("entites", ""),
        ("source", "technical"),
        ("code_source", ""),
        ("bareme", "europol_4x4"),
        ("cotation", "B2"),
        ("restrictions", ""),
        ("regime", "administrative"),
    ];
    for code in handling {
        fields.push(("traitement", code));
    }
    fields
}

/// Records an item through the form and returns its id (shown as its reference).
async fn record(browser: &Browser<'_>, fields: &[(&str, &str)]) -> String {
    let answer = browser.post("/renseignement/nouveau", fields).await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    let marker = "Référence</th><td>";
    let at = answer.text.find(marker).expect("the reference") + marker.len();
    answer.text[at..at + 36].to_owned()
}

#[tokio::test]
async fn the_search_lists_demo_items_with_their_words_marked_and_never_puts_words_in_urls() {
    let app = app_with_intel(300).await;
    let browser = sign_in(&app, "agent.marseille").await;
    let home = browser.get("/").await;
    assert!(
        home.text.contains("href=\"/renseignement\""),
        "in the navigation"
    );

    let empty = browser.get("/renseignement").await;
    assert_eq!(empty.status, 200);
    assert!(empty.text.contains("les formes fléchies sont trouvées"));
    assert!(empty
        .text
        .contains("&#34;expression exacte&#34; ou nom tel qu&#39;écrit"));
    assert!(empty.text.contains("href=\"/renseignement/nouveau\""));
    let forms = empty.text.matches("<form").count();
    assert_eq!(
        forms,
        empty.text.matches("<form method=\"post\"").count(),
        "every form posts"
    );
    assert!(empty
        .text
        .contains("<form method=\"post\" action=\"/renseignement\""));

    // A word of one of the demo items the agent may read (through the API), searched on the page.
    let token = app.login("agent.marseille").await;
    let api = |query: &str| json!({"motif": MOTIF, "query": query, "limit": 20});
    let all = app
        .call("POST", "/api/v1/intel/search", Some(&token), Some(api("")))
        .await;
    assert_eq!(all.status, 200, "{}", all.text);
    let excerpt = all.body["hits"][0]["excerpt"]["text"].as_str().unwrap();
    let word = excerpt
        .split(|c: char| !c.is_alphabetic())
        .find(|word| word.chars().count() >= 7 && word.chars().all(char::is_lowercase))
        .expect("a long word in the excerpt")
        .to_owned();
    let expected = app
        .call(
            "POST",
            "/api/v1/intel/search",
            Some(&token),
            Some(api(&word)),
        )
        .await;
    let expected_total = expected.body["total"].as_u64().unwrap();
    assert!(expected_total >= 1);

    let found = search(&browser, &word, &[]).await;
    assert_eq!(found.status, 200, "{}", found.text);
    assert!(found.headers.get("location").is_none());
    assert!(
        element(&found.text, "total", "h2").contains(&total_label(expected_total)),
        "{}",
        element(&found.text, "total", "h2")
    );
    assert!(found.text.contains("Recherche enregistrée au journal (n°"));
    let hits = element(&found.text, "elements", "ol");
    assert!(hits.contains("href=\"/renseignement/elements/"));
    let marked = marks(hits);
    assert!(
        marked
            .iter()
            .any(|text| text.to_lowercase() == word.to_lowercase()),
        "{word} marked in {marked:?}"
    );
    assert!(hits.contains("Europol 4x4") || hits.contains("3x5x2"));
    assert!(
        hits.contains("class=\"fr-tag fr-tag--sm\">H"),
        "handling codes as tags"
    );
    // The words travel in the body only: no link or form address carries them.
    for url in attributes(&found.text, "href")
        .into_iter()
        .chain(attributes(&found.text, "action"))
    {
        assert!(!url.to_lowercase().contains(&word.to_lowercase()), "{url}");
    }
    assert_eq!(
        found.text.matches("<form").count(),
        found.text.matches("<form method=\"post\"").count()
    );

    // A facet value adds its filter; the count on the button is the new total.
    let all_items = search(&browser, "", &[]).await;
    assert_eq!(all_items.status, 200);
    let facets = element(&all_items.text, "facette-source", "section");
    let value = attributes(facets, "value")
        .into_iter()
        .find(|value| value.starts_with("source="))
        .expect("a source facet")
        .to_owned();
    let at = facets.find(&format!("value=\"{value}\"")).unwrap();
    let button = &facets[at..];
    let count: String = button[button.find(" · ").unwrap() + " · ".len()..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '\u{202f}')
        .filter(char::is_ascii_digit)
        .collect();
    let filtered = search(&browser, "", &[("facette", &value)]).await;
    assert_eq!(filtered.status, 200, "{}", filtered.text);
    assert!(element(&filtered.text, "total", "h2").contains(&total_label(count.parse().unwrap())));
    assert!(filtered.text.contains("name=\"retrait\" value=\"source\""));
    let source = value.trim_start_matches("source=");
    assert!(filtered.text.contains(&format!(
        "<input type=\"hidden\" name=\"source\" value=\"{source}\">"
    )));
    // Removing it gives the first total back.
    let removed = search(&browser, "", &[("source", source), ("retrait", "source")]).await;
    assert_eq!(
        element(&removed.text, "total", "h2"),
        element(&all_items.text, "total", "h2")
    );

    // Twenty per page, the next pages by buttons of the same form.
    let total = all.body["total"].as_u64().unwrap();
    assert!(total > 20, "{total} items for the agent");
    assert_eq!(
        element(&all_items.text, "elements", "ol")
            .matches("<li class=\"fr-pb-3w")
            .count(),
        20
    );
    assert!(all_items.text.contains("name=\"page\" value=\"2\""));
    let second = search(&browser, "", &[("page", "2")]).await;
    assert_eq!(second.status, 200);
    let pages = total.div_ceil(20);
    assert!(second.text.contains(&format!("Page 2 sur {pages}")));
    assert!(second.text.contains("name=\"page\" value=\"1\""));

    // Nothing found: said in French.
    let nothing = search(&browser, "xylophonistes", &[]).await;
    assert_eq!(nothing.status, 200);
    assert!(nothing
        .text
        .contains("Aucun élément accessible ne correspond à cette recherche"));
}

#[tokio::test]
async fn an_h2_item_of_another_unit_is_neither_shown_nor_counted() {
    let app = app().await;
    let police = sign_in(&app, "agent.marseille").await;
    let gendarme = sign_in(&app, "agent.gendarmerie").await;
    record(
        &police,
        &item_form("Réseau Kilimandjaro : guetteurs relevés au parking.", &[]),
    )
    .await;
    let kept = record(
        &police,
        &item_form(
            "Kilimandjaro : le guetteur principal serait mineur.",
            &["H2"],
        ),
    )
    .await;

    let own = search(&police, "kilimandjaro", &[]).await;
    assert!(element(&own.text, "total", "h2").contains("2 éléments"));
    assert!(own.text.contains("serait mineur"));
    assert!(own.text.contains("<mark>Kilimandjaro</mark>"));

    let other = search(&gendarme, "kilimandjaro", &[]).await;
    assert_eq!(other.status, 200);
    assert!(element(&other.text, "total", "h2").contains("1 élément"));
    assert!(!other.text.contains("serait mineur"));
    assert!(!other.text.contains(&kept));
    let departements = element(&other.text, "facette-departement", "section");
    assert!(
        departements.contains("Bouches-du-Rhône (13) · 1<"),
        "{departements}"
    );
    let h2_only = search(&gendarme, "mineur", &[]).await;
    assert!(element(&h2_only.text, "total", "h2").contains("Aucun élément"));

    // Read directly, the H2 item is the same 404 as a missing one.
    let hidden = gendarme
        .post(
            &format!("/renseignement/elements/{kept}"),
            &[("motif", MOTIF)],
        )
        .await;
    let missing = gendarme
        .post(
            &format!("/renseignement/elements/{MISSING_ID}"),
            &[("motif", MOTIF)],
        )
        .await;
    assert_eq!((hidden.status, missing.status), (404, 404));
    assert_eq!(hidden.text, missing.text);
    // Its owner reads it after giving a motif.
    let motif_form = police.get(&format!("/renseignement/elements/{kept}")).await;
    assert_eq!(motif_form.status, 200);
    assert!(!motif_form.text.contains("serait mineur"));
    let shown = police
        .post(
            &format!("/renseignement/elements/{kept}"),
            &[("motif", MOTIF)],
        )
        .await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    assert!(shown.text.contains("serait mineur"));
    assert!(shown.text.contains("Consultation enregistrée au journal"));
    let no_motif = police
        .post(&format!("/renseignement/elements/{kept}"), &[("motif", "")])
        .await;
    assert_eq!(no_motif.status, 422);
    assert!(no_motif.text.contains("id=\"motif-erreur\""));
    assert!(!no_motif.text.contains("serait mineur"));
}

#[tokio::test]
async fn the_record_form_creates_an_item_and_shows_it_to_its_author() {
    let app = app().await;
    let police = sign_in(&app, "agent.marseille").await;
    let form = police.get("/renseignement/nouveau").await;
    assert_eq!(form.status, 200);
    for input in [
        "name=\"texte\"",
        "name=\"observe_le\"",
        "name=\"observe_jusqu_au\"",
        "name=\"lieu\"",
        "name=\"commune\"",
        "name=\"entites\"",
        "name=\"source\"",
        "name=\"code_source\"",
        "name=\"bareme\"",
        "name=\"cotation\"",
        "name=\"restrictions\"",
        "name=\"regime\"",
        "value=\"europol_4x4\"",
        "value=\"uk_3x5x2\"",
    ] {
        assert!(form.text.contains(input), "{input}");
    }
    for code in ["H0", "H1", "H2", "H3"] {
        assert!(
            form.text.contains(&format!(
                "name=\"traitement\" id=\"traitement-{}\" type=\"checkbox\" value=\"{code}\"",
                code.to_lowercase()
            )),
            "{code}"
        );
    }
    assert!(!form.text.contains("value=\"uk_5x5x5\""), "read only");

    let mut fields = item_form(
        "Livraison de résine prévue jeudi soir, utilitaire blanc <immatriculé> en Espagne.",
        &["H0", "H3"],
    );
    for (name, value) in fields.iter_mut() {
        match *name {
            "source" => *value = "human_source",
            "code_source" => *value = "SH-13-0042",
            "restrictions" => *value = "Ne pas communiquer au bailleur",
            _ => {}
        }
    }
    let answer = police.post("/renseignement/nouveau", &fields).await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    let page = &answer.text;
    assert!(page.contains("Élément enregistré pour votre unité"));
    assert!(page.contains(&escaped(
        "Livraison de résine prévue jeudi soir, utilitaire blanc <immatriculé> en Espagne."
    )));
    assert!(!page.contains("<immatriculé>"), "the text is escaped");
    assert!(page.contains("Europol 4x4 B2"));
    assert!(page.contains(&escaped(
        "source qui s'est révélée fiable dans la plupart des cas"
    )));
    assert!(page.contains("Source humaine SH-13-0042"));
    assert!(page.contains("<p class=\"fr-tag\">H3</p>"));
    assert!(page.contains("autres restrictions : Ne pas communiquer au bailleur"));
    assert!(
        page.contains("Marseille 14e Arrondissement (13214)"),
        "the commune"
    );
    assert!(page.contains("Bouches-du-Rhône (13)"));
    assert!(page.contains("Administratif"));
    assert!(page.contains("le 18/11/2026"));
    assert!(page.contains("Cet élément peut être versé en procédure judiciaire"));

    // An H1 item says why it may not go into a judicial file.
    let h1 = police
        .post(
            "/renseignement/nouveau",
            &item_form("Stock déplacé au garage du bâtiment F.", &["H1"]),
        )
        .await;
    assert_eq!(h1.status, 201, "{}", h1.text);
    assert!(element(&h1.text, "usage-judiciaire", "div").contains("H1 : cet élément ne peut"));

    // A magistrate reads but does not record; an auditor does neither.
    let magistrate = sign_in(&app, "magistrat.jirs").await;
    let search_page = magistrate.get("/renseignement").await;
    assert_eq!(search_page.status, 200);
    assert!(!search_page.text.contains("href=\"/renseignement/nouveau\""));
    assert_eq!(magistrate.get("/renseignement/nouveau").await.status, 403);
    let auditor = sign_in(&app, "auditeur").await;
    assert!(!auditor
        .get("/")
        .await
        .text
        .contains("href=\"/renseignement\""));
    assert_eq!(auditor.get("/renseignement").await.status, 403);
    assert_eq!(
        auditor
            .post("/renseignement", &[("motif", MOTIF), ("mots", "x")])
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn errors_are_shown_next_to_their_fields() {
    let app = app().await;
    let police = sign_in(&app, "agent.marseille").await;
    let mut fields = item_form("", &["H3"]);
    for (name, value) in fields.iter_mut() {
        match *name {
            "cotation" => *value = "D2",
            "commune" => *value = "99999",
            "lieu" => *value = "garage <b>",
            _ => {}
        }
    }
    let refused = police.post("/renseignement/nouveau", &fields).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    let text = &refused.text;
    assert!(text.contains("Le formulaire contient des erreurs"));
    for id in ["texte", "cotation", "commune"] {
        let group = element(text, &format!("{id}-messages"), "div");
        assert!(group.contains("fr-message--error"), "{id}: {group}");
    }
    assert!(element(text, "cotation-messages", "div").contains("une lettre A, B, C ou X"));
    let label = text.find("for=\"cotation\"").unwrap();
    let group = text[..label].rfind("<div class=\"fr-input-group").unwrap();
    assert!(
        text[group..label].contains("fr-input-group--error"),
        "the grade's group is in error"
    );
    assert!(element(text, "traitement-messages", "div").contains("H3 : précisez les restrictions"));
    assert!(text.contains("fr-fieldset fr-fieldset--error\" id=\"traitement\""));
    assert!(
        text.contains("value=\"garage &#60;b&#62;\""),
        "what was typed is kept, escaped"
    );
    assert!(text.contains("value=\"H3\" checked"));

    // The search form too: the motif, and a date that is not one.
    let no_motif = police
        .post("/renseignement", &[("motif", ""), ("mots", "résine")])
        .await;
    assert_eq!(no_motif.status, 422);
    assert!(element(&no_motif.text, "motif-messages", "div")
        .contains("Indiquez le motif de la recherche"));
    assert!(!no_motif.text.contains("id=\"resultats\""));
    assert!(
        no_motif.text.contains("value=\"résine\""),
        "the words are kept"
    );
    let bad_dates = police
        .post(
            "/renseignement",
            &[("motif", MOTIF), ("du", "hier"), ("au", "2026-01-01")],
        )
        .await;
    assert_eq!(bad_dates.status, 422);
    assert!(element(&bad_dates.text, "du-messages", "div").contains("attendu AAAA-MM-JJ"));
    let backwards = police
        .post(
            "/renseignement",
            &[("motif", MOTIF), ("du", "2026-06-01"), ("au", "2026-01-01")],
        )
        .await;
    assert_eq!(backwards.status, 422);
    assert!(element(&backwards.text, "au-messages", "div")
        .contains("La fin de la période précède son début"));
}

/// The id of the account's unit, its name and the account's display name (through the API).
async fn me(app: &TestApp, username: &str) -> (String, String, String) {
    let token = app.login(username).await;
    let me = app.call("GET", "/api/v1/me", Some(&token), None).await;
    assert_eq!(me.status, 200, "{}", me.text);
    (
        me.body["unit"]["id"].as_str().unwrap().to_owned(),
        me.body["unit"]["name"].as_str().unwrap().to_owned(),
        me.body["account"]["display_name"]
            .as_str()
            .unwrap()
            .to_owned(),
    )
}

#[tokio::test]
async fn the_owner_derives_a_sanitised_copy_from_the_item_page_and_lands_on_it() {
    let app = app().await;
    let police = sign_in(&app, "agent.marseille").await;
    let gendarme = sign_in(&app, "agent.gendarmerie").await;
    let mut fields = item_form(
        "Livraison de résine jeudi soir selon SH-13-0042, au parking de la tour 4.",
        &["H1", "H2"],
    );
    for (name, value) in fields.iter_mut() {
        match *name {
            "source" => *value = "human_source",
            "code_source" => *value = "SH-13-0042",
            _ => {}
        }
    }
    let answer = police.post("/renseignement/nouveau", &fields).await;
    assert_eq!(answer.status, 201, "{}", answer.text);
    // Just recorded: the decisions come with a consultation, which the page points to.
    assert!(!answer.text.contains("formulaire-copie-epuree"));
    assert!(answer.text.contains("id=\"gestion-apres-consultation\""));
    let marker = "Référence</th><td>";
    let at = answer.text.find(marker).unwrap() + marker.len();
    let original = answer.text[at..at + 36].to_owned();
    let page = format!("/renseignement/elements/{original}");

    // The owner's page offers both forms, with the consultation's motif carried along.
    let shown = police.post(&page, &[("motif", MOTIF)]).await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    let copy_form = element(&shown.text, "formulaire-copie-epuree", "form");
    assert!(shown.text.contains(&format!(
        "<form method=\"post\" action=\"{page}/copie-epuree\" id=\"formulaire-copie-epuree\">"
    )));
    assert!(copy_form.contains(&format!(
        "<input type=\"hidden\" name=\"motif\" value=\"{}\">",
        escaped(MOTIF)
    )));
    assert!(copy_form.contains("name=\"texte_epure\""));
    assert!(copy_form.contains("name=\"lieu_epure\""));
    assert!(shown.text.contains("Produire une copie épurée"));
    assert!(shown.text.contains("Autoriser un usage"));

    // Another unit's analyst who may read an item sees neither form (an H1 item, without H2).
    let h1 = record(&police, &item_form("Stock déplacé au garage.", &["H1"])).await;
    let other = gendarme
        .post(
            &format!("/renseignement/elements/{h1}"),
            &[("motif", MOTIF)],
        )
        .await;
    assert_eq!(other.status, 200, "{}", other.text);
    assert!(!other.text.contains("formulaire-copie-epuree"));
    assert!(!other.text.contains("formulaire-autorisation"));
    assert!(!other.text.contains("Produire une copie épurée"));
    let analyst = sign_in(&app, "analyste.cross13").await;
    let theirs = analyst
        .post(
            &format!("/renseignement/elements/{h1}"),
            &[("motif", MOTIF)],
        )
        .await;
    assert_eq!(theirs.status, 200, "{}", theirs.text);
    assert!(!theirs.text.contains("formulaire-copie-epuree"));
    assert!(!theirs.text.contains("formulaire-autorisation"));
    // And posting them anyway is the 404 of a missing item.
    let forged = gendarme
        .post(
            &format!("/renseignement/elements/{h1}/copie-epuree"),
            &[("motif", MOTIF), ("texte_epure", "Stock déplacé.")],
        )
        .await;
    assert_eq!(forged.status, 404);
    let forged = gendarme
        .post(
            &format!("/renseignement/elements/{h1}/autorisations"),
            &[("motif", MOTIF), ("nature", ""), ("raison", "")],
        )
        .await;
    assert_eq!(
        forged.status, 404,
        "refused before the engine, still not found"
    );
    let magistrate = sign_in(&app, "magistrat.jirs").await;
    let refused = magistrate
        .post(
            &format!("/renseignement/elements/{h1}/copie-epuree"),
            &[("motif", MOTIF), ("texte_epure", "Stock déplacé.")],
        )
        .await;
    assert_eq!(refused.status, 403, "a magistrate never manages items");

    // A text that still names the source: 422, the French message under the field, what was typed
    // kept, and the item shown again.
    let bad = police
        .post(
            &format!("{page}/copie-epuree"),
            &[
                ("motif", MOTIF),
                ("texte_epure", "Livraison jeudi soir (sh-13-0042)."),
                ("lieu_epure", "cité"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(bad.text.contains("Le formulaire contient des erreurs"));
    assert!(element(&bad.text, "texte-epure-messages", "div")
        .contains("Le texte épuré cite encore le code de la source"));
    assert!(bad
        .text
        .contains("Livraison jeudi soir (sh-13-0042).</textarea>"));
    assert!(bad.text.contains("id=\"texte-element\""), "the item again");
    assert!(bad
        .text
        .contains("fr-collapse--expanded\" id=\"gestion-copie\""));
    let empty = police
        .post(
            &format!("{page}/copie-epuree"),
            &[("motif", MOTIF), ("texte_epure", "")],
        )
        .await;
    assert_eq!(empty.status, 422);
    assert!(element(&empty.text, "texte-epure-messages", "div")
        .contains("Texte : décrivez ce qui a été appris"));

    // A good one: 303 to the copy, whose page says it was made, then shows it with a motif.
    let made = police
        .post(
            &format!("{page}/copie-epuree"),
            &[
                ("motif", MOTIF),
                (
                    "texte_epure",
                    "Livraison de résine attendue en fin de semaine dans le 14e arrondissement.",
                ),
                ("lieu_epure", ""),
            ],
        )
        .await;
    assert_eq!(made.status, 303, "{}", made.text);
    let location = made.headers["location"].to_str().unwrap().to_owned();
    let copy = location
        .strip_prefix("/renseignement/elements/")
        .and_then(|rest| rest.strip_suffix("?avis=copie-epuree"))
        .unwrap_or_else(|| panic!("{location}"))
        .to_owned();
    assert_ne!(copy, original);
    let landed = police.get(&location).await;
    assert_eq!(landed.status, 200);
    assert!(element(&landed.text, "avis", "div").contains("Copie épurée enregistrée"));
    assert!(landed
        .text
        .contains(&format!("action=\"/renseignement/elements/{copy}\"")));
    let copy_page = police
        .post(
            &format!("/renseignement/elements/{copy}"),
            &[("motif", MOTIF)],
        )
        .await;
    assert_eq!(copy_page.status, 200, "{}", copy_page.text);
    assert!(copy_page.text.contains("— copie épurée"));
    assert!(copy_page
        .text
        .contains("Livraison de résine attendue en fin de semaine"));
    assert!(copy_page.text.contains("Source protégée (copie épurée)"));
    assert!(!copy_page.text.contains("SH-13-0042"));
    assert!(element(&copy_page.text, "original", "p").contains(&format!("href=\"{page}\"")));
    // A copy is not copied again; it keeps H1, so a judicial use may still be permitted.
    assert!(!copy_page.text.contains("formulaire-copie-epuree"));
    let permission = element(&copy_page.text, "formulaire-autorisation", "form");
    assert!(permission.contains("value=\"usage_judiciaire\""));
    assert!(!permission.contains("value=\"diffusion\""));
    // The original lists its copy.
    let again = police.post(&page, &[("motif", MOTIF)]).await;
    assert!(element(&again.text, "copies", "ul")
        .contains(&format!("href=\"/renseignement/elements/{copy}\"")));

    // The gendarmes read the copy, but are not led to the original they may not see.
    let theirs = gendarme
        .post(
            &format!("/renseignement/elements/{copy}"),
            &[("motif", MOTIF)],
        )
        .await;
    assert_eq!(theirs.status, 200, "{}", theirs.text);
    assert!(!theirs.text.contains(&format!("href=\"{page}\"")));
    assert!(element(&theirs.text, "original", "p").contains("ne vous est pas accessible"));
    assert!(!theirs.text.contains("formulaire-autorisation"));
}

#[tokio::test]
async fn the_owner_permits_a_use_and_the_permission_is_listed() {
    let app = app().await;
    let police = sign_in(&app, "agent.marseille").await;
    let gendarme = sign_in(&app, "agent.gendarmerie").await;
    let (gendarmerie, gendarmerie_name, _) = me(&app, "agent.gendarmerie").await;
    let (_, _, agent_name) = me(&app, "agent.marseille").await;
    let h2 = record(
        &police,
        &item_form("Réseau Tegucigalpa : stock au box 12.", &["H2"]),
    )
    .await;
    let page = format!("/renseignement/elements/{h2}");
    assert_eq!(
        gendarme.post(&page, &[("motif", MOTIF)]).await.status,
        404,
        "under H2, hidden from the gendarmes"
    );

    // Only what the codes reserve is offered: a share (H2), not a judicial use.
    let shown = police.post(&page, &[("motif", MOTIF)]).await;
    let form = element(&shown.text, "formulaire-autorisation", "form");
    assert!(form.contains("value=\"diffusion\""));
    assert!(!form.contains("value=\"usage_judiciaire\""));
    assert!(form.contains(&format!("value=\"{gendarmerie}\"")));
    assert!(!shown.text.contains("id=\"autorisations\""), "none yet");
    // No H1, no H2: nothing to permit, no form.
    let open = record(
        &police,
        &item_form("Réseau Tegucigalpa : relève à 14 h.", &[]),
    )
    .await;
    let open_page = police
        .post(
            &format!("/renseignement/elements/{open}"),
            &[("motif", MOTIF)],
        )
        .await;
    assert!(open_page.text.contains("formulaire-copie-epuree"));
    assert!(!open_page.text.contains("formulaire-autorisation"));

    // Refusals, in French, under their fields.
    let no_kind = police
        .post(
            &format!("{page}/autorisations"),
            &[
                ("motif", MOTIF),
                ("nature", ""),
                ("service", ""),
                ("raison", ""),
            ],
        )
        .await;
    assert_eq!(no_kind.status, 422, "{}", no_kind.text);
    assert!(element(&no_kind.text, "nature-messages", "div")
        .contains("Choisissez l&#39;usage à autoriser"));
    let no_reason = police
        .post(
            &format!("{page}/autorisations"),
            &[
                ("motif", MOTIF),
                ("nature", "diffusion"),
                ("service", &gendarmerie),
                ("raison", "x"),
            ],
        )
        .await;
    assert_eq!(no_reason.status, 422);
    assert!(
        element(&no_reason.text, "raison-messages", "div").contains("Motivez l&#39;autorisation")
    );
    assert!(
        no_reason
            .text
            .contains(&format!("<option value=\"{gendarmerie}\" selected>")),
        "the unit chosen is kept"
    );
    let h1_missing = police
        .post(
            &format!("{page}/autorisations"),
            &[
                ("motif", MOTIF),
                ("nature", "usage_judiciaire"),
                ("raison", "procédure 2026/118"),
            ],
        )
        .await;
    assert_eq!(h1_missing.status, 422);
    assert!(element(&h1_missing.text, "nature-messages", "div").contains("ne porte pas le code H1"));

    // Permitted: listed with its kind, unit, reason, author and time (Paris).
    let permitted = police
        .post(
            &format!("{page}/autorisations"),
            &[
                ("motif", MOTIF),
                ("nature", "diffusion"),
                ("service", &gendarmerie),
                ("raison", "Enquête commune sur le box 12"),
            ],
        )
        .await;
    assert_eq!(permitted.status, 200, "{}", permitted.text);
    assert!(element(&permitted.text, "avis", "div").contains("Autorisation enregistrée"));
    let table = element(&permitted.text, "autorisations", "table");
    for text in [
        "Diffusion (lève H2)",
        gendarmerie_name.as_str(),
        "Enquête commune sur le box 12",
        agent_name.as_str(),
        "23/11/2026 10:00",
    ] {
        assert!(table.contains(&escaped(text)), "{text} in {table}");
    }
    // The gendarmes now read it; they see the permission, not who recorded it.
    let theirs = gendarme.post(&page, &[("motif", MOTIF)]).await;
    assert_eq!(theirs.status, 200, "{}", theirs.text);
    let table = element(&theirs.text, "autorisations", "table");
    assert!(table.contains("Enquête commune sur le box 12"));
    assert!(!table.contains(&escaped(&agent_name)));
}

#[tokio::test]
async fn the_results_export_to_csv_with_the_columns_asked_for() {
    let app = app().await;
    let police = sign_in(&app, "agent.marseille").await;
    let (gendarmerie, _, _) = me(&app, "agent.gendarmerie").await;
    record(
        &police,
        &item_form("Réseau Ulan-Bator : relève des guetteurs à 14 h.", &[]),
    )
    .await;
    record(
        &police,
        &item_form("Réseau Ulan-Bator : le chef serait mineur.", &["H2"]),
    )
    .await;
    let found = search(&police, "ulan-bator", &[]).await;
    assert_eq!(found.status, 200, "{}", found.text);
    let form = element(&found.text, "formulaire-export", "form");
    assert!(found.text.contains(
        "<form method=\"post\" action=\"/renseignement/export\" id=\"formulaire-export\">"
    ));
    assert!(form.contains("<input type=\"hidden\" name=\"mots\" value=\"ulan-bator\">"));
    assert!(form.contains("id=\"correspondance\" name=\"correspondance\""));
    assert!(
        form.contains(">id=REFERENCE,observed_on=DATE_OBSERVATION,"),
        "{form}"
    );

    let export = |fields: Vec<(&'static str, String)>| {
        let browser = &police;
        async move {
            let mut all: Vec<(&str, &str)> = vec![("motif", MOTIF), ("mots", "ulan-bator")];
            all.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
            browser.post_for_file("/renseignement/export", &all).await
        }
    };
    let file = export(vec![
        ("finalite", "diffusion".to_owned()),
        ("destinataire", gendarmerie.clone()),
        ("correspondance", "text=Texte,owner=Service".to_owned()),
    ])
    .await;
    assert_eq!(file.status, 200, "{}", file.text);
    assert_eq!(file.headers["content-type"], "text/csv; charset=utf-8");
    assert!(file.headers["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment;"));
    assert_eq!(file.headers["vigie-withheld"], "1");
    assert!(
        file.text.starts_with("\u{feff}\"Texte\";\"Service\"\n"),
        "{}",
        file.text
    );
    assert!(file.text.contains("relève des guetteurs"));
    assert!(!file.text.contains("serait mineur"), "H2 is not shared");

    // A bad mapping and no purpose: the results again, the errors in French under their fields.
    let refused = export(vec![
        ("finalite", String::new()),
        ("correspondance", "texte=TEXTE".to_owned()),
    ])
    .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(
        refused.text.contains("id=\"elements\""),
        "the results again"
    );
    assert!(element(&refused.text, "finalite-messages", "div")
        .contains("Choisissez la finalité de l&#39;exportation"));
    assert!(element(&refused.text, "correspondance-messages", "div")
        .contains("champ « texte » inconnu pour un élément de renseignement"));
    assert!(
        refused.text.contains(">texte=TEXTE</textarea>"),
        "what was typed is kept"
    );
}
