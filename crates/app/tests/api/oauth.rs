//! Interop with stock OAuth 2 clients (RFC 6749, RFC 6750): the Rust
//! `oauth2` crate as it is, HTTP Basic client authentication the way
//! requests-oauthlib sends it, `error_description`, and the Bearer challenge.

use base64::Engine as _;
use oauth2::basic::{BasicClient, BasicErrorResponseType, BasicRequestTokenError, BasicTokenResponse, BasicTokenType};
use std::future::Future;
use std::pin::Pin;

use oauth2::{
    AccessToken, AsyncHttpClient, AuthType, ClientId, ClientSecret, EndpointNotSet, EndpointSet, HttpClientError,
    HttpRequest, HttpResponse, IntrospectionUrl, RequestTokenError, ResourceOwnerPassword, ResourceOwnerUsername,
    RevocationErrorResponseType, RevocationUrl, StandardRevocableToken, TokenIntrospectionResponse, TokenResponse,
    TokenUrl,
};
use registrar_domain::Language;
use registrar_service::NewClient;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

/// What stock clients are told to use: no redirects followed.
fn oauth_http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

fn basic(user_colon_password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(user_colon_password)
    )
}

/// A stock client of the token endpoint alone.
type TokenClient = BasicClient<EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// The `oauth2` crate's password grant for `email` on `device` (the extra
/// fields of the device-token API).
async fn password_grant(
    client: &TokenClient,
    http: &reqwest::Client,
    email: &str,
    password: &str,
    device: &str,
) -> Result<BasicTokenResponse, BasicRequestTokenError<HttpClientError<reqwest::Error>>> {
    client
        .exchange_password(
            &ResourceOwnerUsername::new(email.to_owned()),
            &ResourceOwnerPassword::new(password.to_owned()),
        )
        .add_extra_param("device_id", device)
        .add_extra_param("device_name", device)
        .request_async(http)
        .await
}

/// What the `oauth2` crate's HTTP client answers.
type Answer = Pin<Box<dyn Future<Output = Result<HttpResponse, HttpClientError<reqwest::Error>>> + Send>>;

/// The `oauth2` crate sends a revocation to an https URL only (RFC 7009
/// §2): this client takes what it sends to the test server's plain http.
fn over_plain_http(http: &reqwest::Client) -> impl Fn(HttpRequest) -> Answer {
    let http = http.clone();
    move |mut request: HttpRequest| {
        let http = http.clone();
        Box::pin(async move {
            let uri = request.uri().to_string().replacen("https://", "http://", 1);
            *request.uri_mut() = uri.parse().expect("a URI");
            http.call(request).await
        })
    }
}

/// A stock client of the revocation endpoint alone (its https address, see [`over_plain_http`]).
fn revoking_client(
    app: &TestApp,
    id: &str,
    secret: Option<&str>,
) -> BasicClient<EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet, EndpointNotSet> {
    let url = app.url("/oauth/revoke").replacen("http://", "https://", 1);
    let client = BasicClient::new(ClientId::new(id.to_owned()))
        .set_auth_type(AuthType::BasicAuth)
        .set_revocation_url(RevocationUrl::new(url).expect("url"));
    match secret {
        Some(secret) => client.set_client_secret(ClientSecret::new(secret.to_owned())),
        None => client,
    }
}

/// The form of a password grant for `email` on device `d`, with `extra`
/// fields (the client, its secret).
fn password_form<'a>(email: &str, extra: &[(&'a str, &str)]) -> Vec<(&'a str, String)> {
    let mut form = vec![
        ("grant_type", "password".to_owned()),
        ("username", email.to_owned()),
        ("password", PASSWORD.to_owned()),
        ("device_id", "d".to_owned()),
        ("device_name", "d".to_owned()),
    ];
    form.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
    form
}

fn catalogue(lang: Language, key: &str) -> String {
    registrar_http::edge::language::text(lang, key, &[])
}

