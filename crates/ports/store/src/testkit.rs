//! The contract suite every store adapter must pass: one `async fn` per rule
//! of the port's doc comments, each taking a fresh store, and
//! [`store_contract_tests!`](crate::store_contract_tests) to turn them all
//! into `#[tokio::test]`s of the adapter's crate.
//!
//! Conventions, so that one suite holds for memory and SQL alike:
//! - every instant is a whole second (an adapter may drop sub-second
//!   precision) in 2030, after any clock-stamped row a migration may seed;
//! - every email, id and hash is unique (uuid), so no rule depends on what
//!   else the store holds — the built-in `web` client may or may not exist;
//! - sessions are opened on clients the test adds itself;
//! - the outbox of a fresh store is empty (no migration queues mail), so
//!   outbox rules may claim "every due mail"; backlog checks count changes;
//! - rules take any [`ContractStore`]: every store trait of the port.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use registrar_domain::{
    Client, ClientId, ConfirmationPurpose, DeviceId, DeviceName, Email, Language, Limit, Organisation, PasswordHash,
    PolicyText, PolicyType, Profile, RevisionId, Role, Scope, SecretHash, Session, SessionId, Telephone, ThrottleKey,
    User, UserId, UserType,
};
use tokio::sync::Barrier;
use uuid::Uuid;

use crate::{
    CodeOutcome, ConfirmationStore, NewConfirmation, NewInvite, NewOutboxMail, NewPolicyRevision, NewSession, NewUser,
    OutboxKind, OutboxMail, OutboxStore, Registration, Rotation, RotationOutcome, SignupCompletion, Store, StoreError,
};

// ---------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------

/// 2030-01-01T00:00:00Z plus `seconds`.
fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_893_456_000 + seconds, 0).expect("a representable instant")
}

const ACCESS_TTL: i64 = 3600;

fn unique() -> String {
    Uuid::new_v4().simple().to_string()
}

/// A unique address with capitals in it, as people type them.
fn unique_email(prefix: &str) -> Email {
    Email::parse(&format!("{prefix}.{}@Example.COM", unique())).expect("a valid test address")
}

fn secret() -> SecretHash {
    SecretHash::of(&unique())
}

fn device(name: &str) -> DeviceId {
    DeviceId::parse(name).expect("a valid device id")
}

