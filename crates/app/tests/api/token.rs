use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

async fn refresh(app: &TestApp, refresh_token: &Value) -> (StatusCode, Value) {
    parts(
        send(app.post("/api/token").form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.as_str().expect("token")),
        ]))
        .await,
    )
    .await
}

async fn password_grant_answers_a_pair_that_is_never_cached(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    app.register(&email).await;
    let response = app.login(&email.to_uppercase(), PASSWORD, "tablet").await;
    assert_eq!(response.headers()["cache-control"], "no-store");
    let (status, pair) = parts(response).await;
    assert_eq!(status, StatusCode::OK);
    assert!(is_token(&pair["access_token"]) && is_token(&pair["refresh_token"]));
    assert_eq!(app.me_status(&pair).await, StatusCode::OK);
}

async fn unknown_user_and_wrong_password_get_the_same_answer(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    app.register(&email).await;
    let (s1, wrong) = parts(app.login(&email, "Wrong-Password-1", "d").await).await;
    let (s2, unknown) = parts(app.login(&unique_email(), PASSWORD, "d").await).await;
    assert_eq!((s1, s2), (StatusCode::BAD_REQUEST, StatusCode::BAD_REQUEST));
    assert_eq!(wrong, unknown);
    assert_eq!(wrong["error"], "invalid_grant");
}

