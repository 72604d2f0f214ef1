//! `/api/token`, the mailed sign-in code, logout and the caller's sessions.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use registrar_mail::Mailer;
use registrar_service::{
    ClientAuthentication, ClientRef, EmailCodeGrant, EmailCodeMail, KnownClient, Login, MfaGrant, PasskeyGrant,
    Registrar, ServiceError,
};
use registrar_store::Store;

use super::account::{caller, caller_without_fields, empty, token_answer, token_pair};
use super::answers::{CodeTokenResponse, EmptyResponse, SessionResponse, TokenPairResponse};
use super::requests::{EmailCodeRequest, TokenRequest};
use super::{
    CoreBearerRefusals, CoreBodyRefusals, CoreBodyThrottled, CoreError, CoreErrorBody, CoreFaults, CoreResult,
    EdgeProblem,
};
use crate::edge::body;
use crate::edge::call::Call;
use crate::edge::client_ip::Origin;
use crate::edge::failure::Problem;

/// Log in, or refresh a token pair
///
/// `grant_type=password` opens (or renews) the session of this (user,
/// client, device); `grant_type=refresh_token` rotates the pair. Unknown
/// user and wrong password give the same `invalid_grant` in the same time.
/// On an account with a second factor a correct password answers 403
/// `mfa_required` with an `mfa_token`; `grant_type=mfa` with that token and
/// a TOTP `code`, a `recovery_code` or a passkey's `credential` then gives
/// the pair (5 wrong factors kill the token; each counts as a failed
/// login). `grant_type=passkey` signs in with a discoverable passkey and no
/// password (`POST /api/passkeys/options` first): both factors at once.
/// `grant_type=email_code` signs in with the code `POST /api/email-code`
/// mailed (10 minutes, once, 5 tries; a wrong one counts as a failed login
/// and against the address's code budget) and confirms the address; with a
/// second factor it answers `mfa_required` as a password does.
/// A public client is named by `client_id` in the body, or by HTTP Basic
/// (the client id as the user name, an empty password: RFC 6749 §2.3.1). A
/// confidential client also proves its secret: as the Basic password
/// (`client_secret_basic`) or as `client_secret` in the body
/// (`client_secret_post`), one of the two.
#[utoipa::path(
    post,
    path = "/api/token",
    operation_id = "token",
    tag = "core",
    security((), ("client_basic" = [])),
    request_body(content = TokenRequest),
    responses(
        (status = 200, description = "A token pair; for `grant_type=authorization_code` also `scope` and, when \
            `openid` was asked, `id_token`.", body = TokenPairResponse),
        (status = 400, description = "`invalid_request` (also: a `client_id` in the body that differs from the one \
            in `Authorization: Basic`, or a secret both there and as `client_secret`), `validation_failed` (a field missing), `invalid_client`, \
            `invalid_grant`, `unsupported_grant_type` (any other `grant_type`, or none).", body = CoreErrorBody),
        (status = 401, description = "`invalid_client`: `Authorization: Basic` that cannot be read, carries a \
            password for a public client (it has no secret), or names an unknown client; a confidential client's \
            missing or wrong secret (`client_secret_basic` or `client_secret_post`).", body = CoreErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Basic realm=\"registrar\", charset=\"UTF-8\"`, when \
            the client used HTTP Basic."))),
        (status = 403, description = "`email_not_confirmed` (when `auth.require_confirmed_email`), \
            `account_disabled`, `mfa_required` (with `mfa_token` and `factors`).", body = CoreErrorBody),
        CoreBodyRefusals,
        (status = 429, description = "`too_many_attempts`: too many failed logins of this account (a lockout that doubles) or from this address, too many mailed codes tried from this address or failed for this account (`grant_type=email_code`), or unreadable bodies; `Retry-After` says in how many seconds to try again.", body = CoreErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until the limit lets this through again."))),
        CoreFaults,
    )
)]
pub async fn token<S: Store, M: Mailer>(call: Call<S, M>, payload: web::Payload) -> Result<HttpResponse, CoreError> {
    let Call { req, app, lang } = call;
    let basic = basic_client(&req).core(lang)?;
    let body = body::read_object(&req, payload, &app).await.core(lang)?;
    let body_secret = body.text("client_secret");
    let mut request = TokenRequest::of(body).core(lang)?;
    let client_id = match &mut request {
        TokenRequest::Password(grant) => &mut grant.sign_in.device.client_id,
        TokenRequest::RefreshToken(grant) => &mut grant.client_id,
        TokenRequest::Mfa(grant) => &mut grant.client_id,
        TokenRequest::Passkey(grant) => &mut grant.device.client_id,
        TokenRequest::EmailCode(grant) => &mut grant.sign_in.device.client_id,
        TokenRequest::AuthorizationCode(grant) => &mut grant.client_id,
    };
    let named = authenticate_client(&app, basic, client_id.take(), body_secret)
        .await
        .core(lang)?;
    // The client found, handed to the use case so that it does not read it again.
    let known = named.as_ref().and_then(|client| client.known.clone());
    *client_id = named.map(|client| client.id);
    let known = known.as_ref();
    let pair = match request {
        TokenRequest::AuthorizationCode(grant) => {
            let Some(client) = grant
                .client_id
                .clone()
                .and_then(|id| registrar_domain::ClientId::parse(&id))
            else {
                return Err(ServiceError::InvalidClient).core(lang);
            };
            let tokens = basic_refusal(&req, app.exchange_code(&client, grant.into()).await).core(lang)?;
            return Ok(token_answer(CodeTokenResponse::from(&tokens)));
        }
        TokenRequest::Password(grant) => match Login::parse(&grant.into()) {
            Ok(login) => {
                let login = Login {
                    client: login.client.known_as(known),
                    ..login
                };
                app.login(login, Origin::of(&req).0).await
            }
            Err(e) => Err(e),
        },
        TokenRequest::RefreshToken(grant) => {
            let client = grant.client_id.map(|raw| ClientRef::of(&raw).known_as(known));
            app.refresh(grant.refresh_token, client).await
        }
        TokenRequest::Mfa(grant) => match MfaGrant::parse(grant.into()) {
            Ok(grant) => app.login_mfa(grant, Origin::of(&req).0).await,
            Err(e) => Err(e),
        },
        TokenRequest::Passkey(grant) => match PasskeyGrant::parse(grant.into()) {
            Ok(grant) => {
                let grant = PasskeyGrant {
                    client: grant.client.known_as(known),
                    ..grant
                };
                app.login_passkey(grant, Origin::of(&req).0).await
            }
            Err(e) => Err(e),
        },
        TokenRequest::EmailCode(grant) => match EmailCodeGrant::parse(&grant.into()) {
            Ok(grant) => {
                let grant = EmailCodeGrant {
                    client: grant.client.known_as(known),
                    ..grant
                };
                app.login_email_code(grant, Origin::of(&req).0).await
            }
            Err(e) => Err(e),
        },
    };
    let pair = basic_refusal(&req, pair).core(lang)?;
    Ok(token_pair(&pair))
}

