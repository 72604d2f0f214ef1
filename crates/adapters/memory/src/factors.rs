//! [`FactorStore`]: second factors and the attempts waiting for one, under
//! the store's one lock, so that of two requests racing with one code, one
//! recovery code or one `mfa_token`, exactly one wins.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use registrar_domain::{AuditEvent, Sealed, SecretHash, UserId};
use registrar_store::{
    FactorStore, MfaToken, MfaTokenLookup, NewCeremony, NewMfaToken, NewOutboxMail, NewUser, PasskeyRecord,
    RecoveryCodeUse, SecondFactorTaken, SecondFactorUse, StoreError, TotpConfirmation, TotpFactor, WaitingSignIn,
};

use crate::state::State;
use crate::MemoryStore;

/// A user's recovery code: its hash, and when it was used.
pub(crate) struct StoredRecoveryCode {
    pub hash: SecretHash,
    pub used_at: Option<DateTime<Utc>>,
}

/// An `mfa_token` as stored: the attempt, and whether it was used.
pub(crate) struct StoredMfaToken {
    pub token: MfaToken,
    pub used: bool,
}

/// What the memory store keeps of second factors.
#[derive(Default)]
pub(crate) struct Factors {
    pub totp: HashMap<UserId, TotpFactor>,
    pub recovery_codes: HashMap<UserId, Vec<StoredRecoveryCode>>,
    pub mfa_tokens: HashMap<SecretHash, StoredMfaToken>,
    /// Every user's passkeys.
    pub passkeys: Vec<PasskeyRecord>,
    /// WebAuthn ceremonies under their id hashes, with their expiry.
    pub ceremonies: HashMap<SecretHash, NewCeremony>,
}

impl Factors {
    /// Forgets everything of a deleted user.
    pub fn forget(&mut self, user: &UserId) {
        self.totp.remove(user);
        self.recovery_codes.remove(user);
        self.forget_mfa_tokens(user);
        self.passkeys.retain(|p| &p.user != user);
        self.ceremonies.retain(|_, c| c.user.as_ref() != Some(user));
    }

    /// Drops the user's `mfa_token`s, live or not.
    pub fn forget_mfa_tokens(&mut self, user: &UserId) {
        self.mfa_tokens.retain(|_, stored| &stored.token.attempt.user != user);
    }

    /// Keeps a new `mfa_token`, unused and with no failure (its hash checked
    /// to be new by the caller).
    fn store_mfa_token(&mut self, new: NewMfaToken) {
        let token = MfaToken {
            attempt: new.attempt,
            failures: 0,
            expires_at: new.expires_at,
        };
        self.mfa_tokens
            .insert(new.token_hash, StoredMfaToken { token, used: false });
    }

    fn live_mfa_token(&mut self, lookup: &MfaTokenLookup) -> Option<&mut StoredMfaToken> {
        self.mfa_tokens.get_mut(&lookup.token_hash).filter(|stored| {
            !stored.used && lookup.now < stored.token.expires_at && stored.token.failures < lookup.max_failures
        })
    }
}

impl State {
    /// Queues `mail` if `changed`, after a change checked it could
    /// ([`State::check_mail`] before changing anything); answers `changed`.
    pub(crate) fn queue_if(&mut self, changed: bool, mail: Option<NewOutboxMail>) -> bool {
        if let Some(mail) = mail.filter(|_| changed) {
            self.queue_mail(mail);
        }
        changed
    }

    pub(crate) fn check_optional_mail(&self, mail: Option<&NewOutboxMail>) -> Result<(), StoreError> {
        mail.map_or(Ok(()), |mail| self.check_mail(mail))
    }

    /// Removes the user's TOTP factor and recovery codes, with `all` also
    /// their passkeys and `mfa_token`s, and queues `mail` if there was a factor.
    fn remove_factors(&mut self, user: &UserId, all: bool, mail: Option<NewOutboxMail>) -> Result<bool, StoreError> {
        self.check_optional_mail(mail.as_ref())?;
        self.factors.recovery_codes.remove(user);
        let mut removed = false;
        if all {
            self.factors.forget_mfa_tokens(user);
            let before = self.factors.passkeys.len();
            self.factors.passkeys.retain(|p| &p.user != user);
            removed = self.factors.passkeys.len() < before;
        }
        let removed = self.factors.totp.remove(user).is_some() || removed;
        Ok(self.queue_if(removed, mail))
    }

