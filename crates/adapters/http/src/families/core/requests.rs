//! The core family's request bodies, one type per endpoint: built from the
//! decoded [`Fields`] the way the handler reads them, turned into the
//! service's input, and documented as the OpenAPI request schemas.
//!
//! Every field is optional in Rust because a missing one is the service's
//! field error to report (`validation_failed`), not a decoding failure; the
//! schema says which ones the contract requires.

use registrar_domain::Language;
use registrar_service::{ChangePasswordInput, LoginInput, Patch, ProfilePatch, RegisterInput, ServiceError};
use utoipa::ToSchema;

use crate::edge::body::Fields;
use crate::edge::language::chosen_language;

/// `POST /api/register` without `usertype` (the device-token API).
#[derive(Debug, Clone, Default, ToSchema)]
pub struct RegisterRequest {
    /// A registered API client (`registrar client add`); an unknown one is `invalid_client`.
    #[schema(value_type = String, min_length = 1, max_length = 255, pattern = "^[ \\t\\n\\r]*[!-~]+[ \\t\\n\\r]*$")]
    pub client_id: Option<String>,
    /// The device's name as people see it, 1–255 characters.
    #[schema(value_type = String, min_length = 1, pattern = "\\S", max_length = 255, example = "Simon's iPhone")]
    pub device_name: Option<String>,
    /// The app's id for the device, 1–255 characters; one session per (user, client, device).
    #[schema(value_type = String, min_length = 1, pattern = "\\S", max_length = 255)]
    pub device_id: Option<String>,
    /// The email address; one account per address, whatever its case.
    #[schema(value_type = String, format = Email, min_length = 1, max_length = 254)]
    pub username: Option<String>,
    /// 8–128 characters, not a common password, not the email.
    #[schema(value_type = String, format = Password, min_length = 8, max_length = 128, pattern = "^\\s*\\S[\\s\\S]{6,}\\S\\s*$")]
    pub password: Option<String>,
    #[schema(value_type = String, min_length = 1, pattern = "\\S", max_length = 191)]
    pub firstname: Option<String>,
    #[schema(value_type = String, min_length = 1, pattern = "\\S", max_length = 191)]
    pub lastname: Option<String>,
    /// An international number (`+32 475 00 00 00`), stored in E.164.
    #[schema(value_type = String, min_length = 1, pattern = "^\\s*\\+", example = "+32 475 00 00 00")]
    pub telephone: Option<String>,
    /// Accepted policy revision ids (a form repeats the key: `policies=1&policies=2`
    /// or `policies[]=1&…`); must include the current revision of every required type.
    #[schema(value_type = Vec<i32>, min_items = 1, max_items = 100)]
    pub policies: Option<Vec<Option<i32>>>,
    /// A tax identification number.
    #[schema(max_length = 64)]
    pub tin_nr: Option<String>,
    /// A signup token from `registrar invite create`: required when registration is invite-only.
    pub token: Option<String>,
    /// `en`, `nl`, `fr`, `de` or `es`: the language of mail sent later (else `Accept-Language`).
    #[schema(example = "en")]
    pub language: Option<String>,
}

impl From<&Fields> for RegisterRequest {
    fn from(f: &Fields) -> Self {
        Self {
            client_id: f.string("client_id"),
            device_name: f.string("device_name"),
            device_id: f.string("device_id"),
            username: f.string("username"),
            password: f.string("password"),
            firstname: f.string("firstname"),
            lastname: f.string("lastname"),
            telephone: f.string("telephone"),
            policies: f.int_list("policies"),
            tin_nr: f.string("tin_nr"),
            token: f.string("token"),
            language: f.string("language"),
        }
    }
}

impl RegisterRequest {
    pub fn into_input(self, requested_language: Option<Language>) -> RegisterInput {
        RegisterInput {
            language: chosen_language(self.language.as_deref(), requested_language),
            client_id: self.client_id,
            device_id: self.device_id,
            device_name: self.device_name,
            email: self.username,
            password: self.password,
            firstname: self.firstname,
            lastname: self.lastname,
            telephone: self.telephone,
            policies: self.policies,
            tin_nr: self.tin_nr,
            invite: self.token,
        }
    }
}

/// `grant_type=password`.
#[derive(Debug, Clone, Copy, Default, ToSchema)]
pub enum PasswordGrant {
    #[default]
    #[serde(rename = "password")]
    Password,
}

