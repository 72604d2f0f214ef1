//! Codes and links sent by mail: email confirmations and password resets.
//! A used or replaced confirmation is removed; an expired one just stops
//! being live and waits to be replaced or erased with its user.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use registrar_domain::{AuditEvent, ConfirmationPurpose, PasswordHash, SecretHash, User, UserId};
use registrar_store::{
    CodeOutcome, CodeTry, ConfirmationStore, NewConfirmation, NewOutboxMail, SignupCompletion, StoreError,
};

use crate::state::State;
use crate::MemoryStore;

/// A confirmation as stored: as it was given (hashes only), and the wrong
/// tries at its code.
pub(crate) struct StoredConfirmation {
    pub given: NewConfirmation,
    pub wrong_tries: u32,
}

impl StoredConfirmation {
    fn is_live(&self, now: DateTime<Utc>) -> bool {
        now < self.given.expires_at
    }
}

impl State {
    /// Drops the user's confirmations of this purpose (live or not).
    pub fn drop_confirmations(&mut self, user: &UserId, purpose: ConfirmationPurpose) {
        self.confirmations
            .retain(|c| !(&c.given.user_id == user && c.given.purpose == purpose));
    }

    /// Where the live confirmation of `purpose` with this link is.
    pub fn live_link(&self, link_hash: &SecretHash, purpose: ConfirmationPurpose, now: DateTime<Utc>) -> Option<usize> {
        self.confirmations
            .iter()
            .position(|c| &c.given.link_hash == link_hash && c.given.purpose == purpose && c.is_live(now))
    }

    /// The user a live link of `purpose` belongs to, without using it.
    fn live_link_user(
        &self,
        link_hash: &SecretHash,
        purpose: ConfirmationPurpose,
        now: DateTime<Utc>,
    ) -> Option<UserId> {
        self.live_link(link_hash, purpose, now)
            .map(|position| self.confirmations[position].given.user_id.clone())
    }

    /// Uses up the confirmation at `position` and confirms its user's address.
    pub fn confirm_email(&mut self, position: usize, now: DateTime<Utc>) -> UserId {
        let used = self.confirmations.remove(position).given;
        if let Some(user) = self.users.get_mut(&used.user_id) {
            user.email_confirmed_at.get_or_insert(now);
        }
        if used.purpose == ConfirmationPurpose::Email {
            self.used_email_links.insert(used.link_hash, used.user_id.clone());
        }
        used.user_id
    }

    /// Whether the user is an email-first account waiting for consent.
    fn awaiting_consent(&self, user: &UserId) -> bool {
        self.users.get(user).is_some_and(User::consent_pending)
    }

    /// Confirms the address of the user of the confirmation at `position`
    /// without using its link (an account waiting for consent): only its
    /// code, if any, is used up.
    fn confirm_keeping_link(&mut self, position: usize, now: DateTime<Utc>) -> UserId {
        let confirmation = &mut self.confirmations[position].given;
        confirmation.code_hash = None;
        let user = confirmation.user_id.clone();
        if let Some(stored) = self.users.get_mut(&user) {
            stored.email_confirmed_at.get_or_insert(now);
        }
        user
    }

    /// Checks `code_hash` against the user's live code of `purpose`, as
    /// [`ConfirmationStore::confirm_by_code`] and
    /// [`ConfirmationStore::use_sign_in_code`] say.
    fn check_code(&mut self, purpose: ConfirmationPurpose, code: &CodeTry) -> CodeOutcome {
        let CodeTry {
            user,
            code_hash,
            now,
            max_attempts,
            audit,
        } = code;
        let (now, max_attempts) = (*now, *max_attempts);
        let Some(position) = self.confirmations.iter().position(|c| {
            &c.given.user_id == user && c.given.purpose == purpose && c.given.code_hash.is_some() && c.is_live(now)
        }) else {
            return CodeOutcome::NoCode;
        };
        let confirmation = &mut self.confirmations[position];
        if confirmation.wrong_tries >= max_attempts {
            return CodeOutcome::TooManyAttempts;
        }
        if confirmation.given.code_hash.as_ref() != Some(code_hash) {
            confirmation.wrong_tries = confirmation.wrong_tries.saturating_add(1);
            return CodeOutcome::Wrong;
        }
        let was_confirmed = self.users.get(user).is_some_and(User::email_confirmed);
        if purpose == ConfirmationPurpose::Email && self.awaiting_consent(user) {
            self.confirm_keeping_link(position, now);
        } else {
            self.confirm_email(position, now);
        }
        // A sign-in code records a confirmation only when it made one.
        self.record_if(purpose == ConfirmationPurpose::Email || !was_confirmed, audit);
        CodeOutcome::Confirmed
    }
}

