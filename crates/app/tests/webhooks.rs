//! Webhooks against a real HTTP receiver started by the test: every
//! request's signature is checked with the Standard Webhooks algorithm,
//! written here independently of the server's (HMAC-SHA256 of
//! `id.timestamp.body` under the base64 secret after `whsec_`).
#![allow(clippy::pedantic, clippy::restriction)] // test code

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use registrar_diesel::{DatabaseSettings, DieselStore};
use registrar_domain::{Actor, AuditKind, Email, UserId};
use registrar_memory::{MemoryMailer, MemoryStore};
use registrar_service::{ManualClock, Registrar, Settings};
use registrar_store::{AuditCursor, AuditFilter, Store};
use registrar_webhook_http::HttpWebhooks;
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One request as received.
#[derive(Debug, Clone)]
struct Received {
    headers: BTreeMap<String, String>,
    body: String,
}

/// A tiny HTTP/1.1 server on 127.0.0.1:0 answering `status` to every POST.
#[derive(Clone)]
struct Receiver {
    url: String,
    status: Arc<Mutex<u16>>,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let receiver = Self {
            url,
            status: Arc::new(Mutex::new(200)),
            got: Arc::default(),
        };
        let this = receiver.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                let this = this.clone();
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0_u8; 4096];
                    let (head, mut body) = loop {
                        let n = socket.read(&mut chunk).await.unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            break (String::from_utf8_lossy(&buf[..at]).to_string(), buf[at + 4..].to_vec());
                        }
                    };
                    let headers: BTreeMap<String, String> = head
                        .lines()
                        .skip(1)
                        .filter_map(|l| l.split_once(':'))
                        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
                        .collect();
                    let length: usize = headers.get("content-length").and_then(|l| l.parse().ok()).unwrap_or(0);
                    while body.len() < length {
                        let n = socket.read(&mut chunk).await.unwrap_or(0);
                        if n == 0 {
                            break;
                        }
                        body.extend_from_slice(&chunk[..n]);
                    }
                    let status = *this.status.lock().unwrap();
                    this.got.lock().unwrap().push(Received {
                        headers,
                        body: String::from_utf8(body).unwrap(),
                    });
                    let answer = format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
                    let _ = socket.write_all(answer.as_bytes()).await;
                });
            }
        });
        receiver
    }

    fn answer(&self, status: u16) {
        *self.status.lock().unwrap() = status;
    }

    fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }
}

/// The Standard Webhooks reference library's verdict (it also checks that
/// the timestamp is within five minutes of the real time).
fn verify_with_library(secret: &str, received: &Received) {
    let mut headers = reqwest::header::HeaderMap::new();
    for (name, value) in &received.headers {
        headers.insert(
            reqwest::header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    standardwebhooks::Webhook::new(secret)
        .unwrap()
        .verify(received.body.as_bytes(), &headers)
        .unwrap();
}

/// The Standard Webhooks verification, as its libraries do it.
fn verify(secret: &str, received: &Received) -> Result<(), String> {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").ok_or("no whsec_ prefix")?)
        .map_err(|e| e.to_string())?;
    let id = received.headers.get("webhook-id").ok_or("no webhook-id")?;
    let timestamp = received
        .headers
        .get("webhook-timestamp")
        .ok_or("no webhook-timestamp")?;
    let signatures = received
        .headers
        .get("webhook-signature")
        .ok_or("no webhook-signature")?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{timestamp}.{}", received.body).as_bytes());
    let expected = STANDARD.encode(mac.finalize().into_bytes());
    signatures
        .split(' ')
        .filter_map(|s| s.strip_prefix("v1,"))
        .any(|s| s == expected)
        .then_some(())
        .ok_or_else(|| "no matching v1 signature".to_owned())
}

fn settings(allow_private: bool) -> Settings {
    let mut settings = Settings::defaults();
    settings.webhooks.allow_private = allow_private;
    settings.webhooks.timeout = Duration::from_secs(5);
    settings
}

fn registrar<S: Store>(store: S, clock: Arc<ManualClock>, settings: Settings) -> Registrar<S, MemoryMailer> {
    let transport = HttpWebhooks::new(settings.webhooks.allow_private, "registrar-test").unwrap();
    Registrar::with_clock(store, MemoryMailer::new(), settings, clock).with_webhook_transport(Arc::new(transport))
}

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(chrono::Utc::now()))
}

async fn record<S: Store>(app: &Registrar<S, MemoryMailer>, kind: AuditKind) -> registrar_domain::AuditEvent {
    let email = Email::parse(&format!("{}@example.com", uuid::Uuid::new_v4().simple())).unwrap();
    let event = app
        .event(kind, Actor::User)
        .about(&UserId(uuid::Uuid::new_v4().to_string()), &email)
        .with("method", "password");
    app.store().record_audit(std::slice::from_ref(&event)).await.unwrap();
    event
}

