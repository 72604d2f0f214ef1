//! Confirmation codes and links, password reset and the outbox, on the
//! in-memory adapters with a hand-moved clock.
#![allow(clippy::pedantic, clippy::restriction)] // test code

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use chrono::Duration;
use registrar_domain::Language;
use registrar_mail::{Mail, MailContent, MailError, Mailer};
use registrar_memory::MemoryMailer;
use registrar_service::testing::{self, Raw};
use registrar_service::{Clock, LinkOutcome, RegisterInput, ServiceError, Settings, TokenPair};
use registrar_store::{OutboxStore, UserStore};

mod support;
use support::{ip, registration, World, PASSWORD};

const EMAIL: &str = "ann@example.com";

async fn world() -> World {
    World(service(MemoryMailer::new(), |_| {}).await)
}

/// A service over a fresh memory store and `mailer`, with a client and the
/// two required policies published; cheap hashing, 3 mail attempts.
async fn service<M: Mailer + Clone>(mailer: M, adjust: impl FnOnce(&mut Settings)) -> testing::World<M> {
    testing::World::with(mailer, |settings| {
        settings.outbox.max_attempts = 3;
        adjust(settings);
    })
    .await
}

impl World {
    /// Ann, who reads German.
    async fn register(&self) -> TokenPair {
        let input = RegisterInput {
            language: Some(Language::DE),
            ..registration(&self.client, &self.policies, EMAIL, "Ann")
        };
        self.app.register_raw(input, ip()).await.expect("registers")
    }

    /// Asks for a password reset for Ann, sends it, and answers the link's token.
    async fn reset_token(&self) -> String {
        self.forgot_password(EMAIL).await.expect("ok");
        self.app.deliver_due().await.expect("worker round");
        self.link_token()
    }

    /// Asks for a new confirmation code for `email`.
    async fn resend(&self, email: &str) -> Result<(), ServiceError> {
        self.app.resend_confirmation_raw(Some(email.into()), ip()).await
    }

    /// Confirms Ann's address with `code`.
    async fn confirm_code(&self, code: String) -> Result<(), ServiceError> {
        self.confirm_code_of(EMAIL, code).await
    }

    /// Confirms `email` with `code`.
    async fn confirm_code_of(&self, email: &str, code: String) -> Result<(), ServiceError> {
        self.app.confirm_code_raw(Some(email.into()), Some(code), ip()).await
    }

    /// Asks for a password reset for `email`.
    async fn forgot_password(&self, email: &str) -> Result<(), ServiceError> {
        self.app.forgot_password_raw(Some(email.into()), ip()).await
    }

    fn last_mail(&self) -> Mail {
        self.mailer.sent_to(EMAIL).pop().expect("a mail")
    }

    fn code(&self) -> String {
        match self.last_mail().content {
            MailContent::Confirmation { code, .. } => code.expose().to_owned(),
            other => panic!("expected a confirmation, got {other:?}"),
        }
    }

    fn link_token(&self) -> String {
        let link = match self.last_mail().content {
            MailContent::Confirmation { link, .. } | MailContent::PasswordReset { link } => link,
            MailContent::PasswordChanged { reset_link } => reset_link,
            other => panic!("no link in {other:?}"),
        };
        link.rsplit('/').next().expect("token").to_owned()
    }

    /// Read from the store: access tokens may have expired in these tests.
    async fn confirmed(&self, _pair: &TokenPair) -> bool {
        let email = registrar_domain::Email::parse(EMAIL).expect("email");
        self.store
            .user_by_email(&email)
            .await
            .expect("store")
            .expect("user")
            .email_confirmed()
    }

    async fn login(&self, password: &str) -> Result<TokenPair, ServiceError> {
        self.app.login_raw(self.login_input(EMAIL, password, "d"), ip()).await
    }
}

