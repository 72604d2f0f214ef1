//! Email-first signup (seed 002): `POST /signup` and `POST /confirm/signup/{id}`,
//! answering `{"result": "success", …}` or `{"result": "error", "error": "<code>"}`.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use registrar_mail::Mailer;
use registrar_service::{Field, FieldError, FieldErrors, Registrar, ServiceError};
use registrar_store::Store;
use serde_json::json;

use crate::body::{self, BodyError, Fields};
use crate::i18n::Lang;

type App<S, M> = web::Data<Registrar<S, M>>;

pub fn routes<S: Store, M: Mailer>(cfg: &mut web::ServiceConfig) {
    cfg.route("/signup", web::post().to(signup::<S, M>))
        .route("/confirm/signup/{id}", web::post().to(confirm::<S, M>));
}

fn error(status: StatusCode, code: &str) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(json!({"result": "error", "error": code}))
}

fn body_error(e: BodyError) -> HttpResponse {
    match e {
        BodyError::Malformed => error(StatusCode::BAD_REQUEST, "postBodyMissing"),
        BodyError::UnsupportedMediaType => error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupportedMediaType"),
        BodyError::TooLarge => error(StatusCode::PAYLOAD_TOO_LARGE, "payloadTooLarge"),
    }
}

/// The seed's code for the first problem, in the seed's order.
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

fn fault(e: &ServiceError, code: &str) -> HttpResponse {
    crate::log_fault(e);
    match e {
        ServiceError::Unavailable(_) => error(StatusCode::SERVICE_UNAVAILABLE, code),
        _ => error(StatusCode::INTERNAL_SERVER_ERROR, code),
    }
}

/// 201 for a new address and for one that has an account (its owner gets a
/// "someone tried to sign up" mail instead of a confirmation).
pub async fn signup<S: Store, M: Mailer>(req: HttpRequest, payload: web::Payload, app: App<S, M>) -> HttpResponse {
    let f = match body::read(&req, payload).await {
        Ok(f) if f.is_empty() => return error(StatusCode::BAD_REQUEST, "postBodyMissing"),
        Ok(f) => f,
        Err(e) => return body_error(e),
    };
    match app
        .signup(f.string("email"), f.string("language"), f.string("token"))
        .await
    {
        Ok(email) => HttpResponse::Created().json(json!({"result": "success", "email": email.as_str()})),
        Err(ServiceError::Invalid(errors)) => error(StatusCode::BAD_REQUEST, signup_code(&errors)),
        Err(e) => fault(&e, "createAccountFailed"),
    }
}

/// Activates the account: `consent` ≥ 1, optional `password`. A browser's
/// form (it carries a CSRF field) gets the page; an app gets JSON.
pub async fn confirm<S: Store, M: Mailer>(
    req: HttpRequest,
    payload: web::Payload,
    app: App<S, M>,
    id: web::Path<String>,
    lang: Lang,
) -> HttpResponse {
    let f = match body::read(&req, payload).await {
        Ok(f) => f,
        Err(e) => return body_error(e),
    };
    if f.has(crate::pages::CSRF_FIELD) {
        return crate::pages::signup_submitted(&req, &f, &app, &id, lang).await;
    }
    confirm_json(&f, &app, &id).await
}

async fn confirm_json<S: Store, M: Mailer>(f: &Fields, app: &Registrar<S, M>, id: &str) -> HttpResponse {
    match app.complete_signup(id, f.string("consent"), f.string("password")).await {
        Ok((pair, user)) => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(json!({
                "result": "success",
                "token": pair.access_token.expose(),
                "account": {
                    "id": user.id.as_str(),
                    "email": user.email.as_str(),
                    "language": user.language.code(),
                    "status": 1,
                    "consent": user.consent,
                },
            })),
        Err(ServiceError::Invalid(errors)) if errors.has(Field::Consent) => {
            error(StatusCode::BAD_REQUEST, "consentRequired")
        }
        Err(ServiceError::Invalid(_)) => error(StatusCode::BAD_REQUEST, "passwordInvalid"),
        Err(ServiceError::NotFound) => error(StatusCode::NOT_FOUND, "failedToFindConfirmationId"),
        Err(e) => fault(&e, "confirmationFailed"),
    }
}
