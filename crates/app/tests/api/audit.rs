//! The audit trail of the users' own flows, observed as the user sees it:
//! `GET /api/me/activity` after each real flow (and, for the request id,
//! which the list does not show, the stored event).

use registrar_domain::{AuditKind, UserId};
use registrar_store::{AuditCursor, AuditFilter, AuditStore};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::factors::{bearer, mfa_grant, mfa_token_of, turn_on_totp};
use crate::helpers::*;

/// The caller's activity (the first page of up to 200 events), newest first.
async fn activity(app: &TestApp, pair: &Value) -> Vec<Value> {
    let (status, body) = parts(send(bearer(app, Method::GET, "/api/me/activity?limit=200", pair)).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["next_cursor"], Value::Null, "{body}");
    body["events"].as_array().expect("events").clone()
}

fn types(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["type"].as_str().expect("a type")).collect()
}

/// The newest event of `kind` whose `field` is `value` (any, when `None`).
fn newest<'a>(events: &'a [Value], kind: &str, field: Option<(&str, &str)>) -> &'a Value {
    events
        .iter()
        .find(|e| e["type"] == kind && field.is_none_or(|(k, v)| e[k] == v))
        .unwrap_or_else(|| panic!("no {kind} {field:?} in {events:#?}"))
}

/// A password login from `device` that must work: its pair.
async fn signed_in(app: &TestApp, email: &str, password: &str, device: &str) -> Value {
    let (status, pair) = parts(app.login(email, password, device).await).await;
    assert_eq!(status, StatusCode::OK, "{pair}");
    pair
}

/// The stored events of `user` of `kind` (for what the list does not show).
async fn stored(app: &TestApp, user: &str, kind: AuditKind) -> Vec<registrar_domain::AuditEvent> {
    let filter = AuditFilter {
        user: Some(UserId(user.to_owned())),
        kinds: vec![kind],
        ..AuditFilter::default()
    };
    app.service
        .store()
        .audit_events(&filter, AuditCursor::Before(None), 100)
        .await
        .expect("events")
        .into_iter()
        .map(|r| r.event)
        .collect()
}

async fn user_id(app: &TestApp, pair: &Value) -> String {
    let (_, me) = parts(app.me(access_token(pair)).await).await;
    me["id"].as_str().or(me["user_id"].as_str()).expect("an id").to_owned()
}

