//! The authorization endpoint's decisions, on the in-memory adapters with a
//! hand-moved clock: which requests go back to the client and which stay
//! on an error page, the browser session, consent and policies, `prompt`
//! and `max_age`, the code's single use, its minute, its binding to client,
//! redirect URI and PKCE verifier, and what a third party's token may do.
#![allow(clippy::pedantic, clippy::restriction)] // test code

use chrono::Duration;
use registrar_domain::{CodeChallenge, Language, RedirectUri, RevisionId, SecretToken, TotpSecret};
use registrar_memory::MemoryMailer;
use registrar_service::testing::{self, Raw};
use registrar_service::{
    AuthorizationError, AuthorizationInput, AuthorizationPageError, AuthorizationRequest, AuthorizationStep,
    BrowserCookie, BrowserSignIn, CodeGrantInput, MfaGrant, NewClient, SecondFactor, ServiceError,
};
use registrar_store::{AuthorizationStore, BrowserSession, PolicyStore};
use url::Url;

mod support;
use support::{ip, registration, World, PASSWORD};

const EMAIL: &str = "ann@example.com";
const CALLBACK: &str = "https://app.example.com/callback";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

struct Authz {
    w: World,
    /// A public, untrusted client with [`CALLBACK`] and a loopback URI.
    public: String,
    /// A confidential, trusted client with [`CALLBACK`].
    trusted: String,
}

async fn authz() -> Authz {
    let w = World(testing::World::with(MemoryMailer::new(), |s| s.public_url = "https://id.example.com".into()).await);
    let uris = |list: &[&str]| list.iter().map(|u| RedirectUri::parse(u).unwrap()).collect::<Vec<_>>();
    let (public, _) = w
        .app
        .register_client(NewClient {
            name: "Photo App".into(),
            confidential: false,
            redirect_uris: uris(&[CALLBACK, "http://127.0.0.1:8400/cb"]),
            post_logout_redirect_uris: Vec::new(),
            trusted: false,
        })
        .await
        .unwrap();
    let (trusted, _) = w
        .app
        .register_client(NewClient {
            name: "Our Site".into(),
            confidential: true,
            redirect_uris: uris(&[CALLBACK]),
            post_logout_redirect_uris: Vec::new(),
            trusted: true,
        })
        .await
        .unwrap();
    w.app
        .register_raw(registration(&w.client, &w.policies, EMAIL, "Ann"), ip())
        .await
        .unwrap();
    Authz {
        w,
        public: public.id.to_string(),
        trusted: trusted.id.to_string(),
    }
}

/// A good request of `client`: code, `CALLBACK`, scope, state, S256 challenge of [`VERIFIER`].
fn input(client: &str, scope: &str) -> AuthorizationInput {
    AuthorizationInput {
        response_type: Some("code".into()),
        client_id: Some(client.into()),
        redirect_uri: Some(CALLBACK.into()),
        scope: Some(scope.into()),
        state: Some("xyz".into()),
        nonce: Some("n-0S6_WzA2Mj".into()),
        code_challenge: Some(CodeChallenge::of(VERIFIER).as_str().into()),
        code_challenge_method: Some("S256".into()),
        ..AuthorizationInput::default()
    }
}

/// The query parameters of a redirect, which must go to `CALLBACK`.
fn params(location: &str) -> std::collections::BTreeMap<String, String> {
    let url = Url::parse(location).unwrap();
    assert_eq!(&location[..CALLBACK.len()], CALLBACK, "{location}");
    url.query_pairs().into_owned().collect()
}

impl Authz {
    async fn request(&self, input: &AuthorizationInput) -> AuthorizationRequest {
        self.w.app.authorization_request(input).await.unwrap()
    }

    async fn error(&self, input: &AuthorizationInput) -> AuthorizationError {
        self.w.app.authorization_request(input).await.unwrap_err()
    }

    /// Ann signs in with her password on the page of `request`.
    async fn sign_in(&self, request: &AuthorizationRequest) -> BrowserCookie {
        match self
            .w
            .app
            .browser_password(request, EMAIL, PASSWORD, Some("Firefox"), ip())
            .await
            .unwrap()
        {
            BrowserSignIn::SignedIn(cookie) => cookie,
            BrowserSignIn::SecondFactor(_) => panic!("no second factor expected"),
        }
    }

