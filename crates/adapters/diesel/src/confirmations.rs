//! [`ConfirmationStore`]: codes and links sent by mail, kept only as hashes.
//!
//! A confirmation is live while unused and unexpired; replacing one deletes
//! the unused ones of its user and purpose, so a user has at most one.
//! Writers of a user's confirmations lock the user's row first (see
//! [`Backend::lock_user`]), then the confirmation: one order everywhere, so
//! that a reset racing a new reset mail cannot deadlock on Postgres.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl;
use diesel::prelude::*;
use registrar_domain::{AuditEvent, AuditKind, ConfirmationPurpose, PasswordHash, SecretHash, User, UserId};
use registrar_store::{
    CodeOutcome, CodeTry, ConfirmationStore, NewConfirmation, NewOutboxMail, SignupCompletion, StoreError,
};

use crate::audit::AuditWrites;
use crate::backend::{for_each_backend, run, Backend, UniqueRow};
use crate::error::Failure;
use crate::outbox::OutboxWrites;
use crate::rows::{to_db, NewConfirmationRow, UserRow};
use crate::schema::{confirmations, users};
use crate::sessions::SessionWrites;
use crate::DieselStore;

/// The user's live confirmation of `purpose` that has a code: its id, code
/// hash and counted tries. The query of [`Backend::lock_live_code`], the same
/// on both backends.
#[dsl::auto_type]
pub(crate) fn live_code<'a>(user: &'a str, purpose: &'a str, now: NaiveDateTime) -> _ {
    confirmations::table
        .filter(confirmations::user_id.eq(user))
        .filter(confirmations::purpose.eq(purpose))
        .filter(confirmations::used_at.is_null())
        .filter(confirmations::expires_at.gt(now))
        .filter(confirmations::code_hash.is_not_null())
        .order((confirmations::created_at.desc(), confirmations::id.desc()))
        .select((confirmations::id, confirmations::code_hash, confirmations::attempts))
}

/// Confirmation steps that several store methods share, inside their
/// transaction. The caller has locked the user (see the module docs).
pub(crate) trait ConfirmationSteps {
    /// Deletes the user's unused confirmations of `purpose`: live links and
    /// codes die, used ones stay as a record.
    fn kill_unused_in(&mut self, user: &str, purpose: ConfirmationPurpose) -> Result<(), Failure>;

    /// Uses up the live confirmation of `purpose` whose link hashes to
    /// `link_hash`. Returns whether there was one: the conditional update
    /// changes at most one row, and of concurrent uses only one (on Postgres
    /// the others wait for its row lock, then find it used).
    fn use_link_in(
        &mut self,
        link_hash: &str,
        purpose: ConfirmationPurpose,
        now: NaiveDateTime,
    ) -> Result<bool, Failure>;

    /// Marks the user's address confirmed at `now`, keeping an earlier time.
    fn confirm_email_in(&mut self, user: &str, now: NaiveDateTime) -> Result<bool, Failure>;

    /// Whether the user is an email-first account waiting for consent.
    fn awaiting_consent(&mut self, user: &str) -> Result<bool, Failure>;

    /// The user a live link of `purpose` belongs to.
    fn link_user(
        &mut self,
        link_hash: &str,
        purpose: ConfirmationPurpose,
        now: NaiveDateTime,
    ) -> Result<Option<String>, Failure>;

    /// Checks `code_hash` against the user's live code of `purpose`, as
    /// [`ConfirmationStore::confirm_by_code`] and
    /// [`ConfirmationStore::use_sign_in_code`] say. Locks the user first.
    fn check_code_in(&mut self, purpose: ConfirmationPurpose, code: &CodeTry) -> Result<CodeOutcome, Failure>;
}

