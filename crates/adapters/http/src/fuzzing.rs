//! Entry points for the cargo-fuzz targets in `/fuzz` (feature `fuzzing`).
//!
//! [`json_body`] and [`form_body`] (targets `body_json`, `body_form`), and
//! [`decode_every_family`] for any content type, decode a body as
//! [`crate::edge::body::read`] does, read from it the request type of every
//! endpoint of every family — core, typed, users, signup and the pages'
//! forms — exactly as the handlers do, and run the service's pure step on
//! each (the same `parse` functions the handlers call; the checks that need
//! a store are not reached).
//!
//! Every `assert!` here is a property the code promises (see the doc
//! comments it cites); a failing one is a finding, not noise.

// A broken promise is a finding: here it panics, for the fuzzer to report.
#![allow(clippy::expect_used)]

use chrono::Datelike;
use registrar_domain::{Email, Language, Password, PasswordPolicy, PersonName, Profile, UkPostcode};
use registrar_service::parse::{self, Parsed, Rules};
use registrar_service::{
    CodeConfirmation, EmailCodeGrant, EmailCodeMail, Login, PasswordChange, PasswordReset, ProfileChange, Registration,
    Signup, SignupConsent, TypedRegistration, UsersRegistration, WebLogin,
};

use crate::dispatch::confirm_signup::SignupConfirmBody;
use crate::dispatch::register::RegisterBody;
use crate::edge::body::{decode_bytes, BodyError, Object};
use crate::families::core::requests::{
    AcceptPoliciesRequest, ChangePasswordRequest, ClientTokenRequest, EmailChangeCodeRequest, EmailChangeRequest,
    EmailCodeRequest, ForgotPasswordRequest, PasskeyAdditionRequest, PasswordConfirmationRequest, ResetPasswordRequest,
    TokenRequest, TotpCodeRequest, UpdateProfileRequest,
};
use crate::families::pages::{ResetPasswordForm, CSRF_FIELD};
use crate::families::signup::SignupRequest;
use crate::families::users::requests::{
    UsersLoginRequest, UsersRegisterRequest, UsersValidationRequest, UsersVerifyRequest,
};

/// Decodes `bytes` sent with `content_type` and, when that succeeds, builds
/// every family's request types from it and runs their pure steps.
/// `requested` stands for the request's `Accept-Language`.
pub fn decode_every_family(
    content_type: Option<&str>,
    bytes: &[u8],
    requested: Option<Language>,
) -> Result<(), BodyError> {
    let body = decode_bytes(content_type, bytes)?;
    every_family(&body, requested);
    Ok(())
}

/// The JSON side: `bytes` with every way of saying JSON, and with no content
/// type at all, must agree (`body::decode`: no content type accepts a JSON
/// object and nothing else); another type is refused unless the body is
/// empty. Then [`decode_every_family`].
pub fn json_body(bytes: &[u8], requested: Option<Language>) -> Result<(), BodyError> {
    let blank = bytes.iter().all(u8::is_ascii_whitespace);
    let json = decode_bytes(Some("application/json"), bytes);
    match &json {
        Ok(_) => {}
        Err(e) => assert_eq!(*e, BodyError::Malformed, "a JSON body fails only as malformed"),
    }
    for spelling in [
        "application/json; charset=utf-8",
        " Application/JSON ;charset=UTF-8",
        "application/problem+json",
    ] {
        assert_eq!(
            decode_bytes(Some(spelling), bytes).err(),
            json.as_ref().err().copied(),
            "{spelling:?} is JSON too"
        );
    }
    let none = decode_bytes(None, bytes);
    assert_eq!(
        none.is_ok(),
        json.is_ok(),
        "no content type: a JSON object, nothing else"
    );
    if let Err(e) = none {
        assert_eq!(e, BodyError::UnsupportedMediaType, "no content type and not JSON: 415");
    }
    let other = decode_bytes(Some("text/plain"), bytes);
    assert_eq!(other.is_ok(), blank, "another type: only an empty body passes");
    if let Ok(fields) = &json {
        every_family(fields, requested);
    }
    json.map(|_| ())
}

/// The form side: a form body always decodes (`form_urlencoded` takes any
/// bytes), whatever the parameters of its content type. Then the families.
pub fn form_body(bytes: &[u8], requested: Option<Language>) {
    let fields = decode_bytes(Some("application/x-www-form-urlencoded"), bytes);
    assert!(fields.is_ok(), "a form body always decodes: {fields:?}");
    let with_charset = decode_bytes(Some("application/x-www-form-urlencoded; charset=UTF-8"), bytes);
    assert!(with_charset.is_ok(), "a form body always decodes: {with_charset:?}");
    if let Ok(fields) = fields {
        every_family(&fields, requested);
    }
}

/// A request type read from the body: lenient fields never fail.
fn read<T: serde::de::DeserializeOwned>(body: &Object) -> T {
    body.clone()
        .parse()
        .expect("a request type of lenient fields reads any object")
}

