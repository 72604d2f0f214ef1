//! The two endpoints that two families share, each dispatched here, in one
//! place of its own, so that neither family names the other:
//! `POST /api/register` (device-token API or typed registration, by
//! `usertype`) and `POST /confirm/signup/{id}` (email-first signup's JSON or
//! the activation page's form).

pub mod confirm_signup;
pub mod register;

use crate::edge::routes::{route, AddRoute};

/// Both shared endpoints (the pages' tests serve them with the pages).
pub fn routes(routes: &mut impl AddRoute) {
    register_route(routes);
    confirm_signup_route(routes);
}

/// `POST /api/register`, listed before the core family.
pub fn register_route(routes: &mut impl AddRoute) {
    route!(routes, register::__path_register => register::register::<S, M>);
}

/// `POST /confirm/signup/{id}`, listed after the signup family, before the pages.
pub fn confirm_signup_route(routes: &mut impl AddRoute) {
    route!(routes, confirm_signup::__path_confirm => confirm_signup::confirm::<S, M>);
}
