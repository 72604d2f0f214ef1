//! [`UserStore`]: accounts, and registration as one transaction.

use std::collections::BTreeSet;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use registrar_domain::{
    AuditEvent, ConfirmationPurpose, Email, Language, PasswordHash, Profile, RevisionId, Role, Sealed, User, UserId,
};
use registrar_store::{
    ImportedUser, NewMfaToken, NewOutboxMail, NewSession, NewUser, Registration, StoreError, UserStore,
};

use crate::admin_users::Erasure;
use crate::audit::AuditWrites;
use crate::backend::{for_each_backend, run, Backend, UniqueRow};
use crate::bulk::{BulkInsert, IndexCatalog};
use crate::confirmations::ConfirmationSteps;
use crate::error::{duplicate_email_on_unique, Failure};
use crate::factors::FactorWrites;
use crate::invites::InviteWrites;
use crate::outbox::OutboxWrites;
use crate::policies::AcceptanceWrites;
use crate::rows::{NewConfirmationRow, NewSessionRow, NewUserRow, ProfileColumns, UserRow};
use crate::schema::{confirmations, sessions, users};
use crate::sessions::{credential_holds, SessionWrites};
use crate::DieselStore;

/// A new user's consent, written apart from the insert: the insert names
/// only the columns every schema since the first release has.
trait ConsentWrite {
    fn set_consent_in(&mut self, user: &NewUser) -> Result<(), Failure>;
}

for_each_backend! {
    impl ConsentWrite for Conn {
        fn set_consent_in(&mut self, user: &NewUser) -> Result<(), Failure> {
            if let Some(consent) = user.consent {
                diesel::update(users::table.find(user.id.as_str()))
                    .set(users::consent.eq(consent))
                    .execute(self)?;
            }
            Ok(())
        }
    }
}

#[async_trait]
impl UserStore for DieselStore {
    async fn import_users(&self, users: Vec<ImportedUser>) -> Result<u64, StoreError> {
        /// Accounts per INSERT: well under SQLite's 32,766 bound variables.
        const CHUNK: usize = 1000;
        // One transaction for every chunk: a failure in the last one (a
        // taken address, an unknown revision) rolls back the first.
        run!(self, bulk_write, |conn| {
            // Into an empty account table (a new installation moving its
            // users in) the plain indexes of the two tables that grow most
            // are built after the load (see `bulk.rs`): on PostgreSQL that
            // locks them until the end, which nobody notices there yet.
            let empty =
                !diesel::select(diesel::dsl::exists(users::table.select(users::id))).get_result::<bool>(conn)?;
            let set_aside = if empty && !users.is_empty() {
                conn.set_aside_indexes(&["users", "audit_events"])?
            } else {
                Vec::new()
            };
            for chunk in users.chunks(CHUNK) {
                let rows: Vec<NewUserRow<'_>> = chunk.iter().map(|i| NewUserRow::new(&i.user)).collect();
                conn.insert_users(&rows).map_err(duplicate_email_on_unique)?;
                for imported in chunk {
                    conn.set_consent_in(&imported.user)?;
                }
                let acceptances: Vec<(&str, RevisionId, DateTime<Utc>)> = chunk
                    .iter()
                    .flat_map(|i| {
                        i.accepted_policies
                            .iter()
                            .map(move |id| (i.user.id.as_str(), *id, i.user.created_at))
                    })
                    .collect();
                conn.accept_many_in(&acceptances)?;
                let events: Vec<AuditEvent> = chunk.iter().flat_map(|i| i.audit.iter().cloned()).collect();
                conn.record_in(&events)?;
                let sessions: Vec<NewSessionRow<'_>> = chunk
                    .iter()
                    .filter_map(|i| i.session.as_ref().map(NewSessionRow::new))
                    .collect();
                if !sessions.is_empty() {
                    diesel::insert_into(sessions::table).values(&sessions).execute(conn)?;
                }
                for session in chunk.iter().filter_map(|i| i.session.as_ref()) {
                    conn.set_scope_in(session)?;
                }
                let totp: Vec<(&str, &Sealed, DateTime<Utc>)> = chunk
                    .iter()
                    .filter_map(|i| Some((i.user.id.as_str(), i.totp.as_ref()?, i.user.created_at)))
                    .collect();
                let tokens: Vec<&NewMfaToken> = chunk.iter().filter_map(|i| i.mfa_token.as_ref()).collect();
                conn.import_factors_in(&totp, &tokens)?;
            }
            conn.rebuild_indexes(&set_aside)?;
            Ok(users.len() as u64)
        })
    }

