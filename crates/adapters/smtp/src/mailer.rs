//! [`LettreMailer`]: the port's [`Mailer`] over the configured transport.

use std::sync::Arc;

use async_trait::async_trait;
use lettre::message::Mailbox;
use registrar_mail::{Mail, MailError, Mailer};

use crate::message;
use crate::outbox::Outbox;
use crate::settings::{MailSettings, SetupError, Transport};
use crate::smtp::{SmtpConfig, SmtpRelay};
use crate::templates::Templates;

/// Renders mail from the embedded templates and delivers it through the
/// transport of its [`MailSettings`]. Cheap to clone: clones share the
/// templates and the SMTP connection pool.
#[derive(Debug, Clone)]
pub struct LettreMailer {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    from: Mailbox,
    templates: Templates,
    delivery: Delivery,
}

#[derive(Debug)]
enum Delivery {
    File(Outbox),
    Log,
    // Boxed: the builder it keeps is large, and it lives once per mailer.
    Smtp(Box<SmtpRelay>),
}

impl LettreMailer {
    /// Checks `settings` (the sender address; the outbox, created if missing;
    /// the SMTP host, credentials and TLS set-up) and compiles the templates.
    /// Nothing connects yet: the SMTP pool is built when the first message
    /// goes out, then reused.
    pub fn new(settings: MailSettings) -> Result<Self, SetupError> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e: lettre::address::AddressError| SetupError::From {
                value: settings.from.clone(),
                reason: e.to_string(),
            })?;
        let delivery = match settings.transport {
            Transport::File { dir } => Delivery::File(Outbox::new(dir)?),
            Transport::Log => Delivery::Log,
            Transport::Smtp {
                host,
                port,
                username,
                password,
                tls,
                timeout,
            } => Delivery::Smtp(Box::new(SmtpRelay::new(SmtpConfig {
                host: &host,
                port,
                username: username.as_deref(),
                password: password.as_ref(),
                tls,
                timeout,
            })?)),
        };
        let templates = Templates::new()?;
        Ok(Self {
            inner: Arc::new(Inner {
                from,
                templates,
                delivery,
            }),
        })
    }

    /// The templates this mailer renders with (for previews).
    pub fn templates(&self) -> &Templates {
        &self.inner.templates
    }

    async fn deliver(&self, mail: &Mail) -> Result<(), MailError> {
        // tokio's file system, timers and lettre's pool would panic without.
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(MailError::Permanent(
                "mail can only be sent from within a Tokio runtime".to_owned(),
            ));
        }
        let rendered = self.inner.templates.render(mail)?;
        // The builder refuses bad data through its results; should a header
        // encoder still panic on something no test foresaw, this mail fails
        // (permanently: it would panic again) and nothing else does.
        let message = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            message::build(&self.inner.from, mail, rendered)
        }))
        .unwrap_or_else(|_| {
            Err(MailError::Permanent(format!(
                "building the {} mail panicked",
                mail.content.kind()
            )))
        })?;
        let kind = mail.content.kind();
        let to = mail.to.masked();
        match &self.inner.delivery {
            Delivery::File(outbox) => {
                let file = outbox.write(&message).await?;
                tracing::info!(kind, to, file = %file.display(), "mail written to the outbox");
            }
            Delivery::Log => {
                tracing::info!(kind, to, language = %mail.language, "mail not delivered (mail.transport = log)");
            }
            Delivery::Smtp(relay) => {
                relay.send(&message, &mail.to).await?;
                tracing::info!(kind, to, server = relay.endpoint(), "mail sent");
            }
        }
        Ok(())
    }
}

#[async_trait]
impl Mailer for LettreMailer {
    /// Renders `mail` in its language and hands it to the transport. Logs
    /// the kind and the masked recipient, never the address, body, code or
    /// link.
    async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        let result = self.deliver(mail).await;
        if let Err(e) = &result {
            let transport = match &self.inner.delivery {
                Delivery::File(outbox) => outbox.dir().display().to_string(),
                Delivery::Log => "log".to_owned(),
                Delivery::Smtp(relay) => relay.endpoint().to_owned(),
            };
            tracing::warn!(kind = mail.content.kind(), to = mail.to.masked(), transport, error = %e, "mail not sent");
        }
        result
    }

    /// The file outbox and the log are local and cannot stall; SMTP can.
    fn delivers_instantly(&self) -> bool {
        matches!(self.inner.delivery, Delivery::File(_) | Delivery::Log)
    }
}
