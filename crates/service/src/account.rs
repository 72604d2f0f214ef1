//! Accounts: registration, profile, password change, deletion, sessions.

use std::collections::BTreeSet;

use registrar_domain::policy::{current_revisions, pending_revisions};
use registrar_domain::{
    ClientIp, DeviceId, Email, Language, Password, PersonName, PolicyRevision, Profile, RevisionId, Role, Session,
    User, UserId,
};
use registrar_mail::Mailer;
use registrar_store::{NewUser, OutboxKind, Registration, Store};

use crate::input::{
    parse_email, parse_name, parse_telephone, parse_tin, password_error, required, text_error, ChangePasswordInput,
    Patch, ProfilePatch, RegisterInput,
};
use crate::tokens::parse_device;
use crate::{AuthContext, Field, FieldError, FieldErrors, Registrar, ServiceError, TokenPair};

/// A new account as every family makes it: a guest, unconfirmed, whose first
/// mail is queued with it.
pub(crate) struct NewAccount {
    pub id: UserId,
    pub email: Email,
    pub password: Option<Password>,
    pub profile: Profile,
    pub language: Option<Language>,
    pub accepted_policies: Vec<RevisionId>,
    pub session: Option<registrar_store::NewSession>,
    pub invite: Option<registrar_domain::SecretHash>,
    pub mail: OutboxKind,
    /// `Some(User::CONSENT_PENDING)` for an email-first account.
    pub consent: Option<i32>,
}

/// A user with their policy state, as `GET /api/me` shows it.
#[derive(Debug, Clone)]
pub struct ProfileView {
    pub user: User,
    pub accepted_policies: Vec<RevisionId>,
    pub pending_policies: Vec<RevisionId>,
}

#[derive(Debug, Clone)]
pub struct SessionView {
    pub session: Session,
    /// The session of the token that asked.
    pub current: bool,
}

impl<S: Store, M: Mailer> Registrar<S, M> {
    pub(crate) fn new_user_id() -> UserId {
        UserId(uuid::Uuid::new_v4().to_string())
    }

    /// Hashes the password, stores the account with everything that comes
    /// with it in one transaction, then delivers (or hands to the worker) its mail.
    /// A taken address is `Invalid` on the email field.
    pub(crate) async fn create_account(&self, account: NewAccount) -> Result<(), ServiceError> {
        let mail = self.outbox_mail(&account.id, account.mail);
        let mail_id = mail.id.clone();
        let password_hash = match &account.password {
            Some(p) => Some(self.hasher.hash(p).await?),
            None => None,
        };
        let masked = account.email.masked();
        // The first session rests on the password the account is created with.
        let session = account.session.map(|session| registrar_store::NewSession {
            credential: password_hash.clone(),
            ..session
        });
        let user = NewUser {
            id: account.id,
            email: account.email,
            password_hash,
            profile: account.profile,
            role: Role::guest(),
            language: account.language.unwrap_or(self.settings.default_language),
            email_confirmed_at: None,
            consent: account.consent,
            created_at: self.now(),
        };
        self.store
            .register(Registration {
                user,
                accepted_policies: account.accepted_policies,
                session,
                outbox: vec![mail],
                invite: account.invite,
                max_sessions_per_client: self.settings.max_sessions_per_client,
            })
            .await?;
        tracing::info!(to = masked, kind = account.mail.as_str(), "account registered");
        self.mail_queued(&mail_id).await;
        Ok(())
    }

    /// Checks a policy list against the published revisions: every entry an
    /// existing revision id (duplicates ignored), and the current revision of
    /// every required type among them.
    pub(crate) fn check_policies(
        &self,
        errors: &mut FieldErrors,
        revisions: &[PolicyRevision],
        given: &Option<Vec<Option<i32>>>,
    ) -> Vec<RevisionId> {
        let mut ids = BTreeSet::new();
        if crate::policies::list_too_long(errors, given) {
            return Vec::new();
        }
        let mut unknown = BTreeSet::new();
        let mut malformed = false;
        for entry in given.iter().flatten() {
            match entry {
                None => malformed = true,
                Some(id) if revisions.iter().any(|r| r.id.0 == *id) => {
                    ids.insert(RevisionId(*id));
                }
                Some(id) => {
                    unknown.insert(*id);
                }
            }
        }
        // Each problem once, however often the list repeats it.
        if malformed {
            errors.add(Field::Policies, FieldError::InvalidPolicyId);
        }
        for id in unknown {
            errors.add(Field::Policies, FieldError::UnknownPolicy(id));
        }
        let missing = pending_revisions(revisions, &self.settings.required_policy_types, &ids);
        if given.is_none() && !missing.is_empty() {
            errors.add(Field::Policies, FieldError::Required);
        } else {
            for revision in current_revisions(revisions)
                .into_iter()
                .filter(|r| missing.contains(&r.id))
            {
                errors.add(
                    Field::Policies,
                    FieldError::PolicyRequired(revision.policy_type.clone()),
                );
            }
        }
        ids.into_iter().collect()
    }

