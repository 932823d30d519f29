//! The engine's errors: what went wrong, in terms the HTTP layer and the CLI turn into their own
//! answers. Messages are in French when users may see them; internal causes stay in `Internal` and
//! `Unavailable` and are logged, never shown.

use vigie_core::entity::FieldError;
use vigie_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// No valid session, or wrong credentials.
    #[error("authentification requise")]
    Unauthenticated,
    #[error("identifiant ou mot de passe incorrect")]
    BadCredentials,
    /// Too many failed logins on this username: refused without checking the password.
    #[error("trop de tentatives de connexion : réessayez dans {minutes} minute(s)")]
    TooManyAttempts { minutes: i64 },
    /// The action is refused and refusing reveals nothing (e.g. an auditor asking for entities).
    #[error("action non autorisée pour votre profil")]
    Forbidden,
    /// Not found, or hidden by the policy: the two are indistinguishable on purpose.
    #[error("introuvable")]
    NotFound,
    /// Personal data is shown only once a motif is stated.
    #[error("un motif de consultation est requis")]
    MotifRequired,
    #[error("données invalides")]
    Invalid(Vec<FieldError>),
    #[error("conflit : {0}")]
    Conflict(String),
    /// The public form's proof of work is missing, wrong, expired or already used.
    #[error("{0}")]
    ProofOfWork(String),
    /// The journal (or the store) cannot be written durably: the operation was refused (fail closed).
    #[error("journal indisponible : opération refusée")]
    JournalUnavailable(String),
    #[error("base de données indisponible")]
    Unavailable(String),
    #[error("base de données endommagée : {0}")]
    Corrupt(String),
    #[error("erreur de configuration : {0}")]
    Config(String),
    #[error("erreur interne")]
    Internal(String),
}

pub type EngineResult<T> = Result<T, EngineError>;

impl From<StoreError> for EngineError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict(message) => EngineError::Conflict(message),
            StoreError::Unavailable(message) => EngineError::Unavailable(message),
            StoreError::Corrupt(message) => EngineError::Corrupt(message),
            StoreError::InvalidUrl(message) | StoreError::Schema(message) => {
                EngineError::Config(message)
            }
            StoreError::Internal(message) => EngineError::Internal(message),
        }
    }
}

impl From<vigie_targets::workflow::WorkflowError> for EngineError {
    /// A refused workflow step: a typed value names its field (422), a wrong state is a conflict.
    fn from(error: vigie_targets::workflow::WorkflowError) -> Self {
        match error {
            vigie_targets::workflow::WorkflowError::Invalid { field, message } => {
                EngineError::Invalid(vec![FieldError {
                    field: field.to_owned(),
                    message,
                }])
            }
            vigie_targets::workflow::WorkflowError::State(message) => {
                EngineError::Conflict(message)
            }
        }
    }
}

impl EngineError {
    /// A refusal of one field, in French for the user (422 with the field named).
    pub(crate) fn invalid(field: &str, message: impl Into<String>) -> Self {
        EngineError::Invalid(vec![FieldError {
            field: field.to_owned(),
            message: message.into(),
        }])
    }

    /// A store error met while writing the journal of a consultation: refuse, do not leak.
    pub(crate) fn journal(error: StoreError) -> Self {
        match error {
            StoreError::Conflict(message) => EngineError::Conflict(message),
            other => EngineError::JournalUnavailable(other.to_string()),
        }
    }
}
