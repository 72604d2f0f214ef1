//! Token pairs: minting, password login, refresh rotation, bearer checks, logout.

use chrono::{DateTime, Utc};
use rand::rngs::OsRng;
use rand::RngCore;
use registrar_domain::{
    Actor, AuditKind, ClientId, ClientIp, ClientKind, Email, Password, PasswordHash, SecretHash, SecretToken, Session,
    SessionId, SignInMethod, User, UserId,
};
use registrar_mail::Mailer;
use registrar_store::{
    FirstFactor, MfaPurpose, NewOutboxMail, NewSession, OutboxKind, Rotation, RotationOutcome, Store,
};

use crate::input::LoginInput;
use crate::parse::{self, ClientRef, KnownClient};
use crate::{Field, FieldErrors, Registrar, ServiceError};

/// What a client gets back: both tokens in clear, once.
#[derive(Debug, Clone)]
pub struct TokenPair {
    pub access_token: SecretToken,
    pub refresh_token: SecretToken,
    /// Seconds until the access token expires.
    pub expires_in: i64,
}

/// Who is calling, from a valid access token.
#[derive(Debug, Clone)]
pub struct AuthContext {
    pub session: Session,
    pub user: User,
}

/// `bytes` random bytes as lowercase hex.
pub(crate) fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

/// What [`Registrar::authenticate_client`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientAuthentication {
    /// No such client: the grant answers `invalid_client` as it always did.
    Unknown,
    /// A public client: named, nothing to prove (a secret it sent is not checked).
    Public(KnownClient),
    /// A confidential client that proved its secret.
    Confidential(KnownClient),
    /// A confidential client with a wrong secret, or none.
    Refused,
}

impl ClientAuthentication {
    /// The client found and let through, for the use case
    /// ([`ClientRef::known_as`]); `None` for an unknown or refused one.
    pub fn known(&self) -> Option<&KnownClient> {
        match self {
            Self::Public(known) | Self::Confidential(known) => Some(known),
            Self::Unknown | Self::Refused => None,
        }
    }

    /// A confidential client that proved its secret.
    pub fn is_confidential(&self) -> bool {
        matches!(self, Self::Confidential(_))
    }
}

/// 32 random bytes: 64 hex characters, the floor of the contract's 64–256.
fn new_token() -> SecretToken {
    SecretToken::new(random_hex(32))
}

