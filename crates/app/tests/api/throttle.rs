//! Throttling and lockout over HTTP: 429 with `Retry-After` in each family's
//! shape, recovery once the window or lock is over (short windows, seconds),
//! counts shared by two instances on one database, client addresses behind
//! trusted proxies, the enumeration answers, and the request-head limit.

use std::time::{Duration, Instant};

use registrar::config::Config;
use reqwest::header::HeaderMap;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{answer, parts, send, spawn_app_with, unique_email, Backend, TestApp, PASSWORD};

on_both_backends!(
    failed_logins_lock_the_account_in_the_core_and_users_shapes_until_the_lock_ends,
    a_lockout_on_one_instance_is_seen_by_another_on_the_same_database,
    registrations_per_address_are_refused_in_every_familys_shape_until_the_window_ends,
    forgot_password_and_resend_are_limited_per_address_in_their_shapes,
    unreadable_bodies_are_limited_per_address,
    behind_a_trusted_proxy_each_forwarded_client_has_its_own_count,
    enumeration_answers_are_byte_identical_for_known_and_unknown_addresses,
    enumeration_answers_take_about_the_same_time,
    a_request_head_over_the_limit_is_a_431_in_the_core_shape,
);

/// Short windows, so that a test sees the end of one in a second or two.
fn tight(c: &mut Config) {
    let t = &mut c.throttle;
    t.login_failures_per_account = 2;
    t.login_window = 60;
    t.lockout = 1;
    t.lockout_max = 2;
    t.registrations_per_ip = 2;
    t.registration_window = 2;
    t.mails_per_address = 2;
    t.mail_window = 2;
    t.malformed_per_ip = 2;
    t.malformed_window = 2;
}

/// The seconds `Retry-After` says, checked to be within `1..=most`.
fn retry_after(headers: &HeaderMap, most: u64) -> u64 {
    let seconds: u64 = headers
        .get("retry-after")
        .expect("a 429 carries Retry-After")
        .to_str()
        .expect("ascii")
        .parse()
        .expect("whole seconds");
    assert!((1..=most).contains(&seconds), "Retry-After {seconds} not in 1..={most}");
    seconds
}

async fn wait(seconds: u64) {
    tokio::time::sleep(Duration::from_millis(seconds * 1000 + 100)).await;
}

fn core_429() -> Value {
    json!({"success": false, "error": "too_many_attempts", "message": "Too many attempts. Please try again later.",
           "error_description": "Too many attempts. Please try again later."})
}

async fn users_login(app: &TestApp, email: &str, password: &str) -> Response {
    app.post_json("/api/users/login", &json!({"username": email, "password": password}))
        .await
}

async fn failed_logins_lock_the_account_in_the_core_and_users_shapes_until_the_lock_ends(backend: Backend) {
    let app = spawn_app_with(backend, tight).await;
    let email = unique_email();
    app.register(&email).await;
    for _ in 0..2 {
        let (status, body) = parts(app.login(&email, "Wrong-Password-1", "d").await).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_grant"))
        );
    }
    let response = app.login(&email, PASSWORD, "d").await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let seconds = retry_after(response.headers(), 1);
    assert_eq!(response.json::<Value>().await.expect("json"), core_429());
    let (status, retry, body) = answer(users_login(&app, &email, PASSWORD).await).await;
    assert_eq!(
        (status, retry, body),
        (
            StatusCode::TOO_MANY_REQUESTS,
            Some(1),
            json!({"message": "Too many attempts"})
        ),
        "the users API refuses the locked account in its own shape"
    );
    let change = send(app.post("/api/change-password").json(
        &json!({"grant_type": "password", "client_id": app.client_id, "device_id": "d", "device_name": "d",
                      "username": email, "password": PASSWORD, "new_password": "Brand-New-Secret-9"}),
    ))
    .await;
    assert_eq!(
        change.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "nor may it change its password"
    );
    wait(seconds).await;
    assert_eq!(
        app.login(&email, PASSWORD, "d").await.status(),
        StatusCode::OK,
        "the lock is over"
    );
    // The success started the count again: one more failure does not lock.
    app.login(&email, "Wrong-Password-1", "d").await;
    assert_eq!(app.login(&email, PASSWORD, "d").await.status(), StatusCode::OK);
}

