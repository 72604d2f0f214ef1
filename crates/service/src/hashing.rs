//! argon2id password hashing (and verifying the schemes of imported
//! hashes, [`crate::stored_hash`]) on threads of its own, `max_concurrent`
//! of them taking the hashes in order from one queue, each in a work area
//! taken from a pool and given back: the memory argon2 needs (`m` KiB a
//! hash) is allocated once per turn and reused, so the process never holds
//! more than `max_concurrent × m` KiB of it, whatever the allocator does
//! with freed memory.
//!
//! A hashing thread goes from one hash straight to the next one waiting.
//! Turns handed out by a semaphore to tasks that then went to the blocking
//! pool left each core idle between two hashes while the next task was
//! woken and moved (5 % of the machine under sign-ins, bench/README.md,
//! "Hashing threads of their own").

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash as Phc, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use registrar_domain::{Password, PasswordHash};

use crate::stored_hash::{self, Scheme};
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
    /// The hashing threads' queue: a flood of registrations waits here
    /// instead of taking every core and `max_concurrent × memory` of RAM.
    /// The threads end when the last clone of the hasher is dropped.
    jobs: crossbeam_channel::Sender<Job>,
    queue_timeout: std::time::Duration,
    /// A hash of a random password with the same parameters, verified when
    /// the user is unknown so that "no such user" takes as long as "wrong password".
    dummy: Arc<OnceLock<String>>,
    /// Work areas of finished computations, for the next ones (at most one per turn).
    memory: Arc<WorkMemory>,
}

/// argon2's work areas, reused.
#[derive(Debug, Default)]
struct WorkMemory(Mutex<Vec<Vec<Block>>>);

impl WorkMemory {
    /// Runs `f` with a work area of at least `blocks` blocks.
    fn with<T>(&self, blocks: usize, f: impl FnOnce(&mut [Block]) -> T) -> T {
        let spare = self.0.lock().ok().and_then(|mut pool| pool.pop());
        let mut area = match spare {
            Some(area) if area.len() >= blocks => area,
            // None spare, or too small for these parameters (a hash stored
            // under a larger memory cost): a new one, which replaces it.
            _ => vec![Block::default(); blocks],
        };
        let result = f(&mut area);
        if let Ok(mut pool) = self.0.lock() {
            pool.push(area);
        }
        result
    }
}

impl PasswordHasher {
    pub fn new(params: Argon2Params) -> Self {
        Self::with_limits(params, HashingLimits::default())
    }

