//! `POST /api/users/validation` and `POST /api/mails/verify`: confirming an
//! address with its 6-digit code, whichever family made the account.

use actix_web::{web, HttpRequest, HttpResponse};
use registrar_mail::Mailer;
use registrar_service::Registrar;
use registrar_store::Store;
use serde_json::json;

use super::{UsersError, UsersResult};
use crate::body;
use crate::i18n::Lang;

type App<S, M> = web::Data<Registrar<S, M>>;

pub async fn validation<S: Store, M: Mailer>(
    req: HttpRequest,
    payload: web::Payload,
    app: App<S, M>,
    lang: Lang,
) -> Result<HttpResponse, UsersError> {
    let f = body::read(&req, payload).await.users(lang)?;
    app.confirm_code(f.string("email"), f.string("token"))
        .await
        .users(lang)?;
    Ok(HttpResponse::Created().json(json!({"message": lang.t("users.validated")})))
}

pub async fn verify<S: Store, M: Mailer>(
    req: HttpRequest,
    payload: web::Payload,
    app: App<S, M>,
    lang: Lang,
) -> Result<HttpResponse, UsersError> {
    let f = body::read(&req, payload).await.users(lang)?;
    app.resend_confirmation(f.string("email")).await.users(lang)?;
    Ok(HttpResponse::Created().json(json!({"message": lang.t("users.mail_sent")})))
}
