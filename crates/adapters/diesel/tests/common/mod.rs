//! Fresh, migrated databases for tests: a SQLite file in a temporary
//! directory, or a Postgres database of its own on the server at
//! `REGISTRAR_TEST_POSTGRES_URL` (see `registrar_diesel::testing`), dropped
//! when the test ends.

#![allow(dead_code)] // each test binary uses a part

use std::time::Duration;

use registrar_diesel::{DatabaseSettings, DieselStore};
use tempfile::TempDir;

pub use registrar_diesel::testing::PgDatabase;

/// Enough connections for the suite's 20 racers to contend for real.
const POOL_SIZE: u32 = 8;

pub fn settings(url: String) -> DatabaseSettings {
    DatabaseSettings {
        url,
        max_connections: POOL_SIZE,
        connect_timeout: Duration::from_secs(10),
    }
}

/// The SQLite file in `dir` that [`sqlite_unmigrated`] opens.
pub fn sqlite_path(dir: &TempDir) -> String {
    dir.path().join("registrar.db").display().to_string()
}

/// The URL of [`sqlite_path`].
pub fn sqlite_url(dir: &TempDir) -> String {
    format!("sqlite://{}", sqlite_path(dir))
}

/// A store on a new SQLite file, not migrated yet, and the directory that holds it.
pub async fn sqlite_unmigrated() -> (DieselStore, TempDir) {
    let dir = tempfile::tempdir().expect("a temporary directory for the database");
    let store = DieselStore::connect(&settings(sqlite_url(&dir)))
        .await
        .expect("opening a new SQLite database");
    (store, dir)
}

/// A store on a new, migrated SQLite file.
pub async fn sqlite_store() -> (DieselStore, TempDir) {
    let (store, dir) = sqlite_unmigrated().await;
    store.migrate().await.expect("migrating a new SQLite database");
    (store, dir)
}

/// Two stores, each with a pool of its own (as two processes would have), on
/// one new, migrated SQLite file, and the directory that holds it.
pub async fn two_sqlite_stores() -> ([DieselStore; 2], TempDir) {
    let (store, dir) = sqlite_store().await;
    let other = DieselStore::connect(&settings(sqlite_url(&dir)))
        .await
        .expect("a second store");
    ([store, other], dir)
}

/// A store on this test database, not migrated yet.
pub async fn connect(database: &PgDatabase) -> DieselStore {
    DieselStore::connect(&settings(database.url.clone()))
        .await
        .expect("connecting to the test database")
}

/// A store on a new, migrated Postgres database of its own (a copy of the
/// migrated template), or `None` (see [`PgDatabase::create`]).
pub async fn postgres_store() -> Option<(DieselStore, PgDatabase)> {
    let database = PgDatabase::create_migrated().await?;
    let store = connect(&database).await;
    Some((store, database))
}

/// Two stores, each with a pool of its own (as two processes would have), on
/// one new, migrated Postgres database, or `None` (see [`PgDatabase::create`]).
pub async fn two_postgres_stores() -> Option<([DieselStore; 2], PgDatabase)> {
    let (store, database) = postgres_store().await?;
    let other = connect(&database).await;
    Some(([store, other], database))
}