    async fn taken_emails(&self, emails: &[Email]) -> Result<BTreeSet<String>, StoreError> {
        /// Addresses per query.
        const CHUNK: usize = 1000;
        let wanted: Vec<String> = emails.iter().map(|e| e.normalized().to_owned()).collect();
        run!(self, read, |conn| {
            let mut taken = BTreeSet::new();
            for chunk in wanted.chunks(CHUNK) {
                taken.extend(
                    users::table
                        .filter(users::email_normalized.eq_any(chunk))
                        .select(users::email_normalized)
                        .load::<String>(conn)?,
                );
            }
            Ok(taken)
        })
    }

    async fn upgrade_password_hash(
        &self,
        id: &UserId,
        verified: &PasswordHash,
        upgraded: &PasswordHash,
    ) -> Result<bool, StoreError> {
        let id = id.as_str().to_owned();
        let (verified, upgraded) = (verified.0.clone(), upgraded.0.clone());
        // One statement: the comparison and the change are one step.
        run!(self, write_statement, |conn| {
            let changed = diesel::update(
                users::table
                    .filter(users::id.eq(&id))
                    .filter(users::password_hash.eq(&verified)),
            )
            .set(users::password_hash.eq(&upgraded))
            .execute(conn)?;
            Ok(changed == 1)
        })
    }

    async fn refresh_statistics(&self) -> Result<(), StoreError> {
        run!(self, write_statement, |conn| conn.refresh_statistics())
    }

    async fn register(&self, registration: Registration) -> Result<(), StoreError> {
        run!(self, write, |conn| {
            let Registration {
                user,
                accepted_policies,
                session,
                outbox,
                invite,
                max_sessions_per_client,
                audit,
                confirmation,
            } = &registration;
            // The unique constraint decides between racing registrations: on
            // Postgres the second insert waits for the first to commit, then fails.
            diesel::insert_into(users::table)
                .values(NewUserRow::new(user))
                .execute(conn)
                .map_err(duplicate_email_on_unique)?;
            conn.set_consent_in(user)?;
            // The events go in with the account: whatever fails after this
            // point (a used-up invite, an unknown revision) rolls them back too.
            conn.record_in(audit)?;
            // After the user, so that a taken address is reported before a
            // bad invite. On Postgres the use locks the invite's row until
            // commit (see `invites.rs`); a registration that fails later
            // rolls it back with everything else.
            if let Some(invite) = invite {
                conn.use_invite_in(invite.as_str())?;
            }
            conn.accept_in(user.id.as_str(), accepted_policies, user.language, user.created_at)?;
            if let Some(session) = session {
                // The user inserted above is this transaction's alone until
                // it commits: no lock to take, and their password hash is
                // the one just written.
                let stored = user.password_hash.as_ref().map(|hash| hash.0.as_str());
                conn.open_session_on(user.id.as_str(), stored, session, *max_sessions_per_client)?;
            }
            for mail in outbox {
                conn.enqueue_in(mail)?;
            }
            if let Some(confirmation) = confirmation {
                // A new user has no confirmation to replace.
                if confirmation.user_id != user.id {
                    return Err(StoreError::unexpected("a registration's confirmation for another user").into());
                }
                diesel::insert_into(confirmations::table)
                    .values(NewConfirmationRow::new(confirmation))
                    .execute(conn)?;
            }
            Ok(())
        })
    }

