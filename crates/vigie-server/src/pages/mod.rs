//! Server-rendered pages in French, in the DSFR design system (askama templates under `templates/`).
//! Pages call the engine exactly as the API does; they add the session cookie, forms and CSRF tokens.
//!
//! Every page is a full HTML document that loads only Vigie's own assets (`/assets/dsfr/...`), with
//! no inline script or style, so that the strict CSP set by the middleware holds. Search terms and
//! motifs travel in POST bodies, never in URLs. A hidden record and a missing one give the same
//! 404 page; a page a role may never use gives a 403 page that names no record.

mod admin;
mod entities;
mod entity_facts;
mod format;
mod home;
mod import;
mod intel;
mod journal;
mod login;
mod map;
mod partner;
mod points;
mod public_reports;
mod reports;
mod session;
mod targets;
mod view;
mod watches;
mod workflows;

use crate::AppState;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use vigie_engine::EngineError;

use view::{ErrorPage, Layout, UserBar};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/connexion", get(login::login_form).post(login::login))
        .route("/deconnexion", post(login::logout))
        .route(
            "/recherche",
            get(entities::search_form).post(entities::search),
        )
        .route(
            "/entites/{id}",
            get(entities::motif_form).post(entities::consult),
        )
        .route("/entites/{id}/informations", post(entity_facts::add_fact))
        .route("/entites/{id}/fusions", post(entity_facts::merge))
        .route("/entites/{id}/defusion", post(entity_facts::unmerge))
        .route(
            "/renseignement",
            get(intel::search_form_page).post(intel::search),
        )
        .route(
            "/renseignement/nouveau",
            get(intel::new_form).post(intel::record),
        )
        .route("/renseignement/export", post(intel::export))
        .route(
            "/renseignement/elements/{id}",
            get(intel::motif_form).post(intel::consult),
        )
        .route(
            "/renseignement/elements/{id}/copie-epuree",
            post(intel::sanitise),
        )
        .route(
            "/renseignement/elements/{id}/autorisations",
            post(intel::permit),
        )
        .route("/veilles", get(watches::list).post(watches::create))
        .route("/veilles/{id}/vu", post(watches::seen))
        .route("/veilles/{id}/suppression", post(watches::delete))
        .route("/journal", get(journal::journal))
        .route("/journal/alertes", get(targets::alerts))
        .route("/objectifs", get(targets::list))
        .route(
            "/objectifs/nouveau",
            get(targets::new_form).post(targets::register),
        )
        .route("/objectifs/conflits", get(targets::inbox))
        .route(
            "/objectifs/verification",
            get(targets::check_form_page).post(targets::check),
        )
        .route("/objectifs/{id}", get(targets::show))
        .route(
            "/objectifs/{id}/identifiants",
            post(targets::add_identifiers),
        )
        .route("/objectifs/{id}/renouvellement", post(targets::renew))
        .route("/objectifs/{id}/fin", post(targets::end))
        .route("/objectifs/{id}/arbitrage", post(workflows::refer))
        .route("/objectifs/{id}/priorite", post(targets::nominate))
        .route("/objectifs/{id}/resultats", post(targets::add_outcome))
        .route("/objectifs/prioritaires", get(workflows::priority_list))
        .route(
            "/objectifs/prioritaires/{id}/decision",
            post(workflows::priority_decision),
        )
        .route(
            "/objectifs/prioritaires/{id}/revue",
            post(workflows::priority_review),
        )
        .route(
            "/objectifs/prioritaires/{id}/resultats",
            post(workflows::priority_outcome),
        )
        .route(
            "/operations",
            get(workflows::operations).post(workflows::declare),
        )
        .route("/operations/{id}/annulation", post(workflows::cancel))
        .route("/arbitrages", get(workflows::arbitrations))
        .route("/arbitrages/{id}", get(workflows::case))
        .route("/arbitrages/{id}/decision", post(workflows::decide))
        .route("/carte", get(map::map))
        // Reports triage, dealing points, partners.
        .route("/signalements", get(reports::queue).post(reports::filter))
        .route("/signalements/{id}", get(reports::motif_form))
        .route("/signalements/{id}/consultation", post(reports::consult))
        .route("/signalements/{id}/photos/{photo}", get(reports::photo))
        .route("/signalements/{id}/statut", post(reports::change_status))
        .route("/signalements/{id}/notes", post(reports::add_note))
        .route("/signalements/{id}/messages", post(reports::send_message))
        .route("/signalements/{id}/point", post(reports::create_point))
        .route("/points-de-deal", get(points::list).post(points::create))
        .route("/points-de-deal/donnees", get(points::data))
        .route("/points-de-deal/{id}", get(points::show))
        .route("/points-de-deal/{id}/statut", post(points::change_status))
        .route(
            "/points-de-deal/{id}/operations",
            post(points::add_operation),
        )
        .route("/points-de-deal/{id}/prix", post(points::add_price))
        .route("/points-de-deal/{id}/horaires", post(points::set_hours))
        .route("/points-de-deal/{id}/deplacement", post(points::moved))
        .route(
            "/partenaire/signalements",
            get(partner::list)
                .post(partner::submit)
                .layer(axum::extract::DefaultBodyLimit::max(
                    partner::MAX_PARTNER_REPORT_BYTES,
                )),
        )
        .route(
            "/entites/import",
            get(import::form)
                .post(import::import)
                .layer(axum::extract::DefaultBodyLimit::max(
                    import::MAX_IMPORT_BYTES,
                )),
        )
        .route("/admin", get(admin::admin))
        .route("/admin/comptes", post(admin::create_account))
        .route("/admin/comptes/{id}/etat", post(admin::set_state))
        .route("/admin/comptes/{id}/unite", post(admin::move_account))
        .route("/admin/unites", post(admin::create_unit))
        // Residents' public report pages: no session, no cookie.
        .route(
            "/signaler",
            get(public_reports::form)
                .post(public_reports::submit)
                .layer(axum::extract::DefaultBodyLimit::max(
                    public_reports::MAX_REPORT_BYTES,
                )),
        )
        .route("/signaler/defi", get(public_reports::challenge))
        .route("/signaler/communes", post(public_reports::communes))
        .route(
            "/suivi",
            get(public_reports::follow_form).post(public_reports::follow),
        )
        .route("/suivi/complement", post(public_reports::add))
}

