//! Email-first signup over HTTP.

use reqwest::StatusCode;
use serde_json::{json, Value};

use registrar_store::{OutboxStore as _, UserStore as _};

use crate::helpers::*;

async fn signup(app: &TestApp, body: Value) -> (StatusCode, Value) {
    parts(app.post_json("/signup", &body).await).await
}

async fn confirm(app: &TestApp, id: &str, body: Value) -> (StatusCode, Value) {
    parts(app.post_json(&format!("/confirm/signup/{id}"), &body).await).await
}

/// The id of the signup link in the newest mail to `email`.
/// Signs `email` up and activates it with consent alone: the link's id.
async fn activated_without_a_password(app: &TestApp, email: &str) -> String {
    signup(app, json!({"email": email, "language": "en"})).await;
    let id = signup_id(app, email, 1).await;
    assert_eq!(confirm(app, &id, json!({"consent": 1})).await.0, StatusCode::OK);
    id
}

async fn signup_id(app: &TestApp, email: &str, mails: usize) -> String {
    let mail = app.wait_for_mails(email, mails).await.pop().expect("mail");
    token_of_link(&link_in(&mail, "/confirm/signup/").expect("a signup link"))
}

async fn the_documented_signup_example_creates_an_inactive_account_and_mails_its_link(backend: Backend) {
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
    assert_eq!(
        error_of(app.login("joost@joost.at", PASSWORD, "d").await).await,
        (StatusCode::BAD_REQUEST, json!("invalid_grant"))
    );
}

