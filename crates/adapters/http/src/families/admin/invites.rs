//! `/admin/invites`: signup tokens (`registrar invite create`).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use registrar_domain::{text, Actor, AdminScope};
use registrar_mail::Mailer;
use registrar_store::Store;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::admin_key;
use super::parts::{json_body, no_store};
use super::{AdminError, AdminErrorBody, AdminRefusals};
use crate::edge::call::Call;

/// An invite to create.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminNewInvite {
    /// What it is for (at most 255 characters); optional.
    #[serde(default)]
    pub name: Option<String>,
    /// How many registrations it pays for: 1 (the default) to 1000000.
    #[serde(default = "one")]
    pub uses: u32,
}

fn one() -> u32 {
    1
}

/// A new signup token, shown this once (only its hash is kept).
#[derive(Serialize, ToSchema)]
pub struct AdminInviteCreated {
    /// What names it in the list and to revoke it (16 hex digits).
    pub id: String,
    pub token: String,
    pub uses: u32,
}

/// An invite as listed: never its token.
#[derive(Serialize, ToSchema)]
pub struct AdminInvite {
    pub id: String,
    pub name: Option<String>,
    pub uses_left: u32,
    /// RFC 3339.
    pub created_at: String,
}

/// Every invite, by creation time.
#[derive(Serialize, ToSchema)]
pub struct AdminInviteList {
    pub invites: Vec<AdminInvite>,
}

/// List invites
///
/// Every signup token, used up or not, by creation time: its id, name, the
/// uses it has left and when it was made — never the token. Needs
/// `invites:write`.
#[utoipa::path(
    get,
    path = "/admin/invites",
    operation_id = "admin_invites",
    tag = "admin",
    security(("admin_key" = ["invites:write"])),
    responses(
        (status = 200, description = "Every invite.", body = AdminInviteList),
        AdminRefusals,
    )
)]
pub async fn list<S: Store, M: Mailer>(call: Call<S, M>) -> Result<HttpResponse, AdminError> {
    let Call { req, app, .. } = call;
    admin_key(&req, &app, AdminScope::InvitesWrite).await?;
    let invites = app.invites().await?;
    Ok(no_store(StatusCode::OK).json(AdminInviteList {
        invites: invites
            .into_iter()
            .map(|i| AdminInvite {
                id: i.id,
                name: i.name,
                uses_left: i.uses_left,
                created_at: crate::timestamp(i.created_at),
            })
            .collect(),
    }))
}

/// Revoke an invite
///
/// Deletes the signup token: registrations that name it are refused from
/// now on. Recorded as `admin.action` `invite.revoked` (target: its id).
/// Needs `invites:write`.
#[utoipa::path(
    delete,
    path = "/admin/invites/{id}",
    operation_id = "admin_invite_revoke",
    tag = "admin",
    security(("admin_key" = ["invites:write"])),
    params(("id" = String, Path, description = "The invite's id, as listed.")),
    responses(
        (status = 204, description = "Revoked."),
        (status = 404, description = "No such invite (`not_found`).", body = AdminErrorBody),
        AdminRefusals,
    )
)]
pub async fn revoke<S: Store, M: Mailer>(call: Call<S, M>, id: web::Path<String>) -> Result<HttpResponse, AdminError> {
    let Call { req, app, .. } = call;
    let key = admin_key(&req, &app, AdminScope::InvitesWrite).await?;
    match app.revoke_invite_as(&Actor::AdminKey(key.name), &id).await {
        Ok(()) => Ok(HttpResponse::NoContent().finish()),
        Err(registrar_service::ServiceError::NotFound) => Err(AdminError::NotFound("invite")),
        Err(e) => Err(e.into()),
    }
}

/// Create an invite
///
/// A signup token good for `uses` registrations, answered here once with
/// its id. Recorded as `admin.action` `invite.created` (target: its id).
/// Needs `invites:write`.
#[utoipa::path(
    post,
    path = "/admin/invites",
    operation_id = "admin_invite_create",
    tag = "admin",
    security(("admin_key" = ["invites:write"])),
    request_body(content = AdminNewInvite, content_type = "application/json"),
    responses(
        (status = 201, description = "The token, shown once.", body = AdminInviteCreated),
        (status = 400, description = "A body that cannot be read (`invalid_request`).", body = AdminErrorBody),
        (status = 422, description = "A field that is not valid (`validation_failed`).", body = AdminErrorBody),
        AdminRefusals,
    )
)]
pub async fn create<S: Store, M: Mailer>(call: Call<S, M>, payload: web::Payload) -> Result<HttpResponse, AdminError> {
    let Call { req, app, .. } = call;
    let key = admin_key(&req, &app, AdminScope::InvitesWrite).await?;
    let given: AdminNewInvite = json_body(payload).await?;
    if !(1..=1_000_000).contains(&given.uses) {
        return Err(AdminError::invalid("uses", "an integer from 1 to 1000000"));
    }
    if let Some(name) = &given.name {
        if text::has_control_characters(name) {
            return Err(AdminError::invalid("name", "must not contain control characters"));
        }
        if name.trim().chars().count() > 255 {
            return Err(AdminError::invalid("name", "at most 255 characters"));
        }
    }
    let token = app
        .create_invite_as(&Actor::AdminKey(key.name), given.name, given.uses)
        .await?;
    Ok(no_store(StatusCode::CREATED).json(AdminInviteCreated {
        id: registrar_store::InviteRecord::id_of(&token.hash()),
        token: token.expose().to_owned(),
        uses: given.uses,
    }))
}
