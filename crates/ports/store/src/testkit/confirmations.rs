//! The contract of [`ConfirmationStore`](crate::ConfirmationStore): email codes
//! and links, password-reset links.

use super::support::*;

contract_rules! {
    confirmations, __store_contract_confirmations;

    pub async fn replacing_a_confirmation_of_an_unknown_user_is_not_found<S: ContractStore>(store: S) {
        let ghost = UserId(unique());
        for confirmation in [
            email_confirmation(&ghost, at(3600)),
            reset_confirmation(&ghost, at(3600)),
            sign_in_code(&ghost, at(600)),
        ] {
            let result = store.replace_confirmation(confirmation.clone()).await;
            assert!(
                matches!(result, Err(StoreError::NotFound)),
                "a {:?} confirmation of an unknown user gives NotFound, got {result:?}",
                confirmation.purpose
            );
            assert_eq!(
                by_link(&store, &confirmation.link_hash, at(1)).await,
                None,
                "nothing was stored"
            );
            assert_eq!(
                reset_link_user(&store, &confirmation.link_hash, at(1)).await,
                None,
                "nothing was stored"
            );
        }
    }

    pub async fn a_new_confirmation_replaces_the_previous_one_of_the_same_purpose_only<S: ContractStore>(store: S) {
        let user = add_user(&store).await;
        let first = send(&store, email_confirmation(&user, at(3600))).await;
        let first_reset = send(&store, reset_confirmation(&user, at(3600))).await;
        let second = send(&store, email_confirmation(&user, at(3600))).await;

        assert_eq!(
            by_link(&store, &first.link_hash, at(10)).await,
            None,
            "the replaced email link no longer confirms"
        );
        assert_eq!(
            by_code(&store, &user, code_of(&first), at(11), MAX_ATTEMPTS).await,
            CodeOutcome::Wrong,
            "the replaced code is a wrong code for the live one"
        );
        assert_eq!(
            confirmed_at(&store, &user).await,
            None,
            "not confirmed by the old confirmation"
        );
        assert_eq!(
            reset_link_user(&store, &first_reset.link_hash, at(12)).await,
            Some(user.clone()),
            "a new email confirmation leaves the reset link alone"
        );

        let second_reset = send(&store, reset_confirmation(&user, at(3600))).await;
        assert_eq!(
            reset_link_user(&store, &first_reset.link_hash, at(13)).await,
            None,
            "the replaced reset link is dead"
        );
        assert_eq!(
            reset(&store, &first_reset.link_hash, &password_hash(), at(13), None).await,
            None,
            "the replaced reset link does not reset"
        );
        assert_eq!(
            reset_link_user(&store, &second_reset.link_hash, at(14)).await,
            Some(user.clone()),
            "the new reset link is live"
        );
        assert_eq!(
            by_code(&store, &user, code_of(&second), at(15), MAX_ATTEMPTS).await,
            CodeOutcome::Confirmed,
            "a new reset link leaves the email confirmation alone"
        );
    }

    pub async fn the_right_code_confirms_the_address_once<S: ContractStore>(store: S) {
        let user = add_user(&store).await;
        let before = user_by_id(&store, &user).await.expect("the user exists");
        let confirmation = send(&store, email_confirmation(&user, at(3600))).await;

        assert_eq!(
            by_code(&store, &user, code_of(&confirmation), at(100), MAX_ATTEMPTS).await,
            CodeOutcome::Confirmed,
            "the right code"
        );
        let after = user_by_id(&store, &user).await.expect("the user exists");
        assert_eq!(after.email_confirmed_at, Some(at(100)), "confirmed at `now`");
        assert_eq!(
            User {
                email_confirmed_at: None,
                consent: None,
                ..after
            },
            before,
            "nothing else about the user changed"
        );

        assert_eq!(
            by_code(&store, &user, code_of(&confirmation), at(101), MAX_ATTEMPTS).await,
            CodeOutcome::NoCode,
            "the code is used up"
        );
        assert_eq!(
            by_link(&store, &confirmation.link_hash, at(102)).await,
            None,
            "the confirmation's link is used up with its code"
        );
        assert_eq!(
            confirmed_at(&store, &user).await,
            Some(at(100)),
            "still confirmed at 100"
        );
    }

    pub async fn a_wrong_code_counts_a_try_and_the_right_one_still_works<S: ContractStore>(store: S) {
        let user = add_user(&store).await;
        let confirmation = send(&store, email_confirmation(&user, at(3600))).await;
        for second in 1..=2 {
            assert_eq!(
                by_code(&store, &user, &secret(), at(second), 3).await,
                CodeOutcome::Wrong,
                "wrong try {second} of 3"
            );
            assert_eq!(confirmed_at(&store, &user).await, None, "a wrong code confirms nothing");
        }
        assert_eq!(
            by_code(&store, &user, code_of(&confirmation), at(3), 3).await,
            CodeOutcome::Confirmed,
            "the right code after 2 of 3 wrong tries"
        );
        assert_eq!(confirmed_at(&store, &user).await, Some(at(3)), "confirmed");
    }

    pub async fn after_max_attempts_wrong_tries_even_the_right_code_is_refused<S: ContractStore>(store: S) {
        const MAX: u32 = 3;
        let user = add_user(&store).await;
        let confirmation = send(&store, email_confirmation(&user, at(3600))).await;
        for second in 1..=MAX {
            assert_eq!(
                by_code(&store, &user, &secret(), at(i64::from(second)), MAX).await,
                CodeOutcome::Wrong,
                "wrong try {second} of {MAX} is still Wrong"
            );
        }
        assert_eq!(
            by_code(&store, &user, code_of(&confirmation), at(10), MAX).await,
            CodeOutcome::TooManyAttempts,
            "the right code after {MAX} wrong tries"
        );
        assert_eq!(
            by_code(&store, &user, &secret(), at(11), MAX).await,
            CodeOutcome::TooManyAttempts,
            "a wrong code after {MAX} wrong tries"
        );
        assert_eq!(
            by_code(&store, &user, code_of(&confirmation), at(12), MAX).await,
            CodeOutcome::TooManyAttempts,
            "the right code stays refused"
        );
        assert_eq!(confirmed_at(&store, &user).await, None, "not confirmed");

        let fresh = send(&store, email_confirmation(&user, at(3600))).await;
        assert_eq!(
            by_code(&store, &user, &secret(), at(13), MAX).await,
            CodeOutcome::Wrong,
            "a new code starts with no tries counted"
        );
        assert_eq!(
            by_code(&store, &user, code_of(&fresh), at(14), MAX).await,
            CodeOutcome::Confirmed,
            "the new code confirms"
        );
        assert_eq!(confirmed_at(&store, &user).await, Some(at(14)), "confirmed");
    }

    pub async fn the_link_still_confirms_when_the_code_has_had_its_tries<S: ContractStore>(store: S) {
        const MAX: u32 = 2;
        let user = add_user(&store).await;
        let confirmation = send(&store, email_confirmation(&user, at(3600))).await;
        for second in 1..=3 {
            by_code(&store, &user, &secret(), at(second), MAX).await;
        }
        assert_eq!(
            by_code(&store, &user, code_of(&confirmation), at(4), MAX).await,
            CodeOutcome::TooManyAttempts,
            "the code has had its tries"
        );
        assert_eq!(
            by_link(&store, &confirmation.link_hash, at(5)).await,
            Some(user.clone()),
            "the link is not guessable: tries at the code do not kill it"
        );
        assert_eq!(confirmed_at(&store, &user).await, Some(at(5)), "confirmed by the link");
    }

    pub async fn an_expired_code_is_no_code<S: ContractStore>(store: S) {
        let user = add_user(&store).await;
        let confirmation = send(&store, email_confirmation(&user, at(1000))).await;
        for now in [at(1000), at(1001), at(100_000)] {
            assert_eq!(
                by_code(&store, &user, code_of(&confirmation), now, MAX_ATTEMPTS).await,
                CodeOutcome::NoCode,
                "expired at 1000: the right code at {now} is NoCode"
            );
            assert_eq!(
                by_code(&store, &user, &secret(), now, MAX_ATTEMPTS).await,
                CodeOutcome::NoCode,
                "expired at 1000: a wrong code at {now} is NoCode"
            );
        }
        assert_eq!(confirmed_at(&store, &user).await, None, "not confirmed");
        assert_eq!(
            by_code(&store, &user, code_of(&confirmation), at(999), MAX_ATTEMPTS).await,
            CodeOutcome::Confirmed,
            "the code is live one second before it expires"
        );
    }

    pub async fn without_a_live_email_code_every_code_is_no_code<S: ContractStore>(store: S) {
        let never_sent = add_user(&store).await;
        assert_eq!(
            by_code(&store, &never_sent, &secret(), at(1), MAX_ATTEMPTS).await,
            CodeOutcome::NoCode,
            "a user without any confirmation"
        );

        let reset_only = add_user(&store).await;
        let link = send(&store, reset_confirmation(&reset_only, at(3600))).await;
        assert_eq!(
            by_code(&store, &reset_only, &link.link_hash, at(2), MAX_ATTEMPTS).await,
            CodeOutcome::NoCode,
            "a password-reset link is no email code"
        );
        assert_eq!(
            reset_link_user(&store, &link.link_hash, at(3)).await,
            Some(reset_only),
            "and the reset link is left alone"
        );

        let link_only = add_user(&store).await;
        let confirmation = send(
            &store,
            NewConfirmation {
                code_hash: None,
                ..email_confirmation(&link_only, at(3600))
            },
        )
        .await;
        assert_eq!(
            by_code(&store, &link_only, &secret(), at(4), MAX_ATTEMPTS).await,
            CodeOutcome::NoCode,
            "an email confirmation without a code (a link only) has no code to try"
        );
        assert_eq!(
            by_link(&store, &confirmation.link_hash, at(5)).await,
            Some(link_only),
            "its link confirms"
        );

        assert_eq!(
            by_code(&store, &UserId(unique()), &secret(), at(6), MAX_ATTEMPTS).await,
            CodeOutcome::NoCode,
            "an unknown user"
        );
    }

    pub async fn a_code_is_checked_against_its_own_users_confirmation_only<S: ContractStore>(store: S) {
        let ann = add_user(&store).await;
        let bob = add_user(&store).await;
        let carol = add_user(&store).await;
        let anns = send(&store, email_confirmation(&ann, at(3600))).await;
        let bobs = send(&store, email_confirmation(&bob, at(3600))).await;

        assert_eq!(
            by_code(&store, &bob, code_of(&anns), at(1), MAX_ATTEMPTS).await,
            CodeOutcome::Wrong,
            "Ann's code is a wrong code for Bob"
        );
        assert_eq!(
            by_code(&store, &carol, code_of(&anns), at(2), MAX_ATTEMPTS).await,
            CodeOutcome::NoCode,
            "Ann's code is no code for Carol, who has none"
        );
        assert_eq!(confirmed_at(&store, &bob).await, None, "Bob is not confirmed");
        assert_eq!(confirmed_at(&store, &carol).await, None, "Carol is not confirmed");
        assert_eq!(confirmed_at(&store, &ann).await, None, "Ann is not confirmed either");

        assert_eq!(
            by_code(&store, &ann, code_of(&anns), at(3), MAX_ATTEMPTS).await,
            CodeOutcome::Confirmed,
            "Ann's code still confirms Ann"
        );
        assert_eq!(confirmed_at(&store, &bob).await, None, "Bob is still not confirmed");
        assert_eq!(
            by_code(&store, &bob, code_of(&bobs), at(4), MAX_ATTEMPTS).await,
            CodeOutcome::Confirmed,
            "Bob's own code confirms Bob"
        );
    }

    pub async fn concurrent_right_codes_confirm_once<S: ContractStore>(store: S) {
        let user = add_user(&store).await;
        let confirmation = send(&store, email_confirmation(&user, at(3600))).await;
        assert_one_racing_right_code_goes_through(&store, &confirmation).await;
        assert_eq!(confirmed_at(&store, &user).await, Some(at(100)), "confirmed");
    }

    pub async fn a_link_confirms_the_address_once<S: ContractStore>(store: S) {
        let user = add_user(&store).await;
        let other = add_user(&store).await;
        let before = user_by_id(&store, &user).await.expect("the user exists");
        let confirmation = send(&store, email_confirmation(&user, at(3600))).await;
        let others = send(&store, email_confirmation(&other, at(3600))).await;

        assert_eq!(by_link(&store, &secret(), at(99)).await, None, "an unknown link");
        assert_eq!(
            by_link(&store, &confirmation.link_hash, at(100)).await,
            Some(user.clone()),
            "the link confirms and names its user"
        );
        let after = user_by_id(&store, &user).await.expect("the user exists");
        assert_eq!(after.email_confirmed_at, Some(at(100)), "confirmed at `now`");
        assert_eq!(
            User {
                email_confirmed_at: None,
                ..after
            },
            before,
            "nothing else about the user changed"
        );

        assert_eq!(
            by_link(&store, &confirmation.link_hash, at(101)).await,
            None,
            "the link is used up"
        );
        assert_eq!(
            by_code(&store, &user, code_of(&confirmation), at(102), MAX_ATTEMPTS).await,
            CodeOutcome::NoCode,
            "the confirmation's code is used up with its link"
        );
        assert_eq!(
            confirmed_at(&store, &user).await,
            Some(at(100)),
            "still confirmed at 100"
        );
        assert_eq!(
            confirmed_at(&store, &other).await,
            None,
            "another user is not confirmed"
        );
        assert_eq!(
            by_link(&store, &others.link_hash, at(103)).await,
            Some(other),
            "another user's link is untouched"
        );
    }

    pub async fn an_expired_link_does_not_confirm<S: ContractStore>(store: S) {
        let user = add_user(&store).await;
        let confirmation = send(&store, email_confirmation(&user, at(1000))).await;
        for now in [at(1000), at(100_000)] {
            assert_eq!(
                by_link(&store, &confirmation.link_hash, now).await,
                None,
                "expired at 1000: the link at {now} does not confirm"
            );
        }
        assert_eq!(confirmed_at(&store, &user).await, None, "not confirmed");
        assert_eq!(
            by_link(&store, &confirmation.link_hash, at(999)).await,
            Some(user.clone()),
            "the link is live one second before it expires"
        );
        assert_eq!(confirmed_at(&store, &user).await, Some(at(999)), "confirmed");
    }

    pub async fn a_password_reset_link_is_not_an_email_confirmation_link<S: ContractStore>(store: S) {
        let user = add_user(&store).await;
        let link = send(&store, reset_confirmation(&user, at(3600))).await;
        assert_eq!(
            by_link(&store, &link.link_hash, at(1)).await,
            None,
            "a reset link does not confirm the address"
        );
        assert_eq!(confirmed_at(&store, &user).await, None, "not confirmed");
        assert_eq!(
            reset_link_user(&store, &link.link_hash, at(2)).await,
            Some(user),
            "and the reset link is not used up by it"
        );
    }

    pub async fn concurrent_uses_of_one_link_confirm_once<S: ContractStore>(store: S) {
        const RACERS: usize = 10;
        let user = add_user(&store).await;
        let confirmation = send(&store, email_confirmation(&user, at(3600))).await;
        let links = vec![confirmation.link_hash.clone(); RACERS];
        let outcomes =
            race(&store, links, |store, link| async move { store.confirm_by_link(&link, at(100), &[]).await }).await;
        let mut winners = Vec::new();
        for (_, outcome) in outcomes {
            if let Some(id) = outcome.expect("a concurrent confirm_by_link does not fail") {
                winners.push(id);
            }
        }
        assert_eq!(winners, vec![user.clone()], "exactly one use confirms");
        assert_eq!(confirmed_at(&store, &user).await, Some(at(100)), "confirmed");
    }

    pub async fn a_reset_link_names_its_user_until_used_and_resets_the_password_once<S: ContractStore>(store: S) {
        let client = add_client(&store, at(0)).await;
        let (user, [phone, laptop], bystander) =
            user_and_bystander(&store, [(&client, "phone"), (&client, "laptop")]).await;
        let link = send(&store, reset_confirmation(&user, at(3600))).await;
        let before = backlog(&store).await;

        for now in [at(10), at(11)] {
            assert_eq!(
                reset_link_user(&store, &link.link_hash, now).await,
                Some(user.clone()),
                "the live link names its user, and looking does not use it"
            );
        }
        assert_eq!(
            reset_link_user(&store, &secret(), at(11)).await,
            None,
            "an unknown link"
        );

        let hash = password_hash();
        let mail = new_mail(&user, OutboxKind::PasswordChanged, at(20));
        assert_eq!(
            reset(&store, &link.link_hash, &hash, at(20), Some(mail.clone())).await,
            Some(user.clone()),
            "the live link resets the password of its user"
        );
        assert_eq!(
            password_of(&store, &user).await,
            Some(hash.clone()),
            "the new hash is stored"
        );
        assert!(sessions(&store, &user).await.is_empty(), "every session is revoked");
        for s in [&phone, &laptop] {
            assert_revoked(&store, s, at(21), "the access token stops working", "the refresh token is unknown").await;
        }
        assert_authenticates(&store, &bystander.access_hash, at(21), "another user's session is untouched").await;
        assert_eq!(backlog(&store).await, before + 1, "the mail is queued");
        let stored = user_by_id(&store, &user).await.expect("the user exists");
        let claimed = claim(&store, at(22), at(22 + LEASE), 10).await;
        assert_eq!(claimed.len(), 1, "the mail is due, got {:?}", ids(&claimed));
        assert_mail_matches(&claimed[0], &mail, &stored, 0);

        assert_eq!(
            reset_link_user(&store, &link.link_hash, at(23)).await,
            None,
            "the link is used up"
        );
        assert_eq!(
            reset(
                &store,
                &link.link_hash,
                &password_hash(),
                at(24),
                Some(new_mail(&user, OutboxKind::PasswordChanged, at(24)))
            )
            .await,
            None,
            "the used link does not reset again"
        );
        assert_eq!(
            password_of(&store, &user).await,
            Some(hash),
            "the password is unchanged"
        );
        assert_eq!(backlog(&store).await, before + 1, "no second mail is queued");
    }

    pub async fn an_email_confirmation_link_does_not_reset_a_password<S: ContractStore>(store: S) {
        let (client, user) = client_and_user(&store).await;
        let session = open(&store, &user, &client, "phone", at(1), 5).await;
        let confirmation = send(&store, email_confirmation(&user, at(3600))).await;
        let hash = password_of(&store, &user).await;
        let before = backlog(&store).await;

        assert_eq!(
            reset_link_user(&store, &confirmation.link_hash, at(10)).await,
            None,
            "an email link names no one for a reset"
        );
        assert_eq!(
            reset(
                &store,
                &confirmation.link_hash,
                &password_hash(),
                at(11),
                Some(new_mail(&user, OutboxKind::PasswordChanged, at(11)))
            )
            .await,
            None,
            "an email link does not reset"
        );
        assert_eq!(password_of(&store, &user).await, hash, "the password is unchanged");
        assert_authenticates(&store, &session.access_hash, at(12), "the session lives on").await;
        assert_eq!(backlog(&store).await, before, "no mail is queued");
        assert_eq!(
            by_link(&store, &confirmation.link_hash, at(13)).await,
            Some(user),
            "the email link still confirms"
        );
    }

    pub async fn an_expired_reset_link_changes_nothing<S: ContractStore>(store: S) {
        let (client, user) = client_and_user(&store).await;
        let session = open(&store, &user, &client, "phone", at(1), 5).await;
        let link = send(&store, reset_confirmation(&user, at(1000))).await;
        let hash = password_of(&store, &user).await;
        let before = backlog(&store).await;

        for now in [at(1000), at(100_000)] {
            assert_eq!(
                reset_link_user(&store, &link.link_hash, now).await,
                None,
                "expired at 1000: the link at {now} names no one"
            );
            assert_eq!(
                reset(
                    &store,
                    &link.link_hash,
                    &password_hash(),
                    now,
                    Some(new_mail(&user, OutboxKind::PasswordChanged, now))
                )
                .await,
                None,
                "expired at 1000: the link at {now} does not reset"
            );
        }
        assert_eq!(password_of(&store, &user).await, hash, "the password is unchanged");
        assert_eq!(confirmed_at(&store, &user).await, None, "the address is not confirmed");
        assert_authenticates(&store, &session.access_hash, at(2), "the session lives on").await;
        assert_eq!(backlog(&store).await, before, "no mail is queued");
        assert_eq!(
            reset_link_user(&store, &link.link_hash, at(999)).await,
            Some(user),
            "the link is live one second before it expires"
        );
    }

    pub async fn concurrent_resets_with_one_link_let_exactly_one_through<S: ContractStore>(store: S) {
        const RACERS: usize = 10;
        let user = add_user(&store).await;
        let link = send(&store, reset_confirmation(&user, at(3600))).await;
        let before = backlog(&store).await;
        let resets = (0..RACERS)
            .map(|_| (password_hash(), new_mail(&user, OutboxKind::PasswordChanged, at(100))))
            .collect();
        let link = link.link_hash.clone();
        let outcomes = race(&store, resets, |store, (hash, mail)| {
            let link = link.clone();
            async move { store.reset_password(&link, &hash, at(100), Some(mail), &[]).await }
        })
        .await;
        let mut winners = Vec::new();
        for ((hash, mail), outcome) in outcomes {
            if let Some(id) = outcome.expect("a concurrent reset_password does not fail") {
                assert_eq!(id, user, "the winner names the link's user");
                winners.push((hash, mail));
            }
        }
        assert_eq!(winners.len(), 1, "exactly one reset goes through");
        let (hash, mail) = &winners[0];
        assert_eq!(
            password_of(&store, &user).await.as_ref(),
            Some(hash),
            "the winner's hash"
        );
        assert_eq!(backlog(&store).await, before + 1, "one mail is queued");
        assert_eq!(
            claim_all(&store, at(101)).await,
            vec![mail.id.clone()],
            "the winner's mail"
        );
    }

    pub async fn a_used_reset_link_confirms_an_unconfirmed_address_and_keeps_an_earlier_confirmation<S: ContractStore>(
        store: S,
    ) {
        let unconfirmed = add_user(&store).await;
        let confirmed = NewUser {
            email_confirmed_at: Some(at(5)),
            consent: None,
            ..new_user(unique_email("confirmed"))
        };
        store
            .register(registration(confirmed.clone()))
            .await
            .expect("registering a confirmed user");
        let first = send(&store, reset_confirmation(&unconfirmed, at(3600))).await;
        let second = send(&store, reset_confirmation(&confirmed.id, at(3600))).await;

        assert_eq!(
            reset(&store, &first.link_hash, &password_hash(), at(20), None).await,
            Some(unconfirmed.clone()),
            "the live link resets"
        );
        assert_eq!(
            confirmed_at(&store, &unconfirmed).await,
            Some(at(20)),
            "the link reached the address: confirmed at `now`"
        );

        assert_eq!(
            reset(&store, &second.link_hash, &password_hash(), at(30), None).await,
            Some(confirmed.id.clone()),
            "the live link resets"
        );
        assert_eq!(
            confirmed_at(&store, &confirmed.id).await,
            Some(at(5)),
            "an earlier confirmation is kept"
        );
    }

    pub async fn a_link_writes_its_event_only_when_it_confirms<S: ContractStore>(store: S) {
        let user = add_user(&store).await;
        let sent = send(&store, email_confirmation(&user, at(100))).await;
        let template = super::audit::template(AuditKind::EmailConfirmed).with("method", "link");
        assert_eq!(
            store
                .confirm_by_link(&secret(), at(10), std::slice::from_ref(&template))
                .await
                .expect("an unknown link"),
            None
        );
        assert!(store
            .confirm_by_link(&sent.link_hash, at(100), std::slice::from_ref(&template))
            .await
            .expect("an expired link")
            .is_none());
        assert!(
            super::audit::events_about(&store, &user).await.is_empty(),
            "a dead link writes no event"
        );
        assert_eq!(
            store
                .confirm_by_link(&sent.link_hash, at(10), std::slice::from_ref(&template))
                .await
                .expect("the live link"),
            Some(user.clone())
        );
        let events = super::audit::events_about(&store, &user).await;
        assert_eq!(events.len(), 1);
        let stored = user_by_id(&store, &user).await.expect("the user");
        assert_eq!(events[0].email.as_ref(), Some(&stored.email), "completed with the link's user");
        assert!(store
            .confirm_by_link(&sent.link_hash, at(11), &[template])
            .await
            .expect("the used link")
            .is_none());
        assert_eq!(super::audit::events_about(&store, &user).await.len(), 1, "a used link writes nothing");
    }

    pub async fn a_code_writes_its_event_only_when_right<S: ContractStore>(store: S) {
        let user = add_user(&store).await;
        let sent = send(&store, email_confirmation(&user, at(100))).await;
        let confirmed = super::audit::audit_event(AuditKind::EmailConfirmed, &user, at(10));
        let wrong = CodeTry {
            audit: vec![confirmed.clone()],
            ..code_try(&user, &secret(), at(10), MAX_ATTEMPTS)
        };
        assert_eq!(store.confirm_by_code(&wrong).await.expect("a wrong code"), CodeOutcome::Wrong);
        assert!(super::audit::events_about(&store, &user).await.is_empty(), "a wrong code writes nothing");
        let right = CodeTry {
            audit: vec![confirmed.clone()],
            ..code_try(&user, code_of(&sent), at(11), MAX_ATTEMPTS)
        };
        assert_eq!(store.confirm_by_code(&right).await.expect("the code"), CodeOutcome::Confirmed);
        assert_eq!(super::audit::events_about(&store, &user).await, vec![confirmed]);
    }

    pub async fn a_reset_writes_its_event_only_through_a_live_link<S: ContractStore>(store: S) {
        let user = add_user(&store).await;
        let sent = send(&store, reset_confirmation(&user, at(100))).await;
        let template = super::audit::template(AuditKind::PasswordChanged).with("reason", "reset");
        assert!(store
            .reset_password(&secret(), &password_hash(), at(10), None, std::slice::from_ref(&template))
            .await
            .expect("a dead link")
            .is_none());
        assert!(super::audit::events_about(&store, &user).await.is_empty());
        assert_eq!(
            store
                .reset_password(&sent.link_hash, &password_hash(), at(10), None, &[template])
                .await
                .expect("the live link"),
            Some(user.clone())
        );
        let kinds = super::audit::kinds_about(&store, &user).await;
        assert_eq!(kinds, vec![AuditKind::PasswordChanged]);
    }
}
