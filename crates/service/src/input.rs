//! Raw request fields as the HTTP edge reads them: trimmed strings (an
//! empty string is already `None`). The pure steps of [`crate::parse`] and
//! the commands' `parse` functions turn them into domain values, or every
//! field error at once; no use case takes these.

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

/// `POST /api/register` with `usertype`.
#[derive(Debug, Clone, Default)]
pub struct TypedRegisterInput {
    pub usertype: Option<String>,
    pub token: Option<String>,
    pub email: Option<String>,
    pub password: Option<String>,
    pub postcode: Option<String>,
    pub display_name: Option<String>,
    pub full_name: Option<String>,
    pub year_of_birth: Option<String>,
    pub name: Option<String>,
    pub street_name: Option<String>,
    pub town: Option<String>,
    pub sector: Option<String>,
    pub language: Option<registrar_domain::Language>,
}

/// `POST /api/users/register`.
#[derive(Debug, Clone, Default)]
pub struct UsersRegisterInput {
    pub first_name: Option<String>,
    pub insertion: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub postal_code: Option<String>,
    pub password: Option<String>,
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

/// `POST /api/email-code`.
#[derive(Debug, Clone, Default)]
pub struct EmailCodeInput {
    pub client_id: Option<String>,
    pub email: Option<String>,
}

/// `POST /api/token` with `grant_type=email_code`.
#[derive(Debug, Clone, Default)]
pub struct EmailCodeGrantInput {
    pub client_id: Option<String>,
    pub device_id: Option<String>,
    pub device_name: Option<String>,
    pub email: Option<String>,
    pub code: Option<String>,
}

/// `POST /api/token` with `grant_type=mfa`.
#[derive(Debug, Clone, Default)]
pub struct MfaGrantInput {
    pub mfa_token: Option<String>,
    pub code: Option<String>,
    pub recovery_code: Option<String>,
    /// An AuthenticationResponseJSON to the options of
    /// `POST /api/token/mfa/passkey-options`.
    pub credential: Option<serde_json::Value>,
    pub client_id: Option<String>,
}
