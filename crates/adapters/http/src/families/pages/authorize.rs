//! `GET` and `POST /oauth/authorize`: the authorization endpoint's pages
//! (RFC 6749 §4.1, OpenID Connect Core §3.1.2.1, which allows both methods).
//!
//! Every visit reads the authorization request again from its parameters
//! (the query, or the form's hidden fields) with the service's
//! `authorization_request`: a request whose client or redirect URI is not
//! good gets a 400 page saying so and never a redirect; any other error goes
//! back to the client (303). Then the browser session (the
//! `registrar_session` cookie) and `authorization_step` decide: the sign-in
//! form, the consent form, or a 303 to the client with a code.
//!
//! The forms post here with a `step` (`password`, `send_code`,
//! `email_code`, `passkey`, `second_factor`, `consent`) and the CSRF field;
//! a post without `step` is an authorization request sent by POST. A
//! failed CSRF check is the form again (403), nothing done.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use minijinja::context;
use minijinja::value::Value;
use registrar_domain::{OAuthScope, RevisionId};
use registrar_mail::Mailer;
use registrar_service::{
    AuthorizationError, AuthorizationInput, AuthorizationPageError, AuthorizationRequest, AuthorizationStep,
    BrowserCookie, BrowserSignIn, ConsentNeeded, EmailCodeInput, EmailCodeMail, FactorKind, MfaGrant, MfaGrantInput,
    PasskeyGrant, PasskeyGrantInput, Registrar, ServiceError,
};
use registrar_store::{BrowserSession, Store};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::answers::{failure, read_form};
use super::headers::see_other;
use super::oauth::{self, given, Extras, OAuthHead};
use super::PagesFaults;
use crate::edge::client_ip::Origin;
use crate::edge::language::Lang;
use crate::edge::lenient;

/// The parameters of an authorization request (OpenID Connect Core
/// §3.1.2.1), in the query of a `GET` or the form of a `POST`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuthorizeParams {
    /// `code`, the one response type.
    pub response_type: Option<String>,
    pub client_id: Option<String>,
    /// One of the client's registered redirect URIs, exactly.
    pub redirect_uri: Option<String>,
    /// Space-separated: `openid`, `email`, `profile`, `phone`, `offline_access`.
    pub scope: Option<String>,
    /// Echoed back to the client.
    pub state: Option<String>,
    /// Put into the ID token.
    pub nonce: Option<String>,
    /// RFC 7636: base64url SHA-256 of the verifier; required of public clients.
    pub code_challenge: Option<String>,
    /// `S256` (`plain` is refused).
    pub code_challenge_method: Option<String>,
    /// `none`, `login`, `consent` (space-separated).
    pub prompt: Option<String>,
    /// Seconds: an older sign-in is made again.
    pub max_age: Option<String>,
    /// An address to fill the sign-in form with.
    pub login_hint: Option<String>,
    /// Languages for the page, best first (space-separated).
    pub ui_locales: Option<String>,
    /// `query`, the one mode.
    pub response_mode: Option<String>,
    /// Refused (`request_not_supported`).
    pub request: Option<String>,
    /// Refused (`request_uri_not_supported`).
    pub request_uri: Option<String>,
    /// One of our ID tokens: a browser signed in as another user counts as
    /// signed out (with `prompt=none`, `login_required`).
    pub id_token_hint: Option<String>,
}

impl AuthorizeParams {
    /// The parameters as the service reads them (an empty one is not given).
    fn input(&self) -> AuthorizationInput {
        let p = self.clone();
        AuthorizationInput {
            response_type: given(p.response_type),
            client_id: given(p.client_id),
            redirect_uri: given(p.redirect_uri),
            scope: given(p.scope),
            state: given(p.state),
            nonce: given(p.nonce),
            code_challenge: given(p.code_challenge),
            code_challenge_method: given(p.code_challenge_method),
            prompt: given(p.prompt),
            max_age: given(p.max_age),
            login_hint: given(p.login_hint),
            ui_locales: given(p.ui_locales),
            response_mode: given(p.response_mode),
            request: given(p.request),
            request_uri: given(p.request_uri),
            id_token_hint: given(p.id_token_hint),
        }
    }

    /// The page's language: `ui_locales` first, then the browser's.
    pub(crate) fn lang(&self, req: &HttpRequest) -> Lang {
        Lang::of_ui_locales(req, given(self.ui_locales.clone()).as_deref())
    }

