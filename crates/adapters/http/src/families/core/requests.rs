//! The core family's request bodies, one type per endpoint: read from the
//! body by serde with the contract's field rules ([`lenient`]), turned into
//! the service's input, and documented as the OpenAPI request schemas.
//!
//! Every field is optional in Rust because a missing one is the service's
//! field error to report (`validation_failed`), not a decoding failure; the
//! schema says which ones the contract requires.

use registrar_domain::Language;
use registrar_service::{
    ChangePasswordInput, EmailCodeGrantInput, EmailCodeInput, LoginInput, MfaGrantInput, PasskeyAdditionInput,
    PasskeyGrantInput, Patch, ProfilePatch, RegisterInput, ServiceError,
};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::edge::body::Object;
use crate::edge::failure::Problem;
use crate::edge::language::chosen_language;
use crate::edge::lenient;

/// `POST /api/register` without `usertype` (the device-token API).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct RegisterRequest {
    /// A registered API client (`registrar client add`); an unknown one is `invalid_client`.
    #[schema(required = true, value_type = String, min_length = 1, max_length = 255, pattern = "^[ \\t\\n\\r]*[!-~]+[ \\t\\n\\r]*$")]
    #[serde(default, deserialize_with = "lenient::text")]
    pub client_id: Option<String>,
    /// The device's name as people see it, 1–255 characters.
    #[schema(required = true, value_type = String, min_length = 1, pattern = "\\S", max_length = 255, example = "Simon's iPhone")]
    #[serde(default, deserialize_with = "lenient::text")]
    pub device_name: Option<String>,
    /// The app's id for the device, 1–255 characters; one session per (user, client, device).
    #[schema(required = true, value_type = String, min_length = 1, pattern = "\\S", max_length = 255)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub device_id: Option<String>,
    /// The email address; one account per address, whatever its case.
    #[schema(required = true, value_type = String, format = Email, min_length = 1, max_length = 254)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub username: Option<String>,
    /// 8–128 characters, not a common password, not the email.
    #[schema(required = true, value_type = String, format = Password, min_length = 8, max_length = 128, pattern = "^\\s*\\S[\\s\\S]{6,}\\S\\s*$")]
    #[serde(default, deserialize_with = "lenient::text")]
    pub password: Option<String>,
    #[schema(required = true, value_type = String, min_length = 1, pattern = "\\S", max_length = 191)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub firstname: Option<String>,
    #[schema(required = true, value_type = String, min_length = 1, pattern = "\\S", max_length = 191)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub lastname: Option<String>,
    /// An international number (`+32 475 00 00 00`), stored in E.164.
    #[schema(required = true, value_type = String, min_length = 1, pattern = "^\\s*\\+", example = "+32 475 00 00 00")]
    #[serde(default, deserialize_with = "lenient::text")]
    pub telephone: Option<String>,
    /// Accepted policy revision ids (a form repeats the key: `policies=1&policies=2`
    /// or `policies[]=1&…`); must include the current revision of every required type.
    #[schema(required = true, value_type = Vec<i32>, min_items = 1, max_items = 100)]
    #[serde(default, deserialize_with = "lenient::int_list")]
    pub policies: Option<Vec<Option<i32>>>,
    /// A tax identification number.
    #[schema(max_length = 64)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub tin_nr: Option<String>,
    /// A signup token from `registrar invite create`: required when registration is invite-only.
    #[serde(default, deserialize_with = "lenient::text")]
    pub token: Option<String>,
    /// `en`, `nl`, `fr`, `de` or `es`: the language of mail sent later (else `Accept-Language`).
    #[schema(example = "en")]
    #[serde(default, deserialize_with = "lenient::text")]
    pub language: Option<String>,
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

/// Which client and device a session is opened for: the fields every grant
/// that opens a session shares.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ClientDevice {
    /// A registered API client.
    #[schema(required = true, value_type = String, min_length = 1, max_length = 255, pattern = "^[ \\t\\n\\r]*[!-~]+[ \\t\\n\\r]*$")]
    #[serde(default, deserialize_with = "lenient::text")]
    pub client_id: Option<String>,
    #[schema(required = true, value_type = String, min_length = 1, pattern = "\\S", max_length = 255)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub device_name: Option<String>,
    #[schema(required = true, value_type = String, min_length = 1, pattern = "\\S", max_length = 255)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub device_id: Option<String>,
}

/// Who signs in, on which device, through which client.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct DeviceSignIn {
    #[serde(flatten)]
    pub device: ClientDevice,
    /// The email address.
    #[schema(required = true, value_type = String, format = Email, min_length = 1, max_length = 254)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub username: Option<String>,
}

