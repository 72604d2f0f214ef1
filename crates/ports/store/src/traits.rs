use std::collections::BTreeSet;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use registrar_domain::{
    AuditEvent, Client, ClientId, DeviceId, Email, Language, Limit, PasswordHash, PolicyRevision, Profile, RevisionId,
    Role, SecretHash, Session, SessionId, ThrottleKey, User, UserId,
};

use crate::{
    AdminKeyStore, AdminUserStore, AuditStore, AuthorizationStore, BreachedPasswordStore, CodeOutcome, CodeTry,
    EmailChangeStore, ExportStore, FactorStore, ImportedUser, NewConfirmation, NewInvite, NewOutboxMail,
    NewPolicyRevision, NewSession, OutboxMail, PasskeyStore, PolicyStanding, Registration, Rotation, RotationOutcome,
    SigningKeyStore, SignupCompletion, StoreError, WebhookStore,
};

#[async_trait]
pub trait UserStore {
    /// Creates the user, their policy acceptances, their first session (if
    /// any, under the same rules as [`SessionStore::open_session`]) and queues
    /// their mails, all or nothing.
    ///
    /// MUST return [`StoreError::DuplicateEmail`] and change nothing if an
    /// account with the same address exists, whatever the case of either, also
    /// when two registrations race. With an `invite`, one of its uses is used
    /// up with the account; MUST return [`StoreError::InvalidInvite`] and change
    /// nothing if it is unknown or used up (of two registrations racing for
    /// the last use, one wins). The email is checked before the invite. MUST return [`StoreError::UnknownRevision`]
    /// and change nothing if an accepted revision does not exist.
    /// Writes [`Registration::audit`] (and the first session's
    /// [`NewSession::audit`]) in the same transaction: no event when it fails.
    async fn register(&self, registration: Registration) -> Result<(), StoreError>;

    /// Inserts many accounts at once, each with the session given (if any)
    /// and its accepted policies, in ONE transaction however many there are
    /// (all or nothing): for imports and for seeding benchmarks. No mail.
    /// MUST return [`StoreError::DuplicateEmail`] and insert nothing if an
    /// address is taken (in the store or twice in the batch, whatever the
    /// case); MUST return [`StoreError::UnknownRevision`] and insert nothing
    /// if an accepted revision does not exist. Writes each account's
    /// [`ImportedUser::audit`] in the same transaction: none when it fails.
    /// Returns how many accounts were inserted.
    async fn import_users(&self, users: Vec<ImportedUser>) -> Result<u64, StoreError>;

    /// The addresses among `emails` that have an account, compared
    /// case-insensitively, as [`Email::normalized`] forms: what an import
    /// checks before it starts, to name each taken address by its line.
    async fn taken_emails(&self, emails: &[Email]) -> Result<BTreeSet<String>, StoreError>;

    /// Brings the database's query-planner statistics up to date, after a
    /// bulk change such as [`Self::import_users`] of many accounts: until
    /// then a planner may choose an index that walks the whole table (the
    /// admin search on a freshly seeded million users did). Changes no
    /// data; a store without a planner has nothing to do.
    async fn refresh_statistics(&self) -> Result<(), StoreError>;

    /// The account with this address, compared case-insensitively.
    async fn user_by_email(&self, email: &Email) -> Result<Option<User>, StoreError>;

    async fn user_by_id(&self, id: &UserId) -> Result<Option<User>, StoreError>;

    /// Replaces the profile fields and language of a user and returns the user.
    /// MUST return [`StoreError::NotFound`] if the user does not exist.
    /// Writes `audit` (`user.updated`) with the change, none for an unknown user.
    async fn update_profile(
        &self,
        id: &UserId,
        profile: &Profile,
        language: Language,
        audit: &[AuditEvent],
    ) -> Result<User, StoreError>;

    /// Sets a new password hash and revokes every session and every browser
    /// session ([`AuthorizationStore`]) of the user, then
    /// opens `keep` (if given) as the user's only session and queues `mail`
    /// (if given) — all or nothing. Live password-reset links and the
    /// user's live `mfa_token`s (an attempt that checked the old password)
    /// die with it.
    /// MUST return [`StoreError::NotFound`] if the user does not exist.
    /// The credential of `keep` (if any) is the password the caller verified
    /// to make this change: it is checked against the stored hash *before*
    /// the change, under the user's lock; MUST return
    /// [`StoreError::StaleCredential`] and change nothing if it is no longer
    /// the user's (another change or a reset committed since).
    /// Writes `audit` (`user.password_changed`) with the change: none when it fails.
    async fn set_password(
        &self,
        id: &UserId,
        hash: &PasswordHash,
        keep: Option<NewSession>,
        mail: Option<NewOutboxMail>,
        audit: &[AuditEvent],
    ) -> Result<(), StoreError>;

