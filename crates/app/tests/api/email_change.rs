//! Changing the address (`POST /api/me/email`), confirmed on both sides:
//! the new address by its code or its link page, the old one may cancel.

use std::time::Duration;

use registrar_domain::Actor;
use registrar_smtp::testing::{Behaviour, SmtpSink};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::factors::{bearer, mfa_grant, mfa_token_of, turn_on_totp};
use crate::helpers::*;
use crate::receiver::Receiver;

/// `POST /api/me/email` to `new_email` with the account's password: status and body.
async fn ask(app: &TestApp, pair: &Value, new_email: &str) -> (StatusCode, Value) {
    let body = json!({"new_email": new_email, "password": PASSWORD});
    parts(send(bearer(app, Method::POST, "/api/me/email", pair).json(&body)).await).await
}

/// `POST /api/me/email/confirm` with `code`: status and body.
async fn confirm(app: &TestApp, pair: &Value, code: &str) -> (StatusCode, Value) {
    let body = json!({ "code": code });
    parts(send(bearer(app, Method::POST, "/api/me/email/confirm", pair).json(&body)).await).await
}

/// The caller's address as `GET /api/me` shows it.
async fn address(app: &TestApp, pair: &Value) -> String {
    let (status, me) = parts(app.me(access_token(pair)).await).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    me["username"].as_str().expect("an address").to_owned()
}

/// The link under `path` in `mail`, as the page's path (the mails name
/// `http.public_url`, not the test server).
fn page_of(mail: &str, path: &str) -> String {
    let link = link_in(mail, path).unwrap_or_else(|| panic!("a {path} link in {mail}"));
    format!("{path}{}", token_of_link(&link))
}

async fn a_change_confirmed_by_code_shows_in_the_profile_the_trail_and_a_webhook(backend: Backend) {
    let sink = SmtpSink::start(Behaviour::Accept).await;
    let app = spawn_app_with(backend, |c| {
        smtp_to(sink.addr.port())(c);
        c.webhooks.allow_private = true;
        c.webhooks.timeout = 5;
    })
    .await;
    let receiver = Receiver::start().await;
    app.service
        .add_webhook(&Actor::Cli, &receiver.url, "")
        .await
        .expect("endpoint added");
    let (old, phone, laptop) = app.on_two_devices().await;
    smtp_mails_to(&sink, &old, 1).await; // its confirmation
    let new = unique_email();

    assert_eq!(ask(&app, &phone, &new).await, (StatusCode::ACCEPTED, json!({})));
    assert_eq!(address(&app, &laptop).await, old, "nothing changes yet");
    let to_new = smtp_mails_to(&sink, &new, 1).await.remove(0);
    assert!(to_new.contains("Confirm your new email address"), "{to_new}");
    assert!(link_in(&to_new, "/confirm/email-change/").is_some(), "{to_new}");
    let code = six_digit_code(&to_new).expect("a code to the new address");
    let notice = smtp_mails_to(&sink, &old, 2).await.remove(1);
    assert!(notice.contains("Your email address is being changed"), "{notice}");
    assert!(link_in(&notice, "/confirm/email-cancel/").is_some(), "{notice}");
    assert!(
        six_digit_code(&notice).is_none(),
        "the old address gets no code: {notice}"
    );

    let (status, body) = confirm(&app, &phone, wrong_code(&code)).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "validation_failed");
    assert!(body["errors"]["code"].is_array(), "{body}");
    let (status, profile) = confirm(&app, &phone, &code).await;
    assert_eq!(
        (status, profile["username"].as_str()),
        (StatusCode::OK, Some(new.as_str())),
        "{profile}"
    );
    assert_eq!(address(&app, &laptop).await, new, "other sessions stay and see it");
    let last = smtp_mails_to(&sink, &old, 3).await.remove(2);
    assert!(last.contains("Your email address was changed"), "{last}");
    assert!(link_in(&last, "/").is_none(), "the last notice carries no link: {last}");
    assert_eq!(
        confirm(&app, &phone, &code).await.0,
        StatusCode::BAD_REQUEST,
        "a change applies once"
    );

    // The new address signs in; the old one no longer names the account.
    assert_eq!(app.login(&new, PASSWORD, "tablet").await.status(), StatusCode::OK);
    assert_eq!(
        app.login(&old, PASSWORD, "tablet").await.status(),
        StatusCode::BAD_REQUEST
    );

    let (status, trail) = parts(send(bearer(&app, Method::GET, "/api/me/activity", &laptop)).await).await;
    assert_eq!(status, StatusCode::OK, "{trail}");
    let events = trail["events"].as_array().expect("events");
    let kinds: Vec<&str> = events.iter().filter_map(|e| e["type"].as_str()).collect();
    assert!(kinds.contains(&"user.email_change_requested"), "{kinds:?}");
    assert!(kinds.contains(&"user.updated"), "{kinds:?}");

    let got = receiver
        .wait_until(Duration::from_secs(30), |got| {
            got.iter().any(|r| r.json()["type"] == "user.updated")
        })
        .await;
    let delivered = got
        .iter()
        .find(|r| r.json()["type"] == "user.updated")
        .expect("delivered");
    let data = delivered.json()["data"].clone();
    assert_eq!(
        (data["email"].as_str(), data["fields"].as_str()),
        (Some(new.as_str()), Some("email")),
        "{data}"
    );
    assert!(!delivered.body.contains(&code), "no code in a webhook");
}

