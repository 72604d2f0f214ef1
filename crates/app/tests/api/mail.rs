//! Confirming by code and by link, and resetting a password, over HTTP.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

async fn validate(app: &TestApp, email: &str, token: serde_json::Value) -> (StatusCode, serde_json::Value) {
    parts(
        app.post_json("/api/users/validation", &json!({"email": email, "token": token}))
            .await,
    )
    .await
}

async fn confirmed(app: &TestApp, access_token: &serde_json::Value) -> bool {
    let (_, me) = parts(app.me(access_token.as_str().expect("t")).await).await;
    me["email_confirmed"] == json!(true)
}

async fn code_confirms_the_address_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let (pair, mail) = app.register_and_read_mail(&email).await;
    let code = six_digit_code(&mail).expect("a code");
    assert!(!confirmed(&app, &pair["access_token"]).await);
    assert_eq!(
        validate(&app, &email.to_uppercase(), json!(code)).await,
        message(StatusCode::CREATED, "Validated")
    );
    assert!(confirmed(&app, &pair["access_token"]).await);
    assert_eq!(
        validate(&app, &email, json!(code)).await,
        message(StatusCode::CONFLICT, "The email is already validated")
    );
}

async fn wrong_unknown_and_malformed_codes_are_refused_in_the_users_shape(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let code = app.register_for_code(&email).await;
    let wrong = wrong_code(&code);
    assert_eq!(
        validate(&app, &email, json!(wrong)).await,
        message(StatusCode::UNAUTHORIZED, "Token is incorrect")
    );
    assert_eq!(
        validate(&app, &unique_email(), json!(code)).await,
        message(StatusCode::NOT_FOUND, "No account with this email")
    );
    let (status, body) = validate(&app, &email, json!("abc")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body,
        json!({"message": "The given data was invalid.", "errors": {"token": ["The token must be an integer."]}})
    );
    let (status, body) = parts(app.post_json("/api/users/validation", &json!({})).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"]["email"], json!(["The email field is required."]));
    assert_eq!(body["errors"]["token"], json!(["The token field is required."]));
    // A code sent as a JSON number works too (and keeps working after a wrong try).
    let (status, _) = validate(&app, &email, json!(code.parse::<u32>().expect("digits"))).await;
    assert_eq!(status, StatusCode::CREATED);
}

async fn five_wrong_codes_kill_the_code_until_a_new_one_is_sent(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let code = app.register_for_code(&email).await;
    let wrong = wrong_code(&code);
    for _ in 0..5 {
        assert_eq!(validate(&app, &email, json!(wrong)).await.0, StatusCode::UNAUTHORIZED);
    }
    let response = app
        .post_json("/api/users/validation", &json!({"email": email, "token": code}))
        .await;
    assert_eq!(response.headers()["retry-after"], "60", "429 says when to come back");
    assert_eq!(
        parts(response).await,
        message(StatusCode::TOO_MANY_REQUESTS, "Too many attempts")
    );

    assert_eq!(
        parts(app.post_json("/api/mails/verify", &json!({"email": email})).await).await,
        message(StatusCode::CREATED, "Mail sent")
    );
    let mails = app.wait_for_mails(&email, 2).await;
    let fresh = six_digit_code(&mails[1]).expect("a new code");
    let (status, _) = validate(&app, &email, json!(fresh)).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        parts(app.post_json("/api/mails/verify", &json!({"email": email})).await).await,
        message(StatusCode::CONFLICT, "The email is already validated")
    );
}

