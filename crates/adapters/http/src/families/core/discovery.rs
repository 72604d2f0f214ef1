//! Provider metadata: OpenID Connect Discovery 1.0 (§3, served at
//! `/.well-known/openid-configuration`) and OAuth 2.0 Authorization Server
//! Metadata (RFC 8414, `/.well-known/oauth-authorization-server`), one
//! document for both. It lives in the core family beside the endpoints it
//! names (the token endpoint, revocation, introspection, the JWKS), whose
//! clients are the ones that read it; ops holds only what operators read.
//!
//! The document is a pure function of the issuer and the languages on offer
//! ([`metadata`]), so that a unit test reads every field.

use actix_web::http::header;
use actix_web::HttpResponse;
use registrar_domain::{Language, OAuthScope};
use registrar_mail::Mailer;
use registrar_store::Store;
use serde::Serialize;
use utoipa::ToSchema;

use super::{CoreError, CoreFaults};
use crate::edge::call::Call;

/// How long the document may be cached: it changes only with the
/// configuration (a restart).
pub const METADATA_MAX_AGE_SECONDS: u32 = 300;

/// The endpoints, as paths under the issuer. Some are served by work still
/// to come (the authorization endpoint, userinfo, end session); the paths are
/// fixed.
pub const AUTHORIZATION_PATH: &str = "/oauth/authorize";
pub const TOKEN_PATH: &str = "/api/token";
pub const JWKS_PATH: &str = "/oauth/jwks";
pub const USERINFO_PATH: &str = "/userinfo";
pub const REVOCATION_PATH: &str = "/oauth/revoke";
pub const INTROSPECTION_PATH: &str = "/oauth/introspect";
pub const END_SESSION_PATH: &str = "/oauth/logout";

/// The grants `/api/token` takes: the two of RFC 6749 a relying party
/// uses, the password grant, and Registrar's own second-factor, passkey and
/// mailed-code grants (`core/tokens.rs`).
pub const GRANT_TYPES: [&str; 6] = [
    "authorization_code",
    "refresh_token",
    "password",
    "mfa",
    "passkey",
    "email_code",
];

/// The claims an ID token and `/userinfo` may carry.
pub const CLAIMS: [&str; 15] = [
    "sub",
    "iss",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "amr",
    "email",
    "email_verified",
    "name",
    "given_name",
    "family_name",
    "locale",
    "phone_number",
];

/// The provider metadata (OpenID Connect Discovery 1.0 §3, RFC 8414 §2).
#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderMetadata {
    /// `http.public_url`, without a trailing slash: the `iss` of every ID token.
    #[schema(example = "https://id.example.com")]
    pub issuer: String,
    /// `<issuer>/oauth/authorize`.
    pub authorization_endpoint: String,
    /// `<issuer>/api/token`.
    pub token_endpoint: String,
    /// `<issuer>/oauth/jwks`.
    pub jwks_uri: String,
    /// `<issuer>/userinfo`.
    pub userinfo_endpoint: String,
    /// `<issuer>/oauth/revoke`.
    pub revocation_endpoint: String,
    /// `<issuer>/oauth/introspect`.
    pub introspection_endpoint: String,
    /// `<issuer>/oauth/logout` (RP-Initiated Logout 1.0).
    pub end_session_endpoint: String,
    /// `openid`, `email`, `profile`, `phone`, `offline_access`.
    pub scopes_supported: Vec<&'static str>,
    /// `["code"]`.
    pub response_types_supported: Vec<&'static str>,
    /// `["query"]`.
    pub response_modes_supported: Vec<&'static str>,
    /// `authorization_code`, `refresh_token`, `password`, and Registrar's
    /// own `mfa`, `passkey`, `email_code`.
    pub grant_types_supported: Vec<&'static str>,
    /// `["S256"]` (RFC 7636; `plain` is refused).
    pub code_challenge_methods_supported: Vec<&'static str>,
    /// `["public"]`: `sub` is the user id, the same for every client.
    pub subject_types_supported: Vec<&'static str>,
    /// `["RS256"]`.
    pub id_token_signing_alg_values_supported: Vec<&'static str>,
    /// `client_secret_basic`, `client_secret_post` (confidential clients),
    /// `none` (public clients, by `client_id`).
    pub token_endpoint_auth_methods_supported: Vec<&'static str>,
    /// As at the token endpoint.
    pub revocation_endpoint_auth_methods_supported: Vec<&'static str>,
    /// `client_secret_basic`, `client_secret_post`: only confidential clients introspect.
    pub introspection_endpoint_auth_methods_supported: Vec<&'static str>,
    /// The claims of ID tokens and `/userinfo`.
    pub claims_supported: Vec<&'static str>,
    /// `none`, `login`, `consent`.
    pub prompt_values_supported: Vec<&'static str>,
    /// The languages of the sign-in page (those of the message catalogue).
    pub ui_locales_supported: Vec<String>,
    /// `false`: no request objects.
    pub request_parameter_supported: bool,
    /// `false` (the default would be `true`).
    pub request_uri_parameter_supported: bool,
    /// `false`: no `claims` request parameter.
    pub claims_parameter_supported: bool,
    /// `true`: the authorization response carries `iss` (RFC 9207).
    pub authorization_response_iss_parameter_supported: bool,
}

