//! [`AdminKeyStore`]: admin API keys, only their keyed hashes. A name is
//! unique forever (the `admin_keys.name` unique key), revoked or not.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use registrar_domain::{AdminKey, AdminScopes, AuditEvent, SecretHash};
use registrar_store::{AdminKeyStore, StoreError};

use crate::audit::AuditWrites;
use crate::backend::run;
use crate::error::{corrupt, duplicate_on_unique, Failure};
use crate::rows::{from_db, to_db};
use crate::schema::admin_keys;
use crate::DieselStore;

#[derive(Insertable, Queryable, Selectable)]
#[diesel(table_name = admin_keys)]
struct AdminKeyRow {
    id: String,
    name: String,
    scopes: String,
    key_hash: String,
    created_at: NaiveDateTime,
    last_used_at: Option<NaiveDateTime>,
    revoked_at: Option<NaiveDateTime>,
}

impl AdminKeyRow {
    fn new(key: &AdminKey) -> Self {
        Self {
            id: key.id.clone(),
            name: key.name.clone(),
            scopes: key.scopes.to_string(),
            key_hash: key.key_hash.as_str().to_owned(),
            created_at: to_db(key.created_at),
            last_used_at: key.last_used_at.map(to_db),
            revoked_at: key.revoked_at.map(to_db),
        }
    }

    /// The key; a row with scopes this code does not know is corrupt.
    fn into_key(self) -> Result<AdminKey, Failure> {
        let scopes = AdminScopes::parse(&self.scopes).map_err(|_| corrupt("admin_keys", &self.id, "unknown scopes"))?;
        Ok(AdminKey {
            id: self.id,
            name: self.name,
            scopes,
            key_hash: SecretHash::from_stored(self.key_hash),
            created_at: from_db(self.created_at),
            last_used_at: self.last_used_at.map(from_db),
            revoked_at: self.revoked_at.map(from_db),
        })
    }
}

#[async_trait]
impl AdminKeyStore for DieselStore {
    async fn add_admin_key(&self, key: &AdminKey, audit: &[AuditEvent]) -> Result<(), StoreError> {
        let row = AdminKeyRow::new(key);
        let audit = audit.to_vec();
        run!(self, write, |conn| {
            diesel::insert_into(admin_keys::table)
                .values(&row)
                .execute(conn)
                .map_err(duplicate_on_unique)?;
            conn.record_in(&audit)
        })
    }

    async fn admin_key_by_hash(&self, key_hash: &SecretHash) -> Result<Option<AdminKey>, StoreError> {
        let key_hash = key_hash.as_str().to_owned();
        run!(self, statement, |conn| {
            admin_keys::table
                .filter(admin_keys::key_hash.eq(&key_hash))
                .filter(admin_keys::revoked_at.is_null())
                .select(AdminKeyRow::as_select())
                .first::<AdminKeyRow>(conn)
                .optional()?
                .map(AdminKeyRow::into_key)
                .transpose()
        })
    }

    async fn admin_keys(&self) -> Result<Vec<AdminKey>, StoreError> {
        run!(self, statement, |conn| {
            admin_keys::table
                .order((admin_keys::created_at, admin_keys::id))
                .select(AdminKeyRow::as_select())
                .load::<AdminKeyRow>(conn)?
                .into_iter()
                .map(AdminKeyRow::into_key)
                .collect()
        })
    }

    async fn revoke_admin_key(&self, name: &str, now: DateTime<Utc>, audit: &[AuditEvent]) -> Result<bool, StoreError> {
        let name = name.to_owned();
        let now = to_db(now);
        let audit = audit.to_vec();
        run!(self, write, |conn| {
            let revoked = diesel::update(
                admin_keys::table
                    .filter(admin_keys::name.eq(&name))
                    .filter(admin_keys::revoked_at.is_null()),
            )
            .set(admin_keys::revoked_at.eq(now))
            .execute(conn)?;
            conn.record_if(revoked > 0, &audit)
        })
    }

    async fn admin_key_used(&self, id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        let id = id.to_owned();
        let now = to_db(now);
        run!(self, write_statement, |conn| {
            diesel::update(
                admin_keys::table
                    .find(&id)
                    .filter(admin_keys::last_used_at.is_null().or(admin_keys::last_used_at.lt(now))),
            )
            .set(admin_keys::last_used_at.eq(now))
            .execute(conn)?;
            Ok(())
        })
    }
}
