//! "Sign in with Registrar" from end to end, driven by a stock relying
//! party (the `openidconnect` crate) against the real server, a browser
//! (a cookie jar reading the HTML forms) doing what a person does on the
//! pages: discovery → authorization request with PKCE and a nonce → the
//! sign-in form (password; password and an authenticator app's code; a
//! mailed code) → consent → the code → tokens → the ID token verified with
//! the JWKS → userinfo → refresh → revocation → logout with the ID token as
//! hint; for a public and a confidential client. And what must fail: a
//! code used twice (what it gave is revoked), a wrong client secret, a
//! wrong verifier, and a key rotation in the middle (the old ID token still
//! verifies).

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreIdToken, CoreJsonWebKeySet, CoreTokenResponse,
    CoreUserInfoClaims,
};
use openidconnect::{
    AuthenticationContextClass, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IssuerUrl, LogoutRequest, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier,
    PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, Scope, TokenResponse as _, UserInfoClaims,
};
use registrar_domain::RedirectUri;
use registrar_service::NewClient;
use reqwest::StatusCode;

use crate::authorize::{assert_code_with_state, mailed_sign_in_code, Browser, Page};
use crate::factors::turn_on_totp;
use crate::helpers::*;

const CALLBACK: &str = "https://photos.example/callback";
const AFTER_LOGOUT: &str = "https://photos.example/bye";

type Rp = CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;

/// How the person signs in on the page.
#[derive(Clone, Copy, Debug)]
enum SignIn {
    Password,
    PasswordAndTotp,
    MailedCode,
}

/// The relying party: its client registered at `app` (confidential or
/// public, untrusted: consent is asked), configured from our discovery
/// document alone.
struct RelyingParty {
    client: Rp,
    provider: ProviderMetadataWithLogout,
    http: reqwest::Client,
    id: String,
    secret: Option<String>,
}

async fn relying_party(app: &TestApp, confidential: bool) -> RelyingParty {
    let new = NewClient {
        name: "Photo app".into(),
        confidential,
        redirect_uris: vec![RedirectUri::parse(CALLBACK).expect("a URI")],
        post_logout_redirect_uris: vec![RedirectUri::parse(AFTER_LOGOUT).expect("a URI")],
        trusted: false,
    };
    let (client, secret) = app.service.register_client(new).await.expect("a client");
    assert_eq!(secret.is_some(), confidential);
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client");
    let issuer = IssuerUrl::new(app.address.clone()).expect("an issuer URL");
    let provider = ProviderMetadataWithLogout::discover_async(issuer, &http)
        .await
        .expect("our discovery document, with its end_session_endpoint");
    let rp = CoreClient::from_provider_metadata(
        provider.clone(),
        ClientId::new(client.id.to_string()),
        secret.as_ref().map(|s| ClientSecret::new(s.expose().to_owned())),
    )
    .set_redirect_uri(RedirectUrl::new(CALLBACK.into()).expect("a URL"));
    RelyingParty {
        client: rp,
        provider,
        http,
        id: client.id.to_string(),
        secret: secret.map(|s| s.expose().to_owned()),
    }
}

/// The path and query of an absolute URL on `app`.
fn path_of(app: &TestApp, url: &str) -> String {
    url.strip_prefix(&app.address).expect("a URL of the server").to_owned()
}

impl RelyingParty {
    /// An authorization request for `scope` (besides `openid`): the URL, the
    /// state, the nonce, and the PKCE verifier.
    fn authorize(&self, scope: &[&str], extra: &[(&str, &str)]) -> (String, CsrfToken, Nonce, PkceCodeVerifier) {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = self
            .client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for s in scope {
            request = request.add_scope(Scope::new((*s).into()));
        }
        for (k, v) in extra {
            request = request.add_extra_param(*k, *v);
        }
        let (url, state, nonce) = request.url();
        (url.to_string(), state, nonce, verifier)
    }

    async fn exchange(&self, code: &str, verifier: PkceCodeVerifier) -> Result<CoreTokenResponse, String> {
        self.client
            .exchange_code(AuthorizationCode::new(code.into()))
            .expect("a token endpoint")
            .set_pkce_verifier(verifier)
            .request_async(&self.http)
            .await
            .map_err(|e| format!("{e:?}"))
    }

