//! [`EmailChangeStore`] in memory: one pending change per user.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use registrar_domain::{SecretHash, UserId};
use registrar_store::{
    CodeOutcome, EmailChangeCancellation, EmailChangeConfirmation, EmailChangeLink, EmailChangeProof,
    EmailChangeSecret, EmailChangeStore, NewEmailChange, PendingEmailChange, StoreError,
};

use crate::state::State;
use crate::MemoryStore;

/// A pending change with the hashes its mails carry.
pub(crate) struct StoredEmailChange {
    pub change: PendingEmailChange,
    pub code_hash: Option<SecretHash>,
    pub link_hash: Option<SecretHash>,
    pub cancel_hash: Option<SecretHash>,
    pub attempts: u32,
}

impl StoredEmailChange {
    fn is_live(&self, now: DateTime<Utc>) -> bool {
        now < self.change.expires_at
    }

    fn link(&self, which: EmailChangeLink) -> Option<&SecretHash> {
        match which {
            EmailChangeLink::Confirm => self.link_hash.as_ref(),
            EmailChangeLink::Cancel => self.cancel_hash.as_ref(),
        }
    }
}

impl State {
    fn live_email_change(&mut self, user: &UserId, now: DateTime<Utc>) -> Option<&mut StoredEmailChange> {
        self.email_changes.get_mut(user).filter(|c| c.is_live(now))
    }
}

#[async_trait]
impl EmailChangeStore for MemoryStore {
    async fn start_email_change(&self, change: NewEmailChange) -> Result<(), StoreError> {
        let mut state = self.lock()?;
        state.require_user(&change.user)?;
        for mail in &change.mails {
            state.check_mail(mail)?;
        }
        let pending = PendingEmailChange {
            id: change.id,
            user: change.user.clone(),
            new_email: change.new_email,
            created_at: change.created_at,
            expires_at: change.expires_at,
        };
        state.email_changes.insert(
            change.user,
            StoredEmailChange {
                change: pending,
                code_hash: None,
                link_hash: None,
                cancel_hash: None,
                attempts: 0,
            },
        );
        state.record(&change.audit);
        for mail in change.mails {
            state.queue_mail(mail);
        }
        Ok(())
    }

    async fn pending_email_change(
        &self,
        user: &UserId,
        now: DateTime<Utc>,
    ) -> Result<Option<PendingEmailChange>, StoreError> {
        Ok(self.lock()?.live_email_change(user, now).map(|c| c.change.clone()))
    }

    async fn arm_email_change(
        &self,
        user: &UserId,
        id: &str,
        secret: EmailChangeSecret,
        now: DateTime<Utc>,
    ) -> Result<Option<PendingEmailChange>, StoreError> {
        let mut state = self.lock()?;
        let Some(stored) = state.live_email_change(user, now).filter(|c| c.change.id == id) else {
            return Ok(None);
        };
        match secret {
            EmailChangeSecret::Confirm { code_hash, link_hash } => {
                stored.code_hash = Some(code_hash);
                stored.link_hash = Some(link_hash);
                stored.attempts = 0;
            }
            EmailChangeSecret::Cancel { link_hash } => stored.cancel_hash = Some(link_hash),
        }
        Ok(Some(stored.change.clone()))
    }

    async fn email_change_by_link(
        &self,
        link_hash: &SecretHash,
        which: EmailChangeLink,
        now: DateTime<Utc>,
    ) -> Result<Option<PendingEmailChange>, StoreError> {
        let state = self.lock()?;
        Ok(state
            .email_changes
            .values()
            .find(|c| c.is_live(now) && c.link(which) == Some(link_hash))
            .map(|c| c.change.clone()))
    }

    async fn confirm_email_change(&self, confirmation: &EmailChangeConfirmation) -> Result<CodeOutcome, StoreError> {
        let mut state = self.lock()?;
        let user = &confirmation.user;
        let Some(stored) = state.live_email_change(user, confirmation.now) else {
            return Ok(CodeOutcome::NoCode);
        };
        match &confirmation.proof {
            EmailChangeProof::Code {
                code_hash,
                max_attempts,
            } => {
                let Some(live) = &stored.code_hash else {
                    return Ok(CodeOutcome::NoCode);
                };
                if stored.attempts >= *max_attempts {
                    return Ok(CodeOutcome::TooManyAttempts);
                }
                if live != code_hash {
                    stored.attempts += 1;
                    return Ok(CodeOutcome::Wrong);
                }
            }
            EmailChangeProof::Link(link_hash) => {
                if stored.link_hash.as_ref() != Some(link_hash) {
                    return Ok(CodeOutcome::NoCode);
                }
            }
        }
        let new_email = stored.change.new_email.clone();
        if state
            .user_ids_by_email
            .get(new_email.normalized())
            .is_some_and(|owner| owner != user)
        {
            return Err(StoreError::DuplicateEmail);
        }
        state.check_mail(&confirmation.notice)?;
        state.email_changes.remove(user);
        let Some(account) = state.users.get_mut(user) else {
            return Ok(CodeOutcome::NoCode);
        };
        let old = std::mem::replace(&mut account.email, new_email.clone());
        account.email_confirmed_at = Some(confirmation.now);
        state.user_ids_by_email.remove(old.normalized());
        state
            .user_ids_by_email
            .insert(new_email.normalized().to_owned(), user.clone());
        state.record(&confirmation.audit);
        state.queue_mail(confirmation.notice.clone());
        Ok(CodeOutcome::Confirmed)
    }

    async fn cancel_email_change(&self, cancellation: &EmailChangeCancellation) -> Result<bool, StoreError> {
        let mut state = self.lock()?;
        let user = &cancellation.user;
        let matches = state
            .live_email_change(user, cancellation.now)
            .is_some_and(|c| c.cancel_hash.as_ref() == Some(&cancellation.link_hash));
        if !matches {
            return Ok(false);
        }
        state.check_mail(&cancellation.reset_mail)?;
        state.email_changes.remove(user);
        state.sign_out(user);
        state.record(&cancellation.audit);
        state.queue_mail(cancellation.reset_mail.clone());
        Ok(true)
    }

    async fn purge_email_changes(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut state = self.lock()?;
        let before = state.email_changes.len();
        state.email_changes.retain(|_, c| c.is_live(now));
        Ok(u64::try_from(before - state.email_changes.len()).unwrap_or(u64::MAX))
    }
}
