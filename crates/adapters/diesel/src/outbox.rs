//! [`OutboxStore`]: the durable mail queue.
//!
//! A mail is queued in the transaction of the change that sends it, then
//! claimed by a worker for a lease, and marked sent or failed. A claim is the
//! row's `claimed_until`: while it lies ahead of `now` no other claimer gets
//! the mail; when a worker dies its lease runs out and the mail is due again.
//!
//! Claiming is the one place where the backends differ (see
//! [`Backend::lock_due_mail`]): Postgres locks the due rows with
//! `FOR UPDATE SKIP LOCKED`, so parallel claimers in any number of processes
//! take different mails without waiting for each other; SQLite's immediate
//! transaction makes claimers take turns on the database's write lock.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl;
use diesel::prelude::*;
use registrar_domain::AuditEvent;
use registrar_store::{NewOutboxMail, OutboxMail, OutboxStore, StoreError};

use crate::audit::AuditWrites;
use crate::backend::{for_each_backend, run, Backend};
use crate::error::{not_found_on_foreign_key, Failure};
use crate::rows::{from_db, to_db, NewOutboxRow, OutboxRow, UserRow};
use crate::schema::{outbox, users};
use crate::DieselStore;

/// How much of a delivery error is kept (characters): enough for an SMTP
/// reply, not a whole transcript.
const LAST_ERROR_CHARS: usize = 500;

/// The most mails one claim hands out ("up to `limit`" allows fewer): the
/// claimed ids are bound one parameter each, and SQLite takes at most 32,766.
const MAX_CLAIM: usize = 10_000;

/// Whether a mail is due at `now`: neither sent nor given up, its retry time
/// reached, and no live claim on it.
#[dsl::auto_type]
pub(crate) fn is_due(now: NaiveDateTime) -> _ {
    outbox::sent_at
        .is_null()
        .and(outbox::given_up_at.is_null())
        .and(outbox::retry_at.le(now))
        .and(outbox::claimed_until.is_null().or(outbox::claimed_until.le(now)))
}

/// The ids of up to `limit` mails due at `now`, oldest first: the claim's
/// query, the same on both backends; how its rows are locked is
/// [`Backend::lock_due_mail`]'s.
#[dsl::auto_type]
pub(crate) fn due_mail(now: NaiveDateTime, limit: i64) -> _ {
    let due: is_due = is_due(now);
    outbox::table
        .filter(due)
        .order((outbox::created_at.asc(), outbox::id.asc()))
        .limit(limit)
        .select(outbox::id)
}

/// What a claim writes: the lease, and one more attempt, counted before
/// anything is sent so that a delivery that never reports back (it killed
/// its worker or its process) still counts.
#[dsl::auto_type]
fn claim_until(lease_until: NaiveDateTime) -> _ {
    (
        outbox::claimed_until.eq(lease_until),
        outbox::attempts.eq(outbox::attempts + 1_i32),
    )
}

/// Claimed mails as read back after the claim's update: the port hands out
/// the attempts before this claim.
fn claimed(mut mails: Vec<OutboxMail>) -> Vec<OutboxMail> {
    for mail in &mut mails {
        mail.attempts = mail.attempts.saturating_sub(1);
    }
    mails
}

/// Queue writes that several store methods share, inside their transaction.
pub(crate) trait OutboxWrites {
    /// Queues `mail`, due at once. [`StoreError::NotFound`] if its user does not exist.
    fn enqueue_in(&mut self, mail: &NewOutboxMail) -> Result<(), Failure>;

    /// Queues `mail` (if any) when the change it announces happened;
    /// answers whether it did.
    fn enqueue_if(&mut self, changed: bool, mail: Option<&NewOutboxMail>) -> Result<bool, Failure> {
        if let Some(mail) = mail.filter(|_| changed) {
            self.enqueue_in(mail)?;
        }
        Ok(changed)
    }

    /// The mails with these ids and their users, oldest first.
    fn mails_with_users(&mut self, ids: &[String]) -> Result<Vec<OutboxMail>, Failure>;
}

