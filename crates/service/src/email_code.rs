//! Signing in with a code mailed to the account's address: `POST
//! /api/email-code` queues a mail of six digits, `grant_type=email_code`
//! trades them for a token pair.
//!
//! The asking answers the same for every address (known, unknown, disabled,
//! waiting for consent) and always through the outbox, so that neither the
//! answer nor its time tells them apart; it spends the address's and the
//! client's mail budget (`throttle.mails_*`). The code is minted when the mail
//! goes out, kept only as its keyed hash (a confirmation of purpose
//! [`ConfirmationPurpose::SignInCode`](registrar_domain::ConfirmationPurpose::SignInCode),
//! which a newer code replaces), lives [`EMAIL_CODE_TTL`] and takes
//! [`EMAIL_CODE_ATTEMPTS`] wrong tries. A try is a guess at a login: refused
//! during the account's or the client's lockout, and a wrong one counts as a
//! failed login and against the address's code budget (`throttle.code_*`).
//! The right code proves the mailbox, so it confirms the address; on an
//! account with a second factor it is the first factor only
//! ([`ServiceError::MfaRequired`] follows).

use chrono::Duration;
use registrar_domain::{ClientIp, Email, User};
use registrar_mail::Mailer;
use registrar_store::{CodeOutcome, FirstFactor, OutboxKind, Store};

use crate::input::{EmailCodeGrantInput, EmailCodeInput};
use crate::parse::{self, ClientRef, Device};
use crate::{FieldErrors, Registrar, ServiceError, TokenPair};

/// How long a mailed sign-in code works.
pub const EMAIL_CODE_TTL: Duration = Duration::minutes(10);
/// Wrong tries after which a sign-in code is dead.
pub const EMAIL_CODE_ATTEMPTS: u32 = 5;

/// `POST /api/email-code`, parsed: the client that asks, and the address to
/// mail a sign-in code to (if it has an account).
#[derive(Debug, Clone)]
pub struct EmailCodeMail {
    pub client: ClientRef,
    pub email: Email,
}

impl EmailCodeMail {
    /// The pure step of [`Registrar::mail_sign_in_code`].
    pub fn parse(input: &EmailCodeInput) -> Result<Self, ServiceError> {
        let mut errors = FieldErrors::default();
        let client = parse::client(&mut errors, &input.client_id);
        let email = parse::email(&mut errors, &input.email);
        parse::complete(errors, client.zip(email).map(|(client, email)| Self { client, email }))
    }
}

/// `grant_type=email_code`, every field parsed.
#[derive(Debug, Clone)]
pub struct EmailCodeGrant {
    pub client: ClientRef,
    pub device: Device,
    pub email: Email,
    /// Six or more digits as typed (spaces and dashes dropped, the zeros a
    /// JSON number lost put back); only six can match.
    pub code: String,
}

impl EmailCodeGrant {
    /// The pure step of [`Registrar::login_email_code`].
    pub fn parse(input: &EmailCodeGrantInput) -> Result<Self, ServiceError> {
        let mut errors = FieldErrors::default();
        let code = crate::confirm::parse_code(&mut errors, &input.code);
        let device = parse::device(&mut errors, &input.device_id, &input.device_name);
        let client = parse::client(&mut errors, &input.client_id);
        let email = parse::email(&mut errors, &input.email);
        let grant = (|| {
            Some(Self {
                client: client?,
                device: device?,
                email: email?,
                code: code?,
            })
        })();
        parse::complete(errors, grant)
    }
}

impl<S: Store, M: Mailer> Registrar<S, M> {
    /// `POST /api/email-code`: mails a sign-in code to the account of the
    /// address, if there is one that may sign in (not disabled; an account
    /// waiting for consent gets its signup link again instead). The same
    /// answer either way, after the same work: the mail goes through the
    /// worker. An unknown client is `InvalidClient`, before any budget is spent.
    pub async fn mail_sign_in_code(&self, request: EmailCodeMail, from: ClientIp) -> Result<(), ServiceError> {
        self.known_client(&request.client).await?;
        self.mail_attempt(&request.email, from, false).await?;
        let user = self.store.user_by_email(&request.email).await?;
        if let Some(user) = user.filter(|u| !u.disabled) {
            let kind = Self::mail_kind_for(&user, OutboxKind::SignInCode);
            self.store.enqueue_mail(self.outbox_mail(&user.id, kind), &[]).await?;
            self.outbox_kick.notify_one();
        }
        Ok(())
    }

