//! The contract of [`FactorStore`](crate::FactorStore): a pending TOTP
//! secret is replaced until it is confirmed; a step, a recovery code and an
//! `mfa_token` are each used once, even by requests racing for them; a
//! change that mails the user queues its mail in the same transaction, and
//! only when the change happens; and a deleted user takes their factors
//! along.

use registrar_domain::Sealed;

use super::support::*;
use crate::{
    FirstFactor, MfaAttempt, MfaPurpose, MfaToken, MfaTokenLookup, NewMfaToken, NewSession, RecoveryCodeUse,
    SecondFactorTaken, SecondFactorUse, TotpConfirmation, TotpFactor,
};

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
    assert!(store.confirm_totp(confirmation, None).await.expect("confirming"), "the pending secret is confirmed");
    user
}

fn confirmation(user: &UserId, secret: &Sealed, step: u64, codes: Vec<SecretHash>, now: DateTime<Utc>) -> TotpConfirmation {
    TotpConfirmation { user: user.clone(), secret: secret.clone(), step, recovery_codes: codes, now, audit: Vec::new() }
}

fn code_use(user: &UserId, code: &SecretHash, now: DateTime<Utc>) -> RecoveryCodeUse {
    RecoveryCodeUse { user: user.clone(), code: code.clone(), now, audit: Vec::new() }
}

/// Removes the user's TOTP factor without a mail.
async fn remove<S: Store>(store: &S, user: &UserId) -> bool {
    store.remove_totp(user, None, &[]).await.expect("removing the factor")
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

/// The live token `lookup` names.
async fn live_token<S: Store>(store: &S, lookup: &MfaTokenLookup) -> Option<MfaToken> {
    store.mfa_token(lookup).await.expect("reading a token")
}

/// A second step of `user` with the token `lookup` names, a TOTP step if
/// given, and a session if given (at most 5 per client).
async fn take<S: Store>(
    store: &S,
    user: &UserId,
    lookup: &MfaTokenLookup,
    totp_step: Option<u64>,
    session: Option<NewSession>,
) -> SecondFactorTaken {
    let taking = SecondFactorUse {
        lookup: lookup.clone(),
        user: user.clone(),
        totp_step,
        session: session.map(|session| (session, 5)),
    };
    store.take_second_factor(taking).await.expect("a second step")
}

/// Uses the token of `user` (no step, no session): the token for the one
/// caller that finds it live.
async fn consume<S: Store>(store: &S, user: &UserId, lookup: &MfaTokenLookup) -> Option<MfaToken> {
    match take(store, user, lookup, None, None).await {
        SecondFactorTaken::Taken { token, .. } => Some(token),
        SecondFactorTaken::TokenNotLive => None,
        other => panic!("no step was given: {other:?}"),
    }
}

/// Whether the user's factor takes `step`, given with a fresh token of theirs.
async fn use_step<S: Store>(store: &S, user: &UserId, step: u64) -> bool {
    let client = add_client(store, at(0)).await;
    let token = new_token(user, &client, at(300));
    create(store, &token).await;
    match take(store, user, &lookup(&token.token_hash, at(1), 5), Some(step), None).await {
        SecondFactorTaken::Taken { .. } => true,
        SecondFactorTaken::StepUsed => {
            assert!(live_token(store, &lookup(&token.token_hash, at(1), 5)).await.is_some(), "a step not taken leaves the token");
            false
        }
        SecondFactorTaken::TokenNotLive => panic!("a fresh token is live"),
    }
}

fn as_stored(new: &NewMfaToken, failures: u32) -> MfaToken {
    MfaToken { attempt: new.attempt.clone(), failures, expires_at: new.expires_at }
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
        !store.confirm_totp(confirmation(&user, &first, 5, hashes(2), at(30)), None).await.unwrap(),
        "the replaced secret cannot be confirmed"
    );
    assert!(store.confirm_totp(confirmation(&user, &second, 7, hashes(2), at(30)), None).await.unwrap());
    let factor = store.totp_factor(&user).await.unwrap().expect("the factor");
    assert_eq!((factor.confirmed_at, factor.last_step), (Some(at(30)), Some(7)));
    assert_eq!(store.recovery_codes_left(&user).await.unwrap(), 2);

    assert!(
        !store.put_pending_totp(&user, sealed(), at(40)).await.unwrap(),
        "a confirmed factor is not replaced"
    );
    assert!(
        !store.confirm_totp(confirmation(&user, &second, 9, hashes(2), at(40)), None).await.unwrap(),
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
        assert_eq!(use_step(&store, &user, step).await, accepted, "{why} ({step})");
    }
    assert_eq!(store.totp_factor(&user).await.unwrap().and_then(|f| f.last_step), Some(13));

    let pending = add_user(&store).await;
    assert!(store.put_pending_totp(&pending, sealed(), at(0)).await.unwrap());
    assert!(!use_step(&store, &pending, 1).await, "a pending factor takes no codes");
    let without = add_user(&store).await;
    assert!(!use_step(&store, &without, 1).await, "no factor takes no codes");
}

