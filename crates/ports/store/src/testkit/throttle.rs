//! The contract of [`ThrottleStore`](crate::ThrottleStore): counted failures
//! per key, and the locks they earn.

use super::support::*;

fn throttle_key(scope: Scope) -> ThrottleKey {
    let key = registrar_domain::SecretKey::new(&[42; 32]).expect("a 32-byte test key");
    ThrottleKey::for_email(scope, &unique_email("throttled"), &key)
}

/// Five failures in 15 minutes, then 5 minutes, doubling up to a day.
fn login_limit() -> Limit {
    Limit::lockout(5, Duration::minutes(15), Duration::minutes(5), Duration::hours(24))
}

async fn hit_one<S: Store>(store: &S, key: &ThrottleKey, limit: Limit, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    store
        .throttle_hit(&[(key.clone(), limit)], now)
        .await
        .expect("throttle_hit")
}

async fn lock_of<S: Store>(store: &S, key: &ThrottleKey, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    store
        .throttle_lock(std::slice::from_ref(key), now)
        .await
        .expect("throttle_lock")
}

contract_rules! {
    throttle, __store_contract_throttle;

    pub async fn unknown_keys_are_not_locked_and_hits_below_the_limit_lock_nothing<S: Store>(store: S) {
        let key = throttle_key(Scope::LoginAccount);
        assert_eq!(lock_of(&store, &key, at(0)).await, None);
        for i in 0..4 {
            assert_eq!(hit_one(&store, &key, login_limit(), at(i)).await, None);
        }
        assert_eq!(lock_of(&store, &key, at(5)).await, None);
    }

    pub async fn the_hit_that_fills_the_window_locks_the_ones_after_it_which_count_nothing<S: Store>(store: S) {
        let key = throttle_key(Scope::LoginAccount);
        for i in 0..5 {
            assert_eq!(
                hit_one(&store, &key, login_limit(), at(i)).await,
                None,
                "hit {i} is allowed"
            );
        }
        let until = at(4) + Duration::minutes(5);
        assert_eq!(lock_of(&store, &key, at(10)).await, Some(until));
        assert_eq!(hit_one(&store, &key, login_limit(), at(10)).await, Some(until));
        // The refused hits did not count: the lock did not grow or move.
        assert_eq!(lock_of(&store, &key, at(11)).await, Some(until));
        assert_eq!(lock_of(&store, &key, until).await, None, "the lock ends at its instant");
    }

    pub async fn locks_grow_with_each_lockout_of_a_key<S: Store>(store: S) {
        let key = throttle_key(Scope::LoginAccount);
        let mut now = at(0);
        for expected in [5, 10, 20] {
            for _ in 0..5 {
                assert_eq!(hit_one(&store, &key, login_limit(), now).await, None);
            }
            let until = lock_of(&store, &key, now).await.expect("locked");
            assert_eq!(until - now, Duration::minutes(expected));
            now = until;
        }
    }

    pub async fn the_count_starts_again_when_its_window_ends<S: Store>(store: S) {
        let key = throttle_key(Scope::RegisterIp);
        let limit = Limit::per_window(3, Duration::hours(1));
        assert_eq!(hit_one(&store, &key, limit, at(0)).await, None);
        assert_eq!(hit_one(&store, &key, limit, at(60)).await, None);
        let later = at(3600);
        assert_eq!(hit_one(&store, &key, limit, later).await, None);
        assert_eq!(hit_one(&store, &key, limit, later).await, None);
        assert_eq!(lock_of(&store, &key, later).await, None, "two hits in the new window");
        assert_eq!(hit_one(&store, &key, limit, later).await, None);
        assert_eq!(lock_of(&store, &key, later).await, Some(later + Duration::hours(1)));
    }

    pub async fn a_hit_on_several_keys_counts_all_or_nothing<S: Store>(store: S) {
        let address = throttle_key(Scope::MailAddress);
        let ip = throttle_key(Scope::MailIp);
        let narrow = Limit::per_window(2, Duration::hours(1));
        let wide = Limit::per_window(3, Duration::hours(1));
        let both = [(address.clone(), narrow), (ip.clone(), wide)];
        assert_eq!(store.throttle_hit(&both, at(0)).await.expect("hit"), None);
        assert_eq!(store.throttle_hit(&both, at(1)).await.expect("hit"), None);
        // The address is locked now: the next hit is refused and the IP's count stays at 2.
        let until = at(0) + Duration::hours(1);
        assert_eq!(store.throttle_hit(&both, at(2)).await.expect("hit"), Some(until));
        assert_eq!(
            store
                .throttle_lock(&[address.clone(), ip.clone()], at(2))
                .await
                .expect("lock"),
            Some(until)
        );
        assert_eq!(lock_of(&store, &ip, at(2)).await, None);
        assert_eq!(
            hit_one(&store, &ip, wide, at(3)).await,
            None,
            "the third hit of the IP is allowed"
        );
        assert!(
            lock_of(&store, &ip, at(3)).await.is_some(),
            "and it fills the IP's window"
        );
    }

    pub async fn the_latest_lock_of_several_keys_is_reported<S: Store>(store: S) {
        let short = throttle_key(Scope::LoginAccount);
        let long = throttle_key(Scope::LoginIp);
        hit_one(&store, &short, Limit::per_window(1, Duration::minutes(1)), at(0)).await;
        hit_one(&store, &long, Limit::per_window(1, Duration::minutes(10)), at(0)).await;
        let keys = [short.clone(), long.clone(), throttle_key(Scope::MailIp)];
        assert_eq!(store.throttle_lock(&keys, at(1)).await.expect("lock"), Some(at(600)));
    }

    pub async fn clearing_a_key_forgets_its_count_and_its_locks<S: Store>(store: S) {
        let key = throttle_key(Scope::LoginAccount);
        let other = throttle_key(Scope::LoginAccount);
        for i in 0..5 {
            hit_one(&store, &key, login_limit(), at(i)).await;
            hit_one(&store, &other, login_limit(), at(i)).await;
        }
        assert!(lock_of(&store, &key, at(10)).await.is_some());
        store.throttle_clear(&key).await.expect("clear");
        store
            .throttle_clear(&throttle_key(Scope::LoginAccount))
            .await
            .expect("an unknown key clears");
        assert_eq!(lock_of(&store, &key, at(10)).await, None);
        for i in 0..4 {
            assert_eq!(hit_one(&store, &key, login_limit(), at(20 + i)).await, None);
        }
        assert_eq!(lock_of(&store, &key, at(30)).await, None, "the count started from zero");
        hit_one(&store, &key, login_limit(), at(30)).await;
        assert_eq!(
            lock_of(&store, &key, at(30)).await,
            Some(at(30) + Duration::minutes(5)),
            "and the lock from the first length"
        );
        assert!(
            lock_of(&store, &other, at(10)).await.is_some(),
            "other keys keep theirs"
        );
    }

    pub async fn concurrent_hits_of_one_key_are_each_counted<S: Store>(store: S) {
        const RACERS: usize = 20;
        let key = throttle_key(Scope::RegisterIp);
        let limit = Limit::per_window(8, Duration::hours(1));
        let barrier = Arc::new(Barrier::new(RACERS));
        let mut tasks = Vec::new();
        for _ in 0..RACERS {
            let (store, key, barrier) = (store.clone(), key.clone(), Arc::clone(&barrier));
            tasks.push(tokio::spawn(async move {
                barrier.wait().await;
                store.throttle_hit(&[(key, limit)], at(0)).await
            }));
        }
        let mut allowed = 0;
        for task in tasks {
            if task
                .await
                .expect("joined")
                .expect("no store error under contention")
                .is_none()
            {
                allowed += 1;
            }
        }
        assert_eq!(allowed, 8, "exactly the limit got through");
    }

    pub async fn purging_drops_expired_counters_and_keeps_live_ones<S: Store>(store: S) {
        let counted = throttle_key(Scope::MailIp);
        let locked = throttle_key(Scope::LoginAccount);
        hit_one(&store, &counted, Limit::per_window(5, Duration::hours(1)), at(0)).await;
        for _ in 0..5 {
            hit_one(&store, &locked, login_limit(), at(0)).await;
        }
        // Within the lock's memory (its length plus a day): nothing of these goes.
        store.throttle_purge(at(3600)).await.expect("purge");
        assert!(
            lock_of(&store, &locked, at(60)).await.is_some(),
            "a live lock survives a purge"
        );
        hit_one(&store, &locked, login_limit(), at(300)).await;
        for _ in 0..4 {
            hit_one(&store, &locked, login_limit(), at(300)).await;
        }
        assert_eq!(
            lock_of(&store, &locked, at(300)).await,
            Some(at(300) + Duration::minutes(10)),
            "the purge kept the first lock in memory"
        );
        let purged = store.throttle_purge(at(3 * 86_400)).await.expect("purge");
        assert!(purged >= 2, "both counters expired: {purged} purged");
        assert_eq!(lock_of(&store, &locked, at(3 * 86_400)).await, None);
    }
}