    /// `POST /api/register` (core family): a new account, its accepted
    /// policies and its first session, then a confirmation mail.
    pub async fn register(&self, input: RegisterInput, from: ClientIp) -> Result<TokenPair, ServiceError> {
        self.registration_attempt(from).await?;
        let mut errors = FieldErrors::default();
        let client = required(&mut errors, Field::ClientId, &input.client_id).map(str::to_owned);
        let device = parse_device(&mut errors, &input.device_id, &input.device_name);
        let email = parse_email(&mut errors, &input.email);
        let password = required(&mut errors, Field::Password, &input.password).and_then(|p| {
            self.settings
                .password
                .check(p, email.as_ref())
                .map_err(|e| errors.add(Field::Password, password_error(e)))
                .ok()
        });
        let firstname = parse_name(&mut errors, Field::FirstName, &input.firstname);
        let lastname = parse_name(&mut errors, Field::LastName, &input.lastname);
        let telephone =
            required(&mut errors, Field::Telephone, &input.telephone).and_then(|t| parse_telephone(&mut errors, t));
        let tin_nr = input.tin_nr.as_deref().and_then(|t| parse_tin(&mut errors, t));

        // An app that is not registered learns nothing about the data.
        if let Some(client) = &client {
            self.known_client(client).await?;
        }
        let revisions = self.store.policy_revisions().await?;
        let accepted = self.check_policies(&mut errors, &revisions, &input.policies);
        let invite = self
            .check_invite(&mut errors, &input.invite, self.settings.invite_only)
            .await?;
        // Without a valid invite (invite-only), nothing about who has an account.
        if let Some(email) = email.as_ref().filter(|_| !errors.has(Field::Invite)) {
            if self.store.user_by_email(email).await?.is_some() {
                errors.add(Field::Email, FieldError::EmailTaken);
            }
        }
        errors.into_result()?;
        let (Some(client), Some(device), Some(email), Some(password)) = (client, device, email, password) else {
            return Err(ServiceError::unexpected("validated registration incomplete"));
        };
        let client = registrar_domain::ClientId::parse(&client).ok_or(ServiceError::InvalidClient)?;

        let mut profile = Profile::person();
        profile.firstname = firstname;
        profile.lastname = lastname;
        profile.telephone = telephone;
        profile.tin_nr = tin_nr;
        let user_id = Self::new_user_id();
        let (session, pair) = self.mint_session(&user_id, &client, device);
        self.create_account(NewAccount {
            id: user_id,
            email,
            password: Some(password),
            profile,
            language: input.language,
            accepted_policies: accepted,
            session: Some(session),
            invite,
            mail: OutboxKind::Confirmation,
            consent: None,
        })
        .await?;
        Ok(pair)
    }

    /// The caller's profile with accepted and pending policy revisions.
    pub async fn profile(&self, user: User) -> Result<ProfileView, ServiceError> {
        let standing = self.store.policy_standing(&user.id).await?;
        Ok(self.profile_view(user, standing))
    }

    /// A profile from the user and their policy standing: pending are the
    /// current revisions of the required types not accepted, by id.
    pub(crate) fn profile_view(&self, user: User, standing: registrar_store::PolicyStanding) -> ProfileView {
        let mut pending: Vec<RevisionId> = standing
            .current
            .iter()
            .filter(|(id, policy_type)| {
                self.settings.required_policy_types.contains(policy_type) && !standing.accepted.contains(id)
            })
            .map(|(id, _)| *id)
            .collect();
        pending.sort();
        ProfileView {
            user,
            accepted_policies: standing.accepted.into_iter().collect(),
            pending_policies: pending,
        }
    }

    /// `PATCH /api/me`: changes the given fields under the registration rules.
    pub async fn update_profile(&self, ctx: &AuthContext, patch: ProfilePatch) -> Result<ProfileView, ServiceError> {
        let mut errors = FieldErrors::default();
        let mut profile = ctx.user.profile.clone();
        let mut language = ctx.user.language;
        for (field, value, target) in [
            (Field::FirstName, &patch.firstname, &mut profile.firstname),
            (Field::LastName, &patch.lastname, &mut profile.lastname),
        ] {
            match value {
                Patch::Keep => {}
                Patch::Clear => errors.add(field, FieldError::Required),
                Patch::Set(v) => *target = parse_name(&mut errors, field, &Some(v.clone())),
            }
        }
        match &patch.insertion {
            Patch::Keep => {}
            Patch::Clear => profile.insertion = None,
            Patch::Set(v) => {
                profile.insertion = PersonName::parse(v)
                    .map(PersonName::into_string)
                    .map_err(|e| errors.add(Field::Insertion, text_error(e)))
                    .ok()
            }
        }
        match &patch.telephone {
            Patch::Keep => {}
            Patch::Clear => profile.telephone = None,
            Patch::Set(v) => profile.telephone = parse_telephone(&mut errors, v),
        }
        match &patch.tin_nr {
            Patch::Keep => {}
            Patch::Clear => profile.tin_nr = None,
            Patch::Set(v) => profile.tin_nr = parse_tin(&mut errors, v),
        }
        match &patch.language {
            Patch::Keep | Patch::Clear => {}
            Patch::Set(v) => match self.settings.language(v) {
                Some(l) => language = l,
                None => errors.add(Field::Language, FieldError::InvalidLanguage),
            },
        }
        errors.into_result()?;
        let user = self.store.update_profile(&ctx.user.id, &profile, language).await?;
        self.profile(user).await
    }

