//! The durable outbox with a real SMTP server: mail is never lost, never
//! makes a request fail or wait, and goes out once with several workers.

use std::time::{Duration, Instant};

use registrar_smtp::testing::{Behaviour, SmtpSink};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{smtp_mails_to as wait_for, *};

/// A port nothing listens on (yet).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

async fn a_registration_while_smtp_is_down_succeeds_at_once_and_its_mail_arrives_later(backend: Backend) {
    let port = free_port();
    let app = spawn_app_with(backend, smtp_to(port)).await;
    let email = unique_email();
    let started = Instant::now();
    let response = app.post_json("/api/register", &app.registration(&email)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "registration waited {:?} on mail",
        started.elapsed()
    );
    tokio::time::sleep(Duration::from_millis(1500)).await; // at least one failed attempt
    let sink = SmtpSink::start_on(port, Behaviour::Accept).await;
    let mail = wait_for(&sink, &email, 1).await.remove(0);
    assert!(six_digit_code(&mail).is_some(), "the code: {mail}");
    assert!(mail.contains("http://127.0.0.1:8080/confirm/"), "the link: {mail}");
    assert!(mail.contains("text/plain") && mail.contains("text/html"), "both parts");
}

async fn a_crash_between_commit_and_send_loses_no_mail(backend: Backend) {
    let sink = SmtpSink::start(Behaviour::Accept).await;
    let port = sink.addr.port();
    // The first app is only a database: its worker and the queued mail's
    // delivery are replaced by a process that commits and dies.
    let app = spawn_app_with(backend, smtp_to(port)).await;
    let email = unique_email();
    let config = {
        let mut c = registrar::config::Config::default();
        c.database.url = app.database_url.clone();
        smtp_to(port)(&mut c);
        c.password.argon2_memory_kib = 1024;
        c.password.argon2_iterations = 1;
        c
    };
    let doomed = registrar::wiring::service(&config).await.expect("service");
    let pair = app.register(&email).await; // delivered by the running app's worker
    wait_for(&sink, &email, 1).await;
    // Queue a reset through a service with no worker, then "crash" it before it sends.
    doomed
        .forgot_password(
            registrar_domain::Email::parse(&email).expect("an address"),
            registrar_domain::ClientIp::new([127, 0, 0, 1].into()),
        )
        .await
        .expect("queued");
    drop(doomed);
    assert!(pair["access_token"].is_string());
    let mails = wait_for(&sink, &email, 2).await;
    assert!(
        mails[1].contains("/reset-password/"),
        "the reset mail arrived through the surviving worker"
    );
}

