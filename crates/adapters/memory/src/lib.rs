//! In-memory adapters of Registrar's ports: [`MemoryStore`] (every store
//! trait, each call atomic under one lock) and [`MemoryMailer`] (keeps what it
//! sends). For fast tests of the service and the HTTP layer: no I/O, no
//! clock, nothing survives the process. The store passes the same contract
//! suite as the SQL adapter and starts with the built-in `web` client as its
//! migrations do.

mod admin_keys;
mod admin_users;
mod audit;
mod authorization;
mod breached;
mod clients;
mod confirmations;
mod email_change;
mod export;
mod factors;
mod health;
mod invites;
mod mailer;
mod outbox;
mod passkeys;
mod policies;
mod sessions;
mod signing_keys;
mod signup;
mod state;
mod store;
mod throttle;
mod users;
mod webhooks;

pub use mailer::MemoryMailer;
pub use store::MemoryStore;
