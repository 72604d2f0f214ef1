//! Every use case on the in-memory adapters, with a clock moved by hand.
#![allow(clippy::pedantic, clippy::restriction)] // test code

use chrono::Duration;
use registrar_domain::{Language, PolicyType, TotpSecret};
use registrar_mail::MailContent;
use registrar_memory::MemoryMailer;
use registrar_service::testing::{self, Raw};
use registrar_service::{
    seed_email, seed_mfa_token, seed_totp_secret, AuthContext, ChangePasswordInput, ClientRef, Field, FieldError,
    MfaGrant, Patch, ProfilePatch, RegisterInput, SecondFactor, SeedExtras, ServiceError, Settings, TokenPair,
};
use registrar_store::{NewPolicyRevision, UserStore};

mod support;
use support::{ip, registration, World, PASSWORD};

fn revision(t: &str) -> NewPolicyRevision {
    testing::policy_revision(t)
}

/// At most 3 sessions per client, so that the cap is reached quickly.
async fn world_with(adjust: impl FnOnce(&mut Settings)) -> World {
    World(
        testing::World::with(MemoryMailer::new(), |s| {
            s.max_sessions_per_client = 3;
            adjust(s);
        })
        .await,
    )
}

async fn world() -> World {
    world_with(|_| {}).await
}

impl World {
    /// Ann's registration of `email` from the device "device-1", in Dutch.
    fn registration(&self, email: &str) -> RegisterInput {
        RegisterInput {
            device_id: Some("device-1".into()),
            language: Some(Language::NL),
            ..registration(&self.client, &self.policies, email, "Ann")
        }
    }

    async fn register(&self, email: &str) -> TokenPair {
        self.app
            .register_raw(self.registration(email), ip())
            .await
            .expect("registers")
    }

    async fn login(&self, email: &str, device: &str) -> TokenPair {
        self.app
            .login_raw(self.login_input(email, PASSWORD, device), ip())
            .await
            .expect("logs in")
    }

    async fn auth(&self, pair: &TokenPair) -> Result<AuthContext, ServiceError> {
        self.app.authenticate(pair.access_token.expose()).await
    }

    async fn refresh(&self, pair: &TokenPair) -> Result<TokenPair, ServiceError> {
        self.app
            .refresh(Some(pair.refresh_token.expose().to_owned()), None)
            .await
    }

    /// Refreshes `pair`, which must work (`why` says why it must), and checks
    /// that the fresh access token does.
    async fn refresh_works(&self, pair: &TokenPair, why: &str) {
        let fresh = self.refresh(pair).await.expect(why);
        assert!(self.auth(&fresh).await.is_ok(), "{why}: the fresh access token works");
    }

    /// The access token of `pair` is refused as invalid.
    async fn access_refused(&self, pair: &TokenPair) -> bool {
        matches!(self.auth(pair).await, Err(ServiceError::InvalidToken))
    }

    /// The refresh token of `pair` is refused as an invalid grant.
    async fn refresh_refused(&self, pair: &TokenPair) -> bool {
        matches!(self.refresh(pair).await, Err(ServiceError::InvalidGrant))
    }
}

fn field_errors(result: Result<impl std::fmt::Debug, ServiceError>) -> Vec<(Field, Vec<FieldError>)> {
    match result {
        Err(ServiceError::Invalid(errors)) => errors.iter().map(|(f, e)| (*f, e.clone())).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

// --- registration

#[tokio::test]
async fn registration_stores_an_argon2id_hash_with_the_configured_parameters_and_mails_a_code() {
    let w = world().await;
    let pair = w.register("Ann@Example.com").await;
    let ctx = w.auth(&pair).await.expect("the first session works");
    assert_eq!(ctx.user.email.as_str(), "Ann@Example.com");
    assert_eq!(ctx.user.language, Language::NL);
    let user = w.store.user_by_id(&ctx.user.id).await.expect("store").expect("user");
    let hash = &user.password_hash.expect("a hash").0;
    assert!(hash.starts_with("$argon2id$v=19$m=256,t=1,p=1$"), "{hash}");
    assert!(!hash.contains(PASSWORD));

    let mails = w.mailer.sent_to("ann@example.com");
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].language, Language::NL);
    match &mails[0].content {
        MailContent::Confirmation { code, link } => {
            assert_eq!(code.expose().len(), 6);
            assert!(code.expose().bytes().all(|b| b.is_ascii_digit()));
            assert!(link.starts_with("http://127.0.0.1:8080/confirm/"), "{link}");
            assert!(link.len() > "http://127.0.0.1:8080/confirm/".len() + 32);
        }
        other => panic!("expected a confirmation, got {other:?}"),
    }
}

