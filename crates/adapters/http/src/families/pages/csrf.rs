//! CSRF protection of the forms (reset, signup, the OAuth pages), stateless (instances share
//! no memory): a signed double submit. The form page sets a token in a
//! cookie (`HttpOnly; SameSite=Strict`, `Secure` over https, its `Path` the
//! form's pages: [`RESET_PATH`], [`SIGNUP_PATH`] or [`OAUTH_PATH`]) and puts the same value
//! in a hidden field; a POST is only acted on when both are present, equal,
//! and the token is one we made for this very page: a random nonce and the
//! HMAC-SHA-256, under the server secret, of the page kind, the nonce and
//! the page's link token ([`Binding`]). Another site can make a browser
//! post the form but can neither read nor set our cookie, and no token of
//! its own making, nor one of another link, passes.

use actix_web::http::header;
use actix_web::HttpRequest;
use rand::rngs::OsRng;
use rand::RngCore;
use registrar_domain::SecretKey;

/// The cookie's name.
pub const COOKIE: &str = "registrar_csrf";
/// The hidden field's name.
pub const FIELD: &str = "csrf_token";
/// Where the reset form's cookie is sent: only to the reset pages.
pub const RESET_PATH: &str = "/reset-password";
/// Where the signup form's cookie is sent: only to `/confirm/signup/{id}`
/// (a cookie path covers the paths below it).
pub const SIGNUP_PATH: &str = "/confirm/signup";
/// Where the cookie of the OAuth pages (sign-in, consent, logout) is sent.
pub const OAUTH_PATH: &str = "/oauth";
/// Random bytes of the nonce (64 hex characters), then 64 of the MAC.
const NONCE_BYTES: usize = 32;
const TOKEN_LEN: usize = 4 * NONCE_BYTES;

/// What a token is bound to: the server secret, the page kind and the
/// page's link token.
pub struct Binding<'a> {
    key: &'a SecretKey,
    page: &'static str,
    /// The cookie's `Path`: the pages of this kind.
    path: &'static str,
    link: &'a str,
}

impl<'a> Binding<'a> {
    /// The reset form of `/reset-password/{link}`.
    pub fn reset(key: &'a SecretKey, link: &'a str) -> Self {
        Self {
            key,
            page: "reset",
            path: RESET_PATH,
            link,
        }
    }

    /// The activation form of `/confirm/signup/{link}`.
    pub fn signup(key: &'a SecretKey, link: &'a str) -> Self {
        Self {
            key,
            page: "signup",
            path: SIGNUP_PATH,
            link,
        }
    }

    /// The forms of the authorization and logout pages, which have no link
    /// token: one kind for both, so that a sign-in and a logout open in two
    /// tabs do not take each other's cookie.
    pub fn oauth(key: &'a SecretKey) -> Self {
        Self {
            key,
            page: "oauth",
            path: OAUTH_PATH,
            link: "",
        }
    }

    fn mac(&self, nonce: &str) -> String {
        self.key
            .digest(&format!("csrf:{}", self.page), &format!("{nonce}:{}", self.link))
    }

    /// A fresh token for this page: 128 lowercase hex characters.
    pub fn new_token(&self) -> String {
        let mut buf = [0u8; NONCE_BYTES];
        OsRng.fill_bytes(&mut buf);
        let nonce = hex::encode(buf);
        let mac = self.mac(&nonce);
        format!("{nonce}{mac}")
    }

    /// Whether `token` was made by us for this page.
    pub fn signed(&self, token: &str) -> bool {
        if !well_formed(token) {
            return false;
        }
        let (nonce, mac) = token.split_at(2 * NONCE_BYTES);
        constant_time_eq(mac, &self.mac(nonce))
    }

    /// The token a form should carry: the browser's own if it is one of
    /// this page (several open tabs keep working), else a new one that must
    /// then be set.
    pub fn for_form(&self, req: &HttpRequest) -> (String, bool) {
        match from_cookie(req).filter(|t| self.signed(t)) {
            Some(token) => (token, false),
            None => (self.new_token(), true),
        }
    }

    /// The token for a form page and, when it is new, the `Set-Cookie`
    /// value that hands it to the browser.
    pub fn for_page(&self, req: &HttpRequest) -> (String, Option<String>) {
        let (token, is_new) = self.for_form(req);
        let cookie = is_new.then(|| set_cookie(&token, self.path, is_https(req)));
        (token, cookie)
    }

    /// The check of a posted form: cookie and field both present, equal
    /// (in constant time) and signed for this page. Returns the token.
    pub fn check(&self, req: &HttpRequest, field: Option<&str>) -> Option<String> {
        let cookie = from_cookie(req)?;
        let field = field?;
        (constant_time_eq(&cookie, field) && self.signed(&cookie)).then_some(cookie)
    }
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether a value can be a token of ours (anything else is ignored, and
/// never reaches a page).
fn well_formed(value: &str) -> bool {
    value.len() == TOKEN_LEN && value.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The token of the request's cookie, if it has a well-formed one.
fn from_cookie(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.trim().trim_matches('"'))
        .filter(|value| well_formed(value))
        .map(str::to_owned)
}

/// Whether a request is a browser's form submission (a navigation), which
/// must go through the form's CSRF check even without the field — never
/// through the JSON API of the same address. Apps (and `fetch`) send no
/// such header.
pub fn is_browser_form(req: &HttpRequest) -> bool {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_ascii_lowercase())
    };
    header("sec-fetch-mode").as_deref() == Some("navigate") || header("sec-fetch-dest").as_deref() == Some("document")
}

