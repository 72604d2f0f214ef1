//! The authorization endpoint's pages end to end (`/oauth/authorize`,
//! `/oauth/logout`): a browser with a cookie jar of its own, the real
//! server, HTML forms read as a browser reads them. The code is where these
//! tests stop: its exchange at `/api/token` is tested with the token
//! endpoint.

use std::collections::BTreeMap;

use base64::Engine as _;
use registrar_domain::RedirectUri;
use registrar_service::NewClient;
use reqwest::header::{self, HeaderMap};
use reqwest::StatusCode;
use sha2::{Digest, Sha256};

use crate::factors::turn_on_totp;
use crate::helpers::*;
use crate::passkey::{SoftPasskey, ORIGIN};

const CALLBACK: &str = "https://photos.example/callback";
const AFTER_LOGOUT: &str = "https://photos.example/bye";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

/// The S256 challenge of [`VERIFIER`] (RFC 7636 §4.2).
fn challenge() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(VERIFIER.as_bytes()))
}

/// A third-party (untrusted unless `trusted`) public client "Photo app"
/// with [`CALLBACK`] and [`AFTER_LOGOUT`]: its id.
pub(crate) async fn photo_app(app: &TestApp, trusted: bool) -> String {
    let new = NewClient {
        name: "Photo app".into(),
        confidential: false,
        redirect_uris: vec![RedirectUri::parse(CALLBACK).expect("a URI")],
        post_logout_redirect_uris: vec![RedirectUri::parse(AFTER_LOGOUT).expect("a URI")],
        trusted,
    };
    app.service
        .register_client(new)
        .await
        .expect("a client")
        .0
        .id
        .to_string()
}

/// An authorization request of `client` with PKCE, `state=xyz` and these
/// parameters on top (a value of "" leaves that parameter out).
pub(crate) fn authorize_uri(client: &str, extra: &[(&str, &str)]) -> String {
    let challenge = challenge();
    let mut params: BTreeMap<&str, &str> = [
        ("response_type", "code"),
        ("client_id", client),
        ("redirect_uri", CALLBACK),
        ("scope", "openid email"),
        ("state", "xyz"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ]
    .into_iter()
    .collect();
    for (k, v) in extra {
        params.insert(k, v);
    }
    let query = params.into_iter().filter(|(_, v)| !v.is_empty());
    format!(
        "/oauth/authorize?{}",
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(query)
            .finish()
    )
}

/// What the browser got.
pub(crate) struct Page {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: String,
}

impl Page {
    pub(crate) fn location(&self) -> Option<&str> {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok())
    }

    /// The query parameters of the redirect.
    pub(crate) fn redirect_params(&self) -> BTreeMap<String, String> {
        assert_eq!(self.status, StatusCode::SEE_OTHER, "{}", self.body);
        let location = self.location().expect("a Location");
        let url = url::Url::parse(location).expect("an absolute URL");
        url.query_pairs().into_owned().collect()
    }

    pub(crate) fn set_cookies(&self) -> Vec<&str> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect()
    }

    pub(crate) fn session_cookie(&self) -> Option<&str> {
        self.set_cookies()
            .into_iter()
            .find(|c| c.starts_with("registrar_session="))
    }

    /// A page with `status` that says `text`, with the pages' security headers.
    pub(crate) fn assert_page(&self, status: StatusCode, text: &str) {
        assert_eq!(self.status, status, "{}", self.body);
        assert!(self.body.contains(text), "{text:?} in {}", self.body);
        let header = |name: &str| self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(header("content-type").starts_with("text/html"));
        assert!(header("content-security-policy").contains("frame-ancestors 'none'"));
        assert_eq!(header("x-frame-options"), "DENY");
        assert_eq!(header("cache-control"), "no-store");
        assert_eq!(header("referrer-policy"), "no-referrer");
        assert_eq!(self.location(), None, "a page, no redirect");
    }

    /// The fields of the form whose submit button says `button` (the hidden
    /// ones and any with a value), as the browser would send them.
    pub(crate) fn form(&self, button: &str) -> Vec<(String, String)> {
        let label = format!(">{button}</button>");
        let end = self
            .body
            .find(&label)
            .unwrap_or_else(|| panic!("{label:?} in {}", self.body));
        let start = self.body[..end].rfind("<form").expect("a form");
        let form_end = self.body[end..].find("</form>").map_or(self.body.len(), |i| end + i);
        let form = &self.body[start..form_end];
        let mut fields = Vec::new();
        for input in form.split("<input").skip(1) {
            let attr = |name: &str| {
                let key = format!(" {name}=\"");
                input.find(&key).map(|i| {
                    let rest = &input[i + key.len()..];
                    unescape(&rest[..rest.find('"').expect("an attribute ends")])
                })
            };
            if attr("type").as_deref() == Some("hidden") {
                if let (Some(name), Some(value)) = (attr("name"), attr("value")) {
                    fields.push((name, value));
                }
            }
        }
        fields
    }
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&#x2f;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A browser: its own cookies, no redirects followed.
pub(crate) struct Browser<'a> {
    app: &'a TestApp,
    pub(crate) cookies: BTreeMap<String, String>,
}

