//! Email-first signup: an address and a language make an
//! account with no password, inactive until its owner confirms through the
//! mailed link with their consent (and, if they like, a password).

use registrar_domain::{AuditKind, ClientId, ClientIp, ConfirmationPurpose, Email, Language, Profile, User};
use registrar_mail::Mailer;
use registrar_store::{OutboxKind, SignupCompletion, Store};

use crate::account::NewAccount;
use crate::parse::{self, required, Lookups, Parsed, Rules};
use crate::{Field, FieldError, FieldErrors, Registrar, ServiceError, TokenPair};

/// Where a signup confirmation link stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignupLink {
    /// Live: the activation form, for the account with this address.
    Live(Email),
    /// Used before (the account is active and its address confirmed).
    Used,
    /// Unknown, replaced or expired.
    Dead,
}

/// `POST /signup`, every field parsed.
#[derive(Debug, Clone)]
pub struct Signup {
    pub email: Email,
    pub language: Language,
    pub invite: Option<String>,
}

/// What a signup checks beyond its fields: the invite, as given.
#[derive(Debug, Clone)]
pub struct SignupLookups {
    pub invite: Option<String>,
}

impl Lookups for Signup {
    type Lookups = SignupLookups;
    fn lookups(&self) -> SignupLookups {
        SignupLookups {
            invite: self.invite.clone(),
        }
    }
}

impl Signup {
    /// The pure step of [`Registrar::signup`].
    pub fn parse(
        email: Option<String>,
        language: Option<String>,
        invite: Option<String>,
        rules: Rules<'_>,
    ) -> Parsed<Self, SignupLookups> {
        let mut errors = FieldErrors::default();
        let email = parse::email(&mut errors, &email);
        let language = required(&mut errors, Field::Language, &language).and_then(|l| {
            Language::offered(l, rules.languages)
                .ok_or_else(|| errors.add(Field::Language, FieldError::InvalidLanguage))
                .ok()
        });
        let lookups = SignupLookups { invite: invite.clone() };
        let complete = match (email, language) {
            (Some(email), Some(language)) => Some(Self {
                email,
                language,
                invite,
            }),
            _ => None,
        };
        Parsed::of(errors, complete, lookups)
    }
}

/// `POST /confirm/signup/{id}`: consent given; a password, if any, as given
/// (its rules apply once the link names the account).
#[derive(Debug, Clone)]
pub struct SignupConsent {
    pub consent: i32,
    pub password: Option<String>,
}

impl SignupConsent {
    /// The pure step of [`Registrar::complete_signup`]: `consent` is an integer ≥ 1.
    pub fn parse(consent: Option<String>, password: Option<String>) -> Result<Self, ServiceError> {
        let consent = consent
            .as_deref()
            .and_then(|c| c.trim().parse::<i32>().ok())
            .filter(|c| *c >= 1)
            .ok_or_else(|| ServiceError::Invalid(FieldErrors::single(Field::Consent, FieldError::Required)))?;
        Ok(Self { consent, password })
    }
}

impl<S: Store, M: Mailer> Registrar<S, M> {
    /// `POST /signup`. A new address gets an account and a confirmation mail;
    /// an address that has an account gets a "someone tried to sign up" mail.
    /// Both answer the same. Returns the address as given.
    pub async fn signup(&self, request: Parsed<Signup, SignupLookups>, from: ClientIp) -> Result<Email, ServiceError> {
        let (lookups, mut errors) = request.start();
        let invite = self
            .check_invite(&mut errors, &lookups.invite, self.settings.invite_only)
            .await?;
        let Signup { email, language, .. } = request.finish(errors)?;
        self.mail_attempt(&email, from, true).await?;
        if let Some(existing) = self.store.user_by_email(&email).await? {
            self.signup_attempted(&existing).await?;
            return Ok(email);
        }
        let created = self
            .create_account(NewAccount {
                id: Self::new_user_id(),
                email: email.clone(),
                password: None,
                profile: Profile::person(),
                language: Some(language),
                accepted_policies: Vec::new(),
                session: None,
                invite,
                mail: OutboxKind::SignupConfirmation,
                consent: Some(User::CONSENT_PENDING),
            })
            .await;
        match created {
            Ok(()) => {}
            // Lost a race with another signup of the same address: it exists now.
            Err(ServiceError::Invalid(e)) if e.has(Field::Email) => {
                if let Some(existing) = self.store.user_by_email(&email).await? {
                    self.signup_attempted(&existing).await?;
                }
            }
            Err(e) => return Err(e),
        }
        Ok(email)
    }

