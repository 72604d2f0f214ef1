//! [`SessionStore`]: sessions, their token hashes and refresh rotation.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl;
use diesel::prelude::*;
use diesel::sql_types::Text;
use registrar_domain::{
    AuditEvent, Client, ClientId, DeviceId, PasswordHash, SecretHash, Session, SessionId, User, UserId,
};
use registrar_store::{NewSession, Rotation, RotationOutcome, SessionStore, StoreError, BROWSER_DEVICE_PREFIX};

use crate::audit::AuditWrites;
use crate::backend::{for_each_backend, run, Backend, UniqueRow};
use crate::clients::ClientReads;
use crate::error::{not_found_on_foreign_key, Failure};
use crate::outbox::OutboxWrites;
use crate::policies::standing_from;
use crate::rows::{to_db, NewSessionRow, SessionRow, UserRow};
use crate::schema::{
    audit_events, browser_sessions, clients, mfa_tokens, policy_acceptances, policy_revisions, retired_refresh_tokens,
    sessions, users,
};
use crate::DieselStore;

/// Session writes that several store methods share, inside their transaction.
pub(crate) trait SessionWrites {
    /// Opens `session` under the rules of [`SessionStore::open_session`];
    /// answers whether it queued the session's new-device notice.
    fn open_session_in(&mut self, session: &NewSession, max_per_client: usize) -> Result<bool, Failure>;

    /// [`open_session_in`](Self::open_session_in) for a caller that has
    /// already locked `locked` in this transaction ([`Backend::lock_user`],
    /// or inserted it): the same rules, one lock fewer. A session for
    /// another user is the caller's mistake: `Unexpected`, nothing written.
    fn open_session_locked(
        &mut self,
        locked: &str,
        session: &NewSession,
        max_per_client: usize,
    ) -> Result<bool, Failure>;

    /// With the user locked: their password hash, read by a statement of its own.
    fn stored_credential_in(&mut self, user: &str) -> Result<Option<String>, Failure>;

    /// [`open_session_locked`](Self::open_session_locked) for a caller
    /// that also read `stored`, the user's password hash, under the lock
    /// ([`Backend::lock_user_credential`]), or wrote it in this transaction:
    /// the session's credential is checked against it, with no statement.
    fn open_session_on(
        &mut self,
        locked: &str,
        stored: Option<&str>,
        session: &NewSession,
        max_per_client: usize,
    ) -> Result<bool, Failure>;

    /// Ends every sign-in of the user: their sessions, their browser
    /// sessions, and their `mfa_token`s (attempts waiting for a second
    /// factor), as a password change, a reset and disabling the account do.
    fn sign_out_in(&mut self, user: &str) -> Result<(), Failure>;

    /// Writes the scope of a session just inserted, if it has one: apart
    /// from the insert, which names only the columns that schemas before
    /// the scope column also have (a session of Registrar's own grants is
    /// written the same on both).
    fn set_scope_in(&mut self, session: &NewSession) -> Result<(), Failure>;
}

/// A row of [`SessionStore::session_with_standing`]'s one statement: the
/// session, its user, a policy revision (id, type, published at) and the
/// user's acceptance of it.
type StandingRow = (SessionRow, UserRow, Option<(i32, String, NaiveDateTime)>, Option<i32>);

/// The bearer check that [`SessionStore::session_by_access`] and
/// [`SessionStore::client_and_session_by_access`] share.
trait SessionReads {
    /// The live session whose access token hashes to `access_hash`, and its user.
    fn session_by_access_in(
        &mut self,
        access_hash: &str,
        now: NaiveDateTime,
    ) -> Result<Option<(Session, User)>, Failure>;
}

for_each_backend! {
    impl SessionReads for Conn {
        fn session_by_access_in(&mut self, access_hash: &str, now: NaiveDateTime) -> Result<Option<(Session, User)>, Failure> {
            let found = sessions::table
                .inner_join(users::table)
                .filter(sessions::access_hash.eq(access_hash))
                .filter(sessions::access_expires_at.gt(now))
                .select((SessionRow::as_select(), UserRow::as_select()))
                .unique_row::<(SessionRow, UserRow)>(self)
                .optional()?;
            found
                .map(|(session, user)| Ok((session.into_session()?, user.into_user()?)))
                .transpose()
        }
    }
}

