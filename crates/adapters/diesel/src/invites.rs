//! [`InviteStore`]: signup tokens, kept only as hashes, each good for a
//! number of registrations.
//!
//! A registration takes one use of its token inside its own transaction
//! ([`InviteWrites::use_invite_in`]) with one conditional decrement, the same
//! text on both backends: `UPDATE invites SET uses_left = uses_left - 1
//! WHERE token_hash = ? AND uses_left > 0`. It changes one row or none, and
//! of registrations racing for the last use only one changes it: on Postgres
//! the others wait for its row lock, then re-check `uses_left > 0` against the
//! committed row and find nothing; on SQLite writers take turns on the write
//! lock, so the next one sees the use already taken.

use async_trait::async_trait;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use registrar_domain::{AuditEvent, SecretHash};
use registrar_store::{InviteRecord, InviteStore, NewInvite, StoreError};

use crate::audit::AuditWrites;
use crate::backend::{for_each_backend, run};
use crate::error::{duplicate_on_unique, Failure};
use crate::rows::{from_db, NewInviteRow};
use crate::schema::invites;
use crate::DieselStore;

/// Invite writes that registration shares, inside its transaction.
pub(crate) trait InviteWrites {
    /// Takes one use of the token that hashes to `token_hash`.
    /// [`StoreError::InvalidInvite`] if it is unknown or used up; the
    /// caller's transaction then rolls back, so nothing is changed.
    fn use_invite_in(&mut self, token_hash: &str) -> Result<(), Failure>;
}

for_each_backend! {
    impl InviteWrites for Conn {
        fn use_invite_in(&mut self, token_hash: &str) -> Result<(), Failure> {
            let used = diesel::update(
                invites::table
                    .find(token_hash)
                    .filter(invites::uses_left.gt(0)),
            )
            .set(invites::uses_left.eq(invites::uses_left - 1))
            .execute(self)?;
            if used == 1 {
                Ok(())
            } else {
                Err(StoreError::InvalidInvite.into())
            }
        }
    }
}

#[async_trait]
impl InviteStore for DieselStore {
    async fn create_invite(&self, invite: NewInvite, audit: &[AuditEvent]) -> Result<(), StoreError> {
        let audit = audit.to_vec();
        run!(self, write, |conn| {
            diesel::insert_into(invites::table)
                .values(NewInviteRow::new(&invite))
                .execute(conn)
                // The only unique key is the primary key, the hash.
                .map_err(duplicate_on_unique)?;
            conn.record_in(&audit)
        })
    }

    async fn invites(&self) -> Result<Vec<InviteRecord>, StoreError> {
        run!(self, statement, |conn| {
            let rows: Vec<(String, Option<String>, i32, NaiveDateTime)> = invites::table
                .order((invites::created_at.asc(), invites::token_hash.asc()))
                .select((
                    invites::token_hash,
                    invites::name,
                    invites::uses_left,
                    invites::created_at,
                ))
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(|(hash, name, uses_left, created_at)| InviteRecord {
                    id: InviteRecord::id_of(&SecretHash::from_stored(hash)),
                    name,
                    uses_left: u32::try_from(uses_left).unwrap_or(0),
                    created_at: from_db(created_at),
                })
                .collect())
        })
    }

    async fn revoke_invite(&self, id: &str, audit: &[AuditEvent]) -> Result<bool, StoreError> {
        if !InviteRecord::is_id(id) {
            return Ok(false);
        }
        // Checked to be hex: no LIKE wildcard in it.
        let pattern = format!("{id}%");
        let audit = audit.to_vec();
        run!(self, write, |conn| {
            let matching: Vec<String> = invites::table
                .filter(invites::token_hash.like(&pattern))
                .select(invites::token_hash)
                .load(conn)?;
            let [hash] = matching.as_slice() else {
                return Ok(false);
            };
            diesel::delete(invites::table.find(hash)).execute(conn)?;
            conn.record_in(&audit)?;
            Ok(true)
        })
    }

    async fn invite_usable(&self, token_hash: &SecretHash) -> Result<bool, StoreError> {
        let token_hash = token_hash.as_str().to_owned();
        run!(self, statement, |conn| {
            let found = invites::table
                .find(&token_hash)
                .filter(invites::uses_left.gt(0))
                .select(invites::token_hash)
                .first::<String>(conn)
                .optional()?;
            Ok(found.is_some())
        })
    }
}
