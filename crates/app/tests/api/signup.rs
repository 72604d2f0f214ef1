//! Email-first signup (seed 002) over HTTP.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

async fn signup(app: &TestApp, body: Value) -> (StatusCode, Value) {
    parts(app.post("/signup").json(&body).send().await.expect("r")).await
}

async fn confirm(app: &TestApp, id: &str, body: Value) -> (StatusCode, Value) {
    parts(
        app.post(&format!("/confirm/signup/{id}"))
            .json(&body)
            .send()
            .await
            .expect("r"),
    )
    .await
}

/// The id of the signup link in the newest mail to `email`.
async fn signup_id(app: &TestApp, email: &str, mails: usize) -> String {
    let mail = app.wait_for_mails(email, mails).await.pop().expect("mail");
    token_of_link(&link_in(&mail, "/confirm/signup/").expect("a signup link"))
}

async fn seed_002_example_creates_an_inactive_account_and_mails_its_link(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, body) = signup(&app, json!({"email": "joost@joost.at", "language": "en"})).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::CREATED,
            json!({"result": "success", "email": "joost@joost.at"})
        )
    );
    let mail = app.wait_for_mails("joost@joost.at", 1).await.remove(0);
    assert!(link_in(&mail, "/confirm/signup/").is_some(), "{mail}");
    assert!(six_digit_code(&mail).is_some(), "the code too");
    // Inactive: no password can log in.
    let (status, body) = parts(app.login("joost@joost.at", PASSWORD, "d").await).await;
    assert_eq!(
        (status, body["error"].clone()),
        (StatusCode::BAD_REQUEST, json!("invalid_grant"))
    );
}

async fn signup_errors_carry_the_seeds_codes(backend: Backend) {
    let app = spawn_app(backend).await;
    let empty = app
        .post("/signup")
        .header("Content-Type", "application/json")
        .send()
        .await
        .expect("r");
    let (status, body) = parts(empty).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::BAD_REQUEST,
            json!({"result": "error", "error": "postBodyMissing"})
        )
    );
    for (body, code) in [
        (json!({}), "postBodyMissing"),
        (json!({"language": "en"}), "emailMissing"),
        (json!({"email": "nope", "language": "en"}), "emailInvalid"),
        (json!({"email": unique_email()}), "languageMissing"),
        (
            json!({"email": unique_email(), "language": "ja"}),
            "unsupportedLanguage",
        ),
    ] {
        let (status, answer) = signup(&app, body.clone()).await;
        assert_eq!(
            (status, answer),
            (StatusCode::BAD_REQUEST, json!({"result": "error", "error": code})),
            "{body}"
        );
    }
}

async fn an_address_that_has_an_account_answers_the_same_and_its_owner_is_warned(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    app.register(&email).await;
    let (status, body) = signup(&app, json!({"email": email, "language": "nl"})).await;
    assert_eq!(
        (status, body),
        (StatusCode::CREATED, json!({"result": "success", "email": email}))
    );
    let mails = app.wait_for_mails(&email, 2).await;
    assert!(
        link_in(&mails[1], "/confirm/signup/").is_none(),
        "no signup link for an existing account"
    );
    assert!(
        link_in(&mails[1], "/reset-password/").is_some(),
        "a way back in: {}",
        mails[1]
    );
}

async fn confirming_needs_consent_and_a_live_id_then_answers_the_token_and_account(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    signup(&app, json!({"email": email, "language": "de"})).await;
    let id = signup_id(&app, &email, 1).await;
    for body in [json!({}), json!({"consent": 0}), json!({"consent": "yes"})] {
        let (status, answer) = confirm(&app, &id, body).await;
        assert_eq!(
            (status, answer),
            (
                StatusCode::BAD_REQUEST,
                json!({"result": "error", "error": "consentRequired"})
            )
        );
    }
    let (status, answer) = confirm(&app, &"ab".repeat(32), json!({"consent": 1})).await;
    assert_eq!(
        (status, answer),
        (
            StatusCode::NOT_FOUND,
            json!({"result": "error", "error": "failedToFindConfirmationId"})
        )
    );
    let (status, body) = confirm(&app, &id, json!({"consent": 2, "password": PASSWORD})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["result"], "success");
    assert!(is_token(&body["token"]));
    let account = &body["account"];
    assert_eq!(account["email"], email.as_str());
    assert_eq!(account["language"], "de");
    assert_eq!(account["status"], 1);
    assert_eq!(account["consent"], 2);
    assert!(account["id"].is_string());
    let (_, me) = parts(app.me(body["token"].as_str().expect("t")).await).await;
    assert_eq!(me["email_confirmed"], true);
    assert_eq!(me["id"], account["id"]);
    assert_eq!(
        app.login(&email, PASSWORD, "d").await.status(),
        StatusCode::OK,
        "active with its password"
    );
    let (status, _) = confirm(&app, &id, json!({"consent": 1})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "used");
}

async fn an_account_without_a_password_sets_one_through_reset(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    signup(&app, json!({"email": email, "language": "en"})).await;
    let id = signup_id(&app, &email, 1).await;
    assert_eq!(confirm(&app, &id, json!({"consent": 1})).await.0, StatusCode::OK);
    app.post("/api/forgot-password")
        .json(&json!({"username": email}))
        .send()
        .await
        .expect("r");
    let reset = token_of_link(&link_in(&app.wait_for_mails(&email, 2).await[1], "/reset-password/").expect("link"));
    let response = app
        .post("/api/reset-password")
        .json(&json!({"token": reset, "password": PASSWORD}))
        .send()
        .await
        .expect("r");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(app.login(&email, PASSWORD, "d").await.status(), StatusCode::OK);
}

async fn the_code_of_the_signup_mail_confirms_through_the_users_api(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    signup(&app, json!({"email": email, "language": "en"})).await;
    let code = six_digit_code(&app.wait_for_mails(&email, 1).await[0]).expect("code");
    let response = app
        .post("/api/users/validation")
        .json(&json!({"email": email, "token": code}))
        .send()
        .await
        .expect("r");
    assert_eq!(response.status(), StatusCode::CREATED);
}

on_both_backends!(
    seed_002_example_creates_an_inactive_account_and_mails_its_link,
    signup_errors_carry_the_seeds_codes,
    an_address_that_has_an_account_answers_the_same_and_its_owner_is_warned,
    confirming_needs_consent_and_a_live_id_then_answers_the_token_and_account,
    an_account_without_a_password_sets_one_through_reset,
    the_code_of_the_signup_mail_confirms_through_the_users_api,
);
