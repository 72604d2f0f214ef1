//! Turning configuration into the concrete adapters and the service.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono::Duration as Span;
use registrar_diesel::{DatabaseSettings, DieselStore};
use registrar_dns::HickoryDomainCheck;
use registrar_domain::Limit;
use registrar_domain::{Language, PasswordPolicy};
use registrar_domaincheck::{DomainCheck, NoDomainCheck};
use registrar_service::{HashingLimits, OutboxSettings, Registrar, Settings, ThrottleSettings};
use registrar_smtp::{LettreMailer, MailSettings, Transport};

use crate::config::{scheme, Config, MailTransport};

pub type Service = Registrar<DieselStore, LettreMailer>;

/// Seconds of configuration as a span (validated to at most ten years;
/// anything beyond chrono's range is its largest span, never a panic).
fn span(seconds: u64) -> Span {
    i64::try_from(seconds)
        .ok()
        .and_then(Span::try_seconds)
        .unwrap_or(Span::MAX)
}

/// The service's settings; `secret_key` is the server secret ([`crate::secret::server_secret`]).
pub fn service_settings(config: &Config, secret_key: registrar_domain::SecretKey) -> Settings {
    Settings {
        access_token_ttl: span(config.auth.access_token_ttl),
        refresh_token_idle_ttl: span(config.auth.refresh_token_idle_ttl),
        max_sessions_per_client: usize::try_from(config.auth.max_sessions_per_client).unwrap_or(usize::MAX),
        require_confirmed_email: config.auth.require_confirmed_email,
        password: PasswordPolicy {
            min_length: config.password.min_length,
            max_length: config.password.max_length,
        },
        argon2: config.argon2(),
        hashing: HashingLimits {
            max_concurrent: match config.password.max_concurrent_hashes {
                0 => HashingLimits::default().max_concurrent,
                n => n,
            },
            queue_timeout: Duration::from_secs(config.password.hash_queue_timeout),
        },
        required_policy_types: config.policies.required_types.clone(),
        public_url: config.http.public_url.trim().trim_end_matches('/').to_owned(),
        default_language: default_language(config),
        languages: languages(),
        invite_only: config.registration.invite_only,
        confirmation_ttl: span(config.auth.confirmation_ttl),
        reset_ttl: span(config.auth.password_reset_ttl),
        email_change_ttl: span(config.auth.email_change_ttl),
        outbox: OutboxSettings {
            max_attempts: config.mail.max_attempts,
            retry_base: span(config.mail.retry_base.min(86_400)),
            poll_interval: span(config.mail.poll_interval.min(3600)),
            ..OutboxSettings::default()
        },
        throttle: throttle_settings(config),
        secret_key,
        previous_secret_keys: Vec::new(),
        mfa_issuer: config.mfa.issuer.trim().to_owned(),
        // Checked by `Config::validate` before the service is built.
        webauthn: config.relying_party().ok().flatten(),
        browser_session_ttl: span(config.auth.browser_session_ttl),
        audit: registrar_service::AuditSettings {
            ip: config.audit.ip,
            retention: span(config.audit.retention_days.saturating_mul(86_400)),
            new_device_mail: config.audit.new_device_mail,
        },
        webhooks: registrar_service::WebhookSettings {
            allow_private: config.webhooks.allow_private,
            disable_after: span(config.webhooks.disable_after),
            timeout: Duration::from_secs(config.webhooks.timeout),
            max_concurrent_per_endpoint: usize::try_from(config.webhooks.max_concurrent_per_endpoint).unwrap_or(4),
            ..registrar_service::WebhookSettings::default()
        },
    }
}

/// The webhook transport: HTTP(S), private addresses refused unless `webhooks.allow_private`.
pub fn webhook_transport(config: &Config) -> anyhow::Result<Arc<dyn registrar_webhook::WebhookTransport>> {
    let agent = concat!("Registrar-Webhooks/", env!("CARGO_PKG_VERSION"));
    let transport = registrar_webhook_http::HttpWebhooks::new(config.webhooks.allow_private, agent)
        .map_err(|e| anyhow::anyhow!(e))?;
    Ok(Arc::new(transport))
}

