//! Registration, password change and the caller's own account.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use registrar_mail::Mailer;
use registrar_service::parse;
use registrar_service::{
    AuthContext, Field, PasswordChange, PasswordReset, ProfileChange, ProfileView, Registrar, Registration, TokenPair,
};
use registrar_store::Store;

use super::answers::{ActivityResponse, EmptyResponse, ProfileResponse, TokenPairResponse};
use super::requests::{
    ChangePasswordRequest, ForgotPasswordRequest, PasswordConfirmationRequest, RegisterRequest, ResetPasswordRequest,
    UpdateProfileRequest,
};
use super::{
    CoreBearerRefusals, CoreBodyRefusals, CoreBodyThrottled, CoreError, CoreErrorBody, CoreFaults, CoreLockedOut,
    CoreResult, EdgeProblem,
};
use crate::edge::body;
use crate::edge::call::Call;
use crate::edge::client_ip::Origin;
use crate::edge::export::ExportDocument;
use crate::edge::language::Lang;

/// `200` with a token pair; token answers are never cached.
pub fn token_pair(pair: &TokenPair) -> HttpResponse {
    token_answer(TokenPairResponse::from(pair))
}

/// `200` with tokens in `body`, never cached (RFC 6749 §5.1).
pub fn token_answer(body: impl serde::Serialize) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(body)
}

/// `200 {}`, never cached.
pub fn empty() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(EmptyResponse {})
}

/// The caller behind `Authorization: Bearer …`.
pub async fn caller<S: Store, M: Mailer>(
    req: &HttpRequest,
    app: &Registrar<S, M>,
    lang: Lang,
) -> Result<AuthContext, CoreError> {
    let token = crate::edge::bearer::token(req)
        .ok_or(EdgeProblem::MissingToken)
        .core(lang)?;
    app.authenticate(token).await.core(lang)
}

/// The caller, and the body of the request read as `T` (the bearer token is
/// checked first: a bad one is 401 before a bad body is 400).
pub async fn caller_and_body<T: serde::de::DeserializeOwned, S: Store, M: Mailer>(
    req: &HttpRequest,
    payload: web::Payload,
    app: &Registrar<S, M>,
    lang: Lang,
) -> Result<(AuthContext, T), CoreError> {
    let ctx = caller(req, app, lang).await?;
    let request = body::read(req, payload, app).await.core(lang)?;
    Ok((ctx, request))
}

/// The caller of a request whose body has no fields: it is held to the
/// body rules all the same (JSON or a form, 64 KiB).
pub async fn caller_without_fields<S: Store, M: Mailer>(
    req: &HttpRequest,
    payload: web::Payload,
    app: &Registrar<S, M>,
    lang: Lang,
) -> Result<AuthContext, CoreError> {
    let ctx = caller(req, app, lang).await?;
    body::read_object(req, payload, app).await.core(lang)?;
    Ok(ctx)
}

/// The caller, and the account password its body gives (`password`) to
/// confirm a change.
pub async fn caller_and_password<S: Store, M: Mailer>(
    req: &HttpRequest,
    payload: web::Payload,
    app: &Registrar<S, M>,
    lang: Lang,
) -> Result<(AuthContext, String), CoreError> {
    let (ctx, request): (_, PasswordConfirmationRequest) = caller_and_body(req, payload, app, lang).await?;
    let password = parse::present(Field::Password, request.password).core(lang)?;
    Ok((ctx, password))
}

/// `POST /api/register` without `usertype` (see [`crate::dispatch`]):
/// creates an unconfirmed account on this device, mails a confirmation code
/// and link, and answers a token pair.
pub async fn register<S: Store, M: Mailer>(
    req: &HttpRequest,
    request: RegisterRequest,
    app: &Registrar<S, M>,
    lang: Lang,
) -> Result<HttpResponse, CoreError> {
    let registration = Registration::parse(request.into_input(Lang::requested(req)), app.rules());
    let pair = app.register(registration, Origin::of(req).0).await.core(lang)?;
    Ok(token_pair(&pair))
}

