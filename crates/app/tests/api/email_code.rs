//! Signing in with a mailed code end to end: `POST /api/email-code` over
//! HTTP, the code read from the mail as a real SMTP server received it, then
//! `grant_type=email_code` — once, within its time, five tries, the lockout,
//! a second factor after it, the same answer for every address, throttling.

use registrar::config::Config;
use registrar_smtp::testing::{Behaviour, SmtpSink};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::factors::{mfa_grant, mfa_token_of, turn_on_totp};
use crate::helpers::*;
use crate::passkey::{SoftPasskey, ORIGIN};
use crate::passkeys::{add_passkey, mfa_passkey_options};
use crate::sessions::sign_in_methods;
use crate::throttle::{assert_about_the_same_time, enumeration_pair};

on_both_backends!(
    a_mailed_code_signs_in_once_and_confirms_the_address,
    an_expired_code_is_refused,
    five_wrong_codes_kill_the_code,
    wrong_codes_count_toward_the_account_lockout,
    with_a_second_factor_the_code_is_the_first_step,
    a_passkey_can_be_the_second_step_after_a_mailed_code,
    the_answer_is_the_same_for_known_unknown_and_disabled_addresses,
    the_answer_takes_about_the_same_time_for_known_unknown_and_disabled_addresses,
    codes_are_throttled_per_client_address_and_per_account,
    asking_is_limited_per_address_and_per_client_address,
    bad_input_gets_the_core_errors,
);

/// The subject of the sign-in mail in English.
const SUBJECT: &str = "Your sign-in code";

/// A server that mails over SMTP to a sink of its own.
struct Mailing {
    app: TestApp,
    sink: SmtpSink,
}

async fn mailing(backend: Backend, adjust: impl FnOnce(&mut Config)) -> Mailing {
    let sink = SmtpSink::start(Behaviour::Accept).await;
    let app = spawn_app_with(backend, |c| {
        smtp_to(sink.addr.port())(c);
        adjust(c);
    })
    .await;
    Mailing { app, sink }
}

impl Mailing {
    /// `POST /api/email-code` for `email`: the status and body.
    async fn ask(&self, email: &str) -> (StatusCode, Value) {
        let body = json!({"username": email, "client_id": self.app.client_id});
        parts(self.app.post_json("/api/email-code", &body).await).await
    }

