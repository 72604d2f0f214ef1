//! The audit trail: what happened to an account, when, from where and by
//! whom. An event is built by the use case that makes the change and written
//! by the store in the same transaction as that change.
//!
//! The same event types, those [`AuditKind::is_webhook_event`] names, are
//! announced to webhook endpoints: [`AuditEvent::webhook_payload`] is the
//! body they get.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;

use chrono::{DateTime, SecondsFormat, Utc};

use crate::{ClientId, Email, SecretKey, UserId};

/// A security event's type. Its [`name`](AuditKind::name) is what is stored,
/// filtered on, shown to users and sent to webhooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AuditKind {
    /// An account was created (any family, an admin, an import).
    Registered,
    /// The address was confirmed (code, link, a sign-in code or reset link that reached it).
    EmailConfirmed,
    /// A session or browser session was opened. `data`: `method` (a
    /// [`SignInMethod`](crate::SignInMethod) name), `amr` (space-separated).
    SignedIn,
    /// A sign-in was refused (wrong password, code or factor). `data`: `reason`.
    SignInFailed,
    /// Too many failed attempts locked the account's sign-in. `data`: `until`.
    LockedOut,
    /// A rotated-out refresh token came back: its session was revoked.
    ReuseDetected,
    /// A session ended before its time. `data`: `reason`
    /// (`logout`, `revoked`, `device`, `admin`), `session_id` where there is one.
    SessionRevoked,
    /// The password changed. `data`: `reason` (`change`, `reset`).
    PasswordChanged,
    /// A second factor was added. `data`: `factor` (`totp`, `passkey`, `recovery_codes`).
    FactorAdded,
    /// A second factor was removed. `data`: `factor` (`totp`, `passkey`, `all`).
    FactorRemoved,
    /// A recovery code was used up.
    RecoveryCodeUsed,
    /// Policy revisions were accepted. `data`: `revisions` (comma-separated ids).
    PolicyAccepted,
    /// The profile, language or address changed. `data`: `fields`.
    Updated,
    /// A change of address was asked for; nothing changed yet. `data`:
    /// `new_email` (masked).
    EmailChangeRequested,
    /// A pending change of address was cancelled from the old address
    /// ("this was not me"): every session ended with it.
    EmailChangeCancelled,
    Disabled,
    Enabled,
    /// The account was erased.
    Deleted,
    /// The account's data was exported (`GET /api/me/export`, the admin
    /// API). `data`: `by` (`self`, `admin`). No webhook event.
    Exported,
    /// An administrator's change that is not an account's own event
    /// (a client, a policy, an invite, a key, a webhook). `data`: `action`, `target`.
    AdminAction,
    /// A webhook endpoint was disabled after failing too long. `data`: `endpoint_id`.
    WebhookDisabled,
}

impl AuditKind {
    pub const ALL: [AuditKind; 21] = [
        Self::Registered,
        Self::EmailConfirmed,
        Self::SignedIn,
        Self::SignInFailed,
        Self::LockedOut,
        Self::ReuseDetected,
        Self::SessionRevoked,
        Self::PasswordChanged,
        Self::FactorAdded,
        Self::FactorRemoved,
        Self::RecoveryCodeUsed,
        Self::PolicyAccepted,
        Self::Updated,
        Self::EmailChangeRequested,
        Self::EmailChangeCancelled,
        Self::Disabled,
        Self::Enabled,
        Self::Deleted,
        Self::Exported,
        Self::AdminAction,
        Self::WebhookDisabled,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Registered => "user.registered",
            Self::EmailConfirmed => "user.email_confirmed",
            Self::SignedIn => "user.signed_in",
            Self::SignInFailed => "user.sign_in_failed",
            Self::LockedOut => "user.locked_out",
            Self::ReuseDetected => "session.reuse_detected",
            Self::SessionRevoked => "session.revoked",
            Self::PasswordChanged => "user.password_changed",
            Self::FactorAdded => "user.factor_added",
            Self::FactorRemoved => "user.factor_removed",
            Self::RecoveryCodeUsed => "user.recovery_code_used",
            Self::PolicyAccepted => "policy.accepted",
            Self::Updated => "user.updated",
            Self::EmailChangeRequested => "user.email_change_requested",
            Self::EmailChangeCancelled => "user.email_change_cancelled",
            Self::Disabled => "user.disabled",
            Self::Enabled => "user.enabled",
            Self::Deleted => "user.deleted",
            Self::Exported => "user.exported",
            Self::AdminAction => "admin.action",
            Self::WebhookDisabled => "webhook.disabled",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// Whether webhook endpoints are told of it: every account event that
    /// changes something; not the administrators' own bookkeeping, nor a
    /// data export (which changes nothing).
    pub fn is_webhook_event(self) -> bool {
        !matches!(self, Self::AdminAction | Self::WebhookDisabled | Self::Exported)
    }

    /// The names webhook endpoints may subscribe to.
    pub fn webhook_events() -> impl Iterator<Item = &'static str> {
        Self::ALL
            .into_iter()
            .filter(|kind| kind.is_webhook_event())
            .map(Self::name)
    }
}

