//! `/admin/users/{id}…`: one account, disabling and enabling it.

use actix_web::{web, HttpResponse};
use registrar_domain::{Actor, AdminScope};
use registrar_mail::Mailer;
use registrar_service::{AdminUserView, TotpState};
use registrar_store::Store;
use serde::Serialize;
use utoipa::ToSchema;

use super::auth::admin_key;
use super::{AdminError, AdminErrorBody, AdminRefusals};
use crate::edge::call::Call;

/// One session of the account (never a token).
#[derive(Serialize, ToSchema)]
pub struct AdminSession {
    pub id: String,
    pub client_id: String,
    pub device_id: String,
    pub device_name: String,
    /// `password`, `email_code`, `passkey`, …
    pub sign_in_method: &'static str,
    pub created_at: String,
    pub last_used_at: String,
}

/// The account's second factors, without a secret.
#[derive(Serialize, ToSchema)]
pub struct AdminFactors {
    /// `off`, `pending` or `on`.
    pub totp: &'static str,
    pub passkeys: usize,
    pub recovery_codes_left: u32,
}

/// An account as an administrator sees it.
#[derive(Serialize, ToSchema)]
pub struct AdminUser {
    pub id: String,
    pub email: String,
    pub role: String,
    pub language: String,
    pub disabled: bool,
    /// RFC 3339, absent while unconfirmed.
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_confirmed_at: Option<String>,
    pub created_at: String,
    pub sessions: Vec<AdminSession>,
    pub factors: AdminFactors,
}

impl From<AdminUserView> for AdminUser {
    fn from(view: AdminUserView) -> Self {
        let AdminUserView { user, sessions, factors } = view;
        Self {
            id: user.id.0,
            email: user.email.as_str().to_owned(),
            role: user.role.as_str().to_owned(),
            language: user.language.code().to_owned(),
            disabled: user.disabled,
            email_confirmed_at: user.email_confirmed_at.map(crate::timestamp),
            created_at: crate::timestamp(user.created_at),
            sessions: sessions
                .into_iter()
                .map(|s| AdminSession {
                    id: s.id.0,
                    client_id: s.client_id.as_str().to_owned(),
                    device_id: s.device_id.as_str().to_owned(),
                    device_name: s.device_name.as_str().to_owned(),
                    sign_in_method: s.sign_in_method.as_str(),
                    created_at: crate::timestamp(s.created_at),
                    last_used_at: crate::timestamp(s.last_used_at),
                })
                .collect(),
            factors: AdminFactors {
                totp: match factors.totp {
                    TotpState::Off => "off",
                    TotpState::Pending => "pending",
                    TotpState::On => "on",
                },
                passkeys: factors.passkeys,
                recovery_codes_left: factors.recovery_codes_left,
            },
        }
    }
}

/// One account
///
/// The profile's core, its sessions and its second factors (never a secret,
/// token or hash). Needs `users:read`.
#[utoipa::path(
    get,
    path = "/admin/users/{id}",
    operation_id = "admin_user",
    tag = "admin",
    security(("admin_key" = ["users:read"])),
    params(("id" = String, Path, description = "The user's id.")),
    responses(
        (status = 200, description = "The account.", body = AdminUser),
        (status = 404, description = "No such account (`not_found`).", body = AdminErrorBody),
        AdminRefusals,
    )
)]
pub async fn user<S: Store, M: Mailer>(call: Call<S, M>, id: web::Path<String>) -> Result<HttpResponse, AdminError> {
    let Call { req, app, .. } = call;
    admin_key(&req, &app, AdminScope::UsersRead).await?;
    let view = app.admin_user(&id).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(AdminUser::from(view)))
}

async fn set_disabled<S: Store, M: Mailer>(call: Call<S, M>, id: &str, disabled: bool) -> Result<HttpResponse, AdminError> {
    let Call { req, app, .. } = call;
    let key = admin_key(&req, &app, AdminScope::UsersWrite).await?;
    let user = app.admin_user(id).await?.user;
    app.admin_set_disabled(&Actor::AdminKey(key.name), &user, disabled).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Disable an account
///
/// Signs it out everywhere (every session, browser session and pending
/// second-factor sign-in) and refuses every sign-in until it is enabled;
/// recorded as `user.disabled` by `admin:<key name>`. Disabling a disabled
/// account is fine and records nothing. Needs `users:write`.
#[utoipa::path(
    post,
    path = "/admin/users/{id}/disable",
    operation_id = "admin_user_disable",
    tag = "admin",
    security(("admin_key" = ["users:write"])),
    params(("id" = String, Path, description = "The user's id.")),
    responses(
        (status = 204, description = "Disabled."),
        (status = 404, description = "No such account (`not_found`).", body = AdminErrorBody),
        AdminRefusals,
    )
)]
pub async fn disable<S: Store, M: Mailer>(call: Call<S, M>, id: web::Path<String>) -> Result<HttpResponse, AdminError> {
    set_disabled(call, &id, true).await
}

/// Enable an account
///
/// Lets a disabled account sign in again; recorded as `user.enabled`.
/// Needs `users:write`.
#[utoipa::path(
    post,
    path = "/admin/users/{id}/enable",
    operation_id = "admin_user_enable",
    tag = "admin",
    security(("admin_key" = ["users:write"])),
    params(("id" = String, Path, description = "The user's id.")),
    responses(
        (status = 204, description = "Enabled."),
        (status = 404, description = "No such account (`not_found`).", body = AdminErrorBody),
        AdminRefusals,
    )
)]
pub async fn enable<S: Store, M: Mailer>(call: Call<S, M>, id: web::Path<String>) -> Result<HttpResponse, AdminError> {
    set_disabled(call, &id, false).await
}
