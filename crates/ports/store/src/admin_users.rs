//! What the admin API needs of accounts beyond the other traits: searching
//! them, keyset-paginated; ending their sessions; their lockout; and what
//! erasure leaves of their audit trail ([`anonymize`]).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use registrar_domain::{
    AuditEvent, Counter, Language, PolicyType, RevisionId, Role, SessionId, ThrottleKey, User, UserId,
};

use crate::StoreError;

/// Which accounts [`AdminUserStore::search_users`] answers. Every field
/// narrows; the default is every account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFilter {
    /// The normalized (lowercase) address starts with this, taken literally
    /// (`%` and `_` are no wildcards).
    pub email_prefix: Option<String>,
    /// The first or the last name starts with this, ignoring case (given
    /// lowercase; taken literally).
    pub name_prefix: Option<String>,
    pub role: Option<Role>,
    /// Address confirmed or not.
    pub confirmed: Option<bool>,
    pub disabled: Option<bool>,
    /// `created_at >= created_after`.
    pub created_after: Option<DateTime<Utc>>,
    /// `created_at < created_before`.
    pub created_before: Option<DateTime<Utc>>,
}

/// Where a page starts: after the account with this creation time and id
/// (the keyset order is `(created_at, id)`, oldest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserCursor {
    pub created_at: DateTime<Utc>,
    pub id: UserId,
}

/// A policy revision the user accepted, when, and in which language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptedRevision {
    pub id: RevisionId,
    pub policy_type: PolicyType,
    pub version: String,
    pub accepted_at: DateTime<Utc>,
    /// The language of the request that accepted it (for a registration,
    /// the new account's language); `None` for an acceptance moved in by
    /// an import or recorded before languages were.
    pub language: Option<Language>,
}

/// The `data` keys an erased user's events keep: how and why, never who.
pub const ERASURE_KEEPS: &[&str] = &["method", "factor", "reason", "fields", "revisions", "action"];

/// What erasure leaves of an event about the erased user: its id, time,
/// type, actor, client and (opaque, random) user id, and of its data only
/// [`ERASURE_KEEPS`]; no address, IP, device, request id or other value.
pub fn anonymize(event: &mut AuditEvent) {
    event.email = None;
    event.ip = None;
    event.device_id = None;
    event.device_name = None;
    event.request_id = None;
    event.data.retain(|key, _| ERASURE_KEEPS.contains(&key.as_str()));
}

#[async_trait]
pub trait AdminUserStore {
    /// Up to `limit` accounts matching `filter`, in `(created_at, id)`
    /// order, after `after` (from the first when `None`). A page never
    /// repeats nor skips an account that existed through the walk.
    async fn search_users(
        &self,
        filter: &UserFilter,
        after: Option<&UserCursor>,
        limit: usize,
    ) -> Result<Vec<User>, StoreError>;

    /// Ends every session and browser session of the user (and their
    /// pending second-factor sign-ins); returns how many sessions and
    /// browser sessions ended. Writes `audit` only if one did.
    async fn revoke_sessions_of(&self, user: &UserId, audit: &[AuditEvent]) -> Result<usize, StoreError>;

    /// Revokes the session `session` if it is `user`'s (another user's is
    /// left alone); returns whether it did. Writes `audit` only if it did.
    async fn revoke_session_of(
        &self,
        user: &UserId,
        session: &SessionId,
        audit: &[AuditEvent],
    ) -> Result<bool, StoreError>;

    /// The counters of those of `keys` that have one (reads only).
    async fn throttle_counters(&self, keys: &[ThrottleKey]) -> Result<Vec<(ThrottleKey, Counter)>, StoreError>;

    /// Forgets the counters of `keys` (counts and locks) and writes `audit`
    /// with it, at once, if any of them had a counter; returns whether one had.
    async fn lift_lockout(&self, keys: &[ThrottleKey], audit: &[AuditEvent]) -> Result<bool, StoreError>;

    /// The revisions the user accepted, by revision id.
    async fn accepted_revisions(&self, user: &UserId) -> Result<Vec<AcceptedRevision>, StoreError>;
}
