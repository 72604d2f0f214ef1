//! What the admin API needs of accounts beyond the other traits: searching
//! them, keyset-paginated.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use registrar_domain::{Role, User, UserId};

use crate::StoreError;

/// Which accounts [`AdminUserStore::search_users`] answers. Every field
/// narrows; the default is every account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFilter {
    /// The normalized (lowercase) address starts with this, taken literally
    /// (`%` and `_` are no wildcards).
    pub email_prefix: Option<String>,
    pub role: Option<Role>,
    /// Address confirmed or not.
    pub confirmed: Option<bool>,
    pub disabled: Option<bool>,
    /// `created_at >= created_after`.
    pub created_after: Option<DateTime<Utc>>,
    /// `created_at < created_before`.
    pub created_before: Option<DateTime<Utc>>,
}

/// Where a page starts: after the account with this creation time and id
/// (the keyset order is `(created_at, id)`, oldest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserCursor {
    pub created_at: DateTime<Utc>,
    pub id: UserId,
}

#[async_trait]
pub trait AdminUserStore {
    /// Up to `limit` accounts matching `filter`, in `(created_at, id)`
    /// order, after `after` (from the first when `None`). A page never
    /// repeats nor skips an account that existed through the walk.
    async fn search_users(
        &self,
        filter: &UserFilter,
        after: Option<&UserCursor>,
        limit: usize,
    ) -> Result<Vec<User>, StoreError>;
}
