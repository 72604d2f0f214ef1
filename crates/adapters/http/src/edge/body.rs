//! Request bodies, the same way for every family: JSON object or
//! `application/x-www-form-urlencoded`, at most 64 KiB, decoded into
//! [`Fields`] — a bag of trimmed values where an empty string is missing and
//! a form key may repeat (`policies=1&policies=2` or `policies[]=1&…`).
//! A body that does not arrive within `http.body_timeout` is a
//! [`BodyError::Timeout`]: answered 408, and the connection is closed.

use std::time::Duration;

use actix_web::http::{header, ConnectionType};
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use registrar_mail::Mailer;
use registrar_service::{Patch, Registrar, ServiceError};
use registrar_store::Store;

use crate::edge::client_ip::Origin;
use serde_json::{Map, Value};

/// Largest body we read.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// How long a whole body may take to arrive (`http.body_timeout`), from the
/// moment the handler starts reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyTimeout(pub Duration);

impl Default for BodyTimeout {
    fn default() -> Self {
        Self(Duration::from_secs(20))
    }
}

/// Marks an answer to a body that did not arrive in time: the connection
/// is closed after it (what is still to come of the body is never read).
pub fn closing(mut response: HttpResponse) -> HttpResponse {
    response.head_mut().set_connection_type(ConnectionType::Close);
    response
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("the body is not valid JSON or not an object")]
    Malformed,
    #[error("unsupported content type")]
    UnsupportedMediaType,
    #[error("the body is larger than 64 KiB")]
    TooLarge,
    /// This client sent too many unreadable bodies: try again in so many seconds.
    #[error("too many unreadable bodies")]
    Throttled(u64),
    /// The body did not arrive within `http.body_timeout`.
    #[error("the body did not arrive in time")]
    Timeout,
}

impl BodyError {
    /// Seconds for `Retry-After`, on [`BodyError::Throttled`].
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Self::Throttled(seconds) => Some(*seconds),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Json,
    Form,
    Unspecified,
    Other,
}

fn kind(req: &HttpRequest) -> Kind {
    let Some(value) = req.headers().get(header::CONTENT_TYPE) else {
        return Kind::Unspecified;
    };
    let Ok(value) = value.to_str() else { return Kind::Other };
    kind_of(value)
}

fn kind_of(value: &str) -> Kind {
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    match essence.as_str() {
        "application/json" => Kind::Json,
        e if e.starts_with("application/") && e.ends_with("+json") => Kind::Json,
        "application/x-www-form-urlencoded" => Kind::Form,
        "" => Kind::Unspecified,
        _ => Kind::Other,
    }
}

/// Reads and decodes the body. An empty body is an empty bag whatever its
/// content type (DELETE and logout need none). A body that cannot be read
/// counts against the client's address (`throttle.malformed_per_ip`); once
/// it has sent too many, the answer is [`BodyError::Throttled`].
pub async fn read<S: Store, M: Mailer>(
    req: &HttpRequest,
    payload: web::Payload,
    app: &Registrar<S, M>,
) -> Result<Fields, BodyError> {
    match read_unthrottled(req, payload).await {
        Err(e @ (BodyError::Malformed | BodyError::UnsupportedMediaType)) => {
            match app.malformed_body(Origin::of(req).0).await {
                Err(ServiceError::TooManyAttempts { retry_after }) => Err(BodyError::Throttled(retry_after)),
                // Counting failed (database down): the client still hears what was wrong.
                Ok(()) | Err(_) => Err(e),
            }
        }
        other => other,
    }
}

async fn read_unthrottled(req: &HttpRequest, mut payload: web::Payload) -> Result<Fields, BodyError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(BodyError::TooLarge);
    }
    let timeout = req
        .app_data::<web::Data<BodyTimeout>>()
        .map_or_else(BodyTimeout::default, |t| *t.get_ref());
    let receive = async {
        let mut bytes = web::BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|_| BodyError::Malformed)?;
            if bytes.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(BodyError::TooLarge);
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    };
    let bytes = actix_web::rt::time::timeout(timeout.0, receive)
        .await
        .map_err(|_| BodyError::Timeout)??;
    decode(kind(req), &bytes)
}

/// Decodes `bytes` sent with this `Content-Type` (`None`: no header), as
/// [`read`] does once the body is in. Public for the fuzz targets.
pub fn decode_bytes(content_type: Option<&str>, bytes: &[u8]) -> Result<Fields, BodyError> {
    let kind = match content_type {
        None => Kind::Unspecified,
        Some(value) => kind_of(value),
    };
    decode(kind, bytes)
}

fn decode(kind: Kind, bytes: &[u8]) -> Result<Fields, BodyError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Fields::default());
    }
    match kind {
        Kind::Json => json(bytes),
        Kind::Form => Ok(form(bytes)),
        // No content type at all: accept a JSON object, nothing else.
        Kind::Unspecified => json(bytes).map_err(|_| BodyError::UnsupportedMediaType),
        Kind::Other => Err(BodyError::UnsupportedMediaType),
    }
}

fn json(bytes: &[u8]) -> Result<Fields, BodyError> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(Fields(map)),
        _ => Err(BodyError::Malformed),
    }
}

