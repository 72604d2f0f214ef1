//! The contract of [`SigningKeyStore`](crate::SigningKeyStore): at most one
//! key of an algorithm is current; the first key is made once however many
//! first uses race; a rotation retires the current key at the new key's
//! birth and keeps it listed; a purge drops only keys retired before its
//! cut-off.

use registrar_domain::Sealed;

use super::support::*;
use crate::{SigningAlgorithm, SigningKeyRecord};

/// A fresh, current RS256 key made at `created` (its parts are unique
/// text: the store keeps them, it does not read them). Also for adapters'
/// own tests.
pub fn signing_key(created_at: DateTime<Utc>) -> SigningKeyRecord {
    SigningKeyRecord {
        kid: unique(),
        alg: SigningAlgorithm::Rs256,
        public_n: unique(),
        public_e: "AQAB".into(),
        private: Sealed::from_stored(format!("v1.00000000.{}", unique())),
        created_at,
        retired_at: None,
    }
}

fn key(created: i64) -> SigningKeyRecord {
    signing_key(at(created))
}

fn retired(mut key: SigningKeyRecord, at_seconds: i64) -> SigningKeyRecord {
    key.retired_at = Some(at(at_seconds));
    key
}

async fn rotate<S: Store>(store: &S, key: &SigningKeyRecord) {
    store.rotate_signing_key(key.clone()).await.expect("a rotation");
}

contract_rules! { signing_keys, __store_contract_signing_keys;

pub async fn the_first_signing_key_is_stored_once_and_a_second_first_key_gets_the_first<S: Store>(store: S) {
    assert_eq!(store.signing_keys().await.unwrap(), vec![], "a fresh store holds no key");
    let (first, second) = (key(10), key(20));
    assert_eq!(store.add_first_signing_key(first.clone()).await.unwrap(), first);
    assert_eq!(store.add_first_signing_key(second).await.unwrap(), first, "the current key is kept");
    assert_eq!(store.signing_keys().await.unwrap(), vec![first]);
}

pub async fn racing_first_uses_all_get_the_one_key_that_was_stored<S: Store>(store: S) {
    const RACERS: usize = 8;
    let (store, barrier) = (Arc::new(store), Arc::new(Barrier::new(RACERS)));
    let mut tasks = Vec::new();
    for _ in 0..RACERS {
        let (store, barrier) = (Arc::clone(&store), Arc::clone(&barrier));
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            store.add_first_signing_key(key(10)).await.expect("a first key")
        }));
    }
    let mut current = BTreeSet::new();
    for task in tasks {
        current.insert(task.await.expect("a racer").kid);
    }
    assert_eq!(current.len(), 1, "every racer got the same key: {current:?}");
    let stored = store.signing_keys().await.unwrap();
    assert_eq!(stored.len(), 1, "one key stored");
    assert!(current.contains(&stored[0].kid));
}

pub async fn a_rotation_retires_the_current_key_at_the_new_ones_birth_and_lists_newest_first<S: Store>(store: S) {
    let (first, second, third) = (key(10), key(20), key(30));
    store.add_first_signing_key(first.clone()).await.unwrap();
    rotate(&store, &second).await;
    rotate(&store, &third).await;
    assert_eq!(
        store.signing_keys().await.unwrap(),
        vec![third.clone(), retired(second, 30), retired(first, 20)]
    );
    assert_eq!(store.add_first_signing_key(key(40)).await.unwrap(), third, "the newest key is current");
}

pub async fn a_rotation_without_a_current_key_makes_the_first<S: Store>(store: S) {
    let first = key(10);
    rotate(&store, &first).await;
    assert_eq!(store.signing_keys().await.unwrap(), vec![first]);
}

pub async fn a_rotation_with_a_taken_kid_is_a_duplicate_and_changes_nothing<S: Store>(store: S) {
    let first = key(10);
    store.add_first_signing_key(first.clone()).await.unwrap();
    let mut copy = key(20);
    copy.kid = first.kid.clone();
    assert!(matches!(store.rotate_signing_key(copy).await, Err(StoreError::Duplicate)));
    assert_eq!(store.signing_keys().await.unwrap(), vec![first]);
}

pub async fn racing_rotations_leave_one_current_key_and_lose_none_they_report_stored<S: Store>(store: S) {
    const RACERS: usize = 6;
    store.add_first_signing_key(key(0)).await.unwrap();
    let (store, barrier) = (Arc::new(store), Arc::new(Barrier::new(RACERS)));
    let mut tasks = Vec::new();
    for i in 0..RACERS {
        let (store, barrier) = (Arc::clone(&store), Arc::clone(&barrier));
        tasks.push(tokio::spawn(async move {
            let new = key(10 + i64::try_from(i).expect("a small index"));
            barrier.wait().await;
            match store.rotate_signing_key(new.clone()).await {
                Ok(()) => Some(new.kid),
                Err(StoreError::Duplicate) => None,
                Err(e) => panic!("a rotation failed: {e:?}"),
            }
        }));
    }
    let mut rotated = BTreeSet::new();
    for task in tasks {
        rotated.extend(task.await.expect("a racer"));
    }
    assert!(!rotated.is_empty(), "some rotation went through");
    let stored = store.signing_keys().await.unwrap();
    let current: Vec<_> = stored.iter().filter(|k| k.retired_at.is_none()).collect();
    assert_eq!(current.len(), 1, "one current key: {stored:?}");
    let kept: BTreeSet<_> = stored.iter().map(|k| k.kid.clone()).collect();
    assert!(rotated.is_subset(&kept), "every reported rotation is stored");
    assert_eq!(stored.len(), rotated.len() + 1, "refused rotations stored nothing");
}

pub async fn a_purge_drops_only_keys_retired_before_the_cut_off<S: Store>(store: S) {
    let (first, second, third) = (key(10), key(20), key(30));
    store.add_first_signing_key(first).await.unwrap();
    rotate(&store, &second).await;
    rotate(&store, &third).await;
    // first retired at 20, second at 30, third current.
    assert_eq!(store.purge_signing_keys(at(20)).await.unwrap(), 0, "the cut-off itself is kept");
    assert_eq!(store.purge_signing_keys(at(25)).await.unwrap(), 1);
    assert_eq!(
        store.signing_keys().await.unwrap(),
        vec![third.clone(), retired(second, 30)]
    );
    assert_eq!(store.purge_signing_keys(at(1_000_000)).await.unwrap(), 1, "the current key stays");
    assert_eq!(store.signing_keys().await.unwrap(), vec![third]);
}

}
