//! The data export end to end (`GET /api/me/export`, `GET
//! /admin/users/{id}/export`): an account that used every feature finds
//! each section filled with the right values and nothing of another
//! account or a secret; the admin's export is the same document; the
//! export is an event of its own; a sixth export within the hour is 429.

use registrar_store::OutboxStore;
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};

use crate::authorize::{assert_code, authorize_uri, photo_app, Browser};
use crate::factors::{bearer, turn_on_totp};
use crate::helpers::*;
use crate::passkey::SoftPasskey;
use crate::passkeys::{add_passkey, relying_party};

on_both_backends!(
    an_export_holds_every_section_and_nothing_of_another_account,
    the_admin_export_needs_its_scope_and_a_known_account,
);

/// A `GET` with a bearer token: the status, headers and the raw body.
async fn download(app: &TestApp, path: &str, token: &str) -> (StatusCode, header::HeaderMap, String) {
    let response = send(app.get(path).bearer_auth(token)).await;
    let status = response.status();
    let headers = response.headers().clone();
    (status, headers, response.text().await.expect("a body"))
}

/// A 200 download of the document for `user`: parsed.
fn document(user: &str, (status, headers, text): (StatusCode, header::HeaderMap, String)) -> Value {
    assert_eq!(status, StatusCode::OK, "{text}");
    let header = |name: header::HeaderName| headers[name].to_str().expect("text").to_owned();
    assert!(header(header::CONTENT_TYPE).starts_with("application/json"));
    assert_eq!(
        header(header::CONTENT_DISPOSITION),
        format!("attachment; filename=\"registrar-export-{user}.json\"")
    );
    assert_eq!(header(header::CACHE_CONTROL), "no-store");
    serde_json::from_str(&text).expect("a JSON document")
}

fn strings<'a>(list: &'a Value, key: &str) -> Vec<&'a str> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|item| item[key].as_str().unwrap_or_else(|| panic!("{key} in {item}")))
        .collect()
}

/// `document` without what two exports read moments apart may differ in:
/// the time, the events (each export adds its own), and when the sessions
/// were last used (the export itself uses the caller's).
fn stable(document: &Value) -> Value {
    let mut document = document.clone();
    let object = document.as_object_mut().expect("an object");
    object.remove("exported_at");
    object.remove("events");
    for session in object["sessions"].as_array_mut().expect("sessions") {
        session.as_object_mut().expect("a session").remove("last_used_at");
    }
    document
}

