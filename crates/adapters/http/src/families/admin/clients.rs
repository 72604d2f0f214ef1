//! `/admin/clients`: the API clients: listing, registering, rotating a
//! secret, removing.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use registrar_domain::{text, Actor, AdminScope, Client, ClientKind, RedirectUri};
use registrar_mail::Mailer;
use registrar_service::{NewClient, ServiceError};
use registrar_store::Store;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::admin_key;
use super::parts::{json_body, no_store};
use super::{AdminError, AdminErrorBody, AdminRefusals};
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
    Ok(no_store(StatusCode::OK).json(AdminClientList {
        clients: clients.iter().map(AdminClient::from).collect(),
    }))
}

/// A client to register.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminNewClient {
    /// 1 to 255 characters.
    pub name: String,
    /// A confidential client gets a secret (answered once).
    #[serde(default)]
    pub confidential: bool,
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    /// First-party: no consent page.
    #[serde(default)]
    pub trusted: bool,
}

/// A registered client and, for a confidential one, its secret: shown this once.
#[derive(Serialize, ToSchema)]
pub struct AdminClientCreated {
    pub client: AdminClient,
    /// Only for a confidential client; never shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub secret: Option<String>,
}

/// A client's new secret, shown this once.
#[derive(Serialize, ToSchema)]
pub struct AdminClientSecret {
    pub secret: String,
}

fn redirect_uris(field: &'static str, given: &[String]) -> Result<Vec<RedirectUri>, AdminError> {
    if given.len() > 50 {
        return Err(AdminError::invalid(field, "at most 50 URIs"));
    }
    given
        .iter()
        .map(|uri| {
            if text::has_control_characters(uri) {
                return Err(AdminError::invalid(field, "must not contain control characters"));
            }
            RedirectUri::parse(uri).map_err(|e| AdminError::invalid(field, format!("{uri:?}: {e}")))
        })
        .collect()
}

/// Register a client
///
/// A new client with a random id; a confidential one also gets a secret,
/// answered here once (only its keyed hash is kept). Recorded as
/// `admin.action` `client.created` by `admin:<key name>`. Needs `clients:write`.
#[utoipa::path(
    post,
    path = "/admin/clients",
    operation_id = "admin_client_create",
    tag = "admin",
    security(("admin_key" = ["clients:write"])),
    request_body(content = AdminNewClient, content_type = "application/json"),
    responses(
        (status = 201, description = "The client, and its secret once.", body = AdminClientCreated),
        (status = 400, description = "A body that cannot be read (`invalid_request`).", body = AdminErrorBody),
        (status = 422, description = "A field that is not valid (`validation_failed`).", body = AdminErrorBody),
        AdminRefusals,
    )
)]
pub async fn create<S: Store, M: Mailer>(call: Call<S, M>, payload: web::Payload) -> Result<HttpResponse, AdminError> {
    let Call { req, app, .. } = call;
    let key = admin_key(&req, &app, AdminScope::ClientsWrite).await?;
    let given: AdminNewClient = json_body(payload).await?;
    if text::has_control_characters(&given.name) {
        return Err(AdminError::invalid("name", "must not contain control characters"));
    }
    let name = text::bounded(&given.name, 255).map_err(|_| AdminError::invalid("name", "1 to 255 characters"))?;
    let new = NewClient {
        name,
        confidential: given.confidential,
        redirect_uris: redirect_uris("redirect_uris", &given.redirect_uris)?,
        post_logout_redirect_uris: redirect_uris("post_logout_redirect_uris", &given.post_logout_redirect_uris)?,
        trusted: given.trusted,
    };
    let (client, secret) = app.register_client_as(&Actor::AdminKey(key.name), new).await?;
    Ok(no_store(StatusCode::CREATED).json(AdminClientCreated {
        client: AdminClient::from(&client),
        secret: secret.map(|s| s.expose().to_owned()),
    }))
}

/// Remove a client
///
/// Removes the client and revokes its sessions; recorded as `admin.action`
/// `client.removed`. The built-in `web` client stays (400). Needs `clients:write`.
#[utoipa::path(
    delete,
    path = "/admin/clients/{id}",
    operation_id = "admin_client_remove",
    tag = "admin",
    security(("admin_key" = ["clients:write"])),
    params(("id" = String, Path, description = "The client's id.")),
    responses(
        (status = 204, description = "Removed."),
        (status = 400, description = "The built-in `web` client (`invalid_request`).", body = AdminErrorBody),
        (status = 404, description = "No such client (`not_found`).", body = AdminErrorBody),
        AdminRefusals,
    )
)]
pub async fn remove<S: Store, M: Mailer>(call: Call<S, M>, id: web::Path<String>) -> Result<HttpResponse, AdminError> {
    let Call { req, app, .. } = call;
    let key = admin_key(&req, &app, AdminScope::ClientsWrite).await?;
    if id.as_str() == registrar_domain::WEB_CLIENT_ID {
        return Err(AdminError::BadRequest(
            "The built-in web client cannot be removed.".into(),
        ));
    }
    match app.remove_client_as(&Actor::AdminKey(key.name), &id).await {
        Ok(()) => Ok(HttpResponse::NoContent().finish()),
        Err(ServiceError::NotFound) => Err(AdminError::NotFound("client")),
        Err(e) => Err(e.into()),
    }
}

/// Rotate a client's secret
///
/// A new secret for a confidential client, answered here once; the old one
/// stops working at once. Recorded as `admin.action` `client.secret_rotated`.
/// A public client has none (400). Needs `clients:write`.
#[utoipa::path(
    post,
    path = "/admin/clients/{id}/secret",
    operation_id = "admin_client_secret",
    tag = "admin",
    security(("admin_key" = ["clients:write"])),
    params(("id" = String, Path, description = "The client's id.")),
    responses(
        (status = 200, description = "The new secret, shown this once.", body = AdminClientSecret),
        (status = 400, description = "A public client (`invalid_request`).", body = AdminErrorBody),
        (status = 404, description = "No such client (`not_found`).", body = AdminErrorBody),
        AdminRefusals,
    )
)]
pub async fn rotate_secret<S: Store, M: Mailer>(
    call: Call<S, M>,
    id: web::Path<String>,
) -> Result<HttpResponse, AdminError> {
    let Call { req, app, .. } = call;
    let key = admin_key(&req, &app, AdminScope::ClientsWrite).await?;
    match app.rotate_client_secret_as(&Actor::AdminKey(key.name), &id).await {
        Ok(secret) => Ok(no_store(StatusCode::OK).json(AdminClientSecret {
            secret: secret.expose().to_owned(),
        })),
        Err(ServiceError::NotFound) => Err(AdminError::NotFound("client")),
        Err(ServiceError::InvalidClient) => Err(AdminError::BadRequest("A public client has no secret.".into())),
        Err(e) => Err(e.into()),
    }
}
