//! Throttling: counting attempts per key (an account, a client address, an
//! email address) in fixed windows, and locking a key that used up its
//! window — until the window ends (a rate limit), or for a period that
//! doubles with every lock (a lockout after failed logins).
//!
//! The rules are here; where the counters live (a database row per key, so
//! that every instance sees the same counts) is the store's business. A key
//! never holds an address in clear: it is a digest of it.

use std::fmt;
use std::net::IpAddr;

use crate::{Email, SecretKey};
use chrono::{DateTime, Duration, Utc};

/// What a refused attempt must wait for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    /// Refused until the window that filled up ends (a rate limit).
    UntilWindowEnds,
    /// Refused for `first`, doubling with each lock of the same key up to
    /// `max`. The doubling is forgotten once the key has been quiet (no lock)
    /// for `max`.
    Growing { first: Duration, max: Duration },
}

/// At most `max` attempts per `window`; then `lock`. `max == 0` turns the
/// limit off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: u32,
    pub window: Duration,
    pub lock: Lock,
}

impl Limit {
    /// `max` attempts per `window`, then none until the window ends.
    pub fn per_window(max: u32, window: Duration) -> Self {
        Self {
            max,
            window,
            lock: Lock::UntilWindowEnds,
        }
    }

    /// `max` attempts per `window`, then a lock of `first`, doubling up to `longest`.
    pub fn lockout(max: u32, window: Duration, first: Duration, longest: Duration) -> Self {
        Self {
            max,
            window,
            lock: Lock::Growing { first, max: longest },
        }
    }

    pub fn is_off(&self) -> bool {
        self.max == 0
    }

    /// How long the `nth` lock (0-based) of a key lasts, from `now`, for a
    /// window that started at `window_start`.
    fn lock_for(&self, nth: u32, window_start: DateTime<Utc>, now: DateTime<Utc>) -> Duration {
        match self.lock {
            Lock::UntilWindowEnds => (window_start + self.window) - now,
            Lock::Growing { first, max } => {
                let factor = 1i32.checked_shl(nth.min(30)).unwrap_or(i32::MAX);
                first.checked_mul(factor).map_or(max, |d| d.min(max))
            }
        }
    }

    /// How long after its last lock a key forgets it was ever locked.
    fn memory(&self) -> Duration {
        match self.lock {
            Lock::UntilWindowEnds => self.window,
            Lock::Growing { max, .. } => max.max(self.window),
        }
    }
}

/// One key's count, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counter {
    /// When the current window began.
    pub window_start: DateTime<Utc>,
    /// Attempts counted in it.
    pub count: u32,
    /// Refused until then (if in the future).
    pub locked_until: Option<DateTime<Utc>>,
    /// Locks so far (what the next growing lock doubles from).
    pub locks: u32,
}

impl Counter {
    pub fn new(now: DateTime<Utc>) -> Self {
        Self {
            window_start: now,
            count: 0,
            locked_until: None,
            locks: 0,
        }
    }

    /// The end of the lock in force at `now`, if one is.
    pub fn locked_at(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.locked_until.filter(|until| *until > now)
    }

    /// Counts one attempt at `now` under `limit`. A locked counter does not
    /// count (the caller refuses the attempt). The attempt that fills the
    /// window is itself allowed; it locks the key for the ones after it.
    pub fn hit(mut self, limit: &Limit, now: DateTime<Utc>) -> Self {
        if limit.is_off() || self.locked_at(now).is_some() {
            return self;
        }
        if let Some(until) = self.locked_until {
            if now >= until + limit.memory() {
                self.locks = 0;
                self.locked_until = None;
            }
        }
        if now >= self.window_start + limit.window || now < self.window_start {
            self.window_start = now;
            self.count = 0;
        }
        self.count = self.count.saturating_add(1);
        if self.count >= limit.max {
            let lock = limit.lock_for(self.locks, self.window_start, now);
            if lock > Duration::zero() {
                self.locked_until = Some(now + lock);
                self.locks = self.locks.saturating_add(1);
            }
            self.window_start = now;
            self.count = 0;
        }
        self
    }

