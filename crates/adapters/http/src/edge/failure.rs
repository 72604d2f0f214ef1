//! One failure classification for every family. [`classify`] turns what
//! went wrong (a service error, an unreadable body, a refusal of the HTTP
//! layer) into a [`Failure`]; [`respond`] turns a failure into the answer:
//! the status, `Retry-After` on 429 and 503, `Cache-Control: no-store`, the
//! closed connection after a body timeout, and the log line of a 500 or 503
//! (inside the request's span, so it carries the request id). A family
//! supplies only what differs: its body shape, its codes and messages, and
//! the status of each refusal ([`Family`]).

use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;
use registrar_service::{FieldErrors, MfaChallenge, ServiceError};

use crate::edge::body::BodyError;

/// What went wrong, owned: what a family's error type carries.
#[derive(Debug)]
pub enum Problem {
    Service(ServiceError),
    Body(BodyError),
    /// A failure the HTTP layer itself finds (tokens and client authentication).
    Edge(EdgeProblem),
}

/// What the HTTP layer refuses before (or instead of) asking the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeProblem {
    /// No `Authorization: Bearer` token at all: 401 with a bare `Bearer`
    /// challenge (a presented but bad token is the service's `InvalidToken`).
    MissingToken,
    /// `Authorization: Basic` that cannot be read (not base64, no `:`, bad
    /// form-encoding, no client id): 401 `invalid_client` with a `Basic` challenge.
    BasicUnreadable,
    /// `Authorization: Basic` with a password for a public client (or an
    /// unknown one), which has no secret: 401 `invalid_client` with a `Basic` challenge.
    BasicSecret,
    /// A confidential client's wrong secret in `Authorization: Basic`: 401
    /// `invalid_client` with a `Basic` challenge (RFC 6749 §5.2).
    BasicSecretRefused,
    /// A confidential client named in the body with a wrong `client_secret`,
    /// or none: 401 `invalid_client`, no challenge (Basic was not used).
    ClientSecretRefused,
    /// A secret both in `Authorization: Basic` and as `client_secret`: 400
    /// `invalid_request` (one method per request, RFC 6749 §2.3).
    TwoClientAuthentications,
    /// `Authorization: Basic` naming a client we do not know: 401 `invalid_client`.
    BasicUnknownClient,
    /// A `client_id` in the body and another one in `Authorization: Basic`: 400 `invalid_request`.
    ClientIdMismatch,
    /// An OAuth endpoint's required `token` parameter is missing: 400 `invalid_request`.
    NoToken,
    /// A live access token whose scope lacks what the endpoint needs
    /// (`openid` at `/userinfo`): 403 `insufficient_scope` with a Bearer
    /// challenge naming the scope (RFC 6750 §3.1).
    InsufficientScope,
}

impl EdgeProblem {
    pub fn code(self) -> &'static str {
        match self {
            Self::MissingToken => "invalid_token",
            Self::BasicUnreadable
            | Self::BasicSecret
            | Self::BasicUnknownClient
            | Self::BasicSecretRefused
            | Self::ClientSecretRefused => "invalid_client",
            Self::ClientIdMismatch | Self::TwoClientAuthentications | Self::NoToken => "invalid_request",
            Self::InsufficientScope => "insufficient_scope",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            Self::ClientIdMismatch | Self::TwoClientAuthentications | Self::NoToken => StatusCode::BAD_REQUEST,
            Self::InsufficientScope => StatusCode::FORBIDDEN,
            _ => StatusCode::UNAUTHORIZED,
        }
    }

    /// The catalogue key of the message.
    pub fn message_key(self) -> &'static str {
        match self {
            Self::MissingToken => "error.invalid_token",
            Self::BasicUnreadable => "error.client_auth_unreadable",
            Self::BasicSecret => "error.client_secret",
            Self::BasicUnknownClient => "error.invalid_client",
            Self::ClientIdMismatch => "error.client_id_mismatch",
            Self::BasicSecretRefused | Self::ClientSecretRefused => "error.client_authentication",
            Self::TwoClientAuthentications => "error.client_auth_twice",
            Self::NoToken => "error.token_parameter_missing",
            Self::InsufficientScope => "error.insufficient_scope",
        }
    }

    /// The `WWW-Authenticate` challenge that goes with it, if any.
    pub fn challenge(self) -> Option<&'static str> {
        match self {
            Self::MissingToken => Some("Bearer"),
            Self::BasicUnreadable | Self::BasicSecret | Self::BasicUnknownClient | Self::BasicSecretRefused => {
                Some(BASIC_CHALLENGE)
            }
            Self::InsufficientScope => Some(INSUFFICIENT_SCOPE_CHALLENGE),
            Self::ClientIdMismatch | Self::ClientSecretRefused | Self::TwoClientAuthentications | Self::NoToken => None,
        }
    }
}

