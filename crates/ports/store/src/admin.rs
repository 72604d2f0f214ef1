//! The audit trail, admin API keys and webhook endpoints with their
//! deliveries.
//!
//! **Events ride with their change.** A method that changes an account takes
//! the [`AuditEvent`]s the change records (`audit: &[AuditEvent]`) and
//! writes them in its own transaction, only when the change happens: a
//! method that fails, or that changes nothing (an unknown user, a dead
//! link, a wrong code), writes none. Writing an event also queues one
//! webhook delivery per enabled endpoint that subscribes to its type
//! ([`WebhookEvents::includes`](registrar_domain::WebhookEvents::includes)),
//! in the same transaction: nothing is announced that did not happen, and
//! nothing that happened is lost to a crash.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use registrar_domain::{
    AdminKey, AuditEvent, AuditKind, AuditRecord, Email, Sealed, SecretHash, Session, UserId, WebhookEndpoint,
};

use crate::StoreError;

/// Which events [`AuditStore::audit_events`] answers. Every field narrows;
/// the default is every event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub user: Option<UserId>,
    /// Any of these types; empty is any type.
    pub kinds: Vec<AuditKind>,
    /// As stored ([`Actor::as_stored`](registrar_domain::Actor::as_stored)).
    pub actor: Option<String>,
    /// `at >= from`.
    pub from: Option<DateTime<Utc>>,
    /// `at < until`.
    pub until: Option<DateTime<Utc>>,
}

/// Where a page of events starts: keyset pagination on [`AuditRecord::seq`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditCursor {
    /// Newest first, from the newest event (`None`) or from the first with
    /// `seq` below the given one.
    Before(Option<i64>),
    /// Oldest first, from the first event with `seq` above the given one
    /// (`audit tail`).
    After(i64),
}

/// Completes events built by a caller that did not know whom they are about
/// (a link, a token: only the store finds its user): sets `user` and
/// `email` where unset, and the client and device of `session` (if given)
/// where unset. Stores use it before writing such events.
pub fn complete_events(
    events: &[AuditEvent],
    user: &UserId,
    email: &Email,
    session: Option<&Session>,
) -> Vec<AuditEvent> {
    events
        .iter()
        .map(|event| {
            let mut event = event.clone();
            if event.user.is_none() {
                event.user = Some(user.clone());
                event.email = Some(email.clone());
            }
            if let Some(session) = session {
                event.client.get_or_insert_with(|| session.client_id.clone());
                event
                    .device_id
                    .get_or_insert_with(|| session.device_id.as_str().to_owned());
                event
                    .device_name
                    .get_or_insert_with(|| session.device_name.as_str().to_owned());
                event
                    .data
                    .entry("session_id".to_owned())
                    .or_insert_with(|| session.id.0.clone());
            }
            event
        })
        .collect()
}

#[async_trait]
pub trait AuditStore {
    /// Writes events that record no other change (a failed sign-in, an
    /// administrator's read), with their webhook deliveries, in one transaction.
    async fn record_audit(&self, events: &[AuditEvent]) -> Result<(), StoreError>;

    /// Up to `limit` events matching `filter`, in the order and from the
    /// position `cursor` says.
    async fn audit_events(
        &self,
        filter: &AuditFilter,
        cursor: AuditCursor,
        limit: usize,
    ) -> Result<Vec<AuditRecord>, StoreError>;

    /// Deletes the events from before `before` and returns how many.
    async fn prune_audit(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;
}

#[async_trait]
pub trait AdminKeyStore {
    /// Stores a key. MUST return [`StoreError::Duplicate`] and change nothing
    /// if a key of that name exists (revoked or not: a name is an actor in
    /// the audit trail and means one key forever).
    async fn add_admin_key(&self, key: &AdminKey, audit: &[AuditEvent]) -> Result<(), StoreError>;

    /// The live (unrevoked) key whose hash this is.
    async fn admin_key_by_hash(&self, key_hash: &SecretHash) -> Result<Option<AdminKey>, StoreError>;

    /// Every key, revoked ones too, by creation time.
    async fn admin_keys(&self) -> Result<Vec<AdminKey>, StoreError>;

    /// Revokes the live key of that name at `now`. Returns whether there was one.
    async fn revoke_admin_key(&self, name: &str, now: DateTime<Utc>, audit: &[AuditEvent]) -> Result<bool, StoreError>;

    /// Records that the key was used at `now` (a later use wins). Unknown ids are fine.
    async fn admin_key_used(&self, id: &str, now: DateTime<Utc>) -> Result<(), StoreError>;
}

/// A webhook delivery claimed for sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookDelivery {
    pub id: String,
    pub endpoint: WebhookEndpoint,
    /// The event's id ([`AuditEvent::id`]).
    pub event_id: String,
    /// `webhook-id`: the event's [`AuditEvent::message_id`], the same on every try.
    pub message_id: String,
    /// The body, fixed when the event was written ([`AuditEvent::webhook_payload`]).
    pub body: String,
    /// Attempts before this one (counted by earlier claims).
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
}

