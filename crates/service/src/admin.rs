//! Administration behind the CLI: API clients and accounts.

use registrar_domain::{text, Actor, Client, ClientId, ClientKind, RedirectUri, SecretToken, WEB_CLIENT_ID};
use registrar_mail::Mailer;
use registrar_store::Store;

use crate::tokens::random_hex;
use crate::{AccountFactors, Registrar, ServiceError};

/// A client to register (`registrar client add`), its URIs already parsed.
#[derive(Debug, Clone, Default)]
pub struct NewClient {
    pub name: String,
    pub confidential: bool,
    pub redirect_uris: Vec<RedirectUri>,
    pub post_logout_redirect_uris: Vec<RedirectUri>,
    pub trusted: bool,
}

/// 256 random bits, as 64 lowercase hex characters.
fn new_client_secret() -> SecretToken {
    SecretToken::new(random_hex(32))
}

impl<S: Store, M: Mailer> Registrar<S, M> {
    /// Registers an API client with a new random id (80 hex characters, as long as the client ids
    /// of the device-token API's examples). A confidential client also gets
    /// a secret (256 random bits as 64 lowercase hex characters), handed back
    /// here once: only its keyed hash is stored. Recorded as an
    /// `admin.action` `client.created` by `actor`.
    pub async fn register_client_as(
        &self,
        actor: &Actor,
        new: NewClient,
    ) -> Result<(Client, Option<SecretToken>), ServiceError> {
        let name = text::bounded(&new.name, 255)
            .map_err(|e| ServiceError::unexpected(format!("a client name is 1 to 255 characters: {e}")))?;
        let id = ClientId::parse(&random_hex(40)).ok_or_else(|| ServiceError::unexpected("client id"))?;
        let (kind, secret) = if new.confidential {
            let secret = new_client_secret();
            let secret_hash = self.settings.secret_key.client_secret_hash(secret.expose());
            (ClientKind::Confidential { secret_hash }, Some(secret))
        } else {
            (ClientKind::Public, None)
        };
        let client = Client {
            kind,
            redirect_uris: new.redirect_uris,
            post_logout_redirect_uris: new.post_logout_redirect_uris,
            trusted: new.trusted,
            ..Client::public(id, name, self.now())
        };
        let audit = self.admin_action(actor, "client.created", client.id.as_str());
        self.store.add_client(&client, &[audit]).await?;
        Ok((client, secret))
    }

    /// Registers a public, untrusted client without redirect URIs: an app
    /// of the device-token API (by the CLI).
    pub async fn add_client(&self, name: &str) -> Result<Client, ServiceError> {
        let new = NewClient {
            name: name.to_owned(),
            ..NewClient::default()
        };
        Ok(self.register_client(new).await?.0)
    }

    /// [`Self::register_client_as`] by the CLI.
    pub async fn register_client(&self, new: NewClient) -> Result<(Client, Option<SecretToken>), ServiceError> {
        self.register_client_as(&Actor::Cli, new).await
    }

    /// [`Self::rotate_client_secret_as`] by the CLI.
    pub async fn rotate_client_secret(&self, id: &str) -> Result<SecretToken, ServiceError> {
        self.rotate_client_secret_as(&Actor::Cli, id).await
    }

    /// [`Self::remove_client_as`] by the CLI.
    pub async fn remove_client(&self, id: &str) -> Result<(), ServiceError> {
        self.remove_client_as(&Actor::Cli, id).await
    }

    /// Gives a confidential client a new secret, returned here once; the
    /// old one stops working at once. [`ServiceError::NotFound`] for an
    /// unknown client, [`ServiceError::InvalidClient`] for a public one.
    pub async fn rotate_client_secret_as(&self, actor: &Actor, id: &str) -> Result<SecretToken, ServiceError> {
        let id = ClientId::parse(id).ok_or(ServiceError::NotFound)?;
        let client = self.store.client(&id).await?.ok_or(ServiceError::NotFound)?;
        if client.kind == ClientKind::Public {
            return Err(ServiceError::InvalidClient);
        }
        let secret = new_client_secret();
        let hash = self.settings.secret_key.client_secret_hash(secret.expose());
        let audit = self.admin_action(actor, "client.secret_rotated", id.as_str());
        match self.store.set_client_secret(&id, &hash, &[audit]).await? {
            true => Ok(secret),
            // Removed since it was read.
            false => Err(ServiceError::NotFound),
        }
    }

    pub async fn clients(&self) -> Result<Vec<Client>, ServiceError> {
        Ok(self.store.clients().await?)
    }

    /// Removes a client and revokes its sessions. The built-in `web` client stays.
    pub async fn remove_client_as(&self, actor: &Actor, id: &str) -> Result<(), ServiceError> {
        let id = ClientId::parse(id).ok_or(ServiceError::NotFound)?;
        if id.as_str() == WEB_CLIENT_ID {
            return Err(ServiceError::unexpected("the built-in web client cannot be removed"));
        }
        let audit = self.admin_action(actor, "client.removed", id.as_str());
        match self.store.remove_client(&id, &[audit]).await? {
            true => Ok(()),
            false => Err(ServiceError::NotFound),
        }
    }
}

/// Account administration behind `registrar user …`.
impl<S: Store, M: Mailer> Registrar<S, M> {
    async fn user_named(&self, email: &str) -> Result<registrar_domain::User, ServiceError> {
        let email = registrar_domain::Email::parse(email).map_err(|_| ServiceError::NotFound)?;
        self.store.user_by_email(&email).await?.ok_or(ServiceError::NotFound)
    }

    /// The account and its sessions.
    pub async fn user_show(
        &self,
        email: &str,
    ) -> Result<(registrar_domain::User, Vec<registrar_domain::Session>), ServiceError> {
        let user = self.user_named(email).await?;
        let sessions = self.store.sessions_of(&user.id).await?;
        Ok((user, sessions))
    }

    /// Disables (revoking every session) or enables an account.
    pub async fn user_set_disabled(&self, email: &str, disabled: bool) -> Result<(), ServiceError> {
        let user = self.user_named(email).await?;
        self.admin_set_disabled(&registrar_domain::Actor::Cli, &user, disabled)
            .await
    }

    /// Erases an account and everything tied to it.
    pub async fn user_delete(&self, email: &str) -> Result<(), ServiceError> {
        let user = self.user_named(email).await?;
        self.erase_user(&registrar_domain::Actor::Cli, &user).await
    }

    /// Gives an account a role (`guest` by default).
    pub async fn user_set_role(&self, email: &str, role: &str) -> Result<registrar_domain::Role, ServiceError> {
        let role = registrar_domain::Role::parse(role)
            .ok_or_else(|| ServiceError::unexpected("a role is 1 to 32 of a-z, 0-9, _ and -"))?;
        let user = self.user_named(email).await?;
        self.admin_set_role(&registrar_domain::Actor::Cli, &user, &role).await?;
        Ok(role)
    }

    /// The account's second factors (`registrar user factors`).
    pub async fn user_factors(&self, email: &str) -> Result<AccountFactors, ServiceError> {
        let user = self.user_named(email).await?;
        self.factors_of(&user.id).await
    }

    /// Removes every second factor of the account — the authenticator app
    /// and the recovery codes — and ends its sign-ins waiting for one, for
    /// a user who lost them (`registrar user factors-reset`). The user is
    /// mailed "two-step verification turned off". `false` (no mail) when
    /// there was none.
    pub async fn user_factors_reset(&self, email: &str) -> Result<bool, ServiceError> {
        let user = self.user_named(email).await?;
        self.admin_reset_factors(&registrar_domain::Actor::Cli, &user).await
    }
}
