//! `/admin/webhooks`: the webhook endpoints (Standard Webhooks): listing,
//! registering, enabling, disabling, removing, rotating a secret and
//! queueing events again. The use cases are the CLI's
//! (`registrar webhook …`), recorded as `admin.action` by `admin:<key name>`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::DateTime;
use registrar_domain::{Actor, AdminScope};
use registrar_mail::Mailer;
use registrar_service::WebhookView;
use registrar_store::Store;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::admin_key;
use super::parts::{json_body, no_store};
use super::{AdminError, AdminErrorBody, AdminRefusals};
use crate::edge::call::Call;

/// An endpoint, without its secret.
#[derive(Serialize, ToSchema)]
pub struct AdminWebhook {
    pub id: String,
    pub url: String,
    /// The event types it receives; empty for every type.
    pub events: Vec<String>,
    pub enabled: bool,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339: since when its deliveries fail, absent while they do not.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub failing_since: Option<String>,
    /// RFC 3339: when it was disabled, absent while enabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub disabled_at: Option<String>,
}

impl From<WebhookView> for AdminWebhook {
    fn from(view: WebhookView) -> Self {
        Self {
            id: view.id,
            url: view.url,
            events: view
                .events
                .split(',')
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .map(str::to_owned)
                .collect(),
            enabled: view.enabled,
            created_at: crate::timestamp(view.created_at),
            failing_since: view.failing_since.map(crate::timestamp),
            disabled_at: view.disabled_at.map(crate::timestamp),
        }
    }
}

/// Every endpoint.
#[derive(Serialize, ToSchema)]
pub struct AdminWebhookList {
    pub webhooks: Vec<AdminWebhook>,
}

/// An endpoint to register.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminNewWebhook {
    /// `https` (plain `http` and private addresses only with `webhooks.allow_private`).
    pub url: String,
    /// Event types (`user.created`, …); empty or absent for every type.
    #[serde(default)]
    pub events: Vec<String>,
}

/// A registered endpoint's id and its secret (`whsec_…`), shown this once.
#[derive(Serialize, ToSchema)]
pub struct AdminWebhookCreated {
    pub id: String,
    pub secret: String,
}

/// An endpoint's new secret (`whsec_…`), shown this once.
#[derive(Serialize, ToSchema)]
pub struct AdminWebhookSecret {
    pub secret: String,
}

/// What to deliver again: one event, or every event since a time.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminRedeliver {
    /// One event's id (as in the audit trail and the payload's `id`).
    #[serde(default)]
    pub event_id: Option<String>,
    /// RFC 3339: every event at or after this.
    #[serde(default)]
    pub since: Option<String>,
}

/// How many deliveries were queued.
#[derive(Serialize, ToSchema)]
pub struct AdminRedelivered {
    pub queued: u64,
}

/// The webhook endpoints
///
/// Every endpoint with its events and state (never a secret). Needs `webhooks:write`.
#[utoipa::path(
    get,
    path = "/admin/webhooks",
    operation_id = "admin_webhooks",
    tag = "admin",
    security(("admin_key" = ["webhooks:write"])),
    responses(
        (status = 200, description = "Every endpoint.", body = AdminWebhookList),
        AdminRefusals,
    )
)]
pub async fn list<S: Store, M: Mailer>(call: Call<S, M>) -> Result<HttpResponse, AdminError> {
    let Call { req, app, .. } = call;
    admin_key(&req, &app, AdminScope::WebhooksWrite).await?;
    let webhooks = app.list_webhooks().await?;
    Ok(no_store(StatusCode::OK).json(AdminWebhookList {
        webhooks: webhooks.into_iter().map(AdminWebhook::from).collect(),
    }))
}