#[tokio::test]
async fn registration_reports_every_bad_field_at_once_and_creates_nothing() {
    let w = world().await;
    let input = RegisterInput {
        client_id: Some(w.client.clone()),
        email: Some("nope".into()),
        password: Some("short".into()),
        telephone: Some("12".into()),
        policies: Some(vec![Some(9999), None]),
        tin_nr: Some("x".repeat(65)),
        ..Default::default()
    };
    let errors = field_errors(w.app.register_raw(input, ip()).await);
    let fields: Vec<Field> = errors.iter().map(|(f, _)| *f).collect();
    for f in [
        Field::DeviceId,
        Field::DeviceName,
        Field::Email,
        Field::Password,
        Field::FirstName,
        Field::LastName,
        Field::Telephone,
        Field::TinNr,
        Field::Policies,
    ] {
        assert!(fields.contains(&f), "{f:?} in {errors:?}");
    }
    let policies = &errors.iter().find(|(f, _)| *f == Field::Policies).expect("policies").1;
    assert!(policies.contains(&FieldError::UnknownPolicy(9999)));
    assert!(policies.contains(&FieldError::InvalidPolicyId));
    assert!(w.mailer.sent().is_empty());
}

#[tokio::test]
async fn registration_needs_a_known_client_and_refuses_a_taken_address() {
    let w = world().await;
    let mut input = w.registration("a@example.com");
    input.client_id = Some("unknown".into());
    assert!(matches!(
        w.app.register_raw(input, ip()).await,
        Err(ServiceError::InvalidClient)
    ));
    w.register("a@example.com").await;
    let errors = field_errors(w.app.register_raw(w.registration("A@EXAMPLE.COM"), ip()).await);
    assert_eq!(errors, vec![(Field::Email, vec![FieldError::EmailTaken])]);
    assert_eq!(w.mailer.sent().len(), 1);
}

#[tokio::test]
async fn registration_requires_current_required_revisions_only() {
    let w = world().await;
    let newer = w.app.publish_policy(revision("tac")).await.expect("publish");
    // The old tac revision is no longer enough.
    let errors = field_errors(w.app.register_raw(w.registration("a@example.com"), ip()).await);
    assert_eq!(
        errors,
        vec![(
            Field::Policies,
            vec![FieldError::PolicyRequired(PolicyType::parse("tac").expect("t"))]
        )]
    );
    let mut input = w.registration("a@example.com");
    input.policies = Some(vec![Some(newer.id.0), Some(w.policies[1]), Some(w.policies[1])]);
    w.app
        .register_raw(input, ip())
        .await
        .expect("the current revisions suffice; duplicates are ignored");
    // An optional type never blocks.
    w.app.publish_policy(revision("cookie")).await.expect("publish");
    let mut input = w.registration("b@example.com");
    input.policies = Some(vec![Some(newer.id.0), Some(w.policies[1])]);
    w.app.register_raw(input, ip()).await.expect("cookie is not required");
}

#[tokio::test]
async fn a_required_type_with_no_published_revision_does_not_block_registration() {
    let w = world_with(|s| s.required_policy_types.push(PolicyType::parse("shop").expect("t"))).await;
    w.register("a@example.com").await;
}

#[tokio::test]
async fn a_mail_that_cannot_be_sent_does_not_fail_the_registration() {
    let w = world().await;
    w.mailer.fail_sends(true);
    let pair = w.register("a@example.com").await;
    assert!(w.auth(&pair).await.is_ok());
}

#[tokio::test]
async fn twenty_concurrent_registrations_of_one_address_make_one_account() {
    let w = world().await;
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let app = w.app.clone();
            let mut input = w.registration(if i % 2 == 0 {
                "race@example.com"
            } else {
                "RACE@example.com"
            });
            input.device_id = Some(format!("d{i}"));
            tokio::spawn(async move { app.register_raw(input, ip()).await })
        })
        .collect();
    let mut ok = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(_) => ok += 1,
            Err(ServiceError::Invalid(e)) => assert!(e.has(Field::Email)),
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(w.mailer.sent().len(), 1);
}

// --- login

#[tokio::test]
async fn login_answers_the_same_for_unknown_users_wrong_and_missing_passwords() {
    let w = world().await;
    w.register("a@example.com").await;
    for (email, password) in [
        ("a@example.com", "Wrong-Password-9"),
        ("b@example.com", PASSWORD),
        ("not an email", PASSWORD),
    ] {
        let result = w.app.login_raw(w.login_input(email, password, "d"), ip()).await;
        assert!(matches!(result, Err(ServiceError::InvalidGrant)), "{email}: {result:?}");
    }
    let mut input = w.login_input("a@example.com", PASSWORD, "d");
    input.password = None;
    assert_eq!(
        field_errors(w.app.login_raw(input, ip()).await),
        vec![(Field::Password, vec![FieldError::Required])]
    );
    let mut input = w.login_input("a@example.com", PASSWORD, "d");
    input.client_id = Some("nope".into());
    assert!(matches!(
        w.app.login_raw(input, ip()).await,
        Err(ServiceError::InvalidClient)
    ));
}

