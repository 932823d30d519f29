//! The HTML pages, in process: login and cookie, home by role, search and consultation with a
//! motif, hidden records as 404, the auditor's journal, administration, CSRF and same-origin checks,
//! the target file (registration, notices to both units, the inbox, checks, renewal, end, probing
//! alerts), and the security headers of every page. Assertions are on what users see, not on whole
//! pages.

// Test helpers outside `#[test]` functions may fail loudly too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::support::*;
use axum::body::Body;
use axum::http::Request;
use serde_json::json;

const HOST: &str = "vigie.test";
const MISSING_ID: &str = "00000000-0000-4000-8000-000000000000";

/// Percent-encodes a form value (application/x-www-form-urlencoded).
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

fn form_body(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut builder = Request::builder()
        .method("GET")
        .uri(path)
        .header("host", HOST)
        .header("accept", "text/html");
    if let Some(cookie) = cookie {
        builder = builder.header("cookie", format!("vigie_session={cookie}"));
    }
    builder.body(Body::empty()).unwrap()
}

fn post_from(
    path: &str,
    cookie: Option<&str>,
    fields: &[(&str, &str)],
    origin: &str,
) -> Request<Body> {
    let mut builder = Request::builder()
        .method("POST")
        .uri(path)
        .header("host", HOST)
        .header("origin", origin)
        .header("accept", "text/html")
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        builder = builder.header("cookie", format!("vigie_session={cookie}"));
    }
    builder.body(Body::from(form_body(fields))).unwrap()
}

fn post(path: &str, cookie: Option<&str>, fields: &[(&str, &str)]) -> Request<Body> {
    post_from(path, cookie, fields, &format!("http://{HOST}"))
}

/// Every HTML answer carries the CSP and is never cached.
fn assert_html_headers(answer: &Answer) {
    let csp = answer
        .headers
        .get("content-security-policy")
        .expect("CSP header")
        .to_str()
        .unwrap();
    assert!(
        csp.contains("default-src 'self'")
            && csp.contains("script-src 'self'")
            && csp.contains("style-src 'self'"),
        "{csp}"
    );
    assert_eq!(
        answer
            .headers
            .get("cache-control")
            .expect("cache-control")
            .to_str()
            .unwrap(),
        "no-store"
    );
    if answer.status != 303 {
        assert!(answer.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        assert!(answer.text.starts_with("<!doctype html>"), "a full page");
        assert!(answer.text.contains("<html lang=\"fr\">"));
        // No inline script or style: the CSP would block them.
        assert!(!answer.text.contains(" style=\""), "inline style attribute");
        assert!(
            !answer.text.contains("<script>") && !answer.text.contains("<style"),
            "inline script or style element"
        );
    }
}

/// The hidden `csrf` field of the page.
fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a csrf field") + marker.len();
    html[start..start + 64].to_owned()
}

pub(crate) struct Browser<'a> {
    app: &'a TestApp,
    cookie: String,
    csrf: String,
}

impl Browser<'_> {
    pub(crate) async fn get(&self, path: &str) -> Answer {
        let answer = self.app.send(get(path, Some(&self.cookie))).await;
        assert_html_headers(&answer);
        answer
    }

    /// A multipart form (text fields and one file), with the CSRF token, from the same origin.
    pub(crate) async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, &str, &[u8]),
    ) -> Answer {
        let boundary = "vigie-test-boundary-7e1f";
        let mut body = Vec::new();
        let mut fields = fields.to_vec();
        fields.push(("csrf", &self.csrf));
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        let (name, file_name, bytes) = file;
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let request = Request::builder()
            .method("POST")
            .uri(path)
            .header("host", HOST)
            .header("origin", format!("http://{HOST}"))
            .header("accept", "text/html")
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header("cookie", format!("vigie_session={}", self.cookie))
            .body(Body::from(body))
            .unwrap();
        let answer = self.app.send(request).await;
        assert_html_headers(&answer);
        answer
    }

    pub(crate) async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let mut fields = fields.to_vec();
        fields.push(("csrf", &self.csrf));
        let answer = self.app.send(post(path, Some(&self.cookie), &fields)).await;
        assert_html_headers(&answer);
        answer
    }

    /// A form posted like `post`, for an answer that may not be a page (a file to download).
    pub(crate) async fn post_for_file(&self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let mut fields = fields.to_vec();
        fields.push(("csrf", &self.csrf));
        self.app.send(post(path, Some(&self.cookie), &fields)).await
    }
}

pub(crate) async fn sign_in<'a>(app: &'a TestApp, username: &str) -> Browser<'a> {
    let answer = app
        .send(post(
            "/connexion",
            None,
            &[("username", username), ("password", PASSWORD)],
        ))
        .await;
    assert_eq!(answer.status, 303, "{username}: {}", answer.text);
    assert_eq!(answer.headers["location"], "/");
    let set_cookie = answer.headers["set-cookie"].to_str().unwrap();
    let cookie = set_cookie
        .strip_prefix("vigie_session=")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let home = app.send(get("/", Some(&cookie))).await;
    assert_eq!(home.status, 200, "{}", home.text);
    let csrf = csrf_of(&home.text);
    Browser { app, cookie, csrf }
}

