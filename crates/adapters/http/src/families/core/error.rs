//! Rendering failures in the core family's shape:
//! `{"success": false, "error": "<code>", "message": "…", "error_description": "…", "errors": {field: [..]}}`
//! (`error_description` is `message` again, for stock OAuth 2 clients, which read only that).

use std::collections::BTreeMap;
use std::fmt;

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use registrar_service::{Field, FieldErrors};
use serde::Serialize;
use utoipa::ToSchema;

use serde_json::json;

use crate::edge::failure::{self, Failure, Family, Problem, Refusal};
use crate::edge::language::{field_message, Lang};

/// A failure of a core endpoint, with the language to explain it in.
#[derive(Debug)]
pub struct CoreError {
    pub problem: Problem,
    pub lang: Lang,
}

/// `.core(lang)?` turns any service or body failure into a [`CoreError`].
pub trait CoreResult<T> {
    fn core(self, lang: Lang) -> Result<T, CoreError>;
}

impl<T, E: Into<Problem>> CoreResult<T> for Result<T, E> {
    fn core(self, lang: Lang) -> Result<T, CoreError> {
        self.map_err(|e| CoreError {
            problem: e.into(),
            lang,
        })
    }
}

impl fmt::Display for CoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", Self::code(&failure::classify((&self.problem).into())))
    }
}

/// The core family's name for a field: the common one.
pub fn wire_name(field: Field) -> &'static str {
    field.name()
}

/// The core family's error body.
#[derive(Serialize, ToSchema)]
pub struct CoreErrorBody {
    /// Always `false`.
    #[schema(example = false)]
    pub success: bool,
    /// A stable code: `invalid_request`, `validation_failed`, `invalid_client`,
    /// `invalid_grant`, `unsupported_grant_type`, `invalid_token`,
    /// `email_not_confirmed`, `account_disabled`, `mfa_required`, `factor_enabled`, `not_found`,
    /// `unsupported_media_type`, `payload_too_large`, `request_timeout`, `too_many_attempts`, `server_error`.
    #[schema(example = "validation_failed")]
    pub error: &'static str,
    /// The code in words, in the request's language.
    pub message: String,
    /// The same text as `message` (RFC 6749 §5.2's name, which stock OAuth 2 clients show).
    pub error_description: String,
    /// For `validation_failed` only: every failing field with its messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<BTreeMap<String, Vec<String>>>)]
    pub errors: Option<BTreeMap<&'static str, Vec<String>>>,
    /// For `mfa_required` only: give a second factor with this token at
    /// `POST /api/token` (`grant_type=mfa`) within 5 minutes; single use.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<String>, pattern = "^[0-9a-f]{64,256}$")]
    pub mfa_token: Option<String>,
    /// For `mfa_required` only: the factors that complete the sign-in
    /// (`totp`, `passkey`, `recovery_code`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<Vec<String>>)]
    pub factors: Option<Vec<&'static str>>,
}

/// The answers every core endpoint may give when the fault is not the
/// caller's: documented once, listed in each `#[utoipa::path]`'s `responses`.
#[derive(utoipa::IntoResponses)]
pub enum CoreFaults {
    /// `server_error`: a fault on our side (logged with the request id).
    #[response(status = 500)]
    Fault(CoreErrorBody),
    /// `server_error`: the database is unavailable.
    #[response(status = 503)]
    Unavailable(CoreErrorBody),
}

/// The refusals of every core endpoint that takes `Authorization: Bearer`.
#[derive(utoipa::IntoResponses)]
pub enum CoreBearerRefusals {
    /// `invalid_token`.
    #[response(status = 401)]
    InvalidToken(CoreErrorBody),
    /// `account_disabled`.
    #[response(status = 403)]
    AccountDisabled(CoreErrorBody),
}

