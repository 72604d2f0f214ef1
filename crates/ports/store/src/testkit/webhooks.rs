//! The contract of [`WebhookStore`](crate::WebhookStore): endpoints, the
//! fan-out of events to them, and the delivery outbox's claims, leases,
//! retries and clean-up.

use registrar_domain::{Actor, AuditEvent, AuditKind, Sealed, WebhookEndpoint, WebhookEvents};

use super::audit::audit_event;
use super::support::*;
use crate::{AuditCursor, AuditFilter, WebhookDelivery};

/// A fresh enabled endpoint subscribing to `events`, created at `at(0)`.
pub fn endpoint(events: &str) -> WebhookEndpoint {
    WebhookEndpoint {
        id: unique(),
        url: "https://hooks.example.com/in".into(),
        events: WebhookEvents::parse(events).expect("known events"),
        secret: Sealed::from_stored(format!("v1.k.{}", unique())),
        enabled: true,
        created_at: at(0),
        failing_since: None,
        disabled_at: None,
    }
}

fn admin_event() -> AuditEvent {
    AuditEvent::new(unique(), at(0), AuditKind::AdminAction, Actor::Cli).with("action", "webhook.add")
}

async fn add<S: Store>(store: &S, events: &str) -> WebhookEndpoint {
    let endpoint = endpoint(events);
    store.add_webhook(&endpoint, &[admin_event()]).await.expect("an endpoint added");
    endpoint
}

/// Records one `kind` event at `at(seconds)` and returns it.
async fn event<S: Store>(store: &S, kind: AuditKind, seconds: i64) -> AuditEvent {
    let event = audit_event(kind, &UserId(unique()), at(seconds));
    store.record_audit(std::slice::from_ref(&event)).await.expect("an event recorded");
    event
}

async fn claim<S: Store>(store: &S, now: i64, limit: usize, per_endpoint: usize) -> Vec<WebhookDelivery> {
    store
        .claim_webhook_deliveries(at(now), at(now + LEASE), limit, per_endpoint)
        .await
        .expect("a claim")
}

fn ids(deliveries: &[WebhookDelivery]) -> BTreeSet<String> {
    deliveries.iter().map(|d| d.id.clone()).collect()
}