impl<'a> Browser<'a> {
    pub(crate) fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            cookies: BTreeMap::new(),
        }
    }

    pub(crate) fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub(crate) async fn take(&mut self, response: reqwest::Response) -> Page {
        let status = response.status();
        let headers = response.headers().clone();
        for cookie in headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
        {
            let pair = cookie.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                if value.is_empty() || cookie.contains("Max-Age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        let body = response.text().await.expect("a body");
        Page { status, headers, body }
    }

    pub(crate) async fn get(&mut self, path: &str) -> Page {
        let request = self.app.get(path).header(header::COOKIE, self.cookie_header());
        let response = request.send().await.expect("request");
        self.take(response).await
    }

    pub(crate) async fn post(&mut self, path: &str, fields: &[(String, String)]) -> Page {
        let response = self
            .app
            .post(path)
            .header(header::COOKIE, self.cookie_header())
            .form(fields)
            .send()
            .await
            .expect("request");
        self.take(response).await
    }

    /// Submits the form of `page` that has `button`, with `extra` fields.
    pub(crate) async fn submit(&mut self, page: &Page, button: &str, extra: &[(&str, &str)]) -> Page {
        let mut fields = page.form(button);
        fields.retain(|(name, _)| !extra.iter().any(|(k, _)| k == name));
        fields.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        let action = if page.body.contains("action=\"/oauth/logout\"") {
            "/oauth/logout"
        } else {
            "/oauth/authorize"
        };
        self.post(action, &fields).await
    }

    /// Signs in with the password on the sign-in `page`.
    pub(crate) async fn password(&mut self, page: &Page, email: &str, password: &str) -> Page {
        self.submit(
            page,
            "Email me a sign-in code instead",
            &[("step", "password"), ("email", email), ("password", password)],
        )
        .await
    }
}

impl Browser<'_> {
    /// Asks for a sign-in code by mail on the sign-in `page`.
    pub(crate) async fn send_code(&mut self, page: &Page, email: &str) -> Page {
        let fields = [("step", "send_code"), ("email", email)];
        self.submit(page, "Email me a sign-in code instead", &fields).await
    }

    /// Sends the mailed `code` on the code `page`.
    pub(crate) async fn email_code(&mut self, page: &Page, code: &str) -> Page {
        self.submit(page, "Send a new code", &[("step", "email_code"), ("code", code)])
            .await
    }

    /// Answers the consent `page` with `allow` or `deny`.
    pub(crate) async fn decide(&mut self, page: &Page, decision: &str) -> Page {
        self.submit(page, "Allow", &[("decision", decision)]).await
    }
}

