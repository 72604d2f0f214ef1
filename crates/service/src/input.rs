//! What the HTTP edge hands to the use cases: trimmed strings (an empty
//! string is already `None`), checked here against the domain's rules so that
//! every failing field is reported at once.

use registrar_domain::{Email, EmailError, PasswordError, PersonName, Telephone, TextError, TinNr};

use crate::{Field, FieldError, FieldErrors};

/// `POST /api/register` (core family).
#[derive(Debug, Clone, Default)]
pub struct RegisterInput {
    pub client_id: Option<String>,
    pub device_id: Option<String>,
    pub device_name: Option<String>,
    pub email: Option<String>,
    pub password: Option<String>,
    pub firstname: Option<String>,
    pub lastname: Option<String>,
    pub telephone: Option<String>,
    /// `None`: the field is missing. Entries that are not integers are `None`.
    pub policies: Option<Vec<Option<i32>>>,
    pub tin_nr: Option<String>,
    /// Two-letter code from the body or `Accept-Language`, if any.
    pub language: Option<registrar_domain::Language>,
    /// A signup token, needed when registration is invite-only.
    pub invite: Option<String>,
}

/// `POST /api/token` with `grant_type=password`.
#[derive(Debug, Clone, Default)]
pub struct LoginInput {
    pub client_id: Option<String>,
    pub device_id: Option<String>,
    pub device_name: Option<String>,
    pub email: Option<String>,
    pub password: Option<String>,
}

/// `POST /api/change-password`.
#[derive(Debug, Clone, Default)]
pub struct ChangePasswordInput {
    pub login: LoginInput,
    pub new_password: Option<String>,
}

/// One field of a partial update.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Patch<T> {
    /// Not in the request: keep the value.
    #[default]
    Keep,
    /// Explicitly null: clear the value (optional fields only).
    Clear,
    Set(T),
}

/// `PATCH /api/me`.
#[derive(Debug, Clone, Default)]
pub struct ProfilePatch {
    pub firstname: Patch<String>,
    pub insertion: Patch<String>,
    pub lastname: Patch<String>,
    pub telephone: Patch<String>,
    pub tin_nr: Patch<String>,
    pub language: Patch<String>,
}

pub(crate) fn required<'a>(errors: &mut FieldErrors, field: Field, value: &'a Option<String>) -> Option<&'a str> {
    match value.as_deref() {
        Some(v) => Some(v),
        None => {
            errors.add(field, FieldError::Required);
            None
        }
    }
}

pub(crate) fn text_error(e: TextError) -> FieldError {
    match e {
        TextError::Missing => FieldError::Required,
        TextError::TooLong { max } => FieldError::TooLong { max },
        TextError::ControlCharacter => FieldError::ControlCharacters,
    }
}

pub(crate) fn email_error(e: EmailError) -> FieldError {
    match e {
        EmailError::Invalid => FieldError::InvalidEmail,
        EmailError::TooLong { max } => FieldError::TooLong { max },
    }
}

pub(crate) fn password_error(e: PasswordError) -> FieldError {
    match e {
        PasswordError::Missing => FieldError::Required,
        other => FieldError::Password(other),
    }
}

pub(crate) fn parse_email(errors: &mut FieldErrors, value: &Option<String>) -> Option<Email> {
    let raw = required(errors, Field::Email, value)?;
    Email::parse(raw)
        .map_err(|e| errors.add(Field::Email, email_error(e)))
        .ok()
}

pub(crate) fn parse_name(errors: &mut FieldErrors, field: Field, value: &Option<String>) -> Option<String> {
    let raw = required(errors, field, value)?;
    PersonName::parse(raw)
        .map(PersonName::into_string)
        .map_err(|e| errors.add(field, text_error(e)))
        .ok()
}

pub(crate) fn parse_telephone(errors: &mut FieldErrors, raw: &str) -> Option<Telephone> {
    Telephone::parse(raw)
        .map_err(|_| errors.add(Field::Telephone, FieldError::InvalidTelephone))
        .ok()
}

pub(crate) fn parse_tin(errors: &mut FieldErrors, raw: &str) -> Option<String> {
    TinNr::parse(raw)
        .map(TinNr::into_string)
        .map_err(|e| errors.add(Field::TinNr, text_error(e)))
        .ok()
}