fn every_family(body: &Object, requested: Option<Language>) {
    let policy = PasswordPolicy::default();
    let languages = crate::edge::language::languages().unwrap_or_default();
    let breached = registrar_service::BreachedList::default();
    let rules = Rules {
        password: &policy,
        breached: &breached,
        this_year: chrono::Utc::now().year(),
        languages: &languages,
    };
    core(body, requested, rules);
    users(body, requested, rules);
    signup(body, rules);
}

/// A parsed address is stored as written and read back by parsing it
/// again (diesel's rows): it must re-parse to itself.
fn address(email: &Email) {
    assert_eq!(
        Email::parse(email.as_str()).as_ref(),
        Ok(email),
        "an address re-parses to itself"
    );
}

/// A new password within the policy's length.
fn within(password: &Password, policy: &PasswordPolicy) {
    let n = password.expose().chars().count();
    assert!(
        (policy.min_length..=policy.max_length).contains(&n),
        "{n} characters passed"
    );
}

fn person(profile: &Profile) {
    for name in [&profile.firstname, &profile.insertion, &profile.lastname]
        .into_iter()
        .flatten()
    {
        assert!(name.chars().count() <= PersonName::MAX, "{name:?} is too long");
    }
    if let Some(t) = &profile.telephone {
        assert!(t.as_str().starts_with('+'), "{t:?} is not E.164");
    }
}

fn core(body: &Object, requested: Option<Language>, rules: Rules<'_>) {
    // POST /api/register: the core body, or the typed one when there is a `usertype`.
    match RegisterBody::of(body.clone()).expect("lenient") {
        RegisterBody::Core(request) => {
            assert!(!body.has("usertype"), "a body with usertype is typed");
            if let Parsed::Complete(r) = Registration::parse(request.into_input(requested), rules) {
                address(&r.email);
                within(&r.password, rules.password);
                person(&r.profile);
            }
        }
        RegisterBody::Typed(request) => {
            assert!(body.has("usertype"), "a body without usertype is core");
            if let Parsed::Complete(r) = TypedRegistration::parse(request.into_input(requested), rules) {
                address(&r.email);
                within(&r.password, rules.password);
                typed(&r.profile, rules.this_year);
            }
        }
    }

    // POST /api/token
    match TokenRequest::of(body.clone()) {
        Ok(TokenRequest::Password(grant)) => {
            assert_eq!(grant.grant_type.as_deref(), Some("password"));
            let _ = Login::parse(&grant.into());
        }
        Ok(TokenRequest::RefreshToken(grant)) => {
            assert_eq!(grant.grant_type.as_deref(), Some("refresh_token"));
        }
        Ok(TokenRequest::Mfa(grant)) => {
            assert_eq!(grant.grant_type.as_deref(), Some("mfa"));
            if let Ok(grant) = registrar_service::MfaGrant::parse(grant.into()) {
                assert!(!grant.mfa_token.is_empty(), "a parsed grant has its token");
            }
        }
        Ok(TokenRequest::Passkey(grant)) => {
            assert_eq!(grant.grant_type.as_deref(), Some("passkey"));
            if let Ok(grant) = registrar_service::PasskeyGrant::parse(grant.into()) {
                assert!(!grant.ceremony.is_empty(), "a parsed grant has its ceremony");
            }
        }
        Ok(TokenRequest::EmailCode(grant)) => {
            assert_eq!(grant.grant_type.as_deref(), Some("email_code"));
            if let Ok(grant) = EmailCodeGrant::parse(&grant.into()) {
                address(&grant.email);
                assert!(
                    grant.code.len() >= 6 && grant.code.bytes().all(|b| b.is_ascii_digit()),
                    "a parsed code is digits, at least six: {:?}",
                    grant.code
                );
            }
        }
        Ok(TokenRequest::AuthorizationCode(grant)) => {
            assert_eq!(grant.grant_type.as_deref(), Some("authorization_code"));
            if let Some(verifier) = &grant.code_verifier {
                // A verifier is checked against a challenge, never trusted.
                let _ = registrar_domain::CodeChallenge::of(verifier).verifies(verifier);
            }
        }
        Err(_) => {
            let grant: ChangePasswordRequest = read(body);
            assert!(
                !matches!(
                    grant.login.grant_type.as_deref(),
                    Some("password" | "refresh_token" | "mfa" | "passkey" | "email_code" | "authorization_code")
                ),
                "a known grant_type is accepted"
            );
        }
    }

    // POST /api/change-password
    if let Ok(request) = read::<ChangePasswordRequest>(body).checked() {
        if let Ok(change) = PasswordChange::parse(request.into(), rules) {
            within(&change.new_password, rules.password);
        }
    }

    // POST /api/email-code
    if let Ok(mail) = EmailCodeMail::parse(&read::<EmailCodeRequest>(body).into()) {
        address(&mail.email);
    }

    // POST /oauth/revoke: its fields go to the use case as they are.
    let _ = read::<ClientTokenRequest>(body);

    // POST /api/forgot-password, /api/reset-password
    if let Ok(email) = parse::address(&read::<ForgotPasswordRequest>(body).username) {
        address(&email);
    }
    let reset: ResetPasswordRequest = read(body);
    let _ = PasswordReset::parse(reset.token, reset.password);

    // PATCH /api/me
    if let Ok(change) = ProfileChange::parse(read::<UpdateProfileRequest>(body).into(), rules) {
        let mut profile = Profile::person();
        profile.firstname = change.firstname.clone();
        profile.lastname = change.lastname.clone();
        person(&profile);
        if let registrar_service::Patch::Set(t) = &change.telephone {
            assert!(t.as_str().starts_with('+'), "{t:?} is not E.164");
        }
    }

    // POST /api/me/factors/passkeys
    if let Ok(addition) = registrar_service::PasskeyAddition::parse(read::<PasskeyAdditionRequest>(body).into()) {
        assert!(!addition.ceremony.is_empty(), "a parsed addition has its ceremony");
    }

    // POST /api/me/email, POST /api/me/email/confirm
    let change: EmailChangeRequest = read(body);
    if let Ok(change) = registrar_service::EmailChangeRequest::parse(&change.new_email, &change.password) {
        address(&change.new_email);
    }
    let _ = registrar_service::EmailChangeCode::parse(&read::<EmailChangeCodeRequest>(body).code);

    // POST /api/me/factors/totp/confirm
    let _ = parse::present(registrar_service::Field::Code, read::<TotpCodeRequest>(body).code);

    // DELETE /api/me, DELETE /api/me/factors/totp, POST /api/me/factors/recovery-codes,
    // POST /api/policies/accept
    let _ = parse::present(
        registrar_service::Field::Password,
        read::<PasswordConfirmationRequest>(body).password,
    );
    let _: AcceptPoliciesRequest = read(body);
}

