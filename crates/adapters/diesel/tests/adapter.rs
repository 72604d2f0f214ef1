//! What the diesel adapter promises beyond the port's contract: migrations
//! (and upgrades of databases in use), connecting, races settled by the
//! database's constraints and row locks (one address, the last use of an
//! invite), and claimers in several processes sharing one mail queue.
#![allow(clippy::pedantic, clippy::restriction)] // test code

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::migration::MigrationSource;
use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use registrar_diesel::{ConnectError, DatabaseSettings, DieselStore};
use registrar_domain::{
    Actor, AuditEvent, AuditKind, Client, ClientId, ClientKind, ConfirmationPurpose, DeviceId, DeviceName, Email,
    Language, PasskeyName, PasswordHash, Profile, RedirectUri, Role, Sealed, SecretHash, SessionId, SignInMethod, User,
    UserId,
};
use registrar_store::testkit::signing_keys::signing_key;
use registrar_store::{
    AuditCursor, AuditFilter, AuditStore, AuthorizationStore, ClientStore, CodeOutcome, ConfirmationStore,
    EmailChangeConfirmation, EmailChangeProof, EmailChangeSecret, EmailChangeStore, FactorStore, InviteStore,
    MfaPurpose, MfaTokenLookup, NewBrowserSession, NewConfirmation, NewEmailChange, NewInvite, NewOutboxMail,
    NewSession, NewUser, OutboxKind, OutboxStore, PasskeyRecord, PasskeyStore, Registration, SessionStore,
    SigningKeyStore, SignupCompletion, StoreError, UserStore,
};
use tokio::sync::Barrier;

use common::PgDatabase;

const FIRST_MIGRATION: &str = "2026-11-22-000000_create_schema";
const OUTBOX_MIGRATION: &str = "2026-11-22-000001_outbox";
const INVITES_MIGRATION: &str = "2026-11-22-000002_invites_consent";
const THROTTLE_MIGRATION: &str = "2026-11-22-000003_throttle";
const CONSENT_MIGRATION: &str = "2026-11-22-000109_consent_pending";
const FACTORS_MIGRATION: &str = "2026-12-06-000000_factors";
const SIGN_IN_METHOD_MIGRATION: &str = "2026-12-07-000000_sign_in_method";
const PASSKEYS_MIGRATION: &str = "2026-12-07-000001_passkeys";
const CLIENT_KINDS_MIGRATION: &str = "2026-12-09-000000_client_kinds";
const SIGNING_KEYS_MIGRATION: &str = "2026-12-10-000000_signing_keys";
const AUTHORIZATION_MIGRATION: &str = "2026-12-11-000000_authorization";
const AUDIT_MIGRATION: &str = "2026-12-12-000000_audit_admin_webhooks";
const ADMIN_MIGRATION: &str = "2026-12-12-000001_admin";
const OUTBOX_DETAIL_MIGRATION: &str = "2026-12-12-000003_outbox_detail";
const ADMIN_USER_NAMES_MIGRATION: &str = "2026-12-12-000005_admin_user_names";
const BREACHED_PASSWORDS_MIGRATION: &str = "2026-12-13-000003_breached_passwords";
const ACCEPTANCE_LANGUAGE_MIGRATION: &str = "2026-12-14-000000_acceptance_language";
const SESSIONS_FILLFACTOR_MIGRATION: &str = "2026-12-15-000000_sessions_fillfactor";
const AUDIT_USER_DEVICES_MIGRATION: &str = "2026-12-16-000000_audit_user_devices";
const EMAIL_CHANGE_MIGRATION: &str = "2026-12-13-000000_email_change";
const EVERY_MIGRATION: [&str; 20] = [
    FIRST_MIGRATION,
    OUTBOX_MIGRATION,
    INVITES_MIGRATION,
    THROTTLE_MIGRATION,
    CONSENT_MIGRATION,
    FACTORS_MIGRATION,
    SIGN_IN_METHOD_MIGRATION,
    PASSKEYS_MIGRATION,
    CLIENT_KINDS_MIGRATION,
    SIGNING_KEYS_MIGRATION,
    AUTHORIZATION_MIGRATION,
    AUDIT_MIGRATION,
    ADMIN_MIGRATION,
    OUTBOX_DETAIL_MIGRATION,
    ADMIN_USER_NAMES_MIGRATION,
    EMAIL_CHANGE_MIGRATION,
    BREACHED_PASSWORDS_MIGRATION,
    ACCEPTANCE_LANGUAGE_MIGRATION,
    SESSIONS_FILLFACTOR_MIGRATION,
    AUDIT_USER_DEVICES_MIGRATION,
];

/// The same migrations the store embeds, to bring a database to an older version.
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../../migrations/postgres");

/// 2030-01-01T00:00:00Z plus `seconds`.
fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(1_893_456_000 + seconds, 0).expect("an instant")
}

fn registration(email: &str) -> Registration {
    Registration {
        user: NewUser {
            id: UserId(uuid::Uuid::new_v4().to_string()),
            email: Email::parse(email).expect("a valid address"),
            password_hash: Some(PasswordHash("$argon2id$test".into())),
            profile: Profile::person(),
            role: Role::guest(),
            language: Language::EN,
            email_confirmed_at: None,
            consent: None,
            created_at: at(0),
        },
        accepted_policies: Vec::new(),
        session: None,
        outbox: Vec::new(),
        invite: None,
        max_sessions_per_client: 5,
        audit: Vec::new(),
        confirmation: None,
    }
}

async fn assert_migrates_once_and_has_the_web_client(store: &DieselStore) {
    let applied = store.migrate().await.expect("the first migration");
    assert_eq!(
        applied, EVERY_MIGRATION,
        "a new database gets every migration, in order"
    );
    let again = store.migrate().await.expect("migrating again");
    assert!(again.is_empty(), "the second run applies nothing, got {again:?}");

    let web = store
        .client(&ClientId::web())
        .await
        .expect("looking up the web client")
        .expect("the built-in web client exists after migration");
    assert_eq!(web.name, "Web");
}

async fn assert_racing_registrations_of_one_email_give_duplicate_email(stores: [DieselStore; 2]) {
    const RACERS: usize = 10;
    let email = format!("Race.{}@Example.com", uuid::Uuid::new_v4().simple());
    let barrier = Arc::new(Barrier::new(RACERS));
    let mut tasks = Vec::new();
    for i in 0..RACERS {
        // Two stores with pools of their own, like two processes.
        let store = stores[i % 2].clone();
        let spelling = if i % 3 == 0 {
            email.to_uppercase()
        } else {
            email.clone()
        };
        let barrier = Arc::clone(&barrier);
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            store.register(registration(&spelling)).await
        }));
    }
    let mut ok = 0;
    for task in tasks {
        match task.await.expect("a registration task ran") {
            Ok(()) => ok += 1,
            Err(StoreError::DuplicateEmail) => {}
            Err(other) => panic!("a racing registration failed with {other:?}, not DuplicateEmail"),
        }
    }
    assert_eq!(ok, 1, "exactly one registration of the address succeeds");
}