/// The sign-in code of the last mail to `email` that has one, once it is sent.
pub(crate) async fn mailed_sign_in_code(app: &TestApp, email: &str) -> String {
    loop {
        let mails = app.mails_to(email);
        if let Some(mail) = mails.iter().find(|m| m.contains("Your sign-in code")) {
            break six_digit_code(mail).expect("a code in the mail");
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The checks every code redirect passes: to the callback, `state` and `iss` echoed.
/// The code of a redirect to `callback` that carries `state` and our `iss`.
pub(crate) fn assert_code_with_state(page: &Page, app: &TestApp, callback: &str, state: &str) -> String {
    let params = page.redirect_params();
    assert!(
        page.location().is_some_and(|l| l.starts_with(callback)),
        "{:?}",
        page.location()
    );
    assert_eq!(params.get("state").map(String::as_str), Some(state));
    assert_eq!(params.get("iss").map(String::as_str), Some(app.service.issuer()));
    params.get("code").expect("a code").clone()
}

pub(crate) fn assert_code(page: &Page, app: &TestApp) -> String {
    let params = page.redirect_params();
    assert!(page.location().is_some_and(|l| l.starts_with(CALLBACK)));
    assert_eq!(params.get("state").map(String::as_str), Some("xyz"));
    assert_eq!(params.get("iss").map(String::as_str), Some(app.service.issuer()));
    let code = params.get("code").expect("a code").clone();
    assert_eq!(code.len(), 64, "{code}");
    code
}

async fn an_unregistered_redirect_uri_is_an_error_page_and_never_a_redirect(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = photo_app(&app, false).await;
    let mut browser = Browser::new(&app);
    let page = browser
        .get(&authorize_uri(
            &client,
            &[("redirect_uri", "https://evil.example/callback")],
        ))
        .await;
    page.assert_page(StatusCode::BAD_REQUEST, "Error code: invalid_request");
    assert!(page.body.contains("has not registered"), "{}", page.body);
    let page = browser.get(&authorize_uri("no-such-client", &[])).await;
    page.assert_page(StatusCode::BAD_REQUEST, "Error code: invalid_client");
}

async fn errors_after_a_good_redirect_uri_go_back_to_the_client(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = photo_app(&app, false).await;
    let mut browser = Browser::new(&app);
    // A public client without PKCE.
    let page = browser
        .get(&authorize_uri(
            &client,
            &[("code_challenge", ""), ("code_challenge_method", "")],
        ))
        .await;
    let params = page.redirect_params();
    assert!(page.location().is_some_and(|l| l.starts_with(CALLBACK)));
    assert_eq!(params["error"], "invalid_request");
    assert_eq!(params["state"], "xyz");
    // prompt=none without a browser session.
    let page = browser.get(&authorize_uri(&client, &[("prompt", "none")])).await;
    assert_eq!(page.redirect_params()["error"], "login_required");
    assert_eq!(page.redirect_params()["state"], "xyz");
}

async fn a_password_sign_in_asks_consent_once_then_goes_straight_to_the_code(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = photo_app(&app, false).await;
    let email = unique_email();
    app.register(&email).await;
    let mut browser = Browser::new(&app);

    let form = browser.get(&authorize_uri(&client, &[("login_hint", &email)])).await;
    form.assert_page(StatusCode::OK, "Sign in to continue to Photo app.");
    assert!(
        form.body.contains(&format!("value=\"{email}\"")),
        "login_hint fills the form"
    );
    let consent = browser.password(&form, &email, PASSWORD).await;
    consent.assert_page(StatusCode::OK, "Photo app asks to:");
    for words in ["sign you in", "see your email address"] {
        assert!(consent.body.contains(words), "{words} in {}", consent.body);
    }
    // The consent form's answer is a redirect to the client: its origin may
    // be a form's target (browsers hold redirects to `form-action`).
    let csp = consent.headers[header::CONTENT_SECURITY_POLICY].to_str().expect("text");
    assert!(csp.contains("form-action 'self' https://photos.example;"), "{csp}");
    let cookie = consent.session_cookie().expect("the session cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age="] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert!(!cookie.contains("Secure"), "public_url is http here: {cookie}");
    let code = browser.decide(&consent, "allow").await;
    assert_code(&code, &app);

    // The same browser again: signed in, consent remembered.
    let again = browser.get(&authorize_uri(&client, &[])).await;
    assert_code(&again, &app);
    // prompt=login and max_age=0 ask for the password again.
    let page = browser.get(&authorize_uri(&client, &[("prompt", "login")])).await;
    page.assert_page(StatusCode::OK, "Sign in to continue to Photo app.");
    let page = browser.get(&authorize_uri(&client, &[("max_age", "0")])).await;
    page.assert_page(StatusCode::OK, "Sign in to continue to Photo app.");
    let code = browser.password(&page, &email, PASSWORD).await;
    assert_code(&code, &app);
    // Another browser is not signed in.
    let page = Browser::new(&app)
        .get(&authorize_uri(&client, &[("prompt", "none")]))
        .await;
    assert_eq!(page.redirect_params()["error"], "login_required");
}

async fn a_wrong_password_shows_the_form_again_and_sets_no_cookie(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = photo_app(&app, false).await;
    let email = unique_email();
    app.register(&email).await;
    let mut browser = Browser::new(&app);
    let form = browser.get(&authorize_uri(&client, &[])).await;
    let wrong = browser.password(&form, &email, "Not-The-Password-1").await;
    wrong.assert_page(StatusCode::BAD_REQUEST, "The email address or the password is wrong.");
    assert!(wrong.session_cookie().is_none());
    assert!(wrong.body.contains("name=\"password\""), "the form again");
    // An address without an account: the same words.
    let unknown = browser.password(&form, &unique_email(), PASSWORD).await;
    unknown.assert_page(StatusCode::BAD_REQUEST, "The email address or the password is wrong.");
    assert!(unknown.session_cookie().is_none());
}

async fn a_post_without_the_csrf_pair_does_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = photo_app(&app, false).await;
    let email = unique_email();
    app.register(&email).await;
    let mut browser = Browser::new(&app);
    let form = browser.get(&authorize_uri(&client, &[])).await;
    // Another site's form: our fields, but not the browser's CSRF cookie.
    browser.cookies.remove("registrar_csrf");
    let refused = browser.password(&form, &email, PASSWORD).await;
    refused.assert_page(StatusCode::FORBIDDEN, "The form expired. Please try again.");
    assert!(refused.session_cookie().is_none());
    // The page it shows works.
    let code = browser.password(&refused, &email, PASSWORD).await;
    code.assert_page(StatusCode::OK, "Photo app asks to:");
}

async fn an_account_with_an_authenticator_app_is_asked_for_its_code(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = photo_app(&app, true).await;
    let email = unique_email();
    let pair = app.register(&email).await;
    let (authenticator, recovery) = turn_on_totp(&app, &pair).await;
    let mut browser = Browser::new(&app);
    let form = browser.get(&authorize_uri(&client, &[])).await;
    let second = browser.password(&form, &email, PASSWORD).await;
    second.assert_page(StatusCode::OK, "Code from your authenticator app");
    assert!(
        second.session_cookie().is_none(),
        "not signed in before the second factor"
    );
    let right = authenticator.code(0);
    let wrong = browser
        .submit(
            &second,
            "Verify",
            &[("step", "second_factor"), ("code", wrong_code(&right))],
        )
        .await;
    wrong.assert_page(StatusCode::BAD_REQUEST, "The code is wrong");
    let done = browser
        .submit(
            &wrong,
            "Verify",
            &[("step", "second_factor"), ("code", &authenticator.code(1))],
        )
        .await;
    assert!(done.session_cookie().is_some());
    // A trusted client: no consent page.
    assert_code(&done, &app);
    // A recovery code works as the second factor too.
    let mut other = Browser::new(&app);
    let form = other.get(&authorize_uri(&client, &[])).await;
    let second = other.password(&form, &email, PASSWORD).await;
    let done = other
        .submit(
            &second,
            "Use the recovery code",
            &[("step", "second_factor"), ("recovery_code", &recovery[0])],
        )
        .await;
    assert_code(&done, &app);
}

async fn a_mailed_code_signs_in_and_says_the_same_for_an_unknown_address(backend: Backend) {
    let app = spawn_app_with(backend, fast_outbox).await;
    let client = photo_app(&app, true).await;
    let email = unique_email();
    app.register(&email).await;
    let mut browser = Browser::new(&app);
    let form = browser.get(&authorize_uri(&client, &[])).await;
    let code_form = browser.send_code(&form, &email).await;
    code_form.assert_page(StatusCode::OK, "we sent a sign-in code to it");
    let stranger = unique_email();
    let mut third = Browser::new(&app);
    let fresh = third.get(&authorize_uri(&client, &[])).await;
    let unknown = third.send_code(&fresh, &stranger).await;
    unknown.assert_page(StatusCode::OK, "we sent a sign-in code to it");

    let code = mailed_sign_in_code(&app, &email).await;
    let wrong = browser.email_code(&code_form, wrong_code(&code)).await;
    wrong.assert_page(StatusCode::BAD_REQUEST, "The code is wrong or expired.");
    let done = browser.email_code(&wrong, &code).await;
    assert!(done.session_cookie().is_some());
    assert_code(&done, &app);
}

async fn deny_sends_access_denied_and_a_pending_policy_must_be_ticked(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = photo_app(&app, false).await;
    let email = unique_email();
    app.register(&email).await;
    let mut browser = Browser::new(&app);
    let form = browser.get(&authorize_uri(&client, &[])).await;
    let consent = browser.password(&form, &email, PASSWORD).await;
    let denied = browser.decide(&consent, "deny").await;
    let params = denied.redirect_params();
    assert_eq!(params["error"], "access_denied");
    assert_eq!(params["state"], "xyz");

    // New terms: the consent page asks for them, each with a box to tick.
    let revision = app
        .service
        .publish_policy(policy("tac", "2.0", "Terms and conditions 2"))
        .await
        .expect("published");
    let consent = browser.get(&authorize_uri(&client, &[])).await;
    consent.assert_page(StatusCode::OK, "Terms and conditions 2");
    let id = revision.id.0.to_string();
    assert!(consent
        .body
        .contains(&format!("name=\"policies\" type=\"checkbox\" value=\"{id}\"")));
    let unticked = browser.decide(&consent, "allow").await;
    unticked.assert_page(StatusCode::BAD_REQUEST, "Tick every box to accept the terms, or deny.");
    let code = browser
        .submit(&unticked, "Allow", &[("decision", "allow"), ("policies", &id)])
        .await;
    assert_code(&code, &app);
    // Recorded, in the page's language: the next request goes straight to a code.
    use registrar_store::AdminUserStore;
    let (user, _) = app.service.user_show(&email).await.expect("the account");
    let accepted = app
        .service
        .store()
        .accepted_revisions(&user.id)
        .await
        .expect("accepted");
    let recorded = accepted.iter().find(|a| a.id == revision.id).expect("the new terms");
    assert_eq!(recorded.language, Some(registrar_domain::Language::EN));
    assert_code(&browser.get(&authorize_uri(&client, &[])).await, &app);
}

async fn logout_asks_without_a_hint_then_ends_the_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = photo_app(&app, true).await;
    let email = unique_email();
    app.register(&email).await;
    let mut browser = Browser::new(&app);
    let form = browser.get(&authorize_uri(&client, &[])).await;
    assert_code(&browser.password(&form, &email, PASSWORD).await, &app);

    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("client_id", client.as_str()),
            ("post_logout_redirect_uri", AFTER_LOGOUT),
            ("state", "s1"),
        ])
        .finish();
    // Not registered: a page, no redirect.
    let bad = browser
        .get(&format!(
            "/oauth/logout?client_id={client}&post_logout_redirect_uri=https%3A%2F%2Fevil.example%2F"
        ))
        .await;
    bad.assert_page(StatusCode::BAD_REQUEST, "has not registered");
    // A hint that is not a valid ID token of ours is no reason to skip asking.
    let ask = browser
        .get(&format!("/oauth/logout?{query}&id_token_hint=not.a.token"))
        .await;
    ask.assert_page(StatusCode::OK, "Sign out of Registrar?");
    assert!(ask.body.contains("Also sign out of the apps"));
    // Without the CSRF pair: asked again, still signed in.
    let mut forged = ask.form("Sign out");
    forged.retain(|(k, _)| k != "csrf_token");
    let refused = browser.post("/oauth/logout", &forged).await;
    refused.assert_page(StatusCode::FORBIDDEN, "The form expired. Please try again.");
    assert_code(&browser.get(&authorize_uri(&client, &[])).await, &app);

    let ask = browser.get(&format!("/oauth/logout?{query}")).await;
    let before = browser.cookies.clone();
    let out = browser.submit(&ask, "Sign out", &[("everywhere", "1")]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER, "{}", out.body);
    assert_eq!(out.location(), Some(format!("{AFTER_LOGOUT}?state=s1").as_str()));
    let cleared = out.session_cookie().expect("the cookie is cleared");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert!(!browser.cookies.contains_key("registrar_session"));
    // The old cookie is dead too.
    let mut stale = Browser::new(&app);
    stale.cookies = before;
    assert!(stale.cookies.contains_key("registrar_session"));
    let page = stale.get(&authorize_uri(&client, &[("prompt", "none")])).await;
    assert_eq!(page.redirect_params()["error"], "login_required");

    // Signed out already, without a redirect URI: "you are signed out".
    let done = browser.get("/oauth/logout").await;
    done.assert_page(StatusCode::OK, "You are signed out");
}

