//! lettre's and the file system's failures as the port's [`MailError`]:
//! transient when trying again later can help (no connection, a timeout, a
//! 4xx reply, a TLS or server set-up problem an operator can fix), permanent
//! when this message will never go through (a 5xx reply, an address or body
//! lettre cannot send). Every message reads on its own in a log and never
//! carries the recipient's address in clear.

use std::error::Error as StdError;
use std::io;
use std::path::Path;
use std::time::Duration;

use lettre::transport::smtp;
use registrar_domain::Email;
use registrar_mail::MailError;

/// What an SMTP failure means, for the message to `to` through `endpoint`
/// (`host:port`).
pub(crate) fn smtp_failure(err: &smtp::Error, endpoint: &str, to: &Email) -> MailError {
    let cause = || redact(&source_text(err), to);
    if let Some(code) = err.status() {
        return if err.is_permanent() {
            MailError::Permanent(format!("SMTP server {endpoint} refused the mail ({code}): {}", cause()))
        } else {
            MailError::Transient(format!(
                "SMTP server {endpoint} deferred the mail ({code}): {}",
                cause()
            ))
        };
    }
    if err.is_timeout() {
        return MailError::Transient(format!("timed out connecting to SMTP server {endpoint}"));
    }
    if let Some(tls) = find_in_chain::<rustls::Error>(err) {
        return MailError::Transient(format!("TLS handshake with SMTP server {endpoint} failed: {tls}"));
    }
    if err.is_tls() {
        return MailError::Transient(format!("TLS set-up for SMTP server {endpoint} failed: {}", cause()));
    }
    if let Some(io) = find_in_chain::<io::Error>(err) {
        return MailError::Transient(match io.kind() {
            io::ErrorKind::ConnectionRefused => format!("SMTP server {endpoint} refused the connection"),
            io::ErrorKind::TimedOut => format!("timed out talking to SMTP server {endpoint}"),
            _ => format!("network error talking to SMTP server {endpoint}: {io}"),
        });
    }
    if err.is_client() {
        let cause = cause();
        if cause.contains("STARTTLS") {
            // Retrying helps once the operator picks the right mode or server.
            return MailError::Transient(format!(
                "SMTP server {endpoint} does not offer STARTTLS (mail.smtp.tls = \"starttls\"); \
                 use \"tls\" for implicit TLS, or \"none\""
            ));
        }
        return MailError::Permanent(format!("SMTP server {endpoint} cannot take this mail: {cause}"));
    }
    if err.is_response() {
        return MailError::Transient(format!("unreadable reply from SMTP server {endpoint}: {}", cause()));
    }
    MailError::Transient(format!(
        "SMTP delivery through {endpoint} failed: {}",
        redact(&err.to_string(), to)
    ))
}

/// Our own deadline on the whole exchange: lettre bounds connecting, not
/// waiting for replies.
pub(crate) fn smtp_deadline(endpoint: &str, deadline: Duration) -> MailError {
    MailError::Transient(format!(
        "SMTP server {endpoint} did not finish within {} ms",
        deadline.as_millis()
    ))
}

/// Writing to the outbox failed.
pub(crate) fn outbox_failure(err: &io::Error, dir: &Path) -> MailError {
    let message = format!("cannot write mail to the outbox {}: {err}", dir.display());
    match err.kind() {
        // Will fail again until somebody changes the directory.
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem | io::ErrorKind::NotADirectory => {
            MailError::Permanent(message)
        }
        _ => MailError::Transient(message),
    }
}

/// The text lettre has for a failure, without its kind prefix.
fn source_text(err: &smtp::Error) -> String {
    err.source().map_or_else(|| err.to_string(), ToString::to_string)
}

/// The first error of type `T` in the chain. `io::Error::source` skips the
/// error it wraps, so that one is looked at through `get_ref`.
fn find_in_chain<'a, T: StdError + 'static>(err: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    let mut next = Some(err);
    while let Some(current) = next {
        if let Some(found) = current.downcast_ref::<T>() {
            return Some(found);
        }
        if let Some(inner) = current.downcast_ref::<io::Error>().and_then(io::Error::get_ref) {
            if let Some(found) = inner.downcast_ref::<T>() {
                return Some(found);
            }
        }
        next = current.source();
    }
    None
}

/// Servers like to quote the recipient (`550 <jane@example.com>: no such
/// user`); logs get `j***@example.com` instead.
pub(crate) fn redact(text: &str, to: &Email) -> String {
    let needle = to.as_str().to_ascii_lowercase();
    if needle.is_empty() {
        return text.to_owned();
    }
    // ASCII lowercasing keeps byte offsets, so positions found in the
    // lowercased copy are valid in the original.
    let haystack = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (start, _) in haystack.match_indices(&needle) {
        // ASCII lowercasing keeps every byte offset of `text`.
        out.push_str(text.get(last..start).unwrap_or_default());
        out.push_str(&to.masked());
        last = start + needle.len();
    }
    out.push_str(text.get(last..).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jane() -> Email {
        Email::parse("Jane.Doe@Example.com").expect("valid address")
    }

    #[test]
    fn redacts_the_recipient_whatever_the_case() {
        let text = "5.1.1 <jane.doe@example.com>: Recipient address rejected (JANE.DOE@EXAMPLE.COM)";
        let redacted = redact(text, &jane());
        assert_eq!(
            redacted,
            "5.1.1 <J***@Example.com>: Recipient address rejected (J***@Example.com)"
        );
    }

    #[test]
    fn leaves_other_text_alone() {
        assert_eq!(redact("4.7.0 try again later", &jane()), "4.7.0 try again later");
    }

    #[test]
    fn outbox_permission_problems_are_permanent() {
        let dir = Path::new("/outbox");
        let denied = io::Error::from(io::ErrorKind::PermissionDenied);
        assert!(matches!(outbox_failure(&denied, dir), MailError::Permanent(_)));
        let full = io::Error::from(io::ErrorKind::StorageFull);
        assert!(matches!(outbox_failure(&full, dir), MailError::Transient(_)));
    }

    #[test]
    fn finds_errors_wrapped_in_io_errors() {
        let wrapped = io::Error::new(io::ErrorKind::InvalidData, rustls::Error::DecryptError);
        let found = find_in_chain::<rustls::Error>(&wrapped);
        assert!(matches!(found, Some(rustls::Error::DecryptError)));
    }
}