/// The answers of every core endpoint that reads a body, when the body
/// cannot be read (the 408 is added next to the 413 by the document).
#[derive(utoipa::IntoResponses)]
pub enum CoreBodyRefusals {
    /// `payload_too_large`: the body is over 64 KiB.
    #[response(status = 413)]
    TooLarge(CoreErrorBody),
    /// `unsupported_media_type`: neither JSON nor a form.
    #[response(status = 415)]
    Unsupported(CoreErrorBody),
}

/// The 429 of a core endpoint whose only limit is on unreadable bodies.
#[derive(utoipa::IntoResponses)]
#[response(
    status = 429,
    description = "`too_many_attempts`: too many unreadable bodies from this client; `Retry-After` says in how many \
                   seconds to try again.",
    headers(("Retry-After" = u64, description = "Seconds until the limit lets this through again."))
)]
pub struct CoreBodyThrottled(pub CoreErrorBody);

/// The 429 of a core endpoint where a signed-in user gives the account's
/// password or a code: wrong ones count as failed logins.
#[derive(utoipa::IntoResponses)]
#[response(
    status = 429,
    description = "`too_many_attempts`: the account is locked out (wrong passwords and codes count as failed \
                   logins), or too many of them or of unreadable bodies from this client; `Retry-After` says in how \
                   many seconds to try again.",
    headers(("Retry-After" = u64, description = "Seconds until the limit lets this through again."))
)]
pub struct CoreLockedOut(pub CoreErrorBody);

fn errors_json(lang: Lang, errors: &FieldErrors) -> BTreeMap<&'static str, Vec<String>> {
    errors
        .iter()
        .map(|(field, list)| (wire_name(*field), list.iter().map(|e| field_message(lang, e)).collect()))
        .collect()
}

impl CoreError {
    /// The family's code for a failure.
    fn code(failure: &Failure<'_>) -> &'static str {
        match failure {
            Failure::Malformed => "invalid_request",
            Failure::UnsupportedMediaType => "unsupported_media_type",
            Failure::BodyTooLarge => "payload_too_large",
            Failure::TooManyAttempts { .. } => "too_many_attempts",
            Failure::Timeout => "request_timeout",
            Failure::Unavailable { .. } | Failure::Fault => "server_error",
            Failure::Refused(refusal) => match refusal {
                Refusal::Edge(e) => e.code(),
                Refusal::Invalid(_) => "validation_failed",
                Refusal::InvalidClient => "invalid_client",
                Refusal::InvalidGrant | Refusal::WrongCode => "invalid_grant",
                Refusal::UnsupportedGrantType => "unsupported_grant_type",
                Refusal::InvalidToken | Refusal::InvalidLink => "invalid_token",
                Refusal::EmailNotConfirmed => "email_not_confirmed",
                Refusal::AccountDisabled => "account_disabled",
                Refusal::NotFound => "not_found",
                Refusal::AlreadyConfirmed => "invalid_request",
                Refusal::MfaRequired(_) => "mfa_required",
                Refusal::FactorEnabled => "factor_enabled",
            },
        }
    }

    /// The catalogue key of the message: the code's, except where the
    /// situation has a more precise one.
    fn message_key(failure: &Failure<'_>) -> String {
        match failure {
            Failure::Refused(Refusal::Edge(e)) => e.message_key().to_owned(),
            // In the core family a link token is only ever the reset link's.
            Failure::Refused(Refusal::InvalidLink) => "error.invalid_reset_token".to_owned(),
            _ => format!("error.{}", Self::code(failure)),
        }
    }
}

impl Family for CoreError {
    fn refusal_status(&self, refusal: &Refusal<'_>) -> Option<StatusCode> {
        Some(match refusal {
            Refusal::Edge(e) => e.status(),
            Refusal::InvalidToken => StatusCode::UNAUTHORIZED,
            Refusal::EmailNotConfirmed | Refusal::AccountDisabled | Refusal::MfaRequired(_) => StatusCode::FORBIDDEN,
            Refusal::FactorEnabled => StatusCode::CONFLICT,
            Refusal::NotFound => StatusCode::NOT_FOUND,
            Refusal::Invalid(_)
            | Refusal::InvalidClient
            | Refusal::InvalidGrant
            | Refusal::UnsupportedGrantType
            | Refusal::AlreadyConfirmed
            | Refusal::WrongCode
            | Refusal::InvalidLink => StatusCode::BAD_REQUEST,
        })
    }

