//! The `registrar` binary as ops use it: commands, output, exit status,
//! configuration layers and graceful shutdown.
#![allow(clippy::pedantic, clippy::restriction)] // test code

#[path = "shared/authenticator.rs"]
mod authenticator;
#[path = "shared/serve.rs"]
mod serving;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use authenticator::Authenticator;
use registrar_service::{ServiceError, TokenPair};
use serving::{listening_address, serve};

fn registrar(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_registrar"))
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("REGISTRAR_CONFIG")
        .env(
            "REGISTRAR__DATABASE__URL",
            format!("sqlite://{}", dir.join("r.db").display()),
        )
        .env("REGISTRAR__LOG__LEVEL", "warn")
        .output()
        .expect("run registrar")
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).expect("utf-8")
}

#[test]
fn migrate_prints_what_it_applied_then_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let first = stdout(&registrar(dir.path(), &["migrate"]));
    assert!(!first.trim().is_empty(), "the first run applies the schema");
    assert_eq!(stdout(&registrar(dir.path(), &["migrate"])), "");
}

#[test]
fn client_add_prints_the_id_alone_and_list_and_remove_use_it() {
    let dir = tempfile::tempdir().expect("dir");
    let added = stdout(&registrar(dir.path(), &["client", "add", "--name", "Bakery app"]));
    let id = added.lines().next().expect("a first line").to_owned();
    assert!(id.len() >= 32 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    let list = stdout(&registrar(dir.path(), &["client", "list"]));
    assert!(
        list.lines().any(|l| l.starts_with(&id) && l.contains("Bakery app")),
        "{list}"
    );
    assert!(
        list.lines().any(|l| l.starts_with("web\t")),
        "the built-in web client: {list}"
    );
    stdout(&registrar(dir.path(), &["client", "remove", &id]));
    assert!(!stdout(&registrar(dir.path(), &["client", "list"])).contains(&id));
    let again = registrar(dir.path(), &["client", "remove", &id]);
    assert!(!again.status.success());
    let web = registrar(dir.path(), &["client", "remove", "web"]);
    assert!(!web.status.success(), "the web client stays");
}

#[test]
fn keys_rotate_prints_the_new_kid_and_list_shows_it_current_and_the_old_one_retired() {
    let dir = tempfile::tempdir().expect("dir");
    assert_eq!(
        stdout(&registrar(dir.path(), &["keys", "list"])),
        "",
        "no key before the first use"
    );
    let rotated = registrar(dir.path(), &["keys", "rotate"]);
    let first = stdout(&rotated).trim_end().to_owned();
    assert!(
        !first.is_empty()
            && first
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "a URL-safe kid alone: {first:?}"
    );
    let second = stdout(&registrar(dir.path(), &["keys", "rotate"]))
        .trim_end()
        .to_owned();
    assert_ne!(first, second);
    let list = stdout(&registrar(dir.path(), &["keys", "list"]));
    let lines: Vec<Vec<&str>> = list.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(lines.len(), 2, "{list}");
    assert_eq!(
        (lines[0][0], lines[0][1], lines[0][3]),
        (second.as_str(), "RS256", "current"),
        "{list}"
    );
    assert_eq!((lines[1][0], lines[1][1]), (first.as_str(), "RS256"), "{list}");
    assert_eq!(
        lines[1][3],
        format!("retired {}", lines[0][2]),
        "retired when the newer key was made: {list}"
    );
    assert!(
        !String::from_utf8_lossy(&rotated.stderr).contains("v1."),
        "no sealed key in the logs"
    );
}

#[test]
fn client_add_confidential_prints_a_secret_once_and_secret_rotate_replaces_it() {
    let dir = tempfile::tempdir().expect("dir");
    let added = stdout(&registrar(
        dir.path(),
        &[
            "client",
            "add",
            "--name",
            "Partner portal",
            "--confidential",
            "--redirect-uri",
            "https://partner.example/cb",
            "--redirect-uri",
            "http://127.0.0.1:8400/cb",
            "--post-logout-redirect-uri",
            "https://partner.example/bye",
            "--trusted",
        ],
    ));
    let lines: Vec<&str> = added.lines().collect();
    assert_eq!(lines.len(), 2, "the client_id, then the secret: {added}");
    let (id, secret) = (lines[0], lines[1]);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    let is_secret = |s: &str| s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    assert!(is_secret(secret), "256 bits as lowercase hex: {secret}");

    let public = stdout(&registrar(dir.path(), &["client", "add", "--name", "Phone app"]));
    assert_eq!(public.lines().count(), 1, "a public client has no secret: {public}");
    let public = public.trim();

    let list = stdout(&registrar(dir.path(), &["client", "list"]));
    let line = |id: &str| -> Vec<String> {
        let line = list
            .lines()
            .find(|l| l.starts_with(&format!("{id}\t")))
            .unwrap_or_else(|| panic!("{id} listed: {list}"));
        line.split('\t').map(str::to_owned).collect()
    };
    let confidential = line(id);
    assert_eq!(
        confidential[3..],
        [
            "confidential",
            "trusted",
            "https://partner.example/cb http://127.0.0.1:8400/cb",
            "https://partner.example/bye"
        ]
    );
    assert_eq!(line(public)[3..], ["public", "untrusted", "-", "-"]);
    assert_eq!(
        line("web")[3..],
        ["public", "untrusted", "-", "-"],
        "the built-in client is public"
    );
    assert!(!list.contains(secret), "the list shows no secret");

    let rotated = stdout(&registrar(dir.path(), &["client", "secret-rotate", id]));
    let rotated = rotated.trim();
    assert!(is_secret(rotated) && rotated != secret, "a new secret: {rotated}");
    let of_public = registrar(dir.path(), &["client", "secret-rotate", public]);
    assert_eq!(of_public.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&of_public.stderr).contains("public"));
    let unknown = registrar(dir.path(), &["client", "secret-rotate", "nobody"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no client nobody"));
}

#[test]
fn client_add_refuses_redirect_uris_that_are_relative_carry_a_fragment_or_use_http_beyond_loopback() {
    let dir = tempfile::tempdir().expect("dir");
    for (flag, uri, says) in [
        ("--redirect-uri", "/callback", "absolute"),
        ("--redirect-uri", "https://app.example/cb#top", "fragment"),
        ("--redirect-uri", "http://app.example/cb", "loopback"),
        ("--redirect-uri", "http://localhost:8400/cb", "loopback"),
        ("--post-logout-redirect-uri", "javascript:alert(1)", "scheme"),
        ("--redirect-uri", "https://app.example/\u{7}", "control"),
    ] {
        let output = registrar(dir.path(), &["client", "add", "--name", "App", flag, uri]);
        assert_eq!(output.status.code(), Some(2), "{uri} refused");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(says), "{uri}: {stderr}");
    }
    let list = stdout(&registrar(dir.path(), &["client", "list"]));
    assert_eq!(list.lines().count(), 1, "only the web client: {list}");
}

#[test]
fn policy_publish_prints_the_revision_id_and_list_marks_the_current_one() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("terms.nl.html"), "<h1>Voorwaarden</h1>").expect("write");
    let file = dir.path().join("tac.toml");
    std::fs::write(
        &file,
        r#"type = "tac"
version = "2.0"
[translations.en]
title = "Terms and conditions"
description = "Please read and accept our terms."
button = "I agree"
html = "<h1>Terms</h1>"
[translations.nl]
title = "Algemene voorwaarden"
html_file = "terms.nl.html"
"#,
    )
    .expect("write");
    let first: i64 = stdout(&registrar(dir.path(), &["policy", "publish", "tac.toml"]))
        .lines()
        .next()
        .expect("line")
        .parse()
        .expect("an integer id");
    let second: i64 = stdout(&registrar(dir.path(), &["policy", "publish", "tac.toml"]))
        .lines()
        .next()
        .expect("line")
        .parse()
        .expect("an integer id");
    assert!(second > first);
    let list = stdout(&registrar(dir.path(), &["policy", "list"]));
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 2, "{list}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&format!("{second}\ttac\t2.0")) && l.contains("current") && l.contains("en,nl")),
        "{list}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&format!("{first}\t")) && l.contains("superseded")),
        "{list}"
    );
}

