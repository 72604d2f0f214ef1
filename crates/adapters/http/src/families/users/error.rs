//! Failures in the users API's (Laravel's) shape and wording.

use std::collections::BTreeMap;
use std::fmt;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use registrar_domain::PasswordError;
use registrar_service::{Field, FieldError, FieldErrors};
use serde::Serialize;
use utoipa::ToSchema;

use crate::edge::failure::{self, Failure, Family, Problem, Refusal};
use crate::edge::language::Lang;

/// The users API's error body.
#[derive(Default, Serialize, ToSchema)]
pub struct UsersErrorBody {
    /// `The given data was invalid.` (422), `Token is incorrect`, `The email is already validated`,
    /// `No account with this email`, `Too many attempts`, `The username or password is incorrect.`,
    /// `The email is not validated`, …
    #[schema(example = "The given data was invalid.")]
    pub message: String,
    /// For 422 only: every failing field with Laravel's sentences.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<BTreeMap<String, Vec<String>>>)]
    pub errors: Option<BTreeMap<&'static str, Vec<String>>>,
    /// For 403 at login when the account has a second factor: give it with
    /// this token at `POST /api/token` (`grant_type=mfa`) within 5 minutes.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<String>, pattern = "^[0-9a-f]{64,256}$")]
    pub mfa_token: Option<String>,
    /// With `mfa_token`: the factors that complete the login (`totp`, `passkey`, `recovery_code`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<Vec<String>>)]
    pub factors: Option<Vec<&'static str>>,
}

/// The answers every users endpoint may give when the fault is not the
/// caller's: documented once, listed in each `#[utoipa::path]`'s `responses`.
#[derive(utoipa::IntoResponses)]
pub enum UsersFaults {
    /// A fault on our side.
    #[response(status = 500)]
    Fault(UsersErrorBody),
    /// The database is unavailable.
    #[response(status = 503)]
    Unavailable(UsersErrorBody),
}

/// The answers of a users endpoint when its body cannot be read (the 408
/// is added next to the 413 by the document).
#[derive(utoipa::IntoResponses)]
pub enum UsersBodyRefusals {
    /// The body is over 64 KiB.
    #[response(status = 413)]
    TooLarge(UsersErrorBody),
    /// Neither JSON nor a form.
    #[response(status = 415)]
    Unsupported(UsersErrorBody),
}

impl UsersErrorBody {
    fn message(message: String) -> Self {
        Self {
            message,
            ..Self::default()
        }
    }
}

#[derive(Debug)]
pub struct UsersError {
    pub problem: Problem,
    pub lang: Lang,
    /// What the endpoint calls the address: `email`, or `username` at login.
    pub email_field: &'static str,
}

pub trait UsersResult<T> {
    fn users(self, lang: Lang) -> Result<T, UsersError>;
    /// For `/api/users/login`, whose address field is `username`.
    fn users_login(self, lang: Lang) -> Result<T, UsersError>;
}

impl<T, E: Into<Problem>> UsersResult<T> for Result<T, E> {
    fn users(self, lang: Lang) -> Result<T, UsersError> {
        self.map_err(|e| UsersError::naming("email", e.into(), lang))
    }

    fn users_login(self, lang: Lang) -> Result<T, UsersError> {
        self.map_err(|e| UsersError::naming("username", e.into(), lang))
    }
}

impl UsersError {
    /// `problem`, at an endpoint that calls the address `email_field`.
    fn naming(email_field: &'static str, problem: Problem, lang: Lang) -> Self {
        Self {
            problem,
            lang,
            email_field,
        }
    }
}

impl fmt::Display for UsersError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.problem)
    }
}

/// The users API's name for a field: where it differs from the common one.
pub fn wire_name(field: Field) -> &'static str {
    match field {
        Field::Email => "email",
        Field::Code => "token",
        Field::FirstName => "first_name",
        Field::LastName => "last_name",
        Field::NewPassword => "password",
        other => other.name(),
    }
}