for_each_backend! {
    impl SessionWrites for Conn {
        fn open_session_in(&mut self, session: &NewSession, max_per_client: usize) -> Result<bool, Failure> {
            // Sessions of one user change one transaction at a time, so that
            // racing log-ins cannot both count below the cap. The lock is
            // the one a password change takes too, and reads the stored
            // hash: a change committed before it is seen here, one after
            // it revokes this session.
            let user = session.user_id.as_str();
            let Some(stored) = self.lock_user_credential(user)? else {
                return Err(StoreError::NotFound.into());
            };
            self.open_session_on(user, stored.as_deref(), session, max_per_client)
        }

        fn open_session_locked(&mut self, locked: &str, session: &NewSession, max_per_client: usize) -> Result<bool, Failure> {
            // Under the lock a password change takes too: a change committed
            // before this point is seen here, one after it revokes this session.
            let stored = match &session.credential {
                Some(_) => self.stored_credential_in(locked)?,
                None => None,
            };
            self.open_session_on(locked, stored.as_deref(), session, max_per_client)
        }

        fn open_session_on(
            &mut self,
            locked: &str,
            stored: Option<&str>,
            session: &NewSession,
            max_per_client: usize,
        ) -> Result<bool, Failure> {
            let user = session.user_id.as_str();
            if user != locked {
                return Err(StoreError::unexpected("a session for another user than the one locked").into());
            }
            credential_holds(stored, session.credential.as_ref())?;
            let client = session.client_id.as_str();
            diesel::delete(
                sessions::table
                    .filter(sessions::user_id.eq(user))
                    .filter(sessions::client_id.eq(client))
                    .filter(sessions::device_id.eq(session.device_id.as_str())),
            )
            .execute(self)?;
            diesel::insert_into(sessions::table)
                .values(NewSessionRow::new(session))
                .execute(self)
                // The user is locked and exists: the client does not.
                .map_err(not_found_on_foreign_key)?;
            self.set_scope_in(session)?;
            // A (user, client) has a handful of sessions: sorting them here
            // is simpler than OFFSET, which SQLite only takes with a LIMIT.
            let others: Vec<String> = sessions::table
                .filter(sessions::user_id.eq(user))
                .filter(sessions::client_id.eq(client))
                .filter(sessions::id.ne(&session.id.0))
                .order((sessions::last_used_at.desc(), sessions::created_at.desc(), sessions::id.desc()))
                .select(sessions::id)
                .load(self)?;
            let keep = max_per_client.max(1) - 1;
            let evicted: Vec<String> = others.into_iter().skip(keep).collect();
            if !evicted.is_empty() {
                diesel::delete(sessions::table.filter(sessions::id.eq_any(&evicted))).execute(self)?;
            }
            let mut queued = false;
            if let Some(notice) = &session.new_device_notice {
                // Before this session's own events.
                let (on_some, on_this): (bool, bool) =
                    devices_seen(user, session.device_id.as_str()).get_result(self)?;
                let new_beside_others = on_some && !on_this;
                if new_beside_others {
                    self.enqueue_in(notice)?;
                    queued = true;
                }
            }
            self.record_in(&session.audit)?;
            Ok(queued)
        }

        fn stored_credential_in(&mut self, user: &str) -> Result<Option<String>, Failure> {
            // A statement of its own after the lock: on Postgres (READ
            // COMMITTED) it sees what a change that held the lock before committed.
            Ok(users::table
                .find(user)
                .select(users::password_hash)
                .unique_row::<Option<String>>(self)
                .optional()?
                .flatten())
        }

        fn set_scope_in(&mut self, session: &NewSession) -> Result<(), Failure> {
            if let Some(scope) = &session.scope {
                diesel::update(sessions::table.find(&session.id.0))
                    .set(sessions::scope.eq(scope.to_string()))
                    .execute(self)?;
            }
            Ok(())
        }

        fn sign_out_in(&mut self, user: &str) -> Result<(), Failure> {
            diesel::delete(sessions::table.filter(sessions::user_id.eq(user))).execute(self)?;
            diesel::delete(browser_sessions::table.filter(browser_sessions::user_id.eq(user))).execute(self)?;
            diesel::delete(mfa_tokens::table.filter(mfa_tokens::user_id.eq(user))).execute(self)?;
            Ok(())
        }
    }
}

