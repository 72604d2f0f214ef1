//! Email-first signup's bodies and answers: built from the
//! decoded fields or serialized by the handlers, and documented as the
//! OpenAPI schemas.

use registrar_domain::User;
use registrar_service::TokenPair;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::edge::lenient;

/// `POST /signup`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct SignupRequest {
    #[schema(required = true, value_type = String, format = Email, min_length = 1, max_length = 254)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub email: Option<String>,
    /// `en`, `de`, `es`, `fr` or `nl`.
    #[schema(required = true, value_type = String, pattern = "^[ \\t\\n\\r]*([Ee][Nn]|[Nn][Ll]|[Ff][Rr]|[Dd][Ee]|[Ee][Ss])[ \\t\\n\\r]*$", example = "en")]
    #[serde(default, deserialize_with = "lenient::text")]
    pub language: Option<String>,
    /// A signup token from `registrar invite create`: required when registration is invite-only.
    #[serde(default, deserialize_with = "lenient::text")]
    pub token: Option<String>,
}

/// `POST /confirm/signup/{id}` from an app: activates the account.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct SignupConfirmRequest {
    /// The consent level, an integer ≥ 1.
    #[schema(required = true, value_type = i32, minimum = 1, maximum = 2147483647, example = 1)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub consent: Option<String>,
    /// Optional: without one the account sets a password through forgot/reset.
    #[schema(format = Password, min_length = 8, max_length = 128, pattern = "^\\s*\\S[\\s\\S]{6,}\\S\\s*$")]
    #[serde(default, deserialize_with = "lenient::text")]
    pub password: Option<String>,
}

/// `201` of `POST /signup`.
#[derive(Serialize, ToSchema)]
pub struct SignupResponse {
    /// Always `success`.
    #[schema(example = "success")]
    pub result: &'static str,
    #[schema(format = Email)]
    pub email: String,
}

/// The activated account.
#[derive(Serialize, ToSchema)]
pub struct SignupAccount {
    pub id: String,
    #[schema(format = Email)]
    pub email: String,
    #[schema(example = "en")]
    pub language: String,
    /// Always `1`: active.
    #[schema(example = 1)]
    pub status: u8,
    /// The consent level given.
    #[schema(required = true, example = 1)]
    pub consent: Option<i32>,
}

/// `200` of `POST /confirm/signup/{id}` from an app.
#[derive(Serialize, ToSchema)]
pub struct SignupConfirmResponse {
    /// Always `success`.
    #[schema(example = "success")]
    pub result: &'static str,
    /// An access token of the built-in `web` client.
    #[schema(pattern = "^[0-9a-f]{64,256}$")]
    pub token: String,
    pub account: SignupAccount,
}

impl SignupConfirmResponse {
    pub fn new(pair: &TokenPair, user: &User) -> Self {
        Self {
            result: "success",
            token: pair.access_token.expose().to_owned(),
            account: SignupAccount {
                id: user.id.as_str().to_owned(),
                email: user.email.as_str().to_owned(),
                language: user.language.code().to_owned(),
                status: 1,
                consent: user.consent,
            },
        }
    }
}

/// The signup family's error body.
#[derive(Serialize, ToSchema)]
pub struct SignupErrorBody {
    /// Always `error`.
    #[schema(example = "error")]
    pub result: &'static str,
    /// `postBodyMissing`, `emailMissing`, `emailInvalid`, `languageMissing`,
    /// `unsupportedLanguage`, `tokenMissing`, `tokenInvalid`, `createAccountFailed`
    /// (signup); `consentRequired`, `passwordInvalid`, `failedToFindConfirmationId`,
    /// `confirmationFailed` (confirm); `unsupportedMediaType`, `payloadTooLarge`.
    #[schema(example = "emailInvalid")]
    pub error: &'static str,
}

/// The answers of both signup endpoints when the body cannot be read (the
/// 408 is added next to the 413 by the document). Their 500 and 503 name
/// each endpoint's own code, so each endpoint lists those itself.
#[derive(utoipa::IntoResponses)]
pub enum SignupBodyRefusals {
    /// `payloadTooLarge`: the body is over 64 KiB.
    #[response(status = 413)]
    TooLarge(SignupErrorBody),
    /// `unsupportedMediaType`: neither JSON nor a form.
    #[response(status = 415)]
    Unsupported(SignupErrorBody),
}
