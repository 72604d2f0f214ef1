//! Webhooks: the endpoints' use cases (shared by the CLI and the admin API)
//! and the delivery worker.
//!
//! Deliveries are queued by the store in the transaction of the event they
//! announce. The worker claims due ones for a lease (the claim counts the
//! attempt), signs each per Standard Webhooks (`webhook-id` = the event's
//! message id, `webhook-timestamp` = now, `webhook-signature` = `v1,` +
//! HMAC-SHA256 of `id.timestamp.body`) and posts it through the
//! [`WebhookTransport`] port: a 2xx is delivered; anything else is retried
//! with exponential backoff (30 s × 2^attempt, ±10 % jitter, capped at a
//! day) and given up after [`WebhookSettings::max_attempts`]. Endpoints
//! failing for `webhooks.disable_after` are disabled with a
//! `webhook.disabled` event.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use rand::rngs::OsRng;
use rand::{Rng, RngCore};
use registrar_domain::{Actor, AuditKind, WebhookEndpoint, WebhookEvents, WebhookSecret};
use registrar_mail::Mailer;
use registrar_store::{Store, WebhookDelivery};
use registrar_webhook::SendError;

use crate::tokens::random_hex;
use crate::{Registrar, ServiceError};

/// Deliveries by outcome (`outcome`: delivered, failed, refused, given_up).
pub const WEBHOOK_DELIVERIES: &str = "registrar_webhook_deliveries_total";
/// Pending deliveries per endpoint (`endpoint`: its id).
pub const WEBHOOK_BACKLOG: &str = "registrar_webhook_backlog";
/// Age in seconds of the oldest pending delivery per endpoint (`endpoint`).
pub const WEBHOOK_OLDEST_AGE: &str = "registrar_webhook_oldest_pending_age_seconds";

/// The sealing purpose of endpoint secrets (owner: the endpoint id).
pub const WEBHOOK_SECRET_PURPOSE: &str = "webhook secret";

/// The longest endpoint URL.
pub const MAX_URL_CHARS: usize = 2048;

/// `webhooks.*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSettings {
    /// Whether endpoints may be on loopback, private or link-local
    /// addresses, and plain `http` (`webhooks.allow_private`, off).
    pub allow_private: bool,
    /// An endpoint failing this long is disabled (`webhooks.disable_after`, 5 days).
    pub disable_after: Duration,
    /// Per call (`webhooks.timeout`, 10 s).
    pub timeout: StdDuration,
    /// At most this many calls at once per endpoint (`webhooks.max_concurrent_per_endpoint`, 4).
    pub max_concurrent_per_endpoint: usize,
    /// A delivery is given up after this many attempts (20: over a week of tries).
    pub max_attempts: u32,
    /// How many deliveries one claim takes.
    pub batch: usize,
    /// How often the worker looks for due deliveries.
    pub poll_interval: StdDuration,
    /// Delivered and given-up deliveries are dropped after this (7 days).
    pub retention: Duration,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            allow_private: false,
            disable_after: Duration::days(5),
            timeout: StdDuration::from_secs(10),
            max_concurrent_per_endpoint: 4,
            max_attempts: 20,
            batch: 50,
            poll_interval: StdDuration::from_secs(2),
            retention: Duration::days(7),
        }
    }
}

/// Why a webhook use case failed.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// Bad input; the message says what (never a secret).
    #[error("{0}")]
    Invalid(String),
    #[error("no such webhook endpoint")]
    NotFound,
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<registrar_store::StoreError> for WebhookError {
    fn from(e: registrar_store::StoreError) -> Self {
        Self::Service(e.into())
    }
}

/// An endpoint as shown: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WebhookView {
    pub id: String,
    pub url: String,
    /// Comma-separated event names; empty for all.
    pub events: String,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
    pub failing_since: Option<DateTime<Utc>>,
    pub disabled_at: Option<DateTime<Utc>>,
}

impl From<WebhookEndpoint> for WebhookView {
    fn from(e: WebhookEndpoint) -> Self {
        Self {
            id: e.id,
            url: e.url,
            events: e.events.to_string(),
            enabled: e.enabled,
            created_at: e.created_at,
            failing_since: e.failing_since,
            disabled_at: e.disabled_at,
        }
    }
}

