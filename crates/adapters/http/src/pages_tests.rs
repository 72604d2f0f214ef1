//! The pages through actix, over the in-memory adapters.

use actix_web::body::MessageBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::{header, StatusCode};
use actix_web::{test, web, App};
use registrar_memory::{MemoryMailer, MemoryStore};
use registrar_service::testing::{self, Raw};
use registrar_service::{Registrar, ServiceError};

use crate::families::core::requests::{PasswordGrantRequest, RegisterRequest};
use crate::families::pages::csrf;
use crate::test_world::{self, World};

const EMAIL: &str = test_world::ANN;
const OLD: &str = test_world::PASSWORD;
const NEW: &str = "Battery-Staple-77";
/// Signs up email-first (no password, no policies) in the signup tests.
const NEWCOMER: &str = "bob@example.com";

/// The shared world (see `registrar_service::testing`) with Ann registered
/// and her confirmation mailed.
async fn world() -> World {
    let world = test_world::world(testing::policy_revision).await;
    let request: RegisterRequest = serde_json::from_value(world.registration()).expect("a registration");
    world
        .app
        .register_raw(request.into_input(None), local())
        .await
        .expect("registers");
    world
}

/// Requests from this machine.
fn local() -> registrar_domain::ClientIp {
    testing::local_ip()
}

impl World {
    /// The token at the end of the last link of this kind mailed to Ann.
    async fn token(&self, kind: &str) -> String {
        let link = self.last_link(EMAIL, kind).await;
        link.rsplit('/').next().expect("token").to_owned()
    }

    async fn reset_token(&self) -> String {
        self.app
            .forgot_password_raw(Some(EMAIL.into()), local())
            .await
            .expect("forgot");
        self.token("password_reset").await
    }

    async fn login(&self, password: &str) -> Result<(), ServiceError> {
        self.login_as(EMAIL, password).await
    }

    async fn login_as(&self, email: &str, password: &str) -> Result<(), ServiceError> {
        let grant: PasswordGrantRequest = serde_json::from_value(self.login_body(email, password)).expect("a login");
        self.app.login_raw(grant.into(), local()).await.map(drop)
    }

    /// A fresh CSRF token of the reset page of `token`.
    fn reset_csrf(&self, token: &str) -> String {
        csrf::Binding::reset(&self.app.settings().secret_key, token).new_token()
    }

    /// A fresh CSRF token of the signup page of `id`.
    fn signup_csrf(&self, id: &str) -> String {
        csrf::Binding::signup(&self.app.settings().secret_key, id).new_token()
    }

    /// Signs the newcomer up (email-first): the id at the end of the mailed link.
    async fn signup_id(&self) -> String {
        self.app
            .signup_raw(Some(NEWCOMER.into()), Some("en".into()), None, local())
            .await
            .expect("signs up");
        let link = self.last_link(NEWCOMER, "signup_confirmation").await;
        let (_, id) = link.split_once("/confirm/signup/").expect("a signup link");
        id.to_owned()
    }
}

/// The pages' routes over `app`, as actix would serve them.
macro_rules! server {
    ($app:expr) => {
        test::init_service(App::new().app_data(web::Data::new($app.clone())).configure(|cfg| {
            let mut routes = crate::edge::routes::Routes::<MemoryStore, MemoryMailer>::on(cfg);
            crate::families::pages::routes(&mut routes);
            // `POST /confirm/signup/{id}` is the JSON API's; it hands browser forms to the page.
            crate::dispatch::routes(&mut routes);
        }))
        .await
    };
}

/// Sends a `TestRequest`; `.await` it for the whole answer.
macro_rules! call {
    ($server:expr, $request:expr $(,)?) => {
        async { answer(test::call_service(&$server, ($request).to_request()).await) }
    };
}

struct Answer {
    status: StatusCode,
    headers: header::HeaderMap,
    body: String,
}

