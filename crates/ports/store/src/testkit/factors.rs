//! The contract of [`FactorStore`](crate::FactorStore): a pending TOTP
//! secret is replaced until it is confirmed; a step, a recovery code and an
//! `mfa_token` are each used once, even by requests racing for them; and a
//! deleted user takes their factors along.

use std::future::Future;

use registrar_domain::Sealed;

use super::support::*;
use crate::{FirstFactor, MfaAttempt, MfaPurpose, MfaToken, MfaTokenLookup, NewMfaToken, RecoveryCodeUse, TotpConfirmation, TotpFactor};

/// A stand-in for a sealed secret: the store keeps it as it is given.
fn sealed() -> Sealed {
    Sealed::from_stored(format!("v1.00000000.{}", unique()))
}

fn hashes(count: usize) -> Vec<SecretHash> {
    (0..count).map(|_| secret()).collect()
}

/// A user with a confirmed TOTP factor (last step `step`) and `codes`.
async fn confirmed<S: Store>(store: &S, step: u64, codes: &[SecretHash]) -> UserId {
    let user = add_user(store).await;
    let secret = sealed();
    assert!(store.put_pending_totp(&user, secret.clone(), at(0)).await.expect("a pending secret"));
    let confirmation = confirmation(&user, &secret, step, codes.to_vec(), at(1));
    assert!(store.confirm_totp(confirmation).await.expect("confirming"), "the pending secret is confirmed");
    user
}

fn confirmation(user: &UserId, secret: &Sealed, step: u64, codes: Vec<SecretHash>, now: DateTime<Utc>) -> TotpConfirmation {
    TotpConfirmation { user: user.clone(), secret: secret.clone(), step, recovery_codes: codes, now }
}

fn code_use(user: &UserId, code: &SecretHash, now: DateTime<Utc>) -> RecoveryCodeUse {
    RecoveryCodeUse { user: user.clone(), code: code.clone(), now }
}

/// Looks `token` up as live at `now` with at most `max_failures`.
fn lookup(token: &SecretHash, now: DateTime<Utc>, max_failures: u32) -> MfaTokenLookup {
    MfaTokenLookup { token_hash: token.clone(), now, max_failures }
}

fn new_token(user: &UserId, client: &ClientId, expires_at: DateTime<Utc>) -> NewMfaToken {
    let attempt = MfaAttempt {
        user: user.clone(),
        client: client.clone(),
        device: device("phone"),
        device_name: DeviceName::parse("Phone").expect("a device name"),
        first_factor: FirstFactor::Password,
        purpose: MfaPurpose::SignIn,
        credential: Some(password_hash()),
    };
    NewMfaToken { token_hash: secret(), attempt, created_at: at(0), expires_at }
}

async fn create<S: Store>(store: &S, token: &NewMfaToken) {
    store.create_mfa_token(token.clone()).await.expect("a fresh mfa token");
}

fn as_stored(new: &NewMfaToken, failures: u32) -> MfaToken {
    MfaToken { attempt: new.attempt.clone(), failures, expires_at: new.expires_at }
}

/// How many of 8 racers, each starting `attempt` at once, won.
async fn winners<S, F, Fut>(store: &S, attempt: F) -> usize
where
    S: Store,
    F: Fn(S) -> Fut,
    Fut: Future<Output = bool> + Send + 'static,
{
    let outcomes = race(store, (0..8).collect(), |store, _: i32| attempt(store)).await;
    outcomes.into_iter().filter(|(_, won)| *won).count()
}

