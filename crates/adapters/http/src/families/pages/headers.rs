//! What every page response carries: HTML, the security headers, never cached.
//!
//! The pages load nothing: their one stylesheet is inline, and so is the one
//! script (the passkey button of the sign-in page), each allowed by its
//! SHA-256 hash in the `Content-Security-Policy`; everything else is denied.
//! `Referrer-Policy: no-referrer` keeps the token in the URL from leaking
//! through any link a person follows from the page.

use std::sync::OnceLock;

use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use base64::Engine;
use sha2::{Digest, Sha256};

/// The pages' stylesheet, put verbatim into `<style>` by the layout.
pub const STYLE: &str = include_str!("../../../templates/pages/pages.css");

/// The passkey script of the sign-in page, put verbatim into `<script>`.
pub const PASSKEY_SCRIPT: &str = include_str!("../../../templates/pages/passkey.js");

fn sha256_source(text: &str) -> String {
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()))
    )
}

/// `Content-Security-Policy` of every page: nothing but our inline style and
/// passkey script, forms post only to us, no framing, no `<base>`.
pub fn content_security_policy() -> &'static str {
    static CSP: OnceLock<String> = OnceLock::new();
    CSP.get_or_init(|| {
        let style = sha256_source(STYLE);
        let script = sha256_source(PASSKEY_SCRIPT);
        format!(
            "default-src 'none'; style-src {style}; script-src {script}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        )
    })
}

/// The `Content-Security-Policy` of a page whose forms may be answered by
/// a redirect to `target` (an OAuth client's redirect URI): browsers hold a
/// form's redirects to `form-action` too, so it also allows the target's
/// origin (or its scheme, for an app's own scheme). `None` if the target
/// makes no source expression.
pub fn content_security_policy_to(target: &str) -> Option<String> {
    let url = url::Url::parse(target).ok()?;
    let source = match url.origin() {
        origin @ url::Origin::Tuple(..) => origin.ascii_serialization(),
        url::Origin::Opaque(_) => format!("{}:", url.scheme()),
    };
    let safe = source
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '/' | '.' | '-' | '+' | '[' | ']'));
    safe.then(|| content_security_policy().replace("form-action 'self'", &format!("form-action 'self' {source}")))
}

/// The headers of [`page`], for tests and for the rare response built elsewhere.
pub fn security_headers() -> [(HeaderName, &'static str); 5] {
    [
        (header::CONTENT_SECURITY_POLICY, content_security_policy()),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, "no-store"),
    ]
}

/// An HTML page with `status`, the security headers and any `Set-Cookie`.
pub fn page(status: StatusCode, html: String, set_cookie: Option<String>) -> HttpResponse {
    page_with_cookies(status, html, set_cookie.into_iter())
}

/// An HTML page with `status`, the security headers and these `Set-Cookie`s.
pub fn page_with_cookies(status: StatusCode, html: String, cookies: impl Iterator<Item = String>) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response.content_type("text/html; charset=utf-8");
    for (name, value) in security_headers() {
        response.insert_header((name, value));
    }
    for cookie in cookies.filter_map(|c| HeaderValue::from_str(&c).ok()) {
        response.append_header((header::SET_COOKIE, cookie));
    }
    response.body(html)
}

/// `303 See Other` to `location` (a redirect of the OAuth pages), with the
/// security headers and these `Set-Cookie`s.
pub fn see_other(location: &str, cookies: impl Iterator<Item = String>) -> HttpResponse {
    let mut response = HttpResponse::SeeOther();
    for (name, value) in security_headers() {
        response.insert_header((name, value));
    }
    match HeaderValue::from_str(location) {
        Ok(value) => {
            response.insert_header((header::LOCATION, value));
        }
        // A URL we built from a registered URI always is a header value.
        Err(_) => return plain_failure("redirect".to_owned()),
    }
    for cookie in cookies.filter_map(|c| HeaderValue::from_str(&c).ok()) {
        response.append_header((header::SET_COOKIE, cookie));
    }
    response.finish()
}

/// When even rendering failed: a plain sentence, same headers.
pub fn plain_failure(message: String) -> HttpResponse {
    let mut response = HttpResponse::InternalServerError();
    response.content_type("text/plain; charset=utf-8");
    for (name, value) in security_headers() {
        response.insert_header((name, value));
    }
    response.body(message)
}
