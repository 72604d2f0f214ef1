//! Second factors end to end: an authenticator app enrolled and confirmed
//! over HTTP, then sign-ins through `mfa_required` and `grant_type=mfa`,
//! with codes computed here from the secret as an authenticator app does
//! (RFC 6238, independently of the server's TOTP library).

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::authenticator::Authenticator;
use crate::helpers::*;

#[test]
fn the_test_authenticator_gives_rfc_6238s_codes() {
    // RFC 6238 appendix B, SHA-1 secret "12345678901234567890", cut to 6 digits.
    let app = Authenticator::scan("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    assert_eq!(app.key, b"12345678901234567890");
    assert_eq!(app.code_at(59), "287082");
    assert_eq!(app.code_at(1_111_111_109), "081804");
    assert_eq!(app.code_at(2_000_000_000), "279037");
}

pub fn bearer(app: &TestApp, method: reqwest::Method, path: &str, pair: &Value) -> reqwest::RequestBuilder {
    app.http.request(method, app.url(path)).bearer_auth(access_token(pair))
}

/// Enrols and confirms an authenticator app for the account of `pair`:
/// the app and the recovery codes.
pub async fn turn_on_totp(app: &TestApp, pair: &Value) -> (Authenticator, Vec<String>) {
    let (status, enrolment) = parts(send(bearer(app, reqwest::Method::POST, "/api/me/factors/totp", pair)).await).await;
    assert_eq!(status, StatusCode::OK, "{enrolment}");
    let authenticator = Authenticator::scan(enrolment["secret"].as_str().expect("a secret"));
    let (status, confirmed) = parts(
        send(
            bearer(app, reqwest::Method::POST, "/api/me/factors/totp/confirm", pair)
                .json(&json!({"code": authenticator.code(0)})),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{confirmed}");
    let codes = confirmed["recovery_codes"]
        .as_array()
        .expect("recovery codes")
        .iter()
        .map(|c| c.as_str().expect("a code").to_owned())
        .collect();
    (authenticator, codes)
}

/// A password login answered `mfa_required`: its `mfa_token`.
pub async fn mfa_token_of(response: reqwest::Response) -> String {
    let (status, body) = parts(response).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["success"], false);
    assert_eq!(body["error"], "mfa_required");
    assert_eq!(body["factors"], json!(["totp", "recovery_code"]));
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    assert_eq!(body["error_description"], body["message"]);
    assert!(is_token(&body["mfa_token"]), "{body}");
    body["mfa_token"].as_str().expect("a token").to_owned()
}

pub async fn mfa_grant(app: &TestApp, mfa_token: &str, factor: (&str, &str)) -> (StatusCode, Value) {
    let (name, value) = factor;
    parts(
        app.post_json(
            "/api/token",
            &json!({"grant_type": "mfa", "mfa_token": mfa_token, name: value}),
        )
        .await,
    )
    .await
}

/// A registered account with an authenticator app turned on.
struct Protected {
    app: TestApp,
    email: String,
    pair: Value,
    authenticator: Authenticator,
    recovery_codes: Vec<String>,
}

impl Protected {
    /// A password login on `device`, answered `mfa_required`: its `mfa_token`.
    async fn challenge(&self, device: &str) -> String {
        mfa_token_of(self.app.login(&self.email, PASSWORD, device).await).await
    }
}

async fn protected(backend: Backend, adjust: impl FnOnce(&mut registrar::Config)) -> Protected {
    let app = spawn_app_with(backend, adjust).await;
    let email = unique_email();
    let pair = app.register(&email).await;
    let (authenticator, recovery_codes) = turn_on_totp(&app, &pair).await;
    Protected {
        app,
        email,
        pair,
        authenticator,
        recovery_codes,
    }
}

/// A second step that must be refused as `invalid_grant`.
pub async fn assert_refused(app: &TestApp, mfa_token: &str, factor: (&str, &str), why: &str) {
    let (status, body) = mfa_grant(app, mfa_token, factor).await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::BAD_REQUEST, &json!("invalid_grant")),
        "{why}: {body}"
    );
}

