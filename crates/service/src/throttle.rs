//! Throttling in the use cases: which attempts count against which keys,
//! under the limits of configuration (`throttle.*`). The counts live in the
//! store, so every instance on one database sees the same ones.

use chrono::{Duration, SecondsFormat};
use registrar_domain::{AuditKind, ClientIp, Email, Limit, Scope, ThrottleKey, User, UserId};
use registrar_mail::Mailer;
use registrar_store::Store;

use crate::{Registrar, ServiceError};

/// The limits (`throttle.*` in configuration). A limit with `max == 0` is off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleSettings {
    /// Failed logins per account (by the address tried): 5 in 15 minutes,
    /// then locked for 15 minutes, doubling with each lockout up to a day.
    pub login_account: Limit,
    /// Failed logins per client IP: 100 in 15 minutes.
    pub login_ip: Limit,
    /// Registrations (every family, email-first signup too) per client IP: 100 an hour.
    pub register_ip: Limit,
    /// Mails asked for one address (forgot-password, resend, signup): 10 an hour.
    pub mail_address: Limit,
    /// Mails asked from one client IP: 100 an hour.
    pub mail_ip: Limit,
    /// Bodies that could not be read (malformed JSON, a wrong content type)
    /// per client IP: 30 a minute.
    pub malformed_ip: Limit,
    /// Typed codes (every try, whatever the address) per client IP: 100 in 15 minutes.
    pub code_ip: Limit,
    /// Failed code tries per address, across codes: 20 a day. With 5 tries
    /// per code and a new code per mail, this is what bounds guessing a
    /// six-digit code: at most 20 in a million a day.
    pub code_address: Limit,
    /// Data exports of one account (by the user or an admin): 5 an hour.
    pub export_user: Limit,
    /// Data exports asked from one client IP: 20 an hour.
    pub export_ip: Limit,
}

impl Default for ThrottleSettings {
    fn default() -> Self {
        Self {
            login_account: Limit::lockout(5, Duration::minutes(15), Duration::minutes(15), Duration::hours(24)),
            login_ip: Limit::per_window(100, Duration::minutes(15)),
            register_ip: Limit::per_window(100, Duration::hours(1)),
            mail_address: Limit::per_window(10, Duration::hours(1)),
            mail_ip: Limit::per_window(100, Duration::hours(1)),
            malformed_ip: Limit::per_window(30, Duration::minutes(1)),
            code_ip: Limit::per_window(100, Duration::minutes(15)),
            code_address: Limit::per_window(20, Duration::hours(24)),
            export_user: Limit::per_window(5, Duration::hours(1)),
            export_ip: Limit::per_window(20, Duration::hours(1)),
        }
    }
}

impl ThrottleSettings {
    /// Every limit off (tools and tests that are not about throttling).
    pub fn off() -> Self {
        let off = Limit::per_window(0, Duration::hours(1));
        Self {
            login_account: off,
            login_ip: off,
            register_ip: off,
            mail_address: off,
            mail_ip: off,
            malformed_ip: off,
            code_ip: off,
            code_address: off,
            export_user: off,
            export_ip: off,
        }
    }
}

impl<S: Store, M: Mailer> Registrar<S, M> {
    /// `TooManyAttempts` if any of `keys` is locked now. Reads only.
    async fn refuse_if_locked(&self, keys: &[ThrottleKey]) -> Result<(), ServiceError> {
        if keys.is_empty() {
            return Ok(());
        }
        let now = self.now();
        match self.store.throttle_lock(keys, now).await? {
            Some(until) => Err(ServiceError::too_many_attempts(until - now)),
            None => Ok(()),
        }
    }

