//! What someone who reads the database learns: codes, links and throttle
//! keys are hashed with HMAC-SHA-256 under the server secret, so neither a
//! six-digit code nor a client's address can be found by trying them all;
//! a confidential client's secret is kept the same way.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use registrar_domain::{Keyring, Sealed, SecretKey};
use sha2::{Digest, Sha256};

use crate::factors::{assert_refused, mfa_grant, mfa_token_of, turn_on_totp};
use crate::helpers::*;

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    a: String,
    #[diesel(sql_type = Text)]
    b: String,
}

pub(crate) fn rows(database_url: &str, sql: &str) -> Vec<(String, String)> {
    let read = |rows: Vec<Row>| rows.into_iter().map(|r| (r.a, r.b)).collect();
    if let Some(path) = database_url.strip_prefix("sqlite://") {
        let mut c = SqliteConnection::establish(path).expect("open the SQLite database");
        c.batch_execute("PRAGMA busy_timeout = 5000").expect("busy timeout");
        read(diesel::sql_query(sql).load(&mut c).expect("query"))
    } else {
        let mut c = PgConnection::establish(database_url).expect("open the Postgres database");
        read(diesel::sql_query(sql).load(&mut c).expect("query"))
    }
}

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

async fn codes_links_and_throttle_keys_cannot_be_reversed_from_the_database(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let (_, mail) = app.register_and_read_mail(&email).await;
    let code = six_digit_code(&mail).expect("a code in the mail");
    let token = token_of_link(&link_in(&mail, "/confirm/").expect("a link in the mail"));
    // A failed login leaves counters for the account and for 127.0.0.1.
    let refused = app.login(&email, "Wrong-Password-99", "d1").await;
    assert_eq!(refused.status(), 400);

    let url = app.database_url.clone();
    let (user_id, code_hash, link_hash) = tokio::task::spawn_blocking(move || {
        let confirmation = rows(
            &url,
            "SELECT user_id AS a, code_hash || ' ' || link_hash AS b FROM confirmations WHERE code_hash IS NOT NULL",
        );
        assert_eq!(confirmation.len(), 1, "one live email confirmation");
        let (user, hashes) = confirmation.into_iter().next().expect("one row");
        let (code_hash, link_hash) = hashes.split_once(' ').expect("two hashes");
        (user, code_hash.to_owned(), link_hash.to_owned())
    })
    .await
    .expect("read confirmations");

    // The attack of the issue: a million plain digests, and none matches.
    let found = (0..1_000_000u32).any(|n| sha256_hex(&format!("{user_id}:{n:06}")) == code_hash);
    assert!(
        !found,
        "a six-digit code must not be found by trying every plain SHA-256"
    );
    assert_ne!(
        sha256_hex(&token),
        link_hash,
        "the link token is not hashed with bare SHA-256"
    );

    // With the server secret (the generated file), the stored hashes are the keyed ones.
    let secret = std::fs::read_to_string(&app.secret_file).expect("the generated secret");
    let key = SecretKey::new(secret.trim().as_bytes()).expect("a valid secret");
    assert_eq!(
        key.digest("code", &format!("{user_id}:{code}")),
        code_hash,
        "the code is stored as HMAC-SHA-256 under the server secret"
    );
    assert_eq!(key.link_hash(&token).as_str(), link_hash);

    let url = app.database_url.clone();
    let keys: Vec<String> = tokio::task::spawn_blocking(move || {
        rows(&url, "SELECT key AS a, key AS b FROM throttle_counters")
            .into_iter()
            .map(|(k, _)| k)
            .collect()
    })
    .await
    .expect("read counters");
    let ip_key = |plain: bool| {
        let digest = if plain {
            sha256_hex("login-ip\n127.0.0.1")[..32].to_owned()
        } else {
            key.digest("throttle:login-ip", "127.0.0.1")[..32].to_owned()
        };
        format!("login-ip:{digest}")
    };
    assert!(keys.contains(&ip_key(false)), "the client's counter is keyed: {keys:?}");
    assert!(
        !keys.contains(&ip_key(true)),
        "no counter under a plain digest of the address"
    );
    assert!(keys
        .iter()
        .all(|k| !k.contains("127.0.0.1") && !k.contains("example.com")));
}

/// A deployment that loses its secret (a new one on the same database)
/// keeps its sessions; only the codes and links mailed before are dead.
async fn a_lost_secret_invalidates_only_live_codes_and_links(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let (pair, mail) = app.register_and_read_mail(&email).await;
    let code = six_digit_code(&mail).expect("a code in the mail");
    let link = link_in(&mail, "/confirm/").expect("a link in the mail");

    let renewed = app
        .another_instance(|c| c.security.secret_key = Some("f".repeat(64).into()))
        .await;
    let me = renewed.me(access_token(&pair)).await;
    assert_eq!(me.status(), 200, "sessions survive a new secret");
    let page = send(renewed.get(&link.replace("http://127.0.0.1:8080", ""))).await;
    assert_eq!(page.status(), 404, "a link mailed under the old secret is dead");
    let (status, _) = parts(
        renewed
            .post_json(
                "/api/users/validation",
                &serde_json::json!({"email": email, "token": code}),
            )
            .await,
    )
    .await;
    assert_eq!(status, 401, "a code mailed under the old secret is dead");
}

