//! The domain-check port ([`registrar_domaincheck::DomainCheck`]) over DNS,
//! with hickory-resolver on tokio.
//!
//! [`HickoryDomainCheck`] asks for the domain's MX records, and when there are
//! none for its A and AAAA records (the "implicit MX" of RFC 5321); a null MX
//! (RFC 7505) means the domain takes no mail. It asks either the system's
//! resolvers (`/etc/resolv.conf`) or exactly the UDP servers of
//! `email.dns_servers`, and every check ends within its timeout: a DNS that
//! cannot be reached is [`DomainStatus::Unknown`](registrar_domaincheck::DomainStatus),
//! logged, never an error.

mod check;
mod setup;

#[cfg(feature = "testing")]
pub mod testing;

pub use check::HickoryDomainCheck;
pub use setup::SetupError;
