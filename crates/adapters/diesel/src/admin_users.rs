//! [`AdminUserStore`]: searching accounts in `(created_at, id)` keyset
//! order. Every filter has an index that leads to that order (migration
//! `2026-12-12-000001_admin`); the address prefix is a `LIKE 'prefix%'` on
//! the normalized address, served by a pattern index on Postgres
//! (`text_pattern_ops`) and a `NOCASE` one on SQLite. The name prefix is a
//! `lower(name) LIKE 'prefix%'` on the first and the last name, served by
//! expression indexes (migration `2026-12-12-000005_admin_user_names`).
//! Each prefix is also given as the range it spans, in the comparison of
//! its index: the statement's pattern and escape are bound parameters, and
//! neither backend makes an index range of such a LIKE (SQLite never,
//! Postgres not in the generic plan of a cached statement), so without the
//! range a prefix walks the whole table in page order. The page after a
//! cursor is a row-value range, `(created_at, id) > (?, ?)`, bounded on
//! both columns.
//!
//! Also: ending a user's sessions, their lockout counters, and
//! [`Erasure`]: what a user's deletion leaves of their audit trail.

use std::collections::BTreeMap;

use async_trait::async_trait;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text, Timestamp};
use registrar_domain::{AuditEvent, Counter, Language, PolicyType, RevisionId, SessionId, ThrottleKey, User, UserId};
use registrar_store::{AcceptedRevision, AdminUserStore, StoreError, UserCursor, UserFilter, ERASURE_KEEPS};

use crate::audit::AuditWrites;
use crate::backend::{for_each_backend, run};
use crate::error::{corrupt, Failure};
use crate::rows::{from_db, to_db, UserRow};
use crate::schema::{
    audit_events, browser_sessions, mfa_tokens, policy_acceptances, policy_revisions, sessions, throttle_counters,
    users,
};
use crate::throttle::CounterRow;
use crate::DieselStore;

/// Anonymizing the audit trail of an erased user, inside the erasure's transaction.
pub(crate) trait Erasure {
    /// Clears the address, IP, device, request id and every data value but
    /// [`ERASURE_KEEPS`] of every event about `user`
    /// ([`registrar_store::anonymize`]).
    fn anonymize_events_in(&mut self, user: &str) -> Result<(), Failure>;
}

for_each_backend! {
    impl Erasure for Conn {
        fn anonymize_events_in(&mut self, user: &str) -> Result<(), Failure> {
            let data: Vec<(i64, String)> = audit_events::table
                .filter(audit_events::user_id.eq(user))
                .select((audit_events::seq, audit_events::data))
                .load(self)?;
            diesel::update(audit_events::table.filter(audit_events::user_id.eq(user)))
                .set((
                    audit_events::email.eq(None::<String>),
                    audit_events::ip.eq(None::<String>),
                    audit_events::device_id.eq(None::<String>),
                    audit_events::device_name.eq(None::<String>),
                    audit_events::request_id.eq(None::<String>),
                ))
                .execute(self)?;
            for (seq, text) in data {
                // Unreadable data keeps nothing.
                let all: BTreeMap<String, String> = serde_json::from_str(&text).unwrap_or_default();
                let kept: BTreeMap<&String, &String> =
                    all.iter().filter(|(key, _)| ERASURE_KEEPS.contains(&key.as_str())).collect();
                if kept.len() != all.len() || all.is_empty() {
                    let kept = serde_json::to_string(&kept).unwrap_or_else(|_| "{}".to_owned());
                    if kept != text {
                        diesel::update(audit_events::table.find(seq))
                            .set(audit_events::data.eq(kept))
                            .execute(self)?;
                    }
                }
            }
            Ok(())
        }
    }
}

/// The most accounts one page holds, whatever the caller asks.
const MAX_PAGE: usize = 1_000;

