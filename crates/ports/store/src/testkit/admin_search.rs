//! The contract of [`AdminUserStore`](crate::AdminUserStore): every filter
//! narrows, pages follow the `(created_at, id)` keyset without gaps or
//! repeats, and an address or name prefix is taken literally.

use super::support::*;
use crate::{UserCursor, UserFilter};

/// Registers an account `local@<domain>` created at `created`.
async fn account<S: Store>(store: &S, email: &str, created: i64) -> UserId {
    let mut user = new_user(Email::parse(email).expect("an address"));
    user.created_at = at(created);
    let id = user.id.clone();
    store.register(registration(user)).await.expect("registered");
    id
}

async fn ids<S: Store>(store: &S, filter: &UserFilter) -> Vec<UserId> {
    store
        .search_users(filter, None, 100)
        .await
        .expect("a page")
        .into_iter()
        .map(|u| u.id)
        .collect()
}

contract_rules! { admin_search, __store_contract_admin_search;

pub async fn every_user_filter_narrows_the_search<S: Store>(store: S) {
    let domain = format!("{}.example", unique());
    let ann = account(&store, &format!("Ann@{domain}"), 10).await;
    let anna = account(&store, &format!("anna@{domain}"), 20).await;
    let bob = account(&store, &format!("bob@{domain}"), 30).await;
    let odd = account(&store, &format!("a_b%c@{domain}"), 40).await;
    store.set_disabled(&bob, true, &[]).await.unwrap();
    store.set_role(&anna, &Role::parse("admin").unwrap(), &[]).await.unwrap();

    let everyone = UserFilter {
        created_after: Some(at(10)),
        created_before: Some(at(41)),
        ..UserFilter::default()
    };
    assert_eq!(ids(&store, &everyone).await, [ann.clone(), anna.clone(), bob.clone(), odd.clone()]);
    let prefix = |p: &str| UserFilter {
        email_prefix: Some(p.to_owned()),
        ..everyone.clone()
    };
    assert_eq!(ids(&store, &prefix("ann")).await, [ann.clone(), anna.clone()], "on the lowercase address");
    assert_eq!(ids(&store, &prefix("anna@")).await, vec![anna.clone()]);
    assert_eq!(ids(&store, &prefix("a_b%")).await, vec![odd], "wildcards are literal");
    assert!(ids(&store, &prefix("a%")).await.is_empty(), "% is no wildcard");
    let role = UserFilter {
        role: Some(Role::parse("admin").unwrap()),
        ..everyone.clone()
    };
    assert_eq!(ids(&store, &role).await, vec![anna.clone()]);
    let disabled = UserFilter {
        disabled: Some(true),
        ..everyone.clone()
    };
    assert_eq!(ids(&store, &disabled).await, vec![bob]);
    let unconfirmed = UserFilter {
        confirmed: Some(false),
        ..everyone.clone()
    };
    assert_eq!(ids(&store, &unconfirmed).await.len(), 4);
    let confirmed = UserFilter {
        confirmed: Some(true),
        ..everyone.clone()
    };
    assert!(ids(&store, &confirmed).await.is_empty());
    let window = UserFilter {
        created_after: Some(at(20)),
        created_before: Some(at(30)),
        ..UserFilter::default()
    };
    assert_eq!(ids(&store, &window).await, [anna], "after is in, before is out");
}

pub async fn user_pages_follow_the_keyset_without_gaps_or_repeats<S: Store>(store: S) {
    let domain = format!("{}.example", unique());
    let mut expected = Vec::new();
    for i in 0..7 {
        // Two accounts share each creation time: the id breaks the tie.
        expected.push(account(&store, &format!("u{i}@{domain}"), 100 + i / 2).await);
    }
    expected.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    let filter = UserFilter {
        created_after: Some(at(100)),
        created_before: Some(at(200)),
        ..UserFilter::default()
    };
    let mut seen: Vec<User> = Vec::new();
    let mut cursor: Option<UserCursor> = None;
    loop {
        let page = store.search_users(&filter, cursor.as_ref(), 3).await.unwrap();
        assert!(page.len() <= 3);
        let Some(last) = page.last() else { break };
        cursor = Some(UserCursor {
            created_at: last.created_at,
            id: last.id.clone(),
        });
        seen.extend(page);
    }
    let keys: Vec<(DateTime<Utc>, String)> = seen.iter().map(|u| (u.created_at, u.id.0.clone())).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "in (created_at, id) order");
    let mut got: Vec<UserId> = seen.into_iter().map(|u| u.id).collect();
    got.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    assert_eq!(got, expected, "every account once");
}

pub async fn the_name_filter_takes_a_first_or_last_name_prefix_case_ignored<S: Store>(store: S) {
    let tag = unique();
    let named = |first: &str, last: &str| {
        let mut user = new_user(unique_email("named"));
        user.profile.firstname = Some(format!("{first}{tag}"));
        user.profile.lastname = Some(last.to_owned());
        user
    };
    let by_first = named("Zed", "Smith");
    let by_last = {
        let mut user = named("Ann", "x");
        user.profile.lastname = Some(format!("ZED{tag}-Jones"));
        user.created_at = at(1);
        user
    };
    let wild = named("a%_", "Smith");
    for user in [&by_first, &by_last, &wild] {
        store.register(registration(user.clone())).await.expect("registered");
    }
    let name = |p: String| UserFilter {
        name_prefix: Some(p),
        ..UserFilter::default()
    };
    assert_eq!(ids(&store, &name(format!("zed{tag}"))).await, [by_first.id.clone(), by_last.id.clone()]);
    assert_eq!(ids(&store, &name(format!("zed{tag}-j"))).await, vec![by_last.id.clone()]);
    assert!(ids(&store, &name(tag.clone())).await.is_empty(), "a prefix, not a part");
    assert_eq!(ids(&store, &name(format!("a%_{tag}"))).await, vec![wild.id.clone()]);
    assert!(ids(&store, &name(format!("a%{tag}"))).await.is_empty(), "% is no wildcard");
}

}
