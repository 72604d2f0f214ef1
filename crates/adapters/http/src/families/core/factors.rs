//! `/api/me/factors…`: the caller's second factors — an authenticator app
//! (TOTP, RFC 6238) and its recovery codes.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use registrar_mail::Mailer;
use registrar_service::parse;
use registrar_service::Field;
use registrar_store::Store;
use serde::Serialize;

use super::account::{caller, caller_and_body, caller_and_password, caller_without_fields};
use super::answers::{FactorsResponse, RecoveryCodesResponse, TotpEnrolmentResponse};
use super::requests::{PasswordConfirmationRequest, TotpCodeRequest};
use super::{
    CoreBearerRefusals, CoreBodyRefusals, CoreBodyThrottled, CoreError, CoreErrorBody, CoreFaults, CoreLockedOut,
    CoreResult,
};
use crate::edge::call::Call;
use crate::edge::client_ip::Origin;

/// An answer holding secrets: never stored by a cache.
pub(super) fn secret_answer(body: &impl Serialize) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(body)
}

/// The caller's second factors
#[utoipa::path(
    get,
    path = "/api/me/factors",
    operation_id = "factors",
    tag = "core",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Whether the authenticator app is on, the passkeys, and the recovery codes left.",
            body = FactorsResponse),
        CoreBearerRefusals,
        CoreFaults,
    )
)]
pub async fn factors<S: Store, M: Mailer>(call: Call<S, M>) -> Result<HttpResponse, CoreError> {
    let Call { req, app, lang } = call;
    let ctx = caller(&req, &app, lang).await?;
    let view = app.factors(&ctx).await.core(lang)?;
    Ok(secret_answer(&FactorsResponse::from(&view)))
}

/// Enrol an authenticator app
///
/// A fresh secret, pending until `POST /api/me/factors/totp/confirm` gets a
/// first code from it; calling this again replaces a pending secret. The
/// QR code holds the `otpauth_uri`.
#[utoipa::path(
    post,
    path = "/api/me/factors/totp",
    operation_id = "enrol_totp",
    tag = "core",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The secret, its otpauth link and the link's QR code.", body = TotpEnrolmentResponse),
        (status = 400, description = "`invalid_request`: a body that is not a JSON object.", body = CoreErrorBody),
        CoreBearerRefusals,
        (status = 409, description = "`factor_enabled`: the app is already on (turn it off first).", body = CoreErrorBody),
        CoreBodyRefusals,
        CoreBodyThrottled,
        CoreFaults,
    )
)]
pub async fn enrol_totp<S: Store, M: Mailer>(
    call: Call<S, M>,
    payload: web::Payload,
) -> Result<HttpResponse, CoreError> {
    let Call { req, app, lang } = call;
    let ctx = caller_without_fields(&req, payload, &app, lang).await?;
    let enrolment = app.enrol_totp(&ctx).await.core(lang)?;
    Ok(secret_answer(&TotpEnrolmentResponse::from(enrolment)))
}

/// Turn the authenticator app on
///
/// The first code from the app confirms the pending secret and answers the
/// ten recovery codes, once. A wrong code is `validation_failed` on `code`
/// and counts as a failed login.
#[utoipa::path(
    post,
    path = "/api/me/factors/totp/confirm",
    operation_id = "confirm_totp",
    tag = "core",
    security(("bearer" = [])),
    request_body(content = TotpCodeRequest),
    responses(
        (status = 200, description = "On: the recovery codes, shown this once.", body = RecoveryCodesResponse),
        (status = 400, description = "`invalid_request`, `validation_failed` (`code` missing or wrong).", body = CoreErrorBody),
        CoreBearerRefusals,
        (status = 404, description = "`not_found`: no pending secret (enrol first).", body = CoreErrorBody),
        CoreBodyRefusals,
        CoreLockedOut,
        CoreFaults,
    )
)]
pub async fn confirm_totp<S: Store, M: Mailer>(
    call: Call<S, M>,
    payload: web::Payload,
) -> Result<HttpResponse, CoreError> {
    let Call { req, app, lang } = call;
    let (ctx, request): (_, TotpCodeRequest) = caller_and_body(&req, payload, &app, lang).await?;
    let code = parse::present(Field::Code, request.code).core(lang)?;
    let codes = app.confirm_totp(&ctx, &code, Origin::of(&req).0).await.core(lang)?;
    Ok(secret_answer(&RecoveryCodesResponse { recovery_codes: codes }))
}

/// Turn the authenticator app off
///
/// With the account's password: removes the app's secret and the recovery codes.
#[utoipa::path(
    delete,
    path = "/api/me/factors/totp",
    operation_id = "disable_totp",
    tag = "core",
    security(("bearer" = [])),
    request_body(content = PasswordConfirmationRequest),
    responses(
        (status = 204, description = "Off."),
        (status = 400, description = "`invalid_request`, `validation_failed` (password missing or wrong).", body = CoreErrorBody),
        CoreBearerRefusals,
        (status = 404, description = "`not_found`: the app is not on.", body = CoreErrorBody),
        CoreBodyRefusals,
        CoreLockedOut,
        CoreFaults,
    )
)]
pub async fn disable_totp<S: Store, M: Mailer>(
    call: Call<S, M>,
    payload: web::Payload,
) -> Result<HttpResponse, CoreError> {
    let Call { req, app, lang } = call;
    let (ctx, password) = caller_and_password(&req, payload, &app, lang).await?;
    app.disable_totp(&ctx, &password, Origin::of(&req).0).await.core(lang)?;
    Ok(HttpResponse::NoContent().finish())
}

/// New recovery codes
///
/// With the account's password: ten new codes; the old ones die.
#[utoipa::path(
    post,
    path = "/api/me/factors/recovery-codes",
    operation_id = "renew_recovery_codes",
    tag = "core",
    security(("bearer" = [])),
    request_body(content = PasswordConfirmationRequest),
    responses(
        (status = 200, description = "The new recovery codes, shown this once.", body = RecoveryCodesResponse),
        (status = 400, description = "`invalid_request`, `validation_failed` (password missing or wrong).", body = CoreErrorBody),
        CoreBearerRefusals,
        (status = 404, description = "`not_found`: no second factor is on.", body = CoreErrorBody),
        CoreBodyRefusals,
        CoreLockedOut,
        CoreFaults,
    )
)]
pub async fn renew_recovery_codes<S: Store, M: Mailer>(
    call: Call<S, M>,
    payload: web::Payload,
) -> Result<HttpResponse, CoreError> {
    let Call { req, app, lang } = call;
    let (ctx, password) = caller_and_password(&req, payload, &app, lang).await?;
    let codes = app
        .renew_recovery_codes(&ctx, &password, Origin::of(&req).0)
        .await
        .core(lang)?;
    Ok(secret_answer(&RecoveryCodesResponse { recovery_codes: codes }))
}
