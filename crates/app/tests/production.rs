//! Postgres in production: several `registrar serve` processes on one
//! database, and a database that goes away and comes back.
//! Skipped loudly without Postgres, failed when `CI` is set.
#![allow(clippy::pedantic, clippy::restriction)] // test code

#[path = "shared/serve.rs"]
mod serving;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::Child;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use registrar::config::Config;
use registrar_diesel::testing::PgDatabase;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::task::JoinHandle;

use serving::{listening_address, serve};

const PASSWORD: &str = "Correct-Horse-42";

/// A `registrar serve` process; killed when dropped.
struct Instance {
    child: Child,
    url: String,
}

impl Instance {
    fn start(database_url: &str, dir: &std::path::Path) -> Self {
        let mut child = serve(dir)
            .env("REGISTRAR__DATABASE__URL", database_url)
            // Instances on one database share the server secret through configuration.
            .env("REGISTRAR__SECURITY__SECRET_KEY", SHARED_SECRET)
            .env("REGISTRAR__HTTP__WORKERS", "1")
            .env("REGISTRAR__PASSWORD__ARGON2_MEMORY_KIB", "1024")
            .env("REGISTRAR__PASSWORD__ARGON2_ITERATIONS", "1")
            .spawn()
            .expect("spawn registrar serve");
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
        Self {
            child,
            url: format!("http://{address}"),
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn post(http: &reqwest::Client, url: String, body: Value) -> (StatusCode, Value) {
    let response = http.post(url).json(&body).send().await.expect("request");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn me(http: &reqwest::Client, base: &str, token: &Value) -> StatusCode {
    http.get(format!("{base}/api/me"))
        .bearer_auth(token.as_str().expect("token"))
        .send()
        .await
        .expect("request")
        .status()
}

const SHARED_SECRET: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn config_for(url: &str) -> Config {
    let mut config = Config::default();
    config.security.secret_key = Some(SHARED_SECRET.to_owned().into());
    config.database.url = url.to_owned();
    config.password.argon2_memory_kib = 1024;
    config.password.argon2_iterations = 1;
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_database_share_sessions_logouts_and_password_changes() {
    let Some(database) = PgDatabase::create().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    // Both start (and migrate) at once.
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| Instance::start(&database.url, dir.path()));
        let b = s.spawn(|| Instance::start(&database.url, dir.path()));
        (a.join().expect("a"), b.join().expect("b"))
    });
    let service = registrar::wiring::service(&config_for(&database.url))
        .await
        .expect("service");
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
    let http = reqwest::Client::new();
    let email = "shared@example.com";
    let login = |device: &str| {
        json!({"grant_type": "password", "client_id": client, "device_id": device, "device_name": device,
               "username": email, "password": PASSWORD})
    };

    let (status, registered) = post(
        &http,
        format!("{}/api/register", a.url),
        json!({
            "client_id": client, "device_id": "phone", "device_name": "Phone", "username": email, "password": PASSWORD,
            "firstname": "Ann", "lastname": "Smith", "telephone": "+32 475 00 00 00", "policies": policies,
        }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{registered}");
    assert_eq!(
        me(&http, &b.url, &registered["access_token"]).await,
        StatusCode::OK,
        "a session made on A works on B"
    );

    // Refresh on B: A sees the rotation at once.
    let (status, rotated) = post(
        &http,
        format!("{}/api/token", b.url),
        json!({"grant_type": "refresh_token", "refresh_token": registered["refresh_token"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        me(&http, &a.url, &registered["access_token"]).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(me(&http, &a.url, &rotated["access_token"]).await, StatusCode::OK);

    // Logout on A: B sees it at once.
    let (_, laptop) = post(&http, format!("{}/api/token", b.url), login("laptop")).await;
    let response = http
        .post(format!("{}/api/logout", a.url))
        .bearer_auth(laptop["access_token"].as_str().expect("t"))
        .send()
        .await
        .expect("r");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        me(&http, &b.url, &laptop["access_token"]).await,
        StatusCode::UNAUTHORIZED
    );

    // Password change on B: A refuses the other sessions at once.
    let (status, fresh) = post(&http, format!("{}/api/change-password", b.url), {
        let mut body = login("tablet");
        body["new_password"] = json!("Another-Secret-77");
        body
    })
    .await;
    assert_eq!(status, StatusCode::OK, "{fresh}");
    assert_eq!(
        me(&http, &a.url, &rotated["access_token"]).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(me(&http, &a.url, &fresh["access_token"]).await, StatusCode::OK);
    drop((a, b));
}

/// A TCP proxy in front of Postgres that can be taken down and brought back
/// on the same port, cutting every connection through it.
struct Proxy {
    port: u16,
    target: String,
    accept: Mutex<Option<JoinHandle<()>>>,
    connections: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(target: String) -> Arc<Self> {
        let port = TcpListener::bind("127.0.0.1:0")
            .expect("free port")
            .local_addr()
            .expect("addr")
            .port();
        let proxy = Arc::new(Self {
            port,
            target,
            accept: Mutex::new(None),
            connections: Arc::default(),
        });
        proxy.up().await;
        proxy
    }

    async fn up(&self) {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port))
            .await
            .expect("rebind the proxy port");
        let target = self.target.clone();
        let connections = self.connections.clone();
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let target = target.clone();
                let task = tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                connections.lock().expect("lock").push(task);
            }
        });
        *self.accept.lock().expect("lock") = Some(accept);
    }

    fn down(&self) {
        if let Some(accept) = self.accept.lock().expect("lock").take() {
            accept.abort();
        }
        for task in self.connections.lock().expect("lock").drain(..) {
            task.abort();
        }
    }
}

/// `postgres://user@host:port/db` → the `host:port` part, and the URL with it replaced.
fn through(url: &str, proxy_port: u16) -> (String, String) {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let (user_info, rest) = rest.rsplit_once('@').map_or(("", rest), |(u, r)| (u, r));
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (host_port, tail) = rest.split_at(end);
    let target = if host_port.contains(':') {
        host_port.to_owned()
    } else {
        format!("{host_port}:5432")
    };
    let at = if user_info.is_empty() {
        String::new()
    } else {
        format!("{user_info}@")
    };
    (target, format!("{scheme}://{at}127.0.0.1:{proxy_port}{tail}"))
}

async fn status_within(http: &reqwest::Client, url: &str, limit: Duration) -> (StatusCode, Duration) {
    let started = Instant::now();
    let response = http
        .get(url)
        .timeout(limit)
        .send()
        .await
        .expect("answered before the client's limit");
    (response.status(), started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_follows_the_database_and_requests_fail_cleanly_while_it_is_gone() {
    let Some(database) = PgDatabase::create().await else {
        return;
    };
    let placeholder = TcpListener::bind("127.0.0.1:0").expect("bind");
    let (target, _) = through(&database.url, placeholder.local_addr().expect("addr").port());
    drop(placeholder);
    let proxy = Proxy::start(target).await;
    let (_, proxied_url) = through(&database.url, proxy.port);

    let dir = tempfile::tempdir().expect("dir");
    let mut config = config_for(&proxied_url);
    config.database.connect_timeout = 2;
    config.mail.outbox_dir = dir.path().join("outbox");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let server = registrar::start(&config, listener).await.expect("starts");
    let handle = server.handle();
    tokio::spawn(server);
    let http = reqwest::Client::new();
    let ready = format!("{base}/readyz");
    let limit = Duration::from_secs(10);

    assert_eq!(status_within(&http, &ready, limit).await.0, StatusCode::OK);

    proxy.down();
    let (status, took) = status_within(&http, &ready, limit).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(took < Duration::from_secs(5), "readyz answered after {took:?}");
    assert_eq!(
        status_within(&http, &format!("{base}/healthz"), limit).await.0,
        StatusCode::OK,
        "alive all the same"
    );
    let started = Instant::now();
    let response = http
        .post(format!("{base}/api/token"))
        .json(
            &json!({"grant_type": "password", "client_id": "web", "device_id": "d", "device_name": "d",
                      "username": "a@example.com", "password": PASSWORD}),
        )
        .timeout(limit)
        .send()
        .await
        .expect("answered");
    let status = response.status();
    let body: Value = response.json().await.expect("JSON in the core shape");
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["success"], false);
    assert_eq!(body["error"], "server_error");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "no hang past the configured timeout"
    );

    proxy.up().await;
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if status_within(&http, &ready, limit).await.0 == StatusCode::OK {
            break;
        }
        assert!(Instant::now() < deadline, "readyz never recovered");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (status, _) = post(
        &http,
        format!("{base}/api/token"),
        json!({"grant_type": "password", "client_id": "web", "device_id": "d", "device_name": "d",
               "username": "a@example.com", "password": PASSWORD}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "the database answers again: an ordinary invalid_grant"
    );
    drop(handle.stop(false));
    proxy.down();
}
