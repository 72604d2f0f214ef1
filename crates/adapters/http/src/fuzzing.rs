//! Entry points for the cargo-fuzz targets in `/fuzz` (feature `fuzzing`).
//!
//! [`json_body`] and [`form_body`] (targets `body_json`, `body_form`), and
//! [`decode_every_family`] for any content type, decode a body as
//! [`crate::edge::body::read`] does, then build from the same [`Fields`] the request
//! type of every endpoint of every family — core, typed, users, signup and the
//! pages' forms — and turn each into the service's input the way its handler
//! does. The service's own checks of those inputs need a store (and are
//! private to `registrar-service`), so `Checks` runs the same domain parsers
//! on the same fields instead.
//!
//! Every `assert!` here is a property the code promises (see the doc
//! comments it cites); a failing one is a finding, not noise.

use registrar_domain::birth::{sector, year_of_birth};
use registrar_domain::{
    ClientId, ConfirmationCode, DeviceId, DeviceName, Email, Language, PasswordPolicy, PersonName, PostalCode,
    Telephone, TinNr, UkPostcode,
};
use registrar_service::{ChangePasswordInput, LoginInput, Patch, ProfilePatch};

use crate::dispatch::confirm_signup::SignupConfirmBody;
use crate::dispatch::register::RegisterBody;
use crate::edge::body::{decode_bytes, BodyError, Fields};
use crate::families::core::requests::{
    AcceptPoliciesRequest, ChangePasswordRequest, DeleteAccountRequest, ForgotPasswordRequest, RegisterRequest,
    ResetPasswordRequest, TokenRequest, UpdateProfileRequest,
};
use crate::families::pages::{ResetPasswordForm, SignupConfirmForm, CSRF_FIELD};
use crate::families::signup::{SignupConfirmRequest, SignupRequest};
use crate::families::typed::TypedRegisterRequest;
use crate::families::users::requests::{
    UsersLoginRequest, UsersRegisterRequest, UsersValidationRequest, UsersVerifyRequest,
};

/// The year typed registration's `year_of_birth` is checked against here
/// (the service reads its clock).
const THIS_YEAR: i32 = 2026;

/// Every body field any family reads.
const KEYS: &[&str] = &[
    "client_id",
    "device_name",
    "device_id",
    "username",
    "password",
    "new_password",
    "password_confirmation",
    "firstname",
    "insertion",
    "lastname",
    "first_name",
    "last_name",
    "telephone",
    "policies",
    "tin_nr",
    "token",
    "language",
    "grant_type",
    "refresh_token",
    "usertype",
    "email",
    "postcode",
    "postal_code",
    "display_name",
    "full_name",
    "year_of_birth",
    "name",
    "street_name",
    "town",
    "sector",
    "consent",
    CSRF_FIELD,
];

