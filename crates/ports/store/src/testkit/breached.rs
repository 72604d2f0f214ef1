//! The contract of [`BreachedPasswordStore`](crate::BreachedPasswordStore):
//! one filter at most, read back byte for byte (a large one too), replaced
//! whole by the next save, its version readable without its bytes, its
//! audit event written with it.

use registrar_domain::{Actor, AuditEvent};

use super::support::*;
use crate::{AuditCursor, AuditFilter, BreachedFilterRecord, BreachedFilterVersion};

/// A filter record of `len` bytes that are not all alike, saved at `at(seconds)`.
fn filter(len: usize, seconds: i64) -> BreachedFilterRecord {
    BreachedFilterRecord {
        version: unique(),
        entries: u64::try_from(len).unwrap() / 2 + 1,
        imported_at: at(seconds),
        bytes: (0..len).map(|i| u8::try_from((i * 7 + i / 251) % 256).unwrap()).collect(),
    }
}

fn version_of(filter: &BreachedFilterRecord) -> BreachedFilterVersion {
    BreachedFilterVersion {
        version: filter.version.clone(),
        entries: filter.entries,
        imported_at: filter.imported_at,
    }
}

fn imported() -> AuditEvent {
    AuditEvent::new(unique(), at(0), AuditKind::AdminAction, Actor::Cli)
        .with("action", "breached_passwords.import")
}

contract_rules! { breached, __store_contract_breached;

pub async fn a_fresh_store_has_no_breached_filter<S: Store>(store: S) {
    assert_eq!(store.breached_filter_version().await.unwrap(), None);
    assert_eq!(store.breached_filter().await.unwrap(), None);
}

pub async fn a_saved_breached_filter_reads_back_byte_for_byte_with_its_version<S: Store>(store: S) {
    let saved = filter(1_000, 10);
    store.save_breached_filter(saved.clone(), &[]).await.unwrap();
    assert_eq!(store.breached_filter_version().await.unwrap(), Some(version_of(&saved)));
    assert_eq!(store.breached_filter().await.unwrap(), Some(saved));
}

pub async fn a_large_breached_filter_reads_back_whole<S: Store>(store: S) {
    // Larger than an adapter's pieces, if it splits (the diesel one does at 16 MiB).
    let saved = filter(40 * 1024 * 1024 + 3, 10);
    store.save_breached_filter(saved.clone(), &[]).await.unwrap();
    let read = store.breached_filter().await.unwrap().expect("the filter");
    assert_eq!(read.bytes.len(), saved.bytes.len());
    assert!(read == saved, "the bytes differ");
}

pub async fn saving_a_breached_filter_replaces_the_last_whole<S: Store>(store: S) {
    let (first, second) = (filter(40 * 1024 * 1024, 10), filter(500, 20));
    store.save_breached_filter(first, &[]).await.unwrap();
    store.save_breached_filter(second.clone(), &[]).await.unwrap();
    assert_eq!(store.breached_filter_version().await.unwrap(), Some(version_of(&second)));
    assert_eq!(store.breached_filter().await.unwrap(), Some(second));
}

pub async fn an_empty_breached_filter_is_a_filter<S: Store>(store: S) {
    let empty = filter(0, 10);
    store.save_breached_filter(empty.clone(), &[]).await.unwrap();
    assert_eq!(store.breached_filter().await.unwrap(), Some(empty));
}

pub async fn saving_a_breached_filter_writes_its_event_with_it<S: Store>(store: S) {
    let event = imported();
    store.save_breached_filter(filter(10, 10), std::slice::from_ref(&event)).await.unwrap();
    let filter = AuditFilter {
        actor: Some("cli".into()),
        ..AuditFilter::default()
    };
    let read = store.audit_events(&filter, AuditCursor::Before(None), 100).await.unwrap();
    assert!(read.iter().any(|r| r.event == event), "the import's event is written");
}

}
