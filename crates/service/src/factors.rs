//! Second factors: enrolling an authenticator app (TOTP), recovery codes,
//! and the second step of a sign-in (`grant_type=mfa`).
//!
//! A correct password on an account with a confirmed factor does not sign
//! in: it answers [`ServiceError::MfaRequired`] with an `mfa_token` (256
//! random bits, stored as its SHA-256, single use, 5 minutes, bound to the
//! user, client and device of the attempt). The token and a TOTP code or a
//! recovery code then give the pair. Wrong factors count as failed logins of
//! the account and the client address, and the account's count is cleared
//! only when the second factor is right: knowing the password buys no
//! fresh budget of guesses. After [`MFA_TOKEN_FAILURES`] wrong factors the
//! token is dead.
//!
//! The TOTP secret is sealed under the server secret ([`registrar_domain::sealed`])
//! for purpose `totp` and the user's id; recovery codes are kept as keyed
//! hashes.

use chrono::Duration;
use rand::rngs::OsRng;
use rand::RngCore;
use registrar_domain::{
    Actor, AuditKind, ClientId, ClientIp, Keyring, Password, PasswordHash, Sealed, SecretHash, SecretToken,
    SignInMethod, TotpSecret, User, UserId,
};
use registrar_mail::Mailer;
use registrar_store::{
    FirstFactor, MfaAttempt, MfaPurpose, MfaToken, MfaTokenLookup, NewMfaToken, NewSession, OutboxKind,
    RecoveryCodeUse, SecondFactorTaken, SecondFactorUse, Store, TotpConfirmation, TotpFactor, WaitingSignIn,
};

use webauthn_rs::prelude::PublicKeyCredential;

use crate::input::MfaGrantInput;
use crate::parse::Device;
use crate::passkeys::PasskeyView;
use crate::tokens::random_hex;
use crate::{AuthContext, Field, FieldError, FieldErrors, Registrar, ServiceError, TokenPair};

/// How long an `mfa_token` lives.
pub const MFA_TOKEN_TTL: Duration = Duration::minutes(5);
/// Wrong second factors after which an `mfa_token` is dead.
pub const MFA_TOKEN_FAILURES: u32 = 5;
/// Recovery codes handed out at a time.
pub const RECOVERY_CODES: usize = 10;
/// The purpose a TOTP secret is sealed for.
pub(crate) const TOTP_PURPOSE: &str = "totp";
/// Letters of a recovery code: lowercase, without the look-alikes 0/o, 1/l/i.
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A factor a sign-in can be completed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactorKind {
    Totp,
    Passkey,
    RecoveryCode,
}

impl FactorKind {
    /// The name on the wire (`factors` of an `mfa_required` answer).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Totp => "totp",
            Self::Passkey => "passkey",
            Self::RecoveryCode => "recovery_code",
        }
    }
}

/// The answer to a correct first factor on an account with a second one.
#[derive(Debug, Clone)]
pub struct MfaChallenge {
    /// Handed to the client once; only its hash is stored.
    pub mfa_token: SecretToken,
    /// What the client may give with it.
    pub factors: Vec<FactorKind>,
}

/// A fresh, pending TOTP secret, as the app shows it to be scanned.
#[derive(Debug, Clone)]
pub struct TotpEnrolment {
    /// RFC 4648 base32, no padding.
    pub secret: String,
    /// The Key Uri Format link (what the QR code holds).
    pub otpauth_uri: String,
}

/// The caller's second factors, as `GET /api/me/factors` shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactorsView {
    pub totp_enabled: bool,
    pub passkeys: Vec<PasskeyView>,
    pub recovery_codes_left: u32,
}

/// Where a user's authenticator app stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TotpState {
    Off,
    /// Enrolled, not yet confirmed with a first code: it takes no sign-in.
    Pending,
    On,
}

impl TotpState {
    fn of(factor: Option<&TotpFactor>) -> Self {
        match factor {
            None => Self::Off,
            Some(f) if f.confirmed_at.is_some() => Self::On,
            Some(_) => Self::Pending,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Pending => "pending",
            Self::On => "on",
        }
    }
}