    async fn userinfo(&self, tokens: &CoreTokenResponse) -> Result<CoreUserInfoClaims, String> {
        let claims: Result<UserInfoClaims<_, CoreGenderClaim>, _> = self
            .client
            .user_info(tokens.access_token().clone(), None)
            .expect("a userinfo endpoint")
            .request_async(&self.http)
            .await;
        claims.map_err(|e| format!("{e:?}"))
    }

    /// `POST /oauth/revoke` of `token` (RFC 7009): a confidential client
    /// with HTTP Basic, a public one by its id in the body.
    async fn revoke(&self, app: &TestApp, token: &str) {
        let mut request = app.post("/oauth/revoke");
        let mut form = vec![
            ("token", token.to_owned()),
            ("token_type_hint", "access_token".to_owned()),
        ];
        match &self.secret {
            Some(secret) => request = request.basic_auth(&self.id, Some(secret)),
            None => form.push(("client_id", self.id.clone())),
        }
        let response = request.form(&form).send().await.expect("request");
        assert_eq!(response.status(), StatusCode::OK);
    }

    async fn jwks(&self) -> CoreJsonWebKeySet {
        CoreJsonWebKeySet::fetch_async(self.provider.jwks_uri(), &self.http)
            .await
            .expect("our JWKS")
    }
}

/// Signs in on the sign-in `page` the way `how` says, as the account of
/// `email`; answers the page after the sign-in (consent, here).
async fn sign_in(
    app: &TestApp,
    browser: &mut Browser<'_>,
    page: &Page,
    email: &str,
    how: SignIn,
    totp: Option<&crate::authenticator::Authenticator>,
) -> Page {
    match how {
        SignIn::Password => browser.password(page, email, PASSWORD).await,
        SignIn::PasswordAndTotp => {
            let second = browser.password(page, email, PASSWORD).await;
            second.assert_page(StatusCode::OK, "Code from your authenticator app");
            // The enrolment used the current step's code: the next one.
            let code = totp.expect("an authenticator").code(1);
            browser
                .submit(&second, "Verify", &[("step", "second_factor"), ("code", &code)])
                .await
        }
        SignIn::MailedCode => {
            let form = browser.send_code(page, email).await;
            form.assert_page(StatusCode::OK, "we sent a sign-in code to it");
            let code = mailed_sign_in_code(app, email).await;
            browser.email_code(&form, &code).await
        }
    }
}

