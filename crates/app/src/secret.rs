//! The server secret (`security.*`): read from configuration or a file, or
//! generated once into a file (mode 0600) so that the embedded default needs
//! no setting. Several instances must share one: configure it.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context};
use rand::RngCore;
use registrar_domain::SecretKey;
use secrecy::ExposeSecret;

use crate::config::Config;

/// The file name used beside the SQLite database (or in the working
/// directory on PostgreSQL) when no secret is configured.
pub const DEFAULT_FILE: &str = "registrar.secret";

/// The server secret of this configuration.
pub fn server_secret(config: &Config) -> anyhow::Result<SecretKey> {
    let security = &config.security;
    // An empty value (`REGISTRAR__SECURITY__SECRET_KEY=` in compose) is no value.
    let configured = security
        .secret_key
        .as_ref()
        .filter(|v| !v.expose_secret().trim().is_empty());
    if let Some(value) = configured {
        return SecretKey::new(value.expose_secret().trim().as_bytes())
            .map_err(|e| anyhow!("configuration: security.secret_key: {e}"));
    }
    if let Some(path) = &security.secret_key_file {
        return read_or_create(path).with_context(|| format!("security.secret_key_file: {}", path.display()));
    }
    let path = default_file(&config.database.url);
    let existed = path.exists();
    match read_or_create(&path) {
        Ok(key) => Ok(key),
        // Nowhere to keep one (a read-only working directory, say): serve
        // with a secret of this process rather than not at all. A file that
        // is there but unusable is an error: it is never replaced.
        Err(e) if !existed => {
            tracing::warn!(
                file = %path.display(),
                error = %format!("{e:#}"),
                "no server secret configured and none can be kept: using one for this process only \
                 (codes and links die with it; set security.secret_key)"
            );
            Ok(registrar_service::Settings::random_secret_key())
        }
        Err(e) => Err(e.context(format!("the server secret in {}", path.display()))),
    }
}

/// The server secrets used before the current one
/// (`security.previous_secret_keys`), each at least 32 bytes.
pub fn previous_secrets(config: &Config) -> anyhow::Result<Vec<SecretKey>> {
    config
        .security
        .previous_secret_keys
        .iter()
        .map(|value| value.expose_secret().trim())
        .filter(|value| !value.is_empty())
        .enumerate()
        .map(|(index, value)| {
            SecretKey::new(value.as_bytes())
                .map_err(|e| anyhow!("configuration: security.previous_secret_keys[{index}]: {e}"))
        })
        .collect()
}

/// `registrar.secret` beside the SQLite database; in the working directory otherwise.
pub fn default_file(database_url: &str) -> PathBuf {
    let url = database_url.trim();
    match url.strip_prefix("sqlite:") {
        Some(rest) => {
            let db = Path::new(rest.strip_prefix("//").unwrap_or(rest));
            match db.parent() {
                Some(dir) if !dir.as_os_str().is_empty() => dir.join(DEFAULT_FILE),
                _ => PathBuf::from(DEFAULT_FILE),
            }
        }
        None => PathBuf::from(DEFAULT_FILE),
    }
}

fn read_or_create(path: &Path) -> anyhow::Result<SecretKey> {
    match std::fs::read_to_string(path) {
        Ok(text) => return parse(&text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(anyhow!("cannot read the server secret: {e}")),
    }
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let text = format!("{}\n", hex::encode(bytes));
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir).map_err(|e| anyhow!("cannot create its directory: {e}"))?;
    }
    // Written whole under a name of its own, then linked into place: an
    // instance starting at the same moment reads either no file or the
    // whole of one, never a half-written one, and one secret wins.
    let partial = path.with_file_name(format!(".registrar.secret.{:016x}", rand::rngs::OsRng.next_u64()));
    let written = create_private(&partial).and_then(|mut file| {
        file.write_all(text.as_bytes())?;
        file.sync_all()
    });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&partial);
        return Err(anyhow!("cannot write the server secret: {e}"));
    }
    let linked = std::fs::hard_link(&partial, path);
    let _ = std::fs::remove_file(&partial);
    match linked {
        Ok(()) => {
            tracing::warn!(
                file = %path.display(),
                "generated a new server secret; keep this file (losing it invalidates live codes and links), \
                 and give every instance the same one (security.secret_key)"
            );
            parse(&text)
        }
        // Another process starting at the same moment put its own first.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let text = std::fs::read_to_string(path).map_err(|e| anyhow!("cannot read the server secret: {e}"))?;
            parse(&text)
        }
        Err(e) => Err(anyhow!("cannot create the server secret: {e}")),
    }
}

