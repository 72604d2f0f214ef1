//! Webhooks against a real HTTP receiver started by the test: every
//! request's signature is checked with the Standard Webhooks algorithm,
//! written here independently of the server's (HMAC-SHA256 of
//! `id.timestamp.body` under the base64 secret after `whsec_`).
#![allow(clippy::pedantic, clippy::restriction)] // test code

#[path = "shared/receiver.rs"]
mod receiver;
#[path = "shared/serve.rs"]
mod serving;

use std::sync::Arc;
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
use tokio::net::TcpListener;

use receiver::{verify_with_library, Received, Receiver};

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
    let (down, down_secret) = app.add_webhook(&Actor::Cli, &url, "user.deleted").await.unwrap();
    let deleted = record(&app, AuditKind::Deleted).await;
    assert_eq!(app.deliver_webhooks_due().await.unwrap(), 1);
    let endpoint = |app: &Registrar<S, MemoryMailer>| {
        let down = down.clone();
        let app = app.clone();
        async move {
            app.list_webhooks()
                .await
                .unwrap()
                .into_iter()
                .find(|e| e.id == down)
                .unwrap()
        }
    };
    assert!(endpoint(&app).await.failing_since.is_some());
    // Up again on the same address: delivered at the next try.
    let address = url.trim_start_matches("http://").trim_end_matches('/');
    let up = Receiver::serve(TcpListener::bind(address).await.unwrap(), url.clone());
    assert_eq!(
        app.deliver_webhooks_due().await.unwrap(),
        0,
        "not due before its backoff"
    );
    clock.advance(chrono::Duration::seconds(40));
    assert_eq!(app.deliver_webhooks_due().await.unwrap(), 1);
    let got = up.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].headers["webhook-id"], deleted.message_id());
    verify(&down_secret, &got[0]).unwrap();
    assert_eq!(endpoint(&app).await.failing_since, None, "no longer failing");
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

/// The real `registrar serve` binary: a crash between the commit and the
/// delivery, two instances on one database, private addresses refused by
/// default, and what `/metrics` says of it all.
mod binary {
    use std::io::{BufRead, BufReader};
    use std::process::{Child, Command};
    use std::time::Instant;

    use registrar::config::Config;
    use registrar_diesel::testing::PgDatabase;
    use reqwest::StatusCode;
    use serde_json::json;

    use super::serving::{listening_address, serve};
    use super::*;

    const PASSWORD: &str = "Correct-Horse-42";
    /// Instances of one deployment share the server secret.
    const SHARED_SECRET: &str = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

    /// Where the instances keep their data: a SQLite file or a Postgres database.
    struct Deployment {
        dir: tempfile::TempDir,
        url: String,
        allow_private: bool,
        _database: Option<PgDatabase>,
    }

    impl Deployment {
        async fn new(postgres: bool, allow_private: bool) -> Option<Self> {
            let dir = tempfile::tempdir().expect("dir");
            let (url, database) = if postgres {
                let database = PgDatabase::create().await?;
                (database.url.clone(), Some(database))
            } else {
                (format!("sqlite://{}", dir.path().join("r.db").display()), None)
            };
            Some(Self {
                dir,
                url,
                allow_private,
                _database: database,
            })
        }

        fn env(&self, command: &mut Command) {
            command
                .env_remove("DATABASE_URL")
                .env_remove("REGISTRAR_CONFIG")
                .env("REGISTRAR__DATABASE__URL", &self.url)
                .env("REGISTRAR__SECURITY__SECRET_KEY", SHARED_SECRET)
                .env("REGISTRAR__WEBHOOKS__ALLOW_PRIVATE", self.allow_private.to_string())
                // A short call timeout: a short lease (twice it, plus 5 s).
                .env("REGISTRAR__WEBHOOKS__TIMEOUT", "2")
                .env("REGISTRAR__HTTP__WORKERS", "1")
                .env("REGISTRAR__PASSWORD__ARGON2_MEMORY_KIB", "1024")
                .env("REGISTRAR__PASSWORD__ARGON2_ITERATIONS", "1")
                .env("REGISTRAR__EMAIL__CHECK_DOMAIN", "false")
                .env("REGISTRAR__MAIL__OUTBOX_DIR", self.dir.path().join("outbox"));
        }