/// Decodes `bytes` sent with `content_type` and, when that succeeds, builds
/// every family's request types and service inputs from the fields.
/// `requested` stands for the request's `Accept-Language`.
pub fn decode_every_family(
    content_type: Option<&str>,
    bytes: &[u8],
    requested: Option<Language>,
) -> Result<(), BodyError> {
    let fields = decode_bytes(content_type, bytes)?;
    every_family(&fields, requested);
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

fn every_family(f: &Fields, requested: Option<Language>) {
    fields_are_trimmed(f);
    core(f, requested);
    typed(f, requested);
    users(f, requested);
    signup(f);
}

/// `Fields::string`: "a trimmed, non-empty scalar"; `patch`: absent → keep;
/// `int_list`: `None` when missing.
fn fields_are_trimmed(f: &Fields) {
    for key in KEYS {
        if let Some(s) = f.string(key) {
            assert!(!s.is_empty() && s.trim() == s, "{key}: {s:?} is not trimmed");
        }
        match f.patch(key) {
            Patch::Set(s) => assert!(!s.is_empty() && s.trim() == s, "{key}: patch {s:?} is not trimmed"),
            Patch::Keep | Patch::Clear => {}
        }
        if !f.has(key) {
            assert_eq!(f.string(key), None, "{key}: absent yet a string");
            assert_eq!(f.patch(key), Patch::Keep, "{key}: absent yet not kept");
            assert_eq!(f.int_list(key), None, "{key}: absent yet a list");
        }
    }
}

/// `chosen_language`: the body's `language` when it is one of ours, else the request's.
fn expected_language(f: &Fields, requested: Option<Language>) -> Option<Language> {
    f.string("language")
        .as_deref()
        .and_then(|code| Language::offered(code, &crate::edge::language::languages().unwrap_or_default()))
        .or(requested)
}

fn core(f: &Fields, requested: Option<Language>) {
    // POST /api/register: the core body, or the typed one when there is a `usertype`.
    match RegisterBody::from(f) {
        RegisterBody::Core(request) => {
            assert!(!f.has("usertype"), "a body with usertype is typed");
            let input = request.into_input(requested);
            assert_eq!(input.language, expected_language(f, requested));
            assert_eq!(input.email, f.string("username"));
            assert_eq!(input.policies, f.int_list("policies"));
            let mut c = Checks::default();
            c.client(&input.client_id);
            c.device(&input.device_id, &input.device_name);
            let email = c.email(&input.email);
            c.new_password(&input.password, email.as_ref());
            c.name(&input.firstname);
            c.name(&input.lastname);
            c.telephone(&input.telephone);
            c.tin(&input.tin_nr);
        }
        RegisterBody::Typed(request) => {
            assert!(f.has("usertype"), "a body without usertype is core");
            let _ = request.into_input(requested);
        }
    }
    // And the core reading of every body, typed or not.
    let _ = RegisterRequest::from(f).into_input(requested);

    // POST /api/token
    match TokenRequest::from_fields(f) {
        Ok(TokenRequest::Password(grant)) => {
            assert_eq!(f.string("grant_type").as_deref(), Some("password"));
            let login = LoginInput::from(grant);
            Checks::default().login(&login);
        }
        Ok(TokenRequest::RefreshToken(grant)) => {
            assert_eq!(f.string("grant_type").as_deref(), Some("refresh_token"));
            assert_eq!(grant.refresh_token, f.string("refresh_token"));
        }
        Err(_) => assert!(
            !matches!(f.string("grant_type").as_deref(), Some("password" | "refresh_token")),
            "a known grant_type is accepted"
        ),
    }

    // POST /api/change-password
    if let Ok(request) = ChangePasswordRequest::from_fields(f) {
        let input = ChangePasswordInput::from(request);
        let mut c = Checks::default();
        c.login(&input.login);
        let email = input.login.email.as_deref().and_then(|e| Email::parse(e).ok());
        c.new_password(&input.new_password, email.as_ref());
    }

    // POST /api/forgot-password, /api/reset-password
    let forgot = ForgotPasswordRequest::from(f);
    Checks::default().email(&forgot.username);
    let reset = ResetPasswordRequest::from(f);
    Checks::default().new_password(&reset.password, None);

    // PATCH /api/me
    let patch = ProfilePatch::from(UpdateProfileRequest::from(f));
    let c = &mut Checks::default();
    for value in [&patch.firstname, &patch.insertion, &patch.lastname] {
        if let Patch::Set(v) = value {
            c.name(&Some(v.clone()));
        }
    }
    if let Patch::Set(v) = &patch.telephone {
        c.telephone(&Some(v.clone()));
    }
    if let Patch::Set(v) = &patch.tin_nr {
        c.tin(&Some(v.clone()));
    }
    if let Patch::Set(v) = &patch.language {
        let _ = Language::from_code(v);
    }

    // DELETE /api/me, POST /api/policies/accept
    let _ = DeleteAccountRequest::from(f).password;
    let accept = AcceptPoliciesRequest::from(f);
    assert_eq!(accept.policies, f.int_list("policies"));
}

fn typed(f: &Fields, requested: Option<Language>) {
    let request = TypedRegisterRequest::from(f);
    let usertype = f.string("usertype");
    match (&request, usertype.as_deref()) {
        (TypedRegisterRequest::Customer(_), Some("customer"))
        | (TypedRegisterRequest::Organisation(_), Some("organisation"))
        | (TypedRegisterRequest::Other { .. }, _) => {}
        (_, other) => panic!("usertype {other:?} read as {request:?}"),
    }
    let input = request.into_input(requested);
    assert_eq!(input.language, expected_language(f, requested));
    let mut c = Checks::default();
    let email = c.email(&input.email);
    c.new_password(&input.password, email.as_ref());
    if let Some(p) = &input.postcode {
        c.uk_postcode(p);
    }
    for text in [
        &input.display_name,
        &input.full_name,
        &input.name,
        &input.street_name,
        &input.town,
    ] {
        c.name(text);
    }
    if let Some(y) = &input.year_of_birth {
        c.year(y);
    }
    if let Some(s) = &input.sector {
        c.sector(s);
    }
}

fn users(f: &Fields, requested: Option<Language>) {
    let input = UsersRegisterRequest::from(f).into_input(requested);
    assert_eq!(input.language, expected_language(f, requested));
    let mut c = Checks::default();
    let email = c.email(&input.email);
    c.name(&input.first_name);
    c.name(&input.insertion);
    c.name(&input.last_name);
    if let Some(p) = &input.postal_code {
        c.postal_code(p);
    }
    c.new_password(&input.password, email.as_ref());

    let login = UsersLoginRequest::from(f);
    c.email(&login.username);
    let validation = UsersValidationRequest::from(f);
    c.email(&validation.email);
    if let Some(code) = &validation.token {
        c.code(code);
    }
    c.email(&UsersVerifyRequest::from(f).email);
}

fn signup(f: &Fields) {
    let request = SignupRequest::from(f);
    let mut c = Checks::default();
    c.email(&request.email);
    if let Some(l) = &request.language {
        let _ = Language::from_code(l);
    }
    match SignupConfirmBody::of(f, false) {
        SignupConfirmBody::Page(form) => {
            assert!(f.has(CSRF_FIELD), "a body without the CSRF field is the API's");
            c.consent(&form.consent);
            c.new_password(&form.password, None);
        }
        SignupConfirmBody::Api(request) => {
            assert!(!f.has(CSRF_FIELD), "a body with the CSRF field is the page's");
            c.consent(&request.consent);
            c.new_password(&request.password, None);
        }
    }
    let _ = SignupConfirmRequest::from(f);
    let _ = SignupConfirmForm::from(f);
    let reset = ResetPasswordForm::from(f);
    c.new_password(&reset.password, None);
}

/// The domain parsers the service runs on each input field (its own
/// `parse_*` helpers are private to `registrar-service`), with the
/// properties of their results.
#[derive(Default)]
struct Checks {
    policy: PasswordPolicy,
}

impl Checks {
    fn client(&mut self, raw: &Option<String>) {
        if let Some(id) = raw.as_deref().and_then(ClientId::parse) {
            assert!(!id.as_str().is_empty() && id.as_str().len() <= 255);
        }
    }

    fn device(&mut self, id: &Option<String>, name: &Option<String>) {
        if let Some(id) = id {
            let _ = DeviceId::parse(id);
        }
        if let Some(name) = name {
            let _ = DeviceName::parse(name);
        }
    }

    fn email(&mut self, raw: &Option<String>) -> Option<Email> {
        let email = Email::parse(raw.as_deref()?).ok()?;
        // Stored as written, read back by parsing it again (diesel's rows).
        assert_eq!(
            Email::parse(email.as_str()).as_ref(),
            Ok(&email),
            "an address re-parses to itself"
        );
        Some(email)
    }

    fn new_password(&mut self, raw: &Option<String>, email: Option<&Email>) {
        if let Some(p) = raw {
            if let Ok(password) = self.policy.check(p, email) {
                let n = password.expose().chars().count();
                assert!((self.policy.min_length..=self.policy.max_length).contains(&n));
            }
        }
    }

    fn name(&mut self, raw: &Option<String>) {
        if let Some(n) = raw.as_deref().and_then(|r| PersonName::parse(r).ok()) {
            assert!(n.as_str().chars().count() <= PersonName::MAX);
        }
    }

    fn telephone(&mut self, raw: &Option<String>) {
        if let Some(t) = raw.as_deref().and_then(|r| Telephone::parse(r).ok()) {
            assert!(t.as_str().starts_with('+'), "{t:?} is not E.164");
        }
    }

    fn tin(&mut self, raw: &Option<String>) {
        if let Some(t) = raw.as_deref().and_then(|r| TinNr::parse(r).ok()) {
            assert!(t.as_str().chars().count() <= TinNr::MAX);
        }
    }

    fn uk_postcode(&mut self, raw: &str) {
        if let Some(p) = UkPostcode::parse(raw) {
            assert_eq!(
                UkPostcode::parse(p.as_str()).as_ref(),
                Some(&p),
                "a postcode re-parses to itself"
            );
        }
    }

    fn postal_code(&mut self, raw: &str) {
        if let Some(p) = PostalCode::parse(raw) {
            assert_eq!(
                PostalCode::parse(p.as_str()).as_ref(),
                Some(&p),
                "a postal code re-parses to itself"
            );
        }
    }

    fn year(&mut self, raw: &str) {
        if let Ok(y) = year_of_birth(raw, THIS_YEAR) {
            assert!(THIS_YEAR - 150 < y && y < THIS_YEAR - 10, "{y} is out of range");
        }
    }

    fn sector(&mut self, raw: &str) {
        if let Some(s) = sector(raw) {
            assert!(s.is_ascii_uppercase() && s <= 'T');
        }
    }

    fn code(&mut self, raw: &str) {
        if let Some(code) = ConfirmationCode::parse(raw) {
            assert_eq!(code.expose().len(), 6);
        }
    }

    /// `complete_signup`: an integer ≥ 1.
    fn consent(&mut self, raw: &Option<String>) {
        let _ = raw
            .as_deref()
            .and_then(|c| c.trim().parse::<i32>().ok())
            .filter(|c| *c >= 1);
    }

    fn login(&mut self, login: &LoginInput) {
        self.client(&login.client_id);
        self.device(&login.device_id, &login.device_name);
        self.email(&login.email);
        if let Some(p) = &login.password {
            let _ = registrar_domain::Password::presented(p, &self.policy);
        }
    }
}