fn new_user(email: Email) -> NewUser {
    let mut profile = Profile::person();
    profile.firstname = Some("Ann".into());
    profile.lastname = Some("Smith".into());
    NewUser {
        id: UserId(unique()),
        email,
        password_hash: Some(PasswordHash("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into())),
        profile,
        role: Role::guest(),
        language: Language::En,
        email_confirmed_at: None,
        consent: None,
        created_at: at(0),
    }
}

fn registration(user: NewUser) -> Registration {
    Registration {
        user,
        accepted_policies: Vec::new(),
        session: None,
        outbox: Vec::new(),
        invite: None,
        max_sessions_per_client: 5,
    }
}

/// A mail of `kind` for `user`, with a fresh id.
fn new_mail(user: &UserId, kind: OutboxKind, created_at: DateTime<Utc>) -> NewOutboxMail {
    NewOutboxMail {
        id: format!("mail-{}", unique()),
        user_id: user.clone(),
        kind,
        created_at,
    }
}

fn new_session(user: &UserId, client: &ClientId, device_id: &str, now: DateTime<Utc>) -> NewSession {
    NewSession {
        id: SessionId(unique()),
        user_id: user.clone(),
        client_id: client.clone(),
        device_id: device(device_id),
        device_name: DeviceName::parse(&format!("{device_id}'s phone")).expect("a valid device name"),
        access_hash: secret(),
        access_expires_at: now + Duration::seconds(ACCESS_TTL),
        refresh_hash: secret(),
        now,
        credential: None,
    }
}

/// A rotation of `presented` at `now` with a fresh pair, a 90-day idle TTL and a 10-second grace.
fn rotation(presented: &SecretHash, now: DateTime<Utc>) -> Rotation {
    Rotation {
        presented: presented.clone(),
        client_id: None,
        new_access_hash: secret(),
        new_access_expires_at: now + Duration::seconds(ACCESS_TTL),
        new_refresh_hash: secret(),
        now,
        idle_cutoff: now - Duration::days(90),
        grace_cutoff: now - Duration::seconds(10),
    }
}

fn policy_text(language: Language, version: &str) -> PolicyText {
    PolicyText {
        title: format!("Terms {version} ({language})"),
        description: format!("What you agree to, in {language}"),
        button: format!("I agree ({language})"),
        html: format!("<h1>Terms {version}</h1><p lang=\"{language}\">Ünïcödé &amp; more</p>"),
    }
}

fn new_revision(
    policy_type: &str,
    version: &str,
    published_at: DateTime<Utc>,
    languages: &[Language],
) -> NewPolicyRevision {
    NewPolicyRevision {
        policy_type: PolicyType::parse(policy_type).expect("a valid policy type"),
        version: version.to_owned(),
        published_at,
        texts: languages.iter().map(|l| (*l, policy_text(*l, version))).collect(),
    }
}

/// Adds a client of the test's own, created at `created_at`.
async fn add_client<S: Store>(store: &S, created_at: DateTime<Utc>) -> ClientId {
    let id = ClientId::parse(&format!("client-{}", unique())).expect("a valid client id");
    let client = Client {
        id: id.clone(),
        name: "Contract test app".into(),
        created_at,
    };
    store
        .add_client(&client)
        .await
        .expect("adding a client with a fresh id");
    id
}

/// Registers a plain user (no session, no policies) and returns their id.
async fn add_user<S: Store>(store: &S) -> UserId {
    let user = new_user(unique_email("user"));
    let id = user.id.clone();
    store
        .register(registration(user))
        .await
        .expect("registering a fresh user");
    id
}

/// Opens a session and returns what was opened (for its hashes).
async fn open<S: Store>(
    store: &S,
    user: &UserId,
    client: &ClientId,
    device_id: &str,
    now: DateTime<Utc>,
    max_per_client: usize,
) -> NewSession {
    let session = new_session(user, client, device_id, now);
    store
        .open_session(session.clone(), max_per_client)
        .await
        .expect("opening a session");
    session
}

async fn authenticates<S: Store>(store: &S, access_hash: &SecretHash, now: DateTime<Utc>) -> bool {
    store
        .session_by_access(access_hash, now)
        .await
        .expect("looking up a session by access hash")
        .is_some()
}

async fn sessions<S: Store>(store: &S, user: &UserId) -> Vec<Session> {
    store.sessions_of(user).await.expect("listing the user's sessions")
}

async fn session_ids<S: Store>(store: &S, user: &UserId) -> Vec<SessionId> {
    sessions(store, user).await.into_iter().map(|s| s.id).collect()
}

async fn rotate<S: Store>(store: &S, rotation: Rotation) -> RotationOutcome {
    store.rotate_refresh(rotation).await.expect("rotating a refresh token")
}

async fn user_by_id<S: Store>(store: &S, id: &UserId) -> Option<User> {
    store.user_by_id(id).await.expect("looking up a user by id")
}

async fn user_by_email<S: Store>(store: &S, email: &Email) -> Option<User> {
    store.user_by_email(email).await.expect("looking up a user by email")
}

async fn accepted<S: Store>(store: &S, user: &UserId) -> BTreeSet<RevisionId> {
    store.accepted_policies(user).await.expect("listing accepted policies")
}

async fn publish<S: Store>(store: &S, revision: NewPolicyRevision) -> RevisionId {
    store.publish_policy(revision).await.expect("publishing a revision").id
}

/// The same address with the case of every letter flipped.
fn flipped_case(email: &Email) -> Email {
    let flipped: String = email
        .as_str()
        .chars()
        .map(|c| {
            if c.is_uppercase() {
                c.to_ascii_lowercase()
            } else {
                c.to_ascii_uppercase()
            }
        })
        .collect();
    Email::parse(&flipped).expect("a valid address")
}

fn assert_user_matches(user: &User, new: &NewUser) {
    assert_eq!(user.id, new.id, "user id");
    assert_eq!(user.email.as_str(), new.email.as_str(), "the address is kept as typed");
    assert_eq!(user.email.normalized(), new.email.normalized(), "normalized address");
    assert_eq!(user.password_hash, new.password_hash, "password hash");
    assert_eq!(user.profile, new.profile, "profile");
    assert_eq!(user.role, new.role, "role");
    assert_eq!(user.language, new.language, "language");
    assert_eq!(user.email_confirmed_at, new.email_confirmed_at, "email_confirmed_at");
    assert_eq!(user.created_at, new.created_at, "created_at");
    assert!(!user.disabled, "a new account is not disabled");
    assert_eq!(user.consent, None, "no consent until a signup is completed");
}

fn assert_session_matches(session: &Session, new: &NewSession) {
    assert_eq!(session.id, new.id, "session id");
    assert_eq!(session.user_id, new.user_id, "session user");
    assert_eq!(session.client_id, new.client_id, "session client");
    assert_eq!(session.device_id, new.device_id, "session device id");
    assert_eq!(session.device_name, new.device_name, "session device name");
    assert_eq!(session.created_at, new.now, "a session is created at `now`");
    assert_eq!(session.last_used_at, new.now, "a new session was last used at `now`");
    assert_eq!(
        session.refreshed_at, new.now,
        "a new session's refresh token is issued at `now`"
    );
    assert_eq!(session.access_expires_at, new.access_expires_at, "access expiry");
}

// ---------------------------------------------------------------------------
// Fixtures: confirmations and the outbox
// ---------------------------------------------------------------------------

/// What the suite runs on: every store trait of the port (today the same as
/// [`Store`], which lists them all; kept so adapters' tests need not change).
pub trait ContractStore: Store + ConfirmationStore + OutboxStore {}

impl<T: Store + ConfirmationStore + OutboxStore> ContractStore for T {}

/// How many wrong tries a code gets in the rules that do not count them.
const MAX_ATTEMPTS: u32 = 5;

/// A lease long enough to outlast any rule that does not let it lapse.
const LEASE: i64 = 3600;

fn password_hash() -> PasswordHash {
    PasswordHash(format!("$argon2id$v=19$m=19456,t=2,p=1${}", unique()))
}

/// An email confirmation (a code and a link) for `user`, live until `expires_at`.
fn email_confirmation(user: &UserId, expires_at: DateTime<Utc>) -> NewConfirmation {
    NewConfirmation {
        user_id: user.clone(),
        purpose: ConfirmationPurpose::Email,
        code_hash: Some(secret()),
        link_hash: secret(),
        expires_at,
        created_at: at(0),
    }
}

/// A password-reset link (no code) for `user`, live until `expires_at`.
fn reset_confirmation(user: &UserId, expires_at: DateTime<Utc>) -> NewConfirmation {
    NewConfirmation {
        user_id: user.clone(),
        purpose: ConfirmationPurpose::PasswordReset,
        code_hash: None,
        link_hash: secret(),
        expires_at,
        created_at: at(0),
    }
}

fn code_of(confirmation: &NewConfirmation) -> &SecretHash {
    confirmation
        .code_hash
        .as_ref()
        .expect("an email confirmation of the suite has a code")
}

/// Stores `confirmation` (for an existing user) and returns it.
async fn send<S: ContractStore>(store: &S, confirmation: NewConfirmation) -> NewConfirmation {
    store
        .replace_confirmation(confirmation.clone())
        .await
        .expect("storing a confirmation for an existing user");
    confirmation
}

async fn by_code<S: ContractStore>(
    store: &S,
    user: &UserId,
    code: &SecretHash,
    now: DateTime<Utc>,
    max_attempts: u32,
) -> CodeOutcome {
    store
        .confirm_by_code(user, code, now, max_attempts)
        .await
        .expect("checking a code")
}

async fn by_link<S: ContractStore>(store: &S, link: &SecretHash, now: DateTime<Utc>) -> Option<UserId> {
    store
        .confirm_by_link(link, now)
        .await
        .expect("using a confirmation link")
}

async fn reset_link_user<S: ContractStore>(store: &S, link: &SecretHash, now: DateTime<Utc>) -> Option<UserId> {
    store
        .reset_link_user(link, now)
        .await
        .expect("looking up a password-reset link")
}

async fn reset<S: ContractStore>(
    store: &S,
    link: &SecretHash,
    hash: &PasswordHash,
    now: DateTime<Utc>,
    mail: Option<NewOutboxMail>,
) -> Option<UserId> {
    store
        .reset_password(link, hash, now, mail)
        .await
        .expect("resetting a password by link")
}

async fn confirmed_at<S: ContractStore>(store: &S, user: &UserId) -> Option<DateTime<Utc>> {
    user_by_id(store, user)
        .await
        .expect("the user exists")
        .email_confirmed_at
}

async fn password_of<S: ContractStore>(store: &S, user: &UserId) -> Option<PasswordHash> {
    user_by_id(store, user).await.expect("the user exists").password_hash
}

/// Queues a mail of `kind` for an existing user and returns it.
async fn enqueue<S: ContractStore>(
    store: &S,
    user: &UserId,
    kind: OutboxKind,
    created_at: DateTime<Utc>,
) -> NewOutboxMail {
    let mail = new_mail(user, kind, created_at);
    store
        .enqueue_mail(mail.clone())
        .await
        .expect("queueing a mail for an existing user");
    mail
}

async fn claim<S: ContractStore>(
    store: &S,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: usize,
) -> Vec<OutboxMail> {
    store
        .claim_mail(now, lease_until, limit)
        .await
        .expect("claiming due mails")
}

/// The ids of every mail due at `now`, claimed for an hour.
async fn claim_all<S: ContractStore>(store: &S, now: DateTime<Utc>) -> Vec<String> {
    ids(&claim(store, now, now + Duration::seconds(LEASE), 1000).await)
}

async fn claim_by_id<S: ContractStore>(
    store: &S,
    id: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> Option<OutboxMail> {
    store
        .claim_mail_by_id(id, now, lease_until)
        .await
        .expect("claiming a mail by id")
}

async fn backlog<S: ContractStore>(store: &S) -> u64 {
    store.outbox_backlog().await.expect("counting the outbox backlog")
}

async fn oldest_queued<S: ContractStore>(store: &S) -> Option<DateTime<Utc>> {
    store
        .oldest_queued_mail()
        .await
        .expect("finding the oldest queued mail")
}

async fn mark_sent<S: ContractStore>(store: &S, id: &str, now: DateTime<Utc>) {
    store.mark_mail_sent(id, now).await.expect("marking a mail sent");
}

/// A delivery of mail `id` failed at `now`: due again at `retry_at`, or given up.
async fn mark_failed<S: ContractStore>(store: &S, id: &str, retry_at: Option<DateTime<Utc>>, now: DateTime<Utc>) {
    store
        .mark_mail_failed(id, retry_at, "550 mailbox unavailable", now)
        .await
        .expect("marking a mail failed");
}

fn ids(mails: &[OutboxMail]) -> Vec<String> {
    mails.iter().map(|m| m.id.clone()).collect()
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

/// Checks a claimed mail against what was queued and its user as stored now.
fn assert_mail_matches(claimed: &OutboxMail, queued: &NewOutboxMail, user: &User, attempts: u32) {
    assert_eq!(claimed.id, queued.id, "mail id");
    assert_eq!(claimed.kind, queued.kind, "mail kind");
    assert_eq!(claimed.created_at, queued.created_at, "mail created_at");
    assert_eq!(claimed.attempts, attempts, "delivery attempts before this one");
    assert_eq!(&claimed.user, user, "the mail's recipient, as stored now");
}

// ---------------------------------------------------------------------------
// Fixtures: invites and email-first signups
// ---------------------------------------------------------------------------

/// Stores a signup token good for `uses` registrations and returns its hash.
async fn add_invite<S: Store>(store: &S, uses: u32) -> SecretHash {
    let token_hash = secret();
    store
        .create_invite(NewInvite {
            token_hash: token_hash.clone(),
            name: Some("Contract test invite".into()),
            uses,
            created_at: at(0),
        })
        .await
        .expect("creating an invite with a fresh hash");
    token_hash
}

async fn usable<S: Store>(store: &S, invite: &SecretHash) -> bool {
    store
        .invite_usable(invite)
        .await
        .expect("asking whether an invite is usable")
}

/// A plain registration of `user` paid for by `invite`.
fn invited(user: NewUser, invite: &SecretHash) -> Registration {
    Registration {
        invite: Some(invite.clone()),
        ..registration(user)
    }
}

/// Registers an email-first account (no password, unconfirmed) and returns its id.
async fn add_signup_user<S: Store>(store: &S) -> UserId {
    let user = NewUser {
        password_hash: None,
        ..new_user(unique_email("signup"))
    };
    let id = user.id.clone();
    store
        .register(registration(user))
        .await
        .expect("registering a fresh email-first account");
    id
}

/// Registers an email-first account waiting for consent (as `POST /signup`
/// makes it) and returns its id.
async fn add_pending_signup_user<S: Store>(store: &S) -> UserId {
    let user = NewUser {
        password_hash: None,
        consent: Some(User::CONSENT_PENDING),
        ..new_user(unique_email("pending"))
    };
    let id = user.id.clone();
    store
        .register(registration(user))
        .await
        .expect("registering a fresh email-first account waiting for consent");
    id
}

async fn used_email_link_user<S: ContractStore>(store: &S, link: &SecretHash) -> Option<UserId> {
    store
        .used_email_link_user(link)
        .await
        .expect("looking up a used email-confirmation link")
}

/// Completing a signup through `link` with consent 1 and no password,
/// opening `session` (at its `now`) under a cap of 5.
fn completion(link: &SecretHash, session: NewSession) -> SignupCompletion {
    SignupCompletion {
        link_hash: link.clone(),
        consent: 1,
        password_hash: None,
        now: session.now,
        session,
        max_sessions_per_client: 5,
    }
}

async fn complete<S: ContractStore>(store: &S, completion: SignupCompletion) -> Option<User> {
    store.complete_signup(completion).await.expect("completing a signup")
}

async fn email_link_user<S: ContractStore>(store: &S, link: &SecretHash, now: DateTime<Utc>) -> Option<UserId> {
    store
        .email_link_user(link, now)
        .await
        .expect("looking up an email-confirmation link")
}

/// `completion` completes nothing: `None`, and neither `user` nor their
/// sessions changed.
async fn assert_completes_nothing<S: ContractStore>(store: &S, user: &UserId, completion: SignupCompletion, why: &str) {
    let before = user_by_id(store, user).await.expect("the user exists");
    let sessions_before = sessions(store, user).await;
    let (access, now) = (completion.session.access_hash.clone(), completion.now);
    assert_eq!(complete(store, completion).await, None, "{why}: no signup is completed");
    assert_eq!(
        user_by_id(store, user).await,
        Some(before),
        "{why}: the user is unchanged"
    );
    assert_eq!(
        sessions(store, user).await,
        sessions_before,
        "{why}: no session is opened"
    );
    assert!(
        !authenticates(store, &access, now).await,
        "{why}: the completion's access token does not authenticate"
    );
}

// ---------------------------------------------------------------------------
// UserStore
// ---------------------------------------------------------------------------

pub async fn registration_is_found_by_email_in_any_case_and_by_id<S: Store>(store: S) {
    let new = new_user(unique_email("Jane.Doe"));
    store.register(registration(new.clone())).await.expect("registering");

    for lookup in [
        new.email.clone(),
        flipped_case(&new.email),
        Email::parse(&new.email.normalized().to_uppercase()).expect("valid"),
        Email::parse(new.email.normalized()).expect("valid"),
    ] {
        let found = user_by_email(&store, &lookup)
            .await
            .unwrap_or_else(|| panic!("the user is found by {lookup}"));
        assert_eq!(found.id, new.id, "user_by_email({lookup}) finds the registered user");
    }
    let found = user_by_id(&store, &new.id).await.expect("the user is found by id");
    assert_user_matches(&found, &new);
}

pub async fn registration_round_trips_every_field_of_the_new_user<S: Store>(store: S) {
    let new = NewUser {
        id: UserId(unique()),
        email: unique_email("Harrie.VanTiggelen"),
        password_hash: Some(PasswordHash(format!("$argon2id$v=19$m=19456,t=2,p=1${}", unique()))),
        profile: Profile {
            usertype: UserType::Organisation,
            firstname: Some("Harrie".into()),
            insertion: Some("van".into()),
            lastname: Some("Tiggelen".into()),
            display_name: Some("HvT".into()),
            full_name: Some("Harrie van Tiggelen".into()),
            telephone: Some(Telephone::from_e164("+32475000000".into())),
            tin_nr: Some("BE0123.456.789".into()),
            postal_code: Some("1000 AB".into()),
            year_of_birth: Some(1977),
            organisation: Some(Organisation {
                name: "Tiggelen & Zonen B.V.".into(),
                street_name: "Kerkstraat 1".into(),
                town: "Zoetermeer".into(),
                sector: "Ambacht".into(),
            }),
        },
        role: Role::parse("editor").expect("a valid role"),
        language: Language::Nl,
        email_confirmed_at: Some(at(42)),
        consent: None,
        created_at: at(7),
    };
    store.register(registration(new.clone())).await.expect("registering");

    let by_id = user_by_id(&store, &new.id).await.expect("found by id");
    assert_user_matches(&by_id, &new);
    let by_email = user_by_email(&store, &new.email).await.expect("found by email");
    assert_eq!(by_email, by_id, "user_by_email and user_by_id return the same user");
}

pub async fn registration_round_trips_an_account_without_password_or_profile<S: Store>(store: S) {
    let new = NewUser {
        id: UserId(unique()),
        email: unique_email("signup"),
        password_hash: None,
        profile: Profile {
            usertype: UserType::Customer,
            ..Profile::person()
        },
        role: Role::guest(),
        language: Language::Es,
        email_confirmed_at: None,
        consent: None,
        created_at: at(3),
    };
    store.register(registration(new.clone())).await.expect("registering");

    let found = user_by_id(&store, &new.id).await.expect("found by id");
    assert_user_matches(&found, &new);
}

pub async fn registration_opens_the_first_session_and_records_accepted_policies<S: Store>(store: S) {
    let client = add_client(&store, at(0)).await;
    let tac = publish(&store, new_revision("tac", "1", at(0), &[Language::En])).await;
    let privacy = publish(&store, new_revision("privacy", "1", at(0), &[Language::En])).await;
    let unaccepted = publish(&store, new_revision("cookie", "1", at(0), &[Language::En])).await;

    let user = new_user(unique_email("first-session"));
    let session = new_session(&user.id, &client, "phone", at(10));
    store
        .register(Registration {
            user: user.clone(),
            accepted_policies: vec![tac, privacy],
            session: Some(session.clone()),
            outbox: vec![new_mail(&user.id, OutboxKind::Confirmation, at(10))],
            invite: None,
            max_sessions_per_client: 5,
        })
        .await
        .expect("registering with a session, policies and a mail");

    let (found_session, found_user) = store
        .session_by_access(&session.access_hash, at(11))
        .await
        .expect("looking up the session")
        .expect("the registration's session is found by its access hash");
    assert_session_matches(&found_session, &session);
    assert_eq!(found_user.id, user.id, "the session's user is the new user");
    assert_eq!(
        sessions(&store, &user.id).await,
        vec![found_session],
        "exactly one session"
    );

    let accepted = accepted(&store, &user.id).await;
    assert_eq!(
        accepted,
        BTreeSet::from([tac, privacy]),
        "the accepted revisions, not {unaccepted:?}"
    );
}

pub async fn registration_with_a_taken_email_in_another_case_fails_and_changes_nothing<S: Store>(store: S) {
    let client = add_client(&store, at(0)).await;
    let tac = publish(&store, new_revision("tac", "1", at(0), &[Language::En])).await;

    let first = new_user(unique_email("Taken"));
    let first_session = new_session(&first.id, &client, "phone", at(1));
    store
        .register(Registration {
            accepted_policies: vec![tac],
            session: Some(first_session.clone()),
            ..registration(first.clone())
        })
        .await
        .expect("the first registration");

    let mut second = new_user(flipped_case(&first.email));
    second.language = Language::Fr;
    let second_session = new_session(&second.id, &client, "tablet", at(2));
    let result = store
        .register(Registration {
            user: second.clone(),
            accepted_policies: vec![tac],
            session: Some(second_session.clone()),
            outbox: vec![new_mail(&second.id, OutboxKind::Confirmation, at(2))],
            invite: None,
            max_sessions_per_client: 5,
        })
        .await;
    assert!(
        matches!(result, Err(StoreError::DuplicateEmail)),
        "registering {} after {} gives DuplicateEmail, got {result:?}",
        second.email,
        first.email
    );

    assert!(user_by_id(&store, &second.id).await.is_none(), "no second user");
    let owner = user_by_email(&store, &second.email)
        .await
        .expect("the address still has its account");
    assert_user_matches(&owner, &first);
    assert!(
        sessions(&store, &second.id).await.is_empty(),
        "no session for the failed attempt"
    );
    assert!(
        !authenticates(&store, &second_session.access_hash, at(3)).await,
        "the failed attempt's access token does not authenticate"
    );
    assert!(
        accepted(&store, &second.id).await.is_empty(),
        "no acceptances for the failed attempt"
    );
    assert_eq!(
        session_ids(&store, &first.id).await,
        vec![first_session.id.clone()],
        "the first user's sessions are untouched"
    );
    assert!(
        authenticates(&store, &first_session.access_hash, at(3)).await,
        "the first user's session still works"
    );
    assert_eq!(
        accepted(&store, &first.id).await,
        BTreeSet::from([tac]),
        "first user's acceptances kept"
    );
}

pub async fn registration_with_an_unknown_revision_fails_and_creates_nothing<S: Store>(store: S) {
    let client = add_client(&store, at(0)).await;
    let known = publish(&store, new_revision("tac", "1", at(0), &[Language::En])).await;
    let unknown = RevisionId(i32::MAX);

    let user = new_user(unique_email("unknown-revision"));
    let session = new_session(&user.id, &client, "phone", at(1));
    let result = store
        .register(Registration {
            accepted_policies: vec![known, unknown],
            session: Some(session.clone()),
            ..registration(user.clone())
        })
        .await;
    assert!(
        matches!(result, Err(StoreError::UnknownRevision(id)) if id == unknown),
        "accepting {unknown:?} at registration gives UnknownRevision({unknown:?}), got {result:?}"
    );

    assert!(user_by_id(&store, &user.id).await.is_none(), "no user by id");
    assert!(user_by_email(&store, &user.email).await.is_none(), "no user by email");
    assert!(
        !authenticates(&store, &session.access_hash, at(2)).await,
        "no session from the failed registration"
    );
    assert!(accepted(&store, &user.id).await.is_empty(), "no acceptances recorded");

    store
        .register(Registration {
            accepted_policies: vec![known],
            ..registration(user.clone())
        })
        .await
        .expect("the address is still free after the failed registration");
}

pub async fn concurrent_registrations_of_one_email_let_exactly_one_through<S: Store>(store: S) {
    const RACERS: usize = 20;
    let client = add_client(&store, at(0)).await;
    let base = format!("racer.{}@example.com", unique());
    let barrier = Arc::new(Barrier::new(RACERS));

    let mut tasks = Vec::new();
    for i in 0..RACERS {
        // Upper-case the k-th letter when bit k of i is set: 20 distinct spellings.
        let mut letter = 0;
        let spelling: String = base
            .chars()
            .map(|c| {
                if !c.is_ascii_alphabetic() {
                    return c;
                }
                letter += 1;
                if letter <= 8 && i & (1 << (letter - 1)) != 0 {
                    c.to_ascii_uppercase()
                } else {
                    c
                }
            })
            .collect();
        let user = new_user(Email::parse(&spelling).expect("a valid address"));
        let session = new_session(&user.id, &client, "phone", at(1));
        let registration = Registration {
            session: Some(session),
            ..registration(user.clone())
        };
        let store = store.clone();
        let barrier = Arc::clone(&barrier);
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            (user.id, store.register(registration).await)
        }));
    }

    let mut winners = Vec::new();
    let mut losers = Vec::new();
    for task in tasks {
        let (id, result) = task.await.expect("a registration task ran to completion");
        match result {
            Ok(()) => winners.push(id),
            Err(StoreError::DuplicateEmail) => losers.push(id),
            Err(other) => panic!("a racing registration failed with {other:?} instead of DuplicateEmail"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one registration succeeds");
    assert_eq!(losers.len(), RACERS - 1, "all others get DuplicateEmail");

    let email = Email::parse(&base).expect("valid");
    let owner = user_by_email(&store, &email).await.expect("the address has an account");
    assert_eq!(owner.id, winners[0], "the account is the winner's");
    assert_eq!(
        sessions(&store, &owner.id).await.len(),
        1,
        "the winner has their session"
    );
    for loser in &losers {
        assert!(
            user_by_id(&store, loser).await.is_none(),
            "no user for a losing registration"
        );
        assert!(
            sessions(&store, loser).await.is_empty(),
            "no session for a losing registration"
        );
    }
}

pub async fn unknown_users_are_not_found_by_email_or_id<S: Store>(store: S) {
    add_user(&store).await;
    assert!(
        user_by_id(&store, &UserId(unique())).await.is_none(),
        "unknown id → None"
    );
    assert!(
        user_by_email(&store, &unique_email("nobody")).await.is_none(),
        "unknown address → None"
    );
}

pub async fn profile_update_replaces_every_field_and_the_language<S: Store>(store: S) {
    let mut new = new_user(unique_email("profile"));
    new.profile = Profile {
        usertype: UserType::Organisation,
        firstname: Some("Old".into()),
        insertion: Some("de".into()),
        lastname: Some("Name".into()),
        display_name: Some("Oldie".into()),
        full_name: Some("Old de Name".into()),
        telephone: Some(Telephone::from_e164("+32475000000".into())),
        tin_nr: Some("123".into()),
        postal_code: Some("9999".into()),
        year_of_birth: Some(1950),
        organisation: Some(Organisation {
            name: "Old Org".into(),
            street_name: "Old Street 1".into(),
            town: "Oldtown".into(),
            sector: "Old sector".into(),
        }),
    };
    store.register(registration(new.clone())).await.expect("registering");

    // Every field changes, and fields that had a value become empty: an
    // update replaces, it does not merge.
    let mut profile = Profile::person();
    profile.firstname = Some("New".into());
    profile.telephone = Some(Telephone::from_e164("+31612345678".into()));
    profile.year_of_birth = Some(2001);
    let updated = store
        .update_profile(&new.id, &profile, Language::De)
        .await
        .expect("updating the profile");
    assert_eq!(updated.profile, profile, "update_profile returns the new profile");
    assert_eq!(
        updated.language,
        Language::De,
        "update_profile returns the new language"
    );

    let stored = user_by_id(&store, &new.id).await.expect("the user still exists");
    assert_eq!(stored, updated, "the stored user is what update_profile returned");
    assert_eq!(stored.email, new.email, "email unchanged");
    assert_eq!(stored.password_hash, new.password_hash, "password hash unchanged");
    assert_eq!(stored.role, new.role, "role unchanged");
    assert_eq!(stored.created_at, new.created_at, "created_at unchanged");
    assert_eq!(
        stored.email_confirmed_at, new.email_confirmed_at,
        "email_confirmed_at unchanged"
    );
}

pub async fn profile_update_of_an_unknown_user_is_not_found<S: Store>(store: S) {
    let result = store
        .update_profile(&UserId(unique()), &Profile::person(), Language::En)
        .await;
    assert!(
        matches!(result, Err(StoreError::NotFound)),
        "update_profile of an unknown user gives NotFound, got {result:?}"
    );
}

pub async fn password_change_revokes_every_session_and_keeps_only_the_given_one<S: Store>(store: S) {
    let web = add_client(&store, at(0)).await;
    let app = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    let other_user = add_user(&store).await;
    let phone = open(&store, &user, &web, "phone", at(1), 5).await;
    let laptop = open(&store, &user, &web, "laptop", at(2), 5).await;
    let tablet = open(&store, &user, &app, "tablet", at(3), 5).await;
    let bystander = open(&store, &other_user, &web, "phone", at(4), 5).await;

    let hash = PasswordHash(format!("$argon2id$v=19$m=19456,t=2,p=1${}", unique()));
    let keep = new_session(&user, &web, "phone", at(10));
    store
        .set_password(&user, &hash, Some(keep.clone()), None)
        .await
        .expect("setting the password");

    let stored = user_by_id(&store, &user).await.expect("the user exists");
    assert_eq!(stored.password_hash, Some(hash), "the new password hash is stored");
    let left = sessions(&store, &user).await;
    assert_eq!(left.len(), 1, "only the kept session is left, got {left:?}");
    assert_session_matches(&left[0], &keep);
    for (name, old) in [("phone", &phone), ("laptop", &laptop), ("tablet", &tablet)] {
        assert!(
            !authenticates(&store, &old.access_hash, at(11)).await,
            "the old {name} session is revoked"
        );
    }
    assert!(
        authenticates(&store, &keep.access_hash, at(11)).await,
        "the kept session works"
    );
    assert!(
        authenticates(&store, &bystander.access_hash, at(11)).await,
        "another user's session is untouched"
    );
}

pub async fn password_change_without_a_session_to_keep_leaves_none<S: Store>(store: S) {
    let client = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    let old = open(&store, &user, &client, "phone", at(1), 5).await;

    let hash = PasswordHash(format!("$argon2id${}", unique()));
    store
        .set_password(&user, &hash, None, None)
        .await
        .expect("setting the password");

    assert!(sessions(&store, &user).await.is_empty(), "no session is left");
    assert!(
        !authenticates(&store, &old.access_hash, at(2)).await,
        "the old session is revoked"
    );
    let stored = user_by_id(&store, &user).await.expect("the user exists");
    assert_eq!(stored.password_hash, Some(hash), "the new password hash is stored");
}

pub async fn password_change_of_an_unknown_user_is_not_found_and_opens_nothing<S: Store>(store: S) {
    let client = add_client(&store, at(0)).await;
    let ghost = UserId(unique());
    let keep = new_session(&ghost, &client, "phone", at(1));
    let result = store
        .set_password(&ghost, &PasswordHash("$argon2id$x".into()), Some(keep.clone()), None)
        .await;
    assert!(
        matches!(result, Err(StoreError::NotFound)),
        "set_password of an unknown user gives NotFound, got {result:?}"
    );
    assert!(
        !authenticates(&store, &keep.access_hash, at(2)).await,
        "the session to keep was not opened"
    );
}

pub async fn role_change_is_stored_and_unknown_users_are_not_found<S: Store>(store: S) {
    let user = add_user(&store).await;
    let admin = Role::parse("admin").expect("a valid role");
    store.set_role(&user, &admin).await.expect("setting the role");
    let stored = user_by_id(&store, &user).await.expect("the user exists");
    assert_eq!(stored.role, admin, "the new role is stored");

    let result = store.set_role(&UserId(unique()), &admin).await;
    assert!(
        matches!(result, Err(StoreError::NotFound)),
        "set_role of an unknown user gives NotFound, got {result:?}"
    );
}

pub async fn deleting_a_user_erases_their_sessions_and_acceptances_and_frees_the_email<S: Store>(store: S) {
    let client = add_client(&store, at(0)).await;
    let tac = publish(&store, new_revision("tac", "1", at(0), &[Language::En])).await;
    let new = new_user(unique_email("leaving"));
    let first = new_session(&new.id, &client, "phone", at(1));
    store
        .register(Registration {
            accepted_policies: vec![tac],
            session: Some(first.clone()),
            outbox: vec![new_mail(&new.id, OutboxKind::Confirmation, at(1))],
            ..registration(new.clone())
        })
        .await
        .expect("registering");
    let second = open(&store, &new.id, &client, "laptop", at(2), 5).await;
    let stayer = add_user(&store).await;
    let stayer_session = open(&store, &stayer, &client, "phone", at(3), 5).await;
    store.accept_policies(&stayer, &[tac], at(3)).await.expect("accepting");

    assert!(
        store.delete_user(&new.id).await.expect("deleting"),
        "delete_user returns true for an existing user"
    );

    assert!(user_by_id(&store, &new.id).await.is_none(), "gone by id");
    assert!(user_by_email(&store, &new.email).await.is_none(), "gone by email");
    assert!(sessions(&store, &new.id).await.is_empty(), "no sessions left");
    for s in [&first, &second] {
        assert!(
            !authenticates(&store, &s.access_hash, at(4)).await,
            "access token revoked"
        );
        assert_eq!(
            rotate(&store, rotation(&s.refresh_hash, at(4))).await,
            RotationOutcome::Unknown,
            "refresh token unknown"
        );
    }
    assert!(accepted(&store, &new.id).await.is_empty(), "acceptances erased");

    assert!(
        !store.delete_user(&new.id).await.expect("deleting again"),
        "delete_user returns false the second time"
    );

    assert!(user_by_id(&store, &stayer).await.is_some(), "another user stays");
    assert!(
        authenticates(&store, &stayer_session.access_hash, at(4)).await,
        "another user's session stays"
    );
    assert_eq!(
        accepted(&store, &stayer).await,
        BTreeSet::from([tac]),
        "another user's acceptances stay"
    );

    let again = NewUser {
        id: UserId(unique()),
        ..new.clone()
    };
    store
        .register(registration(again))
        .await
        .expect("the address of a deleted account can register again");
}

pub async fn registration_queues_its_mails_claimable_with_the_user<S: ContractStore>(store: S) {
    let before = backlog(&store).await;
    let user = new_user(unique_email("queued"));
    let mails = vec![
        new_mail(&user.id, OutboxKind::Confirmation, at(5)),
        new_mail(&user.id, OutboxKind::SignupAttempt, at(5)),
    ];
    store
        .register(Registration {
            outbox: mails.clone(),
            ..registration(user.clone())
        })
        .await
        .expect("registering with two mails");
    assert_eq!(backlog(&store).await, before + 2, "both mails are in the backlog");

    let stored = user_by_id(&store, &user.id).await.expect("the user exists");
    let claimed = claim(&store, at(6), at(6 + LEASE), 10).await;
    assert_eq!(
        sorted(ids(&claimed)),
        sorted(mails.iter().map(|m| m.id.clone()).collect()),
        "the registration's mails, and only they, are due"
    );
    for mail in &mails {
        let found = claimed
            .iter()
            .find(|c| c.id == mail.id)
            .expect("every queued mail is claimed");
        assert_mail_matches(found, mail, &stored, 0);
    }
}

pub async fn a_failed_registration_queues_nothing<S: ContractStore>(store: S) {
    let first = new_user(unique_email("Taken"));
    store
        .register(registration(first.clone()))
        .await
        .expect("the first registration");
    let before = backlog(&store).await;

    let duplicate = new_user(flipped_case(&first.email));
    let result = store
        .register(Registration {
            outbox: vec![new_mail(&duplicate.id, OutboxKind::Confirmation, at(1))],
            ..registration(duplicate)
        })
        .await;
    assert!(
        matches!(result, Err(StoreError::DuplicateEmail)),
        "a taken address gives DuplicateEmail, got {result:?}"
    );

    let unknown = RevisionId(i32::MAX);
    let unpublished = new_user(unique_email("unknown-revision"));
    let result = store
        .register(Registration {
            accepted_policies: vec![unknown],
            outbox: vec![new_mail(&unpublished.id, OutboxKind::Confirmation, at(1))],
            ..registration(unpublished)
        })
        .await;
    assert!(
        matches!(result, Err(StoreError::UnknownRevision(id)) if id == unknown),
        "an unknown revision gives UnknownRevision, got {result:?}"
    );

    assert_eq!(backlog(&store).await, before, "no mail was queued by either");
    assert!(claim_all(&store, at(2)).await.is_empty(), "nothing to claim");
}

pub async fn password_change_queues_its_mail<S: ContractStore>(store: S) {
    let user = add_user(&store).await;
    let before = backlog(&store).await;
    let mail = new_mail(&user, OutboxKind::PasswordChanged, at(10));
    store
        .set_password(&user, &password_hash(), None, Some(mail.clone()))
        .await
        .expect("setting the password with a mail");
    assert_eq!(backlog(&store).await, before + 1, "one mail queued");
    let stored = user_by_id(&store, &user).await.expect("the user exists");
    let claimed = claim(&store, at(11), at(11 + LEASE), 10).await;
    assert_eq!(claimed.len(), 1, "the mail is due, got {:?}", ids(&claimed));
    assert_mail_matches(&claimed[0], &mail, &stored, 0);

    let ghost = UserId(unique());
    let result = store
        .set_password(
            &ghost,
            &password_hash(),
            None,
            Some(new_mail(&ghost, OutboxKind::PasswordChanged, at(12))),
        )
        .await;
    assert!(
        matches!(result, Err(StoreError::NotFound)),
        "set_password of an unknown user gives NotFound, got {result:?}"
    );
    assert_eq!(backlog(&store).await, before + 1, "the failed change queued nothing");
}

pub async fn password_change_kills_live_reset_links_but_not_the_email_confirmation<S: ContractStore>(store: S) {
    let user = add_user(&store).await;
    let other = add_user(&store).await;
    let link = send(&store, reset_confirmation(&user, at(3600))).await;
    let others_link = send(&store, reset_confirmation(&other, at(3600))).await;
    let email = send(&store, email_confirmation(&user, at(3600))).await;
    assert_eq!(
        reset_link_user(&store, &link.link_hash, at(10)).await,
        Some(user.clone()),
        "the reset link is live before"
    );

    store
        .set_password(&user, &password_hash(), None, None)
        .await
        .expect("setting the password");

    assert_eq!(
        reset_link_user(&store, &link.link_hash, at(11)).await,
        None,
        "the reset link died with the change"
    );
    let hash = password_of(&store, &user).await;
    assert_eq!(
        reset(&store, &link.link_hash, &password_hash(), at(11), None).await,
        None,
        "the dead reset link does not reset"
    );
    assert_eq!(password_of(&store, &user).await, hash, "the password is unchanged");
    assert_eq!(
        reset_link_user(&store, &others_link.link_hash, at(11)).await,
        Some(other),
        "another user's reset link lives on"
    );
    assert_eq!(
        by_link(&store, &email.link_hash, at(12)).await,
        Some(user),
        "the email confirmation is not a reset link: it still confirms"
    );
}

pub async fn disabling_revokes_every_session_and_enabling_restores_the_account<S: ContractStore>(store: S) {
    let web = add_client(&store, at(0)).await;
    let app = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    let other = add_user(&store).await;
    let phone = open(&store, &user, &web, "phone", at(1), 5).await;
    let tablet = open(&store, &user, &app, "tablet", at(2), 5).await;
    let bystander = open(&store, &other, &web, "phone", at(3), 5).await;
    let before = user_by_id(&store, &user).await.expect("the user exists");

    store.set_disabled(&user, true).await.expect("disabling");
    let disabled = user_by_id(&store, &user).await.expect("a disabled user still exists");
    assert!(disabled.disabled, "the user is disabled");
    assert_eq!(
        User {
            disabled: false,
            ..disabled.clone()
        },
        before,
        "nothing else about the user changed"
    );
    assert_eq!(
        user_by_email(&store, &before.email).await,
        Some(disabled),
        "a disabled user is still found by email"
    );
    assert!(sessions(&store, &user).await.is_empty(), "every session is revoked");
    for s in [&phone, &tablet] {
        assert!(
            !authenticates(&store, &s.access_hash, at(4)).await,
            "the access token stops working"
        );
        assert_eq!(
            rotate(&store, rotation(&s.refresh_hash, at(4))).await,
            RotationOutcome::Unknown,
            "the refresh token is unknown"
        );
    }
    assert!(
        authenticates(&store, &bystander.access_hash, at(4)).await,
        "another user's session is untouched"
    );
    store.set_disabled(&user, true).await.expect("disabling twice is fine");

    store.set_disabled(&user, false).await.expect("enabling");
    assert!(
        !user_by_id(&store, &user).await.expect("the user exists").disabled,
        "the user is enabled again"
    );
    assert!(
        sessions(&store, &user).await.is_empty(),
        "enabling does not bring sessions back"
    );
    let fresh = open(&store, &user, &web, "phone", at(5), 5).await;
    store
        .set_disabled(&user, false)
        .await
        .expect("enabling an enabled user is fine");
    assert!(
        authenticates(&store, &fresh.access_hash, at(6)).await,
        "enabling revokes nothing"
    );
}

pub async fn disabling_an_unknown_user_is_not_found<S: ContractStore>(store: S) {
    for disabled in [true, false] {
        let result = store.set_disabled(&UserId(unique()), disabled).await;
        assert!(
            matches!(result, Err(StoreError::NotFound)),
            "set_disabled({disabled}) of an unknown user gives NotFound, got {result:?}"
        );
    }
}

pub async fn deleting_a_user_erases_their_confirmations_and_queued_mails<S: ContractStore>(store: S) {
    let leaving = add_user(&store).await;
    let staying = add_user(&store).await;
    let email = send(&store, email_confirmation(&leaving, at(3600))).await;
    let link = send(&store, reset_confirmation(&leaving, at(3600))).await;
    let queued = enqueue(&store, &leaving, OutboxKind::Confirmation, at(1)).await;
    let in_flight = enqueue(&store, &leaving, OutboxKind::PasswordReset, at(2)).await;
    let kept = enqueue(&store, &staying, OutboxKind::Confirmation, at(3)).await;
    assert!(
        claim_by_id(&store, &in_flight.id, at(10), at(10 + LEASE))
            .await
            .is_some(),
        "a worker holds one of the mails"
    );
    let before = backlog(&store).await;

    assert!(store.delete_user(&leaving).await.expect("deleting"), "the user existed");

    assert_eq!(backlog(&store).await, before - 2, "their two mails left the backlog");
    assert_eq!(
        by_code(&store, &leaving, code_of(&email), at(11), MAX_ATTEMPTS).await,
        CodeOutcome::NoCode,
        "their code is gone"
    );
    assert_eq!(
        by_link(&store, &email.link_hash, at(11)).await,
        None,
        "their link is gone"
    );
    assert_eq!(
        reset_link_user(&store, &link.link_hash, at(11)).await,
        None,
        "their reset link is gone"
    );
    assert_eq!(
        reset(&store, &link.link_hash, &password_hash(), at(11), None).await,
        None,
        "their reset link resets nothing"
    );
    assert_eq!(
        claim_by_id(&store, &queued.id, at(12), at(12 + LEASE))
            .await
            .map(|m| m.id),
        None,
        "their queued mail is gone"
    );
    // The worker that held the deleted user's mail finishes: not an error.
    store
        .mark_mail_sent(&in_flight.id, at(13))
        .await
        .expect("marking a mail deleted with its user sent is not an error");
    store
        .mark_mail_failed(&in_flight.id, Some(at(14)), "gone", at(13))
        .await
        .expect("marking a mail deleted with its user failed is not an error");
    assert_eq!(
        claim_all(&store, at(10_000)).await,
        vec![kept.id],
        "only the other user's mail is left, and nothing came back"
    );
}

// ---------------------------------------------------------------------------
// UserStore::register with an invite
// ---------------------------------------------------------------------------

pub async fn registration_with_an_invite_uses_it_up_with_the_account<S: ContractStore>(store: S) {
    let client = add_client(&store, at(0)).await;
    let tac = publish(&store, new_revision("tac", "1", at(0), &[Language::En])).await;
    let invite = add_invite(&store, 1).await;
    let bystander = add_invite(&store, 1).await;
    assert!(usable(&store, &invite).await, "a new single-use invite is usable");
    let before = backlog(&store).await;

    let user = new_user(unique_email("invited"));
    let session = new_session(&user.id, &client, "phone", at(10));
    store
        .register(Registration {
            accepted_policies: vec![tac],
            session: Some(session.clone()),
            outbox: vec![new_mail(&user.id, OutboxKind::Confirmation, at(10))],
            ..invited(user.clone(), &invite)
        })
        .await
        .expect("registering with a usable invite");

    let found = user_by_id(&store, &user.id).await.expect("the account is created");
    assert_user_matches(&found, &user);
    assert!(
        authenticates(&store, &session.access_hash, at(11)).await,
        "with its session"
    );
    assert_eq!(
        accepted(&store, &user.id).await,
        BTreeSet::from([tac]),
        "and its acceptances"
    );
    assert_eq!(backlog(&store).await, before + 1, "and its mail");
    assert!(!usable(&store, &invite).await, "the invite's only use is used up");
    assert!(usable(&store, &bystander).await, "another invite is untouched");

    let late = new_user(unique_email("late"));
    let result = store.register(invited(late.clone(), &invite)).await;
    assert!(
        matches!(result, Err(StoreError::InvalidInvite)),
        "the used-up invite pays for no second account, got {result:?}"
    );
    assert!(user_by_id(&store, &late.id).await.is_none(), "no second account");
}

pub async fn a_multi_use_invite_counts_down_to_zero<S: Store>(store: S) {
    const USES: u32 = 3;
    let invite = add_invite(&store, USES).await;
    for used in 1..=USES {
        let user = new_user(unique_email("multi"));
        store
            .register(invited(user.clone(), &invite))
            .await
            .unwrap_or_else(|e| panic!("registration {used} of {USES} with the invite failed: {e:?}"));
        assert!(user_by_id(&store, &user.id).await.is_some(), "account {used} exists");
        assert_eq!(
            usable(&store, &invite).await,
            used < USES,
            "after {used} of {USES} uses the invite is usable only while a use is left"
        );
    }

    let extra = new_user(unique_email("extra"));
    let result = store.register(invited(extra.clone(), &invite)).await;
    assert!(
        matches!(result, Err(StoreError::InvalidInvite)),
        "registration {} with a {USES}-use invite gives InvalidInvite, got {result:?}",
        USES + 1
    );
    assert!(user_by_id(&store, &extra.id).await.is_none(), "no extra account");
    assert!(!usable(&store, &invite).await, "the invite stays used up");
}

pub async fn registration_with_an_unknown_or_used_up_invite_fails_and_changes_nothing<S: ContractStore>(store: S) {
    let client = add_client(&store, at(0)).await;
    let tac = publish(&store, new_revision("tac", "1", at(0), &[Language::En])).await;
    let used_up = add_invite(&store, 1).await;
    store
        .register(invited(new_user(unique_email("first")), &used_up))
        .await
        .expect("the invite's only registration");

    for (what, invite) in [("an unknown invite", secret()), ("a used-up invite", used_up.clone())] {
        let before = backlog(&store).await;
        let user = new_user(unique_email("uninvited"));
        let session = new_session(&user.id, &client, "phone", at(1));
        let result = store
            .register(Registration {
                accepted_policies: vec![tac],
                session: Some(session.clone()),
                outbox: vec![new_mail(&user.id, OutboxKind::Confirmation, at(1))],
                ..invited(user.clone(), &invite)
            })
            .await;
        assert!(
            matches!(result, Err(StoreError::InvalidInvite)),
            "registering with {what} gives InvalidInvite, got {result:?}"
        );
        assert!(user_by_id(&store, &user.id).await.is_none(), "{what}: no user by id");
        assert!(
            user_by_email(&store, &user.email).await.is_none(),
            "{what}: no user by email"
        );
        assert!(sessions(&store, &user.id).await.is_empty(), "{what}: no session");
        assert!(
            !authenticates(&store, &session.access_hash, at(2)).await,
            "{what}: the session's access token does not authenticate"
        );
        assert!(accepted(&store, &user.id).await.is_empty(), "{what}: no acceptances");
        assert_eq!(backlog(&store).await, before, "{what}: no mail queued");
        assert!(!usable(&store, &invite).await, "{what}: the invite is still not usable");

        store
            .register(registration(user))
            .await
            .unwrap_or_else(|e| panic!("{what}: the address is still free, but registering gives {e:?}"));
    }
}

pub async fn a_failed_registration_does_not_use_the_invite<S: Store>(store: S) {
    let taken = new_user(unique_email("Taken"));
    store
        .register(registration(taken.clone()))
        .await
        .expect("the first registration");
    let invite = add_invite(&store, 1).await;

    let duplicate = new_user(flipped_case(&taken.email));
    let result = store.register(invited(duplicate, &invite)).await;
    assert!(
        matches!(result, Err(StoreError::DuplicateEmail)),
        "a taken address with a usable invite gives DuplicateEmail, got {result:?}"
    );
    assert!(usable(&store, &invite).await, "a taken address does not use the invite");

    let unknown = RevisionId(i32::MAX);
    let result = store
        .register(Registration {
            accepted_policies: vec![unknown],
            ..invited(new_user(unique_email("unknown-revision")), &invite)
        })
        .await;
    assert!(
        matches!(result, Err(StoreError::UnknownRevision(id)) if id == unknown),
        "an unknown revision with a usable invite gives UnknownRevision, got {result:?}"
    );
    assert!(
        usable(&store, &invite).await,
        "an unknown revision does not use the invite"
    );

    let user = new_user(unique_email("invited"));
    store
        .register(invited(user.clone(), &invite))
        .await
        .expect("the invite's one use is still there");
    assert!(!usable(&store, &invite).await, "and now it is used up");
}

pub async fn a_taken_email_is_reported_before_a_bad_invite<S: Store>(store: S) {
    let taken = new_user(unique_email("Taken"));
    store
        .register(registration(taken.clone()))
        .await
        .expect("the first registration");
    let used_up = add_invite(&store, 1).await;
    store
        .register(invited(new_user(unique_email("first")), &used_up))
        .await
        .expect("the invite's only registration");

    for (what, invite) in [("an unknown invite", secret()), ("a used-up invite", used_up)] {
        let duplicate = new_user(flipped_case(&taken.email));
        let result = store.register(invited(duplicate.clone(), &invite)).await;
        assert!(
            matches!(result, Err(StoreError::DuplicateEmail)),
            "a taken address with {what} gives DuplicateEmail, got {result:?}"
        );
        assert!(
            user_by_id(&store, &duplicate.id).await.is_none(),
            "{what}: no second account"
        );
    }
    let owner = user_by_email(&store, &taken.email)
        .await
        .expect("the address has its account");
    assert_user_matches(&owner, &taken);
}

/// `racers` registrations of different addresses, each with a session and a
/// mail, race for the uses of one invite; returns the winners' users.
async fn race_for_an_invite<S: ContractStore>(store: &S, invite: &SecretHash, racers: usize) -> Vec<NewUser> {
    let client = add_client(store, at(0)).await;
    let before = backlog(store).await;
    let barrier = Arc::new(Barrier::new(racers));
    let mut tasks = Vec::new();
    for _ in 0..racers {
        let user = new_user(unique_email("racer"));
        let registration = Registration {
            session: Some(new_session(&user.id, &client, "phone", at(1))),
            outbox: vec![new_mail(&user.id, OutboxKind::Confirmation, at(1))],
            ..invited(user.clone(), invite)
        };
        let (store, barrier) = (store.clone(), Arc::clone(&barrier));
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            (user, store.register(registration).await)
        }));
    }

    let mut winners = Vec::new();
    for task in tasks {
        let (user, result) = task.await.expect("a registration task ran to completion");
        match result {
            Ok(()) => {
                assert_eq!(sessions(store, &user.id).await.len(), 1, "a winner has their session");
                winners.push(user);
            }
            Err(StoreError::InvalidInvite) => {
                assert!(
                    user_by_id(store, &user.id).await.is_none(),
                    "no user for a losing registration"
                );
                assert!(
                    user_by_email(store, &user.email).await.is_none(),
                    "no user by email for a losing registration"
                );
                assert!(
                    sessions(store, &user.id).await.is_empty(),
                    "no session for a losing registration"
                );
            }
            Err(other) => panic!("a registration racing for an invite failed with {other:?} instead of InvalidInvite"),
        }
    }
    assert_eq!(
        backlog(store).await,
        before + u64::try_from(winners.len()).expect("small"),
        "only the winners' mails are queued"
    );
    assert!(!usable(store, invite).await, "every use of the invite is used up");
    winners
}

pub async fn concurrent_registrations_racing_for_a_single_use_invite_let_exactly_one_through<S: ContractStore>(
    store: S,
) {
    let invite = add_invite(&store, 1).await;
    let winners = race_for_an_invite(&store, &invite, 10).await;
    assert_eq!(winners.len(), 1, "exactly one registration gets the invite's use");
}

pub async fn concurrent_registrations_never_use_an_invite_more_often_than_it_allows<S: ContractStore>(store: S) {
    let invite = add_invite(&store, 3).await;
    let winners = race_for_an_invite(&store, &invite, 10).await;
    assert_eq!(
        winners.len(),
        3,
        "exactly three registrations get the invite's three uses"
    );
}

pub async fn importing_users_inserts_them_and_their_sessions<S: Store>(store: S) {
    let client = add_client(&store, at(0)).await;
    let users: Vec<NewUser> = (0..3).map(|i| new_user(unique_email(&format!("import{i}")))).collect();
    let session = new_session(&users[0].id, &client, "phone", at(1));
    let batch = vec![
        (users[0].clone(), Some(session.clone())),
        (users[1].clone(), None),
        (users[2].clone(), None),
    ];
    assert_eq!(store.import_users(batch).await.expect("import"), 3);
    for user in &users {
        let found = store
            .user_by_email(&user.email)
            .await
            .expect("lookup")
            .expect("imported user found by email");
        assert_eq!(found.id, user.id);
        assert_eq!(found.password_hash, user.password_hash);
    }
    let (found, owner) = store
        .session_by_access(&session.access_hash, at(2))
        .await
        .expect("lookup")
        .expect("the imported session's access token works");
    assert_eq!((found.id, owner.id), (session.id, users[0].id.clone()));
    assert_eq!(store.import_users(Vec::new()).await.expect("an empty import"), 0);
}

pub async fn an_import_with_a_taken_address_inserts_nothing<S: Store>(store: S) {
    let taken = new_user(unique_email("taken"));
    store.register(registration(taken.clone())).await.expect("register");
    let fresh = new_user(unique_email("fresh"));
    let mut clash = new_user(Email::parse(&taken.email.as_str().to_uppercase()).expect("email"));
    clash.id = UserId(unique());
    let result = store.import_users(vec![(fresh.clone(), None), (clash, None)]).await;
    assert!(matches!(result, Err(StoreError::DuplicateEmail)), "{result:?}");
    assert!(
        store.user_by_email(&fresh.email).await.expect("lookup").is_none(),
        "nothing was inserted"
    );
    let twice = new_user(unique_email("twice"));
    let mut again = new_user(twice.email.clone());
    again.id = UserId(unique());
    let result = store.import_users(vec![(twice.clone(), None), (again, None)]).await;
    assert!(matches!(result, Err(StoreError::DuplicateEmail)), "{result:?}");
    assert!(store.user_by_email(&twice.email).await.expect("lookup").is_none());
}

// ---------------------------------------------------------------------------
// SessionStore
// ---------------------------------------------------------------------------

pub async fn opened_session_is_listed_and_found_by_access_hash_with_its_user<S: Store>(store: S) {
    let client = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    let session = open(&store, &user, &client, "phone", at(100), 5).await;

    let listed = sessions(&store, &user).await;
    assert_eq!(listed.len(), 1, "one session listed");
    assert_session_matches(&listed[0], &session);

    let (found, owner) = store
        .session_by_access(&session.access_hash, at(101))
        .await
        .expect("looking up")
        .expect("the session is found by its access hash");
    assert_eq!(found, listed[0], "session_by_access returns the listed session");
    assert_eq!(owner.id, user, "session_by_access returns the session's user");
    assert_eq!(
        Some(owner),
        user_by_id(&store, &user).await,
        "the returned user is the whole user"
    );
}

pub async fn session_with_standing_is_the_session_its_user_and_their_policy_standing<S: Store>(store: S) {
    let client = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    let kind = format!("terms-{}", &unique()[..8]);
    let v1 = publish(&store, new_revision(&kind, "1", at(0), &[Language::En])).await;
    let v2 = publish(&store, new_revision(&kind, "2", at(1), &[Language::En])).await;
    store.accept_policies(&user, &[v1], at(2)).await.expect("accepting");
    let session = open(&store, &user, &client, "phone", at(100), 5).await;

    let (found, owner, standing) = store
        .session_with_standing(&session.access_hash, at(101))
        .await
        .expect("looking up")
        .expect("found by its access hash");
    let (alone, alone_owner) = store
        .session_by_access(&session.access_hash, at(101))
        .await
        .expect("looking up")
        .expect("found");
    assert_eq!(
        (found, owner),
        (alone, alone_owner),
        "the same session and user as session_by_access"
    );
    assert_eq!(standing, store.policy_standing(&user).await.expect("standing"));
    assert!(standing
        .current
        .contains(&(v2, PolicyType::parse(&kind).expect("type"))));
    assert_eq!(standing.accepted, BTreeSet::from([v1]));
    assert!(
        store
            .session_with_standing(&secret(), at(101))
            .await
            .expect("looking up")
            .is_none(),
        "an unknown hash"
    );
    assert!(
        store
            .session_with_standing(&session.access_hash, at(100 + ACCESS_TTL))
            .await
            .expect("looking up")
            .is_none(),
        "an expired token"
    );
}

pub async fn session_by_access_ignores_unknown_hashes<S: Store>(store: S) {
    let client = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    let session = open(&store, &user, &client, "phone", at(0), 5).await;
    assert!(!authenticates(&store, &secret(), at(1)).await, "an unknown hash → None");
    assert!(
        !authenticates(&store, &session.refresh_hash, at(1)).await,
        "a refresh token is not an access token"
    );
}

pub async fn access_token_expires_at_its_expiry_instant<S: Store>(store: S) {
    let client = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    let session = open(&store, &user, &client, "phone", at(0), 5).await;
    let expiry = session.access_expires_at;

    assert!(
        authenticates(&store, &session.access_hash, expiry - Duration::seconds(1)).await,
        "the access token works one second before it expires"
    );
    assert!(
        !authenticates(&store, &session.access_hash, expiry).await,
        "the access token is expired at now == access_expires_at"
    );
    assert!(
        !authenticates(&store, &session.access_hash, expiry + Duration::days(1)).await,
        "the access token is expired after access_expires_at"
    );
    assert_eq!(
        sessions(&store, &user).await.len(),
        1,
        "an expired access token does not end the session"
    );
}

pub async fn opening_a_session_for_the_same_device_and_client_replaces_the_previous_one<S: Store>(store: S) {
    let client = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    let old = open(&store, &user, &client, "phone", at(1), 5).await;
    let new = open(&store, &user, &client, "phone", at(2), 5).await;

    assert!(
        !authenticates(&store, &old.access_hash, at(3)).await,
        "the previous access token of the device no longer authenticates"
    );
    assert!(
        authenticates(&store, &new.access_hash, at(3)).await,
        "the new access token works"
    );
    assert_eq!(
        rotate(&store, rotation(&old.refresh_hash, at(3))).await,
        RotationOutcome::Unknown,
        "the previous refresh token of the device is unknown"
    );
    assert_eq!(
        session_ids(&store, &user).await,
        vec![new.id],
        "one session for the device"
    );
}

pub async fn the_same_device_on_another_client_is_a_separate_session<S: Store>(store: S) {
    let web = add_client(&store, at(0)).await;
    let app = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    let on_web = open(&store, &user, &web, "phone", at(1), 5).await;
    let on_app = open(&store, &user, &app, "phone", at(2), 5).await;

    assert!(
        authenticates(&store, &on_web.access_hash, at(3)).await,
        "the web session stays"
    );
    assert!(
        authenticates(&store, &on_app.access_hash, at(3)).await,
        "the app session works"
    );
    assert_eq!(
        session_ids(&store, &user).await,
        vec![on_web.id, on_app.id],
        "two sessions"
    );
}

pub async fn opening_past_the_cap_evicts_the_least_recently_used_session_of_that_client<S: Store>(store: S) {
    let client = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    let first = open(&store, &user, &client, "d1", at(1), 2).await;
    let second = open(&store, &user, &client, "d2", at(2), 2).await;
    let third = open(&store, &user, &client, "d3", at(3), 2).await;

    assert_eq!(
        session_ids(&store, &user).await,
        vec![second.id.clone(), third.id.clone()],
        "with a cap of 2 the least recently used session is evicted"
    );
    assert!(
        !authenticates(&store, &first.access_hash, at(4)).await,
        "the evicted session is revoked"
    );
    assert!(
        authenticates(&store, &third.access_hash, at(4)).await,
        "the new session works"
    );
}

pub async fn touching_a_session_saves_it_from_eviction<S: Store>(store: S) {
    let client = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    let first = open(&store, &user, &client, "d1", at(1), 3).await;
    let second = open(&store, &user, &client, "d2", at(2), 3).await;
    let third = open(&store, &user, &client, "d3", at(3), 3).await;
    store
        .touch_sessions(std::slice::from_ref(&first.id), at(4))
        .await
        .expect("touching");
    let fourth = open(&store, &user, &client, "d4", at(5), 3).await;

    assert_eq!(
        session_ids(&store, &user).await,
        vec![first.id.clone(), third.id, fourth.id],
        "the touched first session survives; the second, now least recently used, is evicted"
    );
    assert!(
        !authenticates(&store, &second.access_hash, at(6)).await,
        "the evicted session is revoked"
    );
    assert!(
        authenticates(&store, &first.access_hash, at(6)).await,
        "the touched session works"
    );
}

pub async fn the_session_cap_ignores_other_clients_and_other_users<S: Store>(store: S) {
    let capped = add_client(&store, at(0)).await;
    let other_client = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    let other_user = add_user(&store).await;

    let bystander = open(&store, &other_user, &capped, "d0", at(0), 2).await;
    let elsewhere_1 = open(&store, &user, &other_client, "e1", at(1), 5).await;
    let elsewhere_2 = open(&store, &user, &other_client, "e2", at(2), 5).await;
    let a1 = open(&store, &user, &capped, "a1", at(3), 2).await;
    let a2 = open(&store, &user, &capped, "a2", at(4), 2).await;
    let a3 = open(&store, &user, &capped, "a3", at(5), 2).await;

    assert_eq!(
        session_ids(&store, &user).await,
        vec![elsewhere_1.id, elsewhere_2.id, a2.id, a3.id],
        "only the user's own sessions of the capped client count and are evicted"
    );
    assert!(
        !authenticates(&store, &a1.access_hash, at(6)).await,
        "the LRU capped session is revoked"
    );
    assert!(
        authenticates(&store, &bystander.access_hash, at(6)).await,
        "another user's session on the same client is neither counted nor evicted"
    );
}

pub async fn concurrent_opens_on_many_devices_never_exceed_the_cap<S: Store>(store: S) {
    const DEVICES: usize = 8;
    const CAP: usize = 5;
    let client = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    let barrier = Arc::new(Barrier::new(DEVICES));

    let mut tasks = Vec::new();
    for i in 0..DEVICES {
        let seconds = i64::try_from(i).expect("small") + 1;
        let session = new_session(&user, &client, &format!("device-{i}"), at(seconds));
        let store = store.clone();
        let barrier = Arc::clone(&barrier);
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let result = store.open_session(session.clone(), CAP).await;
            (session, result)
        }));
    }
    let mut opened = Vec::new();
    for task in tasks {
        let (session, result) = task.await.expect("an open_session task ran to completion");
        result.expect("a concurrent open_session succeeds");
        opened.push(session);
    }

    let left = sessions(&store, &user).await;
    assert!(
        !left.is_empty() && left.len() <= CAP,
        "{DEVICES} concurrent opens with a cap of {CAP} leave 1 to {CAP} sessions, got {}",
        left.len()
    );
    let mut working = 0;
    for session in &opened {
        if authenticates(&store, &session.access_hash, at(100)).await {
            working += 1;
        }
    }
    assert_eq!(working, left.len(), "exactly the listed sessions authenticate");
}

