//! Accounts: registration, look-ups and changes.

use std::collections::{BTreeSet, HashSet};

use async_trait::async_trait;
use registrar_domain::{AuditEvent, ConfirmationPurpose, Email, Language, PasswordHash, Profile, Role, User, UserId};
use registrar_store::{ImportedUser, NewOutboxMail, NewSession, Registration, StoreError, UserStore};

use crate::confirmations::StoredConfirmation;
use crate::MemoryStore;

#[async_trait]
impl UserStore for MemoryStore {
    async fn import_users(&self, users: Vec<ImportedUser>) -> Result<u64, StoreError> {
        let mut state = self.lock()?;
        // Every check before the first change: all or nothing.
        let mut emails = HashSet::new();
        let mut tokens = HashSet::new();
        for ImportedUser {
            user,
            session,
            accepted_policies,
            mfa_token,
            ..
        } in &users
        {
            if state.user_ids_by_email.contains_key(user.email.normalized()) || !emails.insert(user.email.normalized())
            {
                return Err(StoreError::DuplicateEmail);
            }
            if state.users.contains_key(&user.id) {
                return Err(StoreError::Duplicate);
            }
            if let Some(unknown) = state.unknown_revision(accepted_policies) {
                return Err(StoreError::UnknownRevision(unknown));
            }
            if let Some(session) = session {
                state.require_client(&session.client_id)?;
            }
            if let Some(token) = mfa_token {
                if state.factors.mfa_tokens.contains_key(&token.token_hash) || !tokens.insert(&token.token_hash) {
                    return Err(StoreError::Duplicate);
                }
            }
        }
        let count = users.len() as u64;
        for imported in users {
            let acceptances = state.acceptances.entry(imported.user.id.clone()).or_default();
            for id in imported.accepted_policies {
                acceptances.entry(id).or_insert((imported.user.created_at, None));
            }
            state.import_factors(&imported.user, imported.totp, imported.mfa_token);
            state.insert_user(imported.user);
            state.record(&imported.audit);
            if let Some(session) = imported.session {
                state.open_session(session, usize::MAX);
            }
        }
        Ok(count)
    }

    async fn taken_emails(&self, emails: &[Email]) -> Result<BTreeSet<String>, StoreError> {
        let state = self.lock()?;
        Ok(emails
            .iter()
            .map(Email::normalized)
            .filter(|email| state.user_ids_by_email.contains_key(*email))
            .map(str::to_owned)
            .collect())
    }

