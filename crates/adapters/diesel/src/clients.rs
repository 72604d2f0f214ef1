//! [`ClientStore`]: the apps that call Registrar.

use async_trait::async_trait;
use diesel::prelude::*;
use registrar_domain::{Client, ClientId, SecretHash};
use registrar_store::{ClientStore, StoreError};

use crate::backend::run;
use crate::error::duplicate_on_unique;
use crate::rows::ClientRow;
use crate::schema::clients;
use crate::DieselStore;

#[async_trait]
impl ClientStore for DieselStore {
    async fn add_client(&self, client: &Client) -> Result<(), StoreError> {
        let row = ClientRow::new(client);
        run!(self, statement, |conn| {
            diesel::insert_into(clients::table)
                .values(&row)
                .execute(conn)
                .map_err(duplicate_on_unique)?;
            Ok(())
        })
    }

    async fn set_client_secret(&self, id: &ClientId, secret_hash: &SecretHash) -> Result<bool, StoreError> {
        let id = id.as_str().to_owned();
        let hash = secret_hash.as_str().to_owned();
        // One conditional UPDATE: a public client (NULL secret) is left alone.
        run!(self, statement, |conn| Ok(diesel::update(
            clients::table.find(&id).filter(clients::kind.eq("confidential"))
        )
        .set(clients::secret_hash.eq(Some(&hash)))
        .execute(conn)?
            > 0))
    }

    async fn client(&self, id: &ClientId) -> Result<Option<Client>, StoreError> {
        let id = id.as_str().to_owned();
        run!(self, statement, |conn| {
            clients::table
                .find(&id)
                .select(ClientRow::as_select())
                .first::<ClientRow>(conn)
                .optional()?
                .map(ClientRow::into_client)
                .transpose()
        })
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

    async fn remove_client(&self, id: &ClientId) -> Result<bool, StoreError> {
        let id = id.as_str().to_owned();
        // Its sessions go by cascade.
        run!(self, statement, |conn| Ok(diesel::delete(clients::table.find(&id))
            .execute(conn)?
            > 0))
    }
}
