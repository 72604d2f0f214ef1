//! Writing a query once for both backends.
//!
//! [`run!`] takes a closure-like body and compiles it twice, once with a
//! `&mut SqliteConnection` and once with a `&mut PgConnection`; at run time
//! the pool the store holds picks one. [`for_each_backend!`] does the same for
//! helper impls shared by several store methods. The few things that really
//! differ per backend (how a write transaction starts, how to lock a row) are
//! the methods of [`Backend`], implemented by hand for each.

use diesel::prelude::*;
use diesel::{PgConnection, SqliteConnection};

use crate::error::Failure;
use crate::schema::users;

/// What differs between the backends.
pub(crate) trait Backend: Connection + Sized {
    /// A transaction that writes. On SQLite it starts with `BEGIN IMMEDIATE`:
    /// the write lock is taken up front, so concurrent writers queue on
    /// `busy_timeout` instead of failing to upgrade a read lock. On Postgres
    /// a plain READ COMMITTED transaction; rows are locked where needed.
    fn write<T>(&mut self, work: impl FnOnce(&mut Self) -> Result<T, Failure>) -> Result<T, Failure>;

    /// A transaction that only reads: one snapshot for several statements.
    fn read<T>(&mut self, work: impl FnOnce(&mut Self) -> Result<T, Failure>) -> Result<T, Failure> {
        self.transaction(work)
    }

    /// One statement, which is a transaction of its own: no `BEGIN`/`COMMIT`
    /// round trips.
    fn statement<T>(&mut self, work: impl FnOnce(&mut Self) -> Result<T, Failure>) -> Result<T, Failure> {
        work(self)
    }

    /// Within a write transaction, locks the user's row until it ends, so
    /// that concurrent changes to one user's sessions run one after the
    /// other. `false` when there is no such user.
    fn lock_user(&mut self, id: &str) -> Result<bool, Failure>;
}

impl Backend for SqliteConnection {
    fn write<T>(&mut self, work: impl FnOnce(&mut Self) -> Result<T, Failure>) -> Result<T, Failure> {
        self.immediate_transaction(work)
    }

    fn lock_user(&mut self, id: &str) -> Result<bool, Failure> {
        // The immediate transaction already holds the database's only write lock.
        let found = users::table
            .find(id)
            .select(users::id)
            .first::<String>(self)
            .optional()?;
        Ok(found.is_some())
    }
}

impl Backend for PgConnection {
    fn write<T>(&mut self, work: impl FnOnce(&mut Self) -> Result<T, Failure>) -> Result<T, Failure> {
        self.transaction(work)
    }

    fn lock_user(&mut self, id: &str) -> Result<bool, Failure> {
        // NO KEY UPDATE: serializes writers of this user without blocking the
        // KEY SHARE locks that inserts referencing the user take.
        let found = users::table
            .find(id)
            .select(users::id)
            .for_no_key_update()
            .first::<String>(self)
            .optional()?;
        Ok(found.is_some())
    }
}

/// `run!(store, mode, |conn| body)`: runs `body` on a pooled connection of
/// `store`, on the blocking thread pool, in a [`Backend`] `mode` (`write`,
/// `read` or `statement`), and evaluates to a `Result<T, StoreError>` future's
/// output. `body` returns `Result<T, Failure>`; it is compiled once per
/// backend, so it may only use what both connection types support.
macro_rules! run {
    ($store:expr, $mode:ident, |$conn:ident| $body:expr) => {{
        let pools = $store.pools.clone();
        let waiting = $store.waiting.clone();
        $crate::pool::blocking(move || match &pools {
            $crate::pool::Pools::Sqlite(pool) => $crate::backend::run!(@on pool, waiting, $mode, |$conn| $body),
            $crate::pool::Pools::Postgres(pool) => $crate::backend::run!(@on pool, waiting, $mode, |$conn| $body),
        })
        .await
    }};
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