impl fmt::Display for AuditKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Who made a change.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Actor {
    /// The account's own user (or someone holding their credentials).
    User,
    /// An administrator through the admin API, by the name of their key.
    AdminKey(String),
    /// An operator at the command line.
    Cli,
    /// Registrar itself (a background job).
    System,
}

impl Actor {
    /// `user`, `admin:<key name>`, `cli`, `system`.
    pub fn as_stored(&self) -> String {
        match self {
            Self::User => "user".to_owned(),
            Self::AdminKey(name) => format!("admin:{name}"),
            Self::Cli => "cli".to_owned(),
            Self::System => "system".to_owned(),
        }
    }

    pub fn from_stored(text: &str) -> Option<Self> {
        match text {
            "user" => Some(Self::User),
            "cli" => Some(Self::Cli),
            "system" => Some(Self::System),
            _ => text.strip_prefix("admin:").map(|name| Self::AdminKey(name.to_owned())),
        }
    }
}

/// `audit.ip`: how much of the client's address an event keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IpRecording {
    /// The whole address.
    Full,
    /// The /24 network of an IPv4 address, the /48 of an IPv6 one: enough
    /// for a user to recognise a place, not a household.
    #[default]
    Truncated,
    /// A keyed hash: events of one address can be matched, the address not read back.
    Hashed,
}

impl IpRecording {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "full" => Some(Self::Full),
            "truncated" => Some(Self::Truncated),
            "hashed" => Some(Self::Hashed),
            _ => None,
        }
    }

    /// The address as an event stores it.
    pub fn record(self, ip: IpAddr, key: &SecretKey) -> String {
        match self {
            Self::Full => ip.to_canonical().to_string(),
            Self::Truncated => truncated_ip(ip),
            Self::Hashed => {
                let digest = key.digest("audit_ip", &ip.to_canonical().to_string());
                format!("hmac:{}", digest.chars().take(32).collect::<String>())
            }
        }
    }
}

/// The /24 (IPv4) or /48 (IPv6) network of an address, as `a.b.c.0/24` or
/// `x:y:z::/48`.
pub fn truncated_ip(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.0/24")
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            let net = std::net::Ipv6Addr::new(s[0], s[1], s[2], 0, 0, 0, 0, 0);
            format!("{net}/48")
        }
    }
}

/// The approximate place of a stored address, for the user's own activity
/// list: the network of a full or truncated one; nothing of a hashed one.
pub fn approximate_place(stored: &str) -> Option<String> {
    if stored.starts_with("hmac:") {
        return None;
    }
    if stored.contains('/') {
        return Some(stored.to_owned());
    }
    stored.parse::<IpAddr>().ok().map(truncated_ip)
}

/// One security event. `id` is 32 random lowercase hex digits, made by the
/// caller (the domain draws no randomness); the store adds its position
/// ([`AuditRecord::seq`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub id: String,
    pub at: DateTime<Utc>,
    pub kind: AuditKind,
    /// The account it is about; `None` for an administrator's action on
    /// something else, or a failed sign-in for an unknown address.
    pub user: Option<UserId>,
    /// The account's address when it happened (the webhook payload's `email`).
    pub email: Option<Email>,
    pub client: Option<ClientId>,
    pub device_id: Option<String>,
    pub device_name: Option<String>,
    pub request_id: Option<String>,
    pub actor: Actor,
    /// The client's address as [`IpRecording`] keeps it.
    pub ip: Option<String>,
    /// The event's own fields (see each [`AuditKind`]): never a secret,
    /// token, code or password.
    pub data: BTreeMap<String, String>,
}

impl AuditEvent {
    pub fn new(id: String, at: DateTime<Utc>, kind: AuditKind, actor: Actor) -> Self {
        Self {
            id,
            at,
            kind,
            user: None,
            email: None,
            client: None,
            device_id: None,
            device_name: None,
            request_id: None,
            actor,
            ip: None,
            data: BTreeMap::new(),
        }
    }

    /// The same event about `user` (and their address).
    #[must_use]
    pub fn about(mut self, user: &UserId, email: &Email) -> Self {
        self.user = Some(user.clone());
        self.email = Some(email.clone());
        self
    }

    /// The same event with one more field in `data`.
    #[must_use]
    pub fn with(mut self, key: &str, value: impl Into<String>) -> Self {
        self.data.insert(key.to_owned(), value.into());
        self
    }

    /// The Standard Webhooks message id of this event (`webhook-id`): the
    /// same for every endpoint and every retry, so receivers can drop duplicates.
    pub fn message_id(&self) -> String {
        format!("msg_{}", self.id)
    }