    /// Asks for a code for `email` and reads the `nth` (from 1) sign-in
    /// mail to it from the SMTP server: the code.
    async fn code(&self, email: &str, nth: usize) -> String {
        assert_eq!(self.ask(email).await, (StatusCode::OK, json!({})));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let mails: Vec<String> = smtp_mails_to(&self.sink, email, 1)
                .await
                .into_iter()
                .filter(|m| m.contains(SUBJECT))
                .collect();
            if let Some(mail) = mails.get(nth - 1) {
                assert!(!mail.contains("http"), "the mail has no link: {mail}");
                return six_digit_code(mail).expect("a code in the mail");
            }
            assert!(std::time::Instant::now() < deadline, "sign-in mail {nth} never came");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    /// A `grant_type=email_code` body for `email` with `code`, from `device`.
    fn grant(&self, email: &str, code: &str, device: &str) -> Value {
        json!({"grant_type": "email_code", "client_id": self.app.client_id, "device_id": device,
               "device_name": device, "username": email, "code": code})
    }

    /// `grant_type=email_code` for `email` from `device`: the status and body.
    async fn sign_in(&self, email: &str, code: &str, device: &str) -> (StatusCode, Value) {
        parts(self.app.post_json("/api/token", &self.grant(email, code, device)).await).await
    }

    /// `grant_type=email_code` answered `mfa_required`: its `mfa_token`.
    async fn challenged(&self, email: &str, code: &str, device: &str) -> String {
        mfa_token_of(self.app.post_json("/api/token", &self.grant(email, code, device)).await).await
    }

    /// A sign-in that must work (`why` says why): the token pair.
    async fn signs_in(&self, email: &str, code: &str, why: &str) -> Value {
        let (status, pair) = self.sign_in(email, code, "laptop").await;
        assert_eq!(status, StatusCode::OK, "{why}: {pair}");
        pair
    }

    /// A sign-in that must be refused as `invalid_grant` (`why` says why).
    async fn refused(&self, email: &str, code: &str, why: &str) {
        let (status, body) = self.sign_in(email, code, "laptop").await;
        assert_eq!(
            (status, &body["error"]),
            (StatusCode::BAD_REQUEST, &json!("invalid_grant")),
            "{why}: {body}"
        );
    }
}

/// A server mailing over SMTP (its configuration changed by `adjust`) where
/// a fresh account asked for a sign-in code: the server, the address and the code.
async fn account_with_a_code(backend: Backend, adjust: impl FnOnce(&mut Config)) -> (Mailing, String, String) {
    let m = mailing(backend, adjust).await;
    let email = unique_email();
    m.app.register(&email).await;
    let code = m.code(&email, 1).await;
    (m, email, code)
}

async fn email_confirmed(app: &TestApp, pair: &Value) -> bool {
    let (_, me) = parts(app.me(access_token(pair)).await).await;
    me["email_confirmed"].as_bool().expect("email_confirmed")
}

async fn a_mailed_code_signs_in_once_and_confirms_the_address(backend: Backend) {
    let m = mailing(backend, |_| {}).await;
    let email = unique_email();
    let registered = m.app.register(&email).await;
    assert!(!email_confirmed(&m.app, &registered).await);

    let code = m.code(&email, 1).await;
    let (status, pair) = m.sign_in(&email, &code, "laptop").await;
    assert_eq!(status, StatusCode::OK, "{pair}");
    assert!(
        is_token(&pair["access_token"]) && is_token(&pair["refresh_token"]),
        "{pair}"
    );
    assert_eq!(pair["token_type"], "Bearer");
    assert!(email_confirmed(&m.app, &pair).await, "the code confirmed the address");
    assert_eq!(
        sign_in_methods(&m.app, access_token(&pair)).await,
        [
            ("device-1".to_owned(), "registration".to_owned()),
            ("laptop".to_owned(), "email_code".to_owned())
        ]
    );
    m.refused(&email, &code, "a code signs in once").await;

    let grouped = m.code(&email, 2).await;
    let (status, body) = m
        .sign_in(
            &email.to_uppercase(),
            &format!("{} {}", &grouped[..3], &grouped[3..]),
            "tablet",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "typed as the mail groups it, any case: {body}");
}

async fn an_expired_code_is_refused(backend: Backend) {
    let (m, email, code) = account_with_a_code(backend, |_| {}).await;
    // Ten minutes on, as the database sees it: the code's end moved to its start.
    let moved = execute_sql(
        &m.app.database_url,
        "UPDATE confirmations SET expires_at = created_at WHERE purpose = 'sign_in_code'",
    );
    assert_eq!(moved, 1, "one live sign-in code");
    m.refused(&email, &code, "an expired code").await;
    m.signs_in(&email, &m.code(&email, 2).await, "a new code works").await;
}

async fn five_wrong_codes_kill_the_code(backend: Backend) {
    // A lockout later than the code's death, to see the code die.
    let (m, email, code) = account_with_a_code(backend, |c| c.throttle.login_failures_per_account = 10).await;
    for attempt in 1..=5 {
        m.refused(&email, wrong_code(&code), &format!("wrong code {attempt}"))
            .await;
    }
    m.refused(&email, &code, "the right code after five wrong ones").await;
    m.signs_in(&email, &m.code(&email, 2).await, "a new code has its own tries")
        .await;
}

async fn wrong_codes_count_toward_the_account_lockout(backend: Backend) {
    let lock_after_two = |c: &mut Config| (c.throttle.login_failures_per_account, c.throttle.lockout) = (2, 60);
    let (m, email, code) = account_with_a_code(backend, lock_after_two).await;
    for _ in 0..2 {
        m.refused(&email, wrong_code(&code), "a wrong code").await;
    }
    let locked = (StatusCode::TOO_MANY_REQUESTS, json!("too_many_attempts"));
    let login = error_of(m.app.login(&email, PASSWORD, "d").await).await;
    assert_eq!(
        login, locked,
        "two wrong codes lock the account as two wrong passwords do"
    );
    let (status, body) = m.sign_in(&email, &code, "laptop").await;
    assert_eq!(
        (status, body["error"].clone()),
        locked,
        "the right code waits for the lock too"
    );
}

async fn with_a_second_factor_the_code_is_the_first_step(backend: Backend) {
    let m = mailing(backend, |_| {}).await;
    let email = unique_email();
    let pair = m.app.register(&email).await;
    let (authenticator, recovery_codes) = turn_on_totp(&m.app, &pair).await;

    let by_app = m.challenged(&email, &m.code(&email, 1).await, "laptop").await;
    let (status, signed_in) = mfa_grant(&m.app, &by_app, ("code", &authenticator.code(1))).await;
    assert_eq!(status, StatusCode::OK, "{signed_in}");
    let by_recovery_code = m.challenged(&email, &m.code(&email, 2).await, "tablet").await;
    let (status, body) = mfa_grant(&m.app, &by_recovery_code, ("recovery_code", &recovery_codes[0])).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let methods = sign_in_methods(&m.app, access_token(&signed_in)).await;
    assert_eq!(
        methods,
        [
            ("device-1".to_owned(), "registration".to_owned()),
            ("laptop".to_owned(), "email_code+totp".to_owned()),
            ("tablet".to_owned(), "email_code+recovery_code".to_owned())
        ]
    );
}

async fn a_passkey_can_be_the_second_step_after_a_mailed_code(backend: Backend) {
    let m = mailing(backend, crate::passkeys::relying_party).await;
    let email = unique_email();
    let pair = m.app.register(&email).await;
    let mut authenticator = SoftPasskey::new();
    add_passkey(&m.app, &pair, &mut authenticator, "Phone").await;

    let code = m.code(&email, 1).await;
    let (status, challenge) = m.sign_in(&email, &code, "laptop").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{challenge}");
    assert_eq!(challenge["factors"], json!(["passkey"]), "{challenge}");
    let mfa_token = challenge["mfa_token"].as_str().expect("an mfa_token");
    let (_, options) = parts(mfa_passkey_options(&m.app, mfa_token).await).await;
    let answer = authenticator
        .get(ORIGIN, &options["publicKey"])
        .expect("the authenticator answers");
    let grant = json!({"grant_type": "mfa", "mfa_token": mfa_token, "credential": answer});
    let (status, signed_in) = m.app.post_parts("/api/token", &grant).await;
    assert_eq!(status, StatusCode::OK, "{signed_in}");
    let methods = sign_in_methods(&m.app, access_token(&signed_in)).await;
    assert!(
        methods.contains(&("laptop".to_owned(), "email_code+passkey".to_owned())),
        "{methods:?}"
    );
}

/// An account disabled by an operator: its address.
async fn disabled_account(app: &TestApp) -> String {
    let email = unique_email();
    app.register(&email).await;
    app.service.user_set_disabled(&email, true).await.expect("disabled");
    email
}

/// Mails are counted per address and client address; these tests ask many.
fn generous_mail_budget(c: &mut Config) {
    c.throttle.mails_per_address = 100;
    c.throttle.mails_per_ip = 1000;
}

async fn the_answer_is_the_same_for_known_unknown_and_disabled_addresses(backend: Backend) {
    let m = mailing(backend, generous_mail_budget).await;
    let (known, disabled) = (unique_email(), disabled_account(&m.app).await);
    m.app.register(&known).await;
    let extra = json!({"client_id": m.app.client_id});
    for (what, address) in [("a known address", &known), ("a disabled account", &disabled)] {
        let [asked, unknown] = enumeration_pair(&m.app, "/api/email-code", "username", address, &extra).await;
        assert_eq!(asked.0, StatusCode::OK);
        assert_eq!(asked.2, "{}");
        assert_eq!(asked, unknown, "{what} and an unknown one");
    }
    // Only the known account was mailed a code.
    m.code(&known, 2).await;
    let to_disabled = smtp_mails_to(&m.sink, &disabled, 1).await;
    assert!(
        to_disabled.iter().all(|mail| !mail.contains(SUBJECT)),
        "no code for a disabled account"
    );
}

async fn the_answer_takes_about_the_same_time_for_known_unknown_and_disabled_addresses(backend: Backend) {
    let m = mailing(backend, generous_mail_budget).await;
    let (known, disabled) = (unique_email(), disabled_account(&m.app).await);
    m.app.register(&known).await;
    let extra = json!({"client_id": m.app.client_id});
    for address in [&known, &disabled] {
        assert_about_the_same_time(&m.app, "/api/email-code", "username", address, &extra).await;
    }
}

async fn codes_are_throttled_per_client_address_and_per_account(backend: Backend) {
    let m = mailing(backend, |c| {
        c.throttle.code_attempts_per_ip = 3;
        c.throttle.code_failures_per_address = 2;
        c.throttle.code_budget_window = 60;
    })
    .await;
    let (ann, bob, cat) = (unique_email(), unique_email(), unique_email());
    for email in [&ann, &bob, &cat] {
        m.app.register(email).await;
    }
    let code = m.code(&ann, 1).await;
    for _ in 0..2 {
        m.refused(&ann, wrong_code(&code), "a wrong code").await;
    }
    let (status, retry, body) = answer(
        m.app
            .post_json(
                "/api/token",
                &json!({"grant_type": "email_code", "client_id": m.app.client_id, "device_id": "d",
                        "device_name": "d", "username": ann, "code": code}),
            )
            .await,
    )
    .await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::TOO_MANY_REQUESTS, &json!("too_many_attempts")),
        "the account's code budget is spent: {body}"
    );
    assert!(retry.is_some_and(|s| (1..=60).contains(&s)), "Retry-After {retry:?}");

    m.refused(&bob, "123456", "the third try from this client address")
        .await;
    let (status, body) = m.sign_in(&cat, "123456", "d").await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::TOO_MANY_REQUESTS, &json!("too_many_attempts")),
        "the fourth try from this client address, for any account: {body}"
    );
}

