//! `GET` and `POST /reset-password/{token}`: the link of the reset mail.
//!
//! `GET` shows the new-password form (200) while the link is live, else the
//! invalid-link page (404). The form posts to the same address; the `POST`
//! checks the CSRF double submit, that both passwords are given and equal,
//! then resets: 200 "password changed" (every session is signed out), or the
//! form again with what is wrong — 400 for the password rules or passwords
//! that differ, 403 when the CSRF check fails ("the form expired"; nothing
//! changes), 413/415 for a body we cannot read — or the invalid-link page.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use registrar_domain::Email;
use registrar_mail::Mailer;
use registrar_service::{Field, FieldErrors, PasswordReset, Registrar, ServiceError};
use registrar_store::Store;
use serde::Deserialize;
use utoipa::ToSchema;

use super::answers::{failure, fresh_form, invalid_link, render_failed, show};
use super::csrf;
use super::headers::page;
use super::render::{self, Account, Form, FormHead, ResetForm};
use super::PagesFaults;
use crate::edge::body;
use crate::edge::call::Call;
use crate::edge::language::Lang;
use crate::edge::lenient;

/// The new-password form of `/reset-password/{token}`, as the browser posts it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ResetPasswordForm {
    /// The hidden field; must equal the `registrar_csrf` cookie (double submit).
    #[schema(required = true, value_type = String)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub csrf_token: Option<String>,
    /// The password rules apply.
    #[schema(required = true, value_type = String, format = Password, min_length = 8, max_length = 128)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub password: Option<String>,
    /// The same password again.
    #[schema(required = true, value_type = String, format = Password)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub password_confirmation: Option<String>,
}

/// The password reset form
///
/// The link of the reset mail: a form that works without JavaScript, with a
/// CSRF cookie and the same value in a hidden field.
#[utoipa::path(
    get,
    path = "/reset-password/{token}",
    operation_id = "reset_password_page",
    tag = "pages",
    params(("token" = String, Path, description = "The last part of the mailed reset link.")),
    responses(
        (status = 200, description = "The new-password form.", body = String, content_type = "text/html"),
        (status = 404, description = "The link is unknown, used or expired.", body = String, content_type = "text/html"),
        PagesFaults,
    )
)]
pub async fn form<S: Store, M: Mailer>(call: Call<S, M>, token: web::Path<String>) -> HttpResponse {
    let Call { req, app, lang } = call;
    match app.reset_link_email(&token).await {
        Ok(Some(email)) => fresh_form::<ResetForm>(
            &req,
            &binding(&app, &token),
            StatusCode::OK,
            lang,
            None,
            account(&app, &email),
        ),
        Ok(None) => invalid_link(lang),
        Err(e) => failure(lang, &e),
    }
}

/// The account's address and the password rules, for the form.
fn account<S: Store, M: Mailer>(app: &Registrar<S, M>, email: &Email) -> Account {
    Account::new(email, &app.settings().password)
}

/// Post the new password
///
/// Checks the CSRF double submit and that both passwords are given and
/// equal, then resets: every session is signed out.
#[utoipa::path(
    post,
    path = "/reset-password/{token}",
    operation_id = "reset_password_submit",
    tag = "pages",
    params(("token" = String, Path, description = "The last part of the mailed reset link.")),
    request_body(content = ResetPasswordForm),
    responses(
        (status = 200, description = "\"Password changed\".", body = String, content_type = "text/html"),
        (status = 400, description = "The form again: the password rules, or passwords that differ.",
            body = String, content_type = "text/html"),
        (status = 403, description = "The form again: the CSRF check failed (\"the form expired\"); nothing changed.",
            body = String, content_type = "text/html"),
        (status = 404, description = "The link is unknown, used or expired.", body = String, content_type = "text/html"),
        (status = 413, description = "The form again: the body is over 64 KiB.", body = String, content_type = "text/html"),
        (status = 415, description = "The form again: neither a form nor JSON.", body = String, content_type = "text/html"),
        (status = 429, description = "The form again: too many unreadable bodies from this client; `Retry-After` says in how many seconds to try again.", body = String, content_type = "text/html",
            headers(("Retry-After" = u64, description = "Seconds until the limit lets this through again."))),
        PagesFaults,
    )
)]
pub async fn submit<S: Store, M: Mailer>(
    call: Call<S, M>,
    payload: web::Payload,
    token: web::Path<String>,
) -> HttpResponse {
    let Call { req, app, lang } = call;
    let posted: ResetPasswordForm = match body::read(&req, payload, &app).await {
        Ok(posted) => posted,
        Err(e) => {
            // The form again (while the link is live) with the body failure's status.
            let unreadable = crate::edge::failure::classify_body(e);
            let status = unreadable.status().unwrap_or(StatusCode::BAD_REQUEST);
            let page = again(&req, &app, &token, lang, status, "page.form_unreadable").await;
            return crate::edge::failure::finish(page, &unreadable);
        }
    };
    let Some(csrf_token) = binding(&app, &token).check(&req, posted.csrf_token.as_deref()) else {
        return again(&req, &app, &token, lang, StatusCode::FORBIDDEN, "page.form_expired").await;
    };
    let password = posted.password;
    let mut form = ResetForm::fresh(FormHead {
        csrf_token,
        ..FormHead::default()
    });
    if let Some(problem) = pair_problem(password.as_deref(), posted.password_confirmation.as_deref()) {
        match problem {
            PairProblem::PasswordMissing => form.password_errors.push(lang.t("field.required")),
            PairProblem::ConfirmationMissing => form.confirmation_errors.push(lang.t("field.required")),
            PairProblem::Mismatch => form.confirmation_errors.push(lang.t("page.mismatch")),
        }
        // No use asking for another try through a dead link.
        return match app.reset_link_email(&token).await {
            Ok(Some(email)) => {
                form.head.account = account(&app, &email);
                show(StatusCode::BAD_REQUEST, lang, &form, None)
            }
            Ok(None) => invalid_link(lang),
            Err(e) => failure(lang, &e),
        };
    }
    let token = token.into_inner();
    let reset = PasswordReset::parse(Some(token.clone()), password);
    let done = match reset {
        Ok(reset) => app.reset_password(reset).await,
        Err(e) => Err(e),
    };
    match done {
        Ok(()) => match render::message(lang, &lang.t("page.reset_done_title"), &lang.t("page.reset_done_text")) {
            Ok(html) => page(
                StatusCode::OK,
                html,
                Some(csrf::clear_cookie(csrf::RESET_PATH, csrf::is_https(&req))),
            ),
            Err(e) => render_failed(lang, &e),
        },
        Err(ServiceError::Invalid(errors)) => {
            explain(lang, &errors, &mut form);
            match app.reset_link_email(&token).await {
                Ok(Some(email)) => form.head.account = account(&app, &email),
                Ok(None) => return invalid_link(lang),
                Err(e) => return failure(lang, &e),
            }
            show(StatusCode::BAD_REQUEST, lang, &form, None)
        }
        Err(e) => failure(lang, &e),
    }
}

