#!/usr/bin/env bash
# Registrar's benchmark (bench/README.md): the limits (argon2id, raw HTTP,
# pgbench -S), Registrar on PostgreSQL and on SQLite, the fastapi-users peer,
# the growth check; one table on stdout and in bench/results/latest.md.
#
#   bench/run.sh            the full run (~15 minutes on 2 cores)
#   bench/run.sh --smoke    a few seconds per scenario, 1k vs 20k users (~3 minutes once built)
#   bench/run.sh --only admin_search
#                           only the admin user search at BENCH_LARGE users, on
#                           PostgreSQL and SQLite (no limits, no peer; with --smoke: 20k users)
#
# Settings (environment; defaults for the full run, smoke's in brackets):
#   BENCH_USERS=32             concurrent goose users = pgbench clients
#   BENCH_SECONDS=20 [3]       measured seconds per scenario
#   BENCH_WARMUP=3 [1]         seconds of load before each measurement
#   BENCH_SMALL=1000 [1000]    users seeded for the main run
#   BENCH_LARGE=1000000 [20000] users in the database for the growth check
#   BENCH_MFA=100000 [15000]   users seeded with a TOTP factor and a waiting sign-in
#                              for `mfa` (each serves once; part of BENCH_LARGE)
#   BENCH_PG=postgres://postgres@127.0.0.1:5432   the PostgreSQL server (trust auth)
#   BENCH_SKIP_BUILD=1         use the binaries as built
#   CARGO_TARGET_DIR           where cargo puts (and the harness finds) the binaries
# Exits non-zero if any scenario had an error (or did not run).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
mode=full
only=""
usage="usage: bench/run.sh [--smoke] [--only admin_search]"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --smoke) mode=smoke ;;
    --only)
      [[ $# -ge 2 ]] || { echo "$usage" >&2; exit 2; }
      only="$2"; shift ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
  shift
done
case "$only" in
  ""|admin_search) ;;
  *) echo "bench/run.sh: --only admin_search is the one part that runs alone" >&2; exit 2 ;;
esac

if [[ $mode == smoke ]]; then
  d_seconds=3 d_warmup=1 d_small=1000 d_large=20000 d_mfa=15000
else
  d_seconds=20 d_warmup=3 d_small=1000 d_large=1000000 d_mfa=100000
fi
users="${BENCH_USERS:-32}"
seconds="${BENCH_SECONDS:-$d_seconds}"
warmup="${BENCH_WARMUP:-$d_warmup}"
small="${BENCH_SMALL:-$d_small}"
large="${BENCH_LARGE:-$d_large}"
mfa="${BENCH_MFA:-$d_mfa}"
(( large > small + mfa )) || { echo "bench/run.sh: BENCH_LARGE must exceed BENCH_SMALL + BENCH_MFA" >&2; exit 2; }
pg_base="${BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
cores="$(nproc)"
port_pg=18081 port_sqlite=18082 port_peer=18090

log() { printf '\n== %s\n' "$*" >&2; }
die() { echo "bench/run.sh: $*" >&2; exit 1; }

# ---- tools -------------------------------------------------------------------
export PATH="$PATH:/usr/lib/postgresql/15/bin"
for tool in psql pgbench curl python3 cargo; do
  command -v "$tool" >/dev/null || die "$tool is needed (see bench/README.md)"
done
pg_host="$(python3 -c 'import sys,urllib.parse as u; p=u.urlsplit(sys.argv[1]); print(p.hostname or "127.0.0.1"); print(p.port or 5432); print(p.username or "postgres")' "$pg_base")"
{ read -r pg_h; read -r pg_p; read -r pg_u; } <<<"$pg_host"
psql_() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -h "$pg_h" -p "$pg_p" -U "$pg_u" "$@"; }
psql_ -d postgres -Atc 'select 1' >/dev/null || die "no PostgreSQL answers at $pg_h:$pg_p as $pg_u (trust auth)"