    /// The second factors an import gives `user` (checked beforehand): a
    /// TOTP factor confirmed at the account's creation, a waiting sign-in.
    pub(crate) fn import_factors(&mut self, user: &NewUser, totp: Option<Sealed>, token: Option<NewMfaToken>) {
        if let Some(secret) = totp {
            let factor = TotpFactor {
                secret,
                created_at: user.created_at,
                confirmed_at: Some(user.created_at),
                last_step: None,
            };
            self.factors.totp.insert(user.id.clone(), factor);
        }
        if let Some(new) = token {
            self.factors.store_mfa_token(new);
        }
    }
}

fn codes(hashes: Vec<SecretHash>) -> Vec<StoredRecoveryCode> {
    hashes
        .into_iter()
        .map(|hash| StoredRecoveryCode { hash, used_at: None })
        .collect()
}

#[async_trait]
impl FactorStore for MemoryStore {
    async fn totp_factor(&self, user: &UserId) -> Result<Option<TotpFactor>, StoreError> {
        Ok(self.lock()?.factors.totp.get(user).cloned())
    }

    async fn put_pending_totp(&self, user: &UserId, secret: Sealed, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let mut state = self.lock()?;
        state.require_user(user)?;
        if state.factors.totp.get(user).is_some_and(|f| f.confirmed_at.is_some()) {
            return Ok(false);
        }
        let pending = TotpFactor {
            secret,
            created_at: now,
            confirmed_at: None,
            last_step: None,
        };
        state.factors.totp.insert(user.clone(), pending);
        Ok(true)
    }

    async fn confirm_totp(
        &self,
        confirmation: TotpConfirmation,
        mail: Option<NewOutboxMail>,
    ) -> Result<bool, StoreError> {
        let mut state = self.lock()?;
        state.check_optional_mail(mail.as_ref())?;
        let Some(factor) = state
            .factors
            .totp
            .get_mut(&confirmation.user)
            .filter(|f| f.confirmed_at.is_none() && f.secret == confirmation.secret)
        else {
            return Ok(false);
        };
        factor.confirmed_at = Some(confirmation.now);
        factor.last_step = Some(confirmation.step);
        let codes = codes(confirmation.recovery_codes);
        state.factors.recovery_codes.insert(confirmation.user, codes);
        state.record(&confirmation.audit);
        Ok(state.queue_if(true, mail))
    }

    async fn remove_totp(
        &self,
        user: &UserId,
        mail: Option<NewOutboxMail>,
        audit: &[AuditEvent],
    ) -> Result<bool, StoreError> {
        let mut state = self.lock()?;
        let removed = state.remove_factors(user, false, mail)?;
        Ok(state.record_if(removed, audit))
    }

    async fn reset_factors(
        &self,
        user: &UserId,
        mail: Option<NewOutboxMail>,
        audit: &[AuditEvent],
    ) -> Result<bool, StoreError> {
        let mut state = self.lock()?;
        let removed = state.remove_factors(user, true, mail)?;
        Ok(state.record_if(removed, audit))
    }

    async fn replace_recovery_codes(
        &self,
        user: &UserId,
        hashes: Vec<SecretHash>,
        _now: DateTime<Utc>,
        audit: &[AuditEvent],
    ) -> Result<(), StoreError> {
        let mut state = self.lock()?;
        state.require_user(user)?;
        state.factors.recovery_codes.insert(user.clone(), codes(hashes));
        state.record(audit);
        Ok(())
    }

    async fn use_recovery_code(&self, used: &RecoveryCodeUse, mail: Option<NewOutboxMail>) -> Result<bool, StoreError> {
        let mut state = self.lock()?;
        state.check_optional_mail(mail.as_ref())?;
        let unused = state
            .factors
            .recovery_codes
            .get_mut(&used.user)
            .and_then(|codes| codes.iter_mut().find(|c| c.hash == used.code && c.used_at.is_none()));
        let changed = unused.map(|c| c.used_at = Some(used.now)).is_some();
        state.record_if(changed, &used.audit);
        Ok(state.queue_if(changed, mail))
    }

