//! A person in a real browser: headless Chromium, driven over WebDriver
//! (fantoccini → Debian's chromedriver), opens the links of the mails the
//! server sent — the confirmation link, then the password-reset link; in a
//! second journey the email-first signup link — reads the pages, fills the
//! forms and submits them. JavaScript is switched off in the browser: the
//! pages must work without it.
//!
//! A third journey signs in to a third-party app through the OAuth pages
//! (password, the authenticator app's code, consent) and ends at the app's
//! redirect URI with a code; a second browser session, with JavaScript on,
//! runs axe-core on the sign-in, second-factor and consent pages.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver`
//! (`apt-get install chromium chromium-driver`): without them the test says
//! `SKIPPED` loudly and passes — unless `CI` is set, then it fails. The axe
//! checks need axe-core's `axe.min.js` (`.ci/run` puts it in
//! `target/axe-core/`; `REGISTRAR_AXE_JS` names another file): the same rule.
#![allow(clippy::pedantic, clippy::restriction)] // test code

use std::net::{TcpListener, TcpStream};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use futures_util::future::BoxFuture;
use futures_util::FutureExt;
use registrar::config::Config;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[path = "shared/authenticator.rs"]
mod authenticator;
#[path = "shared/policies.rs"]
mod policies;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const OLD_PASSWORD: &str = "Correct-Horse-42";
const NEW_PASSWORD: &str = "Paper-Lantern-58";
const SIGNUP_PASSWORD: &str = "Quiet-Harbour-31";

/// Whether the browser is here; if not, skip loudly (fail under `CI`).
fn browser_installed() -> bool {
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
        .into_iter()
        .filter(|p| !Path::new(p).exists())
        .collect();
    if missing.is_empty() {
        return true;
    }
    let why = format!(
        "{} missing; install with `apt-get install -y chromium chromium-driver`",
        missing.join(" and ")
    );
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set and the browser test cannot run: {why}"
    );
    eprintln!("\n==================== SKIPPED: browser test: {why} ====================\n");
    false
}

/// The real server on a free port, SQLite and the mail outbox in a temp dir,
/// links in mails pointing at it; one API client and the required policies.
struct Server {
    base: String,
    client_id: String,
    policies: Vec<i32>,
    outbox: PathBuf,
    http: reqwest::Client,
    service: registrar::wiring::Service,
    handle: registrar_http::ServerHandle,
    _dir: tempfile::TempDir,
}

