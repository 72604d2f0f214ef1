//! The policy file of `registrar policy publish FILE` (its format: README.md,
//! Operations), parsed by [`registrar_service::policy_file`]: TOML, or JSON
//! for a `.json` file; an `html_file` is read relative to the file.

use std::path::Path;

use anyhow::{anyhow, Context};
use registrar_service::policy_file::{parse, PolicyFormat};
use registrar_store::NewPolicyRevision;

/// Reads and checks a policy file; `published_at` is the caller's `now`.
pub fn read(path: &Path, published_at: chrono::DateTime<chrono::Utc>) -> anyhow::Result<NewPolicyRevision> {
    let source = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let format = match path.extension().and_then(|e| e.to_str()) {
        Some(ext) if ext.eq_ignore_ascii_case("json") => PolicyFormat::Json,
        _ => PolicyFormat::Toml,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let read_html = |file: &str| std::fs::read_to_string(dir.join(file)).map_err(|_| format!("cannot read {file}"));
    parse(&source, format, &crate::wiring::languages(), read_html, published_at)
        .map_err(|e| anyhow!("{}: {e}", path.display()))
}