/// `grant_type=refresh_token`.
#[derive(Debug, Clone, Copy, Default, ToSchema)]
pub enum RefreshTokenGrant {
    #[default]
    #[serde(rename = "refresh_token")]
    RefreshToken,
}

/// Checks `grant_type`: anything but `expected`, missing included, is
/// `unsupported_grant_type` (the contract's "anything else").
fn grant(f: &Fields, expected: &str) -> Result<(), ServiceError> {
    match f.string("grant_type") {
        Some(g) if g == expected => Ok(()),
        _ => Err(ServiceError::UnsupportedGrantType),
    }
}

/// `POST /api/token` with `grant_type=password`: a new token pair for this device.
#[derive(Debug, Clone, Default, ToSchema)]
pub struct PasswordGrantRequest {
    pub grant_type: PasswordGrant,
    /// A registered API client.
    #[schema(value_type = String, min_length = 1, max_length = 255, pattern = "^[ \\t\\n\\r]*[!-~]+[ \\t\\n\\r]*$")]
    pub client_id: Option<String>,
    #[schema(value_type = String, min_length = 1, pattern = "\\S", max_length = 255)]
    pub device_name: Option<String>,
    #[schema(value_type = String, min_length = 1, pattern = "\\S", max_length = 255)]
    pub device_id: Option<String>,
    /// The email address.
    #[schema(value_type = String, format = Email, min_length = 1, max_length = 254)]
    pub username: Option<String>,
    #[schema(value_type = String, format = Password, min_length = 1, pattern = "\\S", max_length = 1024)]
    pub password: Option<String>,
}

impl From<&Fields> for PasswordGrantRequest {
    fn from(f: &Fields) -> Self {
        Self {
            grant_type: PasswordGrant::Password,
            client_id: f.string("client_id"),
            device_name: f.string("device_name"),
            device_id: f.string("device_id"),
            username: f.string("username"),
            password: f.string("password"),
        }
    }
}

impl From<PasswordGrantRequest> for LoginInput {
    fn from(r: PasswordGrantRequest) -> Self {
        LoginInput {
            client_id: r.client_id,
            device_id: r.device_id,
            device_name: r.device_name,
            email: r.username,
            password: r.password,
        }
    }
}

/// `POST /api/token` with `grant_type=refresh_token`: rotates the pair.
#[derive(Debug, Clone, Default, ToSchema)]
pub struct RefreshGrantRequest {
    pub grant_type: RefreshTokenGrant,
    /// The current refresh token; a rotated-out one presented again revokes its session.
    #[schema(value_type = String, min_length = 1, pattern = "\\S")]
    pub refresh_token: Option<String>,
    /// Optional; must be the session's client when given.
    pub client_id: Option<String>,
}

/// `POST /api/token`, by `grant_type`.
#[derive(Debug, ToSchema)]
#[serde(untagged)]
pub enum TokenRequest {
    Password(PasswordGrantRequest),
    RefreshToken(RefreshGrantRequest),
}

impl TokenRequest {
    /// The grant the body asks for; any other `grant_type`, or none, is
    /// `unsupported_grant_type`.
    pub fn from_fields(f: &Fields) -> Result<Self, ServiceError> {
        match f.string("grant_type").as_deref() {
            Some("refresh_token") => Ok(Self::RefreshToken(RefreshGrantRequest {
                grant_type: RefreshTokenGrant::RefreshToken,
                refresh_token: f.string("refresh_token"),
                client_id: f.string("client_id"),
            })),
            _ => grant(f, "password").map(|()| Self::Password(PasswordGrantRequest::from(f))),
        }
    }
}

/// `POST /api/change-password`: the current credentials of this
/// device's login and the new password.
#[derive(Debug, Clone, Default, ToSchema)]
pub struct ChangePasswordRequest {
    #[serde(flatten)]
    pub login: PasswordGrantRequest,
    /// The password rules apply; it must differ from the current one.
    #[schema(value_type = String, format = Password, min_length = 8, max_length = 128, pattern = "^\\s*\\S[\\s\\S]{6,}\\S\\s*$")]
    pub new_password: Option<String>,
}

impl ChangePasswordRequest {
    /// `grant_type` must be `password`.
    pub fn from_fields(f: &Fields) -> Result<Self, ServiceError> {
        grant(f, "password")?;
        Ok(Self {
            login: PasswordGrantRequest::from(f),
            new_password: f.string("new_password"),
        })
    }
}