    /// Replaces the password hash of the user by `upgraded` only if the
    /// stored one is still `verified` (compare-and-set: a change or reset
    /// committed since wins), after a sign-in verified the password against
    /// `verified` and found it in an older scheme or under lower costs.
    /// Unlike [`Self::set_password`] the password is the same: no session is
    /// revoked, no link dies, no event is written. Returns whether it
    /// replaced the hash (`false` for an unknown user).
    async fn upgrade_password_hash(
        &self,
        id: &UserId,
        verified: &PasswordHash,
        upgraded: &PasswordHash,
    ) -> Result<bool, StoreError>;

    /// Disables or enables an account; disabling revokes every session and
    /// browser session and kills the user's live `mfa_token`s. Writes
    /// `audit` only when the account's state flips (disabling a disabled
    /// account records nothing).
    /// MUST return [`StoreError::NotFound`] if there is no such user.
    async fn set_disabled(&self, id: &UserId, disabled: bool, audit: &[AuditEvent]) -> Result<(), StoreError>;

    /// Sets the role of a user, writing `audit` only when the role changes.
    /// MUST return [`StoreError::NotFound`] if there is no such user.
    async fn set_role(&self, id: &UserId, role: &Role, audit: &[AuditEvent]) -> Result<(), StoreError>;

    /// Erases the user and everything tied to them (sessions, browser
    /// sessions, codes, consents, acceptances, confirmations, queued mails).
    /// Returns whether there was such a user. With the erasure, in its
    /// transaction: writes `audit` (`user.deleted`, its webhook deliveries
    /// queued as given) and then [`crate::anonymize`]s every event about
    /// the user, that one included. Nothing when there was no such user.
    async fn delete_user(&self, id: &UserId, audit: &[AuditEvent]) -> Result<bool, StoreError>;
}

#[async_trait]
pub trait SessionStore {
    /// Opens a session with its first token pair. A live session of the same
    /// (user, client, device) is revoked first (one live pair per triple);
    /// then, while the user has more than `max_per_client` sessions of this
    /// client, the least recently used ones are revoked. Concurrent calls for
    /// one user MUST NOT leave more than `max_per_client` sessions.
    /// MUST return [`StoreError::NotFound`] for an unknown user or client.
    /// MUST return [`StoreError::StaleCredential`] and change nothing when the
    /// session's [`credential`](NewSession::credential) is not the user's
    /// stored password hash, checked under the user's lock in the transaction
    /// that inserts the session: a concurrent [`UserStore::set_password`] or
    /// [`ConfirmationStore::reset_password`] either comes after (and revokes
    /// the session) or before (and the session is refused).
    /// Writes the session's [`NewSession::audit`] with it, only if it opens,
    /// and queues its [`NewSession::new_device_notice`] (if any) when
    /// earlier audit events of the user name devices but none names the
    /// session's. Returns whether it queued the notice.
    async fn open_session(&self, session: NewSession, max_per_client: usize) -> Result<bool, StoreError>;

    /// The session (and its user) whose access token hashes to `access_hash`,
    /// if the token has not expired at `now`.
    async fn session_by_access(
        &self,
        access_hash: &SecretHash,
        now: DateTime<Utc>,
    ) -> Result<Option<(Session, User)>, StoreError>;

    /// Rotates a refresh token, atomically: of several concurrent rotations of
    /// one token exactly one gets [`RotationOutcome::Rotated`]; the others see
    /// the token as retired. A presented token is looked up first among live
    /// tokens, then among retired ones. A client mismatch is checked first (also
    /// for retired tokens), so a wrong `client_id` never revokes a session.
    /// A rotation that names no client MUST NOT rotate (nor expire) the live
    /// token of a confidential client's session: [`RotationOutcome::ClientMismatch`],
    /// nothing changed (such a client authenticates, RFC 6749 §6).
    /// See [`RotationOutcome`] for the rest. On
    /// [`RotationOutcome::ReuseDetected`] the rotation's
    /// [`Rotation::audit`], completed with the session, is written with the revocation.
    async fn rotate_refresh(&self, rotation: Rotation) -> Result<RotationOutcome, StoreError>;

