//! `/signaler` and `/suivi`: a resident reads what is kept, solves the proof of work (as the page's
//! script does: SHA-256 of "{nonce}:{n}" with `bits` leading zero bits), sends a report with no
//! account and no cookie, gets a 16-digit receipt once, follows the report with it and adds
//! information. Assertions are on what the resident sees.

use crate::support::*;
use axum::body::Body;
use axum::http::Request;
use base64::Engine as _;
use sha2::{Digest, Sha256};

const HOST: &str = "vigie.test";
const DESCRIPTION: &str =
    "Des guetteurs au pied du bâtiment C tous les soirs, ventes devant le hall.";
/// A 1×1 PNG.
const PNG_1X1: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

fn encode(value: &str) -> String {
    let mut out = String::new();
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// What every answer of these pages must hold: no cookie set, never cached, a full French page
/// under the strict CSP without inline script or style.
fn assert_private_page(answer: &Answer) {
    assert!(
        answer.headers.get("set-cookie").is_none(),
        "a public report page set a cookie"
    );
    assert_eq!(answer.headers["cache-control"], "no-store");
    let csp = answer.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("style-src 'self'"));
    assert!(
        answer.text.starts_with("<!doctype html>"),
        "{}",
        answer.text
    );
    assert!(answer.text.contains("<html lang=\"fr\">"));
    assert!(!answer.text.contains(" style=\""), "inline style attribute");
    assert!(
        !answer.text.contains("<script>") && !answer.text.contains("<style"),
        "inline script or style"
    );
    assert!(answer.text.contains("/assets/vigie/signaler.js"));
}

async fn get(app: &TestApp, path: &str) -> Answer {
    let request = Request::builder()
        .method("GET")
        .uri(path)
        .header("host", HOST)
        .header("accept", "text/html")
        .body(Body::empty())
        .unwrap();
    let answer = app.send(request).await;
    assert_private_page(&answer);
    answer
}

async fn post_form(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> Answer {
    let body = fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let request = Request::builder()
        .method("POST")
        .uri(path)
        .header("host", HOST)
        .header("origin", format!("http://{HOST}"))
        .header("accept", "text/html")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let answer = app.send(request).await;
    assert_private_page(&answer);
    answer
}

/// The report form posted as the browser does (multipart), with photos as (file name, bytes).
async fn post_report(app: &TestApp, fields: &[(&str, &str)], photos: &[(&str, &[u8])]) -> Answer {
    let boundary = "vigie-test-boundary-5c2a";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    for (file_name, bytes) in photos {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"{file_name}\"\r\nContent-Type: image/png\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let request = Request::builder()
        .method("POST")
        .uri("/signaler")
        .header("host", HOST)
        .header("origin", format!("http://{HOST}"))
        .header("accept", "text/html")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    let answer = app.send(request).await;
    assert_private_page(&answer);
    answer
}

/// The value of the hidden input `name` of a page.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" ");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} field"));
    let rest = &html[start..];
    let value = rest.find("value=\"").unwrap() + "value=\"".len();
    let end = rest[value..].find('"').unwrap();
    rest[value..value + end].to_owned()
}

fn leading_zero_bits(hash: &[u8]) -> u32 {
    let mut bits = 0;
    for byte in hash {
        if *byte == 0 {
            bits += 8;
        } else {
            return bits + byte.leading_zeros();
        }
    }
    bits
}

fn solves(nonce: &str, bits: u32, n: u64) -> bool {
    leading_zero_bits(&Sha256::digest(format!("{nonce}:{n}"))) >= bits
}

/// What the page's script does: the smallest n such that SHA-256("{nonce}:{n}") has `bits`
/// leading zero bits, nonce and bits read from the token ("{nonce}.{bits}.{expires}.{mac}").
fn solve(token: &str) -> u64 {
    let mut parts = token.split('.');
    let nonce = parts.next().unwrap();
    let bits: u32 = parts.next().unwrap().parse().unwrap();
    (0..).find(|n| solves(nonce, bits, *n)).unwrap()
}

/// A number that does not solve the token's challenge.
fn wrong(token: &str) -> u64 {
    let mut parts = token.split('.');
    let nonce = parts.next().unwrap();
    let bits: u32 = parts.next().unwrap().parse().unwrap();
    (0..).find(|n| !solves(nonce, bits, *n)).unwrap()
}

/// A report's fields, with the token and solution given.
fn report_fields<'a>(
    token: &'a str,
    solution: &'a str,
    description: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("token", token),
        ("solution", solution),
        ("category", "lookouts"),
        ("commune_nom", "Marseille (Bouches-du-Rhône, 13)"),
        ("commune", "13055"),
        ("place", "Devant le hall du bâtiment C"),
        ("lat", ""),
        ("lon", ""),
        ("days", "friday"),
        ("days", "saturday"),
        ("slots", "evening"),
        ("since", "months"),
        ("description", description),
        ("people", "4"),
        ("vehicles", ""),
    ]
}

