//! `load`: drives one scenario against Registrar or the fastapi-users peer
//! with goose, at a fixed concurrency for a fixed time, and appends one JSON
//! line of results (requests/s, p50/p99, errors, the server's peak RSS) to
//! `--out`. bench/README.md says what each scenario sends.
//!
//! Goose records response times in whole milliseconds; every request is also
//! timed here (an `Instant` around send + body) into an hdrhistogram in
//! microseconds, and the figures come from that. Only requests that complete
//! inside the measurement window (after `--warmup` seconds, for `--seconds`)
//! count for requests/s and latency; errors count over the whole run.

use std::collections::HashMap;
use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use goose::prelude::*;
use hdrhistogram::Histogram;
use hmac::{Hmac, Mac};
use rand::Rng as _;
use reqwest::RequestBuilder;
use serde_json::{json, Value};
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// Registrar's seeded users are split into ranges, one per scenario, so that
/// scenarios never disturb each other's users (see `registrar seed`).
const LOGIN_BASE: u64 = 0;
const REFRESH_BASE: u64 = 100;
const CHANGE_BASE: u64 = 200;
const ME_BASE: u64 = 300;
const RANGE: usize = 100;

/// The redirect URI of the `sign_in` scenario's client: never fetched (the
/// scenario follows no redirect).
const SIGN_IN_CALLBACK: &str = "http://127.0.0.1/bench-callback";
/// A fixed PKCE pair (RFC 7636 appendix B): the server only keeps the challenge.
const PKCE_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

const SEED_PASSWORD: [&str; 2] = ["Bench-Password-1", "Bench-Password-2"];
const NEW_PASSWORD: &str = "Correct-Horse-42";
const PEER_PASSWORD: [&str; 2] = ["Correct-Horse-42", "Battery-Staple-43"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Target {
    Registrar,
    Peer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Kind {
    Healthz,
    Register,
    Login,
    Refresh,
    Me,
    Introspect,
    #[value(name = "change_password")]
    ChangePassword,
    #[value(name = "admin_search")]
    AdminSearch,
    /// The OAuth sign-in page: its GET, then the password POST (timed).
    #[value(name = "sign_in")]
    SignIn,
    /// `grant_type=mfa` with a TOTP code, one seeded waiting sign-in each.
    Mfa,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Healthz => "healthz",
            Kind::Register => "register",
            Kind::Login => "login",
            Kind::Refresh => "refresh",
            Kind::Me => "me",
            Kind::Introspect => "introspect",
            Kind::ChangePassword => "change_password",
            Kind::AdminSearch => "admin_search",
            Kind::SignIn => "sign_in",
            Kind::Mfa => "mfa",
        }
    }
}

#[derive(Debug, Clone, Parser)]
#[command(name = "load", about = "One benchmark scenario with goose (bench/README.md)")]
struct Args {
    /// Which server: Registrar's core API or the fastapi-users peer.
    #[arg(long, value_enum)]
    target: Target,
    /// The scenario.
    #[arg(long, value_enum)]
    scenario: Kind,
    /// Base URL, e.g. http://127.0.0.1:18080
    #[arg(long)]
    host: String,
    /// Concurrent goose users (one request in flight each).
    #[arg(long, default_value_t = 32)]
    users: usize,
    /// Measured seconds.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Seconds of load before the measurement starts (not counted).
    #[arg(long, default_value_t = 3)]
    warmup: u64,
    /// Registrar: the API client id the users were seeded on.
    #[arg(long, default_value = "")]
    client: String,
    /// Registrar: the confidential client that introspects, and its secret
    /// (`introspect`).
    #[arg(long, default_value = "")]
    resource_server: String,
    #[arg(long, default_value = "")]
    resource_server_secret: String,
    /// Registrar: a trusted browser client (`sign_in`), registered with
    /// `--redirect-uri` [`SIGN_IN_CALLBACK`].
    #[arg(long, default_value = "")]
    web_client: String,
    /// Registrar: an admin key with `users:read` (`admin_search`).
    #[arg(long, default_value = "")]
    admin_key: String,
    /// Registrar: the revision ids to accept on registration (comma-separated).
    #[arg(long, value_delimiter = ',')]
    policies: Vec<String>,
    /// Registrar: how many users `registrar seed` inserted (indices 0..N).
    #[arg(long, default_value_t = 1000)]
    seeded: u64,
    /// Registrar (`mfa`): the first index of the users seeded with
    /// `registrar seed --totp`, and how many there are (each completes one
    /// sign-in).
    #[arg(long, default_value_t = 0)]
    mfa_from: u64,
    #[arg(long, default_value_t = 0)]
    mfa_users: u64,
    /// Server processes whose peak RSS (VmHWM) is reset before and summed after the run.
    #[arg(long, value_delimiter = ',')]
    pids: Vec<u32>,
    /// What this run is, in the results (e.g. postgres, sqlite, peer, postgres-1m).
    #[arg(long)]
    label: String,
    /// Append the JSON result line to this file (always printed on stdout too).
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Everything the transactions share.
struct Shared {
    args: Args,
    /// A word unique to this run, in the addresses it registers.
    tag: String,
    window_start: Instant,
    window_end: Instant,
    hist: Mutex<Histogram<u64>>,
    ok_in_window: AtomicU64,
    ok_total: AtomicU64,
    errors: AtomicU64,
    /// Non-2xx answers by status (0 = transport error), for the report.
    statuses: Mutex<HashMap<u16, u64>>,
    /// Peer: bearer tokens for `me` (a pool) and `change_password` (one per goose user).
    peer_tokens: Vec<String>,
    /// `mfa`: how many of the seeded waiting sign-ins were taken.
    mfa_taken: AtomicU64,
}

static SHARED: OnceLock<Shared> = OnceLock::new();

fn shared() -> &'static Shared {
    SHARED.get().expect("initialised before the attack")
}