async fn sqlite() -> (DieselStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = DieselStore::connect(&db(format!("sqlite://{}", dir.path().join("r.db").display())))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    (store, dir)
}

fn db(url: String) -> DatabaseSettings {
    DatabaseSettings {
        url,
        max_connections: 8,
        connect_timeout: Duration::from_secs(10),
    }
}

async fn delivered_signed<S: Store>(store: S) {
    let receiver = Receiver::start().await;
    let app = registrar(store, clock(), settings(true));
    let (id, secret) = app.add_webhook(&Actor::Cli, &receiver.url, "").await.unwrap();
    assert!(id.starts_with("wh_") && secret.starts_with("whsec_"));
    let other = record(&app, AuditKind::Registered).await;
    let event = record(&app, AuditKind::SignedIn).await;
    // Not a webhook event: not sent.
    app.store()
        .record_audit(&[app.event(AuditKind::AdminAction, Actor::Cli)])
        .await
        .unwrap();
    assert_eq!(app.deliver_webhooks_due().await.unwrap(), 2);
    let got = receiver.received();
    assert_eq!(got.len(), 2);
    for request in &got {
        verify(&secret, request).unwrap();
        verify_with_library(&secret, request);
        assert_eq!(request.headers["content-type"], "application/json");
        assert!(request.headers["user-agent"].contains("registrar"));
    }
    let sent = got
        .iter()
        .find(|r| r.headers["webhook-id"] == event.message_id())
        .unwrap();
    assert_eq!(sent.body, event.webhook_payload());
    let body: serde_json::Value = serde_json::from_str(&sent.body).unwrap();
    assert_eq!(body["type"], "user.signed_in");
    assert_eq!(body["data"]["email"], event.email.as_ref().unwrap().as_str());
    assert!(got.iter().any(|r| r.headers["webhook-id"] == other.message_id()));
    assert_eq!(app.deliver_webhooks_due().await.unwrap(), 0, "delivered once");
    // Another secret after a rotation; the old one no longer verifies.
    let rotated = app.rotate_webhook_secret(&Actor::Cli, &id).await.unwrap();
    app.redeliver_webhook_event(&Actor::Cli, &event.id, None).await.unwrap();
    assert_eq!(app.deliver_webhooks_due().await.unwrap(), 1);
    let again = receiver.received().pop().unwrap();
    assert_eq!(again.headers["webhook-id"], event.message_id(), "the same message id");
    verify(&rotated, &again).unwrap();
    assert!(verify(&secret, &again).is_err());
}

async fn retried_then_delivered<S: Store>(store: S) {
    let receiver = Receiver::start().await;
    let clock = clock();
    let app = registrar(store, clock.clone(), settings(true));
    let (_, secret) = app
        .add_webhook(&Actor::Cli, &receiver.url, "user.signed_in")
        .await
        .unwrap();
    let event = record(&app, AuditKind::SignedIn).await;
    receiver.answer(500);
    assert_eq!(app.deliver_webhooks_due().await.unwrap(), 1);
    assert_eq!(
        app.deliver_webhooks_due().await.unwrap(),
        0,
        "not due before its backoff"
    );
    receiver.answer(200);
    clock.advance(chrono::Duration::seconds(40));
    assert_eq!(app.deliver_webhooks_due().await.unwrap(), 1);
    let got = receiver.received();
    assert_eq!(got.len(), 2);
    for request in &got {
        assert_eq!(request.headers["webhook-id"], event.message_id());
        verify(&secret, request).unwrap();
    }
    clock.advance(chrono::Duration::days(2));
    assert_eq!(app.deliver_webhooks_due().await.unwrap(), 0);

    // Down: a refused connection, retried later too.
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", closed.local_addr().unwrap());
    drop(closed);
    let (down, _) = app.add_webhook(&Actor::Cli, &url, "user.deleted").await.unwrap();
    record(&app, AuditKind::Deleted).await;
    assert_eq!(app.deliver_webhooks_due().await.unwrap(), 1);
    let endpoint = app
        .list_webhooks()
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.id == down)
        .unwrap();
    assert!(endpoint.failing_since.is_some());
}

async fn disabled_after_failing<S: Store>(store: S) {
    let receiver = Receiver::start().await;
    receiver.answer(503);
    let clock = clock();
    let app = registrar(store, clock.clone(), settings(true));
    let (id, _) = app.add_webhook(&Actor::Cli, &receiver.url, "").await.unwrap();
    record(&app, AuditKind::SignedIn).await;
    app.deliver_webhooks_due().await.unwrap();
    clock.advance(chrono::Duration::days(4));
    assert!(app.disable_failing_webhooks().await.unwrap().is_empty());
    clock.advance(chrono::Duration::days(2));
    assert_eq!(app.disable_failing_webhooks().await.unwrap(), vec![id.clone()]);
    assert!(!app.list_webhooks().await.unwrap()[0].enabled);
    let events = app
        .store()
        .audit_events(
            &AuditFilter {
                kinds: vec![AuditKind::WebhookDisabled],
                ..AuditFilter::default()
            },
            AuditCursor::Before(None),
            10,
        )
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event.actor, Actor::System);
    assert_eq!(events[0].event.data["endpoint_id"], id);
}

