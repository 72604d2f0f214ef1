//! Passkeys (WebAuthn credentials) and the ceremonies that make and use
//! them.
//!
//! A credential is kept as WebAuthn Level 3 asks (§6.1, §7.2): its id, its
//! COSE public key, its signature counter and its backup flags, inside the
//! serialised credential the ceremony library reads back, with the counter
//! and flags also in columns of their own. A ceremony's state (which holds
//! its challenge) lives in the store between its two requests, so that any
//! instance can finish what another began; it is stored under the SHA-256
//! of the ceremony id handed out and sealed under the server secret, used
//! once, and dead after its expiry.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use registrar_domain::{AuditEvent, PasskeyName, Sealed, SecretHash, UserId};

use crate::{NewOutboxMail, StoreError};

/// A user's passkey as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyRecord {
    /// Our id of the passkey (a UUID), the one in `/api/me/factors/passkeys/{id}`.
    pub id: String,
    pub user: UserId,
    pub name: PasskeyName,
    /// The WebAuthn credential id, base64url without padding: unique over
    /// every user.
    pub credential_id: String,
    /// The credential as the ceremony library serialises it (public key,
    /// counter, flags); no secret.
    pub credential: String,
    /// The authenticator's signature counter last seen (0: it keeps none).
    pub sign_count: u32,
    /// Whether the credential may be synced to other devices (the BE flag).
    pub backup_eligible: bool,
    /// Whether it is backed up now (the BS flag, as last seen).
    pub backup_state: bool,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A sign-in with a passkey, to record on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyUse {
    pub user: UserId,
    pub id: String,
    /// The credential with its counter and flags updated.
    pub credential: String,
    pub sign_count: u32,
    pub backup_state: bool,
    pub now: DateTime<Utc>,
}

/// What a ceremony is for: the request that finishes it must be the kind
/// that began it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CeremonyKind {
    /// Adding a passkey to a signed-in user's account.
    Registration,
    /// Signing in with a passkey and no user named (discoverable).
    SignIn,
    /// A passkey as the second factor of a sign-in waiting under an
    /// `mfa_token` (the ceremony is stored under that token's hash).
    SecondFactor,
}

impl CeremonyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registration => "registration",
            Self::SignIn => "sign_in",
            Self::SecondFactor => "second_factor",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Registration, Self::SignIn, Self::SecondFactor]
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }
}

/// A ceremony begun, to store until it is finished or expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCeremony {
    /// SHA-256 of the ceremony id handed out (or of the `mfa_token`).
    pub id_hash: SecretHash,
    pub kind: CeremonyKind,
    /// The user it is for (`None` for a discoverable sign-in).
    pub user: Option<UserId>,
    /// The library's ceremony state, sealed under the server secret.
    pub state: Sealed,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Which ceremony, and what makes it live: stored under `id_hash`, of
/// `kind`, unexpired at `now`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CeremonyLookup {
    pub id_hash: SecretHash,
    pub kind: CeremonyKind,
    pub now: DateTime<Utc>,
}

/// A ceremony taken to be finished.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ceremony {
    pub kind: CeremonyKind,
    pub user: Option<UserId>,
    pub state: Sealed,
}

/// Passkeys and their ceremonies.
#[async_trait]
pub trait PasskeyStore {
    /// The user's passkeys, oldest first.
    async fn passkeys(&self, user: &UserId) -> Result<Vec<PasskeyRecord>, StoreError>;

    /// The passkey with this WebAuthn credential id, whoever's it is.
    async fn passkey_by_credential(&self, credential_id: &str) -> Result<Option<PasskeyRecord>, StoreError>;

    /// Adds a passkey and queues `mail` ("a passkey was added"), at once.
    /// [`StoreError::Duplicate`] (nothing stored or queued) when its
    /// credential id is taken; [`StoreError::NotFound`] when there is no
    /// such user. Writes `audit` (`user.factor_added`, factor `passkey`)
    /// with it, none when it fails.
    async fn add_passkey(
        &self,
        passkey: PasskeyRecord,
        mail: Option<NewOutboxMail>,
        audit: &[AuditEvent],
    ) -> Result<(), StoreError>;

    /// Renames the user's passkey `id`: `false` when the user has none such.
    async fn rename_passkey(&self, user: &UserId, id: &str, name: PasskeyName) -> Result<bool, StoreError>;

    /// Removes the user's passkey `id` and queues `mail` ("a passkey was
    /// removed"), at once: `false` (nothing queued) when the user has none
    /// such (of two removals racing, one mails). Writes `audit`
    /// (`user.factor_removed`, factor `passkey`) only when it removed one.
    async fn remove_passkey(
        &self,
        user: &UserId,
        id: &str,
        mail: Option<NewOutboxMail>,
        audit: &[AuditEvent],
    ) -> Result<bool, StoreError>;

    /// Records a sign-in with the passkey: its updated credential, counter
    /// and backup state, and the time. `false` (nothing changed) when the
    /// passkey is gone, or when its stored counter is non-zero and not below
    /// `sign_count` (another sign-in recorded a later count meanwhile: the
    /// counter never goes back).
    async fn passkey_used(&self, used: &PasskeyUse) -> Result<bool, StoreError>;

    /// Stores a ceremony, replacing one under the same id hash (a second
    /// options request for one `mfa_token` starts over).
    async fn put_ceremony(&self, ceremony: NewCeremony) -> Result<(), StoreError>;

    /// Takes the ceremony, once: `Some` for the one caller that finds it
    /// live (see [`CeremonyLookup`]; it is removed then), `None` for every
    /// other. A ceremony of another kind is left alone.
    async fn take_ceremony(&self, lookup: &CeremonyLookup) -> Result<Option<Ceremony>, StoreError>;

    /// Drops the ceremonies that expired before `now`; returns how many.
    async fn purge_ceremonies(&self, now: DateTime<Utc>) -> Result<u64, StoreError>;
}
