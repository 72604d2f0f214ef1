//! The `registrar` binary's insides: configuration, the CLI commands and the
//! wiring of every adapter into the service. Thin on purpose; a library so
//! that end-to-end tests start exactly what the binary starts.

pub mod cli;
pub mod config;
pub mod policy_file;
pub mod secret;
pub mod telemetry;
pub mod wiring;

use std::net::TcpListener;
use std::time::Duration;

use anyhow::Context;
use registrar_http::HttpSettings;

pub use config::Config;

/// Connects, migrates (if `database.auto_migrate`) and starts serving on
/// `listener`. The returned server runs until it is stopped or gets SIGTERM.
pub async fn start(config: &Config, listener: TcpListener) -> anyhow::Result<registrar_http::Server> {
    let service = wiring::service(config).await?;
    if config.database.auto_migrate {
        // The adapter logs each migration it applies.
        service.store().migrate().await.context("database migrations failed")?;
    }
    let settings = HttpSettings {
        default_language: wiring::default_language(config),
        workers: (config.http.workers > 0).then_some(config.http.workers),
        shutdown_timeout: Duration::from_secs(config.http.shutdown_timeout),
        metrics: Some(telemetry::metrics_with_pool(service.store().clone())),
        trusted_proxies: registrar_http::client_ip::TrustedProxies::parse(&config.http.trusted_proxies)
            .map_err(|e| anyhow::anyhow!("configuration: http.trusted_proxies: {e}"))?,
        max_header_bytes: registrar_http::limits::MaxHeaderBytes(config.http.max_header_bytes),
        body_timeout: registrar_http::body::BodyTimeout(Duration::from_secs(config.http.body_timeout)),
    };
    // Delivers queued mail until the process ends; on Postgres several
    // instances share the queue and each mail goes out once.
    let worker = service.clone();
    tokio::spawn(async move { worker.run_outbox_worker().await });
    // Writes the last use of sessions, gathered for a second at a time.
    let flusher = service.clone();
    tokio::spawn(async move { flusher.run_touch_flusher().await });
    registrar_http::serve(service, listener, settings).context("cannot start the HTTP server")
}
