//! Registrar's use cases — register, log in (by password or a mailed code),
//! refresh, change password, manage sessions, profiles and policy
//! acceptance — generic over the store and mail
//! ports. Passwords are hashed here (argon2id, off the async threads); tokens
//! and codes are minted here and only their hashes reach the store.

mod account;
mod activity;
mod admin;
mod admin_keys;
mod admin_users;
pub mod audit;
mod authorize;
pub mod breached;
mod clock;
mod confirm;
mod email_change;
mod email_code;
mod error;
mod export;
mod factors;
mod hashing;
mod id_token;
mod import;
mod input;
mod invites;
mod keys;
mod mail;
pub mod parse;
mod passkeys;
mod policies;
pub mod policy_file;
mod profile_registration;
mod seed;
mod settings;
mod signup;
mod stored_hash;
mod supervise;
mod throttle;
mod tokens;
mod touch;
mod typed;
mod users;
mod webhooks;

#[cfg(feature = "testing")]
#[allow(clippy::expect_used, clippy::unwrap_used)] // test code
pub mod testing;

pub use account::{PasswordChange, ProfileChange, ProfileView, Registration, RegistrationLookups, SessionView};
pub use activity::{ActivityEntry, ActivityPage, ACTIVITY_DAYS, ACTIVITY_DEFAULT_LIMIT, ACTIVITY_MAX_LIMIT};
pub use admin::NewClient;
pub use admin_keys::{admin_key_name, AdminAuthError, ADMIN_KEY_PREFIX};
pub use admin_users::{AdminUserView, Lockout};
pub use audit::{current_request, within_request, AuditSettings, RequestMeta};
pub use authorize::{
    with_query, AuthorizationError, AuthorizationErrorRedirect, AuthorizationInput, AuthorizationPageError,
    AuthorizationRequest, AuthorizationStep, BrowserCookie, BrowserSignIn, CodeGrantInput, CodeTokens, ConsentNeeded,
    Prompt, CODE_TTL, CONSENT_WINDOW, MAX_AGE_CAP,
};
pub use breached::{BreachedImport, BreachedImportError, BreachedList, HibpReadError};
pub use clock::{Clock, ManualClock, SystemClock};
pub use confirm::{CodeConfirmation, LinkOutcome, PasswordReset};
pub use email_change::{EmailChangeCode, EmailChangeRequest};
pub use email_code::{EmailCodeGrant, EmailCodeMail, EMAIL_CODE_ATTEMPTS, EMAIL_CODE_TTL};
pub use error::{Field, FieldError, FieldErrors, ServiceError};
pub use export::Export;
pub use factors::{
    AccountFactors, FactorKind, FactorsView, MfaChallenge, MfaGrant, SecondFactor, TotpEnrolment, TotpState,
    MFA_TOKEN_FAILURES, MFA_TOKEN_TTL, RECOVERY_CODES,
};
pub use hashing::{Argon2Params, HashingLimits, PasswordHasher, HASHES_IN_FLIGHT};
pub use id_token::{claims, granted_scope, IdTokenHint};
pub use import::{parse_import_file, parse_import_line, ImportContext, ImportError, ImportedAccount, IMPORT_FIELDS};
pub use input::{
    ChangePasswordInput, EmailCodeGrantInput, EmailCodeInput, LoginInput, MfaGrantInput, Patch, ProfilePatch,
    RegisterInput, TypedRegisterInput, UsersRegisterInput,
};
pub use keys::{CurrentSigningKey, SIGNING_KEY_PURPOSE};
pub use mail::{OutboxSettings, MAILS, OUTBOX_BACKLOG, OUTBOX_OLDEST_AGE, PURGE_INTERVAL};
pub use parse::{ClientRef, KnownClient};
pub use passkeys::{
    passkey_name, PasskeyAddition, PasskeyAdditionInput, PasskeyGrant, PasskeyGrantInput, PasskeyOptions, PasskeyView,
    RelyingParty, CEREMONY_TTL, MAX_PASSKEYS,
};
pub use policies::{Acceptance, CurrentPolicy};
pub use profile_registration::ProfileRegistration;
pub use seed::{seed_email, seed_mfa_token, seed_tokens, seed_totp_secret, SeedExtras};
pub use settings::Settings;
pub use signup::{Signup, SignupConsent, SignupLink, SignupLookups};
pub use stored_hash::needs_upgrade;
pub use supervise::{supervise, TASK_RESTARTS};
pub use throttle::ThrottleSettings;
pub use tokens::{AuthContext, ClientAuthentication, Login, TokenPair};
pub use touch::TOUCH_FLUSH_INTERVAL;
pub use typed::TypedRegistration;
pub use users::{UsersRegistration, WebLogin};
pub use webhooks::{
    parse_endpoint_url, webhook_backoff, WebhookError, WebhookSettings, WebhookView, WEBHOOK_BACKLOG,
    WEBHOOK_DELIVERIES, WEBHOOK_OLDEST_AGE, WEBHOOK_SECRET_PURPOSE,
};

