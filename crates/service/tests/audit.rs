//! The audit trail the users' own flows write, read back through the
//! store and `Registrar::activity`, on the in-memory adapters with a clock
//! moved by hand: what the end-to-end tests cannot reach cheaply (a reuse
//! after the grace period, the lockout, the 90-day window, paging).
#![allow(clippy::pedantic, clippy::restriction)] // test code

mod support;

use chrono::Duration;
use registrar_domain::{AuditEvent, AuditKind, UserId};
use registrar_memory::MemoryMailer;
use registrar_service::testing::{self, Raw};
use registrar_service::{within_request, AuthContext, ClientRef, RequestMeta, ServiceError, TokenPair};
use registrar_store::{AuditCursor, AuditFilter, AuditStore, UserStore};

use support::{ip, registration, World, PASSWORD};

async fn world() -> World {
    World(testing::World::with(MemoryMailer::new(), |_| {}).await)
}

impl World {
    async fn register(&self, email: &str) -> TokenPair {
        self.app
            .register_raw(registration(&self.client, &self.policies, email, "Ann"), ip())
            .await
            .expect("registers")
    }

    async fn auth(&self, pair: &TokenPair) -> AuthContext {
        self.app
            .authenticate(pair.access_token.expose())
            .await
            .expect("a live token")
    }

    /// The events about `user`, newest first.
    async fn events(&self, user: &UserId) -> Vec<AuditEvent> {
        let filter = AuditFilter {
            user: Some(user.clone()),
            ..AuditFilter::default()
        };
        self.store
            .audit_events(&filter, AuditCursor::Before(None), 100)
            .await
            .expect("events")
            .into_iter()
            .map(|r| r.event)
            .collect()
    }

    async fn kinds(&self, user: &UserId) -> Vec<AuditKind> {
        self.events(user).await.into_iter().map(|e| e.kind).collect()
    }
}

#[tokio::test]
async fn events_built_inside_a_request_carry_its_id_and_the_truncated_address() {
    let w = world().await;
    let meta = RequestMeta {
        request_id: "req-42".into(),
        ip: "203.0.113.77".parse().expect("an address"),
    };
    let pair = within_request(meta, w.register("ann@example.com")).await;
    let ctx = w.auth(&pair).await;
    let events = w.events(&ctx.user.id).await;
    let registered = events
        .iter()
        .find(|e| e.kind == AuditKind::Registered)
        .expect("registered");
    assert_eq!(registered.request_id.as_deref(), Some("req-42"));
    assert_eq!(registered.ip.as_deref(), Some("203.0.113.0/24"), "truncated by default");
    assert_eq!(registered.device_name.as_deref(), Some("Phone"));
    assert_eq!(
        registered.client.as_ref().map(|c| c.to_string()),
        Some(w.client.clone())
    );
    assert!(events
        .iter()
        .any(|e| e.kind == AuditKind::PolicyAccepted && e.data.get("revisions").is_some_and(|r| !r.is_empty())));
    assert!(
        !events.iter().any(|e| e.kind == AuditKind::SignedIn),
        "the first session is part of registering"
    );

    // Outside a request (the CLI, a job): neither.
    let outside = w.register("bob@example.com").await;
    let bob = w.auth(&outside).await;
    let events = w.events(&bob.user.id).await;
    assert!(events.iter().all(|e| e.request_id.is_none() && e.ip.is_none()));
}

#[tokio::test]
async fn a_reuse_after_the_grace_period_is_recorded_with_the_session_s_user_and_device() {
    let w = world().await;
    let first = w.register("ann@example.com").await;
    let user = w.auth(&first).await.user.id;
    let second = w
        .app
        .refresh(Some(first.refresh_token.expose().to_owned()), None)
        .await
        .expect("rotates");
    w.clock.advance(Duration::seconds(5));
    assert!(w
        .app
        .refresh(Some(first.refresh_token.expose().to_owned()), None)
        .await
        .is_err());
    assert!(
        !w.kinds(&user).await.contains(&AuditKind::ReuseDetected),
        "within the grace period nothing is revoked nor recorded"
    );
    w.clock.advance(Duration::seconds(10));
    assert!(w
        .app
        .refresh(Some(first.refresh_token.expose().to_owned()), None)
        .await
        .is_err());
    let events = w.events(&user).await;
    let reuse = &events[0];
    assert_eq!(reuse.kind, AuditKind::ReuseDetected);
    assert_eq!(reuse.user.as_ref(), Some(&user));
    assert_eq!(reuse.email.as_ref().map(|e| e.as_str()), Some("ann@example.com"));
    assert_eq!(reuse.device_id.as_deref(), Some("phone"));
    assert_eq!(reuse.device_name.as_deref(), Some("Phone"));
    assert!(w.app.authenticate(second.access_token.expose()).await.is_err());
}