for_each_backend! {
    impl ConfirmationSteps for Conn {
        fn kill_unused_in(&mut self, user: &str, purpose: ConfirmationPurpose) -> Result<(), Failure> {
            diesel::delete(
                confirmations::table
                    .filter(confirmations::user_id.eq(user))
                    .filter(confirmations::purpose.eq(purpose.as_str()))
                    .filter(confirmations::used_at.is_null()),
            )
            .execute(self)?;
            Ok(())
        }

        fn use_link_in(
            &mut self,
            link_hash: &str,
            purpose: ConfirmationPurpose,
            now: NaiveDateTime,
        ) -> Result<bool, Failure> {
            let used = diesel::update(
                confirmations::table
                    .filter(confirmations::link_hash.eq(link_hash))
                    .filter(confirmations::purpose.eq(purpose.as_str()))
                    .filter(confirmations::used_at.is_null())
                    .filter(confirmations::expires_at.gt(now)),
            )
            .set(confirmations::used_at.eq(now))
            .execute(self)?;
            Ok(used == 1)
        }

        fn confirm_email_in(&mut self, user: &str, now: NaiveDateTime) -> Result<bool, Failure> {
            let confirmed = diesel::update(
                users::table
                    .find(user)
                    .filter(users::email_confirmed_at.is_null()),
            )
            .set(users::email_confirmed_at.eq(now))
            .execute(self)?;
            Ok(confirmed > 0)
        }

        fn awaiting_consent(&mut self, user: &str) -> Result<bool, Failure> {
            let consent = users::table
                .find(user)
                .select(users::consent)
                .unique_row::<Option<i32>>(self)
                .optional()?;
            Ok(consent.flatten() == Some(User::CONSENT_PENDING))
        }

        fn link_user(
            &mut self,
            link_hash: &str,
            purpose: ConfirmationPurpose,
            now: NaiveDateTime,
        ) -> Result<Option<String>, Failure> {
            Ok(confirmations::table
                .filter(confirmations::link_hash.eq(link_hash))
                .filter(confirmations::purpose.eq(purpose.as_str()))
                .filter(confirmations::used_at.is_null())
                .filter(confirmations::expires_at.gt(now))
                .select(confirmations::user_id)
                .unique_row::<String>(self)
                .optional()?)
        }

        fn check_code_in(&mut self, purpose: ConfirmationPurpose, code: &CodeTry) -> Result<CodeOutcome, Failure> {
            let (user, now) = (code.user.as_str(), to_db(code.now));
            if !self.lock_user(user)? {
                return Ok(CodeOutcome::NoCode);
            }
            // Tries of one code run one after the other: a later one sees
            // what an earlier one counted or used up.
            let Some((id, stored, attempts)) = self.lock_live_code(user, purpose.as_str(), now)? else {
                return Ok(CodeOutcome::NoCode);
            };
            if i64::from(attempts) >= i64::from(code.max_attempts) {
                return Ok(CodeOutcome::TooManyAttempts);
            }
            if stored.as_deref() != Some(code.code_hash.as_str()) {
                diesel::update(confirmations::table.find(&id))
                    .set(confirmations::attempts.eq(confirmations::attempts + 1))
                    .execute(self)?;
                return Ok(CodeOutcome::Wrong);
            }
            let row = confirmations::table.find(&id);
            if purpose == ConfirmationPurpose::SignInCode {
                // Nothing of a used sign-in code is ever read again.
                diesel::delete(row).execute(self)?;
            } else if self.awaiting_consent(user)? {
                // The code is used up; the link stays live for the consent.
                diesel::update(row)
                    .set(confirmations::code_hash.eq(None::<String>))
                    .execute(self)?;
            } else {
                diesel::update(row).set(confirmations::used_at.eq(now)).execute(self)?;
            }
            let confirmed_now = self.confirm_email_in(user, now)?;
            // A sign-in code records a confirmation only when it made one.
            self.record_if(purpose == ConfirmationPurpose::Email || confirmed_now, &code.audit)?;
            Ok(CodeOutcome::Confirmed)
        }
    }
}

impl DieselStore {
    /// The user a live link of `purpose` belongs to, without using it.
    async fn live_link_user(
        &self,
        link_hash: &SecretHash,
        purpose: ConfirmationPurpose,
        now: DateTime<Utc>,
    ) -> Result<Option<UserId>, StoreError> {
        let link_hash = link_hash.as_str().to_owned();
        let now = to_db(now);
        run!(self, statement, |conn| Ok(conn
            .link_user(&link_hash, purpose, now)?
            .map(UserId)))
    }
}

#[async_trait]
impl ConfirmationStore for DieselStore {
    async fn replace_confirmation(&self, confirmation: NewConfirmation) -> Result<(), StoreError> {
        run!(self, write, |conn| {
            let user = confirmation.user_id.as_str();
            // Also serializes concurrent replacements: one live confirmation
            // per user and purpose.
            if !conn.lock_user(user)? {
                return Err(StoreError::NotFound.into());
            }
            conn.kill_unused_in(user, confirmation.purpose)?;
            diesel::insert_into(confirmations::table)
                .values(NewConfirmationRow::new(&confirmation))
                .execute(conn)?;
            Ok(())
        })
    }

    async fn confirm_by_code(&self, code: &CodeTry) -> Result<CodeOutcome, StoreError> {
        let code = code.clone();
        run!(self, write, |conn| conn
            .check_code_in(ConfirmationPurpose::Email, &code))
    }

    async fn use_sign_in_code(&self, code: &CodeTry) -> Result<CodeOutcome, StoreError> {
        let code = code.clone();
        run!(self, write, |conn| conn
            .check_code_in(ConfirmationPurpose::SignInCode, &code))
    }

    async fn purge_sign_in_codes(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let now = to_db(now);
        run!(self, write_statement, |conn| {
            let purged = diesel::delete(
                confirmations::table
                    .filter(confirmations::purpose.eq(ConfirmationPurpose::SignInCode.as_str()))
                    .filter(confirmations::expires_at.le(now)),
            )
            .execute(conn)?;
            Ok(u64::try_from(purged).unwrap_or(u64::MAX))
        })
    }

