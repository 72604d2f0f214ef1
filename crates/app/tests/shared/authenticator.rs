//! An authenticator app for the tests: RFC 4226/6238 codes over the base32
//! secret it scanned, computed here with HMAC-SHA-1, independently of the
//! server's TOTP library.

use std::time::{SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};

/// An authenticator app: RFC 4226/6238 over the base32 secret it scanned.
pub struct Authenticator {
    pub key: Vec<u8>,
}

impl Authenticator {
    pub fn scan(secret: &str) -> Self {
        const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        let (mut bits, mut value, mut key) = (0_u32, 0_u64, Vec::new());
        for c in secret.trim_end_matches('=').chars() {
            let index = ALPHABET.find(c).unwrap_or_else(|| panic!("{c:?} is not base32"));
            value = (value << 5) | index as u64;
            bits += 5;
            if bits >= 8 {
                bits -= 8;
                key.push((value >> bits) as u8);
                value &= (1 << bits) - 1;
            }
        }
        Self { key }
    }

    /// The code of the 30-second step holding `unix` (RFC 6238: SHA-1, 6 digits).
    pub fn code_at(&self, unix: u64) -> String {
        let mut mac = Hmac::<sha1::Sha1>::new_from_slice(&self.key).expect("any key length");
        mac.update(&(unix / 30).to_be_bytes());
        let digest = mac.finalize().into_bytes();
        let offset = usize::from(digest[19] & 0x0f);
        let binary = u32::from_be_bytes([
            digest[offset] & 0x7f,
            digest[offset + 1],
            digest[offset + 2],
            digest[offset + 3],
        ]);
        format!("{:06}", binary % 1_000_000)
    }

    /// The code a step from now (`steps` of 30 seconds later or earlier).
    pub fn code(&self, steps: i64) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("after 1970")
            .as_secs();
        self.code_at(now.saturating_add_signed(steps * 30))
    }
}
