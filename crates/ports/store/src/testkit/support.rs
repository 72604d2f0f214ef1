//! What the rules share: fixtures that build fresh, unique records, and
//! short forms of the store calls the rules make. Everything here is
//! re-exported to the rule files, which `use super::support::*`.

pub(super) use std::collections::BTreeSet;
use std::future::Future;
pub(super) use std::sync::Arc;

pub(super) use chrono::{DateTime, Duration, Utc};
pub(super) use registrar_domain::{
    AuditKind, Client, ClientId, ClientKind, ConfirmationPurpose, DeviceId, DeviceName, Email, Language, Limit,
    Organisation, PasswordHash, PolicyText, PolicyType, Profile, RedirectUri, RevisionId, Role, Scope, SecretHash,
    Session, SessionId, SignInMethod, Telephone, ThrottleKey, User, UserId, UserType,
};
pub(super) use tokio::sync::Barrier;
pub(super) use uuid::Uuid;

pub(super) use crate::{
    CodeOutcome, CodeTry, ConfirmationStore, ImportedUser, NewConfirmation, NewInvite, NewOutboxMail,
    NewPolicyRevision, NewSession, NewUser, OutboxKind, OutboxMail, OutboxStore, Registration, Rotation,
    RotationOutcome, SignupCompletion, Store, StoreError,
};

// ---------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------

/// 2030-01-01T00:00:00Z plus `seconds`.
pub(super) fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_893_456_000 + seconds, 0).expect("a representable instant")
}

pub(super) const ACCESS_TTL: i64 = 3600;

pub(super) fn unique() -> String {
    Uuid::new_v4().simple().to_string()
}

/// A unique address with capitals in it, as people type them.
pub(super) fn unique_email(prefix: &str) -> Email {
    Email::parse(&format!("{prefix}.{}@Example.COM", unique())).expect("a valid test address")
}

pub(super) fn secret() -> SecretHash {
    SecretHash::of(&unique())
}

pub(super) fn device(name: &str) -> DeviceId {
    DeviceId::parse(name).expect("a valid device id")
}

