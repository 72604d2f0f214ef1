//! The message catalogue: every human-readable text of the API and the pages,
//! per language, in Fluent (`locales/<lang>/registrar.ftl`). Handlers name a
//! key (`error.invalid_token`, the Fluent id `error-invalid_token`: dots
//! become hyphens); the catalogue speaks. The catalogue is embedded at
//! compile time; [`install`] puts another (a folder read at run time) in its
//! place before the first request. The languages it has are the languages on
//! offer: `Accept-Language` and a body's `language` pick only among them.

use std::future::{ready, Ready};
use std::path::Path;
use std::sync::OnceLock;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use registrar_domain::{Language, PasswordError};
use registrar_i18n::{Catalogue, CatalogueError};
use registrar_service::FieldError;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/locales.rs"));
}

/// The catalogue and, once, the languages it has.
struct Active {
    catalogue: Catalogue,
    languages: Vec<Language>,
}

static ACTIVE: OnceLock<Result<Active, String>> = OnceLock::new();

fn active(catalogue: Catalogue) -> Active {
    let languages = catalogue.languages();
    Active { catalogue, languages }
}

fn state() -> &'static Result<Active, String> {
    ACTIVE.get_or_init(|| {
        Catalogue::from_sources(embedded::LOCALES.iter().copied())
            .map(active)
            .map_err(|e| e.to_string())
    })
}

fn current() -> Option<&'static Active> {
    state().as_ref().ok()
}

/// Serves texts from `catalogue` instead of the embedded one. Only before
/// the first text is looked up: `false` if a catalogue is already in use.
pub fn install(catalogue: Catalogue) -> bool {
    ACTIVE.set(Ok(active(catalogue))).is_ok()
}

/// The catalogue in `dir/<lang>/registrar.ftl`, read now.
pub fn catalogue_from_dir(dir: &Path) -> Result<Catalogue, CatalogueError> {
    Catalogue::from_dir(dir, "registrar.ftl")
}

/// The languages on offer; an error if the catalogue does not load (the
/// app checks this at start-up).
pub fn languages() -> Result<Vec<Language>, String> {
    state().as_ref().map(|a| a.languages.clone()).map_err(Clone::clone)
}

fn offered() -> &'static [Language] {
    current().map_or(&[], |a| a.languages.as_slice())
}

/// The text for `key` in `lang` (English if that language lacks it, the key
/// itself if nobody has it), with `{ $name }` placeables filled in.
pub fn text(lang: Language, key: &str, args: &[(&str, &str)]) -> String {
    current()
        .and_then(|a| a.catalogue.text(lang, &key.replace('.', "-"), args))
        .unwrap_or_else(|| key.to_owned())
}

/// Every key of the English catalogue (for completeness tests and the pages).
pub fn keys() -> Vec<String> {
    current()
        .map(|a| a.catalogue.ids(Language::EN))
        .unwrap_or_default()
        .into_iter()
        .map(|id| id.replace('-', "."))
        .collect()
}

/// The language configured as default (`i18n.default_language`).
#[derive(Debug, Clone, Copy)]
pub struct DefaultLanguage(pub Language);

/// The request's language, from `Accept-Language`, else the configured default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lang(pub Language);

impl Lang {
    pub fn of(req: &HttpRequest) -> Self {
        let fallback = req
            .app_data::<web::Data<DefaultLanguage>>()
            .map_or(Language::EN, |d| d.0);
        let chosen = req
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|h| Language::from_accept_language(h, offered()));
        Lang(chosen.unwrap_or(fallback))
    }

    /// The language the request asked for, if it asked for a supported one.
    pub fn requested(req: &HttpRequest) -> Option<Language> {
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|h| Language::from_accept_language(h, offered()))
    }

    /// The first language of an OpenID Connect `ui_locales` (space-separated
    /// tags, best first) that is on offer, else [`Lang::of`].
    pub fn of_ui_locales(req: &HttpRequest, ui_locales: Option<&str>) -> Self {
        ui_locales
            .into_iter()
            .flat_map(|list| list.split(' '))
            .find_map(|tag| Language::offered(tag.split('-').next().unwrap_or_default(), offered()))
            .map_or_else(|| Lang::of(req), Lang)
    }

    pub fn t(self, key: &str) -> String {
        text(self.0, key, &[])
    }

    pub fn t_with(self, key: &str, args: &[(&str, &str)]) -> String {
        text(self.0, key, args)
    }
}

impl FromRequest for Lang {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Lang::of(req)))
    }
}

