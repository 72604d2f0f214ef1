//! `/admin/invites`: signup tokens (`registrar invite create`).

use actix_web::{web, HttpResponse};
use registrar_domain::{text, Actor, AdminScope};
use registrar_mail::Mailer;
use registrar_store::Store;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::admin_key;
use super::clients::json_body;
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
    pub token: String,
    pub uses: u32,
}

/// Create an invite
///
/// A signup token good for `uses` registrations, answered here once.
/// Recorded as `admin.action` `invite.created` (target: its name, `-` for
/// none). Needs `invites:write`.
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
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(AdminInviteCreated {
            token: token.expose().to_owned(),
            uses: given.uses,
        }))
}
