//! Building the resolver: which servers to ask, and how long to wait.

use std::net::SocketAddr;
use std::time::Duration;

use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::NetError;
use hickory_resolver::{system_conf, Resolver, TokioResolver};

/// Why a [`HickoryDomainCheck`](crate::HickoryDomainCheck) could not be built.
/// Each message starts with the configuration key to look at.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SetupError {
    /// `email.dns_servers` is empty and the system's resolvers could not be
    /// read (no `/etc/resolv.conf`, or no `nameserver` in it).
    #[error(
        "email.dns_servers: not set, and the system's DNS resolvers cannot be read from /etc/resolv.conf \
         ({source}); set email.dns_servers = [\"IP:PORT\", …]"
    )]
    SystemResolvers {
        /// What hickory said while reading the system configuration.
        source: NetError,
    },
    /// The timeout of a check is zero: every check would be `Unknown`.
    #[error("email.dns_servers: the timeout of a domain check must be more than zero")]
    ZeroTimeout,
    /// hickory refused the configuration.
    #[error("email.dns_servers: cannot build the DNS resolver: {source}")]
    Resolver {
        /// What hickory said.
        source: NetError,
    },
}

/// A resolver for `servers` (the system's when empty) whose queries fit in `timeout`.
pub(crate) fn resolver(servers: &[SocketAddr], timeout: Duration) -> Result<TokioResolver, SetupError> {
    if timeout.is_zero() {
        return Err(SetupError::ZeroTimeout);
    }
    let (config, mut options) = if servers.is_empty() {
        system_conf::read_system_conf().map_err(|source| SetupError::SystemResolvers { source })?
    } else {
        (exactly(servers), ResolverOpts::default())
    };
    // One retry of a lost UDP packet fits in the budget; the caller also
    // bounds the whole check (MX, then A and AAAA) by `timeout`.
    options.timeout = (timeout / 2).max(Duration::from_millis(1));
    options.attempts = 1;
    // /etc/hosts says nothing about where mail goes.
    options.use_hosts_file = ResolveHosts::Never;
    Resolver::builder_with_config(config, TokioRuntimeProvider::default())
        .with_options(options)
        .build()
        .map_err(|source| SetupError::Resolver { source })
}

/// Exactly these servers, over UDP only, in the given order of preference.
fn exactly(servers: &[SocketAddr]) -> ResolverConfig {
    let name_servers = servers
        .iter()
        .map(|server| {
            let mut udp = ConnectionConfig::udp();
            udp.port = server.port();
            NameServerConfig::new(server.ip(), true, vec![udp])
        })
        .collect();
    ResolverConfig::from_name_servers(name_servers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zero_timeout_is_refused() {
        let error = resolver(&["127.0.0.1:53".parse().expect("a socket address")], Duration::ZERO)
            .expect_err("a zero timeout must be refused");
        assert!(matches!(error, SetupError::ZeroTimeout));
    }

    #[test]
    fn unreadable_system_resolvers_name_the_setting() {
        let error = SetupError::SystemResolvers {
            source: NetError::from(std::io::Error::from(std::io::ErrorKind::NotFound)),
        };
        let message = error.to_string();
        assert!(message.starts_with("email.dns_servers: "), "{message}");
        assert!(message.contains("/etc/resolv.conf"), "{message}");
    }

    #[test]
    fn given_servers_are_asked_over_udp_on_their_port() {
        let config = exactly(&["127.0.0.1:5353".parse().expect("a socket address")]);
        let [server] = config.name_servers() else {
            panic!("one server expected, got {:?}", config.name_servers());
        };
        assert_eq!(server.ip, std::net::IpAddr::from([127, 0, 0, 1]));
        let [connection] = server.connections.as_slice() else {
            panic!("one connection expected, got {:?}", server.connections);
        };
        assert_eq!(connection.port, 5353);
        assert!(matches!(
            connection.protocol,
            hickory_resolver::config::ProtocolConfig::Udp
        ));
    }
}
