//! Account administration by id, shared by the admin API and the CLI (whose
//! `registrar user …` commands name the account by address and come here).
//! Each use case takes the [`Actor`] that acts and hands its event to the
//! store method that makes the change.

use chrono::{DateTime, Utc};
use registrar_domain::{Actor, AuditKind, Counter, Limit, Role, Scope, Session, SessionId, ThrottleKey, User, UserId};
use registrar_mail::Mailer;
use registrar_store::{AcceptedRevision, OutboxKind, Store, UserCursor, UserFilter};

use crate::{AccountFactors, Registrar, ServiceError};

/// An account as an administrator sees it: never a secret.
#[derive(Debug, Clone)]
pub struct AdminUserView {
    pub user: User,
    pub sessions: Vec<Session>,
    pub factors: AccountFactors,
    /// The policy revisions accepted, by id.
    pub accepted: Vec<AcceptedRevision>,
    pub lockout: Lockout,
}

/// The account's sign-in lockout: its failed sign-ins and failed code tries
/// counted in their current window, and the end of a lock in force.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lockout {
    pub locked_until: Option<DateTime<Utc>>,
    pub failed_sign_ins: u32,
    pub failed_codes: u32,
}

/// What a counter counts at `now` under `limit`: nothing once its window is over.
fn counted(counter: Option<&Counter>, limit: &Limit, now: DateTime<Utc>) -> u32 {
    counter
        .filter(|c| now < c.window_start + limit.window)
        .map_or(0, |c| c.count)
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

    /// The account, its sessions, its second factors, the revisions it
    /// accepted and its lockout.
    pub async fn admin_user(&self, id: &str) -> Result<AdminUserView, ServiceError> {
        let user = self.user_with_id(id).await?;
        let sessions = self.store.sessions_of(&user.id).await?;
        let factors = self.factors_of(&user.id).await?;
        let accepted = self.store.accepted_revisions(&user.id).await?;
        let lockout = self.lockout(&user).await?;
        Ok(AdminUserView {
            user,
            sessions,
            factors,
            accepted,
            lockout,
        })
    }

    /// The account keys of the sign-in lockout: failed logins and failed
    /// code tries, both counted per address.
    fn lockout_keys(&self, user: &User) -> [ThrottleKey; 2] {
        let key = &self.settings.secret_key;
        [
            ThrottleKey::for_email(Scope::LoginAccount, &user.email, key),
            ThrottleKey::for_email(Scope::CodeAddress, &user.email, key),
        ]
    }

    /// The account's lockout now.
    pub async fn lockout(&self, user: &User) -> Result<Lockout, ServiceError> {
        let [login, code] = self.lockout_keys(user);
        let counters = self.store.throttle_counters(&[login.clone(), code.clone()]).await?;
        let of = |key: &ThrottleKey| counters.iter().find(|(k, _)| k == key).map(|(_, c)| c);
        let now = self.now();
        let limits = &self.settings.throttle;
        Ok(Lockout {
            locked_until: counters.iter().filter_map(|(_, c)| c.locked_at(now)).max(),
            failed_sign_ins: counted(of(&login), &limits.login_account, now),
            failed_codes: counted(of(&code), &limits.code_address, now),
        })
    }

    /// Forgets the account's failed sign-ins and code tries and any lock
    /// they earned, recording `admin.action` `lockout.lifted` by `actor`
    /// with it; `false` (nothing recorded) when nothing was counted.
    pub async fn admin_lift_lockout(&self, actor: &Actor, user: &User) -> Result<bool, ServiceError> {
        let event = self
            .admin_event(actor, "lockout.lifted", user.id.as_str())
            .about(&user.id, &user.email);
        Ok(self.store.lift_lockout(&self.lockout_keys(user), &[event]).await?)
    }

    /// Erases the account and everything tied to it, recording
    /// `user.deleted` by `actor` and anonymizing the account's earlier
    /// events in the same transaction (`DELETE /api/me`, `DELETE
    /// /admin/users/{id}`, `registrar user delete`). `NotFound` when it was
    /// erased already.
    pub async fn erase_user(&self, actor: &Actor, user: &User) -> Result<(), ServiceError> {
        let event = self
            .event(AuditKind::Deleted, actor.clone())
            .about(&user.id, &user.email);
        if !self.store.delete_user(&user.id, &[event]).await? {
            return Err(ServiceError::NotFound);
        }
        tracing::info!(to = user.email.masked(), actor = %actor.as_stored(), "account deleted");
        Ok(())
    }

    /// Ends every session and browser session of the account (and its
    /// pending second-factor sign-ins), recording one `session.revoked`
    /// (`reason` `admin`, `sessions` `all`) by `actor`; answers how many ended.
    pub async fn admin_revoke_sessions(&self, actor: &Actor, user: &User) -> Result<usize, ServiceError> {
        let event = self
            .event(AuditKind::SessionRevoked, actor.clone())
            .about(&user.id, &user.email)
            .with("reason", "admin")
            .with("sessions", "all");
        Ok(self.store.revoke_sessions_of(&user.id, &[event]).await?)
    }

    /// Revokes the account's session `session_id`, recording
    /// `session.revoked` (`reason` `admin`, with its client and device) by
    /// `actor`. `NotFound` when the account has no such session.
    pub async fn admin_revoke_session(&self, actor: &Actor, user: &User, session_id: &str) -> Result<(), ServiceError> {
        let session = self
            .store
            .sessions_of(&user.id)
            .await?
            .into_iter()
            .find(|s| s.id.0 == session_id)
            .ok_or(ServiceError::NotFound)?;
        let mut event = self
            .event(AuditKind::SessionRevoked, actor.clone())
            .about(&user.id, &user.email)
            .with("reason", "admin")
            .with("session_id", session.id.0.clone());
        event.client = Some(session.client_id.clone());
        event.device_id = Some(session.device_id.as_str().to_owned());
        event.device_name = Some(session.device_name.as_str().to_owned());
        let id = SessionId(session.id.0.clone());
        if !self.store.revoke_session_of(&user.id, &id, &[event]).await? {
            return Err(ServiceError::NotFound);
        }
        Ok(())
    }

    /// Removes every second factor of the account (authenticator app,
    /// recovery codes, passkeys) and the sign-ins waiting for one, mailing
    /// "two-step verification turned off" and recording
    /// `user.factor_removed` (`factor` `all`) by `actor`; `false` (no mail,
    /// nothing recorded) when there was none.
    pub async fn admin_reset_factors(&self, actor: &Actor, user: &User) -> Result<bool, ServiceError> {
        self.remove_factors(user, Some(actor)).await
    }

    /// Mails the account a new confirmation code and link, as
    /// `POST /api/mails/verify` does (without its throttle: the caller is
    /// an administrator), recording `admin.action` `confirmation.resent` by
    /// `actor`. [`ServiceError::AlreadyConfirmed`] for a confirmed address.
    pub async fn admin_resend_confirmation(&self, actor: &Actor, user: &User) -> Result<(), ServiceError> {
        if user.email_confirmed() {
            return Err(ServiceError::AlreadyConfirmed);
        }
        let kind = Self::mail_kind_for(user, OutboxKind::Confirmation);
        let event = self
            .admin_event(actor, "confirmation.resent", user.id.as_str())
            .about(&user.id, &user.email);
        self.store
            .enqueue_mail(self.outbox_mail(&user.id, kind), &[event])
            .await?;
        self.outbox_kick.notify_one();
        Ok(())
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