pub async fn a_session_resting_on_a_stale_password_is_refused_and_opens_nothing<S: ContractStore>(store: S) {
    let client = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    let old = password_of(&store, &user)
        .await
        .expect("the fixture user has a password");
    let mut before = new_session(&user, &client, "phone", at(1));
    before.credential = Some(old.clone());
    store
        .open_session(before.clone(), 5)
        .await
        .expect("a session resting on the current password opens");

    let new = password_hash();
    store
        .set_password(&user, &new, None, None)
        .await
        .expect("changing the password");

    let mut stale = new_session(&user, &client, "laptop", at(2));
    stale.credential = Some(old.clone());
    let result = store.open_session(stale.clone(), 5).await;
    assert!(
        matches!(result, Err(StoreError::StaleCredential)),
        "a session resting on the replaced password gives StaleCredential, got {result:?}"
    );
    assert!(sessions(&store, &user).await.is_empty(), "nothing was opened");
    assert!(
        !authenticates(&store, &stale.access_hash, at(3)).await,
        "the refused session's token does not work"
    );

    // A change that rests on the replaced password changes nothing either.
    let mut current = new_session(&user, &client, "tablet", at(4));
    current.credential = Some(new.clone());
    store
        .open_session(current.clone(), 5)
        .await
        .expect("a session resting on the new password opens");
    let mut keep = new_session(&user, &client, "laptop", at(5));
    keep.credential = Some(old);
    let result = store
        .set_password(&user, &password_hash(), Some(keep.clone()), None)
        .await;
    assert!(
        matches!(result, Err(StoreError::StaleCredential)),
        "a password change resting on the replaced password gives StaleCredential, got {result:?}"
    );
    assert_eq!(
        password_of(&store, &user).await,
        Some(new.clone()),
        "the password is unchanged"
    );
    assert_eq!(
        session_ids(&store, &user).await,
        vec![current.id.clone()],
        "the sessions are unchanged"
    );

    // Resting on the current password, the change goes through and keeps its session.
    let mut keep = new_session(&user, &client, "laptop", at(6));
    keep.credential = Some(new);
    store
        .set_password(&user, &password_hash(), Some(keep.clone()), None)
        .await
        .expect("a change resting on the current password");
    assert_eq!(
        session_ids(&store, &user).await,
        vec![keep.id],
        "only the kept session is left"
    );
}

