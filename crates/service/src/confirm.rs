//! Proving an address (6-digit code or link) and resetting a forgotten password.

use registrar_domain::{
    Actor, AuditKind, ClientIp, ConfirmationCode, ConfirmationPurpose, Email, PasswordHash, SecretHash, User,
};
use registrar_mail::Mailer;
use registrar_store::{CodeOutcome, CodeTry, OutboxKind, Store};

use crate::parse::{self, password_error, required};
use crate::{Field, FieldError, FieldErrors, Registrar, ServiceError, Settings};

/// What a person typed as a code: digits, as the mail shows them too —
/// spaces and dashes inside (`303 461`, `303-461`) are dropped. A JSON
/// number loses leading zeros, so shorter numbers are padded back to six digits.
pub(crate) fn parse_code(errors: &mut FieldErrors, raw: &Option<String>) -> Option<String> {
    let raw = required(errors, Field::Code, raw)?;
    let digits = code_digits(raw.trim());
    let digits = digits.as_str();
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        errors.add(Field::Code, FieldError::NotAnInteger);
        return None;
    }
    Some(if digits.len() < 6 {
        format!("{digits:0>6}")
    } else {
        digits.to_owned()
    })
}

/// What opening a confirmation link did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkOutcome {
    /// The link was live: the address is confirmed now.
    Confirmed,
    /// The link was used before (opened again, or fetched by a mail
    /// scanner) and its account's address is confirmed.
    AlreadyConfirmed,
}

/// `typed` without the spaces and dashes between its digits; anything else
/// (a leading or trailing dash, letters) is kept for the caller to refuse.
fn code_digits(typed: &str) -> String {
    let chars: Vec<char> = typed.chars().collect();
    let inside = |i: usize| i > 0 && i + 1 < chars.len();
    chars
        .iter()
        .enumerate()
        .filter(|&(i, c)| !(c.is_whitespace() || (*c == '-' && inside(i))))
        .map(|(_, c)| *c)
        .collect()
}

/// `POST /api/users/validation`, both fields parsed.
#[derive(Debug, Clone)]
pub struct CodeConfirmation {
    pub email: Email,
    /// Six or more digits (a JSON number may have lost its leading zeros:
    /// they are back); only six can match.
    pub code: String,
}

impl CodeConfirmation {
    /// The pure step of [`Registrar::confirm_code`].
    pub fn parse(email: &Option<String>, code: &Option<String>) -> Result<Self, ServiceError> {
        let mut errors = FieldErrors::default();
        let email = parse::email(&mut errors, email);
        let code = parse_code(&mut errors, code);
        parse::complete(errors, email.zip(code).map(|(email, code)| Self { email, code }))
    }
}

/// `POST /api/reset-password` and the reset page: both fields present. The
/// password rules apply once the link names the account (not its address).
#[derive(Debug, Clone)]
pub struct PasswordReset {
    pub token: String,
    pub password: String,
}

impl PasswordReset {
    /// The pure step of [`Registrar::reset_password`].
    pub fn parse(token: Option<String>, password: Option<String>) -> Result<Self, ServiceError> {
        let mut errors = FieldErrors::default();
        let token = required(&mut errors, Field::Token, &token).map(str::to_owned);
        let password = required(&mut errors, Field::Password, &password).map(str::to_owned);
        match (token, password) {
            (Some(token), Some(password)) => Ok(Self { token, password }),
            _ => Err(ServiceError::Invalid(errors)),
        }
    }
}

impl<S: Store, M: Mailer> Registrar<S, M> {
    async fn account(&self, email: &Email) -> Result<User, ServiceError> {
        self.store.user_by_email(email).await?.ok_or(ServiceError::NotFound)
    }

    /// `POST /api/users/validation`: confirms the address with the code of
    /// the last confirmation mail. Unknown address → `NotFound`; confirmed
    /// already → `AlreadyConfirmed`; wrong, used or expired code → `WrongCode`;
    /// after five wrong codes → `TooManyAttempts` until a new one is sent.
    /// Throttled per client address (every try) and per address (failed
    /// tries across codes, `throttle.code_*`): `TooManyAttempts` first.
    pub async fn confirm_code(&self, confirmation: CodeConfirmation, from: ClientIp) -> Result<(), ServiceError> {
        let CodeConfirmation { email, code } = confirmation;
        self.code_attempt(&email, from).await?;
        let result = self.check_code(&email, &code).await;
        if matches!(result, Err(ServiceError::NotFound | ServiceError::WrongCode)) {
            self.code_failed(&email).await?;
        }
        result
    }

