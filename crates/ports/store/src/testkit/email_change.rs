//! The contract of [`EmailChangeStore`](crate::EmailChangeStore): a change
//! of address pending until the new address confirms (or the old one
//! cancels), applied under the address's uniqueness.

use super::audit::{audit_event, kinds_about};
use super::support::*;
use crate::{
    EmailChangeCancellation, EmailChangeConfirmation, EmailChangeLink, EmailChangeProof, EmailChangeSecret,
    NewEmailChange, PendingEmailChange,
};

/// What one started change is made of: the change, and the secrets its
/// two mails were armed with.
struct Started {
    change: NewEmailChange,
    code: SecretHash,
    link: SecretHash,
    cancel: SecretHash,
}

/// A change of `user` to a fresh address, live until `at(600)`, with its
/// two mails (the notice to the old address, the confirmation to the new).
fn change_of(user: &UserId, new_email: Email) -> NewEmailChange {
    let id = unique();
    let mut notice = new_mail(user, OutboxKind::EmailChangeNotice, at(1));
    notice.detail = Some(id.clone());
    let mut confirm = new_mail(user, OutboxKind::EmailChangeConfirm, at(1));
    confirm.detail = Some(id.clone());
    NewEmailChange {
        id,
        user: user.clone(),
        new_email,
        created_at: at(1),
        expires_at: at(600),
        mails: vec![notice, confirm],
        audit: vec![audit_event(AuditKind::EmailChangeRequested, user, at(1))],
    }
}

/// Starts `change` and arms both of its mails.
async fn start<S: ContractStore>(store: &S, change: NewEmailChange) -> Started {
    store.start_email_change(change.clone()).await.expect("starting a change");
    let (code, link, cancel) = (secret(), secret(), secret());
    let confirm = EmailChangeSecret::Confirm {
        code_hash: code.clone(),
        link_hash: link.clone(),
    };
    let armed = store.arm_email_change(&change.user, &change.id, confirm, at(2)).await;
    assert!(armed.expect("arming").is_some(), "the live change is armed");
    let cancelling = EmailChangeSecret::Cancel {
        link_hash: cancel.clone(),
    };
    let armed = store.arm_email_change(&change.user, &change.id, cancelling, at(2)).await;
    assert!(armed.expect("arming").is_some(), "the live change is armed");
    Started {
        change,
        code,
        link,
        cancel,
    }
}

/// A confirmation of `user`'s change with `proof` at `now`.
fn confirmation(user: &UserId, proof: EmailChangeProof, now: DateTime<Utc>) -> EmailChangeConfirmation {
    let mut notice = new_mail(user, OutboxKind::EmailChanged, now);
    notice.detail = Some("old@example.com".into());
    EmailChangeConfirmation {
        user: user.clone(),
        proof,
        now,
        notice,
        audit: vec![audit_event(AuditKind::Updated, user, now).with("fields", "email")],
    }
}

fn by_code(code: &SecretHash) -> EmailChangeProof {
    EmailChangeProof::Code {
        code_hash: code.clone(),
        max_attempts: MAX_ATTEMPTS,
    }
}

async fn confirm<S: ContractStore>(store: &S, confirmation: &EmailChangeConfirmation) -> CodeOutcome {
    store
        .confirm_email_change(confirmation)
        .await
        .expect("confirming a change")
}

async fn pending<S: ContractStore>(store: &S, user: &UserId, now: DateTime<Utc>) -> Option<PendingEmailChange> {
    store.pending_email_change(user, now).await.expect("reading the pending change")
}

fn cancellation(user: &UserId, link: &SecretHash, now: DateTime<Utc>) -> EmailChangeCancellation {
    EmailChangeCancellation {
        user: user.clone(),
        link_hash: link.clone(),
        now,
        reset_mail: new_mail(user, OutboxKind::PasswordReset, now),
        audit: vec![audit_event(AuditKind::EmailChangeCancelled, user, now)],
    }
}

