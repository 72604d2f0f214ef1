//! Mail delivery through the durable outbox. A use case queues a mail in the
//! same transaction as the change that causes it; delivery mints the code or
//! link at send time (so the queue never holds one in clear), stores only its
//! hash, and hands the mail to the mailer — at once when the mailer is local,
//! else from the background worker, with retries and backoff. A new
//! account's confirmation, when the mailer is local, is minted just before
//! its transaction instead, its hashes stored in it and the mail queued
//! claimed by the request that sends it ([`Registrar::mint_with`]).

use chrono::Duration;
use rand::rngs::OsRng;
use rand::Rng;
use registrar_domain::{ConfirmationCode, ConfirmationPurpose, Email, SecretToken, User, UserId};
use registrar_mail::{Mail, MailContent, MailError, Mailer};
use registrar_store::{EmailChangeSecret, NewConfirmation, NewOutboxMail, OutboxKind, OutboxMail, Store};

use crate::tokens::random_hex;
use crate::{Registrar, ServiceError};

/// Mails queued and not yet sent nor given up (the app reads it from the
/// store for `/metrics`, independently of the worker).
pub const OUTBOX_BACKLOG: &str = "registrar_mail_outbox_backlog";
/// Seconds since the oldest mail not yet sent nor given up was queued (0 when none).
pub const OUTBOX_OLDEST_AGE: &str = "registrar_mail_outbox_oldest_age_seconds";
/// Mails delivered, retried and given up, by kind and outcome.
pub const MAILS: &str = "registrar_mails_total";

/// A mail whose secrets were minted with the change that queued it
/// ([`Registrar::mint_with`]), to be sent by the request after the commit.
pub(crate) struct MintedMail {
    queued: OutboxMail,
    mail: Mail,
}

/// How often the outbox worker drops what expired (see [`Registrar::purge_expired`]).
pub const PURGE_INTERVAL: Duration = Duration::minutes(10);

/// How the outbox is worked (`mail.*`).
#[derive(Debug, Clone, Copy)]
pub struct OutboxSettings {
    /// Attempts before a mail is given up.
    pub max_attempts: u32,
    /// Wait before the first retry; doubles each time up to `retry_max`.
    pub retry_base: Duration,
    pub retry_max: Duration,
    /// How long a claim holds a mail for one worker.
    pub lease: Duration,
    /// How often the worker looks for due mail queued by other instances or retries.
    pub poll_interval: Duration,
    /// Mails claimed per round.
    pub batch: usize,
}

impl Default for OutboxSettings {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            retry_base: Duration::seconds(30),
            retry_max: Duration::hours(1),
            lease: Duration::seconds(60),
            poll_interval: Duration::seconds(5),
            batch: 20,
        }
    }
}

impl OutboxSettings {
    /// When to try again after `attempts` failed attempts (1 = the first failed).
    pub fn backoff(&self, attempts: u32) -> Duration {
        let factor = 2_i32.saturating_pow(attempts.saturating_sub(1).min(20));
        (self.retry_base * factor).min(self.retry_max)
    }
}

impl<S: Store, M: Mailer> Registrar<S, M> {
    pub(crate) fn outbox_mail(&self, user: &UserId, kind: OutboxKind) -> NewOutboxMail {
        NewOutboxMail {
            id: uuid::Uuid::new_v4().to_string(),
            user_id: user.clone(),
            kind,
            created_at: self.now(),
            detail: None,
            claimed_until: None,
        }
    }

    /// The mail `kind` becomes for this user: an email-first account waiting
    /// for consent gets its signup link (consent and password in one form)
    /// instead of any other link — a reset, a plain confirmation — so that
    /// no link lets it in without consent.
    pub(crate) fn mail_kind_for(user: &User, kind: OutboxKind) -> OutboxKind {
        // A change of address is asked for by a signed-in account: its
        // mails go to the addresses of the change, never as a signup link.
        let change = matches!(
            kind,
            OutboxKind::EmailChangeConfirm | OutboxKind::EmailChangeNotice | OutboxKind::EmailChanged
        );
        if user.consent_pending() && !change {
            OutboxKind::SignupConfirmation
        } else {
            kind
        }
    }

