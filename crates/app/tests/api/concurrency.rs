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

/// `POST /api/token` with the refresh token of a token `pair`, as JSON.
async fn refresh(app: &TestApp, pair: &Value) -> reqwest::Response {
    app.post_json(
        "/api/token",
        &json!({"grant_type": "refresh_token", "refresh_token": pair["refresh_token"]}),
    )
    .await
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
    assert_eq!(app.me_status(winner).await, StatusCode::OK);
    let (status, _) = parts(refresh(&app, winner).await).await;
    assert_eq!(status, StatusCode::OK, "the session lives on with the winner's pair");
}

async fn twenty_parallel_logins_on_eight_devices_never_leave_more_than_the_cap(backend: Backend) {
    let app = spawn_app_with(backend, |c| c.auth.max_sessions_per_client = 5).await;
    let email = unique_email();
    let registered = app.register(&email).await;
    let (_, me) = parts(app.me(access_token(&registered)).await).await;
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

/// Attackers who know the old password log in over and over, on several
/// tasks, while `change` (run once a few of their logins went through)
/// replaces the password. Afterwards no pair any of them got works: every
/// access token answers 401 on `GET /api/me` and every refresh token is
/// refused. Returns how many logins went through (for the caller's sanity).
async fn logins_with_the_old_password_racing(
    app: &TestApp,
    email: &str,
    change: impl std::future::Future<Output = ()>,
) -> usize {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Arc;
    const ATTACKERS: usize = 6;
    const AFTER_THE_CHANGE: usize = 3;
    let changed = Arc::new(AtomicBool::new(false));
    let succeeded = Arc::new(AtomicUsize::new(0));
    let attackers = (0..ATTACKERS).map(|a| {
        let (changed, succeeded) = (Arc::clone(&changed), Arc::clone(&succeeded));
        async move {
            let mut pairs = Vec::new();
            let mut after = 0;
            for i in 0.. {
                if changed.load(Ordering::SeqCst) {
                    after += 1;
                    if after > AFTER_THE_CHANGE {
                        break;
                    }
                }
                let (status, body) = parts(app.login(email, PASSWORD, &format!("attacker-{a}-{i}")).await).await;
                match status {
                    StatusCode::OK => {
                        succeeded.fetch_add(1, Ordering::SeqCst);
                        pairs.push(body);
                    }
                    StatusCode::BAD_REQUEST => assert_eq!(body["error"], "invalid_grant", "{body}"),
                    other => panic!("a login racing a password change answers {other}: {body}"),
                }
            }
            pairs
        }
    });
    let victim = async {
        // Let the attackers in first: the change lands among their logins.
        while succeeded.load(Ordering::SeqCst) < ATTACKERS {
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
        change.await;
        changed.store(true, Ordering::SeqCst);
    };
    let (pairs, ()) = tokio::join!(futures_util::future::join_all(attackers), victim);
    let pairs: Vec<Value> = pairs.into_iter().flatten().collect();
    let mut working = Vec::new();
    for pair in &pairs {
        let access = access_token(pair);
        let me = app.me(access).await.status();
        let (refreshed, _) = parts(refresh(app, pair).await).await;
        if me != StatusCode::UNAUTHORIZED || refreshed != StatusCode::BAD_REQUEST {
            working.push((me, refreshed));
        }
    }
    assert!(
        working.is_empty(),
        "{} of {} sessions opened with the old password still work after the change (GET /api/me, refresh): {working:?}",
        working.len(),
        pairs.len()
    );
    pairs.len()
}

fn no_lockouts(config: &mut registrar::config::Config) {
    // The attackers' refused logins must not lock the victim out.
    config.throttle.login_failures_per_account = 0;
    config.throttle.login_failures_per_ip = 0;
    config.auth.max_sessions_per_client = 10_000;
}

async fn logins_with_the_old_password_racing_a_password_change_leave_no_working_session(backend: Backend) {
    let app = spawn_app_with(backend, no_lockouts).await;
    let email = unique_email();
    app.register(&email).await;
    let change = async {
        let response = send(app.post("/api/change-password").json(
            &json!({"grant_type": "password", "client_id": app.client_id, "device_name": "victim",
                          "device_id": "victim", "username": email, "password": PASSWORD,
                          "new_password": "Another-Secret-77"}),
        ))
        .await;
        let (status, body) = parts(response).await;
        assert_eq!(status, StatusCode::OK, "the victim changes the password: {body}");
        assert_eq!(
            app.me_status(&body).await,
            StatusCode::OK,
            "the victim's own new session works"
        );
    };
    let logins = logins_with_the_old_password_racing(&app, &email, change).await;
    assert!(logins > 0, "some logins went through before the change");
    assert_eq!(
        error_of(app.login(&email, PASSWORD, "late").await).await,
        (StatusCode::BAD_REQUEST, json!("invalid_grant"))
    );
}

async fn logins_with_the_old_password_racing_a_password_reset_leave_no_working_session(backend: Backend) {
    let app = spawn_app_with(backend, no_lockouts).await;
    let email = unique_email();
    app.register(&email).await;
    app.forgot_password(&email).await;
    let token = app.reset_token(&email).await;
    let reset = async {
        let (status, body) = parts(app.reset_password(&token, "Brand-New-Secret-9").await).await;
        assert_eq!(status, StatusCode::OK, "the victim resets the password: {body}");
    };
    let logins = logins_with_the_old_password_racing(&app, &email, reset).await;
    assert!(logins > 0, "some logins went through before the reset");
    let (status, _) = parts(app.login(&email, "Brand-New-Secret-9", "owner").await).await;
    assert_eq!(status, StatusCode::OK, "the new password works");
}

on_both_backends!(
    fifty_parallel_registrations_of_one_email_give_one_account,
    twenty_parallel_refreshes_of_one_token_have_one_winner_and_the_session_survives,
    twenty_parallel_logins_on_eight_devices_never_leave_more_than_the_cap,
    logins_with_the_old_password_racing_a_password_change_leave_no_working_session,
    logins_with_the_old_password_racing_a_password_reset_leave_no_working_session,
);
