//! Writing a query once for both backends.
//!
//! [`run!`] takes a closure-like body and compiles it twice, once with a
//! `&mut SqliteConnection` and once with a `&mut PgConnection`; at run time
//! the pool the store holds picks one. [`for_each_backend!`] does the same for
//! helper impls shared by several store methods. The few things that really
//! differ per backend (how a write transaction starts, how to lock a row) are
//! the methods of [`Backend`], implemented by hand for each.

use chrono::NaiveDateTime;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::{dsl, PgConnection, SqliteConnection};
use registrar_store::Rotation;

use crate::authorization::{code_to_exchange, LockedCode};
use crate::confirmations::live_code;
use crate::error::Failure;
use crate::outbox::due_mail;
use crate::rows::SessionRow;
use crate::schema::{throttle_counters, users};
use crate::sessions::rotate_at_once;
use crate::throttle::CounterRow;
use crate::webhooks::{enabled_endpoints, EndpointRow};

/// `.first()` for a query that matches one row at most (by a primary key
/// or a unique key), without the `LIMIT ?` diesel's `first` adds. SQLite
/// (3.50) makes a statement whose LIMIT is a bound parameter depend on the
/// bound value: each new binding expires the cached statement, and SQLite
/// compiles it again at its next step (20 % of the server's CPU in the
/// `mfa` scenario; bench/README.md). A unique key needs no LIMIT, so the
/// statement stays compiled. Not for a query that may match several rows:
/// without the LIMIT, all of them are read.
pub(crate) trait UniqueRow<Conn>: RunQueryDsl<Conn> + Sized {
    fn unique_row<'query, U>(self, conn: &mut Conn) -> QueryResult<U>
    where
        Self: diesel::query_dsl::LoadQuery<'query, Conn, U>,
    {
        self.get_result(conn)
    }
}

impl<T: RunQueryDsl<Conn>, Conn> UniqueRow<Conn> for T {}

/// A live code as [`Backend::lock_live_code`] finds it: id, code hash, tries counted.
pub(crate) type LiveCode = (String, Option<String>, i32);

/// The user's password hash if the user exists: the query of
/// [`Backend::lock_user_credential`], the same on both backends; how its
/// row is locked is the backend's.
#[dsl::auto_type]
fn user_credential_row<'a>(id: &'a str) -> _ {
    users::table.find(id).select(users::password_hash)
}

/// What differs between the backends.
pub(crate) trait Backend: Connection + Sized {
    /// A transaction that writes. On SQLite it starts with `BEGIN IMMEDIATE`:
    /// the write lock is taken up front, so concurrent writers queue instead
    /// of failing to upgrade a read lock (this process's on its
    /// [`WriterGate`](crate::pool::WriterGate), `run!` takes it; another
    /// process's on `busy_timeout`). On Postgres
    /// a plain READ COMMITTED transaction; rows are locked where needed.
    fn write<T>(&mut self, work: impl FnOnce(&mut Self) -> Result<T, Failure>) -> Result<T, Failure>;

    /// A write transaction that loads many rows at once (an import), as
    /// [`Backend::write`]. On SQLite the connection's page cache is raised
    /// for it to [`BULK_CACHE_KIB`]: with the default 2 MiB every page the
    /// transaction changes beyond it is spilled to the WAL and read back
    /// from there, several times per row with a table's indexes (a
    /// million-account import ran at 4,500 accounts/s), and its sorts (a
    /// `CREATE INDEX` after the load, `bulk.rs`) get two threads. Both are
    /// set back to the defaults afterwards, whether the work succeeded or not.
    fn bulk_write<T>(&mut self, work: impl FnOnce(&mut Self) -> Result<T, Failure>) -> Result<T, Failure> {
        self.write(work)
    }

    /// A transaction that only reads: one snapshot for several statements.
    fn read<T>(&mut self, work: impl FnOnce(&mut Self) -> Result<T, Failure>) -> Result<T, Failure> {
        self.transaction(work)
    }

    /// A transaction that reads several tables as of one instant (one
    /// snapshot for every statement) and may write: the data export, which
    /// records its event with the read. SQLite: an immediate transaction
    /// (no writer changes anything while it runs); Postgres: REPEATABLE READ.
    fn snapshot<T>(&mut self, work: impl FnOnce(&mut Self) -> Result<T, Failure>) -> Result<T, Failure>;

    /// One statement, which is a transaction of its own: no `BEGIN`/`COMMIT`
    /// round trips.
    fn statement<T>(&mut self, work: impl FnOnce(&mut Self) -> Result<T, Failure>) -> Result<T, Failure> {
        work(self)
    }