/// The 404 page of unknown addresses (no session needed, nothing revealed).
pub fn not_found_page() -> Response {
    PageError::new(ErrorKind::NotFound).into_response()
}

/// Renders a template with a status; a template failure becomes a bare 500 page.
fn render<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(%error, "page template failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html("<!doctype html><html lang=\"fr\"><title>Erreur interne — Vigie</title><h1>Erreur interne</h1></html>"),
            )
                .into_response()
        }
    }
}

/// What went wrong, as the pages show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// No (valid) session: go to the login page.
    Login,
    /// The role may never use this page.
    Forbidden,
    /// The form carries no valid anti-forgery token, or comes from another origin.
    Csrf,
    /// Missing, or hidden by the policy (indistinguishable on purpose).
    NotFound,
    BadRequest,
    PayloadTooLarge,
    Conflict(String),
    /// The journal entry could not be written: nothing was shown.
    JournalUnavailable,
    Unavailable,
    Internal,
}

/// An error page, with the header of the signed-in account when there is one.
#[derive(Debug)]
pub struct PageError {
    pub kind: ErrorKind,
    /// Boxed: errors travel in `Result`s and should stay small.
    user: Option<Box<UserBarData>>,
}

/// What the header needs to show the account on an error page.
#[derive(Clone, Debug)]
struct UserBarData {
    display_name: String,
    unit: String,
    unit_name: String,
    role: String,
    csrf: String,
    nav: Vec<(&'static str, &'static str)>,
}

impl PageError {
    pub fn new(kind: ErrorKind) -> Self {
        Self { kind, user: None }
    }

    fn texts(&self) -> (StatusCode, &'static str, String) {
        match &self.kind {
            ErrorKind::Login => (StatusCode::SEE_OTHER, "Connexion requise", "Connectez-vous pour continuer.".to_owned()),
            ErrorKind::Forbidden => (
                StatusCode::FORBIDDEN,
                "Accès refusé",
                "Cette page n'est pas accessible avec votre profil.".to_owned(),
            ),
            ErrorKind::Csrf => (
                StatusCode::FORBIDDEN,
                "Formulaire refusé",
                "Ce formulaire a expiré ou provient d'un autre site : rechargez la page et recommencez.".to_owned(),
            ),
            ErrorKind::NotFound => (StatusCode::NOT_FOUND, "Introuvable", "La page ou la fiche demandée est introuvable.".to_owned()),
            ErrorKind::BadRequest => (StatusCode::BAD_REQUEST, "Requête invalide", "La requête est mal formée.".to_owned()),
            ErrorKind::PayloadTooLarge => {
                (StatusCode::PAYLOAD_TOO_LARGE, "Formulaire trop volumineux", "Les données envoyées sont trop volumineuses.".to_owned())
            }
            ErrorKind::Conflict(message) => (StatusCode::CONFLICT, "Conflit", format!("L'opération est en conflit avec l'état actuel des données : {message}")),
            ErrorKind::JournalUnavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Journal indisponible : consultation refusée",
                "Le journal des consultations ne peut pas être écrit : aucune donnée n'est affichée tant qu'il est indisponible. Réessayez dans quelques instants.".to_owned(),
            ),
            ErrorKind::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Service indisponible",
                "La base de données est indisponible. Réessayez dans quelques instants.".to_owned(),
            ),
            ErrorKind::Internal => (StatusCode::INTERNAL_SERVER_ERROR, "Erreur interne", "Une erreur interne est survenue.".to_owned()),
        }
    }
}

