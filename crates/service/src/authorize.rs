//! The authorization endpoint (RFC 6749 §4.1, OpenID Connect Core §3.1):
//! reading an authorization request, the sign-in it needs (a browser
//! session), consent, and the code it ends with; the code's exchange at the
//! token endpoint (with PKCE, RFC 7636).
//!
//! The page itself (forms, cookie, redirects) is the HTTP adapter's; here
//! are the decisions. An authorization request is read again from its
//! parameters on every step of the page (they travel in the page's forms),
//! so nothing is trusted that was not checked on this request.

use chrono::Duration;
use registrar_domain::policy::pending_revisions;
use registrar_domain::{
    AuditKind, Client, ClientId, ClientIp, ClientKind, CodeChallenge, DeviceName, Language, PolicyRevision, RevisionId,
    Scopes, SecretToken, SignInMethod, User,
};
use registrar_mail::Mailer;
use registrar_store::{
    browser_device, BrowserSession, CodeExchange, FirstFactor, MfaPurpose, NewAuthorizationCode, NewBrowserSession,
    Store, StoreError,
};
use serde::{Deserialize, Serialize};

use crate::factors::{MfaChallenge, MfaGrant};
use crate::parse::Device;
use crate::tokens::{random_hex, TokenPair};
use crate::{Registrar, ServiceError};

/// How long a code may wait for its exchange (the issue's ≤ 60 s; RFC 6749
/// §4.1.2 recommends at most ten minutes).
pub const CODE_TTL: Duration = Duration::seconds(60);

/// The longest `state` and `nonce` taken (they are echoed: a bound keeps
/// URLs and ID tokens small).
pub const MAX_ECHOED: usize = 512;

/// The longest `max_age` taken as such (ten years); a longer one is this.
pub const MAX_AGE_CAP: i64 = 10 * 365 * 86_400;

/// How long a consent form may wait for its answer (its ticket's life).
pub const CONSENT_WINDOW: Duration = Duration::minutes(10);

/// The device id of a sign-in attempt on the page while it waits for a
/// second factor (the browser session it opens gets an id of its own).
const PAGE_DEVICE: &str = "browser";

/// An authorization request's parameters as received (query or form),
/// every one optional: [`Registrar::authorization_request`] reads them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationInput {
    pub response_type: Option<String>,
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub prompt: Option<String>,
    pub max_age: Option<String>,
    pub login_hint: Option<String>,
    pub ui_locales: Option<String>,
    pub response_mode: Option<String>,
    pub request: Option<String>,
    pub request_uri: Option<String>,
    pub id_token_hint: Option<String>,
}

/// `prompt` (OpenID Connect Core §3.1.2.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Prompt {
    /// No page may be shown: an error if one would be.
    pub none: bool,
    /// Sign in again even with a live browser session.
    pub login: bool,
    /// Ask for consent even if it was given before.
    pub consent: bool,
}

/// A checked authorization request.
#[derive(Debug, Clone)]
pub struct AuthorizationRequest {
    pub client: Client,
    /// As the request named it, one of the client's redirect URIs.
    pub redirect_uri: String,
    pub scope: Scopes,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<CodeChallenge>,
    pub prompt: Prompt,
    /// Seconds: an older sign-in must be made again.
    pub max_age: Option<i64>,
    /// An address to fill in the sign-in form with.
    pub login_hint: Option<String>,
    /// The languages the client asks the page to speak, best first.
    pub ui_locales: Vec<String>,
    /// The user an `id_token_hint` (one of our ID tokens) names: a browser
    /// signed in as someone else counts as not signed in (OpenID Connect
    /// Core §3.1.2.1). A hint that is not one of ours is no hint.
    pub hinted_user: Option<registrar_domain::UserId>,
}

/// Why a request cannot be sent back to its client: the page says so itself
/// (RFC 6749 §4.1.2.1: never redirect to an unchecked URI).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AuthorizationPageError {
    #[error("the request names no client")]
    MissingClient,
    #[error("the request names an unknown client")]
    UnknownClient,
    #[error("the request names no redirect URI")]
    MissingRedirectUri,
    #[error("the redirect URI is not one registered for the client")]
    UnregisteredRedirectUri,
}

