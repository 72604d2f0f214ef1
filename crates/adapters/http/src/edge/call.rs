//! What every handler needs, extracted once: the request, the service and
//! the language to answer in.

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use registrar_service::Registrar;

use crate::edge::language::Lang;

/// A handler's call: `let Call { req, app, lang } = call;`.
pub struct Call<S, M> {
    pub req: HttpRequest,
    pub app: web::Data<Registrar<S, M>>,
    pub lang: Lang,
}

impl<S: 'static, M: 'static> FromRequest for Call<S, M> {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let lang = Lang::of(req);
        ready(
            web::Data::<Registrar<S, M>>::from_request(req, payload)
                .into_inner()
                .map(|app| Self {
                    req: req.clone(),
                    app,
                    lang,
                }),
        )
    }
}
