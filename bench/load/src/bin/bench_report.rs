//! `bench-report`: reads the JSON lines that bench/run.sh collected (from
//! `load`, `argon2-bound` and pgbench) and prints the benchmark's tables in
//! Markdown; with `--out` it writes them there too. Exits 1 when a scenario
//! had errors or did not run, 0 otherwise (a MISSed target is not a failure).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Parser;
use serde_json::Value;

#[derive(Debug, Parser)]
#[command(name = "bench-report")]
struct Args {
    /// The JSON lines file.
    #[arg(long)]
    results: PathBuf,
    /// Also write the Markdown here.
    #[arg(long)]
    out: Option<PathBuf>,
    /// `key=value` lines for the header, in order (date, machine, versions, settings).
    #[arg(long)]
    meta: Vec<String>,
    /// Users seeded for the main run (the small side of the growth check).
    #[arg(long)]
    small: u64,
    /// Users in the database for the large side of the growth check.
    #[arg(long)]
    large: u64,
    /// `password.max_concurrent_hashes` in effect (the RSS budget).
    #[arg(long)]
    hashes: u64,
    /// argon2 memory in KiB (the RSS budget).
    #[arg(long, default_value_t = 19_456)]
    argon2_kib: u64,
    /// Cores (refresh target: 1,200/s per core).
    #[arg(long)]
    cores: u64,
    /// Servers expected (labels), e.g. postgres,sqlite,peer.
    #[arg(long, value_delimiter = ',')]
    expect: Vec<String>,
    /// The scenarios expected of a `*-large` label.
    #[arg(long, value_delimiter = ',', default_value = "login,me,admin_search")]
    large_scenarios: Vec<String>,
}

#[derive(Debug, Clone, Default)]
struct Run {
    rps: f64,
    p50_us: f64,
    p99_us: f64,
    errors: u64,
    statuses: String,
    rss_kib: Option<u64>,
    anon_kib: Option<u64>,
    server_cores: Option<f64>,
    load_cores: Option<f64>,
}

const SCENARIOS: [&str; 9] = [
    "healthz",
    "register",
    "login",
    "refresh",
    "me",
    "introspect",
    "change_password",
    "sign_in",
    "mfa",
];

/// Scenarios run only with the large population (in the detail table).
const LARGE_ONLY: [&str; 1] = ["admin_search"];

fn num(v: &Value, k: &str) -> Option<f64> {
    v.get(k)?.as_f64()
}

fn fmt_rps(x: f64) -> String {
    let n = x.round() as u64;
    if x >= 1000.0 {
        let s = n.to_string();
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    } else if x >= 100.0 {
        format!("{n}")
    } else {
        format!("{x:.1}")
    }
}

fn ms(us: f64) -> String {
    let m = us / 1000.0;
    if m >= 100.0 {
        format!("{m:.0}")
    } else if m >= 10.0 {
        format!("{m:.1}")
    } else {
        format!("{m:.2}")
    }
}

fn pct(x: f64) -> String {
    format!("{:.0} %", x * 100.0)
}

fn times(x: f64) -> String {
    format!("{x:.1}×")
}

fn pass(ok: bool) -> &'static str {
    if ok {
        "PASS"
    } else {
        "MISS"
    }
}

