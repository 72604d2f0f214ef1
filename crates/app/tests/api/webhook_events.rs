//! Webhooks caused by the real flows: every event type the issue names is
//! delivered by the server's own worker to a receiver started by the test,
//! signed per Standard Webhooks (checked by its reference library), with
//! the user's id and address and the event's own fields, and never a
//! password, token, code or secret. The endpoint is registered through the
//! same use case as `registrar webhook add`.

use std::time::Duration;

use registrar_domain::Actor;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::factors::{bearer, turn_on_totp};
use crate::helpers::*;
use crate::receiver::{verify_with_library, Received, Receiver};

const NEW_PASSWORD: &str = "Another-Horse-43";
const WRONG_PASSWORD: &str = "Wrong-Password-99";

/// The app delivering webhooks to private addresses (the receiver is on loopback).
async fn app_with_receiver(backend: Backend) -> (TestApp, Receiver, String) {
    let app = spawn_app_with(backend, |c| {
        c.webhooks.allow_private = true;
        c.webhooks.timeout = 5;
    })
    .await;
    let receiver = Receiver::start().await;
    let (id, secret) = app
        .service
        .add_webhook(&Actor::Cli, &receiver.url, "")
        .await
        .expect("endpoint added");
    assert!(id.starts_with("wh_"));
    (app, receiver, secret)
}

async fn id_of(app: &TestApp, pair: &Value) -> String {
    let (status, me) = parts(app.me(access_token(pair)).await).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    me["id"].as_str().or(me["user_id"].as_str()).expect("an id").to_owned()
}

/// The deliveries of `kind` about `email`.
fn of<'a>(got: &'a [Received], kind: &str, email: &str) -> Vec<&'a Received> {
    got.iter()
        .filter(|r| {
            let body = r.json();
            body["type"] == kind && body["data"]["email"] == email
        })
        .collect()
}