/// Mail a sign-in code
///
/// `200 {}` whether or not the address has an account (nor whether it is
/// disabled): an account gets a mail with a 6-digit code for
/// `grant_type=email_code` at `/api/token`, valid 10 minutes, once; a new
/// code replaces an unused one. The mail goes through the outbox, so the
/// answer takes the same time either way. Counts against the mails of this
/// address and of this client address.
#[utoipa::path(
    post,
    path = "/api/email-code",
    request_body(content = EmailCodeRequest),
    operation_id = "email_code",
    tag = "core",
    responses(
        (status = 200, description = "`{}`, whether or not the address has an account.", body = EmptyResponse),
        (status = 400, description = "`invalid_request`, `validation_failed` (`client_id` or `username` missing, \
            not an address, control characters), `invalid_client`.", body = CoreErrorBody),
        CoreBodyRefusals,
        (status = 429, description = "`too_many_attempts`: too many mails asked for this address or from this client, or unreadable bodies; `Retry-After` says in how many seconds to try again.", body = CoreErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until the limit lets this through again."))),
        CoreFaults,
    )
)]
pub async fn email_code<S: Store, M: Mailer>(call: Call<S, M>, input: web::Payload) -> Result<HttpResponse, CoreError> {
    let Call { req, app, lang } = call;
    let request: EmailCodeRequest = body::read(&req, input, &app).await.core(lang)?;
    let asked = EmailCodeMail::parse(&request.into()).core(lang)?;
    app.mail_sign_in_code(asked, Origin::of(&req).0).await.core(lang)?;
    Ok(empty())
}

