//! Passkeys end to end: real WebAuthn ceremonies over HTTP with a software
//! authenticator (`shared/passkey.rs`) that computes every answer itself —
//! added, listed, renamed and removed; a sign-in without a password; a
//! second factor after the password; counters; refused origins and relying
//! parties; ceremonies finished once, and on another instance.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::factors::{bearer, mfa_grant, turn_on_totp};
use crate::helpers::*;
use crate::passkey::{SoftPasskey, ORIGIN, RP_ID};

/// Passkeys for `registrar.test`, served at `https://registrar.test`.
pub fn relying_party(c: &mut registrar::Config) {
    c.webauthn.rp_id = RP_ID.into();
    c.webauthn.origins = vec![ORIGIN.into()];
}

async fn passkey_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, relying_party).await
}

/// The options of adding a passkey to the account of `pair`.
async fn registration_options(app: &TestApp, pair: &Value) -> Value {
    let request = bearer(app, Method::POST, "/api/me/factors/passkeys/options", pair);
    let (status, options) = parts(send(request).await).await;
    assert_eq!(status, StatusCode::OK, "{options}");
    options
}

async fn post_passkey(app: &TestApp, pair: &Value, body: Value) -> (StatusCode, Value) {
    parts(send(bearer(app, Method::POST, "/api/me/factors/passkeys", pair).json(&body)).await).await
}

/// Adds a passkey of `authenticator` named `name`: the 201 answer.
pub async fn add_passkey(app: &TestApp, pair: &Value, authenticator: &mut SoftPasskey, name: &str) -> Value {
    let options = registration_options(app, pair).await;
    let (status, added) = create_on(app, pair, (authenticator, ORIGIN), &options, name).await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    added
}

/// Has `authenticator` on `origin` answer the registration `options`, and
/// adds its answer as a passkey named `name`: the status and the answer.
async fn create_on(
    app: &TestApp,
    pair: &Value,
    (authenticator, origin): (&mut SoftPasskey, &str),
    options: &Value,
    name: &str,
) -> (StatusCode, Value) {
    let credential = authenticator
        .create(origin, &options["publicKey"])
        .expect("the authenticator answers");
    let body = json!({"ceremony": options["ceremony"], "name": name, "credential": credential});
    post_passkey(app, pair, body).await
}

/// A registered account with one passkey: its address, pair and authenticator.
async fn with_passkey(app: &TestApp) -> (String, Value, SoftPasskey) {
    let email = unique_email();
    let pair = app.register(&email).await;
    let mut authenticator = SoftPasskey::new();
    add_passkey(app, &pair, &mut authenticator, "Phone").await;
    (email, pair, authenticator)
}

/// `POST /api/passkeys/options` for the app's client.
async fn sign_in_options(app: &TestApp) -> Value {
    let (status, options) = options_for(app, &app.client_id).await;
    assert_eq!(status, StatusCode::OK, "{options}");
    options
}

/// `POST /api/passkeys/options` for `client`.
async fn options_for(app: &TestApp, client: &str) -> (StatusCode, Value) {
    app.post_parts("/api/passkeys/options", &json!({"client_id": client}))
        .await
}

async fn passkey_grant(app: &TestApp, ceremony: &Value, credential: &Value, device: &str) -> (StatusCode, Value) {
    let grant = json!({
        "grant_type": "passkey",
        "ceremony": ceremony,
        "credential": credential,
        "client_id": app.client_id,
        "device_id": device,
        "device_name": device,
    });
    app.post_parts("/api/token", &grant).await
}

/// A whole sign-in with `authenticator` on `origin`.
async fn sign_in(app: &TestApp, authenticator: &mut SoftPasskey, origin: &str) -> (StatusCode, Value) {
    let options = sign_in_options(app).await;
    let credential = authenticator
        .get(origin, &options["publicKey"])
        .expect("the authenticator answers");
    passkey_grant(app, &options["ceremony"], &credential, "phone").await
}

pub async fn mfa_passkey_options(app: &TestApp, mfa_token: &str) -> reqwest::Response {
    app.post_json("/api/token/mfa/passkey-options", &json!({"mfa_token": mfa_token}))
        .await
}

