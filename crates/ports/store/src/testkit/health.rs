//! The contract of [`HealthCheck`](crate::HealthCheck).

use super::support::*;

contract_rules! {
    health, __store_contract_health;

    pub async fn ping_succeeds<S: Store>(store: S) {
        store.ping().await.expect("a working store answers ping");
    }
}
