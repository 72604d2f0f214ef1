//! The OAuth 2 endpoints beside `/api/token`: revocation (RFC 7009),
//! introspection (RFC 7662), and the JWKS of the ID-token signing keys.
//! Their clients authenticate as at the token endpoint
//! ([`authenticate_client`]); their errors are the core shape, which carries
//! RFC 6749 §5.2's `error` and `error_description`.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use registrar_mail::Mailer;
use registrar_service::{ClientRef, Registrar, ServiceError};
use registrar_store::Store;

use super::account::empty;
use super::answers::{EmptyResponse, IntrospectionResponse, JwkResponse, JwksResponse};
use super::requests::ClientTokenRequest;
use super::tokens::{authenticate_client, basic_client, basic_refusal, basic_used, client_credentials, NamedClient};
use super::{CoreBodyRefusals, CoreBodyThrottled, CoreError, CoreErrorBody, CoreFaults, CoreResult, EdgeProblem};
use crate::edge::body;
use crate::edge::call::Call;
use crate::edge::failure::Problem;

/// Revoke a token (RFC 7009)
///
/// Ends the session of `token`, an access or a refresh token of the client
/// asking: both of its tokens stop working. The client authenticates as at
/// `/api/token`: a public client names itself by `client_id` (or HTTP Basic
/// with an empty password), a confidential one proves its secret
/// (`client_secret_basic` or `client_secret_post`). Answers 200 `{}` also for
/// an unknown, expired, malformed or rotated-out token and for another
/// client's token, which is left alone (RFC 7009 §2.1, §2.2).
#[utoipa::path(
    post,
    path = "/oauth/revoke",
    operation_id = "revoke",
    tag = "core",
    security((), ("client_basic" = [])),
    request_body(content = ClientTokenRequest),
    responses(
        (status = 200, description = "`{}`, whether or not a session was revoked.", body = EmptyResponse),
        (status = 400, description = "`invalid_request` (no `token`; a `client_id` in the body that differs from \
            the one in `Authorization: Basic`; a secret both there and as `client_secret`), `invalid_client` \
            (no client named, or an unknown one).", body = CoreErrorBody),
        (status = 401, description = "`invalid_client`: `Authorization: Basic` that cannot be read, carries a \
            password for a public client, or names an unknown client; a confidential client's missing or wrong \
            secret.", body = CoreErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Basic realm=\"registrar\", charset=\"UTF-8\"`, when \
            the client used HTTP Basic."))),
        CoreBodyRefusals,
        CoreBodyThrottled,
        CoreFaults,
    )
)]
pub async fn revoke<S: Store, M: Mailer>(call: Call<S, M>, payload: web::Payload) -> Result<HttpResponse, CoreError> {
    let Call { req, app, lang } = call;
    let (client, token) = client_and_token(&req, &app, payload).await.core(lang)?;
    let Some(client) = client else {
        return Err(ServiceError::InvalidClient).core(lang);
    };
    let client = ClientRef::of(&client.id).known_as(client.known.as_ref());
    basic_refusal(&req, app.revoke_token(&client, &token).await).core(lang)?;
    Ok(empty())
}