contract_rules! { webhooks, __store_contract_webhooks;

pub async fn endpoints_read_back_and_ids_are_unique<S: Store>(store: S) {
    let endpoint = add(&store, "user.registered,user.deleted").await;
    assert_eq!(store.webhook(&endpoint.id).await.unwrap(), Some(endpoint.clone()));
    assert!(store.webhooks().await.unwrap().contains(&endpoint));
    assert!(matches!(store.add_webhook(&endpoint, &[]).await, Err(StoreError::Duplicate)));
    assert_eq!(store.webhook(&unique()).await.unwrap(), None);
    let added = store
        .audit_events(&AuditFilter { actor: Some("cli".into()), ..AuditFilter::default() }, AuditCursor::Before(None), 1000)
        .await
        .unwrap();
    assert!(!added.is_empty(), "the change's event is written with it");
}

pub async fn events_fan_out_only_to_enabled_subscribed_endpoints<S: Store>(store: S) {
    let all = add(&store, "").await;
    let some = add(&store, "user.deleted").await;
    let off = add(&store, "").await;
    assert!(store.set_webhook_enabled(&off.id, false, at(1), &[]).await.unwrap());
    let signed_in = event(&store, AuditKind::SignedIn, 10).await;
    let deleted = event(&store, AuditKind::Deleted, 11).await;
    let _admin = store.record_audit(&[admin_event()]).await;
    assert!(store.set_webhook_enabled(&off.id, true, at(12), &[]).await.unwrap());
    let claimed = claim(&store, 20, 100, 100).await;
    let mut got: Vec<(String, String)> = claimed.iter().map(|d| (d.endpoint.id.clone(), d.event_id.clone())).collect();
    got.sort();
    let mut expected = vec![
        (all.id.clone(), signed_in.id.clone()),
        (all.id.clone(), deleted.id.clone()),
        (some.id.clone(), deleted.id.clone()),
    ];
    expected.sort();
    assert_eq!(got, expected);
    let first = claimed.iter().find(|d| d.event_id == deleted.id).unwrap();
    assert_eq!(first.message_id, deleted.message_id());
    assert_eq!(first.body, deleted.webhook_payload());
    assert_eq!(first.attempts, 0);
}

pub async fn racing_claimers_never_share_a_delivery<S: Store>(store: S) {
    add(&store, "").await;
    add(&store, "").await;
    for i in 0..20 {
        event(&store, AuditKind::SignedIn, i).await;
    }
    let barrier = Arc::new(Barrier::new(8));
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (store, barrier) = (store.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let mut mine = Vec::new();
            for _ in 0..10 {
                mine.extend(claim(&store, 100, 3, 100).await.into_iter().map(|d| d.id));
            }
            mine
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    // Claimers that found every endpoint busy may have left some: sweep.
    loop {
        let rest = claim(&store, 100, 100, 100).await;
        if rest.is_empty() {
            break;
        }
        all.extend(rest.into_iter().map(|d| d.id));
    }
    let unique: BTreeSet<_> = all.iter().cloned().collect();
    assert_eq!(unique.len(), all.len(), "no delivery handed out twice");
    assert_eq!(all.len(), 40, "every delivery claimed in the end");
}

pub async fn an_expired_lease_frees_the_delivery_with_one_more_attempt<S: Store>(store: S) {
    add(&store, "").await;
    event(&store, AuditKind::SignedIn, 0).await;
    let first = claim(&store, 10, 10, 10).await;
    assert_eq!(first.len(), 1);
    assert!(claim(&store, 11, 10, 10).await.is_empty(), "a live claim holds");
    let again = claim(&store, 10 + LEASE, 10, 10).await;
    assert_eq!(ids(&again), ids(&first), "an expired claim frees it");
    assert_eq!(again[0].attempts, 1, "the first claim counted its attempt");
}

pub async fn claims_keep_the_per_endpoint_limit_live_claims_included<S: Store>(store: S) {
    let a = add(&store, "").await;
    let b = add(&store, "").await;
    for i in 0..5 {
        event(&store, AuditKind::SignedIn, i).await;
    }
    let first = claim(&store, 10, 100, 2).await;
    assert_eq!(first.iter().filter(|d| d.endpoint.id == a.id).count(), 2);
    assert_eq!(first.iter().filter(|d| d.endpoint.id == b.id).count(), 2);
    assert!(claim(&store, 11, 100, 2).await.is_empty(), "the live claims fill the limit");
    let done = &first[0];
    store.webhook_delivered(&done.id, at(12)).await.unwrap();
    let next = claim(&store, 13, 100, 2).await;
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].endpoint.id, done.endpoint.id);
    assert_eq!(claim(&store, 14, 1, 100).await.len(), 1, "at most `limit` in all");
}

pub async fn delivered_is_never_claimed_again_and_clears_failing_since<S: Store>(store: S) {
    let endpoint = add(&store, "").await;
    event(&store, AuditKind::SignedIn, 0).await;
    event(&store, AuditKind::SignedIn, 1).await;
    let claimed = claim(&store, 10, 10, 10).await;
    store.webhook_failed(&claimed[0].id, Some(at(20)), "HTTP 500", at(11)).await.unwrap();
    assert_eq!(store.webhook(&endpoint.id).await.unwrap().unwrap().failing_since, Some(at(11)));
    store.webhook_failed(&claimed[1].id, Some(at(20)), "HTTP 500", at(12)).await.unwrap();
    assert_eq!(
        store.webhook(&endpoint.id).await.unwrap().unwrap().failing_since,
        Some(at(11)),
        "set by the first failure only"
    );
    let retried = claim(&store, 20, 10, 10).await;
    assert_eq!(retried.len(), 2);
    for delivery in &retried {
        store.webhook_delivered(&delivery.id, at(21)).await.unwrap();
    }
    assert_eq!(store.webhook(&endpoint.id).await.unwrap().unwrap().failing_since, None);
    assert!(claim(&store, 10 + 10 * LEASE, 10, 10).await.is_empty(), "delivered: never again");
}