/// The server secret of `app` (its generated file).
fn server_secret(app: &TestApp) -> String {
    std::fs::read_to_string(&app.secret_file)
        .expect("the generated secret")
        .trim()
        .to_owned()
}

async fn totp_secrets_are_sealed_and_recovery_codes_keyed_hashes(backend: Backend) {
    let app = spawn_app(backend).await;
    let pair = app.register(&unique_email()).await;
    let (authenticator, codes) = turn_on_totp(&app, &pair).await;

    let url = app.database_url.clone();
    let (factors, stored_codes) = tokio::task::spawn_blocking(move || {
        (
            rows(&url, "SELECT user_id AS a, secret_sealed AS b FROM totp_factors"),
            rows(&url, "SELECT user_id AS a, code_hash AS b FROM recovery_codes"),
        )
    })
    .await
    .expect("read factors");
    assert_eq!(factors.len(), 1, "one factor");
    let (user_id, sealed) = factors.into_iter().next().expect("one row");
    assert!(sealed.starts_with("v1."), "a versioned sealed value: {sealed}");
    let key_hex = hex::encode(&authenticator.key);
    assert!(!sealed.contains(&key_hex), "the secret is not stored in hex");
    assert!(!sealed.to_uppercase().contains(&key_hex.to_uppercase()[..16]));

    let key = SecretKey::new(server_secret(&app).as_bytes()).expect("a valid secret");
    let opened = Keyring::new(key.clone(), vec![]).open("totp", &user_id, &Sealed::from_stored(sealed.clone()));
    assert_eq!(
        opened.as_deref(),
        Ok(authenticator.key.as_slice()),
        "sealed under the server secret, for its user"
    );
    let other = SecretKey::new(&[7; 32]).expect("a key");
    assert!(Keyring::new(other, vec![])
        .open("totp", &user_id, &Sealed::from_stored(sealed))
        .is_err());

    assert_eq!(stored_codes.len(), 10);
    for code in &codes {
        let plain = code.replace('-', "");
        let keyed = key.digest("recovery code", &plain);
        assert!(
            stored_codes.iter().any(|(_, hash)| *hash == keyed),
            "{code} is stored as its keyed hash"
        );
        assert!(stored_codes
            .iter()
            .all(|(_, hash)| *hash != sha256_hex(&plain) && *hash != sha256_hex(code)));
        assert!(stored_codes.iter().all(|(_, hash)| !hash.contains(&plain)));
    }
}

/// A confidential client's secret is stored as its keyed hash: neither in
/// clear nor as its plain SHA-256; a public client has none.
async fn client_secrets_are_keyed_hashes(backend: Backend) {
    let app = spawn_app(backend).await;
    let (id, secret) = crate::oauth::confidential_client(&app).await;

    let url = app.database_url.clone();
    let stored = tokio::task::spawn_blocking(move || {
        rows(
            &url,
            "SELECT id AS a, COALESCE(secret_hash, '') AS b FROM clients ORDER BY created_at, id",
        )
    })
    .await
    .expect("read clients");
    let key = SecretKey::new(server_secret(&app).as_bytes()).expect("a valid secret");
    let keyed = key.client_secret_hash(&secret);
    for (client, hash) in &stored {
        if *client == id {
            assert_eq!(hash, keyed.as_str(), "the keyed hash under the server secret");
        } else {
            assert_eq!(hash, "", "{client} is public: no secret");
        }
        assert!(!hash.contains(&secret) && *hash != sha256_hex(&secret));
    }
    assert!(stored.iter().any(|(client, _)| *client == id));
}

/// A new server secret: TOTP secrets sealed under the old one open only
/// while it is listed in `security.previous_secret_keys`.
async fn after_a_rotation_the_previous_secret_still_opens_totp_secrets(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let pair = app.register(&email).await;
    let (authenticator, _) = turn_on_totp(&app, &pair).await;
    let (old, new) = (server_secret(&app), "e".repeat(64));

    let forgotten = app
        .another_instance(|c| c.security.secret_key = Some(new.clone().into()))
        .await;
    let mfa_token = mfa_token_of(forgotten.login(&email, PASSWORD, "laptop").await).await;
    let code = authenticator.code(1);
    assert_refused(&forgotten, &mfa_token, ("code", &code), "the old secret is gone").await;

    let rotated = app
        .another_instance(|c| {
            c.security.secret_key = Some(new.into());
            c.security.previous_secret_keys = vec![old.into()];
        })
        .await;
    let mfa_token = mfa_token_of(rotated.login(&email, PASSWORD, "laptop").await).await;
    let (status, body) = mfa_grant(&rotated, &mfa_token, ("code", &authenticator.code(1))).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
}

on_both_backends!(
    codes_links_and_throttle_keys_cannot_be_reversed_from_the_database,
    a_lost_secret_invalidates_only_live_codes_and_links,
    totp_secrets_are_sealed_and_recovery_codes_keyed_hashes,
    after_a_rotation_the_previous_secret_still_opens_totp_secrets,
    client_secrets_are_keyed_hashes,
);
