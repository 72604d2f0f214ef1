//! The keys that sign ID tokens, shared by every instance through the
//! store.
//!
//! At most one key of an algorithm is current (not retired): the one that
//! signs. Rotating retires it, at the instant the new one is made, and the
//! retired keys stay (in the JWKS, so that what they signed still verifies)
//! until purged. The private key is sealed under the server secret before it
//! reaches the store; the public part is in clear.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use registrar_domain::Sealed;

use crate::StoreError;

/// A signature algorithm of a key (JWA names, RFC 7518 §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SigningAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (OpenID Discovery requires it).
    Rs256,
}

impl SigningAlgorithm {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rs256 => "RS256",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Rs256].into_iter().find(|alg| alg.as_str() == text)
    }
}

/// A signing key as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningKeyRecord {
    /// The key id (`kid`): random, URL-safe, unique.
    pub kid: String,
    pub alg: SigningAlgorithm,
    /// The public part, as the JWKS gives it: for RSA the modulus and the
    /// exponent, each base64url without padding (RFC 7518 §6.3.1).
    pub public_n: String,
    pub public_e: String,
    /// The private key, sealed under the server secret (owner: the kid).
    pub private: Sealed,
    pub created_at: DateTime<Utc>,
    /// When a newer key became current; `None` for the current key.
    pub retired_at: Option<DateTime<Utc>>,
}

/// Signing keys.
#[async_trait]
pub trait SigningKeyStore {
    /// Every key, current or retired, newest first.
    async fn signing_keys(&self) -> Result<Vec<SigningKeyRecord>, StoreError>;

    /// Stores `key` (not retired) as the current key of its algorithm when
    /// there is none, and returns the current key: `key`, or the one found
    /// (then `key` is not stored). Of first uses racing, on one database,
    /// every caller gets the same key.
    async fn add_first_signing_key(&self, key: SigningKeyRecord) -> Result<SigningKeyRecord, StoreError>;

    /// Makes `key` (not retired) the current key of its algorithm and
    /// retires the current one at `key.created_at`, at once.
    /// [`StoreError::Duplicate`] (nothing changed) when its kid is taken or
    /// another rotation made a current key meanwhile: the caller may try
    /// again with a fresh key.
    async fn rotate_signing_key(&self, key: SigningKeyRecord) -> Result<(), StoreError>;

    /// Deletes the keys retired before `retired_before`; returns how many.
    /// The current keys stay.
    async fn purge_signing_keys(&self, retired_before: DateTime<Utc>) -> Result<u64, StoreError>;
}