pub async fn of_requests_racing_with_one_step_one_wins<S: Store>(store: S) {
    let user = confirmed(&store, 10, &[]).await;
    let client = add_client(&store, at(0)).await;
    let mut tokens = Vec::new();
    for _ in 0..8 {
        let token = new_token(&user, &client, at(300));
        create(&store, &token).await;
        tokens.push(token.token_hash);
    }
    // Each with a token of its own, and a session to open.
    let outcomes = race(&store, tokens, |store, hash| {
        let (user, client) = (user.clone(), client.clone());
        async move {
            let session = new_session(&user, &client, &unique(), at(1));
            take(&store, &user, &lookup(&hash, at(1), 5), Some(11), Some(session)).await
        }
    })
    .await;
    let won = outcomes.iter().filter(|(_, taken)| matches!(taken, SecondFactorTaken::Taken { .. })).count();
    assert_eq!(won, 1, "one of the racers used step 11: {outcomes:?}");
    assert!(outcomes.iter().all(|(_, taken)| matches!(taken, SecondFactorTaken::Taken { .. } | SecondFactorTaken::StepUsed)));
    assert_eq!(sessions(&store, &user).await.len(), 1, "one session opened");
    for (hash, taken) in &outcomes {
        let still = live_token(&store, &lookup(hash, at(1), 5)).await.is_some();
        assert_eq!(still, matches!(taken, SecondFactorTaken::StepUsed), "only the winner's token is used");
    }
}

pub async fn recovery_codes_are_used_once_and_replaced_as_a_set<S: Store>(store: S) {
    let codes = hashes(3);
    let user = confirmed(&store, 1, &codes).await;
    let other = confirmed(&store, 1, &hashes(3)).await;
    assert_eq!(store.recovery_codes_left(&user).await.unwrap(), 3);

    assert!(store.use_recovery_code(&code_use(&user, &codes[0], at(5)), None).await.unwrap());
    assert!(!store.use_recovery_code(&code_use(&user, &codes[0], at(6)), None).await.unwrap(), "used already");
    assert!(!store.use_recovery_code(&code_use(&other, &codes[1], at(6)), None).await.unwrap(), "another user's code");
    assert!(!store.use_recovery_code(&code_use(&user, &secret(), at(6)), None).await.unwrap(), "an unknown code");
    assert_eq!(store.recovery_codes_left(&user).await.unwrap(), 2);
    assert_eq!(store.recovery_codes_left(&other).await.unwrap(), 3);

    let fresh = hashes(2);
    store.replace_recovery_codes(&user, fresh.clone(), at(7), &[]).await.unwrap();
    assert_eq!(store.recovery_codes_left(&user).await.unwrap(), 2);
    assert!(!store.use_recovery_code(&code_use(&user, &codes[1], at(8)), None).await.unwrap(), "an old code died");
    assert!(store.use_recovery_code(&code_use(&user, &fresh[1], at(8)), None).await.unwrap());
    assert_eq!(store.recovery_codes_left(&user).await.unwrap(), 1);
}

