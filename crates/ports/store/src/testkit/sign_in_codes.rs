//! The contract of the sign-in codes of [`ConfirmationStore`](crate::ConfirmationStore)
//! (`use_sign_in_code`, `purge_sign_in_codes`): a mailed code that signs in
//! without the password, stored as a confirmation of its own purpose.

use super::support::*;

contract_rules! {
    sign_in_codes, __store_contract_sign_in_codes;

    pub async fn a_right_sign_in_code_is_used_once_and_confirms_the_address<S: ContractStore>(store: S) {
        let user = add_user(&store).await;
        let before = user_by_id(&store, &user).await.expect("the user exists");
        let code = send(&store, sign_in_code(&user, at(600))).await;
        assert_eq!(
            by_sign_in_code(&store, &user, code_of(&code), at(100), MAX_ATTEMPTS).await,
            CodeOutcome::Confirmed,
            "the right code"
        );
        let after = user_by_id(&store, &user).await.expect("the user exists");
        assert_eq!(after.email_confirmed_at, Some(at(100)), "the code reached the address: confirmed");
        assert_eq!(
            User {
                email_confirmed_at: None,
                ..after
            },
            before,
            "nothing else about the user changed"
        );
        assert_eq!(
            by_sign_in_code(&store, &user, code_of(&code), at(101), MAX_ATTEMPTS).await,
            CodeOutcome::NoCode,
            "a code signs in once"
        );

        let again = send(&store, sign_in_code(&user, at(600))).await;
        assert_eq!(
            by_sign_in_code(&store, &user, code_of(&again), at(200), MAX_ATTEMPTS).await,
            CodeOutcome::Confirmed,
            "a new code signs in again"
        );
        assert_eq!(
            confirmed_at(&store, &user).await,
            Some(at(100)),
            "an earlier confirmation is kept"
        );
    }

    pub async fn wrong_sign_in_codes_count_tries_until_even_the_right_one_is_refused<S: ContractStore>(store: S) {
        const MAX: u32 = 3;
        let user = add_user(&store).await;
        let code = send(&store, sign_in_code(&user, at(600))).await;
        for second in 1..=3 {
            assert_eq!(
                by_sign_in_code(&store, &user, &secret(), at(second), MAX).await,
                CodeOutcome::Wrong,
                "wrong try {second}"
            );
        }
        assert_eq!(
            by_sign_in_code(&store, &user, code_of(&code), at(4), MAX).await,
            CodeOutcome::TooManyAttempts,
            "the code has had its tries"
        );
        assert_eq!(confirmed_at(&store, &user).await, None, "nothing confirmed");

        let fresh = send(&store, sign_in_code(&user, at(600))).await;
        assert_eq!(
            by_sign_in_code(&store, &user, &secret(), at(5), MAX).await,
            CodeOutcome::Wrong,
            "a new code has tries of its own"
        );
        assert_eq!(
            by_sign_in_code(&store, &user, code_of(&fresh), at(6), MAX).await,
            CodeOutcome::Confirmed,
            "and the right one signs in"
        );
    }

    pub async fn a_new_sign_in_code_replaces_the_unused_one<S: ContractStore>(store: S) {
        let user = add_user(&store).await;
        let first = send(&store, sign_in_code(&user, at(600))).await;
        let second = send(&store, sign_in_code(&user, at(600))).await;
        assert_eq!(
            by_sign_in_code(&store, &user, code_of(&first), at(10), MAX_ATTEMPTS).await,
            CodeOutcome::Wrong,
            "the replaced code is a wrong code for the live one"
        );
        assert_eq!(
            by_sign_in_code(&store, &user, code_of(&second), at(11), MAX_ATTEMPTS).await,
            CodeOutcome::Confirmed,
            "the new code signs in"
        );
    }

    pub async fn an_expired_sign_in_code_is_no_code<S: ContractStore>(store: S) {
        let user = add_user(&store).await;
        let code = send(&store, sign_in_code(&user, at(600))).await;
        for now in [at(600), at(601), at(100_000)] {
            for (what, hash) in [("the right code", code_of(&code)), ("a wrong code", &secret())] {
                assert_eq!(
                    by_sign_in_code(&store, &user, hash, now, MAX_ATTEMPTS).await,
                    CodeOutcome::NoCode,
                    "expired at 600: {what} at {now} is NoCode"
                );
            }
        }
        assert_eq!(confirmed_at(&store, &user).await, None, "not confirmed");
        assert_eq!(
            by_sign_in_code(&store, &user, code_of(&code), at(599), MAX_ATTEMPTS).await,
            CodeOutcome::Confirmed,
            "the code is live one second before it expires"
        );
    }

    pub async fn sign_in_codes_and_email_codes_are_apart<S: ContractStore>(store: S) {
        let user = add_user(&store).await;
        let email = send(&store, email_confirmation(&user, at(3600))).await;
        assert_eq!(
            by_sign_in_code(&store, &user, code_of(&email), at(1), MAX_ATTEMPTS).await,
            CodeOutcome::NoCode,
            "an email code is no sign-in code"
        );
        let sign_in = send(&store, sign_in_code(&user, at(600))).await;
        assert_eq!(
            by_link(&store, &sign_in.link_hash, at(2)).await,
            None,
            "the link of a sign-in code confirms nothing"
        );
        assert_eq!(
            by_code(&store, &user, code_of(&sign_in), at(3), MAX_ATTEMPTS).await,
            CodeOutcome::Wrong,
            "a sign-in code is a wrong email code"
        );
        assert_eq!(
            by_sign_in_code(&store, &user, code_of(&sign_in), at(4), MAX_ATTEMPTS).await,
            CodeOutcome::Confirmed,
            "a new sign-in code left the email code alone, and the other way round"
        );
        assert_eq!(
            by_code(&store, &user, code_of(&email), at(5), MAX_ATTEMPTS).await,
            CodeOutcome::Confirmed,
            "the email code still confirms after the sign-in code was used"
        );
    }

    pub async fn concurrent_right_sign_in_codes_let_one_through<S: ContractStore>(store: S) {
        const RACERS: usize = 10;
        let user = add_user(&store).await;
        let code = send(&store, sign_in_code(&user, at(600))).await;
        let tries = vec![(user.clone(), code_of(&code).clone()); RACERS];
        let outcomes: Vec<_> = race(&store, tries, |store, (user, code)| async move {
            store.use_sign_in_code(&user, &code, at(100), MAX_ATTEMPTS).await
        })
        .await
        .into_iter()
        .map(|(_, outcome)| outcome.expect("a concurrent use_sign_in_code does not fail"))
        .collect();
        let confirmed = outcomes.iter().filter(|o| **o == CodeOutcome::Confirmed).count();
        let no_code = outcomes.iter().filter(|o| **o == CodeOutcome::NoCode).count();
        assert_eq!(confirmed, 1, "exactly one try signs in: {outcomes:?}");
        assert_eq!(no_code, RACERS - 1, "every other sees NoCode: {outcomes:?}");
    }

    pub async fn a_purge_drops_the_expired_sign_in_codes_only<S: ContractStore>(store: S) {
        let (expired, live, used, other) = (
            add_user(&store).await,
            add_user(&store).await,
            add_user(&store).await,
            add_user(&store).await,
        );
        send(&store, sign_in_code(&expired, at(100))).await;
        let live_code = send(&store, sign_in_code(&live, at(1000))).await;
        let used_code = send(&store, sign_in_code(&used, at(1000))).await;
        let email = send(&store, email_confirmation(&other, at(100))).await;
        assert_eq!(
            by_sign_in_code(&store, &used, code_of(&used_code), at(50), MAX_ATTEMPTS).await,
            CodeOutcome::Confirmed
        );

        assert_eq!(purge_sign_in_codes(&store, at(500)).await, 1, "the expired code is dropped");
        assert_eq!(purge_sign_in_codes(&store, at(500)).await, 0, "and gone");
        assert_eq!(
            by_sign_in_code(&store, &live, code_of(&live_code), at(600), MAX_ATTEMPTS).await,
            CodeOutcome::Confirmed,
            "a live code survives a purge"
        );
        assert_eq!(
            purge_sign_in_codes(&store, at(5000)).await,
            0,
            "used codes left nothing behind, and another purpose's are not sign-in codes"
        );
        assert_eq!(
            by_code(&store, &other, code_of(&email), at(50), MAX_ATTEMPTS).await,
            CodeOutcome::Confirmed,
            "an email confirmation, expired or not, is left alone"
        );
    }
}
