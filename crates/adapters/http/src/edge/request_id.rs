//! `X-Request-Id` on every response (the caller's, if sane, or a new one),
//! a tracing span per request carrying it, and one log line per request.
//! Every request is served inside [`registrar_service::within_request`]:
//! the audit events it writes carry its id and client address.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::HttpMessage;
use tracing::Instrument;

pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the current request, in request extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

fn acceptable(id: &str) -> bool {
    !id.is_empty() && id.len() <= 128 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
}

/// Longest method name a log line carries; longer ones are cut.
const MAX_LOGGED_METHOD: usize = 32;

/// The method as a log line shows it: printable ASCII only (anything else
/// is `?`), at most [`MAX_LOGGED_METHOD`] characters, then `…`.
fn loggable_method(method: &str) -> String {
    let mut shown: String = method
        .chars()
        .take(MAX_LOGGED_METHOD)
        .map(|c| if c.is_ascii_graphic() { c } else { '?' })
        .collect();
    if method.chars().nth(MAX_LOGGED_METHOD).is_some() {
        shown.push('…');
    }
    shown
}

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, actix_web::Error> {
    let id = req
        .headers()
        .get(&HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable(v))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let method_label = crate::edge::metrics::method_label(req.method());
    let method = loggable_method(req.method().as_str());
    // The route pattern, never the raw path: paths of pages carry link tokens
    // (`/confirm/{token}`), which must not reach a log line; and
    // `/api/sessions/{device_id}` is one metrics series.
    let route = req
        .match_pattern()
        .unwrap_or_else(|| crate::edge::metrics::UNMATCHED.to_owned());
    let span = tracing::info_span!("request", request_id = %id, %method, %route);
    // The request's scope: audit events built while it is served carry its
    // id and the client's address (after trusted proxies).
    let meta = registrar_service::RequestMeta {
        request_id: id.clone(),
        ip: crate::edge::client_ip::Origin::of(req.request()).0.ip(),
    };
    let started = Instant::now();
    let result = registrar_service::within_request(meta, next.call(req).instrument(span.clone())).await;
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    let _entered = span.enter();
    match result {
        Ok(mut response) => {
            if let Ok(value) = HeaderValue::from_str(&id) {
                response.headers_mut().insert(HEADER, value);
            }
            let status = response.status().as_u16();
            crate::edge::metrics::record_request(method_label, &route, status, elapsed_ms / 1000.0);
            tracing::info!(status, elapsed_ms, "request");
            Ok(response)
        }
        Err(e) => {
            tracing::warn!(error = %e, elapsed_ms, "request failed");
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_are_cut_and_cleaned_for_the_log() {
        assert_eq!(loggable_method("GET"), "GET");
        assert_eq!(loggable_method("PROP\r\nFIND\u{0}\u{1b}[31m"), "PROP??FIND??[31m");
        let long = "X".repeat(8000);
        let shown = loggable_method(&long);
        assert_eq!(shown, format!("{}…", "X".repeat(MAX_LOGGED_METHOD)));
        assert_eq!(
            loggable_method(&"Y".repeat(MAX_LOGGED_METHOD)),
            "Y".repeat(MAX_LOGGED_METHOD)
        );
    }
}