impl AuthorizationPageError {
    /// The OAuth error code the page shows.
    pub fn code(self) -> &'static str {
        match self {
            Self::UnknownClient => "invalid_client",
            _ => "invalid_request",
        }
    }
}

/// An error to send back to the client (RFC 6749 §4.1.2.1, OpenID Connect
/// Core §3.1.2.6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationErrorRedirect {
    /// The whole URL to send the browser to.
    pub location: String,
    pub error: &'static str,
}

/// What an authorization request that cannot go on answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizationError {
    Page(AuthorizationPageError),
    Redirect(AuthorizationErrorRedirect),
    /// The store could not be asked (logged): the page says it is our fault.
    Unavailable,
}

/// What the page does next.
#[derive(Debug, Clone)]
pub enum AuthorizationStep {
    /// Show the sign-in form.
    SignIn,
    /// Ask the user (see [`ConsentNeeded`]).
    Consent(ConsentNeeded),
    /// Send the browser to this URL: the client's redirect URI with a code,
    /// or with an error (`login_required`, `consent_required`).
    Redirect(String),
}

/// What the consent form asks.
#[derive(Debug, Clone)]
pub struct ConsentNeeded {
    /// The scopes to grant (all the request asks of an untrusted client;
    /// empty for a trusted one).
    pub scopes: Scopes,
    /// The current revisions of required policies the user has not accepted.
    pub policies: Vec<PolicyRevision>,
    /// Proof that this form was shown to this browser session for this
    /// request after its sign-in was found fresh enough (`prompt`,
    /// `max_age`): the form carries it back to
    /// [`Registrar::grant_authorization`], so that a posted answer cannot
    /// skip a sign-in the request asked for. Keyed under the server
    /// secret; good for [`CONSENT_WINDOW`].
    pub ticket: String,
}

/// A browser session just opened: the cookie's value (in clear, once) and
/// its lifetime.
#[derive(Debug, Clone)]
pub struct BrowserCookie {
    pub value: SecretToken,
    pub session: BrowserSession,
    pub max_age: Duration,
}

/// The outcome of a first factor on the page.
#[derive(Debug, Clone)]
pub enum BrowserSignIn {
    SignedIn(BrowserCookie),
    /// The account has a second factor: the page asks for it, carrying the token.
    SecondFactor(MfaChallenge),
}

/// `grant_type=authorization_code` (RFC 6749 §4.1.3), as received.
#[derive(Debug, Clone, Default)]
pub struct CodeGrantInput {
    pub code: Option<String>,
    pub redirect_uri: Option<String>,
    pub code_verifier: Option<String>,
}

/// What a code is exchanged for.
#[derive(Debug, Clone)]
pub struct CodeTokens {
    pub pair: TokenPair,
    /// For a request with scope `openid`.
    pub id_token: Option<String>,
    pub scope: Scopes,
}

fn has_control(text: &str) -> bool {
    text.chars().any(char::is_control)
}

/// `redirect_uri` is one of `registered`: the same string, or for a loopback
/// `http` URI any port (RFC 8252 §7.3).
fn redirect_registered(client: &Client, redirect_uri: &str) -> bool {
    let without_port = |uri: &str| -> Option<String> {
        let mut url = url::Url::parse(uri).ok()?;
        let loopback = url.scheme() == "http"
            && (matches!(url.host(), Some(url::Host::Ipv4(ip)) if ip.is_loopback())
                || matches!(url.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback()));
        if !loopback {
            return None;
        }
        url.set_port(None).ok()?;
        Some(url.to_string())
    };
    // What a URL parser would drop (spaces, tabs, line breaks) must not
    // make another string match: such a URI matches nothing.
    if redirect_uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    client.redirect_uris.iter().any(|registered| {
        registered.as_str() == redirect_uri
            || without_port(registered.as_str()).is_some_and(|r| without_port(redirect_uri) == Some(r))
    })
}

/// `base` with the query parameters `params` added (to those it has).
pub fn with_query(base: &str, params: &[(&str, &str)]) -> String {
    match url::Url::parse(base) {
        Ok(mut url) => {
            url.query_pairs_mut().extend_pairs(params.iter().copied());
            url.to_string()
        }
        // A registered URI always parses; nothing else comes here.
        Err(_) => base.to_owned(),
    }
}

