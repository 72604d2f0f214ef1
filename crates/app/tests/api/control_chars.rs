//! Control characters in what people type (a line feed in a name once made
//! the mail builder panic and stopped all mail): every family refuses them
//! with its own validation error, nothing is stored, and mail keeps flowing
//! for everyone — with the file transport and over SMTP.

use registrar_smtp::testing::{Behaviour, SmtpSink};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

const BAD_NAMES: [&str; 5] = ["Eve\nX", "A\rB", "Nul\0l", "Line\u{2028}sep", "Bell\u{7}"];

async fn post(app: &TestApp, path: &str, body: &Value) -> (StatusCode, Value) {
    parts(send(app.post(path).json(body)).await).await
}

/// Tries every family and PATCH /api/me with each bad name; each answer is
/// that family's validation error on that field, and no account appears.
async fn every_family_refuses(app: &TestApp) {
    let pair = app.register(&unique_email()).await;
    let access = access_token(&pair).to_owned();

    for bad in BAD_NAMES {
        // Core registration: 400 validation_failed on firstname.
        let email = unique_email();
        let mut body = app.registration(&email);
        body["firstname"] = json!(bad);
        let (status, answer) = post(app, "/api/register", &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad:?}: {answer}");
        assert_eq!(answer["error"], "validation_failed");
        assert_eq!(
            answer["errors"]["firstname"],
            json!(["This field may not contain control characters (line breaks, tabs, NUL)."])
        );
        // Also a device name.
        let mut body = app.registration(&email);
        body["device_name"] = json!(bad);
        let (status, answer) = post(app, "/api/register", &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad:?}: {answer}");
        assert!(answer["errors"]["device_name"].is_array(), "{answer}");
        assert_eq!(
            app.login(&email, PASSWORD, "d").await.status(),
            StatusCode::BAD_REQUEST,
            "no account was made for {bad:?}"
        );

        // Users API: 422 in Laravel's shape on first_name.
        let body = json!({"first_name": bad, "last_name": "Doe", "email": unique_email(),
                          "postal_code": "5673RE", "password": "SweetKittens23#"});
        let (status, answer) = post(app, "/api/users/register", &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}: {answer}");
        assert_eq!(
            answer["errors"]["first_name"],
            json!(["The first name may not contain control characters."])
        );

        // Typed registration: 400 with the failed check, on display_name and name.
        let body = json!({"token": app.invite(1).await, "usertype": "customer", "email": unique_email(),
                          "display_name": bad, "full_name": "Jane Doe", "postcode": "SW1A 1AA",
                          "year_of_birth": 1990, "password": PASSWORD});
        let (status, answer) = post(app, "/api/register", &body).await;
        assert_eq!(
            (status, answer),
            (
                StatusCode::BAD_REQUEST,
                json!({"success": false, "error": "no_control_characters",
                       "message": "display_name may not contain control characters."})
            ),
            "{bad:?}"
        );
        let body = json!({"token": app.invite(1).await, "usertype": "organisation", "email": unique_email(),
                          "name": bad, "street_name": "1 High Street", "town": "Leeds", "sector": "C",
                          "postcode": "LS1 4AP", "password": PASSWORD});
        let (status, answer) = post(app, "/api/register", &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad:?}: {answer}");
        assert_eq!(answer["error"], "no_control_characters");

        // PATCH /api/me: 400 validation_failed, the name unchanged.
        let patched = send(
            app.http
                .patch(app.url("/api/me"))
                .bearer_auth(&access)
                .json(&json!({"firstname": bad})),
        )
        .await;
        let (status, answer) = parts(patched).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad:?}: {answer}");
        assert!(answer["errors"]["firstname"].is_array(), "{answer}");
        let (_, me) = parts(app.me(&access).await).await;
        assert_eq!(me["firstname"], "Simon", "{me}");
    }

    // A NUL in a device id or a session path is a clean answer, not a 500.
    let (status, answer) = parts(
        send(app.post("/api/token").json(
            &json!({"grant_type": "password", "client_id": app.client_id, "username": unique_email(),
                          "password": PASSWORD, "device_id": "dev\u{0}ice", "device_name": "Phone"}),
        ))
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(answer["errors"]["device_id"].is_array(), "{answer}");
    let deleted = send(app.http.delete(app.url("/api/sessions/dev%00ice")).bearer_auth(&access)).await;
    assert_eq!(deleted.status(), StatusCode::NOT_FOUND);
}

async fn control_characters_are_refused_and_mail_flows_on(backend: Backend) {
    let app = spawn_app(backend).await;
    every_family_refuses(&app).await;
    let email = unique_email();
    let (_, mail) = app.register_and_read_mail(&email).await;
    assert!(six_digit_code(&mail).is_some(), "another user's mail arrives");
}

async fn control_characters_are_refused_and_mail_flows_on_over_smtp(backend: Backend) {
    let sink = SmtpSink::start(Behaviour::Accept).await;
    let port = sink.addr.port();
    let app = spawn_app_with(backend, smtp_to(port)).await;
    every_family_refuses(&app).await;
    let email = unique_email();
    app.register(&email).await;
    smtp_mails_to(&sink, &email, 1).await;
}

on_both_backends!(
    control_characters_are_refused_and_mail_flows_on,
    control_characters_are_refused_and_mail_flows_on_over_smtp
);