async fn the_oauth2_crate_logs_in_refreshes_and_shows_our_error_description(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    app.register(&email).await;
    let http = oauth_http();
    let token_url = TokenUrl::new(app.url("/api/token")).expect("url");

    // The crate's Basic auth without a secret puts client_id in the body;
    // with an empty secret it sends `Authorization: Basic base64(id:)`, as
    // requests-oauthlib does. Both must work.
    let without_secret = BasicClient::new(ClientId::new(app.client_id.clone()))
        .set_auth_type(AuthType::BasicAuth)
        .set_token_uri(token_url.clone());
    let empty_secret = BasicClient::new(ClientId::new(app.client_id.clone()))
        .set_client_secret(ClientSecret::new(String::new()))
        .set_auth_type(AuthType::BasicAuth)
        .set_token_uri(token_url);

    for (device, client) in [("oauth-body", &without_secret), ("oauth-basic", &empty_secret)] {
        let pair = password_grant(client, &http, &email, PASSWORD, device)
            .await
            .unwrap_or_else(|e| panic!("{device}: password grant: {e:?}"));
        assert_eq!(*pair.token_type(), BasicTokenType::Bearer);
        assert!(pair.expires_in().is_some());
        assert_eq!(
            app.me(pair.access_token().secret()).await.status(),
            StatusCode::OK,
            "{device}"
        );

        let refresh_token = pair.refresh_token().expect("a refresh token");
        let renewed = client
            .exchange_refresh_token(refresh_token)
            .request_async(&http)
            .await
            .unwrap_or_else(|e| panic!("{device}: refresh: {e:?}"));
        assert_ne!(renewed.access_token().secret(), pair.access_token().secret());
        assert_eq!(
            app.me(renewed.access_token().secret()).await.status(),
            StatusCode::OK,
            "{device}"
        );

        let refused = password_grant(client, &http, &email, "Not-The-Password-1", device).await;
        match refused {
            Err(RequestTokenError::ServerResponse(e)) => {
                assert_eq!(*e.error(), BasicErrorResponseType::InvalidGrant, "{device}");
                assert_eq!(
                    e.error_description().map(String::as_str),
                    Some("The username, password or token is not valid."),
                    "{device}"
                );
            }
            other => panic!("{device}: a wrong password: {other:?}"),
        }
    }
}

async fn http_basic_names_the_client_at_the_token_endpoint(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    app.register(&email).await;
    let login = |authorization: String, client_id: Option<&str>| {
        let mut form = vec![
            ("grant_type", "password".to_owned()),
            ("username", email.clone()),
            ("password", PASSWORD.to_owned()),
            ("device_id", "basic".to_owned()),
            ("device_name", "basic".to_owned()),
        ];
        if let Some(id) = client_id {
            form.push(("client_id", id.to_owned()));
        }
        app.post("/api/token")
            .header("Authorization", authorization)
            .form(&form)
            .send()
    };

    // requests-oauthlib's default: Basic with the id and an empty password.
    let response = login(basic(&format!("{}:", app.client_id)), None).await.expect("r");
    let (status, pair) = parts(response).await;
    assert_eq!(status, StatusCode::OK, "{pair}");
    assert!(is_token(&pair["access_token"]));
    // The same id in the body as well is fine.
    let response = login(basic(&format!("{}:", app.client_id)), Some(&app.client_id))
        .await
        .expect("r");
    let (status, pair) = parts(response).await;
    assert_eq!(status, StatusCode::OK, "{pair}");
    // Refresh with Basic too (this login replaced the first pair of the device).
    let response = send(
        app.post("/api/token")
            .header("Authorization", basic(&format!("{}:", app.client_id)))
            .form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", pair["refresh_token"].as_str().expect("t")),
            ]),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);

    // Another client in the body than in the header.
    let other = another_public_client(&app).await;
    let (status, body) = parts(
        login(basic(&format!("{}:", app.client_id)), Some(&other))
            .await
            .expect("r"),
    )
    .await;
    assert_eq!(
        (status, body["error"].clone()),
        (StatusCode::BAD_REQUEST, json!("invalid_request"))
    );
    assert_eq!(
        body["message"],
        "The client_id in the body differs from the one in the Authorization header."
    );
    assert_eq!(body["error_description"], body["message"]);

    // Unreadable, with a secret, or an unknown client: 401 with a Basic challenge.
    for (authorization, message) in [
        ("Basic !!!not-base64".to_owned(), "client_auth_unreadable"),
        (basic("no-colon-here"), "client_auth_unreadable"),
        (basic(":"), "client_auth_unreadable"),
        (basic("bad%zzescape:"), "client_auth_unreadable"),
        (basic(&format!("{}:a-secret", app.client_id)), "client_secret"),
        (basic("no-such-client:"), "invalid_client"),
    ] {
        let response = login(authorization.clone(), None).await.expect("r");
        let challenge = response
            .headers()
            .get("www-authenticate")
            .map(|v| v.to_str().expect("ascii").to_owned());
        let (status, body) = parts(response).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{authorization}: {body}");
        assert_eq!(body["error"], "invalid_client", "{authorization}");
        assert_eq!(body["message"], catalogue(Language::EN, &format!("error.{message}")));
        assert_eq!(body["error_description"], body["message"]);
        assert!(
            challenge.as_deref().is_some_and(|c| c.starts_with("Basic ")),
            "{authorization}: {challenge:?}"
        );
    }
    // An unknown client in the body stays the contract's 400.
    let form = password_form(&email, &[("client_id", "no-such-client")]);
    let response = send(app.post("/api/token").form(&form)).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

