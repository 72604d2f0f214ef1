//! Users: one account per email address, a person or an organisation, with
//! the profile fields the five API families know about.

use chrono::{DateTime, Utc};

use crate::{Email, Language, Telephone};

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(pub String);

crate::text::text_value!(UserId, Display);

/// The kind of account. `person` for the families that only know people,
/// `customer` and `organisation` for typed registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UserType {
    Person,
    Customer,
    Organisation,
}

impl UserType {
    pub fn as_str(self) -> &'static str {
        match self {
            UserType::Person => "person",
            UserType::Customer => "customer",
            UserType::Organisation => "organisation",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "person" => Some(Self::Person),
            "customer" => Some(Self::Customer),
            "organisation" => Some(Self::Organisation),
            _ => None,
        }
    }
}

/// A role name (`guest` by default): 1 to 32 of `a-z 0-9 _ -`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Role(String);

impl Role {
    pub fn guest() -> Self {
        Self("guest".into())
    }

    pub fn parse(input: &str) -> Option<Self> {
        crate::text::lowercase_name(input).map(Self)
    }
}

crate::text::text_value!(Role);

/// An argon2id PHC string. Not a secret in clear, but nothing to print either.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(pub String);

crate::secret::redacted!(PasswordHash);

/// An organisation's details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    pub name: String,
    pub street_name: String,
    pub town: String,
    pub sector: String,
}

/// What a user tells about themselves. Every field is optional because each
/// family asks for a different set; values are validated before they get here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub usertype: UserType,
    pub firstname: Option<String>,
    pub insertion: Option<String>,
    pub lastname: Option<String>,
    pub display_name: Option<String>,
    pub full_name: Option<String>,
    pub telephone: Option<Telephone>,
    pub tin_nr: Option<String>,
    pub postal_code: Option<String>,
    pub year_of_birth: Option<i32>,
    pub organisation: Option<Organisation>,
}

impl Profile {
    pub fn person() -> Self {
        Self {
            usertype: UserType::Person,
            firstname: None,
            insertion: None,
            lastname: None,
            display_name: None,
            full_name: None,
            telephone: None,
            tin_nr: None,
            postal_code: None,
            year_of_birth: None,
            organisation: None,
        }
    }

    /// The name to greet someone by: the chosen display name, else the
    /// organisation's name, else "first insertion last", else the full name.
    pub fn display_name(&self) -> Option<String> {
        if let Some(d) = &self.display_name {
            return Some(d.clone());
        }
        if let Some(o) = &self.organisation {
            return Some(o.name.clone());
        }
        let parts: Vec<&str> = [&self.firstname, &self.insertion, &self.lastname]
            .into_iter()
            .filter_map(|p| p.as_deref())
            .collect();
        if !parts.is_empty() {
            return Some(parts.join(" "));
        }
        self.full_name.clone()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    /// `None` for accounts made without a password (email-first signup).
    pub password_hash: Option<PasswordHash>,
    pub profile: Profile,
    pub role: Role,
    pub language: Language,
    pub email_confirmed_at: Option<DateTime<Utc>>,
    pub disabled: bool,
    /// The consent level given when confirming an email-first signup;
    /// [`User::CONSENT_PENDING`] while an email-first account waits for it;
    /// `None` for accounts made by the other families.
    pub consent: Option<i32>,
    pub created_at: DateTime<Utc>,
}

impl User {
    /// The consent level of an email-first account that has not given its
    /// consent yet: it gets no session by any route but the completion of
    /// its signup.
    pub const CONSENT_PENDING: i32 = 0;

    pub fn email_confirmed(&self) -> bool {
        self.email_confirmed_at.is_some()
    }

    /// An email-first account that has not given its consent yet.
    pub fn consent_pending(&self) -> bool {
        self.consent == Some(Self::CONSENT_PENDING)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_name_joins_the_insertion() {
        let mut p = Profile::person();
        p.firstname = Some("Harrie".into());
        p.insertion = Some("van".into());
        p.lastname = Some("Tiggelen".into());
        assert_eq!(p.display_name().as_deref(), Some("Harrie van Tiggelen"));
        p.display_name = Some("HvT".into());
        assert_eq!(p.display_name().as_deref(), Some("HvT"));
    }
}
