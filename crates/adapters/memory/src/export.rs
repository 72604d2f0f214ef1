//! [`ExportStore`] in memory: the event written and every section read
//! under the state's one lock.

use async_trait::async_trait;
use registrar_domain::{AuditEvent, UserId};
use registrar_store::{
    ExportStore, ExportedConsent, ExportedMail, ExportedPasskey, ExportedTotp, MailState, StoreError, UserExport,
};

use crate::outbox::MailStatus;
use crate::MemoryStore;

#[async_trait]
impl ExportStore for MemoryStore {
    async fn export_user(&self, user: &UserId, audit: &[AuditEvent]) -> Result<Option<UserExport>, StoreError> {
        let mut state = self.lock()?;
        let Some(mut account) = state.users.get(user).cloned() else {
            return Ok(None);
        };
        let has_password = account.password_hash.take().is_some();
        state.record(audit);
        let mut sessions: Vec<_> = state
            .sessions
            .values()
            .map(|s| &s.session)
            .filter(|s| &s.user_id == user)
            .cloned()
            .collect();
        sessions.sort_by(|a, b| (a.created_at, &a.id.0).cmp(&(b.created_at, &b.id.0)));
        let mut browser_sessions: Vec<_> = state
            .authorization
            .browser_sessions
            .values()
            .map(|b| &b.session)
            .filter(|b| &b.user == user)
            .cloned()
            .collect();
        browser_sessions.sort_by(|a, b| (a.auth_time, &a.id).cmp(&(b.auth_time, &b.id)));
        let factors = &state.factors;
        let totp = factors.totp.get(user).map(|t| ExportedTotp {
            created_at: t.created_at,
            confirmed_at: t.confirmed_at,
        });
        let left = factors
            .recovery_codes
            .get(user)
            .map_or(0, |codes| codes.iter().filter(|c| c.used_at.is_none()).count());
        let mut passkeys: Vec<_> = factors
            .passkeys
            .iter()
            .filter(|p| &p.user == user)
            .map(|p| ExportedPasskey {
                id: p.id.clone(),
                name: p.name.as_str().to_owned(),
                created_at: p.created_at,
                last_used_at: p.last_used_at,
            })
            .collect();
        passkeys.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        let mut consents: Vec<_> = state
            .authorization
            .consents
            .iter()
            .filter(|((u, _), _)| u == user)
            .map(|((_, client), (scope, granted_at))| ExportedConsent {
                client: client.clone(),
                scope: scope.clone(),
                granted_at: *granted_at,
            })
            .collect();
        consents.sort_by(|a, b| a.client.as_str().cmp(b.client.as_str()));
        let mut mails: Vec<_> = state
            .outbox
            .iter()
            .filter(|q| &q.mail.user_id == user)
            .map(|q| ExportedMail {
                kind: q.mail.kind,
                queued_at: q.mail.created_at,
                state: match q.status {
                    MailStatus::Pending => MailState::Queued,
                    MailStatus::Sent => MailState::Sent,
                    MailStatus::GivenUp => MailState::GivenUp,
                },
                sent_at: q.sent_at,
            })
            .collect();
        mails.sort_by_key(|m| m.queued_at);
        let events = state
            .admin
            .events
            .iter()
            .filter(|r| r.event.user.as_ref() == Some(user))
            .cloned()
            .collect();
        Ok(Some(UserExport {
            user: account,
            has_password,
            sessions,
            browser_sessions,
            accepted: state.accepted_revisions(user),
            totp,
            recovery_codes_left: u32::try_from(left).unwrap_or(u32::MAX),
            passkeys,
            consents,
            mails,
            events,
        }))
    }
}
