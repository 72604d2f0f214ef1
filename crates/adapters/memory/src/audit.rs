//! The audit trail, admin keys and webhooks held in memory, and writing
//! events with their webhook deliveries ([`registrar_store::AuditStore`]'s
//! rule: events ride with their change; a memory-store method is all or
//! nothing because it holds the state's lock throughout).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use registrar_domain::{AdminKey, AuditEvent, AuditRecord, WebhookEndpoint};
use registrar_store::{AuditCursor, AuditFilter, AuditStore, StoreError};

use crate::state::State;
use crate::MemoryStore;

/// A webhook delivery and where it is.
// Read by the webhook delivery step (WebhookStore), not yet on this branch.
#[allow(dead_code)]
pub(crate) struct StoredDelivery {
    pub id: String,
    pub endpoint_id: String,
    pub event_id: String,
    pub message_id: String,
    pub body: String,
    /// Attempts so far: every claim counts one.
    pub attempts: u32,
    pub retry_at: DateTime<Utc>,
    pub claimed_until: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub given_up_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The trail (in `seq` order), the keys and the endpoints with their deliveries.
#[derive(Default)]
pub(crate) struct Admin {
    pub events: Vec<AuditRecord>,
    pub last_seq: i64,
    /// In creation order.
    #[allow(dead_code)] // read once AdminKeyStore is implemented on memory
    pub keys: Vec<AdminKey>,
    /// In creation order.
    pub endpoints: Vec<WebhookEndpoint>,
    /// In queueing order.
    pub deliveries: Vec<StoredDelivery>,
    pub last_delivery: u64,
}

impl State {
    /// Writes `events` and queues their webhook deliveries (one per enabled
    /// endpoint subscribed to the event's type, due at the event's time).
    /// The caller has checked that the change they record happens.
    pub fn record(&mut self, events: &[AuditEvent]) {
        let admin = &mut self.admin;
        for event in events {
            admin.last_seq += 1;
            admin.events.push(AuditRecord {
                seq: admin.last_seq,
                event: event.clone(),
            });
            let subscribers: Vec<String> = admin
                .endpoints
                .iter()
                .filter(|e| e.enabled && e.events.includes(event.kind))
                .map(|e| e.id.clone())
                .collect();
            for endpoint_id in subscribers {
                admin.last_delivery += 1;
                admin.deliveries.push(StoredDelivery {
                    id: format!("delivery-{}", admin.last_delivery),
                    endpoint_id,
                    event_id: event.id.clone(),
                    message_id: event.message_id(),
                    body: event.webhook_payload(),
                    attempts: 0,
                    retry_at: event.at,
                    claimed_until: None,
                    delivered_at: None,
                    given_up_at: None,
                    last_error: None,
                    created_at: event.at,
                });
            }
        }
    }

    /// Writes template `events` about `user` (completed with the user's
    /// address, and the session's client and device if given:
    /// [`registrar_store::complete_events`]).
    pub fn record_about(
        &mut self,
        user: &registrar_domain::UserId,
        events: &[AuditEvent],
        session: Option<&registrar_domain::Session>,
    ) {
        if events.is_empty() {
            return;
        }
        let Some(email) = self.users.get(user).map(|u| u.email.clone()) else {
            return;
        };
        let events = registrar_store::complete_events(events, user, &email, session);
        self.record(&events);
    }

    /// Writes `events` when the change they record happened; answers whether it did.
    pub fn record_if(&mut self, changed: bool, events: &[AuditEvent]) -> bool {
        if changed {
            self.record(events);
        }
        changed
    }
}

/// Whether `record` passes `filter`.
fn matches(record: &AuditRecord, filter: &AuditFilter) -> bool {
    let event = &record.event;
    filter
        .user
        .as_ref()
        .is_none_or(|user| event.user.as_ref() == Some(user))
        && (filter.kinds.is_empty() || filter.kinds.contains(&event.kind))
        && filter
            .actor
            .as_ref()
            .is_none_or(|actor| event.actor.as_stored() == *actor)
        && filter.from.is_none_or(|from| event.at >= from)
        && filter.until.is_none_or(|until| event.at < until)
}

#[async_trait]
impl AuditStore for MemoryStore {
    async fn record_audit(&self, events: &[AuditEvent]) -> Result<(), StoreError> {
        self.lock()?.record(events);
        Ok(())
    }

    async fn audit_events(
        &self,
        filter: &AuditFilter,
        cursor: AuditCursor,
        limit: usize,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let state = self.lock()?;
        let events = state.admin.events.iter().filter(|r| matches(r, filter));
        Ok(match cursor {
            AuditCursor::Before(before) => events
                .rev()
                .filter(|r| before.is_none_or(|b| r.seq < b))
                .take(limit)
                .cloned()
                .collect(),
            AuditCursor::After(after) => events.filter(|r| r.seq > after).take(limit).cloned().collect(),
        })
    }

    async fn prune_audit(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut state = self.lock()?;
        let was = state.admin.events.len();
        state.admin.events.retain(|r| r.event.at >= before);
        Ok(u64::try_from(was - state.admin.events.len()).unwrap_or(u64::MAX))
    }
}
