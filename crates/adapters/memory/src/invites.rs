//! Signup tokens: stored as hashes, each paying for a number of
//! registrations. A registration takes its use under the same lock as the
//! account it creates, so two racing for the last use cannot both win.

use async_trait::async_trait;
use registrar_domain::{AuditEvent, SecretHash};
use registrar_store::{InviteStore, NewInvite, StoreError};

use crate::state::State;
use crate::MemoryStore;

/// A signup token as stored, under its hash. Its name and creation time are
/// for people reading a database; the port never reads them back, so the
/// memory store does not keep them.
pub(crate) struct StoredInvite {
    pub uses_left: u32,
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
        state
            .invites
            .insert(invite.token_hash, StoredInvite { uses_left: invite.uses });
        state.record(audit);
        Ok(())
    }

    async fn invite_usable(&self, token_hash: &SecretHash) -> Result<bool, StoreError> {
        Ok(self.lock()?.invite_usable(token_hash))
    }
}
