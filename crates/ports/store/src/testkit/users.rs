//! The contract of [`UserStore`](crate::UserStore): registering, finding,
//! changing, disabling, importing and deleting accounts.

use registrar_domain::AuditEvent;

use super::support::*;

contract_rules! {
    users, __store_contract_users;

    pub async fn registration_is_found_by_email_in_any_case_and_by_id<S: Store>(store: S) {
        let new = new_user(unique_email("Jane.Doe"));
        store.register(registration(new.clone())).await.expect("registering");

        for lookup in [
            new.email.clone(),
            flipped_case(&new.email),
            Email::parse(&new.email.normalized().to_uppercase()).expect("valid"),
            Email::parse(new.email.normalized()).expect("valid"),
        ] {
            let found = user_by_email(&store, &lookup)
                .await
                .unwrap_or_else(|| panic!("the user is found by {lookup}"));
            assert_eq!(found.id, new.id, "user_by_email({lookup}) finds the registered user");
        }
        let found = user_by_id(&store, &new.id).await.expect("the user is found by id");
        assert_user_matches(&found, &new);
    }

    pub async fn registration_round_trips_every_field_of_the_new_user<S: Store>(store: S) {
        let new = NewUser {
            id: UserId(unique()),
            email: unique_email("Harrie.VanTiggelen"),
            password_hash: Some(PasswordHash(format!("$argon2id$v=19$m=19456,t=2,p=1${}", unique()))),
            profile: Profile {
                usertype: UserType::Organisation,
                firstname: Some("Harrie".into()),
                insertion: Some("van".into()),
                lastname: Some("Tiggelen".into()),
                display_name: Some("HvT".into()),
                full_name: Some("Harrie van Tiggelen".into()),
                telephone: Some(Telephone::from_e164("+32475000000".into())),
                tin_nr: Some("BE0123.456.789".into()),
                postal_code: Some("1000 AB".into()),
                year_of_birth: Some(1977),
                organisation: Some(Organisation {
                    name: "Tiggelen & Zonen B.V.".into(),
                    street_name: "Kerkstraat 1".into(),
                    town: "Zoetermeer".into(),
                    sector: "Ambacht".into(),
                }),
            },
            role: Role::parse("editor").expect("a valid role"),
            language: Language::NL,
            email_confirmed_at: Some(at(42)),
            consent: None,
            created_at: at(7),
        };
        store.register(registration(new.clone())).await.expect("registering");

        let by_id = user_by_id(&store, &new.id).await.expect("found by id");
        assert_user_matches(&by_id, &new);
        let by_email = user_by_email(&store, &new.email).await.expect("found by email");
        assert_eq!(by_email, by_id, "user_by_email and user_by_id return the same user");
    }

    pub async fn registration_round_trips_an_account_without_password_or_profile<S: Store>(store: S) {
        let new = NewUser {
            id: UserId(unique()),
            email: unique_email("signup"),
            password_hash: None,
            profile: Profile {
                usertype: UserType::Customer,
                ..Profile::person()
            },
            role: Role::guest(),
            language: Language::ES,
            email_confirmed_at: None,
            consent: None,
            created_at: at(3),
        };
        store.register(registration(new.clone())).await.expect("registering");

        let found = user_by_id(&store, &new.id).await.expect("found by id");
        assert_user_matches(&found, &new);
    }

    pub async fn registration_opens_the_first_session_and_records_accepted_policies<S: Store>(store: S) {
        let client = add_client(&store, at(0)).await;
        let tac = publish(&store, new_revision("tac", "1", at(0), &[Language::EN])).await;
        let privacy = publish(&store, new_revision("privacy", "1", at(0), &[Language::EN])).await;
        let unaccepted = publish(&store, new_revision("cookie", "1", at(0), &[Language::EN])).await;

        let user = new_user(unique_email("first-session"));
        let session = new_session(&user.id, &client, "phone", at(10));
        store
            .register(Registration {
                user: user.clone(),
                accepted_policies: vec![tac, privacy],
                session: Some(session.clone()),
                outbox: vec![new_mail(&user.id, OutboxKind::Confirmation, at(10))],
                invite: None,
                max_sessions_per_client: 5,
                audit: Vec::new(),
                confirmation: None,
            })
            .await
            .expect("registering with a session, policies and a mail");

        let (found_session, found_user) = store
            .session_by_access(&session.access_hash, at(11))
            .await
            .expect("looking up the session")
            .expect("the registration's session is found by its access hash");
        assert_session_matches(&found_session, &session);
        assert_eq!(found_user.id, user.id, "the session's user is the new user");
        assert_eq!(
            sessions(&store, &user.id).await,
            vec![found_session],
            "exactly one session"
        );

        let accepted = accepted(&store, &user.id).await;
        assert_eq!(
            accepted,
            BTreeSet::from([tac, privacy]),
            "the accepted revisions, not {unaccepted:?}"
        );
    }

    pub async fn registration_with_a_taken_email_in_another_case_fails_and_changes_nothing<S: Store>(store: S) {
        let client = add_client(&store, at(0)).await;
        let tac = publish(&store, new_revision("tac", "1", at(0), &[Language::EN])).await;

        let first = new_user(unique_email("Taken"));
        let first_session = new_session(&first.id, &client, "phone", at(1));
        store
            .register(Registration {
                accepted_policies: vec![tac],
                session: Some(first_session.clone()),
                ..registration(first.clone())
            })
            .await
            .expect("the first registration");

        let mut second = new_user(flipped_case(&first.email));
        second.language = Language::FR;
        let second_session = new_session(&second.id, &client, "tablet", at(2));
        let result = store
            .register(Registration {
                user: second.clone(),
                accepted_policies: vec![tac],
                session: Some(second_session.clone()),
                outbox: vec![new_mail(&second.id, OutboxKind::Confirmation, at(2))],
                invite: None,
                max_sessions_per_client: 5,
                audit: Vec::new(),
                confirmation: None,
            })
            .await;
        assert!(
            matches!(result, Err(StoreError::DuplicateEmail)),
            "registering {} after {} gives DuplicateEmail, got {result:?}",
            second.email,
            first.email
        );

        assert!(user_by_id(&store, &second.id).await.is_none(), "no second user");
        let owner = user_by_email(&store, &second.email)
            .await
            .expect("the address still has its account");
        assert_user_matches(&owner, &first);
        assert!(
            sessions(&store, &second.id).await.is_empty(),
            "no session for the failed attempt"
        );
        assert_refused(
            &store,
            &second_session.access_hash,
            at(3),
            "the failed attempt's access token does not authenticate",
        )
        .await;
        assert!(
            accepted(&store, &second.id).await.is_empty(),
            "no acceptances for the failed attempt"
        );
        assert_eq!(
            session_ids(&store, &first.id).await,
            vec![first_session.id.clone()],
            "the first user's sessions are untouched"
        );
        assert_authenticates(&store, &first_session.access_hash, at(3), "the first user's session still works").await;
        assert_eq!(
            accepted(&store, &first.id).await,
            BTreeSet::from([tac]),
            "first user's acceptances kept"
        );
    }

    pub async fn registration_with_an_unknown_revision_fails_and_creates_nothing<S: Store>(store: S) {
        let client = add_client(&store, at(0)).await;
        let known = publish(&store, new_revision("tac", "1", at(0), &[Language::EN])).await;
        let unknown = RevisionId(i32::MAX);

        let user = new_user(unique_email("unknown-revision"));
        let session = new_session(&user.id, &client, "phone", at(1));
        let result = store
            .register(Registration {
                accepted_policies: vec![known, unknown],
                session: Some(session.clone()),
                ..registration(user.clone())
            })
            .await;
        assert!(
            matches!(result, Err(StoreError::UnknownRevision(id)) if id == unknown),
            "accepting {unknown:?} at registration gives UnknownRevision({unknown:?}), got {result:?}"
        );

        assert!(user_by_id(&store, &user.id).await.is_none(), "no user by id");
        assert!(user_by_email(&store, &user.email).await.is_none(), "no user by email");
        assert_refused(&store, &session.access_hash, at(2), "no session from the failed registration").await;
        assert!(accepted(&store, &user.id).await.is_empty(), "no acceptances recorded");

        store
            .register(Registration {
                accepted_policies: vec![known],
                ..registration(user.clone())
            })
            .await
            .expect("the address is still free after the failed registration");
    }

    pub async fn concurrent_registrations_of_one_email_let_exactly_one_through<S: Store>(store: S) {
        const RACERS: usize = 20;
        let client = add_client(&store, at(0)).await;
        let base = format!("racer.{}@example.com", unique());
        let barrier = Arc::new(Barrier::new(RACERS));

        let mut tasks = Vec::new();
        for i in 0..RACERS {
            // Upper-case the k-th letter when bit k of i is set: 20 distinct spellings.
            let mut letter = 0;
            let spelling: String = base
                .chars()
                .map(|c| {
                    if !c.is_ascii_alphabetic() {
                        return c;
                    }
                    letter += 1;
                    if letter <= 8 && i & (1 << (letter - 1)) != 0 {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    }
                })
                .collect();
            let user = new_user(Email::parse(&spelling).expect("a valid address"));
            let session = new_session(&user.id, &client, "phone", at(1));
            let registration = Registration {
                session: Some(session),
                ..registration(user.clone())
            };
            let store = store.clone();
            let barrier = Arc::clone(&barrier);
            tasks.push(tokio::spawn(async move {
                barrier.wait().await;
                (user.id, store.register(registration).await)
            }));
        }

        let mut winners = Vec::new();
        let mut losers = Vec::new();
        for task in tasks {
            let (id, result) = task.await.expect("a registration task ran to completion");
            match result {
                Ok(()) => winners.push(id),
                Err(StoreError::DuplicateEmail) => losers.push(id),
                Err(other) => panic!("a racing registration failed with {other:?} instead of DuplicateEmail"),
            }
        }
        assert_eq!(winners.len(), 1, "exactly one registration succeeds");
        assert_eq!(losers.len(), RACERS - 1, "all others get DuplicateEmail");

        let email = Email::parse(&base).expect("valid");
        let owner = user_by_email(&store, &email).await.expect("the address has an account");
        assert_eq!(owner.id, winners[0], "the account is the winner's");
        assert_eq!(
            sessions(&store, &owner.id).await.len(),
            1,
            "the winner has their session"
        );
        for loser in &losers {
            assert!(
                user_by_id(&store, loser).await.is_none(),
                "no user for a losing registration"
            );
            assert!(
                sessions(&store, loser).await.is_empty(),
                "no session for a losing registration"
            );
        }
    }

    pub async fn unknown_users_are_not_found_by_email_or_id<S: Store>(store: S) {
        add_user(&store).await;
        assert!(
            user_by_id(&store, &UserId(unique())).await.is_none(),
            "unknown id → None"
        );
        assert!(
            user_by_email(&store, &unique_email("nobody")).await.is_none(),
            "unknown address → None"
        );
    }

    pub async fn profile_update_replaces_every_field_and_the_language<S: Store>(store: S) {
        let mut new = new_user(unique_email("profile"));
        new.profile = Profile {
            usertype: UserType::Organisation,
            firstname: Some("Old".into()),
            insertion: Some("de".into()),
            lastname: Some("Name".into()),
            display_name: Some("Oldie".into()),
            full_name: Some("Old de Name".into()),
            telephone: Some(Telephone::from_e164("+32475000000".into())),
            tin_nr: Some("123".into()),
            postal_code: Some("9999".into()),
            year_of_birth: Some(1950),
            organisation: Some(Organisation {
                name: "Old Org".into(),
                street_name: "Old Street 1".into(),
                town: "Oldtown".into(),
                sector: "Old sector".into(),
            }),
        };
        store.register(registration(new.clone())).await.expect("registering");

        // Every field changes, and fields that had a value become empty: an
        // update replaces, it does not merge.
        let mut profile = Profile::person();
        profile.firstname = Some("New".into());
        profile.telephone = Some(Telephone::from_e164("+31612345678".into()));
        profile.year_of_birth = Some(2001);
        let updated = store
            .update_profile(&new.id, &profile, Language::DE, &[])
            .await
            .expect("updating the profile");
        assert_eq!(updated.profile, profile, "update_profile returns the new profile");
        assert_eq!(
            updated.language,
            Language::DE,
            "update_profile returns the new language"
        );

        let stored = user_by_id(&store, &new.id).await.expect("the user still exists");
        assert_eq!(stored, updated, "the stored user is what update_profile returned");
        assert_eq!(stored.email, new.email, "email unchanged");
        assert_eq!(stored.password_hash, new.password_hash, "password hash unchanged");
        assert_eq!(stored.role, new.role, "role unchanged");
        assert_eq!(stored.created_at, new.created_at, "created_at unchanged");
        assert_eq!(
            stored.email_confirmed_at, new.email_confirmed_at,
            "email_confirmed_at unchanged"
        );
    }

    pub async fn profile_update_of_an_unknown_user_is_not_found<S: Store>(store: S) {
        let result = store
            .update_profile(&UserId(unique()), &Profile::person(), Language::EN, &[])
            .await;
        assert!(
            matches!(result, Err(StoreError::NotFound)),
            "update_profile of an unknown user gives NotFound, got {result:?}"
        );
    }

    pub async fn password_change_revokes_every_session_and_keeps_only_the_given_one<S: Store>(store: S) {
        let (web, app) = two_clients(&store).await;
        let (user, [phone, laptop, tablet], bystander) =
            user_and_bystander(&store, [(&web, "phone"), (&web, "laptop"), (&app, "tablet")]).await;

        let hash = PasswordHash(format!("$argon2id$v=19$m=19456,t=2,p=1${}", unique()));
        let keep = new_session(&user, &web, "phone", at(10));
        store
            .set_password(&user, &hash, Some(keep.clone()), None, &[])
            .await
            .expect("setting the password");

        let stored = user_by_id(&store, &user).await.expect("the user exists");
        assert_eq!(stored.password_hash, Some(hash), "the new password hash is stored");
        let left = sessions(&store, &user).await;
        assert_eq!(left.len(), 1, "only the kept session is left, got {left:?}");
        assert_session_matches(&left[0], &keep);
        for (name, old) in [("phone", &phone), ("laptop", &laptop), ("tablet", &tablet)] {
            assert!(
                !authenticates(&store, &old.access_hash, at(11)).await,
                "the old {name} session is revoked"
            );
        }
        assert_authenticates(&store, &keep.access_hash, at(11), "the kept session works").await;
        assert_authenticates(&store, &bystander.access_hash, at(11), "another user's session is untouched").await;
    }

    pub async fn password_change_without_a_session_to_keep_leaves_none<S: Store>(store: S) {
        let (client, user) = client_and_user(&store).await;
        let old = open(&store, &user, &client, "phone", at(1), 5).await;

        let hash = PasswordHash(format!("$argon2id${}", unique()));
        store
            .set_password(&user, &hash, None, None, &[])
            .await
            .expect("setting the password");

        assert!(sessions(&store, &user).await.is_empty(), "no session is left");
        assert_refused(&store, &old.access_hash, at(2), "the old session is revoked").await;
        let stored = user_by_id(&store, &user).await.expect("the user exists");
        assert_eq!(stored.password_hash, Some(hash), "the new password hash is stored");
    }

    pub async fn password_change_of_an_unknown_user_is_not_found_and_opens_nothing<S: Store>(store: S) {
        let client = add_client(&store, at(0)).await;
        let ghost = UserId(unique());
        let keep = new_session(&ghost, &client, "phone", at(1));
        let result = store
            .set_password(&ghost, &PasswordHash("$argon2id$x".into()), Some(keep.clone()), None, &[])
            .await;
        assert!(
            matches!(result, Err(StoreError::NotFound)),
            "set_password of an unknown user gives NotFound, got {result:?}"
        );
        assert_refused(&store, &keep.access_hash, at(2), "the session to keep was not opened").await;
    }

    pub async fn role_change_is_stored_and_unknown_users_are_not_found<S: Store>(store: S) {
        let user = add_user(&store).await;
        let admin = Role::parse("admin").expect("a valid role");
        store.set_role(&user, &admin, &[]).await.expect("setting the role");
        let stored = user_by_id(&store, &user).await.expect("the user exists");
        assert_eq!(stored.role, admin, "the new role is stored");

        let result = store.set_role(&UserId(unique()), &admin, &[]).await;
        assert!(
            matches!(result, Err(StoreError::NotFound)),
            "set_role of an unknown user gives NotFound, got {result:?}"
        );
    }

    pub async fn deleting_a_user_erases_their_sessions_and_acceptances_and_frees_the_email<S: Store>(store: S) {
        let client = add_client(&store, at(0)).await;
        let tac = publish(&store, new_revision("tac", "1", at(0), &[Language::EN])).await;
        let new = new_user(unique_email("leaving"));
        let first = new_session(&new.id, &client, "phone", at(1));
        store
            .register(Registration {
                accepted_policies: vec![tac],
                session: Some(first.clone()),
                outbox: vec![new_mail(&new.id, OutboxKind::Confirmation, at(1))],
                ..registration(new.clone())
            })
            .await
            .expect("registering");
        let second = open(&store, &new.id, &client, "laptop", at(2), 5).await;
        let stayer = add_user(&store).await;
        let stayer_session = open(&store, &stayer, &client, "phone", at(3), 5).await;
        store.accept_policies(&stayer, &[tac], Language::EN, at(3), &[]).await.expect("accepting");

        assert!(
            store.delete_user(&new.id, &[]).await.expect("deleting"),
            "delete_user returns true for an existing user"
        );

        assert!(user_by_id(&store, &new.id).await.is_none(), "gone by id");
        assert!(user_by_email(&store, &new.email).await.is_none(), "gone by email");
        assert!(sessions(&store, &new.id).await.is_empty(), "no sessions left");
        for s in [&first, &second] {
            assert_revoked(&store, s, at(4), "access token revoked", "refresh token unknown").await;
        }
        assert!(accepted(&store, &new.id).await.is_empty(), "acceptances erased");

        assert!(
            !store.delete_user(&new.id, &[]).await.expect("deleting again"),
            "delete_user returns false the second time"
        );

        assert!(user_by_id(&store, &stayer).await.is_some(), "another user stays");
        assert_authenticates(&store, &stayer_session.access_hash, at(4), "another user's session stays").await;
        assert_eq!(
            accepted(&store, &stayer).await,
            BTreeSet::from([tac]),
            "another user's acceptances stay"
        );

        let again = NewUser {
            id: UserId(unique()),
            ..new.clone()
        };
        store
            .register(registration(again))
            .await
            .expect("the address of a deleted account can register again");
    }

    pub async fn registration_queues_its_mails_claimable_with_the_user<S: ContractStore>(store: S) {
        let before = backlog(&store).await;
        let user = new_user(unique_email("queued"));
        let mails = vec![
            new_mail(&user.id, OutboxKind::Confirmation, at(5)),
            new_mail(&user.id, OutboxKind::SignupAttempt, at(5)),
        ];
        store
            .register(Registration {
                outbox: mails.clone(),
                ..registration(user.clone())
            })
            .await
            .expect("registering with two mails");
        assert_eq!(backlog(&store).await, before + 2, "both mails are in the backlog");

        let stored = user_by_id(&store, &user.id).await.expect("the user exists");
        let claimed = claim(&store, at(6), at(6 + LEASE), 10).await;
        assert_eq!(
            sorted(ids(&claimed)),
            sorted(mails.iter().map(|m| m.id.clone()).collect()),
            "the registration's mails, and only they, are due"
        );
        for mail in &mails {
            let found = claimed
                .iter()
                .find(|c| c.id == mail.id)
                .expect("every queued mail is claimed");
            assert_mail_matches(found, mail, &stored, 0);
        }
    }

    pub async fn a_failed_registration_queues_nothing<S: ContractStore>(store: S) {
        let first = registered(&store, "Taken").await;
        let before = backlog(&store).await;

        let duplicate = new_user(flipped_case(&first.email));
        let result = store
            .register(Registration {
                outbox: vec![new_mail(&duplicate.id, OutboxKind::Confirmation, at(1))],
                ..registration(duplicate)
            })
            .await;
        assert!(
            matches!(result, Err(StoreError::DuplicateEmail)),
            "a taken address gives DuplicateEmail, got {result:?}"
        );

        let unknown = RevisionId(i32::MAX);
        let unpublished = new_user(unique_email("unknown-revision"));
        let result = store
            .register(Registration {
                accepted_policies: vec![unknown],
                outbox: vec![new_mail(&unpublished.id, OutboxKind::Confirmation, at(1))],
                ..registration(unpublished)
            })
            .await;
        assert!(
            matches!(result, Err(StoreError::UnknownRevision(id)) if id == unknown),
            "an unknown revision gives UnknownRevision, got {result:?}"
        );

        assert_nothing_queued(&store, before, "no mail was queued by either").await;
    }

    pub async fn password_change_queues_its_mail<S: ContractStore>(store: S) {
        let user = add_user(&store).await;
        let before = backlog(&store).await;
        let mail = new_mail(&user, OutboxKind::PasswordChanged, at(10));
        store
            .set_password(&user, &password_hash(), None, Some(mail.clone()), &[])
            .await
            .expect("setting the password with a mail");
        assert_eq!(backlog(&store).await, before + 1, "one mail queued");
        let stored = user_by_id(&store, &user).await.expect("the user exists");
        let claimed = claim(&store, at(11), at(11 + LEASE), 10).await;
        assert_eq!(claimed.len(), 1, "the mail is due, got {:?}", ids(&claimed));
        assert_mail_matches(&claimed[0], &mail, &stored, 0);

        let ghost = UserId(unique());
        let result = store
            .set_password(
                &ghost,
                &password_hash(),
                None,
                Some(new_mail(&ghost, OutboxKind::PasswordChanged, at(12))),
                &[],
            )
            .await;
        assert!(
            matches!(result, Err(StoreError::NotFound)),
            "set_password of an unknown user gives NotFound, got {result:?}"
        );
        assert_eq!(backlog(&store).await, before + 1, "the failed change queued nothing");
    }

    pub async fn password_change_kills_live_reset_links_but_not_the_email_confirmation<S: ContractStore>(store: S) {
        let user = add_user(&store).await;
        let other = add_user(&store).await;
        let link = send(&store, reset_confirmation(&user, at(3600))).await;
        let others_link = send(&store, reset_confirmation(&other, at(3600))).await;
        let email = send(&store, email_confirmation(&user, at(3600))).await;
        assert_eq!(
            reset_link_user(&store, &link.link_hash, at(10)).await,
            Some(user.clone()),
            "the reset link is live before"
        );

        store
            .set_password(&user, &password_hash(), None, None, &[])
            .await
            .expect("setting the password");

        assert_eq!(
            reset_link_user(&store, &link.link_hash, at(11)).await,
            None,
            "the reset link died with the change"
        );
        let hash = password_of(&store, &user).await;
        assert_eq!(
            reset(&store, &link.link_hash, &password_hash(), at(11), None).await,
            None,
            "the dead reset link does not reset"
        );
        assert_eq!(password_of(&store, &user).await, hash, "the password is unchanged");
        assert_eq!(
            reset_link_user(&store, &others_link.link_hash, at(11)).await,
            Some(other),
            "another user's reset link lives on"
        );
        assert_eq!(
            by_link(&store, &email.link_hash, at(12)).await,
            Some(user),
            "the email confirmation is not a reset link: it still confirms"
        );
    }

    pub async fn disabling_revokes_every_session_and_enabling_restores_the_account<S: ContractStore>(store: S) {
        let (web, app) = two_clients(&store).await;
        let (user, [phone, tablet], bystander) = user_and_bystander(&store, [(&web, "phone"), (&app, "tablet")]).await;
        let before = user_by_id(&store, &user).await.expect("the user exists");

        store.set_disabled(&user, true, &[]).await.expect("disabling");
        let disabled = user_by_id(&store, &user).await.expect("a disabled user still exists");
        assert!(disabled.disabled, "the user is disabled");
        assert_eq!(
            User {
                disabled: false,
                ..disabled.clone()
            },
            before,
            "nothing else about the user changed"
        );
        assert_eq!(
            user_by_email(&store, &before.email).await,
            Some(disabled),
            "a disabled user is still found by email"
        );
        assert!(sessions(&store, &user).await.is_empty(), "every session is revoked");
        for s in [&phone, &tablet] {
            assert_revoked(&store, s, at(4), "the access token stops working", "the refresh token is unknown").await;
        }
        assert_authenticates(&store, &bystander.access_hash, at(4), "another user's session is untouched").await;
        store.set_disabled(&user, true, &[]).await.expect("disabling twice is fine");

        store.set_disabled(&user, false, &[]).await.expect("enabling");
        assert!(
            !user_by_id(&store, &user).await.expect("the user exists").disabled,
            "the user is enabled again"
        );
        assert!(
            sessions(&store, &user).await.is_empty(),
            "enabling does not bring sessions back"
        );
        let fresh = open(&store, &user, &web, "phone", at(5), 5).await;
        store
            .set_disabled(&user, false, &[])
            .await
            .expect("enabling an enabled user is fine");
        assert_authenticates(&store, &fresh.access_hash, at(6), "enabling revokes nothing").await;
    }

    pub async fn disabling_an_unknown_user_is_not_found<S: ContractStore>(store: S) {
        for disabled in [true, false] {
            let result = store.set_disabled(&UserId(unique()), disabled, &[]).await;
            assert!(
                matches!(result, Err(StoreError::NotFound)),
                "set_disabled({disabled}) of an unknown user gives NotFound, got {result:?}"
            );
        }
    }

    pub async fn deleting_a_user_erases_their_confirmations_and_queued_mails<S: ContractStore>(store: S) {
        let leaving = add_user(&store).await;
        let staying = add_user(&store).await;
        let email = send(&store, email_confirmation(&leaving, at(3600))).await;
        let link = send(&store, reset_confirmation(&leaving, at(3600))).await;
        let queued = enqueue(&store, &leaving, OutboxKind::Confirmation, at(1)).await;
        let in_flight = enqueue(&store, &leaving, OutboxKind::PasswordReset, at(2)).await;
        let kept = enqueue(&store, &staying, OutboxKind::Confirmation, at(3)).await;
        assert!(
            claim_by_id(&store, &in_flight.id, at(10), at(10 + LEASE))
                .await
                .is_some(),
            "a worker holds one of the mails"
        );
        let before = backlog(&store).await;

        assert!(store.delete_user(&leaving, &[]).await.expect("deleting"), "the user existed");

        assert_eq!(backlog(&store).await, before - 2, "their two mails left the backlog");
        assert_eq!(
            by_code(&store, &leaving, code_of(&email), at(11), MAX_ATTEMPTS).await,
            CodeOutcome::NoCode,
            "their code is gone"
        );
        assert_eq!(
            by_link(&store, &email.link_hash, at(11)).await,
            None,
            "their link is gone"
        );
        assert_eq!(
            reset_link_user(&store, &link.link_hash, at(11)).await,
            None,
            "their reset link is gone"
        );
        assert_eq!(
            reset(&store, &link.link_hash, &password_hash(), at(11), None).await,
            None,
            "their reset link resets nothing"
        );
        assert_eq!(
            claim_by_id(&store, &queued.id, at(12), at(12 + LEASE))
                .await
                .map(|m| m.id),
            None,
            "their queued mail is gone"
        );
        // The worker that held the deleted user's mail finishes: not an error.
        store
            .mark_mail_sent(&in_flight.id, at(13))
            .await
            .expect("marking a mail deleted with its user sent is not an error");
        store
            .mark_mail_failed(&in_flight.id, Some(at(14)), "gone", at(13))
            .await
            .expect("marking a mail deleted with its user failed is not an error");
        assert_eq!(
            claim_all(&store, at(10_000)).await,
            vec![kept.id],
            "only the other user's mail is left, and nothing came back"
        );
    }

    pub async fn importing_users_inserts_them_and_their_sessions<S: Store>(store: S) {
        let client = add_client(&store, at(0)).await;
        let users: Vec<NewUser> = (0..3).map(|i| new_user(unique_email(&format!("import{i}")))).collect();
        let session = new_session(&users[0].id, &client, "phone", at(1));
        let batch = vec![
            ImportedUser {
                session: Some(session.clone()),
                ..ImportedUser::bare(users[0].clone())
            },
            ImportedUser::bare(users[1].clone()),
            ImportedUser::bare(users[2].clone()),
        ];
        assert_eq!(store.import_users(batch).await.expect("import"), 3);
        for user in &users {
            let found = store
                .user_by_email(&user.email)
                .await
                .expect("lookup")
                .expect("imported user found by email");
            assert_eq!(found.id, user.id);
            assert_eq!(found.password_hash, user.password_hash);
        }
        let (found, owner) = store
            .session_by_access(&session.access_hash, at(2))
            .await
            .expect("lookup")
            .expect("the imported session's access token works");
        assert_eq!((found.id, owner.id), (session.id, users[0].id.clone()));
        assert_eq!(store.import_users(Vec::new()).await.expect("an empty import"), 0);
    }

    pub async fn an_import_with_a_taken_address_inserts_nothing<S: Store>(store: S) {
        let taken = new_user(unique_email("taken"));
        store.register(registration(taken.clone())).await.expect("register");
        let fresh = new_user(unique_email("fresh"));
        let mut clash = new_user(Email::parse(&taken.email.as_str().to_uppercase()).expect("email"));
        clash.id = UserId(unique());
        let result = store
            .import_users(vec![ImportedUser::bare(fresh.clone()), ImportedUser::bare(clash)])
            .await;
        assert!(matches!(result, Err(StoreError::DuplicateEmail)), "{result:?}");
        assert!(
            store.user_by_email(&fresh.email).await.expect("lookup").is_none(),
            "nothing was inserted"
        );
        let twice = new_user(unique_email("twice"));
        let mut again = new_user(twice.email.clone());
        again.id = UserId(unique());
        let result = store
            .import_users(vec![ImportedUser::bare(twice.clone()), ImportedUser::bare(again)])
            .await;
        assert!(matches!(result, Err(StoreError::DuplicateEmail)), "{result:?}");
        assert!(store.user_by_email(&twice.email).await.expect("lookup").is_none());
    }

    pub async fn an_import_writes_acceptances_and_events_with_its_accounts_in_one_transaction<S: Store>(store: S) {
        let terms = publish(&store, new_revision("tac", "1", at(0), &[Language::EN])).await;
        let privacy = publish(&store, new_revision("privacy", "1", at(0), &[Language::EN])).await;
        // More accounts than an adapter puts in one statement.
        let users: Vec<NewUser> = (0..2_100).map(|i| new_user(unique_email(&format!("bulk{i}")))).collect();
        let imported = |user: &NewUser, accepted: Vec<RevisionId>| ImportedUser {
            accepted_policies: accepted,
            audit: vec![super::audit::audit_event(AuditKind::Registered, &user.id, at(3))],
            ..ImportedUser::bare(user.clone())
        };
        let batch: Vec<ImportedUser> = users
            .iter()
            .enumerate()
            .map(|(i, user)| imported(user, if i % 2 == 0 { vec![terms, privacy] } else { Vec::new() }))
            .collect();
        let events: Vec<AuditEvent> = batch.iter().flat_map(|i| i.audit.clone()).collect();
        assert_eq!(store.import_users(batch).await.expect("import"), 2_100);
        for (i, user) in users.iter().enumerate().step_by(699) {
            assert_eq!(
                accepted(&store, &user.id).await,
                if i % 2 == 0 { BTreeSet::from([terms, privacy]) } else { BTreeSet::new() },
                "account {i}'s acceptances"
            );
            assert_eq!(super::audit::events_about(&store, &user.id).await, vec![events[i].clone()]);
        }

        // The last account names a revision never published: none of the
        // earlier ones (in earlier statements) stays, nor their events.
        let refused: Vec<NewUser> = (0..1_500).map(|i| new_user(unique_email(&format!("refused{i}")))).collect();
        let unknown = RevisionId(i32::MAX);
        let mut batch: Vec<ImportedUser> = refused.iter().map(|u| imported(u, vec![terms])).collect();
        if let Some(last) = batch.last_mut() {
            last.accepted_policies = vec![unknown];
        }
        let result = store.import_users(batch).await;
        assert!(
            matches!(result, Err(StoreError::UnknownRevision(id)) if id == unknown),
            "{result:?}"
        );
        for user in [&refused[0], &refused[1_499]] {
            assert!(user_by_email(&store, &user.email).await.is_none(), "nothing was inserted");
            assert!(super::audit::events_about(&store, &user.id).await.is_empty(), "no event stays");
        }
    }

    pub async fn taken_emails_names_the_addresses_with_an_account_in_any_case<S: Store>(store: S) {
        let user = registered(&store, "taken").await;
        let free = unique_email("free");
        let asked = [flipped_case(&user.email), free.clone()];
        let taken = store.taken_emails(&asked).await.expect("taken emails");
        assert_eq!(taken, BTreeSet::from([user.email.normalized().to_owned()]));
        assert!(store.taken_emails(&[]).await.expect("none asked").is_empty());
    }

    pub async fn upgrading_a_password_hash_replaces_it_only_while_it_is_the_verified_one<S: ContractStore>(store: S) {
        let (client, user) = client_and_user(&store).await;
        let session = open(&store, &user, &client, "phone", at(1), 5).await;
        let verified = password_of(&store, &user).await.expect("the user has a password");
        let upgraded = PasswordHash(format!("$argon2id$v=19$m=19456,t=2,p=1${}", unique()));
        assert!(store
            .upgrade_password_hash(&user, &verified, &upgraded)
            .await
            .expect("upgrading"));
        assert_eq!(password_of(&store, &user).await, Some(upgraded.clone()));
        assert_authenticates(&store, &session.access_hash, at(2), "no session is revoked by an upgrade").await;
        assert!(
            super::audit::events_about(&store, &user).await.is_empty(),
            "an upgrade is no event: the password is the same"
        );

        // A change committed since the verification wins: the stored hash
        // is no longer the verified one.
        let again = PasswordHash(format!("$argon2id$v=19$m=19456,t=2,p=1${}", unique()));
        assert!(!store
            .upgrade_password_hash(&user, &verified, &again)
            .await
            .expect("a stale upgrade"));
        assert_eq!(password_of(&store, &user).await, Some(upgraded));
        assert!(!store
            .upgrade_password_hash(&UserId(unique()), &verified, &again)
            .await
            .expect("an unknown user"));
    }

    pub async fn register_writes_its_events_and_a_taken_address_writes_none<S: Store>(store: S) {
        let user = new_user(unique_email("audited"));
        let registered = super::audit::audit_event(AuditKind::Registered, &user.id, at(1));
        let accepted = super::audit::audit_event(AuditKind::PolicyAccepted, &user.id, at(1));
        store
            .register(Registration {
                audit: vec![registered.clone(), accepted.clone()],
                ..registration(user.clone())
            })
            .await
            .expect("registering");
        assert_eq!(
            super::audit::events_about(&store, &user.id).await,
            vec![registered, accepted],
            "a registration writes exactly its events"
        );

        let mut clash = new_user(flipped_case(&user.email));
        clash.id = UserId(unique());
        let refused = super::audit::audit_event(AuditKind::Registered, &clash.id, at(2));
        let result = store
            .register(Registration {
                audit: vec![refused],
                ..registration(clash.clone())
            })
            .await;
        assert!(matches!(result, Err(StoreError::DuplicateEmail)), "{result:?}");
        assert!(
            super::audit::events_about(&store, &clash.id).await.is_empty(),
            "a taken address writes no event"
        );
    }

    pub async fn set_password_with_a_stale_credential_writes_no_event<S: Store>(store: S) {
        let (client, user) = client_and_user(&store).await;
        let keep = NewSession {
            credential: Some(PasswordHash("$argon2id$not-the-stored-one".into())),
            ..new_session(&user, &client, "phone", at(10))
        };
        let changed = super::audit::audit_event(AuditKind::PasswordChanged, &user, at(10));
        let result = store
            .set_password(&user, &password_hash(), Some(keep), None, std::slice::from_ref(&changed))
            .await;
        assert!(matches!(result, Err(StoreError::StaleCredential)), "{result:?}");
        assert!(
            super::audit::events_about(&store, &user).await.is_empty(),
            "a refused change writes no event"
        );
        store
            .set_password(&user, &password_hash(), None, None, std::slice::from_ref(&changed))
            .await
            .expect("changing the password");
        assert_eq!(super::audit::events_about(&store, &user).await, vec![changed]);

        let updated = super::audit::audit_event(AuditKind::Updated, &user, at(11));
        let result = store
            .update_profile(&UserId(unique()), &Profile::person(), Language::EN, &[updated])
            .await;
        assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
        assert_eq!(
            super::audit::events_about(&store, &user).await.len(),
            1,
            "an unknown user's profile change writes nothing"
        );
    }
}