/// `prefix` as a `LIKE` pattern matching it literally, `\` escaping.
fn prefix_pattern(prefix: &str) -> String {
    let mut pattern = String::with_capacity(prefix.len() + 1);
    for c in prefix.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[async_trait]
impl AdminUserStore for DieselStore {
    async fn search_users(
        &self,
        filter: &UserFilter,
        after: Option<&UserCursor>,
        limit: usize,
    ) -> Result<Vec<User>, StoreError> {
        let filter = filter.clone();
        let after = after.cloned();
        let limit = i64::try_from(limit.min(MAX_PAGE)).unwrap_or(0);
        let sqlite = matches!(self.pools, crate::pool::Pools::Sqlite(_));
        run!(self, statement, |conn| {
            let mut query = users::table.select(UserRow::as_select()).into_boxed();
            if let Some(prefix) = &filter.email_prefix {
                // The same prefix as a range too: the ESCAPE character is a
                // bound parameter, and neither backend turns a LIKE with a
                // bound pattern or escape into an index range (SQLite never;
                // Postgres not in a generic plan of a cached statement), so
                // without it a prefix walks the table in page order. The
                // range is in the index's own comparison: NOCASE on SQLite,
                // byte order (`text_pattern_ops`) on Postgres.
                let (at_least, below) = if sqlite {
                    (
                        "users.email_normalized COLLATE NOCASE >= ",
                        " AND users.email_normalized COLLATE NOCASE < ",
                    )
                } else {
                    ("users.email_normalized ~>=~ ", " AND users.email_normalized ~<~ ")
                };
                query = query
                    .filter(users::email_normalized.like(prefix_pattern(prefix)).escape('\\'))
                    .filter(
                        sql::<Bool>(at_least)
                            .bind::<Text, _>(prefix.clone())
                            .sql(below)
                            .bind::<Text, _>(format!("{prefix}\u{10FFFF}")),
                    );
            }
            if let Some(prefix) = &filter.name_prefix {
                // As the address: the LIKE is exact, the range (in the
                // expression indexes' comparison) is what an index serves.
                let (at_least, below) = if sqlite { (">=", "<") } else { ("~>=~", "~<~") };
                let pattern = prefix_pattern(prefix);
                let end = format!("{prefix}\u{10FFFF}");
                let name = |column: &str, pattern: String, prefix: String, end: String| {
                    sql::<Bool>(&format!("(lower(users.{column}) LIKE "))
                        .bind::<Text, _>(pattern)
                        .sql(&format!(" ESCAPE '\\' AND lower(users.{column}) {at_least} "))
                        .bind::<Text, _>(prefix)
                        .sql(&format!(" AND lower(users.{column}) {below} "))
                        .bind::<Text, _>(end)
                        .sql(")")
                };
                query = query.filter(name("firstname", pattern.clone(), prefix.clone(), end.clone()).or(name(
                    "lastname",
                    pattern,
                    prefix.clone(),
                    end,
                )));
            }
            if let Some(role) = &filter.role {
                query = query.filter(users::role.eq(role.as_str().to_owned()));
            }
            if let Some(confirmed) = filter.confirmed {
                query = if confirmed {
                    query.filter(users::email_confirmed_at.is_not_null())
                } else {
                    query.filter(users::email_confirmed_at.is_null())
                };
            }
            if let Some(disabled) = filter.disabled {
                query = query.filter(users::disabled.eq(disabled));
            }
            if let Some(from) = filter.created_after {
                query = query.filter(users::created_at.ge(to_db(from)));
            }
            if let Some(before) = filter.created_before {
                query = query.filter(users::created_at.lt(to_db(before)));
            }
            if let Some(cursor) = &after {
                let at = to_db(cursor.created_at);
                let id = cursor.id.as_str().to_owned();
                // A row value bounds both columns of the page order, so
                // the index range starts at the cursor; `created_at > ? OR
                // (created_at = ? AND id > ?)` is bounded by the time alone
                // and walks every earlier row of the same instant (a bulk
                // import gives many rows one `created_at`).
                query = query.filter(
                    sql::<Bool>("(users.created_at, users.id) > (")
                        .bind::<Timestamp, _>(at)
                        .sql(", ")
                        .bind::<Text, _>(id)
                        .sql(")"),
                );
            }
            query
                .order((users::created_at.asc(), users::id.asc()))
                .limit(limit)
                .load::<UserRow>(conn)?
                .into_iter()
                .map(UserRow::into_user)
                .collect()
        })
    }

    async fn revoke_sessions_of(&self, user: &UserId, audit: &[AuditEvent]) -> Result<usize, StoreError> {
        let user = user.as_str().to_owned();
        let audit = audit.to_vec();
        run!(self, write, |conn| {
            let mut ended = diesel::delete(sessions::table.filter(sessions::user_id.eq(&user))).execute(conn)?;
            ended +=
                diesel::delete(browser_sessions::table.filter(browser_sessions::user_id.eq(&user))).execute(conn)?;
            diesel::delete(mfa_tokens::table.filter(mfa_tokens::user_id.eq(&user))).execute(conn)?;
            conn.record_if(ended > 0, &audit)?;
            Ok(ended)
        })
    }

    async fn revoke_session_of(
        &self,
        user: &UserId,
        session: &SessionId,
        audit: &[AuditEvent],
    ) -> Result<bool, StoreError> {
        let user = user.as_str().to_owned();
        let session = session.0.clone();
        let audit = audit.to_vec();
        run!(self, write, |conn| {
            let revoked = diesel::delete(
                sessions::table
                    .filter(sessions::id.eq(&session))
                    .filter(sessions::user_id.eq(&user)),
            )
            .execute(conn)?
                > 0;
            conn.record_if(revoked, &audit)
        })
    }

    async fn throttle_counters(&self, keys: &[ThrottleKey]) -> Result<Vec<(ThrottleKey, Counter)>, StoreError> {
        let keys: Vec<String> = keys.iter().map(|k| k.as_str().to_owned()).collect();
        run!(self, statement, |conn| {
            let rows: Vec<CounterRow> = throttle_counters::table
                .filter(throttle_counters::key.eq_any(&keys))
                .order(throttle_counters::key)
                .select(CounterRow::as_select())
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(|row| (ThrottleKey::from_stored(row.key.clone()), row.counter()))
                .collect())
        })
    }

    async fn lift_lockout(&self, keys: &[ThrottleKey], audit: &[AuditEvent]) -> Result<bool, StoreError> {
        let keys: Vec<String> = keys.iter().map(|k| k.as_str().to_owned()).collect();
        let audit = audit.to_vec();
        run!(self, write, |conn| {
            let cleared = diesel::delete(throttle_counters::table.filter(throttle_counters::key.eq_any(&keys)))
                .execute(conn)?
                > 0;
            conn.record_if(cleared, &audit)
        })
    }

    async fn accepted_revisions(&self, user: &UserId) -> Result<Vec<AcceptedRevision>, StoreError> {
        let user = user.as_str().to_owned();
        run!(self, statement, |conn| conn.accepted_revisions_in(&user))
    }
}