    pub fn with_limits(params: Argon2Params, limits: HashingLimits) -> Self {
        let (jobs, queue) = crossbeam_channel::unbounded();
        for n in 0..limits.max_concurrent.max(1) {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("registrar-hash-{n}"))
                .spawn(move || take_jobs(&queue));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a password hashing thread");
            }
        }
        Self {
            params,
            jobs,
            queue_timeout: limits.queue_timeout,
            dummy: Arc::new(OnceLock::new()),
            memory: Arc::default(),
        }
    }

    fn argon2_params(params: Argon2Params) -> Result<Params, ServiceError> {
        Params::new(params.memory_kib, params.iterations, params.parallelism, None)
            .map_err(|e| ServiceError::unexpected(format!("argon2 parameters: {e}")))
    }

    /// A PHC string of `password` under `params`, with a fresh salt.
    fn hash_blocking(memory: &WorkMemory, params: Argon2Params, password: &str) -> Result<String, ServiceError> {
        let params = Self::argon2_params(params)?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        let fail = |e: &dyn std::fmt::Display| ServiceError::unexpected(format!("argon2 hash: {e}"));
        let salt = SaltString::generate(&mut OsRng);
        let mut salt_bytes = [0u8; 64];
        let salt_bytes = salt.as_salt().decode_b64(&mut salt_bytes).map_err(|e| fail(&e))?;
        let length = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
        let output = memory
            .with(params.block_count(), |area| {
                Output::init_with(length, |out| {
                    argon2
                        .hash_password_into_with_memory(password.as_bytes(), salt_bytes, out, area)
                        .map_err(|_| argon2::password_hash::Error::Crypto)
                })
            })
            .map_err(|e| fail(&e))?;
        let phc = Phc {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&params).map_err(|e| fail(&e))?,
            salt: Some(salt.as_salt()),
            hash: Some(output),
        };
        Ok(phc.to_string())
    }

    /// Whether `password` matches the stored hash, computed under the
    /// parameters the string carries, in its own scheme ([`Scheme`]): argon2
    /// here, in a reused work area; bcrypt, PBKDF2 and scrypt by their
    /// crates. The comparison is constant-time. A string of no scheme
    /// Registrar verifies (or one its crate refuses) matches nothing.
    fn verify_blocking(memory: &WorkMemory, stored: &str, password: &str) -> bool {
        match Scheme::of(stored) {
            Ok(Scheme::Argon2) => Self::verify_argon2(memory, stored, password),
            Ok(other) => stored_hash::verify_other(other, stored, password),
            Err(why) => {
                tracing::warn!(why, "a stored password hash is in no format this build can check");
                false
            }
        }
    }

    fn verify_argon2(memory: &WorkMemory, phc: &str, password: &str) -> bool {
        let Ok(parsed) = Phc::new(phc) else {
            return false;
        };
        let Some((argon2, blocks, salt, expected)) = Self::verifier(&parsed) else {
            return false;
        };
        let mut salt_bytes = [0u8; 64];
        let Ok(salt_bytes) = salt.decode_b64(&mut salt_bytes) else {
            return false;
        };
        let computed = memory.with(blocks, |area| {
            Output::init_with(expected.len(), |out| {
                argon2
                    .hash_password_into_with_memory(password.as_bytes(), salt_bytes, out, area)
                    .map_err(|_| argon2::password_hash::Error::Crypto)
            })
        });
        computed.is_ok_and(|computed| computed == expected)
    }

    /// The argon2 instance, work-area size, salt and expected output a PHC string describes.
    fn verifier<'a>(parsed: &Phc<'a>) -> Option<(Argon2<'static>, usize, argon2::password_hash::Salt<'a>, Output)> {
        let algorithm = Algorithm::try_from(parsed.algorithm).ok()?;
        let version = match parsed.version {
            Some(v) => Version::try_from(v).ok()?,
            None => Version::default(),
        };
        let params = Params::try_from(parsed).ok()?;
        let blocks = params.block_count();
        Some((
            Argon2::new(algorithm, version, params),
            blocks,
            parsed.salt?,
            parsed.hash?,
        ))
    }

    /// Hashes a new password (PHC string).
    pub async fn hash(&self, password: &Password) -> Result<PasswordHash, ServiceError> {
        let params = self.params;
        let memory = self.memory.clone();
        let password = password.clone();
        self.run(move || Self::hash_blocking(&memory, params, password.expose()))
            .await
            .map(PasswordHash)
    }

    /// Verifies a presented password against a stored hash in any scheme
    /// [`Scheme`] knows (see [`crate::stored_hash`]); with no hash (an
    /// unknown user, or an account without password) it verifies against a
    /// dummy so the answer takes the same time, and says no.
    pub async fn verify(&self, password: &Password, stored: Option<&PasswordHash>) -> Result<bool, ServiceError> {
        let params = self.params;
        let dummy = self.dummy.clone();
        let memory = self.memory.clone();
        let password = password.clone();
        let stored = stored.map(|h| h.0.clone());
        self.run(move || {
            let (phc, real) = match stored {
                Some(h) => (h, true),
                None => {
                    let d = match dummy.get() {
                        Some(d) => d.clone(),
                        None => {
                            let d = Self::hash_blocking(&memory, params, "registrar-dummy-password")?;
                            dummy.get_or_init(|| d).clone()
                        }
                    };
                    (d, false)
                }
            };
            // The stored hash carries its own scheme and parameters; verification uses them.
            let ok = Self::verify_blocking(&memory, &phc, password.expose());
            Ok(ok && real)
        })
        .await
    }
}

