//! The contract of [`ConfirmationStore`](crate::ConfirmationStore) for email-first
//! signups: links that name an account waiting for consent, and completing it.

use super::support::*;

contract_rules! {
    signups, __store_contract_signups;

    pub async fn a_code_or_link_confirms_an_account_waiting_for_consent_and_leaves_its_link_live<S: ContractStore>(
        store: S,
    ) {
        let client = add_client(&store, at(0)).await;
        let user = add_pending_signup_user(&store).await;
        let stored = user_by_id(&store, &user).await.expect("the user exists");
        assert!(stored.consent_pending(), "registered waiting for consent");
        let confirmation = send(&store, email_confirmation(&user, at(3600))).await;

        assert_eq!(
            by_code(&store, &user, code_of(&confirmation), at(10), MAX_ATTEMPTS).await,
            CodeOutcome::Confirmed,
            "the right code confirms"
        );
        assert_eq!(
            confirmed_at(&store, &user).await,
            Some(at(10)),
            "the address is confirmed"
        );
        assert_eq!(
            by_code(&store, &user, code_of(&confirmation), at(11), MAX_ATTEMPTS).await,
            CodeOutcome::NoCode,
            "the code is used up"
        );
        assert_eq!(
            email_link_user(&store, &confirmation.link_hash, at(12)).await,
            Some(user.clone()),
            "the link stays live for the consent"
        );
        assert_eq!(
            by_link(&store, &confirmation.link_hash, at(13)).await,
            Some(user.clone()),
            "opening it as a confirmation link names the user"
        );
        assert_eq!(
            email_link_user(&store, &confirmation.link_hash, at(14)).await,
            Some(user.clone()),
            "and still leaves it live for the consent"
        );
        assert_eq!(
            used_email_link_user(&store, &confirmation.link_hash).await,
            None,
            "a live link is not a used one"
        );
        let completed = complete(
            &store,
            completion(&confirmation.link_hash, new_session(&user, &client, "browser", at(20))),
        )
        .await
        .expect("the link completes the signup after the code");
        assert_eq!(completed.consent, Some(1), "the consent is recorded");
        assert!(!completed.consent_pending(), "no longer waiting");
        assert_eq!(completed.email_confirmed_at, Some(at(10)), "confirmed since the code");
        assert_eq!(
            email_link_user(&store, &confirmation.link_hash, at(21)).await,
            None,
            "the completion used the link up"
        );
        assert_eq!(
            used_email_link_user(&store, &confirmation.link_hash).await,
            Some(user),
            "a used link names its user"
        );
    }

    pub async fn a_used_email_link_names_its_user_however_it_was_used<S: ContractStore>(store: S) {
        let client = add_client(&store, at(0)).await;
        let by_its_link = add_user(&store).await;
        let by_its_code = add_user(&store).await;
        let by_signup = add_pending_signup_user(&store).await;
        let unused = add_user(&store).await;
        let linked = send(&store, email_confirmation(&by_its_link, at(3600))).await;
        let coded = send(&store, email_confirmation(&by_its_code, at(3600))).await;
        let signup = send(&store, email_confirmation(&by_signup, at(3600))).await;
        let replaced = send(&store, email_confirmation(&unused, at(3600))).await;
        let live = send(&store, email_confirmation(&unused, at(3600))).await;
        let reset_link = send(&store, reset_confirmation(&by_its_link, at(3600))).await;

        assert_eq!(
            by_link(&store, &linked.link_hash, at(10)).await,
            Some(by_its_link.clone())
        );
        assert_eq!(
            by_code(&store, &by_its_code, code_of(&coded), at(10), MAX_ATTEMPTS).await,
            CodeOutcome::Confirmed
        );
        complete(
            &store,
            completion(&signup.link_hash, new_session(&by_signup, &client, "browser", at(10))),
        )
        .await
        .expect("completing the signup");

        // Long after, past every expiry: used is used.
        for (link, user, how) in [
            (&linked.link_hash, &by_its_link, "used as a link"),
            (&coded.link_hash, &by_its_code, "its code was used"),
            (&signup.link_hash, &by_signup, "a completed signup"),
        ] {
            assert_eq!(used_email_link_user(&store, link).await.as_ref(), Some(user), "{how}");
        }
        assert_eq!(used_email_link_user(&store, &secret()).await, None, "an unknown link");
        assert_eq!(used_email_link_user(&store, &live.link_hash).await, None, "a live link");
        assert_eq!(
            used_email_link_user(&store, &replaced.link_hash).await,
            None,
            "a link replaced before use"
        );
        assert_eq!(
            reset(&store, &reset_link.link_hash, &password_hash(), at(20), None).await,
            Some(by_its_link.clone()),
            "the reset link is used"
        );
        assert_eq!(
            used_email_link_user(&store, &reset_link.link_hash).await,
            None,
            "a used reset link is not an email link"
        );
        assert!(
            store.delete_user(&by_its_link, &[]).await.expect("deleting"),
            "the user existed"
        );
        assert_eq!(
            used_email_link_user(&store, &linked.link_hash).await,
            None,
            "a deleted user's links name no one"
        );
    }

    pub async fn an_email_link_names_its_user_while_live_without_using_it<S: ContractStore>(store: S) {
        let user = add_signup_user(&store).await;
        let other = add_signup_user(&store).await;
        let confirmation = send(&store, email_confirmation(&user, at(3600))).await;
        let others = send(&store, email_confirmation(&other, at(3600))).await;

        for now in [at(10), at(11)] {
            assert_eq!(
                email_link_user(&store, &confirmation.link_hash, now).await,
                Some(user.clone()),
                "the live link names its user, and looking does not use it"
            );
        }
        assert_eq!(
            email_link_user(&store, &secret(), at(11)).await,
            None,
            "an unknown link"
        );
        assert_eq!(confirmed_at(&store, &user).await, None, "looking confirms nothing");
        assert_eq!(
            by_code(&store, &user, code_of(&confirmation), at(12), MAX_ATTEMPTS).await,
            CodeOutcome::Confirmed,
            "the confirmation is still there to use"
        );
        assert_eq!(
            email_link_user(&store, &confirmation.link_hash, at(13)).await,
            None,
            "a used link (its code was used) names no one"
        );

        assert_eq!(
            by_link(&store, &others.link_hash, at(14)).await,
            Some(other),
            "another user's link still confirms"
        );
        assert_eq!(
            email_link_user(&store, &others.link_hash, at(15)).await,
            None,
            "a used link names no one"
        );
    }

    pub async fn an_expired_replaced_or_reset_link_names_no_one_as_an_email_link<S: ContractStore>(store: S) {
        let user = add_signup_user(&store).await;
        let expiring = send(&store, email_confirmation(&user, at(1000))).await;
        for now in [at(1000), at(100_000)] {
            assert_eq!(
                email_link_user(&store, &expiring.link_hash, now).await,
                None,
                "expired at 1000: the link at {now} names no one"
            );
        }
        assert_eq!(
            email_link_user(&store, &expiring.link_hash, at(999)).await,
            Some(user.clone()),
            "the link is live one second before it expires"
        );

        let replacing = send(&store, email_confirmation(&user, at(3600))).await;
        assert_eq!(
            email_link_user(&store, &expiring.link_hash, at(10)).await,
            None,
            "a replaced link names no one"
        );
        assert_eq!(
            email_link_user(&store, &replacing.link_hash, at(10)).await,
            Some(user.clone()),
            "the new link does"
        );

        let reset = send(&store, reset_confirmation(&user, at(3600))).await;
        assert_eq!(
            email_link_user(&store, &reset.link_hash, at(11)).await,
            None,
            "a password-reset link is no email-confirmation link"
        );
        assert_eq!(
            reset_link_user(&store, &reset.link_hash, at(12)).await,
            Some(user),
            "and the reset link is left alone"
        );
    }

    pub async fn completing_a_signup_confirms_records_consent_sets_the_password_and_opens_the_session<S: ContractStore>(
        store: S,
    ) {
        let client = add_client(&store, at(0)).await;
        let user = add_signup_user(&store).await;
        let bystander = add_signup_user(&store).await;
        let before = user_by_id(&store, &user).await.expect("the user exists");
        assert_eq!(before.consent, None, "no consent before the signup is completed");
        assert_eq!(before.password_hash, None, "an email-first account has no password yet");
        let confirmation = send(&store, email_confirmation(&user, at(3600))).await;
        let others = send(&store, email_confirmation(&bystander, at(3600))).await;

        let hash = password_hash();
        let session = new_session(&user, &client, "browser", at(100));
        let completed = complete(
            &store,
            SignupCompletion {
                consent: 2,
                password_hash: Some(hash.clone()),
                ..completion(&confirmation.link_hash, session.clone())
            },
        )
        .await
        .expect("a live link completes the signup");

        assert_eq!(completed.id, user, "the link's user");
        assert_eq!(completed.consent, Some(2), "the consent is recorded");
        assert_eq!(
            completed.email_confirmed_at,
            Some(at(100)),
            "the address is confirmed at `now`"
        );
        assert_eq!(completed.password_hash, Some(hash.clone()), "the password is set");
        assert_eq!(
            User {
                consent: None,
                email_confirmed_at: None,
                password_hash: None,
                ..completed.clone()
            },
            before,
            "nothing else about the user changed"
        );
        assert_eq!(
            user_by_id(&store, &user).await.as_ref(),
            Some(&completed),
            "complete_signup returns the user as stored now"
        );
        assert_eq!(
            password_of(&store, &user).await,
            Some(hash),
            "the login hash is visible through user_by_id"
        );

        let (found, found_user) = store
            .session_by_access(&session.access_hash, at(101))
            .await
            .expect("looking up the session")
            .expect("the completion's session is found by its access hash");
        assert_session_matches(&found, &session);
        assert_eq!(found_user, completed, "with its user as completed");
        assert_eq!(sessions(&store, &user).await, vec![found], "exactly one session");

        assert_eq!(
            email_link_user(&store, &confirmation.link_hash, at(102)).await,
            None,
            "the link is used up"
        );
        assert_eq!(
            by_code(&store, &user, code_of(&confirmation), at(102), MAX_ATTEMPTS).await,
            CodeOutcome::NoCode,
            "the confirmation's code is used up with its link"
        );
        let again = new_session(&user, &client, "laptop", at(103));
        assert_completes_nothing(
            &store,
            &user,
            SignupCompletion {
                consent: 3,
                password_hash: Some(password_hash()),
                ..completion(&confirmation.link_hash, again)
            },
            "the used link",
        )
        .await;

        let untouched = user_by_id(&store, &bystander).await.expect("the bystander exists");
        assert_eq!(untouched.consent, None, "another user's consent is untouched");
        assert_eq!(untouched.email_confirmed_at, None, "another user is not confirmed");
        assert_eq!(
            email_link_user(&store, &others.link_hash, at(104)).await,
            Some(bystander),
            "another user's link is untouched"
        );
    }

    pub async fn completing_a_signup_without_a_password_keeps_the_stored_one<S: ContractStore>(store: S) {
        let (client, user) = client_and_user(&store).await;
        let hash = password_of(&store, &user).await;
        assert!(hash.is_some(), "this user has a password");
        let confirmation = send(&store, email_confirmation(&user, at(3600))).await;

        let completed = complete(
            &store,
            SignupCompletion {
                consent: 1,
                password_hash: None,
                ..completion(&confirmation.link_hash, new_session(&user, &client, "browser", at(10)))
            },
        )
        .await
        .expect("a live link completes the signup");
        assert_eq!(
            completed.password_hash, hash,
            "no password given: the stored one is kept"
        );
        assert_eq!(completed.consent, Some(1), "the consent is recorded");
        assert_eq!(completed.email_confirmed_at, Some(at(10)), "the address is confirmed");
        assert_eq!(password_of(&store, &user).await, hash, "as stored");
    }

    pub async fn a_dead_link_completes_no_signup_and_changes_nothing<S: ContractStore>(store: S) {
        let client = add_client(&store, at(0)).await;
        let user = add_signup_user(&store).await;
        let attempt = |link: &SecretHash, device_id: &str, now: DateTime<Utc>| SignupCompletion {
            consent: 2,
            password_hash: Some(password_hash()),
            ..completion(link, new_session(&user, &client, device_id, now))
        };

        assert_completes_nothing(&store, &user, attempt(&secret(), "unknown", at(1)), "an unknown link").await;

        let reset = send(&store, reset_confirmation(&user, at(3600))).await;
        assert_completes_nothing(&store, &user, attempt(&reset.link_hash, "reset", at(2)), "a reset link").await;
        assert_eq!(
            reset_link_user(&store, &reset.link_hash, at(3)).await,
            Some(user.clone()),
            "the reset link is not used up by it"
        );

        let expired = send(&store, email_confirmation(&user, at(1000))).await;
        for now in [at(1000), at(100_000)] {
            assert_completes_nothing(
                &store,
                &user,
                attempt(&expired.link_hash, "expired", now),
                "a link expired at 1000",
            )
            .await;
        }

        let replacing = send(&store, email_confirmation(&user, at(3600))).await;
        assert_completes_nothing(
            &store,
            &user,
            attempt(&expired.link_hash, "replaced", at(10)),
            "a replaced link",
        )
        .await;

        assert_eq!(
            by_link(&store, &replacing.link_hash, at(20)).await,
            Some(user.clone()),
            "the live link confirms"
        );
        assert_completes_nothing(
            &store,
            &user,
            attempt(&replacing.link_hash, "used", at(21)),
            "a link used to confirm",
        )
        .await;

        let stored = user_by_id(&store, &user).await.expect("the user exists");
        assert_eq!(stored.consent, None, "no consent was recorded");
        assert_eq!(stored.password_hash, None, "no password was set");
        assert_eq!(stored.email_confirmed_at, Some(at(20)), "confirmed by the link only");
    }

    pub async fn completing_a_signup_on_an_unknown_client_is_not_found_and_changes_nothing<S: ContractStore>(store: S) {
        let client = add_client(&store, at(0)).await;
        let ghost = ClientId::parse(&format!("client-{}", unique())).expect("a valid client id");
        let user = add_signup_user(&store).await;
        let before = user_by_id(&store, &user).await.expect("the user exists");
        let confirmation = send(&store, email_confirmation(&user, at(3600))).await;

        let session = new_session(&user, &ghost, "browser", at(10));
        let result = store
            .complete_signup(SignupCompletion {
                consent: 2,
                password_hash: Some(password_hash()),
                ..completion(&confirmation.link_hash, session.clone())
            })
            .await;
        assert!(
            matches!(result, Err(StoreError::NotFound)),
            "a session on an unknown client gives NotFound, as open_session does, got {result:?}"
        );
        assert_eq!(user_by_id(&store, &user).await, Some(before), "the user is unchanged");
        assert!(sessions(&store, &user).await.is_empty(), "no session is opened");
        assert_refused(&store, &session.access_hash, at(11), "the session's access token does not authenticate").await;
        assert_eq!(
            email_link_user(&store, &confirmation.link_hash, at(12)).await,
            Some(user.clone()),
            "the link is still live"
        );
        let completed = complete(
            &store,
            completion(&confirmation.link_hash, new_session(&user, &client, "browser", at(13))),
        )
        .await;
        assert!(completed.is_some(), "and completes the signup on a known client");
    }

    pub async fn completing_a_signup_opens_its_session_under_the_open_session_rules<S: ContractStore>(store: S) {
        let (web, app) = two_clients(&store).await;
        let user = add_signup_user(&store).await;
        let [phone, old_laptop, tablet] =
            open_in_turn(&store, &user, [(&web, "phone"), (&web, "laptop"), (&app, "tablet")]).await;
        let confirmation = send(&store, email_confirmation(&user, at(3600))).await;

        let laptop = new_session(&user, &web, "laptop", at(10));
        complete(
            &store,
            SignupCompletion {
                max_sessions_per_client: 1,
                ..completion(&confirmation.link_hash, laptop.clone())
            },
        )
        .await
        .expect("a live link completes the signup");

        for (gone, why) in [
            (&old_laptop, "the session of the same device and client is replaced"),
            (&phone, "the least recently used session of the client is evicted past the cap of 1"),
        ] {
            assert_refused(&store, &gone.access_hash, at(11), why).await;
        }
        assert_authenticates(&store, &tablet.access_hash, at(11), "a session of another client is kept").await;
        assert_authenticates(&store, &laptop.access_hash, at(11), "the new session works").await;
        assert_eq!(
            sorted(session_ids(&store, &user).await.into_iter().map(|id| id.0).collect()),
            sorted(vec![tablet.id.0.clone(), laptop.id.0.clone()]),
            "the other client's session and the new one are left"
        );
    }

    pub async fn concurrent_completions_of_one_signup_let_exactly_one_through<S: ContractStore>(store: S) {
        const RACERS: usize = 10;
        let client = add_client(&store, at(0)).await;
        let user = add_signup_user(&store).await;
        let confirmation = send(&store, email_confirmation(&user, at(3600))).await;
        let completions = (0..RACERS)
            .map(|racer| SignupCompletion {
                consent: i32::try_from(racer).expect("small") + 1,
                password_hash: Some(password_hash()),
                max_sessions_per_client: RACERS,
                ..completion(
                    &confirmation.link_hash,
                    new_session(&user, &client, &format!("device-{racer}"), at(100)),
                )
            })
            .collect();
        let outcomes = race(&store, completions, |store, c| async move { store.complete_signup(c).await }).await;
        let (winners, losers): (Vec<_>, Vec<_>) = outcomes
            .into_iter()
            .map(|(completion, outcome)| (completion, outcome.expect("a concurrent complete_signup does not fail")))
            .partition(|(_, completed)| completed.is_some());
        assert_eq!(winners.len(), 1, "exactly one completion goes through");
        let (won, completed) = &winners[0];
        let completed = completed.as_ref().expect("the winner completed the signup");
        let stored = user_by_id(&store, &user).await.expect("the user exists");
        assert_eq!(&stored, completed, "the user is as the winner left them");
        assert_eq!(stored.consent, Some(won.consent), "the winner's consent");
        assert_eq!(stored.password_hash, won.password_hash, "the winner's password");
        assert_eq!(
            session_ids(&store, &user).await,
            vec![won.session.id.clone()],
            "only the winner's session is opened"
        );
        for (lost, _) in &losers {
            assert_refused(&store, &lost.session.access_hash, at(101), "a loser's session does not authenticate").await;
        }
    }

    pub async fn completing_a_signup_writes_its_events_and_a_dead_link_none<S: ContractStore>(store: S) {
        let client = add_client(&store, at(0)).await;
        let user = add_pending_signup_user(&store).await;
        let confirmation = send(&store, email_confirmation(&user, at(3600))).await;
        let confirmed = super::audit::template(AuditKind::EmailConfirmed);
        let signed_in = super::audit::audit_event(AuditKind::SignedIn, &user, at(20));
        let attempt = |link: &SecretHash| SignupCompletion {
            audit: vec![confirmed.clone()],
            ..completion(
                link,
                NewSession {
                    audit: vec![signed_in.clone()],
                    ..new_session(&user, &client, "browser", at(20))
                },
            )
        };
        assert!(complete(&store, attempt(&secret())).await.is_none());
        assert!(
            super::audit::events_about(&store, &user).await.is_empty(),
            "a dead link writes none"
        );
        complete(&store, attempt(&confirmation.link_hash))
            .await
            .expect("completes");
        let events = super::audit::events_about(&store, &user).await;
        assert_eq!(
            events.iter().map(|e| e.kind).collect::<Vec<_>>(),
            vec![AuditKind::EmailConfirmed, AuditKind::SignedIn]
        );
        assert_eq!(events[0].user.as_ref(), Some(&user), "completed with the link's user");

        // Confirmed first by its code: completing then confirms nothing new.
        let other = add_pending_signup_user(&store).await;
        let sent = send(&store, email_confirmation(&other, at(3600))).await;
        assert_eq!(
            by_code(&store, &other, code_of(&sent), at(10), MAX_ATTEMPTS).await,
            CodeOutcome::Confirmed
        );
        complete(
            &store,
            SignupCompletion {
                audit: vec![confirmed.clone()],
                ..completion(&sent.link_hash, new_session(&other, &client, "browser", at(20)))
            },
        )
        .await
        .expect("completes");
        assert!(
            super::audit::kinds_about(&store, &other).await.is_empty(),
            "no second confirmation is recorded"
        );
    }
}
