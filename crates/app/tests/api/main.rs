//! End-to-end tests: the real server on port 0, SQLite in a temp dir, HTTP
//! over loopback. One binary so the crate graph links once.
#![allow(clippy::pedantic, clippy::restriction)] // test code

#[macro_use]
mod helpers;
mod admin;
mod admin_catalog;
mod admin_users;
mod at_rest;
mod audit;
#[path = "../shared/authenticator.rs"]
mod authenticator;
mod authorize;
mod body;
mod breached;
mod concurrency;
mod control_chars;
mod documented_examples;
mod edge;
mod email_change;
mod email_code;
mod export;
mod factors;
mod families;
mod guessing;
mod hash_upgrade;
mod hashing;
mod keys;
mod mail;
mod me;
mod new_device;
mod oauth;
mod oidc;
mod oidc_flow;
mod openapi;
mod outbox;
#[path = "../shared/passkey.rs"]
mod passkey;
mod passkeys;
mod policies;
#[path = "../shared/policies.rs"]
mod policies_shared;
#[path = "../shared/receiver.rs"]
mod receiver;
mod register;
mod sessions;
mod signup;
mod throttle;
mod token;
mod typed;
mod users_api;
mod webhook_events;