pub async fn opens_racing_a_password_change_or_reset_never_leave_a_session_on_the_old_password<S: ContractStore>(
    store: S,
) {
    const OPENERS: usize = 6;
    const OPENS_EACH: usize = 4;
    const ROUNDS: usize = 6;
    let client = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    for round in 0..ROUNDS {
        let old = password_of(&store, &user).await.expect("the user has a password");
        let link = send(&store, reset_confirmation(&user, at(3600))).await;
        let barrier = Arc::new(Barrier::new(OPENERS + 1));
        let mut openers = Vec::new();
        for task in 0..OPENERS {
            let (store, barrier, user, client, old) = (
                store.clone(),
                Arc::clone(&barrier),
                user.clone(),
                client.clone(),
                old.clone(),
            );
            openers.push(tokio::spawn(async move {
                barrier.wait().await;
                let mut opened = Vec::new();
                for n in 0..OPENS_EACH {
                    let mut session = new_session(&user, &client, &format!("r{round}-t{task}-n{n}"), at(10));
                    session.credential = Some(old.clone());
                    let result = store.open_session(session.clone(), 1000).await;
                    opened.push((session, result));
                    tokio::task::yield_now().await;
                }
                opened
            }));
        }
        let changer = {
            let (store, barrier, user) = (store.clone(), Arc::clone(&barrier), user.clone());
            let link = link.link_hash.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                // Let some opens come first: the change lands among them.
                for _ in 0..round {
                    tokio::task::yield_now().await;
                }
                if round % 2 == 0 {
                    store
                        .set_password(&user, &password_hash(), None, None)
                        .await
                        .map(|()| true)
                } else {
                    store
                        .reset_password(&link, &password_hash(), at(10), None)
                        .await
                        .map(|reset| reset.is_some())
                }
            })
        };
        let changed = changer.await.expect("the changing task ran to completion");
        assert!(
            matches!(changed, Ok(true)),
            "round {round}: the change goes through, got {changed:?}"
        );
        for opener in openers {
            for (session, result) in opener.await.expect("an opening task ran to completion") {
                assert!(
                    matches!(result, Ok(()) | Err(StoreError::StaleCredential)),
                    "round {round}: an open racing a change succeeds (then is revoked) or is refused as stale, got {result:?}"
                );
                assert!(
                    !authenticates(&store, &session.access_hash, at(11)).await,
                    "round {round}: no session opened on the old password works after the change"
                );
            }
        }
        assert!(
            sessions(&store, &user).await.is_empty(),
            "round {round}: no session is left after the change"
        );
    }
}

pub async fn sessions_are_listed_oldest_first<S: Store>(store: S) {
    let web = add_client(&store, at(0)).await;
    let app = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    let first = open(&store, &user, &app, "d1", at(10), 5).await;
    let second = open(&store, &user, &web, "d2", at(20), 5).await;
    let third = open(&store, &user, &app, "d3", at(30), 5).await;
    // Use changes recency, not age.
    store
        .touch_sessions(std::slice::from_ref(&first.id), at(40))
        .await
        .expect("touching");

    let listed = sessions(&store, &user).await;
    let ids: Vec<_> = listed.iter().map(|s| s.id.clone()).collect();
    assert_eq!(
        ids,
        vec![first.id, second.id, third.id],
        "sessions_of lists oldest first"
    );
    assert!(
        listed.windows(2).all(|w| w[0].created_at <= w[1].created_at),
        "created_at grows along the list"
    );
    assert!(
        sessions(&store, &UserId(unique())).await.is_empty(),
        "an unknown user has no sessions"
    );
}

pub async fn revoking_a_session_stops_its_tokens_and_reports_whether_it_existed<S: Store>(store: S) {
    let client = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    let gone = open(&store, &user, &client, "phone", at(1), 5).await;
    let stays = open(&store, &user, &client, "laptop", at(2), 5).await;

    assert!(
        store.revoke_session(&gone.id).await.expect("revoking"),
        "revoke_session → true"
    );
    assert!(
        !authenticates(&store, &gone.access_hash, at(3)).await,
        "its access token stops working"
    );
    assert_eq!(
        rotate(&store, rotation(&gone.refresh_hash, at(3))).await,
        RotationOutcome::Unknown,
        "its refresh token is unknown"
    );
    assert_eq!(
        session_ids(&store, &user).await,
        vec![stays.id],
        "the other session stays"
    );
    assert!(
        !store.revoke_session(&gone.id).await.expect("revoking again"),
        "revoke_session → false the second time"
    );
    assert!(
        !store
            .revoke_session(&SessionId(unique()))
            .await
            .expect("revoking an unknown session"),
        "revoke_session of an unknown id → false"
    );
}

pub async fn revoking_a_device_revokes_its_sessions_on_every_client_and_counts_them<S: Store>(store: S) {
    let web = add_client(&store, at(0)).await;
    let app = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    let other_user = add_user(&store).await;
    let phone_web = open(&store, &user, &web, "phone", at(1), 5).await;
    let phone_app = open(&store, &user, &app, "phone", at(2), 5).await;
    let laptop = open(&store, &user, &web, "laptop", at(3), 5).await;
    let others_phone = open(&store, &other_user, &web, "phone", at(4), 5).await;

    let count = store
        .revoke_device(&user, &device("phone"))
        .await
        .expect("revoking the device");
    assert_eq!(count, 2, "both of the device's sessions (two clients) are revoked");
    for s in [&phone_web, &phone_app] {
        assert!(
            !authenticates(&store, &s.access_hash, at(5)).await,
            "the device's tokens stop working"
        );
    }
    assert_eq!(
        session_ids(&store, &user).await,
        vec![laptop.id],
        "the other device stays"
    );
    assert!(
        authenticates(&store, &others_phone.access_hash, at(5)).await,
        "another user's device of the same id stays"
    );
    assert_eq!(
        store
            .revoke_device(&user, &device("phone"))
            .await
            .expect("revoking again"),
        0,
        "nothing left to revoke the second time"
    );
}

pub async fn touching_many_sessions_at_once_never_moves_a_last_use_back<S: Store>(store: S) {
    let client = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    let phone = open(&store, &user, &client, "phone", at(1), 5).await;
    let laptop = open(&store, &user, &client, "laptop", at(1), 5).await;
    let unknown = SessionId(unique());
    store
        .touch_sessions(&[phone.id.clone(), laptop.id.clone(), unknown], at(300))
        .await
        .expect("touching several, one unknown");
    store
        .touch_sessions(std::slice::from_ref(&phone.id), at(200))
        .await
        .expect("a late touch");
    store.touch_sessions(&[], at(400)).await.expect("touching none");
    let listed = sessions(&store, &user).await;
    assert_eq!(listed.len(), 2);
    assert!(
        listed.iter().all(|s| s.last_used_at == at(300)),
        "both touched at 300, the older touch did not move the phone back: {listed:?}"
    );
}

pub async fn touching_a_session_records_its_last_use<S: Store>(store: S) {
    let client = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    let session = open(&store, &user, &client, "phone", at(1), 5).await;
    store
        .touch_sessions(std::slice::from_ref(&session.id), at(500))
        .await
        .expect("touching");

    let listed = sessions(&store, &user).await;
    assert_eq!(listed.len(), 1, "one session");
    assert_eq!(listed[0].last_used_at, at(500), "last_used_at is the touch's now");
    assert_eq!(listed[0].created_at, at(1), "created_at unchanged");
    assert_eq!(
        listed[0].refreshed_at,
        at(1),
        "refreshed_at unchanged: touching is not refreshing"
    );
    let (found, _) = store
        .session_by_access(&session.access_hash, at(501))
        .await
        .expect("looking up")
        .expect("the session still works");
    assert_eq!(
        found.last_used_at,
        at(500),
        "session_by_access sees the new last_used_at"
    );
}

// ---------------------------------------------------------------------------
// SessionStore::rotate_refresh
// ---------------------------------------------------------------------------

pub async fn rotating_a_live_refresh_token_installs_the_new_pair<S: Store>(store: S) {
    let client = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    let opened = open(&store, &user, &client, "phone", at(0), 5).await;

    let r = rotation(&opened.refresh_hash, at(100));
    let outcome = rotate(&store, r.clone()).await;
    let RotationOutcome::Rotated(session) = outcome else {
        panic!("a live refresh token rotates, got {outcome:?}");
    };
    assert_eq!(session.id, opened.id, "same session");
    assert_eq!(session.created_at, at(0), "created_at unchanged");
    assert_eq!(session.refreshed_at, at(100), "refreshed_at is the rotation's now");
    assert_eq!(session.last_used_at, at(100), "last_used_at is the rotation's now");
    assert_eq!(
        session.access_expires_at, r.new_access_expires_at,
        "the new access expiry"
    );
    assert_eq!(
        sessions(&store, &user).await,
        vec![session],
        "the stored session is the returned one"
    );

    assert!(
        authenticates(&store, &r.new_access_hash, at(101)).await,
        "the new access token works"
    );
    assert!(
        !authenticates(&store, &opened.access_hash, at(101)).await,
        "the old access token no longer works, though not expired"
    );
    let again = rotate(&store, rotation(&opened.refresh_hash, at(102))).await;
    assert_eq!(
        again,
        RotationOutcome::RetiredWithinGrace,
        "the old refresh token is retired"
    );
    let next = rotate(&store, rotation(&r.new_refresh_hash, at(103))).await;
    assert!(
        matches!(next, RotationOutcome::Rotated(_)),
        "the new refresh token is live, got {next:?}"
    );
}

pub async fn rotation_restarts_the_idle_clock<S: Store>(store: S) {
    let client = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    let opened = open(&store, &user, &client, "phone", at(0), 5).await;

    let first = rotation(&opened.refresh_hash, at(1000));
    assert!(
        matches!(rotate(&store, first.clone()).await, RotationOutcome::Rotated(_)),
        "first rotation"
    );
    let second = Rotation {
        idle_cutoff: at(500),
        ..rotation(&first.new_refresh_hash, at(2000))
    };
    let outcome = rotate(&store, second).await;
    assert!(
        matches!(outcome, RotationOutcome::Rotated(_)),
        "idleness counts from the last rotation (1000 > cutoff 500), not the opening: got {outcome:?}"
    );
}

pub async fn a_retired_token_presented_within_grace_is_refused_and_the_session_lives_on<S: Store>(store: S) {
    let client = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    let opened = open(&store, &user, &client, "phone", at(0), 5).await;
    let first = rotation(&opened.refresh_hash, at(100));
    assert!(
        matches!(rotate(&store, first.clone()).await, RotationOutcome::Rotated(_)),
        "rotated"
    );

    let replay = Rotation {
        grace_cutoff: at(95),
        ..rotation(&opened.refresh_hash, at(105))
    };
    assert_eq!(
        rotate(&store, replay.clone()).await,
        RotationOutcome::RetiredWithinGrace,
        "retired at 100, after the grace cutoff 95"
    );
    assert!(
        !authenticates(&store, &replay.new_access_hash, at(106)).await,
        "the refused rotation's pair is not installed"
    );
    assert!(
        authenticates(&store, &first.new_access_hash, at(106)).await,
        "the session's current access token still works"
    );
    let next = rotate(&store, rotation(&first.new_refresh_hash, at(107))).await;
    assert!(
        matches!(next, RotationOutcome::Rotated(_)),
        "the session's current refresh token still rotates, got {next:?}"
    );
}

pub async fn a_retired_token_presented_after_grace_revokes_the_whole_session<S: Store>(store: S) {
    let client = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    let opened = open(&store, &user, &client, "phone", at(0), 5).await;
    let other = open(&store, &user, &client, "laptop", at(1), 5).await;
    let first = rotation(&opened.refresh_hash, at(100));
    assert!(
        matches!(rotate(&store, first.clone()).await, RotationOutcome::Rotated(_)),
        "rotated"
    );

    let replay = Rotation {
        grace_cutoff: at(190),
        ..rotation(&opened.refresh_hash, at(200))
    };
    assert_eq!(
        rotate(&store, replay).await,
        RotationOutcome::ReuseDetected,
        "retired at 100, at or before the grace cutoff 190"
    );
    assert!(
        !authenticates(&store, &first.new_access_hash, at(201)).await,
        "the session's current access token is revoked"
    );
    assert_eq!(
        rotate(&store, rotation(&first.new_refresh_hash, at(201))).await,
        RotationOutcome::Unknown,
        "the session's current refresh token is gone"
    );
    assert_eq!(
        rotate(&store, rotation(&opened.refresh_hash, at(202))).await,
        RotationOutcome::Unknown,
        "once the session is gone the replayed token is unknown"
    );
    assert_eq!(
        session_ids(&store, &user).await,
        vec![other.id],
        "only that session is revoked"
    );
}

pub async fn grace_ends_at_the_cutoff_instant<S: Store>(store: S) {
    let client = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    let opened = open(&store, &user, &client, "phone", at(0), 5).await;
    assert!(
        matches!(
            rotate(&store, rotation(&opened.refresh_hash, at(100))).await,
            RotationOutcome::Rotated(_)
        ),
        "rotated at 100"
    );

    let just_within = Rotation {
        grace_cutoff: at(99),
        ..rotation(&opened.refresh_hash, at(109))
    };
    assert_eq!(
        rotate(&store, just_within).await,
        RotationOutcome::RetiredWithinGrace,
        "retired at 100 is after the cutoff 99: within grace"
    );
    let at_cutoff = Rotation {
        grace_cutoff: at(100),
        ..rotation(&opened.refresh_hash, at(110))
    };
    assert_eq!(
        rotate(&store, at_cutoff).await,
        RotationOutcome::ReuseDetected,
        "retired at 100 is not after the cutoff 100: reuse"
    );
    assert!(sessions(&store, &user).await.is_empty(), "the session is revoked");
}

pub async fn an_idle_refresh_token_expires_and_its_session_is_revoked<S: Store>(store: S) {
    let client = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    let opened = open(&store, &user, &client, "phone", at(0), 5).await;
    let other = open(&store, &user, &client, "laptop", at(1), 5).await;

    let idle = Rotation {
        idle_cutoff: at(500),
        ..rotation(&opened.refresh_hash, at(1000))
    };
    assert_eq!(
        rotate(&store, idle.clone()).await,
        RotationOutcome::Expired,
        "refreshed at 0, at or before the idle cutoff 500"
    );
    assert!(
        !authenticates(&store, &opened.access_hash, at(1001)).await,
        "the session is revoked (its access token had not expired yet)"
    );
    assert!(
        !authenticates(&store, &idle.new_access_hash, at(1001)).await,
        "no new pair was installed"
    );
    assert_eq!(
        session_ids(&store, &user).await,
        vec![other.id],
        "only that session is revoked"
    );
    assert_eq!(
        rotate(&store, rotation(&opened.refresh_hash, at(1002))).await,
        RotationOutcome::Unknown,
        "the expired token is unknown afterwards"
    );
}

pub async fn idleness_starts_at_the_cutoff_instant<S: Store>(store: S) {
    let client = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    let opened = open(&store, &user, &client, "phone", at(10), 5).await;

    let just_fresh = Rotation {
        idle_cutoff: at(9),
        ..rotation(&opened.refresh_hash, at(20))
    };
    assert!(
        matches!(rotate(&store, just_fresh.clone()).await, RotationOutcome::Rotated(_)),
        "issued at 10 is after the idle cutoff 9: live"
    );
    let at_cutoff = Rotation {
        idle_cutoff: at(20),
        ..rotation(&just_fresh.new_refresh_hash, at(30))
    };
    assert_eq!(
        rotate(&store, at_cutoff).await,
        RotationOutcome::Expired,
        "rotated at 20 is at the idle cutoff 20: expired"
    );
    assert!(sessions(&store, &user).await.is_empty(), "the session is revoked");
}

pub async fn rotation_for_another_client_is_refused_and_changes_nothing<S: Store>(store: S) {
    let owner_client = add_client(&store, at(0)).await;
    let other_client = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    let opened = open(&store, &user, &owner_client, "phone", at(0), 5).await;
    let before = sessions(&store, &user).await;

    let wrong = Rotation {
        client_id: Some(other_client),
        ..rotation(&opened.refresh_hash, at(100))
    };
    assert_eq!(
        rotate(&store, wrong.clone()).await,
        RotationOutcome::ClientMismatch,
        "a token of another client"
    );
    assert_eq!(sessions(&store, &user).await, before, "the session is unchanged");
    assert!(
        authenticates(&store, &opened.access_hash, at(101)).await,
        "the old access token still works"
    );
    assert!(
        !authenticates(&store, &wrong.new_access_hash, at(101)).await,
        "the refused rotation's pair is not installed"
    );
    let right = rotate(&store, rotation(&opened.refresh_hash, at(102))).await;
    assert!(
        matches!(right, RotationOutcome::Rotated(_)),
        "the refresh token is still live, got {right:?}"
    );
}

pub async fn rotation_for_the_sessions_own_client_works<S: Store>(store: S) {
    let client = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    let opened = open(&store, &user, &client, "phone", at(0), 5).await;
    let r = Rotation {
        client_id: Some(client.clone()),
        ..rotation(&opened.refresh_hash, at(100))
    };
    let outcome = rotate(&store, r.clone()).await;
    let RotationOutcome::Rotated(session) = outcome else {
        panic!("the session's own client rotates, got {outcome:?}");
    };
    assert_eq!(session.client_id, client, "same client");
    assert!(
        authenticates(&store, &r.new_access_hash, at(101)).await,
        "the new access token works"
    );
}

pub async fn never_seen_refresh_tokens_are_unknown<S: Store>(store: S) {
    let client = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    let opened = open(&store, &user, &client, "phone", at(0), 5).await;
    assert_eq!(
        rotate(&store, rotation(&secret(), at(1))).await,
        RotationOutcome::Unknown,
        "a never-seen hash"
    );
    assert_eq!(
        rotate(&store, rotation(&opened.access_hash, at(1))).await,
        RotationOutcome::Unknown,
        "an access token is not a refresh token"
    );
    assert!(
        authenticates(&store, &opened.access_hash, at(2)).await,
        "nothing changed"
    );
}

pub async fn tokens_of_a_revoked_session_are_unknown<S: Store>(store: S) {
    let client = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    let opened = open(&store, &user, &client, "phone", at(0), 5).await;
    let first = rotation(&opened.refresh_hash, at(100));
    assert!(
        matches!(rotate(&store, first.clone()).await, RotationOutcome::Rotated(_)),
        "rotated"
    );
    assert!(store.revoke_session(&opened.id).await.expect("revoking"), "revoked");

    assert_eq!(
        rotate(&store, rotation(&first.new_refresh_hash, at(101))).await,
        RotationOutcome::Unknown,
        "the live token of a revoked session"
    );
    let within_grace = Rotation {
        grace_cutoff: at(99),
        ..rotation(&opened.refresh_hash, at(102))
    };
    assert_eq!(
        rotate(&store, within_grace).await,
        RotationOutcome::Unknown,
        "a retired token of a revoked session, within grace"
    );
    let after_grace = Rotation {
        grace_cutoff: at(101),
        ..rotation(&opened.refresh_hash, at(103))
    };
    assert_eq!(
        rotate(&store, after_grace).await,
        RotationOutcome::Unknown,
        "a retired token of a revoked session, after grace"
    );
}