        /// `registrar serve`, listening.
        fn start(&self) -> Instance {
            let mut command = serve(self.dir.path());
            self.env(&mut command);
            let mut child = command.spawn().expect("spawn registrar serve");
            let stderr = child.stderr.take().expect("stderr");
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                let mut sent = false;
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    if !sent {
                        if let Some(address) = listening_address(&line) {
                            let _ = tx.send(address);
                            sent = true;
                        }
                    }
                }
            });
            let address = rx
                .recv_timeout(Duration::from_secs(60))
                .expect("the instance starts listening");
            Instance {
                child,
                url: format!("http://{address}"),
            }
        }

        /// `registrar ARGS`: its standard output.
        fn cli(&self, args: &[&str]) -> String {
            let mut command = Command::new(env!("CARGO_BIN_EXE_registrar"));
            command.args(args).current_dir(self.dir.path());
            self.env(&mut command);
            command.env("REGISTRAR__LOG__LEVEL", "warn");
            let output = command.output().expect("run registrar");
            assert!(
                output.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            String::from_utf8(output.stdout).expect("UTF-8")
        }

        /// `registrar webhook add`: the endpoint's id and secret.
        fn add_webhook(&self, url: &str, events: &str) -> (String, String) {
            let out = self.cli(&["webhook", "add", "--url", url, "--events", events]);
            let mut lines = out.lines();
            let id = lines.next().expect("the id").to_owned();
            let secret = lines.next().expect("the secret").to_owned();
            (id, secret)
        }

        /// A client and the required policies, as an operator sets them up.
        async fn client_and_policies(&self) -> (String, Vec<i32>) {
            let mut config = Config::default();
            config.security.secret_key = Some(SHARED_SECRET.to_owned().into());
            config.database.url = self.url.clone();
            config.mail.outbox_dir = self.dir.path().join("outbox");
            let service = registrar::wiring::service(&config).await.expect("service");
            let client = service.add_client("Shop").await.expect("client").id.to_string();
            let mut policies = Vec::new();
            for t in ["tac", "privacy"] {
                let mut texts = std::collections::BTreeMap::new();
                texts.insert(
                    registrar_domain::Language::EN,
                    registrar_domain::PolicyText {
                        title: t.into(),
                        description: String::new(),
                        button: "OK".into(),
                        html: String::new(),
                    },
                );
                let revision = registrar_store::NewPolicyRevision {
                    policy_type: registrar_domain::PolicyType::parse(t).expect("type"),
                    version: "1".into(),
                    published_at: chrono::Utc::now(),
                    texts,
                };
                policies.push(service.publish_policy(revision).await.expect("publish").id.0);
            }
            (client, policies)
        }
    }

    /// A `registrar serve` process; killed when dropped.
    struct Instance {
        child: Child,
        url: String,
    }

    impl Instance {
        /// `kill -9`.
        fn kill(mut self) {
            self.child.kill().expect("SIGKILL");
            self.child.wait().expect("reaped");
        }

        async fn register(&self, http: &reqwest::Client, client: &str, policies: &[i32], email: &str) {
            let response = http
                .post(format!("{}/api/register", self.url))
                .json(&json!({
                    "client_id": client, "device_id": "phone", "device_name": "Phone", "username": email,
                    "password": PASSWORD, "firstname": "Ann", "lastname": "Smith",
                    "telephone": "+32 475 00 00 00", "policies": policies,
                }))
                .send()
                .await
                .expect("request");
            assert_eq!(response.status(), StatusCode::OK);
        }

        /// `/metrics`: the value of the series `name{labels}` (0 when absent).
        async fn metric(&self, http: &reqwest::Client, series: &str) -> f64 {
            let text = http
                .get(format!("{}/metrics", self.url))
                .send()
                .await
                .expect("metrics")
                .text()
                .await
                .expect("text");
            text.lines()
                .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.trim().parse().ok())
                .unwrap_or(0.0)
        }

        /// Polls `/metrics` until `series` is `value`.
        async fn wait_for_metric(&self, http: &reqwest::Client, series: &str, value: f64) {
            let deadline = Instant::now() + Duration::from_secs(20);
            loop {
                let now = self.metric(http, series).await;
                if now == value {
                    return;
                }
                assert!(Instant::now() < deadline, "{series} is {now}, not {value}");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }

    impl Drop for Instance {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    fn email() -> String {
        format!("{}@example.com", uuid::Uuid::new_v4().simple())
    }

    fn registered_about(got: &[Received], email: &str) -> usize {
        got.iter()
            .filter(|r| r.json()["type"] == "user.registered" && r.json()["data"]["email"] == email)
            .count()
    }

    /// The event is committed and its delivery claimed (the receiver holds
    /// the request, never answering) when the instance is killed: the
    /// restarted instance delivers it once the lease is over, with the same
    /// `webhook-id`. Then `/metrics` counts it, and a failing receiver.
    async fn killed_between_commit_and_delivery(postgres: bool) {
        let Some(deployment) = Deployment::new(postgres, true).await else {
            return;
        };
        let receiver = Receiver::start().await;
        receiver.hold_next();
        let http = reqwest::Client::new();
        let first = deployment.start();
        let (client, policies) = deployment.client_and_policies().await;
        let (endpoint, secret) = deployment.add_webhook(&receiver.url, "user.registered");
        let address = email();
        first.register(&http, &client, &policies, &address).await;
        let held = receiver
            .wait_until(Duration::from_secs(20), |got| !got.is_empty())
            .await;
        first.kill();
        assert_eq!(held.len(), 1);
        let killed_at = Instant::now();

        let restarted = deployment.start();
        let got = receiver.wait_until(Duration::from_secs(30), |got| got.len() >= 2).await;
        assert!(
            killed_at.elapsed() < Duration::from_secs(20),
            "sent again soon after the lease"
        );
        assert_eq!(
            got[1].headers["webhook-id"], held[0].headers["webhook-id"],
            "the same message"
        );
        assert_eq!(got[1].body, held[0].body);
        verify_with_library(&secret, &got[1]);
        verify(&secret, &got[1]).unwrap();
        assert_eq!(registered_about(&got, &address), 2);

        // What the restarted instance says: one delivered, nothing waiting.
        let delivered = r#"registrar_webhook_deliveries_total{outcome="delivered"}"#;
        let backlog = format!(r#"registrar_webhook_backlog{{endpoint="{endpoint}"}}"#);
        let oldest = format!(r#"registrar_webhook_oldest_pending_age_seconds{{endpoint="{endpoint}"}}"#);
        restarted.wait_for_metric(&http, delivered, 1.0).await;
        restarted.wait_for_metric(&http, &backlog, 0.0).await;
        assert_eq!(restarted.metric(&http, &oldest).await, 0.0);
        // The receiver fails: counted as failed, waiting for its retry.
        receiver.answer(500);
        restarted.register(&http, &client, &policies, &email()).await;
        restarted
            .wait_for_metric(&http, r#"registrar_webhook_deliveries_total{outcome="failed"}"#, 1.0)
            .await;
        restarted.wait_for_metric(&http, &backlog, 1.0).await;
        let deadline = Instant::now() + Duration::from_secs(10);
        while restarted.metric(&http, &oldest).await < 1.0 {
            assert!(Instant::now() < deadline, "the oldest pending delivery ages");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert_eq!(restarted.metric(&http, delivered).await, 1.0);
        assert_eq!(receiver.received().len(), 3);
    }

    /// Two instances on one database, registrations spread over both: each
    /// event reaches the endpoint once.
    async fn two_instances_deliver_each_event_once(postgres: bool) {
        let Some(deployment) = Deployment::new(postgres, true).await else {
            return;
        };
        let receiver = Receiver::start().await;
        let http = reqwest::Client::new();
        let a = deployment.start();
        let b = deployment.start();
        let (client, policies) = deployment.client_and_policies().await;
        let (_, secret) = deployment.add_webhook(&receiver.url, "user.registered");
        let emails: Vec<String> = (0..50).map(|_| email()).collect();
        for pair in emails.chunks(2) {
            let (client, policies) = (&client, &policies);
            tokio::join!(
                a.register(&http, client, policies, &pair[0]),
                b.register(&http, client, policies, &pair[1]),
            );
        }
        let got = receiver
            .wait_until(Duration::from_secs(40), |got| got.len() >= emails.len())
            .await;
        // Two more polls of both workers: nothing sent twice.
        tokio::time::sleep(Duration::from_secs(5)).await;
        let got_then = receiver.received();
        assert_eq!(got_then.len(), emails.len(), "each event once");
        for email in &emails {
            assert_eq!(registered_about(&got, email), 1, "{email}");
        }
        for request in &got_then {
            verify_with_library(&secret, request);
        }
    }

    /// Without `webhooks.allow_private`, an `https` endpoint on 127.0.0.1 is
    /// accepted but never connected to: its delivery is recorded as refused.
    async fn a_private_address_is_refused_by_default() {
        let deployment = Deployment::new(false, false).await.expect("SQLite");
        let receiver = Receiver::start().await;
        let port = receiver
            .url
            .split(':')
            .nth(2)
            .unwrap()
            .split('/')
            .next()
            .unwrap()
            .to_owned();
        let http = reqwest::Client::new();
        let instance = deployment.start();
        let (client, policies) = deployment.client_and_policies().await;
        // Plain http is refused as such.
        let mut command = Command::new(env!("CARGO_BIN_EXE_registrar"));
        command
            .args(["webhook", "add", "--url", &receiver.url])
            .current_dir(deployment.dir.path());
        deployment.env(&mut command);
        let refused = command.output().expect("run registrar");
        assert!(!refused.status.success());
        assert!(String::from_utf8_lossy(&refused.stderr).contains("https required"));
        let (endpoint, _) = deployment.add_webhook(&format!("https://127.0.0.1:{port}/hook"), "user.registered");
        instance.register(&http, &client, &policies, &email()).await;
        instance
            .wait_for_metric(&http, r#"registrar_webhook_deliveries_total{outcome="refused"}"#, 1.0)
            .await;
        instance
            .wait_for_metric(
                &http,
                &format!(r#"registrar_webhook_backlog{{endpoint="{endpoint}"}}"#),
                0.0,
            )
            .await;
        assert_eq!(receiver.connections(), 0, "never connected to");
        assert_eq!(
            instance
                .metric(&http, r#"registrar_webhook_deliveries_total{outcome="delivered"}"#)
                .await,
            0.0
        );
        let list = deployment.cli(&["webhook", "list"]);
        let line = list.lines().find(|l| l.starts_with(&endpoint)).expect("listed");
        assert!(!line.ends_with("\t-"), "failing since the refusal: {line}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sqlite_a_delivery_claimed_by_a_killed_instance_is_sent_by_the_restarted_one() {
        killed_between_commit_and_delivery(false).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn postgres_a_delivery_claimed_by_a_killed_instance_is_sent_by_the_restarted_one() {
        killed_between_commit_and_delivery(true).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sqlite_two_serve_processes_deliver_each_event_once() {
        two_instances_deliver_each_event_once(false).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn postgres_two_serve_processes_deliver_each_event_once() {
        two_instances_deliver_each_event_once(true).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_private_address_is_refused_by_default_by_the_server() {
        a_private_address_is_refused_by_default().await;
    }
}