/// An entity agent.marseille may see (found through the JSON API), with its caption.
async fn marseille_entity(app: &TestApp) -> (String, String) {
    let token = app.login("agent.marseille").await;
    let answer = app
        .call(
            "POST",
            "/api/v1/entities/search",
            Some(&token),
            Some(json!({"text": "a", "motif": "préparation du test", "limit": 5})),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let hit = &answer.body["hits"][0];
    (
        hit["id"].as_str().unwrap().to_owned(),
        hit["caption"].as_str().unwrap().to_owned(),
    )
}

fn escaped(text: &str) -> String {
    text.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

#[tokio::test]
async fn the_login_page_renders_in_dsfr_and_lists_the_demo_accounts() {
    let app = app().await;
    let answer = app.send(get("/connexion", None)).await;
    assert_eq!(answer.status, 200);
    assert_html_headers(&answer);
    let html = &answer.text;
    assert!(
        html.contains("République<br>Française"),
        "the Marianne block"
    );
    assert!(html.contains("fr-header__service-title\">Vigie<"));
    assert!(html.contains("class=\"fr-container"));
    assert!(html.contains("fr-footer"));
    assert!(
        html.contains("/assets/dsfr/dsfr.min.css")
            && html.contains("/assets/dsfr/utility/icons/icons.min.css")
    );
    assert!(html.contains("<script type=\"module\" src=\"/assets/dsfr/dsfr.module.min.js\">"));
    assert!(html.contains("<script nomodule src=\"/assets/dsfr/dsfr.nomodule.min.js\">"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no third-party address"
    );
    assert!(html.contains("Connexion à Vigie"));
    assert!(html.contains("name=\"username\"") && html.contains("name=\"password\""));
    assert!(html.contains("Mode démonstration"));
    assert!(
        html.contains("agent.marseille") && html.contains("auditeur") && html.contains(PASSWORD)
    );
    // Every linked stylesheet and script is served by Vigie itself.
    for path in [
        "/assets/dsfr/dsfr.min.css",
        "/assets/dsfr/utility/icons/icons.min.css",
        "/assets/dsfr/dsfr.module.min.js",
        "/assets/dsfr/favicon/favicon.svg",
    ] {
        assert_eq!(app.send(get(path, None)).await.status, 200, "{path}");
    }
}

#[tokio::test]
async fn a_bad_login_shows_the_same_error_and_sets_no_cookie() {
    let app = app().await;
    let wrong_password = app
        .send(post(
            "/connexion",
            None,
            &[("username", "agent.marseille"), ("password", "pas le bon")],
        ))
        .await;
    let no_account = app
        .send(post(
            "/connexion",
            None,
            &[
                ("username", "personne.inconnue"),
                ("password", "pas le bon"),
            ],
        ))
        .await;
    for answer in [&wrong_password, &no_account] {
        assert_eq!(answer.status, 422);
        assert_html_headers(answer);
        assert!(answer.headers.get("set-cookie").is_none());
        assert!(answer
            .text
            .contains("Identifiant ou mot de passe incorrect"));
        assert!(answer.text.contains("fr-input-group--error"));
        assert!(answer
            .text
            .contains("aria-describedby=\"mot-de-passe-messages\""));
        assert!(
            !answer.text.contains("pas le bon"),
            "the password is never echoed"
        );
    }
    assert_eq!(
        wrong_password
            .text
            .replace("agent.marseille\" autocomplete", "X\" autocomplete"),
        no_account
            .text
            .replace("personne.inconnue\" autocomplete", "X\" autocomplete"),
        "same page whether the account exists or not"
    );
    let empty = app
        .send(post(
            "/connexion",
            None,
            &[("username", ""), ("password", "")],
        ))
        .await;
    assert_eq!(empty.status, 422);
    assert!(
        empty.text.contains("Saisissez votre identifiant")
            && empty.text.contains("Saisissez votre mot de passe")
    );
}

#[tokio::test]
async fn a_good_login_sets_an_httponly_strict_cookie_and_logout_ends_the_session() {
    let app = app().await;
    let answer = app
        .send(post(
            "/connexion",
            None,
            &[("username", "agent.marseille"), ("password", PASSWORD)],
        ))
        .await;
    assert_eq!(answer.status, 303);
    assert_html_headers(&answer);
    let set_cookie = answer.headers["set-cookie"].to_str().unwrap();
    assert!(set_cookie.starts_with("vigie_session="), "{set_cookie}");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(
            set_cookie.contains(attribute),
            "{attribute} missing: {set_cookie}"
        );
    }
    assert!(
        !set_cookie.contains("Secure"),
        "not served over HTTPS in this test"
    );

    let browser = sign_in(&app, "agent.marseille").await;
    // Logged in, the login page sends home.
    assert_eq!(browser.get("/connexion").await.status, 303);
    let out = browser.post("/deconnexion", &[]).await;
    assert_eq!(out.status, 303);
    assert_eq!(out.headers["location"], "/connexion");
    assert!(out.headers["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    let after = browser.get("/").await;
    assert_eq!(
        after.status, 303,
        "the old cookie no longer opens a session"
    );
    assert_eq!(after.headers["location"], "/connexion");
}

#[tokio::test]
async fn without_a_session_pages_redirect_to_the_login_page() {
    let app = app().await;
    for path in [
        "/",
        "/recherche",
        "/journal",
        "/admin",
        "/objectifs",
        "/journal/alertes",
        &format!("/entites/{MISSING_ID}"),
        &format!("/objectifs/{MISSING_ID}"),
    ] {
        let answer = app.send(get(path, None)).await;
        assert_eq!(answer.status, 303, "{path}");
        assert_eq!(answer.headers["location"], "/connexion", "{path}");
        assert_html_headers(&answer);
    }
    let forged = app.send(get("/", Some("not-a-session"))).await;
    assert_eq!(forged.status, 303);
}

#[tokio::test]
async fn the_home_page_depends_on_the_role() {
    let app = app().await;
    let agent = sign_in(&app, "agent.marseille").await.get("/").await;
    assert!(
        agent.text.contains("Sophie Marchetti"),
        "display name in the header"
    );
    assert!(agent.text.contains("Se déconnecter"));
    assert!(agent.text.contains("id=\"formulaire-recherche\""));
    assert!(agent.text.contains("enregistrée au journal avec son motif"));
    assert!(!agent.text.contains("href=\"/journal\"") && !agent.text.contains("href=\"/admin\""));

    let auditor = sign_in(&app, "auditeur").await.get("/").await;
    assert!(auditor.text.contains("href=\"/journal\""));
    assert!(
        !auditor.text.contains("formulaire-recherche")
            && !auditor.text.contains("href=\"/recherche\"")
    );

    let admin = sign_in(&app, "admin").await.get("/").await;
    assert!(admin.text.contains("href=\"/admin\""));
    assert!(
        !admin.text.contains("formulaire-recherche") && !admin.text.contains("href=\"/recherche\"")
    );
    assert!(!admin.text.contains("href=\"/journal\""));

    let partner = sign_in(&app, "partenaire.bailleur").await.get("/").await;
    assert!(partner.text.contains("href=\"/partenaire/signalements\""));
    assert!(!partner.text.contains("formulaire-recherche"));
}

#[tokio::test]
async fn a_search_needs_a_motif_and_shows_results_linking_to_entities() {
    let app = app().await;
    let (_, caption) = marseille_entity(&app).await;
    let browser = sign_in(&app, "agent.marseille").await;
    assert_eq!(browser.get("/recherche").await.status, 200);

    let no_motif = browser
        .post(
            "/recherche",
            &[("texte", &caption), ("type", ""), ("motif", "")],
        )
        .await;
    assert_eq!(no_motif.status, 422);
    assert!(no_motif.text.contains("Indiquez le motif de la recherche"));
    assert!(no_motif.text.contains("fr-input-group--error"));
    assert!(no_motif.text.contains("id=\"motif-erreur\""));
    assert!(!no_motif.text.contains("id=\"resultats\""));

    let found = browser
        .post(
            "/recherche",
            &[
                ("texte", &caption),
                ("type", ""),
                ("motif", "Procédure 2026/12"),
            ],
        )
        .await;
    assert_eq!(found.status, 200, "{}", found.text);
    assert!(found.text.contains("id=\"resultats\""));
    assert!(found.text.contains("Recherche enregistrée au journal (n°"));
    assert!(found.text.contains("href=\"/entites/"));
    assert!(
        found.text.contains(&escaped(&caption)),
        "the result is listed"
    );

    let bad_type = browser
        .post(
            "/recherche",
            &[
                ("texte", "x"),
                ("type", "Licorne"),
                ("motif", "Procédure 2026/12"),
            ],
        )
        .await;
    assert_eq!(bad_type.status, 422);
    assert!(
        bad_type.text.contains("Type d&#39;entité inconnu")
            || bad_type.text.contains("Type d'entité inconnu")
    );
}

#[tokio::test]
async fn an_entity_is_shown_only_after_a_motif_and_the_consultation_is_journaled() {
    let app = app().await;
    let (id, caption) = marseille_entity(&app).await;
    let browser = sign_in(&app, "agent.marseille").await;

    // GET: the motif form, the same for any id, revealing nothing.
    let real = browser.get(&format!("/entites/{id}")).await;
    let random = browser.get(&format!("/entites/{MISSING_ID}")).await;
    assert_eq!((real.status, random.status), (200, 200));
    assert!(real.text.contains("Motif de la consultation"));
    assert!(!real.text.contains(&escaped(&caption)));
    assert_eq!(
        real.text.replace(&id, "ID"),
        random.text.replace(MISSING_ID, "ID")
    );

    // POST without motif: the form again, with the error under the field, whatever the id.
    let short = browser
        .post(&format!("/entites/{id}"), &[("motif", " a ")])
        .await;
    let short_missing = browser
        .post(&format!("/entites/{MISSING_ID}"), &[("motif", " a ")])
        .await;
    assert_eq!((short.status, short_missing.status), (422, 422));
    assert!(short.text.contains("Indiquez le motif de la consultation"));
    assert!(
        short.text.contains("fr-input-group--error")
            && short.text.contains("aria-describedby=\"motif-messages\"")
    );
    assert_eq!(
        short.text.replace(&id, "ID"),
        short_missing.text.replace(MISSING_ID, "ID")
    );

    // POST with a motif: the entity, and the journal number of the consultation.
    let shown = browser
        .post(&format!("/entites/{id}"), &[("motif", "Procédure 2026/77")])
        .await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    assert!(shown.text.contains(&escaped(&caption)));
    assert!(shown.text.contains("Régime juridique") && shown.text.contains("Enregistré par"));
    let marker = "Consultation enregistrée au journal (n° ";
    let start = shown.text.find(marker).expect("the journal notice") + marker.len();
    let seq: u64 = shown.text[start..]
        .split(')')
        .next()
        .unwrap()
        .parse()
        .unwrap();

    // The auditor finds that very entry in the journal.
    let auditor = sign_in(&app, "auditeur").await;
    let journal = auditor.get("/journal?action=consult").await;
    assert_eq!(journal.status, 200, "{}", journal.text);
    assert!(journal
        .text
        .contains("La lecture du journal est elle-même enregistrée au journal"));
    let row_start = journal
        .text
        .find(&format!("<tr data-seq=\"{seq}\">"))
        .expect("the consultation's row");
    let row =
        &journal.text[row_start..row_start + journal.text[row_start..].find("</tr>").unwrap()];
    assert!(row.contains("Consultation"), "{row}");
    assert!(row.contains(&format!("entity:{id}")), "{row}");
    assert!(row.contains("Procédure 2026/77"), "{row}");
    assert!(row.contains("Autorisé"), "{row}");
    assert!(row.contains("SD-13"), "the unit by its code: {row}");
}

#[tokio::test]
async fn a_hidden_entity_gives_the_same_404_as_a_missing_one() {
    let app = app().await;
    let (id, caption) = marseille_entity(&app).await;
    let paris = sign_in(&app, "agent.paris").await;
    let hidden = paris
        .post(&format!("/entites/{id}"), &[("motif", "curiosité")])
        .await;
    let missing = paris
        .post(&format!("/entites/{MISSING_ID}"), &[("motif", "curiosité")])
        .await;
    assert_eq!((hidden.status, missing.status), (404, 404));
    assert!(hidden.text.contains("Introuvable"));
    assert!(!hidden.text.contains(&escaped(&caption)));
    assert_eq!(
        hidden.text, missing.text,
        "nothing tells a hidden record from a missing one"
    );
    let not_uuid = paris
        .post("/entites/pas-un-uuid", &[("motif", "curiosité")])
        .await;
    assert_eq!(not_uuid.status, 404);
}

#[tokio::test]
async fn roles_get_a_403_page_on_pages_they_may_not_use() {
    let app = app().await;
    let admin = sign_in(&app, "admin").await;
    for path in ["/recherche", "/journal", &format!("/entites/{MISSING_ID}")] {
        let answer = admin.get(path).await;
        assert_eq!(answer.status, 403, "{path}");
        assert!(
            answer
                .text
                .contains("Cette page n&#39;est pas accessible avec votre profil")
                || answer
                    .text
                    .contains("Cette page n'est pas accessible avec votre profil")
        );
    }
    let refused = admin
        .post("/recherche", &[("texte", "a"), ("motif", "curiosité")])
        .await;
    assert_eq!(refused.status, 403);

    let agent = sign_in(&app, "agent.marseille").await;
    assert_eq!(agent.get("/journal").await.status, 403);
    assert_eq!(agent.get("/admin").await.status, 403);
    let auditor = sign_in(&app, "auditeur").await;
    assert_eq!(auditor.get("/admin").await.status, 403);
    assert_eq!(
        auditor
            .post(&format!("/entites/{MISSING_ID}"), &[("motif", "curiosité")])
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn posts_without_the_csrf_token_or_from_another_origin_are_refused() {
    let app = app().await;
    let (id, caption) = marseille_entity(&app).await;
    let browser = sign_in(&app, "agent.marseille").await;
    let path = format!("/entites/{id}");

    let no_token = app
        .send(post(
            &path,
            Some(&browser.cookie),
            &[("motif", "Procédure 2026/77")],
        ))
        .await;
    assert_eq!(no_token.status, 403);
    assert_html_headers(&no_token);
    assert!(!no_token.text.contains(&escaped(&caption)));

    let wrong_token = app
        .send(post(
            &path,
            Some(&browser.cookie),
            &[("motif", "Procédure 2026/77"), ("csrf", &"0".repeat(64))],
        ))
        .await;
    assert_eq!(wrong_token.status, 403);

    // Another session's token does not fit this session.
    let other = sign_in(&app, "chef.marseille").await;
    let foreign = app
        .send(post(
            &path,
            Some(&browser.cookie),
            &[("motif", "Procédure 2026/77"), ("csrf", &other.csrf)],
        ))
        .await;
    assert_eq!(foreign.status, 403);

    let cross_origin = app
        .send(post_from(
            &path,
            Some(&browser.cookie),
            &[("motif", "Procédure 2026/77"), ("csrf", &browser.csrf)],
            "https://evil.example",
        ))
        .await;
    assert_eq!(cross_origin.status, 403);
    assert!(!cross_origin.text.contains(&escaped(&caption)));
    let cross_login = app
        .send(post_from(
            "/connexion",
            None,
            &[("username", "agent.marseille"), ("password", PASSWORD)],
            "https://evil.example",
        ))
        .await;
    assert_eq!(cross_login.status, 403);
    assert!(cross_login.headers.get("set-cookie").is_none());

    // The same request, with the token and from the same origin, works.
    let ok = browser.post(&path, &[("motif", "Procédure 2026/77")]).await;
    assert_eq!(ok.status, 200);
}

#[tokio::test]
async fn the_journal_pages_backwards_and_filters_by_action() {
    let app = app().await;
    let auditor = sign_in(&app, "auditeur").await;
    let first = auditor.get("/journal").await;
    assert_eq!(first.status, 200);
    assert!(first.text.contains("Date et heure (Paris)"));
    assert!(
        first.text.contains("Plus anciennes"),
        "the seeded journal has more than one page"
    );
    let older = auditor.get("/journal?avant=10").await;
    assert_eq!(older.status, 200);
    assert!(
        older.text.contains("<tr data-seq=\"9\">") && !older.text.contains("<tr data-seq=\"10\">")
    );
    assert!(older.text.contains("Plus récentes"));
    let logins = auditor.get("/journal?action=login").await;
    assert!(
        logins.text.contains("<td>Connexion</td>")
            && !logins.text.contains("<td>Enregistrement</td>")
    );
    assert_eq!(auditor.get("/journal?avant=abc").await.status, 400);
    assert_eq!(auditor.get("/journal?action=inconnue").await.status, 400);
}

#[tokio::test]
async fn the_administrator_lists_creates_and_disables_accounts() {
    let app = app().await;
    let admin = sign_in(&app, "admin").await;
    let page = admin.get("/admin").await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("agent.marseille") && page.text.contains("Sophie Marchetti"));
    assert!(page.text.contains("Enquêteur") && page.text.contains("SD-13"));
    assert!(page.text.contains("Votre compte"));

    // Validation errors are shown next to their fields.
    let bad = admin
        .post(
            "/admin/comptes",
            &[
                ("username", "x"),
                ("display_name", "Jean Test"),
                ("role", "agent"),
                ("unit", ""),
                ("password", "court"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text.contains("id=\"compte-unite-erreur\""));
    let unit_id = {
        let token = app.login("admin").await;
        let units = app
            .call("GET", "/api/v1/admin/units", Some(&token), None)
            .await;
        units
            .body
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["code"] == "SD-13")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let short = admin
        .post(
            "/admin/comptes",
            &[
                ("username", "jean.test"),
                ("display_name", "Jean Test"),
                ("role", "agent"),
                ("unit", &unit_id),
                ("password", "court"),
            ],
        )
        .await;
    assert_eq!(short.status, 422);
    assert!(short.text.contains("id=\"compte-mot-de-passe-erreur\""));
    assert!(short.text.contains("au moins 12 caractères"));

    let created = admin
        .post(
            "/admin/comptes",
            &[
                ("username", "jean.test"),
                ("display_name", "Jean Test"),
                ("role", "agent"),
                ("unit", &unit_id),
                ("password", "un mot de passe assez long"),
            ],
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.text);
    assert!(created.text.contains("Compte « jean.test » créé."));
    let again = admin
        .post(
            "/admin/comptes",
            &[
                ("username", "jean.test"),
                ("display_name", "Jean Test"),
                ("role", "agent"),
                ("unit", &unit_id),
                ("password", "un mot de passe assez long"),
            ],
        )
        .await;
    assert_eq!(again.status, 422);
    assert!(again.text.contains("id=\"compte-identifiant-erreur\""));

    // Disable agent.paris: its session ends at once.
    let paris = sign_in(&app, "agent.paris").await;
    let account_id = {
        let token = app.login("admin").await;
        let accounts = app
            .call("GET", "/api/v1/admin/accounts", Some(&token), None)
            .await;
        accounts
            .body
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["username"] == "agent.paris")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let disabled = admin
        .post(
            &format!("/admin/comptes/{account_id}/etat"),
            &[("etat", "desactive")],
        )
        .await;
    assert_eq!(disabled.status, 200, "{}", disabled.text);
    assert!(disabled.text.contains("Compte « agent.paris » désactivé"));
    assert_eq!(paris.get("/").await.status, 303);
    let enabled = admin
        .post(
            &format!("/admin/comptes/{account_id}/etat"),
            &[("etat", "active")],
        )
        .await;
    assert!(enabled.text.contains("Compte « agent.paris » réactivé."));
    assert_eq!(
        admin
            .post(
                &format!("/admin/comptes/{account_id}/etat"),
                &[("etat", "peut-etre")]
            )
            .await
            .status,
        400
    );

    // Units.
    let unit_error = admin
        .post(
            "/admin/unites",
            &[
                ("code", "BRIGADE-99"),
                ("name", "Brigade de test"),
                ("kind", "police"),
                ("departements", "13, 99"),
            ],
        )
        .await;
    assert_eq!(unit_error.status, 422);
    assert!(unit_error.text.contains("id=\"unite-departements-erreur\""));
    let unit = admin
        .post(
            "/admin/unites",
            &[
                ("code", "BRIGADE-84"),
                ("name", "Brigade de test"),
                ("kind", "gendarmerie"),
                ("departements", "13, 84"),
            ],
        )
        .await;
    assert_eq!(unit.status, 200, "{}", unit.text);
    assert!(unit.text.contains("Unité « BRIGADE-84 » créée.") && unit.text.contains("13, 84"));

    // Move agent.paris to the new unit: its sessions end, and the page says where it went.
    let paris = sign_in(&app, "agent.paris").await;
    let token = app.login("admin").await;
    let units = app
        .call("GET", "/api/v1/admin/units", Some(&token), None)
        .await;
    let brigade = units
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["code"] == "BRIGADE-84")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(unit
        .text
        .contains(&format!("action=\"/admin/comptes/{account_id}/unite\"")));
    let moved = admin
        .post(
            &format!("/admin/comptes/{account_id}/unite"),
            &[("unite", brigade.as_str())],
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert!(moved.text.contains(
        "Compte « agent.paris » rattaché à « Brigade de test » : ses sessions sont fermées."
    ));
    assert_eq!(paris.get("/").await.status, 303);
    let accounts = app
        .call("GET", "/api/v1/admin/accounts", Some(&token), None)
        .await;
    let moved_account = accounts
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["username"] == "agent.paris")
        .unwrap()
        .clone();
    assert_eq!(moved_account["unit"].as_str().unwrap(), brigade);
    assert_eq!(
        admin
            .post(
                &format!("/admin/comptes/{account_id}/unite"),
                &[("unite", "pas-une-unite")]
            )
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn unknown_pages_get_the_html_404() {
    let app = app().await;
    let answer = app.send(get("/nulle-part", None)).await;
    assert_eq!(answer.status, 404);
    assert_html_headers(&answer);
    assert!(answer.text.contains("Introuvable"));
}

#[tokio::test]
async fn the_map_page_is_in_every_menu_and_loads_only_vigie_assets() {
    let app = app().await;
    for username in [
        "agent.marseille",
        "auditeur",
        "admin",
        "partenaire.bailleur",
    ] {
        let browser = sign_in(&app, username).await;
        assert!(
            browser.get("/").await.text.contains("href=\"/carte\""),
            "{username}: no map in the menu"
        );
        let page = browser.get("/carte").await;
        assert_eq!(page.status, 200, "{username}");
        assert_html_headers(&page);
        assert!(page.text.contains("id=\"carte\""));
        assert!(page
            .text
            .contains("<script src=\"/assets/leaflet/leaflet.js\"></script>"));
        assert!(
            page.text.contains("Licence Ouverte"),
            "the data attribution is shown"
        );
    }
    for asset in [
        "/assets/leaflet/leaflet.js",
        "/assets/leaflet/leaflet.css",
        "/assets/leaflet/images/marker-icon.png",
        "/assets/vigie/carte.js",
        "/assets/vigie/carte.css",
    ] {
        let answer = app.send(get(asset, None)).await;
        assert_eq!(answer.status, 200, "{asset}");
    }
    assert_eq!(
        app.send(get("/assets/vigie/absent.js", None)).await.status,
        404
    );
    assert_eq!(
        app.send(get("/assets/leaflet/../package.json", None))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn an_external_base_layer_is_off_by_default_and_opens_one_origin_when_configured() {
    let app = app().await;
    let browser = sign_in(&app, "analyste.ofast").await;
    let page = browser.get("/carte").await;
    assert!(!page.text.contains("data-fond"));
    assert!(page.headers["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("img-src 'self' data:;"));

    let tiles = vigie_server::MapTiles::parse(
        "https://data.geopf.fr/tiles/{z}/{x}/{y}.png",
        "IGN Géoplateforme",
    )
    .unwrap();
    let with_tiles = vigie_server::app(
        app.engine.clone(),
        vigie_server::ServerConfig {
            max_body_bytes: 64 * 1024,
            secure_cookies: false,
            demo_accounts: Vec::new(),
            map_tiles: Some(tiles),
        },
    );
    let cookie = browser.cookie.clone();
    let answer = crate::support::read(
        tower::ServiceExt::oneshot(with_tiles.clone(), get("/carte", Some(&cookie)))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, 200);
    assert!(
        answer
            .text
            .contains("data-fond=\"https://data.geopf.fr/tiles/{z}/{x}/{y}.png\""),
        "{}",
        answer.text
    );
    assert!(answer.text.contains("Fond de carte : IGN Géoplateforme"));
    let csp = answer.headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("img-src 'self' data: https://data.geopf.fr;"),
        "{csp}"
    );
    assert!(
        csp.contains("script-src 'self';"),
        "only images may come from the tile server: {csp}"
    );
    // Other pages keep the strict policy.
    let home = crate::support::read(
        tower::ServiceExt::oneshot(with_tiles, get("/", Some(&cookie)))
            .await
            .unwrap(),
    )
    .await;
    assert!(!home.headers["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("geopf"));
}

#[tokio::test]
async fn the_login_page_says_how_long_to_wait_after_five_failures() {
    let app = app().await;
    for _ in 0..5 {
        let answer = app
            .send(post(
                "/connexion",
                None,
                &[("username", "agent.marseille"), ("password", "pas le bon")],
            ))
            .await;
        assert_eq!(answer.status, 422);
    }
    let answer = app
        .send(post(
            "/connexion",
            None,
            &[("username", "agent.marseille"), ("password", PASSWORD)],
        ))
        .await;
    assert_eq!(answer.status, 429);
    assert_html_headers(&answer);
    assert!(answer.headers.get("set-cookie").is_none());
    assert!(
        answer
            .text
            .contains("Trop de tentatives de connexion : réessayez dans 1 minute(s)."),
        "the wait is shown under the password field"
    );
    assert!(answer
        .text
        .contains("aria-describedby=\"mot-de-passe-messages\""));
}

/// The registration form's fields: a judicial target with one phone (in row `row`).
pub(crate) fn target_form<'a>(
    procedure: &'a str,
    contact: &'a str,
    row: &'a str,
    phone: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("procedure", procedure),
        ("regime", "judicial"),
        ("magistrat", "Mme Leroy, JIRS de Marseille"),
        ("enqueteur", contact),
        ("telephone", "04 91 00 00 02"),
        ("nom", ""),
        ("prenoms", ""),
        ("surnoms", ""),
        ("date_naissance", ""),
        ("lieu_naissance", ""),
        ("identifiant-1-type", "phone"),
        ("identifiant-1-valeur", row),
        ("identifiant-2-type", "phone"),
        ("identifiant-2-valeur", phone),
    ]
}

/// Sets a field of a form (the first value of a name is the one read).
fn set<'a>(fields: &mut Vec<(&'a str, &'a str)>, name: &'a str, value: &'a str) {
    match fields.iter_mut().find(|(key, _)| *key == name) {
        Some(field) => field.1 = value,
        None => fields.push((name, value)),
    }
}

/// Follows a 303 and returns the page it leads to.
pub(crate) async fn follow(browser: &Browser<'_>, answer: &Answer) -> Answer {
    assert_eq!(answer.status, 303, "{}", answer.text);
    let location = answer.headers["location"].to_str().unwrap().to_owned();
    browser.get(&location).await
}

/// The HTML element that starts with `id="{id}"`, up to the end of its first `</{tag}>`.
pub(crate) fn element<'t>(html: &'t str, id: &str, tag: &str) -> &'t str {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no element {id}"));
    let end = html[start..].find(&format!("</{tag}>")).unwrap() + start;
    &html[start..end]
}

#[tokio::test]
async fn two_units_registering_the_same_phone_are_told_who_to_call() {
    let app = app().await;
    let gendarme = sign_in(&app, "agent.gendarmerie").await;
    let home = gendarme.get("/").await;
    assert!(
        home.text.contains("href=\"/objectifs\""),
        "in the navigation"
    );

    let form = gendarme.get("/objectifs/nouveau").await;
    assert_eq!(form.status, 200);
    assert!(
        form.text.contains("id=\"identifiant-6-valeur\""),
        "six identifier rows"
    );
    assert!(form
        .text
        .contains("<option value=\"judicial\" selected>Judiciaire</option>"));
    assert!(form.text.contains("type=\"date\""));

    let registered = gendarme
        .post(
            "/objectifs/nouveau",
            &target_form("SR-2026-041", "Adjudant Morel", "", "06 11 22 33 44"),
        )
        .await;
    let page = follow(&gendarme, &registered).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("Objectif enregistré"));
    assert!(page.text.contains("23/11/2028"), "kept two years");
    assert!(
        page.text.contains("<code>+33611223344</code>"),
        "the canonical number"
    );
    assert!(!page
        .text
        .contains("Un autre service travaille sur cet objectif"));

    let list = gendarme.get("/objectifs").await;
    assert_eq!(list.status, 200);
    let table = element(&list.text, "table-objectifs", "table");
    assert!(
        table.contains("SR-2026-041") && table.contains("Judiciaire"),
        "{table}"
    );
    assert!(
        table.contains("23/11/2026") && table.contains("23/11/2028"),
        "{table}"
    );
    assert!(list.text.contains("Conflits signalés à mon unité : 0"));
    assert!(list.text.contains("deux ans après son enregistrement"));

    // The customs team registers the same number, typed differently.
    let douane = sign_in(&app, "agent.douane").await;
    let form = douane.get("/objectifs/nouveau").await;
    assert!(
        form.text
            .contains("<option value=\"customs\" selected>Douanier</option>"),
        "customs units default to the customs regime"
    );
    let mut fields = target_form("D-2026-7", "Inspectrice Roux", "", "+33 6 11 22 33 44");
    set(&mut fields, "regime", "customs");
    let registered = douane.post("/objectifs/nouveau", &fields).await;
    let page = follow(&douane, &registered).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let warning = element(&page.text, "alerte-conflit", "div");
    assert!(
        warning.contains("Un autre service travaille sur cet objectif"),
        "{warning}"
    );
    assert!(
        warning.contains("Section de recherches de Marseille"),
        "{warning}"
    );
    assert!(warning.contains("Adjudant Morel"), "{warning}");
    assert!(warning.contains("href=\"tel:+33491000002\"") && warning.contains("04 91 00 00 02"));
    assert!(warning.contains("Même téléphone"), "{warning}");
    assert!(page.text.contains("Enregistré avant vous"));
    assert!(
        !page.text.contains("SR-2026-041"),
        "nothing of the other file's content"
    );

    // The gendarmes' inbox shows the customs unit, which came second.
    let list = gendarme.get("/objectifs").await;
    assert!(list.text.contains("Conflits signalés à mon unité : 1"));
    assert!(list.text.contains("1 conflit(s)"));
    let inbox = gendarme.get("/objectifs/conflits").await;
    assert_eq!(inbox.status, 200);
    assert!(inbox
        .text
        .contains("Direction régionale des douanes de Marseille"));
    assert!(inbox.text.contains("Inspectrice Roux"));
    assert!(inbox.text.contains("Enregistré après vous"));
    assert!(
        inbox.text.contains("href=\"/objectifs/"),
        "links to the unit's own target"
    );
    assert!(!inbox.text.contains("D-2026-7"));

    // A check by a third unit finds the number without registering anything.
    let police = sign_in(&app, "agent.marseille").await;
    let checked = police
        .post(
            "/objectifs/verification",
            &[
                ("identifiant-1-type", "phone"),
                ("identifiant-1-valeur", "0611223344"),
            ],
        )
        .await;
    assert_eq!(checked.status, 200, "{}", checked.text);
    let result = element(&checked.text, "resultat-verification", "table");
    assert!(result.contains("Vérification inscrite au journal (n°"));
    assert!(result.contains("Section de recherches de Marseille"));
    assert!(result.contains("Direction régionale des douanes de Marseille"));
    let nothing = police
        .post(
            "/objectifs/verification",
            &[
                ("identifiant-1-type", "plate"),
                ("identifiant-1-valeur", "AB-123-CD"),
            ],
        )
        .await;
    assert!(
        nothing
            .text
            .contains("Aucun autre service n&#39;a enregistré ces éléments")
            || nothing
                .text
                .contains("Aucun autre service n'a enregistré ces éléments")
    );
    assert!(police
        .get("/objectifs")
        .await
        .text
        .contains("id=\"aucun-objectif\""));
}

#[tokio::test]
async fn an_invalid_iban_shows_the_form_again_with_the_error_on_its_row() {
    let app = app().await;
    let gendarme = sign_in(&app, "agent.gendarmerie").await;
    let mut fields = target_form("SR-2026-042", "Adjudant Morel", "06 11 22 33 44", "");
    set(&mut fields, "identifiant-3-type", "iban");
    set(
        &mut fields,
        "identifiant-3-valeur",
        "FR76 3000 6000 0112 3456 7890 188",
    );
    set(&mut fields, "nom", "Haddad");
    set(&mut fields, "date_naissance", "1990-02-11");
    let answer = gendarme.post("/objectifs/nouveau", &fields).await;
    assert_eq!(answer.status, 422, "{}", answer.text);
    assert!(answer.text.contains("Le formulaire contient des erreurs"));
    // Row 2 is empty: the IBAN is the second draft but stays on row 3.
    let error = element(&answer.text, "identifiant-3-erreur", "p");
    assert!(error.contains("IBAN invalide"), "{error}");
    assert!(answer
        .text
        .contains("aria-describedby=\"identifiant-3-messages\""));
    assert!(!answer.text.contains("id=\"identifiant-1-erreur\""));
    // Values are kept.
    assert!(answer.text.contains("value=\"SR-2026-042\""));
    assert!(answer
        .text
        .contains("value=\"FR76 3000 6000 0112 3456 7890 188\""));
    assert!(answer
        .text
        .contains("<option value=\"iban\" selected>IBAN</option>"));
    // The surname without given names: the engine's message under the given names.
    let given = element(&answer.text, "prenoms-erreur", "p");
    assert!(given.contains("Prénoms : champ obligatoire"), "{given}");

    // A birth date alone is not silently dropped.
    let mut fields = target_form("SR-2026-043", "Adjudant Morel", "", "");
    set(&mut fields, "date_naissance", "1990-02-11");
    let answer = gendarme.post("/objectifs/nouveau", &fields).await;
    assert_eq!(answer.status, 422);
    assert!(element(&answer.text, "nom-erreur", "p").contains("Nom : champ obligatoire"));

    let list = gendarme.get("/objectifs").await;
    assert!(
        list.text.contains("id=\"aucun-objectif\""),
        "nothing registered"
    );
}

#[tokio::test]
async fn units_that_do_not_investigate_have_no_target_pages() {
    let app = app().await;
    for username in ["analyste.cross13", "magistrat.jirs", "auditeur"] {
        let browser = sign_in(&app, username).await;
        let home = browser.get("/").await;
        assert!(!home.text.contains("href=\"/objectifs\""), "{username}");
        assert!(!home.text.contains(">Objectifs<"), "{username}");
        for path in [
            "/objectifs",
            "/objectifs/nouveau",
            "/objectifs/conflits",
            "/objectifs/verification",
            &format!("/objectifs/{MISSING_ID}"),
        ] {
            let answer = browser.get(path).await;
            assert_eq!(answer.status, 403, "{username} {path}");
            assert!(
                !answer.text.contains("href=\"/objectifs\""),
                "the error page keeps the navigation without targets"
            );
        }
        let refused = browser
            .post(
                "/objectifs/verification",
                &[
                    ("identifiant-1-type", "phone"),
                    ("identifiant-1-valeur", "0611223344"),
                ],
            )
            .await;
        assert_eq!(refused.status, 403, "{username}");
    }
}

#[tokio::test]
async fn another_units_target_is_as_missing_and_a_target_is_renewed_extended_and_ended() {
    let app = app().await;
    let gendarme = sign_in(&app, "agent.gendarmerie").await;
    let registered = gendarme
        .post(
            "/objectifs/nouveau",
            &target_form("SR-2026-044", "Adjudant Morel", "06 11 22 33 44", ""),
        )
        .await;
    let location = registered.headers["location"].to_str().unwrap().to_owned();
    let path = location.split('?').next().unwrap().to_owned();
    let id = path.strip_prefix("/objectifs/").unwrap().to_owned();

    // Another investigating unit: the same 404 as a missing target, on every page of it.
    let douane = sign_in(&app, "agent.douane").await;
    let hidden = douane.get(&path).await;
    let missing = douane.get(&format!("/objectifs/{MISSING_ID}")).await;
    assert_eq!((hidden.status, missing.status), (404, 404));
    assert_eq!(hidden.text, missing.text);
    assert!(!hidden.text.contains("SR-2026-044"));
    assert_eq!(douane.get("/objectifs/pas-un-uuid").await.status, 404);
    for action in ["identifiants", "renouvellement", "fin"] {
        let answer = douane
            .post(
                &format!("{path}/{action}"),
                &[
                    ("motivation", "Procédure toujours en cours"),
                    ("ajout-1-type", "phone"),
                    ("ajout-1-valeur", "0622334455"),
                ],
            )
            .await;
        assert_eq!(answer.status, 404, "{action}");
    }

    // Adding identifiers: errors on their row, then the success notice.
    let bad = gendarme
        .post(
            &format!("{path}/identifiants"),
            &[("ajout-2-type", "plate"), ("ajout-2-valeur", "AB-123-OU")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(element(&bad.text, "ajout-2-erreur", "p").contains("Immatriculation invalide"));
    let added = gendarme
        .post(
            &format!("{path}/identifiants"),
            &[("ajout-1-type", "plate"), ("ajout-1-valeur", "ab-123-cd")],
        )
        .await;
    let page = follow(&gendarme, &added).await;
    assert!(page.text.contains("Identifiants ajoutés"));
    assert!(page.text.contains("AB-123-CD"));

    // Renewal needs a motivation.
    let short = gendarme
        .post(
            &format!("{path}/renouvellement"),
            &[("motivation", "court")],
        )
        .await;
    assert_eq!(short.status, 422);
    assert!(element(&short.text, "motif-renouvellement-erreur", "p").contains("10 caractères"));
    let renewed = gendarme
        .post(
            &format!("{path}/renouvellement"),
            &[("motivation", "Commission rogatoire prolongée")],
        )
        .await;
    let page = follow(&gendarme, &renewed).await;
    assert!(page.text.contains("Objectif renouvelé"));
    assert!(page.text.contains("Commission rogatoire prolongée"));

    // The end of the procedure erases the target.
    let no_motif = gendarme
        .post(&format!("{path}/fin"), &[("motivation", "")])
        .await;
    assert_eq!(no_motif.status, 422);
    let ended = gendarme
        .post(&format!("{path}/fin"), &[("motivation", "Jugement rendu")])
        .await;
    assert_eq!(ended.headers["location"], "/objectifs?avis=fin");
    let list = follow(&gendarme, &ended).await;
    assert!(list.text.contains("Procédure close"));
    assert!(!list.text.contains(&id));
    assert_eq!(gendarme.get(&path).await.status, 404);
}

#[tokio::test]
async fn the_inspection_sees_repeated_checks() {
    let app = app().await;
    let police = sign_in(&app, "agent.marseille").await;
    for _ in 0..31 {
        let answer = police
            .post(
                "/objectifs/verification",
                &[
                    ("identifiant-1-type", "phone"),
                    ("identifiant-1-valeur", "0611223344"),
                ],
            )
            .await;
        assert_eq!(answer.status, 200);
    }
    let auditor = sign_in(&app, "auditeur").await;
    assert!(auditor
        .get("/journal")
        .await
        .text
        .contains("href=\"/journal/alertes\""));
    let alerts = auditor.get("/journal/alertes").await;
    assert_eq!(alerts.status, 200, "{}", alerts.text);
    let table = element(&alerts.text, "table-alertes", "table");
    assert!(table.contains("agent.marseille"), "{table}");
    assert!(table.contains("SD-13"), "{table}");
    assert!(table.contains("31"), "{table}");
    assert_eq!(police.get("/journal/alertes").await.status, 403);
}
