//! [`AuthorizationStore`]: browser sessions, authorization codes and
//! consents under the store's one lock, so that a code is exchanged once.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use registrar_domain::{AuditEvent, ClientId, Scopes, SecretHash, SessionId, UserId};
use registrar_store::{
    browser_device, AuthorizationCode, AuthorizationStore, BrowserSession, CodeExchange, NewAuthorizationCode,
    NewBrowserSession, NewSession, StoreError,
};

use crate::state::State;
use crate::MemoryStore;

/// A browser session with the hash of its cookie.
pub(crate) struct StoredBrowserSession {
    pub session: BrowserSession,
    pub cookie_hash: SecretHash,
}

/// A code, when it was used, and the session that use opened.
pub(crate) struct StoredCode {
    pub code: NewAuthorizationCode,
    pub used_at: Option<DateTime<Utc>>,
    pub session: Option<SessionId>,
}

/// What the memory store keeps for the authorization endpoint.
#[derive(Default)]
pub(crate) struct Authorization {
    /// Browser sessions by id.
    pub browser_sessions: HashMap<String, StoredBrowserSession>,
    /// Codes by hash; a used one is kept until it expires (and is purged).
    pub codes: HashMap<SecretHash, StoredCode>,
    /// The scopes granted, and when last.
    pub consents: HashMap<(UserId, ClientId), (Scopes, DateTime<Utc>)>,
}

impl Authorization {
    /// Ends every browser session of the user (a password change, a reset,
    /// disabling the account).
    pub fn end_browser_sessions(&mut self, user: &UserId) {
        self.browser_sessions.retain(|_, b| &b.session.user != user);
    }

    /// Forgets everything of a deleted user, as the foreign keys' cascade does.
    pub fn forget_user(&mut self, user: &UserId) {
        self.end_browser_sessions(user);
        self.codes.retain(|_, c| &c.code.user != user);
        self.consents.retain(|(u, _), _| u != user);
    }

    /// Forgets everything of a removed client, as the foreign keys' cascade does.
    pub fn forget_client(&mut self, client: &ClientId) {
        self.browser_sessions.retain(|_, b| &b.session.client != client);
        self.codes.retain(|_, c| &c.code.client != client);
        self.consents.retain(|(_, c), _| c != client);
    }
}

fn code_of(code: &NewAuthorizationCode, used_at: Option<DateTime<Utc>>) -> AuthorizationCode {
    AuthorizationCode {
        client: code.client.clone(),
        redirect_uri: code.redirect_uri.clone(),
        user: code.user.clone(),
        browser_session: code.browser_session.clone(),
        device_name: code.device_name.clone(),
        scope: code.scope.clone(),
        nonce: code.nonce.clone(),
        code_challenge: code.code_challenge.clone(),
        auth_time: code.auth_time,
        sign_in_method: code.sign_in_method,
        expires_at: code.expires_at,
        used_at,
    }
}

/// The exchange under the lock (see [`AuthorizationStore::exchange_authorization_code`]).
fn exchange(
    state: &mut State,
    code_hash: &SecretHash,
    now: DateTime<Utc>,
    session: NewSession,
    max_per_client: usize,
) -> Result<CodeExchange, StoreError> {
    let Some(stored) = state.authorization.codes.get(code_hash) else {
        return Ok(CodeExchange::Unusable);
    };
    if stored.used_at.is_some() {
        if let Some(opened) = stored.session.clone() {
            state.revoke_session(&opened);
        }
        return Ok(CodeExchange::Reused);
    }
    let code = &stored.code;
    if code.expires_at <= now {
        return Ok(CodeExchange::Unusable);
    }
    if session.user_id != code.user || session.client_id != code.client {
        return Err(StoreError::unexpected(
            "exchange_authorization_code: the session is for another user or client than the code",
        ));
    }
    let browser_live = state
        .authorization
        .browser_sessions
        .get(&code.browser_session)
        .is_some_and(|b| b.session.user == code.user && now < b.session.expires_at);
    if !browser_live || state.require_user(&code.user).is_err() {
        return Ok(CodeExchange::Unusable);
    }
    state.require_client(&session.client_id)?;
    state.check_credential(&session.user_id, session.credential.as_ref())?;
    let id = session.id.clone();
    state.open_session(session, max_per_client);
    if let Some(stored) = state.authorization.codes.get_mut(code_hash) {
        stored.used_at = Some(now);
        stored.session = Some(id);
    }
    Ok(CodeExchange::Exchanged)
}

