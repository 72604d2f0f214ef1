//! [`AuthorizationStore`]: `browser_sessions`, `authorization_codes` and
//! `oauth_consents`.
//!
//! A code is exchanged in one write transaction that first locks the code's
//! row ([`Backend::lock_authorization_code`]): of exchanges racing for one
//! code, the first opens the session and marks the code used, and each later
//! one finds it used and revokes that session. The user is locked before
//! the browser session is checked, as a password change locks it before
//! ending the browser sessions: an exchange either sees the browser session
//! gone or opens a session that the change then revokes.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl;
use diesel::prelude::*;
use registrar_domain::{AuditEvent, ClientId, CodeChallenge, DeviceName, Scopes, SecretHash, SignInMethod, UserId};
use registrar_store::{
    browser_device, AuthorizationCode, AuthorizationStore, BrowserSession, CodeExchange, NewAuthorizationCode,
    NewBrowserSession, NewSession, StoreError,
};

use crate::audit::AuditWrites;
use crate::backend::{run, Backend};
use crate::error::{corrupt, duplicate_on_unique, is_foreign_key_violation, Failure};
use crate::rows::{from_db, scopes_of, to_db};
use crate::schema::{authorization_codes, browser_sessions, oauth_consents, sessions, users};
use crate::sessions::{credential_holds, SessionWrites};
use crate::DieselStore;

/// What an exchange reads of a locked code: user, client, browser session,
/// expiry, when it was used and the session that use opened.
pub(crate) type LockedCode = (
    String,
    String,
    String,
    NaiveDateTime,
    Option<NaiveDateTime>,
    Option<String>,
);

/// The code stored under `code_hash`: the query of
/// [`Backend::lock_authorization_code`], the same on both backends.
#[dsl::auto_type]
pub(crate) fn code_to_exchange<'a>(code_hash: &'a str) -> _ {
    authorization_codes::table.find(code_hash).select((
        authorization_codes::user_id,
        authorization_codes::client_id,
        authorization_codes::browser_session_id,
        authorization_codes::expires_at,
        authorization_codes::used_at,
        authorization_codes::session_id,
    ))
}

/// A `browser_sessions` row without its cookie hash.
#[derive(Queryable, Selectable)]
#[diesel(table_name = browser_sessions)]
pub(crate) struct BrowserSessionRow {
    id: String,
    user_id: String,
    client_id: String,
    device_name: String,
    sign_in_method: String,
    auth_time: NaiveDateTime,
    last_used_at: NaiveDateTime,
    expires_at: NaiveDateTime,
}

impl BrowserSessionRow {
    pub(crate) fn into_session(self) -> Result<BrowserSession, Failure> {
        let bad = |what: &str| corrupt("browser_sessions", &self.id, what);
        let client = ClientId::parse(&self.client_id).ok_or_else(|| bad("client_id"))?;
        let device_name = DeviceName::parse(&self.device_name).map_err(|_| bad("device_name"))?;
        let sign_in_method = SignInMethod::parse(&self.sign_in_method).ok_or_else(|| bad("sign_in_method"))?;
        Ok(BrowserSession {
            id: self.id,
            user: UserId(self.user_id),
            client,
            device_name,
            sign_in_method,
            auth_time: from_db(self.auth_time),
            last_used_at: from_db(self.last_used_at),
            expires_at: from_db(self.expires_at),
        })
    }
}

/// An `authorization_codes` row as a token request reads it.
#[derive(Queryable, Selectable)]
#[diesel(table_name = authorization_codes)]
struct CodeRow {
    client_id: String,
    redirect_uri: String,
    user_id: String,
    browser_session_id: String,
    device_name: String,
    scope: String,
    nonce: Option<String>,
    code_challenge: Option<String>,
    auth_time: NaiveDateTime,
    sign_in_method: String,
    expires_at: NaiveDateTime,
    used_at: Option<NaiveDateTime>,
}

