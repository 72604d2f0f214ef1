//! The pure step of every use case: raw request fields (trimmed text, an
//! empty string already missing) become domain values and a command, or the
//! complete list of field errors — synchronously, with no I/O. The use case
//! then runs the checks that need the store (a known client, a free
//! address, current policy revisions, a valid invite) and adds to the same
//! list, so that one answer names every failing field.

use registrar_domain::{
    ClientId, DeviceId, DeviceName, Email, EmailError, Language, Password, PasswordError, PasswordPolicy, PersonName,
    Telephone, TextError, TinNr,
};

use crate::{Field, FieldError, FieldErrors};

/// What the pure step needs from configuration and the clock.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    pub password: &'a PasswordPolicy,
    /// The breached-password filter a new password is checked against.
    pub breached: &'a crate::BreachedList,
    /// The year `year_of_birth` is checked against.
    pub this_year: i32,
    /// The languages on offer: a `language` field must be one of them.
    pub languages: &'a [Language],
}

/// The outcome of a pure step whose use case still checks fields against
/// the store: the command when every field parsed, else the errors found
/// with the fields the store checks, as far as they parsed.
#[derive(Debug, Clone)]
pub enum Parsed<T, L> {
    Complete(T),
    Invalid { errors: FieldErrors, lookups: L },
}

/// What a registration checks against the store beyond its own fields, as
/// far as they parsed: the address is free, the invite is valid.
#[derive(Debug, Clone)]
pub struct AccountLookups {
    pub email: Option<Email>,
    pub invite: Option<String>,
}

/// A command whose use case checks some of its fields against the store.
pub trait Lookups {
    /// The fields the store checks, as far as they parsed.
    type Lookups: Clone;
    fn lookups(&self) -> Self::Lookups;
}

impl<T: Lookups> Parsed<T, T::Lookups> {
    /// A command with no field error, or the errors with the lookups.
    pub fn of(errors: FieldErrors, complete: Option<T>, lookups: T::Lookups) -> Self {
        match complete {
            Some(command) if errors.is_empty() => Self::Complete(command),
            _ => Self::Invalid { errors, lookups },
        }
    }

    /// What the store checks, and the errors so far (none for a complete command).
    pub fn start(&self) -> (T::Lookups, FieldErrors) {
        match self {
            Self::Complete(command) => (command.lookups(), FieldErrors::default()),
            Self::Invalid { errors, lookups } => (lookups.clone(), errors.clone()),
        }
    }

    /// The command once the store's checks added nothing to `errors`.
    pub fn finish(self, errors: FieldErrors) -> Result<T, crate::ServiceError> {
        errors.clone().into_result()?;
        match self {
            Self::Complete(command) => Ok(command),
            // Not reached: an invalid request has errors.
            Self::Invalid { .. } => Err(crate::ServiceError::Invalid(errors)),
        }
    }
}

pub fn required<'a>(errors: &mut FieldErrors, field: Field, value: &'a Option<String>) -> Option<&'a str> {
    match value.as_deref() {
        Some(v) => Some(v),
        None => {
            errors.add(field, FieldError::Required);
            None
        }
    }
}

pub fn text_error(e: TextError) -> FieldError {
    match e {
        TextError::Missing => FieldError::Required,
        TextError::TooLong { max } => FieldError::TooLong { max },
        TextError::ControlCharacter => FieldError::ControlCharacters,
    }
}

pub fn email_error(e: EmailError) -> FieldError {
    match e {
        EmailError::Invalid => FieldError::InvalidEmail,
        EmailError::TooLong { max } => FieldError::TooLong { max },
    }
}

pub fn password_error(e: PasswordError) -> FieldError {
    match e {
        PasswordError::Missing => FieldError::Required,
        other => FieldError::Password(other),
    }
}

pub fn email(errors: &mut FieldErrors, value: &Option<String>) -> Option<Email> {
    let raw = required(errors, Field::Email, value)?;
    Email::parse(raw)
        .map_err(|e| errors.add(Field::Email, email_error(e)))
        .ok()
}

pub fn name(errors: &mut FieldErrors, field: Field, value: &Option<String>) -> Option<String> {
    let raw = required(errors, field, value)?;
    optional_name(errors, field, raw)
}

pub fn optional_name(errors: &mut FieldErrors, field: Field, raw: &str) -> Option<String> {
    PersonName::parse(raw)
        .map(PersonName::into_string)
        .map_err(|e| errors.add(field, text_error(e)))
        .ok()
}

pub fn telephone(errors: &mut FieldErrors, raw: &str) -> Option<Telephone> {
    Telephone::parse(raw)
        .map_err(|_| errors.add(Field::Telephone, FieldError::InvalidTelephone))
        .ok()
}

pub fn tin(errors: &mut FieldErrors, raw: &str) -> Option<String> {
    TinNr::parse(raw)
        .map(TinNr::into_string)
        .map_err(|e| errors.add(Field::TinNr, text_error(e)))
        .ok()
}