    /// `DELETE /api/me`: erases the account once its password is confirmed.
    /// A wrong password counts as a failed login (per account and per client
    /// address) and none is checked during a lockout: a stolen access token
    /// is no way to guess the password.
    pub async fn delete_account(
        &self,
        ctx: &AuthContext,
        password: Option<String>,
        from: ClientIp,
    ) -> Result<(), ServiceError> {
        let Some(password) = password else {
            return Err(ServiceError::Invalid(FieldErrors::single(
                Field::Password,
                FieldError::Required,
            )));
        };
        let incorrect = || ServiceError::Invalid(FieldErrors::single(Field::Password, FieldError::PasswordIncorrect));
        if ctx.user.password_hash.is_none() {
            // No password to guess (an email-first account activated
            // without one): nothing to count against its owner.
            return Err(incorrect());
        }
        self.login_allowed(Some(&ctx.user.email), from).await?;
        let verified = match Password::presented(&password, &self.settings.password) {
            Some(presented) => self.hasher.verify(&presented, ctx.user.password_hash.as_ref()).await?,
            None => false,
        };
        if !verified {
            self.login_failed(Some(&ctx.user.email), from).await?;
            return Err(incorrect());
        }
        self.store.delete_user(&ctx.user.id).await?;
        tracing::info!(to = ctx.user.email.masked(), "account deleted");
        Ok(())
    }

    /// `POST /api/change-password`: checks the current password, sets the new
    /// one, revokes every other session and answers a fresh pair for this device.
    pub async fn change_password(&self, input: ChangePasswordInput, from: ClientIp) -> Result<TokenPair, ServiceError> {
        let login = input.login;
        let mut errors = FieldErrors::default();
        let client = required(&mut errors, Field::ClientId, &login.client_id).map(str::to_owned);
        let device = parse_device(&mut errors, &login.device_id, &login.device_name);
        let email_raw = required(&mut errors, Field::Email, &login.email).map(str::to_owned);
        let password = required(&mut errors, Field::Password, &login.password).map(str::to_owned);
        let email = email_raw.as_deref().and_then(|e| Email::parse(e).ok());
        let new_password = required(&mut errors, Field::NewPassword, &input.new_password).and_then(|p| {
            self.settings
                .password
                .check(p, email.as_ref())
                .map_err(|e| errors.add(Field::NewPassword, password_error(e)))
                .ok()
        });
        errors.into_result()?;
        let (Some(client), Some(device), Some(email_raw), Some(password), Some(new_password)) =
            (client, device, email_raw, password, new_password)
        else {
            return Err(ServiceError::unexpected("validated change-password input incomplete"));
        };
        let client = self.known_client(&client).await?;
        let user = self.check_credentials(&email_raw, &password, from).await?;
        if new_password.expose() == password {
            return Err(ServiceError::Invalid(FieldErrors::single(
                Field::NewPassword,
                FieldError::PasswordUnchanged,
            )));
        }
        let hash = self.hasher.hash(&new_password).await?;
        let (mut session, pair) = self.mint_session(&user.id, &client, device);
        // The change rests on the password just verified: if another change
        // or a reset committed since, this one is refused as a wrong password.
        session.credential = user.password_hash.clone();
        let mail = self.outbox_mail(&user.id, OutboxKind::PasswordChanged);
        let mail_id = mail.id.clone();
        self.store
            .set_password(&user.id, &hash, Some(session), Some(mail))
            .await?;
        tracing::info!(to = user.email.masked(), "password changed; other sessions revoked");
        self.mail_queued(&mail_id).await;
        Ok(pair)
    }

    /// The caller's sessions, marking the one asking.
    pub async fn sessions(&self, ctx: &AuthContext) -> Result<Vec<SessionView>, ServiceError> {
        let sessions = self.store.sessions_of(&ctx.user.id).await?;
        Ok(sessions
            .into_iter()
            .map(|session| {
                let current = session.id == ctx.session.id;
                SessionView { session, current }
            })
            .collect())
    }

    /// Revokes every session of the caller on that device; `NotFound` if none.
    pub async fn revoke_device(&self, ctx: &AuthContext, device_id: &str) -> Result<(), ServiceError> {
        let device = DeviceId::parse(device_id).map_err(|_| ServiceError::NotFound)?;
        match self.store.revoke_device(&ctx.user.id, &device).await? {
            0 => Err(ServiceError::NotFound),
            _ => Ok(()),
        }
    }
}