#[async_trait]
impl AuthorizationStore for MemoryStore {
    async fn open_browser_session(&self, session: NewBrowserSession) -> Result<(), StoreError> {
        let mut state = self.lock()?;
        state.require_user(&session.user)?;
        state.require_client(&session.client)?;
        state.check_credential(&session.user, session.credential.as_ref())?;
        let taken = |b: &StoredBrowserSession| b.session.id == session.id || b.cookie_hash == session.cookie_hash;
        if state.authorization.browser_sessions.values().any(taken) {
            return Err(StoreError::Duplicate);
        }
        let stored = StoredBrowserSession {
            session: BrowserSession {
                id: session.id.clone(),
                user: session.user,
                client: session.client,
                device_name: session.device_name,
                sign_in_method: session.sign_in_method,
                auth_time: session.now,
                last_used_at: session.now,
                expires_at: session.expires_at,
            },
            cookie_hash: session.cookie_hash,
        };
        state.authorization.browser_sessions.insert(session.id, stored);
        state.record(&session.audit);
        Ok(())
    }

    async fn browser_session(
        &self,
        cookie_hash: &SecretHash,
        now: DateTime<Utc>,
    ) -> Result<Option<BrowserSession>, StoreError> {
        let mut state = self.lock()?;
        let state = &mut *state;
        let users = &state.users;
        let found = state.authorization.browser_sessions.values_mut().find(|b| {
            &b.cookie_hash == cookie_hash
                && now < b.session.expires_at
                && users.get(&b.session.user).is_some_and(|u| !u.disabled)
        });
        Ok(found.map(|b| {
            b.session.last_used_at = now;
            b.session.clone()
        }))
    }

    async fn browser_sessions(&self, user: &UserId, now: DateTime<Utc>) -> Result<Vec<BrowserSession>, StoreError> {
        let state = self.lock()?;
        let mut found: Vec<BrowserSession> = state
            .authorization
            .browser_sessions
            .values()
            .filter(|b| &b.session.user == user && now < b.session.expires_at)
            .map(|b| b.session.clone())
            .collect();
        found.sort_by(|a, b| (a.auth_time, &a.id).cmp(&(b.auth_time, &b.id)));
        Ok(found)
    }

    async fn end_browser_session(
        &self,
        user: &UserId,
        id: &str,
        with_tokens: bool,
        audit: &[AuditEvent],
    ) -> Result<bool, StoreError> {
        let mut state = self.lock()?;
        let ours = state
            .authorization
            .browser_sessions
            .get(id)
            .is_some_and(|b| &b.session.user == user);
        if !ours {
            return Ok(false);
        }
        state.authorization.browser_sessions.remove(id);
        if with_tokens {
            let device = browser_device(id);
            state.revoke_where(|s| &s.user_id == user && s.device_id.as_str() == device);
        }
        state.record(audit);
        Ok(true)
    }

    async fn put_authorization_code(&self, code: NewAuthorizationCode) -> Result<(), StoreError> {
        let mut state = self.lock()?;
        state.require_user(&code.user)?;
        state.require_client(&code.client)?;
        if state.authorization.codes.contains_key(&code.code_hash) {
            return Err(StoreError::Duplicate);
        }
        let stored = StoredCode {
            code: code.clone(),
            used_at: None,
            session: None,
        };
        state.authorization.codes.insert(code.code_hash, stored);
        Ok(())
    }

    async fn authorization_code(&self, code_hash: &SecretHash) -> Result<Option<AuthorizationCode>, StoreError> {
        let state = self.lock()?;
        let found = state.authorization.codes.get(code_hash);
        Ok(found.map(|stored| code_of(&stored.code, stored.used_at)))
    }

    async fn exchange_authorization_code(
        &self,
        code_hash: &SecretHash,
        now: DateTime<Utc>,
        session: NewSession,
        max_per_client: usize,
    ) -> Result<CodeExchange, StoreError> {
        let mut state = self.lock()?;
        exchange(&mut state, code_hash, now, session, max_per_client)
    }

    async fn consent(&self, user: &UserId, client: &ClientId) -> Result<Option<Scopes>, StoreError> {
        let state = self.lock()?;
        Ok(state
            .authorization
            .consents
            .get(&(user.clone(), client.clone()))
            .map(|(scope, _)| scope.clone()))
    }

    async fn grant_consent(
        &self,
        user: &UserId,
        client: &ClientId,
        scope: &Scopes,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut state = self.lock()?;
        state.require_user(user)?;
        state.require_client(client)?;
        let granted = state
            .authorization
            .consents
            .entry((user.clone(), client.clone()))
            .or_insert_with(|| (Scopes::default(), now));
        *granted = (granted.0.union(scope), now);
        Ok(())
    }

    async fn purge_authorization(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut state = self.lock()?;
        let auth = &mut state.authorization;
        let before = auth.codes.len() + auth.browser_sessions.len();
        auth.codes.retain(|_, c| c.code.expires_at >= now);
        auth.browser_sessions.retain(|_, b| b.session.expires_at >= now);
        let after = auth.codes.len() + auth.browser_sessions.len();
        Ok(u64::try_from(before - after).unwrap_or(u64::MAX))
    }
}
