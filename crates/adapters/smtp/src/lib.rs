//! The mail adapter: [`LettreMailer`] implements the mail port's
//! [`Mailer`](registrar_mail::Mailer) with lettre. It renders each message
//! from templates embedded at build time (`templates/<lang>/<kind>.*`, five
//! kinds in five languages) into a multipart/alternative plain-text + HTML
//! message, 8bit UTF-8 so codes and links read as plain text, and delivers it
//! to an outbox directory (`.eml` files), to the log, or to an SMTP server
//! over a pooled connection.

mod error;
mod mailer;
mod message;
mod name;
mod outbox;
mod settings;
mod smtp;
mod templates;

#[cfg(feature = "testing")]
pub mod testing;

pub use mailer::LettreMailer;
pub use settings::{
    MailSettings, SetupError, Tls, Transport, UnknownTls, DEFAULT_FROM, DEFAULT_OUTBOX_DIR, DEFAULT_SMTP_PORT,
    DEFAULT_SMTP_TIMEOUT,
};
pub use templates::{catalogue_from_dir, embedded_catalogue, RenderedMail, Templates};