/// The challenge of a token without the `openid` scope at `/userinfo`
/// (RFC 6750 §3.1; OpenID Connect Core §5.3.3).
pub const INSUFFICIENT_SCOPE_CHALLENGE: &str = "Bearer error=\"insufficient_scope\", scope=\"openid\"";

/// The challenge of a refused HTTP Basic client authentication (RFC 6749 §5.2).
pub const BASIC_CHALLENGE: &str = "Basic realm=\"registrar\", charset=\"UTF-8\"";

impl From<EdgeProblem> for Problem {
    fn from(e: EdgeProblem) -> Self {
        Problem::Edge(e)
    }
}

impl From<ServiceError> for Problem {
    fn from(e: ServiceError) -> Self {
        Problem::Service(e)
    }
}

impl From<BodyError> for Problem {
    fn from(e: BodyError) -> Self {
        Problem::Body(e)
    }
}

/// What went wrong, borrowed: what [`classify`] and [`respond`] read.
#[derive(Debug, Clone, Copy)]
pub enum Cause<'a> {
    Service(&'a ServiceError),
    Body(BodyError),
    Edge(EdgeProblem),
}

impl<'a> From<&'a Problem> for Cause<'a> {
    fn from(problem: &'a Problem) -> Self {
        match problem {
            Problem::Service(e) => Cause::Service(e),
            Problem::Body(e) => Cause::Body(*e),
            Problem::Edge(e) => Cause::Edge(*e),
        }
    }
}

impl<'a> From<&'a ServiceError> for Cause<'a> {
    fn from(e: &'a ServiceError) -> Self {
        Cause::Service(e)
    }
}

impl From<BodyError> for Cause<'_> {
    fn from(e: BodyError) -> Self {
        Cause::Body(e)
    }
}

