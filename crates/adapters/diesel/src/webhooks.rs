//! [`WebhookStore`]: webhook endpoints and their delivery outbox.
//!
//! Deliveries are queued in the transaction of the event they announce
//! ([`crate::audit::AuditWrites`]), then claimed by workers for a lease, as
//! mails are ([`crate::outbox`]). A claim locks the enabled endpoints it
//! serves first ([`Backend::lock_webhook_endpoints`]): on Postgres with
//! `FOR UPDATE SKIP LOCKED`, so parallel claimers in any number of processes
//! serve different endpoints without waiting, and each sees the committed
//! claims of the one before it on an endpoint — which keeps both the
//! one-claim-per-delivery rule and the per-endpoint limit across processes;
//! on SQLite the immediate transaction makes claimers take turns.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl;
use diesel::prelude::*;
use registrar_domain::{AuditEvent, AuditKind, Sealed, WebhookEndpoint, WebhookEvents};
use registrar_store::{StoreError, WebhookBacklog, WebhookDelivery, WebhookStore};

use crate::audit::{AuditRow, AuditWrites, NewDeliveryRow};
use crate::backend::{for_each_backend, run, Backend};
use crate::error::{corrupt, Failure};
use crate::rows::{from_db, to_db};
use crate::schema::{audit_events, webhook_deliveries, webhook_endpoints};
use crate::DieselStore;

/// How much of a delivery error is kept (characters).
const LAST_ERROR_CHARS: usize = 500;

/// The most deliveries one claim hands out, whatever the caller asks.
const MAX_CLAIM: usize = 1_000;

/// A `webhook_endpoints` row.
#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_endpoints)]
pub(crate) struct EndpointRow {
    pub id: String,
    pub url: String,
    pub events: String,
    pub secret: String,
    pub enabled: bool,
    pub created_at: NaiveDateTime,
    pub failing_since: Option<NaiveDateTime>,
    pub disabled_at: Option<NaiveDateTime>,
}

impl EndpointRow {
    fn new(endpoint: &WebhookEndpoint) -> Self {
        Self {
            id: endpoint.id.clone(),
            url: endpoint.url.clone(),
            events: endpoint.events.to_string(),
            secret: endpoint.secret.as_str().to_owned(),
            enabled: endpoint.enabled,
            created_at: to_db(endpoint.created_at),
            failing_since: endpoint.failing_since.map(to_db),
            disabled_at: endpoint.disabled_at.map(to_db),
        }
    }

