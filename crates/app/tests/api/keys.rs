//! The ID-token signing keys as a real server serves them: `GET
//! /oauth/jwks` holds the current key (made on first use), a signature made
//! with the service's current private key verifies with rsa's own verifier
//! built only from the served n and e, a rotation serves both keys, a
//! second instance on the same database serves the same ones, and the
//! private key is sealed in the database.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use registrar_domain::{Keyring, Sealed, SecretKey};
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::sha2::Sha256;
use rsa::signature::Verifier;
use rsa::{BoxedUint, RsaPublicKey};
use serde_json::Value;

use crate::at_rest::rows;
use crate::helpers::*;

/// The served JWKS, after checking its caching header.
async fn jwks(app: &TestApp) -> Vec<Value> {
    let response = app
        .http
        .get(format!("{}/oauth/jwks", app.address))
        .send()
        .await
        .expect("GET /oauth/jwks");
    assert_eq!(response.status(), 200);
    let cache = response.headers()["cache-control"]
        .to_str()
        .expect("a header")
        .to_owned();
    assert_eq!(cache, "public, max-age=300");
    let body: Value = response.json().await.expect("a JWK Set");
    body["keys"].as_array().expect("keys").clone()
}

fn kids(keys: &[Value]) -> Vec<&str> {
    keys.iter().map(|k| k["kid"].as_str().expect("a kid")).collect()
}

/// Whether `signature` of `message` verifies under the served key (its n
/// and e only).
fn verifies(jwk: &Value, message: &[u8], signature: &[u8]) -> bool {
    let part = |name: &str| {
        let text = jwk[name].as_str().expect("a member");
        assert!(!text.contains('='), "base64url without padding");
        BoxedUint::from_be_slice_vartime(&URL_SAFE_NO_PAD.decode(text).expect("base64url"))
    };
    let public = RsaPublicKey::new(part("n"), part("e")).expect("an RSA public key");
    let signature = Signature::try_from(signature).expect("a signature");
    VerifyingKey::<Sha256>::new(public).verify(message, &signature).is_ok()
}

async fn the_jwks_serves_the_current_key_and_after_a_rotation_both(backend: Backend) {
    let app = spawn_app(backend).await;
    let served = jwks(&app).await;
    assert_eq!(served.len(), 1, "the first request made one key: {served:?}");
    let jwk = &served[0];
    assert_eq!(
        (&jwk["kty"], &jwk["use"], &jwk["alg"], &jwk["e"]),
        (&"RSA".into(), &"sig".into(), &"RS256".into(), &"AQAB".into())
    );
    assert_eq!(
        URL_SAFE_NO_PAD.decode(jwk["n"].as_str().expect("n")).expect("n").len(),
        256,
        "RSA 2048"
    );

    let current = app.service.current_signing_key().await.expect("the current key");
    assert_eq!(current.kid, jwk["kid"], "the served key is the one that signs");
    let signature = current.key.sign_rs256(b"header.claims").expect("a signature");
    assert!(verifies(jwk, b"header.claims", &signature));
    assert!(!verifies(jwk, b"header.forged", &signature));

    let rotated = app.service.rotate_signing_key().await.expect("a rotation");
    let served = jwks(&app).await;
    assert_eq!(
        kids(&served),
        vec![rotated.kid.as_str(), current.kid.as_str()],
        "the new key first, the old kept"
    );
    assert!(
        verifies(&served[1], b"header.claims", &signature),
        "what the old key signed still verifies"
    );
    let newer = app.service.current_signing_key().await.expect("the new key");
    assert_eq!(newer.kid, rotated.kid);
    let signature = newer.key.sign_rs256(b"header.claims").expect("a signature");
    assert!(verifies(&served[0], b"header.claims", &signature));

    let other = app.another_instance(|_| {}).await;
    assert_eq!(jwks(&other).await, served, "every instance serves the same keys");
}

async fn signing_keys_are_sealed_in_the_database(backend: Backend) {
    let app = spawn_app(backend).await;
    let current = app.service.current_signing_key().await.expect("the current key");
    let der = current.key.to_pkcs8_der().expect("PKCS#8");
    let url = app.database_url.clone();
    let stored = tokio::task::spawn_blocking(move || rows(&url, "SELECT kid AS a, private_key AS b FROM signing_keys"))
        .await
        .expect("read signing_keys");
    assert_eq!(stored.len(), 1);
    let (kid, private) = stored.into_iter().next().expect("one row");
    assert_eq!(kid, current.kid);
    assert!(private.starts_with("v1."), "sealed");
    for clear in [
        URL_SAFE_NO_PAD.encode(&der),
        base64::engine::general_purpose::STANDARD.encode(&der),
        hex::encode(&der),
    ] {
        assert!(!private.contains(&clear[..64]), "no part of the key in clear");
    }
    let secret = std::fs::read_to_string(&app.secret_file).expect("the generated secret");
    let keyring = Keyring::new(SecretKey::new(secret.trim().as_bytes()).expect("a secret"), vec![]);
    let sealed = Sealed::from_stored(private);
    assert_eq!(
        keyring
            .open("signing key", &kid, &sealed)
            .expect("opens with the server secret"),
        der
    );
    assert!(keyring.open("totp", &kid, &sealed).is_err(), "bound to its purpose");
}

on_both_backends!(
    the_jwks_serves_the_current_key_and_after_a_rotation_both,
    signing_keys_are_sealed_in_the_database,
);
