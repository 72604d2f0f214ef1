//! Passkeys (WebAuthn Level 3, JSON forms in base64url): adding, renaming
//! and removing the caller's (`/api/me/factors/passkeys…`), the options of
//! a sign-in without a password (`/api/passkeys/options`, then
//! `grant_type=passkey`) and of a passkey second factor
//! (`/api/token/mfa/passkey-options`, then `grant_type=mfa`).

use actix_web::{web, HttpResponse};
use registrar_mail::Mailer;
use registrar_service::{parse, passkey_name, Field, FieldErrors, PasskeyAddition, ServiceError};
use registrar_store::Store;

use super::account::{caller_and_body, caller_without_fields};
use super::answers::{MfaPasskeyOptionsResponse, PasskeyAddedResponse, PasskeyOptionsResponse};
use super::factors::secret_answer;
use super::requests::{MfaPasskeyOptionsRequest, PasskeyAdditionRequest, PasskeyOptionsRequest, PasskeyRenameRequest};
use super::{
    CoreBearerRefusals, CoreBodyRefusals, CoreBodyThrottled, CoreError, CoreErrorBody, CoreFaults, CoreLockedOut,
    CoreResult,
};
use crate::edge::body;
use crate::edge::call::Call;
use crate::edge::client_ip::Origin;

/// Begin adding a passkey
///
/// The options for `navigator.credentials.create()`: a discoverable
/// credential with user verification, attestation `none`, the caller's
/// passkeys excluded. Answer within 5 minutes at `POST /api/me/factors/passkeys`.
/// 404 when passkeys are off (no `webauthn.rp_id` and `http.public_url` on an IP address).
#[utoipa::path(
    post,
    path = "/api/me/factors/passkeys/options",
    operation_id = "passkey_registration_options",
    tag = "core",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The ceremony and its `publicKey` options.", body = PasskeyOptionsResponse),
        (status = 400, description = "`invalid_request`: a body that is not a JSON object.", body = CoreErrorBody),
        CoreBearerRefusals,
        (status = 404, description = "`not_found`: passkeys are off.", body = CoreErrorBody),
        CoreBodyRefusals,
        CoreBodyThrottled,
        CoreFaults,
    )
)]
pub async fn registration_options<S: Store, M: Mailer>(
    call: Call<S, M>,
    payload: web::Payload,
) -> Result<HttpResponse, CoreError> {
    let Call { req, app, lang } = call;
    let ctx = caller_without_fields(&req, payload, &app, lang).await?;
    let options = app.passkey_registration_options(&ctx).await.core(lang)?;
    Ok(secret_answer(&PasskeyOptionsResponse::from(options)))
}

/// Add a passkey
///
/// The authenticator's answer to the options, and a name. Mails the user
/// "a passkey was added". An unknown, finished or expired `ceremony` and a
/// refused `credential` (another origin or relying party, a bad signature,
/// no user verification, a passkey registered already) are `validation_failed`.
#[utoipa::path(
    post,
    path = "/api/me/factors/passkeys",
    operation_id = "add_passkey",
    tag = "core",
    security(("bearer" = [])),
    request_body(content = PasskeyAdditionRequest),
    responses(
        (status = 201, description = "Added.", body = PasskeyAddedResponse),
        (status = 400, description = "`invalid_request`, `validation_failed` (`ceremony`, `name`, `credential`).", body = CoreErrorBody),
        CoreBearerRefusals,
        (status = 404, description = "`not_found`: passkeys are off.", body = CoreErrorBody),
        CoreBodyRefusals,
        CoreBodyThrottled,
        CoreFaults,
    )
)]
pub async fn add<S: Store, M: Mailer>(call: Call<S, M>, payload: web::Payload) -> Result<HttpResponse, CoreError> {
    let Call { req, app, lang } = call;
    let (ctx, request): (_, PasskeyAdditionRequest) = caller_and_body(&req, payload, &app, lang).await?;
    let addition = PasskeyAddition::parse(request.into()).core(lang)?;
    let passkey = app.add_passkey(&ctx, addition).await.core(lang)?;
    Ok(HttpResponse::Created().json(PasskeyAddedResponse::from(&passkey)))
}

