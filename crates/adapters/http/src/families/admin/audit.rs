//! `GET /admin/audit`: the audit trail, newest first, filtered and
//! keyset-paginated on the events' sequence number.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use registrar_domain::{AdminScope, AuditKind, AuditRecord, UserId};
use registrar_mail::Mailer;
use registrar_store::{AuditCursor, AuditFilter, Store};
use serde::Serialize;
use utoipa::ToSchema;

use super::auth::admin_key;
use super::parts::{instant, next_cursor, no_store, page_limit, plain, DEFAULT_LIMIT};
use super::{AdminError, AdminErrorBody, AdminRefusals};
use crate::edge::call::Call;

/// One event of the trail.
#[derive(Serialize, ToSchema)]
pub struct AdminAuditEvent {
    /// Its id (the webhook message id is `msg_` + this).
    pub id: String,
    /// `user.signed_in`, `admin.action`, …
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// When, RFC 3339.
    pub at: String,
    /// `user`, `admin:<key name>`, `cli` or `system`.
    pub actor: String,
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The client's address as `audit.ip` keeps it (full, truncated or hashed).
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// The event's own fields (`method`, `action`, `target`, …), never a secret.
    pub data: BTreeMap<String, String>,
}

impl From<AuditRecord> for AdminAuditEvent {
    fn from(record: AuditRecord) -> Self {
        let event = record.event;
        Self {
            id: event.id,
            kind: event.kind.name(),
            at: crate::timestamp(event.at),
            actor: event.actor.as_stored(),
            user_id: event.user.map(|u| u.0),
            email: event.email.map(|e| e.as_str().to_owned()),
            client_id: event.client.map(|c| c.as_str().to_owned()),
            device_id: event.device_id,
            device_name: event.device_name,
            request_id: event.request_id,
            ip: event.ip,
            data: event.data,
        }
    }
}

/// A page of events.
#[derive(Serialize, ToSchema)]
pub struct AdminAuditPage {
    /// Newest first.
    pub events: Vec<AdminAuditEvent>,
    /// Give it as `cursor` for the next (older) page; absent on the last page.
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// What the query asks: the filter, where the page starts, how many.
fn read_query(query: &str) -> Result<(AuditFilter, AuditCursor, usize), AdminError> {
    let mut filter = AuditFilter::default();
    let mut cursor = AuditCursor::Before(None);
    let mut limit = None;
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        let value = value.trim();
        match key.as_ref() {
            "user_id" => {
                plain("user_id", value)?;
                filter.user = Some(UserId(value.to_owned()));
            }
            "type" => {
                for name in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    let kind = AuditKind::parse(name)
                        .ok_or_else(|| AdminError::invalid("type", format!("unknown event type {name:?}")))?;
                    filter.kinds.push(kind);
                }
            }
            "actor" => {
                plain("actor", value)?;
                filter.actor = Some(value.to_owned());
            }
            "from" => filter.from = Some(instant("from", value)?),
            "until" => filter.until = Some(instant("until", value)?),
            "cursor" => {
                let seq = value
                    .parse::<i64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| AdminError::invalid("cursor", "a next_cursor of an earlier page"))?;
                cursor = AuditCursor::Before(Some(seq));
            }
            "limit" => limit = Some(page_limit(Some(value))?),
            _ => {}
        }
    }
    Ok((filter, cursor, limit.unwrap_or(DEFAULT_LIMIT)))
}

/// The audit trail
///
/// Security events and administrators' actions, newest first. Filters
/// narrow together: `user_id`, `type` (repeated or comma-separated),
/// `actor` (`user`, `admin:<key name>`, `cli`, `system`), `from` (inclusive)
/// and `until` (exclusive). Needs `audit:read`.
#[utoipa::path(
    get,
    path = "/admin/audit",
    operation_id = "admin_audit",
    tag = "admin",
    security(("admin_key" = ["audit:read"])),
    params(
        ("user_id" = Option<String>, Query, description = "Only events about this user."),
        ("type" = Option<String>, Query, description = "Only events of these types: repeat it or separate with commas."),
        ("actor" = Option<String>, Query, description = "Only events by this actor (`admin:ops-bot`)."),
        ("from" = Option<String>, Query, description = "Only events at or after this RFC 3339 time."),
        ("until" = Option<String>, Query, description = "Only events before this RFC 3339 time."),
        ("cursor" = Option<String>, Query, description = "The `next_cursor` of the page before."),
        ("limit" = Option<u32>, Query, description = "1 to 1000 events; 50 by default."),
    ),
    responses(
        (status = 200, description = "A page of events.", body = AdminAuditPage),
        (status = 422, description = "A parameter that cannot be read (`validation_failed`, named in `errors`).", body = AdminErrorBody),
        AdminRefusals,
    )
)]
pub async fn audit<S: Store, M: Mailer>(call: Call<S, M>) -> Result<HttpResponse, AdminError> {
    let Call { req, app, .. } = call;
    admin_key(&req, &app, AdminScope::AuditRead).await?;
    let (filter, cursor, limit) = read_query(req.query_string())?;
    let records = app.admin_audit_events(&filter, cursor, limit).await?;
    let next_cursor = next_cursor(&records, limit, |r| r.seq.to_string());
    Ok(no_store(StatusCode::OK).json(AdminAuditPage {
        events: records.into_iter().map(AdminAuditEvent::from).collect(),
        next_cursor,
    }))
}
