//! The users API's use cases: registration with a postal code and
//! a domain that must exist, and the built-in web client's login.

use registrar_domain::{ClientIp, PostalCode, Profile, Role, User};
use registrar_domaincheck::DomainStatus;
use registrar_mail::Mailer;
use registrar_store::Store;

use crate::input::UsersRegisterInput;
use crate::parse::{self, AccountLookups, Parsed, Rules};
use crate::profile_registration::ProfileRegistration;
use crate::tokens::Device;
use crate::{Field, FieldError, FieldErrors, Registrar, ServiceError, TokenPair};

/// How the device ids Registrar makes up for a browser begin (the users
/// API login, the email-first signup): such an id is new at every sign-in
/// and names no device the user could recognise.
pub(crate) const MADE_UP_DEVICE: &str = "web-";

/// The users API's limit on every string (Laravel's `max:191`).
const MAX: usize = 191;

/// `POST /api/users/register`, every field parsed: the profile is a person
/// (first name, maybe an insertion, last name, postal code).
pub type UsersRegistration = ProfileRegistration<UsersRegisterInput>;

impl UsersRegistration {
    /// The pure step of [`Registrar::register_user`].
    pub fn parse(input: UsersRegisterInput, rules: Rules<'_>) -> Parsed<Self, AccountLookups> {
        let mut errors = FieldErrors::default();
        let first_name = parse::name(&mut errors, Field::FirstName, &input.first_name);
        let insertion = input
            .insertion
            .as_deref()
            .and_then(|i| parse::optional_name(&mut errors, Field::Insertion, i));
        let last_name = parse::name(&mut errors, Field::LastName, &input.last_name);
        let email = match input.email.as_deref() {
            Some(raw) if raw.chars().count() > MAX => {
                errors.add(Field::Email, FieldError::TooLong { max: MAX });
                None
            }
            _ => parse::email(&mut errors, &input.email),
        };
        let postal_code = parse::required(&mut errors, Field::PostalCode, &input.postal_code).and_then(|p| {
            PostalCode::parse(p)
                .ok_or_else(|| errors.add(Field::PostalCode, FieldError::InvalidPostalCode))
                .ok()
        });
        let password = match input.password.as_deref() {
            Some(p) if p.chars().count() > MAX => {
                errors.add(Field::Password, FieldError::TooLong { max: MAX });
                None
            }
            _ => parse::new_password(&mut errors, Field::Password, &input.password, rules, email.as_ref()),
        };
        let mut profile = Profile::person();
        profile.firstname = first_name;
        profile.insertion = insertion;
        profile.lastname = last_name;
        profile.postal_code = postal_code.map(|p| p.as_str().to_owned());
        Self::parsed(errors, email, password, profile, input.invite, input.language)
    }
}

/// `POST /api/users/login`: both fields present, as presented.
#[derive(Debug, Clone)]
pub struct WebLogin {
    pub email: String,
    pub password: String,
}

impl WebLogin {
    /// The pure step of [`Registrar::login_web`].
    pub fn parse(email: Option<String>, password: Option<String>) -> Result<Self, ServiceError> {
        let mut errors = FieldErrors::default();
        let email = parse::required(&mut errors, Field::Email, &email).map(str::to_owned);
        let password = parse::required(&mut errors, Field::Password, &password).map(str::to_owned);
        match (email, password) {
            (Some(email), Some(password)) => Ok(Self { email, password }),
            _ => Err(ServiceError::Invalid(errors)),
        }
    }
}

impl<S: Store, M: Mailer> Registrar<S, M> {
    /// Creates a guest account, unconfirmed, and mails its code. Every
    /// failing field is reported at once.
    pub async fn register_user(
        &self,
        request: Parsed<UsersRegistration, AccountLookups>,
        from: ClientIp,
    ) -> Result<User, ServiceError> {
        self.registration_attempt(from).await?;
        let (lookups, mut errors) = request.start();
        // The signup token first (invite-only): no one without a valid
        // invite learns whether an address has an account.
        let invite = self
            .check_invite(&mut errors, &lookups.invite, self.settings.invite_only)
            .await?;
        if let Some(email) = &lookups.email {
            if self.domains.check(email.domain()).await == DomainStatus::Missing {
                errors.add(Field::Email, FieldError::InvalidEmail);
            } else {
                self.check_address_free(&mut errors, Some(email)).await?;
            }
        }
        let registration = request.finish(errors)?;
        let id = Self::new_user_id();
        self.create_profile_account(id.clone(), registration, invite).await?;
        self.store.user_by_id(&id).await?.ok_or(ServiceError::NotFound)
    }

    /// `POST /api/users/login`: a session of the built-in web client, with a
    /// device id of its own (two browsers never log each other out). Refuses
    /// unconfirmed addresses, once the password checks out.
    pub async fn login_web(&self, login: WebLogin, from: ClientIp) -> Result<(TokenPair, Role), ServiceError> {
        let WebLogin { email, password } = login;
        let user = self.check_credentials(&email, &password, from).await?;
        if !user.email_confirmed() {
            return Err(ServiceError::EmailNotConfirmed);
        }
        let (web, browser) = (registrar_domain::ClientId::web(), Self::browser());
        let pair = self
            .signed_in_by(registrar_store::FirstFactor::Password, &user, &web, browser)
            .await?;
        Ok((pair, user.role))
    }

    /// A new device for a browser session: random id (starting with
    /// [`MADE_UP_DEVICE`]), generic name.
    pub(crate) fn browser() -> Device {
        let id = registrar_domain::DeviceId::parse(&format!("{MADE_UP_DEVICE}{}", uuid::Uuid::new_v4().simple()));
        let name = registrar_domain::DeviceName::parse("Web browser");
        match (id, name) {
            (Ok(id), Ok(name)) => Device { id, name },
            // Both literals are well within the limits.
            _ => unreachable!("a generated device id and a fixed name are valid"),
        }
    }
}
