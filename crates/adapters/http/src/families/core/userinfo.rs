//! The UserInfo endpoint (OpenID Connect Core §5.3): the claims an access
//! token's scope lets its client read of the user, by `GET` or `POST`, the
//! token in `Authorization: Bearer` (RFC 6750 §2.1) as at `/api/me`.

use actix_web::http::header;
use actix_web::HttpResponse;
use registrar_domain::OAuthScope;
use registrar_mail::Mailer;
use registrar_service::{claims, granted_scope};
use registrar_store::Store;
use serde::Serialize;
use utoipa::ToSchema;

use super::{CoreError, CoreErrorBody, CoreFaults, CoreResult, EdgeProblem};
use crate::edge::call::Call;

/// The claims of the caller's scope: `sub` always; `email`,
/// `email_verified` (scope `email`); `name`, `given_name`, `family_name`,
/// `locale` (scope `profile`); `phone_number` in E.164 (scope `phone`). A
/// value the user has not given is left out, never `null`.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"sub": "9b2f…", "email": "ann@example.com", "email_verified": true,
    "name": "Ann Smith", "given_name": "Ann", "family_name": "Smith", "locale": "en"}))]
pub struct UserInfoResponse {
    /// The user's id, as in the ID token.
    pub sub: String,
    #[schema(nullable = false)]
    pub email: Option<String>,
    #[schema(nullable = false)]
    pub email_verified: Option<bool>,
    #[schema(nullable = false)]
    pub name: Option<String>,
    #[schema(nullable = false)]
    pub given_name: Option<String>,
    #[schema(nullable = false)]
    pub family_name: Option<String>,
    /// The user's language (BCP 47).
    #[schema(nullable = false)]
    pub locale: Option<String>,
    /// E.164.
    #[schema(nullable = false)]
    pub phone_number: Option<String>,
}

async fn userinfo_of<S: Store, M: Mailer>(call: Call<S, M>) -> Result<HttpResponse, CoreError> {
    let Call { req, app, lang } = call;
    // A third-party client's token is good here (and only here).
    let token = crate::edge::bearer::token(&req)
        .ok_or(EdgeProblem::MissingToken)
        .core(lang)?;
    let ctx = app.authenticate_any(token).await.core(lang)?;
    let scope = granted_scope(&ctx);
    if !scope.contains(OAuthScope::OpenId) {
        return Err(EdgeProblem::InsufficientScope).core(lang);
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(claims(&ctx.user, &scope)))
}

/// The caller's claims (OpenID Connect UserInfo)
///
/// The claims the access token's scope grants (OpenID Connect Core §5.3),
/// for a token whose scope has `openid`; the tokens of Registrar's own
/// grants have every scope. The token goes in `Authorization: Bearer`.
#[utoipa::path(
    get,
    path = "/userinfo",
    operation_id = "userinfo",
    tag = "core",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The claims, with `Cache-Control: no-store`.", body = UserInfoResponse),
        (status = 401, description = "`invalid_token`: missing (a bare `Bearer` challenge), unknown, expired or \
            revoked (`Bearer error=\"invalid_token\"`).", body = CoreErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer` or `Bearer error=\"invalid_token\", \
            error_description=\"…\"`"))),
        (status = 403, description = "`insufficient_scope` (the token's scope lacks `openid`), `account_disabled`.",
            body = CoreErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer error=\"insufficient_scope\", \
            scope=\"openid\"` for `insufficient_scope`"))),
        CoreFaults,
    )
)]
pub async fn userinfo<S: Store, M: Mailer>(call: Call<S, M>) -> Result<HttpResponse, CoreError> {
    userinfo_of(call).await
}

/// The caller's claims, by POST (OpenID Connect UserInfo)
///
/// As `GET /userinfo` (OpenID Connect Core §5.3.1 allows both); the token
/// goes in `Authorization: Bearer`, and a body is not read.
#[utoipa::path(
    post,
    path = "/userinfo",
    operation_id = "userinfo_post",
    tag = "core",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The claims, with `Cache-Control: no-store`.", body = UserInfoResponse),
        (status = 401, description = "`invalid_token`: missing (a bare `Bearer` challenge), unknown, expired or \
            revoked (`Bearer error=\"invalid_token\"`).", body = CoreErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer` or `Bearer error=\"invalid_token\", \
            error_description=\"…\"`"))),
        (status = 403, description = "`insufficient_scope` (the token's scope lacks `openid`), `account_disabled`.",
            body = CoreErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer error=\"insufficient_scope\", \
            scope=\"openid\"` for `insufficient_scope`"))),
        CoreFaults,
    )
)]
pub async fn userinfo_post<S: Store, M: Mailer>(call: Call<S, M>) -> Result<HttpResponse, CoreError> {
    userinfo_of(call).await
}

#[cfg(test)]
mod tests {
    use actix_web::body::to_bytes;
    use actix_web::http::StatusCode;
    use actix_web::ResponseError as _;
    use registrar_domain::Language;
    use serde_json::{json, Value};

    use super::*;
    use crate::edge::language::Lang;

    /// Sessions carry no scope yet, so no live token lacks `openid`: the
    /// refusal such a token will get is checked here, as it is rendered.
    #[actix_web::test]
    async fn a_token_without_openid_is_403_insufficient_scope_with_its_bearer_challenge() {
        let error = CoreError {
            problem: EdgeProblem::InsufficientScope.into(),
            lang: Lang(Language::EN),
        };
        let response = error.error_response();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            response
                .headers()
                .get(header::WWW_AUTHENTICATE)
                .and_then(|v| v.to_str().ok()),
            Some("Bearer error=\"insufficient_scope\", scope=\"openid\"")
        );
        let body: Value = serde_json::from_slice(&to_bytes(response.into_body()).await.unwrap()).unwrap();
        let message = "The access token does not grant the scope this request needs.";
        assert_eq!(
            body,
            json!({"success": false, "error": "insufficient_scope", "message": message, "error_description": message})
        );
    }
}