/// Register a webhook endpoint
///
/// Answers its id and its signing secret (`whsec_…`), shown this once;
/// recorded as `admin.action` `webhook.add`. A URL or an event type that is
/// refused is 400 with the reason. Needs `webhooks:write`.
#[utoipa::path(
    post,
    path = "/admin/webhooks",
    operation_id = "admin_webhook_create",
    tag = "admin",
    security(("admin_key" = ["webhooks:write"])),
    request_body(content = AdminNewWebhook, content_type = "application/json"),
    responses(
        (status = 201, description = "Its id and secret, shown once.", body = AdminWebhookCreated),
        (status = 400, description = "A body, URL or event type refused (`invalid_request`).", body = AdminErrorBody),
        AdminRefusals,
    )
)]
pub async fn create<S: Store, M: Mailer>(call: Call<S, M>, payload: web::Payload) -> Result<HttpResponse, AdminError> {
    let Call { req, app, .. } = call;
    let key = admin_key(&req, &app, AdminScope::WebhooksWrite).await?;
    let given: AdminNewWebhook = json_body(payload).await?;
    if given.events.iter().any(|e| e.contains(',')) {
        return Err(AdminError::BadRequest("events: one event type per entry".into()));
    }
    let (id, secret) = app
        .add_webhook(&Actor::AdminKey(key.name), &given.url, &given.events.join(","))
        .await?;
    Ok(no_store(StatusCode::CREATED).json(AdminWebhookCreated { id, secret }))
}

async fn set_enabled<S: Store, M: Mailer>(
    call: Call<S, M>,
    id: &str,
    enabled: bool,
) -> Result<HttpResponse, AdminError> {
    let Call { req, app, .. } = call;
    let key = admin_key(&req, &app, AdminScope::WebhooksWrite).await?;
    app.set_webhook_enabled(&Actor::AdminKey(key.name), id, enabled).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Disable a webhook endpoint
///
/// Stops its deliveries (they wait); recorded as `admin.action`
/// `webhook.disable`. Needs `webhooks:write`.
#[utoipa::path(
    post,
    path = "/admin/webhooks/{id}/disable",
    operation_id = "admin_webhook_disable",
    tag = "admin",
    security(("admin_key" = ["webhooks:write"])),
    params(("id" = String, Path, description = "The endpoint's id.")),
    responses(
        (status = 204, description = "Disabled."),
        (status = 404, description = "No such endpoint (`not_found`).", body = AdminErrorBody),
        AdminRefusals,
    )
)]
pub async fn disable<S: Store, M: Mailer>(call: Call<S, M>, id: web::Path<String>) -> Result<HttpResponse, AdminError> {
    set_enabled(call, &id, false).await
}

/// Enable a webhook endpoint
///
/// Resumes its deliveries and forgets its failures; recorded as
/// `admin.action` `webhook.enable`. Needs `webhooks:write`.
#[utoipa::path(
    post,
    path = "/admin/webhooks/{id}/enable",
    operation_id = "admin_webhook_enable",
    tag = "admin",
    security(("admin_key" = ["webhooks:write"])),
    params(("id" = String, Path, description = "The endpoint's id.")),
    responses(
        (status = 204, description = "Enabled."),
        (status = 404, description = "No such endpoint (`not_found`).", body = AdminErrorBody),
        AdminRefusals,
    )
)]
pub async fn enable<S: Store, M: Mailer>(call: Call<S, M>, id: web::Path<String>) -> Result<HttpResponse, AdminError> {
    set_enabled(call, &id, true).await
}