    async fn upgrade_password_hash(
        &self,
        id: &UserId,
        verified: &PasswordHash,
        upgraded: &PasswordHash,
    ) -> Result<bool, StoreError> {
        let mut state = self.lock()?;
        match state.users.get_mut(id) {
            Some(user) if user.password_hash.as_ref() == Some(verified) => {
                user.password_hash = Some(upgraded.clone());
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn refresh_statistics(&self) -> Result<(), StoreError> {
        // No planner: every look-up is a map access.
        Ok(())
    }

    async fn register(&self, registration: Registration) -> Result<(), StoreError> {
        let Registration {
            user,
            accepted_policies,
            session,
            outbox,
            invite,
            max_sessions_per_client,
            audit,
            confirmation,
        } = registration;
        let mut state = self.lock()?;

        // Every check before the first change: all or nothing.
        if state.user_ids_by_email.contains_key(user.email.normalized()) {
            return Err(StoreError::DuplicateEmail);
        }
        if state.users.contains_key(&user.id) {
            return Err(StoreError::Duplicate);
        }
        if invite.as_ref().is_some_and(|hash| !state.invite_usable(hash)) {
            return Err(StoreError::InvalidInvite);
        }
        if let Some(unknown) = state.unknown_revision(&accepted_policies) {
            return Err(StoreError::UnknownRevision(unknown));
        }
        if let Some(session) = &session {
            state.require_client(&session.client_id)?;
            // The account is created with the password the session rests on.
            if session.credential.is_some() && session.credential != user.password_hash {
                return Err(StoreError::StaleCredential);
            }
        }
        if confirmation.as_ref().is_some_and(|c| c.user_id != user.id) {
            return Err(StoreError::unexpected("a registration's confirmation for another user"));
        }
        let mut mail_ids = HashSet::new();
        for mail in &outbox {
            if mail.user_id != user.id {
                state.require_user(&mail.user_id)?;
            }
            if !mail_ids.insert(&mail.id) || state.outbox.iter().any(|q| q.mail.id == mail.id) {
                return Err(StoreError::Duplicate);
            }
        }

        if let Some(hash) = &invite {
            state.use_invite(hash);
        }
        let acceptances = state.acceptances.entry(user.id.clone()).or_default();
        for id in accepted_policies {
            acceptances.entry(id).or_insert((user.created_at, Some(user.language)));
        }
        state.insert_user(user);
        state.record(&audit);
        if let Some(session) = session {
            state.open_session(session, max_sessions_per_client);
        }
        for mail in outbox {
            state.queue_mail(mail);
        }
        if let Some(given) = confirmation {
            state.confirmations.push(StoredConfirmation { given, wrong_tries: 0 });
        }
        Ok(())
    }

    async fn user_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        let state = self.lock()?;
        Ok(state
            .user_ids_by_email
            .get(email.normalized())
            .and_then(|id| state.users.get(id))
            .cloned())
    }

    async fn user_by_id(&self, id: &UserId) -> Result<Option<User>, StoreError> {
        Ok(self.lock()?.users.get(id).cloned())
    }

    async fn update_profile(
        &self,
        id: &UserId,
        profile: &Profile,
        language: Language,
        audit: &[AuditEvent],
    ) -> Result<User, StoreError> {
        let mut state = self.lock()?;
        let user = state.users.get_mut(id).ok_or(StoreError::NotFound)?;
        user.profile = profile.clone();
        user.language = language;
        let user = user.clone();
        state.record(audit);
        Ok(user)
    }

    async fn set_password(
        &self,
        id: &UserId,
        hash: &PasswordHash,
        keep: Option<NewSession>,
        mail: Option<NewOutboxMail>,
        audit: &[AuditEvent],
    ) -> Result<(), StoreError> {
        let mut state = self.lock()?;
        state.require_user(id)?;
        if let Some(keep) = &keep {
            state.require_client(&keep.client_id)?;
            // The password the caller verified must still be the user's.
            state.check_credential(id, keep.credential.as_ref())?;
        }
        if let Some(mail) = &mail {
            state.check_mail(mail)?;
        }
        if let Some(user) = state.users.get_mut(id) {
            user.password_hash = Some(hash.clone());
        }
        state.sign_out(id);
        state.drop_confirmations(id, ConfirmationPurpose::PasswordReset);
        state.record(audit);
        if let Some(keep) = keep {
            state.open_session(keep, usize::MAX);
        }
        if let Some(mail) = mail {
            state.queue_mail(mail);
        }
        Ok(())
    }

    async fn set_disabled(&self, id: &UserId, disabled: bool, audit: &[AuditEvent]) -> Result<(), StoreError> {
        let mut state = self.lock()?;
        let user = state.users.get_mut(id).ok_or(StoreError::NotFound)?;
        let flipped = user.disabled != disabled;
        user.disabled = disabled;
        if disabled {
            state.sign_out(id);
        }
        state.record_if(flipped, audit);
        Ok(())
    }

    async fn set_role(&self, id: &UserId, role: &Role, audit: &[AuditEvent]) -> Result<(), StoreError> {
        let mut state = self.lock()?;
        let user = state.users.get_mut(id).ok_or(StoreError::NotFound)?;
        let changed = user.role != *role;
        user.role = role.clone();
        state.record_if(changed, audit);
        Ok(())
    }

    async fn delete_user(&self, id: &UserId, audit: &[AuditEvent]) -> Result<bool, StoreError> {
        let mut state = self.lock()?;
        let Some(user) = state.users.remove(id) else {
            return Ok(false);
        };
        state.record(audit);
        for record in state.admin.events.iter_mut() {
            if record.event.user.as_ref() == Some(id) {
                registrar_store::anonymize(&mut record.event);
            }
        }
        state.user_ids_by_email.remove(user.email.normalized());
        state.revoke_where(|s| &s.user_id == id);
        state.acceptances.remove(id);
        state.confirmations.retain(|c| &c.given.user_id != id);
        state.email_changes.remove(id);
        state.used_email_links.retain(|_, user| user != id);
        state.outbox.retain(|q| &q.mail.user_id != id);
        state.factors.forget(id);
        state.authorization.forget_user(id);
        Ok(true)
    }
}