/// The sessions `GET /api/sessions` lists for the holder of `pair`.
async fn sessions_of(app: &TestApp, pair: &Value) -> Vec<Value> {
    let (_, sessions) = parts(send(bearer(app, reqwest::Method::GET, "/api/sessions", pair)).await).await;
    sessions.as_array().expect("a list").clone()
}

async fn factors_of(app: &TestApp, pair: &Value) -> Value {
    let (status, body) = parts(send(bearer(app, reqwest::Method::GET, "/api/me/factors", pair)).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn an_authenticator_app_is_enrolled_and_then_needed_to_sign_in(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let pair = app.register(&email).await;
    assert_eq!(
        factors_of(&app, &pair).await,
        json!({"totp": {"enabled": false}, "passkeys": [], "recovery_codes_left": 0})
    );

    let response = send(bearer(&app, reqwest::Method::POST, "/api/me/factors/totp", &pair)).await;
    assert_eq!(response.headers()["cache-control"], "no-store");
    let (_, enrolment) = parts(response).await;
    let secret = enrolment["secret"].as_str().expect("a secret");
    assert_eq!(secret.len(), 32, "160 bits in base32: {secret}");
    assert_eq!(
        enrolment["otpauth_uri"],
        format!("otpauth://totp/Registrar:{email}?secret={secret}&issuer=Registrar&algorithm=SHA1&digits=6&period=30")
    );
    assert!(
        enrolment["qr_svg"].as_str().is_some_and(|svg| svg.contains("<svg")),
        "{enrolment}"
    );
    assert_eq!(
        factors_of(&app, &pair).await["totp"]["enabled"],
        false,
        "pending until confirmed"
    );
    assert_eq!(
        mfa_free_login(&app, &email).await,
        StatusCode::OK,
        "a pending secret asks nothing"
    );

    let (authenticator, codes) = turn_on_totp(&app, &pair).await;
    assert_eq!(codes.len(), 10);
    assert_eq!(
        factors_of(&app, &pair).await,
        json!({"totp": {"enabled": true}, "passkeys": [], "recovery_codes_left": 10})
    );

    let mfa_token = mfa_token_of(app.login(&email, PASSWORD, "laptop").await).await;
    let next = authenticator.code(1);
    let (status, signed_in) = mfa_grant(&app, &mfa_token, ("code", &next)).await;
    assert_eq!(status, StatusCode::OK, "{signed_in}");
    assert!(is_token(&signed_in["access_token"]) && is_token(&signed_in["refresh_token"]));
    assert_eq!(app.me_status(&signed_in).await, StatusCode::OK);
    let sessions = sessions_of(&app, &signed_in).await;
    assert!(sessions.iter().any(|s| s["device_id"] == "laptop"), "{sessions:?}");

    assert_refused(&app, &mfa_token, ("code", &next), "a used token").await;
    let again = mfa_token_of(app.login(&email, PASSWORD, "tablet").await).await;
    assert_refused(&app, &again, ("code", &next), "a code is accepted once: a replay fails").await;
}

/// A password login's status, when no second factor is asked.
async fn mfa_free_login(app: &TestApp, email: &str) -> StatusCode {
    app.login(email, PASSWORD, "phone").await.status()
}

async fn five_wrong_codes_kill_the_mfa_token(backend: Backend) {
    // An account lockout later than the token's death, to see the token die.
    let account = protected(backend, |c| c.throttle.login_failures_per_account = 10).await;
    let (mfa_token, right) = (account.challenge("laptop").await, account.authenticator.code(1));
    for attempt in 1..=5 {
        let why = format!("wrong code {attempt}");
        assert_refused(&account.app, &mfa_token, ("code", wrong_code(&right)), &why).await;
    }
    let why = "the right code after five wrong ones: the token is dead";
    assert_refused(&account.app, &mfa_token, ("code", &right), why).await;
    let (status, body) = mfa_grant(&account.app, &account.challenge("laptop").await, ("code", &right)).await;
    assert_eq!(status, StatusCode::OK, "a new token takes the right code: {body}");
}

async fn wrong_codes_count_toward_the_account_lockout(backend: Backend) {
    let account = protected(backend, |c| c.throttle.login_failures_per_account = 3).await;
    let (mfa_token, right) = (account.challenge("laptop").await, account.authenticator.code(1));
    for _ in 0..3 {
        mfa_grant(&account.app, &mfa_token, ("code", wrong_code(&right))).await;
    }
    let (status, body) = mfa_grant(&account.app, &mfa_token, ("code", &right)).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "the account is locked out: {body}"
    );
    let (status, _) = parts(account.app.login(&account.email, PASSWORD, "laptop").await).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "the right password does not clear it"
    );
}

