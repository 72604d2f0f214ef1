//! The formats a stored password hash may be in. Registrar writes argon2id
//! (PHC strings, [`crate::PasswordHasher`]); accounts moved in from another
//! system (`registrar user import`) may bring bcrypt (`$2a$`, `$2b$`,
//! `$2y$`), PBKDF2-SHA256 (PHC, or Django's `pbkdf2_sha256$…`), scrypt
//! (PHC) or argon2 of any variant and parameters. Each is verified by its
//! kept crate under the parameters the string carries, and replaced by
//! argon2id at the user's next sign-in ([`needs_upgrade`]).

use argon2::password_hash::{PasswordHash as Phc, PasswordVerifier as _};
use base64::Engine as _;
use sha2::Sha256;

use crate::hashing::Argon2Params;

/// A stored hash's scheme, as far as its text says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scheme {
    /// A PHC string of argon2 (`argon2id`, `argon2i`, `argon2d`).
    Argon2,
    /// `$2a$`, `$2b$`, `$2x$`, `$2y$` (Modular Crypt Format of bcrypt).
    Bcrypt,
    /// A PHC string of PBKDF2 (`pbkdf2-sha256`, `pbkdf2-sha512`).
    Pbkdf2,
    /// Django's `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>`.
    Django,
    /// A PHC string of scrypt.
    Scrypt,
}

/// Django's prefix of a PBKDF2-SHA256 hash.
const DJANGO_PBKDF2: &str = "pbkdf2_sha256$";

impl Scheme {
    /// The scheme of `stored`, checked as far as it can be without the
    /// password (its parts parse, its parameters are ones the crate takes):
    /// `Err` says why not, in words for an import report.
    pub(crate) fn of(stored: &str) -> Result<Self, &'static str> {
        if stored.starts_with("$2") {
            return stored
                .parse::<bcrypt::HashParts>()
                .map(|_| Self::Bcrypt)
                .map_err(|_| "not a well-formed bcrypt hash");
        }
        if stored.starts_with(DJANGO_PBKDF2) {
            return Django::parse(stored)
                .map(|_| Self::Django)
                .ok_or("not a well-formed Django pbkdf2_sha256 hash");
        }
        let phc = Phc::new(stored).map_err(|_| "not a hash format Registrar verifies")?;
        let scheme = match phc.algorithm.as_str() {
            "argon2id" | "argon2i" | "argon2d" => Self::Argon2,
            "pbkdf2-sha256" | "pbkdf2-sha512" => Self::Pbkdf2,
            "scrypt" => Self::Scrypt,
            _ => return Err("not a hash format Registrar verifies"),
        };
        if phc.salt.is_none() || phc.hash.is_none() {
            return Err("a PHC string without its salt or hash");
        }
        let parameters_hold = match scheme {
            Self::Argon2 => argon2::Params::try_from(&phc).is_ok(),
            Self::Pbkdf2 => pbkdf2::Params::try_from(&phc).is_ok(),
            Self::Scrypt => scrypt::Params::try_from(&phc).is_ok(),
            Self::Bcrypt | Self::Django => true,
        };
        if parameters_hold {
            Ok(scheme)
        } else {
            Err("parameters its algorithm does not take")
        }
    }
}

/// Whether `password` matches `stored`, for the schemes other than argon2
/// (which [`crate::PasswordHasher`] computes in its reused work areas).
/// Blocking (call it on the blocking pool); a string of no known scheme, or
/// one its crate refuses, matches nothing. Comparisons are constant-time.
pub(crate) fn verify_other(scheme: Scheme, stored: &str, password: &str) -> bool {
    match scheme {
        Scheme::Bcrypt => bcrypt::verify(password, stored).unwrap_or(false),
        Scheme::Django => Django::parse(stored).is_some_and(|django| django.verify(password)),
        Scheme::Pbkdf2 => {
            Phc::new(stored).is_ok_and(|phc| pbkdf2::Pbkdf2.verify_password(password.as_bytes(), &phc).is_ok())
        }
        Scheme::Scrypt => {
            Phc::new(stored).is_ok_and(|phc| scrypt::Scrypt.verify_password(password.as_bytes(), &phc).is_ok())
        }
        // Not this function's: the caller computes argon2 itself.
        Scheme::Argon2 => false,
    }
}

/// Whether a stored hash should be replaced at the next successful sign-in:
/// it is not argon2id (another scheme, an older argon2 variant or version,
/// or text of no known scheme), or its memory, time or parallelism cost is
/// below `configured` (raising `password.argon2_*` upgrades users as they
/// sign in).
pub fn needs_upgrade(stored: &str, configured: Argon2Params) -> bool {
    let Ok(phc) = Phc::new(stored) else {
        return true;
    };
    if phc.algorithm.as_str() != "argon2id" || phc.version != Some(0x13) {
        return true;
    }
    let Ok(params) = argon2::Params::try_from(&phc) else {
        return true;
    };
    params.m_cost() < configured.memory_kib
        || params.t_cost() < configured.iterations
        || params.p_cost() < configured.parallelism
}