/// The receipt code shown on the confirmation page, as its text reads.
fn receipt_of(html: &str) -> String {
    let marker = "id=\"code-suivi\">";
    let start = html.find(marker).expect("a receipt code") + marker.len();
    let end = html[start..].find("</p>").unwrap();
    let mut text = String::new();
    let mut in_tag = false;
    for ch in html[start..start + end].chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            ch if !in_tag => text.push(ch),
            _ => {}
        }
    }
    text
}

/// Sends a valid report and returns its receipt as shown.
async fn send_report(app: &TestApp) -> String {
    let form = get(app, "/signaler").await;
    let token = hidden(&form.text, "token");
    let solution = solve(&token).to_string();
    let sent = post_report(app, &report_fields(&token, &solution, DESCRIPTION), &[]).await;
    assert_eq!(sent.status, 201, "{}", sent.text);
    receipt_of(&sent.text)
}

#[tokio::test]
async fn the_form_says_what_is_kept_and_carries_a_challenge() {
    let app = app().await;
    let page = get(&app, "/signaler").await;
    assert_eq!(page.status, 200);
    for promise in [
        "aucune adresse IP",
        "aucun identifiant de votre navigateur",
        "aucun cookie",
        "sans les minutes",
        "position GPS, appareil",
        "Évitez les photos prises depuis chez vous",
        "En cas d'urgence : 17 ou 112 (SMS 114)",
        "article 226-10 du code pénal",
        "dénonciation calomnieuse",
        "PHAROS",
        "Sauf mention contraire, tous les champs sont obligatoires.",
        "JPEG, PNG ou WebP, 10 Mo au plus par photo, 3 photos au plus",
        "Sans JavaScript, l'envoi reste possible",
    ] {
        assert!(page.text.contains(promise), "missing: {promise}");
    }
    assert!(page.text.contains("enctype=\"multipart/form-data\""));
    assert!(page.text.contains("autocomplete=\"off\""));
    assert!(page.text.contains("Quitter rapidement"));
    assert!(!page.text.contains("Utiliser ma position"));
    // Online sales are not offered: they go to PHAROS.
    assert!(!page.text.contains("value=\"online_sale\""));
    let token = hidden(&page.text, "token");
    assert_eq!(token.split('.').count(), 4, "{token}");
    assert!(page.text.contains("id=\"signaler-bits\" value=\"16\""));
    // The script's fresh challenge, the same shape.
    let fresh = app
        .send(
            Request::builder()
                .uri("/signaler/defi")
                .header("host", HOST)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(fresh.status, 200);
    assert!(fresh.headers.get("set-cookie").is_none());
    assert_eq!(fresh.body["bits"], 16);
    assert_ne!(fresh.body["token"].as_str().unwrap(), token);
    // The script's commune suggestions, posted.
    let communes = app
        .send(
            Request::builder()
                .method("POST")
                .uri("/signaler/communes")
                .header("host", HOST)
                .header("origin", format!("http://{HOST}"))
                .header("content-type", "application/json")
                .body(Body::from(r#"{"q": "Marseille"}"#))
                .unwrap(),
        )
        .await;
    assert_eq!(communes.status, 200, "{}", communes.text);
    assert!(communes.headers.get("set-cookie").is_none());
    assert!(
        communes.body["communes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["code"] == "13055"),
        "{}",
        communes.text
    );
    // The page's own script and style are served.
    for asset in ["/assets/vigie/signaler.js", "/assets/vigie/signaler.css"] {
        let answer = app
            .send(Request::builder().uri(asset).body(Body::empty()).unwrap())
            .await;
        assert_eq!(answer.status, 200, "{asset}");
    }
}

#[tokio::test]
async fn a_resident_reports_gets_a_receipt_and_follows_the_report() {
    let app = app().await;
    let form = get(&app, "/signaler").await;
    let token = hidden(&form.text, "token");
    let solution = solve(&token).to_string();
    let png = base64::engine::general_purpose::STANDARD
        .decode(PNG_1X1)
        .unwrap();
    let sent = post_report(
        &app,
        &report_fields(&token, &solution, DESCRIPTION),
        &[("IMG_20261123_081500.png", &png)],
    )
    .await;
    assert_eq!(sent.status, 201, "{}", sent.text);
    assert!(sent.text.contains("Votre signalement a été envoyé"));
    let code = receipt_of(&sent.text);
    let groups: Vec<&str> = code.split(' ').collect();
    assert_eq!(groups.len(), 4, "{code}");
    assert!(groups
        .iter()
        .all(|group| group.len() == 4 && group.bytes().all(|b| b.is_ascii_digit())));
    assert!(sent.text.contains("il ne sera plus affiché"));
    assert!(sent.text.contains("90 jours après votre dernière visite"));
    assert!(sent.text.contains(">Copier<") && sent.text.contains(">Imprimer<"));
    assert!(!sent.text.contains("guetteurs"), "the report is not echoed");

    // The same proof cannot be spent twice.
    let again = post_report(&app, &report_fields(&token, &solution, DESCRIPTION), &[]).await;
    assert_eq!(again.status, 422);
    assert!(again
        .text
        .contains("La vérification anti-robot est invalide."));

    // Following: the code typed as printed, or without spaces.
    let follow = get(&app, "/suivi").await;
    assert!(follow.text.contains("action=\"/suivi\""));
    let status = post_form(&app, "/suivi", &[("code", &code)]).await;
    assert_eq!(status.status, 200, "{}", status.text);
    assert!(status.text.contains("id=\"suivi-statut\">Reçu<"));
    assert!(status.text.contains("Reçu le 23/11/2026."));
    assert!(status.text.contains("Aucune réponse pour l'instant."));
    assert!(
        !status.text.contains("guetteurs"),
        "the report's text is never shown back"
    );
    assert!(!status.text.contains("bâtiment C"));
    let digits = code.replace(' ', "");
    let status = post_form(&app, "/suivi", &[("code", &digits)]).await;
    assert_eq!(status.status, 200);

    // Adding information: the code rides in a hidden field of the posted form.
    assert_eq!(hidden(&status.text, "code"), code);
    let added = post_form(
        &app,
        "/suivi/complement",
        &[
            ("code", &code),
            ("text", "Ils sont là aussi le dimanche midi."),
        ],
    )
    .await;
    assert_eq!(added.status, 200, "{}", added.text);
    assert!(added.text.contains("Votre complément a été transmis."));
    assert!(added.text.contains("Vous avez envoyé 1 complément."));
    assert!(
        !added.text.contains("dimanche midi"),
        "additions are not shown back"
    );

    let empty = post_form(
        &app,
        "/suivi/complement",
        &[("code", &code), ("text", "  ")],
    )
    .await;
    assert_eq!(empty.status, 422);
    assert!(empty
        .text
        .contains("aria-describedby=\"suivi-complement-messages\""));
    assert!(empty
        .text
        .contains("id=\"suivi-complement-erreur\">Le message est vide.</p>"));
    assert!(!empty.text.contains("Votre complément a été transmis."));

    // Once its hour is over the report reaches the CROSS, which takes it up and asks a question:
    // the resident sees a coarse status and the question, never what the CROSS decided.
    app.clock.advance(time::Duration::hours(2));
    let token = app.login("analyste.cross13").await;
    let analyst = app.engine.authenticate(&token).await.unwrap();
    let ctx = vigie_engine::RequestContext {
        request_id: "test".to_owned(),
    };
    let queue = app
        .engine
        .report_queue(&analyst, &vigie_engine::QueueFilter::default(), &ctx)
        .await
        .unwrap();
    assert_eq!(queue.len(), 1, "{queue:?}");
    let id = queue[0].id;
    app.engine
        .change_report_status(
            &analyst,
            id,
            vigie_reports::ReportStatus::ToQualify,
            "à recouper avec les patrouilles",
            None,
            &ctx,
        )
        .await
        .unwrap();
    app.engine
        .send_report_message(
            &analyst,
            id,
            "Merci. Vers quelle heure les voyez-vous le plus souvent ?",
            &ctx,
        )
        .await
        .unwrap();
    let status = post_form(&app, "/suivi", &[("code", &code)]).await;
    assert!(status
        .text
        .contains("id=\"suivi-statut\">En cours d&#39;examen<"));
    assert!(status
        .text
        .contains("Merci. Vers quelle heure les voyez-vous le plus souvent ?"));
    assert!(
        status.text.contains("Le 23/11/2026 12:00"),
        "{}",
        status.text
    );
    assert!(
        !status.text.contains("recouper"),
        "internal motivations are not shown"
    );
}

#[tokio::test]
async fn unknown_expired_and_mistyped_codes() {
    let app = app().await;
    let code = send_report(&app).await;
    let unknown = post_form(&app, "/suivi", &[("code", "0000 0000 0000 0000")]).await;
    assert_eq!(unknown.status, 404);
    assert!(unknown.text.contains("Code de suivi inconnu ou expiré."));
    let mistyped = post_form(&app, "/suivi", &[("code", "0612 3456")]).await;
    assert_eq!(mistyped.status, 422);
    assert!(mistyped
        .text
        .contains("Le code de suivi comporte 16 chiffres."));
    let addition = post_form(
        &app,
        "/suivi/complement",
        &[("code", "0000000000000000"), ("text", "Complément")],
    )
    .await;
    assert!(addition.text.contains("Code de suivi inconnu ou expiré."));
    assert!(!addition.text.contains("Votre complément a été transmis."));

    // Ninety days after its last use, the code opens nothing, with the same message.
    app.clock.advance(time::Duration::days(91));
    let expired = post_form(&app, "/suivi", &[("code", &code)]).await;
    assert_eq!(expired.status, 404);
    assert!(expired.text.contains("Code de suivi inconnu ou expiré."));
}

#[tokio::test]
async fn faults_are_shown_at_their_fields_and_values_are_kept() {
    let app = app().await;
    let form = get(&app, "/signaler").await;
    let token = hidden(&form.text, "token");
    let solution = solve(&token).to_string();

    // The engine's rule: the description is too short.
    let refused = post_report(&app, &report_fields(&token, &solution, "court"), &[]).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(refused.text.contains("Le signalement n'a pas été envoyé"));
    assert!(refused
        .text
        .contains("<a href=\"#signaler-description\">Décrivez ce que vous avez observé (10 caractères au moins).</a>"));
    assert!(refused
        .text
        .contains("aria-describedby=\"signaler-description-messages\""));
    assert!(refused.text.contains(
        "id=\"signaler-description-erreur\">Décrivez ce que vous avez observé (10 caractères au moins).</p>"
    ));
    assert!(refused
        .text
        .contains("fr-input-group fr-input-group--error"));
    // Values kept, and a fresh challenge.
    assert!(refused
        .text
        .contains("value=\"Devant le hall du bâtiment C\""));
    assert!(refused.text.contains(">court</textarea>"));
    assert!(refused.text.contains(
        "id=\"signaler-categorie-lookouts\" name=\"category\" value=\"lookouts\" checked"
    ));
    assert!(refused
        .text
        .contains("id=\"signaler-jour-friday\" name=\"days\" value=\"friday\" checked"));
    assert!(refused.text.contains("<option value=\"months\" selected>"));
    assert_ne!(hidden(&refused.text, "token"), token);

    // The form's own faults, all at once, before any proof is checked.
    let mut fields = report_fields("", "", "court");
    fields.retain(|(name, _)| *name != "category" && *name != "commune");
    fields.push(("people", "beaucoup"));
    fields.push(("lat", "43,29"));
    let refused = post_report(&app, &fields, &[]).await;
    assert_eq!(refused.status, 422);
    for (anchor, message) in [
        ("signaler-categorie", "Choisissez ce que vous avez observé."),
        ("signaler-description", "Décrivez ce que vous avez observé"),
        (
            "signaler-personnes",
            "Indiquez un nombre entier de personnes",
        ),
        ("signaler-latitude", "Indiquez la latitude et la longitude"),
    ] {
        assert!(
            refused
                .text
                .contains(&format!("<a href=\"#{anchor}\">{message}")),
            "{anchor}: {}",
            refused.text
        );
    }
    assert!(refused
        .text
        .contains("fr-fieldset fr-fieldset--error\" id=\"signaler-categorie\""));

    // A commune typed but not chosen in the list: found when it designates exactly one.
    let form = get(&app, "/signaler").await;
    let token = hidden(&form.text, "token");
    let solution = solve(&token).to_string();
    let mut fields = report_fields(&token, &solution, DESCRIPTION);
    fields.retain(|(name, _)| *name != "commune" && *name != "commune_nom");
    fields.push(("commune_nom", "Marseille"));
    let sent = post_report(&app, &fields, &[]).await;
    assert_eq!(sent.status, 201, "{}", sent.text);

    // A photo that is not one: its fault under the photo field.
    let form = get(&app, "/signaler").await;
    let token = hidden(&form.text, "token");
    let solution = solve(&token).to_string();
    let refused = post_report(
        &app,
        &report_fields(&token, &solution, DESCRIPTION),
        &[("note.png", b"pas une image")],
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(refused
        .text
        .contains("fr-upload-group fr-upload-group--error"));
    assert!(refused
        .text
        .contains("id=\"signaler-photos-erreur\">Photo 1 : "));
}

#[tokio::test]
async fn without_javascript_the_form_is_sent_after_a_wait() {
    let app = app().await;
    let form = get(&app, "/signaler").await;
    assert!(form.text.contains("<noscript>"));
    assert!(form
        .text
        .contains("le formulaire peut être envoyé 30 secondes après l'ouverture de cette page"));
    let token = hidden(&form.text, "token");
    // The commune typed in full, no code, no solution: what a browser without scripts sends.
    let mut fields: Vec<(&str, &str)> = report_fields(&token, "", DESCRIPTION)
        .into_iter()
        .filter(|(name, _)| *name != "commune" && *name != "commune_nom")
        .collect();
    fields.push(("commune_nom", "Aubagne"));
    let early = post_report(&app, &fields, &[]).await;
    assert_eq!(early.status, 422, "{}", early.text);
    assert!(early.text.contains("Envoi trop rapide"), "{}", early.text);
    assert!(early.text.contains(DESCRIPTION.split(',').next().unwrap()));

    app.clock.advance(time::Duration::seconds(31));
    let sent = post_report(&app, &fields, &[]).await;
    assert_eq!(sent.status, 201, "{}", sent.text);
    assert_eq!(receipt_of(&sent.text).replace(' ', "").len(), 16);
}

#[tokio::test]
async fn a_wrong_proof_is_refused_with_its_message() {
    let app = app().await;
    let form = get(&app, "/signaler").await;
    let token = hidden(&form.text, "token");
    let bad = wrong(&token).to_string();
    let refused = post_report(&app, &report_fields(&token, &bad, DESCRIPTION), &[]).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(refused
        .text
        .contains("La vérification anti-robot n&#39;est pas résolue."));
    assert!(refused
        .text
        .contains(DESCRIPTION.split(',').next().unwrap()));
    assert_ne!(hidden(&refused.text, "token"), token, "a fresh challenge");

    let unsolved = post_report(&app, &report_fields(&token, "abc", DESCRIPTION), &[]).await;
    assert_eq!(unsolved.status, 422);
    assert!(unsolved
        .text
        .contains("La vérification anti-robot n&#39;est pas résolue."));

    let forged = token.replacen(".16.", ".1.", 1);
    let solution = solve(&forged).to_string();
    let refused = post_report(&app, &report_fields(&forged, &solution, DESCRIPTION), &[]).await;
    assert_eq!(refused.status, 422);
    assert!(refused
        .text
        .contains("La vérification anti-robot est invalide."));
    // Nothing of these reached a receipt.
    assert!(!refused.text.contains("id=\"code-suivi\""));

    // A post from another site is refused before anything is read.
    let request = Request::builder()
        .method("POST")
        .uri("/suivi")
        .header("host", HOST)
        .header("origin", "https://ailleurs.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from("code=0000000000000000"))
        .unwrap();
    assert_eq!(app.send(request).await.status, 403);
}
