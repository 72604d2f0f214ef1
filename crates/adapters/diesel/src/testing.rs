//! Test support (feature `testing`): a Postgres database of a test's own,
//! created on the server at `REGISTRAR_TEST_POSTGRES_URL` and dropped after.
//! Used by this crate's tests and by the end-to-end tests of the app.
//!
//! A test that needs the schema gets a copy of a migrated template database
//! ([`PgDatabase::create_migrated`]): copying costs what creating an empty
//! database costs, and no migration runs per test. The template is built
//! once per schema: its name carries a fingerprint of `migrations/postgres`,
//! the first test process to need it builds it under an advisory lock, and
//! it is marked a template (no connections allowed) only when complete, so
//! parallel test binaries, and worktrees on other schemas, neither collide
//! nor see half of it. Old templates stay on the server; drop one with
//! `ALTER DATABASE .. IS_TEMPLATE false`, then `DROP DATABASE`.

use std::sync::OnceLock;

use diesel::sql_types::{BigInt, Bool, Text};
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl};

pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
/// The server's administrative URL (any database on it we may create databases from).
pub fn postgres_admin_url() -> String {
    std::env::var("REGISTRAR_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_POSTGRES_URL.to_owned())
}

/// The URL without the password of its user info, for messages.
fn redact(url: &str) -> String {
    match (url.split_once("://"), url.rfind('@')) {
        (Some((scheme, rest)), Some(_)) => match rest.split_once('@') {
            Some((user_info, host)) if user_info.contains(':') => {
                let user = user_info.split(':').next().unwrap_or_default();
                format!("{scheme}://{user}:***@{host}")
            }
            _ => url.to_owned(),
        },
        _ => url.to_owned(),
    }
}

/// The same server and credentials, another database.
fn with_database(url: &str, database: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let query = tail.find('?').map(|i| &tail[i..]).unwrap_or_default();
    format!("{scheme}://{authority}/{database}{query}")
}

/// A database of one test's own on the Postgres server; dropped (with any
/// connection still open to it) when this is dropped.
pub struct PgDatabase {
    admin_url: String,
    pub name: String,
    pub url: String,
}

impl PgDatabase {
    /// Creates an empty database, or says why the server cannot be used:
    /// `None` after a loud notice, unless `CI` is set, where no Postgres is a failure.
    pub async fn create() -> Option<Self> {
        Self::create_from(false).await
    }

    /// Creates a database holding the current schema (every migration
    /// applied, as `DieselStore::migrate` leaves it), copied from the
    /// template; `None` as for [`PgDatabase::create`].
    pub async fn create_migrated() -> Option<Self> {
        Self::create_from(true).await
    }

    async fn create_from(migrated: bool) -> Option<Self> {
        let admin_url = postgres_admin_url();
        let name = format!("registrar_test_{}", uuid::Uuid::new_v4().simple());
        let created = {
            let admin_url = admin_url.clone();
            let name = name.clone();
            tokio::task::spawn_blocking(move || -> Result<(), String> {
                let template = if migrated { Some(template(&admin_url)?) } else { None };
                let mut admin = PgConnection::establish(&admin_url).map_err(|e| e.to_string())?;
                let statement = match template {
                    Some(template) => format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""),
                    None => format!("CREATE DATABASE \"{name}\""),
                };
                diesel::sql_query(statement)
                    .execute(&mut admin)
                    .map_err(|e| e.to_string())?;
                Ok(())
            })
            .await
            .unwrap_or_else(|e| Err(e.to_string()))
        };
        if let Err(reason) = created {
            let reason = reason.split_whitespace().collect::<Vec<_>>().join(" ");
            let message = format!("no Postgres at {}: {reason}", redact(&admin_url));
            #[allow(clippy::panic)]
            if std::env::var("CI").is_ok_and(|v| !v.is_empty()) {
                panic!("{message} (CI is set, so the Postgres tests must run)");
            }
            eprintln!("SKIPPED: {message} — set REGISTRAR_TEST_POSTGRES_URL to run the Postgres tests");
            return None;
        }
        let url = with_database(&admin_url, &name);
        Some(Self { admin_url, name, url })
    }
}

/// The advisory lock (on the administrative database) under which a test
/// process builds a template. Any fixed number works; this one spells "Template".
const TEMPLATE_LOCK: i64 = 0x5465_6d70_6c61_7465;

/// The name of the migrated template of today's schema, built by the first
/// test of this process that needs it (once: the outcome is kept).
fn template(admin_url: &str) -> Result<String, String> {
    static TEMPLATE: OnceLock<Result<String, String>> = OnceLock::new();
    TEMPLATE.get_or_init(|| prepare_template(admin_url)).clone()
}

