//! Breached passwords: an operator imports Have I Been Pwned's "Pwned
//! Passwords" SHA-1 file (`registrar passwords import-breached`); the filter
//! built from it ([`BreachedPasswords`]) is stored, and every instance keeps
//! the stored one in memory: loaded at start, then re-checked by
//! [`Registrar::run_breached_watcher`] (one small query for the version; the
//! bytes only when it changed). Every new password is checked against it in
//! the pure steps, through [`crate::parse::Rules::breached`].

use std::io::BufRead;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use registrar_domain::breached::{parse_hibp_line, BuildError, HibpLineError};
use registrar_domain::{Actor, BreachedPasswords};
use registrar_mail::Mailer;
use registrar_store::{BreachedFilterRecord, Store};

use crate::tokens::random_hex;
use crate::{Registrar, ServiceError};

/// The malformed lines an import reports before it stops reading.
pub const MALFORMED_REPORTED: usize = 10;

/// The filter this instance checks new passwords against, and the version
/// of the stored filter it came from. Shared by the clones of one service.
#[derive(Default)]
pub struct BreachedList {
    current: RwLock<Option<Loaded>>,
}

#[derive(Clone)]
struct Loaded {
    version: String,
    /// `None` when the stored filter could not be read (logged): checked
    /// against nothing until a good one is imported.
    filter: Option<Arc<BreachedPasswords>>,
}

impl std::fmt::Debug for BreachedList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BreachedList")
            .field("version", &self.version())
            .finish()
    }
}

impl BreachedList {
    /// The filter new passwords are checked against; `None` before any import.
    pub fn current(&self) -> Option<Arc<BreachedPasswords>> {
        self.read().and_then(|loaded| loaded.filter)
    }

    /// The version of the stored filter last loaded.
    pub fn version(&self) -> Option<String> {
        self.read().map(|loaded| loaded.version)
    }

    fn read(&self) -> Option<Loaded> {
        // A panic while the lock was held left a whole value behind (the
        // writer swaps one field): go on with it.
        self.current.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn set(&self, version: String, filter: Option<Arc<BreachedPasswords>>) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Some(Loaded { version, filter });
    }
}

/// A line of the file that is not `HASH:COUNT`, by its number (from 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MalformedLine {
    pub line: u64,
    pub error: HibpLineError,
}

/// Why a Pwned Passwords file was not read.
#[derive(Debug, thiserror::Error)]
pub enum HibpReadError {
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
    /// The first [`MALFORMED_REPORTED`] malformed lines; nothing is imported.
    #[error("{}", malformed_lines(.0))]
    Malformed(Vec<MalformedLine>),
}

fn malformed_lines(lines: &[MalformedLine]) -> String {
    let listed: Vec<String> = lines.iter().map(|l| format!("line {}: {}", l.line, l.error)).collect();
    let more = if lines.len() >= MALFORMED_REPORTED {
        " (reading stopped there)"
    } else {
        ""
    };
    format!(
        "not a Pwned Passwords SHA-1 file (HASH:COUNT lines): {}{more}",
        listed.join("; ")
    )
}

/// The keys of a Pwned Passwords file whose count reaches the minimum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HibpKeys {
    /// [`registrar_domain::breached::key_of_sha1`] of each kept line, in file order.
    pub keys: Vec<u64>,
    /// Lines read (blank lines included).
    pub lines: u64,
    /// Lines skipped for a count below the minimum.
    pub below_min_count: u64,
}

/// Reads a Pwned Passwords SHA-1 file line by line (it may be tens of
/// gigabytes: only the 8-byte keys are kept), keeping the lines whose count
/// is at least `min_count`. Blank lines are skipped; any other line that is
/// not `HASH:COUNT` refuses the whole file, naming the first
/// [`MALFORMED_REPORTED`] such lines.
pub fn read_hibp(mut reader: impl BufRead, min_count: u64) -> Result<HibpKeys, HibpReadError> {
    let mut read = HibpKeys {
        keys: Vec::new(),
        lines: 0,
        below_min_count: 0,
    };
    let mut malformed = Vec::new();
    let mut line = Vec::with_capacity(64);
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        read.lines += 1;
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        if text.is_empty() || text == b"\r" {
            continue;
        }
        match parse_hibp_line(text) {
            Ok((key, count)) if count >= min_count => read.keys.push(key),
            Ok(_) => read.below_min_count += 1,
            Err(error) => {
                malformed.push(MalformedLine {
                    line: read.lines,
                    error,
                });
                if malformed.len() >= MALFORMED_REPORTED {
                    break;
                }
            }
        }
    }
    if malformed.is_empty() {
        Ok(read)
    } else {
        Err(HibpReadError::Malformed(malformed))
    }
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreachedImport {
    /// The stored filter's new version.
    pub version: String,
    pub lines: u64,
    pub below_min_count: u64,
    /// Distinct entries kept in the filter.
    pub entries: u64,
    /// The filter's size, as stored.
    pub bytes: usize,
}

