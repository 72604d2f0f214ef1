//! `/admin/clients`: the API clients.

use actix_web::HttpResponse;
use registrar_domain::{AdminScope, Client, ClientKind};
use registrar_mail::Mailer;
use registrar_store::Store;
use serde::Serialize;
use utoipa::ToSchema;

use super::auth::admin_key;
use super::{AdminError, AdminRefusals};
use crate::edge::call::Call;

/// A client, without its secret.
#[derive(Serialize, ToSchema)]
pub struct AdminClient {
    pub id: String,
    pub name: String,
    /// `public` or `confidential`.
    pub kind: &'static str,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    /// First-party: no consent page.
    pub trusted: bool,
    /// RFC 3339.
    pub created_at: String,
}

impl From<&Client> for AdminClient {
    fn from(client: &Client) -> Self {
        Self {
            id: client.id.as_str().to_owned(),
            name: client.name.clone(),
            kind: match client.kind {
                ClientKind::Public => "public",
                ClientKind::Confidential { .. } => "confidential",
            },
            redirect_uris: client.redirect_uris.iter().map(|u| u.as_str().to_owned()).collect(),
            post_logout_redirect_uris: client
                .post_logout_redirect_uris
                .iter()
                .map(|u| u.as_str().to_owned())
                .collect(),
            trusted: client.trusted,
            created_at: crate::timestamp(client.created_at),
        }
    }
}

/// Every client.
#[derive(Serialize, ToSchema)]
pub struct AdminClientList {
    pub clients: Vec<AdminClient>,
}

/// The API clients
///
/// Every client with its kind and redirect URIs (never a secret). Needs `clients:write`.
#[utoipa::path(
    get,
    path = "/admin/clients",
    operation_id = "admin_clients",
    tag = "admin",
    security(("admin_key" = ["clients:write"])),
    responses(
        (status = 200, description = "Every client.", body = AdminClientList),
        AdminRefusals,
    )
)]
pub async fn clients<S: Store, M: Mailer>(call: Call<S, M>) -> Result<HttpResponse, AdminError> {
    let Call { req, app, .. } = call;
    admin_key(&req, &app, AdminScope::ClientsWrite).await?;
    let clients = app.clients().await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(AdminClientList {
            clients: clients.iter().map(AdminClient::from).collect(),
        }))
}
