//! Limits on the request head, below actix's own (128 KiB of head, 96
//! headers): a request whose header lines add up to more than
//! `http.max_header_bytes` is answered 431 before any handler runs, in the
//! core shape (`invalid_request`).

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::edge::language::Lang;

/// Largest request head we read (`http.max_header_bytes`): the request
/// target plus every header name and value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaxHeaderBytes(pub usize);

impl Default for MaxHeaderBytes {
    fn default() -> Self {
        Self(16 * 1024)
    }
}

fn head_bytes(req: &ServiceRequest) -> usize {
    let target = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    target
        + req
            .headers()
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len())
            .sum::<usize>()
}

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody + 'static>>, actix_web::Error> {
    let max = req
        .app_data::<web::Data<MaxHeaderBytes>>()
        .map_or_else(MaxHeaderBytes::default, |m| *m.get_ref());
    if head_bytes(&req) > max.0 {
        let lang = Lang::of(req.request());
        let message = lang.t("error.headers_too_large");
        let response = HttpResponse::build(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE)
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(json!({
                "success": false,
                "error": "invalid_request",
                "message": message,
                "error_description": message,
            }));
        return Ok(req.into_response(response).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}
