//! [`FactorStore`]: `totp_factors`, `recovery_codes` and `mfa_tokens`.
//!
//! Every single use (a TOTP step, a recovery code, an `mfa_token`) is one
//! conditional `UPDATE` whose `WHERE` says the thing is still unused, the
//! same text on both backends: it changes one row or none. Of requests
//! racing for one use, Postgres lets the first take the row lock and makes
//! the others re-check the `WHERE` against its committed row, which no
//! longer matches; SQLite's writers take turns on the write lock. Changes
//! of several rows (confirming a factor with its codes, replacing codes)
//! and a use that mails the user run in one write transaction, the mail
//! queued only when the conditional change took a row.
//!
//! The second step ([`FactorStore::take_second_factor`]) is the one use of
//! two things at once, a TOTP step and an `mfa_token`, with the session it
//! opens. It locks the user first and reads the factor: every writer of a
//! user's factor row (enrolling, removing) and of their sessions takes that
//! lock first too, so the factor stays as read, a step it does not take
//! changes nothing, and the token's conditional `UPDATE` decides the rest.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl;
use diesel::prelude::*;
use registrar_domain::{AuditEvent, ClientId, DeviceId, DeviceName, Email, PasswordHash, Sealed, SecretHash, UserId};
use registrar_store::{
    FactorStore, FirstFactor, MfaAttempt, MfaPurpose, MfaToken, MfaTokenLookup, NewMfaToken, NewOutboxMail,
    RecoveryCodeUse, SecondFactorTaken, SecondFactorUse, StoreError, TotpConfirmation, TotpFactor, WaitingSignIn,
};

use crate::audit::AuditWrites;
use crate::backend::{for_each_backend, run, Backend, UniqueRow};
use crate::error::{duplicate_on_unique, Failure};
use crate::outbox::OutboxWrites;
use crate::rows::{from_db, to_db, UserRow};
use crate::schema::{mfa_tokens, passkeys, recovery_codes, totp_factors, users};
use crate::sessions::SessionWrites;
use crate::DieselStore;

/// Second factors moved in with their accounts
/// ([`ImportedUser::totp`](registrar_store::ImportedUser::totp),
/// [`ImportedUser::mfa_token`](registrar_store::ImportedUser::mfa_token)),
/// in the import's transaction.
pub(crate) trait FactorWrites {
    /// Confirmed TOTP factors `(user, sealed secret, confirmed at)`, no
    /// step used, and waiting sign-ins, a few rows per statement.
    fn import_factors_in(
        &mut self,
        totp: &[(&str, &Sealed, DateTime<Utc>)],
        tokens: &[&NewMfaToken],
    ) -> Result<(), Failure>;
}

/// Rows per INSERT: under SQLite's 32,766 bound variables at 13 columns.
const IMPORT_CHUNK: usize = 1000;

for_each_backend! {
    impl FactorWrites for Conn {
        fn import_factors_in(
            &mut self,
            totp: &[(&str, &Sealed, DateTime<Utc>)],
            tokens: &[&NewMfaToken],
        ) -> Result<(), Failure> {
            for chunk in totp.chunks(IMPORT_CHUNK) {
                let rows: Vec<_> = chunk
                    .iter()
                    .map(|(user, secret, at)| {
                        (
                            totp_factors::user_id.eq(*user),
                            totp_factors::secret_sealed.eq(secret.as_str()),
                            totp_factors::created_at.eq(to_db(*at)),
                            totp_factors::confirmed_at.eq(Some(to_db(*at))),
                        )
                    })
                    .collect();
                diesel::insert_into(totp_factors::table).values(&rows).execute(self)?;
            }
            for chunk in tokens.chunks(IMPORT_CHUNK) {
                let rows: Vec<MfaTokenRow> = chunk.iter().map(|token| MfaTokenRow::new((*token).clone())).collect();
                diesel::insert_into(mfa_tokens::table)
                    .values(&rows)
                    .execute(self)
                    .map_err(duplicate_on_unique)?;
            }
            Ok(())
        }
    }
}

/// A `totp_factors` row.
#[derive(Queryable, Selectable)]
#[diesel(table_name = totp_factors)]
struct TotpRow {
    secret_sealed: String,
    created_at: NaiveDateTime,
    confirmed_at: Option<NaiveDateTime>,
    last_step: Option<i64>,
}

