//! [`PasskeyStore`]: `passkeys` and `webauthn_ceremonies`.
//!
//! A ceremony is taken by one `DELETE … RETURNING` whose `WHERE` says it is
//! of the kind asked for and unexpired: of two requests finishing one
//! ceremony, one gets the row. A sign-in records the counter by one
//! conditional `UPDATE` (`WHERE sign_count = 0 OR sign_count < ?`), so the
//! stored counter never goes back. Adding and removing a passkey queue
//! their mail in the same write transaction.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use registrar_domain::{AuditEvent, PasskeyName, Sealed, UserId};
use registrar_store::{
    Ceremony, CeremonyKind, CeremonyLookup, NewCeremony, NewOutboxMail, PasskeyRecord, PasskeyStore, PasskeyUse,
    StoreError,
};

use crate::audit::AuditWrites;
use crate::backend::{run, Backend};
use crate::error::duplicate_on_unique;
use crate::outbox::OutboxWrites;
use crate::rows::{from_db, to_db};
use crate::schema::{passkeys, webauthn_ceremonies};
use crate::DieselStore;

/// A `passkeys` row.
#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = passkeys)]
struct PasskeyRow {
    id: String,
    user_id: String,
    name: String,
    credential_id: String,
    credential: String,
    sign_count: i64,
    backup_eligible: bool,
    backup_state: bool,
    created_at: NaiveDateTime,
    last_used_at: Option<NaiveDateTime>,
}

impl PasskeyRow {
    fn new(passkey: PasskeyRecord) -> Self {
        Self {
            id: passkey.id,
            user_id: passkey.user.0,
            name: passkey.name.into_string(),
            credential_id: passkey.credential_id,
            credential: passkey.credential,
            sign_count: i64::from(passkey.sign_count),
            backup_eligible: passkey.backup_eligible,
            backup_state: passkey.backup_state,
            created_at: to_db(passkey.created_at),
            last_used_at: passkey.last_used_at.map(to_db),
        }
    }

    /// The passkey as the port gives it; `None` for a row no version of
    /// ours writes (an empty or overlong name).
    fn into_record(self) -> Option<PasskeyRecord> {
        Some(PasskeyRecord {
            id: self.id,
            user: UserId(self.user_id),
            name: PasskeyName::parse(&self.name).ok()?,
            credential_id: self.credential_id,
            credential: self.credential,
            sign_count: u32::try_from(self.sign_count).unwrap_or(0),
            backup_eligible: self.backup_eligible,
            backup_state: self.backup_state,
            created_at: from_db(self.created_at),
            last_used_at: self.last_used_at.map(from_db),
        })
    }
}

/// A `webauthn_ceremonies` row.
#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = webauthn_ceremonies)]
struct CeremonyRow {
    id_hash: String,
    kind: String,
    user_id: Option<String>,
    state: String,
    created_at: NaiveDateTime,
    expires_at: NaiveDateTime,
}

#[async_trait]
impl PasskeyStore for DieselStore {
    async fn passkeys(&self, user: &UserId) -> Result<Vec<PasskeyRecord>, StoreError> {
        let user = user.0.clone();
        run!(self, statement, |conn| {
            let rows = passkeys::table
                .filter(passkeys::user_id.eq(&user))
                .order((passkeys::created_at, passkeys::id))
                .select(PasskeyRow::as_select())
                .load(conn)?;
            Ok(rows.into_iter().filter_map(PasskeyRow::into_record).collect())
        })
    }

    async fn passkey_by_credential(&self, credential_id: &str) -> Result<Option<PasskeyRecord>, StoreError> {
        let credential_id = credential_id.to_owned();
        run!(self, statement, |conn| {
            let row = passkeys::table
                .filter(passkeys::credential_id.eq(&credential_id))
                .select(PasskeyRow::as_select())
                .first(conn)
                .optional()?;
            Ok(row.and_then(PasskeyRow::into_record))
        })
    }

    async fn add_passkey(
        &self,
        passkey: PasskeyRecord,
        mail: Option<NewOutboxMail>,
        audit: &[AuditEvent],
    ) -> Result<(), StoreError> {
        let row = PasskeyRow::new(passkey);
        let audit = audit.to_vec();
        run!(self, write, |conn| {
            if !conn.lock_user(&row.user_id)? {
                return Err(StoreError::NotFound.into());
            }
            diesel::insert_into(passkeys::table)
                .values(&row)
                .execute(conn)
                // The unique keys: the id (random) and the credential id.
                .map_err(duplicate_on_unique)?;
            conn.record_in(&audit)?;
            conn.enqueue_if(true, mail.as_ref())?;
            Ok(())
        })
    }

