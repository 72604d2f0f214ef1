//! The two links under the sign-in form that lead to the existing mailed
//! flows, keeping the authorization request to come back to:
//!
//! - `GET`/`POST /oauth/forgot-password`: an address → the forgot-password
//!   use case mails a reset link (its page is `/reset-password/{token}`);
//! - `GET`/`POST /oauth/signup`: an address → the email-first signup use
//!   case mails an activation link (its page is `/confirm/signup/{id}`,
//!   consent and a password); offered unless signing up needs an invite.
//!
//! Both answer the same whether the address has an account.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use minijinja::context;
use minijinja::value::Value;
use registrar_mail::Mailer;
use registrar_service::{parse, Registrar, ServiceError, Signup};
use registrar_store::Store;
use serde::Deserialize;
use utoipa::ToSchema;

use super::answers::{failure, message, oauth_message, read_form};
use super::authorize::AuthorizeParams;
use super::oauth::{self, given, Extras, OAuthHead};
use super::PagesFaults;
use crate::edge::client_ip::Origin;
use crate::edge::language::Lang;
use crate::edge::lenient;

/// What the form posts: the address, the CSRF field, and the authorization
/// request it came from (to go back to).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct AccountMailForm {
    #[serde(flatten)]
    pub params: AuthorizeParams,
    /// The hidden field; must equal the `registrar_csrf` cookie (double submit).
    #[schema(required = true, value_type = String)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub csrf_token: Option<String>,
    #[schema(required = true, value_type = String, format = Email)]
    #[serde(default, deserialize_with = "lenient::text")]
    pub email: Option<String>,
}

/// Which of the two forms.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Forgot,
    Signup,
}

impl Kind {
    fn action(self) -> &'static str {
        match self {
            Self::Forgot => "/oauth/forgot-password",
            Self::Signup => "/oauth/signup",
        }
    }
    /// Title, introduction, button, and the page after.
    fn keys(self) -> [&'static str; 5] {
        match self {
            Self::Forgot => [
                "page.forgot_title",
                "page.forgot_text",
                "page.forgot_submit",
                "page.forgot_sent_title",
                "page.forgot_sent_text",
            ],
            Self::Signup => [
                "page.create_title",
                "page.create_text",
                "page.create_submit",
                "page.create_sent_title",
                "page.create_sent_text",
            ],
        }
    }
}

/// Ask for a password reset link (from the sign-in page)
#[utoipa::path(
    get,
    path = "/oauth/forgot-password",
    operation_id = "oauth_forgot_password_page",
    tag = "pages",
    params(AuthorizeParams),
    responses(
        (status = 200, description = "The form: an email address.", body = String, content_type = "text/html"),
        PagesFaults,
    )
)]
pub async fn forgot_form<S: Store, M: Mailer>(req: HttpRequest, app: web::Data<Registrar<S, M>>) -> HttpResponse {
    form(&req, app.get_ref(), Kind::Forgot)
}

/// Mail a password reset link
#[utoipa::path(
    post,
    path = "/oauth/forgot-password",
    operation_id = "oauth_forgot_password_submit",
    tag = "pages",
    request_body(content = AccountMailForm),
    responses(
        (status = 200, description = "\"If the address has an account, we mailed a link\" (the same either way).", body = String, content_type = "text/html"),
        (status = 400, description = "The form again: no valid address, or an unreadable form.", body = String, content_type = "text/html"),
        (status = 403, description = "The form again: the CSRF check failed; nothing was mailed.", body = String, content_type = "text/html"),
        (status = 429, description = "The form again: too many mails asked for; `Retry-After` says how many seconds to wait.", body = String, content_type = "text/html",
            headers(("Retry-After" = u64, description = "Seconds until the limit lets this through again."))),
        PagesFaults,
    )
)]
pub async fn forgot_submit<S: Store, M: Mailer>(
    req: HttpRequest,
    app: web::Data<Registrar<S, M>>,
    payload: web::Payload,
) -> HttpResponse {
    submit(&req, app.get_ref(), payload, Kind::Forgot).await
}

/// Create an account, email first (from the sign-in page)
#[utoipa::path(
    get,
    path = "/oauth/signup",
    operation_id = "oauth_signup_page",
    tag = "pages",
    params(AuthorizeParams),
    responses(
        (status = 200, description = "The form: an email address.", body = String, content_type = "text/html"),
        (status = 404, description = "Signing up needs an invite here: the page is not offered.", body = String, content_type = "text/html"),
        PagesFaults,
    )
)]
pub async fn signup_form<S: Store, M: Mailer>(req: HttpRequest, app: web::Data<Registrar<S, M>>) -> HttpResponse {
    if app.settings().invite_only {
        return not_offered(&req);
    }
    form(&req, app.get_ref(), Kind::Signup)
}