impl TotpRow {
    fn into_factor(self) -> TotpFactor {
        TotpFactor {
            secret: Sealed::from_stored(self.secret_sealed),
            created_at: from_db(self.created_at),
            confirmed_at: self.confirmed_at.map(from_db),
            // Written from a u64 step; a negative one would be a broken row.
            last_step: self.last_step.and_then(|step| u64::try_from(step).ok()),
        }
    }
}

/// An `mfa_tokens` row.
#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = mfa_tokens)]
struct MfaTokenRow {
    token_hash: String,
    user_id: String,
    client_id: String,
    device_id: String,
    device_name: String,
    first_factor: String,
    new_password_hash: Option<String>,
    failures: i32,
    created_at: NaiveDateTime,
    expires_at: NaiveDateTime,
    credential: Option<String>,
    purpose: String,
    new_email: Option<String>,
}

/// `mfa_tokens.purpose` of each [`MfaPurpose`].
const SIGN_IN: &str = "sign_in";
const CHANGE_PASSWORD: &str = "change_password";
const BROWSER_SIGN_IN: &str = "browser_sign_in";
const CHANGE_EMAIL: &str = "change_email";

impl MfaTokenRow {
    fn new(token: NewMfaToken) -> Self {
        let NewMfaToken {
            token_hash,
            attempt,
            created_at,
            expires_at,
        } = token;
        let (purpose, new_password_hash, new_email) = match attempt.purpose {
            MfaPurpose::SignIn => (SIGN_IN, None, None),
            MfaPurpose::ChangePassword { new_password_hash } => (CHANGE_PASSWORD, Some(new_password_hash.0), None),
            MfaPurpose::BrowserSignIn => (BROWSER_SIGN_IN, None, None),
            MfaPurpose::ChangeEmail { new_email } => (CHANGE_EMAIL, None, Some(new_email.as_str().to_owned())),
        };
        Self {
            token_hash: token_hash.as_str().to_owned(),
            user_id: attempt.user.0,
            client_id: attempt.client.as_str().to_owned(),
            device_id: attempt.device.as_str().to_owned(),
            device_name: attempt.device_name.as_str().to_owned(),
            first_factor: attempt.first_factor.as_str().to_owned(),
            new_password_hash,
            failures: 0,
            created_at: to_db(created_at),
            expires_at: to_db(expires_at),
            credential: attempt.credential.map(|hash| hash.0),
            purpose: purpose.to_owned(),
            new_email,
        }
    }

    /// The token as the port gives it; `None` for a row no version of ours
    /// writes (an unknown first factor, a bad id).
    fn into_token(self) -> Option<MfaToken> {
        let attempt = MfaAttempt {
            user: UserId(self.user_id),
            client: ClientId::parse(&self.client_id)?,
            device: DeviceId::parse(&self.device_id).ok()?,
            device_name: DeviceName::parse(&self.device_name).ok()?,
            first_factor: FirstFactor::parse(&self.first_factor)?,
            purpose: match (self.purpose.as_str(), self.new_password_hash) {
                (SIGN_IN, None) => MfaPurpose::SignIn,
                // A version before the purpose column wrote a change as
                // 'sign_in' (the default) with the new hash.
                (SIGN_IN | CHANGE_PASSWORD, Some(hash)) => MfaPurpose::ChangePassword {
                    new_password_hash: PasswordHash(hash),
                },
                (BROWSER_SIGN_IN, None) => MfaPurpose::BrowserSignIn,
                (CHANGE_EMAIL, None) => MfaPurpose::ChangeEmail {
                    new_email: Email::parse(self.new_email.as_deref()?).ok()?,
                },
                _ => return None,
            },
            credential: self.credential.map(PasswordHash),
        };
        Some(MfaToken {
            attempt,
            failures: u32::try_from(self.failures).unwrap_or(0),
            expires_at: from_db(self.expires_at),
        })
    }
}

fn step_of(step: u64) -> i64 {
    // A 30-second step of any date this program will see fits easily.
    i64::try_from(step).unwrap_or(i64::MAX)
}

