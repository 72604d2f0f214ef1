//! Pages for people: the links in mails open small server-rendered HTML
//! pages, in the language of the browser, that work without JavaScript.
//!
//! | route | answers |
//! |---|---|
//! | `GET /confirm/{token}` | 200 "address confirmed"; 404 "link invalid, used or expired" |
//! | `GET /reset-password/{token}` | 200 the new-password form; 404 the invalid-link page |
//! | `POST /reset-password/{token}` | 200 "password changed"; the form again with what is wrong: 400 (password rules, passwords differ), 403 (CSRF check failed: "the form expired"), 413/415 (unreadable body); 404 the invalid-link page |
//! | `GET /confirm/signup/{id}` | 200 the activation form (consent checkbox, optional password twice); 404 the invalid-link page |
//! | `POST /confirm/signup/{id}` with the CSRF field (a browser's form; without it the JSON API answers) | 200 "account active, log in in the app" (no token on the page); the form again with what is wrong: 400 (no consent, passwords differ, password rules), 403 (CSRF check failed: "the form expired"); 404 the invalid-link page |
//!
//! Failures on our side answer 500 (503 when the database is unavailable)
//! with a page saying so. Every page carries the headers of [`headers`];
//! the forms are protected by the stateless double-submit check of [`csrf`].

mod answers;
pub(crate) mod confirm;
pub mod csrf;
mod headers;
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
    route!(routes, reset::__path_form => reset::form::<S, M>);
    route!(routes, reset::__path_submit => reset::submit::<S, M>);
    route!(routes, signup::__path_form => signup::form::<S, M>);
}