/// A user's second factors as an operator sees them (`registrar user factors`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountFactors {
    pub totp: TotpState,
    pub passkeys: usize,
    pub recovery_codes_left: u32,
}

/// The second factor given with an `mfa_token`.
#[derive(Debug, Clone)]
pub enum SecondFactor {
    /// A code from the authenticator app.
    Totp(String),
    RecoveryCode(String),
    /// A passkey's answer to the options of `/api/token/mfa/passkey-options`.
    Passkey(Box<PublicKeyCredential>),
}

impl SecondFactor {
    /// How a session signs in with `first` and then this factor.
    fn sign_in_method(&self, first: FirstFactor) -> SignInMethod {
        match (first, self) {
            (FirstFactor::Password, Self::Passkey(_)) => SignInMethod::PasswordPasskey,
            (FirstFactor::EmailCode, Self::Passkey(_)) => SignInMethod::EmailCodePasskey,
            (FirstFactor::Password, Self::Totp(_)) => SignInMethod::PasswordTotp,
            (FirstFactor::Password, Self::RecoveryCode(_)) => SignInMethod::PasswordRecoveryCode,
            (FirstFactor::EmailCode, Self::Totp(_)) => SignInMethod::EmailCodeTotp,
            (FirstFactor::EmailCode, Self::RecoveryCode(_)) => SignInMethod::EmailCodeRecoveryCode,
        }
    }
}

/// `grant_type=mfa`: the token of the first step and a second factor.
#[derive(Debug, Clone)]
pub struct MfaGrant {
    pub mfa_token: String,
    pub factor: SecondFactor,
    /// The client asking, when it says: it must be the first step's.
    pub client: Option<String>,
}

impl MfaGrant {
    /// The pure step of [`Registrar::login_mfa`]: `mfa_token` and exactly
    /// one of `code`, `recovery_code` and `credential`.
    pub fn parse(input: MfaGrantInput) -> Result<Self, ServiceError> {
        let mut errors = FieldErrors::default();
        if input.mfa_token.is_none() {
            errors.add(Field::MfaToken, FieldError::Required);
        }
        let factor = match (input.code, input.recovery_code, input.credential) {
            (Some(code), None, None) => Some(SecondFactor::Totp(code)),
            (None, Some(code), None) => Some(SecondFactor::RecoveryCode(code)),
            (None, None, Some(credential)) => {
                crate::passkeys::assertion(credential, &mut errors).map(SecondFactor::Passkey)
            }
            _ => {
                errors.add(Field::Code, FieldError::OneFactor);
                None
            }
        };
        match (input.mfa_token, factor) {
            (Some(mfa_token), Some(factor)) if errors.is_empty() => Ok(Self {
                mfa_token,
                factor,
                client: input.client_id,
            }),
            _ => Err(ServiceError::Invalid(errors)),
        }
    }
}

/// 20 random bytes: a fresh TOTP secret.
fn new_totp_secret() -> TotpSecret {
    let mut bytes = [0_u8; registrar_domain::totp::SECRET_BYTES];
    OsRng.fill_bytes(&mut bytes);
    TotpSecret::new(bytes)
}

/// A recovery code as handed out: `xxxxx-xxxxx` from [`RECOVERY_ALPHABET`]
/// (about 49 bits).
fn new_recovery_code() -> String {
    let mut bytes = [0_u8; 10];
    OsRng.fill_bytes(&mut bytes);
    let letters: String = bytes
        .iter()
        .map(|b| char::from(RECOVERY_ALPHABET[usize::from(*b) % RECOVERY_ALPHABET.len()]))
        .collect();
    let (first, second) = letters.split_at(5);
    format!("{first}-{second}")
}

/// A recovery code as typed, the way it is hashed: lowercase, without the
/// dash and spaces people add or leave out.
fn normalized_recovery_code(code: &str) -> String {
    code.chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}

impl<S: Store, M: Mailer> Registrar<S, M> {
    fn keyring(&self) -> Keyring {
        self.settings.keyring()
    }

