//! The edge of the server: what requests can make of `/metrics`, and a
//! request body that never arrives.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::*;

const STANDARD_METHODS: [&str; 8] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "OTHER"];

fn random_method(length: usize) -> String {
    let mut name = String::with_capacity(length);
    while name.len() < length {
        name.push_str(&uuid::Uuid::new_v4().simple().to_string().to_uppercase());
    }
    name.truncate(length);
    name
}

/// Every value the `method` label takes in a scrape.
fn method_labels(scrape: &str) -> BTreeSet<String> {
    scrape
        .lines()
        .filter(|l| l.starts_with("registrar_http_"))
        .filter_map(|l| {
            let start = l.find("method=\"")? + "method=\"".len();
            let end = l[start..].find('"')? + start;
            Some(l[start..end].to_owned())
        })
        .collect()
}

async fn scrape(app: &TestApp) -> String {
    let response = send(app.get("/metrics")).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.expect("text")
}

async fn send_odd_methods(app: &TestApp, count: usize) -> Vec<String> {
    let mut sent = Vec::new();
    for i in 0..count {
        let name = random_method(2000);
        let method = Method::from_bytes(name.as_bytes()).expect("a valid method token");
        let path = ["/api/me", "/healthz", "/no/such/path", "/api/token"][i % 4];
        let response = send(app.http.request(method, app.url(path))).await;
        assert!(
            response.status().is_client_error(),
            "{path} with an odd method: {}",
            response.status()
        );
        sent.push(name);
    }
    sent
}

async fn method_names_from_requests_never_become_metric_labels(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = send_odd_methods(&app, 40).await;
    let after_first = scrape(&app).await;
    let second = send_odd_methods(&app, 40).await;
    let after_second = scrape(&app).await;

    for name in first.iter().chain(&second) {
        assert!(
            !after_second.contains(&name[..64]),
            "a method name from a request is in /metrics"
        );
    }
    let labels = method_labels(&after_second);
    assert!(labels.contains("OTHER"), "odd methods are counted as OTHER: {labels:?}");
    for label in &labels {
        assert!(STANDARD_METHODS.contains(&label.as_str()), "method label {label:?}");
    }
    // Forty new method names later, not one series more for them (only this
    // test sends methods outside the standard set).
    let other_series = |scrape: &str| scrape.lines().filter(|l| l.contains("method=\"OTHER\"")).count();
    assert_eq!(other_series(&after_first), other_series(&after_second));
    assert!(
        after_second.len() < 1024 * 1024,
        "one scrape is {} bytes",
        after_second.len()
    );
}

/// Sends a request head announcing a 100-byte body, then nothing; returns
/// how long the server took to answer and close, and what it said.
async fn stalled_body(app: &TestApp, path: &str, content_type: &str) -> (Duration, String) {
    let address = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.expect("connect");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: {content_type}\r\nContent-Length: 100\r\n\r\n{{\"a\""
    );
    stream.write_all(head.as_bytes()).await.expect("write the head");
    let started = Instant::now();
    let mut answer = Vec::new();
    // Reading to the end only ends when the server closes the connection.
    let read = tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut answer)).await;
    assert!(
        read.is_ok(),
        "{path}: no answer, or the connection stayed open, 20 s after the head: {}",
        String::from_utf8_lossy(&answer)
    );
    (started.elapsed(), String::from_utf8_lossy(&answer).into_owned())
}

fn status_and_body(answer: &str) -> (u16, String, String) {
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((answer, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("a status line: {answer}"));
    (status, head.to_ascii_lowercase(), body.to_owned())
}

async fn a_body_that_never_arrives_is_408_in_the_familys_shape_and_the_connection_closes(backend: Backend) {
    let app = spawn_app_with(backend, |c| c.http.body_timeout = 1).await;
    let email = unique_email();
    app.register(&email).await;
    app.post("/api/forgot-password")
        .form(&[("username", email.as_str())])
        .send()
        .await
        .expect("r");
    let reset_page = format!("/reset-password/{}", app.reset_token(&email).await);

    let cases = [
        ("/api/token", "application/json"),
        ("/api/users/login", "application/json"),
        ("/signup", "application/json"),
        (reset_page.as_str(), "application/x-www-form-urlencoded"),
    ];
    let answers = futures_util::future::join_all(cases.iter().map(|(path, kind)| stalled_body(&app, path, kind))).await;
    for ((path, _), (elapsed, answer)) in cases.iter().zip(answers) {
        let (status, head, body) = status_and_body(&answer);
        assert_eq!(status, 408, "{path}: {answer}");
        assert!(head.contains("connection: close"), "{path}: {head}");
        assert!(
            elapsed >= Duration::from_millis(900) && elapsed < Duration::from_secs(8),
            "{path}: answered after {elapsed:?} with http.body_timeout = 1"
        );
        let json = || serde_json::from_str::<Value>(&body).unwrap_or_else(|_| panic!("{path}: JSON: {body}"));
        match *path {
            "/api/token" => {
                let body = json();
                assert_eq!(body["success"], false);
                assert_eq!(body["error"], "request_timeout");
                assert_eq!(body["message"], "The request body did not arrive in time.");
                assert_eq!(body["error_description"], body["message"]);
            }
            "/api/users/login" => {
                assert_eq!(json(), json!({"message": "The request body did not arrive in time."}));
            }
            "/signup" => assert_eq!(json(), json!({"result": "error", "error": "requestTimeout"})),
            _ => assert!(head.contains("content-type: text/html"), "{path}: {head}"),
        }
    }

    // The server itself is fine: the next request is answered at once.
    assert_eq!(app.get("/healthz").send().await.expect("r").status(), StatusCode::OK);
}

on_both_backends!(
    method_names_from_requests_never_become_metric_labels,
    a_body_that_never_arrives_is_408_in_the_familys_shape_and_the_connection_closes,
);