    /// Counts one attempt against every key whose limit is on; `TooManyAttempts`
    /// (and nothing counted) if one of them is locked.
    async fn count_attempt(&self, hits: Vec<(ThrottleKey, Limit)>) -> Result<(), ServiceError> {
        let hits: Vec<_> = hits.into_iter().filter(|(_, limit)| !limit.is_off()).collect();
        if hits.is_empty() {
            return Ok(());
        }
        let now = self.now();
        match self.store.throttle_hit(&hits, now).await? {
            Some(until) => Err(ServiceError::too_many_attempts(until - now)),
            None => Ok(()),
        }
    }

    fn login_keys(&self, email: Option<&Email>, from: ClientIp) -> Vec<(ThrottleKey, Limit)> {
        let limits = &self.settings.throttle;
        let mut keys = vec![(
            ThrottleKey::for_ip(Scope::LoginIp, from, &self.settings.secret_key),
            limits.login_ip,
        )];
        if let Some(email) = email {
            keys.push((
                ThrottleKey::for_email(Scope::LoginAccount, email, &self.settings.secret_key),
                limits.login_account,
            ));
        }
        keys
    }

    /// Before a password is checked: refused while the account or the
    /// client address is locked out.
    pub(crate) async fn login_allowed(&self, email: Option<&Email>, from: ClientIp) -> Result<(), ServiceError> {
        let keys: Vec<ThrottleKey> = self
            .login_keys(email, from)
            .into_iter()
            .filter(|(_, limit)| !limit.is_off())
            .map(|(key, _)| key)
            .collect();
        self.refuse_if_locked(&keys).await
    }

