//! Races the issue names, over HTTP: never a 5xx, never corrupt state.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;
use registrar_domain::UserId;
use registrar_store::SessionStore;

async fn fifty_parallel_registrations_of_one_email_give_one_account(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let requests = (0..50).map(|i| {
        let mut body = app.registration(&email);
        body["device_id"] = json!(format!("device-{i}"));
        app.post("/api/register").json(&body).send()
    });
    let mut statuses = Vec::new();
    for response in futures_util::future::join_all(requests).await {
        let (status, body) = parts(response.expect("request")).await;
        if status == StatusCode::BAD_REQUEST {
            assert_eq!(
                body["errors"]["username"],
                json!(["This email address is already registered."]),
                "{body}"
            );
        }
        statuses.push(status);
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::BAD_REQUEST).count(),
        49,
        "{statuses:?}"
    );
}

async fn twenty_parallel_refreshes_of_one_token_have_one_winner_and_the_session_survives(backend: Backend) {
    let app = spawn_app(backend).await;
    let pair = app.register(&unique_email()).await;
    let requests = (0..20).map(|_| {
        app.post("/api/token")
            .json(&json!({"grant_type": "refresh_token", "refresh_token": pair["refresh_token"]}))
            .send()
    });
    let mut winners: Vec<Value> = Vec::new();
    for response in futures_util::future::join_all(requests).await {
        let (status, body) = parts(response.expect("request")).await;
        match status {
            StatusCode::OK => winners.push(body),
            StatusCode::BAD_REQUEST => assert_eq!(body["error"], "invalid_grant", "{body}"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one winner");
    let winner = &winners[0];
    assert_eq!(
        app.me(winner["access_token"].as_str().expect("t")).await.status(),
        StatusCode::OK
    );
    let (status, _) = parts(
        app.post("/api/token")
            .json(&json!({"grant_type": "refresh_token", "refresh_token": winner["refresh_token"]}))
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "the session lives on with the winner's pair");
}

async fn twenty_parallel_logins_on_eight_devices_never_leave_more_than_the_cap(backend: Backend) {
    let app = spawn_app_with(backend, |c| c.auth.max_sessions_per_client = 5).await;
    let email = unique_email();
    let registered = app.register(&email).await;
    let (_, me) = parts(app.me(registered["access_token"].as_str().expect("t")).await).await;
    let user = UserId(me["id"].as_str().expect("id").to_owned());
    let devices: Vec<String> = (0..20).map(|i| format!("device-{}", i % 8)).collect();
    let logins = devices.iter().map(|device| app.login(&email, PASSWORD, device));
    for response in futures_util::future::join_all(logins).await {
        assert_eq!(response.status(), StatusCode::OK);
    }
    let sessions = app.service.store().sessions_of(&user).await.expect("sessions");
    assert!(sessions.len() <= 5, "{} sessions live", sessions.len());
    let mut live: Vec<_> = sessions.iter().map(|s| s.device_id.as_str().to_owned()).collect();
    live.sort();
    live.dedup();
    assert_eq!(live.len(), sessions.len(), "one session per device");
}

on_both_backends!(
    fifty_parallel_registrations_of_one_email_give_one_account,
    twenty_parallel_refreshes_of_one_token_have_one_winner_and_the_session_survives,
    twenty_parallel_logins_on_eight_devices_never_leave_more_than_the_cap,
);
