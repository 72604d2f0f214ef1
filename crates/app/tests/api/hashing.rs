//! Bounded hashing: argon2 runs at most `password.max_concurrent_hashes` at a
//! time; token checks keep answering while sign-ups queue, and a request that
//! waits too long is told the server is busy (503 with Retry-After).

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

fn one_slow_turn(queue_timeout: u64) -> impl FnOnce(&mut registrar::Config) {
    move |c| {
        c.password.max_concurrent_hashes = 1;
        c.password.hash_queue_timeout = queue_timeout;
        c.password.argon2_memory_kib = 65_536;
        c.password.argon2_iterations = 4;
    }
}

async fn token_checks_keep_answering_while_hashing_is_saturated(backend: Backend) {
    let app = spawn_app_with(backend, one_slow_turn(60)).await;
    let pair = app.register(&unique_email()).await;
    let token = access_token(&pair).to_owned();
    let storm_started = Instant::now();
    let storm: Vec<_> = (0..12)
        .map(|_| {
            let request = app.post("/api/register").json(&app.registration(&unique_email()));
            tokio::spawn(async move { request.send().await.map(|r| r.status()) })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut slowest = Duration::ZERO;
    for _ in 0..10 {
        let started = Instant::now();
        assert_eq!(app.me(&token).await.status(), StatusCode::OK);
        slowest = slowest.max(started.elapsed());
    }
    for request in storm {
        assert_eq!(request.await.expect("task").expect("answer"), StatusCode::OK);
    }
    let storm_took = storm_started.elapsed();
    assert!(
        storm_took > slowest * 4,
        "the sign-ups queued ({storm_took:?}) while /api/me took at most {slowest:?}"
    );
    assert!(
        slowest < Duration::from_millis(750),
        "/api/me took {slowest:?} with hashing saturated"
    );
}

async fn a_sign_up_that_waits_too_long_for_its_turn_gets_503_and_changes_nothing(backend: Backend) {
    let app = spawn_app_with(backend, one_slow_turn(1)).await;
    let emails: Vec<String> = (0..30).map(|_| unique_email()).collect();
    let answers = futures_util::future::join_all(
        emails
            .iter()
            .map(|email| app.post("/api/register").json(&app.registration(email)).send()),
    )
    .await;
    let mut busy = Vec::new();
    for (email, answer) in emails.iter().zip(answers) {
        let answer = answer.expect("answer");
        match answer.status() {
            StatusCode::OK => {}
            StatusCode::SERVICE_UNAVAILABLE => {
                assert!(answer.headers().contains_key("retry-after"));
                let (_, body) = parts(answer).await;
                assert_eq!(body["error"], "server_error");
                assert_eq!(body["success"], false);
                busy.push(email.clone());
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(
        !busy.is_empty(),
        "30 sign-ups for one slow turn with a 1-second queue: some must give up"
    );
    // A refused sign-up left nothing behind: no account to log in to.
    assert_eq!(
        error_of(app.login(&busy[0], PASSWORD, "d").await).await,
        (StatusCode::BAD_REQUEST, json!("invalid_grant"))
    );
}

on_both_backends!(
    token_checks_keep_answering_while_hashing_is_saturated,
    a_sign_up_that_waits_too_long_for_its_turn_gets_503_and_changes_nothing,
);
