//! The memory mailer keeps what it sends and can be told to fail.
#![allow(clippy::pedantic, clippy::restriction)] // test code

use registrar_domain::{Email, Language};
use registrar_mail::{Mail, MailContent, MailError, Mailer};
use registrar_memory::MemoryMailer;

fn reset_mail(to: &str) -> Mail {
    Mail {
        to: Email::parse(to).expect("a valid address"),
        name: Some("Ann".into()),
        language: Language::NL,
        content: MailContent::PasswordReset {
            link: "https://example.com/reset-password/abc".into(),
        },
    }
}

#[tokio::test]
async fn sent_mail_is_recorded_in_order_and_found_by_address_in_any_case() {
    let mailer = MemoryMailer::new();
    let clone = mailer.clone();
    mailer.send(&reset_mail("Ann@Example.com")).await.expect("sending");
    clone.send(&reset_mail("bob@example.com")).await.expect("sending");
    mailer.send(&reset_mail("ann@example.COM")).await.expect("sending");

    let to: Vec<String> = mailer.sent().iter().map(|m| m.to.as_str().to_owned()).collect();
    assert_eq!(
        to,
        ["Ann@Example.com", "bob@example.com", "ann@example.COM"],
        "all, oldest first"
    );
    assert_eq!(mailer.sent_to(" ANN@example.com ").len(), 2, "sent_to ignores case");
    assert_eq!(clone.sent_to("bob@EXAMPLE.com").len(), 1, "clones share the outbox");
    assert!(mailer.sent_to("carol@example.com").is_empty(), "nothing for others");
}

#[tokio::test]
async fn a_failing_mailer_gives_transient_errors_and_records_nothing_until_switched_back() {
    let mailer = MemoryMailer::new();
    mailer.fail_sends(true);
    let result = mailer.send(&reset_mail("ann@example.com")).await;
    assert!(matches!(result, Err(MailError::Transient(_))), "got {result:?}");
    assert!(mailer.sent().is_empty(), "a failed send is not recorded");

    mailer.fail_sends(false);
    mailer
        .send(&reset_mail("ann@example.com"))
        .await
        .expect("sending again");
    assert_eq!(mailer.sent().len(), 1, "sends work again");
}
