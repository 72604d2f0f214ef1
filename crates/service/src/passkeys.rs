//! Passkeys: WebAuthn Level 3 credentials as a second factor and as a
//! sign-in without a password, through `webauthn-rs` (attestation `none`,
//! user verification required).
//!
//! Every ceremony has two requests: the options (a challenge) and the
//! authenticator's answer. The state between them is stored
//! ([`PasskeyStore`](registrar_store::PasskeyStore)) under the SHA-256 of a
//! random ceremony id, sealed under the server secret, for
//! [`CEREMONY_TTL`], and taken once: any instance finishes a ceremony
//! another began, and none is finished twice. A passkey's user handle is
//! derived from the user's id (not the id itself), so an authenticator
//! learns nothing of ours.
//!
//! A passkey with user verification is both factors: `grant_type=passkey`
//! opens a session with no `mfa_required` after it. A failed assertion
//! counts as a failed login of the client address (and of the account,
//! when the credential is one of its passkeys).

use std::sync::Arc;

use chrono::Duration;
use registrar_domain::{AuditKind, ClientIp, PasskeyName, SecretToken, SignInMethod, User, UserId};
use registrar_mail::Mailer;
use registrar_store::{
    CeremonyKind, CeremonyLookup, NewCeremony, OutboxKind, PasskeyRecord, PasskeyUse, Store, StoreError,
};
use serde_json::Value;
use sha2::{Digest, Sha256};
use webauthn_rs::prelude::{
    AuthenticationResult, DiscoverableAuthentication, Passkey, PasskeyAuthentication, PasskeyRegistration,
    PublicKeyCredential, RegisterPublicKeyCredential, Url, Uuid, Webauthn, WebauthnBuilder,
};

use crate::parse::{self, ClientRef, Device};
use crate::tokens::random_hex;
use crate::{AuthContext, Field, FieldError, FieldErrors, Registrar, ServiceError, TokenPair};

/// How long a ceremony waits for the authenticator's answer (the
/// authenticator is told the same).
pub const CEREMONY_TTL: Duration = Duration::minutes(5);
/// The purpose a ceremony's state is sealed for.
const CEREMONY_PURPOSE: &str = "webauthn ceremony";
/// Passkeys one account may hold.
pub const MAX_PASSKEYS: usize = 20;

/// The relying party: who the passkeys are for (`webauthn.*`).
#[derive(Debug, Clone)]
pub struct RelyingParty(Arc<Webauthn>);

impl RelyingParty {
    /// The relying party of `webauthn.*`, with what is not set derived from
    /// `http.public_url`: the id from its host, the one origin from its
    /// scheme, host and port. `None` (passkeys off) when the id is not set
    /// and the public URL's host is an IP address, which WebAuthn takes for
    /// no relying party id.
    pub fn configured(
        public_url: &str,
        rp_id: Option<&str>,
        rp_name: &str,
        origins: &[String],
    ) -> Result<Option<Self>, String> {
        let public = Url::parse(public_url).map_err(|e| format!("http.public_url is not a URL: {e}"))?;
        let rp_id = match rp_id {
            Some(id) => id.to_owned(),
            None => match public.domain() {
                Some(host) => host.to_owned(),
                None => return Ok(None),
            },
        };
        let origins = if origins.is_empty() {
            vec![public.origin().ascii_serialization()]
        } else {
            origins.to_vec()
        };
        Self::new(&rp_id, rp_name, &origins).map(Some)
    }