fn main() {
    let args = Args::parse();
    let text = std::fs::read_to_string(&args.results).unwrap_or_else(|e| {
        eprintln!("bench-report: {}: {e}", args.results.display());
        std::process::exit(2);
    });
    let mut runs: BTreeMap<(String, String), Run> = BTreeMap::new();
    let mut argon2: Option<f64> = None;
    let mut argon2_threads = 0;
    let mut argon2_runs: Vec<f64> = Vec::new();
    let mut pgbench: Option<f64> = None;
    let mut seeds: Vec<(String, f64, f64)> = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            eprintln!("bench-report: skipping a line that is not JSON: {line}");
            continue;
        };
        match v.get("kind").and_then(Value::as_str) {
            Some("argon2") => {
                // measured at the start and at the end: the higher is the bound
                if let Some(x) = num(&v, "hashes_per_s") {
                    argon2_runs.push(x);
                    argon2 = Some(argon2.map_or(x, |a: f64| a.max(x)));
                }
                argon2_threads = v.get("threads").and_then(Value::as_u64).unwrap_or(0);
            }
            Some("pgbench") => pgbench = num(&v, "tps"),
            Some("seed") => seeds.push((
                v.get("label").and_then(Value::as_str).unwrap_or("?").to_owned(),
                num(&v, "users").unwrap_or(0.0),
                num(&v, "seconds").unwrap_or(0.0),
            )),
            Some("scenario") => {
                let label = v.get("label").and_then(Value::as_str).unwrap_or("?").to_owned();
                let scenario = v.get("scenario").and_then(Value::as_str).unwrap_or("?").to_owned();
                let statuses = v
                    .get("error_statuses")
                    .and_then(Value::as_object)
                    .map(|m| {
                        m.iter()
                            .map(|(k, n)| format!("{}×{}", n, if k == "0" { "transport" } else { k }))
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .unwrap_or_default();
                runs.insert(
                    (label, scenario),
                    Run {
                        rps: num(&v, "rps").unwrap_or(0.0),
                        p50_us: num(&v, "p50_us").unwrap_or(0.0),
                        p99_us: num(&v, "p99_us").unwrap_or(0.0),
                        errors: v.get("errors").and_then(Value::as_u64).unwrap_or(0),
                        statuses,
                        rss_kib: v.get("rss_kib").and_then(Value::as_u64),
                        anon_kib: v.get("anon_kib").and_then(Value::as_u64),
                        server_cores: num(&v, "server_cores"),
                        load_cores: num(&v, "load_cores"),
                    },
                );
            }
            _ => {}
        }
    }

    let get = |label: &str, s: &str| runs.get(&(label.to_owned(), s.to_owned()));
    let rps = |label: &str, s: &str| get(label, s).map(|r| r.rps);
    let mut md = String::new();
    let mut failed = Vec::new();

    // ---- header
    let _ = writeln!(md, "# Registrar benchmark\n");
    for m in &args.meta {
        let (k, v) = m.split_once('=').unwrap_or((m, ""));
        let _ = writeln!(md, "- **{k}:** {v}");
    }
    let _ = writeln!(md);

    // ---- limits
    let raw_pg = rps("postgres", "healthz");
    let raw_sqlite = rps("sqlite", "healthz");
    let me_limit_pg = match (raw_pg, pgbench) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let me_limit_sqlite = raw_sqlite;
    let half = argon2.map(|a| a / 2.0);
    let opt = |x: Option<f64>| x.map_or("—".to_owned(), fmt_rps);
    let _ = writeln!(md, "## Limits\n");
    let _ = writeln!(md, "| limit | per second |\n|---|---:|");
    let _ = writeln!(
        md,
        "| argon2id hashes, {argon2_threads} threads (register, login bound){} | {} |",
        if argon2_runs.len() > 1 {
            format!(
                ": the higher of {}",
                argon2_runs
                    .iter()
                    .map(|x| fmt_rps(*x))
                    .collect::<Vec<_>>()
                    .join(" (start) and ")
                    + " (end)"
            )
        } else {
            String::new()
        },
        opt(argon2)
    );
    let _ = writeln!(
        md,
        "| raw HTTP: `GET /healthz`, Registrar on PostgreSQL | {} |",
        opt(raw_pg)
    );
    let _ = writeln!(
        md,
        "| raw HTTP: `GET /healthz`, Registrar on SQLite | {} |",
        opt(raw_sqlite)
    );
    let _ = writeln!(
        md,
        "| `pgbench -S` select-only TPS, same concurrency | {} |",
        opt(pgbench)
    );
    let _ = writeln!(
        md,
        "| peer `GET /healthz` (uvicorn, no database) | {} |",
        opt(rps("peer", "healthz"))
    );
    let _ = writeln!(md);

    // ---- main table
    let _ = writeln!(md, "## Scenarios: Registrar against the limit and the peer\n");
    let _ = writeln!(
        md,
        "| scenario | Registrar PG req/s | limit | PG ÷ limit | Registrar SQLite req/s | SQLite ÷ limit | peer req/s | PG ÷ peer |"
    );
    let _ = writeln!(md, "|---|---:|---|---:|---:|---:|---:|---:|");
    for s in &SCENARIOS[1..] {
        let (limit_pg, limit_sqlite, limit_name) = match *s {
            "register" | "login" | "sign_in" => (argon2, argon2, "argon2".to_owned()),
            "change_password" => (half, half, "argon2 ÷ 2".to_owned()),
            "me" | "introspect" => (me_limit_pg, me_limit_sqlite, "min(raw HTTP, pgbench -S)¹".to_owned()),
            _ => (None, None, String::new()),
        };
        let pg = rps("postgres", s);
        let sq = rps("sqlite", s);
        let peer = rps("peer", s);
        let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) if b > 0.0 => pct(a / b),
            _ => "—".to_owned(),
        };
        let limit_cell = match limit_pg {
            Some(l) => format!("{} ({limit_name})", fmt_rps(l)),
            None => "—".to_owned(),
        };
        let peer_has_none = matches!(*s, "refresh" | "introspect" | "sign_in" | "mfa");
        let peer_cell = if peer_has_none { "n/a".to_owned() } else { opt(peer) };
        let vs_peer = match (pg, peer) {
            (Some(a), Some(b)) if b > 0.0 => times(a / b),
            _ if peer_has_none => "n/a".to_owned(),
            _ => "—".to_owned(),
        };
        let _ = writeln!(
            md,
            "| {s} | {} | {limit_cell} | {} | {} | {} | {peer_cell} | {vs_peer} |",
            opt(pg),
            ratio(pg, limit_pg),
            opt(sq),
            ratio(sq, limit_sqlite),
        );
    }
    let _ = writeln!(
        md,
        "\n¹ On SQLite the `me` and `introspect` limit is that server's raw HTTP figure alone (pgbench measures PostgreSQL).\n"
    );

    // ---- detail
    let _ = writeln!(md, "## Every run\n");
    let _ = writeln!(
        md,
        "| server | scenario | req/s | p50 ms | p99 ms | errors | peak RSS MiB (anonymous) | CPU server / load gen. (cores) |"
    );
    let _ = writeln!(md, "|---|---|---:|---:|---:|---:|---:|---:|");
    let mut labels: Vec<String> = Vec::new();
    for (label, _) in runs.keys() {
        if !labels.contains(label) {
            labels.push(label.clone());
        }
    }
    let order = |l: &str| match l {
        "postgres" => 0,
        "postgres-large" => 1,
        "sqlite" => 2,
        "sqlite-large" => 3,
        "peer" => 4,
        _ => 5,
    };
    labels.sort_by_key(|l| (order(l), l.clone()));
    for label in &labels {
        for s in SCENARIOS.iter().chain(LARGE_ONLY.iter()) {
            if let Some(r) = get(label, s) {
                let errors = if r.errors > 0 {
                    format!("**{}** ({})", r.errors, r.statuses)
                } else {
                    "0".to_owned()
                };
                let _ = writeln!(
                    md,
                    "| {label} | {s} | {} | {} | {} | {errors} | {} | {} |",
                    fmt_rps(r.rps),
                    ms(r.p50_us),
                    ms(r.p99_us),
                    match (r.rss_kib, r.anon_kib) {
                        (Some(rss), Some(anon)) => format!("{:.1} ({:.1})", mib(rss), mib(anon)),
                        (Some(rss), None) => format!("{:.1}", mib(rss)),
                        _ => "?".to_owned(),
                    },
                    match (r.server_cores, r.load_cores) {
                        (Some(a), Some(b)) => format!("{a:.2} / {b:.2}"),
                        _ => "?".to_owned(),
                    },
                );
                if r.errors > 0 {
                    failed.push(format!("{label} {s}: {} errors", r.errors));
                }
            }
        }
    }
    for label in &args.expect {
        let large: Vec<&str> = args.large_scenarios.iter().map(String::as_str).collect();
        let wanted: &[&str] = match label.as_str() {
            "peer" => &["healthz", "register", "login", "me", "change_password"],
            l if l.ends_with("-large") => &large,
            _ => &SCENARIOS,
        };
        for s in wanted {
            if get(label, s).is_none() {
                failed.push(format!("{label} {s}: did not run"));
            }
        }
    }
    if !seeds.is_empty() {
        let _ = writeln!(md);
        for (label, users, secs) in &seeds {
            let _ = writeln!(
                md,
                "- seeding {label}: {} users in {secs:.1} s ({}/s).",
                fmt_rps(*users),
                fmt_rps(users / secs.max(0.001))
            );
        }
    }
    let _ = writeln!(md);

    // ---- growth
    let small = fmt_rps(args.small as f64);
    let large = fmt_rps(args.large as f64);
    let _ = writeln!(md, "## How cost grows: {small} vs {large} users in the database\n");
    let _ = writeln!(
        md,
        "| server | scenario | req/s, {small} | req/s, {large} | {large} ÷ {small} | p50 ms ({small} → {large}) | p99 ms ({small} → {large}) |"
    );
    let _ = writeln!(md, "|---|---|---:|---:|---:|---|---|");
    let mut growth: BTreeMap<String, f64> = BTreeMap::new();
    for backend in ["postgres", "sqlite"] {
        let big_label = format!("{backend}-large");
        for s in ["me", "login"] {
            if let (Some(a), Some(b)) = (get(backend, s), get(&big_label, s)) {
                let r = if a.rps > 0.0 { b.rps / a.rps } else { 0.0 };
                growth.insert(format!("{backend} {s}"), r);
                let _ = writeln!(
                    md,
                    "| {backend} | {s} | {} | {} | {} | {} → {} | {} → {} |",
                    fmt_rps(a.rps),
                    fmt_rps(b.rps),
                    pct(r),
                    ms(a.p50_us),
                    ms(b.p50_us),
                    ms(a.p99_us),
                    ms(b.p99_us)
                );
            }
        }
    }
    let _ = writeln!(md);

    // ---- targets
    let _ = writeln!(md, "## Targets\n");
    let _ = writeln!(md, "| target | server | measured | wanted | result |");
    let _ = writeln!(md, "|---|---|---:|---:|---|");
    let row = |md: &mut String, what: &str, server: &str, measured: Option<(String, bool)>, wanted: &str| {
        let (m, r) = match measured {
            Some((m, ok)) => (m, pass(ok)),
            None => ("—".to_owned(), "MISS (not measured)"),
        };
        let _ = writeln!(md, "| {what} | {server} | {m} | {wanted} | {r} |");
    };
    for backend in ["postgres", "sqlite"] {
        for (s, bound, what) in [
            ("register", argon2, "register ÷ argon2 bound"),
            ("login", argon2, "login ÷ argon2 bound"),
            ("change_password", half, "change-password ÷ (argon2 bound ÷ 2)"),
            ("sign_in", argon2, "sign-in page POST ÷ argon2 bound"),
        ] {
            let m = match (rps(backend, s), bound) {
                (Some(a), Some(b)) if b > 0.0 => Some((pct(a / b), a / b >= 0.9)),
                _ => None,
            };
            row(&mut md, what, backend, m, "≥ 90 %");
        }
        let limit = if backend == "postgres" {
            me_limit_pg
        } else {
            me_limit_sqlite
        };
        for (s, what) in [("me", "`GET /api/me`"), ("introspect", "`POST /oauth/introspect`")] {
            let m = match (rps(backend, s), limit) {
                (Some(a), Some(b)) if b > 0.0 => Some((pct(a / b), a / b >= 0.5)),
                _ => None,
            };
            let lname = if backend == "postgres" {
                format!("{what} ÷ min(raw HTTP, pgbench -S)")
            } else {
                format!("{what} ÷ raw HTTP")
            };
            row(&mut md, &lname, backend, m, "≥ 50 %");
        }
    }
    // No hash in either: a token pair out of rows the request finds.
    let want_refresh = 1200.0 * args.cores as f64;
    for backend in ["postgres", "sqlite"] {
        for (s, what) in [("refresh", "refresh"), ("mfa", "`grant_type=mfa` with a TOTP code")] {
            let m = rps(backend, s).map(|a| (format!("{}/s", fmt_rps(a)), a >= want_refresh));
            row(
                &mut md,
                &format!("{what}, 1,200/s per core × {}", args.cores),
                backend,
                m,
                &format!("≥ {}/s", fmt_rps(want_refresh)),
            );
        }
    }
    let m = match (rps("postgres", "me"), rps("peer", "me")) {
        (Some(a), Some(b)) if b > 0.0 => Some((times(a / b), a / b >= 5.0)),
        _ => None,
    };
    row(&mut md, "`GET /api/me` ÷ peer", "postgres", m, "≥ 5.0×");
    let budget_kib = 64 * 1024 + args.hashes * args.argon2_kib;
    for backend in ["postgres", "sqlite"] {
        let m = get(backend, "register")
            .and_then(|r| r.rss_kib)
            .map(|k| (format!("{:.1} MiB", mib(k)), k <= budget_kib));
        row(
            &mut md,
            &format!(
                "peak RSS under register load (64 MiB + {} × argon2 memory)",
                args.hashes
            ),
            backend,
            m,
            &format!("≤ {:.1} MiB", mib(budget_kib)),
        );
        // What of it the process allocated: RSS also counts file pages
        // (the binary's code, SQLite's mapped database) the kernel may drop.
        if let Some(anon) = get(backend, "register").and_then(|r| r.anon_kib) {
            row(
                &mut md,
                "(its anonymous part: RSS less file pages, sampled every 100 ms)",
                backend,
                Some((format!("{:.1} MiB", mib(anon)), anon <= budget_kib)),
                &format!("≤ {:.1} MiB", mib(budget_kib)),
            );
        }
    }
    for backend in ["postgres", "sqlite"] {
        if let Some(r) = growth.get(&format!("{backend} me")) {
            row(
                &mut md,
                &format!("`GET /api/me` at {large} ÷ at {small} users"),
                backend,
                Some((pct(*r), *r >= 0.8)),
                "≥ 80 %",
            );
        } else if backend == "postgres" {
            row(
                &mut md,
                &format!("`GET /api/me` at {large} ÷ at {small} users"),
                backend,
                None,
                "≥ 80 %",
            );
        }
    }
    let total_errors: u64 = runs.values().map(|r| r.errors).sum();
    row(
        &mut md,
        "errors, every run",
        "all",
        Some((total_errors.to_string(), total_errors == 0 && failed.is_empty())),
        "0",
    );
    if !failed.is_empty() {
        let _ = writeln!(md, "\nFailed: {}", failed.join("; "));
    }

    print!("{md}");
    if let Some(out) = &args.out {
        if let Some(dir) = out.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if let Err(e) = std::fs::write(out, &md) {
            eprintln!("bench-report: {}: {e}", out.display());
            std::process::exit(2);
        }
    }
    if !failed.is_empty() {
        eprintln!("bench-report: FAILED: {}", failed.join("; "));
        std::process::exit(1);
    }
}

/// KiB as MiB.
fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}
