//! OpenID Connect and the resource servers' checks against the real server:
//! both discovery documents with every field, read by a stock relying party
//! (`openidconnect`) with our JWKS; ID tokens verified by another JWT
//! library (`jsonwebtoken`) with the served JWKS, also after
//! `registrar keys rotate`; `/userinfo`; introspection and revocation of the
//! tokens of every family; and a second instance on the same database.

use std::process::Command;

use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use openidconnect::core::{CoreIdToken, CoreIdTokenVerifier, CoreJsonWebKeySet, CoreProviderMetadata};
use openidconnect::{ClientId, IssuerUrl, JsonWebKey as _, JsonWebKeyId, Nonce};
use registrar_domain::{Scopes, SignInMethod, User};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::oauth::confidential_client;

const DISCOVERY: [&str; 2] = [
    "/.well-known/openid-configuration",
    "/.well-known/oauth-authorization-server",
];

/// The served document at `path`, after checking its caching header.
async fn metadata(app: &TestApp, path: &str) -> Value {
    let response = send(app.get(path)).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    assert_eq!(
        response.headers()["cache-control"].to_str().expect("a header"),
        "public, max-age=300",
        "{path}"
    );
    assert_eq!(
        response.headers()["content-type"].to_str().expect("a header"),
        "application/json",
        "{path}"
    );
    response.json().await.expect("JSON")
}

async fn served_jwks(app: &TestApp) -> Value {
    send(app.get("/oauth/jwks")).await.json().await.expect("a JWK Set")
}

/// The user behind a token pair, as the service sees them.
async fn user_of(app: &TestApp, pair: &Value) -> User {
    app.service
        .authenticate(access_token(pair))
        .await
        .expect("a live token")
        .user
}

/// The claims of `token` if it verifies under the key of its `kid` in the
/// served JWKS (n and e only), for `audience` and `issuer`.
fn verified(token: &str, jwks: &Value, audience: &str, issuer: &str) -> Result<Value, String> {
    let kid = decode_header(token).map_err(|e| e.to_string())?.kid.ok_or("no kid")?;
    let jwk = jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|k| k["kid"] == kid.as_str())
        .ok_or_else(|| format!("kid {kid} is not served"))?;
    let key = DecodingKey::from_rsa_components(jwk["n"].as_str().expect("n"), jwk["e"].as_str().expect("e"))
        .map_err(|e| e.to_string())?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[audience]);
    validation.set_issuer(&[issuer]);
    validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
    decode::<Value>(token, &key, &validation)
        .map(|t| t.claims)
        .map_err(|e| e.to_string())
}

async fn both_discovery_documents_list_every_field_under_the_configured_issuer(backend: Backend) {
    let app = spawn_app_with(backend, |c| c.http.public_url = "https://id.example.test/".into()).await;
    let openid = metadata(&app, DISCOVERY[0]).await;
    assert_eq!(metadata(&app, DISCOVERY[1]).await, openid, "the same document");
    let issuer = "https://id.example.test";
    assert_eq!(
        openid,
        json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{issuer}/oauth/authorize"),
            "token_endpoint": format!("{issuer}/api/token"),
            "jwks_uri": format!("{issuer}/oauth/jwks"),
            "userinfo_endpoint": format!("{issuer}/userinfo"),
            "revocation_endpoint": format!("{issuer}/oauth/revoke"),
            "introspection_endpoint": format!("{issuer}/oauth/introspect"),
            "end_session_endpoint": format!("{issuer}/oauth/logout"),
            "scopes_supported": ["openid", "email", "profile", "phone", "offline_access"],
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token", "password", "mfa", "passkey",
                "email_code"],
            "code_challenge_methods_supported": ["S256"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "amr", "email",
                "email_verified", "name", "given_name", "family_name", "locale", "phone_number"],
            "prompt_values_supported": ["none", "login", "consent"],
            "ui_locales_supported": ["en", "nl", "fr", "de", "es"],
            "request_parameter_supported": false,
            "request_uri_parameter_supported": false,
            "claims_parameter_supported": false,
            "authorization_response_iss_parameter_supported": true,
        })
    );
    // Each grant the document lists is one the token endpoint knows: not
    // `unsupported_grant_type`.
    for grant in openid["grant_types_supported"].as_array().expect("grants") {
        let grant = grant.as_str().expect("a name");
        let (status, body) = app
            .post_error("/api/token", &json!({"grant_type": grant, "client_id": app.client_id}))
            .await;
        let unsupported = body == "unsupported_grant_type";
        assert!(!unsupported, "{grant}: {status} {body}");
    }
}

