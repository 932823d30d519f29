//! Accounts and sessions: password login (Argon2id), server-side sessions, and the [`Actor`] every
//! other engine method takes.
//!
//! Sessions live in the store as the SHA-256 of a random 256-bit token; the browser holds the token.
//! A session dies when it expires, when its account is disabled, or when the account moves to another
//! unit (the session remembers the unit it was opened in). Login takes the same time whether or not
//! the account exists: an unknown username is checked against a dummy hash.
//! OpenID Connect (ProConnect) would plug in as another way to obtain a [`SessionGrant`] for an
//! existing account: see `Engine::open_session_for`.

use crate::error::{EngineError, EngineResult};
use crate::{clock, Engine, RequestContext};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::atomic::Ordering;
use vigie_core::journal::{JournalAction, Outcome};
use vigie_core::org::{Account, Role, Unit};
use vigie_core::policy::Subject;
use vigie_store::{Mutation, SessionRecord, WriteBatch};

/// Who is acting: an authenticated account and its unit, as of this request.
#[derive(Clone, Debug)]
pub struct Actor {
    pub account: Account,
    pub unit: Unit,
    /// Hash of the session token, to close the session on logout.
    pub(crate) session_hash: String,
}

impl Actor {
    pub fn role(&self) -> Role {
        self.account.role
    }

    pub(crate) fn subject(&self) -> Subject<'_> {
        Subject {
            role: self.account.role,
            unit: self.unit.id,
            unit_kind: self.unit.kind,
            territory: &self.unit.territory,
        }
    }

    pub(crate) fn journal_ref(&self) -> String {
        format!("account:{}", self.account.id)
    }
}

/// A new session: the token to give the browser (shown once) and when it expires.
#[derive(Clone, Debug)]
pub struct SessionGrant {
    pub token: String,
    pub expires_at: time::OffsetDateTime,
    pub account: Account,
}

pub(crate) async fn hash_password(password: &str) -> EngineResult<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut salt = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut salt);
        let salt = SaltString::encode_b64(&salt)
            .map_err(|error| EngineError::Internal(error.to_string()))?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|error| EngineError::Internal(error.to_string()))
    })
    .await
    .map_err(|error| EngineError::Internal(error.to_string()))?
}

async fn verify_password(password: &str, hash: &str) -> bool {
    let (password, hash) = (password.to_owned(), hash.to_owned());
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Checks a password against Vigie's minimum rules; messages in French.
pub(crate) fn check_password_strength(password: &str) -> Result<(), String> {
    if password.chars().count() < 12 {
        return Err("Le mot de passe doit contenir au moins 12 caractères".to_owned());
    }
    if password.len() > 1024 {
        return Err("Le mot de passe est trop long".to_owned());
    }
    Ok(())
}

impl Engine {
    /// Password login. Journaled (success and failure), same duration for unknown accounts.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        ctx: &RequestContext,
    ) -> EngineResult<SessionGrant> {
        let username = username.trim().to_lowercase();
        let now = self.inner.clock.now();
        if let Some(wait) = self.inner.login_throttle.wait(&username, now) {
            // Journaled like a failure, without looking the account up or checking the password.
            let draft = self.draft(
                None,
                JournalAction::LoginFailed,
                "account:throttled".to_owned(),
                "",
                Outcome::Deny,
                ctx,
            );
            self.journal_only(vec![draft]).await?;
            let minutes = (wait.whole_seconds() + 59) / 60;
            return Err(EngineError::TooManyAttempts { minutes });
        }
        let record = if username.is_empty() || username.len() > 200 {
            None
        } else {
            self.inner.store.account_by_username(&username).await?
        };
        let hash = record
            .as_ref()
            .map(|r| r.password_hash.as_str())
            .unwrap_or(&self.inner.dummy_password_hash);
        let password_ok = verify_password(password, hash).await;
        let account = match record {
            Some(record) if password_ok && !record.account.disabled => record.account,
            other => {
                self.inner
                    .metrics
                    .logins_failed
                    .fetch_add(1, Ordering::Relaxed);
                let object = other
                    .map(|r| format!("account:{}", r.account.id))
                    .unwrap_or_else(|| "account:unknown".to_owned());
                let draft = self.draft(
                    None,
                    JournalAction::LoginFailed,
                    object,
                    "",
                    Outcome::Deny,
                    ctx,
                );
                self.journal_only(vec![draft]).await?;
                self.inner.login_throttle.failed(&username, now);
                return Err(EngineError::BadCredentials);
            }
        };
        self.inner.login_throttle.succeeded(&username);
        self.open_session_for(account, ctx).await
    }

    /// Opens a session for an account whose identity was established (by password, or later by an
    /// OpenID Connect provider). The one place sessions are created.
    pub async fn open_session_for(
        &self,
        account: Account,
        ctx: &RequestContext,
    ) -> EngineResult<SessionGrant> {
        let mut raw = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut raw);
        let token = URL_SAFE_NO_PAD.encode(raw);
        let now = self.inner.clock.now();
        let expires_at = now + self.inner.config.session_ttl;
        let session = SessionRecord {
            token_hash: token_hash(&token),
            account: account.id,
            unit: account.unit,
            created_at_micros: clock::micros(now),
            expires_at_micros: clock::micros(expires_at),
        };
        let mut draft = self.draft(
            None,
            JournalAction::Login,
            format!("account:{}", account.id),
            "",
            Outcome::Allow,
            ctx,
        );
        draft.actor = format!("account:{}", account.id);
        draft.unit = format!("unit:{}", account.unit);
        self.commit(WriteBatch {
            mutations: vec![Mutation::PutSession(session)],
            journal: vec![draft],
        })
        .await?;
        Ok(SessionGrant {
            token,
            expires_at,
            account,
        })
    }

    /// Resolves a session token to an actor, or `Unauthenticated`.
    pub async fn authenticate(&self, token: &str) -> EngineResult<Actor> {
        if token.is_empty() || token.len() > 100 {
            return Err(EngineError::Unauthenticated);
        }
        let hash = token_hash(token);
        let context = self
            .inner
            .store
            .session_context(&hash)
            .await?
            .ok_or(EngineError::Unauthenticated)?;
        let (session, record) = (context.session, context.account);
        if clock::micros(self.inner.clock.now()) >= session.expires_at_micros {
            return Err(EngineError::Unauthenticated);
        }
        if record.account.disabled || record.account.unit != session.unit {
            return Err(EngineError::Unauthenticated);
        }
        Ok(Actor {
            account: record.account,
            unit: context.unit,
            session_hash: hash,
        })
    }

    pub async fn logout(&self, actor: &Actor, ctx: &RequestContext) -> EngineResult<()> {
        let draft = self.draft(
            Some(actor),
            JournalAction::Logout,
            actor.journal_ref(),
            "",
            Outcome::Allow,
            ctx,
        );
        self.commit(WriteBatch {
            mutations: vec![Mutation::DeleteSession {
                token_hash: actor.session_hash.clone(),
            }],
            journal: vec![draft],
        })
        .await?;
        Ok(())
    }
}