    fn answer(&self, failure: &Failure<'_>, status: StatusCode) -> HttpResponse {
        let key = Self::message_key(failure);
        let message = self.lang.t(&key);
        let body = CoreErrorBody {
            success: false,
            error: Self::code(failure),
            error_description: message.clone(),
            message,
            errors: match failure {
                Failure::Refused(Refusal::Invalid(errors)) => Some(errors_json(self.lang, errors)),
                _ => None,
            },
            mfa_token: None,
            factors: None,
        };
        let body = match failure {
            Failure::Refused(Refusal::MfaRequired(challenge)) => CoreErrorBody {
                mfa_token: Some(challenge.mfa_token.expose().to_owned()),
                factors: Some(challenge.factors.iter().map(|f| f.as_str()).collect()),
                ..body
            },
            _ => body,
        };
        let mut response = HttpResponse::build(status);
        match failure {
            Failure::Refused(Refusal::InvalidToken) => {
                response.insert_header((header::WWW_AUTHENTICATE, invalid_token_challenge(self.lang, &key)));
            }
            Failure::Refused(Refusal::Edge(e)) => {
                if let Some(challenge) = e.challenge() {
                    response.insert_header((header::WWW_AUTHENTICATE, challenge));
                }
            }
            _ => {}
        }
        response.json(body)
    }
}

impl ResponseError for CoreError {
    fn status_code(&self) -> StatusCode {
        failure::resolve(self, (&self.problem).into()).1
    }

    fn error_response(&self) -> HttpResponse {
        failure::respond(self, &self.problem)
    }
}

/// `Bearer error="invalid_token", error_description="…"` (RFC 6750 §3.1) for
/// a token that was presented but is unknown, expired or revoked. The
/// description may hold only `%x20-21 / %x23-5B / %x5D-7E`: the message in
/// the request's language when it fits, else the English one (cleaned).
pub fn invalid_token_challenge(lang: Lang, key: &str) -> String {
    fn fits(c: char) -> bool {
        matches!(c, ' '..='~') && c != '"' && c != '\\'
    }
    let localized = lang.t(key);
    let description = if localized.chars().all(fits) {
        localized
    } else {
        crate::edge::language::text(registrar_domain::Language::EN, key, &[])
            .chars()
            .filter(|c| fits(*c))
            .collect()
    };
    format!("Bearer error=\"invalid_token\", error_description=\"{description}\"")
}

/// 405 for a known path asked with a method it does not take, in the core shape.
pub fn method_not_allowed(lang: Lang, allow: &str) -> HttpResponse {
    HttpResponse::MethodNotAllowed()
        .insert_header((header::ALLOW, allow.to_owned()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(error_json(lang, "method_not_allowed"))
}

/// A core error body for a code whose message is `error.<code>`, built
/// outside a handler (405, 431).
pub fn error_json(lang: Lang, code: &str) -> serde_json::Value {
    let message = lang.t(&format!("error.{code}"));
    json!({"success": false, "error": code, "message": message, "error_description": message})
}

#[cfg(test)]
mod tests {
    use registrar_domain::Language;

    use super::*;

    #[test]
    fn the_bearer_challenge_is_quote_safe() {
        // A text the catalogue lacks is its key: quotes and backslashes go.
        assert_eq!(
            invalid_token_challenge(Lang(Language::EN), "a \"quoted\" \\ key"),
            "Bearer error=\"invalid_token\", error_description=\"a quoted  key\""
        );
        // Non-ASCII letters cannot be in the quoted string: English instead.
        assert_eq!(
            invalid_token_challenge(Lang(Language::FR), "error.invalid_token"),
            "Bearer error=\"invalid_token\", error_description=\"The access token is missing, invalid or expired.\""
        );
    }
}
