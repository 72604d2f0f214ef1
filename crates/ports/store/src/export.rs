//! The data export (`GET /api/me/export`): everything the store holds about
//! one account, read at one instant, never a secret.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use registrar_domain::{AuditEvent, AuditRecord, ClientId, Scopes, Session, User, UserId};

use crate::{AcceptedRevision, BrowserSession, OutboxKind, StoreError};

/// The authenticator-app factor, without its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedTotp {
    pub created_at: DateTime<Utc>,
    /// `None` while pending (enrolled, never confirmed with a code).
    pub confirmed_at: Option<DateTime<Utc>>,
}

/// A passkey, without its credential (public key, sign count, flags).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedPasskey {
    pub id: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A consent the user gave a third-party client at the authorization endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedConsent {
    pub client: ClientId,
    pub scope: Scopes,
    pub granted_at: DateTime<Utc>,
}

/// Where a mail of the outbox is in its delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailState {
    /// Queued, not yet delivered (maybe retrying).
    Queued,
    Sent,
    /// Delivery failed for good.
    GivenUp,
}

impl MailState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sent => "sent",
            Self::GivenUp => "given_up",
        }
    }
}

/// A mail the outbox holds for the user: its kind and times, never its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedMail {
    pub kind: OutboxKind,
    pub queued_at: DateTime<Utc>,
    pub state: MailState,
    /// When it was delivered; `None` unless [`MailState::Sent`] (and on a
    /// store that does not keep it).
    pub sent_at: Option<DateTime<Utc>>,
}

/// Everything the store holds about one user, read in one snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserExport {
    /// The account: profile, address and its confirmation time, language,
    /// role, the consent level of an email-first signup; its
    /// `password_hash` is always `None` (see [`UserExport::has_password`]).
    pub user: User,
    /// Whether the account has a password.
    pub has_password: bool,
    /// Token sessions, oldest first.
    pub sessions: Vec<Session>,
    /// Browser sessions of the sign-in page, by sign-in time.
    pub browser_sessions: Vec<BrowserSession>,
    /// Accepted policy revisions, by revision id.
    pub accepted: Vec<AcceptedRevision>,
    pub totp: Option<ExportedTotp>,
    /// Unused recovery codes (how many, never the codes).
    pub recovery_codes_left: u32,
    /// Passkeys, by creation time.
    pub passkeys: Vec<ExportedPasskey>,
    /// Consents to third-party clients, by client id.
    pub consents: Vec<ExportedConsent>,
    /// The mails the outbox holds, oldest first.
    pub mails: Vec<ExportedMail>,
    /// The audit events about the user, oldest first.
    pub events: Vec<AuditRecord>,
}

#[async_trait]
pub trait ExportStore {
    /// Everything held about the user ([`UserExport`]), read in one
    /// transaction so that its sections agree with each other; `None` for
    /// an unknown user. In that transaction and before the reading, writes
    /// `audit` (`user.exported`): the export lists its own event. An
    /// unknown user writes nothing. MUST NOT include another user's rows,
    /// nor any secret (hash, sealed secret, credential, token).
    async fn export_user(&self, user: &UserId, audit: &[AuditEvent]) -> Result<Option<UserExport>, StoreError>;
}
