//! The rules of [`ExportStore`](crate::ExportStore): every section holds
//! what the store keeps of the user, none holds another user's rows or a
//! secret, and the export's event is written with it (none for an unknown
//! user).

use registrar_domain::{AuditEvent, PasskeyName, Scopes, Sealed};

use super::audit::audit_event;
use super::support::*;
use crate::{AuditCursor, AuditFilter, MailState, NewBrowserSession, PasskeyRecord, TotpConfirmation, UserExport};

/// What a fully used account left in the store, to find (or not) in an export.
struct Account {
    user: NewUser,
    session: NewSession,
    browser: NewBrowserSession,
    totp_secret: Sealed,
    recovery: Vec<SecretHash>,
    passkey: PasskeyRecord,
    sent: NewOutboxMail,
    queued: NewOutboxMail,
}

/// An account that used every feature the store keeps: a policy accepted
/// at registration, a confirmed address and an email-first consent, a
/// session and a browser session, TOTP with recovery codes (one used), a
/// passkey, a consent to a client, a sent and a queued mail.
async fn used_everything<S: ContractStore>(store: &S, client: &ClientId, revision: RevisionId) -> Account {
    let mut user = new_user(unique_email("export"));
    user.email_confirmed_at = Some(at(2));
    user.consent = Some(2);
    let mut registering = registration(user.clone());
    registering.accepted_policies = vec![revision];
    registering.audit = vec![audit_event(AuditKind::Registered, &user.id, at(1))];
    store.register(registering).await.expect("registering");
    let session = open(store, &user.id, client, "phone", at(10), 5).await;
    let browser = NewBrowserSession {
        id: unique(),
        cookie_hash: secret(),
        user: user.id.clone(),
        client: client.clone(),
        device_name: DeviceName::parse("Firefox on Linux").expect("a device name"),
        sign_in_method: SignInMethod::PasswordTotp,
        credential: None,
        now: at(11),
        expires_at: at(100_000),
        audit: Vec::new(),
    };
    store.open_browser_session(browser.clone()).await.expect("a browser session");
    let totp_secret = Sealed::from_stored(format!("v1.00000000.{}", unique()));
    assert!(store.put_pending_totp(&user.id, totp_secret.clone(), at(20)).await.expect("a pending secret"));
    let recovery: Vec<SecretHash> = (0..3).map(|_| secret()).collect();
    let confirmation = TotpConfirmation {
        user: user.id.clone(),
        secret: totp_secret.clone(),
        step: 7,
        recovery_codes: recovery.clone(),
        now: at(21),
        audit: Vec::new(),
    };
    assert!(store.confirm_totp(confirmation, None).await.expect("confirming"));
    let used = crate::RecoveryCodeUse {
        user: user.id.clone(),
        code: recovery[0].clone(),
        now: at(22),
        audit: Vec::new(),
    };
    assert!(store.use_recovery_code(&used, None).await.expect("using a code"));
    let passkey = PasskeyRecord {
        id: unique(),
        user: user.id.clone(),
        name: PasskeyName::parse("YubiKey").expect("a passkey name"),
        credential_id: unique(),
        credential: format!("{{\"cred\":\"{}\"}}", unique()),
        sign_count: 3,
        backup_eligible: true,
        backup_state: false,
        created_at: at(30),
        last_used_at: None,
    };
    store.add_passkey(passkey.clone(), None, &[]).await.expect("a passkey");
    let scope = Scopes::parse("openid email").expect("scopes");
    store.grant_consent(&user.id, client, &scope, at(40)).await.expect("a consent");
    let sent = enqueue(store, &user.id, OutboxKind::Confirmation, at(50)).await;
    claim_by_id(store, &sent.id, at(51), at(51) + Duration::seconds(LEASE)).await.expect("claimed");
    mark_sent(store, &sent.id, at(52)).await;
    let queued = enqueue(store, &user.id, OutboxKind::PasswordChanged, at(60)).await;
    Account { user, session, browser, totp_secret, recovery, passkey, sent, queued }
}

fn exported(user: &UserId) -> AuditEvent {
    audit_event(AuditKind::Exported, user, at(70)).with("by", "self")
}

async fn export<S: Store>(store: &S, user: &UserId) -> UserExport {
    store
        .export_user(user, &[exported(user)])
        .await
        .expect("an export")
        .expect("the user exists")
}

