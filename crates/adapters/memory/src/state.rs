//! What the memory store holds, and the changes that keep it consistent
//! (shared by several trait methods: a registration opens a session under the
//! same rules as `open_session`, several calls revoke sessions).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use registrar_domain::{
    Client, ClientId, Language, PolicyRevision, RevisionId, SecretHash, Session, SessionId, User, UserId,
};
use registrar_store::{NewSession, NewUser, StoreError};

use crate::audit::Admin;
use crate::authorization::Authorization;
use crate::confirmations::StoredConfirmation;
use crate::email_change::StoredEmailChange;
use crate::factors::Factors;
use crate::invites::StoredInvite;
use crate::outbox::QueuedMail;
use crate::throttle::StoredCounter;

/// A session with the hashes of its live token pair.
pub(crate) struct StoredSession {
    pub session: Session,
    pub access_hash: SecretHash,
    pub refresh_hash: SecretHash,
}

/// A rotated-out refresh token, kept to tell a late duplicate from a theft.
pub(crate) struct RetiredRefresh {
    pub session_id: SessionId,
    pub retired_at: DateTime<Utc>,
}

/// When a revision was accepted, and in which language (`None`: imported).
pub type Accepted = (DateTime<Utc>, Option<Language>);
#[derive(Default)]
pub(crate) struct State {
    pub users: HashMap<UserId, User>,
    /// Normalized (lowercase) address → user: one account per address.
    pub user_ids_by_email: HashMap<String, UserId>,
    pub sessions: HashMap<SessionId, StoredSession>,
    pub retired_refreshes: HashMap<SecretHash, RetiredRefresh>,
    /// Per user: each accepted revision's time and language.
    pub acceptances: HashMap<UserId, BTreeMap<RevisionId, Accepted>>,
    /// At most one per user and purpose.
    pub confirmations: Vec<StoredConfirmation>,
    /// Used email-confirmation links → their user (used confirmations are
    /// removed from `confirmations`; a used link is still recognised).
    pub used_email_links: HashMap<SecretHash, UserId>,
    /// Pending changes of address, one per user.
    pub email_changes: HashMap<UserId, StoredEmailChange>,
    /// In queueing order.
    pub outbox: Vec<QueuedMail>,
    pub policies: BTreeMap<RevisionId, PolicyRevision>,
    pub last_revision_id: i32,
    /// In insertion order.
    pub clients: Vec<Client>,
    /// Signup tokens by hash.
    pub invites: HashMap<SecretHash, StoredInvite>,
    /// Attempt counters by key.
    pub throttles: HashMap<registrar_domain::ThrottleKey, StoredCounter>,
    /// Second factors and the attempts waiting for one.
    pub factors: Factors,
    /// ID-token signing keys, in the order made.
    pub signing_keys: Vec<registrar_store::SigningKeyRecord>,
    /// Browser sessions, authorization codes and consents.
    pub authorization: Authorization,
    /// The audit trail, admin API keys, webhook endpoints and deliveries.
    pub admin: Admin,
    /// The breached-password filter, if one was imported.
    pub breached: Option<registrar_store::BreachedFilterRecord>,
}

impl State {
    /// Adds a new account (not disabled), its address taken. The caller has
    /// checked that neither the id nor the address is taken.
    pub fn insert_user(&mut self, user: NewUser) {
        self.user_ids_by_email
            .insert(user.email.normalized().to_owned(), user.id.clone());
        self.users.insert(user.id.clone(), User::from(user));
    }

