//! Moving accounts in (`registrar user import FILE`): a file of JSON lines,
//! one account a line. Each line is parsed on its own, purely, into an
//! [`ImportedAccount`] or every one of its errors (`line 3: email: not a
//! valid email address`); an address twice in the file or already taken is
//! refused by line too. One refused line refuses the whole file: nothing is
//! imported. Otherwise every account goes in with ONE store call, one
//! transaction ([`registrar_store::UserStore::import_users`]), each with its
//! `user.registered` event (actor `cli`, `source=import`).
//!
//! Password hashes are kept as they come, in any scheme Registrar verifies
//! ([`crate::stored_hash`]), and replaced by argon2id at the first sign-in.
//! An account without one sets its password through forgot-password.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Display;

use chrono::{DateTime, Utc};
use registrar_domain::{
    Actor, AuditKind, Email, Language, PasswordHash, PersonName, Profile, RevisionId, Role, Telephone, TextError,
};
use registrar_mail::Mailer;
use registrar_store::{ImportedUser, NewUser, Store, StoreError};
use serde_json::{Map, Value};

use crate::account::revision_list;
use crate::stored_hash::Scheme;
use crate::{Registrar, ServiceError};

/// What the parse of a line needs to know of the server.
#[derive(Debug, Clone)]
pub struct ImportContext<'a> {
    /// The languages on offer (`language` must be one).
    pub languages: &'a [Language],
    /// An account's language when its line names none.
    pub default_language: Language,
    /// The published policy revisions (`accepted_policies` must name them).
    pub revisions: &'a BTreeSet<RevisionId>,
    /// The import's instant: `created_at` when none is given, and no
    /// `created_at` may be later.
    pub now: DateTime<Utc>,
}

/// One line of an import file, parsed: an account to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedAccount {
    /// Its line in the file, from 1.
    pub line: usize,
    pub email: Email,
    /// As it came, in a scheme [`Scheme::of`] knows; `None`: the user sets a
    /// password through forgot-password.
    pub password_hash: Option<PasswordHash>,
    /// Confirmed already: the account's address counts as confirmed at the
    /// import's instant.
    pub email_confirmed: bool,
    pub profile: Profile,
    pub language: Language,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    /// Without duplicates, in the line's order.
    pub accepted_policies: Vec<RevisionId>,
}

/// The fields a line may have; any other is refused (a misspelt
/// `pasword_hash` would import an account without its password).
pub const IMPORT_FIELDS: [&str; 10] = [
    "email",
    "password_hash",
    "email_confirmed",
    "firstname",
    "lastname",
    "telephone",
    "language",
    "role",
    "created_at",
    "accepted_policies",
];

/// Why an import did not happen. Nothing was imported either way.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The report: one `line N: field: reason` per error, in line order.
    #[error("the file was refused ({} errors); nothing was imported", .0.len())]
    Refused(Vec<String>),
    #[error(transparent)]
    Failed(#[from] ServiceError),
}

/// The errors of one line, each `line N: field: reason`.
struct LineErrors {
    line: usize,
    errors: Vec<String>,
}

impl LineErrors {
    fn add(&mut self, field: &str, why: impl Display) {
        self.errors.push(format!("line {}: {field}: {why}", self.line));
    }
}

