//! What the diesel adapter promises beyond the port's contract: migrations,
//! connecting, and races settled by the database's constraints.

mod common;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::{Connection, SqliteConnection};
use registrar_diesel::{ConnectError, DatabaseSettings, DieselStore};
use registrar_domain::{ClientId, Email, Language, PasswordHash, Profile, Role, UserId};
use registrar_store::{ClientStore, NewUser, Registration, StoreError, UserStore};
use tokio::sync::Barrier;

use common::PgDatabase;

const FIRST_MIGRATION: &str = "2026-11-22-000000_create_schema";

fn registration(email: &str) -> Registration {
    Registration {
        user: NewUser {
            id: UserId(uuid::Uuid::new_v4().to_string()),
            email: Email::parse(email).expect("a valid address"),
            password_hash: Some(PasswordHash("$argon2id$test".into())),
            profile: Profile::person(),
            role: Role::guest(),
            language: Language::En,
            email_confirmed_at: None,
            created_at: DateTime::<Utc>::from_timestamp(1_893_456_000, 0).expect("an instant"),
        },
        accepted_policies: Vec::new(),
        session: None,
        confirmation: None,
        max_sessions_per_client: 5,
    }
}

async fn assert_migrates_once_and_has_the_web_client(store: &DieselStore) {
    let applied = store.migrate().await.expect("the first migration");
    assert_eq!(
        applied,
        vec![FIRST_MIGRATION.to_owned()],
        "a new database gets every migration"
    );
    let again = store.migrate().await.expect("migrating again");
    assert!(again.is_empty(), "the second run applies nothing, got {again:?}");

    let web = store
        .client(&ClientId::web())
        .await
        .expect("looking up the web client")
        .expect("the built-in web client exists after migration");
    assert_eq!(web.name, "Web");
}

async fn assert_racing_registrations_of_one_email_give_duplicate_email(stores: [DieselStore; 2]) {
    const RACERS: usize = 10;
    let email = format!("Race.{}@Example.com", uuid::Uuid::new_v4().simple());
    let barrier = Arc::new(Barrier::new(RACERS));
    let mut tasks = Vec::new();
    for i in 0..RACERS {
        // Two stores with pools of their own, like two processes.
        let store = stores[i % 2].clone();
        let spelling = if i % 3 == 0 {
            email.to_uppercase()
        } else {
            email.clone()
        };
        let barrier = Arc::clone(&barrier);
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            store.register(registration(&spelling)).await
        }));
    }
    let mut ok = 0;
    for task in tasks {
        match task.await.expect("a registration task ran") {
            Ok(()) => ok += 1,
            Err(StoreError::DuplicateEmail) => {}
            Err(other) => panic!("a racing registration failed with {other:?}, not DuplicateEmail"),
        }
    }
    assert_eq!(ok, 1, "exactly one registration of the address succeeds");
}

// --- SQLite -----------------------------------------------------------------

#[tokio::test]
async fn sqlite_migrates_once_and_seeds_the_web_client() {
    let (store, _dir) = common::sqlite_unmigrated().await;
    assert_eq!(store.backend(), "sqlite");
    assert_migrates_once_and_has_the_web_client(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_stores_migrating_one_file_at_once_both_succeed() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = format!("sqlite://{}", dir.path().join("shared.db").display());
    let first = DieselStore::connect(&common::settings(url.clone()))
        .await
        .expect("first store");
    let second = DieselStore::connect(&common::settings(url))
        .await
        .expect("second store");
    let (a, b) = tokio::join!(first.migrate(), second.migrate());
    let (a, b) = (a.expect("first migrate"), b.expect("second migrate"));
    assert_eq!(a.len() + b.len(), 1, "the migration ran once: {a:?} {b:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_racing_registrations_of_one_email_give_duplicate_email() {
    let (store, dir) = common::sqlite_store().await;
    let url = format!("sqlite://{}", dir.path().join("registrar.db").display());
    let other = DieselStore::connect(&common::settings(url))
        .await
        .expect("a second store");
    assert_racing_registrations_of_one_email_give_duplicate_email([store, other]).await;
}

#[tokio::test]
async fn a_relative_sqlite_url_opens_a_file_relative_to_the_working_directory() {
    // Relative to the crate directory under `cargo test`; a unique name, removed after.
    let name = format!("target-test-{}.db", uuid::Uuid::new_v4().simple());
    let store = DieselStore::connect(&common::settings(format!("sqlite://{name}")))
        .await
        .expect("opening a relative path");
    store.migrate().await.expect("migrating");
    let exists = std::path::Path::new(&name).exists();
    drop(store);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{name}{suffix}"));
    }
    assert!(exists, "sqlite://{name} is a file in the working directory");
}

#[tokio::test]
async fn a_sqlite_file_in_a_missing_directory_is_a_readable_error() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("missing").join("registrar.db");
    let error = DieselStore::connect(&common::settings(format!("sqlite://{}", path.display())))
        .await
        .expect_err("no such directory");
    assert!(matches!(error, ConnectError::Sqlite { .. }), "{error:?}");
    assert!(error.to_string().contains("missing"), "names the path: {error}");
}