    /// A signup for an address that has an account: its owner is told, with
    /// a reset link — or, while that account waits for consent, gets its
    /// signup link again.
    async fn signup_attempted(&self, user: &User) -> Result<(), ServiceError> {
        let kind = Self::mail_kind_for(user, OutboxKind::SignupAttempt);
        let mail = self.outbox_mail(&user.id, kind);
        let id = mail.id.clone();
        self.store.enqueue_mail(mail, &[]).await?;
        self.mail_queued(&id).await;
        Ok(())
    }

    /// Whether a signup confirmation link is live (for its page).
    pub async fn signup_link_valid(&self, id: &str) -> Result<bool, ServiceError> {
        Ok(matches!(self.signup_link(id).await?, SignupLink::Live(_)))
    }

    /// Where a signup confirmation link stands (for its page). Only an
    /// account waiting for consent has a live one: the confirmation link of
    /// any other account is no way to set its password.
    pub async fn signup_link(&self, id: &str) -> Result<SignupLink, ServiceError> {
        let hash = self.settings.secret_key.link_hash(id);
        if let Some(user) = self.store.email_link_user(&hash, self.now()).await? {
            return Ok(match self.store.user_by_id(&user).await? {
                Some(user) if user.consent_pending() => SignupLink::Live(user.email),
                _ => SignupLink::Dead,
            });
        }
        if self.used_link_confirmed(&hash).await? {
            return Ok(SignupLink::Used);
        }
        Ok(SignupLink::Dead)
    }

    /// `POST /confirm/signup/{id}`: `consent` (an integer ≥ 1) activates the
    /// account, with a password if one is given, and signs in on the web client.
    /// No consent → `Invalid(Consent: Required)`; a dead link → `NotFound`.
    pub async fn complete_signup(&self, id: &str, given: SignupConsent) -> Result<(TokenPair, User), ServiceError> {
        let SignupConsent { consent, password } = given;
        let link_hash = self.settings.secret_key.link_hash(id);
        let user = self
            .live_link_account(&link_hash, ConfirmationPurpose::Email)
            .await?
            // Only an email-first account waiting for consent completes here:
            // another account's confirmation link must not set its password
            // (that would skip the sign-out of a password change).
            .filter(User::consent_pending)
            .ok_or(ServiceError::NotFound)?;
        let password_hash = match password {
            None => None,
            Some(p) => Some(self.linked_password_hash(&p, &user.email).await?),
        };
        let (mut session, pair) = self.mint_session(
            &user.id,
            &ClientId::web(),
            Self::browser(),
            registrar_domain::SignInMethod::SignupLink,
        );
        // The link opens this session, not a password; one chosen here is the
        // account's from now on, and the session rests on it.
        session.credential = password_hash.clone();
        session.audit = vec![self.new_session_event(AuditKind::SignedIn, &user, &session)];
        let completion = SignupCompletion {
            link_hash,
            consent,
            password_hash,
            session,
            max_sessions_per_client: self.settings.max_sessions_per_client,
            now: self.now(),
            // `user.email_confirmed` is written only if the link confirms the address now.
            audit: vec![self.user_event(AuditKind::EmailConfirmed, &user).with("method", "link")],
        };
        let user = self
            .store
            .complete_signup(completion)
            .await?
            .ok_or(ServiceError::NotFound)?;
        tracing::info!(to = user.email.masked(), "email-first signup confirmed");
        Ok((pair, user))
    }
}