/// Rounds of a change of address confirmed in one store while another
/// registers the new address: in each, one of the two has it.
async fn assert_a_confirmed_change_racing_a_registration_elsewhere_has_one_winner(stores: [DieselStore; 2]) {
    for round in 0..6 {
        let mover = registration(&format!("mover.{}@example.com", unique()));
        let user = mover.user.id.clone();
        stores[0].register(mover).await.expect("the mover registers");
        let new_email = format!("Raced.{}@Example.com", unique());
        let change = NewEmailChange {
            id: unique(),
            user: user.clone(),
            new_email: Email::parse(&new_email).expect("an address"),
            created_at: at(1),
            expires_at: at(600),
            mails: Vec::new(),
            audit: Vec::new(),
        };
        stores[0].start_email_change(change.clone()).await.expect("a change");
        let code = SecretHash::of(&unique());
        let secret = EmailChangeSecret::Confirm {
            code_hash: code.clone(),
            link_hash: SecretHash::of(&unique()),
        };
        stores[0]
            .arm_email_change(&user, &change.id, secret, at(2))
            .await
            .expect("armed");
        let confirmation = EmailChangeConfirmation {
            user: user.clone(),
            proof: EmailChangeProof::Code {
                code_hash: code,
                max_attempts: 5,
            },
            now: at(3),
            notice: mail(&user, at(3)),
            audit: Vec::new(),
        };
        let barrier = Arc::new(Barrier::new(2));
        let (confirming, registering) = (stores[round % 2].clone(), stores[(round + 1) % 2].clone());
        let confirmed = {
            let barrier = Arc::clone(&barrier);
            tokio::spawn(async move {
                barrier.wait().await;
                confirming.confirm_email_change(&confirmation).await
            })
        };
        let registered = {
            let spelling = new_email.to_lowercase();
            tokio::spawn(async move {
                barrier.wait().await;
                registering.register(registration(&spelling)).await
            })
        };
        let confirmed = match confirmed.await.expect("ran") {
            Ok(CodeOutcome::Confirmed) => true,
            Err(StoreError::DuplicateEmail) => false,
            other => panic!("a racing confirmation gave {other:?}"),
        };
        let registered = match registered.await.expect("ran") {
            Ok(()) => true,
            Err(StoreError::DuplicateEmail) => false,
            Err(other) => panic!("a racing registration gave {other:?}"),
        };
        assert!(
            confirmed != registered,
            "one winner: confirmed {confirmed}, registered {registered}"
        );
        let owner = stores[1]
            .user_by_email(&change.new_email)
            .await
            .expect("a lookup")
            .expect("someone has the address");
        assert_eq!(owner.id == user, confirmed);
    }
}

fn unique() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

fn mail(user: &UserId, created_at: DateTime<Utc>) -> NewOutboxMail {
    NewOutboxMail {
        id: format!("mail-{}", unique()),
        user_id: user.clone(),
        kind: OutboxKind::Confirmation,
        created_at,
        detail: None,
        claimed_until: None,
    }
}

/// Where `migration` stands in [`EVERY_MIGRATION`].
fn index_of(migration: &str) -> usize {
    EVERY_MIGRATION
        .iter()
        .position(|name| *name == migration)
        .unwrap_or_else(|| panic!("{migration} is one of EVERY_MIGRATION"))
}

/// `migration` and every later one, in order.
fn from(migration: &str) -> &'static [&'static str] {
    &EVERY_MIGRATION[index_of(migration)..]
}

/// Brings a new database to the schema of an older release: the migrations
/// up to `last`, and no later one.
fn migrate_up_to<DB, C>(conn: &mut C, source: EmbeddedMigrations, last: &str)
where
    DB: diesel::backend::Backend,
    C: MigrationHarness<DB>,
    EmbeddedMigrations: MigrationSource<DB>,
{
    let wanted = index_of(last);
    // Listing what is pending also creates diesel's bookkeeping table.
    let pending = conn.pending_migrations(source).expect("listing the migrations");
    let names: Vec<String> = pending.iter().map(|m| m.name().to_string()).collect();
    assert_eq!(names, EVERY_MIGRATION, "every migration is embedded, in order");
    for migration in &pending[..=wanted] {
        conn.run_migration(&**migration).expect("applying an older migration");
    }
    let applied = conn.applied_migrations().expect("listing applied migrations");
    assert_eq!(
        applied.len(),
        wanted + 1,
        "only the migrations up to {last} are applied"
    );
}

/// Undoes the last migration (its `down.sql`) and checks it was `name`.
fn revert<DB, C>(conn: &mut C, source: EmbeddedMigrations, name: &str)
where
    DB: diesel::backend::Backend,
    C: MigrationHarness<DB>,
    EmbeddedMigrations: MigrationSource<DB>,
{
    let reverted = conn
        .revert_last_migration(source)
        .unwrap_or_else(|e| panic!("reverting {name}: {e}"));
    // diesel names a migration's version by the digits of its directory's date part.
    let version: String = name
        .split('_')
        .next()
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    assert_eq!(reverted.to_string(), version, "the last migration is {name}");
}

/// Reverts, newest first, every migration from the last down to `first`
/// (included), checking each is the one expected. `source` makes the
/// migrations again for each step (a revert takes them by value).
fn revert_down_to<DB, C>(conn: &mut C, source: impl Fn() -> EmbeddedMigrations, first: &str)
where
    DB: diesel::backend::Backend,
    C: MigrationHarness<DB>,
    EmbeddedMigrations: MigrationSource<DB>,
{
    let from = index_of(first);
    for name in EVERY_MIGRATION[from..].iter().rev() {
        revert(conn, source(), name);
    }
}

/// Reverts the database of `conn` down to `first` (see [`revert_down_to`])
/// and checks that migrating `store` again applies `expected`, in order.
async fn assert_migrates_again<DB, C>(
    store: &DieselStore,
    conn: &mut C,
    source: impl Fn() -> EmbeddedMigrations,
    first: &str,
    expected: &[&str],
) where
    DB: diesel::backend::Backend,
    C: MigrationHarness<DB>,
    EmbeddedMigrations: MigrationSource<DB>,
{
    revert_down_to(conn, source, first);
    assert_eq!(store.migrate().await.expect("migrating again"), expected);
}

/// Brings the database of `conn` to the schema of the release before
/// `migration` (see [`migrate_up_to`]), has `check` write, upgrade and check
/// through `store`, then reverts down to `migration` and checks that migrating
/// again applies it and every later one.
async fn assert_upgrades<DB, C>(
    store: &DieselStore,
    conn: &mut C,
    source: impl Fn() -> EmbeddedMigrations,
    migration: &str,
    check: impl AsyncFnOnce(&DieselStore),
) where
    DB: diesel::backend::Backend,
    C: MigrationHarness<DB>,
    EmbeddedMigrations: MigrationSource<DB>,
{
    let first = index_of(migration);
    let release_before = first.checked_sub(1).expect("an upgrade, not the first release");
    migrate_up_to(conn, source(), EVERY_MIGRATION[release_before]);
    check(store).await;
    assert_migrates_again(store, conn, source, migration, &EVERY_MIGRATION[first..]).await;
}

/// Registers `registration` and stores an email confirmation for its user
/// (with `code_hash`, the link's hash fresh), as a release before an upgrade
/// does; `storing` is what a failure to store the confirmation says. Returns
/// the user and the link's hash.
async fn register_before_the_upgrade(
    store: &DieselStore,
    registration: Registration,
    code_hash: Option<SecretHash>,
    storing: &str,
) -> (UserId, SecretHash) {
    let user = registration.user.id.clone();
    store
        .register(registration)
        .await
        .expect("registering before the upgrade");
    let link = SecretHash::of(&unique());
    store
        .replace_confirmation(NewConfirmation {
            user_id: user.clone(),
            purpose: ConfirmationPurpose::Email,
            code_hash,
            link_hash: link.clone(),
            expires_at: at(3600),
            created_at: at(0),
        })
        .await
        .expect(storing);
    (user, link)
}

/// Accounts of the release before second factors get none, and can enrol one.
async fn assert_the_factors_migration_upgrades_a_database_in_use(store: &DieselStore) {
    let registration = registration(&format!("before.factors.{}@example.com", unique()));
    let user = registration.user.id.clone();
    store
        .register(registration)
        .await
        .expect("registering before the upgrade");

    let applied = store.migrate().await.expect("upgrading");
    assert_eq!(
        applied,
        from(FACTORS_MIGRATION),
        "the upgrade applies the factors migration and the ones after it"
    );

    assert_eq!(
        store.totp_factor(&user).await.expect("reading factors"),
        None,
        "no factor after the upgrade"
    );
    assert_eq!(store.recovery_codes_left(&user).await.expect("counting codes"), 0);
    let secret = Sealed::from_stored(format!("v1.00000000.{}", unique()));
    assert!(store
        .put_pending_totp(&user, secret, at(10))
        .await
        .expect("enrolling after the upgrade"));
    assert!(
        store.delete_user(&user, &[]).await.expect("deleting"),
        "an account with a factor can be deleted"
    );
}