#[tokio::test]
async fn unconfirmed_accounts_are_refused_only_when_configured_and_only_after_the_password_checks_out() {
    let w = world_with(|s| s.require_confirmed_email = true).await;
    w.register("a@example.com").await;
    let wrong = w
        .app
        .login_raw(w.login_input("a@example.com", "Wrong-Password-9", "d"), ip())
        .await;
    assert!(matches!(wrong, Err(ServiceError::InvalidGrant)));
    let right = w
        .app
        .login_raw(w.login_input("a@example.com", PASSWORD, "d"), ip())
        .await;
    assert!(matches!(right, Err(ServiceError::EmailNotConfirmed)), "{right:?}");

    let lax = world().await;
    lax.register("a@example.com").await;
    lax.login("a@example.com", "d").await;
}

// --- tokens

#[tokio::test]
async fn access_tokens_expire_after_their_ttl_and_refresh_still_works() {
    let w = world().await;
    let pair = w.register("a@example.com").await;
    assert_eq!(pair.expires_in, 3600);
    w.clock.advance(Duration::seconds(3599));
    assert!(w.auth(&pair).await.is_ok());
    w.clock.advance(Duration::seconds(1));
    assert!(w.access_refused(&pair).await);
    w.refresh_works(&pair, "refresh").await;
}

#[tokio::test]
async fn refresh_rotates_and_reuse_within_ten_seconds_is_only_refused() {
    let w = world().await;
    let first = w.register("a@example.com").await;
    let second = w.refresh(&first).await.expect("rotates");
    assert_ne!(first.refresh_token, second.refresh_token);
    assert!(w.access_refused(&first).await);
    w.clock.advance(Duration::seconds(9));
    assert!(w.refresh_refused(&first).await);
    assert!(w.auth(&second).await.is_ok(), "the session lives on");
    w.refresh_works(&second, "the winner's token still rotates").await;
}

#[tokio::test]
async fn reuse_after_the_grace_period_revokes_the_whole_session() {
    let w = world().await;
    let first = w.register("a@example.com").await;
    let other_device = w.login("a@example.com", "laptop").await;
    let second = w.refresh(&first).await.expect("rotates");
    w.clock.advance(Duration::seconds(11));
    assert!(w.refresh_refused(&first).await);
    assert!(w.access_refused(&second).await, "theft detected: session revoked");
    assert!(w.refresh_refused(&second).await);
    assert!(w.auth(&other_device).await.is_ok(), "other sessions are untouched");
}

#[tokio::test]
async fn refresh_tokens_die_after_the_idle_ttl() {
    let w = world_with(|s| s.refresh_token_idle_ttl = Duration::days(2)).await;
    let pair = w.register("a@example.com").await;
    w.clock.advance(Duration::days(1));
    let pair = w.refresh(&pair).await.expect("used within the idle ttl");
    w.clock.advance(Duration::days(2));
    assert!(w.refresh_refused(&pair).await);
}

#[tokio::test]
async fn refresh_checks_the_client_when_given_and_garbage_is_refused() {
    let w = world().await;
    let pair = w.register("a@example.com").await;
    let other = w.app.add_client("Other").await.expect("client");
    let mismatch = w
        .app
        .refresh(
            Some(pair.refresh_token.expose().into()),
            Some(ClientRef::of(other.id.as_str())),
        )
        .await;
    assert!(matches!(mismatch, Err(ServiceError::InvalidGrant)));
    let unknown = w
        .app
        .refresh(Some(pair.refresh_token.expose().into()), Some(ClientRef::of("nope")))
        .await;
    assert!(matches!(unknown, Err(ServiceError::InvalidClient)));
    assert!(matches!(
        w.app.refresh(Some("zz".into()), None).await,
        Err(ServiceError::InvalidGrant)
    ));
    assert!(matches!(w.app.refresh(None, None).await, Err(ServiceError::Invalid(_))));
    w.app
        .refresh(Some(pair.refresh_token.expose().into()), Some(ClientRef::of(&w.client)))
        .await
        .expect("same client");
}

#[tokio::test]
async fn a_new_pair_for_the_same_device_revokes_the_old_one() {
    let w = world().await;
    w.register("a@example.com").await;
    let first = w.login("a@example.com", "phone").await;
    let second = w.login("a@example.com", "phone").await;
    assert!(w.access_refused(&first).await);
    assert!(w.refresh_refused(&first).await);
    assert!(w.auth(&second).await.is_ok());
}

