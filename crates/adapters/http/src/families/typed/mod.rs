//! Typed registration: `POST /api/register` when the body has a
//! `usertype`. One error at a time — the alphabetically first failing field —
//! as `{"success": false, "message": …, "error": "<check>"}`.

mod wire;

pub use wire::{
    CustomerType, OrganisationType, TypedAccountFields, TypedCustomerRequest, TypedErrorBody, TypedOrganisationRequest,
    TypedRegisterRequest, TypedSuccessResponse,
};

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use registrar_domain::birth::YearOfBirthError;
use registrar_domain::PasswordError;
use registrar_mail::Mailer;
use registrar_service::{Field, FieldError, Registrar, TypedRegistration};
use registrar_store::Store;

use crate::edge::client_ip::Origin;
use crate::edge::failure::{self, Failure, Family, Refusal};
use crate::edge::language::Lang;

/// The family's name for a field; errors are reported in this name's order.
fn wire_name(field: Field) -> &'static str {
    match field {
        Field::Email => "email",
        Field::OrganisationName => "name",
        Field::PostalCode => "postcode",
        Field::Invite => "token",
        other => other.name(),
    }
}

/// The check that failed and its message.
fn check(lang: Lang, field: Field, error: &FieldError) -> (&'static str, String) {
    let name = wire_name(field);
    let t = |key: &str| lang.t(&format!("typed.{key}"));
    match (field, error) {
        (Field::Invite, FieldError::Required) => ("required", t("token_required")),
        (Field::Invite, _) => ("in_resultset", t("token_in_resultset")),
        (Field::Email, FieldError::Required) => ("required", t("email_required")),
        (Field::Email, FieldError::EmailTaken) => ("not_in_resultset", t("email_not_in_resultset")),
        (Field::Email, _) => ("email", t("email_email")),
        (Field::PostalCode, FieldError::Required) => ("required", t("postcode_required")),
        (Field::PostalCode, _) => ("postcode", t("postcode_postcode")),
        (Field::Password, FieldError::Required | FieldError::Password(PasswordError::Missing)) => {
            ("required", t("password_required"))
        }
        (Field::Password, FieldError::Password(rule)) => (
            "password",
            match rule {
                PasswordError::TooShort { min } => {
                    lang.t_with("typed.password_too_short", &[("min", &min.to_string())])
                }
                PasswordError::TooLong { max } => lang.t_with("typed.password_too_long", &[("max", &max.to_string())]),
                PasswordError::TooCommon => t("password_too_common"),
                PasswordError::Breached => t("password_breached"),
                PasswordError::EqualsEmail | PasswordError::Missing => t("password_equals_email"),
            },
        ),
        (Field::UserType, _) => ("in", t("usertype_in")),
        (Field::YearOfBirth, FieldError::Required) => ("required", t("year_of_birth_required")),
        (Field::YearOfBirth, FieldError::YearOfBirth(YearOfBirthError::TooLongAgo)) => {
            ("gt_num", t("year_of_birth_gt_num"))
        }
        (Field::YearOfBirth, FieldError::YearOfBirth(YearOfBirthError::TooRecent)) => {
            ("lt_num", t("year_of_birth_lt_num"))
        }
        (Field::YearOfBirth, _) => ("number", t("year_of_birth_number")),
        (Field::Sector, FieldError::Required) => ("required", t("sector_required")),
        (Field::Sector, _) => ("in", t("sector_in")),
        (Field::StreetName | Field::Town, FieldError::Required) => ("required", t(&format!("{name}_required"))),
        (_, FieldError::ControlCharacters) => (
            "no_control_characters",
            lang.t_with("typed.control_characters", &[("field", name)]),
        ),
        (_, FieldError::TooLong { max }) => (
            "max",
            lang.t_with("typed.too_long", &[("field", name), ("max", &max.to_string())]),
        ),
        _ => ("required", t("name_required")),
    }
}

/// The family's answers to a failure: one check at a time, no `no-store`.
struct Typed {
    lang: Lang,
}

