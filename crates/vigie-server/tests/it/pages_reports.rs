//! The reports and dealing points pages, in process: a partner's report sent through its page, a
//! resident's through the engine (with its proof of work); the CROSS's queue, a report read with a
//! motif, its status changed with a motivation, a message to the reporter, a note, a point created
//! from it, the map's table and data, the point's page and lifecycle; what a police agent, the
//! partner, another CROSS and OFAST see of them; resurgence. Assertions are on what users see.

use crate::pages::sign_in;
use crate::support::*;
use axum::body::Body;
use axum::http::Request;
use base64::Engine as _;
use uuid::Uuid;
use vigie_engine::{Actor, Proof, RequestContext};
use vigie_reports::{Category, Pin, ReportDraft, Since, TimeSlot, Weekday};

const HOST: &str = "vigie.test";
const MOTIF: &str = "Tri des signalements, permanence du 23/11";
/// A valid 1×1 PNG.
const PNG_1X1: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
/// Near the hall of the partner's report (Marseille 14e), and a few metres from it.
const HALL: Pin = Pin {
    lat: 43.34150,
    lon: 5.42700,
};
const NEAR_HALL: Pin = Pin {
    lat: 43.34180,
    lon: 5.42730,
};

fn ctx() -> RequestContext {
    RequestContext {
        request_id: "test-pages-reports".to_owned(),
    }
}

async fn actor(app: &TestApp, username: &str) -> Actor {
    let token = app.login(username).await;
    app.engine.authenticate(&token).await.unwrap()
}

/// A GET with a session cookie taken from the API login (pages accept the same session token).
async fn raw_get(app: &TestApp, token: &str, path: &str) -> Answer {
    let request = Request::builder()
        .method("GET")
        .uri(path)
        .header("host", HOST)
        .header("cookie", format!("vigie_session={token}"))
        .body(Body::empty())
        .unwrap();
    app.send(request).await
}

fn draft(description: &str, pin: Option<Pin>) -> ReportDraft {
    ReportDraft {
        category: Category::FixedSale,
        commune: Some("13055".to_owned()),
        place: "Devant le hall du bâtiment B".to_owned(),
        pin,
        days: vec![Weekday::Friday],
        slots: vec![TimeSlot::Evening],
        since: Since::Weeks,
        description: description.to_owned(),
        people: Some(3),
        vehicles: String::new(),
    }
}

/// A resident's report, with its proof of work solved by brute force.
async fn public_report(app: &TestApp, draft: ReportDraft) {
    let challenge = app.engine.report_challenge().unwrap();
    let mut parts = challenge.token.split('.');
    let nonce = parts.next().unwrap().to_owned();
    let bits: u8 = parts.next().unwrap().parse().unwrap();
    let solution = vigie_reports::pow::solve(&vigie_reports::Challenge {
        nonce,
        bits,
        expires_at_micros: 0,
    });
    app.engine
        .submit_public_report(
            Proof {
                token: challenge.token,
                solution,
            },
            draft,
            Vec::new(),
            &ctx(),
        )
        .await
        .unwrap();
}

/// The id that follows `prefix` in `html` (a UUID).
fn id_after(html: &str, prefix: &str) -> String {
    let start = html
        .find(prefix)
        .unwrap_or_else(|| panic!("{prefix} not found"))
        + prefix.len();
    let id = &html[start..start + 36];
    Uuid::parse_str(id).unwrap_or_else(|_| panic!("no id after {prefix}: {id}"));
    id.to_owned()
}

fn png() -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(PNG_1X1)
        .unwrap()
}

