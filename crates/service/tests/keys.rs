//! ID-token signing keys on the memory store: made on first use (once, of
//! racing first uses), rotated with the old key still published until the
//! retention has passed, purged after; the private key sealed, and a
//! signature with it verified from the published n and e alone.
#![allow(clippy::pedantic, clippy::restriction)] // test code

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::Duration;
use registrar_domain::Keyring;
use registrar_service::testing::World;
use registrar_service::{Settings, SIGNING_KEY_PURPOSE};
use registrar_store::{SigningKeyRecord, SigningKeyStore};
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::sha2::Sha256;
use rsa::signature::Verifier;
use rsa::{BoxedUint, RsaPublicKey};

fn kids(keys: &[SigningKeyRecord]) -> Vec<String> {
    keys.iter().map(|k| k.kid.clone()).collect()
}

/// rsa's verifier built only from the published n and e.
fn verifies(published: &SigningKeyRecord, message: &[u8], signature: &[u8]) -> bool {
    let n = URL_SAFE_NO_PAD.decode(&published.public_n).expect("base64url n");
    let e = URL_SAFE_NO_PAD.decode(&published.public_e).expect("base64url e");
    let public = RsaPublicKey::new(
        BoxedUint::from_be_slice_vartime(&n),
        BoxedUint::from_be_slice_vartime(&e),
    )
    .expect("a public key");
    let signature = Signature::try_from(signature).expect("a signature");
    VerifyingKey::<Sha256>::new(public).verify(message, &signature).is_ok()
}

#[tokio::test]
async fn the_first_use_makes_one_key_and_its_signature_verifies_with_the_published_parts() {
    let world = World::new().await;
    assert!(
        world.app.signing_keys().await.unwrap().is_empty(),
        "no key before the first use"
    );
    let published = world.app.published_signing_keys().await.unwrap();
    assert_eq!(published.len(), 1);
    let key = &published[0];
    assert_eq!(
        (key.alg.as_str(), key.public_e.as_str(), key.retired_at),
        ("RS256", "AQAB", None)
    );
    assert!(
        key.kid
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
        "URL-safe kid"
    );

    let current = world.app.current_signing_key().await.unwrap();
    assert_eq!(current.kid, key.kid, "the same key signs");
    let signature = current.key.sign_rs256(b"header.payload").unwrap();
    assert!(verifies(key, b"header.payload", &signature));
    assert!(!verifies(key, b"header.tampered", &signature));
    assert_eq!(world.app.signing_keys().await.unwrap().len(), 1, "still one key");
}

#[tokio::test]
async fn the_private_key_is_stored_sealed_for_its_kid_under_the_server_secret() {
    let world = World::new().await;
    let current = world.app.current_signing_key().await.unwrap();
    let stored = world.store.signing_keys().await.unwrap().remove(0);
    let der = current.key.to_pkcs8_der().unwrap();
    let text = stored.private.as_str();
    assert!(text.starts_with("v1."), "sealed: {text:.12}");
    assert!(!text.contains(&URL_SAFE_NO_PAD.encode(&der)), "not the key in clear");
    let keyring = Keyring::new(Settings::random_secret_key(), vec![]);
    assert!(
        keyring.open(SIGNING_KEY_PURPOSE, &stored.kid, &stored.private).is_err(),
        "another server secret does not open it"
    );
    let opened = world
        .app
        .settings()
        .keyring()
        .open(SIGNING_KEY_PURPOSE, &stored.kid, &stored.private);
    assert_eq!(opened.unwrap(), der, "the server secret opens it");
    assert!(
        world
            .app
            .settings()
            .keyring()
            .open(SIGNING_KEY_PURPOSE, "another kid", &stored.private)
            .is_err(),
        "bound to its kid"
    );
}

#[tokio::test]
async fn racing_first_uses_make_one_key() {
    let world = World::new().await;
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let app = world.app.clone();
        tasks.push(tokio::spawn(
            async move { app.current_signing_key().await.unwrap().kid },
        ));
    }
    let mut seen = Vec::new();
    for task in tasks {
        seen.push(task.await.unwrap());
    }
    seen.dedup();
    assert_eq!(seen.len(), 1, "every first use signs with one key");
    assert_eq!(kids(&world.app.signing_keys().await.unwrap()), seen);
}

#[tokio::test]
async fn a_rotated_out_key_stays_published_for_twice_the_access_token_life_and_is_purged_after() {
    let world = World::new().await;
    let first = world.app.published_signing_keys().await.unwrap().remove(0);
    world.clock.advance(Duration::seconds(10));
    let second = world.app.rotate_signing_key().await.unwrap();
    assert_eq!(
        world.app.current_signing_key().await.unwrap().kid,
        second.kid,
        "the new key signs"
    );
    assert_eq!(
        kids(&world.app.published_signing_keys().await.unwrap()),
        vec![second.kid.clone(), first.kid.clone()]
    );
    let listed = world.app.signing_keys().await.unwrap();
    assert_eq!(
        listed[1].retired_at,
        Some(second.created_at),
        "retired when the new key became current"
    );

    let retention = world.app.signing_key_retention();
    assert_eq!(retention, world.app.settings().access_token_ttl * 2);
    world.clock.advance(retention - Duration::seconds(1));
    assert_eq!(
        world.app.published_signing_keys().await.unwrap().len(),
        2,
        "still within the retention"
    );
    assert_eq!(world.app.purge_signing_keys().await.unwrap(), 0);
    world.clock.advance(Duration::seconds(2));
    assert_eq!(
        kids(&world.app.published_signing_keys().await.unwrap()),
        vec![second.kid.clone()]
    );
    assert_eq!(world.app.signing_keys().await.unwrap().len(), 2, "listed until purged");
    assert_eq!(world.app.purge_signing_keys().await.unwrap(), 1);
    assert_eq!(kids(&world.app.signing_keys().await.unwrap()), vec![second.kid]);
}
