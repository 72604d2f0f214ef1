//! [`ClientStore`]: the apps that call Registrar.

use async_trait::async_trait;
use diesel::prelude::*;
use registrar_domain::{AuditEvent, Client, ClientId, SecretHash};
use registrar_store::{ClientStore, StoreError};

use crate::audit::AuditWrites;
use crate::backend::UniqueRow;
use crate::backend::{for_each_backend, run};
use crate::error::{duplicate_on_unique, Failure};
use crate::rows::ClientRow;
use crate::schema::clients;
use crate::DieselStore;

/// Client reads that several store methods share.
pub(crate) trait ClientReads {
    /// The client `id`, if there is one.
    fn client_in(&mut self, id: &str) -> Result<Option<Client>, Failure>;
}

for_each_backend! {
    impl ClientReads for Conn {
        fn client_in(&mut self, id: &str) -> Result<Option<Client>, Failure> {
            clients::table
                .find(id)
                .select(ClientRow::as_select())
                .unique_row::<ClientRow>(self)
                .optional()?
                .map(ClientRow::into_client)
                .transpose()
        }
    }
}

#[async_trait]
impl ClientStore for DieselStore {
    async fn add_client(&self, client: &Client, audit: &[AuditEvent]) -> Result<(), StoreError> {
        let row = ClientRow::new(client);
        let audit = audit.to_vec();
        run!(self, write, |conn| {
            diesel::insert_into(clients::table)
                .values(&row)
                .execute(conn)
                .map_err(duplicate_on_unique)?;
            conn.record_in(&audit)
        })
    }

    async fn set_client_secret(
        &self,
        id: &ClientId,
        secret_hash: &SecretHash,
        audit: &[AuditEvent],
    ) -> Result<bool, StoreError> {
        let id = id.as_str().to_owned();
        let hash = secret_hash.as_str().to_owned();
        let audit = audit.to_vec();
        // One conditional UPDATE: a public client (NULL secret) is left alone.
        run!(self, write, |conn| {
            let changed = diesel::update(clients::table.find(&id).filter(clients::kind.eq("confidential")))
                .set(clients::secret_hash.eq(Some(&hash)))
                .execute(conn)?;
            conn.record_if(changed > 0, &audit)
        })
    }

    async fn client(&self, id: &ClientId) -> Result<Option<Client>, StoreError> {
        let id = id.as_str().to_owned();
        run!(self, statement, |conn| conn.client_in(&id))
    }

    async fn clients(&self) -> Result<Vec<Client>, StoreError> {
        run!(self, statement, |conn| {
            clients::table
                .order((clients::created_at.asc(), clients::id.asc()))
                .select(ClientRow::as_select())
                .load::<ClientRow>(conn)?
                .into_iter()
                .map(ClientRow::into_client)
                .collect()
        })
    }

    async fn remove_client(&self, id: &ClientId, audit: &[AuditEvent]) -> Result<bool, StoreError> {
        let id = id.as_str().to_owned();
        let audit = audit.to_vec();
        // Its sessions go by cascade.
        run!(self, write, |conn| {
            let changed = diesel::delete(clients::table.find(&id)).execute(conn)?;
            conn.record_if(changed > 0, &audit)
        })
    }
}
