//! Admin API keys: created with their scopes and shown once, stored as a
//! keyed hash, listed, revoked; and the check every admin API call makes
//! ([`Registrar::authenticate_admin`]). The CLI and the admin API share
//! these use cases; each takes the [`Actor`] that acts and records an
//! `admin.action` event with the change.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::rngs::OsRng;
use rand::RngCore;
use registrar_domain::{
    Actor, AdminKey, AdminScope, AdminScopes, AuditEvent, AuditKind, AuditRecord, ClientIp, SecretHash, SecretToken,
    ThrottleKey,
};
use registrar_mail::Mailer;
use registrar_store::{AuditCursor, AuditFilter, Store, StoreError};

use crate::tokens::random_hex;
use crate::{Registrar, ServiceError};

/// What every admin key starts with: recognisable in a leaked log or a
/// secret scanner's rules.
pub const ADMIN_KEY_PREFIX: &str = "rgk_";

/// The purpose of [`registrar_domain::SecretKey::digest`] for admin keys.
const ADMIN_KEY_PURPOSE: &str = "admin-key";

/// Why an admin API call is refused before it starts.
#[derive(Debug, thiserror::Error)]
pub enum AdminAuthError {
    /// No key was given: 401 with the bare challenge.
    #[error("an admin API key is required")]
    Missing,
    /// A key that is not a live key: 401, `invalid_token`. Counted against the caller's address.
    #[error("invalid admin API key")]
    Invalid,
    /// A live key without the scope the call needs: 403, `insufficient_scope`.
    #[error("the admin API key lacks the scope {0}")]
    InsufficientScope(AdminScope),
    /// Too many wrong keys from this address, or the store failed.
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<StoreError> for AdminAuthError {
    fn from(e: StoreError) -> Self {
        Self::Service(e.into())
    }
}

/// An admin key's name: 1 to 64 of `A-Z a-z 0-9 . _ -` (it names the actor
/// in the audit trail, `admin:<name>`, and the key on the command line).
pub fn admin_key_name(input: &str) -> Result<String, ServiceError> {
    let name = input.trim();
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(name.to_owned())
    } else {
        Err(ServiceError::unexpected(
            "an admin key name is 1 to 64 of A-Z, a-z, 0-9, '.', '_' and '-'",
        ))
    }
}