    async fn check_code(&self, email: &Email, code: &str) -> Result<(), ServiceError> {
        let user = self.account(email).await?;
        if user.email_confirmed() {
            return Err(ServiceError::AlreadyConfirmed);
        }
        match self
            .store
            .confirm_by_code(&self.code_try(&user, code, Settings::CODE_ATTEMPTS))
            .await?
        {
            CodeOutcome::Confirmed => {
                tracing::info!(to = user.email.masked(), "email confirmed by code");
                Ok(())
            }
            CodeOutcome::TooManyAttempts => Err(ServiceError::TooManyAttempts {
                retry_after: ServiceError::CODE_RETRY_AFTER,
            }),
            CodeOutcome::Wrong | CodeOutcome::NoCode => Err(ServiceError::WrongCode),
        }
    }

    /// A `code` typed for `user`'s live code, now, as the store checks it
    /// (its keyed hash). Any digits are a try; only six can match.
    pub(crate) fn code_try(&self, user: &User, code: &str, max_attempts: u32) -> CodeTry {
        let code_hash = match ConfirmationCode::parse(code) {
            Some(code) => code.hash_for(&user.id, &self.settings.secret_key),
            None => self.settings.secret_key.link_hash("not a code"),
        };
        CodeTry {
            user: user.id.clone(),
            code_hash,
            now: self.now(),
            max_attempts,
            // Written by the store only when the right code confirms.
            audit: vec![self.user_event(AuditKind::EmailConfirmed, user).with("method", "code")],
        }
    }

    /// `POST /api/mails/verify`: a new code (and link) for an unconfirmed
    /// address. Unknown addresses get the same answer and no mail; the mail
    /// goes through the worker, so that no timing tells the two apart.
    /// (A confirmed address is a 409, as the users API's contract says.)
    pub async fn resend_confirmation(&self, email: Email, from: ClientIp) -> Result<(), ServiceError> {
        self.mail_attempt(&email, from, false).await?;
        let Some(user) = self.store.user_by_email(&email).await? else {
            return Ok(());
        };
        if user.email_confirmed() {
            return Err(ServiceError::AlreadyConfirmed);
        }
        let kind = Self::mail_kind_for(&user, OutboxKind::Confirmation);
        self.store.enqueue_mail(self.outbox_mail(&user.id, kind), &[]).await?;
        self.outbox_kick.notify_one();
        Ok(())
    }

    /// `GET /confirm/{token}`: confirms the address the link was sent to. A
    /// used link whose account's address is confirmed says so; any other
    /// dead link is `InvalidLink`.
    pub async fn confirm_link(&self, token: &str) -> Result<LinkOutcome, ServiceError> {
        let hash = self.settings.secret_key.link_hash(token);
        // The store completes it with the link's user.
        let audit = [self
            .event(AuditKind::EmailConfirmed, Actor::User)
            .with("method", "link")];
        if self.store.confirm_by_link(&hash, self.now(), &audit).await?.is_some() {
            return Ok(LinkOutcome::Confirmed);
        }
        if self.used_link_confirmed(&hash).await? {
            return Ok(LinkOutcome::AlreadyConfirmed);
        }
        Err(ServiceError::InvalidLink)
    }

    /// Whether `hash` is a used email-confirmation link whose account's
    /// address is confirmed.
    pub(crate) async fn used_link_confirmed(&self, hash: &SecretHash) -> Result<bool, ServiceError> {
        let Some(user) = self.store.used_email_link_user(hash).await? else {
            return Ok(false);
        };
        Ok(self.store.user_by_id(&user).await?.is_some_and(|u| u.email_confirmed()))
    }

    /// The account a live link of `purpose` is for, as it is now; `None` for
    /// a dead link, or an account erased since.
    pub(crate) async fn live_link_account(
        &self,
        hash: &SecretHash,
        purpose: ConfirmationPurpose,
    ) -> Result<Option<User>, ServiceError> {
        let now = self.now();
        let found = match purpose {
            ConfirmationPurpose::Email => self.store.email_link_user(hash, now).await?,
            ConfirmationPurpose::PasswordReset => self.store.reset_link_user(hash, now).await?,
            // A sign-in code's link is never sent: no page takes one.
            ConfirmationPurpose::SignInCode => None,
        };
        Ok(match found {
            Some(id) => self.store.user_by_id(&id).await?,
            None => None,
        })
    }

