//! `/admin/users/{id}…`: one account, disabling and enabling it, its role,
//! its sessions, second factors, confirmation mail and lockout, and its
//! erasure.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use registrar_domain::{Actor, AdminKey, AdminScope, Role, User, UserId};
use registrar_mail::Mailer;
use registrar_service::{AdminUserView, Lockout, ServiceError, TotpState};
use registrar_store::{AcceptedRevision, Store, UserCursor, UserFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::admin_key;
use super::parts::{instant, next_cursor, no_store, page_limit, plain, DEFAULT_LIMIT};
use super::{AdminError, AdminErrorBody, AdminRefusals};
use crate::edge::body::{self, BodyError};
use crate::edge::call::Call;
use crate::edge::export::ExportDocument;

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

/// A policy revision the account accepted.
#[derive(Serialize, ToSchema)]
pub struct AdminAcceptedRevision {
    pub id: i32,
    /// `tac`, `privacy`, …
    #[serde(rename = "type")]
    pub policy_type: String,
    pub version: String,
    pub accepted_at: String,
    /// The language it was accepted in; `null` when not known (imported).
    #[schema(value_type = Option<String>, example = "nl")]
    pub language: Option<String>,
}

impl From<AcceptedRevision> for AdminAcceptedRevision {
    fn from(accepted: AcceptedRevision) -> Self {
        Self {
            id: accepted.id.0,
            policy_type: accepted.policy_type.to_string(),
            version: accepted.version,
            accepted_at: crate::timestamp(accepted.accepted_at),
            language: accepted.language.map(|l| l.code().to_owned()),
        }
    }
}

/// The account's sign-in lockout: failures counted in their current window
/// (per address, known account or not) and the end of a lock in force.
#[derive(Serialize, ToSchema)]
pub struct AdminLockout {
    /// Whether sign-ins (password or code) are refused now.
    pub locked: bool,
    /// RFC 3339, absent when not locked.
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locked_until: Option<String>,
    /// Failed sign-ins with a password counted now.
    pub failed_sign_ins: u32,
    /// Failed tries of mailed codes counted now.
    pub failed_codes: u32,
}

impl From<Lockout> for AdminLockout {
    fn from(lockout: Lockout) -> Self {
        Self {
            locked: lockout.locked_until.is_some(),
            locked_until: lockout.locked_until.map(crate::timestamp),
            failed_sign_ins: lockout.failed_sign_ins,
            failed_codes: lockout.failed_codes,
        }
    }
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
    /// The policy revisions accepted, by id.
    pub accepted_revisions: Vec<AdminAcceptedRevision>,
    pub lockout: AdminLockout,
}

impl From<AdminUserView> for AdminUser {
    fn from(view: AdminUserView) -> Self {
        let AdminUserView {
            user,
            sessions,
            factors,
            accepted,
            lockout,
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
            accepted_revisions: accepted.into_iter().map(AdminAcceptedRevision::from).collect(),
            lockout: lockout.into(),
        }
    }
}

/// One account
///
/// The profile's core, its sessions, its second factors (never a secret,
/// token or hash), the policy revisions it accepted and its sign-in
/// lockout. Needs `users:read`.
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
    Ok(no_store(StatusCode::OK).json(AdminUser::from(view)))
}

