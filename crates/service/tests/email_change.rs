//! Changing the address, on the in-memory adapters with a hand-moved
//! clock: who is mailed what, the code that applies it, its expiry, and a
//! mail of a replaced change that is dropped instead of sent.
#![allow(clippy::pedantic, clippy::restriction)] // test code

use chrono::Duration;
use registrar_mail::MailContent;
use registrar_memory::MemoryMailer;
use registrar_service::testing;
use registrar_service::testing::Raw;
use registrar_service::{AuthContext, Clock, EmailChangeCode, EmailChangeRequest, Field, ServiceError};
use registrar_store::{EmailChangeStore, OutboxStore, UserStore};

mod support;
use support::{ip, registration, World, PASSWORD};

const OLD: &str = "ann@example.com";
const NEW: &str = "Ann.New@Example.org";

/// Ann, registered and signed in: her caller context.
async fn ann() -> (World, AuthContext) {
    let w = World(testing::World::with(MemoryMailer::new(), |_| {}).await);
    let input = registration(&w.client, &w.policies, OLD, "Ann");
    w.app.register_raw(input, ip()).await.expect("registers");
    let pair = w
        .app
        .login_raw(w.login_input(OLD, PASSWORD, "laptop"), ip())
        .await
        .expect("signs in");
    let ctx = w.app.authenticate(pair.access_token.expose()).await.expect("signed in");
    (w, ctx)
}

async fn ask(w: &World, ctx: &AuthContext, new_email: &str) -> Result<(), ServiceError> {
    let request = EmailChangeRequest::parse(&Some(new_email.into()), &Some(PASSWORD.into()))?;
    w.app.request_email_change(ctx, request, ip()).await
}

/// The code of the newest mail to `NEW`.
fn code_to_new(w: &World) -> String {
    match &w.mailer.sent_to(NEW).last().expect("a mail to the new address").content {
        MailContent::EmailChangeConfirm {
            code,
            link,
            valid_hours,
        } => {
            assert!(link.contains("/confirm/email-change/"), "{link}");
            assert!((1..=24).contains(valid_hours), "{valid_hours}");
            code.expose().to_owned()
        }
        other => panic!("not the confirmation: {other:?}"),
    }
}

async fn confirm(w: &World, ctx: &AuthContext, code: &str) -> Result<String, ServiceError> {
    let view = w
        .app
        .confirm_email_change(ctx, EmailChangeCode::parse(&Some(code.into()))?, ip())
        .await?;
    Ok(view.user.email.as_str().to_owned())
}

#[tokio::test]
async fn the_new_address_gets_the_code_the_old_one_the_notices() {
    let (w, ctx) = ann().await;
    ask(&w, &ctx, NEW).await.expect("asked");
    let to_old = w.mailer.sent_to(OLD);
    assert!(
        matches!(&to_old.last().expect("a notice").content, MailContent::EmailChangeNotice { new_email, cancel_link }
            if new_email == "A***@Example.org" && cancel_link.contains("/confirm/email-cancel/")),
        "{to_old:?}"
    );
    let code = code_to_new(&w);
    assert_eq!(confirm(&w, &ctx, &code).await.expect("applied"), NEW);
    let last = w.mailer.sent_to(OLD).pop().expect("a last notice");
    assert!(matches!(last.content, MailContent::EmailChanged { ref new_email } if new_email == "A***@Example.org"));
    let user = w.store.user_by_id(&ctx.user.id).await.unwrap().expect("Ann");
    assert!(user.email_confirmed(), "the code proved the new address");
}

#[tokio::test]
async fn a_change_expires_after_a_day_and_is_purged() {
    let (w, ctx) = ann().await;
    ask(&w, &ctx, NEW).await.expect("asked");
    let code = code_to_new(&w);
    w.clock.advance(Duration::hours(24));
    let Err(ServiceError::Invalid(errors)) = confirm(&w, &ctx, &code).await else {
        panic!("an expired change is no change");
    };
    assert!(errors.has(Field::Code));
    w.app.purge_expired().await;
    let left = w
        .store
        .pending_email_change(&ctx.user.id, w.clock.now() - Duration::days(2))
        .await;
    assert_eq!(left.unwrap(), None, "purged");
}

#[tokio::test]
async fn a_mail_of_a_replaced_change_is_dropped_not_sent() {
    let (w, ctx) = ann().await;
    w.mailer.fail_sends(true);
    ask(&w, &ctx, "first@example.org").await.expect("asked");
    ask(&w, &ctx, NEW).await.expect("asked again");
    w.mailer.fail_sends(false);
    w.clock.advance(Duration::hours(2));
    while w.app.deliver_due().await.expect("delivered") > 0 {}
    assert!(
        w.mailer.sent_to("first@example.org").is_empty(),
        "the replaced change mails nothing"
    );
    assert_eq!(w.mailer.sent_to(NEW).len(), 1);
    assert_eq!(w.store.outbox_backlog().await.unwrap(), 0, "nothing left to send");
    let code = code_to_new(&w);
    assert_eq!(confirm(&w, &ctx, &code).await.expect("applied"), NEW);
}