    /// The user's sessions, oldest first.
    async fn sessions_of(&self, user: &UserId) -> Result<Vec<Session>, StoreError>;

    /// Revokes one session. Returns whether it existed. Writes `audit`
    /// (`session.revoked`) only if it did.
    async fn revoke_session(&self, id: &SessionId, audit: &[AuditEvent]) -> Result<bool, StoreError>;

    /// Revocation (RFC 7009): revokes the session whose current access token
    /// (expired or not) or current refresh token hashes to `token_hash`,
    /// if that session is `client`'s. Returns whether it revoked one.
    /// MUST leave another client's session unchanged (and return `false`),
    /// and MUST NOT revoke anything for a rotated-out token.
    /// Writes `audit` (`session.revoked` templates, completed with the
    /// revoked session's user and device by [`crate::complete_events`])
    /// only if it revoked one.
    async fn revoke_by_token(
        &self,
        token_hash: &SecretHash,
        client: &ClientId,
        audit: &[AuditEvent],
    ) -> Result<bool, StoreError>;

    /// Revokes every session of the user on this device (any client). Returns how many.
    /// A device `browser:<id>` ([`crate::browser_device`]) is a browser
    /// session's: the user's browser session `id` ends too, at once, and is
    /// counted. Writes `audit` (`session.revoked`) only if something was revoked.
    async fn revoke_device(&self, user: &UserId, device: &DeviceId, audit: &[AuditEvent]) -> Result<usize, StoreError>;

    /// As [`SessionStore::session_by_access`], with the user's
    /// [`PolicyStanding`](crate::PolicyStanding): what `GET /api/me` needs, in one trip.
    async fn session_with_standing(
        &self,
        access_hash: &SecretHash,
        now: DateTime<Utc>,
    ) -> Result<Option<(Session, User, PolicyStanding)>, StoreError>;

    /// [`ClientStore::client`] and [`SessionStore::session_by_access`] in
    /// one trip: what introspection (RFC 7662) needs, the client asking and
    /// the session of the token it asks about. Reads only.
    async fn client_and_session_by_access(
        &self,
        client: &ClientId,
        access_hash: &SecretHash,
        now: DateTime<Utc>,
    ) -> Result<(Option<Client>, Option<(Session, User)>), StoreError>;

    /// Records use of these sessions at `now` (for least-recently-used
    /// eviction), in one statement: the service gathers the uses of a second
    /// and writes them at once. A session whose last use is already later
    /// keeps it. Unknown ids are not an error (a session may just have been
    /// revoked).
    async fn touch_sessions(&self, ids: &[SessionId], now: DateTime<Utc>) -> Result<(), StoreError>;
}

#[async_trait]
pub trait PolicyStore {
    /// Stores a revision and returns it with its new id. Ids only grow.
    /// Writes `audit` (`admin.action` `policy.published`) with it.
    async fn publish_policy(
        &self,
        revision: NewPolicyRevision,
        audit: &[AuditEvent],
    ) -> Result<PolicyRevision, StoreError>;

    /// Every revision ever published, with texts, by id.
    async fn policy_revisions(&self) -> Result<Vec<PolicyRevision>, StoreError>;

    /// Records that the user accepts these revisions (accepting twice is fine).
    /// MUST return [`StoreError::UnknownRevision`] and change nothing if one does not exist.
    /// Writes `audit` (`policy.accepted`) with the acceptance, none when it fails.
    /// `language` is the language the acceptance was made in (the request's);
    /// a revision accepted before keeps its first acceptance's time and language.
    async fn accept_policies(
        &self,
        user: &UserId,
        ids: &[RevisionId],
        language: Language,
        now: DateTime<Utc>,
        audit: &[AuditEvent],
    ) -> Result<(), StoreError>;

    /// Every revision the user has accepted.
    async fn accepted_policies(&self, user: &UserId) -> Result<BTreeSet<RevisionId>, StoreError>;

