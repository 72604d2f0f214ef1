//! CSRF protection of the forms (reset, signup), stateless (instances share
//! no memory): double submit. The form page sets a random token in a cookie
//! (`HttpOnly; SameSite=Strict`, `Secure` over https, its `Path` the form's
//! pages: [`RESET_PATH`] or [`SIGNUP_PATH`]) and puts the same value in a
//! hidden field; a POST is only acted on when
//! both are present, well formed and equal. Another site can make a browser
//! post the form but can neither read nor set our cookie, so it cannot know
//! the value to put in the field.

use actix_web::http::header;
use actix_web::HttpRequest;
use rand::rngs::OsRng;
use rand::RngCore;

/// The cookie's name.
pub const COOKIE: &str = "registrar_csrf";
/// The hidden field's name.
pub const FIELD: &str = "csrf_token";
/// Where the reset form's cookie is sent: only to the reset pages.
pub const RESET_PATH: &str = "/reset-password";
/// Where the signup form's cookie is sent: only to `/confirm/signup/{id}`
/// (a cookie path covers the paths below it).
pub const SIGNUP_PATH: &str = "/confirm/signup";
/// Random bytes in a token (64 hex characters).
const BYTES: usize = 32;

/// A fresh random token: 64 lowercase hex characters.
pub fn new_token() -> String {
    let mut buf = [0u8; BYTES];
    OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

/// Whether a value can be a token of ours (anything else is ignored, and
/// never reaches a page).
fn well_formed(value: &str) -> bool {
    value.len() == 2 * BYTES && value.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The token of the request's cookie, if it has a well-formed one.
pub fn from_cookie(req: &HttpRequest) -> Option<String> {
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

/// The token a form should carry: the browser's own if it has one (several
/// open tabs keep working), else a new one that must then be set.
pub fn for_form(req: &HttpRequest) -> (String, bool) {
    match from_cookie(req) {
        Some(token) => (token, false),
        None => (new_token(), true),
    }
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

/// The double-submit check: cookie and field both present, well formed and
/// equal (compared in constant time).
pub fn matches(cookie: Option<&str>, field: Option<&str>) -> bool {
    let (Some(cookie), Some(field)) = (cookie, field) else {
        return false;
    };
    if !well_formed(cookie) || !well_formed(field) {
        return false;
    }
    cookie.bytes().zip(field.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn tokens_are_random_hex() {
        let (a, b) = (new_token(), new_token());
        assert!(well_formed(&a) && well_formed(&b), "{a} {b}");
        assert_ne!(a, b);
    }

    #[test]
    fn the_check_wants_both_equal_and_well_formed() {
        let t = new_token();
        let other = new_token();
        assert!(matches(Some(&t), Some(&t)));
        assert!(!matches(Some(&t), Some(&other)));
        assert!(!matches(None, Some(&t)));
        assert!(!matches(Some(&t), None));
        assert!(!matches(None, None));
        assert!(!matches(Some(""), Some("")));
        assert!(!matches(Some("abc"), Some("abc")));
        let upper = t.to_uppercase();
        assert!(!matches(Some(&upper), Some(&upper)));
        assert!(!matches(Some(&t), Some(&t[..63])));
    }

    #[test]
    fn reads_our_cookie_among_others() {
        let t = new_token();
        let req = TestRequest::default()
            .insert_header((header::COOKIE, format!("a=1; {COOKIE}={t}; b=2")))
            .to_http_request();
        assert_eq!(from_cookie(&req), Some(t.clone()));
        let req = TestRequest::default()
            .insert_header((header::COOKIE, format!("{COOKIE}=<script>")))
            .to_http_request();
        assert_eq!(from_cookie(&req), None, "a malformed cookie is ignored");
        let req = TestRequest::default()
            .insert_header((header::COOKIE, format!("x{COOKIE}={t}")))
            .to_http_request();
        assert_eq!(from_cookie(&req), None);
        let (fresh, must_set) = for_form(&TestRequest::default().to_http_request());
        assert!(must_set && well_formed(&fresh));
        let req = TestRequest::default()
            .insert_header((header::COOKIE, format!("{COOKIE}={t}")))
            .to_http_request();
        assert_eq!(for_form(&req), (t, false));
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
        assert!(!is_https(&TestRequest::default().to_http_request()));
        let req = TestRequest::default()
            .insert_header(("x-forwarded-proto", "https"))
            .to_http_request();
        assert!(is_https(&req));
    }
}
