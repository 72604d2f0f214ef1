//! The admin API (`/admin/…`) end to end: admin keys and their scopes (401
//! with the bearer challenge, 403 naming the scope, 429 for guessing), the
//! audit trail with its filters and keyset pages, the clients.

use registrar_domain::Actor;
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;

on_both_backends!(
    a_call_without_a_key_or_with_a_bad_one_is_a_401_with_the_bearer_challenge,
    a_key_without_the_scope_is_a_403_naming_it_for_every_scope,
    the_audit_trail_shows_admin_actions_by_their_actor_filtered_and_paged_without_gaps,
    the_clients_are_listed_without_secrets,
    wrong_keys_from_one_address_are_throttled,
    an_account_is_shown_disabled_and_enabled_with_its_events_by_the_key,
    the_users_routes_need_their_scopes,
    the_user_search_pages_a_hundred_thousand_accounts_quickly_without_gaps_or_repeats,
    the_user_search_filters_and_refuses_what_it_cannot_read,
);

async fn admin_get(app: &TestApp, path: &str, key: Option<&str>) -> (StatusCode, Option<String>, Value) {
    let mut request = app.get(path);
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    let response = send(request).await;
    let status = response.status();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().expect("ascii").to_owned());
    let body = response.json().await.expect("a JSON body");
    (status, challenge, body)
}

