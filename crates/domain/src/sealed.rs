//! Secrets the server must read back (TOTP seeds; later, signing keys),
//! sealed with XChaCha20-Poly1305 (`chacha20poly1305`) under a key derived
//! from the server secret.
//!
//! The stored form is text: `v1.<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>`.
//! - `v1` names the format and the cipher, so that another can follow.
//! - The key id (8 hex digits of an HMAC under the server secret, which
//!   tells nothing of it) names the server secret that sealed the value:
//!   after a rotation, a [`Keyring`] holding the previous secrets still
//!   opens what they sealed, and [`Keyring::is_current`] says what to seal
//!   again.
//! - The associated data binds the value to its purpose and its owner (say
//!   `totp` and a user id): a sealed value copied to another row, or read as
//!   another kind of secret, does not open.
//!
//! The nonce is 24 random bytes from the caller (randomness is not the
//! domain's); at that length random nonces do not collide.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use crate::secret::SecretKey;

/// The format's name, first in the stored form.
const VERSION: &str = "v1";
/// Bytes of a nonce.
pub const NONCE_BYTES: usize = 24;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// Not `v1.<key id>.<base64url>`, or too short to hold a nonce and a tag.
    #[error("the sealed value is not in the v1 format")]
    Malformed,
    /// Sealed under a server secret that is neither the current one nor a
    /// previous one.
    #[error("the sealed value was sealed under a server secret this server does not hold")]
    UnknownKey,
    /// The tag does not match: altered, or sealed for another purpose or owner.
    #[error("the sealed value does not open: altered, or sealed for another purpose or owner")]
    Forged,
}

/// A sealed secret as stored. Holds nothing readable without the key.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed(String);

impl Sealed {
    /// Wraps a value read back from storage (checked when opened).
    pub fn from_stored(text: String) -> Self {
        Self(text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `(key id, nonce ‖ ciphertext ‖ tag)`.
    fn parts(&self) -> Result<(&str, Vec<u8>), SealError> {
        let mut parts = self.0.splitn(3, '.');
        let (Some(VERSION), Some(key_id), Some(body)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(SealError::Malformed);
        };
        let bytes = URL_SAFE_NO_PAD.decode(body).map_err(|_| SealError::Malformed)?;
        if bytes.len() < NONCE_BYTES + 16 {
            return Err(SealError::Malformed);
        }
        Ok((key_id, bytes))
    }
}

impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sealed(<opaque>)")
    }
}

/// The current server secret, which seals, and the previous ones, which
/// still open what they sealed until it is sealed again.
#[derive(Debug, Clone)]
pub struct Keyring {
    current: SecretKey,
    previous: Vec<SecretKey>,
}

impl Keyring {
    pub fn new(current: SecretKey, previous: Vec<SecretKey>) -> Self {
        Self { current, previous }
    }

    pub fn current(&self) -> &SecretKey {
        &self.current
    }

    /// Seals `plaintext` for `purpose` and `owner` under the current secret.
    pub fn seal(&self, purpose: &str, owner: &str, plaintext: &[u8], nonce: [u8; NONCE_BYTES]) -> Sealed {
        let key_id = key_id(&self.current);
        let aad = associated_data(&key_id, purpose, owner);
        let nonce = XNonce::from(nonce);
        // Encryption into a Vec fails only past the cipher's length limit
        // (256 GiB); our secrets are bytes long.
        let ciphertext = cipher(&self.current)
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad: aad.as_bytes(),
                },
            )
            .unwrap_or_default();
        let mut body = nonce.to_vec();
        body.extend_from_slice(&ciphertext);
        Sealed(format!("{VERSION}.{key_id}.{}", URL_SAFE_NO_PAD.encode(body)))
    }

    /// Opens a value sealed for `purpose` and `owner` by the current secret
    /// or a previous one.
    pub fn open(&self, purpose: &str, owner: &str, sealed: &Sealed) -> Result<Vec<u8>, SealError> {
        let (key_id_of_value, bytes) = sealed.parts()?;
        let key = std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|key| key_id(key) == key_id_of_value)
            .ok_or(SealError::UnknownKey)?;
        let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
        let nonce = XNonce::try_from(nonce).map_err(|_| SealError::Malformed)?;
        let aad = associated_data(key_id_of_value, purpose, owner);
        cipher(key)
            .decrypt(
                &nonce,
                Payload {
                    msg: ciphertext,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| SealError::Forged)
    }

    /// Whether `sealed` is sealed under the current secret (if not, open it
    /// and seal it again to retire the previous one).
    pub fn is_current(&self, sealed: &Sealed) -> bool {
        sealed.parts().is_ok_and(|(id, _)| id == key_id(&self.current))
    }
}

