//! Policies: what is current, and what a user has accepted.

use registrar_domain::policy::{current_revisions, pending_revisions};
use registrar_domain::{AuditKind, Language, PolicyRevision, PolicyType, RevisionId};
use registrar_mail::Mailer;
use registrar_store::{NewPolicyRevision, Store};

use crate::{AuthContext, Field, FieldErrors, Registrar, ServiceError};

/// The current revision of a type, and whether accepting it is required.
#[derive(Debug, Clone)]
pub struct CurrentPolicy {
    pub revision: PolicyRevision,
    pub required: bool,
}

/// A user's policy state after accepting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acceptance {
    /// Every revision the user has accepted.
    pub accepted: Vec<RevisionId>,
    /// Current revisions of required types not yet accepted.
    pub pending: Vec<RevisionId>,
}

impl<S: Store, M: Mailer> Registrar<S, M> {
    fn is_required(&self, policy_type: &PolicyType) -> bool {
        self.settings.required_policy_types.contains(policy_type)
    }

    /// The current revision of every published type.
    pub async fn current_policies(&self) -> Result<Vec<CurrentPolicy>, ServiceError> {
        let all = self.store.policy_revisions().await?;
        Ok(current_revisions(&all)
            .into_iter()
            .map(|r| CurrentPolicy {
                required: self.is_required(&r.policy_type),
                revision: r.clone(),
            })
            .collect())
    }

    /// The current revision of one type; `NotFound` if none was published.
    pub async fn current_policy(&self, policy_type: &str) -> Result<CurrentPolicy, ServiceError> {
        let wanted = PolicyType::parse(policy_type).ok_or(ServiceError::NotFound)?;
        self.current_policies()
            .await?
            .into_iter()
            .find(|p| p.revision.policy_type == wanted)
            .ok_or(ServiceError::NotFound)
    }

    /// `POST /api/policies/accept`. At most [`MAX_POLICY_IDS`] entries;
    /// recorded as accepted in `requested`, the language the request asked
    /// for, else in the account's language.
    pub async fn accept_policies(
        &self,
        ctx: &AuthContext,
        ids: Option<Vec<Option<i32>>>,
        requested: Option<Language>,
    ) -> Result<Acceptance, ServiceError> {
        let all = self.store.policy_revisions().await?;
        let mut errors = FieldErrors::default();
        match &ids {
            None => errors.add(Field::Policies, crate::FieldError::Required),
            Some(list) if list.is_empty() => errors.add(Field::Policies, crate::FieldError::Required),
            Some(_) => {}
        }
        let mut wanted = Vec::new();
        if !list_too_long(&mut errors, &ids) {
            let mut unknown = std::collections::BTreeSet::new();
            let mut malformed = false;
            for entry in ids.iter().flatten() {
                match entry {
                    None => malformed = true,
                    Some(id) if all.iter().any(|r| r.id.0 == *id) => wanted.push(RevisionId(*id)),
                    Some(id) => {
                        unknown.insert(*id);
                    }
                }
            }
            if malformed {
                errors.add(Field::Policies, crate::FieldError::InvalidPolicyId);
            }
            for id in unknown {
                errors.add(Field::Policies, crate::FieldError::UnknownPolicy(id));
            }
        }
        errors.into_result()?;
        wanted.sort();
        wanted.dedup();
        let audit = [self
            .session_event(AuditKind::PolicyAccepted, &ctx.user, &ctx.session)
            .with("revisions", crate::account::revision_list(&wanted))];
        self.store
            .accept_policies(
                &ctx.user.id,
                &wanted,
                requested.unwrap_or(ctx.user.language),
                self.now(),
                &audit,
            )
            .await?;
        let accepted = self.store.accepted_policies(&ctx.user.id).await?;
        let pending = pending_revisions(&all, &self.settings.required_policy_types, &accepted);
        Ok(Acceptance {
            accepted: accepted.into_iter().collect(),
            pending,
        })
    }

    /// Publishes a revision (by the CLI); it becomes the current one of its type.
    pub async fn publish_policy(&self, revision: NewPolicyRevision) -> Result<PolicyRevision, ServiceError> {
        self.publish_policy_as(&registrar_domain::Actor::Cli, revision).await
    }

    /// Publishes a revision by `actor`, recorded as an `admin.action`
    /// `policy.published` (target `type version`).
    pub async fn publish_policy_as(
        &self,
        actor: &registrar_domain::Actor,
        revision: NewPolicyRevision,
    ) -> Result<PolicyRevision, ServiceError> {
        let target = format!("{} {}", revision.policy_type.as_str(), revision.version);
        let audit = self.admin_action(actor, "policy.published", &target);
        Ok(self.store.publish_policy(revision, &[audit]).await?)
    }

    /// Publishes the policy file `source` (see [`crate::policy_file`]) by
    /// `actor`, without reading any `html_file` (the admin API's way). The
    /// inner error says why the file is refused; nothing is published then.
    pub async fn publish_policy_source(
        &self,
        actor: &registrar_domain::Actor,
        source: &str,
        format: crate::policy_file::PolicyFormat,
        offered: &[registrar_domain::Language],
    ) -> Result<Result<PolicyRevision, String>, ServiceError> {
        let no_files = |_: &str| Err("not accepted here: give html".to_owned());
        match crate::policy_file::parse(source, format, offered, no_files, self.now()) {
            Ok(revision) => Ok(Ok(self.publish_policy_as(actor, revision).await?)),
            Err(reason) => Ok(Err(reason)),
        }
    }

    /// Every revision ever published.
    pub async fn policy_revisions(&self) -> Result<Vec<PolicyRevision>, ServiceError> {
        Ok(self.store.policy_revisions().await?)
    }
}

/// The longest policy list a request may carry: there are a handful of
/// policy types; a longer list is an error of its own, not one per entry.
pub const MAX_POLICY_IDS: usize = 100;

/// Adds [`FieldError::TooManyItems`](crate::FieldError::TooManyItems) for a list over [`MAX_POLICY_IDS`].
pub(crate) fn list_too_long(errors: &mut FieldErrors, given: &Option<Vec<Option<i32>>>) -> bool {
    let too_long = given.as_ref().is_some_and(|l| l.len() > MAX_POLICY_IDS);
    if too_long {
        errors.add(Field::Policies, crate::FieldError::TooManyItems { max: MAX_POLICY_IDS });
    }
    too_long
}