impl Family for Typed {
    /// Only field errors are the client's; any other refusal is a fault here.
    fn refusal_status(&self, refusal: &Refusal<'_>) -> Option<StatusCode> {
        matches!(refusal, Refusal::Invalid(_)).then_some(StatusCode::BAD_REQUEST)
    }

    fn answer(&self, failure: &Failure<'_>, status: StatusCode) -> HttpResponse {
        let lang = self.lang;
        let (message, error) = match failure {
            Failure::Refused(Refusal::Invalid(errors)) => {
                let first = errors
                    .iter()
                    .flat_map(|(field, list)| list.first().map(|e| (*field, e)))
                    .min_by_key(|(field, _)| wire_name(*field));
                match first {
                    Some((field, error)) => {
                        let (check, message) = check(lang, field, error);
                        (message, check)
                    }
                    None => (lang.t("error.validation_failed"), "invalid"),
                }
            }
            Failure::TooManyAttempts { .. } => (lang.t("error.too_many_attempts"), "too_many_attempts"),
            // The body was read by the core family, which answered these.
            Failure::Malformed => (lang.t("error.invalid_request"), "invalid_request"),
            Failure::UnsupportedMediaType => (lang.t("error.unsupported_media_type"), "unsupported_media_type"),
            Failure::BodyTooLarge => (lang.t("error.payload_too_large"), "payload_too_large"),
            Failure::Timeout => (lang.t("error.request_timeout"), "request_timeout"),
            Failure::Refused(_) | Failure::Unavailable { .. } | Failure::Fault => {
                (lang.t("typed.server_error"), "server_error")
            }
        };
        HttpResponse::build(status).json(TypedErrorBody {
            success: false,
            message,
            error,
        })
    }

    fn no_store(&self) -> bool {
        false
    }
}

/// Registers a customer or an organisation from an already decoded body
/// (`POST /api/register` with `usertype`, documented there).
pub async fn register<S: Store, M: Mailer>(
    req: &HttpRequest,
    request: TypedRegisterRequest,
    app: &Registrar<S, M>,
    lang: Lang,
) -> HttpResponse {
    let registration = TypedRegistration::parse(request.into_input(Lang::requested(req)), app.rules());
    match app.register_typed(registration, Origin::of(req).0).await {
        Ok(()) => HttpResponse::Ok().json(TypedSuccessResponse {
            success: true,
            message: lang.t("typed.success"),
        }),
        Err(e) => failure::respond(&Typed { lang }, &e),
    }
}

#[cfg(test)]
mod tests {
    use registrar_domain::Language;

    use super::*;

    #[test]
    fn checks_and_messages_follow_the_typed_registration_table() {
        let lang = Lang(Language::EN);
        let table: [(Field, FieldError, (&str, &str)); 10] = [
            (Field::Invite, FieldError::Required, ("required", "No token sent.")),
            (
                Field::Invite,
                FieldError::InvalidInvite,
                ("in_resultset", "Token invalid or has been used."),
            ),
            (
                Field::Email,
                FieldError::EmailTaken,
                ("not_in_resultset", "Email exists."),
            ),
            (
                Field::PostalCode,
                FieldError::InvalidPostalCode,
                ("postcode", "Postcode is invalid"),
            ),
            (
                Field::UserType,
                FieldError::InvalidUserType,
                ("in", "\"usertype\" is invalid."),
            ),
            (
                Field::DisplayName,
                FieldError::Required,
                ("required", "No name sent or was blank."),
            ),
            (
                Field::YearOfBirth,
                FieldError::YearOfBirth(YearOfBirthError::TooRecent),
                ("lt_num", "year_of_birth must be atleast 10 years ago"),
            ),
            (
                Field::Sector,
                FieldError::InvalidSector,
                ("in", "\"sector\" is invalid."),
            ),
            (
                Field::StreetName,
                FieldError::Required,
                ("required", "No street_name sent."),
            ),
            (Field::Town, FieldError::Required, ("required", "No town sent.")),
        ];
        for (field, error, (expected_check, expected_message)) in table {
            assert_eq!(
                check(lang, field, &error),
                (expected_check, expected_message.into()),
                "{field:?}, {error:?}"
            );
        }
    }
}