contract_rules! {
    email_change, __store_contract_email_change;

    pub async fn a_started_change_is_pending_with_its_mails_and_changes_nothing_else<S: ContractStore>(store: S) {
        let old = registered(&store, "old").await;
        let new_email = unique_email("new");
        let change = change_of(&old.id, new_email.clone());
        store.start_email_change(change.clone()).await.expect("starting a change");

        let shown = pending(&store, &old.id, at(2)).await.expect("the change is pending");
        assert_eq!(shown.id, change.id);
        assert_eq!(shown.new_email, new_email);
        assert_eq!(shown.expires_at, at(600));
        for mail in &change.mails {
            assert!(queued(&store, &mail.id).await, "the change's mails are queued with it");
        }
        assert_eq!(kinds_about(&store, &old.id).await, [AuditKind::EmailChangeRequested]);
        let user = user_by_id(&store, &old.id).await.expect("the user");
        assert_eq!(user.email, old.email, "the address does not change yet");

        let unknown = change_of(&UserId(unique()), unique_email("nobody"));
        let refused = store.start_email_change(unknown).await;
        assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    }

    pub async fn a_new_change_replaces_the_pending_one_and_its_secrets<S: ContractStore>(store: S) {
        let user = add_user(&store).await;
        let first = start(&store, change_of(&user, unique_email("first"))).await;
        let second = change_of(&user, unique_email("second"));
        store.start_email_change(second.clone()).await.expect("starting again");
        assert_eq!(pending(&store, &user, at(3)).await.map(|p| p.id), Some(second.id.clone()));

        let stale = EmailChangeSecret::Cancel { link_hash: secret() };
        let armed = store.arm_email_change(&user, &first.change.id, stale, at(3)).await.expect("arming");
        assert_eq!(armed, None, "a mail of the replaced change mints nothing");
        let outcome = confirm(&store, &confirmation(&user, by_code(&first.code), at(4))).await;
        assert_eq!(outcome, CodeOutcome::NoCode, "the new change has no code yet");
        let by_link = store.email_change_by_link(&first.link, EmailChangeLink::Confirm, at(4)).await;
        assert_eq!(by_link.expect("looking up"), None, "the replaced link is dead");
    }

    pub async fn the_right_code_applies_the_change_and_sessions_stay<S: ContractStore>(store: S) {
        let (client, user) = client_and_user(&store).await;
        let session = open(&store, &user, &client, "laptop", at(1), 5).await;
        let new_email = unique_email("new");
        let started = start(&store, change_of(&user, new_email.clone())).await;

        let done = confirmation(&user, by_code(&started.code), at(10));
        assert_eq!(confirm(&store, &done).await, CodeOutcome::Confirmed);
        let changed = user_by_id(&store, &user).await.expect("the user");
        assert_eq!(changed.email, new_email);
        assert_eq!(changed.email_confirmed_at, Some(at(10)), "the code reached the new address");
        assert_eq!(user_by_email(&store, &flipped_case(&new_email)).await.map(|u| u.id), Some(user.clone()));
        assert_eq!(pending(&store, &user, at(11)).await, None, "nothing pending any more");
        assert!(queued(&store, &done.notice.id).await, "the final notice is queued");
        assert_eq!(kinds_about(&store, &user).await.last(), Some(&AuditKind::Updated));
        assert_authenticates(&store, &session.access_hash, at(11), "other sessions stay").await;
        let again = confirmation(&user, by_code(&started.code), at(12));
        assert_eq!(confirm(&store, &again).await, CodeOutcome::NoCode, "a change applies once");
    }

    pub async fn the_old_address_is_free_once_changed<S: ContractStore>(store: S) {
        let old = registered(&store, "old").await;
        let started = start(&store, change_of(&old.id, unique_email("new"))).await;
        let done = confirmation(&old.id, EmailChangeProof::Link(started.link.clone()), at(10));
        assert_eq!(confirm(&store, &done).await, CodeOutcome::Confirmed, "the link confirms");
        assert_eq!(user_by_email(&store, &old.email).await, None, "nobody has the old address");
        let again = new_user(old.email.clone());
        store.register(registration(again)).await.expect("the old address can be registered");
    }

    pub async fn wrong_codes_count_tries_until_even_the_right_one_is_refused<S: ContractStore>(store: S) {
        let user = add_user(&store).await;
        let started = start(&store, change_of(&user, unique_email("new"))).await;
        for second in 0..5 {
            let wrong = confirmation(&user, by_code(&secret()), at(10 + second));
            assert_eq!(confirm(&store, &wrong).await, CodeOutcome::Wrong);
        }
        let right = confirmation(&user, by_code(&started.code), at(20));
        assert_eq!(confirm(&store, &right).await, CodeOutcome::TooManyAttempts);
        let wrong_link = confirmation(&user, EmailChangeProof::Link(secret()), at(21));
        assert_eq!(confirm(&store, &wrong_link).await, CodeOutcome::NoCode, "another link is no proof");
        assert!(pending(&store, &user, at(22)).await.is_some(), "still pending");

        let code = secret();
        let fresh = EmailChangeSecret::Confirm {
            code_hash: code.clone(),
            link_hash: secret(),
        };
        store.arm_email_change(&user, &started.change.id, fresh, at(23)).await.expect("re-arming");
        let right = confirmation(&user, by_code(&code), at(24));
        assert_eq!(confirm(&store, &right).await, CodeOutcome::Confirmed, "a new code has tries of its own");
    }

    pub async fn a_taken_address_is_duplicate_email_and_changes_nothing<S: ContractStore>(store: S) {
        let user = registered(&store, "mover").await;
        let taken = registered(&store, "taken").await;
        let started = start(&store, change_of(&user.id, flipped_case(&taken.email))).await;
        let attempt = confirmation(&user.id, by_code(&started.code), at(10));
        let refused = store.confirm_email_change(&attempt).await;
        assert!(matches!(refused, Err(StoreError::DuplicateEmail)), "{refused:?}");
        assert_eq!(user_by_id(&store, &user.id).await.map(|u| u.email), Some(user.email.clone()));
        assert_eq!(user_by_email(&store, &taken.email).await.map(|u| u.id), Some(taken.id.clone()));
        assert!(!queued(&store, &attempt.notice.id).await, "no notice");
        assert_eq!(kinds_about(&store, &user.id).await, [AuditKind::EmailChangeRequested], "no event");
    }

    pub async fn an_expired_change_is_gone<S: ContractStore>(store: S) {
        let user = add_user(&store).await;
        let started = start(&store, change_of(&user, unique_email("new"))).await;
        assert!(pending(&store, &user, at(599)).await.is_some(), "live a second before it expires");
        assert_eq!(pending(&store, &user, at(600)).await, None);
        let late = confirmation(&user, by_code(&started.code), at(600));
        assert_eq!(confirm(&store, &late).await, CodeOutcome::NoCode);
        let by_link = store.email_change_by_link(&started.link, EmailChangeLink::Confirm, at(600)).await;
        assert_eq!(by_link.expect("looking up"), None);
        let cancelled = store.cancel_email_change(&cancellation(&user, &started.cancel, at(600))).await;
        assert!(!cancelled.expect("cancelling"), "an expired change is not cancelled");
        let armed = store
            .arm_email_change(&user, &started.change.id, EmailChangeSecret::Cancel { link_hash: secret() }, at(600))
            .await;
        assert_eq!(armed.expect("arming"), None);

        let other = add_user(&store).await;
        store.start_email_change(change_of(&other, unique_email("live"))).await.expect("starting");
        assert_eq!(store.purge_email_changes(at(599)).await.expect("purging"), 0, "none expired yet");
        assert!(store.purge_email_changes(at(600)).await.expect("purging") >= 2);
        assert_eq!(pending(&store, &user, at(1)).await, None, "purged");
    }

    pub async fn links_name_their_change<S: ContractStore>(store: S) {
        let user = add_user(&store).await;
        let started = start(&store, change_of(&user, unique_email("new"))).await;
        let find = |hash: SecretHash, which| {
            let store = store.clone();
            async move { store.email_change_by_link(&hash, which, at(5)).await.expect("looking up") }
        };
        let id = Some(started.change.id.clone());
        assert_eq!(find(started.link.clone(), EmailChangeLink::Confirm).await.map(|c| c.id), id);
        assert_eq!(find(started.cancel.clone(), EmailChangeLink::Cancel).await.map(|c| c.id), id);
        assert_eq!(find(started.link.clone(), EmailChangeLink::Cancel).await, None, "a link is of one kind");
        assert_eq!(find(started.cancel.clone(), EmailChangeLink::Confirm).await, None);
        assert_eq!(find(secret(), EmailChangeLink::Confirm).await, None);
    }

    pub async fn cancelling_from_the_old_address_signs_out_everywhere<S: ContractStore>(store: S) {
        let (client, user) = client_and_user(&store).await;
        let session = open(&store, &user, &client, "laptop", at(1), 5).await;
        let bystander = open(&store, &add_user(&store).await, &client, "laptop", at(1), 5).await;
        let old = user_by_id(&store, &user).await.expect("the user").email;
        let started = start(&store, change_of(&user, unique_email("new"))).await;

        let wrong = store.cancel_email_change(&cancellation(&user, &started.link, at(5))).await;
        assert!(!wrong.expect("cancelling"), "the confirm link does not cancel");
        assert_authenticates(&store, &session.access_hash, at(5), "nothing happened").await;

        let cancel = cancellation(&user, &started.cancel, at(6));
        assert!(store.cancel_email_change(&cancel).await.expect("cancelling"));
        assert_eq!(pending(&store, &user, at(7)).await, None, "the change is gone");
        assert_refused(&store, &session.access_hash, at(7), "every session is revoked").await;
        assert_authenticates(&store, &bystander.access_hash, at(7), "another user's stays").await;
        assert!(queued(&store, &cancel.reset_mail.id).await, "the reset mail is queued");
        assert_eq!(kinds_about(&store, &user).await.last(), Some(&AuditKind::EmailChangeCancelled));
        assert_eq!(user_by_id(&store, &user).await.map(|u| u.email), Some(old), "the address stays");
        let late = confirmation(&user, by_code(&started.code), at(8));
        assert_eq!(confirm(&store, &late).await, CodeOutcome::NoCode, "a cancelled change never applies");
        let again = store.cancel_email_change(&cancellation(&user, &started.cancel, at(9))).await;
        assert!(!again.expect("cancelling"), "a change is cancelled once");
    }

    pub async fn a_confirmation_racing_a_registration_of_the_address_has_one_winner<S: ContractStore>(store: S) {
        for round in 0..4 {
            let user = add_user(&store).await;
            let new_email = unique_email("raced");
            let started = start(&store, change_of(&user, new_email.clone())).await;
            let code = started.code.clone();
            let outcomes = race(&store, vec![round % 2 == 0, round % 2 == 1], move |store, confirming| {
                let (user, code, email) = (user.clone(), code.clone(), new_email.clone());
                async move {
                    if confirming {
                        let outcome = store.confirm_email_change(&confirmation(&user, by_code(&code), at(10))).await;
                        match outcome {
                            Ok(CodeOutcome::Confirmed) => true,
                            Err(StoreError::DuplicateEmail) => false,
                            other => panic!("a racing confirmation gave {other:?}"),
                        }
                    } else {
                        match store.register(registration(new_user(flipped_case(&email)))).await {
                            Ok(()) => true,
                            Err(StoreError::DuplicateEmail) => false,
                            Err(other) => panic!("a racing registration gave {other:?}"),
                        }
                    }
                }
            })
            .await;
            let winners = outcomes.iter().filter(|(_, won)| *won).count();
            assert_eq!(winners, 1, "one of the two has the address: {outcomes:?}");
            let owner = user_by_email(&store, &started.change.new_email).await.expect("someone has it");
            let confirmed_won = outcomes.iter().any(|(confirming, won)| *confirming && *won);
            assert_eq!(owner.id == started.change.user, confirmed_won, "the winner has it");
        }
    }
}
