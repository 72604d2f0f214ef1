//! How database failures become the port's [`StoreError`], and the errors of
//! connecting and migrating.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use registrar_store::StoreError;

/// A cause, for errors that only carry one along.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What a unit of work fails with inside a transaction: either a database
/// error not yet interpreted, or an answer the port defines. diesel's
/// transactions need an error type that converts from its own; this is it.
#[derive(Debug)]
pub(crate) enum Failure {
    Db(DieselError),
    Store(StoreError),
}

impl From<DieselError> for Failure {
    fn from(e: DieselError) -> Self {
        Self::Db(e)
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl From<Failure> for StoreError {
    fn from(f: Failure) -> Self {
        match f {
            Failure::Store(e) => e,
            Failure::Db(e) => classify(e),
        }
    }
}

/// A database error that no caller turned into something more precise:
/// a lost connection or a lock wait that ran out is `Unavailable` (worth a
/// retry later), the rest is `Unexpected`.
fn classify(e: DieselError) -> StoreError {
    let unavailable = match &e {
        DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand, _) => {
            true
        }
        // SQLITE_BUSY / SQLITE_LOCKED after busy_timeout.
        DieselError::DatabaseError(_, info) => {
            let message = info.message();
            message.contains("database is locked") || message.contains("database table is locked")
        }
        _ => false,
    };
    if unavailable {
        StoreError::unavailable(e)
    } else {
        StoreError::unexpected(e)
    }
}

/// Whether `e` is a unique violation of a constraint on `column`. Postgres
/// names the constraint (`users_email_normalized_key`), SQLite the column
/// (`UNIQUE constraint failed: users.email_normalized`): both contain it.
pub(crate) fn is_unique_violation(e: &DieselError, column: &str) -> bool {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            info.message().contains(column) || info.constraint_name().is_some_and(|c| c.contains(column))
        }
        _ => false,
    }
}

/// Whether `e` is any unique violation.
pub(crate) fn is_any_unique_violation(e: &DieselError) -> bool {
    matches!(e, DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _))
}

/// Whether `e` is a foreign-key violation (SQLite does not say which key).
pub(crate) fn is_foreign_key_violation(e: &DieselError) -> bool {
    matches!(e, DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _))
}

/// An insert's error as the port reads it: a unique violation (of any key)
/// is [`StoreError::Duplicate`]; anything else is left to [`classify`].
pub(crate) fn duplicate_on_unique(e: DieselError) -> Failure {
    if is_any_unique_violation(&e) {
        Failure::Store(StoreError::Duplicate)
    } else {
        e.into()
    }
}

/// An insert's error as the port reads it: a unique violation of the
/// normalized address is [`StoreError::DuplicateEmail`]; anything else is
/// left to [`classify`].
pub(crate) fn duplicate_email_on_unique(e: DieselError) -> Failure {
    if is_unique_violation(&e, "email_normalized") {
        Failure::Store(StoreError::DuplicateEmail)
    } else {
        e.into()
    }
}

/// An insert's error as the port reads it: a foreign-key violation (what the
/// row points at does not exist) is [`StoreError::NotFound`]; anything else is
/// left to [`classify`].
pub(crate) fn not_found_on_foreign_key(e: DieselError) -> Failure {
    if is_foreign_key_violation(&e) {
        Failure::Store(StoreError::NotFound)
    } else {
        e.into()
    }
}

/// A row that the domain refuses: the database holds something this code
/// never writes.
pub(crate) fn corrupt(table: &str, id: &str, what: &str) -> Failure {
    Failure::Store(StoreError::unexpected(format!("corrupt row in {table} ({id}): {what}")))
}

/// Why [`crate::DieselStore::connect`] failed. The messages never contain the
/// password of the URL.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The URL is neither `sqlite:` nor `postgres://`/`postgresql://`.
    #[error("unsupported database URL {0:?}: expected sqlite://PATH, postgres://… or postgresql://…")]
    UnsupportedUrl(String),
    /// The SQLite file cannot be opened or set up.
    #[error("cannot open SQLite database {path:?}: {reason}")]
    Sqlite {
        /// The file, as the URL named it.
        path: String,
        /// What SQLite said.
        reason: String,
    },
    /// The Postgres server refused or did not answer; `url` is redacted.
    #[error("cannot connect to PostgreSQL at {url}: {reason}")]
    Postgres {
        /// The URL with its password replaced by `***`.
        url: String,
        /// What libpq said.
        reason: String,
    },
    /// The connection worked but the pool could not be built.
    #[error("cannot build the database connection pool: {0}")]
    Pool(String),
}

/// Why [`crate::DieselStore::migrate`] failed.
#[derive(Debug, thiserror::Error)]
#[error("cannot migrate the database: {0}")]
pub struct MigrateError(pub(crate) BoxError);

/// One line out of a multi-line libpq/SQLite message.
pub(crate) fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}
