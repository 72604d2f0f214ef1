//! A policy file: what `registrar policy publish FILE` reads and what
//! `POST /admin/policies` takes (its format: README.md, Operations), as
//! TOML or JSON. Parsing is pure; reading an `html_file` is the caller's
//! (the CLI reads it next to the file; the admin API refuses it).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use registrar_domain::{Language, PolicyText, PolicyType};
use registrar_store::NewPolicyRevision;
use serde::Deserialize;

/// The syntax of a policy file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyFormat {
    Toml,
    Json,
}

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

/// Parses and checks a policy file. `offered` are the languages a
/// translation may be in; `html_file` reads a translation's `html_file`
/// (its error is the reason, shown as is). `published_at` is the caller's
/// `now`. The error says what is wrong, in English.
pub fn parse(
    source: &str,
    format: PolicyFormat,
    offered: &[Language],
    html_file: impl Fn(&str) -> Result<String, String>,
    published_at: DateTime<Utc>,
) -> Result<NewPolicyRevision, String> {
    let file: File = match format {
        PolicyFormat::Toml => toml::from_str(source).map_err(|e| e.message().to_owned())?,
        PolicyFormat::Json => serde_json::from_str(source).map_err(|e| e.to_string())?,
    };
    if registrar_domain::text::has_control_characters(&file.policy_type)
        || registrar_domain::text::has_control_characters(&file.version)
    {
        return Err("type and version must not contain control characters".into());
    }
    let policy_type = PolicyType::parse(&file.policy_type)
        .ok_or_else(|| format!("type {:?} is not a policy type (a-z, 0-9, _ and -)", file.policy_type))?;
    let version = file.version.trim().to_owned();
    if version.is_empty() || version.len() > 64 {
        return Err("version must be 1 to 64 characters".into());
    }
    if file.translations.is_empty() {
        return Err("at least one [translations.<lang>] is required".into());
    }
    let mut texts = BTreeMap::new();
    for (code, t) in file.translations {
        let language = Language::offered(&code, offered).ok_or_else(|| {
            let codes: Vec<&str> = offered.iter().map(Language::code).collect();
            format!("translations.{code}: the language must be one of {}", codes.join(", "))
        })?;
        let html = match (t.html, t.html_file) {
            (Some(html), None) => html,
            (None, Some(file)) => html_file(&file).map_err(|e| format!("translations.{code}.html_file: {e}"))?,
            _ => return Err(format!("translations.{code}: give exactly one of html and html_file")),
        };
        if t.title.trim().is_empty() {
            return Err(format!("translations.{code}.title is required"));
        }
        for (field, text) in [
            ("title", &t.title),
            ("description", &t.description),
            ("button", &t.button),
        ] {
            if registrar_domain::text::has_control_characters(text) {
                return Err(format!(
                    "translations.{code}.{field} must not contain control characters"
                ));
            }
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