async fn two_workers_deliver_each_mail_once(backend: Backend) {
    let sink = SmtpSink::start(Behaviour::Accept).await;
    let app = spawn_app_with(backend, smtp_to(sink.addr.port())).await;
    let mut emails = Vec::new();
    for _ in 0..12 {
        let email = unique_email();
        app.register(&email).await;
        emails.push(email);
    }
    for email in &emails {
        wait_for(&sink, email, 1).await;
    }
    // A second worker on the same database, then a burst of queued mail for both.
    let mut config = registrar::config::Config::default();
    config.database.url = app.database_url.clone();
    smtp_to(sink.addr.port())(&mut config);
    let second = registrar::wiring::service(&config).await.expect("service");
    let worker = second.clone();
    let task = tokio::spawn(async move { worker.run_outbox_worker().await });
    for email in &emails {
        let response = app.post_json("/api/forgot-password", &json!({"username": email})).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    for email in &emails {
        wait_for(&sink, email, 2).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    for email in &emails {
        let count = sink
            .received()
            .iter()
            .filter(|r| r.rcpt_to.iter().any(|t| t.contains(email.as_str())))
            .count();
        assert_eq!(count, 2, "{email}: a confirmation and one reset, each once");
    }
    task.abort();
}

/// Gives the stored account of `email` a name with a line feed and a bare
/// CR, straight through the store, the way names were stored before input
/// was checked.
async fn store_a_bad_name(app: &TestApp, email: &str) {
    use registrar_store::UserStore;

    let store = app.service.store();
    let email = registrar_domain::Email::parse(email).expect("a valid address");
    let user = store.user_by_email(&email).await.expect("store").expect("the user");
    let mut profile = user.profile.clone();
    profile.firstname = Some("Eve\nX".into());
    profile.lastname = Some("A\rB".into());
    store
        .update_profile(&user.id, &profile, user.language, &[])
        .await
        .expect("the name is stored as it is");
}

/// The value of an unlabelled metric in `/metrics`, when it is there.
async fn metric(app: &TestApp, name: &str) -> Option<f64> {
    let text = app.get("/metrics").send().await.expect("r").text().await.expect("text");
    let mut values = text
        .lines()
        .filter_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .map(|v| v.parse::<f64>().expect("a number"));
    let value = values.next();
    assert!(values.next().is_none(), "{name} is shown once:\n{text}");
    value
}

/// Waits (up to 20 s) until `/metrics` shows both outbox figures and `ok` holds for them.
async fn wait_for_outbox_metrics(app: &TestApp, what: &str, ok: impl Fn(f64, f64) -> bool) -> (f64, f64) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let backlog = metric(app, "registrar_mail_outbox_backlog").await;
        let age = metric(app, "registrar_mail_outbox_oldest_age_seconds").await;
        if let (Some(backlog), Some(age)) = (backlog, age) {
            if ok(backlog, age) {
                return (backlog, age);
            }
        }
        assert!(
            Instant::now() < deadline,
            "/metrics never showed {what}: backlog {backlog:?}, oldest age {age:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn forgot_password(app: &TestApp, email: &str) {
    let response = app.post_json("/api/forgot-password", &json!({"username": email})).await;
    assert_eq!(response.status(), StatusCode::OK);
}

async fn a_stored_name_with_a_line_feed_stops_no_ones_mail_with_the_file_transport(backend: Backend) {
    let app = spawn_app_with(backend, fast_outbox).await;
    let eve = unique_email();
    let ann = unique_email();
    app.register(&eve).await;
    app.register(&ann).await;
    app.wait_for_mails(&eve, 1).await;
    app.wait_for_mails(&ann, 1).await;
    store_a_bad_name(&app, &eve).await;

    // Through the worker: Eve's reset first, then Ann's.
    forgot_password(&app, &eve).await;
    forgot_password(&app, &ann).await;
    let mails = app.wait_for_mails(&ann, 2).await;
    assert!(
        mails[1].contains("/reset-password/"),
        "Ann's reset arrived: {}",
        mails[1]
    );
    let mails = app.wait_for_mails(&eve, 2).await;
    assert!(
        mails[1].contains(&format!("To: \"Eve X A B\" <{eve}>\r\n")),
        "Eve's own reset arrived, her name cleaned: {}",
        mails[1]
    );
    assert!(mails[1].contains("Hello Eve X A B,"), "{}", mails[1]);

    // Delivered by the request itself (file transport): an answer, and the mail.
    let response = app.post_json("/api/mails/verify", &json!({"email": eve})).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let mails = app.wait_for_mails(&eve, 3).await;
    assert!(six_digit_code(&mails[2]).is_some(), "a new code for Eve: {}", mails[2]);

    // And the worker still works for everybody.
    forgot_password(&app, &ann).await;
    app.wait_for_mails(&ann, 3).await;
    wait_for_outbox_metrics(&app, "an empty queue", |backlog, age| backlog == 0.0 && age == 0.0).await;
}

async fn a_stored_name_with_a_line_feed_stops_no_ones_mail_with_the_smtp_transport(backend: Backend) {
    let port = free_port();
    let app = spawn_app_with(backend, smtp_to(port)).await;
    let eve = unique_email();
    let ann = unique_email();
    // SMTP is down: both confirmations wait in the queue, Eve's the oldest.
    app.register(&eve).await;
    store_a_bad_name(&app, &eve).await;
    app.register(&ann).await;
    let (backlog, age) = wait_for_outbox_metrics(&app, "two queued mails over a second old", |backlog, age| {
        backlog == 2.0 && age >= 1.0
    })
    .await;
    assert!(age < 60.0, "the age is in seconds: {age}");
    assert_eq!(backlog, 2.0);

    let sink = SmtpSink::start_on(port, Behaviour::Accept).await;
    let mail = wait_for(&sink, &ann, 1).await.remove(0);
    assert!(six_digit_code(&mail).is_some(), "Ann's confirmation: {mail}");
    let mail = wait_for(&sink, &eve, 1).await.remove(0);
    assert!(
        mail.contains(&format!("To: \"Eve X A B\" <{eve}>\r\n")),
        "Eve's confirmation arrived, her name cleaned: {mail}"
    );

    // Another mail for Eve and then one for Ann: both arrive.
    forgot_password(&app, &eve).await;
    forgot_password(&app, &ann).await;
    let mails = wait_for(&sink, &ann, 2).await;
    assert!(
        mails.iter().any(|m| m.contains("/reset-password/")),
        "Ann's reset arrived"
    );
    wait_for(&sink, &eve, 2).await;
    wait_for_outbox_metrics(&app, "an empty queue", |backlog, age| backlog == 0.0 && age == 0.0).await;
}

on_both_backends!(
    a_registration_while_smtp_is_down_succeeds_at_once_and_its_mail_arrives_later,
    a_crash_between_commit_and_send_loses_no_mail,
    two_workers_deliver_each_mail_once,
    a_stored_name_with_a_line_feed_stops_no_ones_mail_with_the_file_transport,
    a_stored_name_with_a_line_feed_stops_no_ones_mail_with_the_smtp_transport,
);
