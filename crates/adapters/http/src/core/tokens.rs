//! `/api/token`, logout and the caller's sessions.

use actix_web::{web, HttpRequest, HttpResponse};
use registrar_mail::Mailer;
use registrar_service::{Field, FieldError, FieldErrors, Registrar, ServiceError};
use registrar_store::Store;
use serde_json::json;

use super::account::{caller, login_input, token_pair};
use super::{CoreError, CoreResult};
use crate::body;
use crate::i18n::Lang;

type App<S, M> = web::Data<Registrar<S, M>>;

pub async fn token<S: Store, M: Mailer>(
    req: HttpRequest,
    payload: web::Payload,
    app: App<S, M>,
    lang: Lang,
) -> Result<HttpResponse, CoreError> {
    let f = body::read(&req, payload).await.core(lang)?;
    let pair = match f.string("grant_type").as_deref() {
        Some("password") => app.login(login_input(&f)).await,
        Some("refresh_token") => app.refresh(f.string("refresh_token"), f.string("client_id")).await,
        Some(_) => Err(ServiceError::UnsupportedGrantType),
        None => Err(ServiceError::Invalid(FieldErrors::single(
            Field::GrantType,
            FieldError::Required,
        ))),
    }
    .core(lang)?;
    Ok(token_pair(&pair))
}

pub async fn logout<S: Store, M: Mailer>(
    req: HttpRequest,
    app: App<S, M>,
    lang: Lang,
) -> Result<HttpResponse, CoreError> {
    let ctx = caller(&req, &app, lang).await?;
    app.logout(&ctx).await.core(lang)?;
    Ok(HttpResponse::NoContent().finish())
}

pub async fn sessions<S: Store, M: Mailer>(
    req: HttpRequest,
    app: App<S, M>,
    lang: Lang,
) -> Result<HttpResponse, CoreError> {
    let ctx = caller(&req, &app, lang).await?;
    let sessions = app.sessions(&ctx).await.core(lang)?;
    let list: Vec<_> = sessions
        .iter()
        .map(|v| {
            json!({
                "device_id": v.session.device_id.as_str(),
                "device_name": v.session.device_name.as_str(),
                "client_id": v.session.client_id.as_str(),
                "created_at": crate::timestamp(v.session.created_at),
                "last_used_at": crate::timestamp(v.session.last_used_at),
                "current": v.current,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(list))
}

pub async fn revoke_device<S: Store, M: Mailer>(
    req: HttpRequest,
    path: web::Path<String>,
    app: App<S, M>,
    lang: Lang,
) -> Result<HttpResponse, CoreError> {
    let ctx = caller(&req, &app, lang).await?;
    app.revoke_device(&ctx, &path.into_inner()).await.core(lang)?;
    Ok(HttpResponse::NoContent().finish())
}