#[tokio::test]
async fn the_least_recently_used_session_is_evicted_beyond_the_cap() {
    let w = world().await; // cap 3
    let registered = w.register("a@example.com").await; // device-1
    w.clock.advance(Duration::minutes(1));
    let d2 = w.login("a@example.com", "d2").await;
    w.clock.advance(Duration::minutes(1));
    let d3 = w.login("a@example.com", "d3").await;
    w.clock.advance(Duration::minutes(2));
    // Using device-1 makes d2 the least recently used.
    w.auth(&registered).await.expect("used");
    w.app.flush_touches().await.expect("the background task writes the use");
    w.clock.advance(Duration::minutes(1));
    let d4 = w.login("a@example.com", "d4").await;
    assert!(w.access_refused(&d2).await, "d2 evicted");
    for pair in [&registered, &d3, &d4] {
        assert!(w.auth(pair).await.is_ok());
    }
    // Another client's sessions do not count.
    let other = w.app.add_client("Other").await.expect("client");
    let mut input = w.login_input("a@example.com", PASSWORD, "d5");
    input.client_id = Some(other.id.to_string());
    w.app.login_raw(input, ip()).await.expect("other client");
    assert!(w.auth(&registered).await.is_ok());
}

// --- password change

fn change(w: &World, password: &str, new_password: &str, device: &str) -> ChangePasswordInput {
    ChangePasswordInput {
        login: w.login_input("a@example.com", password, device),
        new_password: Some(new_password.into()),
    }
}

#[tokio::test]
async fn a_password_change_revokes_every_other_session_and_answers_a_fresh_pair() {
    let w = world().await;
    let registered = w.register("a@example.com").await;
    let laptop = w.login("a@example.com", "laptop").await;
    let fresh = w
        .app
        .change_password_raw(change(&w, PASSWORD, "Another-Secret-77", "device-1"), ip())
        .await
        .expect("changed");
    assert!(w.auth(&fresh).await.is_ok());
    for old in [&registered, &laptop] {
        assert!(w.access_refused(old).await);
        assert!(w.refresh_refused(old).await);
    }
    assert!(matches!(
        w.app
            .login_raw(w.login_input("a@example.com", PASSWORD, "x"), ip())
            .await,
        Err(ServiceError::InvalidGrant)
    ));
    w.app
        .login_raw(w.login_input("a@example.com", "Another-Secret-77", "x"), ip())
        .await
        .expect("new password");
}

#[tokio::test]
async fn a_password_change_checks_the_current_password_and_the_rules() {
    let w = world().await;
    let pair = w.register("a@example.com").await;
    let wrong = w
        .app
        .change_password_raw(change(&w, "Wrong-Password-9", "Another-Secret-77", "d"), ip())
        .await;
    assert!(matches!(wrong, Err(ServiceError::InvalidGrant)));
    assert_eq!(
        field_errors(
            w.app
                .change_password_raw(change(&w, PASSWORD, PASSWORD, "d"), ip())
                .await
        ),
        vec![(Field::NewPassword, vec![FieldError::PasswordUnchanged])]
    );
    assert_eq!(
        field_errors(
            w.app
                .change_password_raw(change(&w, PASSWORD, "qwertyuiop", "d"), ip())
                .await
        ),
        vec![(
            Field::NewPassword,
            vec![FieldError::Password(registrar_domain::PasswordError::TooCommon)]
        )]
    );
    assert!(w.auth(&pair).await.is_ok(), "nothing changed");
}

// --- account

#[tokio::test]
async fn logout_and_device_revocation_end_only_their_sessions() {
    let w = world().await;
    let phone = w.register("a@example.com").await;
    let laptop = w.login("a@example.com", "laptop").await;
    let tablet = w.login("a@example.com", "tablet").await;
    let ctx = w.auth(&phone).await.expect("auth");
    let sessions = w.app.sessions(&ctx).await.expect("sessions");
    assert_eq!(sessions.len(), 3);
    assert_eq!(sessions.iter().filter(|s| s.current).count(), 1);
    assert!(sessions
        .iter()
        .any(|s| s.current && s.session.device_id.as_str() == "device-1"));

    w.app.revoke_device(&ctx, "laptop").await.expect("revoked");
    assert!(w.access_refused(&laptop).await);
    assert!(matches!(
        w.app.revoke_device(&ctx, "laptop").await,
        Err(ServiceError::NotFound)
    ));
    w.app.logout(&ctx).await.expect("logout");
    assert!(w.access_refused(&phone).await);
    assert!(w.auth(&tablet).await.is_ok());
}

#[tokio::test]
async fn profile_updates_follow_the_registration_rules() {
    let w = world().await;
    let pair = w.register("a@example.com").await;
    let ctx = w.auth(&pair).await.expect("auth");
    let patch = ProfilePatch {
        insertion: Patch::Set("van".into()),
        tin_nr: Patch::Set("NL123".into()),
        telephone: Patch::Clear,
        ..Default::default()
    };
    let view = w.app.update_profile_raw(&ctx, patch).await.expect("updated");
    assert_eq!(view.user.profile.display_name().as_deref(), Some("Ann van Smith"));
    assert_eq!(view.user.profile.tin_nr.as_deref(), Some("NL123"));
    assert_eq!(view.user.profile.telephone, None);
    let bad = ProfilePatch {
        firstname: Patch::Clear,
        telephone: Patch::Set("0475".into()),
        ..Default::default()
    };
    let errors = field_errors(w.app.update_profile_raw(&ctx, bad).await);
    assert_eq!(errors.len(), 2);
    let again = w.auth(&pair).await.expect("auth");
    assert_eq!(again.user.profile.firstname.as_deref(), Some("Ann"));
}