    /// The relying party `rp_id` (a domain, the passkeys' scope), shown as
    /// `rp_name`, answering at `origins` (each on `rp_id` or a subdomain of
    /// it). Refused when an origin is no URL or not of `rp_id`.
    pub fn new(rp_id: &str, rp_name: &str, origins: &[String]) -> Result<Self, String> {
        let urls = origins
            .iter()
            .map(|origin| Url::parse(origin).map_err(|e| format!("{origin:?} is not a URL: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        let Some((first, others)) = urls.split_first() else {
            return Err("at least one origin is needed".into());
        };
        let refused =
            |what: &str| format!("{what} (the relying party id must be the origins' host or a parent domain of it)");
        let mut builder = WebauthnBuilder::new(rp_id, first)
            .map_err(|e| refused(&format!("{rp_id:?} does not fit {first}: {e}")))?
            .rp_name(rp_name)
            .timeout(std::time::Duration::from_secs(300));
        for origin in others {
            if origin
                .domain()
                .is_none_or(|host| host != rp_id && !host.ends_with(&format!(".{rp_id}")))
            {
                return Err(refused(&format!("{rp_id:?} does not fit {origin}")));
            }
            builder = builder.append_allowed_origin(origin);
        }
        builder
            .build()
            .map(|webauthn| Self(Arc::new(webauthn)))
            .map_err(|e| refused(&e.to_string()))
    }
}

/// The options of a ceremony begun: the id to send back with the answer,
/// and the `publicKey` member for `navigator.credentials.create()` or
/// `.get()` (WebAuthn's JSON form, base64url).
#[derive(Debug, Clone)]
pub struct PasskeyOptions {
    pub ceremony: SecretToken,
    pub public_key: Value,
}

/// A passkey as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyView {
    pub id: String,
    pub name: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<PasskeyRecord> for PasskeyView {
    fn from(p: PasskeyRecord) -> Self {
        Self {
            id: p.id,
            name: p.name.into_string(),
            created_at: p.created_at,
            last_used_at: p.last_used_at,
        }
    }
}

/// The raw fields of `POST /api/me/factors/passkeys`.
#[derive(Debug, Clone, Default)]
pub struct PasskeyAdditionInput {
    pub ceremony: Option<String>,
    pub name: Option<String>,
    pub credential: Option<Value>,
}

/// A passkey to add: the ceremony, its name and the authenticator's answer.
#[derive(Debug, Clone)]
pub struct PasskeyAddition {
    pub ceremony: String,
    pub name: PasskeyName,
    pub credential: Box<RegisterPublicKeyCredential>,
}

impl PasskeyAddition {
    /// The pure step of [`Registrar::add_passkey`]: every field error at once.
    pub fn parse(input: PasskeyAdditionInput) -> Result<Self, ServiceError> {
        let mut errors = FieldErrors::default();
        let ceremony = parse::required(&mut errors, Field::Ceremony, &input.ceremony).map(str::to_owned);
        let name = passkey_name(&mut errors, input.name.as_deref());
        let credential = credential(&mut errors, input.credential);
        let addition = ceremony.zip(name).zip(credential);
        let addition = addition.map(|((ceremony, name), credential)| Self {
            ceremony,
            name,
            credential,
        });
        parse::complete(errors, addition)
    }
}

/// A passkey's name, checked.
pub fn passkey_name(errors: &mut FieldErrors, name: Option<&str>) -> Option<PasskeyName> {
    let name = parse::required(errors, Field::PasskeyName, &name.map(str::to_owned))?.to_owned();
    PasskeyName::parse(&name)
        .map_err(|e| errors.add(Field::PasskeyName, parse::text_error(e)))
        .ok()
}

/// A WebAuthn credential (`RegistrationResponseJSON` or
/// `AuthenticationResponseJSON`) read from its JSON form.
fn credential<T: serde::de::DeserializeOwned>(errors: &mut FieldErrors, value: Option<Value>) -> Option<Box<T>> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        errors.add(Field::Credential, FieldError::Required);
        return None;
    };
    serde_json::from_value(value)
        .map(Box::new)
        .map_err(|_| errors.add(Field::Credential, FieldError::InvalidCredential))
        .ok()
}