    /// `plaintext` sealed for `purpose` and `owner` under the current
    /// server secret, with a fresh random nonce.
    pub(crate) fn seal(&self, purpose: &str, owner: &str, plaintext: &[u8]) -> Sealed {
        let mut nonce = [0_u8; registrar_domain::sealed::NONCE_BYTES];
        OsRng.fill_bytes(&mut nonce);
        self.keyring().seal(purpose, owner, plaintext, nonce)
    }

    fn recovery_hash(&self, code: &str) -> SecretHash {
        SecretHash::from_stored(
            self.settings
                .secret_key
                .digest("recovery code", &normalized_recovery_code(code)),
        )
    }

    /// Fresh recovery codes: in clear for the user, hashed for the store.
    fn new_recovery_codes(&self) -> (Vec<String>, Vec<SecretHash>) {
        let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
        let hashes = codes.iter().map(|c| self.recovery_hash(c)).collect();
        (codes, hashes)
    }

    /// The secret of a stored factor, opened under the server secret;
    /// `None` (logged) when it cannot be: sealed under a secret this server
    /// does not hold, or damaged. Such a factor takes no code: the operator
    /// adds the old secret to `security.previous_secret_keys`, or resets the
    /// user's factors.
    fn open_totp(&self, user: &UserId, factor: &TotpFactor) -> Option<TotpSecret> {
        let opened = self
            .keyring()
            .open(TOTP_PURPOSE, &user.0, &factor.secret)
            .map_err(|e| e.to_string())
            .and_then(|bytes| TotpSecret::from_stored(bytes).map_err(|e| e.to_string()));
        match opened {
            Ok(secret) => Some(secret),
            Err(error) => {
                tracing::error!(
                    user = %user.0,
                    %error,
                    "cannot open a TOTP secret: add the server secret that sealed it to \
                     security.previous_secret_keys, or reset the user's factors"
                );
                None
            }
        }
    }

    /// The user's TOTP factor if it is confirmed (`true`) or pending (`false`).
    async fn totp_factor_of(&self, user: &UserId, confirmed: bool) -> Result<Option<TotpFactor>, ServiceError> {
        let factor = self.store.totp_factor(user).await?;
        Ok(factor.filter(|f| f.confirmed_at.is_some() == confirmed))
    }

    fn unix_now(&self) -> u64 {
        u64::try_from(self.now().timestamp()).unwrap_or(0)
    }

    /// `GET /api/me/factors`.
    pub async fn factors(&self, ctx: &AuthContext) -> Result<FactorsView, ServiceError> {
        let factors = self.factors_of(&ctx.user.id).await?;
        Ok(FactorsView {
            totp_enabled: factors.totp == TotpState::On,
            passkeys: self.passkey_views(&ctx.user.id).await?,
            recovery_codes_left: factors.recovery_codes_left,
        })
    }

    pub(crate) async fn factors_of(&self, user: &UserId) -> Result<AccountFactors, ServiceError> {
        let totp = self.store.totp_factor(user).await?;
        Ok(AccountFactors {
            totp: TotpState::of(totp.as_ref()),
            passkeys: self.store.passkeys(user).await?.len(),
            recovery_codes_left: self.store.recovery_codes_left(user).await?,
        })
    }

    /// Removes the user's authenticator app and recovery codes (and, for
    /// an operator's reset of every factor, by the `operator` given, the
    /// passkeys and the sign-ins waiting for one), and mails "two-step
    /// verification turned off". `false` (no mail) when there was no factor.
    pub(crate) async fn remove_factors(&self, user: &User, operator: Option<&Actor>) -> Result<bool, ServiceError> {
        let mail = self.outbox_mail(&user.id, OutboxKind::TotpDisabled);
        let mail_id = mail.id.clone();
        let removed = if let Some(actor) = operator {
            let audit = [self
                .event(AuditKind::FactorRemoved, actor.clone())
                .about(&user.id, &user.email)
                .with("factor", "all")];
            self.store.reset_factors(&user.id, Some(mail), &audit).await?
        } else {
            let audit = [self.user_event(AuditKind::FactorRemoved, user).with("factor", "totp")];
            self.store.remove_totp(&user.id, Some(mail), &audit).await?
        };
        if removed {
            tracing::info!(to = user.email.masked(), "two-step verification turned off");
        }
        Ok(self.mail_queued_if(removed, &mail_id).await)
    }

