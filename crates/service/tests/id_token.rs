//! ID tokens on the memory store, verified by another library
//! (`jsonwebtoken`) with only the published n and e of the JWKS: header,
//! registered claims, the scoped claims, the nonce and `amr`; a token signed
//! before a rotation still verifies with the old key; the signing-key purge
//! runs with the outbox worker.
#![allow(clippy::pedantic, clippy::restriction)] // test code

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::Duration;
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use registrar_domain::{ClientId, Scopes, SignInMethod, User};
use registrar_service::testing::{self, Raw};
use registrar_service::Settings;
use registrar_store::{SigningKeyRecord, SigningKeyStore};
use serde_json::{json, Value};

// Not every shared helper is used here.
#[allow(dead_code)]
mod support;
use support::{ip, registration, World};

async fn world() -> World {
    World(
        testing::World::with(registrar_memory::MemoryMailer::new(), |s: &mut Settings| {
            s.public_url = "https://id.example.com".into();
        })
        .await,
    )
}

fn now(w: &World) -> chrono::DateTime<chrono::Utc> {
    use registrar_service::Clock as _;
    w.clock.now()
}

async fn ann(w: &World) -> User {
    let pair = w
        .app
        .register_raw(registration(&w.client, &w.policies, "ann@example.com", "Ann"), ip())
        .await
        .unwrap();
    w.app.authenticate(pair.access_token.expose()).await.unwrap().user
}

/// The payload of `token` if it verifies with `key`'s published n and e,
/// for `audience` and our issuer.
fn verified(token: &str, key: &SigningKeyRecord, audience: &str) -> Result<Value, jsonwebtoken::errors::Error> {
    let decoding = DecodingKey::from_rsa_components(&key.public_n, &key.public_e)?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[audience]);
    validation.set_issuer(&["https://id.example.com"]);
    validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
    // The world's clock is not the system's: `exp` is asserted by value.
    validation.validate_exp = false;
    Ok(decode::<Value>(token, &decoding, &validation)?.claims)
}

#[tokio::test]
async fn an_id_token_verifies_with_the_published_key_and_carries_the_claims_of_its_scope() {
    let w = world().await;
    let user = ann(&w).await;
    let client = ClientId::parse(&w.client).unwrap();
    let auth_time = now(&w) - Duration::minutes(2);
    let scope = Scopes::parse("openid email profile").unwrap();
    let token = w
        .app
        .id_token(
            &user,
            &client,
            &scope,
            Some("n-0S6_WzA2Mj"),
            auth_time,
            SignInMethod::PasswordTotp,
        )
        .await
        .unwrap();

    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "a compact JWS");
    assert!(!token.contains('='), "base64url without padding");
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    let published = w.app.published_signing_keys().await.unwrap();
    assert_eq!(header, json!({"alg": "RS256", "typ": "JWT", "kid": published[0].kid}));
    assert_eq!(
        decode_header(&token).unwrap().kid.as_deref(),
        Some(published[0].kid.as_str())
    );

    let now = now(&w).timestamp();
    let claims = verified(&token, &published[0], &w.client).expect("verifies with n and e");
    assert_eq!(
        claims,
        json!({
            "iss": "https://id.example.com",
            "sub": user.id.0,
            "aud": w.client,
            "exp": now + 3600,
            "iat": now,
            "auth_time": auth_time.timestamp(),
            "nonce": "n-0S6_WzA2Mj",
            "amr": ["pwd", "otp", "mfa"],
            "email": "ann@example.com",
            "email_verified": false,
            "name": "Ann Smith",
            "given_name": "Ann",
            "family_name": "Smith",
            "locale": "en",
        })
    );
    assert!(
        verified(&token, &published[0], "another-client").is_err(),
        "bound to its audience"
    );

    // Tampered with: refused.
    let forged_claims = URL_SAFE_NO_PAD.encode(
        serde_json::to_vec(
            &json!({"iss": "https://id.example.com", "sub": "someone-else", "aud": w.client,
            "exp": now + 3600, "iat": now}),
        )
        .unwrap(),
    );
    let forged = format!("{}.{forged_claims}.{}", parts[0], parts[2]);
    assert!(verified(&forged, &published[0], &w.client).is_err());
}

#[tokio::test]
async fn no_nonce_no_amr_and_only_sub_without_scoped_claims() {
    let w = world().await;
    let user = ann(&w).await;
    let client = ClientId::parse(&w.client).unwrap();
    let token = w
        .app
        .id_token(
            &user,
            &client,
            &Scopes::parse("openid phone").unwrap(),
            None,
            now(&w),
            SignInMethod::Import,
        )
        .await
        .unwrap();
    let key = &w.app.published_signing_keys().await.unwrap()[0];
    let claims = verified(&token, key, &w.client).unwrap();
    let mut names: Vec<&str> = claims.as_object().unwrap().keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(names, ["aud", "auth_time", "exp", "iat", "iss", "phone_number", "sub"]);
    assert_eq!(claims["phone_number"], "+32475000000");
}

#[tokio::test]
async fn a_token_signed_before_a_rotation_verifies_with_the_old_key_still_published() {
    let w = world().await;
    let user = ann(&w).await;
    let client = ClientId::parse(&w.client).unwrap();
    let scope = Scopes::full();
    let before = w
        .app
        .id_token(&user, &client, &scope, None, now(&w), SignInMethod::Password)
        .await
        .unwrap();
    let old = w.app.published_signing_keys().await.unwrap()[0].clone();
    let new = w.app.rotate_signing_key().await.unwrap();
    w.clock.advance(Duration::minutes(30));
    let after = w
        .app
        .id_token(&user, &client, &scope, None, now(&w), SignInMethod::Password)
        .await
        .unwrap();

    let published = w.app.published_signing_keys().await.unwrap();
    let by_kid = |token: &str| {
        let kid = decode_header(token).unwrap().kid.unwrap();
        published
            .iter()
            .find(|k| k.kid == kid)
            .cloned()
            .expect("its key is published")
    };
    assert_eq!(by_kid(&before).kid, old.kid);
    assert_eq!(by_kid(&after).kid, new.kid);
    assert!(verified(&before, &by_kid(&before), &w.client).is_ok());
    assert!(verified(&after, &by_kid(&after), &w.client).is_ok());
    assert!(verified(&before, &new, &w.client).is_err(), "not with the new key");
}

#[tokio::test]
async fn the_outbox_worker_purges_signing_keys_retired_past_their_retention() {
    let w = world().await;
    let old = w.app.current_signing_key().await.unwrap();
    w.app.rotate_signing_key().await.unwrap();
    w.clock.advance(w.app.signing_key_retention() + Duration::minutes(1));
    assert_eq!(w.store.signing_keys().await.unwrap().len(), 2, "stored until purged");

    let worker = {
        let app = w.app.clone();
        tokio::spawn(async move { app.run_outbox_worker().await })
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let kids: Vec<String> = w
            .store
            .signing_keys()
            .await
            .unwrap()
            .into_iter()
            .map(|k| k.kid)
            .collect();
        if kids.len() == 1 {
            assert!(!kids.contains(&old.kid), "the retired key went, the current one stays");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the worker never purged the retired key"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    worker.abort();
}