/// The raw fields of `grant_type=passkey`.
#[derive(Debug, Clone, Default)]
pub struct PasskeyGrantInput {
    pub ceremony: Option<String>,
    pub credential: Option<Value>,
    pub client_id: Option<String>,
    pub device_id: Option<String>,
    pub device_name: Option<String>,
}

/// `grant_type=passkey`: a discoverable sign-in's ceremony and answer, for
/// a client and device.
#[derive(Debug, Clone)]
pub struct PasskeyGrant {
    pub ceremony: String,
    pub credential: Box<PublicKeyCredential>,
    pub client: ClientRef,
    pub device: Device,
}

impl PasskeyGrant {
    /// The pure step of [`Registrar::login_passkey`].
    pub fn parse(input: PasskeyGrantInput) -> Result<Self, ServiceError> {
        let mut errors = FieldErrors::default();
        let client = parse::client(&mut errors, &input.client_id);
        let device = parse::device(&mut errors, &input.device_id, &input.device_name);
        let ceremony = parse::required(&mut errors, Field::Ceremony, &input.ceremony).map(str::to_owned);
        let credential = credential(&mut errors, input.credential);
        let grant = ceremony.zip(credential).zip(client.zip(device));
        let grant = grant.map(|((ceremony, credential), (client, device))| Self {
            ceremony,
            credential,
            client,
            device,
        });
        parse::complete(errors, grant)
    }
}

/// An authenticator's answer to a passkey second factor, read from its JSON.
pub(crate) fn assertion(value: Value, errors: &mut FieldErrors) -> Option<Box<PublicKeyCredential>> {
    credential(errors, Some(value))
}

/// The user handle of `user`'s passkeys: 16 bytes of SHA-256 over our id,
/// stable and telling nothing of it.
fn user_handle(user: &UserId) -> Uuid {
    let digest = Sha256::new()
        .chain_update(b"registrar webauthn user handle\0")
        .chain_update(user.0.as_bytes())
        .finalize();
    let mut bytes = [0_u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Uuid::from_bytes(bytes)
}

/// A credential id as stored: base64url without padding, as WebAuthn's JSON
/// forms write it.
fn credential_id_text(id: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id)
}

/// The counter and backup flags of a serialised passkey (`cred.counter`,
/// `cred.backup_eligible`, `cred.backup_state`).
fn counter_and_flags(serialised: &Value) -> (u32, bool, bool) {
    let cred = &serialised["cred"];
    let counter = cred["counter"]
        .as_u64()
        .and_then(|c| u32::try_from(c).ok())
        .unwrap_or(0);
    let flag = |name: &str| cred[name].as_bool().unwrap_or(false);
    (counter, flag("backup_eligible"), flag("backup_state"))
}

/// The `publicKey` member of a ceremony's options.
fn public_key_of(options: &impl serde::Serialize) -> Result<Value, ServiceError> {
    let mut json = serde_json::to_value(options).map_err(ServiceError::unexpected)?;
    Ok(json["publicKey"].take())
}

impl<S: Store, M: Mailer> Registrar<S, M> {
    /// The relying party, or `NotFound` when passkeys are off (no
    /// `webauthn.rp_id` and a `http.public_url` on an IP address).
    fn relying_party(&self) -> Result<&Webauthn, ServiceError> {
        match &self.settings.webauthn {
            Some(rp) => Ok(&rp.0),
            None => Err(ServiceError::NotFound),
        }
    }

    /// Stores a ceremony's state under `id` for [`CEREMONY_TTL`].
    async fn begin_ceremony(
        &self,
        id: &SecretToken,
        kind: CeremonyKind,
        user: Option<&UserId>,
        state: &impl serde::Serialize,
    ) -> Result<(), ServiceError> {
        let id_hash = id.hash();
        let json = serde_json::to_vec(state).map_err(ServiceError::unexpected)?;
        let sealed = self.seal(CEREMONY_PURPOSE, id_hash.as_str(), &json);
        let now = self.now();
        let ceremony = NewCeremony {
            id_hash,
            kind,
            user: user.cloned(),
            state: sealed,
            created_at: now,
            expires_at: now + CEREMONY_TTL,
        };
        self.store.put_ceremony(ceremony).await?;
        Ok(())
    }

