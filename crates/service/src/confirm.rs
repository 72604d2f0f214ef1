//! Proving an address (6-digit code or link) and resetting a forgotten password.

use registrar_domain::{ClientIp, ConfirmationCode, Email, User};
use registrar_mail::Mailer;
use registrar_store::{CodeOutcome, OutboxKind, Store};

use crate::input::{parse_email, password_error, required};
use crate::{Field, FieldError, FieldErrors, Registrar, ServiceError, Settings};

/// What a person typed as a code: digits (a JSON number loses leading zeros,
/// so shorter numbers are padded back to six digits).
fn parse_code(errors: &mut FieldErrors, raw: &Option<String>) -> Option<String> {
    let raw = required(errors, Field::Code, raw)?;
    let digits = raw.trim();
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
    pub async fn confirm_code(
        &self,
        email: Option<String>,
        code: Option<String>,
        from: ClientIp,
    ) -> Result<(), ServiceError> {
        let mut errors = FieldErrors::default();
        let email = parse_email(&mut errors, &email);
        let code = parse_code(&mut errors, &code);
        errors.into_result()?;
        let (Some(email), Some(code)) = (email, code) else {
            return Err(ServiceError::unexpected("validated confirmation input incomplete"));
        };
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
        // Any digits are a try; only six can match.
        let hash = match ConfirmationCode::parse(code) {
            Some(code) => code.hash_for(&user.id, &self.settings.secret_key),
            None => self.settings.secret_key.link_hash("not a code"),
        };
        match self
            .store
            .confirm_by_code(&user.id, &hash, self.now(), Settings::CODE_ATTEMPTS)
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

    /// `POST /api/mails/verify`: a new code (and link) for an unconfirmed
    /// address. Unknown addresses get the same answer and no mail; the mail
    /// goes through the worker, so that no timing tells the two apart.
    /// (A confirmed address is a 409, as the users API's contract says.)
    pub async fn resend_confirmation(&self, email: Option<String>, from: ClientIp) -> Result<(), ServiceError> {
        let mut errors = FieldErrors::default();
        let email = parse_email(&mut errors, &email);
        errors.into_result()?;
        let Some(email) = email else {
            return Err(ServiceError::unexpected("validated email missing"));
        };
        self.mail_attempt(&email, from, false).await?;
        let Some(user) = self.store.user_by_email(&email).await? else {
            return Ok(());
        };
        if user.email_confirmed() {
            return Err(ServiceError::AlreadyConfirmed);
        }
        self.store
            .enqueue_mail(self.outbox_mail(&user.id, OutboxKind::Confirmation))
            .await?;
        self.outbox_kick.notify_one();
        Ok(())
    }

    /// `GET /confirm/{token}`: confirms the address the link was sent to.
    pub async fn confirm_link(&self, token: &str) -> Result<(), ServiceError> {
        match self
            .store
            .confirm_by_link(&self.settings.secret_key.link_hash(token), self.now())
            .await?
        {
            Some(_) => Ok(()),
            None => Err(ServiceError::InvalidLink),
        }
    }

    /// `POST /api/forgot-password`: mails a reset link if the account exists.
    /// The answer is the same either way, and the mail always goes through the
    /// worker, so that no timing tells the two apart.
    pub async fn forgot_password(&self, email: Option<String>, from: ClientIp) -> Result<(), ServiceError> {
        let mut errors = FieldErrors::default();
        let email = parse_email(&mut errors, &email);
        errors.into_result()?;
        let Some(email) = email else {
            return Err(ServiceError::unexpected("validated email missing"));
        };
        self.mail_attempt(&email, from, false).await?;
        if let Some(user) = self.store.user_by_email(&email).await? {
            self.store
                .enqueue_mail(self.outbox_mail(&user.id, OutboxKind::PasswordReset))
                .await?;
            self.outbox_kick.notify_one();
        }
        Ok(())
    }

    /// Whether a reset link can still be used (for the reset page).
    pub async fn reset_link_valid(&self, token: &str) -> Result<bool, ServiceError> {
        Ok(self
            .store
            .reset_link_user(&self.settings.secret_key.link_hash(token), self.now())
            .await?
            .is_some())
    }

    /// `POST /api/reset-password` and the reset page: a new password through
    /// a live link; every session of the user is revoked, the link used up.
    pub async fn reset_password(&self, token: Option<String>, password: Option<String>) -> Result<(), ServiceError> {
        let mut errors = FieldErrors::default();
        let token = required(&mut errors, Field::Token, &token).map(str::to_owned);
        let password = required(&mut errors, Field::Password, &password).map(str::to_owned);
        errors.into_result()?;
        let (Some(token), Some(password)) = (token, password) else {
            return Err(ServiceError::unexpected("validated reset input incomplete"));
        };
        let hash = self.settings.secret_key.link_hash(&token);
        let now = self.now();
        let user_id = self
            .store
            .reset_link_user(&hash, now)
            .await?
            .ok_or(ServiceError::InvalidLink)?;
        let user = self
            .store
            .user_by_id(&user_id)
            .await?
            .ok_or(ServiceError::InvalidLink)?;
        let password = self
            .settings
            .password
            .check(&password, Some(&user.email))
            .map_err(|e| ServiceError::Invalid(FieldErrors::single(Field::Password, password_error(e))))?;
        let new_hash = self.hasher.hash(&password).await?;
        let mail = self.outbox_mail(&user.id, OutboxKind::PasswordChanged);
        let id = mail.id.clone();
        match self
            .store
            .reset_password(&hash, &new_hash, self.now(), Some(mail))
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
