//! The contracts' rules for body fields, as serde `deserialize_with`
//! functions. A request type derives `Deserialize` once and names the rule
//! of each field next to it:
//!
//! - [`text`]: a trimmed string; an empty one is missing; a number or a
//!   boolean given where text is expected is its text (`4285.0` is `4285`);
//!   a list or an object is missing (the field's own error, later).
//! - [`int_list`]: a list of integers; a single value is a list of one
//!   (a form repeats the key: `policies=1&policies=2` or `policies[]=1&…`);
//!   digits given as text are integers; an entry that is no integer is
//!   `None` (the field's error, later); an empty string or `null` is missing.
//! - [`patch`]: for partial updates, with `#[serde(default)]`: absent or
//!   empty keeps the value, `null` clears it, anything else sets it.
//!
//! None of them fails: a field never makes a body unreadable, so every
//! field's problem can be reported at once by the parse step.

use registrar_service::Patch;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// A trimmed, non-empty scalar as text.
pub(crate) fn scalar(value: &Value) -> Option<String> {
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

/// See the module: a trimmed string, empty is missing.
pub fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<Value>::deserialize(deserializer)?.as_ref().and_then(scalar))
}

/// See the module: a list of integers, a single value a list of one.
pub fn int_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Vec<Option<i32>>>, D::Error> {
    fn int(v: &Value) -> Option<i32> {
        match v {
            Value::Number(n) => integral(n).and_then(|i| i32::try_from(i).ok()),
            Value::String(s) => s.trim().parse::<i32>().ok(),
            _ => None,
        }
    }
    Ok(match Option::<Value>::deserialize(deserializer)? {
        None | Some(Value::Null) => None,
        Some(Value::Array(list)) => Some(list.iter().map(int).collect()),
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(single) => Some(vec![int(&single)]),
    })
}

/// See the module: `null` clears, a value sets, empty keeps. Absent is
/// [`Patch::Keep`] through `#[serde(default)]`.
pub fn patch<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Patch<String>, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::Null => Patch::Clear,
        v => scalar(&v).map_or(Patch::Keep, Patch::Set),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)] // test code
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    struct Sample {
        #[serde(deserialize_with = "text")]
        a: Option<String>,
        #[serde(deserialize_with = "text")]
        b: Option<String>,
        #[serde(deserialize_with = "text")]
        n: Option<String>,
        #[serde(deserialize_with = "text")]
        c: Option<String>,
        #[serde(deserialize_with = "text")]
        h: Option<String>,
        #[serde(deserialize_with = "text")]
        list_as_text: Option<String>,
        #[serde(deserialize_with = "int_list")]
        l: Option<Vec<Option<i32>>>,
        #[serde(deserialize_with = "int_list")]
        big: Option<Vec<Option<i32>>>,
        #[serde(deserialize_with = "int_list")]
        one: Option<Vec<Option<i32>>>,
        #[serde(deserialize_with = "patch")]
        z: Patch<String>,
        #[serde(deserialize_with = "patch")]
        empty: Patch<String>,
        #[serde(deserialize_with = "patch")]
        missing: Patch<String>,
        #[serde(deserialize_with = "patch")]
        set: Patch<String>,
    }

    fn sample(json: &str) -> Sample {
        serde_json::from_str(json).expect("lenient fields never fail")
    }

    #[test]
    fn trims_and_treats_empty_as_missing() {
        let s = sample(r#"{"a": "  ", "b": " x ", "n": 5, "list_as_text": ["x"], "l": [1, "2", "z"]}"#);
        assert_eq!(s.a, None);
        assert_eq!(s.b.as_deref(), Some("x"));
        assert_eq!(s.n.as_deref(), Some("5"));
        assert_eq!(s.list_as_text, None);
        assert_eq!(s.l, Some(vec![Some(1), Some(2), None]));
    }

    #[test]
    fn integral_numbers_are_integers() {
        let s = sample(r#"{"c": 4285.0, "h": 1.5, "l": [2.0, 2.5], "big": 1e300, "one": "7"}"#);
        assert_eq!(s.c.as_deref(), Some("4285"));
        assert_eq!(s.h.as_deref(), Some("1.5"));
        assert_eq!(s.l, Some(vec![Some(2), None]));
        assert_eq!(s.big, Some(vec![None]));
        assert_eq!(s.one, Some(vec![Some(7)]));
    }

    #[test]
    fn patches_tell_null_from_absent() {
        let s = sample(r#"{"z": null, "empty": " ", "set": " v "}"#);
        assert_eq!(s.z, Patch::Clear);
        assert_eq!(s.empty, Patch::Keep);
        assert_eq!(s.missing, Patch::Keep);
        assert_eq!(s.set, Patch::Set("v".to_owned()));
    }
}
