//! The contract of [`OutboxStore`](crate::OutboxStore): queued mails, claimed
//! under a lease, sent, retried or given up.

use super::audit::audit_event;
use super::support::*;
use crate::{AuditCursor, AuditFilter};

contract_rules! {
    outbox, __store_contract_outbox;

    pub async fn enqueueing_a_mail_for_an_unknown_user_is_not_found<S: ContractStore>(store: S) {
        let before = backlog(&store).await;
        let result = store
            .enqueue_mail(new_mail(&UserId(unique()), OutboxKind::Confirmation, at(1)), &[])
            .await;
        assert!(
            matches!(result, Err(StoreError::NotFound)),
            "a mail for an unknown user gives NotFound, got {result:?}"
        );
        assert_nothing_queued(&store, before, "nothing was queued").await;
    }

    pub async fn a_mail_s_event_is_written_with_it_and_none_for_an_unknown_user<S: ContractStore>(store: S) {
        let ann = add_user(&store).await;
        let resent = audit_event(AuditKind::AdminAction, &ann, at(5));
        let mail = new_mail(&ann, OutboxKind::Confirmation, at(5));
        store.enqueue_mail(mail, std::slice::from_ref(&resent)).await.expect("queued");
        assert_eq!(event_ids(&store, &ann).await, [resent.id], "the event is written with the mail");
        let nobody = UserId(unique());
        let lost = audit_event(AuditKind::AdminAction, &nobody, at(6));
        let result = store.enqueue_mail(new_mail(&nobody, OutboxKind::Confirmation, at(6)), &[lost]).await;
        assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
        assert!(event_ids(&store, &nobody).await.is_empty(), "no event without its mail");
    }

    pub async fn a_mail_s_detail_comes_back_with_its_claim<S: ContractStore>(store: S) {
        let ann = add_user(&store).await;
        let mut notice = new_mail(&ann, OutboxKind::NewSignIn, at(10));
        notice.detail = Some("Ann's Pixel ✓".into());
        store.enqueue_mail(notice.clone(), &[]).await.expect("queued");
        let plain = enqueue(&store, &ann, OutboxKind::PasswordChanged, at(20)).await;
        let claimed = claim(&store, at(100), at(100 + LEASE), 10).await;
        let detail_of = |id: &str| claimed.iter().find(|m| m.id == id).map(|m| (m.kind, m.detail.clone()));
        assert_eq!(detail_of(&notice.id), Some((OutboxKind::NewSignIn, notice.detail.clone())));
        assert_eq!(detail_of(&plain.id), Some((OutboxKind::PasswordChanged, None)));
    }

    pub async fn claiming_hands_out_due_mails_oldest_first_up_to_the_limit<S: ContractStore>(store: S) {
        let ann = add_user(&store).await;
        let bob = add_user(&store).await;
        // Queued out of age order, for two users, of several kinds.
        let m30 = enqueue(&store, &ann, OutboxKind::PasswordReset, at(30)).await;
        let m10 = enqueue(&store, &bob, OutboxKind::Confirmation, at(10)).await;
        let m50 = enqueue(&store, &ann, OutboxKind::PasswordChanged, at(50)).await;
        let m20 = enqueue(&store, &ann, OutboxKind::SignupConfirmation, at(20)).await;
        let m40 = enqueue(&store, &bob, OutboxKind::SignupAttempt, at(40)).await;
        let anns = user_by_id(&store, &ann).await.expect("Ann exists");
        let bobs = user_by_id(&store, &bob).await.expect("Bob exists");

        let first = claim(&store, at(100), at(100 + LEASE), 3).await;
        assert_eq!(
            ids(&first),
            vec![m10.id.clone(), m20.id.clone(), m30.id.clone()],
            "the 3 oldest, oldest first"
        );
        assert_mail_matches(&first[0], &m10, &bobs, 0);
        assert_mail_matches(&first[1], &m20, &anns, 0);
        assert_mail_matches(&first[2], &m30, &anns, 0);

        let second = claim(&store, at(101), at(101 + LEASE), 3).await;
        assert_eq!(
            ids(&second),
            vec![m40.id.clone(), m50.id.clone()],
            "the rest, oldest first"
        );
        assert_mail_matches(&second[0], &m40, &bobs, 0);
        assert_mail_matches(&second[1], &m50, &anns, 0);

        assert!(claim_all(&store, at(102)).await.is_empty(), "nothing left to claim");
    }

    pub async fn a_claimed_mail_carries_its_recipient_as_they_are_now<S: ContractStore>(store: S) {
        let user = add_user(&store).await;
        let mail = enqueue(&store, &user, OutboxKind::Confirmation, at(1)).await;
        let mut profile = Profile::person();
        profile.firstname = Some("Renamed".into());
        let updated = store
            .update_profile(&user, &profile, Language::DE, &[])
            .await
            .expect("updating the profile");
        store.set_disabled(&user, true, &[]).await.expect("disabling");
        let current = user_by_id(&store, &user).await.expect("the user exists");
        assert_eq!(current.profile, updated.profile, "the update is stored");

        let claimed = claim_by_id(&store, &mail.id, at(2), at(2 + LEASE))
            .await
            .expect("the mail is due");
        assert_mail_matches(&claimed, &mail, &current, 0);
        assert_eq!(claimed.user.language, Language::DE, "in the user's new language");
    }

    pub async fn a_claimed_mail_is_not_claimed_again_while_its_lease_is_live<S: ContractStore>(store: S) {
        let user = add_user(&store).await;
        let mail = enqueue(&store, &user, OutboxKind::Confirmation, at(1)).await;
        let stored = user_by_id(&store, &user).await.expect("the user exists");

        let claimed = claim(&store, at(100), at(200), 10).await;
        assert_eq!(ids(&claimed), vec![mail.id.clone()], "claimed until 200");

        for now in [at(100), at(150), at(199)] {
            assert!(
                claim(&store, now, now + Duration::seconds(LEASE), 10).await.is_empty(),
                "leased until 200: not claimed again at {now}"
            );
            assert!(
                claim_by_id(&store, &mail.id, now, now + Duration::seconds(LEASE))
                    .await
                    .is_none(),
                "leased until 200: not claimed again by id at {now}"
            );
        }

        // The worker crashed: at the end of its lease the mail is free again,
        // with the crashed attempt counted.
        let again = claim(&store, at(200), at(300), 10).await;
        assert_eq!(again.len(), 1, "claimable again when the lease ends");
        assert_mail_matches(&again[0], &mail, &stored, 1);
        assert!(
            claim(&store, at(250), at(250 + LEASE), 10).await.is_empty(),
            "the new claim holds until 300"
        );
        assert!(
            claim_by_id(&store, &mail.id, at(300), at(400)).await.is_some(),
            "claimable by id when that lease ends too"
        );
    }

    pub async fn a_sent_mail_is_never_claimed_again<S: ContractStore>(store: S) {
        let user = add_user(&store).await;
        let sent = enqueue(&store, &user, OutboxKind::Confirmation, at(1)).await;
        let other = enqueue(&store, &user, OutboxKind::PasswordChanged, at(2)).await;
        let before = backlog(&store).await;

        let claimed = claim_by_id(&store, &sent.id, at(10), at(20)).await.expect("due");
        mark_sent(&store, &claimed.id, at(11)).await;

        assert_eq!(backlog(&store).await, before - 1, "a sent mail leaves the backlog");
        assert_out_of_the_queue(
            &store,
            &sent.id,
            &[at(12), at(20), at(1_000_000)],
            vec![other.id],
            "only the unsent mail is claimed, however late",
        )
        .await;
    }

    pub async fn a_failed_mail_is_due_again_at_its_retry_time_with_its_attempt_counted<S: ContractStore>(store: S) {
        let user = add_user(&store).await;
        let mail = enqueue(&store, &user, OutboxKind::PasswordReset, at(1)).await;
        let stored = user_by_id(&store, &user).await.expect("the user exists");
        let before = backlog(&store).await;

        let first = claim(&store, at(100), at(1000), 10).await;
        assert_eq!(ids(&first), vec![mail.id.clone()], "claimed until 1000");
        mark_failed(&store, &mail.id, Some(at(300)), at(150)).await;
        assert_eq!(
            backlog(&store).await,
            before,
            "a mail waiting for its retry is in the backlog"
        );

        assert!(
            claim(&store, at(299), at(299 + LEASE), 10).await.is_empty(),
            "not due before 300"
        );
        assert!(
            claim_by_id(&store, &mail.id, at(299), at(299 + LEASE)).await.is_none(),
            "not due by id before 300"
        );
        let second = claim(&store, at(300), at(400), 10).await;
        assert_eq!(second.len(), 1, "due at 300, though the failed claim ran until 1000");
        assert_mail_matches(&second[0], &mail, &stored, 1);

        mark_failed(&store, &mail.id, Some(at(500)), at(350)).await;
        let third = claim_by_id(&store, &mail.id, at(600), at(700))
            .await
            .expect("due after 500");
        assert_mail_matches(&third, &mail, &stored, 2);
    }

    pub async fn a_mail_failed_without_retry_is_given_up<S: ContractStore>(store: S) {
        let user = add_user(&store).await;
        let given_up = enqueue(&store, &user, OutboxKind::Confirmation, at(1)).await;
        let other = enqueue(&store, &user, OutboxKind::PasswordChanged, at(2)).await;
        let before = backlog(&store).await;

        assert!(
            claim_by_id(&store, &given_up.id, at(10), at(20)).await.is_some(),
            "claimed"
        );
        mark_failed(&store, &given_up.id, None, at(11)).await;

        assert_eq!(backlog(&store).await, before - 1, "a given-up mail leaves the backlog");
        assert_out_of_the_queue(
            &store,
            &given_up.id,
            &[at(20), at(1_000_000)],
            vec![other.id],
            "only the other mail is claimed, however late",
        )
        .await;
    }

    pub async fn every_claim_counts_an_attempt_even_when_its_worker_never_reports_back<S: ContractStore>(store: S) {
        let user = add_user(&store).await;
        let mail = enqueue(&store, &user, OutboxKind::Confirmation, at(1)).await;
        let stored = user_by_id(&store, &user).await.expect("the user exists");

        // Two workers claim the mail and die mid-delivery: their leases run out
        // and nobody reports; each claim is counted all the same.
        let first = claim(&store, at(100), at(200), 10).await;
        assert_eq!(first.len(), 1, "the first claim");
        assert_mail_matches(&first[0], &mail, &stored, 0);
        let second = claim_by_id(&store, &mail.id, at(200), at(300))
            .await
            .expect("due again when the first lease ends");
        assert_mail_matches(&second, &mail, &stored, 1);
        let third = claim(&store, at(300), at(400), 10).await;
        assert_eq!(third.len(), 1, "due again when the second lease ends");
        assert_mail_matches(&third[0], &mail, &stored, 2);

        // A failure that is reported was counted by its claim: not twice.
        mark_failed(&store, &mail.id, Some(at(500)), at(350)).await;
        let fourth = claim_by_id(&store, &mail.id, at(500), at(600))
            .await
            .expect("due at its retry time");
        assert_mail_matches(&fourth, &mail, &stored, 3);

        // A claim that finds nothing due counts nothing.
        assert!(
            claim_by_id(&store, &mail.id, at(550), at(650)).await.is_none(),
            "leased"
        );
        assert!(claim(&store, at(550), at(650), 10).await.is_empty(), "leased");
        let fifth = claim(&store, at(600), at(700), 10).await;
        assert_eq!(fifth.len(), 1, "due when the fourth lease ends");
        assert_mail_matches(&fifth[0], &mail, &stored, 4);
    }

    pub async fn the_oldest_queued_mail_is_the_oldest_neither_sent_nor_given_up<S: ContractStore>(store: S) {
        assert_eq!(oldest_queued(&store).await, None, "a fresh store queues nothing");
        let user = add_user(&store).await;
        // Queued out of age order.
        let m30 = enqueue(&store, &user, OutboxKind::PasswordReset, at(30)).await;
        let m10 = enqueue(&store, &user, OutboxKind::Confirmation, at(10)).await;
        let m20 = enqueue(&store, &user, OutboxKind::PasswordChanged, at(20)).await;
        assert_eq!(oldest_queued(&store).await, Some(at(10)), "the oldest of three");

        assert!(
            claim_by_id(&store, &m10.id, at(50), at(50 + LEASE)).await.is_some(),
            "claimed"
        );
        assert_eq!(
            oldest_queued(&store).await,
            Some(at(10)),
            "a claimed mail is still queued"
        );
        mark_sent(&store, &m10.id, at(51)).await;
        assert_eq!(oldest_queued(&store).await, Some(at(20)), "a sent mail is not");

        assert!(
            claim_by_id(&store, &m20.id, at(52), at(52 + LEASE)).await.is_some(),
            "claimed"
        );
        mark_failed(&store, &m20.id, Some(at(1000)), at(53)).await;
        assert_eq!(
            oldest_queued(&store).await,
            Some(at(20)),
            "a mail waiting for its retry is still queued"
        );
        assert!(
            claim_by_id(&store, &m20.id, at(1000), at(1000 + LEASE)).await.is_some(),
            "claimed"
        );
        mark_failed(&store, &m20.id, None, at(1001)).await;
        assert_eq!(oldest_queued(&store).await, Some(at(30)), "a given-up mail is not");

        mark_sent(&store, &m30.id, at(1002)).await;
        assert_eq!(oldest_queued(&store).await, None, "all sent or given up");
    }

    pub async fn the_backlog_counts_mails_neither_sent_nor_given_up<S: ContractStore>(store: S) {
        let user = add_user(&store).await;
        let before = backlog(&store).await;
        let mut mails = Vec::new();
        for second in 1..=5 {
            mails.push(enqueue(&store, &user, OutboxKind::Confirmation, at(second)).await);
        }
        assert_eq!(backlog(&store).await, before + 5, "queued mails count");

        let claimed = claim(&store, at(10), at(10 + LEASE), 4).await;
        assert_eq!(claimed.len(), 4, "four claimed");
        assert_eq!(backlog(&store).await, before + 5, "claimed mails still count");

        mark_failed(&store, &mails[0].id, Some(at(100)), at(11)).await;
        assert_eq!(backlog(&store).await, before + 5, "a mail waiting for its retry counts");
        mark_sent(&store, &mails[1].id, at(11)).await;
        assert_eq!(backlog(&store).await, before + 4, "a sent mail does not count");
        mark_failed(&store, &mails[2].id, None, at(12)).await;
        assert_eq!(backlog(&store).await, before + 3, "a given-up mail does not count");
    }

    pub async fn claiming_by_id_claims_that_mail_only<S: ContractStore>(store: S) {
        let user = add_user(&store).await;
        let wanted = enqueue(&store, &user, OutboxKind::PasswordReset, at(2)).await;
        let older = enqueue(&store, &user, OutboxKind::Confirmation, at(1)).await;
        let stored = user_by_id(&store, &user).await.expect("the user exists");

        assert!(
            claim_by_id(&store, &format!("mail-{}", unique()), at(10), at(10 + LEASE))
                .await
                .is_none(),
            "an unknown id"
        );
        let claimed = claim_by_id(&store, &wanted.id, at(10), at(10 + LEASE))
            .await
            .expect("the wanted mail is due");
        assert_mail_matches(&claimed, &wanted, &stored, 0);
        assert!(
            claim_by_id(&store, &wanted.id, at(11), at(11 + LEASE)).await.is_none(),
            "claimed: not claimed by id again"
        );
        assert_eq!(
            claim_all(&store, at(12)).await,
            vec![older.id.clone()],
            "the older mail was left alone; the claimed one is not handed out"
        );
    }

    pub async fn a_registrations_claimed_mail_waits_out_its_lease_and_its_code_confirms<S: ContractStore>(store: S) {
        let user = new_user(unique_email("minted"));
        let mut mail = new_mail(&user.id, OutboxKind::Confirmation, at(10));
        // Its sender sends it right after the commit, until 70 at the latest.
        mail.claimed_until = Some(at(70));
        let confirmation = email_confirmation(&user.id, at(3600));
        store
            .register(Registration {
                outbox: vec![mail.clone()],
                confirmation: Some(confirmation.clone()),
                ..registration(user.clone())
            })
            .await
            .expect("registering with a mail queued claimed and its confirmation");
        let stored = user_by_id(&store, &user.id).await.expect("the user exists");

        for now in [at(10), at(40), at(69)] {
            assert!(
                claim(&store, now, now + Duration::seconds(LEASE), 10).await.is_empty(),
                "queued claimed until 70: no worker gets it at {now}"
            );
            assert!(
                claim_by_id(&store, &mail.id, now, now + Duration::seconds(LEASE))
                    .await
                    .is_none(),
                "queued claimed until 70: not claimed by id at {now}"
            );
        }
        // The sender never reported back: the mail is a worker's, with the
        // sender's attempt counted as a claim's.
        let again = claim(&store, at(70), at(130), 10).await;
        assert_eq!(ids(&again), vec![mail.id.clone()], "claimable when the sender's claim lapses");
        assert_mail_matches(&again[0], &mail, &stored, 1);

        assert_eq!(
            by_code(&store, &user.id, code_of(&confirmation), at(20), MAX_ATTEMPTS).await,
            CodeOutcome::Confirmed,
            "the confirmation stored with the account confirms it"
        );
    }

    pub async fn a_registration_with_another_users_confirmation_changes_nothing<S: ContractStore>(store: S) {
        let ann = add_user(&store).await;
        let user = new_user(unique_email("stray"));
        let result = store
            .register(Registration {
                outbox: vec![new_mail(&user.id, OutboxKind::Confirmation, at(10))],
                confirmation: Some(email_confirmation(&ann, at(3600))),
                ..registration(user.clone())
            })
            .await;
        assert!(matches!(result, Err(StoreError::Unexpected(_))), "{result:?}");
        assert!(user_by_email(&store, &user.email).await.is_none(), "no account");
        assert_eq!(
            by_code(&store, &ann, &secret(), at(20), MAX_ATTEMPTS).await,
            CodeOutcome::NoCode,
            "no confirmation for Ann"
        );
    }

    pub async fn concurrent_claimers_get_every_mail_exactly_once<S: ContractStore>(store: S) {
        const MAILS: i64 = 20;
        const CLAIMERS: usize = 4;
        let user = add_user(&store).await;
        let mut queued = Vec::new();
        for second in 1..=MAILS {
            queued.push(enqueue(&store, &user, OutboxKind::Confirmation, at(second)).await.id);
        }
        let before = backlog(&store).await;
        let barrier = Arc::new(Barrier::new(CLAIMERS));

        let mut tasks = Vec::new();
        for _ in 0..CLAIMERS {
            let (store, barrier) = (store.clone(), Arc::clone(&barrier));
            tasks.push(tokio::spawn(async move {
                barrier.wait().await;
                let mut delivered = Vec::new();
                // Every non-empty claim takes at least one of the mails: a store
                // that hands mails out again cannot keep a claimer here forever.
                for _ in 0..=MAILS {
                    let batch = store
                        .claim_mail(at(100), at(100 + LEASE), 3)
                        .await
                        .expect("a concurrent claim_mail does not fail");
                    if batch.is_empty() {
                        break;
                    }
                    for mail in batch {
                        store
                            .mark_mail_sent(&mail.id, at(101))
                            .await
                            .expect("marking a claimed mail sent");
                        delivered.push(mail.id);
                    }
                }
                delivered
            }));
        }
        let mut delivered = Vec::new();
        for task in tasks {
            delivered.extend(task.await.expect("a claiming task ran to completion"));
        }
        assert_eq!(
            sorted(delivered),
            sorted(queued),
            "every mail was handed out exactly once"
        );
        assert_eq!(
            backlog(&store).await,
            before - u64::try_from(MAILS).expect("small"),
            "all sent"
        );
    }
}

/// The ids of the events about `user`, newest first.
async fn event_ids<S: ContractStore>(store: &S, user: &UserId) -> Vec<String> {
    let filter = AuditFilter {
        user: Some(user.clone()),
        ..AuditFilter::default()
    };
    let found = store
        .audit_events(&filter, AuditCursor::Before(None), 10)
        .await
        .expect("reading events");
    found.into_iter().map(|r| r.event.id).collect()
}