async fn a_lockout_on_one_instance_is_seen_by_another_on_the_same_database(backend: Backend) {
    let lock_for_a_minute = |c: &mut Config| {
        tight(c);
        c.throttle.lockout = 60;
        c.throttle.lockout_max = 120;
    };
    let first = spawn_app_with(backend, lock_for_a_minute).await;
    let second = first.another_instance(lock_for_a_minute).await;
    let email = unique_email();
    first.register(&email).await;
    assert_eq!(second.login(&email, PASSWORD, "d").await.status(), StatusCode::OK);
    for _ in 0..2 {
        first.login(&email, "Wrong-Password-1", "d").await;
    }
    let response = second.login(&email, PASSWORD, "d").await;
    assert_eq!(
        response.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the second instance sees the lock"
    );
    retry_after(response.headers(), 60);
    assert_eq!(response.json::<Value>().await.expect("json"), core_429());
}

async fn registrations_per_address_are_refused_in_every_familys_shape_until_the_window_ends(backend: Backend) {
    let app = spawn_app_with(backend, tight).await;
    app.register(&unique_email()).await;
    // A refused registration counts too: the second attempt fills the window.
    let (status, _) = parts(app.post_json("/api/register", &json!({})).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let email = unique_email();
    let (status, retry, body) = answer(app.post_json("/api/register", &app.registration(&email)).await).await;
    assert_eq!((status, body), (StatusCode::TOO_MANY_REQUESTS, core_429()), "core");
    assert!(
        retry.is_some_and(|s| (1..=2).contains(&s)),
        "core Retry-After {retry:?}"
    );

    let token = app.invite(1).await;
    let typed = json!({"token": token, "usertype": "customer", "email": unique_email(), "display_name": "jdoe",
                       "full_name": "Jane Doe", "postcode": "SW1A 1AA", "year_of_birth": 1990, "password": PASSWORD});
    let (status, retry, body) = answer(app.post_json("/api/register", &typed).await).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::TOO_MANY_REQUESTS,
            json!({"success": false, "message": "Too many attempts. Please try again later.", "error": "too_many_attempts"})
        ),
        "typed"
    );
    assert!(retry.is_some(), "typed Retry-After");

    let users = json!({"first_name": "Harrie", "last_name": "Tiggelen", "email": unique_email(),
                       "postal_code": "5673RE", "password": "SweetKittens23#"});
    let (status, retry, body) = answer(app.post_json("/api/users/register", &users).await).await;
    assert_eq!(
        (status, body),
        (StatusCode::TOO_MANY_REQUESTS, json!({"message": "Too many attempts"})),
        "users"
    );
    assert!(retry.is_some(), "users Retry-After");

    let (status, retry, body) = answer(app.signup(&unique_email()).await).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::TOO_MANY_REQUESTS,
            json!({"result": "error", "error": "tooManyAttempts"})
        ),
        "signup"
    );
    assert!(retry.is_some(), "signup Retry-After");

    let login = app.login("nobody@example.com", PASSWORD, "d").await;
    assert_eq!(login.status(), StatusCode::BAD_REQUEST, "logins are not registrations");

    wait(2).await;
    let response = app.post_json("/api/register", &app.registration(&email)).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "the next window takes registrations again"
    );
}

async fn forgot_password_and_resend_are_limited_per_address_in_their_shapes(backend: Backend) {
    let app = spawn_app_with(backend, tight).await;
    let email = unique_email();
    app.register(&email).await;
    let forgot = || async { answer(app.post_json("/api/forgot-password", &json!({"username": email})).await).await };
    assert_eq!(forgot().await.0, StatusCode::OK);
    let resend = app.post_json("/api/mails/verify", &json!({"email": email})).await;
    assert_eq!(resend.status(), StatusCode::CREATED);
    let (status, retry, body) = forgot().await;
    assert_eq!((status, body), (StatusCode::TOO_MANY_REQUESTS, core_429()));
    let seconds = retry.expect("Retry-After");
    assert!((1..=2).contains(&seconds));
    let (status, retry, body) = answer(
        app.post_json("/api/mails/verify", &json!({"email": email.to_uppercase()}))
            .await,
    )
    .await;
    assert_eq!(
        (status, body),
        (StatusCode::TOO_MANY_REQUESTS, json!({"message": "Too many attempts"}))
    );
    assert!(retry.is_some());
    let other = app
        .post_json("/api/forgot-password", &json!({"username": unique_email()}))
        .await;
    assert_eq!(other.status(), StatusCode::OK, "another address has its own count");
    wait(seconds).await;
    assert_eq!(forgot().await.0, StatusCode::OK, "the next window");
}