    /// After this instant the counter means nothing any more (its window is
    /// over and its last lock forgotten): its row can go.
    pub fn expires_at(&self, limit: &Limit) -> DateTime<Utc> {
        let window_end = self.window_start + limit.window;
        match self.locked_until {
            Some(until) => window_end.max(until + limit.memory()),
            None => window_end,
        }
    }
}

/// The address a request came from, as the HTTP edge determined it. IPv6
/// clients are counted per /64 (one host usually has a whole one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientIp(IpAddr);

impl ClientIp {
    pub fn new(ip: IpAddr) -> Self {
        Self(ip.to_canonical())
    }

    pub fn ip(&self) -> IpAddr {
        self.0
    }

    fn counted_as(&self) -> String {
        match self.0 {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        }
    }
}

impl fmt::Display for ClientIp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What is being counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Failed logins of one account (by the address tried, known or not).
    LoginAccount,
    /// Failed logins from one client address.
    LoginIp,
    /// Registrations (every family) from one client address.
    RegisterIp,
    /// Mails asked for one address (forgot-password, resend, signup).
    MailAddress,
    /// Mails asked from one client address.
    MailIp,
    /// Unreadable request bodies from one client address.
    MalformedIp,
    /// Typed codes (right or wrong, known address or not) from one client address.
    CodeIp,
    /// Failed code tries for one address, across every code mailed to it.
    CodeAddress,
    /// Wrong admin API keys from one client address.
    AdminKeyIp,
    /// Data exports of one account (by the user or an administrator).
    ExportUser,
    /// Data exports asked from one client address.
    ExportIp,
}

impl Scope {
    pub fn as_str(&self) -> &'static str {
        match self {
            Scope::LoginAccount => "login-account",
            Scope::LoginIp => "login-ip",
            Scope::RegisterIp => "register-ip",
            Scope::MailAddress => "mail-address",
            Scope::MailIp => "mail-ip",
            Scope::MalformedIp => "malformed-ip",
            Scope::CodeIp => "code-ip",
            Scope::CodeAddress => "code-address",
            Scope::AdminKeyIp => "admin-key-ip",
            Scope::ExportUser => "export-user",
            Scope::ExportIp => "export-ip",
        }
    }
}

/// A counter's name: the scope and a digest of the subject, so that the
/// table holds no address in clear and keys have one length.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ThrottleKey(String);

impl ThrottleKey {
    pub fn for_email(scope: Scope, email: &Email, key: &SecretKey) -> Self {
        Self::digest(scope, email.normalized(), key)
    }

    pub fn for_user(scope: Scope, user: &crate::UserId, key: &SecretKey) -> Self {
        Self::digest(scope, user.as_str(), key)
    }

    pub fn for_ip(scope: Scope, ip: ClientIp, key: &SecretKey) -> Self {
        Self::digest(scope, &ip.counted_as(), key)
    }

    /// Keyed (HMAC-SHA-256 under the server secret, cut to 128 bits): the
    /// few billion IPv4 addresses, or a list of known addresses, cannot be
    /// tried against the table by whoever reads it.
    fn digest(scope: Scope, subject: &str, key: &SecretKey) -> Self {
        let digest = key.digest(&format!("throttle:{}", scope.as_str()), subject);
        Self(format!("{}:{}", scope.as_str(), digest.get(..32).unwrap_or(&digest)))
    }

    /// Wraps a key read back from storage.
    pub fn from_stored(key: String) -> Self {
        Self(key)
    }
}