#[tokio::test]
async fn policies_pending_after_a_new_revision_until_accepted() {
    let w = world().await;
    let pair = w.register("a@example.com").await;
    let ctx = w.auth(&pair).await.expect("auth");
    assert!(w
        .app
        .profile(ctx.user.clone())
        .await
        .expect("profile")
        .pending_policies
        .is_empty());
    let newer = w.app.publish_policy(revision("privacy")).await.expect("publish");
    assert_eq!(
        w.app.profile(ctx.user.clone()).await.expect("profile").pending_policies,
        vec![newer.id]
    );
    let errors = field_errors(w.app.accept_policies(&ctx, Some(vec![Some(123_456)]), None).await);
    assert_eq!(
        errors,
        vec![(Field::Policies, vec![FieldError::UnknownPolicy(123_456)])]
    );
    let acceptance = w
        .app
        .accept_policies(&ctx, Some(vec![Some(newer.id.0), Some(newer.id.0)]), None)
        .await
        .expect("accepted");
    assert!(acceptance.pending.is_empty());
    assert!(acceptance.accepted.contains(&newer.id));
    assert!(matches!(
        w.app.current_policy("nope").await,
        Err(ServiceError::NotFound)
    ));
    assert_eq!(
        w.app.current_policy("privacy").await.expect("current").revision.id,
        newer.id
    );
}

#[tokio::test]
async fn deleting_the_account_needs_the_password_and_erases_it() {
    let w = world().await;
    let pair = w.register("a@example.com").await;
    let ctx = w.auth(&pair).await.expect("auth");
    assert_eq!(
        field_errors(
            w.app
                .delete_account_raw(&ctx, Some("Wrong-Password-9".into()), ip())
                .await
        ),
        vec![(Field::Password, vec![FieldError::PasswordIncorrect])]
    );
    assert_eq!(
        field_errors(w.app.delete_account_raw(&ctx, None, ip()).await),
        vec![(Field::Password, vec![FieldError::Required])]
    );
    w.app
        .delete_account_raw(&ctx, Some(PASSWORD.into()), ip())
        .await
        .expect("deleted");
    assert!(w.access_refused(&pair).await);
    w.register("a@example.com").await;
}

#[tokio::test]
async fn clients_can_be_added_and_removed_but_not_the_built_in_one() {
    let w = world().await;
    let client = w.app.add_client("Shop").await.expect("client");
    assert_eq!(client.id.as_str().len(), 80);
    assert!(w.app.clients().await.expect("list").iter().any(|c| c.id == client.id));
    w.app.remove_client(client.id.as_str()).await.expect("removed");
    assert!(matches!(
        w.app.remove_client(client.id.as_str()).await,
        Err(ServiceError::NotFound)
    ));
    assert!(w.app.remove_client("web").await.is_err());
}

// ---------------------------------------------------------------------------
// Throttling (defaults: 5 failed logins per account in 15 minutes, then 15
// minutes locked, doubling; limits per client IP)
// ---------------------------------------------------------------------------

fn from(last: u8) -> registrar_domain::ClientIp {
    registrar_domain::ClientIp::new([192, 0, 2, last].into())
}

async fn try_login(
    w: &World,
    email: &str,
    password: &str,
    at: registrar_domain::ClientIp,
) -> Result<TokenPair, ServiceError> {
    w.app.login_raw(w.login_input(email, password, "d"), at).await
}

/// `times` logins with a wrong password, whatever they answer.
async fn fail_logins(w: &World, email: &str, times: usize, at: registrar_domain::ClientIp) {
    for _ in 0..times {
        let _ = try_login(w, email, "Wrong-Password-9", at).await;
    }
}

/// How long a login with `password` from `at` must wait: it is refused as
/// too many attempts.
async fn locked_for(w: &World, email: &str, password: &str, at: registrar_domain::ClientIp) -> u64 {
    retry_after(try_login(w, email, password, at).await)
}

/// Logs in with the right password from `at`, which must work (`why` says
/// why it must).
async fn logs_in(w: &World, email: &str, at: registrar_domain::ClientIp, why: &str) {
    try_login(w, email, PASSWORD, at).await.expect(why);
}

