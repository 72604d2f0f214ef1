//! Fluent catalogues: one `.ftl` file per language under `locales/<code>/`,
//! the format translators' tools know. An adapter with texts embeds its
//! `locales/` folder at compile time (its build script includes
//! `crates/i18n/embed_locales.rs`, which lists the files) and may instead
//! load one from a directory at run time ([`Catalogue::from_dir`]): the
//! languages on offer are the folders found, so a new language is new files
//! and no code.
//!
//! Placeables are not wrapped in Unicode isolation marks: the texts go into
//! JSON, mail headers and HTML exactly as written.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentError, FluentResource};
use registrar_domain::Language;

/// Why a catalogue could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error("{0}: not a language code (two or three letters)")]
    NotALanguage(String),
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("the catalogue has no English ({0}): English is every text's fallback")]
    NoEnglish(String),
}

struct Entry {
    bundle: FluentBundle<FluentResource>,
    ids: BTreeSet<String>,
}

/// Every language's messages from files of one name (`registrar.ftl`,
/// `mail.ftl`).
pub struct Catalogue {
    entries: BTreeMap<Language, Entry>,
}

impl std::fmt::Debug for Catalogue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalogue")
            .field("languages", &self.languages())
            .finish()
    }
}

impl Catalogue {
    /// From `(language code, file name, Fluent source)` triples; a
    /// language may have several files. English must be among them.
    pub fn from_sources<'a>(
        sources: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
    ) -> Result<Self, CatalogueError> {
        let mut entries: BTreeMap<Language, Entry> = BTreeMap::new();
        let mut names = Vec::new();
        for (code, name, source) in sources {
            let path = format!("{code}/{name}");
            let language = Language::from_code(code).ok_or_else(|| CatalogueError::NotALanguage(path.clone()))?;
            let invalid = |message: String| CatalogueError::Invalid {
                path: path.clone(),
                message,
            };
            let resource =
                FluentResource::try_new(source.to_owned()).map_err(|(_, errors)| invalid(format!("{errors:?}")))?;
            let entry = entries.entry(language).or_insert_with(|| Entry {
                bundle: new_bundle(language),
                ids: BTreeSet::new(),
            });
            for message in resource.entries().filter_map(|e| match e {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
                _ => None,
            }) {
                entry.ids.insert(message);
            }
            entry
                .bundle
                .add_resource(resource)
                .map_err(|errors| invalid(format!("{errors:?}")))?;
            names.push(path);
        }
        if !entries.contains_key(&Language::EN) {
            return Err(CatalogueError::NoEnglish(names.join(", ")));
        }
        Ok(Self { entries })
    }

    /// From `dir/<code>/<file>` for every `<code>` folder that has that file.
    pub fn from_dir(dir: &Path, file: &str) -> Result<Self, CatalogueError> {
        let io = |path: &Path| {
            let path = path.display().to_string();
            move |source| CatalogueError::Io { path, source }
        };
        let mut sources = Vec::new();
        for folder in std::fs::read_dir(dir).map_err(io(dir))? {
            let folder = folder.map_err(io(dir))?.path();
            let path = folder.join(file);
            if !path.is_file() {
                continue;
            }
            let code = folder
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            let source = std::fs::read_to_string(&path).map_err(io(&path))?;
            sources.push((code, source));
        }
        Self::from_sources(
            sources
                .iter()
                .map(|(code, source)| (code.as_str(), file, source.as_str())),
        )
    }

    /// The languages that have a file, built-in ones first.
    pub fn languages(&self) -> Vec<Language> {
        self.entries.keys().copied().collect()
    }

    /// The ids of `language`'s messages.
    pub fn ids(&self, language: Language) -> Vec<String> {
        self.entries
            .get(&language)
            .map(|e| e.ids.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// The message `id` in `language`, else in English, with `{ $name }`
    /// placeables filled from `args` (a missing one stays `{name}`).
    /// `None` if neither has it.
    pub fn text(&self, language: Language, id: &str, args: &[(&str, &str)]) -> Option<String> {
        self.exact(language, id, args)
            .or_else(|| self.exact(Language::EN, id, args))
    }

    /// The message `id` in `language` only.
    pub fn exact(&self, language: Language, id: &str, args: &[(&str, &str)]) -> Option<String> {
        let bundle = &self.entries.get(&language)?.bundle;
        let pattern = bundle.get_message(id)?.value()?;
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, *value);
        }
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
        let mut text = text.into_owned();
        for error in errors {
            // Fluent writes a missing variable as `{$name}`.
            if let FluentError::ResolverError(fluent_bundle::resolver::ResolverError::Reference(
                fluent_bundle::resolver::errors::ReferenceKind::Variable { id },
            )) = error
            {
                text = text.replace(&format!("{{${id}}}"), &format!("{{{id}}}"));
            }
        }
        Some(text)
    }
}

fn new_bundle(language: Language) -> FluentBundle<FluentResource> {
    let id = language.code().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    bundle.set_use_isolating(false);
    bundle
}

/// Test support for the adapters with texts.
#[cfg(feature = "testing")]
pub mod testing {
    use std::path::Path;

    /// Copies the folder `from` (a `locales/` folder, say) with everything
    /// in it to `to`, making `to` and its folders as needed.
    pub fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(to)?;
        for entry in std::fs::read_dir(from)? {
            let path = entry?.path();
            let Some(name) = path.file_name() else { continue };
            let target = to.join(name);
            if path.is_dir() {
                copy_dir(&path, &target)?;
            } else {
                std::fs::copy(&path, &target)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)] // test code
mod tests {
    use super::*;

    #[test]
    fn fills_placeables_without_isolation_marks_and_falls_back_to_english() {
        let catalogue = Catalogue::from_sources([
            ("en", "t.ftl", "hello = Hello { $name }!\nonly-english = English\n"),
            ("nl", "t.ftl", "hello = Hallo { $name }!\n"),
        ])
        .expect("loads");
        let nl = Language::NL;
        assert_eq!(
            catalogue.text(nl, "hello", &[("name", "Jo")]).as_deref(),
            Some("Hallo Jo!")
        );
        assert_eq!(catalogue.text(nl, "hello", &[]).as_deref(), Some("Hallo {name}!"));
        assert_eq!(catalogue.text(nl, "only-english", &[]).as_deref(), Some("English"));
        assert_eq!(catalogue.exact(nl, "only-english", &[]), None);
        assert_eq!(catalogue.text(nl, "nobody", &[]), None);
        assert_eq!(catalogue.languages(), [Language::EN, Language::NL]);
    }

    #[test]
    fn loads_a_directory_at_run_time_and_needs_english() {
        let dir = tempfile::tempdir().expect("tempdir");
        for (code, text) in [("en", "a = A"), ("xx", "a = Ξ")] {
            std::fs::create_dir(dir.path().join(code)).expect("mkdir");
            std::fs::write(dir.path().join(code).join("t.ftl"), text).expect("write");
        }
        let catalogue = Catalogue::from_dir(dir.path(), "t.ftl").expect("loads");
        let xx = Language::from_code("xx").expect("code");
        assert_eq!(catalogue.text(xx, "a", &[]).as_deref(), Some("Ξ"));
        assert!(Catalogue::from_sources([("nl", "t.ftl", "a = A")]).is_err());
        assert!(Catalogue::from_sources([("en", "t.ftl", "a = { broken")]).is_err());
    }
}
