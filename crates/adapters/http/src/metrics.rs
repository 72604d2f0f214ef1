//! Request metrics, recorded through the `metrics` facade; whoever installs
//! a recorder (the app: Prometheus) decides where they go.

use std::sync::Arc;

/// Renders the current metrics as Prometheus text.
pub type Renderer = Arc<dyn Fn() -> String + Send + Sync>;

pub const REQUESTS: &str = "registrar_http_requests_total";
pub const DURATION: &str = "registrar_http_request_duration_seconds";

pub(crate) fn record_request(method: &str, route: &str, status: u16, seconds: f64) {
    let labels = [
        ("method", method.to_owned()),
        ("route", route.to_owned()),
        ("status", status.to_string()),
    ];
    metrics::counter!(REQUESTS, &labels).increment(1);
    metrics::histogram!(DURATION, &labels[..2]).record(seconds);
}