/// Change the password
///
/// Checks the current credentials, applies the password rules to
/// `new_password`, answers a fresh pair for this device and signs out every
/// other session of the user.
#[utoipa::path(
    post,
    path = "/api/change-password",
    operation_id = "change_password",
    tag = "core",
    request_body(content = ChangePasswordRequest),
    responses(
        (status = 200, description = "Changed: a new token pair for this device.", body = TokenPairResponse),
        (status = 400, description = "`invalid_request`, `validation_failed`, `invalid_client`, `invalid_grant` \
            (wrong credentials), `unsupported_grant_type`.", body = CoreErrorBody),
        (status = 403, description = "`email_not_confirmed` (when `auth.require_confirmed_email`), \
            `account_disabled`, `mfa_required` (with `mfa_token` and `factors`: the change is made by \
            `grant_type=mfa` at `/api/token`).", body = CoreErrorBody),
        CoreBodyRefusals,
        (status = 429, description = "`too_many_attempts`: too many failed logins of this account or from this address, or unreadable bodies; `Retry-After` says in how many seconds to try again.", body = CoreErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until the limit lets this through again."))),
        CoreFaults,
    )
)]
pub async fn change_password<S: Store, M: Mailer>(
    call: Call<S, M>,
    payload: web::Payload,
) -> Result<HttpResponse, CoreError> {
    let Call { req, app, lang } = call;
    let request: ChangePasswordRequest = body::read(&req, payload, &app).await.core(lang)?;
    let change = PasswordChange::parse(request.checked().core(lang)?.into(), app.rules()).core(lang)?;
    let pair = app.change_password(change, Origin::of(&req).0).await.core(lang)?;
    Ok(token_pair(&pair))
}

pub(super) fn profile(view: &ProfileView) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(ProfileResponse::from(view))
}

/// The caller's profile
#[utoipa::path(
    get,
    path = "/api/me",
    operation_id = "me",
    tag = "core",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The account, person or organisation.", body = ProfileResponse),
        (status = 401, description = "`invalid_token`: missing, unknown, expired or revoked.", body = CoreErrorBody),
        (status = 403, description = "`account_disabled`.", body = CoreErrorBody),
        CoreFaults,
    )
)]
pub async fn me<S: Store, M: Mailer>(call: Call<S, M>) -> Result<HttpResponse, CoreError> {
    let Call { req, app, lang } = call;
    let token = crate::edge::bearer::token(&req)
        .ok_or(EdgeProblem::MissingToken)
        .core(lang)?;
    let view = app.me(token).await.core(lang)?;
    Ok(profile(&view))
}

/// `cursor` and `limit` of `GET /api/me/activity`, as given.
#[derive(serde::Deserialize)]
struct ActivityQuery {
    cursor: Option<String>,
    limit: Option<String>,
}

/// The caller's own security events
///
/// The last 90 days, newest first: sign-ins (and failed ones), sessions
/// ended, password, factor, policy and profile changes.
#[utoipa::path(
    get,
    path = "/api/me/activity",
    operation_id = "my_activity",
    tag = "core",
    security(("bearer" = [])),
    params(
        ("cursor" = Option<i64>, Query, description = "The `next_cursor` of the page before; absent: the newest events."),
        ("limit" = Option<u32>, Query, description = "Events per page: 50 by default, at most 200 (more is cut to 200)."),
    ),
    responses(
        (status = 200, description = "A page of the caller's events.", body = ActivityResponse),
        (status = 400, description = "`validation_failed`: `cursor` or `limit` is not a positive integer.", body = CoreErrorBody),
        CoreBearerRefusals,
        CoreFaults,
    )
)]
pub async fn activity<S: Store, M: Mailer>(call: Call<S, M>) -> Result<HttpResponse, CoreError> {
    let Call { req, app, lang } = call;
    let ctx = caller(&req, &app, lang).await?;
    let (cursor, limit) = match web::Query::<ActivityQuery>::from_query(req.query_string()) {
        Ok(query) => {
            let query = query.into_inner();
            (query.cursor, query.limit)
        }
        // Unreadable: refused as a bad cursor.
        Err(_) => (Some(String::new()), None),
    };
    let page = app
        .activity(&ctx, cursor.as_deref(), limit.as_deref())
        .await
        .core(lang)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(ActivityResponse::from(&page)))
}

/// Export the caller's data
///
/// Everything Registrar holds about the account as one JSON document
/// (`registrar-export/1`, README "Data export"), a download
/// (`Content-Disposition: attachment`): profile, address, sessions, accepted
/// policies, second factors, consents, mails (kind and time) and audit
/// events; never a secret. Recorded as `user.exported`; at most
/// `throttle.exports_per_user` per account and `throttle.exports_per_ip`
/// per client in `throttle.export_window`.
#[utoipa::path(
    get,
    path = "/api/me/export",
    operation_id = "my_export",
    tag = "core",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The document, as an attachment `registrar-export-<user id>.json`.",
            body = ExportDocument,
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"registrar-export-<user id>.json\"`"))),
        CoreBearerRefusals,
        (status = 429, description = "`too_many_attempts`: too many exports of this account or from this client; `Retry-After` says in how many seconds to try again.", body = CoreErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until the limit lets this through again."))),
        CoreFaults,
    )
)]
pub async fn export<S: Store, M: Mailer>(call: Call<S, M>) -> Result<HttpResponse, CoreError> {
    let Call { req, app, lang } = call;
    let ctx = caller(&req, &app, lang).await?;
    let export = app.export_me(&ctx, Origin::of(&req).0).await.core(lang)?;
    Ok(crate::edge::export::attachment(&export))
}