/// The partner sends a report through its page (with a photo) and finds it listed.
async fn partner_sends_a_report(app: &TestApp) -> String {
    let partner = sign_in(app, "partenaire.bailleur").await;
    let page = partner.get("/partenaire/signalements").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("Nouveau signalement"));
    assert!(page.text.contains("n'a encore transmis aucun signalement"));
    let photo = png();
    let sent = partner
        .post_multipart(
            "/partenaire/signalements",
            &[
                ("categorie", "fixed_sale"),
                ("commune", "13055"),
                ("lieu", "Hall du bâtiment B, cité des Lilas"),
                ("lat", "43,34150"),
                ("lon", "5.42700"),
                ("jours", "friday"),
                ("jours", "saturday"),
                ("creneaux", "evening"),
                ("depuis", "months"),
                (
                    "description",
                    "Des jeunes vendent de la résine devant le hall du bâtiment B tous les soirs.",
                ),
                ("personnes", "4"),
                ("vehicules", "Scooter noir"),
            ],
            ("photos", "hall.png", &photo),
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.text);
    assert_eq!(
        sent.headers["location"],
        "/partenaire/signalements?avis=envoye#mes-signalements"
    );
    let listed = partner.get("/partenaire/signalements?avis=envoye").await;
    assert!(listed.text.contains("Signalement transmis à la CROSS"));
    assert!(listed
        .text
        .contains("Point de vente (deal) régulier — Marseille"));
    assert!(listed.text.contains(">Reçu</p>"), "coarse status");
    id_after(&listed.text, "id=\"mon-signalement-")
}