async fn a_stock_openid_client_discovers_us_reads_the_jwks_and_verifies_an_id_token(backend: Backend) {
    let app = spawn_app_at_its_public_url(backend).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let issuer = IssuerUrl::new(app.address.clone()).expect("an issuer URL");
    let provider = CoreProviderMetadata::discover_async(issuer.clone(), &http)
        .await
        .expect("our discovery document and JWKS, as openidconnect reads them");
    assert_eq!(provider.issuer(), &issuer);
    assert_eq!(
        provider.token_endpoint().map(|u| u.as_str()),
        Some(app.url("/api/token").as_str())
    );
    assert_eq!(provider.jwks_uri().as_str(), app.url("/oauth/jwks"));
    assert_eq!(
        provider.userinfo_endpoint().map(|u| u.as_str()),
        Some(app.url("/userinfo").as_str())
    );
    let served = served_jwks(&app).await;
    let kid = served["keys"][0]["kid"].as_str().expect("a kid").to_owned();
    let keys = provider.jwks().keys();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].key_id(), Some(&JsonWebKeyId::new(kid.clone())));
    let fetched = CoreJsonWebKeySet::fetch_async(provider.jwks_uri(), &http)
        .await
        .expect("our JWKS, as openidconnect reads it");
    assert_eq!(&fetched, provider.jwks());

    // An ID token of the service, as the code flow will hand it over,
    // verified by the relying party's own verifier with the fetched keys.
    let email = unique_email();
    let user = user_of(&app, &app.register(&email).await).await;
    let token = app
        .service
        .id_token(
            &user,
            &registrar_domain::ClientId::parse(&app.client_id).expect("an id"),
            &Scopes::parse("openid email").expect("scopes"),
            Some("a-nonce"),
            chrono::Utc::now(),
            SignInMethod::Password,
        )
        .await
        .expect("an ID token");
    let verifier = CoreIdTokenVerifier::new_public_client(ClientId::new(app.client_id.clone()), issuer, fetched);
    let id_token: CoreIdToken = token.parse().expect("a JWT");
    let claims = id_token
        .claims(&verifier, &Nonce::new("a-nonce".into()))
        .expect("verifies, with its nonce");
    assert_eq!(claims.subject().as_str(), user.id.0);
    assert_eq!(claims.email().map(|e| e.as_str()), Some(email.as_str()));
    assert!(
        id_token.claims(&verifier, &Nonce::new("another".into())).is_err(),
        "another nonce is refused"
    );
}

/// `registrar keys rotate` run on `app`'s database with its secret.
async fn rotate_with_the_cli(app: &TestApp) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_registrar"));
    command
        .args(["keys", "rotate"])
        .env_remove("DATABASE_URL")
        .env("REGISTRAR__DATABASE__URL", &app.database_url)
        .env("REGISTRAR__SECURITY__SECRET_KEY_FILE", &app.secret_file);
    let out = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("the command's thread")
        .expect("run registrar");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

async fn id_tokens_verify_with_the_served_jwks_also_after_registrar_keys_rotate(backend: Backend) {
    let app = spawn_app(backend).await;
    let issuer = "http://127.0.0.1:8080";
    let user = user_of(&app, &app.register(&unique_email()).await).await;
    let audience = registrar_domain::ClientId::parse(&app.client_id).expect("an id");
    let id_token = async || {
        app.service
            .id_token(
                &user,
                &audience,
                &Scopes::full(),
                None,
                chrono::Utc::now(),
                SignInMethod::Password,
            )
            .await
            .expect("an ID token")
    };
    let before = id_token().await;
    let claims = verified(&before, &served_jwks(&app).await, &app.client_id, issuer).expect("verifies");
    assert_eq!(claims["sub"], user.id.0);
    assert_eq!(claims["amr"], json!(["pwd"]));
    let old_kid = decode_header(&before).expect("a header").kid.expect("a kid");

    let new_kid = rotate_with_the_cli(&app).await;
    assert_ne!(new_kid, old_kid);
    let after = id_token().await;
    assert_eq!(
        decode_header(&after).expect("a header").kid.as_deref(),
        Some(new_kid.as_str())
    );
    let jwks = served_jwks(&app).await;
    assert!(
        verified(&before, &jwks, &app.client_id, issuer).is_ok(),
        "the old token still verifies with the old kid"
    );
    assert!(verified(&after, &jwks, &app.client_id, issuer).is_ok());
    assert!(
        verified(&after, &jwks, "another-client", issuer).is_err(),
        "bound to its audience"
    );
}