#[tokio::test]
async fn unsupported_urls_are_refused_without_their_password() {
    let error = DieselStore::connect(&common::settings("mysql://root:hunter2@localhost/db".into()))
        .await
        .expect_err("mysql is not supported");
    assert!(matches!(error, ConnectError::UnsupportedUrl(_)), "{error:?}");
    assert!(!error.to_string().contains("hunter2"), "{error}");
}

#[tokio::test]
async fn an_unreachable_postgres_is_a_readable_error_without_the_password() {
    let settings = DatabaseSettings {
        url: "postgres://someone:hunter2@127.0.0.1:1/nowhere".into(),
        max_connections: 2,
        connect_timeout: Duration::from_secs(2),
    };
    let error = DieselStore::connect(&settings)
        .await
        .expect_err("nothing listens on port 1");
    let message = error.to_string();
    assert!(matches!(error, ConnectError::Postgres { .. }), "{error:?}");
    assert!(message.contains("127.0.0.1"), "says where: {message}");
    assert!(message.contains("refused"), "says the real cause: {message}");
    assert!(!message.contains("hunter2"), "never the password: {message}");
}

#[tokio::test]
async fn a_sqlite_write_lock_held_past_the_busy_timeout_makes_the_store_unavailable() {
    let (store, dir) = common::sqlite_store().await;
    let mut locker = SqliteConnection::establish(&dir.path().join("registrar.db").display().to_string())
        .expect("a second connection");
    locker.batch_execute("BEGIN EXCLUSIVE").expect("taking the write lock");
    let result = store.register(registration("locked.out@example.com")).await;
    assert!(matches!(result, Err(StoreError::Unavailable(_))), "got {result:?}");
    locker.batch_execute("ROLLBACK").expect("releasing the lock");
    store
        .register(registration("locked.out@example.com"))
        .await
        .expect("works again once the lock is gone");
}

// --- Postgres ---------------------------------------------------------------

#[tokio::test]
async fn postgres_migrates_once_and_seeds_the_web_client() {
    let Some(database) = PgDatabase::create().await else {
        return;
    };
    let store = common::connect(&database).await;
    assert_eq!(store.backend(), "postgres");
    assert_migrates_once_and_has_the_web_client(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_stores_migrating_one_fresh_database_at_once_both_succeed() {
    let Some(database) = PgDatabase::create().await else {
        return;
    };
    let first = common::connect(&database).await;
    let second = common::connect(&database).await;
    let (a, b) = tokio::join!(first.migrate(), second.migrate());
    let (a, b) = (a.expect("first migrate"), b.expect("second migrate"));
    assert_eq!(a.len() + b.len(), 1, "the migration ran once: {a:?} {b:?}");
    assert!(
        first.client(&ClientId::web()).await.expect("lookup").is_some(),
        "web client"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_racing_registrations_of_one_email_give_duplicate_email() {
    let Some((store, database)) = common::postgres_store().await else {
        return;
    };
    let other = common::connect(&database).await;
    assert_racing_registrations_of_one_email_give_duplicate_email([store, other]).await;
}

#[tokio::test]
async fn postgres_down_after_connecting_makes_the_store_unavailable() {
    let Some(database) = PgDatabase::create().await else {
        return;
    };
    let store = DieselStore::connect(&DatabaseSettings {
        url: database.url.clone(),
        max_connections: 2,
        connect_timeout: Duration::from_secs(1),
    })
    .await
    .expect("connecting");
    store.migrate().await.expect("migrating");
    drop(database); // drops the database, closing every connection to it
    let result = store.client(&ClientId::web()).await;
    assert!(matches!(result, Err(StoreError::Unavailable(_))), "got {result:?}");
}