impl DeviceSignIn {
    /// The service's login fields, with `password`.
    fn login(self, password: Option<String>) -> LoginInput {
        LoginInput {
            client_id: self.device.client_id,
            device_id: self.device.device_id,
            device_name: self.device.device_name,
            email: self.username,
            password,
        }
    }
}

/// `POST /api/token` with `grant_type=password`: a new token pair for this device.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct PasswordGrantRequest {
    #[schema(required = true, value_type = PasswordGrant)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub grant_type: Option<String>,
    #[serde(flatten)]
    pub sign_in: DeviceSignIn,
    #[schema(required = true, value_type = String, format = Password, min_length = 1, pattern = "\\S", max_length = 1024)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub password: Option<String>,
}

impl From<PasswordGrantRequest> for LoginInput {
    fn from(r: PasswordGrantRequest) -> Self {
        r.sign_in.login(r.password)
    }
}

/// `POST /api/token` with `grant_type=refresh_token`: rotates the pair.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct RefreshGrantRequest {
    #[schema(required = true, value_type = RefreshTokenGrant)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub grant_type: Option<String>,
    /// The current refresh token; a rotated-out one presented again revokes its session.
    #[schema(required = true, value_type = String, min_length = 1, pattern = "\\S")]
    #[serde(default, deserialize_with = "lenient::text")]
    pub refresh_token: Option<String>,
    /// Optional; must be the session's client when given.
    #[serde(default, deserialize_with = "lenient::text")]
    pub client_id: Option<String>,
}

/// `grant_type=authorization_code`.
#[derive(Debug, Clone, Copy, Default, ToSchema)]
pub enum AuthorizationCodeGrantType {
    #[default]
    #[serde(rename = "authorization_code")]
    AuthorizationCode,
}

/// `POST /api/token` with `grant_type=authorization_code` (RFC 6749
/// §4.1.3, RFC 7636 §4.5): the code the authorization endpoint sent to the
/// redirect URI, for the client it was issued to.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct AuthorizationCodeGrantRequest {
    #[schema(required = true, value_type = AuthorizationCodeGrantType)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub grant_type: Option<String>,
    /// The code; it lives 60 seconds and is exchanged once (a second
    /// exchange revokes the session the first opened).
    #[schema(required = true, value_type = String, pattern = "^[0-9a-f]{64}$")]
    #[serde(default, deserialize_with = "lenient::text")]
    pub code: Option<String>,
    /// The redirect URI of the authorization request, exactly.
    #[schema(required = true, value_type = String)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub redirect_uri: Option<String>,
    /// The PKCE verifier of the request's `code_challenge` (43 to 128 of
    /// `[A-Za-z0-9-._~]`); required when the request had a challenge,
    /// refused when it had none.
    #[schema(value_type = String, min_length = 43, max_length = 128, pattern = "^[A-Za-z0-9._~-]{43,128}$")]
    #[serde(default, deserialize_with = "lenient::text")]
    pub code_verifier: Option<String>,
    /// The client the code was issued to (or HTTP Basic).
    #[serde(default, deserialize_with = "lenient::text")]
    pub client_id: Option<String>,
}

impl From<AuthorizationCodeGrantRequest> for registrar_service::CodeGrantInput {
    fn from(r: AuthorizationCodeGrantRequest) -> Self {
        Self {
            code: r.code,
            redirect_uri: r.redirect_uri,
            code_verifier: r.code_verifier,
        }
    }
}

/// `grant_type=mfa`.
#[derive(Debug, Clone, Copy, Default, ToSchema)]
pub enum MfaGrantType {
    #[default]
    #[serde(rename = "mfa")]
    Mfa,
}

/// `POST /api/token` with `grant_type=mfa`: the second step of a sign-in
/// (or password change) answered `mfa_required`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct MfaGrantRequest {
    #[schema(required = true, value_type = MfaGrantType)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub grant_type: Option<String>,
    /// The `mfa_token` of the `mfa_required` answer.
    #[schema(required = true, value_type = String, pattern = "^[0-9a-f]{64,256}$")]
    #[serde(default, deserialize_with = "lenient::text")]
    pub mfa_token: Option<String>,
    /// The 6-digit code the authenticator app shows (give this or `recovery_code`).
    #[schema(value_type = String, pattern = "^[0-9]{6}$", example = "123456")]
    #[serde(default, deserialize_with = "lenient::text")]
    pub code: Option<String>,
    /// One of the recovery codes, used up by this sign-in (give this, `code` or `credential`).
    #[schema(value_type = String, example = "abcde-fghjk")]
    #[serde(default, deserialize_with = "lenient::text")]
    pub recovery_code: Option<String>,
    /// A passkey's answer (WebAuthn's AuthenticationResponseJSON) to the
    /// options of `POST /api/token/mfa/passkey-options` (give this, `code` or
    /// `recovery_code`).
    #[schema(value_type = Object)]
    #[serde(default)]
    pub credential: Option<serde_json::Value>,
    /// Optional; must be the client of the first step when given.
    #[serde(default, deserialize_with = "lenient::text")]
    pub client_id: Option<String>,
}