impl CodeRow {
    fn into_code(self) -> Result<AuthorizationCode, Failure> {
        // The code's hash is a secret's: the row is named by its browser session.
        let bad = |what: &str| corrupt("authorization_codes", &self.browser_session_id, what);
        let client = ClientId::parse(&self.client_id).ok_or_else(|| bad("client_id"))?;
        let scope = scopes_of(&self.scope).map_err(|_| bad("scope"))?;
        let code_challenge = match &self.code_challenge {
            Some(text) => Some(CodeChallenge::parse(text).ok_or_else(|| bad("code_challenge"))?),
            None => None,
        };
        let sign_in_method = SignInMethod::parse(&self.sign_in_method).ok_or_else(|| bad("sign_in_method"))?;
        let device_name = DeviceName::parse(&self.device_name).map_err(|_| bad("device_name"))?;
        Ok(AuthorizationCode {
            client,
            redirect_uri: self.redirect_uri,
            user: UserId(self.user_id),
            browser_session: self.browser_session_id,
            device_name,
            scope,
            nonce: self.nonce,
            code_challenge,
            auth_time: from_db(self.auth_time),
            sign_in_method,
            expires_at: from_db(self.expires_at),
            used_at: self.used_at.map(from_db),
        })
    }
}

/// A new `authorization_codes` row, unused.
#[derive(Insertable)]
#[diesel(table_name = authorization_codes)]
struct NewCodeRow {
    code_hash: String,
    client_id: String,
    redirect_uri: String,
    user_id: String,
    browser_session_id: String,
    device_name: String,
    scope: String,
    nonce: Option<String>,
    code_challenge: Option<String>,
    auth_time: NaiveDateTime,
    sign_in_method: &'static str,
    created_at: NaiveDateTime,
    expires_at: NaiveDateTime,
}

impl NewCodeRow {
    fn new(code: NewAuthorizationCode) -> Self {
        Self {
            code_hash: code.code_hash.as_str().to_owned(),
            client_id: code.client.as_str().to_owned(),
            redirect_uri: code.redirect_uri,
            user_id: code.user.0,
            browser_session_id: code.browser_session,
            device_name: code.device_name.into_string(),
            scope: code.scope.to_string(),
            nonce: code.nonce,
            code_challenge: code.code_challenge.map(|c| c.as_str().to_owned()),
            auth_time: to_db(code.auth_time),
            sign_in_method: code.sign_in_method.as_str(),
            created_at: to_db(code.created_at),
            expires_at: to_db(code.expires_at),
        }
    }
}

/// A foreign key the insert broke (no such user or client) is `NotFound`,
/// a taken hash `Duplicate`.
fn insert_failure(e: diesel::result::Error) -> Failure {
    if is_foreign_key_violation(&e) {
        Failure::Store(StoreError::NotFound)
    } else {
        duplicate_on_unique(e)
    }
}

#[async_trait]
impl AuthorizationStore for DieselStore {
    async fn open_browser_session(&self, session: NewBrowserSession) -> Result<(), StoreError> {
        run!(self, write, |conn| {
            let user = session.user.as_str();
            // Under the user's lock, as open_session: a password change
            // either comes after (and ends this browser session) or before
            // (and the credential is stale: the lock reads the hash).
            let Some(stored) = conn.lock_user_credential(user)? else {
                return Err(StoreError::NotFound.into());
            };
            credential_holds(stored.as_deref(), session.credential.as_ref())?;
            let now = to_db(session.now);
            diesel::insert_into(browser_sessions::table)
                .values((
                    browser_sessions::id.eq(&session.id),
                    browser_sessions::cookie_hash.eq(session.cookie_hash.as_str()),
                    browser_sessions::user_id.eq(user),
                    browser_sessions::client_id.eq(session.client.as_str()),
                    browser_sessions::device_name.eq(session.device_name.as_str()),
                    browser_sessions::sign_in_method.eq(session.sign_in_method.as_str()),
                    browser_sessions::auth_time.eq(now),
                    browser_sessions::last_used_at.eq(now),
                    browser_sessions::expires_at.eq(to_db(session.expires_at)),
                ))
                .execute(conn)
                .map_err(insert_failure)?;
            conn.record_in(&session.audit)
        })
    }

