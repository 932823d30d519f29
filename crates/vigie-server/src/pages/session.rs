//! The browser session of the pages: the `vigie_session` cookie, the signed-in actor, the
//! anti-forgery token of its forms, the same-origin check of every POST, and the layout (header,
//! navigation) that follows from what the actor may do: its role, and for the target file its kind of
//! unit.
//!
//! The CSRF token is derived from the session token: `hex(SHA-256("vigie-csrf" || token))`. It needs
//! no server state, changes with every session, and cannot be computed by a page that cannot read
//! the (HttpOnly) cookie. It is compared in constant time.

use super::view::{Layout, NavLink, UserBar};
use super::{ErrorKind, PageError, UserBarData};
use crate::extract::{cookie, SESSION_COOKIE};
use crate::AppState;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use vigie_core::org::{Role, UnitKind};
use vigie_core::policy::{search_reach, unit_kind_allows, Action};
use vigie_engine::{Actor, EngineError};

/// The anti-forgery token of a session.
pub fn csrf_token(session_token: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"vigie-csrf");
    hasher.update(session_token.as_bytes());
    hex::encode(hasher.finalize())
}

/// Equality that takes the same time wherever the first difference is.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `Set-Cookie` value that opens the session in the browser.
pub fn session_cookie(token: &str, max_age_seconds: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{secure}",
        max_age_seconds.max(0)
    )
}

/// `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(secure: bool) -> String {
    session_cookie("", 0, secure)
}

/// 303 to the login page, dropping a stale session cookie.
pub fn to_login() -> Response {
    let mut response = Redirect::to("/connexion").into_response();
    if let Ok(value) = HeaderValue::from_str(&clear_cookie(false)) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// Whether `role` may perform `action` at all (on some object, or without one).
pub fn role_may(role: Role, action: Action) -> bool {
    search_reach(role, action).is_some()
}

/// Whether an account of `role` in a unit of `unit_kind` may perform `action` at all: the role's
/// rules, and the kinds of unit some actions are reserved to (the target file: investigating units
/// only). For actions without an object this is exactly what `policy::decide` answers.
pub fn subject_may(role: Role, unit_kind: UnitKind, action: Action) -> bool {
    role_may(role, action) && unit_kind_allows(action, unit_kind)
}

/// The navigation entries of an account: (href, label).
fn nav_for(role: Role, unit_kind: UnitKind) -> Vec<(&'static str, &'static str)> {
    let may = |action| subject_may(role, unit_kind, action);
    let mut nav = vec![("/", "Accueil")];
    if may(Action::SearchEntities) {
        nav.push(("/recherche", "Recherche"));
    }
    if may(Action::ConsultIntel) {
        nav.push(("/renseignement", "Renseignement"));
    }
    if may(Action::ConsultEntity) {
        nav.push(("/veilles", "Veilles"));
    }
    if may(Action::ReadTargets) {
        nav.push(("/objectifs", "Objectifs"));
    }
    if may(Action::PlanOperation) {
        nav.push(("/operations", "Opérations"));
    }
    if may(Action::ReferArbitration) || may(Action::DecideArbitration) {
        nav.push(("/arbitrages", "Arbitrages"));
    }
    if may(Action::DecidePriority) {
        nav.push(("/objectifs/prioritaires", "Objectifs prioritaires"));
    }
    if may(Action::TriageReports) {
        nav.push(("/signalements", "Signalements"));
    }
    if may(Action::ReadDealingPoints) {
        nav.push(("/points-de-deal", "Points de deal"));
    }
    if may(Action::SubmitReport) {
        nav.push(("/partenaire/signalements", "Mes signalements"));
    }
    if may(Action::ReadGeography) {
        nav.push(("/carte", "Carte"));
    }
    if may(Action::ReadJournal) {
        nav.push(("/journal", "Journal des consultations"));
    }
    if may(Action::ManageAccounts) {
        nav.push(("/admin", "Administration"));
    }
    nav
}

pub(super) fn nav_links(nav: &[(&'static str, &'static str)], current: &str) -> Vec<NavLink> {
    nav.iter()
        .map(|(href, label)| NavLink {
            href,
            label,
            current: *href == current,
        })
        .collect()
}

/// A signed-in browser session (cookie only: pages never take a Bearer token).
pub struct PageSession {
    pub actor: Actor,
    pub csrf: String,
}

impl FromRequestParts<AppState> for PageSession {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = cookie(parts, SESSION_COOKIE)
            .filter(|token| !token.is_empty())
            .ok_or_else(|| PageError::new(ErrorKind::Login))?;
        match state.engine.authenticate(&token).await {
            Ok(actor) => Ok(PageSession {
                csrf: csrf_token(&token),
                actor,
            }),
            Err(EngineError::Unauthenticated) => Err(PageError::new(ErrorKind::Login)),
            Err(error) => Err(PageError::from(error)),
        }
    }
}