#[tokio::test]
async fn the_confirmation_mail_goes_out_in_the_users_language_with_a_fresh_code() {
    let w = world().await;
    w.register().await;
    let mail = w.last_mail();
    assert_eq!(mail.language, Language::DE);
    assert_eq!(mail.name.as_deref(), Some("Ann Smith"));
    assert_eq!(w.code().len(), 6);
    assert_eq!(
        w.store.outbox_backlog().await.expect("backlog"),
        0,
        "delivered at once by a local mailer"
    );
}

#[tokio::test]
async fn a_code_confirms_within_24_hours_only() {
    let w = world().await;
    let pair = w.register().await;
    let code = w.code();
    w.clock.advance(Duration::hours(24));
    assert!(matches!(w.confirm_code(code).await, Err(ServiceError::WrongCode)));
    assert!(!w.confirmed(&pair).await);
    w.resend(EMAIL).await.expect("resent");
    w.app.deliver_due().await.expect("the worker sends it");
    w.clock.advance(Duration::hours(23));
    w.confirm_code(w.code()).await.expect("a fresh code works");
    assert!(w.confirmed(&pair).await);
}

#[tokio::test]
async fn a_new_code_replaces_the_old_one_and_revives_after_too_many_tries() {
    let w = world().await;
    w.register().await;
    let old = w.code();
    for _ in 0..5 {
        let wrong = if old == "123456" { "654321" } else { "123456" };
        assert!(matches!(
            w.confirm_code(wrong.into()).await,
            Err(ServiceError::WrongCode)
        ));
    }
    assert!(matches!(
        w.confirm_code(old.clone()).await,
        Err(ServiceError::TooManyAttempts { .. })
    ));
    w.resend(EMAIL).await.expect("resent");
    w.app.deliver_due().await.expect("the worker sends it");
    let new = w.code();
    if new != old {
        assert!(matches!(w.confirm_code(old).await, Err(ServiceError::WrongCode)));
    }
    w.confirm_code(new).await.expect("the new code works");
    assert!(matches!(w.resend(EMAIL).await, Err(ServiceError::AlreadyConfirmed)));
}

#[tokio::test]
async fn resending_to_an_unknown_address_answers_the_same_and_sends_nothing() {
    let w = world().await;
    w.resend("nobody@example.com").await.expect("same answer");
    assert!(w.mailer.sent().is_empty());
    assert!(matches!(
        w.confirm_code_of("nobody@example.com", "123456".into()).await,
        Err(ServiceError::NotFound)
    ));
}

#[tokio::test]
async fn the_link_confirms_once() {
    let w = world().await;
    let pair = w.register().await;
    let token = w.link_token();
    assert_eq!(
        w.app.confirm_link(&token).await.expect("confirms"),
        LinkOutcome::Confirmed
    );
    assert!(w.confirmed(&pair).await);
    // Used once; opened again it says the address is confirmed.
    assert_eq!(
        w.app.confirm_link(&token).await.expect("answers"),
        LinkOutcome::AlreadyConfirmed
    );
    assert!(matches!(
        w.app.confirm_link(&"ab".repeat(32)).await,
        Err(ServiceError::InvalidLink)
    ));
}

