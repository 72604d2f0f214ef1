//! `GET /confirm/{token}`: the link of the confirmation mail. Confirms the
//! address and says so (200); a used link whose account's address is
//! confirmed says that (200); a link that is unknown, expired, or used for
//! an address no longer confirmed gets a page saying so (404).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use registrar_mail::Mailer;
use registrar_service::{LinkOutcome, Registrar};
use registrar_store::Store;

use super::answers::{failure, message};
use super::PagesFaults;
use crate::edge::language::Lang;

/// Confirm an address by its mailed link
///
/// Confirms the address and says so; the page is in the browser's language.
#[utoipa::path(
    get,
    path = "/confirm/{token}",
    operation_id = "confirm_link_page",
    tag = "pages",
    params(("token" = String, Path, description = "The last part of the mailed confirmation link.")),
    responses(
        (status = 200, description = "\"Address confirmed\" (also for a used link of a confirmed address).", body = String, content_type = "text/html"),
        (status = 404, description = "The link is unknown or expired.", body = String, content_type = "text/html"),
        PagesFaults,
    )
)]
pub async fn confirm<S: Store, M: Mailer>(
    app: web::Data<Registrar<S, M>>,
    token: web::Path<String>,
    lang: Lang,
) -> HttpResponse {
    match app.confirm_link(&token).await {
        Ok(LinkOutcome::Confirmed) => message(StatusCode::OK, lang, "page.confirmed_title", "page.confirmed_text"),
        // Opened again (or fetched by a mail scanner first): say what is true.
        Ok(LinkOutcome::AlreadyConfirmed) => message(
            StatusCode::OK,
            lang,
            "page.confirmed_title",
            "page.already_confirmed_text",
        ),
        Err(e) => failure(lang, &e),
    }
}
