//! The one table of error codes, and the JSON error body every API error uses.
//!
//! Codes are stable API: clients and tests match on them. Each row gives the code, the HTTP status and
//! the French message users see. Internal causes are logged with the request id, never returned.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use vigie_core::entity::FieldError;
use vigie_engine::EngineError;

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident => $code:literal, $status:ident, $message:literal; )*) => {
        /// Every error Vigie's API can return.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum ErrorCode { $( $(#[$doc])* $variant, )* }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            pub fn code(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)* }
            }

            pub fn status(self) -> StatusCode {
                match self { $(ErrorCode::$variant => StatusCode::$status,)* }
            }

            /// The French message shown to users.
            pub fn message(self) -> &'static str {
                match self { $(ErrorCode::$variant => $message,)* }
            }
        }
    };
}

error_codes! {
    /// The body is not well-formed JSON (or nests too deep).
    MalformedJson => "VIGIE-REQ-0001", BAD_REQUEST, "Le corps de la requête n'est pas un JSON valide.";
    /// Well-formed JSON of the wrong shape: unknown field, missing field, wrong type.
    InvalidJson => "VIGIE-REQ-0002", UNPROCESSABLE_ENTITY, "Le corps de la requête ne correspond pas au format attendu.";
    /// The request must be sent as `application/json`.
    UnsupportedMediaType => "VIGIE-REQ-0003", UNSUPPORTED_MEDIA_TYPE, "Le corps de la requête doit être envoyé en application/json.";
    /// The body exceeds the size limit (also for chunked bodies).
    PayloadTooLarge => "VIGIE-REQ-0004", PAYLOAD_TOO_LARGE, "Le corps de la requête est trop volumineux.";
    /// A path or query parameter is malformed.
    InvalidParameter => "VIGIE-REQ-0005", BAD_REQUEST, "Un paramètre de la requête est invalide.";
    MethodNotAllowed => "VIGIE-REQ-0006", METHOD_NOT_ALLOWED, "Méthode non autorisée pour cette adresse.";
    /// A text body (JSON lines, CSV) that is not UTF-8.
    MalformedBody => "VIGIE-REQ-0007", BAD_REQUEST, "Le corps de la requête doit être un texte encodé en UTF-8.";
    /// Field-level validation failed; `details` names each field.
    Validation => "VIGIE-VAL-0001", UNPROCESSABLE_ENTITY, "Certaines données sont invalides.";
    /// Personal data is shown only once a motif is stated.
    MotifRequired => "VIGIE-VAL-0002", UNPROCESSABLE_ENTITY, "Indiquez le motif de la consultation (au moins 3 caractères).";
    Unauthenticated => "VIGIE-AUTH-0001", UNAUTHORIZED, "Authentification requise.";
    BadCredentials => "VIGIE-AUTH-0002", UNAUTHORIZED, "Identifiant ou mot de passe incorrect.";
    /// Five failed logins on one username: wait before trying again (the message says how long).
    TooManyAttempts => "VIGIE-AUTH-0005", TOO_MANY_REQUESTS, "Trop de tentatives de connexion : réessayez plus tard.";
    /// The role may never do this (refusing reveals nothing about any record).
    Forbidden => "VIGIE-AUTH-0003", FORBIDDEN, "Action non autorisée pour votre profil.";
    /// A form was posted without a valid anti-forgery token or from another origin.
    CsrfRejected => "VIGIE-AUTH-0004", FORBIDDEN, "Formulaire expiré ou d'une autre origine : rechargez la page.";
    /// Not found, or hidden by the access policy (the two are indistinguishable on purpose).
    NotFound => "VIGIE-NF-0001", NOT_FOUND, "Ressource introuvable.";
    Conflict => "VIGIE-CONFLICT-0001", CONFLICT, "Conflit avec l'état actuel des données.";
    /// The journal entry could not be written durably: the operation was refused.
    JournalUnavailable => "VIGIE-JOURNAL-0001", SERVICE_UNAVAILABLE, "Le journal des consultations est indisponible : opération refusée.";
    StoreUnavailable => "VIGIE-DB-0001", SERVICE_UNAVAILABLE, "La base de données est indisponible.";
    StoreCorrupt => "VIGIE-DB-0002", SERVICE_UNAVAILABLE, "La base de données est endommagée.";
    Internal => "VIGIE-INT-0001", INTERNAL_SERVER_ERROR, "Erreur interne.";
    /// A route is served but missing from the route policy table: refused (fail closed).
    RouteNotInPolicy => "VIGIE-INT-0002", INTERNAL_SERVER_ERROR, "Erreur interne.";
    Timeout => "VIGIE-INT-0003", SERVICE_UNAVAILABLE, "Le service met trop de temps à répondre.";
    /// Latitude or longitude missing, not a number, or out of range; `details` names each point.
    InvalidCoordinates => "VIGIE-GEO-0001", UNPROCESSABLE_ENTITY, "Coordonnées invalides.";
    /// Outside France as given, in France once swapped: refused rather than corrected silently.
    LikelySwappedCoordinates => "VIGIE-GEO-0002", UNPROCESSABLE_ENTITY, "Latitude et longitude semblent inversées : vérifiez l'ordre des coordonnées.";
    /// The public report form's proof of work is missing, unsolved, expired or already used; the
    /// message says which. Ask for a new challenge.
    ProofOfWork => "VIGIE-REPORT-0001", UNPROCESSABLE_ENTITY, "La vérification anti-robot a échoué : recommencez l'envoi.";
}

