//! The mail port: the typed messages Registrar sends and the [`Mailer`] that
//! delivers them. Rendering (templates, languages, MIME) is the adapter's job;
//! a message here carries only what varies per mail.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use registrar_domain::{ConfirmationCode, Email, Language};

/// One message to one person, in their language.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: Email,
    /// How to greet them, when known.
    pub name: Option<String>,
    pub language: Language,
    pub content: MailContent,
}

/// What the mail says. Links are absolute URLs under `http.public_url`.
/// Codes and links are secrets: `Debug` shows only the kind.
#[derive(Clone)]
pub enum MailContent {
    /// Confirm your address: the 6-digit code and a link that does the same.
    Confirmation { code: ConfirmationCode, link: String },
    /// Email-first signup: confirm the new account through this link (or the code).
    SignupConfirmation { code: ConfirmationCode, link: String },
    /// Somebody tried to sign up with an address that already has an account.
    SignupAttempt { reset_link: String },
    /// Reset a forgotten password through this link (valid 1 hour).
    PasswordReset { link: String },
    /// Your password was changed (if it was not you, reset it).
    PasswordChanged { reset_link: String },
    /// Two-step verification was turned on (if it was not you, somebody has
    /// your password: reset it).
    TotpEnabled { reset_link: String },
    /// Two-step verification was turned off, by you or an operator (if it
    /// was not you, reset your password).
    TotpDisabled { reset_link: String },
    /// A recovery code was used to sign in, at `used_at`: make new codes if
    /// you run low; if it was not you, reset your password.
    RecoveryCodeUsed { used_at: DateTime<Utc>, reset_link: String },
    /// A passkey was added to the account (if it was not you, reset your password).
    PasskeyAdded { reset_link: String },
    /// A passkey was removed from the account (if it was not you, reset your password).
    PasskeyRemoved { reset_link: String },
    /// Sign in with this 6-digit code, once, within `valid_minutes` (no
    /// link: if you did not ask for it, ignore it).
    SignInCode { code: ConfirmationCode, valid_minutes: u32 },
    /// Somebody signed in on `device`, a device never seen on the account,
    /// at `at` (if it was not you, reset your password through "forgot
    /// password"). No link: a sign-in must not mint a reset link, which would
    /// replace one the user asked for.
    NewSignIn { device: String, at: DateTime<Utc> },
    /// To the new address of a change: a 6-digit code and a link that
    /// confirm it, valid for `valid_hours`.
    EmailChangeConfirm {
        code: ConfirmationCode,
        link: String,
        valid_hours: u32,
    },
    /// To the old address of a change: the address is being changed to
    /// `new_email` (masked); `cancel_link` ("this was not me") cancels the
    /// change, signs out every session and sends a password reset.
    EmailChangeNotice { new_email: String, cancel_link: String },
    /// To the old address, once the change applied: the account now uses
    /// `new_email` (masked). No link: the old address no longer names the account.
    EmailChanged { new_email: String },
}

impl MailContent {
    /// A stable name for logs and metrics; never the content.
    pub fn kind(&self) -> &'static str {
        match self {
            MailContent::Confirmation { .. } => "confirmation",
            MailContent::SignupConfirmation { .. } => "signup_confirmation",
            MailContent::SignupAttempt { .. } => "signup_attempt",
            MailContent::PasswordReset { .. } => "password_reset",
            MailContent::PasswordChanged { .. } => "password_changed",
            MailContent::TotpEnabled { .. } => "totp_enabled",
            MailContent::TotpDisabled { .. } => "totp_disabled",
            MailContent::RecoveryCodeUsed { .. } => "recovery_code_used",
            MailContent::PasskeyAdded { .. } => "passkey_added",
            MailContent::PasskeyRemoved { .. } => "passkey_removed",
            MailContent::SignInCode { .. } => "sign_in_code",
            MailContent::NewSignIn { .. } => "new_sign_in",
            MailContent::EmailChangeConfirm { .. } => "email_change_confirm",
            MailContent::EmailChangeNotice { .. } => "email_change_notice",
            MailContent::EmailChanged { .. } => "email_changed",
        }
    }
}

impl std::fmt::Debug for MailContent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MailContent::{}(<redacted>)", self.kind())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// Worth trying again later (connection refused, timeout, 4xx reply).
    #[error("temporary mail failure: {0}")]
    Transient(String),
    /// Will fail again (5xx reply, bad address, broken template).
    #[error("permanent mail failure: {0}")]
    Permanent(String),
}

#[async_trait]
pub trait Mailer: Clone + Send + Sync + 'static {
    /// Renders and delivers one message. Returns once the transport accepted
    /// it (the file is written, the SMTP server said 250).
    async fn send(&self, mail: &Mail) -> Result<(), MailError>;

    /// Whether delivery is local and cannot stall (a file, a log line, memory):
    /// then a request may deliver its own mail at once instead of leaving it
    /// to the background worker. SMTP says no.
    fn delivers_instantly(&self) -> bool {
        false
    }
}