/// The URL of an endpoint, checked: absolute `http(s)` with a host, no
/// userinfo, no control characters, at most [`MAX_URL_CHARS`]; `https`
/// unless `allow_private` (plain HTTP is for tests and closed networks).
pub fn parse_endpoint_url(text: &str, allow_private: bool) -> Result<String, WebhookError> {
    let invalid = |why: &str| Err(WebhookError::Invalid(format!("webhook URL: {why}")));
    if has_control_characters(text) {
        return invalid("control characters");
    }
    if text.chars().count() > MAX_URL_CHARS {
        return invalid("longer than 2048 characters");
    }
    let Ok(url) = url::Url::parse(text) else {
        return invalid("not an absolute URL");
    };
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        "http" => return invalid("https required (webhooks.allow_private allows http)"),
        _ => return invalid("http(s) only"),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return invalid("no host");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return invalid("no user or password in the URL");
    }
    Ok(url.to_string())
}

fn has_control_characters(text: &str) -> bool {
    text.chars().any(char::is_control)
}

/// A fresh Standard Webhooks secret.
fn new_secret() -> WebhookSecret {
    let mut bytes = [0_u8; 32];
    OsRng.fill_bytes(&mut bytes);
    WebhookSecret::from_bytes(bytes)
}

/// When attempt `attempts + 1` fails: 30 s × 2^attempts, ±10 %, capped at a day.
pub fn webhook_backoff(attempts: u32) -> Duration {
    let base = 30_i64.saturating_mul(1_i64 << attempts.min(20)).min(86_400);
    let jitter = OsRng.gen_range(-(base / 10)..=(base / 10));
    Duration::seconds((base + jitter).clamp(1, 86_400))
}

impl<S: Store, M: Mailer> Registrar<S, M> {
    /// An `admin.action` event: `action` done to `target` by `actor`.
    pub(crate) fn admin_action(&self, actor: &Actor, action: &str, target: &str) -> registrar_domain::AuditEvent {
        self.event(AuditKind::AdminAction, actor.clone())
            .with("action", action)
            .with("target", target)
    }

    fn seal_webhook_secret(&self, id: &str, secret: &WebhookSecret) -> registrar_domain::Sealed {
        let mut nonce = [0_u8; registrar_domain::sealed::NONCE_BYTES];
        OsRng.fill_bytes(&mut nonce);
        self.settings
            .keyring()
            .seal(WEBHOOK_SECRET_PURPOSE, id, secret.bytes(), nonce)
    }

    /// Registers an endpoint for `events` (comma-separated names, empty for
    /// all). Returns its id and its secret (`whsec_…`), shown this once.
    pub async fn add_webhook(&self, actor: &Actor, url: &str, events: &str) -> Result<(String, String), WebhookError> {
        let url = parse_endpoint_url(url, self.settings.webhooks.allow_private)?;
        if has_control_characters(events) {
            return Err(WebhookError::Invalid("events: control characters".into()));
        }
        let events = WebhookEvents::parse(events).map_err(WebhookError::Invalid)?;
        let id = format!("wh_{}", random_hex(12));
        let secret = new_secret();
        let endpoint = WebhookEndpoint {
            id: id.clone(),
            url,
            events,
            secret: self.seal_webhook_secret(&id, &secret),
            enabled: true,
            created_at: self.now(),
            failing_since: None,
            disabled_at: None,
        };
        let audit = self.admin_action(actor, "webhook.add", &id);
        self.store.add_webhook(&endpoint, &[audit]).await?;
        Ok((id, secret.expose()))
    }

    /// Every endpoint, without secrets.
    pub async fn list_webhooks(&self) -> Result<Vec<WebhookView>, WebhookError> {
        Ok(self
            .store
            .webhooks()
            .await?
            .into_iter()
            .map(WebhookView::from)
            .collect())
    }

    /// Enables or disables an endpoint (enabling forgets its failures).
    pub async fn set_webhook_enabled(&self, actor: &Actor, id: &str, enabled: bool) -> Result<(), WebhookError> {
        let action = if enabled { "webhook.enable" } else { "webhook.disable" };
        let audit = self.admin_action(actor, action, id);
        match self
            .store
            .set_webhook_enabled(id, enabled, self.now(), &[audit])
            .await?
        {
            true => Ok(()),
            false => Err(WebhookError::NotFound),
        }
    }