async fn a_change_is_confirmed_by_its_link_page_and_only_by_the_button(backend: Backend) {
    let app = spawn_app(backend).await;
    let old = unique_email();
    let pair = app.register(&old).await;
    let new = unique_email();
    assert_eq!(ask(&app, &pair, &new).await.0, StatusCode::ACCEPTED);
    let page = page_of(&app.wait_for_mails(&new, 1).await.remove(0), "/confirm/email-change/");

    let shown = send(app.get(&page)).await;
    assert_eq!(shown.status(), StatusCode::OK);
    let html = shown.text().await.expect("a page");
    assert!(html.contains(&new) && html.contains("<form method=\"post\">"), "{html}");
    assert_eq!(
        address(&app, &pair).await,
        old,
        "opening the link (a mail scanner) changes nothing"
    );

    let done = send(app.post(&page)).await;
    assert_eq!(done.status(), StatusCode::OK);
    assert!(done.text().await.expect("a page").contains("Address changed"));
    assert_eq!(address(&app, &pair).await, new);
    assert_eq!(send(app.post(&page)).await.status(), StatusCode::NOT_FOUND, "used up");
    assert_eq!(send(app.get(&page)).await.status(), StatusCode::NOT_FOUND);
    app.wait_for_mails(&old, 3).await; // confirmation, notice, changed
}

async fn cancelling_from_the_old_address_signs_out_everywhere_and_mails_a_reset_link(backend: Backend) {
    let app = spawn_app(backend).await;
    let (old, phone, laptop) = app.on_two_devices().await;
    let new = unique_email();
    assert_eq!(ask(&app, &phone, &new).await.0, StatusCode::ACCEPTED);
    let code = six_digit_code(&app.wait_for_mails(&new, 1).await.remove(0)).expect("a code");
    let notice = app.wait_for_mails(&old, 2).await.remove(1);
    let page = page_of(&notice, "/confirm/email-cancel/");

    let shown = send(app.get(&page)).await;
    assert_eq!(shown.status(), StatusCode::OK);
    assert!(shown.text().await.expect("a page").contains(&new));
    assert_eq!(
        app.me_status(&laptop).await,
        StatusCode::OK,
        "opening the link changes nothing"
    );

    let done = send(app.post(&page)).await;
    assert_eq!(done.status(), StatusCode::OK);
    assert!(done.text().await.expect("a page").contains("Change cancelled"));
    assert_eq!(app.me_status(&phone).await, StatusCode::UNAUTHORIZED, "signed out");
    assert_eq!(
        app.me_status(&laptop).await,
        StatusCode::UNAUTHORIZED,
        "signed out everywhere"
    );
    let reset = app
        .newest_mail_with_a_reset_link(&old, 3, "the reset mail after cancelling")
        .await;
    assert!(reset.contains("/reset-password/"), "{reset}");
    assert_eq!(
        send(app.post(&page)).await.status(),
        StatusCode::NOT_FOUND,
        "cancelled once"
    );

    // The change is gone: signed in again, its code does nothing.
    let (_, again) = parts(app.login(&old, PASSWORD, "laptop").await).await;
    assert_eq!(confirm(&app, &again, &code).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(address(&app, &again).await, old);
    assert_eq!(app.login(&new, PASSWORD, "x").await.status(), StatusCode::BAD_REQUEST);
}

async fn a_pending_change_expires(backend: Backend) {
    let app = spawn_app_with(backend, |c| c.auth.email_change_ttl = 1).await;
    let old = unique_email();
    let pair = app.register(&old).await;
    let new = unique_email();
    assert_eq!(ask(&app, &pair, &new).await.0, StatusCode::ACCEPTED);
    let mail = app.wait_for_mails(&new, 1).await.remove(0);
    let code = six_digit_code(&mail).expect("a code");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (status, body) = confirm(&app, &pair, &code).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "validation_failed");
    let page = page_of(&mail, "/confirm/email-change/");
    assert_eq!(send(app.post(&page)).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(address(&app, &pair).await, old);
}

async fn a_taken_address_is_answered_the_same_and_refused_at_confirmation(backend: Backend) {
    let app = spawn_app(backend).await;
    let taken = unique_email();
    app.register(&taken).await;
    let (mover, pair) = {
        let email = unique_email();
        let pair = app.register(&email).await;
        (email, pair)
    };
    let free = unique_email();
    let answers = [
        ask(&app, &pair, &free).await,
        ask(&app, &pair, &taken.to_uppercase()).await,
    ];
    assert_eq!(answers[0], answers[1], "the same answer whether taken or not");
    assert_eq!(answers[1], (StatusCode::ACCEPTED, json!({})));

    let to_taken = app.wait_for_mails(&taken, 2).await.remove(1);
    let code = six_digit_code(&to_taken).expect("a code");
    let (status, body) = confirm(&app, &pair, &code).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "validation_failed");
    assert_eq!(
        body["errors"]["new_email"][0], "This email address is already registered.",
        "{body}"
    );
    assert_eq!(address(&app, &pair).await, mover, "nothing changed");
    let page = page_of(&to_taken, "/confirm/email-change/");
    let refused = send(app.post(&page)).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
}

