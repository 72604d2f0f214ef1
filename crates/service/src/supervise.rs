//! Background tasks that must not stay dead. The outbox worker and the
//! session-use flusher contain their own failures (each delivery runs apart,
//! errors are logged), but should one die anyway — a panic nobody foresaw —
//! [`supervise`] logs it and starts it again, so that mail keeps flowing
//! without a restart of the process.

use std::future::Future;
use std::time::Duration;

use tokio::task::JoinHandle;

/// Restarts of background tasks, by task.
pub const TASK_RESTARTS: &str = "registrar_background_task_restarts_total";

/// Runs `run()` in a task of its own and, whenever that task ends (it
/// panicked, or returned although it should not), logs it and runs a fresh
/// one after `restart_after`. Aborting the returned handle stops the
/// supervisor and the task it runs.
pub fn supervise<F, Fut>(name: &'static str, restart_after: Duration, run: F) -> JoinHandle<()>
where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    tokio::spawn(async move {
        loop {
            let mut task = AbortOnDrop(tokio::spawn(run()));
            let how = match (&mut task.0).await {
                Ok(()) => "ended",
                Err(e) if e.is_panic() => "panicked",
                Err(_) => "was cancelled",
            };
            metrics::counter!(TASK_RESTARTS, "task" => name).increment(1);
            tracing::error!(
                task = name,
                restart_in_ms = restart_after.as_millis(),
                "background task {how}; starting it again"
            );
            tokio::time::sleep(restart_after).await;
        }
    })
}

/// A task that ends with its handle: a stopped supervisor leaves nothing behind.
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Instant;

    use super::*;

    async fn wait_until(what: &str, done: impl Fn() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while !done() {
            assert!(Instant::now() < deadline, "{what} never happened");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    #[tokio::test]
    async fn a_task_that_panics_or_returns_is_started_again() {
        let runs = Arc::new(AtomicUsize::new(0));
        let alive = Arc::new(AtomicUsize::new(0));
        let supervisor = {
            let (runs, alive) = (Arc::clone(&runs), Arc::clone(&alive));
            supervise("test", Duration::from_millis(10), move || {
                let (runs, alive) = (Arc::clone(&runs), Arc::clone(&alive));
                async move {
                    match runs.fetch_add(1, Ordering::SeqCst) {
                        0 => panic!("the first run falls over"),
                        1 => {} // the second returns
                        _ => {
                            alive.store(1, Ordering::SeqCst);
                            std::future::pending::<()>().await;
                        }
                    }
                }
            })
        };
        wait_until("a third run", || alive.load(Ordering::SeqCst) == 1).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(runs.load(Ordering::SeqCst), 3, "a run that lives is left alone");
        assert!(!supervisor.is_finished(), "the supervisor runs on");
        supervisor.abort();
    }

    #[tokio::test]
    async fn stopping_the_supervisor_stops_its_task() {
        let ticks = Arc::new(AtomicUsize::new(0));
        let supervisor = {
            let ticks = Arc::clone(&ticks);
            supervise("test", Duration::from_millis(10), move || {
                let ticks = Arc::clone(&ticks);
                async move {
                    loop {
                        ticks.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                }
            })
        };
        wait_until("a tick", || ticks.load(Ordering::SeqCst) > 0).await;
        supervisor.abort();
        let _ = supervisor.await;
        let stopped_at = ticks.load(Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(ticks.load(Ordering::SeqCst), stopped_at, "the task stopped with it");
    }
}