    /// Deletes an endpoint and its pending deliveries.
    pub async fn delete_webhook(&self, actor: &Actor, id: &str) -> Result<(), WebhookError> {
        let audit = self.admin_action(actor, "webhook.delete", id);
        match self.store.delete_webhook(id, &[audit]).await? {
            true => Ok(()),
            false => Err(WebhookError::NotFound),
        }
    }

    /// A new secret for the endpoint, shown this once; deliveries signed
    /// from now on use it.
    pub async fn rotate_webhook_secret(&self, actor: &Actor, id: &str) -> Result<String, WebhookError> {
        let secret = new_secret();
        let sealed = self.seal_webhook_secret(id, &secret);
        let audit = self.admin_action(actor, "webhook.rotate_secret", id);
        match self.store.set_webhook_secret(id, &sealed, &[audit]).await? {
            true => Ok(secret.expose()),
            false => Err(WebhookError::NotFound),
        }
    }

    /// Queues event `event_id` again (for `endpoint`, or every subscriber).
    /// Returns how many deliveries were queued.
    pub async fn redeliver_webhook_event(
        &self,
        actor: &Actor,
        event_id: &str,
        endpoint: Option<&str>,
    ) -> Result<u64, WebhookError> {
        let audit = self.admin_action(actor, "webhook.redeliver", event_id);
        Ok(self
            .store
            .redeliver_event(event_id, endpoint, self.now(), &[audit])
            .await?)
    }

    /// Queues every webhook event since `since` again (for `endpoint`, or every subscriber).
    pub async fn redeliver_webhooks_since(
        &self,
        actor: &Actor,
        since: DateTime<Utc>,
        endpoint: Option<&str>,
    ) -> Result<u64, WebhookError> {
        let audit = self.admin_action(actor, "webhook.redeliver_since", &since.to_rfc3339());
        Ok(self
            .store
            .redeliver_since(since, endpoint, self.now(), &[audit])
            .await?)
    }

    /// Claims due deliveries and sends them, at most
    /// `max_concurrent_per_endpoint` at once per endpoint (the claim keeps
    /// the limit across workers and instances). Returns how many were claimed.
    pub async fn deliver_webhooks_due(&self) -> Result<usize, ServiceError> {
        let settings = &self.settings.webhooks;
        let now = self.now();
        // Long enough for the call and its outcome to be recorded; short
        // enough that a delivery claimed by an instance that died is sent
        // by another soon after (twice the timeout, plus five seconds).
        let timeout = Duration::from_std(settings.timeout).unwrap_or(Duration::seconds(10));
        let lease = timeout + timeout + Duration::seconds(5);
        let deliveries = self
            .store
            .claim_webhook_deliveries(now, now + lease, settings.batch, settings.max_concurrent_per_endpoint)
            .await?;
        let count = deliveries.len();
        let mut sends = tokio::task::JoinSet::new();
        for delivery in deliveries {
            let this = self.clone();
            sends.spawn(async move { this.deliver_webhook(delivery).await });
        }
        while let Some(done) = sends.join_next().await {
            if let Err(e) = done {
                // A panic fails that one delivery; its lease frees it later.
                tracing::error!(error = %e, "webhook delivery task failed");
            }
        }
        Ok(count)
    }

    /// Signs and sends one claimed delivery and records the outcome.
    async fn deliver_webhook(&self, delivery: WebhookDelivery) {
        let settings = &self.settings.webhooks;
        let endpoint = &delivery.endpoint.id;
        let secret = self
            .settings
            .keyring()
            .open(WEBHOOK_SECRET_PURPOSE, endpoint, &delivery.endpoint.secret)
            .ok()
            .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
            .map(WebhookSecret::from_bytes);
        let Some(secret) = secret else {
            tracing::error!(endpoint, "webhook secret cannot be opened (server secret changed?)");
            self.webhook_outcome(&delivery, Err("secret cannot be opened".into()), false)
                .await;
            return;
        };
        let timestamp = self.now().timestamp();
        let headers = vec![
            ("content-type".to_owned(), "application/json".to_owned()),
            ("webhook-id".to_owned(), delivery.message_id.clone()),
            ("webhook-timestamp".to_owned(), timestamp.to_string()),
            (
                "webhook-signature".to_owned(),
                secret.sign(&delivery.message_id, timestamp, &delivery.body),
            ),
        ];
        let sent = self
            .webhooks
            .post(&delivery.endpoint.url, &headers, &delivery.body, settings.timeout)
            .await;
        let refused = matches!(sent, Err(SendError::Refused(_) | SendError::BadUrl(_)));
        let result = match sent {
            Ok(status) if (200..300).contains(&status) => Ok(()),
            Ok(status) => Err(format!("HTTP {status}")),
            Err(e) => Err(e.to_string()),
        };
        self.webhook_outcome(&delivery, result, refused).await;
    }

