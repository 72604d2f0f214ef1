//! [`WebhookTransport`] over HTTP(S) with reqwest: redirects are never
//! followed, every call has its timeout, and — unless `allow_private` —
//! no connection is made to a loopback, private, link-local, CGNAT,
//! unspecified or multicast address (nor their IPv4-mapped IPv6 forms).
//!
//! The check is on the address actually connected to: a host name is
//! resolved by our own resolver, which drops the forbidden addresses before
//! reqwest sees them (so a name that resolves to a public address for a
//! check and a private one for the connection — DNS rebinding — cannot
//! pass), and a literal IP in the URL is checked directly.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use ipnet::{Ipv4Net, Ipv6Net};
use registrar_webhook::{SendError, WebhookTransport};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// What the resolver's refusal says, to tell it from other connect errors.
const REFUSED: &str = "resolves only to non-public addresses";

/// Whether `ip` is an address webhooks may not reach by default.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_private_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private_v4(v4);
            }
            let in_net = |net: &str| net.parse::<Ipv6Net>().is_ok_and(|n| n.contains(&v6));
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || in_net("fc00::/7")
                || in_net("fe80::/10")
                // IPv4-compatible (deprecated) and NAT64 forms carry an IPv4 address.
                || in_net("::/96")
                || (in_net("64:ff9b::/96") && is_private_v4(embedded_v4(v6)))
        }
    }
}

/// The IPv4 address in the last 32 bits of `v6`.
fn embedded_v4(v6: Ipv6Addr) -> Ipv4Addr {
    let [.., a, b, c, d] = v6.octets();
    Ipv4Addr::new(a, b, c, d)
}

fn is_private_v4(v4: Ipv4Addr) -> bool {
    let in_net = |net: &str| net.parse::<Ipv4Net>().is_ok_and(|n| n.contains(&v4));
    v4.is_loopback()
        || v4.is_private()
        || v4.is_link_local()
        || v4.is_unspecified()
        || v4.is_multicast()
        || v4.is_broadcast()
        || in_net("0.0.0.0/8")
        || in_net("100.64.0.0/10")
}

/// Resolves with the system resolver, keeping only the addresses allowed.
struct FilteringResolver;

impl Resolve for FilteringResolver {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|addr| !is_private(addr.ip()))
                .collect();
            if addrs.is_empty() {
                return Err(REFUSED.into());
            }
            let addrs: Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

/// The HTTP(S) webhook transport.
#[derive(Clone)]
pub struct HttpWebhooks {
    client: reqwest::Client,
    allow_private: bool,
}

impl HttpWebhooks {
    /// `allow_private`: whether endpoints on loopback, private or
    /// link-local addresses may be reached (tests, closed networks).
    pub fn new(allow_private: bool, user_agent: &str) -> Result<Self, String> {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(user_agent)
            .no_proxy();
        if !allow_private {
            builder = builder.dns_resolver(Arc::new(FilteringResolver));
        }
        let client = builder.build().map_err(|e| format!("webhook HTTP client: {e}"))?;
        Ok(Self { client, allow_private })
    }
}

/// Whether `error` (or what caused it) is our resolver's refusal.
fn refused(error: &reqwest::Error) -> bool {
    let mut source: Option<&dyn std::error::Error> = Some(error);
    while let Some(e) = source {
        if e.to_string().contains(REFUSED) {
            return true;
        }
        source = e.source();
    }
    false
}

#[async_trait]
impl WebhookTransport for HttpWebhooks {
    async fn post(
        &self,
        url: &str,
        headers: &[(String, String)],
        body: &str,
        timeout: Duration,
    ) -> Result<u16, SendError> {
        let parsed = url::Url::parse(url).map_err(|e| SendError::BadUrl(e.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(SendError::BadUrl("not http(s)".into()));
        }
        if !self.allow_private {
            let literal = match parsed.host() {
                Some(url::Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
                Some(url::Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
                Some(url::Host::Domain(_)) => None,
                None => return Err(SendError::BadUrl("no host".into())),
            };
            if literal.is_some_and(is_private) {
                return Err(SendError::Refused("a non-public address".into()));
            }
        }
        let mut request = self.client.post(parsed).timeout(timeout).body(body.to_owned());
        for (name, value) in headers {
            request = request.header(name.as_str(), value.as_str());
        }
        match request.send().await {
            Ok(response) => Ok(response.status().as_u16()),
            Err(e) if refused(&e) => Err(SendError::Refused(REFUSED.into())),
            Err(e) if e.is_timeout() => Err(SendError::Timeout),
            // Without the URL: it may hold a token in its query.
            Err(e) => Err(SendError::Transport(e.without_url().to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses_are_recognised() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fd12::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
        ] {
            assert!(is_private(ip.parse().unwrap()), "{ip} is private");
        }
        for ip in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "100.128.0.1",
        ] {
            assert!(!is_private(ip.parse().unwrap()), "{ip} is public");
        }
    }

    #[tokio::test]
    async fn private_endpoints_are_refused_unless_allowed() {
        let transport = HttpWebhooks::new(false, "test").unwrap();
        for url in [
            "http://127.0.0.1:9/",
            "http://[::1]:9/",
            "http://localhost:9/",
            "http://[::ffff:7f00:1]:9/",
        ] {
            let got = transport.post(url, &[], "{}", Duration::from_secs(2)).await;
            assert!(matches!(got, Err(SendError::Refused(_))), "{url}: {got:?}");
        }
        let allowed = HttpWebhooks::new(true, "test").unwrap();
        let got = allowed
            .post("http://127.0.0.1:9/", &[], "{}", Duration::from_secs(2))
            .await;
        assert!(
            matches!(got, Err(SendError::Transport(_))),
            "connects (and is refused by the OS): {got:?}"
        );
    }
}