    /// The current revision of each type (as
    /// [`registrar_domain::policy::current_revisions`] picks it, by type) and
    /// the user's accepted ones, without the texts: what a profile shows, in
    /// one trip to the store.
    async fn policy_standing(&self, user: &UserId) -> Result<PolicyStanding, StoreError>;
}

#[async_trait]
pub trait ClientStore {
    /// Stores the client with its kind (and secret hash), redirect URIs
    /// (in their order) and `trusted`, all read back as given.
    /// MUST return [`StoreError::Duplicate`] if the id exists (and write no `audit`).
    /// Writes `audit` (`admin.action` `client.created`) with the client.
    async fn add_client(&self, client: &Client, audit: &[AuditEvent]) -> Result<(), StoreError>;

    /// Replaces the secret hash of a confidential client: the old secret
    /// dies at once. Returns whether it did; MUST return `false` and change
    /// nothing for an unknown or a public client (a public client gets no
    /// secret this way). Writes `audit` only when it did.
    async fn set_client_secret(
        &self,
        id: &ClientId,
        secret_hash: &SecretHash,
        audit: &[AuditEvent],
    ) -> Result<bool, StoreError>;

    async fn client(&self, id: &ClientId) -> Result<Option<Client>, StoreError>;

    /// Every client, by creation time.
    async fn clients(&self) -> Result<Vec<Client>, StoreError>;

    /// Removes the client and revokes its sessions. Returns whether it
    /// existed; writes `audit` only when it did.
    async fn remove_client(&self, id: &ClientId, audit: &[AuditEvent]) -> Result<bool, StoreError>;
}

/// Codes and links sent by mail. Only their hashes are stored; a user has at
/// most one live confirmation per purpose (a new one replaces the old).
#[async_trait]
pub trait ConfirmationStore {
    /// Stores a confirmation, replacing the user's live one of the same purpose.
    /// MUST return [`StoreError::NotFound`] if the user does not exist.
    async fn replace_confirmation(&self, confirmation: NewConfirmation) -> Result<(), StoreError>;

    /// Checks a typed code ([`CodeTry`]) against the user's live email
    /// confirmation, at `now`, atomically: a right code is used up and confirms the address
    /// ([`CodeOutcome::Confirmed`]); a wrong one counts a try
    /// ([`CodeOutcome::Wrong`]); once `max_attempts` wrong tries are counted
    /// every further try, right or wrong, is [`CodeOutcome::TooManyAttempts`].
    /// A code is live while unused, unreplaced and `now < expires_at`.
    /// Concurrent right tries confirm once; the others see [`CodeOutcome::NoCode`].
    /// For an email-first account waiting for consent
    /// ([`User::consent_pending`]) a right code is used up alone: the link of
    /// its confirmation stays live for [`ConfirmationStore::complete_signup`].
    /// Writes [`CodeTry::audit`] on [`CodeOutcome::Confirmed`] only.
    async fn confirm_by_code(&self, code: &CodeTry) -> Result<CodeOutcome, StoreError>;

    /// Checks a typed sign-in code (`grant_type=email_code`) against the
    /// user's live [`ConfirmationPurpose::SignInCode`](registrar_domain::ConfirmationPurpose::SignInCode)
    /// confirmation, at `now`, atomically, as [`ConfirmationStore::confirm_by_code`]
    /// does for the email code: a right code is used up — nothing of it is
    /// left — and confirms the address if it was not yet (the code reached
    /// it; an earlier confirmation time is kept) ([`CodeOutcome::Confirmed`]);
    /// a wrong one counts a try ([`CodeOutcome::Wrong`]); once `max_attempts`
    /// wrong tries are counted every further try, right or wrong, is
    /// [`CodeOutcome::TooManyAttempts`]; without a live sign-in code,
    /// [`CodeOutcome::NoCode`]. Of concurrent right tries one is `Confirmed`,
    /// the others see `NoCode`. An email-confirmation code is never a sign-in
    /// code, nor the other way round: neither touches the other.
    /// Writes [`CodeTry::audit`] (`user.email_confirmed`) only when the
    /// right code confirms an address that was not confirmed yet.
    async fn use_sign_in_code(&self, code: &CodeTry) -> Result<CodeOutcome, StoreError>;

    /// Deletes the sign-in codes that are no longer live at `now`
    /// (`expires_at <= now`; a used one left nothing behind) and returns how
    /// many; live ones, and confirmations of other purposes, stay.
    async fn purge_sign_in_codes(&self, now: DateTime<Utc>) -> Result<u64, StoreError>;