/// The document for `issuer` (already without a trailing slash) and the
/// languages on offer.
pub fn metadata(issuer: &str, languages: &[Language]) -> ProviderMetadata {
    let at = |path: &str| format!("{issuer}{path}");
    let client_auth = vec!["client_secret_basic", "client_secret_post", "none"];
    ProviderMetadata {
        issuer: issuer.to_owned(),
        authorization_endpoint: at(AUTHORIZATION_PATH),
        token_endpoint: at(TOKEN_PATH),
        jwks_uri: at(JWKS_PATH),
        userinfo_endpoint: at(USERINFO_PATH),
        revocation_endpoint: at(REVOCATION_PATH),
        introspection_endpoint: at(INTROSPECTION_PATH),
        end_session_endpoint: at(END_SESSION_PATH),
        scopes_supported: OAuthScope::ALL.iter().map(|s| s.as_str()).collect(),
        response_types_supported: vec!["code"],
        response_modes_supported: vec!["query"],
        grant_types_supported: GRANT_TYPES.to_vec(),
        code_challenge_methods_supported: vec!["S256"],
        subject_types_supported: vec!["public"],
        id_token_signing_alg_values_supported: vec!["RS256"],
        token_endpoint_auth_methods_supported: client_auth.clone(),
        revocation_endpoint_auth_methods_supported: client_auth,
        introspection_endpoint_auth_methods_supported: vec!["client_secret_basic", "client_secret_post"],
        claims_supported: CLAIMS.to_vec(),
        prompt_values_supported: vec!["none", "login", "consent"],
        ui_locales_supported: languages.iter().map(|l| l.code().to_owned()).collect(),
        request_parameter_supported: false,
        request_uri_parameter_supported: false,
        claims_parameter_supported: false,
        authorization_response_iss_parameter_supported: true,
    }
}

fn answer<S: Store, M: Mailer>(call: &Call<S, M>) -> HttpResponse {
    let settings = call.app.settings();
    HttpResponse::Ok()
        .insert_header((
            header::CACHE_CONTROL,
            format!("public, max-age={METADATA_MAX_AGE_SECONDS}"),
        ))
        .json(metadata(&settings.public_url, &settings.languages))
}

/// OpenID Provider metadata
///
/// OpenID Connect Discovery 1.0: the issuer, its endpoints and what they
/// support. The same document as `/.well-known/oauth-authorization-server`.
/// Cacheable for a short while.
#[utoipa::path(
    get,
    path = "/.well-known/openid-configuration",
    operation_id = "openid_configuration",
    tag = "core",
    responses(
        (status = 200, description = "The provider metadata, with `Cache-Control: public, max-age=300`.",
            body = ProviderMetadata,
            headers(("Cache-Control" = String, description = "`public, max-age=300`"))),
        CoreFaults,
    )
)]
pub async fn openid_configuration<S: Store, M: Mailer>(call: Call<S, M>) -> Result<HttpResponse, CoreError> {
    Ok(answer(&call))
}

/// Authorization server metadata
///
/// RFC 8414: the same document as `/.well-known/openid-configuration`.
/// Cacheable for a short while.
#[utoipa::path(
    get,
    path = "/.well-known/oauth-authorization-server",
    operation_id = "oauth_authorization_server",
    tag = "core",
    responses(
        (status = 200, description = "The authorization server metadata, with `Cache-Control: public, max-age=300`.",
            body = ProviderMetadata,
            headers(("Cache-Control" = String, description = "`public, max-age=300`"))),
        CoreFaults,
    )
)]
pub async fn oauth_authorization_server<S: Store, M: Mailer>(call: Call<S, M>) -> Result<HttpResponse, CoreError> {
    Ok(answer(&call))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_document_names_every_endpoint_under_the_issuer_and_what_they_support() {
        let doc = serde_json::to_value(metadata("https://id.example.com/auth", &Language::BUILT_IN)).unwrap();
        let expected = json!({
            "issuer": "https://id.example.com/auth",
            "authorization_endpoint": "https://id.example.com/auth/oauth/authorize",
            "token_endpoint": "https://id.example.com/auth/api/token",
            "jwks_uri": "https://id.example.com/auth/oauth/jwks",
            "userinfo_endpoint": "https://id.example.com/auth/userinfo",
            "revocation_endpoint": "https://id.example.com/auth/oauth/revoke",
            "introspection_endpoint": "https://id.example.com/auth/oauth/introspect",
            "end_session_endpoint": "https://id.example.com/auth/oauth/logout",
            "scopes_supported": ["openid", "email", "profile", "phone", "offline_access"],
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token", "password", "mfa", "passkey", "email_code"],
            "code_challenge_methods_supported": ["S256"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "amr", "email",
                "email_verified", "name", "given_name", "family_name", "locale", "phone_number"],
            "prompt_values_supported": ["none", "login", "consent"],
            "ui_locales_supported": ["en", "nl", "fr", "de", "es"],
            "request_parameter_supported": false,
            "request_uri_parameter_supported": false,
            "claims_parameter_supported": false,
            "authorization_response_iss_parameter_supported": true,
        });
        assert_eq!(doc, expected);
    }
}
