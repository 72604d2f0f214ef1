//! What the tests share: sample mails and a small SMTP server that records
//! what it is sent.

use std::net::SocketAddr;
use std::time::Duration;

use registrar_domain::{ConfirmationCode, Email, Language};
use registrar_mail::{Mail, MailContent};
use registrar_smtp::{LettreMailer, MailSettings, Tls, Transport};

/// A code with a leading zero, which must survive as six digits.
pub const CODE: u32 = 48_213;
pub const CODE_DIGITS: &str = "048213";
pub const CODE_GROUPED: &str = "048 213";
pub const LINK: &str = "http://127.0.0.1:8080/confirm/5f2b9c0d4e7a1b3c5d6e7f8091a2b3c4";
pub const RESET_LINK: &str = "http://127.0.0.1:8080/reset-password/9a8b7c6d5e4f30211203f4e5d6c7b8a9";
pub const SIGNUP_LINK: &str = "http://127.0.0.1:8080/confirm/signup/0c1d2e3f40516273";
pub const ADDRESS: &str = "jane.doe@example.com";
/// When the sample recovery code was used, and how the mail says it.
pub const USED_AT: &str = "2026-12-06T09:05:59Z";
pub const USED_AT_SHOWN: &str = "2026-12-06 09:05 UTC";
/// The device of the sample new-sign-in notice: markup in it is text.
pub const DEVICE: &str = "Jane's <Pixel> & tablet";

/// One mail of every kind, each with its own link.
pub fn every_content() -> Vec<MailContent> {
    vec![
        MailContent::Confirmation {
            code: ConfirmationCode::from_number(CODE),
            link: LINK.to_owned(),
        },
        MailContent::SignupConfirmation {
            code: ConfirmationCode::from_number(CODE),
            link: SIGNUP_LINK.to_owned(),
        },
        MailContent::SignupAttempt {
            reset_link: RESET_LINK.to_owned(),
        },
        MailContent::PasswordReset {
            link: RESET_LINK.to_owned(),
        },
        MailContent::PasswordChanged {
            reset_link: RESET_LINK.to_owned(),
        },
        MailContent::TotpEnabled {
            reset_link: RESET_LINK.to_owned(),
        },
        MailContent::TotpDisabled {
            reset_link: RESET_LINK.to_owned(),
        },
        MailContent::RecoveryCodeUsed {
            used_at: USED_AT.parse().expect("an instant"),
            reset_link: RESET_LINK.to_owned(),
        },
        MailContent::PasskeyAdded {
            reset_link: RESET_LINK.to_owned(),
        },
        MailContent::PasskeyRemoved {
            reset_link: RESET_LINK.to_owned(),
        },
        MailContent::SignInCode {
            code: ConfirmationCode::from_number(CODE),
            valid_minutes: 10,
        },
        MailContent::NewSignIn {
            device: DEVICE.to_owned(),
            at: USED_AT.parse().expect("an instant"),
        },
        MailContent::EmailChangeConfirm {
            code: ConfirmationCode::from_number(CODE),
            link: LINK.to_owned(),
            valid_hours: 24,
        },
        MailContent::EmailChangeNotice {
            new_email: "n***@example.org".to_owned(),
            cancel_link: RESET_LINK.to_owned(),
        },
        MailContent::EmailChanged {
            new_email: "n***@example.org".to_owned(),
        },
    ]
}

/// The link a mail of this content must carry (a sign-in code carries none).
pub fn link_of(content: &MailContent) -> Option<&str> {
    match content {
        MailContent::Confirmation { link, .. }
        | MailContent::SignupConfirmation { link, .. }
        | MailContent::PasswordReset { link }
        | MailContent::EmailChangeConfirm { link, .. } => Some(link),
        MailContent::EmailChangeNotice { cancel_link, .. } => Some(cancel_link),
        MailContent::SignupAttempt { reset_link }
        | MailContent::PasswordChanged { reset_link }
        | MailContent::TotpEnabled { reset_link }
        | MailContent::TotpDisabled { reset_link }
        | MailContent::PasskeyAdded { reset_link }
        | MailContent::PasskeyRemoved { reset_link }
        | MailContent::RecoveryCodeUsed { reset_link, .. } => Some(reset_link),
        MailContent::SignInCode { .. } | MailContent::NewSignIn { .. } | MailContent::EmailChanged { .. } => None,
    }
}

/// SMTP to `addr` (a sink) without credentials, from a test sender.
pub fn smtp_settings(addr: SocketAddr, tls: Tls, timeout: Duration) -> MailSettings {
    MailSettings {
        from: "Registrar <no-reply@registrar.test>".to_owned(),
        transport: Transport::Smtp {
            host: addr.ip().to_string(),
            port: addr.port(),
            username: None,
            password: None,
            tls,
            timeout,
        },
    }
}

pub fn smtp_mailer(addr: SocketAddr, tls: Tls, timeout: Duration) -> LettreMailer {
    LettreMailer::new(smtp_settings(addr, tls, timeout)).expect("an SMTP mailer builds")
}

/// Long enough for any answer of the sink on a busy machine.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// A sink that behaves as `behaviour`, and an SMTP mailer with `tls` and
/// `timeout` pointed at it.
pub async fn sink_and_mailer(behaviour: Behaviour, tls: Tls, timeout: Duration) -> (SmtpSink, LettreMailer) {
    let sink = SmtpSink::start(behaviour).await;
    let mailer = smtp_mailer(sink.addr, tls, timeout);
    (sink, mailer)
}

pub fn mail(language: Language, name: Option<&str>, content: MailContent) -> Mail {
    Mail {
        to: Email::parse(ADDRESS).expect("the sample address is valid"),
        name: name.map(str::to_owned),
        language,
        content,
    }
}

pub fn confirmation(language: Language) -> Mail {
    let content = every_content().remove(0);
    mail(language, Some("Jane"), content)
}

/// The two parts of the raw message of a [`confirmation`] in English: the
/// text has the code in digits and the link, the HTML the grouped code and
/// the link.
pub fn assert_confirmation_parts(raw: &str) {
    let (text, html) = parts(raw);
    assert!(text.contains(&format!("Your code: {CODE_DIGITS}")), "{text}");
    assert!(text.contains(LINK), "{text}");
    assert!(html.contains(CODE_GROUPED), "{html}");
    assert!(html.contains(LINK), "{html}");
}

pub use registrar_smtp::testing::{parts, Behaviour, SmtpSink};
