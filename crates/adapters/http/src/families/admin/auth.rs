//! The admin key of a call: `Authorization: Bearer rgk_…`, checked for
//! the scope the endpoint needs.

use actix_web::HttpRequest;
use registrar_domain::{AdminKey, AdminScope};
use registrar_mail::Mailer;
use registrar_service::Registrar;
use registrar_store::Store;

use super::AdminError;
use crate::edge::bearer;
use crate::edge::client_ip::Origin;

/// The live key of the call if it holds `scope`.
pub async fn admin_key<S: Store, M: Mailer>(
    req: &HttpRequest,
    app: &Registrar<S, M>,
    scope: AdminScope,
) -> Result<AdminKey, AdminError> {
    let given = req.headers().contains_key(actix_web::http::header::AUTHORIZATION);
    let token = bearer::token(req);
    // An Authorization header that is not a bearer token is a bad key, not none.
    let token = match (token, given) {
        (None, true) => Some(""),
        (token, _) => token,
    };
    Ok(app.authenticate_admin(token, scope, Origin::of(req).0).await?)
}