/// A request understood and refused: each family answers it with a status
/// of its own choosing ([`Family::refusal_status`]).
#[derive(Debug, Clone, Copy)]
pub enum Refusal<'a> {
    /// Every failing field with its problems.
    Invalid(&'a FieldErrors),
    InvalidClient,
    InvalidGrant,
    UnsupportedGrantType,
    InvalidToken,
    EmailNotConfirmed,
    AccountDisabled,
    NotFound,
    AlreadyConfirmed,
    WrongCode,
    InvalidLink,
    /// A correct first factor on an account with a second one: the answer
    /// carries the challenge's `mfa_token` and factors.
    MfaRequired(&'a MfaChallenge),
    /// Enrolling a factor that is already on.
    FactorEnabled,
    /// Refused by the HTTP layer itself.
    Edge(EdgeProblem),
}

/// How a request failed. Every kind but [`Failure::Refused`] has the same
/// status in every family.
#[derive(Debug, Clone, Copy)]
pub enum Failure<'a> {
    Refused(Refusal<'a>),
    /// 429: throttled (by the use case, or for too many unreadable bodies).
    TooManyAttempts {
        retry_after: u64,
    },
    /// 413: the body is over the limit.
    BodyTooLarge,
    /// 415: neither JSON nor a form.
    UnsupportedMediaType,
    /// 400: the body cannot be read.
    Malformed,
    /// 408: the body did not arrive in time (and the connection is closed).
    Timeout,
    /// 503: the database is unavailable or password hashing saturated; logged.
    Unavailable {
        retry_after: u64,
    },
    /// 500: a failure of ours; logged, the client is told nothing more.
    Fault,
}

/// The one classification: pure, no I/O.
pub fn classify(cause: Cause<'_>) -> Failure<'_> {
    match cause {
        Cause::Body(e) => classify_body(e),
        Cause::Edge(e) => Failure::Refused(Refusal::Edge(e)),
        Cause::Service(e) => match e {
            ServiceError::Invalid(errors) => Failure::Refused(Refusal::Invalid(errors)),
            ServiceError::InvalidClient => Failure::Refused(Refusal::InvalidClient),
            ServiceError::InvalidGrant => Failure::Refused(Refusal::InvalidGrant),
            ServiceError::UnsupportedGrantType => Failure::Refused(Refusal::UnsupportedGrantType),
            ServiceError::InvalidToken => Failure::Refused(Refusal::InvalidToken),
            ServiceError::EmailNotConfirmed => Failure::Refused(Refusal::EmailNotConfirmed),
            ServiceError::AccountDisabled => Failure::Refused(Refusal::AccountDisabled),
            ServiceError::NotFound => Failure::Refused(Refusal::NotFound),
            ServiceError::AlreadyConfirmed => Failure::Refused(Refusal::AlreadyConfirmed),
            ServiceError::WrongCode => Failure::Refused(Refusal::WrongCode),
            ServiceError::InvalidLink => Failure::Refused(Refusal::InvalidLink),
            ServiceError::MfaRequired(challenge) => Failure::Refused(Refusal::MfaRequired(challenge)),
            ServiceError::FactorEnabled => Failure::Refused(Refusal::FactorEnabled),
            ServiceError::TooManyAttempts { retry_after } => Failure::TooManyAttempts {
                retry_after: *retry_after,
            },
            ServiceError::Unavailable(_) | ServiceError::Busy => Failure::Unavailable {
                retry_after: ServiceError::UNAVAILABLE_RETRY_AFTER,
            },
            ServiceError::Unexpected(_) => Failure::Fault,
        },
    }
}

/// An unreadable body, classified.
pub fn classify_body(e: BodyError) -> Failure<'static> {
    match e {
        BodyError::Malformed => Failure::Malformed,
        BodyError::UnsupportedMediaType => Failure::UnsupportedMediaType,
        BodyError::TooLarge => Failure::BodyTooLarge,
        BodyError::Throttled(retry_after) => Failure::TooManyAttempts { retry_after },
        BodyError::Timeout => Failure::Timeout,
    }
}

impl Failure<'_> {
    /// The status of every kind but a refusal, whose status is the family's.
    pub fn status(&self) -> Option<StatusCode> {
        Some(match self {
            Self::Refused(_) => return None,
            Self::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Malformed => StatusCode::BAD_REQUEST,
            Self::Timeout => StatusCode::REQUEST_TIMEOUT,
            Self::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Fault => StatusCode::INTERNAL_SERVER_ERROR,
        })
    }

    /// Seconds for `Retry-After`: when the lock ends (429), when to look again (503).
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Self::TooManyAttempts { retry_after } | Self::Unavailable { retry_after } => Some(*retry_after),
            _ => None,
        }
    }
}

/// What a family supplies: the status of each refusal and the body of each failure.
pub trait Family {
    /// The status of a refusal; `None` where the family has no answer for
    /// it, which is then answered (and logged) as a [`Failure::Fault`].
    fn refusal_status(&self, refusal: &Refusal<'_>) -> Option<StatusCode>;

    /// The answer with this status for this failure (body and any header
    /// of the family's own, such as `WWW-Authenticate`).
    fn answer(&self, failure: &Failure<'_>, status: StatusCode) -> HttpResponse;

    /// Whether a failure is answered with `Cache-Control: no-store`.
    fn no_store(&self) -> bool {
        true
    }
}

/// The failure as `family` answers it, with its status: a refusal the
/// family has no status for is a fault.
pub fn resolve<'a, F: Family + ?Sized>(family: &F, cause: Cause<'a>) -> (Failure<'a>, StatusCode) {
    let failure = classify(cause);
    match (failure, failure.status()) {
        (_, Some(status)) => (failure, status),
        (Failure::Refused(refusal), None) => match family.refusal_status(&refusal) {
            Some(status) => (failure, status),
            None => (Failure::Fault, StatusCode::INTERNAL_SERVER_ERROR),
        },
        (_, None) => (Failure::Fault, StatusCode::INTERNAL_SERVER_ERROR),
    }
}

/// The one way a failure becomes an answer.
pub fn respond<'a, F: Family + ?Sized>(family: &F, cause: impl Into<Cause<'a>>) -> HttpResponse {
    let cause = cause.into();
    let (failure, status) = resolve(family, cause);
    if matches!(failure, Failure::Fault | Failure::Unavailable { .. }) {
        log(cause, status);
    }
    let mut response = family.answer(&failure, status);
    if family.no_store() {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    }
    finish(response, &failure)
}