/// The whole journey for one client kind and one way of signing in.
async fn journey(backend: Backend, confidential: bool, how: SignIn) {
    let app = spawn_app_at_its_public_url_with(backend, fast_outbox).await;
    let rp = relying_party(&app, confidential).await;
    let email = unique_email();
    let pair = app.register(&email).await;
    let totp = match how {
        SignIn::PasswordAndTotp => Some(turn_on_totp(&app, &pair).await.0),
        _ => None,
    };

    // The relying party sends the browser to us; the person signs in and consents.
    let (url, state, nonce, verifier) = rp.authorize(&["email", "profile"], &[]);
    let mut browser = Browser::new(&app);
    let form = browser.get(&path_of(&app, &url)).await;
    form.assert_page(StatusCode::OK, "Sign in to continue to Photo app.");
    let consent = sign_in(&app, &mut browser, &form, &email, how, totp.as_ref()).await;
    consent.assert_page(StatusCode::OK, "Photo app asks to:");
    let back = browser.decide(&consent, "allow").await;
    let code = assert_code_with_state(&back, &app, CALLBACK, state.secret());

    // Tokens, and the ID token verified by the relying party with our JWKS.
    let tokens = rp.exchange(&code, verifier).await.expect("tokens for the code");
    let mut scopes: Vec<String> = tokens
        .scopes()
        .expect("the scope granted")
        .iter()
        .map(|s| s.to_string())
        .collect();
    scopes.sort();
    assert_eq!(scopes, ["email", "openid", "profile"]);
    let id_token = tokens.id_token().expect("an ID token").clone();
    let verifier = rp.client.id_token_verifier();
    let claims = id_token
        .claims(&verifier, &nonce)
        .expect("a valid ID token with our nonce");
    assert_eq!(claims.email().map(|e| e.as_str()), Some(email.as_str()));
    // Registered and not confirmed; a mailed code confirms the address.
    let confirmed = matches!(how, SignIn::MailedCode);
    assert_eq!(claims.email_verified(), Some(confirmed));
    assert!(claims.auth_time().is_some());
    let amr: Vec<String> = claims
        .auth_method_refs()
        .expect("amr")
        .iter()
        .map(|m| m.to_string())
        .collect();
    let expected: &[&str] = match how {
        SignIn::Password => &["pwd"],
        SignIn::PasswordAndTotp => &["pwd", "otp", "mfa"],
        SignIn::MailedCode => &["otp"],
    };
    assert_eq!(amr, expected);
    assert!(claims
        .auth_context_ref()
        .is_none_or(|acr: &AuthenticationContextClass| !acr.is_empty()));
    let subject = claims.subject().clone();

    // Userinfo answers the same person; the third party's token opens nothing else.
    let info = rp.userinfo(&tokens).await.expect("userinfo");
    assert_eq!(info.subject(), &subject);
    assert_eq!(info.email().map(|e| e.as_str()), Some(email.as_str()));
    assert_eq!(
        info.given_name().and_then(|n| n.get(None)).map(|n| n.as_str()),
        Some("Simon"),
        "the profile scope"
    );
    assert!(info.phone_number().is_none(), "no phone scope");
    let me = app
        .get("/api/me")
        .bearer_auth(tokens.access_token().secret())
        .send()
        .await
        .expect("request");
    assert_eq!(
        me.status(),
        StatusCode::UNAUTHORIZED,
        "a third party's token is for /userinfo only"
    );

    // Refresh rotates; the old refresh token is dead.
    let refreshed = rp
        .client
        .exchange_refresh_token(tokens.refresh_token().expect("a refresh token"))
        .expect("a token endpoint")
        .request_async(&rp.http)
        .await
        .expect("a refreshed pair");
    assert_ne!(refreshed.access_token().secret(), tokens.access_token().secret());
    assert!(
        rp.userinfo(&refreshed).await.is_ok(),
        "the new access token reads userinfo"
    );
    let stale = rp
        .client
        .exchange_refresh_token(tokens.refresh_token().expect("a refresh token"))
        .expect("a token endpoint")
        .request_async(&rp.http)
        .await;
    assert!(stale.is_err(), "a rotated-out refresh token is refused");

    // Revocation ends the session: its tokens stop working.
    let again = browser.get(&path_of(&app, &rp.authorize(&["email"], &[]).0)).await;
    let code = again.redirect_params()["code"].clone();
    assert!(!code.is_empty(), "signed in and consented before: straight to a code");
    let (url, state, _, verifier) = rp.authorize(&["email"], &[("prompt", "none")]);
    let silent = browser.get(&path_of(&app, &url)).await;
    let code = assert_code_with_state(&silent, &app, CALLBACK, state.secret());
    let second = rp.exchange(&code, verifier).await.expect("tokens");
    // The crate refuses a revocation endpoint that is not https (this
    // server is on loopback http): its request by hand, as RFC 7009 §2.1
    // writes it, the client authenticated as at the token endpoint.
    rp.revoke(&app, second.access_token().secret()).await;
    assert!(rp.userinfo(&second).await.is_err(), "a revoked token reads nothing");

    // A key rotation in the middle: the old ID token still verifies.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_registrar"))
        .args(["keys", "rotate"])
        .env_remove("DATABASE_URL")
        .env("REGISTRAR__DATABASE__URL", &app.database_url)
        .env("REGISTRAR__SECURITY__SECRET_KEY_FILE", &app.secret_file)
        .output()
        .expect("registrar keys rotate");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let fresh_keys = rp.jwks().await;
    let after_rotation = openidconnect::core::CoreIdTokenVerifier::new_confidential_client(
        ClientId::new(rp.id.clone()),
        ClientSecret::new("unused: RS256".into()),
        rp.provider.issuer().clone(),
        fresh_keys,
    );
    let still = id_token.claims(&after_rotation, &nonce).map(|_| ());
    assert!(still.is_ok(), "signed by a retired key, still published: {still:?}");

    // Logout with the ID token as hint: at once, back to the relying party,
    // the browser session and the app's sessions from it ended.
    let end_session = rp
        .provider
        .additional_metadata()
        .end_session_endpoint
        .clone()
        .expect("an end_session_endpoint");
    let logout = LogoutRequest::from(end_session)
        .set_id_token_hint(&id_token)
        .set_post_logout_redirect_uri(PostLogoutRedirectUrl::new(AFTER_LOGOUT.into()).expect("a URL"))
        .set_state(CsrfToken::new("bye-1".into()))
        .http_get_url();
    let out = browser.get(&path_of(&app, logout.as_str())).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER, "{}", out.body);
    assert_eq!(out.location(), Some(format!("{AFTER_LOGOUT}?state=bye-1").as_str()));
    assert!(
        !browser.cookies.contains_key("registrar_session"),
        "the cookie is cleared"
    );
    assert!(
        rp.userinfo(&refreshed).await.is_err(),
        "the app's session from this browser ended too"
    );
    let (url, _, _, _) = rp.authorize(&["email"], &[("prompt", "none")]);
    let signed_out = browser.get(&path_of(&app, &url)).await;
    assert_eq!(signed_out.redirect_params()["error"], "login_required");
    let _: Option<CoreIdToken> = None;
}

