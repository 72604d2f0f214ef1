//! The contract of [`AuthorizationStore`](crate::AuthorizationStore): a
//! browser session is found by its cookie while it lives and its user is
//! not disabled, and ends with a sign-out, a password change, a reset,
//! disabling the account or revoking its device; a code is stored as given
//! and exchanged once (a second exchange, even racing, revokes the session
//! the first opened); consents grow; purging keeps what lives. Also a
//! session's scope through lookup and rotation, and an `mfa_token` of a
//! browser sign-in.

use registrar_domain::{CodeChallenge, OAuthScope, Scopes};

use super::support::*;
use crate::{
    browser_device, AuthorizationCode, BrowserSession, CodeExchange, FirstFactor, MfaAttempt, MfaPurpose, MfaToken,
    MfaTokenLookup, NewAuthorizationCode, NewBrowserSession, NewMfaToken, SecondFactorTaken, SecondFactorUse,
};

fn scopes(text: &str) -> Scopes {
    Scopes::parse(text).expect("known scopes")
}

/// A browser session of `user` on `client`, signed in at `now`, live until `expires`.
fn new_browser(user: &UserId, client: &ClientId, now: DateTime<Utc>, expires: DateTime<Utc>) -> NewBrowserSession {
    NewBrowserSession {
        id: unique(),
        cookie_hash: secret(),
        user: user.clone(),
        client: client.clone(),
        device_name: DeviceName::parse("Firefox on Linux").expect("a device name"),
        sign_in_method: SignInMethod::PasswordTotp,
        credential: None,
        now,
        expires_at: expires,
        audit: Vec::new(),
    }
}

async fn open_browser<S: Store>(store: &S, browser: &NewBrowserSession) {
    store
        .open_browser_session(browser.clone())
        .await
        .expect("opening a browser session");
}

/// A user on a client of the test's own with a browser session opened at
/// `at(10)`, live until `at(10_000)`.
async fn signed_in_browser<S: Store>(store: &S) -> NewBrowserSession {
    let (client, user) = client_and_user(store).await;
    let browser = new_browser(&user, &client, at(10), at(10_000));
    open_browser(store, &browser).await;
    browser
}

/// The browser session as the store gives it, last used at `last_used`.
fn as_stored(browser: &NewBrowserSession, last_used: DateTime<Utc>) -> BrowserSession {
    BrowserSession {
        id: browser.id.clone(),
        user: browser.user.clone(),
        client: browser.client.clone(),
        device_name: browser.device_name.clone(),
        sign_in_method: browser.sign_in_method,
        auth_time: browser.now,
        last_used_at: last_used,
        expires_at: browser.expires_at,
    }
}

async fn by_cookie<S: Store>(store: &S, cookie: &SecretHash, now: DateTime<Utc>) -> Option<BrowserSession> {
    store
        .browser_session(cookie, now)
        .await
        .expect("looking up a browser session")
}

/// A code the browser session issued at `now`, live until `expires`, with a
/// nonce and a PKCE challenge.
fn new_code(browser: &NewBrowserSession, now: DateTime<Utc>, expires: DateTime<Utc>) -> NewAuthorizationCode {
    NewAuthorizationCode {
        code_hash: secret(),
        client: browser.client.clone(),
        redirect_uri: "https://app.example/callback?x=1".into(),
        user: browser.user.clone(),
        browser_session: browser.id.clone(),
        device_name: browser.device_name.clone(),
        scope: scopes("openid email offline_access"),
        nonce: Some(format!("nonce-{}", unique())),
        code_challenge: Some(CodeChallenge::of(&format!("verifier-{}-{}", unique(), unique()))),
        auth_time: browser.now,
        sign_in_method: browser.sign_in_method,
        created_at: now,
        expires_at: expires,
    }
}

async fn put_code<S: Store>(store: &S, code: &NewAuthorizationCode) {
    store
        .put_authorization_code(code.clone())
        .await
        .expect("storing a code");
}

/// The session an exchange of `code` at `now` opens: on the browser
/// session's device, with the code's scopes and sign-in method.
fn session_for(code: &NewAuthorizationCode, now: DateTime<Utc>) -> NewSession {
    NewSession {
        scope: Some(code.scope.clone()),
        sign_in_method: code.sign_in_method,
        ..new_session(&code.user, &code.client, &browser_device(&code.browser_session), now)
    }
}

