use std::net::TcpListener;
use std::path::PathBuf;

use registrar::config::Config;
use registrar::wiring;
use registrar_diesel::testing::PgDatabase;
use registrar_domain::{Actor, AdminScopes, Language, PolicyText};
use registrar_smtp::testing::SmtpSink;
use registrar_store::NewPolicyRevision;
use reqwest::{RequestBuilder, Response, StatusCode};
use serde_json::{json, Value};

pub const PASSWORD: &str = "Correct-Horse-42";

/// Which database a test runs on. Every end-to-end test runs on both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Whether the backend can be used here: Postgres may be missing (then the
    /// test is skipped loudly — or fails when `CI` is set).
    pub async fn available(self) -> bool {
        static POSTGRES: tokio::sync::OnceCell<bool> = tokio::sync::OnceCell::const_new();
        match self {
            Backend::Sqlite => true,
            Backend::Postgres => {
                *POSTGRES
                    .get_or_init(|| async { PgDatabase::create().await.is_some() })
                    .await
            }
        }
    }
}

/// Generates `sqlite::NAME` and `postgres::NAME` tests from `async fn NAME(backend: Backend)`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    if $crate::helpers::Backend::Postgres.available().await {
                        super::$name($crate::helpers::Backend::Postgres).await
                    }
                }
            )*
        }
    };
}

pub struct TestApp {
    pub address: String,
    pub http: reqwest::Client,
    pub client_id: String,
    /// Current revisions of the required types (tac, privacy).
    pub policies: Vec<i32>,
    pub outbox: PathBuf,
    /// The server secret's file (shared with [`TestApp::another_instance`]).
    pub secret_file: PathBuf,
    /// The database the server uses, for a second process of the test's own.
    pub database_url: String,
    pub service: wiring::Service,
    server: registrar_http::ServerHandle,
    _dir: tempfile::TempDir,
    /// Dropped after the server: the test's own Postgres database.
    _database: Option<PgDatabase>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        drop(self.server.stop(false));
    }
}

/// Mail retried and the outbox polled every second.
pub fn fast_outbox(c: &mut Config) {
    c.mail.retry_base = 1;
    c.mail.poll_interval = 1;
}

/// Mail over SMTP to a sink on 127.0.0.1:`port`, retried and polled every second.
pub fn smtp_to(port: u16) -> impl FnOnce(&mut registrar::Config) {
    move |c| {
        c.mail.transport = registrar::config::MailTransport::Smtp;
        c.mail.smtp.host = Some("127.0.0.1".into());
        c.mail.smtp.port = port;
        c.mail.smtp.tls = registrar_smtp::Tls::None;
        c.mail.smtp.timeout = 2;
        fast_outbox(c);
    }
}

pub fn test_config(dir: &std::path::Path) -> Config {
    let mut config = Config::default();
    config.database.url = format!("sqlite://{}", dir.join("registrar.db").display());
    config.mail.outbox_dir = dir.join("outbox");
    // Tests that count an address's mails would see "new sign-in" notices
    // after a sign-in on a second device; new_device.rs turns them on.
    config.audit.new_device_mail = false;
    // Beside the SQLite database by default; here also on Postgres (not the working directory).
    config.security.secret_key_file = Some(dir.join("registrar.secret"));
    // Cheap hashing keeps the suite fast; the parameters' effect is tested in the service.
    config.password.argon2_memory_kib = 1024;
    config.password.argon2_iterations = 1;
    config.http.workers = 2;
    // No public DNS here: tests that check domains bring their own server.
    config.email.check_domain = false;
    config
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

pub async fn spawn_app_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> TestApp {
    spawn_app_on(backend, adjust, TcpListener::bind("127.0.0.1:0").expect("bind port 0")).await
}

/// An app whose `http.public_url` is its own address, as a deployment's is:
/// what a stock OpenID relying party needs, which fetches the issuer's
/// discovery document from the issuer itself.
pub async fn spawn_app_at_its_public_url(backend: Backend) -> TestApp {
    spawn_app_at_its_public_url_with(backend, |_| {}).await
}

/// As [`spawn_app_at_its_public_url`], its configuration changed by `adjust` too.
pub async fn spawn_app_at_its_public_url_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> TestApp {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    let port = listener.local_addr().expect("local addr").port();
    spawn_app_on(
        backend,
        |c| {
            c.http.public_url = format!("http://127.0.0.1:{port}");
            adjust(c);
        },
        listener,
    )
    .await
}

async fn spawn_app_on(backend: Backend, adjust: impl FnOnce(&mut Config), listener: TcpListener) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = test_config(dir.path());
    let database = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => {
            let database = PgDatabase::create_migrated()
                .await
                .expect("Postgres was available a moment ago");
            config.database.url = database.url.clone();
            Some(database)
        }
    };
    adjust(&mut config);
    let (address, server) = serve_on(&config, listener).await;
    let service = wiring::service(&config).await.expect("service");
    let client = service.add_client("Test app").await.expect("client");
    let mut policies = Vec::new();
    for (t, title) in [("tac", "Terms and conditions"), ("privacy", "Privacy policy")] {
        let r = service.publish_policy(policy(t, "1.0", title)).await.expect("publish");
        policies.push(r.id.0);
    }
    TestApp {
        address,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        client_id: client.id.to_string(),
        policies,
        outbox: config.mail.outbox_dir.clone(),
        secret_file: config.security.secret_key_file.clone().expect("set by test_config"),
        database_url: config.database.url.clone(),
        service,
        server,
        _dir: dir,
        _database: database,
    }
}