    /// `POST /api/me/factors/totp`: a fresh pending secret, replacing a
    /// pending one. [`ServiceError::FactorEnabled`] when one is confirmed
    /// (remove it first).
    pub async fn enrol_totp(&self, ctx: &AuthContext) -> Result<TotpEnrolment, ServiceError> {
        let secret = new_totp_secret();
        let sealed = self.seal(TOTP_PURPOSE, &ctx.user.id.0, secret.as_bytes());
        if !self.store.put_pending_totp(&ctx.user.id, sealed, self.now()).await? {
            return Err(ServiceError::FactorEnabled);
        }
        Ok(TotpEnrolment {
            secret: secret.base32(),
            otpauth_uri: secret.otpauth_uri(&self.settings.mfa_issuer, ctx.user.email.as_str()),
        })
    }

    /// `POST /api/me/factors/totp/confirm`: the first code from the app
    /// turns the pending secret on and answers the recovery codes, in
    /// clear, once. A wrong code is a field error on `code`, counted as a
    /// failed login (a stolen access token is no way to guess codes).
    pub async fn confirm_totp(
        &self,
        ctx: &AuthContext,
        code: &str,
        from: ClientIp,
    ) -> Result<Vec<String>, ServiceError> {
        let user = &ctx.user;
        let wrong = || ServiceError::Invalid(FieldErrors::single(Field::Code, FieldError::WrongCode));
        self.login_allowed(Some(&user.email), from).await?;
        let Some(pending) = self.totp_factor_of(&user.id, false).await? else {
            return Err(ServiceError::NotFound);
        };
        let step = self
            .open_totp(&user.id, &pending)
            .and_then(|secret| secret.accepts(code, self.unix_now(), None));
        let Some(step) = step else {
            self.user_login_failed(user, "wrong_code", from).await?;
            return Err(wrong());
        };
        let (codes, hashes) = self.new_recovery_codes();
        let mail = self.outbox_mail(&user.id, OutboxKind::TotpEnabled);
        let mail_id = mail.id.clone();
        let confirmation = TotpConfirmation {
            user: user.id.clone(),
            secret: pending.secret,
            step,
            recovery_codes: hashes,
            now: self.now(),
            audit: vec![self
                .session_event(AuditKind::FactorAdded, user, &ctx.session)
                .with("factor", "totp")],
        };
        let confirmed = self.store.confirm_totp(confirmation, Some(mail)).await?;
        if !self.mail_queued_if(confirmed, &mail_id).await {
            // Replaced or confirmed by a concurrent request: this code was
            // for a secret that is no longer pending.
            return Err(wrong());
        }
        tracing::info!(to = user.email.masked(), "two-step verification turned on");
        Ok(codes)
    }

    /// `DELETE /api/me/factors/totp`: with the password, removes the app and
    /// the recovery codes, and mails the user. `NotFound` when there is no
    /// factor.
    pub async fn disable_totp(&self, ctx: &AuthContext, password: &str, from: ClientIp) -> Result<(), ServiceError> {
        self.confirm_password(&ctx.user, password, from).await?;
        // The mfa tokens are left alone: this removes one kind of factor,
        // and a token whose factor is gone completes nothing anyway.
        if !self.remove_factors(&ctx.user, None).await? {
            return Err(ServiceError::NotFound);
        }
        Ok(())
    }