impl AuthorizationRequest {
    /// The redirect to the client with `error` (and the request's `state`
    /// and our `iss`, RFC 9207).
    pub fn error_redirect(&self, issuer: &str, error: &'static str, description: &str) -> AuthorizationErrorRedirect {
        let mut params = vec![("error", error), ("error_description", description)];
        if let Some(state) = &self.state {
            params.push(("state", state));
        }
        params.push(("iss", issuer));
        AuthorizationErrorRedirect {
            location: with_query(&self.redirect_uri, &params),
            error,
        }
    }
}

impl<S: Store, M: Mailer> Registrar<S, M> {
    /// Reads an authorization request. The client and redirect URI are
    /// checked first: until both are known good, a failure is
    /// [`AuthorizationError::Page`]; after, an error redirect.
    pub async fn authorization_request(
        &self,
        input: &AuthorizationInput,
    ) -> Result<AuthorizationRequest, AuthorizationError> {
        let page = |e| Err(AuthorizationError::Page(e));
        let Some(client_id) = input.client_id.as_deref() else {
            return page(AuthorizationPageError::MissingClient);
        };
        let client = match ClientId::parse(client_id) {
            Some(id) => self.store.client(&id).await.map_err(|e| {
                tracing::warn!(error = %e, "the client of an authorization request could not be read");
                AuthorizationError::Unavailable
            })?,
            None => None,
        };
        let Some(client) = client else {
            return page(AuthorizationPageError::UnknownClient);
        };
        let Some(redirect_uri) = input.redirect_uri.clone() else {
            return page(AuthorizationPageError::MissingRedirectUri);
        };
        if !redirect_registered(&client, &redirect_uri) {
            return page(AuthorizationPageError::UnregisteredRedirectUri);
        }
        // From here on errors go back to the client; `state` goes with them
        // only if it is fit to.
        let state = input.state.clone().filter(|s| s.len() <= MAX_ECHOED && !has_control(s));
        let mut request = AuthorizationRequest {
            client,
            redirect_uri,
            scope: Scopes::default(),
            state,
            nonce: None,
            code_challenge: None,
            prompt: Prompt::default(),
            max_age: None,
            login_hint: None,
            ui_locales: Vec::new(),
            hinted_user: None,
        };
        if let Some(hint) = input.id_token_hint.as_deref() {
            match self.id_token_hint(hint).await {
                Ok(hint) => request.hinted_user = hint.map(|h| h.user),
                Err(e) => {
                    tracing::warn!(error = %e, "the id_token_hint of an authorization request could not be read");
                    return Err(AuthorizationError::Unavailable);
                }
            }
        }
        match self.read_parameters(input, &mut request) {
            Ok(()) => Ok(request),
            Err((error, description)) => Err(AuthorizationError::Redirect(request.error_redirect(
                self.issuer(),
                error,
                description,
            ))),
        }
    }

