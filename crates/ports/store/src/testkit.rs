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
//! - sessions are opened on clients the test adds itself.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use registrar_domain::{
    Client, ClientId, ConfirmationPurpose, DeviceId, DeviceName, Email, Language, Organisation, PasswordHash,
    PolicyText, PolicyType, Profile, RevisionId, Role, SecretHash, Session, SessionId, Telephone, User, UserId,
    UserType,
};
use tokio::sync::Barrier;
use uuid::Uuid;

use crate::{
    NewConfirmation, NewPolicyRevision, NewSession, NewUser, Registration, Rotation, RotationOutcome, Store, StoreError,
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
        created_at: at(0),
    }
}

fn registration(user: NewUser) -> Registration {
    Registration {
        user,
        accepted_policies: Vec::new(),
        session: None,
        confirmation: None,
        max_sessions_per_client: 5,
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
    let confirmation = NewConfirmation {
        user_id: user.id.clone(),
        purpose: ConfirmationPurpose::Email,
        code_hash: Some(secret()),
        link_hash: secret(),
        expires_at: at(10 + 86_400),
        created_at: at(10),
    };
    store
        .register(Registration {
            user: user.clone(),
            accepted_policies: vec![tac, privacy],
            session: Some(session.clone()),
            confirmation: Some(confirmation),
            max_sessions_per_client: 5,
        })
        .await
        .expect("registering with a session, policies and a confirmation");

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
    let confirmation = NewConfirmation {
        user_id: second.id.clone(),
        purpose: ConfirmationPurpose::Email,
        code_hash: Some(secret()),
        link_hash: secret(),
        expires_at: at(3600),
        created_at: at(2),
    };
    let result = store
        .register(Registration {
            user: second.clone(),
            accepted_policies: vec![tac],
            session: Some(second_session.clone()),
            confirmation: Some(confirmation),
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
        .set_password(&user, &hash, Some(keep.clone()))
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
        .set_password(&user, &hash, None)
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
        .set_password(&ghost, &PasswordHash("$argon2id$x".into()), Some(keep.clone()))
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
            confirmation: Some(NewConfirmation {
                user_id: new.id.clone(),
                purpose: ConfirmationPurpose::Email,
                code_hash: Some(secret()),
                link_hash: secret(),
                expires_at: at(3600),
                created_at: at(1),
            }),
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
    store.touch_session(&first.id, at(4)).await.expect("touching");
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

pub async fn sessions_are_listed_oldest_first<S: Store>(store: S) {
    let web = add_client(&store, at(0)).await;
    let app = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    let first = open(&store, &user, &app, "d1", at(10), 5).await;
    let second = open(&store, &user, &web, "d2", at(20), 5).await;
    let third = open(&store, &user, &app, "d3", at(30), 5).await;
    // Use changes recency, not age.
    store.touch_session(&first.id, at(40)).await.expect("touching");

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

pub async fn touching_a_session_records_its_last_use<S: Store>(store: S) {
    let client = add_client(&store, at(0)).await;
    let user = add_user(&store).await;
    let session = open(&store, &user, &client, "phone", at(1), 5).await;
    store.touch_session(&session.id, at(500)).await.expect("touching");

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
            // SessionStore
            opened_session_is_listed_and_found_by_access_hash_with_its_user,
            session_by_access_ignores_unknown_hashes,
            access_token_expires_at_its_expiry_instant,
            opening_a_session_for_the_same_device_and_client_replaces_the_previous_one,
            the_same_device_on_another_client_is_a_separate_session,
            opening_past_the_cap_evicts_the_least_recently_used_session_of_that_client,
            touching_a_session_saves_it_from_eviction,
            the_session_cap_ignores_other_clients_and_other_users,
            concurrent_opens_on_many_devices_never_exceed_the_cap,
            sessions_are_listed_oldest_first,
            revoking_a_session_stops_its_tokens_and_reports_whether_it_existed,
            revoking_a_device_revokes_its_sessions_on_every_client_and_counts_them,
            touching_a_session_records_its_last_use,
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
            accepting_an_unknown_revision_fails_and_records_nothing,
            // ClientStore
            added_clients_are_found_and_listed_by_creation_time,
            adding_a_client_with_a_taken_id_is_a_duplicate,
            removing_a_client_revokes_its_sessions_and_reports_whether_it_existed,
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
