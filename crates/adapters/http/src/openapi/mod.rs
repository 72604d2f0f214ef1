//! `GET /openapi.json`: the OpenAPI document of every endpoint of every
//! family, generated with utoipa from the code — the handlers carry
//! `#[utoipa::path]`, and the request and answer schemas are the types the
//! handlers build from the body and serialize, so the document cannot drift
//! from behaviour without a compile error or a failing test (`tests.rs`).
//!
//! What holds for every endpoint is added once, here, by [`Everywhere`]:
//! bodies are JSON or forms, every answer carries `X-Request-Id`, texts
//! follow `Accept-Language`, and the bearer scheme.

use std::sync::OnceLock;

use utoipa::openapi::header::Header;
use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn, PathItem};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{Object, Ref, RefOr, Required, Type};
use utoipa::{Modify, OpenApi};

#[cfg(test)]
mod reference_tests;
#[cfg(test)]
#[allow(clippy::pedantic, clippy::restriction)] // test code
mod tests;

/// The name of the bearer security scheme.
pub const BEARER: &str = "bearer";
/// HTTP Basic client authentication at `/api/token`.
pub const CLIENT_BASIC: &str = "client_basic";
/// Admin API keys at `/admin/…`.
pub const ADMIN_KEY: &str = "admin_key";

/// The tags, one per family.
pub const TAGS: [&str; 7] = ["core", "typed", "users", "signup", "pages", "admin", "operations"];

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Registrar",
        description = "A self-hosted account service speaking five registration contracts over one domain. \
            Each family keeps its own wire format and error shape. Bodies are JSON objects or \
            `application/x-www-form-urlencoded` forms (a list is a repeated key, `policies=1&policies=2` or \
            `policies[]=1&…`), at most 64 KiB; strings are trimmed, an empty string is missing, unknown fields \
            are ignored.",
    ),
    tags(
        (name = "core", description = "The device-token API: token pairs, profile, sessions and policies. \
            Errors: `{\"success\": false, \"error\": \"<code>\", \"message\": \"…\", \"errors\": {…}}`."),
        (name = "typed", description = "Typed registration, `POST /api/register` with `usertype`. \
            Errors: `{\"success\": false, \"message\": \"…\", \"error\": \"<check>\"}`."),
        (name = "users", description = "The users API, Laravel-style: \
            `{\"message\": \"…\", \"errors\": {…}}`."),
        (name = "signup", description = "Email-first signup: `{\"result\": \"error\", \"error\": \"<code>\"}`."),
        (name = "pages", description = "Server-rendered HTML pages, in the browser's language: the links in mails, and the OAuth 2 / OpenID Connect sign-in, consent and logout pages."),
        (name = "admin", description = "The admin API, `/admin/…`, authenticated by an admin API key \
            (`registrar admin-key create`) with the scope each endpoint names. \
            Errors: `{\"error\": \"<code>\", \"message\": \"…\", \"errors\": {…}}`."),
        (name = "operations", description = "Health, readiness, metrics and this document."),
    ),
    modifiers(&Routed, &Everywhere),
)]
pub struct ApiDoc;

/// The `paths`: the operation of every route that is served, from the route
/// table itself (`crate::documented_routes`: each family's `routes()`,
/// where a route is added once, naming its handler's `#[utoipa::path]`),
/// and the schemas those operations name.
pub struct Routed;

impl Modify for Routed {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let (paths, schemas) = crate::documented_routes();
        openapi.paths.merge(paths);
        openapi
            .components
            .get_or_insert_with(Default::default)
            .schemas
            .extend(schemas);
    }
}

/// What every endpoint shares, added to every operation of the document.
pub struct Everywhere;

