//! `/admin/policies`: the policy revisions, and publishing one from the same
//! TOML or JSON file the CLI reads (`registrar policy publish FILE`).

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use registrar_domain::policy::current_revisions;
use registrar_domain::{Actor, AdminScope, PolicyRevision};
use registrar_mail::Mailer;
use registrar_service::policy_file::PolicyFormat;
use registrar_store::Store;
use serde::Serialize;
use utoipa::ToSchema;

use super::auth::admin_key;
use super::parts::{body_bytes, no_store};
use super::{AdminError, AdminErrorBody, AdminRefusals};
use crate::edge::call::Call;

/// A policy revision, without its texts.
#[derive(Serialize, ToSchema)]
pub struct AdminPolicy {
    pub id: i32,
    /// `tac`, `privacy`, …
    #[serde(rename = "type")]
    pub policy_type: String,
    pub version: String,
    /// RFC 3339.
    pub published_at: String,
    /// The languages of its texts.
    pub languages: Vec<String>,
    /// Whether it is the current revision of its type.
    pub current: bool,
}

fn view(revision: &PolicyRevision, current: bool) -> AdminPolicy {
    AdminPolicy {
        id: revision.id.0,
        policy_type: revision.policy_type.as_str().to_owned(),
        version: revision.version.clone(),
        published_at: crate::timestamp(revision.published_at),
        languages: revision.texts.keys().map(|l| l.code().to_owned()).collect(),
        current,
    }
}

/// Every revision ever published, oldest first.
#[derive(Serialize, ToSchema)]
pub struct AdminPolicyList {
    pub policies: Vec<AdminPolicy>,
}

/// The policy revisions
///
/// Every revision ever published, oldest first, each saying whether it is
/// the current one of its type. Reading needs the same scope as
/// publishing: `policies:write`.
#[utoipa::path(
    get,
    path = "/admin/policies",
    operation_id = "admin_policies",
    tag = "admin",
    security(("admin_key" = ["policies:write"])),
    responses(
        (status = 200, description = "Every revision.", body = AdminPolicyList),
        AdminRefusals,
    )
)]
pub async fn list<S: Store, M: Mailer>(call: Call<S, M>) -> Result<HttpResponse, AdminError> {
    let Call { req, app, .. } = call;
    admin_key(&req, &app, AdminScope::PoliciesWrite).await?;
    let mut all = app.policy_revisions().await?;
    all.sort_by_key(|r| r.id);
    let current: Vec<_> = current_revisions(&all).into_iter().map(|r| r.id).collect();
    Ok(no_store(StatusCode::OK).json(AdminPolicyList {
        policies: all.iter().map(|r| view(r, current.contains(&r.id))).collect(),
    }))
}

/// Publish a policy revision
///
/// The body is a policy file as `registrar policy publish` reads it
/// (README.md, Operations): TOML with `Content-Type: application/toml`,
/// or the same as JSON with `application/json`; each translation gives its
/// `html` inline (`html_file` is the CLI's only). The revision becomes the
/// current one of its type; recorded as `admin.action` `policy.published`
/// (target `<type> <version>`). Needs `policies:write`.
#[utoipa::path(
    post,
    path = "/admin/policies",
    operation_id = "admin_policy_publish",
    tag = "admin",
    security(("admin_key" = ["policies:write"])),
    request_body(content = String, description = "The policy file, TOML (`application/toml`) or JSON (`application/json`).", content_type = "application/toml"),
    responses(
        (status = 201, description = "The revision published.", body = AdminPolicy),
        (status = 400, description = "A file that cannot be read or is not valid, with the reason (`invalid_request`).", body = AdminErrorBody),
        AdminRefusals,
    )
)]
pub async fn publish<S: Store, M: Mailer>(call: Call<S, M>, payload: web::Payload) -> Result<HttpResponse, AdminError> {
    let Call { req, app, .. } = call;
    let key = admin_key(&req, &app, AdminScope::PoliciesWrite).await?;
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    let format = match content_type.as_deref() {
        Some("application/json") => PolicyFormat::Json,
        Some("application/toml" | "text/toml" | "text/x-toml") => PolicyFormat::Toml,
        _ => {
            return Err(AdminError::BadRequest(
                "Content-Type must be application/toml or application/json.".into(),
            ))
        }
    };
    let bytes = body_bytes(payload).await?;
    let source = std::str::from_utf8(&bytes).map_err(|_| AdminError::BadRequest("The body is not UTF-8.".into()))?;
    let offered = crate::edge::language::languages().unwrap_or_default();
    let published = app
        .publish_policy_source(&Actor::AdminKey(key.name), source, format, &offered)
        .await?
        .map_err(|e| AdminError::BadRequest(format!("The policy file is not valid: {e}")))?;
    Ok(no_store(StatusCode::CREATED).json(view(&published, true)))
}
