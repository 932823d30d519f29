//! `/connexion` and `/deconnexion`: the password login form, the session cookie, and logout.
//!
//! A failed login shows the same message whether or not the account exists (the engine also takes
//! the same time). The login form has no session yet, so it carries no CSRF token: the same-origin
//! check and the `SameSite=Strict` cookie protect it.

use super::session::{clear_cookie, session_cookie, PageForm, PageSession, SameOrigin};
use super::view::{Field, Layout, LoginPage};
use super::{render, see_other, PageError, PageResult};
use crate::extract::{cookie, Ctx, SESSION_COOKIE};
use crate::AppState;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use vigie_engine::EngineError;

const BAD_CREDENTIALS: &str = "Identifiant ou mot de passe incorrect";

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    pub username: String,
    pub password: String,
}

fn page(state: &AppState, username: &str) -> LoginPage {
    LoginPage {
        layout: Layout::anonymous("Connexion"),
        username: Field::text("identifiant", "username", "Identifiant")
            .value(username)
            .autocomplete("username")
            .required(),
        password: Field::text("mot-de-passe", "password", "Mot de passe")
            .password("current-password")
            .required(),
        demo_accounts: state.config.demo_accounts.clone(),
    }
}

/// `GET /connexion`: the form (or the home page for a live session).
pub async fn login_form(State(state): State<AppState>, parts: Parts) -> Response {
    if let Some(token) = cookie(&parts, SESSION_COOKIE).filter(|t| !t.is_empty()) {
        if state.engine.authenticate(&token).await.is_ok() {
            return see_other("/");
        }
    }
    render(StatusCode::OK, &page(&state, ""))
}

/// `POST /connexion`: opens a session and sets the cookie, or shows the form again.
pub async fn login(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    PageForm(form): PageForm<LoginForm>,
) -> PageResult {
    let username = form.username.trim();
    let mut view = page(&state, username);
    if username.is_empty() || form.password.is_empty() {
        if username.is_empty() {
            view.username.error = Some("Saisissez votre identifiant".to_owned());
        }
        if form.password.is_empty() {
            view.password.error = Some("Saisissez votre mot de passe".to_owned());
        }
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &view));
    }
    match state.engine.login(username, &form.password, &ctx).await {
        Ok(grant) => {
            let max_age = (grant.expires_at - state.engine.now()).whole_seconds();
            let mut response = see_other("/");
            let value = HeaderValue::from_str(&session_cookie(
                &grant.token,
                max_age,
                state.config.secure_cookies,
            ))
            .map_err(|_| PageError::new(super::ErrorKind::Internal))?;
            response.headers_mut().insert(header::SET_COOKIE, value);
            Ok(response)
        }
        Err(EngineError::BadCredentials | EngineError::Unauthenticated) => {
            // Both fields are marked; the message is given once, under the password.
            view.username.error = Some(String::new());
            view.password.error = Some(BAD_CREDENTIALS.to_owned());
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &view))
        }
        Err(error @ EngineError::TooManyAttempts { .. }) => {
            view.username.error = Some(String::new());
            view.password.error = Some(format!("{}.", capitalise(&error.to_string())));
            Ok(render(StatusCode::TOO_MANY_REQUESTS, &view))
        }
        Err(error) => Err(PageError::from(error)),
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CsrfOnly {
    pub csrf: String,
}

/// `POST /deconnexion`: closes the session, clears the cookie, back to the login page.
pub async fn logout(
    _origin: SameOrigin,
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    session: PageSession,
    PageForm(form): PageForm<CsrfOnly>,
) -> PageResult {
    session.check_csrf(&form.csrf)?;
    state
        .engine
        .logout(&session.actor, &ctx)
        .await
        .map_err(|error| session.fail(error))?;
    let mut response = see_other("/connexion");
    if let Ok(value) = HeaderValue::from_str(&clear_cookie(state.config.secure_cookies)) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response.into_response())
}