    async fn session(&self, cookie: &BrowserCookie) -> Option<BrowserSession> {
        self.w.app.browser_session(cookie.value.expose()).await.unwrap()
    }

    async fn step(
        &self,
        request: &AuthorizationRequest,
        cookie: Option<&BrowserCookie>,
        now: bool,
    ) -> AuthorizationStep {
        let session = match cookie {
            Some(cookie) => self.session(cookie).await,
            None => None,
        };
        self.w
            .app
            .authorization_step(request, session.as_ref(), now)
            .await
            .unwrap()
    }

    /// The code of a redirect step.
    fn code_of(step: AuthorizationStep) -> String {
        match step {
            AuthorizationStep::Redirect(location) => {
                let p = params(&location);
                assert_eq!(p.get("state").map(String::as_str), Some("xyz"));
                assert_eq!(p.get("iss").map(String::as_str), Some("https://id.example.com"));
                p.get("code").cloned().unwrap_or_else(|| panic!("a code in {location}"))
            }
            other => panic!("a redirect with a code, not {other:?}"),
        }
    }

    /// Signed in and (for an untrusted client) consented: the code.
    async fn code(&self, input: &AuthorizationInput) -> (String, BrowserCookie) {
        let request = self.request(input).await;
        let cookie = self.sign_in(&request).await;
        let session = self.session(&cookie).await.unwrap();
        let code = match self.step(&request, Some(&cookie), true).await {
            AuthorizationStep::Consent(consent) => {
                let location = self
                    .w
                    .app
                    .grant_authorization(&request, &session, &consent.ticket, &[], Language::EN)
                    .await
                    .unwrap();
                Self::code_of(AuthorizationStep::Redirect(location))
            }
            step => Self::code_of(step),
        };
        (code, cookie)
    }

    async fn exchange(
        &self,
        client: &str,
        code: &str,
        verifier: Option<&str>,
    ) -> Result<registrar_service::CodeTokens, ServiceError> {
        let client = registrar_domain::ClientId::parse(client).unwrap();
        let grant = CodeGrantInput {
            code: Some(code.into()),
            redirect_uri: Some(CALLBACK.into()),
            code_verifier: verifier.map(str::to_owned),
        };
        self.w.app.exchange_code(&client, grant).await
    }
}

#[tokio::test]
async fn a_request_without_a_good_client_and_redirect_uri_stays_on_the_page() {
    let a = authz().await;
    let cases = [
        (
            AuthorizationInput {
                client_id: None,
                ..input(&a.public, "email")
            },
            AuthorizationPageError::MissingClient,
        ),
        (
            AuthorizationInput {
                client_id: Some("nope".into()),
                ..input(&a.public, "email")
            },
            AuthorizationPageError::UnknownClient,
        ),
        (
            AuthorizationInput {
                redirect_uri: None,
                ..input(&a.public, "email")
            },
            AuthorizationPageError::MissingRedirectUri,
        ),
        (
            AuthorizationInput {
                redirect_uri: Some("https://evil.example.com/callback".into()),
                ..input(&a.public, "email")
            },
            AuthorizationPageError::UnregisteredRedirectUri,
        ),
        (
            AuthorizationInput {
                redirect_uri: Some(format!("{CALLBACK}/")),
                ..input(&a.public, "email")
            },
            AuthorizationPageError::UnregisteredRedirectUri,
        ),
        // Even a request that is wrong otherwise too: nothing goes to an unchecked URI.
        (
            AuthorizationInput {
                redirect_uri: Some("https://evil.example.com/".into()),
                response_type: Some("token".into()),
                ..input(&a.public, "email")
            },
            AuthorizationPageError::UnregisteredRedirectUri,
        ),
    ];
    for (request, expected) in cases {
        assert_eq!(a.error(&request).await, AuthorizationError::Page(expected));
    }
}

