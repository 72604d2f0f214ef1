//! Webhook endpoints and their delivery outbox, held in memory
//! ([`WebhookStore`]): every call holds the state's lock, so a claim is
//! atomic and no delivery is handed out twice while its lease is live.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use registrar_domain::{AuditEvent, Sealed, WebhookEndpoint};
use registrar_store::{StoreError, WebhookBacklog, WebhookDelivery, WebhookStore};

use crate::audit::StoredDelivery;
use crate::state::State;
use crate::MemoryStore;

impl StoredDelivery {
    fn pending(&self) -> bool {
        self.delivered_at.is_none() && self.given_up_at.is_none()
    }

    fn claimed_at(&self, now: DateTime<Utc>) -> bool {
        self.pending() && self.claimed_until.is_some_and(|until| until > now)
    }

    fn due(&self, now: DateTime<Utc>) -> bool {
        self.pending() && self.retry_at <= now && !self.claimed_at(now)
    }
}

impl State {
    fn endpoint_mut(&mut self, id: &str) -> Option<&mut WebhookEndpoint> {
        self.admin.endpoints.iter_mut().find(|e| e.id == id)
    }

    /// Queues `event` again for `endpoint` (or every enabled subscriber), due at `now`.
    fn requeue(&mut self, event: &AuditEvent, endpoint: Option<&str>, now: DateTime<Utc>) -> u64 {
        if !event.kind.is_webhook_event() {
            return 0;
        }
        let targets: Vec<String> = self
            .admin
            .endpoints
            .iter()
            .filter(|e| match endpoint {
                Some(id) => e.id == id,
                None => e.enabled && e.events.includes(event.kind),
            })
            .map(|e| e.id.clone())
            .collect();
        let admin = &mut self.admin;
        for endpoint_id in &targets {
            admin.last_delivery += 1;
            admin.deliveries.push(StoredDelivery {
                id: format!("delivery-{}", admin.last_delivery),
                endpoint_id: endpoint_id.clone(),
                event_id: event.id.clone(),
                message_id: event.message_id(),
                body: event.webhook_payload(),
                attempts: 0,
                retry_at: now,
                claimed_until: None,
                delivered_at: None,
                given_up_at: None,
                last_error: None,
                created_at: now,
            });
        }
        u64::try_from(targets.len()).unwrap_or(u64::MAX)
    }
}

#[async_trait]
impl WebhookStore for MemoryStore {
    async fn add_webhook(&self, endpoint: &WebhookEndpoint, audit: &[AuditEvent]) -> Result<(), StoreError> {
        let mut state = self.lock()?;
        if state.admin.endpoints.iter().any(|e| e.id == endpoint.id) {
            return Err(StoreError::Duplicate);
        }
        state.admin.endpoints.push(endpoint.clone());
        state.record(audit);
        Ok(())
    }

    async fn webhooks(&self) -> Result<Vec<WebhookEndpoint>, StoreError> {
        let state = self.lock()?;
        let mut endpoints = state.admin.endpoints.clone();
        endpoints.sort_by_key(|e| e.created_at);
        Ok(endpoints)
    }

    async fn webhook(&self, id: &str) -> Result<Option<WebhookEndpoint>, StoreError> {
        Ok(self.lock()?.admin.endpoints.iter().find(|e| e.id == id).cloned())
    }

    async fn set_webhook_enabled(
        &self,
        id: &str,
        enabled: bool,
        now: DateTime<Utc>,
        audit: &[AuditEvent],
    ) -> Result<bool, StoreError> {
        let mut state = self.lock()?;
        let found = match state.endpoint_mut(id) {
            Some(endpoint) => {
                endpoint.enabled = enabled;
                if enabled {
                    endpoint.failing_since = None;
                    endpoint.disabled_at = None;
                } else if endpoint.disabled_at.is_none() {
                    endpoint.disabled_at = Some(now);
                }
                true
            }
            None => false,
        };
        Ok(state.record_if(found, audit))
    }

    async fn set_webhook_secret(&self, id: &str, secret: &Sealed, audit: &[AuditEvent]) -> Result<bool, StoreError> {
        let mut state = self.lock()?;
        let found = match state.endpoint_mut(id) {
            Some(endpoint) => {
                endpoint.secret = secret.clone();
                true
            }
            None => false,
        };
        Ok(state.record_if(found, audit))
    }

    async fn delete_webhook(&self, id: &str, audit: &[AuditEvent]) -> Result<bool, StoreError> {
        let mut state = self.lock()?;
        let was = state.admin.endpoints.len();
        state.admin.endpoints.retain(|e| e.id != id);
        let found = state.admin.endpoints.len() != was;
        if found {
            state.admin.deliveries.retain(|d| d.endpoint_id != id);
        }
        Ok(state.record_if(found, audit))
    }