    async fn rename_passkey(&self, user: &UserId, id: &str, name: PasskeyName) -> Result<bool, StoreError> {
        let (user, id) = (user.0.clone(), id.to_owned());
        run!(self, write_statement, |conn| {
            let renamed = diesel::update(passkeys::table.find(&id).filter(passkeys::user_id.eq(&user)))
                .set(passkeys::name.eq(name.as_str()))
                .execute(conn)?;
            Ok(renamed == 1)
        })
    }

    async fn remove_passkey(
        &self,
        user: &UserId,
        id: &str,
        mail: Option<NewOutboxMail>,
        audit: &[AuditEvent],
    ) -> Result<bool, StoreError> {
        let (user, id) = (user.0.clone(), id.to_owned());
        let audit = audit.to_vec();
        run!(self, write, |conn| {
            let removed =
                diesel::delete(passkeys::table.find(&id).filter(passkeys::user_id.eq(&user))).execute(conn)?;
            conn.record_if(removed == 1, &audit)?;
            conn.enqueue_if(removed == 1, mail.as_ref())
        })
    }

    async fn passkey_used(&self, used: &PasskeyUse) -> Result<bool, StoreError> {
        let (user, id, credential) = (used.user.0.clone(), used.id.clone(), used.credential.clone());
        let (count, backup_state, now) = (i64::from(used.sign_count), used.backup_state, to_db(used.now));
        run!(self, write_statement, |conn| {
            let recorded = diesel::update(
                passkeys::table
                    .find(&id)
                    .filter(passkeys::user_id.eq(&user))
                    .filter(passkeys::sign_count.eq(0).or(passkeys::sign_count.lt(count))),
            )
            .set((
                passkeys::credential.eq(&credential),
                passkeys::sign_count.eq(count),
                passkeys::backup_state.eq(backup_state),
                passkeys::last_used_at.eq(now),
            ))
            .execute(conn)?;
            Ok(recorded == 1)
        })
    }

    async fn put_ceremony(&self, ceremony: NewCeremony) -> Result<(), StoreError> {
        let row = CeremonyRow {
            id_hash: ceremony.id_hash.as_str().to_owned(),
            kind: ceremony.kind.as_str().to_owned(),
            user_id: ceremony.user.map(|user| user.0),
            state: ceremony.state.as_str().to_owned(),
            created_at: to_db(ceremony.created_at),
            expires_at: to_db(ceremony.expires_at),
        };
        run!(self, write, |conn| {
            if let Some(user) = &row.user_id {
                if !conn.lock_user(user)? {
                    return Err(StoreError::NotFound.into());
                }
            }
            diesel::delete(webauthn_ceremonies::table.find(&row.id_hash)).execute(conn)?;
            diesel::insert_into(webauthn_ceremonies::table)
                .values(&row)
                .execute(conn)
                .map_err(duplicate_on_unique)?;
            Ok(())
        })
    }

    async fn take_ceremony(&self, lookup: &CeremonyLookup) -> Result<Option<Ceremony>, StoreError> {
        let (hash, kind, now) = (lookup.id_hash.as_str().to_owned(), lookup.kind, to_db(lookup.now));
        run!(self, write_statement, |conn| {
            let row = diesel::delete(
                webauthn_ceremonies::table
                    .find(&hash)
                    .filter(webauthn_ceremonies::kind.eq(kind.as_str()))
                    .filter(webauthn_ceremonies::expires_at.gt(now)),
            )
            .returning(CeremonyRow::as_returning())
            .get_result(conn)
            .optional()?;
            Ok(row.and_then(|row| {
                Some(Ceremony {
                    kind: CeremonyKind::parse(&row.kind)?,
                    user: row.user_id.map(UserId),
                    state: Sealed::from_stored(row.state),
                })
            }))
        })
    }

    async fn purge_ceremonies(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let now = to_db(now);
        run!(self, write_statement, |conn| {
            let purged = diesel::delete(webauthn_ceremonies::table.filter(webauthn_ceremonies::expires_at.lt(now)))
                .execute(conn)?;
            Ok(u64::try_from(purged).unwrap_or(u64::MAX))
        })
    }
}
