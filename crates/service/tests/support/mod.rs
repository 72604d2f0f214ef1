//! What the test binaries share.

use registrar_service::testing;

/// The shared world (see `registrar_service::testing`), with each file's helpers.
pub struct World(pub testing::World);

impl std::ops::Deref for World {
    type Target = testing::World;

    fn deref(&self) -> &testing::World {
        &self.0
    }
}

/// Requests from this machine.
pub fn ip() -> registrar_domain::ClientIp {
    testing::local_ip()
}
