//! [`HealthCheck`]: does the database answer?

use async_trait::async_trait;
use diesel::prelude::*;
use registrar_store::{HealthCheck, StoreError};

use crate::backend::run;
use crate::DieselStore;

#[async_trait]
impl HealthCheck for DieselStore {
    async fn ping(&self) -> Result<(), StoreError> {
        run!(self, statement, |conn| {
            diesel::sql_query("SELECT 1").execute(conn)?;
            Ok(())
        })
    }
}