    /// `grant_type=email_code`: a new pair for (user, client, device), signed
    /// in by the mailed code. Unknown address, no live code, a wrong, used
    /// or expired one, and one that had its tries are the same
    /// `InvalidGrant`, counted as a failed login and a failed code.
    pub async fn login_email_code(&self, grant: EmailCodeGrant, from: ClientIp) -> Result<TokenPair, ServiceError> {
        let client = self.known_client(&grant.client).await?;
        let user = self.check_email_code(&grant.email, &grant.code, from).await?;
        self.signed_in_by(FirstFactor::EmailCode, &user, &client, grant.device)
            .await
    }

    /// The checks of a sign-in by mailed code: the account whose live code
    /// for `email` is `code` (used up). Unknown address, no live code, a
    /// wrong, used or expired one, and one that had its tries are the same
    /// `InvalidGrant`, counted as a failed login and a failed code.
    pub(crate) async fn check_email_code(
        &self,
        email: &Email,
        code: &str,
        from: ClientIp,
    ) -> Result<User, ServiceError> {
        self.login_allowed(Some(email), from).await?;
        self.code_attempt(email, from).await?;
        let Some(user) = self.use_sign_in_code(email, code).await? else {
            match self.store.user_by_email(email).await? {
                Some(user) => self.user_login_failed(&user, "wrong_code", from).await?,
                None => self.login_failed(Some(email), from).await?,
            }
            self.code_failed(email).await?;
            return Err(ServiceError::InvalidGrant);
        };
        if user.disabled {
            return Err(ServiceError::AccountDisabled);
        }
        Ok(user)
    }

    /// The account whose live sign-in code `code` is, the code used up and
    /// the address confirmed; `None` for anything else (the try counted
    /// against the code, if there is one).
    async fn use_sign_in_code(&self, email: &Email, code: &str) -> Result<Option<User>, ServiceError> {
        let Some(user) = self.store.user_by_email(email).await? else {
            return Ok(None);
        };
        // Only its signup link lets an account waiting for consent in (it
        // is never mailed a sign-in code; this holds for any code anyway).
        if user.consent_pending() {
            return Ok(None);
        }
        let outcome = self
            .store
            .use_sign_in_code(&self.code_try(&user, code, EMAIL_CODE_ATTEMPTS))
            .await?;
        if outcome != CodeOutcome::Confirmed {
            return Ok(None);
        }
        if !user.email_confirmed() {
            tracing::info!(to = user.email.masked(), "email confirmed by a sign-in code");
        }
        Ok(Some(user))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Field, FieldError};

    fn grant(email: Option<&str>, code: Option<&str>) -> Result<EmailCodeGrant, ServiceError> {
        EmailCodeGrant::parse(&EmailCodeGrantInput {
            client_id: Some("app".into()),
            device_id: Some("d".into()),
            device_name: Some("Phone".into()),
            email: email.map(str::to_owned),
            code: code.map(str::to_owned),
        })
    }

    #[test]
    fn an_email_code_grant_takes_the_code_as_the_mail_shows_it() {
        let parsed = grant(Some("Ann@Example.com"), Some("303 461")).expect("parses");
        assert_eq!(parsed.code, "303461");
        assert_eq!(parsed.email.as_str(), "Ann@Example.com");
        assert_eq!(grant(Some("a@example.com"), Some("42")).expect("parses").code, "000042");
    }

    #[test]
    fn an_email_code_grant_names_every_bad_field() {
        let Err(ServiceError::Invalid(errors)) = grant(Some("no address"), Some("12a456")) else {
            panic!("refused");
        };
        assert!(errors.has(Field::Email) && errors.has(Field::Code));
        let Err(ServiceError::Invalid(errors)) = grant(None, None) else {
            panic!("refused");
        };
        assert_eq!(
            errors.iter().map(|(f, e)| (*f, e.clone())).collect::<Vec<_>>(),
            [
                (Field::Email, vec![FieldError::Required]),
                (Field::Code, vec![FieldError::Required])
            ]
        );
    }

    #[test]
    fn asking_for_a_code_needs_a_client_and_an_address() {
        let ask = |client: Option<&str>, email: Option<&str>| {
            EmailCodeMail::parse(&EmailCodeInput {
                client_id: client.map(str::to_owned),
                email: email.map(str::to_owned),
            })
        };
        assert!(ask(Some("app"), Some("a@example.com")).is_ok());
        let Err(ServiceError::Invalid(errors)) = ask(None, Some("a@exa\u{0}mple.com")) else {
            panic!("refused");
        };
        assert!(errors.has(Field::ClientId) && errors.has(Field::Email));
        assert!(matches!(
            ask(Some("no such\u{0} client"), Some("a@example.com")),
            Ok(EmailCodeMail {
                client: ClientRef::Malformed,
                ..
            })
        ));
    }
}
