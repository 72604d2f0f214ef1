//! The OAuth 2 endpoints beside `/api/token`: revocation (RFC 7009).
//! Their clients authenticate as at the token endpoint
//! ([`authenticate_client`]); their errors are the core shape, which carries
//! RFC 6749 §5.2's `error` and `error_description`.

use actix_web::{web, HttpResponse};
use registrar_mail::Mailer;
use registrar_service::ServiceError;
use registrar_store::Store;

use super::account::empty;
use super::answers::EmptyResponse;
use super::requests::RevocationRequest;
use super::tokens::{authenticate_client, basic_client, basic_refusal};
use super::{CoreBodyRefusals, CoreBodyThrottled, CoreError, CoreErrorBody, CoreFaults, CoreResult, EdgeProblem};
use crate::edge::body;
use crate::edge::call::Call;

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
    request_body(content = RevocationRequest),
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
    let basic = basic_client(&req).core(lang)?;
    let request: RevocationRequest = body::read(&req, payload, &app).await.core(lang)?;
    let client = authenticate_client(&app, basic, request.client_id, request.client_secret)
        .await
        .core(lang)?;
    let Some(client) = client else {
        return Err(ServiceError::InvalidClient).core(lang);
    };
    let Some(token) = request.token else {
        return Err(EdgeProblem::NoToken).core(lang);
    };
    basic_refusal(&req, app.revoke_token(&client, &token).await).core(lang)?;
    Ok(empty())
}