#[tokio::test]
async fn a_cross_analyst_triages_a_partner_report_and_creates_a_dealing_point() {
    let app = app().await;
    let report = partner_sends_a_report(&app).await;
    public_report(
        &app,
        draft(
            "Vente de résine devant le hall du bâtiment B, le soir, plusieurs jeunes.",
            Some(NEAR_HALL),
        ),
    )
    .await;

    // The resident's report waits for the end of its hour; the partner's is there at once.
    let cross = sign_in(&app, "analyste.cross13").await;
    let queue = cross.get("/signalements").await;
    assert_eq!(queue.status, 200, "{}", queue.text);
    assert!(queue.text.contains("Signalements à trier"));
    assert!(queue.text.contains("Bouches-du-Rhône (13)"));
    assert!(queue
        .text
        .contains(&format!("href=\"/signalements/{report}\"")));
    assert_eq!(queue.text.matches("class=\"signalement\"").count(), 1);
    assert!(queue.text.contains("Partenaire") && !queue.text.contains("Riverain anonyme"));
    app.clock.advance(time::Duration::hours(1));
    let queue = cross.get("/signalements").await;
    assert_eq!(queue.text.matches("class=\"signalement\"").count(), 2);
    assert!(queue.text.contains("Riverain anonyme"));
    assert!(
        queue.text.contains("entre 10 h et 11 h, le 23/11/2026"),
        "hour of arrival, Paris time"
    );
    assert!(queue.text.contains("Point de vente (deal) régulier"));
    assert!(queue.text.contains("Marseille (13)"));
    assert!(queue.text.contains("1 photo"));
    assert!(queue.text.contains("En cours&nbsp;(2)") && queue.text.contains("Nouveau&nbsp;(2)"));
    assert!(
        !queue.text.contains("bâtiment B"),
        "the queue never shows a report's text"
    );

    // The report needs a motif; the motif never reaches a URL.
    let motif_page = cross.get(&format!("/signalements/{report}")).await;
    assert_eq!(motif_page.status, 200);
    assert!(motif_page.text.contains("Motif de la consultation"));
    assert!(!motif_page.text.contains("bâtiment B"));
    let consultation = format!("/signalements/{report}/consultation");
    let refused = cross.post(&consultation, &[("motif", "")]).await;
    assert_eq!(refused.status, 422);
    assert!(refused
        .text
        .contains("Indiquez le motif de la consultation"));
    let page = cross.post(&consultation, &[("motif", MOTIF)]).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let html = &page.text;
    assert!(html.contains("Des jeunes vendent de la résine devant le hall du bâtiment B"));
    assert!(html.contains("Hall du bâtiment B, cité des Lilas"));
    assert!(html.contains("Partenaire : Habitat Provence Méditerranée (bailleur social)"));
    assert!(html.contains("Marseille (13055)"));
    assert!(html.contains("vendredi, samedi"));
    assert!(html.contains("le soir (18 h – 23 h)"));
    assert!(html.contains("depuis quelques mois"));
    assert!(html.contains("Scooter noir"));
    assert!(html.contains("43.34150, 5.42700"));
    assert!(html.contains("Aucun point de deal connu à proximité."));
    assert!(
        html.contains("class=\"proche\""),
        "the resident's report is nearby"
    );
    assert!(html.contains(&format!("name=\"motif\" value=\"{MOTIF}\"")));
    assert!(html.contains("Note interne — jamais visible du déclarant"));
    assert!(html.contains("Message au déclarant"));
    assert!(html.contains("Créer un point de deal à partir de ce signalement"));
    assert!(
        html.contains("value=\"Hall du bâtiment B, cité des Lilas\""),
        "label prefilled"
    );

    // The photo, served as a JPEG with its metadata removed, never cached.
    let photo = id_after(html, &format!("/signalements/{report}/photos/"));
    let token = app.login("analyste.cross13").await;
    let image = raw_get(
        &app,
        &token,
        &format!("/signalements/{report}/photos/{photo}"),
    )
    .await;
    assert_eq!(image.status, 200);
    assert_eq!(image.headers["content-type"], "image/jpeg");
    assert_eq!(image.headers["cache-control"], "private, no-store");
    let agent_token = app.login("agent.marseille").await;
    let hidden = raw_get(
        &app,
        &agent_token,
        &format!("/signalements/{report}/photos/{photo}"),
    )
    .await;
    assert_eq!(hidden.status, 403);

    // A status change needs a motivation, and goes to the history.
    let status = format!("/signalements/{report}/statut");
    let missing = cross
        .post(
            &status,
            &[
                ("motif", MOTIF),
                ("statut", "to_qualify"),
                ("motivation", " "),
            ],
        )
        .await;
    assert_eq!(missing.status, 422);
    assert!(missing
        .text
        .contains("Une motivation est obligatoire pour changer le statut."));
    assert!(
        missing.text.contains("statut-motivation-erreur"),
        "tied to its field"
    );
    let changed = cross
        .post(
            &status,
            &[
                ("motif", MOTIF),
                ("statut", "to_qualify"),
                ("motivation", "À recouper avec le signalement du riverain"),
            ],
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert!(changed.text.contains("Statut changé : « À qualifier »."));
    assert!(changed.text.contains("class=\"transition\""));
    assert!(changed
        .text
        .contains("À recouper avec le signalement du riverain"));
    assert!(changed.text.contains("analyste.cross13"));

    // A message to the reporter, an internal note.
    let message = cross
        .post(
            &format!("/signalements/{report}/messages"),
            &[
                ("motif", MOTIF),
                (
                    "texte",
                    "Merci : votre signalement est en cours d'examen. La CROSS.",
                ),
            ],
        )
        .await;
    assert!(message.text.contains("Message envoyé au déclarant."));
    let note = cross
        .post(
            &format!("/signalements/{report}/notes"),
            &[("motif", MOTIF), ("texte", "Hall déjà cité en 2025.")],
        )
        .await;
    assert!(note.text.contains("Note interne enregistrée."));
    assert!(note.text.contains("Hall déjà cité en 2025."));

    // The partner sees the coarse status and the message, never the note.
    let partner = sign_in(&app, "partenaire.bailleur").await;
    let follow = partner.get("/partenaire/signalements").await;
    assert!(follow.text.contains("En cours d&#39;examen"));
    assert!(follow
        .text
        .contains("Merci : votre signalement est en cours d&#39;examen. La CROSS."));
    assert!(!follow.text.contains("Hall déjà cité"));
    assert!(
        follow.text.contains("moins de 5"),
        "the digest hides small counts"
    );
    assert!(follow
        .text
        .contains("zéro compris, est affiché « moins de 5 »"));

    // A dealing point created from the report, which is attached to it.
    let created = cross
        .post(
            &format!("/signalements/{report}/point"),
            &[
                ("motif", MOTIF),
                ("libelle", "Hall B, cité des Lilas"),
                ("lat", "43.34150"),
                ("lon", "5.42700"),
            ],
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.text);
    assert!(created
        .text
        .contains("Point de deal créé ; le signalement y est rattaché."));
    assert!(created.text.contains("Rattaché à un point de deal"));
    let point = id_after(&created.text, "href=\"/points-de-deal/");

    // The map's table and data, the point's page.
    let points = cross.get("/points-de-deal").await;
    assert_eq!(points.status, 200, "{}", points.text);
    assert!(points.text.contains("id=\"carte-points\""));
    assert!(points.text.contains("/assets/vigie/points.js"));
    assert!(points.text.contains(&format!(
        "href=\"/points-de-deal/{point}\">Hall B, cité des Lilas</a>"
    )));
    assert!(points.text.contains("Marseille (13)"));
    assert!(points.text.contains(">Signalé</p>"));
    let data = raw_get(&app, &token, "/points-de-deal/donnees?zone=13").await;
    assert_eq!(data.status, 200);
    assert_eq!(data.body["points"][0]["label"], "Hall B, cité des Lilas");
    assert_eq!(data.body["points"][0]["status"], "reported");
    assert_eq!(data.body["points"][0]["reports"], 1);
    let point_page = cross.get(&format!("/points-de-deal/{point}")).await;
    assert_eq!(point_page.status, 200);
    assert!(point_page.text.contains("<h1>Hall B, cité des Lilas</h1>"));
    assert!(point_page
        .text
        .contains(&format!("href=\"/signalements/{report}\"")));
    assert!(point_page.text.contains("id=\"formulaire-statut-point\""));

    // The point's lifecycle: a motivation is needed, the history keeps it.
    let refused = cross
        .post(
            &format!("/points-de-deal/{point}/statut"),
            &[("statut", "confirmed"), ("motivation", "")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.text.contains("Une motivation est obligatoire"));
    let confirmed = cross
        .post(
            &format!("/points-de-deal/{point}/statut"),
            &[
                ("statut", "confirmed"),
                ("motivation", "Observation du 23/11 par la BST"),
            ],
        )
        .await;
    assert_eq!(confirmed.status, 303);
    let point_page = cross
        .get(&format!("/points-de-deal/{point}?avis=statut"))
        .await;
    assert!(point_page.text.contains("Statut du point changé."));
    assert!(point_page.text.contains("Observation du 23/11 par la BST"));
    let operation = cross
        .post(
            &format!("/points-de-deal/{point}/operations"),
            &[
                ("date", "2026-11-20"),
                ("type", "seizure"),
                ("note", "12 barrettes"),
            ],
        )
        .await;
    assert_eq!(operation.status, 303);
    let price = cross
        .post(
            &format!("/points-de-deal/{point}/prix"),
            &[
                ("produit", "Résine"),
                ("prix", "10"),
                ("unite", ""),
                ("date", "2026-11-20"),
            ],
        )
        .await;
    assert_eq!(price.status, 422, "a price needs its unit");
    assert!(price.text.contains("Indiquez l&#39;unité du prix"));
    let hours = cross
        .post(
            &format!("/points-de-deal/{point}/horaires"),
            &[
                ("jours", "friday"),
                ("jours", "saturday"),
                ("creneaux", "evening"),
            ],
        )
        .await;
    assert_eq!(hours.status, 303);
    let point_page = cross.get(&format!("/points-de-deal/{point}")).await;
    assert!(point_page.text.contains("20/11/2026</strong> — Saisie"));
    assert!(point_page.text.contains("vendredi, samedi"));

    // The resident's report now has the point as a candidate, and is attached to it.
    let cross_actor = actor(&app, "analyste.cross13").await;
    let queue = app
        .engine
        .report_queue(&cross_actor, &vigie_engine::QueueFilter::default(), &ctx())
        .await
        .unwrap();
    let public = queue.iter().find(|summary| summary.public).unwrap().id;
    let page = cross
        .post(
            &format!("/signalements/{public}/consultation"),
            &[("motif", MOTIF)],
        )
        .await;
    assert!(page.text.contains(&format!("id=\"candidat-{point}\"")));
    assert!(page.text.contains("Rattacher à ce point"));
    let attached = cross
        .post(
            &format!("/signalements/{public}/statut"),
            &[
                ("motif", MOTIF),
                ("statut", "attached"),
                ("point", &point),
                ("motivation", "Même hall, mêmes horaires"),
            ],
        )
        .await;
    assert_eq!(attached.status, 200, "{}", attached.text);
    assert!(attached
        .text
        .contains("Signalement rattaché au point de deal."));
    assert!(attached.text.contains("Ce signalement y est rattaché"));

    // The partner sees « Traité », never the point.
    let follow = partner.get("/partenaire/signalements").await;
    assert!(follow.text.contains(">Traité</p>"));
    assert!(!follow.text.contains("Hall B, cité des Lilas") && !follow.text.contains("Rattaché"));
}

#[tokio::test]
async fn each_role_sees_only_what_it_may() {
    let app = app().await;
    let report = partner_sends_a_report(&app).await;
    let cross_actor = actor(&app, "analyste.cross13").await;
    let point = app
        .engine
        .create_point(
            &cross_actor,
            vigie_engine::NewPoint {
                label: "Parking de la tour C".to_owned(),
                pin: HALL,
                from_report: None,
            },
            &ctx(),
        )
        .await
        .unwrap();

    // A police agent of the département reads the points, not the reports, and changes nothing.
    let agent = sign_in(&app, "agent.marseille").await;
    let home = agent.get("/").await;
    assert!(
        home.text.contains("href=\"/points-de-deal\"")
            && !home.text.contains("href=\"/signalements\"")
    );
    let points = agent.get("/points-de-deal").await;
    assert_eq!(points.status, 200);
    assert!(points.text.contains("Parking de la tour C"));
    assert!(!points.text.contains("formulaire-creation-point"));
    let page = agent.get(&format!("/points-de-deal/{point}")).await;
    assert_eq!(page.status, 200);
    assert!(
        !page.text.contains("formulaire-statut-point")
            && !page.text.contains("formulaire-operation")
    );
    assert_eq!(agent.get("/signalements").await.status, 403);
    assert_eq!(
        agent.get(&format!("/signalements/{report}")).await.status,
        403
    );
    let change = agent
        .post(
            &format!("/points-de-deal/{point}/statut"),
            &[("statut", "confirmed"), ("motivation", "essai")],
        )
        .await;
    assert_eq!(change.status, 403);

    // The partner sees neither the points nor the queue.
    let partner = sign_in(&app, "partenaire.bailleur").await;
    let home = partner.get("/").await;
    assert!(home.text.contains("href=\"/partenaire/signalements\""));
    assert!(!home.text.contains("href=\"/points-de-deal\""));
    assert_eq!(partner.get("/points-de-deal").await.status, 403);
    assert_eq!(
        partner
            .get(&format!("/points-de-deal/{point}"))
            .await
            .status,
        403
    );
    assert_eq!(partner.get("/signalements").await.status, 403);
    let token = app.login("partenaire.bailleur").await;
    assert_eq!(
        raw_get(&app, &token, "/points-de-deal/donnees")
            .await
            .status,
        403
    );

    // Another département's CROSS sees neither the report nor the point.
    let paris = sign_in(&app, "analyste.cross-75").await;
    let queue = paris.get("/signalements").await;
    assert_eq!(queue.status, 200);
    assert!(!queue.text.contains(&report));
    assert!(queue.text.contains("la file est vide"));
    let hidden = paris
        .post(
            &format!("/signalements/{report}/consultation"),
            &[("motif", MOTIF)],
        )
        .await;
    assert_eq!(hidden.status, 404);
    assert_eq!(
        paris.get(&format!("/points-de-deal/{point}")).await.status,
        404
    );
    assert!(!paris
        .get("/points-de-deal")
        .await
        .text
        .contains("Parking de la tour C"));

    // OFAST chooses its area.
    let ofast = sign_in(&app, "analyste.ofast").await;
    let all = ofast.get("/signalements").await;
    assert!(all.text.contains(&report));
    assert!(all.text.contains("id=\"filtre-zone\""));
    let elsewhere = ofast
        .post("/signalements", &[("zone", "75"), ("statut", "ouverts")])
        .await;
    assert_eq!(elsewhere.status, 200);
    assert!(!elsewhere.text.contains(&report));
    assert!(elsewhere.text.contains("Paris (75)"));
    let here = ofast.get("/signalements?zone=13&statut=new").await;
    assert!(here.text.contains(&report));
    let points = ofast.get("/points-de-deal?zone=13").await;
    assert!(points.text.contains("Parking de la tour C"));
    assert!(!ofast
        .get("/points-de-deal?zone=75")
        .await
        .text
        .contains("Parking de la tour C"));
}

#[tokio::test]
async fn a_partner_report_with_faults_is_shown_again_with_each_fault_at_its_field() {
    let app = app().await;
    let partner = sign_in(&app, "partenaire.bailleur").await;
    let answer = partner
        .post_multipart(
            "/partenaire/signalements",
            &[
                ("categorie", ""),
                ("commune", "Marseille"),
                ("lieu", "Rue de la République"),
                ("description", "court"),
                ("personnes", "beaucoup"),
            ],
            ("photos", "", &[]),
        )
        .await;
    assert_eq!(answer.status, 422, "{}", answer.text);
    let html = &answer.text;
    assert!(html.contains("Le formulaire contient des erreurs"));
    assert!(html.contains("Choisissez ce que vous avez constaté."));
    assert!(html.contains("Le code commune comporte 5 caractères"));
    assert!(html.contains("Décrivez ce que vous avez observé (10 caractères au moins)."));
    assert!(html.contains("Indiquez un nombre entier de personnes"));
    assert!(
        html.contains("value=\"Rue de la République\""),
        "values kept"
    );
    let bad_photo = partner
        .post_multipart(
            "/partenaire/signalements",
            &[
                ("categorie", "stash"),
                ("commune", "13055"),
                ("description", "Des sacs déposés dans la cave chaque soir."),
            ],
            ("photos", "note.txt", b"pas une photo"),
        )
        .await;
    assert_eq!(bad_photo.status, 422, "{}", bad_photo.text);
    assert!(bad_photo
        .text
        .contains("Photo 1 : Format de photo non pris en charge"));
    assert!(bad_photo.text.contains("Choisissez-les de nouveau"));
}

#[tokio::test]
async fn a_dismantled_point_with_new_independent_reports_is_flagged_as_resurgent() {
    let app = app().await;
    let cross = sign_in(&app, "analyste.cross13").await;
    let created = cross
        .post(
            "/points-de-deal",
            &[
                ("libelle", "Hall B, cité des Lilas"),
                ("lat", "43.34150"),
                ("lon", "5.42700"),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.text);
    let location = created.headers["location"].to_str().unwrap().to_owned();
    let point = id_after(&location, "/points-de-deal/");
    for (to, why) in [
        ("confirmed", "Observation"),
        ("dismantled", "Opération du 23/11"),
    ] {
        let answer = cross
            .post(
                &format!("/points-de-deal/{point}/statut"),
                &[("statut", to), ("motivation", why)],
            )
            .await;
        assert_eq!(answer.status, 303, "{to}: {}", answer.text);
    }
    let page = cross.get(&format!("/points-de-deal/{point}")).await;
    assert!(page.text.contains(">Démantelé</p>"));
    assert!(!page.text.contains("banniere-resurgence"));

    // Two independent sources near it after the dismantling: a partner and a resident.
    app.clock.advance(time::Duration::hours(2));
    partner_sends_a_report(&app).await;
    public_report(
        &app,
        draft(
            "Ça revend devant le hall B depuis deux jours.",
            Some(NEAR_HALL),
        ),
    )
    .await;
    app.clock.advance(time::Duration::hours(1));

    let queue = cross.get("/signalements").await;
    assert!(queue.text.contains("id=\"resurgences\""), "{}", queue.text);
    assert!(queue
        .text
        .contains(&format!("href=\"/points-de-deal/{point}\"")));
    let page = cross.get(&format!("/points-de-deal/{point}")).await;
    assert!(page.text.contains("id=\"banniere-resurgence\""));
    assert!(
        page.text.contains("<option value=\"resurgent\" selected>"),
        "the move to « Résurgent » is proposed, not made"
    );
    assert!(page.text.contains(">Démantelé</p>"));
    let points = cross.get("/points-de-deal").await;
    assert!(points.text.contains("Résurgence présumée"));

    // The CROSS is told on its home page; the CROSS of Paris is not.
    let home = cross.get("/").await;
    assert!(
        home.text.contains("id=\"alerte-resurgences\""),
        "{}",
        home.text
    );
    assert!(home.text.contains(&format!(
        "<a href=\"/points-de-deal/{point}\">Hall B, cité des Lilas</a>"
    )));
    assert!(
        home.text.contains("démantelé le 23/11/2026"),
        "{}",
        home.text
    );
    let paris = sign_in(&app, "analyste.cross-75").await;
    let home = paris.get("/").await;
    assert!(home.text.contains("id=\"signalements-nouveaux\""));
    assert!(!home.text.contains("alerte-resurgences"));
}

/// The map's page renders its filters from the points it read (products without regard to case,
/// départements when there are several), marks each table row for the script, loads the cluster
/// and heat plugins; its data carries what the filters read.
#[tokio::test]
async fn the_points_map_offers_filters_and_its_data_carries_products_and_dates() {
    let app = app().await;
    let cross = sign_in(&app, "analyste.cross13").await;
    let created = cross
        .post(
            "/points-de-deal",
            &[
                ("libelle", "Hall B, cité des Lilas"),
                ("lat", "43.34150"),
                ("lon", "5.42700"),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.text);
    let location = created.headers["location"].to_str().unwrap().to_owned();
    let point = id_after(&location, "/points-de-deal/");
    for (product, day) in [
        ("Résine", "2026-11-20"),
        ("HERBE", "2026-11-22"),
        (" résine", "2026-11-21"),
    ] {
        let price = cross
            .post(
                &format!("/points-de-deal/{point}/prix"),
                &[
                    ("produit", product),
                    ("prix", "10"),
                    ("unite", "g"),
                    ("date", day),
                ],
            )
            .await;
        assert_eq!(price.status, 303, "{product}: {}", price.text);
    }
    app.clock.advance(time::Duration::days(1));
    let cross = sign_in(&app, "analyste.cross13").await; // the session ended overnight
    let confirmed = cross
        .post(
            &format!("/points-de-deal/{point}/statut"),
            &[("statut", "confirmed"), ("motivation", "Observation")],
        )
        .await;
    assert_eq!(confirmed.status, 303, "{}", confirmed.text);
    let operation = cross
        .post(
            &format!("/points-de-deal/{point}/operations"),
            &[("date", "2026-11-25"), ("type", "seizure"), ("note", "")],
        )
        .await;
    assert_eq!(operation.status, 303, "{}", operation.text);
    let quiet = cross
        .post(
            "/points-de-deal",
            &[
                ("libelle", "Parking de la tour C"),
                ("lat", "43.34200"),
                ("lon", "5.42800"),
            ],
        )
        .await;
    assert_eq!(quiet.status, 303, "{}", quiet.text);

    let token = app.login("analyste.cross13").await;
    let data = raw_get(&app, &token, "/points-de-deal/donnees?zone=13").await;
    assert_eq!(data.status, 200, "{}", data.text);
    assert_eq!(data.body["today"], "2026-11-24");
    let points = data.body["points"].as_array().unwrap();
    let busy = points.iter().find(|p| p["id"] == point.as_str()).unwrap();
    assert_eq!(busy["products"], serde_json::json!(["HERBE", "Résine"]));
    assert_eq!(busy["status"], "confirmed");
    assert_eq!(busy["status_since"], "2026-11-24");
    assert_eq!(busy["status_since_label"], "24/11/2026");
    assert_eq!(busy["last_activity"], "2026-11-25", "the operation's day");
    assert_eq!(busy["last_activity_label"], "25/11/2026");
    let other = points.iter().find(|p| p["id"] != point.as_str()).unwrap();
    assert_eq!(other["products"], serde_json::json!([]));
    assert_eq!(other["status_since"], "2026-11-24", "its creation");
    assert_eq!(other["last_activity"], "2026-11-24");

    let page = cross.get("/points-de-deal").await;
    assert_eq!(page.status, 200);
    let html = &page.text;
    assert!(html.contains("<form id=\"filtres-points\""), "{html}");
    assert!(html.contains("id=\"filtre-statut-active\" name=\"statut\" value=\"active\" checked"));
    assert!(html.contains("<option value=\"herbe\">HERBE</option>"));
    assert!(html.contains("<option value=\"résine\">Résine</option>"));
    assert!(!html.contains("<option value=\" résine\""));
    assert!(html.contains("id=\"filtre-activite\""));
    assert!(html.contains("id=\"filtre-depuis\""));
    assert!(html.contains("id=\"vue-chaleur\""));
    assert!(
        !html.contains("id=\"filtre-departement\""),
        "one département: nothing to choose"
    );
    assert!(html.contains(&format!("<tr class=\"point\" data-id=\"{point}\">")));
    assert!(html.contains("(<span data-compte=\"confirmed\">1</span>)"));
    assert!(html.contains("(<span data-compte=\"reported\">1</span>)"));
    for asset in [
        "/assets/leaflet-markercluster/MarkerCluster.css",
        "/assets/leaflet-markercluster/leaflet.markercluster.js",
        "/assets/leaflet-heat/leaflet-heat.js",
    ] {
        assert!(html.contains(asset), "{asset} is not linked");
        let answer = app.call("GET", asset, None, None).await;
        assert_eq!(answer.status, 200, "{asset}");
        assert!(answer.headers.contains_key("etag"), "{asset}");
    }
    for absent in [
        "/assets/leaflet-markercluster/../package.json",
        "/assets/leaflet-markercluster/MarkerCluster.Default.css",
        "/assets/leaflet-heat/leaflet-heat.js.map",
    ] {
        assert_eq!(app.call("GET", absent, None, None).await.status, 404);
    }

    // OFAST's national map offers the départements of the points it read.
    let paris = sign_in(&app, "analyste.cross-75").await;
    let elsewhere = paris
        .post(
            "/points-de-deal",
            &[
                ("libelle", "Sortie du métro"),
                ("lat", "48.88400"),
                ("lon", "2.35900"),
            ],
        )
        .await;
    assert_eq!(elsewhere.status, 303, "{}", elsewhere.text);
    let ofast = sign_in(&app, "analyste.ofast").await;
    let national = ofast.get("/points-de-deal").await;
    assert_eq!(national.status, 200);
    assert!(national.text.contains("id=\"filtre-departement\""));
    assert!(national
        .text
        .contains("<option value=\"13\">Bouches-du-Rhône (13)</option>"));
    assert!(national.text.contains("<option value=\"75\">"));
}
