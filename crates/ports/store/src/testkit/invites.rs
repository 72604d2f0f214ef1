//! The contract of [`InviteStore`](crate::InviteStore), and of registering
//! with an invite ([`UserStore::register`](crate::UserStore::register)): a use
//! is spent with the account it pays for, never more often than allowed.

use super::support::*;

/// `racers` registrations of different addresses, each with a session and a
/// mail, race for the uses of one invite; returns the winners' users.
async fn race_for_an_invite<S: ContractStore>(store: &S, invite: &SecretHash, racers: usize) -> Vec<NewUser> {
    let client = add_client(store, at(0)).await;
    let before = backlog(store).await;
    let barrier = Arc::new(Barrier::new(racers));
    let mut tasks = Vec::new();
    for _ in 0..racers {
        let user = new_user(unique_email("racer"));
        let registration = Registration {
            session: Some(new_session(&user.id, &client, "phone", at(1))),
            outbox: vec![new_mail(&user.id, OutboxKind::Confirmation, at(1))],
            ..invited(user.clone(), invite)
        };
        let (store, barrier) = (store.clone(), Arc::clone(&barrier));
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            (user, store.register(registration).await)
        }));
    }

    let mut winners = Vec::new();
    for task in tasks {
        let (user, result) = task.await.expect("a registration task ran to completion");
        match result {
            Ok(()) => {
                assert_eq!(sessions(store, &user.id).await.len(), 1, "a winner has their session");
                winners.push(user);
            }
            Err(StoreError::InvalidInvite) => {
                assert!(
                    user_by_id(store, &user.id).await.is_none(),
                    "no user for a losing registration"
                );
                assert!(
                    user_by_email(store, &user.email).await.is_none(),
                    "no user by email for a losing registration"
                );
                assert!(
                    sessions(store, &user.id).await.is_empty(),
                    "no session for a losing registration"
                );
            }
            Err(other) => panic!("a registration racing for an invite failed with {other:?} instead of InvalidInvite"),
        }
    }
    assert_eq!(
        backlog(store).await,
        before + u64::try_from(winners.len()).expect("small"),
        "only the winners' mails are queued"
    );
    assert!(!usable(store, invite).await, "every use of the invite is used up");
    winners
}

