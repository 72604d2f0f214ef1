//! Secrets handed to clients (tokens, codes, link tokens) and the only thing
//! we keep of them: a digest.
//!
//! Two kinds of digest:
//! - Session tokens (256 random bits) and signup tokens (192) cannot be
//!   found by trying: their plain
//!   SHA-256 ([`SecretHash::of`]) cannot be reversed, and keeping it
//!   unkeyed means a lost server secret signs nobody out.
//! - Short or guessable secrets — six-digit codes, and for good measure the
//!   link tokens of mails — and throttle keys (addresses, IPs) are hashed
//!   with HMAC-SHA-256 under the server secret ([`SecretKey`]): whoever
//!   reads the database cannot try every code or address against them.
//!   Losing the secret invalidates only the live codes and links.

use std::fmt;
use std::sync::Arc;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// `Debug` for a type that holds a secret: `Name(<redacted>)`, nothing of it.
macro_rules! redacted {
    ($($name:ident),+ $(,)?) => {$(
        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }
    )+};
}
pub(crate) use redacted;

/// A secret in clear, as handed to the client. Never stored, never logged.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretToken(String);

impl SecretToken {
    /// Wraps a secret generated elsewhere (randomness is not the domain's).
    pub fn new(value: String) -> Self {
        Self(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Plain SHA-256: for 256-bit random tokens only (see the module).
    pub fn hash(&self) -> SecretHash {
        SecretHash::of(&self.0)
    }
}

redacted!(SecretToken);

/// Lowercase hex digest of a secret: what the store keeps and looks up by.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SecretHash(String);

impl SecretHash {
    /// Plain SHA-256, for high-entropy tokens (see the module).
    pub fn of(secret: &str) -> Self {
        Self(hex::encode(Sha256::digest(secret.as_bytes())))
    }

    /// Wraps a hash read back from storage.
    pub fn from_stored(hex: String) -> Self {
        Self(hex)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Equality in time independent of where the two differ: for a hash
    /// compared with one computed from what a caller sent (a client secret).
    pub fn matches(&self, other: &SecretHash) -> bool {
        let (a, b) = (self.0.as_bytes(), other.0.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

impl fmt::Debug for SecretHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretHash({}…)", self.0.get(..8).unwrap_or(&self.0))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SecretKeyError {
    #[error("the server secret must be at least {min} bytes long (e.g. 64 hex digits: `openssl rand -hex 32`)")]
    TooShort { min: usize },
}

/// The server secret: the key of every keyed hash. Cheap to clone; its
/// `Debug` prints nothing of it.
#[derive(Clone)]
pub struct SecretKey(Arc<[u8]>);

impl SecretKey {
    /// The shortest secret accepted, in bytes.
    pub const MIN_BYTES: usize = 32;

    pub fn new(bytes: &[u8]) -> Result<Self, SecretKeyError> {
        if bytes.len() < Self::MIN_BYTES {
            return Err(SecretKeyError::TooShort { min: Self::MIN_BYTES });
        }
        Ok(Self(Arc::from(bytes)))
    }

    /// HMAC-SHA-256 of `purpose` and `secret` (each purpose its own space,
    /// so a digest of one kind never matches another), as lowercase hex.
    pub fn digest(&self, purpose: &str, secret: &str) -> String {
        // HMAC takes a key of any length; `new` has checked ours.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.0) else {
            unreachable!("HMAC accepts keys of every length")
        };
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(secret.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// The keyed hash of a link token from a mail.
    pub fn link_hash(&self, token: &str) -> SecretHash {
        SecretHash(self.digest("link", token))
    }

    /// The keyed hash of a confidential client's secret. Keyed although
    /// the secret has 256 random bits, like the other secrets a caller
    /// proves: a stolen database gives nothing to try offline.
    pub fn client_secret_hash(&self, secret: &str) -> SecretHash {
        SecretHash(self.digest("client_secret", secret))
    }
}

redacted!(SecretKey);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_sha256_hex_and_secrets_do_not_print() {
        let t = SecretToken::new("abc".into());
        assert_eq!(
            t.hash().as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(format!("{t:?}"), "SecretToken(<redacted>)");
    }

    #[test]
    fn keyed_hashes_are_hmac_sha256_and_depend_on_the_key() {
        let key = SecretKey::new(&[7u8; 32]).expect("32 bytes");
        let other = SecretKey::new(&[8u8; 32]).expect("32 bytes");
        // HMAC-SHA-256(key = 32 × 0x07, "link\0abc"), computed independently
        // (Python: hmac.new(b"\x07"*32, b"link\x00abc", "sha256").hexdigest()).
        assert_eq!(
            key.link_hash("abc").as_str(),
            "6584982179f830764ecfb7d9904273d7217470f94358bb7a85b2b760c2293e5e"
        );
        assert_ne!(key.link_hash("abc"), other.link_hash("abc"));
        assert_ne!(key.link_hash("abc"), SecretHash::of("abc"));
        assert_ne!(key.digest("code", "abc"), key.digest("link", "abc"));
        assert_ne!(key.client_secret_hash("abc"), key.link_hash("abc"));
        assert!(key.client_secret_hash("abc").matches(&key.client_secret_hash("abc")));
        assert!(!key.client_secret_hash("abc").matches(&key.client_secret_hash("abd")));
        assert!(!SecretHash::of("abc").matches(&SecretHash::from_stored("ba78".into())));
        assert_eq!(format!("{key:?}"), "SecretKey(<redacted>)");
    }

    #[test]
    fn short_keys_are_refused() {
        assert_eq!(
            SecretKey::new(&[1u8; 31]).map(|_| ()),
            Err(SecretKeyError::TooShort { min: 32 })
        );
    }
}
