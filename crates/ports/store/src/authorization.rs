//! The OAuth 2 authorization endpoint's state: browser sessions (the
//! sign-in page's cookie, for single sign-on across clients), authorization
//! codes, and the consents users gave to third-party clients.
//!
//! A browser session is a device of its own: its token sessions (those
//! opened by exchanging a code it issued) carry the device id
//! `browser:<id>` ([`BrowserSession::device_id`]), so that `GET
//! /api/sessions` lists them under it and ending the browser session can end
//! them too. Only keyed hashes of the cookie and of codes are stored.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use registrar_domain::{
    AuditEvent, ClientId, CodeChallenge, DeviceName, PasswordHash, Scopes, SecretHash, SignInMethod, UserId,
};

use crate::{NewSession, StoreError};

/// The device id prefix of a browser session's token sessions.
pub const BROWSER_DEVICE_PREFIX: &str = "browser:";

/// A browser session to open, after a complete sign-in on the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBrowserSession {
    /// Our id (a UUID).
    pub id: String,
    /// The hash of the cookie's value handed to the browser.
    pub cookie_hash: SecretHash,
    pub user: UserId,
    /// The client whose authorization request led to the sign-in.
    pub client: ClientId,
    /// What the browser says it is (from its `User-Agent`), for the sessions list.
    pub device_name: DeviceName,
    pub sign_in_method: SignInMethod,
    /// The password hash the sign-in verified, as [`NewSession::credential`]:
    /// when given, the session opens only if it is still the user's
    /// ([`StoreError::StaleCredential`] otherwise, nothing stored).
    pub credential: Option<PasswordHash>,
    /// The sign-in's time: created, last used, and `auth_time`.
    pub now: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// `user.signed_in`: written with the browser session, only if it opens.
    pub audit: Vec<AuditEvent>,
}

/// A browser session as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserSession {
    pub id: String,
    pub user: UserId,
    pub client: ClientId,
    pub device_name: DeviceName,
    pub sign_in_method: SignInMethod,
    /// When the user signed in (OpenID Connect's `auth_time`).
    pub auth_time: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl BrowserSession {
    /// The device id of the browser session and of its token sessions.
    pub fn device_id(&self) -> String {
        browser_device(&self.id)
    }
}

/// The device id `browser:<id>` of the browser session `id`.
pub fn browser_device(id: &str) -> String {
    format!("{BROWSER_DEVICE_PREFIX}{id}")
}

/// An authorization code to store (RFC 6749 §4.1.2): what the code stands
/// for, bound to its client, redirect URI and PKCE challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuthorizationCode {
    /// The hash of the code handed out.
    pub code_hash: SecretHash,
    pub client: ClientId,
    /// The redirect URI as the request named it (the token request must
    /// name the same).
    pub redirect_uri: String,
    pub user: UserId,
    /// The browser session that signed in.
    pub browser_session: String,
    /// The browser session's device name, for the session the code opens.
    pub device_name: DeviceName,
    pub scope: Scopes,
    /// The request's `nonce`, echoed in the ID token.
    pub nonce: Option<String>,
    /// `S256` only; `None` for a confidential client that sent none.
    pub code_challenge: Option<CodeChallenge>,
    pub auth_time: DateTime<Utc>,
    pub sign_in_method: SignInMethod,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A stored authorization code, read to check a token request against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationCode {
    pub client: ClientId,
    pub redirect_uri: String,
    pub user: UserId,
    pub browser_session: String,
    pub device_name: DeviceName,
    pub scope: Scopes,
    pub nonce: Option<String>,
    pub code_challenge: Option<CodeChallenge>,
    pub auth_time: DateTime<Utc>,
    pub sign_in_method: SignInMethod,
    pub expires_at: DateTime<Utc>,
    /// When it was exchanged, if it was.
    pub used_at: Option<DateTime<Utc>>,
}

/// What exchanging a code did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeExchange {
    /// The session was opened; the code is used up.
    Exchanged,
    /// The code had been exchanged before: the session it opened is revoked
    /// (RFC 6749 §4.1.2, RFC 9700 §4.5), nothing opened.
    Reused,
    /// No such code, expired, or its browser session has ended: nothing changed.
    Unusable,
}

