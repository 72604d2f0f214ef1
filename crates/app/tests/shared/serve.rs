//! `registrar serve` as a child process, for the app's test crates that run
//! the binary (`cli`, `production` and `secrets`), each of which includes
//! this file as a module.

use std::path::Path;
use std::process::{Command, Stdio};

/// `registrar serve` in `dir` on a free port, without `DATABASE_URL` from
/// the environment, logging JSON to a piped stderr, where it says the
/// address it listens on (see [`listening_address`]).
pub fn serve(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_registrar"));
    command
        .arg("serve")
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env("REGISTRAR__HTTP__PORT", "0")
        .env("REGISTRAR__LOG__FORMAT", "json")
        .stderr(Stdio::piped());
    command
}

/// The address `registrar serve` says it listens on, if this text of its
/// log says it.
pub fn listening_address(log: &str) -> Option<String> {
    let rest = log.split("\"address\":\"").nth(1)?;
    Some(rest.split('"').next().unwrap_or_default().to_owned())
}
