use std::collections::BTreeMap;

use registrar_domain::{PasswordError, PolicyType};
use registrar_store::StoreError;

/// A field of some request, named by what it is in the domain; each API
/// family maps it to its own wire name (`Email` is `username` in the core family).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    ClientId,
    DeviceId,
    /// The address an account is to change to (`new_email`).
    NewEmail,
    DeviceName,
    Email,
    Password,
    NewPassword,
    FirstName,
    Insertion,
    LastName,
    Telephone,
    TinNr,
    Policies,
    GrantType,
    RefreshToken,
    Language,
    /// A typed confirmation code (`token` in the users API).
    Code,
    /// A link token (`token` of `/api/reset-password`).
    Token,
    /// A signup token (`token` of typed registration and invite-only mode).
    Invite,
    PostalCode,
    DisplayName,
    FullName,
    /// An organisation's name.
    OrganisationName,
    StreetName,
    Town,
    Sector,
    YearOfBirth,
    UserType,
    Consent,
    /// The token of a sign-in's first step (`grant_type=mfa`).
    MfaToken,
    /// The id of a WebAuthn ceremony begun by an options request.
    Ceremony,
    /// A WebAuthn credential (a RegistrationResponseJSON or AuthenticationResponseJSON).
    Credential,
    /// A passkey's name.
    PasskeyName,
    /// A page's start (`cursor` of `GET /api/me/activity`).
    Cursor,
    /// A page's size (`limit`).
    Limit,
}

impl Field {
    /// The name most contracts give the field on the wire (the device-token
    /// API's); a family whose contract says otherwise maps its exceptions
    /// and falls back to this.
    pub fn name(self) -> &'static str {
        match self {
            Self::ClientId => "client_id",
            Self::DeviceId => "device_id",
            Self::NewEmail => "new_email",
            Self::DeviceName => "device_name",
            Self::Email => "username",
            Self::Password => "password",
            Self::NewPassword => "new_password",
            Self::FirstName => "firstname",
            Self::Insertion => "insertion",
            Self::LastName => "lastname",
            Self::Telephone => "telephone",
            Self::TinNr => "tin_nr",
            Self::Policies => "policies",
            Self::GrantType => "grant_type",
            Self::RefreshToken => "refresh_token",
            Self::Language => "language",
            Self::Code => "code",
            Self::Token | Self::Invite => "token",
            Self::PostalCode => "postal_code",
            Self::DisplayName => "display_name",
            Self::FullName => "full_name",
            Self::OrganisationName => "name",
            Self::StreetName => "street_name",
            Self::Town => "town",
            Self::Sector => "sector",
            Self::YearOfBirth => "year_of_birth",
            Self::UserType => "usertype",
            Self::Consent => "consent",
            Self::MfaToken => "mfa_token",
            Self::Ceremony => "ceremony",
            Self::Credential => "credential",
            Self::PasskeyName => "name",
            Self::Cursor => "cursor",
            Self::Limit => "limit",
        }
    }
}

/// What is wrong with one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldError {
    Required,
    TooLong {
        max: usize,
    },
    InvalidEmail,
    EmailTaken,
    /// The new address is the account's address already.
    EmailUnchanged,
    Password(PasswordError),
    /// The new password equals the current one.
    PasswordUnchanged,
    /// The password given to confirm an action is wrong.
    PasswordIncorrect,
    InvalidTelephone,
    /// A list entry that is not a revision id (not an integer).
    InvalidPolicyId,
    UnknownPolicy(i32),
    /// The current revision of this required type is not in the list.
    PolicyRequired(PolicyType),
    /// Not a list where a list is expected.
    NotAList,
    /// A list longer than the use case takes.
    TooManyItems {
        max: usize,
    },
    InvalidLanguage,
    NotAnInteger,
    InvalidPostalCode,
    /// A signup token that does not exist or has no uses left.
    InvalidInvite,
    YearOfBirth(registrar_domain::birth::YearOfBirthError),
    InvalidSector,
    InvalidUserType,
    /// Control characters (CR, LF, NUL, …) inside a text.
    ControlCharacters,
    /// A code from an authenticator app that is not the current one.
    WrongCode,
    /// Not exactly one second factor (`code`, `recovery_code` or `credential`).
    OneFactor,
    /// Not a WebAuthn credential in its JSON form.
    InvalidCredential,
    /// A WebAuthn ceremony that is unknown, finished, expired or of another kind.
    UnknownCeremony,
    /// A credential the ceremony refused (another origin or relying party, a
    /// bad signature, no user verification, already registered).
    CredentialRefused,
}

