//! Accounts: registration, profile, password change, deletion, sessions.

use std::collections::BTreeSet;

use registrar_domain::policy::{current_revisions, pending_revisions};
use registrar_domain::{
    Actor, AuditKind, ClientId, ClientIp, DeviceId, Email, Language, Password, PasswordHash, PolicyRevision, Profile,
    RevisionId, Role, Session, SignInMethod, Telephone, User, UserId,
};
use registrar_mail::Mailer;
use registrar_store::{FirstFactor, MfaPurpose, NewUser, OutboxKind, Store};

use crate::input::{ChangePasswordInput, Patch, ProfilePatch, RegisterInput};
use crate::parse::{self, ClientRef, Device, Lookups, Parsed, Rules};
use crate::tokens::Login;
use crate::{AuthContext, Field, FieldError, FieldErrors, Registrar, ServiceError, TokenPair};

/// `POST /api/register` (device-token API), every field parsed.
#[derive(Debug, Clone)]
pub struct Registration {
    pub client: ClientId,
    pub device: Device,
    pub email: Email,
    pub password: Password,
    /// A person: first and last name, telephone, maybe a TIN.
    pub profile: Profile,
    /// Revision ids as given: the use case checks them against the published ones.
    pub policies: Option<Vec<Option<i32>>>,
    pub invite: Option<String>,
    pub language: Option<Language>,
}

/// What registration checks against the store, as far as it parsed.
#[derive(Debug, Clone)]
pub struct RegistrationLookups {
    pub client: Option<ClientRef>,
    pub email: Option<Email>,
    pub policies: Option<Vec<Option<i32>>>,
    pub invite: Option<String>,
}

impl Lookups for Registration {
    type Lookups = RegistrationLookups;
    fn lookups(&self) -> RegistrationLookups {
        RegistrationLookups {
            client: Some(ClientRef::Id(self.client.clone())),
            email: Some(self.email.clone()),
            policies: self.policies.clone(),
            invite: self.invite.clone(),
        }
    }
}

impl Registration {
    /// The pure step of [`Registrar::register`].
    pub fn parse(input: RegisterInput, rules: Rules<'_>) -> Parsed<Self, RegistrationLookups> {
        let mut errors = FieldErrors::default();
        let client = parse::client(&mut errors, &input.client_id);
        let device = parse::device(&mut errors, &input.device_id, &input.device_name);
        let (email, password) = parse::credentials(&mut errors, &input.email, &input.password, rules);
        let firstname = parse::name(&mut errors, Field::FirstName, &input.firstname);
        let lastname = parse::name(&mut errors, Field::LastName, &input.lastname);
        let telephone = parse::required(&mut errors, Field::Telephone, &input.telephone)
            .and_then(|t| parse::telephone(&mut errors, t));
        let tin_nr = input.tin_nr.as_deref().and_then(|t| parse::tin(&mut errors, t));
        let lookups = RegistrationLookups {
            client: client.clone(),
            email: email.clone(),
            policies: input.policies.clone(),
            invite: input.invite.clone(),
        };
        let complete = match (client, device, email, password) {
            (Some(ClientRef::Id(client)), Some(device), Some(email), Some(password)) => {
                let mut profile = Profile::person();
                profile.firstname = firstname;
                profile.lastname = lastname;
                profile.telephone = telephone;
                profile.tin_nr = tin_nr;
                Some(Self {
                    client,
                    device,
                    email,
                    password,
                    profile,
                    policies: input.policies,
                    invite: input.invite,
                    language: input.language,
                })
            }
            _ => None,
        };
        Parsed::of(errors, complete, lookups)
    }
}

/// `PATCH /api/me`, every given field parsed.
#[derive(Debug, Clone, Default)]
pub struct ProfileChange {
    /// Required fields: set or kept.
    pub firstname: Option<String>,
    pub lastname: Option<String>,
    pub insertion: Patch<String>,
    pub telephone: Patch<Telephone>,
    pub tin_nr: Patch<String>,
    pub language: Option<Language>,
}