    /// The parameters after client and redirect URI, into `request`; the
    /// first that is wrong is the error code and its description.
    fn read_parameters(
        &self,
        input: &AuthorizationInput,
        request: &mut AuthorizationRequest,
    ) -> Result<(), (&'static str, &'static str)> {
        const INVALID: &str = "invalid_request";
        if input.state.is_some() && request.state.is_none() {
            return Err((INVALID, "state is too long or holds control characters"));
        }
        if input.request.is_some() {
            return Err(("request_not_supported", "request objects are not supported"));
        }
        if input.request_uri.is_some() {
            return Err(("request_uri_not_supported", "request_uri is not supported"));
        }
        match input.response_type.as_deref() {
            None => return Err((INVALID, "response_type is required")),
            Some("code") => {}
            Some(_) => return Err(("unsupported_response_type", "only response_type=code is supported")),
        }
        if input.response_mode.as_deref().is_some_and(|mode| mode != "query") {
            return Err((INVALID, "only response_mode=query is supported"));
        }
        request.scope = match Scopes::parse(input.scope.as_deref().unwrap_or_default()) {
            Ok(scope) => scope,
            Err(registrar_domain::ScopeError::Unknown(_)) => return Err(("invalid_scope", "a scope is unknown")),
            Err(registrar_domain::ScopeError::Malformed) => return Err(("invalid_scope", "the scope is malformed")),
        };
        let public = request.client.kind == ClientKind::Public;
        match (input.code_challenge.as_deref(), input.code_challenge_method.as_deref()) {
            (None, None) if public => return Err((INVALID, "a public client must send a PKCE code_challenge (S256)")),
            (None, None) => {}
            (None, Some(_)) => return Err((INVALID, "code_challenge_method without code_challenge")),
            (Some(_), None | Some("plain")) => {
                return Err((INVALID, "code_challenge_method must be S256 (plain is not supported)"));
            }
            (Some(challenge), Some("S256")) => match CodeChallenge::parse(challenge) {
                Some(challenge) => request.code_challenge = Some(challenge),
                None => return Err((INVALID, "code_challenge is not a base64url SHA-256")),
            },
            (Some(_), Some(_)) => return Err((INVALID, "code_challenge_method must be S256")),
        }
        if let Some(nonce) = &input.nonce {
            if nonce.is_empty() || nonce.len() > MAX_ECHOED || has_control(nonce) {
                return Err((INVALID, "nonce is empty, too long or holds control characters"));
            }
            request.nonce = Some(nonce.clone());
        }
        if let Some(prompt) = &input.prompt {
            for value in prompt.split(' ') {
                match value {
                    "none" => request.prompt.none = true,
                    "login" => request.prompt.login = true,
                    "consent" => request.prompt.consent = true,
                    // One account per browser session: nothing to select.
                    "select_account" => {}
                    _ => return Err((INVALID, "prompt holds an unknown value")),
                }
            }
            if request.prompt.none && (request.prompt.login || request.prompt.consent) {
                return Err((INVALID, "prompt=none goes with no other value"));
            }
        }
        if let Some(max_age) = &input.max_age {
            match max_age.parse::<i64>() {
                Ok(seconds) if seconds >= 0 => request.max_age = Some(seconds.min(MAX_AGE_CAP)),
                _ => return Err((INVALID, "max_age is not a number of seconds")),
            }
        }
        if let Some(hint) = &input.login_hint {
            if hint.len() > 320 || has_control(hint) {
                return Err((INVALID, "login_hint is too long or holds control characters"));
            }
            request.login_hint = Some(hint.clone());
        }
        if let Some(locales) = &input.ui_locales {
            if locales.len() > 256 || has_control(locales) {
                return Err((INVALID, "ui_locales is too long or holds control characters"));
            }
            request.ui_locales = locales
                .split(' ')
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect();
        }
        Ok(())
    }

    /// The live browser session of the cookie `value`, if any.
    pub async fn browser_session(&self, value: &str) -> Result<Option<BrowserSession>, ServiceError> {
        if value.len() != 64 || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let hash = SecretToken::new(value.to_owned()).hash();
        Ok(self.store.browser_session(&hash, self.now()).await?)
    }

    /// What the request needs next, for the browser's session (`None`: no
    /// live one). `signed_in_now`: the session was opened by this very
    /// page visit (so `prompt=login` and `max_age` are satisfied).
    pub async fn authorization_step(
        &self,
        request: &AuthorizationRequest,
        session: Option<&BrowserSession>,
        signed_in_now: bool,
    ) -> Result<AuthorizationStep, ServiceError> {
        let now = self.now();
        let fresh = |session: &BrowserSession| {
            signed_in_now
                || (!request.prompt.login
                    && request
                        .max_age
                        .is_none_or(|max| now - session.auth_time <= Duration::seconds(max)))
        };
        let hinted = |session: &BrowserSession| request.hinted_user.as_ref().is_none_or(|user| *user == session.user);
        let Some(session) = session.filter(|s| fresh(s) && hinted(s)) else {
            return Ok(self.interaction(request, "login_required", "the user must sign in"));
        };
        let consent = self.consent_needed(request, session).await?;
        if let Some(mut consent) = consent {
            consent.ticket = self.consent_ticket(request, session, now + CONSENT_WINDOW);
            return Ok(self.interaction_or(
                request,
                "consent_required",
                "the user must consent",
                AuthorizationStep::Consent(consent),
            ));
        }
        Ok(AuthorizationStep::Redirect(self.issue_code(request, session).await?))
    }

