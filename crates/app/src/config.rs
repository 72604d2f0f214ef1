//! Configuration: built-in defaults → the TOML file (`--config`,
//! `REGISTRAR_CONFIG`) → `DATABASE_URL` → `REGISTRAR__<SECTION>__<KEY>`.
//! Every value is checked at start-up; a bad one stops it naming its key.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context};
use registrar_domain::{Language, PolicyType};
use registrar_smtp::Tls;
use secrecy::SecretString;
use serde::{Deserialize, Deserializer};

/// Deserializes a text setting into its type once, at start-up; a value it
/// does not know is an error naming the key and what it may be (never a
/// silent fallback later).
macro_rules! parsed {
    ($fn:ident, $ty:ty, $key:literal, $expected:literal, $parse:expr) => {
        fn $fn<'de, D: Deserializer<'de>>(d: D) -> Result<$ty, D::Error> {
            let raw = String::deserialize(d)?;
            let parse: fn(&str) -> Option<$ty> = $parse;
            parse(raw.trim()).ok_or_else(|| {
                // The configuration crate adds "for key `…`".
                let _key: &str = $key;
                serde::de::Error::custom(format!("expected {}, not {:?}", $expected, raw))
            })
        }
    };
}

/// The choice of `words` that `s` names, whatever its case.
fn one_of<T: Copy>(s: &str, words: &[(&str, T)]) -> Option<T> {
    words
        .iter()
        .find(|(word, _)| word.eq_ignore_ascii_case(s))
        .map(|&(_, choice)| choice)
}

parsed!(
    mail_transport,
    MailTransport,
    "mail.transport",
    "file, smtp or log",
    |s| one_of(
        s,
        &[
            ("file", MailTransport::File),
            ("smtp", MailTransport::Smtp),
            ("log", MailTransport::Log),
        ]
    )
);
parsed!(smtp_tls, Tls, "mail.smtp.tls", "starttls, tls or none", |s| s
    .parse()
    .ok());
parsed!(log_format, LogFormat, "log.format", "pretty or json", |s| one_of(
    s,
    &[("pretty", LogFormat::Pretty), ("json", LogFormat::Json)]
));
parsed!(
    language,
    Language,
    "i18n.default_language",
    "a language with a catalogue (locales/<code>/ in the http crate)",
    |code| Language::offered(code, &crate::wiring::languages())
);

parsed!(
    audit_ip,
    registrar_domain::IpRecording,
    "audit.ip",
    "full, truncated or hashed",
    |s| registrar_domain::IpRecording::parse(&s.to_ascii_lowercase())
);

fn policy_types<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<PolicyType>, D::Error> {
    Vec::<String>::deserialize(d)?
        .into_iter()
        .map(|t| {
            PolicyType::parse(&t)
                .ok_or_else(|| serde::de::Error::custom(format!("{t:?} is not a policy type (a-z, 0-9, _ and -)")))
        })
        .collect()
}

/// Where mail goes (`mail.transport`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MailTransport {
    /// `.eml` files in `mail.outbox_dir`.
    #[default]
    File,
    /// An SMTP relay (`mail.smtp.*`), through the outbox worker.
    Smtp,
    /// Nowhere: a log line per mail.
    Log,
}

/// How log lines look (`log.format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Pretty,
    /// One JSON object a line.
    Json,
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub http: Http,
    pub database: Database,
    pub mail: Mail,
    pub auth: Auth,
    pub password: Password,
    pub policies: Policies,
    pub registration: Registration,
    pub email: EmailCheck,
    pub i18n: I18n,
    pub log: Log,
    pub throttle: Throttle,
    pub security: Security,
    pub mfa: Mfa,
    pub webauthn: Webauthn,
    pub webhooks: Webhooks,
    pub audit: Audit,
}

/// Webhook delivery.
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Webhooks {
    /// Allow endpoints on loopback, private, link-local addresses and plain http.
    pub allow_private: bool,
    /// Seconds an endpoint may fail before it is disabled (5 days).
    pub disable_after: u64,
    /// Seconds per call.
    pub timeout: u64,
    pub max_concurrent_per_endpoint: u32,
}

impl Default for Webhooks {
    fn default() -> Self {
        Self {
            allow_private: false,
            disable_after: 5 * 86_400,
            timeout: 10,
            max_concurrent_per_endpoint: 4,
        }
    }
}

/// The audit trail.
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Audit {
    /// How much of the client's address events keep: full, truncated, hashed.
    #[serde(deserialize_with = "audit_ip")]
    pub ip: registrar_domain::IpRecording,
    pub retention_days: u64,
    pub new_device_mail: bool,
}

