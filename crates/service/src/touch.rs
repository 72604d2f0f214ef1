//! Last-use times of sessions, written in batches: every bearer check that
//! finds a live session notes its id here (in memory, once per session
//! however often it is used) instead of writing at once;
//! [`Registrar::flush_touches`] (every second, from the process's background
//! task) records every noted session in one statement. A token check thus
//! never waits for a write, and a burst of checks over many sessions costs
//! one write a second. Before this process opens a session it flushes too,
//! so the least-recently-used eviction sees every use it noted; a use noted
//! by another instance reaches the database within that instance's flush
//! interval. What is noted but not yet written when the process stops is
//! lost: the order is then off by at most a second of use.

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
pub(crate) struct PendingTouches {
    noted: Mutex<HashSet<SessionId>>,
    /// Held by a flush from taking the noted ids until they are written: a
    /// flush before opening a session waits for one in flight, so that what
    /// that one took is in the database before the eviction reads it.
    flushing: tokio::sync::Mutex<()>,
}

impl PendingTouches {
    pub(crate) fn note(&self, id: &SessionId) {
        if let Ok(mut pending) = self.noted.lock() {
            if pending.len() < MAX_PENDING && !pending.contains(id) {
                pending.insert(id.clone());
            }
        }
    }

    fn take(&self) -> Vec<SessionId> {
        self.noted
            .lock()
            .map(|mut pending| pending.drain().collect())
            .unwrap_or_default()
    }
}

impl<S: Store, M: Mailer> Registrar<S, M> {
    /// Writes the last use of every session noted since the last flush, as
    /// now. Returns how many. What could not be written is noted again.
    pub async fn flush_touches(&self) -> Result<usize, ServiceError> {
        let _turn = self.touches.flushing.lock().await;
        let ids = self.touches.take();
        if ids.is_empty() {
            return Ok(0);
        }
        if let Err(e) = self.store.touch_sessions(&ids, self.now()).await {
            for id in &ids {
                self.touches.note(id);
            }
            return Err(e.into());
        }
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