fn throttle_settings(config: &Config) -> ThrottleSettings {
    let t = &config.throttle;
    let seconds = span;
    ThrottleSettings {
        login_account: Limit::lockout(
            t.login_failures_per_account,
            seconds(t.login_window),
            seconds(t.lockout),
            seconds(t.lockout_max),
        ),
        login_ip: Limit::per_window(t.login_failures_per_ip, seconds(t.login_window)),
        register_ip: Limit::per_window(t.registrations_per_ip, seconds(t.registration_window)),
        mail_address: Limit::per_window(t.mails_per_address, seconds(t.mail_window)),
        mail_ip: Limit::per_window(t.mails_per_ip, seconds(t.mail_window)),
        malformed_ip: Limit::per_window(t.malformed_per_ip, seconds(t.malformed_window)),
        code_ip: Limit::per_window(t.code_attempts_per_ip, seconds(t.code_window)),
        code_address: Limit::per_window(t.code_failures_per_address, seconds(t.code_budget_window)),
        export_user: Limit::per_window(t.exports_per_user, seconds(t.export_window)),
        export_ip: Limit::per_window(t.exports_per_ip, seconds(t.export_window)),
    }
}

/// The languages on offer: those of the HTTP adapter's catalogue (none if
/// it does not load, which `Config::validate` reports).
pub fn languages() -> Vec<Language> {
    registrar_http::edge::language::languages().unwrap_or_default()
}

pub fn default_language(config: &Config) -> Language {
    config.i18n.default_language
}

/// Connects to the configured database (without migrating).
pub async fn store(config: &Config) -> anyhow::Result<DieselStore> {
    let settings = DatabaseSettings {
        url: config.database.url.trim().to_owned(),
        max_connections: config.database.max_connections,
        connect_timeout: Duration::from_secs(config.database.connect_timeout),
    };
    DieselStore::connect(&settings)
        .await
        .with_context(|| format!("database.url: cannot open the {} database", scheme(&settings.url)))
}

pub fn mailer(config: &Config) -> anyhow::Result<LettreMailer> {
    let m = &config.mail;
    let transport = match m.transport {
        MailTransport::Log => Transport::Log,
        MailTransport::Smtp => Transport::Smtp {
            host: m.smtp.host.clone().unwrap_or_default(),
            port: m.smtp.port,
            username: m.smtp.username.clone(),
            password: m.smtp.password.clone(),
            tls: m.smtp.tls,
            timeout: Duration::from_secs(m.smtp.timeout),
        },
        MailTransport::File => Transport::File {
            dir: m.outbox_dir.clone(),
        },
    };
    LettreMailer::new(MailSettings {
        from: m.from.clone(),
        transport,
    })
    .map_err(|e| anyhow::anyhow!("configuration: {e}"))
}

/// The email domain check: DNS through hickory, or none (`email.check_domain = false`).
pub fn domain_check(config: &Config) -> anyhow::Result<Arc<dyn DomainCheck>> {
    if !config.email.check_domain {
        return Ok(Arc::new(NoDomainCheck));
    }
    let servers: Vec<_> = config.email.dns_servers.iter().filter_map(|s| s.parse().ok()).collect();
    let system = servers.is_empty();
    match HickoryDomainCheck::new(servers, Duration::from_secs(config.email.dns_timeout)) {
        Ok(check) => Ok(Arc::new(check)),
        // No readable system resolver configuration (a bare container, say):
        // the check fails open, as it does when DNS cannot be reached.
        Err(e) if system => {
            tracing::warn!(error = %e, "email domains are not checked: set email.dns_servers to check them");
            Ok(Arc::new(NoDomainCheck))
        }
        Err(e) => Err(anyhow::anyhow!("configuration: {e}")),
    }
}

/// Store, mailer and service, from configuration.
pub async fn service(config: &Config) -> anyhow::Result<Service> {
    let store = store(config).await?;
    let mailer = mailer(config)?;
    let secret_key = crate::secret::server_secret(config)?;
    let settings = Settings {
        previous_secret_keys: crate::secret::previous_secrets(config)?,
        ..service_settings(config, secret_key)
    };
    Ok(Registrar::new(store, mailer, settings)
        .with_domain_check(domain_check(config)?)
        .with_webhook_transport(webhook_transport(config)?))
}