    /// A password chosen through a mailed link, checked against the policy
    /// (and the account's address) and hashed.
    pub(crate) async fn linked_password_hash(
        &self,
        password: &str,
        email: &Email,
    ) -> Result<PasswordHash, ServiceError> {
        let password = self
            .settings
            .password
            .check(password, Some(email), self.breached.current().as_deref())
            .map_err(|e| ServiceError::Invalid(FieldErrors::single(Field::Password, password_error(e))))?;
        self.hasher.hash(&password).await
    }

    /// `POST /api/forgot-password`: mails a reset link if the account exists.
    /// The answer is the same either way, and the mail always goes through the
    /// worker, so that no timing tells the two apart.
    pub async fn forgot_password(&self, email: Email, from: ClientIp) -> Result<(), ServiceError> {
        self.mail_attempt(&email, from, false).await?;
        if let Some(user) = self.store.user_by_email(&email).await? {
            // An email-first account waiting for consent gets its signup link
            // again: consent and a password in one form, no way around consent.
            let kind = Self::mail_kind_for(&user, OutboxKind::PasswordReset);
            self.store.enqueue_mail(self.outbox_mail(&user.id, kind), &[]).await?;
            self.outbox_kick.notify_one();
        }
        Ok(())
    }

    /// Whether a reset link can still be used (for the reset page). An
    /// email-first account waiting for consent has none that works.
    pub async fn reset_link_valid(&self, token: &str) -> Result<bool, ServiceError> {
        Ok(self.reset_link_email(token).await?.is_some())
    }

    /// The address of the account a usable reset link is for (the reset
    /// page shows it to password managers); `None` for a dead link.
    pub async fn reset_link_email(&self, token: &str) -> Result<Option<Email>, ServiceError> {
        let hash = self.settings.secret_key.link_hash(token);
        Ok(self
            .live_link_account(&hash, ConfirmationPurpose::PasswordReset)
            .await?
            .filter(|u| !u.consent_pending())
            .map(|u| u.email))
    }

    /// `POST /api/reset-password` and the reset page: a new password through
    /// a live link; every session of the user is revoked, the link used up.
    pub async fn reset_password(&self, reset: PasswordReset) -> Result<(), ServiceError> {
        let PasswordReset { token, password } = reset;
        let hash = self.settings.secret_key.link_hash(&token);
        let user = self
            .live_link_account(&hash, ConfirmationPurpose::PasswordReset)
            .await?
            .ok_or(ServiceError::InvalidLink)?;
        // No password (hence no log-in) around the consent of an email-first
        // signup: its own link is the way in. (Consent is never taken back,
        // so no race makes a checked account pending again.)
        if user.consent_pending() {
            return Err(ServiceError::InvalidLink);
        }
        let new_hash = self.linked_password_hash(&password, &user.email).await?;
        let mail = self.outbox_mail(&user.id, OutboxKind::PasswordChanged);
        let id = mail.id.clone();
        let audit = [self
            .user_event(AuditKind::PasswordChanged, &user)
            .with("reason", "reset")];
        match self
            .store
            .reset_password(&hash, &new_hash, self.now(), Some(mail), &audit)
            .await?
        {
            Some(_) => {
                tracing::info!(to = user.email.masked(), "password reset; every session revoked");
                // The link proved the mailbox: the owner is back, the lockout goes.
                if let Err(e) = self.login_succeeded(&user.email).await {
                    tracing::warn!(error = %e, "could not clear the login lockout after a reset");
                }
                self.mail_queued(&id).await;
                Ok(())
            }
            None => Err(ServiceError::InvalidLink),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(raw: &str) -> Option<String> {
        parse_code(&mut FieldErrors::default(), &Some(raw.to_owned()))
    }

    #[test]
    fn a_code_is_read_as_the_mail_shows_it() {
        for typed in ["303461", "303 461", "303-461", " 303 - 461 ", "3 0 3 4 6 1"] {
            assert_eq!(parsed(typed).as_deref(), Some("303461"), "{typed:?}");
        }
        assert_eq!(
            parsed("42").as_deref(),
            Some("000042"),
            "a JSON number without its zeros"
        );
        for typed in ["-303461", "303461-", "303_461", "303.461", "abc", "-"] {
            assert_eq!(parsed(typed), None, "{typed:?}");
        }
    }
}
