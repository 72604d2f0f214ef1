//! The admin API, `/admin/…`: operating Registrar from other software with
//! an admin API key (`registrar admin-key create`) as the bearer token.
//!
//! Every call names the scope it needs; the key is checked first
//! ([`Registrar::authenticate_admin`](registrar_service::Registrar::authenticate_admin)):
//! none or a bad one is 401 with `WWW-Authenticate: Bearer realm="registrar-admin"`
//! (`error="invalid_token"` when one was given), one without the scope is 403
//! (`error="insufficient_scope"`, `scope="…"`), too many bad keys from one
//! address is 429. Errors are `{"error": "<code>", "message": "…"}`, with
//! `errors: {field: ["…"]}` for 422. Lists are keyset-paginated:
//! `?cursor=…&limit=…` and `next_cursor` in the answer while there is more.

mod audit;
mod auth;
mod clients;
mod error;
mod invites;
mod parts;
mod policies;
mod users;
mod webhooks;

pub use audit::{AdminAuditEvent, AdminAuditPage};
pub use clients::{AdminClient, AdminClientCreated, AdminClientList, AdminClientSecret, AdminNewClient};
pub use error::{AdminError, AdminErrorBody, AdminRefusals};
pub use invites::{AdminInvite, AdminInviteCreated, AdminInviteList, AdminNewInvite};
pub use policies::{AdminPolicy, AdminPolicyList};
pub use users::{AdminFactors, AdminRoleRequest, AdminSession, AdminUser, AdminUserPage, AdminUserSummary};
pub use webhooks::{
    AdminNewWebhook, AdminRedeliver, AdminRedelivered, AdminWebhook, AdminWebhookCreated, AdminWebhookList,
    AdminWebhookSecret,
};

use crate::edge::routes::{route, AddRoute};

pub fn routes(routes: &mut impl AddRoute) {
    route!(routes, audit::__path_audit => audit::audit::<S, M>);
    route!(routes, clients::__path_clients => clients::clients::<S, M>);
    route!(routes, clients::__path_create => clients::create::<S, M>);
    route!(routes, clients::__path_remove => clients::remove::<S, M>);
    route!(routes, clients::__path_rotate_secret => clients::rotate_secret::<S, M>);
    route!(routes, policies::__path_list => policies::list::<S, M>);
    route!(routes, policies::__path_publish => policies::publish::<S, M>);
    route!(routes, invites::__path_create => invites::create::<S, M>);
    route!(routes, invites::__path_list => invites::list::<S, M>);
    route!(routes, invites::__path_revoke => invites::revoke::<S, M>);
    route!(routes, webhooks::__path_list => webhooks::list::<S, M>);
    route!(routes, webhooks::__path_create => webhooks::create::<S, M>);
    route!(routes, webhooks::__path_disable => webhooks::disable::<S, M>);
    route!(routes, webhooks::__path_enable => webhooks::enable::<S, M>);
    route!(routes, webhooks::__path_remove => webhooks::remove::<S, M>);
    route!(routes, webhooks::__path_rotate_secret => webhooks::rotate_secret::<S, M>);
    route!(routes, webhooks::__path_redeliver => webhooks::redeliver::<S, M>);
    route!(routes, users::__path_search => users::search::<S, M>);
    route!(routes, users::__path_user => users::user::<S, M>);
    route!(routes, users::__path_export => users::export::<S, M>);
    route!(routes, users::__path_disable => users::disable::<S, M>);
    route!(routes, users::__path_enable => users::enable::<S, M>);
    route!(routes, users::__path_role => users::role::<S, M>);
    route!(routes, users::__path_delete => users::delete::<S, M>);
    route!(routes, users::__path_revoke_sessions => users::revoke_sessions::<S, M>);
    route!(routes, users::__path_revoke_session => users::revoke_session::<S, M>);
    route!(routes, users::__path_reset_factors => users::reset_factors::<S, M>);
    route!(routes, users::__path_resend_confirmation => users::resend_confirmation::<S, M>);
    route!(routes, users::__path_lift_lockout => users::lift_lockout::<S, M>);
}