/// A new password under the rules (not the account's address, not breached).
pub fn new_password(
    errors: &mut FieldErrors,
    field: Field,
    value: &Option<String>,
    rules: Rules<'_>,
    email: Option<&Email>,
) -> Option<Password> {
    let raw = required(errors, field, value)?;
    rules
        .password
        .check(raw, email, rules.breached.current().as_deref())
        .map_err(|e| errors.add(field, password_error(e)))
        .ok()
}

/// The address and password of a new account: the password is checked
/// against the policy, and against the address as far as that parsed.
pub fn credentials(
    errors: &mut FieldErrors,
    email: &Option<String>,
    password: &Option<String>,
    rules: Rules<'_>,
) -> (Option<Email>, Option<Password>) {
    let email = self::email(errors, email);
    let password = new_password(errors, Field::Password, password, rules, email.as_ref());
    (email, password)
}

/// A `client_id` as given: looked up by the use case (a malformed one is
/// no client we know: `invalid_client`, like an unknown one), unless the
/// request's client authentication already found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientRef {
    Id(ClientId),
    /// Found by [`Registrar::authenticate_client`](crate::Registrar::authenticate_client)
    /// for this request: the use case does not read it again.
    Known(KnownClient),
    Malformed,
}

impl ClientRef {
    pub fn of(raw: &str) -> Self {
        ClientId::parse(raw).map_or(Self::Malformed, Self::Id)
    }

    /// This reference, as `known` when that is the client it names (the
    /// edge hands the use case the client its authentication found); any
    /// other reference is left as it is, to be looked up.
    #[must_use]
    pub fn known_as(self, known: Option<&KnownClient>) -> Self {
        match (self, known) {
            (Self::Id(id), Some(known)) if id == known.0 => Self::Known(known.clone()),
            (other, _) => other,
        }
    }
}

/// A client the store held when this request's client was authenticated
/// ([`Registrar::authenticate_client`](crate::Registrar::authenticate_client)).
/// Only the service makes one, from a client it read, so a use case handed
/// one (as [`ClientRef::Known`]) need not read the client a second time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownClient(ClientId);

impl KnownClient {
    pub(crate) fn found(id: ClientId) -> Self {
        Self(id)
    }

    pub fn id(&self) -> &ClientId {
        &self.0
    }
}

pub fn client(errors: &mut FieldErrors, value: &Option<String>) -> Option<ClientRef> {
    required(errors, Field::ClientId, value).map(ClientRef::of)
}

/// The device part of a login, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub id: DeviceId,
    pub name: DeviceName,
}

pub fn device(errors: &mut FieldErrors, id: &Option<String>, name: &Option<String>) -> Option<Device> {
    let id = required(errors, Field::DeviceId, id).and_then(|v| {
        DeviceId::parse(v)
            .map_err(|e| errors.add(Field::DeviceId, text_error(e)))
            .ok()
    });
    let name = required(errors, Field::DeviceName, name).and_then(|v| {
        DeviceName::parse(v)
            .map_err(|e| errors.add(Field::DeviceName, text_error(e)))
            .ok()
    });
    Some(Device { id: id?, name: name? })
}

/// `command` when no field failed (it is `Some` then), else every field
/// error: the end of a pure step whose fields are all its own.
pub fn complete<T>(errors: FieldErrors, command: Option<T>) -> Result<T, crate::ServiceError> {
    match command {
        Some(command) if errors.is_empty() => Ok(command),
        _ => Err(crate::ServiceError::Invalid(errors)),
    }
}

/// A field that must be there, as given (its checks need the store).
pub fn present(field: Field, value: Option<String>) -> Result<String, crate::ServiceError> {
    value.ok_or_else(|| crate::ServiceError::Invalid(FieldErrors::single(field, FieldError::Required)))
}

/// An email address, the only field of its request.
pub fn address(value: &Option<String>) -> Result<Email, crate::ServiceError> {
    let mut errors = FieldErrors::default();
    let email = email(&mut errors, value);
    errors.clone().into_result()?;
    email.ok_or(crate::ServiceError::Invalid(errors))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(id: &str) -> KnownClient {
        KnownClient::found(ClientId::parse(id).expect("an id"))
    }

    #[test]
    fn a_reference_becomes_known_only_as_the_client_it_names() {
        let shop = known("shop");
        assert_eq!(
            ClientRef::of("shop").known_as(Some(&shop)),
            ClientRef::Known(shop.clone())
        );
        // Another client's authentication vouches for nothing here.
        assert_eq!(ClientRef::of("other").known_as(Some(&shop)), ClientRef::of("other"));
        assert_eq!(ClientRef::of("shop").known_as(None), ClientRef::of("shop"));
        assert_eq!(ClientRef::of("").known_as(Some(&shop)), ClientRef::Malformed);
    }
}
