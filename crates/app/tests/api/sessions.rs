use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

async fn sessions_lists_each_device_and_marks_the_current_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    app.register(&email).await;
    let (_, laptop) = parts(app.login(&email, PASSWORD, "laptop").await).await;
    let (status, list) = parts(send(app.get("/api/sessions").bearer_auth(access_token(&laptop))).await).await;
    assert_eq!(status, StatusCode::OK);
    let list = list.as_array().expect("a list").clone();
    assert_eq!(list.len(), 2);
    let current: Vec<_> = list.iter().filter(|s| s["current"] == json!(true)).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["device_id"], "laptop");
    assert_eq!(current[0]["client_id"], app.client_id.as_str());
    for s in &list {
        for field in [
            "device_id",
            "device_name",
            "client_id",
            "created_at",
            "last_used_at",
            "current",
        ] {
            assert!(s.get(field).is_some(), "{field} in {s}");
        }
    }
}

async fn deleting_a_device_session_stops_its_tokens(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, registered, laptop) = app.on_two_devices().await;
    let token = access_token(&registered);
    let response = send(app.http.delete(app.url("/api/sessions/laptop")).bearer_auth(token)).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.me_status(&laptop).await, StatusCode::UNAUTHORIZED);
    assert_eq!(app.me(token).await.status(), StatusCode::OK);
    assert_eq!(
        error_of(send(app.http.delete(app.url("/api/sessions/laptop")).bearer_auth(token)).await).await,
        (StatusCode::NOT_FOUND, json!("not_found"))
    );
}

async fn the_session_evicted_beyond_the_cap_is_the_one_used_longest_ago(backend: Backend) {
    let app = spawn_app_with(backend, |c| c.auth.max_sessions_per_client = 2).await;
    let email = unique_email();
    let a = app.register(&email).await;
    let a = access_token(&a);
    // Whole seconds apart, so that no stored precision makes a tie.
    let apart = std::time::Duration::from_millis(1100);
    tokio::time::sleep(apart).await;
    let (status, b) = parts(app.login(&email, PASSWORD, "b").await).await;
    assert_eq!(status, StatusCode::OK);
    tokio::time::sleep(apart).await;
    // A is used a moment before C logs in: B is now the one used longest ago.
    assert_eq!(app.me(a).await.status(), StatusCode::OK);
    let (status, c) = parts(app.login(&email, PASSWORD, "c").await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.me_status(&b).await,
        StatusCode::UNAUTHORIZED,
        "B, used longest ago, is evicted"
    );
    assert_eq!(app.me(a).await.status(), StatusCode::OK, "A, used just now, stays");
    assert_eq!(app.me_status(&c).await, StatusCode::OK, "C is the new session");
}

on_both_backends!(
    sessions_lists_each_device_and_marks_the_current_one,
    deleting_a_device_session_stops_its_tokens,
    the_session_evicted_beyond_the_cap_is_the_one_used_longest_ago,
);