#[tokio::test]
async fn a_loopback_redirect_uri_may_use_any_port_and_nothing_else_varies() {
    let a = authz().await;
    let at = |uri: &str| AuthorizationInput {
        redirect_uri: Some(uri.into()),
        ..input(&a.public, "email")
    };
    assert_eq!(
        a.request(&at("http://127.0.0.1:51004/cb")).await.redirect_uri,
        "http://127.0.0.1:51004/cb"
    );
    assert_eq!(
        a.request(&at("http://127.0.0.1/cb")).await.redirect_uri,
        "http://127.0.0.1/cb"
    );
    for wrong in [
        "http://127.0.0.1:8400/other",
        "http://127.0.0.2:8400/cb",
        "https://app.example.com:444/callback",
    ] {
        assert!(
            matches!(a.error(&at(wrong)).await, AuthorizationError::Page(_)),
            "{wrong}"
        );
    }
}

#[tokio::test]
async fn other_mistakes_go_back_to_the_client_with_state_and_issuer() {
    let a = authz().await;
    let public = |f: fn(&mut AuthorizationInput)| {
        let mut i = input(&a.public, "openid email");
        f(&mut i);
        i
    };
    let cases: Vec<(AuthorizationInput, &str)> = vec![
        (public(|i| i.response_type = None), "invalid_request"),
        (
            public(|i| i.response_type = Some("token".into())),
            "unsupported_response_type",
        ),
        (public(|i| i.code_challenge = None), "invalid_request"),
        (
            public(|i| {
                i.code_challenge = None;
                i.code_challenge_method = None
            }),
            "invalid_request",
        ),
        (
            public(|i| {
                i.code_challenge = Some(VERIFIER.into());
                i.code_challenge_method = Some("plain".into())
            }),
            "invalid_request",
        ),
        (public(|i| i.code_challenge_method = None), "invalid_request"),
        (public(|i| i.code_challenge = Some("short".into())), "invalid_request"),
        (public(|i| i.scope = Some("openid admin".into())), "invalid_scope"),
        (public(|i| i.prompt = Some("none login".into())), "invalid_request"),
        (public(|i| i.prompt = Some("sometimes".into())), "invalid_request"),
        (public(|i| i.max_age = Some("-1".into())), "invalid_request"),
        (public(|i| i.nonce = Some("a\nb".into())), "invalid_request"),
        (public(|i| i.request = Some("eyJ...".into())), "request_not_supported"),
        (
            public(|i| i.request_uri = Some("https://x".into())),
            "request_uri_not_supported",
        ),
        (public(|i| i.response_mode = Some("fragment".into())), "invalid_request"),
    ];
    for (request, error) in cases {
        match a.error(&request).await {
            AuthorizationError::Redirect(redirect) => {
                let p = params(&redirect.location);
                assert_eq!(p["error"], error, "{request:?}");
                assert_eq!(p["state"], "xyz");
                assert_eq!(p["iss"], "https://id.example.com");
                assert!(p.contains_key("error_description"));
            }
            other => panic!("{request:?}: a redirect, not {other:?}"),
        }
    }
    // A state unfit to echo is not echoed.
    let mut bad_state = input(&a.public, "email");
    bad_state.state = Some("a\u{7}b".into());
    match a.error(&bad_state).await {
        AuthorizationError::Redirect(redirect) => assert!(!params(&redirect.location).contains_key("state")),
        other => panic!("a redirect, not {other:?}"),
    }
    // A confidential client may leave PKCE out (it proves its secret).
    let mut no_pkce = input(&a.trusted, "email");
    no_pkce.code_challenge = None;
    no_pkce.code_challenge_method = None;
    assert!(a.request(&no_pkce).await.code_challenge.is_none());
}