async fn unreadable_bodies_are_limited_per_address(backend: Backend) {
    let app = spawn_app_with(backend, tight).await;
    let garbage = |path: &'static str| {
        app.post(path)
            .header("content-type", "application/json")
            .body("{not json")
            .send()
    };
    for _ in 0..2 {
        assert_eq!(
            garbage("/api/token").await.expect("r").status(),
            StatusCode::BAD_REQUEST
        );
    }
    let (status, retry, body) = answer(garbage("/api/token").await.expect("r")).await;
    assert_eq!((status, body), (StatusCode::TOO_MANY_REQUESTS, core_429()));
    let seconds = retry.expect("Retry-After");
    let (status, _, body) = answer(garbage("/api/users/register").await.expect("r")).await;
    assert_eq!(
        (status, body),
        (StatusCode::TOO_MANY_REQUESTS, json!({"message": "Too many attempts"}))
    );
    let (status, _, body) = answer(garbage("/signup").await.expect("r")).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::TOO_MANY_REQUESTS,
            json!({"result": "error", "error": "tooManyAttempts"})
        )
    );
    // Well-formed requests from the same address go on as usual.
    let email = unique_email();
    app.register(&email).await;
    wait(seconds).await;
    assert_eq!(
        garbage("/api/token").await.expect("r").status(),
        StatusCode::BAD_REQUEST
    );
}

async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_count(backend: Backend) {
    let behind_proxy = |c: &mut Config| {
        tight(c);
        c.throttle.registration_window = 60;
        c.http.trusted_proxies = vec!["127.0.0.1".into()];
    };
    let app = spawn_app_with(backend, behind_proxy).await;
    let register = |client: &'static str| {
        app.post("/api/register")
            .header("x-forwarded-for", format!("203.0.113.50, {client}"))
            .json(&app.registration(&unique_email()))
            .send()
    };
    for _ in 0..2 {
        assert_eq!(register("198.51.100.1").await.expect("r").status(), StatusCode::OK);
    }
    assert_eq!(
        register("198.51.100.1").await.expect("r").status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        register("198.51.100.2").await.expect("r").status(),
        StatusCode::OK,
        "another client behind the same proxy"
    );

    // Without trusted proxies the header is the client's word and changes nothing.
    let direct = spawn_app_with(backend, |c| {
        tight(c);
        c.throttle.registration_window = 60;
    })
    .await;
    for (i, forwarded) in ["198.51.100.1", "198.51.100.2", "198.51.100.3"].iter().enumerate() {
        let status = direct
            .post("/api/register")
            .header("x-forwarded-for", *forwarded)
            .json(&direct.registration(&unique_email()))
            .send()
            .await
            .expect("r")
            .status();
        let expected = if i < 2 {
            StatusCode::OK
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(status, expected, "attempt {i} with X-Forwarded-For {forwarded}");
    }
}

/// Status, the headers that are not per-request, and the body bytes, with
/// `address` (echoed by some answers) written as `<address>`.
pub(crate) async fn comparable(response: Response, address: &str) -> (StatusCode, Vec<(String, String)>, String) {
    let status = response.status();
    let mut headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .filter(|(name, _)| !["x-request-id", "date"].contains(&name.as_str()))
        .map(|(name, value)| (name.to_string(), value.to_str().unwrap_or("?").to_owned()))
        .collect();
    headers.sort();
    let body = response.text().await.expect("body").replace(address, "<address>");
    (status, headers, body)
}

