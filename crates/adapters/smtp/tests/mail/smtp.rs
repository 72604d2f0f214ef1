use std::net::SocketAddr;
use std::time::{Duration, Instant};

use registrar_domain::Language;
use registrar_mail::{MailError, Mailer};
use registrar_smtp::testing::Received;
use registrar_smtp::{LettreMailer, MailSettings, SetupError, Tls, Transport};
use secrecy::SecretString;

use crate::support::{
    assert_confirmation_parts, confirmation, sink_and_mailer, smtp_mailer, Behaviour, ADDRESS, TIMEOUT,
};

/// A transient failure whose cause names `what`.
fn assert_transient(error: &MailError, what: &str) {
    assert!(
        matches!(error, MailError::Transient(cause) if cause.contains(what)),
        "{error:?}"
    );
}

/// Sends an English confirmation through `mailer`, which must fail (`why`
/// says why).
async fn send_failing(mailer: &LettreMailer, why: &str) -> MailError {
    mailer.send(&confirmation(Language::EN)).await.expect_err(why)
}

/// What a sink that accepts it received of a confirmation in `language`:
/// one message.
async fn delivered(language: Language) -> Received {
    let (sink, mailer) = sink_and_mailer(Behaviour::Accept, Tls::None, TIMEOUT).await;

    mailer.send(&confirmation(language)).await.expect("the sink takes it");

    let mut received = sink.received();
    assert_eq!(received.len(), 1, "{received:?}");
    received.remove(0)
}

/// A port on 127.0.0.1 that nothing listens on.
async fn closed_port() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a free port");
    listener.local_addr().expect("a bound listener has an address")
}

#[tokio::test]
async fn delivers_a_confirmation_over_a_real_smtp_conversation() {
    let mail = delivered(Language::EN).await;
    assert_eq!(mail.mail_from, "<no-reply@registrar.test>");
    assert_eq!(mail.rcpt_to, vec![format!("<{ADDRESS}>")]);
    assert!(
        mail.data.contains("Subject: Confirm your email address"),
        "{}",
        mail.data
    );
    assert!(mail.data.contains(&format!("To: Jane <{ADDRESS}>")), "{}", mail.data);
    assert_eq!(
        mail.data.matches("Content-Transfer-Encoding: 8bit").count(),
        2,
        "{}",
        mail.data
    );
    assert_confirmation_parts(&mail.data);
}

#[tokio::test]
async fn non_ascii_mail_goes_out_as_8bitmime() {
    let mail = delivered(Language::ES).await;
    assert!(mail.data.contains("Tu código: 048213"), "{}", mail.data);
}

#[tokio::test]
async fn reuses_the_connection_for_the_next_message() {
    let (sink, mailer) = sink_and_mailer(Behaviour::Accept, Tls::None, TIMEOUT).await;

    mailer.send(&confirmation(Language::EN)).await.expect("first");
    // lettre parks the connection from a task of its own.
    tokio::time::sleep(Duration::from_millis(100)).await;
    mailer.clone().send(&confirmation(Language::NL)).await.expect("second");

    assert_eq!(sink.received().len(), 2);
    assert_eq!(sink.connections(), 1, "the second message reused the pooled connection");
}

#[tokio::test]
async fn a_5xx_answer_to_the_recipient_is_permanent_and_does_not_show_the_address() {
    let (sink, mailer) = sink_and_mailer(Behaviour::RejectRecipient(550), Tls::None, TIMEOUT).await;

    let error = send_failing(&mailer, "refused").await;

    let MailError::Permanent(cause) = &error else {
        panic!("expected a permanent error, got {error:?}");
    };
    assert!(cause.contains("550"), "{cause}");
    assert!(!cause.contains(ADDRESS), "the recipient leaked: {cause}");
    assert!(cause.contains("j***@example.com"), "{cause}");
    assert!(sink.received().is_empty());
}

#[tokio::test]
async fn a_4xx_answer_is_transient() {
    let (_sink, mailer) = sink_and_mailer(Behaviour::RejectRecipient(450), Tls::None, TIMEOUT).await;

    let error = send_failing(&mailer, "deferred").await;

    assert_transient(&error, "450");
}