    /// For a mail a use case is about to queue for `user`, when the mailer
    /// delivers at once and the mail carries a confirmation (its code and
    /// link): the confirmation, minted now for the use case to store in its
    /// transaction, and the mail, queued claimed
    /// ([`NewOutboxMail::claimed_until`]) for [`Self::send_minted`] to send
    /// after the commit. That is two write transactions fewer than a claim
    /// and a confirmation of their own. `None` (the mail queued as it is,
    /// then [`Self::mail_queued`]) for any other mail or mailer.
    pub(crate) fn mint_with(&self, mail: &mut NewOutboxMail, user: &User) -> Option<(NewConfirmation, MintedMail)> {
        if !self.mailer.delivers_instantly() || mail.user_id != user.id {
            return None;
        }
        let kind = Self::mail_kind_for(user, mail.kind);
        if !matches!(kind, OutboxKind::Confirmation | OutboxKind::SignupConfirmation) {
            return None;
        }
        let code = ConfirmationCode::from_number(OsRng.gen_range(0..1_000_000));
        let (confirmation, token) = self.new_confirmation(&user.id, ConfirmationPurpose::Email, Some(&code));
        mail.claimed_until = Some(self.now() + self.settings.outbox.lease);
        let queued = OutboxMail {
            id: mail.id.clone(),
            user: user.clone(),
            kind: mail.kind,
            attempts: 0,
            created_at: mail.created_at,
            detail: mail.detail.clone(),
        };
        let content = self.confirmation_content(kind, code, &token);
        let mail = Self::mail_to(user, user.email.clone(), content);
        Some((confirmation, MintedMail { queued, mail }))
    }

    /// Sends a mail [`Self::mint_with`] minted, once the change that queued
    /// it committed, and records the outcome as for any claimed mail.
    pub(crate) async fn send_minted(&self, minted: MintedMail) {
        self.deliver(minted.queued, Some(minted.mail)).await;
    }

