//! The users API: Laravel-style answers — `{"message": …}` and
//! 422 `{"message": "The given data was invalid.", "errors": {field: [..]}}`.

pub(crate) mod account;
pub mod answers;
pub(crate) mod confirm;
mod error;
pub mod requests;

pub use error::{UsersBodyRefusals, UsersError, UsersErrorBody, UsersFaults, UsersResult};

use crate::edge::routes::{route, AddRoute};

pub fn routes(routes: &mut impl AddRoute) {
    route!(routes, account::__path_register => account::register::<S, M>);
    route!(routes, account::__path_login => account::login::<S, M>);
    route!(routes, confirm::__path_validation => confirm::validation::<S, M>);
    route!(routes, confirm::__path_verify => confirm::verify::<S, M>);
}
