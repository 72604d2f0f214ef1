//! The port through which webhooks leave: one HTTP POST to an endpoint.
//!
//! The service signs and retries; a transport only sends, and refuses what
//! it must not reach (see the adapter `registrar-webhook-http`: no
//! redirects, a timeout per call, no private addresses unless allowed).

use std::time::Duration;

use async_trait::async_trait;

/// Why a POST got no HTTP answer. The messages never hold the body nor a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The URL is not an absolute `http(s)` URL the transport can use.
    #[error("bad webhook URL: {0}")]
    BadUrl(String),
    /// The endpoint resolves only to addresses the transport may not reach
    /// (loopback, private, link-local, …).
    #[error("refused: {0}")]
    Refused(String),
    #[error("timed out")]
    Timeout,
    /// Connecting or talking failed (DNS, TCP, TLS, HTTP).
    #[error("transport error: {0}")]
    Transport(String),
}

/// Sends one webhook.
#[async_trait]
pub trait WebhookTransport: Send + Sync {
    /// POSTs `body` with `headers` to `url`, waiting at most `timeout` in
    /// all; answers the HTTP status (redirects are not followed: a 3xx is
    /// the answer).
    async fn post(
        &self,
        url: &str,
        headers: &[(String, String)],
        body: &str,
        timeout: Duration,
    ) -> Result<u16, SendError>;
}

/// A transport that refuses everything: for a server without webhooks configured.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoWebhooks;

#[async_trait]
impl WebhookTransport for NoWebhooks {
    async fn post(&self, _: &str, _: &[(String, String)], _: &str, _: Duration) -> Result<u16, SendError> {
        Err(SendError::Refused("no webhook transport".into()))
    }
}
