//! `GET` and (from the browser's form) `POST /confirm/signup/{id}`: the link
//! of the email-first signup mail.
//!
//! `GET` shows the activation form (200) while the link is live, else the
//! invalid-link page (404): a consent checkbox (`consent=1`), an optional
//! password and its repetition, the hidden CSRF field; it posts to the same
//! address. The `POST` route belongs to the JSON API (`crate::families::signup`),
//! which hands a browser's form — it carries the CSRF field — to
//! [`submitted`]: the CSRF double submit is checked, then consent and the
//! two password fields, then the account is activated: 200 "account active"
//! (the session the service opens is not shown: the person logs in in the
//! app), or the form again with what is wrong — 400 for missing consent,
//! passwords that differ or the password rules, 403 when the CSRF check
//! fails ("the form expired"; nothing changes) — or the invalid-link page.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use registrar_mail::Mailer;
use registrar_service::{Field, FieldErrors, Registrar, ServiceError, SignupConsent, SignupLink};
use registrar_store::Store;
use serde::Deserialize;
use utoipa::ToSchema;

use super::answers::{failure, fresh_form, invalid_link, message, render_failed, show};
use super::csrf;
use super::headers::page;
use super::render::{self, Account, Form, FormHead, SignupForm};
use super::PagesFaults;
use crate::edge::call::Call;
use crate::edge::language::Lang;
use crate::edge::lenient;

/// The activation form of `/confirm/signup/{id}`, as the browser posts it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct SignupConfirmForm {
    /// The hidden field; must equal the `registrar_csrf` cookie (double submit).
    /// Its presence is what makes the post a form (answered with a page).
    #[schema(required = true, value_type = String)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub csrf_token: Option<String>,
    /// The checkbox: `1` when ticked, absent otherwise.
    #[schema(value_type = Option<i32>, minimum = 1, example = 1)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub consent: Option<String>,
    /// Optional; the password rules apply when given.
    #[schema(format = Password, min_length = 8, max_length = 128)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub password: Option<String>,
    /// The same password again (when one is given).
    #[schema(format = Password)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub password_confirmation: Option<String>,
}

/// The activation form of an email-first signup
///
/// The link of the signup mail: a consent checkbox, an optional password
/// twice, and the hidden CSRF field; it posts to the same address.
#[utoipa::path(
    get,
    path = "/confirm/signup/{id}",
    operation_id = "confirm_signup_page",
    tags = ["pages", "signup"],
    params(("id" = String, Path, description = "The last part of the mailed activation link.")),
    responses(
        (status = 200, description = "The activation form.", body = String, content_type = "text/html"),
        (status = 404, description = "The link is unknown, used or expired.", body = String, content_type = "text/html"),
        PagesFaults,
    )
)]
pub async fn form<S: Store, M: Mailer>(call: Call<S, M>, id: web::Path<String>) -> HttpResponse {
    let Call { req, app, lang } = call;
    by_link(&app, &id, lang, |account| {
        fresh_form::<SignupForm>(&req, &binding(&app, &id), StatusCode::OK, lang, None, account)
    })
    .await
}

/// `on_live` with the account of a live link; a used link says the account
/// is active (200: opened again, or fetched by a mail scanner first); a
/// dead one is the invalid-link page.
async fn by_link<S: Store, M: Mailer>(
    app: &Registrar<S, M>,
    id: &str,
    lang: Lang,
    on_live: impl FnOnce(Account) -> HttpResponse,
) -> HttpResponse {
    match app.signup_link(id).await {
        Ok(SignupLink::Live(email)) => on_live(Account::new(&email, &app.settings().password)),
        Ok(SignupLink::Used) => message(StatusCode::OK, lang, "page.signup_done_title", "page.signup_used_text"),
        Ok(SignupLink::Dead) => invalid_link(lang),
        Err(e) => failure(lang, &e),
    }
}

