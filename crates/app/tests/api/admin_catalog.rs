//! The admin API's clients, policies, invites and webhooks end to end:
//! every operation, each scope's 403, the `admin.action` events with the
//! key's name as actor, secrets shown once and never listed, and a webhook
//! registered through the API receiving a real event.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::receiver::{verify_with_library, Receiver};

on_both_backends!(
    clients_are_registered_rotated_and_removed_with_their_secrets_shown_once,
    policies_are_published_from_toml_or_json_and_listed,
    invites_are_created_with_the_token_shown_once,
    webhooks_are_managed_and_an_endpoint_added_here_receives_a_real_event,
    every_route_needs_its_scope,
);

/// Sends `method path` with the key (and a JSON body), answers the status and the body's text.
async fn call(app: &TestApp, method: &str, path: &str, key: &str, body: Option<Value>) -> (StatusCode, String) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
    let mut request = app.http.request(method, app.url(path)).bearer_auth(key);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = send(request).await;
    let status = response.status();
    (status, response.text().await.expect("a body"))
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| panic!("JSON: {text}"))
}

/// The `action`s of the `admin.action` events by `admin:<name>`, oldest first.
async fn actions_by(app: &TestApp, name: &str) -> Vec<(String, String)> {
    let auditor = admin_key(app, &format!("auditor-{name}"), "audit:read").await;
    let (status, text) = call(
        app,
        "GET",
        &format!("/admin/audit?type=admin.action&actor=admin%3A{name}"),
        &auditor,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let mut actions: Vec<(String, String)> = parse(&text)["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            assert_eq!(e["actor"], format!("admin:{name}"));
            (
                e["data"]["action"].as_str().unwrap_or_default().to_owned(),
                e["data"]["target"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    actions.reverse();
    actions
}

async fn clients_are_registered_rotated_and_removed_with_their_secrets_shown_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let ops = admin_key(&app, "ops", "clients:write").await;
    let new = json!({
        "name": "Back office",
        "confidential": true,
        "redirect_uris": ["https://office.example/cb"],
        "post_logout_redirect_uris": ["https://office.example/bye"],
        "trusted": true,
    });
    let (status, text) = call(&app, "POST", "/admin/clients", &ops, Some(new)).await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    let created = parse(&text);
    let id = created["client"]["id"].as_str().expect("an id").to_owned();
    let secret = created["secret"].as_str().expect("the secret, once").to_owned();
    assert_eq!(created["client"]["kind"], "confidential");
    assert_eq!(created["client"]["trusted"], true);
    assert_eq!(created["client"]["redirect_uris"], json!(["https://office.example/cb"]));
    assert_eq!(
        created["client"]["post_logout_redirect_uris"],
        json!(["https://office.example/bye"])
    );

    let (status, text) = call(&app, "POST", "/admin/clients", &ops, Some(json!({"name": "Kiosk"}))).await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    let kiosk = parse(&text);
    assert!(kiosk.get("secret").is_none(), "a public client has no secret: {kiosk}");
    let kiosk_id = kiosk["client"]["id"].as_str().expect("an id").to_owned();

    let (status, listed) = call(&app, "GET", "/admin/clients", &ops, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!listed.contains(&secret), "never listed with its secret");
    assert!(parse(&listed)["clients"]
        .as_array()
        .expect("clients")
        .iter()
        .any(|c| c["id"] == id.as_str()));

    let (status, text) = call(&app, "POST", &format!("/admin/clients/{id}/secret"), &ops, None).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let rotated = parse(&text)["secret"].as_str().expect("the new secret").to_owned();
    assert_ne!(rotated, secret);
    let (status, text) = call(&app, "POST", &format!("/admin/clients/{kiosk_id}/secret"), &ops, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a public client has no secret: {text}");
    assert_eq!(parse(&text)["error"], "invalid_request");
    let (status, _) = call(&app, "POST", "/admin/clients/nope/secret", &ops, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Bad input: a clear error, nothing added.
    let before = parse(&call(&app, "GET", "/admin/clients", &ops, None).await.1)["clients"]
        .as_array()
        .expect("clients")
        .len();
    for (body, status, field) in [
        (
            json!({"name": "A\u{7}b"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("name"),
        ),
        (json!({"name": " "}), StatusCode::UNPROCESSABLE_ENTITY, Some("name")),
        (
            json!({"name": "X", "redirect_uris": ["not a uri"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("redirect_uris"),
        ),
        (
            json!({"name": "X", "redirect_uris": ["https://a.example/\u{1}"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("redirect_uris"),
        ),
        (
            json!({"name": "X", "confidential": "yes"}),
            StatusCode::BAD_REQUEST,
            None,
        ),
        (json!({"name": "X", "colour": "red"}), StatusCode::BAD_REQUEST, None),
        (json!(["X"]), StatusCode::BAD_REQUEST, None),
    ] {
        let (got, text) = call(&app, "POST", "/admin/clients", &ops, Some(body.clone())).await;
        assert_eq!(got, status, "{body}: {text}");
        if let Some(field) = field {
            assert!(parse(&text)["errors"][field].is_array(), "{body}: {text}");
        }
    }
    let after = parse(&call(&app, "GET", "/admin/clients", &ops, None).await.1)["clients"]
        .as_array()
        .expect("clients")
        .len();
    assert_eq!(before, after, "nothing added by bad input");

    let (status, _) = call(&app, "DELETE", "/admin/clients/web", &ops, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "the built-in web client stays");
    assert_eq!(
        call(&app, "DELETE", &format!("/admin/clients/{id}"), &ops, None)
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        call(&app, "DELETE", &format!("/admin/clients/{id}"), &ops, None)
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    assert_eq!(
        actions_by(&app, "ops").await,
        [
            ("client.created".to_owned(), id.clone()),
            ("client.created".to_owned(), kiosk_id),
            ("client.secret_rotated".to_owned(), id.clone()),
            ("client.removed".to_owned(), id),
        ],
        "every change by the key, nothing for the refused ones"
    );
}

const TOML_POLICY: &str = r#"
type = "cookie"
version = "2031-01"

[translations.en]
title = "Cookies"
description = "What we keep in your browser."
html = "<p>Only the session.</p>"
"#;

async fn policies_are_published_from_toml_or_json_and_listed(backend: Backend) {
    let app = spawn_app(backend).await;
    let editor = admin_key(&app, "editor", "policies:write").await;
    let publish = |body: String, content_type: &'static str| {
        let request = app
            .post("/admin/policies")
            .bearer_auth(&editor)
            .header("content-type", content_type)
            .body(body);
        async move {
            let response = send(request).await;
            let status = response.status();
            (status, response.text().await.expect("a body"))
        }
    };
    let (status, text) = publish(TOML_POLICY.to_owned(), "application/toml").await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    let toml = parse(&text);
    assert_eq!(toml["type"], "cookie");
    assert_eq!(toml["version"], "2031-01");
    assert_eq!(toml["languages"], json!(["en"]));

    let as_json = json!({
        "type": "cookie",
        "version": "2031-02",
        "translations": {"en": {"title": "Cookies", "html": "<p>None at all.</p>"}},
    });
    let (status, text) = publish(as_json.to_string(), "application/json; charset=utf-8").await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    let second = parse(&text);
    assert!(second["id"].as_i64() > toml["id"].as_i64());

    let (status, text) = call(&app, "GET", "/admin/policies", &editor, None).await;
    assert_eq!(status, StatusCode::OK);
    let listed = parse(&text)["policies"].as_array().expect("policies").clone();
    let cookie: Vec<&Value> = listed.iter().filter(|p| p["type"] == "cookie").collect();
    assert_eq!(cookie.len(), 2, "{text}");
    assert_eq!(cookie[0]["current"], false);
    assert_eq!(cookie[1]["current"], true, "the newest revision of its type is current");
    let current: Value = send(app.get("/api/policies/cookie")).await.json().await.expect("JSON");
    assert_eq!(current["version"], "2031-02", "{current}");

    for (body, content_type) in [
        ("type = \"cookie\"".to_owned(), "application/toml"),
        (TOML_POLICY.replace("html = ", "html_file = "), "application/toml"),
        (TOML_POLICY.replace("Cookies", "Coo\\u0007kies"), "application/toml"),
        (
            TOML_POLICY.replace("[translations.en]", "[translations.xx]"),
            "application/toml",
        ),
        (TOML_POLICY.to_owned(), "text/plain"),
        ("{".to_owned(), "application/json"),
    ] {
        let (status, text) = publish(body.clone(), content_type).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {text}");
        let error = parse(&text);
        assert_eq!(error["error"], "invalid_request");
        assert!(!error["message"].as_str().unwrap_or_default().is_empty());
    }
    let (_, text) = call(&app, "GET", "/admin/policies", &editor, None).await;
    let count = parse(&text)["policies"].as_array().expect("policies").len();
    assert_eq!(count, listed.len(), "nothing published by a refused file");

    assert_eq!(
        actions_by(&app, "editor").await,
        [
            ("policy.published".to_owned(), "cookie 2031-01".to_owned()),
            ("policy.published".to_owned(), "cookie 2031-02".to_owned()),
        ]
    );
}

async fn invites_are_created_with_the_token_shown_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let inviter = admin_key(&app, "inviter", "invites:write").await;
    let (status, text) = call(
        &app,
        "POST",
        "/admin/invites",
        &inviter,
        Some(json!({"name": "Spring cohort", "uses": 2})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    let created = parse(&text);
    assert_eq!(created["uses"], 2);
    let token = created["token"].as_str().expect("the token, once").to_owned();
    assert!(token.len() >= 32);

    for body in [
        json!({"uses": 0}),
        json!({"name": "a\u{1b}b"}),
        json!({"name": "x".repeat(300)}),
    ] {
        let (status, text) = call(&app, "POST", "/admin/invites", &inviter, Some(body.clone())).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {text}");
    }
    let (status, _) = call(&app, "POST", "/admin/invites", &inviter, Some(json!({"uses": -1}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let id = created["id"].as_str().expect("its id").to_owned();
    assert!(!token.contains(&id) && id.len() == 16, "{id}");

    let (status, text) = call(&app, "GET", "/admin/invites", &inviter, None).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(!text.contains(&token), "the token is never listed: {text}");
    let listed = parse(&text);
    let ours = listed["invites"]
        .as_array()
        .expect("invites")
        .iter()
        .find(|i| i["id"] == id.as_str())
        .unwrap_or_else(|| panic!("{id} listed in {text}"))
        .clone();
    assert_eq!(
        (ours["name"].clone(), ours["uses_left"].clone()),
        (json!("Spring cohort"), json!(2))
    );

    let path = format!("/admin/invites/{id}");
    let (status, text) = call(&app, "DELETE", &path, &inviter, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{text}");
    let (_, text) = call(&app, "GET", "/admin/invites", &inviter, None).await;
    assert!(!text.contains(&id), "revoked: {text}");
    for gone in [
        path.as_str(),
        "/admin/invites/not-an-id",
        "/admin/invites/0123456789abcdef",
    ] {
        let (status, text) = call(&app, "DELETE", gone, &inviter, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{gone}: {text}");
    }
    assert_eq!(
        actions_by(&app, "inviter").await,
        [
            ("invite.created".to_owned(), id.clone()),
            ("invite.revoked".to_owned(), id.clone()),
        ]
    );
}

async fn webhooks_are_managed_and_an_endpoint_added_here_receives_a_real_event(backend: Backend) {
    let app = spawn_app_with(backend, |c| c.webhooks.allow_private = true).await;
    let hooks = admin_key(&app, "hooks", "webhooks:write").await;
    let receiver = Receiver::start().await;
    let url = receiver.url.clone();

    let (status, text) = call(
        &app,
        "POST",
        "/admin/webhooks",
        &hooks,
        Some(json!({"url": url, "events": ["user.registered"]})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    let created = parse(&text);
    let id = created["id"].as_str().expect("an id").to_owned();
    let secret = created["secret"].as_str().expect("the secret, once").to_owned();
    assert!(secret.starts_with("whsec_"));

    let (status, listed) = call(&app, "GET", "/admin/webhooks", &hooks, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!listed.contains(&secret), "never listed with its secret");
    let shown = parse(&listed)["webhooks"]
        .as_array()
        .expect("webhooks")
        .iter()
        .find(|w| w["id"] == id.as_str())
        .cloned()
        .expect("listed");
    assert_eq!(shown["url"], url.as_str());
    assert_eq!(shown["events"], json!(["user.registered"]));
    assert_eq!(shown["enabled"], true);

    // A real event reaches it, signed.
    let email = unique_email();
    app.register(&email).await;
    let delivered = receiver
        .wait_until(Duration::from_secs(10), |got| !got.is_empty())
        .await
        .swap_remove(0);
    let payload = delivered.json();
    assert_eq!(payload["type"], "user.registered", "{payload}");
    assert!(delivered.body.contains(&email));
    verify_with_library(&secret, &delivered);
    let auditor = admin_key(&app, "auditor", "audit:read").await;
    let (_, trail) = call(&app, "GET", "/admin/audit?type=user.registered&limit=1", &auditor, None).await;
    let event_id = parse(&trail)["events"][0]["id"]
        .as_str()
        .expect("the event's id")
        .to_owned();
    assert_eq!(
        delivered.headers["webhook-id"],
        format!("msg_{event_id}"),
        "the delivery is of that event"
    );

    // Redelivering: one event, or every event since a time.
    let (status, text) = call(
        &app,
        "POST",
        &format!("/admin/webhooks/{id}/redeliver"),
        &hooks,
        Some(json!({"event_id": event_id})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(parse(&text)["queued"], 1, "{text}");
    let (status, text) = call(
        &app,
        "POST",
        &format!("/admin/webhooks/{id}/redeliver"),
        &hooks,
        Some(json!({"since": "2000-01-01T00:00:00Z"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(parse(&text)["queued"].as_u64().expect("a count") >= 1, "{text}");
    for body in [
        json!({}),
        json!({"since": "yesterday"}),
        json!({"event_id": "x", "since": "2000-01-01T00:00:00Z"}),
    ] {
        let (status, text) = call(
            &app,
            "POST",
            &format!("/admin/webhooks/{id}/redeliver"),
            &hooks,
            Some(body),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    }

    let (status, text) = call(&app, "POST", &format!("/admin/webhooks/{id}/secret"), &hooks, None).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let rotated = parse(&text)["secret"].as_str().expect("a secret").to_owned();
    assert!(rotated.starts_with("whsec_") && rotated != secret);

    assert_eq!(
        call(&app, "POST", &format!("/admin/webhooks/{id}/disable"), &hooks, None)
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    let (_, listed) = call(&app, "GET", "/admin/webhooks", &hooks, None).await;
    assert!(listed.contains("\"enabled\":false"), "{listed}");
    assert_eq!(
        call(&app, "POST", &format!("/admin/webhooks/{id}/enable"), &hooks, None)
            .await
            .0,
        StatusCode::NO_CONTENT
    );

    // Bad input: 400 with the reason, nothing added.
    for body in [
        json!({"url": "ftp://hooks.example/in"}),
        json!({"url": "https://hooks.example/\u{7}"}),
        json!({"url": "https://hooks.example/in", "events": ["user.nonsense"]}),
        json!({"url": "https://hooks.example/in", "events": "user.registered"}),
    ] {
        let (status, text) = call(&app, "POST", "/admin/webhooks", &hooks, Some(body.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {text}");
        assert_eq!(parse(&text)["error"], "invalid_request");
    }
    let (_, listed) = call(&app, "GET", "/admin/webhooks", &hooks, None).await;
    assert_eq!(parse(&listed)["webhooks"].as_array().expect("webhooks").len(), 1);

    assert_eq!(
        call(&app, "DELETE", &format!("/admin/webhooks/{id}"), &hooks, None)
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    for (method, path) in [
        ("DELETE", format!("/admin/webhooks/{id}")),
        ("POST", format!("/admin/webhooks/{id}/disable")),
        ("POST", format!("/admin/webhooks/{id}/enable")),
        ("POST", format!("/admin/webhooks/{id}/secret")),
    ] {
        let (status, text) = call(&app, method, &path, &hooks, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {text}");
        assert_eq!(parse(&text)["error"], "not_found");
    }

    let actions: Vec<String> = actions_by(&app, "hooks").await.into_iter().map(|(a, _)| a).collect();
    assert_eq!(actions.first().map(String::as_str), Some("webhook.add"));
    for expected in [
        "webhook.redeliver",
        "webhook.redeliver_since",
        "webhook.rotate_secret",
        "webhook.disable",
        "webhook.enable",
        "webhook.delete",
    ] {
        assert!(actions.iter().any(|a| a == expected), "{expected} in {actions:?}");
    }
}

async fn every_route_needs_its_scope(backend: Backend) {
    let app = spawn_app(backend).await;
    // A key with every scope but the one each route needs.
    let routes: [(&str, &str, &str); 18] = [
        ("invites:write", "GET", "/admin/invites"),
        ("invites:write", "DELETE", "/admin/invites/0123456789abcdef"),
        ("clients:write", "GET", "/admin/clients"),
        ("clients:write", "POST", "/admin/clients"),
        ("clients:write", "DELETE", "/admin/clients/x"),
        ("clients:write", "POST", "/admin/clients/x/secret"),
        ("policies:write", "GET", "/admin/policies"),
        ("policies:write", "POST", "/admin/policies"),
        ("invites:write", "POST", "/admin/invites"),
        ("webhooks:write", "GET", "/admin/webhooks"),
        ("webhooks:write", "POST", "/admin/webhooks"),
        ("webhooks:write", "POST", "/admin/webhooks/x/disable"),
        ("webhooks:write", "POST", "/admin/webhooks/x/enable"),
        ("webhooks:write", "DELETE", "/admin/webhooks/x"),
        ("webhooks:write", "POST", "/admin/webhooks/x/secret"),
        ("webhooks:write", "POST", "/admin/webhooks/x/redeliver"),
        ("webhooks:write", "POST", "/admin/webhooks/x/redeliver"),
        ("clients:write", "POST", "/admin/clients/x/secret"),
    ];
    let all =
        "users:read,users:write,sessions:write,clients:write,policies:write,invites:write,audit:read,webhooks:write";
    for (i, (scope, method, path)) in routes.iter().enumerate() {
        let others: Vec<&str> = all.split(',').filter(|s| s != scope).collect();
        let key = admin_key(&app, &format!("lacking-{i}"), &others.join(",")).await;
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
        let response = send(
            app.http
                .request(method.clone(), app.url(path))
                .bearer_auth(&key)
                .json(&json!({})),
        )
        .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{method} {path}");
        let challenge = response
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(
            challenge.contains(&format!("scope=\"{scope}\"")),
            "{method} {path}: {challenge}"
        );
        let unauthorized = send(app.http.request(method.clone(), app.url(path))).await;
        assert_eq!(
            unauthorized.status(),
            StatusCode::UNAUTHORIZED,
            "{method} {path} without a key"
        );
    }
}
