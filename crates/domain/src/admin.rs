//! Administration from other software: admin API keys and their scopes,
//! webhook endpoints and the Standard Webhooks signature.

use std::collections::BTreeSet;
use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::{AuditKind, Sealed, SecretHash};

/// What an admin API key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AdminScope {
    UsersRead,
    UsersWrite,
    SessionsWrite,
    ClientsWrite,
    PoliciesWrite,
    InvitesWrite,
    AuditRead,
    WebhooksWrite,
}

impl AdminScope {
    pub const ALL: [AdminScope; 8] = [
        Self::UsersRead,
        Self::UsersWrite,
        Self::SessionsWrite,
        Self::ClientsWrite,
        Self::PoliciesWrite,
        Self::InvitesWrite,
        Self::AuditRead,
        Self::WebhooksWrite,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::UsersRead => "users:read",
            Self::UsersWrite => "users:write",
            Self::SessionsWrite => "sessions:write",
            Self::ClientsWrite => "clients:write",
            Self::PoliciesWrite => "policies:write",
            Self::InvitesWrite => "invites:write",
            Self::AuditRead => "audit:read",
            Self::WebhooksWrite => "webhooks:write",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|scope| scope.name() == name)
    }
}

impl fmt::Display for AdminScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of admin scopes, written comma-separated (`users:read,audit:read`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AdminScopes(BTreeSet<AdminScope>);

impl AdminScopes {
    /// Comma- or space-separated scope names; an unknown one is an error
    /// naming it. At least one.
    pub fn parse(text: &str) -> Result<Self, String> {
        let scopes = text
            .split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| AdminScope::parse(s).ok_or_else(|| format!("unknown scope {s:?}")))
            .collect::<Result<BTreeSet<_>, _>>()?;
        if scopes.is_empty() {
            return Err(format!(
                "name at least one scope of {}",
                AdminScope::ALL.map(AdminScope::name).join(", ")
            ));
        }
        Ok(Self(scopes))
    }

    pub fn contains(&self, scope: AdminScope) -> bool {
        self.0.contains(&scope)
    }

    pub fn iter(&self) -> impl Iterator<Item = AdminScope> + '_ {
        self.0.iter().copied()
    }
}

impl fmt::Display for AdminScopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<_> = self.0.iter().map(|s| s.name()).collect();
        f.write_str(&names.join(","))
    }
}

/// An admin API key as stored: only the keyed hash of the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminKey {
    pub id: String,
    /// Unique; the actor of what the key does (`admin:<name>` in the audit trail).
    pub name: String,
    pub scopes: AdminScopes,
    pub key_hash: SecretHash,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The events an endpoint subscribes to: all, or the names given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookEvents {
    All,
    Only(BTreeSet<AuditKind>),
}

impl WebhookEvents {
    /// Comma-separated webhook event names (`user.registered,user.deleted`);
    /// empty is all. An unknown name, or one that is not a webhook event, is
    /// an error naming it.
    pub fn parse(text: &str) -> Result<Self, String> {
        let kinds = text
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                AuditKind::parse(s)
                    .filter(|k| k.is_webhook_event())
                    .ok_or_else(|| format!("unknown webhook event {s:?}"))
            })
            .collect::<Result<BTreeSet<_>, _>>()?;
        Ok(if kinds.is_empty() { Self::All } else { Self::Only(kinds) })
    }

    pub fn includes(&self, kind: AuditKind) -> bool {
        kind.is_webhook_event()
            && match self {
                Self::All => true,
                Self::Only(kinds) => kinds.contains(&kind),
            }
    }
}

impl fmt::Display for WebhookEvents {
    /// Empty for all; else the names, comma-separated: what [`WebhookEvents::parse`] reads.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::All => Ok(()),
            Self::Only(kinds) => {
                let names: Vec<_> = kinds.iter().map(|k| k.name()).collect();
                f.write_str(&names.join(","))
            }
        }
    }
}

/// A webhook endpoint as stored. The signing secret is sealed under the
/// server secret (purpose `webhook_secret`, owner the endpoint id): the
/// server must read it back to sign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEndpoint {
    pub id: String,
    pub url: String,
    pub events: WebhookEvents,
    pub secret: Sealed,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
    /// Since when every delivery to it has failed; `None` after a success.
    pub failing_since: Option<DateTime<Utc>>,
    pub disabled_at: Option<DateTime<Utc>>,
}

/// The Standard Webhooks signing secret: 24 to 64 random bytes, written
/// `whsec_` + base64.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(Vec<u8>);

impl WebhookSecret {
    pub const PREFIX: &'static str = "whsec_";

    /// From random bytes drawn by the caller.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes.to_vec())
    }

    /// `whsec_<base64>` (the prefix optional, as verifiers accept it).
    pub fn parse(text: &str) -> Option<Self> {
        let b64 = text.strip_prefix(Self::PREFIX).unwrap_or(text);
        let bytes = STANDARD.decode(b64).ok()?;
        (bytes.len() >= 24 && bytes.len() <= 64).then_some(Self(bytes))
    }

    pub fn expose(&self) -> String {
        format!("{}{}", Self::PREFIX, STANDARD.encode(&self.0))
    }

    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// The `webhook-signature` header value: `v1,` + base64 of the
    /// HMAC-SHA256, under the secret's bytes, of `{msg_id}.{timestamp}.{body}`.
    pub fn sign(&self, msg_id: &str, timestamp: i64, body: &str) -> String {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.0) else {
            unreachable!("HMAC accepts keys of every length")
        };
        mac.update(msg_id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body.as_bytes());
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse_and_print() {
        let scopes = AdminScopes::parse("users:read, audit:read").unwrap();
        assert!(scopes.contains(AdminScope::UsersRead) && !scopes.contains(AdminScope::UsersWrite));
        assert_eq!(scopes.to_string(), "users:read,audit:read");
        assert_eq!(AdminScopes::parse(&scopes.to_string()).unwrap(), scopes);
        assert!(AdminScopes::parse("users:read,root").unwrap_err().contains("root"));
        assert!(AdminScopes::parse("").is_err());
    }

    #[test]
    fn webhook_events_parse_and_match() {
        assert_eq!(WebhookEvents::parse(" ").unwrap(), WebhookEvents::All);
        let some = WebhookEvents::parse("user.registered,user.deleted").unwrap();
        assert!(some.includes(AuditKind::Registered) && !some.includes(AuditKind::SignedIn));
        assert_eq!(WebhookEvents::parse(&some.to_string()).unwrap(), some);
        assert!(WebhookEvents::parse("admin.action").is_err());
        assert!(!WebhookEvents::All.includes(AuditKind::AdminAction));
    }

    /// The example of the Standard Webhooks specification's reference
    /// libraries (`standard-webhooks` test vectors).
    #[test]
    fn signs_as_standard_webhooks_does() {
        let secret = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            secret.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
        assert_eq!(WebhookSecret::parse(&secret.expose()).unwrap(), secret);
        assert!(WebhookSecret::parse("whsec_c2hvcnQ=").is_none());
    }
}
