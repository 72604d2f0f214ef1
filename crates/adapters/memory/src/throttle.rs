//! Attempt counters: one [`Counter`] per key and the `expires_at` its row
//! would have, updated under the store's one lock.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use registrar_domain::{Counter, Limit, ThrottleKey};
use registrar_store::{StoreError, ThrottleStore};

use crate::MemoryStore;

/// A counter and when it stops meaning anything.
pub(crate) struct StoredCounter {
    pub counter: Counter,
    pub expires_at: DateTime<Utc>,
}

#[async_trait]
impl ThrottleStore for MemoryStore {
    async fn throttle_lock(
        &self,
        keys: &[ThrottleKey],
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let state = self.lock()?;
        Ok(keys
            .iter()
            .filter_map(|key| state.throttles.get(key).and_then(|c| c.counter.locked_at(now)))
            .max())
    }

    async fn throttle_hit(
        &self,
        hits: &[(ThrottleKey, Limit)],
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let mut state = self.lock()?;
        let locked = hits
            .iter()
            .filter_map(|(key, _)| state.throttles.get(key).and_then(|c| c.counter.locked_at(now)))
            .max();
        if locked.is_some() {
            return Ok(locked);
        }
        for (key, limit) in hits {
            let counter = match state.throttles.remove(key) {
                Some(stored) => stored.counter,
                None => Counter::new(now),
            }
            .hit(limit, now);
            let expires_at = counter.expires_at(limit);
            state
                .throttles
                .insert(key.clone(), StoredCounter { counter, expires_at });
        }
        Ok(None)
    }

    async fn throttle_clear(&self, key: &ThrottleKey) -> Result<(), StoreError> {
        self.lock()?.throttles.remove(key);
        Ok(())
    }

    async fn throttle_purge(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut state = self.lock()?;
        let before = state.throttles.len();
        state.throttles.retain(|_, c| c.expires_at >= now);
        Ok((before - state.throttles.len()) as u64)
    }
}
