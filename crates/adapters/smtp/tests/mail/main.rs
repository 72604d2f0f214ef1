//! Black-box tests of the mail adapter, one binary: rendering, the outbox,
//! a real SMTP conversation, and what reaches the log.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::string_slice,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    clippy::float_cmp
)] // test code

mod golden;
mod languages;
mod logs;
mod names;
mod outbox;
mod render;
mod smtp;
mod support;