/// `rgk_` and 256 random bits, base64url without padding.
fn new_admin_key() -> SecretToken {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    SecretToken::new(format!("{ADMIN_KEY_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)))
}

/// Only what [`new_admin_key`] makes can be a key: anything else is refused
/// without a store round trip.
fn looks_like_admin_key(key: &str) -> bool {
    key.strip_prefix(ADMIN_KEY_PREFIX).is_some_and(|rest| {
        rest.len() == 43
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

impl<S: Store, M: Mailer> Registrar<S, M> {
    fn admin_key_hash(&self, key: &str) -> SecretHash {
        SecretHash::from_stored(self.settings.secret_key.digest(ADMIN_KEY_PURPOSE, key))
    }

    /// An `admin.action` event by `actor`: `action` done to `target`.
    pub(crate) fn admin_event(&self, actor: &Actor, action: &str, target: &str) -> AuditEvent {
        self.event(AuditKind::AdminAction, actor.clone())
            .with("action", action)
            .with("target", target)
    }

    /// Creates a key named `name` with `scopes`; the key itself is handed
    /// back here once, only its keyed hash is kept. A name taken (by a live
    /// or a revoked key) is refused.
    pub async fn create_admin_key(
        &self,
        actor: &Actor,
        name: &str,
        scopes: AdminScopes,
    ) -> Result<(AdminKey, SecretToken), ServiceError> {
        let name = admin_key_name(name)?;
        let secret = new_admin_key();
        let key = AdminKey {
            id: random_hex(16),
            name: name.clone(),
            scopes,
            key_hash: self.admin_key_hash(secret.expose()),
            created_at: self.now(),
            last_used_at: None,
            revoked_at: None,
        };
        let event = self
            .admin_event(actor, "admin_key.created", &name)
            .with("scopes", key.scopes.to_string());
        match self.store.add_admin_key(&key, &[event]).await {
            Ok(()) => Ok((key, secret)),
            Err(StoreError::Duplicate) => Err(ServiceError::unexpected(format!(
                "an admin key named {name:?} exists (names are never reused, even after revocation)"
            ))),
            Err(e) => Err(e.into()),
        }
    }

    /// Every key, revoked ones too, by creation time.
    pub async fn admin_keys(&self) -> Result<Vec<AdminKey>, ServiceError> {
        Ok(self.store.admin_keys().await?)
    }

    /// Revokes the live key named `name`: [`ServiceError::NotFound`] if there is none.
    pub async fn revoke_admin_key(&self, actor: &Actor, name: &str) -> Result<(), ServiceError> {
        let event = self.admin_event(actor, "admin_key.revoked", name);
        match self.store.revoke_admin_key(name, self.now(), &[event]).await? {
            true => Ok(()),
            false => Err(ServiceError::NotFound),
        }
    }

    /// The live key `key` (the bearer token of an admin API call, `None`
    /// when none was sent) if it holds `needed`. A wrong key counts against
    /// `from` (`throttle.login_ip`'s limit, its own counter); while `from` is
    /// over the limit every key is refused with `TooManyAttempts`, a right one too.
    pub async fn authenticate_admin(
        &self,
        key: Option<&str>,
        needed: AdminScope,
        from: ClientIp,
    ) -> Result<AdminKey, AdminAuthError> {
        let Some(key) = key else {
            return Err(AdminAuthError::Missing);
        };
        let limit = self.settings.throttle.login_ip;
        let throttle = ThrottleKey::for_ip(registrar_domain::Scope::AdminKeyIp, from, &self.settings.secret_key);
        let now = self.now();
        if !limit.is_off() {
            if let Some(until) = self.store.throttle_lock(std::slice::from_ref(&throttle), now).await? {
                return Err(ServiceError::too_many_attempts(until - now).into());
            }
        }
        let found = if looks_like_admin_key(key) {
            self.store.admin_key_by_hash(&self.admin_key_hash(key)).await?
        } else {
            None
        };
        let Some(found) = found else {
            if !limit.is_off() {
                if let Some(until) = self.store.throttle_hit(&[(throttle, limit)], now).await? {
                    return Err(ServiceError::too_many_attempts(until - now).into());
                }
            }
            return Err(AdminAuthError::Invalid);
        };
        if !found.scopes.contains(needed) {
            return Err(AdminAuthError::InsufficientScope(needed));
        }
        self.store.admin_key_used(&found.id, now).await?;
        Ok(found)
    }

    /// Up to `limit` (1 to 1000) events matching `filter` from `cursor`, for `/admin/audit`.
    pub async fn admin_audit_events(
        &self,
        filter: &AuditFilter,
        cursor: AuditCursor,
        limit: usize,
    ) -> Result<Vec<AuditRecord>, ServiceError> {
        Ok(self.store.audit_events(filter, cursor, limit.clamp(1, 1000)).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_keys_have_their_shape() {
        let key = new_admin_key();
        assert!(looks_like_admin_key(key.expose()), "{}", key.expose().len());
        assert!(!looks_like_admin_key("rgk_short"));
        assert!(!looks_like_admin_key(&key.expose().replacen("rgk_", "rgx_", 1)));
        assert_ne!(new_admin_key().expose(), key.expose());
    }

    #[test]
    fn admin_key_names_are_plain() {
        assert_eq!(admin_key_name(" ops-bot.1 ").unwrap(), "ops-bot.1");
        assert!(admin_key_name("").is_err());
        assert!(admin_key_name("ops bot").is_err());
        assert!(admin_key_name("ops\u{7}").is_err());
        assert!(admin_key_name(&"a".repeat(65)).is_err());
    }
}