async fn userinfo_answers_the_claims_of_a_first_party_token_by_get_and_post(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let pair = app.register(&email).await;
    let user = user_of(&app, &pair).await;
    for request in [app.get("/userinfo"), app.post("/userinfo")] {
        let response = send(request.bearer_auth(access_token(&pair))).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["cache-control"], "no-store");
        let claims: Value = response.json().await.expect("JSON");
        assert_eq!(
            claims,
            json!({"sub": user.id.0, "email": email, "email_verified": false, "name": "Simon Peters",
                   "given_name": "Simon", "family_name": "Peters", "locale": "en", "phone_number": "+32475000000"})
        );
    }
}

async fn userinfo_refuses_a_missing_bad_or_revoked_token_with_a_bearer_challenge(backend: Backend) {
    let app = spawn_app(backend).await;
    let pair = app.register(&unique_email()).await;
    send(
        app.post("/oauth/revoke")
            .form(&[("client_id", app.client_id.as_str()), ("token", access_token(&pair))]),
    )
    .await;
    let invalid =
        "Bearer error=\"invalid_token\", error_description=\"The access token is missing, invalid or expired.\"";
    for (case, token, challenge) in [
        ("no token", None, "Bearer"),
        ("an unknown token", Some("ab".repeat(32)), invalid),
        ("a malformed token", Some("not-a-token".to_owned()), invalid),
        ("a revoked token", Some(access_token(&pair).to_owned()), invalid),
    ] {
        for post in [false, true] {
            let request = if post {
                app.post("/userinfo")
            } else {
                app.get("/userinfo")
            };
            let request = match &token {
                Some(token) => request.bearer_auth(token),
                None => request,
            };
            let response = send(request).await;
            assert_eq!(
                response.headers().get("www-authenticate").and_then(|v| v.to_str().ok()),
                Some(challenge),
                "{case}"
            );
            let (status, body) = parts(response).await;
            assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_token");
        }
    }
}

