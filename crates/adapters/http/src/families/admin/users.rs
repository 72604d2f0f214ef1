//! `/admin/users/{id}…`: one account, disabling and enabling it.

use actix_web::{web, HttpResponse};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use registrar_domain::{Actor, AdminScope, Role, User, UserId};
use registrar_mail::Mailer;
use registrar_service::{AdminUserView, TotpState};
use registrar_store::{Store, UserCursor, UserFilter};
use serde::Serialize;
use utoipa::ToSchema;

use super::audit::{page_limit, plain};
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
        let AdminUserView {
            user,
            sessions,
            factors,
        } = view;
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

async fn set_disabled<S: Store, M: Mailer>(
    call: Call<S, M>,
    id: &str,
    disabled: bool,
) -> Result<HttpResponse, AdminError> {
    let Call { req, app, .. } = call;
    let key = admin_key(&req, &app, AdminScope::UsersWrite).await?;
    let user = app.admin_user(id).await?.user;
    app.admin_set_disabled(&Actor::AdminKey(key.name), &user, disabled)
        .await?;
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

/// An account in a search's page.
#[derive(Serialize, ToSchema)]
pub struct AdminUserSummary {
    pub id: String,
    pub email: String,
    pub role: String,
    pub disabled: bool,
    /// RFC 3339, absent while unconfirmed.
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_confirmed_at: Option<String>,
    pub created_at: String,
}

impl From<User> for AdminUserSummary {
    fn from(user: User) -> Self {
        Self {
            id: user.id.0,
            email: user.email.as_str().to_owned(),
            role: user.role.as_str().to_owned(),
            disabled: user.disabled,
            email_confirmed_at: user.email_confirmed_at.map(crate::timestamp),
            created_at: crate::timestamp(user.created_at),
        }
    }
}

/// A page of accounts.
#[derive(Serialize, ToSchema)]
pub struct AdminUserPage {
    /// Oldest first (by creation time, then id).
    pub users: Vec<AdminUserSummary>,
    /// Give it as `cursor` for the next page; absent on the last page.
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// The cursor after `user`: its creation time (nanoseconds) and id, opaque (base64url).
fn cursor_after(user: &User) -> String {
    let nanos = user.created_at.timestamp_nanos_opt().unwrap_or(i64::MAX);
    URL_SAFE_NO_PAD.encode(format!("{nanos}~{}", user.id.as_str()))
}

fn read_cursor(text: &str) -> Option<UserCursor> {
    let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (nanos, id) = text.split_once('~')?;
    if id.is_empty() || registrar_domain::text::has_control_characters(id) {
        return None;
    }
    Some(UserCursor {
        created_at: DateTime::<Utc>::from_timestamp_nanos(nanos.parse().ok()?),
        id: UserId(id.to_owned()),
    })
}

fn flag(field: &'static str, text: &str) -> Result<bool, AdminError> {
    match text {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(AdminError::invalid(field, "true or false")),
    }
}

fn instant(field: &'static str, text: &str) -> Result<DateTime<Utc>, AdminError> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|_| AdminError::invalid(field, "an RFC 3339 time, e.g. 2026-12-12T08:00:00Z"))
}

fn read_search(query: &str) -> Result<(UserFilter, Option<UserCursor>, usize), AdminError> {
    let mut filter = UserFilter::default();
    let mut cursor = None;
    let mut limit = None;
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        let value = value.trim();
        match key.as_ref() {
            "email_prefix" => {
                plain("email_prefix", value)?;
                if value.is_empty() || value.chars().count() > 254 {
                    return Err(AdminError::invalid("email_prefix", "1 to 254 characters"));
                }
                filter.email_prefix = Some(value.to_lowercase());
            }
            "role" => {
                filter.role = Some(
                    Role::parse(value).ok_or_else(|| AdminError::invalid("role", "1 to 32 of a-z, 0-9, _ and -"))?,
                );
            }
            "confirmed" => filter.confirmed = Some(flag("confirmed", value)?),
            "disabled" => filter.disabled = Some(flag("disabled", value)?),
            "created_after" => filter.created_after = Some(instant("created_after", value)?),
            "created_before" => filter.created_before = Some(instant("created_before", value)?),
            "cursor" => {
                cursor = Some(
                    read_cursor(value)
                        .ok_or_else(|| AdminError::invalid("cursor", "a next_cursor of an earlier page"))?,
                );
            }
            "limit" => limit = Some(page_limit(Some(value))?),
            _ => {}
        }
    }
    Ok((filter, cursor, limit.unwrap_or(super::audit::DEFAULT_LIMIT)))
}

/// Search accounts
///
/// Accounts matching every filter given, oldest first, keyset-paginated:
/// `email_prefix` (the start of the lowercase address, taken literally),
/// `role`, `confirmed`, `disabled`, `created_after` (inclusive),
/// `created_before` (exclusive). Each filter is served by an index in the
/// page's order. Needs `users:read`.
#[utoipa::path(
    get,
    path = "/admin/users",
    operation_id = "admin_users",
    tag = "admin",
    security(("admin_key" = ["users:read"])),
    params(
        ("email_prefix" = Option<String>, Query, description = "The address starts with this (case ignored)."),
        ("role" = Option<String>, Query, description = "Only accounts with this role."),
        ("confirmed" = Option<bool>, Query, description = "Only accounts whose address is (or is not) confirmed."),
        ("disabled" = Option<bool>, Query, description = "Only disabled (or enabled) accounts."),
        ("created_after" = Option<String>, Query, description = "Created at or after this RFC 3339 time."),
        ("created_before" = Option<String>, Query, description = "Created before this RFC 3339 time."),
        ("cursor" = Option<String>, Query, description = "The `next_cursor` of the page before."),
        ("limit" = Option<u32>, Query, description = "1 to 1000 accounts; 50 by default."),
    ),
    responses(
        (status = 200, description = "A page of accounts.", body = AdminUserPage),
        (status = 422, description = "A parameter that cannot be read (`validation_failed`, named in `errors`).", body = AdminErrorBody),
        AdminRefusals,
    )
)]
pub async fn search<S: Store, M: Mailer>(call: Call<S, M>) -> Result<HttpResponse, AdminError> {
    let Call { req, app, .. } = call;
    admin_key(&req, &app, AdminScope::UsersRead).await?;
    let (filter, cursor, limit) = read_search(req.query_string())?;
    let users = app.admin_search_users(&filter, cursor.as_ref(), limit).await?;
    let next_cursor = (users.len() == limit).then(|| users.last().map(cursor_after)).flatten();
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(AdminUserPage {
            users: users.into_iter().map(AdminUserSummary::from).collect(),
            next_cursor,
        }))
}
