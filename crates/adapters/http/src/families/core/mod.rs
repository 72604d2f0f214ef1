//! The device-token API (the "core" family): device token pairs, profile,
//! sessions and policies, with the `{"success": false, "error": …}` error shape.

pub(crate) mod account;
pub mod answers;
pub mod discovery;
pub(crate) mod email_change;
mod error;
pub(crate) mod factors;
pub(crate) mod oauth;
pub(crate) mod passkeys;
pub(crate) mod policies;
pub mod requests;
pub(crate) mod tokens;
pub(crate) mod userinfo;

pub use crate::edge::failure::{EdgeProblem, Problem, BASIC_CHALLENGE};
pub use error::{
    error_json, invalid_token_challenge, method_not_allowed, wire_name, CoreBearerRefusals, CoreBodyRefusals,
    CoreBodyThrottled, CoreError, CoreErrorBody, CoreFaults, CoreLockedOut, CoreResult,
};

use crate::edge::routes::{route, AddRoute};

pub fn routes(routes: &mut impl AddRoute) {
    route!(routes, tokens::__path_token => tokens::token::<S, M>);
    route!(routes, tokens::__path_email_code => tokens::email_code::<S, M>);
    route!(routes, oauth::__path_revoke => oauth::revoke::<S, M>);
    route!(routes, oauth::__path_introspect => oauth::introspect::<S, M>);
    route!(routes, oauth::__path_jwks => oauth::jwks::<S, M>);
    route!(routes, discovery::__path_openid_configuration => discovery::openid_configuration::<S, M>);
    route!(routes, discovery::__path_oauth_authorization_server => discovery::oauth_authorization_server::<S, M>);
    route!(routes, account::__path_change_password => account::change_password::<S, M>);
    route!(routes, account::__path_forgot_password => account::forgot_password::<S, M>);
    route!(routes, account::__path_reset_password => account::reset_password::<S, M>);
    route!(routes, tokens::__path_logout => tokens::logout::<S, M>);
    route!(routes, account::__path_me => account::me::<S, M>);
    route!(routes, account::__path_activity => account::activity::<S, M>);
    route!(routes, account::__path_export => account::export::<S, M>);
    route!(routes, userinfo::__path_userinfo => userinfo::userinfo::<S, M>);
    route!(routes, userinfo::__path_userinfo_post => userinfo::userinfo_post::<S, M>);
    route!(routes, account::__path_update_me => account::update_me::<S, M>);
    route!(routes, account::__path_delete_me => account::delete_me::<S, M>);
    route!(routes, email_change::__path_change_email => email_change::change_email::<S, M>);
    route!(routes, email_change::__path_confirm_email_change => email_change::confirm_email_change::<S, M>);
    route!(routes, factors::__path_factors => factors::factors::<S, M>);
    route!(routes, factors::__path_enrol_totp => factors::enrol_totp::<S, M>);
    route!(routes, factors::__path_confirm_totp => factors::confirm_totp::<S, M>);
    route!(routes, factors::__path_disable_totp => factors::disable_totp::<S, M>);
    route!(routes, factors::__path_renew_recovery_codes => factors::renew_recovery_codes::<S, M>);
    route!(routes, passkeys::__path_registration_options => passkeys::registration_options::<S, M>);
    route!(routes, passkeys::__path_add => passkeys::add::<S, M>);
    route!(routes, passkeys::__path_rename => passkeys::rename::<S, M>);
    route!(routes, passkeys::__path_remove => passkeys::remove::<S, M>);
    route!(routes, passkeys::__path_sign_in_options => passkeys::sign_in_options::<S, M>);
    route!(routes, passkeys::__path_mfa_options => passkeys::mfa_options::<S, M>);
    route!(routes, tokens::__path_sessions => tokens::sessions::<S, M>);
    route!(routes, tokens::__path_revoke_device => tokens::revoke_device::<S, M>);
    route!(routes, policies::__path_list => policies::list::<S, M>);
    route!(routes, policies::__path_accept => policies::accept::<S, M>);
    route!(routes, policies::__path_one => policies::one::<S, M>);
}