async fn a_recovery_code_signs_in_once(backend: Backend) {
    let account = protected(backend, |_| {}).await;
    let (mfa_token, again) = (account.challenge("laptop").await, account.challenge("laptop").await);
    let Protected {
        app,
        pair,
        recovery_codes: codes,
        ..
    } = account;
    let typed = codes[3].to_uppercase().replace('-', " ");
    let (status, signed_in) = mfa_grant(&app, &mfa_token, ("recovery_code", &typed)).await;
    assert_eq!(status, StatusCode::OK, "typed in capitals with a space: {signed_in}");
    assert_eq!(factors_of(&app, &signed_in).await["recovery_codes_left"], 9);
    assert_refused(&app, &again, ("recovery_code", &codes[3]), "used once").await;

    let (status, fresh) = parts(
        send(
            bearer(&app, reqwest::Method::POST, "/api/me/factors/recovery-codes", &pair)
                .json(&json!({"password": PASSWORD})),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{fresh}");
    assert_eq!(factors_of(&app, &pair).await["recovery_codes_left"], 10);
    assert_refused(&app, &again, ("recovery_code", &codes[4]), "the old set died").await;
    let new_code = fresh["recovery_codes"][0].as_str().expect("a code");
    let (status, body) = mfa_grant(&app, &again, ("recovery_code", new_code)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn changing_the_password_needs_the_second_factor_too(backend: Backend) {
    let Protected {
        app,
        email,
        pair,
        authenticator,
        ..
    } = protected(backend, |_| {}).await;
    let new_password = "Battery-Staple-77";
    let mfa_token = mfa_token_of(change_password(&app, &email, (PASSWORD, new_password), "device-1").await).await;
    assert_eq!(app.me_status(&pair).await, StatusCode::OK, "nothing changed yet");

    let (status, changed) = mfa_grant(&app, &mfa_token, ("code", &authenticator.code(1))).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(app.me_status(&changed).await, StatusCode::OK);
    let (status, body) = parts(app.login(&email, PASSWORD, "laptop").await).await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::BAD_REQUEST, &json!("invalid_grant")),
        "the old password"
    );
    mfa_token_of(app.login(&email, new_password, "laptop").await).await;
}

async fn the_users_api_login_asks_for_the_second_factor_in_its_own_shape(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let code = app.register_for_code(&email).await;
    let confirmed = app
        .post_json("/api/users/validation", &json!({"email": email, "token": code}))
        .await;
    assert_eq!(confirmed.status(), StatusCode::CREATED);
    let pair = app
        .login(&email, PASSWORD, "phone")
        .await
        .json::<Value>()
        .await
        .expect("a pair");
    let (authenticator, _) = turn_on_totp(&app, &pair).await;

    let (status, body) = parts(
        app.post_json("/api/users/login", &json!({"username": email, "password": PASSWORD}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["message"], "A second factor is required.");
    assert_eq!(body["factors"], json!(["totp", "recovery_code"]));
    assert!(body.get("success").is_none() && body.get("errors").is_none(), "{body}");
    let mfa_token = body["mfa_token"].as_str().expect("a token");
    let (status, signed_in) = mfa_grant(&app, mfa_token, ("code", &authenticator.code(1))).await;
    assert_eq!(status, StatusCode::OK, "{signed_in}");
    let sessions = sessions_of(&app, &signed_in).await;
    assert!(
        sessions.iter().any(|s| s["client_id"] == "web" && s["current"] == true),
        "a session of the web client: {sessions:?}"
    );
}

async fn the_mfa_token_belongs_to_its_client(backend: Backend) {
    let account = protected(backend, |_| {}).await;
    let mfa_token = account.challenge("laptop").await;
    let Protected { app, authenticator, .. } = account;
    let other_client =
        json!({"grant_type": "mfa", "mfa_token": mfa_token, "code": authenticator.code(1), "client_id": "web"});
    let refused = app.post_error("/api/token", &other_client).await;
    assert_eq!(
        refused,
        (StatusCode::BAD_REQUEST, json!("invalid_grant")),
        "another client"
    );
    for (fields, error) in [
        (json!({"grant_type": "mfa", "code": "123456"}), "mfa_token"),
        (json!({"grant_type": "mfa", "mfa_token": mfa_token}), "code"),
        (
            json!({"grant_type": "mfa", "mfa_token": mfa_token, "code": "1", "recovery_code": "2"}),
            "code",
        ),
    ] {
        let (status, body) = parts(app.post_json("/api/token", &fields).await).await;
        assert_eq!(
            (status, &body["error"]),
            (StatusCode::BAD_REQUEST, &json!("validation_failed")),
            "{fields}"
        );
        assert!(body["errors"][error].is_array(), "{fields}: {body}");
    }
    let (status, body) = mfa_grant(&app, &mfa_token, ("code", &authenticator.code(1))).await;
    assert_eq!(status, StatusCode::OK, "the refusals used nothing up: {body}");
}

async fn a_confidential_client_authenticates_in_the_second_step_too(backend: Backend) {
    let Protected {
        app,
        email,
        authenticator,
        ..
    } = protected(backend, |_| {}).await;
    let (client, secret) = crate::oauth::confidential_client(&app).await;
    let first = json!({"grant_type": "password", "client_id": client, "client_secret": secret,
        "username": email, "password": PASSWORD, "device_id": "server", "device_name": "Server"});
    let mfa_token = mfa_token_of(app.post_json("/api/token", &first).await).await;

    let code = authenticator.code(1);
    let unnamed = app
        .post_error(
            "/api/token",
            &json!({"grant_type": "mfa", "mfa_token": mfa_token, "code": code}),
        )
        .await;
    assert_eq!(
        unnamed,
        (StatusCode::BAD_REQUEST, json!("invalid_client")),
        "no client named"
    );
    let wrong = json!({"grant_type": "mfa", "mfa_token": mfa_token, "code": code, "client_id": client,
        "client_secret": "0".repeat(64)});
    let refused = app.post_error("/api/token", &wrong).await;
    assert_eq!(
        refused,
        (StatusCode::UNAUTHORIZED, json!("invalid_client")),
        "a wrong secret"
    );
    let right = json!({"grant_type": "mfa", "mfa_token": mfa_token, "code": code, "client_id": client,
        "client_secret": secret});
    let (status, pair) = parts(app.post_json("/api/token", &right).await).await;
    assert_eq!(status, StatusCode::OK, "the refusals used nothing up: {pair}");
    assert!(is_token(&pair["access_token"]));
}

async fn the_app_is_turned_off_with_the_password_and_enrolling_twice_is_a_conflict(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let pair = app.register(&email).await;
    let confirm = |code: &str| {
        bearer(&app, reqwest::Method::POST, "/api/me/factors/totp/confirm", &pair).json(&json!({"code": code}))
    };
    let nothing_pending = error_of(send(confirm("123456")).await).await;
    assert_eq!(
        nothing_pending,
        (StatusCode::NOT_FOUND, json!("not_found")),
        "nothing to confirm"
    );
    let enrolment = send(bearer(&app, reqwest::Method::POST, "/api/me/factors/totp", &pair)).await;
    assert_eq!(enrolment.status(), StatusCode::OK);
    let (status, body) = parts(send(confirm("000000")).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"], "validation_failed");
    assert_eq!(
        body["errors"]["code"],
        json!(["This code is not the current one of your authenticator app."])
    );

    turn_on_totp(&app, &pair).await;
    let (status, body) = parts(send(bearer(&app, reqwest::Method::POST, "/api/me/factors/totp", &pair)).await).await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::CONFLICT, &json!("factor_enabled")),
        "{body}"
    );

    let off = |password: &str| {
        bearer(&app, reqwest::Method::DELETE, "/api/me/factors/totp", &pair).json(&json!({"password": password}))
    };
    let (status, body) = parts(send(off("Wrong-Password-1")).await).await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::BAD_REQUEST, &json!("validation_failed")),
        "{body}"
    );
    assert_eq!(factors_of(&app, &pair).await["totp"]["enabled"], true, "still on");
    assert_eq!(send(off(PASSWORD)).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        factors_of(&app, &pair).await,
        json!({"totp": {"enabled": false}, "passkeys": [], "recovery_codes_left": 0})
    );
    assert_eq!(
        mfa_free_login(&app, &email).await,
        StatusCode::OK,
        "no second factor asked any more"
    );
    assert_eq!(
        send(off(PASSWORD)).await.status(),
        StatusCode::NOT_FOUND,
        "nothing left to turn off"
    );
}

async fn of_two_sign_ins_racing_with_one_code_one_wins(backend: Backend) {
    let account = protected(backend, |_| {}).await;
    let (first, second) = (account.challenge("laptop").await, account.challenge("tablet").await);
    let Protected { app, authenticator, .. } = account;
    let code = authenticator.code(1);
    let (a, b) = tokio::join!(
        mfa_grant(&app, &first, ("code", &code)),
        mfa_grant(&app, &second, ("code", &code))
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::BAD_REQUEST], "{a:?} {b:?}");
}

