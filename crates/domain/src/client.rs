//! API clients: the apps that call Registrar. Each has a `client_id`.

use chrono::{DateTime, Utc};

/// The built-in client of the web pages and `/api/users/login`; exists from the first migration.
pub const WEB_CLIENT_ID: &str = "web";

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientId(String);

impl ClientId {
    /// Client ids are opaque: 1 to 255 visible ASCII characters.
    pub fn parse(input: &str) -> Option<Self> {
        let s = input.trim();
        (!s.is_empty() && s.len() <= 255 && s.bytes().all(|b| b.is_ascii_graphic())).then(|| Self(s.to_owned()))
    }

    pub fn web() -> Self {
        Self(WEB_CLIENT_ID.to_owned())
    }
}

crate::text::text_value!(ClientId, Display);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub id: ClientId,
    pub name: String,
    pub created_at: DateTime<Utc>,
}
