//! [`AdminKeyStore`] in memory: the keys in `State.admin.keys`, in creation order.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use registrar_domain::{AdminKey, AuditEvent, SecretHash};
use registrar_store::{AdminKeyStore, StoreError};

use crate::MemoryStore;

#[async_trait]
impl AdminKeyStore for MemoryStore {
    async fn add_admin_key(&self, key: &AdminKey, audit: &[AuditEvent]) -> Result<(), StoreError> {
        let mut state = self.lock()?;
        let keys = &state.admin.keys;
        if keys
            .iter()
            .any(|k| k.name == key.name || k.id == key.id || k.key_hash == key.key_hash)
        {
            return Err(StoreError::Duplicate);
        }
        state.admin.keys.push(key.clone());
        state.record(audit);
        Ok(())
    }

    async fn admin_key_by_hash(&self, key_hash: &SecretHash) -> Result<Option<AdminKey>, StoreError> {
        let state = self.lock()?;
        Ok(state
            .admin
            .keys
            .iter()
            .find(|k| k.revoked_at.is_none() && k.key_hash.matches(key_hash))
            .cloned())
    }

    async fn admin_keys(&self) -> Result<Vec<AdminKey>, StoreError> {
        let state = self.lock()?;
        let mut keys = state.admin.keys.clone();
        keys.sort_by_key(|k| k.created_at);
        Ok(keys)
    }

    async fn revoke_admin_key(&self, name: &str, now: DateTime<Utc>, audit: &[AuditEvent]) -> Result<bool, StoreError> {
        let mut state = self.lock()?;
        let live = state
            .admin
            .keys
            .iter_mut()
            .find(|k| k.name == name && k.revoked_at.is_none());
        let changed = match live {
            Some(key) => {
                key.revoked_at = Some(now);
                true
            }
            None => false,
        };
        Ok(state.record_if(changed, audit))
    }

    async fn admin_key_used(&self, id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        let mut state = self.lock()?;
        if let Some(key) = state.admin.keys.iter_mut().find(|k| k.id == id) {
            if key.last_used_at.is_none_or(|used| used < now) {
                key.last_used_at = Some(now);
            }
        }
        Ok(())
    }
}