/// Parses line `line` (from 1) of an import file: the account, or every
/// error of the line.
pub fn parse_import_line(line: usize, text: &str, context: &ImportContext<'_>) -> Result<ImportedAccount, Vec<String>> {
    let fields: Map<String, Value> = match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(fields)) => fields,
        Ok(_) => return Err(vec![format!("line {line}: not a JSON object")]),
        Err(e) => return Err(vec![format!("line {line}: not JSON ({})", json_reason(&e))]),
    };
    let mut errors = LineErrors {
        line,
        errors: Vec::new(),
    };
    for name in fields.keys().filter(|name| !IMPORT_FIELDS.contains(&name.as_str())) {
        errors.add(
            &printable(name),
            format_args!("not a field of an import line ({})", IMPORT_FIELDS.join(", ")),
        );
    }
    let email = match text_field(&fields, "email", &mut errors) {
        Some(raw) => Email::parse(raw).map_err(|e| errors.add("email", e)).ok(),
        None => {
            // A value of another type is reported already.
            if matches!(fields.get("email"), None | Some(Value::Null)) {
                errors.add("email", "required");
            }
            None
        }
    };
    let password_hash = text_field(&fields, "password_hash", &mut errors).and_then(|raw| {
        if registrar_domain::text::has_control_characters(raw) {
            errors.add("password_hash", "holds control characters");
            return None;
        }
        Scheme::of(raw)
            .map(|_| PasswordHash(raw.to_owned()))
            .map_err(|why| errors.add("password_hash", why))
            .ok()
    });
    let email_confirmed = match fields.get("email_confirmed") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(confirmed)) => *confirmed,
        Some(_) => {
            errors.add("email_confirmed", "must be true or false");
            false
        }
    };
    let mut profile = Profile::person();
    profile.firstname = person_name(&fields, "firstname", &mut errors);
    profile.lastname = person_name(&fields, "lastname", &mut errors);
    profile.telephone = text_field(&fields, "telephone", &mut errors)
        .and_then(|raw| Telephone::parse(raw).map_err(|e| errors.add("telephone", e)).ok());
    let language = match text_field(&fields, "language", &mut errors) {
        Some(code) => Language::offered(code, context.languages).or_else(|| {
            let offered: Vec<&str> = context.languages.iter().map(Language::code).collect();
            errors.add(
                "language",
                format_args!("not a language this server offers ({})", offered.join(", ")),
            );
            None
        }),
        None => Some(context.default_language),
    };
    let role = match text_field(&fields, "role", &mut errors) {
        Some(raw) => Role::parse(raw).or_else(|| {
            errors.add("role", "not a role (1 to 32 of a-z, 0-9, _ and -)");
            None
        }),
        None => Some(Role::guest()),
    };
    let created_at = match text_field(&fields, "created_at", &mut errors) {
        Some(raw) => match DateTime::parse_from_rfc3339(raw) {
            Ok(at) if at.with_timezone(&Utc) > context.now => {
                errors.add("created_at", "in the future");
                None
            }
            Ok(at) => Some(at.with_timezone(&Utc)),
            Err(_) => {
                errors.add("created_at", "not an RFC 3339 time (2024-05-01T12:00:00Z)");
                None
            }
        },
        None => Some(context.now),
    };
    let accepted_policies = accepted_revisions(&fields, context.revisions, &mut errors);
    match (email, language, role, created_at) {
        (Some(email), Some(language), Some(role), Some(created_at)) if errors.errors.is_empty() => {
            Ok(ImportedAccount {
                line,
                email,
                password_hash,
                email_confirmed,
                profile,
                language,
                role,
                created_at,
                accepted_policies,
            })
        }
        _ => Err(errors.errors),
    }
}

/// Parses every line of an import file (blank lines are skipped) and
/// refuses an address a second time (`also on line N`): the accounts, and
/// the errors of the lines refused, in line order. A big file's lines are
/// parsed on every core ([`parse_lines`]); the duplicates are then found in
/// line order, so the answer is the same as one thread's.
pub fn parse_import_file(text: &str, context: &ImportContext<'_>) -> (Vec<ImportedAccount>, Vec<(usize, String)>) {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, line_text)| !line_text.trim().is_empty())
        .map(|(index, line_text)| (index + 1, line_text))
        .collect();
    let mut accounts = Vec::new();
    let mut errors = Vec::new();
    let mut first_line: HashMap<String, usize> = HashMap::new();
    for (line, parsed) in parse_lines(&lines, context) {
        match parsed {
            Ok(account) => match first_line.get(account.email.normalized()) {
                Some(first) => errors.push((line, format!("line {line}: email: also on line {first}"))),
                None => {
                    first_line.insert(account.email.normalized().to_owned(), line);
                    accounts.push(account);
                }
            },
            Err(refused) => errors.extend(refused.into_iter().map(|e| (line, e))),
        }
    }
    (accounts, errors)
}

/// Lines from which [`parse_lines`] uses more than one thread.
const PARALLEL_FROM: usize = 10_000;