/// `store` is on a database with only the first release's schema, holding
/// nothing yet. Writes what the first release writes, upgrades, and checks
/// the data lived through it and the outbox works.
async fn assert_the_outbox_migration_upgrades_a_database_in_use(store: &DieselStore) {
    let (user, link) = register_before_the_upgrade(
        store,
        registration(&format!("early.{}@example.com", unique())),
        Some(SecretHash::of(&unique())),
        "storing a confirmation before the upgrade",
    )
    .await;

    let applied = store.migrate().await.expect("upgrading");
    assert_eq!(
        applied,
        EVERY_MIGRATION[1..],
        "the upgrade applies every migration after the first release's"
    );

    assert!(
        store.user_by_id(&user).await.expect("lookup").is_some(),
        "the user lived through the upgrade"
    );
    assert_eq!(
        store.confirm_by_link(&link, at(10), &[]).await.expect("confirming"),
        Some(user.clone()),
        "a confirmation mailed before the upgrade still works"
    );
    let queued = mail(&user, at(20));
    store
        .enqueue_mail(queued.clone(), &[])
        .await
        .expect("queueing after the upgrade");
    assert_eq!(store.outbox_backlog().await.expect("backlog"), 1);
    let claimed = store.claim_mail(at(30), at(90), 10).await.expect("claiming");
    assert_eq!(claimed.len(), 1, "the queued mail is claimed");
    assert_eq!(claimed[0].id, queued.id);
    assert_eq!(claimed[0].user.id, user, "with its user");
    assert!(
        store.delete_user(&user, &[]).await.expect("deleting"),
        "the user existed"
    );
    assert_eq!(
        store.outbox_backlog().await.expect("backlog"),
        0,
        "a user's mails go with them"
    );
}

fn invite(token: &SecretHash, uses: u32) -> NewInvite {
    NewInvite {
        token_hash: token.clone(),
        name: Some("Test invite".into()),
        uses,
        created_at: at(0),
    }
}

fn web_session(user: &UserId, now: DateTime<Utc>) -> NewSession {
    NewSession {
        id: SessionId(unique()),
        user_id: user.clone(),
        client_id: ClientId::web(),
        device_id: DeviceId::parse("browser").expect("a valid device id"),
        device_name: DeviceName::parse("Browser").expect("a valid device name"),
        access_hash: SecretHash::of(&unique()),
        access_expires_at: now + chrono::Duration::hours(1),
        refresh_hash: SecretHash::of(&unique()),
        now,
        credential: None,
        sign_in_method: SignInMethod::SignupLink,
        scope: None,
        audit: Vec::new(),
        new_device_notice: None,
    }
}

/// The user `id` of `store`, which must have lived through the upgrade
/// (`what` names it in the failure).
async fn lived_through_the_upgrade(store: &DieselStore, id: &UserId, what: &str) -> User {
    store
        .user_by_id(id)
        .await
        .expect("lookup")
        .unwrap_or_else(|| panic!("the {what} lived through the upgrade"))
}

/// `store` is on a database with the schema of the release before invites
/// (the first two migrations), holding nothing yet. Writes what that
/// release writes, upgrades, and checks the data lived through it, a link
/// mailed before completes a signup after, and invites work.
async fn assert_the_invites_migration_upgrades_a_database_in_use(store: &DieselStore) {
    let mut signup = registration(&format!("before.consent.{}@example.com", unique()));
    let (user, link) = register_before_the_upgrade(
        store,
        registration(&format!("before.invites.{}@example.com", unique())),
        None,
        "storing a signup link before the upgrade",
    )
    .await;
    let queued = mail(&user, at(1));
    store
        .enqueue_mail(queued.clone(), &[])
        .await
        .expect("queueing before the upgrade");
    // An email-first signup of that release: no password, consent not given.
    signup.user.password_hash = None;
    let signup_user = signup.user.id.clone();
    store.register(signup).await.expect("signing up before the upgrade");

    let applied = store.migrate().await.expect("upgrading");
    assert_eq!(
        applied,
        from(INVITES_MIGRATION),
        "the upgrade applies the invites migration and the ones after it"
    );

    let before = lived_through_the_upgrade(store, &user, "user").await;
    assert_eq!(
        before.consent, None,
        "an account made before the upgrade has given no consent"
    );
    let waiting = lived_through_the_upgrade(store, &signup_user, "signup").await;
    assert!(
        waiting.consent_pending(),
        "an email-first account made before the upgrade waits for its consent"
    );
    let claimed = store.claim_mail(at(2), at(60), 10).await.expect("claiming");
    assert_eq!(claimed.len(), 1, "the mail queued before the upgrade is still due");
    assert_eq!(
        (claimed[0].id.as_str(), &claimed[0].user.id),
        (queued.id.as_str(), &user)
    );

    let completed = store
        .complete_signup(SignupCompletion {
            link_hash: link.clone(),
            consent: 2,
            password_hash: Some(PasswordHash("$argon2id$after".into())),
            session: web_session(&user, at(10)),
            max_sessions_per_client: 5,
            now: at(10),
            audit: Vec::new(),
        })
        .await
        .expect("completing the signup")
        .expect("a link mailed before the upgrade completes a signup after it");
    assert_eq!(completed.consent, Some(2));
    assert_eq!(completed.email_confirmed_at, Some(at(10)));
    assert_eq!(completed.password_hash, Some(PasswordHash("$argon2id$after".into())));
    assert_eq!(store.sessions_of(&user).await.expect("sessions").len(), 1);

    let token = SecretHash::of(&unique());
    store
        .create_invite(invite(&token, 1), &[])
        .await
        .expect("creating an invite");
    assert!(
        store.invite_usable(&token).await.expect("checking"),
        "a new invite is usable"
    );
    let mut paid = registration_with_invite("invited", &token);
    store.register(paid.clone()).await.expect("registering with the invite");
    paid = registration_with_invite("too.late", &token);
    assert!(
        matches!(store.register(paid).await, Err(StoreError::InvalidInvite)),
        "a used-up invite pays for nothing more"
    );
    assert!(!store.invite_usable(&token).await.expect("checking"));
}

/// A registration of a new address paid for with the invite `token`.
fn registration_with_invite(name: &str, token: &SecretHash) -> Registration {
    Registration {
        invite: Some(token.clone()),
        ..registration(&format!("{name}.{}@example.com", unique()))
    }
}

/// Registrations of different addresses, through `stores` (pools of their
/// own, like processes), race for an invite of `uses` uses: exactly `uses`
/// accounts are made, the others are refused with `InvalidInvite` and leave
/// nothing behind.
async fn assert_racing_registrations_for_an_invite_make_one_account_per_use(stores: [DieselStore; 2], uses: u32) {
    const RACERS: usize = 10;
    let token = SecretHash::of(&unique());
    stores[0]
        .create_invite(invite(&token, uses), &[])
        .await
        .expect("creating the invite");
    let barrier = Arc::new(Barrier::new(RACERS));
    let mut tasks = Vec::new();
    for i in 0..RACERS {
        let store = stores[i % 2].clone();
        let registration = registration_with_invite(&format!("racer{i}"), &token);
        let barrier = Arc::clone(&barrier);
        tasks.push(tokio::spawn(async move {
            let email = registration.user.email.clone();
            barrier.wait().await;
            (email, store.register(registration).await)
        }));
    }
    let (mut winners, mut losers) = (Vec::new(), Vec::new());
    for task in tasks {
        match task.await.expect("a registration task ran") {
            (email, Ok(())) => winners.push(email),
            (email, Err(StoreError::InvalidInvite)) => losers.push(email),
            (_, Err(other)) => panic!("a racing registration failed with {other:?}, not InvalidInvite"),
        }
    }
    assert_eq!(
        winners.len(),
        usize::try_from(uses).expect("a small number"),
        "one account per use of the invite"
    );
    for email in &winners {
        assert!(
            store_has(&stores[1], email).await,
            "{email:?} won a use and has an account"
        );
    }
    for email in &losers {
        assert!(
            !store_has(&stores[1], email).await,
            "{email:?} lost the race and has no account"
        );
    }
    assert!(
        !stores[1].invite_usable(&token).await.expect("checking"),
        "the invite is used up"
    );
}