impl From<MfaGrantRequest> for MfaGrantInput {
    fn from(r: MfaGrantRequest) -> Self {
        MfaGrantInput {
            mfa_token: r.mfa_token,
            code: r.code,
            recovery_code: r.recovery_code,
            credential: r.credential,
            client_id: r.client_id,
        }
    }
}

/// `grant_type=passkey`.
#[derive(Debug, Clone, Copy, Default, ToSchema)]
pub enum PasskeyGrantType {
    #[default]
    #[serde(rename = "passkey")]
    Passkey,
}

/// `POST /api/token` with `grant_type=passkey`: a sign-in with a
/// discoverable passkey and no password, answering the options of
/// `POST /api/passkeys/options`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct PasskeyGrantRequest {
    #[schema(required = true, value_type = PasskeyGrantType)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub grant_type: Option<String>,
    /// The `ceremony` of the options.
    #[schema(required = true, value_type = String, pattern = "^[0-9a-f]{64}$")]
    #[serde(default, deserialize_with = "lenient::text")]
    pub ceremony: Option<String>,
    /// The passkey's answer: WebAuthn's AuthenticationResponseJSON (base64url).
    #[schema(required = true, value_type = Object)]
    #[serde(default)]
    pub credential: Option<serde_json::Value>,
    #[serde(flatten)]
    pub device: ClientDevice,
}

impl From<PasskeyGrantRequest> for PasskeyGrantInput {
    fn from(r: PasskeyGrantRequest) -> Self {
        PasskeyGrantInput {
            ceremony: r.ceremony,
            credential: r.credential,
            client_id: r.device.client_id,
            device_id: r.device.device_id,
            device_name: r.device.device_name,
        }
    }
}

/// `grant_type=email_code`.
#[derive(Debug, Clone, Copy, Default, ToSchema)]
pub enum EmailCodeGrantType {
    #[default]
    #[serde(rename = "email_code")]
    EmailCode,
}

/// `POST /api/token` with `grant_type=email_code`: a token pair for this
/// device, signed in by the code `POST /api/email-code` mailed.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct EmailCodeGrantRequest {
    #[schema(required = true, value_type = EmailCodeGrantType)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub grant_type: Option<String>,
    #[serde(flatten)]
    pub sign_in: DeviceSignIn,
    /// The six digits of the mail (`303 461` and `303-461` are read too);
    /// valid 10 minutes, once, dead after 5 wrong tries.
    #[schema(required = true, value_type = String, pattern = "^[0-9]{6}$", example = "303461")]
    #[serde(default, deserialize_with = "lenient::text")]
    pub code: Option<String>,
}

impl From<EmailCodeGrantRequest> for EmailCodeGrantInput {
    fn from(r: EmailCodeGrantRequest) -> Self {
        let login = r.sign_in.login(None);
        EmailCodeGrantInput {
            client_id: login.client_id,
            device_id: login.device_id,
            device_name: login.device_name,
            email: login.email,
            code: r.code,
        }
    }
}

/// `POST /api/me/factors/passkeys`: the answer to the options of
/// `POST /api/me/factors/passkeys/options`, and a name for the passkey.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct PasskeyAdditionRequest {
    /// The `ceremony` of the options.
    #[schema(required = true, value_type = String, pattern = "^[0-9a-f]{64}$")]
    #[serde(default, deserialize_with = "lenient::text")]
    pub ceremony: Option<String>,
    /// A name to tell it by ("Phone", "YubiKey").
    #[schema(required = true, value_type = String, min_length = 1, max_length = 64, example = "Phone")]
    #[serde(default, deserialize_with = "lenient::text")]
    pub name: Option<String>,
    /// The authenticator's answer: WebAuthn's RegistrationResponseJSON (base64url).
    #[schema(required = true, value_type = Object)]
    #[serde(default)]
    pub credential: Option<serde_json::Value>,
}

