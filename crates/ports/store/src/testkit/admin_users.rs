//! The audit rules of the admin-side account changes: `set_disabled` and
//! `set_role` write their events with the change, and only when the
//! account's state really changes (an unknown user, or a value it already
//! has, records nothing). Erasure anonymizes the user's trail; resetting
//! factors, ending sessions and lifting a lockout write their events with
//! the change, only when something changed.

use registrar_domain::{Actor, AuditEvent, AuditKind, AuditRecord, Sealed};

use super::audit::audit_event;
use super::support::*;
use super::webhooks::endpoint;
use crate::{AcceptedRevision, AuditCursor, AuditFilter, ImportedUser, ERASURE_KEEPS};

async fn trail<S: Store>(store: &S, user: &UserId) -> Vec<AuditRecord> {
    let filter = AuditFilter {
        user: Some(user.clone()),
        ..AuditFilter::default()
    };
    store
        .audit_events(&filter, AuditCursor::After(0), 100)
        .await
        .expect("events")
}

async fn kinds_about<S: Store>(store: &S, user: &UserId) -> Vec<AuditKind> {
    let filter = AuditFilter {
        user: Some(user.clone()),
        ..AuditFilter::default()
    };
    store
        .audit_events(&filter, AuditCursor::After(0), 100)
        .await
        .expect("events")
        .into_iter()
        .map(|r| r.event.kind)
        .collect()
}

async fn registered<S: Store>(store: &S) -> UserId {
    let user = new_user(unique_email("admin"));
    let id = user.id.clone();
    store.register(registration(user)).await.expect("registered");
    id
}

fn by_admin(kind: AuditKind, user: &UserId) -> registrar_domain::AuditEvent {
    let mut event = audit_event(kind, user, at(5));
    event.actor = Actor::AdminKey("ops".into());
    event
}