async fn store_has(store: &DieselStore, email: &Email) -> bool {
    store.user_by_email(email).await.expect("lookup").is_some()
}

/// Claimers on `stores` (pools of their own, like processes) drain one
/// queue in parallel: every mail is claimed, and by one claimer only.
async fn assert_parallel_claimers_get_each_mail_exactly_once(stores: [DieselStore; 2]) {
    const MAILS: i64 = 60;
    const CLAIMERS: usize = 8;
    const BATCH: usize = 4;
    let registration = registration(&format!("queue.{}@example.com", unique()));
    let user = registration.user.id.clone();
    stores[0].register(registration).await.expect("registering");
    let mut queued = Vec::new();
    for i in 0..MAILS {
        let mail = mail(&user, at(i));
        stores[0].enqueue_mail(mail.clone(), &[]).await.expect("queueing");
        queued.push(mail.id);
    }

    let barrier = Arc::new(Barrier::new(CLAIMERS));
    let mut tasks = Vec::new();
    for i in 0..CLAIMERS {
        let store = stores[i % 2].clone();
        let barrier = Arc::clone(&barrier);
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let mut mine = Vec::new();
            loop {
                let batch = store
                    .claim_mail(at(1000), at(1000 + 3600), BATCH)
                    .await
                    .expect("a parallel claim does not fail");
                if batch.is_empty() {
                    return mine;
                }
                assert!(batch.len() <= BATCH, "a claim keeps to its limit");
                mine.extend(batch.into_iter().map(|m| m.id));
            }
        }));
    }
    let mut times_claimed: BTreeMap<String, usize> = BTreeMap::new();
    for task in tasks {
        for id in task.await.expect("a claimer ran") {
            *times_claimed.entry(id).or_default() += 1;
        }
    }
    let twice: Vec<_> = times_claimed.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        twice.is_empty(),
        "{} of {MAILS} mails were handed to more than one claimer, e.g. {:?}",
        twice.len(),
        &twice[..twice.len().min(3)]
    );
    queued.sort();
    assert_eq!(
        times_claimed.into_keys().collect::<Vec<_>>(),
        queued,
        "every queued mail was claimed"
    );
    assert!(
        stores[1]
            .claim_mail(at(1001), at(2000), 100)
            .await
            .expect("claiming")
            .is_empty(),
        "nothing is due while the claims are live"
    );
}

/// Migrates two stores on one new database at once: both succeed, and
/// between them every migration ran once.
async fn assert_migrating_at_once_runs_each_migration_once(first: &DieselStore, second: &DieselStore) {
    let (a, b) = tokio::join!(first.migrate(), second.migrate());
    let (a, b) = (a.expect("first migrate"), b.expect("second migrate"));
    assert_eq!(
        a.len() + b.len(),
        EVERY_MIGRATION.len(),
        "each migration ran once: {a:?} {b:?}"
    );
}

// --- SQLite -----------------------------------------------------------------

#[tokio::test]
async fn sqlite_migrates_once_and_creates_the_web_client() {
    let (store, _dir) = common::sqlite_unmigrated().await;
    assert_eq!(store.backend(), "sqlite");
    assert_migrates_once_and_has_the_web_client(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_stores_migrating_one_file_at_once_both_succeed() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = format!("sqlite://{}", dir.path().join("shared.db").display());
    let first = DieselStore::connect(&common::settings(url.clone()))
        .await
        .expect("first store");
    let second = DieselStore::connect(&common::settings(url))
        .await
        .expect("second store");
    assert_migrating_at_once_runs_each_migration_once(&first, &second).await;
}

/// A connection of the test's own to the SQLite file of `dir`, outside the
/// store's pool, enforcing foreign keys as the store's connections do.
fn own_sqlite_connection(dir: &tempfile::TempDir) -> SqliteConnection {
    let mut conn = SqliteConnection::establish(&common::sqlite_path(dir)).expect("a connection of our own");
    conn.batch_execute("PRAGMA foreign_keys = ON").expect("foreign keys");
    conn
}

/// Instances starting together on one database, each making the first
/// signing key: one key is stored, and every instance gets it.
async fn assert_racing_first_signing_keys_make_one(stores: [DieselStore; 2]) {
    const RACERS: usize = 8;
    let barrier = Arc::new(Barrier::new(RACERS));
    let mut tasks = Vec::new();
    for i in 0..RACERS {
        let (store, barrier) = (stores[i % 2].clone(), Arc::clone(&barrier));
        tasks.push(tokio::spawn(async move {
            let key = signing_key(at(10));
            barrier.wait().await;
            store.add_first_signing_key(key).await.expect("a first key").kid
        }));
    }
    let mut got = std::collections::BTreeSet::new();
    for task in tasks {
        got.insert(task.await.expect("a racer"));
    }
    assert_eq!(got.len(), 1, "every instance got the same key: {got:?}");
    let stored = stores[0].signing_keys().await.expect("listing keys");
    assert_eq!(stored.len(), 1, "one key stored");
    assert!(got.contains(&stored[0].kid));
}

/// A check on two stores, each with a pool of its own (as two processes
/// would have), on one database: a test on a SQLite file and one on a
/// Postgres database of its own (which passes, saying so, without a server).
macro_rules! on_two_stores_of_each_backend {
    ($($sqlite:ident, $postgres:ident => $check:ident($($arg:expr),*);)*) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $sqlite() {
            let (stores, _dir) = common::two_sqlite_stores().await;
            $check(stores $(, $arg)*).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $postgres() {
            let Some((stores, _database)) = common::two_postgres_stores().await else {
                return;
            };
            $check(stores $(, $arg)*).await;
        }
    )*};
}

on_two_stores_of_each_backend! {
    sqlite_racing_registrations_of_one_email_give_duplicate_email,
    postgres_racing_registrations_of_one_email_give_duplicate_email =>
        assert_racing_registrations_of_one_email_give_duplicate_email();
    sqlite_racing_registrations_for_a_single_use_invite_make_one_account,
    postgres_racing_registrations_for_a_single_use_invite_make_one_account =>
        assert_racing_registrations_for_an_invite_make_one_account_per_use(1);
    sqlite_racing_registrations_for_a_three_use_invite_make_three_accounts,
    postgres_racing_registrations_for_a_three_use_invite_make_three_accounts =>
        assert_racing_registrations_for_an_invite_make_one_account_per_use(3);
    sqlite_racing_first_signing_keys_in_two_stores_make_one,
    postgres_racing_first_signing_keys_in_two_stores_make_one =>
        assert_racing_first_signing_keys_make_one();
    sqlite_a_confirmed_change_racing_a_registration_in_another_store_has_one_winner,
    postgres_a_confirmed_change_racing_a_registration_in_another_store_has_one_winner =>
        assert_a_confirmed_change_racing_a_registration_elsewhere_has_one_winner();
    sqlite_parallel_claimers_in_two_stores_get_each_mail_exactly_once,
    postgres_parallel_claimers_in_two_stores_get_each_mail_exactly_once =>
        assert_parallel_claimers_get_each_mail_exactly_once();
}

/// An upgrade of a database in use on each backend: the database gets the
/// schema of the release before `$migration` (every migration up to the one
/// before it), `$check` writes what that release writes, upgrades and checks,
/// and then reverting down to `$migration` and migrating again applies it and
/// every later one (see [`assert_migrates_again`]). The Postgres test passes,
/// saying so, without a server.
macro_rules! upgrades_on_each_backend {
    ($($sqlite:ident, $postgres:ident => $check:ident($migration:ident);)*) => {$(
        #[tokio::test]
        async fn $sqlite() {
            let (store, dir) = common::sqlite_unmigrated().await;
            let mut conn = own_sqlite_connection(&dir);
            assert_upgrades(&store, &mut conn, || SQLITE_MIGRATIONS, $migration, $check).await;
        }

        #[tokio::test]
        async fn $postgres() {
            let Some(database) = PgDatabase::create().await else {
                return;
            };
            let mut conn = PgConnection::establish(&database.url).expect("a connection of our own");
            let store = common::connect(&database).await;
            assert_upgrades(&store, &mut conn, || POSTGRES_MIGRATIONS, $migration, $check).await;
        }
    )*};
}