impl ProfileChange {
    /// The pure step of [`Registrar::update_profile`].
    pub fn parse(patch: ProfilePatch, rules: Rules<'_>) -> Result<Self, ServiceError> {
        let mut errors = FieldErrors::default();
        let mut change = Self::default();
        for (field, value, target) in [
            (Field::FirstName, &patch.firstname, &mut change.firstname),
            (Field::LastName, &patch.lastname, &mut change.lastname),
        ] {
            match value {
                Patch::Keep => {}
                Patch::Clear => errors.add(field, FieldError::Required),
                Patch::Set(v) => *target = parse::optional_name(&mut errors, field, v),
            }
        }
        change.insertion = optional(&patch.insertion, |v| {
            parse::optional_name(&mut errors, Field::Insertion, v)
        });
        change.telephone = optional(&patch.telephone, |v| parse::telephone(&mut errors, v));
        change.tin_nr = optional(&patch.tin_nr, |v| parse::tin(&mut errors, v));
        if let Patch::Set(v) = &patch.language {
            match Language::offered(v, rules.languages) {
                Some(l) => change.language = Some(l),
                None => errors.add(Field::Language, FieldError::InvalidLanguage),
            }
        }
        errors.into_result()?;
        Ok(change)
    }

    /// The names of the fields the change sets or clears (for the audit
    /// trail: never their values).
    pub fn fields(&self) -> Vec<&'static str> {
        let mut fields = Vec::new();
        if self.firstname.is_some() {
            fields.push("firstname");
        }
        if self.lastname.is_some() {
            fields.push("lastname");
        }
        if !matches!(self.insertion, Patch::Keep) {
            fields.push("insertion");
        }
        if !matches!(self.telephone, Patch::Keep) {
            fields.push("telephone");
        }
        if !matches!(self.tin_nr, Patch::Keep) {
            fields.push("tin_nr");
        }
        if self.language.is_some() {
            fields.push("language");
        }
        fields
    }

    fn apply(self, profile: &mut Profile, language: &mut Language) {
        if let Some(v) = self.firstname {
            profile.firstname = Some(v);
        }
        if let Some(v) = self.lastname {
            profile.lastname = Some(v);
        }
        fn patch<T>(change: Patch<T>, target: &mut Option<T>) {
            match change {
                Patch::Keep => {}
                Patch::Clear => *target = None,
                Patch::Set(v) => *target = Some(v),
            }
        }
        patch(self.insertion, &mut profile.insertion);
        patch(self.telephone, &mut profile.telephone);
        patch(self.tin_nr, &mut profile.tin_nr);
        if let Some(l) = self.language {
            *language = l;
        }
    }
}

/// An optional field's change: a value that does not parse keeps the old one
/// (its error is in the list, and nothing is stored).
fn optional<T>(given: &Patch<String>, parse: impl FnOnce(&str) -> Option<T>) -> Patch<T> {
    match given {
        Patch::Keep => Patch::Keep,
        Patch::Clear => Patch::Clear,
        Patch::Set(v) => parse(v).map_or(Patch::Keep, Patch::Set),
    }
}

/// `POST /api/change-password`, every field parsed.
#[derive(Debug, Clone)]
pub struct PasswordChange {
    pub login: Login,
    pub new_password: Password,
}

impl PasswordChange {
    /// The pure step of [`Registrar::change_password`].
    pub fn parse(input: ChangePasswordInput, rules: Rules<'_>) -> Result<Self, ServiceError> {
        let mut errors = FieldErrors::default();
        let login = Login::fields(&mut errors, &input.login);
        let email = input.login.email.as_deref().and_then(|e| Email::parse(e).ok());
        let new_password = parse::new_password(
            &mut errors,
            Field::NewPassword,
            &input.new_password,
            rules,
            email.as_ref(),
        );
        errors.clone().into_result()?;
        match (login, new_password) {
            (Some(login), Some(new_password)) => Ok(Self { login, new_password }),
            _ => Err(ServiceError::Invalid(errors)),
        }
    }
}

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

/// Revision ids as an event's `revisions`: comma-separated.
pub(crate) fn revision_list(ids: &[RevisionId]) -> String {
    ids.iter().map(|id| id.0.to_string()).collect::<Vec<_>>().join(",")
}

impl<S: Store, M: Mailer> Registrar<S, M> {
    pub(crate) fn new_user_id() -> UserId {
        UserId(uuid::Uuid::new_v4().to_string())
    }

