//! The audit rules of the admin-side account changes: `set_disabled` and
//! `set_role` write their events with the change, and only when the
//! account's state really changes (an unknown user, or a value it already
//! has, records nothing).

use registrar_domain::{Actor, AuditKind};

use super::audit::audit_event;
use super::support::*;
use crate::{AuditCursor, AuditFilter};

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

}
