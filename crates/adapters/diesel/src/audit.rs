//! Writing audit events inside the transaction of the change they record,
//! with their webhook deliveries ([`registrar_store::AuditStore`]'s rule:
//! events ride with their change).

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use registrar_domain::{Actor, AuditEvent, AuditKind, AuditRecord, ClientId, Email, UserId, WebhookEvents};

use registrar_store::{AuditCursor, AuditFilter, AuditStore, StoreError};

use crate::backend::{for_each_backend, run};
use crate::bulk::BulkInsert;
use crate::error::{corrupt, Failure};
use crate::rows::{from_db, to_db};
use crate::schema::{audit_events, webhook_deliveries, webhook_endpoints};
use crate::DieselStore;

/// An event's row. `treat_none_as_default_value = false` (no nullable
/// column has a default): a `None` is bound as `NULL`, not written
/// `DEFAULT`, so the rows can go in by `COPY` (`bulk.rs`).
#[derive(Insertable)]
#[diesel(table_name = audit_events, treat_none_as_default_value = false)]
pub(crate) struct NewAuditRow<'a> {
    id: &'a str,
    at: NaiveDateTime,
    kind: &'static str,
    user_id: Option<&'a str>,
    email: Option<&'a str>,
    client_id: Option<&'a str>,
    device_id: Option<&'a str>,
    device_name: Option<&'a str>,
    request_id: Option<&'a str>,
    actor: String,
    ip: Option<&'a str>,
    data: String,
}

impl<'a> NewAuditRow<'a> {
    pub(crate) fn new(event: &'a AuditEvent) -> Self {
        Self {
            id: &event.id,
            at: to_db(event.at),
            kind: event.kind.name(),
            user_id: event.user.as_ref().map(UserId::as_str),
            email: event.email.as_ref().map(Email::as_str),
            client_id: event.client.as_ref().map(ClientId::as_str),
            device_id: event.device_id.as_deref(),
            device_name: event.device_name.as_deref(),
            request_id: event.request_id.as_deref(),
            actor: event.actor.as_stored(),
            ip: event.ip.as_deref(),
            data: serde_json::to_string(&event.data).unwrap_or_else(|_| "{}".to_owned()),
        }
    }
}

/// An `audit_events` row as read.
#[derive(Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub(crate) struct AuditRow {
    pub seq: i64,
    pub id: String,
    pub at: NaiveDateTime,
    pub kind: String,
    pub user_id: Option<String>,
    pub email: Option<String>,
    pub client_id: Option<String>,
    pub device_id: Option<String>,
    pub device_name: Option<String>,
    pub request_id: Option<String>,
    pub actor: String,
    pub ip: Option<String>,
    pub data: String,
}

impl AuditRow {
    /// The record; a row this code did not write (an unknown type or actor)
    /// is corrupt.
    pub(crate) fn into_record(self) -> Result<AuditRecord, Failure> {
        let id = self.id.clone();
        let corrupt = |what: &str| corrupt("audit_events", &id, what);
        let kind = AuditKind::parse(&self.kind).ok_or_else(|| corrupt("unknown type"))?;
        let actor = Actor::from_stored(&self.actor).ok_or_else(|| corrupt("unknown actor"))?;
        let email = match &self.email {
            Some(email) => Some(Email::parse(email).map_err(|_| corrupt("bad email"))?),
            None => None,
        };
        let client = match &self.client_id {
            Some(client) => Some(ClientId::parse(client).ok_or_else(|| corrupt("bad client"))?),
            None => None,
        };
        let data: BTreeMap<String, String> = serde_json::from_str(&self.data).map_err(|_| corrupt("bad data"))?;
        Ok(AuditRecord {
            seq: self.seq,
            event: AuditEvent {
                id: self.id,
                at: from_db(self.at),
                kind,
                user: self.user_id.map(UserId),
                email,
                client,
                device_id: self.device_id,
                device_name: self.device_name,
                request_id: self.request_id,
                actor,
                ip: self.ip,
                data,
            },
        })
    }
}

#[derive(Insertable)]
#[diesel(table_name = webhook_deliveries)]
pub(crate) struct NewDeliveryRow {
    pub id: String,
    pub endpoint_id: String,
    pub event_id: String,
    pub message_id: String,
    pub body: String,
    pub attempts: i32,
    pub retry_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

impl NewDeliveryRow {
    /// A delivery of `event` to `endpoint_id`, due at `now`.
    pub(crate) fn new(event: &AuditEvent, endpoint_id: &str, now: NaiveDateTime) -> Self {
        Self {
            id: uuid::Uuid::new_v4().simple().to_string(),
            endpoint_id: endpoint_id.to_owned(),
            event_id: event.id.clone(),
            message_id: event.message_id(),
            body: event.webhook_payload(),
            attempts: 0,
            retry_at: now,
            created_at: now,
        }
    }
}

/// Audit writes that the store methods share, inside their transaction.
pub(crate) trait AuditWrites {
    /// Writes `events` and queues their webhook deliveries (one per enabled
    /// endpoint subscribed to the event's type, due at the event's time).
    fn record_in(&mut self, events: &[AuditEvent]) -> Result<(), Failure>;

    /// Writes `events` when the change they record happened; answers whether it did.
    fn record_if(&mut self, changed: bool, events: &[AuditEvent]) -> Result<bool, Failure> {
        if changed {
            self.record_in(events)?;
        }
        Ok(changed)
    }

    /// The enabled endpoints and the events each is subscribed to, by id.
    fn enabled_endpoints_in(&mut self) -> Result<Vec<(String, WebhookEvents)>, Failure>;