/// Mail an activation link to a new address
#[utoipa::path(
    post,
    path = "/oauth/signup",
    operation_id = "oauth_signup_submit",
    tag = "pages",
    request_body(content = AccountMailForm),
    responses(
        (status = 200, description = "\"We mailed a link to activate your account\" (the same for an address that has one).", body = String, content_type = "text/html"),
        (status = 400, description = "The form again: no valid address, or an unreadable form.", body = String, content_type = "text/html"),
        (status = 403, description = "The form again: the CSRF check failed; nothing was mailed.", body = String, content_type = "text/html"),
        (status = 404, description = "Signing up needs an invite here: the page is not offered.", body = String, content_type = "text/html"),
        (status = 429, description = "The form again: too many mails asked for; `Retry-After` says how many seconds to wait.", body = String, content_type = "text/html",
            headers(("Retry-After" = u64, description = "Seconds until the limit lets this through again."))),
        PagesFaults,
    )
)]
pub async fn signup_submit<S: Store, M: Mailer>(
    req: HttpRequest,
    app: web::Data<Registrar<S, M>>,
    payload: web::Payload,
) -> HttpResponse {
    if app.settings().invite_only {
        return not_offered(&req);
    }
    submit(&req, app.get_ref(), payload, Kind::Signup).await
}

fn not_offered(req: &HttpRequest) -> HttpResponse {
    message(
        StatusCode::NOT_FOUND,
        Lang::of(req),
        "page.error_title",
        "page.create_not_offered",
    )
}

fn form<S: Store, M: Mailer>(req: &HttpRequest, app: &Registrar<S, M>, kind: Kind) -> HttpResponse {
    let params: AuthorizeParams = oauth::query_object(req).parse().unwrap_or_default();
    let email = given(params.login_hint.clone()).unwrap_or_default();
    show(req, app, kind, &params, StatusCode::OK, None, &email, None)
}

#[allow(clippy::too_many_arguments)] // one page's every part
fn show<S: Store, M: Mailer>(
    req: &HttpRequest,
    app: &Registrar<S, M>,
    kind: Kind,
    params: &AuthorizeParams,
    status: StatusCode,
    notice: Option<String>,
    email: &str,
    retry_after: Option<u64>,
) -> HttpResponse {
    let lang = params.lang(req);
    let (csrf_token, set_cookie) = oauth::binding(app).for_page(req);
    let pairs = params.pairs();
    let head = OAuthHead {
        csrf_token,
        hidden: pairs.clone(),
        notice,
    };
    let [title, intro, submit, _, _] = kind.keys();
    let data = context! {
        intro => lang.t(intro),
        submit => lang.t(submit),
        action => kind.action(),
        email => email,
        back_href => format!("/oauth/authorize?{}", oauth::query(&pairs)),
        ..Value::from_serialize(&head)
    };
    oauth::show(
        status,
        lang,
        "mail_form.html",
        title,
        data,
        Extras {
            cookies: set_cookie.into_iter().collect(),
            retry_after,
            form_target: None,
        },
    )
}

async fn submit<S: Store, M: Mailer>(
    req: &HttpRequest,
    app: &Registrar<S, M>,
    payload: web::Payload,
    kind: Kind,
) -> HttpResponse {
    let posted: AccountMailForm = match read_form(req, payload, app).await {
        Ok(posted) => posted,
        Err(unreadable) => return unreadable,
    };
    let params = posted.params;
    let lang = params.lang(req);
    let email = posted.email.clone().unwrap_or_default();
    if oauth::binding(app).check(req, posted.csrf_token.as_deref()).is_none() {
        let notice = Some(lang.t("page.form_expired"));
        return show(req, app, kind, &params, StatusCode::FORBIDDEN, notice, &email, None);
    }
    let from = Origin::of(req).0;
    let done = match kind {
        Kind::Forgot => match parse::address(&posted.email) {
            Ok(address) => app.forgot_password(address, from).await,
            Err(e) => Err(e),
        },
        Kind::Signup => {
            let signup = Signup::parse(posted.email.clone(), Some(lang.0.code().to_owned()), None, app.rules());
            app.signup(signup, from).await.map(drop)
        }
    };
    let [_, _, _, sent_title, sent_text] = kind.keys();
    match done {
        Ok(()) => {
            let sent = lang.t_with(sent_text, &[("email", &email)]);
            oauth_message(StatusCode::OK, lang, sent_title, sent, Extras::default())
        }
        Err(ServiceError::Invalid(_)) => {
            let notice = Some(lang.t("page.signin_email_invalid"));
            show(req, app, kind, &params, StatusCode::BAD_REQUEST, notice, &email, None)
        }
        Err(ServiceError::TooManyAttempts { retry_after }) => {
            let seconds = retry_after.to_string();
            let notice = Some(lang.t_with("page.too_many_attempts", &[("seconds", &seconds)]));
            let status = StatusCode::TOO_MANY_REQUESTS;
            show(req, app, kind, &params, status, notice, &email, Some(retry_after))
        }
        Err(e) => failure(lang, &e),
    }
}