#[tokio::test]
async fn sign_in_consent_code_and_its_exchange() {
    let a = authz().await;
    let request = a.request(&input(&a.public, "email profile")).await;
    assert!(matches!(a.step(&request, None, false).await, AuthorizationStep::SignIn));
    let wrong =
        a.w.app
            .browser_password(&request, EMAIL, "Wrong-Horse-99", None, ip())
            .await;
    assert!(matches!(wrong, Err(ServiceError::InvalidGrant)), "{wrong:?}");
    let cookie = a.sign_in(&request).await;
    assert_eq!(cookie.max_age, Duration::hours(12));
    let session = a
        .session(&cookie)
        .await
        .expect("the cookie names a live browser session");
    assert_eq!(session.device_name.as_str(), "Firefox");
    let consent = match a.step(&request, Some(&cookie), true).await {
        AuthorizationStep::Consent(consent) => consent,
        other => panic!("consent, not {other:?}"),
    };
    assert_eq!(consent.scopes.to_string(), "email profile");
    assert!(consent.policies.is_empty(), "Ann accepted both at registration");
    let location =
        a.w.app
            .grant_authorization(&request, &session, &consent.ticket, &[], Language::EN)
            .await
            .unwrap();
    let code = Authz::code_of(AuthorizationStep::Redirect(location));

    let tokens = a.exchange(&a.public, &code, Some(VERIFIER)).await.unwrap();
    assert_eq!(tokens.scope.to_string(), "email profile");
    assert!(tokens.id_token.is_none(), "no openid, no ID token");
    // The third party's token reads userinfo only: Registrar's own endpoints refuse it.
    let access = tokens.pair.access_token.expose();
    let ctx = a.w.app.authenticate_any(access).await.unwrap();
    assert_eq!(
        ctx.session.scope.as_ref().map(ToString::to_string).as_deref(),
        Some("email profile")
    );
    assert_eq!(ctx.session.device_id.as_str(), format!("browser:{}", session.id));
    assert!(matches!(
        a.w.app.authenticate(access).await,
        Err(ServiceError::InvalidToken)
    ));
    assert!(matches!(a.w.app.me(access).await, Err(ServiceError::InvalidToken)));

    // Used twice: refused, and what it gave is revoked.
    assert!(matches!(
        a.exchange(&a.public, &code, Some(VERIFIER)).await,
        Err(ServiceError::InvalidGrant)
    ));
    assert!(matches!(
        a.w.app.authenticate_any(access).await,
        Err(ServiceError::InvalidToken)
    ));

    // Consent is remembered: the next request goes straight to a code.
    let again = a.request(&input(&a.public, "email")).await;
    let code = Authz::code_of(a.step(&again, Some(&cookie), false).await);
    assert!(a.exchange(&a.public, &code, Some(VERIFIER)).await.is_ok());
    // More than was granted asks again; so does prompt=consent.
    let more = a.request(&input(&a.public, "email phone")).await;
    assert!(
        matches!(a.step(&more, Some(&cookie), false).await, AuthorizationStep::Consent(c) if c.scopes.to_string() == "email phone")
    );
    let forced = a
        .request(&AuthorizationInput {
            prompt: Some("consent".into()),
            ..input(&a.public, "email")
        })
        .await;
    assert!(matches!(
        a.step(&forced, Some(&cookie), false).await,
        AuthorizationStep::Consent(_)
    ));
    // Single sign-on: another client's request in the same browser needs
    // no sign-in (a trusted one no consent either).
    let other = a.request(&input(&a.trusted, "openid email")).await;
    Authz::code_of(a.step(&other, Some(&cookie), false).await);
    // Declining goes back with access_denied.
    let denied = params(&a.w.app.deny_authorization(&more));
    assert_eq!(denied["error"], "access_denied");
    assert_eq!(denied["state"], "xyz");
}

#[tokio::test]
async fn a_code_is_bound_to_its_client_redirect_uri_and_verifier_and_lives_a_minute() {
    let a = authz().await;
    let (code, _) = a.code(&input(&a.public, "email")).await;
    let other_verifier = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    for (client, verifier) in [
        (a.trusted.as_str(), Some(VERIFIER)),
        (a.public.as_str(), None),
        (a.public.as_str(), Some(other_verifier)),
    ] {
        assert!(
            matches!(
                a.exchange(client, &code, verifier).await,
                Err(ServiceError::InvalidGrant)
            ),
            "{client} {verifier:?}"
        );
    }
    let client = registrar_domain::ClientId::parse(&a.public).unwrap();
    let elsewhere = CodeGrantInput {
        code: Some(code.clone()),
        redirect_uri: Some("http://127.0.0.1:8400/cb".into()),
        code_verifier: Some(VERIFIER.into()),
    };
    assert!(matches!(
        a.w.app.exchange_code(&client, elsewhere).await,
        Err(ServiceError::InvalidGrant)
    ));
    // The failed tries did not use it up.
    assert!(a.exchange(&a.public, &code, Some(VERIFIER)).await.is_ok());

    let (late, _) = a.code(&input(&a.public, "email")).await;
    a.w.clock.advance(Duration::seconds(61));
    assert!(matches!(
        a.exchange(&a.public, &late, Some(VERIFIER)).await,
        Err(ServiceError::InvalidGrant)
    ));

    // A code issued without a challenge takes no verifier (RFC 9700 §2.1.1).
    let mut no_pkce = input(&a.trusted, "email");
    no_pkce.code_challenge = None;
    no_pkce.code_challenge_method = None;
    let (code, _) = a.code(&no_pkce).await;
    assert!(matches!(
        a.exchange(&a.trusted, &code, Some(VERIFIER)).await,
        Err(ServiceError::InvalidGrant)
    ));
    let (code, _) = a.code(&no_pkce).await;
    let tokens = a.exchange(&a.trusted, &code, None).await.unwrap();
    // A first-party client's session may use Registrar's own endpoints.
    let ctx = a.w.app.authenticate(tokens.pair.access_token.expose()).await.unwrap();
    assert_eq!(ctx.session.scope, None);
}