pub(super) fn new_user(email: Email) -> NewUser {
    let mut profile = Profile::person();
    profile.firstname = Some("Ann".into());
    profile.lastname = Some("Smith".into());
    NewUser {
        id: UserId(unique()),
        email,
        password_hash: Some(PasswordHash("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into())),
        profile,
        role: Role::guest(),
        language: Language::EN,
        email_confirmed_at: None,
        consent: None,
        created_at: at(0),
    }
}

pub(super) fn registration(user: NewUser) -> Registration {
    Registration {
        user,
        accepted_policies: Vec::new(),
        session: None,
        outbox: Vec::new(),
        invite: None,
        max_sessions_per_client: 5,
        audit: Vec::new(),
        confirmation: None,
    }
}

/// A mail of `kind` for `user`, with a fresh id.
pub(super) fn new_mail(user: &UserId, kind: OutboxKind, created_at: DateTime<Utc>) -> NewOutboxMail {
    NewOutboxMail {
        id: format!("mail-{}", unique()),
        user_id: user.clone(),
        kind,
        created_at,
        detail: None,
        claimed_until: None,
    }
}

pub(super) fn new_session(user: &UserId, client: &ClientId, device_id: &str, now: DateTime<Utc>) -> NewSession {
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
        sign_in_method: SignInMethod::Password,
        scope: None,
        audit: Vec::new(),
        new_device_notice: None,
    }
}

/// A rotation of `presented` at `now` with a fresh pair, a 90-day idle TTL and a 10-second grace.
pub(super) fn rotation(presented: &SecretHash, now: DateTime<Utc>) -> Rotation {
    Rotation {
        presented: presented.clone(),
        client_id: None,
        new_access_hash: secret(),
        new_access_expires_at: now + Duration::seconds(ACCESS_TTL),
        new_refresh_hash: secret(),
        now,
        idle_cutoff: now - Duration::days(90),
        grace_cutoff: now - Duration::seconds(10),
        audit: Vec::new(),
    }
}

pub(super) fn policy_text(language: Language, version: &str) -> PolicyText {
    PolicyText {
        title: format!("Terms {version} ({language})"),
        description: format!("What you agree to, in {language}"),
        button: format!("I agree ({language})"),
        html: format!("<h1>Terms {version}</h1><p lang=\"{language}\">Ünïcödé &amp; more</p>"),
    }
}

pub(super) fn new_revision(
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
pub(super) async fn add_client<S: Store>(store: &S, created_at: DateTime<Utc>) -> ClientId {
    let id = ClientId::parse(&format!("client-{}", unique())).expect("a valid client id");
    let client = Client::public(id.clone(), "Contract test app".into(), created_at);
    store
        .add_client(&client, &[])
        .await
        .expect("adding a client with a fresh id");
    id
}

/// Adds a confidential client of the test's own, with a fresh secret hash
/// and a redirect URI, created at `created_at`; returns it as added.
pub(super) async fn add_confidential_client<S: Store>(store: &S, created_at: DateTime<Utc>) -> Client {
    let id = ClientId::parse(&format!("confidential-{}", unique())).expect("a valid client id");
    let client = Client {
        kind: confidential(),
        redirect_uris: uris(&["https://server.example/cb"]),
        ..Client::public(id, "Server app".into(), created_at)
    };
    store
        .add_client(&client, &[])
        .await
        .expect("adding a confidential client with a fresh id");
    client
}

/// A confidential kind with a fresh secret hash.
pub(super) fn confidential() -> ClientKind {
    ClientKind::Confidential {
        secret_hash: SecretHash::of(&unique()),
    }
}

pub(super) fn uris(uris: &[&str]) -> Vec<RedirectUri> {
    uris.iter()
        .map(|u| RedirectUri::parse(u).expect("a valid redirect URI"))
        .collect()
}

/// Two clients of the test's own, both created at `at(0)`.
pub(super) async fn two_clients<S: Store>(store: &S) -> (ClientId, ClientId) {
    (add_client(store, at(0)).await, add_client(store, at(0)).await)
}

/// Registers a plain user (no session, no policies) whose address starts
/// with `prefix`, and returns what was registered.
pub(super) async fn registered<S: Store>(store: &S, prefix: &str) -> NewUser {
    let user = new_user(unique_email(prefix));
    store
        .register(registration(user.clone()))
        .await
        .expect("registering a fresh user");
    user
}

/// Registers a plain user (no session, no policies) and returns their id.
pub(super) async fn add_user<S: Store>(store: &S) -> UserId {
    registered(store, "user").await.id
}

/// A client and a plain user of the test's own (see [`add_client`], [`add_user`]).
pub(super) async fn client_and_user<S: Store>(store: &S) -> (ClientId, UserId) {
    let client = add_client(store, at(0)).await;
    (client, add_user(store).await)
}

/// Opens a session and returns what was opened (for its hashes).
pub(super) async fn open<S: Store>(
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

/// Opens a session of `user` on each `(client, device id)` in turn, the i-th
/// at `at(i)` from 1, under a cap of 5.
pub(super) async fn open_in_turn<S: Store, const N: usize>(
    store: &S,
    user: &UserId,
    devices: [(&ClientId, &str); N],
) -> [NewSession; N] {
    let mut opened = Vec::new();
    for (seconds, (client, device_id)) in (1..).zip(devices) {
        opened.push(open(store, user, client, device_id, at(seconds), 5).await);
    }
    opened
        .try_into()
        .unwrap_or_else(|_| unreachable!("one session per device"))
}

/// A user of the test's own with a session on each `(client, device id)` in
/// turn (see [`open_in_turn`]), and a bystander opened after them: another
/// user's "phone" session on the first client, which nothing done to the
/// first user may touch.
pub(super) async fn user_and_bystander<S: Store, const N: usize>(
    store: &S,
    devices: [(&ClientId, &str); N],
) -> (UserId, [NewSession; N], NewSession) {
    let user = add_user(store).await;
    let opened = open_in_turn(store, &user, devices).await;
    let after = at(i64::try_from(N).expect("a few devices") + 1);
    let bystander = open(store, &add_user(store).await, devices[0].0, "phone", after, 5).await;
    (user, opened, bystander)
}

/// Runs `attempt` once for each of `inputs`, all at once: each on its own
/// clone of the store in its own task, the tasks released together by one
/// barrier. Returns every input with what its attempt gave, in input order.
pub(super) async fn race<S, I, O, F, Fut>(store: &S, inputs: Vec<I>, attempt: F) -> Vec<(I, O)>
where
    S: Store,
    I: Clone + Send + 'static,
    O: Send + 'static,
    F: Fn(S, I) -> Fut,
    Fut: Future<Output = O> + Send + 'static,
{
    let barrier = Arc::new(Barrier::new(inputs.len()));
    let tasks: Vec<_> = inputs
        .into_iter()
        .map(|input| {
            let (barrier, attempt) = (Arc::clone(&barrier), attempt(store.clone(), input.clone()));
            tokio::spawn(async move {
                barrier.wait().await;
                (input, attempt.await)
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.expect("a racing task ran to completion"));
    }
    outcomes
}

pub(super) async fn authenticates<S: Store>(store: &S, access_hash: &SecretHash, now: DateTime<Utc>) -> bool {
    store
        .session_by_access(access_hash, now)
        .await
        .expect("looking up a session by access hash")
        .is_some()
}

/// `access_hash` authenticates at `now`; `why` says what that shows.
pub(super) async fn assert_authenticates<S: Store>(store: &S, access_hash: &SecretHash, now: DateTime<Utc>, why: &str) {
    assert!(authenticates(store, access_hash, now).await, "{why}");
}

/// `access_hash` does not authenticate at `now`; `why` says what that shows.
pub(super) async fn assert_refused<S: Store>(store: &S, access_hash: &SecretHash, now: DateTime<Utc>, why: &str) {
    assert!(!authenticates(store, access_hash, now).await, "{why}");
}

/// The session `access_hash` authenticates at `now`, with its user; `found`
/// says why it must be there.
pub(super) async fn by_access<S: Store>(
    store: &S,
    access_hash: &SecretHash,
    now: DateTime<Utc>,
    found: &str,
) -> (Session, User) {
    store
        .session_by_access(access_hash, now)
        .await
        .expect("looking up a session by access hash")
        .expect(found)
}

pub(super) async fn touch<S: Store>(store: &S, ids: &[SessionId], now: DateTime<Utc>) {
    store.touch_sessions(ids, now).await.expect("touching sessions");
}

pub(super) async fn sessions<S: Store>(store: &S, user: &UserId) -> Vec<Session> {
    store.sessions_of(user).await.expect("listing the user's sessions")
}

/// How each of the user's sessions signed in, oldest first.
pub(super) async fn methods<S: Store>(store: &S, user: &UserId) -> Vec<SignInMethod> {
    sessions(store, user)
        .await
        .into_iter()
        .map(|s| s.sign_in_method)
        .collect()
}

pub(super) async fn session_ids<S: Store>(store: &S, user: &UserId) -> Vec<SessionId> {
    sessions(store, user).await.into_iter().map(|s| s.id).collect()
}

pub(super) async fn rotate<S: Store>(store: &S, rotation: Rotation) -> RotationOutcome {
    store.rotate_refresh(rotation).await.expect("rotating a refresh token")
}

/// `rotation` rotates (its pair is installed) and returns the session; `why`
/// says what that shows.
pub(super) async fn assert_rotates<S: Store>(store: &S, rotation: Rotation, why: &str) -> Session {
    match rotate(store, rotation).await {
        RotationOutcome::Rotated(session) => session,
        other => panic!("{why}, got {other:?}"),
    }
}

/// `rotation` gives `expected`; `why` says what that shows.
pub(super) async fn expect_rotation<S: Store>(store: &S, rotation: Rotation, expected: RotationOutcome, why: &str) {
    assert_eq!(rotate(store, rotation).await, expected, "{why}");
}

/// `session` is revoked at `now`: its access token does not authenticate
/// (`refused` says what that shows) and its refresh token is unknown
/// (`unknown` says so).
pub(super) async fn assert_revoked<S: Store>(
    store: &S,
    session: &NewSession,
    now: DateTime<Utc>,
    refused: &str,
    unknown: &str,
) {
    assert_refused(store, &session.access_hash, now, refused).await;
    expect_rotation(
        store,
        rotation(&session.refresh_hash, now),
        RotationOutcome::Unknown,
        unknown,
    )
    .await;
}

/// `user`'s sessions are `expected`, oldest first; `why` says what that shows.
pub(super) async fn assert_session_ids<S: Store>(store: &S, user: &UserId, expected: Vec<SessionId>, why: &str) {
    assert_eq!(session_ids(store, user).await, expected, "{why}");
}

pub(super) async fn user_by_id<S: Store>(store: &S, id: &UserId) -> Option<User> {
    store.user_by_id(id).await.expect("looking up a user by id")
}

pub(super) async fn user_by_email<S: Store>(store: &S, email: &Email) -> Option<User> {
    store.user_by_email(email).await.expect("looking up a user by email")
}

pub(super) async fn accepted<S: Store>(store: &S, user: &UserId) -> BTreeSet<RevisionId> {
    store.accepted_policies(user).await.expect("listing accepted policies")
}

pub(super) async fn publish<S: Store>(store: &S, revision: NewPolicyRevision) -> RevisionId {
    store
        .publish_policy(revision, &[])
        .await
        .expect("publishing a revision")
        .id
}

/// What of `listed` is among `ours` (the same `key`), in listed order: the
/// store may list rows that other tests added.
pub(super) fn among<T, K: PartialEq>(listed: Vec<T>, ours: &[T], key: impl Fn(&T) -> K) -> Vec<T> {
    listed
        .into_iter()
        .filter(|l| ours.iter().any(|o| key(o) == key(l)))
        .collect()
}

/// The same address with the case of every letter flipped.
pub(super) fn flipped_case(email: &Email) -> Email {
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

pub(super) fn assert_user_matches(user: &User, new: &NewUser) {
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

pub(super) fn assert_session_matches(session: &Session, new: &NewSession) {
    assert_eq!(session.id, new.id, "session id");
    assert_eq!(session.user_id, new.user_id, "session user");
    assert_eq!(session.client_id, new.client_id, "session client");
    assert_eq!(session.device_id, new.device_id, "session device id");
    assert_eq!(session.device_name, new.device_name, "session device name");
    for (instant, what) in [
        (session.created_at, "a session is created at `now`"),
        (session.last_used_at, "a new session was last used at `now`"),
        (session.refreshed_at, "a new session's refresh token is issued at `now`"),
    ] {
        assert_eq!(instant, new.now, "{what}");
    }
    assert_eq!(session.access_expires_at, new.access_expires_at, "access expiry");
    assert_eq!(session.sign_in_method, new.sign_in_method, "how the session signed in");
    assert_eq!(session.scope, new.scope, "the scopes granted");
}

// ---------------------------------------------------------------------------
// Fixtures: confirmations and the outbox
// ---------------------------------------------------------------------------

/// What the suite runs on: every store trait of the port (today the same as
/// [`Store`], which lists them all; kept so adapters' tests need not change).
pub trait ContractStore: Store + ConfirmationStore + OutboxStore {}

impl<T: Store + ConfirmationStore + OutboxStore> ContractStore for T {}

/// How many wrong tries a code gets in the rules that do not count them.
pub(super) const MAX_ATTEMPTS: u32 = 5;

/// A lease long enough to outlast any rule that does not let it lapse.
pub(super) const LEASE: i64 = 3600;

pub(super) fn password_hash() -> PasswordHash {
    PasswordHash(format!("$argon2id$v=19$m=19456,t=2,p=1${}", unique()))
}

/// An email confirmation (a code and a link) for `user`, live until `expires_at`.
pub(super) fn email_confirmation(user: &UserId, expires_at: DateTime<Utc>) -> NewConfirmation {
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
pub(super) fn reset_confirmation(user: &UserId, expires_at: DateTime<Utc>) -> NewConfirmation {
    NewConfirmation {
        user_id: user.clone(),
        purpose: ConfirmationPurpose::PasswordReset,
        code_hash: None,
        link_hash: secret(),
        expires_at,
        created_at: at(0),
    }
}

/// A sign-in code for `user`, live until `expires_at`: a code, and a link
/// that is never sent.
pub(super) fn sign_in_code(user: &UserId, expires_at: DateTime<Utc>) -> NewConfirmation {
    NewConfirmation {
        purpose: ConfirmationPurpose::SignInCode,
        ..email_confirmation(user, expires_at)
    }
}

pub(super) fn code_of(confirmation: &NewConfirmation) -> &SecretHash {
    confirmation
        .code_hash
        .as_ref()
        .expect("an email confirmation of the suite has a code")
}

/// Stores `confirmation` (for an existing user) and returns it.
pub(super) async fn send<S: ContractStore>(store: &S, confirmation: NewConfirmation) -> NewConfirmation {
    store
        .replace_confirmation(confirmation.clone())
        .await
        .expect("storing a confirmation for an existing user");
    confirmation
}

/// `code` typed for `user`'s live code at `now`.
pub(super) fn code_try(user: &UserId, code: &SecretHash, now: DateTime<Utc>, max_attempts: u32) -> CodeTry {
    CodeTry {
        user: user.clone(),
        max_attempts,
        code_hash: code.clone(),
        now,
        audit: Vec::new(),
    }
}

pub(super) async fn by_code<S: ContractStore>(
    store: &S,
    user: &UserId,
    code: &SecretHash,
    now: DateTime<Utc>,
    max_attempts: u32,
) -> CodeOutcome {
    let code = code_try(user, code, now, max_attempts);
    store.confirm_by_code(&code).await.expect("checking a code")
}

/// Ten tries of the right code of `confirmation` at once, at `at(100)`,
/// each through the method of its purpose (`confirm_by_code`,
/// `use_sign_in_code`): exactly one is `Confirmed`, every other sees `NoCode`.
pub(super) async fn assert_one_racing_right_code_goes_through<S: ContractStore>(
    store: &S,
    confirmation: &NewConfirmation,
) {
    const RACERS: usize = 10;
    let code = code_try(&confirmation.user_id, code_of(confirmation), at(100), MAX_ATTEMPTS);
    let sign_in = confirmation.purpose == ConfirmationPurpose::SignInCode;
    let outcomes: Vec<_> = race(store, vec![code; RACERS], |store, code| async move {
        match sign_in {
            true => store.use_sign_in_code(&code).await,
            false => store.confirm_by_code(&code).await,
        }
    })
    .await
    .into_iter()
    .map(|(_, outcome)| outcome.expect("a concurrent try of a code does not fail"))
    .collect();
    let confirmed = outcomes.iter().filter(|o| **o == CodeOutcome::Confirmed).count();
    let no_code = outcomes.iter().filter(|o| **o == CodeOutcome::NoCode).count();
    assert_eq!(confirmed, 1, "exactly one try goes through: {outcomes:?}");
    assert_eq!(no_code, RACERS - 1, "every other sees NoCode: {outcomes:?}");
}

pub(super) async fn purge_sign_in_codes<S: ContractStore>(store: &S, now: DateTime<Utc>) -> u64 {
    store.purge_sign_in_codes(now).await.expect("purging sign-in codes")
}

pub(super) async fn by_link<S: ContractStore>(store: &S, link: &SecretHash, now: DateTime<Utc>) -> Option<UserId> {
    store
        .confirm_by_link(link, now, &[])
        .await
        .expect("using a confirmation link")
}

pub(super) async fn reset_link_user<S: ContractStore>(
    store: &S,
    link: &SecretHash,
    now: DateTime<Utc>,
) -> Option<UserId> {
    store
        .reset_link_user(link, now)
        .await
        .expect("looking up a password-reset link")
}

pub(super) async fn reset<S: ContractStore>(
    store: &S,
    link: &SecretHash,
    hash: &PasswordHash,
    now: DateTime<Utc>,
    mail: Option<NewOutboxMail>,
) -> Option<UserId> {
    store
        .reset_password(link, hash, now, mail, &[])
        .await
        .expect("resetting a password by link")
}

pub(super) async fn confirmed_at<S: ContractStore>(store: &S, user: &UserId) -> Option<DateTime<Utc>> {
    user_by_id(store, user)
        .await
        .expect("the user exists")
        .email_confirmed_at
}

pub(super) async fn password_of<S: ContractStore>(store: &S, user: &UserId) -> Option<PasswordHash> {
    user_by_id(store, user).await.expect("the user exists").password_hash
}

/// Queues a mail of `kind` for an existing user and returns it.
pub(super) async fn enqueue<S: ContractStore>(
    store: &S,
    user: &UserId,
    kind: OutboxKind,
    created_at: DateTime<Utc>,
) -> NewOutboxMail {
    let mail = new_mail(user, kind, created_at);
    store
        .enqueue_mail(mail.clone(), &[])
        .await
        .expect("queueing a mail for an existing user");
    mail
}

pub(super) async fn claim<S: ContractStore>(
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
pub(super) async fn claim_all<S: ContractStore>(store: &S, now: DateTime<Utc>) -> Vec<String> {
    ids(&claim(store, now, now + Duration::seconds(LEASE), 1000).await)
}

pub(super) async fn claim_by_id<S: ContractStore>(
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

pub(super) async fn backlog<S: ContractStore>(store: &S) -> u64 {
    store.outbox_backlog().await.expect("counting the outbox backlog")
}

pub(super) async fn oldest_queued<S: ContractStore>(store: &S) -> Option<DateTime<Utc>> {
    store
        .oldest_queued_mail()
        .await
        .expect("finding the oldest queued mail")
}

pub(super) async fn mark_sent<S: ContractStore>(store: &S, id: &str, now: DateTime<Utc>) {
    store.mark_mail_sent(id, now).await.expect("marking a mail sent");
}

/// A delivery of mail `id` failed at `now`: due again at `retry_at`, or given up.
pub(super) async fn mark_failed<S: ContractStore>(
    store: &S,
    id: &str,
    retry_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) {
    store
        .mark_mail_failed(id, retry_at, "550 mailbox unavailable", now)
        .await
        .expect("marking a mail failed");
}

/// The backlog is still `before` (`why` says what that shows) and nothing is
/// due to claim.
pub(super) async fn assert_nothing_queued<S: ContractStore>(store: &S, before: u64, why: &str) {
    assert_eq!(backlog(store).await, before, "{why}");
    assert!(claim_all(store, at(2)).await.is_empty(), "nothing to claim");
}

/// Mail `gone` is out of the queue for good: no claim by id takes it at any
/// of `times`, and claiming everything, however late, finds only `others`
/// (`why` says which those are).
pub(super) async fn assert_out_of_the_queue<S: ContractStore>(
    store: &S,
    gone: &str,
    times: &[DateTime<Utc>],
    others: Vec<String>,
    why: &str,
) {
    for &now in times {
        assert!(
            claim_by_id(store, gone, now, now + Duration::seconds(LEASE))
                .await
                .is_none(),
            "not claimed by id at {now}"
        );
    }
    assert_eq!(claim_all(store, at(1_000_000)).await, others, "{why}");
}

pub(super) fn ids(mails: &[OutboxMail]) -> Vec<String> {
    mails.iter().map(|m| m.id.clone()).collect()
}

pub(super) fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

/// Checks a claimed mail against what was queued and its user as stored now.
pub(super) fn assert_mail_matches(claimed: &OutboxMail, queued: &NewOutboxMail, user: &User, attempts: u32) {
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
pub(super) async fn add_invite<S: Store>(store: &S, uses: u32) -> SecretHash {
    let token_hash = secret();
    store
        .create_invite(
            NewInvite {
                token_hash: token_hash.clone(),
                name: Some("Contract test invite".into()),
                uses,
                created_at: at(0),
            },
            &[],
        )
        .await
        .expect("creating an invite with a fresh hash");
    token_hash
}

pub(super) async fn usable<S: Store>(store: &S, invite: &SecretHash) -> bool {
    store
        .invite_usable(invite)
        .await
        .expect("asking whether an invite is usable")
}

/// A plain registration of `user` paid for by `invite`.
pub(super) fn invited(user: NewUser, invite: &SecretHash) -> Registration {
    Registration {
        invite: Some(invite.clone()),
        ..registration(user)
    }
}

/// Registers an email-first account (no password, unconfirmed) and returns its id.
pub(super) async fn add_signup_user<S: Store>(store: &S) -> UserId {
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
pub(super) async fn add_pending_signup_user<S: Store>(store: &S) -> UserId {
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

pub(super) async fn used_email_link_user<S: ContractStore>(store: &S, link: &SecretHash) -> Option<UserId> {
    store
        .used_email_link_user(link)
        .await
        .expect("looking up a used email-confirmation link")
}

/// Completing a signup through `link` with consent 1 and no password,
/// opening `session` (at its `now`) under a cap of 5.
pub(super) fn completion(link: &SecretHash, session: NewSession) -> SignupCompletion {
    SignupCompletion {
        link_hash: link.clone(),
        consent: 1,
        password_hash: None,
        now: session.now,
        session,
        max_sessions_per_client: 5,
        audit: Vec::new(),
    }
}

pub(super) async fn complete<S: ContractStore>(store: &S, completion: SignupCompletion) -> Option<User> {
    store.complete_signup(completion).await.expect("completing a signup")
}

pub(super) async fn email_link_user<S: ContractStore>(
    store: &S,
    link: &SecretHash,
    now: DateTime<Utc>,
) -> Option<UserId> {
    store
        .email_link_user(link, now)
        .await
        .expect("looking up an email-confirmation link")
}

/// `completion` completes nothing: `None`, and neither `user` nor their
/// sessions changed.
pub(super) async fn assert_completes_nothing<S: ContractStore>(
    store: &S,
    user: &UserId,
    completion: SignupCompletion,
    why: &str,
) {
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
// Races with mails
// ---------------------------------------------------------------------------

/// Whether mail `id` is queued: a claim by id takes it (and holds it).
pub(super) async fn queued<S: Store>(store: &S, id: &str) -> bool {
    claim_by_id(store, id, at(100), at(100 + LEASE)).await.is_some()
}

/// Of 8 racers, each with a mail of `kind` of its own, starting `attempt`
/// with it at once: how many won, and how many mails were queued.
pub(super) async fn winners_and_mails<S, F, Fut>(
    store: &S,
    user: &UserId,
    kind: OutboxKind,
    attempt: F,
) -> (usize, usize)
where
    S: Store,
    F: Fn(S, NewOutboxMail) -> Fut,
    Fut: Future<Output = bool> + Send + 'static,
{
    let mails: Vec<NewOutboxMail> = (0..8).map(|_| new_mail(user, kind, at(5))).collect();
    let outcomes = race(store, mails, attempt).await;
    let won = outcomes.iter().filter(|(_, won)| *won).count();
    let mut queued_mails = 0;
    for (mail, _) in &outcomes {
        queued_mails += usize::from(queued(store, &mail.id).await);
    }
    (won, queued_mails)
}

/// How many of 8 racers, each starting `attempt` at once, won.
pub(super) async fn winners<S, F, Fut>(store: &S, attempt: F) -> usize
where
    S: Store,
    F: Fn(S) -> Fut,
    Fut: Future<Output = bool> + Send + 'static,
{
    let outcomes = race(store, (0..8).collect(), |store, _: i32| attempt(store)).await;
    outcomes.into_iter().filter(|(_, won)| *won).count()
}

/// An `admin.action` `action` by a key of the test's own (its name: `key`).
pub(super) fn admin_action(key: &str, action: &str) -> registrar_domain::AuditEvent {
    registrar_domain::AuditEvent::new(
        unique(),
        at(0),
        registrar_domain::AuditKind::AdminAction,
        registrar_domain::Actor::AdminKey(key.to_owned()),
    )
    .with("action", action)
}

/// The `action`s recorded by the key named `key`, oldest first.
pub(super) async fn admin_actions_of<S: Store>(store: &S, key: &str) -> Vec<String> {
    let filter = crate::AuditFilter {
        actor: Some(registrar_domain::Actor::AdminKey(key.to_owned()).as_stored()),
        ..crate::AuditFilter::default()
    };
    let mut page = store
        .audit_events(&filter, crate::AuditCursor::Before(None), 100)
        .await
        .expect("reading the trail");
    page.reverse();
    page.into_iter()
        .map(|r| r.event.data.get("action").cloned().unwrap_or_default())
        .collect()
}