    /// The parameters given, as name and value: the forms' hidden fields.
    pub(crate) fn pairs(&self) -> Vec<(String, String)> {
        let input = self.input();
        [
            ("response_type", input.response_type),
            ("client_id", input.client_id),
            ("redirect_uri", input.redirect_uri),
            ("scope", input.scope),
            ("state", input.state),
            ("nonce", input.nonce),
            ("code_challenge", input.code_challenge),
            ("code_challenge_method", input.code_challenge_method),
            ("prompt", input.prompt),
            ("max_age", input.max_age),
            ("login_hint", input.login_hint),
            ("ui_locales", input.ui_locales),
            ("response_mode", input.response_mode),
            ("id_token_hint", input.id_token_hint),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.map(|v| (name.to_owned(), v)))
        .collect()
    }
}

/// What the forms of the page post, beside the request's parameters.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct AuthorizeForm {
    #[serde(flatten)]
    pub params: AuthorizeParams,
    /// The hidden field; must equal the `registrar_csrf` cookie (double submit).
    #[serde(default, deserialize_with = "lenient::text")]
    pub csrf_token: Option<String>,
    /// Which form: `password`, `send_code`, `email_code`, `passkey`,
    /// `second_factor`, `consent`; absent for an authorization request sent by POST.
    #[serde(default, deserialize_with = "lenient::text")]
    pub step: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub email: Option<String>,
    #[schema(format = Password)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub password: Option<String>,
    /// The mailed code, or the authenticator app's.
    #[serde(default, deserialize_with = "lenient::text")]
    pub code: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub recovery_code: Option<String>,
    /// The second-factor step's token (from the first factor).
    #[serde(default, deserialize_with = "lenient::text")]
    pub mfa_token: Option<String>,
    /// The consent form's ticket: it was shown to this browser session for
    /// this request after a sign-in fresh enough for it.
    #[serde(default, deserialize_with = "lenient::text")]
    pub consent_ticket: Option<String>,
    /// The second factors on offer (space-separated), as the page was shown.
    #[serde(default, deserialize_with = "lenient::text")]
    pub factors: Option<String>,
    /// A passkey sign-in's ceremony.
    #[serde(default, deserialize_with = "lenient::text")]
    pub ceremony: Option<String>,
    /// A passkey's answer (WebAuthn's JSON form).
    #[serde(default, deserialize_with = "lenient::text")]
    pub credential: Option<String>,
    /// The consent form's button: `allow` or `deny`.
    #[serde(default, deserialize_with = "lenient::text")]
    pub decision: Option<String>,
    /// The ids of the policy revisions ticked on the consent form.
    #[schema(value_type = Option<Vec<i32>>)]
    #[serde(default, deserialize_with = "lenient::int_list")]
    pub policies: Option<Vec<Option<i32>>>,
}

impl AuthorizeForm {
    /// The passkey's answer as JSON; unreadable is not given.
    fn credential(&self) -> Option<serde_json::Value> {
        self.credential
            .as_deref()
            .and_then(|c| serde_json::from_str::<serde_json::Value>(c).ok())
    }
}

/// The authorization endpoint
///
/// Reads the authorization request, then shows the sign-in form, the
/// consent form, or sends the browser back to the client with a code
/// (or an error).
#[utoipa::path(
    get,
    path = "/oauth/authorize",
    operation_id = "authorize_page",
    tag = "pages",
    params(AuthorizeParams),
    responses(
        (status = 200, description = "The sign-in form or the consent form.", body = String, content_type = "text/html"),
        (status = 303, description = "Back to the client's redirect URI with `code`, `state` and `iss`, or with `error` (RFC 6749 §4.1.2.1).",
            headers(("Location" = String, description = "The client's redirect URI with the answer."))),
        (status = 400, description = "The client or redirect URI is missing, unknown or not registered: a page with the error code, no redirect.", body = String, content_type = "text/html"),
        PagesFaults,
    )
)]
pub async fn authorize<S: Store, M: Mailer>(req: HttpRequest, app: web::Data<Registrar<S, M>>) -> HttpResponse {
    let params: AuthorizeParams = oauth::query_object(&req).parse().unwrap_or_default();
    let mut page = Page::new(&req, app.get_ref(), params);
    match page.request().await {
        Ok(request) => page.resume(&request, StatusCode::OK, None).await,
        Err(answer) => answer,
    }
}