#[tokio::test]
async fn prompt_and_max_age_decide_when_to_sign_in_again() {
    let a = authz().await;
    let (_, cookie) = a.code(&input(&a.trusted, "email")).await;
    let with = |f: fn(&mut AuthorizationInput)| {
        let mut i = input(&a.trusted, "email");
        f(&mut i);
        i
    };
    // A live session: straight to a code (trusted: no consent).
    let plain = a.request(&input(&a.trusted, "email")).await;
    Authz::code_of(a.step(&plain, Some(&cookie), false).await);
    // prompt=login: the form, unless this visit just signed in.
    let login = a.request(&with(|i| i.prompt = Some("login".into()))).await;
    assert!(matches!(
        a.step(&login, Some(&cookie), false).await,
        AuthorizationStep::SignIn
    ));
    Authz::code_of(a.step(&login, Some(&cookie), true).await);
    // max_age: a sign-in older than it must be made again.
    let recent = a.request(&with(|i| i.max_age = Some("600".into()))).await;
    Authz::code_of(a.step(&recent, Some(&cookie), false).await);
    a.w.clock.advance(Duration::seconds(601));
    assert!(matches!(
        a.step(&recent, Some(&cookie), false).await,
        AuthorizationStep::SignIn
    ));
    // prompt=none: never a page.
    let none = a.request(&with(|i| i.prompt = Some("none".into()))).await;
    Authz::code_of(a.step(&none, Some(&cookie), false).await);
    match a.step(&none, None, false).await {
        AuthorizationStep::Redirect(location) => assert_eq!(params(&location)["error"], "login_required"),
        other => panic!("login_required, not {other:?}"),
    }
    let none_public = a
        .request(&AuthorizationInput {
            prompt: Some("none".into()),
            ..input(&a.public, "email")
        })
        .await;
    match a.step(&none_public, Some(&cookie), false).await {
        AuthorizationStep::Redirect(location) => assert_eq!(params(&location)["error"], "consent_required"),
        other => panic!("consent_required, not {other:?}"),
    }
    // The session ends after its twelve hours.
    a.w.clock.advance(Duration::hours(12));
    assert!(a.session(&cookie).await.is_none());
}

#[tokio::test]
async fn a_pending_required_policy_is_accepted_on_the_consent_form() {
    let a = authz().await;
    let request = a.request(&input(&a.trusted, "email")).await;
    let cookie = a.sign_in(&request).await;
    let revision = a.w.app.publish_policy(testing::policy_revision("tac")).await.unwrap();
    let session = a.session(&cookie).await.unwrap();
    let ticket = match a.step(&request, Some(&cookie), true).await {
        AuthorizationStep::Consent(consent) => {
            assert!(consent.scopes.is_empty(), "a trusted client asks no consent for scopes");
            assert_eq!(
                consent.policies.iter().map(|p| p.id).collect::<Vec<_>>(),
                vec![revision.id]
            );
            consent.ticket
        }
        other => panic!("the policy to accept, not {other:?}"),
    };
    let refused =
        a.w.app
            .grant_authorization(&request, &session, &ticket, &[], Language::EN)
            .await;
    assert!(matches!(refused, Err(ServiceError::Invalid(_))), "{refused:?}");
    let location =
        a.w.app
            .grant_authorization(&request, &session, &ticket, &[revision.id], Language::EN)
            .await
            .unwrap();
    Authz::code_of(AuthorizationStep::Redirect(location));
    let accepted = a.w.store.accepted_policies(&session.user).await.unwrap();
    assert!(accepted.contains(&revision.id));
    let _: RevisionId = revision.id;
}

