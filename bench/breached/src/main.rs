//! Measures the breached-password filter (`registrar_domain::BreachedPasswords`)
//! as `registrar passwords import-breached` builds it: for each size, the
//! build time (sort, dedupe, construct), the stored size, the load time
//! (reading the stored bytes back), lookups per second (of keys, and of
//! passwords with their SHA-1), and the false-positive rate measured on
//! random keys that are not in the set. Also the parse rate of
//! `HASH:COUNT` lines. Prints a Markdown table.
//!
//! `cargo run --release -- [SIZES…]` (default: 1000000 10000000).

use std::hint::black_box;
use std::time::Instant;

use registrar_domain::breached::{hibp_hash, parse_hibp_line};
use registrar_domain::BreachedPasswords;

/// splitmix64: a fast, well-mixed generator (no dependency needed).
struct Keys(u64);

impl Iterator for Keys {
    type Item = u64;
    fn next(&mut self) -> Option<u64> {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Some(z ^ (z >> 31))
    }
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("a size"))
        .collect();
    let sizes = if sizes.is_empty() { vec![1_000_000, 10_000_000] } else { sizes };
    println!("| entries | build | bytes | bits/entry | bytes per 1M entries | load (from bytes) | key lookups/s | password lookups/s (SHA-1 + lookup) | false positives |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for size in sizes {
        let keys: Vec<u64> = Keys(size as u64).take(size).collect();
        let probe: Vec<u64> = keys.iter().step_by(97).copied().collect();

        let started = Instant::now();
        let filter = BreachedPasswords::build(keys).expect("built");
        let build = started.elapsed();
        assert!(probe.iter().all(|k| filter.contains_key(*k)), "no false negative");

        let bytes = filter.to_bytes();
        let started = Instant::now();
        let loaded = BreachedPasswords::from_bytes(&bytes).expect("read back");
        let load = started.elapsed();

        // Keys from another stream: (almost surely) not in the set.
        let outsiders: Vec<u64> = Keys(u64::MAX / 3 + size as u64).take(10_000_000).collect();
        let started = Instant::now();
        let hits = outsiders.iter().filter(|k| loaded.contains_key(black_box(**k))).count();
        let lookups = outsiders.len() as f64 / started.elapsed().as_secs_f64();

        let passwords: Vec<String> = (0..1_000_000).map(|i| format!("not-breached-{i}")).collect();
        let started = Instant::now();
        let found = passwords.iter().filter(|p| loaded.contains(black_box(p))).count();
        let password_lookups = passwords.len() as f64 / started.elapsed().as_secs_f64();
        black_box(found);

        let entries = loaded.entries();
        println!(
            "| {entries} | {:.2} s | {} | {:.2} | {:.2} MB | {:.0} ms | {:.1} M | {:.2} M | {hits} of {} = {:.5} % (2⁻¹⁶ = 0.00153 %) |",
            build.as_secs_f64(),
            bytes.len(),
            bytes.len() as f64 * 8.0 / entries as f64,
            bytes.len() as f64 / entries as f64,
            load.as_secs_f64() * 1000.0,
            lookups / 1e6,
            password_lookups / 1e6,
            outsiders.len(),
            hits as f64 * 100.0 / outsiders.len() as f64,
        );
    }

    let lines: Vec<String> = (0..1_000_000).map(|i| format!("{}:{}", hibp_hash(&i.to_string()), i % 1000 + 1)).collect();
    let started = Instant::now();
    let parsed = lines
        .iter()
        .filter(|l| parse_hibp_line(black_box(l.as_bytes())).is_ok())
        .count();
    let rate = parsed as f64 / started.elapsed().as_secs_f64();
    println!();
    println!("`HASH:COUNT` lines parsed: {:.1} M/s (one core)", rate / 1e6);
}
