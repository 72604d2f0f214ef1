//! [`BreachedPasswordStore`]: the one filter, replaced under the store's lock.

use async_trait::async_trait;
use registrar_domain::AuditEvent;
use registrar_store::{BreachedFilterRecord, BreachedFilterVersion, BreachedPasswordStore, StoreError};

use crate::MemoryStore;

#[async_trait]
impl BreachedPasswordStore for MemoryStore {
    async fn save_breached_filter(&self, filter: BreachedFilterRecord, audit: &[AuditEvent]) -> Result<(), StoreError> {
        let mut state = self.lock()?;
        state.breached = Some(filter);
        state.record(audit);
        Ok(())
    }

    async fn breached_filter_version(&self) -> Result<Option<BreachedFilterVersion>, StoreError> {
        Ok(self.lock()?.breached.as_ref().map(|f| BreachedFilterVersion {
            version: f.version.clone(),
            entries: f.entries,
            imported_at: f.imported_at,
        }))
    }

    async fn breached_filter(&self) -> Result<Option<BreachedFilterRecord>, StoreError> {
        Ok(self.lock()?.breached.clone())
    }
}
