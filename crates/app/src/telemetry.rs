//! Logs: `tracing` to stderr, human-readable or JSON lines (`log.format`).

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tracing_subscriber::EnvFilter;

use crate::config::Log;

pub fn init(log: &Log) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&log.level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second init (tests) is harmless: the first subscriber stays.
    let _ = if log.format == crate::config::LogFormat::Json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// The process-wide Prometheus recorder, installed on first use.
pub fn metrics() -> registrar_http::metrics::Renderer {
    use std::sync::OnceLock;

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
    metrics::describe_counter!(
        registrar_service::TASK_RESTARTS,
        "background tasks (outbox worker, webhook worker, session-use flusher, outbox figures) started again after they died"
    );
    metrics::describe_counter!(
        registrar_service::MAILS,
        "mail deliveries by kind and outcome (sent, retry, given_up)"
    );
    metrics::describe_gauge!(
        registrar_service::HASHES_IN_FLIGHT,
        "argon2 computations running or queued for a blocking thread"
    );
    metrics::describe_counter!(
        registrar_service::WEBHOOK_DELIVERIES,
        "webhook delivery attempts by outcome (delivered, failed, refused, given_up)"
    );
    metrics::describe_gauge!(
        registrar_service::WEBHOOK_BACKLOG,
        "webhook deliveries neither delivered nor given up, by endpoint id"
    );
    metrics::describe_gauge!(
        registrar_service::WEBHOOK_OLDEST_AGE,
        "age in seconds of the oldest pending webhook delivery, by endpoint id"
    );
}

/// The Prometheus renderer, refreshing the database pool gauges at each
/// scrape and adding this instance's outbox figures.
pub fn metrics_with_pool(
    store: registrar_diesel::DieselStore,
    outbox: Arc<OutboxFigures>,
) -> registrar_http::metrics::Renderer {
    let render = metrics();
    Arc::new(move || {
        let pool = store.pool_status();
        metrics::gauge!(POOL_CONNECTIONS, "state" => "in_use").set(f64::from(pool.in_use));
        metrics::gauge!(POOL_CONNECTIONS, "state" => "idle").set(f64::from(pool.connections - pool.in_use));
        metrics::gauge!(POOL_MAX).set(f64::from(pool.max));
        metrics::gauge!(POOL_WAITING).set(pool.waiting as f64);
        let mut text = render();
        outbox.render(&mut text, Utc::now());
        text
    })
}

/// The outbox as `/metrics` shows it: the backlog and when the oldest mail
/// still queued (due or not, neither sent nor given up) was queued, read
/// from the database by [`watch_outbox`] — a task of its own, not the
/// worker's, so that a dead or stuck worker shows as a backlog that does not
/// shrink and an age that grows. The age is worked out at each scrape, so
/// it grows even between two reads, and even while the database is away.
///
/// These are rendered per instance rather than through the process-wide
/// recorder: each server in one process (the tests start many) shows the
/// figures of its own database.
#[derive(Debug)]
pub struct OutboxFigures {
    backlog: AtomicU64,
    /// Unix milliseconds of the oldest queued mail; [`NONE`] when there is none.
    oldest_ms: AtomicI64,
    /// Whether the database was read at least once.
    read: AtomicBool,
}

const NONE: i64 = i64::MIN;

impl Default for OutboxFigures {
    fn default() -> Self {
        Self {
            backlog: AtomicU64::new(0),
            oldest_ms: AtomicI64::new(NONE),
            read: AtomicBool::new(false),
        }
    }
}

impl OutboxFigures {
    fn set(&self, backlog: u64, oldest: Option<DateTime<Utc>>) {
        self.backlog.store(backlog, Ordering::Relaxed);
        let oldest = oldest.map_or(NONE, |at| at.timestamp_millis());
        self.oldest_ms.store(oldest, Ordering::Relaxed);
        self.read.store(true, Ordering::Relaxed);
    }

    /// Appends both gauges as Prometheus text, once the database was read.
    fn render(&self, text: &mut String, now: DateTime<Utc>) {
        use std::fmt::Write as _;

        if !self.read.load(Ordering::Relaxed) {
            return;
        }
        let oldest = self.oldest_ms.load(Ordering::Relaxed);
        let age = if oldest == NONE {
            0.0
        } else {
            (now.timestamp_millis().saturating_sub(oldest)).max(0) as f64 / 1000.0
        };
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        let backlog = registrar_service::OUTBOX_BACKLOG;
        let oldest = registrar_service::OUTBOX_OLDEST_AGE;
        let _ = write!(
            text,
            "# HELP {backlog} queued mails not yet sent nor given up\n\
             # TYPE {backlog} gauge\n\
             {backlog} {}\n\
             # HELP {oldest} seconds since the oldest mail not yet sent nor given up was queued (0 when none)\n\
             # TYPE {oldest} gauge\n\
             {oldest} {age}\n",
            self.backlog.load(Ordering::Relaxed),
        );
    }
}

/// Reads the outbox figures from the database now and every `every`,
/// until the future is dropped. A failed read keeps the last figures (the
/// age goes on growing) and is logged.
pub async fn watch_outbox(store: registrar_diesel::DieselStore, figures: Arc<OutboxFigures>, every: Duration) {
    use registrar_store::OutboxStore;

    loop {
        match (store.outbox_backlog().await, store.oldest_queued_mail().await) {
            (Ok(backlog), Ok(oldest)) => figures.set(backlog, oldest),
            (Err(e), _) | (_, Err(e)) => {
                tracing::warn!(error = %e, "could not read the outbox figures for /metrics");
            }
        }
        tokio::time::sleep(every).await;
    }
}

const POOL_CONNECTIONS: &str = "registrar_db_pool_connections";
const POOL_MAX: &str = "registrar_db_pool_max_connections";
const POOL_WAITING: &str = "registrar_db_pool_waiting";

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_900_000_000 + seconds, 0)
            .single()
            .expect("an instant")
    }

    #[test]
    fn nothing_is_shown_before_the_first_read() {
        let mut text = String::new();
        OutboxFigures::default().render(&mut text, at(0));
        assert_eq!(text, "");
    }

    #[test]
    fn the_age_is_worked_out_at_each_scrape() {
        let figures = OutboxFigures::default();
        figures.set(3, Some(at(10)));
        let mut text = "registrar_up 1".to_owned();
        figures.render(&mut text, at(70));
        assert!(
            text.starts_with("registrar_up 1\n# HELP registrar_mail_outbox_backlog "),
            "{text}"
        );
        assert!(text.contains("\nregistrar_mail_outbox_backlog 3\n"), "{text}");
        assert!(
            text.contains("# TYPE registrar_mail_outbox_oldest_age_seconds gauge\n"),
            "{text}"
        );
        assert!(
            text.ends_with("\nregistrar_mail_outbox_oldest_age_seconds 60\n"),
            "{text}"
        );
        let mut later = String::new();
        figures.render(&mut later, at(130));
        assert!(
            later.ends_with("\nregistrar_mail_outbox_oldest_age_seconds 120\n"),
            "{later}"
        );

        figures.set(0, None);
        let mut empty = String::new();
        figures.render(&mut empty, at(200));
        assert!(empty.contains("\nregistrar_mail_outbox_backlog 0\n"), "{empty}");
        assert!(
            empty.ends_with("\nregistrar_mail_outbox_oldest_age_seconds 0\n"),
            "{empty}"
        );
    }
}
