//! Completing an email-first signup through its link: the link is used up,
//! and the address confirmed, the consent recorded, the password set and the
//! first session opened with it — one change under one lock.

use registrar_domain::{AuditKind, ConfirmationPurpose, User};
use registrar_store::{SignupCompletion, StoreError};

use crate::state::State;

impl State {
    /// `None` (nothing changed) when the link is not a live email
    /// confirmation; every check comes before the first change.
    pub fn complete_signup(&mut self, completion: SignupCompletion) -> Result<Option<User>, StoreError> {
        let SignupCompletion {
            link_hash,
            consent,
            password_hash,
            session,
            max_sessions_per_client,
            now,
            audit,
        } = completion;
        let Some(position) = self.live_link(&link_hash, ConfirmationPurpose::Email, now) else {
            return Ok(None);
        };
        let user_id = self.confirmations[position].given.user_id.clone();
        if session.user_id != user_id {
            return Err(StoreError::unexpected(
                "the signup's session is not for the user of its link",
            ));
        }
        self.require_user(&user_id)?;
        self.require_client(&session.client_id)?;
        // The session rests on the password set here, or on the stored one.
        match &password_hash {
            Some(hash) if session.credential.is_some() && session.credential.as_ref() != Some(hash) => {
                return Err(StoreError::StaleCredential);
            }
            Some(_) => {}
            None => self.check_credential(&user_id, session.credential.as_ref())?,
        }

        let was_confirmed = self.users.get(&user_id).is_some_and(User::email_confirmed);
        self.confirm_email(position, now);
        let audit: Vec<_> = audit
            .into_iter()
            .filter(|e| !(was_confirmed && e.kind == AuditKind::EmailConfirmed))
            .collect();
        self.record_about(&user_id, &audit, None);
        let user = self
            .users
            .get_mut(&user_id)
            .ok_or_else(|| StoreError::unexpected("a confirmation outlived its user"))?;
        user.consent = Some(consent);
        if let Some(hash) = password_hash {
            user.password_hash = Some(hash);
        }
        let user = user.clone();
        self.open_session(session, max_sessions_per_client);
        Ok(Some(user))
    }
}