/// Why an import stored nothing.
#[derive(Debug, thiserror::Error)]
pub enum BreachedImportError {
    #[error(transparent)]
    Read(#[from] HibpReadError),
    #[error(transparent)]
    Build(#[from] BuildError),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl<S: Store, M: Mailer> Registrar<S, M> {
    /// The breached-password filter of this instance (see [`BreachedList`]).
    pub fn breached(&self) -> &BreachedList {
        &self.breached
    }

    /// Reads a Pwned Passwords SHA-1 file ([`read_hibp`]), builds the filter
    /// and stores it in place of the last one, with its audit event; this
    /// instance uses it at once, the others at their next re-check. Reading
    /// and building run on the blocking pool.
    pub async fn import_breached<R: BufRead + Send + 'static>(
        &self,
        actor: &Actor,
        reader: R,
        min_count: u64,
    ) -> Result<BreachedImport, BreachedImportError> {
        let (read, filter, bytes) = tokio::task::spawn_blocking(move || -> Result<_, BreachedImportError> {
            let mut read = read_hibp(reader, min_count)?;
            let keys = std::mem::take(&mut read.keys);
            let filter = BreachedPasswords::build(keys)?;
            let bytes = filter.to_bytes();
            Ok((read, filter, bytes))
        })
        .await
        .map_err(|e| ServiceError::unexpected(format!("breached-password import task: {e}")))??;
        let version = random_hex(16);
        let import = BreachedImport {
            version: version.clone(),
            lines: read.lines,
            below_min_count: read.below_min_count,
            entries: filter.entries(),
            bytes: bytes.len(),
        };
        let audit = [self
            .admin_event(actor, "breached_passwords.import", &version)
            .with("entries", filter.entries().to_string())
            .with("min_count", min_count.to_string())];
        let record = BreachedFilterRecord {
            version: version.clone(),
            entries: filter.entries(),
            imported_at: self.now(),
            bytes,
        };
        self.store
            .save_breached_filter(record, &audit)
            .await
            .map_err(ServiceError::from)?;
        self.breached.set(version, Some(Arc::new(filter)));
        tracing::info!(entries = import.entries, bytes = %import.bytes, "breached-password filter imported");
        Ok(import)
    }

    /// Loads the stored filter if it is not the one this instance has;
    /// answers whether it loaded one. A stored filter this release cannot
    /// read is logged and checked against nothing (never a panic, never a
    /// refused request), until a good one is imported.
    pub async fn load_breached(&self) -> Result<bool, ServiceError> {
        let Some(stored) = self.store.breached_filter_version().await? else {
            return Ok(false);
        };
        if self.breached.version().as_deref() == Some(stored.version.as_str()) {
            return Ok(false);
        }
        let Some(record) = self.store.breached_filter().await? else {
            return Ok(false);
        };
        let version = record.version.clone();
        let read = tokio::task::spawn_blocking(move || BreachedPasswords::from_bytes(&record.bytes))
            .await
            .map_err(|e| ServiceError::unexpected(format!("breached-password load task: {e}")))?;
        let filter = match read {
            Ok(filter) => {
                tracing::info!(entries = filter.entries(), "breached-password filter loaded");
                Some(Arc::new(filter))
            }
            Err(e) => {
                tracing::error!(error = %e, version = %version, "the stored breached-password filter cannot be read; new passwords are not checked against it");
                None
            }
        };
        self.breached.set(version, filter);
        Ok(true)
    }

    /// Re-checks the stored filter every `every` (see [`Self::load_breached`]);
    /// runs until the process ends. A failed check is logged and tried again
    /// at the next.
    pub async fn run_breached_watcher(&self, every: Duration) {
        loop {
            tokio::time::sleep(every).await;
            if let Err(e) = self.load_breached().await {
                tracing::warn!(error = %e, "cannot check the breached-password filter");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha1_line(n: u32, count: u64) -> String {
        use sha2::Digest;
        // Any 40 hex digits will do: the first 20 bytes of a SHA-256.
        let digest = sha2::Sha256::digest(n.to_be_bytes());
        format!("{}:{count}", hex::encode_upper(&digest[..20]))
    }

    #[test]
    fn reads_keys_at_or_above_the_minimum_count_in_file_order() {
        let text = format!(
            "{}\r\n{}\n\n{}\n{}",
            sha1_line(1, 5),
            sha1_line(2, 1),
            sha1_line(3, 2),
            sha1_line(4, 2).to_lowercase()
        );
        let read = read_hibp(text.as_bytes(), 2).expect("read");
        assert_eq!(read.lines, 5);
        assert_eq!(read.below_min_count, 1);
        assert_eq!(read.keys.len(), 3);
        let all = read_hibp(text.as_bytes(), 0).expect("read");
        assert_eq!(all.keys.len(), 4);
    }

    #[test]
    fn malformed_lines_refuse_the_file_by_their_numbers() {
        let text = format!("{}\nnot a line\n{}\nABC:1\n", sha1_line(1, 5), sha1_line(2, 5));
        let HibpReadError::Malformed(lines) = read_hibp(text.as_bytes(), 1).unwrap_err() else {
            panic!("malformed")
        };
        assert_eq!(
            lines,
            vec![
                MalformedLine {
                    line: 2,
                    error: HibpLineError::NoColon
                },
                MalformedLine {
                    line: 4,
                    error: HibpLineError::NotSha1
                },
            ]
        );
        let message = HibpReadError::Malformed(lines).to_string();
        assert!(
            message.contains("line 2: no ':'") && message.contains("line 4: the hash"),
            "{message}"
        );
    }

    #[test]
    fn reading_stops_after_the_reported_malformed_lines() {
        let text = "x\n".repeat(1_000);
        let HibpReadError::Malformed(lines) = read_hibp(text.as_bytes(), 1).unwrap_err() else {
            panic!("malformed")
        };
        assert_eq!(lines.len(), MALFORMED_REPORTED);
        assert!(HibpReadError::Malformed(lines)
            .to_string()
            .ends_with("(reading stopped there)"));
    }
}
