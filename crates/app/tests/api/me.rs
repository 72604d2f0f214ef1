use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

async fn bearer_endpoints_refuse_missing_malformed_and_unknown_tokens(backend: Backend) {
    let app = spawn_app(backend).await;
    // No bearer token at all: the bare challenge; one that was sent but is
    // bad: RFC 6750's `invalid_token` challenge.
    let bad = "Bearer error=\"invalid_token\", error_description=\"The access token is missing, invalid or expired.\"";
    for (auth, challenge) in [
        (None, "Bearer"),
        (Some("Bearer"), "Bearer"),
        (Some("Bearer nonsense"), bad),
        (Some(&*format!("Bearer {}", "a".repeat(64))), bad),
        (Some("Basic dXNlcjpwYXNz"), "Bearer"),
    ] {
        let mut request = app.get("/api/me");
        if let Some(auth) = auth {
            request = request.header("Authorization", auth);
        }
        let response = send(request).await;
        assert_eq!(response.headers()["www-authenticate"], challenge, "{auth:?}");
        let (status, body) = parts(response).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{auth:?}");
        assert_eq!(body["error"], "invalid_token");
        assert_eq!(body["success"], false);
    }
}

async fn me_shows_every_documented_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let pair = app.register(&unique_email()).await;
    let (_, me) = parts(app.me(access_token(&pair)).await).await;
    for field in [
        "id",
        "username",
        "firstname",
        "insertion",
        "lastname",
        "display_name",
        "telephone",
        "tin_nr",
        "postal_code",
        "usertype",
        "organisation",
        "role",
        "language",
        "email_confirmed",
        "created_at",
        "accepted_policies",
        "pending_policies",
    ] {
        assert!(me.get(field).is_some(), "{field} missing from {me}");
    }
    assert_eq!(me["insertion"], json!(null));
    assert_eq!(me["organisation"], json!(null));
    assert_eq!(me["usertype"], "person");
}

/// `PATCH /api/me` with a JSON body, as the holder of `token`.
async fn patch_me(app: &TestApp, token: &str, body: Value) -> Response {
    send(app.http.patch(app.url("/api/me")).bearer_auth(token).json(&body)).await
}

/// Registers a new account on a fresh app and sends `PATCH /api/me` with
/// `body` as it; returns the app, the account's access token and the answer.
async fn patch_a_new_account(backend: Backend, body: Value) -> (TestApp, String, Response) {
    let app = spawn_app(backend).await;
    let pair = app.register(&unique_email()).await;
    let token = access_token(&pair).to_owned();
    let response = patch_me(&app, &token, body).await;
    (app, token, response)
}

async fn patch_me_updates_given_fields_and_keeps_the_rest(backend: Backend) {
    let (app, token, response) = patch_a_new_account(
        backend,
        json!({"firstname": "Simone", "insertion": "de", "telephone": "+49 30 901820", "language": "fr"}),
    )
    .await;
    let (status, me) = parts(response).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["firstname"], "Simone");
    assert_eq!(me["insertion"], "de");
    assert_eq!(me["lastname"], "Peters");
    assert_eq!(me["display_name"], "Simone de Peters");
    assert_eq!(me["telephone"], "+4930901820");
    assert_eq!(me["language"], "fr");
    let (_, again) = parts(app.me(&token).await).await;
    assert_eq!(again["firstname"], "Simone");
}

async fn patch_me_with_bad_values_lists_them_and_changes_nothing(backend: Backend) {
    let (app, token, response) = patch_a_new_account(
        backend,
        json!({"firstname": "Changed", "lastname": null, "telephone": "0475", "language": "xx"}),
    )
    .await;
    let (status, body) = parts(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "validation_failed");
    for field in ["lastname", "telephone", "language"] {
        assert!(body["errors"][field].is_array(), "{field}: {body}");
    }
    let (_, me) = parts(app.me(&token).await).await;
    assert_eq!(me["firstname"], "Simon");
}

async fn delete_me_needs_the_password_then_erases_the_account(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let pair = app.register(&email).await;
    let token = access_token(&pair);
    let (status, body) = parts(
        send(
            app.http
                .delete(app.url("/api/me"))
                .bearer_auth(token)
                .json(&json!({"password": "Wrong-Password-1"})),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"]["password"], json!(["The password is incorrect."]));
    let response = send(
        app.http
            .delete(app.url("/api/me"))
            .bearer_auth(token)
            .form(&[("password", PASSWORD)]),
    )
    .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.me(token).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.login(&email, PASSWORD, "d").await.status(), StatusCode::BAD_REQUEST);
    // The address is free again.
    app.register(&email).await;
}

on_both_backends!(
    bearer_endpoints_refuse_missing_malformed_and_unknown_tokens,
    me_shows_every_documented_field,
    patch_me_updates_given_fields_and_keeps_the_rest,
    patch_me_with_bad_values_lists_them_and_changes_nothing,
    delete_me_needs_the_password_then_erases_the_account,
);