pub async fn concurrent_rotations_of_one_token_let_exactly_one_through<S: Store>(store: S) {
    const RACERS: usize = 20;
    let client = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    let opened = open(&store, &user, &client, "phone", at(0), 5).await;
    let barrier = Arc::new(Barrier::new(RACERS));

    let mut tasks = Vec::new();
    for _ in 0..RACERS {
        let r = Rotation {
            grace_cutoff: at(90),
            ..rotation(&opened.refresh_hash, at(100))
        };
        let store = store.clone();
        let barrier = Arc::clone(&barrier);
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let outcome = store.rotate_refresh(r.clone()).await;
            (r, outcome)
        }));
    }

    let mut winners = Vec::new();
    let mut losers = Vec::new();
    for task in tasks {
        let (r, outcome) = task.await.expect("a rotation task ran to completion");
        match outcome.expect("a concurrent rotation does not fail") {
            RotationOutcome::Rotated(_) => winners.push(r),
            RotationOutcome::RetiredWithinGrace => losers.push(r),
            other => panic!("a racing rotation got {other:?} instead of RetiredWithinGrace"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one rotation wins");
    assert_eq!(
        losers.len(),
        RACERS - 1,
        "every other sees the token retired within grace"
    );

    let winner = &winners[0];
    assert_eq!(sessions(&store, &user).await.len(), 1, "the session is alive");
    assert!(
        authenticates(&store, &winner.new_access_hash, at(101)).await,
        "the session holds the winner's access token"
    );
    for loser in &losers {
        assert!(
            !authenticates(&store, &loser.new_access_hash, at(101)).await,
            "a loser's access token is not installed"
        );
    }
    let next = rotate(&store, rotation(&winner.new_refresh_hash, at(102))).await;
    assert!(
        matches!(next, RotationOutcome::Rotated(_)),
        "the session holds the winner's refresh token, got {next:?}"
    );
}

// ---------------------------------------------------------------------------
// PolicyStore
// ---------------------------------------------------------------------------

pub async fn published_revisions_get_growing_ids_and_round_trip_their_texts<S: Store>(store: S) {
    let mut previous: Option<RevisionId> = None;
    for (policy_type, version, published_at, languages) in [
        ("tac", "2030-01", at(0), &Language::ALL[..]),
        ("privacy", "v1.0", at(10), &[Language::En][..]),
        ("tac", "2030-02", at(20), &[Language::Nl, Language::De][..]),
    ] {
        let new = new_revision(policy_type, version, published_at, languages);
        let published = store.publish_policy(new.clone()).await.expect("publishing");
        assert_eq!(published.policy_type, new.policy_type, "policy type");
        assert_eq!(published.version, new.version, "version");
        assert_eq!(published.published_at, new.published_at, "published_at");
        assert_eq!(published.texts, new.texts, "texts per language");
        if let Some(previous) = previous {
            assert!(
                published.id > previous,
                "ids grow: {:?} after {previous:?}",
                published.id
            );
        }
        previous = Some(published.id);

        let listed = store.policy_revisions().await.expect("listing revisions");
        let found = listed
            .iter()
            .find(|r| r.id == published.id)
            .expect("the published revision is listed");
        assert_eq!(
            *found, published,
            "policy_revisions returns what publish_policy returned"
        );
    }
}

pub async fn policy_revisions_lists_every_published_revision_by_id<S: Store>(store: S) {
    let mut published = Vec::new();
    for (i, policy_type) in ["tac", "privacy", "cookie", "shop"].into_iter().enumerate() {
        let seconds = i64::try_from(i).expect("small");
        // Publication times deliberately not in id order.
        let new = new_revision(policy_type, "1", at(100 - seconds), &[Language::En, Language::Fr]);
        published.push(store.publish_policy(new).await.expect("publishing"));
    }

    let listed = store.policy_revisions().await.expect("listing revisions");
    assert!(
        listed.windows(2).all(|w| w[0].id < w[1].id),
        "policy_revisions is ordered by id: {:?}",
        listed.iter().map(|r| r.id).collect::<Vec<_>>()
    );
    let ours: Vec<_> = listed
        .into_iter()
        .filter(|r| published.iter().any(|p| p.id == r.id))
        .collect();
    assert_eq!(ours, published, "every published revision is listed, with its texts");
}

pub async fn policy_standing_has_the_latest_revision_of_each_type_and_the_users_acceptances<S: Store>(store: S) {
    let terms = format!("terms-{}", &unique()[..8]);
    let privacy = format!("privacy-{}", &unique()[..8]);
    let old_terms = publish(&store, new_revision(&terms, "1", at(0), &[Language::En])).await;
    let privacy_v1 = publish(&store, new_revision(&privacy, "1", at(10), &[Language::En])).await;
    let new_terms = publish(&store, new_revision(&terms, "2", at(20), &[Language::En])).await;
    // Published later but dated earlier: not the current one.
    let backdated = publish(&store, new_revision(&privacy, "0", at(5), &[Language::En])).await;
    let user = add_user(&store).await;
    store
        .accept_policies(&user, &[old_terms, backdated], at(30))
        .await
        .expect("accepting");

    let standing = store.policy_standing(&user).await.expect("standing");
    let ours: Vec<_> = standing
        .current
        .iter()
        .filter(|(_, t)| [terms.as_str(), privacy.as_str()].contains(&t.as_str()))
        .map(|(id, t)| (*id, t.as_str().to_owned()))
        .collect();
    let mut expected = vec![(new_terms, terms.clone()), (privacy_v1, privacy.clone())];
    expected.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(ours, expected, "the latest publication of each type");
    assert_eq!(standing.accepted, BTreeSet::from([old_terms, backdated]));
    let stranger = add_user(&store).await;
    assert!(store
        .policy_standing(&stranger)
        .await
        .expect("standing")
        .accepted
        .is_empty());
}

pub async fn accepting_policies_is_recorded_and_idempotent<S: Store>(store: S) {
    let a = publish(&store, new_revision("tac", "1", at(0), &[Language::En])).await;
    let b = publish(&store, new_revision("privacy", "1", at(0), &[Language::En])).await;
    let user = add_user(&store).await;
    let other = add_user(&store).await;
    assert!(
        accepted(&store, &user).await.is_empty(),
        "a new user has accepted nothing"
    );

    store.accept_policies(&user, &[a], at(1)).await.expect("accepting a");
    assert_eq!(accepted(&store, &user).await, BTreeSet::from([a]), "a accepted");
    store
        .accept_policies(&user, &[a], at(2))
        .await
        .expect("accepting a again is fine");
    store
        .accept_policies(&user, &[a, b], at(3))
        .await
        .expect("accepting a and b");
    store
        .accept_policies(&user, &[], at(4))
        .await
        .expect("accepting nothing is fine");
    assert_eq!(
        accepted(&store, &user).await,
        BTreeSet::from([a, b]),
        "a and b accepted, once each"
    );
    assert!(
        accepted(&store, &other).await.is_empty(),
        "another user's acceptances are separate"
    );
}

pub async fn accepting_an_unknown_revision_fails_and_records_nothing<S: Store>(store: S) {
    let known = publish(&store, new_revision("tac", "1", at(0), &[Language::En])).await;
    let unknown = RevisionId(i32::MAX);
    let user = add_user(&store).await;

    let result = store.accept_policies(&user, &[known, unknown], at(1)).await;
    assert!(
        matches!(result, Err(StoreError::UnknownRevision(id)) if id == unknown),
        "accepting {unknown:?} gives UnknownRevision({unknown:?}), got {result:?}"
    );
    assert!(
        accepted(&store, &user).await.is_empty(),
        "the known revision of the failed call is not recorded either"
    );
}

// ---------------------------------------------------------------------------
// ClientStore
// ---------------------------------------------------------------------------

pub async fn added_clients_are_found_and_listed_by_creation_time<S: Store>(store: S) {
    let mut added = Vec::new();
    for (i, name) in ["Android app", "iOS app", "Partner portal", "Kiosk"]
        .into_iter()
        .enumerate()
    {
        let seconds = i64::try_from(i).expect("small") * 60;
        let client = Client {
            id: ClientId::parse(&format!("{}-{}", name.replace(' ', "-"), unique())).expect("a valid client id"),
            name: name.to_owned(),
            created_at: at(seconds),
        };
        store.add_client(&client).await.expect("adding a client");
        added.push(client);
    }

    for client in &added {
        let found = store.client(&client.id).await.expect("looking up a client");
        assert_eq!(found.as_ref(), Some(client), "client() returns the added client");
    }
    let unknown = ClientId::parse(&format!("unknown-{}", unique())).expect("valid");
    assert!(
        store.client(&unknown).await.expect("looking up").is_none(),
        "unknown client → None"
    );

    let listed = store.clients().await.expect("listing clients");
    assert!(
        listed.windows(2).all(|w| w[0].created_at <= w[1].created_at),
        "clients() is ordered by creation time"
    );
    let ours: Vec<_> = listed
        .into_iter()
        .filter(|c| added.iter().any(|a| a.id == c.id))
        .collect();
    assert_eq!(ours, added, "every added client is listed, oldest first");
}

pub async fn adding_a_client_with_a_taken_id_is_a_duplicate<S: Store>(store: S) {
    let id = add_client(&store, at(0)).await;
    let original = store.client(&id).await.expect("looking up").expect("the client exists");
    let impostor = Client {
        id: id.clone(),
        name: "Impostor".into(),
        created_at: at(10),
    };
    let result = store.add_client(&impostor).await;
    assert!(
        matches!(result, Err(StoreError::Duplicate)),
        "adding a taken client id gives Duplicate, got {result:?}"
    );
    assert_eq!(
        store.client(&id).await.expect("looking up"),
        Some(original),
        "the original client is unchanged"
    );
    let listed = store.clients().await.expect("listing");
    assert_eq!(listed.iter().filter(|c| c.id == id).count(), 1, "listed once");
}

pub async fn removing_a_client_revokes_its_sessions_and_reports_whether_it_existed<S: Store>(store: S) {
    let removed = add_client(&store, at(0)).await;
    let kept = add_client(&store, at(1)).await;
    let user = add_user(&store).await;
    let on_removed = open(&store, &user, &removed, "phone", at(2), 5).await;
    let on_kept = open(&store, &user, &kept, "phone", at(3), 5).await;

    assert!(
        store.remove_client(&removed).await.expect("removing"),
        "remove_client → true"
    );
    assert!(
        store.client(&removed).await.expect("looking up").is_none(),
        "the client is gone"
    );
    assert!(
        !store.clients().await.expect("listing").iter().any(|c| c.id == removed),
        "the client is no longer listed"
    );
    assert!(
        !authenticates(&store, &on_removed.access_hash, at(4)).await,
        "the removed client's session is revoked"
    );
    assert_eq!(
        rotate(&store, rotation(&on_removed.refresh_hash, at(4))).await,
        RotationOutcome::Unknown,
        "the removed client's refresh token is unknown"
    );
    assert!(
        authenticates(&store, &on_kept.access_hash, at(4)).await,
        "another client's session stays"
    );
    assert_eq!(
        session_ids(&store, &user).await,
        vec![on_kept.id],
        "only the other client's session is left"
    );
    assert!(
        !store.remove_client(&removed).await.expect("removing again"),
        "remove_client → false the second time"
    );
    assert!(
        store.client(&kept).await.expect("looking up").is_some(),
        "the other client stays"
    );
}

// ---------------------------------------------------------------------------
// ConfirmationStore
// ---------------------------------------------------------------------------

pub async fn replacing_a_confirmation_of_an_unknown_user_is_not_found<S: ContractStore>(store: S) {
    let ghost = UserId(unique());
    for confirmation in [
        email_confirmation(&ghost, at(3600)),
        reset_confirmation(&ghost, at(3600)),
    ] {
        let result = store.replace_confirmation(confirmation.clone()).await;
        assert!(
            matches!(result, Err(StoreError::NotFound)),
            "a {:?} confirmation of an unknown user gives NotFound, got {result:?}",
            confirmation.purpose
        );
        assert_eq!(
            by_link(&store, &confirmation.link_hash, at(1)).await,
            None,
            "nothing was stored"
        );
        assert_eq!(
            reset_link_user(&store, &confirmation.link_hash, at(1)).await,
            None,
            "nothing was stored"
        );
    }
}

pub async fn a_new_confirmation_replaces_the_previous_one_of_the_same_purpose_only<S: ContractStore>(store: S) {
    let user = add_user(&store).await;
    let first = send(&store, email_confirmation(&user, at(3600))).await;
    let first_reset = send(&store, reset_confirmation(&user, at(3600))).await;
    let second = send(&store, email_confirmation(&user, at(3600))).await;

    assert_eq!(
        by_link(&store, &first.link_hash, at(10)).await,
        None,
        "the replaced email link no longer confirms"
    );
    assert_eq!(
        by_code(&store, &user, code_of(&first), at(11), MAX_ATTEMPTS).await,
        CodeOutcome::Wrong,
        "the replaced code is a wrong code for the live one"
    );
    assert_eq!(
        confirmed_at(&store, &user).await,
        None,
        "not confirmed by the old confirmation"
    );
    assert_eq!(
        reset_link_user(&store, &first_reset.link_hash, at(12)).await,
        Some(user.clone()),
        "a new email confirmation leaves the reset link alone"
    );

    let second_reset = send(&store, reset_confirmation(&user, at(3600))).await;
    assert_eq!(
        reset_link_user(&store, &first_reset.link_hash, at(13)).await,
        None,
        "the replaced reset link is dead"
    );
    assert_eq!(
        reset(&store, &first_reset.link_hash, &password_hash(), at(13), None).await,
        None,
        "the replaced reset link does not reset"
    );
    assert_eq!(
        reset_link_user(&store, &second_reset.link_hash, at(14)).await,
        Some(user.clone()),
        "the new reset link is live"
    );
    assert_eq!(
        by_code(&store, &user, code_of(&second), at(15), MAX_ATTEMPTS).await,
        CodeOutcome::Confirmed,
        "a new reset link leaves the email confirmation alone"
    );
}

pub async fn the_right_code_confirms_the_address_once<S: ContractStore>(store: S) {
    let user = add_user(&store).await;
    let before = user_by_id(&store, &user).await.expect("the user exists");
    let confirmation = send(&store, email_confirmation(&user, at(3600))).await;

    assert_eq!(
        by_code(&store, &user, code_of(&confirmation), at(100), MAX_ATTEMPTS).await,
        CodeOutcome::Confirmed,
        "the right code"
    );
    let after = user_by_id(&store, &user).await.expect("the user exists");
    assert_eq!(after.email_confirmed_at, Some(at(100)), "confirmed at `now`");
    assert_eq!(
        User {
            email_confirmed_at: None,
            consent: None,
            ..after
        },
        before,
        "nothing else about the user changed"
    );

    assert_eq!(
        by_code(&store, &user, code_of(&confirmation), at(101), MAX_ATTEMPTS).await,
        CodeOutcome::NoCode,
        "the code is used up"
    );
    assert_eq!(
        by_link(&store, &confirmation.link_hash, at(102)).await,
        None,
        "the confirmation's link is used up with its code"
    );
    assert_eq!(
        confirmed_at(&store, &user).await,
        Some(at(100)),
        "still confirmed at 100"
    );
}

pub async fn a_wrong_code_counts_a_try_and_the_right_one_still_works<S: ContractStore>(store: S) {
    let user = add_user(&store).await;
    let confirmation = send(&store, email_confirmation(&user, at(3600))).await;
    for second in 1..=2 {
        assert_eq!(
            by_code(&store, &user, &secret(), at(second), 3).await,
            CodeOutcome::Wrong,
            "wrong try {second} of 3"
        );
        assert_eq!(confirmed_at(&store, &user).await, None, "a wrong code confirms nothing");
    }
    assert_eq!(
        by_code(&store, &user, code_of(&confirmation), at(3), 3).await,
        CodeOutcome::Confirmed,
        "the right code after 2 of 3 wrong tries"
    );
    assert_eq!(confirmed_at(&store, &user).await, Some(at(3)), "confirmed");
}

pub async fn after_max_attempts_wrong_tries_even_the_right_code_is_refused<S: ContractStore>(store: S) {
    const MAX: u32 = 3;
    let user = add_user(&store).await;
    let confirmation = send(&store, email_confirmation(&user, at(3600))).await;
    for second in 1..=MAX {
        assert_eq!(
            by_code(&store, &user, &secret(), at(i64::from(second)), MAX).await,
            CodeOutcome::Wrong,
            "wrong try {second} of {MAX} is still Wrong"
        );
    }
    assert_eq!(
        by_code(&store, &user, code_of(&confirmation), at(10), MAX).await,
        CodeOutcome::TooManyAttempts,
        "the right code after {MAX} wrong tries"
    );
    assert_eq!(
        by_code(&store, &user, &secret(), at(11), MAX).await,
        CodeOutcome::TooManyAttempts,
        "a wrong code after {MAX} wrong tries"
    );
    assert_eq!(
        by_code(&store, &user, code_of(&confirmation), at(12), MAX).await,
        CodeOutcome::TooManyAttempts,
        "the right code stays refused"
    );
    assert_eq!(confirmed_at(&store, &user).await, None, "not confirmed");

    let fresh = send(&store, email_confirmation(&user, at(3600))).await;
    assert_eq!(
        by_code(&store, &user, &secret(), at(13), MAX).await,
        CodeOutcome::Wrong,
        "a new code starts with no tries counted"
    );
    assert_eq!(
        by_code(&store, &user, code_of(&fresh), at(14), MAX).await,
        CodeOutcome::Confirmed,
        "the new code confirms"
    );
    assert_eq!(confirmed_at(&store, &user).await, Some(at(14)), "confirmed");
}

pub async fn the_link_still_confirms_when_the_code_has_had_its_tries<S: ContractStore>(store: S) {
    const MAX: u32 = 2;
    let user = add_user(&store).await;
    let confirmation = send(&store, email_confirmation(&user, at(3600))).await;
    for second in 1..=3 {
        by_code(&store, &user, &secret(), at(second), MAX).await;
    }
    assert_eq!(
        by_code(&store, &user, code_of(&confirmation), at(4), MAX).await,
        CodeOutcome::TooManyAttempts,
        "the code has had its tries"
    );
    assert_eq!(
        by_link(&store, &confirmation.link_hash, at(5)).await,
        Some(user.clone()),
        "the link is not guessable: tries at the code do not kill it"
    );
    assert_eq!(confirmed_at(&store, &user).await, Some(at(5)), "confirmed by the link");
}

pub async fn an_expired_code_is_no_code<S: ContractStore>(store: S) {
    let user = add_user(&store).await;
    let confirmation = send(&store, email_confirmation(&user, at(1000))).await;
    for now in [at(1000), at(1001), at(100_000)] {
        assert_eq!(
            by_code(&store, &user, code_of(&confirmation), now, MAX_ATTEMPTS).await,
            CodeOutcome::NoCode,
            "expired at 1000: the right code at {now} is NoCode"
        );
        assert_eq!(
            by_code(&store, &user, &secret(), now, MAX_ATTEMPTS).await,
            CodeOutcome::NoCode,
            "expired at 1000: a wrong code at {now} is NoCode"
        );
    }
    assert_eq!(confirmed_at(&store, &user).await, None, "not confirmed");
    assert_eq!(
        by_code(&store, &user, code_of(&confirmation), at(999), MAX_ATTEMPTS).await,
        CodeOutcome::Confirmed,
        "the code is live one second before it expires"
    );
}

pub async fn without_a_live_email_code_every_code_is_no_code<S: ContractStore>(store: S) {
    let never_sent = add_user(&store).await;
    assert_eq!(
        by_code(&store, &never_sent, &secret(), at(1), MAX_ATTEMPTS).await,
        CodeOutcome::NoCode,
        "a user without any confirmation"
    );

    let reset_only = add_user(&store).await;
    let link = send(&store, reset_confirmation(&reset_only, at(3600))).await;
    assert_eq!(
        by_code(&store, &reset_only, &link.link_hash, at(2), MAX_ATTEMPTS).await,
        CodeOutcome::NoCode,
        "a password-reset link is no email code"
    );
    assert_eq!(
        reset_link_user(&store, &link.link_hash, at(3)).await,
        Some(reset_only),
        "and the reset link is left alone"
    );

    let link_only = add_user(&store).await;
    let confirmation = send(
        &store,
        NewConfirmation {
            code_hash: None,
            ..email_confirmation(&link_only, at(3600))
        },
    )
    .await;
    assert_eq!(
        by_code(&store, &link_only, &secret(), at(4), MAX_ATTEMPTS).await,
        CodeOutcome::NoCode,
        "an email confirmation without a code (a link only) has no code to try"
    );
    assert_eq!(
        by_link(&store, &confirmation.link_hash, at(5)).await,
        Some(link_only),
        "its link confirms"
    );

    assert_eq!(
        by_code(&store, &UserId(unique()), &secret(), at(6), MAX_ATTEMPTS).await,
        CodeOutcome::NoCode,
        "an unknown user"
    );
}

pub async fn a_code_is_checked_against_its_own_users_confirmation_only<S: ContractStore>(store: S) {
    let ann = add_user(&store).await;
    let bob = add_user(&store).await;
    let carol = add_user(&store).await;
    let anns = send(&store, email_confirmation(&ann, at(3600))).await;
    let bobs = send(&store, email_confirmation(&bob, at(3600))).await;

    assert_eq!(
        by_code(&store, &bob, code_of(&anns), at(1), MAX_ATTEMPTS).await,
        CodeOutcome::Wrong,
        "Ann's code is a wrong code for Bob"
    );
    assert_eq!(
        by_code(&store, &carol, code_of(&anns), at(2), MAX_ATTEMPTS).await,
        CodeOutcome::NoCode,
        "Ann's code is no code for Carol, who has none"
    );
    assert_eq!(confirmed_at(&store, &bob).await, None, "Bob is not confirmed");
    assert_eq!(confirmed_at(&store, &carol).await, None, "Carol is not confirmed");
    assert_eq!(confirmed_at(&store, &ann).await, None, "Ann is not confirmed either");

    assert_eq!(
        by_code(&store, &ann, code_of(&anns), at(3), MAX_ATTEMPTS).await,
        CodeOutcome::Confirmed,
        "Ann's code still confirms Ann"
    );
    assert_eq!(confirmed_at(&store, &bob).await, None, "Bob is still not confirmed");
    assert_eq!(
        by_code(&store, &bob, code_of(&bobs), at(4), MAX_ATTEMPTS).await,
        CodeOutcome::Confirmed,
        "Bob's own code confirms Bob"
    );
}

pub async fn concurrent_right_codes_confirm_once<S: ContractStore>(store: S) {
    const RACERS: usize = 10;
    let user = add_user(&store).await;
    let confirmation = send(&store, email_confirmation(&user, at(3600))).await;
    let code = code_of(&confirmation).clone();
    let barrier = Arc::new(Barrier::new(RACERS));

    let mut tasks = Vec::new();
    for _ in 0..RACERS {
        let (store, barrier, user, code) = (store.clone(), Arc::clone(&barrier), user.clone(), code.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            store.confirm_by_code(&user, &code, at(100), MAX_ATTEMPTS).await
        }));
    }
    let mut outcomes = Vec::new();
    for task in tasks {
        let outcome = task.await.expect("a confirming task ran to completion");
        outcomes.push(outcome.expect("a concurrent confirm_by_code does not fail"));
    }
    let confirmed = outcomes.iter().filter(|o| **o == CodeOutcome::Confirmed).count();
    let no_code = outcomes.iter().filter(|o| **o == CodeOutcome::NoCode).count();
    assert_eq!(confirmed, 1, "exactly one try confirms: {outcomes:?}");
    assert_eq!(no_code, RACERS - 1, "every other sees NoCode: {outcomes:?}");
    assert_eq!(confirmed_at(&store, &user).await, Some(at(100)), "confirmed");
}