impl From<EngineError> for PageError {
    fn from(error: EngineError) -> Self {
        let kind = match &error {
            EngineError::Unauthenticated
            | EngineError::BadCredentials
            | EngineError::TooManyAttempts { .. } => ErrorKind::Login,
            EngineError::Forbidden => ErrorKind::Forbidden,
            EngineError::NotFound => ErrorKind::NotFound,
            EngineError::MotifRequired | EngineError::Invalid(_) | EngineError::ProofOfWork(_) => {
                ErrorKind::BadRequest
            }
            EngineError::Conflict(message) => ErrorKind::Conflict(message.clone()),
            EngineError::JournalUnavailable(_) => ErrorKind::JournalUnavailable,
            EngineError::Unavailable(_) | EngineError::Corrupt(_) => ErrorKind::Unavailable,
            EngineError::Config(_) | EngineError::Internal(_) => ErrorKind::Internal,
        };
        if matches!(
            kind,
            ErrorKind::JournalUnavailable | ErrorKind::Unavailable | ErrorKind::Internal
        ) {
            // The cause is for operators; store errors name no values.
            tracing::error!(cause = %format!("{error:?}"), "page request failed");
        }
        PageError::new(kind)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if self.kind == ErrorKind::Login {
            return session::to_login();
        }
        let (status, heading, message) = self.texts();
        let layout = match self.user {
            Some(user) => {
                let user = *user;
                Layout {
                    title: heading.to_owned(),
                    nav: session::nav_links(&user.nav, ""),
                    user: Some(UserBar {
                        display_name: user.display_name,
                        unit: user.unit,
                        unit_name: user.unit_name,
                        role: user.role,
                        csrf: user.csrf,
                    }),
                }
            }
            None => Layout::anonymous(heading),
        };
        let page = ErrorPage {
            layout,
            heading: heading.to_owned(),
            message,
            code_label: format!("Erreur {}", status.as_u16()),
        };
        render(status, &page)
    }
}

/// A result of a page handler.
pub type PageResult = Result<Response, PageError>;

/// 303 to another page.
fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    async fn page_of(error: EngineError) -> (StatusCode, String) {
        let response = PageError::from(error).into_response();
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map(|body| body.to_bytes())
            .unwrap_or_default();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    #[tokio::test]
    async fn engine_errors_become_french_pages() {
        let (status, html) = page_of(EngineError::JournalUnavailable("disk full".to_owned())).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(html.contains("Journal indisponible : consultation refusée"));
        assert!(
            !html.contains("disk full"),
            "internal causes are never shown"
        );

        let (status, html) = page_of(EngineError::Forbidden).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(html.contains("Cette page n&#39;est pas accessible avec votre profil"));

        let (status, html) = page_of(EngineError::NotFound).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(html.contains("Introuvable"));

        let (status, _) = page_of(EngineError::Unauthenticated).await;
        assert_eq!(status, StatusCode::SEE_OTHER);

        let (status, html) = page_of(EngineError::Internal("secret detail".to_owned())).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!html.contains("secret detail"));
    }

    #[tokio::test]
    async fn the_not_found_page_is_a_full_dsfr_page() {
        let response = not_found_page();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let bytes = response
            .into_body()
            .collect()
            .await
            .map(|body| body.to_bytes())
            .unwrap_or_default();
        let html = String::from_utf8_lossy(&bytes);
        assert!(html.contains("République<br>Française") && html.contains("Introuvable"));
        assert!(html.contains("/assets/dsfr/dsfr.min.css"));
    }
}