async fn exchange<S: Store>(store: &S, code: &NewAuthorizationCode, session: &NewSession) -> CodeExchange {
    store
        .exchange_authorization_code(&code.code_hash, session.now, session.clone(), 5)
        .await
        .expect("exchanging a code")
}

/// A browser session with a code of it stored, live until `at(100)`.
async fn browser_and_code<S: Store>(store: &S) -> (NewBrowserSession, NewAuthorizationCode) {
    let browser = signed_in_browser(store).await;
    let code = new_code(&browser, at(20), at(100));
    put_code(store, &code).await;
    (browser, code)
}

fn browser_ids(listed: &[BrowserSession]) -> Vec<String> {
    listed.iter().map(|b| b.id.clone()).collect()
}

contract_rules! { authorization, __store_contract_authorization;

pub async fn a_browser_session_is_found_by_its_cookie_until_it_expires_and_notes_its_last_use<S: Store>(store: S) {
    let browser = signed_in_browser(&store).await;
    assert_eq!(by_cookie(&store, &browser.cookie_hash, at(10)).await, Some(as_stored(&browser, at(10))));
    assert_eq!(
        by_cookie(&store, &browser.cookie_hash, at(500)).await,
        Some(as_stored(&browser, at(500))),
        "a lookup notes its time as the last use"
    );
    let listed = store.browser_sessions(&browser.user, at(600)).await.unwrap();
    assert_eq!(listed, vec![as_stored(&browser, at(500))], "and the list shows it");
    assert_eq!(by_cookie(&store, &secret(), at(500)).await, None, "another cookie finds nothing");
    assert_eq!(by_cookie(&store, &browser.cookie_hash, at(10_000)).await, None, "expired at its expiry");
    assert_eq!(by_cookie(&store, &browser.cookie_hash, at(20_000)).await, None);
}

pub async fn a_disabled_users_browser_session_is_not_found<S: Store>(store: S) {
    let browser = signed_in_browser(&store).await;
    store.set_disabled(&browser.user, true, &[]).await.expect("disabling");
    assert_eq!(by_cookie(&store, &browser.cookie_hash, at(20)).await, None);
    store.set_disabled(&browser.user, false, &[]).await.expect("enabling");
    assert_eq!(
        by_cookie(&store, &browser.cookie_hash, at(20)).await,
        None,
        "disabling ended the browser session: enabling does not bring it back"
    );
}

pub async fn a_browser_session_opens_only_with_the_users_current_password<S: Store>(store: S) {
    let (client, user) = client_and_user(&store).await;
    let current = password_of(&store, &user).await.expect("the user has a password");
    let stale = NewBrowserSession { credential: Some(password_hash()), ..new_browser(&user, &client, at(10), at(100)) };
    let result = store.open_browser_session(stale.clone()).await;
    assert!(matches!(result, Err(StoreError::StaleCredential)), "{result:?}");
    assert_eq!(by_cookie(&store, &stale.cookie_hash, at(11)).await, None, "nothing stored");

    let fresh = NewBrowserSession { credential: Some(current), ..new_browser(&user, &client, at(10), at(100)) };
    open_browser(&store, &fresh).await;
    assert!(by_cookie(&store, &fresh.cookie_hash, at(11)).await.is_some());

    let nobody = new_browser(&UserId(unique()), &client, at(10), at(100));
    let result = store.open_browser_session(nobody).await;
    assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
}

pub async fn browser_sessions_are_listed_per_user_oldest_first_without_expired_ones<S: Store>(store: S) {
    let (client, user) = client_and_user(&store).await;
    let late = new_browser(&user, &client, at(30), at(1000));
    let early = new_browser(&user, &client, at(20), at(1000));
    let expired = new_browser(&user, &client, at(10), at(50));
    let others = new_browser(&add_user(&store).await, &client, at(5), at(1000));
    for browser in [&late, &early, &expired, &others] {
        open_browser(&store, browser).await;
    }
    let listed = store.browser_sessions(&user, at(60)).await.unwrap();
    assert_eq!(browser_ids(&listed), [early.id.clone(), late.id.clone()]);
    assert_eq!(listed[0], as_stored(&early, at(20)));
    let listed = store.browser_sessions(&user, at(40)).await.unwrap();
    assert_eq!(browser_ids(&listed), [expired.id.clone(), early.id.clone(), late.id.clone()], "not yet expired");
}

pub async fn ending_a_browser_session_ends_its_token_sessions_only_when_asked<S: Store>(store: S) {
    for with_tokens in [false, true] {
        let browser = signed_in_browser(&store).await;
        let device = browser_device(&browser.id);
        let of_browser = open(&store, &browser.user, &browser.client, &device, at(20), 5).await;
        let elsewhere = open(&store, &browser.user, &browser.client, "phone", at(21), 5).await;

        let ended = store.end_browser_session(&browser.user, &browser.id, with_tokens, &[]).await.unwrap();
        assert!(ended, "the user's browser session ends");
        assert_eq!(by_cookie(&store, &browser.cookie_hash, at(22)).await, None);
        assert!(store.browser_sessions(&browser.user, at(22)).await.unwrap().is_empty());
        assert_eq!(
            authenticates(&store, &of_browser.access_hash, at(22)).await,
            !with_tokens,
            "its token session ends with it exactly when asked (with_tokens = {with_tokens})"
        );
        assert_authenticates(&store, &elsewhere.access_hash, at(22), "another device's session stays").await;
        assert!(
            !store.end_browser_session(&browser.user, &browser.id, true, &[]).await.unwrap(),
            "an ended browser session is not ended twice"
        );
    }
}

pub async fn another_users_browser_session_is_not_ended<S: Store>(store: S) {
    let browser = signed_in_browser(&store).await;
    let of_browser = open(&store, &browser.user, &browser.client, &browser_device(&browser.id), at(20), 5).await;
    let stranger = add_user(&store).await;
    assert!(!store.end_browser_session(&stranger, &browser.id, true, &[]).await.unwrap());
    assert!(!store.end_browser_session(&browser.user, &unique(), true, &[]).await.unwrap(), "no such id");
    assert!(by_cookie(&store, &browser.cookie_hash, at(21)).await.is_some(), "the browser session lives");
    assert_authenticates(&store, &of_browser.access_hash, at(21), "and so does its token session").await;
}

pub async fn revoking_a_browser_device_ends_the_browser_session_and_its_token_sessions<S: Store>(store: S) {
    let browser = signed_in_browser(&store).await;
    let other = signed_in_browser(&store).await;
    let device = device(&browser_device(&browser.id));
    let of_browser = open(&store, &browser.user, &browser.client, device.as_str(), at(20), 5).await;

    let stranger = store.revoke_device(&other.user, &device, &[]).await.unwrap();
    assert_eq!(stranger, 0, "another user's device is not theirs");
    assert!(by_cookie(&store, &browser.cookie_hash, at(21)).await.is_some(), "so nothing ended");

    assert_eq!(store.revoke_device(&browser.user, &device, &[]).await.unwrap(), 2, "the browser session and its token session");
    assert_eq!(by_cookie(&store, &browser.cookie_hash, at(21)).await, None, "the browser session ended too");
    assert_refused(&store, &of_browser.access_hash, at(21), "its token session is revoked").await;
    assert!(by_cookie(&store, &other.cookie_hash, at(21)).await.is_some(), "another user's stays");
    let alone = DeviceId::parse(&browser_device(&other.id)).unwrap();
    assert_eq!(store.revoke_device(&other.user, &alone, &[]).await.unwrap(), 1, "a browser session without token sessions counts");
    assert_eq!(by_cookie(&store, &other.cookie_hash, at(21)).await, None);
}

pub async fn a_password_change_a_reset_or_disabling_ends_every_browser_session<S: Store>(store: S) {
    for change in ["a password change", "a password change keeping a session", "a password reset", "disabling"] {
        let browser = signed_in_browser(&store).await;
        let second = new_browser(&browser.user, &browser.client, at(11), at(10_000));
        open_browser(&store, &second).await;
        let bystander = signed_in_browser(&store).await;
        let user = browser.user.clone();
        match change {
            "a password change" => store.set_password(&user, &password_hash(), None, None, &[]).await.unwrap(),
            "a password change keeping a session" => {
                let keep = new_session(&user, &browser.client, "phone", at(12));
                store.set_password(&user, &password_hash(), Some(keep), None, &[]).await.unwrap();
            }
            "a password reset" => {
                let link = send(&store, reset_confirmation(&user, at(3600))).await.link_hash;
                assert_eq!(reset(&store, &link, &password_hash(), at(12), None).await, Some(user.clone()));
            }
            _ => store.set_disabled(&user, true, &[]).await.unwrap(),
        }
        for ended in [&browser, &second] {
            assert_eq!(by_cookie(&store, &ended.cookie_hash, at(13)).await, None, "{change} ends it");
        }
        assert!(store.browser_sessions(&user, at(13)).await.unwrap().is_empty(), "{change}: none listed");
        assert!(by_cookie(&store, &bystander.cookie_hash, at(13)).await.is_some(), "{change}: others stay");
    }
}

pub async fn a_code_is_stored_with_every_field_as_given<S: Store>(store: S) {
    let browser = signed_in_browser(&store).await;
    let full = new_code(&browser, at(20), at(80));
    let bare = NewAuthorizationCode { nonce: None, code_challenge: None, scope: scopes(""), ..new_code(&browser, at(21), at(81)) };
    for code in [&full, &bare] {
        put_code(&store, code).await;
        let stored = store.authorization_code(&code.code_hash).await.unwrap();
        let expected = AuthorizationCode {
            client: code.client.clone(),
            redirect_uri: code.redirect_uri.clone(),
            user: code.user.clone(),
            browser_session: code.browser_session.clone(),
            device_name: code.device_name.clone(),
            scope: code.scope.clone(),
            nonce: code.nonce.clone(),
            code_challenge: code.code_challenge.clone(),
            auth_time: code.auth_time,
            sign_in_method: code.sign_in_method,
            expires_at: code.expires_at,
            used_at: None,
        };
        assert_eq!(stored, Some(expected));
    }
    assert_eq!(store.authorization_code(&secret()).await.unwrap(), None, "an unknown code");
    let again = store.put_authorization_code(full.clone()).await;
    assert!(matches!(again, Err(StoreError::Duplicate)), "a hash is stored once: {again:?}");
    let nobodys = NewAuthorizationCode { user: UserId(unique()), ..new_code(&browser, at(22), at(82)) };
    let result = store.put_authorization_code(nobodys).await;
    assert!(matches!(result, Err(StoreError::NotFound)), "no such user: {result:?}");
}

pub async fn a_code_is_exchanged_once_and_a_second_exchange_revokes_its_session<S: Store>(store: S) {
    let (_, code) = browser_and_code(&store).await;
    let session = session_for(&code, at(30));
    assert_eq!(exchange(&store, &code, &session).await, CodeExchange::Exchanged);

    let (found, _) = by_access(&store, &session.access_hash, at(31), "the exchange opened the session").await;
    assert_session_matches(&found, &session);
    assert_eq!(found.scope, Some(code.scope.clone()), "with the code's scopes");
    assert_eq!(found.sign_in_method, code.sign_in_method, "and its sign-in method");
    let stored = store.authorization_code(&code.code_hash).await.unwrap().expect("the used code is kept");
    assert_eq!(stored.used_at, Some(at(30)), "marked used at the exchange");

    let replay = session_for(&code, at(40));
    assert_eq!(exchange(&store, &code, &replay).await, CodeExchange::Reused);
    assert_revoked(&store, &session, at(41), "a reused code revokes its session", "its refresh token too").await;
    assert_refused(&store, &replay.access_hash, at(41), "the replay opened nothing").await;
    assert_eq!(
        exchange(&store, &code, &session_for(&code, at(50))).await,
        CodeExchange::Reused,
        "a code stays used"
    );
}

pub async fn an_unknown_or_expired_code_is_unusable_and_changes_nothing<S: Store>(store: S) {
    let (browser, code) = browser_and_code(&store).await;
    let unknown = NewAuthorizationCode { code_hash: secret(), ..code.clone() };
    let session = session_for(&unknown, at(30));
    assert_eq!(exchange(&store, &unknown, &session).await, CodeExchange::Unusable, "unknown");
    let late = session_for(&code, at(100));
    assert_eq!(exchange(&store, &code, &late).await, CodeExchange::Unusable, "expired at its expiry");
    for opened in [&session, &late] {
        assert_refused(&store, &opened.access_hash, at(100), "nothing opened").await;
    }
    let stored = store.authorization_code(&code.code_hash).await.unwrap().expect("kept");
    assert_eq!(stored.used_at, None, "nor used");
    assert!(sessions(&store, &browser.user).await.is_empty());
}

pub async fn a_code_of_an_ended_browser_session_is_unusable<S: Store>(store: S) {
    let (browser, code) = browser_and_code(&store).await;
    assert!(store.end_browser_session(&browser.user, &browser.id, false, &[]).await.unwrap());
    let session = session_for(&code, at(30));
    assert_eq!(exchange(&store, &code, &session).await, CodeExchange::Unusable);
    assert_refused(&store, &session.access_hash, at(31), "nothing opened").await;
    assert_eq!(store.authorization_code(&code.code_hash).await.unwrap().expect("kept").used_at, None);
}

pub async fn a_used_code_revokes_its_session_even_after_its_browser_session_ended<S: Store>(store: S) {
    let (browser, code) = browser_and_code(&store).await;
    let session = session_for(&code, at(30));
    assert_eq!(exchange(&store, &code, &session).await, CodeExchange::Exchanged);
    assert!(store.end_browser_session(&browser.user, &browser.id, false, &[]).await.unwrap());
    assert_authenticates(&store, &session.access_hash, at(31), "ending without tokens leaves the session").await;
    assert_eq!(exchange(&store, &code, &session_for(&code, at(40))).await, CodeExchange::Reused);
    assert_refused(&store, &session.access_hash, at(41), "the replay still revokes it").await;
}

pub async fn of_racing_exchanges_of_one_code_exactly_one_opens_a_session<S: Store>(store: S) {
    let (browser, code) = browser_and_code(&store).await;
    let attempts: Vec<NewSession> = (0..8).map(|_| session_for(&code, at(30))).collect();
    let code = Arc::new(code);
    let outcomes = race(&store, attempts, |store, session| {
        let code = Arc::clone(&code);
        async move {
            store
                .exchange_authorization_code(&code.code_hash, session.now, session, 5)
                .await
                .expect("exchanging a code")
        }
    })
    .await;
    let exchanged = outcomes.iter().filter(|(_, o)| *o == CodeExchange::Exchanged).count();
    let reused = outcomes.iter().filter(|(_, o)| *o == CodeExchange::Reused).count();
    let outcomes: Vec<&CodeExchange> = outcomes.iter().map(|(_, outcome)| outcome).collect();
    assert_eq!((exchanged, reused), (1, 7), "{outcomes:?}");
    assert!(
        sessions(&store, &browser.user).await.is_empty(),
        "the racers that found the code used revoked the one session it opened"
    );
}

pub async fn an_exchange_replaces_the_devices_session_and_evicts_as_open_session_does<S: Store>(store: S) {
    let (browser, code) = browser_and_code(&store).await;
    let device = browser_device(&browser.id);
    let older = open(&store, &browser.user, &browser.client, &device, at(21), 5).await;
    let phone = open(&store, &browser.user, &browser.client, "phone", at(22), 5).await;
    let tablet = open(&store, &browser.user, &browser.client, "tablet", at(23), 5).await;
    let session = session_for(&code, at(30));
    let outcome = store.exchange_authorization_code(&code.code_hash, at(30), session.clone(), 2).await.unwrap();
    assert_eq!(outcome, CodeExchange::Exchanged);
    assert_refused(&store, &older.access_hash, at(31), "the device's older session is replaced").await;
    assert_refused(&store, &phone.access_hash, at(31), "the least recently used one is evicted").await;
    assert_session_ids(&store, &browser.user, vec![tablet.id.clone(), session.id.clone()], "two kept").await;
}

pub async fn consent_grows_by_each_grant_per_client<S: Store>(store: S) {
    let (first, second) = two_clients(&store).await;
    let user = add_user(&store).await;
    assert_eq!(store.consent(&user, &first).await.unwrap(), None, "never asked");
    store.grant_consent(&user, &first, &scopes("openid email"), at(1)).await.unwrap();
    assert_eq!(store.consent(&user, &first).await.unwrap(), Some(scopes("openid email")));
    store.grant_consent(&user, &first, &scopes("openid profile"), at(2)).await.unwrap();
    let all: Scopes = [OAuthScope::OpenId, OAuthScope::Email, OAuthScope::Profile].into_iter().collect();
    assert_eq!(store.consent(&user, &first).await.unwrap(), Some(all), "a grant adds to what was granted");
    assert_eq!(store.consent(&user, &second).await.unwrap(), None, "another client is asked apart");
    store.grant_consent(&user, &second, &scopes(""), at(3)).await.unwrap();
    assert_eq!(store.consent(&user, &second).await.unwrap(), Some(scopes("")), "an empty grant is a grant");
    assert_eq!(store.consent(&add_user(&store).await, &first).await.unwrap(), None, "another user is apart");
    let unknown = ClientId::parse(&format!("client-{}", unique())).expect("a client id");
    let result = store.grant_consent(&user, &unknown, &scopes("openid"), at(4)).await;
    assert!(matches!(result, Err(StoreError::NotFound)), "no such client: {result:?}");
}

pub async fn purging_drops_expired_codes_and_browser_sessions_and_keeps_live_ones<S: Store>(store: S) {
    let (client, user) = client_and_user(&store).await;
    let dead_browser = new_browser(&user, &client, at(10), at(50));
    let live_browser = new_browser(&user, &client, at(10), at(500));
    for browser in [&dead_browser, &live_browser] {
        open_browser(&store, browser).await;
    }
    let dead_code = new_code(&live_browser, at(20), at(60));
    let used_code = new_code(&live_browser, at(20), at(300));
    let live_code = new_code(&live_browser, at(20), at(300));
    for code in [&dead_code, &used_code, &live_code] {
        put_code(&store, code).await;
    }
    assert_eq!(exchange(&store, &used_code, &session_for(&used_code, at(30))).await, CodeExchange::Exchanged);

    let purged = store.purge_authorization(at(100)).await.unwrap();
    assert!(purged >= 2, "at least our expired code and browser session: {purged}");
    assert_eq!(store.authorization_code(&dead_code.code_hash).await.unwrap(), None);
    assert!(store.authorization_code(&live_code.code_hash).await.unwrap().is_some());
    assert!(
        store.authorization_code(&used_code.code_hash).await.unwrap().is_some(),
        "a used code is kept until it expires"
    );
    let listed = store.browser_sessions(&user, at(40)).await.unwrap();
    assert_eq!(browser_ids(&listed), [live_browser.id.as_str()], "the expired browser session went");
    assert_eq!(store.purge_authorization(at(100)).await.unwrap(), 0, "nothing more to purge");
}

pub async fn a_sessions_scope_is_kept_through_lookup_listing_and_rotation<S: Store>(store: S) {
    let (client, user) = client_and_user(&store).await;
    let scoped = NewSession { scope: Some(scopes("openid phone")), ..new_session(&user, &client, "app", at(1)) };
    let empty = NewSession { scope: Some(scopes("")), ..new_session(&user, &client, "other", at(2)) };
    let own = new_session(&user, &client, "own", at(3));
    for session in [&scoped, &empty, &own] {
        store.open_session(session.clone(), 5).await.expect("opening a session");
        let (found, _) = by_access(&store, &session.access_hash, at(4), "the session is found").await;
        assert_eq!(found.scope, session.scope, "session_by_access gives the scope");
    }
    let listed: Vec<Option<Scopes>> = sessions(&store, &user).await.into_iter().map(|s| s.scope).collect();
    assert_eq!(listed, [scoped.scope.clone(), empty.scope.clone(), None], "sessions_of gives them");

    let turn = rotation(&scoped.refresh_hash, at(5));
    let rotated = assert_rotates(&store, turn.clone(), "a live refresh token rotates").await;
    assert_eq!(rotated.scope, scoped.scope, "the rotated session keeps its scope");
    let (found, _) = by_access(&store, &turn.new_access_hash, at(6), "the new access token works").await;
    assert_eq!(found.scope, scoped.scope);
}

pub async fn an_mfa_token_of_a_browser_sign_in_keeps_its_purpose<S: Store>(store: S) {
    let (client, user) = client_and_user(&store).await;
    let attempt = MfaAttempt {
        user: user.clone(),
        client,
        device: device("browser"),
        device_name: DeviceName::parse("Firefox").expect("a device name"),
        first_factor: FirstFactor::Password,
        purpose: MfaPurpose::BrowserSignIn,
        credential: Some(password_hash()),
    };
    let token = NewMfaToken { token_hash: secret(), attempt: attempt.clone(), created_at: at(0), expires_at: at(300) };
    store.create_mfa_token(token.clone()).await.expect("a fresh mfa token");
    let lookup = MfaTokenLookup { token_hash: token.token_hash.clone(), now: at(1), max_failures: 5 };
    let expected = MfaToken { attempt, failures: 0, expires_at: at(300) };
    assert_eq!(store.mfa_token(&lookup).await.unwrap(), Some(expected.clone()));
    let taking = SecondFactorUse { lookup, user: expected.attempt.user.clone(), totp_step: None, session: None };
    let taken = store.take_second_factor(taking).await.unwrap();
    assert_eq!(taken, SecondFactorTaken::Taken { token: expected, notice_queued: false });
}

pub async fn deleting_a_user_or_a_client_takes_their_browser_sessions_codes_and_consents<S: Store>(store: S) {
    for what in ["user", "client"] {
        let (browser, code) = browser_and_code(&store).await;
        store.grant_consent(&browser.user, &browser.client, &scopes("openid"), at(1)).await.unwrap();
        if what == "user" {
            assert!(store.delete_user(&browser.user, &[]).await.unwrap());
        } else {
            assert!(store.remove_client(&browser.client, &[]).await.unwrap());
        }
        assert_eq!(by_cookie(&store, &browser.cookie_hash, at(20)).await, None, "{what}");
        assert_eq!(store.authorization_code(&code.code_hash).await.unwrap(), None, "{what}");
        assert_eq!(store.consent(&browser.user, &browser.client).await.unwrap(), None, "{what}");
    }
}

pub async fn browser_sessions_and_code_exchanges_write_their_events_only_when_they_happen<S: Store>(store: S) {
    let (client, user) = client_and_user(&store).await;
    let signed_in = super::audit::audit_event(AuditKind::SignedIn, &user, at(10));
    let stale = NewBrowserSession {
        credential: Some(PasswordHash("$argon2id$stale".into())),
        audit: vec![signed_in.clone()],
        ..new_browser(&user, &client, at(10), at(10_000))
    };
    assert!(matches!(store.open_browser_session(stale).await, Err(StoreError::StaleCredential)));
    assert!(super::audit::events_about(&store, &user).await.is_empty(), "refused: no event");
    let browser = NewBrowserSession {
        audit: vec![signed_in.clone()],
        ..new_browser(&user, &client, at(10), at(10_000))
    };
    open_browser(&store, &browser).await;
    assert_eq!(super::audit::events_about(&store, &user).await, vec![signed_in.clone()]);

    let code = new_code(&browser, at(20), at(100));
    put_code(&store, &code).await;
    let exchanged = super::audit::audit_event(AuditKind::SignedIn, &user, at(21));
    let session = NewSession {
        audit: vec![exchanged.clone()],
        ..session_for(&code, at(21))
    };
    assert_eq!(exchange(&store, &code, &session).await, CodeExchange::Exchanged);
    let again = NewSession {
        id: SessionId(unique()),
        ..session.clone()
    };
    assert_eq!(exchange(&store, &code, &again).await, CodeExchange::Reused);
    assert_eq!(
        super::audit::events_about(&store, &user).await,
        vec![signed_in.clone(), exchanged.clone()],
        "the exchange writes its session's event once; a reuse opens nothing"
    );

    let ended = super::audit::audit_event(AuditKind::SessionRevoked, &user, at(30));
    assert!(!store
        .end_browser_session(&user, &unique(), true, std::slice::from_ref(&ended))
        .await
        .unwrap());
    assert!(store
        .end_browser_session(&user, &browser.id, true, std::slice::from_ref(&ended))
        .await
        .unwrap());
    assert_eq!(
        super::audit::events_about(&store, &user).await,
        vec![signed_in, exchanged, ended],
        "ending nothing writes nothing"
    );
}
}
