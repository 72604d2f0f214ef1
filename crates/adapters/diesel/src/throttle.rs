//! [`ThrottleStore`]: attempt counters, one row per key in
//! `throttle_counters`, shared by every instance on the database.
//!
//! A hit runs in one write transaction: it makes sure every key has a row
//! (`INSERT … ON CONFLICT DO NOTHING`, so that two first hits of a key do not
//! collide), locks the rows in key order ([`Backend::lock_throttle`]: FOR
//! UPDATE on Postgres, the write lock SQLite's immediate transaction already
//! holds), and writes what [`Counter::hit`] makes of them. Concurrent hits of
//! one key thus take turns and each sees the count of the one before.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use registrar_domain::{Counter, Limit, ThrottleKey};
use registrar_store::{StoreError, ThrottleStore};

use crate::backend::{run, Backend, UniqueRow};
use crate::rows::{from_db, to_db};
use crate::schema::throttle_counters;
use crate::DieselStore;

/// A `throttle_counters` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = throttle_counters, treat_none_as_null = true)]
pub(crate) struct CounterRow {
    pub key: String,
    pub window_start: chrono::NaiveDateTime,
    pub count: i32,
    pub locked_until: Option<chrono::NaiveDateTime>,
    pub locks: i32,
    pub expires_at: chrono::NaiveDateTime,
}

impl CounterRow {
    fn new(key: &ThrottleKey, counter: &Counter, limit: &Limit) -> Self {
        Self {
            key: key.as_str().to_owned(),
            window_start: to_db(counter.window_start),
            count: i32::try_from(counter.count).unwrap_or(i32::MAX),
            locked_until: counter.locked_until.map(to_db),
            locks: i32::try_from(counter.locks).unwrap_or(i32::MAX),
            expires_at: to_db(counter.expires_at(limit)),
        }
    }

    pub(crate) fn counter(&self) -> Counter {
        Counter {
            window_start: from_db(self.window_start),
            count: u32::try_from(self.count).unwrap_or(0),
            locked_until: self.locked_until.map(from_db),
            locks: u32::try_from(self.locks).unwrap_or(0),
        }
    }
}

/// Keys in one order for every transaction, so that two hits of the same
/// keys never wait for each other's locks in a circle.
fn sorted(hits: &[(ThrottleKey, Limit)]) -> Vec<(ThrottleKey, Limit)> {
    let mut hits = hits.to_vec();
    hits.sort_by(|a, b| a.0.cmp(&b.0));
    hits.dedup_by(|a, b| a.0 == b.0);
    hits
}

#[async_trait]
impl ThrottleStore for DieselStore {
    async fn throttle_lock(
        &self,
        keys: &[ThrottleKey],
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let keys: Vec<String> = keys.iter().map(|k| k.as_str().to_owned()).collect();
        let now = to_db(now);
        run!(self, statement, |conn| {
            let latest: Option<chrono::NaiveDateTime> = throttle_counters::table
                .filter(throttle_counters::key.eq_any(&keys))
                .filter(throttle_counters::locked_until.gt(now))
                .select(diesel::dsl::max(throttle_counters::locked_until))
                .unique_row(conn)?;
            Ok(latest.map(from_db))
        })
    }

    async fn throttle_hit(
        &self,
        hits: &[(ThrottleKey, Limit)],
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let hits = sorted(hits);
        if hits.is_empty() {
            return Ok(None);
        }
        run!(self, write, |conn| {
            let fresh = Counter::new(now);
            let rows: Vec<CounterRow> = hits
                .iter()
                .map(|(key, limit)| CounterRow::new(key, &fresh, limit))
                .collect();
            // One row at a time: SQLite takes no batch with ON CONFLICT (a hit has a key or two).
            for row in &rows {
                diesel::insert_into(throttle_counters::table)
                    .values(row)
                    .on_conflict(throttle_counters::key)
                    .do_nothing()
                    .execute(conn)?;
            }
            let keys: Vec<String> = rows.into_iter().map(|r| r.key).collect();
            let stored = conn.lock_throttle(&keys)?;
            let locked = stored.iter().filter_map(|row| row.counter().locked_at(now)).max();
            if locked.is_some() {
                return Ok(locked);
            }
            for (key, limit) in &hits {
                let Some(row) = stored.iter().find(|row| row.key == key.as_str()) else {
                    continue;
                };
                let counter = row.counter().hit(limit, now);
                diesel::update(throttle_counters::table.find(key.as_str()))
                    .set(&CounterRow::new(key, &counter, limit))
                    .execute(conn)?;
            }
            Ok(None)
        })
    }

    async fn throttle_clear(&self, key: &ThrottleKey) -> Result<(), StoreError> {
        let key = key.as_str().to_owned();
        run!(self, write_statement, |conn| {
            diesel::delete(throttle_counters::table.find(&key)).execute(conn)?;
            Ok(())
        })
    }

    async fn throttle_purge(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let now = to_db(now);
        run!(self, write_statement, |conn| {
            let purged =
                diesel::delete(throttle_counters::table.filter(throttle_counters::expires_at.lt(now))).execute(conn)?;
            Ok(purged as u64)
        })
    }
}