/// What is wrong with the two password fields before the service is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PairProblem {
    PasswordMissing,
    ConfirmationMissing,
    Mismatch,
}

fn pair_problem(password: Option<&str>, confirmation: Option<&str>) -> Option<PairProblem> {
    match (password, confirmation) {
        (None, _) => Some(PairProblem::PasswordMissing),
        (Some(_), None) => Some(PairProblem::ConfirmationMissing),
        (Some(p), Some(c)) if p != c => Some(PairProblem::Mismatch),
        _ => None,
    }
}

/// The service's field errors as sentences under the password field.
fn explain(lang: Lang, errors: &FieldErrors, form: &mut ResetForm) {
    for (field, list) in errors.iter() {
        for error in list {
            let sentence = crate::edge::language::field_message(lang, error);
            match field {
                Field::Password | Field::NewPassword => form.password_errors.push(sentence),
                _ => form.head.notice = Some(sentence),
            }
        }
    }
}

/// A post we did not act on: the form again with `notice` while the link
/// is live (with a CSRF cookie to retry with), else the invalid-link page.
async fn again<S: Store, M: Mailer>(
    req: &HttpRequest,
    app: &Registrar<S, M>,
    token: &str,
    lang: Lang,
    status: StatusCode,
    notice: &str,
) -> HttpResponse {
    match app.reset_link_email(token).await {
        Ok(Some(email)) => fresh_form::<ResetForm>(
            req,
            &binding(app, token),
            status,
            lang,
            Some(lang.t(notice)),
            account(app, &email),
        ),
        Ok(None) => invalid_link(lang),
        Err(e) => failure(lang, &e),
    }
}

/// What this page's CSRF token is bound to: the server secret and its link.
fn binding<'a, S: Store, M: Mailer>(app: &'a Registrar<S, M>, link: &'a str) -> csrf::Binding<'a> {
    csrf::Binding::reset(&app.settings().secret_key, link)
}

#[cfg(test)]
mod tests {
    use registrar_domain::Language;
    use registrar_domain::PasswordError;
    use registrar_service::FieldError;

    use super::*;

    #[test]
    fn both_passwords_must_be_given_and_equal() {
        assert_eq!(pair_problem(None, Some("a")), Some(PairProblem::PasswordMissing));
        assert_eq!(pair_problem(None, None), Some(PairProblem::PasswordMissing));
        assert_eq!(pair_problem(Some("a"), None), Some(PairProblem::ConfirmationMissing));
        assert_eq!(pair_problem(Some("a"), Some("A")), Some(PairProblem::Mismatch));
        assert_eq!(pair_problem(Some("same"), Some("same")), None);
    }

    #[test]
    fn password_rules_in_words() {
        let lang = Lang(Language::EN);
        let mut form = ResetForm::default();
        let mut errors = FieldErrors::single(
            Field::Password,
            FieldError::Password(PasswordError::TooShort { min: 8 }),
        );
        errors.add(Field::Password, FieldError::Password(PasswordError::TooCommon));
        explain(lang, &errors, &mut form);
        assert_eq!(
            form.password_errors,
            vec![
                "The password must be at least 8 characters.".to_owned(),
                "This password is too common.".to_owned()
            ]
        );
        assert_eq!(form.head.notice, None);
    }
}