/// Laravel's sentence for one rule, `first_name` said as "first name".
pub fn rule_message(lang: Lang, name: &str, error: &FieldError) -> String {
    let attribute = name.replace('_', " ");
    let a = attribute.as_str();
    let rule = |key: &str, extra: &[(&str, &str)]| {
        let mut args = vec![("attribute", a)];
        args.extend_from_slice(extra);
        lang.t_with(&format!("users.rule.{key}"), &args)
    };
    match error {
        FieldError::Required | FieldError::Password(PasswordError::Missing) => rule("required", &[]),
        FieldError::TooLong { max }
        | FieldError::TooManyItems { max }
        | FieldError::Password(PasswordError::TooLong { max }) => rule("max", &[("max", &max.to_string())]),
        FieldError::InvalidEmail => rule("email", &[]),
        FieldError::ControlCharacters => rule("control_characters", &[]),
        FieldError::EmailTaken => rule("unique", &[]),
        FieldError::Password(PasswordError::TooShort { min }) => rule("password_min", &[("min", &min.to_string())]),
        FieldError::Password(PasswordError::TooCommon) => rule("password_common", &[]),
        FieldError::Password(PasswordError::Breached) => rule("password_breached", &[]),
        FieldError::Password(PasswordError::EqualsEmail) => rule("different_email", &[]),
        FieldError::NotAnInteger | FieldError::InvalidPolicyId => rule("integer", &[]),
        FieldError::PasswordIncorrect => rule("incorrect", &[]),
        FieldError::InvalidLanguage | FieldError::UnknownPolicy(_) | FieldError::PolicyRequired(_) => {
            rule("selected", &[])
        }
        FieldError::InvalidInvite | FieldError::InvalidSector | FieldError::InvalidUserType => rule("selected", &[]),
        FieldError::InvalidTelephone
        | FieldError::NotAList
        | FieldError::PasswordUnchanged
        | FieldError::EmailUnchanged
        | FieldError::InvalidPostalCode
        | FieldError::YearOfBirth(_)
        | FieldError::OneFactor
        | FieldError::InvalidCredential => rule("format", &[]),
        FieldError::UnknownCeremony | FieldError::CredentialRefused => rule("incorrect", &[]),
        FieldError::WrongCode => rule("incorrect", &[]),
    }
}

fn errors_json(lang: Lang, errors: &FieldErrors, email_field: &'static str) -> BTreeMap<&'static str, Vec<String>> {
    errors
        .iter()
        .map(|(field, list)| {
            let name = if *field == Field::Email {
                email_field
            } else {
                wire_name(*field)
            };
            (name, list.iter().map(|e| rule_message(lang, name, e)).collect())
        })
        .collect()
}

impl Family for UsersError {
    fn refusal_status(&self, refusal: &Refusal<'_>) -> Option<StatusCode> {
        Some(match refusal {
            Refusal::Edge(e) => e.status(),
            Refusal::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Refusal::WrongCode | Refusal::InvalidGrant | Refusal::InvalidToken | Refusal::EmailNotConfirmed => {
                StatusCode::UNAUTHORIZED
            }
            Refusal::AccountDisabled | Refusal::MfaRequired(_) => StatusCode::FORBIDDEN,
            Refusal::AlreadyConfirmed | Refusal::FactorEnabled => StatusCode::CONFLICT,
            Refusal::NotFound => StatusCode::NOT_FOUND,
            Refusal::InvalidClient | Refusal::UnsupportedGrantType | Refusal::InvalidLink => StatusCode::BAD_REQUEST,
        })
    }

    fn answer(&self, failure: &Failure<'_>, status: StatusCode) -> HttpResponse {
        let lang = self.lang;
        let key = match failure {
            Failure::Refused(Refusal::Invalid(errors)) => {
                return HttpResponse::build(status).json(UsersErrorBody {
                    message: lang.t("users.invalid"),
                    errors: Some(errors_json(lang, errors, self.email_field)),
                    ..UsersErrorBody::default()
                });
            }
            Failure::Refused(Refusal::MfaRequired(challenge)) => {
                return HttpResponse::build(status).json(UsersErrorBody {
                    message: lang.t("users.mfa_required"),
                    mfa_token: Some(challenge.mfa_token.expose().to_owned()),
                    factors: Some(challenge.factors.iter().map(|f| f.as_str()).collect()),
                    ..UsersErrorBody::default()
                });
            }
            Failure::Malformed => "error.invalid_request",
            Failure::UnsupportedMediaType => "error.unsupported_media_type",
            Failure::BodyTooLarge => "error.payload_too_large",
            Failure::Timeout => "error.request_timeout",
            Failure::TooManyAttempts { .. } => "users.too_many_attempts",
            Failure::Unavailable { .. } | Failure::Fault => "users.server_error",
            Failure::Refused(refusal) => match refusal {
                Refusal::Edge(e) => e.message_key(),
                Refusal::WrongCode => "users.token_incorrect",
                Refusal::AlreadyConfirmed => "users.already_validated",
                Refusal::NotFound => "users.no_account",
                Refusal::InvalidGrant => "users.login_incorrect",
                Refusal::EmailNotConfirmed => "users.not_validated",
                Refusal::AccountDisabled => "error.account_disabled",
                Refusal::InvalidClient => "error.invalid_client",
                Refusal::UnsupportedGrantType => "error.unsupported_grant_type",
                Refusal::InvalidToken | Refusal::InvalidLink => "error.invalid_token",
                Refusal::Invalid(_) => "users.invalid",
                Refusal::MfaRequired(_) => "users.mfa_required",
                Refusal::FactorEnabled => "error.factor_enabled",
            },
        };
        HttpResponse::build(status).json(UsersErrorBody::message(lang.t(key)))
    }
}

impl ResponseError for UsersError {
    fn status_code(&self) -> StatusCode {
        failure::resolve(self, (&self.problem).into()).1
    }

    fn error_response(&self) -> HttpResponse {
        failure::respond(self, &self.problem)
    }
}
