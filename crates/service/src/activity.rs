//! `GET /api/me/activity`: the caller's own security events of the last
//! 90 days, newest first, a page at a time.

use chrono::{DateTime, Duration, Utc};
use registrar_domain::audit::approximate_place;
use registrar_domain::AuditKind;
use registrar_mail::Mailer;
use registrar_store::{AuditCursor, AuditFilter, Store};

use crate::{AuthContext, Field, FieldError, FieldErrors, Registrar, ServiceError};

/// How far back the activity list goes.
pub const ACTIVITY_DAYS: i64 = 90;
/// Events per page when the caller names no `limit`.
pub const ACTIVITY_DEFAULT_LIMIT: usize = 50;
/// The most events a page holds (a larger `limit` is cut to it).
pub const ACTIVITY_MAX_LIMIT: usize = 200;

/// One event as its user sees it: nothing secret, no other user's data,
/// the place only approximately.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityEntry {
    pub kind: AuditKind,
    pub at: DateTime<Utc>,
    pub device_name: Option<String>,
    pub client_id: Option<String>,
    /// The network of the stored address (`203.0.113.0/24`); `None` when
    /// addresses are kept hashed or there was none.
    pub place: Option<String>,
    pub method: Option<String>,
    pub factor: Option<String>,
    pub reason: Option<String>,
}

/// A page of the list, and where the next one starts (`None`: this was the last).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityPage {
    pub entries: Vec<ActivityEntry>,
    pub next_cursor: Option<i64>,
}

/// `cursor` (a position given by an earlier page) and `limit` as the query
/// string gave them: integers, else `Invalid`.
fn parse_paging(cursor: Option<&str>, limit: Option<&str>) -> Result<(Option<i64>, usize), ServiceError> {
    let mut errors = FieldErrors::default();
    let cursor = match cursor {
        None => None,
        Some(text) => match text.parse::<i64>() {
            Ok(seq) if seq > 0 => Some(seq),
            _ => {
                errors.add(Field::Cursor, FieldError::NotAnInteger);
                None
            }
        },
    };
    let limit = match limit {
        None => ACTIVITY_DEFAULT_LIMIT,
        Some(text) => match text.parse::<usize>() {
            Ok(n) => n.clamp(1, ACTIVITY_MAX_LIMIT),
            Err(_) => {
                errors.add(Field::Limit, FieldError::NotAnInteger);
                ACTIVITY_DEFAULT_LIMIT
            }
        },
    };
    errors.into_result()?;
    Ok((cursor, limit))
}

impl<S: Store, M: Mailer> Registrar<S, M> {
    /// The caller's own events of the last [`ACTIVITY_DAYS`] days, newest
    /// first, from before `cursor`, at most `limit` ([`ACTIVITY_DEFAULT_LIMIT`],
    /// cut to [`ACTIVITY_MAX_LIMIT`]).
    pub async fn activity(
        &self,
        ctx: &AuthContext,
        cursor: Option<&str>,
        limit: Option<&str>,
    ) -> Result<ActivityPage, ServiceError> {
        let (cursor, limit) = parse_paging(cursor, limit)?;
        let filter = AuditFilter {
            user: Some(ctx.user.id.clone()),
            from: Some(self.now() - Duration::days(ACTIVITY_DAYS)),
            ..AuditFilter::default()
        };
        let mut records = self
            .store
            .audit_events(&filter, AuditCursor::Before(cursor), limit + 1)
            .await?;
        let more = records.len() > limit;
        records.truncate(limit);
        let next_cursor = if more { records.last().map(|r| r.seq) } else { None };
        let entries = records
            .into_iter()
            .map(|record| {
                let event = record.event;
                let field = |key: &str| event.data.get(key).cloned();
                ActivityEntry {
                    kind: event.kind,
                    at: event.at,
                    device_name: event.device_name.clone(),
                    client_id: event.client.as_ref().map(|c| c.as_str().to_owned()),
                    place: event.ip.as_deref().and_then(approximate_place),
                    method: field("method"),
                    factor: field("factor"),
                    reason: field("reason"),
                }
            })
            .collect();
        Ok(ActivityPage { entries, next_cursor })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_is_read_from_integers_only() {
        assert_eq!(parse_paging(None, None).ok(), Some((None, ACTIVITY_DEFAULT_LIMIT)));
        assert_eq!(
            parse_paging(Some("12"), Some("500")).ok(),
            Some((Some(12), ACTIVITY_MAX_LIMIT))
        );
        assert_eq!(parse_paging(None, Some("0")).ok(), Some((None, 1)));
        assert!(parse_paging(Some("x"), None).is_err());
        assert!(parse_paging(Some("-3"), None).is_err());
        assert!(parse_paging(None, Some("1\n")).is_err());
    }
}