upgrades_on_each_backend! {
    sqlite_the_outbox_migration_upgrades_a_database_of_the_first_release,
    postgres_the_outbox_migration_upgrades_a_database_of_the_first_release =>
        assert_the_outbox_migration_upgrades_a_database_in_use(OUTBOX_MIGRATION);
    sqlite_the_invites_migration_upgrades_a_database_of_the_release_before,
    postgres_the_invites_migration_upgrades_a_database_of_the_release_before =>
        assert_the_invites_migration_upgrades_a_database_in_use(INVITES_MIGRATION);
    sqlite_the_factors_migration_upgrades_a_database_of_the_release_before,
    postgres_the_factors_migration_upgrades_a_database_of_the_release_before =>
        assert_the_factors_migration_upgrades_a_database_in_use(FACTORS_MIGRATION);
    sqlite_the_passkeys_migration_upgrades_a_database_of_the_release_before,
    postgres_the_passkeys_migration_upgrades_a_database_of_the_release_before =>
        assert_the_passkeys_migration_upgrades_a_database_in_use(PASSKEYS_MIGRATION);
    sqlite_the_client_kinds_migration_upgrades_a_database_of_the_release_before,
    postgres_the_client_kinds_migration_upgrades_a_database_of_the_release_before =>
        assert_the_client_kinds_migration_upgrades_a_database_in_use(CLIENT_KINDS_MIGRATION);
    sqlite_the_signing_keys_migration_upgrades_a_database_of_the_release_before,
    postgres_the_signing_keys_migration_upgrades_a_database_of_the_release_before =>
        assert_the_signing_keys_migration_upgrades_a_database_in_use(SIGNING_KEYS_MIGRATION);
}

/// A user with a web session on the database of the release before
/// `migration`, then the upgrade, which applies `migration` and every later
/// one; returns the session's access hash.
async fn upgrade_with_a_session(store: &DieselStore, who: &str, migration: &str) -> SecretHash {
    let registration = registration(&format!("before.{who}.{}@example.com", unique()));
    let user = registration.user.id.clone();
    store
        .register(registration)
        .await
        .expect("registering before the upgrade");
    let session = web_session(&user, at(1));
    let access = session.access_hash.clone();
    store
        .open_session(session, 5)
        .await
        .expect("a session before the upgrade");
    let applied = store.migrate().await.expect("upgrading");
    assert_eq!(applied, from(migration), "the upgrade applies {migration}");
    access
}

async fn assert_session_lived(store: &DieselStore, access: &SecretHash) {
    let found = store
        .session_by_access(access, at(2))
        .await
        .expect("checking the token");
    assert!(found.is_some(), "its session lived through the upgrade");
}

/// `store` is on a database of the release before signing keys: its
/// sessions keep working, it holds no key, and the first key can be made
/// and rotated.
async fn assert_the_signing_keys_migration_upgrades_a_database_in_use(store: &DieselStore) {
    let access = upgrade_with_a_session(store, "keys", SIGNING_KEYS_MIGRATION).await;
    assert_session_lived(store, &access).await;
    assert_eq!(
        store.signing_keys().await.expect("listing keys"),
        vec![],
        "no key before the first use"
    );
    let (first, second) = (signing_key(at(3)), signing_key(at(4)));
    assert_eq!(
        store.add_first_signing_key(first.clone()).await.expect("a first key"),
        first
    );
    store.rotate_signing_key(second.clone()).await.expect("a rotation");
    let kids: Vec<_> = store
        .signing_keys()
        .await
        .expect("listing keys")
        .into_iter()
        .map(|k| k.kid)
        .collect();
    assert_eq!(kids, vec![second.kid, first.kid]);
}

/// `store` is on a database of the release before client kinds: the
/// clients it has (the built-in `web` one) become public, untrusted and
/// without URIs, their sessions keep working, a public client gets no
/// secret, and a confidential client with URIs can be added.
async fn assert_the_client_kinds_migration_upgrades_a_database_in_use(store: &DieselStore) {
    let access = upgrade_with_a_session(store, "clients", CLIENT_KINDS_MIGRATION).await;
    let web = store
        .client(&ClientId::web())
        .await
        .expect("reading the web client")
        .expect("the web client lived through the upgrade");
    assert_eq!(
        web,
        Client::public(ClientId::web(), "Web".into(), web.created_at),
        "an existing client is public, untrusted, without URIs"
    );
    assert_session_lived(store, &access).await;
    assert!(
        !store
            .set_client_secret(&ClientId::web(), &SecretHash::of(&unique()), &[])
            .await
            .expect("trying to give it a secret"),
        "a public client gets no secret"
    );
    let confidential = Client {
        kind: ClientKind::Confidential {
            secret_hash: SecretHash::of(&unique()),
        },
        redirect_uris: vec![RedirectUri::parse("https://app.example/cb").expect("a URI")],
        post_logout_redirect_uris: vec![RedirectUri::parse("http://127.0.0.1:9000/").expect("a URI")],
        trusted: true,
        ..Client::public(ClientId::parse(&unique()).expect("an id"), "Server".into(), at(3))
    };
    store
        .add_client(&confidential, &[])
        .await
        .expect("adding a confidential client after the upgrade");
    assert_eq!(
        store.client(&confidential.id).await.expect("reading it back"),
        Some(confidential)
    );
}

/// `store` is on a database of the release before passkeys, holding
/// nothing yet: an account with an authenticator app keeps it through the
/// upgrade, has no passkey after it, can add one, and can still be deleted.
async fn assert_the_passkeys_migration_upgrades_a_database_in_use(store: &DieselStore) {
    let registration = registration(&format!("before.passkeys.{}@example.com", unique()));
    let user = registration.user.id.clone();
    store
        .register(registration)
        .await
        .expect("registering before the upgrade");
    let secret = Sealed::from_stored(format!("v1.00000000.{}", unique()));
    assert!(store
        .put_pending_totp(&user, secret.clone(), at(1))
        .await
        .expect("enrolling before the upgrade"));

    let applied = store.migrate().await.expect("upgrading");
    assert_eq!(
        applied,
        from(PASSKEYS_MIGRATION),
        "the upgrade applies the passkeys migration"
    );
    let factor = store.totp_factor(&user).await.expect("reading factors");
    assert_eq!(
        factor.map(|f| f.secret),
        Some(secret),
        "the app lived through the upgrade"
    );
    assert!(store.passkeys(&user).await.expect("listing passkeys").is_empty());
    let passkey = PasskeyRecord {
        id: unique(),
        user: user.clone(),
        name: PasskeyName::parse("Phone").expect("a name"),
        credential_id: unique(),
        credential: "{}".into(),
        sign_count: 0,
        backup_eligible: false,
        backup_state: false,
        created_at: at(2),
        last_used_at: None,
    };
    store
        .add_passkey(passkey, None, &[])
        .await
        .expect("adding a passkey after the upgrade");
    assert!(
        store.delete_user(&user, &[]).await.expect("deleting"),
        "an account with a passkey can be deleted"
    );
}

/// A session row as the release before sign-in methods wrote it, on the web
/// client, created at `at(0)`.
fn session_row_before_sign_in_methods(user: &UserId) -> String {
    format!(
        "INSERT INTO sessions (id, user_id, client_id, device_id, device_name, access_hash, \
         access_expires_at, refresh_hash, refreshed_at, created_at, last_used_at) VALUES \
         ('{id}', '{user}', 'web', 'browser', 'Browser', '{access}', '2030-01-01 01:00:00', \
         '{refresh}', '2030-01-01 00:00:00', '2030-01-01 00:00:00', '2030-01-01 00:00:00')",
        id = unique(),
        user = user.0,
        access = unique(),
        refresh = unique(),
    )
}