    /// Hashes the password, stores the account with everything that comes
    /// with it in one transaction, then delivers (or hands to the worker) its mail.
    /// A taken address is `Invalid` on the email field.
    pub(crate) async fn create_account(&self, account: NewAccount) -> Result<(), ServiceError> {
        let mut mail = self.outbox_mail(&account.id, account.mail);
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
        let mut audit = vec![self
            .event(AuditKind::Registered, Actor::User)
            .about(&user.id, &user.email)];
        if !account.accepted_policies.is_empty() {
            audit.push(
                self.event(AuditKind::PolicyAccepted, Actor::User)
                    .about(&user.id, &user.email)
                    .with("revisions", revision_list(&account.accepted_policies)),
            );
        }
        if let Some(session) = &session {
            if let Some(registered) = audit.first_mut() {
                registered.client = Some(session.client_id.clone());
                registered.device_id = Some(session.device_id.as_str().to_owned());
                registered.device_name = Some(session.device_name.as_str().to_owned());
            }
        }
        // The confirmation is stored with the account when the request
        // sends the mail itself.
        let (confirmation, minted) = self.mint_with(&mut mail, &User::from(user.clone())).unzip();
        self.store
            .register(registrar_store::Registration {
                user,
                accepted_policies: account.accepted_policies,
                session,
                outbox: vec![mail],
                invite: account.invite,
                max_sessions_per_client: self.settings.max_sessions_per_client,
                audit,
                confirmation,
            })
            .await?;
        tracing::info!(to = masked, kind = account.mail.as_str(), "account registered");
        match minted {
            Some(minted) => self.send_minted(minted).await,
            None => self.mail_queued(&mail_id).await,
        }
        Ok(())
    }