#[tokio::test]
async fn a_reset_link_works_for_an_hour_once_and_signs_everyone_out() {
    let w = world().await;
    let pair = w.register().await;
    let token = w.reset_token().await;
    assert!(w.app.reset_link_valid(&token).await.expect("valid"));
    let weak = w
        .app
        .reset_password_raw(Some(token.clone()), Some("password1".into()))
        .await;
    assert!(matches!(weak, Err(ServiceError::Invalid(_))));
    w.clock.advance(Duration::minutes(59));
    w.app
        .reset_password_raw(Some(token.clone()), Some("Brand-New-Secret-9".into()))
        .await
        .expect("reset");
    assert!(matches!(
        w.app.authenticate(pair.access_token.expose()).await,
        Err(ServiceError::InvalidToken)
    ));
    assert!(matches!(w.login(PASSWORD).await, Err(ServiceError::InvalidGrant)));
    w.login("Brand-New-Secret-9").await.expect("the new password");
    assert!(matches!(
        w.app
            .reset_password_raw(Some(token), Some("Another-Secret-99".into()))
            .await,
        Err(ServiceError::InvalidLink)
    ));
    // The sign-in on "d", a device beside the registering one, was mailed too.
    let kinds: Vec<&str> = w.mailer.sent_to(EMAIL).iter().map(|m| m.content.kind()).collect();
    assert_eq!(
        kinds[kinds.len() - 2..],
        ["password_changed", "new_sign_in"],
        "{kinds:?}"
    );

    let late = w.reset_token().await;
    w.clock.advance(Duration::minutes(61));
    assert!(!w.app.reset_link_valid(&late).await.expect("answer"));
    assert!(matches!(
        w.app
            .reset_password_raw(Some(late), Some("Another-Secret-99".into()))
            .await,
        Err(ServiceError::InvalidLink)
    ));
}

#[tokio::test]
async fn forgot_password_for_an_unknown_address_queues_nothing() {
    let w = world().await;
    w.forgot_password("nobody@example.com").await.expect("same answer");
    assert_eq!(w.store.outbox_backlog().await.expect("backlog"), 0);
    assert!(matches!(
        w.forgot_password("not an email").await,
        Err(ServiceError::Invalid(_))
    ));
}

#[tokio::test]
async fn failed_deliveries_are_retried_with_backoff_then_given_up() {
    let w = world().await;
    w.mailer.fail_sends(true);
    w.register().await; // first attempt fails at once
    assert_eq!(w.store.outbox_backlog().await.expect("backlog"), 1);
    assert_eq!(
        w.app.deliver_due().await.expect("round"),
        0,
        "not due before the backoff"
    );
    w.clock.advance(Duration::seconds(30));
    assert_eq!(
        w.app.deliver_due().await.expect("round"),
        1,
        "second attempt after 30 s"
    );
    w.clock.advance(Duration::seconds(59));
    assert_eq!(w.app.deliver_due().await.expect("round"), 0, "third attempt waits 60 s");
    w.clock.advance(Duration::seconds(1));
    assert_eq!(w.app.deliver_due().await.expect("round"), 1);
    assert_eq!(
        w.store.outbox_backlog().await.expect("backlog"),
        0,
        "given up after 3 attempts"
    );
    w.mailer.fail_sends(false);
    w.clock.advance(Duration::days(1));
    assert_eq!(w.app.deliver_due().await.expect("round"), 0);
    assert!(w.mailer.sent().is_empty());
}

#[tokio::test]
async fn a_mail_that_failed_once_arrives_when_the_mailer_recovers() {
    let w = world().await;
    w.mailer.fail_sends(true);
    let pair = w.register().await;
    w.mailer.fail_sends(false);
    w.clock.advance(Duration::seconds(30));
    assert_eq!(w.app.deliver_due().await.expect("round"), 1);
    w.confirm_code(w.code()).await.expect("the delivered code works");
    assert!(w.confirmed(&pair).await);
}

/// A mailer that panics on every mail to one address (as lettre did on a
/// line feed in a name) and hands the others to a [`MemoryMailer`]. Leaves
/// delivery to the worker, as SMTP does.
#[derive(Clone)]
struct PanickyMailer {
    inner: MemoryMailer,
    victim: &'static str,
    panics: Arc<AtomicUsize>,
}

#[async_trait::async_trait]
impl Mailer for PanickyMailer {
    async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        if mail.to.normalized() == self.victim {
            self.panics.fetch_add(1, Ordering::SeqCst);
            panic!("the mailer fell over");
        }
        self.inner.send(mail).await
    }
}

