//! The address a request comes from, for throttling: the socket's peer,
//! unless that peer is one of `http.trusted_proxies`; then the nearest
//! address in `X-Forwarded-For` that is not a trusted proxy (read from the
//! right, since a client can write anything to the left of what the
//! proxies append).

use std::convert::Infallible;
use std::future::{ready, Ready};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use ipnet::IpNet;
use registrar_domain::ClientIp;

/// `http.trusted_proxies`: addresses and networks whose `X-Forwarded-For` we believe.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Each entry an address (`10.0.0.1`, `::1`) or a network (`10.0.0.0/8`).
    pub fn parse<I: AsRef<str>>(entries: &[I]) -> Result<Self, String> {
        entries
            .iter()
            .map(|entry| {
                let entry = entry.as_ref().trim();
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("{entry:?} is neither an IP address nor a network (a.b.c.d/n)"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client behind `peer`, given the request's `X-Forwarded-For` values.
    pub fn client<'a>(&self, peer: IpAddr, forwarded_for: impl Iterator<Item = &'a str>) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let hops: Vec<&str> = forwarded_for
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .collect();
        let mut nearest = peer;
        for hop in hops.iter().rev() {
            let Some(ip) = parse_hop(hop) else {
                // Proxies write addresses; this came from the client side.
                return nearest;
            };
            if !self.trusts(ip) {
                return ip;
            }
            nearest = ip;
        }
        nearest
    }
}

/// `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1` or `[2001:db8::1]:4711`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

/// The client's address, as an extractor for handlers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin(pub ClientIp);

impl Origin {
    pub fn of(req: &HttpRequest) -> Self {
        let peer = req.peer_addr().map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |a| a.ip());
        let ip = match req.app_data::<web::Data<TrustedProxies>>() {
            Some(trusted) => {
                let values = req.headers().get_all("x-forwarded-for").filter_map(|v| v.to_str().ok());
                trusted.client(peer, values)
            }
            None => peer,
        };
        Self(ClientIp::new(ip))
    }
}

impl FromRequest for Origin {
    type Error = Infallible;
    type Future = Ready<Result<Self, Infallible>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self::of(req)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn proxies(list: &[&str]) -> TrustedProxies {
        TrustedProxies::parse(list).unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let t = proxies(&["10.0.0.0/8"]);
        assert_eq!(t.client(ip("192.0.2.7"), ["198.51.100.1"].into_iter()), ip("192.0.2.7"));
        assert_eq!(
            TrustedProxies::default().client(ip("10.0.0.1"), ["1.2.3.4"].into_iter()),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn behind_trusted_proxies_the_nearest_untrusted_hop_is_the_client() {
        let t = proxies(&["10.0.0.0/8", "::1"]);
        let xff = ["203.0.113.9, 198.51.100.1", "10.1.1.1"];
        assert_eq!(t.client(ip("10.0.0.2"), xff.into_iter()), ip("198.51.100.1"));
        assert_eq!(
            t.client(ip("::1"), ["[2001:db8::5]:4711"].into_iter()),
            ip("2001:db8::5")
        );
        assert_eq!(t.client(ip("10.0.0.2"), ["192.0.2.1:80"].into_iter()), ip("192.0.2.1"));
    }

    #[test]
    fn a_trusted_peer_without_forwarding_or_with_garbage_is_what_we_know() {
        let t = proxies(&["10.0.0.1"]);
        assert_eq!(t.client(ip("10.0.0.1"), [].into_iter()), ip("10.0.0.1"));
        assert_eq!(t.client(ip("10.0.0.1"), ["not-an-ip"].into_iter()), ip("10.0.0.1"));
        assert_eq!(
            t.client(ip("10.0.0.1"), ["garbage, 10.0.0.1"].into_iter()),
            ip("10.0.0.1")
        );
        assert_eq!(
            t.client(ip("::ffff:10.0.0.1"), ["192.0.2.3"].into_iter()),
            ip("192.0.2.3")
        );
    }

    #[test]
    fn entries_must_be_addresses_or_networks() {
        assert!(TrustedProxies::parse(&["10.0.0.1", "fd00::/8", " 127.0.0.1 "]).is_ok());
        let err = TrustedProxies::parse(&["10.0.0.0/33"]).unwrap_err();
        assert!(err.contains("10.0.0.0/33"), "{err}");
        assert!(TrustedProxies::parse(&["proxy.example"]).is_err());
    }
}
