//! [`EmailChangeStore`]: a pending change of address per user, its code and
//! links kept only as keyed hashes. Every writer locks the user's row first
//! (see [`Backend::lock_user`]), then the change: one order everywhere, as
//! for confirmations. The address itself changes under the unique index of
//! `users.email_normalized`: a registration of the same address racing the
//! confirmation gives one winner.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use registrar_domain::{Email, SecretHash, UserId};
use registrar_store::{
    CodeOutcome, EmailChangeCancellation, EmailChangeConfirmation, EmailChangeLink, EmailChangeProof,
    EmailChangeSecret, EmailChangeStore, NewEmailChange, PendingEmailChange, StoreError,
};

use crate::audit::AuditWrites;
use crate::backend::{for_each_backend, run, Backend};
use crate::error::{duplicate_email_on_unique, Failure};
use crate::outbox::OutboxWrites;
use crate::rows::{from_db, to_db};
use crate::schema::{email_changes, users};
use crate::sessions::SessionWrites;
use crate::DieselStore;

/// The columns of a pending change the port shows, and its secrets.
type ChangeRow = (
    String,
    String,
    String,
    NaiveDateTime,
    NaiveDateTime,
    Option<String>,
    Option<String>,
    Option<String>,
    i32,
);

/// A stored change: what the port shows, and the hashes and tries.
struct StoredChange {
    change: PendingEmailChange,
    code_hash: Option<String>,
    link_hash: Option<String>,
    cancel_hash: Option<String>,
    attempts: i32,
}

impl StoredChange {
    fn of(row: ChangeRow) -> Result<Self, Failure> {
        let (id, user, new_email, created_at, expires_at, code_hash, link_hash, cancel_hash, attempts) = row;
        let new_email = Email::parse(&new_email)
            .map_err(|_| StoreError::unexpected("email_changes.new_email holds an invalid address"))?;
        Ok(Self {
            change: PendingEmailChange {
                id,
                user: UserId(user),
                new_email,
                created_at: from_db(created_at),
                expires_at: from_db(expires_at),
            },
            code_hash,
            link_hash,
            cancel_hash,
            attempts,
        })
    }
}

/// Reads of pending changes that several methods share.
trait EmailChangeReads {
    /// The user's change that is live at `now`.
    fn live_change_in(&mut self, user: &str, now: NaiveDateTime) -> Result<Option<StoredChange>, Failure>;

    /// The live change whose link of `which` hashes to `link_hash`.
    fn change_by_link_in(
        &mut self,
        link_hash: &str,
        which: EmailChangeLink,
        now: NaiveDateTime,
    ) -> Result<Option<StoredChange>, Failure>;
}

for_each_backend! {
    impl EmailChangeReads for Conn {
        fn live_change_in(&mut self, user: &str, now: NaiveDateTime) -> Result<Option<StoredChange>, Failure> {
            let row = email_changes::table
                .find(user)
                .filter(email_changes::expires_at.gt(now))
                .select((
                    email_changes::id,
                    email_changes::user_id,
                    email_changes::new_email,
                    email_changes::created_at,
                    email_changes::expires_at,
                    email_changes::code_hash,
                    email_changes::link_hash,
                    email_changes::cancel_hash,
                    email_changes::attempts,
                ))
                .first::<ChangeRow>(self)
                .optional()?;
            row.map(StoredChange::of).transpose()
        }

        fn change_by_link_in(
            &mut self,
            link_hash: &str,
            which: EmailChangeLink,
            now: NaiveDateTime,
        ) -> Result<Option<StoredChange>, Failure> {
            let user = match which {
                EmailChangeLink::Confirm => email_changes::table
                    .filter(email_changes::link_hash.eq(link_hash))
                    .select(email_changes::user_id)
                    .first::<String>(self)
                    .optional()?,
                EmailChangeLink::Cancel => email_changes::table
                    .filter(email_changes::cancel_hash.eq(link_hash))
                    .select(email_changes::user_id)
                    .first::<String>(self)
                    .optional()?,
            };
            match user {
                Some(user) => self.live_change_in(&user, now),
                None => Ok(None),
            }
        }
    }
}

#[async_trait]
impl EmailChangeStore for DieselStore {
    async fn start_email_change(&self, change: NewEmailChange) -> Result<(), StoreError> {
        run!(self, write, |conn| {
            let user = change.user.as_str();
            // Also serializes concurrent requests: one pending change per user.
            if !conn.lock_user(user)? {
                return Err(StoreError::NotFound.into());
            }
            diesel::delete(email_changes::table.find(user)).execute(conn)?;
            diesel::insert_into(email_changes::table)
                .values((
                    email_changes::user_id.eq(user),
                    email_changes::id.eq(&change.id),
                    email_changes::new_email.eq(change.new_email.as_str()),
                    email_changes::new_email_normalized.eq(change.new_email.normalized()),
                    email_changes::attempts.eq(0),
                    email_changes::expires_at.eq(to_db(change.expires_at)),
                    email_changes::created_at.eq(to_db(change.created_at)),
                ))
                .execute(conn)?;
            conn.record_in(&change.audit)?;
            for mail in &change.mails {
                conn.enqueue_in(mail)?;
            }
            Ok(())
        })
    }