    /// The enabled endpoints subscribed to `kind`, by id.
    fn subscribers(&mut self, kind: AuditKind) -> Result<Vec<String>, Failure> {
        let endpoints = self.enabled_endpoints_in()?.into_iter();
        Ok(endpoints
            .filter(|(_, events)| events.includes(kind))
            .map(|(id, _)| id)
            .collect())
    }

    /// Writes template `events` about `user`, completed with the user's
    /// address (read here) and the client and device of `session`
    /// ([`registrar_store::complete_events`]). Nothing for an unknown user.
    fn record_about_in(
        &mut self,
        user: &str,
        events: &[AuditEvent],
        session: Option<&registrar_domain::Session>,
    ) -> Result<(), Failure>;
}

for_each_backend! {
    impl AuditWrites for Conn {
        fn record_in(&mut self, events: &[AuditEvent]) -> Result<(), Failure> {
            if events.is_empty() {
                return Ok(());
            }
            // Deliveries per INSERT, well under SQLite's 32,766 bound variables.
            const CHUNK: usize = 1000;
            // Each backend's fastest way for one event or a million (an import).
            let rows: Vec<NewAuditRow<'_>> = events.iter().map(NewAuditRow::new).collect();
            self.insert_events(&rows)?;
            // The enabled endpoints, read once per call, and only for a
            // call with an event a webhook can carry.
            let mut endpoints = None;
            let mut deliveries = Vec::new();
            for event in events.iter().filter(|e| e.kind.is_webhook_event()) {
                let endpoints = match &mut endpoints {
                    Some(endpoints) => endpoints,
                    None => endpoints.insert(self.enabled_endpoints_in()?),
                };
                let subscribed = endpoints.iter().filter(|(_, events)| events.includes(event.kind));
                for (endpoint, _) in subscribed {
                    deliveries.push(NewDeliveryRow::new(event, endpoint, to_db(event.at)));
                }
            }
            for chunk in deliveries.chunks(CHUNK) {
                diesel::insert_into(webhook_deliveries::table).values(chunk).execute(self)?;
            }
            Ok(())
        }

        fn record_about_in(
            &mut self,
            user: &str,
            events: &[AuditEvent],
            session: Option<&registrar_domain::Session>,
        ) -> Result<(), Failure> {
            if events.is_empty() {
                return Ok(());
            }
            let email: Option<String> = crate::schema::users::table
                .find(user)
                .select(crate::schema::users::email)
                .first(self)
                .optional()?;
            let Some(email) = email.and_then(|e| registrar_domain::Email::parse(&e).ok()) else {
                return Ok(());
            };
            let user = registrar_domain::UserId(user.to_owned());
            self.record_in(&registrar_store::complete_events(events, &user, &email, session))
        }

        fn enabled_endpoints_in(&mut self) -> Result<Vec<(String, WebhookEvents)>, Failure> {
            let endpoints: Vec<(String, String)> = webhook_endpoints::table
                .filter(webhook_endpoints::enabled.eq(true))
                .order(webhook_endpoints::id)
                .select((webhook_endpoints::id, webhook_endpoints::events))
                .load(self)?;
            // An endpoint whose subscription cannot be read gets nothing.
            Ok(endpoints
                .into_iter()
                .filter_map(|(id, events)| WebhookEvents::parse(&events).ok().map(|events| (id, events)))
                .collect())
        }
    }
}

/// The most events one page holds, whatever the caller asks.
const MAX_PAGE: usize = 1_000;

#[async_trait]
impl AuditStore for DieselStore {
    async fn record_audit(&self, events: &[AuditEvent]) -> Result<(), StoreError> {
        let events = events.to_vec();
        run!(self, write, |conn| conn.record_in(&events))
    }

    async fn audit_events(
        &self,
        filter: &AuditFilter,
        cursor: AuditCursor,
        limit: usize,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let filter = filter.clone();
        let limit = i64::try_from(limit.min(MAX_PAGE)).unwrap_or(0);
        run!(self, statement, |conn| {
            let mut query = audit_events::table.select(AuditRow::as_select()).into_boxed();
            if let Some(user) = &filter.user {
                query = query.filter(audit_events::user_id.eq(user.as_str().to_owned()));
            }
            if !filter.kinds.is_empty() {
                let kinds: Vec<&str> = filter.kinds.iter().map(|k| k.name()).collect();
                query = query.filter(audit_events::kind.eq_any(kinds));
            }
            if let Some(actor) = &filter.actor {
                query = query.filter(audit_events::actor.eq(actor.clone()));
            }
            if let Some(from) = filter.from {
                query = query.filter(audit_events::at.ge(to_db(from)));
            }
            if let Some(until) = filter.until {
                query = query.filter(audit_events::at.lt(to_db(until)));
            }
            query = match cursor {
                AuditCursor::Before(before) => {
                    if let Some(before) = before {
                        query = query.filter(audit_events::seq.lt(before));
                    }
                    query.order(audit_events::seq.desc())
                }
                AuditCursor::After(after) => query.filter(audit_events::seq.gt(after)).order(audit_events::seq.asc()),
            };
            query
                .limit(limit)
                .load::<AuditRow>(conn)?
                .into_iter()
                .map(AuditRow::into_record)
                .collect()
        })
    }

    async fn prune_audit(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let cut_off = to_db(before);
        run!(self, write_statement, |conn| {
            let pruned = diesel::delete(audit_events::table.filter(audit_events::at.lt(cut_off))).execute(conn)?;
            Ok(u64::try_from(pruned).unwrap_or(u64::MAX))
        })
    }
}