pub async fn removing_the_totp_factor_removes_the_recovery_codes<S: Store>(store: S) {
    let user = confirmed(&store, 1, &hashes(4)).await;
    assert!(remove(&store, &user).await);
    assert_eq!(store.totp_factor(&user).await.unwrap(), None);
    assert_eq!(store.recovery_codes_left(&user).await.unwrap(), 0);
    assert!(!remove(&store, &user).await, "nothing left to remove");

    let pending = add_user(&store).await;
    assert!(store.put_pending_totp(&pending, sealed(), at(0)).await.unwrap());
    assert!(remove(&store, &pending).await, "a pending factor is removed too");
    assert_eq!(store.totp_factor(&pending).await.unwrap(), None);
}

pub async fn an_mfa_token_lives_until_used_expired_or_failed_too_often<S: Store>(store: S) {
    let (client, user) = client_and_user(&store).await;
    let token = new_token(&user, &client, at(300));
    create(&store, &token).await;
    let hash = &token.token_hash;

    assert_eq!(live_token(&store, &lookup(hash, at(10), 5)).await, Some(as_stored(&token, 0)));
    assert_eq!(live_token(&store, &lookup(hash, at(299), 5)).await.map(|t| t.failures), Some(0));
    assert_eq!(live_token(&store, &lookup(hash, at(300), 5)).await, None, "expired at its instant");
    assert_eq!(live_token(&store, &lookup(&secret(), at(10), 5)).await, None, "unknown");

    assert_eq!(store.mfa_token_failed(hash).await.unwrap(), 1);
    assert_eq!(store.mfa_token_failed(hash).await.unwrap(), 2);
    assert_eq!(store.mfa_token_failed(&secret()).await.unwrap(), 0, "an unknown token counts nothing");
    assert_eq!(live_token(&store, &lookup(hash, at(10), 2)).await, None, "failed as often as allowed");
    assert_eq!(consume(&store, &user, &lookup(hash, at(10), 2)).await, None);
    assert_eq!(live_token(&store, &lookup(hash, at(10), 5)).await, Some(as_stored(&token, 2)));

    assert_eq!(consume(&store, &user, &lookup(hash, at(10), 5)).await, Some(as_stored(&token, 2)));
    assert_eq!(consume(&store, &user, &lookup(hash, at(11), 5)).await, None, "used once");
    assert_eq!(live_token(&store, &lookup(hash, at(11), 5)).await, None, "a used token is dead");

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
        consume(&store, &user, &lookup(&token.token_hash, at(1), 5)).await,
        Some(as_stored(&token, 0))
    );
}

pub async fn an_mfa_token_keeps_a_change_of_address<S: Store>(store: S) {
    let (client, user) = client_and_user(&store).await;
    let mut token = new_token(&user, &client, at(300));
    token.attempt.purpose = MfaPurpose::ChangeEmail { new_email: unique_email("Moved") };
    create(&store, &token).await;
    assert_eq!(
        consume(&store, &user, &lookup(&token.token_hash, at(1), 5)).await,
        Some(as_stored(&token, 0)),
        "the new address as given, its case too"
    );
}

pub async fn an_mfa_token_keeps_the_password_its_first_factor_verified<S: Store>(store: S) {
    let (client, user) = client_and_user(&store).await;
    let verified = password_hash();
    let mut token = new_token(&user, &client, at(300));
    token.attempt.credential = Some(verified.clone());
    token.attempt.purpose = MfaPurpose::ChangePassword { new_password_hash: password_hash() };
    create(&store, &token).await;
    let used = consume(&store, &user, &lookup(&token.token_hash, at(1), 5)).await;
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
            "a password change" => store.set_password(&user, &password_hash(), None, None, &[]).await.unwrap(),
            "a password reset" => {
                let link = send(&store, reset_confirmation(&user, at(3600))).await.link_hash;
                assert_eq!(reset(&store, &link, &password_hash(), at(5), None).await, Some(user.clone()));
            }
            _ => store.set_disabled(&user, true, &[]).await.unwrap(),
        }
        for token in [&first, &second] {
            let live = lookup(&token.token_hash, at(10), 5);
            assert_eq!(live_token(&store, &live).await, None, "{end} kills the user's mfa tokens");
            assert_eq!(consume(&store, &user, &live).await, None, "{end}: none can be used");
        }
    }
    assert_eq!(
        live_token(&store, &lookup(&theirs.token_hash, at(10), 5)).await,
        Some(as_stored(&theirs, 0)),
        "another user's token lives on"
    );
}

