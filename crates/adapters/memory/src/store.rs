//! The store handle: shared state behind one lock.

use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use registrar_domain::{Client, ClientId};
use registrar_store::StoreError;

use crate::state::State;

/// Every store trait of `registrar-store`, in memory. Clones share the same data.
#[derive(Clone)]
pub struct MemoryStore {
    state: Arc<Mutex<State>>,
}

impl MemoryStore {
    /// An empty store holding only the built-in `web` client, as a freshly
    /// migrated database does.
    pub fn new() -> Self {
        let mut state = State::default();
        // The first migration predates every other client; the epoch
        // keeps it first without reading a clock.
        let web = Client::public(ClientId::web(), "Web".into(), DateTime::<Utc>::UNIX_EPOCH);
        state.clients.push(web);
        Self {
            state: Arc::new(Mutex::new(state)),
        }
    }

    /// The state, locked for one atomic unit of work. A panic while it was
    /// held may have left it half-changed, so a poisoned lock is an error.
    pub(crate) fn lock(&self) -> Result<MutexGuard<'_, State>, StoreError> {
        self.state
            .lock()
            .map_err(|_| StoreError::unexpected("memory store poisoned by a panic during a change"))
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}