#[test]
fn a_bad_policy_file_is_refused_with_a_reason() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(
        dir.path().join("bad.toml"),
        "type = \"tac\"\nversion = \"1\"\n[translations.xx]\ntitle = \"?\"\nhtml = \"\"\n",
    )
    .expect("write");
    let output = registrar(dir.path(), &["policy", "publish", "bad.toml"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("translations.xx"), "{stderr}");
}

#[test]
fn a_bad_configuration_value_stops_start_up_naming_the_key() {
    let dir = tempfile::tempdir().expect("dir");
    for (key, value, named) in [
        ("REGISTRAR__HTTP__PORT", "eighty", "http.port"),
        ("REGISTRAR__MAIL__TRANSPORT", "pigeon", "mail.transport"),
        (
            "REGISTRAR__AUTH__MAX_SESSIONS_PER_CLIENT",
            "0",
            "auth.max_sessions_per_client",
        ),
        ("REGISTRAR__I18N__DEFAULT_LANGUAGE", "ja", "i18n.default_language"),
        ("REGISTRAR__PASSWORD__ARGON2_MEMORY_KIB", "1", "password.argon2"),
        (
            "REGISTRAR__HTTP__TRUSTED_PROXIES",
            "10.0.0.1,proxy.example",
            "http.trusted_proxies",
        ),
        ("REGISTRAR__HTTP__MAX_HEADER_BYTES", "10", "http.max_header_bytes"),
        ("REGISTRAR__HTTP__BODY_TIMEOUT", "0", "http.body_timeout"),
        ("REGISTRAR__THROTTLE__LOGIN_WINDOW", "0", "throttle.login_window"),
        ("REGISTRAR__THROTTLE__LOCKOUT", "100000", "throttle.lockout"),
        ("REGISTRAR__MFA__ISSUER", "Acme:Corp", "mfa.issuer"),
        (
            "REGISTRAR__SECURITY__PREVIOUS_SECRET_KEYS",
            "too-short",
            "security.previous_secret_keys",
        ),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_registrar"))
            .arg("migrate")
            .current_dir(dir.path())
            .env(key, value)
            .output()
            .expect("run");
        assert!(!output.status.success(), "{key}={value} accepted");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(named), "{key}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    }
}

#[test]
fn the_toml_file_is_read_and_environment_variables_override_it() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("registrar.toml");
    std::fs::write(&file, "[database]\nurl = \"sqlite://from-file.db\"\n").expect("write");
    let from_file = Command::new(env!("CARGO_BIN_EXE_registrar"))
        .args(["--config", "registrar.toml", "migrate"])
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .output()
        .expect("run");
    assert!(from_file.status.success());
    assert!(dir.path().join("from-file.db").exists());
    let from_env = Command::new(env!("CARGO_BIN_EXE_registrar"))
        .arg("migrate")
        .current_dir(dir.path())
        .env("REGISTRAR_CONFIG", &file)
        .env("DATABASE_URL", "sqlite://from-database-url.db")
        .output()
        .expect("run");
    assert!(from_env.status.success());
    assert!(
        dir.path().join("from-database-url.db").exists(),
        "DATABASE_URL beats the file"
    );
    let registrar_wins = Command::new(env!("CARGO_BIN_EXE_registrar"))
        .arg("migrate")
        .current_dir(dir.path())
        .env("REGISTRAR_CONFIG", &file)
        .env("DATABASE_URL", "sqlite://ignored.db")
        .env("REGISTRAR__DATABASE__URL", "sqlite://from-registrar-env.db")
        .output()
        .expect("run");
    assert!(registrar_wins.status.success());
    assert!(dir.path().join("from-registrar-env.db").exists());
    assert!(!dir.path().join("ignored.db").exists());
}