/// Per goose user.
#[derive(Clone)]
struct UserState {
    idx: usize,
    refresh: String,
    flip: usize,
    sent: u64,
    /// `admin_search`: the filters of this user's last page and its
    /// `next_cursor`, to ask for the page after it.
    next_page: Option<(String, String)>,
}

fn sha_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

fn seed_access(i: u64) -> String {
    sha_hex(&format!("seed-access-{i}"))
}

fn seed_refresh(i: u64) -> String {
    sha_hex(&format!("seed-refresh-{i}"))
}

fn seed_email(i: u64) -> String {
    format!("seed-{i}@bench.example")
}

/// The authenticator-app secret `registrar seed --totp` gave user `i`.
fn seed_totp_secret(i: u64) -> Vec<u8> {
    Sha256::digest(format!("seed-totp-{i}").as_bytes())[..20].to_vec()
}

/// The `mfa_token` of user `i`'s waiting sign-in (`registrar seed --totp`).
fn seed_mfa_token(i: u64) -> String {
    sha_hex(&format!("seed-mfa-{i}"))
}

/// The TOTP code of `secret` at `unix_seconds`, computed here from RFC 6238
/// (HMAC-SHA-1 of the 30-second step, RFC 4226's dynamic truncation, six
/// digits), not with the server's library.
fn totp(secret: &[u8], unix_seconds: u64) -> String {
    let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(&(unix_seconds / 30).to_be_bytes());
    let h = mac.finalize().into_bytes();
    let at = usize::from(h[19] & 0x0f);
    let bits = u32::from_be_bytes([h[at] & 0x7f, h[at + 1], h[at + 2], h[at + 3]]);
    format!("{:06}", bits % 1_000_000)
}

fn peer_email(kind: &str, i: usize) -> String {
    format!("peer-{kind}-{i}@example.com")
}

const MAX_ERROR_SAMPLES: u64 = 5;

/// Counts one answer: in the histogram when it is a 2xx inside the window,
/// as an error (with its body on stderr for the first few) otherwise.
fn record(started: Instant, status: Option<u16>, body: &str, what: &str) -> bool {
    let s = shared();
    let now = Instant::now();
    let ok = matches!(status, Some(c) if (200..300).contains(&c));
    if ok {
        s.ok_total.fetch_add(1, Ordering::Relaxed);
        if now >= s.window_start && now <= s.window_end {
            let us = now.duration_since(started).as_micros().max(1) as u64;
            s.hist.lock().expect("histogram").saturating_record(us);
            s.ok_in_window.fetch_add(1, Ordering::Relaxed);
        }
    } else {
        let n = s.errors.fetch_add(1, Ordering::Relaxed);
        *s.statuses
            .lock()
            .expect("statuses")
            .entry(status.unwrap_or(0))
            .or_default() += 1;
        if n < MAX_ERROR_SAMPLES {
            let mut b: String = body.chars().take(500).collect();
            if body.len() > 500 {
                b.push('…');
            }
            eprintln!("load: error on {what}: status {status:?}: {b}");
        }
    }
    ok
}

/// Sends one request through goose, timed here; the body when it was a 2xx.
async fn send(user: &mut GooseUser, name: &'static str, rb: RequestBuilder) -> Option<String> {
    let started = Instant::now();
    let request = GooseRequest::builder().name(name).set_request_builder(rb).build();
    match user.request(request).await {
        Ok(goose) => match goose.response {
            Ok(response) => {
                let status = response.status().as_u16();
                match response.text().await {
                    Ok(body) => record(started, Some(status), &body, name).then_some(body),
                    Err(e) => {
                        record(started, None, &e.to_string(), name);
                        None
                    }
                }
            }
            Err(e) => {
                record(started, None, &e.to_string(), name);
                None
            }
        },
        Err(e) => {
            record(started, None, &format!("{e:?}"), name);
            None
        }
    }
}

fn builder(user: &GooseUser, method: GooseMethod, path: &str) -> Result<RequestBuilder, Box<TransactionError>> {
    user.get_request_builder(&method, path)
}

