//! Registrar's domain: the things an account service is about — users and
//! their profiles, API clients, sessions and their token pairs, policy
//! revisions and acceptances, confirmation codes — and the validated value
//! types that requests are parsed into ("parse, don't validate").
//!
//! Pure: no I/O, no async, no framework types.

pub mod admin;
pub mod audit;
pub mod birth;
pub mod breached;
pub mod client;
pub mod confirmation;
pub mod email;
pub mod language;
pub mod oauth;
pub mod password;
pub mod policy;
pub mod postal;
pub mod sealed;
pub mod secret;
pub mod session;
pub mod signing_key;
pub mod telephone;
pub mod text;
pub mod throttle;
pub mod totp;
pub mod user;

pub use admin::{AdminKey, AdminScope, AdminScopes, WebhookEndpoint, WebhookEvents, WebhookSecret};
pub use audit::{Actor, AuditEvent, AuditKind, AuditRecord, IpRecording};
pub use breached::{BreachedPasswords, CorruptFilter};
pub use client::{Client, ClientId, ClientKind, RedirectUri, RedirectUriError, WEB_CLIENT_ID};
pub use confirmation::{ConfirmationCode, ConfirmationPurpose};
pub use email::{Email, EmailError};
pub use language::Language;
pub use oauth::{CodeChallenge, OAuthScope, ScopeError, Scopes};
pub use password::{Password, PasswordError, PasswordPolicy};
pub use policy::{PolicyRevision, PolicyText, PolicyType, RevisionId};
pub use postal::{PostalCode, UkPostcode};
pub use sealed::{Keyring, SealError, Sealed};
pub use secret::{SecretHash, SecretKey, SecretKeyError, SecretToken};
pub use session::{DeviceId, DeviceName, PasskeyName, Session, SessionId, SignInMethod};
pub use signing_key::{verify_rs256, RsaSigningKey, SigningKeyError};
pub use telephone::{Telephone, TelephoneError};
pub use text::{PersonName, TextError, TinNr};
pub use throttle::{ClientIp, Counter, Limit, Lock, Scope, ThrottleKey};
pub use totp::{TotpError, TotpSecret};
pub use user::{Organisation, PasswordHash, Profile, Role, User, UserId, UserType};