    /// `POST /api/me/factors/recovery-codes`: with the password, a new set
    /// (the old codes die). `NotFound` without a confirmed factor.
    pub async fn renew_recovery_codes(
        &self,
        ctx: &AuthContext,
        password: &str,
        from: ClientIp,
    ) -> Result<Vec<String>, ServiceError> {
        self.confirm_password(&ctx.user, password, from).await?;
        let confirmed = self
            .store
            .totp_factor(&ctx.user.id)
            .await?
            .is_some_and(|f| f.confirmed_at.is_some());
        if !confirmed {
            return Err(ServiceError::NotFound);
        }
        let (codes, hashes) = self.new_recovery_codes();
        let audit = [self
            .session_event(AuditKind::FactorAdded, &ctx.user, &ctx.session)
            .with("factor", "recovery_codes")];
        self.store
            .replace_recovery_codes(&ctx.user.id, hashes, self.now(), &audit)
            .await?;
        Ok(codes)
    }

    /// The factors `user` must give after a correct first factor; empty
    /// when none is enabled.
    pub(crate) async fn second_factors(&self, user: &User) -> Result<Vec<FactorKind>, ServiceError> {
        let totp = self.store.totp_factor(&user.id).await?;
        let totp = totp.is_some_and(|f| f.confirmed_at.is_some());
        // A passkey kept while passkeys are off (no relying party) is no
        // factor this server can check.
        let passkey = self.settings.webauthn.is_some() && !self.store.passkeys(&user.id).await?.is_empty();
        let mut factors = Vec::new();
        if totp {
            factors.push(FactorKind::Totp);
        }
        if passkey {
            factors.push(FactorKind::Passkey);
        }
        if totp {
            factors.push(FactorKind::RecoveryCode);
        }
        Ok(factors)
    }

    /// The sign-in waiting under `token`, if it is live.
    pub(crate) async fn live_mfa_token(&self, token: &SecretToken) -> Result<Option<MfaToken>, ServiceError> {
        let lookup = MfaTokenLookup {
            token_hash: token.hash(),
            now: self.now(),
            max_failures: MFA_TOKEN_FAILURES,
        };
        Ok(self.store.mfa_token(&lookup).await?)
    }

    /// After a correct first factor: `Ok(())` when the account has no second
    /// factor (and the account's failed-login count is cleared), else the
    /// [`ServiceError::MfaRequired`] that carries the attempt on.
    pub(crate) async fn require_second_factor(
        &self,
        user: &User,
        client: &ClientId,
        device: Device,
        first_factor: FirstFactor,
        purpose: MfaPurpose,
    ) -> Result<(), ServiceError> {
        let factors = self.second_factors(user).await?;
        if factors.is_empty() {
            self.login_succeeded(&user.email).await?;
            return Ok(());
        }
        let token = SecretToken::new(random_hex(32));
        let now = self.now();
        let attempt = MfaAttempt {
            user: user.id.clone(),
            client: client.clone(),
            device: device.id,
            device_name: device.name,
            first_factor,
            purpose,
            // What the second step's session or password change rests on.
            credential: match first_factor {
                FirstFactor::Password => user.password_hash.clone(),
                FirstFactor::EmailCode => None,
            },
        };
        let new = NewMfaToken {
            token_hash: token.hash(),
            attempt,
            created_at: now,
            expires_at: now + MFA_TOKEN_TTL,
        };
        self.store.create_mfa_token(new).await?;
        Err(ServiceError::MfaRequired(MfaChallenge {
            mfa_token: token,
            factors,
        }))
    }