    /// With `prompt=none` the error redirect, else the sign-in form.
    fn interaction(&self, request: &AuthorizationRequest, error: &'static str, why: &str) -> AuthorizationStep {
        self.interaction_or(request, error, why, AuthorizationStep::SignIn)
    }

    fn interaction_or(
        &self,
        request: &AuthorizationRequest,
        error: &'static str,
        why: &str,
        step: AuthorizationStep,
    ) -> AuthorizationStep {
        if request.prompt.none {
            AuthorizationStep::Redirect(request.error_redirect(self.issuer(), error, why).location)
        } else {
            step
        }
    }

    /// What the user must still agree to: the scopes an untrusted client
    /// asks that were not granted before (all of them with
    /// `prompt=consent`), and the required policies not accepted.
    async fn consent_needed(
        &self,
        request: &AuthorizationRequest,
        session: &BrowserSession,
    ) -> Result<Option<ConsentNeeded>, ServiceError> {
        let ask_scopes = !request.client.trusted && {
            let granted = self.store.consent(&session.user, &request.client.id).await?;
            request.prompt.consent || granted.is_none_or(|granted| !request.scope.is_subset(&granted))
        };
        let policies = self.pending_policies(&session.user).await?;
        if !ask_scopes && policies.is_empty() {
            return Ok(None);
        }
        let scopes = if ask_scopes {
            request.scope.clone()
        } else {
            Scopes::default()
        };
        Ok(Some(ConsentNeeded {
            scopes,
            policies,
            ticket: String::new(),
        }))
    }

    /// The current revisions of required policies `user` has not accepted.
    async fn pending_policies(&self, user: &registrar_domain::UserId) -> Result<Vec<PolicyRevision>, ServiceError> {
        let all = self.store.policy_revisions().await?;
        let accepted = self.store.accepted_policies(user).await?;
        let pending = pending_revisions(&all, &self.settings.required_policy_types, &accepted);
        Ok(all.into_iter().filter(|r| pending.contains(&r.id)).collect())
    }

    /// The consent ticket of `request` shown to `session`, good until
    /// `expires`: `<unix seconds>.<HMAC-SHA-256 of what it binds>`.
    fn consent_ticket(
        &self,
        request: &AuthorizationRequest,
        session: &BrowserSession,
        expires: chrono::DateTime<chrono::Utc>,
    ) -> String {
        let expires = expires.timestamp();
        // Everything of the request that decided whether the sign-in was
        // fresh enough, and what the code will carry.
        let bound = format!(
            "{expires}|{}|{}|{}|{}|{}|{}|{:?}|{:?}",
            session.id,
            request.client.id,
            request.redirect_uri,
            request.scope,
            request.nonce.as_deref().unwrap_or_default(),
            request
                .code_challenge
                .as_ref()
                .map(CodeChallenge::as_str)
                .unwrap_or_default(),
            request.prompt,
            request.max_age,
        );
        format!(
            "{expires}.{}",
            self.settings.secret_key.digest("consent ticket", &bound)
        )
    }

    /// Whether `ticket` is the live consent ticket of `request` for `session`.
    fn consent_ticket_holds(&self, request: &AuthorizationRequest, session: &BrowserSession, ticket: &str) -> bool {
        let Some((expires, _)) = ticket.split_once('.') else {
            return false;
        };
        let Some(expires) = expires
            .parse::<i64>()
            .ok()
            .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
        else {
            return false;
        };
        if expires < self.now() {
            return false;
        }
        let expected = registrar_domain::SecretHash::from_stored(self.consent_ticket(request, session, expires));
        expected.matches(&registrar_domain::SecretHash::from_stored(ticket.to_owned()))
    }

