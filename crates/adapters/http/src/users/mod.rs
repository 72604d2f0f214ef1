//! The users API (seed 001): Laravel-style answers — `{"message": …}` and
//! 422 `{"message": "The given data was invalid.", "errors": {field: [..]}}`.

mod account;
mod confirm;
mod error;

pub use error::{UsersError, UsersResult};

use actix_web::web;
use registrar_mail::Mailer;
use registrar_store::Store;

pub fn routes<S: Store, M: Mailer>(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/users/register", web::post().to(account::register::<S, M>))
        .route("/api/users/login", web::post().to(account::login::<S, M>))
        .route("/api/users/validation", web::post().to(confirm::validation::<S, M>))
        .route("/api/mails/verify", web::post().to(confirm::verify::<S, M>));
}
