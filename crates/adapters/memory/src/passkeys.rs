//! [`PasskeyStore`]: passkeys and WebAuthn ceremonies under the store's one
//! lock, so that a ceremony is taken once and a counter never goes back.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use registrar_domain::{AuditEvent, PasskeyName, UserId};
use registrar_store::{
    Ceremony, CeremonyLookup, NewCeremony, NewOutboxMail, PasskeyRecord, PasskeyStore, PasskeyUse, StoreError,
};

use crate::MemoryStore;

#[async_trait]
impl PasskeyStore for MemoryStore {
    async fn passkeys(&self, user: &UserId) -> Result<Vec<PasskeyRecord>, StoreError> {
        let state = self.lock()?;
        let mut found: Vec<_> = state
            .factors
            .passkeys
            .iter()
            .filter(|p| &p.user == user)
            .cloned()
            .collect();
        found.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        Ok(found)
    }

    async fn passkey_by_credential(&self, credential_id: &str) -> Result<Option<PasskeyRecord>, StoreError> {
        let state = self.lock()?;
        let found = state.factors.passkeys.iter().find(|p| p.credential_id == credential_id);
        Ok(found.cloned())
    }

    async fn add_passkey(
        &self,
        passkey: PasskeyRecord,
        mail: Option<NewOutboxMail>,
        audit: &[AuditEvent],
    ) -> Result<(), StoreError> {
        let mut state = self.lock()?;
        state.require_user(&passkey.user)?;
        state.check_optional_mail(mail.as_ref())?;
        let taken = |p: &PasskeyRecord| p.credential_id == passkey.credential_id || p.id == passkey.id;
        if state.factors.passkeys.iter().any(taken) {
            return Err(StoreError::Duplicate);
        }
        state.factors.passkeys.push(passkey);
        state.record(audit);
        state.queue_if(true, mail);
        Ok(())
    }

    async fn rename_passkey(&self, user: &UserId, id: &str, name: PasskeyName) -> Result<bool, StoreError> {
        let mut state = self.lock()?;
        let found = state
            .factors
            .passkeys
            .iter_mut()
            .find(|p| &p.user == user && p.id == id);
        Ok(found.map(|passkey| passkey.name = name).is_some())
    }

    async fn remove_passkey(
        &self,
        user: &UserId,
        id: &str,
        mail: Option<NewOutboxMail>,
        audit: &[AuditEvent],
    ) -> Result<bool, StoreError> {
        let mut state = self.lock()?;
        state.check_optional_mail(mail.as_ref())?;
        let before = state.factors.passkeys.len();
        state.factors.passkeys.retain(|p| !(&p.user == user && p.id == id));
        let removed = state.factors.passkeys.len() < before;
        state.record_if(removed, audit);
        Ok(state.queue_if(removed, mail))
    }

    async fn passkey_used(&self, used: &PasskeyUse) -> Result<bool, StoreError> {
        let mut state = self.lock()?;
        let found =
            state.factors.passkeys.iter_mut().find(|p| {
                p.user == used.user && p.id == used.id && (p.sign_count == 0 || p.sign_count < used.sign_count)
            });
        let Some(passkey) = found else {
            return Ok(false);
        };
        passkey.credential.clone_from(&used.credential);
        passkey.sign_count = used.sign_count;
        passkey.backup_state = used.backup_state;
        passkey.last_used_at = Some(used.now);
        Ok(true)
    }

    async fn put_ceremony(&self, ceremony: NewCeremony) -> Result<(), StoreError> {
        let mut state = self.lock()?;
        if let Some(user) = &ceremony.user {
            state.require_user(user)?;
        }
        state.factors.ceremonies.insert(ceremony.id_hash.clone(), ceremony);
        Ok(())
    }

    async fn take_ceremony(&self, lookup: &CeremonyLookup) -> Result<Option<Ceremony>, StoreError> {
        let mut state = self.lock()?;
        let ceremonies = &mut state.factors.ceremonies;
        let live = ceremonies
            .get(&lookup.id_hash)
            .is_some_and(|c| c.kind == lookup.kind && lookup.now < c.expires_at);
        if !live {
            return Ok(None);
        }
        Ok(ceremonies.remove(&lookup.id_hash).map(|c| Ceremony {
            kind: c.kind,
            user: c.user,
            state: c.state,
        }))
    }

    async fn purge_ceremonies(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut state = self.lock()?;
        let before = state.factors.ceremonies.len();
        state.factors.ceremonies.retain(|_, c| c.expires_at >= now);
        Ok(u64::try_from(before - state.factors.ceremonies.len()).unwrap_or(u64::MAX))
    }
}
