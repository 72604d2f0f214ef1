//! Connecting: the URL picks the backend, and each backend gets an r2d2 pool
//! of its own concrete connection type.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, HandleError, Pool, PooledConnection};
use diesel::{Connection, PgConnection, SqliteConnection};
use registrar_store::StoreError;

use crate::error::{one_line, ConnectError};
use crate::DieselStore;

/// How long a SQLite writer waits for another one to finish before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Where the database is and how many connections to keep.
#[derive(Clone)]
pub struct DatabaseSettings {
    /// `sqlite://PATH` (relative, or absolute as `sqlite:///var/lib/…`),
    /// `sqlite:PATH`, or `postgres://…` / `postgresql://…`.
    pub url: String,
    /// Pool size.
    pub max_connections: u32,
    /// How long to wait for a connection (a new one, or a free one from the
    /// pool) before answering [`StoreError::Unavailable`].
    pub connect_timeout: Duration,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: "sqlite://registrar.db".into(),
            max_connections: 10,
            connect_timeout: Duration::from_secs(5),
        }
    }
}

impl fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseSettings")
            .field("url", &redact(&self.url))
            .field("max_connections", &self.max_connections)
            .field("connect_timeout", &self.connect_timeout)
            .finish()
    }
}

pub(crate) type SqlitePool = Pool<ConnectionManager<SqliteConnection>>;
pub(crate) type PgPool = Pool<ConnectionManager<PgConnection>>;

/// One pool of the backend the URL named.
#[derive(Clone)]
pub(crate) enum Pools {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A database URL taken apart.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    Sqlite { path: String },
    Postgres { url: String },
}

fn parse_url(url: &str) -> Result<Target, ConnectError> {
    let url = url.trim();
    if let Some(rest) = url.strip_prefix("sqlite:") {
        // `sqlite://data/r.db` is relative, `sqlite:///var/r.db` absolute.
        let path = rest.strip_prefix("//").unwrap_or(rest);
        if path.is_empty() || path == ":memory:" {
            return Err(ConnectError::UnsupportedUrl(url.to_owned()));
        }
        return Ok(Target::Sqlite { path: path.to_owned() });
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Target::Postgres { url: url.to_owned() });
    }
    Err(ConnectError::UnsupportedUrl(redact(url)))
}

/// The URL with the password of its user info, if any, replaced by `***`.
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((user_info, host)) if user_info.contains(':') => {
            let user = user_info.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}{tail}")
        }
        _ => url.to_owned(),
    }
}

/// libpq waits for the OS to give up on an unreachable host (minutes)
/// unless told otherwise.
fn with_connect_timeout(url: &str, timeout: Duration) -> String {
    if url.contains("connect_timeout=") {
        return url.to_owned();
    }
    // libpq counts whole seconds and treats 1 as 2.
    let seconds = timeout.as_secs().max(2);
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}connect_timeout={seconds}")
}

/// Runs on every new SQLite connection: these settings are per connection
/// (WAL is per database, but asking again is free). `synchronous = NORMAL`
/// is SQLite's advice for WAL: a commit is durable against a crash of the
/// process at once, and against a power cut from the next checkpoint on,
/// without an fsync on every commit (refresh on SQLite: ~1,500/s with
/// FULL, 1,800–3,300/s with NORMAL on the bench machine; bench/README.md).
/// `mmap_size` (256 MiB) reads the file through the page cache instead of
/// a read call per page: token checks over a million sessions stay close to
/// those over a thousand.
#[derive(Debug)]
struct SqlitePragmas;

impl SqlitePragmas {
    fn apply(conn: &mut SqliteConnection) -> diesel::QueryResult<()> {
        conn.batch_execute(&format!(
            "PRAGMA busy_timeout = {}; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
             PRAGMA mmap_size = 268435456; PRAGMA foreign_keys = ON;",
            SQLITE_BUSY_TIMEOUT.as_millis()
        ))
    }
}

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        Self::apply(conn).map_err(diesel::r2d2::Error::QueryError)
    }
}

/// Sends the pool's own errors (failed reconnects) to the log, not to `log`.
#[derive(Debug)]
struct LogPoolErrors;

impl HandleError<diesel::r2d2::Error> for LogPoolErrors {
    fn handle_error(&self, error: diesel::r2d2::Error) {
        tracing::warn!(error = %one_line(&error.to_string()), "database pool: cannot open a connection");
    }
}

