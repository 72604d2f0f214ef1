//! Sessions: one (user, client, device) holding at most one live token pair.

use chrono::{DateTime, Utc};

use crate::text::{bounded_text, TextError};
use crate::{ClientId, UserId};
use std::fmt;

bounded_text!(
    /// The app's id for the device it runs on, 1 to 255 characters.
    DeviceId,
    255
);
bounded_text!(
    /// The name a user gives a passkey ("YubiKey 5", "Phone"), 1 to 64 characters.
    PasskeyName,
    64
);
bounded_text!(
    /// A human name for the device ("Simon's iPhone"), 1 to 255 characters.
    DeviceName,
    255
);

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId(pub String);

/// A session as stored, without its secrets (only their hashes are stored
/// and they stay in the store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: SessionId,
    pub user_id: UserId,
    pub client_id: ClientId,
    pub device_id: DeviceId,
    pub device_name: DeviceName,
    pub created_at: DateTime<Utc>,
    /// Last time a token of this session was issued, refreshed or used.
    pub last_used_at: DateTime<Utc>,
    pub access_expires_at: DateTime<Utc>,
    /// Last issue or rotation of the refresh token; the idle TTL counts from here.
    pub refreshed_at: DateTime<Utc>,
    /// How the session was signed in; kept through rotation.
    pub sign_in_method: SignInMethod,
    /// What the session's tokens may do: the scopes granted to an OAuth 2
    /// client at the authorization endpoint, kept through rotation; `None`
    /// for a session of Registrar's own grants, which may do everything
    /// ([`Scopes::full`](crate::Scopes::full)).
    pub scope: Option<crate::Scopes>,
}

/// How a session was signed in: the proof its first token pair was given
/// for. A refresh keeps it; signing in again on the device replaces the
/// session, and so the method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignInMethod {
    /// The account's password (`grant_type=password`, the users API login,
    /// a password change without a second factor).
    Password,
    /// The password, then a code of the authenticator app.
    PasswordTotp,
    /// The password, then a recovery code.
    PasswordRecoveryCode,
    /// The session a registration opens (`POST /api/register`).
    Registration,
    /// The session the confirmation link of an email-first signup opens
    /// (`POST /confirm/signup/{id}`).
    SignupLink,
    /// Given with the account by an import (`registrar seed`), not signed in.
    Import,
    /// A passkey with user verification (`grant_type=passkey`): both factors.
    Passkey,
    /// The password, then a passkey.
    PasswordPasskey,
    /// A 6-digit code mailed to the account's address (`grant_type=email_code`).
    EmailCode,
    /// The mailed code, then a code of the authenticator app.
    EmailCodeTotp,
    /// The mailed code, then a recovery code.
    EmailCodeRecoveryCode,
    /// The mailed code, then a passkey.
    EmailCodePasskey,
}

impl SignInMethod {
    /// Every method, in the order of the documentation.
    pub const ALL: [Self; 12] = [
        Self::Password,
        Self::PasswordTotp,
        Self::PasswordRecoveryCode,
        Self::Registration,
        Self::SignupLink,
        Self::Import,
        Self::Passkey,
        Self::PasswordPasskey,
        Self::EmailCode,
        Self::EmailCodeTotp,
        Self::EmailCodeRecoveryCode,
        Self::EmailCodePasskey,
    ];

    /// The name on the wire and in the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Password => "password",
            Self::PasswordTotp => "password+totp",
            Self::PasswordRecoveryCode => "password+recovery_code",
            Self::Registration => "registration",
            Self::SignupLink => "signup_link",
            Self::Import => "import",
            Self::Passkey => "passkey",
            Self::PasswordPasskey => "password+passkey",
            Self::EmailCode => "email_code",
            Self::EmailCodeTotp => "email_code+totp",
            Self::EmailCodeRecoveryCode => "email_code+recovery_code",
            Self::EmailCodePasskey => "email_code+passkey",
        }
    }

    /// The method named `text` ([`Self::as_str`]), if any.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|method| method.as_str() == text)
    }
}

impl fmt::Display for SignInMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::SignInMethod;

    #[test]
    fn a_sign_in_method_is_read_back_from_its_name_and_names_are_distinct() {
        for method in SignInMethod::ALL {
            assert_eq!(SignInMethod::parse(method.as_str()), Some(method));
            assert_eq!(method.to_string(), method.as_str());
        }
        let names: std::collections::BTreeSet<_> = SignInMethod::ALL.iter().map(|m| m.as_str()).collect();
        assert_eq!(names.len(), SignInMethod::ALL.len());
        for unknown in ["", "Password", "Passkey", "password+", "email_code+"] {
            assert_eq!(SignInMethod::parse(unknown), None, "{unknown:?}");
        }
    }
}
