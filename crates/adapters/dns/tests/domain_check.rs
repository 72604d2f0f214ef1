//! `HickoryDomainCheck` against a DNS server the test starts on 127.0.0.1.
#![allow(clippy::pedantic, clippy::restriction)] // test code

use std::io::Write;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hickory_resolver::proto::rr::RecordType;
use registrar_dns::testing::{FakeDns, Zone};
use registrar_dns::HickoryDomainCheck;
use registrar_domaincheck::{DomainCheck, DomainStatus};

/// Generous: a loaded 2-core machine must never turn an answer from 127.0.0.1 into `Unknown`.
const TIMEOUT: Duration = Duration::from_secs(2);

/// For the servers that never answer: every check waits for all of it.
const SHORT_TIMEOUT: Duration = Duration::from_millis(500);

/// How late a timer may fire on a busy machine.
const SLACK: Duration = Duration::from_millis(300);

fn zone() -> Zone {
    Zone::new()
        .mx("mail.test", 10, "mx1.mail.test")
        .mx("mail.test", 20, "mx2.mail.test")
        .a("web.test", Ipv4Addr::new(192, 0, 2, 1))
        .aaaa("six.test", Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1))
        // A null MX wins over the A record next to it: no mail.
        .mx("nomail.test", 0, ".")
        .a("nomail.test", Ipv4Addr::new(192, 0, 2, 2))
        .txt("bare.test", "v=spf1 -all")
        .a("xn--bcher-kva.test", Ipv4Addr::new(192, 0, 2, 3))
        .servfail("broken.test")
}

async fn served() -> (FakeDns, HickoryDomainCheck) {
    let dns = FakeDns::start(zone()).await;
    let check = HickoryDomainCheck::new(vec![dns.address()], TIMEOUT).expect("a check on the fake DNS");
    (dns, check)
}

/// Checks `domain` on a fresh served zone: it is `status` and, when `asked`
/// is given, the server was asked for exactly these record types of its
/// absolute name, in that order.
async fn assert_served_check(domain: &str, status: DomainStatus, asked: Option<&[RecordType]>) {
    let (dns, check) = served().await;
    assert_eq!(check.check(domain).await, status, "{domain}");
    if let Some(asked) = asked {
        let name = format!("{domain}.");
        let expected: Vec<_> = asked.iter().map(|record_type| (name.clone(), *record_type)).collect();
        assert_eq!(dns.questions(), expected, "{domain}");
    }
}

/// One test a row: `test: domain => status`, and after `asking` the record
/// types the server must have been asked for, in order (see
/// [`assert_served_check`]).
macro_rules! served_zone_checks {
    ($($test:ident: $domain:literal => $status:ident $(, asking [$($asked:ident),+])?;)*) => {$(
        #[tokio::test]
        async fn $test() {
            let asked = served_zone_checks!(@asked $($($asked),+)?);
            assert_served_check($domain, DomainStatus::$status, asked).await;
        }
    )*};
    (@asked) => { None };
    (@asked $($asked:ident),+) => { Some(&[$(RecordType::$asked),+][..]) };
}

served_zone_checks! {
    a_domain_with_mx_exists_and_no_address_is_asked: "mail.test" => Exists, asking [MX];
    a_domain_with_only_an_a_record_exists: "web.test" => Exists, asking [MX, A];
    a_domain_with_only_an_aaaa_record_exists: "six.test" => Exists;
    a_domain_with_a_null_mx_is_missing_even_with_an_address: "nomail.test" => Missing, asking [MX];
    a_domain_that_does_not_exist_is_missing_after_one_question: "nowhere.test" => Missing, asking [MX];
    a_domain_without_mx_or_address_is_missing: "bare.test" => Missing, asking [MX, A, AAAA];
    a_domain_that_answers_servfail_is_unknown: "broken.test" => Unknown;
}

#[tokio::test]
async fn upper_case_and_a_trailing_dot_change_nothing() {
    let (dns, check) = served().await;
    for (domain, status) in [
        ("MAIL.Test", DomainStatus::Exists),
        ("mail.test.", DomainStatus::Exists),
        ("Web.TEST.", DomainStatus::Exists),
        ("NoMail.test.", DomainStatus::Missing),
        ("NOWHERE.TEST.", DomainStatus::Missing),
        ("Broken.Test.", DomainStatus::Unknown),
    ] {
        assert_eq!(check.check(domain).await, status, "{domain}");
    }
    // The server only ever sees the absolute lower-case name.
    for (name, _) in dns.questions() {
        assert_eq!(name, name.to_lowercase());
        assert!(name.ends_with(".test."), "{name}");
    }
}