/// 8 hex digits naming a server secret without telling anything of it.
fn key_id(key: &SecretKey) -> String {
    key.digest("sealing key id", "").chars().take(8).collect()
}

/// The cipher under a key of its own, derived from the server secret (so
/// that the sealing key is never the key of the keyed hashes).
fn cipher(key: &SecretKey) -> XChaCha20Poly1305 {
    let mut derived = [0_u8; 32];
    // The digest is 64 hex digits, so this always fills the 32 bytes.
    let _ = hex::decode_to_slice(key.digest("sealing key", VERSION), &mut derived);
    XChaCha20Poly1305::new(&derived.into())
}

fn associated_data(key_id: &str, purpose: &str, owner: &str) -> String {
    format!("{VERSION}.{key_id}\0{purpose}\0{owner}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> SecretKey {
        SecretKey::new(&[byte; 32]).unwrap()
    }

    fn ring(byte: u8) -> Keyring {
        Keyring::new(key(byte), vec![])
    }

    const NONCE: [u8; NONCE_BYTES] = [9; NONCE_BYTES];

    #[test]
    fn a_sealed_value_opens_for_its_purpose_and_owner_only() {
        let ring = ring(7);
        let sealed = ring.seal("totp", "user-1", b"seed bytes", NONCE);
        assert_eq!(ring.open("totp", "user-1", &sealed), Ok(b"seed bytes".to_vec()));
        assert_eq!(
            ring.open("totp", "user-2", &sealed),
            Err(SealError::Forged),
            "another owner"
        );
        assert_eq!(
            ring.open("signing", "user-1", &sealed),
            Err(SealError::Forged),
            "another purpose"
        );
        assert!(!sealed.as_str().contains("seed"), "{}", sealed.as_str());
        assert_eq!(format!("{sealed:?}"), "Sealed(<opaque>)");
    }

    #[test]
    fn the_stored_form_is_versioned_and_names_its_key() {
        let sealed = ring(7).seal("totp", "u", b"x", NONCE);
        let parts: Vec<&str> = sealed.as_str().split('.').collect();
        assert_eq!(parts.len(), 3, "{}", sealed.as_str());
        assert_eq!(parts[0], "v1");
        assert_eq!(parts[1].len(), 8);
        assert!(parts[1].bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(
            parts[1],
            ring(8)
                .seal("totp", "u", b"x", NONCE)
                .as_str()
                .split('.')
                .nth(1)
                .unwrap_or_default()
        );
        // nonce (24) + plaintext (1) + tag (16)
        assert_eq!(URL_SAFE_NO_PAD.decode(parts[2]).map(|b| b.len()), Ok(41));
    }

    #[test]
    fn an_altered_value_does_not_open() {
        let ring = ring(7);
        let sealed = ring.seal("totp", "u", b"secret", NONCE);
        let text = sealed.as_str();
        let (head, body) = text.rsplit_once('.').unwrap();
        let mut bytes = URL_SAFE_NO_PAD.decode(body).unwrap();
        for index in [0, NONCE_BYTES, bytes.len() - 1] {
            bytes[index] ^= 1;
            let altered = Sealed::from_stored(format!("{head}.{}", URL_SAFE_NO_PAD.encode(&bytes)));
            assert_eq!(ring.open("totp", "u", &altered), Err(SealError::Forged), "byte {index}");
            bytes[index] ^= 1;
        }
        for malformed in ["", "v1", "v1.abcd", "v2.00000000.AAAA", "v1.00000000.!!!", "v1.x.AAAA"] {
            let result = ring.open("totp", "u", &Sealed::from_stored(malformed.into()));
            assert!(
                matches!(result, Err(SealError::Malformed | SealError::UnknownKey)),
                "{malformed:?}: {result:?}"
            );
        }
    }

    #[test]
    fn after_a_rotation_the_previous_secret_still_opens_until_sealed_again() {
        let old = ring(7);
        let sealed = old.seal("totp", "u", b"secret", NONCE);
        assert_eq!(
            ring(8).open("totp", "u", &sealed),
            Err(SealError::UnknownKey),
            "the new secret alone"
        );

        let rotated = Keyring::new(key(8), vec![key(7)]);
        assert!(!rotated.is_current(&sealed));
        let opened = rotated.open("totp", "u", &sealed).unwrap();
        assert_eq!(opened, b"secret");
        let resealed = rotated.seal("totp", "u", &opened, NONCE);
        assert!(rotated.is_current(&resealed));
        assert_eq!(
            ring(8).open("totp", "u", &resealed),
            Ok(b"secret".to_vec()),
            "no longer needs the old one"
        );
    }
}
