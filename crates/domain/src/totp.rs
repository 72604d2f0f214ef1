//! Time-based one-time passwords (RFC 6238) as authenticator apps compute
//! them: HMAC-SHA-1, 6 digits, 30-second steps, one step of drift either
//! side. The codes come from `totp-rs`; what is ours is the policy around
//! them: a step once accepted is never accepted again (RFC 6238 §5.2), so a
//! code seen over a shoulder or replayed from a log fails.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use totp_rs::{Algorithm, Builder, Totp};

/// Digits of a code.
pub const DIGITS: u8 = 6;
/// Seconds of a step.
pub const PERIOD: u64 = 30;
/// Steps of drift accepted either side of now.
pub const SKEW: u16 = 1;
/// Length of a fresh secret: 160 bits, RFC 4226's recommendation.
pub const SECRET_BYTES: usize = 20;
/// The shortest secret read back from storage: RFC 4226's 128 bits.
const MIN_SECRET_BYTES: usize = 16;

/// What an otpauth label and query may carry unescaped: RFC 3986's
/// unreserved characters, and `@` (a path character), so that an address
/// reads as itself.
const OTPAUTH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'@');

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TotpError {
    #[error("a TOTP secret must be at least {MIN_SECRET_BYTES} bytes long")]
    TooShort,
}

/// The shared secret of an authenticator app. Its `Debug` prints nothing of
/// it; at rest it is sealed (see [`crate::sealed`]).
#[derive(Clone)]
pub struct TotpSecret(Totp);

impl TotpSecret {
    /// A secret from fresh random bytes (randomness is the caller's).
    pub fn new(bytes: [u8; SECRET_BYTES]) -> Self {
        Self::build(bytes.to_vec())
    }

    /// A secret read back from storage.
    pub fn from_stored(bytes: Vec<u8>) -> Result<Self, TotpError> {
        if bytes.len() < MIN_SECRET_BYTES {
            return Err(TotpError::TooShort);
        }
        Ok(Self::build(bytes))
    }

    fn build(bytes: Vec<u8>) -> Self {
        // Every parameter is a constant within RFC 6238's bounds and the
        // length is checked above, so `build`'s checks cannot fail; the
        // non-checking builder spares an unreachable error path.
        Self(
            Builder::new()
                .with_algorithm(Algorithm::SHA1)
                .with_digits(DIGITS)
                .with_skew(SKEW)
                .with_step_duration(PERIOD)
                .with_secret(bytes)
                .build_noncompliant(),
        )
    }

    /// The raw bytes, to seal for storage.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.secret().as_ref()
    }

    /// RFC 4648 base32 without padding, as authenticator apps take it typed in.
    pub fn base32(&self) -> String {
        self.0.secret().to_base32()
    }

    /// The Key Uri Format link an authenticator app scans:
    /// `otpauth://totp/<issuer>:<account>?secret=…&issuer=<issuer>&algorithm=SHA1&digits=6&period=30`.
    pub fn otpauth_uri(&self, issuer: &str, account: &str) -> String {
        let issuer = utf8_percent_encode(issuer, OTPAUTH);
        let account = utf8_percent_encode(account, OTPAUTH);
        format!(
            "otpauth://totp/{issuer}:{account}?secret={}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={PERIOD}",
            self.base32()
        )
    }

    /// The code of the step that holds `unix_seconds`, as an app shows it.
    pub fn code_at(&self, unix_seconds: u64) -> String {
        self.0.generate(unix_seconds).to_string()
    }

    /// The step `code` belongs to, if it is the code of a step within one
    /// of `unix_seconds` and later than `last_used` (the step accepted
    /// before, which is never accepted again). Anything but six digits is
    /// refused.
    pub fn accepts(&self, code: &str, unix_seconds: u64, last_used: Option<u64>) -> Option<u64> {
        if code.len() != usize::from(DIGITS) || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let now = unix_seconds / PERIOD;
        let first = now
            .saturating_sub(u64::from(SKEW))
            .max(last_used.map_or(0, |step| step.saturating_add(1)));
        (first..=now.saturating_add(u64::from(SKEW))).find(|step| self.code_at(step * PERIOD) == code)
    }
}

crate::secret::redacted!(TotpSecret);

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B's SHA-1 secret.
    fn rfc_secret() -> TotpSecret {
        TotpSecret::new(*b"12345678901234567890")
    }

    #[test]
    fn codes_are_rfc_6238s_sha1_vectors_cut_to_six_digits() {
        // Appendix B gives 8 digits; a 6-digit code is the same value mod 10^6.
        let secret = rfc_secret();
        for (time, eight) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            let six: String = eight.chars().skip(2).collect();
            assert_eq!(secret.code_at(time), six, "T = {time}");
        }
    }

    #[test]
    fn a_code_is_accepted_one_step_either_side_and_no_further() {
        let secret = rfc_secret();
        let now = 1_111_111_111; // step 37037037
        let step = now / PERIOD;
        for (offset, accepted) in [(-2_i64, false), (-1, true), (0, true), (1, true), (2, false)] {
            let at = now.checked_add_signed(offset * 30).unwrap_or(0);
            let code = secret.code_at(at);
            let expected = accepted.then(|| step.checked_add_signed(offset).unwrap_or(0));
            assert_eq!(secret.accepts(&code, now, None), expected, "offset {offset} steps");
        }
    }

    #[test]
    fn a_step_once_used_is_refused() {
        let secret = rfc_secret();
        let now = 1_234_567_890;
        let code = secret.code_at(now);
        let step = secret.accepts(&code, now, None);
        assert_eq!(step, Some(now / PERIOD));
        assert_eq!(secret.accepts(&code, now, step), None, "the same code again");
        assert_eq!(secret.accepts(&code, now + 10, step), None, "later in the same step");
        let earlier = secret.code_at(now - PERIOD);
        assert_eq!(
            secret.accepts(&earlier, now, step),
            None,
            "an older step after a newer one"
        );
        let next = secret.code_at(now + PERIOD);
        assert_eq!(secret.accepts(&next, now + PERIOD, step), Some(now / PERIOD + 1));
    }

    #[test]
    fn only_six_digits_are_codes() {
        let secret = rfc_secret();
        let now = 59;
        let code = secret.code_at(now);
        for bad in ["", "12345", "1234567", "28708a", " 287082", "２８７０８２", "-28708"] {
            assert_eq!(secret.accepts(bad, now, None), None, "{bad:?}");
        }
        assert_eq!(secret.accepts(&code, now, None), Some(1));
    }

    #[test]
    fn the_uri_is_the_key_uri_format_with_an_escaped_label() {
        let secret = rfc_secret();
        assert_eq!(secret.base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(
            secret.otpauth_uri("Registrar", "alice@example.com"),
            "otpauth://totp/Registrar:alice@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\
             &issuer=Registrar&algorithm=SHA1&digits=6&period=30"
        );
        assert_eq!(
            secret.otpauth_uri("Acme & Co", "a+b@example.com"),
            "otpauth://totp/Acme%20%26%20Co:a%2Bb@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\
             &issuer=Acme%20%26%20Co&algorithm=SHA1&digits=6&period=30"
        );
    }

    #[test]
    fn short_stored_secrets_are_refused_and_nothing_is_printed() {
        assert_eq!(TotpSecret::from_stored(vec![1; 15]).err(), Some(TotpError::TooShort));
        let secret = TotpSecret::from_stored(b"12345678901234567890".to_vec()).unwrap();
        assert_eq!(secret.as_bytes(), b"12345678901234567890");
        assert_eq!(format!("{secret:?}"), "TotpSecret(<redacted>)");
    }
}