contract_rules! { factors, __store_contract_factors;

pub async fn a_pending_totp_secret_is_replaced_until_one_is_confirmed<S: Store>(store: S) {
    let user = add_user(&store).await;
    assert_eq!(store.totp_factor(&user).await.unwrap(), None, "no factor yet");

    let (first, second) = (sealed(), sealed());
    assert!(store.put_pending_totp(&user, first.clone(), at(10)).await.unwrap());
    assert!(store.put_pending_totp(&user, second.clone(), at(20)).await.unwrap());
    let pending = store.totp_factor(&user).await.unwrap();
    let expected = TotpFactor { secret: second.clone(), created_at: at(20), confirmed_at: None, last_step: None };
    assert_eq!(pending, Some(expected), "the second replaced the first");

    assert!(
        !store.confirm_totp(confirmation(&user, &first, 5, hashes(2), at(30))).await.unwrap(),
        "the replaced secret cannot be confirmed"
    );
    assert!(store.confirm_totp(confirmation(&user, &second, 7, hashes(2), at(30))).await.unwrap());
    let factor = store.totp_factor(&user).await.unwrap().expect("the factor");
    assert_eq!((factor.confirmed_at, factor.last_step), (Some(at(30)), Some(7)));
    assert_eq!(store.recovery_codes_left(&user).await.unwrap(), 2);

    assert!(
        !store.put_pending_totp(&user, sealed(), at(40)).await.unwrap(),
        "a confirmed factor is not replaced"
    );
    assert!(
        !store.confirm_totp(confirmation(&user, &second, 9, hashes(2), at(40))).await.unwrap(),
        "nor confirmed twice"
    );
    assert_eq!(store.totp_factor(&user).await.unwrap(), Some(factor), "unchanged");
}

pub async fn a_pending_secret_for_an_unknown_user_is_not_found<S: Store>(store: S) {
    let nobody = UserId(unique());
    let result = store.put_pending_totp(&nobody, sealed(), at(0)).await;
    assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
}

pub async fn a_step_is_used_once_and_only_after_the_last<S: Store>(store: S) {
    let user = confirmed(&store, 10, &[]).await;
    for (step, accepted, why) in [
        (10, false, "the confirming step"),
        (9, false, "an earlier step"),
        (11, true, "the next step"),
        (11, false, "the same step again"),
        (13, true, "a later step"),
        (12, false, "a step before the last used"),
    ] {
        assert_eq!(store.use_totp_step(&user, step).await.unwrap(), accepted, "{why} ({step})");
    }
    assert_eq!(store.totp_factor(&user).await.unwrap().and_then(|f| f.last_step), Some(13));

    let pending = add_user(&store).await;
    assert!(store.put_pending_totp(&pending, sealed(), at(0)).await.unwrap());
    assert!(!store.use_totp_step(&pending, 1).await.unwrap(), "a pending factor takes no codes");
    let without = add_user(&store).await;
    assert!(!store.use_totp_step(&without, 1).await.unwrap(), "no factor takes no codes");
}

pub async fn of_requests_racing_with_one_step_one_wins<S: Store>(store: S) {
    let user = confirmed(&store, 10, &[]).await;
    let won = winners(&store, |store| {
        let user = user.clone();
        async move { store.use_totp_step(&user, 11).await.expect("using a step") }
    })
    .await;
    assert_eq!(won, 1, "one of the racers used step 11");
}

pub async fn recovery_codes_are_used_once_and_replaced_as_a_set<S: Store>(store: S) {
    let codes = hashes(3);
    let user = confirmed(&store, 1, &codes).await;
    let other = confirmed(&store, 1, &hashes(3)).await;
    assert_eq!(store.recovery_codes_left(&user).await.unwrap(), 3);

    assert!(store.use_recovery_code(&code_use(&user, &codes[0], at(5))).await.unwrap());
    assert!(!store.use_recovery_code(&code_use(&user, &codes[0], at(6))).await.unwrap(), "used already");
    assert!(!store.use_recovery_code(&code_use(&other, &codes[1], at(6))).await.unwrap(), "another user's code");
    assert!(!store.use_recovery_code(&code_use(&user, &secret(), at(6))).await.unwrap(), "an unknown code");
    assert_eq!(store.recovery_codes_left(&user).await.unwrap(), 2);
    assert_eq!(store.recovery_codes_left(&other).await.unwrap(), 3);

    let fresh = hashes(2);
    store.replace_recovery_codes(&user, fresh.clone(), at(7)).await.unwrap();
    assert_eq!(store.recovery_codes_left(&user).await.unwrap(), 2);
    assert!(!store.use_recovery_code(&code_use(&user, &codes[1], at(8))).await.unwrap(), "an old code died");
    assert!(store.use_recovery_code(&code_use(&user, &fresh[1], at(8))).await.unwrap());
    assert_eq!(store.recovery_codes_left(&user).await.unwrap(), 1);
}

pub async fn of_requests_racing_with_one_recovery_code_one_wins<S: Store>(store: S) {
    let codes = hashes(1);
    let user = confirmed(&store, 1, &codes).await;
    let won = winners(&store, |store| {
        let (user, code) = (user.clone(), codes[0].clone());
        async move { store.use_recovery_code(&code_use(&user, &code, at(5))).await.expect("using a code") }
    })
    .await;
    assert_eq!(won, 1, "one of the racers used the code");
    assert_eq!(store.recovery_codes_left(&user).await.unwrap(), 0);
}

pub async fn removing_the_totp_factor_removes_the_recovery_codes<S: Store>(store: S) {
    let user = confirmed(&store, 1, &hashes(4)).await;
    assert!(store.remove_totp(&user).await.unwrap());
    assert_eq!(store.totp_factor(&user).await.unwrap(), None);
    assert_eq!(store.recovery_codes_left(&user).await.unwrap(), 0);
    assert!(!store.remove_totp(&user).await.unwrap(), "nothing left to remove");

    let pending = add_user(&store).await;
    assert!(store.put_pending_totp(&pending, sealed(), at(0)).await.unwrap());
    assert!(store.remove_totp(&pending).await.unwrap(), "a pending factor is removed too");
    assert_eq!(store.totp_factor(&pending).await.unwrap(), None);
}

pub async fn an_mfa_token_lives_until_used_expired_or_failed_too_often<S: Store>(store: S) {
    let (client, user) = client_and_user(&store).await;
    let token = new_token(&user, &client, at(300));
    create(&store, &token).await;
    let hash = &token.token_hash;

    assert_eq!(store.mfa_token(&lookup(hash, at(10), 5)).await.unwrap(), Some(as_stored(&token, 0)));
    assert_eq!(store.mfa_token(&lookup(hash, at(299), 5)).await.unwrap().map(|t| t.failures), Some(0));
    assert_eq!(store.mfa_token(&lookup(hash, at(300), 5)).await.unwrap(), None, "expired at its instant");
    assert_eq!(store.mfa_token(&lookup(&secret(), at(10), 5)).await.unwrap(), None, "unknown");

    assert_eq!(store.mfa_token_failed(hash).await.unwrap(), 1);
    assert_eq!(store.mfa_token_failed(hash).await.unwrap(), 2);
    assert_eq!(store.mfa_token_failed(&secret()).await.unwrap(), 0, "an unknown token counts nothing");
    assert_eq!(store.mfa_token(&lookup(hash, at(10), 2)).await.unwrap(), None, "failed as often as allowed");
    assert_eq!(store.consume_mfa_token(&lookup(hash, at(10), 2)).await.unwrap(), None);
    assert_eq!(store.mfa_token(&lookup(hash, at(10), 5)).await.unwrap(), Some(as_stored(&token, 2)));

    assert_eq!(store.consume_mfa_token(&lookup(hash, at(10), 5)).await.unwrap(), Some(as_stored(&token, 2)));
    assert_eq!(store.consume_mfa_token(&lookup(hash, at(11), 5)).await.unwrap(), None, "used once");
    assert_eq!(store.mfa_token(&lookup(hash, at(11), 5)).await.unwrap(), None, "a used token is dead");

    let duplicate = store.create_mfa_token(token.clone()).await;
    assert!(matches!(duplicate, Err(StoreError::Duplicate)), "{duplicate:?}");
}

pub async fn an_mfa_token_keeps_a_password_change_and_how_the_first_factor_was_given<S: Store>(store: S) {
    let (client, user) = client_and_user(&store).await;
    let mut token = new_token(&user, &client, at(300));
    token.attempt.first_factor = FirstFactor::EmailCode;
    token.attempt.credential = None;
    token.attempt.purpose = MfaPurpose::ChangePassword { new_password_hash: password_hash() };
    create(&store, &token).await;
    assert_eq!(
        store.consume_mfa_token(&lookup(&token.token_hash, at(1), 5)).await.unwrap(),
        Some(as_stored(&token, 0))
    );
}

pub async fn an_mfa_token_keeps_the_password_its_first_factor_verified<S: Store>(store: S) {
    let (client, user) = client_and_user(&store).await;
    let verified = password_hash();
    let mut token = new_token(&user, &client, at(300));
    token.attempt.credential = Some(verified.clone());
    token.attempt.purpose = MfaPurpose::ChangePassword { new_password_hash: password_hash() };
    create(&store, &token).await;
    let used = store.consume_mfa_token(&lookup(&token.token_hash, at(1), 5)).await.unwrap();
    assert_eq!(used.and_then(|t| t.attempt.credential), Some(verified));
}

pub async fn a_password_change_a_reset_or_disabling_the_account_kills_the_users_mfa_tokens<S: ContractStore>(
    store: S,
) {
    let client = add_client(&store, at(0)).await;
    let bystander = add_user(&store).await;
    let theirs = new_token(&bystander, &client, at(300));
    create(&store, &theirs).await;
    for end in ["a password change", "a password reset", "disabling the account"] {
        let user = add_user(&store).await;
        let (first, second) = (new_token(&user, &client, at(300)), new_token(&user, &client, at(300)));
        create(&store, &first).await;
        create(&store, &second).await;
        assert_eq!(store.mfa_token_failed(&second.token_hash).await.unwrap(), 1, "{end}: a token with a failure");
        match end {
            "a password change" => store.set_password(&user, &password_hash(), None, None).await.unwrap(),
            "a password reset" => {
                let link = send(&store, reset_confirmation(&user, at(3600))).await.link_hash;
                assert_eq!(reset(&store, &link, &password_hash(), at(5), None).await, Some(user.clone()));
            }
            _ => store.set_disabled(&user, true).await.unwrap(),
        }
        for token in [&first, &second] {
            let live = lookup(&token.token_hash, at(10), 5);
            assert_eq!(store.mfa_token(&live).await.unwrap(), None, "{end} kills the user's mfa tokens");
            assert_eq!(store.consume_mfa_token(&live).await.unwrap(), None, "{end}: none can be used");
        }
    }
    assert_eq!(
        store.mfa_token(&lookup(&theirs.token_hash, at(10), 5)).await.unwrap(),
        Some(as_stored(&theirs, 0)),
        "another user's token lives on"
    );
}

pub async fn of_requests_racing_with_one_mfa_token_one_wins<S: Store>(store: S) {
    let (client, user) = client_and_user(&store).await;
    let token = new_token(&user, &client, at(300));
    create(&store, &token).await;
    let won = winners(&store, |store| {
        let hash = token.token_hash.clone();
        async move {
            let used = store.consume_mfa_token(&lookup(&hash, at(1), 5)).await;
            used.expect("using a token").is_some()
        }
    })
    .await;
    assert_eq!(won, 1, "one of the racers used the token");
}

pub async fn expired_mfa_tokens_are_purged<S: Store>(store: S) {
    let (client, user) = client_and_user(&store).await;
    let (early, late) = (new_token(&user, &client, at(100)), new_token(&user, &client, at(200)));
    create(&store, &early).await;
    create(&store, &late).await;
    assert!(store.purge_mfa_tokens(at(150)).await.unwrap() >= 1);
    assert_eq!(store.mfa_token_failed(&early.token_hash).await.unwrap(), 0, "the expired one is gone");
    assert_eq!(store.mfa_token(&lookup(&late.token_hash, at(150), 5)).await.unwrap(), Some(as_stored(&late, 0)));
}

pub async fn deleting_a_user_deletes_their_factors<S: Store>(store: S) {
    let client = add_client(&store, at(0)).await;
    let user = confirmed(&store, 1, &hashes(2)).await;
    let token = new_token(&user, &client, at(300));
    create(&store, &token).await;

    assert!(store.delete_user(&user).await.unwrap());
    assert_eq!(store.totp_factor(&user).await.unwrap(), None);
    assert_eq!(store.recovery_codes_left(&user).await.unwrap(), 0);
    assert_eq!(store.mfa_token(&lookup(&token.token_hash, at(1), 5)).await.unwrap(), None);
}

}
