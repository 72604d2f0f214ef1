//! ID-token signing keys: made, rotated, published and purged.
//!
//! The keys live in the store, shared by every instance; the private key is
//! sealed under the server secret (purpose [`SIGNING_KEY_PURPOSE`], owner the
//! kid) and opened only to sign. The first use with no key makes one (the
//! store keeps one of racing first keys). A retired key stays published for
//! [`Registrar::signing_key_retention`] after it was retired, so that what
//! it signed still verifies, and may be purged after.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use rand::rngs::OsRng;
use rand::RngCore;
use registrar_domain::RsaSigningKey;
use registrar_mail::Mailer;
use registrar_store::{SigningAlgorithm, SigningKeyRecord, Store, StoreError};

use crate::{Registrar, ServiceError};

/// The purpose a private signing key is sealed for.
pub const SIGNING_KEY_PURPOSE: &str = "signing key";

/// Tries of a rotation that lost a race to another (each with a new key).
const ROTATION_TRIES: usize = 3;

/// A key to sign with: its kid and the opened private key.
#[derive(Debug, Clone)]
pub struct CurrentSigningKey {
    pub kid: String,
    pub alg: SigningAlgorithm,
    pub key: RsaSigningKey,
}

/// A random kid: 128 bits, base64url without padding (URL-safe).
fn new_kid() -> String {
    let mut bytes = [0_u8; 16];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A new RSA key from the OS generator, made off the async threads (a
/// 2048-bit key takes a good part of a second).
async fn generate() -> Result<RsaSigningKey, ServiceError> {
    tokio::task::spawn_blocking(|| {
        let mut rng = getrandom::rand_core::UnwrapErr(getrandom::SysRng);
        RsaSigningKey::generate(&mut rng)
    })
    .await
    .map_err(|e| ServiceError::unexpected(format!("key generation task: {e}")))?
    .map_err(ServiceError::unexpected)
}

impl<S: Store, M: Mailer> Registrar<S, M> {
    /// How long a retired key stays published: twice the access token's
    /// life. ID tokens (not issued yet) will live no longer than an access
    /// token, so every token a key signed has expired by then, with room
    /// for clock skew and caches of the JWKS.
    pub fn signing_key_retention(&self) -> Duration {
        self.settings.access_token_ttl * 2
    }

    /// A new key, current from `now`, sealed for the store.
    async fn new_signing_key(&self, now: DateTime<Utc>) -> Result<SigningKeyRecord, ServiceError> {
        let key = generate().await?;
        let kid = new_kid();
        let der = key.to_pkcs8_der().map_err(ServiceError::unexpected)?;
        Ok(SigningKeyRecord {
            private: self.seal(SIGNING_KEY_PURPOSE, &kid, &der),
            kid,
            alg: SigningAlgorithm::Rs256,
            public_n: key.public_n(),
            public_e: key.public_e(),
            created_at: now,
            retired_at: None,
        })
    }

    /// `registrar keys rotate`: a new current key; the one it replaces is
    /// retired now and stays published. Returns the new key.
    pub async fn rotate_signing_key(&self) -> Result<SigningKeyRecord, ServiceError> {
        let mut tries = 0;
        loop {
            let key = self.new_signing_key(self.now()).await?;
            match self.store.rotate_signing_key(key.clone()).await {
                Ok(()) => return Ok(key),
                // Another rotation went first: rotate over it.
                Err(StoreError::Duplicate) if tries + 1 < ROTATION_TRIES => tries += 1,
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// `registrar keys list`: every key, newest first.
    pub async fn signing_keys(&self) -> Result<Vec<SigningKeyRecord>, ServiceError> {
        Ok(self.store.signing_keys().await?)
    }

    /// The current key's record, made first if there is none.
    async fn current_signing_record(&self) -> Result<SigningKeyRecord, ServiceError> {
        let keys = self.store.signing_keys().await?;
        if let Some(current) = keys.into_iter().find(|k| k.retired_at.is_none()) {
            return Ok(current);
        }
        let first = self.new_signing_key(self.now()).await?;
        Ok(self.store.add_first_signing_key(first).await?)
    }

    /// The keys to publish (the JWKS), newest first: the current one (made
    /// first if there is none) and those retired less than
    /// [`Self::signing_key_retention`] ago.
    pub async fn published_signing_keys(&self) -> Result<Vec<SigningKeyRecord>, ServiceError> {
        let current = self.current_signing_record().await?;
        let since = self.now() - self.signing_key_retention();
        let mut keys = self.store.signing_keys().await?;
        keys.retain(|k| k.kid == current.kid || k.retired_at.is_none_or(|retired| retired > since));
        if !keys.iter().any(|k| k.kid == current.kid) {
            keys.insert(0, current);
        }
        Ok(keys)
    }

    /// The key to sign with now (made first if there is none), opened.
    pub async fn current_signing_key(&self) -> Result<CurrentSigningKey, ServiceError> {
        let record = self.current_signing_record().await?;
        let der = self
            .settings
            .keyring()
            .open(SIGNING_KEY_PURPOSE, &record.kid, &record.private)
            .map_err(ServiceError::unexpected)?;
        let key = RsaSigningKey::from_pkcs8_der(&der).map_err(ServiceError::unexpected)?;
        Ok(CurrentSigningKey {
            kid: record.kid,
            alg: record.alg,
            key,
        })
    }

    /// Deletes the keys retired longer than [`Self::signing_key_retention`]
    /// ago (no longer published); returns how many.
    pub async fn purge_signing_keys(&self) -> Result<u64, ServiceError> {
        let before = self.now() - self.signing_key_retention();
        Ok(self.store.purge_signing_keys(before).await?)
    }
}
