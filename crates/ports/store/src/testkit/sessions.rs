//! The contract of [`SessionStore`](crate::SessionStore): opening, finding,
//! capping, touching and revoking sessions.

use super::support::*;

contract_rules! {
    sessions, __store_contract_sessions;

    pub async fn a_new_device_notice_is_queued_only_for_a_device_the_trail_never_saw_beside_others<S: Store>(
        store: S,
    ) {
        let (client, ann) = client_and_user(&store).await;
        let bob = add_user(&store).await;
        let email = Email::parse("ann@example.com").expect("an address");
        let opening = |user: &UserId, device: &str, seconds: i64| {
            let mut session = new_session(user, &client, device, at(seconds));
            let mut event = registrar_domain::AuditEvent::new(
                unique(),
                at(seconds),
                registrar_domain::AuditKind::SignedIn,
                registrar_domain::Actor::User,
            )
            .about(user, &email);
            event.device_id = Some(device.to_owned());
            session.audit = vec![event];
            let mut notice = new_mail(user, OutboxKind::NewSignIn, at(seconds));
            notice.detail = Some(format!("{device} name"));
            session.new_device_notice = Some(notice.clone());
            (session, notice)
        };
        // Bob on the phone says nothing of Ann on it.
        let (bobs, _) = opening(&bob, "desktop", 0);
        assert!(!store.open_session(bobs, 5).await.unwrap(), "Bob's first device is no news");
        let (bobs, _) = opening(&bob, "phone", 1);
        assert!(store.open_session(bobs, 5).await.unwrap(), "Bob's phone is new beside his desktop");
        let (first, _) = opening(&ann, "desktop", 2);
        assert!(!store.open_session(first, 5).await.unwrap(), "Ann's first device is no news");
        let (phone, notice) = opening(&ann, "phone", 2);
        assert!(store.open_session(phone, 5).await.unwrap(), "the phone is new to Ann");
        let (again, _) = opening(&ann, "phone", 3);
        assert!(!store.open_session(again, 5).await.unwrap(), "the phone is known now");
        let (laptop, laptop_notice) = opening(&ann, "laptop", 4);
        assert!(store.open_session(laptop, 5).await.unwrap(), "the laptop is new");
        let without = NewSession {
            new_device_notice: None,
            ..opening(&ann, "tablet", 5).0
        };
        assert!(!store.open_session(without, 5).await.unwrap(), "no notice asked, none queued");

        let queued: Vec<_> = store
            .claim_mail(at(100), at(200), 100)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.user.id == ann)
            .map(|m| (m.id, m.kind, m.detail))
            .collect();
        assert_eq!(
            queued,
            vec![
                (notice.id, OutboxKind::NewSignIn, notice.detail),
                (laptop_notice.id, OutboxKind::NewSignIn, laptop_notice.detail),
            ]
        );
    }

    pub async fn opened_session_is_listed_and_found_by_access_hash_with_its_user<S: Store>(store: S) {
        let (client, user) = client_and_user(&store).await;
        let session = open(&store, &user, &client, "phone", at(100), 5).await;

        let listed = sessions(&store, &user).await;
        assert_eq!(listed.len(), 1, "one session listed");
        assert_session_matches(&listed[0], &session);

        let (found, owner) =
            by_access(&store, &session.access_hash, at(101), "the session is found by its access hash").await;
        assert_eq!(found, listed[0], "session_by_access returns the listed session");
        assert_eq!(owner.id, user, "session_by_access returns the session's user");
        assert_eq!(
            Some(owner),
            user_by_id(&store, &user).await,
            "the returned user is the whole user"
        );
    }

    pub async fn session_with_standing_is_the_session_its_user_and_their_policy_standing<S: Store>(store: S) {
        let (client, user) = client_and_user(&store).await;
        let kind = format!("terms-{}", &unique()[..8]);
        let v1 = publish(&store, new_revision(&kind, "1", at(0), &[Language::EN])).await;
        let v2 = publish(&store, new_revision(&kind, "2", at(1), &[Language::EN])).await;
        store.accept_policies(&user, &[v1], Language::EN, at(2), &[]).await.expect("accepting");
        // Another user's acceptance, and their session, are not the caller's.
        let other = add_user(&store).await;
        store.accept_policies(&other, &[v2], Language::EN, at(2), &[]).await.expect("accepting");
        open(&store, &other, &client, "phone", at(100), 5).await;
        let session = open(&store, &user, &client, "phone", at(100), 5).await;

        let (found, owner, standing) = store
            .session_with_standing(&session.access_hash, at(101))
            .await
            .expect("looking up")
            .expect("found by its access hash");
        let (alone, alone_owner) = by_access(&store, &session.access_hash, at(101), "found").await;
        assert_eq!(
            (found, owner),
            (alone, alone_owner),
            "the same session and user as session_by_access"
        );
        assert_eq!(standing, store.policy_standing(&user).await.expect("standing"));
        assert!(standing
            .current
            .contains(&(v2, PolicyType::parse(&kind).expect("type"))));
        assert_eq!(standing.accepted, BTreeSet::from([v1]));
        assert!(
            store
                .session_with_standing(&secret(), at(101))
                .await
                .expect("looking up")
                .is_none(),
            "an unknown hash"
        );
        assert!(
            store
                .session_with_standing(&session.access_hash, at(100 + ACCESS_TTL))
                .await
                .expect("looking up")
                .is_none(),
            "an expired token"
        );
    }

    pub async fn client_and_session_by_access_are_the_client_and_the_session_each_finds_alone<S: Store>(store: S) {
        let (client, user) = client_and_user(&store).await;
        let asking = add_confidential_client(&store, at(0)).await;
        let session = open(&store, &user, &client, "phone", at(100), 5).await;
        let alone = by_access(&store, &session.access_hash, at(101), "found").await;

        let (found_client, found) = store
            .client_and_session_by_access(&asking.id, &session.access_hash, at(101))
            .await
            .expect("looking up");
        assert_eq!(found_client, Some(asking.clone()), "the client asking, as added");
        assert_eq!(found, Some(alone), "the same session and user as session_by_access");

        let unknown = ClientId::parse(&format!("unknown-{}", unique())).expect("a valid client id");
        let (no_client, found) = store
            .client_and_session_by_access(&unknown, &session.access_hash, at(101))
            .await
            .expect("looking up");
        assert_eq!(no_client, None, "an unknown client");
        assert!(found.is_some(), "the session is found whoever asks");

        for (hash, now, what) in [
            (secret(), at(101), "an unknown hash"),
            (session.access_hash.clone(), at(100 + ACCESS_TTL), "an expired token"),
        ] {
            let (found_client, found) = store
                .client_and_session_by_access(&asking.id, &hash, now)
                .await
                .expect("looking up");
            assert_eq!(found_client, Some(asking.clone()), "the client, beside {what}");
            assert!(found.is_none(), "{what}: no session");
        }
    }

    pub async fn session_by_access_ignores_unknown_hashes<S: Store>(store: S) {
        let (client, user) = client_and_user(&store).await;
        let session = open(&store, &user, &client, "phone", at(0), 5).await;
        assert_refused(&store, &secret(), at(1), "an unknown hash → None").await;
        assert_refused(&store, &session.refresh_hash, at(1), "a refresh token is not an access token").await;
    }

    pub async fn access_token_expires_at_its_expiry_instant<S: Store>(store: S) {
        let (client, user) = client_and_user(&store).await;
        let session = open(&store, &user, &client, "phone", at(0), 5).await;
        let expiry = session.access_expires_at;

        assert_authenticates(
            &store,
            &session.access_hash,
            expiry - Duration::seconds(1),
            "the access token works one second before it expires",
        )
        .await;
        assert_refused(
            &store,
            &session.access_hash,
            expiry,
            "the access token is expired at now == access_expires_at",
        )
        .await;
        assert_refused(
            &store,
            &session.access_hash,
            expiry + Duration::days(1),
            "the access token is expired after access_expires_at",
        )
        .await;
        assert_eq!(
            sessions(&store, &user).await.len(),
            1,
            "an expired access token does not end the session"
        );
    }

    pub async fn opening_a_session_for_the_same_device_and_client_replaces_the_previous_one<S: Store>(store: S) {
        let (client, user) = client_and_user(&store).await;
        let old = open(&store, &user, &client, "phone", at(1), 5).await;
        let new = open(&store, &user, &client, "phone", at(2), 5).await;

        assert_authenticates(&store, &new.access_hash, at(3), "the new access token works").await;
        assert_revoked(
            &store,
            &old,
            at(3),
            "the previous access token of the device no longer authenticates",
            "the previous refresh token of the device is unknown",
        )
        .await;
        assert_session_ids(&store, &user, vec![new.id], "one session for the device").await;
    }

    pub async fn the_same_device_on_another_client_is_a_separate_session<S: Store>(store: S) {
        let (web, app) = two_clients(&store).await;
        let user = add_user(&store).await;
        let on_web = open(&store, &user, &web, "phone", at(1), 5).await;
        let on_app = open(&store, &user, &app, "phone", at(2), 5).await;

        assert_authenticates(&store, &on_web.access_hash, at(3), "the web session stays").await;
        assert_authenticates(&store, &on_app.access_hash, at(3), "the app session works").await;
        assert_session_ids(&store, &user, vec![on_web.id, on_app.id], "two sessions").await;
    }

    pub async fn opening_past_the_cap_evicts_the_least_recently_used_session_of_that_client<S: Store>(store: S) {
        let (client, user) = client_and_user(&store).await;
        let first = open(&store, &user, &client, "d1", at(1), 2).await;
        let second = open(&store, &user, &client, "d2", at(2), 2).await;
        let third = open(&store, &user, &client, "d3", at(3), 2).await;

        assert_session_ids(
            &store,
            &user,
            vec![second.id.clone(), third.id.clone()],
            "with a cap of 2 the least recently used session is evicted",
        )
        .await;
        assert_refused(&store, &first.access_hash, at(4), "the evicted session is revoked").await;
        assert_authenticates(&store, &third.access_hash, at(4), "the new session works").await;
    }

    pub async fn touching_a_session_saves_it_from_eviction<S: Store>(store: S) {
        let (client, user) = client_and_user(&store).await;
        let first = open(&store, &user, &client, "d1", at(1), 3).await;
        let second = open(&store, &user, &client, "d2", at(2), 3).await;
        let third = open(&store, &user, &client, "d3", at(3), 3).await;
        touch(&store, std::slice::from_ref(&first.id), at(4)).await;
        let fourth = open(&store, &user, &client, "d4", at(5), 3).await;

        assert_session_ids(
            &store,
            &user,
            vec![first.id.clone(), third.id, fourth.id],
            "the touched first session survives; the second, now least recently used, is evicted",
        )
        .await;
        assert_refused(&store, &second.access_hash, at(6), "the evicted session is revoked").await;
        assert_authenticates(&store, &first.access_hash, at(6), "the touched session works").await;
    }

    pub async fn the_session_cap_ignores_other_clients_and_other_users<S: Store>(store: S) {
        let (capped, other_client) = two_clients(&store).await;
        let user = add_user(&store).await;
        let other_user = add_user(&store).await;

        let bystander = open(&store, &other_user, &capped, "d0", at(0), 2).await;
        let elsewhere_1 = open(&store, &user, &other_client, "e1", at(1), 5).await;
        let elsewhere_2 = open(&store, &user, &other_client, "e2", at(2), 5).await;
        let a1 = open(&store, &user, &capped, "a1", at(3), 2).await;
        let a2 = open(&store, &user, &capped, "a2", at(4), 2).await;
        let a3 = open(&store, &user, &capped, "a3", at(5), 2).await;

        assert_session_ids(
            &store,
            &user,
            vec![elsewhere_1.id, elsewhere_2.id, a2.id, a3.id],
            "only the user's own sessions of the capped client count and are evicted",
        )
        .await;
        assert_refused(&store, &a1.access_hash, at(6), "the LRU capped session is revoked").await;
        assert_authenticates(
            &store,
            &bystander.access_hash,
            at(6),
            "another user's session on the same client is neither counted nor evicted",
        )
        .await;
    }

    pub async fn concurrent_opens_on_many_devices_never_exceed_the_cap<S: Store>(store: S) {
        const DEVICES: usize = 8;
        const CAP: usize = 5;
        let (client, user) = client_and_user(&store).await;
        let sessions_to_open = (0..DEVICES)
            .map(|i| new_session(&user, &client, &format!("device-{i}"), at(i64::try_from(i).expect("small") + 1)))
            .collect();
        let outcomes = race(&store, sessions_to_open, |store, s| async move { store.open_session(s, CAP).await }).await;
        let mut opened = Vec::new();
        for (session, result) in outcomes {
            result.expect("a concurrent open_session succeeds");
            opened.push(session);
        }

        let left = sessions(&store, &user).await;
        assert!(
            !left.is_empty() && left.len() <= CAP,
            "{DEVICES} concurrent opens with a cap of {CAP} leave 1 to {CAP} sessions, got {}",
            left.len()
        );
        let mut working = 0;
        for session in &opened {
            if authenticates(&store, &session.access_hash, at(100)).await {
                working += 1;
            }
        }
        assert_eq!(working, left.len(), "exactly the listed sessions authenticate");
    }

    pub async fn a_session_resting_on_a_stale_password_is_refused_and_opens_nothing<S: ContractStore>(store: S) {
        let (client, user) = client_and_user(&store).await;
        let old = password_of(&store, &user)
            .await
            .expect("the fixture user has a password");
        let mut before = new_session(&user, &client, "phone", at(1));
        before.credential = Some(old.clone());
        store
            .open_session(before.clone(), 5)
            .await
            .expect("a session resting on the current password opens");

        let new = password_hash();
        store
            .set_password(&user, &new, None, None, &[])
            .await
            .expect("changing the password");

        let mut stale = new_session(&user, &client, "laptop", at(2));
        stale.credential = Some(old.clone());
        let result = store.open_session(stale.clone(), 5).await;
        assert!(
            matches!(result, Err(StoreError::StaleCredential)),
            "a session resting on the replaced password gives StaleCredential, got {result:?}"
        );
        assert!(sessions(&store, &user).await.is_empty(), "nothing was opened");
        assert_refused(&store, &stale.access_hash, at(3), "the refused session's token does not work").await;

        // A change that rests on the replaced password changes nothing either.
        let mut current = new_session(&user, &client, "tablet", at(4));
        current.credential = Some(new.clone());
        store
            .open_session(current.clone(), 5)
            .await
            .expect("a session resting on the new password opens");
        let mut keep = new_session(&user, &client, "laptop", at(5));
        keep.credential = Some(old);
        let result = store
            .set_password(&user, &password_hash(), Some(keep.clone()), None, &[])
            .await;
        assert!(
            matches!(result, Err(StoreError::StaleCredential)),
            "a password change resting on the replaced password gives StaleCredential, got {result:?}"
        );
        assert_eq!(
            password_of(&store, &user).await,
            Some(new.clone()),
            "the password is unchanged"
        );
        assert_session_ids(&store, &user, vec![current.id.clone()], "the sessions are unchanged").await;

        // Resting on the current password, the change goes through and keeps its session.
        let mut keep = new_session(&user, &client, "laptop", at(6));
        keep.credential = Some(new);
        store
            .set_password(&user, &password_hash(), Some(keep.clone()), None, &[])
            .await
            .expect("a change resting on the current password");
        assert_session_ids(&store, &user, vec![keep.id], "only the kept session is left").await;
    }

    pub async fn opens_racing_a_password_change_or_reset_never_leave_a_session_on_the_old_password<S: ContractStore>(
        store: S,
    ) {
        const OPENERS: usize = 6;
        const OPENS_EACH: usize = 4;
        const ROUNDS: usize = 6;
        let (client, user) = client_and_user(&store).await;
        for round in 0..ROUNDS {
            let old = password_of(&store, &user).await.expect("the user has a password");
            let link = send(&store, reset_confirmation(&user, at(3600))).await;
            let barrier = Arc::new(Barrier::new(OPENERS + 1));
            let mut openers = Vec::new();
            for task in 0..OPENERS {
                let (store, barrier, user, client, old) = (
                    store.clone(),
                    Arc::clone(&barrier),
                    user.clone(),
                    client.clone(),
                    old.clone(),
                );
                openers.push(tokio::spawn(async move {
                    barrier.wait().await;
                    let mut opened = Vec::new();
                    for n in 0..OPENS_EACH {
                        let mut session = new_session(&user, &client, &format!("r{round}-t{task}-n{n}"), at(10));
                        session.credential = Some(old.clone());
                        let result = store.open_session(session.clone(), 1000).await;
                        opened.push((session, result));
                        tokio::task::yield_now().await;
                    }
                    opened
                }));
            }
            let changer = {
                let (store, barrier, user) = (store.clone(), Arc::clone(&barrier), user.clone());
                let link = link.link_hash.clone();
                tokio::spawn(async move {
                    barrier.wait().await;
                    // Let some opens come first: the change lands among them.
                    for _ in 0..round {
                        tokio::task::yield_now().await;
                    }
                    if round % 2 == 0 {
                        store
                            .set_password(&user, &password_hash(), None, None, &[])
                            .await
                            .map(|()| true)
                    } else {
                        store
                            .reset_password(&link, &password_hash(), at(10), None, &[])
                            .await
                            .map(|reset| reset.is_some())
                    }
                })
            };
            let changed = changer.await.expect("the changing task ran to completion");
            assert!(
                matches!(changed, Ok(true)),
                "round {round}: the change goes through, got {changed:?}"
            );
            for opener in openers {
                for (session, result) in opener.await.expect("an opening task ran to completion") {
                    assert!(
                        matches!(result, Ok(_) | Err(StoreError::StaleCredential)),
                        "round {round}: an open racing a change succeeds (then is revoked) or is refused as stale, got {result:?}"
                    );
                    assert!(
                        !authenticates(&store, &session.access_hash, at(11)).await,
                        "round {round}: no session opened on the old password works after the change"
                    );
                }
            }
            assert!(
                sessions(&store, &user).await.is_empty(),
                "round {round}: no session is left after the change"
            );
        }
    }

    pub async fn every_sign_in_method_is_stored_and_read_back_as_given<S: Store>(store: S) {
        let (client, user) = client_and_user(&store).await;
        for (seconds, method) in (1..).zip(SignInMethod::ALL) {
            let session = NewSession {
                sign_in_method: method,
                ..new_session(&user, &client, &format!("device-{seconds}"), at(seconds))
            };
            store.open_session(session.clone(), SignInMethod::ALL.len()).await.expect("opening a session");
            let (found, _) = by_access(&store, &session.access_hash, at(seconds), "the session is found").await;
            assert_eq!(found.sign_in_method, method, "session_by_access gives the method");
        }
        assert_eq!(
            methods(&store, &user).await,
            SignInMethod::ALL,
            "sessions_of gives each session's method"
        );
    }

    pub async fn a_session_keeps_its_sign_in_method_through_rotation_and_a_new_sign_in_replaces_it<S: Store>(
        store: S,
    ) {
        let (client, user) = client_and_user(&store).await;
        let first = NewSession {
            sign_in_method: SignInMethod::PasswordTotp,
            ..new_session(&user, &client, "phone", at(1))
        };
        store.open_session(first.clone(), 5).await.expect("opening a session");

        let turn = rotation(&first.refresh_hash, at(2));
        let rotated = assert_rotates(&store, turn.clone(), "a live refresh token rotates").await;
        assert_eq!(rotated.sign_in_method, SignInMethod::PasswordTotp, "the rotated session keeps its method");
        let (found, _) = by_access(&store, &turn.new_access_hash, at(3), "the new access token works").await;
        assert_eq!(found.sign_in_method, SignInMethod::PasswordTotp, "and so does its access token's session");

        open(&store, &user, &client, "phone", at(4), 5).await;
        assert_eq!(
            methods(&store, &user).await,
            [SignInMethod::Password],
            "signing in again on the device replaces the session and its method"
        );
    }

    pub async fn sessions_given_with_an_account_or_a_password_change_keep_their_method<S: Store>(store: S) {
        let client = add_client(&store, at(0)).await;
        let with = |user: &UserId, method: SignInMethod| NewSession {
            sign_in_method: method,
            ..new_session(user, &client, "phone", at(1))
        };

        let registered = new_user(unique_email("registered"));
        let mut account = registration(registered.clone());
        account.session = Some(with(&registered.id, SignInMethod::Registration));
        store.register(account).await.expect("registering with a session");
        assert_eq!(methods(&store, &registered.id).await, [SignInMethod::Registration]);

        let imported = new_user(unique_email("imported"));
        let session = with(&imported.id, SignInMethod::Import);
        let with_session = ImportedUser {
            session: Some(session),
            ..ImportedUser::bare(imported.clone())
        };
        store.import_users(vec![with_session]).await.expect("importing");
        assert_eq!(methods(&store, &imported.id).await, [SignInMethod::Import]);

        let keep = with(&registered.id, SignInMethod::PasswordRecoveryCode);
        store
            .set_password(&registered.id, &password_hash(), Some(keep), None, &[])
            .await
            .expect("changing the password");
        assert_eq!(
            methods(&store, &registered.id).await,
            [SignInMethod::PasswordRecoveryCode],
            "the session a password change keeps has the method it is given"
        );
    }

    pub async fn sessions_are_listed_oldest_first<S: Store>(store: S) {
        let (web, app) = two_clients(&store).await;
        let user = add_user(&store).await;
        let first = open(&store, &user, &app, "d1", at(10), 5).await;
        let second = open(&store, &user, &web, "d2", at(20), 5).await;
        let third = open(&store, &user, &app, "d3", at(30), 5).await;
        // Use changes recency, not age.
        touch(&store, std::slice::from_ref(&first.id), at(40)).await;

        let listed = sessions(&store, &user).await;
        let ids: Vec<_> = listed.iter().map(|s| s.id.clone()).collect();
        assert_eq!(
            ids,
            vec![first.id, second.id, third.id],
            "sessions_of lists oldest first"
        );
        assert!(
            listed.windows(2).all(|w| w[0].created_at <= w[1].created_at),
            "created_at grows along the list"
        );
        assert!(
            sessions(&store, &UserId(unique())).await.is_empty(),
            "an unknown user has no sessions"
        );
    }

    pub async fn revoking_a_session_stops_its_tokens_and_reports_whether_it_existed<S: Store>(store: S) {
        let (client, user) = client_and_user(&store).await;
        let [gone, stays] = open_in_turn(&store, &user, [(&client, "phone"), (&client, "laptop")]).await;

        assert!(
            store.revoke_session(&gone.id, &[]).await.expect("revoking"),
            "revoke_session → true"
        );
        assert_revoked(&store, &gone, at(3), "its access token stops working", "its refresh token is unknown").await;
        assert_session_ids(&store, &user, vec![stays.id], "the other session stays").await;
        assert!(
            !store.revoke_session(&gone.id, &[]).await.expect("revoking again"),
            "revoke_session → false the second time"
        );
        assert!(
            !store
                .revoke_session(&SessionId(unique()), &[])
                .await
                .expect("revoking an unknown session"),
            "revoke_session of an unknown id → false"
        );
    }

    pub async fn revoking_by_token_ends_the_clients_session_of_its_access_or_refresh_token<S: Store>(store: S) {
        let (client, other) = two_clients(&store).await;
        let user = add_user(&store).await;
        let [by_access, by_refresh, stays] = open_in_turn(
            &store,
            &user,
            [(&client, "phone"), (&client, "laptop"), (&client, "tablet")],
        )
        .await;

        assert!(
            !store.revoke_by_token(&by_access.access_hash, &other, &[]).await.expect("revoking"),
            "another client's token → false"
        );
        assert_authenticates(&store, &by_access.access_hash, at(3), "another client revokes nothing").await;
        for (session, hash) in [(&by_access, &by_access.access_hash), (&by_refresh, &by_refresh.refresh_hash)] {
            assert!(
                store.revoke_by_token(hash, &client, &[]).await.expect("revoking"),
                "the client's own token → true"
            );
            assert_revoked(&store, session, at(3), "its access token stops working", "its refresh token is unknown").await;
            assert!(
                !store.revoke_by_token(hash, &client, &[]).await.expect("revoking again"),
                "→ false the second time"
            );
        }
        assert!(
            !store.revoke_by_token(&secret(), &client, &[]).await.expect("revoking"),
            "an unknown token → false"
        );

        // Rotated-out tokens revoke nothing; the new ones do.
        let rotated = rotation(&stays.refresh_hash, at(10));
        assert_rotates(&store, rotated.clone(), "rotating").await;
        assert!(
            !store.revoke_by_token(&stays.refresh_hash, &client, &[]).await.expect("revoking"),
            "a rotated-out token → false"
        );
        assert!(
            !store.revoke_by_token(&stays.access_hash, &client, &[]).await.expect("revoking"),
            "a rotated-out access token → false"
        );
        assert_authenticates(&store, &rotated.new_access_hash, at(11), "the session lives on").await;
        assert!(
            store.revoke_by_token(&rotated.new_access_hash, &client, &[]).await.expect("revoking"),
            "the current access token → true"
        );
        assert_session_ids(&store, &user, vec![], "every session of the test is revoked").await;
    }

    pub async fn revoking_a_device_revokes_its_sessions_on_every_client_and_counts_them<S: Store>(store: S) {
        let (web, app) = two_clients(&store).await;
        let (user, [phone_web, phone_app, laptop], others_phone) =
            user_and_bystander(&store, [(&web, "phone"), (&app, "phone"), (&web, "laptop")]).await;

        let count = store
            .revoke_device(&user, &device("phone"), &[])
            .await
            .expect("revoking the device");
        assert_eq!(count, 2, "both of the device's sessions (two clients) are revoked");
        for s in [&phone_web, &phone_app] {
            assert_refused(&store, &s.access_hash, at(5), "the device's tokens stop working").await;
        }
        assert_session_ids(&store, &user, vec![laptop.id], "the other device stays").await;
        assert_authenticates(
            &store,
            &others_phone.access_hash,
            at(5),
            "another user's device of the same id stays",
        )
        .await;
        assert_eq!(
            store
                .revoke_device(&user, &device("phone"), &[])
                .await
                .expect("revoking again"),
            0,
            "nothing left to revoke the second time"
        );
    }

    pub async fn touching_many_sessions_at_once_never_moves_a_last_use_back<S: Store>(store: S) {
        let (client, user) = client_and_user(&store).await;
        let phone = open(&store, &user, &client, "phone", at(1), 5).await;
        let laptop = open(&store, &user, &client, "laptop", at(1), 5).await;
        let unknown = SessionId(unique());
        touch(&store, &[phone.id.clone(), laptop.id.clone(), unknown], at(300)).await;
        // A late touch, and touching none.
        touch(&store, std::slice::from_ref(&phone.id), at(200)).await;
        touch(&store, &[], at(400)).await;
        let listed = sessions(&store, &user).await;
        assert_eq!(listed.len(), 2);
        assert!(
            listed.iter().all(|s| s.last_used_at == at(300)),
            "both touched at 300, the older touch did not move the phone back: {listed:?}"
        );
    }

    pub async fn touching_a_session_records_its_last_use<S: Store>(store: S) {
        let (client, user) = client_and_user(&store).await;
        let session = open(&store, &user, &client, "phone", at(1), 5).await;
        touch(&store, std::slice::from_ref(&session.id), at(500)).await;

        let listed = sessions(&store, &user).await;
        assert_eq!(listed.len(), 1, "one session");
        assert_eq!(listed[0].last_used_at, at(500), "last_used_at is the touch's now");
        assert_eq!(listed[0].created_at, at(1), "created_at unchanged");
        assert_eq!(
            listed[0].refreshed_at,
            at(1),
            "refreshed_at unchanged: touching is not refreshing"
        );
        let (found, _) = by_access(&store, &session.access_hash, at(501), "the session still works").await;
        assert_eq!(
            found.last_used_at,
            at(500),
            "session_by_access sees the new last_used_at"
        );
    }

    pub async fn a_session_s_events_ride_with_it_and_a_revocation_of_nothing_writes_none<S: Store>(store: S) {
        let (client, user) = client_and_user(&store).await;
        let signed_in = super::audit::audit_event(AuditKind::SignedIn, &user, at(10));
        let stale = NewSession {
            credential: Some(PasswordHash("$argon2id$stale".into())),
            audit: vec![signed_in.clone()],
            ..new_session(&user, &client, "phone", at(10))
        };
        let result = store.open_session(stale, 5).await;
        assert!(matches!(result, Err(StoreError::StaleCredential)), "{result:?}");
        assert!(
            super::audit::events_about(&store, &user).await.is_empty(),
            "a refused session writes no event"
        );
        let session = NewSession {
            audit: vec![signed_in.clone()],
            ..new_session(&user, &client, "phone", at(10))
        };
        store.open_session(session.clone(), 5).await.expect("opening");
        assert_eq!(super::audit::events_about(&store, &user).await, vec![signed_in.clone()]);

        let revoked = super::audit::audit_event(AuditKind::SessionRevoked, &user, at(11));
        assert!(!store
            .revoke_session(&SessionId(unique()), std::slice::from_ref(&revoked))
            .await
            .expect("revoking an unknown session"));
        assert!(
            store
                .revoke_device(&user, &device("nowhere"), std::slice::from_ref(&revoked))
                .await
                .expect("revoking an unknown device")
                == 0
        );
        assert_eq!(
            super::audit::events_about(&store, &user).await,
            vec![signed_in.clone()],
            "revoking nothing writes nothing"
        );
        assert!(store
            .revoke_session(&session.id, std::slice::from_ref(&revoked))
            .await
            .expect("revoking"));
        assert_eq!(super::audit::events_about(&store, &user).await, vec![signed_in, revoked]);
    }

    pub async fn a_revocation_by_token_writes_its_event_completed_with_the_session<S: Store>(store: S) {
        let (client, user) = client_and_user(&store).await;
        let session = open(&store, &user, &client, "phone", at(10), 5).await;
        let template = super::audit::template(AuditKind::SessionRevoked).with("reason", "revoked");
        assert!(!store
            .revoke_by_token(&secret(), &client, std::slice::from_ref(&template))
            .await
            .expect("revoking an unknown token"));
        assert!(super::audit::events_about(&store, &user).await.is_empty());
        assert!(store
            .revoke_by_token(&session.refresh_hash, &client, &[template])
            .await
            .expect("revoking"));
        let events = super::audit::events_about(&store, &user).await;
        assert_eq!(events.len(), 1);
        let stored = user_by_id(&store, &user).await.expect("the user");
        assert_eq!(events[0].email.as_ref(), Some(&stored.email), "completed with the address");
        assert_eq!(events[0].client.as_ref(), Some(&client), "and the session's client");
        assert_eq!(events[0].device_id.as_deref(), Some("phone"), "and its device");
        assert_eq!(events[0].data.get("reason").map(String::as_str), Some("revoked"));
    }
}