async fn refresh_rotates_and_a_rotated_token_is_refused_within_the_grace_period_without_killing_the_session(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let first = app.register(&unique_email()).await;
    let (status, second) = refresh(&app, &first["refresh_token"]).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert_ne!(second["access_token"], first["access_token"]);
    // The old access token died with the rotation; the new one works.
    assert_eq!(app.me_status(&first).await, StatusCode::UNAUTHORIZED);
    assert_eq!(app.me_status(&second).await, StatusCode::OK);
    // Presented again at once: refused, the session lives on.
    let (status, body) = refresh(&app, &first["refresh_token"]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(app.me_status(&second).await, StatusCode::OK);
    let (status, _) = refresh(&app, &second["refresh_token"]).await;
    assert_eq!(status, StatusCode::OK);
}

async fn refresh_checks_the_client_when_given(backend: Backend) {
    let app = spawn_app(backend).await;
    let pair = app.register(&unique_email()).await;
    let other = app.service.add_client("Other").await.expect("client");
    let elsewhere = json!({"grant_type": "refresh_token", "refresh_token": pair["refresh_token"], "client_id": other.id.to_string()});
    assert_eq!(
        app.post_error("/api/token", &elsewhere).await,
        (StatusCode::BAD_REQUEST, json!("invalid_grant"))
    );
    let (status, _) = parts(
        app.post_json(
            "/api/token",
            &json!({"grant_type": "refresh_token", "refresh_token": pair["refresh_token"], "client_id": app.client_id}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

async fn unknown_and_missing_grant_types_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_eq!(
        app.post_error("/api/token", &json!({"grant_type": "client_credentials"}))
            .await,
        (StatusCode::BAD_REQUEST, json!("unsupported_grant_type"))
    );
    // No grant_type at all is "anything else" too.
    assert_eq!(
        app.post_error("/api/token", &json!({})).await,
        (StatusCode::BAD_REQUEST, json!("unsupported_grant_type"))
    );
    assert_eq!(
        app.post_error(
            "/api/token",
            &json!({"grant_type": "refresh_token", "refresh_token": "abc"}),
        )
        .await,
        (StatusCode::BAD_REQUEST, json!("invalid_grant"))
    );
}

async fn a_new_login_on_the_same_device_revokes_the_previous_pair(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    app.register(&email).await;
    let (_, first) = parts(app.login(&email, PASSWORD, "phone").await).await;
    let (_, second) = parts(app.login(&email, PASSWORD, "phone").await).await;
    assert_eq!(app.me_status(&first).await, StatusCode::UNAUTHORIZED);
    assert_eq!(refresh(&app, &first["refresh_token"]).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(app.me_status(&second).await, StatusCode::OK);
}

async fn one_session_more_than_the_cap_revokes_the_least_recently_used(backend: Backend) {
    let app = spawn_app_with(backend, |c| c.auth.max_sessions_per_client = 3).await;
    let email = unique_email();
    let registered = app.register(&email).await; // device-1
    let mut tokens = Vec::new();
    for device in ["d2", "d3"] {
        let (_, pair) = parts(app.login(&email, PASSWORD, device).await).await;
        tokens.push(access_token(&pair).to_owned());
    }
    // device-1 is the least recently used; a fourth device evicts it.
    let (_, fourth) = parts(app.login(&email, PASSWORD, "d4").await).await;
    assert_eq!(app.me_status(&registered).await, StatusCode::UNAUTHORIZED);
    for token in tokens.iter().chain([access_token(&fourth).to_owned()].iter()) {
        assert_eq!(app.me(token).await.status(), StatusCode::OK);
    }
}

async fn logout_revokes_this_session_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, registered, other) = app.on_two_devices().await;
    let token = access_token(&registered);
    let response = send(app.post("/api/logout").bearer_auth(token)).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        error_of(app.me(token).await).await,
        (StatusCode::UNAUTHORIZED, json!("invalid_token"))
    );
    assert_eq!(
        refresh(&app, &registered["refresh_token"]).await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(app.me_status(&other).await, StatusCode::OK);
}

async fn change_password_answers_a_fresh_pair_and_revokes_every_other_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let (email, registered, laptop) = app.on_two_devices().await;
    let new_password = "Another-Secret-77";
    let response = app
        .post_json(
            "/api/change-password",
            &json!({
                "grant_type": "password",
                "client_id": app.client_id,
                "device_name": "Simon's iPhone",
                "device_id": "device-1",
                "username": email,
                "password": PASSWORD,
                "new_password": new_password,
            }),
        )
        .await;
    let (status, fresh) = parts(response).await;
    assert_eq!(status, StatusCode::OK, "{fresh}");
    assert_eq!(app.me_status(&fresh).await, StatusCode::OK);
    for old in [&registered, &laptop] {
        assert_eq!(app.me_status(old).await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(app.login(&email, PASSWORD, "x").await.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.login(&email, new_password, "x").await.status(), StatusCode::OK);
}

async fn change_password_refuses_wrong_credentials_weak_and_unchanged_passwords(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    app.register(&email).await;
    let attempt = |password: &str, new_password: &str| {
        app.post("/api/change-password")
            .json(&json!({
                "grant_type": "password", "client_id": app.client_id, "device_name": "d", "device_id": "d",
                "username": email, "password": password, "new_password": new_password,
            }))
            .send()
    };
    let (status, body) = parts(attempt("Wrong-Password-1", "Another-Secret-77").await.expect("r")).await;
    assert_eq!(
        (status, body["error"].clone()),
        (StatusCode::BAD_REQUEST, json!("invalid_grant"))
    );
    let (_, body) = parts(attempt(PASSWORD, "password123").await.expect("r")).await;
    assert_eq!(body["errors"]["new_password"], json!(["This password is too common."]));
    let (_, body) = parts(attempt(PASSWORD, PASSWORD).await.expect("r")).await;
    assert_eq!(
        body["errors"]["new_password"],
        json!(["The new password must differ from the current one."])
    );
    assert_eq!(
        app.post_error("/api/change-password", &json!({"grant_type": "refresh_token"}))
            .await,
        (StatusCode::BAD_REQUEST, json!("unsupported_grant_type"))
    );
    // Nothing changed: the old password still logs in.
    assert_eq!(app.login(&email, PASSWORD, "x").await.status(), StatusCode::OK);
}

on_both_backends!(
    password_grant_answers_a_pair_that_is_never_cached,
    unknown_user_and_wrong_password_get_the_same_answer,
    refresh_rotates_and_a_rotated_token_is_refused_within_the_grace_period_without_killing_the_session,
    refresh_checks_the_client_when_given,
    unknown_and_missing_grant_types_are_refused,
    a_new_login_on_the_same_device_revokes_the_previous_pair,
    one_session_more_than_the_cap_revokes_the_least_recently_used,
    logout_revokes_this_session_only,
    change_password_answers_a_fresh_pair_and_revokes_every_other_session,
    change_password_refuses_wrong_credentials_weak_and_unchanged_passwords,
);