#[tokio::test]
async fn nothing_listening_is_transient_and_quick() {
    let addr = closed_port().await;
    let timeout = Duration::from_secs(3);
    let mailer = smtp_mailer(addr, Tls::None, timeout);

    let started = Instant::now();
    let error = send_failing(&mailer, "no server").await;

    assert!(started.elapsed() < timeout, "took {:?}", started.elapsed());
    assert_transient(&error, "refused the connection");
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_as_transient() {
    let timeout = Duration::from_millis(400);
    let (_sink, mailer) = sink_and_mailer(Behaviour::Silent, Tls::None, timeout).await;

    let started = Instant::now();
    let error = send_failing(&mailer, "no answer").await;
    let took = started.elapsed();

    assert!(
        took >= timeout && took < timeout + Duration::from_secs(2),
        "took {took:?}"
    );
    assert_transient(&error, "400 ms");
}

#[tokio::test]
async fn a_connection_abandoned_mid_message_is_not_reused() {
    let (sink, mailer) = sink_and_mailer(Behaviour::StallAfterFirstData, Tls::None, Duration::from_millis(500)).await;

    let error = send_failing(&mailer, "stalls after DATA").await;
    assert!(matches!(error, MailError::Transient(_)), "{error:?}");
    // Reusing the abandoned connection would hang on the stalled server
    // again; a fresh pool connects anew and gets through.
    tokio::time::sleep(Duration::from_millis(100)).await;
    mailer
        .send(&confirmation(Language::EN))
        .await
        .expect("a fresh connection delivers");

    assert_eq!(sink.connections(), 2);
    assert_eq!(sink.received().len(), 1);
}

#[tokio::test]
async fn implicit_tls_against_a_plain_server_names_tls() {
    let (_sink, mailer) = sink_and_mailer(Behaviour::Accept, Tls::Tls, TIMEOUT).await;

    let error = send_failing(&mailer, "no TLS there").await;

    assert_transient(&error, "TLS");
}

#[tokio::test]
async fn starttls_against_a_server_without_it_names_starttls() {
    let (sink, mailer) = sink_and_mailer(Behaviour::Accept, Tls::StartTls, TIMEOUT).await;

    let error = send_failing(&mailer, "no STARTTLS there").await;

    assert_transient(&error, "STARTTLS");
    assert!(sink.received().is_empty(), "nothing may be sent in clear");
}

#[test]
fn settings_are_checked_up_front() {
    let smtp = |host: &str, username: Option<&str>, password: Option<&str>, timeout| MailSettings {
        from: "Registrar <no-reply@registrar.test>".to_owned(),
        transport: Transport::Smtp {
            host: host.to_owned(),
            port: 587,
            username: username.map(str::to_owned),
            password: password.map(SecretString::from),
            tls: Tls::StartTls,
            timeout,
        },
    };
    let ten = Duration::from_secs(10);
    assert!(matches!(
        LettreMailer::new(smtp(" ", None, None, ten)),
        Err(SetupError::MissingHost)
    ));
    assert!(matches!(
        LettreMailer::new(smtp("mail.example.com", Some("user"), None, ten)),
        Err(SetupError::IncompleteCredentials)
    ));
    assert!(matches!(
        LettreMailer::new(smtp("mail.example.com", None, None, Duration::ZERO)),
        Err(SetupError::ZeroTimeout)
    ));
    // Outside a Tokio runtime: nothing connects, nothing is spawned.
    let mailer = LettreMailer::new(smtp("mail.example.com", Some("user"), Some("secret"), ten)).expect("valid");
    drop(mailer);
}

#[test]
fn a_mailer_that_has_sent_can_outlive_its_runtime() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let mailer = runtime.block_on(async {
        let mailer = smtp_mailer(closed_port().await, Tls::None, Duration::from_secs(1));
        send_failing(&mailer, "no server").await;
        mailer
    });
    drop(runtime);
    // lettre's pool spawns a task when dropped; with no runtime left that
    // must not panic.
    drop(mailer);
}