async fn the_link_confirms_once_and_kills_the_code(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let pair = app.register(&email).await;
    let mail = app.wait_for_mails(&email, 1).await.remove(0);
    let link = link_in(&mail, "/confirm/").expect("a confirmation link");
    let path = link.trim_start_matches("http://127.0.0.1:8080");
    let first = send(app.get(path)).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert!(first.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .starts_with("text/html"));
    assert!(confirmed(&app, &pair["access_token"]).await);
    // Opened again (by the person, or after a mail scanner fetched it): the
    // address is confirmed, and the page says so.
    let again = send(app.get(path)).await;
    assert_eq!(again.status(), StatusCode::OK, "a used link of a confirmed address");
    let html = again.text().await.expect("body");
    assert!(
        html.contains("This link was used before: your email address is confirmed."),
        "{html}"
    );
    let (status, _) = validate(&app, &email, json!(six_digit_code(&mail).expect("code"))).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let bogus = send(app.get(&format!("/confirm/{}", "ab".repeat(32)))).await;
    assert!(bogus.status().is_client_error());
}

/// Issue 11, item 12: confirmed by its code, the mail's link then says the
/// address is confirmed (200), not "invalid, already used or expired".
async fn after_the_code_the_link_says_the_address_is_confirmed(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let (_, mail) = app.register_and_read_mail(&email).await;
    let (status, _) = validate(&app, &email, json!(six_digit_code(&mail).expect("code"))).await;
    assert_eq!(status, StatusCode::CREATED);
    let link = link_in(&mail, "/confirm/").expect("a confirmation link");
    let page = send(
        app.get(link.trim_start_matches("http://127.0.0.1:8080"))
            .header("Accept-Language", "de"),
    )
    .await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("body");
    assert!(
        html.contains("Dieser Link wurde bereits verwendet: Ihre E-Mail-Adresse ist bestätigt."),
        "{html}"
    );
}

/// Issue 11, item 13: the code as the HTML mail shows it ("303 461"), or
/// with a dash, is accepted; so is a JSON number (see above).
async fn the_code_is_accepted_as_the_mail_shows_it(backend: Backend) {
    let app = spawn_app(backend).await;
    for separator in [" ", "-", " - "] {
        let email = unique_email();
        app.register(&email).await;
        let mail = app.wait_for_mails(&email, 1).await.remove(0);
        let code = six_digit_code(&mail).expect("code");
        let grouped = format!("{} {}", &code[..3], &code[3..]);
        assert!(mail.contains(&grouped), "the HTML part shows {grouped}: {mail}");
        let typed = format!("{}{separator}{}", &code[..3], &code[3..]);
        assert_eq!(
            validate(&app, &email, json!(typed)).await,
            message(StatusCode::CREATED, "Validated"),
            "{typed:?}"
        );
    }
    let email = unique_email();
    app.register(&email).await;
    app.wait_for_mails(&email, 1).await;
    for nonsense in ["12a 456", "-123456", "123 45"] {
        let (status, _) = validate(&app, &email, json!(nonsense)).await;
        assert!(status.is_client_error(), "{nonsense:?}: {status}");
    }
}

async fn login_is_refused_until_confirmed_when_configured(backend: Backend) {
    let app = spawn_app_with(backend, |c| c.auth.require_confirmed_email = true).await;
    let email = unique_email();
    app.register(&email).await;
    assert_eq!(
        error_of(app.login(&email, PASSWORD, "d").await).await,
        (StatusCode::FORBIDDEN, json!("email_not_confirmed"))
    );
    assert_eq!(
        error_of(app.login(&email, "Wrong-Password-1", "d").await).await,
        (StatusCode::BAD_REQUEST, json!("invalid_grant")),
        "no hint without the password"
    );
    let code = six_digit_code(&app.wait_for_mails(&email, 1).await[0]).expect("code");
    assert_eq!(validate(&app, &email, json!(code)).await.0, StatusCode::CREATED);
    assert_eq!(app.login(&email, PASSWORD, "d").await.status(), StatusCode::OK);
}

async fn forgot_password_answers_the_same_for_known_and_unknown_addresses(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    app.register(&email).await;
    let known = app.forgot_password(&email).await;
    let unknown = app.forgot_password(&unique_email()).await;
    assert_eq!(known.status(), StatusCode::OK);
    assert_eq!(unknown.status(), StatusCode::OK);
    assert_eq!(known.bytes().await.expect("b"), unknown.bytes().await.expect("b"));
    app.newest_mail_with_a_reset_link(&email, 2, "a reset link").await;
}