    /// Takes the ceremony `id` of `kind`, once: its user and state; `None`
    /// when it is unknown, finished, expired, of another kind, or cannot be
    /// opened (sealed under a secret this server does not hold).
    async fn finish_ceremony<T: serde::de::DeserializeOwned>(
        &self,
        id: &str,
        kind: CeremonyKind,
    ) -> Result<Option<(Option<UserId>, T)>, ServiceError> {
        let id_hash = SecretToken::new(id.to_owned()).hash();
        let lookup = CeremonyLookup {
            id_hash,
            kind,
            now: self.now(),
        };
        let Some(ceremony) = self.store.take_ceremony(&lookup).await? else {
            return Ok(None);
        };
        let state = self
            .settings
            .keyring()
            .open(CEREMONY_PURPOSE, lookup.id_hash.as_str(), &ceremony.state)
            .ok()
            .and_then(|json| serde_json::from_slice(&json).ok());
        if state.is_none() {
            tracing::warn!("a WebAuthn ceremony's state could not be opened; it is refused");
        }
        Ok(state.map(|state| (ceremony.user, state)))
    }

    /// The user's passkeys as the library reads them, with their records;
    /// a record that does not read back is logged and left out.
    async fn passkeys_of(&self, user: &UserId) -> Result<Vec<(PasskeyRecord, Passkey)>, ServiceError> {
        let records = self.store.passkeys(user).await?;
        Ok(records
            .into_iter()
            .filter_map(|record| match serde_json::from_str::<Passkey>(&record.credential) {
                Ok(passkey) => Some((record, passkey)),
                Err(error) => {
                    tracing::error!(user = %user.0, passkey = %record.id, %error, "a stored passkey does not read back");
                    None
                }
            })
            .collect())
    }

    /// The caller's passkeys, oldest first.
    pub(crate) async fn passkey_views(&self, user: &UserId) -> Result<Vec<PasskeyView>, ServiceError> {
        let records = self.store.passkeys(user).await?;
        Ok(records.into_iter().map(PasskeyView::from).collect())
    }

    /// `POST /api/me/factors/passkeys/options`: begins adding a passkey to
    /// the caller's account (its existing passkeys excluded, a discoverable
    /// credential asked for).
    pub async fn passkey_registration_options(&self, ctx: &AuthContext) -> Result<PasskeyOptions, ServiceError> {
        let rp = self.relying_party()?;
        let user = &ctx.user;
        let existing = self.passkeys_of(&user.id).await?;
        let exclude = existing.iter().map(|(_, p)| p.cred_id().clone()).collect::<Vec<_>>();
        let name = user.email.as_str();
        let display = user.profile.display_name().unwrap_or_else(|| name.to_owned());
        let (options, state) = rp
            .start_passkey_registration(user_handle(&user.id), name, &display, Some(exclude))
            .map_err(ServiceError::unexpected)?;
        let mut public_key = public_key_of(&options)?;
        // A passkey signs in without a user named: ask for a discoverable
        // (client-side) credential, as WebAuthn Level 3 §5.4.6 spells it.
        if let Some(selection) = public_key
            .get_mut("authenticatorSelection")
            .and_then(Value::as_object_mut)
        {
            selection.insert("residentKey".into(), "required".into());
            selection.insert("requireResidentKey".into(), true.into());
        }
        let ceremony = SecretToken::new(random_hex(32));
        self.begin_ceremony(&ceremony, CeremonyKind::Registration, Some(&user.id), &state)
            .await?;
        Ok(PasskeyOptions { ceremony, public_key })
    }