/// Validates `config` and serves it on a free port of 127.0.0.1: the base
/// address and the server's handle.
async fn serve(config: &Config) -> (String, registrar_http::ServerHandle) {
    serve_on(config, TcpListener::bind("127.0.0.1:0").expect("bind port 0")).await
}

/// As [`serve`], on `listener`.
async fn serve_on(config: &Config, listener: TcpListener) -> (String, registrar_http::ServerHandle) {
    config.validate().expect("test configuration is valid");
    let port = listener.local_addr().expect("local addr").port();
    let server = registrar::start(config, listener).await.expect("server starts");
    let handle = server.handle();
    tokio::spawn(server);
    (format!("http://127.0.0.1:{port}"), handle)
}

pub fn policy(t: &str, version: &str, title: &str) -> NewPolicyRevision {
    let mut revision = crate::policies_shared::english_revision(t, version, title);
    revision.texts.insert(
        Language::NL,
        PolicyText {
            title: format!("{title} (nl)"),
            description: "Lees dit".into(),
            button: "Akkoord".into(),
            html: "<h1>nl</h1>".into(),
        },
    );
    revision
}

impl TestApp {
    /// A second server on this app's database, as another instance of one
    /// deployment: same clients and policies, its own port and outbox.
    pub async fn another_instance(&self, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = test_config(dir.path());
        config.database.url = self.database_url.clone();
        // One deployment shares one server secret.
        config.security.secret_key_file = Some(self.secret_file.clone());
        adjust(&mut config);
        let (address, server) = serve(&config).await;
        TestApp {
            address,
            http: self.http.clone(),
            client_id: self.client_id.clone(),
            policies: self.policies.clone(),
            outbox: config.mail.outbox_dir.clone(),
            secret_file: config.security.secret_key_file.clone().expect("set by test_config"),
            database_url: config.database.url.clone(),
            service: wiring::service(&config).await.expect("service"),
            server,
            _dir: dir,
            _database: None,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.http.post(self.url(path))
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.http.get(self.url(path))
    }

    /// `POST path` with a JSON body, sent; a request that cannot be sent fails the test.
    pub async fn post_json(&self, path: &str, body: &(impl serde::Serialize + ?Sized)) -> Response {
        send(self.post(path).json(body)).await
    }

    /// A complete, valid core registration body.
    pub fn registration(&self, email: &str) -> Value {
        json!({
            "client_id": self.client_id,
            "device_name": "Simon's iPhone",
            "device_id": "device-1",
            "username": email,
            "password": PASSWORD,
            "firstname": "Simon",
            "lastname": "Peters",
            "telephone": "+32 475 00 00 00",
            "policies": self.policies,
        })
    }

    /// `POST path` with a JSON body: the status and the `error` field of the answer.
    /// `POST path` with a JSON body: the status and the JSON answer.
    pub async fn post_parts(&self, path: &str, body: &(impl serde::Serialize + ?Sized)) -> (StatusCode, Value) {
        parts(self.post_json(path, body).await).await
    }

    pub async fn post_error(&self, path: &str, body: &(impl serde::Serialize + ?Sized)) -> (StatusCode, Value) {
        error_of(self.post_json(path, body).await).await
    }

    /// `POST /signup` of `email`, in English.
    pub async fn signup(&self, email: &str) -> Response {
        self.post_json("/signup", &json!({"email": email, "language": "en"}))
            .await
    }

    /// `POST /api/forgot-password` for `email`.
    pub async fn forgot_password(&self, email: &str) -> Response {
        self.post_json("/api/forgot-password", &json!({"username": email}))
            .await
    }

    /// `POST /api/reset-password` with the mailed `token` and a new `password`.
    pub async fn reset_password(&self, token: &str, password: &str) -> Response {
        self.post_json("/api/reset-password", &json!({"token": token, "password": password}))
            .await
    }

    pub async fn register(&self, email: &str) -> Value {
        let response = self
            .post("/api/register")
            .json(&self.registration(email))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::OK, "registration of {email} failed");
        response.json().await.expect("json")
    }