/// The body of every API error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable code, e.g. `VIGIE-AUTH-0001`.
    pub code: String,
    /// French message for users.
    pub message: String,
    pub status: u16,
    /// Field-level problems, for validation errors.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<FieldDetail>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldDetail {
    pub field: String,
    pub message: String,
}

/// An API error: a code, an optional more precise message, field details.
#[derive(Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: Option<String>,
    pub details: Vec<FieldError>,
}

impl ApiError {
    pub fn new(code: ErrorCode) -> Self {
        Self {
            code,
            message: None,
            details: Vec::new(),
        }
    }

    pub fn with_message(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: Some(message.into()),
            details: Vec::new(),
        }
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code.code().to_owned(),
                message: self
                    .message
                    .clone()
                    .unwrap_or_else(|| self.code.message().to_owned()),
                status: self.code.status().as_u16(),
                details: self
                    .details
                    .iter()
                    .map(|d| FieldDetail {
                        field: d.field.clone(),
                        message: d.message.clone(),
                    })
                    .collect(),
            },
        }
    }
}

impl From<EngineError> for ApiError {
    fn from(error: EngineError) -> Self {
        let code = match &error {
            EngineError::Unauthenticated => ErrorCode::Unauthenticated,
            EngineError::BadCredentials => ErrorCode::BadCredentials,
            EngineError::TooManyAttempts { minutes } => {
                return ApiError::with_message(
                    ErrorCode::TooManyAttempts,
                    format!(
                        "Trop de tentatives de connexion : réessayez dans {minutes} minute(s)."
                    ),
                )
            }
            EngineError::Forbidden => ErrorCode::Forbidden,
            EngineError::NotFound => ErrorCode::NotFound,
            EngineError::MotifRequired => ErrorCode::MotifRequired,
            EngineError::Invalid(details) => {
                return ApiError {
                    code: ErrorCode::Validation,
                    message: None,
                    details: details.clone(),
                }
            }
            EngineError::Conflict(message) => {
                return ApiError::with_message(ErrorCode::Conflict, format!("Conflit : {message}"))
            }
            EngineError::ProofOfWork(message) => {
                return ApiError::with_message(ErrorCode::ProofOfWork, message.clone())
            }
            EngineError::JournalUnavailable(_) => ErrorCode::JournalUnavailable,
            EngineError::Unavailable(_) => ErrorCode::StoreUnavailable,
            EngineError::Corrupt(_) => ErrorCode::StoreCorrupt,
            EngineError::Config(_) | EngineError::Internal(_) => ErrorCode::Internal,
        };
        if code.status().is_server_error() {
            // The cause is for operators; it carries no personal data (store errors name no values).
            tracing::error!(code = code.code(), cause = %format!("{error:?}"), "request failed");
        }
        ApiError::new(code)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.code.status();
        let mut response = (status, axum::Json(self.body())).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer realm=\"vigie\""),
            );
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.code()), "duplicate code {}", code.code());
            assert!(code.code().starts_with("VIGIE-"), "{}", code.code());
            assert!(code.status().is_client_error() || code.status().is_server_error());
            assert!(!code.message().is_empty());
        }
    }
}