async fn unknown_mfa_tokens_are_throttled_per_client_address(backend: Backend) {
    let app = spawn_app_with(backend, |c| c.throttle.login_failures_per_ip = 3).await;
    for attempt in 1..=3 {
        let guess = format!("{attempt:064x}");
        assert_refused(&app, &guess, ("code", "123456"), &format!("guess {attempt}")).await;
    }
    let (status, body) = mfa_grant(&app, &"f".repeat(64), ("code", "123456")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"], "too_many_attempts");
}

/// How each session of the holder of `pair` signed in, by device, oldest first.
async fn methods_of(app: &TestApp, pair: &Value) -> Vec<(String, String)> {
    crate::sessions::sign_in_methods(app, access_token(pair)).await
}

fn by_device(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(d, m)| ((*d).to_owned(), (*m).to_owned()))
        .collect()
}

/// `POST /api/change-password` of `email` from `password` to `new_password` on `device`.
async fn change_password(
    app: &TestApp,
    email: &str,
    (password, new_password): (&str, &str),
    device: &str,
) -> reqwest::Response {
    let change = json!({
        "grant_type": "password", "client_id": app.client_id, "device_name": device, "device_id": device,
        "username": email, "password": password, "new_password": new_password,
    });
    app.post_json("/api/change-password", &change).await
}