fn prepare_template(admin_url: &str) -> Result<String, String> {
    let name = format!("registrar_template_{:016x}", migrations_fingerprint()?);
    let mut admin = PgConnection::establish(admin_url).map_err(|e| e.to_string())?;
    diesel::sql_query("SELECT pg_advisory_lock($1)")
        .bind::<BigInt, _>(TEMPLATE_LOCK)
        .execute(&mut admin)
        .map_err(|e| e.to_string())?;
    let built = build_template_unless_ready(&mut admin, admin_url, &name);
    let unlocked = diesel::sql_query("SELECT pg_advisory_unlock($1)")
        .bind::<BigInt, _>(TEMPLATE_LOCK)
        .execute(&mut admin);
    built?;
    unlocked.map_err(|e| e.to_string())?;
    Ok(name)
}

#[derive(QueryableByName)]
struct TemplateRow {
    #[diesel(sql_type = Bool)]
    datistemplate: bool,
}

/// Under the template lock: done if `name` is already a template; otherwise
/// (re)creates it, migrates it, and marks it a template as the last step.
fn build_template_unless_ready(admin: &mut PgConnection, admin_url: &str, name: &str) -> Result<(), String> {
    let found: Vec<TemplateRow> = diesel::sql_query("SELECT datistemplate FROM pg_database WHERE datname = $1")
        .bind::<Text, _>(name)
        .load(admin)
        .map_err(|e| e.to_string())?;
    match found.first() {
        Some(row) if row.datistemplate => return Ok(()),
        // Left half-built by a process that died: start again.
        Some(_) => {
            diesel::sql_query(format!("DROP DATABASE \"{name}\" WITH (FORCE)"))
                .execute(admin)
                .map_err(|e| e.to_string())?;
        }
        None => {}
    }
    diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
        .execute(admin)
        .map_err(|e| e.to_string())?;
    {
        let mut template = PgConnection::establish(&with_database(admin_url, name)).map_err(|e| e.to_string())?;
        crate::migrations::apply(&mut template, crate::migrations::POSTGRES)
            .map_err(|e| format!("migrating the template database {name}: {e}"))?;
    } // closed: a database is copied only while no one is connected to it
    diesel::sql_query(format!(
        "ALTER DATABASE \"{name}\" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"
    ))
    .execute(admin)
    .map_err(|e| e.to_string())?;
    Ok(())
}

/// A fingerprint of the Postgres migrations as they are in the source tree
/// (the same files the crate embeds): FNV-1a over each file's path and text.
fn migrations_fingerprint() -> Result<u64, String> {
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../migrations/postgres"));
    let mut files = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let entries = std::fs::read_dir(&folder).map_err(|e| format!("reading {}: {e}", folder.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut hash = Fnv1a::default();
    for file in files {
        let text = std::fs::read(&file).map_err(|e| format!("reading {}: {e}", file.display()))?;
        let relative = file.strip_prefix(root).unwrap_or(&file);
        hash.write(relative.to_string_lossy().as_bytes());
        hash.write(&[0]);
        hash.write(&text);
        hash.write(&[0]);
    }
    Ok(hash.0)
}

/// 64-bit FNV-1a: stable across builds and toolchains, unlike std's hasher.
struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv1a {
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let drop_it = || -> Result<(), String> {
            let mut admin = PgConnection::establish(&self.admin_url).map_err(|e| e.to_string())?;
            diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name))
                .execute(&mut admin)
                .map_err(|e| e.to_string())?;
            Ok(())
        };
        if let Err(reason) = drop_it() {
            eprintln!("could not drop test database {}: {reason}", self.name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_another_database_on_the_same_server() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(with_database("postgres://u:p@h", "t1"), "postgres://u:p@h/t1");
        assert_eq!(
            with_database("postgresql://h/db?sslmode=disable", "t1"),
            "postgresql://h/t1?sslmode=disable"
        );
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
    }

    #[test]
    fn the_template_is_named_after_every_migration_file() {
        let fingerprint = migrations_fingerprint().expect("the migrations are readable");
        assert_eq!(
            migrations_fingerprint(),
            Ok(fingerprint),
            "the same files give the same name"
        );
        let mut hash = Fnv1a::default();
        hash.write(b"a");
        assert_eq!(hash.0, 0xaf63_dc4c_8601_ec8c, "FNV-1a of \"a\"");
    }
}
