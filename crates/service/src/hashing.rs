//! argon2id password hashing, on the blocking thread pool.

use std::sync::{Arc, OnceLock};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash as Phc, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use registrar_domain::{Password, PasswordHash};
use tracing::Instrument;

use crate::ServiceError;

/// argon2id cost parameters (`password.argon2_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Argon2Params {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for Argon2Params {
    /// OWASP's floor for argon2id.
    fn default() -> Self {
        Self {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
        }
    }
}

impl Argon2Params {
    /// Checks the parameters the way argon2 will, for start-up validation.
    pub fn validate(&self) -> Result<(), String> {
        Params::new(self.memory_kib, self.iterations, self.parallelism, None)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// How many argon2 computations may run at once, and how long a request may
/// wait for its turn (`password.max_concurrent_hashes`, `password.hash_queue_timeout`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashingLimits {
    pub max_concurrent: usize,
    pub queue_timeout: std::time::Duration,
}

impl Default for HashingLimits {
    /// One computation per core; ten seconds in the queue.
    fn default() -> Self {
        Self {
            max_concurrent: std::thread::available_parallelism().map_or(2, usize::from),
            queue_timeout: std::time::Duration::from_secs(10),
        }
    }
}

#[derive(Clone)]
pub struct PasswordHasher {
    params: Argon2Params,
    /// Turns to compute: a flood of registrations waits here instead of
    /// taking every core and `max_concurrent × memory` of RAM.
    turns: Arc<tokio::sync::Semaphore>,
    queue_timeout: std::time::Duration,
    /// A hash of a random password with the same parameters, verified when
    /// the user is unknown so that "no such user" takes as long as "wrong password".
    dummy: Arc<OnceLock<String>>,
}

impl PasswordHasher {
    pub fn new(params: Argon2Params) -> Self {
        Self::with_limits(params, HashingLimits::default())
    }

    pub fn with_limits(params: Argon2Params, limits: HashingLimits) -> Self {
        Self {
            params,
            turns: Arc::new(tokio::sync::Semaphore::new(limits.max_concurrent.max(1))),
            queue_timeout: limits.queue_timeout,
            dummy: Arc::new(OnceLock::new()),
        }
    }

    fn argon2(params: Argon2Params) -> Result<Argon2<'static>, ServiceError> {
        let p = Params::new(params.memory_kib, params.iterations, params.parallelism, None)
            .map_err(|e| ServiceError::unexpected(format!("argon2 parameters: {e}")))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, p))
    }

    fn hash_blocking(params: Argon2Params, password: &str) -> Result<String, ServiceError> {
        let salt = SaltString::generate(&mut OsRng);
        Self::argon2(params)?
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| ServiceError::unexpected(format!("argon2 hash: {e}")))
    }

    /// Hashes a new password (PHC string).
    pub async fn hash(&self, password: &Password) -> Result<PasswordHash, ServiceError> {
        let params = self.params;
        let password = password.clone();
        self.run(move || Self::hash_blocking(params, password.expose()))
            .await
            .map(PasswordHash)
    }

    /// Verifies a presented password against a stored hash; with no hash (an
    /// unknown user, or an account without password) it verifies against a
    /// dummy so the answer takes the same time, and says no.
    pub async fn verify(&self, password: &Password, stored: Option<&PasswordHash>) -> Result<bool, ServiceError> {
        let params = self.params;
        let dummy = self.dummy.clone();
        let password = password.clone();
        let stored = stored.map(|h| h.0.clone());
        self.run(move || {
            let (phc, real) = match stored {
                Some(h) => (h, true),
                None => {
                    let d = match dummy.get() {
                        Some(d) => d.clone(),
                        None => {
                            let d = Self::hash_blocking(params, "registrar-dummy-password")?;
                            dummy.get_or_init(|| d).clone()
                        }
                    };
                    (d, false)
                }
            };
            let parsed = Phc::new(&phc).map_err(|e| ServiceError::unexpected(format!("stored hash: {e}")))?;
            // The stored hash carries its own parameters; verification uses them.
            let ok = Argon2::default()
                .verify_password(password.expose().as_bytes(), &parsed)
                .is_ok();
            Ok(ok && real)
        })
        .await
    }
}

/// Password hashes being computed or waiting for their turn.
pub const HASHES_IN_FLIGHT: &str = "registrar_password_hashes_in_flight";

impl PasswordHasher {
    /// Runs an argon2 computation on the blocking pool once it has a turn,
    /// keeping the tracing span. No turn within the queue timeout: `Busy`.
    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> Result<T, ServiceError> + Send + 'static,
    ) -> Result<T, ServiceError> {
        let in_flight = metrics::gauge!(HASHES_IN_FLIGHT);
        in_flight.increment(1.0);
        let result = self.run_in_turn(f).await;
        in_flight.decrement(1.0);
        result
    }

    async fn run_in_turn<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> Result<T, ServiceError> + Send + 'static,
    ) -> Result<T, ServiceError> {
        let turn = match tokio::time::timeout(self.queue_timeout, self.turns.clone().acquire_owned()).await {
            Ok(Ok(turn)) => turn,
            Ok(Err(closed)) => return Err(ServiceError::unexpected(format!("hashing turns: {closed}"))),
            Err(_) => {
                tracing::warn!("password hashing is saturated: a request gave up waiting for its turn");
                return Err(ServiceError::Busy);
            }
        };
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || {
            let _turn = turn;
            span.in_scope(f)
        })
        .in_current_span()
        .await
        .map_err(|e| ServiceError::unexpected(format!("hashing task: {e}")))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use registrar_domain::PasswordPolicy;

    fn cheap() -> PasswordHasher {
        PasswordHasher::new(Argon2Params {
            memory_kib: 256,
            iterations: 1,
            parallelism: 1,
        })
    }

    fn pw(s: &str) -> Password {
        Password::presented(s, &PasswordPolicy::default()).expect("bounded")
    }

    #[tokio::test]
    async fn hashes_are_argon2id_phc_strings_that_verify() {
        let h = cheap().hash(&pw("SweetKittens23#")).await.expect("hash");
        assert!(h.0.starts_with("$argon2id$v=19$m=256,t=1,p=1$"), "{}", h.0);
        assert!(cheap().verify(&pw("SweetKittens23#"), Some(&h)).await.expect("verify"));
        assert!(!cheap().verify(&pw("SweetKittens23"), Some(&h)).await.expect("verify"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_request_that_waits_too_long_for_its_turn_is_told_the_server_is_busy() {
        // One turn, a slow hash holding it, and no patience in the queue.
        let slow = Argon2Params {
            memory_kib: 65_536,
            iterations: 3,
            parallelism: 1,
        };
        let limits = HashingLimits {
            max_concurrent: 1,
            queue_timeout: std::time::Duration::from_millis(1),
        };
        let hasher = PasswordHasher::with_limits(slow, limits);
        let first = {
            let hasher = hasher.clone();
            tokio::spawn(async move { hasher.hash(&pw("SweetKittens23#")).await })
        };
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        let second = hasher.hash(&pw("SweetKittens24#")).await;
        assert!(matches!(second, Err(ServiceError::Busy)), "{second:?}");
        assert!(first.await.expect("task").is_ok(), "the one with the turn finishes");
        assert!(
            hasher.hash(&pw("SweetKittens25#")).await.is_ok(),
            "the turn is free again"
        );
    }

    #[tokio::test]
    async fn an_unknown_user_never_verifies() {
        assert!(!cheap()
            .verify(&pw("registrar-dummy-password"), None)
            .await
            .expect("verify"));
    }
}