impl From<PasskeyAdditionRequest> for PasskeyAdditionInput {
    fn from(r: PasskeyAdditionRequest) -> Self {
        PasskeyAdditionInput {
            ceremony: r.ceremony,
            name: r.name,
            credential: r.credential,
        }
    }
}

/// `PATCH /api/me/factors/passkeys/{id}`: a new name.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct PasskeyRenameRequest {
    #[schema(required = true, value_type = String, min_length = 1, max_length = 64, example = "Work laptop")]
    #[serde(default, deserialize_with = "lenient::text")]
    pub name: Option<String>,
}

/// `POST /api/passkeys/options`: the client a passkey sign-in is for.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct PasskeyOptionsRequest {
    /// A registered API client.
    #[schema(required = true, value_type = String, min_length = 1, max_length = 255)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub client_id: Option<String>,
}

/// `POST /api/token/mfa/passkey-options`: the sign-in waiting for a passkey.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct MfaPasskeyOptionsRequest {
    /// The `mfa_token` of the `mfa_required` answer.
    #[schema(required = true, value_type = String, pattern = "^[0-9a-f]{64,256}$")]
    #[serde(default, deserialize_with = "lenient::text")]
    pub mfa_token: Option<String>,
}

/// `POST /oauth/revoke` (RFC 7009) and `POST /oauth/introspect` (RFC
/// 7662): the token and the client asking (unless it is named by HTTP Basic).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ClientTokenRequest {
    /// A token: to revoke, an access or a refresh token of the client; to
    /// introspect, an access token of any client.
    #[schema(required = true, value_type = String, min_length = 1)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub token: Option<String>,
    /// `access_token` or `refresh_token`: a hint only (RFC 7009 §2.1, RFC
    /// 7662 §2.1): revocation looks up both kinds whatever it says, and only
    /// an access token is ever active to introspection.
    #[schema(value_type = String, example = "refresh_token")]
    #[serde(default, deserialize_with = "lenient::text")]
    pub token_type_hint: Option<String>,
    /// The client, unless `Authorization: Basic` names it.
    #[schema(value_type = String, min_length = 1, max_length = 255)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub client_id: Option<String>,
    /// A confidential client's secret (`client_secret_post`), unless sent by HTTP Basic.
    #[schema(value_type = String, format = Password)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub client_secret: Option<String>,
}

/// `POST /api/token`, by `grant_type`.
#[derive(Debug, ToSchema)]
#[serde(untagged)]
pub enum TokenRequest {
    Password(PasswordGrantRequest),
    RefreshToken(RefreshGrantRequest),
    Mfa(MfaGrantRequest),
    Passkey(PasskeyGrantRequest),
    EmailCode(EmailCodeGrantRequest),
    AuthorizationCode(AuthorizationCodeGrantRequest),
}

impl TokenRequest {
    /// The grant the body asks for; any other `grant_type`, or none, is
    /// `unsupported_grant_type`.
    pub fn of(body: Object) -> Result<Self, Problem> {
        match body.text("grant_type").as_deref() {
            Some("refresh_token") => Ok(Self::RefreshToken(body.parse()?)),
            Some("password") => Ok(Self::Password(body.parse()?)),
            Some("mfa") => Ok(Self::Mfa(body.parse()?)),
            Some("passkey") => Ok(Self::Passkey(body.parse()?)),
            Some("email_code") => Ok(Self::EmailCode(body.parse()?)),
            Some("authorization_code") => Ok(Self::AuthorizationCode(body.parse()?)),
            _ => Err(ServiceError::UnsupportedGrantType.into()),
        }
    }
}

/// `POST /api/change-password`: the current credentials of this
/// device's login and the new password.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ChangePasswordRequest {
    #[serde(flatten)]
    pub login: PasswordGrantRequest,
    /// The password rules apply; it must differ from the current one.
    #[schema(required = true, value_type = String, format = Password, min_length = 8, max_length = 128, pattern = "^\\s*\\S[\\s\\S]{6,}\\S\\s*$")]
    #[serde(default, deserialize_with = "lenient::text")]
    pub new_password: Option<String>,
}