async fn the_page_speaks_the_language_of_ui_locales(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = photo_app(&app, false).await;
    let mut browser = Browser::new(&app);
    let page = browser
        .get(&authorize_uri(&client, &[("ui_locales", "xx nl-BE fr")]))
        .await;
    page.assert_page(StatusCode::OK, "Meld u aan om door te gaan naar Photo app.");
    assert!(page.body.contains("<html lang=\"nl\">"));
    let forgot = browser.get(&format!("/oauth/forgot-password?client_id={client}")).await;
    forgot.assert_page(StatusCode::OK, "Forgot your password?");
}

/// The passkey button's options on a page (the `data-options` its script reads).
fn passkey_options(page: &Page) -> serde_json::Value {
    let key = "data-options=\"";
    let start = page
        .body
        .find(key)
        .unwrap_or_else(|| panic!("a passkey form in {}", page.body))
        + key.len();
    let end = start + page.body[start..].find('"').expect("the attribute ends");
    serde_json::from_str(&unescape(&page.body[start..end])).expect("JSON options")
}

async fn a_passkey_signs_in_on_the_page(backend: Backend) {
    let app = spawn_app_with(backend, crate::passkeys::relying_party).await;
    let client = photo_app(&app, true).await;
    let email = unique_email();
    let pair = app.register(&email).await;
    let mut authenticator = SoftPasskey::new();
    crate::passkeys::add_passkey(&app, &pair, &mut authenticator, "Phone").await;
    let mut browser = Browser::new(&app);
    let form = browser.get(&authorize_uri(&client, &[])).await;
    form.assert_page(StatusCode::OK, "Sign in with a passkey");
    let credential = authenticator
        .get(ORIGIN, &passkey_options(&form))
        .expect("the authenticator answers");
    let done = browser
        .submit(
            &form,
            "Sign in with a passkey",
            &[("credential", &credential.to_string())],
        )
        .await;
    assert!(done.session_cookie().is_some(), "{}", done.body);
    assert_code(&done, &app);

    // As the second factor, after the password of an account with an authenticator app too.
    turn_on_totp(&app, &pair).await;
    let mut other = Browser::new(&app);
    let form = other.get(&authorize_uri(&client, &[])).await;
    let second = other.password(&form, &email, PASSWORD).await;
    second.assert_page(StatusCode::OK, "Use a passkey");
    let credential = authenticator
        .get(ORIGIN, &passkey_options(&second))
        .expect("the authenticator answers");
    let done = other
        .submit(&second, "Use a passkey", &[("credential", &credential.to_string())])
        .await;
    assert_code(&done, &app);
}