    async fn user_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        let normalized = email.normalized().to_owned();
        run!(self, statement, |conn| {
            users::table
                .filter(users::email_normalized.eq(&normalized))
                .select(UserRow::as_select())
                .unique_row::<UserRow>(conn)
                .optional()?
                .map(UserRow::into_user)
                .transpose()
        })
    }

    async fn user_by_id(&self, id: &UserId) -> Result<Option<User>, StoreError> {
        let id = id.as_str().to_owned();
        run!(self, statement, |conn| {
            users::table
                .find(&id)
                .select(UserRow::as_select())
                .unique_row::<UserRow>(conn)
                .optional()?
                .map(UserRow::into_user)
                .transpose()
        })
    }

    async fn update_profile(
        &self,
        id: &UserId,
        profile: &Profile,
        language: Language,
        audit: &[AuditEvent],
    ) -> Result<User, StoreError> {
        let id = id.as_str().to_owned();
        let profile = profile.clone();
        let audit = audit.to_vec();
        run!(self, write, |conn| {
            let user = diesel::update(users::table.find(&id))
                .set(ProfileColumns::new(&profile, language))
                .returning(UserRow::as_returning())
                .get_result::<UserRow>(conn)
                .optional()?
                .ok_or(Failure::Store(StoreError::NotFound))?
                .into_user()?;
            conn.record_in(&audit)?;
            Ok(user)
        })
    }

    async fn set_password(
        &self,
        id: &UserId,
        hash: &PasswordHash,
        keep: Option<NewSession>,
        mail: Option<NewOutboxMail>,
        audit: &[AuditEvent],
    ) -> Result<(), StoreError> {
        let id = id.as_str().to_owned();
        let hash = hash.0.clone();
        let audit = audit.to_vec();
        run!(self, write, |conn| {
            // The password the caller verified must still be the user's:
            // the lock reads it.
            let Some(stored) = conn.lock_user_credential(&id)? else {
                return Err(StoreError::NotFound.into());
            };
            credential_holds(stored.as_deref(), keep.as_ref().and_then(|k| k.credential.as_ref()))?;
            diesel::update(users::table.find(&id))
                .set(users::password_hash.eq(&hash))
                .execute(conn)?;
            conn.sign_out_in(&id)?;
            conn.record_in(&audit)?;
            if let Some(session) = &keep {
                // Checked above, against the password before the change;
                // the user is locked already.
                let session = NewSession {
                    credential: None,
                    ..session.clone()
                };
                conn.open_session_on(&id, None, &session, usize::MAX)?;
            }
            // A reset link mailed for the old password must not outlive it.
            conn.kill_unused_in(&id, ConfirmationPurpose::PasswordReset)?;
            if let Some(mail) = &mail {
                conn.enqueue_in(mail)?;
            }
            Ok(())
        })
    }

    async fn set_disabled(&self, id: &UserId, disabled: bool, audit: &[AuditEvent]) -> Result<(), StoreError> {
        let id = id.as_str().to_owned();
        let audit = audit.to_vec();
        run!(self, write, |conn| {
            // The update takes the user's row lock, as opening a session
            // does: every session opened before this commits is revoked here.
            let was: Option<bool> = users::table
                .find(&id)
                .select(users::disabled)
                .unique_row(conn)
                .optional()?;
            let Some(was) = was else {
                return Err(StoreError::NotFound.into());
            };
            let changed = diesel::update(users::table.find(&id))
                .set(users::disabled.eq(disabled))
                .execute(conn)?;
            if changed == 0 {
                return Err(StoreError::NotFound.into());
            }
            if disabled {
                conn.sign_out_in(&id)?;
            }
            conn.record_if(was != disabled, &audit)?;
            Ok(())
        })
    }

    async fn set_role(&self, id: &UserId, role: &Role, audit: &[AuditEvent]) -> Result<(), StoreError> {
        let id = id.as_str().to_owned();
        let role = role.as_str().to_owned();
        let audit = audit.to_vec();
        run!(self, write, |conn| {
            let was: Option<String> = users::table.find(&id).select(users::role).unique_row(conn).optional()?;
            let Some(was) = was else {
                return Err(StoreError::NotFound.into());
            };
            let changed = diesel::update(users::table.find(&id))
                .set(users::role.eq(&role))
                .execute(conn)?;
            if changed == 0 {
                return Err(StoreError::NotFound.into());
            }
            conn.record_if(was != role, &audit)?;
            Ok(())
        })
    }

    async fn delete_user(&self, id: &UserId, audit: &[AuditEvent]) -> Result<bool, StoreError> {
        let id = id.as_str().to_owned();
        let audit = audit.to_vec();
        // Sessions (and their retired tokens), acceptances, confirmations and
        // queued mails go by cascade; the events are written and then every
        // event about the user anonymized, in the same transaction.
        run!(self, write, |conn| {
            let erased = diesel::delete(users::table.find(&id)).execute(conn)? > 0;
            if erased {
                conn.record_in(&audit)?;
                conn.anonymize_events_in(&id)?;
            }
            Ok(erased)
        })
    }
}