/// Each line parsed ([`parse_import_line`]), in the order given: split into
/// one run of lines per core for a big file (a million lines took 17 s on
/// one core, while the database was idle), on this thread for a small one.
fn parse_lines(
    lines: &[(usize, &str)],
    context: &ImportContext<'_>,
) -> Vec<(usize, Result<ImportedAccount, Vec<String>>)> {
    let parse = |part: &[(usize, &str)]| -> Vec<(usize, Result<ImportedAccount, Vec<String>>)> {
        part.iter()
            .map(|&(line, line_text)| (line, parse_import_line(line, line_text, context)))
            .collect()
    };
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    if threads < 2 || lines.len() < PARALLEL_FROM {
        return parse(lines);
    }
    let run = lines.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let parts: Vec<_> = lines.chunks(run).map(|part| scope.spawn(move || parse(part))).collect();
        parts
            .into_iter()
            // A panic in a parser thread is a bug, not bad data: it goes on up.
            .flat_map(|part| part.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    })
}

/// A string field: `None` when absent or null; a value of another type is an error.
fn text_field<'v>(fields: &'v Map<String, Value>, name: &str, errors: &mut LineErrors) -> Option<&'v str> {
    match fields.get(name) {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(text),
        Some(_) => {
            errors.add(name, "must be a string");
            None
        }
    }
}

fn person_name(fields: &Map<String, Value>, name: &str, errors: &mut LineErrors) -> Option<String> {
    let raw = text_field(fields, name, errors)?;
    match PersonName::parse(raw) {
        Ok(parsed) => Some(parsed.into_string()),
        Err(TextError::Missing) => {
            errors.add(name, "empty");
            None
        }
        Err(e) => {
            errors.add(name, e);
            None
        }
    }
}

/// `accepted_policies`: published revision ids, duplicates dropped.
fn accepted_revisions(
    fields: &Map<String, Value>,
    published: &BTreeSet<RevisionId>,
    errors: &mut LineErrors,
) -> Vec<RevisionId> {
    let field = "accepted_policies";
    let items = match fields.get(field) {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Array(items)) => items,
        Some(_) => {
            errors.add(field, "must be a list of revision ids");
            return Vec::new();
        }
    };
    let mut accepted = Vec::new();
    for item in items {
        match item.as_i64().and_then(|id| i32::try_from(id).ok()).map(RevisionId) {
            Some(id) if !published.contains(&id) => errors.add(field, format_args!("no published revision {}", id.0)),
            Some(id) if !accepted.contains(&id) => accepted.push(id),
            Some(_) => {}
            None => errors.add(
                field,
                format_args!("{} is not a revision id", printable(&item.to_string())),
            ),
        }
    }
    accepted
}

/// serde_json's words without its position (which counts within the line,
/// always line 1): `expected value at column 5`.
fn json_reason(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let words = full.split(" at line ").next().unwrap_or(full.as_str());
    format!("{words} at column {}", e.column())
}

/// Text from the file as a report may show it: control characters escaped.
fn printable(text: &str) -> String {
    let shown: String = text.chars().take(64).collect();
    shown.escape_debug().to_string()
}

impl<S: Store, M: Mailer> Registrar<S, M> {
    /// `registrar user import`: checks every line of `text` ([`parse_import_file`])
    /// and that no address has an account yet, then imports every account in
    /// one transaction and refreshes the planner's statistics. Returns how
    /// many were imported; [`ImportError::Refused`] (nothing imported) with
    /// the report when any line is refused.
    pub async fn import_accounts(&self, text: &str) -> Result<u64, ImportError> {
        let revisions: BTreeSet<RevisionId> = self
            .store
            .policy_revisions()
            .await
            .map_err(ServiceError::from)?
            .into_iter()
            .map(|r| r.id)
            .collect();
        let now = self.now();
        let context = ImportContext {
            languages: &self.settings.languages,
            default_language: self.settings.default_language,
            revisions: &revisions,
            now,
        };
        let (accounts, mut errors) = parse_import_file(text, &context);
        let emails: Vec<Email> = accounts.iter().map(|a| a.email.clone()).collect();
        let taken = self.store.taken_emails(&emails).await.map_err(ServiceError::from)?;
        for account in accounts.iter().filter(|a| taken.contains(a.email.normalized())) {
            errors.push((
                account.line,
                format!("line {}: email: already has an account", account.line),
            ));
        }
        if !errors.is_empty() {
            errors.sort_by_key(|(line, _)| *line);
            return Err(ImportError::Refused(errors.into_iter().map(|(_, e)| e).collect()));
        }
        let mut users: Vec<ImportedUser> = accounts.into_iter().map(|a| self.imported_user(a, now)).collect();
        // In id order: the user-id indexes (the accounts', their events')
        // are then filled from left to right instead of at random pages,
        // which is what a million random ids cost most.
        users.sort_unstable_by(|a, b| a.user.id.as_str().cmp(b.user.id.as_str()));
        let imported = match self.store.import_users(users).await {
            Ok(imported) => imported,
            // Checked above; a registration got in between.
            Err(StoreError::DuplicateEmail) => {
                return Err(ImportError::Refused(vec![
                    "an address of the file got an account while the file was checked: run the import again".into(),
                ]))
            }
            Err(e) => return Err(ServiceError::from(e).into()),
        };
        self.store.refresh_statistics().await.map_err(ServiceError::from)?;
        tracing::info!(imported, "accounts imported");
        Ok(imported)
    }