pub async fn a_link_confirms_the_address_once<S: ContractStore>(store: S) {
    let user = add_user(&store).await;
    let other = add_user(&store).await;
    let before = user_by_id(&store, &user).await.expect("the user exists");
    let confirmation = send(&store, email_confirmation(&user, at(3600))).await;
    let others = send(&store, email_confirmation(&other, at(3600))).await;

    assert_eq!(by_link(&store, &secret(), at(99)).await, None, "an unknown link");
    assert_eq!(
        by_link(&store, &confirmation.link_hash, at(100)).await,
        Some(user.clone()),
        "the link confirms and names its user"
    );
    let after = user_by_id(&store, &user).await.expect("the user exists");
    assert_eq!(after.email_confirmed_at, Some(at(100)), "confirmed at `now`");
    assert_eq!(
        User {
            email_confirmed_at: None,
            ..after
        },
        before,
        "nothing else about the user changed"
    );

    assert_eq!(
        by_link(&store, &confirmation.link_hash, at(101)).await,
        None,
        "the link is used up"
    );
    assert_eq!(
        by_code(&store, &user, code_of(&confirmation), at(102), MAX_ATTEMPTS).await,
        CodeOutcome::NoCode,
        "the confirmation's code is used up with its link"
    );
    assert_eq!(
        confirmed_at(&store, &user).await,
        Some(at(100)),
        "still confirmed at 100"
    );
    assert_eq!(
        confirmed_at(&store, &other).await,
        None,
        "another user is not confirmed"
    );
    assert_eq!(
        by_link(&store, &others.link_hash, at(103)).await,
        Some(other),
        "another user's link is untouched"
    );
}

pub async fn an_expired_link_does_not_confirm<S: ContractStore>(store: S) {
    let user = add_user(&store).await;
    let confirmation = send(&store, email_confirmation(&user, at(1000))).await;
    for now in [at(1000), at(100_000)] {
        assert_eq!(
            by_link(&store, &confirmation.link_hash, now).await,
            None,
            "expired at 1000: the link at {now} does not confirm"
        );
    }
    assert_eq!(confirmed_at(&store, &user).await, None, "not confirmed");
    assert_eq!(
        by_link(&store, &confirmation.link_hash, at(999)).await,
        Some(user.clone()),
        "the link is live one second before it expires"
    );
    assert_eq!(confirmed_at(&store, &user).await, Some(at(999)), "confirmed");
}

pub async fn a_password_reset_link_is_not_an_email_confirmation_link<S: ContractStore>(store: S) {
    let user = add_user(&store).await;
    let link = send(&store, reset_confirmation(&user, at(3600))).await;
    assert_eq!(
        by_link(&store, &link.link_hash, at(1)).await,
        None,
        "a reset link does not confirm the address"
    );
    assert_eq!(confirmed_at(&store, &user).await, None, "not confirmed");
    assert_eq!(
        reset_link_user(&store, &link.link_hash, at(2)).await,
        Some(user),
        "and the reset link is not used up by it"
    );
}

pub async fn concurrent_uses_of_one_link_confirm_once<S: ContractStore>(store: S) {
    const RACERS: usize = 10;
    let user = add_user(&store).await;
    let confirmation = send(&store, email_confirmation(&user, at(3600))).await;
    let barrier = Arc::new(Barrier::new(RACERS));

    let mut tasks = Vec::new();
    for _ in 0..RACERS {
        let (store, barrier, link) = (store.clone(), Arc::clone(&barrier), confirmation.link_hash.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            store.confirm_by_link(&link, at(100)).await
        }));
    }
    let mut winners = Vec::new();
    for task in tasks {
        let outcome = task.await.expect("a confirming task ran to completion");
        if let Some(id) = outcome.expect("a concurrent confirm_by_link does not fail") {
            winners.push(id);
        }
    }
    assert_eq!(winners, vec![user.clone()], "exactly one use confirms");
    assert_eq!(confirmed_at(&store, &user).await, Some(at(100)), "confirmed");
}

pub async fn a_reset_link_names_its_user_until_used_and_resets_the_password_once<S: ContractStore>(store: S) {
    let client = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    let other = add_user(&store).await;
    let phone = open(&store, &user, &client, "phone", at(1), 5).await;
    let laptop = open(&store, &user, &client, "laptop", at(2), 5).await;
    let bystander = open(&store, &other, &client, "phone", at(3), 5).await;
    let link = send(&store, reset_confirmation(&user, at(3600))).await;
    let before = backlog(&store).await;

    for now in [at(10), at(11)] {
        assert_eq!(
            reset_link_user(&store, &link.link_hash, now).await,
            Some(user.clone()),
            "the live link names its user, and looking does not use it"
        );
    }
    assert_eq!(
        reset_link_user(&store, &secret(), at(11)).await,
        None,
        "an unknown link"
    );

    let hash = password_hash();
    let mail = new_mail(&user, OutboxKind::PasswordChanged, at(20));
    assert_eq!(
        reset(&store, &link.link_hash, &hash, at(20), Some(mail.clone())).await,
        Some(user.clone()),
        "the live link resets the password of its user"
    );
    assert_eq!(
        password_of(&store, &user).await,
        Some(hash.clone()),
        "the new hash is stored"
    );
    assert!(sessions(&store, &user).await.is_empty(), "every session is revoked");
    for s in [&phone, &laptop] {
        assert!(
            !authenticates(&store, &s.access_hash, at(21)).await,
            "the access token stops working"
        );
        assert_eq!(
            rotate(&store, rotation(&s.refresh_hash, at(21))).await,
            RotationOutcome::Unknown,
            "the refresh token is unknown"
        );
    }
    assert!(
        authenticates(&store, &bystander.access_hash, at(21)).await,
        "another user's session is untouched"
    );
    assert_eq!(backlog(&store).await, before + 1, "the mail is queued");
    let stored = user_by_id(&store, &user).await.expect("the user exists");
    let claimed = claim(&store, at(22), at(22 + LEASE), 10).await;
    assert_eq!(claimed.len(), 1, "the mail is due, got {:?}", ids(&claimed));
    assert_mail_matches(&claimed[0], &mail, &stored, 0);

    assert_eq!(
        reset_link_user(&store, &link.link_hash, at(23)).await,
        None,
        "the link is used up"
    );
    assert_eq!(
        reset(
            &store,
            &link.link_hash,
            &password_hash(),
            at(24),
            Some(new_mail(&user, OutboxKind::PasswordChanged, at(24)))
        )
        .await,
        None,
        "the used link does not reset again"
    );
    assert_eq!(
        password_of(&store, &user).await,
        Some(hash),
        "the password is unchanged"
    );
    assert_eq!(backlog(&store).await, before + 1, "no second mail is queued");
}

pub async fn an_email_confirmation_link_does_not_reset_a_password<S: ContractStore>(store: S) {
    let client = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    let session = open(&store, &user, &client, "phone", at(1), 5).await;
    let confirmation = send(&store, email_confirmation(&user, at(3600))).await;
    let hash = password_of(&store, &user).await;
    let before = backlog(&store).await;

    assert_eq!(
        reset_link_user(&store, &confirmation.link_hash, at(10)).await,
        None,
        "an email link names no one for a reset"
    );
    assert_eq!(
        reset(
            &store,
            &confirmation.link_hash,
            &password_hash(),
            at(11),
            Some(new_mail(&user, OutboxKind::PasswordChanged, at(11)))
        )
        .await,
        None,
        "an email link does not reset"
    );
    assert_eq!(password_of(&store, &user).await, hash, "the password is unchanged");
    assert!(
        authenticates(&store, &session.access_hash, at(12)).await,
        "the session lives on"
    );
    assert_eq!(backlog(&store).await, before, "no mail is queued");
    assert_eq!(
        by_link(&store, &confirmation.link_hash, at(13)).await,
        Some(user),
        "the email link still confirms"
    );
}

pub async fn an_expired_reset_link_changes_nothing<S: ContractStore>(store: S) {
    let client = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    let session = open(&store, &user, &client, "phone", at(1), 5).await;
    let link = send(&store, reset_confirmation(&user, at(1000))).await;
    let hash = password_of(&store, &user).await;
    let before = backlog(&store).await;

    for now in [at(1000), at(100_000)] {
        assert_eq!(
            reset_link_user(&store, &link.link_hash, now).await,
            None,
            "expired at 1000: the link at {now} names no one"
        );
        assert_eq!(
            reset(
                &store,
                &link.link_hash,
                &password_hash(),
                now,
                Some(new_mail(&user, OutboxKind::PasswordChanged, now))
            )
            .await,
            None,
            "expired at 1000: the link at {now} does not reset"
        );
    }
    assert_eq!(password_of(&store, &user).await, hash, "the password is unchanged");
    assert_eq!(confirmed_at(&store, &user).await, None, "the address is not confirmed");
    assert!(
        authenticates(&store, &session.access_hash, at(2)).await,
        "the session lives on"
    );
    assert_eq!(backlog(&store).await, before, "no mail is queued");
    assert_eq!(
        reset_link_user(&store, &link.link_hash, at(999)).await,
        Some(user),
        "the link is live one second before it expires"
    );
}

pub async fn concurrent_resets_with_one_link_let_exactly_one_through<S: ContractStore>(store: S) {
    const RACERS: usize = 10;
    let user = add_user(&store).await;
    let link = send(&store, reset_confirmation(&user, at(3600))).await;
    let before = backlog(&store).await;
    let barrier = Arc::new(Barrier::new(RACERS));

    let mut tasks = Vec::new();
    for _ in 0..RACERS {
        let hash = password_hash();
        let mail = new_mail(&user, OutboxKind::PasswordChanged, at(100));
        let (store, barrier, link) = (store.clone(), Arc::clone(&barrier), link.link_hash.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let outcome = store.reset_password(&link, &hash, at(100), Some(mail.clone())).await;
            (hash, mail, outcome)
        }));
    }
    let mut winners = Vec::new();
    for task in tasks {
        let (hash, mail, outcome) = task.await.expect("a resetting task ran to completion");
        if let Some(id) = outcome.expect("a concurrent reset_password does not fail") {
            assert_eq!(id, user, "the winner names the link's user");
            winners.push((hash, mail));
        }
    }
    assert_eq!(winners.len(), 1, "exactly one reset goes through");
    let (hash, mail) = &winners[0];
    assert_eq!(
        password_of(&store, &user).await.as_ref(),
        Some(hash),
        "the winner's hash"
    );
    assert_eq!(backlog(&store).await, before + 1, "one mail is queued");
    assert_eq!(
        claim_all(&store, at(101)).await,
        vec![mail.id.clone()],
        "the winner's mail"
    );
}

pub async fn a_used_reset_link_confirms_an_unconfirmed_address_and_keeps_an_earlier_confirmation<S: ContractStore>(
    store: S,
) {
    let unconfirmed = add_user(&store).await;
    let confirmed = NewUser {
        email_confirmed_at: Some(at(5)),
        consent: None,
        ..new_user(unique_email("confirmed"))
    };
    store
        .register(registration(confirmed.clone()))
        .await
        .expect("registering a confirmed user");
    let first = send(&store, reset_confirmation(&unconfirmed, at(3600))).await;
    let second = send(&store, reset_confirmation(&confirmed.id, at(3600))).await;

    assert_eq!(
        reset(&store, &first.link_hash, &password_hash(), at(20), None).await,
        Some(unconfirmed.clone()),
        "the live link resets"
    );
    assert_eq!(
        confirmed_at(&store, &unconfirmed).await,
        Some(at(20)),
        "the link reached the address: confirmed at `now`"
    );

    assert_eq!(
        reset(&store, &second.link_hash, &password_hash(), at(30), None).await,
        Some(confirmed.id.clone()),
        "the live link resets"
    );
    assert_eq!(
        confirmed_at(&store, &confirmed.id).await,
        Some(at(5)),
        "an earlier confirmation is kept"
    );
}

// ---------------------------------------------------------------------------
// ConfirmationStore: email-first signups
// ---------------------------------------------------------------------------

pub async fn a_code_or_link_confirms_an_account_waiting_for_consent_and_leaves_its_link_live<S: ContractStore>(
    store: S,
) {
    let client = add_client(&store, at(0)).await;
    let user = add_pending_signup_user(&store).await;
    let stored = user_by_id(&store, &user).await.expect("the user exists");
    assert!(stored.consent_pending(), "registered waiting for consent");
    let confirmation = send(&store, email_confirmation(&user, at(3600))).await;

    assert_eq!(
        by_code(&store, &user, code_of(&confirmation), at(10), MAX_ATTEMPTS).await,
        CodeOutcome::Confirmed,
        "the right code confirms"
    );
    assert_eq!(
        confirmed_at(&store, &user).await,
        Some(at(10)),
        "the address is confirmed"
    );
    assert_eq!(
        by_code(&store, &user, code_of(&confirmation), at(11), MAX_ATTEMPTS).await,
        CodeOutcome::NoCode,
        "the code is used up"
    );
    assert_eq!(
        email_link_user(&store, &confirmation.link_hash, at(12)).await,
        Some(user.clone()),
        "the link stays live for the consent"
    );
    assert_eq!(
        by_link(&store, &confirmation.link_hash, at(13)).await,
        Some(user.clone()),
        "opening it as a confirmation link names the user"
    );
    assert_eq!(
        email_link_user(&store, &confirmation.link_hash, at(14)).await,
        Some(user.clone()),
        "and still leaves it live for the consent"
    );
    assert_eq!(
        used_email_link_user(&store, &confirmation.link_hash).await,
        None,
        "a live link is not a used one"
    );
    let completed = complete(
        &store,
        completion(&confirmation.link_hash, new_session(&user, &client, "browser", at(20))),
    )
    .await
    .expect("the link completes the signup after the code");
    assert_eq!(completed.consent, Some(1), "the consent is recorded");
    assert!(!completed.consent_pending(), "no longer waiting");
    assert_eq!(completed.email_confirmed_at, Some(at(10)), "confirmed since the code");
    assert_eq!(
        email_link_user(&store, &confirmation.link_hash, at(21)).await,
        None,
        "the completion used the link up"
    );
    assert_eq!(
        used_email_link_user(&store, &confirmation.link_hash).await,
        Some(user),
        "a used link names its user"
    );
}

pub async fn a_used_email_link_names_its_user_however_it_was_used<S: ContractStore>(store: S) {
    let client = add_client(&store, at(0)).await;
    let by_its_link = add_user(&store).await;
    let by_its_code = add_user(&store).await;
    let by_signup = add_pending_signup_user(&store).await;
    let unused = add_user(&store).await;
    let linked = send(&store, email_confirmation(&by_its_link, at(3600))).await;
    let coded = send(&store, email_confirmation(&by_its_code, at(3600))).await;
    let signup = send(&store, email_confirmation(&by_signup, at(3600))).await;
    let replaced = send(&store, email_confirmation(&unused, at(3600))).await;
    let live = send(&store, email_confirmation(&unused, at(3600))).await;
    let reset_link = send(&store, reset_confirmation(&by_its_link, at(3600))).await;

    assert_eq!(
        by_link(&store, &linked.link_hash, at(10)).await,
        Some(by_its_link.clone())
    );
    assert_eq!(
        by_code(&store, &by_its_code, code_of(&coded), at(10), MAX_ATTEMPTS).await,
        CodeOutcome::Confirmed
    );
    complete(
        &store,
        completion(&signup.link_hash, new_session(&by_signup, &client, "browser", at(10))),
    )
    .await
    .expect("completing the signup");

    // Long after, past every expiry: used is used.
    for (link, user, how) in [
        (&linked.link_hash, &by_its_link, "used as a link"),
        (&coded.link_hash, &by_its_code, "its code was used"),
        (&signup.link_hash, &by_signup, "a completed signup"),
    ] {
        assert_eq!(used_email_link_user(&store, link).await.as_ref(), Some(user), "{how}");
    }
    assert_eq!(used_email_link_user(&store, &secret()).await, None, "an unknown link");
    assert_eq!(used_email_link_user(&store, &live.link_hash).await, None, "a live link");
    assert_eq!(
        used_email_link_user(&store, &replaced.link_hash).await,
        None,
        "a link replaced before use"
    );
    assert_eq!(
        reset(&store, &reset_link.link_hash, &password_hash(), at(20), None).await,
        Some(by_its_link.clone()),
        "the reset link is used"
    );
    assert_eq!(
        used_email_link_user(&store, &reset_link.link_hash).await,
        None,
        "a used reset link is not an email link"
    );
    assert!(
        store.delete_user(&by_its_link).await.expect("deleting"),
        "the user existed"
    );
    assert_eq!(
        used_email_link_user(&store, &linked.link_hash).await,
        None,
        "a deleted user's links name no one"
    );
}

pub async fn an_email_link_names_its_user_while_live_without_using_it<S: ContractStore>(store: S) {
    let user = add_signup_user(&store).await;
    let other = add_signup_user(&store).await;
    let confirmation = send(&store, email_confirmation(&user, at(3600))).await;
    let others = send(&store, email_confirmation(&other, at(3600))).await;

    for now in [at(10), at(11)] {
        assert_eq!(
            email_link_user(&store, &confirmation.link_hash, now).await,
            Some(user.clone()),
            "the live link names its user, and looking does not use it"
        );
    }
    assert_eq!(
        email_link_user(&store, &secret(), at(11)).await,
        None,
        "an unknown link"
    );
    assert_eq!(confirmed_at(&store, &user).await, None, "looking confirms nothing");
    assert_eq!(
        by_code(&store, &user, code_of(&confirmation), at(12), MAX_ATTEMPTS).await,
        CodeOutcome::Confirmed,
        "the confirmation is still there to use"
    );
    assert_eq!(
        email_link_user(&store, &confirmation.link_hash, at(13)).await,
        None,
        "a used link (its code was used) names no one"
    );

    assert_eq!(
        by_link(&store, &others.link_hash, at(14)).await,
        Some(other),
        "another user's link still confirms"
    );
    assert_eq!(
        email_link_user(&store, &others.link_hash, at(15)).await,
        None,
        "a used link names no one"
    );
}

pub async fn an_expired_replaced_or_reset_link_names_no_one_as_an_email_link<S: ContractStore>(store: S) {
    let user = add_signup_user(&store).await;
    let expiring = send(&store, email_confirmation(&user, at(1000))).await;
    for now in [at(1000), at(100_000)] {
        assert_eq!(
            email_link_user(&store, &expiring.link_hash, now).await,
            None,
            "expired at 1000: the link at {now} names no one"
        );
    }
    assert_eq!(
        email_link_user(&store, &expiring.link_hash, at(999)).await,
        Some(user.clone()),
        "the link is live one second before it expires"
    );

    let replacing = send(&store, email_confirmation(&user, at(3600))).await;
    assert_eq!(
        email_link_user(&store, &expiring.link_hash, at(10)).await,
        None,
        "a replaced link names no one"
    );
    assert_eq!(
        email_link_user(&store, &replacing.link_hash, at(10)).await,
        Some(user.clone()),
        "the new link does"
    );

    let reset = send(&store, reset_confirmation(&user, at(3600))).await;
    assert_eq!(
        email_link_user(&store, &reset.link_hash, at(11)).await,
        None,
        "a password-reset link is no email-confirmation link"
    );
    assert_eq!(
        reset_link_user(&store, &reset.link_hash, at(12)).await,
        Some(user),
        "and the reset link is left alone"
    );
}