    /// A wrong password (or unknown address) counts against both.
    pub(crate) async fn login_failed(&self, email: Option<&Email>, from: ClientIp) -> Result<(), ServiceError> {
        match self.count_attempt(self.login_keys(email, from)).await {
            // Locked meanwhile by a concurrent failure: this one was wrong all the same.
            Ok(()) | Err(ServiceError::TooManyAttempts { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// A failed sign-in of a known account (`reason`: `wrong_password`,
    /// `wrong_code`, `wrong_factor`, `passkey_refused`): counted as
    /// [`Self::login_failed`] counts it, and written to the audit trail as
    /// `user.sign_in_failed`. The failure that locks the account's sign-in
    /// (the hit after which its key is locked) also writes
    /// `user.locked_out` with the lock's end (`until`): one event per
    /// lockout; the refusals while it lasts write none. An unknown address
    /// writes nothing (no event names it, and the answer is the same).
    pub(crate) async fn user_login_failed(
        &self,
        user: &User,
        reason: &str,
        from: ClientIp,
    ) -> Result<(), ServiceError> {
        let counted = match self.count_attempt(self.login_keys(Some(&user.email), from)).await {
            Ok(()) => true,
            Err(ServiceError::TooManyAttempts { .. }) => false,
            Err(e) => return Err(e),
        };
        let mut events = vec![self.user_event(AuditKind::SignInFailed, user).with("reason", reason)];
        if counted && !self.settings.throttle.login_account.is_off() {
            let key = ThrottleKey::for_email(Scope::LoginAccount, &user.email, &self.settings.secret_key);
            if let Some(until) = self.store.throttle_lock(&[key], self.now()).await? {
                events.push(
                    self.user_event(AuditKind::LockedOut, user)
                        .with("until", until.to_rfc3339_opts(SecondsFormat::Secs, true)),
                );
            }
        }
        self.store.record_audit(&events).await?;
        Ok(())
    }

    /// The right password: the account's count starts again.
    pub(crate) async fn login_succeeded(&self, email: &Email) -> Result<(), ServiceError> {
        if self.settings.throttle.login_account.is_off() {
            return Ok(());
        }
        Ok(self
            .store
            .throttle_clear(&ThrottleKey::for_email(
                Scope::LoginAccount,
                email,
                &self.settings.secret_key,
            ))
            .await?)
    }

    /// A registration attempt (any family) from `from`.
    pub(crate) async fn registration_attempt(&self, from: ClientIp) -> Result<(), ServiceError> {
        let limit = self.settings.throttle.register_ip;
        self.count_attempt(vec![(
            ThrottleKey::for_ip(Scope::RegisterIp, from, &self.settings.secret_key),
            limit,
        )])
        .await
    }

    /// A request that mails `email` (if it has an account), from `from`;
    /// `registering` also counts it as a registration attempt (email-first signup).
    pub(crate) async fn mail_attempt(
        &self,
        email: &Email,
        from: ClientIp,
        registering: bool,
    ) -> Result<(), ServiceError> {
        let limits = &self.settings.throttle;
        let mut hits = vec![
            (
                ThrottleKey::for_email(Scope::MailAddress, email, &self.settings.secret_key),
                limits.mail_address,
            ),
            (
                ThrottleKey::for_ip(Scope::MailIp, from, &self.settings.secret_key),
                limits.mail_ip,
            ),
        ];
        if registering {
            hits.push((
                ThrottleKey::for_ip(Scope::RegisterIp, from, &self.settings.secret_key),
                limits.register_ip,
            ));
        }
        self.count_attempt(hits).await
    }

    /// A change of address asked for by the account with `current`, to
    /// `new`, from `from`: counted as a mail asked for, against both
    /// addresses and the client.
    pub(crate) async fn email_change_attempt(
        &self,
        current: &Email,
        new: &Email,
        from: ClientIp,
    ) -> Result<(), ServiceError> {
        let limits = &self.settings.throttle;
        let key = &self.settings.secret_key;
        self.count_attempt(vec![
            (
                ThrottleKey::for_email(Scope::MailAddress, current, key),
                limits.mail_address,
            ),
            (
                ThrottleKey::for_email(Scope::MailAddress, new, key),
                limits.mail_address,
            ),
            (ThrottleKey::for_ip(Scope::MailIp, from, key), limits.mail_ip),
        ])
        .await
    }

    /// A request whose body could not be read, from `from`: `TooManyAttempts`
    /// once that client sent too many of them.
    pub async fn malformed_body(&self, from: ClientIp) -> Result<(), ServiceError> {
        let limit = self.settings.throttle.malformed_ip;
        self.count_attempt(vec![(
            ThrottleKey::for_ip(Scope::MalformedIp, from, &self.settings.secret_key),
            limit,
        )])
        .await
    }

    /// Before a typed code is checked: refused while the address's code
    /// budget or this client's code tries are used up; counts the try
    /// against the client. Every kind of code goes through here.
    pub(crate) async fn code_attempt(&self, email: &Email, from: ClientIp) -> Result<(), ServiceError> {
        let limits = &self.settings.throttle;
        if !limits.code_address.is_off() {
            let key = ThrottleKey::for_email(Scope::CodeAddress, email, &self.settings.secret_key);
            self.refuse_if_locked(&[key]).await?;
        }
        let ip = ThrottleKey::for_ip(Scope::CodeIp, from, &self.settings.secret_key);
        self.count_attempt(vec![(ip, limits.code_ip)]).await
    }

    /// A data export of `user` asked from `from` (by the user or an admin).
    pub(crate) async fn export_attempt(&self, user: &UserId, from: ClientIp) -> Result<(), ServiceError> {
        let limits = &self.settings.throttle;
        let key = &self.settings.secret_key;
        self.count_attempt(vec![
            (ThrottleKey::for_user(Scope::ExportUser, user, key), limits.export_user),
            (ThrottleKey::for_ip(Scope::ExportIp, from, key), limits.export_ip),
        ])
        .await
    }

    /// A wrong, used or expired code (or an unknown address): one try of the
    /// address's budget gone.
    pub(crate) async fn code_failed(&self, email: &Email) -> Result<(), ServiceError> {
        let key = ThrottleKey::for_email(Scope::CodeAddress, email, &self.settings.secret_key);
        match self
            .count_attempt(vec![(key, self.settings.throttle.code_address)])
            .await
        {
            Ok(()) | Err(ServiceError::TooManyAttempts { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }
}