async fn every_core_error_carries_error_description_equal_to_message(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    app.register(&email).await;
    let answers = [
        app.post("/api/register").json(&json!({})).send().await,
        Ok(app.login(&email, "Wrong-Password-1", "d").await),
        app.post("/api/token")
            .json(&json!({"grant_type": "magic"}))
            .send()
            .await,
        app.get("/api/me").send().await,
        app.get("/api/me").bearer_auth("ab".repeat(32)).send().await,
        app.get("/no/such/path").send().await,
        app.http.put(app.url("/api/me")).send().await,
        app.post("/api/token")
            .header("Content-Type", "text/plain")
            .body("x")
            .send()
            .await,
        app.post("/api/token")
            .header("Content-Type", "application/json")
            .body("{")
            .send()
            .await,
        app.post("/api/token")
            .json(&json!({"pad": "x".repeat(70 * 1024)}))
            .send()
            .await,
        app.get("/api/me").header("X-Big", "x".repeat(20 * 1024)).send().await,
        app.get("/api/policies/nothing").send().await,
        app.post("/api/reset-password")
            .json(&json!({"token": "ab".repeat(32), "password": "Brand-New-Secret-9"}))
            .send()
            .await,
    ];
    for response in answers {
        let response = response.expect("request");
        let url = response.url().path().to_owned();
        let (status, body) = parts(response).await;
        assert!(status.is_client_error(), "{url}: {status}");
        assert_eq!(body["success"], false, "{url}: {body}");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{url}: {body}");
        assert_eq!(body["error_description"], body["message"], "{url} {status}: {body}");
    }
    let (_, body) = parts(
        send(
            app.post("/api/register")
                .header("Accept-Language", "de")
                .json(&json!({})),
        )
        .await,
    )
    .await;
    assert_eq!(body["error_description"], "Die angegebenen Daten sind ungültig.");
}