async fn sessions_show_the_second_factor_they_signed_in_with(backend: Backend) {
    let account = protected(backend, |_| {}).await;
    let (laptop, tablet) = (account.challenge("laptop").await, account.challenge("tablet").await);
    let (app, email, codes) = (&account.app, account.email.as_str(), &account.recovery_codes);
    let (status, signed_in) = mfa_grant(app, &laptop, ("code", &account.authenticator.code(1))).await;
    assert_eq!(status, StatusCode::OK, "{signed_in}");
    let (status, body) = mfa_grant(app, &tablet, ("recovery_code", &codes[0])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        methods_of(app, &signed_in).await,
        by_device(&[
            ("device-1", "registration"),
            ("laptop", "password+totp"),
            ("tablet", "password+recovery_code")
        ])
    );

    let new_password = "Battery-Staple-77";
    let mfa_token = mfa_token_of(change_password(app, email, (PASSWORD, new_password), "phone").await).await;
    let (status, changed) = mfa_grant(app, &mfa_token, ("recovery_code", &codes[1])).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(
        methods_of(app, &changed).await,
        by_device(&[("phone", "password+recovery_code")]),
        "a password change keeps only its own session, signed in with both factors"
    );
}

/// An `mfa_token` issued before `end` (given the app and the address, and
/// answering the password after it) is refused after it, while one issued
/// after it takes the same code.
async fn assert_mfa_tokens_die_with(backend: Backend, what: &str, end: impl AsyncFnOnce(&TestApp, &str) -> String) {
    let account = protected(backend, |_| {}).await;
    let mfa_token = account.challenge("laptop").await;
    let Protected {
        app,
        email,
        authenticator,
        ..
    } = account;
    let password = end(&app, &email).await;
    let code = authenticator.code(1);
    assert_refused(
        &app,
        &mfa_token,
        ("code", &code),
        &format!("a token issued before {what}"),
    )
    .await;
    let fresh = mfa_token_of(app.login(&email, &password, "laptop").await).await;
    let (status, body) = mfa_grant(&app, &fresh, ("code", &code)).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the same code with a token issued after {what}: {body}"
    );
}

