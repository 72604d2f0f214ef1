//! Signing in with a mailed code, on the in-memory adapters with a
//! hand-moved clock: the code's mail, its single use, its ten minutes and
//! five tries, the same answer for every address, and the worker that
//! drops what expired.
#![allow(clippy::pedantic, clippy::restriction)] // test code

use chrono::Duration;
use registrar_domain::{ClientId, DeviceId, DeviceName, SecretToken, SignInMethod, UserId};
use registrar_mail::MailContent;
use registrar_memory::MemoryMailer;
use registrar_service::testing::{self, Raw};
use registrar_service::{
    EmailCodeGrantInput, EmailCodeInput, ServiceError, Settings, ThrottleSettings, TokenPair, EMAIL_CODE_ATTEMPTS,
    EMAIL_CODE_TTL,
};
use registrar_store::{
    ConfirmationStore, FactorStore, FirstFactor, MfaAttempt, MfaPurpose, NewMfaToken, OutboxKind, OutboxStore,
    PasskeyStore, UserStore,
};

mod support;
use support::{ip, registration, World, PASSWORD};

const EMAIL: &str = "ann@example.com";

async fn world() -> World {
    world_with(|_| {}).await
}

async fn world_with(adjust: impl FnOnce(&mut Settings)) -> World {
    World(testing::World::with(MemoryMailer::new(), adjust).await)
}

/// A world (its settings changed by `adjust`) where Ann registered and was
/// mailed a sign-in code: the world and the code.
async fn ann_with_a_code(adjust: impl FnOnce(&mut Settings)) -> (World, String) {
    let w = world_with(adjust).await;
    w.register().await;
    let code = w.mailed_code().await;
    (w, code)
}

impl World {
    /// Ann, registered (unconfirmed) from the device "phone".
    async fn register(&self) -> TokenPair {
        let input = registration(&self.client, &self.policies, EMAIL, "Ann");
        self.app.register_raw(input, ip()).await.expect("registers")
    }

    /// `POST /api/email-code` for `email` through the world's client.
    async fn ask(&self, email: &str) -> Result<(), ServiceError> {
        let input = EmailCodeInput {
            client_id: Some(self.client.clone()),
            email: Some(email.into()),
        };
        self.app.mail_sign_in_code_raw(input, ip()).await
    }

    /// Asks for a code for Ann and has the worker send it: the code.
    async fn mailed_code(&self) -> String {
        self.ask(EMAIL).await.expect("asked");
        self.app.deliver_due().await.expect("a worker round");
        let mail = self.mailer.sent_to(EMAIL).pop().expect("a mail to Ann");
        match mail.content {
            MailContent::SignInCode { code, valid_minutes } => {
                assert_eq!(valid_minutes, 10, "the mail says how long the code works");
                code.expose().to_owned()
            }
            other => panic!("a sign-in code, not {other:?}"),
        }
    }

    /// `grant_type=email_code` for Ann from `device` with `code`.
    async fn sign_in(&self, code: &str, device: &str) -> Result<TokenPair, ServiceError> {
        let input = EmailCodeGrantInput {
            client_id: Some(self.client.clone()),
            device_id: Some(device.into()),
            device_name: Some(device.into()),
            email: Some(EMAIL.into()),
            code: Some(code.into()),
        };
        self.app.login_email_code_raw(input, ip()).await
    }

    /// `code` is refused as `InvalidGrant` (`why` says why it must be).
    async fn refused(&self, code: &str, why: &str) {
        let outcome = self.sign_in(code, "laptop").await;
        assert!(matches!(outcome, Err(ServiceError::InvalidGrant)), "{why}: {outcome:?}");
    }

    /// `code` signs in (`why` says why it must).
    async fn signs_in(&self, code: &str, why: &str) {
        let outcome = self.sign_in(code, "laptop").await;
        assert!(outcome.is_ok(), "{why}: {outcome:?}");
    }

    /// How the session of `pair` signed in.
    async fn method_of(&self, pair: &TokenPair) -> SignInMethod {
        let ctx = self
            .app
            .authenticate(pair.access_token.expose())
            .await
            .expect("a live session");
        ctx.session.sign_in_method
    }

