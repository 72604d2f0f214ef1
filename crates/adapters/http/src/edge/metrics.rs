//! Request metrics, recorded through the `metrics` facade; whoever installs
//! a recorder (the app: Prometheus) decides where they go.
//!
//! No label takes a value from the request except the matched route pattern
//! (one of ours): the method is one of a fixed set or `OTHER`, an unmatched
//! path is `unmatched`, the status is a number. So no request can grow
//! `/metrics`.

use std::sync::Arc;

use actix_web::http::Method;

/// Renders the current metrics as Prometheus text.
pub type Renderer = Arc<dyn Fn() -> String + Send + Sync>;

pub const REQUESTS: &str = "registrar_http_requests_total";
pub const DURATION: &str = "registrar_http_request_duration_seconds";

/// The `route` label of a request that matched no route.
pub const UNMATCHED: &str = "unmatched";

/// The `method` label: the standard methods by name, any other as `OTHER`.
pub fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

pub(crate) fn record_request(method: &'static str, route: &str, status: u16, seconds: f64) {
    let labels = [
        ("method", method.to_owned()),
        ("route", route.to_owned()),
        ("status", status.to_string()),
    ];
    metrics::counter!(REQUESTS, &labels).increment(1);
    metrics::histogram!(DURATION, &labels[..2]).record(seconds);
}

#[cfg(test)]
#[allow(clippy::pedantic, clippy::restriction)] // test code
mod tests {
    use super::*;

    #[test]
    fn only_standard_methods_keep_their_name() {
        for name in ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] {
            let method = Method::from_bytes(name.as_bytes()).expect("method");
            assert_eq!(method_label(&method), name);
        }
        for name in ["TRACE", "CONNECT", "PROPFIND", "get", &"X".repeat(8000)] {
            let method = Method::from_bytes(name.as_bytes()).expect("method");
            assert_eq!(method_label(&method), "OTHER", "{}", &name[..name.len().min(20)]);
        }
    }
}