fn parse(text: &str) -> anyhow::Result<SecretKey> {
    SecretKey::new(text.trim().as_bytes()).map_err(|e| anyhow!("{e}"))
}

#[cfg(unix)]
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new().write(true).create_new(true).open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_file_lies_beside_the_sqlite_database() {
        assert_eq!(default_file("sqlite://registrar.db"), PathBuf::from("registrar.secret"));
        assert_eq!(
            default_file("sqlite://data/r.db"),
            PathBuf::from("data/registrar.secret")
        );
        assert_eq!(
            default_file("sqlite:///var/lib/r.db"),
            PathBuf::from("/var/lib/registrar.secret")
        );
        assert_eq!(default_file("postgres://db/x"), PathBuf::from("registrar.secret"));
    }

    #[test]
    fn a_secret_is_generated_once_private_and_then_read_back() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("sub").join(DEFAULT_FILE);
        let first = read_or_create(&path).expect("generated");
        let text = std::fs::read_to_string(&path).expect("written");
        assert_eq!(text.trim().len(), 64, "32 random bytes in hex");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("metadata").permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "only the owner reads it");
        }
        let again = read_or_create(&path).expect("read back");
        assert_eq!(
            first.link_hash("x"),
            again.link_hash("x"),
            "the same secret the second time"
        );
        let names: Vec<_> = std::fs::read_dir(path.parent().expect("dir"))
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(
            names,
            vec![std::ffi::OsString::from(DEFAULT_FILE)],
            "no partial file left"
        );
    }

    #[test]
    fn without_a_place_for_the_default_file_a_process_secret_serves() {
        let dir = tempfile::tempdir().expect("temp dir");
        // The database's directory is a file: nothing can be created there.
        let blocker = dir.path().join("not-a-dir");
        std::fs::write(&blocker, "x").expect("written");
        let mut config = Config::default();
        config.database.url = format!("sqlite://{}/r.db", blocker.display());
        assert!(server_secret(&config).is_ok(), "serves with a secret of its own");
        // Configured explicitly, the same place is an error naming the key.
        config.security.secret_key_file = Some(blocker.join("registrar.secret"));
        let e = format!("{:#}", server_secret(&config).expect_err("refused"));
        assert!(e.contains("security.secret_key_file"), "{e}");
    }

    #[test]
    fn instances_starting_at_once_agree_on_one_secret() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(DEFAULT_FILE);
        let keys: Vec<SecretKey> = std::thread::scope(|s| {
            let starts: Vec<_> = (0..8).map(|_| s.spawn(|| read_or_create(&path))).collect();
            starts
                .into_iter()
                .map(|h| h.join().expect("no panic").expect("every instance gets the secret"))
                .collect()
        });
        let first = keys[0].link_hash("x");
        assert!(keys.iter().all(|k| k.link_hash("x") == first), "one secret for all");
    }

    #[test]
    fn a_short_configured_secret_is_refused_naming_the_key() {
        let mut config = Config::default();
        config.security.secret_key = Some("too short".to_owned().into());
        let e = server_secret(&config).expect_err("refused").to_string();
        assert!(e.contains("security.secret_key"), "{e}");
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("short.secret");
        std::fs::write(&path, "abc\n").expect("written");
        config.security.secret_key = None;
        config.security.secret_key_file = Some(path);
        let e = format!("{:#}", server_secret(&config).expect_err("refused"));
        assert!(
            e.contains("security.secret_key_file") && e.contains("at least 32 bytes"),
            "{e}"
        );
    }
}
