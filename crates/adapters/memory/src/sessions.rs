//! Sessions and their token pairs, including refresh-token rotation.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use registrar_domain::{
    AuditEvent, Client, ClientId, ClientKind, DeviceId, SecretHash, Session, SessionId, User, UserId,
};
use registrar_store::{NewSession, Rotation, RotationOutcome, SessionStore, StoreError, BROWSER_DEVICE_PREFIX};

use crate::state::{RetiredRefresh, State};
use crate::MemoryStore;

#[async_trait]
impl SessionStore for MemoryStore {
    async fn open_session(&self, session: NewSession, max_per_client: usize) -> Result<bool, StoreError> {
        let mut state = self.lock()?;
        state.require_user(&session.user_id)?;
        state.require_client(&session.client_id)?;
        state.check_credential(&session.user_id, session.credential.as_ref())?;
        Ok(state.open_session(session, max_per_client))
    }

    async fn session_by_access(
        &self,
        access_hash: &SecretHash,
        now: DateTime<Utc>,
    ) -> Result<Option<(Session, User)>, StoreError> {
        let state = self.lock()?;
        let found = state
            .sessions
            .values()
            .find(|s| &s.access_hash == access_hash && now < s.session.access_expires_at)
            .and_then(|s| {
                let user = state.users.get(&s.session.user_id)?;
                Some((s.session.clone(), user.clone()))
            });
        Ok(found)
    }

    async fn session_with_standing(
        &self,
        access_hash: &SecretHash,
        now: DateTime<Utc>,
    ) -> Result<Option<(Session, User, registrar_store::PolicyStanding)>, StoreError> {
        let Some((session, user)) = self.session_by_access(access_hash, now).await? else {
            return Ok(None);
        };
        let standing = registrar_store::PolicyStore::policy_standing(self, &user.id).await?;
        Ok(Some((session, user, standing)))
    }

    async fn client_and_session_by_access(
        &self,
        client: &ClientId,
        access_hash: &SecretHash,
        now: DateTime<Utc>,
    ) -> Result<(Option<Client>, Option<(Session, User)>), StoreError> {
        let client = registrar_store::ClientStore::client(self, client).await?;
        Ok((client, self.session_by_access(access_hash, now).await?))
    }

    async fn rotate_refresh(&self, rotation: Rotation) -> Result<RotationOutcome, StoreError> {
        let mut state = self.lock()?;
        let live = state
            .sessions
            .values()
            .find(|s| s.refresh_hash == rotation.presented)
            .map(|s| s.session.id.clone());
        match live {
            Some(id) => Ok(rotate_live(&mut state, &id, rotation)),
            None => Ok(present_retired(&mut state, &rotation)),
        }
    }

    async fn sessions_of(&self, user: &UserId) -> Result<Vec<Session>, StoreError> {
        let state = self.lock()?;
        let mut sessions: Vec<Session> = state
            .sessions
            .values()
            .filter(|s| &s.session.user_id == user)
            .map(|s| s.session.clone())
            .collect();
        sessions.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        Ok(sessions)
    }

    async fn revoke_session(&self, id: &SessionId, audit: &[AuditEvent]) -> Result<bool, StoreError> {
        let mut state = self.lock()?;
        let revoked = state.revoke_session(id);
        Ok(state.record_if(revoked, audit))
    }

    async fn revoke_by_token(
        &self,
        token_hash: &SecretHash,
        client: &ClientId,
        audit: &[AuditEvent],
    ) -> Result<bool, StoreError> {
        let mut state = self.lock()?;
        let found = state.sessions.values().find(|s| {
            &s.session.client_id == client && (&s.access_hash == token_hash || &s.refresh_hash == token_hash)
        });
        let Some(session) = found.map(|s| s.session.clone()) else {
            return Ok(false);
        };
        let revoked = state.revoke_session(&session.id);
        if revoked {
            state.record_about(&session.user_id, audit, Some(&session));
        }
        Ok(revoked)
    }

