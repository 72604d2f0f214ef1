//! What the OAuth pages (`/oauth/authorize`, `/oauth/logout`) share: the
//! browser-session cookie, the CSRF binding, the language, and the
//! parameters that travel through their forms as hidden fields.

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use minijinja::value::Value;
use registrar_mail::Mailer;
use registrar_service::Registrar;
use registrar_store::Store;
use serde::Serialize;

use super::answers::render_failed;
use super::csrf;
use super::headers::{content_security_policy_to, page_with_cookies};
use super::render;
use crate::edge::body::{self, Object};
use crate::edge::language::Lang;

/// The browser session's cookie.
pub const SESSION_COOKIE: &str = "registrar_session";

/// The value of the cookie `name` of the request, if any.
pub fn cookie(req: &HttpRequest, name: &str) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.trim().trim_matches('"').to_owned())
        .filter(|value| !value.is_empty())
}

/// Whether cookies must be `Secure`: `http.public_url` is https.
pub fn secure<S: Store, M: Mailer>(app: &Registrar<S, M>) -> bool {
    app.settings().public_url.starts_with("https://")
}

/// The `Set-Cookie` that hands the browser its session for `max_age` seconds.
pub fn set_session(value: &str, max_age: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}")
}

/// The `Set-Cookie` that removes the session cookie.
pub fn clear_session(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}")
}

/// The CSRF binding of the OAuth pages.
pub fn binding<S: Store, M: Mailer>(app: &Registrar<S, M>) -> csrf::Binding<'_> {
    csrf::Binding::oauth(&app.settings().secret_key)
}

/// The query string read as a form is (a repeated key is a list).
pub fn query_object(req: &HttpRequest) -> Object {
    body::decode_bytes(Some("application/x-www-form-urlencoded"), req.query_string().as_bytes()).unwrap_or_default()
}

/// A text parameter: absent, empty and a list are all "not given".
pub fn given(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.is_empty())
}

/// `name=value` pairs as a query string.
pub fn query(pairs: &[(String, String)]) -> String {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    serializer.extend_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    serializer.finish()
}

/// What every OAuth form page shows: its CSRF field and the parameters it
/// carries on, with any notice.
#[derive(Debug, Default, Serialize)]
pub struct OAuthHead {
    pub csrf_token: String,
    pub hidden: Vec<(String, String)>,
    pub notice: Option<String>,
}

/// What an OAuth page's answer carries besides its HTML.
#[derive(Debug, Default)]
pub struct Extras {
    /// `Set-Cookie`s: the CSRF cookie when new, the session's.
    pub cookies: Vec<String>,
    pub retry_after: Option<u64>,
    /// Where its forms may be redirected: the client's URI (see
    /// [`content_security_policy_to`]).
    pub form_target: Option<String>,
}

/// A rendered OAuth page with `status` and its [`Extras`].
pub fn show(
    status: StatusCode,
    lang: Lang,
    template: &str,
    heading_key: &str,
    data: Value,
    extras: Extras,
) -> HttpResponse {
    match render::page(template, lang, &lang.t(heading_key), data) {
        Ok(html) => {
            let mut response = page_with_cookies(status, html, extras.cookies.into_iter());
            let headers = response.headers_mut();
            if let Some(seconds) = extras.retry_after {
                if let Ok(value) = header::HeaderValue::from_str(&seconds.to_string()) {
                    headers.insert(header::RETRY_AFTER, value);
                }
            }
            let csp = extras.form_target.as_deref().and_then(content_security_policy_to);
            if let Some(value) = csp.and_then(|csp| header::HeaderValue::from_str(&csp).ok()) {
                headers.insert(header::CONTENT_SECURITY_POLICY, value);
            }
            response
        }
        Err(e) => render_failed(lang, &e),
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn the_session_cookie_has_its_attributes() {
        assert_eq!(
            set_session("ab", 60, true),
            "registrar_session=ab; Path=/; Max-Age=60; HttpOnly; SameSite=Lax; Secure"
        );
        assert_eq!(
            clear_session(false),
            "registrar_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
        );
        let req = TestRequest::default()
            .insert_header(("cookie", "a=1; registrar_session=cafe; b=2"))
            .to_http_request();
        assert_eq!(cookie(&req, SESSION_COOKIE).as_deref(), Some("cafe"));
        assert_eq!(cookie(&req, "c"), None);
    }
}