/// The language a body asks for (`language`) if it is on offer, else the one
/// the request asked for.
pub fn chosen_language(body: Option<&str>, requested: Option<Language>) -> Option<Language> {
    body.and_then(|code| Language::offered(code, offered())).or(requested)
}

/// One field problem in words.
pub fn field_message(lang: Lang, error: &FieldError) -> String {
    match error {
        FieldError::Required => lang.t("field.required"),
        FieldError::TooLong { max } => lang.t_with("field.too_long", &[("max", &max.to_string())]),
        FieldError::ControlCharacters => lang.t("field.control_characters"),
        FieldError::InvalidEmail => lang.t("field.invalid_email"),
        FieldError::EmailTaken => lang.t("field.email_taken"),
        FieldError::EmailUnchanged => lang.t("field.email_unchanged"),
        FieldError::Password(PasswordError::Missing) => lang.t("field.required"),
        FieldError::Password(PasswordError::TooShort { min }) => {
            lang.t_with("field.password_too_short", &[("min", &min.to_string())])
        }
        FieldError::Password(PasswordError::TooLong { max }) => {
            lang.t_with("field.password_too_long", &[("max", &max.to_string())])
        }
        FieldError::Password(PasswordError::TooCommon) => lang.t("field.password_too_common"),
        FieldError::Password(PasswordError::Breached) => lang.t("field.password_breached"),
        FieldError::Password(PasswordError::EqualsEmail) => lang.t("field.password_equals_email"),
        FieldError::PasswordUnchanged => lang.t("field.password_unchanged"),
        FieldError::PasswordIncorrect => lang.t("field.password_incorrect"),
        FieldError::InvalidTelephone => lang.t("field.invalid_telephone"),
        FieldError::InvalidPolicyId => lang.t("field.invalid_policy_id"),
        FieldError::UnknownPolicy(id) => lang.t_with("field.unknown_policy", &[("id", &id.to_string())]),
        FieldError::PolicyRequired(t) => lang.t_with("field.policy_required", &[("type", t.as_str())]),
        FieldError::NotAList => lang.t("field.not_a_list"),
        FieldError::TooManyItems { max } => lang.t_with("field.too_many_items", &[("max", &max.to_string())]),
        FieldError::InvalidLanguage => lang.t("field.invalid_language"),
        FieldError::NotAnInteger => lang.t("field.not_an_integer"),
        FieldError::InvalidPostalCode => lang.t("field.invalid_postal_code"),
        FieldError::InvalidInvite => lang.t("field.invalid_invite"),
        FieldError::YearOfBirth(_) => lang.t("field.invalid_year_of_birth"),
        FieldError::InvalidSector => lang.t("field.invalid_sector"),
        FieldError::InvalidUserType => lang.t("field.invalid_usertype"),
        FieldError::WrongCode => lang.t("field.wrong_code"),
        FieldError::OneFactor => lang.t("field.one_factor"),
        FieldError::InvalidCredential => lang.t("field.invalid_credential"),
        FieldError::UnknownCeremony => lang.t("field.unknown_ceremony"),
        FieldError::CredentialRefused => lang.t("field.credential_refused"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_key_and_the_same_placeholders() {
        let catalogue = &current().expect("the embedded catalogue loads").catalogue;
        let en = keys();
        assert!(en.len() > 20, "English catalogue parsed: {}", en.len());
        assert_eq!(languages().expect("loads"), Language::BUILT_IN);
        for lang in Language::BUILT_IN {
            let ids = catalogue.ids(lang);
            assert_eq!(ids.len(), en.len(), "{lang} has keys English lacks, or lacks some");
            for key in &en {
                let id = key.replace('.', "-");
                let Some(translated) = catalogue.exact(lang, &id, &[]) else {
                    panic!("{lang}: missing {key}")
                };
                let english = text(Language::EN, key, &[]);
                for placeholder in ["{max}", "{min}", "{id}", "{type}", "{attribute}", "{field}"] {
                    assert_eq!(
                        english.contains(placeholder),
                        translated.contains(placeholder),
                        "{lang} {key}"
                    );
                }
            }
        }
    }

    #[test]
    fn fills_placeholders_and_falls_back() {
        assert_eq!(
            text(Language::EN, "field.too_long", &[("max", "191")]),
            "This field may not be longer than 191 characters."
        );
        assert_eq!(
            text(Language::NL, "field.email_taken", &[]),
            "Dit e-mailadres is al geregistreerd."
        );
        assert_eq!(text(Language::DE, "no.such.key", &[]), "no.such.key");
    }
}