pub async fn a_failed_delivery_is_due_at_its_retry_time_or_given_up<S: Store>(store: S) {
    add(&store, "").await;
    event(&store, AuditKind::SignedIn, 0).await;
    event(&store, AuditKind::SignedIn, 1).await;
    let claimed = claim(&store, 10, 10, 10).await;
    store.webhook_failed(&claimed[0].id, Some(at(100)), "timeout", at(11)).await.unwrap();
    store.webhook_failed(&claimed[1].id, None, "HTTP 410", at(11)).await.unwrap();
    assert!(claim(&store, 99, 10, 10).await.is_empty(), "not before its retry time");
    let again = claim(&store, 100, 10, 10).await;
    assert_eq!(ids(&again), BTreeSet::from([claimed[0].id.clone()]));
    assert_eq!(again[0].attempts, 1);
    store.webhook_delivered(&again[0].id, at(101)).await.unwrap();
    assert!(claim(&store, 10 * LEASE, 10, 10).await.is_empty(), "given up: never again");
    assert!(store.webhook_backlog().await.unwrap().is_empty());
}

pub async fn disabled_endpoints_get_no_claims_and_enabling_clears_failure<S: Store>(store: S) {
    let endpoint = add(&store, "").await;
    event(&store, AuditKind::SignedIn, 0).await;
    let claimed = claim(&store, 1, 10, 10).await;
    store.webhook_failed(&claimed[0].id, Some(at(2)), "HTTP 500", at(1)).await.unwrap();
    assert!(store.set_webhook_enabled(&endpoint.id, false, at(3), &[admin_event()]).await.unwrap());
    let off = store.webhook(&endpoint.id).await.unwrap().unwrap();
    assert!(!off.enabled && off.disabled_at == Some(at(3)));
    assert!(claim(&store, 10, 10, 10).await.is_empty());
    assert!(store.set_webhook_enabled(&endpoint.id, true, at(4), &[]).await.unwrap());
    let on = store.webhook(&endpoint.id).await.unwrap().unwrap();
    assert!(on.enabled && on.disabled_at.is_none() && on.failing_since.is_none());
    assert_eq!(claim(&store, 10, 10, 10).await.len(), 1);
    assert!(!store.set_webhook_enabled(&unique(), true, at(4), &[admin_event()]).await.unwrap());
}

pub async fn endpoints_failing_too_long_are_disabled_with_their_event<S: Store>(store: S) {
    let old = add(&store, "").await;
    let recent = add(&store, "").await;
    event(&store, AuditKind::SignedIn, 0).await;
    for delivery in claim(&store, 1, 10, 10).await {
        let now = if delivery.endpoint.id == old.id { at(1) } else { at(500) };
        store.webhook_failed(&delivery.id, Some(at(1000)), "HTTP 500", now).await.unwrap();
    }
    let template = AuditEvent::new(String::new(), at(600), AuditKind::WebhookDisabled, Actor::System);
    let disabled = store
        .disable_failing_webhooks(at(100), at(600), &template, &unique)
        .await
        .unwrap();
    assert_eq!(disabled, vec![old.id.clone()]);
    assert!(!store.webhook(&old.id).await.unwrap().unwrap().enabled);
    assert!(store.webhook(&recent.id).await.unwrap().unwrap().enabled);
    let events = store
        .audit_events(
            &AuditFilter { kinds: vec![AuditKind::WebhookDisabled], ..AuditFilter::default() },
            AuditCursor::Before(None),
            100,
        )
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event.data.get("endpoint_id"), Some(&old.id));
    assert!(!events[0].event.id.is_empty());
    assert!(store.disable_failing_webhooks(at(100), at(700), &template, &unique).await.unwrap().is_empty());
}

