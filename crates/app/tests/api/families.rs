//! One domain under five contracts: an account made by any family confirms,
//! logs in, accepts policies and shows its profile the same way; invite-only
//! mode closes every door without a signup token.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

/// Makes an account through `family` and returns its address.
async fn account_through(app: &TestApp, family: &str) -> String {
    let email = unique_email();
    match family {
        "core" => {
            app.register(&email).await;
        }
        "users" => {
            let body = json!({"first_name": "Ann", "last_name": "Lee", "email": email, "postal_code": "4000", "password": PASSWORD});
            assert_eq!(
                app.post_json("/api/users/register", &body).await.status(),
                StatusCode::CREATED
            );
        }
        "typed" => {
            let body = json!({"token": app.invite(1).await, "usertype": "customer", "email": email, "display_name": "ann",
                              "full_name": "Ann Lee", "postcode": "M1 1AE", "year_of_birth": 1980, "password": PASSWORD});
            assert_eq!(app.post_json("/api/register", &body).await.status(), StatusCode::OK);
        }
        _ => {
            let body = json!({"email": email, "language": "en"});
            assert_eq!(app.post_json("/signup", &body).await.status(), StatusCode::CREATED);
            let mail = app.wait_for_mails(&email, 1).await.remove(0);
            let id = token_of_link(&link_in(&mail, "/confirm/signup/").expect("link"));
            let confirmed = app
                .post_json(
                    &format!("/confirm/signup/{id}"),
                    &json!({"consent": 1, "password": PASSWORD}),
                )
                .await;
            assert_eq!(confirmed.status(), StatusCode::OK);
        }
    }
    email
}

async fn accounts_of_every_family_share_one_domain(backend: Backend) {
    let app = spawn_app(backend).await;
    for family in ["core", "users", "typed", "signup"] {
        let email = account_through(&app, family).await;
        if family != "signup" {
            let code = six_digit_code(&app.wait_for_mails(&email, 1).await[0]).expect("code");
            let response = app
                .post_json("/api/users/validation", &json!({"email": email, "token": code}))
                .await;
            assert_eq!(response.status(), StatusCode::CREATED, "{family}: confirm by code");
        }
        let (status, pair) = parts(app.login(&email, PASSWORD, "d").await).await;
        assert_eq!(status, StatusCode::OK, "{family}: /api/token");
        let token = access_token(&pair).to_owned();
        let (_, me) = parts(app.me(&token).await).await;
        assert_eq!(me["email_confirmed"], true, "{family}");
        let pending: Vec<Value> = me["pending_policies"].as_array().expect("list").clone();
        if !pending.is_empty() {
            let response = send(
                app.post("/api/policies/accept")
                    .bearer_auth(&token)
                    .json(&json!({"policies": pending})),
            )
            .await;
            let (_, acceptance) = parts(response).await;
            assert_eq!(acceptance["pending"], json!([]), "{family}");
        }
        let web = app
            .post_json("/api/users/login", &json!({"username": email, "password": PASSWORD}))
            .await;
        assert_eq!(web.status(), StatusCode::OK, "{family}: the web login too");
    }
}

async fn invite_only_mode_needs_a_signup_token_in_every_family(backend: Backend) {
    let app = spawn_app_with(backend, |c| c.registration.invite_only = true).await;
    let (status, body) = parts(app.post_json("/api/register", &app.registration(&unique_email())).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"]["token"], json!(["This field is required."]));
    let mut with_token = app.registration(&unique_email());
    with_token["token"] = json!(app.invite(1).await);
    assert_eq!(
        app.post_json("/api/register", &with_token).await.status(),
        StatusCode::OK
    );

    let users = json!({"first_name": "Ann", "last_name": "Lee", "email": unique_email(), "postal_code": "4000", "password": PASSWORD});
    let (status, body) = parts(app.post_json("/api/users/register", &users).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"]["token"], json!(["The token field is required."]));

    let (status, body) = parts(app.signup(&unique_email()).await).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::BAD_REQUEST,
            json!({"result": "error", "error": "tokenMissing"})
        )
    );
    let (status, _) = parts(
        app.post_json(
            "/signup",
            &json!({"email": unique_email(), "language": "en", "token": app.invite(1).await}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
}

async fn a_disabled_account_cannot_log_in_and_its_sessions_end(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let pair = app.register(&email).await;
    app.service.user_set_disabled(&email, true).await.expect("disabled");
    assert_eq!(app.me_status(&pair).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        error_of(app.login(&email, PASSWORD, "d").await).await,
        (StatusCode::FORBIDDEN, json!("account_disabled"))
    );
    let (status, _) = parts(app.login(&email, "Wrong-Password-1", "d").await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "no hint without the password");
    app.service.user_set_disabled(&email, false).await.expect("enabled");
    assert_eq!(app.login(&email, PASSWORD, "d").await.status(), StatusCode::OK);
}

on_both_backends!(
    accounts_of_every_family_share_one_domain,
    invite_only_mode_needs_a_signup_token_in_every_family,
    a_disabled_account_cannot_log_in_and_its_sessions_end,
);
