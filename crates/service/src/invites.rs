//! Signup tokens: typed registration always needs one, every family does in
//! invite-only mode. A token is stored as a hash and used up with the account.

use registrar_domain::{SecretHash, SecretToken};
use registrar_mail::Mailer;
use registrar_store::{NewInvite, Store};

use crate::tokens::random_hex;
use crate::{Field, FieldError, FieldErrors, Registrar, ServiceError};

impl<S: Store, M: Mailer> Registrar<S, M> {
    /// Checks the signup token of a registration: required when `required`;
    /// when given, it must be usable. Returns its hash for the store to use up
    /// (only when it is required: an unneeded token is left alone).
    pub(crate) async fn check_invite(
        &self,
        errors: &mut FieldErrors,
        token: &Option<String>,
        required: bool,
    ) -> Result<Option<SecretHash>, ServiceError> {
        if !required {
            return Ok(None);
        }
        let Some(token) = token.as_deref() else {
            errors.add(Field::Invite, FieldError::Required);
            return Ok(None);
        };
        let hash = SecretHash::of(token);
        if !self.store.invite_usable(&hash).await? {
            errors.add(Field::Invite, FieldError::InvalidInvite);
        }
        Ok(Some(hash))
    }

    /// `registrar invite create`: a new signup token good for `uses` registrations.
    pub async fn create_invite(&self, name: Option<String>, uses: u32) -> Result<SecretToken, ServiceError> {
        if uses == 0 {
            return Err(ServiceError::unexpected("--uses must be at least 1"));
        }
        let token = SecretToken::new(random_hex(24));
        let name = name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
        self.store
            .create_invite(NewInvite {
                token_hash: token.hash(),
                name,
                uses,
                created_at: self.now(),
            })
            .await?;
        Ok(token)
    }
}