    async fn pending_email_change(
        &self,
        user: &UserId,
        now: DateTime<Utc>,
    ) -> Result<Option<PendingEmailChange>, StoreError> {
        let (user, now) = (user.as_str().to_owned(), to_db(now));
        run!(self, statement, |conn| Ok(conn
            .live_change_in(&user, now)?
            .map(|stored| stored.change)))
    }

    async fn arm_email_change(
        &self,
        user: &UserId,
        id: &str,
        secret: EmailChangeSecret,
        now: DateTime<Utc>,
    ) -> Result<Option<PendingEmailChange>, StoreError> {
        let (user, id, now) = (user.as_str().to_owned(), id.to_owned(), to_db(now));
        run!(self, write, |conn| {
            if !conn.lock_user(&user)? {
                return Ok(None);
            }
            let Some(stored) = conn.live_change_in(&user, now)? else {
                return Ok(None);
            };
            if stored.change.id != id {
                return Ok(None);
            }
            let row = email_changes::table.find(&user);
            match &secret {
                EmailChangeSecret::Confirm { code_hash, link_hash } => diesel::update(row)
                    .set((
                        email_changes::code_hash.eq(code_hash.as_str()),
                        email_changes::link_hash.eq(link_hash.as_str()),
                        email_changes::attempts.eq(0),
                    ))
                    .execute(conn)?,
                EmailChangeSecret::Cancel { link_hash } => diesel::update(row)
                    .set(email_changes::cancel_hash.eq(link_hash.as_str()))
                    .execute(conn)?,
            };
            Ok(Some(stored.change))
        })
    }

    async fn email_change_by_link(
        &self,
        link_hash: &SecretHash,
        which: EmailChangeLink,
        now: DateTime<Utc>,
    ) -> Result<Option<PendingEmailChange>, StoreError> {
        let (link_hash, now) = (link_hash.as_str().to_owned(), to_db(now));
        run!(self, statement, |conn| Ok(conn
            .change_by_link_in(&link_hash, which, now)?
            .map(|stored| stored.change)))
    }

    async fn confirm_email_change(&self, confirmation: &EmailChangeConfirmation) -> Result<CodeOutcome, StoreError> {
        let confirmation = confirmation.clone();
        run!(self, write, |conn| {
            let user = confirmation.user.as_str();
            let now = to_db(confirmation.now);
            if !conn.lock_user(user)? {
                return Ok(CodeOutcome::NoCode);
            }
            let Some(stored) = conn.live_change_in(user, now)? else {
                return Ok(CodeOutcome::NoCode);
            };
            let row = email_changes::table.find(user);
            match &confirmation.proof {
                EmailChangeProof::Code {
                    code_hash,
                    max_attempts,
                } => {
                    let Some(live) = &stored.code_hash else {
                        return Ok(CodeOutcome::NoCode);
                    };
                    if i64::from(stored.attempts) >= i64::from(*max_attempts) {
                        return Ok(CodeOutcome::TooManyAttempts);
                    }
                    if live != code_hash.as_str() {
                        diesel::update(row)
                            .set(email_changes::attempts.eq(email_changes::attempts + 1))
                            .execute(conn)?;
                        return Ok(CodeOutcome::Wrong);
                    }
                }
                EmailChangeProof::Link(link_hash) => {
                    if stored.link_hash.as_deref() != Some(link_hash.as_str()) {
                        return Ok(CodeOutcome::NoCode);
                    }
                }
            }
            let new_email = &stored.change.new_email;
            // The unique index decides: taken (also by a racing
            // registration) is DuplicateEmail, and the transaction rolls back.
            diesel::update(users::table.find(user))
                .set((
                    users::email.eq(new_email.as_str()),
                    users::email_normalized.eq(new_email.normalized()),
                    users::email_confirmed_at.eq(now),
                ))
                .execute(conn)
                .map_err(duplicate_email_on_unique)?;
            diesel::delete(row).execute(conn)?;
            conn.record_in(&confirmation.audit)?;
            conn.enqueue_in(&confirmation.notice)?;
            Ok(CodeOutcome::Confirmed)
        })
    }

    async fn cancel_email_change(&self, cancellation: &EmailChangeCancellation) -> Result<bool, StoreError> {
        let cancellation = cancellation.clone();
        run!(self, write, |conn| {
            let user = cancellation.user.as_str();
            if !conn.lock_user(user)? {
                return Ok(false);
            }
            let live = conn.live_change_in(user, to_db(cancellation.now))?;
            if live.and_then(|stored| stored.cancel_hash).as_deref() != Some(cancellation.link_hash.as_str()) {
                return Ok(false);
            }
            diesel::delete(email_changes::table.find(user)).execute(conn)?;
            conn.sign_out_in(user)?;
            conn.record_in(&cancellation.audit)?;
            conn.enqueue_in(&cancellation.reset_mail)?;
            Ok(true)
        })
    }

    async fn purge_email_changes(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let now = to_db(now);
        run!(self, write_statement, |conn| {
            let purged =
                diesel::delete(email_changes::table.filter(email_changes::expires_at.le(now))).execute(conn)?;
            Ok(u64::try_from(purged).unwrap_or(u64::MAX))
        })
    }
}
