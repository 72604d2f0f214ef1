//! Registration, password change and the caller's own account.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use registrar_domain::Language;
use registrar_mail::Mailer;
use registrar_service::{
    AuthContext, ChangePasswordInput, Field, FieldError, FieldErrors, LoginInput, ProfilePatch, ProfileView,
    RegisterInput, Registrar, ServiceError, TokenPair,
};
use registrar_store::Store;
use serde_json::json;

use super::{CoreError, CoreResult};
use crate::body::{self, Fields};
use crate::i18n::Lang;

type App<S, M> = web::Data<Registrar<S, M>>;

/// `200` with a token pair; token answers are never cached.
pub fn token_pair(pair: &TokenPair) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(json!({
            "access_token": pair.access_token.expose(),
            "token_type": "Bearer",
            "expires_in": pair.expires_in,
            "refresh_token": pair.refresh_token.expose(),
        }))
}

/// The caller behind `Authorization: Bearer …`.
pub async fn caller<S: Store, M: Mailer>(
    req: &HttpRequest,
    app: &App<S, M>,
    lang: Lang,
) -> Result<AuthContext, CoreError> {
    let token = crate::bearer_token(req).ok_or(ServiceError::InvalidToken).core(lang)?;
    app.authenticate(token).await.core(lang)
}

pub fn login_input(f: &Fields) -> LoginInput {
    LoginInput {
        client_id: f.string("client_id"),
        device_id: f.string("device_id"),
        device_name: f.string("device_name"),
        email: f.string("username"),
        password: f.string("password"),
    }
}

pub async fn register<S: Store, M: Mailer>(
    req: HttpRequest,
    payload: web::Payload,
    app: App<S, M>,
    lang: Lang,
) -> Result<HttpResponse, CoreError> {
    let f = body::read(&req, payload).await.core(lang)?;
    if f.has("usertype") {
        return Ok(crate::typed::register(&req, &f, &app, lang).await);
    }
    let input = RegisterInput {
        client_id: f.string("client_id"),
        device_id: f.string("device_id"),
        device_name: f.string("device_name"),
        email: f.string("username"),
        password: f.string("password"),
        firstname: f.string("firstname"),
        lastname: f.string("lastname"),
        telephone: f.string("telephone"),
        policies: f.int_list("policies"),
        tin_nr: f.string("tin_nr"),
        language: f
            .string("language")
            .and_then(|l| Language::from_code(&l))
            .or_else(|| Lang::requested(&req)),
        invite: f.string("token"),
    };
    let pair = app.register(input).await.core(lang)?;
    Ok(token_pair(&pair))
}

pub async fn change_password<S: Store, M: Mailer>(
    req: HttpRequest,
    payload: web::Payload,
    app: App<S, M>,
    lang: Lang,
) -> Result<HttpResponse, CoreError> {
    let f = body::read(&req, payload).await.core(lang)?;
    match f.string("grant_type").as_deref() {
        Some("password") => {}
        Some(_) => return Err(ServiceError::UnsupportedGrantType).core(lang),
        None => {
            return Err(ServiceError::Invalid(FieldErrors::single(
                Field::GrantType,
                FieldError::Required,
            )))
            .core(lang)
        }
    }
    let input = ChangePasswordInput {
        login: login_input(&f),
        new_password: f.string("new_password"),
    };
    let pair = app.change_password(input).await.core(lang)?;
    Ok(token_pair(&pair))
}

pub fn profile_json(view: &ProfileView) -> serde_json::Value {
    let u = &view.user;
    let p = &u.profile;
    json!({
        "id": u.id.as_str(),
        "username": u.email.as_str(),
        "firstname": p.firstname,
        "insertion": p.insertion,
        "lastname": p.lastname,
        "display_name": p.display_name(),
        "telephone": p.telephone.as_ref().map(|t| t.as_str()),
        "tin_nr": p.tin_nr,
        "postal_code": p.postal_code,
        "usertype": p.usertype.as_str(),
        "organisation": p.organisation.as_ref().map(|o| json!({
            "name": o.name, "street_name": o.street_name, "town": o.town, "sector": o.sector,
        })),
        "role": u.role.as_str(),
        "language": u.language.code(),
        "email_confirmed": u.email_confirmed(),
        "created_at": crate::timestamp(u.created_at),
        "accepted_policies": view.accepted_policies,
        "pending_policies": view.pending_policies,
    })
}

pub async fn me<S: Store, M: Mailer>(req: HttpRequest, app: App<S, M>, lang: Lang) -> Result<HttpResponse, CoreError> {
    let ctx = caller(&req, &app, lang).await?;
    let view = app.profile(ctx.user).await.core(lang)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(profile_json(&view)))
}

pub async fn update_me<S: Store, M: Mailer>(
    req: HttpRequest,
    payload: web::Payload,
    app: App<S, M>,
    lang: Lang,
) -> Result<HttpResponse, CoreError> {
    let ctx = caller(&req, &app, lang).await?;
    let f = body::read(&req, payload).await.core(lang)?;
    let patch = ProfilePatch {
        firstname: f.patch("firstname"),
        insertion: f.patch("insertion"),
        lastname: f.patch("lastname"),
        telephone: f.patch("telephone"),
        tin_nr: f.patch("tin_nr"),
        language: f.patch("language"),
    };
    let view = app.update_profile(&ctx, patch).await.core(lang)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(profile_json(&view)))
}

pub async fn delete_me<S: Store, M: Mailer>(
    req: HttpRequest,
    payload: web::Payload,
    app: App<S, M>,
    lang: Lang,
) -> Result<HttpResponse, CoreError> {
    let ctx = caller(&req, &app, lang).await?;
    let f = body::read(&req, payload).await.core(lang)?;
    app.delete_account(&ctx, f.string("password")).await.core(lang)?;
    Ok(HttpResponse::NoContent().finish())
}

/// `200 {}`: the same answer whether or not the account exists.
pub async fn forgot_password<S: Store, M: Mailer>(
    req: HttpRequest,
    payload: web::Payload,
    app: App<S, M>,
    lang: Lang,
) -> Result<HttpResponse, CoreError> {
    let f = body::read(&req, payload).await.core(lang)?;
    app.forgot_password(f.string("username")).await.core(lang)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(json!({})))
}

pub async fn reset_password<S: Store, M: Mailer>(
    req: HttpRequest,
    payload: web::Payload,
    app: App<S, M>,
    lang: Lang,
) -> Result<HttpResponse, CoreError> {
    let f = body::read(&req, payload).await.core(lang)?;
    app.reset_password(f.string("token"), f.string("password"))
        .await
        .core(lang)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(json!({})))
}