    /// The user agreed on the consent form: records the grant and the
    /// policies (every pending one must be among `accepted`, else
    /// [`ServiceError::Invalid`] on `policies`), then the code. `ticket` is
    /// the form's [`ConsentNeeded::ticket`]: a missing, expired, or another
    /// request's or session's ticket is `InvalidGrant` (the page starts the
    /// request over). The policies are recorded as accepted in `language`,
    /// the page's.
    pub async fn grant_authorization(
        &self,
        request: &AuthorizationRequest,
        session: &BrowserSession,
        ticket: &str,
        accepted: &[RevisionId],
        language: Language,
    ) -> Result<String, ServiceError> {
        if !self.consent_ticket_holds(request, session, ticket) {
            return Err(ServiceError::InvalidGrant);
        }
        let pending = self.pending_policies(&session.user).await?;
        let missing: Vec<_> = pending.iter().filter(|p| !accepted.contains(&p.id)).collect();
        if let Some(first) = missing.first() {
            let mut errors = crate::FieldErrors::default();
            errors.add(
                crate::Field::Policies,
                crate::FieldError::PolicyRequired(first.policy_type.clone()),
            );
            return Err(ServiceError::Invalid(errors));
        }
        let now = self.now();
        if !pending.is_empty() {
            let ids: Vec<RevisionId> = pending.iter().map(|p| p.id).collect();
            let audit = match self.store.user_by_id(&session.user).await? {
                Some(user) => vec![self
                    .user_event(AuditKind::PolicyAccepted, &user)
                    .with("revisions", crate::account::revision_list(&ids))],
                None => Vec::new(),
            };
            self.store
                .accept_policies(&session.user, &ids, language, now, &audit)
                .await?;
        }
        if !request.client.trusted {
            self.store
                .grant_consent(&session.user, &request.client.id, &request.scope, now)
                .await?;
        }
        self.issue_code(request, session).await
    }

    /// The user declined: the error redirect `access_denied`.
    pub fn deny_authorization(&self, request: &AuthorizationRequest) -> String {
        request
            .error_redirect(self.issuer(), "access_denied", "the user declined")
            .location
    }

    /// A fresh code for the request, signed in by `session`: the redirect
    /// URI with `code`, `state` and `iss`.
    async fn issue_code(
        &self,
        request: &AuthorizationRequest,
        session: &BrowserSession,
    ) -> Result<String, ServiceError> {
        let code = SecretToken::new(random_hex(32));
        let now = self.now();
        self.store
            .put_authorization_code(NewAuthorizationCode {
                code_hash: code.hash(),
                client: request.client.id.clone(),
                redirect_uri: request.redirect_uri.clone(),
                user: session.user.clone(),
                browser_session: session.id.clone(),
                device_name: session.device_name.clone(),
                scope: request.scope.clone(),
                nonce: request.nonce.clone(),
                code_challenge: request.code_challenge.clone(),
                auth_time: session.auth_time,
                sign_in_method: session.sign_in_method,
                created_at: now,
                expires_at: now + CODE_TTL,
            })
            .await?;
        let mut params = vec![("code", code.expose())];
        if let Some(state) = &request.state {
            params.push(("state", state));
        }
        params.push(("iss", self.issuer()));
        Ok(with_query(&request.redirect_uri, &params))
    }

    /// The device a browser sign-in waits under until its second factor.
    fn page_device(agent: Option<&str>) -> Result<Device, ServiceError> {
        let id = registrar_domain::DeviceId::parse(PAGE_DEVICE).ok();
        match (id, device_name(agent)) {
            (Some(id), Some(name)) => Ok(Device { id, name }),
            _ => Err(ServiceError::Unexpected(
                "the page's device id or name does not parse".into(),
            )),
        }
    }

    /// The password form of the page.
    pub async fn browser_password(
        &self,
        request: &AuthorizationRequest,
        email: &str,
        password: &str,
        agent: Option<&str>,
        from: ClientIp,
    ) -> Result<BrowserSignIn, ServiceError> {
        let user = self.check_credentials(email, password, from).await?;
        self.browser_first_factor(request, &user, FirstFactor::Password, agent)
            .await
    }

    /// The mailed-code form of the page (the code was asked for with
    /// [`Self::mail_sign_in_code`]).
    pub async fn browser_email_code(
        &self,
        request: &AuthorizationRequest,
        email: &str,
        code: &str,
        agent: Option<&str>,
        from: ClientIp,
    ) -> Result<BrowserSignIn, ServiceError> {
        let email = registrar_domain::Email::parse(email).map_err(|_| ServiceError::InvalidGrant)?;
        let user = self.check_email_code(&email, code, from).await?;
        self.browser_first_factor(request, &user, FirstFactor::EmailCode, agent)
            .await
    }

