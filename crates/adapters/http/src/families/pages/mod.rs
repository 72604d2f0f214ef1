//! Pages for people: the links in mails open small server-rendered HTML
//! pages, in the language of the browser, that work without JavaScript.
//!
//! | route | answers |
//! |---|---|
//! | `GET /confirm/{token}` | 200 "address confirmed"; 404 "link invalid, used or expired" |
//! | `GET /confirm/email-change/{token}`, `/confirm/email-cancel/{token}` | 200 what the link does (the new address) and a button; 404 the invalid-link page |
//! | `POST /confirm/email-change/{token}` | 200 "address changed"; 409 the address was taken meanwhile (nothing changed); 404 the invalid-link page ([`email_change`]) |
//! | `POST /confirm/email-cancel/{token}` | 200 "change cancelled, signed out everywhere, a reset link is on its way"; 404 the invalid-link page |
//! | `GET /reset-password/{token}` | 200 the new-password form; 404 the invalid-link page |
//! | `POST /reset-password/{token}` | 200 "password changed"; the form again with what is wrong: 400 (password rules, passwords differ), 403 (CSRF check failed: "the form expired"), 413/415 (unreadable body); 404 the invalid-link page |
//! | `GET /confirm/signup/{id}` | 200 the activation form (consent checkbox, optional password twice); 404 the invalid-link page |
//! | `POST /confirm/signup/{id}` with the CSRF field (a browser's form; without it the JSON API answers) | 200 "account active, log in in the app" (no token on the page); the form again with what is wrong: 400 (no consent, passwords differ, password rules), 403 (CSRF check failed: "the form expired"); 404 the invalid-link page |
//! | `GET`/`POST /oauth/authorize` | the OAuth 2 / OpenID Connect sign-in, second-factor and consent forms ([`authorize`]); 303 to the client with a code or an error; 400 a page for a bad client or redirect URI |
//! | `GET`/`POST /oauth/logout` | RP-Initiated Logout: "Sign out of Registrar?", then 303 to the registered `post_logout_redirect_uri` or "you are signed out" ([`logout`]) |
//! | `GET`/`POST /oauth/forgot-password`, `/oauth/signup` | the sign-in page's two links: a reset mail, an email-first signup ([`account_mail`]) |
//!
//! Failures on our side answer 500 (503 when the database is unavailable)
//! with a page saying so. Every page carries the headers of [`headers`];
//! the forms are protected by the stateless double-submit check of [`csrf`].

pub(crate) mod account_mail;
mod answers;
pub(crate) mod authorize;
pub(crate) mod confirm;
pub mod csrf;
pub(crate) mod email_change;
mod headers;
pub(crate) mod logout;
mod oauth;
mod render;
pub(crate) mod reset;
pub(crate) mod signup;

pub use csrf::{is_browser_form, FIELD as CSRF_FIELD};
pub use reset::ResetPasswordForm;
pub use signup::{submitted as signup_submitted, SignupConfirmForm};

use crate::edge::routes::{route, AddRoute};

/// The answers every page may give when the fault is not the visitor's:
/// documented once, listed in each `#[utoipa::path]`'s `responses`.
#[derive(utoipa::IntoResponses)]
pub enum PagesFaults {
    /// A page saying it is our fault.
    #[response(status = 500, content_type = "text/html")]
    Fault(String),
    /// The database is unavailable.
    #[response(status = 503, content_type = "text/html")]
    Unavailable(String),
}

pub fn routes(routes: &mut impl AddRoute) {
    route!(routes, confirm::__path_confirm => confirm::confirm::<S, M>);
    route!(routes, email_change::__path_confirm_form => email_change::confirm_form::<S, M>);
    route!(routes, email_change::__path_confirm => email_change::confirm::<S, M>);
    route!(routes, email_change::__path_cancel_form => email_change::cancel_form::<S, M>);
    route!(routes, email_change::__path_cancel => email_change::cancel::<S, M>);
    route!(routes, reset::__path_form => reset::form::<S, M>);
    route!(routes, reset::__path_submit => reset::submit::<S, M>);
    route!(routes, signup::__path_form => signup::form::<S, M>);
    route!(routes, authorize::__path_authorize => authorize::authorize::<S, M>);
    route!(routes, authorize::__path_submit => authorize::submit::<S, M>);
    route!(routes, logout::__path_logout => logout::logout::<S, M>);
    route!(routes, logout::__path_submit => logout::submit::<S, M>);
    route!(routes, account_mail::__path_forgot_form => account_mail::forgot_form::<S, M>);
    route!(routes, account_mail::__path_forgot_submit => account_mail::forgot_submit::<S, M>);
    route!(routes, account_mail::__path_signup_form => account_mail::signup_form::<S, M>);
    route!(routes, account_mail::__path_signup_submit => account_mail::signup_submit::<S, M>);
}