    async fn recovery_codes_left(&self, user: &UserId) -> Result<u32, StoreError> {
        let state = self.lock()?;
        let left = state
            .factors
            .recovery_codes
            .get(user)
            .map_or(0, |codes| codes.iter().filter(|c| c.used_at.is_none()).count());
        Ok(u32::try_from(left).unwrap_or(u32::MAX))
    }

    async fn create_mfa_token(&self, new: NewMfaToken) -> Result<(), StoreError> {
        let mut state = self.lock()?;
        if state.factors.mfa_tokens.contains_key(&new.token_hash) {
            return Err(StoreError::Duplicate);
        }
        state.factors.store_mfa_token(new);
        Ok(())
    }

    async fn mfa_token(&self, lookup: &MfaTokenLookup) -> Result<Option<MfaToken>, StoreError> {
        let mut state = self.lock()?;
        Ok(state.factors.live_mfa_token(lookup).map(|stored| stored.token.clone()))
    }

    async fn waiting_sign_in(&self, lookup: &MfaTokenLookup) -> Result<Option<WaitingSignIn>, StoreError> {
        let mut state = self.lock()?;
        let Some(token) = state.factors.live_mfa_token(lookup).map(|stored| stored.token.clone()) else {
            return Ok(None);
        };
        let Some(user) = state.users.get(&token.attempt.user).cloned() else {
            return Ok(None);
        };
        let totp = state.factors.totp.get(&user.id).cloned();
        Ok(Some(WaitingSignIn { token, user, totp }))
    }

    async fn mfa_token_failed(&self, token_hash: &SecretHash) -> Result<u32, StoreError> {
        let mut state = self.lock()?;
        Ok(state.factors.mfa_tokens.get_mut(token_hash).map_or(0, |stored| {
            stored.token.failures = stored.token.failures.saturating_add(1);
            stored.token.failures
        }))
    }

    async fn take_second_factor(&self, taking: SecondFactorUse) -> Result<SecondFactorTaken, StoreError> {
        let mut state = self.lock()?;
        // Everything is checked before anything changes.
        let Some(stored) = state
            .factors
            .live_mfa_token(&taking.lookup)
            .filter(|stored| stored.token.attempt.user == taking.user)
        else {
            return Ok(SecondFactorTaken::TokenNotLive);
        };
        let token = stored.token.clone();
        if let Some(step) = taking.totp_step {
            let confirmed = state
                .factors
                .totp
                .get(&taking.user)
                .filter(|f| f.confirmed_at.is_some());
            let takes = confirmed.is_some_and(|f| f.last_step.is_none_or(|last| last < step));
            if !takes {
                return Ok(SecondFactorTaken::StepUsed);
            }
        }
        if let Some((session, _)) = &taking.session {
            state.require_user(&session.user_id)?;
            state.require_client(&session.client_id)?;
            state.check_credential(&session.user_id, session.credential.as_ref())?;
        }
        if let Some(factor) = taking.totp_step.and_then(|_| state.factors.totp.get_mut(&taking.user)) {
            factor.last_step = taking.totp_step;
        }
        if let Some(stored) = state.factors.mfa_tokens.get_mut(&taking.lookup.token_hash) {
            stored.used = true;
        }
        let notice_queued = match taking.session {
            Some((session, max_per_client)) => state.open_session(session, max_per_client),
            None => false,
        };
        Ok(SecondFactorTaken::Taken { token, notice_queued })
    }

    async fn purge_mfa_tokens(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut state = self.lock()?;
        let before = state.factors.mfa_tokens.len();
        state
            .factors
            .mfa_tokens
            .retain(|_, stored| stored.token.expires_at >= now);
        Ok(u64::try_from(before - state.factors.mfa_tokens.len()).unwrap_or(u64::MAX))
    }
}