async fn a_password_reset_kills_the_mfa_tokens_issued_before_it(backend: Backend) {
    assert_mfa_tokens_die_with(backend, "a reset", async |app: &TestApp, email: &str| {
        assert_eq!(app.forgot_password(email).await.status(), StatusCode::OK);
        // Confirmation, "two-step verification turned on", then the reset.
        let mail = app.newest_mail_with_a_reset_link(email, 3, "the reset mail").await;
        let link = token_of_link(&link_in(&mail, "/reset-password/").expect("a reset link"));
        let new_password = "Battery-Staple-77";
        let (status, body) = parts(app.reset_password(&link, new_password).await).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        new_password.to_owned()
    })
    .await;
}

async fn disabling_the_account_kills_its_mfa_tokens(backend: Backend) {
    assert_mfa_tokens_die_with(backend, "disabling the account", async |app: &TestApp, email: &str| {
        app.service.user_set_disabled(email, true).await.expect("disabled");
        app.service
            .user_set_disabled(email, false)
            .await
            .expect("enabled again");
        PASSWORD.to_owned()
    })
    .await;
}

async fn a_password_changed_between_the_two_steps_of_a_change_refuses_the_second(backend: Backend) {
    let account = protected(backend, |_| {}).await;
    let (app, email) = (&account.app, account.email.as_str());
    let (first, second) = ("Battery-Staple-77", "Correct-Horse-88");
    let waiting = mfa_token_of(change_password(app, email, (PASSWORD, first), "phone").await).await;
    let other = mfa_token_of(change_password(app, email, (PASSWORD, second), "laptop").await).await;
    let (status, body) = mfa_grant(app, &other, ("code", &account.authenticator.code(1))).await;
    assert_eq!(status, StatusCode::OK, "the other change is done: {body}");

    assert_refused(
        app,
        &waiting,
        ("recovery_code", &account.recovery_codes[0]),
        "the first change checked a password that is no longer the account's",
    )
    .await;
    let (status, body) = parts(app.login(email, first, "tablet").await).await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::BAD_REQUEST, &json!("invalid_grant")),
        "the refused change set nothing"
    );
    mfa_token_of(app.login(email, second, "tablet").await).await;
}