    /// After a use case committed a queued mail: deliver it now when the mailer
    /// is local and cannot stall; else wake the worker. Never fails the caller.
    pub(crate) async fn mail_queued(&self, id: &str) {
        if !self.mailer.delivers_instantly() {
            self.outbox_kick.notify_one();
            return;
        }
        let now = self.now();
        match self
            .store
            .claim_mail_by_id(id, now, now + self.settings.outbox.lease)
            .await
        {
            Ok(Some(mail)) => self.deliver(mail, None).await,
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "could not claim a queued mail; the worker will send it"),
        }
    }

    /// After a store call that queued mail `id` only if it answered
    /// `changed`: [`Self::mail_queued`] when it did. Hands `changed` on.
    pub(crate) async fn mail_queued_if(&self, changed: bool, id: &str) -> bool {
        if changed {
            self.mail_queued(id).await;
        }
        changed
    }

    /// Delivers due mails, one batch. Returns how many were claimed.
    pub async fn deliver_due(&self) -> Result<usize, ServiceError> {
        let now = self.now();
        let mails = self
            .store
            .claim_mail(now, now + self.settings.outbox.lease, self.settings.outbox.batch)
            .await?;
        let count = mails.len();
        for mail in mails {
            self.deliver(mail, None).await;
        }
        Ok(count)
    }

    /// The background worker: delivers due mail whenever woken or every
    /// `poll_interval`, until the future is dropped.
    pub async fn run_outbox_worker(&self) {
        let poll = self
            .settings
            .outbox
            .poll_interval
            .to_std()
            .unwrap_or(std::time::Duration::from_secs(5));
        let mut last_purge = None;
        loop {
            if last_purge.is_none_or(|at| self.now() - at >= PURGE_INTERVAL) {
                self.purge_expired().await;
                last_purge = Some(self.now());
            }
            let claimed = match self.deliver_due().await {
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(error = %e, "outbox: could not claim mail");
                    0
                }
            };
            if claimed == self.settings.outbox.batch {
                continue;
            }
            tokio::select! {
                _ = self.outbox_kick.notified() => {}
                _ = tokio::time::sleep(poll) => {}
            }
        }
    }

    /// Drops what expired and nobody reads again: throttle counters,
    /// `mfa_token`s, sign-in codes, WebAuthn ceremonies, and the signing keys
    /// retired longer than [`Registrar::signing_key_retention`] ago (no
    /// longer published). The outbox worker of every instance
    /// calls it when it starts and every [`PURGE_INTERVAL`]; a failure is
    /// logged and the next pass tries again.
    pub async fn purge_expired(&self) {
        let now = self.now();
        for (what, purged) in [
            ("throttle counters", self.store.throttle_purge(now).await),
            ("mfa tokens", self.store.purge_mfa_tokens(now).await),
            ("sign-in codes", self.store.purge_sign_in_codes(now).await),
            ("email changes", self.store.purge_email_changes(now).await),
            ("webauthn ceremonies", self.store.purge_ceremonies(now).await),
            (
                "signing keys",
                self.store.purge_signing_keys(now - self.signing_key_retention()).await,
            ),
            (
                "authorization codes and browser sessions",
                self.store.purge_authorization(now).await,
            ),
            (
                "audit events past audit.retention_days",
                self.store.prune_audit(now - self.settings.audit.retention).await,
            ),
            (
                "finished webhook deliveries",
                self.store
                    .purge_webhook_deliveries(now - self.settings.webhooks.retention)
                    .await,
            ),
        ] {
            match purged {
                Ok(0) => {}
                Ok(n) => tracing::debug!(purged = n, what, "expired records dropped"),
                Err(e) => tracing::warn!(error = %e, what, "could not drop expired records"),
            }
        }
    }

    /// Delivers one claimed mail (`composed`, when its secrets were minted
    /// with it, else composed now) and records the outcome. Its claim counted
    /// the attempt already, so a delivery that never comes back (it killed
    /// the process) is counted too; a mail whose attempts were all used up
    /// that way is given up here instead of tried again. The attempt runs
    /// in a task of its own: a panic in it (in the mailer, on data nobody
    /// foresaw) fails this attempt only, never the worker or the request.
    async fn deliver(&self, queued: OutboxMail, composed: Option<Mail>) {
        let kind = queued.kind.as_str();
        let to = queued.user.email.masked();
        let max_attempts = self.settings.outbox.max_attempts;
        if queued.attempts >= max_attempts {
            let attempts = queued.attempts;
            metrics::counter!(MAILS, "kind" => kind, "outcome" => "given_up").increment(1);
            tracing::error!(
                kind,
                to,
                attempts,
                "mail given up: every attempt was used up by deliveries that never finished"
            );
            let error = format!("given up after {attempts} attempts that never finished");
            if let Err(e) = self.store.mark_mail_failed(&queued.id, None, &error, self.now()).await {
                tracing::error!(kind, to, error = %e, "outbox: could not record the delivery outcome");
            }
            return;
        }
        let attempt = {
            let (this, queued) = (self.clone(), queued.clone());
            tokio::spawn(async move { this.attempt(&queued, composed).await })
        };
        let outcome = match attempt.await {
            Ok(outcome) => outcome,
            Err(e) => {
                let what = if e.is_panic() { "panicked" } else { "was cancelled" };
                tracing::error!(kind, to, "outbox: the delivery {what}");
                Err(MailError::Transient(format!("the delivery {what}")))
            }
        };
        self.record(&queued, outcome).await;
    }

    /// Mints what the mail carries (unless it was, `composed`) and sends it.
    async fn attempt(&self, queued: &OutboxMail, composed: Option<Mail>) -> Result<(), MailError> {
        let composed = match composed {
            Some(mail) => Ok(Some(mail)),
            None => self.compose(queued).await,
        };
        match composed {
            Ok(Some(mail)) => self.mailer.send(&mail).await,
            Ok(None) => {
                let (kind, to) = (queued.kind.as_str(), queued.user.email.masked());
                tracing::info!(kind, to, "mail dropped: the change it was about is gone");
                Ok(())
            }
            Err(e) => {
                let (kind, to) = (queued.kind.as_str(), queued.user.email.masked());
                tracing::error!(kind, to, error = %e, "outbox: could not prepare the mail");
                Err(MailError::Transient(e.to_string()))
            }
        }
    }

    /// Records how an attempt went: sent, due again after the backoff, or
    /// given up after `max_attempts`.
    async fn record(&self, queued: &OutboxMail, outcome: Result<(), MailError>) {
        let kind = queued.kind.as_str();
        let to = queued.user.email.masked();
        let attempts = queued.attempts + 1;
        let recorded = match &outcome {
            Ok(()) => {
                metrics::counter!(MAILS, "kind" => kind, "outcome" => "sent").increment(1);
                tracing::info!(kind, to, attempts, "mail sent");
                self.store.mark_mail_sent(&queued.id, self.now()).await
            }
            Err(e @ MailError::Transient(_)) if attempts < self.settings.outbox.max_attempts => {
                let retry_at = self.now() + self.settings.outbox.backoff(attempts);
                metrics::counter!(MAILS, "kind" => kind, "outcome" => "retry").increment(1);
                tracing::warn!(kind, to, attempts, error = %e, %retry_at, "mail not sent; will retry");
                self.store
                    .mark_mail_failed(&queued.id, Some(retry_at), &e.to_string(), self.now())
                    .await
            }
            Err(e) => {
                metrics::counter!(MAILS, "kind" => kind, "outcome" => "given_up").increment(1);
                tracing::error!(kind, to, attempts, error = %e, "mail given up");
                self.store
                    .mark_mail_failed(&queued.id, None, &e.to_string(), self.now())
                    .await
            }
        };
        if let Err(e) = recorded {
            // The claim lapses and the mail is tried again: at least once, never lost.
            tracing::error!(kind, to, error = %e, "outbox: could not record the delivery outcome");
        }
    }

    /// The mail for a queued message, with fresh secrets whose hashes are
    /// stored first; `None` when it is about a change of address that is
    /// gone (replaced, cancelled, applied or expired): nothing to send.
    async fn compose(&self, queued: &OutboxMail) -> Result<Option<Mail>, ServiceError> {
        let user = &queued.user;
        let base = &self.settings.public_url;
        // Also for mails queued before the account's state was known.
        let kind = Self::mail_kind_for(user, queued.kind);
        let mut to = user.email.clone();
        let content = match kind {
            OutboxKind::EmailChangeConfirm | OutboxKind::EmailChangeNotice => {
                let id = queued.detail.as_deref().unwrap_or_default();
                let token = SecretToken::new(random_hex(32));
                let link_hash = self.settings.secret_key.link_hash(token.expose());
                if kind == OutboxKind::EmailChangeNotice {
                    let secret = EmailChangeSecret::Cancel { link_hash };
                    let Some(change) = self.store.arm_email_change(&user.id, id, secret, self.now()).await? else {
                        return Ok(None);
                    };
                    MailContent::EmailChangeNotice {
                        new_email: change.new_email.masked(),
                        cancel_link: format!("{base}/confirm/email-cancel/{}", token.expose()),
                    }
                } else {
                    let code = ConfirmationCode::from_number(OsRng.gen_range(0..1_000_000));
                    let code_hash = code.hash_for(&user.id, &self.settings.secret_key);
                    let secret = EmailChangeSecret::Confirm { code_hash, link_hash };
                    let Some(change) = self.store.arm_email_change(&user.id, id, secret, self.now()).await? else {
                        return Ok(None);
                    };
                    // The new address is the one to prove.
                    to = change.new_email;
                    let left = change.expires_at - self.now();
                    let hours = left.num_hours() + i64::from(left.num_minutes() % 60 > 0);
                    MailContent::EmailChangeConfirm {
                        code,
                        link: format!("{base}/confirm/email-change/{}", token.expose()),
                        valid_hours: u32::try_from(hours.max(1)).unwrap_or(u32::MAX),
                    }
                }
            }
            OutboxKind::EmailChanged => {
                // To the old address, kept as the mail's detail.
                let old = queued.detail.as_deref().and_then(|old| Email::parse(old).ok());
                let Some(old) = old else {
                    return Err(ServiceError::unexpected(
                        "an email-changed notice without its old address",
                    ));
                };
                let new_email = std::mem::replace(&mut to, old).masked();
                MailContent::EmailChanged { new_email }
            }
            OutboxKind::NewSignIn => MailContent::NewSignIn {
                device: queued.detail.clone().unwrap_or_default(),
                at: queued.created_at,
            },
            OutboxKind::SignInCode => {
                let code = ConfirmationCode::from_number(OsRng.gen_range(0..1_000_000));
                self.store_confirmation(&user.id, ConfirmationPurpose::SignInCode, Some(&code))
                    .await?;
                let valid_minutes = u32::try_from(crate::EMAIL_CODE_TTL.num_minutes()).unwrap_or(u32::MAX);
                MailContent::SignInCode { code, valid_minutes }
            }
            OutboxKind::Confirmation | OutboxKind::SignupConfirmation => {
                let code = ConfirmationCode::from_number(OsRng.gen_range(0..1_000_000));
                let token = self
                    .store_confirmation(&user.id, ConfirmationPurpose::Email, Some(&code))
                    .await?;
                self.confirmation_content(kind, code, &token)
            }
            // Every other mail offers a way back in: a reset link.
            OutboxKind::PasswordReset
            | OutboxKind::PasswordChanged
            | OutboxKind::SignupAttempt
            | OutboxKind::TotpEnabled
            | OutboxKind::TotpDisabled
            | OutboxKind::RecoveryCodeUsed
            | OutboxKind::PasskeyAdded
            | OutboxKind::PasskeyRemoved => {
                let token = self
                    .store_confirmation(&user.id, ConfirmationPurpose::PasswordReset, None)
                    .await?;
                let link = format!("{base}/reset-password/{}", token.expose());
                match kind {
                    OutboxKind::PasswordReset => MailContent::PasswordReset { link },
                    OutboxKind::PasswordChanged => MailContent::PasswordChanged { reset_link: link },
                    OutboxKind::TotpEnabled => MailContent::TotpEnabled { reset_link: link },
                    OutboxKind::TotpDisabled => MailContent::TotpDisabled { reset_link: link },
                    OutboxKind::RecoveryCodeUsed => MailContent::RecoveryCodeUsed {
                        used_at: queued.created_at,
                        reset_link: link,
                    },
                    OutboxKind::PasskeyAdded => MailContent::PasskeyAdded { reset_link: link },
                    OutboxKind::PasskeyRemoved => MailContent::PasskeyRemoved { reset_link: link },
                    _ => MailContent::SignupAttempt { reset_link: link },
                }
            }
        };
        Ok(Some(Self::mail_to(user, to, content)))
    }

    /// The mail of `content` for `user`, sent to `to`.
    fn mail_to(user: &User, to: Email, content: MailContent) -> Mail {
        Mail {
            to,
            name: user.profile.display_name(),
            language: user.language,
            content,
        }
    }

    /// What a confirmation mail of `kind` says: its code, and its link,
    /// which carries `token`.
    fn confirmation_content(&self, kind: OutboxKind, code: ConfirmationCode, token: &SecretToken) -> MailContent {
        let base = &self.settings.public_url;
        match kind {
            OutboxKind::SignupConfirmation => MailContent::SignupConfirmation {
                code,
                link: format!("{base}/confirm/signup/{}", token.expose()),
            },
            _ => MailContent::Confirmation {
                code,
                link: format!("{base}/confirm/{}", token.expose()),
            },
        }
    }

    /// Stores a new confirmation (replacing the live one of its purpose) and
    /// returns its link token (a sign-in code's is never sent).
    async fn store_confirmation(
        &self,
        user: &UserId,
        purpose: ConfirmationPurpose,
        code: Option<&ConfirmationCode>,
    ) -> Result<SecretToken, ServiceError> {
        let (confirmation, token) = self.new_confirmation(user, purpose, code);
        self.store.replace_confirmation(confirmation).await?;
        Ok(token)
    }

    /// A new confirmation of `purpose` for `user`, with `code` (if any) and
    /// a fresh link token: the hashes to store, and the token for the link.
    fn new_confirmation(
        &self,
        user: &UserId,
        purpose: ConfirmationPurpose,
        code: Option<&ConfirmationCode>,
    ) -> (NewConfirmation, SecretToken) {
        let now = self.now();
        let token = SecretToken::new(random_hex(32));
        let ttl = match purpose {
            ConfirmationPurpose::Email => self.settings.confirmation_ttl,
            ConfirmationPurpose::PasswordReset => self.settings.reset_ttl,
            ConfirmationPurpose::SignInCode => crate::EMAIL_CODE_TTL,
        };
        let confirmation = NewConfirmation {
            user_id: user.clone(),
            purpose,
            code_hash: code.map(|c| c.hash_for(user, &self.settings.secret_key)),
            link_hash: self.settings.secret_key.link_hash(token.expose()),
            expires_at: now + ttl,
            created_at: now,
        };
        (confirmation, token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let s = OutboxSettings::default();
        assert_eq!(s.backoff(1), Duration::seconds(30));
        assert_eq!(s.backoff(2), Duration::seconds(60));
        assert_eq!(s.backoff(4), Duration::seconds(240));
        assert_eq!(s.backoff(30), Duration::hours(1));
    }
}
