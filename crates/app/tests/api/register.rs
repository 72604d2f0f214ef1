use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

async fn register_answers_a_token_pair_and_the_profile_shows_the_account(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let pair = app.register(&email).await;
    assert!(is_token(&pair["access_token"]), "{pair}");
    assert!(is_token(&pair["refresh_token"]), "{pair}");
    assert_ne!(pair["access_token"], pair["refresh_token"]);
    assert_eq!(pair["token_type"], "Bearer");
    assert_eq!(pair["expires_in"], 3600);

    let (status, me) = parts(app.me(access_token(&pair)).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["username"], email.as_str());
    assert_eq!(me["firstname"], "Simon");
    assert_eq!(me["lastname"], "Peters");
    assert_eq!(me["display_name"], "Simon Peters");
    assert_eq!(me["telephone"], "+32475000000");
    assert_eq!(me["email_confirmed"], false);
    assert_eq!(me["role"], "guest");
    assert_eq!(me["pending_policies"], json!([]));
    assert_eq!(me["accepted_policies"], json!(app.policies));
}

async fn register_accepts_a_form_body_with_repeated_list_keys_both_ways(backend: Backend) {
    let app = spawn_app(backend).await;
    for key in ["policies", "policies[]"] {
        let email = unique_email();
        let mut form: Vec<(&str, String)> = vec![
            ("client_id", app.client_id.clone()),
            ("device_name", "Laptop".into()),
            ("device_id", "laptop-1".into()),
            ("username", email.clone()),
            ("password", PASSWORD.into()),
            ("firstname", "Ann".into()),
            ("lastname", "Smith".into()),
            ("telephone", "+31 6 12345678".into()),
            ("tin_nr", "BE0123456789".into()),
        ];
        for id in &app.policies {
            form.push((key, id.to_string()));
        }
        let response = send(app.post("/api/register").form(&form)).await;
        let (status, body) = parts(response).await;
        assert_eq!(status, StatusCode::OK, "{key}: {body}");
        let (_, me) = parts(app.me(access_token(&body)).await).await;
        assert_eq!(me["tin_nr"], "BE0123456789");
        assert_eq!(me["telephone"], "+31612345678");
    }
}

async fn register_lists_every_failing_field_at_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let body = json!({
        "client_id": app.client_id,
        "device_name": "",
        "username": "not-an-email",
        "password": "short",
        "firstname": "x".repeat(192),
        "telephone": "12345",
        "policies": [999_999, "abc"],
        "tin_nr": "1".repeat(65),
    });
    let (status, body) = parts(app.post_json("/api/register", &body).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["success"], false);
    assert_eq!(body["error"], "validation_failed");
    assert_eq!(body["message"], "The given data was invalid.");
    let errors = body["errors"].as_object().expect("errors object");
    for field in [
        "device_id",
        "device_name",
        "username",
        "password",
        "firstname",
        "lastname",
        "telephone",
        "policies",
        "tin_nr",
    ] {
        assert!(errors.contains_key(field), "{field} missing in {body}");
    }
    assert_eq!(errors["device_id"], json!(["This field is required."]));
    assert_eq!(
        errors["firstname"],
        json!(["This field may not be longer than 191 characters."])
    );
    assert_eq!(
        errors["password"],
        json!(["The password must be at least 8 characters."])
    );
}

async fn register_refuses_a_common_password_and_one_equal_to_the_email(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    for (password, message) in [
        ("password123", "This password is too common."),
        (email.as_str(), "The password may not be your email address."),
    ] {
        let mut body = app.registration(&email);
        body["password"] = json!(password);
        let (status, body) = parts(app.post_json("/api/register", &body).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["errors"]["password"], json!([message]));
    }
}

async fn register_refuses_a_taken_email_in_any_case_and_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let pair = app.register(&email).await;
    let (status, body) = parts(
        app.post_json("/api/register", &app.registration(&email.to_uppercase()))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "validation_failed");
    assert_eq!(
        body["errors"]["username"],
        json!(["This email address is already registered."])
    );
    // The first account's session is untouched.
    assert_eq!(app.me_status(&pair).await, StatusCode::OK);
}