/// Once `wait` has passed, logs a@example.com in with the right password
/// from `at`, which must work (`why` says why it must).
async fn logs_in_after(w: &World, wait: Duration, at: registrar_domain::ClientIp, why: &str) {
    w.clock.advance(wait);
    logs_in(w, "a@example.com", at, why).await;
}

fn retry_after(result: Result<impl std::fmt::Debug, ServiceError>) -> u64 {
    match result {
        Err(ServiceError::TooManyAttempts { retry_after }) => retry_after,
        other => panic!("expected TooManyAttempts, got {other:?}"),
    }
}

#[tokio::test]
async fn five_failed_logins_lock_the_account_for_a_growing_period_even_for_the_right_password() {
    let w = world().await;
    w.register("a@example.com").await;
    for i in 0..5u8 {
        // From five addresses: the lock is the account's, not an address's.
        let wrong = try_login(&w, "A@example.com", "Wrong-Password-9", from(i)).await;
        assert!(
            matches!(wrong, Err(ServiceError::InvalidGrant)),
            "failure {i}: {wrong:?}"
        );
    }
    assert_eq!(locked_for(&w, "a@example.com", PASSWORD, from(9)).await, 900);
    w.clock.advance(Duration::minutes(10));
    assert_eq!(locked_for(&w, "a@example.com", PASSWORD, from(9)).await, 300);
    w.clock.advance(Duration::minutes(5));
    fail_logins(&w, "a@example.com", 5, from(1)).await;
    assert_eq!(
        locked_for(&w, "a@example.com", PASSWORD, from(1)).await,
        1800,
        "the second lockout is twice as long"
    );
    logs_in_after(&w, Duration::minutes(30), from(1), "the right password after the lock").await;
}

#[tokio::test]
async fn an_unknown_address_is_locked_out_like_a_known_one() {
    let w = world().await;
    w.register("a@example.com").await;
    fail_logins(&w, "a@example.com", 5, from(1)).await;
    fail_logins(&w, "nobody@example.com", 5, from(2)).await;
    let known = locked_for(&w, "a@example.com", "Wrong-Password-9", from(3)).await;
    let unknown = locked_for(&w, "nobody@example.com", "Wrong-Password-9", from(3)).await;
    assert_eq!(known, unknown, "a lockout tells nothing about the address");
}

#[tokio::test]
async fn a_successful_login_starts_the_accounts_count_again() {
    let w = world().await;
    w.register("a@example.com").await;
    fail_logins(&w, "a@example.com", 4, ip()).await;
    logs_in(&w, "a@example.com", ip(), "right password").await;
    fail_logins(&w, "a@example.com", 4, ip()).await;
    logs_in(
        &w,
        "a@example.com",
        ip(),
        "four failures since the last success do not lock",
    )
    .await;
}

#[tokio::test]
async fn failed_logins_from_one_address_are_limited_across_accounts() {
    let w = world_with(|s| s.throttle.login_ip.max = 3).await;
    w.register("a@example.com").await;
    for name in ["b", "c", "d"] {
        let _ = try_login(&w, &format!("{name}@example.com"), "Wrong-Password-9", from(7)).await;
    }
    assert_eq!(
        locked_for(&w, "a@example.com", PASSWORD, from(7)).await,
        900,
        "the address is locked until its window ends, whatever account it tries"
    );
    logs_in(&w, "a@example.com", from(8), "another address is not").await;
    logs_in_after(&w, Duration::minutes(15), from(7), "after the window").await;
}

#[tokio::test]
async fn a_locked_account_cannot_change_its_password_either() {
    let w = world().await;
    w.register("a@example.com").await;
    let change_password = |password| {
        w.app
            .change_password_raw(change(&w, password, "Another-Secret-77", "device-1"), ip())
    };
    for _ in 0..5 {
        let _ = change_password("Wrong-Password-9").await;
    }
    assert_eq!(retry_after(change_password(PASSWORD).await), 900);
}

#[tokio::test]
async fn registrations_per_address_are_limited_per_window() {
    let w = world_with(|s| s.throttle.register_ip.max = 2).await;
    w.app
        .register_raw(w.registration("a@example.com"), from(1))
        .await
        .expect("first");
    // A failed attempt counts too (it may be probing which addresses exist).
    let taken = w.app.register_raw(w.registration("a@example.com"), from(1)).await;
    assert!(matches!(taken, Err(ServiceError::Invalid(_))), "{taken:?}");
    assert_eq!(
        retry_after(w.app.register_raw(w.registration("b@example.com"), from(1)).await),
        3600
    );
    let b = registrar_domain::Email::parse("b@example.com").expect("email");
    assert!(
        w.store.user_by_email(&b).await.expect("lookup").is_none(),
        "the refused registration made nothing"
    );
    w.app
        .register_raw(w.registration("b@example.com"), from(2))
        .await
        .expect("another address");
    w.clock.advance(Duration::hours(1));
    w.app
        .register_raw(w.registration("c@example.com"), from(1))
        .await
        .expect("the next window");
}