    /// The webhook body: `{"type", "timestamp", "data": {"user_id", "email",
    /// …the event's own fields}}`, compact JSON.
    pub fn webhook_payload(&self) -> String {
        let mut data = serde_json::Map::new();
        data.insert(
            "user_id".to_owned(),
            self.user
                .as_ref()
                .map_or(serde_json::Value::Null, |u| serde_json::Value::from(u.to_string())),
        );
        data.insert(
            "email".to_owned(),
            self.email
                .as_ref()
                .map_or(serde_json::Value::Null, |e| serde_json::Value::from(e.as_str())),
        );
        if let Some(client) = &self.client {
            data.insert("client_id".to_owned(), serde_json::Value::from(client.as_str()));
        }
        if let Some(device) = &self.device_name {
            data.insert("device_name".to_owned(), serde_json::Value::from(device.as_str()));
        }
        for (key, value) in &self.data {
            data.entry(key.clone())
                .or_insert_with(|| serde_json::Value::from(value.as_str()));
        }
        serde_json::json!({
            "type": self.kind.name(),
            "timestamp": self.at.to_rfc3339_opts(SecondsFormat::Millis, true),
            "data": data,
        })
        .to_string()
    }
}

/// An event as the store gives it back: with its position in the trail
/// (grows with every event written; the keyset-pagination cursor).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub seq: i64,
    pub event: AuditEvent,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    #[test]
    fn every_kind_reads_back_from_its_name_and_names_are_unique() {
        let mut names: Vec<_> = AuditKind::ALL.iter().map(|k| k.name()).collect();
        for kind in AuditKind::ALL {
            assert_eq!(AuditKind::parse(kind.name()), Some(kind));
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), AuditKind::ALL.len());
    }

    #[test]
    fn the_issue_s_webhook_events_are_all_offered() {
        let offered: Vec<_> = AuditKind::webhook_events().collect();
        for name in [
            "user.registered",
            "user.email_confirmed",
            "user.signed_in",
            "user.sign_in_failed",
            "user.locked_out",
            "session.reuse_detected",
            "session.revoked",
            "user.password_changed",
            "user.factor_added",
            "user.factor_removed",
            "policy.accepted",
            "user.updated",
            "user.disabled",
            "user.deleted",
        ] {
            assert!(offered.contains(&name), "{name}");
        }
        assert!(!offered.contains(&"admin.action"));
        // An export changes nothing: recorded, not announced.
        assert!(!offered.contains(&"user.exported"));
    }

    #[test]
    fn addresses_are_kept_as_configured() {
        let key = SecretKey::new(&[7; 32]).unwrap();
        let v4 = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 77));
        let v6: IpAddr = "2001:db8:abcd:12:1::9".parse().unwrap();
        assert_eq!(IpRecording::Full.record(v4, &key), "203.0.113.77");
        assert_eq!(IpRecording::Truncated.record(v4, &key), "203.0.113.0/24");
        assert_eq!(IpRecording::Truncated.record(v6, &key), "2001:db8:abcd::/48");
        let mapped = IpAddr::V6(Ipv4Addr::new(198, 51, 100, 4).to_ipv6_mapped());
        assert_eq!(IpRecording::Truncated.record(mapped, &key), "198.51.100.0/24");
        let hashed = IpRecording::Hashed.record(v4, &key);
        assert!(hashed.starts_with("hmac:") && !hashed.contains("203"));
        assert_eq!(hashed, IpRecording::Hashed.record(v4, &key));
        assert_ne!(
            hashed,
            IpRecording::Hashed.record(IpAddr::V6(Ipv6Addr::LOCALHOST), &key)
        );
        assert_eq!(approximate_place("203.0.113.77").as_deref(), Some("203.0.113.0/24"));
        assert_eq!(approximate_place("203.0.113.0/24").as_deref(), Some("203.0.113.0/24"));
        assert_eq!(approximate_place(&hashed), None);
    }

    #[test]
    fn actors_read_back() {
        for actor in [Actor::User, Actor::Cli, Actor::System, Actor::AdminKey("ops".into())] {
            assert_eq!(Actor::from_stored(&actor.as_stored()), Some(actor));
        }
    }

    #[test]
    fn the_webhook_payload_has_type_timestamp_and_data() {
        let at = DateTime::parse_from_rfc3339("2026-12-06T10:00:00Z").unwrap().to_utc();
        let user = UserId("0123456789abcdef0123456789abcdef".to_owned());
        let email = Email::parse("ann@example.com").unwrap();
        let event = AuditEvent::new("ab".repeat(16), at, AuditKind::SignedIn, Actor::User)
            .about(&user, &email)
            .with("method", "password");
        let body: serde_json::Value = serde_json::from_str(&event.webhook_payload()).unwrap();
        assert_eq!(body["type"], "user.signed_in");
        assert_eq!(body["timestamp"], "2026-12-06T10:00:00.000Z");
        assert_eq!(body["data"]["user_id"], user.to_string());
        assert_eq!(body["data"]["email"], "ann@example.com");
        assert_eq!(body["data"]["method"], "password");
        assert_eq!(event.message_id(), format!("msg_{}", "ab".repeat(16)));
    }
}
