//! Breached passwords (issue 16): a filter built from a generated Pwned
//! Passwords file refuses its passwords wherever a password is set, in each
//! family's shape and language; it is kept in the database, so a new server
//! has it from the start and another instance notices an import.

use std::io::Cursor;
use std::time::{Duration, Instant};

use registrar::config::Config;
use registrar_domain::breached::hibp_hash;
use registrar_domain::Actor;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

/// On the generated list.
const BREACHED: &str = "Kittens-Breached-2019";
/// Not on it (nor on the common list).
const FINE: &str = "Violet-Lantern-Quay-58";
const CORE_MESSAGE: &str = "This password has appeared in a data breach; choose another.";

/// A Pwned Passwords file: a few thousand random SHA-1 hashes and the
/// hash of `BREACHED`, sorted by hash as the real list is, CRLF lines.
fn pwned_file() -> String {
    let run = uuid::Uuid::new_v4();
    let mut lines: Vec<String> = (0..3_000)
        .map(|i| format!("{}:{}", hibp_hash(&format!("{run}-{i}")), i % 50 + 1))
        .collect();
    lines.push(format!("{}:12", hibp_hash(BREACHED)));
    lines.sort();
    lines.join("\r\n")
}

/// The stored filter is re-checked every second.
fn recheck_every_second(c: &mut Config) {
    c.password.breached_recheck = 1;
}

/// Imports the file through `app`'s own service (another instance than its
/// server, as the CLI is).
async fn import(app: &TestApp) {
    let import = app
        .service
        .import_breached(&Actor::Cli, Cursor::new(pwned_file()), 1)
        .await
        .expect("imported");
    assert_eq!(import.entries, 3_001);
}

/// A core registration of a new address with `password`.
async fn register_with(app: &TestApp, password: &str, language: &str) -> (StatusCode, Value) {
    let mut body = app.registration(&unique_email());
    body["password"] = json!(password);
    parts(
        send(
            app.post("/api/register")
                .header("Accept-Language", language)
                .json(&body),
        )
        .await,
    )
    .await
}