/// [`StoreError::StaleCredential`] unless `credential` (if given) is
/// `stored`, the user's password hash as read under the user's lock.
pub(crate) fn credential_holds(stored: Option<&str>, credential: Option<&PasswordHash>) -> Result<(), Failure> {
    match credential {
        Some(credential) if stored != Some(credential.0.as_str()) => Err(StoreError::StaleCredential.into()),
        _ => Ok(()),
    }
}

/// A user's events ([`devices_seen`]).
type OfUser<'a> = dsl::Filter<audit_events::table, dsl::Eq<audit_events::user_id, &'a str>>;
/// A user's events on some device.
type OnSomeDevice<'a> =
    dsl::Select<dsl::Filter<OfUser<'a>, dsl::IsNotNull<audit_events::device_id>>, audit_events::device_id>;
/// A user's events on one device.
type OnDevice<'a> =
    dsl::Select<dsl::Filter<OfUser<'a>, dsl::Eq<audit_events::device_id, &'a str>>, audit_events::device_id>;

/// Whether the trail has seen `user` on some device, and on `device`: two
/// probes of `audit_events_user_device_idx` that read no row of the table,
/// however many events the user has; one row, and no bound LIMIT (which
/// SQLite would compile again for every new value).
fn devices_seen<'a>(
    user: &'a str,
    device: &'a str,
) -> dsl::select<(dsl::exists<OnSomeDevice<'a>>, dsl::exists<OnDevice<'a>>)> {
    let of_user = || audit_events::table.filter(audit_events::user_id.eq(user));
    // Selecting an indexed column keeps each probe within the index.
    diesel::select((
        dsl::exists(
            of_user()
                .filter(audit_events::device_id.is_not_null())
                .select(audit_events::device_id),
        ),
        dsl::exists(
            of_user()
                .filter(audit_events::device_id.eq(device))
                .select(audit_events::device_id),
        ),
    ))
}

/// The rotation's compare-and-set and the retired token's row in one
/// PostgreSQL statement, a transaction of its own: one round trip where a
/// transaction takes four (`BEGIN`, `UPDATE`, `INSERT`, `COMMIT`). Its
/// `UPDATE` is the one [`Rotations::rotate_in`] makes: of concurrent
/// rotations of one token the first takes the row's lock, the others
/// re-check the condition against its committed row and rotate nothing.
macro_rules! rotation_statement {
    ($client:literal) => {
        concat!(
            "WITH rotated AS (UPDATE sessions SET access_hash = $1, access_expires_at = $2, refresh_hash = $3, \
             refreshed_at = $4, last_used_at = $4 WHERE refresh_hash = $5 AND refreshed_at > $6 AND ",
            $client,
            " RETURNING id, user_id, client_id, device_id, device_name, created_at, last_used_at, \
             access_expires_at, refreshed_at, sign_in_method, scope), \
             retired AS (INSERT INTO retired_refresh_tokens (hash, session_id, retired_at) SELECT $5, id, $4 FROM rotated) \
             SELECT * FROM rotated"
        )
    };
}

/// [`Backend::rotate_at_once`] on PostgreSQL (see [`rotation_statement`]).
pub(crate) fn rotate_at_once(
    conn: &mut diesel::PgConnection,
    rotation: &Rotation,
) -> Result<Option<SessionRow>, Failure> {
    use diesel::sql_types::Timestamp;
    let now = to_db(rotation.now);
    let bound = |statement: &'static str| {
        diesel::sql_query(statement)
            .bind::<Text, _>(rotation.new_access_hash.as_str())
            .bind::<Timestamp, _>(to_db(rotation.new_access_expires_at))
            .bind::<Text, _>(rotation.new_refresh_hash.as_str())
            .bind::<Timestamp, _>(now)
            .bind::<Text, _>(rotation.presented.as_str())
            .bind::<Timestamp, _>(to_db(rotation.idle_cutoff))
    };
    let rows: Vec<SessionRow> = match &rotation.client_id {
        Some(client) => bound(rotation_statement!("client_id = $7"))
            .bind::<Text, _>(client.as_str())
            .load(conn)?,
        // No client authenticated: only a public client's token.
        None => bound(rotation_statement!(
            "client_id IN (SELECT id FROM clients WHERE kind = 'public')"
        ))
        .load(conn)?,
    };
    Ok(rows.into_iter().next())
}

/// A refresh token's rotation, inside a write transaction.
trait Rotations {
    /// Everything [`SessionStore::rotate_refresh`] answers: the rotation
    /// (the compare-and-set and the retired token), or what the token was.
    fn rotate_in(&mut self, rotation: &Rotation) -> Result<RotationOutcome, Failure>;
}

