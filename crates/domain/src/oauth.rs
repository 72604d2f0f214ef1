//! OAuth 2 and OpenID Connect values: scopes (RFC 6749 §3.3, OpenID
//! Connect Core §5.4), PKCE code challenges (RFC 7636, `S256` only), and the
//! authentication methods of a sign-in (`amr`, RFC 8176).

use std::collections::BTreeSet;
use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::SignInMethod;

/// A scope this server knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OAuthScope {
    /// An OpenID Connect request: an ID token is issued.
    OpenId,
    /// `email`, `email_verified`.
    Email,
    /// `name`, `given_name`, `family_name`, `locale`.
    Profile,
    /// `phone_number`.
    Phone,
    /// A refresh token is issued (OpenID Connect Core §11).
    OfflineAccess,
}

impl OAuthScope {
    /// Every scope, in the order of the discovery document.
    pub const ALL: [Self; 5] = [
        Self::OpenId,
        Self::Email,
        Self::Profile,
        Self::Phone,
        Self::OfflineAccess,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OpenId => "openid",
            Self::Email => "email",
            Self::Profile => "profile",
            Self::Phone => "phone",
            Self::OfflineAccess => "offline_access",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|scope| scope.as_str() == text)
    }
}

/// A set of scopes, written as RFC 6749 §3.3 writes it: space-delimited,
/// in any order, a scope once.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Scopes(BTreeSet<OAuthScope>);

/// A scope string that is not one of ours, or not a scope string.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    #[error("unknown scope {0:?}")]
    Unknown(String),
    #[error("a scope is separated by single spaces and holds printable ASCII but '\"' and '\\\\'")]
    Malformed,
}

impl Scopes {
    /// What a session signed in through Registrar's own grants may do:
    /// everything (the first-party apps read the whole profile through
    /// `/api/me` anyway).
    pub fn full() -> Self {
        Self(OAuthScope::ALL.into_iter().collect())
    }

    /// Reads a `scope` parameter. Scope tokens are `%x21 / %x23-5B /
    /// %x5D-7E` separated by single spaces (RFC 6749 §3.3); a token we do
    /// not know is [`ScopeError::Unknown`] (`invalid_scope`).
    pub fn parse(text: &str) -> Result<Self, ScopeError> {
        let mut scopes = BTreeSet::new();
        if text.is_empty() {
            return Ok(Self(scopes));
        }
        for token in text.split(' ') {
            let printable = |b: u8| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b);
            if token.is_empty() || !token.bytes().all(printable) {
                return Err(ScopeError::Malformed);
            }
            let scope = OAuthScope::parse(token).ok_or_else(|| ScopeError::Unknown(token.to_owned()))?;
            scopes.insert(scope);
        }
        Ok(Self(scopes))
    }

    pub fn contains(&self, scope: OAuthScope) -> bool {
        self.0.contains(&scope)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = OAuthScope> + '_ {
        self.0.iter().copied()
    }

    /// Whether every scope of `self` is in `other`.
    pub fn is_subset(&self, other: &Self) -> bool {
        self.0.is_subset(&other.0)
    }

    /// Both sets together.
    pub fn union(&self, other: &Self) -> Self {
        Self(self.0.union(&other.0).copied().collect())
    }

    /// The scopes of `self` that are not in `other`.
    pub fn without(&self, other: &Self) -> Self {
        Self(self.0.difference(&other.0).copied().collect())
    }
}

impl FromIterator<OAuthScope> for Scopes {
    fn from_iter<I: IntoIterator<Item = OAuthScope>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl fmt::Display for Scopes {
    /// Space-delimited, in the order of [`OAuthScope::ALL`]; read back by
    /// [`Scopes::parse`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for scope in &self.0 {
            if !first {
                f.write_str(" ")?;
            }
            f.write_str(scope.as_str())?;
            first = false;
        }
        Ok(())
    }
}

/// A PKCE code challenge with method `S256` (RFC 7636 §4.2): the
/// base64url (no padding) SHA-256 of the verifier, 43 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CodeChallenge(String);

impl CodeChallenge {
    /// A challenge as sent: exactly 43 base64url characters (a SHA-256).
    pub fn parse(text: &str) -> Option<Self> {
        let sha256 = text.len() == 43
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            && URL_SAFE_NO_PAD.decode(text).is_ok_and(|bytes| bytes.len() == 32);
        sha256.then(|| Self(text.to_owned()))
    }

