//! What goes into the store and what comes back that is not a domain entity.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use registrar_domain::{
    ClientId, ConfirmationPurpose, DeviceId, DeviceName, Email, Language, PasswordHash, PolicyText, PolicyType,
    Profile, RevisionId, Role, SecretHash, Session, SessionId, SignInMethod, UserId,
};

#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: UserId,
    pub email: Email,
    pub password_hash: Option<PasswordHash>,
    pub profile: Profile,
    pub role: Role,
    pub language: Language,
    pub email_confirmed_at: Option<DateTime<Utc>>,
    /// As [`registrar_domain::User::consent`]: `Some(User::CONSENT_PENDING)`
    /// for an email-first account, `None` for the other families.
    pub consent: Option<i32>,
    pub created_at: DateTime<Utc>,
}

impl From<NewUser> for registrar_domain::User {
    /// The account as stored: new accounts are not disabled.
    fn from(user: NewUser) -> Self {
        Self {
            id: user.id,
            email: user.email,
            password_hash: user.password_hash,
            profile: user.profile,
            role: user.role,
            language: user.language,
            email_confirmed_at: user.email_confirmed_at,
            disabled: false,
            consent: user.consent,
            created_at: user.created_at,
        }
    }
}

/// An account moved in at once with many others ([`UserStore::import_users`](crate::UserStore::import_users)):
/// by `registrar user import` (no session) or `registrar seed` (a session each).
#[derive(Debug, Clone)]
pub struct ImportedUser {
    pub user: NewUser,
    /// A session given with the account, not signed in ([`SignInMethod::Import`]).
    pub session: Option<NewSession>,
    /// Revision ids the user accepted before the move, without duplicates:
    /// accepted at the account's `created_at`.
    pub accepted_policies: Vec<RevisionId>,
    /// The events the import records (`user.registered`), written with the
    /// account in the import's transaction.
    pub audit: Vec<registrar_domain::AuditEvent>,
    /// An authenticator app (TOTP) given with the account, confirmed at its
    /// `created_at`, no step used yet; the secret sealed as the service
    /// seals one (`registrar seed --totp`).
    pub totp: Option<registrar_domain::Sealed>,
    /// A sign-in that waits for its second factor, given with the account
    /// (`registrar seed --totp`: the benchmark's `mfa` scenario completes it).
    pub mfa_token: Option<crate::NewMfaToken>,
}

impl ImportedUser {
    /// The account alone: no session, no acceptance, no event.
    pub fn bare(user: NewUser) -> Self {
        Self {
            user,
            session: None,
            accepted_policies: Vec::new(),
            audit: Vec::new(),
            totp: None,
            mfa_token: None,
        }
    }
}

/// A session to open with its first token pair (hashes only).
#[derive(Debug, Clone)]
pub struct NewSession {
    pub id: SessionId,
    pub user_id: UserId,
    pub client_id: ClientId,
    pub device_id: DeviceId,
    pub device_name: DeviceName,
    pub access_hash: SecretHash,
    pub access_expires_at: DateTime<Utc>,
    pub refresh_hash: SecretHash,
    pub now: DateTime<Utc>,
    /// The password hash this session rests on: the one a login verified (or
    /// the one the account is given in the same transaction). When given,
    /// the store opens the session only if it is still the user's stored
    /// hash, checked under the user's lock in the transaction that inserts
    /// the session, else [`StoreError::StaleCredential`](crate::StoreError::StaleCredential)
    /// and nothing changes: a login that verified a password changed (or
    /// reset) meanwhile opens nothing. `None`: the session rests on no
    /// password (a mailed link, an import).
    pub credential: Option<PasswordHash>,
    /// How the session was signed in ([`Session::sign_in_method`]).
    pub sign_in_method: SignInMethod,
    /// The scopes granted to an OAuth 2 client ([`Session::scope`]); `None`
    /// for Registrar's own grants.
    pub scope: Option<registrar_domain::Scopes>,
    /// The events the opening records (`user.signed_in`), written with the
    /// session in its transaction, only if it opens.
    pub audit: Vec<registrar_domain::AuditEvent>,
    /// A "new sign-in on this device" notice, queued with the session only
    /// when earlier audit events of the user name devices and none names
    /// the session's (the account was seen elsewhere, never there, as far
    /// as the trail remembers; an account's first device is no news).
    pub new_device_notice: Option<NewOutboxMail>,
}