pub async fn of_requests_racing_with_one_mfa_token_one_wins<S: Store>(store: S) {
    let (client, user) = client_and_user(&store).await;
    let token = new_token(&user, &client, at(300));
    create(&store, &token).await;
    let won = winners(&store, |store| {
        let (hash, user) = (token.token_hash.clone(), user.clone());
        async move { consume(&store, &user, &lookup(&hash, at(1), 5)).await.is_some() }
    })
    .await;
    assert_eq!(won, 1, "one of the racers used the token");
}

pub async fn a_waiting_sign_in_is_read_with_its_user_and_their_factor<S: Store>(store: S) {
    let client = add_client(&store, at(0)).await;
    let user = confirmed(&store, 10, &[]).await;
    let token = new_token(&user, &client, at(300));
    create(&store, &token).await;
    let waiting = store.waiting_sign_in(&lookup(&token.token_hash, at(1), 5)).await.unwrap().expect("live");
    assert_eq!(waiting.token, as_stored(&token, 0));
    assert_eq!(Some(waiting.user), user_by_id(&store, &user).await);
    assert_eq!(waiting.totp, store.totp_factor(&user).await.unwrap());
    assert_eq!(waiting.totp.and_then(|f| f.last_step), Some(10));

    let without = add_user(&store).await;
    let theirs = new_token(&without, &client, at(300));
    create(&store, &theirs).await;
    let waiting = store.waiting_sign_in(&lookup(&theirs.token_hash, at(1), 5)).await.unwrap().expect("live");
    assert_eq!((waiting.user.id, waiting.totp), (without, None), "a user without an app");
    assert!(store.waiting_sign_in(&lookup(&theirs.token_hash, at(300), 5)).await.unwrap().is_none(), "expired");
}

pub async fn the_second_step_uses_the_token_and_the_step_and_opens_the_session_at_once<S: Store>(store: S) {
    let client = add_client(&store, at(0)).await;
    let user = confirmed(&store, 10, &[]).await;
    let tokens: Vec<NewMfaToken> = (0..3).map(|_| new_token(&user, &client, at(300))).collect();
    for token in &tokens {
        create(&store, token).await;
    }
    let looked_up: Vec<MfaTokenLookup> = tokens.iter().map(|t| lookup(&t.token_hash, at(1), 5)).collect();
    let session = new_session(&user, &client, "phone", at(1));
    let access = session.access_hash.clone();
    let taken = take(&store, &user, &looked_up[0], Some(11), Some(session)).await;
    assert_eq!(taken, SecondFactorTaken::Taken { token: as_stored(&tokens[0], 0), notice_queued: false });
    assert_authenticates(&store, &access, at(2), "the session is open").await;
    assert_eq!(live_token(&store, &looked_up[0]).await, None, "the token is used");
    assert_eq!(store.totp_factor(&user).await.unwrap().and_then(|f| f.last_step), Some(11));

    // A step not taken changes nothing: the token lives, no session opens.
    let session = new_session(&user, &client, "tablet", at(1));
    let refused = session.access_hash.clone();
    assert_eq!(take(&store, &user, &looked_up[1], Some(11), Some(session)).await, SecondFactorTaken::StepUsed);
    assert_eq!(live_token(&store, &looked_up[1]).await, Some(as_stored(&tokens[1], 0)), "the token lives");
    assert_refused(&store, &refused, at(2), "no session for a step used").await;

    // A token not live changes nothing: the step stays free.
    assert_eq!(take(&store, &user, &looked_up[0], Some(12), None).await, SecondFactorTaken::TokenNotLive);
    let stranger = add_user(&store).await;
    assert_eq!(
        take(&store, &stranger, &looked_up[1], None, None).await,
        SecondFactorTaken::TokenNotLive,
        "another user's token is not theirs to use"
    );
    assert_eq!(store.totp_factor(&user).await.unwrap().and_then(|f| f.last_step), Some(11));
    assert!(matches!(take(&store, &user, &looked_up[1], Some(12), None).await, SecondFactorTaken::Taken { .. }));

    // A session the store refuses leaves the token and the step.
    let mut stale = new_session(&user, &client, "laptop", at(1));
    stale.credential = Some(password_hash());
    let taking = SecondFactorUse { lookup: looked_up[2].clone(), user: user.clone(), totp_step: Some(13), session: Some((stale, 5)) };
    let refused = store.take_second_factor(taking).await;
    assert!(matches!(refused, Err(StoreError::StaleCredential)), "{refused:?}");
    assert_eq!(live_token(&store, &looked_up[2]).await, Some(as_stored(&tokens[2], 0)), "the token lives");
    assert_eq!(store.totp_factor(&user).await.unwrap().and_then(|f| f.last_step), Some(12), "the step is free");
    assert_eq!(sessions(&store, &user).await.len(), 1, "only the first session opened");
}