async fn asking_is_limited_per_address_and_per_client_address(backend: Backend) {
    let m = mailing(backend, |c| {
        (c.throttle.mails_per_address, c.throttle.mails_per_ip) = (2, 3)
    })
    .await;
    let (ann, bob, cat) = (unique_email(), unique_email(), unique_email());
    let ok = (StatusCode::OK, json!({}));
    assert_eq!([m.ask(&ann).await, m.ask(&ann).await], [ok.clone(), ok.clone()]);
    let throttled = |(status, body): (StatusCode, Value)| (status, body["error"].clone());
    let refused = (StatusCode::TOO_MANY_REQUESTS, json!("too_many_attempts"));
    assert_eq!(
        throttled(m.ask(&ann).await),
        refused,
        "the third mail to one address in the window"
    );
    assert_eq!(m.ask(&bob).await, ok, "another address has its own count");
    assert_eq!(
        throttled(m.ask(&cat).await),
        refused,
        "the fourth mail from one client address"
    );
}

async fn bad_input_gets_the_core_errors(backend: Backend) {
    let m = mailing(backend, |_| {}).await;
    let client = m.app.client_id.clone();
    for (body, field) in [
        (json!({"client_id": client}), "username"),
        (json!({"username": unique_email()}), "client_id"),
        (json!({"client_id": client, "username": "not an address"}), "username"),
        (
            json!({"client_id": client, "username": "ann\u{0}@example.com"}),
            "username",
        ),
        (
            json!({"client_id": client, "username": "ann@exa\nmple.com"}),
            "username",
        ),
    ] {
        let (status, answer) = parts(m.app.post_json("/api/email-code", &body).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert_eq!(answer["error"], "validation_failed", "{body}: {answer}");
        assert!(answer["errors"][field].is_array(), "{body}: {answer}");
    }
    let unknown = json!({"client_id": "no-such-client", "username": unique_email()});
    assert_eq!(
        m.app.post_error("/api/email-code", &unknown).await,
        (StatusCode::BAD_REQUEST, json!("invalid_client"))
    );
    let (status, answer) = m.sign_in(&unique_email(), "12345x", "d").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["error"], "validation_failed");
    assert!(answer["errors"]["code"].is_array(), "{answer}");
    let no_device = json!({"grant_type": "email_code", "client_id": client, "username": unique_email(),
                           "code": "123456"});
    let (_, answer) = parts(m.app.post_json("/api/token", &no_device).await).await;
    assert!(
        answer["errors"]["device_id"].is_array() && answer["errors"]["device_name"].is_array(),
        "{answer}"
    );
}