fn form(bytes: &[u8]) -> Fields {
    let mut map = Map::new();
    for (key, value) in form_urlencoded::parse(bytes) {
        let (key, bracketed) = match key.strip_suffix("[]") {
            Some(k) => (k.to_owned(), true),
            None => (key.into_owned(), false),
        };
        let value = Value::String(value.into_owned());
        match map.get_mut(&key) {
            Some(Value::Array(list)) => list.push(value),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, value]);
            }
            None if bracketed => {
                map.insert(key, Value::Array(vec![value]));
            }
            None => {
                map.insert(key, value);
            }
        }
    }
    Fields(map)
}

/// A decoded body. Unknown fields are simply never asked for.
#[derive(Debug, Clone, Default)]
pub struct Fields(Map<String, Value>);

#[cfg(test)]
impl From<Map<String, Value>> for Fields {
    /// A JSON object as it was decoded (tests).
    fn from(object: Map<String, Value>) -> Self {
        Fields(object)
    }
}

fn scalar(value: &Value) -> Option<String> {
    let s = match value {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => integral(n).map_or_else(|| n.to_string(), |i| i.to_string()),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

/// A JSON number that is an integer in JSON Schema's sense (`4`, and `4.0`
/// too), as one; `None` for a fraction or one beyond `i64`.
// The cast is of a whole number within i64's range, checked just before it.
#[allow(clippy::cast_possible_truncation)]
fn integral(n: &serde_json::Number) -> Option<i64> {
    n.as_i64().or_else(|| {
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && *f >= i64::MIN as f64 && *f < i64::MAX as f64)
            .map(|f| f as i64)
    })
}

impl Fields {
    /// Whether the body had no fields at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether the key is present at all (even empty or null).
    pub fn has(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }

    /// A trimmed, non-empty scalar; numbers and booleans as text. A list
    /// counts as missing for a scalar field.
    pub fn string(&self, key: &str) -> Option<String> {
        self.0.get(key).and_then(scalar)
    }

    /// A list of integers: `None` when missing; a single value is a list of
    /// one; entries that are not integers are `None` (a field error later).
    pub fn int_list(&self, key: &str) -> Option<Vec<Option<i32>>> {
        fn int(v: &Value) -> Option<i32> {
            match v {
                Value::Number(n) => integral(n).and_then(|i| i32::try_from(i).ok()),
                Value::String(s) => s.trim().parse::<i32>().ok(),
                _ => None,
            }
        }
        match self.0.get(key)? {
            Value::Null => None,
            Value::Array(list) => Some(list.iter().map(int).collect()),
            Value::String(s) if s.trim().is_empty() => None,
            single => Some(vec![int(single)]),
        }
    }

    /// For partial updates: absent or empty → keep; `null` → clear; else set.
    pub fn patch(&self, key: &str) -> Patch<String> {
        match self.0.get(key) {
            None => Patch::Keep,
            Some(Value::Null) => Patch::Clear,
            Some(v) => scalar(v).map_or(Patch::Keep, Patch::Set),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_objects_only() {
        assert!(json(b"{\"a\": 1}").is_ok());
        assert_eq!(json(b"[1]").err(), Some(BodyError::Malformed));
        assert_eq!(json(b"{").err(), Some(BodyError::Malformed));
        assert_eq!(decode(Kind::Other, b"a=1").err(), Some(BodyError::UnsupportedMediaType));
        assert_eq!(
            decode(Kind::Unspecified, b"a=1").err(),
            Some(BodyError::UnsupportedMediaType)
        );
        assert!(decode(Kind::Other, b"").is_ok());
    }

    #[test]
    fn form_lists_both_ways() {
        let f = form(b"policies=13&policies=10&x=+a+");
        assert_eq!(f.int_list("policies"), Some(vec![Some(13), Some(10)]));
        assert_eq!(f.string("x").as_deref(), Some("a"));
        let f = form(b"policies[]=13&policies[]=10");
        assert_eq!(f.int_list("policies"), Some(vec![Some(13), Some(10)]));
        let f = form(b"policies[]=13");
        assert_eq!(f.int_list("policies"), Some(vec![Some(13)]));
        let f = form(b"policies=13");
        assert_eq!(f.int_list("policies"), Some(vec![Some(13)]));
        assert_eq!(form(b"policies=x").int_list("policies"), Some(vec![None]));
    }

    #[test]
    fn trims_and_treats_empty_as_missing() {
        let f = json(br#"{"a": "  ", "b": " x ", "n": 5, "l": [1, "2", "z"], "z": null}"#).expect("json");
        assert_eq!(f.string("a"), None);
        assert_eq!(f.string("b").as_deref(), Some("x"));
        assert_eq!(f.string("n").as_deref(), Some("5"));
        assert_eq!(f.int_list("l"), Some(vec![Some(1), Some(2), None]));
        assert_eq!(f.patch("z"), Patch::Clear);
        assert_eq!(f.patch("a"), Patch::Keep);
        assert_eq!(f.patch("missing"), Patch::Keep);
    }

    #[test]
    fn integral_numbers_are_integers() {
        let f = json(br#"{"c": 4285.0, "h": 1.5, "l": [2.0, 2.5], "big": 1e300}"#).expect("json");
        assert_eq!(f.string("c").as_deref(), Some("4285"));
        assert_eq!(f.string("h").as_deref(), Some("1.5"));
        assert_eq!(f.int_list("l"), Some(vec![Some(2), None]));
        assert_eq!(f.int_list("big"), Some(vec![None]));
    }
}
