//! Policies: the current revisions in the caller's language, and acceptance.

use actix_web::{web, HttpRequest, HttpResponse};
use registrar_mail::Mailer;
use registrar_service::{CurrentPolicy, Registrar};
use registrar_store::Store;
use serde_json::json;

use super::account::caller;
use super::{CoreError, CoreResult};
use crate::body;
use crate::i18n::{DefaultLanguage, Lang};

type App<S, M> = web::Data<Registrar<S, M>>;

fn policy_json(policy: &CurrentPolicy, lang: Lang, fallback: Lang) -> serde_json::Value {
    let r = &policy.revision;
    let text = r.text(lang.0, fallback.0).map(|(_, t)| t);
    json!({
        "html": text.map(|t| t.html.as_str()).unwrap_or_default(),
        "type": r.policy_type.as_str(),
        "title": text.map(|t| t.title.as_str()).unwrap_or_default(),
        "description": text.map(|t| t.description.as_str()).unwrap_or_default(),
        "button": text.map(|t| t.button.as_str()).unwrap_or_default(),
        "version": r.version,
        "revision_id": r.id,
        "date": r.published_at.format("%Y-%m-%d").to_string(),
        "required": policy.required,
    })
}

fn fallback(req: &HttpRequest) -> Lang {
    Lang(
        req.app_data::<web::Data<DefaultLanguage>>()
            .map_or(registrar_domain::Language::En, |d| d.0),
    )
}

pub async fn list<S: Store, M: Mailer>(
    req: HttpRequest,
    app: App<S, M>,
    lang: Lang,
) -> Result<HttpResponse, CoreError> {
    let policies = app.current_policies().await.core(lang)?;
    let fallback = fallback(&req);
    let list: Vec<_> = policies.iter().map(|p| policy_json(p, lang, fallback)).collect();
    Ok(HttpResponse::Ok().json(list))
}

pub async fn one<S: Store, M: Mailer>(
    req: HttpRequest,
    path: web::Path<String>,
    app: App<S, M>,
    lang: Lang,
) -> Result<HttpResponse, CoreError> {
    let policy = app.current_policy(&path.into_inner()).await.core(lang)?;
    let mut body = policy_json(&policy, lang, fallback(&req));
    if let Some(map) = body.as_object_mut() {
        map.remove("required");
    }
    Ok(HttpResponse::Ok().json(body))
}

pub async fn accept<S: Store, M: Mailer>(
    req: HttpRequest,
    payload: web::Payload,
    app: App<S, M>,
    lang: Lang,
) -> Result<HttpResponse, CoreError> {
    let ctx = caller(&req, &app, lang).await?;
    let f = body::read(&req, payload).await.core(lang)?;
    let acceptance = app.accept_policies(&ctx, f.int_list("policies")).await.core(lang)?;
    Ok(HttpResponse::Ok().json(json!({"accepted": acceptance.accepted, "pending": acceptance.pending})))
}