pub async fn an_import_gives_accounts_a_confirmed_totp_factor_and_a_waiting_sign_in<S: Store>(store: S) {
    let client = add_client(&store, at(0)).await;
    // More accounts than an adapter puts in one statement.
    let users: Vec<NewUser> = (0..1_100).map(|i| new_user(unique_email(&format!("factor{i}")))).collect();
    let secrets: Vec<Sealed> = users.iter().map(|_| sealed()).collect();
    let tokens: Vec<NewMfaToken> = users.iter().map(|u| new_token(&u.id, &client, at(300))).collect();
    let batch: Vec<ImportedUser> = users
        .iter()
        .zip(secrets.iter().zip(&tokens))
        .enumerate()
        .map(|(i, (user, (secret, token)))| ImportedUser {
            // Every third account comes with neither.
            totp: (i % 3 != 0).then(|| secret.clone()),
            mfa_token: (i % 3 != 0).then(|| token.clone()),
            ..ImportedUser::bare(user.clone())
        })
        .collect();
    assert_eq!(store.import_users(batch).await.expect("import"), 1_100);
    for (i, user) in users.iter().enumerate() {
        let factor = store.totp_factor(&user.id).await.unwrap();
        let token = live_token(&store, &lookup(&tokens[i].token_hash, at(10), 5)).await;
        if i % 3 == 0 {
            assert_eq!((factor, token), (None, None), "account {i} came with no factor");
            continue;
        }
        let confirmed = TotpFactor {
            secret: secrets[i].clone(),
            created_at: user.created_at,
            confirmed_at: Some(user.created_at),
            last_step: None,
        };
        assert_eq!(factor, Some(confirmed), "account {i}");
        assert_eq!(token, Some(as_stored(&tokens[i], 0)), "account {i}");
    }
    // The factor works as one confirmed in the server: its first step is
    // taken once, and the token is used once.
    let first = &users[1].id;
    assert!(use_step(&store, first, 1).await);
    assert!(!use_step(&store, first, 1).await, "a step is taken once");
    assert!(consume(&store, first, &lookup(&tokens[1].token_hash, at(10), 5)).await.is_some());

    // A token hash already stored fails the whole import.
    let late = new_user(unique_email("factor-late"));
    let clash = ImportedUser {
        mfa_token: Some(NewMfaToken { attempt: MfaAttempt { user: late.id.clone(), ..tokens[2].attempt.clone() }, ..tokens[2].clone() }),
        ..ImportedUser::bare(late.clone())
    };
    let result = store.import_users(vec![clash]).await;
    assert!(matches!(result, Err(StoreError::Duplicate)), "{result:?}");
    assert!(store.user_by_email(&late.email).await.unwrap().is_none(), "nothing was imported");
}