contract_rules! {
    invites, __store_contract_invites;

    pub async fn registration_with_an_invite_uses_it_up_with_the_account<S: ContractStore>(store: S) {
        let client = add_client(&store, at(0)).await;
        let tac = publish(&store, new_revision("tac", "1", at(0), &[Language::EN])).await;
        let invite = add_invite(&store, 1).await;
        let bystander = add_invite(&store, 1).await;
        assert!(usable(&store, &invite).await, "a new single-use invite is usable");
        let before = backlog(&store).await;

        let user = new_user(unique_email("invited"));
        let session = new_session(&user.id, &client, "phone", at(10));
        store
            .register(Registration {
                accepted_policies: vec![tac],
                session: Some(session.clone()),
                outbox: vec![new_mail(&user.id, OutboxKind::Confirmation, at(10))],
                ..invited(user.clone(), &invite)
            })
            .await
            .expect("registering with a usable invite");

        let found = user_by_id(&store, &user.id).await.expect("the account is created");
        assert_user_matches(&found, &user);
        assert_authenticates(&store, &session.access_hash, at(11), "with its session").await;
        assert_eq!(
            accepted(&store, &user.id).await,
            BTreeSet::from([tac]),
            "and its acceptances"
        );
        assert_eq!(backlog(&store).await, before + 1, "and its mail");
        assert!(!usable(&store, &invite).await, "the invite's only use is used up");
        assert!(usable(&store, &bystander).await, "another invite is untouched");

        let late = new_user(unique_email("late"));
        let result = store.register(invited(late.clone(), &invite)).await;
        assert!(
            matches!(result, Err(StoreError::InvalidInvite)),
            "the used-up invite pays for no second account, got {result:?}"
        );
        assert!(user_by_id(&store, &late.id).await.is_none(), "no second account");
    }

    pub async fn a_multi_use_invite_counts_down_to_zero<S: Store>(store: S) {
        const USES: u32 = 3;
        let invite = add_invite(&store, USES).await;
        for used in 1..=USES {
            let user = new_user(unique_email("multi"));
            store
                .register(invited(user.clone(), &invite))
                .await
                .unwrap_or_else(|e| panic!("registration {used} of {USES} with the invite failed: {e:?}"));
            assert!(user_by_id(&store, &user.id).await.is_some(), "account {used} exists");
            assert_eq!(
                usable(&store, &invite).await,
                used < USES,
                "after {used} of {USES} uses the invite is usable only while a use is left"
            );
        }

        let extra = new_user(unique_email("extra"));
        let result = store.register(invited(extra.clone(), &invite)).await;
        assert!(
            matches!(result, Err(StoreError::InvalidInvite)),
            "registration {} with a {USES}-use invite gives InvalidInvite, got {result:?}",
            USES + 1
        );
        assert!(user_by_id(&store, &extra.id).await.is_none(), "no extra account");
        assert!(!usable(&store, &invite).await, "the invite stays used up");
    }

    pub async fn registration_with_an_unknown_or_used_up_invite_fails_and_changes_nothing<S: ContractStore>(store: S) {
        let client = add_client(&store, at(0)).await;
        let tac = publish(&store, new_revision("tac", "1", at(0), &[Language::EN])).await;
        let used_up = add_invite(&store, 1).await;
        store
            .register(invited(new_user(unique_email("first")), &used_up))
            .await
            .expect("the invite's only registration");

        for (what, invite) in [("an unknown invite", secret()), ("a used-up invite", used_up.clone())] {
            let before = backlog(&store).await;
            let user = new_user(unique_email("uninvited"));
            let session = new_session(&user.id, &client, "phone", at(1));
            let result = store
                .register(Registration {
                    accepted_policies: vec![tac],
                    session: Some(session.clone()),
                    outbox: vec![new_mail(&user.id, OutboxKind::Confirmation, at(1))],
                    ..invited(user.clone(), &invite)
                })
                .await;
            assert!(
                matches!(result, Err(StoreError::InvalidInvite)),
                "registering with {what} gives InvalidInvite, got {result:?}"
            );
            assert!(user_by_id(&store, &user.id).await.is_none(), "{what}: no user by id");
            assert!(
                user_by_email(&store, &user.email).await.is_none(),
                "{what}: no user by email"
            );
            assert!(sessions(&store, &user.id).await.is_empty(), "{what}: no session");
            assert!(
                !authenticates(&store, &session.access_hash, at(2)).await,
                "{what}: the session's access token does not authenticate"
            );
            assert!(accepted(&store, &user.id).await.is_empty(), "{what}: no acceptances");
            assert_eq!(backlog(&store).await, before, "{what}: no mail queued");
            assert!(!usable(&store, &invite).await, "{what}: the invite is still not usable");

            store
                .register(registration(user))
                .await
                .unwrap_or_else(|e| panic!("{what}: the address is still free, but registering gives {e:?}"));
        }
    }

    pub async fn a_failed_registration_does_not_use_the_invite<S: Store>(store: S) {
        let taken = registered(&store, "Taken").await;
        let invite = add_invite(&store, 1).await;

        let duplicate = new_user(flipped_case(&taken.email));
        let result = store.register(invited(duplicate, &invite)).await;
        assert!(
            matches!(result, Err(StoreError::DuplicateEmail)),
            "a taken address with a usable invite gives DuplicateEmail, got {result:?}"
        );
        assert!(usable(&store, &invite).await, "a taken address does not use the invite");

        let unknown = RevisionId(i32::MAX);
        let result = store
            .register(Registration {
                accepted_policies: vec![unknown],
                ..invited(new_user(unique_email("unknown-revision")), &invite)
            })
            .await;
        assert!(
            matches!(result, Err(StoreError::UnknownRevision(id)) if id == unknown),
            "an unknown revision with a usable invite gives UnknownRevision, got {result:?}"
        );
        assert!(
            usable(&store, &invite).await,
            "an unknown revision does not use the invite"
        );

        let user = new_user(unique_email("invited"));
        store
            .register(invited(user.clone(), &invite))
            .await
            .expect("the invite's one use is still there");
        assert!(!usable(&store, &invite).await, "and now it is used up");
    }

    pub async fn a_taken_email_is_reported_before_a_bad_invite<S: Store>(store: S) {
        let taken = registered(&store, "Taken").await;
        let used_up = add_invite(&store, 1).await;
        store
            .register(invited(new_user(unique_email("first")), &used_up))
            .await
            .expect("the invite's only registration");

        for (what, invite) in [("an unknown invite", secret()), ("a used-up invite", used_up)] {
            let duplicate = new_user(flipped_case(&taken.email));
            let result = store.register(invited(duplicate.clone(), &invite)).await;
            assert!(
                matches!(result, Err(StoreError::DuplicateEmail)),
                "a taken address with {what} gives DuplicateEmail, got {result:?}"
            );
            assert!(
                user_by_id(&store, &duplicate.id).await.is_none(),
                "{what}: no second account"
            );
        }
        let owner = user_by_email(&store, &taken.email)
            .await
            .expect("the address has its account");
        assert_user_matches(&owner, &taken);
    }

    pub async fn concurrent_registrations_racing_for_a_single_use_invite_let_exactly_one_through<S: ContractStore>(
        store: S,
    ) {
        let invite = add_invite(&store, 1).await;
        let winners = race_for_an_invite(&store, &invite, 10).await;
        assert_eq!(winners.len(), 1, "exactly one registration gets the invite's use");
    }

    pub async fn concurrent_registrations_never_use_an_invite_more_often_than_it_allows<S: ContractStore>(store: S) {
        let invite = add_invite(&store, 3).await;
        let winners = race_for_an_invite(&store, &invite, 10).await;
        assert_eq!(
            winners.len(),
            3,
            "exactly three registrations get the invite's three uses"
        );
    }

    pub async fn creating_an_invite_with_a_taken_hash_is_a_duplicate_and_changes_nothing<S: Store>(store: S) {
        let invite = add_invite(&store, 1).await;
        let again = |name: Option<&str>, uses, created_at| NewInvite {
            token_hash: invite.clone(),
            name: name.map(Into::into),
            uses,
            created_at,
        };
        let result = store.create_invite(again(Some("Again"), 5, at(1)), &[]).await;
        assert!(
            matches!(result, Err(StoreError::Duplicate)),
            "a second invite with the same hash gives Duplicate, got {result:?}"
        );
        store
            .register(invited(new_user(unique_email("invited")), &invite))
            .await
            .expect("the first invite's one use");
        assert!(
            !usable(&store, &invite).await,
            "the duplicate added no uses: one registration used the invite up"
        );

        let result = store.create_invite(again(None, 1, at(2)), &[]).await;
        assert!(
            matches!(result, Err(StoreError::Duplicate)),
            "the hash of a used-up invite is still taken, got {result:?}"
        );
        assert!(!usable(&store, &invite).await, "and the used-up invite is not revived");
    }

    pub async fn an_invite_is_usable_while_it_exists_and_has_a_use_left<S: Store>(store: S) {
        assert!(!usable(&store, &secret()).await, "an unknown invite is not usable");

        let invite = add_invite(&store, 2).await;
        let other = add_invite(&store, 1).await;
        for _ in 0..3 {
            assert!(
                usable(&store, &invite).await,
                "a new invite is usable, and asking uses nothing"
            );
        }
        for used in 1..=2 {
            store
                .register(invited(new_user(unique_email("invited")), &invite))
                .await
                .unwrap_or_else(|e| panic!("use {used} of 2: asking used the invite up? {e:?}"));
        }
        assert!(!usable(&store, &invite).await, "no use left: not usable");
        assert!(usable(&store, &other).await, "another invite keeps its use");
    }

    pub async fn creating_an_invite_writes_its_event_only_when_it_is_created<S: Store>(store: S) {
        let key = unique();
        let invite = NewInvite {
            token_hash: secret(),
            name: Some("Audited".into()),
            uses: 1,
            created_at: at(0),
        };
        store
            .create_invite(invite.clone(), &[admin_action(&key, "invite.created")])
            .await
            .expect("creating");
        let again = store.create_invite(invite, &[admin_action(&key, "invite.created")]).await;
        assert!(matches!(again, Err(StoreError::Duplicate)), "a taken hash is a duplicate");
        assert_eq!(admin_actions_of(&store, &key).await, ["invite.created"], "one event for the one invite");
    }

    pub async fn invites_are_listed_without_their_token_and_revoked_by_id<S: Store>(store: S) {
        let key = unique();
        let (kept, revoked) = (secret(), secret());
        for (hash, name, created) in [(&kept, Some("Kept"), at(1)), (&revoked, None, at(2))] {
            let invite = NewInvite {
                token_hash: hash.clone(),
                name: name.map(Into::into),
                uses: 3,
                created_at: created,
            };
            store.create_invite(invite, &[]).await.expect("creating");
        }
        let (kept_id, revoked_id) = (crate::InviteRecord::id_of(&kept), crate::InviteRecord::id_of(&revoked));
        let listed = store.invites().await.expect("listing");
        let ours: Vec<_> = listed
            .iter()
            .filter(|i| i.id == kept_id || i.id == revoked_id)
            .map(|i| (i.id.clone(), i.name.clone(), i.uses_left, i.created_at))
            .collect();
        assert_eq!(
            ours,
            vec![
                (kept_id.clone(), Some("Kept".to_owned()), 3, at(1)),
                (revoked_id.clone(), None, 3, at(2)),
            ],
            "by creation time, with what a person needs and no token"
        );

        for nothing in ["", "zz", "0123456789abcdef0", &kept_id.to_uppercase(), "%"] {
            let gone = store
                .revoke_invite(nothing, &[admin_action(&key, "invite.revoked")])
                .await
                .expect("revoking");
            assert!(!gone || nothing == kept_id, "{nothing:?} names no invite");
        }
        assert!(store
            .revoke_invite(&revoked_id, &[admin_action(&key, "invite.revoked")])
            .await
            .expect("revoking"));
        assert!(!usable(&store, &revoked).await, "a revoked invite pays for nothing");
        assert!(usable(&store, &kept).await, "the other stays");
        assert!(
            !store
                .revoke_invite(&revoked_id, &[admin_action(&key, "invite.revoked")])
                .await
                .expect("revoking again"),
            "revoked once"
        );
        assert_eq!(admin_actions_of(&store, &key).await, ["invite.revoked"], "one event for the one revocation");
    }
}