    async fn webhook_outcome(&self, delivery: &WebhookDelivery, result: Result<(), String>, refused: bool) {
        let now = self.now();
        let endpoint = &delivery.endpoint.id;
        let (outcome, stored) = match result {
            Ok(()) => ("delivered", self.store.webhook_delivered(&delivery.id, now).await),
            Err(error) => {
                let attempts = delivery.attempts.saturating_add(1);
                let give_up = refused || attempts >= self.settings.webhooks.max_attempts;
                let retry_at = (!give_up).then(|| now + webhook_backoff(delivery.attempts));
                tracing::info!(endpoint, delivery = %delivery.id, attempts, %error, "webhook delivery failed");
                let outcome = if refused {
                    "refused"
                } else if give_up {
                    "given_up"
                } else {
                    "failed"
                };
                (
                    outcome,
                    self.store.webhook_failed(&delivery.id, retry_at, &error, now).await,
                )
            }
        };
        metrics::counter!(WEBHOOK_DELIVERIES, "outcome" => outcome).increment(1);
        if let Err(e) = stored {
            tracing::warn!(error = %e, endpoint, "could not record a webhook delivery's outcome");
        }
    }

    /// Disables the endpoints failing for longer than `webhooks.disable_after`,
    /// each with its `webhook.disabled` event. Returns their ids.
    pub async fn disable_failing_webhooks(&self) -> Result<Vec<String>, ServiceError> {
        let now = self.now();
        let template = self
            .event(AuditKind::WebhookDisabled, Actor::System)
            .with("reason", "failing");
        let new_id = || random_hex(16);
        let disabled = self
            .store
            .disable_failing_webhooks(now - self.settings.webhooks.disable_after, now, &template, &new_id)
            .await?;
        for id in &disabled {
            tracing::warn!(endpoint = %id, "webhook endpoint disabled: failing too long");
        }
        Ok(disabled)
    }

    /// Sets the backlog gauges, one per endpoint.
    pub async fn report_webhook_backlog(&self) -> Result<(), ServiceError> {
        let now = self.now();
        let backlog = self.store.webhook_backlog().await?;
        for endpoint in self.store.webhooks().await? {
            let found = backlog.iter().find(|b| b.endpoint_id == endpoint.id);
            let pending = found.map_or(0, |b| b.pending);
            let age = found
                .and_then(|b| b.oldest)
                .map_or(0, |oldest| (now - oldest).num_seconds().max(0));
            #[allow(clippy::cast_precision_loss)]
            {
                metrics::gauge!(WEBHOOK_BACKLOG, "endpoint" => endpoint.id.clone()).set(pending as f64);
                metrics::gauge!(WEBHOOK_OLDEST_AGE, "endpoint" => endpoint.id.clone()).set(age as f64);
            }
        }
        Ok(())
    }

    /// The background worker: disables failing endpoints, reports the
    /// backlog and delivers due deliveries, every `poll_interval`, until
    /// the future is dropped. Never dies on one bad item: errors are logged.
    pub async fn run_webhook_worker(&self) {
        loop {
            if let Err(e) = self.disable_failing_webhooks().await {
                tracing::warn!(error = %e, "webhooks: could not disable failing endpoints");
            }
            if let Err(e) = self.report_webhook_backlog().await {
                tracing::debug!(error = %e, "webhooks: could not read the backlog");
            }
            let claimed = match self.deliver_webhooks_due().await {
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(error = %e, "webhooks: could not claim deliveries");
                    0
                }
            };
            if claimed < self.settings.webhooks.batch {
                tokio::time::sleep(self.settings.webhooks.poll_interval).await;
            }
        }
    }
}
