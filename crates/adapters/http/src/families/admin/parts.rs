//! What every admin handler shares: reading a JSON body, a page's limit
//! and a time; refusing control characters; answering uncached; the
//! cursor of the next page.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponseBuilder};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;

use super::AdminError;
use crate::edge::body::MAX_BODY_BYTES;

/// The raw body of an admin call, at most 64 KiB (read after the key is checked).
pub async fn body_bytes(payload: web::Payload) -> Result<web::Bytes, AdminError> {
    payload
        .to_bytes_limited(MAX_BODY_BYTES)
        .await
        .map_err(|_| AdminError::BadRequest("The body is larger than 64 KiB.".into()))?
        .map_err(|_| AdminError::BadRequest("The body could not be read.".into()))
}

/// A JSON object body of an admin call: 400 with serde's reason when it does not fit.
pub async fn json_body<T: DeserializeOwned>(payload: web::Payload) -> Result<T, AdminError> {
    let bytes = body_bytes(payload).await?;
    let value: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| AdminError::BadRequest(format!("The body is not JSON: {e}.")))?;
    if !value.is_object() {
        return Err(AdminError::BadRequest("The body is not a JSON object.".into()));
    }
    serde_json::from_value(value)
        .map_err(|e| AdminError::BadRequest(format!("The body is not the JSON expected: {e}.")))
}

/// The default and the largest page.
pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 1000;

/// `limit`: 1 to [`MAX_LIMIT`], [`DEFAULT_LIMIT`] when absent.
pub fn page_limit(value: Option<&str>) -> Result<usize, AdminError> {
    match value {
        None => Ok(DEFAULT_LIMIT),
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| AdminError::invalid("limit", format!("an integer from 1 to {MAX_LIMIT}"))),
    }
}

/// An RFC 3339 time, or the field named as not one.
pub fn instant(field: &'static str, text: &str) -> Result<DateTime<Utc>, AdminError> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|_| AdminError::invalid(field, "an RFC 3339 time, e.g. 2026-12-12T08:00:00Z"))
}

/// Refuses a parameter holding control characters, naming it.
pub fn plain(field: &'static str, text: &str) -> Result<(), AdminError> {
    if registrar_domain::text::has_control_characters(text) {
        Err(AdminError::invalid(field, "must not contain control characters"))
    } else {
        Ok(())
    }
}

/// An answer no cache keeps (`Cache-Control: no-store`): admin answers
/// name accounts or hold a secret shown once.
pub fn no_store(status: StatusCode) -> HttpResponseBuilder {
    let mut answer = HttpResponseBuilder::new(status);
    answer.insert_header(("Cache-Control", "no-store"));
    answer
}

/// The `next_cursor` of a page asked with `limit`: the last item's, when
/// the page is full (a short page is the last).
pub fn next_cursor<T>(page: &[T], limit: usize, cursor: impl FnOnce(&T) -> String) -> Option<String> {
    if page.len() == limit {
        page.last().map(cursor)
    } else {
        None
    }
}