#[async_trait]
impl ConfirmationStore for MemoryStore {
    async fn replace_confirmation(&self, confirmation: NewConfirmation) -> Result<(), StoreError> {
        let mut state = self.lock()?;
        state.require_user(&confirmation.user_id)?;
        state.drop_confirmations(&confirmation.user_id, confirmation.purpose);
        state.confirmations.push(StoredConfirmation {
            given: confirmation,
            wrong_tries: 0,
        });
        Ok(())
    }

    async fn confirm_by_code(&self, code: &CodeTry) -> Result<CodeOutcome, StoreError> {
        Ok(self.lock()?.check_code(ConfirmationPurpose::Email, code))
    }

    async fn use_sign_in_code(&self, code: &CodeTry) -> Result<CodeOutcome, StoreError> {
        Ok(self.lock()?.check_code(ConfirmationPurpose::SignInCode, code))
    }

    async fn purge_sign_in_codes(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut state = self.lock()?;
        let before = state.confirmations.len();
        state
            .confirmations
            .retain(|c| c.given.purpose != ConfirmationPurpose::SignInCode || c.is_live(now));
        Ok(u64::try_from(before - state.confirmations.len()).unwrap_or(u64::MAX))
    }

    async fn confirm_by_link(
        &self,
        link_hash: &SecretHash,
        now: DateTime<Utc>,
        audit: &[AuditEvent],
    ) -> Result<Option<UserId>, StoreError> {
        let mut state = self.lock()?;
        let Some(position) = state.live_link(link_hash, ConfirmationPurpose::Email, now) else {
            return Ok(None);
        };
        let user = state.confirmations[position].given.user_id.clone();
        let confirmed = if state.awaiting_consent(&user) {
            state.confirm_keeping_link(position, now)
        } else {
            state.confirm_email(position, now)
        };
        state.record_about(&confirmed, audit, None);
        Ok(Some(confirmed))
    }

    async fn used_email_link_user(&self, link_hash: &SecretHash) -> Result<Option<UserId>, StoreError> {
        Ok(self.lock()?.used_email_links.get(link_hash).cloned())
    }

    async fn email_link_user(&self, link_hash: &SecretHash, now: DateTime<Utc>) -> Result<Option<UserId>, StoreError> {
        Ok(self.lock()?.live_link_user(link_hash, ConfirmationPurpose::Email, now))
    }

    async fn complete_signup(&self, completion: SignupCompletion) -> Result<Option<User>, StoreError> {
        self.lock()?.complete_signup(completion)
    }

    async fn reset_link_user(&self, link_hash: &SecretHash, now: DateTime<Utc>) -> Result<Option<UserId>, StoreError> {
        Ok(self
            .lock()?
            .live_link_user(link_hash, ConfirmationPurpose::PasswordReset, now))
    }

    async fn reset_password(
        &self,
        link_hash: &SecretHash,
        hash: &PasswordHash,
        now: DateTime<Utc>,
        mail: Option<NewOutboxMail>,
        audit: &[AuditEvent],
    ) -> Result<Option<UserId>, StoreError> {
        let mut state = self.lock()?;
        let Some(position) = state.live_link(link_hash, ConfirmationPurpose::PasswordReset, now) else {
            return Ok(None);
        };
        if let Some(mail) = &mail {
            state.check_mail(mail)?;
        }
        let user = state.confirmations.remove(position).given.user_id;
        if let Some(stored) = state.users.get_mut(&user) {
            stored.password_hash = Some(hash.clone());
            // The link reached the address: it is confirmed, since the
            // first time if it already was.
            stored.email_confirmed_at.get_or_insert(now);
        }
        state.sign_out(&user);
        state.record_about(&user, audit, None);
        if let Some(mail) = mail {
            state.queue_mail(mail);
        }
        Ok(Some(user))
    }
}
