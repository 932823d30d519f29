//! The pages that follow a conflict, as users see them: the operation calendar and its overlaps,
//! a referral from the target page to the JIRS and the magistrate's decision, and the priority list
//! from a unit's nomination to OFAST's committee and back to the unit's target page.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::pages::{element, follow, sign_in, target_form, Browser};
use crate::support::*;

/// Registers a target through the form and returns its id (from the redirect).
async fn register(browser: &Browser<'_>, fields: &[(&str, &str)]) -> String {
    let answer = browser.post("/objectifs/nouveau", fields).await;
    assert_eq!(answer.status, 303, "{}", answer.text);
    let location = answer.headers["location"].to_str().unwrap();
    location
        .strip_prefix("/objectifs/")
        .and_then(|rest| rest.split('?').next())
        .unwrap()
        .to_owned()
}

fn operation_form<'a>(
    label: &'a str,
    lat: &'a str,
    starts: &'a str,
    ends: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("type", "search"),
        ("intitule", label),
        ("debut", starts),
        ("fin", ends),
        ("latitude", lat),
        ("longitude", "5.3589"),
        ("rayon", "150"),
        ("responsable", "Commandant Viala"),
        ("telephone", "04 91 00 00 03"),
    ]
}

#[tokio::test]
async fn two_units_see_each_others_operation_on_their_calendars() {
    let app = app().await;
    let police = sign_in(&app, "agent.marseille").await;
    let gendarme = sign_in(&app, "agent.gendarmerie").await;
    let home = police.get("/").await;
    assert!(
        home.text.contains("href=\"/operations\""),
        "in the navigation"
    );

    let declared = police
        .post(
            "/operations",
            &operation_form(
                "Perquisition bât. H",
                "43.3736",
                "2026-11-23T21:00",
                "2026-11-24T03:00",
            ),
        )
        .await;
    let page = follow(&police, &declared).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("Opération déclarée"));
    assert!(page.text.contains("lundi 23/11/2026"), "grouped by day");
    assert!(page.text.contains("21:00 → 03:00 (le 24/11/2026)"));
    assert!(page
        .text
        .contains("Marseille 15e Arrondissement, rayon 150 m"));
    assert!(page.text.contains("Aucun chevauchement"));

    let second = gendarme
        .post(
            "/operations",
            &operation_form(
                "Interpellation SR",
                "43.3741",
                "2026-11-24T01:00",
                "2026-11-24T05:00",
            ),
        )
        .await;
    let page = follow(&gendarme, &second).await;
    let warning = element(&page.text, "alerte-chevauchement", "div");
    assert!(warning.contains("1 chevauchement(s)"), "{warning}");
    assert!(page.text.contains("Commandant Viala"));
    assert!(
        !page.text.contains("Perquisition bât. H"),
        "never the other unit's label"
    );

    let calendar = police.get("/operations").await;
    assert!(calendar.text.contains("Section de recherches de Marseille"));
    assert!(calendar.text.contains("fenêtre commune 01:00 → 03:00"));
    assert!(!calendar.text.contains("Interpellation SR"));

    // A place that is not a number and a window already over: errors by field, nothing written.
    let bad = police
        .post(
            "/operations",
            &operation_form("x", "Castellane", "2026-11-23T21:00", "2026-11-24T03:00"),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text.contains("degrés décimaux"));
    let past = police
        .post(
            "/operations",
            &operation_form("Passée", "43.37", "2026-11-22T21:00", "2026-11-22T23:00"),
        )
        .await;
    assert_eq!(past.status, 422);
    assert!(past.text.contains("déjà terminée"));
    assert!(
        past.text.contains("value=\"Passée\""),
        "what was typed is kept"
    );

    // The magistrate has no calendar.
    let magistrate = sign_in(&app, "magistrat.jirs").await;
    assert_eq!(magistrate.get("/operations").await.status, 403);
}

