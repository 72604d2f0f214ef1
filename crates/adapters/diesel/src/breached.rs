//! [`BreachedPasswordStore`]: `breached_password_filter`, the filter's bytes
//! in pieces of at most [`PIECE`] (one database value holds at most 1 GB on
//! either backend; the full list's filter is ~2.3 GB). A save deletes every
//! piece and inserts the new ones in one write transaction; a load is one
//! statement, so it sees one filter whole on both backends.

use async_trait::async_trait;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use registrar_domain::AuditEvent;
use registrar_store::{BreachedFilterRecord, BreachedFilterVersion, BreachedPasswordStore, StoreError};

use crate::audit::AuditWrites;
use crate::backend::run;
use crate::rows::{from_db, to_db};
use crate::schema::breached_password_filter as filter;
use crate::DieselStore;

/// The largest piece of a filter in one row.
const PIECE: usize = 16 * 1024 * 1024;

/// A stored count: at most `i64::MAX` (a filter has far fewer entries).
fn entries_to_db(entries: u64) -> i64 {
    i64::try_from(entries).unwrap_or(i64::MAX)
}

fn entries_from_db(entries: i64) -> u64 {
    u64::try_from(entries).unwrap_or(0)
}

#[async_trait]
impl BreachedPasswordStore for DieselStore {
    async fn save_breached_filter(&self, record: BreachedFilterRecord, audit: &[AuditEvent]) -> Result<(), StoreError> {
        let audit = audit.to_vec();
        run!(self, write, |conn| {
            diesel::delete(filter::table).execute(conn)?;
            let imported_at = to_db(record.imported_at);
            let entries = entries_to_db(record.entries);
            // An empty filter is still one piece: piece 0 holds the version.
            let pieces: Vec<&[u8]> = if record.bytes.is_empty() {
                vec![record.bytes.as_slice()]
            } else {
                record.bytes.chunks(PIECE).collect()
            };
            for (piece, data) in (0_i32..).zip(pieces) {
                diesel::insert_into(filter::table)
                    .values((
                        filter::piece.eq(piece),
                        filter::version.eq(&record.version),
                        filter::entries.eq(entries),
                        filter::imported_at.eq(imported_at),
                        filter::data.eq(data),
                    ))
                    .execute(conn)?;
            }
            conn.record_in(&audit)?;
            Ok(())
        })
    }

    async fn breached_filter_version(&self) -> Result<Option<BreachedFilterVersion>, StoreError> {
        run!(self, statement, |conn| {
            let found: Option<(String, i64, NaiveDateTime)> = filter::table
                .find(0)
                .select((filter::version, filter::entries, filter::imported_at))
                .first(conn)
                .optional()?;
            Ok(found.map(|(version, entries, imported_at)| BreachedFilterVersion {
                version,
                entries: entries_from_db(entries),
                imported_at: from_db(imported_at),
            }))
        })
    }

    async fn breached_filter(&self) -> Result<Option<BreachedFilterRecord>, StoreError> {
        run!(self, statement, |conn| {
            let pieces: Vec<(String, i64, NaiveDateTime, Vec<u8>)> = filter::table
                .order(filter::piece)
                .select((filter::version, filter::entries, filter::imported_at, filter::data))
                .load(conn)?;
            let Some((version, entries, imported_at, _)) = pieces.first() else {
                return Ok(None);
            };
            let mut record = BreachedFilterRecord {
                version: version.clone(),
                entries: entries_from_db(*entries),
                imported_at: from_db(*imported_at),
                bytes: Vec::with_capacity(pieces.iter().map(|p| p.3.len()).sum()),
            };
            for (_, _, _, data) in pieces {
                record.bytes.extend_from_slice(&data);
            }
            Ok(Some(record))
        })
    }
}
