//! The admin API's errors: `{"error": "<code>", "message": "…"}`, and for
//! 422 `errors: {field: ["…"]}`. The message is never a secret nor an
//! internal error's text.

use std::collections::BTreeMap;
use std::fmt;

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use registrar_domain::AdminScope;
use registrar_service::{AdminAuthError, ServiceError};
use serde::Serialize;
use utoipa::ToSchema;

/// The admin API's error body.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminErrorBody {
    /// `unauthorized`, `forbidden`, `not_found`, `invalid_request`,
    /// `validation_failed`, `too_many_attempts`, `already_confirmed`, `server_error`, `unavailable`.
    #[schema(example = "forbidden")]
    pub error: &'static str,
    /// What went wrong, in English.
    pub message: String,
    /// For 422: every failing field (a query parameter or a body field) with what is wrong with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub errors: Option<BTreeMap<String, Vec<String>>>,
}

/// The refusals every admin endpoint may answer: documented once, listed in
/// each `#[utoipa::path]`'s `responses`.
#[derive(utoipa::IntoResponses)]
pub enum AdminRefusals {
    /// No admin key, or one that is unknown or revoked: `unauthorized`, with
    /// `WWW-Authenticate: Bearer realm="registrar-admin"` (and `error="invalid_token"` when a key was given).
    #[response(status = 401, headers(("WWW-Authenticate" = String, description = "The bearer challenge.")))]
    Unauthorized(AdminErrorBody),
    /// The key lacks the endpoint's scope: `forbidden`, with
    /// `WWW-Authenticate: Bearer realm="registrar-admin", error="insufficient_scope", scope="…"`.
    #[response(status = 403, headers(("WWW-Authenticate" = String, description = "The scope needed.")))]
    Forbidden(AdminErrorBody),
    /// Too many bad keys from this address: `too_many_attempts`; `Retry-After` says when to try again.
    #[response(status = 429, headers(("Retry-After" = u64, description = "Seconds until the limit lets this through again.")))]
    TooMany(AdminErrorBody),
    /// A fault on our side: `server_error`.
    #[response(status = 500)]
    Fault(AdminErrorBody),
    /// The database is unavailable: `unavailable`.
    #[response(status = 503)]
    Unavailable(AdminErrorBody),
}

/// Why an admin call failed.
#[derive(Debug)]
pub enum AdminError {
    /// No key (`given == false`) or a bad one.
    Unauthorized {
        given: bool,
    },
    Forbidden(AdminScope),
    NotFound(&'static str),
    /// A request that cannot be done as asked (a body that cannot be read,
    /// a refused value): 400 `invalid_request` with the reason.
    BadRequest(String),
    /// A query parameter or field that cannot be read: 422 with it named.
    Invalid {
        field: &'static str,
        message: String,
    },
    Service(ServiceError),
}

impl AdminError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            message: message.into(),
        }
    }
}

impl From<ServiceError> for AdminError {
    fn from(e: ServiceError) -> Self {
        Self::Service(e)
    }
}

impl From<registrar_service::WebhookError> for AdminError {
    fn from(e: registrar_service::WebhookError) -> Self {
        match e {
            registrar_service::WebhookError::Invalid(reason) => Self::BadRequest(reason),
            registrar_service::WebhookError::NotFound => Self::NotFound("webhook endpoint"),
            registrar_service::WebhookError::Service(e) => Self::Service(e),
        }
    }
}

impl From<AdminAuthError> for AdminError {
    fn from(e: AdminAuthError) -> Self {
        match e {
            AdminAuthError::Missing => Self::Unauthorized { given: false },
            AdminAuthError::Invalid => Self::Unauthorized { given: true },
            AdminAuthError::InsufficientScope(scope) => Self::Forbidden(scope),
            AdminAuthError::Service(e) => Self::Service(e),
        }
    }
}

impl fmt::Display for AdminError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.status())
    }
}

const REALM: &str = "Bearer realm=\"registrar-admin\"";

impl AdminError {
    fn status(&self) -> StatusCode {
        match self {
            Self::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Service(e) => match e {
                ServiceError::NotFound => StatusCode::NOT_FOUND,
                ServiceError::AlreadyConfirmed => StatusCode::CONFLICT,
                ServiceError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
                ServiceError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
                ServiceError::Unavailable(_) | ServiceError::Busy => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            },
        }
    }

    fn body(&self) -> AdminErrorBody {
        let plain = |error: &'static str, message: &str| AdminErrorBody {
            error,
            message: message.to_owned(),
            errors: None,
        };
        match self {
            Self::Unauthorized { given: false } => plain("unauthorized", "An admin API key is required."),
            Self::Unauthorized { given: true } => plain("unauthorized", "The admin API key is unknown or revoked."),
            Self::Forbidden(scope) => plain("forbidden", &format!("The admin API key lacks the scope {scope}.")),
            Self::NotFound(what) => plain("not_found", &format!("No such {what}.")),
            Self::BadRequest(reason) => plain("invalid_request", reason),
            Self::Invalid { field, message } => AdminErrorBody {
                error: "validation_failed",
                message: "The given data was invalid.".to_owned(),
                errors: Some(BTreeMap::from([((*field).to_owned(), vec![message.clone()])])),
            },
            Self::Service(e) => match e {
                ServiceError::NotFound => plain("not_found", "Not found."),
                ServiceError::AlreadyConfirmed => plain("already_confirmed", "The address is confirmed already."),
                ServiceError::TooManyAttempts { .. } => plain("too_many_attempts", "Too many attempts."),
                ServiceError::Invalid(errors) => AdminErrorBody {
                    error: "validation_failed",
                    message: "The given data was invalid.".to_owned(),
                    errors: Some(
                        errors
                            .iter()
                            .map(|(field, list)| {
                                (field.name().to_owned(), list.iter().map(|e| format!("{e:?}")).collect())
                            })
                            .collect(),
                    ),
                },
                ServiceError::Unavailable(_) | ServiceError::Busy => plain("unavailable", "Service unavailable."),
                _ => plain("server_error", "A fault on our side."),
            },
        }
    }
}

impl ResponseError for AdminError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status();
        let mut answer = HttpResponse::build(status);
        match self {
            Self::Unauthorized { given: false } => {
                answer.insert_header((header::WWW_AUTHENTICATE, REALM));
            }
            Self::Unauthorized { given: true } => {
                answer.insert_header((header::WWW_AUTHENTICATE, format!("{REALM}, error=\"invalid_token\"")));
            }
            Self::Forbidden(scope) => {
                answer.insert_header((
                    header::WWW_AUTHENTICATE,
                    format!("{REALM}, error=\"insufficient_scope\", scope=\"{scope}\""),
                ));
            }
            Self::Service(e) => {
                if let Some(seconds) = e.retry_after() {
                    answer.insert_header((header::RETRY_AFTER, seconds.to_string()));
                }
                if status.is_server_error() {
                    tracing::error!(error = %e, "an admin API call failed");
                }
            }
            _ => {}
        }
        answer.insert_header((header::CACHE_CONTROL, "no-store"));
        answer.json(self.body())
    }
}