    /// The checks of a second step: the attempt the live `mfa_token` of
    /// `grant` carries, its user, and the factor, which is right for the
    /// user ([`Self::take_second_factor`] then uses the token and the TOTP
    /// step; a recovery code or passkey is used up here). `InvalidGrant` for
    /// an unknown, used, expired or dead token, a wrong factor, and a token
    /// of the other kind of sign-in (the page's tokens open browser
    /// sessions, the API's token pairs).
    async fn check_second_factor(
        &self,
        grant: &MfaGrant,
        from: ClientIp,
        purpose: MfaPurpose,
    ) -> Result<CheckedSecondFactor, ServiceError> {
        let browser = purpose == MfaPurpose::BrowserSignIn;
        let lookup = MfaTokenLookup {
            token_hash: SecretToken::new(grant.mfa_token.clone()).hash(),
            now: self.now(),
            max_failures: MFA_TOKEN_FAILURES,
        };
        // An unknown token counts against the client address, as a wrong
        // password of an unknown account does.
        self.login_allowed(None, from).await?;
        let Some(WaitingSignIn { token, user, totp }) = self.store.waiting_sign_in(&lookup).await? else {
            self.login_failed(None, from).await?;
            return Err(ServiceError::InvalidGrant);
        };
        // The sign-in page's attempts open a browser session, never a pair.
        if (token.attempt.purpose == MfaPurpose::BrowserSignIn) != browser {
            return Err(ServiceError::InvalidGrant);
        }
        if grant
            .client
            .as_deref()
            .is_some_and(|client| client != token.attempt.client.as_str())
        {
            return Err(ServiceError::InvalidGrant);
        }
        // A confidential client authenticates in the second step too (the
        // token endpoint checked the secret of the client it names); on the
        // page the client is not the one asking.
        if !browser && grant.client.is_none() && self.is_confidential(&token.attempt.client).await? {
            return Err(ServiceError::InvalidClient);
        }
        let method = grant.factor.sign_in_method(token.attempt.first_factor);
        self.login_allowed(Some(&user.email), from).await?;
        let totp_step = match self.factor_check(&user, totp, grant).await? {
            FactorCheck::Wrong => {
                self.second_factor_wrong(&lookup.token_hash, &user, from).await?;
                return Err(ServiceError::InvalidGrant);
            }
            FactorCheck::UsedUp => None,
            FactorCheck::TotpStep(step) => Some(step),
        };
        Ok(CheckedSecondFactor {
            lookup,
            attempt: token.attempt,
            user,
            method,
            totp_step,
            from,
        })
    }

    /// A wrong factor: counted against the token, the account and the
    /// client address.
    async fn second_factor_wrong(&self, token: &SecretHash, user: &User, from: ClientIp) -> Result<(), ServiceError> {
        self.store.mfa_token_failed(token).await?;
        self.user_login_failed(user, "wrong_factor", from).await
    }

    /// Uses what [`Self::check_second_factor`] checked: the token (of two
    /// requests with one token, one goes on) and the TOTP step (of two with
    /// one code, one), opening `session` with them in one transaction.
    /// Answers the attempt, its user, the sign-in method and whether the
    /// session's new-device notice was queued.
    async fn take_second_factor(
        &self,
        checked: CheckedSecondFactor,
        session: Option<NewSession>,
    ) -> Result<(MfaAttempt, User, SignInMethod, bool), ServiceError> {
        let CheckedSecondFactor {
            lookup,
            user,
            method,
            totp_step,
            from,
            ..
        } = checked;
        let token_hash = lookup.token_hash.clone();
        let taking = SecondFactorUse {
            lookup,
            user: user.id.clone(),
            totp_step,
            session: session.map(|session| (session, self.settings.max_sessions_per_client)),
        };
        match self.store.take_second_factor(taking).await? {
            SecondFactorTaken::TokenNotLive => Err(ServiceError::InvalidGrant),
            // A replayed code (or one another request used first).
            SecondFactorTaken::StepUsed => {
                self.second_factor_wrong(&token_hash, &user, from).await?;
                Err(ServiceError::InvalidGrant)
            }
            SecondFactorTaken::Taken { token, notice_queued } => {
                self.login_succeeded(&user.email).await?;
                if user.disabled {
                    return Err(ServiceError::AccountDisabled);
                }
                Ok((token.attempt, user, method, notice_queued))
            }
        }
    }

    /// A second step that goes on elsewhere (the page's browser session):
    /// the factor checked and used, as [`Self::check_second_factor`] and
    /// [`Self::take_second_factor`] say.
    pub(crate) async fn pass_second_factor(
        &self,
        grant: &MfaGrant,
        from: ClientIp,
        purpose: MfaPurpose,
    ) -> Result<(MfaAttempt, User, SignInMethod), ServiceError> {
        let checked = self.check_second_factor(grant, from, purpose).await?;
        let (attempt, user, method, _) = self.take_second_factor(checked, None).await?;
        Ok((attempt, user, method))
    }