impl PasswordHasher {
    /// Whether `stored` should be replaced by a hash under the configured
    /// parameters once the password is verified ([`stored_hash::needs_upgrade`]).
    pub fn needs_upgrade(&self, stored: &PasswordHash) -> bool {
        stored_hash::needs_upgrade(&stored.0, self.params)
    }
}

/// Password hashes being computed or waiting for their turn.
pub const HASHES_IN_FLIGHT: &str = "registrar_password_hashes_in_flight";

impl PasswordHasher {
    /// Runs an argon2 computation on a hashing thread, keeping the tracing
    /// span, and counts it in [`HASHES_IN_FLIGHT`] while it waits and runs.
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

    /// Queues `f` for the hashing threads and waits for its result. Not
    /// taken by a thread within the queue timeout: `Busy`, and no thread
    /// will take it; taken, it is waited for to the end.
    async fn run_in_turn<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> Result<T, ServiceError> + Send + 'static,
    ) -> Result<T, ServiceError> {
        let (answer, mut answered) = tokio::sync::oneshot::channel();
        let claim = Arc::new(AtomicU8::new(WAITING));
        let span = tracing::Span::current();
        let job = Job {
            claim: claim.clone(),
            run: Box::new(move || {
                // The request is gone (its client went away): nothing to do.
                if !answer.is_closed() {
                    let _ = answer.send(span.in_scope(f));
                }
            }),
        };
        self.jobs
            .send(job)
            .map_err(|_| ServiceError::unexpected("the password hashing threads are gone"))?;
        let gone = |_| ServiceError::unexpected("a password hash failed on its thread");
        if let Ok(answer) = tokio::time::timeout(self.queue_timeout, &mut answered).await {
            return answer.map_err(gone)?;
        }
        if claim
            .compare_exchange(WAITING, ABANDONED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            tracing::warn!("password hashing is saturated: a request gave up waiting for its turn");
            return Err(ServiceError::Busy);
        }
        // A thread took it as the timeout fell: it is being computed.
        answered.await.map_err(gone)?
    }
}

/// A hash waiting in the queue: the work, which answers the request
/// itself, and who has it ([`WAITING`], [`TAKEN`], [`ABANDONED`]).
struct Job {
    claim: Arc<AtomicU8>,
    run: Box<dyn FnOnce() + Send>,
}

/// In the queue, neither taken nor given up.
const WAITING: u8 = 0;
/// Taken by a hashing thread: it will answer.
const TAKEN: u8 = 1;
/// Given up by its request (the queue timeout): no thread runs it.
const ABANDONED: u8 = 2;

