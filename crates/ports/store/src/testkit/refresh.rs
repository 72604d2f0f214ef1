//! The contract of [`SessionStore::rotate_refresh`](crate::SessionStore::rotate_refresh):
//! refresh-token rotation, its grace period and idle expiry.

use super::support::*;

contract_rules! {
    refresh, __store_contract_refresh;

    pub async fn rotating_a_live_refresh_token_installs_the_new_pair<S: Store>(store: S) {
        let (client, user) = client_and_user(&store).await;
        let opened = open(&store, &user, &client, "phone", at(0), 5).await;

        let r = rotation(&opened.refresh_hash, at(100));
        let session = assert_rotates(&store, r.clone(), "a live refresh token rotates").await;
        assert_eq!(session.id, opened.id, "same session");
        assert_eq!(session.created_at, at(0), "created_at unchanged");
        assert_eq!(session.refreshed_at, at(100), "refreshed_at is the rotation's now");
        assert_eq!(session.last_used_at, at(100), "last_used_at is the rotation's now");
        assert_eq!(
            session.access_expires_at, r.new_access_expires_at,
            "the new access expiry"
        );
        assert_eq!(
            sessions(&store, &user).await,
            vec![session],
            "the stored session is the returned one"
        );

        assert_authenticates(&store, &r.new_access_hash, at(101), "the new access token works").await;
        assert_refused(
            &store,
            &opened.access_hash,
            at(101),
            "the old access token no longer works, though not expired",
        )
        .await;
        let again = rotate(&store, rotation(&opened.refresh_hash, at(102))).await;
        assert_eq!(
            again,
            RotationOutcome::RetiredWithinGrace,
            "the old refresh token is retired"
        );
        assert_rotates(&store, rotation(&r.new_refresh_hash, at(103)), "the new refresh token is live").await;
    }

    pub async fn rotation_restarts_the_idle_clock<S: Store>(store: S) {
        let (client, user) = client_and_user(&store).await;
        let opened = open(&store, &user, &client, "phone", at(0), 5).await;

        let first = rotation(&opened.refresh_hash, at(1000));
        assert_rotates(&store, first.clone(), "first rotation").await;
        let second = Rotation {
            idle_cutoff: at(500),
            ..rotation(&first.new_refresh_hash, at(2000))
        };
        let outcome = rotate(&store, second).await;
        assert!(
            matches!(outcome, RotationOutcome::Rotated(_)),
            "idleness counts from the last rotation (1000 > cutoff 500), not the opening: got {outcome:?}"
        );
    }

    pub async fn a_retired_token_presented_within_grace_is_refused_and_the_session_lives_on<S: Store>(store: S) {
        let (client, user) = client_and_user(&store).await;
        let opened = open(&store, &user, &client, "phone", at(0), 5).await;
        let first = rotation(&opened.refresh_hash, at(100));
        assert_rotates(&store, first.clone(), "rotated").await;

        let replay = Rotation {
            grace_cutoff: at(95),
            ..rotation(&opened.refresh_hash, at(105))
        };
        assert_eq!(
            rotate(&store, replay.clone()).await,
            RotationOutcome::RetiredWithinGrace,
            "retired at 100, after the grace cutoff 95"
        );
        assert_refused(&store, &replay.new_access_hash, at(106), "the refused rotation's pair is not installed").await;
        assert_authenticates(
            &store,
            &first.new_access_hash,
            at(106),
            "the session's current access token still works",
        )
        .await;
        assert_rotates(
            &store,
            rotation(&first.new_refresh_hash, at(107)),
            "the session's current refresh token still rotates",
        )
        .await;
    }

    pub async fn a_retired_token_presented_after_grace_revokes_the_whole_session<S: Store>(store: S) {
        let (client, user) = client_and_user(&store).await;
        let opened = open(&store, &user, &client, "phone", at(0), 5).await;
        let other = open(&store, &user, &client, "laptop", at(1), 5).await;
        let first = rotation(&opened.refresh_hash, at(100));
        assert_rotates(&store, first.clone(), "rotated").await;

        let replay = Rotation {
            grace_cutoff: at(190),
            ..rotation(&opened.refresh_hash, at(200))
        };
        assert_eq!(
            rotate(&store, replay).await,
            RotationOutcome::ReuseDetected,
            "retired at 100, at or before the grace cutoff 190"
        );
        assert_refused(&store, &first.new_access_hash, at(201), "the session's current access token is revoked").await;
        assert_eq!(
            rotate(&store, rotation(&first.new_refresh_hash, at(201))).await,
            RotationOutcome::Unknown,
            "the session's current refresh token is gone"
        );
        assert_eq!(
            rotate(&store, rotation(&opened.refresh_hash, at(202))).await,
            RotationOutcome::Unknown,
            "once the session is gone the replayed token is unknown"
        );
        assert_eq!(
            session_ids(&store, &user).await,
            vec![other.id],
            "only that session is revoked"
        );
    }

    pub async fn grace_ends_at_the_cutoff_instant<S: Store>(store: S) {
        let (client, user) = client_and_user(&store).await;
        let opened = open(&store, &user, &client, "phone", at(0), 5).await;
        assert_rotates(&store, rotation(&opened.refresh_hash, at(100)), "rotated at 100").await;

        let just_within = Rotation {
            grace_cutoff: at(99),
            ..rotation(&opened.refresh_hash, at(109))
        };
        assert_eq!(
            rotate(&store, just_within).await,
            RotationOutcome::RetiredWithinGrace,
            "retired at 100 is after the cutoff 99: within grace"
        );
        let at_cutoff = Rotation {
            grace_cutoff: at(100),
            ..rotation(&opened.refresh_hash, at(110))
        };
        assert_eq!(
            rotate(&store, at_cutoff).await,
            RotationOutcome::ReuseDetected,
            "retired at 100 is not after the cutoff 100: reuse"
        );
        assert!(sessions(&store, &user).await.is_empty(), "the session is revoked");
    }

    pub async fn an_idle_refresh_token_expires_and_its_session_is_revoked<S: Store>(store: S) {
        let (client, user) = client_and_user(&store).await;
        let opened = open(&store, &user, &client, "phone", at(0), 5).await;
        let other = open(&store, &user, &client, "laptop", at(1), 5).await;

        let idle = Rotation {
            idle_cutoff: at(500),
            ..rotation(&opened.refresh_hash, at(1000))
        };
        assert_eq!(
            rotate(&store, idle.clone()).await,
            RotationOutcome::Expired,
            "refreshed at 0, at or before the idle cutoff 500"
        );
        assert_refused(
            &store,
            &opened.access_hash,
            at(1001),
            "the session is revoked (its access token had not expired yet)",
        )
        .await;
        assert_refused(&store, &idle.new_access_hash, at(1001), "no new pair was installed").await;
        assert_eq!(
            session_ids(&store, &user).await,
            vec![other.id],
            "only that session is revoked"
        );
        assert_eq!(
            rotate(&store, rotation(&opened.refresh_hash, at(1002))).await,
            RotationOutcome::Unknown,
            "the expired token is unknown afterwards"
        );
    }

    pub async fn idleness_starts_at_the_cutoff_instant<S: Store>(store: S) {
        let (client, user) = client_and_user(&store).await;
        let opened = open(&store, &user, &client, "phone", at(10), 5).await;

        let just_fresh = Rotation {
            idle_cutoff: at(9),
            ..rotation(&opened.refresh_hash, at(20))
        };
        assert_rotates(&store, just_fresh.clone(), "issued at 10 is after the idle cutoff 9: live").await;
        let at_cutoff = Rotation {
            idle_cutoff: at(20),
            ..rotation(&just_fresh.new_refresh_hash, at(30))
        };
        assert_eq!(
            rotate(&store, at_cutoff).await,
            RotationOutcome::Expired,
            "rotated at 20 is at the idle cutoff 20: expired"
        );
        assert!(sessions(&store, &user).await.is_empty(), "the session is revoked");
    }

    pub async fn rotation_for_another_client_is_refused_and_changes_nothing<S: Store>(store: S) {
        let owner_client = add_client(&store, at(0)).await;
        let other_client = add_client(&store, at(0)).await;
        let user = add_user(&store).await;
        let opened = open(&store, &user, &owner_client, "phone", at(0), 5).await;
        let before = sessions(&store, &user).await;

        let wrong = Rotation {
            client_id: Some(other_client),
            ..rotation(&opened.refresh_hash, at(100))
        };
        assert_eq!(
            rotate(&store, wrong.clone()).await,
            RotationOutcome::ClientMismatch,
            "a token of another client"
        );
        assert_eq!(sessions(&store, &user).await, before, "the session is unchanged");
        assert_authenticates(&store, &opened.access_hash, at(101), "the old access token still works").await;
        assert_refused(&store, &wrong.new_access_hash, at(101), "the refused rotation's pair is not installed").await;
        assert_rotates(&store, rotation(&opened.refresh_hash, at(102)), "the refresh token is still live").await;
    }

    pub async fn rotation_naming_no_client_leaves_a_confidential_clients_token_alone<S: Store>(store: S) {
        let confidential = add_confidential_client(&store, at(0)).await.id;
        let user = add_user(&store).await;
        let opened = open(&store, &user, &confidential, "server", at(0), 5).await;
        let before = sessions(&store, &user).await;

        let anonymous = rotation(&opened.refresh_hash, at(100));
        assert_eq!(
            rotate(&store, anonymous.clone()).await,
            RotationOutcome::ClientMismatch,
            "a confidential client's token, with no client named"
        );
        assert_eq!(sessions(&store, &user).await, before, "the session is unchanged");
        assert_refused(&store, &anonymous.new_access_hash, at(101), "the refused rotation's pair is not installed").await;
        let idle = Rotation {
            idle_cutoff: at(1),
            ..rotation(&opened.refresh_hash, at(200))
        };
        assert_eq!(
            rotate(&store, idle).await,
            RotationOutcome::ClientMismatch,
            "nor is an idle one expired by a caller that names no client"
        );
        let named = Rotation {
            client_id: Some(confidential),
            ..rotation(&opened.refresh_hash, at(102))
        };
        assert_rotates(&store, named, "the client named (and authenticated) rotates it").await;
    }

    pub async fn rotation_for_the_sessions_own_client_works<S: Store>(store: S) {
        let (client, user) = client_and_user(&store).await;
        let opened = open(&store, &user, &client, "phone", at(0), 5).await;
        let r = Rotation {
            client_id: Some(client.clone()),
            ..rotation(&opened.refresh_hash, at(100))
        };
        let session = assert_rotates(&store, r.clone(), "the session's own client rotates").await;
        assert_eq!(session.client_id, client, "same client");
        assert_authenticates(&store, &r.new_access_hash, at(101), "the new access token works").await;
    }

    pub async fn never_seen_refresh_tokens_are_unknown<S: Store>(store: S) {
        let (client, user) = client_and_user(&store).await;
        let opened = open(&store, &user, &client, "phone", at(0), 5).await;
        assert_eq!(
            rotate(&store, rotation(&secret(), at(1))).await,
            RotationOutcome::Unknown,
            "a never-seen hash"
        );
        assert_eq!(
            rotate(&store, rotation(&opened.access_hash, at(1))).await,
            RotationOutcome::Unknown,
            "an access token is not a refresh token"
        );
        assert_authenticates(&store, &opened.access_hash, at(2), "nothing changed").await;
    }

    pub async fn tokens_of_a_revoked_session_are_unknown<S: Store>(store: S) {
        let (client, user) = client_and_user(&store).await;
        let opened = open(&store, &user, &client, "phone", at(0), 5).await;
        let first = rotation(&opened.refresh_hash, at(100));
        assert_rotates(&store, first.clone(), "rotated").await;
        assert!(store.revoke_session(&opened.id, &[]).await.expect("revoking"), "revoked");

        assert_eq!(
            rotate(&store, rotation(&first.new_refresh_hash, at(101))).await,
            RotationOutcome::Unknown,
            "the live token of a revoked session"
        );
        let within_grace = Rotation {
            grace_cutoff: at(99),
            ..rotation(&opened.refresh_hash, at(102))
        };
        assert_eq!(
            rotate(&store, within_grace).await,
            RotationOutcome::Unknown,
            "a retired token of a revoked session, within grace"
        );
        let after_grace = Rotation {
            grace_cutoff: at(101),
            ..rotation(&opened.refresh_hash, at(103))
        };
        assert_eq!(
            rotate(&store, after_grace).await,
            RotationOutcome::Unknown,
            "a retired token of a revoked session, after grace"
        );
    }

    pub async fn concurrent_rotations_of_one_token_let_exactly_one_through<S: Store>(store: S) {
        const RACERS: usize = 20;
        let (client, user) = client_and_user(&store).await;
        let opened = open(&store, &user, &client, "phone", at(0), 5).await;
        let rotations = (0..RACERS)
            .map(|_| Rotation {
                grace_cutoff: at(90),
                ..rotation(&opened.refresh_hash, at(100))
            })
            .collect();
        let outcomes = race(&store, rotations, |store, r| async move { store.rotate_refresh(r).await }).await;

        let mut winners = Vec::new();
        let mut losers = Vec::new();
        for (r, outcome) in outcomes {
            match outcome.expect("a concurrent rotation does not fail") {
                RotationOutcome::Rotated(_) => winners.push(r),
                RotationOutcome::RetiredWithinGrace => losers.push(r),
                other => panic!("a racing rotation got {other:?} instead of RetiredWithinGrace"),
            }
        }
        assert_eq!(winners.len(), 1, "exactly one rotation wins");
        assert_eq!(
            losers.len(),
            RACERS - 1,
            "every other sees the token retired within grace"
        );

        let winner = &winners[0];
        assert_eq!(sessions(&store, &user).await.len(), 1, "the session is alive");
        assert_authenticates(
            &store,
            &winner.new_access_hash,
            at(101),
            "the session holds the winner's access token",
        )
        .await;
        for loser in &losers {
            assert_refused(&store, &loser.new_access_hash, at(101), "a loser's access token is not installed").await;
        }
        assert_rotates(
            &store,
            rotation(&winner.new_refresh_hash, at(102)),
            "the session holds the winner's refresh token",
        )
        .await;
    }

    pub async fn a_detected_reuse_writes_its_event_completed_with_the_session<S: Store>(store: S) {
        let (client, user) = client_and_user(&store).await;
        let opened = open(&store, &user, &client, "phone", at(100), 5).await;
        let first = rotation(&opened.refresh_hash, at(101));
        assert_rotates(&store, first.clone(), "rotates").await;
        let within_grace = Rotation {
            audit: vec![super::audit::template(AuditKind::ReuseDetected)],
            ..rotation(&opened.refresh_hash, at(105))
        };
        expect_rotation(&store, within_grace, RotationOutcome::RetiredWithinGrace, "within grace").await;
        assert!(
            super::audit::events_about(&store, &user).await.is_empty(),
            "a reuse within the grace writes nothing"
        );
        let reuse = Rotation {
            audit: vec![super::audit::template(AuditKind::ReuseDetected)],
            ..rotation(&opened.refresh_hash, at(200))
        };
        expect_rotation(&store, reuse, RotationOutcome::ReuseDetected, "reuse").await;
        let events = super::audit::events_about(&store, &user).await;
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0].kind, AuditKind::ReuseDetected);
        assert_eq!(events[0].user.as_ref(), Some(&user), "completed with the session's user");
        assert_eq!(events[0].client.as_ref(), Some(&client), "and client");
        assert_eq!(events[0].device_id.as_deref(), Some("phone"), "and device");
    }
}
