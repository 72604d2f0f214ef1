//! The command line (documented in README.md, Operations): `registrar [--config FILE] <command>`.

use std::net::TcpListener;
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use registrar_domain::{RedirectUri, WEB_CLIENT_ID};
use registrar_service::{NewClient, SeedExtras, ServiceError};

use crate::config::{self, Config};
use crate::{policy_file, telemetry, wiring};

#[derive(Debug, Parser)]
#[command(name = "registrar", version, about = "A self-hosted account service")]
pub struct Cli {
    /// A TOML configuration file (also REGISTRAR_CONFIG).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run pending migrations (unless database.auto_migrate = false) and serve HTTP until SIGTERM.
    Serve,
    /// Run pending migrations and exit.
    Migrate,
    /// API clients.
    #[command(subcommand)]
    Client(ClientCommand),
    /// Policy revisions.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Signup tokens (typed registration; every family when registration.invite_only).
    #[command(subcommand)]
    Invite(InviteCommand),
    /// Account administration.
    #[command(subcommand)]
    User(UserCommand),
    /// The keys that sign ID tokens (published at /oauth/jwks).
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Webhook endpoints.
    #[command(subcommand)]
    Webhook(WebhookCommand),
    /// The audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Admin API keys (the bearer tokens of `/admin/…`).
    #[command(subcommand)]
    AdminKey(AdminKeyCommand),
    /// Password rules kept in the database.
    #[command(subcommand)]
    Passwords(PasswordsCommand),
    /// Insert synthetic accounts for benchmarks and load tests: users
    /// `seed-<i>@bench.example`, confirmed, all with one password, each with
    /// a session on CLIENT whose tokens are the hex SHA-256 of
    /// `seed-access-<i>` / `seed-refresh-<i>` (bench/README.md). Prints the count.
    Seed {
        /// Each user also gets a confirmed authenticator app (TOTP secret:
        /// the first 20 bytes of the SHA-256 of `seed-totp-<i>`) and a sign-in
        /// waiting for its code, live for 5 minutes (`mfa_token`: the hex
        /// SHA-256 of `seed-mfa-<i>`).
        #[arg(long)]
        totp: bool,
        /// How many users.
        #[arg(long)]
        users: u64,
        /// The first index (to add to an earlier seeding).
        #[arg(long, default_value_t = 0)]
        from: u64,
        /// The API client their sessions belong to.
        #[arg(long)]
        client: String,
        /// Their password.
        #[arg(long, default_value = "Bench-Password-1")]
        password: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Register an endpoint; prints its id, then its secret (`whsec_…`,
    /// shown this once) on the second line.
    Add {
        /// https (http too when webhooks.allow_private).
        #[arg(long)]
        url: String,
        /// Comma-separated event names (user.registered,user.deleted,…); all when left out.
        #[arg(long, default_value = "")]
        events: String,
    },
    /// One endpoint a line: id, url, events (`*` for all), enabled|disabled, created, failing since (`-`).
    List,
    /// Stop delivering to an endpoint (its deliveries wait).
    Disable { id: String },
    /// Deliver to an endpoint again (forgets its failures).
    Enable { id: String },
    /// Delete an endpoint and its pending deliveries.
    Delete { id: String },
    /// Give an endpoint a new secret; prints it (shown this once).
    RotateSecret { id: String },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Print events as JSON lines, oldest first: the last `--last` ones, or
    /// those since `--since`; with `--follow`, then new ones as they come.
    Tail {
        /// How many of the latest events.
        #[arg(long, default_value_t = 20)]
        last: usize,
        /// Events from this time on (RFC 3339), instead of `--last`.
        #[arg(long)]
        since: Option<chrono::DateTime<chrono::Utc>>,
        /// Keep polling for new events.
        #[arg(long)]
        follow: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum InviteCommand {
    /// Create a signup token; prints it.
    Create {
        /// What the token is for (kept for reference).
        #[arg(long)]
        name: Option<String>,
        /// How many registrations it pays for.
        #[arg(long, default_value_t = 1)]
        uses: u32,
    },
    /// Every invite, tab-separated: id, name (or -), uses left, created (never the token).
    List,
    /// Revoke an invite by its id (as listed).
    Revoke { id: String },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Show an account: one `key<TAB>value` a line.
    Show { email: String },
    /// Disable an account and revoke its sessions.
    Disable { email: String },
    /// Enable a disabled account.
    Enable { email: String },
    /// Erase an account and everything tied to it.
    Delete { email: String },
    /// Give an account a role (`guest` by default).
    Role { email: String, role: String },
    /// Show an account's second factors: `totp` (on, pending or off),
    /// `passkeys` (how many) and `recovery_codes_left`, one `key<TAB>value` a line.
    Factors { email: String },
    /// Remove every second factor of an account (authenticator app and
    /// recovery codes) and end its sign-ins waiting for one; the user is
    /// mailed that two-step verification was turned off.
    FactorsReset { email: String },
    /// Move accounts in from a file of JSON lines, one account a line:
    /// `{"email", "password_hash"?, "email_confirmed"?, "firstname"?,
    /// "lastname"?, "telephone"?, "language"?, "role"?, "created_at"?,
    /// "accepted_policies"?: [revision ids]}`. Every line is checked first:
    /// if any is refused, the report (`line N: field: reason`) goes to
    /// stderr, the exit is non-zero and nothing is imported. Otherwise all
    /// go in in one transaction; prints the count.
    Import {
        /// The JSON-lines file.
        file: PathBuf,
    },
}

impl UserCommand {
    /// The address the command is about (none for an import).
    fn address(&self) -> Option<&str> {
        match self {
            UserCommand::Show { email }
            | UserCommand::Disable { email }
            | UserCommand::Enable { email }
            | UserCommand::Delete { email }
            | UserCommand::Role { email, .. }
            | UserCommand::Factors { email }
            | UserCommand::FactorsReset { email } => Some(email),
            UserCommand::Import { .. } => None,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Register an API client; prints its client_id, and for a
    /// confidential client its secret on the second line (shown this once).
    Add {
        #[arg(long)]
        name: String,
        /// A server that keeps a secret (client_secret_basic or client_secret_post); public otherwise.
        #[arg(long)]
        confidential: bool,
        /// Where an authorization may send the user back (repeatable): https, http on 127.0.0.1 or [::1]
        /// only, or a native app's scheme (com.example.app:/cb); no fragment.
        #[arg(long = "redirect-uri", value_parser = redirect_uri)]
        redirect_uris: Vec<RedirectUri>,
        /// Where a logout may send the user back (repeatable), under the same rules.
        #[arg(long = "post-logout-redirect-uri", value_parser = redirect_uri)]
        post_logout_redirect_uris: Vec<RedirectUri>,
        /// First-party: no consent page.
        #[arg(long)]
        trusted: bool,
    },
    /// Give a confidential client a new secret; prints it. The old one stops working.
    SecretRotate { id: String },
    /// One client a line: id, name, created, kind, trusted|untrusted, redirect URIs, post-logout
    /// redirect URIs (each list space-separated, `-` for none).
    List,
    /// Remove a client and revoke its sessions.
    Remove { id: String },
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Make a new current signing key; prints its kid. The old keys stay
    /// published until every token they signed has expired.
    Rotate,
    /// One key a line, newest first: kid, alg, created, `current` or
    /// `retired <since>`.
    List,
}

#[derive(Debug, Subcommand)]
pub enum AdminKeyCommand {
    /// Create a key; prints it, alone on stdout, this once (only its keyed hash is kept).
    Create {
        /// Its name: the actor of what it does in the audit trail (`admin:<name>`), never reused.
        #[arg(long)]
        name: String,
        /// Comma-separated: users:read, users:write, sessions:write, clients:write,
        /// policies:write, invites:write, audit:read, webhooks:write.
        #[arg(long)]
        scopes: String,
    },
    /// One key a line: name, scopes, created, last used (or `never`), `live` or `revoked <when>`.
    List,
    /// Revoke the live key of that name: it stops working at once.
    Revoke { name: String },
}

#[derive(Debug, Subcommand)]
pub enum PasswordsCommand {
    /// Build the breached-password filter from a Have I Been Pwned "Pwned
    /// Passwords" SHA-1 file (`HASH:COUNT` lines; `-` reads stdin) and store
    /// it in place of the last one; every instance uses it within
    /// password.breached_recheck seconds. Prints the entries kept and the
    /// filter's size.
    ImportBreached {
        file: PathBuf,
        /// Keep only the hashes seen at least this many times.
        #[arg(long, default_value_t = 1)]
        min_count: u64,
    },
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Publish a revision from a TOML file; prints its revision_id.
    Publish { file: PathBuf },
    /// One revision a line: id, type, version, published, current, languages.
    List,
}

/// Runs one command; what it prints goes to stdout, logs to stderr.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = config::load(cli.config.as_deref())?;
    telemetry::init(&config.log);
    match cli.command {
        Command::Serve => serve(&config).await,
        Command::Migrate => {
            let store = wiring::store(&config).await?;
            let applied = store.migrate().await.context("database migrations failed")?;
            if applied.is_empty() {
                tracing::info!("the database is up to date");
            }
            for name in applied {
                println!("{name}");
            }
            Ok(())
        }
        Command::Client(command) => client(&config, command).await,
        Command::Seed {
            totp,
            users,
            from,
            client,
            password,
        } => {
            let inserted = service(&config)
                .await?
                .seed_users_with(from, users, &client, &password, SeedExtras { totp })
                .await
                .context("cannot seed the users")?;
            println!("{inserted}");
            Ok(())
        }
        Command::Policy(command) => policy(&config, command).await,
        Command::Invite(InviteCommand::Create { name, uses }) => {
            if uses == 0 {
                bail!("--uses must be at least 1");
            }
            let token = service(&config)
                .await?
                .create_invite(name, uses)
                .await
                .context("cannot create the invite")?;
            println!("{}", token.expose());
            Ok(())
        }
        Command::Invite(InviteCommand::List) => {
            for invite in service(&config)
                .await?
                .invites()
                .await
                .context("cannot list the invites")?
            {
                println!(
                    "{}\t{}\t{}\t{}",
                    invite.id,
                    invite.name.as_deref().unwrap_or("-"),
                    invite.uses_left,
                    registrar_http::timestamp(invite.created_at)
                );
            }
            Ok(())
        }
        Command::Invite(InviteCommand::Revoke { id }) => {
            match service(&config)
                .await?
                .revoke_invite_as(&registrar_domain::Actor::Cli, &id)
                .await
            {
                Ok(()) => {
                    println!("revoked {id}");
                    Ok(())
                }
                Err(ServiceError::NotFound) => bail!("no invite {id}"),
                Err(e) => Err(e).context("cannot revoke the invite"),
            }
        }
        Command::User(command) => user(&config, command).await,
        Command::Keys(command) => keys(&config, command).await,
        Command::Webhook(command) => webhook(&config, command).await,
        Command::Audit(AuditCommand::Tail { last, since, follow }) => audit_tail(&config, last, since, follow).await,
        Command::AdminKey(command) => admin_key(&config, command).await,
        Command::Passwords(PasswordsCommand::ImportBreached { file, min_count }) => {
            import_breached(&config, &file, min_count).await
        }
    }
}

async fn import_breached(config: &Config, file: &std::path::Path, min_count: u64) -> anyhow::Result<()> {
    use registrar_service::BreachedImportError;
    use std::io::{BufRead, BufReader};
    // A large buffer: the file may be tens of gigabytes.
    let reader: Box<dyn BufRead + Send> = if file == std::path::Path::new("-") {
        Box::new(BufReader::with_capacity(1 << 20, std::io::stdin()))
    } else {
        let opened = std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
        Box::new(BufReader::with_capacity(1 << 20, opened))
    };
    let service = service(config).await?;
    let started = std::time::Instant::now();
    let import = match service
        .import_breached(&registrar_domain::Actor::Cli, reader, min_count)
        .await
    {
        Ok(import) => import,
        Err(BreachedImportError::Read(e)) => bail!("{}: {e}", file.display()),
        Err(e) => return Err(anyhow::Error::new(e).context("cannot import the breached passwords")),
    };
    let bits = if import.entries == 0 {
        0.0
    } else {
        (import.bytes as f64 * 8.0) / import.entries as f64
    };
    println!(
        "kept {} entries ({} lines read, {} below --min-count {min_count})",
        import.entries, import.lines, import.below_min_count
    );
    println!(
        "filter: {} bytes ({bits:.1} bits per entry), built and stored in {:.1} s",
        import.bytes,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn webhook(config: &Config, command: WebhookCommand) -> anyhow::Result<()> {
    use registrar_domain::Actor;
    use registrar_service::WebhookError;
    let service = service(config).await?;
    let actor = Actor::Cli;
    let done = |result: Result<(), WebhookError>, id: &str| match result {
        Ok(()) => Ok(()),
        Err(WebhookError::NotFound) => bail!("no webhook endpoint {id}"),
        Err(e) => Err(anyhow::Error::new(e).context("cannot change the webhook endpoint")),
    };
    match command {
        WebhookCommand::Add { url, events } => {
            let (id, secret) = match service.add_webhook(&actor, &url, &events).await {
                Ok(added) => added,
                Err(WebhookError::Invalid(why)) => bail!("{why}"),
                Err(e) => return Err(anyhow::Error::new(e).context("cannot add the webhook endpoint")),
            };
            println!("{id}");
            println!("{secret}");
            Ok(())
        }
        WebhookCommand::List => {
            for endpoint in service
                .list_webhooks()
                .await
                .context("cannot list the webhook endpoints")?
            {
                let events = if endpoint.events.is_empty() {
                    "*".to_owned()
                } else {
                    endpoint.events
                };
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    endpoint.id,
                    endpoint.url,
                    events,
                    if endpoint.enabled { "enabled" } else { "disabled" },
                    endpoint.created_at.to_rfc3339(),
                    endpoint
                        .failing_since
                        .map_or_else(|| "-".to_owned(), |at| at.to_rfc3339()),
                );
            }
            Ok(())
        }
        WebhookCommand::Disable { id } => done(service.set_webhook_enabled(&actor, &id, false).await, &id),
        WebhookCommand::Enable { id } => done(service.set_webhook_enabled(&actor, &id, true).await, &id),
        WebhookCommand::Delete { id } => done(service.delete_webhook(&actor, &id).await, &id),
        WebhookCommand::RotateSecret { id } => match service.rotate_webhook_secret(&actor, &id).await {
            Ok(secret) => {
                println!("{secret}");
                Ok(())
            }
            Err(e) => done(Err(e), &id),
        },
    }
}

/// One event as a JSON line.
fn event_json(record: &registrar_domain::AuditRecord) -> String {
    let e = &record.event;
    serde_json::json!({
        "seq": record.seq,
        "id": e.id,
        "type": e.kind.name(),
        "at": e.at.to_rfc3339(),
        "actor": e.actor.as_stored(),
        "user_id": e.user.as_ref().map(|u| u.0.clone()),
        "email": e.email.as_ref().map(|m| m.as_str().to_owned()),
        "client_id": e.client.as_ref().map(|c| c.as_str().to_owned()),
        "device_id": e.device_id,
        "device_name": e.device_name,
        "request_id": e.request_id,
        "ip": e.ip,
        "data": e.data,
    })
    .to_string()
}

async fn audit_tail(
    config: &Config,
    last: usize,
    since: Option<chrono::DateTime<chrono::Utc>>,
    follow: bool,
) -> anyhow::Result<()> {
    use registrar_store::{AuditCursor, AuditFilter, AuditStore};
    use std::io::Write as _;
    let service = service(config).await?;
    let store = service.store();
    let read = "cannot read the audit trail";
    let mut after = 0_i64;
    let filter = AuditFilter {
        from: since,
        ..AuditFilter::default()
    };
    if since.is_none() {
        let mut latest = store
            .audit_events(&filter, AuditCursor::Before(None), last)
            .await
            .context(read)?;
        latest.reverse();
        for record in &latest {
            println!("{}", event_json(record));
            after = record.seq;
        }
        if latest.is_empty() {
            // Nothing yet: follow from the start.
            after = 0;
        }
    }
    loop {
        loop {
            let page = store
                .audit_events(&filter, AuditCursor::After(after), 500)
                .await
                .context(read)?;
            for record in &page {
                println!("{}", event_json(record));
                after = record.seq;
            }
            if page.len() < 500 {
                break;
            }
        }
        std::io::stdout().flush().ok();
        if !follow {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}

async fn admin_key(config: &Config, command: AdminKeyCommand) -> anyhow::Result<()> {
    let actor = registrar_domain::Actor::Cli;
    match command {
        AdminKeyCommand::Create { name, scopes } => {
            let scopes = registrar_domain::AdminScopes::parse(&scopes).map_err(|e| anyhow::anyhow!("--scopes: {e}"))?;
            let service = service(config).await?;
            let (_, key) = service
                .create_admin_key(&actor, &name, scopes)
                .await
                .map_err(|e| anyhow::anyhow!("cannot create the admin key: {}", cli_reason(&e)))?;
            println!("{}", key.expose());
        }
        AdminKeyCommand::List => {
            let service = service(config).await?;
            for key in service.admin_keys().await.context("cannot list the admin keys")? {
                let used = key
                    .last_used_at
                    .map_or_else(|| "never".to_owned(), registrar_http::timestamp);
                let state = key.revoked_at.map_or_else(
                    || "live".to_owned(),
                    |at| format!("revoked {}", registrar_http::timestamp(at)),
                );
                println!(
                    "{}\t{}\t{}\t{used}\t{state}",
                    key.name,
                    key.scopes,
                    registrar_http::timestamp(key.created_at)
                );
            }
        }
        AdminKeyCommand::Revoke { name } => {
            let service = service(config).await?;
            match service.revoke_admin_key(&actor, &name).await {
                Ok(()) => println!("revoked {name}"),
                Err(ServiceError::NotFound) => bail!("no live admin key named {name}"),
                Err(e) => return Err(e).context("cannot revoke the admin key"),
            }
        }
    }
    Ok(())
}

/// What an operator reads of a refusal: the service's own words for a
/// refused input (an `Unexpected` carrying a message), else its kind.
fn cli_reason(e: &ServiceError) -> String {
    match e {
        ServiceError::Unexpected(inner) => inner.to_string(),
        other => other.to_string(),
    }
}

async fn user(config: &Config, command: UserCommand) -> anyhow::Result<()> {
    let service = service(config).await?;
    let no_such = |email: &str| anyhow::anyhow!("no account with the address {email}");
    let result = match &command {
        UserCommand::Show { email } => match service.user_show(email).await {
            Ok((user, sessions)) => {
                let p = &user.profile;
                let lines = [
                    ("id", user.id.to_string()),
                    ("email", user.email.to_string()),
                    ("role", user.role.as_str().to_owned()),
                    ("usertype", p.usertype.as_str().to_owned()),
                    ("name", p.display_name().unwrap_or_default()),
                    ("language", user.language.code().to_owned()),
                    ("email_confirmed", user.email_confirmed().to_string()),
                    ("disabled", user.disabled.to_string()),
                    ("created_at", registrar_http::timestamp(user.created_at)),
                    ("sessions", sessions.len().to_string()),
                ];
                for (key, value) in lines {
                    println!("{key}\t{value}");
                }
                Ok(())
            }
            Err(e) => Err(e),
        },
        UserCommand::Disable { email } => service
            .user_set_disabled(email, true)
            .await
            .map(|()| println!("disabled {email}")),
        UserCommand::Enable { email } => service
            .user_set_disabled(email, false)
            .await
            .map(|()| println!("enabled {email}")),
        UserCommand::Delete { email } => service.user_delete(email).await.map(|()| println!("deleted {email}")),
        UserCommand::Role { email, role } => service
            .user_set_role(email, role)
            .await
            .map(|role| println!("{email}\t{}", role.as_str())),
        UserCommand::Factors { email } => service.user_factors(email).await.map(|factors| {
            println!("totp\t{}", factors.totp.as_str());
            println!("passkeys\t{}", factors.passkeys);
            println!("recovery_codes_left\t{}", factors.recovery_codes_left);
        }),
        UserCommand::Import { file } => return import(&service, file).await,
        UserCommand::FactorsReset { email } => service.user_factors_reset(email).await.map(|removed| {
            if removed {
                println!("removed the second factors of {email}; the user is mailed");
            } else {
                println!("{email} has no second factor");
            }
        }),
    };
    match result {
        Ok(()) => Ok(()),
        Err(registrar_service::ServiceError::NotFound) => Err(no_such(command.address().unwrap_or_default())),
        Err(e) => Err(e).context("the account could not be changed"),
    }
}

/// `registrar user import FILE`: prints the count, or the report of the
/// refused lines on stderr with a non-zero exit (nothing imported).
async fn import(service: &wiring::Service, file: &std::path::Path) -> anyhow::Result<()> {
    use registrar_service::ImportError;
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    match service.import_accounts(&text).await {
        Ok(imported) => {
            println!("{imported}");
            Ok(())
        }
        Err(ImportError::Refused(report)) => {
            for line in &report {
                eprintln!("{line}");
            }
            bail!(
                "{} refused ({} errors above); nothing was imported",
                file.display(),
                report.len()
            )
        }
        Err(ImportError::Failed(e)) => Err(e).context("the import failed; nothing was imported"),
    }
}

async fn serve(config: &Config) -> anyhow::Result<()> {
    let address = format!("{}:{}", config.http.host, config.http.port);
    let listener =
        TcpListener::bind(&address).with_context(|| format!("http.host/http.port: cannot listen on {address}"))?;
    let bound = listener.local_addr()?;
    let server = crate::start(config, listener).await?;
    if matches!(config.relying_party(), Ok(None)) {
        tracing::warn!(
            "passkeys are off: http.public_url is on an IP address, which is no WebAuthn relying party id; \
             set webauthn.rp_id (and webauthn.origins) to turn them on"
        );
    }
    // Logged once migrated and accepting: supervisors and tests wait for this line.
    tracing::info!(address = %bound, database = config::scheme(&config.database.url), "serving");
    server.await.context("the HTTP server failed")?;
    tracing::info!("stopped");
    Ok(())
}

/// Commands other than `serve` and `migrate` bring the schema up to date first
/// (unless told not to), so that a fresh install works in any order.
async fn service(config: &Config) -> anyhow::Result<wiring::Service> {
    let service = wiring::service(config).await?;
    if config.database.auto_migrate {
        service.store().migrate().await.context("database migrations failed")?;
    }
    Ok(service)
}

fn redirect_uri(arg: &str) -> Result<RedirectUri, String> {
    RedirectUri::parse(arg).map_err(|e| e.to_string())
}

/// URIs space-separated (a URI holds no space), `-` for none.
fn uri_list(uris: &[RedirectUri]) -> String {
    if uris.is_empty() {
        return "-".to_owned();
    }
    uris.iter().map(RedirectUri::as_str).collect::<Vec<_>>().join(" ")
}

async fn client(config: &Config, command: ClientCommand) -> anyhow::Result<()> {
    let service = service(config).await?;
    match command {
        ClientCommand::Add {
            name,
            confidential,
            redirect_uris,
            post_logout_redirect_uris,
            trusted,
        } => {
            if name.trim().is_empty() {
                bail!("--name must not be empty");
            }
            let new = NewClient {
                name,
                confidential,
                redirect_uris,
                post_logout_redirect_uris,
                trusted,
            };
            let (client, secret) = service.register_client(new).await.context("cannot add the client")?;
            println!("{}", client.id);
            if let Some(secret) = secret {
                println!("{}", secret.expose());
            }
        }
        ClientCommand::SecretRotate { id } => match service.rotate_client_secret(&id).await {
            Ok(secret) => println!("{}", secret.expose()),
            Err(ServiceError::NotFound) => bail!("no client {id}"),
            Err(ServiceError::InvalidClient) => bail!("client {id} is public: it has no secret"),
            Err(e) => return Err(e).context("cannot rotate the secret"),
        },
        ClientCommand::List => {
            for c in service.clients().await.context("cannot list clients")? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    c.id,
                    c.name,
                    registrar_http::timestamp(c.created_at),
                    c.kind.as_str(),
                    if c.trusted { "trusted" } else { "untrusted" },
                    uri_list(&c.redirect_uris),
                    uri_list(&c.post_logout_redirect_uris),
                );
            }
        }
        ClientCommand::Remove { id } => {
            if id == WEB_CLIENT_ID {
                bail!("the built-in client {WEB_CLIENT_ID} cannot be removed");
            }
            match service.remove_client(&id).await {
                Ok(()) => println!("removed {id}"),
                Err(ServiceError::NotFound) => bail!("no client {id}"),
                Err(e) => return Err(e).context("cannot remove the client"),
            }
        }
    }
    Ok(())
}

async fn keys(config: &Config, command: KeysCommand) -> anyhow::Result<()> {
    let service = service(config).await?;
    match command {
        KeysCommand::Rotate => {
            let key = service
                .rotate_signing_key()
                .await
                .context("cannot rotate the signing key")?;
            println!("{}", key.kid);
        }
        KeysCommand::List => {
            for key in service.signing_keys().await.context("cannot list the signing keys")? {
                let state = match key.retired_at {
                    None => "current".to_owned(),
                    Some(since) => format!("retired {}", registrar_http::timestamp(since)),
                };
                println!(
                    "{}\t{}\t{}\t{state}",
                    key.kid,
                    key.alg.as_str(),
                    registrar_http::timestamp(key.created_at),
                );
            }
        }
    }
    Ok(())
}

async fn policy(config: &Config, command: PolicyCommand) -> anyhow::Result<()> {
    let service = service(config).await?;
    match command {
        PolicyCommand::Publish { file } => {
            let revision = policy_file::read(&file, chrono::Utc::now())?;
            let published = service
                .publish_policy(revision)
                .await
                .context("cannot publish the policy")?;
            println!("{}", published.id.0);
        }
        PolicyCommand::List => {
            let all = service.policy_revisions().await.context("cannot list policies")?;
            let current: Vec<_> = registrar_domain::policy::current_revisions(&all)
                .iter()
                .map(|r| r.id)
                .collect();
            for r in &all {
                let languages: Vec<&str> = r.texts.keys().map(|l| l.code()).collect();
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    r.id.0,
                    r.policy_type,
                    r.version,
                    registrar_http::timestamp(r.published_at),
                    if current.contains(&r.id) {
                        "current"
                    } else {
                        "superseded"
                    },
                    languages.join(",")
                );
            }
        }
    }
    Ok(())
}