/// A token pair of every family that issues one, each with the client it
/// belongs to (as introspection names it).
async fn a_token_of_every_family(app: &TestApp) -> Vec<(&'static str, String)> {
    let mut tokens = Vec::new();
    let registered = unique_email();
    tokens.push((
        "core /api/register",
        access_token(&app.register(&registered).await).to_owned(),
    ));
    let (_, pair) = parts(app.login(&registered, PASSWORD, "laptop").await).await;
    tokens.push(("core grant_type=password", access_token(&pair).to_owned()));

    let users = unique_email();
    let body = json!({"first_name": "Ann", "last_name": "Lee", "email": users, "postal_code": "4000",
                      "password": PASSWORD});
    assert_eq!(
        app.post_json("/api/users/register", &body).await.status(),
        StatusCode::CREATED
    );
    let code = six_digit_code(&app.wait_for_mails(&users, 1).await[0]).expect("a code");
    let confirmed = app
        .post_json("/api/users/validation", &json!({"email": users, "token": code}))
        .await;
    assert_eq!(confirmed.status(), StatusCode::CREATED);
    let (status, pair) = parts(
        app.post_json("/api/users/login", &json!({"username": users, "password": PASSWORD}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{pair}");
    tokens.push(("users API login", access_token(&pair).to_owned()));

    // The typed family registers without answering a token: its account's
    // token is the password grant's.
    let typed = unique_email();
    let body = json!({"token": app.invite(1).await, "usertype": "customer", "email": typed, "display_name": "ann",
                      "full_name": "Ann Lee", "postcode": "M1 1AE", "year_of_birth": 1980, "password": PASSWORD});
    assert_eq!(app.post_json("/api/register", &body).await.status(), StatusCode::OK);
    let (_, pair) = parts(app.login(&typed, PASSWORD, "d").await).await;
    tokens.push(("a typed account's", access_token(&pair).to_owned()));

    let signup = unique_email();
    let body = json!({"email": signup, "language": "en"});
    assert_eq!(app.post_json("/signup", &body).await.status(), StatusCode::CREATED);
    let mail = app.wait_for_mails(&signup, 1).await.remove(0);
    let id = token_of_link(&link_in(&mail, "/confirm/signup/").expect("a link"));
    let (status, body) = parts(
        app.post_json(&format!("/confirm/signup/{id}"), &json!({"consent": 1}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    tokens.push((
        "the signup link's confirmation",
        body["token"].as_str().expect("a token").to_owned(),
    ));
    tokens
}

async fn introspect(app: &TestApp, (id, secret): &(String, String), token: &str) -> Value {
    let form = [
        ("client_id", id.as_str()),
        ("client_secret", secret.as_str()),
        ("token", token),
    ];
    let (status, body) = parts(send(app.post("/oauth/introspect").form(&form)).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn tokens_of_every_family_introspect_active_and_once_revoked_by_their_client_are_dead(backend: Backend) {
    let app = spawn_app(backend).await;
    let resource_server = confidential_client(&app).await;
    for (family, token) in a_token_of_every_family(&app).await {
        let found = introspect(&app, &resource_server, &token).await;
        assert_eq!(found["active"], true, "{family}: {found}");
        assert_eq!(found["scope"], "openid email profile phone offline_access", "{family}");
        assert_eq!(found["token_type"], "Bearer", "{family}");
        let client = found["client_id"].as_str().expect("its client").to_owned();
        let (_, me) = parts(app.me(&token).await).await;
        assert_eq!(
            (&found["sub"], &found["username"]),
            (&me["id"], &me["username"]),
            "{family}"
        );

        let revoked = send(
            app.post("/oauth/revoke")
                .form(&[("client_id", client.as_str()), ("token", token.as_str())]),
        )
        .await;
        assert_eq!(parts(revoked).await, (StatusCode::OK, json!({})), "{family}");
        assert_eq!(
            introspect(&app, &resource_server, &token).await,
            json!({"active": false}),
            "{family}"
        );
        assert_eq!(app.me(&token).await.status(), StatusCode::UNAUTHORIZED, "{family}");
    }
}

async fn a_second_instance_checks_and_revokes_what_the_first_issued(backend: Backend) {
    let first = spawn_app(backend).await;
    let second = first.another_instance(|_| {}).await;
    let resource_server = confidential_client(&first).await;
    let pair = first.register(&unique_email()).await;
    let token = access_token(&pair);
    let found = introspect(&second, &resource_server, token).await;
    assert_eq!(found["active"], true, "{found}");
    assert_eq!(found["client_id"], first.client_id);
    assert_eq!(
        send(second.get("/userinfo").bearer_auth(token)).await.status(),
        StatusCode::OK
    );

    let revoked = send(
        second
            .post("/oauth/revoke")
            .form(&[("client_id", first.client_id.as_str()), ("token", token)]),
    )
    .await;
    assert_eq!(revoked.status(), StatusCode::OK);
    assert_eq!(
        introspect(&first, &resource_server, token).await,
        json!({"active": false})
    );
    assert_eq!(first.me(token).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(served_jwks(&first).await, served_jwks(&second).await, "one JWKS");
    assert_eq!(
        metadata(&first, DISCOVERY[0]).await,
        metadata(&second, DISCOVERY[0]).await,
        "one issuer"
    );
}

on_both_backends!(
    both_discovery_documents_list_every_field_under_the_configured_issuer,
    a_stock_openid_client_discovers_us_reads_the_jwks_and_verifies_an_id_token,
    id_tokens_verify_with_the_served_jwks_also_after_registrar_keys_rotate,
    userinfo_answers_the_claims_of_a_first_party_token_by_get_and_post,
    userinfo_refuses_a_missing_bad_or_revoked_token_with_a_bearer_challenge,
    tokens_of_every_family_introspect_active_and_once_revoked_by_their_client_are_dead,
    a_second_instance_checks_and_revokes_what_the_first_issued,
);
