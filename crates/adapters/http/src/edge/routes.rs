//! Where the families put their routes: on an actix `ServiceConfig` to
//! serve them, or only into a list — the same calls either way, so the list
//! is exactly what is served (the OpenAPI tests hold the document to it).

use actix_web::http::Method;
use actix_web::{web, FromRequest, Handler, HttpResponse, Responder};

use crate::edge::language::Lang;

pub struct Routes<'a> {
    config: Option<&'a mut web::ServiceConfig>,
    listed: Vec<(Method, &'static str)>,
}

impl<'a> Routes<'a> {
    /// Routes that are served by the app being configured.
    pub fn on(config: &'a mut web::ServiceConfig) -> Self {
        Self {
            config: Some(config),
            listed: Vec::new(),
        }
    }

    /// Routes that are only listed.
    pub fn listing() -> Routes<'static> {
        Routes {
            config: None,
            listed: Vec::new(),
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

    pub fn get<F, Args>(&mut self, path: &'static str, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.add(Method::GET, path, handler)
    }

    pub fn post<F, Args>(&mut self, path: &'static str, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.add(Method::POST, path, handler)
    }

    pub fn patch<F, Args>(&mut self, path: &'static str, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.add(Method::PATCH, path, handler)
    }

    pub fn delete<F, Args>(&mut self, path: &'static str, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.add(Method::DELETE, path, handler)
    }

    fn add<F, Args>(&mut self, method: Method, path: &'static str, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        if let Some(config) = self.config.as_deref_mut() {
            config.route(path, web::method(method.clone()).to(handler));
        }
        self.listed.push((method, path));
        self
    }
}