#[tokio::test]
async fn a_second_factor_completes_the_page_sign_in_and_its_token_is_the_page_s_alone() {
    let a = authz().await;
    let pair =
        a.w.app
            .login_raw(a.w.login_input(EMAIL, PASSWORD, "phone"), ip())
            .await
            .unwrap();
    let ctx = a.w.app.authenticate(pair.access_token.expose()).await.unwrap();
    let enrolment = a.w.app.enrol_totp(&ctx).await.unwrap();
    let secret = TotpSecret::from_stored(data_encoding_base32(&enrolment.secret)).unwrap();
    let now = || a.w.clock_now_unix();
    a.w.app.confirm_totp(&ctx, &secret.code_at(now()), ip()).await.unwrap();
    a.w.clock.advance(Duration::seconds(30));

    let request = a.request(&input(&a.trusted, "email")).await;
    let challenge = match a
        .w
        .app
        .browser_password(&request, EMAIL, PASSWORD, None, ip())
        .await
        .unwrap()
    {
        BrowserSignIn::SecondFactor(challenge) => challenge,
        BrowserSignIn::SignedIn(_) => panic!("the second factor is asked"),
    };
    let grant = |code: String| MfaGrant {
        mfa_token: challenge.mfa_token.expose().to_owned(),
        factor: SecondFactor::Totp(code),
        client: None,
    };
    // The page's token is no way to a token pair.
    assert!(matches!(
        a.w.app.login_mfa(grant(secret.code_at(now())), ip()).await,
        Err(ServiceError::InvalidGrant)
    ));
    let wrong = a.w.app.browser_second_factor(grant("000000".into()), ip()).await;
    assert!(matches!(wrong, Err(ServiceError::InvalidGrant)), "{wrong:?}");
    let cookie =
        a.w.app
            .browser_second_factor(grant(secret.code_at(now())), ip())
            .await
            .unwrap();
    assert_eq!(
        cookie.session.sign_in_method,
        registrar_domain::SignInMethod::PasswordTotp
    );
    let code = Authz::code_of(a.step(&request, Some(&cookie), true).await);
    let tokens = a.exchange(&a.trusted, &code, Some(VERIFIER)).await.unwrap();
    let ctx = a.w.app.authenticate(tokens.pair.access_token.expose()).await.unwrap();
    assert_eq!(ctx.session.sign_in_method, registrar_domain::SignInMethod::PasswordTotp);
}

#[tokio::test]
async fn browser_sessions_are_listed_and_ended_with_or_without_their_tokens() {
    let a = authz().await;
    let (code, cookie) = a.code(&input(&a.trusted, "email")).await;
    let tokens = a.exchange(&a.trusted, &code, Some(VERIFIER)).await.unwrap();
    let ctx = a.w.app.authenticate(tokens.pair.access_token.expose()).await.unwrap();
    let session = a.session(&cookie).await.unwrap();
    let listed = a.w.app.sessions(&ctx).await.unwrap();
    let browser = format!("browser:{}", session.id);
    assert_eq!(
        listed
            .iter()
            .filter(|v| v.session.device_id.as_str() == browser)
            .count(),
        2,
        "the browser session and its token session"
    );

    // Ending without tokens leaves the app signed in.
    let ended = a.w.app.end_browser_session(cookie.value.expose(), false).await.unwrap();
    assert_eq!(ended.map(|s| s.id), Some(session.id.clone()));
    assert!(a.session(&cookie).await.is_none());
    assert!(a.w.app.authenticate(tokens.pair.access_token.expose()).await.is_ok());
    assert!(a
        .w
        .app
        .end_browser_session(cookie.value.expose(), false)
        .await
        .unwrap()
        .is_none());

    // With tokens: the app's session goes too.
    let (code, cookie) = a.code(&input(&a.trusted, "email")).await;
    let tokens = a.exchange(&a.trusted, &code, Some(VERIFIER)).await.unwrap();
    a.w.app.end_browser_session(cookie.value.expose(), true).await.unwrap();
    assert!(matches!(
        a.w.app.authenticate(tokens.pair.access_token.expose()).await,
        Err(ServiceError::InvalidToken)
    ));
    // A code whose browser session ended is refused.
    let (code, cookie) = a.code(&input(&a.trusted, "email")).await;
    a.w.app.end_browser_session(cookie.value.expose(), false).await.unwrap();
    assert!(matches!(
        a.exchange(&a.trusted, &code, Some(VERIFIER)).await,
        Err(ServiceError::InvalidGrant)
    ));
    let _ = a.w.store.purge_authorization(a.w.clock_now()).await.unwrap();
    let _: Option<SecretToken> = None;
}

