//! `POST /api/users/register` and `POST /api/users/login`.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use registrar_domain::Language;
use registrar_mail::Mailer;
use registrar_service::{Registrar, UsersRegisterInput};
use registrar_store::Store;
use serde_json::json;

use super::{UsersError, UsersResult};
use crate::body;
use crate::i18n::Lang;

type App<S, M> = web::Data<Registrar<S, M>>;

/// 201 with the new guest account as the seed shows it — never a password.
pub async fn register<S: Store, M: Mailer>(
    req: HttpRequest,
    payload: web::Payload,
    app: App<S, M>,
    lang: Lang,
) -> Result<HttpResponse, UsersError> {
    let f = body::read(&req, payload).await.users(lang)?;
    let input = UsersRegisterInput {
        first_name: f.string("first_name"),
        insertion: f.string("insertion"),
        last_name: f.string("last_name"),
        email: f.string("email"),
        postal_code: f.string("postal_code"),
        password: f.string("password"),
        language: f
            .string("language")
            .and_then(|l| Language::from_code(&l))
            .or_else(|| Lang::requested(&req)),
        invite: f.string("token"),
    };
    let user = app.register_user(input).await.users(lang)?;
    let p = &user.profile;
    Ok(HttpResponse::Created().json(json!({
        "first_name": p.firstname,
        "insertion": p.insertion,
        "last_name": p.lastname,
        "email": user.email.as_str(),
        "postal_code": p.postal_code,
        "role": user.role.as_str(),
    })))
}

/// 200 with a token pair of the built-in web client and the user's role.
pub async fn login<S: Store, M: Mailer>(
    req: HttpRequest,
    payload: web::Payload,
    app: App<S, M>,
    lang: Lang,
) -> Result<HttpResponse, UsersError> {
    let f = body::read(&req, payload).await.users_login(lang)?;
    let (pair, role) = app
        .login_web(f.string("username"), f.string("password"))
        .await
        .users_login(lang)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(json!({
            "token_type": "Bearer",
            "expires_in": pair.expires_in,
            "access_token": pair.access_token.expose(),
            "refresh_token": pair.refresh_token.expose(),
            "role": role.as_str(),
        })))
}