/// Export an account's data
///
/// The document `GET /api/me/export` answers its user (`registrar-export/1`,
/// README "Data export"), as an attachment; recorded as `user.exported`
/// by `admin:<key name>` (data `by`: `admin`) and counted against the
/// account's and the client's export limits. Needs `users:read`.
#[utoipa::path(
    get,
    path = "/admin/users/{id}/export",
    operation_id = "admin_user_export",
    tag = "admin",
    security(("admin_key" = ["users:read"])),
    params(("id" = String, Path, description = "The user's id.")),
    responses(
        (status = 200, description = "The document, as an attachment `registrar-export-<user id>.json`.",
            body = ExportDocument,
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"registrar-export-<user id>.json\"`"))),
        (status = 404, description = "No such account (`not_found`).", body = AdminErrorBody),
        AdminRefusals,
    )
)]
pub async fn export<S: Store, M: Mailer>(call: Call<S, M>, id: web::Path<String>) -> Result<HttpResponse, AdminError> {
    let Call { req, app, .. } = call;
    let key = admin_key(&req, &app, AdminScope::UsersRead).await?;
    let from = crate::edge::client_ip::Origin::of(&req).0;
    let export = app.admin_export_user(&Actor::AdminKey(key.name), &id, from).await?;
    Ok(crate::edge::export::attachment(&export))
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
            "name" => {
                plain("name", value)?;
                if value.is_empty() || value.chars().count() > 100 {
                    return Err(AdminError::invalid("name", "1 to 100 characters"));
                }
                filter.name_prefix = Some(value.to_lowercase());
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
    Ok((filter, cursor, limit.unwrap_or(DEFAULT_LIMIT)))
}

/// Search accounts
///
/// Accounts matching every filter given, oldest first, keyset-paginated:
/// `email_prefix` (the start of the lowercase address, taken literally),
/// `name` (the start of the first or the last name, case ignored, taken
/// literally), `role`, `confirmed`, `disabled`, `created_after` (inclusive),
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
        ("name" = Option<String>, Query, description = "The first or the last name starts with this (case ignored)."),
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
    let next_cursor = next_cursor(&users, limit, cursor_after);
    Ok(no_store(StatusCode::OK).json(AdminUserPage {
        users: users.into_iter().map(AdminUserSummary::from).collect(),
        next_cursor,
    }))
}

/// The key of the call if it holds `scope`, and the account `id`.
async fn key_and_user<S: Store, M: Mailer>(
    call: &Call<S, M>,
    scope: AdminScope,
    id: &str,
) -> Result<(AdminKey, User), AdminError> {
    let key = admin_key(&call.req, &call.app, scope).await?;
    let user = call.app.admin_user(id).await?.user;
    Ok((key, user))
}

fn actor(key: AdminKey) -> Actor {
    Actor::AdminKey(key.name)
}

/// The body of `PUT /admin/users/{id}/role` (JSON or a form).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct AdminRoleRequest {
    /// 1 to 32 of `a-z 0-9 _ -`.
    #[schema(required = true, value_type = String, example = "editor", min_length = 1, max_length = 32)]
    #[serde(default, deserialize_with = "crate::edge::lenient::text")]
    pub role: Option<String>,
}

/// A body the admin API cannot read, as its errors say it.
fn unreadable(e: BodyError) -> AdminError {
    match e {
        BodyError::Throttled(retry_after) => AdminError::Service(ServiceError::TooManyAttempts { retry_after }),
        BodyError::TooLarge => AdminError::invalid("body", "at most 64 KiB"),
        BodyError::Timeout => AdminError::invalid("body", "the body did not arrive in time"),
        BodyError::Malformed | BodyError::UnsupportedMediaType => AdminError::invalid("body", "a JSON object"),
    }
}

