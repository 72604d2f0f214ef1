//! `GET /confirm/{token}`: the link of the confirmation mail. Confirms the
//! address and says so (200); a link that is unknown, used or expired gets a
//! page saying that (404: there is no such live link).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use registrar_mail::Mailer;
use registrar_service::Registrar;
use registrar_store::Store;

use super::answers::{failure, message};
use crate::i18n::Lang;

pub async fn confirm<S: Store, M: Mailer>(
    app: web::Data<Registrar<S, M>>,
    token: web::Path<String>,
    lang: Lang,
) -> HttpResponse {
    match app.confirm_link(&token).await {
        Ok(()) => message(StatusCode::OK, lang, "page.confirmed_title", "page.confirmed_text"),
        Err(e) => failure(lang, &e),
    }
}
