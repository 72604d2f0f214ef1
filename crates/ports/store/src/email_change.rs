//! A change of address, confirmed on both sides: the new address proves
//! itself with a code or a link, the old one may cancel. One pending change
//! per user; the address itself changes only when the new one confirms.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use registrar_domain::{AuditEvent, Email, SecretHash, UserId};

use crate::{CodeOutcome, NewOutboxMail, StoreError};

/// A change of address to start (replacing the user's pending one).
#[derive(Debug, Clone)]
pub struct NewEmailChange {
    /// Names this change: the mails it queues carry it as their
    /// [`NewOutboxMail::detail`], so that a mail of a replaced change mints
    /// nothing for the new one.
    pub id: String,
    pub user: UserId,
    pub new_email: Email,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The notice to the old address and the confirmation to the new one,
    /// queued with the change.
    pub mails: Vec<NewOutboxMail>,
    /// `user.email_change_requested`, written with the change.
    pub audit: Vec<AuditEvent>,
}

/// A pending change as stored (never its secrets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingEmailChange {
    pub id: String,
    pub user: UserId,
    pub new_email: Email,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// The secrets a mail of a change carries, minted when it is sent (hashes only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailChangeSecret {
    /// The mail to the new address: a code (keyed hash) and a link.
    Confirm {
        code_hash: SecretHash,
        link_hash: SecretHash,
    },
    /// The notice to the old address: the "this was not me" link.
    Cancel { link_hash: SecretHash },
}

/// Which link of a change a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailChangeLink {
    /// The new address's link: confirms the change.
    Confirm,
    /// The old address's link: cancels it.
    Cancel,
}

/// How the new address proves itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailChangeProof {
    /// A typed code (its keyed hash); wrong ones count against `max_attempts`.
    Code { code_hash: SecretHash, max_attempts: u32 },
    /// The link's hash.
    Link(SecretHash),
}

/// Confirming the user's pending change.
#[derive(Debug, Clone)]
pub struct EmailChangeConfirmation {
    pub user: UserId,
    pub proof: EmailChangeProof,
    pub now: DateTime<Utc>,
    /// The final notice to the old address (its [`NewOutboxMail::detail`]
    /// is the old address), queued only if the change applies.
    pub notice: NewOutboxMail,
    /// `user.updated` (`fields: email`), written only if the change applies.
    pub audit: Vec<AuditEvent>,
}

/// Cancelling the user's pending change from the old address.
#[derive(Debug, Clone)]
pub struct EmailChangeCancellation {
    pub user: UserId,
    pub link_hash: SecretHash,
    pub now: DateTime<Utc>,
    /// The password-reset mail to the (old, unchanged) address, queued only
    /// if it cancels.
    pub reset_mail: NewOutboxMail,
    /// `user.email_change_cancelled`, written only if it cancels.
    pub audit: Vec<AuditEvent>,
}

/// A change is live while `now < expires_at`.
#[async_trait]
pub trait EmailChangeStore {
    /// Stores the change as the user's only pending one (any earlier one,
    /// with its code and links, dies), queues its mails and writes its
    /// audit, all or nothing. Whether the new address is taken is not
    /// checked here: that is the confirmation's to find out.
    /// MUST return [`StoreError::NotFound`] (nothing changed) for an unknown user.
    async fn start_email_change(&self, change: NewEmailChange) -> Result<(), StoreError>;

    /// The user's live pending change at `now`, if any.
    async fn pending_email_change(
        &self,
        user: &UserId,
        now: DateTime<Utc>,
    ) -> Result<Option<PendingEmailChange>, StoreError>;

    /// Stores the hashes a mail of change `id` carries (replacing that
    /// mail's earlier ones; new code hashes start with no tries counted)
    /// and returns the change, if it is still the user's live pending one
    /// at `now`; else `None` and nothing changes (the mail is obsolete).
    async fn arm_email_change(
        &self,
        user: &UserId,
        id: &str,
        secret: EmailChangeSecret,
        now: DateTime<Utc>,
    ) -> Result<Option<PendingEmailChange>, StoreError>;

    /// The live pending change that a link of this kind hashing to
    /// `link_hash` belongs to, without using it.
    async fn email_change_by_link(
        &self,
        link_hash: &SecretHash,
        which: EmailChangeLink,
        now: DateTime<Utc>,
    ) -> Result<Option<PendingEmailChange>, StoreError>;

    /// Applies the user's live pending change if the proof holds,
    /// atomically: the address becomes the new one (and confirmed), the
    /// pending change is removed, the final notice queued and the audit
    /// written ([`CodeOutcome::Confirmed`]); sessions stay.
    /// A wrong code counts a try ([`CodeOutcome::Wrong`]); once
    /// `max_attempts` are counted every code is
    /// [`CodeOutcome::TooManyAttempts`]; no live change, no code yet, or a
    /// link that is not the change's: [`CodeOutcome::NoCode`].
    /// MUST return [`StoreError::DuplicateEmail`] and change nothing if
    /// another account has the new address (whatever the case), also when
    /// a registration of it races: of the two, one wins. Of concurrent
    /// confirmations one applies; the others see `NoCode`.
    async fn confirm_email_change(&self, confirmation: &EmailChangeConfirmation) -> Result<CodeOutcome, StoreError>;

    /// Cancels the user's live pending change whose cancel link hashes to
    /// `link_hash`: the change is removed, every session and browser
    /// session of the user revoked (and their `mfa_token`s dropped), the
    /// reset mail queued and the audit written. Returns whether it
    /// cancelled; `false` (nothing changed) for any other link.
    async fn cancel_email_change(&self, cancellation: &EmailChangeCancellation) -> Result<bool, StoreError>;

    /// Deletes the changes no longer live at `now` and returns how many.
    async fn purge_email_changes(&self, now: DateTime<Utc>) -> Result<u64, StoreError>;
}
