//! Black-box tests of the mail adapter, one binary: rendering, the outbox,
//! a real SMTP conversation, and what reaches the log.
#![allow(clippy::pedantic, clippy::restriction)] // test code

mod golden;
mod languages;
mod logs;
mod names;
mod outbox;
mod render;
mod smtp;
mod support;
