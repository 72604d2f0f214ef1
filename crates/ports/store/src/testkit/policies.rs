//! The contract of [`PolicyStore`](crate::PolicyStore): published revisions
//! and what each user accepted.

use super::support::*;

contract_rules! {
    policies, __store_contract_policies;

    pub async fn published_revisions_get_growing_ids_and_round_trip_their_texts<S: Store>(store: S) {
        let mut previous: Option<RevisionId> = None;
        for (policy_type, version, published_at, languages) in [
            ("tac", "2030-01", at(0), &Language::BUILT_IN[..]),
            ("privacy", "v1.0", at(10), &[Language::EN][..]),
            ("tac", "2030-02", at(20), &[Language::NL, Language::DE][..]),
        ] {
            let new = new_revision(policy_type, version, published_at, languages);
            let published = store.publish_policy(new.clone(), &[]).await.expect("publishing");
            assert_eq!(published.policy_type, new.policy_type, "policy type");
            assert_eq!(published.version, new.version, "version");
            assert_eq!(published.published_at, new.published_at, "published_at");
            assert_eq!(published.texts, new.texts, "texts per language");
            if let Some(previous) = previous {
                assert!(
                    published.id > previous,
                    "ids grow: {:?} after {previous:?}",
                    published.id
                );
            }
            previous = Some(published.id);

            let listed = store.policy_revisions().await.expect("listing revisions");
            let found = listed
                .iter()
                .find(|r| r.id == published.id)
                .expect("the published revision is listed");
            assert_eq!(
                *found, published,
                "policy_revisions returns what publish_policy returned"
            );
        }
    }

    pub async fn policy_revisions_lists_every_published_revision_by_id<S: Store>(store: S) {
        let mut published = Vec::new();
        for (i, policy_type) in ["tac", "privacy", "cookie", "shop"].into_iter().enumerate() {
            let seconds = i64::try_from(i).expect("small");
            // Publication times deliberately not in id order.
            let new = new_revision(policy_type, "1", at(100 - seconds), &[Language::EN, Language::FR]);
            published.push(store.publish_policy(new, &[]).await.expect("publishing"));
        }

        let listed = store.policy_revisions().await.expect("listing revisions");
        assert!(
            listed.windows(2).all(|w| w[0].id < w[1].id),
            "policy_revisions is ordered by id: {:?}",
            listed.iter().map(|r| r.id).collect::<Vec<_>>()
        );
        let ours = among(listed, &published, |r| r.id);
        assert_eq!(ours, published, "every published revision is listed, with its texts");
    }

    pub async fn policy_standing_has_the_latest_revision_of_each_type_and_the_users_acceptances<S: Store>(store: S) {
        let terms = format!("terms-{}", &unique()[..8]);
        let privacy = format!("privacy-{}", &unique()[..8]);
        let old_terms = publish(&store, new_revision(&terms, "1", at(0), &[Language::EN])).await;
        let privacy_v1 = publish(&store, new_revision(&privacy, "1", at(10), &[Language::EN])).await;
        let new_terms = publish(&store, new_revision(&terms, "2", at(20), &[Language::EN])).await;
        // Published later but dated earlier: not the current one.
        let backdated = publish(&store, new_revision(&privacy, "0", at(5), &[Language::EN])).await;
        let user = add_user(&store).await;
        store
            .accept_policies(&user, &[old_terms, backdated], Language::EN, at(30), &[])
            .await
            .expect("accepting");

        let standing = store.policy_standing(&user).await.expect("standing");
        let ours: Vec<_> = standing
            .current
            .iter()
            .filter(|(_, t)| [terms.as_str(), privacy.as_str()].contains(&t.as_str()))
            .map(|(id, t)| (*id, t.as_str().to_owned()))
            .collect();
        let mut expected = vec![(new_terms, terms.clone()), (privacy_v1, privacy.clone())];
        expected.sort_by(|a, b| a.1.cmp(&b.1));
        assert_eq!(ours, expected, "the latest publication of each type");
        assert_eq!(standing.accepted, BTreeSet::from([old_terms, backdated]));
        let stranger = add_user(&store).await;
        assert!(store
            .policy_standing(&stranger)
            .await
            .expect("standing")
            .accepted
            .is_empty());
    }

    pub async fn accepting_policies_is_recorded_and_idempotent<S: Store>(store: S) {
        let a = publish(&store, new_revision("tac", "1", at(0), &[Language::EN])).await;
        let b = publish(&store, new_revision("privacy", "1", at(0), &[Language::EN])).await;
        let user = add_user(&store).await;
        let other = add_user(&store).await;
        assert!(
            accepted(&store, &user).await.is_empty(),
            "a new user has accepted nothing"
        );

        store.accept_policies(&user, &[a], Language::EN, at(1), &[]).await.expect("accepting a");
        assert_eq!(accepted(&store, &user).await, BTreeSet::from([a]), "a accepted");
        store
            .accept_policies(&user, &[a], Language::EN, at(2), &[])
            .await
            .expect("accepting a again is fine");
        store
            .accept_policies(&user, &[a, b], Language::EN, at(3), &[])
            .await
            .expect("accepting a and b");
        store
            .accept_policies(&user, &[], Language::EN, at(4), &[])
            .await
            .expect("accepting nothing is fine");
        assert_eq!(
            accepted(&store, &user).await,
            BTreeSet::from([a, b]),
            "a and b accepted, once each"
        );
        assert!(
            accepted(&store, &other).await.is_empty(),
            "another user's acceptances are separate"
        );
    }

    pub async fn accepting_an_unknown_revision_fails_and_records_nothing<S: Store>(store: S) {
        let known = publish(&store, new_revision("tac", "1", at(0), &[Language::EN])).await;
        let unknown = RevisionId(i32::MAX);
        let user = add_user(&store).await;

        let result = store.accept_policies(&user, &[known, unknown], Language::EN, at(1), &[]).await;
        assert!(
            matches!(result, Err(StoreError::UnknownRevision(id)) if id == unknown),
            "accepting {unknown:?} gives UnknownRevision({unknown:?}), got {result:?}"
        );
        assert!(
            accepted(&store, &user).await.is_empty(),
            "the known revision of the failed call is not recorded either"
        );
    }

    pub async fn publishing_writes_its_event<S: Store>(store: S) {
        let key = unique();
        let new = new_revision("tac", "audited", at(0), &[Language::BUILT_IN[0]]);
        store
            .publish_policy(new, &[admin_action(&key, "policy.published")])
            .await
            .expect("publishing");
        assert_eq!(admin_actions_of(&store, &key).await, ["policy.published"]);
    }
}
