//! The breached-password filter, shared by every instance through the
//! store: at most one, replaced whole by an import.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use registrar_domain::AuditEvent;

use crate::StoreError;

/// A breached-password filter as stored: the domain's bytes
/// ([`registrar_domain::BreachedPasswords::to_bytes`]), kept as given.
#[derive(Clone, PartialEq, Eq)]
pub struct BreachedFilterRecord {
    /// Names this import: a new import has a new version, which is how an
    /// instance notices it (unique, at most 64 characters).
    pub version: String,
    /// Distinct entries the filter holds.
    pub entries: u64,
    pub imported_at: DateTime<Utc>,
    /// The filter; may be larger than one database value holds (the full
    /// list is ~2.3 GB): an adapter splits it as it needs to.
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for BreachedFilterRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BreachedFilterRecord")
            .field("version", &self.version)
            .field("entries", &self.entries)
            .field("imported_at", &self.imported_at)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// What an instance checks cheaply to know whether its filter is current.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreachedFilterVersion {
    pub version: String,
    pub entries: u64,
    pub imported_at: DateTime<Utc>,
}

/// The breached-password filter.
#[async_trait]
pub trait BreachedPasswordStore {
    /// Replaces the stored filter (if any) by `filter`, at once: a reader
    /// sees the old filter whole or the new one whole, never a mix. Writes
    /// `audit` in the same transaction.
    async fn save_breached_filter(&self, filter: BreachedFilterRecord, audit: &[AuditEvent]) -> Result<(), StoreError>;

    /// The stored filter's version, without its bytes; `None` when no
    /// filter was ever imported.
    async fn breached_filter_version(&self) -> Result<Option<BreachedFilterVersion>, StoreError>;

    /// The stored filter, its bytes exactly as saved; `None` when no filter
    /// was ever imported.
    async fn breached_filter(&self) -> Result<Option<BreachedFilterRecord>, StoreError>;
}