async fn a_presented_bad_token_gets_an_invalid_token_challenge_and_a_missing_one_the_bare_one(backend: Backend) {
    let app = spawn_app_with(backend, |c| c.auth.access_token_ttl = 1).await;
    let challenge_of = |response: &reqwest::Response| {
        response
            .headers()
            .get("www-authenticate")
            .map(|v| v.to_str().expect("ascii").to_owned())
    };
    let english =
        "Bearer error=\"invalid_token\", error_description=\"The access token is missing, invalid or expired.\"";

    // Missing: the bare challenge, as before.
    for response in [
        app.get("/api/me").send().await.expect("r"),
        app.get("/api/sessions").send().await.expect("r"),
        app.get("/api/me")
            .header("Authorization", "Bearer ")
            .send()
            .await
            .expect("r"),
    ] {
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(challenge_of(&response).as_deref(), Some("Bearer"));
    }

    // Unknown, and malformed.
    for token in ["ab".repeat(32), "not a token \" \\ at all".to_owned()] {
        let response = send(
            app.get("/api/sessions")
                .header("Authorization", format!("Bearer {token}")),
        )
        .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(challenge_of(&response).as_deref(), Some(english));
    }

    // Revoked (logged out).
    let pair = app.register(&unique_email()).await;
    let access = access_token(&pair).to_owned();
    let response = send(app.post("/api/logout").bearer_auth(&access)).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let response = app.me(&access).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(challenge_of(&response).as_deref(), Some(english));

    // Expired (access_token_ttl = 1 s).
    let pair = app.register(&unique_email()).await;
    let access = access_token(&pair).to_owned();
    tokio::time::sleep(std::time::Duration::from_millis(2200)).await;
    let response = send(app.get("/api/sessions").bearer_auth(&access)).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(challenge_of(&response).as_deref(), Some(english));

    // In the request's language when the text fits in the quoted string
    // (Dutch), else in English (French has non-ASCII letters).
    let response = send(app.get("/api/me").header("Accept-Language", "nl").bearer_auth(&access)).await;
    assert_eq!(
        challenge_of(&response).as_deref(),
        Some("Bearer error=\"invalid_token\", error_description=\"De access token ontbreekt, is ongeldig of is verlopen.\"")
    );
    let response = send(app.get("/api/me").header("Accept-Language", "fr").bearer_auth(&access)).await;
    assert_eq!(challenge_of(&response).as_deref(), Some(english));
    let (_, body) = parts(response).await;
    assert_eq!(body["message"], "Le jeton d'accès est absent, invalide ou expiré.");
}

