//! Signup tokens: typed registration always needs one, every family does in
//! invite-only mode. A token is stored as a hash and used up with the account.

use registrar_domain::{SecretHash, SecretToken};
use registrar_mail::Mailer;
use registrar_store::{InviteRecord, NewInvite, Store};

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
        self.create_invite_as(&registrar_domain::Actor::Cli, name, uses).await
    }

    /// A new signup token by `actor`, recorded as an `admin.action` `invite.created`.
    pub async fn create_invite_as(
        &self,
        actor: &registrar_domain::Actor,
        name: Option<String>,
        uses: u32,
    ) -> Result<SecretToken, ServiceError> {
        if uses == 0 {
            return Err(ServiceError::unexpected("--uses must be at least 1"));
        }
        let token = SecretToken::new(random_hex(24));
        let name = name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
        if name
            .as_deref()
            .is_some_and(|n| n.chars().any(char::is_control) || n.chars().count() > 255)
        {
            return Err(ServiceError::unexpected(
                "an invite name is at most 255 characters, no control characters",
            ));
        }
        let audit = self.admin_action(actor, "invite.created", &InviteRecord::id_of(&token.hash()));
        self.store
            .create_invite(
                NewInvite {
                    token_hash: token.hash(),
                    name,
                    uses,
                    created_at: self.now(),
                },
                &[audit],
            )
            .await?;
        Ok(token)
    }

    /// Every invite (never its token), by creation time.
    pub async fn invites(&self) -> Result<Vec<InviteRecord>, ServiceError> {
        Ok(self.store.invites().await?)
    }

    /// Revokes the invite `id` (its [`InviteRecord::id`]) by `actor`,
    /// recorded as an `admin.action` `invite.revoked` with it.
    /// [`ServiceError::NotFound`] for no such invite.
    pub async fn revoke_invite_as(&self, actor: &registrar_domain::Actor, id: &str) -> Result<(), ServiceError> {
        let audit = self.admin_action(actor, "invite.revoked", id);
        if self.store.revoke_invite(id, &[audit]).await? {
            Ok(())
        } else {
            Err(ServiceError::NotFound)
        }
    }
}
