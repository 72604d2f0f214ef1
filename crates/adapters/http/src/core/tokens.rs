//! `/api/token`, logout and the caller's sessions.

use actix_web::{web, HttpRequest, HttpResponse};
use registrar_mail::Mailer;
use registrar_service::Registrar;
use registrar_store::Store;

use super::account::{caller, token_pair};
use super::answers::{SessionResponse, TokenPairResponse};
use super::requests::TokenRequest;
use super::{CoreError, CoreErrorBody, CoreResult};
use crate::body;
use crate::client_ip::Origin;
use crate::i18n::Lang;

type App<S, M> = web::Data<Registrar<S, M>>;

/// Log in, or refresh a token pair
///
/// `grant_type=password` opens (or renews) the session of this (user,
/// client, device); `grant_type=refresh_token` rotates the pair. Unknown
/// user and wrong password give the same `invalid_grant` in the same time.
#[utoipa::path(
    post,
    path = "/api/token",
    operation_id = "token",
    tag = "core",
    request_body(content = TokenRequest),
    responses(
        (status = 200, description = "A token pair.", body = TokenPairResponse),
        (status = 400, description = "`invalid_request`, `validation_failed` (a field missing), `invalid_client`, \
            `invalid_grant`, `unsupported_grant_type` (any other `grant_type`, or none).", body = CoreErrorBody),
        (status = 403, description = "`email_not_confirmed` (when `auth.require_confirmed_email`), \
            `account_disabled`.", body = CoreErrorBody),
        (status = 413, description = "`payload_too_large`.", body = CoreErrorBody),
        (status = 415, description = "`unsupported_media_type`.", body = CoreErrorBody),
        (status = 429, description = "`too_many_attempts`: too many failed logins of this account (a lockout that doubles) or from this address, or unreadable bodies; `Retry-After` says in how many seconds to try again.", body = CoreErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until the limit lets this through again."))),
        (status = 500, description = "`server_error`.", body = CoreErrorBody),
        (status = 503, description = "`server_error`: the database is unavailable.", body = CoreErrorBody),
    )
)]
pub async fn token<S: Store, M: Mailer>(
    req: HttpRequest,
    payload: web::Payload,
    app: App<S, M>,
    lang: Lang,
) -> Result<HttpResponse, CoreError> {
    let f = body::read(&req, payload, &app).await.core(lang)?;
    let pair = match TokenRequest::from_fields(&f).core(lang)? {
        TokenRequest::Password(grant) => app.login(grant.into(), Origin::of(&req).0).await,
        TokenRequest::RefreshToken(grant) => app.refresh(grant.refresh_token, grant.client_id).await,
    }
    .core(lang)?;
    Ok(token_pair(&pair))
}

/// Log out this session
///
/// This session's tokens stop working; no body is read.
#[utoipa::path(
    post,
    path = "/api/logout",
    operation_id = "logout",
    tag = "core",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Logged out."),
        (status = 401, description = "`invalid_token`.", body = CoreErrorBody),
        (status = 403, description = "`account_disabled`.", body = CoreErrorBody),
        (status = 400, description = "`invalid_request`: a body that is not a JSON object.", body = CoreErrorBody),
        (status = 413, description = "`payload_too_large`.", body = CoreErrorBody),
        (status = 415, description = "`unsupported_media_type`: a body of another type.", body = CoreErrorBody),
        (status = 429, description = "`too_many_attempts`: too many unreadable bodies from this client; `Retry-After` says in how many seconds to try again.", body = CoreErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until the limit lets this through again."))),
        (status = 500, description = "`server_error`.", body = CoreErrorBody),
        (status = 503, description = "`server_error`: the database is unavailable.", body = CoreErrorBody),
    )
)]
pub async fn logout<S: Store, M: Mailer>(
    req: HttpRequest,
    payload: web::Payload,
    app: App<S, M>,
    lang: Lang,
) -> Result<HttpResponse, CoreError> {
    let ctx = caller(&req, &app, lang).await?;
    // No fields, but a body is held to the same rules as everywhere (415, 413, 400).
    body::read(&req, payload, &app).await.core(lang)?;
    app.logout(&ctx).await.core(lang)?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller's sessions, one per device
#[utoipa::path(
    get,
    path = "/api/sessions",
    operation_id = "sessions",
    tag = "core",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every live session of the caller.", body = Vec<SessionResponse>),
        (status = 401, description = "`invalid_token`.", body = CoreErrorBody),
        (status = 403, description = "`account_disabled`.", body = CoreErrorBody),
        (status = 500, description = "`server_error`.", body = CoreErrorBody),
        (status = 503, description = "`server_error`: the database is unavailable.", body = CoreErrorBody),
    )
)]
pub async fn sessions<S: Store, M: Mailer>(
    req: HttpRequest,
    app: App<S, M>,
    lang: Lang,
) -> Result<HttpResponse, CoreError> {
    let ctx = caller(&req, &app, lang).await?;
    let sessions = app.sessions(&ctx).await.core(lang)?;
    let list: Vec<_> = sessions.iter().map(SessionResponse::from).collect();
    Ok(HttpResponse::Ok().json(list))
}

/// Sign a device out
///
/// That device's tokens stop working.
#[utoipa::path(
    delete,
    path = "/api/sessions/{device_id}",
    operation_id = "revoke_device",
    tag = "core",
    security(("bearer" = [])),
    params(("device_id" = String, Path, description = "The `device_id` of one of the caller's sessions.")),
    responses(
        (status = 204, description = "Signed out."),
        (status = 401, description = "`invalid_token`.", body = CoreErrorBody),
        (status = 403, description = "`account_disabled`.", body = CoreErrorBody),
        (status = 400, description = "`invalid_request`: a body that is not a JSON object.", body = CoreErrorBody),
        (status = 413, description = "`payload_too_large`.", body = CoreErrorBody),
        (status = 415, description = "`unsupported_media_type`: a body of another type.", body = CoreErrorBody),
        (status = 429, description = "`too_many_attempts`: too many unreadable bodies from this client; `Retry-After` says in how many seconds to try again.", body = CoreErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until the limit lets this through again."))),
        (status = 404, description = "`not_found`: the caller has no session on that device.", body = CoreErrorBody),
        (status = 500, description = "`server_error`.", body = CoreErrorBody),
        (status = 503, description = "`server_error`: the database is unavailable.", body = CoreErrorBody),
    )
)]
pub async fn revoke_device<S: Store, M: Mailer>(
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    app: App<S, M>,
    lang: Lang,
) -> Result<HttpResponse, CoreError> {
    let ctx = caller(&req, &app, lang).await?;
    body::read(&req, payload, &app).await.core(lang)?;
    app.revoke_device(&ctx, &path.into_inner()).await.core(lang)?;
    Ok(HttpResponse::NoContent().finish())
}
