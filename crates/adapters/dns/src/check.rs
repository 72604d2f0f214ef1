//! The check itself: MX first, then A and AAAA, all within one timeout.

use std::net::SocketAddr;
use std::time::Duration;

use async_trait::async_trait;
use hickory_resolver::net::NetError;
use hickory_resolver::proto::rr::{Name, RData, RecordType};
use hickory_resolver::TokioResolver;
use registrar_domaincheck::{DomainCheck, DomainStatus};

use crate::setup::{resolver, SetupError};

/// Checks that a domain can receive mail by asking DNS, through hickory-resolver.
///
/// Cheap to clone: clones share the resolver, its connections and its cache
/// (which keeps answers, negative ones too, for their TTL).
#[derive(Debug, Clone)]
pub struct HickoryDomainCheck {
    resolver: TokioResolver,
    timeout: Duration,
}

impl HickoryDomainCheck {
    /// A check that asks `servers` (`email.dns_servers`) over UDP, in that
    /// order of preference, or the system's resolvers from `/etc/resolv.conf`
    /// when `servers` is empty. Each [`check`](DomainCheck::check) returns
    /// within `timeout`.
    ///
    /// # Errors
    ///
    /// [`SetupError`] when `servers` is empty and the system's resolvers
    /// cannot be read, or when `timeout` is zero. Nothing is sent yet.
    pub fn new(servers: Vec<SocketAddr>, timeout: Duration) -> Result<Self, SetupError> {
        Ok(Self {
            resolver: resolver(&servers, timeout)?,
            timeout,
        })
    }

    /// MX, and when there is none, A then AAAA. `Err` is trouble reaching DNS.
    async fn status(&self, name: &Name) -> Result<DomainStatus, NetError> {
        let exchanges: Vec<Name> = match self.ask(name, RecordType::MX).await? {
            Reply::NoSuchDomain => return Ok(DomainStatus::Missing),
            Reply::Records(records) => records
                .into_iter()
                .filter_map(|data| match data {
                    RData::MX(mx) => Some(mx.exchange),
                    _ => None,
                })
                .collect(),
        };
        if !exchanges.is_empty() {
            // A null MX (RFC 7505, exchange ".") says the domain takes no mail.
            return Ok(if exchanges.iter().all(Name::is_root) {
                DomainStatus::Missing
            } else {
                DomainStatus::Exists
            });
        }
        // No MX: the domain's own address is its mail exchanger (RFC 5321, 5.1).
        for record_type in [RecordType::A, RecordType::AAAA] {
            match self.ask(name, record_type).await? {
                Reply::NoSuchDomain => return Ok(DomainStatus::Missing),
                Reply::Records(records) if records.iter().any(|data| data.record_type() == record_type) => {
                    return Ok(DomainStatus::Exists);
                }
                Reply::Records(_) => {}
            }
        }
        Ok(DomainStatus::Missing)
    }

    /// One query; DNS's "no such name" and "no such record" are answers, not errors.
    async fn ask(&self, name: &Name, record_type: RecordType) -> Result<Reply, NetError> {
        match self.resolver.lookup(name.clone(), record_type).await {
            // The answer section may hold CNAMEs on the way: callers pick their type.
            Ok(lookup) => Ok(Reply::Records(
                lookup.answers().iter().map(|record| record.data.clone()).collect(),
            )),
            Err(error) if error.is_nx_domain() => Ok(Reply::NoSuchDomain),
            Err(error) if error.is_no_records_found() => Ok(Reply::Records(Vec::new())),
            Err(error) => Err(error),
        }
    }
}

/// The log message of an `Unknown` check.
const UNKNOWN: &str = "domain check: no usable answer from DNS, letting the domain through";

/// What DNS answered to one query.
enum Reply {
    /// NXDOMAIN: the name does not exist at all.
    NoSuchDomain,
    /// The name exists; the data of the answer section (empty for NODATA).
    Records(Vec<RData>),
}

#[async_trait]
impl DomainCheck for HickoryDomainCheck {
    async fn check(&self, domain: &str) -> DomainStatus {
        let Some(name) = fully_qualified(domain) else {
            // Not a name DNS could hold (empty, a label over 63 octets, …), so it has no MX or address.
            tracing::debug!(domain = ?domain, "domain check: not a DNS name");
            return DomainStatus::Missing;
        };
        match tokio::time::timeout(self.timeout, self.status(&name)).await {
            Ok(Ok(status)) => status,
            // Only the domain is logged: the check never sees the rest of the address.
            Ok(Err(error)) => {
                tracing::warn!(domain = %name.to_ascii(), reason = %error, "{UNKNOWN}");
                DomainStatus::Unknown
            }
            Err(_elapsed) => {
                let reason = format!("no answer within {:?}", self.timeout);
                tracing::warn!(domain = %name.to_ascii(), %reason, "{UNKNOWN}");
                DomainStatus::Unknown
            }
        }
    }
}

/// The domain as an absolute, lower-case DNS name (IDNs in punycode), so that
/// no search domain of resolv.conf is ever appended; `None` when it is no DNS name.
fn fully_qualified(domain: &str) -> Option<Name> {
    let domain = domain.trim();
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    if domain.is_empty() {
        return None;
    }
    let mut name = Name::from_utf8(domain).ok()?.to_lowercase();
    name.set_fqdn(true);
    Some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_become_absolute_lower_case_names() {
        for domain in ["example.com", "Example.COM", "example.com.", " example.com "] {
            assert_eq!(
                fully_qualified(domain).map(|name| name.to_ascii()),
                Some("example.com.".to_owned()),
                "{domain:?}"
            );
        }
        assert_eq!(
            fully_qualified("Bücher.example").map(|name| name.to_ascii()),
            Some("xn--bcher-kva.example.".to_owned())
        );
    }

    #[test]
    fn what_is_no_dns_name_is_none() {
        for domain in ["", ".", " ", "a..b", &format!("{}.com", "a".repeat(64))] {
            assert_eq!(fully_qualified(domain), None, "{domain:?}");
        }
    }
}