work="$(mktemp -d /tmp/registrar-bench.XXXXXX)"
results="$work/results.jsonl"
: > "$results"
if [[ -n $only ]]; then out_md="$here/results/only-$only-$mode.md"
elif [[ $mode == smoke ]]; then out_md="$here/results/smoke.md"; else out_md="$here/results/latest.md"; fi

# ---- cleanup: every server this script started, on any exit ------------------
pids=()
stop_pid() {
  local pid="$1"
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}
loadpid=""
cleanup() {
  local pid
  [[ -n $loadpid ]] && kill -TERM "$loadpid" 2>/dev/null
  for pid in "${pids[@]}"; do stop_pid "$pid"; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_http() {
  local url="$1" pid="$2" log="$3"
  for _ in $(seq 1 300); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { tail -20 "$log" >&2; die "the server exited (log: $log)"; }
    sleep 0.1
  done
  tail -20 "$log" >&2
  die "$url did not answer in 30 s"
}

# ---- build ---------------------------------------------------------------------
if [[ -z "${BENCH_SKIP_BUILD:-}" ]]; then
  log "build: registrar (release) and bench/load"
  (cd "$root" && cargo build --release --bin registrar)
  cargo build --release --manifest-path "$here/load/Cargo.toml"
fi
registrar="${CARGO_TARGET_DIR:-$root/target}/release/registrar"
loadbin="${CARGO_TARGET_DIR:-$here/load/target}/release"
[[ -x $registrar && -x $loadbin/load ]] || die "binaries missing; run without BENCH_SKIP_BUILD"

# What else is running: a fuzzer or a compiler spoils the figures.
others="$(pgrep -fa 'fuzz/target|cargo-fuzz|libfuzzer|rustc ' | cut -c1-80 | head -3 | paste -sd';' - || true)"
load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
log "mode $mode${only:+ (only $only)}: $users users, ${warmup} s warm-up + ${seconds} s per scenario, $small vs $large users; work dir $work"
[[ -n $others ]] && echo "warning: other busy processes: $others" >&2

# ---- limits ---------------------------------------------------------------------
scale=10; [[ $mode == smoke ]] && scale=1
if [[ -z $only ]]; then
log "limit: argon2id hashes/s on $cores threads"
"$loadbin/argon2-bound" --threads "$cores" --seconds "$seconds" --m 19456 --t 2 --p 1 >> "$results"

log "limit: pgbench -S -c $users -j $cores"
psql_ -d postgres -c 'DROP DATABASE IF EXISTS pgbench_bench WITH (FORCE)' -c 'CREATE DATABASE pgbench_bench'
pgbench -q -i -s "$scale" -h "$pg_h" -p "$pg_p" -U "$pg_u" pgbench_bench > "$work/pgbench-init.log" 2>&1 \
  || { cat "$work/pgbench-init.log" >&2; die "pgbench -i failed"; }
pgbench -n -S -c "$users" -j "$cores" -T "$((seconds + warmup))" -h "$pg_h" -p "$pg_p" -U "$pg_u" pgbench_bench \
  > "$work/pgbench.log" 2>&1 || { cat "$work/pgbench.log" >&2; die "pgbench failed"; }
tps="$(sed -n 's/^tps = \([0-9.]*\).*without initial connection time.*/\1/p' "$work/pgbench.log" | head -1)"
[[ -n $tps ]] || tps="$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$work/pgbench.log" | head -1)"
[[ -n $tps ]] || { cat "$work/pgbench.log" >&2; die "no tps in pgbench's output"; }
echo "pgbench -S: $tps TPS" >&2
printf '{"kind":"pgbench","tps":%s,"clients":%s,"threads":%s,"scale":%s}\n' "$tps" "$users" "$cores" "$scale" >> "$results"
psql_ -d postgres -c 'DROP DATABASE IF EXISTS pgbench_bench WITH (FORCE)'
fi

