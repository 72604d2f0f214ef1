//! Changing the caller's address: the request, and its confirmation by the
//! code mailed to the new address (the links are pages: `families/pages`).

use actix_web::{web, HttpResponse};
use registrar_mail::Mailer;
use registrar_service::{EmailChangeCode, EmailChangeRequest as Request};
use registrar_store::Store;

use super::account::{caller_and_body, profile};
use super::answers::{EmptyResponse, ProfileResponse};
use super::requests::{EmailChangeCodeRequest, EmailChangeRequest};
use super::{CoreBearerRefusals, CoreBodyRefusals, CoreError, CoreErrorBody, CoreFaults, CoreLockedOut, CoreResult};
use crate::edge::call::Call;
use crate::edge::client_ip::Origin;

/// Change the caller's email address
///
/// Checks the password and mails the new address a code and a link, and the
/// old one a notice with a link that cancels the change. Nothing changes
/// until the new address confirms; the answer is the same whether or not
/// the new address is taken (that shows at confirmation). An account with a
/// second factor is answered `mfa_required` first: `grant_type=mfa` with its
/// `mfa_token` then starts the change and answers a token pair for this
/// device (replacing this session), as for a password change.
#[utoipa::path(
    post,
    path = "/api/me/email",
    operation_id = "change_email",
    tag = "core",
    security(("bearer" = [])),
    request_body(content = EmailChangeRequest),
    responses(
        (status = 202, description = "`{}`: the mails are on their way; nothing changed yet.", body = EmptyResponse),
        (status = 400, description = "`invalid_request`, `validation_failed` (`new_email` missing, not an \
            address or the current one; `password` missing or wrong).", body = CoreErrorBody),
        CoreBearerRefusals,
        CoreBodyRefusals,
        CoreLockedOut,
        CoreFaults,
    )
)]
pub async fn change_email<S: Store, M: Mailer>(
    call: Call<S, M>,
    payload: web::Payload,
) -> Result<HttpResponse, CoreError> {
    let Call { req, app, lang } = call;
    let (ctx, request): (_, EmailChangeRequest) = caller_and_body(&req, payload, &app, lang).await?;
    let request = Request::parse(&request.new_email, &request.password).core(lang)?;
    app.request_email_change(&ctx, request, Origin::of(&req).0)
        .await
        .core(lang)?;
    Ok(HttpResponse::Accepted()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(EmptyResponse {}))
}

/// Confirm the new email address with its code
///
/// The code mailed to the new address applies the change: the answer is the
/// profile with the new address. Other sessions stay; the old address gets
/// a last notice.
#[utoipa::path(
    post,
    path = "/api/me/email/confirm",
    operation_id = "confirm_email_change",
    tag = "core",
    security(("bearer" = [])),
    request_body(content = EmailChangeCodeRequest),
    responses(
        (status = 200, description = "Changed: the profile with the new address.", body = ProfileResponse),
        (status = 400, description = "`invalid_request`, `validation_failed` (`code` missing or wrong — also \
            when no change is pending or it expired —, or `new_email` taken by another account meanwhile: \
            nothing changed).", body = CoreErrorBody),
        CoreBearerRefusals,
        CoreBodyRefusals,
        CoreLockedOut,
        CoreFaults,
    )
)]
pub async fn confirm_email_change<S: Store, M: Mailer>(
    call: Call<S, M>,
    payload: web::Payload,
) -> Result<HttpResponse, CoreError> {
    let Call { req, app, lang } = call;
    let (ctx, request): (_, EmailChangeCodeRequest) = caller_and_body(&req, payload, &app, lang).await?;
    let code = EmailChangeCode::parse(&request.code).core(lang)?;
    let view = app
        .confirm_email_change(&ctx, code, Origin::of(&req).0)
        .await
        .core(lang)?;
    Ok(profile(&view))
}
