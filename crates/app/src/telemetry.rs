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
    metrics::describe_gauge!(POOL_CONNECTIONS, "database connections open, by state (in_use, idle)");
    metrics::describe_gauge!(POOL_MAX, "the most database connections the pool opens");
    metrics::describe_gauge!(POOL_WAITING, "requests waiting for a database connection");
    metrics::describe_gauge!(
        registrar_service::OUTBOX_BACKLOG,
        "queued mails not yet sent nor given up"
    );
    metrics::describe_counter!(
        registrar_service::MAILS,
        "mail deliveries by kind and outcome (sent, retry, given_up)"
    );
    metrics::describe_gauge!(
        registrar_service::HASHES_IN_FLIGHT,
        "argon2 computations running or queued for a blocking thread"
    );
}

/// The Prometheus renderer, refreshing the database pool gauges at each scrape.
pub fn metrics_with_pool(store: registrar_diesel::DieselStore) -> registrar_http::metrics::Renderer {
    let render = metrics();
    std::sync::Arc::new(move || {
        let pool = store.pool_status();
        metrics::gauge!(POOL_CONNECTIONS, "state" => "in_use").set(f64::from(pool.in_use));
        metrics::gauge!(POOL_CONNECTIONS, "state" => "idle").set(f64::from(pool.connections - pool.in_use));
        metrics::gauge!(POOL_MAX).set(f64::from(pool.max));
        metrics::gauge!(POOL_WAITING).set(pool.waiting as f64);
        render()
    })
}

const POOL_CONNECTIONS: &str = "registrar_db_pool_connections";
const POOL_MAX: &str = "registrar_db_pool_max_connections";
const POOL_WAITING: &str = "registrar_db_pool_waiting";