/// Set an account's role
///
/// Body `{"role": "editor"}`; recorded as `user.updated` (`fields`: `role`)
/// by `admin:<key name>` when the role changes. Needs `users:write`.
#[utoipa::path(
    put,
    path = "/admin/users/{id}/role",
    operation_id = "admin_user_role",
    tag = "admin",
    security(("admin_key" = ["users:write"])),
    params(("id" = String, Path, description = "The user's id.")),
    request_body = AdminRoleRequest,
    responses(
        (status = 204, description = "The account has the role."),
        (status = 404, description = "No such account (`not_found`).", body = AdminErrorBody),
        (status = 422, description = "No role, or not a role (`validation_failed`, `role` in `errors`).", body = AdminErrorBody),
        AdminRefusals,
    )
)]
pub async fn role<S: Store, M: Mailer>(
    call: Call<S, M>,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AdminError> {
    let (key, user) = key_and_user(&call, AdminScope::UsersWrite, &id).await?;
    let request: AdminRoleRequest = body::read(&call.req, payload, &call.app).await.map_err(unreadable)?;
    let text = request.role.unwrap_or_default();
    plain("role", &text)?;
    let role = Role::parse(text.trim()).ok_or_else(|| AdminError::invalid("role", "1 to 32 of a-z, 0-9, _ and -"))?;
    call.app.admin_set_role(&actor(key), &user, &role).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Delete an account (erasure)
///
/// As `DELETE /api/me`: the account and everything tied to it go (sessions,
/// browser sessions, factors, consents, acceptances, queued mails) and its
/// tokens stop working at once. Recorded as `user.deleted` by
/// `admin:<key name>`; the account's earlier events stay, anonymized (see
/// the README). Needs `users:write`.
#[utoipa::path(
    delete,
    path = "/admin/users/{id}",
    operation_id = "admin_user_delete",
    tag = "admin",
    security(("admin_key" = ["users:write"])),
    params(("id" = String, Path, description = "The user's id.")),
    responses(
        (status = 204, description = "Erased."),
        (status = 404, description = "No such account (`not_found`).", body = AdminErrorBody),
        AdminRefusals,
    )
)]
pub async fn delete<S: Store, M: Mailer>(call: Call<S, M>, id: web::Path<String>) -> Result<HttpResponse, AdminError> {
    let (key, user) = key_and_user(&call, AdminScope::UsersWrite, &id).await?;
    call.app.erase_user(&actor(key), &user).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// How many sessions ended.
#[derive(Serialize, ToSchema)]
pub struct AdminSessionsRevoked {
    /// Sessions and browser sessions ended.
    pub revoked: usize,
}

/// Revoke every session of an account
///
/// Ends its sessions (their tokens stop working at once), its browser
/// sessions and its sign-ins waiting for a second factor; recorded as one
/// `session.revoked` (`reason`: `admin`) by `admin:<key name>` when one
/// ended. The account itself stays usable. Needs `sessions:write`.
#[utoipa::path(
    delete,
    path = "/admin/users/{id}/sessions",
    operation_id = "admin_user_sessions_revoke",
    tag = "admin",
    security(("admin_key" = ["sessions:write"])),
    params(("id" = String, Path, description = "The user's id.")),
    responses(
        (status = 200, description = "How many ended.", body = AdminSessionsRevoked),
        (status = 404, description = "No such account (`not_found`).", body = AdminErrorBody),
        AdminRefusals,
    )
)]
pub async fn revoke_sessions<S: Store, M: Mailer>(
    call: Call<S, M>,
    id: web::Path<String>,
) -> Result<HttpResponse, AdminError> {
    let (key, user) = key_and_user(&call, AdminScope::SessionsWrite, &id).await?;
    let revoked = call.app.admin_revoke_sessions(&actor(key), &user).await?;
    Ok(no_store(StatusCode::OK).json(AdminSessionsRevoked { revoked }))
}