/// Every failing field of a request, each with all its problems.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(BTreeMap<Field, Vec<FieldError>>);

impl FieldErrors {
    pub fn add(&mut self, field: Field, error: FieldError) {
        let list = self.0.entry(field).or_default();
        if !list.contains(&error) {
            list.push(error);
        }
    }

    pub fn has(&self, field: Field) -> bool {
        self.0.contains_key(&field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Field, &Vec<FieldError>)> {
        self.0.iter()
    }

    pub fn single(field: Field, error: FieldError) -> Self {
        let mut e = Self::default();
        e.add(field, error);
        e
    }

    /// `Ok(())` when empty, else the errors as a service error.
    pub fn into_result(self) -> Result<(), ServiceError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::Invalid(self))
        }
    }
}

/// Why a use case said no. Each HTTP family renders these in its own shape.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("the given data was invalid")]
    Invalid(FieldErrors),
    #[error("unknown client")]
    InvalidClient,
    /// Wrong credentials, or a refresh token that is not (any more) valid.
    #[error("invalid grant")]
    InvalidGrant,
    #[error("unsupported grant type")]
    UnsupportedGrantType,
    /// Missing, unknown, expired or revoked access token.
    #[error("invalid token")]
    InvalidToken,
    #[error("email not confirmed")]
    EmailNotConfirmed,
    #[error("account disabled")]
    AccountDisabled,
    #[error("not found")]
    NotFound,
    #[error("the address is already confirmed")]
    AlreadyConfirmed,
    /// A confirmation code that is wrong, used, replaced or expired.
    #[error("wrong confirmation code")]
    WrongCode,
    /// Throttled: try again in `retry_after` seconds (at least 1).
    #[error("too many attempts")]
    TooManyAttempts { retry_after: u64 },
    /// A link token (reset, confirmation) that is unknown, used or expired.
    #[error("invalid or expired link")]
    InvalidLink,
    /// A correct first factor on an account with a second one: the sign-in
    /// goes on with the challenge's `mfa_token` (see `factors`).
    #[error("a second factor is required")]
    MfaRequired(crate::MfaChallenge),
    /// Enrolling a factor the account already has on.
    #[error("this factor is already enabled")]
    FactorEnabled,
    #[error("service unavailable")]
    Unavailable(#[source] StoreError),
    /// Password hashing is saturated: the request waited too long for its turn.
    #[error("too busy to hash a password now")]
    Busy,
    #[error("unexpected failure")]
    Unexpected(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
}

impl ServiceError {
    /// What `Retry-After` says when a code had its tries: a new code can be
    /// asked for at once, but clients that retry blindly should wait a little.
    pub const CODE_RETRY_AFTER: u64 = 60;
    /// What `Retry-After` says while the database or hashing is unavailable.
    pub const UNAVAILABLE_RETRY_AFTER: u64 = 60;

    /// Refused for `wait` (rounded up to whole seconds, at least one).
    pub fn too_many_attempts(wait: chrono::Duration) -> Self {
        let millis = u64::try_from(wait.num_milliseconds()).unwrap_or(0);
        Self::TooManyAttempts {
            retry_after: millis.div_ceil(1000).max(1),
        }
    }

    /// Seconds for a `Retry-After` header, where the refusal is temporary.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Self::TooManyAttempts { retry_after } => Some(*retry_after),
            Self::Busy | Self::Unavailable(_) => Some(Self::UNAVAILABLE_RETRY_AFTER),
            _ => None,
        }
    }

    pub fn unexpected(e: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>) -> Self {
        Self::Unexpected(e.into())
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(_) => ServiceError::Unavailable(e),
            StoreError::DuplicateEmail => {
                ServiceError::Invalid(FieldErrors::single(Field::Email, FieldError::EmailTaken))
            }
            StoreError::InvalidInvite => {
                ServiceError::Invalid(FieldErrors::single(Field::Invite, FieldError::InvalidInvite))
            }
            StoreError::UnknownRevision(id) => {
                ServiceError::Invalid(FieldErrors::single(Field::Policies, FieldError::UnknownPolicy(id.0)))
            }
            StoreError::NotFound => ServiceError::NotFound,
            // The verified password was changed or reset meanwhile: as a wrong one.
            StoreError::StaleCredential => ServiceError::InvalidGrant,
            other => ServiceError::Unexpected(Box::new(other)),
        }
    }
}
