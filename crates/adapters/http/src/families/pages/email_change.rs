//! The links of a change of address: `/confirm/email-change/{token}` (to
//! the new address: applies the change) and `/confirm/email-cancel/{token}`
//! (to the old one: "this was not me"). `GET` only shows what the link
//! does, with a button; the `POST` of that button does it, so that a mail
//! scanner that fetches the link changes nothing. The token in the path is
//! the only credential (no cookie is read), so the form needs no CSRF field.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use minijinja::context;
use registrar_mail::Mailer;
use registrar_service::{Field, Registrar, ServiceError};
use registrar_store::{EmailChangeLink, Store};

use super::answers::{failure, message, render_failed};
use super::headers::page;
use super::render;
use super::PagesFaults;
use crate::edge::language::Lang;

/// The page of a live link: what it does, and the button that does it.
async fn ask<S: Store, M: Mailer>(
    app: &Registrar<S, M>,
    token: &str,
    which: EmailChangeLink,
    lang: Lang,
) -> HttpResponse {
    let change = match app.email_change_of_link(token, which).await {
        Ok(change) => change,
        Err(e) => return failure(lang, &e),
    };
    let (heading, text, button) = match which {
        EmailChangeLink::Confirm => (
            "page.email_change_title",
            "page.email_change_text",
            "page.email_change_submit",
        ),
        EmailChangeLink::Cancel => (
            "page.email_cancel_title",
            "page.email_cancel_text",
            "page.email_cancel_submit",
        ),
    };
    let data = context! {
        message => lang.t_with(text, &[("address", change.new_email.as_str())]),
        button => lang.t(button),
    };
    match render::page("email_change.html", lang, &lang.t(heading), data) {
        Ok(html) => page(StatusCode::OK, html, None),
        Err(e) => render_failed(lang, &e),
    }
}

/// Confirm a new email address: the question
///
/// The link of the mail to the new address: says which address the
/// account changes to, with a button that confirms it.
#[utoipa::path(
    get,
    path = "/confirm/email-change/{token}",
    operation_id = "email_change_page",
    tag = "pages",
    params(("token" = String, Path, description = "The last part of the link mailed to the new address.")),
    responses(
        (status = 200, description = "The address and the button that confirms it.", body = String, content_type = "text/html"),
        (status = 404, description = "The link is unknown, used, replaced or expired.", body = String, content_type = "text/html"),
        PagesFaults,
    )
)]
pub async fn confirm_form<S: Store, M: Mailer>(
    app: web::Data<Registrar<S, M>>,
    token: web::Path<String>,
    lang: Lang,
) -> HttpResponse {
    ask(&app, &token, EmailChangeLink::Confirm, lang).await
}

/// Confirm a new email address
///
/// Applies the change: the account now uses the new address.
#[utoipa::path(
    post,
    path = "/confirm/email-change/{token}",
    operation_id = "email_change_submit",
    tag = "pages",
    params(("token" = String, Path, description = "The last part of the link mailed to the new address.")),
    responses(
        (status = 200, description = "\"Address changed\".", body = String, content_type = "text/html"),
        (status = 404, description = "The link is unknown, used, replaced or expired.", body = String, content_type = "text/html"),
        (status = 409, description = "Another account has the address meanwhile: nothing changed.", body = String, content_type = "text/html"),
        PagesFaults,
    )
)]
pub async fn confirm<S: Store, M: Mailer>(
    app: web::Data<Registrar<S, M>>,
    token: web::Path<String>,
    lang: Lang,
) -> HttpResponse {
    match app.confirm_email_change_link(&token).await {
        Ok(()) => message(
            StatusCode::OK,
            lang,
            "page.email_changed_title",
            "page.email_changed_text",
        ),
        Err(ServiceError::Invalid(errors)) if errors.has(Field::NewEmail) => message(
            StatusCode::CONFLICT,
            lang,
            "page.email_change_taken_title",
            "page.email_change_taken_text",
        ),
        Err(e) => failure(lang, &e),
    }
}

/// Cancel a change of email address: the question
///
/// The link of the notice to the old address: says which address the
/// account would change to, with a button that cancels it.
#[utoipa::path(
    get,
    path = "/confirm/email-cancel/{token}",
    operation_id = "email_cancel_page",
    tag = "pages",
    params(("token" = String, Path, description = "The last part of the link mailed to the old address.")),
    responses(
        (status = 200, description = "The change and the button that cancels it.", body = String, content_type = "text/html"),
        (status = 404, description = "The link is unknown, used, replaced or expired.", body = String, content_type = "text/html"),
        PagesFaults,
    )
)]
pub async fn cancel_form<S: Store, M: Mailer>(
    app: web::Data<Registrar<S, M>>,
    token: web::Path<String>,
    lang: Lang,
) -> HttpResponse {
    ask(&app, &token, EmailChangeLink::Cancel, lang).await
}

/// Cancel a change of email address
///
/// Cancels the change, signs out every session of the account and mails a
/// link to choose a new password to the (unchanged) address.
#[utoipa::path(
    post,
    path = "/confirm/email-cancel/{token}",
    operation_id = "email_cancel_submit",
    tag = "pages",
    params(("token" = String, Path, description = "The last part of the link mailed to the old address.")),
    responses(
        (status = 200, description = "\"Change cancelled\".", body = String, content_type = "text/html"),
        (status = 404, description = "The link is unknown, used, replaced or expired.", body = String, content_type = "text/html"),
        PagesFaults,
    )
)]
pub async fn cancel<S: Store, M: Mailer>(
    app: web::Data<Registrar<S, M>>,
    token: web::Path<String>,
    lang: Lang,
) -> HttpResponse {
    match app.cancel_email_change(&token).await {
        Ok(()) => message(
            StatusCode::OK,
            lang,
            "page.email_cancelled_title",
            "page.email_cancelled_text",
        ),
        Err(e) => failure(lang, &e),
    }
}