/// A typed profile: a year of birth in range, a sector letter A–T, a postcode that re-parses.
fn typed(profile: &Profile, this_year: i32) {
    if let Some(y) = profile.year_of_birth {
        assert!(this_year - 150 < y && y < this_year - 10, "{y} is out of range");
    }
    if let Some(organisation) = &profile.organisation {
        let letter = organisation.sector.chars().next().unwrap_or_default();
        assert!(organisation.sector.len() == 1 && letter.is_ascii_uppercase() && letter <= 'T');
    }
    if let Some(p) = &profile.postal_code {
        assert!(UkPostcode::parse(p).is_some(), "{p:?} does not re-parse");
    }
}

fn users(body: &Object, requested: Option<Language>, rules: Rules<'_>) {
    let request: UsersRegisterRequest = read(body);
    if let Parsed::Complete(r) = UsersRegistration::parse(request.into_input(requested), rules) {
        address(&r.email);
        assert!(r.email.as_str().chars().count() <= 191, "the users API's limit");
        within(&r.password, rules.password);
        person(&r.profile);
    }
    let login: UsersLoginRequest = read(body);
    let _ = WebLogin::parse(login.username, login.password);
    let validation: UsersValidationRequest = read(body);
    if let Ok(c) = CodeConfirmation::parse(&validation.email, &validation.token) {
        address(&c.email);
        assert!(
            c.code.len() >= 6 && c.code.bytes().all(|b| b.is_ascii_digit()),
            "{:?}",
            c.code
        );
    }
    let _ = parse::address(&read::<UsersVerifyRequest>(body).email);
}

fn signup(body: &Object, rules: Rules<'_>) {
    let request: SignupRequest = read(body);
    if let Parsed::Complete(s) = Signup::parse(request.email, request.language, request.token, rules) {
        address(&s.email);
        assert!(rules.languages.contains(&s.language), "a language on offer");
    }
    match SignupConfirmBody::of(body.clone(), false).expect("lenient") {
        SignupConfirmBody::Page(form) => {
            assert!(body.has(CSRF_FIELD), "a body without the CSRF field is the API's");
            consent(SignupConsent::parse(form.consent, form.password));
        }
        SignupConfirmBody::Api(request) => {
            assert!(!body.has(CSRF_FIELD), "a body with the CSRF field is the page's");
            consent(SignupConsent::parse(request.consent, request.password));
        }
    }
    let _: ResetPasswordForm = read(body);
}

/// `complete_signup`'s consent: an integer ≥ 1.
fn consent(given: Result<SignupConsent, registrar_service::ServiceError>) {
    if let Ok(given) = given {
        assert!(given.consent >= 1);
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use registrar_domain::Language;

    /// The fuzz targets' seeds, through the same entry points: every
    /// promise above holds for them (and the targets build).
    #[test]
    fn the_seed_corpus_keeps_every_promise() {
        let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../fuzz/seeds");
        let mut seen = 0;
        for (target, form) in [("body_json", false), ("body_form", true)] {
            for entry in std::fs::read_dir(seeds.join(target)).expect("the seed folder") {
                let bytes = std::fs::read(entry.expect("a seed").path()).expect("a readable seed");
                for requested in [None, Some(Language::NL)] {
                    if form {
                        super::form_body(&bytes, requested);
                    } else {
                        let _ = super::json_body(&bytes, requested);
                    }
                }
                seen += 1;
            }
        }
        assert!(seen >= 10, "only {seen} seeds");
    }
}