    async fn revoke_device(&self, user: &UserId, device: &DeviceId, audit: &[AuditEvent]) -> Result<usize, StoreError> {
        let mut state = self.lock()?;
        // The device of a browser session's token sessions is the browser
        // session itself: it ends with them.
        if let Some(browser) = device.as_str().strip_prefix(BROWSER_DEVICE_PREFIX) {
            let ours = state
                .authorization
                .browser_sessions
                .get(browser)
                .is_some_and(|b| &b.session.user == user);
            if ours {
                state.authorization.browser_sessions.remove(browser);
            }
            let tokens = state.revoke_where(|s| &s.user_id == user && &s.device_id == device);
            let ended = tokens + usize::from(ours);
            state.record_if(ended > 0, audit);
            return Ok(ended);
        }
        let ended = state.revoke_where(|s| &s.user_id == user && &s.device_id == device);
        state.record_if(ended > 0, audit);
        Ok(ended)
    }

    async fn touch_sessions(&self, ids: &[SessionId], now: DateTime<Utc>) -> Result<(), StoreError> {
        let mut state = self.lock()?;
        for id in ids {
            if let Some(stored) = state.sessions.get_mut(id) {
                stored.session.last_used_at = stored.session.last_used_at.max(now);
            }
        }
        Ok(())
    }
}

/// The rotation names a client, and not the one `session` belongs to.
fn for_another_client(rotation: &Rotation, session: &Session) -> bool {
    rotation.client_id.as_ref().is_some_and(|c| c != &session.client_id)
}

/// The rotation names no client, and `session` is a confidential client's.
fn unauthenticated(state: &State, rotation: &Rotation, session: &Session) -> bool {
    rotation.client_id.is_none()
        && state
            .clients
            .iter()
            .any(|c| c.id == session.client_id && c.kind != ClientKind::Public)
}

/// The presented token is the live refresh token of session `id`.
fn rotate_live(state: &mut State, id: &SessionId, rotation: Rotation) -> RotationOutcome {
    let Some(session) = state.sessions.get(id).map(|s| &s.session) else {
        return RotationOutcome::Unknown;
    };
    // A wrong client is refused before anything else so that it cannot end
    // someone else's session either.
    if for_another_client(&rotation, session) || unauthenticated(state, &rotation, session) {
        return RotationOutcome::ClientMismatch;
    }
    let Some(stored) = state.sessions.get_mut(id) else {
        return RotationOutcome::Unknown;
    };
    if stored.session.refreshed_at <= rotation.idle_cutoff {
        state.revoke_session(id);
        return RotationOutcome::Expired;
    }
    stored.access_hash = rotation.new_access_hash;
    stored.refresh_hash = rotation.new_refresh_hash;
    stored.session.access_expires_at = rotation.new_access_expires_at;
    stored.session.refreshed_at = rotation.now;
    stored.session.last_used_at = rotation.now;
    let session = stored.session.clone();
    state.retired_refreshes.insert(
        rotation.presented,
        RetiredRefresh {
            session_id: id.clone(),
            retired_at: rotation.now,
        },
    );
    RotationOutcome::Rotated(session)
}

/// The presented token is not live: retired, or never seen.
fn present_retired(state: &mut State, rotation: &Rotation) -> RotationOutcome {
    let Some(retired) = state.retired_refreshes.get(&rotation.presented) else {
        return RotationOutcome::Unknown;
    };
    let session_id = retired.session_id.clone();
    let within_grace = retired.retired_at > rotation.grace_cutoff;
    let Some(stored) = state.sessions.get(&session_id) else {
        return RotationOutcome::Unknown;
    };
    if for_another_client(rotation, &stored.session) {
        return RotationOutcome::ClientMismatch;
    }
    if within_grace {
        return RotationOutcome::RetiredWithinGrace;
    }
    let session = stored.session.clone();
    state.revoke_session(&session_id);
    state.record_about(&session.user_id, &rotation.audit, Some(&session));
    RotationOutcome::ReuseDetected
}