# ---- Registrar --------------------------------------------------------------------
cat > "$work/tac.toml" <<'TOML'
type = "tac"
version = "1.0"
[translations.en]
title = "Terms and conditions"
description = "Please read and accept our terms."
button = "I agree"
html = "<h1>Terms</h1>"
TOML
sed 's/"tac"/"privacy"/; s/Terms and conditions/Privacy policy/' "$work/tac.toml" > "$work/privacy.toml"

failures=0
scenario() { # label target scenario host pids [extra args]
  local label="$1" target="$2" sc="$3" host="$4" spids="$5"; shift 5
  # in the background, so that a signal reaches the trap at once
  "$loadbin/load" --target "$target" --scenario "$sc" --host "$host" --users "$users" \
    --seconds "$seconds" --warmup "$warmup" --pids "$spids" --label "$label" --out "$results" "$@" \
    > /dev/null 2> >(tee -a "$work/load.log" >&2) &
  loadpid=$!
  wait "$loadpid" || { echo "bench/run.sh: $label $sc: the load generator failed" >&2; failures=$((failures + 1)); }
  loadpid=""
}

seed() { # label from count client [--totp]
  local t0 t1
  t0="$(date +%s.%N)"
  "$registrar" seed --users "$3" --from "$2" --client "$4" ${5:+"$5"} > "$work/seed-$1.out" 2> "$work/seed-$1.log" \
    || { cat "$work/seed-$1.log" >&2; die "registrar seed failed ($1)"; }
  t1="$(date +%s.%N)"
  printf '{"kind":"seed","label":"%s","users":%s,"seconds":%s}\n' "$1" "$3" "$(awk "BEGIN{print $t1 - $t0}")" >> "$results"
}