/// A mail as its reader sees it: the subject (folded lines joined, RFC 2047
/// words decoded) and the plain-text part.
fn as_read(raw: &str) -> (String, String) {
    let mut lines = raw.split("\r\n").skip_while(|l| !l.starts_with("Subject: "));
    let first = lines.next().expect("a Subject header");
    let folded = lines.take_while(|l| l.starts_with([' ', '\t']));
    let header = std::iter::once(&first["Subject: ".len()..])
        .chain(folded)
        .collect::<Vec<_>>();
    let mut subject = String::new();
    let mut last_encoded = false;
    for word in header.iter().flat_map(|l| l.split_whitespace()) {
        let encoded = word
            .strip_prefix("=?")
            .and_then(|w| w.strip_suffix("?="))
            .and_then(|w| w.split_once("?b?").or_else(|| w.split_once("?B?")));
        // Adjacent encoded words join without the space between them.
        let separate = !(last_encoded && encoded.is_some());
        if separate && !subject.is_empty() {
            subject.push(' ');
        }
        match encoded {
            Some((_, data)) => {
                let bytes = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, data).expect("base64");
                subject.push_str(&String::from_utf8(bytes).expect("UTF-8"));
            }
            None => subject.push_str(word),
        }
        last_encoded = encoded.is_some();
    }
    let (text, _) = registrar_smtp::testing::parts(raw);
    (subject, text.replace("\r\n", "\n"))
}