/// The sign-in and consent forms
///
/// The forms of the page post here (with `step` and the CSRF field); a post
/// without `step` is an authorization request sent by POST.
#[utoipa::path(
    post,
    path = "/oauth/authorize",
    operation_id = "authorize_submit",
    tag = "pages",
    request_body(content = AuthorizeForm),
    responses(
        (status = 200, description = "The next form: the mailed code, the second factor, consent.", body = String, content_type = "text/html"),
        (status = 303, description = "Back to the client with `code` or `error`; with the `registrar_session` cookie once signed in.",
            headers(("Location" = String, description = "The client's redirect URI with the answer."))),
        (status = 400, description = "The form again with what is wrong (wrong credentials, a policy not ticked), or the page of a bad client or redirect URI.", body = String, content_type = "text/html"),
        (status = 403, description = "The form again: the CSRF check failed, or the account is disabled or its address not confirmed.", body = String, content_type = "text/html"),
        (status = 429, description = "The form again: too many attempts; `Retry-After` says how many seconds to wait.", body = String, content_type = "text/html",
            headers(("Retry-After" = u64, description = "Seconds until the limit lets this through again."))),
        PagesFaults,
    )
)]
pub async fn submit<S: Store, M: Mailer>(
    req: HttpRequest,
    app: web::Data<Registrar<S, M>>,
    payload: web::Payload,
) -> HttpResponse {
    let form: AuthorizeForm = match read_form(&req, payload, &app).await {
        Ok(form) => form,
        Err(unreadable) => return unreadable,
    };
    let mut page = Page::new(&req, app.get_ref(), form.params.clone());
    let request = match page.request().await {
        Ok(request) => request,
        Err(answer) => return answer,
    };
    let Some(step) = form.step.clone() else {
        // An authorization request sent by POST from the client's site
        // comes without the SameSite=Lax session cookie: the same request
        // by GET (a top-level navigation, which carries it) sees the
        // browser's session.
        if oauth::cookie(&req, oauth::SESSION_COOKIE).is_none() {
            let query = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(form.params.pairs())
                .finish();
            return see_other(&format!("/oauth/authorize?{query}"), std::iter::empty());
        }
        return page.resume(&request, StatusCode::OK, None).await;
    };
    if oauth::binding(&app).check(&req, form.csrf_token.as_deref()).is_none() {
        let notice = Some(page.lang.t("page.form_expired"));
        return page.resume(&request, StatusCode::FORBIDDEN, notice).await;
    }
    page.step(&step, &request, form).await
}

/// One visit of the page.
struct Page<'a, S, M> {
    req: &'a HttpRequest,
    app: &'a Registrar<S, M>,
    lang: Lang,
    params: AuthorizeParams,
    /// Cookies to set with the answer (the session once signed in).
    cookies: Vec<String>,
    /// The request's redirect URI once it is known good: the page's forms
    /// may be answered by a redirect there.
    form_target: Option<String>,
}

impl<'a, S: Store, M: Mailer> Page<'a, S, M> {
    fn new(req: &'a HttpRequest, app: &'a Registrar<S, M>, params: AuthorizeParams) -> Self {
        Self {
            req,
            app,
            lang: params.lang(req),
            params,
            cookies: Vec::new(),
            form_target: None,
        }
    }

    fn ip(&self) -> registrar_domain::ClientIp {
        Origin::of(self.req).0
    }