contract_rules! { admin_users, __store_contract_admin_users;

pub async fn disabling_and_enabling_record_their_events_only_when_the_state_flips<S: Store>(store: S) {
    let user = registered(&store).await;
    store.set_disabled(&user, true, &[by_admin(AuditKind::Disabled, &user)]).await.unwrap();
    store.set_disabled(&user, true, &[by_admin(AuditKind::Disabled, &user)]).await.unwrap();
    store.set_disabled(&user, false, &[by_admin(AuditKind::Enabled, &user)]).await.unwrap();
    store.set_disabled(&user, false, &[by_admin(AuditKind::Enabled, &user)]).await.unwrap();
    assert_eq!(kinds_about(&store, &user).await, [AuditKind::Disabled, AuditKind::Enabled]);

    let unknown = UserId(unique());
    assert!(matches!(
        store.set_disabled(&unknown, true, &[by_admin(AuditKind::Disabled, &unknown)]).await,
        Err(StoreError::NotFound)
    ));
    assert!(kinds_about(&store, &unknown).await.is_empty(), "a refused change records nothing");
}

pub async fn a_role_change_records_its_event_only_when_the_role_changes<S: Store>(store: S) {
    let user = registered(&store).await;
    let admin = Role::parse("admin").unwrap();
    store.set_role(&user, &admin, &[by_admin(AuditKind::Updated, &user)]).await.unwrap();
    store.set_role(&user, &admin, &[by_admin(AuditKind::Updated, &user)]).await.unwrap();
    assert_eq!(kinds_about(&store, &user).await, [AuditKind::Updated]);
    assert_eq!(store.user_by_id(&user).await.unwrap().unwrap().role, admin);

    let unknown = UserId(unique());
    assert!(matches!(
        store.set_role(&unknown, &admin, &[by_admin(AuditKind::Updated, &unknown)]).await,
        Err(StoreError::NotFound)
    ));
    assert!(kinds_about(&store, &unknown).await.is_empty());
}

pub async fn erasure_writes_its_event_and_anonymizes_the_users_trail<S: Store>(store: S) {
    let user = registered(&store).await;
    let other = registered(&store).await;
    let hook = endpoint("user.deleted");
    store.add_webhook(&hook, &[]).await.unwrap();
    let earlier = [
        audit_event(AuditKind::SignedIn, &user, at(1)),
        audit_event(AuditKind::Updated, &user, at(2)).with("fields", "role").with("role", "admin"),
    ];
    store.record_audit(&earlier).await.unwrap();
    let bystander = audit_event(AuditKind::SignedIn, &other, at(3));
    store.record_audit(std::slice::from_ref(&bystander)).await.unwrap();
    let email = store.user_by_id(&user).await.unwrap().unwrap().email;
    let deleted = AuditEvent::new(unique(), at(4), AuditKind::Deleted, Actor::AdminKey("ops".into()))
        .about(&user, &email)
        .with("reason", "erasure");

    assert!(store.delete_user(&user, std::slice::from_ref(&deleted)).await.unwrap());
    let left = trail(&store, &user).await;
    let kinds: Vec<AuditKind> = left.iter().map(|r| r.event.kind).collect();
    assert_eq!(kinds, [AuditKind::SignedIn, AuditKind::Updated, AuditKind::Deleted], "every event stays, countable");
    for (record, given) in left.iter().zip(earlier.iter().chain([&deleted])) {
        let event = &record.event;
        assert_eq!(
            (&event.id, event.at, &event.actor, &event.client, &event.user),
            (&given.id, given.at, &given.actor, &given.client, &given.user),
            "what, when, by whom, through which client and the opaque user id stay"
        );
        assert_eq!(
            (&event.email, &event.ip, &event.device_id, &event.device_name, &event.request_id),
            (&None, &None, &None, &None, &None),
            "nothing that identifies the person stays"
        );
        let expected: Vec<(&String, &String)> =
            given.data.iter().filter(|(k, _)| ERASURE_KEEPS.contains(&k.as_str())).collect();
        assert_eq!(event.data.iter().collect::<Vec<_>>(), expected, "only how and why stay");
    }
    assert_eq!(left[0].event.data.get("method").map(String::as_str), Some("password"));
    assert!(!left[1].event.data.contains_key("role"));
    assert_eq!(trail(&store, &other).await[0].event, bystander, "another user's events are untouched");

    let claimed = store
        .claim_webhook_deliveries(at(10), at(10 + LEASE), 100, 100)
        .await
        .unwrap();
    let ours: Vec<_> = claimed.iter().filter(|d| d.endpoint.id == hook.id).collect();
    assert_eq!(ours.len(), 1, "the erasure is announced once");
    assert_eq!(ours[0].body, deleted.webhook_payload(), "with the address: the receiver learns which account went");
    assert!(ours[0].body.contains(email.as_str()));

    assert!(!store.delete_user(&user, std::slice::from_ref(&deleted)).await.unwrap());
    assert_eq!(trail(&store, &user).await.len(), 3, "erasing nobody records nothing");
}

pub async fn resetting_factors_records_its_event_only_when_one_was_removed<S: Store>(store: S) {
    let user = registered(&store).await;
    let removed = || [by_admin(AuditKind::FactorRemoved, &user).with("factor", "all")];
    assert!(!store.reset_factors(&user, None, &removed()).await.unwrap());
    assert!(kinds_about(&store, &user).await.is_empty(), "nothing removed, nothing recorded");
    let sealed = Sealed::from_stored(format!("v1.00000000.{}", unique()));
    assert!(store.put_pending_totp(&user, sealed, at(1)).await.unwrap());
    assert!(store.reset_factors(&user, None, &removed()).await.unwrap());
    assert_eq!(kinds_about(&store, &user).await, [AuditKind::FactorRemoved]);
}

pub async fn ending_every_session_counts_them_and_spares_other_users<S: Store>(store: S) {
    let client = add_client(&store, at(0)).await;
    let (user, opened, bystander) = user_and_bystander(&store, [(&client, "phone"), (&client, "laptop")]).await;
    let revoked = || [by_admin(AuditKind::SessionRevoked, &user).with("reason", "admin")];
    assert_eq!(store.revoke_sessions_of(&user, &revoked()).await.unwrap(), 2);
    for session in &opened {
        assert_refused(&store, &session.access_hash, at(10), "every session of the user ends").await;
    }
    assert_authenticates(&store, &bystander.access_hash, at(10), "another user's session lives").await;
    assert_eq!(kinds_about(&store, &user).await, [AuditKind::SessionRevoked]);
    assert_eq!(store.revoke_sessions_of(&user, &revoked()).await.unwrap(), 0);
    assert_eq!(kinds_about(&store, &user).await.len(), 1, "ending nothing records nothing");
}

pub async fn one_session_ends_only_if_it_is_the_users<S: Store>(store: S) {
    let client = add_client(&store, at(0)).await;
    let (user, [mine], bystander) = user_and_bystander(&store, [(&client, "phone")]).await;
    let revoked = || [by_admin(AuditKind::SessionRevoked, &user).with("reason", "admin")];
    assert!(!store.revoke_session_of(&user, &bystander.id, &revoked()).await.unwrap());
    assert_authenticates(&store, &bystander.access_hash, at(10), "not theirs: left alone").await;
    assert!(kinds_about(&store, &user).await.is_empty());
    assert!(store.revoke_session_of(&user, &mine.id, &revoked()).await.unwrap());
    assert_refused(&store, &mine.access_hash, at(10), "theirs: ended").await;
    assert_eq!(kinds_about(&store, &user).await, [AuditKind::SessionRevoked]);
}

pub async fn a_lockout_reads_back_and_lifts_with_its_event<S: Store>(store: S) {
    let user = registered(&store).await;
    let secret = registrar_domain::SecretKey::new(&[42; 32]).expect("a 32-byte test key");
    let email = unique_email("locked");
    let login = ThrottleKey::for_email(Scope::LoginAccount, &email, &secret);
    let codes = ThrottleKey::for_email(Scope::CodeAddress, &email, &secret);
    let keys = [login.clone(), codes.clone()];
    let limit = Limit::lockout(3, Duration::minutes(15), Duration::minutes(5), Duration::hours(24));
    for second in 1..=2 {
        assert_eq!(store.throttle_hit(&[(login.clone(), limit)], at(second)).await.unwrap(), None);
    }
    let counters = store.throttle_counters(&keys).await.unwrap();
    assert_eq!(counters.len(), 1, "only the counted key has a counter");
    assert_eq!(counters[0].0, login);
    assert_eq!((counters[0].1.count, counters[0].1.locked_at(at(3))), (2, None));
    assert_eq!(store.throttle_hit(&[(login.clone(), limit)], at(3)).await.unwrap(), None);
    let counters = store.throttle_counters(&keys).await.unwrap();
    assert!(counters[0].1.locked_at(at(3)).is_some(), "locked after three failures");

    let lifted = || [by_admin(AuditKind::AdminAction, &user).with("action", "lockout.lifted")];
    assert!(store.lift_lockout(&keys, &lifted()).await.unwrap());
    assert!(store.throttle_counters(&keys).await.unwrap().is_empty());
    assert_eq!(store.throttle_lock(&keys, at(3)).await.unwrap(), None, "the lock is gone");
    assert_eq!(kinds_about(&store, &user).await, [AuditKind::AdminAction]);
    assert!(!store.lift_lockout(&keys, &lifted()).await.unwrap());
    assert_eq!(kinds_about(&store, &user).await.len(), 1, "lifting nothing records nothing");
}

pub async fn accepted_revisions_read_back_with_their_type_version_time_and_language<S: Store>(store: S) {
    let user = registered(&store).await;
    let terms = publish(&store, new_revision("tac", "7.1", at(1), &[Language::EN])).await;
    let privacy = publish(&store, new_revision("privacy", "2", at(1), &[Language::EN])).await;
    assert!(store.accepted_revisions(&user).await.unwrap().is_empty());
    store.accept_policies(&user, &[privacy, terms], Language::NL, at(5), &[]).await.unwrap();
    // Accepting again keeps the first acceptance's time and language.
    store.accept_policies(&user, &[terms], Language::DE, at(6), &[]).await.unwrap();
    type Row = (RevisionId, String, String, DateTime<Utc>, Option<Language>);
    let read = |accepted: Vec<AcceptedRevision>| -> Vec<Row> {
        accepted
            .into_iter()
            .map(|a| (a.id, a.policy_type.to_string(), a.version, a.accepted_at, a.language))
            .collect()
    };
    assert_eq!(
        read(store.accepted_revisions(&user).await.unwrap()),
        [
            (terms, "tac".to_owned(), "7.1".to_owned(), at(5), Some(Language::NL)),
            (privacy, "privacy".to_owned(), "2".to_owned(), at(5), Some(Language::NL)),
        ],
        "by revision id"
    );

    // A registration accepts in the new account's language; an import in
    // no known language.
    let mut signed_up = new_user(unique_email("accepting"));
    signed_up.language = Language::FR;
    signed_up.created_at = at(7);
    let mut with_policies = registration(signed_up.clone());
    with_policies.accepted_policies = vec![terms];
    store.register(with_policies).await.unwrap();
    assert_eq!(
        read(store.accepted_revisions(&signed_up.id).await.unwrap()),
        [(terms, "tac".to_owned(), "7.1".to_owned(), at(7), Some(Language::FR))]
    );
    let mut moved_in = ImportedUser::bare(new_user(unique_email("imported")));
    moved_in.user.language = Language::ES;
    moved_in.accepted_policies = vec![privacy];
    let moved = moved_in.user.id.clone();
    store.import_users(vec![moved_in]).await.unwrap();
    assert_eq!(
        read(store.accepted_revisions(&moved).await.unwrap()),
        [(privacy, "privacy".to_owned(), "2".to_owned(), at(0), None)]
    );
}

}
