//! Synthetic accounts for benchmarks and load tests (`registrar seed`):
//! many users inserted fast, each with a live session whose tokens a load
//! generator can compute without asking the server.

use chrono::Duration;
use registrar_domain::{
    ClientId, DeviceId, DeviceName, Email, Password, Profile, Role, SecretHash, SessionId, SignInMethod, UserId,
};
use registrar_mail::Mailer;
use registrar_store::{ImportedUser, NewSession, NewUser, Store};
use sha2::{Digest, Sha256};

use crate::{Registrar, ServiceError};

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

impl<S: Store, M: Mailer> Registrar<S, M> {
    /// Inserts users `from..from + count` ([`seed_email`]), confirmed, all
    /// with `password` (hashed once), each with a session on `client`
    /// (device `seed`) holding [`seed_tokens`]; the access tokens live 30
    /// days; then refreshes the database's planner statistics. Returns how
    /// many were inserted.
    pub async fn seed_users(&self, from: u64, count: u64, client: &str, password: &str) -> Result<u64, ServiceError> {
        let client = self.known_client(&crate::parse::ClientRef::of(client)).await?;
        let password = Password::presented(password, &self.settings.password)
            .ok_or_else(|| ServiceError::unexpected("the seed password is not a possible password"))?;
        let hash = self.hasher.hash(&password).await?;
        let device = DeviceId::parse("seed").map_err(|_| ServiceError::unexpected("device id"))?;
        let device_name = DeviceName::parse("Seeded").map_err(|_| ServiceError::unexpected("device name"))?;
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
