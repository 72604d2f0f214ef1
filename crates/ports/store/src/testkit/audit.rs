//! The contract of [`AuditStore`](crate::AuditStore): events read back as
//! written, in `seq` order both ways, filtered by every field of
//! [`AuditFilter`]; pruning drops only older events. (That a change's
//! events are written in its transaction is each changing method's rule,
//! in that method's file.)

use registrar_domain::{Actor, AuditEvent, AuditKind, AuditRecord};

use super::support::*;
use crate::{AuditCursor, AuditFilter};

/// A fresh event of `kind` about `user` at `at`, with every field set.
/// Also for other files' rules and adapters' own tests.
pub fn audit_event(kind: AuditKind, user: &UserId, at: DateTime<Utc>) -> AuditEvent {
    let mut event = AuditEvent::new(unique(), at, kind, Actor::User)
        .about(user, &unique_email("audited"))
        .with("method", "password")
        .with("note", "ünïcode ✓");
    event.client = ClientId::parse("client-1");
    event.device_id = Some("device-1".into());
    event.device_name = Some("Ann's phone".into());
    event.request_id = Some(unique());
    event.ip = Some("203.0.113.0/24".into());
    event
}

fn of_user(user: &UserId) -> AuditFilter {
    AuditFilter {
        user: Some(user.clone()),
        ..AuditFilter::default()
    }
}

async fn page<S: Store>(store: &S, filter: &AuditFilter, cursor: AuditCursor, limit: usize) -> Vec<AuditRecord> {
    store.audit_events(filter, cursor, limit).await.expect("a page of events")
}

fn ids(records: &[AuditRecord]) -> Vec<String> {
    records.iter().map(|r| r.event.id.clone()).collect()
}

contract_rules! { audit, __store_contract_audit;

pub async fn events_read_back_as_written_newest_first<S: Store>(store: S) {
    let user = UserId(unique());
    let first = audit_event(AuditKind::SignedIn, &user, at(10));
    let mut second = audit_event(AuditKind::PasswordChanged, &user, at(20));
    second.actor = Actor::AdminKey("ops bot".into());
    second.client = None;
    second.ip = None;
    store.record_audit(&[first.clone(), second.clone()]).await.unwrap();
    let read = page(&store, &of_user(&user), AuditCursor::Before(None), 10).await;
    assert_eq!(read.iter().map(|r| r.event.clone()).collect::<Vec<_>>(), vec![second, first]);
    assert!(read[0].seq > read[1].seq, "seq grows with every event");
}

pub async fn pages_follow_the_cursor_both_ways_without_gaps_or_repeats<S: Store>(store: S) {
    let user = UserId(unique());
    let events: Vec<_> = (0..7).map(|i| audit_event(AuditKind::SignedIn, &user, at(i))).collect();
    for event in &events {
        store.record_audit(std::slice::from_ref(event)).await.unwrap();
    }
    let filter = of_user(&user);
    let mut newest_first = Vec::new();
    let mut cursor = AuditCursor::Before(None);
    loop {
        let got = page(&store, &filter, cursor, 3).await;
        assert!(got.len() <= 3);
        let Some(last) = got.last() else { break };
        cursor = AuditCursor::Before(Some(last.seq));
        newest_first.extend(got);
    }
    let mut expected: Vec<_> = events.iter().map(|e| e.id.clone()).collect();
    expected.reverse();
    assert_eq!(ids(&newest_first), expected);

    let oldest = newest_first.last().unwrap().seq;
    let after = page(&store, &filter, AuditCursor::After(oldest), 4).await;
    expected.reverse();
    assert_eq!(ids(&after), expected[1..5].to_vec(), "oldest first, after the cursor");
}

pub async fn every_filter_narrows_the_events<S: Store>(store: S) {
    let (ann, bob) = (UserId(unique()), UserId(unique()));
    let signed_in = audit_event(AuditKind::SignedIn, &ann, at(10));
    let failed = audit_event(AuditKind::SignInFailed, &ann, at(20));
    let mut by_admin = audit_event(AuditKind::Disabled, &ann, at(30));
    let admin = format!("admin:{}", unique());
    by_admin.actor = Actor::from_stored(&admin).unwrap();
    let bobs = audit_event(AuditKind::SignedIn, &bob, at(40));
    store
        .record_audit(&[signed_in.clone(), failed.clone(), by_admin.clone(), bobs.clone()])
        .await
        .unwrap();
    let newest = AuditCursor::Before(None);

    assert_eq!(ids(&page(&store, &of_user(&ann), newest, 10).await), [by_admin.id.as_str(), failed.id.as_str(), signed_in.id.as_str()]);
    let kinds = AuditFilter {
        kinds: vec![AuditKind::SignedIn, AuditKind::Disabled],
        ..of_user(&ann)
    };
    assert_eq!(ids(&page(&store, &kinds, newest, 10).await), [by_admin.id.as_str(), signed_in.id.as_str()]);
    let actor = AuditFilter {
        actor: Some(admin),
        ..AuditFilter::default()
    };
    assert_eq!(ids(&page(&store, &actor, newest, 10).await), [by_admin.id.as_str()]);
    let window = AuditFilter {
        from: Some(at(20)),
        until: Some(at(30)),
        ..of_user(&ann)
    };
    assert_eq!(ids(&page(&store, &window, newest, 10).await), [failed.id.as_str()], "from is in, until is out");
    let bobs_only = page(&store, &of_user(&bob), newest, 10).await;
    assert_eq!(ids(&bobs_only), [bobs.id.as_str()]);
}

pub async fn pruning_drops_only_older_events<S: Store>(store: S) {
    let user = UserId(unique());
    let old = audit_event(AuditKind::SignedIn, &user, at(10));
    let kept = audit_event(AuditKind::SignedIn, &user, at(20));
    store.record_audit(&[old, kept.clone()]).await.unwrap();
    assert!(store.prune_audit(at(20)).await.unwrap() >= 1);
    assert_eq!(ids(&page(&store, &of_user(&user), AuditCursor::Before(None), 10).await), [kept.id.as_str()]);
    assert_eq!(store.prune_audit(at(20)).await.unwrap(), 0, "nothing older is left");
}

}

/// The events about `user`, oldest first (for other files' rules: an
/// event and its change commit or roll back together).
pub async fn events_about<S: Store>(store: &S, user: &UserId) -> Vec<AuditEvent> {
    let mut records = page(store, &of_user(user), AuditCursor::Before(None), 1_000).await;
    records.reverse();
    records.into_iter().map(|r| r.event).collect()
}

/// The types of the events about `user`, oldest first.
pub async fn kinds_about<S: Store>(store: &S, user: &UserId) -> Vec<AuditKind> {
    events_about(store, user).await.into_iter().map(|e| e.kind).collect()
}

/// A template event of `kind` (no user: the store completes it).
pub fn template(kind: AuditKind) -> AuditEvent {
    AuditEvent::new(unique(), at(1), kind, Actor::User)
}
