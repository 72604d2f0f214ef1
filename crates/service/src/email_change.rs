//! Changing the account's address, confirmed on both sides: the request
//! (password, and the second factor where there is one) changes nothing
//! yet; the new address gets a code and a link, the old one a notice with a
//! "this was not me" link that cancels the change. The address changes when
//! the new one confirms, if it is still free.

use registrar_domain::{AuditKind, ClientIp, Email, SecretHash, User};
use registrar_mail::Mailer;
use registrar_store::{
    CodeOutcome, EmailChangeCancellation, EmailChangeConfirmation, EmailChangeLink, EmailChangeProof, FirstFactor,
    MfaPurpose, NewEmailChange, OutboxKind, PendingEmailChange, Store, StoreError,
};

use crate::confirm::parse_code;
use crate::parse::{email_error, required, Device};
use crate::tokens::random_hex;
use crate::{AuthContext, Field, FieldError, FieldErrors, ProfileView, Registrar, ServiceError, Settings};

/// `POST /api/me/email`, parsed: the new address and the current password.
#[derive(Debug, Clone)]
pub struct EmailChangeRequest {
    pub new_email: Email,
    pub password: String,
}

impl EmailChangeRequest {
    /// The pure step of [`Registrar::request_email_change`]: every field error at once.
    pub fn parse(new_email: &Option<String>, password: &Option<String>) -> Result<Self, ServiceError> {
        let mut errors = FieldErrors::default();
        let new_email = required(&mut errors, Field::NewEmail, new_email).and_then(|raw| {
            Email::parse(raw)
                .map_err(|e| errors.add(Field::NewEmail, email_error(e)))
                .ok()
        });
        let password = required(&mut errors, Field::Password, password).map(str::to_owned);
        match (new_email, password) {
            (Some(new_email), Some(password)) if errors.is_empty() => Ok(Self { new_email, password }),
            _ => Err(ServiceError::Invalid(errors)),
        }
    }
}

/// `POST /api/me/email/confirm`, parsed: the code mailed to the new address.
#[derive(Debug, Clone)]
pub struct EmailChangeCode {
    pub code: String,
}

impl EmailChangeCode {
    /// The pure step of [`Registrar::confirm_email_change`].
    pub fn parse(code: &Option<String>) -> Result<Self, ServiceError> {
        let mut errors = FieldErrors::default();
        let code = parse_code(&mut errors, code);
        crate::parse::complete(errors, code.map(|code| Self { code }))
    }
}

/// The address is taken by another account: found when the change applies.
fn taken() -> ServiceError {
    ServiceError::Invalid(FieldErrors::single(Field::NewEmail, FieldError::EmailTaken))
}

impl<S: Store, M: Mailer> Registrar<S, M> {
    /// `POST /api/me/email`: checks the password (a wrong one counts as a
    /// failed login), then starts the change: the new address gets a code
    /// and a link, the old one a notice with a cancel link. Nothing changes
    /// yet, and a taken address is answered the same (no oracle): the
    /// conflict surfaces at confirmation. Throttled per account and client
    /// address, and per new address, as mails asked for are.
    pub async fn request_email_change(
        &self,
        ctx: &AuthContext,
        request: EmailChangeRequest,
        from: ClientIp,
    ) -> Result<(), ServiceError> {
        let EmailChangeRequest { new_email, password } = request;
        if new_email.normalized() == ctx.user.email.normalized() {
            return Err(ServiceError::Invalid(FieldErrors::single(
                Field::NewEmail,
                FieldError::EmailUnchanged,
            )));
        }
        self.email_change_attempt(&ctx.user.email, &new_email, from).await?;
        self.confirm_password(&ctx.user, &password, from).await?;
        // An account with a second factor goes on with `grant_type=mfa`,
        // which starts the change (see `login_mfa`).
        let device = Device {
            id: ctx.session.device_id.clone(),
            name: ctx.session.device_name.clone(),
        };
        let purpose = MfaPurpose::ChangeEmail {
            new_email: new_email.clone(),
        };
        self.require_second_factor(
            &ctx.user,
            &ctx.session.client_id,
            device,
            FirstFactor::Password,
            purpose,
        )
        .await?;
        self.start_email_change(&ctx.user, Some(ctx), new_email).await
    }

    /// Stores the change with its two mails and its event, and sends them.
    pub(crate) async fn start_email_change(
        &self,
        user: &User,
        ctx: Option<&AuthContext>,
        new_email: Email,
    ) -> Result<(), ServiceError> {
        let id = random_hex(16);
        let mut notice = self.outbox_mail(&user.id, OutboxKind::EmailChangeNotice);
        notice.detail = Some(id.clone());
        let mut confirm = self.outbox_mail(&user.id, OutboxKind::EmailChangeConfirm);
        confirm.detail = Some(id.clone());
        let mail_ids = [notice.id.clone(), confirm.id.clone()];
        let event = match ctx {
            Some(ctx) => self.session_event(AuditKind::EmailChangeRequested, user, &ctx.session),
            None => self.user_event(AuditKind::EmailChangeRequested, user),
        };
        let now = self.now();
        let change = NewEmailChange {
            id,
            user: user.id.clone(),
            new_email: new_email.clone(),
            created_at: now,
            expires_at: now + self.settings.email_change_ttl,
            // The old address hears of it first.
            mails: vec![notice, confirm],
            audit: vec![event.with("new_email", new_email.masked())],
        };
        self.store.start_email_change(change).await?;
        tracing::info!(to = new_email.masked(), "email change asked for");
        for id in &mail_ids {
            self.mail_queued(id).await;
        }
        Ok(())
    }