    pub fn require_user(&self, id: &UserId) -> Result<(), StoreError> {
        if self.users.contains_key(id) {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// A session needs an existing client, as the SQL schema's foreign key demands.
    pub fn require_client(&self, id: &ClientId) -> Result<(), StoreError> {
        if self.clients.iter().any(|c| &c.id == id) {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// [`StoreError::StaleCredential`] unless `credential` (if given) is the
    /// user's stored password hash.
    pub fn check_credential(
        &self,
        id: &UserId,
        credential: Option<&registrar_domain::PasswordHash>,
    ) -> Result<(), StoreError> {
        let Some(credential) = credential else {
            return Ok(());
        };
        let stored = self.users.get(id).and_then(|u| u.password_hash.as_ref());
        if stored == Some(credential) {
            Ok(())
        } else {
            Err(StoreError::StaleCredential)
        }
    }

    /// The first of `ids` that was never published.
    pub fn unknown_revision(&self, ids: &[RevisionId]) -> Option<RevisionId> {
        ids.iter().copied().find(|id| !self.policies.contains_key(id))
    }

    /// Opens a session (checked beforehand): replaces a session of the same
    /// (user, client, device), then evicts the least recently used sessions
    /// of the user on that client while there are more than `max_per_client`.
    /// Answers whether it queued the session's new-device notice.
    pub fn open_session(&mut self, new: NewSession, max_per_client: usize) -> bool {
        let (user, client, device) = (new.user_id.clone(), new.client_id.clone(), new.device_id.clone());
        let mut queued = false;
        if let Some(notice) = new.new_device_notice.clone() {
            let (mut any, mut this) = (false, false);
            let devices = self
                .admin
                .events
                .iter()
                .filter(|r| r.event.user.as_ref() == Some(&user))
                .filter_map(|r| r.event.device_id.as_deref());
            for seen in devices {
                any = true;
                this |= seen == device.as_str();
            }
            if any && !this {
                self.queue_mail(notice);
                queued = true;
            }
        }
        self.record(&new.audit);
        self.revoke_where(|s| s.user_id == user && s.client_id == client && s.device_id == device);
        self.sessions.insert(
            new.id.clone(),
            StoredSession {
                session: Session {
                    id: new.id,
                    user_id: new.user_id,
                    client_id: new.client_id,
                    device_id: new.device_id,
                    device_name: new.device_name,
                    created_at: new.now,
                    last_used_at: new.now,
                    access_expires_at: new.access_expires_at,
                    refreshed_at: new.now,
                    sign_in_method: new.sign_in_method,
                    scope: new.scope,
                },
                access_hash: new.access_hash,
                refresh_hash: new.refresh_hash,
            },
        );
        loop {
            let of_client: Vec<&Session> = self
                .sessions
                .values()
                .map(|s| &s.session)
                .filter(|s| s.user_id == user && s.client_id == client)
                .collect();
            if of_client.len() <= max_per_client {
                break;
            }
            let least_recently_used = of_client
                .into_iter()
                .min_by(|a, b| (a.last_used_at, a.created_at, &a.id).cmp(&(b.last_used_at, b.created_at, &b.id)))
                .map(|s| s.id.clone());
            match least_recently_used {
                Some(id) => {
                    self.revoke_session(&id);
                }
                None => break,
            }
        }
        queued
    }

    /// Ends every sign-in of the user: their sessions, their browser
    /// sessions, and their `mfa_token`s (attempts waiting for a second
    /// factor), as a password change, a reset and disabling the account do.
    pub fn sign_out(&mut self, user: &UserId) {
        self.revoke_where(|s| &s.user_id == user);
        self.authorization.end_browser_sessions(user);
        self.factors.forget_mfa_tokens(user);
    }

    /// Removes a session and the retired refresh tokens that point to it.
    pub fn revoke_session(&mut self, id: &SessionId) -> bool {
        let existed = self.sessions.remove(id).is_some();
        if existed {
            self.retired_refreshes.retain(|_, r| &r.session_id != id);
        }
        existed
    }

    /// Revokes every session matching `which`; returns how many.
    pub fn revoke_where(&mut self, which: impl Fn(&Session) -> bool) -> usize {
        let ids: Vec<SessionId> = self
            .sessions
            .values()
            .filter(|s| which(&s.session))
            .map(|s| s.session.id.clone())
            .collect();
        for id in &ids {
            self.revoke_session(id);
        }
        ids.len()
    }
}