    /// Registers `email` and waits for its confirmation mail: the token pair
    /// and the mail.
    pub async fn register_and_read_mail(&self, email: &str) -> (Value, String) {
        let pair = self.register(email).await;
        let mail = self.wait_for_mails(email, 1).await.remove(0);
        (pair, mail)
    }

    /// Registers `email`: the code of its confirmation mail.
    pub async fn register_for_code(&self, email: &str) -> String {
        let (_, mail) = self.register_and_read_mail(email).await;
        six_digit_code(&mail).expect("a code in the confirmation mail")
    }

    /// The token of the reset link in the second mail to `email` (the first
    /// is its confirmation).
    pub async fn reset_token(&self, email: &str) -> String {
        let mail = self.wait_for_mails(email, 2).await.remove(1);
        token_of_link(&link_in(&mail, "/reset-password/").expect("a reset link"))
    }

    /// Waits for `count` mails to `email`: the newest, which must offer a
    /// reset link (`what` the mail is, for the failure).
    pub async fn newest_mail_with_a_reset_link(&self, email: &str, count: usize, what: &str) -> String {
        let mail = self.wait_for_mails(email, count).await.pop().expect("a mail");
        assert!(link_in(&mail, "/reset-password/").is_some(), "{what}: {mail}");
        mail
    }

    /// A new account on two devices: its address, and the token pairs of its
    /// registration (device-1) and of a login from the laptop.
    pub async fn on_two_devices(&self) -> (String, Value, Value) {
        let email = unique_email();
        let registered = self.register(&email).await;
        let (_, laptop) = parts(self.login(&email, PASSWORD, "laptop").await).await;
        (email, registered, laptop)
    }

    pub async fn login(&self, email: &str, password: &str, device: &str) -> Response {
        self.post_json(
            "/api/token",
            &json!({
                "grant_type": "password",
                "client_id": self.client_id,
                "device_name": device,
                "device_id": device,
                "username": email,
                "password": password,
            }),
        )
        .await
    }

    /// A new signup token good for `uses` registrations.
    pub async fn invite(&self, uses: u32) -> String {
        self.service
            .create_invite(Some("test".into()), uses)
            .await
            .expect("invite")
            .expose()
            .to_owned()
    }

    pub async fn me(&self, access_token: &str) -> Response {
        self.get("/api/me")
            .bearer_auth(access_token)
            .send()
            .await
            .expect("request")
    }

    /// The status of `GET /api/me` with the access token of a token `pair`.
    pub async fn me_status(&self, pair: &Value) -> StatusCode {
        self.me(access_token(pair)).await.status()
    }

    /// Mails in the outbox to `email`, as raw `.eml` text.
    pub fn mails_to(&self, email: &str) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(&self.outbox) else {
            return Vec::new();
        };
        entries
            .filter_map(|e| e.ok())
            .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .filter(|m| {
                m.lines()
                    .any(|l| l.to_lowercase().starts_with("to:") && l.to_lowercase().contains(&email.to_lowercase()))
            })
            .collect()
    }
}

impl TestApp {
    /// Waits (up to 10 s) until `count` mails to `email` are in the outbox; returns them, newest last.
    pub async fn wait_for_mails(&self, email: &str, count: usize) -> Vec<String> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let mut mails = self.mails_with_times(email);
            if mails.len() >= count {
                mails.sort_by_key(|(t, _)| *t);
                return mails.into_iter().map(|(_, m)| m).collect();
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{count} mail(s) to {email} never arrived"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    fn mails_with_times(&self, email: &str) -> Vec<(std::time::SystemTime, String)> {
        let Ok(entries) = std::fs::read_dir(&self.outbox) else {
            return Vec::new();
        };
        entries
            .filter_map(|e| e.ok())
            .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
            .filter_map(|e| {
                let modified = e.metadata().ok()?.modified().ok()?;
                Some((modified, std::fs::read_to_string(e.path()).ok()?))
            })
            .filter(|(_, m)| {
                m.lines()
                    .any(|l| l.to_lowercase().starts_with("to:") && l.to_lowercase().contains(&email.to_lowercase()))
            })
            .collect()
    }
}