impl PageSession {
    pub fn role(&self) -> Role {
        self.actor.role()
    }

    /// Whether the account may perform `action` at all (role, and kind of unit where it matters).
    pub fn may(&self, action: Action) -> bool {
        subject_may(self.role(), self.actor.unit.kind, action)
    }

    /// 403 unless the account may perform `action` at all.
    pub fn require(&self, action: Action) -> Result<(), PageError> {
        if self.may(action) {
            Ok(())
        } else {
            Err(self.fail(ErrorKind::Forbidden))
        }
    }

    /// Checks the `csrf` field of a posted form (constant time).
    pub fn check_csrf(&self, submitted: &str) -> Result<(), PageError> {
        if constant_time_eq(submitted.trim().as_bytes(), self.csrf.as_bytes()) {
            Ok(())
        } else {
            tracing::warn!(account = %self.actor.account.id, "form rejected: bad anti-forgery token");
            Err(self.fail(ErrorKind::Csrf))
        }
    }

    fn user_bar(&self) -> UserBar {
        UserBar {
            display_name: self.actor.account.display_name.clone(),
            unit: self.actor.unit.code.clone(),
            unit_name: self.actor.unit.name.clone(),
            role: self.role().label_fr().to_owned(),
            csrf: self.csrf.clone(),
        }
    }

    /// The layout of a page of this session; `current` is the href of the navigation entry to mark.
    pub fn layout(&self, title: impl Into<String>, current: &str) -> Layout {
        Layout {
            title: title.into(),
            user: Some(self.user_bar()),
            nav: nav_links(&nav_for(self.role(), self.actor.unit.kind), current),
        }
    }

    /// An error page that keeps this session's header.
    pub fn fail(&self, error: impl Into<PageError>) -> PageError {
        let mut error = error.into();
        let bar = self.user_bar();
        error.user = Some(Box::new(UserBarData {
            display_name: bar.display_name,
            unit: bar.unit,
            unit_name: bar.unit_name,
            role: bar.role,
            csrf: bar.csrf,
            nav: nav_for(self.role(), self.actor.unit.kind),
        }));
        error
    }
}

impl From<ErrorKind> for PageError {
    fn from(kind: ErrorKind) -> Self {
        PageError::new(kind)
    }
}

/// Whether a request comes from a page of this very origin.
///
/// `Sec-Fetch-Site`, when sent, must say `same-origin` (or `none`, for a request the user typed).
/// `Origin`, when present, must name the host the request was sent to, except that browsers send
/// `Origin: null` for their own same-origin form posts under `Referrer-Policy: no-referrer` (which
/// the security headers set): `null` is accepted only when `Sec-Fetch-Site: same-origin` vouches
/// for it.
pub fn same_origin(headers: &HeaderMap, authority: Option<&str>) -> bool {
    let fetch_site = match headers.get("sec-fetch-site").map(|value| value.to_str()) {
        None => None,
        Some(Ok(site @ ("same-origin" | "none"))) => Some(site),
        Some(_) => return false,
    };
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    if origin == "null" {
        return fetch_site == Some("same-origin");
    }
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .or(authority);
    let Some(host) = host else {
        return false;
    };
    origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .is_some_and(|rest| rest.eq_ignore_ascii_case(host))
}

