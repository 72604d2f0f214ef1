//! [`AdminUserStore`]: searching accounts in `(created_at, id)` keyset
//! order. Every filter has an index that leads to that order (migration
//! `2026-12-12-000001_admin`); the address prefix is a `LIKE 'prefix%'` on
//! the normalized address, served by a pattern index on Postgres
//! (`text_pattern_ops`) and a `NOCASE` one on SQLite (whose `LIKE` ignores
//! ASCII case; the column is lowercase anyway).

use async_trait::async_trait;
use diesel::prelude::*;
use registrar_domain::User;
use registrar_store::{AdminUserStore, StoreError, UserCursor, UserFilter};

use crate::backend::run;
use crate::rows::{to_db, UserRow};
use crate::schema::users;
use crate::DieselStore;

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
        run!(self, statement, |conn| {
            let mut query = users::table.select(UserRow::as_select()).into_boxed();
            if let Some(prefix) = &filter.email_prefix {
                query = query.filter(users::email_normalized.like(prefix_pattern(prefix)).escape('\\'));
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
                query = query.filter(
                    users::created_at
                        .gt(at)
                        .or(users::created_at.eq(at).and(users::id.gt(id))),
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
}
