//! The contract of [`PasskeyStore`](crate::PasskeyStore): a credential id
//! is registered once over every user; adding and removing a passkey queue
//! their mail with the change, and only when it happens; a passkey's
//! counter never goes back, even with uses racing; a ceremony is taken once,
//! of its kind, before it expires; and a deleted user or a reset of their
//! factors takes their passkeys along.

use registrar_domain::{PasskeyName, Sealed};

use super::support::*;
use crate::{CeremonyKind, CeremonyLookup, NewCeremony, PasskeyRecord, PasskeyUse};

fn name(text: &str) -> PasskeyName {
    PasskeyName::parse(text).expect("a passkey name")
}

/// A passkey of `user` added at `created` seconds, with counter `count`.
fn passkey(user: &UserId, created: i64, count: u32) -> PasskeyRecord {
    PasskeyRecord {
        id: unique(),
        user: user.clone(),
        name: name("Phone"),
        credential_id: unique(),
        credential: format!("{{\"cred\":\"{}\"}}", unique()),
        sign_count: count,
        backup_eligible: true,
        backup_state: false,
        created_at: at(created),
        last_used_at: None,
    }
}

async fn add<S: Store>(store: &S, passkey: &PasskeyRecord) {
    store.add_passkey(passkey.clone(), None, &[]).await.expect("a new passkey");
}

fn using(passkey: &PasskeyRecord, count: u32, now: i64) -> PasskeyUse {
    PasskeyUse {
        user: passkey.user.clone(),
        id: passkey.id.clone(),
        credential: format!("{{\"count\":{count}}}"),
        sign_count: count,
        backup_state: true,
        now: at(now),
    }
}

fn ceremony(kind: CeremonyKind, user: Option<&UserId>, expires: i64) -> NewCeremony {
    NewCeremony {
        id_hash: secret(),
        kind,
        user: user.cloned(),
        state: Sealed::from_stored(format!("v1.00000000.{}", unique())),
        created_at: at(0),
        expires_at: at(expires),
    }
}

async fn put<S: Store>(store: &S, ceremony: &NewCeremony) {
    store.put_ceremony(ceremony.clone()).await.expect("storing a ceremony");
}

async fn take<S: Store>(store: &S, ceremony: &NewCeremony, kind: CeremonyKind, now: i64) -> bool {
    let lookup = CeremonyLookup { id_hash: ceremony.id_hash.clone(), kind, now: at(now) };
    let taken = store.take_ceremony(&lookup).await.expect("taking a ceremony");
    if let Some(taken) = &taken {
        assert_eq!((taken.kind, &taken.user, &taken.state), (ceremony.kind, &ceremony.user, &ceremony.state));
    }
    taken.is_some()
}