run_registrar() { # backend url port
  local backend="$1" url="$2" port="$3"
  log "Registrar on $backend"
  unset RUST_LOG REGISTRAR_CONFIG DATABASE_URL
  export REGISTRAR__DATABASE__URL="$url" REGISTRAR__HTTP__HOST=127.0.0.1 REGISTRAR__HTTP__PORT="$port" \
    REGISTRAR__HTTP__PUBLIC_URL="http://127.0.0.1:$port" \
    REGISTRAR__MAIL__TRANSPORT=log REGISTRAR__LOG__LEVEL=warn REGISTRAR__EMAIL__CHECK_DOMAIN=false \
    REGISTRAR__THROTTLE__LOGIN_FAILURES_PER_ACCOUNT=0 REGISTRAR__THROTTLE__LOGIN_FAILURES_PER_IP=0 \
    REGISTRAR__THROTTLE__REGISTRATIONS_PER_IP=0 REGISTRAR__THROTTLE__MAILS_PER_ADDRESS=0 \
    REGISTRAR__THROTTLE__MAILS_PER_IP=0 REGISTRAR__THROTTLE__MALFORMED_PER_IP=0 \
    REGISTRAR__PASSWORD__ARGON2_MEMORY_KIB=19456 REGISTRAR__PASSWORD__ARGON2_ITERATIONS=2 \
    REGISTRAR__PASSWORD__ARGON2_PARALLELISM=1
  "$registrar" migrate > "$work/migrate-$backend.log" 2>&1 || { cat "$work/migrate-$backend.log" >&2; die "migrate failed"; }
  local client tac privacy resource_server web_client
  client="$("$registrar" client add --name bench | head -1)"
  # a resource server for `introspect`: its id on the first line, its secret on the second
  resource_server="$("$registrar" client add --name bench-resource-server --confidential | head -2)"
  # a trusted browser client for `sign_in` (its callback is never fetched)
  web_client="$("$registrar" client add --name bench-web --redirect-uri http://127.0.0.1/bench-callback --trusted | head -1)"
  tac="$("$registrar" policy publish "$work/tac.toml" | head -1)"
  privacy="$("$registrar" policy publish "$work/privacy.toml" | head -1)"
  # the admin API's key (`admin_search`), printed alone on stdout
  local admin_key
  admin_key="$("$registrar" admin-key create --name bench --scopes users:read)"
  [[ -n $admin_key ]] || die "registrar admin-key create printed no key"
  if [[ -n $only ]]; then
    echo "client $client; seeding $large users" >&2
    seed "$backend-large" 0 "$large" "$client"
  else
    echo "client $client, policies $tac,$privacy; seeding $small users" >&2
    seed "$backend" 0 "$small" "$client"
  fi

  local slog="$work/registrar-$backend.log"
  "$registrar" serve > "$slog" 2>&1 &
  local spid=$!
  pids+=("$spid")
  wait_http "http://127.0.0.1:$port/healthz" "$spid" "$slog"
  local host="http://127.0.0.1:$port"
  if [[ -n $only ]]; then
    scenario "$backend-large" registrar admin_search "$host" "$spid" --seeded "$large" --admin-key "$admin_key"
    stop_pid "$spid"
    if [[ $backend == postgres ]]; then
      # the plans of the search's filters at this population (bench/README.md)
      local q="SELECT id FROM users WHERE" o="ORDER BY created_at, id LIMIT 50"
      local p="seed-$((large / 2 + 7))"
      {
        for where in "email_normalized LIKE '$p%' ESCAPE '\\'" "role = 'guest'" "role = 'admin'" \
          "email_confirmed_at IS NOT NULL" \
          "email_normalized LIKE '$p%' ESCAPE '\\' AND role = 'guest' AND email_confirmed_at IS NOT NULL"; do
          echo "-- $where"
          psql_ -d registrar_bench -Atc "EXPLAIN (ANALYZE, COSTS OFF) $q $where $o"
        done
      } > "$work/explain-postgres.txt" 2>&1 || echo "warning: EXPLAIN failed (see $work/explain-postgres.txt)" >&2
      echo "plans: $work/explain-postgres.txt" >&2
    fi
    return 0
  fi
  local common=(--client "$client" --policies "$tac,$privacy" --seeded "$small" --web-client "$web_client"
    --resource-server "$(sed -n 1p <<<"$resource_server")" --resource-server-secret "$(sed -n 2p <<<"$resource_server")")
  for sc in healthz register login refresh me introspect change_password sign_in; do
    scenario "$backend" registrar "$sc" "$host" "$spid" "${common[@]}"
  done
  # Each seeded sign-in waiting for a TOTP code serves once, and lives
  # 5 minutes: seeded right before the scenario, more than it can use.
  seed "$backend-mfa" "$small" "$mfa" "$client" --totp
  scenario "$backend" registrar mfa "$host" "$spid" "${common[@]}" --mfa-from "$small" --mfa-users "$mfa"

  log "growth: $backend with $large users"
  seed "$backend-large" "$((small + mfa))" "$((large - small - mfa))" "$client"
  for sc in me login admin_search; do
    scenario "$backend-large" registrar "$sc" "$host" "$spid" --client "$client" --seeded "$large" --admin-key "$admin_key"
  done
  stop_pid "$spid"
  if grep -qiE 'error|panic' "$slog"; then
    echo "warning: the $backend server logged errors (first lines below; log: $slog)" >&2
    grep -iE 'error|panic' "$slog" | head -5 >&2
  fi
}

psql_ -d postgres -c 'DROP DATABASE IF EXISTS registrar_bench WITH (FORCE)' -c 'CREATE DATABASE registrar_bench'
run_registrar postgres "${pg_base%/}/registrar_bench" "$port_pg"
psql_ -d postgres -c 'DROP DATABASE IF EXISTS registrar_bench WITH (FORCE)'
rm -f "$work"/registrar.db*
run_registrar sqlite "sqlite://$work/registrar.db" "$port_sqlite"
rm -f "$work"/registrar.db*   # 1.3 GB with a million users

