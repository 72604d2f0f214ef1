//! The command line (operations.md): `registrar [--config FILE] <command>`.

use std::net::TcpListener;
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use registrar_domain::WEB_CLIENT_ID;

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
}

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Register an API client; prints its client_id.
    Add {
        #[arg(long)]
        name: String,
    },
    /// One client a line: id, name, created.
    List,
    /// Remove a client and revoke its sessions.
    Remove { id: String },
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
        Command::Policy(command) => policy(&config, command).await,
    }
}

async fn serve(config: &Config) -> anyhow::Result<()> {
    let address = format!("{}:{}", config.http.host, config.http.port);
    let listener =
        TcpListener::bind(&address).with_context(|| format!("http.host/http.port: cannot listen on {address}"))?;
    let bound = listener.local_addr()?;
    let server = crate::start(config, listener).await?;
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

async fn client(config: &Config, command: ClientCommand) -> anyhow::Result<()> {
    let service = service(config).await?;
    match command {
        ClientCommand::Add { name } => {
            if name.trim().is_empty() {
                bail!("--name must not be empty");
            }
            let client = service.add_client(&name).await.context("cannot add the client")?;
            println!("{}", client.id);
        }
        ClientCommand::List => {
            for c in service.clients().await.context("cannot list clients")? {
                println!("{}\t{}\t{}", c.id, c.name, registrar_http::timestamp(c.created_at));
            }
        }
        ClientCommand::Remove { id } => {
            if id == WEB_CLIENT_ID {
                bail!("the built-in client {WEB_CLIENT_ID} cannot be removed");
            }
            match service.remove_client(&id).await {
                Ok(()) => println!("removed {id}"),
                Err(registrar_service::ServiceError::NotFound) => bail!("no client {id}"),
                Err(e) => return Err(e).context("cannot remove the client"),
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
