//! An ID-token signing key: RSA 2048 signing RS256 (RSASSA-PKCS1-v1_5 with
//! SHA-256, RFC 7518 §3.3), by RustCrypto's `rsa`.
//!
//! The private key travels as PKCS#8 DER, to be sealed (see
//! [`crate::Keyring`]) before it is stored; the public part as the JWKS gives
//! it, base64url without padding (RFC 7518 §6.3.1). Randomness comes from
//! the caller (it is not the domain's).

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rsa::rand_core::CryptoRng;
use rsa::sha2::Sha256;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;

/// Bits of a new key's modulus (RFC 7518 §3.3 asks for 2048 or more).
pub const RSA_BITS: usize = 2048;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SigningKeyError {
    #[error("the RSA key could not be made")]
    Generation,
    #[error("the stored private key is not an RSA key in PKCS#8 DER")]
    Malformed,
    #[error("the private key could not be encoded")]
    Encoding,
    #[error("the signature could not be made")]
    Signing,
}

/// An RSA private key that signs RS256. `Debug` prints nothing of it.
#[derive(Clone)]
pub struct RsaSigningKey(RsaPrivateKey);

impl RsaSigningKey {
    /// A new key of [`RSA_BITS`] bits, exponent 65537.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Result<Self, SigningKeyError> {
        RsaPrivateKey::new(rng, RSA_BITS)
            .map(Self)
            .map_err(|_| SigningKeyError::Generation)
    }

    /// The key from its PKCS#8 DER (as opened from the store).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, SigningKeyError> {
        RsaPrivateKey::from_pkcs8_der(der)
            .map(Self)
            .map_err(|_| SigningKeyError::Malformed)
    }

    /// The key as PKCS#8 DER, to seal.
    pub fn to_pkcs8_der(&self) -> Result<Vec<u8>, SigningKeyError> {
        let document = self.0.to_pkcs8_der().map_err(|_| SigningKeyError::Encoding)?;
        Ok(document.as_bytes().to_vec())
    }

    /// The modulus `n`, big-endian, base64url without padding.
    pub fn public_n(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0.n_bytes())
    }

    /// The public exponent `e`, big-endian, base64url without padding.
    pub fn public_e(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0.e_bytes())
    }

    /// The RS256 signature of `message`.
    pub fn sign_rs256(&self, message: &[u8]) -> Result<Vec<u8>, SigningKeyError> {
        let signer = SigningKey::<Sha256>::new(self.0.clone());
        let signature = signer.try_sign(message).map_err(|_| SigningKeyError::Signing)?;
        Ok(signature.to_vec())
    }
}

/// Whether `signature` is the RS256 signature of `message` by the public
/// key of modulus `n` and exponent `e` (each base64url without padding, as a
/// JWKS gives them). Anything that does not read is `false`.
pub fn verify_rs256(n: &str, e: &str, message: &[u8], signature: &[u8]) -> bool {
    use rsa::pkcs1v15::{Signature, VerifyingKey};
    use rsa::signature::Verifier;
    use rsa::{BoxedUint, RsaPublicKey};
    let (Ok(n), Ok(e)) = (URL_SAFE_NO_PAD.decode(n), URL_SAFE_NO_PAD.decode(e)) else {
        return false;
    };
    let Ok(public) = RsaPublicKey::new(
        BoxedUint::from_be_slice_vartime(&n),
        BoxedUint::from_be_slice_vartime(&e),
    ) else {
        return false;
    };
    let Ok(signature) = Signature::try_from(signature) else {
        return false;
    };
    VerifyingKey::<Sha256>::new(public).verify(message, &signature).is_ok()
}

impl fmt::Debug for RsaSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RsaSigningKey(<private>)")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use rsa::pkcs1v15::{Signature, VerifyingKey};
    use rsa::signature::Verifier;
    use rsa::{BoxedUint, RsaPublicKey};

    /// A deterministic generator for tests (not for keys that matter).
    struct Counter(u64);

    impl rsa::rand_core::TryRng for Counter {
        type Error = core::convert::Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            Ok(u32::try_from(self.try_next_u64()? >> 32).unwrap())
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            // splitmix64
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            Ok(z ^ (z >> 31))
        }
        fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Self::Error> {
            for chunk in dest.chunks_mut(8) {
                let bytes = self.try_next_u64()?.to_be_bytes();
                chunk.copy_from_slice(&bytes[..chunk.len()]);
            }
            Ok(())
        }
    }
    impl rsa::rand_core::TryCryptoRng for Counter {}

    #[test]
    fn a_signature_verifies_with_the_public_parts_alone_and_the_key_survives_pkcs8() {
        let key = RsaSigningKey::generate(&mut Counter(7)).unwrap();
        let again = RsaSigningKey::from_pkcs8_der(&key.to_pkcs8_der().unwrap()).unwrap();
        assert_eq!((again.public_n(), again.public_e()), (key.public_n(), key.public_e()));
        assert_eq!(key.public_e(), "AQAB", "exponent 65537");
        let n = URL_SAFE_NO_PAD.decode(key.public_n()).unwrap();
        assert_eq!(n.len(), RSA_BITS / 8);

        let signature = again.sign_rs256(b"header.payload").unwrap();
        let e = URL_SAFE_NO_PAD.decode(key.public_e()).unwrap();
        let public = RsaPublicKey::new(
            BoxedUint::from_be_slice_vartime(&n),
            BoxedUint::from_be_slice_vartime(&e),
        )
        .unwrap();
        let verifier = VerifyingKey::<Sha256>::new(public);
        let signature = Signature::try_from(signature.as_slice()).unwrap();
        verifier.verify(b"header.payload", &signature).unwrap();
        assert!(verifier.verify(b"header.other", &signature).is_err());
        assert!(verify_rs256(
            &key.public_n(),
            &key.public_e(),
            b"header.payload",
            &signature.to_vec()
        ));
        assert!(!verify_rs256(
            &key.public_n(),
            &key.public_e(),
            b"header.other",
            &signature.to_vec()
        ));
        assert!(!verify_rs256("%%", "AQAB", b"header.payload", &signature.to_vec()));
        assert!(!verify_rs256(
            &key.public_n(),
            &key.public_e(),
            b"header.payload",
            b"short"
        ));
        assert_eq!(format!("{key:?}"), "RsaSigningKey(<private>)");
    }
}