    /// `POST /api/me/email/confirm`: the code mailed to the new address
    /// applies the change and answers the profile as it is now. A wrong code
    /// counts (five per code; per address and client as other codes); a
    /// taken address is a `new_email` field error and changes nothing.
    pub async fn confirm_email_change(
        &self,
        ctx: &AuthContext,
        code: EmailChangeCode,
        from: ClientIp,
    ) -> Result<ProfileView, ServiceError> {
        self.code_attempt(&ctx.user.email, from).await?;
        let code_hash = match registrar_domain::ConfirmationCode::parse(&code.code) {
            Some(code) => code.hash_for(&ctx.user.id, &self.settings.secret_key),
            None => self.settings.secret_key.link_hash("not a code"),
        };
        let proof = EmailChangeProof::Code {
            code_hash,
            max_attempts: Settings::CODE_ATTEMPTS,
        };
        match self.apply_email_change(&ctx.user, proof).await {
            Ok(user) => self.profile(user).await,
            Err(ServiceError::WrongCode) => {
                self.code_failed(&ctx.user.email).await?;
                Err(ServiceError::Invalid(FieldErrors::single(
                    Field::Code,
                    FieldError::WrongCode,
                )))
            }
            Err(e) => Err(e),
        }
    }

    /// The live change a link of the mails is for (the link pages show its
    /// address before the form that uses it); `InvalidLink` for a dead one.
    pub async fn email_change_of_link(
        &self,
        token: &str,
        which: EmailChangeLink,
    ) -> Result<PendingEmailChange, ServiceError> {
        self.store
            .email_change_by_link(&self.link_hash(token), which, self.now())
            .await?
            .ok_or(ServiceError::InvalidLink)
    }

    /// `POST /confirm/email-change/{token}`: the new address's link applies
    /// the change. A dead link is `InvalidLink`; a taken address a
    /// `new_email` field error.
    pub async fn confirm_email_change_link(&self, token: &str) -> Result<(), ServiceError> {
        let change = self.email_change_of_link(token, EmailChangeLink::Confirm).await?;
        let user = self
            .store
            .user_by_id(&change.user)
            .await?
            .ok_or(ServiceError::InvalidLink)?;
        let proof = EmailChangeProof::Link(self.link_hash(token));
        match self.apply_email_change(&user, proof).await {
            Ok(_) => Ok(()),
            Err(ServiceError::WrongCode) => Err(ServiceError::InvalidLink),
            Err(e) => Err(e),
        }
    }

    /// `POST /confirm/email-cancel/{token}`: the old address's "this was
    /// not me" link cancels the change, signs out every session and mails
    /// a password-reset link to the (unchanged) address.
    pub async fn cancel_email_change(&self, token: &str) -> Result<(), ServiceError> {
        let link_hash = self.link_hash(token);
        let change = self.email_change_of_link(token, EmailChangeLink::Cancel).await?;
        let user = self
            .store
            .user_by_id(&change.user)
            .await?
            .ok_or(ServiceError::InvalidLink)?;
        let kind = Self::mail_kind_for(&user, OutboxKind::PasswordReset);
        let reset_mail = self.outbox_mail(&user.id, kind);
        let mail_id = reset_mail.id.clone();
        let cancellation = EmailChangeCancellation {
            user: user.id.clone(),
            link_hash,
            now: self.now(),
            reset_mail,
            audit: vec![self
                .user_event(AuditKind::EmailChangeCancelled, &user)
                .with("new_email", change.new_email.masked())],
        };
        if !self.store.cancel_email_change(&cancellation).await? {
            return Err(ServiceError::InvalidLink);
        }
        tracing::info!(
            to = user.email.masked(),
            "email change cancelled; every session signed out"
        );
        self.mail_queued(&mail_id).await;
        Ok(())
    }

    /// Applies `user`'s pending change with `proof`: the user as they are
    /// now. `WrongCode` for a wrong or dead proof, `TooManyAttempts` once
    /// the code had its tries, a `new_email` field error when it is taken.
    async fn apply_email_change(&self, user: &User, proof: EmailChangeProof) -> Result<User, ServiceError> {
        let now = self.now();
        let Some(change) = self.store.pending_email_change(&user.id, now).await? else {
            return Err(ServiceError::WrongCode);
        };
        let mut notice = self.outbox_mail(&user.id, OutboxKind::EmailChanged);
        notice.detail = Some(user.email.as_str().to_owned());
        let notice_id = notice.id.clone();
        let event = self
            .event(AuditKind::Updated, registrar_domain::Actor::User)
            .about(&user.id, &change.new_email)
            .with("fields", "email");
        let confirmation = EmailChangeConfirmation {
            user: user.id.clone(),
            proof,
            now,
            notice,
            audit: vec![event],
        };
        match self.store.confirm_email_change(&confirmation).await {
            Ok(CodeOutcome::Confirmed) => {}
            Ok(CodeOutcome::TooManyAttempts) => {
                return Err(ServiceError::TooManyAttempts {
                    retry_after: ServiceError::CODE_RETRY_AFTER,
                })
            }
            Ok(CodeOutcome::Wrong | CodeOutcome::NoCode) => return Err(ServiceError::WrongCode),
            Err(StoreError::DuplicateEmail) => return Err(taken()),
            Err(e) => return Err(e.into()),
        }
        tracing::info!(to = change.new_email.masked(), "email changed");
        self.mail_queued(&notice_id).await;
        self.store.user_by_id(&user.id).await?.ok_or(ServiceError::NotFound)
    }

    fn link_hash(&self, token: &str) -> SecretHash {
        self.settings.secret_key.link_hash(token)
    }
}
