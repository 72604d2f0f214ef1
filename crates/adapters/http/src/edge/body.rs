//! Request bodies, the same way for every family: JSON object or
//! `application/x-www-form-urlencoded`, at most 64 KiB, decoded into an
//! [`Object`] (a form key may repeat: `policies=1&policies=2` or
//! `policies[]=1&…` is a list) and then into the endpoint's request type,
//! whose fields follow the contract's rules ([`super::lenient`]).
//! [`read`] is the one reader; a handler calls it after the checks that
//! come first in the contracts (a bearer token, HTTP Basic), so that a bad
//! token is answered before a bad body.
//! A body that does not arrive within `http.body_timeout` is a
//! [`BodyError::Timeout`]: answered 408, and the connection is closed.

use std::time::Duration;

use actix_web::http::{header, ConnectionType};
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use registrar_mail::Mailer;
use registrar_service::{Registrar, ServiceError};
use registrar_store::Store;

use crate::edge::client_ip::Origin;
use serde::de::DeserializeOwned;
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

/// Reads the body into the endpoint's request type `T`.
pub async fn read<T: DeserializeOwned, S: Store, M: Mailer>(
    req: &HttpRequest,
    payload: web::Payload,
    app: &Registrar<S, M>,
) -> Result<T, BodyError> {
    read_object(req, payload, app).await?.parse()
}

/// Reads and decodes the body. An empty body is an empty object whatever its
/// content type (DELETE and logout need none). A body that cannot be read
/// counts against the client's address (`throttle.malformed_per_ip`); once
/// it has sent too many, the answer is [`BodyError::Throttled`].
pub async fn read_object<S: Store, M: Mailer>(
    req: &HttpRequest,
    payload: web::Payload,
    app: &Registrar<S, M>,
) -> Result<Object, BodyError> {
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

async fn read_unthrottled(req: &HttpRequest, mut payload: web::Payload) -> Result<Object, BodyError> {
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
pub fn decode_bytes(content_type: Option<&str>, bytes: &[u8]) -> Result<Object, BodyError> {
    let kind = match content_type {
        None => Kind::Unspecified,
        Some(value) => kind_of(value),
    };
    decode(kind, bytes)
}

fn decode(kind: Kind, bytes: &[u8]) -> Result<Object, BodyError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Object::default());
    }
    match kind {
        Kind::Json => json(bytes),
        Kind::Form => Ok(form(bytes)),
        // No content type at all: accept a JSON object, nothing else.
        Kind::Unspecified => json(bytes).map_err(|_| BodyError::UnsupportedMediaType),
        Kind::Other => Err(BodyError::UnsupportedMediaType),
    }
}

fn json(bytes: &[u8]) -> Result<Object, BodyError> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(Object(map)),
        _ => Err(BodyError::Malformed),
    }
}

fn form(bytes: &[u8]) -> Object {
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
    Object(map)
}

/// A decoded body, before it becomes a request type.
#[derive(Debug, Clone, Default)]
pub struct Object(Map<String, Value>);

impl From<Map<String, Value>> for Object {
    /// A JSON object as it was decoded (tests, fuzzing).
    fn from(object: Map<String, Value>) -> Self {
        Object(object)
    }
}

impl Object {
    /// Whether the body had no fields at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether the key is present at all (even empty or null): how a shared
    /// endpoint tells its families apart.
    pub fn has(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }

    /// One field read by the text rule ([`super::lenient::text`]), without
    /// reading the rest: what picks the request type of a shared endpoint.
    pub fn text(&self, key: &str) -> Option<String> {
        self.0.get(key).and_then(super::lenient::scalar)
    }

    /// The request type of the endpoint. Unknown fields are ignored; the
    /// fields' rules ([`super::lenient`]) never fail, so neither does this
    /// for a request type built on them.
    pub fn parse<T: DeserializeOwned>(self) -> Result<T, BodyError> {
        serde_json::from_value(Value::Object(self.0)).map_err(|_| BodyError::Malformed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(object: &Object, key: &str) -> Option<Vec<Option<i32>>> {
        #[derive(serde::Deserialize)]
        struct Probe {
            #[serde(default, deserialize_with = "crate::edge::lenient::int_list")]
            list: Option<Vec<Option<i32>>>,
        }
        let value = object.0.get(key).cloned().unwrap_or(Value::Null);
        let probe: Probe = serde_json::from_value(serde_json::json!({ "list": value })).expect("lenient");
        probe.list
    }

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
        assert_eq!(list(&f, "policies"), Some(vec![Some(13), Some(10)]));
        assert_eq!(f.0.get("x"), Some(&Value::String(" a ".to_owned())));
        let f = form(b"policies[]=13&policies[]=10");
        assert_eq!(list(&f, "policies"), Some(vec![Some(13), Some(10)]));
        let f = form(b"policies[]=13");
        assert_eq!(list(&f, "policies"), Some(vec![Some(13)]));
        let f = form(b"policies=13");
        assert_eq!(list(&f, "policies"), Some(vec![Some(13)]));
        assert_eq!(list(&form(b"policies=x"), "policies"), Some(vec![None]));
    }

    #[test]
    fn presence_is_presence_even_empty() {
        let f = json(br#"{"usertype": "", "z": null}"#).expect("json");
        assert!(f.has("usertype") && f.has("z") && !f.has("missing"));
    }

    #[test]
    fn one_field_reads_by_the_text_rule() {
        let f = json(br#"{"grant_type": " password ", "n": 4.0, "e": "", "l": ["x"]}"#).expect("json");
        assert_eq!(f.text("grant_type").as_deref(), Some("password"));
        assert_eq!(f.text("n").as_deref(), Some("4"));
        assert_eq!((f.text("e"), f.text("l"), f.text("missing")), (None, None, None));
        let form = form(b"grant_type=refresh_token&grant_type=password");
        assert_eq!(form.text("grant_type"), None, "a repeated key is a list, not text");
    }
}