/// The token `lookup` names, if it is live: the query that reads it and
/// the update that uses it, the same on both backends.
#[dsl::auto_type]
fn live_mfa_token<'a>(hash: &'a str, now: NaiveDateTime, max_failures: i32) -> _ {
    mfa_tokens::table
        .find(hash)
        .filter(mfa_tokens::used_at.is_null())
        .filter(mfa_tokens::expires_at.gt(now))
        .filter(mfa_tokens::failures.lt(max_failures))
}

/// What [`live_mfa_token`] takes of a lookup.
fn lookup_of(lookup: &MfaTokenLookup) -> (String, NaiveDateTime, i32) {
    let max_failures = i32::try_from(lookup.max_failures).unwrap_or(i32::MAX);
    (lookup.token_hash.as_str().to_owned(), to_db(lookup.now), max_failures)
}

/// A new `recovery_codes` row.
#[derive(Insertable)]
#[diesel(table_name = recovery_codes)]
struct RecoveryCodeRow {
    user_id: String,
    code_hash: String,
    created_at: NaiveDateTime,
}

/// The rows of one user's new recovery codes.
fn code_rows(user: &str, codes: &[SecretHash], now: NaiveDateTime) -> Vec<RecoveryCodeRow> {
    codes
        .iter()
        .map(|code| RecoveryCodeRow {
            user_id: user.to_owned(),
            code_hash: code.as_str().to_owned(),
            created_at: now,
        })
        .collect()
}

impl DieselStore {
    /// Removes the user's TOTP factor and recovery codes, with `all` also
    /// their passkeys and `mfa_token`s, and queues `mail` and writes `audit`
    /// if there was a factor.
    async fn remove_factors(
        &self,
        user: &UserId,
        all: bool,
        mail: Option<NewOutboxMail>,
        audit: &[AuditEvent],
    ) -> Result<bool, StoreError> {
        let user = user.0.clone();
        let audit = audit.to_vec();
        run!(self, write, |conn| {
            // As every writer of the user's factor (the second step reads it under this lock).
            if !conn.lock_user(&user)? {
                return Ok(false);
            }
            diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(&user))).execute(conn)?;
            let mut removed = 0;
            if all {
                diesel::delete(mfa_tokens::table.filter(mfa_tokens::user_id.eq(&user))).execute(conn)?;
                removed += diesel::delete(passkeys::table.filter(passkeys::user_id.eq(&user))).execute(conn)?;
            }
            // Of two removals racing, the second waits for the first's row
            // lock and then finds no row: one removes, one mails.
            removed += diesel::delete(totp_factors::table.find(&user)).execute(conn)?;
            conn.record_if(removed > 0, &audit)?;
            conn.enqueue_if(removed > 0, mail.as_ref())
        })
    }
}

#[async_trait]
impl FactorStore for DieselStore {
    async fn totp_factor(&self, user: &UserId) -> Result<Option<TotpFactor>, StoreError> {
        let user = user.0.clone();
        run!(self, statement, |conn| {
            let row = totp_factors::table
                .find(&user)
                .select(TotpRow::as_select())
                .unique_row(conn)
                .optional()?;
            Ok(row.map(TotpRow::into_factor))
        })
    }

    async fn put_pending_totp(&self, user: &UserId, secret: Sealed, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let user = user.0.clone();
        run!(self, write, |conn| {
            if !conn.lock_user(&user)? {
                return Err(StoreError::NotFound.into());
            }
            let confirmed = totp_factors::table
                .find(&user)
                .select(totp_factors::confirmed_at)
                .unique_row::<Option<NaiveDateTime>>(conn)
                .optional()?;
            if matches!(confirmed, Some(Some(_))) {
                return Ok(false);
            }
            diesel::delete(totp_factors::table.find(&user)).execute(conn)?;
            diesel::insert_into(totp_factors::table)
                .values((
                    totp_factors::user_id.eq(&user),
                    totp_factors::secret_sealed.eq(secret.as_str()),
                    totp_factors::created_at.eq(to_db(now)),
                ))
                .execute(conn)?;
            Ok(true)
        })
    }