/// Remove a webhook endpoint
///
/// Removes it and its pending deliveries; recorded as `admin.action`
/// `webhook.delete`. Needs `webhooks:write`.
#[utoipa::path(
    delete,
    path = "/admin/webhooks/{id}",
    operation_id = "admin_webhook_remove",
    tag = "admin",
    security(("admin_key" = ["webhooks:write"])),
    params(("id" = String, Path, description = "The endpoint's id.")),
    responses(
        (status = 204, description = "Removed."),
        (status = 404, description = "No such endpoint (`not_found`).", body = AdminErrorBody),
        AdminRefusals,
    )
)]
pub async fn remove<S: Store, M: Mailer>(call: Call<S, M>, id: web::Path<String>) -> Result<HttpResponse, AdminError> {
    let Call { req, app, .. } = call;
    let key = admin_key(&req, &app, AdminScope::WebhooksWrite).await?;
    app.delete_webhook(&Actor::AdminKey(key.name), &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Rotate a webhook endpoint's secret
///
/// A new signing secret, shown this once; deliveries signed from now on use
/// it. Recorded as `admin.action` `webhook.rotate_secret`. Needs `webhooks:write`.
#[utoipa::path(
    post,
    path = "/admin/webhooks/{id}/secret",
    operation_id = "admin_webhook_secret",
    tag = "admin",
    security(("admin_key" = ["webhooks:write"])),
    params(("id" = String, Path, description = "The endpoint's id.")),
    responses(
        (status = 200, description = "The new secret, shown once.", body = AdminWebhookSecret),
        (status = 404, description = "No such endpoint (`not_found`).", body = AdminErrorBody),
        AdminRefusals,
    )
)]
pub async fn rotate_secret<S: Store, M: Mailer>(
    call: Call<S, M>,
    id: web::Path<String>,
) -> Result<HttpResponse, AdminError> {
    let Call { req, app, .. } = call;
    let key = admin_key(&req, &app, AdminScope::WebhooksWrite).await?;
    let secret = app.rotate_webhook_secret(&Actor::AdminKey(key.name), &id).await?;
    Ok(no_store(StatusCode::OK).json(AdminWebhookSecret { secret }))
}

/// Deliver events to an endpoint again
///
/// `{"event_id": "…"}` queues that event again, `{"since": "<RFC 3339>"}`
/// every event it subscribes to since then (exactly one of the two);
/// answers how many deliveries were queued. Recorded as `admin.action`
/// `webhook.redeliver` or `webhook.redeliver_since`. Needs `webhooks:write`.
#[utoipa::path(
    post,
    path = "/admin/webhooks/{id}/redeliver",
    operation_id = "admin_webhook_redeliver",
    tag = "admin",
    security(("admin_key" = ["webhooks:write"])),
    params(("id" = String, Path, description = "The endpoint's id.")),
    request_body(content = AdminRedeliver, content_type = "application/json"),
    responses(
        (status = 200, description = "How many deliveries were queued.", body = AdminRedelivered),
        (status = 400, description = "Not exactly one of `event_id` and `since`, or a bad time (`invalid_request`).", body = AdminErrorBody),
        (status = 404, description = "No such endpoint (`not_found`).", body = AdminErrorBody),
        AdminRefusals,
    )
)]
pub async fn redeliver<S: Store, M: Mailer>(
    call: Call<S, M>,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AdminError> {
    let Call { req, app, .. } = call;
    let key = admin_key(&req, &app, AdminScope::WebhooksWrite).await?;
    let given: AdminRedeliver = json_body(payload).await?;
    if !app.list_webhooks().await?.iter().any(|w| w.id == *id) {
        return Err(AdminError::NotFound("webhook endpoint"));
    }
    let actor = Actor::AdminKey(key.name);
    let queued = match (given.event_id, given.since) {
        (Some(event_id), None) => {
            if event_id.is_empty() || event_id.len() > 200 || registrar_domain::text::has_control_characters(&event_id)
            {
                return Err(AdminError::BadRequest("event_id: not an event id".into()));
            }
            app.redeliver_webhook_event(&actor, &event_id, Some(&id)).await?
        }
        (None, Some(since)) => {
            let since = DateTime::parse_from_rfc3339(&since)
                .map_err(|_| AdminError::BadRequest("since: an RFC 3339 time is expected".into()))?;
            app.redeliver_webhooks_since(&actor, since.to_utc(), Some(&id)).await?
        }
        _ => return Err(AdminError::BadRequest("give exactly one of event_id and since".into())),
    };
    Ok(no_store(StatusCode::OK).json(AdminRedelivered { queued }))
}
