//! Email-first signup: `POST /signup` and `POST /confirm/signup/{id}`,
//! answering `{"result": "success", …}` or `{"result": "error", "error": "<code>"}`.

mod wire;

pub use wire::{
    SignupAccount, SignupBodyRefusals, SignupConfirmBody, SignupConfirmRequest, SignupConfirmResponse, SignupErrorBody,
    SignupRequest, SignupResponse,
};

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use registrar_mail::Mailer;
use registrar_service::{Field, FieldError, FieldErrors, Registrar};
use registrar_store::Store;

use crate::body::{self, BodyError};
use crate::client_ip::Origin;
use crate::failure::{self, Failure, Family, Refusal};
use crate::i18n::Lang;
use crate::routes::Routes;

type App<S, M> = web::Data<Registrar<S, M>>;

pub fn routes<S: Store, M: Mailer>(routes: &mut Routes) {
    routes
        .post("/signup", signup::<S, M>)
        .post("/confirm/signup/{id}", confirm::<S, M>);
}

fn error(status: StatusCode, code: &'static str) -> HttpResponse {
    HttpResponse::build(status).json(SignupErrorBody {
        result: "error",
        error: code,
    })
}

/// The family's two endpoints, which name their field errors and their
/// faults each in its own way.
enum Signup {
    /// `POST /signup`.
    Start,
    /// `POST /confirm/signup/{id}`, asked by an app.
    Confirm,
}

impl Family for Signup {
    fn refusal_status(&self, refusal: &Refusal<'_>) -> Option<StatusCode> {
        match (self, refusal) {
            (_, Refusal::Invalid(_)) => Some(StatusCode::BAD_REQUEST),
            (Signup::Confirm, Refusal::NotFound) => Some(StatusCode::NOT_FOUND),
            // Anything else is a fault: 500 (logged).
            _ => None,
        }
    }

    fn answer(&self, failure: &Failure<'_>, status: StatusCode) -> HttpResponse {
        let code = match (self, failure) {
            (_, Failure::Malformed) => "postBodyMissing",
            (_, Failure::UnsupportedMediaType) => "unsupportedMediaType",
            (_, Failure::BodyTooLarge) => "payloadTooLarge",
            (_, Failure::TooManyAttempts { .. }) => "tooManyAttempts",
            (_, Failure::Timeout) => "requestTimeout",
            (Signup::Start, Failure::Refused(Refusal::Invalid(errors))) => signup_code(errors),
            (Signup::Confirm, Failure::Refused(Refusal::Invalid(errors))) if errors.has(Field::Consent) => {
                "consentRequired"
            }
            (Signup::Confirm, Failure::Refused(Refusal::Invalid(_))) => "passwordInvalid",
            (Signup::Confirm, Failure::Refused(Refusal::NotFound)) => "failedToFindConfirmationId",
            (Signup::Start, _) => "createAccountFailed",
            (Signup::Confirm, _) => "confirmationFailed",
        };
        error(status, code)
    }
}

/// The family's code for the first problem, in the family's order.
fn signup_code(errors: &FieldErrors) -> &'static str {
    let has = |field: Field, pick: fn(&FieldError) -> bool| {
        errors.iter().any(|(f, list)| *f == field && list.iter().any(pick))
    };
    if has(Field::Email, |e| *e == FieldError::Required) {
        "emailMissing"
    } else if has(Field::Email, |_| true) {
        "emailInvalid"
    } else if has(Field::Language, |e| *e == FieldError::Required) {
        "languageMissing"
    } else if has(Field::Language, |_| true) {
        "unsupportedLanguage"
    } else if has(Field::Invite, |e| *e == FieldError::Required) {
        "tokenMissing"
    } else {
        "tokenInvalid"
    }
}

/// Sign up with an email address
///
/// 201 for a new address and for one that has an account (its owner gets a
/// "someone tried to sign up" mail instead of a confirmation). The account
/// has no password and cannot log in until the mailed link activates it.
#[utoipa::path(
    post,
    path = "/signup",
    operation_id = "signup",
    tag = "signup",
    request_body(content = SignupRequest),
    responses(
        (status = 201, description = "Signed up (or the owner of the address is told).", body = SignupResponse),
        (status = 400, description = "`postBodyMissing` (no or malformed body), `emailMissing`, `emailInvalid`, \
            `languageMissing`, `unsupportedLanguage`, `tokenMissing`, `tokenInvalid`.", body = SignupErrorBody),
        SignupBodyRefusals,
        (status = 429, description = "`tooManyAttempts`: too many sign-ups or mails for this address or from this client, or unreadable bodies; `Retry-After` says in how many seconds to try again.", body = SignupErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until the limit lets this through again."))),
        (status = 500, description = "`createAccountFailed`.", body = SignupErrorBody),
        (status = 503, description = "`createAccountFailed`: the database is unavailable.", body = SignupErrorBody),
    )
)]
pub async fn signup<S: Store, M: Mailer>(req: HttpRequest, payload: web::Payload, app: App<S, M>) -> HttpResponse {
    let f = match body::read(&req, payload, &app).await {
        Ok(f) if f.is_empty() => return failure::respond(&Signup::Start, BodyError::Malformed),
        Ok(f) => f,
        Err(e) => return failure::respond(&Signup::Start, e),
    };
    let request = SignupRequest::from(&f);
    match app
        .signup(request.email, request.language, request.token, Origin::of(&req).0)
        .await
    {
        Ok(email) => HttpResponse::Created().json(SignupResponse {
            result: "success",
            email: email.as_str().to_owned(),
        }),
        Err(e) => failure::respond(&Signup::Start, &e),
    }
}

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
    req: HttpRequest,
    payload: web::Payload,
    app: App<S, M>,
    id: web::Path<String>,
    lang: Lang,
) -> HttpResponse {
    let f = match body::read(&req, payload, &app).await {
        Ok(f) => f,
        Err(e) => return failure::respond(&Signup::Confirm, e),
    };
    match SignupConfirmBody::of(&f, crate::pages::is_browser_form(&req)) {
        SignupConfirmBody::Page(form) => crate::pages::signup_submitted(&req, form, &app, &id, lang).await,
        SignupConfirmBody::Api(request) => confirm_json(request, &app, &id).await,
    }
}

async fn confirm_json<S: Store, M: Mailer>(
    request: SignupConfirmRequest,
    app: &Registrar<S, M>,
    id: &str,
) -> HttpResponse {
    match app.complete_signup(id, request.consent, request.password).await {
        Ok((pair, user)) => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(SignupConfirmResponse::new(&pair, &user)),
        Err(e) => failure::respond(&Signup::Confirm, &e),
    }
}