pub async fn events_are_redelivered_one_or_all_since<S: Store>(store: S) {
    let a = add(&store, "").await;
    let b = add(&store, "user.deleted").await;
    let early = event(&store, AuditKind::SignedIn, 0).await;
    let late = event(&store, AuditKind::Deleted, 50).await;
    for delivery in claim(&store, 60, 100, 100).await {
        store.webhook_delivered(&delivery.id, at(61)).await.unwrap();
    }
    let key = Actor::AdminKey(unique());
    let asked = AuditEvent::new(unique(), at(70), AuditKind::AdminAction, key.clone()).with("action", "webhook.redeliver");
    assert_eq!(store.redeliver_event(&early.id, None, at(70), std::slice::from_ref(&asked)).await.unwrap(), 1);
    let by_key = AuditFilter { actor: Some(key.as_stored()), ..AuditFilter::default() };
    let recorded = store.audit_events(&by_key, AuditCursor::Before(None), 10).await.unwrap();
    let recorded: Vec<_> = recorded.into_iter().map(|r| r.event.id).collect();
    assert_eq!(recorded, [asked.id], "the admin action is recorded with the redelivery");
    assert_eq!(store.redeliver_event(&late.id, Some(&b.id), at(70), &[]).await.unwrap(), 1);
    assert_eq!(store.redeliver_event(&unique(), None, at(70), &[]).await.unwrap(), 0);
    let again = claim(&store, 70, 100, 100).await;
    let mut got: Vec<_> = again.iter().map(|d| (d.endpoint.id.clone(), d.event_id.clone())).collect();
    got.sort();
    let mut expected = vec![(a.id.clone(), early.id.clone()), (b.id.clone(), late.id.clone())];
    expected.sort();
    assert_eq!(got, expected);
    let redelivered = again.iter().find(|d| d.event_id == early.id).unwrap();
    assert_eq!(redelivered.message_id, early.message_id(), "the same message id");
    assert_eq!(redelivered.body, early.webhook_payload());
    assert_eq!(store.redeliver_since(at(40), None, at(80), &[]).await.unwrap(), 2, "late, to both");
    assert_eq!(store.redeliver_since(at(40), Some(&a.id), at(80), &[]).await.unwrap(), 1);
}

pub async fn the_backlog_counts_pending_deliveries_per_endpoint<S: Store>(store: S) {
    let a = add(&store, "").await;
    let b = add(&store, "user.deleted").await;
    event(&store, AuditKind::SignedIn, 5).await;
    event(&store, AuditKind::Deleted, 7).await;
    let mut backlog = store.webhook_backlog().await.unwrap();
    backlog.sort_by(|x, y| x.endpoint_id.cmp(&y.endpoint_id));
    let of = |id: &str| backlog.iter().find(|e| e.endpoint_id == id).cloned().unwrap();
    assert_eq!((of(&a.id).pending, of(&a.id).oldest), (2, Some(at(5))));
    assert_eq!((of(&b.id).pending, of(&b.id).oldest), (1, Some(at(7))));
}

pub async fn purging_drops_only_finished_deliveries_and_deleting_an_endpoint_drops_its_own<S: Store>(store: S) {
    let endpoint = add(&store, "").await;
    for i in 0..3 {
        event(&store, AuditKind::SignedIn, i).await;
    }
    let claimed = claim(&store, 10, 10, 10).await;
    store.webhook_delivered(&claimed[0].id, at(11)).await.unwrap();
    store.webhook_failed(&claimed[1].id, None, "HTTP 410", at(11)).await.unwrap();
    store.webhook_failed(&claimed[2].id, Some(at(12)), "HTTP 500", at(11)).await.unwrap();
    assert_eq!(store.purge_webhook_deliveries(at(11)).await.unwrap(), 0, "not before");
    assert_eq!(store.purge_webhook_deliveries(at(20)).await.unwrap(), 2);
    assert_eq!(claim(&store, 20, 10, 10).await.len(), 1, "the pending one stays");
    assert!(store.delete_webhook(&endpoint.id, &[admin_event()]).await.unwrap());
    assert_eq!(store.webhook(&endpoint.id).await.unwrap(), None);
    assert!(store.webhook_backlog().await.unwrap().is_empty());
    assert!(!store.delete_webhook(&endpoint.id, &[]).await.unwrap());
}

pub async fn a_rotated_secret_is_read_back<S: Store>(store: S) {
    let endpoint = add(&store, "").await;
    let fresh = Sealed::from_stored(format!("v1.k.{}", unique()));
    assert!(store.set_webhook_secret(&endpoint.id, &fresh, &[admin_event()]).await.unwrap());
    assert_eq!(store.webhook(&endpoint.id).await.unwrap().unwrap().secret, fresh);
    assert!(!store.set_webhook_secret(&unique(), &fresh, &[]).await.unwrap());
}

}
