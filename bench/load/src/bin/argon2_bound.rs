//! `argon2-bound`: argon2id hashes per second on N threads with the given
//! parameters, the way Registrar hashes (argon2 0.5, a random 16-byte salt,
//! PHC string out, the work memory allocated once per thread and reused, as
//! Registrar's pool of work areas does). The ceiling for register and login.
//! `--fresh-memory` allocates the work memory for every hash instead, as
//! `PasswordHasher::hash_password` does: that measures the allocator too
//! (page faults on 19 MiB each time), for comparison.
//!
//! argon2-bound --threads N --seconds S --m KIB --t T --p P
//! prints one JSON line: {"kind":"argon2", ..., "hashes_per_s": x}

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, PasswordHasher as _, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use clap::Parser;

#[derive(Debug, Parser)]
#[command(name = "argon2-bound")]
struct Args {
    /// Threads hashing at once (default: the number of cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Seconds to hash for.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Memory in KiB.
    #[arg(long, default_value_t = 19_456)]
    m: u32,
    /// Iterations.
    #[arg(long, default_value_t = 2)]
    t: u32,
    /// Lanes.
    #[arg(long, default_value_t = 1)]
    p: u32,
    /// A new work area for every hash (argon2's own hash_password).
    #[arg(long)]
    fresh_memory: bool,
}

/// One hash into a reused work area, as a PHC string.
fn hash_reusing(argon2: &Argon2<'_>, params: &Params, area: &mut [Block], password: &[u8]) -> String {
    let salt = SaltString::generate(&mut OsRng);
    let mut buf = [0u8; 64];
    let salt_bytes = salt.as_salt().decode_b64(&mut buf).expect("salt");
    let output = Output::init_with(params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN), |out| {
        argon2
            .hash_password_into_with_memory(password, salt_bytes, out, &mut *area)
            .map_err(|_| argon2::password_hash::Error::Crypto)
    })
    .expect("argon2");
    PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params).expect("params"),
        salt: Some(salt.as_salt()),
        hash: Some(output),
    }
    .to_string()
}

fn main() {
    let args = Args::parse();
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
    let params = Params::new(args.m, args.t, args.p, None).unwrap_or_else(|e| {
        eprintln!("argon2-bound: bad parameters: {e}");
        std::process::exit(2);
    });
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let fresh = args.fresh_memory;
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (stop, done, argon2, params) = (stop.clone(), done.clone(), argon2.clone(), params.clone());
            std::thread::spawn(move || {
                let mut area = vec![Block::default(); params.block_count()];
                while !stop.load(Ordering::Relaxed) {
                    let phc = if fresh {
                        let salt = SaltString::generate(&mut OsRng);
                        argon2
                            .hash_password(b"Correct-Horse-42", &salt)
                            .map(|h| h.to_string())
                            .expect("argon2")
                    } else {
                        hash_reusing(&argon2, &params, &mut area, b"Correct-Horse-42")
                    };
                    assert!(phc.starts_with("$argon2id$v=19$"), "{phc}");
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(args.seconds));
    stop.store(true, Ordering::Relaxed);
    for h in handles {
        let _ = h.join();
    }
    // Hashes started before the stop finish after it: divide by the real time.
    let elapsed = started.elapsed().as_secs_f64();
    let n = done.load(Ordering::Relaxed);
    let rate = n as f64 / elapsed;
    eprintln!(
        "argon2-bound: {threads} threads{}, m={} t={} p={}: {n} hashes in {elapsed:.2} s = {rate:.1}/s ({:.1} ms each)",
        if fresh { " (fresh memory per hash)" } else { "" },
        args.m,
        args.t,
        args.p,
        threads as f64 * 1000.0 / rate
    );
    println!(
        "{{\"kind\":\"argon2\",\"threads\":{threads},\"m_kib\":{},\"t\":{},\"p\":{},\"seconds\":{elapsed:.3},\"hashes\":{n},\"hashes_per_s\":{rate:.2},\"fresh_memory\":{fresh}}}",
        args.m, args.t, args.p
    );
}