/// The browser's form was posted (documented with `POST /confirm/signup/{id}`).
pub async fn submitted<S: Store, M: Mailer>(
    req: &HttpRequest,
    posted: SignupConfirmForm,
    app: &Registrar<S, M>,
    id: &str,
    lang: Lang,
) -> HttpResponse {
    let Some(csrf_token) = binding(app, id).check(req, posted.csrf_token.as_deref()) else {
        return by_link(app, id, lang, |account| {
            fresh_form::<SignupForm>(
                req,
                &binding(app, id),
                StatusCode::FORBIDDEN,
                lang,
                Some(lang.t("page.form_expired")),
                account,
            )
        })
        .await;
    };
    let consent = posted.consent;
    let password = posted.password;
    let mut form = SignupForm {
        consent: consent.is_some(),
        ..SignupForm::fresh(FormHead {
            csrf_token,
            ..FormHead::default()
        })
    };
    if consent.is_none() {
        form.consent_errors.push(lang.t("page.consent_required"));
    }
    match pair_problem(password.as_deref(), posted.password_confirmation.as_deref()) {
        Some(PairProblem::ConfirmationMissing) => form.confirmation_errors.push(lang.t("field.required")),
        Some(PairProblem::Mismatch) => form.confirmation_errors.push(lang.t("page.mismatch")),
        None => {}
    }
    if !form.consent_errors.is_empty() || !form.confirmation_errors.is_empty() {
        // No use asking for another try through a dead link.
        return by_link(app, id, lang, |account| {
            form.head.account = account;
            show(StatusCode::BAD_REQUEST, lang, &form, None)
        })
        .await;
    }
    let done = match SignupConsent::parse(consent, password) {
        Ok(given) => app.complete_signup(id, given).await,
        Err(e) => Err(e),
    };
    match done {
        // Without a password the account cannot log in yet: say how to set one.
        Ok((_, user)) => match render::message(
            lang,
            &lang.t("page.signup_done_title"),
            &lang.t(if user.password_hash.is_some() {
                "page.signup_done_text"
            } else {
                "page.signup_done_no_password_text"
            }),
        ) {
            Ok(html) => page(
                StatusCode::OK,
                html,
                Some(csrf::clear_cookie(csrf::SIGNUP_PATH, csrf::is_https(req))),
            ),
            Err(e) => render_failed(lang, &e),
        },
        Err(ServiceError::Invalid(errors)) => {
            explain(lang, &errors, &mut form);
            by_link(app, id, lang, |account| {
                form.head.account = account;
                show(StatusCode::BAD_REQUEST, lang, &form, None)
            })
            .await
        }
        // Used meanwhile (a second post): say so, as for a used link opened again.
        Err(ServiceError::NotFound) => by_link(app, id, lang, |_| invalid_link(lang)).await,
        Err(e) => failure(lang, &e),
    }
}

/// What is wrong with the two password fields before the service is asked.
/// Both empty is fine: the password is optional.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PairProblem {
    ConfirmationMissing,
    Mismatch,
}

fn pair_problem(password: Option<&str>, confirmation: Option<&str>) -> Option<PairProblem> {
    match (password, confirmation) {
        (Some(_), None) => Some(PairProblem::ConfirmationMissing),
        (p, c) if p != c => Some(PairProblem::Mismatch),
        _ => None,
    }
}

/// The service's field errors as sentences under their fields.
fn explain(lang: Lang, errors: &FieldErrors, form: &mut SignupForm) {
    for (field, list) in errors.iter() {
        match field {
            // Consent that is not a positive integer (a crafted post): not given.
            Field::Consent => {
                form.consent = false;
                form.consent_errors.push(lang.t("page.consent_required"));
            }
            Field::Password => form
                .password_errors
                .extend(list.iter().map(|e| crate::edge::language::field_message(lang, e))),
            _ => form.head.notice = list.first().map(|e| crate::edge::language::field_message(lang, e)),
        }
    }
}

/// What this page's CSRF token is bound to: the server secret and its link.
fn binding<'a, S: Store, M: Mailer>(app: &'a Registrar<S, M>, link: &'a str) -> csrf::Binding<'a> {
    csrf::Binding::signup(&app.settings().secret_key, link)
}

#[cfg(test)]
mod tests {
    use registrar_domain::{Language, PasswordError};
    use registrar_service::FieldError;

    use super::*;

    #[test]
    fn the_password_is_optional_but_must_be_repeated() {
        assert_eq!(pair_problem(None, None), None);
        assert_eq!(pair_problem(Some("same"), Some("same")), None);
        assert_eq!(pair_problem(Some("a"), None), Some(PairProblem::ConfirmationMissing));
        assert_eq!(pair_problem(None, Some("a")), Some(PairProblem::Mismatch));
        assert_eq!(pair_problem(Some("a"), Some("A")), Some(PairProblem::Mismatch));
    }

    #[test]
    fn the_service_errors_in_words() {
        let lang = Lang(Language::EN);
        let mut form = SignupForm {
            consent: true,
            ..SignupForm::default()
        };
        let mut errors = FieldErrors::single(
            Field::Password,
            FieldError::Password(PasswordError::TooShort { min: 8 }),
        );
        errors.add(Field::Password, FieldError::Password(PasswordError::EqualsEmail));
        explain(lang, &errors, &mut form);
        assert_eq!(
            form.password_errors,
            vec![
                "The password must be at least 8 characters.".to_owned(),
                "The password may not be your email address.".to_owned()
            ]
        );
        assert!(form.consent && form.consent_errors.is_empty() && form.head.notice.is_none());

        explain(
            lang,
            &FieldErrors::single(Field::Consent, FieldError::Required),
            &mut form,
        );
        assert!(!form.consent);
        assert_eq!(
            form.consent_errors,
            vec!["Your consent is needed to activate your account.".to_owned()]
        );
    }
}