#[test]
fn serve_answers_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().expect("dir");
    let mut child = serve(dir.path())
        .env(
            "REGISTRAR__DATABASE__URL",
            format!("sqlite://{}", dir.path().join("r.db").display()),
        )
        .spawn()
        .expect("spawn");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let address = loop {
        let line = lines.next().expect("serve logs before it dies").expect("line");
        if let Some(address) = listening_address(&line) {
            break address;
        }
    };
    let health = std::net::TcpStream::connect(&address).map(|mut s| {
        use std::io::{Read, Write};
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .expect("write");
        let mut answer = String::new();
        s.read_to_string(&mut answer).expect("read");
        answer
    });
    assert!(health.expect("connect").starts_with("HTTP/1.1 200"));
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill")
        .success());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "still running 20 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit status after SIGTERM: {status}");
    assert!(std::net::TcpStream::connect(&address).is_err(), "the port is closed");
}

#[test]
fn invite_create_prints_a_token_alone_and_refuses_zero_uses() {
    let dir = tempfile::tempdir().expect("dir");
    let out = stdout(&registrar(
        dir.path(),
        &["invite", "create", "--name", "partners", "--uses", "3"],
    ));
    let token = out.lines().next().expect("a first line");
    assert!(
        token.len() >= 32 && token.bytes().all(|b| b.is_ascii_hexdigit()),
        "{token}"
    );
    assert_eq!(out.lines().count(), 1);
    let other = stdout(&registrar(dir.path(), &["invite", "create"]));
    assert_ne!(other.trim(), token);
    assert!(!registrar(dir.path(), &["invite", "create", "--uses", "0"])
        .status
        .success());
}

const ANN: &str = "ann@example.com";
const ANNS_PASSWORD: &str = "Correct-Horse-42";

fn localhost() -> registrar_domain::ClientIp {
    registrar_domain::ClientIp::new([127, 0, 0, 1].into())
}

/// The service on the database in `dir` (the one the commands use, mailing
/// to `dir/outbox` as they do).
async fn service_on(dir: &Path) -> registrar::wiring::Service {
    let mut config = registrar::config::Config::default();
    config.database.url = format!("sqlite://{}", dir.join("r.db").display());
    config.mail.outbox_dir = dir.join("outbox");
    config.email.check_domain = false;
    config.password.argon2_memory_kib = 1024;
    config.password.argon2_iterations = 1;
    let service = registrar::wiring::service(&config).await.expect("service");
    service.store().migrate().await.expect("migrate");
    service
}

