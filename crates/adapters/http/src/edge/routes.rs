//! Where the families put their routes: on an actix `ServiceConfig` to
//! serve them, or only into a list — the same calls either way, so the list
//! is exactly what is served. A route is added once, by [`route!`], naming
//! the handler's `#[utoipa::path]` type: its method(s) and path are the ones
//! written in that attribute, and the list carries its operation, from which
//! the OpenAPI document takes its `paths`.

use std::marker::PhantomData;
use std::sync::{Mutex, PoisonError};

use actix_web::http::Method;
use actix_web::{web, HttpResponse};
use registrar_mail::Mailer;
use registrar_store::Store;
use utoipa::openapi::path::{HttpMethod, Paths};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::RefOr;

use crate::edge::language::Lang;

/// One route, written by [`route!`]: where and how it is documented (`Doc`,
/// the `__path_<handler>` type of its `#[utoipa::path]`) and the handler
/// that answers it for the app's store and mailer.
pub trait Endpoint {
    type Doc: utoipa::Path + utoipa::__dev::SchemaReferences + for<'t> utoipa::__dev::Tags<'t>;

    /// `route` handed to the handler, for an app over `S` and `M`.
    fn serve<S: Store, M: Mailer>(route: actix_web::Route) -> actix_web::Route;
}

/// Adds a route to an [`AddRoute`] (which must be in scope):
/// `route!(routes, tokens::__path_token => tokens::token::<S, M>)`
/// serves `tokens::token` at the method(s) and path of its `#[utoipa::path]`
/// and documents it from there. `S` and `M` are the store and mailer of the
/// app being served (a handler that needs neither is named without them).
macro_rules! route {
    ($routes:expr, $doc:ty => $handler:expr) => {{
        struct Here;
        impl $crate::edge::routes::Endpoint for Here {
            type Doc = $doc;
            fn serve<S: ::registrar_store::Store, M: ::registrar_mail::Mailer>(
                route: ::actix_web::Route,
            ) -> ::actix_web::Route {
                route.to($handler)
            }
        }
        $routes.add::<Here>();
    }};
}
pub(crate) use route;

/// What the routes are added for: `(S, M)` serves them on an app over the
/// store `S` and the mailer `M`; `(Unserved, Unserved)` only lists them.
pub trait Serve {
    fn serve<E: Endpoint>(config: &mut web::ServiceConfig, method: Method, path: &str);
}

impl<S: Store, M: Mailer> Serve for (S, M) {
    fn serve<E: Endpoint>(config: &mut web::ServiceConfig, method: Method, path: &str) {
        config.route(path, E::serve::<S, M>(web::method(method)));
    }
}

/// No store and no mailer: the routes are only listed (and documented).
pub enum Unserved {}

impl Serve for (Unserved, Unserved) {
    fn serve<E: Endpoint>(_: &mut web::ServiceConfig, _: Method, _: &str) {}
}

/// The operations of the listed routes and the schemas they name.
pub type Documented = (Paths, Vec<(String, RefOr<Schema>)>);

pub struct Routes<'a, S, M> {
    config: Option<&'a mut web::ServiceConfig>,
    listed: Vec<(Method, &'static str)>,
    paths: Paths,
    schemas: Vec<(String, RefOr<Schema>)>,
    app: PhantomData<fn() -> (S, M)>,
}

impl<'a, S, M> Routes<'a, S, M>
where
    (S, M): Serve,
{
    /// Routes that are served by the app being configured.
    pub fn on(config: &'a mut web::ServiceConfig) -> Self {
        Self {
            config: Some(config),
            listed: Vec::new(),
            paths: Paths::new(),
            schemas: Vec::new(),
            app: PhantomData,
        }
    }

    /// Routes that are only listed, with their operations.
    pub fn listing() -> Routes<'static, S, M> {
        Routes {
            config: None,
            listed: Vec::new(),
            paths: Paths::new(),
            schemas: Vec::new(),
            app: PhantomData,
        }
    }

    /// After every route: a known path asked with another method answers 405
    /// with `Allow` (instead of falling through to the 404 of unknown paths).
    /// `refuse(lang, allow)` answers such a request.
    pub fn close(&mut self, refuse: fn(Lang, &str) -> HttpResponse) {
        let Some(config) = self.config.as_deref_mut() else {
            return;
        };
        let mut paths: Vec<&'static str> = Vec::new();
        for (_, path) in &self.listed {
            if !paths.contains(path) {
                paths.push(path);
            }
        }
        for path in paths {
            let allow: Vec<&str> = self
                .listed
                .iter()
                .filter(|(_, p)| *p == path)
                .map(|(m, _)| m.as_str())
                .collect();
            let allow = allow.join(", ");
            config.route(
                path,
                web::route().to(move |lang: Lang| {
                    let allow = allow.clone();
                    async move { refuse(lang, &allow) }
                }),
            );
        }
    }

    /// Every (method, path pattern) added so far, in order.
    pub fn into_list(self) -> Vec<(Method, &'static str)> {
        self.listed
    }

    /// The operations of every route listed so far (by path, in the order
    /// each path was first added) and the schemas they name, in order.
    pub fn into_document(self) -> Documented {
        (self.paths, self.schemas)
    }
}

