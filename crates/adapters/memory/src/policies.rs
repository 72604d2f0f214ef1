//! Policy revisions and who accepted which.

use std::collections::BTreeSet;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use registrar_domain::{AuditEvent, Language, PolicyRevision, RevisionId, UserId};
use registrar_store::{NewPolicyRevision, PolicyStanding, PolicyStore, StoreError};

use crate::MemoryStore;

#[async_trait]
impl PolicyStore for MemoryStore {
    async fn publish_policy(
        &self,
        revision: NewPolicyRevision,
        audit: &[AuditEvent],
    ) -> Result<PolicyRevision, StoreError> {
        let mut state = self.lock()?;
        let next = state
            .last_revision_id
            .checked_add(1)
            .ok_or_else(|| StoreError::unexpected("policy revision ids exhausted"))?;
        state.last_revision_id = next;
        let published = PolicyRevision {
            id: RevisionId(next),
            policy_type: revision.policy_type,
            version: revision.version,
            published_at: revision.published_at,
            texts: revision.texts,
        };
        state.policies.insert(published.id, published.clone());
        state.record(audit);
        Ok(published)
    }

    async fn policy_revisions(&self) -> Result<Vec<PolicyRevision>, StoreError> {
        Ok(self.lock()?.policies.values().cloned().collect())
    }

    async fn accept_policies(
        &self,
        user: &UserId,
        ids: &[RevisionId],
        language: Language,
        now: DateTime<Utc>,
        audit: &[AuditEvent],
    ) -> Result<(), StoreError> {
        let mut state = self.lock()?;
        if let Some(unknown) = state.unknown_revision(ids) {
            return Err(StoreError::UnknownRevision(unknown));
        }
        state.require_user(user)?;
        let acceptances = state.acceptances.entry(user.clone()).or_default();
        for id in ids {
            acceptances.entry(*id).or_insert((now, Some(language)));
        }
        state.record(audit);
        Ok(())
    }

    async fn policy_standing(&self, user: &UserId) -> Result<PolicyStanding, StoreError> {
        let state = self.lock()?;
        let all: Vec<_> = state.policies.values().cloned().collect();
        let mut current: Vec<_> = registrar_domain::policy::current_revisions(&all)
            .into_iter()
            .map(|r| (r.id, r.policy_type.clone()))
            .collect();
        current.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(PolicyStanding {
            current,
            accepted: state
                .acceptances
                .get(user)
                .map(|a| a.keys().copied().collect())
                .unwrap_or_default(),
        })
    }

    async fn accepted_policies(&self, user: &UserId) -> Result<BTreeSet<RevisionId>, StoreError> {
        Ok(self
            .lock()?
            .acceptances
            .get(user)
            .map(|a| a.keys().copied().collect())
            .unwrap_or_default())
    }
}
