//! The device-token API (the "core" family): device token pairs, profile,
//! sessions and policies, with the `{"success": false, "error": …}` error shape.

pub(crate) mod account;
pub mod answers;
mod error;
pub(crate) mod policies;
pub mod requests;
pub(crate) mod tokens;

pub use crate::edge::failure::{EdgeProblem, Problem, BASIC_CHALLENGE};
pub use error::{
    error_json, invalid_token_challenge, method_not_allowed, wire_name, CoreBodyRefusals, CoreBodyThrottled, CoreError,
    CoreErrorBody, CoreFaults, CoreResult,
};

use registrar_mail::Mailer;
use registrar_store::Store;

use crate::edge::routes::Routes;

pub fn routes<S: Store, M: Mailer>(routes: &mut Routes) {
    routes
        .post("/api/token", tokens::token::<S, M>)
        .post("/api/change-password", account::change_password::<S, M>)
        .post("/api/forgot-password", account::forgot_password::<S, M>)
        .post("/api/reset-password", account::reset_password::<S, M>)
        .post("/api/logout", tokens::logout::<S, M>)
        .get("/api/me", account::me::<S, M>)
        .patch("/api/me", account::update_me::<S, M>)
        .delete("/api/me", account::delete_me::<S, M>)
        .get("/api/sessions", tokens::sessions::<S, M>)
        .delete("/api/sessions/{device_id}", tokens::revoke_device::<S, M>)
        .get("/api/policies", policies::list::<S, M>)
        .post("/api/policies/accept", policies::accept::<S, M>)
        .get("/api/policies/{type}", policies::one::<S, M>);
}
