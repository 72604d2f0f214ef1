//! The durable mail queue, held in memory: claims are leases that end on
//! their own, so a worker that never reports back frees its mails again.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use registrar_domain::AuditEvent;
use registrar_store::{NewOutboxMail, OutboxMail, OutboxStore, StoreError};

use crate::state::State;
use crate::MemoryStore;

/// A queued mail and where it is in its delivery.
pub(crate) struct QueuedMail {
    pub mail: NewOutboxMail,
    /// Delivery attempts so far: every claim counts one.
    pub attempts: u32,
    pub status: MailStatus,
    /// Not due before this instant; `None` while it has never failed.
    pub retry_at: Option<DateTime<Utc>>,
    /// Claimed until this instant (a claim is live while `now < leased_until`).
    pub leased_until: Option<DateTime<Utc>>,
    /// When it was delivered.
    pub sent_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum MailStatus {
    Pending,
    Sent,
    GivenUp,
}

impl QueuedMail {
    fn is_due(&self, now: DateTime<Utc>) -> bool {
        self.status == MailStatus::Pending
            && self.retry_at.is_none_or(|r| r <= now)
            && self.leased_until.is_none_or(|l| l <= now)
    }
}

impl State {
    /// Whether `mail` can be queued: its user exists and its id is new.
    pub fn check_mail(&self, mail: &NewOutboxMail) -> Result<(), StoreError> {
        self.require_user(&mail.user_id)?;
        if self.outbox.iter().any(|q| q.mail.id == mail.id) {
            return Err(StoreError::Duplicate);
        }
        Ok(())
    }

    /// Queues a mail (checked beforehand with [`State::check_mail`]).
    pub fn queue_mail(&mut self, mail: NewOutboxMail) {
        // A mail queued claimed: its sender's attempt counts as a claim's.
        let leased_until = mail.claimed_until;
        self.outbox.push(QueuedMail {
            mail,
            attempts: u32::from(leased_until.is_some()),
            status: MailStatus::Pending,
            retry_at: None,
            leased_until,
            sent_at: None,
        });
    }

    /// Claims the queued mail at `position` until `lease_until`, counting the attempt.
    fn claim_at(&mut self, position: usize, lease_until: DateTime<Utc>) -> Result<OutboxMail, StoreError> {
        let queued = &self.outbox[position];
        let user = self
            .users
            .get(&queued.mail.user_id)
            .cloned()
            .ok_or_else(|| StoreError::unexpected("a queued mail outlived its user"))?;
        let claimed = OutboxMail {
            id: queued.mail.id.clone(),
            user,
            kind: queued.mail.kind,
            attempts: queued.attempts,
            created_at: queued.mail.created_at,
            detail: queued.mail.detail.clone(),
        };
        let queued = &mut self.outbox[position];
        queued.leased_until = Some(lease_until);
        queued.attempts = queued.attempts.saturating_add(1);
        Ok(claimed)
    }

    /// The mail with this id that is still to be delivered.
    fn pending_mail(&mut self, id: &str) -> Option<&mut QueuedMail> {
        self.outbox
            .iter_mut()
            .find(|q| q.mail.id == id && q.status == MailStatus::Pending)
    }
}

#[async_trait]
impl OutboxStore for MemoryStore {
    async fn enqueue_mail(&self, mail: NewOutboxMail, audit: &[AuditEvent]) -> Result<(), StoreError> {
        let mut state = self.lock()?;
        state.check_mail(&mail)?;
        state.queue_mail(mail);
        state.record(audit);
        Ok(())
    }

    async fn claim_mail(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<OutboxMail>, StoreError> {
        let mut state = self.lock()?;
        let mut due: Vec<usize> = (0..state.outbox.len())
            .filter(|&i| state.outbox[i].is_due(now))
            .collect();
        // Stable: mails queued at the same instant keep their queueing order.
        due.sort_by_key(|&i| state.outbox[i].mail.created_at);
        due.truncate(limit);
        due.into_iter().map(|i| state.claim_at(i, lease_until)).collect()
    }

    async fn claim_mail_by_id(
        &self,
        id: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<OutboxMail>, StoreError> {
        let mut state = self.lock()?;
        match state.outbox.iter().position(|q| q.mail.id == id && q.is_due(now)) {
            Some(position) => state.claim_at(position, lease_until).map(Some),
            None => Ok(None),
        }
    }

    /// An unknown id is not an error: the mail may have gone with its user.
    async fn mark_mail_sent(&self, id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        if let Some(queued) = self.lock()?.pending_mail(id) {
            queued.status = MailStatus::Sent;
            queued.sent_at = Some(now);
            queued.leased_until = None;
        }
        Ok(())
    }

    /// An unknown id is not an error: the mail may have gone with its user.
    /// When a mail was given up (`now`) is for people reading a database;
    /// the port never reads it back, so the memory store does not keep it.
    async fn mark_mail_failed(
        &self,
        id: &str,
        retry_at: Option<DateTime<Utc>>,
        _error: &str,
        _now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if let Some(queued) = self.lock()?.pending_mail(id) {
            queued.leased_until = None;
            match retry_at {
                Some(at) => queued.retry_at = Some(at),
                None => queued.status = MailStatus::GivenUp,
            }
        }
        Ok(())
    }

    async fn outbox_backlog(&self) -> Result<u64, StoreError> {
        let pending = self
            .lock()?
            .outbox
            .iter()
            .filter(|q| q.status == MailStatus::Pending)
            .count();
        u64::try_from(pending).map_err(StoreError::unexpected)
    }

    async fn oldest_queued_mail(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(self
            .lock()?
            .outbox
            .iter()
            .filter(|q| q.status == MailStatus::Pending)
            .map(|q| q.mail.created_at)
            .min())
    }
}