async fn registration_sign_ins_and_sessions_are_listed_with_place_client_and_device(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let response = send(
        app.post("/api/register")
            .header("x-request-id", "audit-register-1")
            .json(&app.registration(&email)),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let registered: Value = response.json().await.expect("json");
    let code = six_digit_code(&app.wait_for_mails(&email, 1).await[0]).expect("a code");
    let confirmed = app
        .post_json("/api/users/validation", &json!({"email": email, "token": code}))
        .await;
    assert_eq!(confirmed.status(), StatusCode::CREATED);
    let refused = app.login(&email, "Wrong-Password-99", "laptop").await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let laptop = signed_in(&app, &email, PASSWORD, "laptop").await;
    let patched = send(bearer(&app, Method::PATCH, "/api/me", &laptop).json(&json!({"firstname": "Simone"}))).await;
    assert_eq!(patched.status(), StatusCode::OK);
    let accepted =
        send(bearer(&app, Method::POST, "/api/policies/accept", &laptop).json(&json!({"policies": app.policies})))
            .await;
    assert_eq!(accepted.status(), StatusCode::OK);
    let revoked = send(bearer(&app, Method::DELETE, "/api/sessions/device-1", &laptop)).await;
    assert!(revoked.status().is_success(), "{}", revoked.status());

    let events = activity(&app, &laptop).await;
    assert_eq!(
        types(&events),
        vec![
            "session.revoked",
            "policy.accepted",
            "user.updated",
            "user.signed_in",
            "user.sign_in_failed",
            "user.email_confirmed",
            "policy.accepted",
            "user.registered",
        ],
        "{events:#?}"
    );
    for event in &events {
        assert_eq!(event["place"], "127.0.0.0/24", "the truncated address: {event}");
        assert!(event["time"].as_str().is_some_and(|t| t.ends_with('Z')), "{event}");
    }
    let sign_in = newest(&events, "user.signed_in", None);
    assert_eq!(
        (&sign_in["device_name"], &sign_in["client_id"], &sign_in["method"]),
        (&json!("laptop"), &json!(app.client_id), &json!("password"))
    );
    let registration = newest(&events, "user.registered", None);
    assert_eq!(registration["device_name"], "Simon's iPhone");
    assert_eq!(newest(&events, "user.sign_in_failed", None)["reason"], "wrong_password");
    assert_eq!(newest(&events, "session.revoked", None)["reason"], "device");
    let serialized = serde_json::to_string(&events).expect("json");
    assert!(
        !serialized.contains(PASSWORD) && !serialized.contains(&code),
        "nothing secret"
    );

    // The request id is kept with the event.
    let user = user_id(&app, &laptop).await;
    let kept = stored(&app, &user, AuditKind::Registered).await;
    assert_eq!(kept[0].request_id.as_deref(), Some("audit-register-1"));

    // Logging out is listed once signed in again.
    let out = send(bearer(&app, Method::POST, "/api/logout", &laptop)).await;
    assert!(out.status().is_success());
    assert_eq!(app.me_status(&registered).await, StatusCode::UNAUTHORIZED);
    let again = signed_in(&app, &email, PASSWORD, "laptop").await;
    let events = activity(&app, &again).await;
    assert_eq!(types(&events)[..2], ["user.signed_in", "session.revoked"]);
    assert_eq!(events[1]["reason"], "logout");
    assert_eq!(events[1]["device_name"], "laptop");

    // Another user's list holds their events only.
    let other = app.register(&unique_email()).await;
    assert_eq!(
        types(&activity(&app, &other).await),
        vec!["policy.accepted", "user.registered"]
    );
}

async fn the_activity_list_pages_and_refuses_bad_paging_and_no_token(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let pair = app.register(&email).await;
    for device in ["a", "b", "c"] {
        signed_in(&app, &email, PASSWORD, device).await;
    }
    let (status, first) = parts(send(bearer(&app, Method::GET, "/api/me/activity?limit=2", &pair)).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first["events"].as_array().map(Vec::len), Some(2));
    assert_eq!(first["events"][0]["device_name"], "c");
    let cursor = first["next_cursor"].as_i64().expect("a cursor");
    let (_, rest) = parts(
        send(bearer(
            &app,
            Method::GET,
            &format!("/api/me/activity?cursor={cursor}&limit=10"),
            &pair,
        ))
        .await,
    )
    .await;
    assert_eq!(
        types(rest["events"].as_array().expect("events")),
        vec!["user.signed_in", "policy.accepted", "user.registered"]
    );
    assert_eq!(rest["next_cursor"], Value::Null);

    for bad in ["cursor=abc", "limit=x", "cursor=%0A1"] {
        let (status, body) =
            parts(send(bearer(&app, Method::GET, &format!("/api/me/activity?{bad}"), &pair)).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
    let anonymous = send(app.get("/api/me/activity")).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

async fn the_sign_in_that_locks_the_account_is_listed_as_a_lockout(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let pair = app.register(&email).await;
    for _ in 0..5 {
        assert_eq!(
            app.login(&email, "Wrong-Password-99", "laptop").await.status(),
            StatusCode::BAD_REQUEST
        );
    }
    assert_eq!(
        app.login(&email, PASSWORD, "laptop").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    let events = activity(&app, &pair).await;
    assert_eq!(types(&events)[..2], ["user.locked_out", "user.sign_in_failed"]);
    assert_eq!(types(&events).iter().filter(|t| **t == "user.locked_out").count(), 1);
}

async fn password_changes_resets_and_second_factors_are_listed(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let pair = app.register(&email).await;

    let (authenticator, codes) = turn_on_totp(&app, &pair).await;
    drop(authenticator);
    let mfa_token = mfa_token_of(app.login(&email, PASSWORD, "laptop").await).await;
    let (status, _) = mfa_grant(&app, &mfa_token, ("recovery_code", "not-a-code")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, laptop) = mfa_grant(&app, &mfa_token, ("recovery_code", &codes[0])).await;
    assert_eq!(status, StatusCode::OK, "{laptop}");
    let renewed = send(
        bearer(&app, Method::POST, "/api/me/factors/recovery-codes", &laptop).json(&json!({"password": PASSWORD})),
    )
    .await;
    assert_eq!(renewed.status(), StatusCode::OK);
    let removed =
        send(bearer(&app, Method::DELETE, "/api/me/factors/totp", &laptop).json(&json!({"password": PASSWORD}))).await;
    assert!(removed.status().is_success());

    let events = activity(&app, &laptop).await;
    assert_eq!(
        types(&events)[..6],
        [
            "user.factor_removed",
            "user.factor_added",
            "user.signed_in",
            "user.recovery_code_used",
            "user.sign_in_failed",
            "user.factor_added",
        ],
        "{events:#?}"
    );
    assert_eq!(events[0]["factor"], "totp");
    assert_eq!(events[1]["factor"], "recovery_codes");
    assert_eq!(events[2]["method"], "password+recovery_code");
    assert_eq!(events[4]["reason"], "wrong_factor");
    assert_eq!(events[5]["factor"], "totp");

    // A change: the session it answers sees it.
    let change = json!({
        "grant_type": "password", "client_id": app.client_id, "device_name": "laptop", "device_id": "laptop",
        "username": email, "password": PASSWORD, "new_password": "Another-Horse-43",
    });
    let (status, changed) = parts(app.post_json("/api/change-password", &change).await).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    let events = activity(&app, &changed).await;
    assert_eq!(newest(&events, "user.password_changed", None)["reason"], "change");

    // A reset signs everyone out: seen after signing in again.
    assert!(app.forgot_password(&email).await.status().is_success());
    // Mailed: the confirmation, the app on, the recovery code used, the app
    // off, the password changed, and now the reset.
    let mail = app.newest_mail_with_a_reset_link(&email, 6, "the reset mail").await;
    let token = token_of_link(&link_in(&mail, "/reset-password/").expect("a reset link"));
    assert!(app.reset_password(&token, "Third-Horse-44").await.status().is_success());
    let again = signed_in(&app, &email, "Third-Horse-44", "laptop").await;
    let events = activity(&app, &again).await;
    assert_eq!(types(&events)[..2], ["user.signed_in", "user.password_changed"]);
    assert_eq!(events[1]["reason"], "reset");
}

async fn a_confirmation_link_and_a_mailed_sign_in_code_are_listed(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let (pair, mail) = app.register_and_read_mail(&email).await;
    let link = link_in(&mail, "/confirm/").expect("a link");
    let page = send(app.get(&format!("/confirm/{}", token_of_link(&link)))).await;
    assert!(page.status().is_success());

    let asked = app
        .post_json(
            "/api/email-code",
            &json!({"username": email, "client_id": app.client_id}),
        )
        .await;
    assert_eq!(asked.status(), StatusCode::OK);
    let code = six_digit_code(&app.wait_for_mails(&email, 2).await[1]).expect("a sign-in code");
    let grant = |code: &str| {
        json!({"grant_type": "email_code", "client_id": app.client_id, "device_id": "tablet",
               "device_name": "tablet", "username": email, "code": code})
    };
    let (status, _) = parts(app.post_json("/api/token", &grant(wrong_code(&code))).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, tablet) = parts(app.post_json("/api/token", &grant(&code)).await).await;
    assert_eq!(status, StatusCode::OK, "{tablet}");

    let events = activity(&app, &pair).await;
    assert_eq!(
        types(&events)[..4],
        [
            "user.signed_in",
            "user.sign_in_failed",
            "user.email_confirmed",
            "policy.accepted"
        ],
        "{events:#?}"
    );
    assert_eq!(events[0]["method"], "email_code");
    assert_eq!(events[0]["device_name"], "tablet");
    assert_eq!(events[1]["reason"], "wrong_code");
    assert_eq!(events[2]["method"], "link", "confirmed by the link");
}

on_both_backends!(
    registration_sign_ins_and_sessions_are_listed_with_place_client_and_device,
    the_activity_list_pages_and_refuses_bad_paging_and_no_token,
    the_sign_in_that_locks_the_account_is_listed_as_a_lockout,
    password_changes_resets_and_second_factors_are_listed,
    a_confirmation_link_and_a_mailed_sign_in_code_are_listed,
);
