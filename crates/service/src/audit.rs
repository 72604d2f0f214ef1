//! Building audit events. The use case that makes a change builds the
//! events it records ([`Registrar::event`]) and hands them to the store
//! method that makes the change, which writes them in the same transaction.
//!
//! Where a request came from (its id, the client's address) is the
//! request's, not the use case's: the HTTP edge runs each request inside
//! [`within_request`], and every event built while it runs carries them.
//! Outside a request (the CLI, a background job) events carry neither.

use std::future::Future;
use std::net::IpAddr;

use chrono::Duration;
use registrar_domain::{Actor, AuditEvent, AuditKind, IpRecording, Session, User};
use registrar_mail::Mailer;
use registrar_store::{NewSession, Store};

use crate::Registrar;

/// `audit.*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditSettings {
    /// How much of the client's address an event keeps (`audit.ip`).
    pub ip: IpRecording,
    /// Events older than this are pruned (`audit.retention_days`, 365).
    pub retention: Duration,
    /// Mail "new sign-in on <device>" for a device never seen before
    /// (`audit.new_device_mail`, on).
    pub new_device_mail: bool,
}

impl Default for AuditSettings {
    fn default() -> Self {
        Self {
            ip: IpRecording::Truncated,
            retention: Duration::days(365),
            new_device_mail: true,
        }
    }
}

/// What the edge knows of the request being served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestMeta {
    /// The `X-Request-Id` of the request.
    pub request_id: String,
    /// The client's address (after trusted proxies).
    pub ip: IpAddr,
}

tokio::task_local! {
    static REQUEST: RequestMeta;
}

/// Runs `work` as part of the request `meta`: events built meanwhile
/// carry its id and address.
pub async fn within_request<F: Future>(meta: RequestMeta, work: F) -> F::Output {
    REQUEST.scope(meta, work).await
}

/// The request being served, if any.
pub fn current_request() -> Option<RequestMeta> {
    REQUEST.try_with(Clone::clone).ok()
}

impl<S: Store, M: Mailer> Registrar<S, M> {
    /// A new event of `kind` by `actor`, now, with the current request's id
    /// and address (kept as `audit.ip` says).
    pub fn event(&self, kind: AuditKind, actor: Actor) -> AuditEvent {
        // Time-ordered (UUIDv7, 32 hex digits): the unique index on event
        // ids is then appended to, not written at random pages (an import
        // records a million events in one transaction).
        let id = uuid::Uuid::now_v7().simple().to_string();
        let mut event = AuditEvent::new(id, self.now(), kind, actor);
        if let Some(request) = current_request() {
            event.request_id = Some(request.request_id);
            event.ip = Some(self.settings.audit.ip.record(request.ip, &self.settings.secret_key));
        }
        event
    }

    /// A new event of `kind` about `user`, by the user themselves.
    pub fn user_event(&self, kind: AuditKind, user: &User) -> AuditEvent {
        self.event(kind, Actor::User).about(&user.id, &user.email)
    }

    /// A new event of `kind` about `user` in the session being opened (its
    /// client, device and sign-in method), by the user.
    pub fn new_session_event(&self, kind: AuditKind, user: &User, session: &NewSession) -> AuditEvent {
        let mut event = self
            .user_event(kind, user)
            .with("session_id", session.id.0.clone())
            .with("method", session.sign_in_method.as_str())
            .with("amr", session.sign_in_method.amr().join(" "));
        event.client = Some(session.client_id.clone());
        event.device_id = Some(session.device_id.as_str().to_owned());
        event.device_name = Some(session.device_name.as_str().to_owned());
        event
    }

    /// A new event of `kind` about `user` in `session` (its client and device), by the user.
    pub fn session_event(&self, kind: AuditKind, user: &User, session: &Session) -> AuditEvent {
        let mut event = self.user_event(kind, user).with("session_id", session.id.0.clone());
        event.client = Some(session.client_id.clone());
        event.device_id = Some(session.device_id.as_str().to_owned());
        event.device_name = Some(session.device_name.as_str().to_owned());
        event
    }
}