# ---- the peer ---------------------------------------------------------------------
if [[ -z $only ]]; then
log "peer: fastapi-users, $cores uvicorn workers"
export PEER_DATABASE_URL="postgresql+asyncpg://$pg_u@$pg_h:$pg_p/peer_bench"
"$here/peer/run.sh" setup
"$here/peer/run.sh" init-db > "$work/peer-init.log" 2>&1 || { cat "$work/peer-init.log" >&2; die "peer init-db failed"; }
plog="$work/peer.log"
"$here/peer/run.sh" serve "$port_peer" "$cores" > "$plog" 2>&1 &
ppid_=$!
pids+=("$ppid_")
wait_http "http://127.0.0.1:$port_peer/healthz" "$ppid_" "$plog"
workers=""
for _ in $(seq 1 100); do
  # the workers (multiprocessing spawn), not uvicorn's resource tracker
  workers="$(pgrep -P "$ppid_" -f spawn_main | paste -sd, -)"
  [[ $(tr ',' '\n' <<<"$workers" | grep -c .) -ge $cores ]] && break
  sleep 0.1
done
echo "peer master $ppid_, children $workers" >&2
for sc in healthz register login me change_password; do
  scenario peer peer "$sc" "http://127.0.0.1:$port_peer" "$workers"
done
stop_pid "$ppid_"
psql_ -d postgres -c 'DROP DATABASE IF EXISTS peer_bench WITH (FORCE)'

# The argon2 bound again, now that the servers are gone: a busy moment at
# the start must not make the bound too low (the report takes the higher).
log "limit: argon2id hashes/s on $cores threads, again"
"$loadbin/argon2-bound" --threads "$cores" --seconds "$seconds" --m 19456 --t 2 --p 1 >> "$results"
fi

# ---- report --------------------------------------------------------------------------
log "report"
fuzz_now="$(pgrep -fa 'fuzz/target|cargo-fuzz|libfuzzer' | cut -c1-80 | head -2 | paste -sd';' - || true)"
meta=(
  "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  "mode=$mode"
  "machine=$cores cores (nproc), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(free -g | awk '/^Mem:/{print $2}') GiB"
  "rustc=$(rustc --version)"
  "PostgreSQL=$(psql_ -d postgres -Atc 'show server_version')"
  "load=goose 0.19, $users concurrent users, one request in flight each, ${warmup} s warm-up + ${seconds} s measured per scenario; latency timed per request (hdrhistogram, µs)"
  "limits=argon2id m=19456 KiB t=2 p=1 on $cores threads for ${seconds} s, at the start and at the end; pgbench -S -c $users -j $cores -T $((seconds + warmup)), scale $scale"
  "Registrar=release build, defaults (http.workers = cores, database.max_connections = 10, password.max_concurrent_hashes = cores), every throttle off, mail.transport = log, log.level = warn"
  "peer=fastapi-users (bench/peer), uvicorn --workers $cores, same PostgreSQL"
  "machine load=load average at start $load_start${others:+; busy at start: $others}${fuzz_now:+; fuzzer at the end: $fuzz_now}"
)
status=0
expect=postgres,sqlite,peer,postgres-large,sqlite-large large_scenarios=login,me,admin_search
[[ -n $only ]] && expect=postgres-large,sqlite-large large_scenarios=$only
"$loadbin/bench-report" --results "$results" --out "$out_md" "${meta[@]/#/--meta=}" \
  --small "$small" --large "$large" --hashes "$cores" --cores "$cores" \
  --expect "$expect" --large-scenarios "$large_scenarios" || status=$?
echo >&2
echo "results: $out_md (raw: $results, logs: $work)" >&2
if [[ $failures -gt 0 ]]; then
  echo "bench/run.sh: $failures scenario(s) could not run" >&2
  status=1
fi
exit "$status"
