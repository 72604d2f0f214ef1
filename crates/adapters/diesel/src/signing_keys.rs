//! [`SigningKeyStore`]: `signing_keys`.
//!
//! A partial unique index (`alg` where `retired_at IS NULL`) lets one key of
//! an algorithm be current. The first key is an `INSERT … ON CONFLICT DO
//! NOTHING` followed by reading the current key, in one write transaction:
//! of instances racing, one insert goes through and every one reads it. A
//! rotation retires the current key and inserts the new one in one write
//! transaction; of rotations racing on Postgres, the insert of a loser
//! meets the index and the port's `Duplicate`.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use registrar_domain::Sealed;
use registrar_store::{SigningAlgorithm, SigningKeyRecord, SigningKeyStore, StoreError};

use crate::backend::run;
use crate::error::duplicate_on_unique;
use crate::rows::{from_db, to_db};
use crate::schema::signing_keys;
use crate::DieselStore;

/// A `signing_keys` row.
#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = signing_keys)]
struct SigningKeyRow {
    kid: String,
    alg: String,
    public_n: String,
    public_e: String,
    private_key: String,
    created_at: NaiveDateTime,
    retired_at: Option<NaiveDateTime>,
}

impl SigningKeyRow {
    fn new(key: SigningKeyRecord) -> Self {
        Self {
            kid: key.kid,
            alg: key.alg.as_str().to_owned(),
            public_n: key.public_n,
            public_e: key.public_e,
            private_key: key.private.as_str().to_owned(),
            created_at: to_db(key.created_at),
            retired_at: key.retired_at.map(to_db),
        }
    }

    /// The key as the port gives it; `None` for an algorithm this version
    /// does not know (a later release's key is left alone).
    fn into_record(self) -> Option<SigningKeyRecord> {
        Some(SigningKeyRecord {
            kid: self.kid,
            alg: SigningAlgorithm::parse(&self.alg)?,
            public_n: self.public_n,
            public_e: self.public_e,
            private: Sealed::from_stored(self.private_key),
            created_at: from_db(self.created_at),
            retired_at: self.retired_at.map(from_db),
        })
    }
}

#[async_trait]
impl SigningKeyStore for DieselStore {
    async fn signing_keys(&self) -> Result<Vec<SigningKeyRecord>, StoreError> {
        run!(self, statement, |conn| {
            let rows = signing_keys::table
                .order((signing_keys::created_at.desc(), signing_keys::kid.desc()))
                .select(SigningKeyRow::as_select())
                .load(conn)?;
            Ok(rows.into_iter().filter_map(SigningKeyRow::into_record).collect())
        })
    }

    async fn add_first_signing_key(&self, key: SigningKeyRecord) -> Result<SigningKeyRecord, StoreError> {
        let row = SigningKeyRow::new(key);
        run!(self, write, |conn| {
            diesel::insert_into(signing_keys::table)
                .values(&row)
                .on_conflict_do_nothing()
                .execute(conn)?;
            let current = signing_keys::table
                .filter(signing_keys::alg.eq(&row.alg))
                .filter(signing_keys::retired_at.is_null())
                .select(SigningKeyRow::as_select())
                .first(conn)
                .optional()?;
            // None only when the kid was taken by a retired key.
            current
                .and_then(SigningKeyRow::into_record)
                .ok_or(StoreError::Duplicate.into())
        })
    }

    async fn rotate_signing_key(&self, key: SigningKeyRecord) -> Result<(), StoreError> {
        let row = SigningKeyRow::new(key);
        run!(self, write, |conn| {
            diesel::update(
                signing_keys::table
                    .filter(signing_keys::alg.eq(&row.alg))
                    .filter(signing_keys::retired_at.is_null()),
            )
            .set(signing_keys::retired_at.eq(row.created_at))
            .execute(conn)?;
            diesel::insert_into(signing_keys::table)
                .values(&row)
                .execute(conn)
                // The kid, or the one current key of the algorithm: another
                // rotation made one since this one retired the last.
                .map_err(duplicate_on_unique)?;
            Ok(())
        })
    }

    async fn purge_signing_keys(&self, retired_before: DateTime<Utc>) -> Result<u64, StoreError> {
        let cut_off = to_db(retired_before);
        run!(self, write_statement, |conn| {
            let purged =
                diesel::delete(signing_keys::table.filter(signing_keys::retired_at.lt(cut_off))).execute(conn)?;
            Ok(u64::try_from(purged).unwrap_or(u64::MAX))
        })
    }
}