impl Modify for Everywhere {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                Http::builder()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("64 lowercase hex characters")
                    .description(Some(
                        "An access token from a token pair. Missing, unknown, expired or revoked: 401 \
                         `invalid_token`; with no token the challenge is `WWW-Authenticate: Bearer`, with a bad one \
                         `Bearer error=\"invalid_token\", error_description=\"…\"` (RFC 6750 §3.1).",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            CLIENT_BASIC,
            SecurityScheme::Http(
                Http::builder()
                    .scheme(HttpAuthScheme::Basic)
                    .description(Some(
                        "`POST /api/token` only, instead of `client_id` in the body (RFC 6749 §2.3.1): the client id \
                         as the user name and, for a confidential client, its secret as the password \
                         (`client_secret_basic`; a public client sends an empty one), each form-urlencoded before \
                         base64. A password for a public client, a wrong or missing one for a confidential client, an \
                         unreadable header or an unknown client is 401 `invalid_client` with `WWW-Authenticate: \
                         Basic`; a different `client_id` in the body is 400 `invalid_request`.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            ADMIN_KEY,
            SecurityScheme::Http(
                Http::builder()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("rgk_ and 43 base64url characters")
                    .description(Some(
                        "An admin API key (`registrar admin-key create --name N --scopes …`). None, unknown or \
                         revoked: 401 with `WWW-Authenticate: Bearer realm=\"registrar-admin\"` (and \
                         `error=\"invalid_token\"` when one was given); without the endpoint's scope: 403 \
                         `error=\"insufficient_scope\"`; too many bad keys from one address: 429.",
                    ))
                    .build(),
            ),
        );
        components
            .headers
            .insert(REQUEST_ID.to_owned(), request_id_header().into());
        components
            .parameters
            .insert(ACCEPT_LANGUAGE.to_owned(), accept_language_parameter().into());
        for item in openapi.paths.paths.values_mut() {
            for operation in operations_mut(item) {
                forms_too(operation);
                body_timeout(operation);
                for response in operation.responses.responses.values_mut() {
                    if let RefOr::T(response) = response {
                        let reference = Ref::new(format!("#/components/headers/{REQUEST_ID}"));
                        response.headers.insert(REQUEST_ID.to_owned(), RefOr::Ref(reference));
                    }
                }
                let is_operations = operation
                    .tags
                    .as_ref()
                    .is_some_and(|tags| tags.iter().any(|t| t == "operations"));
                if !is_operations {
                    let reference = Ref::new(format!("#/components/parameters/{ACCEPT_LANGUAGE}"));
                    operation
                        .parameters
                        .get_or_insert_with(Vec::new)
                        .push(RefOr::Ref(reference));
                }
            }
        }
    }
}

const REQUEST_ID: &str = "X-Request-Id";
const ACCEPT_LANGUAGE: &str = "Accept-Language";

/// Every operation of a path.
pub fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        item.get.as_mut(),
        item.put.as_mut(),
        item.post.as_mut(),
        item.delete.as_mut(),
        item.options.as_mut(),
        item.head.as_mut(),
        item.patch.as_mut(),
        item.trace.as_mut(),
        item.query.as_mut(),
    ]
    .into_iter()
    .flatten()
    .chain(item.additional_operations.values_mut())
}

/// Every body is read by [`crate::edge::body::read`]: a JSON object or a form,
/// with the same fields. The admin API's bodies (for software) are JSON only.
fn forms_too(operation: &mut Operation) {
    if operation
        .tags
        .as_ref()
        .is_some_and(|tags| tags.iter().any(|t| t == "admin"))
    {
        return;
    }
    let Some(RefOr::T(body)) = operation.request_body.as_mut() else {
        return;
    };
    if let Some(json) = body.content.get("application/json").cloned() {
        body.content
            .entry("application/x-www-form-urlencoded".to_owned())
            .or_insert(json);
    }
}

/// Every operation that reads a body (they all document its 413) answers
/// 408 in the same shape when the body does not arrive in time.
fn body_timeout(operation: &mut Operation) {
    let Some(RefOr::T(too_large)) = operation.responses.responses.get("413") else {
        return;
    };
    let mut timeout = too_large.clone();
    timeout.description = "The body did not arrive within `http.body_timeout` seconds (`request_timeout` in the \
        core shape, `requestTimeout` in the signup one); the connection is closed after this answer."
        .to_owned();
    timeout
        .headers
        .insert("Connection".to_owned(), RefOr::T(connection_close_header()));
    operation
        .responses
        .responses
        .insert("408".to_owned(), RefOr::T(timeout));
}

fn connection_close_header() -> Header {
    let mut header = Header::new(Object::with_type(Type::String));
    header.description = Some("`close`.".to_owned());
    header
}

/// On every answer.
fn request_id_header() -> Header {
    let mut header = Header::new(Object::with_type(Type::String));
    header.description = Some(
        "The request's id: the caller's `X-Request-Id` if it is sane (1–128 of `A-Za-z0-9-_.:`), else a new \
         one. The log line of the request carries it."
            .to_owned(),
    );
    header
}

/// On every operation but the operations family's.
fn accept_language_parameter() -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(ACCEPT_LANGUAGE)
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "The language of messages and pages: `en`, `nl`, `fr`, `de` or `es` (q-values honoured); else the \
             configured default.",
        ))
        .schema(Some(Object::with_type(Type::String)))
        .build()
}

/// The document, built once.
pub fn document() -> &'static str {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        ApiDoc::openapi().to_json().unwrap_or_else(|e| {
            tracing::error!(error = %e, "the OpenAPI document does not serialize");
            String::from("{}")
        })
    })
}