impl Default for Audit {
    fn default() -> Self {
        Self {
            ip: registrar_domain::IpRecording::Truncated,
            retention_days: 365,
            new_device_mail: true,
        }
    }
}

/// Passkeys: the WebAuthn relying party.
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Webauthn {
    /// The relying party id: a domain, the scope of the passkeys (they work
    /// on it and its subdomains). Empty: the host of `http.public_url`;
    /// passkeys are off when that is an IP address.
    pub rp_id: String,
    /// The name authenticators show.
    pub rp_name: String,
    /// The origins (`https://host[:port]`) the browser pages that use
    /// passkeys are served from, each on `rp_id` or a subdomain of it.
    /// Empty: the origin of `http.public_url`.
    pub origins: Vec<String>,
}

impl Default for Webauthn {
    fn default() -> Self {
        Self {
            rp_id: String::new(),
            rp_name: "Registrar".into(),
            origins: Vec::new(),
        }
    }
}

/// Second factors.
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Mfa {
    /// The issuer an authenticator app shows next to the account (and puts
    /// in the otpauth link): 1 to 64 characters, no `:`.
    pub issuer: String,
}

impl Default for Mfa {
    fn default() -> Self {
        Self {
            issuer: "Registrar".into(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Http {
    pub host: String,
    pub port: u16,
    pub public_url: String,
    /// Worker threads; 0 = one per core.
    pub workers: usize,
    /// Seconds in-flight requests may take to finish after SIGTERM.
    pub shutdown_timeout: u64,
    /// Peers (addresses or networks) whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<String>,
    /// Largest request head (target plus header names and values); more is a 431.
    pub max_header_bytes: usize,
    /// Seconds a request body may take to arrive; then 408 and the connection is closed.
    pub body_timeout: u64,
}

impl Default for Http {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 8080,
            public_url: "http://127.0.0.1:8080".into(),
            workers: 0,
            shutdown_timeout: 30,
            trusted_proxies: Vec::new(),
            max_header_bytes: 16 * 1024,
            body_timeout: 20,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Database {
    pub url: String,
    pub max_connections: u32,
    pub auto_migrate: bool,
    /// Seconds to wait for a database connection before answering 503.
    pub connect_timeout: u64,
}

impl Default for Database {
    fn default() -> Self {
        Self {
            url: "sqlite://registrar.db".into(),
            max_connections: 10,
            auto_migrate: true,
            connect_timeout: 5,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Mail {
    #[serde(deserialize_with = "mail_transport")]
    pub transport: MailTransport,
    pub outbox_dir: PathBuf,
    pub from: String,
    pub smtp: Smtp,
    /// Delivery attempts before a queued mail is given up.
    pub max_attempts: u32,
    /// Seconds before the first retry; doubles per attempt up to an hour.
    pub retry_base: u64,
    /// Seconds between looks at the queue for mail queued elsewhere or due again.
    pub poll_interval: u64,
}

impl Default for Mail {
    fn default() -> Self {
        Self {
            transport: MailTransport::File,
            outbox_dir: PathBuf::from("outbox"),
            from: "Registrar <no-reply@localhost>".into(),
            smtp: Smtp::default(),
            max_attempts: 8,
            retry_base: 30,
            poll_interval: 5,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Smtp {
    pub host: Option<String>,
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<SecretString>,
    #[serde(deserialize_with = "smtp_tls")]
    pub tls: Tls,
    /// Seconds one message may take.
    pub timeout: u64,
}

impl Default for Smtp {
    fn default() -> Self {
        Self {
            host: None,
            port: 587,
            username: None,
            password: None,
            tls: Tls::StartTls,
            timeout: 10,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Auth {
    pub access_token_ttl: u64,
    pub refresh_token_idle_ttl: u64,
    pub max_sessions_per_client: u32,
    pub require_confirmed_email: bool,
    /// Seconds a mailed confirmation code and link stay valid.
    pub confirmation_ttl: u64,
    /// Seconds a mailed password-reset link stays valid.
    pub password_reset_ttl: u64,
    /// Seconds a change of address waits for the new address to confirm.
    pub email_change_ttl: u64,
    /// Seconds a browser session of the sign-in page (`/oauth/authorize`)
    /// lasts: single sign-on across clients until then.
    pub browser_session_ttl: u64,
}

impl Default for Auth {
    fn default() -> Self {
        Self {
            access_token_ttl: 3600,
            refresh_token_idle_ttl: 7_776_000,
            max_sessions_per_client: 5,
            require_confirmed_email: false,
            confirmation_ttl: 86_400,
            password_reset_ttl: 3600,
            email_change_ttl: 86_400,
            browser_session_ttl: 43_200,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Password {
    pub min_length: usize,
    pub max_length: usize,
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    pub argon2_parallelism: u32,
    /// argon2 computations at once; 0 = one per core.
    pub max_concurrent_hashes: usize,
    /// Seconds a request waits for its turn to hash before a 503.
    pub hash_queue_timeout: u64,
    /// Seconds between two checks of the stored breached-password filter
    /// (a new import reaches every instance within this).
    pub breached_recheck: u64,
}

impl Default for Password {
    fn default() -> Self {
        Self {
            min_length: 8,
            max_length: 128,
            argon2_memory_kib: 19_456,
            argon2_iterations: 2,
            argon2_parallelism: 1,
            max_concurrent_hashes: 0,
            hash_queue_timeout: 10,
            breached_recheck: 60,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policies {
    #[serde(deserialize_with = "policy_types")]
    pub required_types: Vec<PolicyType>,
}

impl Default for Policies {
    fn default() -> Self {
        Self {
            required_types: ["tac", "privacy"].into_iter().filter_map(PolicyType::parse).collect(),
        }
    }
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Registration {
    pub invite_only: bool,
}

#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmailCheck {
    pub check_domain: bool,
    pub dns_servers: Vec<String>,
    /// Seconds a domain check may take before the address is let through.
    pub dns_timeout: u64,
}

impl Default for EmailCheck {
    fn default() -> Self {
        Self {
            check_domain: true,
            dns_servers: Vec::new(),
            dns_timeout: 3,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct I18n {
    #[serde(deserialize_with = "language")]
    pub default_language: Language,
}

impl Default for I18n {
    fn default() -> Self {
        Self {
            default_language: Language::EN,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Log {
    /// `pretty` or `json`.
    #[serde(deserialize_with = "log_format")]
    pub format: LogFormat,
    /// A tracing filter (`info`, `registrar=debug,actix_web=warn`); `RUST_LOG` wins.
    pub level: String,
}

impl Default for Log {
    fn default() -> Self {
        Self {
            format: LogFormat::Pretty,
            level: "info".into(),
        }
    }
}

/// Attempt limits; a limit of 0 is off. Windows and lockouts in seconds.
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Throttle {
    /// Failed logins of one account within `login_window`, then a lockout.
    pub login_failures_per_account: u32,
    /// Failed logins from one client IP within `login_window`.
    pub login_failures_per_ip: u32,
    pub login_window: u64,
    /// The first lockout of an account; each next one doubles, up to `lockout_max`.
    pub lockout: u64,
    pub lockout_max: u64,
    /// Registrations (every family) from one client IP within `registration_window`.
    pub registrations_per_ip: u32,
    pub registration_window: u64,
    /// Mails asked (forgot-password, resend, signup) for one address / from one IP within `mail_window`.
    pub mails_per_address: u32,
    pub mails_per_ip: u32,
    pub mail_window: u64,
    /// Unreadable bodies from one client IP within `malformed_window`.
    pub malformed_per_ip: u32,
    pub malformed_window: u64,
    /// Typed codes (every try) from one client IP within `code_window`.
    pub code_attempts_per_ip: u32,
    pub code_window: u64,
    /// Failed code tries for one address, across codes, within `code_budget_window`.
    pub code_failures_per_address: u32,
    pub code_budget_window: u64,
    /// Data exports of one account (by the user or an admin key) within `export_window`.
    pub exports_per_user: u32,
    /// Data exports asked from one client IP within `export_window`.
    pub exports_per_ip: u32,
    pub export_window: u64,
}

impl Default for Throttle {
    fn default() -> Self {
        Self {
            login_failures_per_account: 5,
            login_failures_per_ip: 100,
            login_window: 900,
            lockout: 900,
            lockout_max: 86_400,
            registrations_per_ip: 100,
            registration_window: 3600,
            mails_per_address: 10,
            mails_per_ip: 100,
            mail_window: 3600,
            malformed_per_ip: 30,
            malformed_window: 60,
            code_attempts_per_ip: 100,
            code_window: 900,
            code_failures_per_address: 20,
            code_budget_window: 86_400,
            exports_per_user: 5,
            exports_per_ip: 20,
            export_window: 3600,
        }
    }
}

/// The server secret: the key of the hashes of codes, links and throttle
/// keys. Without either setting, a secret is generated at first start into
/// `registrar.secret` beside the SQLite database (or in the working
/// directory on PostgreSQL), mode 0600, and read from there afterwards.
#[derive(Debug, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Security {
    /// The secret itself, at least 32 bytes (`openssl rand -hex 32`).
    pub secret_key: Option<SecretString>,
    /// A file holding it; generated there if missing.
    pub secret_key_file: Option<PathBuf>,
    /// Server secrets used before the current one, after a rotation: they
    /// still open the secrets they sealed (TOTP seeds). Codes, links and
    /// throttle counts of the old secret die with it.
    pub previous_secret_keys: Vec<SecretString>,
}

/// Where to read the TOML file from: the flag, else `REGISTRAR_CONFIG`, else none.
pub fn load(file: Option<&Path>) -> anyhow::Result<Config> {
    let file = file
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("REGISTRAR_CONFIG").map(PathBuf::from));
    let mut builder = config::Config::builder();
    if let Some(file) = &file {
        if !file.is_file() {
            bail!("configuration file {} does not exist", file.display());
        }
        builder = builder.add_source(config::File::from(file.as_path()).format(config::FileFormat::Toml));
    }
    if std::env::var_os("REGISTRAR__DATABASE__URL").is_none() {
        if let Ok(url) = std::env::var("DATABASE_URL") {
            builder = builder.set_override("database.url", url).context("DATABASE_URL")?;
        }
    }
    builder = builder.add_source(
        config::Environment::with_prefix("REGISTRAR")
            .prefix_separator("__")
            .separator("__")
            .try_parsing(true)
            .list_separator(",")
            .with_list_parse_key("policies.required_types")
            .with_list_parse_key("email.dns_servers")
            .with_list_parse_key("http.trusted_proxies")
            .with_list_parse_key("security.previous_secret_keys")
            .with_list_parse_key("webauthn.origins"),
    );
    let config: Config = builder
        .build()
        .and_then(|c| c.try_deserialize())
        .map_err(|e| anyhow!("configuration: {e}"))?;
    config.validate()?;
    Ok(config)
}

fn positive(key: &str, value: u64) -> anyhow::Result<()> {
    if value == 0 {
        bail!("configuration: {key} must be greater than 0");
    }
    Ok(())
}

impl Config {
    /// Checks what serde cannot: enumerations, ranges, URLs.
    pub fn validate(&self) -> anyhow::Result<()> {
        positive("webhooks.disable_after", self.webhooks.disable_after)?;
        positive("webhooks.timeout", self.webhooks.timeout)?;
        if self.webhooks.timeout > 300 {
            bail!("configuration: webhooks.timeout must be at most 300 seconds");
        }
        positive(
            "webhooks.max_concurrent_per_endpoint",
            self.webhooks.max_concurrent_per_endpoint.into(),
        )?;
        positive("audit.retention_days", self.audit.retention_days)?;
        if self.audit.retention_days > 36_500 {
            bail!("configuration: audit.retention_days must be at most 36500");
        }
        registrar_http::edge::language::languages().map_err(|e| anyhow!("the message catalogue: {e}"))?;
        let public = self.http.public_url.trim();
        if !(public.starts_with("http://") || public.starts_with("https://")) || public.len() < 10 {
            bail!("configuration: http.public_url must be an http:// or https:// URL, not {public:?}");
        }
        let url = self.database.url.trim();
        if !(url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            bail!(
                "configuration: database.url must start with sqlite:// or postgres:// (got scheme {:?})",
                scheme(url)
            );
        }
        positive("database.max_connections", self.database.max_connections.into())?;
        positive("database.connect_timeout", self.database.connect_timeout)?;
        if self.mail.transport == MailTransport::Smtp
            && self.mail.smtp.host.as_deref().is_none_or(|h| h.trim().is_empty())
        {
            bail!("configuration: mail.smtp.host is required when mail.transport is smtp");
        }
        positive("mail.smtp.timeout", self.mail.smtp.timeout)?;
        positive("mail.max_attempts", self.mail.max_attempts.into())?;
        positive("mail.retry_base", self.mail.retry_base)?;
        positive("mail.poll_interval", self.mail.poll_interval)?;
        positive("auth.access_token_ttl", self.auth.access_token_ttl)?;
        positive("auth.refresh_token_idle_ttl", self.auth.refresh_token_idle_ttl)?;
        positive("auth.max_sessions_per_client", self.auth.max_sessions_per_client.into())?;
        positive("auth.confirmation_ttl", self.auth.confirmation_ttl)?;
        positive("auth.password_reset_ttl", self.auth.password_reset_ttl)?;
        positive("auth.email_change_ttl", self.auth.email_change_ttl)?;
        positive("auth.browser_session_ttl", self.auth.browser_session_ttl)?;
        let ttls = [
            ("auth.access_token_ttl", self.auth.access_token_ttl),
            ("auth.refresh_token_idle_ttl", self.auth.refresh_token_idle_ttl),
            ("auth.confirmation_ttl", self.auth.confirmation_ttl),
            ("auth.password_reset_ttl", self.auth.password_reset_ttl),
            ("auth.email_change_ttl", self.auth.email_change_ttl),
            ("auth.browser_session_ttl", self.auth.browser_session_ttl),
        ];
        if let Some((key, _)) = ttls.iter().find(|(_, seconds)| *seconds > 10 * 365 * 86_400) {
            bail!("configuration: {key} must be at most ten years (in seconds)");
        }
        let p = &self.password;
        if p.min_length == 0 || p.min_length > p.max_length || p.max_length > 4096 {
            bail!("configuration: password.min_length and password.max_length must satisfy 1 <= min <= max <= 4096");
        }
        self.argon2().validate().map_err(|e| {
            anyhow!("configuration: password.argon2_memory_kib/argon2_iterations/argon2_parallelism: {e}")
        })?;
        positive("email.dns_timeout", self.email.dns_timeout)?;
        positive("password.hash_queue_timeout", self.password.hash_queue_timeout)?;
        positive("password.breached_recheck", self.password.breached_recheck)?;
        for server in &self.email.dns_servers {
            server
                .parse::<SocketAddr>()
                .map_err(|_| anyhow!("configuration: email.dns_servers: {server:?} is not IP:PORT"))?;
        }
        registrar_http::client_ip::TrustedProxies::parse(&self.http.trusted_proxies)
            .map_err(|e| anyhow!("configuration: http.trusted_proxies: {e}"))?;
        if !(1024..=128 * 1024).contains(&self.http.max_header_bytes) {
            bail!("configuration: http.max_header_bytes must be between 1024 and 131072");
        }
        if !(1..=3600).contains(&self.http.body_timeout) {
            bail!("configuration: http.body_timeout must be between 1 and 3600 (seconds)");
        }
        let t = &self.throttle;
        for (key, seconds) in [
            ("throttle.login_window", t.login_window),
            ("throttle.lockout", t.lockout),
            ("throttle.lockout_max", t.lockout_max),
            ("throttle.registration_window", t.registration_window),
            ("throttle.mail_window", t.mail_window),
            ("throttle.malformed_window", t.malformed_window),
            ("throttle.code_window", t.code_window),
            ("throttle.code_budget_window", t.code_budget_window),
            ("throttle.export_window", t.export_window),
        ] {
            positive(key, seconds)?;
            if seconds > 365 * 86_400 {
                bail!("configuration: {key} must be at most a year (in seconds)");
            }
        }
        if t.lockout > t.lockout_max {
            bail!("configuration: throttle.lockout must not be longer than throttle.lockout_max");
        }
        let issuer = self.mfa.issuer.trim();
        if issuer.is_empty()
            || issuer.chars().count() > 64
            || issuer.contains(':')
            || issuer.chars().any(char::is_control)
        {
            bail!("configuration: mfa.issuer must be 1 to 64 characters without `:` or control characters");
        }
        crate::secret::previous_secrets(self)?;
        self.relying_party()?;
        Ok(())
    }

    /// The WebAuthn relying party (`webauthn.*`), `None` when passkeys are off.
    pub fn relying_party(&self) -> anyhow::Result<Option<registrar_service::RelyingParty>> {
        let w = &self.webauthn;
        let rp_id = Some(w.rp_id.trim()).filter(|id| !id.is_empty());
        let origins: Vec<String> = w.origins.iter().map(|o| o.trim().to_owned()).collect();
        if w.rp_name.trim().is_empty() || w.rp_name.chars().any(char::is_control) {
            bail!("configuration: webauthn.rp_name must be a name without control characters");
        }
        registrar_service::RelyingParty::configured(self.http.public_url.trim(), rp_id, w.rp_name.trim(), &origins)
            .map_err(|e| anyhow!("configuration: webauthn: {e}"))
    }

    pub fn argon2(&self) -> registrar_service::Argon2Params {
        registrar_service::Argon2Params {
            memory_kib: self.password.argon2_memory_kib,
            iterations: self.password.argon2_iterations,
            parallelism: self.password.argon2_parallelism,
        }
    }
}

/// The scheme of a URL, for messages that must not show credentials.
pub fn scheme(url: &str) -> &str {
    url.split_once(':').map_or("", |(s, _)| s)
}