impl Answer {
    fn header(&self, name: header::HeaderName) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }

    fn cookie(&self) -> Option<&str> {
        self.headers.get(header::SET_COOKIE).and_then(|v| v.to_str().ok())
    }

    /// The value of the hidden CSRF field.
    fn csrf_field(&self) -> String {
        let start = self.body.find("name=\"csrf_token\" value=\"").expect("hidden field") + 25;
        let len = self.body[start..].find('"').expect("the value ends");
        self.body[start..start + len].to_owned()
    }

    /// A page with this status that says `text`.
    fn assert_page(&self, status: StatusCode, text: &str) {
        assert_eq!(self.status, status, "{}", self.body);
        self.assert_page_headers();
        assert!(self.body.contains(text), "{text} in {}", self.body);
    }

    /// Refused for a CSRF pair that does not match: the form again (it has
    /// `field`), and the retry works: the page's hidden value matches the
    /// browser's cookie, the one it sent or the one set now for `path`.
    fn assert_form_again(&self, cookie: Option<&str>, field: &str, path: &str) {
        self.assert_page(StatusCode::FORBIDDEN, "The form expired. Please try again.");
        assert!(self.body.contains(field), "the form again");
        match cookie {
            Some(c) => assert_eq!(self.csrf_field(), c),
            None => {
                let set = self.cookie().expect("a new cookie");
                assert!(
                    set.contains(&self.csrf_field()) && set.contains(&format!("Path={path}")),
                    "{set}"
                );
            }
        }
    }

    fn assert_page_headers(&self) {
        assert!(self.header(header::CONTENT_TYPE).starts_with("text/html"));
        let csp = self.header(header::CONTENT_SECURITY_POLICY);
        for part in [
            "default-src 'none'",
            "style-src 'sha256-",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        ] {
            assert!(csp.contains(part), "{part} in {csp}");
        }
        assert_eq!(self.header(header::X_FRAME_OPTIONS), "DENY");
        assert_eq!(self.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
        assert_eq!(self.header(header::REFERRER_POLICY), "no-referrer");
        assert_eq!(self.header(header::CACHE_CONTROL), "no-store");
    }
}

fn answer(response: ServiceResponse) -> Answer {
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().try_into_bytes().unwrap_or_default();
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// A form posted to `uri`, with the CSRF cookie if given.
fn post_page(uri: &str, cookie: Option<&str>, body: &str) -> test::TestRequest {
    let mut request = test::TestRequest::post()
        .uri(uri)
        .insert_header((header::CONTENT_TYPE, "application/x-www-form-urlencoded"))
        .set_payload(body.to_owned());
    if let Some(value) = cookie {
        request = request.insert_header((header::COOKIE, format!("{}={value}", csrf::COOKIE)));
    }
    request
}

fn post_form(token: &str, cookie: Option<&str>, body: &str) -> test::TestRequest {
    post_page(&format!("/reset-password/{token}"), cookie, body)
}

fn post_signup(id: &str, cookie: Option<&str>, body: &str) -> test::TestRequest {
    post_page(&format!("/confirm/signup/{id}"), cookie, body)
}

/// The pairs of CSRF cookie and hidden field that do not match: no cookie,
/// an empty field, another token.
fn mismatched<'a>(value: &'a str, other: &'a str) -> [(Option<&'a str>, &'a str); 3] {
    [(None, value), (Some(value), ""), (Some(value), other)]
}

/// The signup form as a browser sends it: an unticked box and empty
/// password fields are sent as nothing and as empty values.
fn signup_body(csrf: &str, consent: Option<&str>, password: &str, confirmation: &str) -> String {
    let mut body = form_urlencoded::Serializer::new(String::new());
    body.append_pair("csrf_token", csrf);
    if let Some(consent) = consent {
        body.append_pair("consent", consent);
    }
    body.append_pair("password", password)
        .append_pair("password_confirmation", confirmation)
        .finish()
}

fn form_body(csrf: &str, password: &str, confirmation: &str) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("csrf_token", csrf)
        .append_pair("password", password)
        .append_pair("password_confirmation", confirmation)
        .finish()
}

