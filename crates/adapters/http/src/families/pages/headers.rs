//! What every page response carries: HTML, the security headers, never cached.
//!
//! The pages load nothing: their one stylesheet is inline, allowed by its
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

/// `Content-Security-Policy` of every page: nothing but our inline style,
/// forms post only to us, no framing, no `<base>`.
pub fn content_security_policy() -> &'static str {
    static CSP: OnceLock<String> = OnceLock::new();
    CSP.get_or_init(|| {
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE.as_bytes()));
        format!(
            "default-src 'none'; style-src 'sha256-{hash}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        )
    })
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
    let mut response = HttpResponse::build(status);
    response.content_type("text/html; charset=utf-8");
    for (name, value) in security_headers() {
        response.insert_header((name, value));
    }
    if let Some(cookie) = set_cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response.append_header((header::SET_COOKIE, cookie));
    }
    response.body(html)
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
