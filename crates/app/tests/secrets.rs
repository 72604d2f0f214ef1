//! No log line carries a password, a token or a code: the real binary at
//! debug level goes through registration, login, refresh, confirmation, a
//! password reset, second factors, a sign-in by mailed code and a
//! confidential client's secrets (added, rotated, sent both ways), signing
//! keys (rotated, published at /oauth/jwks), and everything it logged is
//! searched for those secrets.
#![allow(clippy::pedantic, clippy::restriction)] // test code

#[path = "shared/authenticator.rs"]
mod authenticator;
// Not every helper of the shared authenticator is used here.
#[allow(dead_code)]
#[path = "shared/passkey.rs"]
mod passkey;
#[path = "shared/serve.rs"]
mod serving;

use std::io::Read;
use std::process::Command;
use std::time::Duration;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use registrar_domain::{Keyring, Sealed, SecretKey};
use serde_json::{json, Value};

use serving::{listening_address, serve};

const PASSWORD: &str = "Secret-Horse-Battery-42";
const NEW_PASSWORD: &str = "Other-Secret-Staple-77";

/// The first line the command prints.
fn run(dir: &std::path::Path, args: &[&str]) -> String {
    run_all(dir, args).lines().next().unwrap_or_default().to_owned()
}

/// Everything the command prints.
fn run_all(dir: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_registrar"))
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env(
            "REGISTRAR__DATABASE__URL",
            format!("sqlite://{}", dir.join("r.db").display()),
        )
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn newest_mail(outbox: &std::path::Path, count: usize) -> String {
    for _ in 0..200 {
        let mut mails: Vec<_> = std::fs::read_dir(outbox)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                    .collect()
            })
            .unwrap_or_default();
        if mails.len() >= count {
            mails.sort_by_key(|e| e.metadata().and_then(|m| m.modified()).ok());
            return std::fs::read_to_string(mails[count - 1].path()).expect("read");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("mail {count} never arrived");
}

/// The first mail in `outbox` that contains `marker`, once it is there.
fn mail_containing(outbox: &std::path::Path, marker: &str) -> String {
    for _ in 0..200 {
        let found = std::fs::read_dir(outbox).ok().and_then(|dir| {
            dir.filter_map(|e| e.ok())
                .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                .find(|mail| mail.contains(marker))
        });
        if let Some(mail) = found {
            return mail;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("no mail with {marker:?} arrived");
}

fn after<'a>(text: &'a str, marker: &str) -> &'a str {
    let start = text.find(marker).expect("marker") + marker.len();
    text[start..]
        .split(|c: char| c.is_whitespace() || c == '"' || c == '<')
        .next()
        .unwrap_or_default()
}

/// The signing key `kid` as stored (sealed) and opened with the server
/// secret the binary generated beside its database.
fn signing_key_at_rest(dir: &std::path::Path, kid: &str) -> (String, Vec<u8>) {
    use diesel::prelude::*;
    let mut c = SqliteConnection::establish(&dir.join("r.db").display().to_string()).expect("open the database");
    let sealed: String = diesel::sql_query(format!("SELECT private_key AS a FROM signing_keys WHERE kid = '{kid}'"))
        .get_result::<Text>(&mut c)
        .expect("the key's row")
        .a;
    let secret = std::fs::read_to_string(dir.join("registrar.secret")).expect("the generated secret");
    let keyring = Keyring::new(SecretKey::new(secret.trim().as_bytes()).expect("a secret"), vec![]);
    let der = keyring
        .open("signing key", kid, &Sealed::from_stored(sealed.clone()))
        .expect("opens with the server secret");
    (sealed, der)
}

#[derive(diesel::QueryableByName)]
struct Text {
    #[diesel(sql_type = diesel::sql_types::Text)]
    a: String,
}

#[tokio::test]
async fn no_secret_reaches_the_log() {
    let dir = tempfile::tempdir().expect("dir");
    let client = run(dir.path(), &["client", "add", "--name", "App"]);
    let server_app = run_all(dir.path(), &["client", "add", "--name", "Server", "--confidential"]);
    let (server_app, first_client_secret) = server_app.split_once('\n').expect("an id and a secret");
    let first_client_secret = first_client_secret.trim().to_owned();
    let client_secret = run(dir.path(), &["client", "secret-rotate", server_app]);
    let kid = run(dir.path(), &["keys", "rotate"]);
    for t in ["tac", "privacy"] {
        let file = dir.path().join(format!("{t}.toml"));
        std::fs::write(
            &file,
            format!("type = \"{t}\"\nversion = \"1\"\n[translations.en]\ntitle = \"{t}\"\nhtml = \"x\"\n"),
        )
        .expect("write");
        run(dir.path(), &["policy", "publish", &format!("{t}.toml")]);
    }
    let policies: Vec<i64> = vec![1, 2];
    let mut child = serve(dir.path())
        .env(
            "REGISTRAR__DATABASE__URL",
            format!("sqlite://{}", dir.path().join("r.db").display()),
        )
        .env("RUST_LOG", "debug")
        .env("REGISTRAR__PASSWORD__ARGON2_MEMORY_KIB", "1024")
        .env("REGISTRAR__PASSWORD__ARGON2_ITERATIONS", "1")
        .env("REGISTRAR__WEBAUTHN__RP_ID", passkey::RP_ID)
        .env("REGISTRAR__WEBAUTHN__ORIGINS", passkey::ORIGIN)
        .spawn()
        .expect("spawn");
    let mut stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        let mut all = Vec::new();
        let mut buf = [0u8; 4096];
        let mut announced = false;
        loop {
            match stderr.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => all.extend_from_slice(&buf[..n]),
            }
            let text = String::from_utf8_lossy(&all);
            if !announced {
                if let Some(address) = listening_address(&text) {
                    let _ = tx.send(address);
                    announced = true;
                }
            }
        }
        String::from_utf8_lossy(&all).into_owned()
    });
    let base = format!("http://{}", rx.recv_timeout(Duration::from_secs(60)).expect("serving"));
    let http = reqwest::Client::new();
    let post = |path: &str, body: Value| http.post(format!("{base}{path}")).json(&body).send();
    let answer = |request: reqwest::RequestBuilder| async move {
        request.send().await.expect("r").json::<Value>().await.expect("json")
    };

    let registered: Value = post(
        "/api/register",
        json!({"client_id": client, "device_id": "d1", "device_name": "Phone", "username": "ann@example.com",
               "password": PASSWORD, "firstname": "Ann", "lastname": "Lee", "telephone": "+32 475 00 00 00",
               "policies": policies}),
    )
    .await
    .expect("r")
    .json()
    .await
    .expect("json");
    let outbox = dir.path().join("outbox");
    let confirmation = newest_mail(&outbox, 1);
    let code = after(&confirmation, "Your code: ").to_owned();
    let confirm_token = after(&confirmation, "/confirm/").to_owned();
    let login: Value = post(
        "/api/token",
        json!({"grant_type": "password", "client_id": client, "device_id": "d2", "device_name": "Laptop",
               "username": "ann@example.com", "password": PASSWORD}),
    )
    .await
    .expect("r")
    .json()
    .await
    .expect("json");
    let refreshed: Value = post(
        "/api/token",
        json!({"grant_type": "refresh_token", "refresh_token": login["refresh_token"]}),
    )
    .await
    .expect("r")
    .json()
    .await
    .expect("json");
    post(
        "/api/users/validation",
        json!({"email": "ann@example.com", "token": "000000"}),
    )
    .await
    .expect("r");
    post(
        "/api/users/validation",
        json!({"email": "ann@example.com", "token": code}),
    )
    .await
    .expect("r");
    http.get(format!("{base}/confirm/{confirm_token}"))
        .send()
        .await
        .expect("r");
    post("/api/forgot-password", json!({"username": "ann@example.com"}))
        .await
        .expect("r");
    // By its link: the sign-in on the laptop (a second device) was mailed too.
    let reset_mail = mail_containing(&outbox, "/reset-password/");
    let reset_token = after(&reset_mail, "/reset-password/").to_owned();
    http.get(format!("{base}/reset-password/{reset_token}"))
        .send()
        .await
        .expect("r");
    let reset = post(
        "/api/reset-password",
        json!({"token": reset_token, "password": NEW_PASSWORD}),
    )
    .await
    .expect("r");
    assert_eq!(reset.status(), 200);
    http.get(format!("{base}/api/me"))
        .bearer_auth(refreshed["access_token"].as_str().unwrap_or_default())
        .send()
        .await
        .expect("r");

    // Second factors: the app's secret, its codes, the recovery codes and the mfa_token.
    let password_login = json!({"grant_type": "password", "client_id": client, "device_id": "d3",
                                "device_name": "Tablet", "username": "ann@example.com", "password": NEW_PASSWORD});
    let signed_in = answer(http.post(format!("{base}/api/token")).json(&password_login)).await;
    let access = signed_in["access_token"].as_str().unwrap_or_default().to_owned();
    let bearer = |path: &str| http.post(format!("{base}{path}")).bearer_auth(&access);
    let enrolment = answer(bearer("/api/me/factors/totp")).await;
    let totp_secret = enrolment["secret"].as_str().unwrap_or_default().to_owned();
    let app = authenticator::Authenticator::scan(&totp_secret);
    let totp_code = app.code(0);
    let confirmed = answer(bearer("/api/me/factors/totp/confirm").json(&json!({"code": totp_code}))).await;
    let recovery_codes: Vec<String> = confirmed["recovery_codes"]
        .as_array()
        .map(|codes| codes.iter().filter_map(|c| c.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    assert_eq!(recovery_codes.len(), 10, "{confirmed}");
    let challenge = answer(http.post(format!("{base}/api/token")).json(&password_login)).await;
    let mfa_token = challenge["mfa_token"].as_str().unwrap_or_default().to_owned();
    let next_code = app.code(1);
    post(
        "/api/token",
        json!({"grant_type": "mfa", "mfa_token": mfa_token, "code": "000000"}),
    )
    .await
    .expect("r");
    let second_step = post(
        "/api/token",
        json!({"grant_type": "mfa", "mfa_token": mfa_token, "code": next_code}),
    )
    .await
    .expect("r");
    assert_eq!(second_step.status(), 200);
    // The second step signed the tablet in again: its new pair.
    let tablet: Value = second_step.json().await.expect("json");
    let access = tablet["access_token"].as_str().unwrap_or_default().to_owned();
    let bearer = |path: &str| http.post(format!("{base}{path}")).bearer_auth(&access);

    // Passkeys: the ceremony ids, their challenges and the mfa_token of a passkey second step.
    let mut authenticator = passkey::SoftPasskey::new();
    let ceremony_of = |options: &Value| {
        let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        (text(&options["ceremony"]), text(&options["publicKey"]["challenge"]))
    };
    let options = answer(bearer("/api/me/factors/passkeys/options")).await;
    let (add_ceremony, add_challenge) = ceremony_of(&options);
    let credential = authenticator.create(passkey::ORIGIN, &options["publicKey"]);
    let added = bearer("/api/me/factors/passkeys")
        .json(&json!({"ceremony": add_ceremony, "name": "Phone", "credential": credential.expect("an answer")}))
        .send()
        .await
        .expect("r");
    assert_eq!(added.status(), 201);
    let sign_in_options = http.post(format!("{base}/api/passkeys/options"));
    let options = answer(sign_in_options.json(&json!({"client_id": client}))).await;
    let (sign_in_ceremony, sign_in_challenge) = ceremony_of(&options);
    let credential = authenticator
        .get(passkey::ORIGIN, &options["publicKey"])
        .expect("an answer");
    let passkey_grant = json!({"grant_type": "passkey", "ceremony": sign_in_ceremony, "credential": credential,
                               "client_id": client, "device_id": "d4", "device_name": "Phone"});
    let by_passkey = post("/api/token", passkey_grant.clone()).await.expect("r");
    assert_eq!(by_passkey.status(), 200);
    let replayed = post("/api/token", passkey_grant).await.expect("r");
    assert_eq!(replayed.status(), 400, "a ceremony is finished once");

    // A sign-in by mailed code (a wrong one tried first): with the app on,
    // the code is the first step and an mfa_token follows.
    post(
        "/api/email-code",
        json!({"username": "ann@example.com", "client_id": client}),
    )
    .await
    .expect("r");
    let sign_in_mail = mail_containing(&outbox, "Your sign-in code");
    let sign_in_code = after(&sign_in_mail, "Your code: ").to_owned();
    let by_code = |code: &str| {
        json!({"grant_type": "email_code", "client_id": client, "device_id": "d4", "device_name": "Watch",
               "username": "ann@example.com", "code": code})
    };
    post("/api/token", by_code("000000")).await.expect("r");
    let code_challenge = answer(http.post(format!("{base}/api/token")).json(&by_code(&sign_in_code))).await;
    assert_eq!(code_challenge["error"], "mfa_required", "{code_challenge}");
    let code_mfa_token = code_challenge["mfa_token"].as_str().unwrap_or_default().to_owned();

    // A confidential client: its old secret (refused) and its new one, by
    // HTTP Basic and in the body.
    let confidential = |secret: &str, basic: bool| {
        let mut body = json!({"grant_type": "password", "client_id": server_app, "device_id": "srv",
               "device_name": "Server", "username": "ann@example.com", "password": NEW_PASSWORD});
        let request = http.post(format!("{base}/api/token"));
        if basic {
            request.basic_auth(server_app, Some(secret)).json(&body)
        } else {
            body["client_secret"] = json!(secret);
            request.json(&body)
        }
        .send()
    };
    for basic in [true, false] {
        let refused = confidential(&first_client_secret, basic).await.expect("r");
        assert_eq!(refused.status(), reqwest::StatusCode::UNAUTHORIZED, "the old secret");
        let accepted = confidential(&client_secret, basic).await.expect("r");
        assert_ne!(accepted.status(), reqwest::StatusCode::UNAUTHORIZED, "the new secret");
    }

    // The signing keys: one made before serving, and the JWKS.
    let jwks = answer(http.get(format!("{base}/oauth/jwks"))).await;
    assert_eq!(jwks["keys"][0]["kid"], kid.as_str(), "{jwks}");
    let (sealed_key, key_der) = signing_key_at_rest(dir.path(), &kid);

    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let _ = child.wait();
    let log = reader.join().expect("reader");
    assert!(
        log.contains("\"message\":\"request\""),
        "the log has request lines: {log}"
    );
    assert!(
        log.contains("/confirm/{token}") && log.contains("/reset-password/{token}"),
        "the page requests were logged"
    );
    let secrets = [
        ("the password", PASSWORD.to_owned()),
        ("the new password", NEW_PASSWORD.to_owned()),
        ("the code", code),
        ("the confirmation link token", confirm_token),
        ("the reset link token", reset_token),
        (
            "an access token",
            registered["access_token"].as_str().unwrap_or("?").to_owned(),
        ),
        (
            "a refresh token",
            registered["refresh_token"].as_str().unwrap_or("?").to_owned(),
        ),
        (
            "a refreshed access token",
            refreshed["access_token"].as_str().unwrap_or("?").to_owned(),
        ),
        ("the address", "ann@example.com".to_owned()),
        ("the TOTP secret", totp_secret),
        ("a TOTP code", totp_code),
        ("the next TOTP code", next_code),
        ("an mfa_token", mfa_token),
        ("a passkey registration's ceremony", add_ceremony),
        ("its challenge", add_challenge),
        ("a passkey sign-in's ceremony", sign_in_ceremony),
        ("its challenge", sign_in_challenge),
        ("the mailed sign-in code", sign_in_code),
        ("the mfa_token after a mailed code", code_mfa_token),
        ("a client secret", client_secret),
        ("a rotated-out client secret", first_client_secret),
        ("a sealed signing key", sealed_key),
        (
            "a signing key (base64url DER)",
            URL_SAFE_NO_PAD.encode(&key_der)[..64].to_owned(),
        ),
        ("a signing key (base64 DER)", STANDARD.encode(&key_der)[..64].to_owned()),
        ("a signing key (hex DER)", hex::encode(&key_der)[..64].to_owned()),
    ];
    for (index, code) in recovery_codes.into_iter().enumerate() {
        assert!(!log.contains(&code), "recovery code {index} is in the log");
        assert!(
            !log.contains(&code.replace('-', "")),
            "recovery code {index} is in the log"
        );
    }
    for (what, secret) in secrets {
        assert!(secret.len() >= 6, "{what} was captured");
        assert!(!log.contains(&secret), "{what} is in the log");
    }
}
