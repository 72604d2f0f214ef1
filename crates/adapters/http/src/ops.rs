//! Operations endpoints, the OpenAPI document, and the catch-all 404.

use actix_web::{web, HttpResponse};
use registrar_mail::Mailer;
use registrar_service::{Registrar, ServiceError};
use registrar_store::Store;
use serde::Serialize;
use utoipa::ToSchema;

use crate::edge::language::Lang;
use crate::edge::routes::{route, AddRoute};
use crate::families::core::{CoreError, CoreErrorBody, CoreResult};

pub fn routes(routes: &mut impl AddRoute) {
    route!(routes, __path_healthz => healthz);
    route!(routes, __path_readyz => readyz::<S, M>);
    route!(routes, __path_metrics => metrics);
    route!(routes, __path_openapi => openapi);
}

#[derive(Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum HealthStatus {
    Ok,
    Unavailable,
}

/// The answer of `/healthz` and `/readyz`.
#[derive(Serialize, ToSchema)]
pub struct HealthResponse {
    pub status: HealthStatus,
}

/// Liveness
///
/// Answers as long as the process serves HTTP.
#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "healthz",
    tag = "operations",
    responses((status = 200, description = "`{\"status\": \"ok\"}`.", body = HealthResponse))
)]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(HealthResponse {
        status: HealthStatus::Ok,
    })
}

/// Readiness
///
/// 200 while the database answers, 503 while it does not (and 200 again
/// without a restart).
#[utoipa::path(
    get,
    path = "/readyz",
    operation_id = "readyz",
    tag = "operations",
    responses(
        (status = 200, description = "`{\"status\": \"ok\"}`: the database answers.", body = HealthResponse),
        (status = 503, description = "`{\"status\": \"unavailable\"}`: the database does not answer.",
            body = HealthResponse),
    )
)]
pub async fn readyz<S: Store, M: Mailer>(app: web::Data<Registrar<S, M>>) -> HttpResponse {
    match app.ready().await {
        Ok(()) => HttpResponse::Ok().json(HealthResponse {
            status: HealthStatus::Ok,
        }),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            HttpResponse::ServiceUnavailable().json(HealthResponse {
                status: HealthStatus::Unavailable,
            })
        }
    }
}

/// Metrics
///
/// Prometheus text exposition of every metric.
#[utoipa::path(
    get,
    path = "/metrics",
    operation_id = "metrics",
    tag = "operations",
    responses(
        (status = 200, description = "Prometheus text (version 0.0.4).", body = String,
            content_type = "text/plain"),
        (status = 404, description = "`not_found`: this server renders no metrics.", body = CoreErrorBody),
    )
)]
pub async fn metrics(
    renderer: web::Data<Option<crate::edge::metrics::Renderer>>,
    lang: Lang,
) -> Result<HttpResponse, CoreError> {
    match renderer.as_ref() {
        Some(render) => Ok(HttpResponse::Ok()
            .content_type("text/plain; version=0.0.4; charset=utf-8")
            .body(render())),
        None => Err(ServiceError::NotFound).core(lang),
    }
}

/// This document
///
/// The OpenAPI 3 description of every endpoint, generated from the code.
#[utoipa::path(
    get,
    path = "/openapi.json",
    operation_id = "openapi",
    tag = "operations",
    responses((status = 200, description = "The OpenAPI document.", body = Object))
)]
pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(crate::openapi::document())
}

/// Anything unrouted: 404 in the core shape.
pub async fn not_found(lang: Lang) -> Result<HttpResponse, CoreError> {
    Err(ServiceError::NotFound).core(lang)
}
