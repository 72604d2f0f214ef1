//! The admin API's account actions end to end, on both backends: erasure
//! (its trail anonymized, its tokens dead), role, sessions, second factors,
//! the confirmation mail, the lockout and the name search; each needs its
//! scope and is audited with the key's name as the actor.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

on_both_backends!(
    an_erased_account_is_gone_its_tokens_dead_and_its_trail_anonymized,
    erasure_by_the_user_and_by_the_cli_is_recorded_with_their_actor,
    a_role_is_set_by_the_key,
    sessions_are_revoked_all_or_one_of_the_account_only,
    second_factors_are_reset_and_the_user_mailed,
    the_confirmation_mail_is_resent_unless_confirmed,
    a_lockout_is_shown_and_lifted,
    the_user_search_finds_a_first_or_last_name_prefix,
    every_new_route_needs_its_scope,
);

/// `method path` with the key (and a JSON body): the status and the JSON answer (`null` if none).
async fn call(app: &TestApp, method: Method, path: &str, key: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut request = app.http.request(method, app.url(path)).bearer_auth(key);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = send(request).await;
    let status = response.status();
    let text = response.text().await.expect("a body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// A registered account: its id and token pair.
async fn account(app: &TestApp, email: &str) -> (String, Value) {
    let pair = app.register(email).await;
    let (user, _) = app.service.user_show(email).await.expect("the account");
    (user.id.0, pair)
}

/// The account's events, oldest first.
async fn trail(app: &TestApp, user: &str) -> Vec<Value> {
    let auditor = admin_key(app, &format!("auditor-{}", uuid::Uuid::new_v4().simple()), "audit:read").await;
    let (status, body) = call(
        app,
        Method::GET,
        &format!("/admin/audit?user_id={user}&limit=1000"),
        &auditor,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut events = body["events"].as_array().expect("events").clone();
    events.reverse();
    events
}

fn kinds(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["type"].as_str().expect("type")).collect()
}

/// The last event of `kind` in the account's trail.
async fn last_of(app: &TestApp, user: &str, kind: &str) -> Value {
    trail(app, user)
        .await
        .into_iter()
        .rev()
        .find(|e| e["type"] == kind)
        .unwrap_or_else(|| panic!("a {kind} event"))
}

async fn shown(app: &TestApp, id: &str) -> Value {
    let reader = admin_key(app, &format!("reader-{}", uuid::Uuid::new_v4().simple()), "users:read").await;
    let (status, body) = call(app, Method::GET, &format!("/admin/users/{id}"), &reader, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn assert_anonymized(events: &[Value]) {
    for event in events {
        for field in ["email", "ip", "device_id", "device_name", "request_id"] {
            assert!(event.get(field).is_none(), "{field} cleared: {event}");
        }
        for key in event["data"].as_object().expect("data").keys() {
            assert!(
                ["method", "factor", "reason", "fields", "revisions", "action"].contains(&key.as_str()),
                "{key} dropped: {event}"
            );
        }
        assert!(event["id"].is_string() && event["at"].is_string() && event["actor"].is_string());
    }
}

async fn an_erased_account_is_gone_its_tokens_dead_and_its_trail_anonymized(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let (id, pair) = account(&app, &email).await;
    assert_eq!(app.login(&email, PASSWORD, "laptop").await.status(), StatusCode::OK);
    let bystander = unique_email();
    let (other, other_pair) = account(&app, &bystander).await;
    let before = trail(&app, &id).await;
    assert!(before.iter().any(|e| e["email"] == email.as_str()), "{before:?}");
    let ops = admin_key(&app, "ops", "users:write").await;

    let (status, _) = call(&app, Method::DELETE, &format!("/admin/users/{id}"), &ops, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.me_status(&pair).await,
        StatusCode::UNAUTHORIZED,
        "its tokens are dead"
    );
    let refreshed = app
        .post_json(
            "/api/token",
            &json!({"grant_type": "refresh_token", "refresh_token": pair["refresh_token"], "client_id": app.client_id}),
        )
        .await;
    assert!(refreshed.status().is_client_error(), "its refresh token too");
    assert_eq!(
        app.login(&email, PASSWORD, "phone").await.status(),
        StatusCode::BAD_REQUEST,
        "it cannot sign in"
    );
    let reader = admin_key(&app, "reader", "users:read").await;
    let (status, body) = call(&app, Method::GET, &format!("/admin/users/{id}"), &reader, None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );

    let after = trail(&app, &id).await;
    assert_eq!(after.len(), before.len() + 1, "every event stays, countable");
    let deleted = after.last().expect("the erasure");
    assert_eq!(deleted["type"], "user.deleted");
    assert_eq!(deleted["actor"], "admin:ops");
    assert_eq!(deleted["user_id"], id.as_str());
    assert_anonymized(&after);
    for (was, is) in before.iter().zip(&after) {
        assert_eq!(
            (&was["id"], &was["type"], &was["at"]),
            (&is["id"], &is["type"], &is["at"])
        );
    }
    let signed_in = after.iter().find(|e| e["type"] == "user.signed_in").expect("a sign-in");
    assert_eq!(signed_in["data"]["method"], "password", "how stays");

    let theirs = trail(&app, &other).await;
    assert!(
        theirs.iter().all(|e| e["email"] == bystander.as_str()),
        "another account's trail is untouched"
    );
    assert_eq!(app.me_status(&other_pair).await, StatusCode::OK);

    let (status, _) = call(&app, Method::DELETE, &format!("/admin/users/{id}"), &ops, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "erased once");
}

async fn erasure_by_the_user_and_by_the_cli_is_recorded_with_their_actor(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let (id, pair) = account(&app, &email).await;
    let response = send(
        app.http
            .delete(app.url("/api/me"))
            .bearer_auth(access_token(&pair))
            .json(&json!({"password": PASSWORD})),
    )
    .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let events = trail(&app, &id).await;
    assert_eq!(events.last().expect("an event")["type"], "user.deleted");
    assert_eq!(events.last().expect("an event")["actor"], "user");
    assert_anonymized(&events);

    let email = unique_email();
    let (id, _) = account(&app, &email).await;
    app.service.user_delete(&email).await.expect("deleted");
    let events = trail(&app, &id).await;
    assert_eq!(events.last().expect("an event")["actor"], "cli");
    assert_eq!(kinds(&events).last(), Some(&"user.deleted"));
    assert_anonymized(&events);
}

async fn a_role_is_set_by_the_key(backend: Backend) {
    let app = spawn_app(backend).await;
    let (id, _) = account(&app, &unique_email()).await;
    let ops = admin_key(&app, "ops", "users:write").await;
    let path = format!("/admin/users/{id}/role");
    let (status, _) = call(&app, Method::PUT, &path, &ops, Some(json!({"role": "editor"}))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(shown(&app, &id).await["role"], "editor");
    let updated = last_of(&app, &id, "user.updated").await;
    assert_eq!(updated["actor"], "admin:ops");
    assert_eq!(updated["data"]["fields"], "role");

    for bad in [json!({"role": "Not a role"}), json!({}), json!({"role": "a\u{7}b"})] {
        let (status, body) = call(&app, Method::PUT, &path, &ops, Some(bad.clone())).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert!(body["errors"]["role"].is_array(), "{body}");
    }
    let (status, _) = call(
        &app,
        Method::PUT,
        "/admin/users/nobody/role",
        &ops,
        Some(json!({"role": "x"})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(shown(&app, &id).await["role"], "editor");
}

async fn sessions_are_revoked_all_or_one_of_the_account_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let (id, phone) = account(&app, &email).await;
    let laptop: Value = app
        .login(&email, PASSWORD, "laptop")
        .await
        .json()
        .await
        .expect("a pair");
    let (other, other_pair) = account(&app, &unique_email()).await;
    let ops = admin_key(&app, "ops", "sessions:write").await;

    let sessions = shown(&app, &id).await["sessions"].as_array().expect("sessions").clone();
    assert_eq!(sessions.len(), 2);
    let laptop_session = sessions
        .iter()
        .find(|s| s["device_id"] == "laptop")
        .expect("the laptop's")["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    let theirs = shown(&app, &other).await["sessions"][0]["id"]
        .as_str()
        .expect("an id")
        .to_owned();

    let (status, _) = call(
        &app,
        Method::DELETE,
        &format!("/admin/users/{id}/sessions/{theirs}"),
        &ops,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another account's session");
    assert_eq!(app.me_status(&other_pair).await, StatusCode::OK, "left alone");

    let one = format!("/admin/users/{id}/sessions/{laptop_session}");
    let (status, _) = call(&app, Method::DELETE, &one, &ops, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(app.me_status(&laptop).await, StatusCode::UNAUTHORIZED);
    assert_eq!(app.me_status(&phone).await, StatusCode::OK);
    let revoked = last_of(&app, &id, "session.revoked").await;
    assert_eq!(revoked["actor"], "admin:ops");
    assert_eq!(revoked["data"]["reason"], "admin");
    assert_eq!(revoked["device_id"], "laptop");
    assert_eq!(
        call(&app, Method::DELETE, &one, &ops, None).await.0,
        StatusCode::NOT_FOUND
    );

    let all = format!("/admin/users/{id}/sessions");
    let (status, body) = call(&app, Method::DELETE, &all, &ops, None).await;
    assert_eq!((status, &body), (StatusCode::OK, &json!({"revoked": 1})));
    assert_eq!(app.me_status(&phone).await, StatusCode::UNAUTHORIZED);
    assert_eq!(app.me_status(&other_pair).await, StatusCode::OK);
    let events = trail(&app, &id).await;
    assert_eq!(kinds(&events).iter().filter(|k| **k == "session.revoked").count(), 2);
    assert_eq!(events.last().expect("an event")["data"]["sessions"], "all");
    let (status, body) = call(&app, Method::DELETE, &all, &ops, None).await;
    assert_eq!((status, &body), (StatusCode::OK, &json!({"revoked": 0})));
    assert_eq!(
        trail(&app, &id).await.len(),
        events.len(),
        "ending nothing records nothing"
    );
    assert_eq!(
        app.login(&email, PASSWORD, "phone").await.status(),
        StatusCode::OK,
        "the account stays usable"
    );
}

async fn second_factors_are_reset_and_the_user_mailed(backend: Backend) {
    let app = spawn_app_with(backend, fast_outbox).await;
    let email = unique_email();
    let (id, _) = account(&app, &email).await;
    let mails = app.wait_for_mails(&email, 1).await.len();
    let sealed = registrar_domain::Sealed::from_stored(format!("v1.00000000.{}", uuid::Uuid::new_v4().simple()));
    let user = registrar_domain::UserId(id.clone());
    use registrar_store::FactorStore as _;
    assert!(app
        .service
        .store()
        .put_pending_totp(&user, sealed, chrono::Utc::now())
        .await
        .expect("a pending app"));
    assert_eq!(shown(&app, &id).await["factors"]["totp"], "pending");
    let ops = admin_key(&app, "ops", "users:write").await;
    let path = format!("/admin/users/{id}/factors");

    assert_eq!(
        call(&app, Method::DELETE, &path, &ops, None).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(shown(&app, &id).await["factors"]["totp"], "off");
    let removed = last_of(&app, &id, "user.factor_removed").await;
    assert_eq!(removed["actor"], "admin:ops");
    assert_eq!(removed["data"]["factor"], "all");
    assert_eq!(
        app.wait_for_mails(&email, mails + 1).await.len(),
        mails + 1,
        "the user is told"
    );

    assert_eq!(
        call(&app, Method::DELETE, &path, &ops, None).await.0,
        StatusCode::NO_CONTENT
    );
    let events = trail(&app, &id).await;
    assert_eq!(
        kinds(&events).iter().filter(|k| **k == "user.factor_removed").count(),
        1,
        "none left: nothing recorded"
    );
}

async fn the_confirmation_mail_is_resent_unless_confirmed(backend: Backend) {
    let app = spawn_app_with(backend, fast_outbox).await;
    let email = unique_email();
    let (id, _) = account(&app, &email).await;
    app.wait_for_mails(&email, 1).await;
    let ops = admin_key(&app, "ops", "users:write").await;
    let (status, _) = call(
        &app,
        Method::POST,
        &format!("/admin/users/{id}/confirmation"),
        &ops,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let mails = app.wait_for_mails(&email, 2).await;
    assert!(six_digit_code(&mails[1]).is_some(), "a new code: {}", mails[1]);
    let resent = last_of(&app, &id, "admin.action").await;
    assert_eq!(resent["actor"], "admin:ops");
    assert_eq!(resent["data"]["action"], "confirmation.resent");

    app.service
        .seed_users(0, 1, &app.client_id, "Bench-Password-1")
        .await
        .expect("a confirmed account");
    let (confirmed, _) = app
        .service
        .user_show(&registrar_service::seed_email(0))
        .await
        .expect("the account");
    let (status, body) = call(
        &app,
        Method::POST,
        &format!("/admin/users/{}/confirmation", confirmed.id.0),
        &ops,
        None,
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::CONFLICT, Some("already_confirmed"))
    );
}

async fn a_lockout_is_shown_and_lifted(backend: Backend) {
    let app = spawn_app_with(backend, |c| c.throttle.login_failures_per_account = 2).await;
    let email = unique_email();
    let (id, _) = account(&app, &email).await;
    assert_eq!(
        shown(&app, &id).await["lockout"],
        json!({"locked": false, "failed_sign_ins": 0, "failed_codes": 0})
    );
    let wrong = || app.login(&email, "Wrong-Password-1", "phone");
    assert_eq!(wrong().await.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        shown(&app, &id).await["lockout"],
        json!({"locked": false, "failed_sign_ins": 1, "failed_codes": 0})
    );
    assert_eq!(wrong().await.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        app.login(&email, PASSWORD, "phone").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    let lockout = shown(&app, &id).await["lockout"].clone();
    assert_eq!(lockout["locked"], true, "{lockout}");
    assert!(lockout["locked_until"].is_string(), "{lockout}");

    let ops = admin_key(&app, "ops", "users:write").await;
    let path = format!("/admin/users/{id}/lockout");
    assert_eq!(
        call(&app, Method::DELETE, &path, &ops, None).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(shown(&app, &id).await["lockout"]["locked"], false);
    assert_eq!(
        app.login(&email, PASSWORD, "phone").await.status(),
        StatusCode::OK,
        "it signs in at once"
    );
    let lifted = last_of(&app, &id, "admin.action").await;
    assert_eq!(lifted["actor"], "admin:ops");
    assert_eq!(lifted["data"]["action"], "lockout.lifted");
    let count = trail(&app, &id).await.len();
    assert_eq!(
        call(&app, Method::DELETE, &path, &ops, None).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(trail(&app, &id).await.len(), count, "nothing to lift: nothing recorded");
}

async fn the_user_search_finds_a_first_or_last_name_prefix(backend: Backend) {
    let app = spawn_app(backend).await;
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let first = unique_email();
    let mut body = app.registration(&first);
    body["firstname"] = json!(format!("Zoe{tag}"));
    assert_eq!(app.post_json("/api/register", &body).await.status(), StatusCode::OK);
    let last = unique_email();
    let mut body = app.registration(&last);
    body["lastname"] = json!(format!("ZOE{tag}-Smith"));
    assert_eq!(app.post_json("/api/register", &body).await.status(), StatusCode::OK);
    app.register(&unique_email()).await;
    let reader = admin_key(&app, "reader", "users:read").await;
    let search = |query: String| {
        let app = &app;
        let reader = reader.clone();
        async move {
            let (status, body) = call(app, Method::GET, &format!("/admin/users?{query}"), &reader, None).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            body["users"]
                .as_array()
                .expect("users")
                .iter()
                .map(|u| u["email"].as_str().expect("email").to_owned())
                .collect::<Vec<_>>()
        }
    };
    let both = search(format!("name=zoe{tag}")).await;
    assert_eq!(
        both,
        [first.to_lowercase(), last.to_lowercase()],
        "first or last name, case ignored"
    );
    assert_eq!(search(format!("name=Zoe{tag}-s")).await, [last.to_lowercase()]);
    assert!(search(format!("name={tag}")).await.is_empty(), "a prefix, not a part");
    assert!(search("name=%25".to_owned()).await.is_empty(), "% is no wildcard");
    let (status, body) = call(&app, Method::GET, "/admin/users?name=a%07", &reader, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["errors"]["name"].is_array());
}

async fn every_new_route_needs_its_scope(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let (id, pair) = account(&app, &email).await;
    let session = shown(&app, &id).await["sessions"][0]["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    let routes = [
        (Method::PUT, format!("/admin/users/{id}/role"), "users:write"),
        (Method::DELETE, format!("/admin/users/{id}"), "users:write"),
        (Method::DELETE, format!("/admin/users/{id}/sessions"), "sessions:write"),
        (
            Method::DELETE,
            format!("/admin/users/{id}/sessions/{session}"),
            "sessions:write",
        ),
        (Method::DELETE, format!("/admin/users/{id}/factors"), "users:write"),
        (Method::POST, format!("/admin/users/{id}/confirmation"), "users:write"),
        (Method::DELETE, format!("/admin/users/{id}/lockout"), "users:write"),
    ];
    for (method, path, scope) in routes {
        let others: Vec<&str> = registrar_domain::AdminScope::ALL
            .iter()
            .map(|s| s.name())
            .filter(|s| *s != scope)
            .collect();
        let lacking = admin_key(
            &app,
            &format!("lacks-{}", uuid::Uuid::new_v4().simple()),
            &others.join(","),
        )
        .await;
        let response = send(
            app.http
                .request(method.clone(), app.url(&path))
                .bearer_auth(&lacking)
                .json(&json!({"role": "admin"})),
        )
        .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{method} {path}");
        let challenge = response.headers().get("www-authenticate").expect("a challenge");
        assert!(challenge
            .to_str()
            .expect("ascii")
            .ends_with(&format!("scope=\"{scope}\"")));
        let (status, _) = call(&app, method.clone(), &path, "rgk_wrong", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}");
    }
    let shown = shown(&app, &id).await;
    assert_eq!(
        (shown["role"].as_str(), shown["sessions"].as_array().map(Vec::len)),
        (Some("guest"), Some(1))
    );
    assert_eq!(app.me_status(&pair).await, StatusCode::OK, "nothing changed");
}