/// [`service_on`] `dir`, with Ann registered.
async fn ann_registered(dir: &Path) -> registrar::wiring::Service {
    let service = service_on(dir).await;
    let input = registrar_service::UsersRegisterInput {
        first_name: Some("Ann".into()),
        last_name: Some("Lee".into()),
        email: Some(ANN.into()),
        postal_code: Some("4000".into()),
        password: Some(ANNS_PASSWORD.into()),
        ..Default::default()
    };
    let registration = registrar_service::UsersRegistration::parse(input, service.rules());
    service
        .register_user(registration, localhost())
        .await
        .expect("registered");
    service
}

/// Ann's password login on the web client.
async fn ann_logs_in(service: &registrar::wiring::Service) -> Result<TokenPair, ServiceError> {
    logs_in(service, ANN, ANNS_PASSWORD).await
}

/// A password login on the web client.
async fn logs_in(service: &registrar::wiring::Service, email: &str, password: &str) -> Result<TokenPair, ServiceError> {
    let input = registrar_service::LoginInput {
        client_id: Some(registrar_domain::WEB_CLIENT_ID.into()),
        device_id: Some("laptop".into()),
        device_name: Some("Laptop".into()),
        email: Some(email.into()),
        password: Some(password.into()),
    };
    let login = registrar_service::Login::parse(&input).expect("a complete login");
    service.login(login, localhost()).await
}

/// The subjects of the mails in `dir/outbox`.
fn subjects(dir: &Path) -> Vec<String> {
    let entries = std::fs::read_dir(dir.join("outbox")).expect("the outbox");
    entries
        .map(|entry| std::fs::read_to_string(entry.expect("an entry").path()).expect("a mail"))
        .filter_map(|mail| {
            mail.lines()
                .find_map(|l| l.strip_prefix("Subject: ").map(str::to_owned))
        })
        .collect()
}