async fn factors_of(app: &TestApp, pair: &Value) -> Value {
    let (status, body) = parts(send(bearer(app, Method::GET, "/api/me/factors", pair)).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// The id of the first passkey of the holder of `pair`.
async fn first_passkey_id(app: &TestApp, pair: &Value) -> String {
    let factors = factors_of(app, pair).await;
    factors["passkeys"][0]["id"].as_str().expect("an id").to_owned()
}

/// A request on the passkey `id` by the holder of `pair`.
fn on_passkey(app: &TestApp, method: Method, id: &str, pair: &Value) -> reqwest::RequestBuilder {
    bearer(app, method, &format!("/api/me/factors/passkeys/{id}"), pair)
}

async fn sign_in_methods(app: &TestApp, pair: &Value) -> Vec<Value> {
    let (_, sessions) = parts(send(bearer(app, Method::GET, "/api/sessions", pair)).await).await;
    let sessions = sessions.as_array().expect("a list").clone();
    sessions.iter().map(|s| s["sign_in_method"].clone()).collect()
}

fn assert_refused_field(status: StatusCode, body: &Value, field: &str) {
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"], "validation_failed", "{body}");
    assert!(body["errors"][field].is_array(), "an error on {field}: {body}");
}

fn assert_invalid_grant(status: StatusCode, body: &Value, why: &str) {
    assert_eq!(body["error"], "invalid_grant", "{why}: {body}");
    assert_error(status, body, StatusCode::BAD_REQUEST, "invalid_grant");
}

async fn a_passkey_is_added_listed_renamed_and_removed(backend: Backend) {
    let app = passkey_app(backend).await;
    let email = unique_email();
    let pair = app.register(&email).await;

    let options = registration_options(&app, &pair).await;
    assert!(is_token(&options["ceremony"]), "{options}");
    let public_key = &options["publicKey"];
    assert_eq!(public_key["rp"]["id"], RP_ID);
    assert_eq!(public_key["user"]["name"], email.as_str());
    assert_eq!(public_key["attestation"], "none");
    let selection = &public_key["authenticatorSelection"];
    assert_eq!(
        (&selection["residentKey"], &selection["userVerification"]),
        (&json!("required"), &json!("required"))
    );
    assert!(
        public_key["challenge"].as_str().is_some_and(|c| c.len() >= 43),
        "a base64url challenge: {public_key}"
    );

    let mut authenticator = SoftPasskey::new();
    let (status, added) = create_on(&app, &pair, (&mut authenticator, ORIGIN), &options, " Phone ").await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["name"], "Phone");
    let id = added["id"].as_str().expect("an id").to_owned();
    let mail = app
        .newest_mail_with_a_reset_link(&email, 2, "a passkey was added")
        .await;
    assert!(mail.contains("A passkey was added to your account"), "{mail}");

    let factors = factors_of(&app, &pair).await;
    assert_eq!(
        factors["passkeys"],
        json!([{"id": id, "name": "Phone", "created_at": added["created_at"], "last_used_at": null}])
    );
    assert_eq!(factors["totp"]["enabled"], false);

    let rename = |name: Value| on_passkey(&app, Method::PATCH, &id, &pair).json(&json!({"name": name}));
    assert_eq!(
        send(rename(json!("Work laptop"))).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(factors_of(&app, &pair).await["passkeys"][0]["name"], "Work laptop");
    let (status, body) = parts(send(rename(json!("x".repeat(65)))).await).await;
    assert_refused_field(status, &body, "name");
    let (status, body) = parts(send(rename(json!("two\nlines"))).await).await;
    assert_refused_field(status, &body, "name");

    let remove = || on_passkey(&app, Method::DELETE, &id, &pair);
    assert_eq!(send(remove()).await.status(), StatusCode::NO_CONTENT);
    let mail = app
        .newest_mail_with_a_reset_link(&email, 3, "a passkey was removed")
        .await;
    assert!(mail.contains("A passkey was removed from your account"), "{mail}");
    assert_eq!(factors_of(&app, &pair).await["passkeys"], json!([]));
    let (status, body) = parts(send(remove()).await).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");

    // Another account cannot touch it, nor is it listed there.
    let (_, other_pair, _) = with_passkey(&app).await;
    let others = first_passkey_id(&app, &other_pair).await;
    let foreign = on_passkey(&app, Method::DELETE, &others, &pair);
    assert_eq!(send(foreign).await.status(), StatusCode::NOT_FOUND);
}

async fn a_passkey_signs_in_without_a_password_and_is_both_factors(backend: Backend) {
    let app = passkey_app(backend).await;
    let (email, pair, mut authenticator) = with_passkey(&app).await;
    // An authenticator app too: a passkey with user verification still needs nothing more.
    turn_on_totp(&app, &pair).await;

    let options = sign_in_options(&app).await;
    assert_eq!(
        options["publicKey"]["allowCredentials"],
        json!([]),
        "no user named: {options}"
    );
    assert_eq!(options["publicKey"]["userVerification"], "required");
    let credential = authenticator
        .get(ORIGIN, &options["publicKey"])
        .expect("the authenticator answers");
    let (status, signed_in) = passkey_grant(&app, &options["ceremony"], &credential, "phone").await;
    assert_eq!(status, StatusCode::OK, "{signed_in}");
    assert_eq!(app.me_status(&signed_in).await, StatusCode::OK);
    let (_, me) = parts(app.me(access_token(&signed_in)).await).await;
    assert_eq!(me["username"], email.as_str(), "{me}");
    assert!(sign_in_methods(&app, &signed_in).await.contains(&json!("passkey")));
    let used = &factors_of(&app, &pair).await["passkeys"][0];
    assert!(used["last_used_at"].is_string(), "the use is recorded: {used}");

    let (status, body) = passkey_grant(&app, &options["ceremony"], &credential, "phone").await;
    assert_invalid_grant(status, &body, "a ceremony is finished once");

    // A passkey this server no longer knows (removed from its account).
    let (_, other_pair, mut removed) = with_passkey(&app).await;
    let id = first_passkey_id(&app, &other_pair).await;
    let remove = on_passkey(&app, Method::DELETE, &id, &other_pair);
    assert_eq!(send(remove).await.status(), StatusCode::NO_CONTENT);
    let (status, body) = sign_in(&app, &mut removed, ORIGIN).await;
    assert_invalid_grant(status, &body, "an unknown passkey");
}

async fn a_passkey_is_a_second_factor_after_the_password(backend: Backend) {
    let app = passkey_app(backend).await;
    let (email, _, mut authenticator) = with_passkey(&app).await;
    let (status, challenge) = parts(app.login(&email, PASSWORD, "laptop").await).await;
    assert_eq!(
        (status, &challenge["error"]),
        (StatusCode::FORBIDDEN, &json!("mfa_required")),
        "{challenge}"
    );
    assert_eq!(challenge["factors"], json!(["passkey"]));
    let mfa_token = challenge["mfa_token"].as_str().expect("a token");

    let (status, options) = parts(mfa_passkey_options(&app, mfa_token).await).await;
    assert_eq!(status, StatusCode::OK, "{options}");
    assert_eq!(
        options["publicKey"]["allowCredentials"].as_array().map(Vec::len),
        Some(1),
        "{options}"
    );

    // A passkey of no account here, then the wrong field: wrong factors.
    let stranger = SoftPasskey::new().get(ORIGIN, &options["publicKey"]);
    assert!(
        stranger.is_err(),
        "an authenticator without the allowed credential cannot answer"
    );
    let answer = authenticator
        .get(ORIGIN, &options["publicKey"])
        .expect("the authenticator answers");
    let grant = |credential: &Value| json!({"grant_type": "mfa", "mfa_token": mfa_token, "credential": credential});
    let (status, body) = app
        .post_parts("/api/token", &grant(&json!({"id": "not a credential"})))
        .await;
    assert_refused_field(status, &body, "credential");

    let (status, pair) = app.post_parts("/api/token", &grant(&answer)).await;
    assert_eq!(status, StatusCode::OK, "{pair}");
    assert!(sign_in_methods(&app, &pair).await.contains(&json!("password+passkey")));
    let (status, body) = app.post_parts("/api/token", &grant(&answer)).await;
    assert_invalid_grant(status, &body, "the mfa_token is used");

    let (status, body) = parts(mfa_passkey_options(&app, &"0".repeat(64)).await).await;
    assert_invalid_grant(status, &body, "an unknown mfa_token");
}

async fn a_passkey_answer_for_one_mfa_token_is_refused_with_another(backend: Backend) {
    let app = passkey_app(backend).await;
    let (email, _, mut authenticator) = with_passkey(&app).await;
    let mut tokens = Vec::new();
    for device in ["laptop", "tablet"] {
        let (_, challenge) = parts(app.login(&email, PASSWORD, device).await).await;
        tokens.push(challenge["mfa_token"].as_str().expect("a token").to_owned());
    }
    let (_, options) = parts(mfa_passkey_options(&app, &tokens[0]).await).await;
    let answer = authenticator
        .get(ORIGIN, &options["publicKey"])
        .expect("the authenticator answers");
    let (status, body) = mfa_grant(&app, &tokens[1], ("credential", "")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let wrong = json!({"grant_type": "mfa", "mfa_token": tokens[1], "credential": answer});
    let (status, body) = app.post_parts("/api/token", &wrong).await;
    assert_invalid_grant(status, &body, "no ceremony was begun for this token");
    let right = json!({"grant_type": "mfa", "mfa_token": tokens[0], "credential": answer});
    let (status, body) = app.post_parts("/api/token", &right).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn a_cloned_authenticator_behind_the_counter_is_refused(backend: Backend) {
    let app = passkey_app(backend).await;
    let (_, _, mut authenticator) = with_passkey(&app).await;
    let mut clone = authenticator.cloned();
    for _ in 0..2 {
        let (status, body) = sign_in(&app, &mut authenticator, ORIGIN).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, body) = sign_in(&app, &mut clone, ORIGIN).await;
    assert_invalid_grant(status, &body, "the clone's counter is behind the passkey's");
    let (status, body) = sign_in(&app, &mut authenticator, ORIGIN).await;
    assert_eq!(status, StatusCode::OK, "the authenticator itself goes on: {body}");
}

async fn another_origin_or_relying_party_is_refused(backend: Backend) {
    let app = passkey_app(backend).await;
    let email = unique_email();
    let pair = app.register(&email).await;
    let mut authenticator = SoftPasskey::new();

    // A page of a subdomain the relying party does not serve from.
    let options = registration_options(&app, &pair).await;
    let evil = (&mut authenticator, "https://evil.registrar.test");
    let (status, body) = create_on(&app, &pair, evil, &options, "Phone").await;
    assert_refused_field(status, &body, "credential");

    // Another relying party altogether (options changed on the way).
    let mut options = registration_options(&app, &pair).await;
    options["publicKey"]["rp"]["id"] = json!("other.test");
    let other = (&mut authenticator, "https://other.test");
    let (status, body) = create_on(&app, &pair, other, &options, "Phone").await;
    assert_refused_field(status, &body, "credential");
    assert_eq!(
        factors_of(&app, &pair).await["passkeys"],
        json!([]),
        "nothing was added"
    );

    // A ceremony is finished once, even when its answer was refused.
    let again = (&mut authenticator, "https://other.test");
    let (status, body) = create_on(&app, &pair, again, &options, "Phone").await;
    assert_refused_field(status, &body, "ceremony");

    add_passkey(&app, &pair, &mut authenticator, "Phone").await;
    let (status, body) = sign_in(&app, &mut authenticator, "https://evil.registrar.test").await;
    assert_invalid_grant(status, &body, "a sign-in from another origin");

    // The same authenticator twice: excluded, and refused if it tries.
    let options = registration_options(&app, &pair).await;
    assert_eq!(
        options["publicKey"]["excludeCredentials"].as_array().map(Vec::len),
        Some(1),
        "{options}"
    );
}

async fn a_ceremony_begun_on_one_instance_is_finished_on_another(backend: Backend) {
    let app = passkey_app(backend).await;
    let other = app.another_instance(relying_party).await;
    let email = unique_email();
    let pair = app.register(&email).await;
    let mut authenticator = SoftPasskey::new();

    let options = registration_options(&app, &pair).await;
    let credential = authenticator.create(ORIGIN, &options["publicKey"]).expect("answers");
    let (status, added) = post_passkey(
        &other,
        &pair,
        json!({"ceremony": options["ceremony"], "name": "Phone", "credential": credential}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");

    let options = sign_in_options(&other).await;
    let credential = authenticator.get(ORIGIN, &options["publicKey"]).expect("answers");
    let (status, body) = passkey_grant(&app, &options["ceremony"], &credential, "phone").await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn bad_passkey_requests_get_clear_errors(backend: Backend) {
    let app = passkey_app(backend).await;
    let (_, pair, _) = with_passkey(&app).await;
    let (status, body) = post_passkey(&app, &pair, json!({"name": ""})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    for field in ["ceremony", "name", "credential"] {
        assert!(body["errors"][field].is_array(), "{field}: {body}");
    }
    let (status, body) = post_passkey(
        &app,
        &pair,
        json!({"ceremony": "0".repeat(64), "name": "Phone", "credential": {"id": 1}}),
    )
    .await;
    assert_refused_field(status, &body, "credential");
    let (status, body) = app.post_parts("/api/passkeys/options", &json!({})).await;
    assert_refused_field(status, &body, "client_id");
    let (status, body) = options_for(&app, "nope").await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_client");
    let options = sign_in_options(&app).await;
    let grant = json!({"grant_type": "passkey", "ceremony": options["ceremony"], "client_id": app.client_id});
    let (status, body) = app.post_parts("/api/token", &grant).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let anonymous = app
        .post("/api/me/factors/passkeys/options")
        .send()
        .await
        .expect("answered");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

async fn failed_passkey_sign_ins_are_throttled_per_client_address(backend: Backend) {
    let app = spawn_app_with(backend, |c| {
        relying_party(c);
        c.throttle.login_failures_per_ip = 3;
        c.throttle.login_window = 60;
    })
    .await;
    let (_, _, mut authenticator) = with_passkey(&app).await;
    for _ in 0..3 {
        let (status, body) = sign_in(&app, &mut authenticator, "https://evil.registrar.test").await;
        assert_invalid_grant(status, &body, "a sign-in from another origin");
    }
    let (status, body) = options_for(&app, &app.client_id).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "the address is locked out of starting more: {body}"
    );
}

async fn a_reset_of_the_factors_removes_the_passkeys(backend: Backend) {
    let app = passkey_app(backend).await;
    let (email, pair, mut authenticator) = with_passkey(&app).await;
    assert!(app.service.user_factors_reset(&email).await.expect("a reset"));
    assert_eq!(factors_of(&app, &pair).await["passkeys"], json!([]));
    let (status, body) = sign_in(&app, &mut authenticator, ORIGIN).await;
    assert_invalid_grant(status, &body, "the passkey is gone");
    let (status, body) = parts(app.login(&email, PASSWORD, "laptop").await).await;
    assert_eq!(status, StatusCode::OK, "the password alone signs in again: {body}");
}

async fn passkeys_are_off_without_a_relying_party(backend: Backend) {
    // http.public_url on 127.0.0.1, no webauthn.rp_id: no relying party.
    let app = spawn_app(backend).await;
    let (status, body) = options_for(&app, &app.client_id).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
}

on_both_backends!(
    a_passkey_is_added_listed_renamed_and_removed,
    a_passkey_signs_in_without_a_password_and_is_both_factors,
    a_passkey_is_a_second_factor_after_the_password,
    a_passkey_answer_for_one_mfa_token_is_refused_with_another,
    a_cloned_authenticator_behind_the_counter_is_refused,
    another_origin_or_relying_party_is_refused,
    a_ceremony_begun_on_one_instance_is_finished_on_another,
    bad_passkey_requests_get_clear_errors,
    failed_passkey_sign_ins_are_throttled_per_client_address,
    a_reset_of_the_factors_removes_the_passkeys,
    passkeys_are_off_without_a_relying_party,
);
