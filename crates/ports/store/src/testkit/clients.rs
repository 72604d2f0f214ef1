//! The contract of [`ClientStore`](crate::ClientStore): the apps sessions are opened on.

use super::support::*;

contract_rules! {
    clients, __store_contract_clients;

    pub async fn added_clients_are_found_and_listed_by_creation_time<S: Store>(store: S) {
        let mut added = Vec::new();
        for (i, name) in ["Android app", "iOS app", "Partner portal", "Kiosk"]
            .into_iter()
            .enumerate()
        {
            let seconds = i64::try_from(i).expect("small") * 60;
            let id = ClientId::parse(&format!("{}-{}", name.replace(' ', "-"), unique())).expect("a valid client id");
            let client = match i {
                // A confidential, trusted client with URIs of each kind, in an order that is not sorted.
                2 => Client {
                    kind: confidential(),
                    redirect_uris: uris(&["https://partner.example/cb", "http://127.0.0.1:8400/cb"]),
                    post_logout_redirect_uris: uris(&["https://partner.example/bye"]),
                    trusted: true,
                    ..Client::public(id, name.to_owned(), at(seconds))
                },
                // A public client with a native app's redirect URIs.
                1 => Client {
                    redirect_uris: uris(&["com.example.ios:/oauth", "https://app.example/cb?x=1&y=2"]),
                    ..Client::public(id, name.to_owned(), at(seconds))
                },
                _ => Client::public(id, name.to_owned(), at(seconds)),
            };
            store.add_client(&client, &[]).await.expect("adding a client");
            added.push(client);
        }

        for client in &added {
            let found = store.client(&client.id).await.expect("looking up a client");
            assert_eq!(found.as_ref(), Some(client), "client() returns the added client");
        }
        let unknown = ClientId::parse(&format!("unknown-{}", unique())).expect("valid");
        assert!(
            store.client(&unknown).await.expect("looking up").is_none(),
            "unknown client → None"
        );

        let listed = store.clients().await.expect("listing clients");
        assert!(
            listed.windows(2).all(|w| w[0].created_at <= w[1].created_at),
            "clients() is ordered by creation time"
        );
        let ours = among(listed, &added, |c| c.id.clone());
        assert_eq!(ours, added, "every added client is listed, oldest first");
    }

    pub async fn adding_a_client_with_a_taken_id_is_a_duplicate<S: Store>(store: S) {
        let id = add_client(&store, at(0)).await;
        let original = store.client(&id).await.expect("looking up").expect("the client exists");
        let impostor = Client {
            kind: confidential(),
            ..Client::public(id.clone(), "Impostor".into(), at(10))
        };
        let result = store.add_client(&impostor, &[]).await;
        assert!(
            matches!(result, Err(StoreError::Duplicate)),
            "adding a taken client id gives Duplicate, got {result:?}"
        );
        assert_eq!(
            store.client(&id).await.expect("looking up"),
            Some(original),
            "the original client is unchanged"
        );
        let listed = store.clients().await.expect("listing");
        assert_eq!(listed.iter().filter(|c| c.id == id).count(), 1, "listed once");
    }

    pub async fn removing_a_client_revokes_its_sessions_and_reports_whether_it_existed<S: Store>(store: S) {
        let (removed, kept) = two_clients(&store).await;
        let user = add_user(&store).await;
        let on_removed = open(&store, &user, &removed, "phone", at(2), 5).await;
        let on_kept = open(&store, &user, &kept, "phone", at(3), 5).await;

        assert!(
            store.remove_client(&removed, &[]).await.expect("removing"),
            "remove_client → true"
        );
        assert!(
            store.client(&removed).await.expect("looking up").is_none(),
            "the client is gone"
        );
        assert!(
            !store.clients().await.expect("listing").iter().any(|c| c.id == removed),
            "the client is no longer listed"
        );
        assert_revoked(
            &store,
            &on_removed,
            at(4),
            "the removed client's session is revoked",
            "the removed client's refresh token is unknown",
        )
        .await;
        assert_authenticates(&store, &on_kept.access_hash, at(4), "another client's session stays").await;
        assert_session_ids(&store, &user, vec![on_kept.id], "only the other client's session is left").await;
        assert!(
            !store.remove_client(&removed, &[]).await.expect("removing again"),
            "remove_client → false the second time"
        );
        assert!(
            store.client(&kept).await.expect("looking up").is_some(),
            "the other client stays"
        );
    }

    pub async fn a_confidential_clients_secret_is_replaced_and_no_other_client_gets_one<S: Store>(store: S) {
        let client = add_confidential_client(&store, at(0)).await;
        let id = client.id.clone();
        let other = add_confidential_client(&store, at(0)).await;

        let new_hash = SecretHash::of(&unique());
        assert!(
            store.set_client_secret(&id, &new_hash, &[]).await.expect("rotating"),
            "set_client_secret → true for a confidential client"
        );
        let rotated = store.client(&id).await.expect("looking up").expect("the client exists");
        assert_eq!(
            rotated,
            Client {
                kind: ClientKind::Confidential { secret_hash: new_hash },
                ..client
            },
            "only the secret hash changed"
        );
        assert_eq!(
            store.client(&other.id).await.expect("looking up"),
            Some(other),
            "another client's secret stays"
        );

        let public = add_client(&store, at(1)).await;
        let before = store.client(&public).await.expect("looking up");
        assert!(
            !store.set_client_secret(&public, &SecretHash::of(&unique()), &[]).await.expect("trying"),
            "set_client_secret → false for a public client"
        );
        assert_eq!(
            store.client(&public).await.expect("looking up"),
            before,
            "the public client stays public"
        );
        let unknown = ClientId::parse(&format!("unknown-{}", unique())).expect("valid");
        assert!(
            !store.set_client_secret(&unknown, &SecretHash::of(&unique()), &[]).await.expect("trying"),
            "set_client_secret → false for an unknown client"
        );
        assert!(store.client(&unknown).await.expect("looking up").is_none(), "nothing was added");
    }

    pub async fn client_changes_write_their_events_only_when_they_happen<S: Store>(store: S) {
        let key = unique();
        let client = Client {
            kind: confidential(),
            ..Client::public(
                ClientId::parse(&format!("audited-{}", unique())).expect("valid"),
                "Audited".into(),
                at(0),
            )
        };
        store
            .add_client(&client, &[admin_action(&key, "client.created")])
            .await
            .expect("adding");
        let again = store.add_client(&client, &[admin_action(&key, "client.created")]).await;
        assert!(matches!(again, Err(StoreError::Duplicate)), "a taken id is a duplicate");
        assert_eq!(admin_actions_of(&store, &key).await, ["client.created"], "one event for the one client added");

        let public = add_client(&store, at(0)).await;
        let unknown = ClientId::parse(&format!("unknown-{}", unique())).expect("valid");
        for id in [&public, &unknown] {
            assert!(!store
                .set_client_secret(id, &SecretHash::of(&unique()), &[admin_action(&key, "client.secret_rotated")])
                .await
                .expect("trying"));
        }
        assert!(!store
            .remove_client(&unknown, &[admin_action(&key, "client.removed")])
            .await
            .expect("trying"));
        assert_eq!(
            admin_actions_of(&store, &key).await,
            ["client.created"],
            "no event for a secret not set nor a client not removed"
        );

        assert!(store
            .set_client_secret(&client.id, &SecretHash::of(&unique()), &[admin_action(&key, "client.secret_rotated")])
            .await
            .expect("rotating"));
        assert!(store
            .remove_client(&client.id, &[admin_action(&key, "client.removed")])
            .await
            .expect("removing"));
        assert_eq!(
            admin_actions_of(&store, &key).await,
            ["client.created", "client.secret_rotated", "client.removed"],
            "each change with its event"
        );
    }
}
