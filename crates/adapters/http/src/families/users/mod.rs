//! The users API: Laravel-style answers — `{"message": …}` and
//! 422 `{"message": "The given data was invalid.", "errors": {field: [..]}}`.

pub(crate) mod account;
pub mod answers;
pub(crate) mod confirm;
mod error;
pub mod requests;

pub use error::{UsersBodyRefusals, UsersError, UsersErrorBody, UsersFaults, UsersResult};

use registrar_mail::Mailer;
use registrar_store::Store;

use crate::edge::routes::Routes;

pub fn routes<S: Store, M: Mailer>(routes: &mut Routes) {
    routes
        .post("/api/users/register", account::register::<S, M>)
        .post("/api/users/login", account::login::<S, M>)
        .post("/api/users/validation", confirm::validation::<S, M>)
        .post("/api/mails/verify", confirm::verify::<S, M>);
}
