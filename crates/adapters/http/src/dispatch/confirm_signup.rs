//! `POST /confirm/signup/{id}`, which two families share: an app's call is
//! email-first signup's (JSON), the activation page's form is the pages'
//! (HTML). A body that cannot be read is answered in the signup shape.

use actix_web::{web, HttpResponse};
use registrar_mail::Mailer;
use registrar_store::Store;

use crate::edge::body::{self, BodyError, Object};
use crate::edge::call::Call;
use crate::edge::schema::any_of;
use crate::families::pages::{self, SignupConfirmForm};
use crate::families::signup::{self, SignupBodyRefusals, SignupConfirmRequest, SignupConfirmResponse, SignupErrorBody};

/// `POST /confirm/signup/{id}`: the JSON API's body, or the activation page's
/// form (it carries the CSRF field), which gets a page back.
#[derive(Debug)]
pub enum SignupConfirmBody {
    Api(SignupConfirmRequest),
    Page(SignupConfirmForm),
}

impl SignupConfirmBody {
    /// The form when the body carries the CSRF field or a browser submitted
    /// it as a page (then it must pass the form's CSRF check); else an app's call.
    pub fn of(body: Object, browser_form: bool) -> Result<Self, BodyError> {
        if browser_form || body.has(pages::CSRF_FIELD) {
            body.parse().map(Self::Page)
        } else {
            body.parse().map(Self::Api)
        }
    }
}

any_of!(
    SignupConfirmBody,
    "An app's body (JSON answer), or the activation page's form: a body with `csrf_token` is the form \
     (HTML answer).",
    SignupConfirmRequest,
    SignupConfirmForm,
);

/// Activate an email-first account
///
/// `consent` ≥ 1 and an optional `password`; `id` is the last part of the
/// mailed link. An app gets JSON: the account and an access token of the
/// `web` client. The activation page's form (it carries the CSRF field) gets
/// a page: "account active", or the form again with what is wrong.
#[utoipa::path(
    post,
    path = "/confirm/signup/{id}",
    operation_id = "confirm_signup",
    tags = ["signup", "pages"],
    params(("id" = String, Path, description = "The last part of the mailed activation link.")),
    request_body(content = SignupConfirmBody),
    responses(
        (status = 200, description = "Activated.", content(
            (SignupConfirmResponse = "application/json"),
            (String = "text/html"),
        )),
        (status = 400, description = "`consentRequired`, `passwordInvalid`; the form: what is wrong.", content(
            (SignupErrorBody = "application/json"),
            (String = "text/html"),
        )),
        (status = 403, description = "The form's CSRF check failed (\"the form expired\"); nothing changed.",
            body = String, content_type = "text/html"),
        (status = 404, description = "`failedToFindConfirmationId`: unknown, used or expired link.", content(
            (SignupErrorBody = "application/json"),
            (String = "text/html"),
        )),
        SignupBodyRefusals,
        (status = 429, description = "`tooManyAttempts`: too many unreadable bodies from this client; `Retry-After` says in how many seconds to try again.", body = SignupErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until the limit lets this through again."))),
        (status = 500, description = "`confirmationFailed`; the form: a page saying it is our fault.", content(
            (SignupErrorBody = "application/json"),
            (String = "text/html"),
        )),
        (status = 503, description = "`confirmationFailed`: the database is unavailable.", content(
            (SignupErrorBody = "application/json"),
            (String = "text/html"),
        )),
    )
)]
pub async fn confirm<S: Store, M: Mailer>(
    call: Call<S, M>,
    payload: web::Payload,
    id: web::Path<String>,
) -> HttpResponse {
    let Call { req, app, lang } = call;
    let read = body::read_object(&req, payload, &app).await;
    let body = match read.and_then(|body| SignupConfirmBody::of(body, pages::is_browser_form(&req))) {
        Ok(body) => body,
        Err(e) => return signup::unreadable_confirmation(e),
    };
    match body {
        SignupConfirmBody::Page(form) => pages::signup_submitted(&req, form, &app, &id, lang).await,
        SignupConfirmBody::Api(request) => signup::confirm(request, &app, &id).await,
    }
}
