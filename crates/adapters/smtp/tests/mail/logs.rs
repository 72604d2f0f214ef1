use std::io::Write;
use std::sync::{Arc, Mutex};

use registrar_domain::Language;
use registrar_mail::Mailer;
use registrar_smtp::{LettreMailer, MailSettings, Tls, Transport};
use tracing_subscriber::fmt::MakeWriter;

use crate::support::{
    confirmation, smtp_settings, Behaviour, SmtpSink, ADDRESS, CODE_DIGITS, CODE_GROUPED, LINK, TIMEOUT,
};

/// Everything logged while it is the default subscriber of this thread.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log buffer")).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

fn capture() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::TRACE)
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    (captured, guard)
}

fn assert_nothing_secret(log: &str) {
    assert!(!log.contains(ADDRESS), "the address leaked: {log}");
    assert!(
        !log.contains(CODE_DIGITS) && !log.contains(CODE_GROUPED),
        "the code leaked: {log}"
    );
    assert!(!log.contains(LINK), "the link leaked: {log}");
}

// Tokio's test runtime is single-threaded, so the thread's subscriber sees
// everything the mailer logs.
#[tokio::test]
async fn the_log_transport_says_what_was_sent_to_whom_masked_and_nothing_more() {
    let (captured, _guard) = capture();
    let mailer = LettreMailer::new(MailSettings {
        transport: Transport::Log,
        ..MailSettings::default()
    })
    .expect("a log mailer builds");

    mailer.send(&confirmation(Language::EN)).await.expect("logged");

    let log = captured.text();
    assert!(log.contains("confirmation"), "{log}");
    assert!(log.contains("j***@example.com"), "{log}");
    assert_nothing_secret(&log);
}

#[tokio::test]
async fn file_and_smtp_deliveries_and_failures_log_the_recipient_masked() {
    let (captured, _guard) = capture();
    let temp = tempfile::tempdir().expect("a temp dir");
    let file = LettreMailer::new(MailSettings {
        transport: Transport::File {
            dir: temp.path().to_owned(),
        },
        ..MailSettings::default()
    })
    .expect("a file mailer builds");
    file.send(&confirmation(Language::EN)).await.expect("written");

    let sink = SmtpSink::start(Behaviour::RejectRecipient(550)).await;
    let smtp = LettreMailer::new(MailSettings {
        from: MailSettings::default().from,
        ..smtp_settings(sink.addr, Tls::None, TIMEOUT)
    })
    .expect("an SMTP mailer builds");
    smtp.send(&confirmation(Language::EN)).await.expect_err("refused");

    let log = captured.text();
    assert!(log.contains("mail written to the outbox"), "{log}");
    assert!(log.contains("mail not sent"), "{log}");
    assert!(log.matches("j***@example.com").count() >= 2, "{log}");
    assert_nothing_secret(&log);
}
