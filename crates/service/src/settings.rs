use chrono::Duration;
use registrar_domain::{Keyring, Language, PasswordPolicy, PolicyType, SecretKey};

use crate::{Argon2Params, HashingLimits, OutboxSettings, ThrottleSettings};

/// What the use cases need from configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    pub access_token_ttl: Duration,
    pub refresh_token_idle_ttl: Duration,
    pub max_sessions_per_client: usize,
    pub require_confirmed_email: bool,
    pub password: PasswordPolicy,
    pub argon2: Argon2Params,
    pub hashing: HashingLimits,
    pub required_policy_types: Vec<PolicyType>,
    /// Base of links in mails, without a trailing slash.
    pub public_url: String,
    pub default_language: Language,
    /// The languages on offer: those the catalogues have (the app passes the
    /// HTTP adapter's). A body's `language` must be one of them.
    pub languages: Vec<Language>,
    pub outbox: OutboxSettings,
    /// How long a confirmation code and link stay valid (24 hours).
    pub confirmation_ttl: Duration,
    /// How long a password-reset link stays valid (1 hour).
    pub reset_ttl: Duration,
    /// How long a change of address waits for the new address (24 hours).
    pub email_change_ttl: Duration,
    /// Every family needs a signup token to register (`registration.invite_only`).
    pub invite_only: bool,
    /// Attempt limits per account, address and client IP (`throttle.*`).
    pub throttle: ThrottleSettings,
    /// The server secret (`security.secret_key`): the key of the hashes of
    /// codes, links and throttle keys.
    pub secret_key: SecretKey,
    /// Server secrets used before the current one
    /// (`security.previous_secret_keys`): they still open the secrets they
    /// sealed (TOTP seeds), until those are sealed again.
    pub previous_secret_keys: Vec<SecretKey>,
    /// The issuer an authenticator app shows next to the account (`mfa.issuer`).
    pub mfa_issuer: String,
    /// The WebAuthn relying party of passkeys (`webauthn.*`); `None`: passkeys
    /// are off (their endpoints answer 404).
    pub webauthn: Option<crate::RelyingParty>,
    /// How long a browser session of the sign-in page lasts
    /// (`auth.browser_session_ttl`): single sign-on across clients until then.
    pub browser_session_ttl: Duration,
    /// The audit trail (`audit.*`).
    pub audit: crate::AuditSettings,
    /// `webhooks.*`.
    pub webhooks: crate::WebhookSettings,
}

impl Settings {
    /// A presented refresh token that was rotated out this recently is
    /// refused without revoking its session (apps that refresh twice at once).
    pub const REUSE_GRACE: Duration = Duration::seconds(10);
    /// Wrong tries after which a confirmation code is dead.
    pub const CODE_ATTEMPTS: u32 = 5;

    /// The keys that seal and open secrets the server reads back.
    pub fn keyring(&self) -> Keyring {
        Keyring::new(self.secret_key.clone(), self.previous_secret_keys.clone())
    }

    /// `code` as a language, if it is one on offer.
    pub fn language(&self, code: &str) -> Option<Language> {
        Language::offered(code, &self.languages)
    }

    /// A fresh random server secret (tests, tools; the binary reads or
    /// generates a lasting one).
    pub fn random_secret_key() -> SecretKey {
        use rand::RngCore;
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        match SecretKey::new(&bytes) {
            Ok(key) => key,
            Err(_) => unreachable!("32 bytes is long enough"),
        }
    }

    /// The defaults README.md documents (Configuration).
    pub fn defaults() -> Self {
        Self {
            access_token_ttl: Duration::seconds(3600),
            refresh_token_idle_ttl: Duration::seconds(7_776_000),
            max_sessions_per_client: 5,
            require_confirmed_email: false,
            password: PasswordPolicy::default(),
            argon2: Argon2Params::default(),
            hashing: HashingLimits::default(),
            required_policy_types: ["tac", "privacy"].iter().filter_map(|t| PolicyType::parse(t)).collect(),
            public_url: "http://127.0.0.1:8080".into(),
            default_language: Language::EN,
            languages: Language::BUILT_IN.to_vec(),
            outbox: OutboxSettings::default(),
            confirmation_ttl: Duration::hours(24),
            reset_ttl: Duration::hours(1),
            email_change_ttl: Duration::hours(24),
            invite_only: false,
            throttle: ThrottleSettings::default(),
            secret_key: Self::random_secret_key(),
            previous_secret_keys: Vec::new(),
            mfa_issuer: "Registrar".into(),
            // `http.public_url` is on an IP address, which is no relying party id.
            webauthn: None,
            browser_session_ttl: Duration::hours(12),
            audit: crate::AuditSettings::default(),
            webhooks: crate::WebhookSettings::default(),
        }
    }
}