#[actix_web::test]
async fn a_confirmation_link_confirms_once() {
    let w = world().await;
    let server = server!(w.app);
    let token = w.token("confirmation").await;
    let uri = format!("/confirm/{token}");

    let first = call!(server, test::TestRequest::get().uri(&uri)).await;
    first.assert_page(StatusCode::OK, "Your email address is confirmed.");
    assert!(first.body.contains(r#"<meta name="viewport""#));
    assert!(!first.body.contains(&token), "the token is not on the page");

    let again = call!(
        server,
        test::TestRequest::get()
            .uri(&uri)
            .insert_header((header::ACCEPT_LANGUAGE, "nl-BE,nl;q=0.9")),
    )
    .await;
    // Opened again (or fetched by a mail scanner first): the address is confirmed.
    again.assert_page(StatusCode::OK, "Deze link is al gebruikt: je e-mailadres is bevestigd.");
    assert!(again.body.contains(r#"<html lang="nl">"#));

    let unknown = call!(server, test::TestRequest::get().uri("/confirm/0123abc")).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn the_reset_form_sets_a_csrf_cookie_and_the_same_hidden_value() {
    let w = world().await;
    let server = server!(w.app);
    let token = w.reset_token().await;

    let form = call!(
        server,
        test::TestRequest::get().uri(&format!("/reset-password/{token}"))
    )
    .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    form.assert_page_headers();
    let cookie = form.cookie().expect("a CSRF cookie");
    let value = form.csrf_field();
    assert_eq!(
        cookie,
        format!("registrar_csrf={value}; Path=/reset-password; HttpOnly; SameSite=Strict")
    );
    assert!(form.body.contains("Choose a new password"));

    // A browser that has the cookie keeps it (two tabs both work).
    let again = call!(
        server,
        test::TestRequest::get()
            .uri(&format!("/reset-password/{token}"))
            .insert_header((header::COOKIE, format!("registrar_csrf={value}"))),
    )
    .await;
    assert_eq!(again.cookie(), None);
    assert_eq!(again.csrf_field(), value);

    // Over https (here: said by the proxy), the cookie is Secure.
    let https = call!(
        server,
        test::TestRequest::get()
            .uri(&format!("/reset-password/{token}"))
            .insert_header(("x-forwarded-proto", "https")),
    )
    .await;
    assert!(https.cookie().expect("cookie").ends_with("; Secure"));

    let invalid = call!(server, test::TestRequest::get().uri("/reset-password/abc")).await;
    invalid.assert_page(StatusCode::NOT_FOUND, "This link is invalid, already used or expired.");
}

#[actix_web::test]
async fn a_post_without_the_matching_csrf_pair_changes_nothing() {
    let w = world().await;
    let server = server!(w.app);
    let token = w.reset_token().await;
    let value = w.reset_csrf(&token);
    let other = w.reset_csrf(&token);

    for (cookie, field) in mismatched(&value, &other) {
        let answer = call!(server, post_form(&token, cookie, &form_body(field, NEW, NEW))).await;
        answer.assert_form_again(cookie, r#"name="password""#, "/reset-password");
    }
    w.login(OLD).await.expect("the old password still works");
    assert!(
        w.app.reset_link_valid(&token).await.expect("valid"),
        "the link is still live"
    );
}

#[actix_web::test]
async fn the_form_explains_what_is_wrong() {
    let w = world().await;
    let server = server!(w.app);
    let token = w.reset_token().await;
    let value = w.reset_csrf(&token);

    let mismatch = call!(
        server,
        post_form(&token, Some(&value), &form_body(&value, NEW, "other-one-77"))
    )
    .await;
    mismatch.assert_page(StatusCode::BAD_REQUEST, "The passwords do not match.");
    assert!(!mismatch.body.contains(NEW), "passwords are never echoed");
    assert_eq!(mismatch.csrf_field(), value);

    let short = call!(
        server,
        post_form(&token, Some(&value), &form_body(&value, "short", "short"))
            .insert_header((header::ACCEPT_LANGUAGE, "de")),
    )
    .await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    assert!(
        short.body.contains("Das Passwort muss mindestens 8 Zeichen lang sein."),
        "{}",
        short.body
    );

    let common = call!(
        server,
        post_form(&token, Some(&value), &form_body(&value, "password123", "password123"))
    )
    .await;
    assert_eq!(common.status, StatusCode::BAD_REQUEST);
    assert!(common.body.contains("This password is too common."), "{}", common.body);

    let missing = call!(server, post_form(&token, Some(&value), &form_body(&value, "", ""))).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert!(missing.body.contains("This field is required."), "{}", missing.body);

    w.login(OLD).await.expect("nothing changed yet");
}

#[actix_web::test]
async fn a_good_post_resets_the_password_and_uses_up_the_link() {
    let w = world().await;
    let server = server!(w.app);
    let token = w.reset_token().await;
    let value = w.reset_csrf(&token);

    let done = call!(server, post_form(&token, Some(&value), &form_body(&value, NEW, NEW))).await;
    done.assert_page(StatusCode::OK, "Password changed");
    assert!(done.body.contains("every session is signed out"), "{}", done.body);
    assert!(done.cookie().expect("cookie cleared").contains("Max-Age=0"));

    w.login(NEW).await.expect("the new password works");
    assert!(w.login(OLD).await.is_err(), "the old one does not");

    for (password, confirmation) in [(NEW, NEW), (NEW, "Another-One-88")] {
        let used = call!(
            server,
            post_form(&token, Some(&value), &form_body(&value, password, confirmation))
        )
        .await;
        used.assert_page(StatusCode::NOT_FOUND, "This link is invalid, already used or expired.");
    }
    let form = call!(
        server,
        test::TestRequest::get().uri(&format!("/reset-password/{token}"))
    )
    .await;
    assert_eq!(form.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn an_unreadable_body_gets_the_form_again() {
    let w = world().await;
    let server = server!(w.app);
    let token = w.reset_token().await;
    let answer = call!(
        server,
        test::TestRequest::post()
            .uri(&format!("/reset-password/{token}"))
            .insert_header((header::CONTENT_TYPE, "text/plain"))
            .set_payload("password=x"),
    )
    .await;
    answer.assert_page(StatusCode::UNSUPPORTED_MEDIA_TYPE, "The form could not be read.");
}

#[actix_web::test]
async fn the_csp_hash_matches_the_inline_style() {
    use base64::Engine;
    use sha2::{Digest, Sha256};

    let w = world().await;
    let server = server!(w.app);
    let page = call!(server, test::TestRequest::get().uri("/confirm/nothing")).await;
    let start = page.body.find("<style>").expect("style") + "<style>".len();
    let end = page.body.find("</style>").expect("end of style");
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&page.body.as_bytes()[start..end]));
    assert!(
        page.header(header::CONTENT_SECURITY_POLICY)
            .contains(&format!("style-src 'sha256-{hash}'")),
        "{}",
        page.header(header::CONTENT_SECURITY_POLICY)
    );
    assert_eq!(page.body.matches("<style>").count(), 1);
    assert!(!page.body.contains("<script"), "no script, no third-party anything");
    assert!(
        !page.body.contains("http://") && !page.body.contains("https://"),
        "loads nothing"
    );
}

#[actix_web::test]
async fn the_signup_form_sets_its_own_csrf_cookie_and_the_same_hidden_value() {
    let w = world().await;
    let server = server!(w.app);
    let id = w.signup_id().await;
    let uri = format!("/confirm/signup/{id}");

    let form = call!(server, test::TestRequest::get().uri(&uri)).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    form.assert_page_headers();
    let value = form.csrf_field();
    assert_eq!(
        form.cookie().expect("a CSRF cookie"),
        format!("registrar_csrf={value}; Path=/confirm/signup; HttpOnly; SameSite=Strict"),
        "the cookie goes to the signup pages only"
    );
    for needle in [
        "<h1>Activate your account</h1>",
        r#"<form method="post">"#,
        r#"name="consent" type="checkbox" value="1">"#,
        "I consent to the processing of my account data to provide the service.",
        r#"name="password" type="password""#,
        r#"name="password_confirmation" type="password""#,
        "Password (optional)",
    ] {
        assert!(form.body.contains(needle), "{needle} in {}", form.body);
    }
    assert!(!form.body.contains(r#"id="notice""#), "{}", form.body);
    assert!(!form.body.contains(&id), "the link's id is not on the page");

    // A browser that has the cookie keeps it; https makes it Secure.
    let again = call!(
        server,
        test::TestRequest::get()
            .uri(&uri)
            .insert_header((header::COOKIE, format!("registrar_csrf={value}")))
            .insert_header((header::ACCEPT_LANGUAGE, "nl")),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.cookie(), None);
    assert_eq!(again.csrf_field(), value);
    assert!(again.body.contains("Activeer je account"), "{}", again.body);
    assert!(again.body.contains(r#"<html lang="nl">"#));
    let https = call!(
        server,
        test::TestRequest::get()
            .uri(&uri)
            .insert_header(("x-forwarded-proto", "https")),
    )
    .await;
    assert!(https.cookie().expect("cookie").ends_with("; Secure"));

    let invalid = call!(server, test::TestRequest::get().uri("/confirm/signup/abc")).await;
    invalid.assert_page(StatusCode::NOT_FOUND, "This link is invalid, already used or expired.");
    assert!(
        w.app.signup_link_valid(&id).await.expect("valid"),
        "opening the form uses nothing up"
    );
}

#[actix_web::test]
async fn a_signup_post_without_the_matching_csrf_pair_changes_nothing() {
    let w = world().await;
    let server = server!(w.app);
    let id = w.signup_id().await;
    let value = w.signup_csrf(&id);
    let other = w.signup_csrf(&id);

    for (cookie, field) in mismatched(&value, &other) {
        let answer = call!(
            server,
            post_signup(&id, cookie, &signup_body(field, Some("1"), NEW, NEW))
        )
        .await;
        answer.assert_form_again(cookie, r#"name="consent""#, "/confirm/signup");
    }
    assert!(
        w.app.signup_link_valid(&id).await.expect("valid"),
        "the link is still live"
    );
    assert!(w.login_as(NEWCOMER, NEW).await.is_err(), "no password was set");

    // A dead link says so, whether or not the check passes.
    let dead = call!(
        server,
        post_signup("abc", None, &signup_body(&value, Some("1"), "", ""))
    )
    .await;
    assert_eq!(dead.status, StatusCode::NOT_FOUND);
    let dead = call!(
        server,
        post_signup("abc", Some(&value), &signup_body(&value, Some("1"), "", ""))
    )
    .await;
    dead.assert_page(StatusCode::NOT_FOUND, "This link is invalid, already used or expired.");

    // Without the CSRF field the post is the app's: JSON, not a page.
    let json = call!(
        server,
        test::TestRequest::post()
            .uri(&format!("/confirm/signup/{id}"))
            .set_json(serde_json::json!({"password": NEW})),
    )
    .await;
    assert_eq!(json.status, StatusCode::BAD_REQUEST);
    assert!(json.header(header::CONTENT_TYPE).starts_with("application/json"));
    assert!(json.body.contains("consentRequired"), "{}", json.body);
}

/// Tokens are bound to their page: a well-formed pair of the attacker's own
/// making, or a real pair of another link, is refused; a browser's form
/// post without the field goes through the form's check, never the API.
#[actix_web::test]
async fn csrf_tokens_are_bound_to_their_link_and_browser_posts_are_forms() {
    let w = world().await;
    let server = server!(w.app);
    let id = w.signup_id().await;
    let token = w.reset_token().await;
    let key = &w.app.settings().secret_key;

    let forged = "ab".repeat(64);
    let of_another_link = csrf::Binding::signup(key, "another-link").new_token();
    let of_the_reset_page = csrf::Binding::reset(key, &id).new_token();
    for value in [&forged, &of_another_link, &of_the_reset_page] {
        let answer = call!(
            server,
            post_signup(&id, Some(value), &signup_body(value, Some("1"), NEW, NEW))
        )
        .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.body);
        assert_ne!(
            &answer.csrf_field(),
            value,
            "a token of this page is handed out instead"
        );
    }
    let forged_reset = call!(server, post_form(&token, Some(&forged), &form_body(&forged, NEW, NEW))).await;
    assert_eq!(forged_reset.status, StatusCode::FORBIDDEN);
    w.login(OLD).await.expect("the old password still works");

    // A cross-site form post: no field, no cookie, a browser navigation.
    let browser = call!(
        server,
        test::TestRequest::post()
            .uri(&format!("/confirm/signup/{id}"))
            .insert_header((header::CONTENT_TYPE, "application/x-www-form-urlencoded"))
            .insert_header(("sec-fetch-mode", "navigate"))
            .insert_header(("sec-fetch-dest", "document"))
            .set_payload(format!("consent=1&password={NEW}")),
    )
    .await;
    assert_eq!(browser.status, StatusCode::FORBIDDEN, "{}", browser.body);
    assert!(browser.header(header::CONTENT_TYPE).starts_with("text/html"));
    assert!(
        w.app.signup_link_valid(&id).await.expect("valid"),
        "the account was not activated"
    );
    assert!(w.login_as(NEWCOMER, NEW).await.is_err(), "no password was set");
}

#[actix_web::test]
async fn the_signup_form_explains_what_is_wrong() {
    let w = world().await;
    let server = server!(w.app);
    let id = w.signup_id().await;
    let value = w.signup_csrf(&id);
    let post = |consent: Option<&str>, password: &str, confirmation: &str| {
        post_signup(&id, Some(&value), &signup_body(&value, consent, password, confirmation))
    };

    let no_consent = call!(server, post(None, NEW, NEW)).await;
    assert_eq!(no_consent.status, StatusCode::BAD_REQUEST, "{}", no_consent.body);
    no_consent.assert_page_headers();
    assert!(
        no_consent.body.contains(
            r#"<ul class="errors" id="consent-errors"><li>Your consent is needed to activate your account.</li></ul>"#
        ),
        "{}",
        no_consent.body
    );
    assert!(!no_consent.body.contains("checked"), "{}", no_consent.body);
    assert!(!no_consent.body.contains(NEW), "passwords are never echoed");
    assert_eq!(no_consent.csrf_field(), value);

    let zero = call!(server, post(Some("0"), "", "")).await;
    assert_eq!(zero.status, StatusCode::BAD_REQUEST);
    assert!(zero.body.contains("Your consent is needed"), "{}", zero.body);

    let mismatch = call!(server, post(Some("1"), NEW, "Other-One-77")).await;
    assert_eq!(mismatch.status, StatusCode::BAD_REQUEST);
    assert!(
        mismatch.body.contains("The passwords do not match."),
        "{}",
        mismatch.body
    );
    assert!(mismatch.body.contains(" checked"), "the consent stays ticked");
    assert!(!mismatch.body.contains("consent-errors"), "{}", mismatch.body);

    let unrepeated = call!(server, post(Some("1"), NEW, "")).await;
    assert_eq!(unrepeated.status, StatusCode::BAD_REQUEST);
    assert!(
        unrepeated.body.contains("This field is required."),
        "{}",
        unrepeated.body
    );

    let short = call!(
        server,
        post(Some("1"), "short", "short").insert_header((header::ACCEPT_LANGUAGE, "de")),
    )
    .await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    assert!(
        short.body.contains("Das Passwort muss mindestens 8 Zeichen lang sein."),
        "{}",
        short.body
    );
    assert!(short.body.contains("Konto aktivieren"), "{}", short.body);

    let email = call!(server, post(Some("1"), NEWCOMER, NEWCOMER)).await;
    assert_eq!(email.status, StatusCode::BAD_REQUEST);
    assert!(
        email.body.contains("The password may not be your email address."),
        "{}",
        email.body
    );

    assert!(w.app.signup_link_valid(&id).await.expect("valid"), "nothing used up");
    assert!(w.login_as(NEWCOMER, NEW).await.is_err(), "nothing changed");
}

#[actix_web::test]
async fn a_good_signup_post_activates_the_account_and_uses_up_the_link() {
    let w = world().await;
    let server = server!(w.app);
    let id = w.signup_id().await;
    let value = w.signup_csrf(&id);

    let done = call!(
        server,
        post_signup(&id, Some(&value), &signup_body(&value, Some("1"), NEW, NEW))
    )
    .await;
    done.assert_page(StatusCode::OK, "<h1>Account active</h1>");
    assert!(
        done.body
            .contains(r#"<p id="message">Your account is active. You can now log in in the app.</p>"#),
        "only this sentence, no token: {}",
        done.body
    );
    assert!(!done.body.contains("<form"), "{}", done.body);
    assert_eq!(
        done.cookie().expect("cookie cleared"),
        "registrar_csrf=; Path=/confirm/signup; Max-Age=0; HttpOnly; SameSite=Strict"
    );

    w.login_as(NEWCOMER, NEW).await.expect("the chosen password works");

    // Used up: posted or opened again, it says the account is active.
    for consent in [Some("1"), None] {
        let used = call!(
            server,
            post_signup(&id, Some(&value), &signup_body(&value, consent, NEW, NEW))
        )
        .await;
        used.assert_page(StatusCode::OK, "This link was used before: your account is active.");
        assert!(!used.body.contains("<form"), "{}", used.body);
    }
    let again = call!(server, test::TestRequest::get().uri(&format!("/confirm/signup/{id}"))).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert!(
        again
            .body
            .contains("This link was used before: your account is active."),
        "{}",
        again.body
    );
    let unknown = call!(
        server,
        test::TestRequest::get().uri(&format!("/confirm/signup/{}", "ab".repeat(32)))
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.body);
}

#[actix_web::test]
async fn consent_alone_activates_the_account() {
    let w = world().await;
    let server = server!(w.app);
    let id = w.signup_id().await;
    let value = w.signup_csrf(&id);

    let done = call!(
        server,
        post_signup(&id, Some(&value), &signup_body(&value, Some("1"), "", ""))
            .insert_header((header::ACCEPT_LANGUAGE, "es")),
    )
    .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("Tu cuenta está activa"), "{}", done.body);
    assert!(!w.app.signup_link_valid(&id).await.expect("valid"), "used up");
}

/// Consent without a password: the page says how to set one, in every language.
#[actix_web::test]
async fn consent_without_a_password_says_how_to_set_one() {
    for (language, sentence) in [
        ("en", "it has no password yet. To log in, choose one: use “Forgot password?” in the app"),
        ("nl", "heeft nog geen wachtwoord. Kies er een om in te loggen: gebruik „Wachtwoord vergeten?” in de app"),
        ("fr", "il n'a pas encore de mot de passe. Pour vous connecter, choisissez-en un : utilisez « Mot de passe oublié ? »"),
        ("de", "hat aber noch kein Passwort. Um sich anzumelden, wählen Sie eines: Nutzen Sie „Passwort vergessen?“"),
        ("es", "aún no tiene contraseña. Para iniciar sesión, elige una: usa «¿Olvidaste tu contraseña?»"),
    ] {
        let w = world().await;
        let server = server!(w.app);
        let id = w.signup_id().await;
        let value = w.signup_csrf(&id);
        let done = call!(
            server,
            post_signup(&id, Some(&value), &signup_body(&value, Some("1"), "", ""))
                .insert_header((header::ACCEPT_LANGUAGE, language)),
        )
        .await;
        assert_eq!(done.status, StatusCode::OK, "{language}: {}", done.body);
        let escaped = sentence.replace('\'', "&#x27;");
        assert!(
            done.body.contains(sentence) || done.body.contains(&escaped),
            "{language}: {}",
            done.body
        );
        assert!(!done.body.contains("You can now log in"), "{}", done.body);
    }
    // With a password: no such hint.
    let w = world().await;
    let server = server!(w.app);
    let id = w.signup_id().await;
    let value = w.signup_csrf(&id);
    let done = call!(
        server,
        post_signup(&id, Some(&value), &signup_body(&value, Some("1"), NEW, NEW))
    )
    .await;
    assert!(done.body.contains("You can now log in in the app."), "{}", done.body);
}

/// The password forms carry the account's address for password managers,
/// and the configured length rules.
#[actix_web::test]
async fn password_forms_name_the_account_and_the_length_rules() {
    let mut w = world().await;
    let mut settings = w.app.settings().clone();
    settings.password.min_length = 10;
    settings.password.max_length = 64;
    w.app = Registrar::new(w.app.store().clone(), w.mailer.clone(), settings);
    let server = server!(w.app);
    let reset = w.reset_token().await;
    let id = w.signup_id().await;
    for (uri, address) in [
        (format!("/reset-password/{reset}"), EMAIL),
        (format!("/confirm/signup/{id}"), NEWCOMER),
    ] {
        let page = call!(server, test::TestRequest::get().uri(&uri)).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}: {}", page.body);
        assert!(
            page.body.contains(&format!(
                r#"<input id="username" name="username" type="email" autocomplete="username" value="{address}" hidden readonly>"#
            )),
            "{uri}: {}",
            page.body
        );
        for field in ["password", "password_confirmation"] {
            assert!(
                page.body.contains(&format!(
                    r#"name="{field}" type="password" autocomplete="new-password" minlength="10" maxlength="64""#
                )),
                "{uri} {field}: {}",
                page.body
            );
        }
    }
    // The form again after a mistake still has them.
    let value = w.signup_csrf(&id);
    let again = call!(
        server,
        post_signup(&id, Some(&value), &signup_body(&value, None, "", ""))
    )
    .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "{}", again.body);
    assert!(
        again.body.contains(&format!(r#"value="{NEWCOMER}" hidden readonly"#)),
        "{}",
        again.body
    );
    assert!(
        again.body.contains(r#"minlength="10" maxlength="64""#),
        "{}",
        again.body
    );
}

/// A password on the imported breached-password list below.
const BREACHED: &str = "Kittens-Breached-2019";

/// Imports a Pwned Passwords file holding `BREACHED` and a few other hashes.
async fn import_breached(app: &Registrar<MemoryStore, MemoryMailer>) {
    let mut file = format!("{}:7\n", registrar_domain::breached::hibp_hash(BREACHED));
    for i in 0..100 {
        file.push_str(&format!(
            "{}:1\r\n",
            registrar_domain::breached::hibp_hash(&format!("other-{i}"))
        ));
    }
    app.import_breached(&registrar_domain::Actor::Cli, std::io::Cursor::new(file), 1)
        .await
        .expect("imported");
}

#[actix_web::test]
async fn the_reset_and_signup_pages_refuse_a_breached_password_in_the_visitors_language() {
    let w = world().await;
    import_breached(&w.app).await;
    let server = server!(w.app);

    let token = w.reset_token().await;
    let value = w.reset_csrf(&token);
    let refused = call!(
        server,
        post_form(&token, Some(&value), &form_body(&value, BREACHED, BREACHED))
            .insert_header((header::ACCEPT_LANGUAGE, "fr")),
    )
    .await;
    refused.assert_page(
        StatusCode::BAD_REQUEST,
        "Ce mot de passe est apparu dans une fuite de données ; choisissez-en un autre.",
    );
    assert!(!refused.body.contains(BREACHED), "passwords are never echoed");
    w.login(OLD).await.expect("the old password still works");

    let id = w.signup_id().await;
    let value = w.signup_csrf(&id);
    let refused = call!(
        server,
        post_signup(&id, Some(&value), &signup_body(&value, Some("1"), BREACHED, BREACHED))
    )
    .await;
    refused.assert_page(
        StatusCode::BAD_REQUEST,
        "This password has appeared in a data breach; choose another.",
    );
    let accepted = call!(
        server,
        post_signup(&id, Some(&value), &signup_body(&value, Some("1"), NEW, NEW))
    )
    .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
}
