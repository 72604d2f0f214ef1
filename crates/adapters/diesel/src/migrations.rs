//! The schema migrations, embedded in the binary, one set per backend
//! (`migrations/sqlite`, `migrations/postgres` at the workspace root).

use crate::error::{BoxError, MigrateError};
use std::sync::atomic::AtomicUsize;

use crate::pool::{blocking, checkout, Pools};
use crate::DieselStore;
use diesel::backend::Backend as DieselBackend;
use diesel::migration::MigrationSource;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub(crate) const SQLITE: EmbeddedMigrations = embed_migrations!("../../../migrations/sqlite");
pub(crate) const POSTGRES: EmbeddedMigrations = embed_migrations!("../../../migrations/postgres");

/// The Postgres advisory lock that makes migrating one process at a time.
/// Any fixed number works; this one spells "Registra".
const MIGRATION_LOCK: i64 = 0x5265_6769_7374_7261;

impl DieselStore {
    /// Runs the migrations this database lacks and returns their names, in
    /// order (none when it is up to date). Safe when several processes start
    /// at once: on Postgres they take turns on an advisory lock, on SQLite on
    /// the database's write lock.
    pub async fn migrate(&self) -> Result<Vec<String>, MigrateError> {
        let pools = self.pools.clone();
        let applied = blocking(move || Ok(migrate_blocking(&pools)))
            .await
            .map_err(|e| MigrateError(e.into()))?;
        applied.map_err(MigrateError)
    }
}

fn migrate_blocking(pools: &Pools) -> Result<Vec<String>, BoxError> {
    match pools {
        Pools::Sqlite(pool) => {
            let mut conn = checkout(pool, &AtomicUsize::new(0))?;
            // All or nothing, and one process at a time.
            conn.immediate_transaction(|conn| apply(conn, SQLITE))
        }
        Pools::Postgres(pool) => {
            let mut conn = checkout(pool, &AtomicUsize::new(0))?;
            diesel::sql_query("SELECT pg_advisory_lock($1)")
                .bind::<BigInt, _>(MIGRATION_LOCK)
                .execute(&mut *conn)?;
            let applied = apply(&mut *conn, POSTGRES);
            let unlocked = diesel::sql_query("SELECT pg_advisory_unlock($1)")
                .bind::<BigInt, _>(MIGRATION_LOCK)
                .execute(&mut *conn);
            let applied = applied?;
            unlocked?;
            Ok(applied)
        }
    }
}

pub(crate) fn apply<DB: DieselBackend>(
    conn: &mut impl MigrationHarness<DB>,
    source: impl MigrationSource<DB>,
) -> Result<Vec<String>, BoxError> {
    let mut applied = Vec::new();
    for migration in conn.pending_migrations(source)? {
        conn.run_migration(&*migration)?;
        let name = migration.name().to_string();
        tracing::info!(migration = %name, "applied database migration");
        applied.push(name);
    }
    Ok(applied)
}