use std::sync::Arc;

use registrar_domaincheck::{DomainCheck, NoDomainCheck};
use registrar_mail::Mailer;
use registrar_store::Store;
use registrar_webhook::{NoWebhooks, WebhookTransport};

/// The service: every use case, over a store `S` and a mailer `M`.
/// Cheap to clone (everything behind `Arc`s or already `Clone`).
pub struct Registrar<S, M> {
    store: S,
    mailer: M,
    settings: Arc<Settings>,
    hasher: PasswordHasher,
    clock: Arc<dyn Clock>,
    /// Wakes the outbox worker of this process when a mail is queued.
    outbox_kick: Arc<tokio::sync::Notify>,
    /// Whether an email's domain can receive mail (the users API asks).
    domains: Arc<dyn DomainCheck>,
    /// Sessions used since the last flush of their last-use times.
    touches: Arc<touch::PendingTouches>,
    /// Where webhooks are sent (default: nowhere, every call refused).
    webhooks: Arc<dyn WebhookTransport>,
    /// The breached-password filter in use (loaded from the store).
    breached: Arc<breached::BreachedList>,
}

impl<S: Clone, M: Clone> Clone for Registrar<S, M> {
    fn clone(&self) -> Self {
        Self {
            store: self.store.clone(),
            mailer: self.mailer.clone(),
            settings: self.settings.clone(),
            hasher: self.hasher.clone(),
            clock: self.clock.clone(),
            outbox_kick: self.outbox_kick.clone(),
            domains: self.domains.clone(),
            touches: self.touches.clone(),
            webhooks: self.webhooks.clone(),
            breached: self.breached.clone(),
        }
    }
}

impl<S: Store, M: Mailer> Registrar<S, M> {
    pub fn new(store: S, mailer: M, settings: Settings) -> Self {
        Self::with_clock(store, mailer, settings, Arc::new(SystemClock))
    }

    /// As [`Registrar::new`] with a clock of the caller's (tests move time).
    pub fn with_clock(store: S, mailer: M, settings: Settings, clock: Arc<dyn Clock>) -> Self {
        let hasher = PasswordHasher::with_limits(settings.argon2, settings.hashing);
        Self {
            store,
            mailer,
            settings: Arc::new(settings),
            hasher,
            clock,
            outbox_kick: Arc::default(),
            domains: Arc::new(NoDomainCheck),
            touches: Arc::default(),
            webhooks: Arc::new(NoWebhooks),
            breached: Arc::default(),
        }
    }

    /// Checks email domains with this adapter (default: no check).
    pub fn with_domain_check(mut self, domains: Arc<dyn DomainCheck>) -> Self {
        self.domains = domains;
        self
    }

    /// Sends webhooks with this adapter (default: none sent).
    pub fn with_webhook_transport(mut self, webhooks: Arc<dyn WebhookTransport>) -> Self {
        self.webhooks = webhooks;
        self
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// What the pure steps ([`parse`]) need: the password rules (with the
    /// breached-password filter) and this year.
    pub fn rules(&self) -> parse::Rules<'_> {
        use chrono::Datelike;
        parse::Rules {
            password: &self.settings.password,
            breached: self.breached.as_ref(),
            this_year: self.clock.now().year(),
            languages: &self.settings.languages,
        }
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    /// Whether the database answers (for `/readyz`).
    pub async fn ready(&self) -> Result<(), ServiceError> {
        Ok(self.store.ping().await?)
    }
}
