//! The SMTP transport: one pooled lettre transport per mailer, so that
//! connections are reused between messages, under a deadline per message.
//!
//! lettre's async transport bounds connecting but not waiting for a reply, so
//! a server that stops answering would hold a send (and a pooled connection)
//! forever. Each send therefore runs under the configured timeout; when that
//! fires, the pool is thrown away, because a connection abandoned halfway
//! through a command would go back into it and answer the next message out
//! of step.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls as LettreTls, TlsParameters};
use lettre::transport::smtp::AsyncSmtpTransportBuilder;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use registrar_domain::Email;
use registrar_mail::MailError;
use secrecy::{ExposeSecret, SecretString};

use crate::error;
use crate::settings::{SetupError, Tls};

type Pool = AsyncSmtpTransport<Tokio1Executor>;

/// An SMTP server and the pool of connections to it.
pub(crate) struct SmtpRelay {
    /// `host:port`, for error messages and logs.
    endpoint: String,
    builder: AsyncSmtpTransportBuilder,
    deadline: Duration,
    /// Built on first use: lettre's pool spawns its clean-up task on the
    /// Tokio runtime current at that moment, and a mailer may be made
    /// before there is one. The number tells pools apart, so that a timed
    /// out send only discards the pool it used.
    pool: Mutex<Option<(u64, Pool)>>,
}

/// The SMTP part of [`crate::Transport::Smtp`].
pub(crate) struct SmtpConfig<'a> {
    pub host: &'a str,
    pub port: u16,
    pub username: Option<&'a str>,
    pub password: Option<&'a SecretString>,
    pub tls: Tls,
    pub timeout: Duration,
}

impl SmtpRelay {
    /// Checks the settings and prepares the transport; connects only when
    /// the first message goes out.
    pub(crate) fn new(config: SmtpConfig<'_>) -> Result<Self, SetupError> {
        let host = config.host.trim();
        if host.is_empty() {
            return Err(SetupError::MissingHost);
        }
        if config.timeout.is_zero() {
            return Err(SetupError::ZeroTimeout);
        }
        let tls_parameters = || {
            TlsParameters::new(host.to_owned()).map_err(|e| SetupError::Tls {
                host: host.to_owned(),
                reason: e.to_string(),
            })
        };
        let tls = match config.tls {
            Tls::StartTls => LettreTls::Required(tls_parameters()?),
            Tls::Tls => LettreTls::Wrapper(tls_parameters()?),
            Tls::None => LettreTls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(config.port)
            .tls(tls)
            .timeout(Some(config.timeout));
        match (config.username, config.password) {
            (Some(user), Some(password)) => {
                builder = builder.credentials(Credentials::new(user.to_owned(), password.expose_secret().to_owned()));
            }
            (None, None) => {}
            _ => return Err(SetupError::IncompleteCredentials),
        }
        Ok(Self {
            endpoint: format!("{host}:{}", config.port),
            builder,
            deadline: config.timeout,
            pool: Mutex::new(None),
        })
    }

    /// `host:port`.
    pub(crate) fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Sends `message`; returns once the server accepted it.
    pub(crate) async fn send(&self, message: &Message, to: &Email) -> Result<(), MailError> {
        let (generation, pool) = self.pool();
        let raw = message.formatted();
        let sending = pool.send_raw(message.envelope(), &raw);
        match tokio::time::timeout(self.deadline, sending).await {
            Ok(Ok(_reply)) => Ok(()),
            Ok(Err(e)) => Err(error::smtp_failure(&e, &self.endpoint, to)),
            Err(_elapsed) => {
                self.discard(generation);
                Err(error::smtp_deadline(&self.endpoint, self.deadline))
            }
        }
    }

    fn pool(&self) -> (u64, Pool) {
        let mut slot = self.pool.lock().unwrap_or_else(PoisonError::into_inner);
        match &*slot {
            Some((generation, pool)) => (*generation, pool.clone()),
            None => {
                let fresh = (next_generation(), self.builder.clone().build());
                *slot = Some(fresh.clone());
                fresh
            }
        }
    }

    fn discard(&self, generation: u64) {
        let mut slot = self.pool.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.as_ref().is_some_and(|(current, _)| *current == generation) {
            *slot = None;
        }
    }
}

fn next_generation() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

impl Drop for SmtpRelay {
    fn drop(&mut self) {
        // Dropping lettre's pool spawns a Tokio task to close its
        // connections, which panics outside a runtime (a mailer dropped after
        // its runtime ended). Without a runtime those connections are dead
        // already, so the pool is leaked instead, once, at shutdown.
        if tokio::runtime::Handle::try_current().is_err() {
            let slot = self.pool.get_mut().unwrap_or_else(PoisonError::into_inner);
            if let Some(pool) = slot.take() {
                std::mem::forget(pool);
            }
        }
    }
}

impl std::fmt::Debug for SmtpRelay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpRelay")
            .field("endpoint", &self.endpoint)
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}