/// Adds what every answer to `failure` carries beyond its body: `Retry-After`,
/// and a closed connection after a body that did not arrive in time.
pub fn finish(response: HttpResponse, failure: &Failure<'_>) -> HttpResponse {
    let response = with_retry_after(response, failure.retry_after());
    match failure {
        Failure::Timeout => crate::edge::body::closing(response),
        _ => response,
    }
}

/// Sets `Retry-After` (seconds) on a refusal that is temporary: a 429 says
/// when the lock ends, a 503 when to look again.
fn with_retry_after(mut response: HttpResponse, seconds: Option<u64>) -> HttpResponse {
    if let Some(seconds) = seconds {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
    }
    response
}

/// Logs a server-side failure with its whole cause chain; clients get none of it.
fn log(cause: Cause<'_>, status: StatusCode) {
    let chain = match cause {
        Cause::Service(error) => {
            let mut chain = error.to_string();
            let mut source = std::error::Error::source(error);
            while let Some(cause) = source {
                chain.push_str(": ");
                chain.push_str(&cause.to_string());
                source = cause.source();
            }
            chain
        }
        Cause::Body(e) => e.to_string(),
        Cause::Edge(e) => format!("{e:?}"),
    };
    tracing::error!(error = %chain, status = status.as_u16(), "request failed on our side");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outages_and_locks_say_when_to_come_back() {
        let busy = classify(Cause::Service(&ServiceError::Busy));
        assert_eq!(busy.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
        assert_eq!(busy.retry_after(), Some(ServiceError::UNAVAILABLE_RETRY_AFTER));
        let locked = classify(Cause::Body(BodyError::Throttled(7)));
        assert_eq!(locked.status(), Some(StatusCode::TOO_MANY_REQUESTS));
        assert_eq!(locked.retry_after(), Some(7));
        let unexpected = ServiceError::Unexpected("boom".into());
        let fault = classify(Cause::Service(&unexpected));
        assert_eq!(fault.status(), Some(StatusCode::INTERNAL_SERVER_ERROR));
        assert_eq!(fault.retry_after(), None);
    }

    #[test]
    fn body_failures_have_one_status_each() {
        for (e, status) in [
            (BodyError::Malformed, StatusCode::BAD_REQUEST),
            (BodyError::UnsupportedMediaType, StatusCode::UNSUPPORTED_MEDIA_TYPE),
            (BodyError::TooLarge, StatusCode::PAYLOAD_TOO_LARGE),
            (BodyError::Timeout, StatusCode::REQUEST_TIMEOUT),
        ] {
            assert_eq!(classify_body(e).status(), Some(status));
        }
    }

    /// Knows only "not found"; answers with an empty body.
    struct OnlyNotFound;

    impl Family for OnlyNotFound {
        fn refusal_status(&self, refusal: &Refusal<'_>) -> Option<StatusCode> {
            matches!(refusal, Refusal::NotFound).then_some(StatusCode::NOT_FOUND)
        }

        fn answer(&self, _: &Failure<'_>, status: StatusCode) -> HttpResponse {
            HttpResponse::build(status).finish()
        }
    }

    #[test]
    fn refusals_take_the_family_status_and_unknown_ones_are_faults() {
        assert!(classify(Cause::Service(&ServiceError::NotFound)).status().is_none());
        assert!(classify(Cause::Edge(EdgeProblem::MissingToken)).status().is_none());
        let not_found = respond(&OnlyNotFound, &ServiceError::NotFound);
        assert_eq!(not_found.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            not_found.headers().get(header::CACHE_CONTROL).map(|v| v.as_bytes()),
            Some(&b"no-store"[..])
        );
        let (failure, status) = resolve(&OnlyNotFound, Cause::Service(&ServiceError::InvalidGrant));
        assert!(matches!(failure, Failure::Fault));
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn the_answer_carries_retry_after_and_closes_after_a_timeout() {
        let busy = respond(&OnlyNotFound, &ServiceError::Busy);
        assert_eq!(busy.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            busy.headers().get(header::RETRY_AFTER).map(|v| v.as_bytes()),
            Some(&b"60"[..])
        );
        let late = respond(&OnlyNotFound, BodyError::Timeout);
        assert_eq!(late.status(), StatusCode::REQUEST_TIMEOUT);
        assert_eq!(late.head().connection_type(), actix_web::http::ConnectionType::Close);
    }
}