async fn each_event_type_is_delivered_by_the_flow_that_causes_it(backend: Backend) {
    let (app, receiver, secret) = app_with_receiver(backend).await;
    let started = chrono::Utc::now();
    let mut secrets: Vec<String> = vec![
        PASSWORD.into(),
        NEW_PASSWORD.into(),
        WRONG_PASSWORD.into(),
        secret.clone(),
    ];

    // One account through its life.
    let email = unique_email();
    let registered = app.register(&email).await;
    let user = id_of(&app, &registered).await;
    let code = six_digit_code(&app.wait_for_mails(&email, 1).await[0]).expect("a code");
    let confirmed = app
        .post_json("/api/users/validation", &json!({"email": email, "token": code}))
        .await;
    assert_eq!(confirmed.status(), StatusCode::CREATED);
    assert_eq!(
        app.login(&email, WRONG_PASSWORD, "laptop").await.status(),
        StatusCode::BAD_REQUEST
    );
    let (status, laptop) = parts(app.login(&email, PASSWORD, "laptop").await).await;
    assert_eq!(status, StatusCode::OK, "{laptop}");
    let patched = send(bearer(&app, Method::PATCH, "/api/me", &laptop).json(&json!({"firstname": "Simone"}))).await;
    assert_eq!(patched.status(), StatusCode::OK);
    let accepted =
        send(bearer(&app, Method::POST, "/api/policies/accept", &laptop).json(&json!({"policies": app.policies})))
            .await;
    assert_eq!(accepted.status(), StatusCode::OK);
    // A refresh token used twice: the reuse is detected.
    let refresh = registered["refresh_token"].as_str().expect("a refresh token");
    let form = [("grant_type", "refresh_token"), ("refresh_token", refresh)];
    let (status, refreshed) = parts(send(app.post("/api/token").form(&form)).await).await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    // Past the grace period of parallel refreshes (10 s).
    let aged = execute_sql(
        &app.database_url,
        "UPDATE retired_refresh_tokens SET retired_at = '2000-01-01 00:00:00'",
    );
    assert_eq!(aged, 1);
    let (status, reused) = parts(send(app.post("/api/token").form(&form)).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{reused}");
    // A second factor on and off.
    let (authenticator, codes) = turn_on_totp(&app, &laptop).await;
    secrets.push(authenticator.code(0));
    secrets.extend(codes);
    let removed =
        send(bearer(&app, Method::DELETE, "/api/me/factors/totp", &laptop).json(&json!({"password": PASSWORD}))).await;
    assert!(removed.status().is_success(), "{}", removed.status());
    // A session revoked from another.
    let (status, tablet) = parts(app.login(&email, PASSWORD, "tablet").await).await;
    assert_eq!(status, StatusCode::OK, "{tablet}");
    let revoked = send(bearer(&app, Method::DELETE, "/api/sessions/tablet", &laptop)).await;
    assert!(revoked.status().is_success(), "{}", revoked.status());
    let change = json!({
        "grant_type": "password", "client_id": app.client_id, "device_name": "laptop", "device_id": "laptop",
        "username": email, "password": PASSWORD, "new_password": NEW_PASSWORD,
    });
    let (status, changed) = parts(app.post_json("/api/change-password", &change).await).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    secrets.push(code);
    for pair in [&registered, &laptop, &refreshed, &tablet, &changed] {
        for token in ["access_token", "refresh_token"] {
            if let Some(t) = pair[token].as_str() {
                secrets.push(t.to_owned());
            }
        }
    }

    // Another locked out by wrong passwords.
    let locked = unique_email();
    let locked_pair = app.register(&locked).await;
    let locked_user = id_of(&app, &locked_pair).await;
    for _ in 0..5 {
        app.login(&locked, WRONG_PASSWORD, "laptop").await;
    }
    assert_eq!(
        app.login(&locked, PASSWORD, "laptop").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    // A third disabled by an operator (`registrar user disable`).
    let disabled = unique_email();
    let disabled_pair = app.register(&disabled).await;
    let disabled_user = id_of(&app, &disabled_pair).await;
    app.service.user_set_disabled(&disabled, true).await.expect("disabled");
    for pair in [&locked_pair, &disabled_pair] {
        secrets.push(access_token(pair).to_owned());
        secrets.push(pair["refresh_token"].as_str().expect("refresh").to_owned());
    }

    let expected: Vec<(&str, &str, &str)> = [
        "user.registered",
        "user.email_confirmed",
        "user.signed_in",
        "user.sign_in_failed",
        "session.reuse_detected",
        "session.revoked",
        "user.password_changed",
        "user.factor_added",
        "user.factor_removed",
        "policy.accepted",
        "user.updated",
    ]
    .into_iter()
    .map(|kind| (kind, email.as_str(), user.as_str()))
    .chain([
        ("user.locked_out", locked.as_str(), locked_user.as_str()),
        ("user.disabled", disabled.as_str(), disabled_user.as_str()),
    ])
    .collect();
    let got = receiver
        .wait_until(Duration::from_secs(30), |got| {
            expected.iter().all(|(kind, email, _)| !of(got, kind, email).is_empty())
        })
        .await;

    for request in &got {
        verify_with_library(&secret, request);
        assert_eq!(request.headers["content-type"], "application/json");
        let body = request.json();
        assert_eq!(
            body.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()),
            Some(vec!["data".to_owned(), "timestamp".to_owned(), "type".to_owned()]),
            "{body}"
        );
        let at =
            chrono::DateTime::parse_from_rfc3339(body["timestamp"].as_str().expect("a timestamp")).expect("RFC 3339");
        assert!(
            at >= started - chrono::Duration::seconds(1) && at <= chrono::Utc::now(),
            "{body}"
        );
        for secret in &secrets {
            assert!(!request.body.contains(secret.as_str()), "{secret} in {body}");
        }
    }
    for (kind, email, user) in &expected {
        for request in of(&got, kind, email) {
            assert_eq!(request.json()["data"]["user_id"], *user, "{}", request.body);
        }
    }
    let one = |kind: &str| of(&got, kind, &email)[0].json()["data"].clone();
    let signed_in = one("user.signed_in");
    assert_eq!(
        (&signed_in["method"], &signed_in["device_name"], &signed_in["client_id"]),
        (&json!("password"), &json!("laptop"), &json!(app.client_id))
    );
    assert_eq!(one("user.sign_in_failed")["reason"], "wrong_password");
    assert_eq!(one("user.factor_added")["factor"], "totp");
    assert_eq!(one("user.factor_removed")["factor"], "totp");
    assert_eq!(one("user.password_changed")["reason"], "change");
    assert_eq!(one("user.registered")["device_name"], "Simon's iPhone");
    let revoked: Vec<Value> = of(&got, "session.revoked", &email)
        .iter()
        .map(|r| r.json()["data"].clone())
        .collect();
    assert!(revoked.iter().any(|d| d["reason"] == "device"), "{revoked:#?}");
    // Each event once (none was retried: the receiver answered 200).
    let mut ids: Vec<&str> = got.iter().map(|r| r.headers["webhook-id"].as_str()).collect();
    ids.sort_unstable();
    let all = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), all, "each event delivered once");
}

/// `DELETE /api/me` announces `user.deleted` with the address the account
/// had: the body is fixed when the event is written, before the erasure
/// anonymizes the stored trail.
async fn deleting_the_account_is_announced(backend: Backend) {
    let (app, receiver, secret) = app_with_receiver(backend).await;
    let email = unique_email();
    let pair = app.register(&email).await;
    let user = id_of(&app, &pair).await;
    let deleted = send(
        app.http
            .delete(app.url("/api/me"))
            .bearer_auth(access_token(&pair))
            .json(&json!({"password": PASSWORD})),
    )
    .await;
    assert!(deleted.status().is_success(), "{}", deleted.status());
    let got = receiver
        .wait_until(Duration::from_secs(10), |got| {
            !of(got, "user.deleted", &email).is_empty()
        })
        .await;
    let request = of(&got, "user.deleted", &email)[0];
    verify_with_library(&secret, request);
    assert_eq!(request.json()["data"]["user_id"], user);
    assert_eq!(request.json()["data"]["email"], email.as_str());
    assert!(!request.body.contains(PASSWORD));
}

on_both_backends!(
    each_event_type_is_delivered_by_the_flow_that_causes_it,
    deleting_the_account_is_announced,
);