/// What is waiting for one endpoint (for `/metrics`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookBacklog {
    pub endpoint_id: String,
    /// Deliveries not yet delivered nor given up.
    pub pending: u64,
    /// When the oldest of them was queued.
    pub oldest: Option<DateTime<Utc>>,
}

#[async_trait]
pub trait WebhookStore {
    /// Stores an endpoint. MUST return [`StoreError::Duplicate`] if the id exists.
    async fn add_webhook(&self, endpoint: &WebhookEndpoint, audit: &[AuditEvent]) -> Result<(), StoreError>;

    /// Every endpoint, by creation time.
    async fn webhooks(&self) -> Result<Vec<WebhookEndpoint>, StoreError>;

    async fn webhook(&self, id: &str) -> Result<Option<WebhookEndpoint>, StoreError>;

    /// Enables or disables an endpoint at `now`. Enabling clears
    /// `failing_since` and `disabled_at`. Returns whether it exists.
    async fn set_webhook_enabled(
        &self,
        id: &str,
        enabled: bool,
        now: DateTime<Utc>,
        audit: &[AuditEvent],
    ) -> Result<bool, StoreError>;

    /// Replaces the endpoint's sealed secret: deliveries signed from now on use it.
    /// Returns whether it exists.
    async fn set_webhook_secret(&self, id: &str, secret: &Sealed, audit: &[AuditEvent]) -> Result<bool, StoreError>;

    /// Deletes the endpoint and its deliveries. Returns whether it existed.
    async fn delete_webhook(&self, id: &str, audit: &[AuditEvent]) -> Result<bool, StoreError>;

    /// Claims up to `limit` due deliveries (not delivered, not given up,
    /// `retry_at <= now`, no live claim) of enabled endpoints until
    /// `lease_until`, oldest first, at most `per_endpoint` claimed at once
    /// per endpoint (live claims included). A delivery MUST NOT be handed to
    /// two claimers while a claim is live, also across processes (`SKIP
    /// LOCKED` on Postgres); an expired claim frees it. Each claim counts one
    /// attempt in its own transaction, before anything is sent.
    async fn claim_webhook_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
        per_endpoint: usize,
    ) -> Result<Vec<WebhookDelivery>, StoreError>;

    /// Delivered: never claimed again; the endpoint's `failing_since` is cleared.
    async fn webhook_delivered(&self, id: &str, now: DateTime<Utc>) -> Result<(), StoreError>;

    /// A try failed at `now`: frees the claim, keeps the error (never a
    /// secret: a status or a transport error), sets the endpoint's
    /// `failing_since` if unset; due again at `retry_at`, or given up when `None`.
    async fn webhook_failed(
        &self,
        id: &str,
        retry_at: Option<DateTime<Utc>>,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Disables, at `now`, every enabled endpoint failing since before
    /// `failing_before`, each with its `webhook.disabled` event (built from
    /// `template` with `endpoint_id` added and a fresh id per endpoint drawn by `new_id`).
    /// Returns the ids disabled.
    async fn disable_failing_webhooks(
        &self,
        failing_before: DateTime<Utc>,
        now: DateTime<Utc>,
        template: &AuditEvent,
        new_id: &(dyn Fn() -> String + Send + Sync),
    ) -> Result<Vec<String>, StoreError>;

    /// Queues the event again for `endpoint` (or every subscribed enabled
    /// endpoint when `None`), due at `now`: a fresh delivery with the same
    /// message id and body. Returns how many were queued; 0 for an unknown event.
    /// Writes `audit` (the admin action asking for it) in the same
    /// transaction, whatever was queued.
    async fn redeliver_event(
        &self,
        event_id: &str,
        endpoint: Option<&str>,
        now: DateTime<Utc>,
        audit: &[AuditEvent],
    ) -> Result<u64, StoreError>;

    /// As [`WebhookStore::redeliver_event`] for every webhook event at or after `since`.
    async fn redeliver_since(
        &self,
        since: DateTime<Utc>,
        endpoint: Option<&str>,
        now: DateTime<Utc>,
        audit: &[AuditEvent],
    ) -> Result<u64, StoreError>;

    /// Per endpoint with something pending, for metrics.
    async fn webhook_backlog(&self) -> Result<Vec<WebhookBacklog>, StoreError>;

    /// Deletes deliveries delivered or given up before `before`; returns how many.
    async fn purge_webhook_deliveries(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;
}
