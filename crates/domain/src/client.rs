//! API clients: the apps that call Registrar. Each has a `client_id`; a
//! confidential client (a server that can keep a secret) also has a secret,
//! of which only its keyed hash is kept.

use std::net::IpAddr;

use chrono::{DateTime, Utc};

use crate::SecretHash;

/// The built-in client of the web pages and `/api/users/login`; exists from the first migration.
pub const WEB_CLIENT_ID: &str = "web";

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientId(String);

impl ClientId {
    /// Client ids are opaque: 1 to 255 visible ASCII characters.
    pub fn parse(input: &str) -> Option<Self> {
        let s = input.trim();
        (!s.is_empty() && s.len() <= 255 && s.bytes().all(|b| b.is_ascii_graphic())).then(|| Self(s.to_owned()))
    }

    pub fn web() -> Self {
        Self(WEB_CLIENT_ID.to_owned())
    }
}

crate::text::text_value!(ClientId, Display);

/// Whether a client can keep a secret (RFC 6749 §2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientKind {
    /// An app on the user's device or in a browser: it names itself by its
    /// `client_id` alone. Every client from before client kinds is one.
    Public,
    /// A server: it proves itself with its secret, kept here as the keyed
    /// hash ([`SecretKey::client_secret_hash`](crate::SecretKey::client_secret_hash)).
    Confidential { secret_hash: SecretHash },
}

impl ClientKind {
    /// `public` or `confidential`: how it is stored and listed.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Confidential { .. } => "confidential",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub id: ClientId,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub kind: ClientKind,
    /// Where an authorization may send the user back, matched exactly.
    pub redirect_uris: Vec<RedirectUri>,
    /// Where a logout may send the user back, matched exactly.
    pub post_logout_redirect_uris: Vec<RedirectUri>,
    /// First-party: no consent page.
    pub trusted: bool,
}

impl Client {
    /// A public, untrusted client without redirect URIs: what every client
    /// was before client kinds.
    pub fn public(id: ClientId, name: String, created_at: DateTime<Utc>) -> Self {
        Self {
            id,
            name,
            created_at,
            kind: ClientKind::Public,
            redirect_uris: Vec::new(),
            post_logout_redirect_uris: Vec::new(),
            trusted: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RedirectUriError {
    #[error("not an absolute URI")]
    NotAbsolute,
    #[error("longer than {max} characters")]
    TooLong { max: usize },
    #[error("holds a fragment (#…)")]
    Fragment,
    #[error("http is only for loopback addresses (127.0.0.1, [::1]); use https")]
    PlainHttp,
    #[error("a private-use scheme must be a reversed domain name (com.example.app:/…)")]
    Scheme,
    #[error("holds control characters or spaces")]
    ControlCharacter,
}

/// A registered redirect URI (RFC 6749 §3.1.2, RFC 8252, RFC 9700 §2.1):
/// absolute, without a fragment; `https`, or `http` on a loopback IP
/// literal only (a native app's local server; `localhost` is refused, RFC
/// 8252 §8.3), or a native app's private-use scheme named after a domain
/// (`com.example.app:/callback`, RFC 8252 §7.1). Kept exactly as given, so
/// that a later match is a comparison of strings.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RedirectUri(String);

impl RedirectUri {
    pub const MAX_LEN: usize = 2000;

    pub fn parse(input: &str) -> Result<Self, RedirectUriError> {
        if input.chars().any(|c| c.is_whitespace() || c.is_control()) || crate::text::has_control_characters(input) {
            return Err(RedirectUriError::ControlCharacter);
        }
        if input.len() > Self::MAX_LEN {
            return Err(RedirectUriError::TooLong { max: Self::MAX_LEN });
        }
        let url = url::Url::parse(input).map_err(|_| RedirectUriError::NotAbsolute)?;
        if url.fragment().is_some() {
            return Err(RedirectUriError::Fragment);
        }
        match url.scheme() {
            "https" if url.host().is_some() => {}
            "http" if is_loopback(&url) => {}
            "http" => return Err(RedirectUriError::PlainHttp),
            "https" => return Err(RedirectUriError::NotAbsolute),
            scheme if scheme.contains('.') => {}
            _ => return Err(RedirectUriError::Scheme),
        }
        Ok(Self(input.to_owned()))
    }
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        _ => false,
    }
}

crate::text::text_value!(RedirectUri, Display);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_are_absolute_without_fragment_and_https_or_loopback_http() {
        for good in [
            "https://app.example.com/callback",
            "https://app.example.com/cb?tenant=1",
            "http://127.0.0.1/callback",
            "http://127.0.0.1:8400/callback",
            "http://[::1]:8400/cb",
            "com.example.app:/oauth2redirect",
        ] {
            assert_eq!(
                RedirectUri::parse(good).map(|u| u.as_str().to_owned()),
                Ok(good.to_owned())
            );
        }
        for (bad, error) in [
            ("/callback", RedirectUriError::NotAbsolute),
            ("app.example.com/cb", RedirectUriError::NotAbsolute),
            ("https://app.example.com/cb#frag", RedirectUriError::Fragment),
            ("https://app.example.com/cb#", RedirectUriError::Fragment),
            ("http://app.example.com/cb", RedirectUriError::PlainHttp),
            ("http://localhost:8400/cb", RedirectUriError::PlainHttp),
            ("javascript:alert(1)", RedirectUriError::Scheme),
            ("data:text/html,hi", RedirectUriError::Scheme),
            ("https://app.example.com/c b", RedirectUriError::ControlCharacter),
            ("https://app.example.com/\ncb", RedirectUriError::ControlCharacter),
            ("https://app.example.com/\u{2028}", RedirectUriError::ControlCharacter),
        ] {
            assert_eq!(RedirectUri::parse(bad), Err(error), "{bad:?}");
        }
        let long = format!("https://app.example.com/{}", "a".repeat(RedirectUri::MAX_LEN));
        assert_eq!(
            RedirectUri::parse(&long),
            Err(RedirectUriError::TooLong {
                max: RedirectUri::MAX_LEN
            })
        );
    }
}
