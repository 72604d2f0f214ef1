//! Guessable inputs beyond the login: typed codes per client and per
//! address (across every code mailed), the password that `DELETE /api/me`
//! asks for, and a reset that ends a lockout.

use std::time::Duration;

use registrar::config::Config;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

on_both_backends!(
    code_tries_are_limited_per_client_address_whatever_the_address,
    failed_codes_are_limited_per_address_across_new_codes,
    wrong_passwords_on_delete_me_count_as_failed_logins_and_a_lockout_refuses_it,
    a_password_reset_ends_the_login_lockout,
);

async fn validate(app: &TestApp, email: &str, code: &str) -> (StatusCode, Option<u64>, Value) {
    answer(
        app.post_json("/api/users/validation", &json!({"email": email, "token": code}))
            .await,
    )
    .await
}

async fn code_tries_are_limited_per_client_address_whatever_the_address(backend: Backend) {
    let app = spawn_app_with(backend, |c: &mut Config| {
        c.throttle.code_attempts_per_ip = 3;
        c.throttle.code_window = 2;
    })
    .await;
    // Probing for accounts: unknown addresses answer the contract's 404 ...
    for _ in 0..3 {
        let (status, _, body) = validate(&app, &unique_email(), "123456").await;
        assert_eq!(
            (status, body),
            (StatusCode::NOT_FOUND, json!({"message": "No account with this email"}))
        );
    }
    // ... until this client has used its tries: then a 429 whatever the address.
    let email = unique_email();
    let code = app.register_for_code(&email).await;
    let (status, retry, body) = validate(&app, &email, &code).await;
    assert_eq!(
        (status, body),
        (StatusCode::TOO_MANY_REQUESTS, json!({"message": "Too many attempts"}))
    );
    let seconds = retry.expect("Retry-After");
    assert!((1..=2).contains(&seconds), "{seconds}");
    tokio::time::sleep(Duration::from_millis(seconds * 1000 + 100)).await;
    let (status, _, body) = validate(&app, &email, &code).await;
    assert_eq!((status, body), (StatusCode::CREATED, json!({"message": "Validated"})));
}

async fn failed_codes_are_limited_per_address_across_new_codes(backend: Backend) {
    let app = spawn_app_with(backend, |c: &mut Config| {
        c.throttle.code_failures_per_address = 7;
        c.throttle.code_budget_window = 3600;
    })
    .await;
    let email = unique_email();
    let first = app.register_for_code(&email).await;
    // Five wrong tries kill the first code (as before) ...
    for _ in 0..5 {
        let (status, _, _) = validate(&app, &email, wrong_code(&first)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // ... a new code gives five new tries of its own, but the address's budget
    // (7 failures) runs out after two of them, and then even the right code waits.
    let resent = app.post_json("/api/mails/verify", &json!({"email": email})).await;
    assert_eq!(resent.status(), StatusCode::CREATED);
    let second = six_digit_code(&app.wait_for_mails(&email, 2).await[1]).expect("a new code");
    for _ in 0..2 {
        let (status, _, _) = validate(&app, &email, wrong_code(&second)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, retry, body) = validate(&app, &email, &second).await;
    assert_eq!(
        (status, body),
        (StatusCode::TOO_MANY_REQUESTS, json!({"message": "Too many attempts"})),
        "the budget spans codes"
    );
    assert!(
        retry.is_some_and(|s| s > 3000),
        "until the day's window ends: {retry:?}"
    );
    // Another address is not affected.
    let other = unique_email();
    let code = app.register_for_code(&other).await;
    assert_eq!(validate(&app, &other, &code).await.0, StatusCode::CREATED);
}

fn tight_logins(c: &mut Config) {
    c.throttle.login_failures_per_account = 2;
    c.throttle.login_window = 60;
    c.throttle.lockout = 60;
    c.throttle.lockout_max = 120;
}

async fn delete_me(app: &TestApp, access: &str, password: &str) -> (StatusCode, Option<u64>, Value) {
    answer(
        send(
            app.http
                .delete(app.url("/api/me"))
                .bearer_auth(access)
                .json(&json!({"password": password})),
        )
        .await,
    )
    .await
}

async fn wrong_passwords_on_delete_me_count_as_failed_logins_and_a_lockout_refuses_it(backend: Backend) {
    let app = spawn_app_with(backend, tight_logins).await;
    let email = unique_email();
    let pair = app.register(&email).await;
    let access = access_token(&pair).to_owned();
    for _ in 0..2 {
        let (status, _, body) = delete_me(&app, &access, "Wrong-Password-1").await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("validation_failed"))
        );
    }
    // The account is locked out now: the right password is refused too ...
    let (status, retry, body) = delete_me(&app, &access, PASSWORD).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("too_many_attempts"))
    );
    assert!(retry.is_some_and(|s| (1..=60).contains(&s)), "{retry:?}");
    // ... and so is a login: the same count.
    assert_eq!(
        app.login(&email, PASSWORD, "d").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        app.me(&access).await.status(),
        StatusCode::OK,
        "the account is still there"
    );

    // A lockout made by failed logins refuses DELETE /api/me as well.
    let other = unique_email();
    let pair = app.register(&other).await;
    for _ in 0..2 {
        app.login(&other, "Wrong-Password-1", "d").await;
    }
    let (status, _, _) = delete_me(&app, access_token(&pair), PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

async fn a_password_reset_ends_the_login_lockout(backend: Backend) {
    let app = spawn_app_with(backend, tight_logins).await;
    let email = unique_email();
    app.register(&email).await;
    for _ in 0..2 {
        app.login(&email, "Wrong-Password-1", "d").await;
    }
    assert_eq!(
        app.login(&email, PASSWORD, "d").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    app.forgot_password(&email).await;
    let token = app.reset_token(&email).await;
    let reset = app.reset_password(&token, "Brand-New-Secret-9").await;
    assert!(reset.status().is_success(), "{}", reset.status());
    assert_eq!(
        app.login(&email, "Brand-New-Secret-9", "d").await.status(),
        StatusCode::OK,
        "the reset proved the mailbox: the lockout is over"
    );
}