    /// `POST /api/me/factors/passkeys`: finishes the ceremony, stores the
    /// passkey and mails "a passkey was added". An unknown, finished or
    /// expired ceremony (or another user's) is a field error on `ceremony`;
    /// an answer the ceremony refuses (another origin or relying party, a
    /// bad signature, no user verification, a credential registered
    /// already) one on `credential`.
    pub async fn add_passkey(&self, ctx: &AuthContext, addition: PasskeyAddition) -> Result<PasskeyView, ServiceError> {
        let rp = self.relying_party()?;
        let user = &ctx.user;
        let refused = |field, error| ServiceError::Invalid(FieldErrors::single(field, error));
        let ceremony = self
            .finish_ceremony::<PasskeyRegistration>(&addition.ceremony, CeremonyKind::Registration)
            .await?;
        let Some((Some(owner), state)) = ceremony else {
            return Err(refused(Field::Ceremony, FieldError::UnknownCeremony));
        };
        if owner != user.id {
            return Err(refused(Field::Ceremony, FieldError::UnknownCeremony));
        }
        let passkey = match rp.finish_passkey_registration(&addition.credential, &state) {
            Ok(passkey) => passkey,
            Err(error) => {
                tracing::info!(%error, "a passkey registration was refused");
                return Err(refused(Field::Credential, FieldError::CredentialRefused));
            }
        };
        if self.store.passkeys(&user.id).await?.len() >= MAX_PASSKEYS {
            return Err(refused(
                Field::Credential,
                FieldError::TooManyItems { max: MAX_PASSKEYS },
            ));
        }
        let serialised = serde_json::to_value(&passkey).map_err(ServiceError::unexpected)?;
        let (sign_count, backup_eligible, backup_state) = counter_and_flags(&serialised);
        let record = PasskeyRecord {
            id: uuid::Uuid::new_v4().to_string(),
            user: user.id.clone(),
            name: addition.name,
            credential_id: credential_id_text(passkey.cred_id()),
            credential: serialised.to_string(),
            sign_count,
            backup_eligible,
            backup_state,
            created_at: self.now(),
            last_used_at: None,
        };
        let mail = self.outbox_mail(&user.id, OutboxKind::PasskeyAdded);
        let mail_id = mail.id.clone();
        let audit = [self
            .session_event(AuditKind::FactorAdded, user, &ctx.session)
            .with("factor", "passkey")];
        match self.store.add_passkey(record.clone(), Some(mail), &audit).await {
            Ok(()) => {}
            // The credential is registered already (to this account or another).
            Err(StoreError::Duplicate) => return Err(refused(Field::Credential, FieldError::CredentialRefused)),
            Err(e) => return Err(e.into()),
        }
        self.mail_queued_if(true, &mail_id).await;
        tracing::info!(to = user.email.masked(), "a passkey was added");
        Ok(record.into())
    }

    /// `PATCH /api/me/factors/passkeys/{id}`: renames the caller's passkey.
    pub async fn rename_passkey(&self, ctx: &AuthContext, id: &str, name: PasskeyName) -> Result<(), ServiceError> {
        if !self.store.rename_passkey(&ctx.user.id, id, name).await? {
            return Err(ServiceError::NotFound);
        }
        Ok(())
    }

    /// `DELETE /api/me/factors/passkeys/{id}`: removes the caller's passkey
    /// and mails "a passkey was removed".
    pub async fn remove_passkey(&self, ctx: &AuthContext, id: &str) -> Result<(), ServiceError> {
        let user = &ctx.user;
        let mail = self.outbox_mail(&user.id, OutboxKind::PasskeyRemoved);
        let mail_id = mail.id.clone();
        let audit = [self
            .session_event(AuditKind::FactorRemoved, user, &ctx.session)
            .with("factor", "passkey")];
        let removed = self.store.remove_passkey(&user.id, id, Some(mail), &audit).await?;
        if !self.mail_queued_if(removed, &mail_id).await {
            return Err(ServiceError::NotFound);
        }
        tracing::info!(to = user.email.masked(), "a passkey was removed");
        Ok(())
    }

