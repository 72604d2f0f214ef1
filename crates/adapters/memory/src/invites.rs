//! Signup tokens: stored as hashes, each paying for a number of
//! registrations. A registration takes its use under the same lock as the
//! account it creates, so two racing for the last use cannot both win.

use async_trait::async_trait;
use registrar_domain::{AuditEvent, SecretHash};
use registrar_store::{InviteRecord, InviteStore, NewInvite, StoreError};

use crate::state::State;
use crate::MemoryStore;

/// A signup token as stored, under its hash.
pub(crate) struct StoredInvite {
    pub uses_left: u32,
    pub name: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl State {
    /// Whether the token exists and has a use left.
    pub fn invite_usable(&self, token_hash: &SecretHash) -> bool {
        self.invites.get(token_hash).is_some_and(|i| i.uses_left > 0)
    }

    /// Takes one use of the token (checked beforehand with [`State::invite_usable`]).
    pub fn use_invite(&mut self, token_hash: &SecretHash) {
        if let Some(invite) = self.invites.get_mut(token_hash) {
            invite.uses_left = invite.uses_left.saturating_sub(1);
        }
    }
}

#[async_trait]
impl InviteStore for MemoryStore {
    async fn create_invite(&self, invite: NewInvite, audit: &[AuditEvent]) -> Result<(), StoreError> {
        let mut state = self.lock()?;
        if state.invites.contains_key(&invite.token_hash) {
            return Err(StoreError::Duplicate);
        }
        state.invites.insert(
            invite.token_hash,
            StoredInvite {
                uses_left: invite.uses,
                name: invite.name,
                created_at: invite.created_at,
            },
        );
        state.record(audit);
        Ok(())
    }

    async fn invites(&self) -> Result<Vec<InviteRecord>, StoreError> {
        let state = self.lock()?;
        let mut listed: Vec<InviteRecord> = state
            .invites
            .iter()
            .map(|(hash, invite)| InviteRecord {
                id: InviteRecord::id_of(hash),
                name: invite.name.clone(),
                uses_left: invite.uses_left,
                created_at: invite.created_at,
            })
            .collect();
        listed.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        Ok(listed)
    }

    async fn revoke_invite(&self, id: &str, audit: &[AuditEvent]) -> Result<bool, StoreError> {
        let mut state = self.lock()?;
        if !InviteRecord::is_id(id) {
            return Ok(false);
        }
        let matching: Vec<SecretHash> = state
            .invites
            .keys()
            .filter(|hash| InviteRecord::id_of(hash) == id)
            .cloned()
            .collect();
        let [hash] = matching.as_slice() else {
            return Ok(false);
        };
        state.invites.remove(hash);
        state.record(audit);
        Ok(true)
    }

    async fn invite_usable(&self, token_hash: &SecretHash) -> Result<bool, StoreError> {
        Ok(self.lock()?.invite_usable(token_hash))
    }
}