impl DieselStore {
    /// Opens the database the URL names and builds a pool of
    /// `max_connections` connections to it. Fails with a readable reason
    /// (never the password) if the database cannot be reached within
    /// `connect_timeout`. Does not migrate: see [`DieselStore::migrate`].
    pub async fn connect(settings: &DatabaseSettings) -> Result<Self, ConnectError> {
        let settings = settings.clone();
        tokio::task::spawn_blocking(move || Self::connect_blocking(&settings))
            .await
            .map_err(|e| ConnectError::Pool(e.to_string()))?
    }

    fn connect_blocking(settings: &DatabaseSettings) -> Result<Self, ConnectError> {
        let pools = match parse_url(&settings.url)? {
            Target::Sqlite { path } => {
                // One connection by hand first: r2d2 only reports a timeout.
                let sqlite_error = |reason: String| ConnectError::Sqlite {
                    path: path.clone(),
                    reason: one_line(&reason),
                };
                let mut probe = SqliteConnection::establish(&path).map_err(|e| sqlite_error(e.to_string()))?;
                SqlitePragmas::apply(&mut probe).map_err(|e| sqlite_error(e.to_string()))?;
                drop(probe);
                let pool = builder(settings)
                    .connection_customizer(Box::new(SqlitePragmas))
                    .error_handler(Box::new(LogPoolErrors))
                    .build(ConnectionManager::new(path.clone()))
                    .map_err(|e| sqlite_error(e.to_string()))?;
                Pools::Sqlite(pool)
            }
            Target::Postgres { url } => {
                let url = with_connect_timeout(&url, settings.connect_timeout);
                let postgres_error = |reason: String| ConnectError::Postgres {
                    url: redact(&settings.url),
                    reason: one_line(&reason),
                };
                drop(PgConnection::establish(&url).map_err(|e| postgres_error(e.to_string()))?);
                let pool = builder(settings)
                    .error_handler(Box::new(LogPoolErrors))
                    .build(ConnectionManager::new(url))
                    .map_err(|e| postgres_error(e.to_string()))?;
                Pools::Postgres(pool)
            }
        };
        Ok(Self {
            pools,
            waiting: Default::default(),
            writers: Default::default(),
        })
    }

    /// Connections open, in use, and callers waiting for one.
    pub fn pool_status(&self) -> PoolStatus {
        let (state, max) = match &self.pools {
            Pools::Sqlite(p) => (p.state(), p.max_size()),
            Pools::Postgres(p) => (p.state(), p.max_size()),
        };
        PoolStatus {
            connections: state.connections,
            in_use: state.connections.saturating_sub(state.idle_connections),
            waiting: self.waiting.load(Ordering::Relaxed),
            max,
        }
    }

    /// `"sqlite"` or `"postgres"`, for logs.
    pub fn backend(&self) -> &'static str {
        match self.pools {
            Pools::Sqlite(_) => "sqlite",
            Pools::Postgres(_) => "postgres",
        }
    }
}

fn builder<C>(settings: &DatabaseSettings) -> diesel::r2d2::Builder<ConnectionManager<C>>
where
    C: Connection + diesel::r2d2::R2D2Connection + 'static,
{
    Pool::builder()
        .max_size(settings.max_connections.max(1))
        .connection_timeout(settings.connect_timeout)
        // No `SELECT 1` before every use (r2d2's default): it was a third of
        // the statements of a token check. A connection the database dropped
        // fails its next query (a 503 for that request) and is then found
        // broken and replaced.
        .test_on_check_out(false)
}

/// The turn of one process's writers on a SQLite database.
///
/// SQLite has one write lock per database. A connection that finds it
/// taken does not wait for it to be released: it sleeps and tries again
/// (`busy_timeout`: 1, 2, 5, 10 … 100 ms), so under load writers slept
/// more than they worked and the lock stood free between them (`mfa`:
/// about one sleep per request; bench/README.md). Writers of this process
/// take turns here first, each woken as the one before it finishes, and
/// the one whose turn it is finds the lock free unless another process
/// holds it (then `busy_timeout` applies, as before). Readers never wait
/// here: WAL lets them read beside the writer.
#[derive(Debug)]
pub(crate) struct WriterGate {
    turn: parking_lot::Mutex<()>,
    patience: Duration,
}

impl Default for WriterGate {
    /// Waits as long as SQLite waits for its lock (`busy_timeout`).
    fn default() -> Self {
        Self {
            turn: parking_lot::Mutex::new(()),
            patience: SQLITE_BUSY_TIMEOUT,
        }
    }
}

impl WriterGate {
    /// Waits for this process's turn to write, as long as SQLite would
    /// wait for its lock; after that the database is unavailable, as a
    /// lock still busy after `busy_timeout` is.
    pub(crate) fn turn(&self) -> Result<parking_lot::MutexGuard<'_, ()>, StoreError> {
        self.turn
            .try_lock_for(self.patience)
            .ok_or_else(|| StoreError::unavailable("the database is busy: another writer held it too long"))
    }
}