for_each_backend! {
    impl Rotations for Conn {
        fn rotate_in(&mut self, rotation: &Rotation) -> Result<RotationOutcome, Failure> {
            let conn = self;
            let presented = rotation.presented.as_str();
            let now = to_db(rotation.now);
            let live = sessions::table
                .filter(sessions::refresh_hash.eq(presented))
                .filter(sessions::refreshed_at.gt(to_db(rotation.idle_cutoff)));
            let changes = (
                sessions::access_hash.eq(rotation.new_access_hash.as_str()),
                sessions::access_expires_at.eq(to_db(rotation.new_access_expires_at)),
                sessions::refresh_hash.eq(rotation.new_refresh_hash.as_str()),
                sessions::refreshed_at.eq(now),
                sessions::last_used_at.eq(now),
            );
            // The compare-and-set: of concurrent rotations of one token only
            // one finds it. On Postgres the others wait for its row lock, then
            // re-check the WHERE against the committed row and find nothing;
            // their next statement sees the retired token it committed.
            let rotated = match &rotation.client_id {
                Some(client) => diesel::update(live.filter(sessions::client_id.eq(client.as_str())))
                    .set(changes)
                    .returning(SessionRow::as_returning())
                    .get_result(conn)
                    .optional()?,
                // No client authenticated: only a public client's token.
                None => diesel::update(live.filter(
                    sessions::client_id.eq_any(clients::table.filter(clients::kind.eq("public")).select(clients::id)),
                ))
                .set(changes)
                .returning(SessionRow::as_returning())
                .get_result(conn)
                .optional()?,
            };
            if let Some(row) = rotated {
                let session = row.into_session()?;
                diesel::insert_into(retired_refresh_tokens::table)
                    .values((
                        retired_refresh_tokens::hash.eq(presented),
                        retired_refresh_tokens::session_id.eq(&session.id.0),
                        retired_refresh_tokens::retired_at.eq(now),
                    ))
                    .execute(conn)?;
                return Ok(RotationOutcome::Rotated(session));
            }

            // Still the live token of a session: the client or the idle TTL refused it.
            let holder = sessions::table
                .filter(sessions::refresh_hash.eq(presented))
                .select((sessions::id, sessions::client_id, sessions::refreshed_at))
                .unique_row::<(String, String, NaiveDateTime)>(conn)
                .optional()?;
            if let Some((session_id, client_id, refreshed_at)) = holder {
                let mismatch = match &rotation.client_id {
                    Some(c) => c.as_str() != client_id,
                    None => clients::table
                        .find(&client_id)
                        .select(clients::kind)
                        .unique_row::<String>(conn)
                        .optional()?
                        .is_some_and(|kind| kind != "public"),
                };
                if mismatch {
                    return Ok(RotationOutcome::ClientMismatch);
                }
                if refreshed_at > to_db(rotation.idle_cutoff) {
                    // Not idle and not rotated: only a clock going backwards gets here.
                    return Ok(RotationOutcome::Unknown);
                }
                diesel::delete(sessions::table.find(&session_id)).execute(conn)?;
                return Ok(RotationOutcome::Expired);
            }

            // Rotated out before: a parallel refresh, or a stolen token.
            let retired = retired_refresh_tokens::table
                .find(presented)
                .select((retired_refresh_tokens::session_id, retired_refresh_tokens::retired_at))
                .unique_row::<(String, NaiveDateTime)>(conn)
                .optional()?;
            match retired {
                Some((_, retired_at)) if retired_at > to_db(rotation.grace_cutoff) => {
                    Ok(RotationOutcome::RetiredWithinGrace)
                }
                Some((session_id, _)) => {
                    let revoked = diesel::delete(sessions::table.find(&session_id))
                        .returning(SessionRow::as_returning())
                        .get_result(conn)
                        .optional()?;
                    if let Some(row) = revoked {
                        let session = row.into_session()?;
                        conn.record_about_in(session.user_id.as_str(), &rotation.audit, Some(&session))?;
                    }
                    Ok(RotationOutcome::ReuseDetected)
                }
                None => Ok(RotationOutcome::Unknown),
            }
        }
    }
}

#[async_trait]
impl SessionStore for DieselStore {
    async fn open_session(&self, session: NewSession, max_per_client: usize) -> Result<bool, StoreError> {
        run!(self, write, |conn| conn.open_session_in(&session, max_per_client))
    }

