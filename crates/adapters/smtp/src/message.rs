//! A rendered mail as a MIME message: multipart/alternative, plain text then
//! HTML, both UTF-8 with `Content-Transfer-Encoding: 8bit` so that codes and
//! links stay readable in the raw message (quoted-printable would break long
//! URLs at `=`, base64 would hide them).

use std::fmt::Write as _;

use lettre::message::header::{ContentTransferEncoding, HeaderName, HeaderValue};
use lettre::message::{Body, Mailbox, MultiPart, SinglePart};
use lettre::{Address, Message};
use registrar_mail::{Mail, MailError};

use crate::name;
use crate::templates::RenderedMail;

const CONTENT_LANGUAGE: HeaderName = HeaderName::new_from_ascii_str("Content-Language");
/// RFC 3834: tells auto-responders (vacation replies) not to answer.
const AUTO_SUBMITTED: HeaderName = HeaderName::new_from_ascii_str("Auto-Submitted");

/// Builds the message to `mail.to` from `from`.
pub(crate) fn build(from: &Mailbox, mail: &Mail, rendered: RenderedMail) -> Result<Message, MailError> {
    let address: Address = mail.to.as_str().parse().map_err(|e| {
        MailError::Permanent(format!(
            "recipient {} is not an address mail can go to: {e}",
            mail.to.masked()
        ))
    })?;
    let to = recipient(mail.name.as_deref(), address);

    let text = eight_bit(&rendered.text, "text")?;
    let html = eight_bit(&rendered.html, "HTML")?;

    // The sender's domain rather than lettre's default, the machine's host
    // name, which in a container says nothing and may not even be a domain.
    let message_id = format!("<{}@{}>", uuid::Uuid::new_v4(), from.email.domain());

    Message::builder()
        .message_id(Some(message_id))
        .from(from.clone())
        .to(to)
        .subject(rendered.subject)
        .raw_header(HeaderValue::new(CONTENT_LANGUAGE, mail.language.code().to_owned()))
        .raw_header(HeaderValue::new(AUTO_SUBMITTED, "auto-generated".to_owned()))
        .multipart(
            MultiPart::alternative()
                .singlepart(SinglePart::plain(text))
                .singlepart(SinglePart::html(html)),
        )
        .map_err(|e| MailError::Permanent(format!("cannot build the {} mail: {e}", mail.content.kind())))
}

/// The `To` mailbox: the cleaned name (see [`crate::name`]) and the address.
/// lettre renders a mailbox with `to_string`, which panics on what its
/// `Display` refuses; the rendering is tried here first, through the
/// fallible `write!`, and a name it refuses is left out rather than let
/// through.
fn recipient(name: Option<&str>, address: Address) -> Mailbox {
    let named = Mailbox::new(name::clean(name), address.clone());
    let mut rendered = String::new();
    if named.name.is_none() || write!(rendered, "{named}").is_ok() {
        named
    } else {
        Mailbox::new(None, address)
    }
}

/// RFC 5322's limit on a line, without its CRLF.
const MAX_LINE_OCTETS: usize = 998;

/// The part as 8bit UTF-8 with CRLF line ends. lettre would only accept 8bit
/// for lines under 76 octets (and panic through the part builder otherwise),
/// yet a link alone is often longer; RFC 2045 allows 8bit lines up to 998
/// octets, so the limit is checked here and lettre gets the encoded body.
fn eight_bit(content: &str, part: &str) -> Result<Body, MailError> {
    let mut crlf = String::with_capacity(content.len() + content.len() / 16);
    for line in content.lines() {
        if line.len() > MAX_LINE_OCTETS {
            return Err(MailError::Permanent(format!(
                "the {part} part has a line over {MAX_LINE_OCTETS} octets, too long for 8bit transfer"
            )));
        }
        if line.contains(['\0', '\r']) {
            return Err(MailError::Permanent(format!(
                "the {part} part has a NUL or a bare CR, not allowed in 8bit transfer"
            )));
        }
        crlf.push_str(line);
        crlf.push_str("\r\n");
    }
    Ok(Body::dangerous_pre_encoded(
        crlf.into_bytes(),
        ContentTransferEncoding::EightBit,
    ))
}

#[cfg(test)]
mod tests {
    use registrar_domain::{Email, Language};
    use registrar_mail::MailContent;

    use super::*;

    fn mail() -> Mail {
        Mail {
            to: Email::parse("jane@example.com").expect("valid address"),
            name: Some("Jane".into()),
            language: Language::NL,
            content: MailContent::PasswordReset {
                link: "https://example.com/reset-password/abc".into(),
            },
        }
    }

    fn from() -> Mailbox {
        "Registrar <no-reply@localhost>".parse().expect("valid sender")
    }