/// Refuses (403 page) a POST that comes from another origin. Put it first in every POST handler.
pub struct SameOrigin;

impl<S: Send + Sync> FromRequestParts<S> for SameOrigin {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        if same_origin(&parts.headers, parts.uri.authority().map(|a| a.as_str())) {
            Ok(SameOrigin)
        } else {
            tracing::warn!(origin = ?parts.headers.get(header::ORIGIN), "form rejected: cross-origin post");
            Err(PageError::new(ErrorKind::Csrf))
        }
    }
}

/// A form-urlencoded body; failures become error pages (400, or 413 when too large).
pub struct PageForm<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequest<AppState> for PageForm<T> {
    type Rejection = PageError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(request, state).await {
            Ok(axum::Form(value)) => Ok(PageForm(value)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(PageError::new(ErrorKind::PayloadTooLarge))
            }
            Err(_) => Err(PageError::new(ErrorKind::BadRequest)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_token_is_derived_from_the_session() {
        let a = csrf_token("token-a");
        assert_eq!(a.len(), 64);
        assert_eq!(a, csrf_token("token-a"));
        assert_ne!(a, csrf_token("token-b"));
        assert!(constant_time_eq(
            a.as_bytes(),
            csrf_token("token-a").as_bytes()
        ));
        assert!(!constant_time_eq(a.as_bytes(), b""));
    }

    #[test]
    fn origin_must_match_the_host() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert!(same_origin(&headers, None), "no Origin header: allowed");
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:8080"),
        );
        assert!(same_origin(&headers, None));
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(!same_origin(&headers, None));
        headers.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(
            !same_origin(&headers, None),
            "an opaque origin alone is refused"
        );
        headers.insert("sec-fetch-site", HeaderValue::from_static("same-origin"));
        assert!(
            same_origin(&headers, None),
            "a browser's own post under Referrer-Policy: no-referrer"
        );
        headers.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(!same_origin(&headers, None));
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:8080"),
        );
        assert!(
            !same_origin(&headers, None),
            "Sec-Fetch-Site says cross-site"
        );
        headers.insert("sec-fetch-site", HeaderValue::from_static("same-site"));
        assert!(!same_origin(&headers, None));
    }

    #[test]
    fn may_agrees_with_the_policy_for_actions_without_object() {
        use vigie_core::org::{Territory, UnitId};
        use vigie_core::policy::{decide, Subject};
        let territory = Territory::national();
        for role in Role::ALL {
            for unit_kind in UnitKind::ALL {
                let subject = Subject {
                    role,
                    unit: UnitId(uuid::Uuid::nil()),
                    unit_kind,
                    territory: &territory,
                };
                for action in [
                    Action::RegisterTarget,
                    Action::ReadTargets,
                    Action::CheckDeconfliction,
                    Action::ReadJournal,
                    Action::ConsultIntel,
                    Action::RecordIntel,
                ] {
                    assert_eq!(
                        subject_may(role, unit_kind, action),
                        decide(&subject, action, None).is_allowed(),
                        "{role:?} in {unit_kind:?}: {action:?}"
                    );
                }
                let nav = nav_for(role, unit_kind);
                assert_eq!(
                    nav.iter().any(|(href, _)| *href == "/objectifs"),
                    subject_may(role, unit_kind, Action::ReadTargets)
                );
                assert_eq!(
                    nav.iter().any(|(href, _)| *href == "/renseignement"),
                    subject_may(role, unit_kind, Action::ConsultIntel)
                );
                assert_eq!(
                    nav.iter().any(|(href, _)| *href == "/veilles"),
                    subject_may(role, unit_kind, Action::ConsultEntity)
                );
            }
        }
    }

    #[test]
    fn cookies() {
        let set = session_cookie("abc", 60, true);
        assert!(set.starts_with("vigie_session=abc;"));
        assert!(
            set.contains("HttpOnly")
                && set.contains("SameSite=Strict")
                && set.contains("Path=/")
                && set.contains("Secure")
        );
        assert!(!session_cookie("abc", 60, false).contains("Secure"));
        assert!(clear_cookie(false).contains("Max-Age=0"));
    }
}