/// Waits (up to 20 s) until `count` mails to `recipient` reached the SMTP
/// `sink`; returns every mail it received for them, in the order received.
pub async fn smtp_mails_to(sink: &SmtpSink, recipient: &str, count: usize) -> Vec<String> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let got: Vec<String> = sink
            .received()
            .into_iter()
            .filter(|r| {
                r.rcpt_to
                    .iter()
                    .any(|t| t.to_lowercase().contains(&recipient.to_lowercase()))
            })
            .map(|r| r.data)
            .collect();
        if got.len() >= count {
            return got;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{count} mail(s) to {recipient} never reached the SMTP server"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Runs `sql`, statements that change rows, on the database at
/// `database_url` (the test's own), as an operator at a SQL prompt would:
/// for what no request can do, such as moving a stored instant into the
/// past. Returns how many rows changed.
pub fn execute_sql(database_url: &str, sql: &str) -> usize {
    use diesel::connection::SimpleConnection;
    use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};
    if let Some(path) = database_url.strip_prefix("sqlite://") {
        let mut c = SqliteConnection::establish(path).expect("open the SQLite database");
        c.batch_execute("PRAGMA busy_timeout = 5000").expect("busy timeout");
        diesel::sql_query(sql).execute(&mut c).expect("the statement runs")
    } else {
        let mut c = PgConnection::establish(database_url).expect("open the Postgres database");
        diesel::sql_query(sql).execute(&mut c).expect("the statement runs")
    }
}

/// The first absolute link under `path` (`/confirm/`, `/reset-password/`) in a mail; the token is what follows.
pub fn link_in(mail: &str, path: &str) -> Option<String> {
    let start = mail.find(&format!("http://127.0.0.1:8080{path}"))?;
    let link: String = mail[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '"' && *c != '<')
        .collect();
    Some(link)
}

pub fn token_of_link(link: &str) -> String {
    link.rsplit('/').next().unwrap_or_default().to_owned()
}

/// Sends a request; a request that cannot be sent fails the test.
/// A new admin API key named `name` with `scopes` (`users:read,…`), made
/// as the CLI makes one.
pub async fn admin_key(app: &TestApp, name: &str, scopes: &str) -> String {
    let (_, key) = app
        .service
        .create_admin_key(&Actor::Cli, name, AdminScopes::parse(scopes).expect("scopes"))
        .await
        .expect("a key");
    key.expose().to_owned()
}

pub async fn send(request: RequestBuilder) -> Response {
    request.send().await.expect("request")
}

/// Status, `Retry-After` (if any) and JSON body of a response.
pub async fn answer(response: Response) -> (StatusCode, Option<u64>, Value) {
    let retry = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let (status, body) = parts(response).await;
    (status, retry, body)
}

/// The status and JSON body of a response.
pub async fn parts(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
    (status, body)
}

/// An answer of the users API's shape: a status and `{"message": text}`.
pub fn message(status: StatusCode, text: &str) -> (StatusCode, Value) {
    (status, json!({ "message": text }))
}

/// The status and the `error` field of a JSON answer.
/// An answer of `expected` status whose `error` is `code`.
pub fn assert_error(status: StatusCode, body: &Value, expected: StatusCode, code: &str) {
    assert_eq!((status, body["error"].as_str()), (expected, Some(code)), "{body}");
}

pub async fn error_of(response: Response) -> (StatusCode, Value) {
    let (status, body) = parts(response).await;
    (status, body["error"].clone())
}

pub fn unique_email() -> String {
    format!("user-{}@example.com", uuid::Uuid::new_v4().simple())
}

/// The first six digits standing alone as a word (what `\b\d{6}\b` finds):
/// digit runs inside hex tokens or ids are not words.
pub fn six_digit_code(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(5)).find_map(|i| {
        let window = &bytes[i..i + 6];
        let before = i.checked_sub(1).map(|j| bytes[j]);
        let after = bytes.get(i + 6).copied();
        let word = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
        let isolated = !word(before) && !word(after);
        (window.iter().all(u8::is_ascii_digit) && isolated).then(|| String::from_utf8_lossy(window).into_owned())
    })
}

/// A six-digit code that is not `right`.
pub fn wrong_code(right: &str) -> &'static str {
    if right == "111111" {
        "222222"
    } else {
        "111111"
    }
}

/// The access token of a token `pair`.
pub fn access_token(pair: &Value) -> &str {
    pair["access_token"].as_str().expect("an access token")
}

pub fn is_token(v: &Value) -> bool {
    v.as_str().is_some_and(|s| {
        (64..=256).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}