/// A hashing thread: takes jobs in order until every sender is gone. A job
/// that panics is logged and the thread goes on (its request sees the
/// answer dropped: an unexpected error).
fn take_jobs(queue: &crossbeam_channel::Receiver<Job>) {
    for job in queue {
        if job
            .claim
            .compare_exchange(WAITING, TAKEN, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            continue;
        }
        if std::panic::catch_unwind(AssertUnwindSafe(job.run)).is_err() {
            tracing::error!("a password hash panicked; its hashing thread goes on");
        }
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
        // One turn, a slow hash holding it (half a second or more), and
        // little patience in the queue (enough for the thread to take the
        // first one on a busy test machine).
        let slow = Argon2Params {
            memory_kib: 65_536,
            iterations: 12,
            parallelism: 1,
        };
        let limits = HashingLimits {
            max_concurrent: 1,
            queue_timeout: std::time::Duration::from_millis(100),
        };
        let hasher = PasswordHasher::with_limits(slow, limits);
        let first = {
            let hasher = hasher.clone();
            tokio::spawn(async move { hasher.hash(&pw("SweetKittens23#")).await })
        };
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let second = hasher.hash(&pw("SweetKittens24#")).await;
        assert!(matches!(second, Err(ServiceError::Busy)), "{second:?}");
        assert!(first.await.expect("task").is_ok(), "the one with the turn finishes");
        assert!(
            hasher.hash(&pw("SweetKittens25#")).await.is_ok(),
            "the turn is free again"
        );
    }

    #[tokio::test]
    async fn hashes_interoperate_with_the_argon2_crates_own_phc_strings() {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::default()
            .hash_password(b"SweetKittens23#", &salt)
            .expect("hash")
            .to_string();
        let stored = PasswordHash(theirs);
        assert!(cheap()
            .verify(&pw("SweetKittens23#"), Some(&stored))
            .await
            .expect("verify"));
        assert!(!cheap()
            .verify(&pw("SweetKittens24#"), Some(&stored))
            .await
            .expect("verify"));
        let ours = cheap().hash(&pw("SweetKittens23#")).await.expect("hash");
        let parsed = Phc::new(&ours.0).expect("a PHC string");
        assert!(Argon2::default().verify_password(b"SweetKittens23#", &parsed).is_ok());
    }

    #[tokio::test]
    async fn a_hash_stored_under_a_larger_memory_cost_still_verifies() {
        let larger = PasswordHasher::new(Argon2Params {
            memory_kib: 4096,
            iterations: 1,
            parallelism: 1,
        });
        let stored = larger.hash(&pw("SweetKittens23#")).await.expect("hash");
        let hasher = cheap();
        assert!(!hasher
            .verify(&pw("SweetKittens23"), Some(&stored))
            .await
            .expect("verify"));
        assert!(hasher
            .verify(&pw("SweetKittens23#"), Some(&stored))
            .await
            .expect("verify"));
    }

    #[tokio::test]
    async fn text_of_no_known_scheme_matches_nothing_and_never_fails() {
        for stored in [
            "not a hash",
            "",
            "$md5$rounds=1000$c2FsdA$aGFzaA",
            "$2y$07$short",
            "pbkdf2_sha256$x$salt$aGFzaA==",
            "$argon2id$v=19$m=1,t=1,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNo",
        ] {
            let stored = PasswordHash(stored.into());
            assert!(
                !cheap()
                    .verify(&pw("SweetKittens23#"), Some(&stored))
                    .await
                    .expect("verify"),
                "{}",
                stored.0
            );
        }
    }

    /// Checks that `stored` verifies `right` and not `wrong`.
    async fn verifies(stored: &str, right: &str, wrong: &str) {
        let stored = PasswordHash(stored.to_owned());
        assert!(
            cheap().verify(&pw(right), Some(&stored)).await.expect("verify"),
            "{} verifies {right}",
            stored.0
        );
        assert!(
            !cheap().verify(&pw(wrong), Some(&stored)).await.expect("verify"),
            "{} refuses {wrong}",
            stored.0
        );
    }

    #[tokio::test]
    async fn bcrypt_hashes_of_every_prefix_verify() {
        // PHP's manual, password_verify(): a `$2y$` hash of "rasmuslerdorf".
        verifies(
            "$2y$07$BCryptRequires22Chrcte/VlQH0piJtjXl.0t1XkA8pw9dMXTpOq",
            "rasmuslerdorf",
            "rasmuslerdorF",
        )
        .await;
        // Openwall's crypt_blowfish test vectors: "U*U".
        verifies(
            "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
            "U*U",
            "U*V",
        )
        .await;
        // Python's bcrypt (the C reference) with a fixed salt.
        verifies(
            "$2b$04$abcdefghijklmnopqrstuuYYiAaL/2C3TU6ycJeUE.ShiBYaq7l8S",
            "SweetKittens23#",
            "SweetKittens24#",
        )
        .await;
        let theirs = bcrypt::hash("SweetKittens23#", 4).expect("bcrypt");
        assert!(theirs.starts_with("$2b$04$"), "{theirs}");
        verifies(&theirs, "SweetKittens23#", "SweetKittens24#").await;
        let theirs_2y = bcrypt::hash_with_result("SweetKittens23#", 4)
            .expect("bcrypt")
            .format_for_version(bcrypt::Version::TwoY);
        verifies(&theirs_2y, "SweetKittens23#", "SweetKittens24#").await;
    }

    #[tokio::test]
    async fn django_pbkdf2_sha256_hashes_verify() {
        // Django's own tests (test_hashers): make_password("lètmein", "seasalt", "pbkdf2_sha256").
        verifies(
            "pbkdf2_sha256$10000$seasalt$CWWFdHOWwPnki7HvkcqN9iA2T3KLW1cf2uZ5kvArtVY=",
            "lètmein",
            "letmein",
        )
        .await;
        // Django 4.2's iteration count, computed by Python's hashlib (Django's primitive).
        verifies(
            "pbkdf2_sha256$600000$UnVkNqM0XyJpK3bKYcMfEw$Cf096l8TmNrcEKD2SAh7YjdjJNw4/Vtp9zDwOwfWGvM=",
            "SweetKittens23#",
            "SweetKittens24#",
        )
        .await;
    }

    #[tokio::test]
    async fn pbkdf2_phc_strings_verify() {
        use pbkdf2::password_hash::{Ident, PasswordHasher as _};
        // The PBKDF2-HMAC-SHA256 vector of RustCrypto's pbkdf2 (c = 4096, dkLen = 40).
        verifies(
            "$pbkdf2-sha256$i=4096,l=40$c2FsdFNBTFRzYWx0U0FMVHNhbHRTQUxUc2FsdFNBTFRzYWx0$NIyJ28vTKy8y2BS4EW6EzysXNH68GAAYHE4qH7jdU+HGNVGMfaxH6Q",
            "passwordPASSWORDpassword",
            "passwordPASSWORDpassworD",
        )
        .await;
        let salt = SaltString::generate(&mut OsRng);
        for ident in ["pbkdf2-sha256", "pbkdf2-sha512"] {
            let params = pbkdf2::Params {
                rounds: 1000,
                output_length: 32,
            };
            let theirs = pbkdf2::Pbkdf2
                .hash_password_customized(b"SweetKittens23#", Some(Ident::new_unwrap(ident)), None, params, &salt)
                .expect("pbkdf2")
                .to_string();
            verifies(&theirs, "SweetKittens23#", "SweetKittens24#").await;
        }
    }

    #[tokio::test]
    async fn scrypt_phc_strings_verify() {
        use scrypt::password_hash::PasswordHasher as _;
        // passlib's documented example (N = 2^16, r = 8, p = 1) of "password".
        verifies(
            "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E",
            "password",
            "passworD",
        )
        .await;
        let salt = SaltString::generate(&mut OsRng);
        let params = scrypt::Params::new(10, 8, 1, 32).expect("params");
        let theirs = scrypt::Scrypt
            .hash_password_customized(b"SweetKittens23#", None, None, params, &salt)
            .expect("scrypt")
            .to_string();
        verifies(&theirs, "SweetKittens23#", "SweetKittens24#").await;
    }

    #[tokio::test]
    async fn argon2_hashes_of_every_variant_verify() {
        // The reference implementation's test vector (test.c): argon2i of "password".
        verifies(
            "$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$wWKIMhR9lyDFvRz9YTZweHKfbftvj+qf+YFY4NeBbtA",
            "password",
            "passworD",
        )
        .await;
        // argon2-cffi (the C reference), argon2d with two lanes and argon2id.
        verifies(
            "$argon2d$v=19$m=64,t=1,p=2$cmVnaXN0cmFyc2FsdA$1WKnYqhjxYJZAWrnxLQd+nDLTE7rGLuHC2A99yo36vc",
            "SweetKittens23#",
            "SweetKittens24#",
        )
        .await;
        verifies(
            "$argon2id$v=19$m=256,t=1,p=1$cmVnaXN0cmFyc2FsdA$pKfJ1ckLFUSQKTYuAyWJzty5/gvwtdENchjEirkGLH8",
            "SweetKittens23#",
            "SweetKittens24#",
        )
        .await;
    }

    #[tokio::test]
    async fn the_hashes_a_hasher_writes_need_no_upgrade_until_its_costs_rise() {
        let hasher = cheap();
        let ours = hasher.hash(&pw("SweetKittens23#")).await.expect("hash");
        assert!(!hasher.needs_upgrade(&ours));
        let stricter = PasswordHasher::new(Argon2Params {
            memory_kib: 512,
            iterations: 1,
            parallelism: 1,
        });
        assert!(stricter.needs_upgrade(&ours));
        let upgraded = stricter.hash(&pw("SweetKittens23#")).await.expect("hash");
        assert!(!stricter.needs_upgrade(&upgraded));
        assert!(
            upgraded.0.starts_with("$argon2id$v=19$m=512,t=1,p=1$"),
            "{}",
            upgraded.0
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn work_areas_are_reused_one_per_turn_at_most() {
        let limits = HashingLimits {
            max_concurrent: 2,
            queue_timeout: std::time::Duration::from_secs(30),
        };
        let hasher = PasswordHasher::with_limits(
            Argon2Params {
                memory_kib: 1024,
                iterations: 1,
                parallelism: 1,
            },
            limits,
        );
        let tasks: Vec<_> = (0..16)
            .map(|i| {
                let hasher = hasher.clone();
                tokio::spawn(async move { hasher.hash(&pw(&format!("SweetKittens{i}#"))).await })
            })
            .collect();
        for task in tasks {
            task.await.expect("task").expect("hash");
        }
        let areas = hasher.memory.0.lock().expect("pool").len();
        assert!((1..=2).contains(&areas), "{areas} work areas for 2 turns");
    }

    /// A hashing thread over a queue of its own, and the queue.
    fn one_thread() -> (crossbeam_channel::Sender<Job>, std::thread::JoinHandle<()>) {
        let (jobs, queue) = crossbeam_channel::unbounded();
        (jobs, std::thread::spawn(move || take_jobs(&queue)))
    }

    fn job(claim: u8, run: impl FnOnce() + Send + 'static) -> Job {
        Job {
            claim: Arc::new(AtomicU8::new(claim)),
            run: Box::new(run),
        }
    }

    #[test]
    fn a_hash_that_panics_leaves_its_thread_taking_the_next() {
        let (jobs, thread) = one_thread();
        let (done, finished) = std::sync::mpsc::channel();
        jobs.send(job(WAITING, || panic!("a bad hash"))).expect("queued");
        jobs.send(job(WAITING, move || done.send("next").expect("told")))
            .expect("queued");
        assert_eq!(finished.recv_timeout(std::time::Duration::from_secs(10)), Ok("next"));
        drop(jobs);
        thread
            .join()
            .expect("the thread ends once the queue is closed, without panicking");
    }

    #[test]
    fn a_hash_its_request_gave_up_is_never_computed() {
        let (jobs, thread) = one_thread();
        let (done, finished) = std::sync::mpsc::channel();
        let given_up = done.clone();
        jobs.send(job(ABANDONED, move || given_up.send("abandoned").expect("told")))
            .expect("queued");
        jobs.send(job(WAITING, move || done.send("waiting").expect("told")))
            .expect("queued");
        drop(jobs);
        thread.join().expect("the thread ends");
        assert_eq!(finished.try_iter().collect::<Vec<_>>(), ["waiting"]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_hash_is_computed_on_a_hashing_thread() {
        let hasher = cheap();
        let name = hasher
            .run(|| Ok(std::thread::current().name().map(str::to_owned)))
            .await
            .expect("run");
        assert!(
            name.as_deref().is_some_and(|n| n.starts_with("registrar-hash-")),
            "{name:?}"
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