/// Revoke one session of an account
///
/// Recorded as `session.revoked` (`reason`: `admin`, with the session's
/// client and device) by `admin:<key name>`. A session that is not this
/// account's is a 404 and stays. Needs `sessions:write`.
#[utoipa::path(
    delete,
    path = "/admin/users/{id}/sessions/{session_id}",
    operation_id = "admin_user_session_revoke",
    tag = "admin",
    security(("admin_key" = ["sessions:write"])),
    params(
        ("id" = String, Path, description = "The user's id."),
        ("session_id" = String, Path, description = "One of its sessions' id (as `GET /admin/users/{id}` lists them)."),
    ),
    responses(
        (status = 204, description = "Revoked."),
        (status = 404, description = "No such account, or no such session of it (`not_found`).", body = AdminErrorBody),
        AdminRefusals,
    )
)]
pub async fn revoke_session<S: Store, M: Mailer>(
    call: Call<S, M>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AdminError> {
    let (id, session) = path.into_inner();
    let (key, user) = key_and_user(&call, AdminScope::SessionsWrite, &id).await?;
    call.app.admin_revoke_session(&actor(key), &user, &session).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Reset an account's second factors
///
/// Removes its authenticator app, recovery codes and passkeys and ends its
/// sign-ins waiting for a second factor, as `registrar user factors-reset`
/// does; the user is mailed "two-step verification turned off". Recorded
/// as `user.factor_removed` (`factor`: `all`) by `admin:<key name>`.
/// Answers 204 also when there was none (nothing mailed or recorded).
/// Needs `users:write`.
#[utoipa::path(
    delete,
    path = "/admin/users/{id}/factors",
    operation_id = "admin_user_factors_reset",
    tag = "admin",
    security(("admin_key" = ["users:write"])),
    params(("id" = String, Path, description = "The user's id.")),
    responses(
        (status = 204, description = "The account has no second factor now."),
        (status = 404, description = "No such account (`not_found`).", body = AdminErrorBody),
        AdminRefusals,
    )
)]
pub async fn reset_factors<S: Store, M: Mailer>(
    call: Call<S, M>,
    id: web::Path<String>,
) -> Result<HttpResponse, AdminError> {
    let (key, user) = key_and_user(&call, AdminScope::UsersWrite, &id).await?;
    call.app.admin_reset_factors(&actor(key), &user).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Resend the confirmation mail
///
/// Mails the account a new confirmation code and link, as
/// `POST /api/mails/verify` does; recorded as `admin.action`
/// (`action`: `confirmation.resent`) by `admin:<key name>`. An address
/// confirmed already is a 409 (`already_confirmed`). Needs `users:write`.
#[utoipa::path(
    post,
    path = "/admin/users/{id}/confirmation",
    operation_id = "admin_user_confirmation_resend",
    tag = "admin",
    security(("admin_key" = ["users:write"])),
    params(("id" = String, Path, description = "The user's id.")),
    responses(
        (status = 204, description = "The mail is queued."),
        (status = 404, description = "No such account (`not_found`).", body = AdminErrorBody),
        (status = 409, description = "The address is confirmed already (`already_confirmed`).", body = AdminErrorBody),
        AdminRefusals,
    )
)]
pub async fn resend_confirmation<S: Store, M: Mailer>(
    call: Call<S, M>,
    id: web::Path<String>,
) -> Result<HttpResponse, AdminError> {
    let (key, user) = key_and_user(&call, AdminScope::UsersWrite, &id).await?;
    call.app.admin_resend_confirmation(&actor(key), &user).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Lift an account's lockout
///
/// Forgets its failed sign-ins and code tries and any lock they earned, so
/// that it can sign in at once; recorded as `admin.action` (`action`:
/// `lockout.lifted`) by `admin:<key name>` when something was counted.
/// Needs `users:write`.
#[utoipa::path(
    delete,
    path = "/admin/users/{id}/lockout",
    operation_id = "admin_user_lockout_lift",
    tag = "admin",
    security(("admin_key" = ["users:write"])),
    params(("id" = String, Path, description = "The user's id.")),
    responses(
        (status = 204, description = "Nothing is counted against the account now."),
        (status = 404, description = "No such account (`not_found`).", body = AdminErrorBody),
        AdminRefusals,
    )
)]
pub async fn lift_lockout<S: Store, M: Mailer>(
    call: Call<S, M>,
    id: web::Path<String>,
) -> Result<HttpResponse, AdminError> {
    let (key, user) = key_and_user(&call, AdminScope::UsersWrite, &id).await?;
    call.app.admin_lift_lockout(&actor(key), &user).await?;
    Ok(HttpResponse::NoContent().finish())
}