/// The credentials of `Authorization: Basic`, if the request uses that scheme.
fn basic_credentials(req: &HttpRequest) -> Option<&[u8]> {
    let value = req.headers().get(header::AUTHORIZATION)?.as_bytes();
    let value = value.trim_ascii_start();
    let (scheme, rest) = value.split_at(value.iter().position(|b| *b == b' ').unwrap_or(value.len()));
    scheme.eq_ignore_ascii_case(b"basic").then(|| rest.trim_ascii())
}

/// Whether the request carries `Authorization: Basic`.
pub(crate) fn basic_used(req: &HttpRequest) -> bool {
    basic_credentials(req).is_some()
}

/// An unknown client of a request that named it by HTTP Basic: RFC 6749
/// §5.2's 401 with a challenge, instead of the use case's 400.
pub(crate) fn basic_refusal<T>(req: &HttpRequest, result: Result<T, ServiceError>) -> Result<T, Problem> {
    match result {
        Err(ServiceError::InvalidClient) if basic_used(req) => Err(EdgeProblem::BasicUnknownClient.into()),
        other => Ok(other?),
    }
}

/// What `Authorization: Basic` says (RFC 6749 §2.3.1: the client id as the
/// user name and the secret as the password, each form-urlencoded before
/// base64); an empty password is no secret (a public client).
pub(crate) struct BasicClient {
    id: String,
    secret: Option<String>,
}

/// The client of `Authorization: Basic`, `None` without such a header.
pub(crate) fn basic_client(req: &HttpRequest) -> Result<Option<BasicClient>, EdgeProblem> {
    let Some(credentials) = basic_credentials(req) else {
        return Ok(None);
    };
    parse_basic(credentials).map(Some)
}

fn parse_basic(credentials: &[u8]) -> Result<BasicClient, EdgeProblem> {
    use base64::Engine as _;
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    let decoded = engine.decode(credentials).map_err(|_| EdgeProblem::BasicUnreadable)?;
    let decoded = String::from_utf8(decoded).map_err(|_| EdgeProblem::BasicUnreadable)?;
    let (user, password) = decoded.split_once(':').ok_or(EdgeProblem::BasicUnreadable)?;
    let client_id = form_decode(user).ok_or(EdgeProblem::BasicUnreadable)?;
    let secret = form_decode(password).ok_or(EdgeProblem::BasicUnreadable)?;
    if client_id.trim().is_empty() || client_id.chars().any(char::is_control) {
        return Err(EdgeProblem::BasicUnreadable);
    }
    Ok(BasicClient {
        id: client_id.trim().to_owned(),
        secret: (!secret.is_empty()).then_some(secret),
    })
}

/// The client of an OAuth request, once [`authenticate_client`] let it through.
pub(crate) struct NamedClient {
    pub(crate) id: String,
    /// A confidential client that proved its secret (else a public or an unknown client).
    pub(crate) confidential: bool,
    /// The client as the lookup found it (`None`: unknown), for the use case.
    pub(crate) known: Option<KnownClient>,
}