contract_rules! { passkeys, __store_contract_passkeys;

pub async fn passkeys_are_listed_per_user_oldest_first_and_found_by_credential_id<S: Store>(store: S) {
    let (user, other) = (add_user(&store).await, add_user(&store).await);
    let (late, early, others) = (passkey(&user, 20, 0), passkey(&user, 10, 3), passkey(&other, 5, 0));
    for p in [&late, &early, &others] {
        add(&store, p).await;
    }
    assert_eq!(store.passkeys(&user).await.unwrap(), vec![early.clone(), late.clone()]);
    assert_eq!(store.passkeys(&other).await.unwrap(), vec![others.clone()]);
    assert_eq!(store.passkey_by_credential(&early.credential_id).await.unwrap(), Some(early));
    assert_eq!(store.passkey_by_credential(&unique()).await.unwrap(), None);
}

pub async fn a_credential_id_is_registered_once_and_adding_queues_its_mail<S: Store>(store: S) {
    let (user, other) = (add_user(&store).await, add_user(&store).await);
    let first = passkey(&user, 1, 0);
    let mail = new_mail(&user, OutboxKind::PasskeyAdded, at(1));
    store.add_passkey(first.clone(), Some(mail.clone()), &[]).await.unwrap();
    let claimed = claim_by_id(&store, &mail.id, at(2), at(2 + LEASE)).await.expect("the mail is queued");
    assert_eq!((claimed.kind, claimed.created_at), (OutboxKind::PasskeyAdded, at(1)));

    let mut again = passkey(&other, 3, 0);
    again.credential_id.clone_from(&first.credential_id);
    let refused = new_mail(&other, OutboxKind::PasskeyAdded, at(3));
    let added = store.add_passkey(again, Some(refused.clone()), &[]).await;
    assert!(matches!(added, Err(StoreError::Duplicate)), "{added:?}");
    assert!(!queued(&store, &refused.id).await, "a refused passkey queues nothing");
    assert!(store.passkeys(&other).await.unwrap().is_empty());

    let nobody = passkey(&UserId(unique()), 4, 0);
    assert!(matches!(store.add_passkey(nobody, None, &[]).await, Err(StoreError::NotFound)));
}

pub async fn a_passkey_is_renamed_and_removed_only_by_its_owner<S: Store>(store: S) {
    let (user, other) = (add_user(&store).await, add_user(&store).await);
    let key = passkey(&user, 1, 0);
    add(&store, &key).await;
    assert!(!store.rename_passkey(&other, &key.id, name("Mine")).await.unwrap(), "not the owner");
    assert!(!store.rename_passkey(&user, &unique(), name("Mine")).await.unwrap(), "no such passkey");
    assert!(store.rename_passkey(&user, &key.id, name("Work laptop")).await.unwrap());
    assert_eq!(store.passkeys(&user).await.unwrap()[0].name, name("Work laptop"));

    let refused = new_mail(&other, OutboxKind::PasskeyRemoved, at(2));
    assert!(!store.remove_passkey(&other, &key.id, Some(refused.clone()), &[]).await.unwrap(), "not the owner");
    assert!(!queued(&store, &refused.id).await, "removing nothing queues nothing");
    let mail = new_mail(&user, OutboxKind::PasskeyRemoved, at(3));
    assert!(store.remove_passkey(&user, &key.id, Some(mail.clone()), &[]).await.unwrap());
    assert!(queued(&store, &mail.id).await, "the removal's mail is queued");
    assert!(store.passkeys(&user).await.unwrap().is_empty());
    assert_eq!(store.passkey_by_credential(&key.credential_id).await.unwrap(), None);
}

pub async fn of_passkey_removals_racing_one_removes_and_mails<S: Store>(store: S) {
    let user = add_user(&store).await;
    let key = passkey(&user, 1, 0);
    add(&store, &key).await;
    let (won, mails) = winners_and_mails(&store, &user, OutboxKind::PasskeyRemoved, |store, mail| {
        let (user, id) = (mail.user_id.clone(), key.id.clone());
        async move { store.remove_passkey(&user, &id, Some(mail), &[]).await.expect("removing") }
    })
    .await;
    assert_eq!((won, mails), (1, 1), "one racer removed the passkey and one mail was queued");
}

pub async fn a_use_records_the_counter_which_never_goes_back<S: Store>(store: S) {
    let user = add_user(&store).await;
    let (counting, synced) = (passkey(&user, 1, 5), passkey(&user, 2, 0));
    for p in [&counting, &synced] {
        add(&store, p).await;
    }
    assert!(!store.passkey_used(&using(&counting, 5, 10)).await.unwrap(), "the same count");
    assert!(!store.passkey_used(&using(&counting, 4, 10)).await.unwrap(), "a lower count");
    assert!(store.passkey_used(&using(&counting, 6, 11)).await.unwrap(), "a higher count");
    let stored = store.passkey_by_credential(&counting.credential_id).await.unwrap().expect("kept");
    assert_eq!(
        (stored.sign_count, stored.backup_state, stored.last_used_at, stored.credential.as_str()),
        (6, true, Some(at(11)), "{\"count\":6}")
    );
    // A passkey that keeps no counter (synced ones send 0) is used any time.
    assert!(store.passkey_used(&using(&synced, 0, 12)).await.unwrap());
    assert!(store.passkey_used(&using(&synced, 0, 13)).await.unwrap());
    let mut other = using(&counting, 9, 14);
    other.user = add_user(&store).await;
    assert!(!store.passkey_used(&other).await.unwrap(), "not the owner's");
}

pub async fn of_uses_racing_with_one_count_one_is_recorded<S: Store>(store: S) {
    let user = add_user(&store).await;
    let key = passkey(&user, 1, 1);
    add(&store, &key).await;
    let won = winners(&store, |store| {
        let used = using(&key, 2, 5);
        async move { store.passkey_used(&used).await.expect("recording a use") }
    })
    .await;
    assert_eq!(won, 1, "one racer recorded count 2");
}

pub async fn a_ceremony_is_taken_once_of_its_kind_before_it_expires<S: Store>(store: S) {
    let user = add_user(&store).await;
    let registration = ceremony(CeremonyKind::Registration, Some(&user), 300);
    let sign_in = ceremony(CeremonyKind::SignIn, None, 300);
    for c in [&registration, &sign_in] {
        put(&store, c).await;
    }
    assert!(!take(&store, &registration, CeremonyKind::SignIn, 1).await, "another kind");
    assert!(!take(&store, &registration, CeremonyKind::Registration, 300).await, "expired");
    assert!(take(&store, &registration, CeremonyKind::Registration, 299).await, "still live: taken");
    assert!(!take(&store, &registration, CeremonyKind::Registration, 2).await, "taken once");
    assert!(take(&store, &sign_in, CeremonyKind::SignIn, 3).await, "a ceremony without a user");

    // A second options request for one mfa_token starts over.
    let first = ceremony(CeremonyKind::SecondFactor, Some(&user), 300);
    let mut second = ceremony(CeremonyKind::SecondFactor, Some(&user), 400);
    second.id_hash.clone_from(&first.id_hash);
    put(&store, &first).await;
    put(&store, &second).await;
    assert!(take(&store, &second, CeremonyKind::SecondFactor, 350).await, "the second replaced the first");

    let nobody = ceremony(CeremonyKind::Registration, Some(&UserId(unique())), 300);
    assert!(matches!(store.put_ceremony(nobody).await, Err(StoreError::NotFound)));
}

pub async fn of_requests_racing_for_one_ceremony_one_takes_it<S: Store>(store: S) {
    let sign_in = ceremony(CeremonyKind::SignIn, None, 300);
    put(&store, &sign_in).await;
    let won = winners(&store, |store| {
        let lookup = CeremonyLookup { id_hash: sign_in.id_hash.clone(), kind: CeremonyKind::SignIn, now: at(1) };
        async move { store.take_ceremony(&lookup).await.expect("taking").is_some() }
    })
    .await;
    assert_eq!(won, 1, "one racer took the ceremony");
}

pub async fn expired_ceremonies_are_purged<S: Store>(store: S) {
    let (early, late) = (ceremony(CeremonyKind::SignIn, None, 100), ceremony(CeremonyKind::SignIn, None, 200));
    for c in [&early, &late] {
        put(&store, c).await;
    }
    assert!(store.purge_ceremonies(at(150)).await.unwrap() >= 1);
    assert!(!take(&store, &early, CeremonyKind::SignIn, 50).await, "purged");
    assert!(take(&store, &late, CeremonyKind::SignIn, 150).await, "kept");
}

pub async fn a_reset_of_the_factors_or_deleting_the_user_takes_the_passkeys_along<S: Store>(store: S) {
    let (user, other) = (add_user(&store).await, add_user(&store).await);
    let (key, others) = (passkey(&user, 1, 0), passkey(&other, 1, 0));
    for p in [&key, &others] {
        add(&store, p).await;
    }
    let mail = new_mail(&user, OutboxKind::TotpDisabled, at(2));
    assert!(store.reset_factors(&user, Some(mail.clone()), &[]).await.unwrap(), "a passkey is a factor");
    assert!(queued(&store, &mail.id).await, "the reset's mail is queued");
    assert!(store.passkeys(&user).await.unwrap().is_empty());
    assert!(!store.remove_totp(&other, None, &[]).await.unwrap(), "removing the app leaves passkeys alone");
    assert_eq!(store.passkeys(&other).await.unwrap(), vec![others.clone()]);

    let registration = ceremony(CeremonyKind::Registration, Some(&other), 300);
    put(&store, &registration).await;
    assert!(store.delete_user(&other, &[]).await.unwrap());
    assert_eq!(store.passkey_by_credential(&others.credential_id).await.unwrap(), None);
    assert!(!take(&store, &registration, CeremonyKind::Registration, 1).await, "the user's ceremony went too");
}

}