    /// `grant_type=mfa`: the pair for the attempt the token carries (for a
    /// password change, the new password is set first; for a change of
    /// address, the change is started first). An unknown, used,
    /// expired or dead token, and a wrong factor, are `InvalidGrant`.
    pub async fn login_mfa(&self, grant: MfaGrant, from: ClientIp) -> Result<TokenPair, ServiceError> {
        let checked = self.check_second_factor(&grant, from, MfaPurpose::SignIn).await?;
        // A sign-in's session opens in the transaction that uses the factor.
        let opening = match checked.attempt.purpose {
            MfaPurpose::SignIn if !checked.user.disabled => {
                let (verified, device) = session_basis(&checked.attempt, &checked.user);
                let (client, method) = (checked.attempt.client.clone(), checked.method);
                Some(
                    self.session_to_open(&checked.user, verified, &client, device, method)
                        .await,
                )
            }
            _ => None,
        };
        let (session, opened) = opening.map(|o| (o.session, o.opened)).unzip();
        let (attempt, user, method, queued) = self.take_second_factor(checked, session).await?;
        if attempt.purpose == MfaPurpose::SignIn {
            return match opened {
                Some(opened) => Ok(self.session_opened(opened, queued).await),
                // Not opened for a disabled account, which the use refused.
                None => Err(ServiceError::AccountDisabled),
            };
        }
        let (verified, device) = session_basis(&attempt, &user);
        let client = attempt.client;
        match attempt.purpose {
            // A sign-in was answered above.
            MfaPurpose::SignIn | MfaPurpose::BrowserSignIn => Err(ServiceError::InvalidGrant),
            MfaPurpose::ChangePassword { new_password_hash } => {
                self.set_changed_password(&user, verified, (client, device, method), new_password_hash)
                    .await
            }
            MfaPurpose::ChangeEmail { new_email } => {
                // The change starts, and the pair replaces the session
                // that asked (the same client and device).
                self.start_email_change(&user, None, new_email).await?;
                self.open_session(&user, verified, &client, device, method).await
            }
        }
    }

    /// Whether the factor of `grant` is right for `user` (whose TOTP factor
    /// is `totp`). A recovery code or a passkey is used up here; a TOTP
    /// code's step is taken with the token.
    async fn factor_check(
        &self,
        user: &User,
        totp: Option<TotpFactor>,
        grant: &MfaGrant,
    ) -> Result<FactorCheck, ServiceError> {
        let held = match &grant.factor {
            SecondFactor::Passkey(credential) => self.passkey_factor_holds(user, &grant.mfa_token, credential).await?,
            SecondFactor::Totp(code) => {
                let Some(factor) = totp.filter(|f| f.confirmed_at.is_some()) else {
                    return Ok(FactorCheck::Wrong);
                };
                let step = self
                    .open_totp(&user.id, &factor)
                    .and_then(|secret| secret.accepts(code, self.unix_now(), factor.last_step));
                return Ok(step.map_or(FactorCheck::Wrong, FactorCheck::TotpStep));
            }
            SecondFactor::RecoveryCode(code) => {
                // The mail says when: its queueing instant is the use's.
                let mail = self.outbox_mail(&user.id, OutboxKind::RecoveryCodeUsed);
                let mail_id = mail.id.clone();
                let used = RecoveryCodeUse {
                    user: user.id.clone(),
                    code: self.recovery_hash(code),
                    now: self.now(),
                    audit: vec![self.user_event(AuditKind::RecoveryCodeUsed, user)],
                };
                let holds = self.store.use_recovery_code(&used, Some(mail)).await?;
                if holds {
                    tracing::info!(to = user.email.masked(), "a recovery code was used");
                }
                self.mail_queued_if(holds, &mail_id).await
            }
        };
        Ok(if held { FactorCheck::UsedUp } else { FactorCheck::Wrong })
    }