async fn a_bad_reset_token_is_explained_as_a_reset_link_in_every_language(backend: Backend) {
    let app = spawn_app(backend).await;
    for lang in Language::BUILT_IN {
        let code = lang.code();
        let (status, body) = parts(
            send(
                app.post("/api/reset-password")
                    .header("Accept-Language", code)
                    .json(&json!({"token": "ab".repeat(32), "password": "Brand-New-Secret-9"})),
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"], "invalid_token", "{code}");
        let message = body["message"].as_str().expect("message");
        assert_eq!(message, catalogue(lang, "error.invalid_reset_token"), "{code}");
        assert_ne!(message, catalogue(lang, "error.invalid_token"), "{code}");
        assert_eq!(body["error_description"], body["message"]);
    }
    let (_, body) = parts(app.reset_password("nope", "Brand-New-Secret-9").await).await;
    assert_eq!(
        body["message"],
        "This password reset link is invalid, already used or expired. Ask for a new one."
    );
}

/// The id of a public client of `app` beside its own.
async fn another_public_client(app: &TestApp) -> String {
    app.service
        .add_client("Other app")
        .await
        .expect("client")
        .id
        .to_string()
}

/// A confidential client of `app`, and its secret.
pub async fn confidential_client(app: &TestApp) -> (String, String) {
    let new = NewClient {
        name: "Server app".into(),
        confidential: true,
        ..NewClient::default()
    };
    let (client, secret) = app.service.register_client(new).await.expect("a confidential client");
    let secret = secret.expect("a confidential client has a secret");
    (client.id.to_string(), secret.expose().to_owned())
}

async fn a_confidential_client_signs_in_and_refreshes_with_its_secret_by_basic_or_in_the_body(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    app.register(&email).await;
    let (id, secret) = confidential_client(&app).await;
    let http = oauth_http();
    let token_url = TokenUrl::new(app.url("/api/token")).expect("url");

    for (device, auth_type) in [
        ("client-secret-basic", AuthType::BasicAuth),
        ("client-secret-post", AuthType::RequestBody),
    ] {
        let client = BasicClient::new(ClientId::new(id.clone()))
            .set_client_secret(ClientSecret::new(secret.clone()))
            .set_auth_type(auth_type)
            .set_token_uri(token_url.clone());
        let pair = password_grant(&client, &http, &email, PASSWORD, device)
            .await
            .unwrap_or_else(|e| panic!("{device}: password grant: {e:?}"));
        assert_eq!(app.me(pair.access_token().secret()).await.status(), StatusCode::OK);
        let renewed = client
            .exchange_refresh_token(pair.refresh_token().expect("a refresh token"))
            .request_async(&http)
            .await
            .unwrap_or_else(|e| panic!("{device}: refresh: {e:?}"));
        assert_eq!(app.me(renewed.access_token().secret()).await.status(), StatusCode::OK);

        // The same crate with a wrong secret: invalid_client.
        let wrong = BasicClient::new(ClientId::new(id.clone()))
            .set_client_secret(ClientSecret::new("0".repeat(64)))
            .set_auth_type(match device {
                "client-secret-basic" => AuthType::BasicAuth,
                _ => AuthType::RequestBody,
            })
            .set_token_uri(token_url.clone());
        match wrong
            .exchange_refresh_token(renewed.refresh_token().expect("a refresh token"))
            .request_async(&http)
            .await
        {
            Err(RequestTokenError::ServerResponse(e)) => {
                assert_eq!(*e.error(), BasicErrorResponseType::InvalidClient, "{device}");
            }
            other => panic!("{device}: a wrong secret: {other:?}"),
        }
        // The refused refresh rotated nothing: the right secret still refreshes.
        client
            .exchange_refresh_token(renewed.refresh_token().expect("a refresh token"))
            .request_async(&http)
            .await
            .unwrap_or_else(|e| panic!("{device}: refresh after a refused one: {e:?}"));
    }
}

async fn a_confidential_client_without_its_secret_is_401_invalid_client_with_a_challenge_only_after_basic(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    app.register(&email).await;
    let (id, secret) = confidential_client(&app).await;
    let login = |authorization: Option<String>, extra: &[(&str, &str)]| {
        let request = app.post("/api/token").form(&password_form(&email, extra));
        match authorization {
            Some(value) => request.header("Authorization", value),
            None => request,
        }
        .send()
    };
    let refused = catalogue(Language::EN, "error.client_authentication");
    for (case, authorization, extra, challenged) in [
        ("no secret", None, vec![("client_id", id.as_str())], false),
        (
            "a wrong client_secret",
            None,
            vec![("client_id", id.as_str()), ("client_secret", "wrong")],
            false,
        ),
        (
            "a secret of another form",
            None,
            vec![("client_id", id.as_str()), ("client_secret", &secret[..63])],
            false,
        ),
        (
            "Basic with an empty password",
            Some(basic(&format!("{id}:"))),
            vec![],
            true,
        ),
        (
            "Basic with a wrong password",
            Some(basic(&format!("{id}:{}", "f".repeat(64)))),
            vec![],
            true,
        ),
    ] {
        let response = login(authorization, &extra).await.expect("r");
        let challenge = response.headers().get("www-authenticate").cloned();
        let cache = response.headers().get("cache-control").cloned();
        let (status, body) = parts(response).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{case}: {body}");
        assert_eq!(body["error"], "invalid_client", "{case}");
        assert_eq!(body["error_description"], refused, "{case}");
        assert_eq!(challenge.is_some(), challenged, "{case}: {challenge:?}");
        assert_eq!(cache.as_ref().and_then(|v| v.to_str().ok()), Some("no-store"), "{case}");
    }
    // One method per request: Basic with the secret and client_secret too.
    let response = login(
        Some(basic(&format!("{id}:{secret}"))),
        &[("client_secret", secret.as_str())],
    )
    .await
    .expect("r");
    let (status, body) = parts(response).await;
    assert_eq!(
        (status, body["error"].clone()),
        (StatusCode::BAD_REQUEST, json!("invalid_request"))
    );

    // Right, by the body: the pair. A refresh that names no client is not
    // this client's: refused, and the token lives on.
    let response = login(None, &[("client_id", id.as_str()), ("client_secret", secret.as_str())])
        .await
        .expect("r");
    let (status, pair) = parts(response).await;
    assert_eq!(status, StatusCode::OK, "{pair}");
    let refresh_token = pair["refresh_token"].as_str().expect("a refresh token");
    let anonymous = send(
        app.post("/api/token")
            .form(&[("grant_type", "refresh_token"), ("refresh_token", refresh_token)]),
    )
    .await;
    let (status, body) = parts(anonymous).await;
    assert_eq!(
        (status, body["error"].clone()),
        (StatusCode::BAD_REQUEST, json!("invalid_grant"))
    );

    // A rotated secret: the old one is refused, the new one works.
    let rotated = app.service.rotate_client_secret(&id).await.expect("rotating");
    let refresh = |secret: String| {
        send(app.post("/api/token").form(&[
            ("grant_type", "refresh_token".to_owned()),
            ("refresh_token", refresh_token.to_owned()),
            ("client_id", id.clone()),
            ("client_secret", secret),
        ]))
    };
    assert_eq!(refresh(secret.clone()).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(refresh(rotated.expose().to_owned()).await.status(), StatusCode::OK);
}

async fn a_public_client_is_not_asked_for_a_secret_and_a_body_client_secret_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    app.register(&email).await;
    let form = password_form(&email, &[("client_id", &app.client_id), ("client_secret", "anything")]);
    let response = send(app.post("/api/token").form(&form)).await;
    let (status, pair) = parts(response).await;
    assert_eq!(status, StatusCode::OK, "{pair}");
    let response = send(app.post("/api/token").form(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", pair["refresh_token"].as_str().expect("t")),
    ]))
    .await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "a public client's refresh names no client, as before"
    );
}