#[tokio::test]
async fn failed_sign_ins_are_recorded_and_the_one_that_locks_writes_locked_out_once() {
    let w = world().await;
    w.register("ann@example.com").await;
    let login = |password: &str| {
        w.app
            .login_raw(w.login_input("ann@example.com", password, "laptop"), ip())
    };
    for _ in 0..5 {
        assert!(matches!(
            login("Wrong-Password-1").await,
            Err(ServiceError::InvalidGrant)
        ));
    }
    // Locked now: refused without a check, nothing more recorded.
    assert!(matches!(
        login(PASSWORD).await,
        Err(ServiceError::TooManyAttempts { .. })
    ));
    assert!(matches!(
        login("Wrong-Password-1").await,
        Err(ServiceError::TooManyAttempts { .. })
    ));
    let user = w
        .app
        .store()
        .user_by_email(&registrar_domain::Email::parse("ann@example.com").expect("an address"))
        .await
        .expect("lookup")
        .expect("the user")
        .id;
    let events = w.events(&user).await;
    let failed = events.iter().filter(|e| e.kind == AuditKind::SignInFailed).count();
    let locked: Vec<_> = events.iter().filter(|e| e.kind == AuditKind::LockedOut).collect();
    assert_eq!(failed, 5, "each wrong password once");
    assert_eq!(locked.len(), 1, "one lockout, written by the failure that locked");
    assert!(locked[0].data.get("until").is_some_and(|u| u.ends_with('Z')));
    assert_eq!(events[0].kind, AuditKind::LockedOut, "after the failure that caused it");
    assert!(events.iter().filter(|e| e.kind == AuditKind::SignInFailed).all(|e| e
        .data
        .get("reason")
        .map(String::as_str)
        == Some("wrong_password")));

    // An unknown address: no event names it, the answer is the same.
    let unknown = w
        .app
        .login_raw(w.login_input("nobody@example.com", "Wrong-Password-1", "laptop"), ip())
        .await;
    assert!(matches!(unknown, Err(ServiceError::InvalidGrant)));
    let all = w
        .store
        .audit_events(&AuditFilter::default(), AuditCursor::Before(None), 1000)
        .await
        .expect("events");
    // (The world's setup by the CLI, its client and policies, is about no user.)
    assert!(all
        .iter()
        .filter(|r| r.event.kind != AuditKind::AdminAction)
        .all(|r| r.event.user.is_some()));
}

#[tokio::test]
async fn a_revocation_by_token_is_recorded_for_the_session_s_user() {
    let w = world().await;
    let pair = w.register("ann@example.com").await;
    let user = w.auth(&pair).await.user.id;
    w.app
        .revoke_token(&ClientRef::of(&w.client), pair.refresh_token.expose())
        .await
        .expect("revoked");
    let events = w.events(&user).await;
    assert_eq!(events[0].kind, AuditKind::SessionRevoked);
    assert_eq!(events[0].data.get("reason").map(String::as_str), Some("revoked"));
    assert_eq!(events[0].device_id.as_deref(), Some("phone"));
    // Once more: nothing to revoke, nothing recorded.
    w.app
        .revoke_token(&ClientRef::of(&w.client), pair.refresh_token.expose())
        .await
        .expect("no error");
    assert_eq!(
        w.kinds(&user)
            .await
            .iter()
            .filter(|k| **k == AuditKind::SessionRevoked)
            .count(),
        1
    );
}

#[tokio::test]
async fn the_activity_list_pages_newest_first_over_the_last_90_days_only() {
    let w = world().await;
    let pair = w.register("ann@example.com").await;
    let ctx = w.auth(&pair).await;
    // Older than 90 days by the time we look.
    for _ in 0..3 {
        w.app
            .logout(
                &w.auth(
                    &w.app
                        .login_raw(w.login_input("ann@example.com", PASSWORD, "old"), ip())
                        .await
                        .expect("in"),
                )
                .await,
            )
            .await
            .expect("out");
    }
    w.clock.advance(Duration::days(91));
    let fresh = w
        .app
        .login_raw(w.login_input("ann@example.com", PASSWORD, "laptop"), ip())
        .await
        .expect("in");
    let laptop = w.auth(&fresh).await;
    for _ in 0..4 {
        w.app
            .login_raw(w.login_input("ann@example.com", PASSWORD, "tablet"), ip())
            .await
            .expect("in");
    }
    let page = w.app.activity(&laptop, None, Some("3")).await.expect("a page");
    assert_eq!(page.entries.len(), 3);
    assert!(page.entries.iter().all(|e| e.kind == AuditKind::SignedIn));
    assert_eq!(page.entries[0].device_name.as_deref(), Some("tablet"));
    assert_eq!(page.entries[0].method.as_deref(), Some("password"));
    let cursor = page.next_cursor.expect("more").to_string();
    let rest = w.app.activity(&laptop, Some(&cursor), None).await.expect("the rest");
    assert_eq!(
        rest.entries.len(),
        2,
        "one tablet sign-in and the laptop's; nothing older than 90 days"
    );
    assert_eq!(rest.entries[1].device_name.as_deref(), Some("laptop"));
    assert_eq!(rest.next_cursor, None);
    assert!(matches!(
        w.app.activity(&ctx, Some("abc"), None).await,
        Err(ServiceError::InvalidToken) | Err(ServiceError::Invalid(_))
    ));
    assert!(matches!(
        w.app.activity(&laptop, None, Some("-1")).await,
        Err(ServiceError::Invalid(_))
    ));
}
