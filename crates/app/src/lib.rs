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
use registrar_service::supervise;

/// How long a background task that died waits before it is started again.
const RESTART_AFTER: Duration = Duration::from_secs(1);

/// Connects, migrates (if `database.auto_migrate`) and starts serving on
/// `listener`. The returned server runs until it is stopped or gets SIGTERM.
pub async fn start(config: &Config, listener: TcpListener) -> anyhow::Result<registrar_http::Server> {
    let service = wiring::service(config).await?;
    if config.database.auto_migrate {
        // The adapter logs each migration it applies.
        service.store().migrate().await.context("database migrations failed")?;
    }
    // The breached-password filter before the first request; an outage
    // here is no reason not to start: the watcher tries again.
    if let Err(e) = service.load_breached().await {
        tracing::warn!(error = %e, "cannot load the breached-password filter yet");
    }
    let outbox_figures = std::sync::Arc::new(telemetry::OutboxFigures::default());
    let settings = HttpSettings {
        default_language: wiring::default_language(config),
        workers: (config.http.workers > 0).then_some(config.http.workers),
        shutdown_timeout: Duration::from_secs(config.http.shutdown_timeout),
        metrics: Some(telemetry::metrics_with_pool(
            service.store().clone(),
            outbox_figures.clone(),
        )),
        trusted_proxies: registrar_http::client_ip::TrustedProxies::parse(&config.http.trusted_proxies)
            .map_err(|e| anyhow::anyhow!("configuration: http.trusted_proxies: {e}"))?,
        max_header_bytes: registrar_http::limits::MaxHeaderBytes(config.http.max_header_bytes),
        body_timeout: registrar_http::body::BodyTimeout(Duration::from_secs(config.http.body_timeout)),
    };
    // The background tasks run until the process ends; one that dies
    // anyway is logged and started again a second later.
    // Delivers queued mail; on Postgres several instances share the queue
    // and each mail goes out once.
    let worker = service.clone();
    supervise("outbox worker", RESTART_AFTER, move || {
        let worker = worker.clone();
        async move { worker.run_outbox_worker().await }
    });
    // Delivers webhooks from their outbox; on Postgres several instances
    // share it and each delivery goes out once (SKIP LOCKED claims).
    let webhooks = service.clone();
    supervise("webhook worker", RESTART_AFTER, move || {
        let webhooks = webhooks.clone();
        async move { webhooks.run_webhook_worker().await }
    });
    // Writes the last use of sessions, gathered for a second at a time.
    let flusher = service.clone();
    supervise("session-use flusher", RESTART_AFTER, move || {
        let flusher = flusher.clone();
        async move { flusher.run_touch_flusher().await }
    });
    // Notices a breached-password filter imported since (by the CLI, or
    // through another instance).
    let watcher = service.clone();
    let recheck = Duration::from_secs(config.password.breached_recheck.max(1));
    supervise("breached-password watcher", RESTART_AFTER, move || {
        let watcher = watcher.clone();
        async move { watcher.run_breached_watcher(recheck).await }
    });
    // Reads the outbox backlog and oldest mail for /metrics, apart from the
    // worker, so that a stuck queue shows there.
    let store = service.store().clone();
    let every = Duration::from_secs(config.mail.poll_interval.clamp(1, 3600));
    supervise("outbox figures", RESTART_AFTER, move || {
        telemetry::watch_outbox(store.clone(), outbox_figures.clone(), every)
    });
    registrar_http::serve(service, listener, settings).context("cannot start the HTTP server")
}
