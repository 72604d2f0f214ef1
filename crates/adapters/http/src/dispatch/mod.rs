//! The two endpoints that two families share, each dispatched here, in one
//! place of its own, so that neither family names the other:
//! `POST /api/register` (device-token API or typed registration, by
//! `usertype`) and `POST /confirm/signup/{id}` (email-first signup's JSON or
//! the activation page's form).

pub mod confirm_signup;
pub mod register;

use registrar_mail::Mailer;
use registrar_store::Store;

use crate::edge::routes::Routes;

pub fn routes<S: Store, M: Mailer>(routes: &mut Routes) {
    routes
        .post("/api/register", register::register::<S, M>)
        .post("/confirm/signup/{id}", confirm_signup::confirm::<S, M>);
}
