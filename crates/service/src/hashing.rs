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

#[derive(Clone)]
pub struct PasswordHasher {
    params: Argon2Params,
    /// A hash of a random password with the same parameters, verified when
    /// the user is unknown so that "no such user" takes as long as "wrong password".
    dummy: Arc<OnceLock<String>>,
}

impl PasswordHasher {
    pub fn new(params: Argon2Params) -> Self {
        Self {
            params,
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
        run_blocking(move || Self::hash_blocking(params, password.expose()))
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
        run_blocking(move || {
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

/// Password hashes being computed or waiting for a blocking thread.
pub const HASHES_IN_FLIGHT: &str = "registrar_password_hashes_in_flight";

/// Runs CPU-heavy work on the blocking pool, keeping the tracing span.
async fn run_blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ServiceError> + Send + 'static,
) -> Result<T, ServiceError> {
    let span = tracing::Span::current();
    let in_flight = metrics::gauge!(HASHES_IN_FLIGHT);
    in_flight.increment(1.0);
    let result = tokio::task::spawn_blocking(move || span.in_scope(f))
        .in_current_span()
        .await;
    in_flight.decrement(1.0);
    result.map_err(|e| ServiceError::unexpected(format!("hashing task: {e}")))?
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

    #[tokio::test]
    async fn an_unknown_user_never_verifies() {
        assert!(!cheap()
            .verify(&pw("registrar-dummy-password"), None)
            .await
            .expect("verify"));
    }
}
