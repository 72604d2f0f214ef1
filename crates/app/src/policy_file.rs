//! The policy file of `registrar policy publish FILE` (its format: README.md, Operations).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{anyhow, bail, Context};
use registrar_domain::{Language, PolicyText, PolicyType};
use registrar_store::NewPolicyRevision;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(rename = "type")]
    policy_type: String,
    version: String,
    translations: BTreeMap<String, Translation>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Translation {
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    button: String,
    html: Option<String>,
    /// Relative to the policy file's directory.
    html_file: Option<String>,
}

/// Reads and checks a policy file; `published_at` is the caller's `now`.
pub fn read(path: &Path, published_at: chrono::DateTime<chrono::Utc>) -> anyhow::Result<NewPolicyRevision> {
    let source = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let file: File = toml::from_str(&source).map_err(|e| anyhow!("{}: {}", path.display(), e.message()))?;
    let policy_type = PolicyType::parse(&file.policy_type).ok_or_else(|| {
        anyhow!(
            "{}: type {:?} is not a policy type (a-z, 0-9, _ and -)",
            path.display(),
            file.policy_type
        )
    })?;
    let version = file.version.trim().to_owned();
    if version.is_empty() || version.len() > 64 {
        bail!("{}: version must be 1 to 64 characters", path.display());
    }
    if file.translations.is_empty() {
        bail!("{}: at least one [translations.<lang>] is required", path.display());
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut texts = BTreeMap::new();
    for (code, t) in file.translations {
        let offered = crate::wiring::languages();
        let language = Language::offered(&code, &offered).ok_or_else(|| {
            let codes: Vec<&str> = offered.iter().map(Language::code).collect();
            anyhow!(
                "{}: translations.{code}: the language must be one of {}",
                path.display(),
                codes.join(", ")
            )
        })?;
        let html = match (t.html, t.html_file) {
            (Some(html), None) => html,
            (None, Some(file)) => std::fs::read_to_string(dir.join(&file))
                .with_context(|| format!("translations.{code}.html_file: cannot read {file}"))?,
            _ => bail!(
                "{}: translations.{code}: give exactly one of html and html_file",
                path.display()
            ),
        };
        if t.title.trim().is_empty() {
            bail!("{}: translations.{code}.title is required", path.display());
        }
        texts.insert(
            language,
            PolicyText {
                title: t.title.trim().to_owned(),
                description: t.description.trim().to_owned(),
                button: t.button.trim().to_owned(),
                html,
            },
        );
    }
    Ok(NewPolicyRevision {
        policy_type,
        version,
        published_at,
        texts,
    })
}