    async fn confirm_totp(
        &self,
        confirmation: TotpConfirmation,
        mail: Option<NewOutboxMail>,
    ) -> Result<bool, StoreError> {
        let audit = confirmation.audit;
        let (user, secret) = (confirmation.user.0, confirmation.secret.as_str().to_owned());
        let (step, recovery_codes, now) = (confirmation.step, confirmation.recovery_codes, confirmation.now);
        run!(self, write, |conn| {
            let confirmed = diesel::update(
                totp_factors::table
                    .find(&user)
                    .filter(totp_factors::confirmed_at.is_null())
                    .filter(totp_factors::secret_sealed.eq(&secret)),
            )
            .set((
                totp_factors::confirmed_at.eq(to_db(now)),
                totp_factors::last_step.eq(step_of(step)),
            ))
            .execute(conn)?;
            if confirmed == 0 {
                return Ok(false);
            }
            diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(&user))).execute(conn)?;
            diesel::insert_into(recovery_codes::table)
                .values(code_rows(&user, &recovery_codes, to_db(now)))
                .execute(conn)?;
            conn.record_in(&audit)?;
            conn.enqueue_if(true, mail.as_ref())
        })
    }

    async fn remove_totp(
        &self,
        user: &UserId,
        mail: Option<NewOutboxMail>,
        audit: &[AuditEvent],
    ) -> Result<bool, StoreError> {
        let user = user.0.clone();
        let audit = audit.to_vec();
        // As `remove_factors(user, false, mail)`, with the events in its transaction.
        run!(self, write, |conn| {
            diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(&user))).execute(conn)?;
            // Of two removals racing, the second waits for the first's row
            // lock and then finds no row: one removes, one mails, one records.
            let removed = diesel::delete(totp_factors::table.find(&user)).execute(conn)? > 0;
            conn.record_if(removed, &audit)?;
            conn.enqueue_if(removed, mail.as_ref())
        })
    }

    async fn reset_factors(
        &self,
        user: &UserId,
        mail: Option<NewOutboxMail>,
        audit: &[AuditEvent],
    ) -> Result<bool, StoreError> {
        self.remove_factors(user, true, mail, audit).await
    }

    async fn replace_recovery_codes(
        &self,
        user: &UserId,
        codes: Vec<SecretHash>,
        now: DateTime<Utc>,
        audit: &[AuditEvent],
    ) -> Result<(), StoreError> {
        let user = user.0.clone();
        let audit = audit.to_vec();
        run!(self, write, |conn| {
            if !conn.lock_user(&user)? {
                return Err(StoreError::NotFound.into());
            }
            diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(&user))).execute(conn)?;
            diesel::insert_into(recovery_codes::table)
                .values(code_rows(&user, &codes, to_db(now)))
                .execute(conn)?;
            conn.record_in(&audit)
        })
    }

    async fn use_recovery_code(&self, used: &RecoveryCodeUse, mail: Option<NewOutboxMail>) -> Result<bool, StoreError> {
        let (user, code, now) = (used.user.0.clone(), used.code.as_str().to_owned(), used.now);
        let audit = used.audit.clone();
        run!(self, write, |conn| {
            let used = diesel::update(
                recovery_codes::table
                    .find((&user, &code))
                    .filter(recovery_codes::used_at.is_null()),
            )
            .set(recovery_codes::used_at.eq(to_db(now)))
            .execute(conn)?;
            conn.record_if(used == 1, &audit)?;
            conn.enqueue_if(used == 1, mail.as_ref())
        })
    }

    async fn recovery_codes_left(&self, user: &UserId) -> Result<u32, StoreError> {
        let user = user.0.clone();
        run!(self, statement, |conn| {
            let left: i64 = recovery_codes::table
                .filter(recovery_codes::user_id.eq(&user))
                .filter(recovery_codes::used_at.is_null())
                .count()
                .get_result(conn)?;
            Ok(u32::try_from(left).unwrap_or(u32::MAX))
        })
    }

    async fn create_mfa_token(&self, token: NewMfaToken) -> Result<(), StoreError> {
        let row = MfaTokenRow::new(token);
        run!(self, write_statement, |conn| {
            diesel::insert_into(mfa_tokens::table)
                .values(&row)
                .execute(conn)
                // The only unique key is the primary key, the hash.
                .map_err(duplicate_on_unique)?;
            Ok(())
        })
    }

    async fn mfa_token(&self, lookup: &MfaTokenLookup) -> Result<Option<MfaToken>, StoreError> {
        let (hash, now, max_failures) = lookup_of(lookup);
        run!(self, statement, |conn| {
            let row = live_mfa_token(&hash, now, max_failures)
                .select(MfaTokenRow::as_select())
                .unique_row(conn)
                .optional()?;
            Ok(row.and_then(MfaTokenRow::into_token))
        })
    }

    async fn waiting_sign_in(&self, lookup: &MfaTokenLookup) -> Result<Option<WaitingSignIn>, StoreError> {
        let (hash, now, max_failures) = lookup_of(lookup);
        // One statement: the token, its user and the user's factor.
        run!(self, statement, |conn| {
            let found = live_mfa_token(&hash, now, max_failures)
                .inner_join(users::table.on(users::id.eq(mfa_tokens::user_id)))
                .left_join(totp_factors::table.on(totp_factors::user_id.eq(mfa_tokens::user_id)))
                .select((
                    MfaTokenRow::as_select(),
                    UserRow::as_select(),
                    Option::<TotpRow>::as_select(),
                ))
                .unique_row::<(MfaTokenRow, UserRow, Option<TotpRow>)>(conn)
                .optional()?;
            let Some((token, user, totp)) = found else {
                return Ok(None);
            };
            let Some(token) = token.into_token() else {
                return Ok(None);
            };
            Ok(Some(WaitingSignIn {
                token,
                user: user.into_user()?,
                totp: totp.map(TotpRow::into_factor),
            }))
        })
    }

    async fn mfa_token_failed(&self, token_hash: &SecretHash) -> Result<u32, StoreError> {
        let hash = token_hash.as_str().to_owned();
        run!(self, write_statement, |conn| {
            let failures = diesel::update(mfa_tokens::table.find(&hash))
                .set(mfa_tokens::failures.eq(mfa_tokens::failures + 1))
                .returning(mfa_tokens::failures)
                .get_result::<i32>(conn)
                .optional()?;
            Ok(failures.map_or(0, |count| u32::try_from(count).unwrap_or(0)))
        })
    }

    async fn take_second_factor(&self, taking: SecondFactorUse) -> Result<SecondFactorTaken, StoreError> {
        let (hash, now, max_failures) = lookup_of(&taking.lookup);
        let user = taking.user.0;
        let step = taking.totp_step.map(step_of);
        let session = taking.session;
        run!(self, write, |conn| {
            // The stored hash, read with the lock, is what the session's
            // credential is checked against.
            let Some(stored) = conn.lock_user_credential(&user)? else {
                return Ok(SecondFactorTaken::TokenNotLive);
            };
            if let Some(step) = step {
                // Under the user's lock no one else changes the factor.
                let last: Option<Option<i64>> = totp_factors::table
                    .find(&user)
                    .filter(totp_factors::confirmed_at.is_not_null())
                    .select(totp_factors::last_step)
                    .unique_row(conn)
                    .optional()?;
                let takes = last.is_some_and(|last| last.is_none_or(|last| last < step));
                if !takes {
                    return Ok(SecondFactorTaken::StepUsed);
                }
            }
            // Of two requests racing with one token, the second waits for
            // the first's row lock and then finds it used.
            let row = diesel::update(live_mfa_token(&hash, now, max_failures).filter(mfa_tokens::user_id.eq(&user)))
                .set(mfa_tokens::used_at.eq(now))
                .returning(MfaTokenRow::as_returning())
                .get_result(conn)
                .optional()?;
            let Some(token) = row.and_then(MfaTokenRow::into_token) else {
                return Ok(SecondFactorTaken::TokenNotLive);
            };
            if let Some(step) = step {
                let taken = diesel::update(totp_factors::table.find(&user))
                    .set(totp_factors::last_step.eq(step))
                    .execute(conn)?;
                if taken != 1 {
                    return Err(StoreError::unexpected("the TOTP factor changed under its user's lock").into());
                }
            }
            let notice_queued = match &session {
                // Under the user's lock taken above.
                Some((session, max_per_client)) => {
                    conn.open_session_on(&user, stored.as_deref(), session, *max_per_client)?
                }
                None => false,
            };
            Ok(SecondFactorTaken::Taken { token, notice_queued })
        })
    }

    async fn purge_mfa_tokens(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let now = to_db(now);
        run!(self, write_statement, |conn| {
            let purged = diesel::delete(mfa_tokens::table.filter(mfa_tokens::expires_at.lt(now))).execute(conn)?;
            Ok(u64::try_from(purged).unwrap_or(u64::MAX))
        })
    }
}
