//! Imported password hashes sign in through the real server, and the first
//! sign-in replaces each by argon2id under the configured parameters (so
//! does raising `password.argon2_*`); the next sign-in verifies the new hash.

use chrono::Utc;
use registrar_domain::{Email, Language, Password, PasswordHash, PasswordPolicy, Profile, RevisionId, Role, UserId};
use registrar_service::{Argon2Params, PasswordHasher};
use registrar_store::{ImportedUser, NewUser, UserStore};
use reqwest::StatusCode;
use serde_json::json;

use crate::authorize::{assert_code, authorize_uri, photo_app, Browser};
use crate::helpers::*;

/// Hashes other systems wrote, each from its format's own documentation or
/// reference implementation (see the service's `hashing` tests), with the
/// password each is of.
const LEGACY: [(&str, &str, &str); 7] = [
    (
        "bcrypt $2y$ (PHP's manual)",
        "$2y$07$BCryptRequires22Chrcte/VlQH0piJtjXl.0t1XkA8pw9dMXTpOq",
        "rasmuslerdorf",
    ),
    (
        "bcrypt $2a$ (Openwall)",
        "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
        "U*U",
    ),
    (
        "bcrypt $2b$",
        "$2b$04$abcdefghijklmnopqrstuuYYiAaL/2C3TU6ycJeUE.ShiBYaq7l8S",
        "SweetKittens23#",
    ),
    (
        "Django pbkdf2_sha256",
        "pbkdf2_sha256$10000$seasalt$CWWFdHOWwPnki7HvkcqN9iA2T3KLW1cf2uZ5kvArtVY=",
        "lètmein",
    ),
    (
        "PBKDF2-SHA256 PHC",
        "$pbkdf2-sha256$i=4096,l=40$c2FsdFNBTFRzYWx0U0FMVHNhbHRTQUxUc2FsdFNBTFRzYWx0$NIyJ28vTKy8y2BS4EW6EzysXNH68GAAYHE4qH7jdU+HGNVGMfaxH6Q",
        "passwordPASSWORDpassword",
    ),
    (
        "scrypt PHC (passlib)",
        "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E",
        "password",
    ),
    (
        "argon2i (reference vector)",
        "$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$wWKIMhR9lyDFvRz9YTZweHKfbftvj+qf+YFY4NeBbtA",
        "password",
    ),
];

/// A confirmed account with `hash` that accepted the app's policies, put
/// in the store as an import puts it.
async fn imported_with(app: &TestApp, hash: &str) -> Email {
    let email = Email::parse(&unique_email()).expect("email");
    let now = Utc::now();
    let user = NewUser {
        id: UserId(uuid::Uuid::new_v4().to_string()),
        email: email.clone(),
        password_hash: Some(PasswordHash(hash.to_owned())),
        profile: Profile::person(),
        role: Role::guest(),
        language: Language::EN,
        email_confirmed_at: Some(now),
        consent: None,
        created_at: now,
    };
    let mut imported = ImportedUser::bare(user);
    imported.accepted_policies = app.policies.iter().map(|id| RevisionId(*id)).collect();
    app.service
        .store()
        .import_users(vec![imported])
        .await
        .expect("imported");
    email
}

async fn stored_hash(app: &TestApp, email: &Email) -> String {
    let user = app.service.store().user_by_email(email).await.expect("lookup");
    user.and_then(|u| u.password_hash).expect("a password hash").0
}

/// How a hash under the app's configured argon2id parameters starts.
fn configured(app: &TestApp) -> String {
    let p = app.service.settings().argon2;
    format!(
        "$argon2id$v=19$m={},t={},p={}$",
        p.memory_kib, p.iterations, p.parallelism
    )
}

/// The core family's password grant.
async fn token_grant(app: &TestApp, email: &Email, password: &str) -> StatusCode {
    app.login(email.as_str(), password, "laptop").await.status()
}

/// The users family's login.
async fn users_login(app: &TestApp, email: &Email, password: &str) -> StatusCode {
    let body = json!({"username": email.as_str(), "password": password});
    app.post_json("/api/users/login", &body).await.status()
}