/// Where a family adds its routes, with [`route!`]: [`Routes`] served on
/// an app or only listed.
pub trait AddRoute {
    /// Serves (or lists) `E` at every method of its `#[utoipa::path]`; use [`route!`].
    fn add<E: Endpoint>(&mut self) -> &mut Self;
}

impl<S, M> AddRoute for Routes<'_, S, M>
where
    (S, M): Serve,
{
    fn add<E: Endpoint>(&mut self) -> &mut Self {
        use utoipa::Path;

        let path = interned(E::Doc::path());
        let methods = E::Doc::methods();
        for method in &methods {
            let method = actix_method(method);
            if let Some(config) = self.config.as_deref_mut() {
                <(S, M) as Serve>::serve::<E>(config, method.clone(), path);
            }
            self.listed.push((method, path));
        }
        if self.config.is_none() {
            // As `#[derive(OpenApi)]` does for a handler in its `paths(...)`.
            let mut operation = E::Doc::operation();
            let tags = <E::Doc as utoipa::__dev::Tags>::tags();
            operation
                .tags
                .get_or_insert_with(Vec::new)
                .extend(tags.iter().map(ToString::to_string));
            self.paths.add_path_operation(path, methods, operation);
            <E::Doc as utoipa::__dev::SchemaReferences>::schemas(&mut self.schemas);
        }
        self
    }
}

fn actix_method(method: &HttpMethod) -> Method {
    match method {
        HttpMethod::Get => Method::GET,
        HttpMethod::Put => Method::PUT,
        HttpMethod::Post => Method::POST,
        HttpMethod::Delete => Method::DELETE,
        HttpMethod::Options => Method::OPTIONS,
        HttpMethod::Head => Method::HEAD,
        HttpMethod::Patch => Method::PATCH,
        HttpMethod::Trace => Method::TRACE,
    }
}

/// A route's path for as long as the process runs: each distinct path is
/// kept once, however many apps are configured.
fn interned(path: String) -> &'static str {
    static PATHS: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
    let mut paths = PATHS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(known) = paths.iter().find(|known| **known == path) {
        return known;
    }
    let path: &'static str = Box::leak(path.into_boxed_str());
    paths.push(path);
    path
}

#[cfg(test)]
mod tests {
    use actix_web::http::StatusCode;
    use actix_web::{test as actix_test, App};
    use registrar_memory::{MemoryMailer, MemoryStore};

    use super::*;

    /// Answered at two methods of one path.
    #[utoipa::path(method(get, head), path = "/twice/{id}", responses((status = 200, description = "Twice.")))]
    async fn twice() -> HttpResponse {
        HttpResponse::Ok().finish()
    }

    fn refuse(_: Lang, allow: &str) -> HttpResponse {
        HttpResponse::MethodNotAllowed()
            .insert_header(("Allow", allow.to_owned()))
            .finish()
    }

    #[test]
    fn a_route_is_listed_and_documented_at_every_method_of_its_utoipa_path() {
        let mut listing = Routes::<Unserved, Unserved>::listing();
        route!(listing, __path_twice => twice);
        assert_eq!(
            listing.into_list(),
            vec![(Method::GET, "/twice/{id}"), (Method::HEAD, "/twice/{id}")]
        );
        let mut listing = Routes::<Unserved, Unserved>::listing();
        route!(listing, __path_twice => twice);
        let (paths, _) = listing.into_document();
        let item = paths.get_path_item("/twice/{id}").expect("documented");
        assert!(item.get.is_some() && item.head.is_some() && item.post.is_none());
    }

    #[actix_web::test]
    async fn a_route_is_served_at_every_method_of_its_utoipa_path_and_405_elsewhere() {
        let app = actix_test::init_service(App::new().configure(|cfg| {
            let mut routes = Routes::<MemoryStore, MemoryMailer>::on(cfg);
            route!(routes, __path_twice => twice);
            routes.close(refuse);
        }))
        .await;
        for method in [Method::GET, Method::HEAD] {
            let request = actix_test::TestRequest::default().method(method).uri("/twice/1");
            let response = actix_test::call_service(&app, request.to_request()).await;
            assert_eq!(response.status(), StatusCode::OK);
        }
        let request = actix_test::TestRequest::post().uri("/twice/1");
        let response = actix_test::call_service(&app, request.to_request()).await;
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(
            response.headers().get("allow").and_then(|v| v.to_str().ok()),
            Some("GET, HEAD")
        );
    }
}