    fn into_endpoint(self) -> Result<WebhookEndpoint, Failure> {
        let events =
            WebhookEvents::parse(&self.events).map_err(|_| corrupt("webhook_endpoints", &self.id, "unknown events"))?;
        Ok(WebhookEndpoint {
            id: self.id,
            url: self.url,
            events,
            secret: Sealed::from_stored(self.secret),
            enabled: self.enabled,
            created_at: from_db(self.created_at),
            failing_since: self.failing_since.map(from_db),
            disabled_at: self.disabled_at.map(from_db),
        })
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
struct DeliveryRow {
    id: String,
    endpoint_id: String,
    event_id: String,
    message_id: String,
    body: String,
    attempts: i32,
    created_at: NaiveDateTime,
}

/// The enabled endpoints, by id: what a claim locks ([`Backend::lock_webhook_endpoints`]).
#[dsl::auto_type]
pub(crate) fn enabled_endpoints() -> _ {
    webhook_endpoints::table
        .filter(webhook_endpoints::enabled.eq(true))
        .order(webhook_endpoints::id.asc())
}

/// Neither delivered nor given up.
#[dsl::auto_type]
fn is_pending() -> _ {
    webhook_deliveries::delivered_at
        .is_null()
        .and(webhook_deliveries::given_up_at.is_null())
}

/// Pending, its retry time reached and no live claim on it.
#[dsl::auto_type]
fn is_due(now: NaiveDateTime) -> _ {
    let pending: is_pending = is_pending();
    pending.and(webhook_deliveries::retry_at.le(now)).and(
        webhook_deliveries::claimed_until
            .is_null()
            .or(webhook_deliveries::claimed_until.le(now)),
    )
}

/// Pending and claimed by a live lease.
#[dsl::auto_type]
fn is_claimed(now: NaiveDateTime) -> _ {
    let pending: is_pending = is_pending();
    pending.and(webhook_deliveries::claimed_until.gt(now))
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// Webhook writes inside a transaction.
trait WebhookWrites {
    /// Queues `event` again for `endpoint` (or every enabled subscriber), due at `now`.
    fn requeue(&mut self, event: &AuditEvent, endpoint: Option<&str>, now: NaiveDateTime) -> Result<u64, Failure>;
}

for_each_backend! {
    impl WebhookWrites for Conn {
        fn requeue(&mut self, event: &AuditEvent, endpoint: Option<&str>, now: NaiveDateTime) -> Result<u64, Failure> {
            if !event.kind.is_webhook_event() {
                return Ok(0);
            }
            let targets = match endpoint {
                Some(id) => webhook_endpoints::table
                    .find(id)
                    .select(webhook_endpoints::id)
                    .load::<String>(self)?,
                None => self.subscribers(event.kind)?,
            };
            let rows: Vec<NewDeliveryRow> = targets.iter().map(|id| NewDeliveryRow::new(event, id, now)).collect();
            if !rows.is_empty() {
                diesel::insert_into(webhook_deliveries::table).values(&rows).execute(self)?;
            }
            Ok(count(rows.len()))
        }
    }
}

#[async_trait]
impl WebhookStore for DieselStore {
    async fn add_webhook(&self, endpoint: &WebhookEndpoint, audit: &[AuditEvent]) -> Result<(), StoreError> {
        let row = EndpointRow::new(endpoint);
        let audit = audit.to_vec();
        run!(self, write, |conn| {
            let exists = webhook_endpoints::table
                .find(&row.id)
                .select(webhook_endpoints::id)
                .first::<String>(conn)
                .optional()?;
            if exists.is_some() {
                return Err(Failure::Store(StoreError::Duplicate));
            }
            diesel::insert_into(webhook_endpoints::table)
                .values(&row)
                .execute(conn)?;
            conn.record_in(&audit)
        })
    }

    async fn webhooks(&self) -> Result<Vec<WebhookEndpoint>, StoreError> {
        run!(self, statement, |conn| {
            webhook_endpoints::table
                .order((webhook_endpoints::created_at.asc(), webhook_endpoints::id.asc()))
                .select(EndpointRow::as_select())
                .load::<EndpointRow>(conn)?
                .into_iter()
                .map(EndpointRow::into_endpoint)
                .collect()
        })
    }

    async fn webhook(&self, id: &str) -> Result<Option<WebhookEndpoint>, StoreError> {
        let id = id.to_owned();
        run!(self, statement, |conn| {
            webhook_endpoints::table
                .find(&id)
                .select(EndpointRow::as_select())
                .first::<EndpointRow>(conn)
                .optional()?
                .map(EndpointRow::into_endpoint)
                .transpose()
        })
    }

    async fn set_webhook_enabled(
        &self,
        id: &str,
        enabled: bool,
        now: DateTime<Utc>,
        audit: &[AuditEvent],
    ) -> Result<bool, StoreError> {
        let id = id.to_owned();
        let audit = audit.to_vec();
        let now = to_db(now);
        run!(self, write, |conn| {
            let changed = if enabled {
                diesel::update(webhook_endpoints::table.find(&id))
                    .set((
                        webhook_endpoints::enabled.eq(true),
                        webhook_endpoints::failing_since.eq(None::<NaiveDateTime>),
                        webhook_endpoints::disabled_at.eq(None::<NaiveDateTime>),
                    ))
                    .execute(conn)?
            } else {
                let found = diesel::update(webhook_endpoints::table.find(&id))
                    .set(webhook_endpoints::enabled.eq(false))
                    .execute(conn)?;
                diesel::update(
                    webhook_endpoints::table
                        .find(&id)
                        .filter(webhook_endpoints::disabled_at.is_null()),
                )
                .set(webhook_endpoints::disabled_at.eq(now))
                .execute(conn)?;
                found
            };
            conn.record_if(changed > 0, &audit)
        })
    }

    async fn set_webhook_secret(&self, id: &str, secret: &Sealed, audit: &[AuditEvent]) -> Result<bool, StoreError> {
        let id = id.to_owned();
        let secret = secret.as_str().to_owned();
        let audit = audit.to_vec();
        run!(self, write, |conn| {
            let changed = diesel::update(webhook_endpoints::table.find(&id))
                .set(webhook_endpoints::secret.eq(&secret))
                .execute(conn)?;
            conn.record_if(changed > 0, &audit)
        })
    }

    async fn delete_webhook(&self, id: &str, audit: &[AuditEvent]) -> Result<bool, StoreError> {
        let id = id.to_owned();
        let audit = audit.to_vec();
        run!(self, write, |conn| {
            // SQLite's foreign keys may be off: the deliveries go explicitly.
            diesel::delete(webhook_deliveries::table.filter(webhook_deliveries::endpoint_id.eq(&id))).execute(conn)?;
            let deleted = diesel::delete(webhook_endpoints::table.find(&id)).execute(conn)?;
            conn.record_if(deleted > 0, &audit)
        })
    }

    async fn claim_webhook_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
        per_endpoint: usize,
    ) -> Result<Vec<WebhookDelivery>, StoreError> {
        if limit == 0 || per_endpoint == 0 {
            return Ok(Vec::new());
        }
        let limit = limit.min(MAX_CLAIM);
        let (now, lease_until) = (to_db(now), to_db(lease_until));
        run!(self, write, |conn| {
            let endpoints = conn.lock_webhook_endpoints()?;
            let mut rows: Vec<DeliveryRow> = Vec::new();
            for endpoint in &endpoints {
                let live: i64 = webhook_deliveries::table
                    .filter(webhook_deliveries::endpoint_id.eq(&endpoint.id))
                    .filter(is_claimed(now))
                    .count()
                    .get_result(conn)?;
                let free =
                    (i64::try_from(per_endpoint).unwrap_or(i64::MAX) - live).min(i64::try_from(limit).unwrap_or(0));
                if free <= 0 {
                    continue;
                }
                rows.extend(
                    webhook_deliveries::table
                        .filter(webhook_deliveries::endpoint_id.eq(&endpoint.id))
                        .filter(is_due(now))
                        .order((webhook_deliveries::created_at.asc(), webhook_deliveries::id.asc()))
                        .limit(free)
                        .select(DeliveryRow::as_select())
                        .load::<DeliveryRow>(conn)?,
                );
            }
            rows.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
            rows.truncate(limit);
            if rows.is_empty() {
                return Ok(Vec::new());
            }
            let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
            diesel::update(webhook_deliveries::table.filter(webhook_deliveries::id.eq_any(&ids)))
                .set((
                    webhook_deliveries::claimed_until.eq(lease_until),
                    webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1_i32),
                ))
                .execute(conn)?;
            let mut by_id = BTreeMap::new();
            for endpoint in endpoints {
                by_id.insert(endpoint.id.clone(), endpoint.into_endpoint()?);
            }
            rows.into_iter()
                .map(|row| {
                    let endpoint = by_id
                        .get(&row.endpoint_id)
                        .cloned()
                        .ok_or_else(|| corrupt("webhook_deliveries", &row.id, "no endpoint"))?;
                    Ok(WebhookDelivery {
                        endpoint,
                        event_id: row.event_id,
                        message_id: row.message_id,
                        body: row.body,
                        attempts: u32::try_from(row.attempts).unwrap_or(0),
                        created_at: from_db(row.created_at),
                        id: row.id,
                    })
                })
                .collect()
        })
    }

    async fn webhook_delivered(&self, id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        let id = id.to_owned();
        let now = to_db(now);
        run!(self, write, |conn| {
            let endpoint = diesel::update(webhook_deliveries::table.find(&id).filter(is_pending()))
                .set((
                    webhook_deliveries::delivered_at.eq(now),
                    webhook_deliveries::claimed_until.eq(None::<NaiveDateTime>),
                ))
                .returning(webhook_deliveries::endpoint_id)
                .get_result::<String>(conn)
                .optional()?;
            if let Some(endpoint) = endpoint {
                diesel::update(webhook_endpoints::table.find(&endpoint))
                    .set(webhook_endpoints::failing_since.eq(None::<NaiveDateTime>))
                    .execute(conn)?;
            }
            Ok(())
        })
    }

    async fn webhook_failed(
        &self,
        id: &str,
        retry_at: Option<DateTime<Utc>>,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let id = id.to_owned();
        let error: String = error.chars().take(LAST_ERROR_CHARS).collect();
        let now = to_db(now);
        let (retry_at, given_up_at) = match retry_at {
            Some(at) => (to_db(at), None),
            None => (now, Some(now)),
        };
        run!(self, write, |conn| {
            let endpoint = diesel::update(webhook_deliveries::table.find(&id).filter(is_pending()))
                .set((
                    webhook_deliveries::claimed_until.eq(None::<NaiveDateTime>),
                    webhook_deliveries::last_error.eq(&error),
                    webhook_deliveries::retry_at.eq(retry_at),
                    webhook_deliveries::given_up_at.eq(given_up_at),
                ))
                .returning(webhook_deliveries::endpoint_id)
                .get_result::<String>(conn)
                .optional()?;
            if let Some(endpoint) = endpoint {
                diesel::update(
                    webhook_endpoints::table
                        .find(&endpoint)
                        .filter(webhook_endpoints::failing_since.is_null()),
                )
                .set(webhook_endpoints::failing_since.eq(now))
                .execute(conn)?;
            }
            Ok(())
        })
    }

    async fn disable_failing_webhooks(
        &self,
        failing_before: DateTime<Utc>,
        now: DateTime<Utc>,
        template: &AuditEvent,
        new_id: &(dyn Fn() -> String + Send + Sync),
    ) -> Result<Vec<String>, StoreError> {
        let (failing_before, now) = (to_db(failing_before), to_db(now));
        let template = template.clone();
        // Ids drawn up front: the closure stays on this thread.
        let failing = self.failing_webhooks(failing_before).await?;
        let events: Vec<(String, AuditEvent)> = failing
            .into_iter()
            .map(|endpoint| {
                let mut event = template.clone().with("endpoint_id", &endpoint);
                event.id = new_id();
                (endpoint, event)
            })
            .collect();
        if events.is_empty() {
            return Ok(Vec::new());
        }
        run!(self, write, |conn| {
            let mut disabled = Vec::new();
            for (endpoint, event) in &events {
                let changed = diesel::update(
                    webhook_endpoints::table
                        .find(endpoint)
                        .filter(webhook_endpoints::enabled.eq(true))
                        .filter(webhook_endpoints::failing_since.lt(failing_before)),
                )
                .set((
                    webhook_endpoints::enabled.eq(false),
                    webhook_endpoints::disabled_at.eq(now),
                ))
                .execute(conn)?;
                if conn.record_if(changed > 0, std::slice::from_ref(event))? {
                    disabled.push(endpoint.clone());
                }
            }
            Ok(disabled)
        })
    }

    async fn redeliver_event(
        &self,
        event_id: &str,
        endpoint: Option<&str>,
        now: DateTime<Utc>,
        audit: &[AuditEvent],
    ) -> Result<u64, StoreError> {
        let event_id = event_id.to_owned();
        let endpoint = endpoint.map(str::to_owned);
        let now = to_db(now);
        let audit = audit.to_vec();
        run!(self, write, |conn| {
            let row = audit_events::table
                .filter(audit_events::id.eq(&event_id))
                .select(AuditRow::as_select())
                .first::<AuditRow>(conn)
                .optional()?;
            let queued = match row {
                Some(row) => conn.requeue(&row.into_record()?.event, endpoint.as_deref(), now)?,
                None => 0,
            };
            conn.record_in(&audit)?;
            Ok(queued)
        })
    }

    async fn redeliver_since(
        &self,
        since: DateTime<Utc>,
        endpoint: Option<&str>,
        now: DateTime<Utc>,
        audit: &[AuditEvent],
    ) -> Result<u64, StoreError> {
        let endpoint = endpoint.map(str::to_owned);
        let (since, now) = (to_db(since), to_db(now));
        let audit = audit.to_vec();
        let kinds: Vec<&'static str> = AuditKind::ALL
            .into_iter()
            .filter(|k| k.is_webhook_event())
            .map(AuditKind::name)
            .collect();
        run!(self, write, |conn| {
            let rows = audit_events::table
                .filter(audit_events::at.ge(since))
                .filter(audit_events::kind.eq_any(&kinds))
                .order(audit_events::seq.asc())
                .select(AuditRow::as_select())
                .load::<AuditRow>(conn)?;
            let mut queued = 0;
            for row in rows {
                let event = row.into_record()?.event;
                queued += conn.requeue(&event, endpoint.as_deref(), now)?;
            }
            conn.record_in(&audit)?;
            Ok(queued)
        })
    }

    async fn webhook_backlog(&self) -> Result<Vec<WebhookBacklog>, StoreError> {
        run!(self, statement, |conn| {
            let rows: Vec<(String, i64, Option<NaiveDateTime>)> = webhook_deliveries::table
                .filter(is_pending())
                .group_by(webhook_deliveries::endpoint_id)
                .select((
                    webhook_deliveries::endpoint_id,
                    dsl::count_star(),
                    dsl::min(webhook_deliveries::created_at),
                ))
                .order(webhook_deliveries::endpoint_id.asc())
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(|(endpoint_id, pending, oldest)| WebhookBacklog {
                    endpoint_id,
                    pending: u64::try_from(pending).unwrap_or_default(),
                    oldest: oldest.map(from_db),
                })
                .collect())
        })
    }

    async fn purge_webhook_deliveries(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let before = to_db(before);
        run!(self, write_statement, |conn| {
            let purged = diesel::delete(
                webhook_deliveries::table.filter(
                    webhook_deliveries::delivered_at
                        .lt(before)
                        .or(webhook_deliveries::given_up_at.lt(before)),
                ),
            )
            .execute(conn)?;
            Ok(count(purged))
        })
    }
}

impl DieselStore {
    /// The enabled endpoints failing since before `failing_before`.
    async fn failing_webhooks(&self, failing_before: NaiveDateTime) -> Result<Vec<String>, StoreError> {
        run!(self, statement, |conn| {
            Ok(webhook_endpoints::table
                .filter(webhook_endpoints::enabled.eq(true))
                .filter(webhook_endpoints::failing_since.lt(failing_before))
                .order(webhook_endpoints::id.asc())
                .select(webhook_endpoints::id)
                .load::<String>(conn)?)
        })
    }
}
