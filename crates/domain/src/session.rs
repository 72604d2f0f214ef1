//! Sessions: one (user, client, device) holding at most one live token pair.

use chrono::{DateTime, Utc};

use crate::text::{bounded_text, TextError};
use crate::{ClientId, UserId};
use std::fmt;

bounded_text!(
    /// The app's id for the device it runs on, 1 to 255 characters.
    DeviceId,
    255
);
bounded_text!(
    /// A human name for the device ("Simon's iPhone"), 1 to 255 characters.
    DeviceName,
    255
);

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId(pub String);

/// A session as stored, without its secrets (only their hashes are stored
/// and they stay in the store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: SessionId,
    pub user_id: UserId,
    pub client_id: ClientId,
    pub device_id: DeviceId,
    pub device_name: DeviceName,
    pub created_at: DateTime<Utc>,
    /// Last time a token of this session was issued, refreshed or used.
    pub last_used_at: DateTime<Utc>,
    pub access_expires_at: DateTime<Utc>,
    /// Last issue or rotation of the refresh token; the idle TTL counts from here.
    pub refreshed_at: DateTime<Utc>,
}
