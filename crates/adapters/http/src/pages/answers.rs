//! The pages the routes share: one heading and one sentence — the
//! invalid-link page, our own failures — with their statuses.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use registrar_service::ServiceError;

use super::headers::{page, plain_failure};
use super::render;
use crate::i18n::Lang;

/// A page with one heading and one sentence, both catalogue keys.
pub fn message(status: StatusCode, lang: Lang, heading: &str, text: &str) -> HttpResponse {
    match render::message(lang, &lang.t(heading), &lang.t(text)) {
        Ok(html) => page(status, html, None),
        Err(e) => render_failed(lang, &e),
    }
}

/// A link that is unknown, used or expired: 404, there is no such live link.
pub fn invalid_link(lang: Lang) -> HttpResponse {
    message(StatusCode::NOT_FOUND, lang, "page.invalid_title", "page.invalid_text")
}

/// A use case said no: the invalid-link page, or a page saying it is our
/// fault (the cause goes to the log, never to the page).
pub fn failure(lang: Lang, error: &ServiceError) -> HttpResponse {
    match error {
        ServiceError::InvalidLink | ServiceError::NotFound | ServiceError::InvalidToken => invalid_link(lang),
        ServiceError::TooManyAttempts { .. } => crate::with_retry_after(
            message(
                StatusCode::TOO_MANY_REQUESTS,
                lang,
                "page.error_title",
                "error.too_many_attempts",
            ),
            error.retry_after(),
        ),
        ServiceError::Unavailable(_) | ServiceError::Busy => {
            crate::log_fault(error);
            crate::with_retry_after(
                message(
                    StatusCode::SERVICE_UNAVAILABLE,
                    lang,
                    "page.error_title",
                    "page.error_text",
                ),
                error.retry_after(),
            )
        }
        _ => {
            crate::log_fault(error);
            message(
                StatusCode::INTERNAL_SERVER_ERROR,
                lang,
                "page.error_title",
                "page.error_text",
            )
        }
    }
}

/// A template failed (a bug of ours): logged, and a plain sentence instead.
pub fn render_failed(lang: Lang, error: &minijinja::Error) -> HttpResponse {
    tracing::error!(error = %format!("{error:#}"), "page template failed");
    plain_failure(lang.t("page.error_text"))
}
