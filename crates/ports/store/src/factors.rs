//! Second factors: an authenticator app's secret (TOTP), recovery codes, and
//! the short-lived `mfa_token` that carries a sign-in from its first factor
//! to its second.
//!
//! The store never sees a secret in clear: the TOTP secret arrives sealed
//! ([`Sealed`], opened only by the service under the server secret),
//! recovery codes and `mfa_token`s as keyed or plain hashes.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use registrar_domain::{
    AuditEvent, ClientId, DeviceId, DeviceName, Email, PasswordHash, Sealed, SecretHash, User, UserId,
};

use crate::{NewOutboxMail, NewSession, StoreError};

/// A user's authenticator-app factor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpFactor {
    /// The shared secret, sealed for purpose `totp` and the user's id.
    pub secret: Sealed,
    pub created_at: DateTime<Utc>,
    /// `None` while pending: enrolled, not yet confirmed with a first code.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// The last 30-second step accepted; never accepted again.
    pub last_step: Option<u64>,
}

/// What a correct second factor completes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MfaPurpose {
    /// A sign-in: the token pair for the attempt's client and device.
    SignIn,
    /// A password change: the new password (already checked against the
    /// rules and hashed) is set, then the pair answered.
    ChangePassword { new_password_hash: PasswordHash },
    /// A change of address: it is started (its mails sent), then the pair
    /// answered, as for a password change.
    ChangeEmail { new_email: Email },
    /// A sign-in on the authorization endpoint's page: a browser session is
    /// opened (never a token pair: `grant_type=mfa` refuses the token).
    BrowserSignIn,
}

/// How the first factor was given, for the session's sign-in method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstFactor {
    Password,
    EmailCode,
}

impl FirstFactor {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Password => "password",
            Self::EmailCode => "email_code",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "password" => Some(Self::Password),
            "email_code" => Some(Self::EmailCode),
            _ => None,
        }
    }
}

/// A sign-in (or password change) that waits for its second factor: who,
/// on which client and device, and what the factor completes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfaAttempt {
    pub user: UserId,
    pub client: ClientId,
    pub device: DeviceId,
    pub device_name: DeviceName,
    pub first_factor: FirstFactor,
    pub purpose: MfaPurpose,
    /// The password hash the first factor verified (`None` for a first
    /// factor that is no password): the session or password change the
    /// second step completes rests on it, so that a password changed or
    /// reset between the two steps refuses it
    /// ([`StoreError::StaleCredential`]).
    pub credential: Option<PasswordHash>,
}

/// An attempt to store under its `mfa_token`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMfaToken {
    /// SHA-256 of the token handed out (256 random bits).
    pub token_hash: SecretHash,
    pub attempt: MfaAttempt,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A live `mfa_token` as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfaToken {
    pub attempt: MfaAttempt,
    /// Wrong second factors given with it so far.
    pub failures: u32,
    pub expires_at: DateTime<Utc>,
}

/// Which `mfa_token`, and what makes it live: known, unused, unexpired at
/// `now`, and given fewer than `max_failures` wrong factors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfaTokenLookup {
    pub token_hash: SecretHash,
    pub now: DateTime<Utc>,
    pub max_failures: u32,
}

/// A sign-in waiting for its second factor, read at once: the live token,
/// its user, and that user's TOTP factor (pending or confirmed) if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingSignIn {
    pub token: MfaToken,
    pub user: User,
    pub totp: Option<TotpFactor>,
}

/// What a correct second factor uses up, and for a sign-in what it opens:
/// [`FactorStore::take_second_factor`].
#[derive(Debug, Clone)]
pub struct SecondFactorUse {
    /// The token, live as [`MfaTokenLookup`] says and of `user`.
    pub lookup: MfaTokenLookup,
    pub user: UserId,
    /// The 30-second step of the TOTP code given, if the factor was one:
    /// taken only if it is later than the last step the user's confirmed
    /// factor accepted (RFC 6238 §5.2: a code is accepted once).
    pub totp_step: Option<u64>,
    /// The session the sign-in opens, under the rules of
    /// [`SessionStore::open_session`](crate::SessionStore::open_session) with
    /// this cap per client; `None` when the attempt goes on elsewhere (a
    /// password change, a browser session, a disabled account).
    pub session: Option<(NewSession, usize)>,
}

/// What [`FactorStore::take_second_factor`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecondFactorTaken {
    /// The token is used, the step taken and the session (if any) open;
    /// `notice_queued`: the session's new-device notice was queued.
    Taken { token: MfaToken, notice_queued: bool },
    /// No live token of the user with that hash (unknown, used, expired,
    /// failed too often, or ended): nothing changed.
    TokenNotLive,
    /// The user's confirmed factor does not take the step (used already,
    /// earlier than the last, or no confirmed factor): nothing changed.
    StepUsed,
}

/// Confirming a pending TOTP factor with its first code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpConfirmation {
    pub user: UserId,
    /// The pending secret the code was checked against.
    pub secret: Sealed,
    /// The step of that code.
    pub step: u64,
    /// The hashes of the user's new recovery codes.
    pub recovery_codes: Vec<SecretHash>,
    pub now: DateTime<Utc>,
    /// `user.factor_added` (factor `totp`): written only if it confirms.
    pub audit: Vec<AuditEvent>,
}

