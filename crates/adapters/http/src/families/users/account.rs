//! `POST /api/users/register` and `POST /api/users/login`.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use registrar_mail::Mailer;
use registrar_service::{UsersRegistration, WebLogin};
use registrar_store::Store;

use super::answers::{UsersAccountResponse, UsersLoginResponse};
use super::requests::{UsersLoginRequest, UsersRegisterRequest};
use super::{UsersBodyRefusals, UsersError, UsersErrorBody, UsersFaults, UsersResult};
use crate::edge::body;
use crate::edge::call::Call;
use crate::edge::client_ip::Origin;
use crate::edge::language::Lang;

/// Register a guest account
///
/// Creates an unconfirmed guest account and mails its 6-digit code. Every
/// failing field is reported at once, in Laravel's words.
#[utoipa::path(
    post,
    path = "/api/users/register",
    operation_id = "users_register",
    tag = "users",
    request_body(content = UsersRegisterRequest),
    responses(
        (status = 201, description = "The new guest account.", body = UsersAccountResponse),
        (status = 400, description = "Malformed JSON.", body = UsersErrorBody),
        UsersBodyRefusals,
        (status = 429, description = "`Too many attempts`: too many registrations from this address, or unreadable bodies; `Retry-After` says in how many seconds to try again.", body = UsersErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until the limit lets this through again."))),
        (status = 422, description = "`The given data was invalid.` with every failing field in `errors` \
            (`The email has already been taken.`, …).", body = UsersErrorBody),
        UsersFaults,
    )
)]
pub async fn register<S: Store, M: Mailer>(
    call: Call<S, M>,
    payload: web::Payload,
) -> Result<HttpResponse, UsersError> {
    let Call { req, app, lang } = call;
    let request: UsersRegisterRequest = body::read(&req, payload, &app).await.users(lang)?;
    let registration = UsersRegistration::parse(request.into_input(Lang::requested(&req)), app.rules());
    let user = app.register_user(registration, Origin::of(&req).0).await.users(lang)?;
    Ok(HttpResponse::Created().json(UsersAccountResponse::from(&user)))
}

/// Log in on the web client
///
/// Signs in on the built-in `web` client with a device of its own.
#[utoipa::path(
    post,
    path = "/api/users/login",
    operation_id = "users_login",
    tag = "users",
    request_body(content = UsersLoginRequest),
    responses(
        (status = 200, description = "A token pair and the user's role.", body = UsersLoginResponse),
        (status = 400, description = "Malformed JSON.", body = UsersErrorBody),
        (status = 401, description = "`The username or password is incorrect.`, or `The email is not validated`.",
            body = UsersErrorBody),
        (status = 403, description = "The account is disabled, or `A second factor is required.` with `mfa_token` \
            and `factors` (give one at `POST /api/token` with `grant_type=mfa`).", body = UsersErrorBody),
        UsersBodyRefusals,
        (status = 429, description = "`Too many attempts`: too many failed logins of this account (a lockout that doubles) or from this address, or unreadable bodies; `Retry-After` says in how many seconds to try again.", body = UsersErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until the limit lets this through again."))),
        (status = 422, description = "A field is missing (`errors`).", body = UsersErrorBody),
        UsersFaults,
    )
)]
pub async fn login<S: Store, M: Mailer>(call: Call<S, M>, payload: web::Payload) -> Result<HttpResponse, UsersError> {
    let Call { req, app, lang } = call;
    let request: UsersLoginRequest = body::read(&req, payload, &app).await.users_login(lang)?;
    let login = WebLogin::parse(request.username, request.password).users_login(lang)?;
    let (pair, role) = app.login_web(login, Origin::of(&req).0).await.users_login(lang)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(UsersLoginResponse::new(&pair, &role)))
}