contract_rules! { export, __store_contract_export;

pub async fn an_export_holds_every_section_of_the_user_and_nothing_of_another<S: ContractStore>(store: S) {
    let client = add_client(&store, at(0)).await;
    let revision = publish(&store, new_revision("tac", "v7", at(0), &[Language::EN])).await;
    let ann = used_everything(&store, &client, revision).await;
    let bob = used_everything(&store, &client, revision).await;

    let data = export(&store, &ann.user.id).await;
    assert_eq!(data.user.id, ann.user.id);
    assert_eq!(data.user.email, ann.user.email);
    assert_eq!(data.user.email_confirmed_at, Some(at(2)));
    assert_eq!(data.user.language, ann.user.language);
    assert_eq!(data.user.consent, Some(2), "the consent of the email-first signup");
    assert_eq!(data.sessions.len(), 1);
    assert_session_matches(&data.sessions[0], &ann.session);
    assert_eq!(data.browser_sessions.len(), 1);
    let browser = &data.browser_sessions[0];
    assert_eq!(
        (&browser.id, &browser.client, browser.device_name.as_str(), browser.sign_in_method, browser.auth_time),
        (&ann.browser.id, &client, "Firefox on Linux", SignInMethod::PasswordTotp, at(11))
    );
    assert_eq!(data.accepted.len(), 1);
    assert_eq!(
        (data.accepted[0].id, data.accepted[0].version.as_str(), data.accepted[0].accepted_at),
        (revision, "v7", at(0))
    );
    let totp = data.totp.as_ref().expect("the TOTP factor");
    assert_eq!((totp.created_at, totp.confirmed_at), (at(20), Some(at(21))));
    assert_eq!(data.recovery_codes_left, 2);
    assert_eq!(data.passkeys.len(), 1);
    let passkey = &data.passkeys[0];
    assert_eq!(
        (&passkey.id, passkey.name.as_str(), passkey.created_at, passkey.last_used_at),
        (&ann.passkey.id, "YubiKey", at(30), None)
    );
    assert_eq!(data.consents.len(), 1);
    assert_eq!(data.consents[0].client, client);
    assert_eq!(data.consents[0].scope.to_string(), "openid email");
    assert_eq!(data.consents[0].granted_at, at(40));
    let mails: Vec<_> = data.mails.iter().map(|m| (m.kind, m.queued_at, m.state, m.sent_at)).collect();
    assert_eq!(
        mails,
        [
            (OutboxKind::Confirmation, at(50), MailState::Sent, Some(at(52))),
            (OutboxKind::PasswordChanged, at(60), MailState::Queued, None),
        ]
    );
    let kinds: Vec<AuditKind> = data.events.iter().map(|r| r.event.kind).collect();
    assert_eq!(kinds, [AuditKind::Registered, AuditKind::Exported], "the export lists its own event last");
    assert!(data.events.iter().all(|r| r.event.user.as_ref() == Some(&ann.user.id)));

    let text = format!("{data:?}");
    for other in [
        bob.user.id.as_str(),
        bob.user.email.as_str(),
        &bob.session.id.0,
        &bob.browser.id,
        &bob.passkey.id,
        &bob.sent.id,
        &bob.queued.id,
    ] {
        assert!(!text.contains(other), "another user's {other} is in the export");
    }
    let secrets = [
        ann.session.access_hash.as_str(),
        ann.session.refresh_hash.as_str(),
        ann.browser.cookie_hash.as_str(),
        ann.totp_secret.as_str(),
        &ann.passkey.credential,
        &ann.passkey.credential_id,
    ];
    for secret in secrets.into_iter().chain(ann.recovery.iter().map(SecretHash::as_str)) {
        assert!(!text.contains(secret), "a secret is in the export: {secret}");
    }
    assert!(data.has_password && data.user.password_hash.is_none(), "whether there is a password, never its hash");
}

pub async fn an_export_writes_its_event_with_it_and_an_unknown_user_writes_none<S: Store>(store: S) {
    let user = add_user(&store).await;
    let data = export(&store, &user).await;
    assert_eq!(data.events.last().map(|r| r.event.kind), Some(AuditKind::Exported));
    assert_eq!(data.events.last().and_then(|r| r.event.data.get("by")).map(String::as_str), Some("self"));
    assert!(data.sessions.is_empty() && data.passkeys.is_empty() && data.mails.is_empty());
    assert!(data.totp.is_none() && data.consents.is_empty() && data.browser_sessions.is_empty());

    let unknown = UserId(unique());
    assert!(store.export_user(&unknown, &[exported(&unknown)]).await.expect("an answer").is_none());
    let filter = AuditFilter { user: Some(unknown), ..AuditFilter::default() };
    let trail = store.audit_events(&filter, AuditCursor::After(0), 10).await.expect("events");
    assert!(trail.is_empty(), "an unknown user's export records nothing");
}

}
