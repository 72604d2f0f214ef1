//! Placeholder until the ID-token branch lands (replaced by `id_token.rs`).

use chrono::{DateTime, Utc};
use registrar_domain::{ClientId, Scopes, SignInMethod, User};
use registrar_mail::Mailer;
use registrar_store::Store;

use crate::{Registrar, ServiceError};

impl<S: Store, M: Mailer> Registrar<S, M> {
    pub async fn id_token(
        &self,
        _user: &User,
        _audience: &ClientId,
        _scope: &Scopes,
        _nonce: Option<&str>,
        _auth_time: DateTime<Utc>,
        _method: SignInMethod,
    ) -> Result<String, ServiceError> {
        Err(ServiceError::Unexpected("ID tokens are not built yet".into()))
    }
}

/// Who an `id_token_hint` names: the token's `sub` and `aud`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdTokenHint {
    pub user: registrar_domain::UserId,
    pub client: ClientId,
}

impl<S: Store, M: Mailer> Registrar<S, M> {
    /// An ID token this server issued (signature by one of its published
    /// keys, `iss` ours; expiry not checked: RP-Initiated Logout §2 takes
    /// expired hints), read as a logout hint; `None` for anything else.
    pub async fn id_token_hint(&self, _token: &str) -> Result<Option<IdTokenHint>, ServiceError> {
        Ok(None)
    }
}