async fn the_request_checks_its_fields_and_the_password(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let pair = app.register(&email).await;
    let (status, body) = parts(
        send(bearer(&app, Method::POST, "/api/me/email", &pair).json(&json!({"new_email": "not an address"}))).await,
    )
    .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "validation_failed");
    assert!(
        body["errors"]["new_email"].is_array() && body["errors"]["password"].is_array(),
        "{body}"
    );
    let wrong = json!({"new_email": unique_email(), "password": "Wrong-Password-1"});
    let (status, body) = parts(send(bearer(&app, Method::POST, "/api/me/email", &pair).json(&wrong)).await).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "validation_failed");
    assert!(body["errors"]["password"].is_array(), "{body}");
    let (status, body) = ask(&app, &pair, &email.to_uppercase()).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "validation_failed");
    assert!(body["errors"]["new_email"].is_array(), "{body}");
    let (status, _) = parts(send(app.post("/api/me/email").json(&json!({}))).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.mails_to(&email).len(), 1, "nothing mailed but the confirmation");
}

async fn a_confirmation_racing_a_registration_of_the_new_address_has_one_winner(backend: Backend) {
    let app = spawn_app(backend).await;
    for _ in 0..3 {
        let old = unique_email();
        let pair = app.register(&old).await;
        let new = unique_email();
        assert_eq!(ask(&app, &pair, &new).await.0, StatusCode::ACCEPTED);
        let code = six_digit_code(&app.wait_for_mails(&new, 1).await.remove(0)).expect("a code");
        let registering = app.post("/api/register").json(&app.registration(&new)).send();
        let confirming = bearer(&app, Method::POST, "/api/me/email/confirm", &pair)
            .json(&json!({ "code": code }))
            .send();
        let (registered, confirmed) = tokio::join!(registering, confirming);
        let (registered, confirmed) = (registered.expect("sent"), confirmed.expect("sent"));
        let won = [
            registered.status() == StatusCode::OK,
            confirmed.status() == StatusCode::OK,
        ];
        assert_eq!(won.iter().filter(|w| **w).count(), 1, "one winner: {won:?}");
        let (status, _) = parts(if won[0] { confirmed } else { registered }).await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "the loser is told the address is taken"
        );
        let expected = if won[1] { new.clone() } else { old.clone() };
        assert_eq!(address(&app, &pair).await, expected);
    }
}

async fn an_account_with_totp_completes_the_request_with_its_second_factor(backend: Backend) {
    let app = spawn_app(backend).await;
    let old = unique_email();
    let pair = app.register(&old).await;
    let (authenticator, _) = turn_on_totp(&app, &pair).await;
    let new = unique_email();
    let body = json!({"new_email": new, "password": PASSWORD});
    let mfa_token = mfa_token_of(send(bearer(&app, Method::POST, "/api/me/email", &pair).json(&body)).await).await;
    assert!(
        app.mails_to(&new).is_empty(),
        "nothing is sent before the second factor"
    );

    let (status, fresh) = mfa_grant(&app, &mfa_token, ("code", &authenticator.code(1))).await;
    assert_eq!(status, StatusCode::OK, "{fresh}");
    assert!(is_token(&fresh["access_token"]), "a pair for the same device: {fresh}");
    let code = six_digit_code(&app.wait_for_mails(&new, 1).await.remove(0)).expect("a code");
    let (status, profile) = confirm(&app, &fresh, &code).await;
    assert_eq!(
        (status, profile["username"].as_str()),
        (StatusCode::OK, Some(new.as_str())),
        "{profile}"
    );
}

on_both_backends!(
    an_account_with_totp_completes_the_request_with_its_second_factor,
    a_change_confirmed_by_code_shows_in_the_profile_the_trail_and_a_webhook,
    a_change_is_confirmed_by_its_link_page_and_only_by_the_button,
    cancelling_from_the_old_address_signs_out_everywhere_and_mails_a_reset_link,
    a_pending_change_expires,
    a_taken_address_is_answered_the_same_and_refused_at_confirmation,
    the_request_checks_its_fields_and_the_password,
    a_confirmation_racing_a_registration_of_the_new_address_has_one_winner,
);