    async fn claim_webhook_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
        per_endpoint: usize,
    ) -> Result<Vec<WebhookDelivery>, StoreError> {
        let mut state = self.lock()?;
        let state = &mut *state;
        let enabled: BTreeMap<String, WebhookEndpoint> = state
            .admin
            .endpoints
            .iter()
            .filter(|e| e.enabled)
            .map(|e| (e.id.clone(), e.clone()))
            .collect();
        let mut live: BTreeMap<String, usize> = BTreeMap::new();
        for delivery in state.admin.deliveries.iter().filter(|d| d.claimed_at(now)) {
            *live.entry(delivery.endpoint_id.clone()).or_default() += 1;
        }
        let mut due: Vec<usize> = (0..state.admin.deliveries.len())
            .filter(|&i| {
                let d = &state.admin.deliveries[i];
                d.due(now) && enabled.contains_key(&d.endpoint_id)
            })
            .collect();
        due.sort_by_key(|&i| (state.admin.deliveries[i].created_at, i));
        let mut claimed = Vec::new();
        for i in due {
            if claimed.len() >= limit {
                break;
            }
            let delivery = &mut state.admin.deliveries[i];
            let taken = live.entry(delivery.endpoint_id.clone()).or_default();
            if *taken >= per_endpoint {
                continue;
            }
            *taken += 1;
            let Some(endpoint) = enabled.get(&delivery.endpoint_id) else {
                continue;
            };
            claimed.push(WebhookDelivery {
                id: delivery.id.clone(),
                endpoint: endpoint.clone(),
                event_id: delivery.event_id.clone(),
                message_id: delivery.message_id.clone(),
                body: delivery.body.clone(),
                attempts: delivery.attempts,
                created_at: delivery.created_at,
            });
            delivery.attempts = delivery.attempts.saturating_add(1);
            delivery.claimed_until = Some(lease_until);
        }
        Ok(claimed)
    }

    async fn webhook_delivered(&self, id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        let mut state = self.lock()?;
        let Some(delivery) = state.admin.deliveries.iter_mut().find(|d| d.id == id && d.pending()) else {
            return Ok(());
        };
        delivery.delivered_at = Some(now);
        delivery.claimed_until = None;
        let endpoint_id = delivery.endpoint_id.clone();
        if let Some(endpoint) = state.endpoint_mut(&endpoint_id) {
            endpoint.failing_since = None;
        }
        Ok(())
    }

    async fn webhook_failed(
        &self,
        id: &str,
        retry_at: Option<DateTime<Utc>>,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut state = self.lock()?;
        let Some(delivery) = state.admin.deliveries.iter_mut().find(|d| d.id == id && d.pending()) else {
            return Ok(());
        };
        delivery.claimed_until = None;
        delivery.last_error = Some(error.chars().take(500).collect());
        match retry_at {
            Some(at) => delivery.retry_at = at,
            None => delivery.given_up_at = Some(now),
        }
        let endpoint_id = delivery.endpoint_id.clone();
        if let Some(endpoint) = state.endpoint_mut(&endpoint_id) {
            endpoint.failing_since.get_or_insert(now);
        }
        Ok(())
    }

    async fn disable_failing_webhooks(
        &self,
        failing_before: DateTime<Utc>,
        now: DateTime<Utc>,
        template: &AuditEvent,
        new_id: &(dyn Fn() -> String + Send + Sync),
    ) -> Result<Vec<String>, StoreError> {
        let mut state = self.lock()?;
        let mut disabled = Vec::new();
        for endpoint in state.admin.endpoints.iter_mut() {
            if endpoint.enabled && endpoint.failing_since.is_some_and(|since| since < failing_before) {
                endpoint.enabled = false;
                endpoint.disabled_at = Some(now);
                disabled.push(endpoint.id.clone());
            }
        }
        let events: Vec<AuditEvent> = disabled
            .iter()
            .map(|id| {
                let mut event = template.clone().with("endpoint_id", id);
                event.id = new_id();
                event
            })
            .collect();
        state.record(&events);
        Ok(disabled)
    }

    async fn redeliver_event(
        &self,
        event_id: &str,
        endpoint: Option<&str>,
        now: DateTime<Utc>,
        audit: &[AuditEvent],
    ) -> Result<u64, StoreError> {
        let mut state = self.lock()?;
        let event = state
            .admin
            .events
            .iter()
            .find(|r| r.event.id == event_id)
            .map(|r| r.event.clone());
        let queued = event.map_or(0, |event| state.requeue(&event, endpoint, now));
        state.record(audit);
        Ok(queued)
    }

    async fn redeliver_since(
        &self,
        since: DateTime<Utc>,
        endpoint: Option<&str>,
        now: DateTime<Utc>,
        audit: &[AuditEvent],
    ) -> Result<u64, StoreError> {
        let mut state = self.lock()?;
        let events: Vec<AuditEvent> = state
            .admin
            .events
            .iter()
            .filter(|r| r.event.at >= since && r.event.kind.is_webhook_event())
            .map(|r| r.event.clone())
            .collect();
        let queued = events.iter().map(|event| state.requeue(event, endpoint, now)).sum();
        state.record(audit);
        Ok(queued)
    }

    async fn webhook_backlog(&self) -> Result<Vec<WebhookBacklog>, StoreError> {
        let state = self.lock()?;
        let mut backlog: BTreeMap<String, WebhookBacklog> = BTreeMap::new();
        for delivery in state.admin.deliveries.iter().filter(|d| d.pending()) {
            let entry = backlog
                .entry(delivery.endpoint_id.clone())
                .or_insert_with(|| WebhookBacklog {
                    endpoint_id: delivery.endpoint_id.clone(),
                    pending: 0,
                    oldest: None,
                });
            entry.pending += 1;
            entry.oldest = Some(entry.oldest.map_or(delivery.created_at, |o| o.min(delivery.created_at)));
        }
        Ok(backlog.into_values().collect())
    }

    async fn purge_webhook_deliveries(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut state = self.lock()?;
        let was = state.admin.deliveries.len();
        state
            .admin
            .deliveries
            .retain(|d| !(d.delivered_at.is_some_and(|at| at < before) || d.given_up_at.is_some_and(|at| at < before)));
        Ok(u64::try_from(was - state.admin.deliveries.len()).unwrap_or(u64::MAX))
    }
}