/// Rename a passkey
#[utoipa::path(
    patch,
    path = "/api/me/factors/passkeys/{id}",
    operation_id = "rename_passkey",
    tag = "core",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The `id` of one of the caller's passkeys.")),
    request_body(content = PasskeyRenameRequest),
    responses(
        (status = 204, description = "Renamed."),
        (status = 400, description = "`invalid_request`, `validation_failed` (`name`).", body = CoreErrorBody),
        CoreBearerRefusals,
        (status = 404, description = "`not_found`: the caller has no such passkey.", body = CoreErrorBody),
        CoreBodyRefusals,
        CoreBodyThrottled,
        CoreFaults,
    )
)]
pub async fn rename<S: Store, M: Mailer>(
    call: Call<S, M>,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, CoreError> {
    let Call { req, app, lang } = call;
    let (ctx, request): (_, PasskeyRenameRequest) = caller_and_body(&req, payload, &app, lang).await?;
    let mut errors = FieldErrors::default();
    let name = passkey_name(&mut errors, request.name.as_deref());
    let name = name.ok_or(ServiceError::Invalid(errors)).core(lang)?;
    app.rename_passkey(&ctx, &path.into_inner(), name).await.core(lang)?;
    Ok(HttpResponse::NoContent().finish())
}

/// Remove a passkey
///
/// It no longer signs in. Mails the user "a passkey was removed".
#[utoipa::path(
    delete,
    path = "/api/me/factors/passkeys/{id}",
    operation_id = "remove_passkey",
    tag = "core",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The `id` of one of the caller's passkeys.")),
    responses(
        (status = 204, description = "Removed."),
        (status = 400, description = "`invalid_request`: a body that is not a JSON object.", body = CoreErrorBody),
        CoreBearerRefusals,
        (status = 404, description = "`not_found`: the caller has no such passkey.", body = CoreErrorBody),
        CoreBodyRefusals,
        CoreBodyThrottled,
        CoreFaults,
    )
)]
pub async fn remove<S: Store, M: Mailer>(
    call: Call<S, M>,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, CoreError> {
    let Call { req, app, lang } = call;
    let ctx = caller_without_fields(&req, payload, &app, lang).await?;
    app.remove_passkey(&ctx, &path.into_inner()).await.core(lang)?;
    Ok(HttpResponse::NoContent().finish())
}

/// Begin a sign-in with a passkey
///
/// The options for `navigator.credentials.get()` with no user named (a
/// discoverable credential, user verification required). Answer within 5
/// minutes at `POST /api/token` with `grant_type=passkey`.
#[utoipa::path(
    post,
    path = "/api/passkeys/options",
    operation_id = "passkey_sign_in_options",
    tag = "core",
    request_body(content = PasskeyOptionsRequest),
    responses(
        (status = 200, description = "The ceremony and its `publicKey` options.", body = PasskeyOptionsResponse),
        (status = 400, description = "`invalid_request`, `validation_failed` (`client_id` missing), `invalid_client`.", body = CoreErrorBody),
        (status = 404, description = "`not_found`: passkeys are off.", body = CoreErrorBody),
        CoreBodyRefusals,
        CoreLockedOut,
        CoreFaults,
    )
)]
pub async fn sign_in_options<S: Store, M: Mailer>(
    call: Call<S, M>,
    payload: web::Payload,
) -> Result<HttpResponse, CoreError> {
    let Call { req, app, lang } = call;
    let request: PasskeyOptionsRequest = body::read(&req, payload, &app).await.core(lang)?;
    let client = parse::present(Field::ClientId, request.client_id).core(lang)?;
    let options = app
        .passkey_sign_in_options(&client, Origin::of(&req).0)
        .await
        .core(lang)?;
    Ok(secret_answer(&PasskeyOptionsResponse::from(options)))
}

/// Begin a passkey second factor
///
/// For a sign-in answered `mfa_required` with `passkey` among its
/// `factors`: the options for `navigator.credentials.get()`, the account's
/// passkeys allowed. The answer goes to `grant_type=mfa` as `credential`,
/// with the `mfa_token`. Asking again replaces the options.
#[utoipa::path(
    post,
    path = "/api/token/mfa/passkey-options",
    operation_id = "mfa_passkey_options",
    tag = "core",
    request_body(content = MfaPasskeyOptionsRequest),
    responses(
        (status = 200, description = "The `publicKey` options.", body = MfaPasskeyOptionsResponse),
        (status = 400, description = "`invalid_request`, `validation_failed` (`mfa_token` missing), `invalid_grant` \
            (an unknown, used or expired `mfa_token`, or an account without passkeys).", body = CoreErrorBody),
        (status = 404, description = "`not_found`: passkeys are off.", body = CoreErrorBody),
        CoreBodyRefusals,
        CoreLockedOut,
        CoreFaults,
    )
)]
pub async fn mfa_options<S: Store, M: Mailer>(
    call: Call<S, M>,
    payload: web::Payload,
) -> Result<HttpResponse, CoreError> {
    let Call { req, app, lang } = call;
    let request: MfaPasskeyOptionsRequest = body::read(&req, payload, &app).await.core(lang)?;
    let token = parse::present(Field::MfaToken, request.mfa_token).core(lang)?;
    let public_key = app.mfa_passkey_options(&token, Origin::of(&req).0).await.core(lang)?;
    Ok(secret_answer(&MfaPasskeyOptionsResponse { public_key }))
}
