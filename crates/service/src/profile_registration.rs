//! What the typed and the users families register: an address, a password
//! and a profile, maybe paid for by a signup token — the same account, read
//! from different fields and checked by different use cases.

use std::marker::PhantomData;

use registrar_domain::{Email, Language, Password, Profile, SecretHash, UserId};
use registrar_mail::Mailer;
use registrar_store::{OutboxKind, Store};

use crate::account::NewAccount;
use crate::parse::{AccountLookups, Lookups, Parsed};
use crate::{FieldErrors, Registrar, ServiceError};

/// A registration of the typed or the users family, every field parsed.
/// `Input` is the raw input it is parsed from: each family keeps its own
/// `parse` and its own use case, which takes no other family's registration.
#[derive(Debug, Clone)]
pub struct ProfileRegistration<Input> {
    pub email: Email,
    pub password: Password,
    pub profile: Profile,
    pub invite: Option<String>,
    pub language: Option<Language>,
    input: PhantomData<Input>,
}

impl<Input> Lookups for ProfileRegistration<Input> {
    type Lookups = AccountLookups;
    fn lookups(&self) -> AccountLookups {
        AccountLookups {
            email: Some(self.email.clone()),
            invite: self.invite.clone(),
        }
    }
}

impl<Input> ProfileRegistration<Input> {
    /// The end of a family's `parse`: the registration when every field
    /// parsed, else the errors with the address and invite to look up.
    pub(crate) fn parsed(
        errors: FieldErrors,
        email: Option<Email>,
        password: Option<Password>,
        profile: Profile,
        invite: Option<String>,
        language: Option<Language>,
    ) -> Parsed<Self, AccountLookups> {
        let lookups = AccountLookups {
            email: email.clone(),
            invite: invite.clone(),
        };
        let complete = match (email, password) {
            (Some(email), Some(password)) => Some(Self {
                email,
                password,
                profile,
                invite,
                language,
                input: PhantomData,
            }),
            _ => None,
        };
        Parsed::of(errors, complete, lookups)
    }
}

impl<S: Store, M: Mailer> Registrar<S, M> {
    /// Creates the account of a profile registration that passed its
    /// checks: no session and no policies; the confirmation mail goes with it.
    pub(crate) async fn create_profile_account<Input>(
        &self,
        id: UserId,
        registration: ProfileRegistration<Input>,
        invite: Option<SecretHash>,
    ) -> Result<(), ServiceError> {
        self.create_account(NewAccount {
            id,
            email: registration.email,
            password: Some(registration.password),
            profile: registration.profile,
            language: registration.language,
            accepted_policies: Vec::new(),
            session: None,
            invite,
            mail: OutboxKind::Confirmation,
            consent: None,
        })
        .await
    }
}