fn state(user: &mut GooseUser) -> &mut UserState {
    user.get_session_data_unchecked_mut::<UserState>()
}

async fn on_start(user: &mut GooseUser) -> TransactionResult {
    if shared().args.scenario == Kind::SignIn {
        // A browser that follows no redirect (the callback is not served)
        // and keeps no cookies: each sign-in starts with none, as a new
        // browser would, instead of being signed in by the last one.
        let browser = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(60));
        user.set_client_builder(browser).await?;
    }
    let idx = user.weighted_users_index;
    let refresh = seed_refresh(REFRESH_BASE + idx as u64);
    user.set_session_data(UserState {
        idx,
        refresh,
        flip: 0,
        sent: 0,
        next_page: None,
    });
    Ok(())
}

// ---- Registrar -------------------------------------------------------------

async fn healthz(user: &mut GooseUser) -> TransactionResult {
    let rb = builder(user, GooseMethod::Get, "/healthz")?;
    send(user, "healthz", rb).await;
    Ok(())
}

async fn registrar_register(user: &mut GooseUser) -> TransactionResult {
    let s = shared();
    let st = state(user);
    st.sent += 1;
    let (idx, n) = (st.idx, st.sent);
    let policies: Vec<Value> = s
        .args
        .policies
        .iter()
        .map(|p| p.parse::<i64>().map_or_else(|_| json!(p), |n| json!(n)))
        .collect();
    let body = json!({
        "client_id": s.args.client,
        "device_id": format!("bench-{idx}"),
        "device_name": "Bench",
        "username": format!("reg-{}-{idx}-{n}@bench.example", s.tag),
        "password": NEW_PASSWORD,
        "firstname": "Bench",
        "lastname": "User",
        "telephone": "+32 475 00 00 00",
        "policies": policies,
    });
    let rb = builder(user, GooseMethod::Post, "/api/register")?.json(&body);
    send(user, "register", rb).await;
    Ok(())
}

async fn registrar_login(user: &mut GooseUser) -> TransactionResult {
    let s = shared();
    let idx = state(user).idx;
    let body = json!({
        "grant_type": "password",
        "client_id": s.args.client,
        "device_id": format!("bench-login-{idx}"),
        "device_name": "Bench",
        "username": seed_email(LOGIN_BASE + idx as u64),
        "password": SEED_PASSWORD[0],
    });
    let rb = builder(user, GooseMethod::Post, "/api/token")?.json(&body);
    send(user, "login", rb).await;
    Ok(())
}

async fn registrar_refresh(user: &mut GooseUser) -> TransactionResult {
    let s = shared();
    let refresh = state(user).refresh.clone();
    let body = json!({
        "grant_type": "refresh_token",
        "refresh_token": refresh,
        "client_id": s.args.client,
    });
    let rb = builder(user, GooseMethod::Post, "/api/token")?.json(&body);
    if let Some(answer) = send(user, "refresh", rb).await {
        match serde_json::from_str::<Value>(&answer)
            .ok()
            .and_then(|v| v.get("refresh_token")?.as_str().map(str::to_owned))
        {
            Some(next) => state(user).refresh = next,
            None => {
                record(
                    Instant::now(),
                    None,
                    &answer,
                    "refresh (no refresh_token in the answer)",
                );
            }
        }
    }
    Ok(())
}

async fn registrar_me(user: &mut GooseUser) -> TransactionResult {
    let s = shared();
    let i = rand::thread_rng().gen_range(ME_BASE..s.args.seeded);
    let token = seed_access(i);
    let rb = builder(user, GooseMethod::Get, "/api/me")?.bearer_auth(token);
    send(user, "me", rb).await;
    Ok(())
}

/// A resource server's check of a seeded user's access token (RFC 7662),
/// the same users as `me`; `client_secret_post`.
async fn registrar_introspect(user: &mut GooseUser) -> TransactionResult {
    let s = shared();
    let i = rand::thread_rng().gen_range(ME_BASE..s.args.seeded);
    let token = seed_access(i);
    let form = [
        ("client_id", s.args.resource_server.as_str()),
        ("client_secret", s.args.resource_server_secret.as_str()),
        ("token", token.as_str()),
    ];
    let rb = builder(user, GooseMethod::Post, "/oauth/introspect")?.form(&form);
    if let Some(answer) = send(user, "introspect", rb).await {
        // A 200 that says inactive is a failed check, not a success.
        if !answer.starts_with("{\"active\":true") {
            record(Instant::now(), None, &answer, "introspect (not active)");
        }
    }
    Ok(())
}