/// Django's PBKDF2-SHA256 hash: `pbkdf2_sha256$<iterations>$<salt>$<hash>`,
/// the salt used as its text, the hash standard base64 (with padding).
struct Django<'a> {
    iterations: u32,
    salt: &'a str,
    expected: Vec<u8>,
}

impl<'a> Django<'a> {
    fn parse(stored: &'a str) -> Option<Self> {
        let rest = stored.strip_prefix(DJANGO_PBKDF2)?;
        let mut parts = rest.split('$');
        let iterations = parts.next()?.parse::<u32>().ok().filter(|i| *i > 0)?;
        let salt = parts.next().filter(|s| !s.is_empty())?;
        let expected = base64::engine::general_purpose::STANDARD
            .decode(parts.next()?)
            .ok()
            .filter(|h| !h.is_empty() && h.len() <= 64)?;
        parts.next().is_none().then_some(Self {
            iterations,
            salt,
            expected,
        })
    }

    fn verify(&self, password: &str) -> bool {
        let mut computed = vec![0u8; self.expected.len()];
        pbkdf2::pbkdf2_hmac::<Sha256>(
            password.as_bytes(),
            self.salt.as_bytes(),
            self.iterations,
            &mut computed,
        );
        constant_time_eq(&computed, &self.expected)
    }
}

/// Equal bytes, compared in time that depends only on the lengths.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIGURED: Argon2Params = Argon2Params {
        memory_kib: 19_456,
        iterations: 2,
        parallelism: 1,
    };

    #[test]
    fn each_scheme_is_recognised_by_its_text() {
        let cases = [
            ("$2y$07$BCryptRequires22Chrcte/VlQH0piJtjXl.0t1XkA8pw9dMXTpOq", Scheme::Bcrypt),
            ("$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", Scheme::Bcrypt),
            ("pbkdf2_sha256$10000$seasalt$CWWFdHOWwPnki7HvkcqN9iA2T3KLW1cf2uZ5kvArtVY=", Scheme::Django),
            (
                "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E",
                Scheme::Scrypt,
            ),
            (
                "$pbkdf2-sha256$i=4096,l=40$c2FsdFNBTFRzYWx0U0FMVHNhbHRTQUxUc2FsdFNBTFRzYWx0$NIyJ28vTKy8y2BS4EW6EzysXNH68GAAYHE4qH7jdU+HGNVGMfaxH6Q",
                Scheme::Pbkdf2,
            ),
            (
                "$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$wWKIMhR9lyDFvRz9YTZweHKfbftvj+qf+YFY4NeBbtA",
                Scheme::Argon2,
            ),
        ];
        for (stored, scheme) in cases {
            assert_eq!(Scheme::of(stored), Ok(scheme), "{stored}");
        }
    }

    #[test]
    fn text_of_no_known_scheme_says_why() {
        for stored in [
            "",
            "not a hash",
            "$1$saltsalt$hashhashhashhashhashha",
            "$2y$07$short",
            "pbkdf2_sha256$0$salt$aGFzaA==",
            "pbkdf2_sha256$abc$salt$aGFzaA==",
            "pbkdf2_sha256$1000$salt$not base64!",
            "pbkdf2_sha256$1000$salt$aGFzaA==$extra",
            "$argon2id$v=19$m=1,t=1,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNo",
            "$md5$rounds=1000$salt$hash",
            "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q",
        ] {
            assert!(Scheme::of(stored).is_err(), "{stored:?}");
        }
    }

    #[test]
    fn only_argon2id_at_the_configured_costs_or_above_is_kept() {
        let at =
            |m: u32, t: u32, p: u32| format!("$argon2id$v=19$m={m},t={t},p={p}$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaA");
        assert!(!needs_upgrade(&at(19_456, 2, 1), CONFIGURED));
        assert!(!needs_upgrade(&at(65_536, 3, 2), CONFIGURED), "stronger is kept");
        assert!(needs_upgrade(&at(19_455, 2, 1), CONFIGURED), "less memory");
        assert!(needs_upgrade(&at(19_456, 1, 1), CONFIGURED), "fewer passes");
        assert!(
            needs_upgrade(
                &at(65_536, 2, 1),
                Argon2Params {
                    parallelism: 2,
                    ..CONFIGURED
                }
            ),
            "less parallelism"
        );
        assert!(needs_upgrade(
            "$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$wWKIMhR9lyDFvRz9YTZweHKfbftvj+qf+YFY4NeBbtA",
            CONFIGURED
        ));
        assert!(
            needs_upgrade(
                "$argon2id$v=16$m=65536,t=2,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
                CONFIGURED
            ),
            "argon2 1.0"
        );
        assert!(needs_upgrade(
            "$2y$07$BCryptRequires22Chrcte/VlQH0piJtjXl.0t1XkA8pw9dMXTpOq",
            CONFIGURED
        ));
        assert!(needs_upgrade(
            "pbkdf2_sha256$10000$seasalt$CWWFdHOWwPnki7HvkcqN9iA2T3KLW1cf2uZ5kvArtVY=",
            CONFIGURED
        ));
        assert!(needs_upgrade("not a hash", CONFIGURED));
    }
}