async fn signup_errors_carry_the_documented_codes(backend: Backend) {
    let app = spawn_app(backend).await;
    let empty = send(app.post("/signup").header("Content-Type", "application/json")).await;
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
    let mail = app.newest_mail_with_a_reset_link(&email, 2, "a way back in").await;
    assert!(
        link_in(&mail, "/confirm/signup/").is_none(),
        "no signup link for an existing account"
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
    activated_without_a_password(&app, &email).await;
    app.forgot_password(&email).await;
    let reset = app.reset_token(&email).await;
    let response = app.reset_password(&reset, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(app.login(&email, PASSWORD, "d").await.status(), StatusCode::OK);
}

async fn the_code_of_the_signup_mail_confirms_through_the_users_api(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    signup(&app, json!({"email": email, "language": "en"})).await;
    let code = six_digit_code(&app.wait_for_mails(&email, 1).await[0]).expect("code");
    let response = app
        .post_json("/api/users/validation", &json!({"email": email, "token": code}))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

/// Stores `PASSWORD` for the account behind the routes' backs (as an old
/// version or an import might have), so that only the missing consent can
/// turn a login away.
async fn give_password(app: &TestApp, email: &str) {
    let store = app.service.store();
    let user = store
        .user_by_email(&registrar_domain::Email::parse(email).expect("email"))
        .await
        .expect("lookup")
        .expect("the account");
    let rules = registrar_domain::PasswordPolicy::default();
    let password = registrar_domain::Password::presented(PASSWORD, &rules).expect("a password");
    let hash = registrar_service::PasswordHasher::new(app.service.settings().argon2)
        .hash(&password)
        .await
        .expect("hashes");
    store
        .set_password(&user.id, &hash, None, None, &[])
        .await
        .expect("stored");
}

/// Both ways a person can be turned away from an unfinished signup: the
/// core password grant and the users API's login.
async fn assert_no_login(app: &TestApp, email: &str, password: &str, why: &str) {
    assert_eq!(
        error_of(app.login(email, password, "d").await).await,
        (StatusCode::BAD_REQUEST, json!("invalid_grant")),
        "{why}: /api/token"
    );
    let users = app
        .post_json("/api/users/login", &json!({"username": email, "password": password}))
        .await;
    assert_eq!(users.status(), StatusCode::UNAUTHORIZED, "{why}: /api/users/login");
}

/// Issue 11, item 10: the signup mail says where its code is typed; the code
/// confirms the address, and the link still asks for (and records) consent.
async fn the_signup_code_confirms_the_address_and_the_link_still_asks_for_consent(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    signup(&app, json!({"email": email, "language": "en"})).await;
    let mail = app.wait_for_mails(&email, 1).await.remove(0);
    assert!(
        mail.contains("If the app you signed up in asks for a code, type this one there."),
        "the mail says where the code goes: {mail}"
    );
    let id = signup_id(&app, &email, 1).await;
    let code = six_digit_code(&mail).expect("code");
    let (status, body) = parts(
        app.post_json("/api/users/validation", &json!({"email": email, "token": code}))
            .await,
    )
    .await;
    assert_eq!((status, body), (StatusCode::CREATED, json!({"message": "Validated"})));

    let page = send(app.get(&format!("/confirm/signup/{id}"))).await;
    assert_eq!(page.status(), StatusCode::OK, "the link still opens the form");
    let html = page.text().await.expect("body");
    assert!(html.contains(r#"name="consent" type="checkbox""#), "{html}");
    give_password(&app, &email).await;
    assert_no_login(&app, &email, PASSWORD, "confirmed, with a password, but no consent yet").await;

    let (status, body) = confirm(&app, &id, json!({"consent": 1, "password": PASSWORD})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["account"]["consent"], 1);
    let (_, me) = parts(app.me(body["token"].as_str().expect("t")).await).await;
    assert_eq!(me["email_confirmed"], true);
    assert_eq!(app.login(&email, PASSWORD, "d").await.status(), StatusCode::OK);
}

/// Issue 11, item 9: signup → forgot password → "reset" → log in gives no
/// session: the forgot-password mail (and a second signup's) is the signup
/// link again, with consent and a password in one form; no reset link
/// exists for the account, and completing the signup is the way in.
async fn consent_cannot_be_skipped_through_forgot_password(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    signup(&app, json!({"email": email, "language": "en"})).await;
    let first = signup_id(&app, &email, 1).await;

    let forgot = app.forgot_password(&email).await;
    assert_eq!(forgot.status(), StatusCode::OK);
    let mail = app.wait_for_mails(&email, 2).await.pop().expect("mail");
    assert!(link_in(&mail, "/reset-password/").is_none(), "no reset link: {mail}");
    let id = token_of_link(&link_in(&mail, "/confirm/signup/").expect("the signup link again"));
    assert_ne!(id, first, "a new link");

    // Signing up again: the signup link once more, no reset link either.
    signup(&app, json!({"email": email, "language": "en"})).await;
    let mail = app.wait_for_mails(&email, 3).await.pop().expect("mail");
    assert!(link_in(&mail, "/reset-password/").is_none(), "no reset link: {mail}");
    let id = token_of_link(&link_in(&mail, "/confirm/signup/").expect("the signup link again"));

    // The signup link is no reset link: neither the API nor the page takes it.
    let reset = app.reset_password(&id, PASSWORD).await;
    assert!(reset.status().is_client_error(), "{}", reset.status());
    let page = send(app.get(&format!("/reset-password/{id}"))).await;
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    give_password(&app, &email).await;
    assert_no_login(&app, &email, PASSWORD, "a password, but no consent").await;

    // A reset mail queued for the account anyway (say, before an upgrade)
    // carries the signup link too.
    let user = app
        .service
        .store()
        .user_by_email(&registrar_domain::Email::parse(&email).expect("email"))
        .await
        .expect("lookup")
        .expect("the account");
    assert!(user.consent_pending());
    app.service
        .store()
        .enqueue_mail(
            registrar_store::NewOutboxMail {
                id: uuid::Uuid::new_v4().to_string(),
                user_id: user.id.clone(),
                kind: registrar_store::OutboxKind::PasswordReset,
                created_at: chrono::Utc::now(),
                detail: None,
                claimed_until: None,
            },
            &[],
        )
        .await
        .expect("queue");
    app.service.deliver_due().await.expect("deliver");
    let mail = app.wait_for_mails(&email, 4).await.pop().expect("mail");
    assert!(link_in(&mail, "/reset-password/").is_none(), "no reset link: {mail}");
    let id = token_of_link(&link_in(&mail, "/confirm/signup/").expect("the signup link"));
    // (One more failed login only: five would lock the account for a while.)
    let (status, _) = parts(app.login(&email, PASSWORD, "d").await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "still no consent");

    // Completing the signup is the way in.
    let (status, body) = confirm(&app, &id, json!({"consent": 1, "password": PASSWORD})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(app.login(&email, PASSWORD, "d").await.status(), StatusCode::OK);
    let forgot = app.forgot_password(&email).await;
    assert_eq!(forgot.status(), StatusCode::OK);
    app.newest_mail_with_a_reset_link(&email, 5, "an active account resets as usual")
        .await;
}

/// Issue 11, item 12: a signup link opened again after the account is
/// active says so (200), not "invalid, already used or expired".
async fn a_used_signup_link_says_the_account_is_active(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let id = activated_without_a_password(&app, &email).await;
    let again = send(app.get(&format!("/confirm/signup/{id}"))).await;
    assert_eq!(again.status(), StatusCode::OK);
    let html = again.text().await.expect("body");
    assert!(
        html.contains("This link was used before: your account is active."),
        "{html}"
    );
    let unknown = send(app.get(&format!("/confirm/signup/{}", "ab".repeat(32)))).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

/// The confirmation link of an account made by another family is no
/// signup link: posted to `/confirm/signup/{token}` it sets no password and
/// records no consent, and it still confirms the address where it belongs.
async fn another_accounts_confirmation_link_is_no_signup_link(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let pair = app.register(&email).await;
    let mail = app.wait_for_mails(&email, 1).await.remove(0);
    let token = token_of_link(&link_in(&mail, "/confirm/").expect("a confirmation link"));

    let page = send(app.get(&format!("/confirm/signup/{token}"))).await;
    assert_eq!(page.status(), StatusCode::NOT_FOUND, "no activation form for it");
    let (status, body) = confirm(&app, &token, json!({"consent": 1, "password": "Taken-Over-77"})).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::NOT_FOUND,
            json!({"result": "error", "error": "failedToFindConfirmationId"})
        )
    );
    assert_eq!(
        app.login(&email, "Taken-Over-77", "d").await.status(),
        StatusCode::BAD_REQUEST,
        "no password was set through it"
    );
    assert_eq!(app.me_status(&pair).await, StatusCode::OK);
    let confirmed = send(app.get(&format!("/confirm/{token}"))).await;
    assert_eq!(
        confirmed.status(),
        StatusCode::OK,
        "the link still confirms the address"
    );
}

on_both_backends!(
    another_accounts_confirmation_link_is_no_signup_link,
    the_documented_signup_example_creates_an_inactive_account_and_mails_its_link,
    signup_errors_carry_the_documented_codes,
    an_address_that_has_an_account_answers_the_same_and_its_owner_is_warned,
    confirming_needs_consent_and_a_live_id_then_answers_the_token_and_account,
    an_account_without_a_password_sets_one_through_reset,
    the_code_of_the_signup_mail_confirms_through_the_users_api,
    the_signup_code_confirms_the_address_and_the_link_still_asks_for_consent,
    consent_cannot_be_skipped_through_forgot_password,
    a_used_signup_link_says_the_account_is_active,
);