/// A connection from the pool; waiting longer than the pool's connection
/// timeout means the database is unavailable.
pub(crate) fn checkout<C>(
    pool: &Pool<ConnectionManager<C>>,
    waiting: &AtomicUsize,
) -> Result<PooledConnection<ConnectionManager<C>>, StoreError>
where
    C: Connection + diesel::r2d2::R2D2Connection + 'static,
{
    waiting.fetch_add(1, Ordering::Relaxed);
    let pooled = pool.get();
    waiting.fetch_sub(1, Ordering::Relaxed);
    pooled.map_err(StoreError::unavailable)
}

/// The pool right now, for metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStatus {
    /// Connections open (idle or in use).
    pub connections: u32,
    /// Connections handed out to work.
    pub in_use: u32,
    /// Callers waiting for a connection.
    pub waiting: usize,
    /// The most connections the pool opens.
    pub max: u32,
}

/// Runs blocking database work on tokio's blocking pool, in the caller's span.
pub(crate) async fn blocking<T, F>(work: F) -> Result<T, StoreError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, StoreError> + Send + 'static,
{
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(work))
        .await
        .map_err(StoreError::unexpected)?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_writer_waits_for_the_turn_before_it_and_writes_when_that_ends() {
        let gate = std::sync::Arc::new(WriterGate::default());
        let first = gate.turn().expect("a free turn");
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let second = std::thread::spawn({
            let (gate, done) = (gate.clone(), done.clone());
            move || {
                let _turn = gate.turn().expect("the turn after the first");
                done.load(Ordering::SeqCst)
            }
        });
        std::thread::sleep(Duration::from_millis(50));
        done.store(true, Ordering::SeqCst);
        drop(first);
        assert!(
            second.join().expect("the second writer"),
            "the second writer went before the first was done"
        );
    }

    #[test]
    fn a_writer_kept_waiting_past_the_busy_timeout_finds_the_database_unavailable() {
        let gate = std::sync::Arc::new(WriterGate {
            turn: parking_lot::Mutex::new(()),
            patience: Duration::from_millis(30),
        });
        let _held = gate.turn().expect("a free turn");
        let waited = std::thread::spawn({
            let gate = gate.clone();
            move || gate.turn().map(drop)
        })
        .join()
        .expect("the second writer");
        assert!(matches!(waited, Err(StoreError::Unavailable(_))), "{waited:?}");
    }

    #[test]
    fn sqlite_urls_name_relative_and_absolute_paths() {
        let path = |url: &str| match parse_url(url) {
            Ok(Target::Sqlite { path }) => path,
            other => panic!("{url}: {other:?}"),
        };
        assert_eq!(path("sqlite://registrar.db"), "registrar.db");
        assert_eq!(path("sqlite://data/r.db"), "data/r.db");
        assert_eq!(path("sqlite:///var/lib/r.db"), "/var/lib/r.db");
        assert_eq!(path("sqlite:r.db"), "r.db");
        assert!(parse_url("sqlite://").is_err());
        assert!(parse_url("mysql://u:p@h/db").is_err());
    }

    #[test]
    fn postgres_urls_are_taken_as_they_are() {
        for url in ["postgres://u@h/db", "postgresql://u@h/db"] {
            assert_eq!(parse_url(url).ok(), Some(Target::Postgres { url: url.into() }));
        }
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db?x=1"),
            "postgres://u:***@h:5432/db?x=1"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("postgres://h/db"), "postgres://h/db");
        let e = parse_url("mysql://u:secret@h/db").expect_err("unsupported");
        assert!(!e.to_string().contains("secret"), "{e}");
        let settings = DatabaseSettings {
            url: "postgres://u:secret@h/db".into(),
            ..DatabaseSettings::default()
        };
        assert!(!format!("{settings:?}").contains("secret"));
    }

    #[test]
    fn libpq_gets_a_connect_timeout() {
        let t = Duration::from_secs(5);
        assert_eq!(
            with_connect_timeout("postgres://h/db", t),
            "postgres://h/db?connect_timeout=5"
        );
        assert_eq!(
            with_connect_timeout("postgres://h/db?sslmode=disable", t),
            "postgres://h/db?sslmode=disable&connect_timeout=5"
        );
        assert_eq!(
            with_connect_timeout("postgres://h/db?connect_timeout=9", t),
            "postgres://h/db?connect_timeout=9"
        );
    }
}
