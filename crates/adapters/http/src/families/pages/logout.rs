//! `GET` and `POST /oauth/logout`: the end-session endpoint (OpenID Connect
//! RP-Initiated Logout 1.0).
//!
//! `post_logout_redirect_uri` is followed only when it is registered for
//! the client (`client_id`, or the `id_token_hint`'s audience; both given
//! must agree); otherwise a 400 page and no redirect. With a valid hint for
//! the browser session's user, the session (and the token sessions it
//! opened) ends at once; without one, a confirmation page asks first, with
//! a checkbox to also end the apps' sessions. Ending clears the cookie,
//! then sends the browser to the URI (with `state`) or says "signed out".

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use minijinja::value::Value;
use registrar_domain::ClientId;
use registrar_mail::Mailer;
use registrar_service::{with_query, Registrar, ServiceError};
use registrar_store::Store;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::answers::{failure, oauth_message, read_form};
use super::headers::see_other;
use super::oauth::{self, given, Extras, OAuthHead};
use super::PagesFaults;
use crate::edge::language::Lang;
use crate::edge::lenient;

/// The parameters of a logout request, in the query or the form.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogoutParams {
    /// An ID token this server issued to the client, naming the user.
    pub id_token_hint: Option<String>,
    /// Where to send the browser after: registered for the client.
    pub post_logout_redirect_uri: Option<String>,
    /// Echoed to `post_logout_redirect_uri`.
    pub state: Option<String>,
    pub client_id: Option<String>,
    /// Not used: one account per browser session.
    pub logout_hint: Option<String>,
    /// Languages for the page, best first (space-separated).
    pub ui_locales: Option<String>,
}

impl LogoutParams {
    fn pairs(&self) -> Vec<(String, String)> {
        let p = self.clone();
        [
            ("id_token_hint", p.id_token_hint),
            ("post_logout_redirect_uri", p.post_logout_redirect_uri),
            ("state", p.state),
            ("client_id", p.client_id),
            ("logout_hint", p.logout_hint),
            ("ui_locales", p.ui_locales),
        ]
        .into_iter()
        .filter_map(|(name, value)| given(value).map(|v| (name.to_owned(), v)))
        .collect()
    }
}

/// What the confirmation form posts, beside the parameters.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct LogoutForm {
    #[serde(flatten)]
    pub params: LogoutParams,
    /// The hidden field; must equal the `registrar_csrf` cookie (double submit).
    #[serde(default, deserialize_with = "lenient::text")]
    pub csrf_token: Option<String>,
    /// `1`: the person confirmed on the page. Absent: a logout request sent by POST.
    #[serde(default, deserialize_with = "lenient::text")]
    pub confirm: Option<String>,
    /// `1`: also end the sessions of the apps signed in from this browser.
    #[serde(default, deserialize_with = "lenient::text")]
    pub everywhere: Option<String>,
}

/// The end-session endpoint
///
/// With a valid `id_token_hint` for the browser's session, signs out at
/// once; otherwise asks first.
#[utoipa::path(
    get,
    path = "/oauth/logout",
    operation_id = "logout_page",
    tag = "pages",
    params(LogoutParams),
    responses(
        (status = 200, description = "The confirmation page (\"Sign out of Registrar?\"), or \"you are signed out\".", body = String, content_type = "text/html"),
        (status = 303, description = "Signed out: to `post_logout_redirect_uri` with `state`; the cookie is cleared.",
            headers(("Location" = String, description = "The client's post-logout redirect URI."))),
        (status = 400, description = "`post_logout_redirect_uri` is not registered for the client, or the client is unknown or disagrees with the hint: a page, no redirect.", body = String, content_type = "text/html"),
        PagesFaults,
    )
)]
pub async fn logout<S: Store, M: Mailer>(req: HttpRequest, app: web::Data<Registrar<S, M>>) -> HttpResponse {
    let params: LogoutParams = oauth::query_object(&req).parse().unwrap_or_default();
    run(&req, app.get_ref(), params, None).await
}

/// Sign out (the confirmation form, or a logout request sent by POST)
#[utoipa::path(
    post,
    path = "/oauth/logout",
    operation_id = "logout_submit",
    tag = "pages",
    request_body(content = LogoutForm),
    responses(
        (status = 200, description = "\"You are signed out\", or the confirmation page.", body = String, content_type = "text/html"),
        (status = 303, description = "Signed out: to `post_logout_redirect_uri` with `state`; the cookie is cleared.",
            headers(("Location" = String, description = "The client's post-logout redirect URI."))),
        (status = 400, description = "A bad `post_logout_redirect_uri` or client, or an unreadable form: a page, no redirect.", body = String, content_type = "text/html"),
        (status = 403, description = "The confirmation page again: the CSRF check failed; nothing changed.", body = String, content_type = "text/html"),
        PagesFaults,
    )
)]
pub async fn submit<S: Store, M: Mailer>(
    req: HttpRequest,
    app: web::Data<Registrar<S, M>>,
    payload: web::Payload,
) -> HttpResponse {
    let form: LogoutForm = match read_form(&req, payload, &app).await {
        Ok(form) => form,
        Err(unreadable) => return unreadable,
    };
    // A logout sent by POST from the client's site comes without the
    // SameSite=Lax session cookie: the same request by GET (a top-level
    // navigation, which carries it) finds the session to end. Our own
    // confirmation form (same site, with `confirm`) carries it already.
    let pairs = form.params.pairs();
    if form.confirm.is_none() && !pairs.is_empty() && oauth::cookie(&req, oauth::SESSION_COOKIE).is_none() {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        return see_other(&format!("/oauth/logout?{query}"), std::iter::empty());
    }
    let params = form.params.clone();
    run(&req, app.get_ref(), params, Some(form)).await
}