    async fn session_by_access(
        &self,
        access_hash: &SecretHash,
        now: DateTime<Utc>,
    ) -> Result<Option<(Session, User)>, StoreError> {
        let access_hash = access_hash.as_str().to_owned();
        let now = to_db(now);
        run!(self, statement, |conn| conn.session_by_access_in(&access_hash, now))
    }

    async fn session_with_standing(
        &self,
        access_hash: &SecretHash,
        now: DateTime<Utc>,
    ) -> Result<Option<(Session, User, registrar_store::PolicyStanding)>, StoreError> {
        let access_hash = access_hash.as_str().to_owned();
        let now = to_db(now);
        // One statement: the live session and its user, once for every
        // policy revision (or once, with no revision, when none is
        // published), each with the user's acceptance of it. The same
        // rows as `session_by_access_in` and `policy_standing` give, in one
        // round trip instead of two (bench/README.md).
        run!(self, statement, |conn| {
            let rows: Vec<StandingRow> = sessions::table
                .inner_join(users::table)
                .left_join(policy_revisions::table.on(policy_revisions::id.is_not_null()))
                .left_join(
                    policy_acceptances::table.on(policy_acceptances::revision_id
                        .eq(policy_revisions::id)
                        .and(policy_acceptances::user_id.eq(sessions::user_id))),
                )
                .filter(sessions::access_hash.eq(&access_hash))
                .filter(sessions::access_expires_at.gt(now))
                .select((
                    SessionRow::as_select(),
                    UserRow::as_select(),
                    (
                        policy_revisions::id,
                        policy_revisions::policy_type,
                        policy_revisions::published_at,
                    )
                        .nullable(),
                    policy_acceptances::revision_id.nullable(),
                ))
                .load(conn)?;
            let mut rows = rows.into_iter();
            let Some((session, user, first, acceptance)) = rows.next() else {
                return Ok(None);
            };
            let revisions = std::iter::once((first, acceptance))
                .chain(rows.map(|(_, _, revision, acceptance)| (revision, acceptance)))
                .filter_map(|(revision, acceptance)| {
                    revision.map(|(id, policy_type, published_at)| (id, policy_type, published_at, acceptance))
                });
            let standing = standing_from(revisions)?;
            Ok(Some((session.into_session()?, user.into_user()?, standing)))
        })
    }

    async fn client_and_session_by_access(
        &self,
        client: &ClientId,
        access_hash: &SecretHash,
        now: DateTime<Utc>,
    ) -> Result<(Option<Client>, Option<(Session, User)>), StoreError> {
        let client = client.as_str().to_owned();
        let access_hash = access_hash.as_str().to_owned();
        let now = to_db(now);
        // Two statements on one connection, in one trip to the blocking pool.
        run!(self, statement, |conn| {
            Ok((conn.client_in(&client)?, conn.session_by_access_in(&access_hash, now)?))
        })
    }

    async fn rotate_refresh(&self, rotation: Rotation) -> Result<RotationOutcome, StoreError> {
        // The common case in one statement where the backend has one
        // (`rotate_at_once`); whatever else the token is (expired, another
        // client's, rotated out, unknown), and every rotation on SQLite, in
        // one write transaction, on the same connection in the same trip
        // to the blocking pool.
        run!(self, write_statement, |conn| {
            if let Some(row) = conn.rotate_at_once(&rotation)? {
                return Ok(RotationOutcome::Rotated(row.into_session()?));
            }
            conn.write(|conn| conn.rotate_in(&rotation))
        })
    }

    async fn sessions_of(&self, user: &UserId) -> Result<Vec<Session>, StoreError> {
        let user = user.as_str().to_owned();
        run!(self, statement, |conn| {
            sessions::table
                .filter(sessions::user_id.eq(&user))
                .order((sessions::created_at.asc(), sessions::id.asc()))
                .select(SessionRow::as_select())
                .load(conn)?
                .into_iter()
                .map(SessionRow::into_session)
                .collect()
        })
    }

    async fn revoke_session(&self, id: &SessionId, audit: &[AuditEvent]) -> Result<bool, StoreError> {
        let id = id.0.clone();
        let audit = audit.to_vec();
        run!(self, write, |conn| {
            let revoked = diesel::delete(sessions::table.find(&id)).execute(conn)? > 0;
            conn.record_if(revoked, &audit)
        })
    }

