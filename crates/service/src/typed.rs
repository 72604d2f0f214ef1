//! Typed registration: a customer or an organisation, paid for by
//! a signup token that is used up with the account.

use registrar_domain::birth::{sector, year_of_birth};
use registrar_domain::text::bounded;
use registrar_domain::{ClientIp, Email, Language, Organisation, Password, Profile, UkPostcode, UserType};
use registrar_mail::Mailer;
use registrar_store::{OutboxKind, Store};

use crate::account::NewAccount;
use crate::parse::{self, required, text_error, AccountLookups, Lookups, Parsed, Rules};
use crate::{Field, FieldError, FieldErrors, Registrar, ServiceError};

/// The longest name, street or town we keep (the other families' limit).
const MAX: usize = 191;

/// `POST /api/register` with `usertype`.
#[derive(Debug, Clone, Default)]
pub struct TypedRegisterInput {
    pub usertype: Option<String>,
    pub token: Option<String>,
    pub email: Option<String>,
    pub password: Option<String>,
    pub postcode: Option<String>,
    pub display_name: Option<String>,
    pub full_name: Option<String>,
    pub year_of_birth: Option<String>,
    pub name: Option<String>,
    pub street_name: Option<String>,
    pub town: Option<String>,
    pub sector: Option<String>,
    pub language: Option<Language>,
}

fn text(errors: &mut FieldErrors, field: Field, value: &Option<String>) -> Option<String> {
    let raw = required(errors, field, value)?;
    bounded(raw, MAX).map_err(|e| errors.add(field, text_error(e))).ok()
}

/// `POST /api/register` with `usertype`, every field parsed.
#[derive(Debug, Clone)]
pub struct TypedRegistration {
    pub email: Email,
    pub password: Password,
    /// A customer or an organisation, with its postcode.
    pub profile: Profile,
    pub invite: Option<String>,
    pub language: Option<Language>,
}

impl Lookups for TypedRegistration {
    type Lookups = AccountLookups;
    fn lookups(&self) -> AccountLookups {
        AccountLookups {
            email: Some(self.email.clone()),
            invite: self.invite.clone(),
        }
    }
}

impl TypedRegistration {
    /// The pure step of [`Registrar::register_typed`]: every field is
    /// checked (the typed family reports one error, the alphabetically
    /// first, but all are known).
    pub fn parse(input: TypedRegisterInput, rules: Rules<'_>) -> Parsed<Self, AccountLookups> {
        let mut errors = FieldErrors::default();
        let usertype = match input.usertype.as_deref().map(str::trim) {
            Some("customer") => Some(UserType::Customer),
            Some("organisation") => Some(UserType::Organisation),
            _ => {
                errors.add(Field::UserType, FieldError::InvalidUserType);
                None
            }
        };
        let email = parse::email(&mut errors, &input.email);
        let postcode = required(&mut errors, Field::PostalCode, &input.postcode).and_then(|p| {
            UkPostcode::parse(p)
                .ok_or_else(|| errors.add(Field::PostalCode, FieldError::InvalidPostalCode))
                .ok()
        });
        let password = parse::new_password(
            &mut errors,
            Field::Password,
            &input.password,
            rules.password,
            email.as_ref(),
        );
        let mut profile = Profile::person();
        match usertype {
            Some(UserType::Customer) => {
                profile.usertype = UserType::Customer;
                profile.display_name = text(&mut errors, Field::DisplayName, &input.display_name);
                profile.full_name = text(&mut errors, Field::FullName, &input.full_name);
                profile.year_of_birth = required(&mut errors, Field::YearOfBirth, &input.year_of_birth).and_then(|y| {
                    year_of_birth(y, rules.this_year)
                        .map_err(|e| errors.add(Field::YearOfBirth, FieldError::YearOfBirth(e)))
                        .ok()
                });
            }
            Some(UserType::Organisation) => {
                profile.usertype = UserType::Organisation;
                let name = text(&mut errors, Field::OrganisationName, &input.name);
                let street_name = text(&mut errors, Field::StreetName, &input.street_name);
                let town = text(&mut errors, Field::Town, &input.town);
                let sector = required(&mut errors, Field::Sector, &input.sector).and_then(|s| {
                    sector(s)
                        .ok_or_else(|| errors.add(Field::Sector, FieldError::InvalidSector))
                        .ok()
                });
                if let (Some(name), Some(street_name), Some(town), Some(sector)) = (name, street_name, town, sector) {
                    profile.organisation = Some(Organisation {
                        name,
                        street_name,
                        town,
                        sector: sector.to_string(),
                    });
                }
            }
            _ => {}
        }
        profile.postal_code = postcode.map(|p| p.as_str().to_owned());
        let lookups = AccountLookups {
            email: email.clone(),
            invite: input.token.clone(),
        };
        let complete = match (email, password) {
            (Some(email), Some(password)) => Some(Self {
                email,
                password,
                profile,
                invite: input.token,
                language: input.language,
            }),
            _ => None,
        };
        Parsed::of(errors, complete, lookups)
    }
}

impl<S: Store, M: Mailer> Registrar<S, M> {
    /// Checks the signup token and the address, then creates the account.
    pub async fn register_typed(
        &self,
        request: Parsed<TypedRegistration, AccountLookups>,
        from: ClientIp,
    ) -> Result<(), ServiceError> {
        self.registration_attempt(from).await?;
        let (lookups, mut errors) = request.start();
        // The signup token first: no one without a valid invite learns
        // whether an address has an account.
        let invite = self.check_invite(&mut errors, &lookups.invite, true).await?;
        self.check_address_free(&mut errors, lookups.email.as_ref()).await?;
        let TypedRegistration {
            email,
            password,
            profile,
            language,
            ..
        } = request.finish(errors)?;
        self.create_account(NewAccount {
            id: Self::new_user_id(),
            email,
            password: Some(password),
            profile,
            language,
            accepted_policies: Vec::new(),
            session: None,
            invite,
            mail: OutboxKind::Confirmation,
            consent: None,
        })
        .await?;
        Ok(())
    }
}
