//! Last-use times of sessions, written in batches: a bearer check that finds
//! a session unused for [`Settings::TOUCH_INTERVAL`](crate::Settings::TOUCH_INTERVAL)
//! notes its id here instead of writing at once; [`Registrar::flush_touches`]
//! (every second, from the process's background task) records every noted
//! session in one statement. A token check thus never waits for a write,
//! and a burst of checks over many sessions costs one write a second. What
//! is noted but not yet written when the process stops is lost: the
//! least-recently-used order is then off by at most a second of use.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

use registrar_domain::SessionId;
use registrar_mail::Mailer;
use registrar_store::Store;

use crate::{Registrar, ServiceError};

/// Noted sessions kept at most (beyond, e.g. while the database is down, new ones are dropped).
const MAX_PENDING: usize = 100_000;

/// How often the background task writes what was noted.
pub const TOUCH_FLUSH_INTERVAL: Duration = Duration::from_secs(1);

#[derive(Debug, Default)]
pub(crate) struct PendingTouches(Mutex<HashSet<SessionId>>);

impl PendingTouches {
    pub(crate) fn note(&self, id: &SessionId) {
        if let Ok(mut pending) = self.0.lock() {
            if pending.len() < MAX_PENDING {
                pending.insert(id.clone());
            }
        }
    }

    fn take(&self) -> Vec<SessionId> {
        self.0
            .lock()
            .map(|mut pending| pending.drain().collect())
            .unwrap_or_default()
    }
}

impl<S: Store, M: Mailer> Registrar<S, M> {
    /// Writes the last use of every session noted since the last flush, as
    /// now. Returns how many.
    pub async fn flush_touches(&self) -> Result<usize, ServiceError> {
        let ids = self.touches.take();
        if ids.is_empty() {
            return Ok(0);
        }
        self.store.touch_sessions(&ids, self.now()).await?;
        Ok(ids.len())
    }

    /// Flushes noted session uses every [`TOUCH_FLUSH_INTERVAL`], until the future is dropped.
    pub async fn run_touch_flusher(&self) {
        loop {
            tokio::time::sleep(TOUCH_FLUSH_INTERVAL).await;
            if let Err(e) = self.flush_touches().await {
                tracing::warn!(error = %e, "could not record the last use of sessions");
            }
        }
    }
}