impl ChangePasswordRequest {
    /// `grant_type` must be `password`: anything else, missing included, is
    /// `unsupported_grant_type` (the contract's "anything else").
    pub fn checked(self) -> Result<Self, ServiceError> {
        match self.login.grant_type.as_deref() {
            Some("password") => Ok(self),
            _ => Err(ServiceError::UnsupportedGrantType),
        }
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
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ForgotPasswordRequest {
    /// The email address; the answer is the same whether or not it has an account.
    #[schema(required = true, value_type = String, format = Email, min_length = 1, max_length = 254)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub username: Option<String>,
}

/// `POST /api/email-code`: mail a sign-in code to this address.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct EmailCodeRequest {
    /// A registered API client; an unknown one is `invalid_client`.
    #[schema(required = true, value_type = String, min_length = 1, max_length = 255, pattern = "^[ \\t\\n\\r]*[!-~]+[ \\t\\n\\r]*$")]
    #[serde(default, deserialize_with = "lenient::text")]
    pub client_id: Option<String>,
    /// The email address; the answer is the same whether or not it has an account.
    #[schema(required = true, value_type = String, format = Email, min_length = 1, max_length = 254)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub username: Option<String>,
}

impl From<EmailCodeRequest> for EmailCodeInput {
    fn from(r: EmailCodeRequest) -> Self {
        EmailCodeInput {
            client_id: r.client_id,
            email: r.username,
        }
    }
}

/// `POST /api/reset-password`: the token of the mailed link and the new password.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ResetPasswordRequest {
    /// The last part of the reset link; unknown, used or expired is `invalid_token`.
    #[schema(required = true, value_type = String, min_length = 1, pattern = "\\S")]
    #[serde(default, deserialize_with = "lenient::text")]
    pub token: Option<String>,
    #[schema(required = true, value_type = String, format = Password, min_length = 8, max_length = 128, pattern = "^\\s*\\S[\\s\\S]{6,}\\S\\s*$")]
    #[serde(default, deserialize_with = "lenient::text")]
    pub password: Option<String>,
}

/// `PATCH /api/me`: each field absent (or empty) keeps its value, `null`
/// clears it (optional fields only), a value replaces it — with the rules of
/// registration.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct UpdateProfileRequest {
    #[schema(value_type = Option<String>, max_length = 191)]
    #[serde(default, deserialize_with = "lenient::patch")]
    pub firstname: Patch<String>,
    #[schema(value_type = Option<String>, max_length = 191)]
    #[serde(default, deserialize_with = "lenient::patch")]
    pub insertion: Patch<String>,
    #[schema(value_type = Option<String>, max_length = 191)]
    #[serde(default, deserialize_with = "lenient::patch")]
    pub lastname: Patch<String>,
    /// An international number, stored in E.164.
    #[schema(value_type = Option<String>)]
    #[serde(default, deserialize_with = "lenient::patch")]
    pub telephone: Patch<String>,
    #[schema(value_type = Option<String>, max_length = 64)]
    #[serde(default, deserialize_with = "lenient::patch")]
    pub tin_nr: Patch<String>,
    /// `en`, `nl`, `fr`, `de` or `es`.
    #[schema(value_type = Option<String>, example = "nl")]
    #[serde(default, deserialize_with = "lenient::patch")]
    pub language: Patch<String>,
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

/// The account's password, to be sure: `DELETE /api/me`, turning the
/// authenticator app off, new recovery codes.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct PasswordConfirmationRequest {
    #[schema(required = true, value_type = String, format = Password, min_length = 1, pattern = "\\S", max_length = 1024)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub password: Option<String>,
}

/// `POST /api/me/factors/totp/confirm`: the first code of the app.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct TotpCodeRequest {
    /// The 6-digit code the authenticator app shows for the new secret.
    #[schema(required = true, value_type = String, pattern = "^[0-9]{6}$", example = "123456")]
    #[serde(default, deserialize_with = "lenient::text")]
    pub code: Option<String>,
}

/// `POST /api/policies/accept`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct AcceptPoliciesRequest {
    /// Revision ids to accept (a form repeats the key).
    #[schema(required = true, value_type = Vec<i32>, min_items = 1, max_items = 100)]
    #[serde(default, deserialize_with = "lenient::int_list")]
    pub policies: Option<Vec<Option<i32>>>,
}

/// `POST /api/me/email`: the address to change to, and the account's password.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct EmailChangeRequest {
    /// The new address; the answer is the same whether or not another account has it.
    #[schema(required = true, value_type = String, format = Email, min_length = 1, max_length = 254)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub new_email: Option<String>,
    /// The account's current password.
    #[schema(required = true, value_type = String, format = Password, min_length = 1, pattern = "\\S", max_length = 1024)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub password: Option<String>,
}

/// `POST /api/me/email/confirm`: the code mailed to the new address.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct EmailChangeCodeRequest {
    /// The 6-digit code of the mail to the new address.
    #[schema(required = true, value_type = String, pattern = "^[0-9]{6}$", example = "123456")]
    #[serde(default, deserialize_with = "lenient::text")]
    pub code: Option<String>,
}