async fn the_oauth2_crate_revokes_an_access_or_a_refresh_token_and_its_session_ends(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    app.register(&email).await;
    let http = oauth_http();
    let plain = over_plain_http(&http);
    let token_url = TokenUrl::new(app.url("/api/token")).expect("url");
    let (server, secret) = confidential_client(&app).await;
    let public_signer = BasicClient::new(ClientId::new(app.client_id.clone())).set_token_uri(token_url.clone());
    let server_signer = BasicClient::new(ClientId::new(server.clone()))
        .set_client_secret(ClientSecret::new(secret.clone()))
        .set_auth_type(AuthType::BasicAuth)
        .set_token_uri(token_url);

    for (case, signer, revoker, by_refresh) in [
        (
            "public, access token",
            &public_signer,
            revoking_client(&app, &app.client_id, None),
            false,
        ),
        (
            "public, refresh token",
            &public_signer,
            revoking_client(&app, &app.client_id, None),
            true,
        ),
        (
            "confidential, access token",
            &server_signer,
            revoking_client(&app, &server, Some(&secret)),
            false,
        ),
        (
            "confidential, refresh token",
            &server_signer,
            revoking_client(&app, &server, Some(&secret)),
            true,
        ),
    ] {
        let device = case.replace([' ', ','], "-");
        let pair = password_grant(signer, &http, &email, PASSWORD, &device)
            .await
            .unwrap_or_else(|e| panic!("{case}: password grant: {e:?}"));
        let refresh_token = pair.refresh_token().expect("a refresh token").clone();
        let token = match by_refresh {
            true => StandardRevocableToken::RefreshToken(refresh_token.clone()),
            false => StandardRevocableToken::AccessToken(pair.access_token().clone()),
        };
        revoker
            .revoke_token(token)
            .expect("an https URL")
            .request_async(&plain)
            .await
            .unwrap_or_else(|e| panic!("{case}: revocation: {e:?}"));
        assert_eq!(
            app.me(pair.access_token().secret()).await.status(),
            StatusCode::UNAUTHORIZED,
            "{case}: the access token is dead"
        );
        let refreshed = signer.exchange_refresh_token(&refresh_token).request_async(&http).await;
        assert!(
            matches!(&refreshed, Err(RequestTokenError::ServerResponse(e)) if *e.error() == BasicErrorResponseType::InvalidGrant),
            "{case}: the refresh token is dead: {refreshed:?}"
        );
    }

    // An unknown token: 200 all the same.
    revoking_client(&app, &app.client_id, None)
        .revoke_token(StandardRevocableToken::AccessToken(oauth2::AccessToken::new(
            "ab".repeat(32),
        )))
        .expect("an https URL")
        .request_async(&plain)
        .await
        .expect("an unknown token is revoked without a word");
    // A confidential client with a wrong secret: invalid_client.
    let wrong = revoking_client(&app, &server, Some(&"0".repeat(64)))
        .revoke_token(StandardRevocableToken::AccessToken(oauth2::AccessToken::new(
            "ab".repeat(32),
        )))
        .expect("an https URL")
        .request_async(&plain)
        .await;
    assert!(
        matches!(&wrong, Err(RequestTokenError::ServerResponse(e)) if *e.error() == RevocationErrorResponseType::Basic(BasicErrorResponseType::InvalidClient)),
        "{wrong:?}"
    );
}