    /// The challenge of `verifier` (what a client computes).
    pub fn of(verifier: &str) -> Self {
        Self(URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `verifier` is well formed (RFC 7636 §4.1: 43 to 128 of
    /// `[A-Za-z0-9-._~]`) and answers this challenge. The comparison is of
    /// two hashes, so it gives nothing away by its timing.
    pub fn verifies(&self, verifier: &str) -> bool {
        let well_formed = (43..=128).contains(&verifier.len())
            && verifier
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
        well_formed && Self::of(verifier) == *self
    }
}

impl SignInMethod {
    /// The authentication methods of the sign-in, as OpenID Connect's `amr`
    /// names them (RFC 8176): `pwd` a password, `otp` a one-time code (an
    /// authenticator app's, a mailed one, a recovery code), `hwk` a key held
    /// by an authenticator (a passkey), `user` the user verified by it, `mfa`
    /// more than one factor.
    pub fn amr(self) -> &'static [&'static str] {
        match self {
            Self::Password => &["pwd"],
            Self::PasswordTotp | Self::PasswordRecoveryCode => &["pwd", "otp", "mfa"],
            Self::Passkey => &["hwk", "user", "mfa"],
            Self::PasswordPasskey => &["pwd", "hwk", "mfa"],
            Self::EmailCode => &["otp"],
            Self::EmailCodeTotp | Self::EmailCodeRecoveryCode => &["otp", "mfa"],
            Self::EmailCodePasskey => &["otp", "hwk", "mfa"],
            Self::Registration | Self::SignupLink | Self::Import => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_read_in_any_order_and_written_in_one() {
        let scopes = Scopes::parse("email openid email offline_access").unwrap();
        assert_eq!(scopes.to_string(), "openid email offline_access");
        assert!(scopes.contains(OAuthScope::OpenId));
        assert!(!scopes.contains(OAuthScope::Phone));
        assert_eq!(Scopes::parse(&scopes.to_string()), Ok(scopes));
        assert_eq!(Scopes::parse(""), Ok(Scopes::default()));
        assert_eq!(Scopes::full().to_string(), "openid email profile phone offline_access");
    }

    #[test]
    fn unknown_and_malformed_scopes_are_refused() {
        assert_eq!(Scopes::parse("openid admin"), Err(ScopeError::Unknown("admin".into())));
        for malformed in ["openid  email", " openid", "openid ", "open\"id", "openid\temail", "é"] {
            assert_eq!(Scopes::parse(malformed), Err(ScopeError::Malformed), "{malformed:?}");
        }
    }

    #[test]
    fn set_operations() {
        let asked = Scopes::parse("openid email phone").unwrap();
        let granted = Scopes::parse("openid email").unwrap();
        assert!(granted.is_subset(&asked));
        assert!(!asked.is_subset(&granted));
        assert_eq!(asked.without(&granted).to_string(), "phone");
        assert_eq!(
            granted.union(&Scopes::parse("profile").unwrap()).to_string(),
            "openid email profile"
        );
    }

    #[test]
    fn the_challenge_of_rfc_7636_appendix_b() {
        // RFC 7636 Appendix B's example verifier and challenge.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = CodeChallenge::parse("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM").unwrap();
        assert_eq!(CodeChallenge::of(verifier), challenge);
        assert!(challenge.verifies(verifier));
        assert!(!challenge.verifies("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK"));
        // Too short, or a character outside the unreserved set.
        assert!(!CodeChallenge::of("short").verifies("short"));
        let spaced = "dBjftJeZ4CVP mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert!(!CodeChallenge::of(spaced).verifies(spaced));
    }

    #[test]
    fn a_challenge_is_a_sha256_in_base64url() {
        assert!(CodeChallenge::parse("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM").is_some());
        for bad in [
            "",
            "plain-verifier",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM",
        ] {
            assert!(CodeChallenge::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn every_sign_in_of_a_user_names_its_methods() {
        for method in SignInMethod::ALL {
            let amr = method.amr();
            let signed_in = !matches!(
                method,
                SignInMethod::Registration | SignInMethod::SignupLink | SignInMethod::Import
            );
            assert_eq!(!amr.is_empty(), signed_in, "{method}");
            let two = method.as_str().contains('+') || method == SignInMethod::Passkey;
            assert_eq!(amr.contains(&"mfa"), two, "{method}");
        }
    }
}