    /// [`statement`](Self::statement) for a statement that writes: the same
    /// here, but `run!` first waits for this process's writer turn on
    /// SQLite ([`WriterGate`](crate::pool::WriterGate)), as for a
    /// [`write`](Self::write).
    fn write_statement<T>(&mut self, work: impl FnOnce(&mut Self) -> Result<T, Failure>) -> Result<T, Failure> {
        work(self)
    }

    /// Within a write transaction, locks the user's row until it ends, so
    /// that concurrent changes to one user's sessions run one after the
    /// other. `false` when there is no such user.
    fn lock_user(&mut self, id: &str) -> Result<bool, Failure> {
        Ok(self.lock_user_credential(id)?.is_some())
    }

    /// [`lock_user`](Self::lock_user), answering the user's stored password
    /// hash as the lock sees it (`None`: no such user), in the same one
    /// statement. On Postgres a row lock that waited returns the row as its
    /// holder committed it, so a password change committed before this
    /// lock was taken is what it reads.
    fn lock_user_credential(&mut self, id: &str) -> Result<Option<Option<String>>, Failure>;

    /// Within a write transaction, the user's live code of `purpose` (a
    /// [`ConfirmationPurpose`](registrar_domain::ConfirmationPurpose)'s name; see
    /// [`live_code`]), locked until the transaction ends, so that tries of
    /// one code run one after the other.
    fn lock_live_code(&mut self, user: &str, purpose: &str, now: NaiveDateTime) -> Result<Option<LiveCode>, Failure>;

    /// Within a write transaction, the ids of up to `limit` mails due at
    /// `now`, oldest first (see [`due_mail`]), locked until it ends so that
    /// no other claimer gets them.
    fn lock_due_mail(&mut self, now: NaiveDateTime, limit: i64) -> Result<Vec<String>, Failure>;

    /// Within a write transaction, the enabled webhook endpoints that no
    /// other claimer is claiming for (see [`enabled_endpoints`]), locked
    /// until it ends: a webhook claim serves only these.
    fn lock_webhook_endpoints(&mut self) -> Result<Vec<EndpointRow>, Failure>;

    /// Within a write transaction, the attempt counters of `keys`, locked
    /// until it ends so that concurrent hits of a key take turns.
    fn lock_throttle(&mut self, keys: &[String]) -> Result<Vec<CounterRow>, Failure>;

    /// Within a write transaction, the authorization code stored under
    /// `code_hash` (see [`code_to_exchange`]), locked until it ends so that
    /// exchanges of one code run one after the other.
    fn lock_authorization_code(&mut self, code_hash: &str) -> Result<Option<LockedCode>, Failure>;

    /// Gathers the query planner's statistics of every table, outside any
    /// transaction.
    fn refresh_statistics(&mut self) -> Result<(), Failure>;

    /// Outside any transaction, rotates a live refresh token in one
    /// statement where the backend has one (see [`rotate_at_once`]): the
    /// rotated session, or `None` when the statement rotated nothing (then
    /// the caller's write transaction finds out what the token was) or the
    /// backend has no such statement (SQLite).
    fn rotate_at_once(&mut self, rotation: &Rotation) -> Result<Option<SessionRow>, Failure>;
}

/// The page cache of a [`Backend::bulk_write`] on SQLite, in KiB: only
/// what the transaction touches is allocated.
pub(crate) const BULK_CACHE_KIB: u32 = 1024 * 1024;

impl Backend for SqliteConnection {
    fn write<T>(&mut self, work: impl FnOnce(&mut Self) -> Result<T, Failure>) -> Result<T, Failure> {
        self.immediate_transaction(work)
    }

    fn bulk_write<T>(&mut self, work: impl FnOnce(&mut Self) -> Result<T, Failure>) -> Result<T, Failure> {
        // Two threads for the sorts of `CREATE INDEX` (`bulk.rs`).
        self.batch_execute(&format!("PRAGMA cache_size = -{BULK_CACHE_KIB}; PRAGMA threads = 2"))?;
        let done = self.immediate_transaction(work);
        // SQLite's defaults (-2000: 2,000 KiB); the memory goes with it.
        let restored = self.batch_execute("PRAGMA cache_size = -2000; PRAGMA threads = 0");
        let done = done?;
        restored?;
        Ok(done)
    }

    fn snapshot<T>(&mut self, work: impl FnOnce(&mut Self) -> Result<T, Failure>) -> Result<T, Failure> {
        self.immediate_transaction(work)
    }

    fn lock_user_credential(&mut self, id: &str) -> Result<Option<Option<String>>, Failure> {
        // The immediate transaction already holds the database's only write lock.
        Ok(user_credential_row(id).unique_row::<Option<String>>(self).optional()?)
    }

