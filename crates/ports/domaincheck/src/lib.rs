//! The domain-check port: can mail be delivered to an address's domain?
//! The users API requires "an email with existing domain".

use async_trait::async_trait;

/// What DNS says about a domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DomainStatus {
    /// It has an MX record (other than the null MX `.`), or else an A or AAAA record.
    Exists,
    /// No mail can go there: no such domain, a null MX, no MX/A/AAAA record,
    /// or a name that cannot be a domain at all (then DNS is not even asked).
    Missing,
    /// DNS could not be asked or did not answer in time. Callers let the
    /// address through (fail open) and the adapter logs why.
    Unknown,
}

#[async_trait]
pub trait DomainCheck: Send + Sync + 'static {
    /// Looks the domain up: MX first, then A/AAAA. Never fails: trouble
    /// reaching DNS is [`DomainStatus::Unknown`]. Returns within the adapter's timeout.
    async fn check(&self, domain: &str) -> DomainStatus;
}

/// No check at all (`email.check_domain = false`): every domain exists.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoDomainCheck;

#[async_trait]
impl DomainCheck for NoDomainCheck {
    async fn check(&self, _domain: &str) -> DomainStatus {
        DomainStatus::Exists
    }
}
