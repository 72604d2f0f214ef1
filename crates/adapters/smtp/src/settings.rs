//! How mail leaves Registrar: the sender and the transport, as configured
//! under `mail.*` (see README.md, Configuration).

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use secrecy::SecretString;

/// `mail.from` when nothing is configured.
pub const DEFAULT_FROM: &str = "Registrar <no-reply@localhost>";
/// `mail.outbox_dir` when nothing is configured.
pub const DEFAULT_OUTBOX_DIR: &str = "outbox";
/// `mail.smtp.port` when nothing is configured (submission).
pub const DEFAULT_SMTP_PORT: u16 = 587;
/// How long one message may take over SMTP when nothing is configured.
pub const DEFAULT_SMTP_TIMEOUT: Duration = Duration::from_secs(10);

/// Everything the mail adapter needs to know.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// The sender, as a mailbox: `Registrar <no-reply@localhost>`.
    pub from: String,
    /// Where messages go.
    pub transport: Transport,
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            from: DEFAULT_FROM.to_owned(),
            transport: Transport::default(),
        }
    }
}

/// Where messages go (`mail.transport`). Its `Debug` never shows the
/// password: `SecretString` prints as `[REDACTED]`.
#[derive(Debug, Clone)]
pub enum Transport {
    /// One `.eml` file per message in `dir`, created if missing. The default:
    /// development and black-box tests read the outbox.
    File {
        /// The outbox directory (`mail.outbox_dir`).
        dir: PathBuf,
    },
    /// Nothing is delivered: a log line says which kind of mail would have gone
    /// to which (masked) recipient. Never the body, code or link.
    Log,
    /// A real SMTP server (`mail.smtp.*`). Connections are pooled and reused.
    Smtp {
        /// Host name of the server; also the name its TLS certificate must carry.
        host: String,
        /// Usually 587 (STARTTLS) or 465 (TLS from the first byte).
        port: u16,
        /// Log in with this user name; `None` sends without authentication.
        username: Option<String>,
        /// Required when `username` is set.
        password: Option<SecretString>,
        /// How the connection is encrypted.
        tls: Tls,
        /// The longest one message may take, from connecting to the server's
        /// final reply. A server that stalls longer gets a transient error.
        timeout: Duration,
    },
}

impl Transport {
    /// SMTP to `host` with the defaults: port 587, STARTTLS, no
    /// authentication, a 10-second timeout.
    pub fn smtp(host: impl Into<String>) -> Self {
        Transport::Smtp {
            host: host.into(),
            port: DEFAULT_SMTP_PORT,
            username: None,
            password: None,
            tls: Tls::StartTls,
            timeout: DEFAULT_SMTP_TIMEOUT,
        }
    }

    /// `file`, `log` or `smtp`: what `mail.transport` says.
    pub fn name(&self) -> &'static str {
        match self {
            Transport::File { .. } => "file",
            Transport::Log => "log",
            Transport::Smtp { .. } => "smtp",
        }
    }
}

impl Default for Transport {
    fn default() -> Self {
        Transport::File {
            dir: PathBuf::from(DEFAULT_OUTBOX_DIR),
        }
    }
}

/// How an SMTP connection is encrypted (`mail.smtp.tls`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tls {
    /// Connect in plain text, then upgrade with STARTTLS; refuse to go on
    /// when the server does not offer it. Port 587.
    #[default]
    StartTls,
    /// TLS from the first byte ("implicit TLS", SMTPS). Port 465.
    Tls,
    /// No encryption at all: only for a relay on the same host or in tests.
    None,
}

impl Tls {
    /// `starttls`, `tls` or `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            Tls::StartTls => "starttls",
            Tls::Tls => "tls",
            Tls::None => "none",
        }
    }
}

impl fmt::Display for Tls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `mail.smtp.tls` value other than `starttls`, `tls` or `none`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown TLS mode {0:?} (expected starttls, tls or none)")]
pub struct UnknownTls(pub String);

impl FromStr for Tls {
    type Err = UnknownTls;

    /// Case-insensitive: `StartTLS` is `starttls`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "starttls" => Ok(Tls::StartTls),
            "tls" => Ok(Tls::Tls),
            "none" => Ok(Tls::None),
            _ => Err(UnknownTls(s.to_owned())),
        }
    }
}

/// Why a mailer could not be built: a setting it cannot work with (each
/// message names its configuration key) or a broken embedded template.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// `mail.from` is not a mailbox lettre can send from.
    #[error("mail.from: {value:?} is not a valid sender ({reason})")]
    From {
        /// What was configured.
        value: String,
        /// Why it was refused.
        reason: String,
    },
    /// The outbox directory does not exist and cannot be created.
    #[error("mail.outbox_dir: cannot create {dir}: {source}")]
    Outbox {
        /// The configured directory.
        dir: PathBuf,
        /// What the file system said.
        source: std::io::Error,
    },
    /// `mail.smtp.host` is empty.
    #[error("mail.smtp.host: required when mail.transport is smtp")]
    MissingHost,
    /// Only one of `mail.smtp.username` and `mail.smtp.password` is set.
    #[error("mail.smtp.username and mail.smtp.password: set both or neither")]
    IncompleteCredentials,
    /// `mail.smtp.timeout` is zero.
    #[error("mail.smtp.timeout: must be more than zero")]
    ZeroTimeout,
    /// The TLS configuration for the host could not be built.
    #[error("mail.smtp.tls: cannot set up TLS for {host}: {reason}")]
    Tls {
        /// The configured host.
        host: String,
        /// What the TLS library said.
        reason: String,
    },
    /// An embedded template does not compile; the tests of this crate keep
    /// that from ever reaching a build.
    #[error("mail templates: {0}")]
    Templates(String),
}

#[cfg(test)]
mod tests {
    use secrecy::SecretString;

    use super::*;

    #[test]
    fn tls_modes_parse_case_insensitively() {
        assert_eq!("starttls".parse(), Ok(Tls::StartTls));
        assert_eq!(" StartTLS ".parse(), Ok(Tls::StartTls));
        assert_eq!("TLS".parse(), Ok(Tls::Tls));
        assert_eq!("none".parse(), Ok(Tls::None));
        assert_eq!("ssl".parse::<Tls>(), Err(UnknownTls("ssl".into())));
        for tls in [Tls::StartTls, Tls::Tls, Tls::None] {
            assert_eq!(tls.to_string().parse(), Ok(tls));
        }
    }

    #[test]
    fn defaults_follow_the_operations_page() {
        let settings = MailSettings::default();
        assert_eq!(settings.from, "Registrar <no-reply@localhost>");
        assert!(matches!(settings.transport, Transport::File { ref dir } if dir == &PathBuf::from("outbox")));
        let Transport::Smtp { port, tls, .. } = Transport::smtp("mail.example.com") else {
            panic!("Transport::smtp builds the Smtp variant");
        };
        assert_eq!((port, tls), (587, Tls::StartTls));
    }

    #[test]
    fn debug_never_shows_the_password() {
        let transport = Transport::Smtp {
            host: "mail.example.com".into(),
            port: 587,
            username: Some("registrar".into()),
            password: Some(SecretString::from("hunter2-very-secret")),
            tls: Tls::StartTls,
            timeout: DEFAULT_SMTP_TIMEOUT,
        };
        let shown = format!("{transport:?}");
        assert!(shown.contains("mail.example.com"));
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}
