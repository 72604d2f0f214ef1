//! [`PolicyStore`]: policy revisions with their texts, and acceptances.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use registrar_domain::{AuditEvent, Language, PolicyRevision, PolicyType, RevisionId, UserId};
use registrar_store::{NewPolicyRevision, PolicyStanding, PolicyStore, StoreError};

use crate::audit::AuditWrites;
use crate::backend::{for_each_backend, run};
use crate::bulk::{BulkInsert, NewAcceptanceRow};
use crate::error::{corrupt, not_found_on_foreign_key, Failure};
use crate::rows::{from_db, to_db, NewRevisionRow, RevisionRow, TextRow};
use crate::schema::{policy_acceptances, policy_revisions, policy_texts};
use crate::DieselStore;

/// Acceptance writes shared by registration and [`PolicyStore::accept_policies`].
pub(crate) trait AcceptanceWrites {
    /// Records that `user` accepts `ids` at `now` in `language`; accepting
    /// twice is fine (the first acceptance stays).
    /// [`StoreError::UnknownRevision`] for the first id never published,
    /// [`StoreError::NotFound`] if there is no such user.
    fn accept_in(
        &mut self,
        user: &str,
        ids: &[RevisionId],
        language: Language,
        now: DateTime<Utc>,
    ) -> Result<(), Failure>;

    /// Records acceptances `(user, revision, when)` of users that have none
    /// yet (an import), in a few statements whatever their number.
    /// [`StoreError::UnknownRevision`] for the first revision never published.
    fn accept_many_in(&mut self, acceptances: &[(&str, RevisionId, DateTime<Utc>)]) -> Result<(), Failure>;

    /// [`StoreError::UnknownRevision`] for the first of `ids` never published.
    fn require_published_in(&mut self, ids: &[RevisionId]) -> Result<(), Failure>;
}

for_each_backend! {
    impl AcceptanceWrites for Conn {
        fn accept_in(&mut self, user: &str, ids: &[RevisionId], language: Language, now: DateTime<Utc>) -> Result<(), Failure> {
            if ids.is_empty() {
                return Ok(());
            }
            self.require_published_in(ids)?;
            let accepted_at = to_db(now);
            // One statement for every revision accepted.
            let rows: Vec<_> = ids
                .iter()
                .map(|id| {
                    (
                        policy_acceptances::user_id.eq(user),
                        policy_acceptances::revision_id.eq(id.0),
                        policy_acceptances::accepted_at.eq(accepted_at),
                        policy_acceptances::language.eq(Some(language.code())),
                    )
                })
                .collect();
            diesel::insert_into(policy_acceptances::table)
                .values(&rows)
                .on_conflict_do_nothing()
                .execute(self)
                .map_err(not_found_on_foreign_key)?;
            Ok(())
        }

        fn accept_many_in(&mut self, acceptances: &[(&str, RevisionId, DateTime<Utc>)]) -> Result<(), Failure> {
            let ids: BTreeSet<RevisionId> = acceptances.iter().map(|(_, id, _)| *id).collect();
            self.require_published_in(&ids.into_iter().collect::<Vec<_>>())?;
            let rows: Vec<NewAcceptanceRow<'_>> = acceptances
                .iter()
                .map(|(user, id, at)| NewAcceptanceRow {
                    user_id: user,
                    revision_id: id.0,
                    accepted_at: to_db(*at),
                    language: None,
                })
                .collect();
            self.insert_acceptances(&rows).map_err(not_found_on_foreign_key)?;
            Ok(())
        }

        fn require_published_in(&mut self, ids: &[RevisionId]) -> Result<(), Failure> {
            if ids.is_empty() {
                return Ok(());
            }
            // Revisions are never deleted, so a check inside the transaction
            // holds until it commits.
            let wanted: Vec<i32> = ids.iter().map(|id| id.0).collect();
            let published: BTreeSet<i32> = policy_revisions::table
                .filter(policy_revisions::id.eq_any(&wanted))
                .select(policy_revisions::id)
                .load::<i32>(self)?
                .into_iter()
                .collect();
            match ids.iter().find(|id| !published.contains(&id.0)) {
                Some(unknown) => Err(StoreError::UnknownRevision(*unknown).into()),
                None => Ok(()),
            }
        }
    }
}