async fn public_client_with_a_password(backend: Backend) {
    journey(backend, false, SignIn::Password).await;
}

async fn confidential_client_with_a_password_and_an_authenticator_app(backend: Backend) {
    journey(backend, true, SignIn::PasswordAndTotp).await;
}

async fn confidential_client_with_a_mailed_code(backend: Backend) {
    journey(backend, true, SignIn::MailedCode).await;
}

/// A code for `rp`'s request of scope `email`, signing in (and consenting)
/// as `email` if the browser is not signed in yet; and the PKCE verifier.
async fn code_for(
    app: &TestApp,
    rp: &RelyingParty,
    browser: &mut Browser<'_>,
    email: &str,
) -> (String, PkceCodeVerifier) {
    let (url, state, _nonce, verifier) = rp.authorize(&["email"], &[]);
    let page = browser.get(&path_of(app, &url)).await;
    let page = if page.status == StatusCode::OK {
        let consent = browser.password(&page, email, PASSWORD).await;
        browser.decide(&consent, "allow").await
    } else {
        page
    };
    (assert_code_with_state(&page, app, CALLBACK, state.secret()), verifier)
}

/// A code used twice is refused and revokes what it gave; a wrong verifier
/// and a wrong client secret get nothing.
async fn a_code_is_used_once_by_its_client_with_its_verifier(backend: Backend) {
    let app = spawn_app_at_its_public_url(backend).await;
    let rp = relying_party(&app, true).await;
    let email = unique_email();
    app.register(&email).await;
    let mut browser = Browser::new(&app);
    let (code, verifier) = code_for(&app, &rp, &mut browser, &email).await;
    let wrong = PkceCodeVerifier::new("x".repeat(64));
    let refused = rp.exchange(&code, wrong).await.expect_err("a wrong verifier");
    assert!(refused.contains("invalid_grant"), "{refused}");
    let tokens = rp.exchange(&code, verifier).await.expect("the right verifier");
    assert!(rp.userinfo(&tokens).await.is_ok());
    let reused = rp
        .exchange(&code, PkceCodeVerifier::new("x".repeat(64)))
        .await
        .expect_err("a used code");
    assert!(reused.contains("invalid_grant"), "{reused}");
    // With its verifier too, and what the code gave is revoked.
    let (code, verifier) = code_for(&app, &rp, &mut browser, &email).await;
    let (verifier_again, _) = (PkceCodeVerifier::new(verifier.secret().clone()), ());
    let tokens = rp.exchange(&code, verifier).await.expect("tokens");
    assert!(rp.exchange(&code, verifier_again).await.is_err());
    assert!(
        rp.userinfo(&tokens).await.is_err(),
        "the first exchange's tokens are revoked"
    );

    // Another secret: invalid_client, 401.
    let (code, verifier) = code_for(&app, &rp, &mut browser, &email).await;
    let impostor = CoreClient::from_provider_metadata(
        rp.provider.clone(),
        ClientId::new(rp.id.clone()),
        Some(ClientSecret::new("not-the-secret".into())),
    )
    .set_redirect_uri(RedirectUrl::new(CALLBACK.into()).expect("a URL"));
    let refused = impostor
        .exchange_code(AuthorizationCode::new(code.clone()))
        .expect("a token endpoint")
        .set_pkce_verifier(verifier)
        .request_async(&rp.http)
        .await
        .expect_err("a wrong secret");
    assert!(format!("{refused:?}").contains("invalid_client"), "{refused:?}");
}

on_both_backends!(
    public_client_with_a_password,
    confidential_client_with_a_password_and_an_authenticator_app,
    confidential_client_with_a_mailed_code,
    a_code_is_used_once_by_its_client_with_its_verifier,
);