/// The second step of a sign-in (`mfa`): a seeded sign-in waiting for its
/// code, completed with the current code of the user's app. Each seeded
/// user serves once (its token is used up, and so is the step), so the
/// users are taken in turn; running out is an error.
async fn registrar_mfa(user: &mut GooseUser) -> TransactionResult {
    let s = shared();
    let n = s.mfa_taken.fetch_add(1, Ordering::Relaxed);
    if n >= s.args.mfa_users {
        record(
            Instant::now(),
            None,
            "seed more with `registrar seed --totp`",
            "mfa (no seeded sign-in left)",
        );
        // Not a loop of instant errors: wait for the run to end.
        tokio::time::sleep(Duration::from_millis(100)).await;
        return Ok(());
    }
    let i = s.args.mfa_from + n;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let body = json!({
        "grant_type": "mfa",
        "client_id": s.args.client,
        "mfa_token": seed_mfa_token(i),
        "code": totp(&seed_totp_secret(i), now),
    });
    let rb = builder(user, GooseMethod::Post, "/api/token")?.json(&body);
    if let Some(answer) = send(user, "mfa", rb).await {
        if !answer.contains("\"access_token\"") {
            record(Instant::now(), None, &answer, "mfa (no access_token in the answer)");
        }
    }
    Ok(())
}

async fn registrar_change_password(user: &mut GooseUser) -> TransactionResult {
    let s = shared();
    let st = state(user);
    let (idx, flip) = (st.idx, st.flip);
    let body = json!({
        "grant_type": "password",
        "client_id": s.args.client,
        "device_id": format!("bench-cp-{idx}"),
        "device_name": "Bench",
        "username": seed_email(CHANGE_BASE + idx as u64),
        "password": SEED_PASSWORD[flip],
        "new_password": SEED_PASSWORD[1 - flip],
    });
    let rb = builder(user, GooseMethod::Post, "/api/change-password")?.json(&body);
    if send(user, "change_password", rb).await.is_some() {
        state(user).flip = 1 - flip;
    }
    Ok(())
}

