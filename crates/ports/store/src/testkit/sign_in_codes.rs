//! The contract of the sign-in codes of [`ConfirmationStore`](crate::ConfirmationStore)
//! (`use_sign_in_code`, `purge_sign_in_codes`): a mailed code that signs in
//! without the password, stored as a confirmation of its own purpose.

use super::support::*;

/// `code` tried as `user`'s sign-in code at `now` (with [`MAX_ATTEMPTS`])
/// comes out as `expected`; `why` says why it must.
async fn expect<S: ContractStore>(
    store: &S,
    (user, code): (&UserId, &SecretHash),
    now: DateTime<Utc>,
    expected: CodeOutcome,
    why: &str,
) {
    let outcome = store.use_sign_in_code(&code_try(user, code, now, MAX_ATTEMPTS)).await;
    assert_eq!(outcome.expect("checking a sign-in code"), expected, "{why}");
}

contract_rules! {
    sign_in_codes, __store_contract_sign_in_codes;

    pub async fn a_right_sign_in_code_is_used_once_and_confirms_the_address<S: ContractStore>(store: S) {
        let user = add_user(&store).await;
        let before = user_by_id(&store, &user).await.expect("the user exists");
        let code = send(&store, sign_in_code(&user, at(600))).await;
        expect(&store, (&user, code_of(&code)), at(100), CodeOutcome::Confirmed, "the right code").await;
        let after = user_by_id(&store, &user).await.expect("the user exists");
        assert_eq!(after.email_confirmed_at, Some(at(100)), "the code reached the address: confirmed");
        let unchanged = User { email_confirmed_at: None, ..after };
        assert_eq!(unchanged, before, "nothing else about the user changed");
        expect(&store, (&user, code_of(&code)), at(101), CodeOutcome::NoCode, "a code signs in once").await;

        let again = send(&store, sign_in_code(&user, at(600))).await;
        expect(&store, (&user, code_of(&again)), at(200), CodeOutcome::Confirmed, "a new code signs in").await;
        assert_eq!(confirmed_at(&store, &user).await, Some(at(100)), "an earlier confirmation is kept");
    }

    pub async fn wrong_sign_in_codes_count_tries_until_even_the_right_one_is_refused<S: ContractStore>(store: S) {
        const MAX: u32 = 3;
        let user = add_user(&store).await;
        let code = send(&store, sign_in_code(&user, at(600))).await;
        let mut outcomes = Vec::new();
        for (second, typed) in [secret(), secret(), secret(), code_of(&code).clone()].iter().enumerate() {
            let typed = code_try(&user, typed, at(i64::try_from(second).unwrap_or(0)), MAX);
            outcomes.push(store.use_sign_in_code(&typed).await.expect("checking a sign-in code"));
        }
        let wrong = CodeOutcome::Wrong;
        assert_eq!(outcomes, [wrong, wrong, wrong, CodeOutcome::TooManyAttempts], "three tries, then none");
        assert_eq!(confirmed_at(&store, &user).await, None, "nothing confirmed");

        let fresh = send(&store, sign_in_code(&user, at(600))).await;
        expect(&store, (&user, &secret()), at(5), wrong, "a new code has tries of its own").await;
        expect(&store, (&user, code_of(&fresh)), at(6), CodeOutcome::Confirmed, "and the right one works").await;
    }

    pub async fn a_new_sign_in_code_replaces_the_unused_one<S: ContractStore>(store: S) {
        let user = add_user(&store).await;
        let first = send(&store, sign_in_code(&user, at(600))).await;
        let second = send(&store, sign_in_code(&user, at(600))).await;
        let replaced = "the replaced code is a wrong code for the live one";
        expect(&store, (&user, code_of(&first)), at(10), CodeOutcome::Wrong, replaced).await;
        expect(&store, (&user, code_of(&second)), at(11), CodeOutcome::Confirmed, "the new code signs in").await;
    }

    pub async fn an_expired_sign_in_code_is_no_code<S: ContractStore>(store: S) {
        let user = add_user(&store).await;
        let code = send(&store, sign_in_code(&user, at(600))).await;
        for now in [at(600), at(601), at(100_000)] {
            let why = format!("expired at 600: tried at {now}");
            expect(&store, (&user, code_of(&code)), now, CodeOutcome::NoCode, &why).await;
            expect(&store, (&user, &secret()), now, CodeOutcome::NoCode, &why).await;
        }
        assert_eq!(confirmed_at(&store, &user).await, None, "not confirmed");
        let live = "the code is live one second before it expires";
        expect(&store, (&user, code_of(&code)), at(599), CodeOutcome::Confirmed, live).await;
    }

    pub async fn sign_in_codes_and_email_codes_are_apart<S: ContractStore>(store: S) {
        let user = add_user(&store).await;
        let email = send(&store, email_confirmation(&user, at(3600))).await;
        let no_sign_in = "an email code is no sign-in code";
        expect(&store, (&user, code_of(&email)), at(1), CodeOutcome::NoCode, no_sign_in).await;
        let sign_in = send(&store, sign_in_code(&user, at(600))).await;
        assert_eq!(by_link(&store, &sign_in.link_hash, at(2)).await, None, "its link confirms nothing");
        let as_email = by_code(&store, &user, code_of(&sign_in), at(3), MAX_ATTEMPTS).await;
        assert_eq!(as_email, CodeOutcome::Wrong, "a sign-in code is a wrong email code");
        let left_alone = "a new sign-in code left the email code alone, and the other way round";
        expect(&store, (&user, code_of(&sign_in)), at(4), CodeOutcome::Confirmed, left_alone).await;
        let still = by_code(&store, &user, code_of(&email), at(5), MAX_ATTEMPTS).await;
        assert_eq!(still, CodeOutcome::Confirmed, "the email code still confirms");
    }

    pub async fn concurrent_right_sign_in_codes_let_one_through<S: ContractStore>(store: S) {
        let user = add_user(&store).await;
        let code = send(&store, sign_in_code(&user, at(600))).await;
        assert_one_racing_right_code_goes_through(&store, &code).await;
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
        expect(&store, (&used, code_of(&used_code)), at(50), CodeOutcome::Confirmed, "used").await;

        assert_eq!(purge_sign_in_codes(&store, at(500)).await, 1, "the expired code is dropped");
        assert_eq!(purge_sign_in_codes(&store, at(500)).await, 0, "and gone");
        let survives = "a live code survives a purge";
        expect(&store, (&live, code_of(&live_code)), at(600), CodeOutcome::Confirmed, survives).await;
        assert_eq!(
            purge_sign_in_codes(&store, at(5000)).await,
            0,
            "used codes left nothing behind, and another purpose's are not sign-in codes"
        );
        let other_purpose = by_code(&store, &other, code_of(&email), at(50), MAX_ATTEMPTS).await;
        assert_eq!(other_purpose, CodeOutcome::Confirmed, "an email confirmation is left alone");
    }
}