/// Whether the request came over https (directly or, per `Forwarded` /
/// `X-Forwarded-Proto`, through a proxy that terminates TLS).
pub fn is_https(req: &HttpRequest) -> bool {
    req.connection_info().scheme().eq_ignore_ascii_case("https")
}

/// The `Set-Cookie` value that hands `token` to the browser for the pages
/// under `path`.
pub fn set_cookie(token: &str, path: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={token}; Path={path}; HttpOnly; SameSite=Strict{secure}")
}

/// The `Set-Cookie` value that removes the cookie of the pages under `path`
/// (the form is done with).
pub fn clear_cookie(path: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}=; Path={path}; Max-Age=0; HttpOnly; SameSite=Strict{secure}")
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn key() -> SecretKey {
        SecretKey::new(&[9; 32]).expect("32 bytes")
    }

    fn with_cookie(token: &str) -> HttpRequest {
        with_headers(&[("cookie", &format!("a=1; {COOKIE}={token}; b=2"))])
    }

    /// A request with these headers.
    fn with_headers(headers: &[(&str, &str)]) -> HttpRequest {
        headers
            .iter()
            .fold(TestRequest::default(), |request, (name, value)| {
                request.insert_header((*name, *value))
            })
            .to_http_request()
    }

    #[test]
    fn tokens_are_random_signed_hex() {
        let key = key();
        let bind = Binding::reset(&key, "link-1");
        let (a, b) = (bind.new_token(), bind.new_token());
        assert!(well_formed(&a) && well_formed(&b), "{a} {b}");
        assert_ne!(a, b);
        assert!(bind.signed(&a));
    }

    #[test]
    fn the_check_wants_both_equal_and_signed_for_this_page() {
        let key = key();
        let bind = Binding::reset(&key, "link-1");
        let t = bind.new_token();
        assert_eq!(bind.check(&with_cookie(&t), Some(&t)), Some(t.clone()));
        assert_eq!(bind.check(&with_cookie(&t), Some(&bind.new_token())), None, "unequal");
        assert_eq!(bind.check(&with_headers(&[]), Some(&t)), None, "no cookie");
        assert_eq!(bind.check(&with_cookie(&t), None), None, "no field");
        // Any well-formed pair of our own making does not pass ...
        let forged = "a".repeat(TOKEN_LEN);
        assert_eq!(bind.check(&with_cookie(&forged), Some(&forged)), None, "not signed");
        // ... nor a token of another link, another page kind or another secret.
        let other_link = Binding::reset(&key, "link-2").new_token();
        assert_eq!(bind.check(&with_cookie(&other_link), Some(&other_link)), None);
        let other_page = Binding::signup(&key, "link-1").new_token();
        assert_eq!(bind.check(&with_cookie(&other_page), Some(&other_page)), None);
        let other_key = SecretKey::new(&[8; 32]).expect("32 bytes");
        let other_secret = Binding::reset(&other_key, "link-1").new_token();
        assert_eq!(bind.check(&with_cookie(&other_secret), Some(&other_secret)), None);
        let upper = t.to_uppercase();
        assert_eq!(bind.check(&with_cookie(&upper), Some(&upper)), None);
    }

    #[test]
    fn a_form_reuses_the_browsers_token_of_this_page_only() {
        let key = key();
        let bind = Binding::signup(&key, "id-1");
        let t = bind.new_token();
        assert_eq!(bind.for_form(&with_cookie(&t)), (t, false));
        let other = Binding::signup(&key, "id-2").new_token();
        let (fresh, must_set) = bind.for_form(&with_cookie(&other));
        assert!(must_set && bind.signed(&fresh));
        let req = with_headers(&[("cookie", &format!("{COOKIE}=<script>"))]);
        assert!(bind.for_form(&req).1, "a malformed cookie is ignored");
    }

    #[test]
    fn browser_navigations_are_forms() {
        assert!(!is_browser_form(&with_headers(&[])));
        assert!(is_browser_form(&with_headers(&[("sec-fetch-mode", "navigate")])));
        let req = with_headers(&[("sec-fetch-mode", "cors"), ("sec-fetch-dest", "empty")]);
        assert!(!is_browser_form(&req), "fetch() from an app is the API");
    }

    #[test]
    fn cookie_attributes() {
        let c = set_cookie("ab", RESET_PATH, false);
        assert_eq!(c, "registrar_csrf=ab; Path=/reset-password; HttpOnly; SameSite=Strict");
        assert!(set_cookie("ab", RESET_PATH, true).ends_with("; Secure"));
        assert!(clear_cookie(RESET_PATH, false).contains("Max-Age=0"));
        let c = set_cookie("ab", SIGNUP_PATH, false);
        assert_eq!(c, "registrar_csrf=ab; Path=/confirm/signup; HttpOnly; SameSite=Strict");
        assert_eq!(
            clear_cookie(SIGNUP_PATH, true),
            "registrar_csrf=; Path=/confirm/signup; Max-Age=0; HttpOnly; SameSite=Strict; Secure"
        );
    }

    #[test]
    fn https_directly_or_behind_a_proxy() {
        assert!(!is_https(&with_headers(&[])));
        assert!(is_https(&with_headers(&[("x-forwarded-proto", "https")])));
    }
}