/// A code and/or link token to confirm something by mail (hashes only).
#[derive(Debug, Clone)]
pub struct NewConfirmation {
    pub user_id: UserId,
    pub purpose: ConfirmationPurpose,
    pub code_hash: Option<SecretHash>,
    pub link_hash: SecretHash,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// Everything a registration creates, in one transaction.
#[derive(Debug, Clone)]
pub struct Registration {
    pub user: NewUser,
    /// Revision ids the user accepts, without duplicates.
    pub accepted_policies: Vec<RevisionId>,
    /// The first session, for families that answer with tokens.
    pub session: Option<NewSession>,
    /// Mails the registration sends (the confirmation), queued with it.
    pub outbox: Vec<NewOutboxMail>,
    /// A signup token that pays for this registration: one of its uses is
    /// used up in the same transaction.
    pub invite: Option<SecretHash>,
    pub max_sessions_per_client: usize,
    /// The events the registration records (`user.registered`,
    /// `policy.accepted`), written in its transaction, only if it commits.
    pub audit: Vec<registrar_domain::AuditEvent>,
    /// The user's confirmation, when its code and link were minted with
    /// the registration for a mail queued claimed
    /// ([`NewOutboxMail::claimed_until`]): stored in the same transaction.
    pub confirmation: Option<NewConfirmation>,
}

/// Which mail a queued message is. The queue holds no secret: codes and
/// links are minted when the mail is sent, and only their hashes stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutboxKind {
    /// Confirm the address: a 6-digit code and a link.
    Confirmation,
    /// Email-first signup: a link to the signup confirmation page.
    SignupConfirmation,
    /// Someone tried to sign up with this address.
    SignupAttempt,
    /// A password reset link.
    PasswordReset,
    /// The password was changed.
    PasswordChanged,
    /// Two-step verification (an authenticator app) was turned on.
    TotpEnabled,
    /// Two-step verification was turned off (by the user or an operator).
    TotpDisabled,
    /// A recovery code was used to sign in (when: the mail's `created_at`).
    RecoveryCodeUsed,
    /// A passkey was added to the account.
    PasskeyAdded,
    /// A passkey was removed from the account.
    PasskeyRemoved,
    /// A 6-digit code to sign in with (`grant_type=email_code`).
    SignInCode,
    /// A sign-in on a device the account was never seen on (`audit.new_device_mail`);
    /// the mail's [`NewOutboxMail::detail`] is the device's name.
    NewSignIn,
    /// Confirm a new address (a code and a link), sent to the new address;
    /// the mail's [`NewOutboxMail::detail`] is the change's id.
    EmailChangeConfirm,
    /// The address is being changed (a "this was not me" link), sent to the
    /// old address; the detail is the change's id.
    EmailChangeNotice,
    /// The address was changed, sent to the old address, which is the
    /// mail's detail.
    EmailChanged,
}

impl OutboxKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxKind::Confirmation => "confirmation",
            OutboxKind::SignupConfirmation => "signup_confirmation",
            OutboxKind::SignupAttempt => "signup_attempt",
            OutboxKind::PasswordReset => "password_reset",
            OutboxKind::PasswordChanged => "password_changed",
            OutboxKind::TotpEnabled => "totp_enabled",
            OutboxKind::TotpDisabled => "totp_disabled",
            OutboxKind::RecoveryCodeUsed => "recovery_code_used",
            OutboxKind::PasskeyAdded => "passkey_added",
            OutboxKind::PasskeyRemoved => "passkey_removed",
            OutboxKind::SignInCode => "sign_in_code",
            OutboxKind::NewSignIn => "new_sign_in",
            OutboxKind::EmailChangeConfirm => "email_change_confirm",
            OutboxKind::EmailChangeNotice => "email_change_notice",
            OutboxKind::EmailChanged => "email_changed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            OutboxKind::Confirmation,
            OutboxKind::SignupConfirmation,
            OutboxKind::SignupAttempt,
            OutboxKind::PasswordReset,
            OutboxKind::PasswordChanged,
            OutboxKind::TotpEnabled,
            OutboxKind::TotpDisabled,
            OutboxKind::RecoveryCodeUsed,
            OutboxKind::PasskeyAdded,
            OutboxKind::PasskeyRemoved,
            OutboxKind::SignInCode,
            OutboxKind::NewSignIn,
            OutboxKind::EmailChangeConfirm,
            OutboxKind::EmailChangeNotice,
            OutboxKind::EmailChanged,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// A mail to queue for a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOutboxMail {
    pub id: String,
    pub user_id: UserId,
    pub kind: OutboxKind,
    pub created_at: DateTime<Utc>,
    /// What the mail names besides its recipient (a device's name), never a
    /// secret; `None` for most kinds.
    pub detail: Option<String>,
    /// Set when the request that queues the mail sends it itself, right
    /// after its transaction commits, with secrets minted with the change:
    /// the mail is queued claimed until then, that attempt counted, so that
    /// no worker sends it meanwhile. A request that never reports back
    /// lets the claim lapse, and a worker then sends the mail with secrets
    /// of its own. `None` for most: due at once.
    pub claimed_until: Option<DateTime<Utc>>,
}

/// A queued mail claimed for delivery, with its recipient as they are now.
#[derive(Debug, Clone)]
pub struct OutboxMail {
    pub id: String,
    pub user: registrar_domain::User,
    pub kind: OutboxKind,
    /// Delivery attempts before this one (counted by earlier claims,
    /// whether or not they reported back).
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
    /// As queued ([`NewOutboxMail::detail`]).
    pub detail: Option<String>,
}

