//! The HTTP adapter: actix-web routes for every API family, each with its
//! own request fields and error shape, over one [`Registrar`] service.
//! Bodies are decoded the same way everywhere ([`body`]) into one request
//! type per endpoint, texts come from the message catalogue ([`i18n`]),
//! every response carries `X-Request-Id`; `GET /openapi.json` describes it
//! all ([`openapi`]), from the request and answer types the handlers use.

pub mod dispatch;
pub mod edge;
pub mod families;
#[cfg(any(test, feature = "fuzzing"))]
pub mod fuzzing;
pub mod openapi;
pub mod ops;
#[cfg(test)]
#[allow(clippy::pedantic, clippy::restriction)] // test code
/// The pages through their routes, with the shared `POST /confirm/signup/{id}`.
mod pages_tests;
#[cfg(test)]
#[allow(clippy::pedantic, clippy::restriction)] // test code
/// The world the in-process tests share.
mod test_world;

use edge::routes::{AddRoute, Documented, Routes, Unserved};
pub use edge::{body, client_ip, failure, limits, metrics, request_id};
use families::{admin, core, pages, signup, users};

pub use actix_web::dev::{Server, ServerHandle};

use std::net::TcpListener;
use std::time::Duration;

use actix_web::http::{header, Method};
use actix_web::{middleware, web, App, HttpServer};
use chrono::{DateTime, SecondsFormat, Utc};
use registrar_domain::Language;
use registrar_mail::Mailer;
use registrar_service::Registrar;
use registrar_store::Store;

/// How to run the server (from `http.*` and `i18n.*`).
#[derive(Clone)]
pub struct HttpSettings {
    pub default_language: Language,
    /// Worker threads; `None`: one per core.
    pub workers: Option<usize>,
    /// How long in-flight requests may finish after SIGTERM.
    pub shutdown_timeout: Duration,
    /// Renders `/metrics`; `None` answers 404 there.
    pub metrics: Option<metrics::Renderer>,
    /// Peers whose `X-Forwarded-For` names the client (`http.trusted_proxies`).
    pub trusted_proxies: client_ip::TrustedProxies,
    /// Largest request head (`http.max_header_bytes`); more is a 431.
    pub max_header_bytes: limits::MaxHeaderBytes,
    /// How long a request body may take to arrive (`http.body_timeout`); then 408.
    pub body_timeout: body::BodyTimeout,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            default_language: Language::EN,
            workers: None,
            shutdown_timeout: Duration::from_secs(30),
            metrics: None,
            trusted_proxies: client_ip::TrustedProxies::default(),
            max_header_bytes: limits::MaxHeaderBytes::default(),
            body_timeout: body::BodyTimeout::default(),
        }
    }
}

/// How long a new connection may take to send its first request head.
pub const CLIENT_REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// Every route of every family on one `App`.
pub fn configure<S: Store, M: Mailer>(cfg: &mut web::ServiceConfig) {
    let mut routes = Routes::<S, M>::on(cfg);
    every_route(&mut routes);
    // Outside every family, the edge answers in the core shape.
    routes.close(core::method_not_allowed);
}

/// Every (method, path pattern) that [`configure`] serves, in its order.
pub fn route_table<S: Store, M: Mailer>() -> Vec<(Method, &'static str)> {
    let mut listing = Routes::<S, M>::listing();
    every_route(&mut listing);
    listing.into_list()
}

/// The operations of every route that [`configure`] serves, and the schemas
/// they name: the `paths` of the OpenAPI document.
pub(crate) fn documented_routes() -> Documented {
    let mut listing = Routes::<Unserved, Unserved>::listing();
    every_route(&mut listing);
    listing.into_document()
}

/// In the order of the document: a shared endpoint next to the family that
/// it belongs to first.
fn every_route(routes: &mut impl AddRoute) {
    dispatch::register_route(routes);
    core::routes(routes);
    users::routes(routes);
    signup::routes(routes);
    dispatch::confirm_signup_route(routes);
    pages::routes(routes);
    admin::routes(routes);
    ops::routes(routes);
}

/// Starts serving on an already bound listener (port 0 in tests). The
/// returned server stops gracefully on SIGTERM/SIGINT.
pub fn serve<S: Store, M: Mailer>(
    registrar: Registrar<S, M>,
    listener: TcpListener,
    settings: HttpSettings,
) -> std::io::Result<Server> {
    let registrar = web::Data::new(registrar);
    let default_language = web::Data::new(edge::language::DefaultLanguage(settings.default_language));
    let renderer = web::Data::new(settings.metrics.clone());
    let trusted_proxies = web::Data::new(settings.trusted_proxies.clone());
    let max_header_bytes = web::Data::new(settings.max_header_bytes);
    let body_timeout = web::Data::new(settings.body_timeout);
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(registrar.clone())
            .app_data(default_language.clone())
            .app_data(renderer.clone())
            .app_data(trusted_proxies.clone())
            .app_data(max_header_bytes.clone())
            .app_data(body_timeout.clone())
            .configure(configure::<S, M>)
            .default_service(web::to(ops::not_found))
            // Pages set stricter ones of their own; these only fill in what is missing.
            .wrap(
                middleware::DefaultHeaders::new()
                    .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                    .add((header::X_FRAME_OPTIONS, "DENY"))
                    .add((header::REFERRER_POLICY, "no-referrer"))
                    .add((
                        header::CONTENT_SECURITY_POLICY,
                        "default-src 'none'; frame-ancestors 'none'",
                    )),
            )
            .wrap(middleware::from_fn(limits::middleware))
            .wrap(middleware::from_fn(request_id::middleware))
    })
    // The head of a new connection's first request must arrive within this
    // (else actix answers 408 and closes); bodies have `body_timeout`, idle
    // keep-alive connections actix's 5 s.
    .client_request_timeout(CLIENT_REQUEST_TIMEOUT)
    .listen(listener)?
    .shutdown_timeout(settings.shutdown_timeout.as_secs());
    if let Some(workers) = settings.workers {
        server = server.workers(workers);
    }
    Ok(server.run())
}

/// Instants on the wire: RFC 3339, UTC, whole seconds.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}
