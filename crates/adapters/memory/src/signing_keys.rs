//! [`SigningKeyStore`]: the signing keys under the store's one lock, so that
//! one key of an algorithm is current at a time.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use registrar_store::{SigningKeyRecord, SigningKeyStore, StoreError};

use crate::MemoryStore;

#[async_trait]
impl SigningKeyStore for MemoryStore {
    async fn signing_keys(&self) -> Result<Vec<SigningKeyRecord>, StoreError> {
        let mut keys = self.lock()?.signing_keys.clone();
        keys.sort_by(|a, b| (b.created_at, &b.kid).cmp(&(a.created_at, &a.kid)));
        Ok(keys)
    }

    async fn add_first_signing_key(&self, key: SigningKeyRecord) -> Result<SigningKeyRecord, StoreError> {
        let mut state = self.lock()?;
        let current = state
            .signing_keys
            .iter()
            .find(|k| k.alg == key.alg && k.retired_at.is_none());
        if let Some(current) = current {
            return Ok(current.clone());
        }
        if state.signing_keys.iter().any(|k| k.kid == key.kid) {
            return Err(StoreError::Duplicate);
        }
        state.signing_keys.push(key.clone());
        Ok(key)
    }

    async fn rotate_signing_key(&self, key: SigningKeyRecord) -> Result<(), StoreError> {
        let mut state = self.lock()?;
        if state.signing_keys.iter().any(|k| k.kid == key.kid) {
            return Err(StoreError::Duplicate);
        }
        for current in state
            .signing_keys
            .iter_mut()
            .filter(|k| k.alg == key.alg && k.retired_at.is_none())
        {
            current.retired_at = Some(key.created_at);
        }
        state.signing_keys.push(key);
        Ok(())
    }

    async fn purge_signing_keys(&self, retired_before: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut state = self.lock()?;
        let before = state.signing_keys.len();
        state
            .signing_keys
            .retain(|k| k.retired_at.is_none_or(|retired| retired >= retired_before));
        Ok(u64::try_from(before - state.signing_keys.len()).unwrap_or(u64::MAX))
    }
}