for_each_backend! {
    impl OutboxWrites for Conn {
        fn enqueue_in(&mut self, mail: &NewOutboxMail) -> Result<(), Failure> {
            diesel::insert_into(outbox::table)
                .values(NewOutboxRow::new(mail))
                .execute(self)
                .map_err(not_found_on_foreign_key)?;
            // The few mails with a detail set it apart: the common insert
            // stays the one every release wrote.
            if let Some(detail) = &mail.detail {
                diesel::update(outbox::table.find(&mail.id))
                    .set(outbox::detail.eq(detail))
                    .execute(self)?;
            }
            Ok(())
        }

        fn mails_with_users(&mut self, ids: &[String]) -> Result<Vec<OutboxMail>, Failure> {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            outbox::table
                .inner_join(users::table)
                .filter(outbox::id.eq_any(ids))
                .order((outbox::created_at.asc(), outbox::id.asc()))
                .select((OutboxRow::as_select(), UserRow::as_select()))
                .load::<(OutboxRow, UserRow)>(self)?
                .into_iter()
                .map(|(mail, user)| mail.into_mail(user))
                .collect()
        }
    }
}

#[async_trait]
impl OutboxStore for DieselStore {
    async fn enqueue_mail(&self, mail: NewOutboxMail, audit: &[AuditEvent]) -> Result<(), StoreError> {
        if audit.is_empty() {
            return run!(self, write_statement, |conn| conn.enqueue_in(&mail));
        }
        let audit = audit.to_vec();
        run!(self, write, |conn| {
            conn.enqueue_in(&mail)?;
            conn.record_in(&audit)
        })
    }

    async fn claim_mail(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<OutboxMail>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let limit = i64::try_from(limit.min(MAX_CLAIM)).unwrap_or(0);
        let (now, lease_until) = (to_db(now), to_db(lease_until));
        run!(self, write, |conn| {
            let ids = conn.lock_due_mail(now, limit)?;
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
                .set(claim_until(lease_until))
                .execute(conn)?;
            Ok(claimed(conn.mails_with_users(&ids)?))
        })
    }

    async fn claim_mail_by_id(
        &self,
        id: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<OutboxMail>, StoreError> {
        let id = id.to_owned();
        let (now, lease_until) = (to_db(now), to_db(lease_until));
        run!(self, write, |conn| {
            // A compare-and-set: of concurrent claims only one finds the mail
            // due. On Postgres the others wait for its row lock, then re-check
            // the condition against the committed row and find a live claim.
            let updated = diesel::update(outbox::table.find(&id).filter(is_due(now)))
                .set(claim_until(lease_until))
                .execute(conn)?;
            if updated == 0 {
                return Ok(None);
            }
            Ok(claimed(conn.mails_with_users(std::slice::from_ref(&id))?).pop())
        })
    }

    async fn mark_mail_sent(&self, id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        let id = id.to_owned();
        let now = to_db(now);
        // An unknown id is not an error: its user may just have been erased.
        run!(self, write_statement, |conn| {
            diesel::update(outbox::table.find(&id).filter(outbox::sent_at.is_null()))
                .set((outbox::sent_at.eq(now), outbox::claimed_until.eq(None::<NaiveDateTime>)))
                .execute(conn)?;
            Ok(())
        })
    }

    async fn mark_mail_failed(
        &self,
        id: &str,
        retry_at: Option<DateTime<Utc>>,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let id = id.to_owned();
        let error: String = error.chars().take(LAST_ERROR_CHARS).collect();
        // Given up at `now`; `retry_at` must hold something and no longer
        // matters: the same instant.
        let (retry_at, given_up_at) = match retry_at {
            Some(at) => (to_db(at), None),
            None => {
                let now = to_db(now);
                (now, Some(now))
            }
        };
        // An unknown id is not an error (see mark_mail_sent); a sent or
        // given-up mail stays as it is.
        run!(self, write_statement, |conn| {
            diesel::update(
                outbox::table
                    .find(&id)
                    .filter(outbox::sent_at.is_null())
                    .filter(outbox::given_up_at.is_null()),
            )
            .set((
                outbox::claimed_until.eq(None::<NaiveDateTime>),
                outbox::last_error.eq(&error),
                outbox::retry_at.eq(retry_at),
                outbox::given_up_at.eq(given_up_at),
            ))
            .execute(conn)?;
            Ok(())
        })
    }

    async fn outbox_backlog(&self) -> Result<u64, StoreError> {
        run!(self, statement, |conn| {
            let count: i64 = outbox::table
                .filter(outbox::sent_at.is_null())
                .filter(outbox::given_up_at.is_null())
                .count()
                .get_result(conn)?;
            Ok(u64::try_from(count).unwrap_or_default())
        })
    }

    async fn oldest_queued_mail(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        run!(self, statement, |conn| {
            // The pending index (created_at, id) answers this from its first entry.
            let oldest: Option<NaiveDateTime> = outbox::table
                .filter(outbox::sent_at.is_null())
                .filter(outbox::given_up_at.is_null())
                .select(dsl::min(outbox::created_at))
                .get_result(conn)?;
            Ok(oldest.map(from_db))
        })
    }
}