    /// The account of a parsed line with its events: `user.registered`
    /// (and `policy.accepted` for its revisions), by the operator at the
    /// command line, `source=import` so that a webhook receiver can tell an
    /// import from a sign-up.
    fn imported_user(&self, account: ImportedAccount, now: DateTime<Utc>) -> ImportedUser {
        let id = Self::new_user_id();
        let mut audit = vec![self
            .event(AuditKind::Registered, Actor::Cli)
            .about(&id, &account.email)
            .with("source", "import")];
        if !account.accepted_policies.is_empty() {
            audit.push(
                self.event(AuditKind::PolicyAccepted, Actor::Cli)
                    .about(&id, &account.email)
                    .with("revisions", revision_list(&account.accepted_policies))
                    .with("source", "import"),
            );
        }
        ImportedUser {
            user: NewUser {
                id,
                email: account.email,
                password_hash: account.password_hash,
                profile: account.profile,
                role: account.role,
                language: account.language,
                email_confirmed_at: account.email_confirmed.then_some(now),
                consent: None,
                created_at: account.created_at,
            },
            session: None,
            accepted_policies: account.accepted_policies,
            audit,
            totp: None,
            mfa_token: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(revisions: &BTreeSet<RevisionId>) -> ImportContext<'_> {
        ImportContext {
            languages: &Language::BUILT_IN,
            default_language: Language::EN,
            revisions,
            now: DateTime::parse_from_rfc3339("2026-12-01T00:00:00Z")
                .expect("time")
                .with_timezone(&Utc),
        }
    }

    #[test]
    fn a_full_line_becomes_an_account() {
        let published = BTreeSet::from([RevisionId(1), RevisionId(2)]);
        let line = r#"{"email": " Ann@Example.com ", "password_hash": "$2y$07$BCryptRequires22Chrcte/VlQH0piJtjXl.0t1XkA8pw9dMXTpOq",
            "email_confirmed": true, "firstname": "Ann", "lastname": "Smith", "telephone": "+32 475 12 34 56",
            "language": "NL", "role": "editor", "created_at": "2020-02-03T04:05:06+01:00", "accepted_policies": [2, 1, 2]}"#
            .replace('\n', " ");
        let account = parse_import_line(7, &line, &context(&published)).expect("a good line");
        assert_eq!(account.line, 7);
        assert_eq!(account.email.as_str(), "Ann@Example.com");
        assert!(account.email_confirmed);
        assert_eq!(account.profile.firstname.as_deref(), Some("Ann"));
        assert_eq!(
            account.profile.telephone.as_ref().map(|t| t.as_str()),
            Some("+32475123456")
        );
        assert_eq!(account.language, Language::NL);
        assert_eq!(account.role.as_str(), "editor");
        assert_eq!(account.created_at.to_rfc3339(), "2020-02-03T03:05:06+00:00");
        assert_eq!(account.accepted_policies, [RevisionId(2), RevisionId(1)]);
    }