/// Where to go after: the registered URI with `state`, or nowhere.
async fn destination<S: Store, M: Mailer>(
    app: &Registrar<S, M>,
    params: &LogoutParams,
    hint_client: Option<&ClientId>,
) -> Result<Option<String>, &'static str> {
    let named = match given(params.client_id.clone()) {
        Some(raw) => Some(ClientId::parse(&raw).ok_or("page.logout_unknown_client")?),
        None => None,
    };
    let client_id = match (named, hint_client) {
        (Some(named), Some(hinted)) if named != *hinted => return Err("page.logout_client_mismatch"),
        (Some(named), _) => Some(named),
        (None, hinted) => hinted.cloned(),
    };
    let Some(uri) = given(params.post_logout_redirect_uri.clone()) else {
        return Ok(None);
    };
    let Some(client_id) = client_id else {
        return Err("page.logout_unregistered_uri");
    };
    let client = app
        .store()
        .client(&client_id)
        .await
        .map_err(|_| "page.logout_unknown_client")?
        .ok_or("page.logout_unknown_client")?;
    if !client.post_logout_redirect_uris.iter().any(|r| r.as_str() == uri) {
        return Err("page.logout_unregistered_uri");
    }
    let state = given(params.state.clone()).filter(|s| s.len() <= 512 && !s.chars().any(char::is_control));
    Ok(Some(match state {
        Some(state) => with_query(&uri, &[("state", &state)]),
        None => uri,
    }))
}

async fn run<S: Store, M: Mailer>(
    req: &HttpRequest,
    app: &Registrar<S, M>,
    params: LogoutParams,
    form: Option<LogoutForm>,
) -> HttpResponse {
    let lang = Lang::of_ui_locales(req, given(params.ui_locales.clone()).as_deref());
    let hint = match given(params.id_token_hint.clone()) {
        Some(token) => match app.id_token_hint(&token).await {
            Ok(hint) => hint,
            Err(e @ ServiceError::Unavailable(_)) => return failure(lang, &e),
            // A hint we cannot read is no hint: the page asks.
            Err(_) => None,
        },
        None => None,
    };
    let destination = match destination(app, &params, hint.as_ref().map(|h| &h.client)).await {
        Ok(destination) => destination,
        Err(why) => {
            let why = lang.t(why);
            return oauth_message(
                StatusCode::BAD_REQUEST,
                lang,
                "page.logout_error_title",
                why,
                Extras::default(),
            );
        }
    };
    let cookie = oauth::cookie(req, oauth::SESSION_COOKIE);
    let session = match &cookie {
        Some(value) => match app.browser_session(value).await {
            Ok(session) => session,
            Err(e) => return failure(lang, &e),
        },
        None => None,
    };
    let hinted = session
        .as_ref()
        .zip(hint.as_ref())
        .is_some_and(|(session, hint)| session.user == hint.user);
    let with_tokens = match (session.is_some(), hinted, form) {
        // Nothing to end: done.
        (false, _, _) => false,
        (true, true, _) => true,
        (true, false, Some(form)) if form.confirm.is_some() => {
            if oauth::binding(app).check(req, form.csrf_token.as_deref()).is_none() {
                let notice = Some(lang.t("page.form_expired"));
                let target = destination.as_deref();
                return confirmation(req, app, lang, &params, target, StatusCode::FORBIDDEN, notice);
            }
            form.everywhere.is_some()
        }
        (true, false, _) => {
            let target = destination.as_deref();
            return confirmation(req, app, lang, &params, target, StatusCode::OK, None);
        }
    };
    if let Some(value) = &cookie {
        if let Err(e) = app.end_browser_session(value, with_tokens).await {
            return failure(lang, &e);
        }
    }
    let clear = std::iter::once(oauth::clear_session(oauth::secure(app)));
    match destination {
        Some(location) => see_other(&location, clear),
        None => oauth_message(
            StatusCode::OK,
            lang,
            "page.logout_done_title",
            lang.t("page.logout_done_text"),
            Extras {
                cookies: clear.collect(),
                ..Extras::default()
            },
        ),
    }
}

/// "Sign out of Registrar?"
fn confirmation<S: Store, M: Mailer>(
    req: &HttpRequest,
    app: &Registrar<S, M>,
    lang: Lang,
    params: &LogoutParams,
    form_target: Option<&str>,
    status: StatusCode,
    notice: Option<String>,
) -> HttpResponse {
    let (csrf_token, set_cookie) = oauth::binding(app).for_page(req);
    let head = OAuthHead {
        csrf_token,
        hidden: params.pairs(),
        notice,
    };
    oauth::show(
        status,
        lang,
        "logout.html",
        "page.logout_title",
        Value::from_serialize(&head),
        Extras {
            cookies: set_cookie.into_iter().collect(),
            retry_after: None,
            form_target: form_target.map(str::to_owned),
        },
    )
}
