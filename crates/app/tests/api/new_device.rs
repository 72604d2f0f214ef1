//! The "new sign-in on <device>" notice (`audit.new_device_mail`): mailed
//! for a sign-in on a device the account was never seen on, not for the
//! registering device nor a known one, and never when turned off.

use reqwest::StatusCode;

use crate::helpers::*;

/// The new-sign-in notices in the outbox for `email`.
fn notices(app: &TestApp, email: &str) -> Vec<String> {
    app.mails_to(email)
        .into_iter()
        .filter(|m| m.lines().any(|l| l.starts_with("Subject: New sign-in on ")))
        .collect()
}

async fn sign_in(app: &TestApp, email: &str, device: &str) {
    let (status, body) = parts(app.login(email, PASSWORD, device).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn a_sign_in_on_a_device_never_seen_is_mailed_once(backend: Backend) {
    let app = spawn_app_with(backend, |c| c.audit.new_device_mail = true).await;
    let email = unique_email();
    // The confirmation mail of the registration.
    app.register_and_read_mail(&email).await;
    sign_in(&app, &email, "device-1").await;
    assert!(notices(&app, &email).is_empty(), "the registering device is known");

    sign_in(&app, &email, "laptop").await;
    let mails = app.wait_for_mails(&email, 2).await;
    let notice = mails.last().expect("a notice");
    assert!(notice.contains("Subject: New sign-in on laptop"), "{notice}");
    assert!(
        link_in(notice, "/reset-password/").is_none(),
        "a sign-in mints no reset link: {notice}"
    );

    sign_in(&app, &email, "laptop").await;
    sign_in(&app, &email, "device-1").await;
    // A wrong password opens nothing: no notice for the tablet.
    let (status, _) = parts(app.login(&email, "not the password", "tablet").await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(notices(&app, &email).len(), 1, "only the laptop was new");

    // Another account's devices say nothing of this one.
    let other = unique_email();
    app.register_and_read_mail(&other).await;
    sign_in(&app, &other, "laptop").await;
    app.wait_for_mails(&other, 2).await;
    assert_eq!(notices(&app, &other).len(), 1, "the laptop is new to the other account");
}

async fn no_notice_when_turned_off(backend: Backend) {
    let app = spawn_app_with(backend, |c| c.audit.new_device_mail = false).await;
    let email = unique_email();
    app.register_and_read_mail(&email).await;
    sign_in(&app, &email, "laptop").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(notices(&app, &email).is_empty());
    assert_eq!(app.mails_to(&email).len(), 1, "only the confirmation");
}

on_both_backends!(
    a_sign_in_on_a_device_never_seen_is_mailed_once,
    no_notice_when_turned_off
);
