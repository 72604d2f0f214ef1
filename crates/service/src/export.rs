//! The data export: everything Registrar holds about an account, as its
//! user (`GET /api/me/export`) or an administrator (`GET
//! /admin/users/{id}/export`) asks for it. Counted per account and per
//! client IP (`throttle.exports_per_user`, `throttle.exports_per_ip`) and
//! recorded as `user.exported` in the transaction that reads it.

use chrono::{DateTime, Utc};
use registrar_domain::{Actor, AuditKind, ClientIp, User};
use registrar_mail::Mailer;
use registrar_store::{Store, UserExport};

use crate::{AuthContext, Registrar, ServiceError};

/// An export: what the store holds ([`UserExport`]) and when it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    pub exported_at: DateTime<Utc>,
    pub data: UserExport,
}

impl<S: Store, M: Mailer> Registrar<S, M> {
    /// The caller's own data, recorded as `user.exported` by the user (`by`: `self`).
    pub async fn export_me(&self, ctx: &AuthContext, from: ClientIp) -> Result<Export, ServiceError> {
        self.export(&ctx.user, Actor::User, "self", from).await
    }

    /// The data of the account `id`, recorded as `user.exported` by `actor`
    /// (`by`: `admin`); `NotFound` for an unknown account (counted nowhere).
    pub async fn admin_export_user(&self, actor: &Actor, id: &str, from: ClientIp) -> Result<Export, ServiceError> {
        let user = self.user_with_id(id).await?;
        self.export(&user, actor.clone(), "admin", from).await
    }

    async fn export(&self, user: &User, actor: Actor, by: &str, from: ClientIp) -> Result<Export, ServiceError> {
        self.export_attempt(&user.id, from).await?;
        let exported_at = self.now();
        let event = self
            .event(AuditKind::Exported, actor)
            .about(&user.id, &user.email)
            .with("by", by);
        let data = self
            .store
            .export_user(&user.id, &[event])
            .await?
            .ok_or(ServiceError::NotFound)?;
        Ok(Export { exported_at, data })
    }
}