/// A command that must fail, as for an unknown address: exit status 1 and
/// one line saying there is no such account.
fn assert_no_account(output: &Output) {
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no account"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}

#[tokio::test]
async fn user_factors_lists_them_and_factors_reset_removes_them_and_mails_the_user() {
    let dir = tempfile::tempdir().expect("dir");
    let service = ann_registered(dir.path()).await;
    let pair = ann_logs_in(&service).await.expect("no second factor yet");
    let ann = service
        .authenticate(pair.access_token.expose())
        .await
        .expect("signed in");
    let factors = |args: &[&str]| stdout(&registrar(dir.path(), args));
    assert_eq!(
        factors(&["user", "factors", ANN]),
        "totp\toff\npasskeys\t0\nrecovery_codes_left\t0\n"
    );

    let enrolment = service.enrol_totp(&ann).await.expect("enrolled");
    assert_eq!(
        factors(&["user", "factors", ANN]),
        "totp\tpending\npasskeys\t0\nrecovery_codes_left\t0\n"
    );
    let app = Authenticator::scan(&enrolment.secret);
    service
        .confirm_totp(&ann, &app.code(0), localhost())
        .await
        .expect("confirmed");
    assert_eq!(
        factors(&["user", "factors", "Ann@Example.com"]),
        "totp\ton\npasskeys\t0\nrecovery_codes_left\t10\n"
    );
    assert!(
        matches!(ann_logs_in(&service).await, Err(ServiceError::MfaRequired(_))),
        "the password alone no longer signs in"
    );

    let reset = factors(&["user", "factors-reset", ANN]);
    assert_eq!(reset.lines().count(), 1, "{reset}");
    assert!(reset.contains("removed") && reset.contains(ANN), "{reset}");
    assert_eq!(
        factors(&["user", "factors", ANN]),
        "totp\toff\npasskeys\t0\nrecovery_codes_left\t0\n"
    );
    assert!(ann_logs_in(&service).await.is_ok(), "the password alone signs in again");
    let off = "Two-step verification is off";
    assert_eq!(
        subjects(dir.path()).iter().filter(|s| *s == off).count(),
        1,
        "{:?}",
        subjects(dir.path())
    );

    let again = factors(&["user", "factors-reset", ANN]);
    assert!(again.contains("no second factor"), "{again}");
    assert_eq!(
        subjects(dir.path()).iter().filter(|s| *s == off).count(),
        1,
        "nothing removed, nothing mailed"
    );
    for command in ["factors", "factors-reset"] {
        assert_no_account(&registrar(dir.path(), &["user", command, "nobody@example.com"]));
    }
}

#[tokio::test]
async fn user_commands_show_disable_enable_change_the_role_and_delete() {
    let dir = tempfile::tempdir().expect("dir");
    ann_registered(dir.path()).await;

    let show = stdout(&registrar(dir.path(), &["user", "show", "ANN@example.com"]));
    for line in [
        "email\tann@example.com",
        "role\tguest",
        "disabled\tfalse",
        "email_confirmed\tfalse",
        "name\tAnn Lee",
    ] {
        assert!(show.lines().any(|l| l == line), "{line:?} in {show}");
    }
    stdout(&registrar(dir.path(), &["user", "disable", "ann@example.com"]));
    assert!(stdout(&registrar(dir.path(), &["user", "show", "ann@example.com"])).contains("disabled\ttrue"));
    stdout(&registrar(dir.path(), &["user", "enable", "ann@example.com"]));
    assert!(stdout(&registrar(dir.path(), &["user", "show", "ann@example.com"])).contains("disabled\tfalse"));
    stdout(&registrar(dir.path(), &["user", "role", "ann@example.com", "admin"]));
    assert!(stdout(&registrar(dir.path(), &["user", "show", "ann@example.com"])).contains("role\tadmin"));
    assert!(
        !registrar(dir.path(), &["user", "role", "ann@example.com", "Not A Role!"])
            .status
            .success()
    );
    stdout(&registrar(dir.path(), &["user", "delete", "ann@example.com"]));
    assert_no_account(&registrar(dir.path(), &["user", "show", "ann@example.com"]));
}

/// Writes `lines` to `dir/name` and runs `registrar user import` on it.
fn import(dir: &Path, name: &str, lines: &[&str]) -> Output {
    let file = dir.join(name);
    std::fs::write(&file, lines.join("\n") + "\n").expect("write the file");
    registrar(dir, &["user", "import", file.to_str().expect("a UTF-8 path")])
}

/// Publishes a terms revision through the CLI; its id.
fn published_terms(dir: &Path) -> String {
    let file = dir.join("terms.toml");
    std::fs::write(
        &file,
        "type = \"tac\"\nversion = \"1\"\n[translations.en]\ntitle = \"Terms\"\nhtml = \"<h1>Terms</h1>\"\n",
    )
    .expect("write the policy");
    stdout(&registrar(dir, &["policy", "publish", file.to_str().expect("path")]))
        .trim()
        .to_owned()
}

#[tokio::test]
async fn user_import_moves_accounts_in_that_sign_in_with_their_old_passwords() {
    let dir = tempfile::tempdir().expect("dir");
    let terms = published_terms(dir.path());
    let lines = [
        // PHP's password_hash() (its manual's example) of "rasmuslerdorf".
        r#"{"email": "Php@Example.com", "password_hash": "$2y$07$BCryptRequires22Chrcte/VlQH0piJtjXl.0t1XkA8pw9dMXTpOq", "email_confirmed": true, "firstname": "Rasmus", "lastname": "Lerdorf", "language": "nl", "role": "editor", "created_at": "2015-06-01T10:00:00Z", "accepted_policies": [TERMS]}"#,
        // Django's make_password("lètmein", "seasalt", "pbkdf2_sha256").
        r#"{"email": "django@example.com", "password_hash": "pbkdf2_sha256$10000$seasalt$CWWFdHOWwPnki7HvkcqN9iA2T3KLW1cf2uZ5kvArtVY=", "telephone": "+32 475 00 00 00"}"#,
        "",
        r#"{"email": "nohash@example.com", "email_confirmed": null}"#,
    ]
    .map(|line| line.replace("TERMS", &terms));
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let output = import(dir.path(), "users.jsonl", &lines);
    assert_eq!(stdout(&output), "3\n");

    let service = service_on(dir.path()).await;
    assert!(logs_in(&service, "php@example.com", "rasmuslerdorf").await.is_ok());
    assert!(logs_in(&service, "django@example.com", "lètmein").await.is_ok());
    assert!(logs_in(&service, "django@example.com", "letmein").await.is_err());
    assert!(
        logs_in(&service, "nohash@example.com", "anything").await.is_err(),
        "no password until one is set through forgot-password"
    );
    let show = stdout(&registrar(dir.path(), &["user", "show", "php@example.com"]));
    for line in [
        "email\tPhp@Example.com",
        "role\teditor",
        "name\tRasmus Lerdorf",
        "language\tnl",
        "email_confirmed\ttrue",
        "created_at\t2015-06-01T10:00:00Z",
        "sessions\t1",
    ] {
        assert!(show.lines().any(|l| l == line), "{line:?} in {show}");
    }
    let show = stdout(&registrar(dir.path(), &["user", "show", "nohash@example.com"]));
    assert!(
        show.contains("email_confirmed\tfalse") && show.contains("sessions\t0"),
        "{show}"
    );

    let trail = stdout(&registrar(dir.path(), &["audit", "tail", "--last", "50"]));
    let imported: Vec<serde_json::Value> = trail
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .filter(|e: &serde_json::Value| e["data"]["source"] == "import")
        .collect();
    let kinds: Vec<(&str, &str)> = imported
        .iter()
        .map(|e| (e["type"].as_str().unwrap_or(""), e["actor"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == ("user.registered", "cli")).count(),
        3,
        "{trail}"
    );
    assert_eq!(
        kinds.iter().filter(|k| **k == ("policy.accepted", "cli")).count(),
        1,
        "{trail}"
    );

    let again = import(dir.path(), "again.jsonl", &lines);
    assert_eq!(again.status.code(), Some(1));
    let report = String::from_utf8_lossy(&again.stderr);
    assert!(report.contains("line 1: email: already has an account"), "{report}");
    assert!(report.contains("line 4: email: already has an account"), "{report}");
}

#[test]
fn user_import_refuses_a_malformed_file_by_line_and_imports_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let output = import(
        dir.path(),
        "bad.jsonl",
        &[
            r#"{"email": "good@example.com", "password_hash": "$2b$04$abcdefghijklmnopqrstuuYYiAaL/2C3TU6ycJeUE.ShiBYaq7l8S"}"#,
            r#"{"email": "broken@example.com""#,
            r#"{"email": "not-an-address", "role": "Super Admin!"}"#,
            r#"{"email": "role@example.com", "role": "Super Admin!"}"#,
            r#"{"email": "GOOD@example.com"}"#,
            r#"{"email": "policy@example.com", "accepted_policies": [99]}"#,
            r#"{"email": "hash@example.com", "password_hash": "$1$abc$notahash"}"#,
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    let report = String::from_utf8_lossy(&output.stderr);
    // The first command in a fresh folder also warns that it made a server secret.
    let lines: Vec<&str> = report.lines().filter(|l| l.starts_with("line ")).collect();
    let expected = [
        "line 2: not JSON (",
        "line 3: email: not a valid email address",
        "line 3: role: not a role",
        "line 4: role: not a role",
        "line 5: email: also on line 1",
        "line 6: accepted_policies: no published revision 99",
        "line 7: password_hash: not a hash format Registrar verifies",
    ];
    assert_eq!(lines.len(), expected.len(), "{report}");
    for (line, start) in lines.iter().zip(expected) {
        assert!(line.starts_with(start), "{line:?} starts with {start:?}\n{report}");
    }
    let last = report.lines().last().unwrap_or_default();
    assert!(
        last.contains("refused (7 errors above); nothing was imported"),
        "{report}"
    );
    assert!(output.stdout.is_empty(), "nothing on stdout");
    for email in ["good@example.com", "role@example.com", "hash@example.com"] {
        assert_no_account(&registrar(dir.path(), &["user", "show", email]));
    }
    let missing = registrar(dir.path(), &["user", "import", "/nonexistent/users.jsonl"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read"));
}

#[test]
fn seed_inserts_confirmed_users_in_batches_and_prints_the_count() {
    let dir = tempfile::tempdir().expect("dir");
    let client = stdout(&registrar(dir.path(), &["client", "add", "--name", "bench"]));
    let client = client.lines().next().expect("client id");
    let out = stdout(&registrar(
        dir.path(),
        &["seed", "--users", "12000", "--client", client],
    ));
    assert_eq!(out.trim(), "12000");
    let show = stdout(&registrar(dir.path(), &["user", "show", "seed-11999@bench.example"]));
    assert!(show.contains("email\tseed-11999@bench.example"), "{show}");
    assert!(!registrar(dir.path(), &["user", "show", "seed-12000@bench.example"])
        .status
        .success());
    let again = registrar(dir.path(), &["seed", "--users", "1", "--from", "5", "--client", client]);
    assert!(!again.status.success(), "an index seeded twice is refused");
}

#[test]
fn webhook_add_prints_id_then_secret_and_the_other_commands_use_the_id() {
    let dir = tempfile::tempdir().unwrap();
    let added = stdout(&registrar(
        dir.path(),
        &[
            "webhook",
            "add",
            "--url",
            "https://hooks.example.com/in",
            "--events",
            "user.registered,user.deleted",
        ],
    ));
    let lines: Vec<&str> = added.lines().collect();
    assert_eq!(lines.len(), 2, "{added}");
    let (id, secret) = (lines[0], lines[1]);
    assert!(id.starts_with("wh_"), "{id}");
    assert!(secret.starts_with("whsec_"), "{secret}");

    let list = stdout(&registrar(dir.path(), &["webhook", "list"]));
    let row: Vec<&str> = list.trim_end().split('\t').collect();
    assert_eq!(
        row[..4],
        [
            id,
            "https://hooks.example.com/in",
            "user.registered,user.deleted",
            "enabled"
        ][..]
    );
    assert!(!list.contains(&secret[6..]), "never the secret");

    stdout(&registrar(dir.path(), &["webhook", "disable", id]));
    assert!(stdout(&registrar(dir.path(), &["webhook", "list"])).contains("\tdisabled\t"));
    stdout(&registrar(dir.path(), &["webhook", "enable", id]));
    assert!(stdout(&registrar(dir.path(), &["webhook", "list"])).contains("\tenabled\t"));

    let rotated = stdout(&registrar(dir.path(), &["webhook", "rotate-secret", id]));
    assert!(rotated.trim().starts_with("whsec_") && rotated.trim() != secret);

    stdout(&registrar(dir.path(), &["webhook", "delete", id]));
    assert_eq!(stdout(&registrar(dir.path(), &["webhook", "list"])), "");
    let again = registrar(dir.path(), &["webhook", "delete", id]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("no webhook endpoint"));

    // Every change is an admin action by the CLI, oldest first.
    let tail = stdout(&registrar(dir.path(), &["audit", "tail"]));
    let actions: Vec<serde_json::Value> = tail.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let names: Vec<&str> = actions.iter().map(|e| e["data"]["action"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "webhook.add",
            "webhook.disable",
            "webhook.enable",
            "webhook.rotate_secret",
            "webhook.delete"
        ]
    );
    for event in &actions {
        assert_eq!(event["type"], "admin.action");
        assert_eq!(event["actor"], "cli");
        assert_eq!(event["data"]["target"], id);
        assert!(!event.to_string().contains(&secret[6..]));
    }
    let last_two = stdout(&registrar(dir.path(), &["audit", "tail", "--last", "2"]));
    assert_eq!(last_two.lines().count(), 2);
    assert!(last_two.lines().last().unwrap().contains("webhook.delete"));
    let none = stdout(&registrar(
        dir.path(),
        &["audit", "tail", "--since", "2999-01-01T00:00:00Z"],
    ));
    assert_eq!(none, "");
}

#[test]
fn webhook_add_refuses_plain_http_by_default_bad_urls_and_unknown_events() {
    let dir = tempfile::tempdir().unwrap();
    for (args, says) in [
        (vec!["--url", "http://hooks.example.com/in"], "https required"),
        (
            vec!["--url", "https://user:pw@hooks.example.com/"],
            "no user or password",
        ),
        (vec!["--url", "hooks.example.com"], "not an absolute URL"),
        (
            vec!["--url", "https://hooks.example.com/", "--events", "user.exploded"],
            "user.exploded",
        ),
    ] {
        let mut all = vec!["webhook", "add"];
        all.extend(args);
        let output = registrar(dir.path(), &all);
        assert!(!output.status.success(), "{all:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(says), "{all:?}: {stderr}");
    }
    assert_eq!(stdout(&registrar(dir.path(), &["webhook", "list"])), "");
}

#[test]
fn audit_tail_follow_prints_new_events_as_they_come() {
    let dir = tempfile::tempdir().unwrap();
    stdout(&registrar(dir.path(), &["migrate"]));
    let mut follow = Command::new(env!("CARGO_BIN_EXE_registrar"))
        .args(["audit", "tail", "--follow"])
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .env_remove("REGISTRAR_CONFIG")
        .env(
            "REGISTRAR__DATABASE__URL",
            format!("sqlite://{}", dir.path().join("r.db").display()),
        )
        .env("REGISTRAR__LOG__LEVEL", "warn")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(follow.stdout.take().unwrap()).lines();
    std::thread::sleep(Duration::from_millis(500));
    let id = stdout(&registrar(
        dir.path(),
        &["webhook", "add", "--url", "https://hooks.example.com/"],
    ));
    let id = id.lines().next().unwrap().to_owned();
    let line = lines.next().unwrap().unwrap();
    follow.kill().unwrap();
    let _ = follow.wait();
    let event: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(event["data"]["target"], id.as_str());
}

#[test]
fn bad_audit_and_webhook_settings_stop_the_start_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    for (key, value, says) in [
        ("REGISTRAR__AUDIT__IP", "partial", "full, truncated or hashed"),
        ("REGISTRAR__AUDIT__RETENTION_DAYS", "0", "audit.retention_days"),
        ("REGISTRAR__WEBHOOKS__TIMEOUT", "0", "webhooks.timeout"),
        (
            "REGISTRAR__WEBHOOKS__MAX_CONCURRENT_PER_ENDPOINT",
            "0",
            "webhooks.max_concurrent_per_endpoint",
        ),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_registrar"))
            .args(["webhook", "list"])
            .current_dir(dir.path())
            .env_remove("DATABASE_URL")
            .env_remove("REGISTRAR_CONFIG")
            .env(
                "REGISTRAR__DATABASE__URL",
                format!("sqlite://{}", dir.path().join("r.db").display()),
            )
            .env(key, value)
            .output()
            .unwrap();
        assert!(!output.status.success(), "{key}={value}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(says), "{key}={value}: {stderr}");
    }
}

#[tokio::test]
async fn admin_key_create_prints_the_key_alone_list_never_shows_it_and_revoke_ends_it() {
    use registrar_domain::AdminScope;
    let dir = tempfile::tempdir().expect("dir");
    let out = stdout(&registrar(
        dir.path(),
        &[
            "admin-key",
            "create",
            "--name",
            "ops-bot",
            "--scopes",
            "users:read,audit:read",
        ],
    ));
    assert_eq!(out.lines().count(), 1, "the key alone: {out}");
    let key = out.trim().to_owned();
    assert!(key.starts_with("rgk_") && key.len() == 47, "{key}");

    let again = registrar(
        dir.path(),
        &["admin-key", "create", "--name", "ops-bot", "--scopes", "users:read"],
    );
    assert!(!again.status.success(), "a name is one key forever");
    let bad = registrar(dir.path(), &["admin-key", "create", "--name", "x", "--scopes", "root"]);
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("root"),
        "names the unknown scope"
    );

    let list = stdout(&registrar(dir.path(), &["admin-key", "list"]));
    let line = list.lines().find(|l| l.starts_with("ops-bot\t")).expect("listed");
    assert!(
        line.contains("users:read,audit:read") && line.contains("never") && line.ends_with("live"),
        "{line}"
    );
    assert!(!list.contains(&key[4..]), "never the key");

    let service = ann_registered(dir.path()).await;
    let found = service
        .authenticate_admin(Some(&key), AdminScope::AuditRead, localhost())
        .await
        .expect("the key works");
    assert_eq!(found.name, "ops-bot");
    assert!(matches!(
        service
            .authenticate_admin(Some(&key), AdminScope::UsersWrite, localhost())
            .await,
        Err(registrar_service::AdminAuthError::InsufficientScope(
            AdminScope::UsersWrite
        ))
    ));
    let list = stdout(&registrar(dir.path(), &["admin-key", "list"]));
    assert!(!list.contains("never"), "used now: {list}");

    assert_eq!(
        stdout(&registrar(dir.path(), &["admin-key", "revoke", "ops-bot"])).trim(),
        "revoked ops-bot"
    );
    assert!(!registrar(dir.path(), &["admin-key", "revoke", "ops-bot"])
        .status
        .success());
    assert!(matches!(
        service
            .authenticate_admin(Some(&key), AdminScope::AuditRead, localhost())
            .await,
        Err(registrar_service::AdminAuthError::Invalid)
    ));
    let list = stdout(&registrar(dir.path(), &["admin-key", "list"]));
    assert!(list.contains("\trevoked "), "{list}");

    let trail = service
        .admin_audit_events(
            &registrar_store::AuditFilter {
                actor: Some("cli".into()),
                ..Default::default()
            },
            registrar_store::AuditCursor::Before(None),
            10,
        )
        .await
        .expect("the trail");
    let actions: Vec<_> = trail.iter().map(|r| r.event.data["action"].clone()).collect();
    assert_eq!(actions, ["admin_key.revoked", "admin_key.created"]);
}

#[test]
fn passwords_import_breached_prints_the_entries_kept_and_the_filter_size_and_names_bad_lines() {
    use registrar_domain::breached::hibp_hash;
    let dir = tempfile::tempdir().expect("dir");
    let mut lines: Vec<String> = (0..3_000)
        .map(|i| format!("{}:{}", hibp_hash(&format!("leaked-{i}")), i % 3 + 1))
        .collect();
    lines.sort();
    let file = dir.path().join("pwned.txt");
    std::fs::write(&file, lines.join("\r\n")).expect("file");
    let file = file.to_str().expect("a path");
    let all = stdout(&registrar(dir.path(), &["passwords", "import-breached", file]));
    assert!(
        all.starts_with("kept 3000 entries (3000 lines read, 0 below --min-count 1)\n"),
        "{all}"
    );
    assert!(all.contains("filter: ") && all.contains(" bits per entry"), "{all}");
    let some = stdout(&registrar(
        dir.path(),
        &["passwords", "import-breached", file, "--min-count", "3"],
    ));
    assert!(
        some.starts_with("kept 1000 entries (3000 lines read, 2000 below --min-count 3)\n"),
        "{some}"
    );

    let bad = dir.path().join("ntlm.txt");
    std::fs::write(&bad, format!("{}\n8846F7EAEE8FB117AD06BDD830B7586C:3\n", lines[0])).expect("file");
    let refused = registrar(
        dir.path(),
        &["passwords", "import-breached", bad.to_str().expect("a path")],
    );
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("line 2: the hash is not 40 hexadecimal digits (a SHA-1)"),
        "{stderr}"
    );
    let missing = registrar(dir.path(), &["passwords", "import-breached", "no-such-file.txt"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot open no-such-file.txt"));
}
