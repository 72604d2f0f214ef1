//! The device-token API's documented example requests (register and change
//! password), replayed with a real client id and passwords that pass the rules
//! (the change-password example's `password123` is refused on purpose: it is a
//! common password).

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

fn assert_token_pair(pair: &Value) {
    assert!(is_token(&pair["access_token"]), "{pair}");
    assert!(is_token(&pair["refresh_token"]), "{pair}");
    assert_eq!(pair["token_type"], "Bearer");
    assert_eq!(pair["expires_in"], 3600);
    assert_eq!(
        pair.as_object().map(|o| o.len()),
        Some(4),
        "exactly the four documented fields: {pair}"
    );
}

async fn the_documented_register_example_answers_a_token_pair(backend: Backend) {
    let app = spawn_app(backend).await;
    let body = format!(
        r#"{{
    "client_id": "{client}",
    "device_name": "Simon's iPhone",
    "device_id": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9fdgs",
    "username": "example@domain.com",
    "password": "{password}",
    "firstname": "Simon",
    "lastname": "Example",
    "telephone": "+32 475 00 00 00",
    "policies": [
        {tac},
        {privacy},
        {privacy}
    ],
    "tin_nr": "BE0123.456.789"
}}"#,
        client = app.client_id,
        password = PASSWORD,
        tac = app.policies[0],
        privacy = app.policies[1],
    );
    let response = app
        .post("/api/register")
        .header("X-VERSION", "1.9.0")
        .header("Accept-Language", "en-US,en;q=0.5")
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .starts_with("application/json"));
    let pair: Value = response.json().await.expect("json");
    assert_token_pair(&pair);
}

async fn the_documented_change_password_example_answers_a_new_token_pair(backend: Backend) {
    let app = spawn_app(backend).await;
    app.register("example@domain.com").await;
    let response = app
        .post("/api/change-password")
        .header("X-VERSION", "1.9.0")
        .header("Accept-Language", "en-US,en;q=0.5")
        .json(&json!({
            "grant_type": "password",
            "client_id": app.client_id,
            "device_name": "Simon's iPhone",
            "device_id": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9fdgs",
            "username": "example@domain.com",
            "password": PASSWORD,
            "new_password": "Kittens-Sweet-2024",
        }))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    assert_token_pair(&response.json().await.expect("json"));
}

async fn the_change_password_example_with_its_literal_password123_is_refused_as_too_common(backend: Backend) {
    let app = spawn_app(backend).await;
    app.register("example@domain.com").await;
    let (status, body) = parts(
        app.post_json(
            "/api/change-password",
            &json!({
                "grant_type": "password", "client_id": app.client_id, "device_name": "Simon's iPhone",
                "device_id": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9fdgs", "username": "example@domain.com",
                "password": PASSWORD, "new_password": "password123",
            }),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"]["new_password"], json!(["This password is too common."]));
}

on_both_backends!(
    the_documented_register_example_answers_a_token_pair,
    the_documented_change_password_example_answers_a_new_token_pair,
    the_change_password_example_with_its_literal_password123_is_refused_as_too_common,
);