impl Server {
    async fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind port 0");
        let base = format!("http://127.0.0.1:{}", listener.local_addr().expect("addr").port());
        let mut config = Config::default();
        config.database.url = format!("sqlite://{}", dir.path().join("registrar.db").display());
        config.mail.outbox_dir = dir.path().join("outbox");
        config.password.argon2_memory_kib = 1024;
        config.password.argon2_iterations = 1;
        config.http.workers = 2;
        config.http.public_url = base.clone();
        config.validate().expect("test configuration is valid");
        let server = registrar::start(&config, listener).await.expect("server starts");
        let handle = server.handle();
        tokio::spawn(server);
        let service = registrar::wiring::service(&config).await.expect("service");
        let client_id = service.add_client("Browser test").await.expect("client").id.to_string();
        let mut policies = Vec::new();
        for (t, title) in [("tac", "Terms and conditions"), ("privacy", "Privacy policy")] {
            let revision = policies::english_revision(t, "1.0", title);
            policies.push(service.publish_policy(revision).await.expect("publish").id.0);
        }
        Server {
            base,
            client_id,
            policies,
            outbox: config.mail.outbox_dir.clone(),
            http: reqwest::Client::new(),
            service,
            handle,
            _dir: dir,
        }
    }

    /// `GET /api/me` with the access token of a token `pair`.
    async fn me(&self, pair: &Value) -> reqwest::Response {
        self.http
            .get(format!("{}/api/me", self.base))
            .bearer_auth(pair["access_token"].as_str().expect("access token"))
            .send()
            .await
            .expect("me")
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .expect("request");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn login(&self, email: &str, password: &str) -> (StatusCode, Value) {
        let body = json!({
            "grant_type": "password", "client_id": self.client_id, "device_name": "Laptop",
            "device_id": "laptop", "username": email, "password": password,
        });
        self.post("/api/token", body).await
    }

    /// The first link under `path` in a mail to `email`, waiting up to 10 s
    /// for it (the reset mail goes through the background worker).
    async fn link_in_mail(&self, email: &str, path: &str) -> String {
        let prefix = format!("{}{path}", self.base);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let found = std::fs::read_dir(&self.outbox)
                .into_iter()
                .flatten()
                .filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                .filter(|m| {
                    m.lines()
                        .any(|l| l.to_lowercase().starts_with("to:") && l.contains(email))
                })
                .find_map(|m| {
                    let start = m.find(&prefix)?;
                    Some(
                        m[start..]
                            .chars()
                            .take_while(|c| !c.is_whitespace() && !matches!(c, '"' | '<' | '>'))
                            .collect::<String>(),
                    )
                });
            if let Some(link) = found {
                return link;
            }
            assert!(
                Instant::now() < deadline,
                "no mail to {email} with a {path} link within 10 s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

/// chromedriver on a free port; killed when dropped.
struct Chromedriver {
    child: Child,
    url: String,
    log: PathBuf,
}

impl Chromedriver {
    fn start(dir: &Path) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let log = dir.join("chromedriver.log");
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let driver = Chromedriver {
            child,
            url: format!("http://127.0.0.1:{port}"),
            log,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen within 20 s: {}",
                driver.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        driver
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// A headless Chromium session with a fresh profile, JavaScript off.
    async fn browser(&self, profile: &Path) -> Client {
        self.session(profile, false).await
    }

    /// A headless Chromium session with a fresh profile, JavaScript on or off.
    async fn session(&self, profile: &Path, javascript: bool) -> Client {
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=412,915",
        ]
        .map(String::from)
        .into_iter()
        .chain([format!("--user-data-dir={}", profile.display())])
        .collect::<Vec<_>>();
        let capabilities: serde_json::Map<String, Value> = serde_json::from_value(json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": args,
                "prefs": {
                    "intl.accept_languages": "en",
                    "profile.managed_default_content_settings.javascript": if javascript { 1 } else { 2 },
                },
            },
        }))
        .expect("an object");
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .unwrap_or_else(|e| panic!("no browser session: {e}\n{}", self.log()))
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The page's `<h1>`, once it says `expected` (a submitted form loads a new page).
async fn wait_for_heading(browser: &Client, expected: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = String::new();
    while Instant::now() < deadline {
        if let Ok(h1) = browser.find(Locator::Css("h1")).await {
            seen = h1.text().await.unwrap_or_default();
            if seen == expected {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let source = browser.source().await.unwrap_or_default();
    panic!("the heading stayed {seen:?}, not {expected:?}:\n{source}");
}

/// Waits up to 10 s for an element matching `css` (a submitted form that
/// comes back with the same heading).
async fn wait_for(browser: &Client, css: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if browser.find(Locator::Css(css)).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let source = browser.source().await.unwrap_or_default();
    panic!("no {css} within 10 s:\n{source}");
}

/// The text of the element, once the page shows it (a posted form's answer
/// may still be loading when this is asked).
async fn text_of(browser: &Client, css: &str) -> String {
    let element = browser
        .wait()
        .at_most(std::time::Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    element.text().await.expect("text")
}

/// Clicks the element matching `css` (`what` it is, for the failure).
async fn click(browser: &Client, css: &str, what: &str) {
    let element = browser
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    element.click().await.unwrap_or_else(|e| panic!("clicking {what}: {e}"));
}

/// The same `password` twice, submitted: the page titled `heading`, at the
/// form's own address `url`; answers its `#message`.
async fn submit_until(browser: &Client, password: &str, heading: &str, url: &str) -> String {
    fill_and_submit(browser, password, password).await;
    wait_for_heading(browser, heading).await;
    assert_eq!(
        browser.current_url().await.expect("url").as_str(),
        url,
        "the form posted to its own address"
    );
    text_of(browser, "#message").await
}

async fn fill_and_submit(browser: &Client, password: &str, repeated: &str) {
    for (css, value) in [("#password", password), ("#password_confirmation", repeated)] {
        let field = browser.find(Locator::Css(css)).await.expect("password field");
        field.clear().await.expect("clear");
        field.send_keys(value).await.expect("type");
    }
    let button = browser
        .find(Locator::Css("button[type=submit]"))
        .await
        .expect("submit button");
    button.clone().click().await.expect("click");
    // The form's page is gone once its button is stale: the answer is loading.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while button.text().await.is_ok() && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Confirmation link, then forgot password → reset link → form → log in.
async fn journey(server: &Server, browser: &Client) {
    let email = format!("browser-{}@example.com", uuid::Uuid::new_v4().simple());
    let (status, pair) = server
        .post(
            "/api/register",
            json!({
                "client_id": server.client_id, "device_name": "Phone", "device_id": "phone",
                "username": email, "password": OLD_PASSWORD, "firstname": "Jane", "lastname": "Doe",
                "telephone": "+32 475 00 00 00", "policies": server.policies,
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "registration: {pair}");

    // The confirmation mail's link.
    let confirm = server.link_in_mail(&email, "/confirm/").await;
    browser.goto(&confirm).await.expect("open the confirmation link");
    wait_for_heading(browser, "Address confirmed").await;
    assert_eq!(browser.title().await.expect("title"), "Address confirmed");
    assert_eq!(
        text_of(browser, "#message").await,
        "Your email address is confirmed. You can close this page and go back to your app."
    );
    // The inline style applies: the CSP's hash matches it in a real browser.
    let main = browser.find(Locator::Css("main")).await.expect("main");
    assert_eq!(main.css_value("max-width").await.expect("css"), "448px");
    let me = server.me(&pair).await;
    let me: Value = me.json().await.expect("json");
    assert_eq!(me["email_confirmed"], json!(true), "{me}");
    // A second visit: the link is used up, and the address confirmed.
    browser.goto(&confirm).await.expect("open it again");
    wait_for_heading(browser, "Address confirmed").await;
    assert!(text_of(browser, "#message")
        .await
        .contains("This link was used before: your email address is confirmed."));

    // Forgot password: the reset mail's link opens the form.
    let (status, _) = server.post("/api/forgot-password", json!({"username": email})).await;
    assert_eq!(status, StatusCode::OK);
    let reset = server.link_in_mail(&email, "/reset-password/").await;
    browser.goto(&reset).await.expect("open the reset link");
    wait_for_heading(browser, "Choose a new password").await;
    assert_password_form(browser, &email).await;

    // Two different passwords: the form again, saying so; nothing changed.
    fill_and_submit(browser, NEW_PASSWORD, "Paper-Lantern-59").await;
    wait_for_heading(browser, "Choose a new password").await;
    assert_eq!(
        text_of(browser, "#confirmation-errors").await,
        "The passwords do not match."
    );
    assert_eq!(server.login(&email, OLD_PASSWORD).await.0, StatusCode::OK);

    // The same new password twice: done.
    let done = submit_until(browser, NEW_PASSWORD, "Password changed", &reset).await;
    assert!(done.contains("every session is signed out"), "{done}");
    assert!(done.contains("Log in again in your app"), "{done}");

    // The app logs in with the new password only; the old sessions are gone.
    let (status, body) = server.login(&email, NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = server.login(&email, OLD_PASSWORD).await;
    assert_eq!(
        (status, body["error"].clone()),
        (StatusCode::BAD_REQUEST, json!("invalid_grant"))
    );
    let revoked = server.me(&pair).await;
    assert_eq!(
        revoked.status(),
        StatusCode::UNAUTHORIZED,
        "the registration's session was signed out"
    );

    // The link is used up.
    browser.goto(&reset).await.expect("open the reset link again");
    wait_for_heading(browser, "Link not valid").await;
}

/// Email-first signup: `POST /signup`, then the mailed link's form — first
/// without consent (refused), then with consent and a password — then the
/// app logs in with that password.
async fn signup_journey(server: &Server, browser: &Client) {
    let email = format!("signup-{}@example.com", uuid::Uuid::new_v4().simple());
    let (status, body) = server.post("/signup", json!({"email": email, "language": "en"})).await;
    assert_eq!(status, StatusCode::CREATED, "signup: {body}");
    assert_eq!(body, json!({"result": "success", "email": email}));
    let (status, body) = server.login(&email, SIGNUP_PASSWORD).await;
    assert_ne!(status, StatusCode::OK, "no login before the account is active: {body}");

    let link = server.link_in_mail(&email, "/confirm/signup/").await;
    browser.goto(&link).await.expect("open the signup link");
    wait_for_heading(browser, "Activate your account").await;
    assert_password_form(browser, &email).await;
    assert_eq!(browser.title().await.expect("title"), "Activate your account");
    let consent = browser.find(Locator::Css("#consent")).await.expect("the consent box");
    assert!(!consent.is_selected().await.expect("selected"), "not ticked for them");
    assert_eq!(
        text_of(browser, "label[for=consent]").await,
        "I consent to the processing of my account data to provide the service."
    );

    // Submitted without consent: the form again, saying consent is needed.
    click(browser, "button[type=submit]", "submit button").await;
    wait_for(browser, "#consent-errors").await;
    assert_eq!(
        text_of(browser, "#consent-errors").await,
        "Your consent is needed to activate your account."
    );
    assert_eq!(browser.title().await.expect("title"), "Activate your account");
    assert_ne!(server.login(&email, SIGNUP_PASSWORD).await.0, StatusCode::OK);

    // Consent ticked, a password twice: the account is active.
    click(browser, "#consent", "the consent box").await;
    assert_eq!(
        submit_until(browser, SIGNUP_PASSWORD, "Account active", &link).await,
        "Your account is active. You can now log in in the app."
    );

    // The app logs in with that password: the account is confirmed.
    let (status, body) = server.login(&email, SIGNUP_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["access_token"].is_string(), "{body}");

    // The link is used up: opened again, it says the account is active.
    browser.goto(&link).await.expect("open the signup link again");
    wait_for_heading(browser, "Account active").await;
    assert!(text_of(browser, "#message")
        .await
        .contains("This link was used before: your account is active."));
}

/// What a password manager needs on a password form: the account's address
/// in a hidden `autocomplete="username"` field, new-password fields with the
/// configured length rules (the defaults here: 8 to 128).
async fn assert_password_form(browser: &Client, email: &str) {
    let username = browser
        .find(Locator::Css("input[autocomplete=username]"))
        .await
        .expect("the username field");
    assert_eq!(username.attr("value").await.expect("value").as_deref(), Some(email));
    assert!(!username.is_displayed().await.expect("displayed"), "hidden");
    for css in ["#password", "#password_confirmation"] {
        let field = browser.find(Locator::Css(css)).await.expect("password field");
        assert_eq!(
            field.attr("autocomplete").await.expect("attr").as_deref(),
            Some("new-password")
        );
        assert_eq!(field.attr("minlength").await.expect("attr").as_deref(), Some("8"));
        assert_eq!(field.attr("maxlength").await.expect("attr").as_deref(), Some("128"));
    }
}

/// Runs `journey` against a fresh server in a fresh headless browser,
/// closing the browser whatever happens.
async fn in_a_browser<F>(journey: F)
where
    F: for<'a> FnOnce(&'a Server, &'a Client) -> BoxFuture<'a, ()>,
{
    if !browser_installed() {
        return;
    }
    let server = Server::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let driver = Chromedriver::start(dir.path());
    let browser = driver.browser(&dir.path().join("profile")).await;
    let outcome = AssertUnwindSafe(journey(&server, &browser)).catch_unwind().await;
    // Ends the session (and Chromium) whatever happened; chromedriver dies on drop.
    let _ = browser.close().await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

#[tokio::test]
async fn a_person_confirms_the_address_and_resets_the_password_in_a_browser() {
    in_a_browser(|server, browser| journey(server, browser).boxed()).await;
}

#[tokio::test]
async fn a_person_activates_an_email_first_signup_in_a_browser() {
    in_a_browser(|server, browser| signup_journey(server, browser).boxed()).await;
}

/// Where axe-core is: `REGISTRAR_AXE_JS`, else where `.ci/run` puts it.
/// Missing: skip loudly, or fail when `CI` is set.
fn axe_script() -> Option<String> {
    let path = std::env::var_os("REGISTRAR_AXE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/axe-core/node_modules/axe-core/axe.min.js")
        });
    match std::fs::read_to_string(&path) {
        Ok(script) => Some(script),
        Err(e) => {
            let why = format!(
                "axe-core missing at {} ({e}); `.ci/run` fetches it with npm",
                path.display()
            );
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set and the axe checks cannot run: {why}"
            );
            eprintln!("\n==================== SKIPPED: axe checks: {why} ====================\n");
            None
        }
    }
}

/// Runs axe-core on the page (`what` it is): no violation, at any impact.
async fn assert_accessible(browser: &Client, axe: &str, what: &str) {
    browser.execute(axe, vec![]).await.expect("axe loads");
    let outcome = browser
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document).then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact,
                 help: v.help, nodes: v.nodes.map(n => n.html)}))), e => done([{id: 'axe failed', help: String(e)}]));",
            vec![],
        )
        .await
        .expect("axe runs");
    assert_eq!(outcome, json!([]), "axe finds violations on the {what} page");
}

/// A tiny app on a free port that answers every request 200: the third
/// party's redirect URI (`http://127.0.0.1:<port>/cb`).
fn callback_listener() -> String {
    use std::io::{Read, Write};
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for mut socket in listener.incoming().flatten() {
            let mut buf = [0_u8; 4096];
            let _ = socket.read(&mut buf);
            let body = "<!doctype html><title>Photo app</title><h1>Back in the app</h1>";
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(answer.as_bytes());
        }
    });
    format!("http://127.0.0.1:{port}/cb")
}