    async fn confirm_by_link(
        &self,
        link_hash: &SecretHash,
        now: DateTime<Utc>,
        audit: &[AuditEvent],
    ) -> Result<Option<UserId>, StoreError> {
        let link_hash = link_hash.as_str().to_owned();
        let now = to_db(now);
        let audit = audit.to_vec();
        run!(self, write, |conn| {
            let purpose = ConfirmationPurpose::Email;
            let Some(user) = conn.link_user(&link_hash, purpose, now)? else {
                return Ok(None);
            };
            // User first, then the link (see the module docs); the link may
            // have been used or replaced in between, which the use sees.
            if !conn.lock_user(&user)? {
                return Ok(None);
            }
            if conn.awaiting_consent(&user)? {
                // Confirmed, and the link stays live for the consent (checked
                // again under the user's lock: it may have been replaced).
                if conn.link_user(&link_hash, purpose, now)?.as_deref() != Some(user.as_str()) {
                    return Ok(None);
                }
            } else if !conn.use_link_in(&link_hash, purpose, now)? {
                return Ok(None);
            }
            conn.confirm_email_in(&user, now)?;
            conn.record_about_in(&user, &audit, None)?;
            Ok(Some(UserId(user)))
        })
    }

    async fn used_email_link_user(&self, link_hash: &SecretHash) -> Result<Option<UserId>, StoreError> {
        let link_hash = link_hash.as_str().to_owned();
        run!(self, statement, |conn| Ok(confirmations::table
            .filter(confirmations::link_hash.eq(&link_hash))
            .filter(confirmations::purpose.eq(ConfirmationPurpose::Email.as_str()))
            .filter(confirmations::used_at.is_not_null())
            .select(confirmations::user_id)
            .first::<String>(conn)
            .optional()?
            .map(UserId)))
    }

    async fn email_link_user(&self, link_hash: &SecretHash, now: DateTime<Utc>) -> Result<Option<UserId>, StoreError> {
        self.live_link_user(link_hash, ConfirmationPurpose::Email, now).await
    }

    async fn complete_signup(&self, completion: SignupCompletion) -> Result<Option<User>, StoreError> {
        run!(self, write, |conn| {
            let SignupCompletion {
                link_hash,
                consent,
                password_hash,
                session,
                max_sessions_per_client,
                now,
                audit,
            } = &completion;
            let now = to_db(*now);
            let purpose = ConfirmationPurpose::Email;
            let Some(user) = conn.link_user(link_hash.as_str(), purpose, now)? else {
                return Ok(None);
            };
            // A link belongs to one user for good: a session for another one
            // is the caller's mistake, and must not open with this link.
            if session.user_id.as_str() != user {
                let mistake = "complete_signup: the session is for another user than the link";
                return Err(StoreError::unexpected(mistake).into());
            }
            // User first, then the link (see the module docs), as in
            // confirm_by_link: of concurrent completions with one link, the
            // later ones wait for the user's lock, then find the link used.
            if !conn.lock_user(&user)? || !conn.use_link_in(link_hash.as_str(), purpose, now)? {
                return Ok(None);
            }
            let confirmed_now = conn.confirm_email_in(&user, now)?;
            let audit: Vec<_> = audit
                .iter()
                .filter(|e| confirmed_now || e.kind != AuditKind::EmailConfirmed)
                .cloned()
                .collect();
            conn.record_about_in(&user, &audit, None)?;
            diesel::update(users::table.find(&user))
                .set(users::consent.eq(consent))
                .execute(conn)?;
            if let Some(hash) = password_hash {
                diesel::update(users::table.find(&user))
                    .set(users::password_hash.eq(&hash.0))
                    .execute(conn)?;
            }
            // The session's user (checked above) is locked already.
            conn.open_session_locked(&user, session, *max_sessions_per_client)?;
            users::table
                .find(&user)
                .select(UserRow::as_select())
                .first::<UserRow>(conn)?
                .into_user()
                .map(Some)
        })
    }

    async fn reset_link_user(&self, link_hash: &SecretHash, now: DateTime<Utc>) -> Result<Option<UserId>, StoreError> {
        self.live_link_user(link_hash, ConfirmationPurpose::PasswordReset, now)
            .await
    }

    async fn reset_password(
        &self,
        link_hash: &SecretHash,
        hash: &PasswordHash,
        now: DateTime<Utc>,
        mail: Option<NewOutboxMail>,
        audit: &[AuditEvent],
    ) -> Result<Option<UserId>, StoreError> {
        let link_hash = link_hash.as_str().to_owned();
        let hash = hash.0.clone();
        let now = to_db(now);
        let audit = audit.to_vec();
        run!(self, write, |conn| {
            let purpose = ConfirmationPurpose::PasswordReset;
            let Some(user) = conn.link_user(&link_hash, purpose, now)? else {
                return Ok(None);
            };
            if !conn.lock_user(&user)? || !conn.use_link_in(&link_hash, purpose, now)? {
                return Ok(None);
            }
            diesel::update(users::table.find(&user))
                .set(users::password_hash.eq(&hash))
                .execute(conn)?;
            conn.sign_out_in(&user)?;
            // Any other reset link dies with the old password, as in set_password.
            conn.kill_unused_in(&user, purpose)?;
            // The link reached the address: that confirms it, if nothing did before.
            conn.confirm_email_in(&user, now)?;
            conn.record_about_in(&user, &audit, None)?;
            if let Some(mail) = &mail {
                conn.enqueue_in(mail)?;
            }
            Ok(Some(UserId(user)))
        })
    }
}