/// Update the caller's profile
///
/// The same rules as registration; absent fields keep their value, `null`
/// clears an optional one.
#[utoipa::path(
    patch,
    path = "/api/me",
    operation_id = "update_me",
    tag = "core",
    security(("bearer" = [])),
    request_body(content = Option<UpdateProfileRequest>, description = "Absent (no body at all) keeps everything."),
    responses(
        (status = 200, description = "The updated profile.", body = ProfileResponse),
        (status = 400, description = "`invalid_request`, `validation_failed`.", body = CoreErrorBody),
        CoreBearerRefusals,
        CoreBodyRefusals,
        CoreBodyThrottled,
        CoreFaults,
    )
)]
pub async fn update_me<S: Store, M: Mailer>(
    call: Call<S, M>,
    payload: web::Payload,
) -> Result<HttpResponse, CoreError> {
    let Call { req, app, lang } = call;
    let ctx = caller(&req, &app, lang).await?;
    let request: UpdateProfileRequest = body::read(&req, payload, &app).await.core(lang)?;
    let change = ProfileChange::parse(request.into(), app.rules()).core(lang)?;
    let view = app.update_profile(&ctx, change).await.core(lang)?;
    Ok(profile(&view))
}

/// Delete the caller's account
///
/// Erases the account and everything tied to it.
#[utoipa::path(
    delete,
    path = "/api/me",
    operation_id = "delete_me",
    tag = "core",
    security(("bearer" = [])),
    request_body(content = PasswordConfirmationRequest),
    responses(
        (status = 204, description = "Deleted."),
        (status = 400, description = "`invalid_request`, `validation_failed` (password missing or wrong).",
            body = CoreErrorBody),
        CoreBearerRefusals,
        CoreBodyRefusals,
        CoreLockedOut,
        CoreFaults,
    )
)]
pub async fn delete_me<S: Store, M: Mailer>(
    call: Call<S, M>,
    payload: web::Payload,
) -> Result<HttpResponse, CoreError> {
    let Call { req, app, lang } = call;
    let (ctx, password) = caller_and_password(&req, payload, &app, lang).await?;
    app.delete_account(&ctx, &password, Origin::of(&req).0)
        .await
        .core(lang)?;
    Ok(HttpResponse::NoContent().finish())
}

/// Ask for a password reset link
///
/// `200 {}` whether or not the account exists; the mail goes through the
/// outbox, so the answer takes the same time either way.
#[utoipa::path(
    post,
    path = "/api/forgot-password",
    operation_id = "forgot_password",
    tag = "core",
    request_body(content = ForgotPasswordRequest),
    responses(
        (status = 200, description = "`{}`, whether or not the address has an account.", body = EmptyResponse),
        (status = 400, description = "`invalid_request`, `validation_failed` (no or no valid address).",
            body = CoreErrorBody),
        CoreBodyRefusals,
        (status = 429, description = "`too_many_attempts`: too many mails asked for this address or from this client, or unreadable bodies; `Retry-After` says in how many seconds to try again.", body = CoreErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until the limit lets this through again."))),
        CoreFaults,
    )
)]
pub async fn forgot_password<S: Store, M: Mailer>(
    call: Call<S, M>,
    payload: web::Payload,
) -> Result<HttpResponse, CoreError> {
    let Call { req, app, lang } = call;
    let request: ForgotPasswordRequest = body::read(&req, payload, &app).await.core(lang)?;
    let email = parse::address(&request.username).core(lang)?;
    app.forgot_password(email, Origin::of(&req).0).await.core(lang)?;
    Ok(empty())
}

/// Reset the password with the mailed link's token
///
/// Uses the link up and signs out every session.
#[utoipa::path(
    post,
    path = "/api/reset-password",
    operation_id = "reset_password",
    tag = "core",
    request_body(content = ResetPasswordRequest),
    responses(
        (status = 200, description = "`{}`: the password is changed.", body = EmptyResponse),
        (status = 400, description = "`invalid_request`, `validation_failed` (password rules), `invalid_token` \
            (unknown, used or expired link).", body = CoreErrorBody),
        CoreBodyRefusals,
        CoreBodyThrottled,
        CoreFaults,
    )
)]
pub async fn reset_password<S: Store, M: Mailer>(
    call: Call<S, M>,
    payload: web::Payload,
) -> Result<HttpResponse, CoreError> {
    let Call { req, app, lang } = call;
    let request: ResetPasswordRequest = body::read(&req, payload, &app).await.core(lang)?;
    let reset = PasswordReset::parse(request.token, request.password).core(lang)?;
    app.reset_password(reset).await.core(lang)?;
    Ok(empty())
}
