//! The users API: registration, login, roles, Laravel's shapes.

use std::net::Ipv4Addr;

use registrar_dns::testing::{FakeDns, Zone};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

fn harrie(email: &str) -> Value {
    json!({"first_name": "Harrie", "insertion": "van", "last_name": "Tiggelen", "email": email,
           "postal_code": "5673RE", "password": "SweetKittens23#"})
}

async fn register(app: &TestApp, body: &Value) -> (StatusCode, Value) {
    parts(send(app.post("/api/users/register").json(body)).await).await
}

async fn web_login(app: &TestApp, email: &str, password: &str) -> (StatusCode, Value) {
    parts(
        app.post_json("/api/users/login", &json!({"username": email, "password": password}))
            .await,
    )
    .await
}

async fn confirm(app: &TestApp, email: &str) {
    let code = six_digit_code(&app.wait_for_mails(email, 1).await[0]).expect("code");
    let response = app
        .post_json("/api/users/validation", &json!({"email": email, "token": code}))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

async fn the_documented_users_register_example_answers_201_with_the_guest_and_no_password(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let (status, body) = register(&app, &harrie(&email)).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        body,
        json!({"first_name": "Harrie", "insertion": "van", "last_name": "Tiggelen", "email": email,
               "postal_code": "5673RE", "role": "guest"})
    );
    // The mail worker may be the one that sends it, just after the answer.
    app.wait_for_mails(&email, 1).await;
    assert_eq!(app.mails_to(&email).len(), 1, "a code is mailed");
}

async fn register_refuses_a_taken_email_with_laravels_words(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    register(&app, &harrie(&email)).await;
    let (status, body) = register(&app, &harrie(&email.to_uppercase())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body,
        json!({"message": "The given data was invalid.", "errors": {"email": ["The email has already been taken."]}})
    );
}

async fn register_lists_every_failing_rule_in_laravels_words(backend: Backend) {
    let app = spawn_app(backend).await;
    let body = json!({"insertion": "x".repeat(192), "last_name": "y".repeat(192), "email": "not-an-email",
                      "postal_code": "12345AB"});
    let (status, body) = register(&app, &body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["message"], "The given data was invalid.");
    let errors = &body["errors"];
    assert_eq!(errors["first_name"], json!(["The first name field is required."]));
    assert_eq!(
        errors["insertion"],
        json!(["The insertion may not be greater than 191 characters."])
    );
    assert_eq!(
        errors["last_name"],
        json!(["The last name may not be greater than 191 characters."])
    );
    assert_eq!(errors["email"], json!(["The email must be a valid email address."]));
    assert_eq!(errors["postal_code"], json!(["The postal code format is invalid."]));
    assert_eq!(errors["password"], json!(["The password field is required."]));
    let mut weak = harrie(&unique_email());
    weak["password"] = json!("password");
    let (_, body) = register(&app, &weak).await;
    assert_eq!(
        body["errors"]["password"],
        json!(["The password is too common; choose another one."])
    );
}

async fn dutch_belgian_and_german_postal_codes_are_accepted(backend: Backend) {
    let app = spawn_app(backend).await;
    for code in ["1234 AB", "1234ab", "4000", "26133"] {
        let mut body = harrie(&unique_email());
        body["postal_code"] = json!(code);
        let (status, answer) = register(&app, &body).await;
        assert_eq!(status, StatusCode::CREATED, "{code}: {answer}");
    }
}

async fn the_email_domain_must_exist_unless_dns_cannot_be_asked(backend: Backend) {
    let dns = FakeDns::start(
        Zone::new()
            .mx("mail.test", 10, "mx.mail.test")
            .a("web.test", Ipv4Addr::new(192, 0, 2, 1)),
    )
    .await;
    let server = dns.address();
    let app = spawn_app_with(backend, move |c| {
        c.email.check_domain = true;
        c.email.dns_servers = vec![server.to_string()];
        c.email.dns_timeout = 2;
    })
    .await;
    for email in ["harrie@mail.test", "harrie@web.test"] {
        assert_eq!(register(&app, &harrie(email)).await.0, StatusCode::CREATED, "{email}");
    }
    let (status, body) = register(&app, &harrie("harrie@nowhere.test")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["errors"]["email"],
        json!(["The email must be a valid email address."])
    );

    // A resolver that never answers: the address is let through.
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    let silent_address = silent.local_addr().expect("addr");
    let open = spawn_app_with(backend, move |c| {
        c.email.check_domain = true;
        c.email.dns_servers = vec![silent_address.to_string()];
        c.email.dns_timeout = 1;
    })
    .await;
    assert_eq!(
        register(&open, &harrie("harrie@nowhere.test")).await.0,
        StatusCode::CREATED
    );
    drop(silent);
}

async fn web_login_refuses_unconfirmed_and_wrong_credentials_then_answers_tokens_and_role(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    register(&app, &harrie(&email)).await;
    assert_eq!(
        web_login(&app, &email, "SweetKittens23#").await,
        message(StatusCode::UNAUTHORIZED, "The email is not validated")
    );
    assert_eq!(
        web_login(&app, &email, "Wrong-Kittens-1").await,
        message(StatusCode::UNAUTHORIZED, "The username or password is incorrect.")
    );
    confirm(&app, &email).await;
    let (status, first) = web_login(&app, &email, "SweetKittens23#").await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["token_type"], "Bearer");
    assert_eq!(first["expires_in"], 3600);
    assert_eq!(first["role"], "guest");
    assert!(is_token(&first["access_token"]) && is_token(&first["refresh_token"]));
    // Two browsers never log each other out.
    let (_, second) = web_login(&app, &email, "SweetKittens23#").await;
    assert_eq!(app.me_status(&first).await, StatusCode::OK);
    let (_, me) = parts(app.me(access_token(&second)).await).await;
    assert_eq!(me["insertion"], "van");
    assert_eq!(me["postal_code"], "5673RE");
    assert_eq!(me["display_name"], "Harrie van Tiggelen");
    let (status, body) = parts(app.post_json("/api/users/login", &json!({})).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"]["username"], json!(["The username field is required."]));
}

async fn a_role_given_by_the_operator_shows_in_login_and_profile(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    register(&app, &harrie(&email)).await;
    confirm(&app, &email).await;
    app.service.user_set_role(&email, "admin").await.expect("role");
    let (_, login) = web_login(&app, &email, "SweetKittens23#").await;
    assert_eq!(login["role"], "admin");
    let (_, me) = parts(app.me(access_token(&login)).await).await;
    assert_eq!(me["role"], "admin");
}

on_both_backends!(
    the_documented_users_register_example_answers_201_with_the_guest_and_no_password,
    register_refuses_a_taken_email_with_laravels_words,
    register_lists_every_failing_rule_in_laravels_words,
    dutch_belgian_and_german_postal_codes_are_accepted,
    the_email_domain_must_exist_unless_dns_cannot_be_asked,
    web_login_refuses_unconfirmed_and_wrong_credentials_then_answers_tokens_and_role,
    a_role_given_by_the_operator_shows_in_login_and_profile,
);