/// The browser sessions, codes and consents of the authorization endpoint.
#[async_trait]
pub trait AuthorizationStore {
    /// Opens a browser session. [`StoreError::StaleCredential`] (nothing
    /// stored) when `credential` is given and no longer the user's password
    /// hash; [`StoreError::NotFound`] when there is no such user or client;
    /// [`StoreError::Duplicate`] when the id or the cookie hash is taken.
    /// Writes [`NewBrowserSession::audit`] only when it opens.
    async fn open_browser_session(&self, session: NewBrowserSession) -> Result<(), StoreError>;

    /// The live browser session whose cookie hashes to `cookie_hash`: not
    /// expired at `now`, of a user who is not disabled. Notes `now` as its
    /// last use.
    async fn browser_session(
        &self,
        cookie_hash: &SecretHash,
        now: DateTime<Utc>,
    ) -> Result<Option<BrowserSession>, StoreError>;

    /// The user's browser sessions not expired at `now`, oldest first.
    async fn browser_sessions(&self, user: &UserId, now: DateTime<Utc>) -> Result<Vec<BrowserSession>, StoreError>;

    /// Ends the user's browser session `id` and, when `with_tokens`, the
    /// token sessions opened from it (device [`browser_device`]`(id)`), at
    /// once. `false` when the user has no such browser session (its token
    /// sessions are then left alone). Writes `audit` (`session.revoked`)
    /// only when it ended one.
    async fn end_browser_session(
        &self,
        user: &UserId,
        id: &str,
        with_tokens: bool,
        audit: &[AuditEvent],
    ) -> Result<bool, StoreError>;

    /// Stores a code. [`StoreError::NotFound`] when there is no such user or
    /// client; [`StoreError::Duplicate`] when the hash is taken.
    async fn put_authorization_code(&self, code: NewAuthorizationCode) -> Result<(), StoreError>;

    /// The code stored under `code_hash`, used or not, expired or not.
    async fn authorization_code(&self, code_hash: &SecretHash) -> Result<Option<AuthorizationCode>, StoreError>;

    /// Exchanges the code, once, in one transaction:
    /// - a code exchanged before: the session it opened is revoked
    ///   ([`CodeExchange::Reused`]);
    /// - no such code, expired at `now`, or its browser session ended or
    ///   expired at `now`: [`CodeExchange::Unusable`];
    /// - else `session` is opened as
    ///   [`SessionStore::open_session`](crate::SessionStore::open_session) opens one (at most
    ///   `max_per_client` per user and client, the least recently used
    ///   evicted), the code is marked used at `now` and remembers the
    ///   session: [`CodeExchange::Exchanged`].
    ///
    /// Of two exchanges racing, one opens the session and the other finds it
    /// used (and revokes it). `session` must be for the code's user and
    /// client: another is the caller's mistake, an error (nothing changed).
    /// A used code is kept when its browser session ends, so that its reuse
    /// is still noticed. The session's [`NewSession::audit`]
    /// (`user.signed_in`) is written only when it opens.
    async fn exchange_authorization_code(
        &self,
        code_hash: &SecretHash,
        now: DateTime<Utc>,
        session: NewSession,
        max_per_client: usize,
    ) -> Result<CodeExchange, StoreError>;

    /// The scopes the user granted the client, `None` if never asked.
    async fn consent(&self, user: &UserId, client: &ClientId) -> Result<Option<Scopes>, StoreError>;

    /// Records that the user grants the client `scope`, added to what was
    /// granted before. [`StoreError::NotFound`] when there is no such user
    /// or client.
    async fn grant_consent(
        &self,
        user: &UserId,
        client: &ClientId,
        scope: &Scopes,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Drops codes and browser sessions that expired before `now` (a used
    /// code is kept until its expiry, to notice a second use); returns how
    /// many rows went.
    async fn purge_authorization(&self, now: DateTime<Utc>) -> Result<u64, StoreError>;
}
