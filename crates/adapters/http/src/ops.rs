//! Operations endpoints and the catch-all 404.

use actix_web::{web, HttpResponse};
use registrar_mail::Mailer;
use registrar_service::{Registrar, ServiceError};
use registrar_store::Store;
use serde_json::json;

use crate::core::{CoreError, CoreResult};
use crate::i18n::Lang;

pub fn routes<S: Store, M: Mailer>(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz))
        .route("/readyz", web::get().to(readyz::<S, M>))
        .route("/metrics", web::get().to(metrics));
}

/// Alive: answers as long as the process serves HTTP.
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// Ready: the database answers.
async fn readyz<S: Store, M: Mailer>(app: web::Data<Registrar<S, M>>) -> HttpResponse {
    match app.ready().await {
        Ok(()) => HttpResponse::Ok().json(json!({"status": "ok"})),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            HttpResponse::ServiceUnavailable().json(json!({"status": "unavailable"}))
        }
    }
}

/// Prometheus text exposition of every metric.
async fn metrics(renderer: web::Data<Option<crate::metrics::Renderer>>, lang: Lang) -> Result<HttpResponse, CoreError> {
    match renderer.as_ref() {
        Some(render) => Ok(HttpResponse::Ok()
            .content_type("text/plain; version=0.0.4; charset=utf-8")
            .body(render())),
        None => Err(ServiceError::NotFound).core(lang),
    }
}

/// Anything unrouted: 404 in the core shape.
pub async fn not_found(lang: Lang) -> Result<HttpResponse, CoreError> {
    Err(ServiceError::NotFound).core(lang)
}
