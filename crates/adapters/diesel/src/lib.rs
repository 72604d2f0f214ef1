//! The store port on a relational database, through diesel: SQLite (the
//! embedded default) or PostgreSQL, chosen by the URL. See [`DieselStore`].
//!
//! One schema (`schema.rs`) and one text of each query serve both backends.
//! The store holds an r2d2 pool of one concrete connection type
//! (`SqliteConnection` or `PgConnection`), and a small macro compiles each
//! query body once per type (see `backend.rs`). We chose that over
//! `#[derive(diesel::MultiConnection)]` because the concrete types keep what
//! each backend does best within reach — `BEGIN IMMEDIATE` on SQLite, row
//! locks (`FOR NO KEY UPDATE`, `FOR UPDATE`, and `SKIP LOCKED` for the mail
//! queue's claimers) and advisory locks on Postgres — and their
//! errors readable (a multi-connection swallows the Postgres connection error);
//! the cost is that each query is compiled twice.
//!
//! diesel blocks: every call runs on tokio's blocking pool, and no port
//! signature mentions diesel. Each store method is one transaction;
//! constraints (unique email, foreign keys) and conditional updates (the use
//! of a link or of an invite) guard against races.

mod admin_keys;
mod admin_users;
pub(crate) mod audit;
mod authorization;
mod backend;
mod breached;
mod bulk;
mod clients;
mod confirmations;
mod email_change;
mod error;
mod export;
mod factors;
mod health;
mod invites;
mod migrations;
mod outbox;
mod passkeys;
mod policies;
mod pool;
mod rows;
mod schema;
mod sessions;
mod signing_keys;
mod throttle;
mod users;
mod webhooks;

#[cfg(feature = "testing")]
#[allow(clippy::pedantic, clippy::restriction)] // test code
pub mod testing;

pub use error::{ConnectError, MigrateError};
pub use pool::{DatabaseSettings, PoolStatus};

/// The store, on SQLite or Postgres. Cheap to clone: clones share one pool.
///
/// ```no_run
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// use registrar_diesel::{DatabaseSettings, DieselStore};
///
/// let store = DieselStore::connect(&DatabaseSettings {
///     url: "sqlite://registrar.db".into(),
///     ..DatabaseSettings::default()
/// })
/// .await?;
/// let applied = store.migrate().await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct DieselStore {
    pools: pool::Pools,
    /// Callers waiting for a pooled connection right now (for `/metrics`).
    waiting: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    /// On SQLite, the turn of this process's writers ([`pool::WriterGate`]).
    writers: std::sync::Arc<pool::WriterGate>,
}

impl std::fmt::Debug for DieselStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DieselStore").field("backend", &self.backend()).finish()
    }
}