    /// Uses the link of a live email confirmation: confirms the address and
    /// returns the user; `None` if unknown, used, replaced or expired. Single
    /// use, also under concurrency. For an account waiting for consent
    /// ([`User::consent_pending`]) the address is confirmed and the link
    /// stays live for [`ConfirmationStore::complete_signup`].
    /// Writes `audit` (`user.email_confirmed` templates, completed with the
    /// link's user by [`crate::complete_events`]) only when it confirms;
    /// a dead link writes none.
    async fn confirm_by_link(
        &self,
        link_hash: &SecretHash,
        now: DateTime<Utc>,
        audit: &[AuditEvent],
    ) -> Result<Option<UserId>, StoreError>;

    /// The user whose email-confirmation link this is, once it has been used
    /// (by [`ConfirmationStore::confirm_by_link`], by its code, or by
    /// [`ConfirmationStore::complete_signup`]), however long ago: for telling
    /// someone who opens a used link again that their address is confirmed.
    /// `None` for an unknown link, a live one, or one replaced or expired
    /// unused; a password-reset link is never an email link.
    async fn used_email_link_user(&self, link_hash: &SecretHash) -> Result<Option<UserId>, StoreError>;

    /// The user a live email-confirmation link belongs to, without using it.
    async fn email_link_user(&self, link_hash: &SecretHash, now: DateTime<Utc>) -> Result<Option<UserId>, StoreError>;

    /// Completes an email-first signup through its live email-confirmation
    /// link: uses the link up, confirms the address, records the consent,
    /// sets the password if one is given, and opens the session (under the
    /// rules of [`SessionStore::open_session`]) — all or nothing. Returns the
    /// user as they are now; `None` (and nothing changed) if the link is not
    /// live. Single use, also under concurrency. Writes
    /// [`SignupCompletion::audit`] (see there) and the session's events with it.
    async fn complete_signup(&self, completion: SignupCompletion) -> Result<Option<User>, StoreError>;

    /// The user a live password-reset link belongs to, without using it.
    async fn reset_link_user(&self, link_hash: &SecretHash, now: DateTime<Utc>) -> Result<Option<UserId>, StoreError>;

    /// Uses a live password-reset link: sets the new hash, revokes every
    /// session and browser session of the user, uses the link up, confirms the address if it was
    /// not yet (the link proves it), kills the user's live `mfa_token`s
    /// (an attempt that checked the old password) and queues `mail` — all
    /// or nothing.
    /// `None` (and nothing changed) if the link is not live.
    /// Writes `audit` (`user.password_changed` templates, completed with the
    /// link's user by [`crate::complete_events`]) with the change, none
    /// for a dead link.
    async fn reset_password(
        &self,
        link_hash: &SecretHash,
        hash: &PasswordHash,
        now: DateTime<Utc>,
        mail: Option<NewOutboxMail>,
        audit: &[AuditEvent],
    ) -> Result<Option<UserId>, StoreError>;
}

/// The durable mail queue. Rows never hold a code or a link in clear.
#[async_trait]
pub trait OutboxStore {
    /// Queues a mail. MUST return [`StoreError::NotFound`] for an unknown user.
    /// Writes `audit` (an admin's resend of a confirmation) with it: none
    /// when it fails.
    async fn enqueue_mail(&self, mail: NewOutboxMail, audit: &[AuditEvent]) -> Result<(), StoreError>;