/// A registered account with an authenticator app turned on: its address
/// and the app.
async fn account_with_totp(server: &Server) -> (String, authenticator::Authenticator) {
    let email = format!("oauth-{}@example.com", uuid::Uuid::new_v4().simple());
    let (status, pair) = server
        .post(
            "/api/register",
            json!({
                "client_id": server.client_id, "device_name": "Phone", "device_id": "phone",
                "username": email, "password": OLD_PASSWORD, "firstname": "Jane", "lastname": "Doe",
                "telephone": "+32 475 00 00 00", "policies": server.policies,
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "registration: {pair}");
    let bearer = pair["access_token"].as_str().expect("access token").to_owned();
    let enrolment: Value = server
        .http
        .post(format!("{}/api/me/factors/totp", server.base))
        .bearer_auth(&bearer)
        .send()
        .await
        .expect("enrol")
        .json()
        .await
        .expect("json");
    let app = authenticator::Authenticator::scan(enrolment["secret"].as_str().expect("a secret"));
    let confirmed = server
        .http
        .post(format!("{}/api/me/factors/totp/confirm", server.base))
        .bearer_auth(&bearer)
        .json(&json!({"code": app.code(0)}))
        .send()
        .await
        .expect("confirm");
    assert_eq!(confirmed.status(), StatusCode::OK);
    (email, app)
}

/// Fills the field `css` with `value`.
async fn fill(browser: &Client, css: &str, value: &str) {
    let field = browser
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    field.clear().await.expect("clear");
    field.send_keys(value).await.expect("type");
}

/// Password, the authenticator's code, consent, and back at the app with a
/// code; with `axe`, each of the three pages is checked on the way.
async fn sign_in_through(browser: &Client, authorize: &str, email: &str, code: &str, axe: Option<&str>) -> String {
    browser.goto(authorize).await.expect("open the authorization request");
    wait_for_heading(browser, "Sign in").await;
    assert_eq!(text_of(browser, "main > p").await, "Sign in to continue to Photo app.");
    if let Some(axe) = axe {
        assert_accessible(browser, axe, "sign-in").await;
    }
    fill(browser, "#email", email).await;
    fill(browser, "#password", OLD_PASSWORD).await;
    click(browser, "button[value=password]", "the sign-in button").await;
    wait_for_heading(browser, "Confirm it is you").await;
    if let Some(axe) = axe {
        assert_accessible(browser, axe, "second-factor").await;
    }
    fill(browser, "#totp", code).await;
    click(browser, "button[value=second_factor]", "the verify button").await;
    wait_for_heading(browser, "Allow access").await;
    let asks = text_of(browser, "ul.scopes").await;
    assert!(asks.contains("see your email address"), "{asks}");
    if let Some(axe) = axe {
        assert_accessible(browser, axe, "consent").await;
    }
    click(browser, "button[value=allow]", "the allow button").await;
    wait_for_heading(browser, "Back in the app").await;
    browser.current_url().await.expect("url").to_string()
}

/// The sign-in page of a third-party app, in a browser without JavaScript:
/// password, the authenticator app, consent, then the app's redirect URI
/// with a code; then with JavaScript on, axe-core on every page of it.
async fn oauth_journey(server: &Server, browser: &Client) {
    let callback = callback_listener();
    let new = registrar_service::NewClient {
        name: "Photo app".into(),
        confidential: false,
        redirect_uris: vec![registrar_domain::RedirectUri::parse(&callback).expect("a URI")],
        post_logout_redirect_uris: Vec::new(),
        trusted: false,
    };
    let (client, _) = server.service.register_client(new).await.expect("a client");
    // The S256 challenge of RFC 7636's example verifier.
    let authorize = format!(
        "{}/oauth/authorize?response_type=code&client_id={}&redirect_uri={}&scope=openid%20email&state=s-42\
         &code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
        server.base,
        client.id,
        url_encode(&callback),
    );
    let (email, app) = account_with_totp(server).await;
    let landed = sign_in_through(browser, &authorize, &email, &app.code(1), None).await;
    let url = reqwest::Url::parse(&landed).expect("a URL");
    assert!(landed.starts_with(&callback), "{landed}");
    let params: std::collections::BTreeMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(params.get("state").map(String::as_str), Some("s-42"));
    assert_eq!(params.get("iss"), Some(&server.base));
    assert_eq!(params.get("code").map(String::len), Some(64), "{landed}");

    let Some(axe) = axe_script() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let driver = Chromedriver::start(dir.path());
    let scripted = driver.session(&dir.path().join("profile"), true).await;
    let (email, app) = account_with_totp(server).await;
    let outcome = AssertUnwindSafe(sign_in_through(&scripted, &authorize, &email, &app.code(1), Some(&axe)))
        .catch_unwind()
        .await;
    let _ = scripted.close().await;
    match outcome {
        Ok(landed) => assert!(landed.starts_with(&callback), "{landed}"),
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn a_person_signs_in_to_a_third_party_app_with_a_second_factor_in_a_browser() {
    in_a_browser(|server, browser| oauth_journey(server, browser).boxed()).await;
}