/// Tokens we hand out are 64–256 lowercase hex; anything else cannot be ours,
/// and is refused without a store round trip.
fn looks_like_token(s: &str) -> bool {
    (64..=256).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

pub(crate) use crate::parse::Device;

/// `grant_type=password` (and the login part of a password change), every
/// field present. The address and password are as presented: checking them
/// is the store's (and argon2's) work, the same for every wrong answer.
#[derive(Debug, Clone)]
pub struct Login {
    pub client: ClientRef,
    pub device: Device,
    pub email: String,
    pub password: String,
}

impl Login {
    /// The pure step of [`Registrar::login`].
    pub fn parse(input: &LoginInput) -> Result<Self, ServiceError> {
        let mut errors = FieldErrors::default();
        let login = Self::fields(&mut errors, input);
        errors.clone().into_result()?;
        login.ok_or(ServiceError::Invalid(errors))
    }

    pub(crate) fn fields(errors: &mut FieldErrors, input: &LoginInput) -> Option<Self> {
        let client = parse::client(errors, &input.client_id);
        let device = parse::device(errors, &input.device_id, &input.device_name);
        let email = parse::required(errors, Field::Email, &input.email).map(str::to_owned);
        let password = parse::required(errors, Field::Password, &input.password).map(str::to_owned);
        Some(Self {
            client: client?,
            device: device?,
            email: email?,
            password: password?,
        })
    }
}

/// A session ready for the store ([`Registrar::session_to_open`]): its
/// record, and what the answer needs once the store opened it.
pub(crate) struct SessionToOpen {
    pub(crate) session: NewSession,
    pub(crate) opened: SessionOpened,
}

/// The pair a session answers, and the id of its new-device notice.
pub(crate) struct SessionOpened {
    pair: TokenPair,
    notice_id: Option<String>,
}

impl<S: Store, M: Mailer> Registrar<S, M> {
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// A fresh session for this device, signed in by `method`, with its
    /// first pair (hashes for the store, clear for the client).
    pub(crate) fn mint_session(
        &self,
        user: &UserId,
        client: &ClientId,
        device: Device,
        method: SignInMethod,
    ) -> (NewSession, TokenPair) {
        let now = self.now();
        let ttl = self.settings.access_token_ttl;
        let pair = TokenPair {
            access_token: new_token(),
            refresh_token: new_token(),
            expires_in: ttl.num_seconds(),
        };
        let session = NewSession {
            id: SessionId(uuid::Uuid::new_v4().to_string()),
            user_id: user.clone(),
            client_id: client.clone(),
            device_id: device.id,
            device_name: device.name,
            access_hash: pair.access_token.hash(),
            access_expires_at: now + ttl,
            refresh_hash: pair.refresh_token.hash(),
            now,
            credential: None,
            sign_in_method: method,
            scope: None,
            audit: Vec::new(),
            new_device_notice: None,
        };
        (session, pair)
    }

    /// Client authentication (RFC 6749 §2.3.1) of a client named at the
    /// token endpoint, with the secret it sent, if any. A confidential
    /// client's secret is compared as its keyed hash, in constant time.
    pub async fn authenticate_client(
        &self,
        id: &str,
        secret: Option<&str>,
    ) -> Result<ClientAuthentication, ServiceError> {
        let Some(id) = ClientId::parse(id) else {
            return Ok(ClientAuthentication::Unknown);
        };
        let client = self.store.client(&id).await?;
        Ok(self.client_authentication(client, secret))
    }

    /// What [`authenticate_client`](Self::authenticate_client) answers for
    /// the client found (if any) and the secret it sent.
    fn client_authentication(
        &self,
        client: Option<registrar_domain::Client>,
        secret: Option<&str>,
    ) -> ClientAuthentication {
        let Some(client) = client else {
            return ClientAuthentication::Unknown;
        };
        let known = KnownClient::found(client.id);
        let ClientKind::Confidential { secret_hash } = client.kind else {
            return ClientAuthentication::Public(known);
        };
        let given = secret.map(|s| self.settings.secret_key.client_secret_hash(s));
        match given {
            Some(given) if given.matches(&secret_hash) => ClientAuthentication::Confidential(known),
            _ => ClientAuthentication::Refused,
        }
    }

    /// Revocation (RFC 7009) by `client` (authenticated by the caller when
    /// confidential): the session of `token`, an access or a refresh
    /// token, ends if it is that client's. An unknown, malformed or
    /// rotated-out token, or another client's, changes nothing and is no
    /// error (the answer must not tell them apart). `InvalidClient` for an
    /// unknown client.
    pub async fn revoke_token(&self, client: &ClientRef, token: &str) -> Result<(), ServiceError> {
        let client = self.known_client(client).await?;
        // The store completes the event with the session's user and device.
        let audit = [self
            .event(AuditKind::SessionRevoked, Actor::User)
            .with("reason", "revoked")];
        if looks_like_token(token)
            && self
                .store
                .revoke_by_token(&SecretHash::of(token), &client, &audit)
                .await?
        {
            tracing::debug!(client = %client, "a session was revoked by its token");
        }
        Ok(())
    }

    /// Whether the client is a confidential one: a step that names no client
    /// (the second step of a sign-in) must then be refused, as the client
    /// did not authenticate.
    pub(crate) async fn is_confidential(&self, id: &ClientId) -> Result<bool, ServiceError> {
        let client = self.store.client(id).await?;
        Ok(client.is_some_and(|c| c.kind != ClientKind::Public))
    }

    /// A registered client, or `InvalidClient`: read from the store unless
    /// the request's client authentication found it already.
    pub(crate) async fn known_client(&self, client: &ClientRef) -> Result<ClientId, ServiceError> {
        let id = match client {
            ClientRef::Known(known) => return Ok(known.id().clone()),
            ClientRef::Id(id) => id,
            ClientRef::Malformed => return Err(ServiceError::InvalidClient),
        };
        match self.store.client(id).await? {
            Some(client) => Ok(client.id),
            None => Err(ServiceError::InvalidClient),
        }
    }

    /// Checks email and password; unknown user, no password and wrong
    /// password are the same `InvalidGrant` after the same argon2 work.
    /// Refused before any of it while the account or `from` is locked out;
    /// a failure counts against both (a success is cleared by
    /// [`Self::require_second_factor`], which every caller runs next).
    /// Then refuses disabled and (if configured) unconfirmed accounts.
    pub(crate) async fn check_credentials(
        &self,
        email: &str,
        password: &str,
        from: ClientIp,
    ) -> Result<User, ServiceError> {
        let email = Email::parse(email).ok();
        self.login_allowed(email.as_ref(), from).await?;
        let Some(presented) = Password::presented(password, &self.settings.password) else {
            self.login_failed(email.as_ref(), from).await?;
            return Err(ServiceError::InvalidGrant);
        };
        let user = match &email {
            Some(email) => self.store.user_by_email(email).await?,
            None => None,
        };
        // An email-first account waiting for consent has no password to log
        // in with, whatever it holds: completing its signup is the only way in.
        let stored = user
            .as_ref()
            .filter(|u| !u.consent_pending())
            .and_then(|u| u.password_hash.as_ref());
        let verified = self.hasher.verify(&presented, stored).await?;
        let user = match (user, email) {
            // The account's failed-login count is cleared by the caller's
            // `require_second_factor`: at once without a second factor, else
            // only when that is given too.
            (Some(user), Some(_)) if verified => user,
            (Some(user), _) => {
                self.user_login_failed(&user, "wrong_password", from).await?;
                return Err(ServiceError::InvalidGrant);
            }
            (None, email) => {
                self.login_failed(email.as_ref(), from).await?;
                return Err(ServiceError::InvalidGrant);
            }
        };
        if user.disabled {
            return Err(ServiceError::AccountDisabled);
        }
        if self.settings.require_confirmed_email && !user.email_confirmed() {
            return Err(ServiceError::EmailNotConfirmed);
        }
        Ok(self.upgraded(user, &presented).await)
    }

    /// After a right password (the only moment it is at hand): a stored
    /// hash in another scheme (an imported bcrypt, PBKDF2 or scrypt one) or
    /// under lower argon2 costs than configured is replaced by argon2id under
    /// the configured ones. Returns the user with the hash now stored, which
    /// the session opened next rests on. An upgrade that fails (hashing
    /// busy, the store) is logged and left to the next sign-in; one that
    /// lost to a change committed meanwhile leaves the user as read (the
    /// session is then refused as stale, as it would have been).
    async fn upgraded(&self, mut user: User, presented: &Password) -> User {
        let Some(stored) = user.password_hash.clone() else {
            return user;
        };
        if !self.hasher.needs_upgrade(&stored) {
            return user;
        }
        let upgraded = match self.hasher.hash(presented).await {
            Ok(hash) => hash,
            Err(e) => {
                tracing::warn!(error = %e, "could not re-hash a password to upgrade its stored hash");
                return user;
            }
        };
        match self.store.upgrade_password_hash(&user.id, &stored, &upgraded).await {
            Ok(true) => {
                tracing::info!("a stored password hash was upgraded to the configured argon2id");
                user.password_hash = Some(upgraded);
            }
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "could not store an upgraded password hash"),
        }
        user
    }

    /// `grant_type=password`: a new pair for (user, client, device).
    pub async fn login(&self, login: Login, from: ClientIp) -> Result<TokenPair, ServiceError> {
        let client = self.known_client(&login.client).await?;
        let user = self.check_credentials(&login.email, &login.password, from).await?;
        self.signed_in_by(FirstFactor::Password, &user, &client, login.device)
            .await
    }

    /// After a right first factor: the pair of a session signed in by it, or
    /// [`ServiceError::MfaRequired`] when the account has a second factor. A
    /// password sign-in rests on the password it verified (a change or reset
    /// committed since refuses it); one by a mailed code rests on none.
    pub(crate) async fn signed_in_by(
        &self,
        first: FirstFactor,
        user: &User,
        client: &ClientId,
        device: Device,
    ) -> Result<TokenPair, ServiceError> {
        self.require_second_factor(user, client, device.clone(), first, MfaPurpose::SignIn)
            .await?;
        let (credential, method) = match first {
            FirstFactor::Password => (user.password_hash.clone(), SignInMethod::Password),
            FirstFactor::EmailCode => (None, SignInMethod::EmailCode),
        };
        self.open_session(user, credential, client, device, method).await
    }

    /// A session for `user`, signed in by `method`: it rests on
    /// `credential`, the password hash the sign-in verified, so that a
    /// change or reset committed since refuses it (as a wrong password).
    /// The uses of sessions this process noted are written first, so that
    /// the least-recently-used eviction sees them.
    pub(crate) async fn open_session(
        &self,
        user: &User,
        credential: Option<PasswordHash>,
        client: &ClientId,
        device: Device,
        method: SignInMethod,
    ) -> Result<TokenPair, ServiceError> {
        let SessionToOpen { session, opened } = self.session_to_open(user, credential, client, device, method).await;
        let queued = self
            .store
            .open_session(session, self.settings.max_sessions_per_client)
            .await?;
        Ok(self.session_opened(opened, queued).await)
    }

    /// Everything [`Self::open_session`] does before the store opens the
    /// session, for a store method that opens it with other changes in one
    /// transaction (then [`Self::session_opened`]).
    pub(crate) async fn session_to_open(
        &self,
        user: &User,
        credential: Option<PasswordHash>,
        client: &ClientId,
        device: Device,
        method: SignInMethod,
    ) -> SessionToOpen {
        let (mut session, pair) = self.mint_session(&user.id, client, device, method);
        session.credential = credential;
        session.audit = vec![self.new_session_event(AuditKind::SignedIn, user, &session)];
        // A device id the app sent names a device; one made up per sign-in
        // (a browser of the users API) would be "new" every time.
        let named = !session.device_id.as_str().starts_with(crate::users::MADE_UP_DEVICE);
        let notice = (self.settings.audit.new_device_mail && named).then(|| NewOutboxMail {
            detail: Some(session.device_name.as_str().to_owned()),
            ..self.outbox_mail(&user.id, OutboxKind::NewSignIn)
        });
        let notice_id = notice.as_ref().map(|n| n.id.clone());
        session.new_device_notice = notice;
        if let Err(e) = self.flush_touches().await {
            tracing::warn!(error = %e, "could not record the last use of sessions before opening one");
        }
        SessionToOpen {
            session,
            opened: SessionOpened { pair, notice_id },
        }
    }

    /// The pair of a session the store opened; its new-device notice, if
    /// `queued`, is handed to the mailer.
    pub(crate) async fn session_opened(&self, opened: SessionOpened, queued: bool) -> TokenPair {
        if let Some(id) = opened.notice_id {
            self.mail_queued_if(queued, &id).await;
        }
        opened.pair
    }

    /// `grant_type=refresh_token`: rotates the pair. A rotated-out token
    /// presented again revokes its session, unless it was rotated out less
    /// than ten seconds ago (then it is only refused).
    pub async fn refresh(
        &self,
        refresh_token: Option<String>,
        client: Option<ClientRef>,
    ) -> Result<TokenPair, ServiceError> {
        let Some(token) = refresh_token else {
            return Err(ServiceError::Invalid(FieldErrors::single(
                Field::RefreshToken,
                crate::FieldError::Required,
            )));
        };
        let client = match client {
            Some(client) => Some(self.known_client(&client).await?),
            None => None,
        };
        if !looks_like_token(&token) {
            return Err(ServiceError::InvalidGrant);
        }
        let now = self.now();
        let pair = TokenPair {
            access_token: new_token(),
            refresh_token: new_token(),
            expires_in: self.settings.access_token_ttl.num_seconds(),
        };
        let rotation = Rotation {
            presented: SecretHash::of(&token),
            client_id: client,
            new_access_hash: pair.access_token.hash(),
            new_access_expires_at: now + self.settings.access_token_ttl,
            new_refresh_hash: pair.refresh_token.hash(),
            now,
            idle_cutoff: now - self.settings.refresh_token_idle_ttl,
            grace_cutoff: now - crate::Settings::REUSE_GRACE,
            // Completed by the store with the revoked session's user and device.
            audit: vec![self.event(AuditKind::ReuseDetected, Actor::User)],
        };
        match self.store.rotate_refresh(rotation).await? {
            RotationOutcome::Rotated(_) => Ok(pair),
            RotationOutcome::ReuseDetected => {
                tracing::warn!("a rotated-out refresh token was presented again: its session is revoked");
                Err(ServiceError::InvalidGrant)
            }
            RotationOutcome::RetiredWithinGrace
            | RotationOutcome::Expired
            | RotationOutcome::ClientMismatch
            | RotationOutcome::Unknown => Err(ServiceError::InvalidGrant),
        }
    }

    /// The caller behind a bearer access token, for Registrar's own
    /// endpoints: a token of a third-party client (a session with a granted
    /// [`Session::scope`]) is `InvalidToken` there — it may read
    /// `/userinfo` and no more.
    pub async fn authenticate(&self, access_token: &str) -> Result<AuthContext, ServiceError> {
        let context = self.authenticate_any(access_token).await?;
        if context.session.scope.is_some() {
            return Err(ServiceError::InvalidToken);
        }
        Ok(context)
    }

    /// The caller behind any live access token, a third-party client's too
    /// (`/userinfo`, introspection).
    pub async fn authenticate_any(&self, access_token: &str) -> Result<AuthContext, ServiceError> {
        if !looks_like_token(access_token) {
            return Err(ServiceError::InvalidToken);
        }
        let now = self.now();
        let (session, user) = self
            .store
            .session_by_access(&SecretHash::of(access_token), now)
            .await?
            .ok_or(ServiceError::InvalidToken)?;
        self.session_in_use(&session, &user)?;
        Ok(AuthContext { session, user })
    }

    /// Introspection (RFC 7662) asked by client `client` with `secret`:
    /// the client's authentication, as
    /// [`authenticate_client`](Self::authenticate_client) answers it, and,
    /// only when that is [`ClientAuthentication::Confidential`], the session
    /// and user behind `token` if it is a live access token, its use noted
    /// as a bearer check notes it; `None` for any other token (unknown,
    /// malformed, expired, revoked, a refresh token) and for a disabled
    /// account. The client and the token are read in one trip to the store.
    pub async fn introspect(
        &self,
        client: &str,
        secret: Option<&str>,
        token: &str,
    ) -> Result<(ClientAuthentication, Option<AuthContext>), ServiceError> {
        let Some(client_id) = ClientId::parse(client) else {
            return Ok((ClientAuthentication::Unknown, None));
        };
        if !looks_like_token(token) {
            return Ok((self.authenticate_client(client, secret).await?, None));
        }
        let (client, found) = self
            .store
            .client_and_session_by_access(&client_id, &SecretHash::of(token), self.now())
            .await?;
        let authentication = self.client_authentication(client, secret);
        let Some((session, user)) = found.filter(|_| authentication.is_confidential()) else {
            return Ok((authentication, None));
        };
        match self.session_in_use(&session, &user) {
            Ok(()) => Ok((authentication, Some(AuthContext { session, user }))),
            Err(ServiceError::AccountDisabled) => Ok((authentication, None)),
            Err(e) => Err(e),
        }
    }

    /// `GET /api/me`: the caller behind the token and their profile, read in
    /// one trip to the store.
    pub async fn me(&self, access_token: &str) -> Result<crate::ProfileView, ServiceError> {
        if !looks_like_token(access_token) {
            return Err(ServiceError::InvalidToken);
        }
        let (session, user, standing) = self
            .store
            .session_with_standing(&SecretHash::of(access_token), self.now())
            .await?
            .ok_or(ServiceError::InvalidToken)?;
        // A third-party client's token reads `/userinfo`, not the profile.
        if session.scope.is_some() {
            return Err(ServiceError::InvalidToken);
        }
        self.session_in_use(&session, &user)?;
        Ok(self.profile_view(user, standing))
    }

    /// A live session found by its access token: refused if its user is
    /// disabled; else its use is noted in memory (written by the next flush,
    /// at most a second away, or before this process opens a session).
    fn session_in_use(&self, session: &Session, user: &User) -> Result<(), ServiceError> {
        if user.disabled {
            return Err(ServiceError::AccountDisabled);
        }
        self.touches.note(&session.id);
        Ok(())
    }

    /// Revokes the caller's session: both its tokens stop working.
    pub async fn logout(&self, ctx: &AuthContext) -> Result<(), ServiceError> {
        let event = self
            .session_event(AuditKind::SessionRevoked, &ctx.user, &ctx.session)
            .with("reason", "logout");
        self.store.revoke_session(&ctx.session.id, &[event]).await?;
        Ok(())
    }
}
