//! Test support (feature `testing`): an authoritative DNS server on
//! 127.0.0.1 (UDP) answering from an in-memory zone — for this crate's tests
//! and the app's, which point `email.dns_servers` at it.

#![allow(clippy::expect_used, clippy::panic, clippy::unwrap_used)]
use std::collections::{HashMap, HashSet};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use hickory_resolver::proto::op::{Message, ResponseCode};
use hickory_resolver::proto::rr::rdata::{A, AAAA, MX, SOA, TXT};
use hickory_resolver::proto::rr::{Name, RData, Record, RecordType};
use tokio::net::UdpSocket;
use tokio::task::JoinHandle;

/// What the server knows: records by owner name, and names whose every
/// question it answers with SERVFAIL. Any other name is NXDOMAIN.
#[derive(Default)]
pub struct Zone {
    records: HashMap<Name, Vec<Record>>,
    failing: HashSet<Name>,
}

impl Zone {
    pub fn new() -> Self {
        Self::default()
    }

    /// An MX record; `exchange` "." makes it a null MX.
    pub fn mx(self, owner: &str, preference: u16, exchange: &str) -> Self {
        self.record(owner, RData::MX(MX::new(preference, name(exchange))))
    }

    pub fn a(self, owner: &str, address: Ipv4Addr) -> Self {
        self.record(owner, RData::A(A(address)))
    }

    pub fn aaaa(self, owner: &str, address: Ipv6Addr) -> Self {
        self.record(owner, RData::AAAA(AAAA(address)))
    }

    pub fn txt(self, owner: &str, text: &str) -> Self {
        self.record(owner, RData::TXT(TXT::new(vec![text.to_owned()])))
    }

    /// Every question about `owner` gets SERVFAIL.
    pub fn servfail(mut self, owner: &str) -> Self {
        self.failing.insert(name(owner));
        self
    }

    fn record(mut self, owner: &str, data: RData) -> Self {
        let owner = name(owner);
        self.records
            .entry(owner.clone())
            .or_default()
            .push(Record::from_rdata(owner, 300, data));
        self
    }

    /// The reply to one query, as an authoritative server gives it.
    fn answer(&self, query: &Message) -> Message {
        let mut reply = Message::response(query.metadata.id, query.metadata.op_code);
        reply.metadata.authoritative = true;
        reply.metadata.recursion_desired = query.metadata.recursion_desired;
        reply.metadata.recursion_available = true;
        let Some(question) = query.queries.first() else {
            reply.metadata.response_code = ResponseCode::FormErr;
            return reply;
        };
        reply.add_query(question.clone());
        let owner = question.name().to_lowercase();
        if self.failing.contains(&owner) {
            reply.metadata.response_code = ResponseCode::ServFail;
            return reply;
        }
        match self.records.get(&owner) {
            Some(records) => {
                let matching: Vec<Record> = records
                    .iter()
                    .filter(|record| record.record_type() == question.query_type())
                    .cloned()
                    .collect();
                if matching.is_empty() {
                    // NODATA: the name exists, not with this type.
                    reply.add_authority(soa());
                } else {
                    reply.add_answers(matching);
                }
            }
            None => {
                reply.metadata.response_code = ResponseCode::NXDomain;
                reply.add_authority(soa());
            }
        }
        reply
    }
}

/// The server, running until dropped.
pub struct FakeDns {
    address: SocketAddr,
    questions: Arc<Mutex<Vec<(String, RecordType)>>>,
    task: JoinHandle<()>,
}

impl FakeDns {
    /// Serves `zone` on a fresh UDP port of 127.0.0.1.
    pub async fn start(zone: Zone) -> Self {
        let socket = UdpSocket::bind("127.0.0.1:0")
            .await
            .expect("bind a UDP port for the fake DNS");
        let address = socket.local_addr().expect("the fake DNS's address");
        let questions = Arc::new(Mutex::new(Vec::new()));
        let noted = Arc::clone(&questions);
        let task = tokio::spawn(async move {
            let mut buffer = vec![0_u8; 4096];
            loop {
                let Ok((length, peer)) = socket.recv_from(&mut buffer).await else {
                    continue;
                };
                let Ok(query) = Message::from_vec(&buffer[..length]) else {
                    continue;
                };
                if let Some(question) = query.queries.first() {
                    noted
                        .lock()
                        .expect("questions lock")
                        .push((question.name().to_ascii(), question.query_type()));
                }
                let reply = zone.answer(&query).to_vec().expect("encode the fake DNS's reply");
                // A lost reply is the resolver's business, as on a real network.
                let _ = socket.send_to(&reply, peer).await;
            }
        });
        Self {
            address,
            questions,
            task,
        }
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The questions asked so far, in order: (name as asked, type).
    pub fn questions(&self) -> Vec<(String, RecordType)> {
        self.questions.lock().expect("questions lock").clone()
    }
}

impl Drop for FakeDns {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// An absolute, lower-case name, as the questions come.
fn name(text: &str) -> Name {
    let mut name = Name::from_str(text).expect("a test domain name").to_lowercase();
    name.set_fqdn(true);
    name
}

fn soa() -> Record {
    let data = SOA::new(name("ns.test."), name("hostmaster.test."), 1, 3600, 600, 86_400, 60);
    Record::from_rdata(name("test."), 60, RData::SOA(data))
}