    async fn confirmed(&self) -> bool {
        let email = registrar_domain::Email::parse(EMAIL).expect("an address");
        let user = self.store.user_by_email(&email).await.expect("store").expect("Ann");
        user.email_confirmed()
    }
}

fn a_wrong(code: &str) -> &'static str {
    if code == "111111" {
        "222222"
    } else {
        "111111"
    }
}

#[tokio::test]
async fn a_mailed_code_signs_in_once_confirms_the_address_and_names_the_sessions_method() {
    let w = world().await;
    w.register().await;
    assert!(!w.confirmed().await);
    let code = w.mailed_code().await;

    let pair = w.sign_in(&code, "laptop").await.expect("the code signs in");
    assert_eq!(w.method_of(&pair).await, SignInMethod::EmailCode);
    assert!(w.confirmed().await, "the code reached the address: it is confirmed");
    w.refused(&code, "a code signs in once").await;
    let again = w.mailed_code().await;
    let grouped = format!("{}-{}", &again[..3], &again[3..]);
    w.signs_in(&grouped, "typed as the mail groups it").await;
}

#[tokio::test]
async fn a_code_works_for_ten_minutes_and_a_new_one_replaces_it() {
    let (w, expired) = ann_with_a_code(|_| {}).await;
    w.clock.advance(EMAIL_CODE_TTL);
    w.refused(&expired, "ten minutes on, the code is dead").await;

    let replaced = w.mailed_code().await;
    let live = w.mailed_code().await;
    if replaced != live {
        w.refused(&replaced, "a new code replaces the unused one").await;
    }
    w.clock.advance(EMAIL_CODE_TTL - Duration::seconds(1));
    w.signs_in(&live, "a second before its end it works").await;
}

#[tokio::test]
async fn five_wrong_codes_kill_the_code() {
    // No lockout here, to see the code die on its own.
    let (w, code) = ann_with_a_code(|s| s.throttle = ThrottleSettings::off()).await;
    for _ in 0..EMAIL_CODE_ATTEMPTS {
        w.refused(a_wrong(&code), "a wrong code").await;
    }
    w.refused(&code, "after five wrong codes the right one is refused")
        .await;
    let fresh = w.mailed_code().await;
    w.signs_in(&fresh, "a new code has its own tries").await;
}

#[tokio::test]
async fn wrong_codes_count_toward_the_account_lockout() {
    let (w, code) = ann_with_a_code(|_| {}).await;
    for _ in 0..5 {
        w.sign_in(a_wrong(&code), "laptop").await.expect_err("wrong");
    }
    let login = w.app.login_raw(w.login_input(EMAIL, PASSWORD, "laptop"), ip()).await;
    let locked =
        |outcome: &Result<TokenPair, ServiceError>| matches!(outcome, Err(ServiceError::TooManyAttempts { .. }));
    assert!(
        locked(&login),
        "five wrong codes lock the account as five wrong passwords do"
    );
    assert!(
        locked(&w.sign_in(&code, "laptop").await),
        "the right code waits for the lock"
    );
}

#[tokio::test]
async fn unknown_disabled_and_known_addresses_get_the_same_answer_and_only_an_account_a_mail() {
    let w = world().await;
    w.register().await;
    let bob = registration(&w.client, &w.policies, "bob@example.com", "Bob");
    w.app.register_raw(bob, ip()).await.expect("Bob registers");
    w.app
        .user_set_disabled("bob@example.com", true)
        .await
        .expect("disabled");
    w.app.deliver_due().await.expect("the confirmations go out");
    let before = w.mailer.sent().len();
    for address in ["nobody@example.com", "bob@example.com"] {
        w.ask(address).await.expect("the same answer");
    }
    w.app.deliver_due().await.expect("a worker round");
    assert_eq!(
        w.mailer.sent().len(),
        before,
        "no mail to an unknown or disabled address"
    );
    w.ask(EMAIL).await.expect("the same answer");
    w.app.deliver_due().await.expect("a worker round");
    assert_eq!(w.mailer.sent().len(), before + 1, "Ann's code");

    let unknown_client = EmailCodeInput {
        client_id: Some("no-such-client".into()),
        email: Some(EMAIL.into()),
    };
    assert!(matches!(
        w.app.mail_sign_in_code_raw(unknown_client, ip()).await,
        Err(ServiceError::InvalidClient)
    ));
}