    async fn revoke_by_token(
        &self,
        token_hash: &SecretHash,
        client: &ClientId,
        audit: &[AuditEvent],
    ) -> Result<bool, StoreError> {
        let hash = token_hash.as_str().to_owned();
        let client = client.as_str().to_owned();
        let audit = audit.to_vec();
        // One delete: the session and its retired tokens go (by cascade);
        // its events in the same transaction.
        run!(self, write, |conn| {
            let revoked = diesel::delete(
                sessions::table
                    .filter(sessions::client_id.eq(&client))
                    .filter(sessions::access_hash.eq(&hash).or(sessions::refresh_hash.eq(&hash))),
            )
            .returning(SessionRow::as_returning())
            .get_results::<SessionRow>(conn)?;
            let any = !revoked.is_empty();
            for row in revoked {
                let session = row.into_session()?;
                conn.record_about_in(session.user_id.as_str(), &audit, Some(&session))?;
            }
            Ok(any)
        })
    }

    async fn revoke_device(&self, user: &UserId, device: &DeviceId, audit: &[AuditEvent]) -> Result<usize, StoreError> {
        let user = user.as_str().to_owned();
        let audit = audit.to_vec();
        let device = device.as_str().to_owned();
        // The device of a browser session's token sessions is the browser
        // session itself: it ends with them, in the same transaction.
        let browser = device.strip_prefix(BROWSER_DEVICE_PREFIX).map(str::to_owned);
        run!(self, write, |conn| {
            let mut ended = 0;
            if let Some(browser) = &browser {
                ended += diesel::delete(
                    browser_sessions::table
                        .filter(browser_sessions::user_id.eq(&user))
                        .filter(browser_sessions::id.eq(browser)),
                )
                .execute(conn)?;
            }
            ended += diesel::delete(
                sessions::table
                    .filter(sessions::user_id.eq(&user))
                    .filter(sessions::device_id.eq(&device)),
            )
            .execute(conn)?;
            conn.record_if(ended > 0, &audit)?;
            Ok(ended)
        })
    }

    async fn touch_sessions(&self, ids: &[SessionId], now: DateTime<Utc>) -> Result<(), StoreError> {
        /// Ids per statement: well under SQLite's bound-variable limit.
        const CHUNK: usize = 5000;
        if ids.is_empty() {
            return Ok(());
        }
        let ids: Vec<String> = ids.iter().map(|id| id.0.clone()).collect();
        let now = to_db(now);
        run!(self, write, |conn| {
            for chunk in ids.chunks(CHUNK) {
                diesel::update(
                    sessions::table
                        .filter(sessions::id.eq_any(chunk))
                        .filter(sessions::last_used_at.lt(now)),
                )
                .set(sessions::last_used_at.eq(now))
                .execute(conn)?;
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use diesel::prelude::*;
    use diesel::sql_types::Text;

    #[derive(QueryableByName)]
    struct PlanStep {
        #[diesel(sql_type = Text)]
        detail: String,
    }

    /// A sign-in's new-device check reads two entries of an index, not every
    /// event of the user: SQLite's plan of the statement the store runs.
    #[test]
    fn the_new_device_check_probes_the_index_of_the_users_devices() {
        let mut conn = SqliteConnection::establish(":memory:").expect("an in-memory database");
        crate::migrations::apply(&mut conn, crate::migrations::SQLITE).expect("migrated");
        let query = super::devices_seen("u1", "d1");
        let statement = diesel::debug_query::<diesel::sqlite::Sqlite, _>(&query).to_string();
        let statement = statement.split(" -- binds").next().expect("the statement");
        let plan: Vec<PlanStep> = diesel::sql_query(format!("EXPLAIN QUERY PLAN {statement}"))
            .bind::<Text, _>("u1")
            .bind::<Text, _>("u1")
            .bind::<Text, _>("d1")
            .load(&mut conn)
            .expect("the plan");
        let reads: Vec<&str> = plan
            .iter()
            .map(|step| step.detail.as_str())
            .filter(|detail| detail.contains("audit_events"))
            .collect();
        assert_eq!(reads.len(), 2, "{reads:?}");
        for read in reads {
            assert!(
                read.starts_with(
                    "SEARCH audit_events USING COVERING INDEX audit_events_user_device_idx (user_id=? AND device_id"
                ),
                "{read}"
            );
        }
    }
}
