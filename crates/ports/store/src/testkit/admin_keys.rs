//! The contract of [`AdminKeyStore`](crate::AdminKeyStore): keys read back
//! as stored, a name is one key forever, only live keys authenticate, and
//! adding or revoking writes its audit events only when it changes something.

use registrar_domain::{Actor, AdminKey, AdminScopes, AuditKind};

use super::audit::audit_event;
use super::support::*;
use crate::{AuditCursor, AuditFilter};

fn admin_key(name: &str, created: i64) -> AdminKey {
    AdminKey {
        id: unique(),
        name: name.to_owned(),
        scopes: AdminScopes::parse("users:read,audit:read").expect("scopes"),
        key_hash: secret(),
        created_at: at(created),
        last_used_at: None,
        revoked_at: None,
    }
}

/// An `admin.action` event by the CLI, with a fresh id.
fn action(user: &UserId) -> registrar_domain::AuditEvent {
    let mut event = audit_event(AuditKind::AdminAction, user, at(1));
    event.actor = Actor::Cli;
    event
}

async fn events_about<S: Store>(store: &S, user: &UserId) -> usize {
    let filter = AuditFilter {
        user: Some(user.clone()),
        ..AuditFilter::default()
    };
    store
        .audit_events(&filter, AuditCursor::Before(None), 100)
        .await
        .expect("events")
        .len()
}

contract_rules! { admin_keys, __store_contract_admin_keys;

pub async fn admin_keys_read_back_as_stored_by_creation_time<S: Store>(store: S) {
    let later = admin_key(&format!("later-{}", unique()), 20);
    let first = admin_key(&format!("first-{}", unique()), 10);
    store.add_admin_key(&later, &[]).await.unwrap();
    store.add_admin_key(&first, &[]).await.unwrap();
    let keys = store.admin_keys().await.unwrap();
    assert_eq!(keys, vec![first.clone(), later]);
    assert_eq!(store.admin_key_by_hash(&first.key_hash).await.unwrap(), Some(first));
    assert_eq!(store.admin_key_by_hash(&secret()).await.unwrap(), None, "an unknown hash finds nothing");
}

pub async fn an_admin_key_name_is_one_key_forever_and_a_refused_add_writes_no_event<S: Store>(store: S) {
    let name = format!("ops-{}", unique());
    let user = UserId(unique());
    store.add_admin_key(&admin_key(&name, 10), &[action(&user)]).await.unwrap();
    assert_eq!(events_about(&store, &user).await, 1, "the add wrote its event");
    assert!(matches!(
        store.add_admin_key(&admin_key(&name, 20), &[action(&user)]).await,
        Err(StoreError::Duplicate)
    ));
    assert!(store.revoke_admin_key(&name, at(30), &[]).await.unwrap());
    assert!(
        matches!(
            store.add_admin_key(&admin_key(&name, 40), &[action(&user)]).await,
            Err(StoreError::Duplicate)
        ),
        "a revoked key's name stays taken"
    );
    assert_eq!(store.admin_keys().await.unwrap().len(), 1);
    assert_eq!(events_about(&store, &user).await, 1, "refused adds wrote nothing");
}

pub async fn a_revoked_admin_key_no_longer_authenticates_and_is_revoked_once<S: Store>(store: S) {
    let key = admin_key(&format!("ops-{}", unique()), 10);
    let user = UserId(unique());
    store.add_admin_key(&key, &[]).await.unwrap();
    assert!(store.revoke_admin_key(&key.name, at(30), &[action(&user)]).await.unwrap());
    assert_eq!(store.admin_key_by_hash(&key.key_hash).await.unwrap(), None);
    assert!(!store.revoke_admin_key(&key.name, at(40), &[action(&user)]).await.unwrap(), "already revoked");
    assert!(!store.revoke_admin_key("nobody", at(40), &[action(&user)]).await.unwrap(), "unknown");
    assert_eq!(events_about(&store, &user).await, 1, "only the revocation that happened is recorded");
    let listed = store.admin_keys().await.unwrap();
    assert_eq!(listed[0].revoked_at, Some(at(30)), "the first revocation's time stays");
}

pub async fn admin_key_use_keeps_the_latest_time<S: Store>(store: S) {
    let key = admin_key(&format!("ops-{}", unique()), 10);
    store.add_admin_key(&key, &[]).await.unwrap();
    store.admin_key_used(&key.id, at(50)).await.unwrap();
    store.admin_key_used(&key.id, at(40)).await.unwrap();
    store.admin_key_used("unknown", at(60)).await.unwrap();
    let found = store.admin_key_by_hash(&key.key_hash).await.unwrap().unwrap();
    assert_eq!(found.last_used_at, Some(at(50)));
}

}