/// A cross-site POST carries no SameSite=Lax cookie: an authorization or
/// logout request sent by POST is turned into the same request by GET,
/// which does. And a consent post cannot skip the sign-in `prompt=login`
/// asks for.
async fn posts_from_the_client_go_by_get_and_consent_needs_the_asked_sign_in(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = photo_app(&app, false).await;
    let email = unique_email();
    app.register(&email).await;

    let uri = authorize_uri(&client, &[]);
    let query: Vec<(String, String)> = url::Url::parse(&format!("http://x{uri}"))
        .expect("a URL")
        .query_pairs()
        .into_owned()
        .collect();
    let mut stranger = Browser::new(&app);
    let posted = stranger.post("/oauth/authorize", &query).await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    let location = posted.location().expect("a Location").to_owned();
    assert!(location.starts_with("/oauth/authorize?"), "{location}");
    let again: BTreeMap<String, String> = url::Url::parse(&format!("http://x{location}"))
        .expect("a URL")
        .query_pairs()
        .into_owned()
        .collect();
    assert_eq!(again, query.iter().cloned().collect(), "the same request");

    let logout = [
        ("client_id".to_owned(), client.clone()),
        ("post_logout_redirect_uri".to_owned(), AFTER_LOGOUT.to_owned()),
        ("state".to_owned(), "s9".to_owned()),
    ];
    let posted = stranger.post("/oauth/logout", &logout).await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    assert!(
        posted.location().is_some_and(|l| l.starts_with("/oauth/logout?")),
        "{:?}",
        posted.location()
    );

    // Signed in and consented long ago; the client asks for a fresh sign-in.
    let mut browser = Browser::new(&app);
    let form = browser.get(&authorize_uri(&client, &[])).await;
    let consent = browser.password(&form, &email, PASSWORD).await;
    assert_code(&browser.decide(&consent, "allow").await, &app);
    let fresh = browser
        .get(&authorize_uri(
            &client,
            &[("prompt", "login"), ("scope", "openid email phone")],
        ))
        .await;
    fresh.assert_page(StatusCode::OK, "Sign in to continue to Photo app.");
    // Posting the consent step instead of signing in shows the form again.
    let mut skipped = fresh.form("Email me a sign-in code instead");
    skipped.retain(|(k, _)| k != "step");
    skipped.push(("step".into(), "consent".into()));
    skipped.push(("decision".into(), "allow".into()));
    let page = browser.post("/oauth/authorize", &skipped).await;
    page.assert_page(StatusCode::OK, "Sign in to continue to Photo app.");
}

on_both_backends!(
    a_passkey_signs_in_on_the_page,
    posts_from_the_client_go_by_get_and_consent_needs_the_asked_sign_in,
    an_unregistered_redirect_uri_is_an_error_page_and_never_a_redirect,
    errors_after_a_good_redirect_uri_go_back_to_the_client,
    a_password_sign_in_asks_consent_once_then_goes_straight_to_the_code,
    a_wrong_password_shows_the_form_again_and_sets_no_cookie,
    a_post_without_the_csrf_pair_does_nothing,
    an_account_with_an_authenticator_app_is_asked_for_its_code,
    a_mailed_code_signs_in_and_says_the_same_for_an_unknown_address,
    deny_sends_access_denied_and_a_pending_policy_must_be_ticked,
    logout_asks_without_a_hint_then_ends_the_session,
    the_page_speaks_the_language_of_ui_locales,
);
