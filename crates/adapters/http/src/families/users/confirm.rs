//! `POST /api/users/validation` and `POST /api/mails/verify`: confirming an
//! address with its 6-digit code, whichever family made the account.

use actix_web::{web, HttpResponse};
use registrar_mail::Mailer;
use registrar_service::CodeConfirmation;
use registrar_store::Store;

use super::answers::UsersMessageResponse;
use super::requests::{UsersValidationRequest, UsersVerifyRequest};
use super::{UsersBodyRefusals, UsersError, UsersErrorBody, UsersFaults, UsersResult};
use crate::edge::body;
use crate::edge::call::Call;
use crate::edge::client_ip::Origin;

/// Confirm an address with its code
///
/// The 6-digit code of the last confirmation mail confirms an account made
/// by any family. After 5 wrong codes the code is dead until a new one is sent.
#[utoipa::path(
    post,
    path = "/api/users/validation",
    operation_id = "users_validation",
    tag = "users",
    request_body(content = UsersValidationRequest),
    responses(
        (status = 201, description = "`Validated`.", body = UsersMessageResponse),
        (status = 400, description = "Malformed JSON.", body = UsersErrorBody),
        (status = 401, description = "`Token is incorrect` (wrong, used, replaced or expired code).",
            body = UsersErrorBody),
        (status = 404, description = "`No account with this email`.", body = UsersErrorBody),
        (status = 409, description = "`The email is already validated`.", body = UsersErrorBody),
        UsersBodyRefusals,
        (status = 422, description = "A field is missing or invalid (`The token must be an integer.`).",
            body = UsersErrorBody),
        (status = 429, description = "`Too many attempts`: 5 wrong codes (ask for a new one), the address's daily budget of failed codes used up, too many codes tried from this client, or too many unreadable bodies from this client.", body = UsersErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until the limit lets this through again."))),
        UsersFaults,
    )
)]
pub async fn validation<S: Store, M: Mailer>(
    call: Call<S, M>,
    payload: web::Payload,
) -> Result<HttpResponse, UsersError> {
    let Call { req, app, lang } = call;
    let request: UsersValidationRequest = body::read(&req, payload, &app).await.users(lang)?;
    let confirmation = CodeConfirmation::parse(&request.email, &request.token).users(lang)?;
    app.confirm_code(confirmation, Origin::of(&req).0).await.users(lang)?;
    Ok(HttpResponse::Created().json(UsersMessageResponse {
        message: lang.t("users.validated"),
    }))
}

/// Mail a new confirmation code
///
/// The new code replaces the old one. An address without an account gets
/// the same answer and no mail.
#[utoipa::path(
    post,
    path = "/api/mails/verify",
    operation_id = "mails_verify",
    tag = "users",
    request_body(content = UsersVerifyRequest),
    responses(
        (status = 201, description = "`Mail sent` (also for an address without an account).",
            body = UsersMessageResponse),
        (status = 400, description = "Malformed JSON.", body = UsersErrorBody),
        (status = 409, description = "`The email is already validated`.", body = UsersErrorBody),
        UsersBodyRefusals,
        (status = 429, description = "`Too many attempts`: too many mails asked for this address or from this client, or unreadable bodies; `Retry-After` says in how many seconds to try again.", body = UsersErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until the limit lets this through again."))),
        (status = 422, description = "The address is missing or invalid.", body = UsersErrorBody),
        UsersFaults,
    )
)]
pub async fn verify<S: Store, M: Mailer>(call: Call<S, M>, payload: web::Payload) -> Result<HttpResponse, UsersError> {
    let Call { req, app, lang } = call;
    let request: UsersVerifyRequest = body::read(&req, payload, &app).await.users(lang)?;
    let email = registrar_service::parse::address(&request.email).users(lang)?;
    app.resend_confirmation(email, Origin::of(&req).0).await.users(lang)?;
    Ok(HttpResponse::Created().json(UsersMessageResponse {
        message: lang.t("users.mail_sent"),
    }))
}
