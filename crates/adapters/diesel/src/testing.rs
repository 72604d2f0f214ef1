//! Test support (feature `testing`): a Postgres database of a test's own,
//! created on the server at `REGISTRAR_TEST_POSTGRES_URL` and dropped after.
//! Used by this crate's tests and by the end-to-end tests of the app.

use diesel::{Connection, PgConnection, RunQueryDsl};

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
        let admin_url = postgres_admin_url();
        let name = format!("registrar_test_{}", uuid::Uuid::new_v4().simple());
        let created = {
            let admin_url = admin_url.clone();
            let name = name.clone();
            tokio::task::spawn_blocking(move || -> Result<(), String> {
                let mut admin = PgConnection::establish(&admin_url).map_err(|e| e.to_string())?;
                diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
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
}