#[tokio::test]
async fn mails_per_address_are_limited_the_same_for_known_and_unknown_addresses() {
    let w = world_with(|s| s.throttle.mail_address.max = 2).await;
    w.register("a@example.com").await;
    for email in ["a@example.com", "nobody@example.com"] {
        w.app
            .forgot_password_raw(Some(email.into()), from(1))
            .await
            .expect("first");
        w.app
            .resend_confirmation_raw(Some(email.into()), from(2))
            .await
            .expect("second");
        assert_eq!(
            retry_after(w.app.forgot_password_raw(Some(email.into()), from(3)).await),
            3600,
            "{email}"
        );
    }
    w.app.deliver_due().await.expect("deliver");
    let resets = w
        .mailer
        .sent_to("a@example.com")
        .into_iter()
        .filter(|m| m.content.kind() == "password_reset")
        .count();
    assert_eq!(resets, 1, "the refused request sent nothing");
    w.app
        .forgot_password_raw(Some("other@example.com".into()), from(3))
        .await
        .expect("another address is not limited");
}

#[tokio::test]
async fn a_policy_list_is_bounded_and_each_problem_reported_once() {
    let w = world().await;
    let mut input = w.registration("a@example.com");
    input.policies = Some(vec![Some(9999); 101]);
    assert_eq!(
        field_errors(w.app.register_raw(input, ip()).await),
        vec![(Field::Policies, vec![FieldError::TooManyItems { max: 100 }])]
    );
    let mut input = w.registration("a@example.com");
    let mut list: Vec<Option<i32>> = w.policies.iter().map(|p| Some(*p)).collect();
    list.extend(std::iter::repeat_n(Some(9999), 98));
    input.policies = Some(list);
    assert_eq!(
        field_errors(w.app.register_raw(input, ip()).await),
        vec![(Field::Policies, vec![FieldError::UnknownPolicy(9999)])],
        "98 copies of one unknown id are one error"
    );
}

#[tokio::test]
async fn seeded_users_log_in_and_their_computed_tokens_work() {
    let w = world().await;
    assert_eq!(w.app.seed_users(10, 3, &w.client, PASSWORD).await.expect("seed"), 3);
    let (access, _) = registrar_service::seed_tokens(11);
    let ctx = w
        .app
        .authenticate(&access)
        .await
        .expect("the computed access token works");
    assert_eq!(ctx.user.email.as_str(), registrar_service::seed_email(11));
    assert!(ctx.user.email_confirmed());
    w.login(&registrar_service::seed_email(12), "laptop").await;
    assert!(
        matches!(
            w.app.seed_users(12, 1, &w.client, PASSWORD).await,
            Err(ServiceError::Invalid(_))
        ),
        "seeding an index twice is refused"
    );
}

/// `registrar seed --totp`: each user has an authenticator app and a
/// sign-in waiting for its code, as the benchmark's `mfa` scenario uses them.
#[tokio::test]
async fn users_seeded_with_an_app_complete_their_waiting_sign_in_with_its_code() {
    let w = world().await;
    let extras = SeedExtras { totp: true };
    assert_eq!(
        w.app
            .seed_users_with(20, 2, &w.client, PASSWORD, extras)
            .await
            .expect("seed"),
        2
    );
    let now = || registrar_service::Clock::now(&*w.clock).timestamp().unsigned_abs();
    let code = |i| TotpSecret::new(seed_totp_secret(i)).code_at(now());
    let grant = |i, code| MfaGrant {
        mfa_token: seed_mfa_token(i),
        factor: SecondFactor::Totp(code),
        client: None,
    };
    let pair = w
        .app
        .login_mfa(grant(20, code(20)), ip())
        .await
        .expect("the waiting sign-in completes");
    let ctx = w
        .app
        .authenticate(pair.access_token.expose())
        .await
        .expect("its access token works");
    assert_eq!(ctx.user.email.as_str(), seed_email(20));
    assert!(
        matches!(
            w.app.login_mfa(grant(20, code(20)), ip()).await,
            Err(ServiceError::InvalidGrant)
        ),
        "the token and the step are used"
    );
    // The secrets differ: user 20's code is not user 21's (one in a million
    // they coincide; then the step is the other's and the test says so).
    if code(20) != code(21) {
        assert!(matches!(
            w.app.login_mfa(grant(21, code(20)), ip()).await,
            Err(ServiceError::InvalidGrant)
        ));
    }
    // A password login asks for the app now.
    let login = w
        .app
        .login_raw(w.login_input(&seed_email(21), PASSWORD, "laptop"), ip())
        .await;
    assert!(matches!(login, Err(ServiceError::MfaRequired(_))), "{login:?}");
    // The seeded token lives as long as any.
    w.clock.advance(registrar_service::MFA_TOKEN_TTL);
    assert!(matches!(
        w.app.login_mfa(grant(21, code(21)), ip()).await,
        Err(ServiceError::InvalidGrant)
    ));
}