#[tokio::test]
async fn the_declaration_map_shows_the_units_own_operations_and_never_the_others() {
    let app = app().await;
    let police = sign_in(&app, "agent.marseille").await;
    let gendarme = sign_in(&app, "agent.gendarmerie").await;
    let declared = police
        .post(
            "/operations",
            &operation_form(
                "Perquisition bât. H",
                "43.3736",
                "2026-11-23T21:00",
                "2026-11-24T03:00",
            ),
        )
        .await;
    assert_eq!(declared.status, 303, "{}", declared.text);
    let other = gendarme
        .post(
            "/operations",
            &operation_form(
                "Interpellation SR",
                "43.3741",
                "2026-11-24T01:00",
                "2026-11-24T05:00",
            ),
        )
        .await;
    assert_eq!(other.status, 303, "{}", other.text);

    let page = police.get("/operations").await;
    assert_eq!(page.status, 200, "{}", page.text);
    // The map, hidden until its script shows it; the inputs stay for those without JavaScript.
    let block = element(&page.text, "bloc-carte-operation", "p");
    assert!(block.contains(" hidden>"), "{block}");
    let map = element(&page.text, "carte-operation", "div");
    for attribute in [
        "data-saisie=\"latitude longitude\"",
        "data-rayon=\"rayon\"",
        "data-zones=\"13\"",
        "data-etat=\"chargement\"",
    ] {
        assert!(map.contains(attribute), "{attribute} in {map}");
    }
    for id in [
        "latitude",
        "longitude",
        "rayon",
        "commune-carte",
        "centrer-commune",
    ] {
        assert!(page.text.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(page
        .text
        .contains(&format!("Leaflet {}", vigie_assets::leaflet_version())));
    // The unit's own operation, with its place and radius for the map and its label for the popup.
    let card = page
        .text
        .split("<div class=\"fr-card")
        .find(|card| card.contains("Perquisition bât. H"))
        .unwrap();
    for attribute in [
        "data-carte-lat=\"43.373600\"",
        "data-carte-lon=\"5.358900\"",
        "data-carte-rayon=\"150\"",
        "data-carte-quand=\"lundi 23/11/2026, 21:00 → 03:00 (le 24/11/2026)\"",
        "data-carte-intitule=\"Perquisition bât. H\"",
    ] {
        assert!(card.contains(attribute), "{attribute} in {card}");
    }
    // The other unit's operation overlaps, but its place and label are not on the page.
    assert!(page.text.contains("fenêtre commune 01:00 → 03:00"));
    assert!(!page.text.contains("43.374100"), "never the other's place");
    assert!(!page.text.contains("Interpellation SR"));
    // Scripts and styles: Leaflet, the shared base map before the page's script.
    let leaflet = page
        .text
        .find("<script src=\"/assets/leaflet/leaflet.js\"></script>")
        .unwrap();
    let base = page
        .text
        .find("<script src=\"/assets/vigie/fond-carte.js\"></script>")
        .unwrap();
    let own = page
        .text
        .find("<script src=\"/assets/vigie/operations.js\"></script>")
        .unwrap();
    assert!(leaflet < base && base < own);
    assert!(page
        .text
        .contains("<link rel=\"stylesheet\" href=\"/assets/leaflet/leaflet.css\">"));
    assert!(page
        .text
        .contains("<link rel=\"stylesheet\" href=\"/assets/vigie/operations.css\">"));
    for (path, content_type, needle) in [
        (
            "/assets/vigie/fond-carte.js",
            "text/javascript; charset=utf-8",
            "window.VigieFond",
        ),
        (
            "/assets/vigie/operations.js",
            "text/javascript; charset=utf-8",
            "/api/v1/geo/communes/search",
        ),
        (
            "/assets/vigie/operations.css",
            "text/css; charset=utf-8",
            ".vigie-carte-operation",
        ),
    ] {
        let answer = app.call("GET", path, None, None).await;
        assert_eq!(answer.status, 200, "{path}");
        assert_eq!(answer.headers["content-type"], content_type, "{path}");
        assert!(answer.text.contains(needle), "{path}");
    }
    // The points' maps load the shared base map before their own script.
    let points = police.get("/points-de-deal").await;
    assert!(points.text.contains(
        "<script src=\"/assets/vigie/fond-carte.js\"></script>\n<script src=\"/assets/vigie/points.js\"></script>"
    ));

    // Once over, an operation stays on the calendar but leaves the map (a new session: the
    // first one has expired).
    app.clock.advance(time::Duration::hours(19));
    let police = sign_in(&app, "agent.marseille").await;
    let later = police.get("/operations?debut=2026-11-23").await;
    assert_eq!(later.status, 200, "{}", later.text);
    assert!(later.text.contains("Perquisition bât. H"));
    assert!(!later
        .text
        .contains("data-carte-intitule=\"Perquisition bât. H\""));
}

#[tokio::test]
async fn a_referral_reaches_the_jirs_and_both_units_read_the_decision() {
    let app = app().await;
    let token = app.login("magistrat.jirs").await;
    let me = app.call("GET", "/api/v1/me", Some(&token), None).await;
    let jirs = me.body["unit"]["id"].as_str().unwrap().to_owned();
    let gendarme = sign_in(&app, "agent.gendarmerie").await;
    let douane = sign_in(&app, "agent.douane").await;
    let magistrate = sign_in(&app, "magistrat.jirs").await;

    let form = gendarme.get("/objectifs/nouveau").await;
    assert!(
        form.text.contains(&format!("<option value=\"{jirs}\"")),
        "the JIRS is offered"
    );
    let mut fields = target_form("SR-2026-090", "Adjudant Morel", "", "06 55 44 33 22");
    fields.push(("juridiction", &jirs));
    register(&gendarme, &fields).await;
    let mut fields = target_form("D-2026-12", "Inspectrice Roux", "", "06 55 44 33 22");
    fields.push(("juridiction", ""));
    let own = register(&douane, &fields).await;

    let page = douane.get(&format!("/objectifs/{own}")).await;
    let form = element(&page.text, "formulaire-arbitrage", "form");
    assert!(
        form.contains("Section de recherches de Marseille"),
        "{form}"
    );
    let other = form
        .split("<option value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let short = douane
        .post(
            &format!("/objectifs/{own}/arbitrage"),
            &[("autre", &other), ("motif", "qui ?")],
        )
        .await;
    assert_eq!(short.status, 422);
    assert!(
        short.text.contains("10 caractères au moins"),
        "{}",
        short.text
    );
    let referred = douane
        .post(
            &format!("/objectifs/{own}/arbitrage"),
            &[
                ("autre", &other),
                (
                    "motif",
                    "Les deux services veulent interpeller le même soir",
                ),
            ],
        )
        .await;
    let list = follow(&douane, &referred).await;
    assert!(list.text.contains("arbitre est saisi"));
    assert!(list.text.contains("En attente"));

    let list = magistrate.get("/arbitrages").await;
    assert!(
        list.text.contains("href=\"/arbitrages\""),
        "in the navigation"
    );
    let link = list
        .text
        .split("href=\"/arbitrages/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let case = magistrate.get(&format!("/arbitrages/{link}")).await;
    assert_eq!(case.status, 200, "{}", case.text);
    assert!(case.text.contains("SR-2026-090") && case.text.contains("D-2026-12"));
    assert!(case.text.contains("Même téléphone"));
    assert_eq!(
        gendarme.get(&format!("/arbitrages/{link}")).await.status,
        403,
        "the units never read the other's summary"
    );
    let unchosen = magistrate
        .post(
            &format!("/arbitrages/{link}/decision"),
            &[("motivation", "La SR est saisie depuis plus longtemps")],
        )
        .await;
    assert_eq!(unchosen.status, 422);
    assert!(unchosen.text.contains("Choisissez une décision"));
    let lead = case
        .text
        .split("value=\"lead:")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let decided = magistrate
        .post(
            &format!("/arbitrages/{link}/decision"),
            &[
                ("issue", &format!("lead:{lead}")),
                ("motivation", "La SR est saisie depuis plus longtemps"),
            ],
        )
        .await;
    let page = follow(&magistrate, &decided).await;
    assert!(element(&page.text, "decision-rendue", "div")
        .contains("Direction confiée à Section de recherches de Marseille"));
    for party in [&gendarme, &douane] {
        let list = party.get("/arbitrages").await;
        assert!(list
            .text
            .contains("Direction confiée à Section de recherches de Marseille"));
        assert!(list.text.contains("La SR est saisie depuis plus longtemps"));
    }
}

#[tokio::test]
async fn a_nomination_goes_through_the_ofast_committee_and_back_to_the_unit() {
    let app = app().await;
    let gendarme = sign_in(&app, "agent.gendarmerie").await;
    let ofast = sign_in(&app, "analyste.ofast").await;
    let id = register(
        &gendarme,
        &target_form("SR-2026-100", "Adjudant Morel", "", "06 77 88 99 00"),
    )
    .await;

    let nominated = gendarme
        .post(
            &format!("/objectifs/{id}/priorite"),
            &[("motifs", "Grossiste qui fournit six points de deal")],
        )
        .await;
    let page = follow(&gendarme, &nominated).await;
    assert!(page.text.contains("proposé au comité"));
    assert!(element(&page.text, "statut-prioritaire", "span").contains("Proposé"));
    assert_eq!(gendarme.get("/objectifs/prioritaires").await.status, 403);
    assert!(!gendarme
        .get("/")
        .await
        .text
        .contains("href=\"/objectifs/prioritaires\""));

    let list = ofast.get("/objectifs/prioritaires").await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert!(list.text.contains("SR-2026-100"));
    assert!(list
        .text
        .contains("Grossiste qui fournit six points de deal"));
    let short = ofast
        .post(
            &format!("/objectifs/prioritaires/{id}/decision"),
            &[("decision", "list"), ("motifs", "ok")],
        )
        .await;
    assert_eq!(short.status, 422);
    assert!(element(&short.text, "erreur", "div").contains("10 caractères"));
    let listed = ofast
        .post(
            &format!("/objectifs/prioritaires/{id}/decision"),
            &[
                ("decision", "list"),
                ("motifs", "Validé par le comité du 23 novembre"),
            ],
        )
        .await;
    let list = follow(&ofast, &listed).await;
    assert!(list.text.contains("Décision du comité enregistrée"));
    let tiles = element(&list.text, "indicateurs", "section");
    assert!(tiles.contains("objectif(s) inscrit(s)"), "{tiles}");

    // The unit sees the decision and records an outcome.
    let page = gendarme.get(&format!("/objectifs/{id}")).await;
    assert!(element(&page.text, "statut-prioritaire", "span").contains("Inscrit"));
    assert!(page.text.contains("Validé par le comité du 23 novembre"));
    let bad = gendarme
        .post(
            &format!("/objectifs/{id}/resultats"),
            &[
                ("type", "seizure"),
                ("date", ""),
                ("description", "40 kg de résine"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text.contains("AAAA-MM-JJ"));
    let added = gendarme
        .post(
            &format!("/objectifs/{id}/resultats"),
            &[
                ("type", "seizure"),
                ("date", "2026-11-20"),
                ("description", "40 kg de résine"),
            ],
        )
        .await;
    let page = follow(&gendarme, &added).await;
    assert!(page
        .text
        .contains("20/11/2026 — <strong>Saisie</strong> : 40 kg de résine"));
    let list = ofast.get("/objectifs/prioritaires").await;
    assert!(
        list.text.contains("Saisie : <strong>1</strong>"),
        "indicators count it"
    );
}