/// The OAuth sign-in page (`sign_in`): a new browser opens the page of an
/// authorization request (PKCE, a trusted client: no consent step), then
/// posts its form with a seeded user's password; a 303 to the callback
/// with a `code` is a success. Only the POST is counted and timed (it is
/// the hashed one); the GET counts only when it fails.
async fn registrar_sign_in(user: &mut GooseUser) -> TransactionResult {
    let s = shared();
    let idx = state(user).idx;
    let query = [
        ("response_type", "code"),
        ("client_id", s.args.web_client.as_str()),
        ("redirect_uri", SIGN_IN_CALLBACK),
        ("scope", "openid email"),
        ("state", "bench"),
        ("code_challenge", PKCE_CHALLENGE),
        ("code_challenge_method", "S256"),
    ];
    let query: Vec<String> = query.iter().map(|(k, v)| format!("{k}={}", escape(v))).collect();
    let rb = builder(user, GooseMethod::Get, &format!("/oauth/authorize?{}", query.join("&")))?;
    let started = Instant::now();
    let request = GooseRequest::builder()
        .name("sign_in_page")
        .set_request_builder(rb)
        .build();
    let page = match user.request(request).await.map(|g| g.response) {
        Ok(Ok(response)) if response.status().as_u16() == 200 => {
            let cookies: Vec<String> = response
                .headers()
                .get_all(reqwest::header::SET_COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .filter_map(|c| c.split(';').next().map(str::to_owned))
                .collect();
            match response.text().await {
                Ok(body) => Some((cookies.join("; "), body)),
                Err(e) => {
                    record(started, None, &e.to_string(), "sign_in (page)");
                    None
                }
            }
        }
        Ok(Ok(response)) => {
            let status = response.status().as_u16();
            let body = response.text().await.unwrap_or_default();
            record(started, Some(status), &body, "sign_in (page)");
            None
        }
        Ok(Err(e)) => {
            record(started, None, &e.to_string(), "sign_in (page)");
            None
        }
        Err(e) => {
            record(started, None, &format!("{e:?}"), "sign_in (page)");
            None
        }
    };
    let Some((cookie, body)) = page else {
        return Ok(());
    };
    let mut fields = hidden_fields(&body, "Email me a sign-in code instead");
    if fields.is_empty() {
        record(Instant::now(), None, &body, "sign_in (no sign-in form on the page)");
        return Ok(());
    }
    fields.retain(|(name, _)| !matches!(name.as_str(), "step" | "email" | "password"));
    fields.push(("step".into(), "password".into()));
    fields.push(("email".into(), seed_email(LOGIN_BASE + idx as u64)));
    fields.push(("password".into(), SEED_PASSWORD[0].into()));
    let rb = builder(user, GooseMethod::Post, "/oauth/authorize")?
        .header(reqwest::header::COOKIE, cookie)
        .form(&fields);
    let started = Instant::now();
    let request = GooseRequest::builder().name("sign_in").set_request_builder(rb).build();
    match user.request(request).await.map(|g| g.response) {
        Ok(Ok(response)) => {
            let status = response.status().as_u16();
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let body = response.text().await.unwrap_or_default();
            if status == 303 && location.starts_with(SIGN_IN_CALLBACK) && location.contains("code=") {
                // A success: counted as a 2xx would be.
                record(started, Some(200), "", "sign_in");
            } else {
                record(started, Some(status), &format!("{location} {body}"), "sign_in");
            }
        }
        Ok(Err(e)) => {
            record(started, None, &e.to_string(), "sign_in");
        }
        Err(e) => {
            record(started, None, &format!("{e:?}"), "sign_in");
        }
    }
    Ok(())
}

/// The hidden fields of the page's form whose submit button says `button`,
/// as a browser sends them.
fn hidden_fields(page: &str, button: &str) -> Vec<(String, String)> {
    let label = format!(">{button}</button>");
    let Some(end) = page.find(&label) else {
        return Vec::new();
    };
    let Some(start) = page[..end].rfind("<form") else {
        return Vec::new();
    };
    let form_end = page[end..].find("</form>").map_or(page.len(), |i| end + i);
    let mut fields = Vec::new();
    for input in page[start..form_end].split("<input").skip(1) {
        let attr = |name: &str| {
            let key = format!(" {name}=\"");
            input.find(&key).and_then(|i| {
                let rest = &input[i + key.len()..];
                rest.find('"').map(|j| unescape(&rest[..j]))
            })
        };
        if attr("type").as_deref() == Some("hidden") {
            if let (Some(name), Some(value)) = (attr("name"), attr("value")) {
                fields.push((name, value));
            }
        }
    }
    fields
}

/// A query value percent-encoded (RFC 3986: all but the unreserved characters).
fn escape(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&#x2f;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The admin API's account search with a random mix of filters: half the
/// requests an address prefix of a random seeded user (`seed-<i>`), half a
/// role (`guest`, what every seeded user has, or `admin`, none), half
/// `confirmed=true` (every seeded user); and half of the time, when the
/// user's last answer had a `next_cursor`, the page after it (same filters).
async fn registrar_admin_search(user: &mut GooseUser) -> TransactionResult {
    let s = shared();
    let (query, follow) = {
        let mut rng = rand::thread_rng();
        let next = state(user).next_page.take();
        match next {
            Some((filters, cursor)) if rng.gen_bool(0.5) => (filters, Some(cursor)),
            _ => {
                let mut parts: Vec<String> = Vec::new();
                if rng.gen_bool(0.5) {
                    parts.push(format!("email_prefix=seed-{}", rng.gen_range(0..s.args.seeded)));
                }
                if rng.gen_bool(0.5) {
                    parts.push(format!("role={}", if rng.gen_bool(0.8) { "guest" } else { "admin" }));
                }
                if rng.gen_bool(0.5) {
                    parts.push("confirmed=true".to_owned());
                }
                (parts.join("&"), None)
            }
        }
    };
    let path = match &follow {
        Some(cursor) if query.is_empty() => format!("/admin/users?cursor={cursor}"),
        Some(cursor) => format!("/admin/users?{query}&cursor={cursor}"),
        None if query.is_empty() => "/admin/users".to_owned(),
        None => format!("/admin/users?{query}"),
    };
    let rb = builder(user, GooseMethod::Get, &path)?.bearer_auth(&s.args.admin_key);
    if let Some(answer) = send(user, "admin_search", rb).await {
        match serde_json::from_str::<Value>(&answer) {
            Ok(page) if page.get("users").is_some_and(Value::is_array) => {
                state(user).next_page = page
                    .get("next_cursor")
                    .and_then(Value::as_str)
                    .map(|c| (query, c.to_owned()));
            }
            _ => {
                record(Instant::now(), None, &answer, "admin_search (no users in the answer)");
            }
        }
    }
    Ok(())
}

// ---- the peer --------------------------------------------------------------

async fn peer_register(user: &mut GooseUser) -> TransactionResult {
    let s = shared();
    let st = state(user);
    st.sent += 1;
    let (idx, n) = (st.idx, st.sent);
    let body = json!({
        "email": format!("preg-{}-{idx}-{n}@example.com", s.tag),
        "password": PEER_PASSWORD[0],
    });
    let rb = builder(user, GooseMethod::Post, "/auth/register")?.json(&body);
    send(user, "register", rb).await;
    Ok(())
}

async fn peer_login(user: &mut GooseUser) -> TransactionResult {
    let idx = state(user).idx;
    let email = peer_email("login", idx);
    let rb = builder(user, GooseMethod::Post, "/auth/db/login")?
        .form(&[("username", email.as_str()), ("password", PEER_PASSWORD[0])]);
    send(user, "login", rb).await;
    Ok(())
}

async fn peer_me(user: &mut GooseUser) -> TransactionResult {
    let s = shared();
    let i = rand::thread_rng().gen_range(0..s.peer_tokens.len());
    let rb = builder(user, GooseMethod::Get, "/users/me")?.bearer_auth(&s.peer_tokens[i]);
    send(user, "me", rb).await;
    Ok(())
}

async fn peer_change_password(user: &mut GooseUser) -> TransactionResult {
    let s = shared();
    let st = state(user);
    let (idx, flip) = (st.idx, st.flip);
    let body = json!({ "password": PEER_PASSWORD[1 - flip] });
    let rb = builder(user, GooseMethod::Patch, "/users/me")?
        .bearer_auth(&s.peer_tokens[idx])
        .json(&body);
    if send(user, "change_password", rb).await.is_some() {
        state(user).flip = 1 - flip;
    }
    Ok(())
}

/// Peer set-up, before the attack: registers the users a scenario needs
/// (an existing one is fine) and logs them in, `users` at a time.
async fn peer_prepare(args: &Args, kind: &str, count: usize, login: bool) -> Result<Vec<String>, String> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| e.to_string())?;
    let mut set = tokio::task::JoinSet::new();
    let sem = std::sync::Arc::new(tokio::sync::Semaphore::new(args.users.max(1)));
    for i in 0..count {
        let (client, host, sem, kind) = (client.clone(), args.host.clone(), sem.clone(), kind.to_owned());
        set.spawn(async move {
            let _turn = sem.acquire_owned().await.map_err(|e| e.to_string())?;
            let email = peer_email(&kind, i);
            let r = client
                .post(format!("{host}/auth/register"))
                .json(&json!({"email": email, "password": PEER_PASSWORD[0]}))
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let status = r.status().as_u16();
            let body = r.text().await.unwrap_or_default();
            if status != 201 && !body.contains("REGISTER_USER_ALREADY_EXISTS") {
                return Err(format!("peer register {email}: {status} {body}"));
            }
            if !login {
                return Ok((i, String::new()));
            }
            let r = client
                .post(format!("{host}/auth/db/login"))
                .form(&[("username", email.as_str()), ("password", PEER_PASSWORD[0])])
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let status = r.status().as_u16();
            let body = r.text().await.unwrap_or_default();
            let token = serde_json::from_str::<Value>(&body)
                .ok()
                .and_then(|v| v.get("access_token")?.as_str().map(str::to_owned))
                .ok_or_else(|| format!("peer login {email}: {status} {body}"))?;
            Ok((i, token))
        });
    }
    let mut tokens = vec![String::new(); count];
    while let Some(done) = set.join_next().await {
        let (i, token) = done.map_err(|e| e.to_string())??;
        tokens[i] = token;
    }
    Ok(tokens)
}