    /// Adds "already registered" when the address has an account — unless
    /// the invite failed: without a valid invite (invite-only), nothing
    /// about who has an account.
    pub(crate) async fn check_address_free(
        &self,
        errors: &mut FieldErrors,
        email: Option<&Email>,
    ) -> Result<(), ServiceError> {
        if let Some(email) = email.filter(|_| !errors.has(Field::Invite)) {
            if self.store.user_by_email(email).await?.is_some() {
                errors.add(Field::Email, FieldError::EmailTaken);
            }
        }
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
    pub async fn register(
        &self,
        request: Parsed<Registration, RegistrationLookups>,
        from: ClientIp,
    ) -> Result<TokenPair, ServiceError> {
        self.registration_attempt(from).await?;
        let (lookups, mut errors) = request.start();
        // An app that is not registered learns nothing about the data.
        if let Some(client) = &lookups.client {
            self.known_client(client).await?;
        }
        let revisions = self.store.policy_revisions().await?;
        let accepted = self.check_policies(&mut errors, &revisions, &lookups.policies);
        let invite = self
            .check_invite(&mut errors, &lookups.invite, self.settings.invite_only)
            .await?;
        self.check_address_free(&mut errors, lookups.email.as_ref()).await?;
        let Registration {
            client,
            device,
            email,
            password,
            profile,
            language,
            ..
        } = request.finish(errors)?;
        let user_id = Self::new_user_id();
        let (session, pair) = self.mint_session(&user_id, &client, device, SignInMethod::Registration);
        self.create_account(NewAccount {
            id: user_id,
            email,
            password: Some(password),
            profile,
            language,
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
    pub async fn update_profile(&self, ctx: &AuthContext, change: ProfileChange) -> Result<ProfileView, ServiceError> {
        let mut profile = ctx.user.profile.clone();
        let mut language = ctx.user.language;
        let fields = change.fields();
        change.apply(&mut profile, &mut language);
        let audit = [self
            .session_event(AuditKind::Updated, &ctx.user, &ctx.session)
            .with("fields", fields.join(","))];
        let user = self
            .store
            .update_profile(&ctx.user.id, &profile, language, &audit)
            .await?;
        self.profile(user).await
    }

    /// `DELETE /api/me`: erases the account once its password is confirmed.
    /// A wrong password counts as a failed login (per account and per client
    /// address) and none is checked during a lockout: a stolen access token
    /// is no way to guess the password.
    /// The password is given ([`parse::present`]).
    pub async fn delete_account(&self, ctx: &AuthContext, password: &str, from: ClientIp) -> Result<(), ServiceError> {
        self.confirm_password(&ctx.user, password, from).await?;
        self.erase_user(&Actor::User, &ctx.user).await
    }

    /// `POST /api/change-password`: checks the current password, sets the new
    /// one, revokes every other session and answers a fresh pair for this device.
    pub async fn change_password(&self, change: PasswordChange, from: ClientIp) -> Result<TokenPair, ServiceError> {
        let PasswordChange { login, new_password } = change;
        let client = self.known_client(&login.client).await?;
        let user = self.check_credentials(&login.email, &login.password, from).await?;
        if new_password.expose() == login.password {
            return Err(ServiceError::Invalid(FieldErrors::single(
                Field::NewPassword,
                FieldError::PasswordUnchanged,
            )));
        }
        let hash = self.hasher.hash(&new_password).await?;
        let purpose = MfaPurpose::ChangePassword {
            new_password_hash: hash.clone(),
        };
        self.require_second_factor(&user, &client, login.device.clone(), FirstFactor::Password, purpose)
            .await?;
        let verified = user.password_hash.clone();
        let session = (client, login.device, SignInMethod::Password);
        self.set_changed_password(&user, verified, session, hash).await
    }

    /// Sets a changed password (its hash) checked by the caller, revokes
    /// every other session, mails the user, and answers a fresh pair for
    /// the device of `session` (client, device, how it signed in).
    /// `verified` is the password hash the caller checked: if another change
    /// or a reset committed since, this one is refused as a wrong password.
    pub(crate) async fn set_changed_password(
        &self,
        user: &User,
        verified: Option<PasswordHash>,
        (client, device, method): (ClientId, Device, SignInMethod),
        hash: PasswordHash,
    ) -> Result<TokenPair, ServiceError> {
        let (mut session, pair) = self.mint_session(&user.id, &client, device, method);
        session.credential = verified;
        let mail = self.outbox_mail(&user.id, OutboxKind::PasswordChanged);
        let mail_id = mail.id.clone();
        let audit = [self
            .new_session_event(AuditKind::PasswordChanged, user, &session)
            .with("reason", "change")];
        self.store
            .set_password(&user.id, &hash, Some(session), Some(mail), &audit)
            .await?;
        tracing::info!(to = user.email.masked(), "password changed; other sessions revoked");
        self.mail_queued(&mail_id).await;
        Ok(pair)
    }

    /// The caller's sessions, marking the one asking.
    /// The caller's sessions, marking the one asking; the browser sessions
    /// of the sign-in page too, under their device id `browser:<id>` (the
    /// device of the token sessions they opened).
    pub async fn sessions(&self, ctx: &AuthContext) -> Result<Vec<SessionView>, ServiceError> {
        let sessions = self.store.sessions_of(&ctx.user.id).await?;
        let browsers = self.store.browser_sessions(&ctx.user.id, self.now()).await?;
        let mut views: Vec<SessionView> = sessions
            .into_iter()
            .map(|session| {
                let current = session.id == ctx.session.id;
                SessionView { session, current }
            })
            .collect();
        for browser in browsers {
            let Ok(device_id) = DeviceId::parse(&browser.device_id()) else {
                continue;
            };
            let session = Session {
                id: registrar_domain::SessionId(browser.id),
                user_id: browser.user,
                client_id: browser.client,
                device_id,
                device_name: browser.device_name,
                created_at: browser.auth_time,
                last_used_at: browser.last_used_at,
                access_expires_at: browser.expires_at,
                refreshed_at: browser.last_used_at,
                sign_in_method: browser.sign_in_method,
                scope: None,
            };
            views.push(SessionView {
                session,
                current: false,
            });
        }
        Ok(views)
    }

    /// Revokes every session of the caller on that device; `NotFound` if none.
    pub async fn revoke_device(&self, ctx: &AuthContext, device_id: &str) -> Result<(), ServiceError> {
        let device = DeviceId::parse(device_id).map_err(|_| ServiceError::NotFound)?;
        let mut event = self
            .user_event(AuditKind::SessionRevoked, &ctx.user)
            .with("reason", "device");
        event.device_id = Some(device.as_str().to_owned());
        event.client = Some(ctx.session.client_id.clone());
        match self.store.revoke_device(&ctx.user.id, &device, &[event]).await? {
            0 => Err(ServiceError::NotFound),
            _ => Ok(()),
        }
    }
}
