//! [`ExportStore`]: everything held about one user, read in one snapshot
//! ([`Backend::snapshot`](crate::backend::Backend::snapshot)) after its
//! `user.exported` event is written in the same transaction. Only columns
//! without a secret are selected: no token or code hash, no sealed TOTP
//! secret, no passkey credential.

use async_trait::async_trait;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use registrar_domain::{AuditEvent, ClientId, UserId};
use registrar_store::{
    ExportStore, ExportedConsent, ExportedMail, ExportedPasskey, ExportedTotp, MailState, OutboxKind, StoreError,
    UserExport,
};

use crate::admin_users::AcceptedReads;
use crate::audit::{AuditRow, AuditWrites};
use crate::authorization::BrowserSessionRow;
use crate::backend::run;
use crate::error::corrupt;
use crate::rows::{from_db, scopes_of, SessionRow, UserRow};
use crate::schema::{
    audit_events, browser_sessions, oauth_consents, outbox, passkeys, recovery_codes, sessions, totp_factors, users,
};
use crate::DieselStore;

/// An `outbox` row as exported: kind and times.
type MailRow = (
    String,
    String,
    NaiveDateTime,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
);

fn exported_mail((id, kind, created_at, sent_at, given_up_at): MailRow) -> Result<ExportedMail, crate::error::Failure> {
    let kind = OutboxKind::parse(&kind).ok_or_else(|| corrupt("outbox", &id, "kind"))?;
    let state = match (sent_at, given_up_at) {
        (Some(_), _) => MailState::Sent,
        (None, Some(_)) => MailState::GivenUp,
        (None, None) => MailState::Queued,
    };
    Ok(ExportedMail {
        kind,
        queued_at: from_db(created_at),
        state,
        sent_at: sent_at.map(from_db),
    })
}

#[async_trait]
impl ExportStore for DieselStore {
    async fn export_user(&self, user: &UserId, audit: &[AuditEvent]) -> Result<Option<UserExport>, StoreError> {
        let user = user.as_str().to_owned();
        let audit = audit.to_vec();
        run!(self, snapshot, |conn| {
            let Some(account) = users::table
                .find(&user)
                .select(UserRow::as_select())
                .first::<UserRow>(conn)
                .optional()?
            else {
                return Ok(None);
            };
            conn.record_in(&audit)?;
            let sessions = sessions::table
                .filter(sessions::user_id.eq(&user))
                .order((sessions::created_at.asc(), sessions::id.asc()))
                .select(SessionRow::as_select())
                .load::<SessionRow>(conn)?
                .into_iter()
                .map(SessionRow::into_session)
                .collect::<Result<Vec<_>, _>>()?;
            let browser_sessions = browser_sessions::table
                .filter(browser_sessions::user_id.eq(&user))
                .order((browser_sessions::auth_time.asc(), browser_sessions::id.asc()))
                .select(BrowserSessionRow::as_select())
                .load::<BrowserSessionRow>(conn)?
                .into_iter()
                .map(BrowserSessionRow::into_session)
                .collect::<Result<Vec<_>, _>>()?;
            let accepted = conn.accepted_revisions_in(&user)?;
            let totp = totp_factors::table
                .find(&user)
                .select((totp_factors::created_at, totp_factors::confirmed_at))
                .first::<(NaiveDateTime, Option<NaiveDateTime>)>(conn)
                .optional()?
                .map(|(created_at, confirmed_at)| ExportedTotp {
                    created_at: from_db(created_at),
                    confirmed_at: confirmed_at.map(from_db),
                });
            let left: i64 = recovery_codes::table
                .filter(recovery_codes::user_id.eq(&user))
                .filter(recovery_codes::used_at.is_null())
                .count()
                .get_result(conn)?;
            let passkeys = passkeys::table
                .filter(passkeys::user_id.eq(&user))
                .order((passkeys::created_at.asc(), passkeys::id.asc()))
                .select((
                    passkeys::id,
                    passkeys::name,
                    passkeys::created_at,
                    passkeys::last_used_at,
                ))
                .load::<(String, String, NaiveDateTime, Option<NaiveDateTime>)>(conn)?
                .into_iter()
                .map(|(id, name, created_at, last_used_at)| ExportedPasskey {
                    id,
                    name,
                    created_at: from_db(created_at),
                    last_used_at: last_used_at.map(from_db),
                })
                .collect();
            let consents = oauth_consents::table
                .filter(oauth_consents::user_id.eq(&user))
                .order(oauth_consents::client_id.asc())
                .select((
                    oauth_consents::client_id,
                    oauth_consents::scope,
                    oauth_consents::granted_at,
                ))
                .load::<(String, String, NaiveDateTime)>(conn)?
                .into_iter()
                .map(|(client, scope, granted_at)| {
                    let bad = |what: &str| corrupt("oauth_consents", &user, what);
                    Ok(ExportedConsent {
                        client: ClientId::parse(&client).ok_or_else(|| bad("client_id"))?,
                        scope: scopes_of(&scope).map_err(|_| bad("scope"))?,
                        granted_at: from_db(granted_at),
                    })
                })
                .collect::<Result<Vec<_>, crate::error::Failure>>()?;
            let mails = outbox::table
                .filter(outbox::user_id.eq(&user))
                .order((outbox::created_at.asc(), outbox::id.asc()))
                .select((
                    outbox::id,
                    outbox::kind,
                    outbox::created_at,
                    outbox::sent_at,
                    outbox::given_up_at,
                ))
                .load::<MailRow>(conn)?
                .into_iter()
                .map(exported_mail)
                .collect::<Result<Vec<_>, _>>()?;
            let events = audit_events::table
                .filter(audit_events::user_id.eq(&user))
                .order(audit_events::seq.asc())
                .select(AuditRow::as_select())
                .load::<AuditRow>(conn)?
                .into_iter()
                .map(AuditRow::into_record)
                .collect::<Result<Vec<_>, _>>()?;
            let mut account = account.into_user()?;
            let has_password = account.password_hash.take().is_some();
            Ok(Some(UserExport {
                user: account,
                has_password,
                sessions,
                browser_sessions,
                accepted,
                totp,
                recovery_codes_left: u32::try_from(left).unwrap_or(u32::MAX),
                passkeys,
                consents,
                mails,
                events,
            }))
        })
    }
}