/// A typed code, to check against a user's live one
/// ([`crate::ConfirmationStore::confirm_by_code`], [`crate::ConfirmationStore::use_sign_in_code`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeTry {
    /// Whose code it is meant for.
    pub user: UserId,
    /// Wrong tries after which the code is dead.
    pub max_attempts: u32,
    /// The keyed hash of the code as typed.
    pub code_hash: SecretHash,
    pub now: DateTime<Utc>,
    /// The events a right code records (`user.email_confirmed`): written
    /// in its transaction when it confirms (see each method), never for a
    /// wrong one.
    pub audit: Vec<registrar_domain::AuditEvent>,
}

/// What became of a typed code. See [`crate::ConfirmationStore::confirm_by_code`]
/// and [`crate::ConfirmationStore::use_sign_in_code`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeOutcome {
    /// The code was right: it is used up and the address confirmed (a
    /// sign-in code: the sign-in may go on).
    Confirmed,
    /// Wrong code; the try is counted.
    Wrong,
    /// The code has had its tries: dead until a new one is sent.
    TooManyAttempts,
    /// No live code (never sent, used, expired or replaced).
    NoCode,
}

/// A refresh-token rotation request. See [`crate::SessionStore::rotate_refresh`].
#[derive(Debug, Clone)]
pub struct Rotation {
    pub presented: SecretHash,
    /// When given, the session's client must be this one.
    pub client_id: Option<ClientId>,
    pub new_access_hash: SecretHash,
    pub new_access_expires_at: DateTime<Utc>,
    pub new_refresh_hash: SecretHash,
    pub now: DateTime<Utc>,
    /// A refresh token last rotated or issued at or before this instant is idle-expired.
    pub idle_cutoff: DateTime<Utc>,
    /// A rotated-out token retired after this instant is within the reuse grace period.
    pub grace_cutoff: DateTime<Utc>,
    /// Templates of the events a detected reuse records
    /// (`session.reuse_detected`): the store completes them with the revoked
    /// session's user, address, client and device
    /// ([`crate::complete_events`]) and writes them with the revocation,
    /// only on [`RotationOutcome::ReuseDetected`].
    pub audit: Vec<registrar_domain::AuditEvent>,
}

// One value per refresh, answered at once and never kept in bulk: a
// `Session` (grown by its scope) inline is cheaper than a box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RotationOutcome {
    /// The presented token was live: the session now holds the new pair.
    Rotated(Session),
    /// The presented token was rotated out moments ago (within the grace
    /// period): refused, and the session lives on.
    RetiredWithinGrace,
    /// The presented token was rotated out before the grace period: its whole
    /// session has been revoked (theft detection).
    ReuseDetected,
    /// The token is live but idle past its TTL: the session has been revoked.
    Expired,
    /// The token belongs to another client: nothing changed.
    ClientMismatch,
    /// Never seen, or its session is gone.
    Unknown,
}

#[derive(Debug, Clone)]
pub struct NewPolicyRevision {
    pub policy_type: PolicyType,
    pub version: String,
    pub published_at: DateTime<Utc>,
    pub texts: BTreeMap<Language, PolicyText>,
}

/// A signup token (`registrar invite create`), stored as a hash.
#[derive(Debug, Clone)]
pub struct NewInvite {
    pub token_hash: SecretHash,
    pub name: Option<String>,
    /// How many registrations it pays for (at least 1).
    pub uses: u32,
    pub created_at: DateTime<Utc>,
}

/// An invite as listed: never its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteRecord {
    /// The first [`InviteRecord::ID_LEN`] hex digits of its hash: names it
    /// to people, proves nothing.
    pub id: String,
    pub name: Option<String>,
    pub uses_left: u32,
    pub created_at: DateTime<Utc>,
}

impl InviteRecord {
    pub const ID_LEN: usize = 16;

    /// The id of the invite stored under `token_hash`.
    pub fn id_of(token_hash: &SecretHash) -> String {
        token_hash.as_str().chars().take(Self::ID_LEN).collect()
    }

    /// Whether `id` has the shape of an invite id (lowercase hex of the
    /// right length): anything else names no invite.
    pub fn is_id(id: &str) -> bool {
        id.len() == Self::ID_LEN && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    }
}

/// Confirming an email-first signup through its link.
#[derive(Debug, Clone)]
pub struct SignupCompletion {
    pub link_hash: SecretHash,
    /// The consent level given (at least 1).
    pub consent: i32,
    /// A password chosen on the way, if any.
    pub password_hash: Option<PasswordHash>,
    /// The first session, of the built-in web client.
    pub session: NewSession,
    pub max_sessions_per_client: usize,
    pub now: DateTime<Utc>,
    /// Templates of the events the completion records
    /// (`user.email_confirmed`, `policy.accepted`), completed by the store
    /// with the link's user ([`crate::complete_events`]) and written with
    /// the change; `user.email_confirmed` only if the address was not
    /// confirmed yet. The session's own events ride with it.
    pub audit: Vec<registrar_domain::AuditEvent>,
}

/// Where a user stands on the policies: the current revision of every
/// policy type (the latest published), and every revision the user accepted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyStanding {
    pub current: Vec<(registrar_domain::RevisionId, registrar_domain::PolicyType)>,
    pub accepted: std::collections::BTreeSet<registrar_domain::RevisionId>,
}