/// The same request for a known and an unknown address.
pub(crate) async fn enumeration_pair(
    app: &TestApp,
    path: &str,
    field: &str,
    known: &str,
    extra: &Value,
) -> [(StatusCode, Vec<(String, String)>, String); 2] {
    let mut out = Vec::new();
    for address in [known.to_owned(), unique_email()] {
        let mut body = extra.clone();
        body[field] = json!(address);
        let response = app.post_json(path, &body).await;
        out.push(comparable(response, &address).await);
    }
    [out.remove(0), out.remove(0)]
}

async fn enumeration_answers_are_byte_identical_for_known_and_unknown_addresses(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let email = unique_email();
    app.register(&email).await;
    let [known, unknown] = enumeration_pair(&app, "/api/forgot-password", "username", &email, &json!({})).await;
    assert_eq!(known.0, StatusCode::OK);
    assert_eq!(known, unknown, "forgot-password");
    let [known, unknown] = enumeration_pair(&app, "/api/mails/verify", "email", &email, &json!({})).await;
    assert_eq!(known.0, StatusCode::CREATED);
    assert_eq!(known, unknown, "resend to an unconfirmed address");
    let [known, unknown] = enumeration_pair(&app, "/signup", "email", &email, &json!({"language": "en"})).await;
    assert_eq!(known.0, StatusCode::CREATED);
    assert_eq!(known, unknown, "email-first signup");
    let mut wrong = Vec::new();
    for address in [email.clone(), unique_email()] {
        wrong.push(comparable(app.login(&address, "Wrong-Password-1", "d").await, &address).await);
    }
    assert_eq!(wrong[0], wrong[1], "login: wrong password and unknown address");
}

/// Median time of `rounds` requests built by `send`.
fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

async fn enumeration_answers_take_about_the_same_time(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let email = unique_email();
    app.register(&email).await;
    let cases: [(&str, &str, Value); 3] = [
        ("/api/forgot-password", "username", json!({})),
        ("/api/mails/verify", "email", json!({})),
        (
            "/api/token",
            "username",
            json!({"grant_type": "password", "client_id": app.client_id,
            "device_id": "d", "device_name": "d", "password": "Wrong-Password-1"}),
        ),
    ];
    for (path, field, extra) in cases {
        assert_about_the_same_time(&app, path, field, &email, &extra).await;
    }
}

/// The same request for `known` and for fresh unknown addresses, nine of
/// each, interleaved: the medians are within a loose bound of each other
/// (three times, plus 15 ms for a busy machine).
pub(crate) async fn assert_about_the_same_time(app: &TestApp, path: &str, field: &str, known: &str, extra: &Value) {
    let (mut known_times, mut unknown_times) = (Vec::new(), Vec::new());
    // Interleaved, so that whatever else the machine does weighs on both.
    for _ in 0..9 {
        for (address, times) in [
            (known.to_owned(), &mut known_times),
            (unique_email(), &mut unknown_times),
        ] {
            let mut body = extra.clone();
            body[field] = json!(address);
            let started = Instant::now();
            let response = app.post_json(path, &body).await;
            response.bytes().await.expect("body");
            times.push(started.elapsed());
        }
    }
    let (known, unknown) = (median(known_times), median(unknown_times));
    let (fast, slow) = if known < unknown {
        (known, unknown)
    } else {
        (unknown, known)
    };
    assert!(
        slow <= fast * 3 + Duration::from_millis(15),
        "{path}: known {known:?} vs unknown {unknown:?}"
    );
}

async fn a_request_head_over_the_limit_is_a_431_in_the_core_shape(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let (status, body) = parts(send(app.get("/api/policies").header("x-padding", "a".repeat(8 * 1024))).await).await;
    assert_eq!(status, StatusCode::OK, "8 KiB of headers are fine: {body}");
    let (status, body) = parts(send(app.get("/api/policies").header("x-padding", "a".repeat(20 * 1024))).await).await;
    assert_eq!(status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    assert_eq!(body["success"], json!(false));
    assert_eq!(body["error"], json!("invalid_request"));
    let squeezed = spawn_app_with(backend, |c| c.http.max_header_bytes = 4096).await;
    let status = squeezed
        .get("/api/policies")
        .header("x-padding", "a".repeat(8 * 1024))
        .send()
        .await
        .expect("r")
        .status();
    assert_eq!(
        status,
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        "the limit is configurable"
    );
}