    async fn browser_first_factor(
        &self,
        request: &AuthorizationRequest,
        user: &User,
        first: FirstFactor,
        agent: Option<&str>,
    ) -> Result<BrowserSignIn, ServiceError> {
        let device = Self::page_device(agent)?;
        match self
            .require_second_factor(
                user,
                &request.client.id,
                device.clone(),
                first,
                MfaPurpose::BrowserSignIn,
            )
            .await
        {
            Ok(()) => {}
            Err(ServiceError::MfaRequired(challenge)) => return Ok(BrowserSignIn::SecondFactor(challenge)),
            Err(e) => return Err(e),
        }
        let (credential, method) = match first {
            FirstFactor::Password => (user.password_hash.clone(), SignInMethod::Password),
            FirstFactor::EmailCode => (None, SignInMethod::EmailCode),
        };
        let cookie = self
            .open_browser_session(user, &request.client.id, device.name, method, credential)
            .await?;
        Ok(BrowserSignIn::SignedIn(cookie))
    }

    /// The second-factor form of the page: the token of the first step and
    /// a factor, as `grant_type=mfa` takes them.
    pub async fn browser_second_factor(&self, grant: MfaGrant, from: ClientIp) -> Result<BrowserCookie, ServiceError> {
        let (attempt, user, method) = self.pass_second_factor(&grant, from, MfaPurpose::BrowserSignIn).await?;
        self.open_browser_session(&user, &attempt.client, attempt.device_name, method, attempt.credential)
            .await
    }

    /// A passkey on the page (the options come from
    /// [`Self::passkey_sign_in_options`] for the request's client).
    pub async fn browser_passkey(
        &self,
        grant: crate::PasskeyGrant,
        agent: Option<&str>,
        from: ClientIp,
    ) -> Result<BrowserCookie, ServiceError> {
        let (user, client) = self.pass_passkey(&grant, from).await?;
        self.open_browser_session(
            &user,
            &client,
            Self::page_device(agent)?.name,
            SignInMethod::Passkey,
            None,
        )
        .await
    }

    async fn open_browser_session(
        &self,
        user: &User,
        client: &ClientId,
        device_name: DeviceName,
        method: SignInMethod,
        credential: Option<registrar_domain::PasswordHash>,
    ) -> Result<BrowserCookie, ServiceError> {
        if user.disabled {
            return Err(ServiceError::AccountDisabled);
        }
        let value = SecretToken::new(random_hex(32));
        let now = self.now();
        let max_age = self.settings.browser_session_ttl;
        let id = uuid::Uuid::new_v4().to_string();
        let mut signed_in = self
            .user_event(AuditKind::SignedIn, user)
            .with("session_id", id.clone())
            .with("method", method.as_str())
            .with("amr", method.amr().join(" "));
        signed_in.client = Some(client.clone());
        signed_in.device_id = Some(browser_device(&id));
        signed_in.device_name = Some(device_name.as_str().to_owned());
        let new = NewBrowserSession {
            id,
            cookie_hash: value.hash(),
            user: user.id.clone(),
            client: client.clone(),
            device_name,
            sign_in_method: method,
            credential,
            now,
            expires_at: now + max_age,
            audit: vec![signed_in],
        };
        match self.store.open_browser_session(new.clone()).await {
            Err(StoreError::StaleCredential) => return Err(ServiceError::InvalidGrant),
            other => other?,
        }
        let session = BrowserSession {
            id: new.id,
            user: new.user,
            client: new.client,
            device_name: new.device_name,
            sign_in_method: method,
            auth_time: now,
            last_used_at: now,
            expires_at: new.expires_at,
        };
        Ok(BrowserCookie {
            value,
            session,
            max_age,
        })
    }

    /// Ends the browser session of the cookie `value` and, when
    /// `with_tokens`, the token sessions it opened. Nothing for a cookie of
    /// no live session.
    pub async fn end_browser_session(
        &self,
        value: &str,
        with_tokens: bool,
    ) -> Result<Option<BrowserSession>, ServiceError> {
        let Some(session) = self.browser_session(value).await? else {
            return Ok(None);
        };
        let mut audit = Vec::new();
        if let Some(user) = self.store.user_by_id(&session.user).await? {
            let mut event = self
                .user_event(AuditKind::SessionRevoked, &user)
                .with("reason", "logout")
                .with("session_id", session.id.clone());
            event.client = Some(session.client.clone());
            event.device_id = Some(session.device_id());
            event.device_name = Some(session.device_name.as_str().to_owned());
            audit.push(event);
        }
        self.store
            .end_browser_session(&session.user, &session.id, with_tokens, &audit)
            .await?;
        Ok(Some(session))
    }