/// Introspect an access token (RFC 7662)
///
/// For resource servers: whether `token` is a live access token, and whose.
/// Only a confidential client may ask (`client_secret_basic` or
/// `client_secret_post`); the token may be any client's. A live access
/// token answers `active: true` with the user's id (`sub`) and address
/// (`username`), the token's client, its `scope`, `exp` and `iat`; every other token
/// (unknown, malformed, expired, revoked, a refresh token, a disabled
/// account's) exactly `{"active": false}`. A check notes the session's use
/// as a bearer request does.
#[utoipa::path(
    post,
    path = "/oauth/introspect",
    operation_id = "introspect",
    tag = "core",
    security((), ("client_basic" = [])),
    request_body(content = ClientTokenRequest),
    responses(
        (status = 200, description = "The token's state.", body = IntrospectionResponse),
        (status = 400, description = "`invalid_request` (no `token`; a `client_id` in the body that differs from \
            the one in `Authorization: Basic`; a secret both there and as `client_secret`).", body = CoreErrorBody),
        (status = 401, description = "`invalid_client`: no client, an unknown or a public one (only confidential \
            clients introspect), a confidential client's missing or wrong secret, or `Authorization: Basic` that \
            cannot be read.", body = CoreErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Basic realm=\"registrar\", charset=\"UTF-8\"`, when \
            the client used HTTP Basic."))),
        CoreBodyRefusals,
        CoreBodyThrottled,
        CoreFaults,
    )
)]
pub async fn introspect<S: Store, M: Mailer>(
    call: Call<S, M>,
    payload: web::Payload,
) -> Result<HttpResponse, CoreError> {
    let Call { req, app, lang } = call;
    let basic = basic_client(&req).core(lang)?;
    let request: ClientTokenRequest = body::read(&req, payload, &app).await.core(lang)?;
    let credentials = client_credentials(basic, request.client_id, request.client_secret).core(lang)?;
    // The client, then the token, as at the other endpoints
    // (`client_and_token`); with both, in one trip to the store.
    let (client, found) = match (credentials, request.token) {
        (Some(credentials), Some(token)) => {
            let (authentication, found) = app
                .introspect(&credentials.id, credentials.secret.as_deref(), &token)
                .await
                .core(lang)?;
            (Some(credentials.judged(authentication).core(lang)?), found)
        }
        (credentials, token) => {
            let client = match credentials {
                Some(credentials) => Some(credentials.authenticated(&app).await.core(lang)?),
                None => None,
            };
            token.ok_or(EdgeProblem::NoToken).core(lang)?;
            (client, None)
        }
    };
    if !client.is_some_and(|c| c.confidential) {
        let refused = match basic_used(&req) {
            true => EdgeProblem::BasicSecretRefused,
            false => EdgeProblem::ClientSecretRefused,
        };
        return Err(refused).core(lang);
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(IntrospectionResponse::from(found)))
}

/// How long a JWKS may be cached: short, so that a new key is seen soon
/// after a rotation (the old one stays published much longer).
pub const JWKS_MAX_AGE_SECONDS: u32 = 300;

/// The ID-token signing keys (JWKS)
///
/// The public keys that sign ID tokens, as a JWK Set (RFC 7517): the
/// current key first, then the keys a rotation retired, published until
/// every token they signed has expired (twice `auth.access_token_ttl`).
/// The first request with no key makes one. This is the discovery
/// document's `jwks_uri`. Cacheable for a short while.
#[utoipa::path(
    get,
    path = "/oauth/jwks",
    operation_id = "jwks",
    tag = "core",
    responses(
        (status = 200, description = "The JWK Set, with `Cache-Control: public, max-age=300`.", body = JwksResponse,
            headers(("Cache-Control" = String, description = "`public, max-age=300`"))),
        CoreFaults,
    )
)]
pub async fn jwks<S: Store, M: Mailer>(call: Call<S, M>) -> Result<HttpResponse, CoreError> {
    let Call { app, lang, .. } = call;
    let keys = app.published_signing_keys().await.core(lang)?;
    let body = JwksResponse {
        keys: keys.into_iter().map(JwkResponse::from).collect(),
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, format!("public, max-age={JWKS_MAX_AGE_SECONDS}")))
        .json(body))
}

/// What both endpoints read first: the client, authenticated (RFC 6749
/// §2.3.1), then the token they are about.
async fn client_and_token<S: Store, M: Mailer>(
    req: &HttpRequest,
    app: &Registrar<S, M>,
    payload: web::Payload,
) -> Result<(Option<NamedClient>, String), Problem> {
    let basic = basic_client(req)?;
    let request: ClientTokenRequest = body::read(req, payload, app).await?;
    let client = authenticate_client(app, basic, request.client_id, request.client_secret).await?;
    let token = request.token.ok_or(EdgeProblem::NoToken)?;
    Ok((client, token))
}
