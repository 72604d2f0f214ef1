//! Email-first signup: `POST /signup` and `POST /confirm/signup/{id}`,
//! answering `{"result": "success", …}` or `{"result": "error", "error": "<code>"}`.

mod wire;

pub use wire::{
    SignupAccount, SignupBodyRefusals, SignupConfirmRequest, SignupConfirmResponse, SignupErrorBody, SignupRequest,
    SignupResponse,
};

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use registrar_mail::Mailer;
use registrar_service::{self as service, Field, FieldError, FieldErrors, Registrar, SignupConsent};
use registrar_store::Store;

use crate::edge::body::{self, BodyError};
use crate::edge::call::Call;
use crate::edge::client_ip::Origin;
use crate::edge::failure::{self, Failure, Family, Refusal};
use crate::edge::routes::{route, AddRoute};

pub fn routes(routes: &mut impl AddRoute) {
    route!(routes, __path_signup => signup::<S, M>);
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
pub async fn signup<S: Store, M: Mailer>(call: Call<S, M>, payload: web::Payload) -> HttpResponse {
    let Call { req, app, .. } = call;
    // An empty body is unreadable here (the contract's `invalidRequest`).
    let read = body::read_object(&req, payload, &app).await.and_then(|f| {
        if f.is_empty() {
            Err(BodyError::Malformed)
        } else {
            f.parse::<SignupRequest>()
        }
    });
    let request = match read {
        Ok(request) => request,
        Err(e) => return failure::respond(&Signup::Start, e),
    };
    let signup = service::Signup::parse(request.email, request.language, request.token, app.rules());
    match app.signup(signup, Origin::of(&req).0).await {
        Ok(email) => HttpResponse::Created().json(SignupResponse {
            result: "success",
            email: email.as_str().to_owned(),
        }),
        Err(e) => failure::respond(&Signup::Start, &e),
    }
}

/// `POST /confirm/signup/{id}` asked by an app (see [`crate::dispatch`]):
/// the account and an access token of the `web` client.
pub async fn confirm<S: Store, M: Mailer>(
    request: SignupConfirmRequest,
    app: &Registrar<S, M>,
    id: &str,
) -> HttpResponse {
    let done = match SignupConsent::parse(request.consent, request.password) {
        Ok(given) => app.complete_signup(id, given).await,
        Err(e) => Err(e),
    };
    match done {
        Ok((pair, user)) => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(SignupConfirmResponse::new(&pair, &user)),
        Err(e) => failure::respond(&Signup::Confirm, &e),
    }
}

/// A body of `POST /confirm/signup/{id}` that could not be read, answered in
/// the family's shape.
pub fn unreadable_confirmation(e: BodyError) -> HttpResponse {
    failure::respond(&Signup::Confirm, e)
}