async fn private_refused<S: Store>(store: S) {
    let receiver = Receiver::start().await;
    let app = registrar(store, clock(), settings(false));
    // http is refused as such without allow_private …
    assert!(app.add_webhook(&Actor::Cli, &receiver.url, "").await.is_err());
    // … and an https URL on a loopback address or name is never connected to.
    let port = receiver
        .url
        .split(':')
        .nth(2)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    app.add_webhook(&Actor::Cli, &format!("https://127.0.0.1:{port}/"), "")
        .await
        .unwrap();
    app.add_webhook(&Actor::Cli, &format!("https://localhost:{port}/"), "")
        .await
        .unwrap();
    record(&app, AuditKind::SignedIn).await;
    assert_eq!(app.deliver_webhooks_due().await.unwrap(), 2);
    assert!(receiver.received().is_empty());
    assert_eq!(app.deliver_webhooks_due().await.unwrap(), 0, "refused: given up");
    for bad in [
        "ftp://example.com/",
        "https://user:pw@example.com/",
        "https://exa\u{7}mple.com/",
        "/relative",
    ] {
        assert!(app.add_webhook(&Actor::Cli, bad, "").await.is_err(), "{bad}");
    }
    assert!(app
        .add_webhook(&Actor::Cli, "https://example.com/", "no.such")
        .await
        .is_err());
}

/// Two instances (a store each, as two processes) drain one database: each
/// event reaches the endpoint exactly once.
async fn two_instances_deliver_once(stores: [DieselStore; 2]) {
    let receiver = Receiver::start().await;
    let clock = clock();
    let [a, b] = stores;
    // One server secret, as the instances of one deployment share.
    let shared = settings(true);
    let first = registrar(a, clock.clone(), shared.clone());
    let second = registrar(b, clock.clone(), shared);
    first.add_webhook(&Actor::Cli, &receiver.url, "").await.unwrap();
    let mut ids = Vec::new();
    for _ in 0..30 {
        ids.push(record(&first, AuditKind::SignedIn).await.message_id());
    }
    let drain = |app: Registrar<DieselStore, MemoryMailer>| async move {
        let mut idle = 0;
        while idle < 3 {
            if app.deliver_webhooks_due().await.unwrap() == 0 {
                idle += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            } else {
                idle = 0;
            }
        }
    };
    tokio::join!(drain(first), drain(second));
    let mut got: Vec<String> = receiver
        .received()
        .iter()
        .map(|r| r.headers["webhook-id"].clone())
        .collect();
    got.sort();
    ids.sort();
    assert_eq!(got, ids, "each event once");
}

mod memory {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn events_are_delivered_signed() {
        delivered_signed(MemoryStore::new()).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_failed_delivery_is_retried_later() {
        retried_then_delivered(MemoryStore::new()).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn an_endpoint_failing_too_long_is_disabled() {
        disabled_after_failing(MemoryStore::new()).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn private_addresses_are_refused_by_default() {
        private_refused(MemoryStore::new()).await;
    }
}

mod sqlite {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn events_are_delivered_signed() {
        let (store, _dir) = sqlite().await;
        delivered_signed(store).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_failed_delivery_is_retried_later() {
        let (store, _dir) = sqlite().await;
        retried_then_delivered(store).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn an_endpoint_failing_too_long_is_disabled() {
        let (store, _dir) = sqlite().await;
        disabled_after_failing(store).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn two_instances_deliver_each_event_once() {
        let (store, dir) = sqlite().await;
        let other = DieselStore::connect(&db(format!("sqlite://{}", dir.path().join("r.db").display())))
            .await
            .unwrap();
        two_instances_deliver_once([store, other]).await;
    }
}

mod postgres {
    use super::*;
    use registrar_diesel::testing::PgDatabase;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn two_instances_deliver_each_event_once() {
        let Some(database) = PgDatabase::create_migrated().await else {
            return;
        };
        let a = DieselStore::connect(&db(database.url.clone())).await.unwrap();
        let b = DieselStore::connect(&db(database.url.clone())).await.unwrap();
        two_instances_deliver_once([a, b]).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn events_are_delivered_signed() {
        let Some(database) = PgDatabase::create_migrated().await else {
            return;
        };
        let store = DieselStore::connect(&db(database.url.clone())).await.unwrap();
        delivered_signed(store).await;
    }
}