pub async fn completing_a_signup_confirms_records_consent_sets_the_password_and_opens_the_session<S: ContractStore>(
    store: S,
) {
    let client = add_client(&store, at(0)).await;
    let user = add_signup_user(&store).await;
    let bystander = add_signup_user(&store).await;
    let before = user_by_id(&store, &user).await.expect("the user exists");
    assert_eq!(before.consent, None, "no consent before the signup is completed");
    assert_eq!(before.password_hash, None, "an email-first account has no password yet");
    let confirmation = send(&store, email_confirmation(&user, at(3600))).await;
    let others = send(&store, email_confirmation(&bystander, at(3600))).await;

    let hash = password_hash();
    let session = new_session(&user, &client, "browser", at(100));
    let completed = complete(
        &store,
        SignupCompletion {
            consent: 2,
            password_hash: Some(hash.clone()),
            ..completion(&confirmation.link_hash, session.clone())
        },
    )
    .await
    .expect("a live link completes the signup");

    assert_eq!(completed.id, user, "the link's user");
    assert_eq!(completed.consent, Some(2), "the consent is recorded");
    assert_eq!(
        completed.email_confirmed_at,
        Some(at(100)),
        "the address is confirmed at `now`"
    );
    assert_eq!(completed.password_hash, Some(hash.clone()), "the password is set");
    assert_eq!(
        User {
            consent: None,
            email_confirmed_at: None,
            password_hash: None,
            ..completed.clone()
        },
        before,
        "nothing else about the user changed"
    );
    assert_eq!(
        user_by_id(&store, &user).await.as_ref(),
        Some(&completed),
        "complete_signup returns the user as stored now"
    );
    assert_eq!(
        password_of(&store, &user).await,
        Some(hash),
        "the login hash is visible through user_by_id"
    );

    let (found, found_user) = store
        .session_by_access(&session.access_hash, at(101))
        .await
        .expect("looking up the session")
        .expect("the completion's session is found by its access hash");
    assert_session_matches(&found, &session);
    assert_eq!(found_user, completed, "with its user as completed");
    assert_eq!(sessions(&store, &user).await, vec![found], "exactly one session");

    assert_eq!(
        email_link_user(&store, &confirmation.link_hash, at(102)).await,
        None,
        "the link is used up"
    );
    assert_eq!(
        by_code(&store, &user, code_of(&confirmation), at(102), MAX_ATTEMPTS).await,
        CodeOutcome::NoCode,
        "the confirmation's code is used up with its link"
    );
    let again = new_session(&user, &client, "laptop", at(103));
    assert_completes_nothing(
        &store,
        &user,
        SignupCompletion {
            consent: 3,
            password_hash: Some(password_hash()),
            ..completion(&confirmation.link_hash, again)
        },
        "the used link",
    )
    .await;

    let untouched = user_by_id(&store, &bystander).await.expect("the bystander exists");
    assert_eq!(untouched.consent, None, "another user's consent is untouched");
    assert_eq!(untouched.email_confirmed_at, None, "another user is not confirmed");
    assert_eq!(
        email_link_user(&store, &others.link_hash, at(104)).await,
        Some(bystander),
        "another user's link is untouched"
    );
}

pub async fn completing_a_signup_without_a_password_keeps_the_stored_one<S: ContractStore>(store: S) {
    let client = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    let hash = password_of(&store, &user).await;
    assert!(hash.is_some(), "this user has a password");
    let confirmation = send(&store, email_confirmation(&user, at(3600))).await;

    let completed = complete(
        &store,
        SignupCompletion {
            consent: 1,
            password_hash: None,
            ..completion(&confirmation.link_hash, new_session(&user, &client, "browser", at(10)))
        },
    )
    .await
    .expect("a live link completes the signup");
    assert_eq!(
        completed.password_hash, hash,
        "no password given: the stored one is kept"
    );
    assert_eq!(completed.consent, Some(1), "the consent is recorded");
    assert_eq!(completed.email_confirmed_at, Some(at(10)), "the address is confirmed");
    assert_eq!(password_of(&store, &user).await, hash, "as stored");
}

pub async fn a_dead_link_completes_no_signup_and_changes_nothing<S: ContractStore>(store: S) {
    let client = add_client(&store, at(0)).await;
    let user = add_signup_user(&store).await;
    let attempt = |link: &SecretHash, device_id: &str, now: DateTime<Utc>| SignupCompletion {
        consent: 2,
        password_hash: Some(password_hash()),
        ..completion(link, new_session(&user, &client, device_id, now))
    };

    assert_completes_nothing(&store, &user, attempt(&secret(), "unknown", at(1)), "an unknown link").await;

    let reset = send(&store, reset_confirmation(&user, at(3600))).await;
    assert_completes_nothing(&store, &user, attempt(&reset.link_hash, "reset", at(2)), "a reset link").await;
    assert_eq!(
        reset_link_user(&store, &reset.link_hash, at(3)).await,
        Some(user.clone()),
        "the reset link is not used up by it"
    );

    let expired = send(&store, email_confirmation(&user, at(1000))).await;
    for now in [at(1000), at(100_000)] {
        assert_completes_nothing(
            &store,
            &user,
            attempt(&expired.link_hash, "expired", now),
            "a link expired at 1000",
        )
        .await;
    }

    let replacing = send(&store, email_confirmation(&user, at(3600))).await;
    assert_completes_nothing(
        &store,
        &user,
        attempt(&expired.link_hash, "replaced", at(10)),
        "a replaced link",
    )
    .await;

    assert_eq!(
        by_link(&store, &replacing.link_hash, at(20)).await,
        Some(user.clone()),
        "the live link confirms"
    );
    assert_completes_nothing(
        &store,
        &user,
        attempt(&replacing.link_hash, "used", at(21)),
        "a link used to confirm",
    )
    .await;

    let stored = user_by_id(&store, &user).await.expect("the user exists");
    assert_eq!(stored.consent, None, "no consent was recorded");
    assert_eq!(stored.password_hash, None, "no password was set");
    assert_eq!(stored.email_confirmed_at, Some(at(20)), "confirmed by the link only");
}

pub async fn completing_a_signup_on_an_unknown_client_is_not_found_and_changes_nothing<S: ContractStore>(store: S) {
    let client = add_client(&store, at(0)).await;
    let ghost = ClientId::parse(&format!("client-{}", unique())).expect("a valid client id");
    let user = add_signup_user(&store).await;
    let before = user_by_id(&store, &user).await.expect("the user exists");
    let confirmation = send(&store, email_confirmation(&user, at(3600))).await;

    let session = new_session(&user, &ghost, "browser", at(10));
    let result = store
        .complete_signup(SignupCompletion {
            consent: 2,
            password_hash: Some(password_hash()),
            ..completion(&confirmation.link_hash, session.clone())
        })
        .await;
    assert!(
        matches!(result, Err(StoreError::NotFound)),
        "a session on an unknown client gives NotFound, as open_session does, got {result:?}"
    );
    assert_eq!(user_by_id(&store, &user).await, Some(before), "the user is unchanged");
    assert!(sessions(&store, &user).await.is_empty(), "no session is opened");
    assert!(
        !authenticates(&store, &session.access_hash, at(11)).await,
        "the session's access token does not authenticate"
    );
    assert_eq!(
        email_link_user(&store, &confirmation.link_hash, at(12)).await,
        Some(user.clone()),
        "the link is still live"
    );
    let completed = complete(
        &store,
        completion(&confirmation.link_hash, new_session(&user, &client, "browser", at(13))),
    )
    .await;
    assert!(completed.is_some(), "and completes the signup on a known client");
}

pub async fn completing_a_signup_opens_its_session_under_the_open_session_rules<S: ContractStore>(store: S) {
    let web = add_client(&store, at(0)).await;
    let app = add_client(&store, at(0)).await;
    let user = add_signup_user(&store).await;
    let phone = open(&store, &user, &web, "phone", at(1), 5).await;
    let old_laptop = open(&store, &user, &web, "laptop", at(2), 5).await;
    let tablet = open(&store, &user, &app, "tablet", at(3), 5).await;
    let confirmation = send(&store, email_confirmation(&user, at(3600))).await;

    let laptop = new_session(&user, &web, "laptop", at(10));
    complete(
        &store,
        SignupCompletion {
            max_sessions_per_client: 1,
            ..completion(&confirmation.link_hash, laptop.clone())
        },
    )
    .await
    .expect("a live link completes the signup");

    assert!(
        !authenticates(&store, &old_laptop.access_hash, at(11)).await,
        "the session of the same device and client is replaced"
    );
    assert!(
        !authenticates(&store, &phone.access_hash, at(11)).await,
        "the least recently used session of the client is evicted past the cap of 1"
    );
    assert!(
        authenticates(&store, &tablet.access_hash, at(11)).await,
        "a session of another client is kept"
    );
    assert!(
        authenticates(&store, &laptop.access_hash, at(11)).await,
        "the new session works"
    );
    assert_eq!(
        sorted(session_ids(&store, &user).await.into_iter().map(|id| id.0).collect()),
        sorted(vec![tablet.id.0.clone(), laptop.id.0.clone()]),
        "the other client's session and the new one are left"
    );
}

pub async fn concurrent_completions_of_one_signup_let_exactly_one_through<S: ContractStore>(store: S) {
    const RACERS: usize = 10;
    let client = add_client(&store, at(0)).await;
    let user = add_signup_user(&store).await;
    let confirmation = send(&store, email_confirmation(&user, at(3600))).await;
    let barrier = Arc::new(Barrier::new(RACERS));

    let mut tasks = Vec::new();
    for racer in 0..RACERS {
        let consent = i32::try_from(racer).expect("small") + 1;
        let completion = SignupCompletion {
            consent,
            password_hash: Some(password_hash()),
            max_sessions_per_client: RACERS,
            ..completion(
                &confirmation.link_hash,
                new_session(&user, &client, &format!("device-{racer}"), at(100)),
            )
        };
        let (store, barrier) = (store.clone(), Arc::clone(&barrier));
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let outcome = store.complete_signup(completion.clone()).await;
            (completion, outcome)
        }));
    }
    let mut winners = Vec::new();
    let mut losers = Vec::new();
    for task in tasks {
        let (completion, outcome) = task.await.expect("a completing task ran to completion");
        match outcome.expect("a concurrent complete_signup does not fail") {
            Some(completed) => winners.push((completion, completed)),
            None => losers.push(completion),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one completion goes through");
    let (won, completed) = &winners[0];
    let stored = user_by_id(&store, &user).await.expect("the user exists");
    assert_eq!(&stored, completed, "the user is as the winner left them");
    assert_eq!(stored.consent, Some(won.consent), "the winner's consent");
    assert_eq!(stored.password_hash, won.password_hash, "the winner's password");
    assert_eq!(
        session_ids(&store, &user).await,
        vec![won.session.id.clone()],
        "only the winner's session is opened"
    );
    for lost in &losers {
        assert!(
            !authenticates(&store, &lost.session.access_hash, at(101)).await,
            "a loser's session does not authenticate"
        );
    }
}

// ---------------------------------------------------------------------------
// OutboxStore
// ---------------------------------------------------------------------------

pub async fn enqueueing_a_mail_for_an_unknown_user_is_not_found<S: ContractStore>(store: S) {
    let before = backlog(&store).await;
    let result = store
        .enqueue_mail(new_mail(&UserId(unique()), OutboxKind::Confirmation, at(1)))
        .await;
    assert!(
        matches!(result, Err(StoreError::NotFound)),
        "a mail for an unknown user gives NotFound, got {result:?}"
    );
    assert_eq!(backlog(&store).await, before, "nothing was queued");
    assert!(claim_all(&store, at(2)).await.is_empty(), "nothing to claim");
}

pub async fn claiming_hands_out_due_mails_oldest_first_up_to_the_limit<S: ContractStore>(store: S) {
    let ann = add_user(&store).await;
    let bob = add_user(&store).await;
    // Queued out of age order, for two users, of several kinds.
    let m30 = enqueue(&store, &ann, OutboxKind::PasswordReset, at(30)).await;
    let m10 = enqueue(&store, &bob, OutboxKind::Confirmation, at(10)).await;
    let m50 = enqueue(&store, &ann, OutboxKind::PasswordChanged, at(50)).await;
    let m20 = enqueue(&store, &ann, OutboxKind::SignupConfirmation, at(20)).await;
    let m40 = enqueue(&store, &bob, OutboxKind::SignupAttempt, at(40)).await;
    let anns = user_by_id(&store, &ann).await.expect("Ann exists");
    let bobs = user_by_id(&store, &bob).await.expect("Bob exists");

    let first = claim(&store, at(100), at(100 + LEASE), 3).await;
    assert_eq!(
        ids(&first),
        vec![m10.id.clone(), m20.id.clone(), m30.id.clone()],
        "the 3 oldest, oldest first"
    );
    assert_mail_matches(&first[0], &m10, &bobs, 0);
    assert_mail_matches(&first[1], &m20, &anns, 0);
    assert_mail_matches(&first[2], &m30, &anns, 0);

    let second = claim(&store, at(101), at(101 + LEASE), 3).await;
    assert_eq!(
        ids(&second),
        vec![m40.id.clone(), m50.id.clone()],
        "the rest, oldest first"
    );
    assert_mail_matches(&second[0], &m40, &bobs, 0);
    assert_mail_matches(&second[1], &m50, &anns, 0);

    assert!(claim_all(&store, at(102)).await.is_empty(), "nothing left to claim");
}

pub async fn a_claimed_mail_carries_its_recipient_as_they_are_now<S: ContractStore>(store: S) {
    let user = add_user(&store).await;
    let mail = enqueue(&store, &user, OutboxKind::Confirmation, at(1)).await;
    let mut profile = Profile::person();
    profile.firstname = Some("Renamed".into());
    let updated = store
        .update_profile(&user, &profile, Language::De)
        .await
        .expect("updating the profile");
    store.set_disabled(&user, true).await.expect("disabling");
    let current = user_by_id(&store, &user).await.expect("the user exists");
    assert_eq!(current.profile, updated.profile, "the update is stored");

    let claimed = claim_by_id(&store, &mail.id, at(2), at(2 + LEASE))
        .await
        .expect("the mail is due");
    assert_mail_matches(&claimed, &mail, &current, 0);
    assert_eq!(claimed.user.language, Language::De, "in the user's new language");
}

pub async fn a_claimed_mail_is_not_claimed_again_while_its_lease_is_live<S: ContractStore>(store: S) {
    let user = add_user(&store).await;
    let mail = enqueue(&store, &user, OutboxKind::Confirmation, at(1)).await;
    let stored = user_by_id(&store, &user).await.expect("the user exists");

    let claimed = claim(&store, at(100), at(200), 10).await;
    assert_eq!(ids(&claimed), vec![mail.id.clone()], "claimed until 200");

    for now in [at(100), at(150), at(199)] {
        assert!(
            claim(&store, now, now + Duration::seconds(LEASE), 10).await.is_empty(),
            "leased until 200: not claimed again at {now}"
        );
        assert!(
            claim_by_id(&store, &mail.id, now, now + Duration::seconds(LEASE))
                .await
                .is_none(),
            "leased until 200: not claimed again by id at {now}"
        );
    }

    // The worker crashed: at the end of its lease the mail is free again,
    // with the crashed attempt counted.
    let again = claim(&store, at(200), at(300), 10).await;
    assert_eq!(again.len(), 1, "claimable again when the lease ends");
    assert_mail_matches(&again[0], &mail, &stored, 1);
    assert!(
        claim(&store, at(250), at(250 + LEASE), 10).await.is_empty(),
        "the new claim holds until 300"
    );
    assert!(
        claim_by_id(&store, &mail.id, at(300), at(400)).await.is_some(),
        "claimable by id when that lease ends too"
    );
}

pub async fn a_sent_mail_is_never_claimed_again<S: ContractStore>(store: S) {
    let user = add_user(&store).await;
    let sent = enqueue(&store, &user, OutboxKind::Confirmation, at(1)).await;
    let other = enqueue(&store, &user, OutboxKind::PasswordChanged, at(2)).await;
    let before = backlog(&store).await;

    let claimed = claim_by_id(&store, &sent.id, at(10), at(20)).await.expect("due");
    mark_sent(&store, &claimed.id, at(11)).await;

    assert_eq!(backlog(&store).await, before - 1, "a sent mail leaves the backlog");
    for now in [at(12), at(20), at(1_000_000)] {
        assert!(
            claim_by_id(&store, &sent.id, now, now + Duration::seconds(LEASE))
                .await
                .is_none(),
            "not claimed by id at {now}"
        );
    }
    assert_eq!(
        claim_all(&store, at(1_000_000)).await,
        vec![other.id],
        "only the unsent mail is claimed, however late"
    );
}

pub async fn a_failed_mail_is_due_again_at_its_retry_time_with_its_attempt_counted<S: ContractStore>(store: S) {
    let user = add_user(&store).await;
    let mail = enqueue(&store, &user, OutboxKind::PasswordReset, at(1)).await;
    let stored = user_by_id(&store, &user).await.expect("the user exists");
    let before = backlog(&store).await;

    let first = claim(&store, at(100), at(1000), 10).await;
    assert_eq!(ids(&first), vec![mail.id.clone()], "claimed until 1000");
    mark_failed(&store, &mail.id, Some(at(300)), at(150)).await;
    assert_eq!(
        backlog(&store).await,
        before,
        "a mail waiting for its retry is in the backlog"
    );

    assert!(
        claim(&store, at(299), at(299 + LEASE), 10).await.is_empty(),
        "not due before 300"
    );
    assert!(
        claim_by_id(&store, &mail.id, at(299), at(299 + LEASE)).await.is_none(),
        "not due by id before 300"
    );
    let second = claim(&store, at(300), at(400), 10).await;
    assert_eq!(second.len(), 1, "due at 300, though the failed claim ran until 1000");
    assert_mail_matches(&second[0], &mail, &stored, 1);

    mark_failed(&store, &mail.id, Some(at(500)), at(350)).await;
    let third = claim_by_id(&store, &mail.id, at(600), at(700))
        .await
        .expect("due after 500");
    assert_mail_matches(&third, &mail, &stored, 2);
}

pub async fn a_mail_failed_without_retry_is_given_up<S: ContractStore>(store: S) {
    let user = add_user(&store).await;
    let given_up = enqueue(&store, &user, OutboxKind::Confirmation, at(1)).await;
    let other = enqueue(&store, &user, OutboxKind::PasswordChanged, at(2)).await;
    let before = backlog(&store).await;

    assert!(
        claim_by_id(&store, &given_up.id, at(10), at(20)).await.is_some(),
        "claimed"
    );
    mark_failed(&store, &given_up.id, None, at(11)).await;

    assert_eq!(backlog(&store).await, before - 1, "a given-up mail leaves the backlog");
    for now in [at(20), at(1_000_000)] {
        assert!(
            claim_by_id(&store, &given_up.id, now, now + Duration::seconds(LEASE))
                .await
                .is_none(),
            "not claimed by id at {now}"
        );
    }
    assert_eq!(
        claim_all(&store, at(1_000_000)).await,
        vec![other.id],
        "only the other mail is claimed, however late"
    );
}

pub async fn every_claim_counts_an_attempt_even_when_its_worker_never_reports_back<S: ContractStore>(store: S) {
    let user = add_user(&store).await;
    let mail = enqueue(&store, &user, OutboxKind::Confirmation, at(1)).await;
    let stored = user_by_id(&store, &user).await.expect("the user exists");

    // Two workers claim the mail and die mid-delivery: their leases run out
    // and nobody reports; each claim is counted all the same.
    let first = claim(&store, at(100), at(200), 10).await;
    assert_eq!(first.len(), 1, "the first claim");
    assert_mail_matches(&first[0], &mail, &stored, 0);
    let second = claim_by_id(&store, &mail.id, at(200), at(300))
        .await
        .expect("due again when the first lease ends");
    assert_mail_matches(&second, &mail, &stored, 1);
    let third = claim(&store, at(300), at(400), 10).await;
    assert_eq!(third.len(), 1, "due again when the second lease ends");
    assert_mail_matches(&third[0], &mail, &stored, 2);

    // A failure that is reported was counted by its claim: not twice.
    mark_failed(&store, &mail.id, Some(at(500)), at(350)).await;
    let fourth = claim_by_id(&store, &mail.id, at(500), at(600))
        .await
        .expect("due at its retry time");
    assert_mail_matches(&fourth, &mail, &stored, 3);

    // A claim that finds nothing due counts nothing.
    assert!(
        claim_by_id(&store, &mail.id, at(550), at(650)).await.is_none(),
        "leased"
    );
    assert!(claim(&store, at(550), at(650), 10).await.is_empty(), "leased");
    let fifth = claim(&store, at(600), at(700), 10).await;
    assert_eq!(fifth.len(), 1, "due when the fourth lease ends");
    assert_mail_matches(&fifth[0], &mail, &stored, 4);
}

pub async fn the_oldest_queued_mail_is_the_oldest_neither_sent_nor_given_up<S: ContractStore>(store: S) {
    assert_eq!(oldest_queued(&store).await, None, "a fresh store queues nothing");
    let user = add_user(&store).await;
    // Queued out of age order.
    let m30 = enqueue(&store, &user, OutboxKind::PasswordReset, at(30)).await;
    let m10 = enqueue(&store, &user, OutboxKind::Confirmation, at(10)).await;
    let m20 = enqueue(&store, &user, OutboxKind::PasswordChanged, at(20)).await;
    assert_eq!(oldest_queued(&store).await, Some(at(10)), "the oldest of three");

    assert!(
        claim_by_id(&store, &m10.id, at(50), at(50 + LEASE)).await.is_some(),
        "claimed"
    );
    assert_eq!(
        oldest_queued(&store).await,
        Some(at(10)),
        "a claimed mail is still queued"
    );
    mark_sent(&store, &m10.id, at(51)).await;
    assert_eq!(oldest_queued(&store).await, Some(at(20)), "a sent mail is not");

    assert!(
        claim_by_id(&store, &m20.id, at(52), at(52 + LEASE)).await.is_some(),
        "claimed"
    );
    mark_failed(&store, &m20.id, Some(at(1000)), at(53)).await;
    assert_eq!(
        oldest_queued(&store).await,
        Some(at(20)),
        "a mail waiting for its retry is still queued"
    );
    assert!(
        claim_by_id(&store, &m20.id, at(1000), at(1000 + LEASE)).await.is_some(),
        "claimed"
    );
    mark_failed(&store, &m20.id, None, at(1001)).await;
    assert_eq!(oldest_queued(&store).await, Some(at(30)), "a given-up mail is not");

    mark_sent(&store, &m30.id, at(1002)).await;
    assert_eq!(oldest_queued(&store).await, None, "all sent or given up");
}

pub async fn the_backlog_counts_mails_neither_sent_nor_given_up<S: ContractStore>(store: S) {
    let user = add_user(&store).await;
    let before = backlog(&store).await;
    let mut mails = Vec::new();
    for second in 1..=5 {
        mails.push(enqueue(&store, &user, OutboxKind::Confirmation, at(second)).await);
    }
    assert_eq!(backlog(&store).await, before + 5, "queued mails count");

    let claimed = claim(&store, at(10), at(10 + LEASE), 4).await;
    assert_eq!(claimed.len(), 4, "four claimed");
    assert_eq!(backlog(&store).await, before + 5, "claimed mails still count");

    mark_failed(&store, &mails[0].id, Some(at(100)), at(11)).await;
    assert_eq!(backlog(&store).await, before + 5, "a mail waiting for its retry counts");
    mark_sent(&store, &mails[1].id, at(11)).await;
    assert_eq!(backlog(&store).await, before + 4, "a sent mail does not count");
    mark_failed(&store, &mails[2].id, None, at(12)).await;
    assert_eq!(backlog(&store).await, before + 3, "a given-up mail does not count");
}

pub async fn claiming_by_id_claims_that_mail_only<S: ContractStore>(store: S) {
    let user = add_user(&store).await;
    let wanted = enqueue(&store, &user, OutboxKind::PasswordReset, at(2)).await;
    let older = enqueue(&store, &user, OutboxKind::Confirmation, at(1)).await;
    let stored = user_by_id(&store, &user).await.expect("the user exists");

    assert!(
        claim_by_id(&store, &format!("mail-{}", unique()), at(10), at(10 + LEASE))
            .await
            .is_none(),
        "an unknown id"
    );
    let claimed = claim_by_id(&store, &wanted.id, at(10), at(10 + LEASE))
        .await
        .expect("the wanted mail is due");
    assert_mail_matches(&claimed, &wanted, &stored, 0);
    assert!(
        claim_by_id(&store, &wanted.id, at(11), at(11 + LEASE)).await.is_none(),
        "claimed: not claimed by id again"
    );
    assert_eq!(
        claim_all(&store, at(12)).await,
        vec![older.id.clone()],
        "the older mail was left alone; the claimed one is not handed out"
    );
}

pub async fn concurrent_claimers_get_every_mail_exactly_once<S: ContractStore>(store: S) {
    const MAILS: i64 = 20;
    const CLAIMERS: usize = 4;
    let user = add_user(&store).await;
    let mut queued = Vec::new();
    for second in 1..=MAILS {
        queued.push(enqueue(&store, &user, OutboxKind::Confirmation, at(second)).await.id);
    }
    let before = backlog(&store).await;
    let barrier = Arc::new(Barrier::new(CLAIMERS));

    let mut tasks = Vec::new();
    for _ in 0..CLAIMERS {
        let (store, barrier) = (store.clone(), Arc::clone(&barrier));
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let mut delivered = Vec::new();
            // Every non-empty claim takes at least one of the mails: a store
            // that hands mails out again cannot keep a claimer here forever.
            for _ in 0..=MAILS {
                let batch = store
                    .claim_mail(at(100), at(100 + LEASE), 3)
                    .await
                    .expect("a concurrent claim_mail does not fail");
                if batch.is_empty() {
                    break;
                }
                for mail in batch {
                    store
                        .mark_mail_sent(&mail.id, at(101))
                        .await
                        .expect("marking a claimed mail sent");
                    delivered.push(mail.id);
                }
            }
            delivered
        }));
    }
    let mut delivered = Vec::new();
    for task in tasks {
        delivered.extend(task.await.expect("a claiming task ran to completion"));
    }
    assert_eq!(
        sorted(delivered),
        sorted(queued),
        "every mail was handed out exactly once"
    );
    assert_eq!(
        backlog(&store).await,
        before - u64::try_from(MAILS).expect("small"),
        "all sent"
    );
}