async fn reset_password_sets_the_password_revokes_every_session_and_works_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let pair = app.register(&email).await;
    app.post("/api/forgot-password")
        .form(&[("username", email.as_str())])
        .send()
        .await
        .expect("r");
    let token = app.reset_token(&email).await;

    let (status, body) = parts(app.reset_password(&token, "qwerty123").await).await;
    assert_eq!(
        (status, body["errors"]["password"].clone()),
        (StatusCode::BAD_REQUEST, json!(["This password is too common."]))
    );
    let (status, body) = parts(app.reset_password(&token, "Brand-New-Secret-9").await).await;
    assert_eq!((status, body), (StatusCode::OK, json!({})));
    assert_eq!(app.me_status(&pair).await, StatusCode::UNAUTHORIZED);
    assert_eq!(app.login(&email, PASSWORD, "d").await.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        app.login(&email, "Brand-New-Secret-9", "d").await.status(),
        StatusCode::OK
    );

    assert_eq!(
        error_of(app.reset_password(&token, "Another-New-Secret-9").await).await,
        (StatusCode::BAD_REQUEST, json!("invalid_token"))
    );
    assert_eq!(
        error_of(app.reset_password("nope", "Another-New-Secret-9").await).await,
        (StatusCode::BAD_REQUEST, json!("invalid_token"))
    );
    // "Your password was changed" follows the reset.
    assert_eq!(app.wait_for_mails(&email, 3).await.len(), 3);
}

async fn a_password_change_is_announced_by_mail(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    app.register(&email).await;
    let response = send(app.post("/api/change-password").json(
        &json!({"grant_type": "password", "client_id": app.client_id, "device_name": "d", "device_id": "d",
                      "username": email, "password": PASSWORD, "new_password": "Another-Secret-77"}),
    ))
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    app.newest_mail_with_a_reset_link(&email, 2, "the notice offers a reset link")
        .await;
}

async fn expired_codes_and_links_are_refused(backend: Backend) {
    let app = spawn_app_with(backend, |c| {
        c.auth.confirmation_ttl = 1;
        c.auth.password_reset_ttl = 1;
    })
    .await;
    let email = unique_email();
    app.register(&email).await;
    let mail = app.wait_for_mails(&email, 1).await.remove(0);
    app.forgot_password(&email).await;
    let reset = app.reset_token(&email).await;
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;

    assert_eq!(
        validate(&app, &email, json!(six_digit_code(&mail).expect("code"))).await,
        message(StatusCode::UNAUTHORIZED, "Token is incorrect")
    );
    let link = link_in(&mail, "/confirm/").expect("link");
    let page = send(app.get(link.trim_start_matches("http://127.0.0.1:8080"))).await;
    assert!(page.status().is_client_error(), "an expired link: {}", page.status());
    assert_eq!(
        error_of(app.reset_password(&reset, "Brand-New-Secret-9").await).await,
        (StatusCode::BAD_REQUEST, json!("invalid_token"))
    );
    assert_eq!(
        app.login(&email, PASSWORD, "d").await.status(),
        StatusCode::OK,
        "nothing changed"
    );
}

on_both_backends!(
    code_confirms_the_address_once,
    wrong_unknown_and_malformed_codes_are_refused_in_the_users_shape,
    five_wrong_codes_kill_the_code_until_a_new_one_is_sent,
    the_link_confirms_once_and_kills_the_code,
    login_is_refused_until_confirmed_when_configured,
    after_the_code_the_link_says_the_address_is_confirmed,
    the_code_is_accepted_as_the_mail_shows_it,
    forgot_password_answers_the_same_for_known_and_unknown_addresses,
    reset_password_sets_the_password_revokes_every_session_and_works_once,
    a_password_change_is_announced_by_mail,
    expired_codes_and_links_are_refused,
);
