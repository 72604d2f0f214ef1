//! Policies: the current revisions in the caller's language, and acceptance.

use actix_web::{web, HttpRequest, HttpResponse};
use registrar_mail::Mailer;
use registrar_store::Store;

use super::account::caller;
use super::answers::{AcceptanceResponse, ListedPolicyResponse, PolicyResponse};
use super::requests::AcceptPoliciesRequest;
use super::{
    CoreBearerRefusals, CoreBodyRefusals, CoreBodyThrottled, CoreError, CoreErrorBody, CoreFaults, CoreResult,
};
use crate::edge::body;
use crate::edge::call::Call;
use crate::edge::language::{DefaultLanguage, Lang};

fn fallback(req: &HttpRequest) -> Lang {
    Lang(
        req.app_data::<web::Data<DefaultLanguage>>()
            .map_or(registrar_domain::Language::EN, |d| d.0),
    )
}

/// The current revision of every published policy type
#[utoipa::path(
    get,
    path = "/api/policies",
    operation_id = "policies",
    tag = "core",
    responses(
        (status = 200, description = "One entry per type, in the request's language.",
            body = Vec<ListedPolicyResponse>),
        CoreFaults,
    )
)]
pub async fn list<S: Store, M: Mailer>(call: Call<S, M>) -> Result<HttpResponse, CoreError> {
    let Call { req, app, lang } = call;
    let policies = app.current_policies().await.core(lang)?;
    let fallback = fallback(&req);
    let list: Vec<_> = policies
        .iter()
        .map(|p| ListedPolicyResponse::new(p, lang, fallback))
        .collect();
    Ok(HttpResponse::Ok().json(list))
}

/// The current revision of one policy type
#[utoipa::path(
    get,
    path = "/api/policies/{type}",
    operation_id = "policy",
    tag = "core",
    params(("type" = String, Path, description = "`tac`, `privacy`, `cookie`, `shop` or another published type.")),
    responses(
        (status = 200, description = "The revision, in the request's language.", body = PolicyResponse),
        (status = 404, description = "`not_found`: no revision of that type is published.", body = CoreErrorBody),
        CoreFaults,
    )
)]
pub async fn one<S: Store, M: Mailer>(call: Call<S, M>, path: web::Path<String>) -> Result<HttpResponse, CoreError> {
    let Call { req, app, lang } = call;
    let policy = app.current_policy(&path.into_inner()).await.core(lang)?;
    Ok(HttpResponse::Ok().json(PolicyResponse::new(&policy, lang, fallback(&req))))
}

/// Accept policy revisions
#[utoipa::path(
    post,
    path = "/api/policies/accept",
    operation_id = "accept_policies",
    tag = "core",
    security(("bearer" = [])),
    request_body(content = AcceptPoliciesRequest),
    responses(
        (status = 200, description = "What the caller has accepted and what is still pending.",
            body = AcceptanceResponse),
        (status = 400, description = "`invalid_request`, `validation_failed` (no list, an unknown id).",
            body = CoreErrorBody),
        CoreBearerRefusals,
        CoreBodyRefusals,
        CoreBodyThrottled,
        CoreFaults,
    )
)]
pub async fn accept<S: Store, M: Mailer>(call: Call<S, M>, payload: web::Payload) -> Result<HttpResponse, CoreError> {
    let Call { req, app, lang } = call;
    let ctx = caller(&req, &app, lang).await?;
    let request: AcceptPoliciesRequest = body::read(&req, payload, &app).await.core(lang)?;
    let acceptance = app
        .accept_policies(&ctx, request.policies, Lang::requested(&req))
        .await
        .core(lang)?;
    Ok(HttpResponse::Ok().json(AcceptanceResponse::from(&acceptance)))
}
