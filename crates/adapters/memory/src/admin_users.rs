//! [`AdminUserStore`] in memory: a scan in `(created_at, id)` order; the
//! session and lockout changes under the state's one lock.

use async_trait::async_trait;
use registrar_domain::{AuditEvent, Counter, SessionId, ThrottleKey, User, UserId};
use registrar_store::{AcceptedRevision, AdminUserStore, StoreError, UserCursor, UserFilter};

use crate::state::State;
use crate::MemoryStore;

fn matches(user: &User, filter: &UserFilter) -> bool {
    filter
        .email_prefix
        .as_ref()
        .is_none_or(|p| user.email.normalized().starts_with(p.as_str()))
        && filter.name_prefix.as_ref().is_none_or(|p| {
            [&user.profile.firstname, &user.profile.lastname]
                .into_iter()
                .flatten()
                .any(|name| name.to_lowercase().starts_with(p.as_str()))
        })
        && filter.role.as_ref().is_none_or(|r| user.role == *r)
        && filter.confirmed.is_none_or(|c| user.email_confirmed_at.is_some() == c)
        && filter.disabled.is_none_or(|d| user.disabled == d)
        && filter.created_after.is_none_or(|a| user.created_at >= a)
        && filter.created_before.is_none_or(|b| user.created_at < b)
}

#[async_trait]
impl AdminUserStore for MemoryStore {
    async fn search_users(
        &self,
        filter: &UserFilter,
        after: Option<&UserCursor>,
        limit: usize,
    ) -> Result<Vec<User>, StoreError> {
        let state = self.lock()?;
        let mut found: Vec<&User> = state
            .users
            .values()
            .filter(|u| matches(u, filter))
            .filter(|u| after.is_none_or(|c| (u.created_at, u.id.as_str()) > (c.created_at, c.id.as_str())))
            .collect();
        found.sort_by(|a, b| (a.created_at, a.id.as_str()).cmp(&(b.created_at, b.id.as_str())));
        Ok(found.into_iter().take(limit).cloned().collect())
    }

    async fn revoke_sessions_of(&self, user: &UserId, audit: &[AuditEvent]) -> Result<usize, StoreError> {
        let mut state = self.lock()?;
        let browser = state
            .authorization
            .browser_sessions
            .values()
            .filter(|b| &b.session.user == user)
            .count();
        let tokens = state.revoke_where(|s| &s.user_id == user);
        state.sign_out(user);
        let ended = tokens + browser;
        state.record_if(ended > 0, audit);
        Ok(ended)
    }

    async fn revoke_session_of(
        &self,
        user: &UserId,
        session: &SessionId,
        audit: &[AuditEvent],
    ) -> Result<bool, StoreError> {
        let mut state = self.lock()?;
        let theirs = state.sessions.get(session).is_some_and(|s| &s.session.user_id == user);
        let revoked = theirs && state.revoke_session(session);
        Ok(state.record_if(revoked, audit))
    }

    async fn throttle_counters(&self, keys: &[ThrottleKey]) -> Result<Vec<(ThrottleKey, Counter)>, StoreError> {
        let state = self.lock()?;
        Ok(keys
            .iter()
            .filter_map(|key| state.throttles.get(key).map(|c| (key.clone(), c.counter.clone())))
            .collect())
    }

    async fn lift_lockout(&self, keys: &[ThrottleKey], audit: &[AuditEvent]) -> Result<bool, StoreError> {
        let mut state = self.lock()?;
        let mut any = false;
        for key in keys {
            any |= state.throttles.remove(key).is_some();
        }
        Ok(state.record_if(any, audit))
    }

    async fn accepted_revisions(&self, user: &UserId) -> Result<Vec<AcceptedRevision>, StoreError> {
        Ok(self.lock()?.accepted_revisions(user))
    }
}

impl State {
    /// The revisions `user` accepted, by revision id.
    pub(crate) fn accepted_revisions(&self, user: &UserId) -> Vec<AcceptedRevision> {
        let Some(accepted) = self.acceptances.get(user) else {
            return Vec::new();
        };
        accepted
            .iter()
            .filter_map(|(id, (at, language))| {
                self.policies.get(id).map(|revision| AcceptedRevision {
                    id: *id,
                    policy_type: revision.policy_type.clone(),
                    version: revision.version.clone(),
                    accepted_at: *at,
                    language: *language,
                })
            })
            .collect()
    }
}