async fn a_token_of_another_client_is_not_revoked_and_refusals_follow_rfc_6749(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let pair = app.register(&email).await;
    let other = another_public_client(&app).await;
    let token = pair["access_token"].as_str().expect("a token");
    let revoke = |form: Vec<(&'static str, String)>| send(app.post("/oauth/revoke").form(&form));

    let response = revoke(vec![("client_id", other.clone()), ("token", token.to_owned())]).await;
    assert_eq!(
        response.headers().get("cache-control").and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let (status, body) = parts(response).await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, json!({})),
        "200 for another client's token"
    );
    assert_eq!(app.me(token).await.status(), StatusCode::OK, "which is not revoked");

    for (case, form, expected, error) in [
        (
            "no token",
            vec![("client_id", other.clone())],
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            "no client",
            vec![("token", token.to_owned())],
            StatusCode::BAD_REQUEST,
            "invalid_client",
        ),
        (
            "an unknown client",
            vec![("client_id", "no-such-client".to_owned()), ("token", token.to_owned())],
            StatusCode::BAD_REQUEST,
            "invalid_client",
        ),
    ] {
        let (status, body) = parts(revoke(form).await).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (expected, Some(error)),
            "{case}: {body}"
        );
        assert_eq!(body["error_description"], body["message"], "{case}");
    }
    let response = send(
        app.post("/oauth/revoke")
            .header("Authorization", basic("no-such-client:"))
            .form(&[("token", token)]),
    )
    .await;
    assert!(response.headers().contains_key("www-authenticate"));
    let (status, body) = parts(response).await;
    assert_eq!(
        (status, body["error"].clone()),
        (StatusCode::UNAUTHORIZED, json!("invalid_client"))
    );
    assert_eq!(
        app.me(token).await.status(),
        StatusCode::OK,
        "no refusal revoked anything"
    );

    // The owner by HTTP Basic with an empty password, as a public client may.
    let response = send(
        app.post("/oauth/revoke")
            .header("Authorization", basic(&format!("{}:", app.client_id)))
            .form(&[("token", token), ("token_type_hint", "access_token")]),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        app.me(token).await.status(),
        StatusCode::UNAUTHORIZED,
        "the owner revoked it"
    );
}

