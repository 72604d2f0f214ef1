//! The message catalogue: every human-readable text of the API, per language,
//! from `locales/<lang>.toml`. Handlers name a key; the catalogue speaks.

use std::collections::HashMap;
use std::future::{ready, Ready};
use std::sync::OnceLock;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use registrar_domain::{Language, PasswordError};
use registrar_service::FieldError;

const SOURCES: [(Language, &str); 5] = [
    (Language::En, include_str!("../../locales/en.toml")),
    (Language::Nl, include_str!("../../locales/nl.toml")),
    (Language::Fr, include_str!("../../locales/fr.toml")),
    (Language::De, include_str!("../../locales/de.toml")),
    (Language::Es, include_str!("../../locales/es.toml")),
];

type Table = HashMap<String, String>;

fn flatten(prefix: &str, value: &toml::Value, out: &mut Table) {
    match value {
        toml::Value::Table(t) => {
            for (k, v) in t {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        toml::Value::String(s) => {
            out.insert(prefix.to_owned(), s.clone());
        }
        _ => {}
    }
}

fn catalogue() -> &'static HashMap<Language, Table> {
    static CATALOGUE: OnceLock<HashMap<Language, Table>> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        SOURCES
            .iter()
            .map(|(lang, src)| {
                let mut table = Table::new();
                // The files are ours and tested; a broken one shows as English fallbacks.
                if let Ok(value) = src.parse::<toml::Value>() {
                    flatten("", &value, &mut table);
                }
                (*lang, table)
            })
            .collect()
    })
}

/// The text for `key` in `lang` (English if that language lacks it, the key
/// itself if nobody has it), with `{name}` placeholders filled in.
pub fn text(lang: Language, key: &str, args: &[(&str, &str)]) -> String {
    let all = catalogue();
    let template = all
        .get(&lang)
        .and_then(|t| t.get(key))
        .or_else(|| all.get(&Language::En).and_then(|t| t.get(key)))
        .map(String::as_str)
        .unwrap_or(key);
    let mut out = template.to_owned();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// Every key of the English catalogue (for completeness tests).
pub fn keys() -> Vec<String> {
    catalogue()
        .get(&Language::En)
        .map(|t| t.keys().cloned().collect())
        .unwrap_or_default()
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
            .map_or(Language::En, |d| d.0);
        let chosen = req
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Language::from_accept_language);
        Lang(chosen.unwrap_or(fallback))
    }

    /// The language the request asked for, if it asked for a supported one.
    pub fn requested(req: &HttpRequest) -> Option<Language> {
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Language::from_accept_language)
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

/// The language a body asks for (`language`), else the one the request asked for.
pub fn chosen_language(body: Option<&str>, requested: Option<Language>) -> Option<Language> {
    body.and_then(Language::from_code).or(requested)
}

/// One field problem in words.
pub fn field_message(lang: Lang, error: &FieldError) -> String {
    match error {
        FieldError::Required => lang.t("field.required"),
        FieldError::TooLong { max } => lang.t_with("field.too_long", &[("max", &max.to_string())]),
        FieldError::ControlCharacters => lang.t("field.control_characters"),
        FieldError::InvalidEmail => lang.t("field.invalid_email"),
        FieldError::EmailTaken => lang.t("field.email_taken"),
        FieldError::Password(PasswordError::Missing) => lang.t("field.required"),
        FieldError::Password(PasswordError::TooShort { min }) => {
            lang.t_with("field.password_too_short", &[("min", &min.to_string())])
        }
        FieldError::Password(PasswordError::TooLong { max }) => {
            lang.t_with("field.password_too_long", &[("max", &max.to_string())])
        }
        FieldError::Password(PasswordError::TooCommon) => lang.t("field.password_too_common"),
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_key_and_the_same_placeholders() {
        let en = &catalogue()[&Language::En];
        assert!(en.len() > 20, "English catalogue parsed: {}", en.len());
        for lang in Language::ALL {
            let table = &catalogue()[&lang];
            for (key, english) in en {
                let Some(translated) = table.get(key) else {
                    panic!("{lang}: missing {key}")
                };
                for placeholder in ["{max}", "{min}", "{id}", "{type}", "{attribute}", "{field}"] {
                    assert_eq!(
                        english.contains(placeholder),
                        translated.contains(placeholder),
                        "{lang} {key}"
                    );
                }
            }
            assert_eq!(table.len(), en.len(), "{lang} has keys English lacks");
        }
    }

    #[test]
    fn fills_placeholders_and_falls_back() {
        assert_eq!(
            text(Language::En, "field.too_long", &[("max", "191")]),
            "This field may not be longer than 191 characters."
        );
        assert_eq!(
            text(Language::Nl, "field.email_taken", &[]),
            "Dit e-mailadres is al geregistreerd."
        );
        assert_eq!(text(Language::De, "no.such.key", &[]), "no.such.key");
    }
}
