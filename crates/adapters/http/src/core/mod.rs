//! The core family (seeds 000 and 003): device token pairs, profile,
//! sessions and policies, with the `{"success": false, "error": …}` error shape.

mod account;
mod error;
mod policies;
mod tokens;

pub use error::{field_message, wire_name, CoreError, CoreResult, Problem};

use actix_web::web;
use registrar_mail::Mailer;
use registrar_store::Store;

pub fn routes<S: Store, M: Mailer>(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/register", web::post().to(account::register::<S, M>))
        .route("/api/token", web::post().to(tokens::token::<S, M>))
        .route("/api/change-password", web::post().to(account::change_password::<S, M>))
        .route("/api/forgot-password", web::post().to(account::forgot_password::<S, M>))
        .route("/api/reset-password", web::post().to(account::reset_password::<S, M>))
        .route("/api/logout", web::post().to(tokens::logout::<S, M>))
        .route("/api/me", web::get().to(account::me::<S, M>))
        .route("/api/me", web::patch().to(account::update_me::<S, M>))
        .route("/api/me", web::delete().to(account::delete_me::<S, M>))
        .route("/api/sessions", web::get().to(tokens::sessions::<S, M>))
        .route(
            "/api/sessions/{device_id}",
            web::delete().to(tokens::revoke_device::<S, M>),
        )
        .route("/api/policies", web::get().to(policies::list::<S, M>))
        .route("/api/policies/accept", web::post().to(policies::accept::<S, M>))
        .route("/api/policies/{type}", web::get().to(policies::one::<S, M>));
}