    fn lock_live_code(&mut self, user: &str, purpose: &str, now: NaiveDateTime) -> Result<Option<LiveCode>, Failure> {
        // The immediate transaction holds the write lock: nobody else changes the row.
        Ok(live_code(user, purpose, now).first::<LiveCode>(self).optional()?)
    }

    fn lock_due_mail(&mut self, now: NaiveDateTime, limit: i64) -> Result<Vec<String>, Failure> {
        // Claimers take turns on the write lock: the next one sees the claims
        // of the one before.
        Ok(due_mail(now, limit).load(self)?)
    }

    fn lock_webhook_endpoints(&mut self) -> Result<Vec<EndpointRow>, Failure> {
        // Claimers take turns on the write lock: the next one sees the claims
        // of the one before.
        Ok(enabled_endpoints().select(EndpointRow::as_select()).load(self)?)
    }

    fn lock_throttle(&mut self, keys: &[String]) -> Result<Vec<CounterRow>, Failure> {
        // The immediate transaction holds the write lock.
        Ok(throttle_counters::table
            .filter(throttle_counters::key.eq_any(keys))
            .order(throttle_counters::key)
            .select(CounterRow::as_select())
            .load(self)?)
    }

    fn lock_authorization_code(&mut self, code_hash: &str) -> Result<Option<LockedCode>, Failure> {
        // The immediate transaction holds the write lock: a racing exchange
        // waits for it, then sees the code used.
        Ok(code_to_exchange(code_hash).unique_row::<LockedCode>(self).optional()?)
    }

    fn rotate_at_once(&mut self, _rotation: &Rotation) -> Result<Option<SessionRow>, Failure> {
        // An UPDATE cannot feed an INSERT in one statement here; the write
        // transaction, on this process's writer turn already, does both.
        Ok(None)
    }

    fn refresh_statistics(&mut self) -> Result<(), Failure> {
        // Without `sqlite_stat1` the planner guesses every index alike.
        // Every row is read (1.3 s at a million users): a sample of 1,000
        // (`analysis_limit`) took a column holding one value for a
        // selective one, and the admin search walked its index.
        // Only the users' figures are kept. The statistics are for the
        // admin search, and the users are what an import brings; the other
        // tables are read by a key or by a user's id, which SQLite's
        // defaults plan well, and figures taken while a table is small
        // would freeze its plans as it grows (the audit trail at 5 rows
        // after a seed was then scanned whole at every sign-in).
        self.batch_execute("PRAGMA analysis_limit = 0; ANALYZE users; DELETE FROM sqlite_stat1 WHERE tbl <> 'users';")?;
        // The bundled SQLite is built with SQLITE_ENABLE_STAT4: ANALYZE also
        // keeps sample values per index, and a statement with an `= ?` or a
        // range on a sampled index is planned for its bound values, so every
        // new binding expires it and SQLite compiles it again at its next
        // step (bench/README.md). The search is better planned for its
        // values: the samples of the users' other indexes stay, a unique
        // key's (one row whatever the value) go.
        let stat4: i64 = diesel::select(dsl::sql::<diesel::sql_types::BigInt>(
            "(SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat4')",
        ))
        .get_result(self)?;
        if stat4 > 0 {
            self.batch_execute(
                "DELETE FROM sqlite_stat4 WHERE tbl <> 'users' \
                   OR idx IN (SELECT name FROM pragma_index_list('users') WHERE \"unique\")",
            )?;
        }
        // This connection plans with the figures kept from now on; the
        // others when they open.
        self.batch_execute("ANALYZE sqlite_schema")?;
        Ok(())
    }
}

impl Backend for PgConnection {
    fn write<T>(&mut self, work: impl FnOnce(&mut Self) -> Result<T, Failure>) -> Result<T, Failure> {
        self.transaction(work)
    }

    fn snapshot<T>(&mut self, work: impl FnOnce(&mut Self) -> Result<T, Failure>) -> Result<T, Failure> {
        // Every statement sees the snapshot of the first; a plain insert
        // (the export's event) never fails to serialize.
        self.build_transaction().repeatable_read().run(work)
    }

    fn lock_user_credential(&mut self, id: &str) -> Result<Option<Option<String>>, Failure> {
        // NO KEY UPDATE: serializes writers of this user without blocking the
        // KEY SHARE locks that inserts referencing the user take.
        Ok(user_credential_row(id)
            .for_no_key_update()
            .first::<Option<String>>(self)
            .optional()?)
    }

    fn lock_live_code(&mut self, user: &str, purpose: &str, now: NaiveDateTime) -> Result<Option<LiveCode>, Failure> {
        // A concurrent try waits here, then sees the row as the first left
        // it: used up (and no longer live) or with one more try counted.
        // (Writers of a confirmation lock its user first, which already
        // orders them; the row lock does not depend on that.)
        Ok(live_code(user, purpose, now)
            .limit(1)
            .for_update()
            .get_result::<LiveCode>(self)
            .optional()?)
    }