/// What a reader in one language sees of the mails about second factors.
struct Words {
    language: &'static str,
    on: [&'static str; 2],
    used_subject: &'static str,
    /// The sentence that says when a recovery code was used.
    used_at: fn(&str) -> String,
    off: [&'static str; 2],
}

const DUTCH: Words = Words {
    language: "nl",
    on: [
        "Tweestapsverificatie staat aan",
        "Tweestapsverificatie is zojuist aangezet voor je account.",
    ],
    used_subject: "Er is ingelogd met een herstelcode",
    used_at: |when| format!("Op {when} is er met een van je herstelcodes ingelogd op je account."),
    off: [
        "Tweestapsverificatie staat uit",
        "Tweestapsverificatie is zojuist uitgezet voor je account",
    ],
};

const GERMAN: Words = Words {
    language: "de",
    on: [
        "Die Zwei-Schritt-Verifizierung ist aktiviert",
        "Für Ihr Konto wurde soeben die Zwei-Schritt-Verifizierung aktiviert.",
    ],
    used_subject: "Ein Wiederherstellungscode wurde zur Anmeldung verwendet",
    used_at: |when| format!("Am {when} wurde einer Ihrer Wiederherstellungscodes verwendet"),
    off: [
        "Die Zwei-Schritt-Verifizierung ist deaktiviert",
        "Für Ihr Konto wurde soeben die Zwei-Schritt-Verifizierung deaktiviert;",
    ],
};

/// The newest of `count` mails to `email`: what its reader sees, checked
/// to be in `language` and to offer a way back in (a reset link).
async fn newest_mail_read(app: &TestApp, email: &str, count: usize, language: &str) -> (String, String) {
    let raw = app
        .newest_mail_with_a_reset_link(email, count, "if it was not you")
        .await;
    assert!(raw.contains(&format!("Content-Language: {language}")), "{raw}");
    as_read(&raw)
}

async fn second_factor_changes_are_mailed_in_the_accounts_language(backend: Backend) {
    let app = spawn_app(backend).await;
    for words in [DUTCH, GERMAN] {
        let language = words.language;
        let email = unique_email();
        let registration = app.post("/api/register").header("Accept-Language", language);
        let (status, pair) = parts(send(registration.json(&app.registration(&email))).await).await;
        assert_eq!(status, StatusCode::OK, "{pair}");

        let (_, codes) = turn_on_totp(&app, &pair).await;
        let (subject, text) = newest_mail_read(&app, &email, 2, language).await;
        assert_eq!(subject, words.on[0], "{language}");
        assert!(text.contains(words.on[1]), "{language}: {text}");

        let mfa_token = mfa_token_of(app.login(&email, PASSWORD, "laptop").await).await;
        let shown = |at: chrono::DateTime<chrono::Utc>| at.format("%Y-%m-%d %H:%M UTC").to_string();
        let before = shown(chrono::Utc::now());
        let (status, body) = mfa_grant(&app, &mfa_token, ("recovery_code", &codes[0])).await;
        let after = shown(chrono::Utc::now());
        assert_eq!(status, StatusCode::OK, "{body}");
        let (subject, text) = newest_mail_read(&app, &email, 3, language).await;
        assert_eq!(subject, words.used_subject, "{language}");
        assert!(
            text.contains(&(words.used_at)(&before)) || text.contains(&(words.used_at)(&after)),
            "{language}: says when ({before}): {text}"
        );

        let off = bearer(&app, reqwest::Method::DELETE, "/api/me/factors/totp", &pair);
        let response = send(off.json(&json!({"password": PASSWORD}))).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        let (subject, text) = newest_mail_read(&app, &email, 4, language).await;
        assert_eq!(subject, words.off[0], "{language}");
        assert!(text.contains(words.off[1]), "{language}: {text}");
    }
}

/// `registrar seed --totp` (the benchmark's `mfa` scenario): a seeded
/// user's waiting sign-in completes over HTTP with the code an authenticator
/// app computes from the seeded secret, once.
async fn a_user_seeded_with_an_app_completes_the_waiting_sign_in_with_its_code(backend: Backend) {
    let app = spawn_app(backend).await;
    let extras = registrar_service::SeedExtras { totp: true };
    let seeded = app
        .service
        .seed_users_with(40, 2, &app.client_id, PASSWORD, extras)
        .await
        .expect("seeded");
    assert_eq!(seeded, 2);
    let authenticator = Authenticator {
        key: registrar_service::seed_totp_secret(40).to_vec(),
    };
    let grant = json!({
        "grant_type": "mfa",
        "client_id": app.client_id,
        "mfa_token": registrar_service::seed_mfa_token(40),
        "code": authenticator.code(0),
    });
    let (status, pair) = parts(app.post_json("/api/token", &grant).await).await;
    assert_eq!(status, StatusCode::OK, "{pair}");
    let me = app
        .http
        .get(app.url("/api/me"))
        .bearer_auth(pair["access_token"].as_str().expect("an access token"))
        .send()
        .await
        .expect("me");
    let me: Value = me.json().await.expect("json");
    assert_eq!(me["username"], registrar_service::seed_email(40), "{me}");
    // The sign-in opened a session of its own: the seeded one still works.
    let (seeded_access, _) = registrar_service::seed_tokens(40);
    let seeded = app
        .http
        .get(app.url("/api/me"))
        .bearer_auth(seeded_access)
        .send()
        .await
        .expect("me");
    assert_eq!(seeded.status(), StatusCode::OK, "the seeded session is left alone");
    assert_eq!(
        app.post_error("/api/token", &grant).await,
        (StatusCode::BAD_REQUEST, json!("invalid_grant")),
        "the waiting sign-in and the step are used up"
    );
    // The password alone does not sign the seeded user in: the app is on.
    mfa_token_of(app.login(&registrar_service::seed_email(41), PASSWORD, "laptop").await).await;
}

on_both_backends!(
    a_user_seeded_with_an_app_completes_the_waiting_sign_in_with_its_code,
    a_confidential_client_authenticates_in_the_second_step_too,
    second_factor_changes_are_mailed_in_the_accounts_language,
    unknown_mfa_tokens_are_throttled_per_client_address,
    an_authenticator_app_is_enrolled_and_then_needed_to_sign_in,
    five_wrong_codes_kill_the_mfa_token,
    wrong_codes_count_toward_the_account_lockout,
    a_recovery_code_signs_in_once,
    changing_the_password_needs_the_second_factor_too,
    the_users_api_login_asks_for_the_second_factor_in_its_own_shape,
    the_mfa_token_belongs_to_its_client,
    the_app_is_turned_off_with_the_password_and_enrolling_twice_is_a_conflict,
    of_two_sign_ins_racing_with_one_code_one_wins,
    sessions_show_the_second_factor_they_signed_in_with,
    a_password_reset_kills_the_mfa_tokens_issued_before_it,
    disabling_the_account_kills_its_mfa_tokens,
    a_password_changed_between_the_two_steps_of_a_change_refuses_the_second,
);