/// Client authentication at an OAuth endpoint: the client is named by
/// `Authorization: Basic` or by `named` (the body's `client_id`; both must
/// agree); a confidential client proves its secret by Basic
/// (`client_secret_basic`) or by the body's `client_secret`
/// (`client_secret_post`), never both (RFC 6749 §2.3). A public client
/// proves nothing: a Basic password is refused (it has no secret), a body
/// `client_secret` is not read. An unknown client is left to the use
/// case, which answers `invalid_client` as it always did. Returns the
/// client named, if any.
pub(crate) async fn authenticate_client<S: Store, M: Mailer>(
    app: &Registrar<S, M>,
    basic: Option<BasicClient>,
    named: Option<String>,
    body_secret: Option<String>,
) -> Result<Option<NamedClient>, Problem> {
    match client_credentials(basic, named, body_secret)? {
        Some(credentials) => credentials.authenticated(app).await.map(Some),
        None => Ok(None),
    }
}

/// The client an OAuth request names and the secret it sends, read as
/// [`authenticate_client`] reads them, before the client is looked up.
pub(crate) struct ClientCredentials {
    pub(crate) id: String,
    pub(crate) secret: Option<String>,
    /// Named by `Authorization: Basic`: `Some(whether it sent a password)`.
    basic: Option<bool>,
}

/// [`authenticate_client`]'s reading of the request: `None` when it names
/// no client; refused when Basic and the body name two clients, or send
/// two secrets.
pub(crate) fn client_credentials(
    basic: Option<BasicClient>,
    named: Option<String>,
    body_secret: Option<String>,
) -> Result<Option<ClientCredentials>, Problem> {
    let Some(basic) = basic else {
        return Ok(named.map(|id| ClientCredentials {
            id,
            secret: body_secret,
            basic: None,
        }));
    };
    if named.as_ref().is_some_and(|given| *given != basic.id) {
        return Err(EdgeProblem::ClientIdMismatch.into());
    }
    if basic.secret.is_some() && body_secret.is_some() {
        return Err(EdgeProblem::TwoClientAuthentications.into());
    }
    let basic_password = basic.secret.is_some();
    Ok(Some(ClientCredentials {
        id: basic.id,
        secret: basic.secret.or(body_secret),
        basic: Some(basic_password),
    }))
}

impl ClientCredentials {
    /// The client looked up and [`judged`](Self::judged): [`authenticate_client`] after the reading.
    pub(crate) async fn authenticated<S: Store, M: Mailer>(
        self,
        app: &Registrar<S, M>,
    ) -> Result<NamedClient, Problem> {
        let found = app.authenticate_client(&self.id, self.secret.as_deref()).await?;
        self.judged(found)
    }

    /// [`authenticate_client`]'s verdict on what the client lookup `found`.
    pub(crate) fn judged(self, found: ClientAuthentication) -> Result<NamedClient, Problem> {
        match (self.basic, &found) {
            (None, ClientAuthentication::Refused) => Err(EdgeProblem::ClientSecretRefused.into()),
            (Some(_), ClientAuthentication::Refused) => Err(EdgeProblem::BasicSecretRefused.into()),
            // Today's public clients: the id alone, with an empty password.
            (Some(true), ClientAuthentication::Public(_) | ClientAuthentication::Unknown) => {
                Err(EdgeProblem::BasicSecret.into())
            }
            _ => Ok(NamedClient {
                id: self.id,
                confidential: found.is_confidential(),
                known: found.known().cloned(),
            }),
        }
    }
}