/// A [`PolicyStanding`] from every revision (id, type, published at), each
/// with the user's acceptance of it if there is one: the rows of
/// [`PolicyStore::policy_standing`] and of `session_with_standing`.
pub(crate) fn standing_from(
    rows: impl IntoIterator<Item = (i32, String, NaiveDateTime, Option<i32>)>,
) -> Result<PolicyStanding, Failure> {
    let mut accepted = BTreeSet::new();
    let mut revisions = Vec::new();
    for (id, policy_type, published_at, acceptance) in rows {
        if acceptance.is_some() {
            accepted.insert(RevisionId(id));
        }
        revisions.push(PolicyRevision {
            id: RevisionId(id),
            policy_type: PolicyType::parse(&policy_type)
                .ok_or_else(|| corrupt("policy_revisions", &id.to_string(), "type"))?,
            texts: BTreeMap::new(),
            version: String::new(),
            published_at: from_db(published_at),
        });
    }
    let mut current: Vec<_> = registrar_domain::policy::current_revisions(&revisions)
        .into_iter()
        .map(|r| (r.id, r.policy_type.clone()))
        .collect();
    current.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(PolicyStanding { current, accepted })
}

#[async_trait]
impl PolicyStore for DieselStore {
    async fn publish_policy(
        &self,
        revision: NewPolicyRevision,
        audit: &[AuditEvent],
    ) -> Result<PolicyRevision, StoreError> {
        let audit = audit.to_vec();
        run!(self, write, |conn| {
            let id: i32 = diesel::insert_into(policy_revisions::table)
                .values(NewRevisionRow {
                    policy_type: revision.policy_type.as_str(),
                    version: &revision.version,
                    published_at: to_db(revision.published_at),
                })
                .returning(policy_revisions::id)
                .get_result(conn)?;
            for (language, text) in &revision.texts {
                diesel::insert_into(policy_texts::table)
                    .values(TextRow::new(id, *language, text))
                    .execute(conn)?;
            }
            conn.record_in(&audit)?;
            Ok(PolicyRevision {
                id: RevisionId(id),
                policy_type: revision.policy_type,
                version: revision.version,
                // As stored, so that it equals what policy_revisions() answers.
                published_at: from_db(to_db(revision.published_at)),
                texts: revision.texts,
            })
        })
    }

    async fn policy_revisions(&self) -> Result<Vec<PolicyRevision>, StoreError> {
        // One statement (no transaction's `BEGIN` and `COMMIT`, which a
        // registration paid for on PostgreSQL): each revision with each of
        // its texts, a revision without any on a row of its own.
        run!(self, statement, |conn| {
            let rows: Vec<(RevisionRow, Option<TextRow>)> = policy_revisions::table
                .left_join(policy_texts::table)
                .order(policy_revisions::id.asc())
                .select((RevisionRow::as_select(), Option::<TextRow>::as_select()))
                .load(conn)?;
            let mut revisions: Vec<PolicyRevision> = Vec::new();
            for (row, text) in rows {
                if revisions.last().is_none_or(|last| last.id.0 != row.id) {
                    revisions.push(PolicyRevision {
                        id: RevisionId(row.id),
                        policy_type: row.policy_type()?,
                        texts: BTreeMap::new(),
                        version: row.version,
                        published_at: from_db(row.published_at),
                    });
                }
                if let (Some(text), Some(revision)) = (text, revisions.last_mut()) {
                    let (language, text) = text.into_text()?;
                    revision.texts.insert(language, text);
                }
            }
            Ok(revisions)
        })
    }

    async fn accept_policies(
        &self,
        user: &UserId,
        ids: &[RevisionId],
        language: Language,
        now: DateTime<Utc>,
        audit: &[AuditEvent],
    ) -> Result<(), StoreError> {
        let user = user.as_str().to_owned();
        let ids = ids.to_vec();
        let audit = audit.to_vec();
        run!(self, write, |conn| {
            conn.accept_in(&user, &ids, language, now)?;
            conn.record_in(&audit)
        })
    }

    async fn policy_standing(&self, user: &UserId) -> Result<PolicyStanding, StoreError> {
        let user = user.as_str().to_owned();
        // One statement: every revision, left-joined with the user's acceptance of it.
        run!(self, statement, |conn| {
            let rows: Vec<(i32, String, NaiveDateTime, Option<i32>)> = policy_revisions::table
                .left_join(
                    policy_acceptances::table.on(policy_acceptances::revision_id
                        .eq(policy_revisions::id)
                        .and(policy_acceptances::user_id.eq(&user))),
                )
                .select((
                    policy_revisions::id,
                    policy_revisions::policy_type,
                    policy_revisions::published_at,
                    policy_acceptances::revision_id.nullable(),
                ))
                .load(conn)?;
            standing_from(rows)
        })
    }

    async fn accepted_policies(&self, user: &UserId) -> Result<BTreeSet<RevisionId>, StoreError> {
        let user = user.as_str().to_owned();
        run!(self, statement, |conn| {
            let ids: Vec<i32> = policy_acceptances::table
                .filter(policy_acceptances::user_id.eq(&user))
                .select(policy_acceptances::revision_id)
                .load(conn)?;
            Ok(ids.into_iter().map(RevisionId).collect())
        })
    }
}