crate::text::text_value!(ThrottleKey, Display);

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap()
    }

    fn lockout() -> Limit {
        Limit::lockout(5, Duration::minutes(15), Duration::minutes(5), Duration::hours(24))
    }

    fn hits(mut c: Counter, limit: &Limit, n: u32, at: DateTime<Utc>) -> Counter {
        for _ in 0..n {
            c = c.hit(limit, at);
        }
        c
    }

    #[test]
    fn the_attempt_that_fills_the_window_locks_the_ones_after_it() {
        let limit = lockout();
        let c = hits(Counter::new(t0()), &limit, 4, t0());
        assert_eq!(c.locked_at(t0()), None);
        let c = c.hit(&limit, t0());
        assert_eq!(c.locked_at(t0()), Some(t0() + Duration::minutes(5)));
    }

    #[test]
    fn a_locked_counter_does_not_count() {
        let limit = lockout();
        let locked = hits(Counter::new(t0()), &limit, 5, t0());
        assert_eq!(locked.clone().hit(&limit, t0() + Duration::minutes(1)), locked);
    }

    #[test]
    fn lockouts_double_up_to_the_longest() {
        let limit = lockout();
        let mut c = Counter::new(t0());
        let mut now = t0();
        let mut seen = Vec::new();
        for _ in 0..12 {
            c = hits(c, &limit, 5, now);
            let until = c.locked_at(now).expect("locked");
            seen.push((until - now).num_minutes());
            now = until;
        }
        assert_eq!(&seen[..5], &[5, 10, 20, 40, 80]);
        assert_eq!(*seen.last().unwrap(), 24 * 60);
    }

    #[test]
    fn a_quiet_key_forgets_its_locks() {
        let limit = lockout();
        let c = hits(Counter::new(t0()), &limit, 5, t0());
        let later = t0() + Duration::minutes(5) + Duration::hours(24);
        let c = hits(c, &limit, 5, later);
        assert_eq!(c.locked_at(later), Some(later + Duration::minutes(5)));
    }

    #[test]
    fn a_window_that_ends_starts_the_count_again() {
        let limit = lockout();
        let c = hits(Counter::new(t0()), &limit, 4, t0());
        let later = t0() + Duration::minutes(15);
        let c = hits(c, &limit, 4, later);
        assert_eq!(c.locked_at(later), None);
        assert_eq!(c.count, 4);
    }

    #[test]
    fn a_rate_limit_locks_until_its_window_ends() {
        let limit = Limit::per_window(3, Duration::hours(1));
        let c = hits(Counter::new(t0()), &limit, 2, t0());
        let at = t0() + Duration::minutes(20);
        let c = c.hit(&limit, at);
        assert_eq!(c.locked_at(at), Some(t0() + Duration::hours(1)));
    }

    #[test]
    fn a_counter_expires_when_its_window_and_lock_are_forgotten() {
        let limit = lockout();
        let c = hits(Counter::new(t0()), &limit, 2, t0());
        assert_eq!(c.expires_at(&limit), t0() + Duration::minutes(15));
        let c = hits(c, &limit, 3, t0());
        assert_eq!(c.expires_at(&limit), t0() + Duration::minutes(5) + Duration::hours(24));
    }

    #[test]
    fn a_limit_of_zero_is_off() {
        let limit = Limit::per_window(0, Duration::hours(1));
        let c = hits(Counter::new(t0()), &limit, 1000, t0());
        assert_eq!(c.locked_at(t0()), None);
    }

    #[test]
    fn keys_hold_no_address_in_clear_and_ipv6_counts_per_64() {
        let k = SecretKey::new(&[3; 32]).unwrap();
        let k = &k;
        let email = Email::parse("Someone@Example.org").unwrap();
        let key = ThrottleKey::for_email(Scope::LoginAccount, &email, k);
        assert_ne!(
            key,
            ThrottleKey::for_email(Scope::LoginAccount, &email, &SecretKey::new(&[4; 32]).unwrap()),
            "keyed under the server secret"
        );
        assert!(!key.as_str().contains("example"));
        assert_eq!(
            key,
            ThrottleKey::for_email(Scope::LoginAccount, &Email::parse("someone@example.org").unwrap(), k)
        );
        assert_ne!(key, ThrottleKey::for_email(Scope::MailAddress, &email, k));
        let a = ClientIp::new("2001:db8:1:2:aaaa::1".parse().unwrap());
        let b = ClientIp::new("2001:db8:1:2:bbbb::2".parse().unwrap());
        let c = ClientIp::new("2001:db8:1:3::1".parse().unwrap());
        assert_eq!(
            ThrottleKey::for_ip(Scope::LoginIp, a, k),
            ThrottleKey::for_ip(Scope::LoginIp, b, k)
        );
        assert_ne!(
            ThrottleKey::for_ip(Scope::LoginIp, a, k),
            ThrottleKey::for_ip(Scope::LoginIp, c, k)
        );
        let mapped = ClientIp::new("::ffff:192.0.2.1".parse().unwrap());
        assert_eq!(mapped, ClientIp::new("192.0.2.1".parse().unwrap()));
    }
}