    #[test]
    fn an_address_alone_is_enough() {
        let none = BTreeSet::new();
        let account = parse_import_line(1, r#"{"email": "bob@example.com"}"#, &context(&none)).expect("good");
        assert_eq!(account.password_hash, None);
        assert!(!account.email_confirmed);
        assert_eq!((account.language, account.role.as_str()), (Language::EN, "guest"));
        assert_eq!(account.created_at, context(&none).now);
    }

    #[test]
    fn every_error_of_a_line_is_reported_with_its_line_and_field() {
        let published = BTreeSet::from([RevisionId(1)]);
        let line = r#"{"email": "not-an-address", "password_hash": "$1$md5$nope", "email_confirmed": "yes",
            "firstname": "Ann\u0007", "telephone": "12", "language": "xx", "role": "Super Admin!",
            "created_at": "yesterday", "accepted_policies": [1, 9, "x"], "pasword": "oops"}"#
            .replace('\n', " ");
        let errors = parse_import_line(3, &line, &context(&published)).expect_err("refused");
        let expected = [
            "line 3: pasword: not a field of an import line",
            "line 3: email: not a valid email address",
            "line 3: password_hash: not a hash format Registrar verifies",
            "line 3: email_confirmed: must be true or false",
            "line 3: firstname: holds control characters",
            "line 3: telephone: not a valid international telephone number",
            "line 3: language: not a language this server offers (en, nl, fr, de, es)",
            "line 3: role: not a role",
            "line 3: created_at: not an RFC 3339 time",
            "line 3: accepted_policies: no published revision 9",
            "line 3: accepted_policies: \\\"x\\\" is not a revision id",
        ];
        assert_eq!(errors.len(), expected.len(), "{errors:#?}");
        for (error, start) in errors.iter().zip(expected) {
            assert!(error.starts_with(start), "{error:?} starts with {start:?}");
        }
    }

    #[test]
    fn a_line_that_is_no_json_object_says_so() {
        let none = BTreeSet::new();
        let errors = parse_import_line(2, r#"{"email": "a@example.com""#, &context(&none)).expect_err("refused");
        assert_eq!(errors.len(), 1);
        assert!(errors[0].starts_with("line 2: not JSON ("), "{errors:?}");
        assert!(!errors[0].contains("line 1"), "{errors:?}");
        let errors = parse_import_line(4, r#"["a@example.com"]"#, &context(&none)).expect_err("refused");
        assert_eq!(errors, ["line 4: not a JSON object"]);
        let errors = parse_import_line(5, r#"{"email": null}"#, &context(&none)).expect_err("refused");
        assert_eq!(errors, ["line 5: email: required"]);
        let errors = parse_import_line(
            6,
            r#"{"email": "c@example.com", "created_at": "2999-01-01T00:00:00Z"}"#,
            &context(&none),
        )
        .expect_err("refused");
        assert_eq!(errors, ["line 6: created_at: in the future"]);
    }

    #[test]
    fn an_address_twice_in_a_file_is_refused_on_its_second_line_in_any_case() {
        let none = BTreeSet::new();
        let file = "{\"email\": \"a@example.com\"}\n\n{\"email\": \"b@example.com\"}\n{\"email\": \"A@EXAMPLE.com\"}\n";
        let (accounts, errors) = parse_import_file(file, &context(&none));
        assert_eq!(accounts.iter().map(|a| a.line).collect::<Vec<_>>(), [1, 3]);
        assert_eq!(errors, [(4, "line 4: email: also on line 1".to_owned())]);
    }

    #[test]
    fn a_big_file_parsed_on_several_threads_gives_what_one_thread_gives() {
        let none = BTreeSet::new();
        // Over PARALLEL_FROM lines: a bad line and a blank one in each
        // thread's run, and an address of the first run again in the last.
        let total = PARALLEL_FROM + 2_001;
        let mut file = String::new();
        for line in 1..=total {
            let text = match line {
                7 | 11_500 => "{\"email\": \"no address\"}".to_owned(),
                100 | 11_000 => String::new(),
                _ if line == total => "{\"email\": \"USER3@example.com\"}".to_owned(),
                _ => format!("{{\"email\": \"user{line}@example.com\"}}"),
            };
            file.push_str(&text);
            file.push('\n');
        }
        let (accounts, errors) = parse_import_file(&file, &context(&none));
        assert_eq!(accounts.len(), total - 5, "every good line but the duplicate");
        assert!(accounts.windows(2).all(|w| w[0].line < w[1].line), "in line order");
        assert_eq!(accounts[0].email.as_str(), "user1@example.com");
        assert_eq!(accounts.last().map(|a| a.line), Some(total - 1));
        let lines: Vec<usize> = errors.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, [7, 11_500, total]);
        assert!(errors[0].1.starts_with("line 7: email: "), "{errors:?}");
        assert_eq!(errors[2].1, format!("line {total}: email: also on line 3"));
    }
}