/// Sessions of the release before sign-in methods: after the upgrade those
/// of an account with a password signed in with it, those of an account
/// without one by the link of its signup; new sessions keep the method
/// they are opened with. Then reverting and migrating again works.
async fn assert_the_sign_in_method_migration_upgrades_a_database_in_use<DB, C>(
    store: &DieselStore,
    conn: &mut C,
    source: impl Fn() -> EmbeddedMigrations,
) where
    DB: diesel::backend::Backend,
    C: MigrationHarness<DB> + SimpleConnection,
    EmbeddedMigrations: MigrationSource<DB>,
{
    migrate_up_to(conn, source(), FACTORS_MIGRATION);
    let with_password = registration(&format!("before.methods.{}@example.com", unique()));
    let mut without = registration(&format!("before.methods.{}@example.com", unique()));
    without.user.password_hash = None;
    let ids = [with_password.user.id.clone(), without.user.id.clone()];
    for account in [with_password, without] {
        store.register(account).await.expect("registering before the upgrade");
    }
    let [with_password, without] = ids;
    for user in [&with_password, &without] {
        conn.batch_execute(&session_row_before_sign_in_methods(user))
            .expect("a session as the release before wrote it");
    }

    let applied = store.migrate().await.expect("upgrading");
    assert_eq!(
        applied,
        from(SIGN_IN_METHOD_MIGRATION),
        "the upgrade applies the sign-in method migration and the ones after it"
    );
    let method = async |user: &UserId| {
        let sessions = store.sessions_of(user).await.expect("listing sessions");
        sessions.into_iter().map(|s| s.sign_in_method).collect::<Vec<_>>()
    };
    assert_eq!(method(&with_password).await, [SignInMethod::Password]);
    assert_eq!(method(&without).await, [SignInMethod::SignupLink]);
    let totp = NewSession {
        sign_in_method: SignInMethod::PasswordTotp,
        ..web_session(&with_password, at(10))
    };
    store.open_session(totp, 5).await.expect("signing in after the upgrade");
    assert_eq!(
        method(&with_password).await,
        [SignInMethod::PasswordTotp],
        "the new sign-in replaced the old session"
    );

    assert_migrates_again(
        store,
        conn,
        source,
        SIGN_IN_METHOD_MIGRATION,
        from(SIGN_IN_METHOD_MIGRATION),
    )
    .await;
}

#[tokio::test]
async fn sqlite_the_sign_in_method_migration_upgrades_a_database_of_the_release_before() {
    let (store, dir) = common::sqlite_unmigrated().await;
    let mut conn = own_sqlite_connection(&dir);
    assert_the_sign_in_method_migration_upgrades_a_database_in_use(&store, &mut conn, || SQLITE_MIGRATIONS).await;
}

#[tokio::test]
async fn postgres_the_sign_in_method_migration_upgrades_a_database_of_the_release_before() {
    let Some(database) = PgDatabase::create().await else {
        return;
    };
    let mut conn = PgConnection::establish(&database.url).expect("a connection of our own");
    let store = common::connect(&database).await;
    assert_the_sign_in_method_migration_upgrades_a_database_in_use(&store, &mut conn, || POSTGRES_MIGRATIONS).await;
}

/// An `mfa_tokens` row as the release before purposes wrote it: a password
/// change when `new_password_hash` is given, else a sign-in.
fn mfa_token_row_before_purposes(user: &UserId, token: &SecretHash, new_password_hash: Option<&str>) -> String {
    let new_password_hash = new_password_hash.map_or("NULL".to_owned(), |hash| format!("'{hash}'"));
    format!(
        "INSERT INTO mfa_tokens (token_hash, user_id, client_id, device_id, device_name, first_factor, \
         new_password_hash, failures, created_at, expires_at) VALUES \
         ('{token}', '{user}', 'web', 'phone', 'Phone', 'password', {new_password_hash}, 0, \
         '2030-01-01 00:00:00', '2030-01-01 00:05:00')",
        token = token.as_str(),
        user = user.0,
    )
}

/// A database of the release before the authorization endpoint: its
/// sessions live on with no scope (Registrar's own), its `mfa_token`s keep
/// their purpose (a password change stays one); after the upgrade a browser
/// session opens and a session keeps its scope. Then reverting and
/// migrating again works.
async fn assert_the_authorization_migration_upgrades_a_database_in_use<DB, C>(
    store: &DieselStore,
    conn: &mut C,
    source: impl Fn() -> EmbeddedMigrations,
) where
    DB: diesel::backend::Backend,
    C: MigrationHarness<DB> + SimpleConnection,
    EmbeddedMigrations: MigrationSource<DB>,
{
    migrate_up_to(conn, source(), SIGNING_KEYS_MIGRATION);
    let registration = registration(&format!("before.authorization.{}@example.com", unique()));
    let user = registration.user.id.clone();
    store
        .register(registration)
        .await
        .expect("registering before the upgrade");
    let session = web_session(&user, at(1));
    store
        .open_session(session.clone(), 5)
        .await
        .expect("a session before the upgrade");
    let (sign_in, change) = (SecretHash::of(&unique()), SecretHash::of(&unique()));
    let new_hash = format!("$argon2id$v=19$m=19456,t=2,p=1${}", unique());
    conn.batch_execute(&mfa_token_row_before_purposes(&user, &sign_in, None))
        .expect("a sign-in's mfa_token as the release before wrote it");
    conn.batch_execute(&mfa_token_row_before_purposes(&user, &change, Some(&new_hash)))
        .expect("a password change's mfa_token as the release before wrote it");

    let applied = store.migrate().await.expect("upgrading");
    assert_eq!(
        applied,
        from(AUTHORIZATION_MIGRATION),
        "the upgrade applies the authorization migration"
    );

    let (found, _) = store
        .session_by_access(&session.access_hash, at(2))
        .await
        .expect("checking the token")
        .expect("the session lived through the upgrade");
    assert_eq!(
        found.scope, None,
        "a session from before is one of Registrar's own grants"
    );
    let purpose = async |token: &SecretHash| {
        let lookup = MfaTokenLookup {
            token_hash: token.clone(),
            now: at(10),
            max_failures: 5,
        };
        let token = store.mfa_token(&lookup).await.expect("reading a token");
        token.expect("the token lived through the upgrade").attempt.purpose
    };
    assert_eq!(purpose(&sign_in).await, MfaPurpose::SignIn);
    assert_eq!(
        purpose(&change).await,
        MfaPurpose::ChangePassword {
            new_password_hash: PasswordHash(new_hash.clone())
        }
    );

    let browser = NewBrowserSession {
        id: unique(),
        cookie_hash: SecretHash::of(&unique()),
        user: user.clone(),
        client: ClientId::web(),
        device_name: DeviceName::parse("Firefox").expect("a device name"),
        sign_in_method: SignInMethod::Password,
        credential: None,
        now: at(3),
        expires_at: at(3600),
        audit: Vec::new(),
    };
    store
        .open_browser_session(browser.clone())
        .await
        .expect("a browser session after the upgrade");
    let scoped = NewSession {
        scope: Some(registrar_domain::Scopes::parse("openid email").expect("scopes")),
        ..web_session(&user, at(4))
    };
    store
        .open_session(scoped.clone(), 5)
        .await
        .expect("a scoped session after the upgrade");
    let (found, _) = store
        .session_by_access(&scoped.access_hash, at(5))
        .await
        .expect("checking the token")
        .expect("the scoped session");
    assert_eq!(found.scope, scoped.scope);
    assert!(
        store.delete_user(&user, &[]).await.expect("deleting"),
        "the user and their browser session go"
    );

    assert_migrates_again(
        store,
        conn,
        source,
        AUTHORIZATION_MIGRATION,
        from(AUTHORIZATION_MIGRATION),
    )
    .await;
}

