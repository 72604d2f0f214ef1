//! Account administration by id, shared by the admin API and the CLI (whose
//! `registrar user …` commands name the account by address and come here).
//! Each use case takes the [`Actor`] that acts and hands its event to the
//! store method that makes the change.

use registrar_domain::{Actor, AuditKind, Role, Session, User, UserId};
use registrar_mail::Mailer;
use registrar_store::{Store, UserCursor, UserFilter};

use crate::{AccountFactors, Registrar, ServiceError};

/// An account as an administrator sees it: never a secret.
#[derive(Debug, Clone)]
pub struct AdminUserView {
    pub user: User,
    pub sessions: Vec<Session>,
    pub factors: AccountFactors,
}

impl<S: Store, M: Mailer> Registrar<S, M> {
    pub(crate) async fn user_with_id(&self, id: &str) -> Result<User, ServiceError> {
        if registrar_domain::text::has_control_characters(id) || id.is_empty() || id.len() > 200 {
            return Err(ServiceError::NotFound);
        }
        self.store
            .user_by_id(&UserId(id.to_owned()))
            .await?
            .ok_or(ServiceError::NotFound)
    }

    /// Up to `limit` (1 to 1000) accounts matching `filter` after `after`,
    /// oldest first (`GET /admin/users`).
    pub async fn admin_search_users(
        &self,
        filter: &UserFilter,
        after: Option<&UserCursor>,
        limit: usize,
    ) -> Result<Vec<User>, ServiceError> {
        Ok(self.store.search_users(filter, after, limit.clamp(1, 1000)).await?)
    }

    /// The account, its sessions and its second factors.
    pub async fn admin_user(&self, id: &str) -> Result<AdminUserView, ServiceError> {
        let user = self.user_with_id(id).await?;
        let sessions = self.store.sessions_of(&user.id).await?;
        let factors = self.factors_of(&user.id).await?;
        Ok(AdminUserView {
            user,
            sessions,
            factors,
        })
    }

    /// Disables (revoking every session) or enables the account, recording
    /// `user.disabled` / `user.enabled` by `actor` when its state flips.
    pub async fn admin_set_disabled(&self, actor: &Actor, user: &User, disabled: bool) -> Result<(), ServiceError> {
        let kind = if disabled {
            AuditKind::Disabled
        } else {
            AuditKind::Enabled
        };
        let event = self.event(kind, actor.clone()).about(&user.id, &user.email);
        Ok(self.store.set_disabled(&user.id, disabled, &[event]).await?)
    }

    /// Gives the account `role`, recording `user.updated` (`fields`: `role`)
    /// by `actor` when it changes.
    pub async fn admin_set_role(&self, actor: &Actor, user: &User, role: &Role) -> Result<(), ServiceError> {
        let event = self
            .event(AuditKind::Updated, actor.clone())
            .about(&user.id, &user.email)
            .with("fields", "role")
            .with("role", role.as_str());
        Ok(self.store.set_role(&user.id, role, &[event]).await?)
    }
}
