use std::path::{Path, PathBuf};

use registrar_domain::Language;
use registrar_mail::Mailer;
use registrar_smtp::{LettreMailer, MailSettings, Transport};

use crate::support::{assert_confirmation_parts, confirmation, every_content, mail, ADDRESS, CODE_DIGITS, LINK};

fn file_mailer(dir: &Path) -> LettreMailer {
    LettreMailer::new(MailSettings {
        from: "Registrar <no-reply@localhost>".to_owned(),
        transport: Transport::File { dir: dir.to_owned() },
    })
    .expect("a file mailer builds")
}

/// Every entry of the directory, hidden ones included.
fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("the outbox exists")
        .map(|entry| entry.expect("a readable entry").path())
        .collect();
    entries.sort();
    entries
}

#[tokio::test]
async fn writes_one_eml_per_message_with_both_parts_in_8bit() {
    let temp = tempfile::tempdir().expect("a temp dir");
    let dir = temp.path().join("nested").join("outbox");
    let mailer = file_mailer(&dir);
    assert!(dir.is_dir(), "the outbox is created when the mailer is");

    mailer.send(&confirmation(Language::EN)).await.expect("written");

    let files = entries(&dir);
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0].extension().and_then(|e| e.to_str()), Some("eml"));
    let raw = std::fs::read_to_string(&files[0]).expect("the .eml is UTF-8");

    assert!(raw.contains(&format!("To: Jane <{ADDRESS}>")), "{raw}");
    assert!(raw.contains("From: Registrar <no-reply@localhost>"), "{raw}");
    assert!(raw.contains("Subject: Confirm your email address"), "{raw}");
    assert!(raw.contains("Content-Type: multipart/alternative"), "{raw}");
    assert!(raw.contains("Content-Type: text/plain; charset=utf-8"), "{raw}");
    assert!(raw.contains("Content-Type: text/html; charset=utf-8"), "{raw}");
    assert_eq!(raw.matches("Content-Transfer-Encoding: 8bit").count(), 2, "{raw}");
    assert!(!raw.contains("quoted-printable") && !raw.contains("base64"), "{raw}");
    assert!(raw.contains(CODE_DIGITS), "{raw}");
    assert!(raw.contains(LINK), "{raw}");
    assert_confirmation_parts(&raw);
}

#[tokio::test]
async fn non_ascii_text_stays_readable_utf8() {
    let temp = tempfile::tempdir().expect("a temp dir");
    let mailer = file_mailer(temp.path());

    mailer.send(&confirmation(Language::DE)).await.expect("written");

    let files = entries(temp.path());
    let raw = std::fs::read_to_string(&files[0]).expect("the .eml is UTF-8");
    // The subject may be RFC 2047-encoded; the body is 8bit and readable.
    assert!(raw.contains("Bitte bestätigen Sie Ihre E-Mail-Adresse"), "{raw}");
    assert!(raw.contains("Ihr Code: 048213"), "{raw}");
    assert!(raw.contains("Content-Language: de"), "{raw}");
}

#[tokio::test]
async fn every_message_gets_its_own_file_and_nothing_else_is_left() {
    let temp = tempfile::tempdir().expect("a temp dir");
    let mailer = file_mailer(temp.path());

    for content in every_content() {
        mailer.send(&mail(Language::FR, None, content)).await.expect("written");
    }

    let files = entries(temp.path());
    assert_eq!(files.len(), every_content().len(), "{files:?}");
    assert!(
        files
            .iter()
            .all(|f| f.extension().and_then(|e| e.to_str()) == Some("eml")),
        "{files:?}"
    );
}

#[tokio::test]
async fn an_outbox_removed_after_start_is_made_again() {
    let temp = tempfile::tempdir().expect("a temp dir");
    let dir = temp.path().join("outbox");
    let mailer = file_mailer(&dir);
    std::fs::remove_dir(&dir).expect("the empty outbox is removed");

    mailer.send(&confirmation(Language::ES)).await.expect("written");

    assert_eq!(entries(&dir).len(), 1);
}

#[tokio::test]
async fn clones_write_to_the_same_outbox() {
    let temp = tempfile::tempdir().expect("a temp dir");
    let mailer = file_mailer(temp.path());
    let clone = mailer.clone();

    let (dutch, english) = (confirmation(Language::NL), confirmation(Language::EN));

    let (a, b) = tokio::join!(mailer.send(&dutch), clone.send(&english));
    a.expect("written");
    b.expect("written");

    assert_eq!(entries(temp.path()).len(), 2);
}

#[test]
fn a_bad_sender_is_refused_naming_the_key() {
    let temp = tempfile::tempdir().expect("a temp dir");
    let error = LettreMailer::new(MailSettings {
        from: "not an address".to_owned(),
        transport: Transport::File {
            dir: temp.path().to_owned(),
        },
    })
    .expect_err("an invalid sender is refused");
    assert!(error.to_string().starts_with("mail.from:"), "{error}");
}

#[test]
fn the_default_settings_build_a_mailer() {
    let temp = tempfile::tempdir().expect("a temp dir");
    let settings = MailSettings {
        transport: Transport::File {
            dir: temp.path().join("outbox"),
        },
        ..MailSettings::default()
    };
    LettreMailer::new(settings).expect("the default sender is valid");
}