    fn lock_due_mail(&mut self, now: NaiveDateTime, limit: i64) -> Result<Vec<String>, Failure> {
        // SKIP LOCKED: parallel claimers pass over the rows another one is
        // claiming instead of waiting for it, and take the next due mails; a
        // row freed by a commit in between is checked again against the
        // WHERE, so a fresh claim is never taken twice.
        Ok(due_mail(now, limit).for_update().skip_locked().load(self)?)
    }

    fn lock_webhook_endpoints(&mut self) -> Result<Vec<EndpointRow>, Failure> {
        // SKIP LOCKED: a claimer passes over the endpoints another one is
        // claiming for, instead of waiting; an endpoint it locks shows it
        // the committed claims of the one before (READ COMMITTED), so a
        // delivery is never claimed twice and the per-endpoint limit holds.
        Ok(enabled_endpoints()
            .select(EndpointRow::as_select())
            .for_update()
            .skip_locked()
            .load(self)?)
    }

    fn lock_throttle(&mut self, keys: &[String]) -> Result<Vec<CounterRow>, Failure> {
        // In key order, as every hit takes them: no two wait in a circle.
        Ok(throttle_counters::table
            .filter(throttle_counters::key.eq_any(keys))
            .order(throttle_counters::key)
            .select(CounterRow::as_select())
            .for_update()
            .load(self)?)
    }

    fn lock_authorization_code(&mut self, code_hash: &str) -> Result<Option<LockedCode>, Failure> {
        // A racing exchange waits here, then reads the row as the first one
        // committed it: used, with the session it opened.
        Ok(code_to_exchange(code_hash)
            .for_update()
            .first::<LockedCode>(self)
            .optional()?)
    }

    fn rotate_at_once(&mut self, rotation: &Rotation) -> Result<Option<SessionRow>, Failure> {
        rotate_at_once(self, rotation)
    }

    fn refresh_statistics(&mut self) -> Result<(), Failure> {
        // A sample of each table (`default_statistics_target`), so its cost
        // does not grow with the table.
        self.batch_execute("ANALYZE")?;
        Ok(())
    }
}

/// `run!(store, mode, |conn| body)`: runs `body` on a pooled connection of
/// `store`, on the blocking thread pool, in a [`Backend`] `mode` (`write`,
/// `bulk_write`, `snapshot`, `read`, `statement` or `write_statement`; on
/// SQLite the modes that write first wait for this process's writer turn,
/// [`WriterGate`](crate::pool::WriterGate)), and evaluates to a `Result<T, StoreError>` future's
/// output. `body` returns `Result<T, Failure>`; it is compiled once per
/// backend, so it may only use what both connection types support.
macro_rules! run {
    ($store:expr, $mode:ident, |$conn:ident| $body:expr) => {{
        let pools = $store.pools.clone();
        let waiting = $store.waiting.clone();
        let writers = $store.writers.clone();
        $crate::pool::blocking(move || match &pools {
            $crate::pool::Pools::Sqlite(pool) => {
                // A write transaction waits for this process's turn before
                // it takes a connection (`pool::WriterGate`).
                let _turn = if $crate::backend::run!(@writes $mode) { Some(writers.turn()?) } else { None };
                $crate::backend::run!(@on pool, waiting, $mode, |$conn| $body)
            }
            $crate::pool::Pools::Postgres(pool) => $crate::backend::run!(@on pool, waiting, $mode, |$conn| $body),
        })
        .await
    }};
    (@writes write) => { true };
    (@writes bulk_write) => { true };
    (@writes snapshot) => { true };
    (@writes write_statement) => { true };
    (@writes $mode:ident) => { false };
    (@on $pool:ident, $waiting:ident, $mode:ident, |$conn:ident| $body:expr) => {{
        let mut pooled = $crate::pool::checkout($pool, &$waiting)?;
        $crate::backend::Backend::$mode(
            &mut *pooled,
            move |$conn| -> ::std::result::Result<_, $crate::error::Failure> { $body },
        )
        .map_err(::registrar_store::StoreError::from)
    }};
}
pub(crate) use run;

/// Compiles the given items (trait impls for `Conn`) once with
/// `Conn = SqliteConnection` and once with `Conn = PgConnection`.
macro_rules! for_each_backend {
    ($($item:item)*) => {
        const _: () = {
            type Conn = ::diesel::SqliteConnection;
            $($item)*
        };
        const _: () = {
            type Conn = ::diesel::PgConnection;
            $($item)*
        };
    };
}
pub(crate) use for_each_backend;
