//! Synthetic accounts for benchmarks and load tests (`registrar seed`):
//! many users inserted fast, each with a live session whose tokens a load
//! generator can compute without asking the server.

use chrono::Duration;
use registrar_domain::{
    ClientId, DeviceId, DeviceName, Email, Password, Profile, Role, SecretHash, SessionId, SignInMethod, TotpSecret,
    UserId,
};
use registrar_mail::Mailer;
use registrar_store::{FirstFactor, ImportedUser, MfaAttempt, MfaPurpose, NewMfaToken, NewSession, NewUser, Store};
use sha2::{Digest, Sha256};

use crate::factors::TOTP_PURPOSE;
use crate::{Registrar, ServiceError, MFA_TOKEN_TTL};

/// Users per transaction.
const BATCH: u64 = 10_000;

/// The address of seeded user `i`.
pub fn seed_email(i: u64) -> String {
    format!("seed-{i}@bench.example")
}

/// The tokens of seeded user `i`'s session (`access`, `refresh`): the
/// lowercase hex SHA-256 of `seed-access-{i}` and `seed-refresh-{i}`.
pub fn seed_tokens(i: u64) -> (String, String) {
    let token = |kind: &str| hex::encode(Sha256::digest(format!("seed-{kind}-{i}").as_bytes()));
    (token("access"), token("refresh"))
}

/// The authenticator-app secret of seeded user `i` (`--totp`): the first
/// 20 bytes of the SHA-256 of `seed-totp-{i}`.
pub fn seed_totp_secret(i: u64) -> [u8; registrar_domain::totp::SECRET_BYTES] {
    let digest = Sha256::digest(format!("seed-totp-{i}").as_bytes());
    let mut secret = [0_u8; registrar_domain::totp::SECRET_BYTES];
    secret.copy_from_slice(&digest[..registrar_domain::totp::SECRET_BYTES]);
    secret
}

/// The `mfa_token` of seeded user `i`'s waiting sign-in (`--totp`): the
/// lowercase hex SHA-256 of `seed-mfa-{i}`.
pub fn seed_mfa_token(i: u64) -> String {
    hex::encode(Sha256::digest(format!("seed-mfa-{i}").as_bytes()))
}

/// What `registrar seed` inserts besides the accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SeedExtras {
    /// Each user also has a confirmed authenticator app
    /// ([`seed_totp_secret`], no step used) and a sign-in on the client that
    /// waits for it on device `seed-mfa` ([`seed_mfa_token`], live for
    /// [`MFA_TOKEN_TTL`] from now): the benchmark's `grant_type=mfa` scenario.
    pub totp: bool,
}

impl<S: Store, M: Mailer> Registrar<S, M> {
    /// As [`Self::seed_users_with`], no extras.
    pub async fn seed_users(&self, from: u64, count: u64, client: &str, password: &str) -> Result<u64, ServiceError> {
        self.seed_users_with(from, count, client, password, SeedExtras::default())
            .await
    }

    /// Inserts users `from..from + count` ([`seed_email`]), confirmed, all
    /// with `password` (hashed once), each with a session on `client`
    /// (device `seed`) holding [`seed_tokens`]; the access tokens live 30
    /// days, and `extras`; then refreshes the database's planner statistics.
    /// Returns how many were inserted.
    pub async fn seed_users_with(
        &self,
        from: u64,
        count: u64,
        client: &str,
        password: &str,
        extras: SeedExtras,
    ) -> Result<u64, ServiceError> {
        let client = self.known_client(&crate::parse::ClientRef::of(client)).await?;
        let password = Password::presented(password, &self.settings.password)
            .ok_or_else(|| ServiceError::unexpected("the seed password is not a possible password"))?;
        let hash = self.hasher.hash(&password).await?;
        let device = DeviceId::parse("seed").map_err(|_| ServiceError::unexpected("device id"))?;
        let device_name = DeviceName::parse("Seeded").map_err(|_| ServiceError::unexpected("device name"))?;
        // The waiting sign-ins are on a device of their own: completing one
        // opens a second session and leaves the seeded one (its computed
        // tokens) working.
        let mfa_device = DeviceId::parse("seed-mfa").map_err(|_| ServiceError::unexpected("device id"))?;
        let now = self.now();
        let mut inserted = 0;
        let mut start = from;
        let end = from.saturating_add(count);
        while start < end {
            let stop = end.min(start + BATCH);
            let mut batch = Vec::with_capacity(usize::try_from(stop - start).unwrap_or(0));
            for i in start..stop {
                let email = Email::parse(&seed_email(i)).map_err(|_| ServiceError::unexpected("seed address"))?;
                let id = UserId(uuid::Uuid::new_v4().to_string());
                let (access, refresh) = seed_tokens(i);
                let session = NewSession {
                    id: SessionId(uuid::Uuid::new_v4().to_string()),
                    user_id: id.clone(),
                    client_id: ClientId::clone(&client),
                    device_id: device.clone(),
                    device_name: device_name.clone(),
                    access_hash: SecretHash::of(&access),
                    access_expires_at: now + Duration::days(30),
                    refresh_hash: SecretHash::of(&refresh),
                    now,
                    credential: None,
                    sign_in_method: SignInMethod::Import,
                    scope: None,
                    audit: Vec::new(),
                    new_device_notice: None,
                };
                let (totp, mfa_token) = if extras.totp {
                    let secret = TotpSecret::new(seed_totp_secret(i));
                    let attempt = MfaAttempt {
                        user: id.clone(),
                        client: ClientId::clone(&client),
                        device: mfa_device.clone(),
                        device_name: device_name.clone(),
                        first_factor: FirstFactor::Password,
                        purpose: MfaPurpose::SignIn,
                        credential: Some(hash.clone()),
                    };
                    let token = NewMfaToken {
                        token_hash: SecretHash::of(&seed_mfa_token(i)),
                        attempt,
                        created_at: now,
                        expires_at: now + MFA_TOKEN_TTL,
                    };
                    (Some(self.seal(TOTP_PURPOSE, &id.0, secret.as_bytes())), Some(token))
                } else {
                    (None, None)
                };
                let user = NewUser {
                    id,
                    email,
                    password_hash: Some(hash.clone()),
                    profile: Profile::person(),
                    role: Role::guest(),
                    language: self.settings.default_language,
                    email_confirmed_at: Some(now),
                    consent: None,
                    created_at: now,
                };
                batch.push(ImportedUser {
                    session: Some(session),
                    totp,
                    mfa_token,
                    ..ImportedUser::bare(user)
                });
            }
            inserted += self.store.import_users(batch).await?;
            start = stop;
        }
        // A search right after a bulk insert, before statistics, walked a
        // million rows in page order (bench/README.md).
        self.store.refresh_statistics().await?;
        Ok(inserted)
    }
}