    /// `POST /api/passkeys/options`: begins a sign-in with a discoverable
    /// passkey for a registered client (no user named). Refused while the
    /// client address is locked out of signing in.
    pub async fn passkey_sign_in_options(&self, client: &str, from: ClientIp) -> Result<PasskeyOptions, ServiceError> {
        let rp = self.relying_party()?;
        self.known_client(&ClientRef::of(client)).await?;
        self.login_allowed(None, from).await?;
        let (options, state) = rp
            .start_discoverable_authentication()
            .map_err(ServiceError::unexpected)?;
        let public_key = public_key_of(&options)?;
        let ceremony = SecretToken::new(random_hex(32));
        self.begin_ceremony(&ceremony, CeremonyKind::SignIn, None, &state)
            .await?;
        Ok(PasskeyOptions { ceremony, public_key })
    }

    /// `grant_type=passkey`: the pair for the passkey's owner, signed in by
    /// passkey (both factors: user verification is required). An unknown,
    /// finished or expired ceremony, an unknown credential and a refused
    /// answer are all `InvalidGrant`, counted as failed logins.
    pub async fn login_passkey(&self, grant: PasskeyGrant, from: ClientIp) -> Result<TokenPair, ServiceError> {
        let (user, client) = self.pass_passkey(&grant, from).await?;
        let credential = user.password_hash.clone();
        self.open_session(&user, credential, &client, grant.device, SignInMethod::Passkey)
            .await
    }

    /// The checks of a passkey sign-in: the account whose passkey answered
    /// with user verification (its use recorded), and the grant's client.
    /// Shared by `grant_type=passkey` and the sign-in page.
    pub(crate) async fn pass_passkey(
        &self,
        grant: &PasskeyGrant,
        from: ClientIp,
    ) -> Result<(User, registrar_domain::ClientId), ServiceError> {
        let rp = self.relying_party()?;
        let client = self.known_client(&grant.client).await?;
        self.login_allowed(None, from).await?;
        let ceremony = self
            .finish_ceremony::<DiscoverableAuthentication>(&grant.ceremony, CeremonyKind::SignIn)
            .await?;
        let Some((_, state)) = ceremony else {
            self.login_failed(None, from).await?;
            return Err(ServiceError::InvalidGrant);
        };
        let owner = self.passkey_owner(rp, &grant.credential).await?;
        let Some((user, record, passkey)) = owner else {
            self.login_failed(None, from).await?;
            return Err(ServiceError::InvalidGrant);
        };
        self.login_allowed(Some(&user.email), from).await?;
        let result = rp.finish_discoverable_authentication_v2(&grant.credential, state, &passkey);
        if !self.passkey_answer_holds(&user, result, record, passkey).await? {
            self.user_login_failed(&user, "passkey_refused", from).await?;
            return Err(ServiceError::InvalidGrant);
        }
        self.login_succeeded(&user.email).await?;
        if user.disabled {
            return Err(ServiceError::AccountDisabled);
        }
        if self.settings.require_confirmed_email && !user.email_confirmed() {
            return Err(ServiceError::EmailNotConfirmed);
        }
        Ok((user, client))
    }

    /// The account and passkey a discoverable answer names, if its user
    /// handle is that passkey's owner's.
    async fn passkey_owner(
        &self,
        rp: &Webauthn,
        credential: &PublicKeyCredential,
    ) -> Result<Option<(User, PasskeyRecord, Passkey)>, ServiceError> {
        let Ok((handle, credential_id)) = rp.identify_discoverable_authentication(credential) else {
            return Ok(None);
        };
        let Some(record) = self
            .store
            .passkey_by_credential(&credential_id_text(credential_id))
            .await?
        else {
            return Ok(None);
        };
        if user_handle(&record.user) != handle {
            return Ok(None);
        }
        let Some(user) = self.store.user_by_id(&record.user).await? else {
            return Ok(None);
        };
        let Ok(passkey) = serde_json::from_str::<Passkey>(&record.credential) else {
            tracing::error!(passkey = %record.id, "a stored passkey does not read back");
            return Ok(None);
        };
        Ok(Some((user, record, passkey)))
    }

