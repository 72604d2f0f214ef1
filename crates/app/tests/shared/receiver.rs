//! A webhook receiver for the tests: a tiny HTTP/1.1 server on
//! 127.0.0.1:0 recording every request and answering `status` (or, when
//! told to hold, never answering the next one), and the Standard Webhooks
//! reference library's verdict on what it received.
#![allow(dead_code)] // each test crate uses its part

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One request as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: BTreeMap<String, String>,
    pub body: String,
}

impl Received {
    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

/// The receiver: its URL and what it got.
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    status: Arc<Mutex<u16>>,
    hold_next: Arc<AtomicBool>,
    connections: Arc<AtomicUsize>,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().expect("address"));
        Self::serve(listener, url)
    }

    /// A receiver on `listener`, known as `url`.
    pub fn serve(listener: TcpListener, url: String) -> Self {
        let receiver = Self {
            url,
            status: Arc::new(Mutex::new(200)),
            hold_next: Arc::default(),
            connections: Arc::default(),
            got: Arc::default(),
        };
        let this = receiver.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                this.connections.fetch_add(1, Ordering::SeqCst);
                let this = this.clone();
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0_u8; 4096];
                    let (head, mut body) = loop {
                        let n = socket.read(&mut chunk).await.unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            break (String::from_utf8_lossy(&buf[..at]).to_string(), buf[at + 4..].to_vec());
                        }
                    };
                    let headers: BTreeMap<String, String> = head
                        .lines()
                        .skip(1)
                        .filter_map(|l| l.split_once(':'))
                        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
                        .collect();
                    let length: usize = headers.get("content-length").and_then(|l| l.parse().ok()).unwrap_or(0);
                    while body.len() < length {
                        let n = socket.read(&mut chunk).await.unwrap_or(0);
                        if n == 0 {
                            break;
                        }
                        body.extend_from_slice(&chunk[..n]);
                    }
                    let status = *this.status.lock().expect("lock");
                    let hold = this.hold_next.swap(false, Ordering::SeqCst);
                    this.got.lock().expect("lock").push(Received {
                        headers,
                        body: String::from_utf8(body).expect("UTF-8"),
                    });
                    if hold {
                        // Never answered: the connection stays open until the sender goes.
                        let _ = socket.read(&mut chunk).await;
                        return;
                    }
                    let answer = format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
                    let _ = socket.write_all(answer.as_bytes()).await;
                });
            }
        });
        receiver
    }

    pub fn answer(&self, status: u16) {
        *self.status.lock().expect("lock") = status;
    }

    /// The next request is received but never answered.
    pub fn hold_next(&self) {
        self.hold_next.store(true, Ordering::SeqCst);
    }

    /// How many connections it accepted (a request or not).
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    pub fn received(&self) -> Vec<Received> {
        self.got.lock().expect("lock").clone()
    }

    /// What it received once `done` holds of it; fails after `within`.
    pub async fn wait_until(&self, within: Duration, done: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        let deadline = Instant::now() + within;
        loop {
            let got = self.received();
            if done(&got) {
                return got;
            }
            assert!(Instant::now() < deadline, "not received in time; got {got:#?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// The Standard Webhooks reference library's verdict (it also checks that
/// the timestamp is within five minutes of the real time).
pub fn verify_with_library(secret: &str, received: &Received) {
    let mut headers = reqwest::header::HeaderMap::new();
    for (name, value) in &received.headers {
        headers.insert(
            reqwest::header::HeaderName::from_bytes(name.as_bytes()).expect("a header name"),
            value.parse().expect("a header value"),
        );
    }
    standardwebhooks::Webhook::new(secret)
        .expect("a whsec_ secret")
        .verify(received.body.as_bytes(), &headers)
        .expect("verified by the Standard Webhooks library");
}