    async fn browser_session(
        &self,
        cookie_hash: &SecretHash,
        now: DateTime<Utc>,
    ) -> Result<Option<BrowserSession>, StoreError> {
        let cookie_hash = cookie_hash.as_str().to_owned();
        let now = to_db(now);
        // One statement: finds the live session and notes its use.
        run!(self, write_statement, |conn| {
            diesel::update(
                browser_sessions::table
                    .filter(browser_sessions::cookie_hash.eq(&cookie_hash))
                    .filter(browser_sessions::expires_at.gt(now))
                    .filter(
                        browser_sessions::user_id
                            .eq_any(users::table.filter(users::disabled.eq(false)).select(users::id)),
                    ),
            )
            .set(browser_sessions::last_used_at.eq(now))
            .returning(BrowserSessionRow::as_returning())
            .get_result::<BrowserSessionRow>(conn)
            .optional()?
            .map(BrowserSessionRow::into_session)
            .transpose()
        })
    }

    async fn browser_sessions(&self, user: &UserId, now: DateTime<Utc>) -> Result<Vec<BrowserSession>, StoreError> {
        let user = user.as_str().to_owned();
        let now = to_db(now);
        run!(self, statement, |conn| {
            browser_sessions::table
                .filter(browser_sessions::user_id.eq(&user))
                .filter(browser_sessions::expires_at.gt(now))
                .order((browser_sessions::auth_time.asc(), browser_sessions::id.asc()))
                .select(BrowserSessionRow::as_select())
                .load(conn)?
                .into_iter()
                .map(BrowserSessionRow::into_session)
                .collect()
        })
    }

    async fn end_browser_session(
        &self,
        user: &UserId,
        id: &str,
        with_tokens: bool,
        audit: &[AuditEvent],
    ) -> Result<bool, StoreError> {
        let user = user.as_str().to_owned();
        let id = id.to_owned();
        let audit = audit.to_vec();
        run!(self, write, |conn| {
            let ended = diesel::delete(
                browser_sessions::table
                    .filter(browser_sessions::user_id.eq(&user))
                    .filter(browser_sessions::id.eq(&id)),
            )
            .execute(conn)?;
            if ended == 0 {
                return Ok(false);
            }
            if with_tokens {
                diesel::delete(
                    sessions::table
                        .filter(sessions::user_id.eq(&user))
                        .filter(sessions::device_id.eq(browser_device(&id))),
                )
                .execute(conn)?;
            }
            conn.record_in(&audit)?;
            Ok(true)
        })
    }

    async fn put_authorization_code(&self, code: NewAuthorizationCode) -> Result<(), StoreError> {
        let row = NewCodeRow::new(code);
        run!(self, write_statement, |conn| {
            diesel::insert_into(authorization_codes::table)
                .values(&row)
                .execute(conn)
                .map_err(insert_failure)?;
            Ok(())
        })
    }

    async fn authorization_code(&self, code_hash: &SecretHash) -> Result<Option<AuthorizationCode>, StoreError> {
        let code_hash = code_hash.as_str().to_owned();
        run!(self, statement, |conn| {
            authorization_codes::table
                .find(&code_hash)
                .select(CodeRow::as_select())
                .first::<CodeRow>(conn)
                .optional()?
                .map(CodeRow::into_code)
                .transpose()
        })
    }