#[tokio::test]
async fn sqlite_the_authorization_migration_upgrades_a_database_of_the_release_before() {
    let (store, dir) = common::sqlite_unmigrated().await;
    let mut conn = own_sqlite_connection(&dir);
    assert_the_authorization_migration_upgrades_a_database_in_use(&store, &mut conn, || SQLITE_MIGRATIONS).await;
}

#[tokio::test]
async fn postgres_the_authorization_migration_upgrades_a_database_of_the_release_before() {
    let Some(database) = PgDatabase::create().await else {
        return;
    };
    let mut conn = PgConnection::establish(&database.url).expect("a connection of our own");
    let store = common::connect(&database).await;
    assert_the_authorization_migration_upgrades_a_database_in_use(&store, &mut conn, || POSTGRES_MIGRATIONS).await;
}

#[tokio::test]
async fn a_relative_sqlite_url_opens_a_file_relative_to_the_working_directory() {
    // Relative to the crate directory under `cargo test`; a unique name, removed after.
    let name = format!("target-test-{}.db", uuid::Uuid::new_v4().simple());
    let store = DieselStore::connect(&common::settings(format!("sqlite://{name}")))
        .await
        .expect("opening a relative path");
    store.migrate().await.expect("migrating");
    let exists = std::path::Path::new(&name).exists();
    drop(store);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{name}{suffix}"));
    }
    assert!(exists, "sqlite://{name} is a file in the working directory");
}

#[tokio::test]
async fn a_sqlite_file_in_a_missing_directory_is_a_readable_error() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("missing").join("registrar.db");
    let error = DieselStore::connect(&common::settings(format!("sqlite://{}", path.display())))
        .await
        .expect_err("no such directory");
    assert!(matches!(error, ConnectError::Sqlite { .. }), "{error:?}");
    assert!(error.to_string().contains("missing"), "names the path: {error}");
}

#[tokio::test]
async fn unsupported_urls_are_refused_without_their_password() {
    let error = DieselStore::connect(&common::settings("mysql://root:hunter2@localhost/db".into()))
        .await
        .expect_err("mysql is not supported");
    assert!(matches!(error, ConnectError::UnsupportedUrl(_)), "{error:?}");
    assert!(!error.to_string().contains("hunter2"), "{error}");
}

#[tokio::test]
async fn an_unreachable_postgres_is_a_readable_error_without_the_password() {
    let settings = DatabaseSettings {
        url: "postgres://someone:hunter2@127.0.0.1:1/nowhere".into(),
        max_connections: 2,
        connect_timeout: Duration::from_secs(2),
    };
    let error = DieselStore::connect(&settings)
        .await
        .expect_err("nothing listens on port 1");
    let message = error.to_string();
    assert!(matches!(error, ConnectError::Postgres { .. }), "{error:?}");
    assert!(message.contains("127.0.0.1"), "says where: {message}");
    assert!(message.contains("refused"), "says the real cause: {message}");
    assert!(!message.contains("hunter2"), "never the password: {message}");
}

#[tokio::test]
async fn a_sqlite_write_lock_held_past_the_busy_timeout_makes_the_store_unavailable() {
    let (store, dir) = common::sqlite_store().await;
    let mut locker = SqliteConnection::establish(&common::sqlite_path(&dir)).expect("a second connection");
    locker.batch_execute("BEGIN EXCLUSIVE").expect("taking the write lock");
    let result = store.register(registration("locked.out@example.com")).await;
    assert!(matches!(result, Err(StoreError::Unavailable(_))), "got {result:?}");
    locker.batch_execute("ROLLBACK").expect("releasing the lock");
    store
        .register(registration("locked.out@example.com"))
        .await
        .expect("works again once the lock is gone");
}

// --- Postgres ---------------------------------------------------------------

#[tokio::test]
async fn postgres_migrates_once_and_creates_the_web_client() {
    let Some(database) = PgDatabase::create().await else {
        return;
    };
    let store = common::connect(&database).await;
    assert_eq!(store.backend(), "postgres");
    assert_migrates_once_and_has_the_web_client(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_stores_migrating_one_fresh_database_at_once_both_succeed() {
    let Some(database) = PgDatabase::create().await else {
        return;
    };
    let first = common::connect(&database).await;
    let second = common::connect(&database).await;
    assert_migrating_at_once_runs_each_migration_once(&first, &second).await;
    assert!(
        first.client(&ClientId::web()).await.expect("lookup").is_some(),
        "web client"
    );
}

#[tokio::test]
async fn postgres_down_after_connecting_makes_the_store_unavailable() {
    let Some(database) = PgDatabase::create().await else {
        return;
    };
    let store = DieselStore::connect(&DatabaseSettings {
        url: database.url.clone(),
        max_connections: 2,
        connect_timeout: Duration::from_secs(1),
    })
    .await
    .expect("connecting");
    store.migrate().await.expect("migrating");
    drop(database); // drops the database, closing every connection to it
    let result = store.client(&ClientId::web()).await;
    assert!(matches!(result, Err(StoreError::Unavailable(_))), "got {result:?}");
}

// --- Audit events roll back with their change ---------------------------------

/// A registration writes its events right after the account, then finds its
/// invite used up: the whole transaction rolls back, events included.
async fn assert_a_failed_registration_leaves_no_event(store: &DieselStore) {
    let token = SecretHash::of(&unique());
    store
        .create_invite(invite(&token, 1), &[])
        .await
        .expect("creating an invite");
    store
        .register(registration_with_invite("first", &token))
        .await
        .expect("the invite's only use");
    let late = registration_with_invite("late", &token);
    let user = late.user.id.clone();
    let event = AuditEvent::new(unique(), at(1), AuditKind::Registered, Actor::User).about(&user, &late.user.email);
    let result = store
        .register(Registration {
            audit: vec![event],
            ..late
        })
        .await;
    assert!(matches!(result, Err(StoreError::InvalidInvite)), "{result:?}");
    let filter = AuditFilter {
        user: Some(user),
        ..AuditFilter::default()
    };
    let events = store
        .audit_events(&filter, AuditCursor::Before(None), 10)
        .await
        .expect("reading events");
    assert!(
        events.is_empty(),
        "the event written before the failure rolled back: {events:?}"
    );
}

#[tokio::test]
async fn sqlite_a_failed_registration_leaves_no_event() {
    let (store, _dir) = common::sqlite_store().await;
    assert_a_failed_registration_leaves_no_event(&store).await;
}

#[tokio::test]
async fn postgres_a_failed_registration_leaves_no_event() {
    let Some((store, _database)) = common::postgres_store().await else {
        return;
    };
    assert_a_failed_registration_leaves_no_event(&store).await;
}

/// Registers three accounts and refreshes the planner's statistics.
async fn register_three_and_refresh_statistics(store: &DieselStore) {
    for i in 0..3 {
        store
            .register(registration(&format!("stats{i}.{}@example.com", unique())))
            .await
            .expect("register");
    }
    store.refresh_statistics().await.expect("refreshing the statistics");
}

#[tokio::test]
async fn sqlite_refreshing_statistics_gives_the_planner_the_users_indexes() {
    let (store, dir) = common::sqlite_store().await;
    let mut conn = own_sqlite_connection(&dir);
    let stat_rows = |conn: &mut SqliteConnection| {
        // `sqlite_stat1` exists once an ANALYZE ran; no table, no statistics.
        diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
            "(SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat1')",
        ))
        .get_result::<i64>(conn)
        .expect("reading the schema")
    };
    assert_eq!(stat_rows(&mut conn), 0, "a fresh database has no statistics");
    // Figures of every table, taken before (by hand, or by an older version).
    diesel::sql_query("ANALYZE").execute(&mut conn).expect("ANALYZE");
    register_three_and_refresh_statistics(&store).await;
    let tables: Vec<String> =
        diesel::dsl::sql::<diesel::sql_types::Text>("SELECT DISTINCT tbl FROM sqlite_stat1 ORDER BY 1")
            .load(&mut conn)
            .expect("reading sqlite_stat1");
    assert_eq!(tables, ["users"], "only the users' figures are kept");
    let indexes: Vec<String> = diesel::dsl::sql::<diesel::sql_types::Text>(
        "SELECT idx FROM sqlite_stat1 WHERE tbl = 'users' AND idx IS NOT NULL ORDER BY idx",
    )
    .load(&mut conn)
    .expect("reading sqlite_stat1");
    for index in ["users_created_idx", "users_email_prefix_idx", "users_role_created_idx"] {
        assert!(
            indexes.iter().any(|i| i == index),
            "{index} has statistics: {indexes:?}"
        );
    }
    // Value samples (the bundled SQLite keeps them) only where the admin
    // search is planned for its values: the users' indexes that are not
    // unique. A lookup by a unique key, or on another table, is planned
    // once and not compiled again for each new value.
    let sampled: Vec<String> =
        diesel::dsl::sql::<diesel::sql_types::Text>("SELECT DISTINCT tbl || '.' || idx FROM sqlite_stat4 ORDER BY 1")
            .load(&mut conn)
            .expect("reading sqlite_stat4");
    assert!(
        sampled.iter().any(|i| i == "users.users_created_idx"),
        "the search's indexes keep their samples: {sampled:?}"
    );
    let unique: Vec<String> = diesel::dsl::sql::<diesel::sql_types::Text>(
        "SELECT 'users.' || name FROM pragma_index_list('users') WHERE \"unique\"",
    )
    .load(&mut conn)
    .expect("reading the users' indexes");
    assert!(unique.len() >= 2, "the id and the address are unique keys: {unique:?}");
    for index in &sampled {
        assert!(
            index.starts_with("users.") && !unique.contains(index),
            "{index} keeps no samples: {sampled:?}"
        );
    }
}