#[tokio::test]
async fn a_use_noted_by_a_token_check_is_written_by_the_flush_and_saves_the_session_from_eviction() {
    let w = world().await; // at most 3 sessions per client
    let first = w.register("a@example.com").await;
    w.clock.advance(Duration::seconds(1));
    let second = w.login("a@example.com", "d2").await;
    w.clock.advance(Duration::seconds(1));
    w.login("a@example.com", "d3").await;
    w.clock.advance(Duration::minutes(2));
    w.auth(&first).await.expect("the first session is used");
    w.auth(&first).await.expect("twice");
    assert_eq!(
        w.app.flush_touches().await.expect("flush"),
        1,
        "one session, noted once"
    );
    assert_eq!(w.app.flush_touches().await.expect("flush"), 0, "nothing left");
    w.login("a@example.com", "d4").await;
    assert!(w.auth(&first).await.is_ok(), "the recently used first session stays");
    assert!(w.access_refused(&second).await, "the least recently used one goes");
}

#[tokio::test]
async fn a_session_used_a_second_ago_is_not_evicted_as_the_least_recently_used() {
    let w = world_with(|s| s.max_sessions_per_client = 2).await;
    let a = w.register("a@example.com").await;
    w.clock.advance(Duration::seconds(1));
    let b = w.login("a@example.com", "d2").await;
    w.clock.advance(Duration::seconds(5));
    // A is used a second before C logs in; no flush has run in between.
    w.auth(&a).await.expect("A is used");
    w.clock.advance(Duration::seconds(1));
    let c = w.login("a@example.com", "d3").await;
    assert!(w.access_refused(&b).await, "B, used longest ago, is evicted");
    assert!(w.auth(&a).await.is_ok(), "A, used a second ago, stays");
    assert!(w.auth(&c).await.is_ok(), "C is the new session");
}

/// Issue 11, item 9, in depth: an email-first account waiting for consent
/// gets no session even with a reset link minted for it (say, mailed before
/// an upgrade) or a password stored by other means; its signup link still
/// completes it.
#[tokio::test]
async fn an_account_waiting_for_consent_gets_no_session_but_through_its_signup() {
    use registrar_domain::{ConfirmationPurpose, Email, SecretToken};
    use registrar_service::Clock;
    use registrar_store::{ConfirmationStore, NewConfirmation};

    let w = world().await;
    let email = "newcomer@example.com";
    w.app
        .signup_raw(Some(email.into()), Some("en".into()), None, ip())
        .await
        .expect("signs up");
    w.app.deliver_due().await.expect("deliver");
    let user = w
        .store
        .user_by_email(&Email::parse(email).expect("email"))
        .await
        .expect("lookup")
        .expect("the account");
    assert!(user.consent_pending());

    let token = SecretToken::new("ab".repeat(32));
    w.store
        .replace_confirmation(NewConfirmation {
            user_id: user.id.clone(),
            purpose: ConfirmationPurpose::PasswordReset,
            code_hash: None,
            link_hash: w.app.settings().secret_key.link_hash(token.expose()),
            expires_at: w.clock.now() + Duration::hours(1),
            created_at: w.clock.now(),
        })
        .await
        .expect("a reset link");
    assert!(
        !w.app.reset_link_valid(token.expose()).await.expect("asks"),
        "no reset page"
    );
    assert!(matches!(
        w.app
            .reset_password_raw(Some(token.expose().into()), Some(PASSWORD.into()))
            .await,
        Err(ServiceError::InvalidLink)
    ));

    // A password stored anyway (not through any route) does not log in either.
    let rules = registrar_domain::PasswordPolicy::default();
    let hash = registrar_service::PasswordHasher::new(testing::settings().argon2)
        .hash(&registrar_domain::Password::presented(PASSWORD, &rules).expect("a password"))
        .await
        .expect("hashes");
    w.store
        .set_password(&user.id, &hash, None, None, &[])
        .await
        .expect("stored");
    assert!(matches!(
        w.app.login_raw(w.login_input(email, PASSWORD, "phone"), ip()).await,
        Err(ServiceError::InvalidGrant)
    ));

    // The signup link completes it; then the password logs in.
    let link = w
        .mailer
        .sent_to(email)
        .into_iter()
        .rev()
        .find_map(|m| match m.content {
            MailContent::SignupConfirmation { link, .. } => Some(link),
            _ => None,
        })
        .expect("the signup mail");
    let id = link.rsplit('/').next().expect("id").to_owned();
    w.app
        .complete_signup_raw(&id, Some("1".into()), None)
        .await
        .expect("completes");
    w.app
        .login_raw(w.login_input(email, PASSWORD, "phone"), ip())
        .await
        .expect("logs in after consent");
}