// ---------------------------------------------------------------------------
// InviteStore
// ---------------------------------------------------------------------------

pub async fn creating_an_invite_with_a_taken_hash_is_a_duplicate_and_changes_nothing<S: Store>(store: S) {
    let invite = add_invite(&store, 1).await;
    let result = store
        .create_invite(NewInvite {
            token_hash: invite.clone(),
            name: Some("Again".into()),
            uses: 5,
            created_at: at(1),
        })
        .await;
    assert!(
        matches!(result, Err(StoreError::Duplicate)),
        "a second invite with the same hash gives Duplicate, got {result:?}"
    );
    store
        .register(invited(new_user(unique_email("invited")), &invite))
        .await
        .expect("the first invite's one use");
    assert!(
        !usable(&store, &invite).await,
        "the duplicate added no uses: one registration used the invite up"
    );

    let result = store
        .create_invite(NewInvite {
            token_hash: invite.clone(),
            name: None,
            uses: 1,
            created_at: at(2),
        })
        .await;
    assert!(
        matches!(result, Err(StoreError::Duplicate)),
        "the hash of a used-up invite is still taken, got {result:?}"
    );
    assert!(!usable(&store, &invite).await, "and the used-up invite is not revived");
}

pub async fn an_invite_is_usable_while_it_exists_and_has_a_use_left<S: Store>(store: S) {
    assert!(!usable(&store, &secret()).await, "an unknown invite is not usable");

    let invite = add_invite(&store, 2).await;
    let other = add_invite(&store, 1).await;
    for _ in 0..3 {
        assert!(
            usable(&store, &invite).await,
            "a new invite is usable, and asking uses nothing"
        );
    }
    for used in 1..=2 {
        store
            .register(invited(new_user(unique_email("invited")), &invite))
            .await
            .unwrap_or_else(|e| panic!("use {used} of 2: asking used the invite up? {e:?}"));
    }
    assert!(!usable(&store, &invite).await, "no use left: not usable");
    assert!(usable(&store, &other).await, "another invite keeps its use");
}

// ---------------------------------------------------------------------------
// ThrottleStore
// ---------------------------------------------------------------------------

fn throttle_key(scope: Scope) -> ThrottleKey {
    let key = registrar_domain::SecretKey::new(&[42; 32]).expect("a 32-byte test key");
    ThrottleKey::for_email(scope, &unique_email("throttled"), &key)
}

/// Five failures in 15 minutes, then 5 minutes, doubling up to a day.
fn login_limit() -> Limit {
    Limit::lockout(5, Duration::minutes(15), Duration::minutes(5), Duration::hours(24))
}

async fn hit_one<S: Store>(store: &S, key: &ThrottleKey, limit: Limit, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    store
        .throttle_hit(&[(key.clone(), limit)], now)
        .await
        .expect("throttle_hit")
}

async fn lock_of<S: Store>(store: &S, key: &ThrottleKey, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    store
        .throttle_lock(std::slice::from_ref(key), now)
        .await
        .expect("throttle_lock")
}

pub async fn unknown_keys_are_not_locked_and_hits_below_the_limit_lock_nothing<S: Store>(store: S) {
    let key = throttle_key(Scope::LoginAccount);
    assert_eq!(lock_of(&store, &key, at(0)).await, None);
    for i in 0..4 {
        assert_eq!(hit_one(&store, &key, login_limit(), at(i)).await, None);
    }
    assert_eq!(lock_of(&store, &key, at(5)).await, None);
}

pub async fn the_hit_that_fills_the_window_locks_the_ones_after_it_which_count_nothing<S: Store>(store: S) {
    let key = throttle_key(Scope::LoginAccount);
    for i in 0..5 {
        assert_eq!(
            hit_one(&store, &key, login_limit(), at(i)).await,
            None,
            "hit {i} is allowed"
        );
    }
    let until = at(4) + Duration::minutes(5);
    assert_eq!(lock_of(&store, &key, at(10)).await, Some(until));
    assert_eq!(hit_one(&store, &key, login_limit(), at(10)).await, Some(until));
    // The refused hits did not count: the lock did not grow or move.
    assert_eq!(lock_of(&store, &key, at(11)).await, Some(until));
    assert_eq!(lock_of(&store, &key, until).await, None, "the lock ends at its instant");
}

pub async fn locks_grow_with_each_lockout_of_a_key<S: Store>(store: S) {
    let key = throttle_key(Scope::LoginAccount);
    let mut now = at(0);
    for expected in [5, 10, 20] {
        for _ in 0..5 {
            assert_eq!(hit_one(&store, &key, login_limit(), now).await, None);
        }
        let until = lock_of(&store, &key, now).await.expect("locked");
        assert_eq!(until - now, Duration::minutes(expected));
        now = until;
    }
}

pub async fn the_count_starts_again_when_its_window_ends<S: Store>(store: S) {
    let key = throttle_key(Scope::RegisterIp);
    let limit = Limit::per_window(3, Duration::hours(1));
    assert_eq!(hit_one(&store, &key, limit, at(0)).await, None);
    assert_eq!(hit_one(&store, &key, limit, at(60)).await, None);
    let later = at(3600);
    assert_eq!(hit_one(&store, &key, limit, later).await, None);
    assert_eq!(hit_one(&store, &key, limit, later).await, None);
    assert_eq!(lock_of(&store, &key, later).await, None, "two hits in the new window");
    assert_eq!(hit_one(&store, &key, limit, later).await, None);
    assert_eq!(lock_of(&store, &key, later).await, Some(later + Duration::hours(1)));
}

pub async fn a_hit_on_several_keys_counts_all_or_nothing<S: Store>(store: S) {
    let address = throttle_key(Scope::MailAddress);
    let ip = throttle_key(Scope::MailIp);
    let narrow = Limit::per_window(2, Duration::hours(1));
    let wide = Limit::per_window(3, Duration::hours(1));
    let both = [(address.clone(), narrow), (ip.clone(), wide)];
    assert_eq!(store.throttle_hit(&both, at(0)).await.expect("hit"), None);
    assert_eq!(store.throttle_hit(&both, at(1)).await.expect("hit"), None);
    // The address is locked now: the next hit is refused and the IP's count stays at 2.
    let until = at(0) + Duration::hours(1);
    assert_eq!(store.throttle_hit(&both, at(2)).await.expect("hit"), Some(until));
    assert_eq!(
        store
            .throttle_lock(&[address.clone(), ip.clone()], at(2))
            .await
            .expect("lock"),
        Some(until)
    );
    assert_eq!(lock_of(&store, &ip, at(2)).await, None);
    assert_eq!(
        hit_one(&store, &ip, wide, at(3)).await,
        None,
        "the third hit of the IP is allowed"
    );
    assert!(
        lock_of(&store, &ip, at(3)).await.is_some(),
        "and it fills the IP's window"
    );
}

pub async fn the_latest_lock_of_several_keys_is_reported<S: Store>(store: S) {
    let short = throttle_key(Scope::LoginAccount);
    let long = throttle_key(Scope::LoginIp);
    hit_one(&store, &short, Limit::per_window(1, Duration::minutes(1)), at(0)).await;
    hit_one(&store, &long, Limit::per_window(1, Duration::minutes(10)), at(0)).await;
    let keys = [short.clone(), long.clone(), throttle_key(Scope::MailIp)];
    assert_eq!(store.throttle_lock(&keys, at(1)).await.expect("lock"), Some(at(600)));
}

pub async fn clearing_a_key_forgets_its_count_and_its_locks<S: Store>(store: S) {
    let key = throttle_key(Scope::LoginAccount);
    let other = throttle_key(Scope::LoginAccount);
    for i in 0..5 {
        hit_one(&store, &key, login_limit(), at(i)).await;
        hit_one(&store, &other, login_limit(), at(i)).await;
    }
    assert!(lock_of(&store, &key, at(10)).await.is_some());
    store.throttle_clear(&key).await.expect("clear");
    store
        .throttle_clear(&throttle_key(Scope::LoginAccount))
        .await
        .expect("an unknown key clears");
    assert_eq!(lock_of(&store, &key, at(10)).await, None);
    for i in 0..4 {
        assert_eq!(hit_one(&store, &key, login_limit(), at(20 + i)).await, None);
    }
    assert_eq!(lock_of(&store, &key, at(30)).await, None, "the count started from zero");
    hit_one(&store, &key, login_limit(), at(30)).await;
    assert_eq!(
        lock_of(&store, &key, at(30)).await,
        Some(at(30) + Duration::minutes(5)),
        "and the lock from the first length"
    );
    assert!(
        lock_of(&store, &other, at(10)).await.is_some(),
        "other keys keep theirs"
    );
}

pub async fn concurrent_hits_of_one_key_are_each_counted<S: Store>(store: S) {
    const RACERS: usize = 20;
    let key = throttle_key(Scope::RegisterIp);
    let limit = Limit::per_window(8, Duration::hours(1));
    let barrier = Arc::new(Barrier::new(RACERS));
    let mut tasks = Vec::new();
    for _ in 0..RACERS {
        let (store, key, barrier) = (store.clone(), key.clone(), Arc::clone(&barrier));
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            store.throttle_hit(&[(key, limit)], at(0)).await
        }));
    }
    let mut allowed = 0;
    for task in tasks {
        if task
            .await
            .expect("joined")
            .expect("no store error under contention")
            .is_none()
        {
            allowed += 1;
        }
    }
    assert_eq!(allowed, 8, "exactly the limit got through");
}

pub async fn purging_drops_expired_counters_and_keeps_live_ones<S: Store>(store: S) {
    let counted = throttle_key(Scope::MailIp);
    let locked = throttle_key(Scope::LoginAccount);
    hit_one(&store, &counted, Limit::per_window(5, Duration::hours(1)), at(0)).await;
    for _ in 0..5 {
        hit_one(&store, &locked, login_limit(), at(0)).await;
    }
    // Within the lock's memory (its length plus a day): nothing of these goes.
    store.throttle_purge(at(3600)).await.expect("purge");
    assert!(
        lock_of(&store, &locked, at(60)).await.is_some(),
        "a live lock survives a purge"
    );
    hit_one(&store, &locked, login_limit(), at(300)).await;
    for _ in 0..4 {
        hit_one(&store, &locked, login_limit(), at(300)).await;
    }
    assert_eq!(
        lock_of(&store, &locked, at(300)).await,
        Some(at(300) + Duration::minutes(10)),
        "the purge kept the first lock in memory"
    );
    let purged = store.throttle_purge(at(3 * 86_400)).await.expect("purge");
    assert!(purged >= 2, "both counters expired: {purged} purged");
    assert_eq!(lock_of(&store, &locked, at(3 * 86_400)).await, None);
}

// ---------------------------------------------------------------------------
// HealthCheck
// ---------------------------------------------------------------------------

pub async fn ping_succeeds<S: Store>(store: S) {
    store.ping().await.expect("a working store answers ping");
}

// ---------------------------------------------------------------------------
// The test generator
// ---------------------------------------------------------------------------

/// Expands to one `#[tokio::test]` (multi-thread runtime, 4 workers) per
/// contract rule, each named like its rule and given a fresh store.
///
/// The argument is an expression evaluated once per test to a future
/// resolving to `(store, guard)`; the guard (a temp dir, a test database
/// that drops itself, or `()`) lives until the test ends. The calling crate
/// needs `tokio` (with `macros` and `rt-multi-thread`) as a dev-dependency.
///
/// ```ignore
/// registrar_store::store_contract_tests!(async { (MemoryStore::new(), ()) });
/// ```
#[macro_export]
macro_rules! store_contract_tests {
    ($make:expr) => {
        $crate::__store_contract_tests!(
            $make;
            // UserStore
            registration_is_found_by_email_in_any_case_and_by_id,
            registration_round_trips_every_field_of_the_new_user,
            registration_round_trips_an_account_without_password_or_profile,
            registration_opens_the_first_session_and_records_accepted_policies,
            registration_with_a_taken_email_in_another_case_fails_and_changes_nothing,
            registration_with_an_unknown_revision_fails_and_creates_nothing,
            concurrent_registrations_of_one_email_let_exactly_one_through,
            unknown_users_are_not_found_by_email_or_id,
            profile_update_replaces_every_field_and_the_language,
            profile_update_of_an_unknown_user_is_not_found,
            password_change_revokes_every_session_and_keeps_only_the_given_one,
            password_change_without_a_session_to_keep_leaves_none,
            password_change_of_an_unknown_user_is_not_found_and_opens_nothing,
            role_change_is_stored_and_unknown_users_are_not_found,
            deleting_a_user_erases_their_sessions_and_acceptances_and_frees_the_email,
            registration_queues_its_mails_claimable_with_the_user,
            a_failed_registration_queues_nothing,
            password_change_queues_its_mail,
            password_change_kills_live_reset_links_but_not_the_email_confirmation,
            disabling_revokes_every_session_and_enabling_restores_the_account,
            disabling_an_unknown_user_is_not_found,
            deleting_a_user_erases_their_confirmations_and_queued_mails,
            importing_users_inserts_them_and_their_sessions,
            an_import_with_a_taken_address_inserts_nothing,
            // UserStore::register with an invite
            registration_with_an_invite_uses_it_up_with_the_account,
            a_multi_use_invite_counts_down_to_zero,
            registration_with_an_unknown_or_used_up_invite_fails_and_changes_nothing,
            a_failed_registration_does_not_use_the_invite,
            a_taken_email_is_reported_before_a_bad_invite,
            concurrent_registrations_racing_for_a_single_use_invite_let_exactly_one_through,
            concurrent_registrations_never_use_an_invite_more_often_than_it_allows,
            // SessionStore
            opened_session_is_listed_and_found_by_access_hash_with_its_user,
            session_by_access_ignores_unknown_hashes,
            session_with_standing_is_the_session_its_user_and_their_policy_standing,
            access_token_expires_at_its_expiry_instant,
            opening_a_session_for_the_same_device_and_client_replaces_the_previous_one,
            the_same_device_on_another_client_is_a_separate_session,
            opening_past_the_cap_evicts_the_least_recently_used_session_of_that_client,
            touching_a_session_saves_it_from_eviction,
            the_session_cap_ignores_other_clients_and_other_users,
            concurrent_opens_on_many_devices_never_exceed_the_cap,
            a_session_resting_on_a_stale_password_is_refused_and_opens_nothing,
            opens_racing_a_password_change_or_reset_never_leave_a_session_on_the_old_password,
            sessions_are_listed_oldest_first,
            revoking_a_session_stops_its_tokens_and_reports_whether_it_existed,
            revoking_a_device_revokes_its_sessions_on_every_client_and_counts_them,
            touching_a_session_records_its_last_use,
            touching_many_sessions_at_once_never_moves_a_last_use_back,
            // SessionStore::rotate_refresh
            rotating_a_live_refresh_token_installs_the_new_pair,
            rotation_restarts_the_idle_clock,
            a_retired_token_presented_within_grace_is_refused_and_the_session_lives_on,
            a_retired_token_presented_after_grace_revokes_the_whole_session,
            grace_ends_at_the_cutoff_instant,
            an_idle_refresh_token_expires_and_its_session_is_revoked,
            idleness_starts_at_the_cutoff_instant,
            rotation_for_another_client_is_refused_and_changes_nothing,
            rotation_for_the_sessions_own_client_works,
            never_seen_refresh_tokens_are_unknown,
            tokens_of_a_revoked_session_are_unknown,
            concurrent_rotations_of_one_token_let_exactly_one_through,
            // PolicyStore
            published_revisions_get_growing_ids_and_round_trip_their_texts,
            policy_revisions_lists_every_published_revision_by_id,
            accepting_policies_is_recorded_and_idempotent,
            policy_standing_has_the_latest_revision_of_each_type_and_the_users_acceptances,
            accepting_an_unknown_revision_fails_and_records_nothing,
            // ClientStore
            added_clients_are_found_and_listed_by_creation_time,
            adding_a_client_with_a_taken_id_is_a_duplicate,
            removing_a_client_revokes_its_sessions_and_reports_whether_it_existed,
            // ConfirmationStore
            replacing_a_confirmation_of_an_unknown_user_is_not_found,
            a_new_confirmation_replaces_the_previous_one_of_the_same_purpose_only,
            the_right_code_confirms_the_address_once,
            a_wrong_code_counts_a_try_and_the_right_one_still_works,
            after_max_attempts_wrong_tries_even_the_right_code_is_refused,
            the_link_still_confirms_when_the_code_has_had_its_tries,
            an_expired_code_is_no_code,
            without_a_live_email_code_every_code_is_no_code,
            a_code_is_checked_against_its_own_users_confirmation_only,
            concurrent_right_codes_confirm_once,
            a_link_confirms_the_address_once,
            an_expired_link_does_not_confirm,
            a_password_reset_link_is_not_an_email_confirmation_link,
            concurrent_uses_of_one_link_confirm_once,
            a_reset_link_names_its_user_until_used_and_resets_the_password_once,
            an_email_confirmation_link_does_not_reset_a_password,
            an_expired_reset_link_changes_nothing,
            concurrent_resets_with_one_link_let_exactly_one_through,
            a_used_reset_link_confirms_an_unconfirmed_address_and_keeps_an_earlier_confirmation,
            // ConfirmationStore: email-first signups
            an_email_link_names_its_user_while_live_without_using_it,
            an_expired_replaced_or_reset_link_names_no_one_as_an_email_link,
            completing_a_signup_confirms_records_consent_sets_the_password_and_opens_the_session,
            completing_a_signup_without_a_password_keeps_the_stored_one,
            a_dead_link_completes_no_signup_and_changes_nothing,
            completing_a_signup_on_an_unknown_client_is_not_found_and_changes_nothing,
            completing_a_signup_opens_its_session_under_the_open_session_rules,
            concurrent_completions_of_one_signup_let_exactly_one_through,
            a_code_or_link_confirms_an_account_waiting_for_consent_and_leaves_its_link_live,
            a_used_email_link_names_its_user_however_it_was_used,
            // OutboxStore
            enqueueing_a_mail_for_an_unknown_user_is_not_found,
            claiming_hands_out_due_mails_oldest_first_up_to_the_limit,
            a_claimed_mail_carries_its_recipient_as_they_are_now,
            a_claimed_mail_is_not_claimed_again_while_its_lease_is_live,
            a_sent_mail_is_never_claimed_again,
            a_failed_mail_is_due_again_at_its_retry_time_with_its_attempt_counted,
            a_mail_failed_without_retry_is_given_up,
            the_backlog_counts_mails_neither_sent_nor_given_up,
            every_claim_counts_an_attempt_even_when_its_worker_never_reports_back,
            the_oldest_queued_mail_is_the_oldest_neither_sent_nor_given_up,
            claiming_by_id_claims_that_mail_only,
            concurrent_claimers_get_every_mail_exactly_once,
            // InviteStore
            creating_an_invite_with_a_taken_hash_is_a_duplicate_and_changes_nothing,
            an_invite_is_usable_while_it_exists_and_has_a_use_left,
            // ThrottleStore
            unknown_keys_are_not_locked_and_hits_below_the_limit_lock_nothing,
            the_hit_that_fills_the_window_locks_the_ones_after_it_which_count_nothing,
            locks_grow_with_each_lockout_of_a_key,
            the_count_starts_again_when_its_window_ends,
            a_hit_on_several_keys_counts_all_or_nothing,
            the_latest_lock_of_several_keys_is_reported,
            clearing_a_key_forgets_its_count_and_its_locks,
            concurrent_hits_of_one_key_are_each_counted,
            purging_drops_expired_counters_and_keeps_live_ones,
            // HealthCheck
            ping_succeeds,
        );
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __store_contract_tests {
    ($make:expr; $($rule:ident),+ $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $rule() {
                let (store, _guard) = $make.await;
                $crate::testkit::$rule(store).await;
            }
        )+
    };
}