#[tokio::test]
async fn postgres_refreshing_statistics_counts_the_users() {
    let Some((store, database)) = common::postgres_store().await else {
        return;
    };
    let mut conn = PgConnection::establish(&database.url).expect("a connection of our own");
    register_three_and_refresh_statistics(&store).await;
    // `reltuples` is -1 until the table is first analyzed (autovacuum waits
    // for 50 changed rows); ANALYZE sets it to the rows it counted.
    let rows = diesel::select(diesel::dsl::sql::<diesel::sql_types::Float>(
        "(SELECT reltuples FROM pg_class WHERE relname = 'users' AND relkind = 'r')",
    ))
    .get_result::<f32>(&mut conn)
    .expect("reading pg_class");
    assert_eq!(rows, 3.0, "the planner knows the table's size");
}

/// The last-use writes (`touch_sessions`) change no indexed column; with
/// room on the page PostgreSQL writes them as heap-only updates, without an
/// entry in each index (bench/README.md, "Growth: the last-use writes").
#[tokio::test]
async fn postgres_sessions_keep_room_on_their_pages_for_the_last_use_writes() {
    let Some((_store, database)) = common::postgres_store().await else {
        return;
    };
    let mut conn = PgConnection::establish(&database.url).expect("a connection of our own");
    let options = diesel::select(
        diesel::dsl::sql::<diesel::sql_types::Nullable<diesel::sql_types::Text>>(
            "(SELECT array_to_string(reloptions, ',') FROM pg_class WHERE relname = 'sessions' AND relkind = 'r')",
        ),
    )
    .get_result::<Option<String>>(&mut conn)
    .expect("reading pg_class");
    assert_eq!(
        options.as_deref(),
        Some("fillfactor=80"),
        "the sessions table's storage options"
    );
}

// --- Imports: indexes set aside and rebuilt ----------------------------------

/// Every index of the tables an import loads, by name, with its definition
/// as the catalog spells it.
type Indexes = Vec<(String, String)>;

#[derive(diesel::QueryableByName)]
struct IndexRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    definition: String,
}

fn sqlite_indexes(conn: &mut SqliteConnection) -> Indexes {
    diesel::sql_query(
        "SELECT name, coalesce(sql, '(constraint)') AS definition FROM sqlite_master \
         WHERE type = 'index' AND tbl_name IN ('users', 'audit_events') ORDER BY name",
    )
    .load::<IndexRow>(conn)
    .expect("the catalog")
    .into_iter()
    .map(|r| (r.name, r.definition))
    .collect()
}

fn postgres_indexes(conn: &mut PgConnection) -> Indexes {
    diesel::sql_query(
        "SELECT indexname::text AS name, indexdef AS definition FROM pg_indexes \
         WHERE tablename IN ('users', 'audit_events') ORDER BY indexname",
    )
    .load::<IndexRow>(conn)
    .expect("the catalog")
    .into_iter()
    .map(|r| (r.name, r.definition))
    .collect()
}

/// `count` accounts to import, each with its `user.registered` event.
fn accounts_to_import(count: usize, name: &str) -> Vec<registrar_store::ImportedUser> {
    (0..count)
        .map(|i| {
            let user = registration(&format!("{name}{i}-{}@example.com", unique())).user;
            let event =
                AuditEvent::new(unique(), at(1), AuditKind::Registered, Actor::Cli).about(&user.id, &user.email);
            registrar_store::ImportedUser {
                audit: vec![event],
                ..registrar_store::ImportedUser::bare(user)
            }
        })
        .collect()
}

/// An import into an empty account table builds the plain indexes after
/// the load (`bulk.rs`): whether it fails (nothing imported) or succeeds,
/// every index is there afterwards exactly as the migrations made it, and
/// the lookups that use them find the imported accounts. A second import,
/// into a table in use, leaves them as they are too.
async fn assert_imports_keep_every_index(store: &DieselStore, indexes: &mut dyn FnMut() -> Indexes) {
    let before = indexes();
    assert!(
        before.iter().any(|(name, _)| name == "users_lastname_prefix_idx")
            && before.iter().any(|(name, _)| name == "audit_events_user_idx"),
        "the migrations' indexes: {before:?}"
    );

    // More than one statement's worth, the last one taking the first one's address.
    let mut failing = accounts_to_import(2_100, "failing");
    let mut clash = registration(failing[0].user.email.as_str()).user;
    clash.id = UserId(unique());
    failing.push(registrar_store::ImportedUser::bare(clash));
    let result = store.import_users(failing.clone()).await;
    assert!(matches!(result, Err(StoreError::DuplicateEmail)), "{result:?}");
    assert!(store
        .user_by_email(&failing[0].user.email)
        .await
        .expect("lookup")
        .is_none());
    assert_eq!(indexes(), before, "a failed import leaves every index as it was");

    let first = accounts_to_import(2_100, "first");
    assert_eq!(store.import_users(first.clone()).await.expect("an import"), 2_100);
    assert_eq!(indexes(), before, "the indexes were built again, as they were");
    let second = accounts_to_import(10, "second");
    assert_eq!(store.import_users(second.clone()).await.expect("a second import"), 10);
    assert_eq!(indexes(), before);

    for imported in first.iter().step_by(700).chain(&second) {
        let found = store
            .user_by_email(&imported.user.email)
            .await
            .expect("lookup")
            .expect("an imported account");
        assert_eq!(found.id, imported.user.id);
        let filter = AuditFilter {
            user: Some(imported.user.id.clone()),
            ..AuditFilter::default()
        };
        let events = store
            .audit_events(&filter, AuditCursor::Before(None), 10)
            .await
            .expect("the account's events");
        assert_eq!(events.len(), 1, "its user.registered event");
    }
}

#[tokio::test]
async fn sqlite_imports_keep_every_index() {
    let (store, dir) = common::sqlite_store().await;
    let mut conn = own_sqlite_connection(&dir);
    assert_imports_keep_every_index(&store, &mut || sqlite_indexes(&mut conn)).await;
}

#[tokio::test]
async fn postgres_imports_keep_every_index() {
    let Some((store, database)) = common::postgres_store().await else {
        return;
    };
    let mut conn = PgConnection::establish(&database.url).expect("a connection of our own");
    assert_imports_keep_every_index(&store, &mut || postgres_indexes(&mut conn)).await;
}