async fn eventually(what: &str, done: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !done() {
        assert!(std::time::Instant::now() < deadline, "{what} never happened");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mail_that_panics_the_mailer_stops_neither_the_worker_nor_anyone_elses_mail() {
    const EVE: &str = "eve@example.com";
    let inner = MemoryMailer::new();
    let panics = Arc::new(AtomicUsize::new(0));
    let mailer = PanickyMailer {
        inner: inner.clone(),
        victim: EVE,
        panics: panics.clone(),
    };
    let testing::World {
        app,
        store,
        client,
        policies,
        clock,
        ..
    } = service(mailer, |s| {
        s.outbox.poll_interval = Duration::milliseconds(20);
    })
    .await;
    let worker = {
        let app = app.clone();
        tokio::spawn(async move { app.run_outbox_worker().await })
    };

    // Eve's mail is queued first, so the worker meets it first.
    app.register_raw(registration(&client, &policies, EVE, "Eve"), ip())
        .await
        .expect("Eve registers");
    eventually("a first attempt at Eve's mail", || panics.load(Ordering::SeqCst) == 1).await;
    app.register_raw(registration(&client, &policies, EMAIL, "Ann"), ip())
        .await
        .expect("Ann registers");
    eventually("Ann's confirmation", || inner.sent_to(EMAIL).len() == 1).await;
    app.forgot_password_raw(Some(EMAIL.into()), ip()).await.expect("asked");
    eventually("Ann's reset mail", || inner.sent_to(EMAIL).len() == 2).await;
    assert!(!worker.is_finished(), "the worker lives on");
    assert_eq!(panics.load(Ordering::SeqCst), 1, "Eve's mail waits for its retry");
    assert_eq!(
        store.outbox_backlog().await.expect("backlog"),
        1,
        "only Eve's mail is left"
    );

    // Each panic is a failed attempt: retried with backoff, then given up.
    clock.advance(Duration::seconds(30));
    app.forgot_password_raw(Some(EMAIL.into()), ip()).await.expect("asked");
    eventually("a second attempt", || panics.load(Ordering::SeqCst) == 2).await;
    eventually("Ann's second reset mail", || inner.sent_to(EMAIL).len() == 3).await;
    clock.advance(Duration::seconds(60));
    app.forgot_password_raw(Some(EMAIL.into()), ip()).await.expect("asked");
    eventually("a third attempt", || panics.load(Ordering::SeqCst) == 3).await;
    eventually("Ann's third reset mail", || inner.sent_to(EMAIL).len() == 4).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while store.outbox_backlog().await.expect("backlog") > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "Eve's mail is given up after 3 attempts"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    clock.advance(Duration::days(1));
    app.forgot_password_raw(Some(EMAIL.into()), ip()).await.expect("asked");
    eventually("Ann's fourth reset mail", || inner.sent_to(EMAIL).len() == 5).await;
    assert_eq!(panics.load(Ordering::SeqCst), 3, "never tried again");
    assert!(!worker.is_finished(), "the worker lives on");
    worker.abort();
}

#[tokio::test]
async fn a_mail_whose_deliveries_never_finish_is_given_up_instead_of_tried_again() {
    let w = world().await;
    w.register().await;
    assert_eq!(w.mailer.sent_to(EMAIL).len(), 1, "the confirmation");
    w.forgot_password(EMAIL).await.expect("queued");

    // Three workers claim the reset mail and die while sending it (it kills
    // them): nobody reports back, each claim's lease (60 s) runs out.
    for _ in 0..3 {
        let claimed = w
            .store
            .claim_mail(w.clock.now(), w.clock.now() + Duration::seconds(60), 10)
            .await
            .expect("claim");
        assert_eq!(claimed.len(), 1, "the reset mail is due again");
        w.clock.advance(Duration::seconds(61));
    }
    assert_eq!(w.app.deliver_due().await.expect("round"), 1, "claimed once more");
    assert_eq!(w.mailer.sent_to(EMAIL).len(), 1, "but not sent a fourth time");
    assert_eq!(w.store.outbox_backlog().await.expect("backlog"), 0, "given up");
    w.clock.advance(Duration::days(1));
    assert_eq!(w.app.deliver_due().await.expect("round"), 0, "for good");
}