    /// Checks the password of a signed-in user before a sensitive change.
    /// A wrong one counts as a failed login (per account and per client
    /// address) and none is checked during a lockout: a stolen access token
    /// is no way to guess the password.
    pub(crate) async fn confirm_password(
        &self,
        user: &User,
        password: &str,
        from: ClientIp,
    ) -> Result<(), ServiceError> {
        let incorrect = || ServiceError::Invalid(FieldErrors::single(Field::Password, FieldError::PasswordIncorrect));
        if user.password_hash.is_none() {
            // No password to guess (an email-first account activated
            // without one): nothing to count against its owner.
            return Err(incorrect());
        }
        self.login_allowed(Some(&user.email), from).await?;
        let verified = match Password::presented(password, &self.settings.password) {
            Some(presented) => self.hasher.verify(&presented, user.password_hash.as_ref()).await?,
            None => false,
        };
        if !verified {
            self.user_login_failed(user, "wrong_password", from).await?;
            return Err(incorrect());
        }
        Ok(())
    }
}

/// A second factor checked against a live `mfa_token`
/// ([`Registrar::check_second_factor`]), the token and any TOTP step not
/// used yet.
struct CheckedSecondFactor {
    lookup: MfaTokenLookup,
    attempt: MfaAttempt,
    user: User,
    method: SignInMethod,
    totp_step: Option<u64>,
    from: ClientIp,
}

/// What a factor given with a second step came to.
enum FactorCheck {
    /// Not the user's: counted as a failure.
    Wrong,
    /// Right, and used up (a recovery code, a passkey's challenge).
    UsedUp,
    /// A right TOTP code of this step, to be taken with the token.
    TotpStep(u64),
}

/// What the session or password change a second step completes rests on:
/// the password the first step verified (a token from before that was
/// kept: the user's password now; changed or reset since, the session or
/// change is refused), and the attempt's device.
fn session_basis(attempt: &MfaAttempt, user: &User) -> (Option<PasswordHash>, Device) {
    let verified = attempt.credential.clone().or_else(|| user.password_hash.clone());
    let device = Device {
        id: attempt.device.clone(),
        name: attempt.device_name.clone(),
    };
    (verified, device)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_ten_letters_in_two_groups_and_typed_loosely() {
        let code = new_recovery_code();
        assert_eq!(code.len(), 11, "{code}");
        assert_eq!(code.chars().nth(5), Some('-'));
        assert!(
            code.chars()
                .filter(|c| *c != '-')
                .all(|c| RECOVERY_ALPHABET.contains(&(c as u8))),
            "{code}"
        );
        assert_eq!(normalized_recovery_code("ABCDE-fghjk"), "abcdefghjk");
        assert_eq!(normalized_recovery_code(" abcde fghjk "), "abcdefghjk");
        assert_ne!(new_recovery_code(), new_recovery_code());
    }

    fn grant(token: Option<&str>, code: Option<&str>, recovery: Option<&str>) -> Result<MfaGrant, ServiceError> {
        MfaGrant::parse(MfaGrantInput {
            mfa_token: token.map(str::to_owned),
            code: code.map(str::to_owned),
            recovery_code: recovery.map(str::to_owned),
            credential: None,
            client_id: None,
        })
    }

    #[test]
    fn an_mfa_grant_takes_its_token_and_exactly_one_factor() {
        assert!(matches!(
            grant(Some("t"), Some("123456"), None),
            Ok(MfaGrant {
                factor: SecondFactor::Totp(_),
                ..
            })
        ));
        assert!(matches!(
            grant(Some("t"), None, Some("abcde-fghjk")),
            Ok(MfaGrant {
                factor: SecondFactor::RecoveryCode(_),
                ..
            })
        ));
        for (token, code, recovery) in [
            (None, Some("1"), None),
            (Some("t"), None, None),
            (Some("t"), Some("1"), Some("r")),
        ] {
            let Err(ServiceError::Invalid(errors)) = grant(token, code, recovery) else {
                panic!("{token:?} {code:?} {recovery:?} is refused");
            };
            assert_eq!(errors.has(Field::MfaToken), token.is_none());
            assert_eq!(errors.has(Field::Code), token.is_some());
        }
    }
}