// ---- peak RSS --------------------------------------------------------------

fn reset_peak_rss(pids: &[u32]) {
    for pid in pids {
        if let Err(e) = std::fs::write(format!("/proc/{pid}/clear_refs"), "5") {
            eprintln!("load: cannot reset the peak RSS of {pid}: {e}");
        }
    }
}

/// The sum of VmHWM over the processes, in KiB.
fn peak_rss_kib(pids: &[u32]) -> Option<u64> {
    status_sum(pids, "VmHWM:")
}

/// The sum of `RssAnon` (the resident memory the processes allocated, not
/// file pages such as their code or a mapped database) over the
/// processes, in KiB.
fn anon_kib(pids: &[u32]) -> Option<u64> {
    status_sum(pids, "RssAnon:")
}

/// The sum of one `/proc/PID/status` figure over the processes, in KiB.
fn status_sum(pids: &[u32], key: &str) -> Option<u64> {
    let mut sum = 0;
    for pid in pids {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        sum += status_kib(&status, key)?;
    }
    (!pids.is_empty()).then_some(sum)
}

/// The KiB of a `/proc/PID/status` line (`RssAnon:   1234 kB`).
fn status_kib(status: &str, key: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Samples [`anon_kib`] every 100 ms until `stop`, and answers the highest
/// (the kernel keeps a peak of the whole RSS, `VmHWM`, but not of its parts).
fn watch_anon(
    pids: Vec<u32>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> std::thread::JoinHandle<Option<u64>> {
    std::thread::spawn(move || {
        let mut peak = None;
        while !stop.load(Ordering::Relaxed) {
            if let Some(kib) = anon_kib(&pids) {
                peak = Some(peak.map_or(kib, |p: u64| p.max(kib)));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        peak
    })
}

/// utime + stime of the processes, in clock ticks (USER_HZ, 100 on Linux).
fn cpu_ticks(pids: &[u32]) -> u64 {
    pids.iter()
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // the fields after the command name, which is in parentheses
            let rest = &stat[stat.rfind(')')? + 2..];
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
        })
        .sum()
}

// ---- main ------------------------------------------------------------------

fn transaction_for(target: Target, kind: Kind) -> Option<Transaction> {
    Some(match (target, kind) {
        (_, Kind::Healthz) => transaction!(healthz),
        (Target::Registrar, Kind::Register) => transaction!(registrar_register),
        (Target::Registrar, Kind::Login) => transaction!(registrar_login),
        (Target::Registrar, Kind::Refresh) => transaction!(registrar_refresh),
        (Target::Registrar, Kind::Me) => transaction!(registrar_me),
        (Target::Registrar, Kind::ChangePassword) => transaction!(registrar_change_password),
        (Target::Registrar, Kind::Introspect) => transaction!(registrar_introspect),
        (Target::Registrar, Kind::AdminSearch) => transaction!(registrar_admin_search),
        (Target::Registrar, Kind::SignIn) => transaction!(registrar_sign_in),
        (Target::Registrar, Kind::Mfa) => transaction!(registrar_mfa),
        (Target::Peer, Kind::Register) => transaction!(peer_register),
        (Target::Peer, Kind::Login) => transaction!(peer_login),
        (Target::Peer, Kind::Refresh | Kind::Introspect | Kind::AdminSearch | Kind::SignIn | Kind::Mfa) => return None,
        (Target::Peer, Kind::Me) => transaction!(peer_me),
        (Target::Peer, Kind::ChangePassword) => transaction!(peer_change_password),
    })
}

fn fail(msg: impl std::fmt::Display) -> ! {
    eprintln!("load: {msg}");
    std::process::exit(2);
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let kind = args.scenario;
    if args.users == 0 || args.users > RANGE {
        fail(format!(
            "--users must be 1..={RANGE} (each scenario owns {RANGE} seeded users)"
        ));
    }
    if args.target == Target::Registrar {
        if matches!(
            kind,
            Kind::Register | Kind::Login | Kind::Refresh | Kind::ChangePassword
        ) && args.client.is_empty()
        {
            fail("--client is needed");
        }
        if kind == Kind::Register && args.policies.is_empty() {
            fail("--policies is needed for register");
        }
        if matches!(kind, Kind::Me | Kind::Introspect) && args.seeded <= ME_BASE {
            fail(format!("{} needs more than {ME_BASE} seeded users", kind.name()));
        }
        if kind == Kind::Introspect && (args.resource_server.is_empty() || args.resource_server_secret.is_empty()) {
            fail("--resource-server and --resource-server-secret are needed for introspect");
        }
        if kind == Kind::SignIn && args.web_client.is_empty() {
            fail("--web-client is needed for sign_in");
        }
        if kind == Kind::Mfa && (args.mfa_users == 0 || args.client.is_empty()) {
            fail("--mfa-from, --mfa-users and --client are needed for mfa");
        }
        if kind == Kind::AdminSearch && (args.admin_key.is_empty() || args.seeded == 0) {
            fail("--admin-key and --seeded are needed for admin_search");
        }
    }
    let Some(transaction) = transaction_for(args.target, kind) else {
        fail("the peer has no refresh tokens, no introspection, no second factor and no admin API");
    };

    // The peer's users, made through its own API before the clock starts.
    let peer_tokens = match (args.target, kind) {
        (Target::Peer, Kind::Login) => peer_prepare(&args, "login", args.users, false).await,
        (Target::Peer, Kind::Me) => peer_prepare(&args, "me", RANGE, true).await,
        (Target::Peer, Kind::ChangePassword) => {
            // A fresh set per run: their password is whatever the last run left.
            let kind = format!("cp{}", std::process::id());
            peer_prepare(&args, &kind, args.users, true).await
        }
        _ => Ok(Vec::new()),
    }
    .unwrap_or_else(|e| fail(format!("peer set-up failed: {e}")));

    let tag = format!(
        "{}{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() % 100_000)
    );
    reset_peak_rss(&args.pids);
    let stop_watching = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let anon_watch = watch_anon(args.pids.clone(), stop_watching.clone());
    let self_pid = [std::process::id()];
    let (server_cpu0, self_cpu0) = (cpu_ticks(&args.pids), cpu_ticks(&self_pid));
    let t0 = Instant::now();
    let window_start = t0 + Duration::from_secs(args.warmup);
    let window_end = window_start + Duration::from_secs(args.seconds);
    let hist = Histogram::<u64>::new_with_bounds(1, 120_000_000, 3).expect("histogram bounds");
    let (users, seconds, warmup, host) = (args.users, args.seconds, args.warmup, args.host.clone());
    let label = args.label.clone();
    let target = args.target;
    let pids = args.pids.clone();
    let out = args.out.clone();
    if SHARED
        .set(Shared {
            args,
            tag,
            window_start,
            window_end,
            hist: Mutex::new(hist),
            ok_in_window: AtomicU64::new(0),
            ok_total: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            statuses: Mutex::new(HashMap::new()),
            peer_tokens,
            mfa_taken: AtomicU64::new(0),
        })
        .is_err()
    {
        fail("initialised twice");
    }

    let attack = GooseAttack::initialize_with_config(goose::config::GooseConfiguration::default())
        .unwrap_or_else(|e| fail(e))
        .register_scenario(
            scenario!("bench")
                .register_transaction(transaction!(on_start).set_on_start())
                .register_transaction(transaction),
        )
        .set_default(GooseDefault::Host, host.as_str())
        .and_then(|a| a.set_default(GooseDefault::Users, users))
        // every user at once: the warm-up absorbs the start
        .and_then(|a| a.set_default(GooseDefault::IncreaseRate, "1000"))
        .and_then(|a| a.set_default(GooseDefault::RunTime, (warmup + seconds + 1) as usize))
        .and_then(|a| a.set_default(GooseDefault::Timeout, "60"))
        .and_then(|a| a.set_default(GooseDefault::NoGzip, true))
        .and_then(|a| a.set_default(GooseDefault::NoTelnet, true))
        .and_then(|a| a.set_default(GooseDefault::NoPrintMetrics, true))
        .and_then(|a| a.set_default(GooseDefault::NoErrorSummary, true))
        .and_then(|a| a.set_default(GooseDefault::Quiet, 1))
        .unwrap_or_else(|e| fail(e));
    if let Err(e) = attack.execute().await {
        fail(format!("goose: {e}"));
    }
    let elapsed = t0.elapsed();
    stop_watching.store(true, Ordering::Relaxed);
    let anon = anon_watch.join().unwrap_or(None);
    // cores busy on average over the whole attack (warm-up included)
    let cores = |ticks: u64| ticks as f64 / 100.0 / elapsed.as_secs_f64();
    let server_cores = cores(cpu_ticks(&pids).saturating_sub(server_cpu0));
    let load_cores = cores(cpu_ticks(&self_pid).saturating_sub(self_cpu0));
    if elapsed < Duration::from_secs(warmup + seconds) {
        eprintln!("load: warning: the attack ended after {elapsed:?}, before the window closed");
    }

    let s = shared();
    let hist = s.hist.lock().expect("histogram");
    let ok = s.ok_in_window.load(Ordering::Relaxed);
    let errors = s.errors.load(Ordering::Relaxed);
    let rps = ok as f64 / seconds as f64;
    let rss = peak_rss_kib(&pids);
    let statuses: HashMap<String, u64> = s
        .statuses
        .lock()
        .expect("statuses")
        .iter()
        .map(|(k, v)| (k.to_string(), *v))
        .collect();
    let line = json!({
        "kind": "scenario",
        "label": label,
        "target": match target { Target::Registrar => "registrar", Target::Peer => "peer" },
        "scenario": kind.name(),
        "users": users,
        "seconds": seconds,
        "warmup": warmup,
        "requests": ok,
        "requests_total": s.ok_total.load(Ordering::Relaxed),
        "rps": rps,
        "p50_us": if ok > 0 { hist.value_at_quantile(0.50) } else { 0 },
        "p99_us": if ok > 0 { hist.value_at_quantile(0.99) } else { 0 },
        "max_us": hist.max(),
        "errors": errors,
        "error_statuses": statuses,
        "rss_kib": rss,
        "anon_kib": anon,
        "server_cores": (server_cores * 100.0).round() / 100.0,
        "load_cores": (load_cores * 100.0).round() / 100.0,
    });
    eprintln!(
        "load: {label} {:<16} {:>9.1} req/s  p50 {:>8.2} ms  p99 {:>8.2} ms  errors {errors}  peak RSS {} (anonymous {})  CPU server {server_cores:.2} load {load_cores:.2}",
        kind.name(),
        rps,
        hist.value_at_quantile(0.5) as f64 / 1000.0,
        hist.value_at_quantile(0.99) as f64 / 1000.0,
        rss.map_or("?".to_owned(), |k| format!("{:.1} MiB", k as f64 / 1024.0)),
        anon.map_or("?".to_owned(), |k| format!("{:.1} MiB", k as f64 / 1024.0)),
    );
    println!("{line}");
    if let Some(path) = out {
        let mut f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .unwrap_or_else(|e| fail(format!("{}: {e}", path.display())));
        writeln!(f, "{line}").unwrap_or_else(|e| fail(format!("{}: {e}", path.display())));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn status_lines_give_their_kib() {
        let status = "Name:\tregistrar\nVmHWM:\t  105804 kB\nRssAnon:\t   63240 kB\nRssFile:\t   34000 kB\n";
        assert_eq!(super::status_kib(status, "VmHWM:"), Some(105_804));
        assert_eq!(super::status_kib(status, "RssAnon:"), Some(63_240));
        assert_eq!(super::status_kib(status, "RssShmem:"), None);
    }

    #[test]
    fn the_anonymous_memory_of_this_process_is_read() {
        let kib = super::anon_kib(&[std::process::id()]).expect("RssAnon of this process");
        assert!(kib > 0, "{kib}");
        assert_eq!(super::anon_kib(&[]), None);
    }

    /// RFC 6238 appendix B, SHA-1, the last six of its eight digits.
    #[test]
    fn totp_gives_the_rfc_6238_codes() {
        let secret = b"12345678901234567890";
        assert_eq!(super::totp(secret, 59), "287082");
        assert_eq!(super::totp(secret, 1_111_111_109), "081804");
        assert_eq!(super::totp(secret, 2_000_000_000), "279037");
    }
}
