//! API clients.

use async_trait::async_trait;
use registrar_domain::{AuditEvent, Client, ClientId, ClientKind, SecretHash};
use registrar_store::{ClientStore, StoreError};

use crate::MemoryStore;

#[async_trait]
impl ClientStore for MemoryStore {
    async fn add_client(&self, client: &Client, audit: &[AuditEvent]) -> Result<(), StoreError> {
        let mut state = self.lock()?;
        if state.clients.iter().any(|c| c.id == client.id) {
            return Err(StoreError::Duplicate);
        }
        state.clients.push(client.clone());
        state.record(audit);
        Ok(())
    }

    async fn set_client_secret(
        &self,
        id: &ClientId,
        secret_hash: &SecretHash,
        audit: &[AuditEvent],
    ) -> Result<bool, StoreError> {
        let mut state = self.lock()?;
        let Some(client) = state.clients.iter_mut().find(|c| &c.id == id) else {
            return Ok(false);
        };
        let ClientKind::Confidential { secret_hash: stored } = &mut client.kind else {
            return Ok(false);
        };
        *stored = secret_hash.clone();
        Ok(state.record_if(true, audit))
    }

    async fn client(&self, id: &ClientId) -> Result<Option<Client>, StoreError> {
        Ok(self.lock()?.clients.iter().find(|c| &c.id == id).cloned())
    }

    async fn clients(&self) -> Result<Vec<Client>, StoreError> {
        let mut clients = self.lock()?.clients.clone();
        // Stable: clients created at the same instant keep insertion order.
        clients.sort_by_key(|c| c.created_at);
        Ok(clients)
    }

    async fn remove_client(&self, id: &ClientId, audit: &[AuditEvent]) -> Result<bool, StoreError> {
        let mut state = self.lock()?;
        let Some(position) = state.clients.iter().position(|c| &c.id == id) else {
            return Ok(false);
        };
        state.clients.remove(position);
        state.revoke_where(|s| &s.client_id == id);
        state.authorization.forget_client(id);
        Ok(state.record_if(true, audit))
    }
}