async fn a_call_without_a_key_or_with_a_bad_one_is_a_401_with_the_bearer_challenge(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, challenge, body) = admin_get(&app, "/admin/audit", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(challenge.as_deref(), Some("Bearer realm=\"registrar-admin\""));
    assert_eq!(body["error"], "unauthorized");

    let wrong = format!("rgk_{}", "A".repeat(43));
    for bad in [wrong.as_str(), "not-a-key"] {
        let (status, challenge, body) = admin_get(&app, "/admin/audit", Some(bad)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{bad}");
        assert_eq!(
            challenge.as_deref(),
            Some("Bearer realm=\"registrar-admin\", error=\"invalid_token\"")
        );
        assert_eq!(body["error"], "unauthorized");
    }

    let revoked = admin_key(&app, "gone", "audit:read").await;
    assert_eq!(admin_get(&app, "/admin/audit", Some(&revoked)).await.0, StatusCode::OK);
    app.service
        .revoke_admin_key(&Actor::Cli, "gone")
        .await
        .expect("revoked");
    let (status, _, _) = admin_get(&app, "/admin/audit", Some(&revoked)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a revoked key stops working at once");

    let basic = send(app.get("/admin/audit").basic_auth("ops", Some("secret"))).await;
    assert_eq!(basic.status(), StatusCode::UNAUTHORIZED, "not a bearer key");
}

async fn admin_post(app: &TestApp, path: &str, key: &str) -> (StatusCode, Option<String>) {
    let response = send(app.post(path).bearer_auth(key)).await;
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().expect("ascii").to_owned());
    (response.status(), challenge)
}

async fn an_account_is_shown_disabled_and_enabled_with_its_events_by_the_key(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let pair = app.register(&email).await;
    let (user, _) = app.service.user_show(&email).await.expect("the account");
    let id = user.id.0.clone();
    let reader = admin_key(&app, "reader", "users:read,audit:read").await;
    let ops = admin_key(&app, "ops", "users:write").await;

    let response = send(app.get(&format!("/admin/users/{id}")).bearer_auth(&reader)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.expect("a body");
    assert!(!text.contains(access_token(&pair)), "never a token");
    assert!(!text.contains("argon2"), "never a hash");
    let shown: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(shown["id"], id.as_str());
    assert_eq!(shown["email"], email.as_str());
    assert_eq!(shown["disabled"], false);
    assert_eq!(shown["sessions"].as_array().expect("sessions").len(), 1, "{shown}");
    assert_eq!(shown["factors"]["totp"], "off");

    assert_eq!(
        admin_post(&app, &format!("/admin/users/{id}/disable"), &ops).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.me_status(&pair).await,
        StatusCode::UNAUTHORIZED,
        "signed out everywhere"
    );
    let (_, shown) = (
        StatusCode::OK,
        send(app.get(&format!("/admin/users/{id}")).bearer_auth(&reader))
            .await
            .json::<Value>()
            .await
            .expect("JSON"),
    );
    assert_eq!(shown["disabled"], true);
    assert_eq!(shown["sessions"], serde_json::json!([]));
    assert_eq!(
        app.login(&email, PASSWORD, "phone").await.status(),
        StatusCode::FORBIDDEN,
        "a disabled account cannot sign in"
    );
    assert_eq!(
        admin_post(&app, &format!("/admin/users/{id}/disable"), &ops).await.0,
        StatusCode::NO_CONTENT,
        "disabling twice is fine"
    );
    assert_eq!(
        admin_post(&app, &format!("/admin/users/{id}/enable"), &ops).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.login(&email, PASSWORD, "phone").await.status(), StatusCode::OK);

    let (status, _, trail) = admin_get(
        &app,
        &format!("/admin/audit?user_id={id}&actor=admin:ops"),
        Some(&reader),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let kinds: Vec<&str> = trail["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["type"].as_str().expect("type"))
        .collect();
    assert_eq!(
        kinds,
        ["user.enabled", "user.disabled"],
        "one event per flip, newest first: {trail}"
    );
    assert_eq!(trail["events"][1]["email"], email.as_str());

    for unknown in ["/admin/users/nobody", "/admin/users/a%07b"] {
        let (status, _, body) = admin_get(&app, unknown, Some(&reader)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{unknown}");
        assert_eq!(body["error"], "not_found");
    }
    assert_eq!(
        admin_post(&app, "/admin/users/nobody/disable", &ops).await.0,
        StatusCode::NOT_FOUND
    );
}

async fn the_users_routes_need_their_scopes(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    app.register(&email).await;
    let (user, _) = app.service.user_show(&email).await.expect("the account");
    let id = user.id.0;
    let everything_but_write = admin_key(
        &app,
        "no-write",
        "users:read,sessions:write,clients:write,policies:write,invites:write,audit:read,webhooks:write",
    )
    .await;
    for action in ["disable", "enable"] {
        let (status, challenge) = admin_post(&app, &format!("/admin/users/{id}/{action}"), &everything_but_write).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{action}");
        assert!(challenge.is_some_and(|c| c.ends_with("scope=\"users:write\"")));
        let (status, challenge) = admin_post(&app, &format!("/admin/users/{id}/{action}"), "rgk_wrong").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{action}");
        assert!(challenge.is_some_and(|c| c.contains("invalid_token")));
    }
    assert!(
        !app.service.user_show(&email).await.expect("the account").0.disabled,
        "nothing changed"
    );
}

async fn a_key_without_the_scope_is_a_403_naming_it_for_every_scope(backend: Backend) {
    let app = spawn_app(backend).await;
    // Every route served so far, with the scope it needs.
    let email = unique_email();
    app.register(&email).await;
    let (user, _) = app.service.user_show(&email).await.expect("the account");
    let one_user = format!("/admin/users/{}", user.id.0);
    let routes = [
        ("/admin/audit", "audit:read"),
        ("/admin/clients", "clients:write"),
        (one_user.as_str(), "users:read"),
    ];
    for (path, scope) in routes {
        let others: Vec<&str> = registrar_domain::AdminScope::ALL
            .iter()
            .map(|s| s.name())
            .filter(|s| *s != scope)
            .collect();
        let lacking = admin_key(&app, &format!("lacks-{}", scope.replace(':', "-")), &others.join(",")).await;
        let (status, challenge, body) = admin_get(&app, path, Some(&lacking)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(
            challenge.as_deref(),
            Some(format!("Bearer realm=\"registrar-admin\", error=\"insufficient_scope\", scope=\"{scope}\"").as_str())
        );
        assert_eq!(body["error"], "forbidden");
        assert!(body["message"].as_str().expect("a message").contains(scope));

        let holding = admin_key(&app, &format!("holds-{}", scope.replace(':', "-")), scope).await;
        assert_eq!(admin_get(&app, path, Some(&holding)).await.0, StatusCode::OK, "{path}");
    }
}

async fn the_audit_trail_shows_admin_actions_by_their_actor_filtered_and_paged_without_gaps(backend: Backend) {
    let app = spawn_app(backend).await;
    let auditor = admin_key(&app, "auditor", "audit:read").await;
    for i in 0..7 {
        admin_key(&app, &format!("bot-{i}"), "users:read").await;
    }
    app.service
        .revoke_admin_key(&Actor::AdminKey("auditor".into()), "bot-3")
        .await
        .expect("revoked");

    let (status, _, body) = admin_get(&app, "/admin/audit?actor=admin:auditor", Some(&auditor)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let events = body["events"].as_array().expect("events");
    assert_eq!(events.len(), 1, "{body}");
    assert_eq!(events[0]["type"], "admin.action");
    assert_eq!(events[0]["actor"], "admin:auditor");
    assert_eq!(events[0]["data"]["action"], "admin_key.revoked");
    assert_eq!(events[0]["data"]["target"], "bot-3");
    assert!(body.get("next_cursor").is_none(), "one page: {body}");

    // Newest first, three at a time: every admin action once, none skipped.
    let mut seen = Vec::new();
    let mut path = "/admin/audit?type=admin.action&actor=cli&limit=3".to_owned();
    loop {
        let (status, _, body) = admin_get(&app, &path, Some(&auditor)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let events = body["events"].as_array().expect("events");
        assert!(events.len() <= 3);
        seen.extend(
            events
                .iter()
                .map(|e| e["data"]["target"].as_str().expect("target").to_owned()),
        );
        match body["next_cursor"].as_str() {
            Some(cursor) => path = format!("/admin/audit?type=admin.action&actor=cli&limit=3&cursor={cursor}"),
            None => break,
        }
    }
    let mut expected: Vec<String> = (0..7).rev().map(|i| format!("bot-{i}")).collect();
    expected.push("auditor".into());
    // The test app's own setup by the CLI: its policies and its client.
    expected.extend(["privacy 1.0".to_owned(), "tac 1.0".to_owned(), app.client_id.clone()]);
    assert_eq!(seen, expected);

    let (status, _, body) = admin_get(&app, "/admin/audit?until=2000-01-01T00:00:00Z", Some(&auditor)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["events"], serde_json::json!([]));

    for bad in [
        "/admin/audit?limit=0",
        "/admin/audit?limit=5000",
        "/admin/audit?type=user.nonsense",
        "/admin/audit?from=yesterday",
        "/admin/audit?cursor=abc",
        "/admin/audit?actor=admin%3Aa%07b",
    ] {
        let (status, _, body) = admin_get(&app, bad, Some(&auditor)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert_eq!(body["error"], "validation_failed");
        assert!(
            body["errors"].as_object().is_some_and(|e| e.len() == 1),
            "{bad}: {body}"
        );
    }
}

async fn the_clients_are_listed_without_secrets(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, secret) = app
        .service
        .register_client(registrar_service::NewClient {
            name: "Back office".into(),
            confidential: true,
            redirect_uris: vec![registrar_domain::RedirectUri::parse("https://office.example/cb").expect("uri")],
            ..Default::default()
        })
        .await
        .expect("a client");
    let secret = secret.expect("a secret");
    let ops = admin_key(&app, "ops", "clients:write").await;
    let response = send(app.get("/admin/clients").bearer_auth(&ops)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.expect("a body");
    assert!(!text.contains(secret.expose()), "never a secret");
    let body: Value = serde_json::from_str(&text).expect("JSON");
    let clients = body["clients"].as_array().expect("clients");
    let office = clients.iter().find(|c| c["name"] == "Back office").expect("listed");
    assert_eq!(office["kind"], "confidential");
    assert_eq!(
        office["redirect_uris"],
        serde_json::json!(["https://office.example/cb"])
    );
    assert!(clients.iter().any(|c| c["id"] == "web"), "the built-in web client");
}

async fn wrong_keys_from_one_address_are_throttled(backend: Backend) {
    let app = spawn_app_with(backend, |c| {
        c.throttle.login_failures_per_ip = 3;
        c.throttle.login_window = 60;
    })
    .await;
    let right = admin_key(&app, "ops", "audit:read").await;
    for _ in 0..3 {
        assert_eq!(
            admin_get(&app, "/admin/audit", Some("rgk_wrong")).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    let response = send(app.get("/admin/audit").bearer_auth("rgk_wrong")).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = response
        .headers()
        .get("retry-after")
        .expect("Retry-After")
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&wait), "{wait}");
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["error"], "too_many_attempts");
    let (status, _, _) = admin_get(&app, "/admin/audit", Some(&right)).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "even a right key waits: guessing gains nothing"
    );
}

/// Walks every page of `query` (`limit` a page), timing each: the ids in order.
async fn walk(app: &TestApp, key: &str, query: &str, most_pages: usize) -> Vec<Value> {
    let mut users = Vec::new();
    let mut path = format!("/admin/users?{query}");
    for page in 0..most_pages {
        let started = std::time::Instant::now();
        let (status, _, body) = admin_get(app, &path, Some(key)).await;
        let took = started.elapsed();
        assert_eq!(status, StatusCode::OK, "{body}");
        eprintln!(
            "GET /admin/users?{query} page {page}: {} accounts in {took:?}",
            body["users"].as_array().map_or(0, Vec::len)
        );
        assert!(took < std::time::Duration::from_secs(5), "a page took {took:?}");
        users.extend(body["users"].as_array().expect("users").iter().cloned());
        match body["next_cursor"].as_str() {
            Some(cursor) => path = format!("/admin/users?{query}&cursor={cursor}"),
            None => return users,
        }
    }
    users
}

fn no_repeats(users: &[Value]) -> std::collections::BTreeSet<String> {
    let ids: std::collections::BTreeSet<String> =
        users.iter().map(|u| u["id"].as_str().expect("id").to_owned()).collect();
    assert_eq!(ids.len(), users.len(), "no account twice");
    ids
}

async fn the_user_search_pages_a_hundred_thousand_accounts_quickly_without_gaps_or_repeats(backend: Backend) {
    let app = spawn_app(backend).await;
    let started = std::time::Instant::now();
    let seeded = app
        .service
        .seed_users(0, 100_000, &app.client_id, "Bench-Password-1")
        .await
        .expect("seeded");
    assert_eq!(seeded, 100_000);
    eprintln!("seeded 100k accounts on {backend:?} in {:?}", started.elapsed());
    let reader = admin_key(&app, "reader", "users:read").await;

    // A prefix: seed-99, seed-990…999, seed-9900…9999, seed-99000…99999.
    let found = walk(&app, &reader, "email_prefix=SEED-99&limit=200", 20).await;
    let emails: std::collections::BTreeSet<String> = found
        .iter()
        .map(|u| u["email"].as_str().expect("email").to_owned())
        .collect();
    let expected: std::collections::BTreeSet<String> = (0..100_000u64)
        .map(registrar_service::seed_email)
        .filter(|e| e.starts_with("seed-99"))
        .collect();
    assert_eq!(emails, expected, "every match once, nothing else");
    no_repeats(&found);

    // The first pages of everyone, and of filters that hold them all.
    for query in [
        "limit=1000",
        "role=guest&limit=1000",
        "disabled=false&confirmed=true&limit=1000",
    ] {
        let pages = walk(&app, &reader, query, 3).await;
        assert_eq!(pages.len(), 3000, "{query}");
        no_repeats(&pages);
        let keys: Vec<(String, String)> = pages
            .iter()
            .map(|u| {
                (
                    u["created_at"].as_str().unwrap().to_owned(),
                    u["id"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "{query}: oldest first, then by id");
    }
    let none = walk(&app, &reader, "disabled=true", 2).await;
    assert!(none.is_empty());
}

async fn the_user_search_filters_and_refuses_what_it_cannot_read(backend: Backend) {
    let app = spawn_app(backend).await;
    let reader = admin_key(&app, "reader", "users:read").await;
    let (ann, bob) = (unique_email(), unique_email());
    app.register(&ann).await;
    app.register(&bob).await;
    app.service.user_set_role(&bob, "editor").await.expect("a role");
    app.service.user_set_disabled(&bob, true).await.expect("disabled");
    let prefix = &ann[..ann.find('@').expect("an @")];
    let found = walk(&app, &reader, &format!("email_prefix={prefix}"), 2).await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["email"], ann.to_lowercase().as_str());
    let editors = walk(&app, &reader, "role=editor", 2).await;
    assert_eq!(editors.len(), 1);
    assert_eq!(editors[0]["email"], bob.to_lowercase().as_str());
    assert_eq!(editors[0]["disabled"], true);
    assert_eq!(walk(&app, &reader, "disabled=true", 2).await.len(), 1);
    assert_eq!(
        walk(&app, &reader, "created_before=2000-01-01T00:00:00Z", 2)
            .await
            .len(),
        0
    );
    assert_eq!(
        walk(&app, &reader, "created_after=2000-01-01T00:00:00Z", 2).await.len(),
        2
    );
    for bad in [
        "role=Not%20a%20role",
        "confirmed=maybe",
        "created_after=soon",
        "cursor=%%%",
        "cursor=bm90LWEtY3Vyc29y",
        "limit=0",
        "email_prefix=a%07",
    ] {
        let (status, _, body) = admin_get(&app, &format!("/admin/users?{bad}"), Some(&reader)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert_eq!(body["error"], "validation_failed", "{bad}");
    }
}