/// Waits until `app`'s server refuses `BREACHED` (it re-checks the stored
/// filter every second): how long that took.
async fn refused_within(app: &TestApp, limit: Duration) -> Duration {
    let start = Instant::now();
    loop {
        let (status, body) = register_with(app, BREACHED, "en").await;
        if status == StatusCode::BAD_REQUEST {
            assert_eq!(body["errors"]["password"], json!([CORE_MESSAGE]), "{body}");
            return start.elapsed();
        }
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(start.elapsed() < limit, "not refused within {limit:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// An app whose server refuses `BREACHED`.
async fn app_with_the_list(backend: Backend) -> TestApp {
    let app = spawn_app_with(backend, recheck_every_second).await;
    import(&app).await;
    refused_within(&app, Duration::from_secs(10)).await;
    app
}

async fn a_breached_password_is_refused_at_registration_in_every_family_and_another_accepted(backend: Backend) {
    let app = app_with_the_list(backend).await;

    // core, in the request's language
    let (status, body) = register_with(&app, BREACHED, "nl").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["errors"]["password"],
        json!(["Dit wachtwoord is uitgelekt bij een datalek; kies een ander."])
    );
    assert_eq!(
        register_with(&app, FINE, "en").await.0,
        StatusCode::OK,
        "not on the list"
    );

    // users (Laravel's shape)
    let mut harrie = json!({"first_name": "Harrie", "last_name": "Tiggelen", "email": unique_email(),
                            "postal_code": "5673RE", "password": BREACHED});
    let (status, body) = parts(send(app.post("/api/users/register").json(&harrie)).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body,
        json!({"message": "The given data was invalid.",
               "errors": {"password": ["The password has appeared in a data breach; choose another one."]}})
    );
    harrie["password"] = json!(FINE);
    let (status, _) = parts(send(app.post("/api/users/register").json(&harrie)).await).await;
    assert_eq!(status, StatusCode::CREATED);

    // typed (its check name and message)
    let token = app.invite(1).await;
    let customer = |password: &str| {
        json!({"token": token, "usertype": "customer", "email": unique_email(), "display_name": "jdoe",
               "full_name": "Jane Doe", "postcode": "SW1A 1AA", "year_of_birth": 1990, "password": password})
    };
    let (status, body) = parts(
        send(
            app.post("/api/register")
                .header("Accept-Language", "de")
                .json(&customer(BREACHED)),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::BAD_REQUEST,
            json!({"success": false, "error": "password",
                   "message": "Das Passwort ist in einem Datenleck aufgetaucht; bitte wählen Sie ein anderes."})
        )
    );
    let (status, body) = parts(send(app.post("/api/register").json(&customer(FINE))).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // signup: the password given with consent (its code for any bad password)
    let email = unique_email();
    app.signup(&email).await;
    let mail = app.wait_for_mails(&email, 1).await.pop().expect("mail");
    let id = token_of_link(&link_in(&mail, "/confirm/signup/").expect("a signup link"));
    let confirm = |password: &str| json!({"consent": 1, "password": password});
    let (status, body) = parts(
        app.post_json(&format!("/confirm/signup/{id}"), &confirm(BREACHED))
            .await,
    )
    .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::BAD_REQUEST,
            json!({"result": "error", "error": "passwordInvalid"})
        )
    );
    let (status, _) = parts(app.post_json(&format!("/confirm/signup/{id}"), &confirm(FINE)).await).await;
    assert_eq!(status, StatusCode::OK);
}

async fn change_password_and_reset_refuse_a_breached_password(backend: Backend) {
    let app = app_with_the_list(backend).await;
    let email = unique_email();
    app.register(&email).await;
    let change = |new_password: &str| {
        json!({"grant_type": "password", "client_id": app.client_id, "device_name": "d", "device_id": "d",
               "username": email, "password": PASSWORD, "new_password": new_password})
    };
    let (status, body) = app.post_parts("/api/change-password", &change(BREACHED)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"]["new_password"], json!([CORE_MESSAGE]));
    assert_eq!(
        app.login(&email, PASSWORD, "d").await.status(),
        StatusCode::OK,
        "unchanged"
    );

    app.forgot_password(&email).await;
    let token = app.reset_token(&email).await;
    let (status, body) = parts(app.reset_password(&token, BREACHED).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"]["password"], json!([CORE_MESSAGE]));
    let (status, _) = parts(app.reset_password(&token, FINE).await).await;
    assert_eq!(status, StatusCode::OK, "the link still works for a good password");
    assert_eq!(app.login(&email, FINE, "d").await.status(), StatusCode::OK);
    assert_eq!(app.login(&email, BREACHED, "d").await.status(), StatusCode::BAD_REQUEST);
}

async fn a_new_server_on_the_same_database_refuses_from_its_start(backend: Backend) {
    let app = app_with_the_list(backend).await;
    // No re-check within the test: only the load at start can know the list.
    let restarted = app.another_instance(|c| c.password.breached_recheck = 3_600).await;
    let (status, body) = register_with(&restarted, BREACHED, "en").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["errors"]["password"], json!([CORE_MESSAGE]));
    assert_eq!(register_with(&restarted, FINE, "en").await.0, StatusCode::OK);
}

async fn an_import_through_one_instance_reaches_the_other_within_its_recheck_period(backend: Backend) {
    let first = spawn_app_with(backend, recheck_every_second).await;
    let second = first.another_instance(recheck_every_second).await;
    assert_eq!(
        register_with(&first, BREACHED, "en").await.0,
        StatusCode::OK,
        "no list imported yet"
    );
    import(&second).await;
    // One period, and the time a check and a load take.
    let took = refused_within(&first, Duration::from_secs(5)).await;
    assert!(took < Duration::from_secs(5), "{took:?}");
    refused_within(&second, Duration::from_secs(5)).await;
}

on_both_backends!(
    a_breached_password_is_refused_at_registration_in_every_family_and_another_accepted,
    change_password_and_reset_refuse_a_breached_password,
    a_new_server_on_the_same_database_refuses_from_its_start,
    an_import_through_one_instance_reaches_the_other_within_its_recheck_period,
);
