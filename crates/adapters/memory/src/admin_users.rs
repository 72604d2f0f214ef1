//! [`AdminUserStore`] in memory: a scan in `(created_at, id)` order.

use async_trait::async_trait;
use registrar_domain::User;
use registrar_store::{AdminUserStore, StoreError, UserCursor, UserFilter};

use crate::MemoryStore;

fn matches(user: &User, filter: &UserFilter) -> bool {
    filter
        .email_prefix
        .as_ref()
        .is_none_or(|p| user.email.normalized().starts_with(p.as_str()))
        && filter.role.as_ref().is_none_or(|r| user.role == *r)
        && filter.confirmed.is_none_or(|c| user.email_confirmed_at.is_some() == c)
        && filter.disabled.is_none_or(|d| user.disabled == d)
        && filter.created_after.is_none_or(|a| user.created_at >= a)
        && filter.created_before.is_none_or(|b| user.created_at < b)
}

#[async_trait]
impl AdminUserStore for MemoryStore {
    async fn search_users(
        &self,
        filter: &UserFilter,
        after: Option<&UserCursor>,
        limit: usize,
    ) -> Result<Vec<User>, StoreError> {
        let state = self.lock()?;
        let mut found: Vec<&User> = state
            .users
            .values()
            .filter(|u| matches(u, filter))
            .filter(|u| after.is_none_or(|c| (u.created_at, u.id.as_str()) > (c.created_at, c.id.as_str())))
            .collect();
        found.sort_by(|a, b| (a.created_at, a.id.as_str()).cmp(&(b.created_at, b.id.as_str())));
        Ok(found.into_iter().take(limit).cloned().collect())
    }
}
