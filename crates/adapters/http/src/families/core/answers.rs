//! The core family's success answers: what the handlers serialize, and the
//! OpenAPI response schemas. Fields that may be unknown are `null`, never left out.

pub use crate::edge::bearer::TokenType;
use registrar_domain::{Organisation, SignInMethod};
use registrar_service::{
    Acceptance, AuthContext, CurrentPolicy, FactorsView, PasskeyOptions, PasskeyView, ProfileView, SessionView,
    TokenPair, TotpEnrolment,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::edge::language::Lang;

/// A token pair: the answer of register, token and change-password.
#[derive(Serialize, ToSchema)]
pub struct TokenPairResponse {
    /// 64 lowercase hex characters.
    #[schema(pattern = "^[0-9a-f]{64,256}$")]
    pub access_token: String,
    pub token_type: TokenType,
    /// Seconds until the access token expires (`auth.access_token_ttl`).
    #[schema(example = 3600)]
    pub expires_in: i64,
    /// 64 lowercase hex characters; dies when used (rotation).
    #[schema(pattern = "^[0-9a-f]{64,256}$")]
    pub refresh_token: String,
}

/// The answer to `grant_type=authorization_code`: the pair, the scopes
/// granted, and for an OpenID request the ID token.
#[derive(Serialize, ToSchema)]
pub struct CodeTokenResponse {
    #[serde(flatten)]
    pub pair: TokenPairResponse,
    /// The scopes granted, space-delimited (RFC 6749 §5.1).
    pub scope: String,
    /// A JWT signed RS256 (OpenID Connect Core §2), when `openid` was asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

impl From<&registrar_service::CodeTokens> for CodeTokenResponse {
    fn from(tokens: &registrar_service::CodeTokens) -> Self {
        Self {
            pair: TokenPairResponse::from(&tokens.pair),
            scope: tokens.scope.to_string(),
            id_token: tokens.id_token.clone(),
        }
    }
}

impl From<&TokenPair> for TokenPairResponse {
    fn from(pair: &TokenPair) -> Self {
        Self {
            access_token: pair.access_token.expose().to_owned(),
            token_type: TokenType::Bearer,
            expires_in: pair.expires_in,
            refresh_token: pair.refresh_token.expose().to_owned(),
        }
    }
}

/// An organisation's details (typed registration, `usertype` `organisation`).
#[derive(Serialize, ToSchema)]
pub struct OrganisationProfile {
    pub name: String,
    pub street_name: String,
    pub town: String,
    /// One letter, A–T.
    pub sector: String,
}

impl From<&Organisation> for OrganisationProfile {
    fn from(o: &Organisation) -> Self {
        Self {
            name: o.name.clone(),
            street_name: o.street_name.clone(),
            town: o.town.clone(),
            sector: o.sector.clone(),
        }
    }
}

/// `GET`/`PATCH /api/me`: the caller's account, whichever family made it.
#[derive(Serialize, ToSchema)]
pub struct ProfileResponse {
    pub id: String,
    /// The email address.
    #[schema(format = Email)]
    pub username: String,
    #[schema(required = true)]
    pub firstname: Option<String>,
    #[schema(required = true)]
    pub insertion: Option<String>,
    #[schema(required = true)]
    pub lastname: Option<String>,
    /// The name to show: the given one, else built from the person's names or the organisation's.
    #[schema(required = true)]
    pub display_name: Option<String>,
    /// E.164.
    #[schema(required = true)]
    pub telephone: Option<String>,
    #[schema(required = true)]
    pub tin_nr: Option<String>,
    #[schema(required = true)]
    pub postal_code: Option<String>,
    /// `person`, `customer` or `organisation`.
    #[schema(example = "person")]
    pub usertype: &'static str,
    #[schema(required = true)]
    pub organisation: Option<OrganisationProfile>,
    /// `guest` unless changed with `registrar user role`.
    #[schema(example = "guest")]
    pub role: String,
    #[schema(example = "en")]
    pub language: String,
    pub email_confirmed: bool,
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Every revision the user accepted.
    pub accepted_policies: Vec<i32>,
    /// Current revisions of required types still to accept.
    pub pending_policies: Vec<i32>,
}

impl From<&ProfileView> for ProfileResponse {
    fn from(view: &ProfileView) -> Self {
        let u = &view.user;
        let p = &u.profile;
        Self {
            id: u.id.as_str().to_owned(),
            username: u.email.as_str().to_owned(),
            firstname: p.firstname.clone(),
            insertion: p.insertion.clone(),
            lastname: p.lastname.clone(),
            display_name: p.display_name(),
            telephone: p.telephone.as_ref().map(|t| t.as_str().to_owned()),
            tin_nr: p.tin_nr.clone(),
            postal_code: p.postal_code.clone(),
            usertype: p.usertype.as_str(),
            organisation: p.organisation.as_ref().map(OrganisationProfile::from),
            role: u.role.as_str().to_owned(),
            language: u.language.code().to_owned(),
            email_confirmed: u.email_confirmed(),
            created_at: crate::timestamp(u.created_at),
            accepted_policies: view.accepted_policies.iter().map(|r| r.0).collect(),
            pending_policies: view.pending_policies.iter().map(|r| r.0).collect(),
        }
    }
}

/// One of the caller's sessions (`GET /api/sessions`).
#[derive(Serialize, ToSchema)]
pub struct SessionResponse {
    pub device_id: String,
    pub device_name: String,
    pub client_id: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Last time a token of this session was issued, refreshed or used.
    #[schema(format = DateTime)]
    pub last_used_at: String,
    /// Whether this is the session of the token that asked.
    pub current: bool,
    pub sign_in_method: SignInMethodName,
}

/// How a session signed in; a refresh keeps it, signing in again on the
/// device replaces it. `password`: the password alone (`grant_type=password`,
/// `/api/users/login`, `/api/change-password`); `password+totp` and
/// `password+recovery_code`: the password, then a code of the authenticator
/// app or a recovery code (`grant_type=mfa`); `registration`: the session
/// `POST /api/register` opens; `signup_link`: the session the confirmation
/// link of an email-first signup opens; `import`: given with the account by
/// `registrar seed`; `passkey`: a passkey with user verification and no
/// password (`grant_type=passkey`); `password+passkey`: the password, then a
/// passkey (`grant_type=mfa`); `email_code`: a code mailed to the address
/// (`grant_type=email_code`); `email_code+totp`, `email_code+recovery_code` and
/// `email_code+passkey`: the mailed code, then a code of the app, a recovery
/// code or a passkey.
#[derive(Clone, Copy, Serialize, ToSchema)]
pub enum SignInMethodName {
    #[serde(rename = "password")]
    Password,
    #[serde(rename = "password+totp")]
    PasswordTotp,
    #[serde(rename = "password+recovery_code")]
    PasswordRecoveryCode,
    #[serde(rename = "registration")]
    Registration,
    #[serde(rename = "signup_link")]
    SignupLink,
    #[serde(rename = "import")]
    Import,
    #[serde(rename = "passkey")]
    Passkey,
    #[serde(rename = "password+passkey")]
    PasswordPasskey,
    #[serde(rename = "email_code")]
    EmailCode,
    #[serde(rename = "email_code+totp")]
    EmailCodeTotp,
    #[serde(rename = "email_code+recovery_code")]
    EmailCodeRecoveryCode,
    #[serde(rename = "email_code+passkey")]
    EmailCodePasskey,
}

impl From<SignInMethod> for SignInMethodName {
    fn from(method: SignInMethod) -> Self {
        match method {
            SignInMethod::Password => Self::Password,
            SignInMethod::PasswordTotp => Self::PasswordTotp,
            SignInMethod::PasswordRecoveryCode => Self::PasswordRecoveryCode,
            SignInMethod::Registration => Self::Registration,
            SignInMethod::SignupLink => Self::SignupLink,
            SignInMethod::Import => Self::Import,
            SignInMethod::Passkey => Self::Passkey,
            SignInMethod::PasswordPasskey => Self::PasswordPasskey,
            SignInMethod::EmailCode => Self::EmailCode,
            SignInMethod::EmailCodeTotp => Self::EmailCodeTotp,
            SignInMethod::EmailCodeRecoveryCode => Self::EmailCodeRecoveryCode,
            SignInMethod::EmailCodePasskey => Self::EmailCodePasskey,
        }
    }
}

impl From<&SessionView> for SessionResponse {
    fn from(v: &SessionView) -> Self {
        let s = &v.session;
        Self {
            device_id: s.device_id.as_str().to_owned(),
            device_name: s.device_name.as_str().to_owned(),
            client_id: s.client_id.as_str().to_owned(),
            created_at: crate::timestamp(s.created_at),
            last_used_at: crate::timestamp(s.last_used_at),
            current: v.current,
            sign_in_method: s.sign_in_method.into(),
        }
    }
}

/// The current revision of a policy, in the request's language (else the
/// configured default, else English, else any).
#[derive(Serialize, ToSchema)]
pub struct PolicyResponse {
    pub html: String,
    /// `tac`, `privacy`, `cookie`, `shop` or another published type.
    #[serde(rename = "type")]
    #[schema(example = "tac")]
    pub policy_type: String,
    pub title: String,
    pub description: String,
    /// The label of the accept button.
    pub button: String,
    #[schema(example = "1.0")]
    pub version: String,
    /// What `policies` lists to accept this revision.
    pub revision_id: i32,
    /// Publication day.
    #[schema(format = Date)]
    pub date: String,
}

impl PolicyResponse {
    pub fn new(policy: &CurrentPolicy, lang: Lang, fallback: Lang) -> Self {
        let r = &policy.revision;
        let text = r.text(lang.0, fallback.0).map(|(_, t)| t);
        let pick = |f: fn(&registrar_domain::PolicyText) -> &String| text.map(f).cloned().unwrap_or_default();
        Self {
            html: pick(|t| &t.html),
            policy_type: r.policy_type.as_str().to_owned(),
            title: pick(|t| &t.title),
            description: pick(|t| &t.description),
            button: pick(|t| &t.button),
            version: r.version.clone(),
            revision_id: r.id.0,
            date: r.published_at.format("%Y-%m-%d").to_string(),
        }
    }
}

/// A policy in `GET /api/policies`: the revision and whether registration requires it.
#[derive(Serialize, ToSchema)]
pub struct ListedPolicyResponse {
    #[serde(flatten)]
    pub policy: PolicyResponse,
    /// Its type is in `policies.required_types`.
    pub required: bool,
}

impl ListedPolicyResponse {
    pub fn new(policy: &CurrentPolicy, lang: Lang, fallback: Lang) -> Self {
        Self {
            policy: PolicyResponse::new(policy, lang, fallback),
            required: policy.required,
        }
    }
}

/// `POST /api/policies/accept`: the user's policy state afterwards.
#[derive(Serialize, ToSchema)]
pub struct AcceptanceResponse {
    /// Every revision the user has accepted.
    pub accepted: Vec<i32>,
    /// Current revisions of required types not yet accepted.
    pub pending: Vec<i32>,
}

impl From<&Acceptance> for AcceptanceResponse {
    fn from(a: &Acceptance) -> Self {
        Self {
            accepted: a.accepted.iter().map(|r| r.0).collect(),
            pending: a.pending.iter().map(|r| r.0).collect(),
        }
    }
}

/// `POST /oauth/introspect` (RFC 7662): an active access token and what it
/// stands for, or exactly `{"active": false}`.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum IntrospectionResponse {
    Active(ActiveToken),
    Inactive(InactiveToken),
}

/// A live access token.
#[derive(Serialize, ToSchema)]
pub struct ActiveToken {
    /// Always `true`.
    #[schema(value_type = bool, example = true)]
    pub active: bool,
    /// The user's id.
    pub sub: String,
    /// The client the token was issued to.
    pub client_id: String,
    /// The user's email address.
    pub username: String,
    /// The scopes the token was granted, space-delimited (RFC 6749 §3.3);
    /// a token of Registrar's own grants has every scope.
    #[schema(example = "openid email profile phone offline_access")]
    pub scope: String,
    /// When the access token expires, in seconds since the epoch.
    pub exp: i64,
    /// When the access token was issued (signed in or refreshed), in seconds since the epoch.
    pub iat: i64,
    pub token_type: TokenType,
}

/// Any other token: unknown, malformed, expired, revoked, a refresh token,
/// or one of a disabled account; nothing more is said.
#[derive(Serialize, ToSchema)]
pub struct InactiveToken {
    /// Always `false`.
    #[schema(value_type = bool, example = false)]
    pub active: bool,
}

impl From<Option<AuthContext>> for IntrospectionResponse {
    fn from(context: Option<AuthContext>) -> Self {
        match context {
            Some(context) => {
                let AuthContext { session, user } = &context;
                Self::Active(ActiveToken {
                    active: true,
                    sub: user.id.as_str().to_owned(),
                    client_id: session.client_id.to_string(),
                    username: user.email.as_str().to_owned(),
                    scope: registrar_service::granted_scope(&context).to_string(),
                    exp: session.access_expires_at.timestamp(),
                    iat: session.refreshed_at.timestamp(),
                    token_type: TokenType::Bearer,
                })
            }
            None => Self::Inactive(InactiveToken { active: false }),
        }
    }
}

/// `{}`: forgot and reset password say nothing more.
#[derive(Serialize, ToSchema)]
pub struct EmptyResponse {}

/// The authenticator app's part of [`FactorsResponse`].
#[derive(Serialize, ToSchema)]
pub struct TotpState {
    /// On: a confirmed secret (a pending one is not on).
    pub enabled: bool,
}

/// A passkey of the caller's, as `GET /api/me/factors` lists it.
#[derive(Serialize, ToSchema)]
pub struct PasskeySummary {
    pub id: String,
    pub name: String,
    pub created_at: String,
    #[schema(nullable = true)]
    pub last_used_at: Option<String>,
}

impl From<&PasskeyView> for PasskeySummary {
    fn from(p: &PasskeyView) -> Self {
        Self {
            id: p.id.clone(),
            name: p.name.clone(),
            created_at: crate::timestamp(p.created_at),
            last_used_at: p.last_used_at.map(crate::timestamp),
        }
    }
}

/// `POST /api/me/factors/passkeys`: the passkey added.
#[derive(Serialize, ToSchema)]
pub struct PasskeyAddedResponse {
    /// Its id in `/api/me/factors/passkeys/{id}`.
    pub id: String,
    pub name: String,
    pub created_at: String,
}

impl From<&PasskeyView> for PasskeyAddedResponse {
    fn from(p: &PasskeyView) -> Self {
        Self {
            id: p.id.clone(),
            name: p.name.clone(),
            created_at: crate::timestamp(p.created_at),
        }
    }
}

/// The options of a WebAuthn ceremony begun.
#[derive(Serialize, ToSchema)]
pub struct PasskeyOptionsResponse {
    /// Send it back with the authenticator's answer (within 5 minutes, once).
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub ceremony: String,
    /// For `navigator.credentials.create()` (PublicKeyCredentialCreationOptionsJSON)
    /// or `.get()` (PublicKeyCredentialRequestOptionsJSON), base64url as in WebAuthn Level 3.
    #[serde(rename = "publicKey")]
    #[schema(value_type = Object)]
    pub public_key: serde_json::Value,
}

impl From<PasskeyOptions> for PasskeyOptionsResponse {
    fn from(options: PasskeyOptions) -> Self {
        Self {
            ceremony: options.ceremony.expose().to_owned(),
            public_key: options.public_key,
        }
    }
}

/// `POST /api/token/mfa/passkey-options`: the options of a passkey second factor.
#[derive(Serialize, ToSchema)]
pub struct MfaPasskeyOptionsResponse {
    /// For `navigator.credentials.get()` (PublicKeyCredentialRequestOptionsJSON): the
    /// account's passkeys allowed. The answer goes to `grant_type=mfa` as `credential`.
    #[serde(rename = "publicKey")]
    #[schema(value_type = Object)]
    pub public_key: serde_json::Value,
}

/// `GET /api/me/factors`.
#[derive(Serialize, ToSchema)]
pub struct FactorsResponse {
    pub totp: TotpState,
    pub passkeys: Vec<PasskeySummary>,
    /// Unused recovery codes.
    #[schema(example = 10)]
    pub recovery_codes_left: u32,
}

impl From<&FactorsView> for FactorsResponse {
    fn from(view: &FactorsView) -> Self {
        Self {
            totp: TotpState {
                enabled: view.totp_enabled,
            },
            passkeys: view.passkeys.iter().map(PasskeySummary::from).collect(),
            recovery_codes_left: view.recovery_codes_left,
        }
    }
}

/// `POST /api/me/factors/totp`: a pending secret for an authenticator app.
#[derive(Serialize, ToSchema)]
pub struct TotpEnrolmentResponse {
    /// The secret, RFC 4648 base32 without padding, for typing in.
    #[schema(example = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")]
    pub secret: String,
    /// `otpauth://totp/<issuer>:<email>?secret=…&issuer=<issuer>&algorithm=SHA1&digits=6&period=30`
    /// (`mfa.issuer` names the issuer).
    pub otpauth_uri: String,
    /// The `otpauth_uri` as a QR code, an SVG document.
    pub qr_svg: String,
}

impl From<TotpEnrolment> for TotpEnrolmentResponse {
    fn from(enrolment: TotpEnrolment) -> Self {
        // A QR code holds far more than an otpauth link of our bounded
        // issuer and address, so this does not fail; if it did, the secret
        // and link still let the app be set up.
        let qr_svg = qrcode::QrCode::new(enrolment.otpauth_uri.as_bytes())
            .map(|code| {
                code.render::<qrcode::render::svg::Color<'_>>()
                    .min_dimensions(200, 200)
                    .build()
            })
            .unwrap_or_default();
        Self {
            secret: enrolment.secret,
            otpauth_uri: enrolment.otpauth_uri,
            qr_svg,
        }
    }
}

/// Recovery codes, in clear this once: each signs in once instead of a
/// code from the app.
#[derive(Serialize, ToSchema)]
pub struct RecoveryCodesResponse {
    #[schema(example = json!(["abcde-fghjk"]))]
    pub recovery_codes: Vec<String>,
}

#[cfg(test)]
mod tests {
    use registrar_domain::SignInMethod;

    use super::SignInMethodName;

    #[test]
    fn a_sign_in_method_is_answered_by_the_name_the_domain_gives_it() {
        for method in SignInMethod::ALL {
            let answered = serde_json::to_value(SignInMethodName::from(method)).unwrap();
            assert_eq!(answered, method.as_str(), "{method:?}");
        }
    }
}

/// `GET /oauth/jwks`: the public keys that sign ID tokens, a JWK Set (RFC
/// 7517 §5).
#[derive(Serialize, ToSchema)]
pub struct JwksResponse {
    /// The current key first, then the retired ones still published.
    pub keys: Vec<JwkResponse>,
}

/// An RSA public key as a JWK (RFC 7517 §4, RFC 7518 §6.3.1).
#[derive(Serialize, ToSchema)]
pub struct JwkResponse {
    /// Always `RSA`.
    #[schema(example = "RSA")]
    pub kty: &'static str,
    /// Always `sig`.
    #[schema(example = "sig")]
    #[serde(rename = "use")]
    pub use_: &'static str,
    /// The signature algorithm, `RS256`.
    #[schema(example = "RS256")]
    pub alg: &'static str,
    /// The key id, named by the `kid` header of what it signed.
    pub kid: String,
    /// The modulus, big-endian, base64url without padding.
    pub n: String,
    /// The public exponent, big-endian, base64url without padding (`AQAB`).
    #[schema(example = "AQAB")]
    pub e: String,
}

impl From<registrar_store::SigningKeyRecord> for JwkResponse {
    fn from(key: registrar_store::SigningKeyRecord) -> Self {
        Self {
            kty: "RSA",
            use_: "sig",
            alg: key.alg.as_str(),
            kid: key.kid,
            n: key.public_n,
            e: key.public_e,
        }
    }
}

/// One of the caller's security events (`GET /api/me/activity`): no secret,
/// no other account's data; fields an event does not have are `null`.
#[derive(Serialize, ToSchema)]
pub struct ActivityEventResponse {
    /// The event's type: `user.signed_in`, `user.sign_in_failed`,
    /// `session.revoked`, `user.password_changed`, … (see the README's audit trail).
    #[serde(rename = "type")]
    #[schema(example = "user.signed_in")]
    pub kind: String,
    #[schema(format = DateTime)]
    pub time: String,
    pub device_name: Option<String>,
    pub client_id: Option<String>,
    /// The approximate place: the network of the client's address
    /// (`203.0.113.0/24`, `2001:db8:1::/48`); `null` when addresses are kept hashed.
    pub place: Option<String>,
    /// How a sign-in was made (`password`, `email_code`, `password+totp`, …).
    pub method: Option<String>,
    /// The factor added or removed (`totp`, `passkey`, `recovery_codes`).
    pub factor: Option<String>,
    /// Why (`wrong_password`, `logout`, `device`, `change`, `reset`, …).
    pub reason: Option<String>,
}

impl From<&registrar_service::ActivityEntry> for ActivityEventResponse {
    fn from(entry: &registrar_service::ActivityEntry) -> Self {
        Self {
            kind: entry.kind.name().to_owned(),
            time: entry.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            device_name: entry.device_name.clone(),
            client_id: entry.client_id.clone(),
            place: entry.place.clone(),
            method: entry.method.clone(),
            factor: entry.factor.clone(),
            reason: entry.reason.clone(),
        }
    }
}

/// A page of the caller's activity, newest first.
#[derive(Serialize, ToSchema)]
pub struct ActivityResponse {
    pub events: Vec<ActivityEventResponse>,
    /// Pass as `cursor` for the next (older) page; `null` on the last page.
    pub next_cursor: Option<i64>,
}

impl From<&registrar_service::ActivityPage> for ActivityResponse {
    fn from(page: &registrar_service::ActivityPage) -> Self {
        Self {
            events: page.entries.iter().map(ActivityEventResponse::from).collect(),
            next_cursor: page.next_cursor,
        }
    }
}