/// Using one of a user's recovery codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryCodeUse {
    pub user: UserId,
    /// The keyed hash of the code given.
    pub code: SecretHash,
    pub now: DateTime<Utc>,
    /// `user.recovery_code_used`: written only if the code is used up here.
    pub audit: Vec<AuditEvent>,
}

/// Second factors and the attempts that wait for one.
#[async_trait]
pub trait FactorStore {
    /// The user's TOTP factor, pending or confirmed.
    async fn totp_factor(&self, user: &UserId) -> Result<Option<TotpFactor>, StoreError>;

    /// Stores a pending TOTP secret, replacing a pending one. `false` (and
    /// nothing changed) when the user already has a confirmed one.
    /// [`StoreError::NotFound`] when there is no such user.
    async fn put_pending_totp(&self, user: &UserId, secret: Sealed, now: DateTime<Utc>) -> Result<bool, StoreError>;

    /// Confirms the user's pending factor if its secret is the one the code
    /// was checked against, records the code's step, gives the user the
    /// new recovery codes (dropping any older ones) and queues `mail` ("two-step
    /// verification turned on"), all at once. `false` (nothing changed,
    /// nothing queued) when there is no pending factor with that secret
    /// (replaced or confirmed meanwhile). Writes [`TotpConfirmation::audit`]
    /// only when it confirms.
    async fn confirm_totp(
        &self,
        confirmation: TotpConfirmation,
        mail: Option<NewOutboxMail>,
    ) -> Result<bool, StoreError>;

    /// Removes the TOTP factor (pending or confirmed) and the recovery codes,
    /// and queues `mail` ("two-step verification turned off"), at once.
    /// `false` when there was no factor: then nothing is queued (of two
    /// removals racing, one mails). The user's `mfa_token`s are left alone.
    /// Writes `audit` (`user.factor_removed`) only when it removed one.
    async fn remove_totp(
        &self,
        user: &UserId,
        mail: Option<NewOutboxMail>,
        audit: &[AuditEvent],
    ) -> Result<bool, StoreError>;

    /// Removes every second factor of the user (as [`Self::remove_totp`],
    /// and their passkeys) and ends their `mfa_token`s (an attempt waiting for a factor has
    /// none left to wait for), queuing `mail`, at once. `false` when there
    /// was no factor: then nothing is queued, though the tokens still end.
    /// Writes `audit` (`user.factor_removed`, factor `all`) only when it removed one.
    async fn reset_factors(
        &self,
        user: &UserId,
        mail: Option<NewOutboxMail>,
        audit: &[AuditEvent],
    ) -> Result<bool, StoreError>;

    /// Replaces the user's recovery codes (hashes), writing `audit`
    /// (`user.factor_added`, factor `recovery_codes`) with them.
    async fn replace_recovery_codes(
        &self,
        user: &UserId,
        codes: Vec<SecretHash>,
        now: DateTime<Utc>,
        audit: &[AuditEvent],
    ) -> Result<(), StoreError>;

    /// Uses the unused recovery code `code` of the user and queues `mail`
    /// ("a recovery code was used"), at once: `false` (nothing queued) when
    /// it is unknown or used (of two racing with one code, one wins and one
    /// mail is queued). Writes [`RecoveryCodeUse::audit`] only when it uses the code.
    async fn use_recovery_code(&self, used: &RecoveryCodeUse, mail: Option<NewOutboxMail>) -> Result<bool, StoreError>;

    /// How many unused recovery codes the user has.
    async fn recovery_codes_left(&self, user: &UserId) -> Result<u32, StoreError>;

    /// Stores an attempt waiting for its second factor. MUST return
    /// [`StoreError::Duplicate`] if the hash exists.
    async fn create_mfa_token(&self, token: NewMfaToken) -> Result<(), StoreError>;

    /// The token, if it is live (see [`MfaTokenLookup`]).
    async fn mfa_token(&self, lookup: &MfaTokenLookup) -> Result<Option<MfaToken>, StoreError>;

    /// The live token (see [`MfaTokenLookup`]) with its user and their TOTP
    /// factor, in one trip: `None` when the token is not live.
    async fn waiting_sign_in(&self, lookup: &MfaTokenLookup) -> Result<Option<WaitingSignIn>, StoreError>;

    /// Counts a wrong factor given with the token; returns the count (0 for
    /// an unknown token).
    async fn mfa_token_failed(&self, token_hash: &SecretHash) -> Result<u32, StoreError>;

    /// The second step, in one transaction: uses the live token (once: of
    /// two requests racing with one token, one takes it), takes the TOTP
    /// step if one is given (once: of two racing with one code, one wins),
    /// and opens the session if one is given. All of it or nothing: a step
    /// not taken leaves the token live, a token not live leaves the step
    /// untaken, and a session refused (an error such as
    /// [`StoreError::StaleCredential`]) leaves both.
    async fn take_second_factor(&self, taking: SecondFactorUse) -> Result<SecondFactorTaken, StoreError>;

    /// Drops the tokens that expired before `now`; returns how many.
    async fn purge_mfa_tokens(&self, now: DateTime<Utc>) -> Result<u64, StoreError>;
}
