//! Typed registration: a customer or an organisation, paid for by
//! a signup token that is used up with the account.

use registrar_domain::birth::{sector, year_of_birth};
use registrar_domain::text::bounded;
use registrar_domain::{ClientIp, Organisation, Profile, UkPostcode, UserType};
use registrar_mail::Mailer;
use registrar_store::Store;

use crate::input::TypedRegisterInput;
use crate::parse::{self, required, text_error, AccountLookups, Parsed, Rules};
use crate::profile_registration::ProfileRegistration;
use crate::{Field, FieldError, FieldErrors, Registrar, ServiceError};

/// The longest name, street or town we keep (the other families' limit).
const MAX: usize = 191;

fn text(errors: &mut FieldErrors, field: Field, value: &Option<String>) -> Option<String> {
    let raw = required(errors, field, value)?;
    bounded(raw, MAX).map_err(|e| errors.add(field, text_error(e))).ok()
}

/// `POST /api/register` with `usertype`, every field parsed: the profile is
/// a customer or an organisation, with its postcode; the invite, the signup
/// token that pays for the account.
pub type TypedRegistration = ProfileRegistration<TypedRegisterInput>;

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
        let (email, password) = parse::credentials(&mut errors, &input.email, &input.password, rules);
        let postcode = required(&mut errors, Field::PostalCode, &input.postcode).and_then(|p| {
            UkPostcode::parse(p)
                .ok_or_else(|| errors.add(Field::PostalCode, FieldError::InvalidPostalCode))
                .ok()
        });
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
        Self::parsed(errors, email, password, profile, input.token, input.language)
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
        let registration = request.finish(errors)?;
        self.create_profile_account(Self::new_user_id(), registration, invite)
            .await
    }
}