async fn a_resource_server_introspects_access_tokens_with_the_oauth2_crate(backend: Backend) {
    let app = spawn_app(backend).await;
    let email = unique_email();
    let pair = app.register(&email).await;
    let (server, secret) = confidential_client(&app).await;
    let http = oauth_http();
    let introspecting = |id: &str, secret: &str| {
        BasicClient::new(ClientId::new(id.to_owned()))
            .set_client_secret(ClientSecret::new(secret.to_owned()))
            .set_auth_type(AuthType::BasicAuth)
            .set_introspection_url(IntrospectionUrl::new(app.url("/oauth/introspect")).expect("url"))
    };
    let resource_server = introspecting(&server, &secret);
    let introspect = async |client: &BasicClient<_, _, EndpointSet, _, _>, token: &str| {
        client
            .introspect(&AccessToken::new(token.to_owned()))
            .request_async(&http)
            .await
    };

    let access = access_token(&pair);
    let found = introspect(&resource_server, access).await.expect("introspection");
    assert!(found.active());
    assert_eq!(found.username(), Some(email.as_str()));
    assert_eq!(found.client_id().map(|c| c.as_str()), Some(app.client_id.as_str()));
    assert_eq!(found.token_type(), Some(&BasicTokenType::Bearer));
    assert!(found.sub().is_some_and(|s| !s.is_empty()));
    let (iat, exp) = (found.iat().expect("iat"), found.exp().expect("exp"));
    assert_eq!((exp - iat).num_seconds(), 3600, "auth.access_token_ttl");
    let scopes: Vec<&str> = found.scopes().expect("a scope").iter().map(|s| s.as_str()).collect();
    assert_eq!(
        scopes,
        ["openid", "email", "profile", "phone", "offline_access"],
        "Registrar's own grants have every scope"
    );
    assert_eq!(app.me(access).await.status(), StatusCode::OK);

    // Every other token is exactly {"active": false}.
    let refresh_token = pair["refresh_token"].as_str().expect("a refresh token");
    for (case, token) in [
        ("a refresh token", refresh_token.to_owned()),
        ("an unknown token", "ab".repeat(32)),
        ("a malformed token", "not a token".to_owned()),
    ] {
        let form = [
            ("client_id", server.as_str()),
            ("client_secret", secret.as_str()),
            ("token", &token),
        ];
        let response = send(app.post("/oauth/introspect").form(&form)).await;
        assert_eq!(
            response.headers().get("cache-control").and_then(|v| v.to_str().ok()),
            Some("no-store")
        );
        assert_eq!(
            parts(response).await,
            (StatusCode::OK, json!({"active": false})),
            "{case}"
        );
    }
    // Only a confidential client with its secret asks, whatever the token.
    for (case, client) in [
        ("a public client", introspecting(&app.client_id, "")),
        ("a wrong secret", introspecting(&server, &"0".repeat(64))),
        ("an unknown client", introspecting("no-such-client", &secret)),
    ] {
        for token in [access, refresh_token] {
            match introspect(&client, token).await {
                Err(RequestTokenError::ServerResponse(e)) => {
                    assert_eq!(*e.error(), BasicErrorResponseType::InvalidClient, "{case}");
                }
                other => panic!("{case}: {other:?}"),
            }
        }
    }
    // The client is judged before the missing token.
    for (case, secret, status, error) in [
        (
            "the resource server",
            secret.as_str(),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            "a wrong secret",
            &"0".repeat(64),
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
    ] {
        let form = [("client_id", server.as_str()), ("client_secret", secret)];
        let (status_seen, body) = parts(send(app.post("/oauth/introspect").form(&form)).await).await;
        assert_eq!(
            (status_seen, body["error"].as_str()),
            (status, Some(error)),
            "no token, {case}"
        );
    }
    assert!(
        introspect(&resource_server, access)
            .await
            .expect("introspection")
            .active(),
        "refused introspections leave the token alone"
    );

    send(
        app.post("/oauth/revoke")
            .form(&[("client_id", app.client_id.as_str()), ("token", access)]),
    )
    .await;
    let revoked = introspect(&resource_server, access).await.expect("introspection");
    assert!(!revoked.active(), "a revoked token");
}

on_both_backends!(
    a_resource_server_introspects_access_tokens_with_the_oauth2_crate,
    the_oauth2_crate_revokes_an_access_or_a_refresh_token_and_its_session_ends,
    a_token_of_another_client_is_not_revoked_and_refusals_follow_rfc_6749,
    a_confidential_client_signs_in_and_refreshes_with_its_secret_by_basic_or_in_the_body,
    a_confidential_client_without_its_secret_is_401_invalid_client_with_a_challenge_only_after_basic,
    a_public_client_is_not_asked_for_a_secret_and_a_body_client_secret_changes_nothing,
    the_oauth2_crate_logs_in_refreshes_and_shows_our_error_description,
    http_basic_names_the_client_at_the_token_endpoint,
    every_core_error_carries_error_description_equal_to_message,
    a_presented_bad_token_gets_an_invalid_token_challenge_and_a_missing_one_the_bare_one,
    a_bad_reset_token_is_explained_as_a_reset_link_in_every_language,
);
