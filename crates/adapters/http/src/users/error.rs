//! Failures in the users API's (Laravel's) shape and wording.

use std::collections::BTreeMap;
use std::fmt;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use registrar_domain::PasswordError;
use registrar_service::{Field, FieldError, FieldErrors, ServiceError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::body::BodyError;
use crate::core::Problem;
use crate::i18n::Lang;

/// The users API's error body.
#[derive(Serialize, ToSchema)]
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
}

impl UsersErrorBody {
    fn message(message: String) -> Self {
        Self { message, errors: None }
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
        self.map_err(|e| UsersError {
            problem: e.into(),
            lang,
            email_field: "email",
        })
    }

    fn users_login(self, lang: Lang) -> Result<T, UsersError> {
        self.map_err(|e| UsersError {
            problem: e.into(),
            lang,
            email_field: "username",
        })
    }
}

impl fmt::Display for UsersError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.problem)
    }
}

/// The users API's name for a field.
pub fn wire_name(field: Field) -> &'static str {
    match field {
        Field::Email => "email",
        Field::Code => "token",
        Field::FirstName => "first_name",
        Field::LastName => "last_name",
        Field::Insertion => "insertion",
        Field::Password | Field::NewPassword => "password",
        Field::Telephone => "telephone",
        Field::Language => "language",
        Field::Token => "token",
        Field::ClientId => "client_id",
        Field::DeviceId => "device_id",
        Field::DeviceName => "device_name",
        Field::TinNr => "tin_nr",
        Field::Policies => "policies",
        Field::GrantType => "grant_type",
        Field::RefreshToken => "refresh_token",
        Field::Invite => "token",
        Field::PostalCode => "postal_code",
        Field::DisplayName => "display_name",
        Field::FullName => "full_name",
        Field::OrganisationName => "name",
        Field::StreetName => "street_name",
        Field::Town => "town",
        Field::Sector => "sector",
        Field::YearOfBirth => "year_of_birth",
        Field::UserType => "usertype",
        Field::Consent => "consent",
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
        | FieldError::InvalidPostalCode
        | FieldError::YearOfBirth(_) => rule("format", &[]),
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

impl ResponseError for UsersError {
    fn status_code(&self) -> StatusCode {
        match &self.problem {
            Problem::Body(BodyError::Malformed) => StatusCode::BAD_REQUEST,
            Problem::Body(BodyError::UnsupportedMediaType) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Problem::Body(BodyError::TooLarge) => StatusCode::PAYLOAD_TOO_LARGE,
            Problem::Body(BodyError::Throttled(_)) => StatusCode::TOO_MANY_REQUESTS,
            Problem::Body(BodyError::Timeout) => StatusCode::REQUEST_TIMEOUT,
            Problem::Edge(e) => e.status(),
            Problem::Service(e) => match e {
                ServiceError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
                ServiceError::WrongCode | ServiceError::InvalidGrant | ServiceError::InvalidToken => {
                    StatusCode::UNAUTHORIZED
                }
                ServiceError::EmailNotConfirmed => StatusCode::UNAUTHORIZED,
                ServiceError::AccountDisabled => StatusCode::FORBIDDEN,
                ServiceError::AlreadyConfirmed => StatusCode::CONFLICT,
                ServiceError::NotFound => StatusCode::NOT_FOUND,
                ServiceError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
                ServiceError::Unavailable(_) | ServiceError::Busy => StatusCode::SERVICE_UNAVAILABLE,
                ServiceError::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
                ServiceError::InvalidClient | ServiceError::UnsupportedGrantType | ServiceError::InvalidLink => {
                    StatusCode::BAD_REQUEST
                }
            },
        }
    }

    fn error_response(&self) -> HttpResponse {
        let lang = self.lang;
        let body = match &self.problem {
            Problem::Body(BodyError::Malformed) => UsersErrorBody::message(lang.t("error.invalid_request")),
            Problem::Body(BodyError::UnsupportedMediaType) => {
                UsersErrorBody::message(lang.t("error.unsupported_media_type"))
            }
            Problem::Body(BodyError::TooLarge) => UsersErrorBody::message(lang.t("error.payload_too_large")),
            Problem::Body(BodyError::Throttled(_)) => UsersErrorBody::message(lang.t("users.too_many_attempts")),
            Problem::Body(BodyError::Timeout) => UsersErrorBody::message(lang.t("error.request_timeout")),
            Problem::Edge(e) => UsersErrorBody::message(lang.t(e.message_key())),
            Problem::Service(e) => match e {
                ServiceError::Invalid(errors) => UsersErrorBody {
                    message: lang.t("users.invalid"),
                    errors: Some(errors_json(lang, errors, self.email_field)),
                },
                ServiceError::WrongCode => UsersErrorBody::message(lang.t("users.token_incorrect")),
                ServiceError::AlreadyConfirmed => UsersErrorBody::message(lang.t("users.already_validated")),
                ServiceError::NotFound => UsersErrorBody::message(lang.t("users.no_account")),
                ServiceError::TooManyAttempts { .. } => UsersErrorBody::message(lang.t("users.too_many_attempts")),
                ServiceError::InvalidGrant => UsersErrorBody::message(lang.t("users.login_incorrect")),
                ServiceError::EmailNotConfirmed => UsersErrorBody::message(lang.t("users.not_validated")),
                ServiceError::AccountDisabled => UsersErrorBody::message(lang.t("error.account_disabled")),
                ServiceError::Busy => UsersErrorBody::message(lang.t("users.server_error")),
                ServiceError::Unavailable(_) | ServiceError::Unexpected(_) => {
                    crate::log_fault(e);
                    UsersErrorBody::message(lang.t("users.server_error"))
                }
                other => UsersErrorBody::message(lang.t(&format!("error.{}", core_code(other)))),
            },
        };
        let retry_after = match &self.problem {
            Problem::Body(e) => e.retry_after(),
            Problem::Service(e) => e.retry_after(),
            Problem::Edge(_) => None,
        };
        let response = crate::with_retry_after(
            HttpResponse::build(self.status_code())
                .insert_header(("Cache-Control", "no-store"))
                .json(body),
            retry_after,
        );
        match self.problem {
            Problem::Body(BodyError::Timeout) => crate::body::closing(response),
            _ => response,
        }
    }
}

fn core_code(e: &ServiceError) -> &'static str {
    match e {
        ServiceError::InvalidClient => "invalid_client",
        ServiceError::UnsupportedGrantType => "unsupported_grant_type",
        ServiceError::InvalidToken | ServiceError::InvalidLink => "invalid_token",
        _ => "server_error",
    }
}