    /// Whether the library accepted an assertion of `user`'s passkey with
    /// user verification: if so, records its use (counter, backup state,
    /// time). The caller counts a failure.
    async fn passkey_answer_holds(
        &self,
        user: &User,
        result: Result<AuthenticationResult, webauthn_rs::prelude::WebauthnError>,
        record: PasskeyRecord,
        mut passkey: Passkey,
    ) -> Result<bool, ServiceError> {
        let result = match result {
            Ok(result) if result.user_verified() => result,
            Ok(_) => return Ok(false),
            Err(error) => {
                tracing::info!(%error, "a passkey assertion was refused");
                return Ok(false);
            }
        };
        passkey.update_credential(&result);
        let used = PasskeyUse {
            user: user.id.clone(),
            id: record.id,
            credential: serde_json::to_string(&passkey).map_err(ServiceError::unexpected)?,
            sign_count: result.counter(),
            backup_state: result.backup_state(),
            now: self.now(),
        };
        // `false` when a concurrent sign-in recorded a later counter: this
        // answer is older than what the passkey has shown since.
        Ok(self.store.passkey_used(&used).await?)
    }

    /// `POST /api/token/mfa/passkey-options`: begins a passkey second factor
    /// for the sign-in waiting under `mfa_token` (the user's passkeys
    /// allowed). A second call replaces the first's ceremony. An unknown,
    /// used or expired token, or an account without passkeys, is
    /// `InvalidGrant`.
    pub async fn mfa_passkey_options(&self, mfa_token: &str, from: ClientIp) -> Result<Value, ServiceError> {
        let rp = self.relying_party()?;
        self.login_allowed(None, from).await?;
        let token = SecretToken::new(mfa_token.to_owned());
        let Some(attempt) = self.live_mfa_token(&token).await? else {
            self.login_failed(None, from).await?;
            return Err(ServiceError::InvalidGrant);
        };
        let passkeys = self.passkeys_of(&attempt.attempt.user).await?;
        if passkeys.is_empty() {
            return Err(ServiceError::InvalidGrant);
        }
        let keys: Vec<Passkey> = passkeys.into_iter().map(|(_, p)| p).collect();
        let (options, state) = rp
            .start_passkey_authentication(&keys)
            .map_err(ServiceError::unexpected)?;
        self.begin_ceremony(&token, CeremonyKind::SecondFactor, Some(&attempt.attempt.user), &state)
            .await?;
        public_key_of(&options)
    }

    /// Whether `credential` answers the passkey ceremony begun for
    /// `mfa_token` with one of `user`'s passkeys (recording its use). The
    /// ceremony is taken either way: a wrong answer needs new options.
    pub(crate) async fn passkey_factor_holds(
        &self,
        user: &User,
        mfa_token: &str,
        credential: &PublicKeyCredential,
    ) -> Result<bool, ServiceError> {
        let rp = self.relying_party()?;
        let ceremony = self
            .finish_ceremony::<PasskeyAuthentication>(mfa_token, CeremonyKind::SecondFactor)
            .await?;
        let Some((Some(owner), state)) = ceremony else {
            return Ok(false);
        };
        let answered = credential_id_text(credential.get_credential_id());
        let found = self
            .passkeys_of(&user.id)
            .await?
            .into_iter()
            .find(|(record, _)| record.credential_id == answered);
        let Some((record, passkey)) = found.filter(|_| owner == user.id) else {
            return Ok(false);
        };
        let result = rp.finish_passkey_authentication(credential, &state);
        self.passkey_answer_holds(user, result, record, passkey).await
    }
}