async fn an_export_holds_every_section_and_nothing_of_another_account(backend: Backend) {
    let app = spawn_app_with(backend, relying_party).await;
    let client = photo_app(&app, false).await;
    let email = unique_email();
    // Registered with the policies on device-1, address confirmed by its code.
    let code = app.register_for_code(&email).await;
    let confirmed = app
        .post_json("/api/users/validation", &json!({"email": email, "token": code}))
        .await;
    assert_eq!(confirmed.status(), StatusCode::CREATED);
    // A second device.
    let (status, pair) = parts(app.login(&email, PASSWORD, "laptop").await).await;
    assert_eq!(status, StatusCode::OK, "{pair}");
    // A third-party app's consent, given on the sign-in page of a browser.
    let mut browser = Browser::new(&app);
    let form = browser.get(&authorize_uri(&client, &[])).await;
    let consent = browser.password(&form, &email, PASSWORD).await;
    assert_code(&browser.decide(&consent, "allow").await, &app);
    // An authenticator app with recovery codes, and a passkey.
    let (_, recovery_codes) = turn_on_totp(&app, &pair).await;
    let mut passkey = SoftPasskey::new();
    add_passkey(&app, &pair, &mut passkey, "YubiKey").await;
    // Confirmation, two-step verification on, passkey added: written, then marked sent.
    app.wait_for_mails(&email, 3).await;
    while app.service.store().outbox_backlog().await.expect("the backlog") > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // Someone else, with a session and a consent of their own.
    let other_email = unique_email();
    app.register(&other_email).await;
    let mut other_browser = Browser::new(&app);
    let form = other_browser.get(&authorize_uri(&client, &[])).await;
    let consent = other_browser.password(&form, &other_email, PASSWORD).await;
    assert_code(&other_browser.decide(&consent, "allow").await, &app);
    let (other, _) = app.service.user_show(&other_email).await.expect("the other account");
    let (user, _) = app.service.user_show(&email).await.expect("the account");
    let id = user.id.0.clone();

    let (status, headers, text) = download(&app, "/api/me/export", access_token(&pair)).await;
    let doc = document(&id, (status, headers, text.clone()));
    assert_eq!(doc["format"], "registrar-export/1");
    assert!(doc["exported_at"].as_str().is_some_and(|t| t.ends_with('Z')), "{doc}");

    let account = &doc["account"];
    assert_eq!(account["id"], id);
    assert_eq!(account["email"], email);
    assert!(account["email_confirmed_at"].is_string(), "{account}");
    assert_eq!(account["language"], "en");
    assert_eq!(account["has_password"], true);
    assert_eq!(account["signup_consent"], Value::Null);
    assert_eq!(account["disabled"], false);
    assert_eq!(account["profile"]["firstname"], "Simon");
    assert_eq!(account["profile"]["lastname"], "Peters");
    assert_eq!(account["profile"]["telephone"], "+32475000000");

    let mut devices = strings(&doc["sessions"], "device_id");
    devices.sort_unstable();
    assert_eq!(devices, ["device-1", "laptop"]);
    for session in doc["sessions"].as_array().expect("sessions") {
        assert_eq!(session["client_id"], app.client_id);
        let method = if session["device_id"] == "laptop" {
            "password"
        } else {
            "registration"
        };
        assert_eq!(session["sign_in_method"], method, "{session}");
        assert!(session["created_at"].is_string() && session["last_used_at"].is_string());
    }
    assert_eq!(strings(&doc["sessions"], "device_name").len(), 2);

    let browsers = doc["browser_sessions"].as_array().expect("browser sessions");
    assert_eq!(browsers.len(), 1, "{doc}");
    assert_eq!(browsers[0]["client_id"], client);
    assert_eq!(browsers[0]["sign_in_method"], "password");

    let policies: Vec<i64> = doc["policies"]
        .as_array()
        .expect("policies")
        .iter()
        .map(|p| p["id"].as_i64().expect("an id"))
        .collect();
    let expected: Vec<i64> = app.policies.iter().map(|&p| i64::from(p)).collect();
    assert_eq!(policies, expected);
    let mut types = strings(&doc["policies"], "type");
    types.sort_unstable();
    assert_eq!(types, ["privacy", "tac"]);
    for policy in doc["policies"].as_array().expect("policies") {
        assert!(
            policy["version"].is_string() && policy["accepted_at"].is_string(),
            "{policy}"
        );
        // Accepted at registration: in the account's language.
        assert_eq!(policy["language"], account["language"], "{policy}");
    }

    let factors = &doc["factors"];
    assert!(factors["totp"]["created_at"].is_string() && factors["totp"]["enabled_at"].is_string());
    assert_eq!(factors["recovery_codes_left"], recovery_codes.len());
    assert_eq!(strings(&factors["passkeys"], "name"), ["YubiKey"]);
    let passkey = &factors["passkeys"][0];
    assert!(passkey["created_at"].is_string(), "{passkey}");
    assert_eq!(
        passkey.as_object().expect("a passkey").keys().collect::<Vec<_>>(),
        ["created_at", "id", "last_used_at", "name"],
        "never the credential or its public key"
    );

    assert_eq!(strings(&doc["consents"], "client_id"), [client.as_str()]);
    assert_eq!(doc["consents"][0]["scope"], "openid email");

    let kinds = strings(&doc["mails"], "kind");
    assert_eq!(kinds, ["confirmation", "totp_enabled", "passkey_added"]);
    for mail in doc["mails"].as_array().expect("mails") {
        assert_eq!(mail["status"], "sent", "{mail}");
        assert!(mail["queued_at"].is_string() && mail["sent_at"].is_string(), "{mail}");
        assert_eq!(
            mail.as_object().expect("a mail").len(),
            4,
            "kind and times only: {mail}"
        );
    }

    let events = strings(&doc["events"], "type");
    for kind in [
        "user.registered",
        "policy.accepted",
        "user.email_confirmed",
        "user.signed_in",
        "user.factor_added",
    ] {
        assert!(events.contains(&kind), "{kind} in {events:?}");
    }
    let last = doc["events"].as_array().and_then(|e| e.last()).expect("an event");
    assert_eq!(
        (&last["type"], &last["actor"]),
        (&json!("user.exported"), &json!("user"))
    );
    assert_eq!(last["data"]["by"], "self");

    // Nothing of the other account; no secret of this one.
    for theirs in [other.id.0.as_str(), other_email.as_str()] {
        assert!(!text.contains(theirs), "the other account's {theirs} is in the export");
    }
    let mut secrets = vec![
        access_token(&pair),
        pair["refresh_token"].as_str().expect("a token"),
        PASSWORD,
    ];
    secrets.extend(recovery_codes.iter().map(String::as_str));
    for secret in secrets {
        assert!(!text.contains(secret), "a secret is in the export: {secret}");
    }
    assert!(!text.contains("argon2"), "the password hash is in the export");

    // The admin's export is the same document, its event by the key.
    let key = admin_key(&app, "ops", "users:read").await;
    let admin_doc = document(&id, download(&app, &format!("/admin/users/{id}/export"), &key).await);
    assert_eq!(stable(&admin_doc), stable(&doc));
    let admin_events = admin_doc["events"].as_array().expect("events");
    let last = admin_events.last().expect("an event");
    assert_eq!(
        (&last["type"], &last["actor"]),
        (&json!("user.exported"), &json!("admin:ops"))
    );
    assert_eq!(last["data"]["by"], "admin");
    assert_eq!(
        admin_events[..admin_events.len() - 1],
        doc["events"].as_array().expect("events")[..]
    );

    // Both exports are in the user's activity (newest first).
    let (status, activity) = parts(send(bearer(&app, Method::GET, "/api/me/activity", &pair)).await).await;
    assert_eq!(status, StatusCode::OK, "{activity}");
    let exported = strings(&activity["events"], "type")
        .into_iter()
        .filter(|t| *t == "user.exported")
        .count();
    assert_eq!(exported, 2, "{activity}");

    // Five exports of one account an hour (both above count): the sixth is refused.
    for _ in 0..3 {
        let (status, _, body) = download(&app, "/api/me/export", access_token(&pair)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, retry, body) = answer(send(app.get("/api/me/export").bearer_auth(access_token(&pair))).await).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(retry.is_some_and(|s| (1..=3600).contains(&s)), "Retry-After: {retry:?}");
    assert_eq!(
        (&body["success"], &body["error"]),
        (&json!(false), &json!("too_many_attempts"))
    );
    let (status, _, _) = download(&app, &format!("/admin/users/{id}/export"), &key).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "the admin counts against the account too"
    );
    // Another account has its own count.
    let (status, other_pair) = parts(app.login(&other_email, PASSWORD, "phone").await).await;
    assert_eq!(status, StatusCode::OK);
    let other_doc = document(
        &other.id.0,
        download(&app, "/api/me/export", access_token(&other_pair)).await,
    );
    assert_eq!(other_doc["account"]["email"], other_email);
}

async fn the_admin_export_needs_its_scope_and_a_known_account(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let pair = app.register(&email).await;
    let (user, _) = app.service.user_show(&email).await.expect("the account");
    let path = format!("/admin/users/{}/export", user.id.0);

    let (status, _, body) = download(&app, &path, "not-a-key").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let writer = admin_key(&app, "writer", "users:write").await;
    let (status, _, body) = download(&app, &path, &writer).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let reader = admin_key(&app, "reader", "users:read").await;
    let (status, _, body) = download(&app, "/admin/users/nobody/export", &reader).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, _, body) = download(&app, "/api/me/export", "not-a-token").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");

    let doc = document(&user.id.0, download(&app, &path, &reader).await);
    assert_eq!(doc["account"]["email"], email);
    assert!(
        doc["factors"]["totp"].is_null() && doc["consents"] == json!([]),
        "{doc}"
    );
    let mine = document(&user.id.0, download(&app, "/api/me/export", access_token(&pair)).await);
    assert_eq!(stable(&mine), stable(&doc));
}
