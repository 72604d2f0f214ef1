use reqwest::StatusCode;
use serde_json::{json, Value};

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
            "sign_in_method",
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

/// How each session of the caller signed in, as `GET /api/sessions` says:
/// `(device_id, sign_in_method)`, oldest first.
pub async fn sign_in_methods(app: &TestApp, access_token: &str) -> Vec<(String, String)> {
    let (status, list) = parts(send(app.get("/api/sessions").bearer_auth(access_token)).await).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let text = |v: &Value| v.as_str().expect("a string").to_owned();
    let list = list.as_array().expect("a list");
    list.iter()
        .map(|s| (text(&s["device_id"]), text(&s["sign_in_method"])))
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(d, m)| ((*d).to_owned(), (*m).to_owned()))
        .collect()
}

async fn each_session_shows_how_it_signed_in_and_keeps_it_through_a_refresh(backend: Backend) {
    let app = spawn_app(backend).await;
    let (email, registered, laptop) = app.on_two_devices().await;
    assert_eq!(
        sign_in_methods(&app, access_token(&laptop)).await,
        pairs(&[("device-1", "registration"), ("laptop", "password")])
    );

    let refresh = registered["refresh_token"].as_str().expect("a refresh token");
    let form = [("grant_type", "refresh_token"), ("refresh_token", refresh)];
    let (status, refreshed) = parts(send(app.post("/api/token").form(&form)).await).await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    assert_eq!(
        sign_in_methods(&app, access_token(&refreshed)).await,
        pairs(&[("device-1", "registration"), ("laptop", "password")]),
        "a refresh keeps how the session signed in"
    );

    let (status, again) = parts(app.login(&email, PASSWORD, "device-1").await).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(
        sign_in_methods(&app, access_token(&again)).await,
        pairs(&[("laptop", "password"), ("device-1", "password")]),
        "signing in again on the device replaces its session, and so its method"
    );
}

async fn a_signup_link_and_a_users_api_login_say_how_they_signed_in(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    assert_eq!(app.signup(&email).await.status(), StatusCode::CREATED);
    let mail = app.wait_for_mails(&email, 1).await.remove(0);
    let id = token_of_link(&link_in(&mail, "/confirm/signup/").expect("a signup link"));
    let consent = json!({"consent": 1, "password": PASSWORD});
    let (status, completed) = parts(app.post_json(&format!("/confirm/signup/{id}"), &consent).await).await;
    assert_eq!(status, StatusCode::OK, "{completed}");
    let token = completed["token"].as_str().expect("a token");
    let methods = |list: Vec<(String, String)>| list.into_iter().map(|(_, m)| m).collect::<Vec<_>>();
    assert_eq!(methods(sign_in_methods(&app, token).await), ["signup_link"]);

    let login = json!({"username": email, "password": PASSWORD});
    assert_eq!(app.post_json("/api/users/login", &login).await.status(), StatusCode::OK);
    assert_eq!(
        methods(sign_in_methods(&app, token).await),
        ["signup_link", "password"],
        "the users API login signed in with the password"
    );
}

async fn a_session_given_by_an_import_says_import(backend: Backend) {
    let app = spawn_app(backend).await;
    // What `registrar seed` does: a confirmed account with a session whose
    // tokens are computable.
    let seeded = app
        .service
        .seed_users(7, 1, &app.client_id, PASSWORD)
        .await
        .expect("seeded");
    assert_eq!(seeded, 1);
    let (access, _) = registrar_service::seed_tokens(7);
    assert_eq!(
        sign_in_methods(&app, &access).await,
        pairs(&[("seed", "import")]),
        "the imported session was given, not signed in"
    );
    let (status, pair) = parts(app.login(&registrar_service::seed_email(7), PASSWORD, "laptop").await).await;
    assert_eq!(status, StatusCode::OK, "{pair}");
    assert_eq!(
        sign_in_methods(&app, &access).await,
        pairs(&[("seed", "import"), ("laptop", "password")])
    );
}

on_both_backends!(
    a_session_given_by_an_import_says_import,
    sessions_lists_each_device_and_marks_the_current_one,
    deleting_a_device_session_stops_its_tokens,
    the_session_evicted_beyond_the_cap_is_the_one_used_longest_ago,
    each_session_shows_how_it_signed_in_and_keeps_it_through_a_refresh,
    a_signup_link_and_a_users_api_login_say_how_they_signed_in,
);
