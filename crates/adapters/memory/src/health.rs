//! Health: the memory store answers as long as its lock is sound.

use async_trait::async_trait;
use registrar_store::{HealthCheck, StoreError};

use crate::MemoryStore;

#[async_trait]
impl HealthCheck for MemoryStore {
    async fn ping(&self) -> Result<(), StoreError> {
        self.lock().map(drop)
    }
}