async fn each_imported_scheme_signs_in_and_is_then_argon2id_with_the_configured_parameters(backend: Backend) {
    let app = spawn_app(backend).await;
    for (scheme, hash, password) in LEGACY {
        let email = imported_with(&app, hash).await;
        assert_eq!(token_grant(&app, &email, password).await, StatusCode::OK, "{scheme}");
        let upgraded = stored_hash(&app, &email).await;
        assert!(upgraded.starts_with(&configured(&app)), "{scheme}: {upgraded}");
        assert_eq!(
            token_grant(&app, &email, password).await,
            StatusCode::OK,
            "{scheme}: the upgraded hash signs in"
        );
        assert_eq!(users_login(&app, &email, password).await, StatusCode::OK, "{scheme}");
        assert_eq!(stored_hash(&app, &email).await, upgraded, "{scheme}: upgraded once");
    }
    let email = imported_with(&app, LEGACY[0].1).await;
    assert_eq!(
        token_grant(&app, &email, "rasmuslerdorF").await,
        StatusCode::BAD_REQUEST,
        "a wrong password"
    );
    assert_eq!(
        stored_hash(&app, &email).await,
        LEGACY[0].1,
        "a failed sign-in changes nothing"
    );
}

async fn an_argon2id_hash_under_lower_costs_is_upgraded_at_sign_in_on_the_users_login(backend: Backend) {
    let app = spawn_app(backend).await;
    let weaker = PasswordHasher::new(Argon2Params {
        memory_kib: 256,
        iterations: 1,
        parallelism: 1,
    });
    let password = Password::presented("SweetKittens23#", &PasswordPolicy::default()).expect("a password");
    let hash = weaker.hash(&password).await.expect("hash");
    assert!(hash.0.starts_with("$argon2id$v=19$m=256,t=1,p=1$"), "{}", hash.0);
    let email = imported_with(&app, &hash.0).await;
    assert_eq!(users_login(&app, &email, "SweetKittens23#").await, StatusCode::OK);
    let upgraded = stored_hash(&app, &email).await;
    assert!(upgraded.starts_with(&configured(&app)), "{upgraded}");
    assert_eq!(token_grant(&app, &email, "SweetKittens23#").await, StatusCode::OK);
}

async fn raising_the_argon2_parameters_upgrades_a_user_at_the_next_sign_in(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    app.register(&email).await;
    let email = Email::parse(&email).expect("email");
    let before = stored_hash(&app, &email).await;
    assert!(before.starts_with(&configured(&app)), "{before}");
    let raised = app
        .another_instance(|c| {
            c.password.argon2_memory_kib = 2048;
            c.password.argon2_iterations = 2;
        })
        .await;
    assert_eq!(
        token_grant(&app, &email, PASSWORD).await,
        StatusCode::OK,
        "the old configuration keeps the hash"
    );
    assert_eq!(stored_hash(&app, &email).await, before);
    assert_eq!(token_grant(&raised, &email, PASSWORD).await, StatusCode::OK);
    let after = stored_hash(&app, &email).await;
    assert!(after.starts_with("$argon2id$v=19$m=2048,t=2,p=1$"), "{after}");
    assert_eq!(
        token_grant(&app, &email, PASSWORD).await,
        StatusCode::OK,
        "a stronger hash signs in under the old configuration and is kept"
    );
    assert_eq!(stored_hash(&app, &email).await, after);
}

async fn the_sign_in_page_upgrades_an_imported_hash(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = photo_app(&app, true).await;
    let (scheme, hash, password) = LEGACY[3];
    let email = imported_with(&app, hash).await;
    let mut browser = Browser::new(&app);
    let form = browser.get(&authorize_uri(&client, &[])).await;
    let wrong = browser.password(&form, email.as_str(), "lètmeiN").await;
    wrong.assert_page(StatusCode::BAD_REQUEST, "The email address or the password is wrong.");
    assert_eq!(
        stored_hash(&app, &email).await,
        hash,
        "a failed sign-in changes nothing"
    );

    let signed_in = browser.password(&form, email.as_str(), password).await;
    assert_code(&signed_in, &app);
    let upgraded = stored_hash(&app, &email).await;
    assert!(upgraded.starts_with(&configured(&app)), "{scheme}: {upgraded}");
    // The new hash signs in, on the page and elsewhere, and stays.
    let mut again = Browser::new(&app);
    let form = again.get(&authorize_uri(&client, &[])).await;
    assert_code(&again.password(&form, email.as_str(), password).await, &app);
    assert_eq!(token_grant(&app, &email, password).await, StatusCode::OK);
    assert_eq!(stored_hash(&app, &email).await, upgraded);
}

on_both_backends!(
    each_imported_scheme_signs_in_and_is_then_argon2id_with_the_configured_parameters,
    the_sign_in_page_upgrades_an_imported_hash,
    an_argon2id_hash_under_lower_costs_is_upgraded_at_sign_in_on_the_users_login,
    raising_the_argon2_parameters_upgrades_a_user_at_the_next_sign_in,
);
