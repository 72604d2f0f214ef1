//! The pages the routes share: one heading and one sentence — the
//! invalid-link page, our own failures — with their statuses.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use minijinja::context;
use registrar_mail::Mailer;
use registrar_service::{Registrar, ServiceError};
use registrar_store::Store;
use serde::de::DeserializeOwned;

use super::headers::{page, plain_failure};
use super::oauth::{self, Extras};
use super::{csrf, render};
use crate::edge::body;
use crate::edge::failure::{self, Failure, Family, Refusal};
use crate::edge::language::Lang;

/// A page with one heading and one sentence, both catalogue keys.
pub fn message(status: StatusCode, lang: Lang, heading: &str, text: &str) -> HttpResponse {
    match render::message(lang, &lang.t(heading), &lang.t(text)) {
        Ok(html) => page(status, html, None),
        Err(e) => render_failed(lang, &e),
    }
}

/// An OAuth page with one heading (a catalogue key) and one sentence.
pub fn oauth_message(status: StatusCode, lang: Lang, heading: &str, text: String, extras: Extras) -> HttpResponse {
    oauth::show(
        status,
        lang,
        "message.html",
        heading,
        context! { message => text },
        extras,
    )
}

/// The posted form, or the 400 page saying it could not be read (in the
/// browser's language: the form's own `ui_locales` are unknown).
pub async fn read_form<T: DeserializeOwned, S: Store, M: Mailer>(
    req: &HttpRequest,
    payload: web::Payload,
    app: &Registrar<S, M>,
) -> Result<T, HttpResponse> {
    body::read(req, payload, app).await.map_err(|_| {
        message(
            StatusCode::BAD_REQUEST,
            Lang::of(req),
            "page.error_title",
            "page.form_unreadable",
        )
    })
}

/// A form page, with the CSRF cookie when the browser is given a new one.
pub fn show<F: render::Form>(status: StatusCode, lang: Lang, form: &F, set_cookie: Option<String>) -> HttpResponse {
    match render::form_page(lang, form) {
        Ok(html) => page(status, html, set_cookie),
        Err(e) => render_failed(lang, &e),
    }
}

/// The empty form with the browser's CSRF token, or a new one it is given.
pub fn fresh_form<F: render::Form>(
    req: &HttpRequest,
    bind: &csrf::Binding<'_>,
    status: StatusCode,
    lang: Lang,
    notice: Option<String>,
    account: render::Account,
) -> HttpResponse {
    let (csrf_token, set_cookie) = bind.for_page(req);
    let head = render::FormHead {
        csrf_token,
        account,
        notice,
    };
    show(status, lang, &F::fresh(head), set_cookie)
}

/// A link that is unknown, used or expired: 404, there is no such live link.
pub fn invalid_link(lang: Lang) -> HttpResponse {
    message(StatusCode::NOT_FOUND, lang, "page.invalid_title", "page.invalid_text")
}

/// A use case said no: the invalid-link page, or a page saying it is our
/// fault (the cause goes to the log, never to the page).
pub fn failure(lang: Lang, error: &ServiceError) -> HttpResponse {
    failure::respond(&Pages { lang }, error)
}

/// The pages' answers to a failure: a page with one heading and one sentence.
struct Pages {
    lang: Lang,
}

impl Family for Pages {
    /// A link's token that is unknown, used or expired is the invalid-link
    /// page; any other refusal is a fault here.
    fn refusal_status(&self, refusal: &Refusal<'_>) -> Option<StatusCode> {
        matches!(
            refusal,
            Refusal::InvalidLink | Refusal::NotFound | Refusal::InvalidToken
        )
        .then_some(StatusCode::NOT_FOUND)
    }

    fn answer(&self, failure: &Failure<'_>, status: StatusCode) -> HttpResponse {
        let lang = self.lang;
        match failure {
            Failure::Refused(_) => invalid_link(lang),
            Failure::TooManyAttempts { .. } => message(status, lang, "page.error_title", "error.too_many_attempts"),
            Failure::Malformed | Failure::UnsupportedMediaType | Failure::BodyTooLarge | Failure::Timeout => {
                message(status, lang, "page.error_title", "page.form_unreadable")
            }
            Failure::Unavailable { .. } | Failure::Fault => {
                message(status, lang, "page.error_title", "page.error_text")
            }
        }
    }
}

/// A template failed (a bug of ours): logged, and a plain sentence instead.
pub fn render_failed(lang: Lang, error: &minijinja::Error) -> HttpResponse {
    tracing::error!(error = %format!("{error:#}"), "page template failed");
    plain_failure(lang.t("page.error_text"))
}