    async fn exchange_authorization_code(
        &self,
        code_hash: &SecretHash,
        now: DateTime<Utc>,
        session: NewSession,
        max_per_client: usize,
    ) -> Result<CodeExchange, StoreError> {
        let code_hash = code_hash.as_str().to_owned();
        let now = to_db(now);
        run!(self, write, |conn| {
            let Some((user, client, browser, expires_at, used_at, opened)) =
                conn.lock_authorization_code(&code_hash)?
            else {
                return Ok(CodeExchange::Unusable);
            };
            if used_at.is_some() {
                if let Some(opened) = &opened {
                    diesel::delete(sessions::table.find(opened)).execute(conn)?;
                }
                return Ok(CodeExchange::Reused);
            }
            if expires_at <= now {
                return Ok(CodeExchange::Unusable);
            }
            if session.user_id.as_str() != user || session.client_id.as_str() != client {
                let mistake = "exchange_authorization_code: the session is for another user or client than the code";
                return Err(StoreError::unexpected(mistake).into());
            }
            // The user first, then the browser session (see the module docs).
            if !conn.lock_user(&user)? {
                return Ok(CodeExchange::Unusable);
            }
            let browser_live = browser_sessions::table
                .find(&browser)
                .filter(browser_sessions::user_id.eq(&user))
                .filter(browser_sessions::expires_at.gt(now))
                .select(browser_sessions::id)
                .first::<String>(conn)
                .optional()?
                .is_some();
            if !browser_live {
                return Ok(CodeExchange::Unusable);
            }
            // The session's user (checked above) is locked already.
            conn.open_session_locked(&user, &session, max_per_client)?;
            diesel::update(authorization_codes::table.find(&code_hash))
                .set((
                    authorization_codes::used_at.eq(now),
                    authorization_codes::session_id.eq(&session.id.0),
                ))
                .execute(conn)?;
            Ok(CodeExchange::Exchanged)
        })
    }

    async fn consent(&self, user: &UserId, client: &ClientId) -> Result<Option<Scopes>, StoreError> {
        let user = user.as_str().to_owned();
        let client = client.as_str().to_owned();
        run!(self, statement, |conn| {
            oauth_consents::table
                .find((&user, &client))
                .select(oauth_consents::scope)
                .first::<String>(conn)
                .optional()?
                .map(|scope| scopes_of(&scope).map_err(|_| corrupt("oauth_consents", &user, "scope")))
                .transpose()
        })
    }

    async fn grant_consent(
        &self,
        user: &UserId,
        client: &ClientId,
        scope: &Scopes,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let user = user.as_str().to_owned();
        let client = client.as_str().to_owned();
        let scope = scope.clone();
        let now = to_db(now);
        run!(self, write, |conn| {
            // Grants of one user take turns: none is lost to a concurrent one.
            if !conn.lock_user(&user)? {
                return Err(StoreError::NotFound.into());
            }
            let before = oauth_consents::table
                .find((&user, &client))
                .select(oauth_consents::scope)
                .first::<String>(conn)
                .optional()?;
            match before {
                Some(before) => {
                    let before = scopes_of(&before).map_err(|_| corrupt("oauth_consents", &user, "scope"))?;
                    diesel::update(oauth_consents::table.find((&user, &client)))
                        .set((
                            oauth_consents::scope.eq(before.union(&scope).to_string()),
                            oauth_consents::granted_at.eq(now),
                        ))
                        .execute(conn)?;
                }
                None => {
                    diesel::insert_into(oauth_consents::table)
                        .values((
                            oauth_consents::user_id.eq(&user),
                            oauth_consents::client_id.eq(&client),
                            oauth_consents::scope.eq(scope.to_string()),
                            oauth_consents::granted_at.eq(now),
                        ))
                        .execute(conn)
                        .map_err(insert_failure)?;
                }
            }
            Ok(())
        })
    }

    async fn purge_authorization(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let now = to_db(now);
        run!(self, write, |conn| {
            let codes = diesel::delete(authorization_codes::table.filter(authorization_codes::expires_at.lt(now)))
                .execute(conn)?;
            let browsers =
                diesel::delete(browser_sessions::table.filter(browser_sessions::expires_at.lt(now))).execute(conn)?;
            Ok(u64::try_from(codes + browsers).unwrap_or(u64::MAX))
        })
    }
}
