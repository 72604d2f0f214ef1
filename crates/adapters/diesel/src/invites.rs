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
use diesel::prelude::*;
use registrar_domain::{AuditEvent, SecretHash};
use registrar_store::{InviteStore, NewInvite, StoreError};

use crate::audit::AuditWrites;
use crate::backend::{for_each_backend, run};
use crate::error::{duplicate_on_unique, Failure};
use crate::rows::NewInviteRow;
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