/// `application/x-www-form-urlencoded` decoding of one value (`+` is a
/// space, `%XX` a byte); `None` for a broken escape or bytes that are not UTF-8.
fn form_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// Log out this session
///
/// This session's tokens stop working; no body is read.
#[utoipa::path(
    post,
    path = "/api/logout",
    operation_id = "logout",
    tag = "core",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Logged out."),
        CoreBearerRefusals,
        (status = 400, description = "`invalid_request`: a body that is not a JSON object.", body = CoreErrorBody),
        CoreBodyRefusals,
        CoreBodyThrottled,
        CoreFaults,
    )
)]
pub async fn logout<S: Store, M: Mailer>(call: Call<S, M>, payload: web::Payload) -> Result<HttpResponse, CoreError> {
    let Call { req, app, lang } = call;
    let ctx = caller(&req, &app, lang).await?;
    // No fields, but a body is held to the same rules as everywhere (415, 413, 400).
    body::read_object(&req, payload, &app).await.core(lang)?;
    app.logout(&ctx).await.core(lang)?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller's sessions, one per device
#[utoipa::path(
    get,
    path = "/api/sessions",
    operation_id = "sessions",
    tag = "core",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every live session of the caller.", body = Vec<SessionResponse>),
        CoreBearerRefusals,
        CoreFaults,
    )
)]
pub async fn sessions<S: Store, M: Mailer>(call: Call<S, M>) -> Result<HttpResponse, CoreError> {
    let Call { req, app, lang } = call;
    let ctx = caller(&req, &app, lang).await?;
    let sessions = app.sessions(&ctx).await.core(lang)?;
    let list: Vec<_> = sessions.iter().map(SessionResponse::from).collect();
    Ok(HttpResponse::Ok().json(list))
}

/// Sign a device out
///
/// That device's tokens stop working.
#[utoipa::path(
    delete,
    path = "/api/sessions/{device_id}",
    operation_id = "revoke_device",
    tag = "core",
    security(("bearer" = [])),
    params(("device_id" = String, Path, description = "The `device_id` of one of the caller's sessions.")),
    responses(
        (status = 204, description = "Signed out."),
        CoreBearerRefusals,
        (status = 400, description = "`invalid_request`: a body that is not a JSON object.", body = CoreErrorBody),
        CoreBodyRefusals,
        CoreBodyThrottled,
        (status = 404, description = "`not_found`: the caller has no session on that device.", body = CoreErrorBody),
        CoreFaults,
    )
)]
pub async fn revoke_device<S: Store, M: Mailer>(
    call: Call<S, M>,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, CoreError> {
    let Call { req, app, lang } = call;
    let ctx = caller_without_fields(&req, payload, &app, lang).await?;
    app.revoke_device(&ctx, &path.into_inner()).await.core(lang)?;
    Ok(HttpResponse::NoContent().finish())
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;

    use super::*;

    fn basic(user_colon_password: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(user_colon_password)
    }

    /// What `parse_basic` reads from `Basic base64(user_colon_password)`.
    fn read(user_colon_password: &str) -> Result<(String, Option<String>), EdgeProblem> {
        parse_basic(basic(user_colon_password).as_bytes()).map(|c| (c.id, c.secret))
    }

    #[test]
    fn basic_takes_the_client_id_and_a_secret_if_any() {
        assert_eq!(read("my-app:"), Ok(("my-app".to_owned(), None)));
        // RFC 6749 §2.3.1: form-urlencoded before base64.
        assert_eq!(read("my+app%3A1:"), Ok(("my app:1".to_owned(), None)));
        assert_eq!(
            read("app:s%3Ac+r%2Bt"),
            Ok(("app".to_owned(), Some("s:c r+t".to_owned())))
        );
        // Padding left off is read all the same.
        let unpadded = basic("abc:").trim_end_matches('=').to_owned();
        let client = parse_basic(unpadded.as_bytes()).map(|c| c.id);
        assert_eq!(client, Ok("abc".to_owned()));
    }

    #[test]
    fn unreadable_basic_is_refused() {
        assert_eq!(
            parse_basic(b"not base64!").map(|c| c.id),
            Err(EdgeProblem::BasicUnreadable)
        );
        assert_eq!(parse_basic(b"").map(|c| c.id), Err(EdgeProblem::BasicUnreadable));
        for unreadable in ["no-colon", ":", "a%zz:", "a%0A:", "app:%zz"] {
            assert_eq!(read(unreadable), Err(EdgeProblem::BasicUnreadable), "{unreadable}");
        }
    }

    #[test]
    fn form_decoding() {
        assert_eq!(form_decode("a+b%20c%2B").as_deref(), Some("a b c+"));
        assert_eq!(form_decode("%"), None);
        assert_eq!(form_decode("%4"), None);
        assert_eq!(form_decode("%ff"), None);
    }
}