    /// Claims up to `limit` mails that are due (not sent, not given up,
    /// `retry_at <= now`, no live claim) until `lease_until`, oldest first.
    /// A mail MUST NOT be handed to two claimers while a claim is live, also
    /// across processes; a claim that expires (a crashed worker) frees it again.
    /// Each claim MUST count one delivery attempt in its own transaction,
    /// before anything is sent: a delivery that kills its worker or process
    /// is counted too. [`OutboxMail::attempts`] is the count before this claim.
    async fn claim_mail(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<OutboxMail>, StoreError>;

    /// Claims one mail by id under the same rules, for immediate delivery.
    async fn claim_mail_by_id(
        &self,
        id: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<OutboxMail>, StoreError>;

    /// The mail was delivered: it is never claimed again.
    async fn mark_mail_sent(&self, id: &str, now: DateTime<Utc>) -> Result<(), StoreError>;

    /// Delivery failed at `now`: frees the claim (whose attempt the claim
    /// counted already) and keeps the error; the mail is due again at
    /// `retry_at`, or given up for good (at `now`) when `None`.
    async fn mark_mail_failed(
        &self,
        id: &str,
        retry_at: Option<DateTime<Utc>>,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Mails not yet sent nor given up (for metrics).
    async fn outbox_backlog(&self) -> Result<u64, StoreError>;

    /// When the oldest mail not yet sent nor given up (due or not, claimed
    /// or not) was queued; `None` when there is none (for metrics: a queue
    /// nobody works shows here as a growing age).
    async fn oldest_queued_mail(&self) -> Result<Option<DateTime<Utc>>, StoreError>;
}

/// Signup tokens for typed registration and invite-only mode.
#[async_trait]
pub trait InviteStore {
    /// Stores a new signup token. MUST return [`StoreError::Duplicate`] if
    /// the hash exists (and write no `audit`); writes `audit` with it.
    async fn create_invite(&self, invite: NewInvite, audit: &[AuditEvent]) -> Result<(), StoreError>;

    /// Whether the token exists and has a use left (for validation before
    /// registering; the use itself is taken by [`UserStore::register`]).
    async fn invite_usable(&self, token_hash: &SecretHash) -> Result<bool, StoreError>;

    /// Every invite, used up or not, by creation time (never the token).
    async fn invites(&self) -> Result<Vec<crate::InviteRecord>, StoreError>;

    /// Deletes the invite whose [`InviteRecord::id`](crate::InviteRecord::id)
    /// this is and writes `audit` with it. Returns whether there was
    /// exactly one such invite (none, or an ambiguous id, changes nothing).
    async fn revoke_invite(&self, id: &str, audit: &[AuditEvent]) -> Result<bool, StoreError>;
}

/// Attempt counters ([`registrar_domain::throttle`]), shared by every
/// instance on the database.
#[async_trait]
pub trait ThrottleStore {
    /// The end of the lock in force at `now` on any of `keys` (the latest),
    /// or `None` if none is locked. Reads only.
    async fn throttle_lock(
        &self,
        keys: &[ThrottleKey],
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StoreError>;

    /// Counts one attempt at `now` against every `(key, limit)`, as
    /// [`registrar_domain::Counter::hit`] says, all or nothing: if any key is
    /// locked at `now`, nothing is counted and the end of its lock (the
    /// latest) is returned; else every count goes up and `None` is returned
    /// (even if this attempt locks a key for the next ones). Concurrent hits
    /// of one key are counted one after the other: none is lost.
    async fn throttle_hit(
        &self,
        hits: &[(ThrottleKey, Limit)],
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StoreError>;

    /// Forgets the key's count and locks (a successful login). Unknown keys are fine.
    async fn throttle_clear(&self, key: &ThrottleKey) -> Result<(), StoreError>;

    /// Drops the counters that expired before `now`
    /// ([`registrar_domain::Counter::expires_at`]); returns how many.
    async fn throttle_purge(&self, now: DateTime<Utc>) -> Result<u64, StoreError>;
}

#[async_trait]
pub trait HealthCheck {
    /// Succeeds when the database answers a trivial query.
    async fn ping(&self) -> Result<(), StoreError>;
}

/// Declares a trait alias: the bound list is written once, for
/// the trait and for the impl that gives it to every type meeting it.
macro_rules! trait_alias {
    ($(#[$doc:meta])* $name:ident: $($bound:tt)+) => {
        $(#[$doc])*
        pub trait $name: $($bound)+ {}

        impl<T> $name for T where T: $($bound)+ {}
    };
}

trait_alias!(
    /// Everything the service needs from a store.
    Store: UserStore
        + SessionStore
        + PolicyStore
        + ClientStore
        + ConfirmationStore
        + OutboxStore
        + InviteStore
        + ThrottleStore
        + FactorStore
        + PasskeyStore
        + SigningKeyStore
        + AuthorizationStore
        + AuditStore
        + WebhookStore
        + EmailChangeStore
        + AdminKeyStore
        + AdminUserStore
        + ExportStore
        + BreachedPasswordStore
        + HealthCheck
        + Clone
        + Send
        + Sync
        + 'static
);