#[tokio::test]
async fn a_disabled_account_signs_in_with_no_code() {
    let (w, code) = ann_with_a_code(|_| {}).await;
    w.app.user_set_disabled(EMAIL, true).await.expect("disabled");
    assert!(matches!(
        w.sign_in(&code, "laptop").await,
        Err(ServiceError::AccountDisabled)
    ));
}

/// An `mfa_token` of Ann's that expires at the world's start plus five minutes.
async fn an_mfa_token(w: &World) -> SecretToken {
    let email = registrar_domain::Email::parse(EMAIL).expect("an address");
    let user: UserId = w.store.user_by_email(&email).await.expect("store").expect("Ann").id;
    let token = SecretToken::new("ab".repeat(32));
    let now = w.clock_now();
    let attempt = MfaAttempt {
        user,
        client: ClientId::parse(&w.client).expect("the world's client"),
        device: DeviceId::parse("laptop").expect("a device"),
        device_name: DeviceName::parse("Laptop").expect("a name"),
        first_factor: FirstFactor::EmailCode,
        purpose: MfaPurpose::SignIn,
        credential: None,
    };
    w.store
        .create_mfa_token(NewMfaToken {
            token_hash: token.hash(),
            attempt,
            created_at: now,
            expires_at: now + Duration::minutes(5),
        })
        .await
        .expect("stored");
    token
}

impl World {
    fn clock_now(&self) -> chrono::DateTime<chrono::Utc> {
        use registrar_service::Clock;
        self.clock.now()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_pass_drops_expired_mfa_tokens_sign_in_codes_and_ceremonies() {
    let w = world().await;
    w.register().await;
    w.app.deliver_due().await.expect("the confirmation goes out");
    w.mailed_code().await;
    let token = an_mfa_token(&w).await;
    let ceremony = registrar_store::NewCeremony {
        id_hash: registrar_domain::SecretHash::of("a ceremony"),
        kind: registrar_store::CeremonyKind::SignIn,
        user: None,
        state: registrar_domain::Sealed::from_stored("v1.00000000.state".into()),
        created_at: w.clock_now(),
        expires_at: w.clock_now() + registrar_service::CEREMONY_TTL,
    };
    w.store.put_ceremony(ceremony).await.expect("a ceremony stored");
    w.clock.advance(EMAIL_CODE_TTL + Duration::minutes(1));
    assert_eq!(
        w.store.mfa_token_failed(&token.hash()).await.expect("store"),
        1,
        "the expired token is still stored before the worker passes"
    );
    // A mail only the worker sends: once it arrives, the worker has passed
    // the purge it makes when it starts.
    let ann = w
        .store
        .user_by_email(&registrar_domain::Email::parse(EMAIL).unwrap())
        .await
        .unwrap()
        .unwrap();
    let marker = registrar_store::NewOutboxMail {
        id: "marker".into(),
        user_id: ann.id,
        kind: OutboxKind::PasswordChanged,
        created_at: w.clock_now(),
        detail: None,
        claimed_until: None,
    };
    w.store.enqueue_mail(marker, &[]).await.expect("queued");
    let sent = w.mailer.sent().len();
    let worker = {
        let app = w.app.clone();
        tokio::spawn(async move { app.run_outbox_worker().await })
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while w.mailer.sent().len() == sent {
        assert!(std::time::Instant::now() < deadline, "the worker never sent the marker");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    worker.abort();
    let now = w.clock_now();
    assert_eq!(
        w.store.mfa_token_failed(&token.hash()).await.expect("store"),
        0,
        "the expired mfa token is gone"
    );
    assert_eq!(
        w.store.purge_sign_in_codes(now).await.expect("store"),
        0,
        "the expired sign-in code is gone already"
    );
    assert_eq!(w.store.purge_mfa_tokens(now).await.expect("store"), 0);
    assert_eq!(
        w.store.purge_ceremonies(now).await.expect("store"),
        0,
        "the expired WebAuthn ceremony is gone already"
    );
}