/// RFC 4648 base32 without padding, as enrolment hands the secret out.
fn data_encoding_base32(text: &str) -> Vec<u8> {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut bits = 0u64;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.bytes() {
        let v = alphabet.iter().position(|&a| a == c).unwrap() as u64;
        bits = (bits << 5) | v;
        count += 5;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    out
}

impl World {
    fn clock_now(&self) -> chrono::DateTime<chrono::Utc> {
        registrar_service::Clock::now(&*self.clock)
    }

    fn clock_now_unix(&self) -> u64 {
        self.clock_now().timestamp() as u64
    }
}

#[tokio::test]
async fn an_openid_request_gets_an_id_token_that_is_also_a_logout_hint() {
    use base64::Engine;
    let a = authz().await;
    let (code, cookie) = a.code(&input(&a.public, "openid email")).await;
    let tokens = a.exchange(&a.public, &code, Some(VERIFIER)).await.unwrap();
    let id_token = tokens.id_token.expect("an ID token for scope openid");
    let payload = id_token.split('.').nth(1).unwrap();
    let claims: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    let session = a.session(&cookie).await.unwrap();
    assert_eq!(claims["iss"], "https://id.example.com");
    assert_eq!(claims["aud"], a.public.as_str());
    assert_eq!(claims["sub"], session.user.0.as_str());
    assert_eq!(claims["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(claims["auth_time"], session.auth_time.timestamp());
    assert_eq!(claims["amr"], serde_json::json!(["pwd"]));
    assert_eq!(claims["email"], EMAIL);
    assert!(claims.get("given_name").is_none(), "no profile scope, no name");

    let hint =
        a.w.app
            .id_token_hint(&id_token)
            .await
            .unwrap()
            .expect("our own token is a hint");
    assert_eq!(hint.user, session.user);
    assert_eq!(hint.client.as_str(), a.public);
    // Still a hint after it expired, and after a key rotation.
    a.w.clock.advance(Duration::hours(2));
    a.w.app.rotate_signing_key().await.unwrap();
    assert!(a.w.app.id_token_hint(&id_token).await.unwrap().is_some());
    // Anything else is no hint.
    let mut parts: Vec<String> = id_token.split('.').map(str::to_owned).collect();
    let forged = serde_json::json!({"iss": "https://id.example.com", "sub": "someone-else", "aud": a.public});
    parts[1] = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(forged.to_string());
    for bad in [
        parts.join("."),
        format!("{id_token}x"),
        "a.b.c".into(),
        String::new(),
        "x".repeat(5000),
    ] {
        assert!(a.w.app.id_token_hint(&bad).await.unwrap().is_none(), "{bad:.40}");
    }
}

#[tokio::test]
async fn what_the_review_found_stays_fixed() {
    let a = authz().await;
    let (_, cookie) = a.code(&input(&a.trusted, "openid email")).await;
    let session = a.session(&cookie).await.unwrap();

    // A max_age beyond any duration is capped, not a panic.
    let huge = a
        .request(&AuthorizationInput {
            max_age: Some(i64::MAX.to_string()),
            ..input(&a.trusted, "email")
        })
        .await;
    assert_eq!(huge.max_age, Some(registrar_service::MAX_AGE_CAP));
    Authz::code_of(a.step(&huge, Some(&cookie), false).await);

    // What a URL parser drops does not make a redirect URI match.
    for sneaky in [
        " http://127.0.0.1:8400/cb",
        "http://127.0.0.1:84\n00/cb",
        "http://127.0.0.1:8400/cb\t",
    ] {
        let request = AuthorizationInput {
            redirect_uri: Some(sneaky.into()),
            ..input(&a.public, "email")
        };
        assert_eq!(
            a.error(&request).await,
            AuthorizationError::Page(AuthorizationPageError::UnregisteredRedirectUri),
            "{sneaky:?}"
        );
    }

    // A consent post cannot skip the sign-in prompt=login or max_age asks
    // for: the answer needs the ticket of a form shown after that sign-in,
    // for this request and session, within ten minutes.
    let request = a.request(&input(&a.public, "email phone")).await;
    let ticket = match a.step(&request, Some(&cookie), false).await {
        AuthorizationStep::Consent(consent) => consent.ticket,
        other => panic!("consent, not {other:?}"),
    };
    let login = a
        .request(&AuthorizationInput {
            prompt: Some("login".into()),
            ..input(&a.public, "email phone")
        })
        .await;
    let other_scope = a.request(&input(&a.public, "email")).await;
    for (request, ticket, why) in [
        (&login, String::new(), "no ticket"),
        (&login, "garbage".to_owned(), "not a ticket"),
        (
            &login,
            ticket.clone(),
            "another request's ticket (prompt=login asks more)",
        ),
        (&other_scope, ticket.clone(), "another scope's ticket"),
    ] {
        let refused =
            a.w.app
                .grant_authorization(request, &session, &ticket, &[], Language::EN)
                .await;
        assert!(matches!(refused, Err(ServiceError::InvalidGrant)), "{why}: {refused:?}");
    }
    a.w.clock.advance(Duration::minutes(11));
    let late =
        a.w.app
            .grant_authorization(&request, &session, &ticket, &[], Language::EN)
            .await;
    assert!(
        matches!(late, Err(ServiceError::InvalidGrant)),
        "an expired ticket: {late:?}"
    );

    // An id_token_hint of another user: this browser counts as signed out.
    let other =
        a.w.app
            .register_raw(registration(&a.w.client, &a.w.policies, "bob@example.com", "Bob"), ip())
            .await
            .unwrap();
    let bob = a.w.app.authenticate(other.access_token.expose()).await.unwrap().user;
    let bobs_token =
        a.w.app
            .id_token(
                &bob,
                &registrar_domain::ClientId::parse(&a.trusted).unwrap(),
                &registrar_domain::Scopes::full(),
                None,
                a.w.clock_now(),
                registrar_domain::SignInMethod::Password,
            )
            .await
            .unwrap();
    let anns = a.session(&cookie).await.unwrap();
    let hinted = a
        .request(&AuthorizationInput {
            prompt: Some("none".into()),
            id_token_hint: Some(bobs_token),
            ..input(&a.trusted, "email")
        })
        .await;
    assert_eq!(hinted.hinted_user.as_ref(), Some(&bob.id));
    assert_ne!(anns.user, bob.id);
    match a.step(&hinted, Some(&cookie), false).await {
        AuthorizationStep::Redirect(location) => assert_eq!(params(&location)["error"], "login_required"),
        other => panic!("login_required, not {other:?}"),
    }
    // A hint that is not ours is no hint.
    let junk = a
        .request(&AuthorizationInput {
            id_token_hint: Some("not.a.token".into()),
            ..input(&a.trusted, "email")
        })
        .await;
    assert_eq!(junk.hinted_user, None);

    // The token endpoint: no code is a field error, an unknown client invalid_client.
    let client = registrar_domain::ClientId::parse(&a.trusted).unwrap();
    let missing = a.w.app.exchange_code(&client, CodeGrantInput::default()).await;
    assert!(matches!(missing, Err(ServiceError::Invalid(_))), "{missing:?}");
    let nobody = registrar_domain::ClientId::parse("no-such-client").unwrap();
    let grant = CodeGrantInput {
        code: Some("a".repeat(64)),
        ..CodeGrantInput::default()
    };
    assert!(matches!(
        a.w.app.exchange_code(&nobody, grant).await,
        Err(ServiceError::InvalidClient)
    ));
}
