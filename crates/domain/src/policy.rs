//! Policies (terms, privacy, cookies…): published revisions with texts per
//! language, and which of them a user still has to accept.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use crate::Language;

/// A revision id; clients send them as integers (`"policies": [13, 10]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct RevisionId(pub i32);

/// A policy type: `tac`, `privacy`, `cookie`, `shop`, or another lowercase name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct PolicyType(String);

impl PolicyType {
    /// 1 to 32 of `a-z 0-9 _ -`, lowercased.
    pub fn parse(input: &str) -> Option<Self> {
        crate::text::lowercase_name(input).map(Self)
    }
}

crate::text::text_value!(PolicyType, Display);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyText {
    pub title: String,
    pub description: String,
    pub button: String,
    pub html: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRevision {
    pub id: RevisionId,
    pub policy_type: PolicyType,
    pub version: String,
    pub published_at: DateTime<Utc>,
    pub texts: BTreeMap<Language, PolicyText>,
}

impl PolicyRevision {
    /// The text in `language`, else in `fallback`, else English, else any.
    pub fn text(&self, language: Language, fallback: Language) -> Option<(Language, &PolicyText)> {
        [language, fallback, Language::EN]
            .into_iter()
            .find_map(|l| self.texts.get(&l).map(|t| (l, t)))
            .or_else(|| self.texts.iter().next().map(|(l, t)| (*l, t)))
    }
}

/// The current revision of every type: the latest published (ties: highest id).
/// Sorted by type.
pub fn current_revisions(all: &[PolicyRevision]) -> Vec<&PolicyRevision> {
    let mut current: BTreeMap<&PolicyType, &PolicyRevision> = BTreeMap::new();
    for revision in all {
        let newer = current
            .get(&revision.policy_type)
            .is_none_or(|c| (revision.published_at, revision.id) > (c.published_at, c.id));
        if newer {
            current.insert(&revision.policy_type, revision);
        }
    }
    current.into_values().collect()
}

/// Current revisions of the required types that `accepted` lacks, by id.
pub fn pending_revisions(
    all: &[PolicyRevision],
    required: &[PolicyType],
    accepted: &BTreeSet<RevisionId>,
) -> Vec<RevisionId> {
    let mut pending: Vec<RevisionId> = current_revisions(all)
        .into_iter()
        .filter(|r| required.contains(&r.policy_type) && !accepted.contains(&r.id))
        .map(|r| r.id)
        .collect();
    pending.sort();
    pending
}

/// Required types that have no published revision at all, so cannot be accepted.
pub fn unpublished_required<'a>(all: &[PolicyRevision], required: &'a [PolicyType]) -> Vec<&'a PolicyType> {
    required
        .iter()
        .filter(|t| !all.iter().any(|r| &r.policy_type == *t))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn rev(id: i32, t: &str, day: u32) -> PolicyRevision {
        PolicyRevision {
            id: RevisionId(id),
            policy_type: PolicyType::parse(t).expect("type"),
            version: format!("{id}"),
            published_at: Utc.with_ymd_and_hms(2026, 1, day, 0, 0, 0).single().expect("date"),
            texts: BTreeMap::new(),
        }
    }

    #[test]
    fn the_latest_revision_of_each_type_is_current_and_pending_until_accepted() {
        let all = vec![
            rev(1, "tac", 1),
            rev(2, "privacy", 1),
            rev(3, "tac", 2),
            rev(4, "cookie", 3),
        ];
        let ids: Vec<i32> = current_revisions(&all).iter().map(|r| r.id.0).collect();
        assert_eq!(ids, vec![4, 2, 3]);
        let required = vec![
            PolicyType::parse("tac").expect("t"),
            PolicyType::parse("privacy").expect("t"),
        ];
        let accepted: BTreeSet<_> = [RevisionId(1), RevisionId(2)].into();
        assert_eq!(pending_revisions(&all, &required, &accepted), vec![RevisionId(3)]);
    }

    #[test]
    fn policy_types_are_simple_lowercase_names() {
        assert_eq!(PolicyType::parse("TAC").map(|t| t.0), Some("tac".into()));
        assert!(PolicyType::parse("a b").is_none());
        assert!(PolicyType::parse("").is_none());
    }
}
