use std::process::ExitCode;

use clap::Parser;
use registrar::cli::{run, Cli};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line: the reason and its causes.
            let chain: Vec<String> = e.chain().map(ToString::to_string).collect();
            eprintln!("registrar: {}", chain.join(": "));
            ExitCode::FAILURE
        }
    }
}