    #[test]
    fn both_parts_are_utf8_and_8bit() {
        let rendered = RenderedMail {
            subject: "Kies een nieuw wachtwoord".into(),
            text: "één link: https://example.com/reset-password/abc\n".into(),
            html: "<p>één</p>\n".into(),
        };
        let message = build(&from(), &mail(), rendered).expect("builds");
        let raw = String::from_utf8(message.formatted()).expect("8bit UTF-8 stays UTF-8");
        assert!(raw.contains("multipart/alternative"), "{raw}");
        assert_eq!(raw.matches("Content-Transfer-Encoding: 8bit").count(), 2, "{raw}");
        assert!(raw.contains("Content-Type: text/plain; charset=utf-8"), "{raw}");
        assert!(raw.contains("Content-Type: text/html; charset=utf-8"), "{raw}");
        assert!(
            raw.contains("één link: https://example.com/reset-password/abc"),
            "{raw}"
        );
        assert!(raw.contains("Content-Language: nl"), "{raw}");
        assert!(raw.contains("Auto-Submitted: auto-generated"), "{raw}");
        assert!(raw.contains("To: Jane <jane@example.com>"), "{raw}");
        let message_id = raw
            .lines()
            .find_map(|l| l.strip_prefix("Message-ID: "))
            .expect("a Message-ID");
        assert!(
            message_id.starts_with('<') && message_id.ends_with("@localhost>"),
            "{message_id}"
        );
    }

    #[test]
    fn long_links_stay_on_one_line() {
        let link = format!("https://example.com/reset-password/{}", "a".repeat(200));
        let rendered = RenderedMail {
            subject: "x".into(),
            text: format!("{link}\n"),
            html: format!("<a href=\"{link}\">{link}</a>\n"),
        };
        let raw = String::from_utf8(build(&from(), &mail(), rendered).expect("builds").formatted()).expect("UTF-8");
        assert!(raw.contains(&format!("\r\n{link}\r\n")), "{raw}");
        assert!(raw.contains(&format!("<a href=\"{link}\">{link}</a>\r\n")), "{raw}");
    }

    #[test]
    fn names_with_control_characters_are_cleaned_in_the_to_header() {
        let rendered = || RenderedMail {
            subject: "x".into(),
            text: "x\n".into(),
            html: "<p>x</p>\n".into(),
        };
        let long = "x".repeat(10_000);
        let cases = [
            ("Eve\nX", "To: \"Eve X\" <jane@example.com>"),
            // RFC 2047-encoded: one word, no header of its own.
            (
                "Eve\r\nBcc: x@example.org",
                "To: =?utf-8?b?RXZlIEJjYzogeEBleGFtcGxlLm9yZw==?= <jane@example.com>",
            ),
            ("A\rB", "To: \"A B\" <jane@example.com>"),
            ("Nul\0", "To: Nul <jane@example.com>"),
            ("U\u{2028}V", "To: \"U V\" <jane@example.com>"),
            ("\r\n\0", "To: jane@example.com"),
            // Cut to 100 characters ending in `…`: RFC 2047-encoded, short.
            (long.as_str(), "To: =?utf-8?"),
        ];
        for (name, to) in cases {
            let mail = Mail {
                name: Some(name.to_owned()),
                ..mail()
            };
            let message = build(&from(), &mail, rendered()).expect("builds");
            let raw = String::from_utf8(message.formatted()).expect("UTF-8");
            let (headers, _) = raw.split_once("\r\n\r\n").expect("headers");
            assert!(!headers.contains('\0'), "{headers:?}");
            assert_eq!(
                headers.matches('\n').count(),
                headers.matches("\r\n").count(),
                "{headers:?}"
            );
            assert_eq!(
                headers.matches('\r').count(),
                headers.matches("\r\n").count(),
                "{headers:?}"
            );
            assert!(headers.contains(to), "{to:?} in {headers:?}");
            assert!(
                headers.len() < 1_000,
                "the name was cut: {} bytes of headers",
                headers.len()
            );
            assert!(headers.contains("jane@example.com>") || headers.contains("To: jane@example.com"));
        }
    }

    #[test]
    fn an_overlong_line_is_a_permanent_error_not_a_panic() {
        let rendered = RenderedMail {
            subject: "x".into(),
            text: format!("{}\n", "a".repeat(999)),
            html: "<p>x</p>\n".into(),
        };
        assert!(matches!(
            build(&from(), &mail(), rendered),
            Err(MailError::Permanent(_))
        ));
        let rendered = RenderedMail {
            subject: "x".into(),
            text: "a\rb\n".into(),
            html: "<p>x</p>\n".into(),
        };
        assert!(matches!(
            build(&from(), &mail(), rendered),
            Err(MailError::Permanent(_))
        ));
    }
}
