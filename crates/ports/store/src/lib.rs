//! The store port: what the service needs from persistence, as async traits.
//!
//! Every method is one atomic unit of work. Where a use case changes several
//! things at once (a registration creates a user, accepts policies, opens a
//! session and records a confirmation), there is one method that does them
//! together. Adapters must pass the shared contract suite in [`testkit`]
//! (feature `testkit`).
//!
//! Time is always passed in (`now`, cut-offs) so that adapters never read a
//! clock of their own and tests can move time.

mod admin;
mod admin_users;
mod authorization;
mod breached;
mod email_change;
mod error;
mod export;
mod factors;
mod passkeys;
mod records;
mod signing_keys;
mod traits;

#[cfg(feature = "testkit")]
// Test code: a failed expectation is a failed rule.
#[allow(clippy::expect_used, clippy::unwrap_used, clippy::string_slice)]
pub mod testkit;

pub use admin::*;
pub use admin_users::*;
pub use authorization::*;
pub use breached::*;
pub use email_change::*;
pub use error::{BoxError, StoreError};
pub use export::*;
pub use factors::*;
pub use passkeys::*;
pub use records::*;
pub use signing_keys::*;
pub use traits::*;