/// The revisions a user accepted, read within a transaction (the admin's
/// view, the data export).
pub(crate) trait AcceptedReads {
    /// The revisions `user` accepted, by revision id.
    fn accepted_revisions_in(&mut self, user: &str) -> Result<Vec<AcceptedRevision>, Failure>;
}

for_each_backend! {
    impl AcceptedReads for Conn {
        fn accepted_revisions_in(&mut self, user: &str) -> Result<Vec<AcceptedRevision>, Failure> {
            let rows: Vec<(i32, String, String, chrono::NaiveDateTime, Option<String>)> = policy_acceptances::table
                .inner_join(policy_revisions::table)
                .filter(policy_acceptances::user_id.eq(user))
                .order(policy_acceptances::revision_id)
                .select((
                    policy_acceptances::revision_id,
                    policy_revisions::policy_type,
                    policy_revisions::version,
                    policy_acceptances::accepted_at,
                    policy_acceptances::language,
                ))
                .load(self)?;
            rows.into_iter()
                .map(|(id, policy_type, version, at, language)| {
                    let language = match language {
                        None => None,
                        Some(code) => Some(
                            Language::from_code(&code)
                                .ok_or_else(|| corrupt("policy_acceptances", &id.to_string(), "bad language"))?,
                        ),
                    };
                    let policy_type = PolicyType::parse(&policy_type)
                        .ok_or_else(|| corrupt("policy_revisions", &id.to_string(), "bad policy type"))?;
                    Ok(AcceptedRevision {
                        id: RevisionId(id),
                        policy_type,
                        version,
                        accepted_at: from_db(at),
                        language,
                    })
                })
                .collect()
        }
    }
}