    fn agent(&self) -> Option<&str> {
        self.req
            .headers()
            .get(actix_web::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
    }

    /// The checked request, or the answer when it cannot go on.
    async fn request(&mut self) -> Result<AuthorizationRequest, HttpResponse> {
        match self.app.authorization_request(&self.params.input()).await {
            Ok(request) => {
                self.form_target = Some(request.redirect_uri.clone());
                Ok(request)
            }
            Err(AuthorizationError::Page(error)) => Err(self.error_page(error)),
            Err(AuthorizationError::Redirect(redirect)) => Err(see_other(&redirect.location, std::iter::empty())),
            Err(AuthorizationError::Unavailable) => {
                let outage = registrar_store::StoreError::Unavailable("the store could not be asked".into());
                Err(failure(self.lang, &ServiceError::Unavailable(outage)))
            }
        }
    }

    /// A request that cannot be sent back: 400, what is wrong and its code.
    fn error_page(&self, error: AuthorizationPageError) -> HttpResponse {
        let lang = self.lang;
        let why = match error {
            AuthorizationPageError::MissingClient => "page.authorize_missing_client",
            AuthorizationPageError::UnknownClient => "page.authorize_unknown_client",
            AuthorizationPageError::MissingRedirectUri => "page.authorize_missing_redirect_uri",
            AuthorizationPageError::UnregisteredRedirectUri => "page.authorize_unregistered_redirect_uri",
        };
        let data = context! {
            message => lang.t(why),
            code => lang.t_with("page.error_code", &[("code", error.code())]),
        };
        oauth::show(
            StatusCode::BAD_REQUEST,
            lang,
            "message.html",
            "page.authorize_error_title",
            data,
            Extras::default(),
        )
    }

    /// The browser's live session, if its cookie names one.
    async fn session(&self) -> Result<Option<BrowserSession>, ServiceError> {
        match oauth::cookie(self.req, oauth::SESSION_COOKIE) {
            Some(value) => self.app.browser_session(&value).await,
            None => Ok(None),
        }
    }

    /// What the request needs next, for `session` (read from the cookie
    /// when `None`).
    async fn next(
        self,
        request: &AuthorizationRequest,
        session: Option<BrowserSession>,
        signed_in_now: bool,
        status: StatusCode,
        notice: Option<String>,
    ) -> HttpResponse {
        let session = match session {
            Some(session) => Some(session),
            None => match self.session().await {
                Ok(session) => session,
                Err(e) => return failure(self.lang, &e),
            },
        };
        match self
            .app
            .authorization_step(request, session.as_ref(), signed_in_now)
            .await
        {
            Ok(AuthorizationStep::SignIn) => {
                let email = request.login_hint.clone().unwrap_or_default();
                self.sign_in_form(request, status, notice, &email, None).await
            }
            Ok(AuthorizationStep::Consent(consent)) => self.consent_form(request, &consent, status, notice),
            Ok(AuthorizationStep::Redirect(location)) => see_other(&location, self.cookies.into_iter()),
            Err(e) => failure(self.lang, &e),
        }
    }

    /// What the request needs next for the cookie's session, if any.
    async fn resume(self, request: &AuthorizationRequest, status: StatusCode, notice: Option<String>) -> HttpResponse {
        self.next(request, None, false, status, notice).await
    }

    /// The head of a form: the CSRF field (and its cookie when new), the
    /// request's parameters, the notice.
    fn head(&mut self, notice: Option<String>) -> OAuthHead {
        let (csrf_token, set_cookie) = oauth::binding(self.app).for_page(self.req);
        self.cookies.extend(set_cookie);
        OAuthHead {
            csrf_token,
            hidden: self.params.pairs(),
            notice,
        }
    }

    /// Where "start again" leads: the request from the start.
    fn restart_href(&self) -> String {
        format!("/oauth/authorize?{}", oauth::query(&self.params.pairs()))
    }

    fn show(
        self,
        status: StatusCode,
        template: &str,
        heading: &str,
        data: Value,
        retry_after: Option<u64>,
    ) -> HttpResponse {
        let extras = Extras {
            cookies: self.cookies,
            retry_after,
            form_target: self.form_target,
        };
        oauth::show(status, self.lang, template, heading, data, extras)
    }

    async fn sign_in_form(
        mut self,
        request: &AuthorizationRequest,
        status: StatusCode,
        notice: Option<String>,
        email: &str,
        retry_after: Option<u64>,
    ) -> HttpResponse {
        let head = self.head(notice);
        // Passkeys when they are on and the client may ask now; the button
        // shows only where the browser has them.
        let passkey = match self.app.settings().webauthn {
            Some(_) => self
                .app
                .passkey_sign_in_options(request.client.id.as_str(), self.ip())
                .await
                .ok(),
            None => None,
        };
        let (ceremony, passkey_options) = match passkey {
            Some(options) => (
                options.ceremony.expose().to_owned(),
                serde_json::to_string(&options.public_key).ok(),
            ),
            None => (String::new(), None),
        };
        let lang = self.lang;
        let data = context! {
            intro => lang.t_with("page.signin_text", &[("client", &request.client.name)]),
            email => email,
            ceremony => ceremony,
            passkey_options => passkey_options,
            forgot_href => format!("/oauth/forgot-password?{}", oauth::query(&self.params.pairs())),
            signup_href => (!self.app.settings().invite_only)
                .then(|| format!("/oauth/signup?{}", oauth::query(&self.params.pairs()))),
            ..Value::from_serialize(&head)
        };
        self.show(status, "signin.html", "page.signin_title", data, retry_after)
    }

    fn code_form(
        mut self,
        status: StatusCode,
        notice: Option<String>,
        email: &str,
        retry_after: Option<u64>,
    ) -> HttpResponse {
        let head = self.head(notice);
        let lang = self.lang;
        let data = context! {
            intro => lang.t_with("page.code_text", &[("email", email)]),
            email => email,
            restart_href => self.restart_href(),
            ..Value::from_serialize(&head)
        };
        self.show(status, "email_code.html", "page.code_title", data, retry_after)
    }

    async fn second_factor_form(
        mut self,
        status: StatusCode,
        notice: Option<String>,
        mfa_token: &str,
        factors: &[FactorKind],
        retry_after: Option<u64>,
    ) -> HttpResponse {
        let head = self.head(notice);
        let passkey_options = if factors.contains(&FactorKind::Passkey) && self.app.settings().webauthn.is_some() {
            self.app
                .mfa_passkey_options(mfa_token, self.ip())
                .await
                .ok()
                .and_then(|options| serde_json::to_string(&options).ok())
        } else {
            None
        };
        let data = context! {
            mfa_token => mfa_token,
            factors => factors.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(" "),
            totp => factors.contains(&FactorKind::Totp),
            recovery => factors.contains(&FactorKind::RecoveryCode),
            passkey_options => passkey_options,
            restart_href => self.restart_href(),
            ..Value::from_serialize(&head)
        };
        self.show(
            status,
            "second_factor.html",
            "page.second_factor_title",
            data,
            retry_after,
        )
    }

    fn consent_form(
        mut self,
        request: &AuthorizationRequest,
        consent: &ConsentNeeded,
        status: StatusCode,
        notice: Option<String>,
    ) -> HttpResponse {
        let head = self.head(notice);
        let lang = self.lang;
        let scopes: Vec<String> = consent.scopes.iter().map(|scope| lang.t(scope_key(scope))).collect();
        let default = self.app.settings().default_language;
        let policies: Vec<PolicyView> = consent
            .policies
            .iter()
            .map(|revision| {
                let text = revision.text(lang.0, default).map(|(_, text)| text);
                PolicyView {
                    id: revision.id.0,
                    title: text.map_or_else(|| revision.policy_type.as_str().to_owned(), |t| t.title.clone()),
                    description: text.map(|t| t.description.clone()).unwrap_or_default(),
                }
            })
            .collect();
        let data = context! {
            intro => lang.t_with("page.consent_text", &[("client", &request.client.name)]),
            scopes => scopes,
            policies => policies,
            ticket => consent.ticket,
            account => lang.t("page.consent_hint"),
            ..Value::from_serialize(&head)
        };
        self.show(status, "consent.html", "page.consent_title", data, None)
    }

    /// A posted form, its CSRF check passed.
    async fn step(self, step: &str, request: &AuthorizationRequest, form: AuthorizeForm) -> HttpResponse {
        let lang = self.lang;
        let email = form.email.clone().unwrap_or_default();
        match step {
            "password" => {
                let (Some(address), Some(password)) = (form.email.as_deref(), form.password.as_deref()) else {
                    let notice = Some(lang.t("page.signin_missing"));
                    return self
                        .sign_in_form(request, StatusCode::BAD_REQUEST, notice, &email, None)
                        .await;
                };
                let ip = self.ip();
                let outcome = self
                    .app
                    .browser_password(request, address, password, self.agent(), ip)
                    .await;
                self.first_factor(request, outcome, &email, false).await
            }
            "send_code" => {
                let input = EmailCodeInput {
                    client_id: Some(request.client.id.as_str().to_owned()),
                    email: form.email.clone(),
                };
                let sent = match EmailCodeMail::parse(&input) {
                    Ok(mail) => self.app.mail_sign_in_code(mail, self.ip()).await,
                    Err(e) => Err(e),
                };
                match sent {
                    Ok(()) => self.code_form(StatusCode::OK, None, &email, None),
                    Err(e) => {
                        let (status, notice, retry) = self.sign_in_problem(&e, "page.signin_email_invalid");
                        match notice {
                            Some(notice) => self.sign_in_form(request, status, Some(notice), &email, retry).await,
                            None => failure(lang, &e),
                        }
                    }
                }
            }
            "email_code" => {
                let Some(code) = form.code.as_deref() else {
                    let notice = Some(lang.t("page.code_wrong"));
                    return self.code_form(StatusCode::BAD_REQUEST, notice, &email, None);
                };
                let ip = self.ip();
                let outcome = self
                    .app
                    .browser_email_code(request, &email, code, self.agent(), ip)
                    .await;
                self.first_factor(request, outcome, &email, true).await
            }
            "passkey" => {
                let credential = form.credential();
                let grant = PasskeyGrant::parse(PasskeyGrantInput {
                    ceremony: form.ceremony.clone(),
                    credential,
                    client_id: Some(request.client.id.as_str().to_owned()),
                    device_id: Some("browser".to_owned()),
                    device_name: Some("Browser".to_owned()),
                });
                let ip = self.ip();
                let outcome = match grant {
                    Ok(grant) => self.app.browser_passkey(grant, self.agent(), ip).await,
                    Err(e) => Err(e),
                };
                match outcome {
                    Ok(cookie) => self.signed_in(request, cookie).await,
                    Err(e) => self.first_factor_failed(request, &e, &email, false).await,
                }
            }
            "second_factor" => self.second_factor(request, form).await,
            "consent" => self.consent(request, &form).await,
            _ => self.resume(request, StatusCode::BAD_REQUEST, None).await,
        }
    }

    /// After a first factor: signed in, the second factor, or the form again.
    async fn first_factor(
        self,
        request: &AuthorizationRequest,
        outcome: Result<BrowserSignIn, ServiceError>,
        email: &str,
        by_code: bool,
    ) -> HttpResponse {
        match outcome {
            Ok(BrowserSignIn::SignedIn(cookie)) => self.signed_in(request, cookie).await,
            Ok(BrowserSignIn::SecondFactor(challenge)) => {
                self.second_factor_form(
                    StatusCode::OK,
                    None,
                    challenge.mfa_token.expose(),
                    &challenge.factors,
                    None,
                )
                .await
            }
            Err(e) => self.first_factor_failed(request, &e, email, by_code).await,
        }
    }

    async fn first_factor_failed(
        self,
        request: &AuthorizationRequest,
        error: &ServiceError,
        email: &str,
        by_code: bool,
    ) -> HttpResponse {
        let wrong = if by_code {
            "page.code_wrong"
        } else {
            "page.signin_wrong"
        };
        let (status, notice, retry) = self.sign_in_problem(error, wrong);
        match notice {
            Some(notice) if by_code => self.code_form(status, Some(notice), email, retry),
            Some(notice) => self.sign_in_form(request, status, Some(notice), email, retry).await,
            None => failure(self.lang, error),
        }
    }

    /// A sign-in refused, in words: the status, the sentence (`None`: not
    /// the visitor's fault, a failure page) and any `Retry-After`. Wrong
    /// credentials never say whether the address has an account.
    fn sign_in_problem(&self, error: &ServiceError, wrong: &str) -> (StatusCode, Option<String>, Option<u64>) {
        let lang = self.lang;
        match error {
            ServiceError::InvalidGrant | ServiceError::WrongCode | ServiceError::InvalidLink => {
                (StatusCode::BAD_REQUEST, Some(lang.t(wrong)), None)
            }
            ServiceError::TooManyAttempts { retry_after } => (
                StatusCode::TOO_MANY_REQUESTS,
                Some(lang.t_with("page.too_many_attempts", &[("seconds", &retry_after.to_string())])),
                Some(*retry_after),
            ),
            ServiceError::AccountDisabled => (StatusCode::FORBIDDEN, Some(lang.t("page.account_disabled")), None),
            ServiceError::EmailNotConfirmed => (StatusCode::FORBIDDEN, Some(lang.t("page.email_not_confirmed")), None),
            ServiceError::Invalid(errors) => {
                let sentence = errors
                    .iter()
                    .flat_map(|(_, list)| list.iter())
                    .next()
                    .map(|e| crate::edge::language::field_message(lang, e));
                (StatusCode::BAD_REQUEST, sentence.or_else(|| Some(lang.t(wrong))), None)
            }
            _ => (StatusCode::INTERNAL_SERVER_ERROR, None, None),
        }
    }

    /// A browser session was opened: its cookie, then what comes next.
    async fn signed_in(mut self, request: &AuthorizationRequest, cookie: BrowserCookie) -> HttpResponse {
        let secure = oauth::secure(self.app);
        self.cookies.push(oauth::set_session(
            cookie.value.expose(),
            cookie.max_age.num_seconds(),
            secure,
        ));
        self.next(request, Some(cookie.session), true, StatusCode::OK, None)
            .await
    }

    async fn second_factor(self, request: &AuthorizationRequest, form: AuthorizeForm) -> HttpResponse {
        let factors: Vec<FactorKind> = form
            .factors
            .as_deref()
            .unwrap_or_default()
            .split(' ')
            .filter_map(|name| match name {
                "totp" => Some(FactorKind::Totp),
                "recovery_code" => Some(FactorKind::RecoveryCode),
                "passkey" => Some(FactorKind::Passkey),
                _ => None,
            })
            .collect();
        let mfa_token = form.mfa_token.clone().unwrap_or_default();
        let credential = form.credential();
        let grant = MfaGrant::parse(MfaGrantInput {
            mfa_token: form.mfa_token.clone(),
            code: form.code.clone(),
            recovery_code: form.recovery_code.clone(),
            credential,
            client_id: Some(request.client.id.as_str().to_owned()),
        });
        let ip = self.ip();
        let outcome = match grant {
            Ok(grant) => self.app.browser_second_factor(grant, ip).await,
            Err(e) => Err(e),
        };
        match outcome {
            Ok(cookie) => self.signed_in(request, cookie).await,
            Err(e) => {
                let (status, notice, retry) = self.sign_in_problem(&e, "page.second_factor_wrong");
                match notice {
                    Some(notice) => {
                        self.second_factor_form(status, Some(notice), &mfa_token, &factors, retry)
                            .await
                    }
                    None => failure(self.lang, &e),
                }
            }
        }
    }

    async fn consent(self, request: &AuthorizationRequest, form: &AuthorizeForm) -> HttpResponse {
        let session = match self.session().await {
            Ok(Some(session)) => session,
            Ok(None) => return self.resume(request, StatusCode::OK, None).await,
            Err(e) => return failure(self.lang, &e),
        };
        if form.decision.as_deref() != Some("allow") {
            return see_other(&self.app.deny_authorization(request), self.cookies.into_iter());
        }
        let accepted: Vec<RevisionId> = form
            .policies
            .iter()
            .flatten()
            .flatten()
            .map(|id| RevisionId(*id))
            .collect();
        let ticket = form.consent_ticket.as_deref().unwrap_or_default();
        match self
            .app
            .grant_authorization(request, &session, ticket, &accepted, self.lang.0)
            .await
        {
            Ok(location) => see_other(&location, self.cookies.into_iter()),
            // Not a form this session was shown for this request (or shown
            // too long ago): the request starts over, with the sign-in it
            // asks for.
            Err(ServiceError::InvalidGrant) => self.resume(request, StatusCode::OK, None).await,
            Err(ServiceError::Invalid(_)) => {
                let notice = Some(self.lang.t("page.consent_policies_required"));
                // The consent form was shown to this session for this request
                // (its ticket held).
                self.next(request, Some(session), true, StatusCode::BAD_REQUEST, notice)
                    .await
            }
            Err(e) => failure(self.lang, &e),
        }
    }
}

/// A pending policy revision on the consent form.
#[derive(Debug, Serialize)]
struct PolicyView {
    id: i32,
    title: String,
    description: String,
}

/// The catalogue key of a scope in words.
fn scope_key(scope: OAuthScope) -> &'static str {
    match scope {
        OAuthScope::OpenId => "page.scope_openid",
        OAuthScope::Email => "page.scope_email",
        OAuthScope::Profile => "page.scope_profile",
        OAuthScope::Phone => "page.scope_phone",
        OAuthScope::OfflineAccess => "page.scope_offline_access",
    }
}