impl From<ChangePasswordRequest> for ChangePasswordInput {
    fn from(r: ChangePasswordRequest) -> Self {
        ChangePasswordInput {
            login: r.login.into(),
            new_password: r.new_password,
        }
    }
}

/// `POST /api/forgot-password`. `client_id`, `device_name` and `device_id`
/// are accepted and ignored.
#[derive(Debug, Clone, Default, ToSchema)]
pub struct ForgotPasswordRequest {
    /// The email address; the answer is the same whether or not it has an account.
    #[schema(value_type = String, format = Email, min_length = 1, max_length = 254)]
    pub username: Option<String>,
}

impl From<&Fields> for ForgotPasswordRequest {
    fn from(f: &Fields) -> Self {
        Self {
            username: f.string("username"),
        }
    }
}

/// `POST /api/reset-password`: the token of the mailed link and the new password.
#[derive(Debug, Clone, Default, ToSchema)]
pub struct ResetPasswordRequest {
    /// The last part of the reset link; unknown, used or expired is `invalid_token`.
    #[schema(value_type = String, min_length = 1, pattern = "\\S")]
    pub token: Option<String>,
    #[schema(value_type = String, format = Password, min_length = 8, max_length = 128, pattern = "^\\s*\\S[\\s\\S]{6,}\\S\\s*$")]
    pub password: Option<String>,
}

impl From<&Fields> for ResetPasswordRequest {
    fn from(f: &Fields) -> Self {
        Self {
            token: f.string("token"),
            password: f.string("password"),
        }
    }
}

/// `PATCH /api/me`: each field absent (or empty) keeps its value, `null`
/// clears it (optional fields only), a value replaces it — with the rules of
/// registration.
#[derive(Debug, Clone, Default, ToSchema)]
pub struct UpdateProfileRequest {
    #[schema(value_type = Option<String>, max_length = 191)]
    pub firstname: Patch<String>,
    #[schema(value_type = Option<String>, max_length = 191)]
    pub insertion: Patch<String>,
    #[schema(value_type = Option<String>, max_length = 191)]
    pub lastname: Patch<String>,
    /// An international number, stored in E.164.
    #[schema(value_type = Option<String>)]
    pub telephone: Patch<String>,
    #[schema(value_type = Option<String>, max_length = 64)]
    pub tin_nr: Patch<String>,
    /// `en`, `nl`, `fr`, `de` or `es`.
    #[schema(value_type = Option<String>, example = "nl")]
    pub language: Patch<String>,
}

impl From<&Fields> for UpdateProfileRequest {
    fn from(f: &Fields) -> Self {
        Self {
            firstname: f.patch("firstname"),
            insertion: f.patch("insertion"),
            lastname: f.patch("lastname"),
            telephone: f.patch("telephone"),
            tin_nr: f.patch("tin_nr"),
            language: f.patch("language"),
        }
    }
}

impl From<UpdateProfileRequest> for ProfilePatch {
    fn from(r: UpdateProfileRequest) -> Self {
        ProfilePatch {
            firstname: r.firstname,
            insertion: r.insertion,
            lastname: r.lastname,
            telephone: r.telephone,
            tin_nr: r.tin_nr,
            language: r.language,
        }
    }
}

/// `DELETE /api/me`: the account's password, to be sure.
#[derive(Debug, Clone, Default, ToSchema)]
pub struct DeleteAccountRequest {
    #[schema(value_type = String, format = Password, min_length = 1, pattern = "\\S", max_length = 1024)]
    pub password: Option<String>,
}

impl From<&Fields> for DeleteAccountRequest {
    fn from(f: &Fields) -> Self {
        Self {
            password: f.string("password"),
        }
    }
}

/// `POST /api/policies/accept`.
#[derive(Debug, Clone, Default, ToSchema)]
pub struct AcceptPoliciesRequest {
    /// Revision ids to accept (a form repeats the key).
    #[schema(value_type = Vec<i32>, min_items = 1, max_items = 100)]
    pub policies: Option<Vec<Option<i32>>>,
}

impl From<&Fields> for AcceptPoliciesRequest {
    fn from(f: &Fields) -> Self {
        Self {
            policies: f.int_list("policies"),
        }
    }
}