pub async fn expired_mfa_tokens_are_purged<S: Store>(store: S) {
    let (client, user) = client_and_user(&store).await;
    let (early, late) = (new_token(&user, &client, at(100)), new_token(&user, &client, at(200)));
    create(&store, &early).await;
    create(&store, &late).await;
    assert!(store.purge_mfa_tokens(at(150)).await.unwrap() >= 1);
    assert_eq!(store.mfa_token_failed(&early.token_hash).await.unwrap(), 0, "the expired one is gone");
    assert_eq!(live_token(&store, &lookup(&late.token_hash, at(150), 5)).await, Some(as_stored(&late, 0)));
}

pub async fn deleting_a_user_deletes_their_factors<S: Store>(store: S) {
    let client = add_client(&store, at(0)).await;
    let user = confirmed(&store, 1, &hashes(2)).await;
    let token = new_token(&user, &client, at(300));
    create(&store, &token).await;

    assert!(store.delete_user(&user, &[]).await.unwrap());
    assert_eq!(store.totp_factor(&user).await.unwrap(), None);
    assert_eq!(store.recovery_codes_left(&user).await.unwrap(), 0);
    assert_eq!(live_token(&store, &lookup(&token.token_hash, at(1), 5)).await, None);
}


pub async fn confirming_a_factor_queues_its_mail_and_a_refused_confirmation_none<S: Store>(store: S) {
    let user = add_user(&store).await;
    let (replaced, pending) = (sealed(), sealed());
    assert!(store.put_pending_totp(&user, replaced.clone(), at(0)).await.unwrap());
    assert!(store.put_pending_totp(&user, pending.clone(), at(1)).await.unwrap());

    let refused = new_mail(&user, OutboxKind::TotpEnabled, at(2));
    let confirming = confirmation(&user, &replaced, 1, hashes(1), at(2));
    assert!(!store.confirm_totp(confirming, Some(refused.clone())).await.unwrap(), "the replaced secret");
    assert!(!queued(&store, &refused.id).await, "a refused confirmation queues nothing");

    let mail = new_mail(&user, OutboxKind::TotpEnabled, at(3));
    let confirming = confirmation(&user, &pending, 1, hashes(1), at(3));
    assert!(store.confirm_totp(confirming.clone(), Some(mail.clone())).await.unwrap());
    let claimed = claim_by_id(&store, &mail.id, at(4), at(4 + LEASE)).await.expect("the mail is queued");
    let stored = store.user_by_id(&user).await.unwrap().expect("the user");
    assert_mail_matches(&claimed, &mail, &stored, 0);

    let again = new_mail(&user, OutboxKind::TotpEnabled, at(5));
    assert!(!store.confirm_totp(confirming, Some(again.clone())).await.unwrap(), "confirmed already");
    assert!(!queued(&store, &again.id).await, "a second confirmation queues nothing");
}

pub async fn removing_a_factor_queues_its_mail_only_when_there_was_one<S: Store>(store: S) {
    let user = confirmed(&store, 1, &hashes(2)).await;
    let mail = new_mail(&user, OutboxKind::TotpDisabled, at(10));
    assert!(store.remove_totp(&user, Some(mail.clone()), &[]).await.unwrap());
    let claimed = claim_by_id(&store, &mail.id, at(11), at(11 + LEASE)).await.expect("the mail is queued");
    assert_eq!((claimed.kind, claimed.created_at), (OutboxKind::TotpDisabled, at(10)));

    let again = new_mail(&user, OutboxKind::TotpDisabled, at(12));
    assert!(!store.remove_totp(&user, Some(again.clone()), &[]).await.unwrap(), "nothing left to remove");
    assert!(!queued(&store, &again.id).await, "removing nothing queues nothing");
}

