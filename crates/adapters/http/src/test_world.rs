//! The world of this crate's in-process tests over the memory adapters.

use registrar_memory::{MemoryMailer, MemoryStore};
use registrar_service::testing;
use registrar_service::Registrar;
use registrar_store::NewPolicyRevision;

/// The parts of the shared world (see `registrar_service::testing`) these
/// tests use.
pub(crate) struct World {
    pub(crate) app: Registrar<MemoryStore, MemoryMailer>,
    pub(crate) mailer: MemoryMailer,
    pub(crate) client: String,
    pub(crate) policies: Vec<i32>,
}

/// The shared world with the memory mailer, publishing `revision("tac")`
/// and `revision("privacy")`.
pub(crate) async fn world(revision: impl Fn(&str) -> NewPolicyRevision) -> World {
    let testing::World {
        app,
        mailer,
        client,
        policies,
        ..
    } = testing::World::with_policies(MemoryMailer::new(), |_| {}, revision).await;
    World {
        app,
        mailer,
        client,
        policies,
    }
}