    /// `grant_type=authorization_code` for `client` (authenticated by the
    /// token endpoint). Every mismatch is `InvalidGrant`, as RFC 6749 §5.2
    /// says: an unknown, expired or used code (a used one also revokes what
    /// it gave), another client's, another redirect URI, a wrong or missing
    /// verifier, or a verifier for a code without challenge (RFC 9700 §2.1.1).
    pub async fn exchange_code(&self, client: &ClientId, input: CodeGrantInput) -> Result<CodeTokens, ServiceError> {
        let Some(code) = input.code else {
            return Err(ServiceError::Invalid(crate::FieldErrors::single(
                crate::Field::Code,
                crate::FieldError::Required,
            )));
        };
        let Some(client_record) = self.store.client(client).await? else {
            return Err(ServiceError::InvalidClient);
        };
        if code.len() != 64 || !code.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ServiceError::InvalidGrant);
        }
        let code_hash = SecretToken::new(code).hash();
        let Some(stored) = self.store.authorization_code(&code_hash).await? else {
            return Err(ServiceError::InvalidGrant);
        };
        let redirect_matches = input.redirect_uri.as_deref() == Some(stored.redirect_uri.as_str());
        let verified = match (&stored.code_challenge, input.code_verifier.as_deref()) {
            (Some(challenge), Some(verifier)) => challenge.verifies(verifier),
            (None, None) => true,
            _ => false,
        };
        if stored.client != *client || !redirect_matches || !verified {
            return Err(ServiceError::InvalidGrant);
        }
        let Some(user) = self.store.user_by_id(&stored.user).await? else {
            return Err(ServiceError::InvalidGrant);
        };
        if user.disabled {
            return Err(ServiceError::InvalidGrant);
        }
        let trusted = client_record.trusted;
        let device = Device {
            id: registrar_domain::DeviceId::parse(&browser_device(&stored.browser_session))
                .map_err(|_| ServiceError::InvalidGrant)?,
            name: stored.device_name.clone(),
        };
        let (mut session, pair) = self.mint_session(&user.id, client, device, stored.sign_in_method);
        // A first-party client's session may do what the app's own sign-in
        // may; a third party's only what was granted.
        session.scope = (!trusted).then(|| stored.scope.clone());
        session.audit = vec![self.new_session_event(AuditKind::SignedIn, &user, &session)];
        if let Err(e) = self.flush_touches().await {
            tracing::warn!(error = %e, "could not record the last use of sessions before opening one");
        }
        let outcome = self
            .store
            .exchange_authorization_code(&code_hash, self.now(), session, self.settings.max_sessions_per_client)
            .await?;
        match outcome {
            CodeExchange::Exchanged => {}
            CodeExchange::Reused => {
                tracing::warn!(client = %client, "an authorization code was used twice; the session it opened is revoked");
                return Err(ServiceError::InvalidGrant);
            }
            CodeExchange::Unusable => return Err(ServiceError::InvalidGrant),
        }
        let id_token = if stored.scope.contains(registrar_domain::OAuthScope::OpenId) {
            Some(
                self.id_token(
                    &user,
                    client,
                    &stored.scope,
                    stored.nonce.as_deref(),
                    stored.auth_time,
                    stored.sign_in_method,
                )
                .await?,
            )
        } else {
            None
        };
        Ok(CodeTokens {
            pair,
            id_token,
            scope: stored.scope,
        })
    }
}

/// A device name from the browser's `User-Agent`: its first 255
/// characters, or "Browser" if it says nothing usable.
pub(crate) fn device_name(agent: Option<&str>) -> Option<DeviceName> {
    let named = agent
        .filter(|a| !has_control(a))
        .map(|a| a.chars().take(DeviceName::MAX).collect::<String>())
        .and_then(|a| DeviceName::parse(&a).ok());
    named.or_else(|| DeviceName::parse("Browser").ok())
}