async fn register_refuses_an_unknown_client(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut body = app.registration(&unique_email());
    body["client_id"] = json!("no-such-client");
    let (status, body) = parts(app.post_json("/api/register", &body).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_client");
    assert_eq!(body["success"], false);
}

async fn register_requires_the_current_revision_of_every_required_policy(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let mut body = app.registration(&email);
    body["policies"] = json!([app.policies[0]]);
    let (status, body) = parts(app.post_json("/api/register", &body).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["errors"]["policies"],
        json!(["The current privacy policy must be accepted."])
    );
    // Bad input changed nothing: the address is still free.
    app.register(&email).await;
}

async fn register_ignores_duplicate_policy_ids_and_unknown_fields(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut body = app.registration(&unique_email());
    body["policies"] = json!([app.policies[0], app.policies[1], app.policies[1]]);
    body["favourite_colour"] = json!("green");
    let response = app.post_json("/api/register", &body).await;
    assert_eq!(response.status(), StatusCode::OK);
}

async fn register_mails_a_six_digit_code_and_a_link_in_the_users_language(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let response = app
        .post("/api/register")
        .header("Accept-Language", "nl-BE,nl;q=0.9,en;q=0.5")
        .json(&app.registration(&email))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    let mails = app.mails_to(&email);
    assert_eq!(mails.len(), 1, "one confirmation mail");
    let mail = &mails[0];
    assert!(six_digit_code(mail).is_some(), "a six-digit code in {mail}");
    assert!(
        mail.contains(&format!("{}/confirm/", "http://127.0.0.1:8080")),
        "a confirmation link in {mail}"
    );
    let (_, me) = parts(app.me(&token_of(&app, &email).await).await).await;
    assert_eq!(me["language"], "nl");
}

async fn token_of(app: &TestApp, email: &str) -> String {
    let (_, pair) = parts(app.login(email, PASSWORD, "other").await).await;
    access_token(&pair).to_owned()
}

async fn register_explains_errors_in_the_requested_language(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut body = app.registration("not-an-email");
    body["firstname"] = json!("");
    let (_, de) = parts(send(app.post("/api/register").header("Accept-Language", "de").json(&body)).await).await;
    assert_eq!(de["message"], "Die angegebenen Daten sind ungültig.");
    assert_eq!(de["errors"]["firstname"], json!(["Dieses Feld ist erforderlich."]));
    let (_, fr) = parts(
        app.post("/api/register")
            .header("Accept-Language", "ja, fr;q=0.3")
            .json(&body)
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(fr["message"], "Les données fournies ne sont pas valides.");
    let (_, unknown) = parts(send(app.post("/api/register").header("Accept-Language", "ja").json(&body)).await).await;
    assert_eq!(unknown["message"], "The given data was invalid.");
}

async fn twenty_parallel_registrations_of_one_email_give_one_account_and_nineteen_clean_errors(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let requests = (0..20).map(|i| {
        let mut body = app.registration(&if i % 2 == 0 {
            email.clone()
        } else {
            email.to_uppercase()
        });
        body["device_id"] = json!(format!("device-{i}"));
        app.post("/api/register").json(&body).send()
    });
    let responses = futures_util::future::join_all(requests).await;
    let mut ok = 0;
    let mut taken = 0;
    for response in responses {
        let (status, body) = parts(response.expect("request")).await;
        match status {
            StatusCode::OK => ok += 1,
            StatusCode::BAD_REQUEST => {
                assert_eq!(
                    body["errors"]["username"],
                    json!(["This email address is already registered."]),
                    "{body}"
                );
                taken += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!((ok, taken), (1, 19));
    // The mail worker may be the one that sends it, just after the answer.
    app.wait_for_mails(&email, 1).await;
    assert_eq!(app.mails_to(&email).len(), 1, "exactly one confirmation mail");
}

on_both_backends!(
    register_answers_a_token_pair_and_the_profile_shows_the_account,
    register_accepts_a_form_body_with_repeated_list_keys_both_ways,
    register_lists_every_failing_field_at_once,
    register_refuses_a_common_password_and_one_equal_to_the_email,
    register_refuses_a_taken_email_in_any_case_and_changes_nothing,
    register_refuses_an_unknown_client,
    register_requires_the_current_revision_of_every_required_policy,
    register_ignores_duplicate_policy_ids_and_unknown_fields,
    register_mails_a_six_digit_code_and_a_link_in_the_users_language,
    register_explains_errors_in_the_requested_language,
    twenty_parallel_registrations_of_one_email_give_one_account_and_nineteen_clean_errors,
);