pub async fn removing_the_app_keeps_the_mfa_tokens_and_a_reset_ends_them_and_mails<S: Store>(store: S) {
    let client = add_client(&store, at(0)).await;
    let (user, other) = (confirmed(&store, 1, &hashes(2)).await, add_user(&store).await);
    let (token, others) = (new_token(&user, &client, at(300)), new_token(&other, &client, at(300)));
    for token in [&token, &others] {
        create(&store, token).await;
    }
    let live = |token: &NewMfaToken| lookup(&token.token_hash, at(1), 5);
    assert!(remove(&store, &user).await);
    assert!(live_token(&store, &live(&token)).await.is_some(), "removing the app keeps them");

    assert!(store.put_pending_totp(&user, sealed(), at(2)).await.unwrap());
    store.replace_recovery_codes(&user, hashes(2), at(2), &[]).await.unwrap();
    let mail = new_mail(&user, OutboxKind::TotpDisabled, at(3));
    assert!(store.reset_factors(&user, Some(mail.clone()), &[]).await.unwrap());
    assert_eq!(store.totp_factor(&user).await.unwrap(), None);
    assert_eq!(store.recovery_codes_left(&user).await.unwrap(), 0);
    assert_eq!(live_token(&store, &live(&token)).await, None, "the user's tokens ended");
    assert_eq!(consume(&store, &user, &live(&token)).await, None, "and cannot be used");
    assert!(live_token(&store, &live(&others)).await.is_some(), "another user's token lives on");
    let claimed = claim_by_id(&store, &mail.id, at(4), at(4 + LEASE)).await.expect("the mail is queued");
    assert_eq!((claimed.kind, claimed.created_at), (OutboxKind::TotpDisabled, at(3)));

    let late = new_token(&user, &client, at(300));
    create(&store, &late).await;
    let again = new_mail(&user, OutboxKind::TotpDisabled, at(5));
    assert!(!store.reset_factors(&user, Some(again.clone()), &[]).await.unwrap(), "no factor left");
    assert!(!queued(&store, &again.id).await, "resetting nothing queues nothing");
    assert_eq!(live_token(&store, &live(&late)).await, None, "the tokens end all the same");
}

pub async fn of_removals_racing_one_removes_and_mails<S: Store>(store: S) {
    let user = confirmed(&store, 1, &hashes(2)).await;
    let (won, mails) = winners_and_mails(&store, &user, OutboxKind::TotpDisabled, |store, mail| {
        let user = mail.user_id.clone();
        async move { store.remove_totp(&user, Some(mail), &[]).await.expect("removing") }
    })
    .await;
    assert_eq!((won, mails), (1, 1), "one racer removed the factor and one mail was queued");
}

pub async fn using_a_recovery_code_queues_its_mail_and_a_refused_use_none<S: Store>(store: S) {
    let codes = hashes(2);
    let user = confirmed(&store, 1, &codes).await;
    let mail = new_mail(&user, OutboxKind::RecoveryCodeUsed, at(20));
    let using = code_use(&user, &codes[0], at(20));
    assert!(store.use_recovery_code(&using, Some(mail.clone())).await.unwrap());
    let claimed = claim_by_id(&store, &mail.id, at(21), at(21 + LEASE)).await.expect("the mail is queued");
    assert_eq!((claimed.kind, claimed.created_at), (OutboxKind::RecoveryCodeUsed, at(20)));

    for (code, why) in [(codes[0].clone(), "a used code"), (secret(), "an unknown code")] {
        let refused = new_mail(&user, OutboxKind::RecoveryCodeUsed, at(22));
        let using = code_use(&user, &code, at(22));
        assert!(!store.use_recovery_code(&using, Some(refused.clone())).await.unwrap(), "{why}");
        assert!(!queued(&store, &refused.id).await, "{why} queues nothing");
    }
}

pub async fn of_requests_racing_with_one_recovery_code_one_wins_and_mails<S: Store>(store: S) {
    let codes = hashes(1);
    let user = confirmed(&store, 1, &codes).await;
    let (won, mails) = winners_and_mails(&store, &user, OutboxKind::RecoveryCodeUsed, |store, mail| {
        let using = code_use(&mail.user_id, &codes[0], at(5));
        async move { store.use_recovery_code(&using, Some(mail)).await.expect("using a code") }
    })
    .await;
    assert_eq!((won, mails), (1, 1), "one racer used the code and one mail was queued");
    assert_eq!(store.recovery_codes_left(&user).await.unwrap(), 0);
}

}
