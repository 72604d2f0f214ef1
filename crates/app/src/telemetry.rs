//! Logs: `tracing` to stderr, human-readable or JSON lines (`log.format`).

use tracing_subscriber::EnvFilter;

use crate::config::Log;

pub fn init(log: &Log) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&log.level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second init (tests) is harmless: the first subscriber stays.
    let _ = if log.format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// The process-wide Prometheus recorder, installed on first use.
pub fn metrics() -> registrar_http::metrics::Renderer {
    use std::sync::{Arc, OnceLock};

    use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    let handle = HANDLE.get_or_init(|| {
        let buckets = [
            0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
        ];
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(registrar_http::metrics::DURATION.into()), &buckets)
            .ok()?
            .build_recorder();
        let handle = recorder.handle();
        metrics::set_global_recorder(recorder).ok()?;
        describe();
        Some(handle)
    });
    match handle.clone() {
        Some(handle) => Arc::new(move || handle.render()),
        None => Arc::new(|| "# metrics recorder unavailable\n".to_owned()),
    }
}

fn describe() {
    metrics::describe_counter!(
        registrar_http::metrics::REQUESTS,
        "HTTP requests by method, route and status"
    );
    metrics::describe_histogram!(
        registrar_http::metrics::DURATION,
        metrics::Unit::Seconds,
        "HTTP request latency by method and route"
    );
    metrics::describe_gauge!(
        registrar_service::HASHES_IN_FLIGHT,
        "argon2 computations running or queued for a blocking thread"
    );
}