#[tokio::test]
async fn an_international_domain_is_asked_in_punycode() {
    let (dns, check) = served().await;
    assert_eq!(check.check("Bücher.test").await, DomainStatus::Exists);
    assert!(
        dns.questions().iter().all(|(name, _)| name == "xn--bcher-kva.test."),
        "{:?}",
        dns.questions()
    );
}

#[tokio::test]
async fn what_is_no_domain_name_is_missing_without_asking() {
    let (dns, check) = served().await;
    for domain in ["", ".", "a..test", &format!("{}.test", "a".repeat(64))] {
        assert_eq!(check.check(domain).await, DomainStatus::Missing, "{domain:?}");
    }
    assert_eq!(dns.questions(), Vec::new());
}

#[tokio::test]
async fn a_server_that_never_answers_is_unknown_within_the_timeout() {
    // Bound, so the queries arrive, but nobody ever replies.
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind a silent UDP port");
    assert_unknown_within_the_timeout(silent.local_addr().expect("its address"), "a silent server").await;
}

#[tokio::test]
async fn a_closed_port_is_unknown_within_the_timeout() {
    assert_unknown_within_the_timeout(closed_port(), "a closed port").await;
}

#[tokio::test]
async fn a_silent_server_first_does_not_hide_a_working_one() {
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind a silent UDP port");
    let dns = FakeDns::start(zone()).await;
    let servers = vec![silent.local_addr().expect("its address"), dns.address()];
    let check = HickoryDomainCheck::new(servers, TIMEOUT).expect("a check on two servers");
    assert_eq!(check.check("mail.test").await, DomainStatus::Exists);
    assert_eq!(check.check("nowhere.test").await, DomainStatus::Missing);
}

#[tokio::test]
async fn only_the_given_servers_are_asked() {
    let (dns, check) = served().await;
    let other = FakeDns::start(zone()).await;
    assert_eq!(check.check("web.test").await, DomainStatus::Exists);
    assert!(!dns.questions().is_empty());
    assert_eq!(other.questions(), Vec::new());
}

#[tokio::test]
async fn an_unknown_answer_is_logged_as_a_warning_with_its_reason_and_the_domain() {
    let (_dns, check) = served().await;
    let logs = Logs::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(logs.clone())
        .with_ansi(false)
        .finish();
    let status = {
        let _guard = tracing::subscriber::set_default(subscriber);
        check.check("Broken.test").await
    };
    assert_eq!(status, DomainStatus::Unknown);
    let logs = logs.text();
    let line = logs
        .lines()
        .find(|line| line.contains("WARN") && line.contains("domain check"))
        .unwrap_or_else(|| {
            panic!("no warning in:\n{logs}");
        });
    assert!(line.contains("domain=broken.test."), "{line}");
    assert!(line.contains("reason="), "{line}");
    assert!(
        line.to_lowercase().contains("server failure") || line.contains("ServFail"),
        "{line}"
    );
}

#[test]
fn no_servers_means_the_systems_resolvers_or_an_error_naming_the_setting() {
    match HickoryDomainCheck::new(Vec::new(), TIMEOUT) {
        Ok(_) => {}
        Err(error) => assert!(error.to_string().starts_with("email.dns_servers: "), "{error}"),
    }
}

#[test]
fn a_zero_timeout_is_refused() {
    let error = HickoryDomainCheck::new(vec![closed_port()], Duration::ZERO).expect_err("zero must be refused");
    assert!(error.to_string().contains("more than zero"), "{error}");
}

/// A check on `server` alone (`what` it is), with [`SHORT_TIMEOUT`], finds
/// `mail.test` unknown within that timeout.
async fn assert_unknown_within_the_timeout(server: SocketAddr, what: &str) {
    let check =
        HickoryDomainCheck::new(vec![server], SHORT_TIMEOUT).unwrap_or_else(|e| panic!("a check on {what}: {e}"));
    let started = Instant::now();
    assert_eq!(check.check("mail.test").await, DomainStatus::Unknown);
    let elapsed = started.elapsed();
    eprintln!("unknown after {elapsed:?} against {what} (timeout {SHORT_TIMEOUT:?})");
    assert!(elapsed <= SHORT_TIMEOUT + SLACK, "took {elapsed:?}");
}

/// A UDP port of 127.0.0.1 where nothing listens (the kernel answers "port unreachable").
fn closed_port() -> SocketAddr {
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind a UDP port to learn a free one");
    socket.local_addr().expect("its address")
}

/// A log sink for one test.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Logs {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("logs lock")).into_owned()
    }
}

impl Write for Logs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("logs lock").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Logs {
    type Writer = Logs;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}
