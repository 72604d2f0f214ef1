//! Names stored before input was checked — line feeds, bare CRs, NULs, line
//! separators, names of any length — never stop a mail: the name is cleaned
//! (or left out) and the mail goes to the address, by file and by SMTP.

use std::path::Path;

use registrar_domain::Language;
use registrar_mail::Mailer;
use registrar_smtp::{LettreMailer, MailSettings, Tls, Transport};

use crate::support::{every_content, mail, parts, sink_and_mailer, Behaviour, ADDRESS, TIMEOUT};

/// `(stored name, the To header it gives, the greeting of the text part)`.
fn bad_names() -> Vec<(String, String, String)> {
    let long = "Ä".repeat(5_000);
    let cut = format!("Hello {}…,", "Ä".repeat(99));
    vec![
        (
            "Eve\nX".into(),
            format!("To: \"Eve X\" <{ADDRESS}>"),
            "Hello Eve X,".into(),
        ),
        (
            "Eve\r\nBcc: victim@example.org".into(),
            String::new(),
            "Hello Eve Bcc: victim@example.org,".into(),
        ),
        ("A\rB".into(), format!("To: \"A B\" <{ADDRESS}>"), "Hello A B,".into()),
        (
            "Nul\0led".into(),
            format!("To: \"Nul led\" <{ADDRESS}>"),
            "Hello Nul led,".into(),
        ),
        (
            "Line\u{2028}Sep\u{2029}".into(),
            format!("To: \"Line Sep\" <{ADDRESS}>"),
            "Hello Line Sep,".into(),
        ),
        ("\n\r\0\u{2028}".into(), format!("To: {ADDRESS}"), "Hello,".into()),
        (long, String::new(), cut),
    ]
}

/// The header section of a raw message: every line ends in CRLF, nothing
/// else breaks a line, and there is no NUL.
fn assert_clean_headers(raw: &str) {
    let (headers, _) = raw.split_once("\r\n\r\n").expect("headers end with an empty line");
    assert!(!headers.contains('\0'), "a NUL in the headers: {headers:?}");
    assert_eq!(
        headers.matches('\n').count(),
        headers.matches("\r\n").count(),
        "a bare LF in the headers: {headers:?}"
    );
    assert_eq!(
        headers.matches('\r').count(),
        headers.matches("\r\n").count(),
        "a bare CR in the headers: {headers:?}"
    );
    assert!(
        !headers.lines().any(|l| l.to_ascii_lowercase().starts_with("bcc:")),
        "a header injected through the name: {headers:?}"
    );
}

fn check(raw: &str, to: &str, greeting: &str) {
    assert_clean_headers(raw);
    if !to.is_empty() {
        assert!(raw.contains(&format!("{to}\r\n")), "{to:?} in {raw}");
    }
    let (text, html) = parts(raw);
    assert!(text.starts_with(&format!("{greeting}\r\n")), "{greeting:?} in {text:?}");
    assert!(!text.contains('\0') && !html.contains('\0'), "{raw:?}");
}

#[tokio::test]
async fn a_name_with_control_characters_is_cleaned_and_the_mail_is_written() {
    let temp = tempfile::tempdir().expect("a temp dir");
    let dir: &Path = temp.path();
    let mailer = LettreMailer::new(MailSettings {
        from: "Registrar <no-reply@localhost>".to_owned(),
        transport: Transport::File { dir: dir.to_owned() },
    })
    .expect("a file mailer builds");
    for (name, to, greeting) in bad_names() {
        for content in every_content() {
            let kind = content.kind();
            let _ = std::fs::remove_dir_all(dir);
            mailer
                .send(&mail(Language::EN, Some(&name), content))
                .await
                .unwrap_or_else(|e| panic!("{kind} to {name:?}: {e}"));
            let files: Vec<_> = std::fs::read_dir(dir).expect("the outbox").collect();
            assert_eq!(files.len(), 1, "{kind} to {name:?}");
            let path = files[0].as_ref().expect("an entry").path();
            let raw = std::fs::read_to_string(path).expect("UTF-8");
            check(&raw, &to, &greeting);
        }
    }
}

#[tokio::test]
async fn a_name_with_control_characters_is_cleaned_and_the_mail_goes_out_over_smtp() {
    let (sink, mailer) = sink_and_mailer(Behaviour::Accept, Tls::None, TIMEOUT).await;
    let names = bad_names();
    for (name, _, _) in &names {
        let content = every_content().remove(3);
        mailer
            .send(&mail(Language::EN, Some(name), content))
            .await
            .unwrap_or_else(|e| panic!("to {name:?}: {e}"));
    }
    let received = sink.received();
    assert_eq!(received.len(), names.len(), "{received:?}");
    for (got, (_, to, greeting)) in received.iter().zip(&names) {
        assert_eq!(got.rcpt_to, vec![format!("<{ADDRESS}>")]);
        check(&got.data, to, greeting);
    }
}
