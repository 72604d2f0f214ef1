//! `POST /api/register`, which two families share: a body with `usertype`
//! is typed registration, any other the device-token API's. A body that
//! cannot be read is answered in the core shape either way.

use actix_web::{web, HttpResponse};
use registrar_mail::Mailer;
use registrar_store::Store;

use crate::edge::body::{self, BodyError, Object};
use crate::edge::call::Call;
use crate::edge::schema::{any_of, one_of};
use crate::families::core::answers::TokenPairResponse;
use crate::families::core::requests::RegisterRequest;
use crate::families::core::{self, CoreBodyRefusals, CoreError, CoreErrorBody, CoreResult};
use crate::families::typed::{self, TypedErrorBody, TypedSuccessResponse};

/// `POST /api/register`: a body with `usertype` is a typed registration,
/// any other the device-token API's.
#[derive(Debug)]
pub enum RegisterBody {
    Core(RegisterRequest),
    Typed(typed::TypedRegisterRequest),
}

impl RegisterBody {
    pub fn of(body: Object) -> Result<Self, BodyError> {
        if body.has("usertype") {
            body.parse().map(Self::Typed)
        } else {
            body.parse().map(Self::Core)
        }
    }
}

one_of!(
    RegisterBody,
    "A core registration, or a typed one (customer or organisation) when the body has `usertype`.",
    RegisterRequest,
    typed::TypedCustomerRequest,
    typed::TypedOrganisationRequest,
);

/// What `POST /api/register` answers when it registers: a token pair (core)
/// or the typed family's success.
pub struct RegisterAnswer;
one_of!(
    RegisterAnswer,
    "A token pair (core registration) or `{\"success\": true, …}` (typed registration).",
    TokenPairResponse,
    TypedSuccessResponse,
);

/// What `POST /api/register` answers when it does not: the core shape, or
/// the typed family's when the body had `usertype`.
pub struct RegisterFailure;
any_of!(
    RegisterFailure,
    "The core error shape, or the typed family's when the body had `usertype` (which has the same \
     fields but for `errors`).",
    CoreErrorBody,
    TypedErrorBody,
);

/// Register an account (core or typed)
///
/// Without `usertype` (the device-token API): creates an unconfirmed account on this
/// device, mails a confirmation code and link, and answers a token pair.
/// With `usertype` (typed registration): a customer or an organisation, paid for by a
/// signup token, answered in the typed family's shape — one error at a time,
/// the alphabetically first failing field. A body that cannot be read (400,
/// 413, 415) is answered in the core shape either way.
#[utoipa::path(
    post,
    path = "/api/register",
    operation_id = "register",
    tags = ["core", "typed"],
    request_body(content = RegisterBody),
    responses(
        (status = 200, description = "Registered: a token pair (core), or `{\"success\": true, …}` (typed).",
            body = RegisterAnswer),
        (status = 400, description = "Core: `invalid_request`, `validation_failed` (every failing field in \
            `errors`), `invalid_client`. Typed: the first failing field's check.", body = RegisterFailure),
        CoreBodyRefusals,
        (status = 429, description = "`too_many_attempts`: too many registrations from this address, or unreadable bodies; `Retry-After` says in how many seconds to try again.", body = RegisterFailure,
            headers(("Retry-After" = u64, description = "Seconds until the limit lets this through again."))),
        (status = 500, description = "`server_error`: a fault on our side (logged with the request id).",
            body = RegisterFailure),
        (status = 503, description = "`server_error`: the database is unavailable.", body = RegisterFailure),
    )
)]
pub async fn register<S: Store, M: Mailer>(call: Call<S, M>, payload: web::Payload) -> Result<HttpResponse, CoreError> {
    let Call { req, app, lang } = call;
    let body = body::read_object(&req, payload, &app).await.core(lang)?;
    match RegisterBody::of(body).core(lang)? {
        RegisterBody::Typed(request) => Ok(typed::register(&req, request, &app, lang).await),
        RegisterBody::Core(request) => core::account::register(&req, request, &app, lang).await,
    }
}
